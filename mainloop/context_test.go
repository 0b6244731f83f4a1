package mainloop

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/testwait"
)

func drain(c *Context) int {
	n := 0
	for c.Iteration(false) {
		n++
	}
	return n
}

// TestSourceDefaults_ML1 is /maincontext/basic's defaults part.
func TestSourceDefaults_ML1(t *testing.T) {
	cases := []struct {
		name string
		src  *Source
		prio int
	}{
		{"custom", NewSource(SourceFuncs{}), PriorityDefault},
		{"idle", NewIdleSource(), PriorityDefaultIdle},
		{"timeout", NewTimeoutSource(time.Second), PriorityDefault},
		{"timeout-seconds", NewTimeoutSecondsSource(1), PriorityDefault},
		{"fd", NewFDSource(0, IOIn, nil), PriorityDefault},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.src.Priority(); got != tc.prio {
				t.Errorf("priority = %d, want %d", got, tc.prio)
			}
			if tc.src.CanRecurse() {
				t.Error("new source can recurse")
			}
			if tc.src.ID() != 0 || tc.src.MainContext() != nil || tc.src.IsDestroyed() {
				t.Error("new source looks attached or destroyed")
			}
			tc.src.Destroy()
		})
	}
	if PriorityHigh != -100 || PriorityDefault != 0 || PriorityHighIdle != 100 || PriorityDefaultIdle != 200 || PriorityLow != 300 {
		t.Error("priority constants differ from GLib")
	}
}

// TestBasic_ML7 is /maincontext/basic: find by id, destroy, get_context
// after destroy, no re-attach.
func TestBasic_ML7(t *testing.T) {
	c := NewContext()
	if c.Pending() || c.Iteration(false) {
		t.Fatal("fresh context pending (ML-3)")
	}
	s := NewSource(SourceFuncs{})
	s.SetName("name")
	id := s.Attach(c)
	if id == 0 || s.ID() != id || s.MainContext() != c || s.Name() != "name" {
		t.Fatalf("attach: id=%d ctx ok=%v", id, s.MainContext() == c)
	}
	if c.FindSourceByID(id) != s {
		t.Fatal("FindSourceByID")
	}
	finalized := 0
	s2 := NewSource(SourceFuncs{Finalize: func(*Source) { finalized++ }})
	s2.Attach(c)
	s2.Destroy()
	s2.Destroy()
	if finalized != 1 {
		t.Fatalf("finalized %d times", finalized)
	}
	s.Destroy()
	if !s.IsDestroyed() || c.FindSourceByID(id) != nil || s.MainContext() != c {
		t.Fatal("destroy")
	}
	cap := logging.StartCapture()
	if s.Attach(c) != 0 {
		t.Fatal("re-attached a destroyed source")
	}
	if cap.Stop(); cap.Count("critical", "g_source_attach") != 1 {
		t.Fatal("no critical for attaching a destroyed source")
	}
}

// TestPriorities_ML2 is /mainloop/priorities.
func TestPriorities_ML2(t *testing.T) {
	c := NewContext()
	var a, b int
	sa := NewIdleSource()
	sa.SetPriority(1)
	sa.SetCallback(func() bool { a++; return SourceContinue })
	sa.Attach(c)
	sb := NewIdleSource()
	sb.SetPriority(0)
	sb.SetCallback(func() bool { b++; return SourceContinue })
	sb.Attach(c)
	for i, want := range [][2]int{{0, 1}, {0, 2}} {
		if !c.Iteration(false) {
			t.Fatal("nothing dispatched")
		}
		if a != want[0] || b != want[1] {
			t.Fatalf("iteration %d: a=%d b=%d, want %v", i, a, b, want)
		}
	}
	sb.Destroy()
	c.Iteration(false)
	if a != 1 || b != 2 {
		t.Fatalf("after destroying b: a=%d b=%d", a, b)
	}
	sa.Destroy()
}

// TestDispatchOrder_ML2: in one iteration all ready sources of the best
// priority run, in attach order, and nothing else.
func TestDispatchOrder_ML2(t *testing.T) {
	c := NewContext()
	var got []string
	add := func(name string, prio int) {
		s := NewIdleSource()
		s.SetPriority(prio)
		s.SetCallback(func() bool { got = append(got, name); return SourceRemove })
		s.Attach(c)
	}
	add("low", PriorityLow)
	add("d1", PriorityDefault)
	add("hi", PriorityHigh)
	add("d2", PriorityDefault)
	add("idle", PriorityDefaultIdle)
	var it [][]string
	for c.Iteration(false) {
		it = append(it, got)
		got = nil
	}
	want := [][]string{{"hi"}, {"d1", "d2"}, {"idle"}, {"low"}}
	if d := cmp.Diff(want, it); d != "" {
		t.Fatal(d)
	}
}

// TestIterationReturn_ML3: Iteration reports whether it dispatched, Pending
// does not dispatch, a blocking iteration returns after a wakeup.
func TestIterationReturn_ML3(t *testing.T) {
	c := NewContext()
	ran := 0
	s := NewIdleSource()
	s.SetCallback(func() bool { ran++; return SourceRemove })
	s.Attach(c)
	if !c.Pending() || ran != 0 {
		t.Fatal("Pending should see the idle without dispatching it")
	}
	if !c.Pending() {
		t.Fatal("second Pending")
	}
	if !c.Iteration(false) || ran != 1 {
		t.Fatal("Iteration did not dispatch")
	}
	if c.Iteration(false) || c.Pending() {
		t.Fatal("empty context dispatched")
	}
	c.Wakeup()
	if c.Iteration(true) {
		t.Fatal("a woken blocking iteration dispatched nothing and must say so")
	}
}

// TestDispatchListFixed_ML4: sources attached or made ready during dispatch
// wait for the next iteration; one destroyed by an earlier callback is
// skipped.
func TestDispatchListFixed_ML4(t *testing.T) {
	c := NewContext()
	var got []string
	var b *Source
	a := NewIdleSource()
	a.SetCallback(func() bool {
		got = append(got, "a")
		b.Destroy()
		n := NewIdleSource()
		n.SetCallback(func() bool { got = append(got, "new"); return SourceRemove })
		n.Attach(c)
		return SourceRemove
	})
	b = NewIdleSource()
	b.SetCallback(func() bool { got = append(got, "b"); return SourceRemove })
	a.Attach(c)
	b.Attach(c)
	c.Iteration(false)
	if d := cmp.Diff([]string{"a"}, got); d != "" {
		t.Fatal(d)
	}
	c.Iteration(false)
	if d := cmp.Diff([]string{"a", "new"}, got); d != "" {
		t.Fatal(d)
	}
}

// TestOnce_ML5 is /maincontext/idle-once and /maincontext/timeout-once, plus
// SourceRemove/SourceContinue.
func TestOnce_ML5(t *testing.T) {
	var n atomic.Int32
	ids := []SourceID{
		IdleAddOnce(func() { n.Add(1) }),
		TimeoutAddOnce(0, func() { n.Add(1) }),
	}
	cont := 0
	idc := IdleAdd(func() bool { cont++; return cont < 3 })
	for i := 0; i < 10; i++ {
		Default().Iteration(false)
	}
	if n.Load() != 2 || cont != 3 {
		t.Fatalf("once ran %d times, continue ran %d", n.Load(), cont)
	}
	for _, id := range append(ids, idc) {
		if Default().FindSourceByID(id) != nil {
			t.Errorf("source %d still alive", id)
		}
	}
}

