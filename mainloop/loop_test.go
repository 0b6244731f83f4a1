package mainloop

import (
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/logging"
)

// TestExec_EVL01 is tst_qeventloop exec: Exec returns the code given to
// Exit (from the loop's own callback or another goroutine), 0 for Quit; a
// second Exec of a running loop warns and returns -1.
func TestExec_EVL01(t *testing.T) {
	cases := []struct {
		name string
		end  func(l *Loop)
		want int
	}{
		{"quit", func(l *Loop) { l.Quit() }, 0},
		{"exit(0)", func(l *Loop) { l.Exit(0) }, 0},
		{"exit(1)", func(l *Loop) { l.Exit(1) }, 1},
		{"exit(2)", func(l *Loop) { l.Exit(2) }, 2},
		{"exit(2) from another goroutine", func(l *Loop) {
			done := make(chan struct{})
			go func() { l.Exit(2); close(done) }()
			<-done
		}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewContext()
			l := New(c)
			if l.IsRunning() {
				t.Fatal("running before Exec")
			}
			var running bool
			c.Post(PriorityDefault, func() { running = l.IsRunning(); tc.end(l) })
			if got := l.Exec(); got != tc.want || !running || l.IsRunning() {
				t.Fatalf("Exec() = %d (running inside %v, after %v), want %d", got, running, l.IsRunning(), tc.want)
			}
		})
	}

	c := NewContext()
	l := New(c)
	inner := 0
	cap := logging.StartCapture()
	c.Post(PriorityDefault, func() { inner = l.Exec(); l.Exit(3) })
	got := l.Exec()
	cap.Stop()
	if inner != -1 || got != 3 || cap.Count("warning", fmt.Sprintf("QEventLoop::exec: instance %p has already called exec()", l)) != 1 {
		t.Fatalf("recursive Exec = %d, outer %d, records %v", inner, got, cap.Records())
	}
}

// TestReexec_EVL01 is tst_qeventloop reexec: a loop can be executed again
// after its Exec returned.
func TestReexec_EVL01(t *testing.T) {
	c := NewContext()
	l := New(c)
	for i := range 3 {
		c.Post(PriorityDefault, func() { l.Exit(i + 10) })
		if got := l.Exec(); got != i+10 {
			t.Fatalf("run %d: Exec() = %d", i, got)
		}
	}
}

// TestExecAfterExit_EVL01 is tst_qeventloop execAfterExit: an Exit before
// Exec is lost; Exec returns the code of a later Exit.
func TestExecAfterExit_EVL01(t *testing.T) {
	c := NewContext()
	l := New(c)
	l.Exit(1)
	c.Post(PriorityDefault, func() { l.Exit(0) })
	if got := l.Exec(); got != 0 {
		t.Fatalf("Exec() = %d, want 0 (the Exit(1) before it is lost)", got)
	}
}

