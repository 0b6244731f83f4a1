package object_test

import (
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/looptest"
	"github.com/sigloop/sigloop/internal/testwait"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
)

// TestTimer_EVL05: inactive until Start (TimerID -1, RemainingTime -1);
// repeating while active; Start restarts a running timer; Stop stops it;
// the timer runs on the context it was made on.
func TestTimer_EVL05(t *testing.T) {
	l := looptest.Push(t, 10*time.Second)
	tm := object.NewTimer(nil)
	defer tm.Destroy()
	if tm.IsActive() || tm.TimerID() != -1 || tm.RemainingTime() != -1 || tm.Interval() != 0 || tm.IsSingleShot() {
		t.Fatal("a new timer is not inactive with interval 0")
	}
	n, onCtx := 0, true
	tm.Timeout.Connect(func() { n++; onCtx = onCtx && l.Ctx.IsOwner() })
	tm.SetInterval(20 * time.Millisecond)
	if tm.IsActive() {
		t.Fatal("SetInterval started an inactive timer")
	}
	tm.Start()
	id := tm.TimerID()
	if !tm.IsActive() || id <= 0 {
		t.Fatalf("active %v id %d", tm.IsActive(), id)
	}
	if r := tm.RemainingTime(); r <= 0 || r > 20*time.Millisecond {
		t.Fatalf("RemainingTime %v", r)
	}
	l.Until(func() bool { return n >= 3 })
	if !onCtx {
		t.Fatal("Timeout ran off the timer's context")
	}
	tm.Start() // restart
	if tm.TimerID() == id || !tm.IsActive() {
		t.Fatal("Start did not restart the running timer")
	}
	tm.StartInterval(time.Hour)
	if r := tm.RemainingTime(); r < 59*time.Minute || tm.Interval() != time.Hour {
		t.Fatalf("StartInterval: remaining %v, interval %v", r, tm.Interval())
	}
	tm.SetInterval(10 * time.Millisecond) // restarts the active timer
	if r := tm.RemainingTime(); r > 10*time.Millisecond {
		t.Fatalf("SetInterval did not restart: %v", r)
	}
	m := n
	l.Until(func() bool { return n > m })
	tm.Stop()
	m = n
	time.Sleep(30 * time.Millisecond)
	looptest.Pump(l.Ctx)
	if n != m || tm.IsActive() || tm.TimerID() != -1 {
		t.Fatalf("stopped timer fired %d times, active %v", n-m, tm.IsActive())
	}
}

// TestTimerSingleShot_EVL05: a single-shot timer is already inactive when
// Timeout is emitted and fires once per Start; a handler may start it
// again.
func TestTimerSingleShot_EVL05(t *testing.T) {
	l := looptest.Push(t, 10*time.Second)
	tm := object.NewTimer(nil)
	defer tm.Destroy()
	tm.SetSingleShot(true)
	var active []bool
	tm.Timeout.Connect(func() {
		active = append(active, tm.IsActive())
		if len(active) == 1 {
			tm.Start()
		}
	})
	tm.StartInterval(time.Millisecond)
	l.Until(func() bool { return len(active) == 2 })
	time.Sleep(20 * time.Millisecond)
	looptest.Pump(l.Ctx)
	if len(active) != 2 || active[0] || active[1] || tm.IsActive() {
		t.Fatalf("IsActive inside Timeout %v, after %v", active, tm.IsActive())
	}
}

// TestTimerZeroIntervalAndOverrun_EVL05: interval 0 fires at the next
// iteration; a loop stalled for several intervals gets one Timeout, then
// the interval counts from that dispatch.
func TestTimerZeroIntervalAndOverrun_EVL05(t *testing.T) {
	l := looptest.Push(t, 10*time.Second)
	tm := object.NewTimer(nil)
	defer tm.Destroy()
	n := 0
	tm.Timeout.Connect(func() { n++ })
	tm.Start() // interval 0
	l.Ctx.Iteration(false)
	if n != 1 {
		t.Fatalf("interval 0: %d timeouts after one iteration", n)
	}
	tm.StartInterval(20 * time.Millisecond)
	n = 0
	time.Sleep(90 * time.Millisecond) // four intervals missed
	looptest.Pump(l.Ctx)
	if n != 1 {
		t.Fatalf("overrun gave %d timeouts, want 1", n)
	}
	if r := tm.RemainingTime(); r <= 0 || r > 20*time.Millisecond {
		t.Fatalf("after the overrun: remaining %v", r)
	}
}

