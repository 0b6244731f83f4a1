package gio

import (
	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/mainloop"
)

// The pollable async path: GLib's g_input_stream_real_read_async and
// g_output_stream_real_write_async, for a stream whose impl is pollable (a
// socket's), do no thread hand-off. They try the non-blocking call on the
// calling goroutine; when it would block, they attach the stream's pollable
// source (which also wakes on the cancellable) to the task's context at the
// task's priority and try again each time it dispatches. The task then
// returns from inside that dispatch, so the callback runs at once, in a
// later iteration of the task's context; a result found by the first try
// (or a cancel) is still delivered by the task's idle, never inside the
// XxxAsync call (TASK-3).
//
// As in GLib, such an operation makes progress only while its context is
// iterated: the bytes are read or written by the iteration that runs the
// callback, not in the background.
//
// Differs from GLib, for a socket's reads only: after a read whose first
// try would have blocked, the next readSkipRun reads of that socket go
// straight to their wait, without the try; then one tries first again.
// A server whose peers answer only after it has run (on one CPU, the
// common case of a loaded machine) otherwise makes one read per message
// that fails with EAGAIN: with the load generator on the server's CPU this
// took 9–14% off the server's CPU per round trip (50 connections, 64 B),
// and it changed nothing measurable with the two on their own CPUs. The
// callback still runs once, in a later iteration: either way a read that
// finds data is delivered by the next iteration (the idle, or the source's
// dispatch after the poll). What a caller could see is only that the
// bytes stay in the socket until that iteration (AvailableBytes).
//
// Differs from GLib, for a socket's reads and writes: GLib makes a GSocket
// source per operation that has to wait and destroys it when the operation
// completes; here the socket keeps it, parked, for a later wait in that
// direction on the same context. The callback still runs from a source
// named "GSocket"; waitSources (socket_source.go) says what else a caller
// can see: that later operations may use that Source again.

// pollOp is one operation on the pollable path, for every async read and
// write of a pollable stream: GLib's read_async_pollable,
// write_async_pollable and writev_async_pollable, and the _all and
// read_bytes forms built on them. What differs between the operations is
// data, not code: its pollKind. The op and its result are one allocation
// (plus, when it has to wait, its source), or none when the stream reuses
// results (SetReuseResults, takeOp): the result is an
// asyncresult.Result, embedded, rather than a Task, which is a whole
// GObject and would be three times the op's size. The stream is one
// interface, asserted to the input or output side by the move; the
// cancellable is the result's; a vectored write keeps its vectors next to
// the op (vecOp).
type pollOp[T any] struct {
	asyncresult.Result[T]
	p    pollable     // the stream: a PollableInputImpl, a PollableOutputImpl, or a *vecState
	kind *pollKind[T] // what the operation does
	buf  []byte       // the read or write buffer (nil for a vectored write)
	n    int          // bytes moved so far
}

// asyncCall is what a stream's XxxAsync call was given, and the stream's
// pending state, for the pollable path's start.
type asyncCall struct {
	src  any
	st   *streamState
	tag  sourceTag
	prio int
	c    *cancellable.Cancellable
	cb   asyncresult.ReadyCallback
}

// begin is beginAsync for the pollable path: it takes the stream's pending
// flag and makes op's result, which the callback gets, with the callback
// wrapped to clear the flag. The _all forms do not check the cancellable
// on Finish (see runCountTask). When the stream is closed, busy or not
// initialised it reports that error to cb instead and returns false.
func (op *pollOp[T]) begin(a asyncCall) bool {
	cb, err := a.st.start(a.cb, false)
	if err != nil {
		reportError[T](a.src, a.tag, a.prio, a.cb, err)
		return false
	}
	op.Init(a.src, a.c, cb)
	op.SetPriority(a.prio)
	op.SetSourceTag(a.tag)
	op.SetName(a.tag.name)
	if op.kind.all {
		op.SetCheckCancellable(false)
	}
	return true
}

// vecOp is a vectored write's op with its vectors, in one allocation.
type vecOp[T any] struct {
	op pollOp[T]
	vs vecState
}