// TestOverflow_ML6 is /mainloop/overflow.
func TestOverflow_ML6(t *testing.T) {
	c := NewContext()
	c.nextID = math.MaxUint32 - 1
	l := New(c)
	outstanding := 0
	add := func() *Source {
		s := NewIdleSource()
		s.SetCallback(func() bool {
			outstanding--
			cur := CurrentSource()
			id := cur.ID()
			if cur.MainContext().FindSourceByID(id) == nil {
				t.Error("current source not found by id")
			}
			cur.Destroy()
			if cur.MainContext().FindSourceByID(id) != nil {
				t.Error("destroyed source found by id")
			}
			if outstanding == 0 {
				l.Quit()
			}
			return SourceRemove
		})
		s.Attach(c)
		outstanding++
		return s
	}
	if id := add().ID(); id != math.MaxUint32-1 {
		t.Fatalf("id %d", id)
	}
	if id := add().ID(); id != math.MaxUint32 {
		t.Fatalf("id %d", id)
	}
	seen := map[SourceID]bool{}
	for i := 0; i < 51; i++ {
		id := add().ID()
		if id == 0 || id == math.MaxUint32 || id == math.MaxUint32-1 || seen[id] {
			t.Fatalf("bad or duplicate id %d", id)
		}
		seen[id] = true
	}
	l.Run()
	if outstanding != 0 {
		t.Fatal(outstanding)
	}
}

// TestIDsSkipLive_ML6: after wrapping, ids still in use are skipped.
func TestIDsSkipLive_ML6(t *testing.T) {
	c := NewContext()
	a := NewSource(SourceFuncs{})
	a.Attach(c) // id 1
	c.nextID = math.MaxUint32
	b := NewSource(SourceFuncs{})
	if id := b.Attach(c); id != math.MaxUint32 {
		t.Fatal(id)
	}
	d := NewSource(SourceFuncs{})
	if id := d.Attach(c); id != 2 {
		t.Fatalf("got %d, want 2 (0 and live 1 skipped)", id)
	}
}

// TestRemoveInvalid_ML6 is /mainloop/remove-invalid.
func TestRemoveInvalid_ML6(t *testing.T) {
	cap := logging.StartCapture()
	if RemoveSource(3000000000) {
		t.Fatal("removed an unknown id")
	}
	recs := cap.Stop()
	if cap.Count("critical", "Source ID 3000000000 was not found when attempting to remove it") != 1 {
		t.Fatalf("records: %v", recs)
	}
}

// TestRemoveByID_ML6: RemoveSource destroys the source; the package-level
// one targets the global default.
func TestRemoveByID_ML6(t *testing.T) {
	id := TimeoutAdd(time.Hour, func() bool { return SourceContinue })
	s := Default().FindSourceByID(id)
	if s == nil || !RemoveSource(id) || !s.IsDestroyed() {
		t.Fatal("RemoveSource")
	}
	c := NewContext()
	s2 := NewIdleSource()
	id2 := s2.Attach(c)
	if !c.RemoveSource(id2) || !s2.IsDestroyed() {
		t.Fatal("Context.RemoveSource")
	}
}

// TestDestroyChildrenAndCallback_ML7: destroy drops the callback, destroys
// children, finalizes once no dispatch runs.
func TestDestroyChildrenAndCallback_ML7(t *testing.T) {
	c := NewContext()
	var order []string
	parent := NewSource(SourceFuncs{Finalize: func(*Source) { order = append(order, "parent-final") }})
	child := NewSource(SourceFuncs{Finalize: func(*Source) { order = append(order, "child-final") }})
	parent.AddChildSource(child)
	parent.SetCallback(func() bool {
		parent.Destroy()
		order = append(order, "destroyed-in-callback")
		return SourceContinue
	})
	parent.SetReadyTime(0)
	parent.Attach(c)
	if child.MainContext() != c {
		t.Fatal("child not attached with parent")
	}
	c.Iteration(false)
	want := []string{"child-final", "destroyed-in-callback", "parent-final"}
	if d := cmp.Diff(want, order); d != "" {
		t.Fatal(d)
	}
	if !child.IsDestroyed() {
		t.Fatal("child survived")
	}
}

// TestBlockedDuringDispatch_ML8: a nested loop does not re-enter the
// dispatching source unless it can recurse.
func TestBlockedDuringDispatch_ML8(t *testing.T) {
	for _, recurse := range []bool{false, true} {
		t.Run(fmt.Sprint("recurse=", recurse), func(t *testing.T) {
			c := NewContext()
			depth, maxDepth := 0, 0
			s := NewIdleSource()
			s.SetCanRecurse(recurse)
			s.SetCallback(func() bool {
				depth++
				if depth > maxDepth {
					maxDepth = depth
				}
				if depth < 3 {
					c.Iteration(false)
				}
				depth--
				return SourceContinue
			})
			s.Attach(c)
			c.Iteration(false)
			s.Destroy()
			want := 1
			if recurse {
				want = 3
			}
			if maxDepth != want {
				t.Fatalf("max depth %d, want %d", maxDepth, want)
			}
		})
	}
}

// TestNestedLoops_ML9: Depth, nested Run from a callback, quitting the
// outer loop only takes effect once the inner one returns.
func TestNestedLoops_ML9(t *testing.T) {
	c := NewContext()
	outer := New(c)
	var trace []string
	if Depth() != 0 {
		t.Fatal("depth outside dispatch")
	}
	s := NewIdleSource()
	s.SetCallback(func() bool {
		trace = append(trace, fmt.Sprint("outer-cb depth=", Depth()))
		inner := New(c)
		i2 := NewIdleSource()
		i2.SetCallback(func() bool {
			trace = append(trace, fmt.Sprint("inner-cb depth=", Depth()))
			outer.Quit()
			inner.Quit()
			return SourceRemove
		})
		i2.Attach(c)
		inner.Run()
		trace = append(trace, fmt.Sprint("inner returned, outer running=", outer.IsRunning()))
		return SourceRemove
	})
	s.Attach(c)
	outer.Run()
	want := []string{"outer-cb depth=1", "inner-cb depth=2", "inner returned, outer running=false"}
	if d := cmp.Diff(want, trace); d != "" {
		t.Fatal(d)
	}
	if Depth() != 0 {
		t.Fatal("depth after run")
	}
}

// TestRunFromPrepare_ML9 is /mainloop/recursive_loop_child_sources: Run
// from prepare or check warns and returns.
func TestRunFromPrepare_ML9(t *testing.T) {
	c := NewContext()
	l := New(c)
	cap := logging.StartCapture()
	s := NewSource(SourceFuncs{
		Prepare:  func(*Source) (bool, time.Duration) { l.Run(); return false, 0 },
		Check:    func(*Source) bool { l.Run(); return true },
		Dispatch: func(*Source, SourceFunc) bool { l.Quit(); return SourceRemove },
	})
	s.Attach(c)
	l.Run()
	cap.Stop()
	if n := cap.Count("warning", "called recursively from within a source's check() or prepare() member"); n != 2 {
		t.Fatalf("%d warnings, want 2", n)
	}
}

