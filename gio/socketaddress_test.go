package gio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/logging"
)

// TestNativeRoundTrip_SOCK13 is /socket/address: a sockaddr_in6 with scope id
// and flow info survives from_native → to_native.
func TestNativeRoundTrip_SOCK13(t *testing.T) {
	b := make([]byte, sizeofSockaddrIn6)
	binary.NativeEndian.PutUint16(b, unix.AF_INET6)
	binary.BigEndian.PutUint16(b[2:], 42)
	binary.NativeEndian.PutUint32(b[4:], 1729)
	copy(b[8:], net.ParseIP("fe80::1").To16())
	binary.NativeEndian.PutUint32(b[24:], 17)
	sa, err := SocketAddressFromNative(b)
	if err != nil {
		t.Fatal(err)
	}
	ia := sa.(*InetSocketAddress)
	if ia.Port() != 42 || ia.Flowinfo() != 1729 || ia.ScopeID() != 17 || ia.Address().String() != "fe80::1" {
		t.Errorf("decoded %v flow %d scope %d", ia, ia.Flowinfo(), ia.ScopeID())
	}
	if ia.NativeSize() != len(b) {
		t.Errorf("native size %d", ia.NativeSize())
	}
	back, err := ia.ToNative()
	if err != nil || !bytes.Equal(back, b) {
		t.Errorf("to native: %v %v, want %v", back, err, b)
	}

	v4 := NewInetSocketAddress(NewInetAddressLoopback(SocketFamilyIPv4), 8080)
	n4, _ := v4.ToNative()
	if len(n4) != 16 || v4.NativeSize() != 16 {
		t.Fatalf("v4 native %v", n4)
	}
	a4, err := SocketAddressFromNative(n4)
	if err != nil || a4.String() != "127.0.0.1:8080" {
		t.Errorf("v4 round trip %v %v", a4, err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestSocketAddressFromNet(t *testing.T) {
	for _, tc := range []struct {
		in   net.Addr
		want string
		back string
	}{
		{&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 80}, "127.0.0.1:80", "127.0.0.1:80"},
		{&net.UDPAddr{IP: net.ParseIP("::1"), Port: 53}, "[::1]:53", "[::1]:53"},
		{&net.TCPAddr{IP: net.ParseIP("fe80::1"), Port: 1, Zone: "1"}, "[fe80::1%1]:1", ""},
		{&net.IPAddr{IP: net.ParseIP("10.0.0.1")}, "10.0.0.1", "10.0.0.1:0"},
		{&net.UnixAddr{Name: "/run/x", Net: "unix"}, "/run/x", "/run/x"},
		{&net.UnixAddr{Name: "@abs", Net: "unix"}, "abs", "@abs"},
	} {
		a, err := SocketAddressFromNet(tc.in)
		if err != nil {
			t.Errorf("%v: %v", tc.in, err)
			continue
		}
		if a.String() != tc.want {
			t.Errorf("%v: %q want %q", tc.in, a.String(), tc.want)
		}
		if tc.back != "" && a.ToNet().String() != tc.back {
			t.Errorf("%v back: %q want %q", tc.in, a.ToNet().String(), tc.back)
		}
	}
	for _, bad := range []net.Addr{nil, (*net.TCPAddr)(nil), &net.TCPAddr{IP: net.IP{1, 2}}, &net.TCPAddr{IP: net.IPv4zero, Port: 70000}} {
		if _, err := SocketAddressFromNet(bad); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%#v: %v", bad, err)
		}
	}
}

func TestSocketAddressFromNativeBad(t *testing.T) {
	for _, b := range [][]byte{nil, {1}, {byte(unix.AF_INET), 0, 0}, {byte(unix.AF_INET6), 0, 1, 2, 3}, {99, 0, 1, 2}} {
		if _, err := SocketAddressFromNative(b); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%v: %v", b, err)
		}
	}
}

// FuzzAddressParsing checks that no input panics, and that what parses prints
// back to something that parses to the same address.
func FuzzAddressParsing(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "::1", "fe80::1%2", "::ffff:1.2.3.4", "", "%", "[::1]:80", "1.2.3.4%lo"} {
		f.Add(s, uint(80), []byte(s))
	}
	f.Fuzz(func(t *testing.T, s string, port uint, native []byte) {
		if a, err := NewInetAddressFromString(s); err == nil {
			b, err := NewInetAddressFromString(a.String())
			if err != nil || !a.Equal(b) {
				t.Errorf("%q → %q does not parse back: %v", s, a.String(), err)
			}
		}
		if a, err := NewInetSocketAddressFromString(s, port); err == nil {
			_ = a.String()
			n, err := a.ToNative()
			if err != nil {
				t.Errorf("%v: ToNative: %v", a, err)
			}
			b, err := SocketAddressFromNative(n)
			if err != nil || b.String() != a.String() {
				t.Errorf("%v: native round trip %v %v", a, b, err)
			}
		}
		if a, err := SocketAddressFromNative(native); err == nil {
			_ = a.String()
			_ = a.ToNet()
		}
	})
}

