package cancellable_test

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/logging"
)

func TestContextInterface(t *testing.T) {
	c := cancellable.New()
	var ctx context.Context = c
	if _, ok := ctx.Deadline(); ok {
		t.Fatal("a Cancellable has a deadline")
	}
	if ctx.Value("k") != nil {
		t.Fatal("a Cancellable has values")
	}
	done := ctx.Done()
	select {
	case <-done:
		t.Fatal("Done closed before Cancel")
	default:
	}
	c.Cancel()
	select {
	case <-done:
	default:
		t.Fatal("Done not closed by Cancel")
	}
	if ctx.Err() != context.Canceled {
		t.Fatalf("Err = %v", ctx.Err())
	}
	capt := logging.StartCapture()
	c.Reset()
	if n := capt.Count("critical", "used as a context.Context"); n != 1 {
		t.Errorf("Reset after Done was handed out: %d criticals, want 1: %+v", n, capt.Records())
	}
	if ctx.Err() != nil {
		t.Fatal("Err after Reset")
	}
	select {
	case <-done:
	default:
		t.Fatal("a Done channel handed out before Reset reopened")
	}
	select {
	case <-ctx.Done():
		t.Fatal("Done after Reset is closed")
	default:
	}
	c.Cancel()
	recv(t, ctx.Done(), "Done after the second Cancel")
	c.Reset()
	// GLib-style reuse, with no context user since the last Reset, is quiet.
	c.Cancel()
	c.Reset()
	if n := len(capt.Stop()); n != 2 {
		t.Errorf("%d criticals, want 2 (one per Reset after Done): %+v", n, capt.Records())
	}
}

// context.WithCancel(c) links through c.AfterFunc: no goroutine, and the
// child is cancelled by the time Cancel returns.
func TestWithCancelChildNoGoroutine(t *testing.T) {
	c := cancellable.New()
	before := runtime.NumGoroutine()
	var children []context.Context
	var cancels []context.CancelFunc
	for range 100 {
		ctx, cancel := context.WithCancel(c)
		children = append(children, ctx)
		cancels = append(cancels, cancel)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("goroutines %d → %d: WithCancel on a Cancellable started goroutines", before, after)
	}
	cancels[0]() // a child cancelled on its own unlinks itself
	c.Cancel()
	for i, ctx := range children {
		if !errors.Is(ctx.Err(), context.Canceled) {
			t.Fatalf("child %d not cancelled when Cancel returned: %v", i, ctx.Err())
		}
	}
	for _, cancel := range cancels {
		cancel()
	}
	// A child made after the cancel is done at once.
	ctx, cancel := context.WithCancel(c)
	defer cancel()
	if ctx.Err() == nil {
		t.Fatal("child of a cancelled Cancellable is not done")
	}
}

func TestAfterFunc(t *testing.T) {
	t.Run("runs once in Cancel", func(t *testing.T) {
		c := cancellable.New()
		var n atomic.Int32
		stop := c.AfterFunc(func() { n.Add(1) })
		c.Cancel()
		c.Reset()
		c.Cancel()
		if n.Load() != 1 {
			t.Fatalf("f ran %d times", n.Load())
		}
		if stop() {
			t.Fatal("stop after f ran returned true")
		}
	})
	t.Run("stop before cancel", func(t *testing.T) {
		c := cancellable.New()
		ran := false
		stop := c.AfterFunc(func() { ran = true })
		if !stop() {
			t.Fatal("stop returned false")
		}
		if stop() {
			t.Fatal("second stop returned true")
		}
		c.Cancel()
		if ran {
			t.Fatal("stopped f ran")
		}
	})
	t.Run("already cancelled runs in a goroutine", func(t *testing.T) {
		c := cancellable.New()
		c.Cancel()
		ran := make(chan struct{})
		stop := c.AfterFunc(func() { close(ran) })
		recv(t, ran, "f")
		if stop() {
			t.Fatal("stop returned true after f started")
		}
	})
	t.Run("context.AfterFunc", func(t *testing.T) {
		c := cancellable.New()
		ran := make(chan struct{})
		context.AfterFunc(c, func() { close(ran) })
		c.Cancel()
		select {
		case <-ran:
		case <-time.After(10 * time.Second):
			t.Fatal("context.AfterFunc did not run")
		}
	})
	t.Run("nil", func(t *testing.T) {
		var c *cancellable.Cancellable
		if !c.AfterFunc(func() { t.Error("ran") })() {
			t.Fatal("stop on nil returned false")
		}
	})
	t.Run("nil function: a critical, not a panic in Cancel", func(t *testing.T) {
		capt := logging.StartCapture()
		defer capt.Stop()
		c := cancellable.New()
		if c.AfterFunc(nil)() {
			t.Fatal("stop of a nil function returned true")
		}
		c.Cancel()       // panicked here, far from the mistake
		c.AfterFunc(nil) // was a fatal "go of nil func value"
		if n := capt.Count("critical", "AfterFunc"); n != 2 {
			t.Fatalf("%d criticals: %v", n, capt.Records())
		}
	})
}

