package gio

import (
	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
)

// The methods of InputStream and OutputStream mirror each other, as
// GInputStream's and GOutputStream's do, and are kept as two concrete types
// rather than one generic one: Read and Write are the hot path of the
// allocation-free round trip (TestRoundTripAllocs_SOCK8) and stay direct,
// monomorphic calls. What they share lives once: streamState (pending and
// closed), newTask/runTask/finishTask and the pollable ops.

// OutputStreamImpl is the part of a GOutputStream subclass that does the
// work (GOutputStreamClass's write_fn and close_fn). OutputStream wraps it
// with GLib's rules.
//
// Write writes some of buf (len(buf) > 0), blocking until it can write at
// least one byte, and returns how many it wrote. Close releases what the
// stream holds; it is called at most once, after a flush. Both must return
// promptly with CANCELLED when c is cancelled.
//
// These two are the minimum; the rest of GOutputStreamClass is optional and
// found by type assertion, as io.Copy finds an io.ReaderFrom: VectorWriter
// (writev_fn; without it a vectored write writes the buffers one by one, as
// GLib's default writev_fn does), Flusher (flush; without it a flush does
// nothing) and PollableOutputImpl.
type OutputStreamImpl interface {
	Write(buf []byte, c *cancellable.Cancellable) (int, error)
	Close(c *cancellable.Cancellable) error
}

// VectorWriter is GOutputStreamClass's writev_fn, optional on an
// OutputStreamImpl: Writev writes some of bufs, in order, blocking until it
// can write at least one byte, and returns how many it wrote.
type VectorWriter interface {
	Writev(bufs [][]byte, c *cancellable.Cancellable) (int, error)
}

// Flusher is GOutputStreamClass's flush, optional on an OutputStreamImpl:
// Flush pushes out anything buffered.
type Flusher interface {
	Flush(c *cancellable.Cancellable) error
}

// OutputStream is GOutputStream: a sink of bytes with GLib's blocking and
// async calls, under the same rules as InputStream: one operation at a time
// (PENDING "Stream has outstanding operation"), nothing after Close (CLOSED
// "Stream is already closed"), async results on the caller's context
// (SOCK-11).
//
// Multiple goroutines may call its methods; the one-operation rule is what
// serialises them. The zero OutputStream (and a nil pointer) is not usable:
// every operation fails with NOT_INITIALIZED; make one with
// NewOutputStream.
type OutputStream struct {
	impl  OutputStreamImpl
	state streamState
}

// NewOutputStream returns an OutputStream around impl.
func NewOutputStream(impl OutputStreamImpl) *OutputStream {
	return &OutputStream{impl: impl}
}

// st is the stream's closed/pending state, or, for a zero or nil OutputStream
// (not made by NewOutputStream), one that refuses every operation with
// NOT_INITIALIZED.
func (s *OutputStream) st() *streamState {
	if s == nil || s.impl == nil {
		return &uninitOutput
	}
	return &s.state
}

// implOrNil is the impl, nil for a zero or nil OutputStream.
func (s *OutputStream) implOrNil() OutputStreamImpl {
	if s == nil {
		return nil
	}
	return s.impl
}

// OutputStream mirrors InputStream call for call, as GOutputStream mirrors
// GInputStream, and each XxxAsync repeats the same four steps (empty input,
// SetPending, the task, the pollable or goroutine path): what they share is
// already helpers (returnNow, reportError, newTask, runTask, the poll*
// functions, streamState); what stays is their order, each with GLib's own
// types, checks and tag. A shared embedded base would make the promoted
// methods of a nil stream panic, and a generic XxxAsync would hide that
// order behind four function arguments.

// Tags of the async operations.
var (
	tagWrite     = &opTag{"g_output_stream_write_async"}
	tagWriteAll  = &opTag{"g_output_stream_write_all_async"}
	tagWritev    = &opTag{"g_output_stream_writev_async"}
	tagWritevAll = &opTag{"g_output_stream_writev_all_async"}
	tagFlush     = &opTag{"g_output_stream_flush_async"}
	tagOutClose  = &opTag{"g_output_stream_close_async"}
)

// IsClosed is g_output_stream_is_closed.
func (s *OutputStream) IsClosed() bool { return s.st().isClosed() }

