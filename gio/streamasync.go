package gio

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
)

// sourceTag marks the tasks of one XxxAsync call, as GLib tags a task with
// the address of its _async function. Only this package can make one, so a
// result from elsewhere never passes a Finish check by accident. It is a
// pointer, so that storing and comparing it as an any allocates nothing.
type sourceTag = *opTag

// opTag is what a sourceTag points to: the GLib name of the operation.
type opTag struct{ name string }

// The async paths of this package share one pattern, GLib's for
// stream-based I/O: the result comes back through an asyncresult.Task made
// by the XxxAsync call, so the callback runs on the caller's context at the
// requested priority, never inside the XxxAsync call (TASK-3, TASK-16). The
// work itself takes the pollable path (streampoll.go) for the socket
// streams' reads and writes, as GLib's real_read_async/real_write_async do;
// everything else runs its blocking part on its own goroutine (which waits
// in Go's netpoller, not on a thread), as GLib runs it in a thread.
//
// The pollable path's result is an asyncresult.Result embedded in the
// operation rather than a Task: the same delivery rules without a GObject
// per read or write. A GIO caller gets a GAsyncResult either way (GLib
// documents no more); finishTask takes both.

// newTask makes the task of one async operation.
func newTask[T any](source any, tag sourceTag, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) *asyncresult.Task[T] {
	t := asyncresult.NewTask[T](source, c, cb)
	t.SetPriority(prio)
	t.SetSourceTag(tag)
	t.SetName(tag.name)
	return t
}

// runTask runs fn on a new goroutine and returns its result through t.
func runTask[T any](t *asyncresult.Task[T], fn func() (T, error)) {
	go func() {
		v, err := fn()
		if err != nil {
			t.ReturnError(err)
			return
		}
		t.Return(v)
	}()
}

// reportError completes a new task with err, later, on the caller's context
// (g_task_report_error): the callback still runs once and never inside the
// XxxAsync call.
func reportError[T any](source any, tag sourceTag, prio int, cb asyncresult.ReadyCallback, err error) {
	t := newTask[T](source, tag, prio, nil, cb)
	t.ReturnError(err)
}

// returnNow completes a new task with v, later, on the caller's context.
func returnNow[T any](source any, tag sourceTag, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback, v T) {
	t := newTask[T](source, tag, prio, c, cb)
	t.Return(v)
}

// finishTask is the body of every XxxFinish: it checks that res is the task
// of the named operation on source and propagates its result. A wrong result
// is a programmer error: GLib's g_return_val_if_fail logs a critical, and so
// does this, returning INVALID_ARGUMENT instead of crashing.
func finishTask[T any](res asyncresult.AsyncResult, source any, tag sourceTag) (T, error) {
	var zero T
	if r, ok := res.(*asyncresult.Result[T]); ok && asyncresult.IsValid(r, source) && r.IsTagged(tag) {
		return r.Propagate() // the pollable path's result (streampoll.go)
	}
	t, ok := res.(*asyncresult.Task[T])
	if !ok || t == nil || !asyncresult.IsValid(res, source) || !res.IsTagged(tag) {
		msg := fmt.Sprintf("%s_finish: assertion 'g_task_is_valid (result, source)' failed",
			strings.TrimSuffix(tag.name, "_async"))
		logging.Critical("gio", msg)
		return zero, ioerr.New(ioerr.InvalidArgument, msg)
	}
	return t.Propagate()
}

// countResult is what the "all" operations deliver: GLib's read_all_finish
// and write_all_finish report the bytes moved even when they fail.
type countResult struct {
	n   int
	err error
}

// runCountTask runs fn and returns its count and error through t as one
// value, so that Finish can report both. The task does not replace the
// outcome with CANCELLED when the cancellable fires after the operation has
// finished: the count must match what was really moved.
func runCountTask(t *asyncresult.Task[countResult], fn func() (int, error)) {
	t.SetCheckCancellable(false)
	go func() {
		n, err := fn()
		t.Return(countResult{n, err})
	}()
}

// finishCount is finishTask for a countResult task.
func finishCount(res asyncresult.AsyncResult, source any, tag sourceTag) (int, error) {
	r, err := finishTask[countResult](res, source, tag)
	if err != nil {
		return 0, err
	}
	return r.n, r.err
}

// Stream errors, with GLib's messages.
var (
	errStreamClosed  = ioerr.New(ioerr.Closed, "Stream is already closed")
	errStreamPending = ioerr.New(ioerr.Pending, "Stream has outstanding operation")
)

