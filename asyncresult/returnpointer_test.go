package asyncresult_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/leakcheck"
)

// payload stands for the object of /gtask/return-pointer; it is big enough
// not to be a tiny allocation, so that it is collected on its own.
type payload struct{ _ [64]byte }

// /gtask/return-pointer (TASK-6, TASK-8): the task owns a returned value
// until Propagate steals it. A value nobody propagates is released with the
// task, also when a cancel replaced it by CANCELLED; a propagated value is
// no longer held by the task, which is still alive. GLib counts references;
// here a cleanup tells when the value is collected.
func TestReturnPointer_TASK8(t *testing.T) {
	cases := []struct {
		name              string
		cancel, propagate bool
	}{
		{"not propagated: released with the task", false, false},
		{"overwritten by CANCELLED: not handed out, released with the task", true, true},
		{"propagated: stolen from the task", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			var c *cancellable.Cancellable
			if tc.cancel {
				c = cancellable.New()
			}
			task := asyncresult.NewTask[*payload](nil, c, nil)
			p := &payload{}
			w := leakcheck.Watch(p)
			task.Return(p)
			c.Cancel()
			if tc.propagate {
				v, err := task.Propagate()
				switch {
				case tc.cancel && (v != nil || !cancelledErr(err)):
					t.Fatalf("Propagate after cancel = %v, %v; want nil and CANCELLED", v, err)
				case !tc.cancel && (v != p || err != nil):
					t.Fatalf("Propagate = %p, %v; want %p", v, err, p)
				}
			}
			p = nil
			stolen := tc.propagate && !tc.cancel
			if stolen && !w.Collected() {
				t.Fatal("the task still holds a value it handed over")
			}
			h.Until(task.Completed)
			if !stolen && !w.Held() {
				t.Fatal("the value was released while the task that holds it is alive")
			}
			runtime.KeepAlive(task)
			task = nil
			if !w.Collected() {
				t.Fatal("the value outlived the task")
			}
		})
	}
}

// /gtask/object-keepalive (TASK-15): the task keeps its source object alive
// while it lives, even when the caller dropped it; the callback gets that
// object, the task is valid for it, and the object goes with the task.
func TestObjectKeepalive_TASK15(t *testing.T) {
	h := newHarness(t)
	src := &payload{}
	srcAddr := fmt.Sprintf("%p", src)
	w := leakcheck.Watch(src)
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
	if !w.Held() {
		t.Fatal("the source object was released while its task lives")
	}
	task.Return(magic)
	h.Until(func() bool { return notified })
	if !w.Held() {
		t.Fatal("the source object was released while its task lives")
	}
	runtime.KeepAlive(task)
	if !valid || completedInside || result != magic {
		t.Fatalf("callback: valid=%v completed=%v result=%d", valid, completedInside, result)
	}
	task = nil
	if !w.Collected() {
		t.Fatal("the source object outlived its task")
	}
}
