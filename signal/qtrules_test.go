package signal_test

import (
	"errors"
	"testing"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/signal"
)

// TestConnectResult_SIG01: a connection that cannot be made is refused with
// an error and id 0, and nothing is connected (Qt returns an invalid
// QMetaObject::Connection).
func TestConnectResult_SIG01(t *testing.T) {
	capt := logging.StartCapture()
	defer capt.Stop()
	var s signal.Signal1[int]
	if id, err := s.ConnectTo(nil, func(int) {}, signal.AutoConnection); id != 0 || !errors.Is(err, signal.ErrNoReceiver) {
		t.Errorf("nil receiver: id %d, err %v", id, err)
	}
	if id, err := s.ConnectTo(newRecv(nil), nil, signal.DirectConnection); id != 0 || !errors.Is(err, signal.ErrNilHandler) {
		t.Errorf("nil handler: id %d, err %v", id, err)
	}
	if capt.Count("critical", "c_handler != NULL") != 1 {
		t.Errorf("a nil handler was refused without GLib's critical: %v", capt.Records())
	}
	if s.HasHandlers() {
		t.Errorf("a refused connect left a handler")
	}
	if id, err := s.ConnectTo(newRecv(nil), func(int) {}, signal.DirectConnection); id == 0 || err != nil {
		t.Errorf("valid connect: id %d, err %v", id, err)
	}
}

// TestHandleDisconnectOnce_SIG05: disconnecting by id succeeds once; later
// disconnects of the same id, and of id 0, report false.
func TestHandleDisconnectOnce_SIG05(t *testing.T) {
	var s signal.Signal0
	calls := 0
	id := s.Connect(func() { calls++ })
	c := logging.StartCapture()
	first, second, zero := s.Disconnect(id), s.Disconnect(id), s.Disconnect(0)
	c.Stop()
	if !first || second || zero {
		t.Errorf("Disconnect: first %v, second %v, zero %v; want true, false, false", first, second, zero)
	}
	s.Emit()
	if calls != 0 || s.IsConnected(id) {
		t.Errorf("handler still connected after Disconnect")
	}
}

// TestSignalToSignal_SIG09: a signal's Emit can be connected as another
// signal's handler, relaying the arguments in order.
func TestSignalToSignal_SIG09(t *testing.T) {
	var src signal.Signal2[int, string]
	var relay signal.Signal2[int, string]
	var got []string
	relay.Connect(func(n int, s string) { got = append(got, s) })
	src.Connect(relay.Emit)
	src.Connect(func(n int, s string) { got = append(got, "direct:"+s) })
	src.Emit(1, "a")
	if len(got) != 2 || got[0] != "a" || got[1] != "direct:a" {
		t.Errorf("relay order %v", got)
	}
}

// TestInvalidArgsNeverCrash_SIG16: invalid ids, disconnecting everything on
// an empty signal, and a handler that disconnects itself during the
// emission never crash, and the emission goes on.
func TestInvalidArgsNeverCrash_SIG16(t *testing.T) {
	var s signal.Signal0
	c := logging.StartCapture()
	s.Disconnect(12345)
	s.Block(12345)
	s.Unblock(12345)
	if s.DisconnectAll() != 0 || s.IsConnected(12345) {
		t.Errorf("empty signal reported handlers")
	}
	c.Stop()
	var self signal.HandlerID
	after := 0
	self = s.Connect(func() { s.Disconnect(self) })
	s.Connect(func() { after++ })
	s.Emit()
	s.Emit()
	if after != 2 || s.IsConnected(self) {
		t.Errorf("after %d, self connected %v", after, s.IsConnected(self))
	}
}
