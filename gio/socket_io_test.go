package gio

import (
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/testwait"
)

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
	err := testwait.Recv(t, errc, 10*time.Second, "cancel to interrupt accept")
	wantCode(t, "blocked accept", err, ErrorCancelled)

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

// TestReceiveBytes_SOCK5 is /socket/receive_bytes, over TCP as upstream:
// the bytes come back in a slice of their own size (also from a larger
// buffer); a per-call timeout gives TIMED_OUT long before the socket's own
// timeout; a cancelled Cancellable gives CANCELLED.
func TestReceiveBytes_SOCK5(t *testing.T) {
	client, server := connectedPair(t, SocketFamilyIPv4)
	client.SetTimeout(10 * time.Second)
	for _, size := range []int{5, 500} {
		if _, err := server.Send([]byte("hello"), nil); err != nil {
			t.Fatal(err)
		}
		got, err := client.ReceiveBytes(size, -1, nil)
		if err != nil || string(got) != "hello" || len(got) != 5 || cap(got) != 5 {
			t.Fatalf("ReceiveBytes(%d) = %q (cap %d), %v", size, got, cap(got), err)
		}
	}
	start := time.Now()
	got, err := client.ReceiveBytes(500, 10*time.Microsecond, nil)
	wantCode(t, "per-call timeout", err, ErrorTimedOut)
	if got != nil || time.Since(start) >= client.Timeout() {
		t.Errorf("got %q after %v, want nil well before the socket timeout", got, time.Since(start))
	}
	c := cancellable.New()
	c.Cancel()
	got, err = client.ReceiveBytes(500, -1, c)
	wantCode(t, "cancelled", err, ErrorCancelled)
	if got != nil {
		t.Errorf("cancelled receive returned %q", got)
	}
	_, err = client.ReceiveBytes(-1, 0, nil)
	wantCode(t, "negative size", err, ErrorInvalidArgument)
}

// TestReceiveBytesFrom_SOCK5 is /socket/receive_bytes_from, over UDP as
// upstream: data and the sender's address, WOULD_BLOCK with timeout 0,
// TIMED_OUT (and no sender), CANCELLED.
func TestReceiveBytesFrom_SOCK5(t *testing.T) {
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
	b.SendTo(aAddr, []byte("three"), nil)
	buf := make([]byte, 16)
	if n, from, err := a.ReceiveFrom(buf, nil); err != nil || string(buf[:n]) != "two" || from.String() != bAddr.String() {
		t.Fatalf("ReceiveFrom %q %v %v", buf[:n], from, err)
	}
	got, from, err := a.ReceiveBytesFrom(16, time.Second, nil)
	if err != nil || string(got) != "three" || from.String() != bAddr.String() {
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
	got, from, err = a.ReceiveBytesFrom(16, 10*time.Millisecond, nil)
	wantCode(t, "timed out", err, ErrorTimedOut)
	if got != nil || from != nil {
		t.Errorf("timed-out receive gave %q from %v", got, from)
	}
}

// TestSendReceiveMessage_SOCK8 (send/receive) is the socket half of
// /socket/unix-connection-ancillary-data: a descriptor travels over a
// socketpair with SCM_RIGHTS.
func TestSendReceiveMessage_SOCK8(t *testing.T) {
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
