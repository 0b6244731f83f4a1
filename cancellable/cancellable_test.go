package cancellable_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/leakcheck"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/signal"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// A nil *Cancellable is GLib's NULL: never cancelled, every call harmless.
func TestNil_CAN1_CAN2_CAN7(t *testing.T) {
	capt := logging.StartCapture()
	defer capt.Stop()
	var c *cancellable.Cancellable
	c.Cancel()
	c.Reset()
	if c.IsCancelled() {
		t.Fatal("nil is cancelled")
	}
	if err := c.Err(); err != nil {
		t.Fatalf("nil Err = %v", err)
	}
	if err := c.SetErrorIfCancelled(); err != nil {
		t.Fatalf("nil SetErrorIfCancelled = %v", err)
	}
	called := false
	if id := c.Connect(func() { called = true }); id != 0 || called {
		t.Fatalf("nil Connect = %d, called %v", id, called)
	}
	c.Disconnect(1)
	if fd := c.FD(); fd != -1 {
		t.Fatalf("nil FD = %d, want -1", fd)
	}
	if _, err := c.MakePollFD(); err == nil {
		t.Fatal("nil MakePollFD succeeded")
	}
	c.ReleaseFD()
	if c.Done() != nil {
		t.Fatal("nil Done is not nil")
	}
	if n := len(capt.Records()); n != 0 {
		t.Fatalf("nil calls logged %d records: %v", n, capt.Records())
	}
}

func TestCancelEmitsOncePerCancellation_CAN1(t *testing.T) {
	c := cancellable.New()
	n := 0
	c.Connect(func() { n++ })
	c.Cancel()
	c.Cancel()
	if n != 1 || !c.IsCancelled() {
		t.Fatalf("after two cancels: %d emissions, cancelled=%v", n, c.IsCancelled())
	}
	c.Reset()
	if c.IsCancelled() {
		t.Fatal("cancelled after Reset")
	}
	c.Cancel()
	if n != 2 {
		t.Fatalf("after reset+cancel: %d emissions, want 2 (CAN-3: the handler stays connected)", n)
	}
}

// Err keeps context.Context's contract (context.Canceled itself, also in
// children made with the context package); GLib's CANCELLED error comes
// from SetErrorIfCancelled, as g_cancellable_set_error_if_cancelled sets it.
func TestErr_CAN2(t *testing.T) {
	c := cancellable.New()
	child, cancel := context.WithCancel(c)
	defer cancel()
	if c.Err() != nil || c.SetErrorIfCancelled() != nil {
		t.Fatal("an error before Cancel")
	}
	c.Cancel()
	if err := c.Err(); err != context.Canceled {
		t.Fatalf("Err = %#v, want context.Canceled itself", err)
	}
	if err := child.Err(); err != context.Canceled {
		t.Fatalf("child Err = %#v, want context.Canceled itself", err)
	}
	err := c.SetErrorIfCancelled()
	var e *ioerr.Error
	if !errors.As(err, &e) || e.Code != ioerr.Cancelled || e.Message != "Operation was cancelled" {
		t.Fatalf("SetErrorIfCancelled = %#v, want CANCELLED \"Operation was cancelled\"", err)
	}
	if !errors.Is(err, ioerr.Sentinel(ioerr.Cancelled)) || !errors.Is(err, context.Canceled) {
		t.Fatalf("%v does not match the CANCELLED sentinel and context.Canceled", err)
	}
	var nilC *cancellable.Cancellable
	if nilC.SetErrorIfCancelled() != nil {
		t.Fatal("nil SetErrorIfCancelled is not nil")
	}
}

