package asyncresult_test

import (
	"fmt"
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

// /gtask/object-keepalive (TASK-15): the task keeps its source object alive
// while it lives, even when the caller dropped it; the callback gets that
// object, the task is valid for it, and the object goes with the task.
func TestObjectKeepalive_TASK15(t *testing.T) {
	h := newHarness(t)
	src := &payload{}
	srcAddr := fmt.Sprintf("%p", src)
	gone := track(src)
	var result int
	valid, completedInside, notified := false, true, false
	task := asyncresult.NewTask[int](src, nil, func(source any, res asyncresult.AsyncResult) {
		valid = fmt.Sprintf("%p", source) == srcAddr && asyncresult.IsValid(res, source) &&
			res.SourceObject() == source
		tk := res.(*asyncresult.Task[int])
		completedInside = tk.Completed()
		if tk.HadError() {
			t.Error("HadError inside the callback")
		}
		result, _ = tk.Propagate()
	})
	task.Notify.ConnectDetailed("completed", func(string) { notified = true })
	if task.SourceObject() != src {
		t.Fatal("SourceObject is not the source")
	}
	src = nil
	if !stillHeld(gone) {
		t.Fatal("the source object was released while its task lives")
	}
	task.Return(magic)
	h.Until(func() bool { return notified })
	if !stillHeld(gone) {
		t.Fatal("the source object was released while its task lives")
	}
	runtime.KeepAlive(task)
	if !valid || completedInside || result != magic {
		t.Fatalf("callback: valid=%v completed=%v result=%d", valid, completedInside, result)
	}
	task = nil
	if !collected(gone) {
		t.Fatal("the source object outlived its task")
	}
}
