package gio

import (
	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/object"
)

// IOStreamImpl is the part of a GIOStream subclass that does the work
// (GIOStreamClass's get_input_stream and get_output_stream), the minimum:
// InputStream and OutputStream return the same streams on every call.
//
// GIOStreamClass's close_fn is optional: an impl that is also an
// IOStreamCloser closes the pair itself; without it, closing the IOStream
// closes the output stream, then the input stream, as GLib's default
// close_fn does, and reports the first error.
type IOStreamImpl interface {
	InputStream() *InputStream
	OutputStream() *OutputStream
}

// IOStreamCloser is GIOStreamClass's close_fn, optional on an IOStreamImpl:
// Close closes what the pair holds; it is called at most once.
type IOStreamCloser interface {
	Close(c *cancellable.Cancellable) error
}

// closeImpl is close_fn: the impl's IOStreamCloser, else
// g_io_stream_real_close (output first, then input; both are closed
// whatever the first did).
func (s *IOStream) closeImpl(c *cancellable.Cancellable) error {
	if cl, ok := s.impl.(IOStreamCloser); ok {
		return cl.Close(c)
	}
	errOut := s.impl.OutputStream().Close(c)
	errIn := s.impl.InputStream().Close(c)
	if errOut != nil {
		return errOut
	}
	return errIn
}

// IOStream is GIOStream: a pair of streams, an input and an output, that
// belong together and close together (SOCK-10).
//
// The IOStream has its own closed and pending flags, separate from its
// substreams': Close and CloseAsync set them, a Close while a CloseAsync is
// in progress fails with PENDING "Stream has outstanding operation", and a
// second Close succeeds without doing anything. Closing the substreams one
// by one does not close the IOStream.
//
// It is an object.Object, as GIOStream is a GObject, with GLib's read-only
// properties "closed", "input-stream" and "output-stream" (see Property).
// "closed" notifies when the stream becomes closed. Differs from GLib, whose
// g_io_stream_close sets the flag without a notification. Destroy (Qt's
// delete, GLib's dispose) closes the stream if it is still open, as
// g_io_stream_dispose does.
//
// Multiple goroutines may call its methods. CloseAsync delivers its callback
// on the caller's context, never inside the call.
//
// The zero IOStream (and a nil pointer) is not usable: its streams are nil
// and every operation fails with NOT_INITIALIZED; make one with
// NewIOStream.
type IOStream struct {
	object.Object
	closed object.Property[bool]

	impl  IOStreamImpl
	state streamState
	// source is what callbacks receive as their source object and what
	// CloseFinish checks: the IOStream itself, or the connection that
	// embeds it.
	source any
	// closeInline makes CloseAsync run close_fn inside the call (GLib's
	// GSocketConnection does, since closing a socket does not block) and
	// deliver the result later; otherwise close_fn runs on another goroutine.
	closeInline func(c *cancellable.Cancellable) bool
}

// NewIOStream returns an IOStream around impl. Its context (object
// affinity) is the caller's.
func NewIOStream(impl IOStreamImpl) *IOStream {
	s := &IOStream{impl: impl}
	s.source = s
	s.initObject(s)
	return s
}

// initObject makes s an object whose outermost value is self (the
// connection that embeds it, if any), installs "closed", and makes Destroy
// close the stream, as g_io_stream_dispose does.
func (s *IOStream) initObject(self any) {
	s.Object.Init(self)
	// A fixed name on a fresh object: Install cannot fail.
	_ = s.closed.Install(&s.Object, "closed", false, object.ExplicitNotify|object.ReadOnly)
	s.AddDestroyNotify(func() { _ = s.CloseStream(nil) })
}

// Property is g_object_get_property on a GIOStream: "closed" (bool),
// "input-stream" (*InputStream), "output-stream" (*OutputStream), or any
// property a subclass installed on the Object. Unknown names give a
// *object.PropertyError wrapping object.ErrUnknownProperty.
func (s *IOStream) Property(name string) (any, error) {
	if s == nil {
		return nil, uninitIOStream.uninit
	}
	switch canonProp(name) {
	case "input-stream":
		return s.InputStream(), nil
	case "output-stream":
		return s.OutputStream(), nil
	}
	return s.Object.Property(name)
}

// SetProperty is g_object_set_property on a GIOStream. Its own properties
// are read-only (object.ErrReadOnlyProperty); a subclass's writable ones
// are set as Object.SetProperty does.
func (s *IOStream) SetProperty(name string, v any) error {
	if s == nil {
		return uninitIOStream.uninit
	}
	switch canonProp(name) {
	case "input-stream", "output-stream":
		return &object.PropertyError{Op: "set", Name: name, Err: object.ErrReadOnlyProperty}
	}
	return s.Object.SetProperty(name, v)
}