func TestConnect_CAN3(t *testing.T) {
	// Each case gets a new Cancellable.
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, c *cancellable.Cancellable)
	}{
		{"not cancelled: connected, fires on cancel", func(t *testing.T, c *cancellable.Cancellable) {
			n := 0
			id := c.Connect(func() { n++ })
			if id == 0 || n != 0 {
				t.Fatalf("Connect = %d, calls %d", id, n)
			}
			c.Cancel()
			wantCalls(t, "after Cancel", n, 1)
		}},
		{"already cancelled: runs at once, returns 0", func(t *testing.T, c *cancellable.Cancellable) {
			c.Cancel()
			n := 0
			if id := c.Connect(func() { n++ }); id != 0 || n != 1 {
				t.Fatalf("Connect = %d, calls %d; want 0, 1", id, n)
			}
			c.Cancel()
			wantCalls(t, "after a second Cancel", n, 1)
		}},
		{"handler cancels again (connect-to-disposing-callback)", func(t *testing.T, c *cancellable.Cancellable) {
			n := 0
			c.Connect(func() { n++; c.Cancel() })
			c.Cancel()
			wantCalls(t, "after Cancel", n, 1)
		}},
		{"callback of an already-cancelled connect resets (connect-cancelled-with-destroy-func-disposing-cancellable)", func(t *testing.T, c *cancellable.Cancellable) {
			c.Cancel()
			c.Connect(func() { c.Reset() })
			if c.IsCancelled() {
				t.Fatal("Reset in Connect's immediate call did not reset")
			}
		}},
		{"connect inside a handler runs at once", func(t *testing.T, c *cancellable.Cancellable) {
			inner := 0
			innerID := signal.HandlerID(99)
			c.Connect(func() { innerID = c.Connect(func() { inner++ }) })
			c.Cancel()
			if inner != 1 || innerID != 0 {
				t.Fatalf("inner calls %d, id %d; want 1, 0", inner, innerID)
			}
		}},
		{"nil function", func(t *testing.T, c *cancellable.Cancellable) {
			capt := logging.StartCapture()
			defer capt.Stop()
			if id := c.Connect(nil); id != 0 {
				t.Fatalf("Connect(nil) = %d", id)
			}
			if capt.Count("critical", "callback != NULL") != 1 {
				t.Fatalf("no critical: %v", capt.Records())
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, cancellable.New()) })
	}
}

// wantCalls checks how many times a handler ran.
func wantCalls(t *testing.T, when string, n, want int) {
	t.Helper()
	if n != want {
		t.Fatalf("%s: handler ran %d times, want %d", when, n, want)
	}
}

func TestDisconnect_CAN4(t *testing.T) {
	t.Run("id 0 is a no-op", func(t *testing.T) {
		c := cancellable.New()
		n := 0
		c.Connect(func() { n++ })
		c.Disconnect(0)
		c.Cancel()
		if n != 1 {
			t.Fatal("Disconnect(0) removed a handler")
		}
	})
	t.Run("never called after disconnect", func(t *testing.T) {
		c := cancellable.New()
		n := 0
		id := c.Connect(func() { n++ })
		c.Disconnect(id)
		c.Cancel()
		if n != 0 {
			t.Fatal("disconnected handler ran")
		}
	})
	t.Run("waits for an emission on another goroutine", func(t *testing.T) {
		c := cancellable.New()
		entered := make(chan struct{})
		release := make(chan struct{})
		var handlerDone atomic.Bool
		c.Connect(func() {
			close(entered)
			<-release
			handlerDone.Store(true)
		})
		id := c.Connect(func() {})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); c.Cancel() }()
		recv(t, entered, "the handler")
		disconnected := make(chan bool)
		go func() { c.Disconnect(id); disconnected <- handlerDone.Load() }()
		select {
		case <-disconnected:
			t.Fatal("Disconnect returned while the emission was running")
		case <-time.After(50 * time.Millisecond):
		}
		close(release)
		if !recv(t, disconnected, "Disconnect") {
			t.Fatal("Disconnect returned before the handler finished")
		}
		waitGroup(t, &wg, "Cancel")
	})
}

