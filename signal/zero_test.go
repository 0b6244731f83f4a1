package signal_test

import (
	"errors"
	"testing"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/signal"
)

// commonSignal is the part of every signal type's method set that does not
// depend on the handler type.
type commonSignal interface {
	Disconnect(signal.HandlerID) bool
	ClearHandler(*signal.HandlerID)
	IsConnected(signal.HandlerID) bool
	Block(signal.HandlerID)
	Unblock(signal.HandlerID)
	BlockKey(signal.Receiver, any) int
	UnblockKey(signal.Receiver, any) int
	HasHandlers() bool
	HandlerCount() int
	DisconnectAll() int
	DisconnectReceiver(signal.Receiver) int
	DisconnectKey(signal.Receiver, any) int
	SetOwner(signal.Owner)
	SetNoRecurse(bool)
	StopEmission()
	CheckDeadlock() error
}

// exercise calls every common method; it must not panic.
func exercise(s commonSignal) {
	id := signal.HandlerID(1)
	s.Disconnect(id)
	s.ClearHandler(&id)
	s.ClearHandler(nil)
	s.IsConnected(1)
	s.Block(1)
	s.Unblock(1)
	s.BlockKey(nil, "k")
	s.UnblockKey(nil, "k")
	s.HasHandlers()
	s.HandlerCount()
	s.DisconnectAll()
	s.DisconnectReceiver(newRecv(nil))
	s.DisconnectKey(nil, "k")
	s.SetOwner(&owner{})
	s.SetOwner(nil)
	s.SetNoRecurse(true)
	s.SetNoRecurse(false)
	s.StopEmission()
	s.CheckDeadlock()
}

// TestNilSignals: every method of every signal type on a nil pointer
// returns its zero result (ErrNilSignal where there is an error), logs a
// critical for the calls that would change something, and never panics.
func TestNilSignals(t *testing.T) {
	var (
		s0 *signal.Signal0
		s1 *signal.Signal1[int]
		s2 *signal.Signal2[int, int]
		s3 *signal.Signal3[int, int, int]
		r0 *signal.Signal0R[int]
		r1 *signal.Signal1R[int, int]
		r2 *signal.Signal2R[int, int, int]
		r3 *signal.Signal3R[int, int, int, int]
	)
	c := logging.StartCapture()
	defer c.Stop()
	for _, s := range []commonSignal{s0, s1, s2, s3, r0, r1, r2, r3} {
		exercise(s)
		if s.IsConnected(1) || s.HasHandlers() || s.HandlerCount() != 0 || !errors.Is(s.CheckDeadlock(), signal.ErrNilSignal) {
			t.Errorf("%T: nil signal reported state", s)
		}
	}
	rec := newRecv(nil)
	calls := []func() error{
		func() error {
			s0.Connect(func() {})
			s0.ConnectAfter(func() {})
			s0.ConnectDetailed("d", func() {})
			s0.Emit()
			s0.EmitDetailed("d")
			s0.SetClassHandler(func() {}, signal.RunLast)
			return nil
		},
		func() error { _, err := s0.ConnectTo(rec, func() {}, 0); return err },
		func() error { _, err := s0.ConnectWith(func() {}, signal.Options{}); return err },
		func() error {
			s1.Connect(func(int) {})
			s1.ConnectAfter(func(int) {})
			s1.ConnectDetailed("d", func(int) {})
			s1.Emit(1)
			s1.EmitDetailed("d", 1)
			s1.SetClassHandler(func(int) {}, signal.RunLast)
			return nil
		},
		func() error { _, err := s1.ConnectTo(rec, func(int) {}, 0); return err },
		func() error { _, err := s1.ConnectWith(func(int) {}, signal.Options{}); return err },
		func() error { s2.Connect(func(int, int) {}); s2.Emit(1, 2); s2.EmitDetailed("d", 1, 2); return nil },
		func() error { _, err := s2.ConnectWith(func(int, int) {}, signal.Options{}); return err },
		func() error {
			s3.Connect(func(int, int, int) {})
			s3.Emit(1, 2, 3)
			s3.EmitDetailed("d", 1, 2, 3)
			return nil
		},
		func() error { _, err := s3.ConnectTo(rec, func(int, int, int) {}, 0); return err },
		func() error {
			r0.Connect(func() int { return 1 })
			r0.SetAccumulator(signal.FirstWins[int]())
			if r0.Emit() != 0 || r0.EmitDetailed("d") != 0 {
				return errors.New("nil Signal0R returned a value")
			}
			return nil
		},
		func() error { _, err := r0.ConnectWith(func() int { return 1 }, signal.Options{}); return err },
		func() error {
			r1.ConnectAfter(func(int) int { return 1 })
			r1.SetClassHandler(func(int) int { return 1 }, signal.RunFirst)
			if r1.Emit(1) != 0 || r1.EmitDetailed("d", 1) != 0 {
				return errors.New("nil Signal1R returned a value")
			}
			return nil
		},
		func() error { _, err := r1.ConnectTo(rec, func(int) int { return 1 }, 0); return err },
		func() error {
			r2.ConnectDetailed("d", func(int, int) int { return 1 })
			if r2.Emit(1, 2) != 0 {
				return errors.New("nil Signal2R returned a value")
			}
			return nil
		},
		func() error { _, err := r2.ConnectWith(func(int, int) int { return 1 }, signal.Options{}); return err },
		func() error {
			r3.Connect(func(int, int, int) int { return 1 })
			r3.SetAccumulator(nil)
			if r3.Emit(1, 2, 3) != 0 || r3.EmitDetailed("d", 1, 2, 3) != 0 {
				return errors.New("nil Signal3R returned a value")
			}
			return nil
		},
		func() error { _, err := r3.ConnectTo(rec, func(int, int, int) int { return 1 }, 0); return err },
	}
	for i, call := range calls {
		// The calls that return an error are the ConnectTo and ConnectWith ones.
		if err := call(); err != nil && !errors.Is(err, signal.ErrNilSignal) {
			t.Errorf("call %d: %v, want nil or ErrNilSignal", i, err)
		}
	}
	for _, call := range []func() (signal.HandlerID, error){
		func() (signal.HandlerID, error) { return s0.ConnectTo(rec, func() {}, 0) },
		func() (signal.HandlerID, error) { return s1.ConnectWith(func(int) {}, signal.Options{}) },
		func() (signal.HandlerID, error) { return r2.ConnectTo(rec, func(int, int) int { return 0 }, 0) },
	} {
		if id, err := call(); id != 0 || !errors.Is(err, signal.ErrNilSignal) {
			t.Errorf("connect on a nil signal: %d, %v; want 0, ErrNilSignal", id, err)
		}
	}
	if c.Count("critical", "called on a nil signal") == 0 {
		t.Error("nil signal calls logged no critical")
	}
}

