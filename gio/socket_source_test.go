package gio

import (
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/mainloop"
)

// iterateUntil iterates ctx until done() holds, failing after max. A
// periodic timeout source keeps a blocking iteration from hanging.
func iterateUntil(t *testing.T, ctx *mainloop.Context, max time.Duration, done func() bool) {
	t.Helper()
	tick := mainloop.NewTimeoutSource(20 * time.Millisecond)
	tick.SetCallback(func() bool { return mainloop.SourceContinue })
	tick.Attach(ctx)
	defer tick.Destroy()
	deadline := time.Now().Add(max)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not reached within %v", max)
		}
		ctx.Iteration(true)
	}
}

type dispatch struct {
	s    *Socket
	cond mainloop.IOCondition
}

// TestSourcePostmortem_SOCK7 is /socket/source-postmortem: a closed
// socket's source dispatches exactly once, with IONval, and is destroyed.
func TestSourcePostmortem_SOCK7(t *testing.T) {
	ctx := mainloop.NewContext()
	// A connected, idle socket: an unconnected TCP socket polls as HUP.
	s, _ := connectedPair(t, SocketFamilyIPv4)
	var got []dispatch
	src := s.CreateSource(ioIn, nil, func(s *Socket, cond mainloop.IOCondition) bool {
		got = append(got, dispatch{s, cond})
		return mainloop.SourceContinue
	})
	src.Attach(ctx)
	defer src.Destroy()
	if ctx.Iteration(false) {
		t.Fatal("an idle socket's source dispatched")
	}
	s.Close()
	ctx.Iteration(false)
	if len(got) != 1 || got[0].s != s || got[0].cond != ioNval {
		t.Fatalf("dispatches %v, want one with NVAL", got)
	}
	if ctx.Pending() || ctx.Iteration(false) || len(got) != 1 {
		t.Errorf("dispatched again: %v", got)
	}
	if !src.IsDestroyed() {
		t.Error("source not destroyed")
	}
	// A source made on an already closed socket behaves the same.
	src2 := s.CreateSource(ioOut, nil, func(s *Socket, cond mainloop.IOCondition) bool {
		got = append(got, dispatch{s, cond})
		return mainloop.SourceContinue
	})
	src2.Attach(ctx)
	ctx.Iteration(false)
	if len(got) != 2 || got[1].cond != ioNval || !src2.IsDestroyed() {
		t.Errorf("source on closed socket: %v", got)
	}
}

// TestSourceCloseFromOtherGoroutine_SOCK7: a loop blocked in poll wakes up
// when another goroutine closes the socket.
func TestSourceCloseFromOtherGoroutine_SOCK7(t *testing.T) {
	ctx := mainloop.NewContext()
	s, _ := connectedPair(t, SocketFamilyIPv4)
	var cond mainloop.IOCondition
	src := s.CreateSource(ioIn, nil, func(_ *Socket, c mainloop.IOCondition) bool {
		cond = c
		return mainloop.SourceContinue
	})
	src.Attach(ctx)
	defer src.Destroy()
	go func() {
		time.Sleep(30 * time.Millisecond)
		s.Close()
	}()
	iterateUntil(t, ctx, 10*time.Second, func() bool { return cond != 0 })
	if cond != ioNval {
		t.Errorf("cond %v", cond)
	}
}

// TestSourceAsyncConnect_SOCK2_SOCK7 is the source half of
// /socket/ipv4_async and /socket/ipv6_async: PENDING, then an IOOut source,
// then CheckConnectResult; then an IOIn source sees the server's data.
func TestSourceAsyncConnect_SOCK2_SOCK7(t *testing.T) {
	for _, f := range []SocketFamily{SocketFamilyIPv4, SocketFamilyIPv6} {
		t.Run(f.String(), func(t *testing.T) {
			ctx := mainloop.NewContext()
			l, addr := listener(t, f)
			c := newSock(t, f, SocketTypeStream, SocketProtocolDefault)
			c.SetBlocking(false)
			wantCode(t, "connect", c.Connect(addr, nil), ErrorPending)
			var connectErr error
			connected := false
			src := c.CreateSource(ioOut, nil, func(s *Socket, cond mainloop.IOCondition) bool {
				if cond&ioOut == 0 {
					t.Errorf("cond %v", cond)
				}
				connectErr = s.CheckConnectResult()
				connected = true
				return mainloop.SourceRemove
			})
			src.Attach(ctx)
			iterateUntil(t, ctx, 10*time.Second, func() bool { return connected })
			if connectErr != nil || !c.IsConnected() {
				t.Fatalf("connect result %v", connectErr)
			}
			srv, err := l.Accept(nil)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			var in mainloop.IOCondition
			src = c.CreateSource(ioIn, nil, func(_ *Socket, cond mainloop.IOCondition) bool {
				in = cond
				return mainloop.SourceRemove
			})
			src.Attach(ctx)
			if _, err := srv.Send([]byte("hello"), nil); err != nil {
				t.Fatal(err)
			}
			iterateUntil(t, ctx, 10*time.Second, func() bool { return in != 0 })
			if in != ioIn {
				t.Errorf("cond %v, want IN", in)
			}
			buf := make([]byte, 8)
			if n, err := c.Receive(buf, nil); err != nil || string(buf[:n]) != "hello" {
				t.Fatal(n, err)
			}
		})
	}
}

