package asyncresult

import (
	"math"
	"sync"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
)

// Result is an AsyncResult with a Task's delivery rules and nothing else: a
// GAsyncResult that is not a GObject, as GLib's GSimpleAsyncResult was
// before GTask replaced it. It has no properties, no signals, no user data,
// no RunInThread and no never-returned report; what it keeps is what an
// XxxAsync caller depends on:
//
//   - the callback runs exactly once, on the context that was the caller's
//     context (mainloop.ThreadDefault) when Init ran (TASK-1, TASK-16);
//   - never inside the XxxAsync call: Return delivers at once only when it
//     is called from a dispatch of that context in a later iteration than
//     Init's, and otherwise posts the delivery at the result's priority,
//     as Task does (TASK-3, TASK-10);
//   - a second Return or ReturnError is refused with GLib's critical
//     (TASK-5); with check-cancellable (the default), Propagate reports
//     CANCELLED once the cancellable is cancelled (TASK-6);
//   - the sources AttachSource attaches and the delivery's idle are named
//     after it (TASK-13).
//
// It exists for operations made many times a second: a stream's read and
// write make one per call (gio's pollable path), and a Task costs several
// times a Result's size and work (its Object, its young-list entry). A
// Result is meant to be embedded in the operation's own state, so that the
// operation and its result are one allocation; the callback is given the
// *Result itself.
//
// IsValid and Propagate accept a *Result[T] as they accept a *Task[T].
// Init and the setters (SetPriority, SetSourceTag, SetName,
// SetCheckCancellable) make the result and must come before it is shared;
// after that, multiple goroutines may call its other methods
// simultaneously.
//
// The zero Result is not usable, nor is a nil *Result: make one with Init.
// Every method of an unusable Result logs the critical "assertion
// 'G_IS_TASK (task)' failed" and returns the zero result (Propagate an
// INVALID_ARGUMENT error); none panics.
type Result[T any] struct {
	source       any
	tag          any
	name         string
	c            *cancellable.Cancellable
	callback     ReadyCallback
	ctx          *mainloop.Context
	creationTime int64

	priority  int32       // set before the result is shared (Init, the setters)
	noCheck   bool        // check-cancellable off; set before it is shared
	flags     resultFlags // guarded by mu
	resultSet bool        // a value waits for Propagate; guarded by mu

	mu    sync.Mutex
	value T
	err   error
}

// resultFlags are a Result's state bits.
type resultFlags uint8

const (
	rReturned  resultFlags = 1 << iota // ever returned
	rHadError                          // an error was propagated
	rCompleted                         // the callback has returned
)

var _ AsyncResult = (*Result[int])(nil)

// Init is g_task_new for a Result (TASK-1): it makes r a result of an
// operation on source (nil for none) that may be cancelled with c (nil for
// none) and reports to cb (nil for none), and captures the caller's context
// (mainloop.ThreadDefault), where cb will run. Defaults: priority
// mainloop.PriorityDefault, check-cancellable true. Init must be called
// once, before r is shared.
func (r *Result[T]) Init(source any, c *cancellable.Cancellable, cb ReadyCallback) {
	if r == nil {
		logging.Critical(pkg, "asyncresult.Result.Init: assertion 'result != NULL' failed")
		return
	}
	r.source, r.c, r.callback = source, c, cb
	r.ctx, _, r.creationTime = mainloop.CurrentDispatch()
	if r.ctx == nil {
		r.ctx = mainloop.Default()
	}
}

// usable reports whether r was made by Init; if not, it logs GLib's
// critical for the call fn.
func (r *Result[T]) usable(fn string) bool {
	if r == nil || r.ctx == nil {
		return notTask(fn)
	}
	return true
}