// streamState is the closed/pending pair every GLib stream keeps
// (g_input_stream_set_pending and friends). A stream runs one operation at a
// time; a second gets PENDING, any after close gets CLOSED. The mutex is never
// held across I/O.
type streamState struct {
	mu      sync.Mutex
	closed  bool
	pending bool
	closing bool  // the pending operation is a close: its end marks the stream closed
	uninit  error // set only in the uninit* states: what every operation fails with
	// cb is the caller's callback of the pending async operation, which
	// ready calls; readyFn is ready as a func value, made once per stream.
	cb      asyncresult.ReadyCallback
	readyFn asyncresult.ReadyCallback
	// reuse is SetReuseResults; the slots keep the pollable path's last
	// two operations of each result type, to be recycled by a later one
	// (see takeOp).
	reuse      atomic.Bool // read without mu by every op's start
	reuseInt   opSlots[int]
	reuseCount opSlots[countResult]
}

// opSlots are the two last ops of one result type a stream may recycle:
// two, so that an operation started from the callback of the one before
// (a read loop), while that one is not yet done with, finds the one
// before that.
type opSlots[T any] struct {
	ops  [2]*pollOp[T]
	next int // the slot the next new op goes to
}

// The states of the streams that were never made by their constructor (a
// zero value, a nil pointer): every operation fails with NOT_INITIALIZED,
// and nothing ever changes them.
var (
	uninitInput    = streamState{uninit: ioerr.New(ioerr.NotInitialized, "Stream is not initialized (a zero or nil gio.InputStream: make one with NewInputStream)")}
	uninitOutput   = streamState{uninit: ioerr.New(ioerr.NotInitialized, "Stream is not initialized (a zero or nil gio.OutputStream: make one with NewOutputStream)")}
	uninitIOStream = streamState{uninit: ioerr.New(ioerr.NotInitialized, "Stream is not initialized (a zero or nil gio.IOStream: make one with NewIOStream)")}
)

// setReuse is SetReuseResults; the uninit states never change.
func (s *streamState) setReuse(on bool) {
	s.change(func(s *streamState) {
		s.reuse.Store(on)
		if !on {
			s.reuseInt, s.reuseCount = opSlots[int]{}, opSlots[countResult]{}
		}
	})
}

// setPending is g_input_stream_set_pending: CLOSED first, then PENDING.
func (s *streamState) setPending() error {
	if s.uninit != nil {
		return s.uninit
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pendLocked()
}

// pendLocked is setPending's check and set, under s.mu.
func (s *streamState) pendLocked() error {
	if s.closed {
		return errStreamClosed
	}
	if s.pending {
		return errStreamPending
	}
	s.pending = true
	return nil
}

func (s *streamState) clearPending() { s.change(func(s *streamState) { s.pending = false }) }

// change applies f under the lock; the uninit states never change.
func (s *streamState) change(f func(s *streamState)) {
	if s.uninit != nil {
		return
	}
	s.mu.Lock()
	f(s)
	s.mu.Unlock()
}

// finishClose clears pending and marks the stream closed, in one step, as
// GLib does when a close returns, whether or not it succeeded.
func (s *streamState) finishClose() {
	s.change(func(s *streamState) { s.pending, s.closed = false, true })
}

// markClosed marks the stream closed while its operation goes on (a splice
// that closes its target); finishing the operation clears pending.
func (s *streamState) markClosed() { s.change(func(s *streamState) { s.closed = true }) }

func (s *streamState) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *streamState) hasPending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending
}

// armLocked makes the callback a stream gives the result of its pending
// async operation (the caller holds pending, so there is one at a time):
// it clears pending just before the caller's cb runs, as GLib's
// async_ready_callback_wrapper does, so that cb may start the next
// operation, and with closing also marks the stream closed. cb is kept in
// s rather than in a closure, so an async call allocates no wrapper: the
// func value handed to the result is made once per stream. s.mu is held.
func (s *streamState) armLocked(cb asyncresult.ReadyCallback, closing bool) asyncresult.ReadyCallback {
	s.cb, s.closing = cb, closing
	if s.readyFn == nil {
		s.readyFn = s.ready
	}
	return s.readyFn
}

// start is setPending and armLocked under one lock, for every async call:
// the callback to give the operation's result (which marks the stream
// closed too when closing), or the error setPending would return.
func (s *streamState) start(cb asyncresult.ReadyCallback, closing bool) (asyncresult.ReadyCallback, error) {
	if s.uninit != nil {
		return nil, s.uninit
	}
	s.mu.Lock()
	err := s.pendLocked()
	var ready asyncresult.ReadyCallback
	if err == nil {
		ready = s.armLocked(cb, closing)
	}
	s.mu.Unlock() // not deferred: every async call starts here
	return ready, err
}

// ready is the callback armLocked returns: the end of the pending
// operation (finishClose for a close), then the caller's callback.
func (s *streamState) ready(src any, res asyncresult.AsyncResult) {
	s.mu.Lock()
	cb := s.cb
	s.cb = nil
	s.pending = false
	if s.closing {
		s.closing, s.closed = false, true
	}
	s.mu.Unlock()
	if cb != nil {
		cb(src, res)
	}
}

// isCode reports whether err is a GIO error with the code.
func isCode(err error, code ioerr.Code) bool {
	var e *ioerr.Error
	return errors.As(err, &e) && e.Code == code
}
