package asyncresult_test

import (
	"errors"
	"testing"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
)

// A zero Task and a nil *Task are not usable: every method logs GLib's
// "assertion 'G_IS_TASK (task)' failed" critical naming the call, returns
// the zero result, and never panics.
func TestZeroAndNilTask(t *testing.T) {
	noop := func(*asyncresult.Task[int], any, *cancellable.Cancellable) {}
	cases := []struct {
		name string
		fn   string // the GLib call the critical names
		call func(tk *asyncresult.Task[int])
	}{
		{"SourceObject", "g_async_result_get_source_object", func(tk *asyncresult.Task[int]) { zero(t, tk.SourceObject()) }},
		{"UserData", "g_async_result_get_user_data", func(tk *asyncresult.Task[int]) { zero(t, tk.UserData()) }},
		{"SetUserData", "g_task_set_task_data", func(tk *asyncresult.Task[int]) { tk.SetUserData(1) }},
		{"IsTagged", "g_async_result_is_tagged", func(tk *asyncresult.Task[int]) { zero(t, tk.IsTagged(nil)) }},
		{"Cancellable", "g_task_get_cancellable", func(tk *asyncresult.Task[int]) { zero(t, tk.Cancellable()) }},
		{"MainContext", "g_task_get_context", func(tk *asyncresult.Task[int]) { zero(t, tk.MainContext()) }},
		{"SetPriority", "g_task_set_priority", func(tk *asyncresult.Task[int]) { tk.SetPriority(1) }},
		{"Priority", "g_task_get_priority", func(tk *asyncresult.Task[int]) { zero(t, tk.Priority()) }},
		{"SetName", "g_task_set_name", func(tk *asyncresult.Task[int]) { tk.SetName("n") }},
		{"Name", "g_task_get_name", func(tk *asyncresult.Task[int]) { zero(t, tk.Name()) }},
		{"SetSourceTag", "g_task_set_source_tag", func(tk *asyncresult.Task[int]) { tk.SetSourceTag(1) }},
		{"SourceTag", "g_task_get_source_tag", func(tk *asyncresult.Task[int]) { zero(t, tk.SourceTag()) }},
		{"SetCheckCancellable", "g_task_set_check_cancellable", func(tk *asyncresult.Task[int]) { tk.SetCheckCancellable(false) }},
		{"CheckCancellable", "g_task_get_check_cancellable", func(tk *asyncresult.Task[int]) { zero(t, tk.CheckCancellable()) }},
		{"SetReturnOnCancel", "g_task_set_return_on_cancel", func(tk *asyncresult.Task[int]) { zero(t, tk.SetReturnOnCancel(true)) }},
		{"ReturnOnCancel", "g_task_get_return_on_cancel", func(tk *asyncresult.Task[int]) { zero(t, tk.ReturnOnCancel()) }},
		{"Completed", "g_task_get_completed", func(tk *asyncresult.Task[int]) { zero(t, tk.Completed()) }},
		{"Return", "g_task_return_pointer", func(tk *asyncresult.Task[int]) { tk.Return(1) }},
		{"ReturnError", "g_task_return_error", func(tk *asyncresult.Task[int]) { tk.ReturnError(errors.New("x")) }},
		{"ReturnPrefixedError", "g_task_return_error", func(tk *asyncresult.Task[int]) { tk.ReturnPrefixedError(errors.New("x"), "p: ") }},
		{"ReturnErrorIfCancelled", "g_task_return_error_if_cancelled", func(tk *asyncresult.Task[int]) { zero(t, tk.ReturnErrorIfCancelled()) }},
		{"Propagate", "g_task_propagate_pointer", func(tk *asyncresult.Task[int]) {
			v, err := tk.Propagate()
			if v != 0 || !errors.Is(err, ioerr.Sentinel(ioerr.InvalidArgument)) {
				t.Errorf("Propagate = %v, %v; want 0 and INVALID_ARGUMENT", v, err)
			}
		}},
		{"HadError", "g_task_had_error", func(tk *asyncresult.Task[int]) { zero(t, tk.HadError()) }},
		{"AttachSource", "g_task_attach_source", func(tk *asyncresult.Task[int]) {
			s := mainloop.NewIdleSource()
			defer s.Destroy()
			zero(t, tk.AttachSource(s, func() bool { return mainloop.SourceRemove }))
		}},
		{"RunInThread", "g_task_run_in_thread", func(tk *asyncresult.Task[int]) { tk.RunInThread(noop) }},
		{"RunInThreadSync", "g_task_run_in_thread_sync", func(tk *asyncresult.Task[int]) { tk.RunInThreadSync(noop) }},
	}
	for _, tc := range cases {
		for _, kind := range []string{"zero", "nil"} {
			t.Run(tc.name+"/"+kind, func(t *testing.T) {
				tk := new(asyncresult.Task[int])
				if kind == "nil" {
					tk = nil
				}
				capt := logging.StartCapture()
				tc.call(tk)
				recs := capt.Stop()
				if len(recs) != 1 || recs[0].Level != "critical" || recs[0].Message != tc.fn+": assertion 'G_IS_TASK (task)' failed" {
					t.Errorf("records = %+v, want one critical for %s", recs, tc.fn)
				}
			})
		}
	}
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

// zero fails the test unless v is its type's zero value.
func zero[V comparable](t *testing.T, v V) {
	t.Helper()
	var z V
	if v != z {
		t.Errorf("got %v, want the zero value", v)
	}
}
