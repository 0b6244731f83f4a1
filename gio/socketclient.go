package gio

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
)

// SocketClientEvent is GSocketClientEvent: the stage a SocketClient
// connection attempt has reached, reported by the Event signal (SOCK-12).
// The values are GLib's.
type SocketClientEvent int

// The GSocketClientEvent values. The proxy and TLS stages exist for
// completeness; this SocketClient has neither, so it never emits them.
const (
	SocketClientResolving        SocketClientEvent = 0
	SocketClientResolved         SocketClientEvent = 1
	SocketClientConnecting       SocketClientEvent = 2
	SocketClientConnected        SocketClientEvent = 3
	SocketClientProxyNegotiating SocketClientEvent = 4
	SocketClientProxyNegotiated  SocketClientEvent = 5
	SocketClientTLSHandshaking   SocketClientEvent = 6
	SocketClientTLSHandshaked    SocketClientEvent = 7
	SocketClientComplete         SocketClientEvent = 8
)

var socketClientEventNames = [...]string{"RESOLVING", "RESOLVED", "CONNECTING", "CONNECTED",
	"PROXY_NEGOTIATING", "PROXY_NEGOTIATED", "TLS_HANDSHAKING", "TLS_HANDSHAKED", "COMPLETE"}

// String returns GLib's name without the G_SOCKET_CLIENT_ prefix, e.g.
// "CONNECTING".
func (e SocketClientEvent) String() string {
	if e >= 0 && int(e) < len(socketClientEventNames) {
		return socketClientEventNames[e]
	}
	return "SocketClientEvent(" + strconv.Itoa(int(e)) + ")"
}

// SocketConnectable is GSocketConnectable: something a SocketClient can
// connect to. Every SocketAddress is one (it connects to itself); a
// NetworkAddress is one that needs resolving. String is
// g_socket_connectable_to_string.
type SocketConnectable interface {
	String() string
}

// NetworkAddress is GNetworkAddress: a host name (or numeric address) and a
// port, resolved when a SocketClient connects to it.
type NetworkAddress struct {
	hostname string
	port     uint16
}

// NewNetworkAddress is g_network_address_new.
func NewNetworkAddress(hostname string, port uint16) *NetworkAddress {
	return &NetworkAddress{hostname: hostname, port: port}
}

// ParseNetworkAddress is g_network_address_parse: hostAndPort is "host",
// "host:port", "[ipv6]", "[ipv6]:port", or a bare IPv6 address (more than
// one colon, no brackets); the port may be a number or a service name, and
// defaultPort applies when there is none. Errors are INVALID_ARGUMENT with
// GLib's messages, for example "Hostname “[::1” contains “[” but not “]”".
func ParseNetworkAddress(hostAndPort string, defaultPort uint16) (*NetworkAddress, error) {
	host, portStr := hostAndPort, ""
	hasPort := false
	if strings.HasPrefix(hostAndPort, "[") {
		end := strings.IndexByte(hostAndPort, ']')
		if end < 0 {
			return nil, ioerr.New(ioerr.InvalidArgument, "Hostname “"+hostAndPort+"” contains “[” but not “]”")
		}
		host = hostAndPort[1:end]
		switch rest := hostAndPort[end+1:]; {
		case rest == "":
		case rest[0] == ':':
			portStr, hasPort = rest[1:], true
		default:
			return nil, ioerr.New(ioerr.InvalidArgument, "The ']' character (in hostname '"+hostAndPort+
				"') must come at the end or be immediately followed by ':' and a port")
		}
	} else if i := strings.IndexByte(hostAndPort, ':'); i >= 0 && strings.Count(hostAndPort, ":") == 1 {
		host, portStr, hasPort = hostAndPort[:i], hostAndPort[i+1:], true
	}
	port := defaultPort
	if hasPort {
		if portStr == "" {
			return nil, ioerr.New(ioerr.InvalidArgument, "If a ':' character is given, it must be followed by a port (in hostname '"+
				hostAndPort+"').")
		}
		p, err := parsePort(portStr, hostAndPort)
		if err != nil {
			return nil, err
		}
		port = p
	}
	return &NetworkAddress{hostname: host, port: port}, nil
}

