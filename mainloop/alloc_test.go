//go:build !race

package mainloop

import (
	"testing"

	"golang.org/x/sys/unix"
)

// The hot paths of a running context allocate nothing once warm: an
// iteration that dispatches an fd source, re-arming an fd watch, and an
// Invoke queued from another goroutine and run by the owner. (Not built
// with -race, whose instrumentation allocates.)

// readyEventfd is an eventfd that stays readable (nobody reads it).
func readyEventfd(t testing.TB) int {
	t.Helper()
	fd, err := unix.Eventfd(1, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

func TestFDDispatchAllocs(t *testing.T) {
	c := NewContext()
	c.Acquire()
	defer c.Release()
	fd := readyEventfd(t)
	n := 0
	s := NewFDSource(fd, IOIn, func(int, IOCondition) bool { n++; return SourceContinue })
	s.Attach(c)
	defer s.Destroy()
	c.Iteration(false)
	if got := testing.AllocsPerRun(200, func() { c.Iteration(false) }); got != 0 {
		t.Fatalf("%v allocations per iteration dispatching an fd source, want 0", got)
	}
	if n < 200 {
		t.Fatalf("dispatched %d times, want every iteration", n)
	}
}

func TestFDRearmAllocs(t *testing.T) {
	c := NewContext()
	c.Acquire()
	defer c.Release()
	fd := readyEventfd(t)
	var tag FDTag
	var s *Source
	n := 0
	s = NewSource(SourceFuncs{Dispatch: func(*Source, SourceFunc) bool {
		n++
		s.ModifyUnixFD(tag, 0) // disarm until re-armed below
		return SourceContinue
	}})
	tag = s.AddUnixFD(fd, IOIn)
	s.Attach(c)
	defer s.Destroy()
	c.Iteration(false)
	if got := testing.AllocsPerRun(200, func() {
		s.ModifyUnixFD(tag, IOIn)
		c.Iteration(false)
	}); got != 0 {
		t.Fatalf("%v allocations per re-arm and dispatch, want 0", got)
	}
	if n < 200 {
		t.Fatalf("dispatched %d times, want once per re-arm", n)
	}
}

func TestInvokeAllocs(t *testing.T) {
	c := NewContext()
	c.Acquire()
	defer c.Release()
	n := 0
	fn := func() { n++ }
	// Post is Invoke's queued path (the owner's own Invoke runs at once).
	c.Post(PriorityDefault, fn)
	c.Iteration(false)
	if got := testing.AllocsPerRun(200, func() {
		c.Post(PriorityDefault, fn)
		c.Iteration(false)
	}); got != 0 {
		t.Fatalf("%v allocations per queued call and its dispatch, want 0", got)
	}
	if got := testing.AllocsPerRun(200, func() { c.Invoke(fn) }); got != 0 {
		t.Fatalf("%v allocations per direct Invoke, want 0", got)
	}
	if n < 400 {
		t.Fatalf("ran %d calls", n)
	}
}

// TestInvokeFromOtherGoroutineAllocs: the queued round trip to a loop
// running on another goroutine, waking it from its park each time.
func TestInvokeFromOtherGoroutineAllocs(t *testing.T) {
	c := NewContext()
	l := New(c)
	done := make(chan struct{})
	go func() { l.Run(); close(done) }()
	defer func() { l.Quit(); <-done }()
	reply := make(chan struct{}, 1)
	fn := func() { reply <- struct{}{} }
	for range 10 {
		c.Invoke(fn)
		<-reply
	}
	if got := testing.AllocsPerRun(200, func() {
		c.Invoke(fn)
		<-reply
	}); got != 0 {
		t.Fatalf("%v allocations per Invoke round trip, want 0", got)
	}
}
