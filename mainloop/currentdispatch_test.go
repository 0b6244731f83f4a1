package mainloop

import (
	"slices"
	"testing"
)

// CurrentDispatch answers as ThreadDefault, CurrentSource().MainContext()
// and CurrentSource().Time() do, in each place a task can be made or
// returned: outside any dispatch, with a pushed thread-default, inside a
// dispatch, and inside a dispatch of another context nested in it.
func TestCurrentDispatch(t *testing.T) {
	check := func(t *testing.T, where string) {
		t.Helper()
		def, src, at := CurrentDispatch()
		if def == nil {
			def = Default() // g_main_context_get_thread_default's NULL
		}
		if want := ThreadDefault(); def != want {
			t.Errorf("%s: def %p, ThreadDefault %p", where, def, want)
		}
		cur := CurrentSource()
		var wantSrc *Context
		var wantAt int64
		if cur != nil {
			wantSrc, wantAt = cur.MainContext(), cur.Time()
		}
		if src != wantSrc || at != wantAt {
			t.Errorf("%s: (%p, %d), CurrentSource gives (%p, %d)", where, src, at, wantSrc, wantAt)
		}
		if cur != nil && at == 0 {
			t.Errorf("%s: a dispatching source with time 0", where)
		}
	}
	check(t, "outside")
	if def, _, _ := CurrentDispatch(); def != nil {
		t.Errorf("outside: def %p, want nil (the global default)", def)
	}

	c := NewContext()
	if err := c.PushThreadDefault(); err != nil {
		t.Fatal(err)
	}
	check(t, "pushed")
	if def, src, _ := CurrentDispatch(); def != c || src != nil {
		t.Errorf("pushed: (%p, %p), want (%p, nil)", def, src, c)
	}
	c.PopThreadDefault()

	inner := NewContext()
	ran := 0
	c.Post(PriorityDefault, func() {
		check(t, "dispatch")
		if def, src, _ := CurrentDispatch(); def != c || src != c {
			t.Errorf("dispatch: (%p, %p), want both %p", def, src, c)
		}
		inner.Post(PriorityDefault, func() {
			check(t, "nested dispatch")
			if def, src, _ := CurrentDispatch(); def != inner || src != inner {
				t.Errorf("nested: (%p, %p), want both %p", def, src, inner)
			}
			ran++
		})
		inner.Iteration(false)
		ran++
	})
	c.Iteration(false)
	if ran != 2 {
		t.Fatalf("%d of the 2 calls ran", ran)
	}
	check(t, "after")
}

// The queue's calls that were due when check ran are the ones its dispatch
// runs, also when a call was queued between the check and the dispatch:
// here by an idle of the same priority, which one iteration dispatches
// before the queue. That call waits for the next iteration; the calls
// before it run in order.
func TestPostBetweenCheckAndDispatch_ML4(t *testing.T) {
	c := ownedContext(t)
	var got []string
	c.Post(PriorityDefault, func() { got = append(got, "a") })
	c.Post(PriorityDefault, func() { got = append(got, "b") })
	s := NewIdleSource()
	s.SetPriority(PriorityDefault)
	s.SetCallback(func() bool {
		got = append(got, "idle")
		c.Post(PriorityDefault, func() { got = append(got, "late") })
		return SourceRemove
	})
	s.Attach(c)
	c.Iteration(false)
	if want := []string{"idle", "a", "b"}; !slices.Equal(got, want) {
		t.Fatalf("first iteration ran %v, want %v", got, want)
	}
	c.Iteration(false)
	if want := []string{"idle", "a", "b", "late"}; !slices.Equal(got, want) {
		t.Fatalf("ran %v, want %v", got, want)
	}
}
