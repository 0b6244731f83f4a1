package gio

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/ioerr"
)

// SocketAddress is GSocketAddress: an endpoint a Socket binds or connects to.
// It is implemented by *InetSocketAddress and *UnixSocketAddress, which are
// immutable and safe to share between goroutines.
type SocketAddress interface {
	// Family is g_socket_address_get_family.
	Family() SocketFamily
	// String is g_socket_connectable_to_string.
	String() string
	// NativeSize is g_socket_address_get_native_size: the size of the
	// struct sockaddr that ToNative produces.
	NativeSize() int
	// ToNet returns the equivalent net.Addr (*net.TCPAddr for an inet
	// address, *net.UnixAddr for a Unix one).
	ToNet() net.Addr
}

// Sizes of the native structs on Linux.
const (
	sizeofSockaddrIn  = unix.SizeofSockaddrInet4 // 16
	sizeofSockaddrIn6 = unix.SizeofSockaddrInet6 // 28
	sizeofSockaddrUn  = unix.SizeofSockaddrUnix  // 110
	sizeofSunPath     = sizeofSockaddrUn - 2     // 108
)

// SocketAddressToNative is g_socket_address_to_native: the struct sockaddr
// bytes of a, as the kernel takes them (bind, connect).
func SocketAddressToNative(a SocketAddress) ([]byte, error) {
	switch a := a.(type) {
	case *InetSocketAddress:
		return a.ToNative()
	case *UnixSocketAddress:
		return a.ToNative()
	}
	return nil, unsupportedAddress(a)
}

// SocketAddressFromNative is g_socket_address_new_from_native: it decodes a
// struct sockaddr (sockaddr_in, sockaddr_in6 or sockaddr_un; the length
// matters for Unix addresses). As GLib does, an IPv4-mapped IPv6 address
// (::ffff:1.2.3.4) becomes an IPv4 InetSocketAddress. Truncated or unknown
// input gives an INVALID_ARGUMENT error.
func SocketAddressFromNative(b []byte) (SocketAddress, error) {
	if len(b) < 2 {
		return nil, ioerr.New(ioerr.InvalidArgument, "Socket address too short")
	}
	ne := binary.NativeEndian
	switch int(ne.Uint16(b)) {
	case unix.AF_INET:
		if len(b) < 8 {
			break
		}
		ip := &InetAddress{addr: netip.AddrFrom4([4]byte(b[4:8]))}
		return &InetSocketAddress{addr: ip, port: binary.BigEndian.Uint16(b[2:4])}, nil
	case unix.AF_INET6:
		if len(b) < sizeofSockaddrIn6 {
			break
		}
		addr := netip.AddrFrom16([16]byte(b[8:24]))
		port := binary.BigEndian.Uint16(b[2:4])
		if addr.Is4In6() {
			return &InetSocketAddress{addr: &InetAddress{addr: addr.Unmap()}, port: port}, nil
		}
		return &InetSocketAddress{
			addr:     &InetAddress{addr: addr},
			port:     port,
			flowinfo: ne.Uint32(b[4:8]),
			scopeID:  ne.Uint32(b[24:28]),
		}, nil
	case unix.AF_UNIX:
		return unixAddressFromNative(b)
	default:
		return nil, ioerr.New(ioerr.InvalidArgument, "Unknown socket address family "+strconv.Itoa(int(ne.Uint16(b))))
	}
	return nil, ioerr.New(ioerr.InvalidArgument, "Socket address too short")
}

// SocketAddressFromNet converts a net.Addr (*net.TCPAddr, *net.UDPAddr,
// *net.IPAddr or *net.UnixAddr) to a SocketAddress. A zone becomes the scope
// id (an interface name is looked up). A "@name" Unix name is an abstract
// address and an empty one is anonymous, as in package net.
func SocketAddressFromNet(a net.Addr) (SocketAddress, error) {
	switch a := a.(type) {
	case *net.TCPAddr:
		if a != nil {
			return inetFromNet(a.IP, a.Port, a.Zone)
		}
	case *net.UDPAddr:
		if a != nil {
			return inetFromNet(a.IP, a.Port, a.Zone)
		}
	case *net.IPAddr:
		if a != nil {
			return inetFromNet(a.IP, 0, a.Zone)
		}
	case *net.UnixAddr:
		if a != nil {
			return unixAddressFromName(a.Name), nil
		}
	}
	return nil, ioerr.New(ioerr.InvalidArgument, fmt.Sprintf("Unsupported net.Addr %T (want *net.TCPAddr, *net.UDPAddr, *net.IPAddr or *net.UnixAddr, not nil)", a))
}

