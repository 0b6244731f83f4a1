package gio

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/leakcheck"
	"github.com/sigloop/sigloop/mainloop"
)

// gioGoroutines counts the goroutines running code of this package (the
// async operations' goroutines, SocketClient attempts), after giving them
// up to a few seconds to finish.
func gioGoroutines(want int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		n := 0
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "sigloop/gio.") && !strings.Contains(g, "gio.TestNoLeaksAsync") &&
				!strings.Contains(g, "testing.tRunner") {
				n++
			}
		}
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The async paths (stream operations, cancelled ones, CloseAsync,
// SocketClient ConnectAsync that succeeds, is refused or is cancelled,
// ConnectToHostAsync, fd passing) leave no descriptor and no goroutine
// behind once their callbacks have run (SOCK-3, SOCK-10, SOCK-12).
func TestNoLeaksAsync_SOCK10(t *testing.T) {
	// One loop for the test: a mainloop.Context holds descriptors of its
	// own until it is collected.
	l := newTestLoop(t)
	round := func() {
		lis, addr := listenLoopback(t, SocketFamilyIPv4)
		cl := NewSocketClient()

		conn := clientConnect(t, l, cl, addr)
		srvSock, err := lis.Accept(nil)
		if err != nil {
			t.Fatal(err)
		}
		srv := NewSocketConnection(srvSock)

		// An echo through the async streams.
		msg := []byte("ping")
		var w, rd result
		conn.OutputStream().WriteAllAsync(msg, mainloop.PriorityDefault, nil, w.cb)
		if _, err := conn.OutputStream().WriteAllFinish(w.wait(l)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4)
		srv.InputStream().ReadAllAsync(buf, mainloop.PriorityDefault, nil, rd.cb)
		if n, err := srv.InputStream().ReadAllFinish(rd.wait(l)); err != nil || n != 4 {
			t.Fatal(n, err)
		}

		// A read that is cancelled while it waits.
		cn := cancellable.New()
		var cr result
		conn.InputStream().ReadAsync(make([]byte, 1), mainloop.PriorityDefault, cn, cr.cb)
		time.AfterFunc(5*time.Millisecond, cn.Cancel)
		if _, err := conn.InputStream().ReadFinish(cr.wait(l)); !isCode(err, ErrorCancelled) {
			t.Fatalf("cancelled read: %v", err)
		}

		var c1, c2 result
		conn.CloseAsync(mainloop.PriorityDefault, nil, c1.cb)
		srv.CloseAsync(mainloop.PriorityDefault, nil, c2.cb)
		_ = conn.CloseFinish(c1.wait(l))
		_ = srv.CloseFinish(c2.wait(l))

		// Refused, cancelled, and by host name.
		lis.Close()
		var ref, can, host result
		cl.ConnectAsync(addr, nil, ref.cb)
		if _, err := cl.ConnectFinish(ref.wait(l)); !isCode(err, ErrorConnectionRefused) {
			t.Fatalf("refused: %v", err)
		}
		pre := cancellable.New()
		pre.Cancel()
		cl.ConnectAsync(addr, pre, can.cb)
		if _, err := cl.ConnectFinish(can.wait(l)); !isCode(err, ErrorCancelled) {
			t.Fatalf("cancelled: %v", err)
		}
		cl.ConnectToHostAsync("localhost:"+portOf(addr), 0, nil, host.cb)
		if c, err := cl.ConnectToHostFinish(host.wait(l)); err == nil {
			_ = c.Close()
		}

		// fd passing: the received descriptor is the caller's to close.
		a, b := socketPair(t)
		go func() { _ = a.Unix().SendFD(0, nil) }()
		fd, err := b.Unix().ReceiveFD(nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = unix.Close(fd)
		_ = a.Close()
		_ = b.Close()
	}
	round() // warm up lazily opened runtime descriptors (epoll, pipes)
	fds, gs := leakcheck.OpenFDs(t), gioGoroutines(0)
	for range 3 {
		round()
	}
	if after := leakcheck.OpenFDs(t); after > fds {
		t.Errorf("descriptors: %d before, %d after", fds, after)
	}
	if after := gioGoroutines(gs); after > gs {
		t.Errorf("goroutines in package gio: %d before, %d after", gs, after)
	}
}

func portOf(a SocketAddress) string {
	s := a.String()
	return s[strings.LastIndexByte(s, ':')+1:]
}

var _ asyncresult.ReadyCallback = (*result)(nil).cb