// TestLoopBasics_ML10 is /mainloop/basic plus quit-before-run.
func TestLoopBasics_ML10(t *testing.T) {
	l := New(nil)
	if l.IsRunning() || l.MainContext() != Default() || Depth() != 0 {
		t.Fatal("new loop")
	}
	c := NewContext()
	l = New(c)
	l.Quit() // no effect on a later Run
	ranAfterQuit := false
	s := NewTimeoutSource(20 * time.Millisecond)
	s.SetCallback(func() bool {
		if !l.IsRunning() {
			t.Error("not running inside Run")
		}
		l.Quit()
		return SourceRemove
	})
	s.Attach(c)
	// A source already picked for dispatch still runs after Quit.
	s2 := NewTimeoutSource(20 * time.Millisecond)
	s2.SetReadyTime(s.ReadyTime())
	s2.SetCallback(func() bool { ranAfterQuit = true; return SourceRemove })
	s2.Attach(c)
	l.Run()
	if !s.IsDestroyed() {
		t.Fatal("Run returned before the timeout: quit-before-run had an effect")
	}
	if !ranAfterQuit {
		t.Fatal("source picked in the same iteration did not run after Quit")
	}
	if l.IsRunning() {
		t.Fatal("running after Run")
	}
}

// TestQuitFromOtherGoroutine_ML10: Quit from another goroutine ends a Run
// blocked in its context's poll.
func TestQuitFromOtherGoroutine_ML10(t *testing.T) {
	c := NewContext()
	l := New(c)
	quit := make(chan bool, 1)
	go func() {
		deadline := time.Now().Add(waitLimit)
		for !l.IsRunning() {
			if time.Now().After(deadline) {
				quit <- false
				return
			}
			time.Sleep(time.Millisecond)
		}
		l.Quit()
		quit <- true
	}()
	within(t, waitLimit, "Run after Quit from another goroutine", l.Run)
	if !<-quit {
		t.Fatal("the loop never reported running")
	}
	if l.IsRunning() {
		t.Fatal("running after Run returned")
	}
}

// TestOwnership_ML11: recursive acquire, non-blocking iteration on a
// context owned elsewhere fails, IsOwner.
func TestOwnership_ML11(t *testing.T) {
	c := NewContext()
	if c.IsOwner() {
		t.Fatal("owner before acquire")
	}
	if !c.Acquire() || !c.Acquire() || !c.IsOwner() {
		t.Fatal("recursive acquire")
	}
	other := make(chan [3]bool)
	go func() {
		s := NewIdleSource()
		s.SetCallback(func() bool { return SourceRemove })
		s.Attach(c)
		other <- [3]bool{c.Acquire(), c.IsOwner(), c.Iteration(false)}
	}()
	if r := <-other; r != [3]bool{} {
		t.Fatalf("other goroutine: acquire,isOwner,iteration = %v", r)
	}
	c.Release()
	if !c.IsOwner() {
		t.Fatal("released too early")
	}
	c.Release()
	if c.IsOwner() {
		t.Fatal("still owner")
	}
	cap := logging.StartCapture()
	c.Release()
	if cap.Stop(); cap.Count("critical", "not acquired by the current thread") != 1 {
		t.Fatal("no critical for releasing an unowned context")
	}
	go func() { other <- [3]bool{c.Acquire(), c.IsOwner(), false}; c.Release() }()
	if r := <-other; !r[0] || !r[1] {
		t.Fatal("another goroutine could not acquire a released context")
	}
}

// TestWait_ML11 is /mainloop/wait: two goroutines run loops on one context
// and take turns.
func TestWait_ML11(t *testing.T) {
	c := NewContext()
	l1, l2 := New(c), New(c)
	var mu sync.Mutex
	var order []int
	started := make(chan struct{})
	s := NewIdleSource()
	s.SetCallback(func() bool {
		close(started)
		mu.Lock()
		order = append(order, 1)
		mu.Unlock()
		return SourceRemove
	})
	s.Attach(c)
	done1, done2 := make(chan struct{}), make(chan struct{})
	go func() { defer close(done1); l1.Run() }()
	<-started
	go func() { defer close(done2); l2.Run() }()
	// l2 waits for ownership; it cannot dispatch while l1 runs.
	time.Sleep(20 * time.Millisecond)
	c.Invoke(func() {
		mu.Lock()
		order = append(order, 2)
		mu.Unlock()
		l1.Quit()
	})
	<-done1
	// Now l2 owns c and dispatches.
	got := make(chan bool)
	c.Invoke(func() { got <- c.IsOwner(); l2.Quit() })
	if !<-got {
		t.Fatal("l2's goroutine is not the owner")
	}
	<-done2
	if d := cmp.Diff([]int{1, 2}, order); d != "" {
		t.Fatal(d)
	}
}

// TestRunWaitQuit_ML11: a Run waiting for ownership returns when its loop
// is quit.
func TestRunWaitQuit_ML11(t *testing.T) {
	c := NewContext()
	if !c.Acquire() {
		t.Fatal("acquire")
	}
	defer c.Release()
	l := New(c)
	done := make(chan struct{})
	go func() { l.Run(); close(done) }()
	for !l.IsRunning() {
		time.Sleep(time.Millisecond)
	}
	l.Quit()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run kept waiting after Quit")
	}
}

// TestWakeup_ML12 is /mainloop/wakeup: 100 rounds of wakeup then a blocking
// iteration never hang.
func TestWakeup_ML12(t *testing.T) {
	c := NewContext()
	for i := 0; i < 100; i++ {
		within(t, waitLimit, fmt.Sprintf("blocking Iteration after Wakeup (round %d)", i), func() {
			c.Wakeup()
			c.Iteration(true)
		})
	}
}

// TestWakeupFromOtherGoroutines_ML12: attaching, invoking and changing a
// ready time from another goroutine wake a blocked owner.
func TestWakeupFromOtherGoroutines_ML12(t *testing.T) {
	c := NewContext()
	custom := NewSource(SourceFuncs{Dispatch: func(s *Source, _ SourceFunc) bool {
		s.SetReadyTime(-1)
		return SourceContinue
	}})
	custom.Attach(c)
	defer custom.Destroy()
	actions := []func(){
		func() { IdleAddFullTo(c, func() bool { return SourceRemove }) },
		func() { c.Invoke(func() {}) },
		func() { custom.SetReadyTime(0) },
		func() { NewTimeoutSource(0).Attach(c) },
	}
	for i, act := range actions {
		blocked := make(chan struct{})
		done := make(chan bool)
		go func() {
			close(blocked)
			done <- c.Iteration(true)
		}()
		<-blocked
		time.Sleep(5 * time.Millisecond) // usually the owner is blocked in epoll by now
		act()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("action %d did not wake the owner", i)
		}
	}
}

// IdleAddFullTo attaches an idle to c (test helper).
func IdleAddFullTo(c *Context, fn SourceFunc) SourceID {
	s := NewIdleSource()
	s.SetCallback(fn)
	return s.Attach(c)
}

