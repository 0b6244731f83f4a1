package gio

import (
	"errors"
	"net"

	"github.com/sigloop/sigloop/cancellable"
)

// NetListener is a SocketListener seen as a net.Listener, so that Go
// servers (net/http, gRPC, …) can accept from it. Accept blocks in
// SocketListener.Accept and returns the *SocketConnection (a net.Conn).
// Close closes the listener, which ends every Accept in progress; after it,
// Accept's error matches net.ErrClosed (what http.Server looks for) and
// gio.ErrClosed.
//
// Make one with SocketListener.NetListener; the zero value is not usable.
// Its methods may be called from any goroutine.
type NetListener struct {
	l    *SocketListener
	stop *cancellable.Cancellable
}

// NetListener returns l as a net.Listener (see NetListener). It is Go-only:
// GLib has no counterpart.
func (l *SocketListener) NetListener() *NetListener {
	return &NetListener{l: l, stop: cancellable.New()}
}

// netClosedError is the error of an Accept on a closed NetListener.
type netClosedError struct{ err error }

func (e *netClosedError) Error() string   { return "accept: " + e.err.Error() }
func (e *netClosedError) Unwrap() []error { return []error{e.err, net.ErrClosed} }

// Accept waits for and returns the next connection (a *SocketConnection).
func (n *NetListener) Accept() (net.Conn, error) {
	if n == nil || n.l == nil {
		return nil, &netClosedError{errors.New("NetListener is not initialised: use SocketListener.NetListener")}
	}
	conn, _, err := n.l.Accept(n.stop)
	if err != nil {
		switch {
		case errors.Is(err, ErrClosed):
			return nil, &netClosedError{err}
		case n.stop.IsCancelled():
			// Close cancels n.stop before it closes the listener, so an
			// Accept in progress may see either: both are the close.
			return nil, &netClosedError{listenerClosedError()}
		}
		return nil, err
	}
	return conn, nil
}

// Close closes the SocketListener and ends Accepts in progress.
func (n *NetListener) Close() error {
	if n == nil || n.l == nil {
		return nil
	}
	n.stop.Cancel()
	n.l.Close()
	return nil
}

// Addr is the local address of the listener's first socket (a
// *net.TCPAddr or *net.UnixAddr), or nil when it has none.
func (n *NetListener) Addr() net.Addr {
	if n == nil || n.l == nil {
		return nil
	}
	n.l.mu.Lock()
	var first *Socket
	if len(n.l.sockets) > 0 {
		first = n.l.sockets[0].sock
	}
	n.l.mu.Unlock()
	if first == nil {
		return nil
	}
	a, err := first.LocalAddress()
	if err != nil {
		return nil
	}
	return a.ToNet()
}

var _ net.Listener = (*NetListener)(nil)
