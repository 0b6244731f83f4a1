package gio

import (
	"testing"

	"github.com/sigloop/sigloop/internal/ioerr"
)

func TestSimpleIOStream_SOCK10(t *testing.T) {
	a, b := socketPair(t)
	s := NewSimpleIOStream(a.InputStream(), b.OutputStream())
	if s.InputStream() != a.InputStream() || s.OutputStream() != b.OutputStream() {
		t.Fatal("substreams differ")
	}
	if err := s.CloseStream(nil); err != nil {
		t.Fatal(err)
	}
	if !a.InputStream().IsClosed() || !b.OutputStream().IsClosed() || a.Socket().IsClosed() {
		t.Fatal("want both substreams closed and the sockets left alone")
	}
	n, err := NewOutputStream(plainOutput{}).Splice(a.InputStream(), OutputStreamSpliceNone, nil)
	wantIOErr(t, err, ioerr.Closed, "Stream is already closed")
	if n != 0 {
		t.Fatal(n)
	}
}
