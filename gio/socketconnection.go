package gio

import (
	"net"
	"sync"
	"sync/atomic"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
)

// SocketConnection is GSocketConnection: an IOStream over a connected
// stream Socket (SOCK-10). Its InputStream and OutputStream read and write
// the socket with blocking calls that wait in Go's netpoller (no thread is
// held while waiting); their async forms run on a goroutine and deliver on
// the caller's context.
//
// A SocketConnection is also a net.Conn (see Read, Write, Close and the
// deadline methods), so Go code written against net.Conn works with it.
//
// Close (g_io_stream_close) closes the output stream, then the input stream,
// then the socket; errors from the two streams are ignored, as GLib ignores
// them, so a read in progress on the input stream does not stop the close:
// it ends with the socket's CLOSED error. Closing only the streams leaves the
// socket open. A connection closed before anything asked for its streams
// does not make them, as GLib's close_fn closes only the streams it has.
// Differs from GLib: streams asked for after the close are made closed,
// where GLib makes open ones over the closed socket; their operations fail
// with CLOSED either way.
//
// Async results (CloseAsync, ConnectAsync) name the *SocketConnection as
// their source object, also when it is the base of a TCPConnection or
// UnixConnection.
//
// It is an object.Object (through IOStream), as GSocketConnection is a
// GObject; its outermost value (Object.Self) is what the factory made.
// Destroy closes it like Close. Differs from GLib, whose dispose closes the
// streams but leaves the socket to its own last unref: Go has no unref, so
// the socket is closed too.
//
// Multiple goroutines may invoke its methods simultaneously.
//
// The zero SocketConnection (and a nil pointer) is not usable: its streams
// are nil, net.Conn's methods and Connect fail with NOT_INITIALIZED; make
// one with NewSocketConnection (or get one from a SocketClient).
type SocketConnection struct {
	IOStream
	socket *Socket
	self   any // what the factory made: *SocketConnection, *TCPConnection or *UnixConnection

	streamsOnce sync.Once
	in          *InputStream
	out         *OutputStream
	// made is set once in and out exist; closing once the connection's
	// Close began. Each side sets its own flag before it reads the other's,
	// so a pair made while the connection closes is closed by one of the
	// two (or both: a second stream Close does nothing).
	made, closing atomic.Bool

	// net is the net.Conn state (deadlines, addresses), made by the first
	// net.Conn call: a connection used with GLib's calls never needs it.
	net atomic.Pointer[netConnState]
}

// NewSocketConnection is g_socket_connection_factory_create_connection: it
// wraps s in the connection type registered for its family, type and
// protocol (SOCK-10): IPv4/IPv6 stream sockets with the default, TCP or
// Multipath TCP protocol give a TCPConnection, Unix sockets a UnixConnection, anything
// else a plain SocketConnection. The result is always the *SocketConnection
// at the base of what was made; its TCP and Unix methods reach the specific
// type (G_IS_TCP_CONNECTION and a cast, in C).
//
// The socket may be connected already (accepted, or connected by hand) or
// not yet (see Connect).
func NewSocketConnection(s *Socket) *SocketConnection {
	switch connectionKind(s.Family(), s.Type(), s.Protocol()) {
	case kindTCP:
		return &newTCPConnection(s).SocketConnection
	case kindUnix:
		return &newUnixConnection(s).SocketConnection
	}
	c := &SocketConnection{}
	c.init(s, c)
	return c
}

type connKind int

const (
	kindPlain connKind = iota
	kindTCP
	kindUnix
)

// connectionKind is the factory's table (g_socket_connection_factory_lookup_type).
// MPTCP counts as TCP: since Go 1.24 net.Listen on Linux may make Multipath
// TCP sockets, so a Socket adopted from a net.Listener or net.Conn reports
// protocol 262 (SO_PROTOCOL), and it is a TCP-compatible stream. GLib never
// sees 262, because g_socket_new_from_fd assumes TCP for every IPv4/IPv6
// stream socket.
func connectionKind(f SocketFamily, t SocketType, p SocketProtocol) connKind {
	switch {
	case (f == SocketFamilyIPv4 || f == SocketFamilyIPv6) && t == SocketTypeStream &&
		(p == SocketProtocolDefault || p == SocketProtocolTCP || p == SocketProtocolMPTCP):
		return kindTCP
	case f == SocketFamilyUnix:
		return kindUnix
	}
	return kindPlain
}

