package cancellable_test

import (
	"sync"
	"testing"
	"time"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/mainloop"
)

// iterateAll runs the context without blocking until nothing is ready.
func iterateAll(ctx *mainloop.Context) {
	for ctx.Iteration(false) {
	}
}

// /cancellable-source/can-be-fired-multiple-times (#774).
func TestSourceFiresOncePerCancellation_CAN8(t *testing.T) {
	ctx := mainloop.NewContext()
	c := cancellable.New()
	s := c.NewSource()
	fired := 0
	s.SetCallback(func() bool { fired++; return mainloop.SourceContinue })
	s.Attach(ctx)
	defer s.Destroy()
	if s.Name() != "GCancellable" {
		t.Fatalf("name %q", s.Name())
	}

	iterateAll(ctx)
	if fired != 0 {
		t.Fatal("fired before Cancel")
	}
	// Cancel from inside a dispatch of the same context: still not fired
	// inside Cancel.
	idle := mainloop.NewIdleSource()
	idle.SetCallback(func() bool {
		c.Cancel()
		if fired != 0 {
			t.Error("fired inside Cancel")
		}
		return mainloop.SourceRemove
	})
	idle.Attach(ctx)
	iterateAll(ctx)
	if fired != 1 {
		t.Fatalf("fired %d times after one Cancel", fired)
	}
	c.Cancel()
	iterateAll(ctx)
	if fired != 1 {
		t.Fatal("a second Cancel without Reset fired again")
	}
	c.Reset()
	iterateAll(ctx)
	if fired != 1 {
		t.Fatal("Reset fired it")
	}
	c.Cancel()
	iterateAll(ctx)
	if fired != 2 {
		t.Fatalf("Reset and Cancel: fired %d times, want 2", fired)
	}
}

func TestSourceReadyAtOnceAndRemoval_CAN8(t *testing.T) {
	ctx := mainloop.NewContext()
	c := cancellable.New()
	c.Cancel()
	s := c.NewSource()
	fired := 0
	s.SetCallback(func() bool { fired++; return mainloop.SourceRemove })
	s.Attach(ctx)
	iterateAll(ctx)
	if fired != 1 {
		t.Fatalf("source of a cancelled cancellable fired %d times", fired)
	}
	if !s.IsDestroyed() {
		t.Fatal("SourceRemove did not remove it")
	}
	c.Reset()
	c.Cancel() // the destroyed source's handler is gone
	iterateAll(ctx)
	if fired != 1 {
		t.Fatal("destroyed source fired")
	}

	var nilC *cancellable.Cancellable
	ns := nilC.NewSource()
	ns.SetCallback(func() bool { t.Error("nil cancellable's source fired"); return false })
	ns.Attach(ctx)
	iterateAll(ctx)
	ns.Destroy()
}

// /cancellable-source/threaded-dispose (#1841): destroying the source on one
// goroutine while another cancels corrupts nothing.
func TestSourceThreadedDispose_CAN8(t *testing.T) {
	rounds := 10_000
	if testing.Short() {
		rounds = 1000
	}
	ctx := mainloop.NewContext()
	withTimeout(t, 60*time.Second, func() {
		for range rounds {
			c := cancellable.New()
			s := c.NewSource()
			s.SetCallback(func() bool { return mainloop.SourceContinue })
			s.Attach(ctx)
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); s.Destroy() }()
			go func() { defer wg.Done(); c.Cancel() }()
			wg.Wait()
		}
	})
	iterateAll(ctx)
}
