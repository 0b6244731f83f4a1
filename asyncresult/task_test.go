package asyncresult_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/looptest"
	"github.com/sigloop/sigloop/mainloop"
)

const magic = 42

// recorder is a ReadyCallback that checks the TASK-2 invariants and records
// what it saw.
type recorder struct {
	t          *testing.T
	ctx        *mainloop.Context
	calls      int
	value      int
	err        error
	onContext  bool
	completed  bool // Completed() inside the callback
	notified   bool // notify::completed seen
	notifyLate bool // notify came after the callback, completed, on the context
	insideCall *bool
}

func (r *recorder) cb(source any, res asyncresult.AsyncResult) {
	r.calls++
	r.onContext = mainloop.ThreadDefault() == r.ctx && r.ctx.IsOwner()
	task := res.(*asyncresult.Task[int])
	r.completed = task.Completed()
	r.value, r.err = task.Propagate()
}

// watch connects notify::completed on task.
func (r *recorder) watch(task *asyncresult.Task[int]) {
	task.Notify.ConnectDetailed("completed", func(string) {
		r.notified = true
		r.notifyLate = task.Completed() && r.calls == 1 && r.ctx.IsOwner()
	})
}

// newRecordedTask gives a test its harness, a cancellable and a task on it
// whose callback r records.
func newRecordedTask(t *testing.T) (*looptest.Loop, *cancellable.Cancellable, *recorder, *asyncresult.Task[int]) {
	h := newHarness(t)
	c := cancellable.New()
	r := &recorder{t: t, ctx: h.Ctx}
	return h, c, r, asyncresult.NewTask[int](nil, c, r.cb)
}

// waitCancelled iterates h until r's callback has run, and fails the test
// unless it got GLib's CANCELLED.
func (r *recorder) waitCancelled(h *looptest.Loop) {
	r.t.Helper()
	h.Until(func() bool { return r.calls > 0 })
	if !cancelledErr(r.err) {
		r.t.Fatalf("err = %v", r.err)
	}
}

func cancelledErr(err error) bool {
	return errors.Is(err, ioerr.Sentinel(ioerr.Cancelled)) && errors.Is(err, context.Canceled)
}

// /gtask/basic: made outside any dispatch, returned from a later idle: the
// callback runs synchronously inside Return, on the context, with completed
// false, then notify::completed.
func TestBasic_TASK1_TASK2_TASK3(t *testing.T) {
	h := newHarness(t)
	r := &recorder{t: t, ctx: h.Ctx}
	task := asyncresult.NewTask[int](nil, nil, r.cb)
	r.watch(task)
	if task.MainContext() != h.Ctx {
		t.Fatal("the task did not capture the thread-default context")
	}
	if task.Priority() != mainloop.PriorityDefault || !task.CheckCancellable() || task.ReturnOnCancel() {
		t.Fatal("wrong defaults")
	}
	h.Idle(func() {
		task.Return(magic)
		if r.calls != 1 {
			t.Errorf("returned from a later iteration of its context: callback not synchronous (calls=%d)", r.calls)
		}
	})
	if !r.onContext || r.completed || r.value != magic || r.err != nil {
		t.Fatalf("callback: %+v", r)
	}
	if !task.Completed() || !r.notified || !r.notifyLate {
		t.Fatalf("completed=%v notified=%v late=%v", task.Completed(), r.notified, r.notifyLate)
	}
	if v, err := task.Property("completed"); v != true || err != nil {
		t.Fatalf("Property(\"completed\") = %v, %v", v, err)
	}
}

