package gio

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/logging"
)

func TestInetOptions_SOCK9(t *testing.T) {
	for _, f := range []SocketFamily{SocketFamilyIPv4, SocketFamilyIPv6} {
		s := newSock(t, f, SocketTypeDatagram, SocketProtocolDefault)
		if err := s.SetTTL(17); err != nil || s.TTL() != 17 {
			t.Errorf("%v SetTTL: %v, TTL %d", f, err, s.TTL())
		}
		if err := s.SetBroadcast(true); err != nil || !s.Broadcast() {
			t.Errorf("%v SetBroadcast: %v, broadcast %v", f, err, s.Broadcast())
		}
		if err := s.SetMulticastLoopback(false); err != nil || s.MulticastLoopback() {
			t.Errorf("%v SetMulticastLoopback: %v, loopback %v", f, err, s.MulticastLoopback())
		}
		if err := s.SetMulticastTTL(3); err != nil || s.MulticastTTL() != 3 {
			t.Errorf("%v SetMulticastTTL: %v, multicast TTL %d", f, err, s.MulticastTTL())
		}
	}
	// The getter has no error result: GLib's critical.
	u := newSock(t, SocketFamilyUnix, SocketTypeDatagram, SocketProtocolDefault)
	c := logging.StartCapture()
	ttl := u.TTL()
	c.Stop()
	if ttl != 0 || c.Count("critical", "g_socket_get_ttl") != 1 {
		t.Errorf("unix TTL %d, criticals %d", ttl, c.Count("critical", "ttl"))
	}
}

// TestSetterErrors_SOCK9: a setter that makes a system call returns its
// error, naming what was set, as net.TCPConn.SetKeepAlive does, and then
// changes and notifies nothing; by name, SetProperty returns the same
// error. (GLib logs a warning instead and returns nothing.)
func TestSetterErrors_SOCK9(t *testing.T) {
	s := newSock(t, SocketFamilyIPv4, SocketTypeDatagram, SocketProtocolDefault)
	u := newSock(t, SocketFamilyUnix, SocketTypeDatagram, SocketProtocolDefault)
	closed := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	closed.Close()
	got := notes(&s.Object)
	for _, tc := range []struct {
		name string
		err  error
		code ErrorCode
		msg  string
	}{
		{"ttl 300", s.SetTTL(300), ErrorInvalidArgument, "Error setting ttl to 300: Invalid argument"},
		{"ttl too big for an int", s.SetTTL(1 << 40), ErrorInvalidArgument, "Error setting ttl to 1099511627776: value out of range"},
		{"multicast ttl 256", s.SetMulticastTTL(256), ErrorInvalidArgument, "Error setting multicast-ttl to 256: Invalid argument"},
		{"ttl by name", s.SetProperty("ttl", uint(300)), ErrorInvalidArgument, "Error setting ttl to 300: Invalid argument"},
		{"ttl on unix", u.SetTTL(3), ErrorInvalidArgument, "cannot set ttl on a unix socket: only IPv4 and IPv6 sockets have it"},
		{"loopback on unix", u.SetMulticastLoopback(true), ErrorInvalidArgument, "cannot set multicast-loopback on a unix socket"},
		{"broadcast closed", closed.SetBroadcast(true), ErrorClosed, "Socket is already closed"},
		{"keepalive closed", closed.SetKeepalive(true), ErrorClosed, "Socket is already closed"},
		{"keepalive by name closed", closed.SetProperty("keepalive", true), ErrorClosed, "Socket is already closed"},
	} {
		wantCode(t, tc.name, tc.err, tc.code)
		if tc.err != nil && !strings.HasPrefix(tc.err.Error(), tc.msg) {
			t.Errorf("%s: %q, want prefix %q", tc.name, tc.err, tc.msg)
		}
	}
	if len(*got) != 0 || s.TTL() == 300 || closed.Keepalive() {
		t.Errorf("failed sets changed state: notifications %v, ttl %d, keepalive %v", *got, s.TTL(), closed.Keepalive())
	}
	var errno syscall.Errno
	if err := s.SetTTL(300); !errors.As(err, &errno) || errno != unix.EINVAL {
		t.Errorf("SetTTL(300) = %v, want EINVAL inside", err)
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
