package gio

import (
	"errors"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/logging"
)

func TestInetOptions_SOCK9(t *testing.T) {
	for _, f := range []SocketFamily{SocketFamilyIPv4, SocketFamilyIPv6} {
		s := newSock(t, f, SocketTypeDatagram, SocketProtocolDefault)
		s.SetTTL(17)
		if s.TTL() != 17 {
			t.Errorf("%v TTL %d", f, s.TTL())
		}
		s.SetBroadcast(true)
		if !s.Broadcast() {
			t.Errorf("%v broadcast off", f)
		}
		s.SetMulticastLoopback(false)
		if s.MulticastLoopback() {
			t.Errorf("%v multicast loopback on", f)
		}
		s.SetMulticastTTL(3)
		if s.MulticastTTL() != 3 {
			t.Errorf("%v multicast TTL %d", f, s.MulticastTTL())
		}
	}
	u := newSock(t, SocketFamilyUnix, SocketTypeDatagram, SocketProtocolDefault)
	c := logging.StartCapture()
	u.SetTTL(3)
	ttl := u.TTL()
	c.Stop()
	if ttl != 0 || c.Count("critical", "g_socket_get_ttl") != 1 || c.Count("critical", "g_socket_set_ttl") != 1 {
		t.Errorf("unix TTL %d, criticals %d", ttl, c.Count("critical", "ttl"))
	}
	u.Close()
	c = logging.StartCapture()
	u.SetBroadcast(true)
	c.Stop()
	if c.Count("warning", "error setting broadcast: Socket is already closed") != 1 {
		t.Errorf("no warning for an option on a closed socket")
	}
}

// TestListenErrors_SOCK4: "could not listen: …".
func TestListenErrors_SOCK4(t *testing.T) {
	s := newSock(t, SocketFamilyIPv4, SocketTypeDatagram, SocketProtocolDefault)
	err := s.Listen()
	wantCode(t, "listen on UDP", err, ErrorNotSupported)
	if err.Error() != "could not listen: Operation not supported" || s.IsListening() {
		t.Errorf("%q listening=%v", err, s.IsListening())
	}
}

func TestSockaddrConversion_SOCK13(t *testing.T) {
	for _, a := range []SocketAddress{
		must(NewInetSocketAddressFromString("1.2.3.4", 80)),
		must(NewInetSocketAddressFromString("fe80::1%3", 443)),
		NewUnixSocketAddress("/tmp/s"),
		NewUnixSocketAddressAbstract("abs"),
		must(NewUnixSocketAddressWithType("", UnixSocketAddressAnonymous)),
	} {
		sa, err := SocketAddressToSockaddr(a)
		if err != nil {
			t.Fatal(err)
		}
		back, err := SocketAddressFromSockaddr(sa)
		if err != nil || back.String() != a.String() || back.Family() != a.Family() {
			t.Errorf("%v → %#v → %v %v", a, sa, back, err)
		}
	}
	mapped := &unix.SockaddrInet6{Port: 9, Addr: [16]byte{10: 0xff, 11: 0xff, 12: 1, 13: 2, 14: 3, 15: 4}}
	if a, err := SocketAddressFromSockaddr(mapped); err != nil || a.String() != "1.2.3.4:9" {
		t.Errorf("v4-mapped: %v %v", a, err)
	}
	if _, err := SocketAddressFromSockaddr(nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("nil: %v", err)
	}
	if _, err := SocketAddressToSockaddr(nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("nil: %v", err)
	}
	// The kernel's own view agrees with ours.
	l, addr := listener(t, SocketFamilyIPv4)
	sa, err := unix.Getsockname(l.FD())
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := SocketAddressFromSockaddr(sa); a.String() != addr.String() {
		t.Errorf("getsockname %v, LocalAddress %v", a, addr)
	}
}

func TestSyscallConn(t *testing.T) {
	s := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	var sc syscall.Conn = s
	rc, err := sc.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	rc.Control(func(fd uintptr) { v, err = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TYPE) })
	if err != nil || v != unix.SOCK_STREAM {
		t.Errorf("SO_TYPE %d %v", v, err)
	}
	s.Close()
	if _, err := s.SyscallConn(); !errors.Is(err, ErrClosed) {
		t.Errorf("closed: %v", err)
	}
}
