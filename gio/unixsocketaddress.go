package gio

import (
	"bytes"
	"encoding/binary"
	"net"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/ioerr"
)

// UnixSocketAddressType is GUnixSocketAddressType: how the name of a Unix
// socket address is stored.
type UnixSocketAddressType int

// The GUnixSocketAddressType values.
const (
	UnixSocketAddressInvalid        UnixSocketAddressType = 0
	UnixSocketAddressAnonymous      UnixSocketAddressType = 1 // unnamed (socketpair, autobind)
	UnixSocketAddressPath           UnixSocketAddressType = 2 // a file system path
	UnixSocketAddressAbstract       UnixSocketAddressType = 3 // Linux abstract name, exact length
	UnixSocketAddressAbstractPadded UnixSocketAddressType = 4 // abstract name padded with NULs to sun_path's size
)

// UnixSocketAddress is GUnixSocketAddress: a file system path or a Linux
// abstract name.
//
// It is immutable and safe to share between goroutines. The zero value has
// type UnixSocketAddressInvalid: binding or connecting to it fails with
// INVALID_ARGUMENT; a nil pointer also has family SocketFamilyInvalid. Make
// one with NewUnixSocketAddress.
type UnixSocketAddress struct {
	path string
	kind UnixSocketAddressType
}

// NewUnixSocketAddress is g_unix_socket_address_new: a file system path.
func NewUnixSocketAddress(path string) *UnixSocketAddress {
	return &UnixSocketAddress{path: path, kind: UnixSocketAddressPath}
}

// NewUnixSocketAddressAbstract returns a Linux abstract address whose name is
// exactly name (G_UNIX_SOCKET_ADDRESS_ABSTRACT, what package net calls
// "@name"). Differs from GLib: the deprecated g_unix_socket_address_new_abstract
// makes the padded kind; use NewUnixSocketAddressWithType for that.
func NewUnixSocketAddressAbstract(name string) *UnixSocketAddress {
	return &UnixSocketAddress{path: name, kind: UnixSocketAddressAbstract}
}

// NewUnixSocketAddressWithType is g_unix_socket_address_new_with_type. An
// anonymous address ignores path; an invalid type gives INVALID_ARGUMENT.
func NewUnixSocketAddressWithType(path string, t UnixSocketAddressType) (*UnixSocketAddress, error) {
	switch t {
	case UnixSocketAddressAnonymous:
		return &UnixSocketAddress{kind: t}, nil
	case UnixSocketAddressPath, UnixSocketAddressAbstract, UnixSocketAddressAbstractPadded:
		return &UnixSocketAddress{path: path, kind: t}, nil
	}
	return nil, ioerr.New(ioerr.InvalidArgument, "Invalid Unix socket address type "+strconv.Itoa(int(t)))
}

// Path is g_unix_socket_address_get_path: the path, or the abstract name
// without its leading NUL.
func (a *UnixSocketAddress) Path() string {
	return orZero(a, func(a *UnixSocketAddress) string { return a.path })
}

// AddressType is g_unix_socket_address_get_address_type.
func (a *UnixSocketAddress) AddressType() UnixSocketAddressType {
	return orZero(a, func(a *UnixSocketAddress) UnixSocketAddressType { return a.kind })
}

// IsAbstract is g_unix_socket_address_get_is_abstract.
func (a *UnixSocketAddress) IsAbstract() bool {
	return a != nil && (a.kind == UnixSocketAddressAbstract || a.kind == UnixSocketAddressAbstractPadded)
}

// Family is g_socket_address_get_family: SocketFamilyUnix (Invalid for a
// nil address).
func (a *UnixSocketAddress) Family() SocketFamily {
	if a == nil {
		return SocketFamilyInvalid
	}
	return SocketFamilyUnix
}

// String is g_socket_connectable_to_string: the path or abstract name
// (non-printable bytes escaped as \xNN), empty for an anonymous address.
func (a *UnixSocketAddress) String() string {
	if a == nil || a.kind == UnixSocketAddressAnonymous {
		return ""
	}
	var b []byte
	for i := 0; i < len(a.path); i++ {
		c := a.path[i]
		if c < 0x20 || c >= 0x7f {
			b = append(b, '\\', 'x', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// NativeSize is g_socket_address_get_native_size: sizeof(struct
// sockaddr_un) for a path or padded name, the exact length for an abstract
// name, sizeof(sa_family_t) for an anonymous address.
func (a *UnixSocketAddress) NativeSize() int {
	if a == nil {
		return 0
	}
	switch a.kind {
	case UnixSocketAddressAnonymous:
		return 2
	case UnixSocketAddressAbstract:
		return 2 + 1 + len(a.path)
	}
	return sizeofSockaddrUn
}

// ToNative is g_socket_address_to_native. Differs from GLib: a name too
// long for sun_path gives INVALID_ARGUMENT instead of being truncated, and a
// path containing a NUL byte is rejected.
func (a *UnixSocketAddress) ToNative() ([]byte, error) {
	if a == nil {
		return nil, ioerr.New(ioerr.InvalidArgument, "Invalid socket address")
	}
	b := make([]byte, a.NativeSize())
	binary.NativeEndian.PutUint16(b, unix.AF_UNIX)
	switch a.kind {
	case UnixSocketAddressAnonymous:
		return b, nil
	case UnixSocketAddressPath:
		if len(a.path) == 0 || len(a.path) >= sizeofSunPath || bytes.IndexByte([]byte(a.path), 0) >= 0 {
			return nil, ioerr.New(ioerr.InvalidArgument, "Invalid Unix socket path “"+a.String()+"”")
		}
		copy(b[2:], a.path)
		return b, nil
	case UnixSocketAddressAbstract, UnixSocketAddressAbstractPadded:
		if len(a.path) >= sizeofSunPath {
			return nil, ioerr.New(ioerr.InvalidArgument, "Abstract Unix socket name too long")
		}
		copy(b[3:], a.path)
		return b, nil
	}
	return nil, ioerr.New(ioerr.InvalidArgument, "Invalid Unix socket address type")
}

// ToNet returns a *net.UnixAddr ("unix" network): the path, "@name" for an
// abstract name (package net cannot express the padded kind, so it also gets
// "@name"), "" for an anonymous address.
func (a *UnixSocketAddress) ToNet() net.Addr {
	if a == nil {
		return nil
	}
	switch a.kind {
	case UnixSocketAddressAbstract, UnixSocketAddressAbstractPadded:
		return &net.UnixAddr{Name: "@" + a.path, Net: "unix"}
	case UnixSocketAddressAnonymous:
		return &net.UnixAddr{Name: "", Net: "unix"}
	}
	return &net.UnixAddr{Name: a.path, Net: "unix"}
}

func unixAddressFromNative(b []byte) (SocketAddress, error) {
	if len(b) > sizeofSockaddrUn {
		b = b[:sizeofSockaddrUn]
	}
	sun := b[2:]
	switch {
	case len(sun) == 0:
		return &UnixSocketAddress{kind: UnixSocketAddressAnonymous}, nil
	case sun[0] == 0 && len(b) < sizeofSockaddrUn:
		return &UnixSocketAddress{path: string(sun[1:]), kind: UnixSocketAddressAbstract}, nil
	case sun[0] == 0:
		name := sun[1:]
		return &UnixSocketAddress{path: string(bytes.TrimRight(name, "\x00")), kind: UnixSocketAddressAbstractPadded}, nil
	}
	if i := bytes.IndexByte(sun, 0); i >= 0 {
		sun = sun[:i]
	}
	return &UnixSocketAddress{path: string(sun), kind: UnixSocketAddressPath}, nil
}
