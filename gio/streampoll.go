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

// pollStep is one operation on the pollable path. step makes one attempt:
// it reports true when it has completed the task, false when it would
// block.
type pollStep interface{ step() bool }

// pollStart runs op's first attempt now and, if it would block, waits for
// the stream with src() attached through attach (the task's AttachSource),
// trying again at each dispatch. The source stays while the stream would
// still block and is removed once the task has completed. Only an operation
// that waits allocates more than op itself.
func pollStart(op pollStep, src func() *mainloop.Source, attach func(*mainloop.Source, mainloop.SourceFunc) mainloop.SourceID) {
	if op.step() {
		return
	}
	attach(src(), func() bool {
		if op.step() {
			return mainloop.SourceRemove
		}
		return mainloop.SourceContinue
	})
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

// readOp is read_async_pollable: one read of up to len(buf) bytes.
type readOp struct {
	t   *asyncresult.Task[int]
	p   PollableInputImpl
	buf []byte
	c   *cancellable.Cancellable
}

func (op *readOp) source() *mainloop.Source { return op.p.CreateSource(op.c) }

func (op *readOp) step() bool {
	n, again, err := readNB(op.p, op.buf, op.c)
	switch {
	case again:
		return false
	case err != nil:
		op.t.ReturnError(err)
	default:
		op.t.Return(n)
	}
	return true
}

func pollRead(p PollableInputImpl, t *asyncresult.Task[int], buf []byte, c *cancellable.Cancellable) {
	op := &readOp{t: t, p: p, buf: buf, c: c}
	pollStart(op, op.source, t.AttachSource)
}

// readBytesOp is read_bytes_async on a pollable stream: GLib's runs
// read_async into a new buffer, so it takes the same path.
type readBytesOp struct {
	t   *asyncresult.Task[[]byte]
	p   PollableInputImpl
	buf []byte
	c   *cancellable.Cancellable
}

func (op *readBytesOp) source() *mainloop.Source { return op.p.CreateSource(op.c) }

func (op *readBytesOp) step() bool {
	n, again, err := readNB(op.p, op.buf, op.c)
	switch {
	case again:
		return false
	case err != nil:
		op.t.ReturnError(err)
	default:
		op.t.Return(op.buf[:n:n])
	}
	return true
}

func pollReadBytes(p PollableInputImpl, t *asyncresult.Task[[]byte], count int, c *cancellable.Cancellable) {
	op := &readBytesOp{t: t, p: p, buf: make([]byte, count), c: c}
	pollStart(op, op.source, t.AttachSource)
}

// readAllOp is read_all_async on a pollable stream: reads until buf is
// full, the stream ends or a read fails, with the count kept on failure.
type readAllOp struct {
	t   *asyncresult.Task[countResult]
	p   PollableInputImpl
	buf []byte
	n   int
	c   *cancellable.Cancellable
}

func (op *readAllOp) source() *mainloop.Source { return op.p.CreateSource(op.c) }

func (op *readAllOp) step() bool {
	for op.n < len(op.buf) {
		m, again, err := readNB(op.p, op.buf[op.n:], op.c)
		if again {
			return false
		}
		if err != nil {
			op.t.Return(countResult{op.n, err})
			return true
		}
		if m == 0 {
			break
		}
		op.n += m
	}
	op.t.Return(countResult{op.n, nil})
	return true
}

func pollReadAll(p PollableInputImpl, t *asyncresult.Task[countResult], buf []byte, c *cancellable.Cancellable) {
	t.SetCheckCancellable(false)
	op := &readAllOp{t: t, p: p, buf: buf, c: c}
	pollStart(op, op.source, t.AttachSource)
}

// writeOp is write_async_pollable: one write of some of buf.
type writeOp struct {
	t   *asyncresult.Task[int]
	p   PollableOutputImpl
	buf []byte
	c   *cancellable.Cancellable
}

func (op *writeOp) source() *mainloop.Source { return op.p.CreateSource(op.c) }

func (op *writeOp) step() bool {
	n, again, err := writeNB(op.p, op.buf, op.c)
	switch {
	case again:
		return false
	case err != nil:
		op.t.ReturnError(err)
	default:
		op.t.Return(n)
	}
	return true
}

func pollWrite(p PollableOutputImpl, t *asyncresult.Task[int], buf []byte, c *cancellable.Cancellable) {
	op := &writeOp{t: t, p: p, buf: buf, c: c}
	pollStart(op, op.source, t.AttachSource)
}

// writeAllOp is write_all_async on a pollable stream: writes all of buf,
// with the count kept on failure.
type writeAllOp struct {
	t   *asyncresult.Task[countResult]
	p   PollableOutputImpl
	buf []byte
	n   int
	c   *cancellable.Cancellable
}

func (op *writeAllOp) source() *mainloop.Source { return op.p.CreateSource(op.c) }

func (op *writeAllOp) step() bool {
	for op.n < len(op.buf) {
		m, again, err := writeNB(op.p, op.buf[op.n:], op.c)
		if again {
			return false
		}
		if err != nil {
			op.t.Return(countResult{op.n, err})
			return true
		}
		if m <= 0 {
			op.t.Return(countResult{op.n, zeroWrite("g_output_stream_write_all")})
			return true
		}
		op.n += m
	}
	op.t.Return(countResult{op.n, nil})
	return true
}

func pollWriteAll(p PollableOutputImpl, t *asyncresult.Task[countResult], buf []byte, c *cancellable.Cancellable) {
	t.SetCheckCancellable(false)
	op := &writeAllOp{t: t, p: p, buf: buf, c: c}
	pollStart(op, op.source, t.AttachSource)
}

// writevOp is writev_async_pollable: one vectored write of some of bufs.
type writevOp struct {
	t    *asyncresult.Task[int]
	p    PollableOutputImpl
	w    vecWriter
	bufs [][]byte
	c    *cancellable.Cancellable
}

func (op *writevOp) source() *mainloop.Source { return op.p.CreateSource(op.c) }

func (op *writevOp) step() bool {
	n, again, err := op.w.tryWritev(op.bufs, op.c)
	switch {
	case again:
		return false
	case err != nil:
		op.t.ReturnError(err)
	default:
		op.t.Return(n)
	}
	return true
}

func pollWritev(p PollableOutputImpl, w vecWriter, t *asyncresult.Task[int], bufs [][]byte, c *cancellable.Cancellable) {
	op := &writevOp{t: t, p: p, w: w, bufs: bufs, c: c}
	pollStart(op, op.source, t.AttachSource)
}

// writevAllOp is writev_all_async on a pollable stream: writes every byte
// of bufs (a copy of the slice is advanced, bufs itself is left alone),
// with the count kept on failure.
type writevAllOp struct {
	t     *asyncresult.Task[countResult]
	p     PollableOutputImpl
	w     vecWriter
	rest  [][]byte
	n     int
	total int
	c     *cancellable.Cancellable
}

func (op *writevAllOp) source() *mainloop.Source { return op.p.CreateSource(op.c) }

func (op *writevAllOp) step() bool {
	for op.n < op.total {
		m, again, err := op.w.tryWritev(op.rest, op.c)
		if again {
			return false
		}
		if err != nil {
			op.t.Return(countResult{op.n, err})
			return true
		}
		if m <= 0 {
			op.t.Return(countResult{op.n, zeroWrite("g_output_stream_writev_all")})
			return true
		}
		op.n += m
		op.rest = vecAdvance(op.rest, m)
	}
	op.t.Return(countResult{op.n, nil})
	return true
}

func pollWritevAll(p PollableOutputImpl, w vecWriter, t *asyncresult.Task[countResult], bufs [][]byte, c *cancellable.Cancellable) {
	t.SetCheckCancellable(false)
	op := &writevAllOp{t: t, p: p, w: w, rest: append([][]byte(nil), bufs...), total: vecLen(bufs), c: c}
	pollStart(op, op.source, t.AttachSource)
}