// TestSourceCancellable_SOCK7: cancelling the Cancellable dispatches the
// source with no condition.
func TestSourceCancellable_SOCK7(t *testing.T) {
	ctx := mainloop.NewContext()
	l, _ := listener(t, SocketFamilyIPv4)
	c := cancellable.New()
	var conds []mainloop.IOCondition
	src := l.CreateSource(ioIn, c, func(_ *Socket, cond mainloop.IOCondition) bool {
		conds = append(conds, cond)
		return mainloop.SourceRemove
	})
	src.Attach(ctx)
	defer src.Destroy()
	if ctx.Iteration(false) {
		t.Fatal("dispatched before cancel")
	}
	c.Cancel()
	iterateUntil(t, ctx, 10*time.Second, func() bool { return len(conds) > 0 })
	if conds[0] != 0 {
		t.Errorf("cond %v, want 0", conds[0])
	}
	_, err := l.Accept(c)
	wantCode(t, "accept", err, ErrorCancelled)
}

// TestSourceTimeout_SOCK7_SOCK2: a socket with a timeout makes its source
// fire after it, marks the socket timed out, and the next operation then
// fails once with TIMED_OUT, before the cancellation check (SOCK-2).
func TestSourceTimeout_SOCK7_SOCK2(t *testing.T) {
	ctx := mainloop.NewContext()
	client, _ := connectedPair(t, SocketFamilyIPv4)
	client.SetTimeout(80 * time.Millisecond)
	var conds []mainloop.IOCondition
	start := time.Now()
	src := client.CreateSource(ioIn, nil, func(_ *Socket, cond mainloop.IOCondition) bool {
		conds = append(conds, cond)
		return mainloop.SourceRemove
	})
	src.Attach(ctx)
	iterateUntil(t, ctx, 10*time.Second, func() bool { return len(conds) > 0 })
	if conds[0] != ioIn || time.Since(start) < 70*time.Millisecond {
		t.Errorf("cond %v after %v", conds[0], time.Since(start))
	}
	c := cancellable.New()
	c.Cancel()
	_, err := client.Receive(make([]byte, 1), c)
	wantCode(t, "first op after timeout", err, ErrorTimedOut)
	_, err = client.Receive(make([]byte, 1), c)
	wantCode(t, "second op", err, ErrorCancelled)
}

// TestSourceCloseInCallback_SOCK7: closing the socket inside its own
// callback is safe; the source then dispatches NVAL once if it continues.
func TestSourceCloseInCallback_SOCK7(t *testing.T) {
	ctx := mainloop.NewContext()
	client, server := connectedPair(t, SocketFamilyIPv4)
	var conds []mainloop.IOCondition
	src := server.CreateSource(ioIn, nil, func(s *Socket, cond mainloop.IOCondition) bool {
		conds = append(conds, cond)
		s.Close()
		return mainloop.SourceContinue
	})
	src.Attach(ctx)
	client.Send([]byte("x"), nil)
	iterateUntil(t, ctx, 10*time.Second, func() bool { return len(conds) >= 2 })
	if conds[0]&ioIn == 0 || conds[1] != ioNval || !src.IsDestroyed() {
		t.Errorf("conds %v destroyed %v", conds, src.IsDestroyed())
	}
}