// TestReadyTime_ML13 is /mainloop/ready-time.
func TestReadyTime_ML13(t *testing.T) {
	c := NewContext()
	var dispatched atomic.Bool
	s := NewSource(SourceFuncs{Dispatch: func(s *Source, _ SourceFunc) bool {
		dispatched.Store(true)
		s.SetReadyTime(-1)
		return SourceContinue
	}})
	s.Attach(c)
	defer s.Destroy()
	if s.ReadyTime() != -1 {
		t.Fatal("default ready time")
	}
	check := func(step string, want bool) {
		t.Helper()
		drain(c)
		if dispatched.Swap(false) != want {
			t.Fatalf("%s: dispatched != %v", step, want)
		}
	}
	check("none", false)
	s.SetReadyTime(MonotonicTime() + 24*3600*1e6)
	check("tomorrow", false)
	if s.ReadyTime() == -1 {
		t.Fatal("ready time reset without dispatch")
	}
	s.SetReadyTime(-1)
	check("cleared", false)
	for _, rt := range []int64{MonotonicTime(), MonotonicTime() - 1e6, 0} {
		s.SetReadyTime(rt)
		check(fmt.Sprint("ready at ", rt), true)
		if s.ReadyTime() != -1 {
			t.Fatal("the dispatch's reset did not stick")
		}
	}
	// Cross-goroutine: a loop on another goroutine wakes for it.
	l := New(c)
	done := make(chan struct{})
	go func() { l.Run(); close(done) }()
	for round := 0; round < 3; round++ {
		s.SetReadyTime(0)
		deadline := time.Now().Add(10 * time.Second)
		for !dispatched.Load() {
			if time.Now().After(deadline) {
				t.Fatal("owner not woken by SetReadyTime")
			}
			time.Sleep(time.Millisecond)
		}
		dispatched.Store(false)
		time.Sleep(10 * time.Millisecond)
	}
	l.Quit()
	<-done
}

// TestDispatchDoesNotResetReadyTime_ML13: a source that does not clear its
// ready time fires on every iteration.
func TestDispatchDoesNotResetReadyTime_ML13(t *testing.T) {
	c := NewContext()
	n := 0
	s := NewSource(SourceFuncs{Dispatch: func(*Source, SourceFunc) bool { n++; return SourceContinue }})
	s.SetReadyTime(0)
	s.Attach(c)
	for i := 0; i < 5; i++ {
		c.Iteration(false)
	}
	s.Destroy()
	if n != 5 {
		t.Fatal(n)
	}
}

// TestVariousReadyTimes_ML13 is /mainloop/various-ready-times.
func TestVariousReadyTimes_ML13(t *testing.T) {
	c := NewContext()
	l := New(c)
	times := []int64{math.MinInt64, math.MinInt64 + 1, -2, -1, 0, 1, math.MaxInt64 - 1, math.MaxInt64}
	var srcs []*Source
	for _, rt := range times {
		s := NewSource(SourceFuncs{Dispatch: func(s *Source, _ SourceFunc) bool {
			if s.ReadyTime() == -1 || s.ReadyTime() > s.Time() {
				t.Errorf("dispatched with ready time %d at %d", s.ReadyTime(), s.Time())
			}
			s.SetReadyTime(-1)
			return SourceContinue
		}})
		s.SetReadyTime(rt)
		s.Attach(c)
		srcs = append(srcs, s)
	}
	runFor(l, 100*time.Millisecond)
	now := MonotonicTime()
	for i, s := range srcs {
		if rt := s.ReadyTime(); rt != -1 && rt <= now {
			t.Errorf("source %d (ready time %d) never fired", i, times[i])
		}
		s.Destroy()
	}
}

// TestSourceTime_ML14 is /mainloop/source_time.
func TestSourceTime_ML14(t *testing.T) {
	c := NewContext()
	l := New(c)
	var t1 int64 = -1
	var s1, s2 *Source
	s1 = NewTimeoutSource(0)
	s1.SetCallback(func() bool {
		if CurrentSource() != s1 {
			t.Error("CurrentSource")
		}
		if t1 == -1 {
			if s2.IsDestroyed() {
				t.Error("timeout2 destroyed too early")
			}
			t1 = s1.Time()
			m1 := MonotonicTime()
			time.Sleep(20 * time.Millisecond)
			if MonotonicTime() <= m1 || s1.Time() != t1 || c.IterationTime() != t1 {
				t.Error("source time changed within a callback")
			}
		} else {
			if !s2.IsDestroyed() {
				t.Error("timeout2 not destroyed")
			}
			if s1.Time() <= t1 {
				t.Error("source time did not advance across iterations")
			}
			l.Quit()
		}
		return SourceContinue
	})
	s1.Attach(c)
	s2 = NewTimeoutSource(0)
	s2.SetCallback(func() bool {
		if s2.Time() != t1 {
			t.Error("time differs between sources of one iteration")
		}
		s2.Destroy()
		if s2.Time() != t1 {
			t.Error("time changed after self-destroy")
		}
		return SourceRemove
	})
	s2.Attach(c)
	l.Run()
	s1.Destroy()
}

// TestTimeouts_ML15 is /mainloop/timeouts with generous bounds: counts of
// 100/250/330 ms timers over about 1050 ms are ordered and bounded, with no
// catch-up.
func TestTimeouts_ML15(t *testing.T) {
	if testing.Short() {
		t.Skip("1 s wall clock")
	}
	c := NewContext()
	l := New(c)
	var a, b, cc int
	add := func(d time.Duration, n *int) *Source {
		s := NewTimeoutSource(d)
		s.SetCallback(func() bool { *n++; return SourceContinue })
		s.Attach(c)
		return s
	}
	sa, sb, sc := add(100*time.Millisecond, &a), add(250*time.Millisecond, &b), add(330*time.Millisecond, &cc)
	runFor(l, 1050*time.Millisecond)
	sa.Destroy()
	sb.Destroy()
	sc.Destroy()
	// At most the ideal count (no catch-up), at least one each, ordered.
	if a > 10 || b > 4 || cc > 3 || a < 1 || b < 1 || cc < 1 || a < b || b < cc {
		t.Fatalf("a=%d b=%d c=%d", a, b, cc)
	}
}

// TestTimeoutNoCatchUp_ML15: the next expiry counts from the dispatching
// iteration, so a stalled loop does not fire a burst.
func TestTimeoutNoCatchUp_ML15(t *testing.T) {
	c := NewContext()
	n := 0
	s := NewTimeoutSource(10 * time.Millisecond)
	s.SetCallback(func() bool { n++; return SourceContinue })
	s.Attach(c)
	time.Sleep(60 * time.Millisecond)
	drain(c)
	s.Destroy()
	if n != 1 {
		t.Fatalf("fired %d times after a stall, want 1", n)
	}
}

// TestTimeoutSeconds_ML15: seconds timeouts land on the session's offset
// within a second and never more than a second late or 1/4 s early.
func TestTimeoutSeconds_ML15(t *testing.T) {
	for _, base := range []int64{0, 123456, 999999, 5_000_000, 7_249_999} {
		exp := roundToSecond(base + 1_000_000)
		if (exp-timerPerturb())%1_000_000 != 0 {
			t.Errorf("expiry %d not on the offset", exp)
		}
		if d := exp - (base + 1_000_000); d < -250_000 || d >= 1_000_000 {
			t.Errorf("base %d: expiry off by %d µs", base, d)
		}
	}
}

// counterSource is the GLib test's CounterSource: a timer counted in
// iterations rather than wall time, so it does not flake on a loaded box.
type counterState struct{ counter, last int64 }

// newCounterLoop is the set-up of the counter-source tests: a new context,
// a loop on it and a fresh counter.
func newCounterLoop() (*Context, *Loop, *counterState) {
	c := NewContext()
	return c, New(c), &counterState{}
}

// wantDispatches checks how many times the parent and its two children
// dispatched.
func wantDispatches(t *testing.T, got, want [3]int) {
	t.Helper()
	if got != want {
		t.Fatalf("dispatches of parent, child b, child c = %v, want %v", got, want)
	}
}

// countedSource is a counter source whose callback counts its dispatches
// in *n.
func countedSource(st *counterState, interval int64, n *int) *Source {
	s := newCounterSource(st, interval)
	s.SetCallback(func() bool { *n++; return SourceContinue })
	return s
}