// TestZeroValues: the zero value of every exported type is usable: a
// zero signal of each type connects, emits and disconnects; a zero
// ConnectionType is AutoConnection; zero Options are a plain connect; a
// zero InvocationHint names no stage; a zero RunStage class handler never
// runs; HandlerID 0 is never connected.
func TestZeroValues(t *testing.T) {
	var s0 signal.Signal0
	var s3 signal.Signal3[int, string, bool]
	var r0 signal.Signal0R[int]
	var r3 signal.Signal3R[int, int, int, int]
	capt := logging.StartCapture()
	exercise(&s0)
	exercise(&s3)
	exercise(&r0)
	exercise(&r3)
	capt.Stop()
	// Each zero signal refuses the unknown id and the nil ClearHandler the
	// GLib way, with a critical.
	if capt.Count("critical", "no handler with id") < 4 || capt.Count("critical", "handler_id_ptr != NULL") != 4 {
		t.Errorf("zero signals' refusals: %v", capt.Records())
	}
	n := 0
	s0.Connect(func() { n++ })
	s0.Emit()
	s3.Connect(func(int, string, bool) { n++ })
	s3.Emit(1, "x", true)
	r0.Connect(func() int { n++; return 5 })
	r3.Connect(func(a, b, c int) int { n++; return a + b + c })
	if r0.Emit() != 5 || r3.Emit(1, 2, 3) != 6 || n != 4 {
		t.Errorf("zero signals: %d calls", n)
	}
	var ct signal.ConnectionType
	if ct != signal.AutoConnection || ct.String() != "AutoConnection" {
		t.Errorf("zero ConnectionType %v", ct)
	}
	var o signal.Options
	id, err := s0.ConnectWith(func() { n++ }, o)
	if err != nil || id == 0 {
		t.Errorf("zero Options: %d, %v", id, err)
	}
	var h signal.InvocationHint
	if h.RunType != 0 || h.Detail != "" {
		t.Errorf("zero InvocationHint %+v", h)
	}
	var stage signal.RunStage
	ran := false
	var c signal.Signal0
	c.SetClassHandler(func() { ran = true }, stage)
	c.Emit()
	if ran {
		t.Error("a class handler with zero RunStage ran")
	}
	var zeroID signal.HandlerID
	if s0.IsConnected(zeroID) {
		t.Error("HandlerID 0 connected")
	}
	var acc signal.Accumulator[int]
	r0.SetAccumulator(acc) // nil: none
	if r0.Emit() != 5 {
		t.Error("nil Accumulator changed the result")
	}
}
