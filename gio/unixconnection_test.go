package gio

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
)

// Passing a descriptor over a UnixConnection (SCM_RIGHTS), as
// /socket/unix-connection-ancillary-data does.
func TestUnixConnectionFD_SOCK10(t *testing.T) {
	a, b := socketPair(t)
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	if err := a.Unix().SendFD(p[1], nil); err != nil {
		t.Fatal(err)
	}
	fd, err := b.Unix().ReceiveFD(nil)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "received")
	defer f.Close()
	if fd == p[1] {
		t.Fatal("received the same descriptor number; want a new one")
	}
	if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil || flags&unix.FD_CLOEXEC == 0 {
		t.Fatalf("received fd is not close-on-exec (%v)", err)
	}
	if _, err := f.Write([]byte("via passed fd")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 32)
	n, err := unix.Read(p[0], buf)
	if err != nil || string(buf[:n]) != "via passed fd" {
		t.Fatalf("pipe read %q, %v", buf[:n], err)
	}
	// Plain bytes still flow afterwards.
	if _, err := a.OutputStream().WriteAll([]byte("ok"), nil); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 2)
	if _, err := b.InputStream().ReadAll(got, nil); err != nil || string(got) != "ok" {
		t.Fatalf("%q, %v", got, err)
	}
	// A data byte without a descriptor is an error, not a hang.
	if _, err := a.OutputStream().WriteAll([]byte{0}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Unix().ReceiveFD(nil); err == nil {
		t.Fatal("ReceiveFD without a descriptor succeeded")
	}
	if err := a.Unix().SendFD(-1, nil); err == nil {
		t.Fatal("SendFD(-1) succeeded")
	}
}

func TestUnixConnectionCredentials_SOCK10(t *testing.T) {
	a, b := socketPair(t)
	if err := a.Unix().SendCredentials(nil); err != nil {
		t.Fatal(err)
	}
	cred, err := b.Unix().ReceiveCredentials(nil)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := cred.UnixPID()
	uid, _ := cred.UnixUser()
	if pid != os.Getpid() || int(uid) != os.Geteuid() {
		t.Fatalf("credentials %v; want pid %d uid %d", cred, os.Getpid(), os.Geteuid())
	}
	if v, err := b.Socket().Option(unix.SOL_SOCKET, unix.SO_PASSCRED); err != nil || v != 0 {
		t.Fatalf("SO_PASSCRED left at %d (%v); want it restored to 0", v, err)
	}
	c := cancellable.New()
	c.Cancel()
	_, err = b.Unix().ReceiveCredentials(c)
	wantIOErr(t, err, ioerr.Cancelled, "")
}

// TestUnixConnection_SOCK10 is /socket/unix-connection: the connection
// factory makes a UnixConnection for a Unix socket adopted from a plain
// descriptor, and a TCPConnection for neither.
func TestUnixConnection_SOCK10(t *testing.T) {
	s := adoptNewFD(t, unix.AF_UNIX)
	c := NewSocketConnection(s)
	defer c.Close()
	if c.Unix() == nil || c.TCP() != nil {
		t.Fatalf("factory made %T (Unix %v, TCP %v), want a UnixConnection", c.Self(), c.Unix() != nil, c.TCP() != nil)
	}
	if c.Unix().Socket() != s || &c.Unix().SocketConnection != c {
		t.Fatal("the UnixConnection does not wrap the socket it was made for")
	}
}
