package gio

import (
	"strconv"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/mainloop"
)

// The methods of InputStream and OutputStream mirror each other, as
// GInputStream's and GOutputStream's do, and are kept as two concrete types
// rather than one generic one: Read and Write are the hot path of the
// allocation-free round trip (TestRoundTripAllocs_SOCK8) and stay direct,
// monomorphic calls. What they share lives once: streamState (pending and
// closed), beginAsync, newTask/runTask/finishTask and the pollable ops.
// Within each type, the XxxAsync methods keep one body per GLib call, each
// naming its own task type, pollable op and blocking fallback; their common
// start is beginAsync.

// InputStreamImpl is the part of a GInputStream subclass that does the work
// (GInputStreamClass's read_fn and close_fn). InputStream wraps it with
// GLib's rules: one operation at a time, nothing after close, async forms.
//
// Read reads up to len(buf) > 0 bytes, blocking until at least one is
// available, and returns 0 only at end of stream. It must return promptly
// with CANCELLED when c is cancelled. Close releases what the stream holds;
// it is called at most once.
//
// These two are the minimum. An implementation may add PollableInputImpl
// (then the stream is pollable and its async reads take GLib's pollable
// path); InputStream finds it by type assertion, as io.Copy finds an
// io.WriterTo.
type InputStreamImpl interface {
	Read(buf []byte, c *cancellable.Cancellable) (int, error)
	Close(c *cancellable.Cancellable) error
}

// InputStream is GInputStream: a source of bytes with GLib's blocking and
// async calls. A stream runs one operation at a time: a call made while
// another is in progress fails with PENDING "Stream has outstanding
// operation", and every call after Close fails with CLOSED "Stream is already
// closed" (SOCK-11).
//
// Multiple goroutines may call its methods; the one-operation rule is what
// serialises them. The XxxAsync methods deliver their callback on the
// caller's context (mainloop.ThreadDefault at the time of the call), at the
// priority given, never inside the XxxAsync call; the matching XxxFinish
// must be called with the result, once.
//
// The zero InputStream (and a nil pointer) is not usable: every operation
// fails with NOT_INITIALIZED; make one with NewInputStream.
type InputStream struct {
	impl  InputStreamImpl
	state streamState
}

// NewInputStream returns an InputStream around impl (what a GInputStream
// subclass's constructor does).
func NewInputStream(impl InputStreamImpl) *InputStream {
	return &InputStream{impl: impl}
}

// negativeCount is the error for a negative count: Go's words, then
// GLib's.
func negativeCount(count int64, fn string) error {
	return ioerr.New(ioerr.InvalidArgument, "count "+strconv.FormatInt(count, 10)+" is negative (Too large count value passed to "+fn+")")
}

// skipChunk is the buffer size of the read-based skip (GLib's is 8192).
const skipChunk = 8192

// st is the stream's closed/pending state, or, for a zero or nil InputStream
// (not made by NewInputStream), one that refuses every operation with
// NOT_INITIALIZED.
func (s *InputStream) st() *streamState {
	if s == nil || s.impl == nil {
		return &uninitInput
	}
	return &s.state
}

// implOrNil is the impl, nil for a zero or nil InputStream.
func (s *InputStream) implOrNil() InputStreamImpl {
	if s == nil {
		return nil
	}
	return s.impl
}

// Tags of the async operations.
var (
	tagRead      = &opTag{"g_input_stream_read_async"}
	tagReadAll   = &opTag{"g_input_stream_read_all_async"}
	tagReadBytes = &opTag{"g_input_stream_read_bytes_async"}
	tagSkip      = &opTag{"g_input_stream_skip_async"}
	tagInClose   = &opTag{"g_input_stream_close_async"}
)

// IsClosed is g_input_stream_is_closed.
func (s *InputStream) IsClosed() bool { return s.st().isClosed() }

// HasPending is g_input_stream_has_pending: whether an operation is in
// progress.
func (s *InputStream) HasPending() bool { return s.st().hasPending() }