// SetPriority is g_task_set_priority: the priority of the delivery and of
// the sources AttachSource attaches (TASK-10), clamped to the int32 range.
// Like every setter of a Result it must be called before r is shared
// (returned, or given to another goroutine): they take no lock.
func (r *Result[T]) SetPriority(p int) {
	if r.usable("g_task_set_priority") {
		r.priority = int32(min(max(p, math.MinInt32), math.MaxInt32))
	}
}

// Priority is g_task_get_priority.
func (r *Result[T]) Priority() int {
	return setUp(r, "g_task_get_priority", func(r *Result[T]) int { return int(r.priority) })
}

// setUp is the body of the getters of what Init and the setters made: GLib's
// critical and the zero value for an unusable result, else get(r), read
// without a lock (it does not change once r is shared).
func setUp[T, V any](r *Result[T], fn string, get func(r *Result[T]) V) V {
	if !r.usable(fn) {
		var zero V
		return zero
	}
	return get(r)
}

// SetSourceTag is g_task_set_source_tag: what IsTagged compares with.
func (r *Result[T]) SetSourceTag(tag any) {
	if r.usable("g_task_set_source_tag") {
		r.tag = tag
	}
}

// SourceTag is g_task_get_source_tag.
func (r *Result[T]) SourceTag() any {
	return setUp(r, "g_task_get_source_tag", func(r *Result[T]) any { return r.tag })
}

// SetName is g_task_set_name (TASK-13): the name of the sources
// AttachSource attaches and of the delivery's idle.
func (r *Result[T]) SetName(name string) {
	if r.usable("g_task_set_name") {
		r.name = name
	}
}

// Name is g_task_get_name: "" when unset.
func (r *Result[T]) Name() string {
	return setUp(r, "g_task_get_name", func(r *Result[T]) string { return r.name })
}

// SetCheckCancellable is g_task_set_check_cancellable (TASK-6).
func (r *Result[T]) SetCheckCancellable(check bool) {
	if !r.usable("g_task_set_check_cancellable") {
		return
	}
	r.noCheck = !check
}

// SourceObject is g_async_result_get_source_object.
func (r *Result[T]) SourceObject() any {
	return setUp(r, "g_async_result_get_source_object", func(r *Result[T]) any { return r.source })
}

// UserData is g_async_result_get_user_data: always nil, a Result has none.
func (r *Result[T]) UserData() any {
	r.usable("g_async_result_get_user_data")
	return nil
}

// IsTagged is g_async_result_is_tagged.
func (r *Result[T]) IsTagged(tag any) bool {
	if !r.usable("g_async_result_is_tagged") {
		return false
	}
	return same(r.tag, tag)
}

// Cancellable is g_task_get_cancellable.
func (r *Result[T]) Cancellable() *cancellable.Cancellable {
	return setUp(r, "g_task_get_cancellable", func(r *Result[T]) *cancellable.Cancellable { return r.c })
}

// MainContext is g_task_get_context: the context the callback runs on.
func (r *Result[T]) MainContext() *mainloop.Context {
	return setUp(r, "g_task_get_context", func(r *Result[T]) *mainloop.Context { return r.ctx })
}

