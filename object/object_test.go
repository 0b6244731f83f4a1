package object_test

import (
	"errors"
	"fmt"
	"github.com/sigloop/sigloop/internal/looptest"
	"runtime"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
)

func named(name string, parent *object.Object) *object.Object {
	o := object.New()
	o.SetObjectName(name)
	if parent != nil {
		o.SetParent(parent)
	}
	return o
}

func names(os []*object.Object) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.ObjectName())
	}
	return out
}

// loop and on are the shared test helpers (internal/looptest).
func loop(t *testing.T) *mainloop.Context { return looptest.Run(t) }

func on(ctx *mainloop.Context, fn func()) { looptest.On(ctx, fn) }

func pump(ctx *mainloop.Context) { looptest.Pump(ctx) }

// TestChildren_OBJ01: children keep insertion order; SetParent moves an
// object; the same parent is a no-op; loops are refused.
func TestChildren_OBJ01(t *testing.T) {
	p := named("p", nil)
	c1, c2, c3 := named("c1", p), named("c2", p), named("c3", p)
	if got := names(p.Children()); !cmp.Equal(got, []string{"c1", "c2", "c3"}) {
		t.Fatalf("children %v", got)
	}
	q := named("q", nil)
	c2.SetParent(q)
	c1.SetParent(p) // same parent: no-op, keeps its place
	if got := names(p.Children()); !cmp.Equal(got, []string{"c1", "c3"}) || c2.Parent() != q {
		t.Fatalf("after move: %v, parent %v", got, c2.Parent())
	}
	c := logging.StartCapture()
	p.SetParent(c1) // c1 is p's child: a loop
	p.SetParent(p)
	c.Stop()
	if p.Parent() != nil || c.Count("critical", "loop") != 2 {
		t.Fatalf("loop accepted: parent %v, %v", p.Parent(), c.Records())
	}
	c3.SetParent(nil)
	if got := names(p.Children()); !cmp.Equal(got, []string{"c1"}) || c3.Parent() != nil {
		t.Fatalf("after unparent: %v", got)
	}
}

// TestParentOtherContext_OBJ01_OBJ02: a parent on another context is
// refused with Qt's warning and the object ends up without a parent.
func TestParentOtherContext_OBJ01_OBJ02(t *testing.T) {
	p, c, old := object.New(), object.New(), object.New()
	c.SetParent(old)
	if err := p.MoveToContext(mainloop.NewContext()); err != nil {
		t.Fatal(err)
	}
	cap := logging.StartCapture()
	c.SetParent(p)
	cap.Stop()
	if c.Parent() != nil || len(old.Children()) != 0 || cap.Count("warning", "different thread") != 1 {
		t.Fatalf("parent %v, records %v", c.Parent(), cap.Records())
	}
}

func TestFindChild(t *testing.T) {
	root := named("root", nil)
	a := named("a", root)
	deep := named("x", a)
	x := named("x", root)
	named("x", x)
	if got := root.FindChild("x"); got != x {
		t.Fatal("FindChild must prefer a direct child")
	}
	if got := a.FindChild("x"); got != deep {
		t.Fatal("FindChild is recursive")
	}
	if got := root.FindChild("none"); got != nil {
		t.Fatal("found a missing child")
	}
	if got := names(root.FindChildren("x")); len(got) != 3 {
		t.Fatalf("FindChildren: %v", got)
	}
	if got := names(root.FindChildren("")); !cmp.Equal(got, []string{"a", "x", "x", "x"}) {
		t.Fatalf("FindChildren(\"\") depth first: %v", got)
	}
}

// TestDestroyOrder_OBJ03 checks Qt's destruction order: destroyed of the
// parent, then each child's, in order; weak refs and IsDestroyed already
// reset inside the handler (qpointerResetBeforeDestroyedSignal); handlers
// disconnected afterwards; the object leaves its parent.
func TestDestroyOrder_OBJ03(t *testing.T) {
	gp := named("gp", nil)
	p := named("p", gp)
	for _, n := range []string{"c1", "c2", "c3"} {
		named(n, p)
	}
	named("g", p.Children()[1])
	var got []string
	w := object.NewWeakRef(p)
	for _, o := range append([]*object.Object{p}, p.FindChildren("")...) {
		o.Destroyed.Connect(func(o *object.Object) {
			got = append(got, o.ObjectName())
			if o.ObjectName() == "p" && (w.Get() != nil || !o.IsDestroyed()) {
				t.Error("weak ref / IsDestroyed not reset before destroyed")
			}
		})
	}
	p.BlockSignals(true) // destroyed is emitted anyway (OBJ-07)
	p.Destroy()
	p.Destroy()
	if want := []string{"p", "c1", "c2", "g", "c3"}; !cmp.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	if p.Destroyed.HasHandlers() || len(gp.Children()) != 0 || p.Parent() != nil || len(p.Children()) != 0 {
		t.Fatal("handlers or tree links left after Destroy")
	}
}

