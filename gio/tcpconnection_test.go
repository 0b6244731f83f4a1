package gio

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/mainloop"
)

// GTcpConnection graceful disconnect (SOCK-10): shutdown(write), read to
// EOF, close. The close ends only after the peer has closed; a cancelled
// cancellable skips the wait.
func TestTCPGracefulDisconnect_SOCK10(t *testing.T) {
	t.Run("sync", func(t *testing.T) {
		client, server := connPair(t, "tcp4")
		tcp := server.TCP()
		tcp.SetGracefulDisconnect(true)
		if !tcp.GracefulDisconnect() {
			t.Fatal("GracefulDisconnect false after set")
		}
		want := pattern(64 << 10)
		if _, err := server.OutputStream().WriteAll(want[:1000], nil); err != nil {
			t.Fatal(err)
		}
		var peerClosed atomic.Bool
		go func() {
			// The peer reads everything up to EOF, then closes.
			buf := make([]byte, 2000)
			n, _ := client.InputStream().ReadAll(buf, nil)
			if n == 1000 {
				peerClosed.Store(true)
			}
			_ = client.Close()
		}()
		if err := server.Close(); err != nil {
			t.Fatal(err)
		}
		if !peerClosed.Load() {
			t.Fatal("graceful Close returned before the peer read EOF and closed")
		}
	})
	t.Run("async", func(t *testing.T) {
		l := newTestLoop(t)
		client, server := connPair(t, "tcp6")
		server.TCP().SetGracefulDisconnect(true)
		var r result
		server.CloseAsync(mainloop.PriorityDefault, nil, r.cb)
		// The peer has not closed: the close must still be waiting.
		if n, err := client.InputStream().Read(make([]byte, 1), nil); n != 0 || err != nil {
			t.Fatalf("peer Read = %d, %v; want EOF from the shutdown", n, err)
		}
		if r.done {
			t.Fatal("close completed before the peer closed")
		}
		_ = client.Close()
		if err := server.CloseFinish(r.wait(l)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		_, server := connPair(t, "tcp4")
		server.TCP().SetGracefulDisconnect(true)
		c := cancellable.New()
		c.Cancel()
		done := make(chan error, 1)
		go func() { done <- server.CloseStream(c) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(testTimeout):
			t.Fatal("cancelled graceful close waited for the peer")
		}
		if !server.Socket().IsClosed() {
			t.Fatal("socket open")
		}
	})
}
