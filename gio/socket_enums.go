package gio

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// The enums are GLib's tables: a type, its values and a name map each; the
// repetition is the tables' shape, the code (enumString) exists once.

// SocketFamily is GSocketFamily. The values are the AF_* constants, as in GLib.
type SocketFamily int

// The GSocketFamily values.
const (
	SocketFamilyInvalid SocketFamily = unix.AF_UNSPEC
	SocketFamilyUnix    SocketFamily = unix.AF_UNIX
	SocketFamilyIPv4    SocketFamily = unix.AF_INET
	SocketFamilyIPv6    SocketFamily = unix.AF_INET6
)

// String returns GLib's nick for the family ("ipv4", "ipv6", "unix", "invalid").
func (f SocketFamily) String() string { return enumString(f, "SocketFamily", socketFamilyNames) }

var socketFamilyNames = map[SocketFamily]string{
	SocketFamilyInvalid: "invalid", SocketFamilyUnix: "unix", SocketFamilyIPv4: "ipv4", SocketFamilyIPv6: "ipv6",
}

// enumString is the String method of the enums: the nick from names, else
// "Type(n)".
func enumString[T ~int](v T, typ string, names map[T]string) string {
	if n, ok := names[v]; ok {
		return n
	}
	return typ + "(" + strconv.Itoa(int(v)) + ")"
}

// SocketType is GSocketType. The values are the SOCK_* constants.
type SocketType int

// The GSocketType values.
const (
	SocketTypeInvalid   SocketType = 0
	SocketTypeStream    SocketType = unix.SOCK_STREAM
	SocketTypeDatagram  SocketType = unix.SOCK_DGRAM
	SocketTypeSeqpacket SocketType = unix.SOCK_SEQPACKET
)

// String returns GLib's nick for the type ("stream", "datagram", …).
func (t SocketType) String() string { return enumString(t, "SocketType", socketTypeNames) }

var socketTypeNames = map[SocketType]string{
	SocketTypeInvalid: "invalid", SocketTypeStream: "stream", SocketTypeDatagram: "datagram", SocketTypeSeqpacket: "seqpacket",
}

// SocketProtocol is GSocketProtocol: an IPPROTO_* number, or Default (0) to
// let the kernel pick, or Unknown (-1) when it could not be found out.
type SocketProtocol int

// The GSocketProtocol values.
const (
	SocketProtocolUnknown SocketProtocol = -1
	SocketProtocolDefault SocketProtocol = 0
	SocketProtocolTCP     SocketProtocol = unix.IPPROTO_TCP
	SocketProtocolUDP     SocketProtocol = unix.IPPROTO_UDP
	SocketProtocolSCTP    SocketProtocol = unix.IPPROTO_SCTP
	// SocketProtocolMPTCP is not in GLib's enum: it is what NewSocketFromFD
	// reports for sockets from Go's net.Listen, which uses Multipath TCP by
	// default on Linux since Go 1.24 (a TCP-compatible stream).
	SocketProtocolMPTCP SocketProtocol = unix.IPPROTO_MPTCP
)

// String returns GLib's nick for the protocol ("tcp", "udp", "default", …).
func (p SocketProtocol) String() string { return enumString(p, "SocketProtocol", socketProtocolNames) }

var socketProtocolNames = map[SocketProtocol]string{
	SocketProtocolUnknown: "unknown", SocketProtocolDefault: "default", SocketProtocolTCP: "tcp",
	SocketProtocolUDP: "udp", SocketProtocolSCTP: "sctp", SocketProtocolMPTCP: "mptcp",
}
