package gio

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
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

type stuckOutput struct{ plainOutput }

func (stuckOutput) Write([]byte, *cancellable.Cancellable) (int, error)    { return 0, nil }
func (stuckOutput) Writev([][]byte, *cancellable.Cancellable) (int, error) { return 0, nil }

// An OutputStreamImpl that writes nothing without an error is a bug in it:
// WriteAll and WritevAll log GLib's critical and fail instead of spinning.
func TestOutputStreamZeroWrite(t *testing.T) {
	s := NewOutputStream(stuckOutput{})
	capture := logging.StartCapture()
	_, err := s.WriteAll([]byte("x"), nil)
	_, err2 := s.WritevAll([][]byte{[]byte("x")}, nil)
	capture.Stop()
	wantIOErr(t, err, ioerr.Failed, "g_output_stream_write_all: assertion 'res > 0' failed")
	wantIOErr(t, err2, ioerr.Failed, "g_output_stream_writev_all: assertion 'res > 0' failed")
	if capture.Count("critical", "assertion 'res > 0' failed") != 2 {
		t.Fatal("no criticals")
	}
}
