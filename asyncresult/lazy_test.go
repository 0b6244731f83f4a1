package asyncresult_test

import (
	"math"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/mainloop"
)

// TestTaskSize fails when Task grows: every async call makes one. The
// budgets are for 64-bit platforms: 472 bytes are the 480-byte size class.
// A Task[int] was 848 bytes (the 896-byte class) with the RunInThread
// state, the user data and the "completed" property inline, and 552 with
// the StopEmission state inline in its Object's two signals.
func TestTaskSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the budgets are for 64-bit platforms")
	}
	for _, tc := range []struct {
		task      string
		size, max uintptr
	}{
		{"Task[int]", unsafe.Sizeof(asyncresult.Task[int]{}), 472},
		{"Task[struct{}]", unsafe.Sizeof(asyncresult.Task[struct{}]{}), 472},
		{"Task[[]byte]", unsafe.Sizeof(asyncresult.Task[[]byte]{}), 488},
	} {
		if tc.size > tc.max {
			t.Errorf("%s is %d bytes, want at most %d", tc.task, tc.size, tc.max)
		}
	}
}

// TestCompletedLazy_TASK2: "completed" is installed on first use, and is
// the same property whichever way it is reached: looked up by name before
// or after completion, or listened to on Notify.
func TestCompletedLazy_TASK2(t *testing.T) {
	cases := []struct {
		name string
		// before runs after NewTask, after once the callback has run;
		// each returns what it saw.
		before, after func(task *asyncresult.Task[int]) []any
		want          []any
	}{
		{
			name:   "by name before and after",
			before: func(task *asyncresult.Task[int]) []any { v, err := task.Property("completed"); return []any{v, err} },
			after:  func(task *asyncresult.Task[int]) []any { v, err := task.Property("completed"); return []any{v, err} },
			want:   []any{false, nil, true, nil},
		},
		{
			name:   "by name only after",
			before: func(*asyncresult.Task[int]) []any { return nil },
			after: func(task *asyncresult.Task[int]) []any {
				v, err := task.Property("completed")
				return []any{v, err, task.Properties()}
			},
			want: []any{true, nil, []string{"completed"}},
		},
		{
			name: "notify handler",
			before: func(task *asyncresult.Task[int]) []any {
				task.Notify.ConnectDetailed("completed", func(string) {})
				return []any{task.Properties()}
			},
			after: func(task *asyncresult.Task[int]) []any { v, _ := task.Property("completed"); return []any{v} },
			want:  []any{[]string{"completed"}, true},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			var notified []bool
			task := asyncresult.NewTask[int](nil, nil, func(any, asyncresult.AsyncResult) {})
			task.Notify.ConnectDetailed("completed", func(string) { notified = append(notified, task.Completed()) })
			got := tc.before(task)
			if task.Completed() {
				t.Fatal("completed before returning")
			}
			task.Return(1)
			h.Until(task.Completed)
			got = append(got, tc.after(task)...)
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if !cmp.Equal(notified, []bool{true}) {
				t.Errorf("notify::completed saw Completed %v, want one notification with true", notified)
			}
		})
	}
}

// TestCompletedUnwatchedTask: a task that nobody inspects completes
// without installing its property, and reading it afterwards finds it
// true.
func TestCompletedUnwatchedTask(t *testing.T) {
	h := newHarness(t)
	task := asyncresult.NewTask[int](nil, nil, nil)
	task.Return(1)
	h.Until(task.Completed)
	if v, err := task.Property("completed"); v != true || err != nil {
		t.Fatalf("Property(\"completed\") = %v, %v; want true", v, err)
	}
	if err := task.SetProperty("completed", false); err == nil {
		t.Fatal("SetProperty on the read-only \"completed\" succeeded")
	}
}

// TestCompletedFrozen_TASK2: a task completed while its notifications are
// frozen queues notify::completed even with nobody listening yet, and the
// thaw delivers it to a handler connected after completion, as GLib's
// queued notification does.
func TestCompletedFrozen_TASK2(t *testing.T) {
	h := newHarness(t)
	task := asyncresult.NewTask[int](nil, nil, nil)
	task.FreezeNotify()
	task.Return(1)
	h.Until(task.Completed)
	var seen []bool
	task.Notify.ConnectDetailed("completed", func(string) { seen = append(seen, task.Completed()) })
	if len(seen) != 0 {
		t.Fatal("notified while frozen")
	}
	task.ThawNotify()
	if !cmp.Equal(seen, []bool{true}) {
		t.Fatalf("after the thaw notify::completed saw %v, want [true]", seen)
	}
}

// TestPriorityClamp: the priority is GLib's gint; a Go int outside the
// int32 range is clamped to it.
func TestPriorityClamp(t *testing.T) {
	newHarness(t)
	for _, tc := range []struct{ set, want int }{
		{mainloop.PriorityLow, mainloop.PriorityLow},
		{math.MaxInt32, math.MaxInt32},
		{math.MinInt32, math.MinInt32},
		{math.MaxInt, math.MaxInt32},
		{math.MinInt, math.MinInt32},
	} {
		task := asyncresult.NewTask[int](nil, nil, nil)
		task.SetPriority(tc.set)
		if got := task.Priority(); got != tc.want {
			t.Errorf("SetPriority(%d): Priority() = %d, want %d", tc.set, got, tc.want)
		}
		task.Return(0)
	}
}