// SocketAddressToSockaddr converts a to the x/sys/unix form, for code that
// makes its own syscalls. unix.SockaddrInet6 has no flow info field, so the
// flow info is lost, and a padded abstract name becomes an unpadded one; use
// SocketAddressToNative to keep both.
func SocketAddressToSockaddr(a SocketAddress) (unix.Sockaddr, error) {
	switch a := a.(type) {
	case *InetSocketAddress:
		switch a.Family() {
		case SocketFamilyIPv4:
			return &unix.SockaddrInet4{Port: int(a.port), Addr: a.addr.addr.As4()}, nil
		case SocketFamilyIPv6:
			return &unix.SockaddrInet6{Port: int(a.port), ZoneId: a.scopeID, Addr: a.addr.addr.As16()}, nil
		}
	case *UnixSocketAddress:
		switch a.kind {
		case UnixSocketAddressPath:
			return &unix.SockaddrUnix{Name: a.path}, nil
		case UnixSocketAddressAbstract, UnixSocketAddressAbstractPadded:
			return &unix.SockaddrUnix{Name: "@" + a.path}, nil
		case UnixSocketAddressAnonymous:
			return &unix.SockaddrUnix{}, nil
		}
	}
	return nil, unsupportedAddress(a)
}

// SocketAddressFromSockaddr converts an x/sys/unix address (as returned by
// unix.Getsockname or unix.Accept). A v4-mapped IPv6 address becomes IPv4,
// as in SocketAddressFromNative.
func SocketAddressFromSockaddr(sockaddr unix.Sockaddr) (SocketAddress, error) {
	switch sa := sockaddr.(type) {
	case *unix.SockaddrInet4:
		if sa != nil {
			return &InetSocketAddress{addr: &InetAddress{addr: netip.AddrFrom4(sa.Addr)}, port: uint16(sa.Port)}, nil
		}
	case *unix.SockaddrInet6:
		if sa != nil {
			a := netip.AddrFrom16(sa.Addr)
			if a.Is4In6() {
				return &InetSocketAddress{addr: &InetAddress{addr: a.Unmap()}, port: uint16(sa.Port)}, nil
			}
			return &InetSocketAddress{addr: &InetAddress{addr: a}, port: uint16(sa.Port), scopeID: sa.ZoneId}, nil
		}
	case *unix.SockaddrUnix:
		if sa != nil {
			return unixAddressFromName(sa.Name), nil
		}
	}
	return nil, ioerr.New(ioerr.InvalidArgument, fmt.Sprintf("Unsupported unix.Sockaddr %T", sockaddr))
}

// unsupportedAddress names the SocketAddress that cannot be converted.
func unsupportedAddress(a any) error {
	return ioerr.New(ioerr.InvalidArgument, fmt.Sprintf("Unsupported socket address %T (want a non-nil *InetSocketAddress or *UnixSocketAddress)", a))
}

// unixAddressFromName is a Unix address from package net's (and x/sys/unix's)
// spelling: "" is anonymous, "@name" abstract, anything else a path.
func unixAddressFromName(name string) *UnixSocketAddress {
	switch {
	case name == "":
		return &UnixSocketAddress{kind: UnixSocketAddressAnonymous}
	case name[0] == '@':
		return &UnixSocketAddress{path: name[1:], kind: UnixSocketAddressAbstract}
	}
	return &UnixSocketAddress{path: name, kind: UnixSocketAddressPath}
}

// orZero is the body of the getters of the address types (their doc
// comments make them look alike; the code exists once): f(p), or the zero
// value for a nil p.
func orZero[P ~*E, E, T any](p P, f func(P) T) T {
	if p == nil {
		var zero T
		return zero
	}
	return f(p)
}
