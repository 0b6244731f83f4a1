package asyncresult_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/looptest"
)

// /gtask/finalize-without-return (TASK-14): a task with a callback that is
// dropped without returning is reported with GLib's critical; one without a
// callback, or one that returned, is not.
func TestFinalizeWithoutReturn_TASK14(t *testing.T) {
	h := newHarness(t)
	capt := logging.StartCapture()
	defer capt.Stop()
	func() {
		lost := asyncresult.NewTask[int](nil, nil, func(any, asyncresult.AsyncResult) {})
		lost.SetName("lost task")
		quiet := asyncresult.NewTask[int](nil, nil, nil)
		_ = quiet
		returned := asyncresult.NewTask[int](nil, nil, func(any, asyncresult.AsyncResult) {})
		returned.SetName("returned task")
		returned.Return(1)
	}()
	looptest.Pump(h.Ctx) // deliver (and drop) the returned task
	wantOnlyLost(t, capt, "lost task")
}

// The never-returned report does not depend on when a task is armed
// (TASK-14): a task armed while pending and then returned is not reported,
// one armed and then dropped is, and a returned task leaves the young list
// at once.
func TestFinalizeArmedTasks_TASK14(t *testing.T) {
	h := newHarness(t)
	capt := logging.StartCapture()
	defer capt.Stop()
	func() {
		before := asyncresult.YoungLen()
		quick := asyncresult.NewTask[int](nil, nil, func(any, asyncresult.AsyncResult) {})
		quick.Return(1)
		if n := asyncresult.YoungLen(); n > before {
			t.Errorf("young list grew from %d to %d with a returned task", before, n)
		}
		late := asyncresult.NewTask[int](nil, nil, func(any, asyncresult.AsyncResult) {})
		late.SetName("armed then returned")
		lost := asyncresult.NewTask[int](nil, nil, func(any, asyncresult.AsyncResult) {})
		asyncresult.ArmYoung()
		lost.SetName("armed then lost") // a name set after arming still reaches the report
		late.Return(2)
	}()
	looptest.Pump(h.Ctx)
	wantOnlyLost(t, capt, "armed then lost")
}

// wantOnlyLost collects garbage until capt holds the never-returned critical
// of the task named name, failing the test after 10s, then checks it is the
// only such critical.
func wantOnlyLost(t *testing.T, capt *logging.Capture, name string) {
	t.Helper()
	want := "GTask " + name + " (source object: <nil>) finalized without ever returning (using g_task_return_*()). This potentially indicates a bug in the program."
	deadline := time.Now().Add(10 * time.Second)
	for capt.Count("critical", want) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no critical for the lost task; records %v", capt.Records())
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	if n := capt.Count("critical", "finalized without ever returning"); n != 1 {
		t.Fatalf("%d criticals, want only the lost task's: %v", n, capt.Records())
	}
}