// vecState is what a vectored write has left, and its stream.
type vecState struct {
	w    PollableOutputImpl // also a vecWriter
	rest [][]byte
}

func (vs *vecState) CreateSource(c *cancellable.Cancellable) *mainloop.Source {
	return vs.w.CreateSource(c)
}

// pollable is what the input and output pollable interfaces share.
type pollable interface {
	CreateSource(c *cancellable.Cancellable) *mainloop.Source
}

// pollKind is an operation's shape: move makes one non-blocking attempt at
// the current position; all goes on until every byte has moved (or, for a
// read, the stream ends); finish turns the outcome into the task's result;
// zero names the _all write for which a write of nothing is a bug.
type pollKind[T any] struct {
	move   func(op *pollOp[T]) (m int, again bool, err error)
	finish func(op *pollOp[T], err error)
	all    bool
	zero   string
}

// The seven operations.
var (
	kindRead      = &pollKind[int]{move: moveRead[int], finish: finishN}
	kindReadBytes = &pollKind[[]byte]{move: moveRead[[]byte], finish: finishBytes}
	kindReadAll   = &pollKind[countResult]{move: moveRead[countResult], finish: finishAll, all: true}
	kindWrite     = &pollKind[int]{move: moveWrite[int], finish: finishN}
	kindWriteAll  = &pollKind[countResult]{move: moveWrite[countResult], finish: finishAll, all: true,
		zero: "g_output_stream_write_all"}
	kindWritev    = &pollKind[int]{move: moveWritev[int], finish: finishN}
	kindWritevAll = &pollKind[countResult]{move: moveWritev[countResult], finish: finishAll, all: true,
		zero: "g_output_stream_writev_all"}
)

// startPoll runs an operation's first attempt now and, if it would block,
// waits for the stream with its source attached to the task's context at
// the result's priority, trying again at each dispatch. The source stays
// while the stream would still block and is removed once the operation has
// completed (a socket's is parked instead, see waitSources).
func startPoll[T any](op *pollOp[T], a asyncCall) {
	if !op.begin(a) {
		return
	}
	h, hinted := op.p.(firstTryHinter)
	if !hinted || !h.skipFirstTry() {
		if op.step() {
			return
		}
		if hinted {
			h.firstTryBlocked()
		}
	}
	if ws, ok := op.p.(waitSourcer); ok {
		// A socket stream's source calls the op itself: no callback
		// closure per wait; without a cancellable, the source of the
		// stream's last wait is armed again (see waitSources).
		c := op.c()
		if c == nil && ws.rearm(op.MainContext(), op.Priority(), op) {
			return
		}
		op.AttachSource(ws.waitSource(c, op), nil)
		return
	}
	op.AttachSource(op.p.CreateSource(op.c()), op.dispatch)
}

// c is the operation's cancellable.
func (op *pollOp[T]) c() *cancellable.Cancellable { return op.Cancellable() }

func (op *pollOp[T]) dispatch() bool {
	if op.step() {
		return mainloop.SourceRemove
	}
	return mainloop.SourceContinue
}

// retry is the pollWaiter of a socket stream's source: one more step.
func (op *pollOp[T]) retry() bool { return op.step() }

// rewait is the pollWaiter's wait again, on a new source (a socket
// stream's, with no cancellable: a parkable one's operation has none).
func (op *pollOp[T]) rewait() {
	if ws, ok := op.p.(waitSourcer); ok {
		op.AttachSource(ws.waitSource(nil, op), nil)
	}
}

// firstTryHinter is a socket's input stream: whether a read goes straight
// to its wait (see socketInput.skipFirstTry).
type firstTryHinter interface {
	skipFirstTry() bool
	firstTryBlocked()
}

// waitSourcer is a socket stream: its CreateSource with the pollable op
// called directly by the source (see Socket.createSourceFor), and the
// re-arming of the source of its last wait (Socket.rearm).
type waitSourcer interface {
	waitSource(c *cancellable.Cancellable, w pollWaiter) *mainloop.Source
	rearm(ctx *mainloop.Context, prio int, w pollWaiter) bool
}

