package gio

import (
	"encoding/binary"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/ioerr"
)

func inetFromNet(ip net.IP, port int, zone string) (SocketAddress, error) {
	ia, err := NewInetAddressFromIP(ip)
	if err != nil {
		return nil, err
	}
	if port < 0 || port > 65535 {
		return nil, portRangeError(strconv.Itoa(port))
	}
	scope, err := scopeFromZone(zone)
	if err != nil {
		return nil, err
	}
	if ia.Family() != SocketFamilyIPv6 {
		scope = 0
	}
	return &InetSocketAddress{addr: ia, port: uint16(port), scopeID: scope}, nil
}

// scopeFromZone turns "2" or "eth0" into an interface index.
func scopeFromZone(zone string) (uint32, error) {
	if zone == "" {
		return 0, nil
	}
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n), nil
	}
	ifi, err := net.InterfaceByName(zone)
	if err != nil {
		return 0, ioerr.New(ioerr.InvalidArgument, "Unknown scope “"+zone+"”")
	}
	return uint32(ifi.Index), nil
}

// zoneFromScope is the net.Addr zone of a scope id: the interface name when it
// exists, else the number.
func zoneFromScope(scope uint32) string {
	if scope == 0 {
		return ""
	}
	if ifi, err := net.InterfaceByIndex(int(scope)); err == nil {
		return ifi.Name
	}
	return strconv.FormatUint(uint64(scope), 10)
}

// InetSocketAddress is GInetSocketAddress: an IP address, a port and, for
// IPv6, the flow info and scope id of struct sockaddr_in6.
//
// It is immutable and safe to share between goroutines. The zero value
// (and a nil pointer) has no address: Family is SocketFamilyInvalid, and
// binding or connecting to it fails with INVALID_ARGUMENT "Invalid socket
// address"; make one with NewInetSocketAddress or
// NewInetSocketAddressFromString.
type InetSocketAddress struct {
	addr     *InetAddress
	port     uint16
	flowinfo uint32
	scopeID  uint32
}

// NewInetSocketAddress is g_inet_socket_address_new. A nil address logs a
// critical and returns nil, as GLib does.
func NewInetSocketAddress(a *InetAddress, port uint16) *InetSocketAddress {
	return NewInetSocketAddressFull(a, port, 0, 0)
}

// NewInetSocketAddressFull builds an address with the sockaddr_in6 flow info
// and scope id (GLib's "flowinfo" and "scope-id" construct properties). Both
// are ignored for IPv4.
func NewInetSocketAddressFull(a *InetAddress, port uint16, flowinfo, scopeID uint32) *InetSocketAddress {
	if a == nil || a.Family() == SocketFamilyInvalid {
		criticalf("g_inet_socket_address_new: assertion 'G_IS_INET_ADDRESS (address)' failed")
		return nil
	}
	if a.Family() != SocketFamilyIPv6 {
		flowinfo, scopeID = 0, 0
	}
	return &InetSocketAddress{addr: a, port: port, flowinfo: flowinfo, scopeID: scopeID}
}

// portRangeError blames the port, in Go terms, for a port that does not fit
// in 16 bits.
func portRangeError(port string) error {
	return ioerr.New(ioerr.InvalidArgument, "port "+port+" out of range 0..65535")
}

// literalScope is the scope of an IPv6 literal, as glibc's getaddrinfo
// reads it: an interface name where the address needs one (link-local,
// node- and link-local multicast), else a decimal number that fits in 32
// bits (no sign, no space).
func literalScope(a netip.Addr, zone string) (uint32, bool) {
	b := a.As16()
	if a.IsLinkLocalUnicast() || (b[0] == 0xff && (b[1]&0x0f == 1 || b[1]&0x0f == 2)) {
		if ifi, err := net.InterfaceByName(zone); err == nil {
			return uint32(ifi.Index), true
		}
	}
	if zone == "" || zone[0] < '0' || zone[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseUint(zone, 10, 32)
	return uint32(n), err == nil
}

// NewInetSocketAddressFromString is g_inet_socket_address_new_from_string:
// ip must be a numeric literal; an IPv6 literal may carry a scope, as
// GLib's (getaddrinfo's) rule has it: a decimal interface index on any
// IPv6 address ("2001:db8::1%2"; 0 means none), an interface name only on
// a link-local or node- or link-local multicast address ("fe80::1%lo",
// "ff02::1%lo"). An IPv4-mapped literal gives an IPv4 address, as in GLib.
// Anything else, or a port above 65535, gives INVALID_ARGUMENT where GLib
// returns NULL.
func NewInetSocketAddressFromString(ip string, port uint) (*InetSocketAddress, error) {
	bad := ioerr.New(ioerr.InvalidArgument, "Invalid socket address: “"+ip+"” is not a numeric IPv4 or IPv6 address")
	if port > 65535 {
		return nil, portRangeError(strconv.FormatUint(uint64(port), 10))
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return nil, bad
	}
	var scope uint32
	if z := a.Zone(); z != "" {
		if !a.Is6() {
			return nil, bad
		}
		a = a.WithZone("")
		var ok bool
		if scope, ok = literalScope(a, z); !ok {
			return nil, ioerr.New(ioerr.InvalidArgument, "Invalid socket address: “"+ip+"” has scope “"+z+
				"”, which is neither an interface index nor, on a link-local or link-local multicast address, an interface name")
		}
	}
	if a.Is4In6() {
		return &InetSocketAddress{addr: &InetAddress{addr: a.Unmap()}, port: uint16(port)}, nil
	}
	return &InetSocketAddress{addr: &InetAddress{addr: a}, port: uint16(port), scopeID: scope}, nil
}

// Address is g_inet_socket_address_get_address.
func (a *InetSocketAddress) Address() *InetAddress {
	return orZero(a, func(a *InetSocketAddress) *InetAddress { return a.addr })
}

// Port is g_inet_socket_address_get_port.
func (a *InetSocketAddress) Port() uint16 {
	// One orZero line per GLib getter (here and in NetworkAddress): GLib has one call per field.
	return orZero(a, func(a *InetSocketAddress) uint16 { return a.port })
}

// Flowinfo is g_inet_socket_address_get_flowinfo: the sin6_flowinfo field as
// stored in the struct (0 for IPv4).
func (a *InetSocketAddress) Flowinfo() uint32 {
	return orZero(a, func(a *InetSocketAddress) uint32 { return a.flowinfo })
}

// ScopeID is g_inet_socket_address_get_scope_id: the sin6_scope_id interface
// index (0 for IPv4).
func (a *InetSocketAddress) ScopeID() uint32 {
	return orZero(a, func(a *InetSocketAddress) uint32 { return a.scopeID })
}

// Family is g_socket_address_get_family.
func (a *InetSocketAddress) Family() SocketFamily {
	if a == nil {
		return SocketFamilyInvalid
	}
	return a.addr.Family()
}

// String is g_socket_connectable_to_string (SOCK-13): "1.2.3.4:80",
// "[::1]:80", "[fe80::1%2]:80"; with port 0 the port is left out and IPv6
// has no brackets ("::1").
func (a *InetSocketAddress) String() string {
	if a == nil {
		return ""
	}
	var b strings.Builder
	v6 := a.Family() == SocketFamilyIPv6
	if v6 && a.port != 0 {
		b.WriteByte('[')
	}
	b.WriteString(a.addr.String())
	if v6 && a.scopeID != 0 {
		b.WriteByte('%')
		b.WriteString(strconv.FormatUint(uint64(a.scopeID), 10))
	}
	if v6 && a.port != 0 {
		b.WriteByte(']')
	}
	if a.port != 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(int(a.port)))
	}
	return b.String()
}

