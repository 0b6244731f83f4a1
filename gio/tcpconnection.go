package gio

import (
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/object"
)

// TCPConnection is GTcpConnection: the SocketConnection the factory makes
// for IPv4 and IPv6 stream sockets (SOCK-10). It adds the graceful
// disconnect option, also the notifying property "graceful-disconnect".
//
// Multiple goroutines may invoke its methods simultaneously. As for
// SocketConnection, the zero value is not usable (NOT_INITIALIZED); the
// factory (NewSocketConnection, a SocketClient) makes TCPConnections.
type TCPConnection struct {
	SocketConnection
	gracefulDisconnect object.Property[bool]
}

func newTCPConnection(s *Socket) *TCPConnection {
	t := &TCPConnection{}
	t.SocketConnection.init(s, t)
	// A fixed name on a fresh object: Install cannot fail.
	_ = t.gracefulDisconnect.Install(&t.Object, "graceful-disconnect", false, object.ExplicitNotify)
	return t
}

// SetGracefulDisconnect is g_tcp_connection_set_graceful_disconnect. With it
// on, Close and CloseAsync first shut down the sending side, then read and
// discard until the peer closes, and only then close: the peer has then
// received everything, or an error says it has not. A cancelled
// Cancellable skips the wait ("cancelled: close fast", as GLib). Off by
// default, since the wait lasts as long as the peer takes. It notifies
// "graceful-disconnect" when the value changes.
func (t *TCPConnection) SetGracefulDisconnect(on bool) {
	if t == nil {
		criticalf("g_tcp_connection_set_graceful_disconnect: assertion 'G_IS_TCP_CONNECTION (connection)' failed (a nil *gio.TCPConnection)")
		return
	}
	t.gracefulDisconnect.Set(on)
}

// GracefulDisconnect is g_tcp_connection_get_graceful_disconnect.
func (t *TCPConnection) GracefulDisconnect() bool {
	return t != nil && t.gracefulDisconnect.Get()
}

// graceful reports whether a close with cn drains first.
func (t *TCPConnection) graceful(cn *cancellable.Cancellable) bool {
	return t.gracefulDisconnect.Get() && !cn.IsCancelled()
}

// drain is the first half of g_tcp_connection_close: shutdown(write), then
// read until EOF. It returns the first error; the close goes on regardless.
func (t *TCPConnection) drain(cn *cancellable.Cancellable) error {
	s := t.Socket()
	if err := s.Shutdown(false, true); err != nil {
		return err
	}
	var buf [1024]byte
	for {
		n, err := s.ReceiveWithBlocking(buf[:], true, cn)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
}