// TestNestedLoops_EVL03 is tst_qeventloop nestedLoops: each Exec raises the
// loop level; Exit ends only its own loop, innermost first.
func TestNestedLoops_EVL03(t *testing.T) {
	c := NewContext()
	l1, l2, l3 := New(c), New(c), New(c)
	var got []string
	if LoopLevel() != 0 {
		t.Fatalf("LoopLevel() = %d outside any loop", LoopLevel())
	}
	c.Post(PriorityDefault, func() {
		got = append(got, fmt.Sprint("level ", LoopLevel()))
		c.Post(PriorityDefault, func() {
			got = append(got, fmt.Sprint("level ", LoopLevel()))
			c.Post(PriorityDefault, func() {
				got = append(got, fmt.Sprint("level ", LoopLevel()))
				l3.Exit(3)
			})
			got = append(got, fmt.Sprint("l3 ", l3.Exec(), " running l2 ", l2.IsRunning(), " l1 ", l1.IsRunning()))
			l2.Exit(2)
		})
		got = append(got, fmt.Sprint("l2 ", l2.Exec(), " running l1 ", l1.IsRunning()))
		l1.Exit(1)
	})
	got = append(got, fmt.Sprint("l1 ", l1.Exec()))
	want := []string{"level 1", "level 2", "level 3", "l3 3 running l2 true l1 true", "l2 2 running l1 true", "l1 1"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if LoopLevel() != 0 {
		t.Fatalf("LoopLevel() = %d after the loops", LoopLevel())
	}
}

// TestZeroLoop: a zero Loop runs on the global default context; a nil
// *Loop logs a critical from each method and does nothing.
func TestZeroLoop(t *testing.T) {
	var l Loop
	if l.MainContext() != Default() || l.IsRunning() {
		t.Fatal("zero Loop is not a stopped loop on Default()")
	}
	Default().Post(PriorityDefault, func() { l.Exit(4) })
	if got := l.Exec(); got != 4 {
		t.Fatalf("zero Loop Exec() = %d", got)
	}
	var nl *Loop
	cases := []struct {
		name string
		call func() any
		want any
	}{
		{"MainContext", func() any { return nl.MainContext() }, (*Context)(nil)},
		{"IsRunning", func() any { return nl.IsRunning() }, false},
		{"Run", func() any { nl.Run(); return nil }, nil},
		{"Quit", func() any { nl.Quit(); return nil }, nil},
		{"Exec", func() any { return nl.Exec() }, -1},
		{"Exit", func() any { nl.Exit(1); return nil }, nil},
	}
	for _, tc := range cases {
		t.Run("nil "+tc.name, func(t *testing.T) {
			cap := logging.StartCapture()
			got := tc.call()
			cap.Stop()
			if got != tc.want || cap.Count("critical", "assertion 'loop != NULL' failed") != 1 {
				t.Fatalf("= %v, records %v", got, cap.Records())
			}
		})
	}
}

// TestZeroContext: a zero Context sets itself up at its first use and works
// like one from NewContext.
func TestZeroContext(t *testing.T) {
	var c Context
	if c.Pending() || c.Iteration(false) {
		t.Fatal("a fresh zero Context has work")
	}
	n := 0
	s := NewIdleSource()
	s.SetCallback(func() bool { n++; return SourceRemove })
	if s.Attach(&c) == 0 {
		t.Fatal("Attach to a zero Context failed")
	}
	c.Invoke(func() { n++ })
	c.Post(PriorityDefault, func() { n++ })
	drain(&c)
	l := New(&c)
	c.Post(PriorityDefault, l.Quit)
	l.Run()
	if n != 3 {
		t.Fatalf("%d calls, want 3", n)
	}
}

// TestZeroSource: a zero Source is refused by Attach with a critical.
func TestZeroSource(t *testing.T) {
	var s Source
	cap := logging.StartCapture()
	id := s.Attach(NewContext())
	cap.Stop()
	if id != 0 || cap.Count("critical", "zero Source") != 1 {
		t.Fatalf("id %d, records %v", id, cap.Records())
	}
	s.SetName("x")
	s.Destroy()
	if !s.IsDestroyed() || s.Name() != "x" {
		t.Fatal("zero Source setters")
	}
}

// TestProcessEvents_EVL04 is tst_qeventloop processEvents: processing a
// posted call reports true; processing until nothing is left ends; a
// blocking iteration with a timer pending returns true once it fired. (The
// aboutToBlock/awake spies have no sigloop counterpart.)
func TestProcessEvents_EVL04(t *testing.T) {
	c := NewContext()
	c.Post(PriorityDefault, func() {})
	if !c.Iteration(false) {
		t.Fatal("processing a posted call returned false")
	}
	for c.Iteration(false) {
	}
	if c.Iteration(false) {
		t.Fatal("nothing left, yet Iteration reported work")
	}
	fired := false
	s := NewTimeoutSource(100 * time.Millisecond)
	s.SetCallback(func() bool { fired = true; return SourceRemove })
	s.Attach(c)
	// A blocking iteration may also return false after a stale wakeup
	// (ML-3); the one that dispatched the timer returns true.
	for i := 0; i < 3 && !fired; i++ {
		if c.Iteration(true) != fired {
			t.Fatal("Iteration's result does not say whether the timer ran")
		}
	}
	if !fired {
		t.Fatal("the timer never fired")
	}
}

// TestExecQuitByTimer_EVL02 is tst_qeventloop quit and exec's first part:
// a timer that quits (exits with 0, 1, 2) the loop after 100 ms ends Exec
// with that code.
func TestExecQuitByTimer_EVL02(t *testing.T) {
	c := NewContext()
	l := New(c)
	for _, code := range []int{0, 1, 2} {
		s := NewTimeoutSource(100 * time.Millisecond)
		s.SetCallback(func() bool { l.Exit(code); return SourceRemove })
		s.Attach(c)
		if got := l.Exec(); got != code {
			t.Fatalf("Exec() = %d, want %d", got, code)
		}
	}
	s := NewTimeoutSource(100 * time.Millisecond)
	s.SetCallback(func() bool { l.Quit(); return SourceRemove })
	s.Attach(c)
	if got := l.Exec(); got != 0 {
		t.Fatalf("Exec() after Quit = %d", got)
	}
}

// TestWakeUp_EVL02 is tst_qeventloop wakeUp: a loop running on another
// goroutine wakes (its blocked poll returns) when woken up, and exits when
// told to from here.
func TestWakeUp_EVL02(t *testing.T) {
	c := NewContext()
	l := New(c)
	var woke atomic.Int32
	hook := NewSource(SourceFuncs{Prepare: func(*Source) (bool, time.Duration) { woke.Add(1); return false, -1 }})
	hook.Attach(c)
	defer hook.Destroy()
	done := make(chan int)
	go func() { done <- l.Exec() }()
	for woke.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // blocked in its poll by now
	before := woke.Load()
	c.Wakeup()
	deadline := time.Now().Add(10 * time.Second)
	for woke.Load() == before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if woke.Load() == before {
		t.Fatal("Wakeup did not wake the loop")
	}
	l.Exit(5)
	if got := <-done; got != 5 {
		t.Fatalf("Exec() = %d", got)
	}
}

// TestNestedLoopsPosted_EVL03 is tst_qeventloop nestedLoops: three posted
// calls each run a nested loop that a call it posts exits; nothing wedges
// and every nested loop ends.
func TestNestedLoopsPosted_EVL03(t *testing.T) {
	c := NewContext()
	outer := New(c)
	ended := 0
	start := func() {
		inner := New(c)
		c.Post(PriorityDefault, inner.Quit)
		inner.Exec()
		ended++
		if ended == 3 {
			outer.Quit()
		}
	}
	for range 3 {
		c.Post(PriorityDefault, start)
	}
	safety := NewTimeoutSource(10 * time.Second)
	safety.SetCallback(func() bool { outer.Exit(-9); return SourceRemove })
	safety.Attach(c)
	defer safety.Destroy()
	if got := outer.Exec(); got != 0 || ended != 3 {
		t.Fatalf("Exec() = %d, nested loops ended %d", got, ended)
	}
}

// TestDeliverInDefinedOrder_EVL04 is tst_qeventloop deliverInDefinedOrder
// without its moveToThread calls (posted calls do not follow an object to
// another context in sigloop): calls posted to five priorities from
// several goroutines' objects arrive in posting order within each
// priority, all of them, better priorities first.
func TestDeliverInDefinedOrder_EVL04(t *testing.T) {
	const nQueue, nEvent = 5, 50
	c := NewContext()
	last := [nQueue]int{-1, -1, -1, -1, -1}
	count, prioOrder := 0, true
	lastPrio := -1
	ev := 0
	for e := range nEvent {
		q := e % nQueue
		ev++
		v := ev
		c.Post(q, func() {
			if last[q] >= v {
				t.Errorf("queue %d: %d after %d", q, v, last[q])
			}
			if q < lastPrio {
				prioOrder = false
			}
			last[q], lastPrio = v, q
			count++
		})
	}
	drain(c)
	if count != nEvent || !prioOrder {
		t.Fatalf("delivered %d of %d, better priorities first %v", count, nEvent, prioOrder)
	}
}

// TestZeroContextMethods: every exported method of a fresh zero Context
// works without panicking and gives what a NewContext would. The table
// must list every method.
func TestZeroContextMethods(t *testing.T) {
	cases := []struct {
		method string
		call   func(c *Context) any
		want   any
	}{
		{"Acquire", func(c *Context) any { ok := c.Acquire(); c.Release(); return ok }, true},
		{"Release", func(c *Context) any { c.Acquire(); c.Release(); return c.IsOwner() }, false},
		{"IsOwner", func(c *Context) any { return c.IsOwner() }, false},
		{"Wakeup", func(c *Context) any { c.Wakeup(); c.Iteration(true); return nil }, nil},
		{"Pending", func(c *Context) any { return c.Pending() }, false},
		{"Iteration", func(c *Context) any { return c.Iteration(false) }, false},
		{"IterationTime", func(c *Context) any { return c.IterationTime() > 0 }, true},
		{"IsDispatching", func(c *Context) any { return c.IsDispatching() }, false},
		{"FindSourceByID", func(c *Context) any { return c.FindSourceByID(1) }, (*Source)(nil)},
		{"RemoveSource", func(c *Context) any {
			cap := logging.StartCapture()
			defer cap.Stop()
			return c.RemoveSource(1)
		}, false},
		{"Invoke", func(c *Context) any { n := 0; c.Invoke(func() { n++ }); drain(c); return n }, 1},
		{"InvokeFull", func(c *Context) any {
			n := 0
			c.InvokeFull(PriorityHigh, func() bool { n++; return false })
			drain(c)
			return n
		}, 1},
		{"Post", func(c *Context) any { n := 0; c.Post(PriorityDefault, func() { n++ }); drain(c); return n }, 1},
		{"PostData", func(c *Context) any {
			n := 0
			c.PostData(PriorityDefault, func(d any) { *d.(*int)++ }, &n)
			drain(c)
			return n
		}, 1},
		{"PostDataNamed", func(c *Context) any {
			n := 0
			c.PostDataNamed(PriorityDefault, "x", func(d any) { *d.(*int)++ }, &n)
			drain(c)
			return n
		}, 1},
		{"PushThreadDefault", func(c *Context) any {
			err := c.PushThreadDefault()
			top := ThreadDefault() == c
			c.PopThreadDefault()
			return err == nil && top
		}, true},
		{"PopThreadDefault", func(c *Context) any { c.PushThreadDefault(); c.PopThreadDefault(); return ThreadDefault() == c }, false},
	}
	listed := map[string]bool{}
	for _, tc := range cases {
		listed[tc.method] = true
		t.Run(tc.method, func(t *testing.T) {
			var c Context
			if got := tc.call(&c); got != tc.want {
				t.Fatalf("= %#v, want %#v", got, tc.want)
			}
		})
	}
	typ := reflect.TypeFor[*Context]()
	for i := range typ.NumMethod() {
		if m := typ.Method(i).Name; !listed[m] {
			t.Errorf("method %s is missing from the table", m)
		}
	}
}
