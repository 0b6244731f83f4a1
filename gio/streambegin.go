package gio

import (
	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
)

// beginAsync is the start every InputStream and OutputStream XxxAsync call
// shares once its arguments are checked: it takes the stream's pending flag
// (st) and returns the operation's task, whose callback clears the flag
// again. When the stream is closed, busy or not initialised it reports that
// error to cb instead (later, on the caller's context, as
// g_task_report_error does) and returns nil.
//
// It is a plain generic function with no closure of its own, so the async
// calls allocate what they did when each spelled it out (the task and its
// callback wrapper); the sync Read and Write paths do not use it.
func beginAsync[T any](src any, st *streamState, tag sourceTag, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) *asyncresult.Task[T] {
	wrapped, err := st.start(cb, false)
	if err != nil {
		reportError[T](src, tag, prio, cb, err)
		return nil
	}
	return newTask[T](src, tag, prio, c, wrapped)
}

// beginCloseAsync is beginAsync for CloseAsync: the stream is marked closed
// just before cb runs.
func beginCloseAsync(src any, st *streamState, tag sourceTag, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) *asyncresult.Task[struct{}] {
	wrapped, err := st.start(cb, true)
	if err != nil {
		reportError[struct{}](src, tag, prio, cb, err)
		return nil
	}
	return newTask[struct{}](src, tag, prio, c, wrapped)
}