// TestTimerObject: Destroy (also the parent's) stops the timer, Start on a
// destroyed timer does nothing, BlockSignals mutes Timeout, a negative
// interval warns, a zero Timer logs criticals without panicking.
func TestTimerObject(t *testing.T) {
	l := looptest.Push(t, 10*time.Second)
	parent := object.New()
	tm := object.NewTimer(parent)
	if tm.Parent() != parent {
		t.Fatal("parent not set")
	}
	n := 0
	tm.Timeout.Connect(func() { n++ })
	tm.BlockSignals(true)
	tm.Start()
	l.Ctx.Iteration(false)
	if n != 0 || !tm.IsActive() {
		t.Fatalf("blocked timer emitted %d, active %v", n, tm.IsActive())
	}
	tm.BlockSignals(false)
	parent.Destroy()
	if tm.IsActive() || !tm.IsDestroyed() {
		t.Fatal("destroying the parent did not stop the timer")
	}
	tm.Start()
	looptest.Pump(l.Ctx)
	if tm.IsActive() || n != 0 {
		t.Fatal("a destroyed timer started")
	}
	c := logging.StartCapture()
	t2 := object.NewTimer(nil)
	t2.StartInterval(-time.Second)
	t2.SetInterval(-time.Second)
	c.Stop()
	if c.Count("warning", "cannot have negative intervals") != 2 || t2.IsActive() {
		t.Fatalf("negative intervals: %v", c.Records())
	}
	t2.Destroy()

	var z object.Timer
	c = logging.StartCapture()
	z.Start()
	z.Stop()
	z.SetInterval(time.Second)
	z.SetSingleShot(true)
	if z.IsActive() || z.TimerID() != -1 || z.RemainingTime() != -1 || z.Interval() != 0 || z.IsSingleShot() {
		t.Error("zero Timer reports state")
	}
	var nilT *object.Timer
	nilT.Start()
	c.Stop()
	if got := c.Count("critical", "was not made by NewTimer"); got != 10 {
		t.Fatalf("%d criticals, want 10: %v", got, c.Records())
	}
}

// TestSingleShotContext_EVL06: with a receiver, fn runs on the receiver's
// context, and not at all if the receiver is destroyed first (for a delay
// and for 0); a nil receiver is the caller's context.
func TestSingleShotContext_EVL06(t *testing.T) {
	ctx := looptest.Run(t)
	var recv *object.Object
	looptest.On(ctx, func() { recv = object.New() })
	ran := make(chan bool, 1)
	object.SingleShot(time.Millisecond, recv, func() { ran <- ctx.IsOwner() })
	if !testwait.Recv(t, ran, 10*time.Second, "the single shot") {
		t.Fatal("not on the receiver's context")
	}

	dead := object.New()
	for _, d := range []time.Duration{0, 5 * time.Millisecond} {
		object.SingleShot(d, dead, func() { t.Errorf("ran for a receiver destroyed first (d=%v)", d) })
	}
	dead.Destroy()
	object.SingleShot(time.Millisecond, dead, func() { t.Error("ran for a receiver already destroyed") })
	time.Sleep(20 * time.Millisecond)
	for range 5 {
		mainloop.Default().Iteration(false)
	}

	l := looptest.Push(t, 10*time.Second)
	got := false
	object.SingleShot(0, nil, func() { got = l.Ctx.IsOwner() })
	l.Until(func() bool { return got })
	c := logging.StartCapture()
	object.SingleShot(-1, recv, func() {})
	object.SingleShot(1, recv, nil)
	c.Stop()
	if c.Count("warning", "negative timeouts") != 1 || c.Count("critical", "null functor") != 1 {
		t.Fatal(c.Records())
	}
}

// TestTimerMovesWithObject_OBJ05 is tst_qobject moveToThread's timer part:
// an active timer (here a child of the moved object) is restarted on the
// new context with its interval and fires there, not on the old one.
func TestTimerMovesWithObject_OBJ05(t *testing.T) {
	oldCtx, newCtx := mainloop.NewContext(), mainloop.NewContext()
	p := object.New()
	p.MoveToContext(oldCtx)
	tm := object.NewTimer(nil)
	tm.MoveToContext(oldCtx)
	tm.SetParent(p)
	var on []*mainloop.Context
	tm.Timeout.Connect(func() {
		for _, c := range []*mainloop.Context{oldCtx, newCtx} {
			if c.IsOwner() {
				on = append(on, c)
			}
		}
	})
	tm.StartInterval(5 * time.Millisecond)
	if err := p.MoveToContext(newCtx); err != nil {
		t.Fatal(err)
	}
	if !tm.IsActive() || tm.Interval() != 5*time.Millisecond || tm.MainContext() != newCtx {
		t.Fatal("the timer did not move along active")
	}
	time.Sleep(20 * time.Millisecond)
	looptest.Pump(oldCtx)
	if len(on) != 0 {
		t.Fatal("fired on the old context")
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(on) == 0 && time.Now().Before(deadline) {
		newCtx.Iteration(true)
	}
	if len(on) == 0 || on[0] != newCtx {
		t.Fatalf("fired on %v", on)
	}
	p.Destroy()
}