// /gtask/return-prefixed-error (TASK-8).
func TestReturnPrefixedError_TASK8(t *testing.T) {
	h := newHarness(t)
	orig := ioerr.New(ioerr.Failed, "oh no!")
	task := asyncresult.NewTask[int](nil, nil, nil)
	task.ReturnPrefixedError(orig, "task %s: ", "failed")
	h.Until(task.Completed)
	_, err := task.Propagate()
	var ie *ioerr.Error
	if err == nil || err.Error() != "task failed: oh no!" || !errors.As(err, &ie) || ie.Code != ioerr.Failed {
		t.Fatalf("err = %v", err)
	}
	if orig.Message != "oh no!" {
		t.Fatal("the original error was modified")
	}
	plain := errors.New("plain")
	task2 := asyncresult.NewTask[int](nil, nil, nil)
	task2.ReturnPrefixedError(plain, "ctx: ")
	h.Until(task2.Completed)
	if _, err := task2.Propagate(); err == nil || err.Error() != "ctx: plain" || !errors.Is(err, plain) {
		t.Fatalf("err = %v", err)
	}
}

// The TASK-3 table: where the task is made and where it is returned.
func TestDeliveryRule_TASK3(t *testing.T) {
	cases := []struct {
		name          string
		createInIdle  bool
		returnInIdle  bool // a later idle than the creation
		sameIteration bool
		cancelled     bool
		sync          bool
	}{
		{name: "created and returned in the same idle (return-from-same-iteration)", createInIdle: true, sameIteration: true, sync: false},
		{name: "created and returned at top level (return-from-toplevel)", sync: false},
		{name: "created at top level, returned in an idle (basic)", returnInIdle: true, sync: true},
		{name: "created in an idle, returned in a later idle", createInIdle: true, returnInIdle: true, sync: true},
		{name: "returned in a later idle but cancelled", returnInIdle: true, cancelled: true, sync: false},
		{name: "created in an idle, returned at top level", createInIdle: true, sync: false},
	}
	for _, tc := range cases {
		forKinds(t, tc.name, func(t *testing.T, k kind) {
			h := newHarness(t)
			c := cancellable.New()
			calls := 0
			var task result
			mk := func() { task = k.make(nil, c, func(any, asyncresult.AsyncResult) { calls++ }) }
			var syncCalls int
			ret := func() {
				if tc.cancelled {
					c.Cancel()
				}
				task.Return(1)
				syncCalls = calls
			}
			switch {
			case tc.createInIdle && tc.sameIteration:
				h.Idle(func() { mk(); ret() })
			case tc.createInIdle:
				h.Idle(mk)
			default:
				mk()
			}
			if !tc.sameIteration {
				if tc.returnInIdle {
					h.Idle(ret)
				} else {
					ret()
				}
			}
			if got := syncCalls == 1; got != tc.sync {
				t.Fatalf("synchronous = %v, want %v", got, tc.sync)
			}
			h.Until(func() bool { return calls > 0 })
			looptest.Pump(h.Ctx)
			if calls != 1 {
				t.Fatalf("callback ran %d times", calls)
			}
		})
	}
}

// /gtask/return-from-anon-thread and /return-from-wrong-thread (TASK-4): a
// return from another goroutine, with or without its own thread-default
// context, calls back on the task's context.
func TestReturnFromOtherGoroutine_TASK4(t *testing.T) {
	for _, ownContext := range []bool{false, true} {
		t.Run(fmt.Sprintf("own context %v", ownContext), func(t *testing.T) {
			h := newHarness(t)
			r := &recorder{t: t, ctx: h.Ctx}
			task := asyncresult.NewTask[int](nil, nil, r.cb)
			done := make(chan struct{})
			go func() {
				defer close(done)
				if ownContext {
					other := mainloop.NewContext()
					if err := other.PushThreadDefault(); err != nil {
						t.Error(err)
						return
					}
					defer other.PopThreadDefault()
				}
				task.Return(magic)
			}()
			recv(t, done, "the returning goroutine")
			if r.calls != 0 {
				t.Fatal("callback ran on the returning goroutine")
			}
			h.Until(func() bool { return r.calls > 0 })
			if !r.onContext || r.value != magic {
				t.Fatalf("callback: %+v", r)
			}
		})
	}
}