// init builds the base in place; self is the outer value (the connection
// itself, or the TCPConnection or UnixConnection that embeds it).
func (c *SocketConnection) init(s *Socket, self any) {
	c.socket = s
	c.self = self
	c.IOStream.impl = socketConnImpl{c}
	c.IOStream.source = c
	c.IOStream.closeInline = c.closeInline
	c.IOStream.initObject(self)
}

// ok is net's c.ok() guard: whether c was made by NewSocketConnection (or
// a SocketClient, a listener). A zero or nil SocketConnection was not.
func (c *SocketConnection) ok() bool { return c != nil && c.socket != nil }

// errConnNotInit is what the calls of a zero or nil SocketConnection return.
func errConnNotInit() error {
	return ioerr.New(ioerr.NotInitialized, "SocketConnection is not initialized (a zero or nil gio.SocketConnection: make one with NewSocketConnection)")
}

// Property is g_object_get_property on a GSocketConnection: "socket"
// (*Socket), GIOStream's properties (see IOStream.Property), and for a
// TCPConnection "graceful-disconnect" (bool).
func (c *SocketConnection) Property(name string) (any, error) {
	if c == nil {
		return nil, errConnNotInit()
	}
	if canonProp(name) == "socket" {
		return c.socket, nil
	}
	return c.IOStream.Property(name)
}

// SetProperty is g_object_set_property on a GSocketConnection: "socket" is
// read-only (construct-only in GLib); "graceful-disconnect" on a
// TCPConnection is writable and notifies as SetGracefulDisconnect does.
func (c *SocketConnection) SetProperty(name string, v any) error {
	if c == nil {
		return errConnNotInit()
	}
	if canonProp(name) == "socket" {
		return &object.PropertyError{Op: "set", Name: name, Err: object.ErrReadOnlyProperty}
	}
	return c.IOStream.SetProperty(name, v)
}

// Properties lists the names Property accepts.
func (c *SocketConnection) Properties() []string {
	if c == nil {
		return []string{"closed", "input-stream", "output-stream", "socket"}
	}
	return append(c.IOStream.Properties(), "socket")
}

// TCP returns the connection as a *TCPConnection, or nil if the factory did
// not make one (G_IS_TCP_CONNECTION).
func (c *SocketConnection) TCP() *TCPConnection {
	if c == nil {
		return nil
	}
	t, _ := c.self.(*TCPConnection)
	return t
}

// Unix returns the connection as a *UnixConnection, or nil if the factory
// did not make one (G_IS_UNIX_CONNECTION).
func (c *SocketConnection) Unix() *UnixConnection {
	if c == nil {
		return nil
	}
	u, _ := c.self.(*UnixConnection)
	return u
}

// Socket is g_socket_connection_get_socket.
func (c *SocketConnection) Socket() *Socket {
	if c == nil {
		return nil
	}
	return c.socket
}

// InputStream is g_io_stream_get_input_stream: the socket's input stream,
// made on first use and the same on every call.
func (c *SocketConnection) InputStream() *InputStream {
	if !c.ok() {
		return nil
	}
	c.streams()
	return c.in
}

// OutputStream is g_io_stream_get_output_stream: the socket's output
// stream, made on first use and the same on every call.
func (c *SocketConnection) OutputStream() *OutputStream {
	if !c.ok() {
		return nil
	}
	c.streams()
	return c.out
}

// streams makes the pair on first use (g_socket_connection_get_input_stream
// and _output_stream). A connection closed before it was asked for its
// streams never makes them, so a server that accepts and closes pays for no
// streams; asked for afterwards, it makes them closed (see SocketConnection).
func (c *SocketConnection) streams() {
	c.streamsOnce.Do(func() {
		c.in = NewInputStream(socketInput{socketSide[inbound]{c.socket}})
		c.out = NewOutputStream(socketOutput{socketSide[outbound]{c.socket}})
		c.made.Store(true)
		if c.closing.Load() {
			_ = c.out.Close(nil)
			_ = c.in.Close(nil)
		}
	})
}

