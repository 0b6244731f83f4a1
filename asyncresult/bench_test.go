package asyncresult_test

import (
	"testing"
	"time"

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

// BenchmarkResultDeferred is BenchmarkTaskDeferred for a Result embedded
// in an operation, named and tagged as gio's pollable ops are, in the same
// run as the Task it replaces there: "result/task" is the time ratio.
func BenchmarkResultDeferred(b *testing.B) {
	ctx := newHarness(b).Ctx
	cb := func(_ any, res asyncresult.AsyncResult) { _, _ = asyncresult.Propagate[int](res) }
	type op struct {
		asyncresult.Result[int]
		n int
	}
	result := func() {
		o := new(op)
		o.Init(nil, nil, cb)
		o.SetPriority(mainloop.PriorityDefault)
		o.SetSourceTag(tagA)
		o.SetName("op")
		o.Return(1)
		ctx.Iteration(false)
	}
	task := func() {
		t := asyncresult.NewTask[int](nil, nil, cb)
		t.SetPriority(mainloop.PriorityDefault)
		t.SetSourceTag(tagA)
		t.SetName("op")
		t.Return(1)
		ctx.Iteration(false)
	}
	const n = 2000
	var resultNS, taskNS int64
	for b.Loop() {
		resultNS += timeN(n, result)
		taskNS += timeN(n, task)
	}
	b.ReportMetric(float64(resultNS)/float64(taskNS), "result/task")
	b.ReportMetric(float64(resultNS)/float64(n*b.N), "result-ns/op")
}

// timeN is the time n calls of f take, in nanoseconds.
func timeN(n int, f func()) int64 {
	start := time.Now()
	for range n {
		f()
	}
	return time.Since(start).Nanoseconds()
}

// BenchmarkRunInThreadSync is one round trip through the task pool.
func BenchmarkRunInThreadSync(b *testing.B) {
	fn := func(t *asyncresult.Task[int], _ any, _ *cancellable.Cancellable) { t.Return(1) }
	for b.Loop() {
		t := asyncresult.NewTask[int](nil, nil, nil)
		t.RunInThreadSync(fn)
	}
}
