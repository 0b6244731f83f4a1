package gio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/leakcheck"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/testwait"
)

// loopback returns the loopback InetSocketAddress of family with port 0.
func loopback(f SocketFamily) *InetSocketAddress {
	return NewInetSocketAddress(NewInetAddressLoopback(f), 0)
}

func newSock(t testing.TB, f SocketFamily, typ SocketType, p SocketProtocol) *Socket {
	t.Helper()
	s, err := NewSocket(f, typ, p)
	if err != nil {
		if f == SocketFamilyIPv6 && errors.Is(err, ErrNotSupported) {
			t.Skip("no IPv6")
		}
		t.Fatalf("NewSocket(%v, %v, %v): %v", f, typ, p, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// listener returns a listening TCP socket on loopback and its address.
func listener(t *testing.T, f SocketFamily) (*Socket, *InetSocketAddress) {
	t.Helper()
	s := newSock(t, f, SocketTypeStream, SocketProtocolDefault)
	a, err := bindAndListen(t, s, loopback(f), true)
	if err != nil {
		if f == SocketFamilyIPv6 {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		t.Fatal(err)
	}
	return s, a.(*InetSocketAddress)
}

// connectedPair returns a connected client and the server's accepted socket.
func connectedPair(t *testing.T, f SocketFamily) (client, server *Socket) {
	t.Helper()
	l, addr := listener(t, f)
	client = newSock(t, f, SocketTypeStream, SocketProtocolDefault)
	if err := client.Connect(addr, nil); err != nil {
		t.Fatal(err)
	}
	server, err := l.Accept(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	return client, server
}

func wantCode(t *testing.T, what string, err error, code ErrorCode) {
	t.Helper()
	var ge *Error
	if !errors.As(err, &ge) || ge.Code != code {
		t.Fatalf("%s: got %v (%T), want %v", what, err, err, code)
	}
}

// wantCodeMsg is wantCode, and then err's text must be msg (GLib's).
func wantCodeMsg(t *testing.T, what string, err error, code ErrorCode, msg string) {
	t.Helper()
	wantCode(t, what, err, code)
	if err.Error() != msg {
		t.Errorf("%s: %q, want %q", what, err, msg)
	}
}

func TestNewSocketDefaults_SOCK1(t *testing.T) {
	s := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	if !s.Blocking() || s.Timeout() != 0 || s.ListenBacklog() != 10 || s.Keepalive() || s.IsClosed() || s.IsConnected() {
		t.Errorf("defaults: blocking %v timeout %v backlog %d keepalive %v", s.Blocking(), s.Timeout(), s.ListenBacklog(), s.Keepalive())
	}
	if s.Family() != SocketFamilyIPv4 || s.Type() != SocketTypeStream || s.Protocol() != SocketProtocolDefault {
		t.Errorf("family/type/protocol %v %v %v", s.Family(), s.Type(), s.Protocol())
	}
	fl, err := unix.FcntlInt(uintptr(s.FD()), unix.F_GETFL, 0)
	if err != nil || fl&unix.O_NONBLOCK == 0 {
		t.Errorf("fd not O_NONBLOCK: %x %v", fl, err)
	}
	fdfl, err := unix.FcntlInt(uintptr(s.FD()), unix.F_GETFD, 0)
	if err != nil || fdfl&unix.FD_CLOEXEC == 0 {
		t.Errorf("fd not CLOEXEC: %x %v", fdfl, err)
	}
	if v, err := s.Option(unix.IPPROTO_TCP, unix.TCP_NODELAY); err != nil || v == 0 {
		t.Errorf("TCP_NODELAY = %d, %v", v, err)
	}
	if _, err := NewSocket(SocketFamilyInvalid, SocketTypeStream, SocketProtocolDefault); !errors.Is(err, ErrNotSupported) ||
		!strings.HasPrefix(err.Error(), "Unable to create socket: ") {
		t.Errorf("invalid family: %v", err)
	}
}

// TestIPSync_SOCK5_SOCK8 is /socket/ipv4_sync and /socket/ipv6_sync.
func TestIPSync_SOCK5_SOCK8(t *testing.T) {
	for _, f := range []SocketFamily{SocketFamilyIPv4, SocketFamilyIPv6} {
		t.Run(f.String(), func(t *testing.T) {
			client, server := connectedPair(t, f)
			if !client.IsConnected() || !server.IsConnected() {
				t.Fatal("not connected")
			}
			ra, err := client.RemoteAddress()
			if err != nil || ra.Family() != f {
				t.Fatalf("remote address %v %v", ra, err)
			}
			// Echo on the server side.
			done := make(chan error, 1)
			go func() {
				buf := make([]byte, 128)
				for {
					n, err := server.Receive(buf, nil)
					if err != nil || n == 0 {
						done <- err
						return
					}
					if _, err := server.Send(buf[:n], nil); err != nil {
						done <- err
						return
					}
				}
			}()
			msg := []byte("hello world")
			if n, err := client.Send(msg, nil); err != nil || n != len(msg) {
				t.Fatalf("send %d %v", n, err)
			}
			if got := receiveN(t, client, len(msg)); !bytes.Equal(got, msg) {
				t.Fatalf("echo %q", got)
			}
			// Vectored send.
			n, err := client.SendVectors([][]byte{[]byte("ab"), []byte("cd"), nil, []byte("e")}, nil)
			if err != nil || n != 5 {
				t.Fatalf("send vectors %d %v", n, err)
			}
			if got := receiveN(t, client, 5); string(got) != "abcde" {
				t.Fatalf("vectored echo %q", got)
			}
			// A receive on an idle connection times out (SOCK-5).
			buf := make([]byte, 64)
			client.SetTimeout(150 * time.Millisecond)
			start := time.Now()
			_, err = client.Receive(buf, nil)
			wantCode(t, "idle receive", err, ErrorTimedOut)
			if err.Error() != "Socket I/O timed out" || time.Since(start) < 140*time.Millisecond {
				t.Errorf("timeout: %q after %v", err, time.Since(start))
			}
			client.SetTimeout(0)

			// The client shuts down its write side: the echo loop sees 0.
			if err := client.Shutdown(false, true); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatalf("server loop: %v", err)
			}
			if f == SocketFamilyIPv4 {
				// After the peer shuts down its write side, read gives 0.
				server.Shutdown(false, true)
				if n, err := client.Receive(buf, nil); n != 0 || err != nil {
					t.Fatalf("after peer shutdown: %d %v", n, err)
				}
				return
			}
			// After the peer closes, writing fails with CONNECTION_CLOSED.
			server.Close()
			var werr error
			for i := 0; i < 50 && werr == nil; i++ {
				_, werr = client.Send(msg, nil)
				if werr == nil {
					time.Sleep(10 * time.Millisecond)
				}
			}
			wantCode(t, "write after peer close", werr, ErrorConnectionClosed)
			if !strings.HasPrefix(werr.Error(), "Error sending data: ") {
				t.Errorf("message %q", werr)
			}
		})
	}
}

// TestUnconnectedErrors_SOCK4 checks GLib's messages for I/O without a peer.
func TestUnconnectedErrors_SOCK4(t *testing.T) {
	s := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	_, err := s.Receive(make([]byte, 4), nil)
	wantCodeMsg(t, "receive", err, ErrorNotConnected, "Error receiving data: Transport endpoint is not connected")
	_, err = s.Send([]byte("x"), nil)
	wantCodeMsg(t, "send", err, ErrorBrokenPipe, "Error sending data: Broken pipe")
	_, err = s.RemoteAddress()
	wantCodeMsg(t, "remote", err, ErrorNotConnected, "could not get remote address: Transport endpoint is not connected")
	err = s.Shutdown(true, true)
	wantCodeMsg(t, "shutdown", err, ErrorNotConnected, "Unable to shutdown socket: Transport endpoint is not connected")
	if err := s.Shutdown(false, false); err != nil {
		t.Errorf("shutdown(false,false): %v", err)
	}
	if err := s.Bind(loopback(SocketFamilyIPv4), true); err != nil {
		t.Fatal(err)
	}
	s.SetBlocking(false)
	_, err = s.Accept(nil)
	wantCodeMsg(t, "accept on non-listening", err, ErrorInvalidArgument, "Error accepting connection: Invalid argument")
}

// TestIPAsync_SOCK2 is /socket/ipv4_async and /socket/ipv6_async: a
// non-blocking connect gives PENDING; waiting for IOOut and
// CheckConnectResult complete it (the source half is in
// socket_source_test.go).
func TestIPAsync_SOCK2(t *testing.T) {
	for _, f := range []SocketFamily{SocketFamilyIPv4, SocketFamilyIPv6} {
		t.Run(f.String(), func(t *testing.T) {
			l, addr := listener(t, f)
			c := newSock(t, f, SocketTypeStream, SocketProtocolDefault)
			c.SetBlocking(false)
			err := c.Connect(addr, nil)
			wantCodeMsg(t, "connect", err, ErrorPending, "Connection in progress")
			if err := c.ConditionWait(ioOut, nil); err != nil {
				t.Fatal(err)
			}
			if err := c.CheckConnectResult(); err != nil {
				t.Fatal(err)
			}
			if !c.IsConnected() {
				t.Error("not connected")
			}
			ra, err := c.RemoteAddress()
			if err != nil || ra.String() != addr.String() {
				t.Errorf("remote %v %v", ra, err)
			}
			srv, err := l.Accept(nil)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			if n, err := c.Send([]byte("x"), nil); n != 1 || err != nil {
				t.Fatal(n, err)
			}
			// Non-blocking receive with nothing queued: WOULD_BLOCK.
			_, err = c.Receive(make([]byte, 1), nil)
			wantCode(t, "non-blocking receive", err, ErrorWouldBlock)
		})
	}
}

func TestConnectRefused_SOCK4(t *testing.T) {
	l, addr := listener(t, SocketFamilyIPv4)
	l.Close() // the port is now closed
	for _, blocking := range []bool{true, false} {
		c := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
		c.SetBlocking(blocking)
		err := c.Connect(addr, nil)
		if !blocking && errors.Is(err, ErrPending) {
			if werr := c.ConditionWait(ioOut, nil); werr != nil {
				t.Fatal(werr)
			}
			err = c.CheckConnectResult()
		}
		wantCode(t, fmt.Sprintf("blocking=%v", blocking), err, ErrorConnectionRefused)
		if err.Error() != "Connection refused" || !errors.Is(err, unix.ECONNREFUSED) {
			t.Errorf("%q", err)
		}
		if _, err := c.RemoteAddress(); err == nil {
			t.Errorf("remote address kept after a refused connect")
		}
	}
}

// TestDatagram_SOCK5 is /socket/ipv4_sync/datagram(+/timeouts) and the IPv6
// variants: UDP send/receive, WOULD_BLOCK, TIMED_OUT, CANCELLED.
func TestDatagram_SOCK5(t *testing.T) {
	for _, f := range []SocketFamily{SocketFamilyIPv4, SocketFamilyIPv6} {
		t.Run(f.String(), func(t *testing.T) {
			a := newSock(t, f, SocketTypeDatagram, SocketProtocolDefault)
			if err := a.Bind(loopback(f), true); err != nil {
				t.Skipf("bind: %v", err)
			}
			b := newSock(t, f, SocketTypeDatagram, SocketProtocolDefault)
			if err := b.Bind(loopback(f), true); err != nil {
				t.Fatal(err)
			}
			aAddr, _ := a.LocalAddress()
			bAddr, _ := b.LocalAddress()
			if n, err := b.SendTo(aAddr, []byte("ping"), nil); n != 4 || err != nil {
				t.Fatal(n, err)
			}
			buf := make([]byte, 16)
			n, from, err := a.ReceiveFrom(buf, nil)
			if err != nil || string(buf[:n]) != "ping" || from.String() != bAddr.String() {
				t.Fatalf("receive from: %q %v %v (want from %v)", buf[:n], from, err, bAddr)
			}
			// Connected datagram socket.
			if err := b.Connect(aAddr, nil); err != nil {
				t.Fatal(err)
			}
			if n, err := b.Send([]byte("pong"), nil); n != 4 || err != nil {
				t.Fatal(n, err)
			}
			if n, err := a.Receive(buf, nil); err != nil || string(buf[:n]) != "pong" {
				t.Fatal(n, err)
			}
			// Timeouts.
			a.SetBlocking(false)
			_, err = a.Receive(buf, nil)
			wantCode(t, "non-blocking", err, ErrorWouldBlock)
			a.SetBlocking(true)
			a.SetTimeout(100 * time.Millisecond)
			_, err = a.Receive(buf, nil)
			wantCode(t, "timeout", err, ErrorTimedOut)
			a.SetTimeout(0)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err = a.Receive(buf, cancellable.FromContext(ctx))
			wantCode(t, "cancelled", err, ErrorCancelled)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%v is not context.Canceled", err)
			}
			// Per-call blocking mode.
			_, err = a.ReceiveWithBlockingForTest(buf, false)
			wantCode(t, "ReceiveWithBlocking(false)", err, ErrorWouldBlock)
		})
	}
}

// ReceiveWithBlockingForTest reaches the per-call blocking path without a
// Cancellable.
func (s *Socket) ReceiveWithBlockingForTest(buf []byte, blocking bool) (int, error) {
	return s.receive(nil, buf, blocking)
}

// TestIPv6V4Mapped_SOCK6 is /socket/ipv6_v4mapped.
func TestIPv6V4Mapped_SOCK6(t *testing.T) {
	s := newSock(t, SocketFamilyIPv6, SocketTypeStream, SocketProtocolDefault)
	if err := s.SetOption(unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0); err != nil {
		t.Fatal(err)
	}
	if !s.SpeaksIPv4() {
		t.Fatal("V6ONLY=0 socket does not speak IPv4")
	}
	if err := s.Bind(NewInetSocketAddress(NewInetAddressAny(SocketFamilyIPv6), 0), true); err != nil {
		t.Skipf("bind [::]: %v", err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	la, _ := s.LocalAddress()
	port := la.(*InetSocketAddress).Port()
	c := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	if err := c.Connect(NewInetSocketAddress(NewInetAddressLoopback(SocketFamilyIPv4), port), nil); err != nil {
		t.Fatal(err)
	}
	srv, err := s.Accept(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ra, err := srv.RemoteAddress()
	if err != nil || ra.Family() != SocketFamilyIPv4 || !strings.HasPrefix(ra.String(), "127.0.0.1:") {
		t.Errorf("v4-mapped peer %v %v; want an IPv4 address as GLib gives", ra, err)
	}
	only := newSock(t, SocketFamilyIPv6, SocketTypeStream, SocketProtocolDefault)
	only.SetOption(unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1)
	if only.SpeaksIPv4() || !c.SpeaksIPv4() {
		t.Errorf("SpeaksIPv4: v6only %v, v4 %v", only.SpeaksIPv4(), c.SpeaksIPv4())
	}
	u := newSock(t, SocketFamilyUnix, SocketTypeStream, SocketProtocolDefault)
	if u.SpeaksIPv4() {
		t.Error("unix socket speaks IPv4")
	}
}

// TestCloseGraceful_SOCK8 is /socket/close_graceful: after the server shuts
// down its write side, the client still gets the rest, then 0.
func TestCloseGraceful_SOCK8(t *testing.T) {
	client, server := connectedPair(t, SocketFamilyIPv4)
	data := bytes.Repeat([]byte("0123456789"), 1000)
	if _, err := server.Send(data, nil); err != nil {
		t.Fatal(err)
	}
	if err := server.Shutdown(false, true); err != nil {
		t.Fatal(err)
	}
	if err := server.Close(); err != nil {
		t.Fatal(err)
	}
	got := receiveAll(t, client)
	if !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes, want %d", len(got), len(data))
	}
}

// TestTimedWait_SOCK5 is /socket/timed_wait: 100 ms gives TIMED_OUT after at
// least ~100 ms (the upper bound is generous for a loaded machine).
func TestTimedWait_SOCK5(t *testing.T) {
	client, _ := connectedPair(t, SocketFamilyIPv4)
	start := time.Now()
	err := client.ConditionTimedWait(ioIn, 100*time.Millisecond, nil)
	el := time.Since(start)
	wantCode(t, "timed wait", err, ErrorTimedOut)
	if err.Error() != "Socket I/O timed out" || el < 98*time.Millisecond || el > 3*time.Second {
		t.Errorf("%q after %v", err, el)
	}
	// Writable at once; IOIn|IOOut returns on the OUT side.
	if err := client.ConditionTimedWait(ioIn|ioOut, time.Second, nil); err != nil {
		t.Errorf("IN|OUT: %v", err)
	}
	if got := client.ConditionCheck(ioIn | ioOut); got != ioOut {
		t.Errorf("ConditionCheck = %v", got)
	}
	// Zero timeout: a single check.
	wantCode(t, "zero timeout", client.ConditionTimedWait(ioIn, 0, nil), ErrorTimedOut)
	// The socket timeout caps a longer wait.
	client.SetTimeout(50 * time.Millisecond)
	start = time.Now()
	wantCode(t, "socket timeout", client.ConditionWait(ioIn, nil), ErrorTimedOut)
	if time.Since(start) > 3*time.Second {
		t.Errorf("socket timeout did not cap the wait")
	}
}

// TestFDReuse_SOCK3 is /socket/fd_reuse: NewSocketFromFD on a dup'ed fd
// detects family, type and TCP; Close sets the fd to -1 and leaves the
// original working.
func TestFDReuse_SOCK3(t *testing.T) {
	client, server := connectedPair(t, SocketFamilyIPv4)
	dup, err := unix.Dup(client.FD())
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSocketFromFD(dup)
	if err != nil {
		t.Fatal(err)
	}
	if s.Family() != SocketFamilyIPv4 || s.Type() != SocketTypeStream || s.Protocol() != SocketProtocolTCP || !s.IsConnected() {
		t.Errorf("detected %v %v %v connected=%v", s.Family(), s.Type(), s.Protocol(), s.IsConnected())
	}
	if n, err := s.Send([]byte("via dup"), nil); n != 7 || err != nil {
		t.Fatal(n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s.FD() != -1 {
		t.Errorf("fd after close = %d", s.FD())
	}
	if n, err := client.Send([]byte("!"), nil); n != 1 || err != nil {
		t.Fatalf("original after closing the dup: %d %v", n, err)
	}
	if got := receiveN(t, server, 8); string(got) != "via dup!" {
		t.Errorf("%q", got)
	}
}

// adoptNewFD makes a fresh stream socket of the domain with socket(2) and
// adopts it with NewSocketFromFD.
func adoptNewFD(t *testing.T, domain int) *Socket {
	t.Helper()
	fd, err := unix.Socket(domain, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	return adoptTestFD(t, fd)
}

// adoptTestFD is NewSocketFromFD(fd), failing t (after closing fd) on error.
func adoptTestFD(t *testing.T, fd int) *Socket {
	t.Helper()
	s, err := NewSocketFromFD(fd)
	if err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	return s
}

// TestNewFromFDUnbound_SOCK1 is /socket/new_from_fd/unbound, plus a non-socket fd.
func TestNewFromFDUnbound_SOCK1(t *testing.T) {
	s := adoptNewFD(t, unix.AF_INET)
	defer s.Close()
	if s.Family() != SocketFamilyIPv4 || s.Type() != SocketTypeStream || s.Protocol() != SocketProtocolTCP || s.IsConnected() {
		t.Errorf("detected %v %v %v connected=%v", s.Family(), s.Type(), s.Protocol(), s.IsConnected())
	}
	if fl, _ := unix.FcntlInt(uintptr(s.FD()), unix.F_GETFL, 0); fl&unix.O_NONBLOCK == 0 {
		t.Error("adopted fd is blocking")
	}
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = NewSocketFromFD(int(f.Fd()))
	wantCodeMsg(t, "non-socket", err, ErrorInvalidArgument, "creating GSocket from fd: Socket operation on non-socket")
	if _, err := f.Stat(); err != nil {
		t.Errorf("the caller's fd was closed on failure: %v", err)
	}
	_, err = NewSocketFromFD(-1)
	wantCode(t, "fd -1", err, ErrorInvalidArgument)
}

// TestUnixFromFD_SOCK1 is /socket/unix-from-fd (NewSocketFromFD finds a
// Unix stream socket's family, type and default protocol), here on a
// listening socket, with a connection through it and GLib's refusal to
// bind an existing path (SOCK-13).
func TestUnixFromFD_SOCK1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sock")
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 5); err != nil {
		t.Fatal(err)
	}
	l, err := NewSocketFromFD(fd)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Family() != SocketFamilyUnix || l.Type() != SocketTypeStream || l.Protocol() != SocketProtocolDefault || !l.IsListening() {
		t.Errorf("detected %v %v %v", l.Family(), l.Type(), l.Protocol())
	}
	la, err := l.LocalAddress()
	if err != nil || la.String() != path || la.(*UnixSocketAddress).AddressType() != UnixSocketAddressPath {
		t.Errorf("local %v %v", la, err)
	}
	c := newSock(t, SocketFamilyUnix, SocketTypeStream, SocketProtocolDefault)
	if err := c.Connect(NewUnixSocketAddress(path), nil); err != nil {
		t.Fatal(err)
	}
	srv, err := l.Accept(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := c.Send([]byte("unix"), nil); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	if n, err := srv.Receive(buf, nil); err != nil || string(buf[:n]) != "unix" {
		t.Fatal(n, err)
	}
	// Binding an existing path: ADDRESS_IN_USE, GLib never unlinks (SOCK-13).
	again := newSock(t, SocketFamilyUnix, SocketTypeStream, SocketProtocolDefault)
	err = again.Bind(NewUnixSocketAddress(path), true)
	wantCode(t, "bind existing path", err, ErrorAddressInUse)
	if err.Error() != "Error binding to address "+path+": Address already in use" {
		t.Errorf("%q", err)
	}
}

func TestUnixAbstract_SOCK13(t *testing.T) {
	name := fmt.Sprintf("sigloop-gio-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	for _, kind := range []UnixSocketAddressType{UnixSocketAddressAbstract, UnixSocketAddressAbstractPadded} {
		addr := must(NewUnixSocketAddressWithType(name, kind))
		l := newSock(t, SocketFamilyUnix, SocketTypeStream, SocketProtocolDefault)
		if err := l.Bind(addr, false); err != nil {
			t.Fatal(err)
		}
		if err := l.Listen(); err != nil {
			t.Fatal(err)
		}
		la, err := l.LocalAddress()
		if err != nil || la.(*UnixSocketAddress).AddressType() != kind || la.(*UnixSocketAddress).Path() != name {
			t.Errorf("%v local %v %v", kind, la, err)
		}
		c := newSock(t, SocketFamilyUnix, SocketTypeStream, SocketProtocolDefault)
		if err := c.Connect(addr, nil); err != nil {
			t.Fatalf("%v: %v", kind, err)
		}
		srv, err := l.Accept(nil)
		if err != nil {
			t.Fatal(err)
		}
		srv.Close()
		l.Close()
	}
}

// TestReuseTCP_SOCK4 is /socket/reuse/tcp.
func TestReuseTCP_SOCK4(t *testing.T) {
	_, addr := listener(t, SocketFamilyIPv4)
	s := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	err := s.Bind(addr, true)
	wantCode(t, "second bind", err, ErrorAddressInUse)
	want := fmt.Sprintf("Error binding to address 127.0.0.1:%d: Address already in use", addr.Port())
	if err.Error() != want || !errors.Is(err, unix.EADDRINUSE) {
		t.Errorf("%q, want %q", err, want)
	}
	_, addr6 := listener(t, SocketFamilyIPv6)
	s6 := newSock(t, SocketFamilyIPv6, SocketTypeStream, SocketProtocolDefault)
	err = s6.Bind(addr6, true)
	want = fmt.Sprintf("Error binding to address [::1]:%d: Address already in use", addr6.Port())
	if err == nil || err.Error() != want {
		t.Errorf("%v, want %q", err, want)
	}
}

// TestReuseUDP_SOCK4 is /socket/reuse/udp.
func TestReuseUDP_SOCK4(t *testing.T) {
	a := newSock(t, SocketFamilyIPv4, SocketTypeDatagram, SocketProtocolDefault)
	if err := a.Bind(loopback(SocketFamilyIPv4), true); err != nil {
		t.Fatal(err)
	}
	addr, _ := a.LocalAddress()
	b := newSock(t, SocketFamilyIPv4, SocketTypeDatagram, SocketProtocolDefault)
	if err := b.Bind(addr, true); err != nil {
		t.Fatalf("second UDP bind with reuse: %v", err)
	}
	c := newSock(t, SocketFamilyIPv4, SocketTypeDatagram, SocketProtocolDefault)
	if err := c.Bind(addr, false); !errors.Is(err, ErrAddressInUse) {
		t.Errorf("UDP bind without reuse: %v", err)
	}
}

// TestGetAvailable_SOCK9 is /socket/get_available/stream and /datagram.
func TestGetAvailable_SOCK9(t *testing.T) {
	client, server := connectedPair(t, SocketFamilyIPv4)
	if n := server.AvailableBytes(); n != 0 {
		t.Errorf("empty: %d", n)
	}
	client.Send(make([]byte, 100), nil)
	if err := server.ConditionTimedWait(ioIn, 5*time.Second, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for server.AvailableBytes() < 100 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := server.AvailableBytes(); n != 100 {
		t.Errorf("stream: %d", n)
	}

	a := newSock(t, SocketFamilyIPv4, SocketTypeDatagram, SocketProtocolDefault)
	a.Bind(loopback(SocketFamilyIPv4), true)
	aAddr, _ := a.LocalAddress()
	b := newSock(t, SocketFamilyIPv4, SocketTypeDatagram, SocketProtocolDefault)
	b.SendTo(aAddr, make([]byte, 40), nil)
	b.SendTo(aAddr, make([]byte, 7), nil)
	if err := a.ConditionTimedWait(ioIn, 5*time.Second, nil); err != nil {
		t.Fatal(err)
	}
	if n := a.AvailableBytes(); n != 40 {
		t.Errorf("datagram: %d, want the first datagram's 40", n)
	}
	a.Receive(make([]byte, 64), nil)
	if n := a.AvailableBytes(); n != 7 {
		t.Errorf("second datagram: %d", n)
	}
	a.Close()
	if n := a.AvailableBytes(); n != -1 {
		t.Errorf("closed: %d", n)
	}
}

// TestClose_SOCK3: idempotent close, fd -1, every later operation CLOSED.
func TestClose_SOCK3(t *testing.T) {
	s, _ := listener(t, SocketFamilyIPv4)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if s.FD() != -1 || !s.IsClosed() || s.IsConnected() {
		t.Errorf("fd %d closed %v", s.FD(), s.IsClosed())
	}
	ops := map[string]error{
		"accept":     second(s.Accept(nil)),
		"connect":    s.Connect(loopback(SocketFamilyIPv4), nil),
		"receive":    second(s.Receive(make([]byte, 1), nil)),
		"send":       second(s.Send([]byte("x"), nil)),
		"bind":       s.Bind(loopback(SocketFamilyIPv4), true),
		"listen":     s.Listen(),
		"shutdown":   s.Shutdown(true, true),
		"wait":       s.ConditionWait(ioIn, nil),
		"check":      s.CheckConnectResult(),
		"credential": second(s.Credentials()),
		"vectors":    second(s.SendVectors([][]byte{{1}}, nil)),
	}
	for name, err := range ops {
		wantCode(t, name, err, ErrorClosed)
		if err.Error() != "Socket is already closed" {
			t.Errorf("%s: %q", name, err)
		}
	}
	if s.ConditionCheck(ioIn) != 0 {
		t.Error("ConditionCheck on a closed socket")
	}
	// As GLib (fd -1 → EBADF), not CLOSED.
	_, err := s.LocalAddress()
	wantCodeMsg(t, "local address", err, ErrorFailed, "could not get local address: Bad file descriptor")
}

func second[T any](_ T, err error) error { return err }

// TestCheckOrder_SOCK2: closed wins over cancelled; cancelled is checked
// before any syscall, in both blocking modes (/socket/accept/cancelled,
// /socket/connect/cancelled).
func TestCheckOrder_SOCK2(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, blocking := range []bool{true, false} {
		l, addr := listener(t, SocketFamilyIPv4)
		l.SetBlocking(blocking)
		_, err := l.Accept(cancellable.FromContext(cancelled))
		wantCodeMsg(t, "accept", err, ErrorCancelled, "Operation was cancelled")
		c := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
		c.SetBlocking(blocking)
		wantCode(t, "connect", c.Connect(addr, cancellable.FromContext(cancelled)), ErrorCancelled)
		if c.IsConnected() {
			t.Error("cancelled connect connected")
		}
		l.Close()
		_, err = l.Accept(cancellable.FromContext(cancelled))
		wantCode(t, "closed and cancelled", err, ErrorClosed)
	}
	// A context deadline, through cancellable.FromContext, is a cancel:
	// CANCELLED (the socket timeout is what gives TIMED_OUT).
	l, _ := listener(t, SocketFamilyIPv4)
	dctx, dcancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer dcancel()
	_, err := l.Accept(cancellable.FromContext(dctx))
	wantCode(t, "deadline", err, ErrorCancelled)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%v is not context.Canceled", err)
	}
}

// TestBlockedOpsEnd_SOCK2_SOCK3: a blocked accept ends with CANCELLED when
// its context is cancelled and with CLOSED when another goroutine closes the
// socket; a queued second receive honours its own cancellation.
func TestBlockedOpsEnd_SOCK2_SOCK3(t *testing.T) {
	l, _ := listener(t, SocketFamilyIPv4)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := l.Accept(cancellable.FromContext(ctx)); errc <- err }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	wantCode(t, "cancelled accept", <-errc, ErrorCancelled)

	go func() { _, err := l.Accept(nil); errc <- err }()
	time.Sleep(20 * time.Millisecond)
	l.Close()
	err := testwait.Recv(t, errc, 10*time.Second, "close to end a blocked accept")
	wantCode(t, "accept on closed", err, ErrorClosed)

	client, server := connectedPair(t, SocketFamilyIPv4)
	first := make(chan error, 1)
	go func() { _, err := server.Receive(make([]byte, 4), nil); first <- err }()
	time.Sleep(20 * time.Millisecond)
	ctx2, cancel2 := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() { _, err := server.Receive(make([]byte, 4), cancellable.FromContext(ctx2)); second <- err }()
	time.Sleep(20 * time.Millisecond)
	cancel2()
	wantCode(t, "queued receive", <-second, ErrorCancelled)
	select {
	case err := <-first:
		t.Fatalf("first receive ended early: %v", err)
	default:
	}
	client.Send([]byte("data"), nil)
	if err := <-first; err != nil {
		t.Fatalf("first receive: %v", err)
	}
}

// TestConcurrentSendReceive_SOCK1: a receive blocked on one goroutine does not
// hold up a send on another.
func TestConcurrentSendReceive_SOCK1(t *testing.T) {
	client, server := connectedPair(t, SocketFamilyIPv4)
	got := make(chan string, 1)
	go func() {
		buf := make([]byte, 8)
		n, _ := client.Receive(buf, nil)
		got <- string(buf[:n])
	}()
	time.Sleep(20 * time.Millisecond)
	if _, err := client.Send([]byte("ping"), nil); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	n, err := server.Receive(buf, nil)
	if err != nil || string(buf[:n]) != "ping" {
		t.Fatal(n, err)
	}
	server.Send([]byte("pong"), nil)
	if s := <-got; s != "pong" {
		t.Errorf("%q", s)
	}
}

// TestAcceptTimeout_SOCK5 checks the socket timeout on accept.
func TestAcceptTimeout_SOCK5(t *testing.T) {
	l, _ := listener(t, SocketFamilyIPv4)
	l.SetTimeout(100 * time.Millisecond)
	_, err := l.Accept(nil)
	wantCode(t, "accept", err, ErrorTimedOut)
	l.SetBlocking(false)
	_, err = l.Accept(nil)
	wantCodeMsg(t, "non-blocking accept", err, ErrorWouldBlock, "Resource temporarily unavailable")
}

// TestCredentials_SOCK9 (what a socket reports about itself) is
// /socket/credentials/tcp_client, /tcp_server and
// /unix_socketpair.
func TestCredentials_SOCK9(t *testing.T) {
	client, server := connectedPair(t, SocketFamilyIPv4)
	for _, s := range []*Socket{client, server} {
		_, err := s.Credentials()
		wantCode(t, "tcp credentials", err, ErrorNotSupported)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewSocketFromFD(fds[0])
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := NewSocketFromFD(fds[1])
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	own := NewCredentials()
	for _, s := range []*Socket{a, b} {
		c, err := s.Credentials()
		if err != nil {
			t.Fatal(err)
		}
		pid, _ := c.UnixPID()
		uid, _ := c.UnixUser()
		same, err := c.IsSameUser(own)
		if pid != os.Getpid() || uid != uint32(os.Geteuid()) || !same || err != nil || c.String() != own.String() {
			t.Errorf("peer %v, own %v", c, own)
		}
	}
	want := fmt.Sprintf("GCredentials:linux-ucred:pid=%d,uid=%d,gid=%d", os.Getpid(), os.Geteuid(), os.Getegid())
	if own.String() != want {
		t.Errorf("%q, want %q", own, want)
	}
}

func TestOptions_SOCK9(t *testing.T) {
	s := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	s.SetKeepalive(true)
	if v, err := s.Option(unix.SOL_SOCKET, unix.SO_KEEPALIVE); !s.Keepalive() || v == 0 || err != nil {
		t.Errorf("keepalive %v %d %v", s.Keepalive(), v, err)
	}
	s.SetKeepalive(false)
	if v, _ := s.Option(unix.SOL_SOCKET, unix.SO_KEEPALIVE); s.Keepalive() || v != 0 {
		t.Errorf("keepalive off %v %d", s.Keepalive(), v)
	}
	s.SetListenBacklog(3)
	if s.ListenBacklog() != 3 {
		t.Errorf("backlog %d", s.ListenBacklog())
	}
	s.Bind(loopback(SocketFamilyIPv4), true)
	s.Listen()
	c := logging.StartCapture()
	s.SetListenBacklog(20)
	c.Stop()
	if s.ListenBacklog() != 3 || c.Count("critical", "!socket->priv->listening") != 1 {
		t.Errorf("backlog after listen: %d, criticals %d", s.ListenBacklog(), c.Count("critical", "listening"))
	}
	s.SetTimeout(-time.Second)
	if s.Timeout() != 0 {
		t.Errorf("negative timeout kept: %v", s.Timeout())
	}
	if _, err := s.Option(unix.SOL_SOCKET, 9999); !errors.Is(err, unix.ENOPROTOOPT) {
		t.Errorf("bad option: %v", err)
	}
}

// TestNetInterop: adopt a net.Listener, and hand a Socket to Go's net.
func TestNetInterop(t *testing.T) {
	nl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSocketFromNetListener(nl)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	nl.Close() // the Socket owns its own duplicate
	// Go's net.Listen uses MPTCP (IPPROTO_MPTCP, 262) by default since Go 1.24.
	if !s.IsListening() || (s.Protocol() != SocketProtocolTCP && s.Protocol() != SocketProtocolMPTCP) {
		t.Errorf("listening %v protocol %v", s.IsListening(), s.Protocol())
	}
	la, _ := s.LocalAddress()
	conn := dialTCP(t, la.ToNet().String())
	acc := acceptSocket(t, s)

	gl, err := s.NetListener()
	if err != nil {
		t.Fatal(err)
	}
	dialTCP(t, gl.Addr().String())
	nc, err := gl.Accept()
	if err != nil {
		t.Fatal(err)
	}
	nc.Close()
	gl.Close()
	if s.IsClosed() || s.FD() < 0 {
		t.Error("closing the net.Listener closed the Socket")
	}
	sc, err := NewSocketFromNetConn(conn.(*net.TCPConn))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	if !sc.IsConnected() {
		t.Error("adopted conn not connected")
	}
	if _, err := sc.Send([]byte("hi"), nil); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2)
	if n, err := acc.Receive(buf, nil); err != nil || string(buf[:n]) != "hi" {
		t.Fatal(n, err)
	}
}

// TestNoFDLeak_SOCK3 counts /proc/self/fd around a mix of sockets.
func TestNoFDLeak_SOCK3(t *testing.T) {
	var wg sync.WaitGroup
	round := func() {
		l, addr := listener(t, SocketFamilyIPv4)
		for i := 0; i < 5; i++ {
			c, _ := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
			c.Connect(addr, nil)
			a, err := l.Accept(nil)
			if err != nil {
				t.Error(err)
				return
			}
			a.Close()
			c.Close()
			c.Close()
		}
		nl, _ := l.NetListener()
		nl.Close()
		s, _ := NewSocketFromNetListener(nl) // closed listener: error, nothing leaked
		if s != nil {
			s.Close()
		}
		wg.Add(1)
		go func() { defer wg.Done(); l.Accept(nil) }()
		time.Sleep(5 * time.Millisecond)
		l.Close()
		wg.Wait()
	}
	round() // warm up lazily opened runtime fds (epoll)
	before := leakcheck.OpenFDs(t)
	for i := 0; i < 3; i++ {
		round()
	}
	if after := leakcheck.OpenFDs(t); after > before {
		t.Errorf("fds: %d before, %d after", before, after)
	}
}

// TestInjectedFailures_SL4 shows the hooks the listener's SL-4 failure
// matrix uses, and GLib's messages for those failures.
func TestInjectedFailures_SL4(t *testing.T) {
	saved := sys
	defer func() { sys = saved }()
	sys.socket = func(int, int, int) (int, error) { return -1, unix.EAFNOSUPPORT }
	_, err := NewSocket(SocketFamilyIPv6, SocketTypeStream, SocketProtocolDefault)
	wantCodeMsg(t, "socket", err, ErrorNotSupported, "Unable to create socket: Address family not supported by protocol")
	sys = saved
	sys.listen = func(int, int) error { return unix.EADDRINUSE }
	s := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	s.Bind(loopback(SocketFamilyIPv4), true)
	err = s.Listen()
	wantCode(t, "listen", err, ErrorAddressInUse)
	if err.Error() != "could not listen: Address already in use" || s.IsListening() {
		t.Errorf("%q", err)
	}
	sys = saved
	sys.bind = func(int, []byte) error { return unix.EADDRINUSE }
	err = newSock(t, SocketFamilyIPv6, SocketTypeStream, SocketProtocolDefault).Bind(NewInetSocketAddress(NewInetAddressAny(SocketFamilyIPv6), 5000), true)
	if err == nil || err.Error() != "Error binding to address [::]:5000: Address already in use" {
		t.Errorf("bind: %v", err)
	}
}