// IsConnected is g_socket_connection_is_connected: whether the socket is
// connected (false once closed).
func (c *SocketConnection) IsConnected() bool { return c.Socket().IsConnected() }

// LocalAddress is g_socket_connection_get_local_address.
func (c *SocketConnection) LocalAddress() (SocketAddress, error) { return c.Socket().LocalAddress() }

// RemoteAddress is g_socket_connection_get_remote_address.
func (c *SocketConnection) RemoteAddress() (SocketAddress, error) { return c.Socket().RemoteAddress() }

// Connect is g_socket_connection_connect: it connects the connection's
// socket to addr, waiting for the result.
func (c *SocketConnection) Connect(addr SocketAddress, cn *cancellable.Cancellable) error {
	if !c.ok() {
		return errConnNotInit()
	}
	err := c.socket.Connect(addr, cn)
	if isCode(err, ioerr.Pending) { // a non-blocking socket: wait for the outcome
		if err = c.socket.ConditionWait(mainloop.IOOut, cn); err == nil {
			err = c.socket.CheckConnectResult()
		}
	}
	if err == nil {
		c.netState().noteAddrs(c.socket)
	}
	return err
}

var tagConnect = &opTag{"g_socket_connection_connect_async"}

// ConnectAsync is g_socket_connection_connect_async: Connect on another
// goroutine, delivering to cb on the caller's context. Call ConnectFinish
// with the result.
func (c *SocketConnection) ConnectAsync(addr SocketAddress, prio int, cn *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	t := newTask[struct{}](c, tagConnect, prio, cn, cb)
	runTask(t, func() (struct{}, error) { return struct{}{}, c.Connect(addr, cn) })
}

// ConnectFinish is g_socket_connection_connect_finish.
func (c *SocketConnection) ConnectFinish(res asyncresult.AsyncResult) error {
	_, err := finishTask[struct{}](res, c, tagConnect)
	return err
}

// Close is g_io_stream_close(connection, NULL) and net.Conn's Close: it
// closes the output stream, then the input stream, then the socket (a
// TCPConnection with graceful disconnect first drains the peer; see
// TCPConnection). A second Close succeeds and does nothing; a Close while a
// CloseAsync is in progress fails with PENDING. See CloseStream for the form
// with a Cancellable.
func (c *SocketConnection) Close() error {
	if !c.ok() {
		return errConnNotInit()
	}
	return c.CloseStream(nil)
}

// closeInline: closing a socket does not block, so CloseAsync does it at
// once, as GLib's g_socket_connection_close_async does, unless a TCP
// graceful disconnect has to wait for the peer.
func (c *SocketConnection) closeInline(cn *cancellable.Cancellable) bool {
	t := c.TCP()
	return t == nil || !t.graceful(cn)
}

// socketConnImpl is the GIOStream side of SocketConnection; a separate type
// keeps its Close(c), the IOStreamCloser, apart from SocketConnection's
// net.Conn Close().
type socketConnImpl struct{ c *SocketConnection }

func (i socketConnImpl) InputStream() *InputStream   { return i.c.InputStream() }
func (i socketConnImpl) OutputStream() *OutputStream { return i.c.OutputStream() }

// Close is g_socket_connection_close (and g_tcp_connection_close in front
// of it for a TCP connection).
func (i socketConnImpl) Close(cn *cancellable.Cancellable) error {
	var drainErr error
	if t := i.c.TCP(); t != nil && t.graceful(cn) {
		drainErr = t.drain(cn)
	}
	i.c.closing.Store(true)
	if i.c.made.Load() {
		_ = i.c.out.Close(cn)
		_ = i.c.in.Close(cn)
	}
	if err := i.c.socket.Close(); err != nil {
		return err
	}
	return drainErr
}

var _ net.Conn = (*SocketConnection)(nil)
