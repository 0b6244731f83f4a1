//go:build !race

package mainloop

import "testing"

// The hot paths of a running context allocate nothing once warm: an
// iteration that dispatches an fd source, re-arming an fd watch, and an
// Invoke queued from another goroutine and run by the owner. (Not built
// with -race, whose instrumentation allocates.)

// noAllocs fails t if fn allocates.
func noAllocs(t *testing.T, what string, fn func()) {
	t.Helper()
	if got := testing.AllocsPerRun(200, fn); got != 0 {
		t.Fatalf("%v allocations per %s, want 0", got, what)
	}
}

func TestFDDispatchAllocs(t *testing.T) {
	c := ownedContext(t)
	fd := newEventfd(t, 1)
	n := 0
	s := NewFDSource(fd, IOIn, func(int, IOCondition) bool { n++; return SourceContinue })
	s.Attach(c)
	defer s.Destroy()
	c.Iteration(false)
	noAllocs(t, "iteration dispatching an fd source", func() { c.Iteration(false) })
	if n < 200 {
		t.Fatalf("dispatched %d times, want every iteration", n)
	}
}

func TestFDRearmAllocs(t *testing.T) {
	c := ownedContext(t)
	fd := newEventfd(t, 1)
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
	noAllocs(t, "re-arm and dispatch", func() {
		s.ModifyUnixFD(tag, IOIn)
		c.Iteration(false)
	})
	if n < 200 {
		t.Fatalf("dispatched %d times, want once per re-arm", n)
	}
}

func TestInvokeAllocs(t *testing.T) {
	c := ownedContext(t)
	n := 0
	fn := func() { n++ }
	// Post is Invoke's queued path (the owner's own Invoke runs at once).
	c.Post(PriorityDefault, fn)
	c.Iteration(false)
	noAllocs(t, "queued call and its dispatch", func() {
		c.Post(PriorityDefault, fn)
		c.Iteration(false)
	})
	noAllocs(t, "direct Invoke", func() { c.Invoke(fn) })
	// PostData with a plain func and a pointer: what a closure over the
	// pointer would cost an allocation for.
	count := func(d any) { *d.(*int)++ }
	noAllocs(t, "PostData call and its dispatch", func() {
		c.PostData(PriorityDefault, count, &n)
		c.Iteration(false)
	})
	noAllocs(t, "PostDataNamed call and its dispatch", func() {
		c.PostDataNamed(PriorityDefault, "name", count, &n)
		c.Iteration(false)
	})
	if n < 600 {
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
	noAllocs(t, "Invoke round trip", func() {
		c.Invoke(fn)
		<-reply
	})
}

// oneShot is a SourceHandler that dispatches once and counts its calls.
type oneShot struct{ dispatched, finalized int }

func (o *oneShot) Dispatch(*Source, SourceFunc) bool { o.dispatched++; return SourceRemove }
func (o *oneShot) Finalize(*Source)                  { o.finalized++ }

// A source made per operation, as a socket read that has to wait makes:
// NewSourceHandler, one fd watch, attached, dispatched once and removed.
// It costs the Source and its watch (with the list that holds it): no
// closures, no list of sources to finalize, and with a UnixFD handle no
// epoll registration (6 before: the two method values of a SourceFuncs,
// the watch and its list apart, and the list of sources to finalize).
func TestPerOperationSourceAllocs(t *testing.T) {
	c := ownedContext(t)
	fd := newEventfd(t, 1)
	h := NewUnixFD(fd)
	defer h.Close()
	var o oneShot
	run := func() {
		s := NewSourceHandler(&o)
		s.AddUnixFDHandle(h, IOIn)
		s.Attach(c)
		c.Iteration(false)
	}
	run()
	const want = 2
	if got := testing.AllocsPerRun(200, run); got > want {
		t.Errorf("%v allocations per one-shot fd source, want at most %d", got, want)
	}
	if o.dispatched != o.finalized || o.dispatched < 200 {
		t.Errorf("dispatched %d, finalized %d: want each source dispatched and finalized once", o.dispatched, o.finalized)
	}
}
