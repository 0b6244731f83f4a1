package gio

import (
	"errors"
	"strconv"
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
// Connect tries the addresses one after another; the async forms use
// GLib's Happy Eyeballs: when an attempt has had no answer for 250 ms the
// next address is tried alongside it, and the first to connect wins.
//
// Not supported: proxies (EnableProxy is always false; GLib's default is
// true, but with no proxy configured GLib connects directly too) and TLS.
//
// Settings may be changed from any goroutine; a connection attempt uses the
// values read when it starts.
//
// The zero SocketClient (and a nil pointer) is not usable: the connect
// calls fail with NOT_INITIALIZED, the setters log a critical; make one
// with NewSocketClient.
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

	inited bool // made by NewSocketClient
}

// ok is net's c.ok() guard: whether cl was made by NewSocketClient.
func (cl *SocketClient) ok() bool { return cl != nil && cl.inited }

// refused logs GLib's critical for a call on a zero or nil SocketClient and
// reports whether the call must stop.
func (cl *SocketClient) refused(fn string) bool {
	if cl.ok() {
		return false
	}
	criticalf(fn + ": assertion 'G_IS_SOCKET_CLIENT (client)' failed (a zero or nil gio.SocketClient: make one with NewSocketClient)")
	return true
}

// The accessors below are one line per GLib accessor; their body exists
// once (clientGet, clientSet).

// clientGet and clientSet are the typed accessors of the client's
// properties, with the zero/nil guard: a getter gives the zero value, a
// setter logs GLib's critical.
func clientGet[T comparable](cl *SocketClient, prop func(*SocketClient) *object.Property[T]) T {
	if !cl.ok() {
		var zero T
		return zero
	}
	return prop(cl).Get()
}

func clientSet[T comparable](cl *SocketClient, fn string, prop func(*SocketClient) *object.Property[T], v T) {
	if cl.refused(fn) {
		return
	}
	prop(cl).Set(v)
}

func errClientNotInit() error {
	return ioerr.New(ioerr.NotInitialized, "SocketClient is not initialized (a zero or nil gio.SocketClient: make one with NewSocketClient)")
}

