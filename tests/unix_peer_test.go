package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/gio"
)

// fd passing and credentials between sigloop's UnixConnection and GLib's
// GUnixConnection (PyGObject), both ways: the wire formats must match
// (one data byte with SCM_RIGHTS or SCM_CREDENTIALS).
func TestGLibUnixConnectionFDAndCredentials(t *testing.T) {
	needPyGObject(t)
	path := filepath.Join(t.TempDir(), "fd.sock")
	listener, err := gio.NewSocket(gio.SocketFamilyUnix, gio.SocketTypeStream, gio.SocketProtocolDefault)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	if err := listener.Bind(gio.NewUnixSocketAddress(path), false); err != nil {
		t.Fatal(err)
	}
	if err := listener.Listen(); err != nil {
		t.Fatal(err)
	}
	listener.SetTimeout(peerTimeout) // bounds the Accept and every call on the accepted socket

	p := startPeer(t, "glib_unix_fd.py", "--unix", path)
	s, err := listener.Accept(nil)
	if err != nil {
		t.Fatal(err)
	}
	s.SetTimeout(peerTimeout)
	conn := gio.NewSocketConnection(s)
	defer conn.Close()
	uc := conn.Unix()
	if uc == nil {
		t.Fatal("accepted Unix socket did not give a UnixConnection")
	}

	cred, err := uc.ReceiveCredentials(nil)
	if err != nil {
		t.Fatal(err)
	}
	if pid, _ := cred.UnixPID(); pid != p.cmd.Process.Pid {
		t.Fatalf("credentials say pid %d, the GLib peer is %d", pid, p.cmd.Process.Pid)
	}

	fd, err := uc.ReceiveFD(nil)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "from-glib")
	buf := make([]byte, 64)
	n, _ := f.Read(buf)
	f.Close()
	if got := string(buf[:n]); got != "from GLib" {
		t.Fatalf("read %q through the descriptor GLib sent", got)
	}

	if err := uc.SendCredentials(nil); err != nil {
		t.Fatal(err)
	}
	var pipe [2]int
	if err := unix.Pipe2(pipe[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	r := os.NewFile(uintptr(pipe[0]), "r")
	defer r.Close()
	err = uc.SendFD(pipe[1], nil)
	unix.Close(pipe[1])
	if err != nil {
		t.Fatal(err)
	}
	if line, want := p.Line(), fmt.Sprintf("peer pid=%d uid=%d", os.Getpid(), os.Geteuid()); line != want {
		t.Fatalf("GLib peer said %q, want %q", line, want)
	}
	if line := p.Line(); line != "ok" {
		t.Fatalf("GLib peer said %q", line)
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	n, _ = r.Read(buf)
	if got := string(buf[:n]); got != "to Go" {
		t.Fatalf("read %q through the descriptor sent to GLib", got)
	}
}
