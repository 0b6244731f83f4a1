package gio

import (
	"errors"
	"net"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/looptest"
	"github.com/sigloop/sigloop/mainloop"
)

// Helpers shared by the stream, connection and client tests.

// testTimeout bounds every wait in these tests; it is generous because the
// machine may be busy building other packages.
const testTimeout = 20 * time.Second

// testLoop is a private context pushed as the test goroutine's context, so
// async calls made by the test deliver to it, and iterated by until
// (internal/looptest).
type testLoop struct {
	*looptest.Loop
	t   testing.TB
	ctx *mainloop.Context
}

func newTestLoop(t testing.TB) *testLoop {
	t.Helper()
	l := looptest.Push(t, testTimeout)
	return &testLoop{Loop: l, t: t, ctx: l.Ctx}
}

// until iterates the context until cond holds, failing the test after
// testTimeout.
func (l *testLoop) until(cond func() bool) {
	l.t.Helper()
	l.Until(cond)
}

// result captures one async callback: where it ran and what it got.
type result struct {
	done   bool
	calls  int
	source any
	res    asyncresult.AsyncResult
	ctx    *mainloop.Context
}

func (r *result) cb(src any, res asyncresult.AsyncResult) {
	r.done = true
	r.calls++
	r.source, r.res, r.ctx = src, res, mainloop.ThreadDefault()
}

// wantOnce runs n more iterations of l, then checks that the callback ran
// exactly once in all.
func (r *result) wantOnce(l *testLoop, n int) {
	l.t.Helper()
	for range n {
		l.ctx.Iteration(false)
	}
	if r.calls != 1 {
		l.t.Fatalf("callback ran %d times, want once", r.calls)
	}
}

// wait iterates l until the callback has run and returns its result.
func (r *result) wait(l *testLoop) asyncresult.AsyncResult {
	l.t.Helper()
	l.until(func() bool { return r.done })
	if r.ctx != l.ctx {
		l.t.Errorf("callback ran on %p, want the caller's context %p", r.ctx, l.ctx)
	}
	return r.res
}

// clientConnect connects cl to addr with ConnectAsync, iterating l, and
// returns the connection, failing t on an error.
func clientConnect(t testing.TB, l *testLoop, cl *SocketClient, addr SocketConnectable) *SocketConnection {
	t.Helper()
	var r result
	cl.ConnectAsync(addr, nil, r.cb)
	conn, err := cl.ConnectFinish(r.wait(l))
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// acceptAndClose accepts one connection on l and closes it.
func acceptAndClose(t testing.TB, l *Socket) {
	t.Helper()
	_ = acceptSocket(t, l).Close()
}

// acceptSocket is l.Accept(nil), failing t on error; the accepted socket is
// closed when the test ends (a second Close is harmless).
func acceptSocket(t testing.TB, l *Socket) *Socket {
	t.Helper()
	s, err := l.Accept(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// dialTCP is net.Dial("tcp", addr), failing t on error; the connection is
// closed when the test ends.
func dialTCP(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// receiveN receives exactly n bytes on s, failing t on an error or an
// early end of stream.
func receiveN(t testing.TB, s *Socket, n int) []byte {
	t.Helper()
	buf := make([]byte, n)
	for got := 0; got < n; {
		m, err := s.Receive(buf[got:], nil)
		if err != nil || m == 0 {
			t.Fatalf("received %d of %d bytes, then %d, %v", got, n, m, err)
		}
		got += m
	}
	return buf
}

// receiveAll receives on s until end of stream, failing t on an error.
func receiveAll(t testing.TB, s *Socket) []byte {
	t.Helper()
	var got []byte
	buf := make([]byte, 1024)
	for {
		n, err := s.Receive(buf, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return got
		}
		got = append(got, buf[:n]...)
	}
}

// listenLoopback returns a listening socket on the loopback address of the
// family, port chosen by the kernel, and its address.
func listenLoopback(t testing.TB, family SocketFamily) (*Socket, SocketAddress) {
	t.Helper()
	s := newSock(t, family, SocketTypeStream, SocketProtocolDefault)
	addr, err := bindAndListen(t, s, NewInetSocketAddress(NewInetAddressLoopback(family), 0), true)
	if err != nil {
		t.Fatal(err)
	}
	return s, addr
}

// listenUnix returns a listening Unix socket in a temporary directory.
func listenUnix(t testing.TB) (*Socket, SocketAddress) {
	t.Helper()
	s := newSock(t, SocketFamilyUnix, SocketTypeStream, SocketProtocolDefault)
	addr := NewUnixSocketAddress(filepath.Join(t.TempDir(), "s"))
	if _, err := bindAndListen(t, s, addr, false); err != nil {
		t.Fatal(err)
	}
	return s, addr
}

// bindAndListen binds s to addr and listens, failing t if Listen fails, and
// returns the bound address, or Bind's error for the caller to judge.
func bindAndListen(t testing.TB, s *Socket, addr SocketAddress, allowReuse bool) (SocketAddress, error) {
	t.Helper()
	if err := s.Bind(addr, allowReuse); err != nil {
		return nil, err
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	a, err := s.LocalAddress()
	if err != nil {
		t.Fatal(err)
	}
	return a, nil
}

// connPair returns a connected client and server connection over the
// network named: "tcp4", "tcp6" or "unix". Both are closed at cleanup.
func connPair(t testing.TB, network string) (client, server *SocketConnection) {
	t.Helper()
	var l *Socket
	var addr SocketAddress
	family := SocketFamilyUnix
	switch network {
	case "tcp4":
		family = SocketFamilyIPv4
		l, addr = listenLoopback(t, family)
	case "tcp6":
		family = SocketFamilyIPv6
		l, addr = listenLoopback(t, family)
	case "unix":
		l, addr = listenUnix(t)
	default:
		t.Fatalf("unknown network %q", network)
	}
	cs, err := NewSocket(family, SocketTypeStream, SocketProtocolDefault)
	if err != nil {
		t.Fatal(err)
	}
	client = NewSocketConnection(cs)
	t.Cleanup(func() { _ = client.Close() })
	if err := client.Connect(addr, nil); err != nil {
		t.Fatal(err)
	}
	ss, err := l.Accept(nil)
	if err != nil {
		t.Fatal(err)
	}
	server = NewSocketConnection(ss)
	t.Cleanup(func() { _ = server.Close() })
	return client, server
}

// socketPair returns two connected Unix connections made from
// socketpair(2), closed when the test ends.
func socketPair(t testing.TB) (a, b *SocketConnection) {
	t.Helper()
	a, b = unownedSocketPair(t)
	t.Cleanup(func() { _ = a.Close(); _ = b.Close() })
	return a, b
}

// unownedSocketPair is socketPair for a test that closes or drops the
// connections itself (nothing else keeps them).
func unownedSocketPair(t testing.TB) (a, b *SocketConnection) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	sa, err := NewSocketFromFD(fds[0])
	if err != nil {
		t.Fatal(err)
	}
	sb, err := NewSocketFromFD(fds[1])
	if err != nil {
		t.Fatal(err)
	}
	return NewSocketConnection(sa), NewSocketConnection(sb)
}

var networks = []string{"tcp4", "tcp6", "unix"}

// wantCode fails t unless err is a GIO error with the code (and, if msg is
// not empty, that message).
func wantIOErr(t testing.TB, err error, code ioerr.Code, msg string) {
	t.Helper()
	var e *ioerr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want %v", err, err, code)
	}
	if e.Code != code || (msg != "" && e.Message != msg) {
		t.Fatalf("error %v %q, want %v %q", e.Code, e.Message, code, msg)
	}
}
