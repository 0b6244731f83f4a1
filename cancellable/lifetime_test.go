package cancellable_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/leakcheck"
)

// The GLib cases below check a handler's user data with its destroy notify
// and the cancellable with a weak pointer; in Go the handler's closure is
// the user data, and a cleanup (leakcheck.Watch) on what it captures, or on
// the Cancellable, tells when it is released.

// data is what a handler captures; big enough not to be a tiny allocation.
type data struct{ _ [64]byte }

// holding returns a handler that holds p (a parameter: the caller's own
// variable can then be cleared).
func holding(p *data, also func()) func() {
	return func() {
		runtime.KeepAlive(p)
		if also != nil {
			also()
		}
	}
}

// /cancellable/connect-data-is-destroyed-on-disconnect-and-dispose (CAN-4):
// Disconnect releases the handler (and what it holds) at once, while the
// cancellable lives; a handler still connected is released with the
// cancellable.
func TestConnectDataReleasedOnDisconnectAndCollect_CAN4(t *testing.T) {
	c := cancellable.New()
	d := &data{}
	w := leakcheck.Watch(d)
	id := c.Connect(holding(d, nil))
	if id == 0 {
		t.Fatal("Connect on a cancellable that is not cancelled returned 0")
	}
	d = nil
	c.Disconnect(id)
	if !w.Collected() {
		t.Fatal("the handler's data outlived Disconnect")
	}
	runtime.KeepAlive(c)

	d = &data{}
	w = leakcheck.Watch(d)
	if id := c.Connect(holding(d, nil)); id == 0 {
		t.Fatal("Connect returned 0")
	}
	d = nil
	c = nil
	if !w.Collected() {
		t.Fatal("a connected handler's data outlived the cancellable")
	}
}

// /cancellable/connect-cancelled-data-is-destroyed (CAN-3): Connect on a
// cancelled cancellable runs the handler, returns 0 and keeps nothing.
func TestConnectCancelledKeepsNothing_CAN3(t *testing.T) {
	c := cancellable.New()
	c.Cancel()
	d := &data{}
	w := leakcheck.Watch(d)
	ran := false
	if id := c.Connect(holding(d, func() { ran = true })); id != 0 || !ran {
		t.Fatalf("Connect on cancelled = %d, ran %v; want 0 and ran", id, ran)
	}
	d = nil
	if !w.Collected() {
		t.Fatal("Connect kept the handler of a cancelled cancellable")
	}
	runtime.KeepAlive(c)
}

// /cancellable/connect-to-disposing-callback (#3643) and
// /cancellable/connect-cancelled-to-disposing-callback (CAN-3, CAN-5): a
// handler may Cancel again (a no-op that must not deadlock) and drop the
// last reference to the cancellable, which is then released; whether the
// handler runs inside Cancel or, on a cancelled cancellable, inside Connect.
func TestConnectToDisposingCallback_CAN3_CAN5(t *testing.T) {
	for _, already := range []bool{false, true} {
		name := map[bool]string{false: "connect-to-disposing-callback", true: "connect-cancelled-to-disposing-callback"}[already]
		t.Run(name, func(t *testing.T) {
			c := cancellable.New()
			w := leakcheck.Watch(c)
			holder := &struct{ c *cancellable.Cancellable }{c}
			calls := 0
			handler := func() {
				calls++
				holder.c.Cancel() // a no-op here, never a deadlock
				if !holder.c.IsCancelled() {
					t.Error("not cancelled inside the handler")
				}
				holder.c = nil // the last reference
			}
			if already {
				c.Cancel()
				if id := c.Connect(handler); id != 0 {
					t.Errorf("Connect on cancelled = %d, want 0", id)
				}
			} else {
				if id := c.Connect(handler); id == 0 {
					t.Fatal("Connect returned 0")
				}
				withTimeout(t, 10*time.Second, c.Cancel)
			}
			c = nil
			if calls != 1 {
				t.Fatalf("handler ran %d times, want 1", calls)
			}
			if !w.Collected() {
				t.Fatal("the cancellable was not released after its handler dropped the last reference")
			}
		})
	}
}

// /cancellable/connect-cancelled-with-destroy-func-disposing-cancellable:
// what GLib's destroy notify does after the callback of a Connect on a
// cancelled cancellable, Reset it and drop it, is done here at the end of
// the handler, which Connect runs outside any emission: no deadlock, the
// Reset takes effect, and the cancellable is released.
func TestConnectCancelledResetInHandler_CAN3_CAN6(t *testing.T) {
	c := cancellable.New()
	w := leakcheck.Watch(c)
	c.Cancel()
	holder := &struct{ c *cancellable.Cancellable }{c}
	seen := false
	id := c.Connect(func() {
		seen = holder.c.IsCancelled()
		holder.c.Reset() // not inside an emission: allowed
		if holder.c.IsCancelled() {
			t.Error("Reset inside Connect's call did not take effect")
		}
		holder.c = nil
	})
	if id != 0 || !seen {
		t.Fatalf("Connect on cancelled = %d, handler saw cancelled=%v", id, seen)
	}
	c = nil
	if !w.Collected() {
		t.Fatal("the cancellable was not released")
	}
}
