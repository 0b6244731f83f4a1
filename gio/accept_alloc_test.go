package gio

import (
	"net"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/nbio"
	"github.com/sigloop/sigloop/internal/racedetect"
)

// TestAcceptAllocs pins the allocations of one connection served by a
// SocketService and closed by its Incoming handler, as the accept-4c
// benchmark's server does (accept, a SocketConnection with its streams,
// the incoming signal, close), so that a regression fails here. The
// client connects and closes with raw system calls; the same client
// against a bare listening socket, accepted with accept4 and closed, is
// measured first in the same run as the baseline (0), and the service's
// allocations are counted over it.
func TestAcceptAllocs(t *testing.T) {
	if racedetect.Enabled {
		t.Skip("the race detector allocates")
	}
	// Each accepted connection: the Socket (1), its descriptor and its
	// cleanup (3), the TCPConnection (1) and its IOStream and connection
	// state (2), the "closed" property (1) and its close-on-destroy notify
	// (2). It was 20 before the accept attempt stopped making a closure and
	// a WOULD_BLOCK error for the empty queue (Socket.tryAccept), and 12
	// before a connection closed unread stopped making its streams.
	const pinned = 10

	connectClose := func(sa *unix.SockaddrInet4, served func()) {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := unix.Connect(fd, sa); err != nil {
			t.Fatal(err)
		}
		served()
		unix.Close(fd)
	}

	// The baseline: the client alone, against a net.Listener whose
	// descriptor is accepted by hand (the runtime never polls it).
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	rc, err := ln.(*net.TCPListener).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	lfd := -1
	_ = rc.Control(func(fd uintptr) { lfd = int(fd) })
	bare := &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: ln.Addr().(*net.TCPAddr).Port}
	acceptBare := func() {
		nfd, err := nbio.Accept(lfd)
		if err != nil {
			t.Fatal(err)
		}
		unix.Close(nfd)
	}
	base := testing.AllocsPerRun(500, func() { connectClose(bare, acceptBare) })

	lp := newTestLoop(t)
	s, eff := newTestService(t)
	served := 0
	s.Incoming.Connect(func(c *SocketConnection, _ any) bool {
		served++
		_ = c.Close()
		return true
	})
	sa := &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: int(eff.(*InetSocketAddress).Port())}
	serve := func() {
		want := served + 1
		for served < want {
			lp.ctx.Iteration(true)
		}
	}
	for range 50 { // warm: the service's hold set, the context's lists
		connectClose(sa, serve)
	}
	n := testing.AllocsPerRun(500, func() { connectClose(sa, serve) }) - base
	t.Logf("%.2f allocations per accepted connection (the raw client and accept: %.2f; pinned: %d)", n, base, pinned)
	if n > pinned {
		t.Errorf("%.2f allocations per accepted connection, want at most %d", n, pinned)
	}
}
