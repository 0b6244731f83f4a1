package mainloop

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// newEventfd is a non-blocking eventfd holding val (readable if val > 0),
// closed when the test ends.
func newEventfd(t testing.TB, val uint) int {
	t.Helper()
	fd, err := unix.Eventfd(val, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

// countIterations attaches a source whose Prepare counts the iterations of c.
func countIterations(c *Context) (n *int, s *Source) {
	n = new(int)
	s = NewSource(SourceFuncs{Prepare: func(*Source) (bool, time.Duration) { *n++; return false, -1 }})
	s.Attach(c)
	return n, s
}

// TestFDWatchAgainAfterCloseAndReuse: a watch removed, its descriptor
// closed and the number reused by a new descriptor that is watched at once:
// the new descriptor is polled, not the registration kept for the old one.
func TestFDWatchAgainAfterCloseAndReuse(t *testing.T) {
	c := NewContext()
	a, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	sa := NewFDSource(a, IOIn, func(int, IOCondition) bool { return SourceContinue })
	sa.Attach(c)
	c.Iteration(false)
	sa.Destroy()
	unix.Close(a)
	b, err := unix.Eventfd(1, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(b)
	if b != a {
		t.Skipf("the descriptor number was not reused (%d, then %d)", a, b)
	}
	var got IOCondition
	sb := NewFDSource(b, IOIn, func(_ int, cond IOCondition) bool { got = cond; return SourceRemove })
	sb.Attach(c)
	within(t, waitLimit, "the reused descriptor's dispatch", func() {
		for got == 0 {
			c.Iteration(true)
		}
	})
	if got != IOIn {
		t.Fatalf("condition %v, want IN", got)
	}
}

// TestFDWatchAgainNextIteration: a descriptor watched again in the next
// iteration (what an async read that waits once more does) is reported
// again, and a descriptor nobody watches any more does not end polls.
func TestFDWatchAgainNextIteration(t *testing.T) {
	c := ownedContext(t)
	fd := newEventfd(t, 1)
	n := 0
	for range 5 {
		s := NewFDSource(fd, IOIn, func(int, IOCondition) bool { n++; return SourceRemove })
		s.Attach(c)
		c.Iteration(false)
		c.Iteration(false)
	}
	if n != 5 {
		t.Fatalf("dispatched %d times, want 5", n)
	}
	// Nobody watches the (readable) descriptor: a timeout of 50ms must
	// not be reached by spinning.
	iters, cs := countIterations(c)
	defer cs.Destroy()
	fired := false
	TimeoutAddOnceOn(c, 50*time.Millisecond, func() { fired = true })
	for !fired {
		c.Iteration(true)
	}
	if *iters > 10 {
		t.Fatalf("%d iterations waiting 50ms with an unwatched readable descriptor", *iters)
	}
}

// TestFDStaleRegistrationNoBusyLoop: a descriptor closed right after its
// watch was removed, while a copy of it stays open: epoll keeps reporting
// the old registration, which cannot be deleted any more; the context
// rebuilds its epoll set instead of waking every poll.
func TestFDStaleRegistrationNoBusyLoop(t *testing.T) {
	c := NewContext()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[1])
	dup, err := unix.FcntlInt(uintptr(p[0]), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dup)
	s := NewFDSource(p[0], IOIn, func(int, IOCondition) bool { return SourceContinue })
	s.Attach(c)
	c.Iteration(false)
	s.Destroy()
	unix.Close(p[0])
	if _, err := unix.Write(p[1], []byte("x")); err != nil {
		t.Fatal(err)
	}
	// Another descriptor watched meanwhile keeps the epoll set in use.
	idle := newEventfd(t, 0)
	is := NewFDSource(idle, IOIn, func(int, IOCondition) bool { return SourceContinue })
	is.Attach(c)
	defer is.Destroy()
	iters, cs := countIterations(c)
	defer cs.Destroy()
	fired := false
	TimeoutAddOnceOn(c, 50*time.Millisecond, func() { fired = true })
	within(t, waitLimit, "the timeout", func() {
		for !fired {
			c.Iteration(true)
		}
	})
	if *iters > 10 {
		t.Fatalf("%d iterations waiting 50ms with a stale readable registration", *iters)
	}
	// The rebuilt set still reports the live descriptor.
	unix.Write(idle, one[:])
	got := false
	s2 := NewFDSource(idle, IOIn, func(int, IOCondition) bool { got = true; return SourceRemove })
	s2.Attach(c)
	within(t, waitLimit, "the live descriptor's dispatch", func() {
		for !got {
			c.Iteration(true)
		}
	})
}

// TimeoutAddOnceOn is TimeoutAddOnce on c (test helper).
func TimeoutAddOnceOn(c *Context, d time.Duration, fn func()) {
	s := NewTimeoutSource(d)
	s.SetCallback(func() bool { fn(); return SourceRemove })
	s.Attach(c)
}
