package nbio

import (
	"errors"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func socketpair(t *testing.T) (a, b int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

func TestReadWrite(t *testing.T) {
	a, b := socketpair(t)
	buf := make([]byte, 16)
	if _, err := Read(a, buf); !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("Read on an empty socket: %v, want EAGAIN", err)
	}
	if n, err := Write(b, []byte("hello")); n != 5 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if n, err := Read(a, buf); n != 5 || err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("Read = %d %q, %v", n, buf[:n], err)
	}
	if n, err := Write(b, nil); n != 0 || err != nil {
		t.Fatalf("Write(nil) = %d, %v", n, err)
	}
	unix.Close(b)
	if n, err := Read(a, buf); n != 0 || err != nil {
		t.Fatalf("Read after the peer closed = %d, %v, want 0 (EOF)", n, err)
	}
	if _, err := Write(-1, []byte("x")); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("Write(-1): %v, want EBADF", err)
	}
}

func TestAccept(t *testing.T) {
	l, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(l)
	addr := &unix.SockaddrUnix{Name: "@sigloop-nbio-test"} // abstract
	if err := unix.Bind(l, addr); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(l, 4); err != nil {
		t.Fatal(err)
	}
	if _, err := Accept(l); !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("Accept with nothing queued: %v, want EAGAIN", err)
	}
	c, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(c)
	if err := unix.Connect(c, addr); err != nil {
		t.Fatal(err)
	}
	fd, err := Accept(l)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil || fl&unix.O_NONBLOCK == 0 {
		t.Errorf("accepted descriptor flags %#x (%v): want O_NONBLOCK", fl, err)
	}
	fdfl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	if err != nil || fdfl&unix.FD_CLOEXEC == 0 {
		t.Errorf("accepted descriptor fd flags %#x (%v): want FD_CLOEXEC", fdfl, err)
	}
	if _, err := Accept(-1); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("Accept(-1): %v, want EBADF", err)
	}
}

func TestClose(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[1])
	if err := Close(fds[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(fds[1], make([]byte, 1)); err != nil {
		t.Fatalf("the peer's read after close: %v, want EOF (0, nil)", err)
	}
	if err := Close(fds[0]); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("second Close: %v, want EBADF", err)
	}
}