// Completed is g_task_get_completed: true once the callback has returned.
func (r *Result[T]) Completed() bool {
	if !r.usable("g_task_get_completed") {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flags&rCompleted != 0
}

// Return is g_task_return_pointer and its kin: the result is v, and the
// callback is delivered by the delivery rule (see Result). A second Return
// or ReturnError logs a critical and changes nothing (TASK-5).
func (r *Result[T]) Return(v T) { r.finish("g_task_return_pointer", v, nil) }

// ReturnError is g_task_return_error: Return with an error. A nil err logs
// a critical and changes nothing.
func (r *Result[T]) ReturnError(err error) {
	if err == nil {
		logging.Critical(pkg, "g_task_return_error: assertion 'error != NULL' failed")
		return
	}
	var zero T
	r.finish("g_task_return_error", zero, err)
}

func (r *Result[T]) finish(fn string, v T, err error) {
	if !r.usable(fn) {
		return
	}
	r.mu.Lock()
	if r.flags&rReturned != 0 {
		r.mu.Unlock()
		logging.Critical(pkg, fn+": assertion '!task->ever_returned' failed")
		return
	}
	r.flags |= rReturned
	if err != nil {
		r.err = err
	} else {
		r.value = v
		r.resultSet = true
	}
	r.mu.Unlock()
	deliver(r, r.ctx, r.creationTime, r.c, int(r.priority), r.name)
}

// Propagate is g_task_propagate_pointer and its kin: the value, or the
// error; CANCELLED whenever the cancellable is cancelled, with
// check-cancellable. Like Task's, it hands the value over once: a second
// call logs a critical and returns a FAILED error.
func (r *Result[T]) Propagate() (v T, err error) {
	if r.usable("g_task_propagate_pointer") {
		r.mu.Lock()
		v, err = takeResult(r.propagateErrorLocked(), &r.resultSet, &r.value)
		r.mu.Unlock()
		return v, err
	}
	return v, errNotTask
}

func (r *Result[T]) propagateErrorLocked() error {
	if !r.noCheck && r.c.IsCancelled() {
		return ioerr.NewCancelled()
	}
	if r.err != nil {
		err := r.err
		r.err = nil
		r.flags |= rHadError
		return err
	}
	return nil
}

// HadError is g_task_had_error: whether the result is an error (also one
// already propagated), or, with check-cancellable, the cancellable is
// cancelled.
func (r *Result[T]) HadError() bool {
	if !r.usable("g_task_had_error") {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err != nil || r.flags&rHadError != 0 || (!r.noCheck && r.c.IsCancelled())
}

func (r *Result[T]) isNil() bool { return r == nil || r.ctx == nil }

func (r *Result[T]) validFor(source any) bool { return !r.isNil() && same(r.source, source) }

func (r *Result[T]) propagateErrorOnly() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.propagateErrorLocked()
}

// AttachSource is g_task_attach_source: s attached to the result's context
// at its priority, with fn as its callback, named after the result unless
// it has a name (TASK-13). A nil s logs a critical and returns 0.
func (r *Result[T]) AttachSource(s *mainloop.Source, fn mainloop.SourceFunc) mainloop.SourceID {
	if !r.usable("g_task_attach_source") {
		return 0
	}
	return attach(s, fn, int(r.priority), r.name, r.ctx)
}

// Recycle makes r, a Result that has served its operation, ready for
// Init again, for the next operation of whatever embeds it, and reports
// whether it did. It does so only when the operation is over for its
// caller: the callback has returned (Completed) and Propagate has taken
// the value or the error. Otherwise it changes nothing and returns false:
// then r may still be in use, and the next operation needs a Result of
// its own.
//
// GLib has no such call: a GTask is freed when its last reference goes,
// and the GAsyncResult a callback gets is valid only until then. A
// Result that is recycled is reused the same way, so whoever embeds it
// and calls Recycle must say so to its callers: a result kept after its
// Finish may, once recycled, describe a later operation (its Completed,
// HadError and Propagate are that operation's). It saves the allocation
// of a new result per operation; gio's streams do it only when asked
// (InputStream.SetReuseResults).
func (r *Result[T]) Recycle() bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx == nil || r.flags&rCompleted == 0 || r.resultSet || r.err != nil {
		return false
	}
	var zero T
	r.source, r.tag, r.name, r.c, r.callback, r.ctx = nil, nil, "", nil, nil, nil
	r.creationTime, r.priority, r.noCheck = 0, 0, false
	r.flags, r.resultSet, r.value, r.err = 0, false, zero, nil
	return true
}

// returnNow runs the callback, then marks r completed.
func (r *Result[T]) returnNow() {
	if r.callback != nil {
		r.callback(r.source, r)
	}
	r.mu.Lock()
	r.flags |= rCompleted
	r.mu.Unlock()
}
