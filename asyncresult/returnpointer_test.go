package asyncresult_test

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
)

// payload stands for the object of /gtask/return-pointer; it is big enough
// not to be a tiny allocation, so that its cleanup runs when it alone dies.
type payload struct{ _ [64]byte }

// track returns a flag that becomes true once p is garbage collected (GLib
// checks the ref count and a weak pointer; Go's equivalent is a cleanup).
func track(p *payload) *atomic.Bool {
	var gone atomic.Bool
	runtime.AddCleanup(p, func(g *atomic.Bool) { g.Store(true) }, &gone)
	return &gone
}

// collected runs collections until gone is set, or a bound passes.
func collected(gone *atomic.Bool) bool {
	for range 200 {
		runtime.GC()
		if gone.Load() {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return false
}

// stillHeld runs a few collections and reports whether the value is still
// alive.
func stillHeld(gone *atomic.Bool) bool {
	for range 3 {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	return !gone.Load()
}

// /gtask/return-pointer (TASK-6, TASK-8): the task owns a returned value
// until Propagate steals it. A value nobody propagates is released with the
// task, also when a cancel replaced it by CANCELLED; a propagated value is
// no longer held by the task, which is still alive.
func TestReturnPointer_TASK8(t *testing.T) {
	t.Run("not propagated: released with the task", func(t *testing.T) {
		h := newHarness(t)
		task := asyncresult.NewTask[*payload](nil, nil, nil)
		p := &payload{}
		gone := track(p)
		task.Return(p)
		p = nil
		h.Until(task.Completed)
		if !stillHeld(gone) {
			t.Fatal("the value was released while the task that holds it is alive")
		}
		runtime.KeepAlive(task)
		task = nil
		if !collected(gone) {
			t.Fatal("the value outlived the task")
		}
	})
	t.Run("overwritten by CANCELLED: not handed out, released with the task", func(t *testing.T) {
		h := newHarness(t)
		c := cancellable.New()
		task := asyncresult.NewTask[*payload](nil, c, nil)
		p := &payload{}
		gone := track(p)
		task.Return(p)
		p = nil
		c.Cancel()
		v, err := task.Propagate()
		if v != nil || !cancelledErr(err) {
			t.Fatalf("Propagate after cancel = %v, %v; want nil and CANCELLED", v, err)
		}
		if !stillHeld(gone) {
			t.Fatal("the value was released before the task")
		}
		h.Until(task.Completed)
		runtime.KeepAlive(task)
		task = nil
		if !collected(gone) {
			t.Fatal("the value outlived the task")
		}
	})
	t.Run("propagated: stolen from the task", func(t *testing.T) {
		h := newHarness(t)
		task := asyncresult.NewTask[*payload](nil, nil, nil)
		p := &payload{}
		gone := track(p)
		task.Return(p)
		v, err := task.Propagate()
		if v != p || err != nil {
			t.Fatalf("Propagate = %p, %v; want %p", v, err, p)
		}
		p, v = nil, nil
		if !collected(gone) {
			t.Fatal("the task still holds a value it handed over")
		}
		h.Until(task.Completed)
	})
}