// HasPending is g_output_stream_has_pending.
func (s *OutputStream) HasPending() bool { return s.st().hasPending() }

// SetPending is g_output_stream_set_pending (see InputStream.SetPending).
func (s *OutputStream) SetPending() error { return s.st().setPending() }

// ClearPending is g_output_stream_clear_pending.
func (s *OutputStream) ClearPending() { s.st().clearPending() }

// SetReuseResults is InputStream.SetReuseResults for the stream's async
// writes on the pollable path (WriteAsync, WriteAllAsync): a result must
// not be used after its Finish, which lets a later write reuse it.
func (s *OutputStream) SetReuseResults(on bool) { s.st().setReuse(on) }

// Write is g_output_stream_write: it writes some of buf, blocking until it
// can write at least one byte, and returns how many it wrote. An empty buf
// returns 0 at once.
func (s *OutputStream) Write(buf []byte, c *cancellable.Cancellable) (int, error) {
	if len(buf) == 0 {
		return 0, nil
	}
	if err := s.st().setPending(); err != nil {
		return 0, err
	}
	defer s.st().clearPending()
	return s.write(buf, c)
}

func (s *OutputStream) write(buf []byte, c *cancellable.Cancellable) (int, error) {
	if err := cancelledErr(c); err != nil {
		return 0, err
	}
	return s.impl.Write(buf, c)
}

// WriteAll is g_output_stream_write_all: it writes all of buf and returns
// how many bytes it wrote, also when it fails (SOCK-11).
//
// Differs from GLib: the stream stays pending for the whole call, not once
// per inner write.
func (s *OutputStream) WriteAll(buf []byte, c *cancellable.Cancellable) (int, error) {
	if len(buf) == 0 {
		return 0, nil
	}
	if err := s.st().setPending(); err != nil {
		return 0, err
	}
	defer s.st().clearPending()
	return s.writeAll(buf, c)
}

func (s *OutputStream) writeAll(buf []byte, c *cancellable.Cancellable) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := s.write(buf[n:], c)
		if err != nil {
			return n, err
		}
		if m <= 0 {
			return n, zeroWrite("g_output_stream_write_all")
		}
		n += m
	}
	return n, nil
}

// Writev is g_output_stream_writev: one vectored write of some of bufs, in
// order. It returns how many bytes it wrote. No buffers, or only empty ones,
// return 0 at once.
func (s *OutputStream) Writev(bufs [][]byte, c *cancellable.Cancellable) (int, error) {
	if vecLen(bufs) == 0 {
		return 0, nil
	}
	if err := s.st().setPending(); err != nil {
		return 0, err
	}
	defer s.st().clearPending()
	return s.writev(bufs, c)
}

func (s *OutputStream) writev(bufs [][]byte, c *cancellable.Cancellable) (int, error) {
	if err := cancelledErr(c); err != nil {
		return 0, err
	}
	if w, ok := s.implOrNil().(VectorWriter); ok {
		return w.Writev(bufs, c)
	}
	return s.writevEach(bufs, c)
}

// writevEach is g_output_stream_real_writev, the writev of a stream without
// a VectorWriter: one write per non-empty buffer, in order, up to the first
// short write. An error after some bytes were written is dropped, as GLib
// does: the count is reported and the next call sees the error again.
func (s *OutputStream) writevEach(bufs [][]byte, c *cancellable.Cancellable) (int, error) {
	n := 0
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		m, err := s.impl.Write(b, c)
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		n += m
		if m < len(b) {
			break
		}
	}
	return n, nil
}

// flush is the impl's Flusher, if it has one.
func (s *OutputStream) flush(c *cancellable.Cancellable) error {
	if f, ok := s.implOrNil().(Flusher); ok {
		return f.Flush(c)
	}
	return nil
}

// WritevAll is g_output_stream_writev_all: it writes every byte of bufs, in
// order, with as few vectored writes as it can, and returns how many bytes it
// wrote, also when it fails. bufs itself is not modified.
func (s *OutputStream) WritevAll(bufs [][]byte, c *cancellable.Cancellable) (int, error) {
	if vecLen(bufs) == 0 {
		return 0, nil
	}
	if err := s.st().setPending(); err != nil {
		return 0, err
	}
	defer s.st().clearPending()
	return s.writevAll(bufs, c)
}