func parsePort(s, whole string) (uint16, error) {
	if s[0] >= '0' && s[0] <= '9' {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil || n > 65535 {
			return 0, ioerr.New(ioerr.InvalidArgument, "Invalid numeric port '"+s+"' specified in hostname '"+whole+"'")
		}
		return uint16(n), nil
	}
	n, err := net.LookupPort("tcp", s)
	if err != nil {
		return 0, ioerr.New(ioerr.InvalidArgument, "Unknown service '"+s+"' specified in hostname '"+whole+"'")
	}
	return uint16(n), nil
}

// Hostname is g_network_address_get_hostname.
func (a *NetworkAddress) Hostname() string { return a.hostname }

// Port is g_network_address_get_port.
func (a *NetworkAddress) Port() uint16 { return a.port }

// String is g_socket_connectable_to_string: "host:port", with an IPv6
// literal in brackets. Differs from GLib, which writes "::1:80", which
// cannot be parsed back.
func (a *NetworkAddress) String() string {
	return net.JoinHostPort(a.hostname, strconv.Itoa(int(a.port)))
}

// SocketClient is GSocketClient: it makes outgoing stream connections. It
// resolves what it is given, tries each address in turn until one connects,
// and reports each stage on the Event signal (SOCK-12): on success
// RESOLVING, RESOLVED, CONNECTING, CONNECTED, COMPLETE; on failure
// RESOLVING, RESOLVED, CONNECTING (once per address tried), COMPLETE with a
// nil connection. COMPLETE always comes last.
//
// Errors are GLib's: a failed connect is prefixed with what was being
// reached, e.g. CONNECTION_REFUSED "Could not connect to 127.0.0.1:
// Connection refused"; a cancelled attempt gives CANCELLED "Operation was
// cancelled" (and still emits COMPLETE).
//
// It is an object.Object with GLib's properties "family", "type",
// "protocol", "local-address", "timeout" and "enable-proxy", readable and
// writable by name too, each notifying (Notify, detail = name) when it
// changes. BlockSignals mutes Event as well.
//
// Not supported: proxies (EnableProxy is always false; GLib's default is
// true, but with no proxy configured GLib connects directly too), TLS, and
// Happy Eyeballs (addresses are tried one after another, also by the async
// forms).
//
// Settings may be changed from any goroutine; a connection attempt uses the
// values read when it starts.
type SocketClient struct {
	object.Object

	// Event is GSocketClient::event (event, connectable, connection). The
	// connection is the one being connected (from CONNECTING on) or nil.
	// Connect emits on the calling goroutine; ConnectAsync on the caller's
	// context, before the callback.
	Event signal.Signal3[SocketClientEvent, SocketConnectable, *SocketConnection]

	family      object.Property[SocketFamily]
	typ         object.Property[SocketType]
	protocol    object.Property[SocketProtocol]
	local       object.Property[SocketAddress]
	timeout     object.Property[time.Duration]
	enableProxy object.Property[bool]
}

// NewSocketClient is g_socket_client_new: any family, stream sockets, the
// default protocol, no local address, no timeout. Its context (object
// affinity) is the caller's.
func NewSocketClient() *SocketClient {
	cl := &SocketClient{}
	cl.Init(cl)
	cl.Event.SetOwner(&cl.Object)
	// The names are fixed and new on a fresh object: Install cannot fail.
	_ = cl.family.Install(&cl.Object, "family", SocketFamilyInvalid, object.ExplicitNotify)
	_ = cl.typ.Install(&cl.Object, "type", SocketTypeStream, object.ExplicitNotify)
	_ = cl.protocol.Install(&cl.Object, "protocol", SocketProtocolDefault, object.ExplicitNotify)
	_ = cl.local.Install(&cl.Object, "local-address", nil, object.ExplicitNotify)
	_ = cl.timeout.Install(&cl.Object, "timeout", 0, object.ExplicitNotify)
	_ = cl.enableProxy.Install(&cl.Object, "enable-proxy", false, object.ExplicitNotify|object.ReadOnly)
	return cl
}

// SetFamily is g_socket_client_set_family: only addresses of this family are
// tried; SocketFamilyInvalid (the default) allows any.
func (cl *SocketClient) SetFamily(f SocketFamily) { cl.family.Set(f) }

// Family is g_socket_client_get_family.
func (cl *SocketClient) Family() SocketFamily { return cl.family.Get() }

// SetSocketType is g_socket_client_set_socket_type (default SocketTypeStream).
func (cl *SocketClient) SetSocketType(t SocketType) { cl.typ.Set(t) }

