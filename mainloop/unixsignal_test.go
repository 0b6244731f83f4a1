package mainloop

import (
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestUnixSignals: each supported signal dispatches its sources; none
// raised after creation is lost; unsupported ones are an error.
func TestUnixSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2} {
		t.Run(sig.String(), func(t *testing.T) {
			c := NewContext()
			l := New(c)
			var n atomic.Int32
			s, err := NewUnixSignalSource(sig)
			if err != nil {
				t.Fatal(err)
			}
			s.SetCallback(func() bool { n.Add(1); l.Quit(); return SourceContinue })
			s.Attach(c)
			syscall.Kill(syscall.Getpid(), sig)
			timeout := NewTimeoutSource(10 * time.Second)
			timeout.SetCallback(func() bool { l.Quit(); return SourceRemove })
			timeout.Attach(c)
			l.Run()
			timeout.Destroy()
			s.Destroy()
			if n.Load() != 1 {
				t.Fatalf("dispatched %d times", n.Load())
			}
		})
	}
	if _, err := NewUnixSignalSource(syscall.SIGKILL); err == nil {
		t.Fatal("SIGKILL accepted")
	}
}

// TestUnixSignalNoneLost: every burst of signals raised after the source
// exists leads to a dispatch after it.
func TestUnixSignalNoneLost(t *testing.T) {
	c := NewContext()
	var n atomic.Int32
	id, err := UnixSignalAdd(syscall.SIGUSR1, func() bool { return SourceContinue })
	if err != nil {
		t.Fatal(err)
	}
	defer RemoveSource(id)
	s, _ := NewUnixSignalSource(syscall.SIGUSR1)
	s.SetCallback(func() bool { n.Add(1); return SourceContinue })
	s.Attach(c)
	defer s.Destroy()
	for round := int32(1); round <= 20; round++ {
		syscall.Kill(syscall.Getpid(), syscall.SIGUSR1)
		deadline := time.Now().Add(10 * time.Second)
		for n.Load() < round {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: signal lost", round)
			}
			c.Iteration(true)
		}
		if n.Load() != round {
			t.Fatalf("round %d: %d dispatches", round, n.Load())
		}
	}
}

// TestUnixSignalDestroyedUnattached: a signal source destroyed without ever
// being attached leaves the process-wide hub, so the signal gets its
// default action back and the source is not kept alive (it used to stay
// registered forever).
func TestUnixSignalDestroyedUnattached(t *testing.T) {
	s, err := NewUnixSignalSource(syscall.SIGWINCH)
	if err != nil {
		t.Fatal(err)
	}
	h := getHub()
	count := func() int {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.sources[syscall.SIGWINCH])
	}
	if count() != 1 {
		t.Fatalf("%d sources registered after creation, want 1", count())
	}
	s.Destroy()
	if n := count(); n != 0 {
		t.Fatalf("%d sources still registered after Destroy", n)
	}
}

// TestUnixSignalIdleNotScanned: a signal source with no delivery pending
// is not among the sources an iteration looks at (it has no prepare or
// check; a delivery sets its ready time), so a server's SIGINT and SIGTERM
// sources cost its iterations nothing. A delivery makes it dispatch once,
// after which it leaves the scanned list again; one raised before the
// source is attached is dispatched once it is.
func TestUnixSignalIdleNotScanned(t *testing.T) {
	c := NewContext()
	var n atomic.Int32
	s, err := NewUnixSignalSource(syscall.SIGUSR2)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Destroy()
	s.SetCallback(func() bool { n.Add(1); return SourceContinue })
	syscall.Kill(syscall.Getpid(), syscall.SIGUSR2)
	for deadline := time.Now().Add(10 * time.Second); s.ReadyTime() != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the delivery did not make the unattached source ready")
		}
	}
	s.Attach(c) // after the hub took the delivery
	wait := func(want int32) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for n.Load() < want {
			if time.Now().After(deadline) {
				t.Fatalf("%d dispatches, want %d", n.Load(), want)
			}
			c.Iteration(true)
		}
	}
	scanned := func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return s.inActive
	}
	wait(1)
	for range 3 {
		c.Iteration(false)
	}
	if scanned() || s.ReadyTime() != -1 {
		t.Errorf("idle signal source: scanned %v, ready time %d; want false, -1", scanned(), s.ReadyTime())
	}
	syscall.Kill(syscall.Getpid(), syscall.SIGUSR2)
	wait(2)
	for range 3 {
		c.Iteration(false)
	}
	if got := n.Load(); got != 2 || scanned() {
		t.Errorf("after a second delivery: %d dispatches, scanned %v; want 2, false", got, scanned())
	}
}