func (s *OutputStream) writevAll(bufs [][]byte, c *cancellable.Cancellable) (int, error) {
	total := vecLen(bufs)
	rest := append([][]byte(nil), bufs...)
	n := 0
	for n < total {
		m, err := s.writev(rest, c)
		if err != nil {
			return n, err
		}
		if m <= 0 {
			return n, zeroWrite("g_output_stream_writev_all")
		}
		n += m
		rest = vecAdvance(rest, m)
	}
	return n, nil
}

// zeroWrite reports an OutputStreamImpl that wrote nothing without an error,
// which would make the "all" loops spin: GLib's g_return_val_if_fail, a
// critical, and here a FAILED error instead of a hang.
func zeroWrite(fn string) error {
	msg := fn + ": assertion 'res > 0' failed"
	logging.Critical("gio", msg)
	return ioerr.New(ioerr.Failed, msg)
}

// vecLen is the total length of bufs.
func vecLen(bufs [][]byte) int {
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	return n
}

// vecAdvance drops the first n bytes of bufs, and any buffers left empty.
func vecAdvance(bufs [][]byte, n int) [][]byte {
	for len(bufs) > 0 && n >= len(bufs[0]) {
		n -= len(bufs[0])
		bufs = bufs[1:]
	}
	if len(bufs) > 0 {
		bufs[0] = bufs[0][n:]
	}
	return bufs
}

// Flush is g_output_stream_flush.
func (s *OutputStream) Flush(c *cancellable.Cancellable) error {
	if err := s.st().setPending(); err != nil {
		return err
	}
	defer s.st().clearPending()
	return s.flush(c)
}

// Close is g_output_stream_close: it flushes, then closes. Closing a closed
// stream succeeds and does nothing. The stream counts as closed afterwards
// even if the flush or the close failed; a failed flush is the error
// reported, and the close still runs. While another operation is in progress
// it fails with PENDING.
func (s *OutputStream) Close(c *cancellable.Cancellable) error {
	if s.st().isClosed() {
		return nil
	}
	if err := s.st().setPending(); err != nil {
		return err
	}
	defer s.st().finishClose()
	return s.close(c)
}

func (s *OutputStream) close(c *cancellable.Cancellable) error {
	if err := s.flush(c); err != nil {
		_ = s.impl.Close(c)
		return err
	}
	return s.impl.Close(c)
}

// WriteAsync is g_output_stream_write_async: Write, with the result
// delivered to cb on the caller's context: on the pollable path for a
// pollable stream (see InputStream.ReadAsync), on another goroutine
// otherwise. buf must not be
// changed until the callback runs.
func (s *OutputStream) WriteAsync(buf []byte, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	if len(buf) == 0 {
		returnNow(s, tagWrite, prio, c, cb, 0)
		return
	}
	if p, ok := s.implOrNil().(PollableOutputImpl); ok {
		pollWrite(p, buf, asyncCall{s, s.st(), tagWrite, prio, c, cb})
		return
	}
	t := beginAsync[int](s, s.st(), tagWrite, prio, c, cb)
	if t == nil {
		return
	}
	runTask(t, func() (int, error) { return s.write(buf, c) })
}

// WriteFinish is g_output_stream_write_finish.
func (s *OutputStream) WriteFinish(res asyncresult.AsyncResult) (int, error) {
	return finishTask[int](res, s, tagWrite)
}

// WriteAllAsync is g_output_stream_write_all_async. WriteAllFinish reports
// the bytes written even on error.
func (s *OutputStream) WriteAllAsync(buf []byte, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	// Same shape as WriteAsync (and Writev/WritevAllAsync below): kept
	// separate because each differs in its task type, pollable op and
	// fallback, which a shared body would take as closures, allocating on
	// the pollable path (see the note at the top of inputstream.go).
	if len(buf) == 0 {
		returnNow(s, tagWriteAll, prio, c, cb, countResult{})
		return
	}
	if p, ok := s.implOrNil().(PollableOutputImpl); ok {
		pollWriteAll(p, buf, asyncCall{s, s.st(), tagWriteAll, prio, c, cb})
		return
	}
	t := beginAsync[countResult](s, s.st(), tagWriteAll, prio, c, cb)
	if t == nil {
		return
	}
	runCountTask(t, func() (int, error) { return s.writeAll(buf, c) })
}

