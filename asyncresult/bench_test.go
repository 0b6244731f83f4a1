package asyncresult_test

import (
	"testing"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/mainloop"
)

// BenchmarkTaskDeferred is NewTask, Return outside any dispatch (an idle
// delivers it) and the iteration that delivers it.
func BenchmarkTaskDeferred(b *testing.B) {
	ctx := newHarness(b).Ctx
	cb := func(_ any, res asyncresult.AsyncResult) { _, _ = asyncresult.Propagate[int](res) }
	for b.Loop() {
		t := asyncresult.NewTask[int](nil, nil, cb)
		t.Return(1)
		ctx.Iteration(false)
	}
}

// BenchmarkTaskSync is NewTask and a Return delivered synchronously from a
// later dispatch of the task's context (the TASK-3 fast path); the
// iteration is included.
func BenchmarkTaskSync(b *testing.B) {
	ctx := newHarness(b).Ctx
	cb := func(_ any, res asyncresult.AsyncResult) { _, _ = asyncresult.Propagate[int](res) }
	var t *asyncresult.Task[int]
	idle := mainloop.NewIdleSource()
	idle.SetCallback(func() bool { t.Return(1); return mainloop.SourceContinue })
	idle.Attach(ctx)
	defer idle.Destroy()
	for b.Loop() {
		t = asyncresult.NewTask[int](nil, nil, cb)
		ctx.Iteration(false)
	}
}

// BenchmarkRunInThreadSync is one round trip through the task pool.
func BenchmarkRunInThreadSync(b *testing.B) {
	fn := func(t *asyncresult.Task[int], _ any, _ *cancellable.Cancellable) { t.Return(1) }
	for b.Loop() {
		t := asyncresult.NewTask[int](nil, nil, nil)
		t.RunInThreadSync(fn)
	}
}