// TestNilAddresses: the nil results of failed constructors do not panic
// when used.
func TestNilAddresses(t *testing.T) {
	var a *InetSocketAddress
	if a.String() != "" || a.Port() != 0 || a.Family() != SocketFamilyInvalid || a.ToNet() != nil || a.NativeSize() != 0 {
		t.Error("nil InetSocketAddress")
	}
	if _, err := SocketAddressToNative(a); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("native: %v", err)
	}
	var u *UnixSocketAddress
	if _, err := SocketAddressToNative(u); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("unix native: %v", err)
	}
	s, err := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Bind(a, true); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("bind nil: %v", err)
	}
	if err := s.Connect(a, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("connect nil: %v", err)
	}
	capture := logging.StartCapture()
	if NewInetSocketAddress(nil, 1) != nil {
		t.Error("NewInetSocketAddress(nil)")
	}
	capture.Stop()
	if n := capture.Count("critical", "g_inet_socket_address_new: assertion 'G_IS_INET_ADDRESS (address)' failed"); n != 1 || len(capture.Records()) != 1 {
		t.Errorf("NewInetSocketAddress(nil): %d criticals naming it, want 1 and nothing else", n)
	}
	var ia *InetAddress
	if ia.String() != "" || ia.Family() != SocketFamilyInvalid || ia.IsLoopback() || ia.Bytes() != nil || !ia.Equal(nil) {
		t.Error("nil InetAddress")
	}
}

func TestEnumAndAccessorStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{SocketFamilyIPv4.String(), "ipv4"}, {SocketFamilyIPv6.String(), "ipv6"}, {SocketFamilyUnix.String(), "unix"},
		{SocketFamilyInvalid.String(), "invalid"}, {SocketFamily(99).String(), "SocketFamily(99)"},
		{SocketTypeStream.String(), "stream"}, {SocketTypeDatagram.String(), "datagram"},
		{SocketTypeSeqpacket.String(), "seqpacket"}, {SocketTypeInvalid.String(), "invalid"}, {SocketType(9).String(), "SocketType(9)"},
		{SocketProtocolTCP.String(), "tcp"}, {SocketProtocolUDP.String(), "udp"}, {SocketProtocolSCTP.String(), "sctp"},
		{SocketProtocolDefault.String(), "default"}, {SocketProtocolUnknown.String(), "unknown"}, {SocketProtocolMPTCP.String(), "mptcp"}, {SocketProtocol(263).String(), "SocketProtocol(263)"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}

func TestNetIPConversions(t *testing.T) {
	a, err := NewInetAddressFromNetIP(netip.MustParseAddr("fe80::1%eth0"))
	if err != nil || a.String() != "fe80::1" || a.Addr() != netip.MustParseAddr("fe80::1") {
		t.Errorf("%v %v", a, err)
	}
	if _, err := NewInetAddressFromNetIP(netip.Addr{}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("invalid: %v", err)
	}
	sa := NewInetSocketAddressFull(a, 7, 5, 1)
	if sa.AddrPort() != netip.MustParseAddrPort("[fe80::1%1]:7") || sa.Flowinfo() != 5 {
		t.Errorf("AddrPort %v flow %d", sa.AddrPort(), sa.Flowinfo())
	}
	u := sa.ToUDPAddr()
	if u.Port != 7 || u.Zone == "" || !u.IP.Equal(net.ParseIP("fe80::1")) {
		t.Errorf("UDPAddr %v", u)
	}
	if lo, err := net.InterfaceByIndex(1); err == nil && u.Zone != lo.Name {
		t.Errorf("zone %q, want interface 1's name %q", u.Zone, lo.Name)
	}
	if z := zoneFromScope(1 << 30); z != "1073741824" {
		t.Errorf("unknown scope zone %q", z)
	}
	v4 := NewInetSocketAddressFull(NewInetAddressLoopback(SocketFamilyIPv4), 1, 5, 6)
	if v4.Flowinfo() != 0 || v4.ScopeID() != 0 {
		t.Error("IPv4 kept flow info / scope")
	}
	if !NewUnixSocketAddressAbstract("x").IsAbstract() || NewUnixSocketAddress("/x").IsAbstract() {
		t.Error("IsAbstract")
	}
}