// GLib deadlocks here (/cancellable/disconnect-on-cancelled-callback-hangs);
// the port detects it, logs a critical and disconnects without waiting.
func TestDisconnectInsideHandler_CAN4_CAN5(t *testing.T) {
	capt := logging.StartCapture()
	defer capt.Stop()
	c := cancellable.New()
	var second signal.HandlerID
	n2 := 0
	c.Connect(func() { c.Disconnect(second) })
	second = c.Connect(func() { n2++ })
	finishesWithin(t, 10*time.Second, "Disconnect inside a handler hung", c.Cancel)
	if n2 != 0 {
		t.Fatal("the handler disconnected before it was reached still ran")
	}
	if capt.Count("critical", "g_cancellable_disconnect") != 1 {
		t.Fatalf("want one critical, got %v", capt.Records())
	}
	c.Reset()
	c.Cancel()
	if n2 != 0 {
		t.Fatal("disconnected handler ran on a later cancel")
	}
}

// GLib deadlocks here (/cancellable/resets-on-cancel-callback-hangs); the
// port logs a critical and leaves the cancellable cancelled.
func TestResetInsideHandler_CAN5(t *testing.T) {
	capt := logging.StartCapture()
	defer capt.Stop()
	c := cancellable.New()
	c.Connect(func() { c.Reset() })
	finishesWithin(t, 10*time.Second, "Reset inside a handler hung", c.Cancel)
	if !c.IsCancelled() {
		t.Fatal("Reset inside the handler reset the cancellable")
	}
	if capt.Count("critical", "g_cancellable_reset") != 1 {
		t.Fatalf("want one critical, got %v", capt.Records())
	}
}

func TestResetWaitsForEmission_CAN6(t *testing.T) {
	c := cancellable.New()
	entered := make(chan struct{})
	release := make(chan struct{})
	c.Connect(func() { close(entered); <-release })
	go c.Cancel()
	recv(t, entered, "the handler")
	reset := make(chan struct{})
	go func() { c.Reset(); close(reset) }()
	select {
	case <-reset:
		t.Fatal("Reset returned while a handler was running")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	recv(t, reset, "Reset")
	if c.IsCancelled() {
		t.Fatal("still cancelled after Reset")
	}
}

func TestHandlerPanicLeavesCancellableUsable(t *testing.T) {
	c := cancellable.New()
	id := c.Connect(func() { panic("boom") })
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the handler's panic did not reach the caller of Cancel")
			}
		}()
		c.Cancel()
	}()
	finishesWithin(t, 10*time.Second, "Reset after a panicking handler hung", func() { c.Reset(); c.Disconnect(id) })
}

// CAN-5: inside a handler, every call but Disconnect and Reset (tested
// above) works, including those that deadlock in GLib (connect,
// make_pollfd, release_fd).
func TestCallsInsideHandler_CAN5(t *testing.T) {
	capt := logging.StartCapture()
	defer capt.Stop()
	c := cancellable.New()
	var readableInside bool
	var afterRan atomic.Bool
	c.Connect(func() {
		if !c.IsCancelled() || c.Err() == nil {
			t.Error("not cancelled inside the handler")
		}
		fd, err := c.MakePollFD()
		if err != nil {
			t.Error(err)
			return
		}
		readableInside = readable(t, fd, 0)
		c.ReleaseFD()
		c.Cancel()
		c.Connect(func() {})
		<-c.Done()
		stop := c.AfterFunc(func() { afterRan.Store(true) })
		_ = stop
	})
	withTimeout(t, 10*time.Second, c.Cancel)
	if !readableInside {
		t.Fatal("fd made inside the handler is not readable")
	}
	deadline := time.Now().Add(10 * time.Second)
	for !afterRan.Load() {
		if time.Now().After(deadline) {
			t.Fatal("AfterFunc inside the handler never ran")
		}
		time.Sleep(time.Millisecond)
	}
	if n := len(capt.Records()); n != 0 {
		t.Fatalf("criticals: %v", capt.Records())
	}
}