// SocketType is g_socket_client_get_socket_type.
func (cl *SocketClient) SocketType() SocketType { return cl.typ.Get() }

// SetProtocol is g_socket_client_set_protocol (default SocketProtocolDefault).
func (cl *SocketClient) SetProtocol(p SocketProtocol) { cl.protocol.Set(p) }

// Protocol is g_socket_client_get_protocol.
func (cl *SocketClient) Protocol() SocketProtocol { return cl.protocol.Get() }

// SetLocalAddress is g_socket_client_set_local_address: each socket is bound
// to it before connecting (nil: let the kernel choose).
func (cl *SocketClient) SetLocalAddress(a SocketAddress) { cl.local.Set(a) }

// LocalAddress is g_socket_client_get_local_address.
func (cl *SocketClient) LocalAddress() SocketAddress { return cl.local.Get() }

// SetTimeout is g_socket_client_set_timeout: the timeout of each socket the
// client makes (Socket.SetTimeout), which bounds the connect and every later
// blocking operation on the connection; 0 means none. Differs from GLib,
// which counts whole seconds: this takes any duration.
func (cl *SocketClient) SetTimeout(d time.Duration) { cl.timeout.Set(d) }

// Timeout is g_socket_client_get_timeout.
func (cl *SocketClient) Timeout() time.Duration { return cl.timeout.Get() }

// SetEnableProxy is g_socket_client_set_enable_proxy. This SocketClient has
// no proxy support, so the property stays false: setting it to true logs a
// warning and changes nothing.
func (cl *SocketClient) SetEnableProxy(enable bool) {
	if enable {
		logging.Warning("gio", "g_socket_client_set_enable_proxy: proxies are not supported; connecting directly")
	}
}

// EnableProxy is g_socket_client_get_enable_proxy: always false (see
// SetEnableProxy).
func (cl *SocketClient) EnableProxy() bool { return cl.enableProxy.Get() }

// Connect is g_socket_client_connect: it connects to connectable (a
// SocketAddress or a NetworkAddress), trying each address it resolves to in
// turn, and returns the connection made by NewSocketConnection (a
// *TCPConnection's or *UnixConnection's base). It blocks; the Event signal
// is emitted on the calling goroutine.
func (cl *SocketClient) Connect(connectable SocketConnectable, c *cancellable.Cancellable) (*SocketConnection, error) {
	if connectable == nil {
		return nil, nilConnectable("g_socket_client_connect")
	}
	emit := func(ev SocketClientEvent, conn *SocketConnection) { cl.Event.Emit(ev, connectable, conn) }
	if c.IsCancelled() {
		emit(SocketClientComplete, nil)
		return nil, ioerr.NewCancelled()
	}
	emit(SocketClientResolving, nil)
	conn, err := cl.run(connectable, c, emit)
	emit(SocketClientComplete, conn)
	return conn, err
}

// ConnectToHost is g_socket_client_connect_to_host: it parses hostAndPort
// (see ParseNetworkAddress; defaultPort applies when it names no port) and
// connects to it. "localhost:8080", "[::1]:8080", "example.com" with
// defaultPort 80 all work. A malformed hostAndPort fails with
// INVALID_ARGUMENT before any event is emitted.
func (cl *SocketClient) ConnectToHost(hostAndPort string, defaultPort uint16, c *cancellable.Cancellable) (*SocketConnection, error) {
	a, err := ParseNetworkAddress(hostAndPort, defaultPort)
	if err != nil {
		return nil, err
	}
	return cl.Connect(a, c)
}

const (
	tagClientConnect       sourceTag = "g_socket_client_connect_async"
	tagClientConnectToHost sourceTag = "g_socket_client_connect_to_host_async"
)

// ConnectAsync is g_socket_client_connect_async: Connect on another
// goroutine. The Event signal is emitted on the caller's context
// (RESOLVING inside this call, as GLib does, the rest later, in order), and
// cb runs there after COMPLETE; call ConnectFinish with the result.
func (cl *SocketClient) ConnectAsync(connectable SocketConnectable, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	cl.connectAsync(connectable, tagClientConnect, c, cb)
}

// ConnectFinish is g_socket_client_connect_finish.
func (cl *SocketClient) ConnectFinish(res asyncresult.AsyncResult) (*SocketConnection, error) {
	return finishTask[*SocketConnection](res, cl, tagClientConnect)
}

