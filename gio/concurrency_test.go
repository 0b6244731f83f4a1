package gio

import (
	"testing"
	"time"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/mainloop"
)

// Tests of the package doc's concurrency and panic guarantees that no
// other test covers.

// Guarantee 4: net.Conn calls queue among themselves, but a GLib-style
// operation in progress on the same stream makes them fail with PENDING
// (SOCK-11), and they work again once it is done.
func TestNetConnPendingAgainstGLibOp_SOCK11(t *testing.T) {
	l := newTestLoop(t)
	client, server := connPair(t, "tcp4")
	var r result
	client.InputStream().ReadAsync(make([]byte, 1), mainloop.PriorityDefault, nil, r.cb)
	_, err := client.Read(make([]byte, 1))
	wantIOErr(t, err, ioerr.Pending, "Stream has outstanding operation")
	if _, err := server.Write([]byte("ab")); err != nil {
		t.Fatal(err)
	}
	if n, err := client.InputStream().ReadFinish(r.wait(l)); n != 1 || err != nil {
		t.Fatalf("ReadFinish = %d, %v", n, err)
	}
	buf := make([]byte, 1)
	if n, err := client.Read(buf); n != 1 || err != nil || buf[0] != 'b' {
		t.Fatalf("net.Conn Read after the async read = %d %q, %v", n, buf, err)
	}
}

// panicky is a stream implementation that panics in Read.
type panicky struct{}

func (panicky) Read([]byte, *cancellable.Cancellable) (int, error) { panic("read_fn panic") }
func (panicky) Close(*cancellable.Cancellable) error               { return nil }

// Panic policy: a panic in a sync call's implementation reaches the caller,
// and the stream is left usable (not pending).
func TestStreamImplPanicLeavesNotPending_SOCK11(t *testing.T) {
	in := NewInputStream(panicky{})
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the Read panic did not reach the caller")
			}
		}()
		_, _ = in.Read(make([]byte, 1), nil)
	}()
	if in.HasPending() {
		t.Fatal("stream left pending by a panicking Read")
	}
	if err := in.Close(nil); err != nil {
		t.Fatal(err)
	}
}

// Panic policy: a panic in an async callback leaves through the context's
// dispatch; the stream was no longer pending when the callback ran.
func TestAsyncCallbackPanicPropagates_SOCK11(t *testing.T) {
	l := newTestLoop(t)
	client, server := connPair(t, "unix")
	if _, err := server.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	ran := false
	client.InputStream().ReadAsync(make([]byte, 1), mainloop.PriorityDefault, nil, func(any, asyncresult.AsyncResult) {
		ran = true
		panic("callback panic")
	})
	recovered := make(chan any, 1)
	deadline := time.Now().Add(testTimeout)
	for !ran && time.Now().Before(deadline) {
		func() {
			defer func() {
				if v := recover(); v != nil {
					recovered <- v
				}
			}()
			l.ctx.Iteration(true)
		}()
	}
	select {
	case v := <-recovered:
		if v != "callback panic" {
			t.Errorf("recovered %v", v)
		}
	default:
		t.Fatal("the callback's panic did not leave Iteration")
	}
	if client.InputStream().HasPending() {
		t.Error("stream still pending after the panicking callback")
	}
}

// Guarantee 8: notifications run with no lock held, so a handler may call
// the object's methods, including setters.
func TestNotifyHandlerMayCallMethods_SOCK9(t *testing.T) {
	s := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	done := make(chan struct{})
	s.Notify.ConnectDetailed("keepalive", func(string) {
		_ = s.Keepalive()
		s.SetTimeout(time.Second) // nested notification
		_, _ = s.Property("timeout")
	})
	go func() {
		s.SetKeepalive(true)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(testTimeout):
		t.Fatal("a notify handler calling the socket deadlocked")
	}
	if s.Timeout() != time.Second {
		t.Error("the handler's SetTimeout was lost")
	}
}
