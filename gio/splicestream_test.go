package gio

import (
	"bytes"
	"testing"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/mainloop"
)

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