// TestCancellableOps_SOCK2 is /socket/accept/cancelled and
// /socket/connect/cancelled with a GCancellable, plus a cancel that
// interrupts a blocked accept and receive.
func TestCancellableOps_SOCK2(t *testing.T) {
	pre := cancellable.New()
	pre.Cancel()
	for _, blocking := range []bool{true, false} {
		l, addr := listener(t, SocketFamilyIPv4)
		l.SetBlocking(blocking)
		_, err := l.Accept(pre)
		wantCode(t, "accept", err, ErrorCancelled)
		c := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
		c.SetBlocking(blocking)
		wantCode(t, "connect", c.Connect(addr, pre), ErrorCancelled)
	}

	l, addr := listener(t, SocketFamilyIPv4)
	c := cancellable.New()
	errc := make(chan error, 1)
	go func() { _, err := l.Accept(c); errc <- err }()
	time.Sleep(20 * time.Millisecond)
	c.Cancel()
	select {
	case err := <-errc:
		wantCode(t, "blocked accept", err, ErrorCancelled)
	case <-time.After(10 * time.Second):
		t.Fatal("cancel did not interrupt accept")
	}

	cl := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	if err := cl.Connect(addr, nil); err != nil {
		t.Fatal(err)
	}
	srv, err := l.Accept(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c2 := cancellable.New()
	go func() { _, err := srv.Receive(make([]byte, 4), c2); errc <- err }()
	time.Sleep(20 * time.Millisecond)
	c2.Cancel()
	wantCode(t, "blocked receive", <-errc, ErrorCancelled)
	// The socket still works afterwards.
	cl.Send([]byte("ok"), nil)
	buf := make([]byte, 4)
	if n, err := srv.Receive(buf, nil); err != nil || string(buf[:n]) != "ok" {
		t.Fatal(n, err)
	}
	// And a wait.
	c3 := cancellable.New()
	go func() { errc <- srv.ConditionWait(ioIn, c3) }()
	time.Sleep(20 * time.Millisecond)
	c3.Cancel()
	wantCode(t, "condition wait", <-errc, ErrorCancelled)
	wantCode(t, "timed wait", srv.ConditionTimedWait(ioIn, 30*time.Millisecond, nil), ErrorTimedOut)
}

// TestReceiveBytes_SOCK5 is /socket/receive_bytes and /receive_bytes_from:
// data, WOULD_BLOCK with timeout 0, TIMED_OUT, CANCELLED.
func TestReceiveBytes_SOCK5(t *testing.T) {
	a := newSock(t, SocketFamilyIPv4, SocketTypeDatagram, SocketProtocolDefault)
	a.Bind(loopback(SocketFamilyIPv4), true)
	b := newSock(t, SocketFamilyIPv4, SocketTypeDatagram, SocketProtocolDefault)
	b.Bind(loopback(SocketFamilyIPv4), true)
	aAddr, _ := a.LocalAddress()
	bAddr, _ := b.LocalAddress()
	b.SendTo(aAddr, []byte("one"), nil)
	b.SendTo(aAddr, []byte("two"), nil)
	got, err := a.ReceiveBytes(16, -1, nil)
	if err != nil || string(got) != "one" || cap(got) != 3 {
		t.Fatalf("%q %v", got, err)
	}
	got, from, err := a.ReceiveBytesFrom(16, time.Second, nil)
	if err != nil || string(got) != "two" || from.String() != bAddr.String() {
		t.Fatalf("%q %v %v", got, from, err)
	}
	_, err = a.ReceiveBytes(16, 0, nil)
	wantCode(t, "timeout 0", err, ErrorWouldBlock)
	start := time.Now()
	_, err = a.ReceiveBytes(16, 50*time.Millisecond, nil)
	wantCode(t, "timeout 50ms", err, ErrorTimedOut)
	if time.Since(start) < 45*time.Millisecond {
		t.Errorf("timed out after %v", time.Since(start))
	}
	c := cancellable.New()
	go func() { time.Sleep(20 * time.Millisecond); c.Cancel() }()
	_, _, err = a.ReceiveBytesFrom(16, -1, c)
	wantCode(t, "cancelled", err, ErrorCancelled)
	_, err = a.ReceiveBytes(-1, 0, nil)
	wantCode(t, "negative size", err, ErrorInvalidArgument)
}

// TestSendReceiveMessage_SOCK is the socket half of
// /socket/unix-connection-ancillary-data: a descriptor travels over a
// socketpair with SCM_RIGHTS.
func TestSendReceiveMessage_SOCK(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := NewSocketFromFD(fds[0])
	defer a.Close()
	b, _ := NewSocketFromFD(fds[1])
	defer b.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	n, err := a.SendMessage(nil, [][]byte{[]byte("fd"), []byte("!")}, unix.UnixRights(int(w.Fd())), 0, nil)
	if err != nil || n != 3 {
		t.Fatal(n, err)
	}
	buf := make([]byte, 8)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := b.ReceiveMessage([][]byte{buf}, oob, 0, nil)
	if err != nil || string(buf[:n]) != "fd!" {
		t.Fatal(n, err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		t.Fatal(msgs, err)
	}
	got, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	passed := os.NewFile(uintptr(got[0]), "passed")
	defer passed.Close()
	passed.Write([]byte("through"))
	rb := make([]byte, 7)
	if n, err := r.Read(rb); err != nil || string(rb[:n]) != "through" {
		t.Errorf("%q %v", rb[:n], err)
	}
	b.SetBlocking(false)
	_, _, _, _, err = b.ReceiveMessage([][]byte{buf}, nil, 0, nil)
	wantCode(t, "empty", err, ErrorWouldBlock)
}