// SetPending is g_input_stream_set_pending, for code that builds an
// operation out of several: it fails with CLOSED or PENDING as a read would.
// Every successful SetPending needs a ClearPending.
func (s *InputStream) SetPending() error { return s.st().setPending() }

// ClearPending is g_input_stream_clear_pending.
func (s *InputStream) ClearPending() { s.st().clearPending() }

// SetReuseResults makes the stream reuse the result of an earlier async
// read (ReadAsync, ReadAllAsync) for a later one, once the earlier is done
// with: its callback has returned and its Finish has been called. It is
// off by default. GLib has no such call; it is GLib's ownership rule, made
// explicit: the GAsyncResult a callback gets is the task's, freed when the
// callback returns unless referenced. With it on, a result must not be
// used after its Finish: one kept may, once reused, describe a later read
// of the stream (as the slice bufio.Scanner.Bytes returns holds the next
// token). What it saves is an allocation per read (about 190 bytes), and
// the collector's work on it: the user CPU per round trip of an echo
// server that reads and writes this way (demo/gioecho) fell by about 13%.
// The stream keeps its last two results of each type for it, so up to
// four (about 760 bytes) stay alive with the stream. Reads on the
// non-pollable path (another goroutine) are not affected.
func (s *InputStream) SetReuseResults(on bool) { s.st().setReuse(on) }

// Read is g_input_stream_read: it reads up to len(buf) bytes, blocking until
// some are available, and returns 0 at end of stream. An empty buf returns 0
// at once, whatever the stream's state.
func (s *InputStream) Read(buf []byte, c *cancellable.Cancellable) (int, error) {
	if len(buf) == 0 {
		return 0, nil
	}
	if err := s.st().setPending(); err != nil {
		return 0, err
	}
	defer s.st().clearPending()
	return s.read(buf, c)
}

// read runs one read_fn; the caller holds pending.
func (s *InputStream) read(buf []byte, c *cancellable.Cancellable) (int, error) {
	if err := cancelledErr(c); err != nil {
		return 0, err
	}
	return s.impl.Read(buf, c)
}

// ReadAll is g_input_stream_read_all: it reads until buf is full or the
// stream ends, and returns how many bytes it read, also when it fails
// (SOCK-11). Fewer than len(buf) with a nil error means end of stream.
//
// Differs from GLib: the stream stays pending for the whole call, not once
// per inner read, so no other operation can slip in between.
func (s *InputStream) ReadAll(buf []byte, c *cancellable.Cancellable) (int, error) {
	if len(buf) == 0 {
		return 0, nil
	}
	if err := s.st().setPending(); err != nil {
		return 0, err
	}
	defer s.st().clearPending()
	return s.readAll(buf, c)
}

func (s *InputStream) readAll(buf []byte, c *cancellable.Cancellable) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := s.read(buf[n:], c)
		if err != nil {
			return n, err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return n, nil
}

// ReadBytes is g_input_stream_read_bytes: one read of up to count bytes into
// a new slice. At end of stream it returns an empty, non-nil slice.
func (s *InputStream) ReadBytes(count int, c *cancellable.Cancellable) ([]byte, error) {
	if count < 0 {
		return nil, negativeCount(int64(count), "g_input_stream_read_bytes")
	}
	buf := make([]byte, count)
	n, err := s.Read(buf, c)
	if err != nil {
		return nil, err
	}
	return buf[:n:n], nil
}

// Skip is g_input_stream_skip: it discards up to count bytes by reading
// them and returns how many it discarded, fewer at end of stream. A cancel
// after some bytes were skipped returns that count without an error, as GLib
// does.
func (s *InputStream) Skip(count int64, c *cancellable.Cancellable) (int64, error) {
	if count == 0 {
		return 0, nil
	}
	if count < 0 {
		return 0, negativeCount(count, "g_input_stream_skip")
	}
	if err := s.st().setPending(); err != nil {
		return 0, err
	}
	defer s.st().clearPending()
	return s.skip(count, c)
}