// runToCount runs l until st's counter reaches at (a counter source that
// quits l).
func runToCount(l *Loop, st *counterState, at int64) {
	end := newCounterSource(st, at)
	end.SetCallback(func() bool { l.Quit(); return SourceRemove })
	end.Attach(l.MainContext())
	l.Run()
}

// runFor runs l for d (a timeout source that quits l).
func runFor(l *Loop, d time.Duration) {
	end := NewTimeoutSource(d)
	end.SetCallback(func() bool { l.Quit(); return SourceRemove })
	end.Attach(l.MainContext())
	l.Run()
}

func newCounterSource(st *counterState, interval int64) *Source {
	timeout := st.counter + interval
	return NewSource(SourceFuncs{
		Prepare: func(s *Source) (bool, time.Duration) {
			if now := s.Time(); now != st.last {
				st.last = now
				st.counter++
			}
			return st.counter >= timeout, time.Millisecond
		},
		Dispatch: func(s *Source, cb SourceFunc) bool {
			again := cb()
			if again {
				timeout = st.counter + interval
			}
			return again
		},
	})
}

// TestChildSources_ML16 is /mainloop/child_sources.
func TestChildSources_ML16(t *testing.T) {
	c, l, st := newCounterLoop()
	var a, b, cc int
	parent := newCounterSource(st, 2000)
	parent.SetCallback(func() bool {
		a++
		inner := New(c)
		to := newCounterSource(st, 100)
		to.SetCallback(func() bool { inner.Quit(); return SourceRemove })
		to.Attach(c)
		inner.Run()
		return SourceContinue
	})
	parent.SetPriority(PriorityLow)
	parent.Attach(c)
	childB := countedSource(st, 250, &b)
	parent.AddChildSource(childB)
	childC := countedSource(st, 330, &cc)
	cap := logging.StartCapture()
	childC.SetPriority(PriorityHigh)
	parent.AddChildSource(childC)
	for _, s := range []*Source{parent, childB, childC} {
		if s.Priority() != PriorityLow {
			t.Fatal("child priority does not follow the parent")
		}
	}
	childC.SetPriority(PriorityHigh)
	cap.Stop()
	if cap.Count("critical", "g_source_set_priority") != 1 || childC.Priority() != PriorityLow {
		t.Fatal("setting a child's priority was not refused")
	}
	parent.SetPriority(PriorityDefault)
	for _, s := range []*Source{parent, childB, childC} {
		if s.Priority() != PriorityDefault {
			t.Fatal("parent priority change did not propagate")
		}
	}
	runToCount(l, st, 1050)
	wantDispatches(t, [3]int{a, b, cc}, [3]int{6, 3, 3})
	parent.Destroy()
}

// TestRecursiveChildSources_ML16 is /mainloop/recursive_child_sources.
func TestRecursiveChildSources_ML16(t *testing.T) {
	c, l, st := newCounterLoop()
	var a, b, cc int
	parent := countedSource(st, 500, &a)
	childB := countedSource(st, 220, &b)
	parent.AddChildSource(childB)
	childC := countedSource(st, 430, &cc)
	childB.AddChildSource(childC)
	parent.Attach(c)
	runToCount(l, st, 2010)
	wantDispatches(t, [3]int{a, b, cc}, [3]int{9, 9, 4})
	parent.Destroy()
}

// TestSwappingChildSources_ML16 is /mainloop/swapping_child_sources.
func TestSwappingChildSources_ML16(t *testing.T) {
	c, l, st := newCounterLoop()
	parent := newCounterSource(st, 50)
	oldChild := newCounterSource(st, 100)
	var newChild *Source
	parent.SetCallback(func() bool {
		if oldChild != nil {
			parent.RemoveChildSource(oldChild)
			oldChild = nil
		}
		if newChild == nil {
			newChild = NewTimeoutSource(0)
			newChild.SetCallback(func() bool { l.Quit(); return SourceRemove })
			parent.AddChildSource(newChild)
		}
		return SourceContinue
	})
	parent.Attach(c)
	parent.AddChildSource(oldChild)
	oldChild.SetCallback(func() bool { t.Error("removed child dispatched"); return SourceRemove })
	l.Run()
	parent.Destroy()
}

// TestBlockedChildSources_ML16 is /mainloop/blocked_child_sources: adding a
// child from inside the parent's callback is safe.
func TestBlockedChildSources_ML16(t *testing.T) {
	c := NewContext()
	l := New(c)
	src := NewIdleSource()
	src.SetCallback(func() bool {
		self := CurrentSource()
		child := NewFDSource(0, IOIn, func(int, IOCondition) bool { return SourceContinue })
		self.AddChildSource(child)
		l.Quit()
		return SourceRemove
	})
	src.Attach(c)
	within(t, waitLimit, "Run quit by the parent's callback", l.Run)
	src.Destroy()
}

// TestChildReadyMarksParent_ML16: a ready child dispatches the parent, and
// runs its own callback too, child first.
func TestChildReadyMarksParent_ML16(t *testing.T) {
	c := NewContext()
	var got []string
	parent := NewSource(SourceFuncs{})
	parent.SetCallback(func() bool { got = append(got, "parent"); return SourceContinue })
	child := NewIdleSource()
	child.SetCallback(func() bool { got = append(got, "child"); return SourceRemove })
	parent.AddChildSource(child)
	parent.Attach(c)
	c.Iteration(false)
	if d := cmp.Diff([]string{"child", "parent"}, got); d != "" {
		t.Fatal(d)
	}
	if c.Iteration(false) {
		t.Fatal("parent dispatched without a ready child")
	}
	parent.Destroy()
}

// TestThreadDefault_ML17: push/pop, the caller's context inside dispatch,
// refusal when owned elsewhere.
func TestThreadDefault_ML17(t *testing.T) {
	if ThreadDefault() != Default() {
		t.Fatal("thread default without push")
	}
	c := NewContext()
	if err := c.PushThreadDefault(); err != nil {
		t.Fatal(err)
	}
	if ThreadDefault() != c || !c.IsOwner() {
		t.Fatal("after push")
	}
	c2 := NewContext()
	var inside *Context
	s := NewIdleSource()
	s.SetCallback(func() bool { inside = ThreadDefault(); return SourceRemove })
	s.Attach(c2)
	c2.Iteration(false)
	if inside != c2 {
		t.Fatal("ThreadDefault inside c2's dispatch is not c2")
	}
	if ThreadDefault() != c {
		t.Fatal("pushed context lost after a dispatch")
	}
	// Another goroutine cannot push c and sees its own default.
	res := make(chan error)
	go func() {
		if ThreadDefault() != Default() {
			res <- fmt.Errorf("other goroutine sees a pushed context")
			return
		}
		cap := logging.StartCapture()
		err := c.PushThreadDefault()
		cap.Stop()
		if err == nil || cap.Count("critical", "assertion 'acquired_context' failed") != 1 {
			res <- fmt.Errorf("push of an owned context: err=%v", err)
			return
		}
		res <- nil
	}()
	if err := <-res; err != nil {
		t.Fatal(err)
	}
	cap := logging.StartCapture()
	c2.PopThreadDefault()
	if cap.Stop(); cap.Count("critical", "g_main_context_pop_thread_default") != 1 {
		t.Fatal("popping the wrong context was not refused")
	}
	c.PopThreadDefault()
	if ThreadDefault() != Default() || c.IsOwner() {
		t.Fatal("after pop")
	}
}

