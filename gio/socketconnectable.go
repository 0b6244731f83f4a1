package gio

import (
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
)

// SocketConnectable is GSocketConnectable: something a SocketClient can
// connect to. Every SocketAddress is one (it connects to itself); a
// NetworkAddress is one that needs resolving. String is
// g_socket_connectable_to_string.
type SocketConnectable interface {
	String() string
}

// SocketConnectableEnumerator is a SocketConnectable that lists its own
// addresses, in the order to try them: g_socket_connectable_enumerate and
// its enumerator collapsed into one call. NetworkAddress is one; implement
// it to connect to anything else, say a service found by an SRV lookup.
// Enumerate must return promptly with CANCELLED when c is cancelled.
type SocketConnectableEnumerator interface {
	SocketConnectable
	Enumerate(c *cancellable.Cancellable) ([]SocketAddress, error)
}

// resolve is the connectable's address enumerator: a SocketAddress is
// itself; a SocketConnectableEnumerator (NetworkAddress) lists its own.
func resolve(connectable SocketConnectable, c *cancellable.Cancellable) ([]SocketAddress, error) {
	switch a := connectable.(type) {
	case SocketAddress:
		return []SocketAddress{a}, nil
	case SocketConnectableEnumerator:
		return a.Enumerate(c)
	}
	return nil, ioerr.New(ioerr.NotSupported, "Cannot connect to a "+connectable.String()+": unknown connectable type")
}
