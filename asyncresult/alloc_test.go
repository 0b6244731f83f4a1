//go:build !race

package asyncresult_test

import (
	"testing"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/mainloop"
)

// TestTaskAllocs pins what a task costs (the race detector's
// instrumentation allocates, so this file is not built under it): the
// Task (1), plus, for a task delivered in a later iteration, the posted
// call that delivers it (1). The delivery used to attach an idle source per
// task (5 allocations in all), and the "completed" property's table was
// made by every NewTask (3, then 2), not only when someone looks.
func TestTaskAllocs(t *testing.T) {
	ctx := mainloop.NewContext()
	if err := ctx.PushThreadDefault(); err != nil {
		t.Fatal(err)
	}
	defer ctx.PopThreadDefault()
	calls := 0
	cb := func(_ any, res asyncresult.AsyncResult) {
		calls++
		_, _ = asyncresult.Propagate[int](res)
	}
	deferred := testing.AllocsPerRun(500, func() {
		task := asyncresult.NewTask[int](nil, nil, cb)
		task.Return(1)
		for ctx.Iteration(false) {
		}
	})
	if deferred > 2 {
		t.Errorf("deferred delivery: %.2f allocations per task, want at most 2", deferred)
	}

	var task *asyncresult.Task[int]
	idle := mainloop.NewIdleSource()
	idle.SetCallback(func() bool {
		if task != nil {
			task.Return(1) // delivered at once: a later iteration than NewTask's
			task = nil
		}
		return mainloop.SourceContinue
	})
	idle.Attach(ctx)
	defer idle.Destroy()
	ctx.Iteration(false)
	direct := testing.AllocsPerRun(500, func() {
		task = asyncresult.NewTask[int](nil, nil, cb)
		ctx.Iteration(false)
	})
	if direct > 1 {
		t.Errorf("direct delivery: %.2f allocations per task, want at most 1", direct)
	}
	if calls < 1000 {
		t.Errorf("%d callbacks, want one per task", calls)
	}
}
