package gio

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/mainloop"
)

type plainOutput struct{}

func (plainOutput) Write(b []byte, _ *cancellable.Cancellable) (int, error) { return len(b), nil }
func (plainOutput) Writev(b [][]byte, _ *cancellable.Cancellable) (int, error) {
	return vecLen(b), nil
}
func (plainOutput) Flush(*cancellable.Cancellable) error { return nil }
func (plainOutput) Close(*cancellable.Cancellable) error { return nil }

// fakeIO is a user-defined GIOStream whose close can be held open.
type fakeIO struct {
	in     *InputStream
	out    *OutputStream
	closes atomic.Int32
	gate   chan struct{}
	err    error
}

func (f *fakeIO) InputStream() *InputStream   { return f.in }
func (f *fakeIO) OutputStream() *OutputStream { return f.out }
func (f *fakeIO) Close(*cancellable.Cancellable) error {
	f.closes.Add(1)
	if f.gate != nil {
		<-f.gate
	}
	return f.err
}

// A user-defined IOStream gets GLib's rules: Close once, PENDING while a
// CloseAsync runs, closed afterwards even when Close failed (SOCK-10).
func TestIOStreamCustom_SOCK10(t *testing.T) {
	l := newTestLoop(t)
	impl := &fakeIO{in: NewInputStream(plainInput{}), out: NewOutputStream(plainOutput{}), gate: make(chan struct{})}
	s := NewIOStream(impl)
	if s.InputStream() != impl.in || s.OutputStream() != impl.out {
		t.Fatal("substreams differ")
	}
	var r result
	s.CloseAsync(mainloop.PriorityDefault, nil, r.cb)
	if !s.HasPending() || s.IsClosed() {
		t.Fatal("want pending and not yet closed while Close runs")
	}
	wantIOErr(t, s.CloseStream(nil), ioerr.Pending, "Stream has outstanding operation")
	wantIOErr(t, s.SetPending(), ioerr.Pending, "")
	close(impl.gate)
	if err := s.CloseFinish(r.wait(l)); err != nil {
		t.Fatal(err)
	}
	if r.source != s {
		t.Fatalf("callback source %T, want the IOStream", r.source)
	}
	if !s.IsClosed() || s.HasPending() {
		t.Fatal("not closed after the callback")
	}
	if err := s.CloseStream(nil); err != nil || impl.closes.Load() != 1 {
		t.Fatalf("second close: %v, Close ran %d times", err, impl.closes.Load())
	}
	wantIOErr(t, s.SetPending(), ioerr.Closed, "Stream is already closed")

	failing := &fakeIO{in: impl.in, out: impl.out, err: errors.New("boom")}
	fs := NewIOStream(failing)
	if err := fs.CloseStream(nil); err == nil || err.Error() != "boom" {
		t.Fatalf("CloseStream = %v, want Close's error", err)
	}
	if !fs.IsClosed() {
		t.Fatal("a failed close must still mark the stream closed")
	}
}

// g_io_stream_splice_async as a proxy: client ⇄ [a ⇄ b] ⇄ server. When the
// client half-closes, one direction ends, the other is stopped, and both
// proxy connections are closed as asked.
func TestIOStreamSplice(t *testing.T) {
	l := newTestLoop(t)
	client, a := connPair(t, "tcp4")
	b, server := connPair(t, "unix")
	var r result
	a.SpliceAsync(b, IOStreamSpliceCloseStream1|IOStreamSpliceCloseStream2, mainloop.PriorityDefault, nil, r.cb)

	// Both directions flow through the proxy.
	if _, err := client.OutputStream().WriteAll([]byte("to server"), nil); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 9)
	if _, err := server.InputStream().ReadAll(got, nil); err != nil || string(got) != "to server" {
		t.Fatalf("server got %q, %v", got, err)
	}
	if _, err := server.OutputStream().WriteAll([]byte("to client"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := client.InputStream().ReadAll(got, nil); err != nil || string(got) != "to client" {
		t.Fatalf("client got %q, %v", got, err)
	}
	// The client's EOF ends the splice.
	if err := client.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if err := a.SpliceFinish(r.wait(l)); err != nil {
		t.Fatal(err)
	}
	if r.source != a {
		t.Fatalf("source %T", r.source)
	}
	if !a.IsClosed() || !b.IsClosed() || !a.Socket().IsClosed() || !b.Socket().IsClosed() {
		t.Fatal("CLOSE_STREAM1/2 not honoured")
	}
	if n, err := server.InputStream().Read(got, nil); n != 0 || err != nil {
		t.Fatalf("server after the splice: %d, %v; want EOF", n, err)
	}
}

// A caller's cancel ends the splice with CANCELLED.
func TestIOStreamSpliceCancel(t *testing.T) {
	l := newTestLoop(t)
	_, a := connPair(t, "unix")
	b, _ := connPair(t, "unix")
	c := cancellable.New()
	var r result
	a.SpliceAsync(b, IOStreamSpliceWaitForBoth, mainloop.PriorityDefault, c, r.cb)
	c.Cancel()
	wantIOErr(t, a.SpliceFinish(r.wait(l)), ioerr.Cancelled, ioerr.CancelledMessage)
	if a.IsClosed() || b.IsClosed() {
		t.Fatal("closed without CLOSE flags")
	}
}

// An IOStreamImpl without an IOStreamCloser closes with GLib's default
// close_fn: the output stream, then the input stream.
func TestIOStreamDefaultClose(t *testing.T) {
	out := &minimalOutput{}
	in := NewInputStream(plainInput{})
	o := NewOutputStream(out)
	s := NewSimpleIOStream(in, o)
	if err := s.CloseStream(nil); err != nil {
		t.Fatal(err)
	}
	if !in.IsClosed() || !o.IsClosed() || out.closes != 1 {
		t.Fatalf("in closed %v, out closed %v, impl closes %d", in.IsClosed(), o.IsClosed(), out.closes)
	}
}
