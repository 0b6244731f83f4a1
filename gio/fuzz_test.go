package gio

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
)

// FuzzParseNetworkAddress_SOCK12: ConnectToHost's parser never panics, fails
// only with INVALID_ARGUMENT, and an IP literal it accepts prints back to
// the same host and port.
func FuzzParseNetworkAddress_SOCK12(f *testing.F) {
	for _, s := range []string{"localhost:80", "[::1]:8080", "::1", "[::1", "[::1]x", "host:", "host:http",
		"host:99999", "1.2.3.4", "[fe80::1%eth0]:1", ":", "[]", "[]:0", "a:b:c", "host:-1", "host:0x10"} {
		f.Add(s, uint16(443))
	}
	f.Fuzz(func(t *testing.T, s string, defaultPort uint16) {
		a, err := ParseNetworkAddress(s, defaultPort)
		if err != nil {
			if !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("%q: error %v is not INVALID_ARGUMENT", s, err)
			}
			return
		}
		// Only IP literals are expected to print back, and not those whose
		// zone holds a bracket ("::%]0" prints as "[::%]0]:port").
		if _, ipErr := netip.ParseAddr(a.Hostname()); ipErr != nil || strings.ContainsAny(a.Hostname(), "[]") {
			return
		}
		b, err := ParseNetworkAddress(a.String(), 0)
		if err != nil || b.Hostname() != a.Hostname() || b.Port() != a.Port() {
			t.Fatalf("%q → %q does not parse back (%v, %v)", s, a.String(), b, err)
		}
	})
}

// FuzzUnixSocketAddress_SOCK13: any name and type either gives
// INVALID_ARGUMENT or an address whose native form parses back to the same
// address.
func FuzzUnixSocketAddress_SOCK13(f *testing.F) {
	for _, s := range []string{"", "/tmp/x", "abstract", "\x00lead", string(make([]byte, 120))} {
		for t := range 6 {
			f.Add(s, t)
		}
	}
	f.Fuzz(func(t *testing.T, path string, typ int) {
		a, err := NewUnixSocketAddressWithType(path, UnixSocketAddressType(typ))
		if err != nil {
			if !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("%q/%d: %v", path, typ, err)
			}
			return
		}
		_ = a.String()
		_ = a.ToNet()
		n, err := a.ToNative()
		if err != nil {
			if !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("%v: ToNative %v", a, err)
			}
			return
		}
		b, err := SocketAddressFromNative(n)
		if err != nil {
			t.Fatalf("%v: native %x does not parse back: %v", a, n, err)
		}
		// An abstract name's trailing NULs cannot be told from padding (a
		// full-length exact name reads back as padded), so names with NULs
		// do not survive the round trip, in GLib either.
		padded := a.IsAbstract() && strings.Contains(path, "\x00")
		if a.AddressType() != UnixSocketAddressAnonymous && !padded && b.String() != a.String() {
			t.Fatalf("%v: round trip gives %v", a, b)
		}
	})
}

// FuzzSocketAddressFromNet_SOCK13: any net.Addr shape converts or gives
// INVALID_ARGUMENT, never a panic.
func FuzzSocketAddressFromNet_SOCK13(f *testing.F) {
	f.Add([]byte{127, 0, 0, 1}, 80, "", "tcp")
	f.Add([]byte(net.ParseIP("fe80::1").To16()), 1, "eth0", "udp")
	f.Add([]byte{1, 2, 3}, -1, "99999999999", "unix")
	f.Fuzz(func(t *testing.T, ip []byte, port int, zone, kind string) {
		var a net.Addr
		switch kind {
		case "udp":
			a = &net.UDPAddr{IP: ip, Port: port, Zone: zone}
		case "unix":
			a = &net.UnixAddr{Name: zone, Net: "unix"}
		default:
			a = &net.TCPAddr{IP: ip, Port: port, Zone: zone}
		}
		sa, err := SocketAddressFromNet(a)
		if err != nil {
			if !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("%v: %v", a, err)
			}
			return
		}
		_ = sa.String()
		_ = sa.ToNet()
	})
}