// WriteAllFinish is g_output_stream_write_all_finish: the bytes written and
// the error, if any.
func (s *OutputStream) WriteAllFinish(res asyncresult.AsyncResult) (int, error) {
	return finishCount(res, s, tagWriteAll)
}

// WritevAsync is g_output_stream_writev_async: Writev, on the pollable
// path for a socket's stream (see InputStream.ReadAsync) and on another
// goroutine otherwise.
func (s *OutputStream) WritevAsync(bufs [][]byte, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	if vecLen(bufs) == 0 {
		returnNow(s, tagWritev, prio, c, cb, 0)
		return
	}
	if p, ok := s.vecPollable(); ok {
		pollWritev(p, bufs, asyncCall{s, s.st(), tagWritev, prio, c, cb})
		return
	}
	t := beginAsync[int](s, s.st(), tagWritev, prio, c, cb)
	if t == nil {
		return
	}
	runTask(t, func() (int, error) { return s.writev(bufs, c) })
}

// WritevFinish is g_output_stream_writev_finish.
func (s *OutputStream) WritevFinish(res asyncresult.AsyncResult) (int, error) {
	return finishTask[int](res, s, tagWritev)
}

// WritevAllAsync is g_output_stream_writev_all_async. WritevAllFinish
// reports the bytes written even on error.
func (s *OutputStream) WritevAllAsync(bufs [][]byte, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	if vecLen(bufs) == 0 {
		returnNow(s, tagWritevAll, prio, c, cb, countResult{})
		return
	}
	if p, ok := s.vecPollable(); ok {
		pollWritevAll(p, bufs, asyncCall{s, s.st(), tagWritevAll, prio, c, cb})
		return
	}
	t := beginAsync[countResult](s, s.st(), tagWritevAll, prio, c, cb)
	if t == nil {
		return
	}
	runCountTask(t, func() (int, error) { return s.writevAll(bufs, c) })
}

// vecPollable reports whether the vectored writes take the pollable path:
// the impl must be pollable and have a non-blocking vectored write.
func (s *OutputStream) vecPollable() (PollableOutputImpl, bool) {
	p, ok := s.implOrNil().(PollableOutputImpl)
	if !ok {
		return nil, false
	}
	_, ok = s.implOrNil().(vecWriter)
	return p, ok
}

// WritevAllFinish is g_output_stream_writev_all_finish.
func (s *OutputStream) WritevAllFinish(res asyncresult.AsyncResult) (int, error) {
	return finishCount(res, s, tagWritevAll)
}

// FlushAsync is g_output_stream_flush_async.
func (s *OutputStream) FlushAsync(prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	t := beginAsync[struct{}](s, s.st(), tagFlush, prio, c, cb)
	if t == nil {
		return
	}
	runTask(t, func() (struct{}, error) { return struct{}{}, s.flush(c) })
}

// FlushFinish is g_output_stream_flush_finish.
func (s *OutputStream) FlushFinish(res asyncresult.AsyncResult) error {
	_, err := finishTask[struct{}](res, s, tagFlush)
	return err
}

// CloseAsync is g_output_stream_close_async: flush, then close, on another
// goroutine. The stream is marked closed just before cb runs.
func (s *OutputStream) CloseAsync(prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	if s.st().isClosed() {
		returnNow(s, tagOutClose, prio, c, cb, struct{}{})
		return
	}
	t := beginCloseAsync(s, s.st(), tagOutClose, prio, c, cb)
	if t == nil {
		return
	}
	runTask(t, func() (struct{}, error) { return struct{}{}, s.close(c) })
}

// CloseFinish is g_output_stream_close_finish.
func (s *OutputStream) CloseFinish(res asyncresult.AsyncResult) error {
	_, err := finishTask[struct{}](res, s, tagOutClose)
	return err
}

// CanPoll is g_pollable_output_stream_can_poll.
func (s *OutputStream) CanPoll() bool {
	_, ok := s.implOrNil().(PollableOutputImpl)
	return ok
}

