package asyncresult_test

import (
	"errors"
	"testing"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/looptest"
	"github.com/sigloop/sigloop/internal/racedetect"
	"github.com/sigloop/sigloop/mainloop"
)

// This file holds what the tests of Task and Result share (the result
// interface, the kinds, the zero and nil values of both) and Result's own
// tests.

// result is what a Task and a Result share: the tests of GTask's delivery
// rules (TASK-3, TASK-5, TASK-6, TASK-10, TASK-13) run for both kinds.
type result interface {
	asyncresult.AsyncResult
	Return(v int)
	ReturnError(err error)
	Propagate() (int, error)
	HadError() bool
	SetPriority(p int)
	Priority() int
	SetName(name string)
	Name() string
	SetSourceTag(tag any)
	SourceTag() any
	SetCheckCancellable(check bool)
	Completed() bool
	Cancellable() *cancellable.Cancellable
	MainContext() *mainloop.Context
	AttachSource(s *mainloop.Source, fn mainloop.SourceFunc) mainloop.SourceID
}

// kind makes a result of one kind, as NewTask does.
type kind struct {
	name string
	make func(source any, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) result
}

var kinds = []kind{
	{"Task", func(source any, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) result {
		return asyncresult.NewTask[int](source, c, cb)
	}},
	{"Result", func(source any, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) result {
		r := new(asyncresult.Result[int])
		r.Init(source, c, cb)
		return r
	}},
}

// forKinds runs f as a subtest named name (if not empty), then the kind,
// once for each kind.
func forKinds(t *testing.T, name string, f func(t *testing.T, k kind)) {
	for _, k := range kinds {
		sub := k.name
		if name != "" {
			sub = name + "/" + k.name
		}
		t.Run(sub, func(t *testing.T) { f(t, k) })
	}
}

// A Result is valid for its source, propagates through the package's
// Propagate, compares tags as a Task does, is Completed after (not inside)
// its callback, and gives its callback itself.
func TestResult(t *testing.T) {
	h := newHarness(t)
	src := &struct{ n int }{}
	r := new(asyncresult.Result[int])
	var inside, calls int
	var got int
	var gotErr error
	r.Init(src, nil, func(source any, res asyncresult.AsyncResult) {
		calls++
		if source != src || res != asyncresult.AsyncResult(r) || r.Completed() {
			t.Errorf("callback: source %p, res %p, completed %v", source, res, r.Completed())
		}
		if !asyncresult.IsValid(res, src) || asyncresult.IsValid(res, &struct{ n int }{}) {
			t.Error("IsValid")
		}
		got, gotErr = asyncresult.Propagate[int](res)
		inside = calls
	})
	r.SetSourceTag(tagA)
	if !r.IsTagged(tagA) || r.IsTagged(tagB) || r.IsTagged(nil) || r.SourceTag() == nil {
		t.Fatal("tags")
	}
	if r.MainContext() != h.Ctx || r.UserData() != nil || r.Cancellable() != nil {
		t.Fatal("context, user data or cancellable")
	}
	r.Return(magic)
	if calls != 0 {
		t.Fatal("the callback ran inside the Return that followed Init")
	}
	h.Until(r.Completed)
	if calls != 1 || inside != 1 || got != magic || gotErr != nil {
		t.Fatalf("calls %d, result %d, %v", calls, got, gotErr)
	}
	// Propagate hands the value over once.
	capt := logging.StartCapture()
	_, err := r.Propagate()
	capt.Stop()
	if !errors.Is(err, ioerr.Sentinel(ioerr.Failed)) || capt.Count("critical", "task->result_set") != 1 {
		t.Fatalf("second Propagate: %v, %v", err, capt.Records())
	}
	// A Result of another type gives only its error to Propagate.
	e := new(asyncresult.Result[string])
	e.Init(nil, nil, nil)
	e.ReturnError(errors.New("boom"))
	if _, err := asyncresult.Propagate[int](e); err == nil || err.Error() != "boom" {
		t.Fatalf("Propagate of a Result[string] with an error: %v", err)
	}
	looptest.Pump(h.Ctx)
}

