package gio

import (
	"net"
	"net/netip"
	"strconv"

	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
)

// InetAddress is GInetAddress: an IPv4 or IPv6 address, without port or
// scope. It is immutable, so it may be shared between goroutines freely.
//
// An IPv4-mapped IPv6 address (::ffff:1.2.3.4) is an IPv6 address, as in
// GLib.
//
// The zero InetAddress is no address: Family is SocketFamilyInvalid,
// String is "", the predicates are false. A nil *InetAddress behaves the
// same.
type InetAddress struct {
	addr netip.Addr
}

// NewInetAddressFromString is g_inet_address_new_from_string: it parses a
// numeric IPv4 ("1.2.3.4") or IPv6 ("::1") literal. Anything else, including
// a literal with a "%scope" suffix (GLib rejects those too; the scope belongs
// to InetSocketAddress), gives an INVALID_ARGUMENT error where GLib returns
// NULL.
func NewInetAddressFromString(s string) (*InetAddress, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return nil, ioerr.New(ioerr.InvalidArgument, "Invalid IP address: “"+s+"”")
	}
	return &InetAddress{addr: a}, nil
}

// NewInetAddressFromBytes is g_inet_address_new_from_bytes: 4 bytes for
// SocketFamilyIPv4, 16 for SocketFamilyIPv6, in network order. A wrong length
// or family gives INVALID_ARGUMENT.
func NewInetAddressFromBytes(b []byte, family SocketFamily) (*InetAddress, error) {
	switch {
	case family == SocketFamilyIPv4 && len(b) == 4:
		return &InetAddress{addr: netip.AddrFrom4([4]byte(b))}, nil
	case family == SocketFamilyIPv6 && len(b) == 16:
		return &InetAddress{addr: netip.AddrFrom16([16]byte(b))}, nil
	}
	return nil, ioerr.New(ioerr.InvalidArgument, "Invalid address bytes: "+strconv.Itoa(len(b))+" bytes for family "+family.String()+
		" (want 4 for IPv4, 16 for IPv6)")
}

// NewInetAddressFromNetIP wraps a netip.Addr. Its zone is dropped, as a
// GInetAddress has none. An invalid Addr gives INVALID_ARGUMENT.
func NewInetAddressFromNetIP(a netip.Addr) (*InetAddress, error) {
	if !a.IsValid() {
		return nil, ioerr.New(ioerr.InvalidArgument, "Invalid IP address")
	}
	return &InetAddress{addr: a.WithZone("")}, nil
}

// NewInetAddressFromIP wraps a net.IP: 4-byte and IPv4-in-IPv6 16-byte forms
// (what net.ParseIP("1.2.3.4") returns) give IPv4, other 16-byte forms IPv6.
func NewInetAddressFromIP(ip net.IP) (*InetAddress, error) {
	if v4 := ip.To4(); v4 != nil {
		return &InetAddress{addr: netip.AddrFrom4([4]byte(v4))}, nil
	}
	if len(ip) == 16 {
		return &InetAddress{addr: netip.AddrFrom16([16]byte(ip))}, nil
	}
	return nil, ioerr.New(ioerr.InvalidArgument, "Invalid IP address")
}

// NewInetAddressAny is g_inet_address_new_any: 0.0.0.0 or ::. Any other family
// logs a critical and returns nil, as GLib does.
func NewInetAddressAny(family SocketFamily) *InetAddress {
	switch family {
	case SocketFamilyIPv4:
		return &InetAddress{addr: netip.IPv4Unspecified()}
	case SocketFamilyIPv6:
		return &InetAddress{addr: netip.IPv6Unspecified()}
	}
	logging.Critical("gio", "g_inet_address_new_any: assertion 'G_INET_ADDRESS_FAMILY_IS_VALID (family)' failed")
	return nil
}

// NewInetAddressLoopback is g_inet_address_new_loopback: 127.0.0.1 or ::1.
// Any other family logs a critical and returns nil, as GLib does.
func NewInetAddressLoopback(family SocketFamily) *InetAddress {
	switch family {
	case SocketFamilyIPv4:
		return &InetAddress{addr: netip.AddrFrom4([4]byte{127, 0, 0, 1})}
	case SocketFamilyIPv6:
		return &InetAddress{addr: netip.IPv6Loopback()}
	}
	logging.Critical("gio", "g_inet_address_new_loopback: assertion 'G_INET_ADDRESS_FAMILY_IS_VALID (family)' failed")
	return nil
}

// Family is g_inet_address_get_family.
func (a *InetAddress) Family() SocketFamily {
	switch {
	case a == nil || !a.addr.IsValid():
		return SocketFamilyInvalid
	case a.addr.Is4():
		return SocketFamilyIPv4
	}
	return SocketFamilyIPv6
}