func (s *InputStream) skip(count int64, c *cancellable.Cancellable) (int64, error) {
	buf := make([]byte, min(count, skipChunk))
	var skipped int64
	for skipped < count {
		n, err := s.read(buf[:min(count-skipped, int64(len(buf)))], c)
		if err != nil {
			if skipped > 0 && isCode(err, ioerr.Cancelled) {
				return skipped, nil
			}
			return skipped, err
		}
		if n == 0 {
			break
		}
		skipped += int64(n)
	}
	return skipped, nil
}

// Close is g_input_stream_close. Closing a closed stream succeeds and does
// nothing. The stream counts as closed afterwards even if the impl's Close failed.
// While another operation is in progress it fails with PENDING.
func (s *InputStream) Close(c *cancellable.Cancellable) error {
	if s.st().isClosed() {
		return nil
	}
	if err := s.st().setPending(); err != nil {
		return err
	}
	defer s.st().finishClose()
	return s.impl.Close(c)
}

// ReadAsync is g_input_stream_read_async: Read, with the result delivered
// to cb on the caller's context. On a pollable stream (a socket's) it
// takes GLib's pollable path: a non-blocking read now, then one each time
// the stream's source, attached to the caller's context at prio, reports it
// readable; on any other stream the read runs on another goroutine. buf
// must not be touched until the callback runs. Call ReadFinish with the
// result.
//
// Differs from GLib: after an async read of a socket that had to wait, the
// next seven wait for readability before their first read, which saves a
// read that would fail with EAGAIN when the peer has not answered yet; the
// callback runs in a later iteration either way, but the bytes stay in the
// socket (AvailableBytes) until then.
func (s *InputStream) ReadAsync(buf []byte, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	if len(buf) == 0 {
		returnNow(s, tagRead, prio, c, cb, 0)
		return
	}
	if p, ok := s.implOrNil().(PollableInputImpl); ok {
		pollRead(p, buf, asyncCall{s, s.st(), tagRead, prio, c, cb})
		return
	}
	t := beginAsync[int](s, s.st(), tagRead, prio, c, cb)
	if t == nil {
		return
	}
	runTask(t, func() (int, error) { return s.read(buf, c) })
}

// ReadFinish is g_input_stream_read_finish.
func (s *InputStream) ReadFinish(res asyncresult.AsyncResult) (int, error) {
	return finishTask[int](res, s, tagRead)
}

// ReadAllAsync is g_input_stream_read_all_async: ReadAll, on the pollable
// path for a pollable stream (see ReadAsync) and on another goroutine
// otherwise. ReadAllFinish reports the bytes read even on error.
func (s *InputStream) ReadAllAsync(buf []byte, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	// Same shape as ReadAsync: kept separate because the two differ in
	// their task type, pollable op and fallback, which a shared body would
	// take as closures, allocating on the pollable path (see the note at
	// the top of this file).
	if len(buf) == 0 {
		returnNow(s, tagReadAll, prio, c, cb, countResult{})
		return
	}
	if p, ok := s.implOrNil().(PollableInputImpl); ok {
		pollReadAll(p, buf, asyncCall{s, s.st(), tagReadAll, prio, c, cb})
		return
	}
	t := beginAsync[countResult](s, s.st(), tagReadAll, prio, c, cb)
	if t == nil {
		return
	}
	runCountTask(t, func() (int, error) { return s.readAll(buf, c) })
}

// ReadAllFinish is g_input_stream_read_all_finish: the bytes read (fewer
// than asked with a nil error at end of stream) and the error, if any.
func (s *InputStream) ReadAllFinish(res asyncresult.AsyncResult) (int, error) {
	return finishCount(res, s, tagReadAll)
}