// /gtask/no-callback (TASK-9): without a callback, completed is still
// notified, from an idle when returned at top level.
func TestNoCallback_TASK9(t *testing.T) {
	h := newHarness(t)
	task := asyncresult.NewTask[int](nil, nil, nil)
	notified := false
	task.Notify.ConnectDetailed("completed", func(string) { notified = true })
	task.Return(1)
	if notified || task.Completed() {
		t.Fatal("completed synchronously without a callback")
	}
	h.Until(func() bool { return notified })
	if !task.Completed() {
		t.Fatal("not completed")
	}
}

func tagA() {}
func tagB() {}

// /gtask/report-error (TASK-15): tagged, an error, deferred.
func TestReportError_TASK15(t *testing.T) {
	h := newHarness(t)
	want := ioerr.New(ioerr.Failed, "Failure")
	var got error
	calls := 0
	src := &struct{ x int }{}
	h.Idle(func() {
		asyncresult.ReportError(src, func(source any, res asyncresult.AsyncResult) {
			calls++
			if source != src || !res.IsTagged(tagA) || res.IsTagged(tagB) || !asyncresult.IsValid(res, src) {
				t.Errorf("source %v, tagged A %v, tagged B %v", source, res.IsTagged(tagA), res.IsTagged(tagB))
			}
			_, got = asyncresult.Propagate[string](res)
		}, tagA, want)
		if calls != 0 {
			t.Error("ReportError called back synchronously")
		}
	})
	h.Until(func() bool { return calls > 0 })
	if !errors.Is(got, want) {
		t.Fatalf("Propagate = %v, want %v", got, want)
	}
}

// /gtask/priority (TASK-10): tasks returned together complete in priority
// order.
func TestPriority_TASK10(t *testing.T) {
	forKinds(t, "", testPriority)
}

func testPriority(t *testing.T, k kind) {
	h := newHarness(t)
	var order []string
	mk := func(name string, prio int) result {
		task := k.make(nil, nil, func(any, asyncresult.AsyncResult) { order = append(order, name) })
		task.SetPriority(prio)
		return task
	}
	tasks := []result{
		mk("default", mainloop.PriorityDefault),
		mk("high", mainloop.PriorityHigh),
		mk("low", mainloop.PriorityLow),
	}
	for _, task := range tasks {
		task.Return(0)
	}
	h.Until(func() bool { return len(order) == 3 })
	if fmt.Sprint(order) != "[high default low]" {
		t.Fatalf("order %v", order)
	}
}

// /gtask/name, /attach-source/set-name (TASK-13).
func TestName_TASK13(t *testing.T) {
	forKinds(t, "", testName)
}

func testName(t *testing.T, k kind) {
	h := newHarness(t)
	var seen string
	task := k.make(nil, nil, func(_ any, res asyncresult.AsyncResult) {
		seen = res.(result).Name()
		if s := mainloop.CurrentSource(); s == nil || s.Name() != "[gio] some task complete_in_idle_cb" {
			t.Errorf("delivering source %v", s)
		}
	})
	if task.Name() != "" {
		t.Fatal("unset name is not empty")
	}
	task.SetName("some task")
	task.Return(0)
	h.Until(func() bool { return seen != "" })
	if seen != "some task" {
		t.Fatalf("name in callback %q", seen)
	}

	named := mainloop.NewIdleSource()
	named.SetName("mine")
	unnamed := mainloop.NewSource(mainloop.SourceFuncs{
		Prepare: func(*mainloop.Source) (bool, time.Duration) { return true, 0 },
	})
	task2 := k.make(nil, nil, nil)
	task2.SetName("task2")
	task2.SetPriority(mainloop.PriorityHigh)
	task2.AttachSource(named, func() bool { return false })
	task2.AttachSource(unnamed, func() bool { return false })
	if named.Name() != "mine" || unnamed.Name() != "task2" || unnamed.Priority() != mainloop.PriorityHigh {
		t.Fatalf("names %q %q, priority %d", named.Name(), unnamed.Name(), unnamed.Priority())
	}
	if named.MainContext() != h.Ctx {
		t.Fatal("AttachSource attached elsewhere")
	}
	looptest.Pump(h.Ctx)

	capt := logging.StartCapture()
	defer capt.Stop()
	if id := task2.AttachSource(nil, func() bool { return false }); id != 0 {
		t.Fatalf("AttachSource(nil) = %d", id)
	}
	if capt.Count("critical", "g_task_attach_source") != 1 {
		t.Fatalf("AttachSource(nil): %v", capt.Records())
	}
}

