package gio

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/testwait"
)

// A SocketConnection is a net.Conn. These are the checks of
// golang.org/x/net/nettest's TestConn that matter, written out (that module
// is not a dependency).

func netConnPair(t *testing.T, network string) (net.Conn, net.Conn) {
	c, s := connPair(t, network)
	return c, s
}

// Same shape as TestStreamSyncEcho_SOCK11 (socketstream_test.go): kept
// separate because this one drives the net.Conn face (Write, CloseWrite,
// io.ReadAll to io.EOF), that one the GIO streams' WriteAll/ReadAll.
func TestNetConnBasicIO(t *testing.T) {
	for _, network := range networks {
		t.Run(network, func(t *testing.T) {
			c1, c2 := netConnPair(t, network)
			want := pattern(1 << 20)
			errc := make(chan error, 1)
			go func() {
				_, err := c1.Write(want)
				if err == nil {
					err = c1.(interface{ CloseWrite() error }).CloseWrite()
				}
				errc <- err
			}()
			got, err := io.ReadAll(c2) // reads until io.EOF
			if err != nil {
				t.Fatal(err)
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatal("data differs")
			}
			if n, err := c2.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Fatalf("Read after EOF = %d, %v; want io.EOF", n, err)
			}
			if n, err := c2.Read(nil); n != 0 || err != nil {
				t.Fatalf("empty Read = %d, %v", n, err)
			}
		})
	}
}

func TestNetConnAddrs(t *testing.T) {
	c, s := connPair(t, "tcp4")
	if _, ok := c.LocalAddr().(*net.TCPAddr); !ok {
		t.Fatalf("LocalAddr is %T", c.LocalAddr())
	}
	if c.LocalAddr().String() != s.RemoteAddr().String() || c.RemoteAddr().String() != s.LocalAddr().String() {
		t.Fatalf("addresses do not match: %v %v / %v %v", c.LocalAddr(), c.RemoteAddr(), s.LocalAddr(), s.RemoteAddr())
	}
	want := c.RemoteAddr().String()
	_ = c.Close()
	if c.RemoteAddr() == nil || c.RemoteAddr().String() != want {
		t.Fatalf("RemoteAddr after Close = %v, want %v", c.RemoteAddr(), want)
	}
	u, _ := connPair(t, "unix")
	if _, ok := u.RemoteAddr().(*net.UnixAddr); !ok {
		t.Fatalf("unix RemoteAddr is %T", u.RemoteAddr())
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() && errors.Is(err, os.ErrDeadlineExceeded)
}

// Deadlines: a past deadline fails at once, a future one fails a waiting
// Read, a cleared one lets it work again; moving a deadline while a Read
// waits takes effect.
func TestNetConnReadDeadline(t *testing.T) {
	c, s := netConnPair(t, "tcp4")
	if err := c.SetReadDeadline(time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(make([]byte, 1)); !isTimeout(err) {
		t.Fatalf("past deadline: %v", err)
	}
	_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := c.Read(make([]byte, 1)); !isTimeout(err) {
		t.Fatalf("future deadline: %v", err)
	}
	_ = c.SetReadDeadline(time.Time{})
	if _, err := s.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Read(make([]byte, 1)); n != 1 || err != nil {
		t.Fatalf("after clearing the deadline: %d, %v", n, err)
	}

	// A Read waiting with no deadline is stopped by one set in the past.
	errc := make(chan error, 1)
	go func() { _, err := c.Read(make([]byte, 1)); errc <- err }()
	waitPending(t, c.(*SocketConnection).InputStream())
	_ = c.SetReadDeadline(time.Now())
	select {
	case err := <-errc:
		if !isTimeout(err) {
			t.Fatalf("moved deadline: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Read not stopped by a deadline set while it waited")
	}

	// A deadline pushed back while a Read waits does not fail it.
	_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
	_ = c.SetReadDeadline(time.Time{})
	go func() {
		n, err := c.Read(make([]byte, 1))
		if err == nil && n != 1 {
			err = io.ErrUnexpectedEOF
		}
		errc <- err
	}()
	waitPending(t, c.(*SocketConnection).InputStream())
	time.Sleep(20 * time.Millisecond)
	if _, err := s.Write([]byte("y")); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("Read after the deadline was cleared: %v", err)
	}
}

func waitPending(t *testing.T, in *InputStream) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !in.HasPending() {
		if time.Now().After(deadline) {
			t.Fatal("read never started")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestNetConnWriteDeadline(t *testing.T) {
	c, _ := netConnPair(t, "unix")
	big := make([]byte, 64<<20)
	_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	// Nobody reads: the socket buffer fills and the deadline stops the write.
	n, err := c.Write(big)
	if !isTimeout(err) {
		t.Fatalf("Write = %d, %v; want a timeout", n, err)
	}
	if n <= 0 || n >= 64<<20 {
		t.Fatalf("Write reported %d bytes; want the part that went out", n)
	}
}

// Close wakes a blocked Read with an error that is net.ErrClosed.
func TestNetConnCloseUnblocksRead(t *testing.T) {
	c, _ := netConnPair(t, "tcp6")
	errc := make(chan error, 1)
	go func() { _, err := c.Read(make([]byte, 1)); errc <- err }()
	waitPending(t, c.(*SocketConnection).InputStream())
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := testwait.Recv(t, errc, testTimeout, "Close to wake Read"); !errors.Is(err, net.ErrClosed) || !errors.Is(err, ErrClosed) {
		t.Fatalf("Read after Close: %v; want net.ErrClosed and CLOSED", err)
	}
	if _, err := c.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Write after Close: %v", err)
	}
}

// net.Conn allows Reads (and Writes) from several goroutines at once; the
// GLib one-operation rule must not turn that into PENDING errors.
func TestNetConnConcurrentMethods(t *testing.T) {
	c, s := netConnPair(t, "tcp4")
	const workers, per = 4, 200
	var wg sync.WaitGroup
	errs := make(chan error, 4*workers)
	for i := 0; i < workers; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := 0; j < per; j++ {
				if _, err := c.Write([]byte("abcd")); err != nil {
					errs <- err
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			buf := make([]byte, 4)
			for j := 0; j < per; j++ {
				if _, err := io.ReadFull(s, buf); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = c.SetDeadline(time.Time{})
			_ = c.LocalAddr()
			_ = c.RemoteAddr()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestNetConnCloseReadWriteAfterClose(t *testing.T) {
	c, _ := connPair(t, "unix")
	_ = c.Close()
	if err := c.CloseWrite(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("CloseWrite after Close: %v", err)
	}
	if err := c.CloseRead(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("CloseRead after Close: %v", err)
	}
}

// Each deadline that passes while a Read or Write waits wakes it, however
// many times in a row: the deadline's Cancellable stays wired to the
// socket across its resets.
func TestNetConnRepeatedDeadlines(t *testing.T) {
	c, _ := netConnPair(t, "unix")
	for i := range 5 {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Millisecond))
		start := time.Now()
		if _, err := c.Read(make([]byte, 1)); !isTimeout(err) {
			t.Fatalf("round %d: %v", i, err)
		}
		if d := time.Since(start); d > testTimeout/2 {
			t.Fatalf("round %d: the deadline woke the Read only after %v", i, d)
		}
	}
	// Fill the socket buffer so that a Write waits, then let deadlines
	// stop it twice.
	big := make([]byte, 1<<20)
	for i := range 2 {
		_ = c.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))
		if _, err := c.Write(big); !isTimeout(err) {
			t.Fatalf("write round %d: %v", i, err)
		}
	}
}
