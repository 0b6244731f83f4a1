package gio

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
)

// minimalOutput has only the mandatory Write and Close: every write it
// makes is recorded; it writes at most max bytes per call (0: no limit),
// and with fail set it fails with errMinimal once ok writes were made.
type minimalOutput struct {
	writes []string
	max    int
	fail   bool
	ok     int
	closes int
}

var errMinimal = errors.New("minimal write failed")

func (m *minimalOutput) Write(b []byte, _ *cancellable.Cancellable) (int, error) {
	if m.fail && len(m.writes) >= m.ok {
		return 0, errMinimal
	}
	if m.max > 0 && len(b) > m.max {
		b = b[:m.max]
	}
	m.writes = append(m.writes, string(b))
	return len(b), nil
}

func (m *minimalOutput) Close(*cancellable.Cancellable) error { m.closes++; return nil }

// Without a VectorWriter, Writev is GLib's default writev_fn: one write per
// non-empty buffer, stopping at a short write; an error after some bytes
// is a short write. Without a Flusher, Flush succeeds and does nothing.
func TestOutputStreamOptionalImpl(t *testing.T) {
	bufs := func() [][]byte { return [][]byte{[]byte("ab"), nil, []byte("cd"), []byte("ef")} }
	for _, tc := range []struct {
		name       string
		impl       *minimalOutput
		wantN      int
		wantErr    error
		wantWrites []string
	}{
		{"all", &minimalOutput{}, 6, nil, []string{"ab", "cd", "ef"}},
		{"short write stops", &minimalOutput{max: 1}, 1, nil, []string{"a"}},
		{"error after bytes is a short write", &minimalOutput{fail: true, ok: 2}, 4, nil, []string{"ab", "cd"}},
		{"error first", &minimalOutput{fail: true}, 0, errMinimal, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewOutputStream(tc.impl)
			n, err := s.Writev(bufs(), nil)
			if n != tc.wantN || !errors.Is(err, tc.wantErr) {
				t.Fatalf("Writev = %d, %v; want %d, %v", n, err, tc.wantN, tc.wantErr)
			}
			if diff := cmp.Diff(tc.wantWrites, tc.impl.writes); diff != "" {
				t.Errorf("writes (-want +got):\n%s", diff)
			}
			if err := s.Flush(nil); err != nil {
				t.Errorf("Flush without a Flusher: %v", err)
			}
			if err := s.Close(nil); err != nil || tc.impl.closes != 1 {
				t.Errorf("Close = %v, impl closed %d times", err, tc.impl.closes)
			}
		})
	}
}

// g_output_stream_splice: copy a connection's input into another's output
// until EOF, closing as flags say.
func TestSplice(t *testing.T) {
	l := newTestLoop(t)
	srcPeer, src := connPair(t, "unix")
	dst, dstPeer := connPair(t, "tcp4")
	want := pattern(100 << 10)
	go func() {
		_, _ = srcPeer.OutputStream().WriteAll(want, nil)
		_ = srcPeer.Close()
	}()
	got := make(chan []byte, 1)
	go func() {
		var all []byte
		buf := make([]byte, 4096)
		for {
			n, err := dstPeer.InputStream().Read(buf, nil)
			if err != nil || n == 0 {
				break
			}
			all = append(all, buf[:n]...)
		}
		got <- all
	}()
	var r result
	dst.OutputStream().SpliceAsync(src.InputStream(), OutputStreamSpliceCloseSource|OutputStreamSpliceCloseTarget,
		mainloop.PriorityDefault, nil, r.cb)
	n, err := dst.OutputStream().SpliceFinish(r.wait(l))
	if err != nil || n != int64(len(want)) {
		t.Fatalf("SpliceFinish = %d, %v", n, err)
	}
	if !src.InputStream().IsClosed() || !dst.OutputStream().IsClosed() {
		t.Fatal("CLOSE_SOURCE/CLOSE_TARGET not honoured")
	}
	// Closing the output stream does not close the socket: shut it so the
	// reader sees EOF.
	_ = dst.Close()
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("copied %d bytes, differs", len(b))
	}
}

type stuckOutput struct{ plainOutput }

func (stuckOutput) Write([]byte, *cancellable.Cancellable) (int, error) { return 0, nil }

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