// Properties is g_object_class_list_properties: the installed properties
// ("closed", and a subclass's) and the computed "input-stream" and
// "output-stream".
func (s *IOStream) Properties() []string {
	if s == nil {
		return []string{"closed", "input-stream", "output-stream"}
	}
	return append(s.Object.Properties(), "input-stream", "output-stream")
}

// ok reports whether s was made by NewIOStream (or a connection's
// constructor); a zero or nil IOStream was not.
func (s *IOStream) ok() bool { return s != nil && s.impl != nil }

// st is the stream's closed/pending state, or, for a zero or nil IOStream,
// one that refuses every operation with NOT_INITIALIZED.
func (s *IOStream) st() *streamState {
	if !s.ok() {
		return &uninitIOStream
	}
	return &s.state
}

// sourceObject is what callbacks receive as the source object (see source).
func (s *IOStream) sourceObject() any {
	if s == nil || s.source == nil {
		return s
	}
	return s.source
}

// finishClose marks the pair closed and notifies "closed".
func (s *IOStream) finishClose() {
	s.st().finishClose()
	s.closed.Set(true)
}

var tagIOClose = &opTag{"g_io_stream_close_async"}

// InputStream is g_io_stream_get_input_stream: always the same stream.
func (s *IOStream) InputStream() *InputStream {
	if !s.ok() {
		return nil
	}
	return s.impl.InputStream()
}

// OutputStream is g_io_stream_get_output_stream: always the same stream.
func (s *IOStream) OutputStream() *OutputStream {
	if !s.ok() {
		return nil
	}
	return s.impl.OutputStream()
}

// IsClosed is g_io_stream_is_closed.
func (s *IOStream) IsClosed() bool { return s.st().isClosed() }

// HasPending is g_io_stream_has_pending: whether a close (or another
// operation on the pair as a whole) is in progress.
func (s *IOStream) HasPending() bool { return s.st().hasPending() }

// SetPending is g_io_stream_set_pending: CLOSED if closed, PENDING if an
// operation is in progress, otherwise marks one in progress.
func (s *IOStream) SetPending() error { return s.st().setPending() }

// ClearPending is g_io_stream_clear_pending.
func (s *IOStream) ClearPending() { s.st().clearPending() }

// CloseStream is g_io_stream_close: it closes the pair (for a
// SocketConnection: the output stream, then the input stream, then the
// socket). It succeeds at once if already closed, and fails with PENDING
// while a CloseAsync is in progress. The pair counts as closed afterwards
// even if closing failed.
//
// It is not called Close so that SocketConnection can have net.Conn's
// Close() error; on a SocketConnection both do the same.
func (s *IOStream) CloseStream(c *cancellable.Cancellable) error {
	if s.st().isClosed() {
		return nil
	}
	if err := s.st().setPending(); err != nil {
		return err
	}
	defer s.finishClose()
	return s.closeImpl(c)
}

// CloseAsync is g_io_stream_close_async. The pair is marked closed just
// before cb runs; call CloseFinish with the result.
func (s *IOStream) CloseAsync(prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	if s.st().isClosed() {
		returnNow(s.sourceObject(), tagIOClose, prio, c, cb, struct{}{})
		return
	}
	if err := s.st().setPending(); err != nil {
		reportError[struct{}](s.sourceObject(), tagIOClose, prio, cb, err)
		return
	}
	t := newTask[struct{}](s.sourceObject(), tagIOClose, prio, c, func(src any, res asyncresult.AsyncResult) {
		s.finishClose()
		if cb != nil {
			cb(src, res)
		}
	})
	if s.closeInline != nil && s.closeInline(c) {
		if err := s.closeImpl(c); err != nil {
			t.ReturnError(err)
		} else {
			t.Return(struct{}{})
		}
		return
	}
	runTask(t, func() (struct{}, error) { return struct{}{}, s.closeImpl(c) })
}

// CloseFinish is g_io_stream_close_finish.
func (s *IOStream) CloseFinish(res asyncresult.AsyncResult) error {
	_, err := finishTask[struct{}](res, s.sourceObject(), tagIOClose)
	return err
}

// IOStreamSpliceFlags is GIOStreamSpliceFlags.
type IOStreamSpliceFlags int

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
	if !s.ok() {
		reportError[struct{}](s.sourceObject(), tagIOSplice, prio, cb, uninitIOStream.uninit)
		return
	}
	if other == nil {
		reportError[struct{}](s.sourceObject(), tagIOSplice, prio, cb,
			ioerr.New(ioerr.InvalidArgument, "g_io_stream_splice_async: no stream to splice with (other is nil)"))
		return
	}
	t := newTask[struct{}](s.sourceObject(), tagIOSplice, prio, c, cb)
	runTask(t, func() (struct{}, error) { return struct{}{}, splicePair(s, other, flags, c) })
}

// SpliceFinish is g_io_stream_splice_finish.
func (s *IOStream) SpliceFinish(res asyncresult.AsyncResult) error {
	_, err := finishTask[struct{}](res, s.sourceObject(), tagIOSplice)
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