// TestDestroyDisconnects_SIG14: outgoing connections (signals the object
// owns) and incoming ones (receiver-bound) are removed, after destroyed.
func TestDestroyDisconnects_SIG14(t *testing.T) {
	sender, recv := object.New(), object.New()
	var owned signal.Signal0
	owned.SetOwner(sender)
	owned.Connect(func() {})
	sender.Notify.Connect(func(string) {})
	var other signal.Signal0
	n := 0
	id, err := other.ConnectTo(recv, func() { n++ }, signal.DirectConnection)
	if err != nil {
		t.Fatal(err)
	}
	stillThere := false
	recv.Destroyed.Connect(func(*object.Object) { stillThere = other.IsConnected(id) })
	sender.Destroy()
	recv.Destroy()
	other.Emit()
	if owned.HasHandlers() || sender.Notify.HasHandlers() || other.IsConnected(id) || n != 0 {
		t.Fatal("connections survived Destroy")
	}
	if !stillThere {
		t.Fatal("incoming connection removed before destroyed was emitted")
	}
	if _, err := other.ConnectTo(recv, func() {}, signal.DirectConnection); !errors.Is(err, signal.ErrReceiverDestroyed) {
		t.Fatalf("connect to destroyed receiver: %v", err)
	}
}

// TestChildDeletesItsSibling_OBJ04: a child destroying a later sibling
// during the parent's teardown.
func TestChildDeletesItsSibling_OBJ04(t *testing.T) {
	p := named("p", nil)
	c1, c2, c3 := named("c1", p), named("c2", p), named("c3", p)
	var got []string
	c1.Destroyed.Connect(func(*object.Object) { c2.Destroy() })
	for _, c := range []*object.Object{c1, c2, c3} {
		c.Destroyed.Connect(func(o *object.Object) { got = append(got, o.ObjectName()) })
	}
	p.Destroy()
	if want := []string{"c2", "c1", "c3"}; !cmp.Equal(got, want) {
		// c1's first handler destroys c2 before c1's second handler runs.
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestBaseDestroyed_SIG10_SIG15: a queued call to an object destroyed
// before it is delivered is dropped (tst_qobject baseDestroyed), and one to
// a live object survives a plain disconnect.
func TestBaseDestroyed_SIG10_SIG15(t *testing.T) {
	ctx := mainloop.NewContext()
	r := object.New()
	if err := r.MoveToContext(ctx); err != nil {
		t.Fatal(err)
	}
	var s signal.Signal1[int]
	var got []int
	id, _ := s.ConnectTo(r, func(v int) { got = append(got, v) }, signal.QueuedConnection)
	s.Emit(1)
	s.Disconnect(id)
	s.ConnectTo(r, func(v int) { got = append(got, v) }, signal.QueuedConnection)
	s.Emit(2)
	r.Destroy()
	pump(ctx)
	if len(got) != 0 {
		t.Fatalf("calls to a destroyed receiver ran: %v", got)
	}
}

// TestDeleteSelfInSlot_SIG08: a handler destroys its own receiver; the
// receiver's later connections in the same emission are skipped.
func TestDeleteSelfInSlot_SIG08(t *testing.T) {
	r := object.New()
	var s signal.Signal0
	var got []string
	s.ConnectTo(r, func() { got = append(got, "first"); r.Destroy() }, signal.DirectConnection)
	s.ConnectTo(r, func() { got = append(got, "second") }, signal.DirectConnection)
	s.Connect(func() { got = append(got, "plain") })
	s.Emit()
	if !cmp.Equal(got, []string{"first", "plain"}) || s.HandlerCount() != 1 {
		t.Fatalf("got %v, %d handlers", got, s.HandlerCount())
	}
}

// TestDeleteLater_OBJ06: not immediate; runs on the object's context;
// repeated calls coalesce; from any goroutine.
func TestDeleteLater_OBJ06(t *testing.T) {
	ctx := loop(t)
	var o *object.Object
	on(ctx, func() { o = object.New() }) // affinity: ctx
	if o.MainContext() != ctx {
		t.Fatal("object made on the loop does not live there")
	}
	var mu sync.Mutex
	calls, onCtx := 0, false
	o.Destroyed.Connect(func(*object.Object) { mu.Lock(); calls++; onCtx = ctx.IsOwner(); mu.Unlock() })
	on(ctx, func() {
		o.DeleteLater()
		o.DeleteLater()
		if o.IsDestroyed() {
			t.Error("DeleteLater destroyed at once")
		}
	})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(o.DeleteLater)
	}
	wg.Wait()
	on(ctx, func() {})
	on(ctx, func() {})
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 || !onCtx || !o.IsDestroyed() {
		t.Fatalf("destroyed %d times, on context %v", calls, onCtx)
	}
}

func TestDeleteLaterCancelledByDestroy_OBJ06(t *testing.T) {
	ctx := mainloop.NewContext()
	o := object.New()
	o.MoveToContext(ctx)
	n := 0
	o.Destroyed.Connect(func(*object.Object) { n++ })
	o.DeleteLater()
	o.Destroy()
	runLoop(ctx)
	if n != 1 {
		t.Fatalf("destroyed %d times", n)
	}
}

// TestMoveToContext_OBJ05: refused with a parent; children follow; a
// pending DeleteLater moves along.
func TestMoveToContext_OBJ05(t *testing.T) {
	a, b := mainloop.NewContext(), mainloop.NewContext()
	p := named("p", nil)
	c := named("c", p)
	g := named("g", c)
	cap := logging.StartCapture()
	err := c.MoveToContext(a)
	cap.Stop()
	if !errors.Is(err, object.ErrHasParent) || cap.Count("critical", "Cannot move objects with a parent") != 1 {
		t.Fatalf("move with parent: %v %v", err, cap.Records())
	}
	g.DeleteLater()
	if err := p.MoveToContext(a); err != nil {
		t.Fatal(err)
	}
	for _, o := range []*object.Object{p, c, g} {
		if o.MainContext() != a {
			t.Fatalf("%s did not follow", o.ObjectName())
		}
	}
	if err := p.MoveToContext(a); err != nil {
		t.Fatal("move to the same context:", err)
	}
	runLoop(b)
	runLoop(mainloop.Default())
	if g.IsDestroyed() {
		t.Fatal("DeleteLater ran on the old context")
	}
	runLoop(a)
	if !g.IsDestroyed() || c.IsDestroyed() {
		t.Fatal("DeleteLater did not move along")
	}
	if err := p.MoveToContext(nil); !errors.Is(err, object.ErrNilContext) {
		t.Fatal(err)
	}
	p.Destroy()
	if err := p.MoveToContext(b); !errors.Is(err, object.ErrDestroyed) {
		t.Fatal(err)
	}
}

// TestBlockSignals_SIG12: mutes owned signals and Notify; returns the
// previous state.
func TestBlockSignals_SIG12(t *testing.T) {
	o := object.New()
	var s signal.Signal0
	s.SetOwner(o)
	n := 0
	s.Connect(func() { n++ })
	o.Notify.Connect(func(string) { n++ })
	p, _ := object.NewProperty(o, "v", 0, 0)
	if was := o.BlockSignals(true); was {
		t.Fatal("was blocked")
	}
	s.Emit()
	p.Set(1)
	if was := o.BlockSignals(false); !was || !(n == 0) {
		t.Fatalf("blocked signals ran: %d", n)
	}
	s.Emit()
	p.Set(2)
	if n != 2 {
		t.Fatalf("%d calls after unblocking, want 2", n)
	}
}

// TestData is tst_qobject testUserData (100 values under distinct keys,
// each read back) plus removal with nil.
func TestData(t *testing.T) {
	o := object.New()
	for i := range 100 {
		o.SetData(fmt.Sprint("id", (i*37)%100), i)
	}
	for i := range 100 {
		if got := o.Data(fmt.Sprint("id", (i*37)%100)); got != i {
			t.Fatalf("Data(id%d) = %v, want %d", (i*37)%100, got, i)
		}
	}
	o.SetData("k", 1)
	if o.Data("k") != 1 || o.Data("x") != nil {
		t.Fatal("Data")
	}
	o.SetData("k", nil)
	if o.Data("k") != nil {
		t.Fatal("SetData(nil) did not remove")
	}
}

func TestZeroValueObject(t *testing.T) {
	var o object.Object
	if o.MainContext() != mainloop.Default() || o.Self() != &o {
		t.Fatal("zero Object did not initialise itself")
	}
	c := object.New()
	c.SetParent(&o)
	o.Destroy()
	if !c.IsDestroyed() {
		t.Fatal("child survived")
	}
}

func TestWeakRefCollected(t *testing.T) {
	w := object.NewWeakRef(object.New())
	for i := 0; i < 10 && w.Get() != nil; i++ {
		runtime.GC()
	}
	if w.Get() != nil {
		t.Fatal("weak ref kept the object alive")
	}
	o := object.New()
	w = object.NewWeakRef(o)
	if w.Get() != o {
		t.Fatal("weak ref lost a live object")
	}
	runtime.KeepAlive(o)
}

// TestAddDestroyNotify: notifies run once, in order, after destroyed; a
// removed one does not run; one added after destruction runs at once.
func TestAddDestroyNotify(t *testing.T) {
	o := object.New()
	var got []string
	o.Destroyed.Connect(func(*object.Object) { got = append(got, "destroyed") })
	o.AddDestroyNotify(func() { got = append(got, "n1") })
	rm := o.AddDestroyNotify(func() { got = append(got, "removed") })
	o.AddDestroyNotify(func() { got = append(got, "n3") })
	rm()
	o.Destroy()
	o.AddDestroyNotify(func() { got = append(got, "late") })
	if want := []string{"destroyed", "n1", "n3", "late"}; !cmp.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestSenderDestroyedInSlot_SIG08: a handler that destroys the sender
// abandons the rest of that emission (tst_qobject emitInDefinedOrder).
func TestSenderDestroyedInSlot_SIG08(t *testing.T) {
	sender := object.New()
	var s signal.Signal0
	s.SetOwner(sender)
	var got []string
	s.Connect(func() { got = append(got, "first"); sender.Destroy() })
	s.Connect(func() { got = append(got, "second") })
	s.Emit()
	if !cmp.Equal(got, []string{"first"}) || s.HasHandlers() {
		t.Fatalf("got %v, handlers left %v", got, s.HasHandlers())
	}
}

// TestDeleteLaterLoopLevel_OBJ06: a nested loop run from the callback that
// called DeleteLater does not destroy the object; returning to the outer
// loop does (called outside any loop: TestDeleteLaterOutsideLoops_OBJ06).
func TestDeleteLaterLoopLevel_OBJ06(t *testing.T) {
	ctx := mainloop.NewContext()
	o := object.New()
	o.MoveToContext(ctx)
	ctx.Acquire()
	defer ctx.Release()
	var steps []string
	src := mainloop.NewIdleSource()
	src.SetCallback(func() bool {
		o.DeleteLater()
		for ctx.Iteration(false) { // nested loop level
		}
		steps = append(steps, "nested loop done, destroyed="+fmt.Sprint(o.IsDestroyed()))
		return false
	})
	src.Attach(ctx)
	pump(ctx)
	if want := []string{"nested loop done, destroyed=false"}; !cmp.Equal(steps, want) || !o.IsDestroyed() {
		t.Fatalf("steps %v, destroyed at the end %v", steps, o.IsDestroyed())
	}
}

// TestPanicPolicy: a panicking Destroyed handler unwinds to the caller of
// Destroy; the object stays destroyed and a second Destroy does nothing.
func TestPanicPolicy(t *testing.T) {
	o := object.New()
	o.Destroyed.Connect(func(*object.Object) { panic("boom") })
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("recovered %v", r)
			}
		}()
		o.Destroy()
	}()
	if !o.IsDestroyed() {
		t.Fatal("not destroyed after a panicking handler")
	}
	o.Destroy() // no second emission, no panic
}