// step makes attempts until the operation completes the task (true) or
// would block (false).
func (op *pollOp[T]) step() bool {
	k := op.kind
	for {
		m, again, err := k.move(op)
		if again {
			return false
		}
		if err == nil && k.all && m <= 0 && k.zero != "" {
			err = zeroWrite(k.zero)
		}
		if err != nil {
			k.finish(op, err)
			return true
		}
		op.n += m
		// Done: a single attempt, the end of a read, or every byte moved.
		if !k.all || m == 0 || op.moved() {
			k.finish(op, nil)
			return true
		}
	}
}

// moved reports whether every byte has moved: all of buf, or, for a
// vectored write (buf nil), all of the vectors.
func (op *pollOp[T]) moved() bool {
	if vs, ok := op.p.(*vecState); ok {
		return len(vs.rest) == 0
	}
	return op.n >= len(op.buf)
}

// The moves: one non-blocking read into the rest of buf, write of the rest
// of buf, or vectored write of rest.

func moveRead[T any](op *pollOp[T]) (int, bool, error) {
	return readNB(op.p.(PollableInputImpl), op.buf[op.n:], op.c())
}

func moveWrite[T any](op *pollOp[T]) (int, bool, error) {
	return writeNB(op.p.(PollableOutputImpl), op.buf[op.n:], op.c())
}

func moveWritev[T any](op *pollOp[T]) (int, bool, error) {
	vs := op.p.(*vecState)
	m, again, err := vs.w.(vecWriter).tryWritev(vs.rest, op.c())
	if err == nil && !again && m > 0 {
		vs.rest = vecAdvance(vs.rest, m)
	}
	return m, again, err
}

// The finishes: a count (read, write, writev), a count kept with the error
// (the _all forms, whose Finish reports the bytes moved even on failure),
// or the bytes read (read_bytes).

func finishN(op *pollOp[int], err error) {
	if err != nil {
		op.ReturnError(err)
		return
	}
	op.Return(op.n)
}

func finishAll(op *pollOp[countResult], err error) {
	op.Return(countResult{op.n, err})
}

func finishBytes(op *pollOp[[]byte], err error) {
	if err != nil {
		op.ReturnError(err)
		return
	}
	op.Return(op.buf[:op.n:op.n])
}

// takeOp is the op of a new operation of kind on p: with the stream's
// SetReuseResults on, one of the stream's last two ops of this result
// type that asyncresult's Recycle says is done with (its callback
// returned, its Finish took the result), else a new one, which then takes
// the place of the older of the two. Two calls at once on one stream (one
// of them gets PENDING) cannot both recycle one op: Recycle succeeds once.
func takeOp[T any](st *streamState, slots *opSlots[T], p pollable, kind *pollKind[T], buf []byte) *pollOp[T] {
	if st.uninit != nil || !st.reuse.Load() {
		return &pollOp[T]{p: p, kind: kind, buf: buf}
	}
	st.mu.Lock()
	old := slots.ops
	st.mu.Unlock()
	for _, op := range old {
		if op != nil && op.Recycle() {
			op.p, op.kind, op.buf, op.n = p, kind, buf, 0
			return op
		}
	}
	op := &pollOp[T]{p: p, kind: kind, buf: buf}
	st.mu.Lock()
	if st.reuse.Load() {
		slots.ops[slots.next] = op
		slots.next ^= 1
	}
	st.mu.Unlock()
	return op
}

// pollRead is read_async_pollable: one read of up to len(buf) bytes.
func pollRead(p PollableInputImpl, buf []byte, a asyncCall) {
	startPoll(takeOp(a.st, &a.st.reuseInt, p, kindRead, buf), a)
}

// pollReadBytes is read_bytes_async on a pollable stream: GLib's runs
// read_async into a new buffer, so it takes the same path.
func pollReadBytes(p PollableInputImpl, count int, a asyncCall) {
	startPoll(&pollOp[[]byte]{p: p, kind: kindReadBytes, buf: make([]byte, count)}, a)
}