// ConnectToHostAsync is g_socket_client_connect_to_host_async: ConnectToHost
// on another goroutine, delivered as ConnectAsync delivers. A malformed
// hostAndPort is reported to cb (later, on the caller's context) with no
// event emitted.
func (cl *SocketClient) ConnectToHostAsync(hostAndPort string, defaultPort uint16, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	a, err := ParseNetworkAddress(hostAndPort, defaultPort)
	if err != nil {
		reportError[*SocketConnection](cl, tagClientConnectToHost, mainloop.PriorityDefault, cb, err)
		return
	}
	cl.connectAsync(a, tagClientConnectToHost, c, cb)
}

// ConnectToHostFinish is g_socket_client_connect_to_host_finish.
func (cl *SocketClient) ConnectToHostFinish(res asyncresult.AsyncResult) (*SocketConnection, error) {
	return finishTask[*SocketConnection](res, cl, tagClientConnectToHost)
}

func (cl *SocketClient) connectAsync(connectable SocketConnectable, tag sourceTag, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	if connectable == nil {
		reportError[*SocketConnection](cl, tag, mainloop.PriorityDefault, cb, nilConnectable(string(tag)))
		return
	}
	t := newTask[*SocketConnection](cl, tag, mainloop.PriorityDefault, c, cb)
	// The outcome is settled below, where a connection made just as the
	// cancellable fired is closed rather than dropped.
	t.SetCheckCancellable(false)
	q := &eventQueue{ctx: t.Context(), prio: mainloop.PriorityDefault}
	emit := func(ev SocketClientEvent, conn *SocketConnection) {
		q.post(func() { cl.Event.Emit(ev, connectable, conn) })
	}
	cl.Event.Emit(SocketClientResolving, connectable, nil)
	go func() {
		var conn *SocketConnection
		var err error
		if c.IsCancelled() {
			err = ioerr.NewCancelled()
		} else {
			conn, err = cl.run(connectable, c, emit)
		}
		q.post(func() {
			if err == nil && c.IsCancelled() {
				_ = conn.Close()
				conn, err = nil, ioerr.NewCancelled()
			}
			if err != nil {
				cl.Event.Emit(SocketClientComplete, connectable, nil)
				t.ReturnError(err)
				return
			}
			cl.Event.Emit(SocketClientComplete, connectable, conn)
			t.Return(conn)
		})
	}()
}

// run is the body of a connection attempt after RESOLVING (GLib's
// g_socket_client_connect loop): it emits RESOLVED, CONNECTING and
// CONNECTED; the caller emits RESOLVING before and COMPLETE after.
func (cl *SocketClient) run(connectable SocketConnectable, c *cancellable.Cancellable, emit func(SocketClientEvent, *SocketConnection)) (*SocketConnection, error) {
	family, typ, protocol, local, timeout := cl.Family(), cl.SocketType(), cl.Protocol(), cl.LocalAddress(), cl.Timeout()

	var best bestError
	addrs, err := resolve(connectable, c)
	best.consider(err, SocketClientResolving)
	emit(SocketClientResolved, nil)
	for _, addr := range addrs {
		if c.IsCancelled() {
			break
		}
		if family != SocketFamilyInvalid && addr.Family() != family {
			continue
		}
		sock, err := NewSocket(addr.Family(), typ, protocol)
		if err != nil {
			best.consider(err, SocketClientConnecting)
			continue
		}
		sock.SetTimeout(timeout)
		if local != nil {
			if err := sock.Bind(local, false); err != nil {
				_ = sock.Close()
				best.consider(err, SocketClientConnecting)
				continue
			}
		}
		conn := NewSocketConnection(sock)
		emit(SocketClientConnecting, conn)
		if err := conn.Connect(addr, c); err != nil {
			_ = sock.Close()
			best.consider(clarifyConnectError(err, connectable), SocketClientConnecting)
			continue
		}
		emit(SocketClientConnected, conn)
		return conn, nil
	}
	if c.IsCancelled() {
		return nil, ioerr.NewCancelled()
	}
	if best.err == nil {
		return nil, ioerr.New(ioerr.Failed, "Unknown error on connect")
	}
	return nil, best.err
}

// nilConnectable is GLib's g_return_val_if_fail on a NULL connectable: a
// critical, and INVALID_ARGUMENT instead of a crash.
func nilConnectable(fn string) error {
	msg := fn + ": assertion 'G_IS_SOCKET_CONNECTABLE (connectable)' failed"
	logging.Critical("gio", msg)
	return ioerr.New(ioerr.InvalidArgument, msg)
}