// String is g_inet_address_to_string (inet_ntop): "1.2.3.4", "::1",
// "::ffff:1.2.3.4", and, as glibc writes an IPv4-compatible address,
// "::1.2.3.4" where package netip writes "::102:304".
func (a *InetAddress) String() string {
	if a == nil || !a.addr.IsValid() {
		return ""
	}
	if a.addr.Is6() {
		if b := a.addr.As16(); [12]byte(b[:12]) == [12]byte{} && (b[12] != 0 || b[13] != 0) {
			// The first six words are zero and the seventh is not: the
			// longest zero run is exactly six words, glibc's test for
			// printing the last 32 bits as dotted IPv4 (:: and ::1 and
			// the like keep their hex form).
			return "::" + netip.AddrFrom4([4]byte(b[12:])).String()
		}
	}
	return a.addr.String()
}

// Bytes is g_inet_address_to_bytes: a fresh copy of the 4 or 16 address
// bytes in network order.
func (a *InetAddress) Bytes() []byte {
	if a == nil || !a.addr.IsValid() {
		return nil
	}
	return a.addr.AsSlice()
}

// NativeSize is g_inet_address_get_native_size: 4 or 16.
func (a *InetAddress) NativeSize() int { return len(a.Bytes()) }

// Addr returns the address as a netip.Addr (without zone).
func (a *InetAddress) Addr() netip.Addr {
	if a == nil {
		return netip.Addr{}
	}
	return a.addr
}

// IP returns the address as a net.IP (4 bytes for IPv4, 16 for IPv6).
func (a *InetAddress) IP() net.IP { return net.IP(a.Bytes()) }

// Equal is g_inet_address_equal: same family and same bytes.
func (a *InetAddress) Equal(b *InetAddress) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.addr == b.addr
}

// IsAny is g_inet_address_get_is_any: 0.0.0.0 or ::.
func (a *InetAddress) IsAny() bool { return a != nil && a.addr.IsUnspecified() }

// IsLoopback is g_inet_address_get_is_loopback: 127.0.0.0/8 or ::1.
func (a *InetAddress) IsLoopback() bool {
	if a == nil {
		return false
	}
	if a.addr.Is4() {
		return a.addr.As4()[0] == 127
	}
	return a.addr == netip.IPv6Loopback()
}

// IsLinkLocal is g_inet_address_get_is_link_local: 169.254.0.0/16 or fe80::/10.
func (a *InetAddress) IsLinkLocal() bool {
	return a.match(func(b [4]byte) bool { return b[0] == 169 && b[1] == 254 },
		func(b [16]byte) bool { return b[0] == 0xfe && b[1]&0xc0 == 0x80 })
}

// IsSiteLocal is g_inet_address_get_is_site_local: the RFC 1918 ranges
// (10/8, 172.16/12, 192.168/16) for IPv4, the deprecated fec0::/10 for IPv6.
// Unique local addresses (fd00::/8) are not site-local, as in GLib.
func (a *InetAddress) IsSiteLocal() bool {
	return a.match(func(b [4]byte) bool {
		return b[0] == 10 || (b[0] == 172 && b[1]&0xf0 == 16) || (b[0] == 192 && b[1] == 168)
	},
		func(b [16]byte) bool { return b[0] == 0xfe && b[1]&0xc0 == 0xc0 })
}

// IsMulticast is g_inet_address_get_is_multicast: 224.0.0.0/4 or ff00::/8.
func (a *InetAddress) IsMulticast() bool {
	return a.match(func(b [4]byte) bool { return b[0]&0xf0 == 0xe0 }, func(b [16]byte) bool { return b[0] == 0xff })
}

// match is the address-class predicates' body: false for no address, else
// v4 or v6 on the address bytes.
func (a *InetAddress) match(v4 func([4]byte) bool, v6 func([16]byte) bool) bool {
	switch {
	case a == nil || !a.addr.IsValid():
		return false
	case a.addr.Is4():
		return v4(a.addr.As4())
	}
	return v6(a.addr.As16())
}

// mcScope returns the IPv6 multicast scope nibble, or -1 when a is not an IPv6
// multicast address. GLib answers every scope question false for IPv4.
func (a *InetAddress) mcScope() int {
	if a == nil || a.addr.Is4() || !a.addr.IsValid() {
		return -1
	}
	b := a.addr.As16()
	if b[0] != 0xff {
		return -1
	}
	return int(b[1] & 0x0f)
}

// IsMcGlobal is g_inet_address_get_is_mc_global (IPv6 scope 0xe; false for IPv4).
func (a *InetAddress) IsMcGlobal() bool { return a.mcScope() == 0xe }

// IsMcLinkLocal is g_inet_address_get_is_mc_link_local (IPv6 scope 0x2; false for IPv4).
func (a *InetAddress) IsMcLinkLocal() bool { return a.mcScope() == 0x2 }

// IsMcNodeLocal is g_inet_address_get_is_mc_node_local (IPv6 scope 0x1; false for IPv4).
func (a *InetAddress) IsMcNodeLocal() bool { return a.mcScope() == 0x1 }

// IsMcOrgLocal is g_inet_address_get_is_mc_org_local (IPv6 scope 0x8; false for IPv4).
func (a *InetAddress) IsMcOrgLocal() bool { return a.mcScope() == 0x8 }

// IsMcSiteLocal is g_inet_address_get_is_mc_site_local (IPv6 scope 0x5; false for IPv4).
func (a *InetAddress) IsMcSiteLocal() bool { return a.mcScope() == 0x5 }
