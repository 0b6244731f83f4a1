package gio

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/cancellable"
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