// pollReadAll is read_all_async on a pollable stream: reads until buf is
// full, the stream ends or a read fails, with the count kept on failure.
func pollReadAll(p PollableInputImpl, buf []byte, a asyncCall) {
	startPoll(takeOp(a.st, &a.st.reuseCount, p, kindReadAll, buf), a)
}

// pollWrite is write_async_pollable: one write of some of buf.
func pollWrite(p PollableOutputImpl, buf []byte, a asyncCall) {
	startPoll(takeOp(a.st, &a.st.reuseInt, p, kindWrite, buf), a)
}

// pollWriteAll is write_all_async on a pollable stream: writes all of buf,
// with the count kept on failure.
func pollWriteAll(p PollableOutputImpl, buf []byte, a asyncCall) {
	startPoll(takeOp(a.st, &a.st.reuseCount, p, kindWriteAll, buf), a)
}

// pollWritev is writev_async_pollable: one vectored write of some of bufs.
// p must also be a vecWriter (see OutputStream.vecPollable).
func pollWritev(p PollableOutputImpl, bufs [][]byte, a asyncCall) {
	v := &vecOp[int]{op: pollOp[int]{kind: kindWritev}, vs: vecState{w: p, rest: bufs}}
	v.op.p = &v.vs
	startPoll(&v.op, a)
}

// pollWritevAll is writev_all_async on a pollable stream: writes every
// byte of bufs (a copy of the slice is advanced, bufs itself is left
// alone), with the count kept on failure. p must also be a vecWriter.
func pollWritevAll(p PollableOutputImpl, bufs [][]byte, a asyncCall) {
	v := &vecOp[countResult]{op: pollOp[countResult]{kind: kindWritevAll},
		vs: vecState{w: p, rest: append([][]byte(nil), bufs...)}}
	v.op.p = &v.vs
	startPoll(&v.op, a)
}

// tryReader and tryWriter are the socket streams' non-blocking calls with
// EAGAIN reported as again rather than as a WOULD_BLOCK error, which the
// pollable path would make and drop on every wait.
type tryReader interface {
	tryRead(buf []byte, c *cancellable.Cancellable) (n int, again bool, err error)
}

type tryWriter interface {
	tryWrite(buf []byte, c *cancellable.Cancellable) (n int, again bool, err error)
}

// vecWriter is the socket output stream's non-blocking vectored write
// (g_pollable_output_stream_writev_nonblocking, which PollableOutputImpl
// does not have): only a stream with it takes the pollable path for the
// vectored writes.
type vecWriter interface {
	tryWritev(bufs [][]byte, c *cancellable.Cancellable) (n int, again bool, err error)
}

// readNB and writeNB are the mirror images of one step; they stay two
// because each runs on every attempt of every async read or write, with a
// direct type assertion each: a shared generic form would take the two
// calls as function values.

// readNB is one non-blocking read; again reports that it would block.
func readNB(p PollableInputImpl, buf []byte, c *cancellable.Cancellable) (n int, again bool, err error) {
	if err := cancelledErr(c); err != nil {
		return 0, false, err
	}
	if tr, ok := p.(tryReader); ok {
		return tr.tryRead(buf, c)
	}
	n, err = p.ReadNonblocking(buf, c)
	if err != nil && wouldBlock(err) {
		return 0, true, nil
	}
	return n, false, err
}

// writeNB is one non-blocking write; again reports that it would block.
func writeNB(p PollableOutputImpl, buf []byte, c *cancellable.Cancellable) (n int, again bool, err error) {
	if err := cancelledErr(c); err != nil {
		return 0, false, err
	}
	if tw, ok := p.(tryWriter); ok {
		return tw.tryWrite(buf, c)
	}
	n, err = p.WriteNonblocking(buf, c)
	if err != nil && wouldBlock(err) {
		return 0, true, nil
	}
	return n, false, err
}

// wouldBlock reports whether err is WOULD_BLOCK.
func wouldBlock(err error) bool {
	e, ok := err.(*ioerr.Error)
	if ok {
		return e.Code == ioerr.WouldBlock
	}
	return isCode(err, ioerr.WouldBlock)
}