// /gtask/asynchronous-cancellation (TASK-3, CAN-11, #1608): a task returned
// from inside the cancelled handler, itself inside a later dispatch of the
// task's context, is still delivered in a later iteration.
func TestAsynchronousCancellation_TASK3_CAN11(t *testing.T) {
	h, c, r, task := newRecordedTask(t)
	c.Connect(func() { task.ReturnErrorIfCancelled() })
	h.Idle(func() {
		c.Cancel()
		if r.calls != 0 {
			t.Error("callback ran inside Cancel")
		}
	})
	r.waitCancelled(h)
}

// /gtask/check-cancellable (TASK-6): the 8 combinations.
func TestCheckCancellable_TASK6(t *testing.T) {
	for _, cancelBefore := range []bool{false, true} {
		for _, cancelAfter := range []bool{false, true} {
			for _, check := range []bool{false, true} {
				name := fmt.Sprintf("before=%v/after=%v/check=%v", cancelBefore, cancelAfter, check)
				forKinds(t, name, func(t *testing.T, k kind) {
					h := newHarness(t)
					c := cancellable.New()
					var value int
					var err error
					var hadError bool
					calls := 0
					task := k.make(nil, c, func(_ any, res asyncresult.AsyncResult) {
						calls++
						tk := res.(result)
						if cancelAfter {
							c.Cancel()
						}
						hadError = tk.HadError()
						value, err = tk.Propagate()
					})
					task.SetCheckCancellable(check)
					if cancelBefore {
						c.Cancel()
					}
					task.Return(magic)
					h.Until(func() bool { return calls > 0 })
					wantCancelled := check && (cancelBefore || cancelAfter)
					if wantCancelled {
						if !cancelledErr(err) || value != 0 || !hadError {
							t.Fatalf("got %d, %v (had error %v); want CANCELLED", value, err, hadError)
						}
					} else if err != nil || value != magic || hadError {
						t.Fatalf("got %d, %v (had error %v); want %d", value, err, hadError, magic)
					}
				})
			}
		}
	}
}

// /gtask/return-if-cancelled (TASK-7).
func TestReturnErrorIfCancelled_TASK7(t *testing.T) {
	h, c, r, task := newRecordedTask(t)
	task.SetCheckCancellable(false)
	if task.ReturnErrorIfCancelled() {
		t.Fatal("returned while not cancelled")
	}
	c.Cancel()
	h.Idle(func() {
		if !task.ReturnErrorIfCancelled() {
			t.Error("did not return while cancelled")
		}
		if r.calls != 0 {
			t.Error("callback ran synchronously though cancelled")
		}
	})
	r.waitCancelled(h)
}

// /gtask/error (TASK-8): an error result is propagated as it was returned,
// HadError stays true after the propagation, and a second Propagate is
// refused with the critical.
func TestPropagate_TASK8(t *testing.T) {
	h := newHarness(t)
	want := ioerr.New(ioerr.Failed, "Failed")
	task := asyncresult.NewTask[int](nil, nil, nil)
	task.ReturnError(want)
	h.Until(task.Completed)
	if !task.HadError() {
		t.Fatal("HadError false")
	}
	if v, err := task.Propagate(); v != 0 || err != want {
		t.Fatalf("Propagate = %d, %v", v, err)
	}
	if !task.HadError() {
		t.Fatal("HadError false after propagation")
	}
	capt := logging.StartCapture()
	_, err := task.Propagate()
	capt.Stop()
	if err == nil || capt.Count("critical", "task->result_set") != 1 {
		t.Fatalf("second Propagate: %v, %v", err, capt.Records())
	}

	task2 := asyncresult.NewTask[[]string](nil, nil, nil)
	task2.Return([]string{"a"})
	h.Until(task2.Completed)
	if v, err := task2.Propagate(); err != nil || len(v) != 1 {
		t.Fatalf("Propagate = %v, %v", v, err)
	}

	capt = logging.StartCapture()
	asyncresult.NewTask[int](nil, nil, nil).ReturnError(nil)
	capt.Stop()
	if capt.Count("critical", "error != NULL") != 1 {
		t.Fatalf("ReturnError(nil): %v", capt.Records())
	}
}