// bestError keeps the error from the latest stage reached, as GLib's
// consider_tmp_error does: a later stage's error wins, and so does a later
// error of the same stage.
type bestError struct {
	err   error
	stage SocketClientEvent
}

func (b *bestError) consider(err error, stage SocketClientEvent) {
	if err != nil && (b.err == nil || stage >= b.stage) {
		b.err, b.stage = err, stage
	}
}

// clarifyConnectError prefixes err with what was being reached: "Could not
// connect to HOST: " (the host name, or the bare IP of an inet address), or
// "Could not connect: ".
func clarifyConnectError(err error, connectable SocketConnectable) error {
	prefix := "Could not connect: "
	switch a := connectable.(type) {
	case *NetworkAddress:
		prefix = "Could not connect to " + a.Hostname() + ": "
	case *InetSocketAddress:
		prefix = "Could not connect to " + a.Address().String() + ": "
	}
	var e *ioerr.Error
	if errors.As(err, &e) {
		return &ioerr.Error{Code: e.Code, Message: prefix + e.Message, Err: e}
	}
	return ioerr.FromError(prefix, err)
}

// resolve is the connectable's address enumerator: a SocketAddress is
// itself; a NetworkAddress is looked up unless it is numeric. A failed
// lookup is HOST_NOT_FOUND "Error resolving “HOST”: REASON" (GLib reports it
// in the G_RESOLVER_ERROR domain, which this package does not have).
func resolve(connectable SocketConnectable, c *cancellable.Cancellable) ([]SocketAddress, error) {
	switch a := connectable.(type) {
	case SocketAddress:
		return []SocketAddress{a}, nil
	case *NetworkAddress:
		return a.resolve(c)
	}
	return nil, ioerr.New(ioerr.NotSupported, "Cannot connect to a "+connectable.String()+": unknown connectable type")
}

func (a *NetworkAddress) resolve(c *cancellable.Cancellable) ([]SocketAddress, error) {
	if ip, err := netip.ParseAddr(a.hostname); err == nil {
		sa, err := NewInetSocketAddressFromString(ip.String(), uint(a.port))
		if err != nil {
			return nil, err
		}
		return []SocketAddress{sa}, nil
	}
	ctx := context.Context(context.Background())
	if c != nil {
		ctx = c
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", a.hostname)
	if err != nil {
		if c.IsCancelled() {
			return nil, ioerr.NewCancelled()
		}
		reason := err.Error()
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			reason = dnsErr.Err
			if dnsErr.IsNotFound {
				reason = "Name or service not known"
			}
		}
		return nil, ioerr.Wrap(ioerr.HostNotFound, "Error resolving “"+a.hostname+"”: "+reason, err)
	}
	out := make([]SocketAddress, 0, len(ips))
	for _, ip := range ips {
		sa, err := NewInetSocketAddressFromString(ip.Unmap().String(), uint(a.port))
		if err == nil {
			out = append(out, sa)
		}
	}
	return out, nil
}

// eventQueue delivers functions to a context in the order they were posted,
// from any goroutine. It attaches its own idle source rather than use
// Context.Invoke, which may run the function at once on the posting
// goroutine when nobody owns the context.
//
// The source runs one function per dispatch and removes itself only when it
// finds the queue empty, so a function that panics (the panic leaves
// through the context's dispatch, which keeps the source) does not strand
// the ones after it.
type eventQueue struct {
	ctx  *mainloop.Context
	prio int

	mu      sync.Mutex
	pending []func()
}

func (q *eventQueue) post(fn func()) {
	q.mu.Lock()
	q.pending = append(q.pending, fn)
	first := len(q.pending) == 1
	q.mu.Unlock()
	if !first {
		return
	}
	src := mainloop.NewIdleSource()
	src.SetPriority(q.prio)
	src.SetName("gio.SocketClient events")
	src.SetCallback(func() bool {
		q.mu.Lock()
		if len(q.pending) == 0 {
			q.mu.Unlock()
			return mainloop.SourceRemove
		}
		fn := q.pending[0]
		q.pending = q.pending[1:]
		q.mu.Unlock()
		fn()
		return mainloop.SourceContinue
	})
	src.Attach(q.ctx)
}
