package gio

import (
	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
)

// OutputStreamSpliceFlags is GOutputStreamSpliceFlags: what Splice closes
// when it is done.
type OutputStreamSpliceFlags int

// The GOutputStreamSpliceFlags values.
const (
	OutputStreamSpliceNone        OutputStreamSpliceFlags = 0
	OutputStreamSpliceCloseSource OutputStreamSpliceFlags = 1 << 0
	OutputStreamSpliceCloseTarget OutputStreamSpliceFlags = 1 << 1
)

// spliceChunk is the copy buffer of Splice (GLib's is 8192 bytes).
const spliceChunk = 8192

const tagSplice sourceTag = "g_output_stream_splice_async"

// Splice is g_output_stream_splice: it copies src into s until src ends,
// then closes src and/or s as flags say, and returns how many bytes it
// copied. It is GIO's io.Copy. s is pending for the whole call; each read
// of src is an ordinary Read (so src is pending while it runs). On error
// the count is of the bytes written so far, and flags are still honoured
// (close errors are reported only when the copy itself succeeded).
func (s *OutputStream) Splice(src *InputStream, flags OutputStreamSpliceFlags, c *cancellable.Cancellable) (int64, error) {
	if err := s.state.setPending(); err != nil {
		return 0, err
	}
	defer s.state.clearPending()
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
		s.state.markClosed()
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
	if err := s.state.setPending(); err != nil {
		reportError[countResult](s, tagSplice, prio, cb, err)
		return
	}
	t := newTask[countResult](s, tagSplice, prio, c, s.state.wrap(cb))
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

// NewSimpleIOStream is g_simple_io_stream_new: an IOStream made of any two
// streams. Closing it closes out, then in, and reports the first error.
func NewSimpleIOStream(in *InputStream, out *OutputStream) *IOStream {
	return NewIOStream(simpleIO{in, out})
}

type simpleIO struct {
	in  *InputStream
	out *OutputStream
}

func (p simpleIO) InputStream() *InputStream   { return p.in }
func (p simpleIO) OutputStream() *OutputStream { return p.out }

// CloseFn is g_io_stream_real_close: output first, then input; both are
// closed whatever the first did.
func (p simpleIO) CloseFn(c *cancellable.Cancellable) error {
	errOut := p.out.Close(c)
	errIn := p.in.Close(c)
	if errOut != nil {
		return errOut
	}
	return errIn
}