// IsWritable is g_pollable_output_stream_is_writable: whether a write would
// not block. False for a stream that cannot poll.
func (s *OutputStream) IsWritable() bool {
	p, ok := s.implOrNil().(PollableOutputImpl)
	return ok && p.IsWritable()
}

// WriteNonblocking is g_pollable_output_stream_write_nonblocking: a write
// that never waits: WOULD_BLOCK when nothing can be written now. Like
// ReadNonblocking it ignores the one-operation rule, as GLib does.
func (s *OutputStream) WriteNonblocking(buf []byte, c *cancellable.Cancellable) (int, error) {
	if err := cancelledErr(c); err != nil {
		return 0, err
	}
	if len(buf) == 0 {
		return 0, nil
	}
	p, ok := s.implOrNil().(PollableOutputImpl)
	if !ok {
		return 0, errNotPollable()
	}
	return p.WriteNonblocking(buf, c)
}

// CreateSource is g_pollable_output_stream_create_source: an unattached
// source whose callback runs when the stream is writable or c is
// cancelled. Nil for a stream that cannot poll.
func (s *OutputStream) CreateSource(c *cancellable.Cancellable) *mainloop.Source {
	p, ok := s.implOrNil().(PollableOutputImpl)
	if !ok {
		return nil
	}
	return p.CreateSource(c)
}

// OutputStreamSpliceFlags is GOutputStreamSpliceFlags: what Splice closes
// when it is done.
type OutputStreamSpliceFlags int

// spliceChunk is the copy buffer of Splice (GLib's is 8192 bytes).
const spliceChunk = 8192

var tagSplice = &opTag{"g_output_stream_splice_async"}

// Splice is g_output_stream_splice: it copies src into s until src ends,
// then closes src and/or s as flags say, and returns how many bytes it
// copied. It is GIO's io.Copy. s is pending for the whole call; each read
// of src is an ordinary Read (so src is pending while it runs). On error
// the count is of the bytes written so far, and flags are still honoured
// (close errors are reported only when the copy itself succeeded).
func (s *OutputStream) Splice(src *InputStream, flags OutputStreamSpliceFlags, c *cancellable.Cancellable) (int64, error) {
	if err := s.st().setPending(); err != nil {
		return 0, err
	}
	defer s.st().clearPending()
	return s.splice(src, flags, c)
}

func (s *OutputStream) splice(src *InputStream, flags OutputStreamSpliceFlags, c *cancellable.Cancellable) (int64, error) {
	var total int64
	var err error
	buf := make([]byte, spliceChunk)
	for {
		var n int
		n, err = src.Read(buf, c)
		if err != nil || n == 0 {
			break
		}
		var w int
		w, err = s.writeAll(buf[:n], c)
		total += int64(w)
		if err != nil {
			break
		}
	}
	if flags&OutputStreamSpliceCloseSource != 0 {
		if cerr := src.Close(c); err == nil {
			err = cerr
		}
	}
	if flags&OutputStreamSpliceCloseTarget != 0 {
		cerr := s.close(c)
		s.st().markClosed()
		if err == nil {
			err = cerr
		}
	}
	return total, err
}

// SpliceAsync is g_output_stream_splice_async: Splice on another goroutine,
// delivered to cb on the caller's context. SpliceFinish reports the count
// even on error.
func (s *OutputStream) SpliceAsync(src *InputStream, flags OutputStreamSpliceFlags, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	t := beginAsync[countResult](s, s.st(), tagSplice, prio, c, cb)
	if t == nil {
		return
	}
	runCountTask(t, func() (int, error) {
		n, err := s.splice(src, flags, c)
		return int(n), err
	})
}

// SpliceFinish is g_output_stream_splice_finish: the bytes copied and the
// error, if any.
func (s *OutputStream) SpliceFinish(res asyncresult.AsyncResult) (int64, error) {
	n, err := finishCount(res, s, tagSplice)
	return int64(n), err
}

// The GOutputStreamSpliceFlags values.
const (
	OutputStreamSpliceNone        OutputStreamSpliceFlags = 0
	OutputStreamSpliceCloseSource OutputStreamSpliceFlags = 1 << 0
	OutputStreamSpliceCloseTarget OutputStreamSpliceFlags = 1 << 1
)