func TestFromContext(t *testing.T) {
	t.Run("parent cancel cancels", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		c := cancellable.FromContext(ctx)
		if c.IsCancelled() {
			t.Fatal("cancelled early")
		}
		fired := make(chan struct{})
		c.Connect(func() { close(fired) })
		cancel()
		select {
		case <-fired:
		case <-time.After(10 * time.Second):
			t.Fatal("parent cancel did not cancel the Cancellable")
		}
		if !errors.Is(c.Err(), context.Canceled) {
			t.Fatalf("Err = %v", c.Err())
		}
	})
	t.Run("already done parent: cancelled on return", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		c := cancellable.FromContext(ctx)
		// Not later, on context.AfterFunc's goroutine: code that checks
		// IsCancelled (or Connects) right away must see the cancel.
		if !c.IsCancelled() {
			t.Fatal("FromContext of a done context is not cancelled when it returns")
		}
		c2 := cancellable.New()
		if c2.Follow(ctx)() {
			t.Fatal("stop of a link to a done context returned true")
		}
		if !c2.IsCancelled() {
			t.Fatal("Follow of a done context did not cancel at once")
		}
		p := cancellable.New()
		p.Cancel()
		c3 := cancellable.New()
		if c3.Follow(p)() {
			t.Fatal("stop of a link to a cancelled Cancellable returned true")
		}
		if !c3.IsCancelled() {
			t.Fatal("Follow of a cancelled Cancellable did not cancel at once")
		}
	})
	t.Run("Cancellable parent is returned as is", func(t *testing.T) {
		p := cancellable.New()
		if cancellable.FromContext(p) != p {
			t.Fatal("FromContext(*Cancellable) made a new one")
		}
	})
	t.Run("Cancellable inside a context chain, no goroutine", func(t *testing.T) {
		p := cancellable.New()
		before := runtime.NumGoroutine()
		ctx, cancel := context.WithCancel(p)
		defer cancel()
		c := cancellable.FromContext(ctx)
		if runtime.NumGoroutine() > before {
			t.Fatal("FromContext started a goroutine")
		}
		p.Cancel()
		// context.AfterFunc calls its function on a new goroutine once the
		// parent is done.
		select {
		case <-c.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("child not cancelled by the parent's Cancel")
		}
	})
	t.Run("never-done parent", func(t *testing.T) {
		c := cancellable.FromContext(context.Background())
		if c.IsCancelled() {
			t.Fatal("cancelled")
		}
		c2 := cancellable.FromContext(nil) //nolint:staticcheck // nil is accepted
		if c2 == nil || c2.IsCancelled() {
			t.Fatal("FromContext(nil)")
		}
	})
	t.Run("Follow a Cancellable: synchronous, once", func(t *testing.T) {
		p := cancellable.New()
		c := cancellable.New()
		c.Follow(p)
		p.Cancel()
		if !c.IsCancelled() {
			t.Fatal("c not cancelled inside the parent's Cancel")
		}
		p.Reset()
		c.Reset()
		p.Cancel() // AfterFunc semantics: followed once
		if c.IsCancelled() {
			t.Fatal("Follow fired twice")
		}
		var nilP *cancellable.Cancellable
		if c.Follow(nilP)() {
			t.Fatal("stop of a nil parent link returned true")
		}
	})
	t.Run("Follow stop unlinks", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		c := cancellable.New()
		stop := c.Follow(ctx)
		if !stop() {
			t.Fatal("stop returned false")
		}
		cancel()
		time.Sleep(10 * time.Millisecond)
		if c.IsCancelled() {
			t.Fatal("unlinked Cancellable was cancelled")
		}
	})
}