// A result returned from another goroutine is delivered on its context.
func TestResultFromOtherGoroutine(t *testing.T) {
	h := newHarness(t)
	onContext := false
	r := new(asyncresult.Result[int])
	r.Init(nil, nil, func(any, asyncresult.AsyncResult) { onContext = h.Ctx.IsOwner() })
	done := make(chan struct{})
	go func() { defer close(done); r.Return(1) }()
	recv(t, done, "the other goroutine's Return")
	h.Until(r.Completed)
	if !onContext {
		t.Fatal("the callback did not run on the result's context")
	}
}

// A Result embedded in its operation costs nothing more: Init, Return and
// the posted delivery allocate nothing.
func TestResultAllocs(t *testing.T) {
	if racedetect.Enabled {
		t.Skip("the race detector allocates")
	}
	h := newHarness(t)
	type op struct {
		asyncresult.Result[int]
		n int
	}
	o := new(op)
	calls := 0
	cb := func(any, asyncresult.AsyncResult) { calls++ }
	run := func() {
		*o = op{}
		o.Init(nil, nil, cb)
		o.SetPriority(mainloop.PriorityDefault)
		o.SetName("op")
		o.Return(1)
		h.Ctx.Iteration(false)
	}
	run()
	if n := testing.AllocsPerRun(200, run); n != 0 {
		t.Fatalf("%v allocations per result", n)
	}
	if calls != 202 { // AllocsPerRun runs it once more, unmeasured
		t.Fatalf("%d callbacks for 202 results", calls)
	}
}

// A zero Task and a nil *Task are not usable: every method logs GLib's
// "assertion 'G_IS_TASK (task)' failed" critical naming the call, returns
// the zero result, and never panics.
func TestZeroAndNilTask(t *testing.T) {
	noop := func(*asyncresult.Task[int], any, *cancellable.Cancellable) {}
	task := func(r result) *asyncresult.Task[int] { return r.(*asyncresult.Task[int]) }
	checkUnusable[asyncresult.Task[int]](t, append(sharedUnusable(t), []unusableCase{
		{"SetUserData", "g_task_set_task_data", func(r result) { task(r).SetUserData(1) }},
		{"CheckCancellable", "g_task_get_check_cancellable", func(r result) { zero(t, task(r).CheckCancellable()) }},
		{"SetReturnOnCancel", "g_task_set_return_on_cancel", func(r result) { zero(t, task(r).SetReturnOnCancel(true)) }},
		{"ReturnOnCancel", "g_task_get_return_on_cancel", func(r result) { zero(t, task(r).ReturnOnCancel()) }},
		{"ReturnPrefixedError", "g_task_return_error", func(r result) { task(r).ReturnPrefixedError(errors.New("x"), "p: ") }},
		{"ReturnErrorIfCancelled", "g_task_return_error_if_cancelled", func(r result) { zero(t, task(r).ReturnErrorIfCancelled()) }},
		{"RunInThread", "g_task_run_in_thread", func(r result) { task(r).RunInThread(noop) }},
		{"RunInThreadSync", "g_task_run_in_thread_sync", func(r result) { task(r).RunInThreadSync(noop) }},
	}...))
	// The package functions refuse them too.
	capt := logging.StartCapture()
	defer capt.Stop()
	var nilTask *asyncresult.Task[int]
	for _, res := range []asyncresult.AsyncResult{nilTask, new(asyncresult.Task[int])} {
		if asyncresult.IsValid(res, nil) {
			t.Errorf("IsValid(%T) is true", res)
		}
		if _, err := asyncresult.Propagate[int](res); !errors.Is(err, ioerr.Sentinel(ioerr.InvalidArgument)) {
			t.Errorf("Propagate = %v, want INVALID_ARGUMENT", err)
		}
	}
}

// A zero Result and a nil *Result are not usable: every method logs GLib's
// "assertion 'G_IS_TASK (task)' failed" critical naming the call and
// returns the zero result, and Init of a nil *Result logs its own critical.
func TestZeroAndNilResult(t *testing.T) {
	checkUnusable[asyncresult.Result[int]](t, sharedUnusable(t))
	capt := logging.StartCapture()
	defer capt.Stop()
	var nilResult *asyncresult.Result[int]
	nilResult.Init(nil, nil, nil)
	for _, res := range []asyncresult.AsyncResult{nilResult, new(asyncresult.Result[int])} {
		if asyncresult.IsValid(res, nil) {
			t.Errorf("IsValid(%T) is true", res)
		}
		if _, err := asyncresult.Propagate[int](res); !errors.Is(err, ioerr.Sentinel(ioerr.InvalidArgument)) {
			t.Errorf("Propagate = %v, want INVALID_ARGUMENT", err)
		}
	}
	if capt.Count("critical", "asyncresult.Result.Init") != 1 {
		t.Errorf("Init of a nil *Result: %v", capt.Records())
	}
}