// TestPushInsideDispatch_ML17: a context pushed inside a callback is the
// caller's context until popped (GLib's sync-over-async pattern).
func TestPushInsideDispatch_ML17(t *testing.T) {
	c, inner := NewContext(), NewContext()
	var seen []*Context
	s := NewIdleSource()
	s.SetCallback(func() bool {
		seen = append(seen, ThreadDefault())
		inner.PushThreadDefault()
		seen = append(seen, ThreadDefault())
		inner.PopThreadDefault()
		seen = append(seen, ThreadDefault())
		return SourceRemove
	})
	s.Attach(c)
	c.Iteration(false)
	if len(seen) != 3 || seen[0] != c || seen[1] != inner || seen[2] != c {
		t.Fatal("caller's context inside dispatch")
	}
}

// TestInvoke_ML18 is /mainloop/invoke: directly, from inside an idle, onto
// another goroutine's context.
func TestInvoke_ML18(t *testing.T) {
	count := 0
	Default().Invoke(func() { count++ })
	if count != 1 {
		t.Fatal("invoke on the free default context did not run directly")
	}
	IdleAdd(func() bool {
		Default().Invoke(func() { count++ })
		if count != 2 {
			t.Error("invoke from a callback of the owner did not run directly")
		}
		return SourceRemove
	})
	Default().Iteration(false)
	if count != 2 {
		t.Fatal(count)
	}
	// Onto a worker's context.
	ctx := NewContext()
	ready := make(chan struct{})
	var workerRan atomic.Int32
	done := make(chan struct{})
	l := New(ctx)
	go func() {
		defer close(done)
		ctx.PushThreadDefault()
		defer ctx.PopThreadDefault()
		close(ready)
		l.Run()
	}()
	<-ready
	ctx.Invoke(func() {
		if !ctx.IsOwner() || ThreadDefault() != ctx {
			t.Error("queued call not on the worker")
		}
		workerRan.Add(1)
		l.Quit()
	})
	<-done
	if workerRan.Load() != 1 {
		t.Fatal("worker call")
	}
	// A free context that is not the caller's: queued.
	c2 := NewContext()
	ran := false
	c2.Invoke(func() { ran = true })
	if ran {
		t.Fatal("ran directly on a context that is not the caller's")
	}
	c2.Iteration(false)
	if !ran {
		t.Fatal("queued call did not run")
	}
}

// TestInvokeFullRepeats_ML18: InvokeFull repeats while fn returns true, at
// its priority; the direct path repeats synchronously.
func TestInvokeFullRepeats_ML18(t *testing.T) {
	n := 0
	Default().InvokeFull(PriorityDefault, func() bool { n++; return n < 3 })
	if n != 3 {
		t.Fatal("direct repeat", n)
	}
	c := NewContext()
	var got []string
	m := 0
	c.InvokeFull(PriorityLow, func() bool { m++; got = append(got, "low"); return m < 2 })
	c.InvokeFull(PriorityHigh, func() bool { got = append(got, "high"); return SourceRemove })
	drain(c)
	if d := cmp.Diff([]string{"high", "low", "low"}, got); d != "" {
		t.Fatal(d)
	}
}

// TestInvokeOrder_ML2_ML4: queued calls run in order, in one iteration;
// ones queued during that dispatch run in the next.
func TestInvokeOrder_ML2_ML4(t *testing.T) {
	c := NewContext()
	var got []int
	for i := 0; i < 5; i++ {
		c.Invoke(func() {
			got = append(got, i)
			if i == 2 {
				go c.Invoke(func() { got = append(got, 100) })
				time.Sleep(10 * time.Millisecond) // the goroutine has queued by now, mostly
				SingleShot(0, func() { got = append(got, 101) })
			}
		})
	}
	if !c.Iteration(false) {
		t.Fatal("nothing ran")
	}
	if d := cmp.Diff([]int{0, 1, 2, 3, 4}, got); d != "" {
		t.Fatal(d)
	}
	for len(got) < 7 {
		c.Iteration(true)
	}
	if got[6] != 101 && got[5] != 101 {
		t.Fatal(got)
	}
}

// TestInvokeNestedLoop_ML8_ML18: a queued call that runs a nested loop does
// not block the calls queued after it, as GLib's one-idle-per-invoke does
// not.
func TestInvokeNestedLoop_ML8_ML18(t *testing.T) {
	c := NewContext()
	var got []string
	c.Invoke(func() {
		got = append(got, "a-start")
		inner := New(c)
		c.Invoke(func() {}) // owner: direct
		IdleAddFullTo(c, func() bool { inner.Quit(); return SourceRemove })
		inner.Run()
		got = append(got, "a-end")
	})
	c.Invoke(func() { got = append(got, "b") })
	for len(got) < 3 {
		c.Iteration(false)
	}
	if d := cmp.Diff([]string{"a-start", "b", "a-end"}, got); d != "" {
		t.Fatal(d)
	}
}

// TestDestroyPendingFinalizesOnce_ML7: a source prepared and checked but
// not dispatched when destroyed is finalized once, and not dispatched.
func TestDestroyPendingFinalizesOnce_ML7(t *testing.T) {
	c := NewContext()
	n := 0
	s := NewSource(SourceFuncs{
		Prepare:  func(*Source) (bool, time.Duration) { return true, 0 },
		Finalize: func(*Source) { n++ },
	})
	s.Attach(c)
	if !c.Pending() {
		t.Fatal("not pending")
	}
	s.Destroy()
	if c.Iteration(false) || n != 1 {
		t.Fatalf("finalized %d times", n)
	}
}

// TestIdleBusy_ML20: a continuing idle runs on every iteration when nothing
// better is ready, and not while something is.
func TestIdleBusy_ML20(t *testing.T) {
	c := NewContext()
	idle, high := 0, 0
	s := NewIdleSource()
	s.SetCallback(func() bool { idle++; return SourceContinue })
	s.Attach(c)
	h := NewSource(SourceFuncs{})
	h.SetCallback(func() bool { high++; return high < 3 })
	h.SetReadyTime(0)
	h.Attach(c)
	for i := 0; i < 6; i++ {
		c.Iteration(false)
	}
	s.Destroy()
	if high != 3 || idle != 3 {
		t.Fatalf("high=%d idle=%d", high, idle)
	}
}

// TestPanicPolicy: a panicking callback propagates out of Iteration/Run;
// the context stays usable, the source unblocked and alive, ownership
// released.
func TestPanicPolicy(t *testing.T) {
	c := NewContext()
	l := New(c)
	calls := 0
	s := NewIdleSource()
	s.SetCallback(func() bool {
		calls++
		if calls == 1 {
			panic("boom")
		}
		l.Quit()
		return SourceRemove
	})
	s.Attach(c)
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("recovered %v", r)
			}
		}()
		l.Run()
	}()
	if c.IsOwner() || l.IsRunning() || Depth() != 0 || ThreadDefault() != Default() {
		t.Fatal("state after panic")
	}
	if s.IsDestroyed() {
		t.Fatal("source destroyed by a panic")
	}
	ok := make(chan bool)
	go func() { ok <- c.Acquire(); c.Release() }()
	if !<-ok {
		t.Fatal("ownership not released")
	}
	l.Run()
	if calls != 2 {
		t.Fatal(calls)
	}
	// Invoke queue: a panic keeps the rest of the batch.
	var got []int
	c.Invoke(func() { got = append(got, 1); panic("x") })
	c.Invoke(func() { got = append(got, 2) })
	func() {
		defer func() { recover() }()
		c.Iteration(false)
	}()
	drain(c)
	if d := cmp.Diff([]int{1, 2}, got); d != "" {
		t.Fatal(d)
	}
}

