package gio

import (
	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
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

var tagSplice = &opTag{"g_output_stream_splice_async"}

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

// simpleIO has no Close: closing it is GLib's default close_fn (see
// IOStreamCloser), as GSimpleIOStream has none of its own.
func (p simpleIO) InputStream() *InputStream   { return p.in }
func (p simpleIO) OutputStream() *OutputStream { return p.out }

// IOStreamSpliceFlags is GIOStreamSpliceFlags.
type IOStreamSpliceFlags int

// The GIOStreamSpliceFlags values.
const (
	IOStreamSpliceNone IOStreamSpliceFlags = 0
	// IOStreamSpliceCloseStream1 closes the first stream when done.
	IOStreamSpliceCloseStream1 IOStreamSpliceFlags = 1 << 0
	// IOStreamSpliceCloseStream2 closes the second stream when done.
	IOStreamSpliceCloseStream2 IOStreamSpliceFlags = 1 << 1
	// IOStreamSpliceWaitForBoth waits for both directions to end; without
	// it, the end of one direction stops the other.
	IOStreamSpliceWaitForBoth IOStreamSpliceFlags = 1 << 2
)

// IOStreamer is what SpliceAsync connects: an *IOStream, or anything that
// embeds one, such as a *SocketConnection.
type IOStreamer interface {
	InputStream() *InputStream
	OutputStream() *OutputStream
	CloseStream(c *cancellable.Cancellable) error
}

var tagIOSplice = &opTag{"g_io_stream_splice_async"}

// SpliceAsync is g_io_stream_splice_async: it copies s's input to other's
// output and other's input to s's output, both at once, until one
// direction ends (or both, with IOStreamSpliceWaitForBoth; the other is
// then cancelled), closes the streams the flags name, and delivers to cb on
// the caller's context. A cancellation that SpliceAsync made itself is not
// an error; the first other error is. Call SpliceFinish with the result.
// It is how a proxy joins two connections.
func (s *IOStream) SpliceAsync(other IOStreamer, flags IOStreamSpliceFlags, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	t := newTask[struct{}](s.source, tagIOSplice, prio, c, cb)
	runTask(t, func() (struct{}, error) { return struct{}{}, splicePair(s, other, flags, c) })
}

// SpliceFinish is g_io_stream_splice_finish.
func (s *IOStream) SpliceFinish(res asyncresult.AsyncResult) error {
	_, err := finishTask[struct{}](res, s.source, tagIOSplice)
	return err
}

func splicePair(s1, s2 IOStreamer, flags IOStreamSpliceFlags, c *cancellable.Cancellable) error {
	stop := cancellable.New()
	if id := c.Connect(stop.Cancel); id != 0 {
		defer c.Disconnect(id)
	}
	done := make(chan error, 2)
	run := func(from IOStreamer, to IOStreamer) {
		_, err := to.OutputStream().Splice(from.InputStream(), OutputStreamSpliceNone, stop)
		done <- err
	}
	go run(s1, s2)
	go run(s2, s1)
	var first error
	for i := 0; i < 2; i++ {
		err := <-done
		if isCode(err, ioerr.Cancelled) && !c.IsCancelled() {
			err = nil // our own stop, not the caller's
		}
		if err != nil && first == nil {
			first = err
		}
		if i == 0 && flags&IOStreamSpliceWaitForBoth == 0 {
			stop.Cancel()
		}
	}
	closeWith := stop
	if !c.IsCancelled() {
		closeWith = nil // a fresh start for the closes, as GLib resets its cancellables
	}
	if flags&IOStreamSpliceCloseStream1 != 0 {
		if err := s1.CloseStream(closeWith); err != nil && first == nil {
			first = err
		}
	}
	if flags&IOStreamSpliceCloseStream2 != 0 {
		if err := s2.CloseStream(closeWith); err != nil && first == nil {
			first = err
		}
	}
	return first
}
