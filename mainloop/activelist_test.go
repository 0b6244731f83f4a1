package mainloop

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// TestDispatchOrderFDAndPreparedSources_ML2: ready sources of one priority
// are dispatched in list order whether the poll reported them (fd sources,
// which prepare and check do not visit) or prepare found them ready; a
// source moved to another priority goes to the end of that list, and a
// child goes before its parent.
func TestDispatchOrderFDAndPreparedSources_ML2(t *testing.T) {
	c := ownedContext(t)
	fd := newEventfd(t, 1)
	var got []string
	fdSrc := func(name string) *Source {
		return NewFDSource(fd, IOIn, func(int, IOCondition) bool { got = append(got, name); return SourceContinue })
	}
	prepSrc := func(name string) *Source {
		s := NewSource(SourceFuncs{
			Prepare:  func(*Source) (bool, time.Duration) { return true, 0 },
			Dispatch: func(*Source, SourceFunc) bool { got = append(got, name); return SourceContinue },
		})
		return s
	}
	a, b, x, d := fdSrc("a"), prepSrc("b"), fdSrc("x"), fdSrc("d")
	for _, s := range []*Source{a, b, x, d} {
		s.Attach(c)
		defer s.Destroy()
	}
	parent := fdSrc("parent")
	child := prepSrc("child")
	parent.AddChildSource(child)
	parent.Attach(c)
	defer parent.Destroy()
	c.Iteration(false)
	want := []string{"a", "b", "x", "d", "child", "parent"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("dispatch order (-want +got):\n%s", diff)
	}
	// x moves to the end; a goes to a numerically higher priority and
	// is no longer dispatched while the others are ready.
	x.SetPriority(PriorityDefault + 1)
	x.SetPriority(PriorityDefault)
	a.SetPriority(PriorityLow)
	got = nil
	c.Iteration(false)
	want = []string{"b", "d", "child", "parent", "x"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("dispatch order after SetPriority (-want +got):\n%s", diff)
	}
}

// TestFDSourceWithReadyTime_ML13: an fd source that also gets a ready time
// is dispatched by it, and by its fd again once the ready time is unset.
func TestFDSourceWithReadyTime_ML13(t *testing.T) {
	c := ownedContext(t)
	fd := newEventfd(t, 0)
	var conds []IOCondition
	s := NewFDSource(fd, IOIn, func(_ int, cond IOCondition) bool { conds = append(conds, cond); return SourceContinue })
	s.Attach(c)
	defer s.Destroy()
	if c.Iteration(false) {
		t.Fatal("dispatched with nothing ready")
	}
	s.SetReadyTime(0)
	c.Iteration(false)
	s.SetReadyTime(-1)
	if c.Iteration(false) {
		t.Fatal("dispatched after the ready time was unset, with the fd idle")
	}
	unix.Write(fd, one[:])
	c.Iteration(false)
	if diff := cmp.Diff([]IOCondition{0, IOIn}, conds); diff != "" {
		t.Fatalf("conditions (-want +got):\n%s", diff)
	}
}

// TestNestedIterationDispatchesReadyFDSource_ML9: an fd source made ready
// by the outer iteration but not dispatched yet keeps its ready flag, so a
// nested iteration started by an earlier callback dispatches it, even though
// its descriptor was drained meanwhile (GLib's pending dispatches). Outside
// the active list, only the poll could have found it.
func TestNestedIterationDispatchesReadyFDSource_ML9(t *testing.T) {
	c := ownedContext(t)
	fa, fb := newEventfd(t, 1), newEventfd(t, 1)
	var got []string
	var buf [8]byte
	a := NewFDSource(fa, IOIn, func(int, IOCondition) bool {
		got = append(got, "a")
		unix.Read(fa, buf[:])
		unix.Read(fb, buf[:]) // b's descriptor is no longer readable
		c.Iteration(false)
		got = append(got, "a done")
		return SourceRemove
	})
	b := NewFDSource(fb, IOIn, func(int, IOCondition) bool { got = append(got, "b"); return SourceRemove })
	a.Attach(c)
	b.Attach(c)
	defer b.Destroy()
	c.Iteration(false)
	c.Iteration(false)
	if diff := cmp.Diff([]string{"a", "b", "a done"}, got); diff != "" {
		t.Fatalf("dispatches (-want +got):\n%s", diff)
	}
}