// TestSourceTimeAfterPollWait_ML14: the iteration's time is read when
// asked for, as GLib's time_is_fresh: a time read by prepare (for a
// timeout's ready time) does not outlive a poll that waited, so a source
// made ready during the wait sees a time after it, and two reads in one
// dispatch agree.
func TestSourceTimeAfterPollWait_ML14(t *testing.T) {
	c := NewContext()
	r, w := pipe(t)
	timer := NewTimeoutSource(10 * time.Second) // gives prepare a ready time to read the clock for, far enough that the poll waits
	timer.SetCallback(func() bool { return SourceContinue })
	timer.Attach(c)
	defer timer.Destroy()
	var got, again int64
	s := NewFDSource(r, IOIn, func(int, IOCondition) bool {
		got, again = CurrentSource().Time(), c.IterationTime()
		return SourceRemove
	})
	s.Attach(c)
	written := make(chan int64, 1)
	go func() {
		time.Sleep(30 * time.Millisecond)
		written <- MonotonicTime()
		_, _ = unix.Write(w, []byte{1})
	}()
	for got == 0 {
		c.Iteration(true)
	}
	at := <-written
	if got < at || again != got {
		t.Fatalf("dispatch time %d, again %d; written at %d (a time from before the poll's wait)", got, again, at)
	}
}

// TestIsDispatching: true only inside c's dispatch on its goroutine.
func TestIsDispatching(t *testing.T) {
	c := NewContext()
	if c.IsDispatching() {
		t.Fatal("outside")
	}
	var in, other bool
	var itime, stime int64
	s := NewIdleSource()
	s.SetCallback(func() bool {
		in = c.IsDispatching()
		itime, stime = c.IterationTime(), s.Time()
		ch := make(chan bool)
		go func() { ch <- c.IsDispatching() }()
		other = <-ch
		return SourceRemove
	})
	s.Attach(c)
	c.Iteration(false)
	if !in || other || itime != stime {
		t.Fatalf("in=%v other=%v itime=%d stime=%d", in, other, itime, stime)
	}
}

// TestNSources_ML6 is /maincontext/nsources_same_priority,
// /nsources_different_priority and /nsources_threadpool: 50k sources are
// attached, found by id and destroyed, from one goroutine or several.
func TestNSources_ML6(t *testing.T) {
	const n = 50000
	for _, tc := range []struct {
		name    string
		prio    func(i int) int
		workers int
	}{
		{"same-priority", func(int) int { return PriorityDefault }, 1},
		{"different-priority", func(i int) int { return i }, 1},
		{"goroutines", func(int) int { return PriorityDefault }, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewContext()
			srcs := make([]*Source, n)
			ids := make([]SourceID, n)
			var wg sync.WaitGroup
			for w := 0; w < tc.workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < n; i += tc.workers {
						s := NewIdleSource()
						s.SetPriority(tc.prio(i))
						ids[i] = s.Attach(c)
						srcs[i] = s
					}
				}()
			}
			wg.Wait()
			for i, id := range ids {
				if c.FindSourceByID(id) != srcs[i] {
					t.Fatalf("source %d not found", i)
				}
			}
			for w := 0; w < tc.workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < n; i += tc.workers {
						srcs[i].Destroy()
					}
				}()
			}
			wg.Wait()
			if c.Iteration(false) || len(c.byID) != 0 || len(c.prios) > 16 {
				t.Fatalf("left: %d ids, %d priority lists", len(c.byID), len(c.prios))
			}
		})
	}
}

// TestCallerContextIsPerGoroutine: a goroutine started from a callback does
// not inherit the caller's context, Depth or ownership.
func TestCallerContextIsPerGoroutine(t *testing.T) {
	c := NewContext()
	type seen struct {
		ctx   *Context
		depth int
		owner bool
		disp  bool
	}
	var in, child seen
	s := NewIdleSource()
	s.SetCallback(func() bool {
		in = seen{ThreadDefault(), Depth(), c.IsOwner(), c.IsDispatching()}
		ch := make(chan seen)
		go func() { ch <- seen{ThreadDefault(), Depth(), c.IsOwner(), c.IsDispatching()} }()
		child = <-ch
		return SourceRemove
	})
	s.Attach(c)
	c.Iteration(false)
	if in != (seen{c, 1, true, true}) {
		t.Fatalf("in callback: %+v", in)
	}
	if child != (seen{Default(), 0, false, false}) {
		t.Fatalf("in a goroutine started by the callback: %+v", child)
	}
}

// TestNestedDifferentContexts_ML9: a callback of one context iterating
// another: depth counts both, the caller's context is the inner one.
func TestNestedDifferentContexts_ML9(t *testing.T) {
	outer, inner := NewContext(), NewContext()
	var depth int
	var ctx *Context
	IdleAddFullTo(inner, func() bool { depth, ctx = Depth(), ThreadDefault(); return SourceRemove })
	IdleAddFullTo(outer, func() bool { inner.Iteration(false); return SourceRemove })
	outer.Iteration(false)
	if depth != 2 || ctx != inner {
		t.Fatalf("depth %d, inner is caller's context: %v", depth, ctx == inner)
	}
}

// TestWaitGLib_ML11 is /mainloop/wait as GLib writes it: two goroutines each
// run a loop on one context with a 250 ms timeout that quits its loop; the
// callback runs on the owner, and both loops end.
func TestWaitGLib_ML11(t *testing.T) {
	c := NewContext()
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := New(c)
			s := NewTimeoutSource(250 * time.Millisecond)
			s.SetCallback(func() bool {
				if !l.MainContext().IsOwner() {
					t.Error("callback not on the owner")
				}
				l.Quit()
				return SourceRemove
			})
			s.Attach(c)
			l.Run()
			s.Destroy()
		}()
	}
	testwait.WaitGroup(t, &wg, 20*time.Second, "the loops to end")
}

// TestFinalizationFromSource_ML19 is /maincontext/source_finalization_from_source/1,
// /2, /6, /7 (the two attach orders, destroying s1 or s2 first; the other
// six variants free the context first, which Go's garbage collector does)
// and /maincontext/source_finalization_from_dispatch/0..2 (s1, s2 or both
// ready): s1's Finalize destroys s2, every source is finalized exactly
// once, from a Destroy or from the iteration that removed it.
func TestFinalizationFromSource_ML19(t *testing.T) {
	cases := []struct {
		name              string
		s1First           bool // attach order
		ready1, ready2    bool // from_dispatch: made ready, then iterated
		destroyFirst      string
		wantAfterIterate1 int // s1 finalized by the iteration (from_dispatch)
	}{
		{name: "from_source/1", s1First: true, destroyFirst: "s1"},
		{name: "from_source/2", s1First: true, destroyFirst: "s2"},
		{name: "from_source/6", s1First: false, destroyFirst: "s1"},
		{name: "from_source/7", s1First: false, destroyFirst: "s2"},
		{name: "from_dispatch/0", s1First: true, ready1: true, wantAfterIterate1: 1},
		{name: "from_dispatch/1", s1First: true, ready2: true},
		{name: "from_dispatch/2", s1First: true, ready1: true, ready2: true, wantAfterIterate1: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewContext()
			fin := map[string]int{}
			var s1, s2 *Source
			remove := func(*Source, SourceFunc) bool { return SourceRemove }
			s2 = NewSource(SourceFuncs{Dispatch: remove, Finalize: func(*Source) { fin["s2"]++ }})
			s1 = NewSource(SourceFuncs{Dispatch: remove, Finalize: func(*Source) { fin["s1"]++; s2.Destroy() }})
			if tc.s1First {
				s1.Attach(c)
				s2.Attach(c)
			} else {
				s2.Attach(c)
				s1.Attach(c)
			}
			if tc.ready1 || tc.ready2 {
				if tc.ready1 {
					s1.SetReadyTime(0)
				}
				if tc.ready2 {
					s2.SetReadyTime(0)
				}
				for c.Iteration(false) {
				}
				if fin["s1"] != tc.wantAfterIterate1 || (tc.ready1 || tc.ready2) && fin["s2"] != 1 {
					t.Fatalf("after iterating: finalized %v", fin)
				}
				// What the context's unref does in GLib: destroy the rest.
				s1.Destroy()
				s2.Destroy()
			} else if tc.destroyFirst == "s1" {
				s1.Destroy()
				s2.Destroy()
			} else {
				s2.Destroy()
				s1.Destroy()
			}
			if fin["s1"] != 1 || fin["s2"] != 1 {
				t.Fatalf("finalized %v, want each once", fin)
			}
		})
	}
}