// NewSocketClient is g_socket_client_new: any family, stream sockets, the
// default protocol, no local address, no timeout. Its context (object
// affinity) is the caller's.
func NewSocketClient() *SocketClient {
	cl := &SocketClient{inited: true}
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

// SetFamily is g_socket_client_set_family: the family of the sockets the
// client makes; SocketFamilyInvalid (the default) takes each address's own.
// As in GLib, addresses of another family are still tried, and fail.
func (cl *SocketClient) SetFamily(f SocketFamily) {
	// One clientSet/clientGet line per GLib accessor: GLib's API has one call per property.
	clientSet(cl, "g_socket_client_set_family", func(c *SocketClient) *object.Property[SocketFamily] { return &c.family }, f)
}

// Family is g_socket_client_get_family.
func (cl *SocketClient) Family() SocketFamily {
	return clientGet(cl, func(c *SocketClient) *object.Property[SocketFamily] { return &c.family })
}

// SetSocketType is g_socket_client_set_socket_type (default SocketTypeStream).
func (cl *SocketClient) SetSocketType(t SocketType) {
	clientSet(cl, "g_socket_client_set_socket_type", func(c *SocketClient) *object.Property[SocketType] { return &c.typ }, t)
}

// SocketType is g_socket_client_get_socket_type.
func (cl *SocketClient) SocketType() SocketType {
	return clientGet(cl, func(c *SocketClient) *object.Property[SocketType] { return &c.typ })
}

// SetProtocol is g_socket_client_set_protocol (default SocketProtocolDefault).
func (cl *SocketClient) SetProtocol(p SocketProtocol) {
	clientSet(cl, "g_socket_client_set_protocol", func(c *SocketClient) *object.Property[SocketProtocol] { return &c.protocol }, p)
}

// Protocol is g_socket_client_get_protocol.
func (cl *SocketClient) Protocol() SocketProtocol {
	return clientGet(cl, func(c *SocketClient) *object.Property[SocketProtocol] { return &c.protocol })
}

// SetLocalAddress is g_socket_client_set_local_address: each socket is bound
// to it before connecting (nil: let the kernel choose).
func (cl *SocketClient) SetLocalAddress(a SocketAddress) {
	clientSet(cl, "g_socket_client_set_local_address", func(c *SocketClient) *object.Property[SocketAddress] { return &c.local }, a)
}

// LocalAddress is g_socket_client_get_local_address.
func (cl *SocketClient) LocalAddress() SocketAddress {
	return clientGet(cl, func(c *SocketClient) *object.Property[SocketAddress] { return &c.local })
}

// SetTimeout is g_socket_client_set_timeout: the timeout of each socket the
// client makes (Socket.SetTimeout), which bounds the connect and every later
// blocking operation on the connection; 0 means none. Differs from GLib,
// which counts whole seconds: this takes any duration.
func (cl *SocketClient) SetTimeout(d time.Duration) {
	clientSet(cl, "g_socket_client_set_timeout", func(c *SocketClient) *object.Property[time.Duration] { return &c.timeout }, d)
}

// Timeout is g_socket_client_get_timeout.
func (cl *SocketClient) Timeout() time.Duration {
	return clientGet(cl, func(c *SocketClient) *object.Property[time.Duration] { return &c.timeout })
}

// SetEnableProxy is g_socket_client_set_enable_proxy. This SocketClient has
// no proxy support, so the property stays false: setting it to true logs a
// warning and changes nothing.
func (cl *SocketClient) SetEnableProxy(enable bool) {
	if cl.refused("g_socket_client_set_enable_proxy") {
		return
	}
	if enable {
		logging.Warning("gio", "g_socket_client_set_enable_proxy: proxies are not supported; connecting directly")
	}
}

// EnableProxy is g_socket_client_get_enable_proxy: always false (see
// SetEnableProxy).
func (cl *SocketClient) EnableProxy() bool {
	return clientGet(cl, func(c *SocketClient) *object.Property[bool] { return &c.enableProxy })
}

// Connect is g_socket_client_connect: it connects to connectable (a
// SocketAddress or a NetworkAddress), trying each address it resolves to in
// turn, and returns the connection made by NewSocketConnection (a
// *TCPConnection's or *UnixConnection's base). It blocks; the Event signal
// is emitted on the calling goroutine.
func (cl *SocketClient) Connect(connectable SocketConnectable, c *cancellable.Cancellable) (*SocketConnection, error) {
	if !cl.ok() {
		return nil, errClientNotInit()
	}
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
	if !cl.ok() {
		return nil, errClientNotInit()
	}
	a, err := ParseNetworkAddress(hostAndPort, defaultPort)
	if err != nil {
		return nil, err
	}
	return cl.Connect(a, c)
}

var (
	tagClientConnect       = &opTag{"g_socket_client_connect_async"}
	tagClientConnectToHost = &opTag{"g_socket_client_connect_to_host_async"}
)

// ConnectAsync is g_socket_client_connect_async: Connect on another
// goroutine, with Happy Eyeballs (see SocketClient). The Event signal is emitted on the caller's context
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
	if !cl.ok() {
		reportError[*SocketConnection](cl, tagClientConnectToHost, mainloop.PriorityDefault, cb, errClientNotInit())
		return
	}
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
	if !cl.ok() {
		reportError[*SocketConnection](cl, tag, mainloop.PriorityDefault, cb, errClientNotInit())
		return
	}
	if connectable == nil {
		reportError[*SocketConnection](cl, tag, mainloop.PriorityDefault, cb, nilConnectable(tag.name))
		return
	}
	t := newTask[*SocketConnection](cl, tag, mainloop.PriorityDefault, c, cb)
	// The outcome is settled below, where a connection made just as the
	// cancellable fired is closed rather than dropped.
	t.SetCheckCancellable(false)
	q := &eventQueue{ctx: t.MainContext(), prio: mainloop.PriorityDefault}
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
			conn, err = cl.runParallel(connectable, c, emit)
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

// run is the body of a blocking connection attempt after RESOLVING (GLib's
// g_socket_client_connect loop): it emits RESOLVED, then CONNECTING and
// CONNECTED as it tries each address in turn; the caller emits RESOLVING
// before and COMPLETE after.
func (cl *SocketClient) run(connectable SocketConnectable, c *cancellable.Cancellable, emit func(SocketClientEvent, *SocketConnection)) (*SocketConnection, error) {
	var best bestError
	addrs, err := resolve(connectable, c)
	best.consider(err, SocketClientResolving)
	emit(SocketClientResolved, nil)
	for _, addr := range addrs {
		if c.IsCancelled() {
			break
		}
		conn, err := cl.attempt(connectable, addr, c, emit)
		if err == nil {
			emit(SocketClientConnected, conn)
			return conn, nil
		}
		best.consider(err, SocketClientConnecting)
	}
	return nil, best.final(c)
}

// happyEyeballsDelay is how long an async connection attempt runs alone
// before the next address is tried alongside it (GLib's
// HAPPY_EYEBALLS_CONNECTION_ATTEMPT_DELAY_MS, after RFC 8305).
const happyEyeballsDelay = 250 * time.Millisecond

// runParallel is run for the async path, with GLib's Happy Eyeballs: the
// next address is tried when the previous attempt fails or has run for
// happyEyeballsDelay without an answer, so an address that does not answer
// (a black-holed IPv6 route, a full listen queue) delays the connection by
// that much rather than by a whole timeout. The first attempt to connect
// wins; the others are cancelled, their connections closed, and waited for.
// The error, if none connects, is the best one seen, as for run.
func (cl *SocketClient) runParallel(connectable SocketConnectable, c *cancellable.Cancellable, emit func(SocketClientEvent, *SocketConnection)) (*SocketConnection, error) {
	var best bestError
	addrs, err := resolve(connectable, c)
	best.consider(err, SocketClientResolving)
	emit(SocketClientResolved, nil)

	// stop cancels the attempts still running: when the caller cancels,
	// and when one attempt has won.
	stop := cancellable.New()
	if id := c.Connect(stop.Cancel); id != 0 {
		defer c.Disconnect(id)
	}
	type outcome struct {
		conn *SocketConnection
		err  error
	}
	results := make(chan outcome, len(addrs))
	running, next := 0, 0
	start := func() {
		addr := addrs[next]
		next++
		running++
		go func() {
			conn, err := cl.attempt(connectable, addr, stop, emit)
			results <- outcome{conn, err}
		}()
	}
	var winner *SocketConnection
	timer := time.NewTimer(happyEyeballsDelay)
	defer timer.Stop()
	for {
		if winner == nil && running == 0 && next < len(addrs) && !stop.IsCancelled() {
			start()
			timer.Reset(happyEyeballsDelay)
		}
		if running == 0 {
			break
		}
		select {
		case r := <-results:
			running--
			switch {
			case r.err != nil:
				best.consider(r.err, SocketClientConnecting)
			case winner == nil:
				winner = r.conn
				stop.Cancel()
			default: // lost the race by a hair: not wanted
				_ = r.conn.Close()
			}
		case <-timer.C:
			if winner == nil && next < len(addrs) && !stop.IsCancelled() {
				start()
				timer.Reset(happyEyeballsDelay)
			}
		}
	}
	if winner != nil {
		emit(SocketClientConnected, winner)
		return winner, nil
	}
	return nil, best.final(c)
}

// attempt is one address's try: a socket of the client's type, bound to
// its local address if any, wrapped by the connection factory, CONNECTING
// emitted, then connected. A failure is already clarified ("Could not
// connect to …") and the socket closed.
func (cl *SocketClient) attempt(connectable SocketConnectable, addr SocketAddress, c *cancellable.Cancellable,
	emit func(SocketClientEvent, *SocketConnection)) (*SocketConnection, error) {
	sock, err := NewSocket(cl.socketFamily(addr), cl.SocketType(), cl.Protocol())
	if err != nil {
		return nil, err
	}
	sock.SetTimeout(cl.Timeout())
	if local := cl.LocalAddress(); local != nil {
		if err := sock.Bind(local, false); err != nil {
			_ = sock.Close()
			return nil, err
		}
	}
	conn := NewSocketConnection(sock)
	emit(SocketClientConnecting, conn)
	if err := conn.Connect(addr, c); err != nil {
		_ = sock.Close()
		return nil, clarifyConnectError(err, connectable)
	}
	return conn, nil
}

// socketFamily is GLib's create_socket rule: the client's family if set,
// else the local address's, else the destination's. A client whose family
// does not match an address therefore fails on that address ("Could not
// connect to 127.0.0.1: Invalid argument" for an IPv6 client), as GLib's
// does.
func (cl *SocketClient) socketFamily(dest SocketAddress) SocketFamily {
	if f := cl.Family(); f != SocketFamilyInvalid {
		return f
	}
	if local := cl.LocalAddress(); local != nil {
		return local.Family()
	}
	return dest.Family()
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

// final is the error a failed attempt reports: CANCELLED if c was
// cancelled (whatever the attempts said, as GLib replaces the best error),
// else the best error, else GLib's "Unknown error on connect".
func (b *bestError) final(c *cancellable.Cancellable) error {
	switch {
	case c.IsCancelled():
		return ioerr.NewCancelled()
	case b.err == nil:
		return ioerr.New(ioerr.Failed, "Unknown error on connect")
	}
	return b.err
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