// ReadBytesAsync is g_input_stream_read_bytes_async: ReadBytes, on the
// pollable path for a pollable stream (see ReadAsync) and on another
// goroutine otherwise.
func (s *InputStream) ReadBytesAsync(count int, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	if count <= 0 {
		if count < 0 {
			reportError[[]byte](s, tagReadBytes, prio, cb,
				negativeCount(int64(count), "g_input_stream_read_bytes_async"))
			return
		}
		returnNow(s, tagReadBytes, prio, c, cb, []byte{})
		return
	}
	if p, ok := s.implOrNil().(PollableInputImpl); ok {
		pollReadBytes(p, count, asyncCall{s, s.st(), tagReadBytes, prio, c, cb})
		return
	}
	t := beginAsync[[]byte](s, s.st(), tagReadBytes, prio, c, cb)
	if t == nil {
		return
	}
	runTask(t, func() ([]byte, error) {
		buf := make([]byte, count)
		n, err := s.read(buf, c)
		if err != nil {
			return nil, err
		}
		return buf[:n:n], nil
	})
}

// ReadBytesFinish is g_input_stream_read_bytes_finish.
func (s *InputStream) ReadBytesFinish(res asyncresult.AsyncResult) ([]byte, error) {
	return finishTask[[]byte](res, s, tagReadBytes)
}

// SkipAsync is g_input_stream_skip_async.
func (s *InputStream) SkipAsync(count int64, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	if count <= 0 {
		if count < 0 {
			reportError[int64](s, tagSkip, prio, cb,
				negativeCount(count, "g_input_stream_skip_async"))
			return
		}
		returnNow(s, tagSkip, prio, c, cb, int64(0))
		return
	}
	t := beginAsync[int64](s, s.st(), tagSkip, prio, c, cb)
	if t == nil {
		return
	}
	runTask(t, func() (int64, error) { return s.skip(count, c) })
}

// SkipFinish is g_input_stream_skip_finish.
func (s *InputStream) SkipFinish(res asyncresult.AsyncResult) (int64, error) {
	return finishTask[int64](res, s, tagSkip)
}

// CloseAsync is g_input_stream_close_async. The stream is marked closed just
// before cb runs.
func (s *InputStream) CloseAsync(prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	if s.st().isClosed() {
		returnNow(s, tagInClose, prio, c, cb, struct{}{})
		return
	}
	t := beginCloseAsync(s, s.st(), tagInClose, prio, c, cb)
	if t == nil {
		return
	}
	runTask(t, func() (struct{}, error) { return struct{}{}, s.impl.Close(c) })
}

// CloseFinish is g_input_stream_close_finish.
func (s *InputStream) CloseFinish(res asyncresult.AsyncResult) error {
	_, err := finishTask[struct{}](res, s, tagInClose)
	return err
}

// CanPoll is g_pollable_input_stream_can_poll.
func (s *InputStream) CanPoll() bool {
	_, ok := s.implOrNil().(PollableInputImpl)
	return ok
}

// IsReadable is g_pollable_input_stream_is_readable: whether a read would
// return at once (with data, end of stream or an error). False for a stream
// that cannot poll.
func (s *InputStream) IsReadable() bool {
	p, ok := s.implOrNil().(PollableInputImpl)
	return ok && p.IsReadable()
}

// ReadNonblocking is g_pollable_input_stream_read_nonblocking: a read that
// never waits: WOULD_BLOCK when nothing is available. As in GLib it does not
// take part in the one-operation rule (no PENDING, no stream CLOSED check;
// the socket's own checks apply). A stream that cannot poll gives
// NOT_SUPPORTED.
func (s *InputStream) ReadNonblocking(buf []byte, c *cancellable.Cancellable) (int, error) {
	if err := cancelledErr(c); err != nil {
		return 0, err
	}
	if len(buf) == 0 {
		return 0, nil
	}
	p, ok := s.implOrNil().(PollableInputImpl)
	if !ok {
		return 0, errNotPollable()
	}
	return p.ReadNonblocking(buf, c)
}

// CreateSource is g_pollable_input_stream_create_source: an unattached
// source whose callback (Source.SetCallback) runs when the stream is
// readable or c is cancelled; the callback then usually calls
// ReadNonblocking. Nil for a stream that cannot poll.
func (s *InputStream) CreateSource(c *cancellable.Cancellable) *mainloop.Source {
	p, ok := s.implOrNil().(PollableInputImpl)
	if !ok {
		return nil
	}
	return p.CreateSource(c)
}