// TestHugeTimeout_ML15: a timeout of the largest duration never fires (its
// expiry does not wrap into the past).
func TestHugeTimeout_ML15(t *testing.T) {
	c := NewContext()
	for _, s := range []*Source{NewTimeoutSource(math.MaxInt64), NewTimeoutSecondsSource(math.MaxUint32)} {
		s.SetCallback(func() bool { t.Error("fired"); return SourceRemove })
		s.Attach(c)
		if c.Iteration(false) {
			t.Fatal("dispatched")
		}
		s.Destroy()
	}
}

// TestBadInput: nil functions and sources are refused with GLib's
// criticals, not panics.
func TestBadInput(t *testing.T) {
	cap := logging.StartCapture()
	var nilSrc *Source
	ids := []SourceID{
		IdleAdd(nil), IdleAddOnce(nil), TimeoutAdd(time.Second, nil), TimeoutAddOnce(0, nil),
		TimeoutAddSeconds(1, nil), TimeoutAddSecondsOnce(1, nil), FDAdd(0, IOIn, nil), nilSrc.Attach(nil),
	}
	nilSrc.Destroy()
	Default().Invoke(nil)
	Default().InvokeFull(PriorityDefault, nil)
	Default().PostData(PriorityDefault, nil, 1)
	Default().PostDataNamed(PriorityDefault, "x", nil, 1)
	_, err := UnixSignalAdd(syscall.SIGUSR2, nil)
	NewContext().FindSourceByID(0)
	cap.Stop()
	for i, id := range ids {
		if id != 0 {
			t.Errorf("call %d returned id %d", i, id)
		}
	}
	if err == nil {
		t.Error("UnixSignalAdd(nil) succeeded")
	}
	if n := cap.Count("critical", "assertion"); n != 15 {
		t.Fatalf("%d criticals, want 15: %v", n, cap.Records())
	}
}

// TestInvokeCurrentSourceDestroy_ML18: a queued call that destroys
// CurrentSource() (as GLib code does to its invoke idle) stops its own
// repetition and nothing else.
func TestInvokeCurrentSourceDestroy_ML18(t *testing.T) {
	c := NewContext()
	n, other := 0, 0
	c.InvokeFull(PriorityDefault, func() bool {
		n++
		CurrentSource().Destroy()
		return SourceContinue
	})
	c.Invoke(func() { other++ })
	drain(c)
	c.Invoke(func() { other++ })
	drain(c)
	if n != 1 || other != 2 {
		t.Fatalf("n=%d other=%d", n, other)
	}
	cap := logging.StartCapture()
	c.Invoke(func() { CurrentSource().SetPriority(PriorityLow) })
	drain(c)
	if cap.Stop(); cap.Count("critical", "queued Invoke call") != 1 {
		t.Fatal("no critical")
	}
}

// Post never runs fn inside the call, even from the owner, and keeps order;
// a call posted from a dispatch waits for a later iteration (ML-4).
func TestPostFromOwnerIsDeferred_ML4(t *testing.T) {
	c := NewContext()
	if !c.Acquire() {
		t.Fatal("acquire")
	}
	defer c.Release()
	var got []int
	c.Post(PriorityDefault, func() {
		got = append(got, 1)
		c.Post(PriorityDefault, func() { got = append(got, 3) })
	})
	c.Post(PriorityDefault, func() { got = append(got, 2) })
	if len(got) != 0 {
		t.Fatalf("Post ran inside the call: %v", got)
	}
	if !c.Iteration(false) || len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("after one iteration: %v", got)
	}
	c.Iteration(false)
	if len(got) != 3 || got[2] != 3 {
		t.Fatalf("after two iterations: %v", got)
	}
	if c.Iteration(false) {
		t.Fatal("nothing left, but Iteration dispatched")
	}
}

// PostData queues with Post's rules: never inside the call, even on the
// owner's goroutine, and in the order of posting among Post and PostData
// calls of one priority, each fn getting its own data.
func TestPostData(t *testing.T) {
	c := ownedContext(t)
	var got []string
	add := func(d any) { got = append(got, d.(string)) }
	c.Post(PriorityDefault, func() { got = append(got, "a") })
	c.PostData(PriorityDefault, add, "b")
	c.Post(PriorityDefault, func() { got = append(got, "c") })
	c.PostData(PriorityDefault, add, "d")
	if len(got) != 0 {
		t.Fatalf("ran inside the call: %v", got)
	}
	for c.Iteration(false) {
	}
	if want := []string{"a", "b", "c", "d"}; !slices.Equal(got, want) {
		t.Errorf("ran %v, want %v", got, want)
	}
}

// PostDataNamed names the queue's source while its call runs, and only
// then: each call sees its own name or, unnamed, the source's; a named
// call restores the source's name after it (the unnamed second call's
// SetName is what the last one sees; the third's is undone).
func TestPostDataNamed(t *testing.T) {
	c := ownedContext(t)
	var got []string
	name := func(any) {
		got = append(got, CurrentSource().Name())
		CurrentSource().SetName("changed inside")
	}
	c.PostDataNamed(PriorityDefault, "first", name, nil)
	c.PostData(PriorityDefault, name, nil)
	c.PostDataNamed(PriorityDefault, "third", name, nil)
	c.PostDataNamed(PriorityDefault, "", name, nil)
	if len(got) != 0 {
		t.Fatalf("ran inside the call: %v", got)
	}
	for c.Iteration(false) {
	}
	want := []string{"first", "GMainContext invoke queue", "third", "changed inside"}
	if !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
}

// A timeout's interval is rounded up to the microsecond clock, never down:
// the first expiry is at least the interval away (ML-15).
func TestTimeoutRoundsUp_ML15(t *testing.T) {
	for _, tc := range []struct {
		d      time.Duration
		wantUS int64
	}{
		{time.Nanosecond, 1},
		{1500 * time.Nanosecond, 2},
		{32768 * time.Nanosecond, 33},
		{3 * time.Microsecond, 3},
		{0, 0},
		{-time.Second, 0},
	} {
		before := MonotonicTime()
		s := NewTimeoutSource(tc.d)
		after := MonotonicTime()
		if got := s.ReadyTime(); got < before+tc.wantUS || got > after+tc.wantUS {
			t.Errorf("NewTimeoutSource(%v): ready %d µs after creation (window %d–%d), want %d", tc.d, got-before, 0, after-before, tc.wantUS)
		}
	}
}