// bindString is how gsocket.c writes an address in bind errors: always with
// the port, IPv6 in brackets with the scope ("[::]:0").
func (a *InetSocketAddress) bindString() string {
	if a == nil {
		return ""
	}
	s := a.addr.String()
	if a.Family() == SocketFamilyIPv6 {
		if a.scopeID != 0 {
			s += "%" + strconv.FormatUint(uint64(a.scopeID), 10)
		}
		s = "[" + s + "]"
	}
	return s + ":" + strconv.Itoa(int(a.port))
}

// NativeSize is g_socket_address_get_native_size: 16 or 28.
func (a *InetSocketAddress) NativeSize() int {
	if a == nil {
		return 0
	}
	if a.Family() == SocketFamilyIPv6 {
		return sizeofSockaddrIn6
	}
	return sizeofSockaddrIn
}

// ToNative is g_socket_address_to_native: a struct sockaddr_in or
// sockaddr_in6, with port, flow info and scope id.
func (a *InetSocketAddress) ToNative() ([]byte, error) {
	if a == nil {
		return nil, ioerr.New(ioerr.InvalidArgument, "Invalid socket address")
	}
	ne := binary.NativeEndian
	if a.Family() == SocketFamilyIPv6 {
		b := make([]byte, sizeofSockaddrIn6)
		ne.PutUint16(b, unix.AF_INET6)
		binary.BigEndian.PutUint16(b[2:], a.port)
		ne.PutUint32(b[4:], a.flowinfo)
		a16 := a.addr.addr.As16()
		copy(b[8:24], a16[:])
		ne.PutUint32(b[24:], a.scopeID)
		return b, nil
	}
	if a.Family() != SocketFamilyIPv4 {
		return nil, ioerr.New(ioerr.InvalidArgument, "Invalid socket address")
	}
	b := make([]byte, sizeofSockaddrIn)
	ne.PutUint16(b, unix.AF_INET)
	binary.BigEndian.PutUint16(b[2:], a.port)
	a4 := a.addr.addr.As4()
	copy(b[4:8], a4[:])
	return b, nil
}

// ToNet returns a *net.TCPAddr; the scope id becomes the zone. A nil
// address gives a nil net.Addr.
func (a *InetSocketAddress) ToNet() net.Addr {
	if a == nil {
		return nil
	}
	return a.ToTCPAddr()
}

// ToTCPAddr returns the address as a *net.TCPAddr.
func (a *InetSocketAddress) ToTCPAddr() *net.TCPAddr {
	if a == nil {
		return nil
	}
	return &net.TCPAddr{IP: a.addr.IP(), Port: int(a.port), Zone: zoneFromScope(a.scopeID)}
}

// ToUDPAddr returns the address as a *net.UDPAddr.
func (a *InetSocketAddress) ToUDPAddr() *net.UDPAddr {
	if a == nil {
		return nil
	}
	return &net.UDPAddr{IP: a.addr.IP(), Port: int(a.port), Zone: zoneFromScope(a.scopeID)}
}

// AddrPort returns the address as a netip.AddrPort (the scope id becomes a
// numeric zone).
func (a *InetSocketAddress) AddrPort() netip.AddrPort {
	if a == nil {
		return netip.AddrPort{}
	}
	ip := a.addr.Addr()
	if a.scopeID != 0 {
		ip = ip.WithZone(strconv.FormatUint(uint64(a.scopeID), 10))
	}
	return netip.AddrPortFrom(ip, a.port)
}