// /gtask/return/{in-idle/,}{error,value}-first (TASK-5): a second return is
// refused with the critical, the first result wins, the callback runs once.
func TestDoubleReturn_TASK5(t *testing.T) {
	for _, inIdle := range []bool{false, true} {
		for _, errorFirst := range []bool{false, true} {
			forKinds(t, fmt.Sprintf("in-idle=%v/error-first=%v", inIdle, errorFirst), func(t *testing.T, k kind) {
				h := newHarness(t)
				calls := 0
				var v int
				var err error
				task := k.make(nil, nil, func(_ any, res asyncresult.AsyncResult) {
					calls++
					v, err = res.(result).Propagate()
				})
				capt := logging.StartCapture()
				ret := func() {
					if errorFirst {
						task.ReturnError(errors.New("oh no"))
						task.Return(magic)
					} else {
						task.Return(magic)
						task.ReturnError(errors.New("oh no"))
					}
				}
				if inIdle {
					h.Idle(ret)
				} else {
					ret()
				}
				h.Until(func() bool { return calls > 0 })
				looptest.Pump(h.Ctx)
				capt.Stop()
				if capt.Count("critical", "assertion '!task->ever_returned' failed") != 1 {
					t.Fatalf("criticals: %v", capt.Records())
				}
				if calls != 1 {
					t.Fatalf("callback ran %d times", calls)
				}
				if errorFirst != (err != nil) || (!errorFirst && v != magic) {
					t.Fatalf("result %d, %v: the first return must win", v, err)
				}
			})
		}
	}
}

type incomparable struct{ f []int }

// IsTagged and IsValid never panic, whatever the tag or source (TASK-15).
func TestTagsAndValidity_TASK13_TASK15(t *testing.T) {
	h := newHarness(t)
	src := &struct{ n int }{}
	task := asyncresult.NewTask[int](src, nil, nil)
	task.SetSourceTag(tagA)
	if !task.IsTagged(tagA) || task.IsTagged(tagB) || task.IsTagged(nil) || task.IsTagged(incomparable{}) {
		t.Fatal("function tags")
	}
	task.SetSourceTag(incomparable{})
	if task.IsTagged(incomparable{}) || task.IsTagged("x") {
		t.Fatal("incomparable tags compare equal")
	}
	task.SetSourceTag(any(map[string]int{}))
	var holder any = struct{ v any }{v: []int{1}}
	if task.IsTagged(holder) {
		t.Fatal("incomparable")
	}
	if !asyncresult.IsValid(task, src) || asyncresult.IsValid(task, &struct{ n int }{}) || asyncresult.IsValid(task, nil) {
		t.Fatal("IsValid")
	}
	// A nil result, typed or not, is refused without a panic.
	var nilTask *asyncresult.Task[int]
	var nilOther *asyncresult.Task[string]
	if asyncresult.IsValid(nil, nil) || asyncresult.IsValid(nilTask, nil) {
		t.Fatal("IsValid of a nil result")
	}
	capt := logging.StartCapture()
	for _, res := range []asyncresult.AsyncResult{nil, nilTask, nilOther} {
		if _, err := asyncresult.Propagate[int](res); err == nil {
			t.Fatalf("Propagate(%#v) succeeded", res)
		}
	}
	capt.Stop()
	if n := capt.Count("critical", "asyncresult.Propagate"); n != 3 {
		t.Fatalf("%d criticals: %v", n, capt.Records())
	}
	task.SetUserData("data")
	if task.UserData() != "data" || task.SourceObject() != src {
		t.Fatal("user data / source object")
	}
	task.Return(0)
	h.Until(task.Completed)
}
