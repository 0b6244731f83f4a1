package asyncresult

import (
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
)

// ThreadFunc is GTaskThreadFunc: the work RunInThread and RunInThreadSync
// run on a pool goroutine. It reports its result with t.Return or
// t.ReturnError; the task completes when it returns (or earlier, with
// return-on-cancel). A nil ThreadFunc is refused with a critical.
type ThreadFunc[T any] func(t *Task[T], source any, c *cancellable.Cancellable)

// RunInThread is g_task_run_in_thread (TASK-11): fn runs on a goroutine of
// the task pool (always, even if the cancellable is already cancelled), and
// the callback is delivered on the task's context after fn returns (TASK-4).
//
// The pool runs 10 functions at once and grows slowly, by about ten a
// second, while it stays saturated; queued functions start in the order:
// those a pool function is waiting for, cancelled ones, then by priority.
// Do not block a pool function on another task run by the pool unless it is
// with RunInThreadSync, which the pool puts first.
//
// Differs from GLib: running a task that already returned, or running it a
// second time, is refused with a critical (GLib would complete it twice).
func (t *Task[T]) RunInThread(fn ThreadFunc[T]) {
	if !t.usable("g_task_run_in_thread") {
		return
	}
	if completedAtStart, ok := t.startThread(fn, false); ok && completedAtStart {
		t.complete()
	}
}

// RunInThreadSync is g_task_run_in_thread_sync: it runs fn on a pool
// goroutine and waits for it to return (or, with return-on-cancel, for the
// cancellable to fire). The callback is never called (TASK-9): Completed
// becomes true, and "completed" is notified, on the calling goroutine just
// before RunInThreadSync returns. Then call Propagate for the result.
func (t *Task[T]) RunInThreadSync(fn ThreadFunc[T]) {
	if !t.usable("g_task_run_in_thread_sync") {
		return
	}
	if _, ok := t.startThread(fn, true); !ok {
		return
	}
	<-t.more.threadDone // set by startThread, on this goroutine
	t.setCompleted()
}

// startThread is g_task_start_task_thread. completedAtStart reports that the
// task was already cancelled with return-on-cancel set: it is complete,
// although fn still runs.
func (t *Task[T]) startThread(fn ThreadFunc[T], sync bool) (completedAtStart, ok bool) {
	if fn == nil {
		logging.Critical(pkg, "g_task_run_in_thread: assertion 'task_func != NULL' failed")
		return false, false
	}
	t.mu.Lock()
	if t.threadedLocked() || t.everReturned {
		t.mu.Unlock()
		logging.Critical(pkg, "g_task_run_in_thread: the task has already been run or returned")
		return false, false
	}
	m := t.moreLocked()
	m.threaded = true
	if t.life != nil {
		t.life.threaded.Store(true)
	}
	m.synchronous = sync
	m.threadDone = make(chan struct{})
	j := &job{priority: int(t.priority), index: -1}
	j.run = func() {
		fn(t, t.source, t.c)
		t.finishThread()
	}
	m.job = j
	j.blocking = taskPool.inWorker()
	if t.c == nil {
		t.mu.Unlock()
		taskPool.push(j)
		return false, true
	}
	if t.returnOnCancel && t.c.IsCancelled() {
		t.err = ioerr.NewCancelled()
		m.threadCancelled = true
		m.threadComplete = true
		close(m.threadDone)
		j.cancelled = true
		t.mu.Unlock()
		taskPool.push(j)
		return true, true
	}
	t.mu.Unlock()

	// Connect (not the signal directly) so that a cancel that lands right
	// now still reaches onThreadCancelled, exactly once.
	id := t.c.Connect(t.onThreadCancelled)
	t.mu.Lock()
	if m.threadComplete {
		t.mu.Unlock()
		t.c.Cancelled.Disconnect(id)
	} else {
		m.cancelID = id
		t.mu.Unlock()
	}
	t.mu.Lock()
	j.cancelled = t.checkCancellable && t.c.IsCancelled()
	t.mu.Unlock()
	taskPool.push(j)
	return false, true
}

// onThreadCancelled is task_thread_cancelled: a cancelled task moves to the
// front of the queue, and with return-on-cancel it completes now.
func (t *Task[T]) onThreadCancelled() {
	t.mu.Lock()
	m := t.more // made by startThread, before it connected this
	t.mu.Unlock()
	taskPool.moveToFront(m.job)
	t.mu.Lock()
	m.threadCancelled = true
	roc := t.returnOnCancel
	t.mu.Unlock()
	if roc {
		t.finishThread()
	}
}

// finishThread is g_task_thread_complete: the first call completes the
// task (delivers it, or wakes RunInThreadSync); later ones do nothing.
func (t *Task[T]) finishThread() {
	t.mu.Lock()
	m := t.more // made by startThread: only a task run in a thread gets here
	if m.threadComplete {
		t.mu.Unlock()
		return
	}
	m.threadComplete = true
	close(m.threadDone)
	id := m.cancelID
	m.cancelID = 0
	sync := m.synchronous
	t.mu.Unlock()
	if id != 0 {
		// On the signal, not Cancellable.Disconnect: this may run inside the
		// cancelled emission (return-on-cancel), which must not wait for
		// itself.
		t.c.Cancelled.Disconnect(id)
	}
	if !sync {
		t.complete()
	}
}

// SetReturnOnCancel is g_task_set_return_on_cancel (TASK-12). With true, a
// task run in a thread completes with CANCELLED as soon as its cancellable
// fires, while fn goes on running and its result is dropped. fn calls
// SetReturnOnCancel(false) before a change that must not be half done: it
// returns false if the task was already cancelled (fn should then give up),
// true if fn now owns the task until it returns. Setting it back to true
// after a cancel completes the task at once (and returns false).
//
// It needs check-cancellable (a critical otherwise, returning false).
func (t *Task[T]) SetReturnOnCancel(returnOnCancel bool) bool {
	if !t.usable("g_task_set_return_on_cancel") {
		return false
	}
	t.mu.Lock()
	if returnOnCancel && !t.checkCancellable {
		t.mu.Unlock()
		logging.Critical(pkg, "g_task_set_return_on_cancel: assertion 'task->check_cancellable || !return_on_cancel' failed")
		return false
	}
	if !t.threadedLocked() {
		t.returnOnCancel = returnOnCancel
		t.mu.Unlock()
		return true
	}
	if t.more.threadCancelled {
		complete := returnOnCancel && !t.returnOnCancel
		t.mu.Unlock()
		if complete {
			t.finishThread()
		}
		return false
	}
	t.returnOnCancel = returnOnCancel
	t.mu.Unlock()
	return true
}