// zero fails the test unless v is its type's zero value.
func zero[V comparable](t *testing.T, v V) {
	t.Helper()
	var z V
	if v != z {
		t.Errorf("got %v, want the zero value", v)
	}
}

// unusableCase is one method call on an unusable Task or Result, and the
// GLib call its critical names.
type unusableCase struct {
	name string
	fn   string // the GLib call the critical names
	call func(r result)
}

// sharedUnusable are the calls a Task and a Result have in common.
func sharedUnusable(t *testing.T) []unusableCase {
	return []unusableCase{
		{"SourceObject", "g_async_result_get_source_object", func(r result) { zero(t, r.SourceObject()) }},
		{"UserData", "g_async_result_get_user_data", func(r result) { zero(t, r.UserData()) }},
		{"IsTagged", "g_async_result_is_tagged", func(r result) { zero(t, r.IsTagged(nil)) }},
		{"Cancellable", "g_task_get_cancellable", func(r result) { zero(t, r.Cancellable()) }},
		{"MainContext", "g_task_get_context", func(r result) { zero(t, r.MainContext()) }},
		{"SetPriority", "g_task_set_priority", func(r result) { r.SetPriority(1) }},
		{"Priority", "g_task_get_priority", func(r result) { zero(t, r.Priority()) }},
		{"SetName", "g_task_set_name", func(r result) { r.SetName("n") }},
		{"Name", "g_task_get_name", func(r result) { zero(t, r.Name()) }},
		{"SetSourceTag", "g_task_set_source_tag", func(r result) { r.SetSourceTag(1) }},
		{"SourceTag", "g_task_get_source_tag", func(r result) { zero(t, r.SourceTag()) }},
		{"SetCheckCancellable", "g_task_set_check_cancellable", func(r result) { r.SetCheckCancellable(false) }},
		{"Completed", "g_task_get_completed", func(r result) { zero(t, r.Completed()) }},
		{"Return", "g_task_return_pointer", func(r result) { r.Return(1) }},
		{"ReturnError", "g_task_return_error", func(r result) { r.ReturnError(errors.New("x")) }},
		{"Propagate", "g_task_propagate_pointer", func(r result) {
			v, err := r.Propagate()
			if v != 0 || !errors.Is(err, ioerr.Sentinel(ioerr.InvalidArgument)) {
				t.Errorf("Propagate = %v, %v; want 0 and INVALID_ARGUMENT", v, err)
			}
		}},
		{"HadError", "g_task_had_error", func(r result) { zero(t, r.HadError()) }},
		{"AttachSource", "g_task_attach_source", func(r result) {
			s := mainloop.NewIdleSource()
			defer s.Destroy()
			zero(t, r.AttachSource(s, func() bool { return mainloop.SourceRemove }))
		}},
	}
}

// checkUnusable runs each case on a zero and on a nil *R, and fails the
// test unless each logs exactly GLib's "assertion 'G_IS_TASK (task)'
// failed" critical for the case's call.
func checkUnusable[R any, P interface {
	*R
	result
}](t *testing.T, cases []unusableCase) {
	t.Helper()
	for _, tc := range cases {
		for _, kind := range []string{"zero", "nil"} {
			t.Run(tc.name+"/"+kind, func(t *testing.T) {
				r := P(new(R))
				if kind == "nil" {
					r = nil
				}
				capt := logging.StartCapture()
				tc.call(r)
				recs := capt.Stop()
				if len(recs) != 1 || recs[0].Level != "critical" || recs[0].Message != tc.fn+": assertion 'G_IS_TASK (task)' failed" {
					t.Errorf("records = %+v, want one critical for %s", recs, tc.fn)
				}
			})
		}
	}
}
