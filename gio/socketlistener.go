package gio

import (
	"errors"
	"fmt"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/nbio"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
)

// SocketListenerEvent is GSocketListenerEvent: the stage a listening socket
// has reached, reported by SocketListener's Event signal (SL-15).
type SocketListenerEvent int

// The GSocketListenerEvent values, in the order each socket goes through
// them (SL-3).
const (
	SocketListenerBinding   SocketListenerEvent = 0 // about to bind
	SocketListenerBound     SocketListenerEvent = 1 // bound
	SocketListenerListening SocketListenerEvent = 2 // about to listen
	SocketListenerListened  SocketListenerEvent = 3 // listening
)

var socketListenerEventNames = [...]string{"BINDING", "BOUND", "LISTENING", "LISTENED"}

// String returns GLib's name without the G_SOCKET_LISTENER_ prefix, e.g.
// "BOUND".
func (e SocketListenerEvent) String() string {
	if e >= 0 && int(e) < len(socketListenerEventNames) {
		return socketListenerEventNames[e]
	}
	return "SocketListenerEvent(" + strconv.Itoa(int(e)) + ")"
}

// The "listen-backlog" range of GLib's param spec.
const (
	minListenerBacklog = 0
	maxListenerBacklog = 2000
)

// SocketListenerClass lists SocketListener's virtual methods (the
// GSocketListenerClass vtable). A type that embeds SocketListener (or
// SocketService) and defines one of them overrides it; it chains up by
// calling the embedded type's method. See object's Example_virtualMethod.
type SocketListenerClass interface {
	// DoChanged is the changed vfunc: it runs after every successful
	// AddSocket, AddAddress, AddInetPort and AddAnyInetPort (SL-17).
	DoChanged()
	// DoEvent is the class handler of the Event signal (RUN_LAST: after
	// the handlers connected with Connect, before ConnectAfter ones).
	DoEvent(event SocketListenerEvent, socket *Socket)
}

// listenerSocket is one socket of a listener and the source object given
// when it was added (SL-7).
type listenerSocket struct {
	sock   *Socket
	source any
	owned  bool // made by the listener (not given to AddSocket)
}

// SocketListener is GSocketListener: a set of listening sockets, and
// accepting connections from whichever of them is ready, synchronously or
// asynchronously.
//
// Add sockets with AddInetPort, AddAnyInetPort, AddAddress or AddSocket;
// they listen until Close. Each accept reports the connection (or socket)
// and the source object given when its listening socket was added. The
// sockets the listener makes itself are non-blocking at the GSocket level,
// so an asynchronous accept never blocks its context.
//
// It is an object.Object with the "listen-backlog" property (0..2000,
// default 10) and the Event signal. The zero value is not usable: make one
// with NewSocketListener (or Init, for a type that embeds it); methods of a
// zero or nil SocketListener log a critical and return an error.
//
// All methods may be called from any goroutine. AcceptAsync and
// AcceptSocketAsync call back on the caller's context; Event is emitted on
// the goroutine that adds the socket.
type SocketListener struct {
	object.Object

	// Event is GSocketListener::event (SL-15): each socket the listener
	// makes goes through BINDING, BOUND, LISTENING and LISTENED, in that
	// order; a failure stops the sequence. Its class handler is the
	// DoEvent virtual method.
	Event signal.Signal2[SocketListenerEvent, *Socket]

	backlog object.Property[int]

	initOnce sync.Once
	inited   bool

	mu      sync.Mutex
	sockets []listenerSocket
	closed  bool
}

// NewSocketListener is g_socket_listener_new (SL-1): a listener with no
// sockets, not closed, with "listen-backlog" 10. Its context (object
// affinity) is the caller's.
func NewSocketListener() *SocketListener {
	l := &SocketListener{}
	l.Init(l)
	return l
}

// Init initialises a SocketListener embedded in another type; self is the
// outermost value, whose DoChanged and DoEvent methods override the
// listener's. NewSocketListener calls it. A second call does nothing.
func (l *SocketListener) Init(self any) {
	l.initOnce.Do(func() {
		l.Object.Init(self)
		l.Event.SetOwner(&l.Object)
		l.Event.SetClassHandler(func(ev SocketListenerEvent, s *Socket) {
			object.Virtual[SocketListenerClass](&l.Object, l).DoEvent(ev, s)
		}, signal.RunLast)
		// Fixed name and a default in range on a fresh object:
		// InstallRange cannot fail.
		_ = object.InstallRange(&l.backlog, &l.Object, "listen-backlog",
			minListenerBacklog, maxListenerBacklog, defaultListenBacklog, 0)
		l.mu.Lock()
		l.inited = true
		l.mu.Unlock()
	})
}

// DoChanged is GSocketListenerClass.changed, the default changed vfunc: it
// does nothing. It runs after every successful add (SL-17); SocketService
// overrides it to start accepting from new sockets.
func (l *SocketListener) DoChanged() {}

// DoEvent is GSocketListenerClass.event, the default class handler of
// Event (RUN_LAST): it does nothing.
func (l *SocketListener) DoEvent(SocketListenerEvent, *Socket) {}

// changed calls the changed vfunc of the outermost value (SL-17).
func (l *SocketListener) changed() {
	object.Virtual[SocketListenerClass](&l.Object, l).DoChanged()
}

func (l *SocketListener) emit(ev SocketListenerEvent, s *Socket) { l.Event.Emit(ev, s) }

// usable reports whether l may be used; otherwise it logs GLib's critical
// for fn and returns the error.
func (l *SocketListener) usable(fn string) error {
	if l != nil {
		l.mu.Lock()
		ok := l.inited
		l.mu.Unlock()
		if ok {
			return nil
		}
	}
	msg := fn + ": assertion 'G_IS_SOCKET_LISTENER (listener)' failed"
	criticalf(msg)
	return ioerr.New(ioerr.NotInitialized, msg+": make it with NewSocketListener")
}

func listenerClosedError() *Error { return ioerr.New(ioerr.Closed, "Listener is already closed") }

// errNoSockets is the deviation for SL-8/SL-13: accepting with no sockets
// fails at once instead of waiting forever.
func errNoSockets() *Error {
	return ioerr.New(ioerr.InvalidArgument, "Listener has no sockets to accept from: add a socket, address or port first")
}

// snapshot returns the sockets (the slice is only ever appended to, so the
// returned prefix is stable), or CLOSED.
func (l *SocketListener) snapshot() ([]listenerSocket, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, listenerClosedError()
	}
	return l.sockets[:len(l.sockets):len(l.sockets)], nil
}

// add appends socks, which the listener made, or closes them and returns
// CLOSED if the listener was closed meanwhile.
func (l *SocketListener) add(source any, socks ...*Socket) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		for _, s := range socks {
			s.Close()
		}
		return listenerClosedError()
	}
	for _, s := range socks {
		l.sockets = append(l.sockets, listenerSocket{sock: s, source: source, owned: true})
	}
	l.mu.Unlock()
	return nil
}

func (l *SocketListener) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// SetBacklog is g_socket_listener_set_backlog (SL-2): the listen backlog of
// the sockets added from now on, stored as the "listen-backlog" property.
// It is a no-op on a closed listener. It is also applied to the sockets
// already added, as in GLib: those that listen already log GSocket's
// critical and keep their backlog (so call it before adding sockets); one
// given to AddSocket before it listens takes it.
//
// Differs from GLib: a value outside 0..2000, the property's own range, logs
// a critical and changes nothing (GLib stores any value here, so the
// property can read 5000; only g_object_set checks the range); and it
// notifies "listen-backlog" (GLib's set_backlog never notifies, only
// g_object_set does).
func (l *SocketListener) SetBacklog(listenBacklog int) {
	if l.usable("g_socket_listener_set_backlog") != nil {
		return
	}
	if err := l.backlog.Validate(listenBacklog); err != nil {
		criticalf(fmt.Sprintf("g_socket_listener_set_backlog: listen_backlog %d out of range %d..%d",
			listenBacklog, minListenerBacklog, maxListenerBacklog))
		return
	}
	l.setBacklog(listenBacklog)
}

// setBacklog is set_backlog's body, for a value in range: store it (which
// notifies) and apply it to every socket, unless the listener is closed.
func (l *SocketListener) setBacklog(n int) {
	socks, err := l.snapshot()
	if err != nil {
		return
	}
	l.backlog.Set(n)
	for _, ls := range socks {
		ls.sock.SetListenBacklog(n)
	}
}

// SetProperty is g_object_set_property on a GSocketListener (and so on a
// SocketService or ThreadedSocketService). "listen-backlog" takes a number
// that an int holds (object.ConvertValue); a value outside 0..2000 is
// refused as g_object_set refuses it: nothing changes and the result is a
// *object.PropertyError wrapping object.ErrPropertyRange ("value 5000 is out
// of range 0..2000"; GLib logs that as a warning). A value in range does
// what GLib's set_property does, SetBacklog: stored, notified, applied to
// the sockets already added; on a closed listener it changes nothing and
// returns nil. Any other name is set as object.Object.SetProperty does
// ("active" of a service; "max-threads" of a threaded service is
// construct-only: object.ErrConstructOnlyProperty).
//
// Call this method, not the embedded Object's: Object.SetProperty would
// store "listen-backlog" without applying it to the sockets already added.
//
// Differs from GLib: a refused value, or any value on a closed listener,
// does not notify (GLib 2.74 still emits notify::listen-backlog then, with
// the value unchanged), as object.Object.SetProperty does not notify a
// refused value.
func (l *SocketListener) SetProperty(name string, v any) error {
	if err := l.usable("g_object_set_property"); err != nil {
		return err
	}
	if canonProp(name) != "listen-backlog" {
		return l.Object.SetProperty(name, v)
	}
	n, err := object.ConvertValue[int](name, v)
	if err == nil {
		err = l.backlog.Validate(n)
	}
	if err != nil {
		var pe *object.PropertyError
		if errors.As(err, &pe) {
			pe.Name = name // as given, as Object.SetProperty reports it
		}
		return err
	}
	l.setBacklog(n)
	return nil
}

// Backlog is the "listen-backlog" property (GLib has no getter; this reads
// the property).
func (l *SocketListener) Backlog() int {
	if l.usable("g_socket_listener_get_backlog") != nil {
		return defaultListenBacklog
	}
	return l.backlog.Get()
}

// AddSocket is g_socket_listener_add_socket (SL-6): sock joins the sockets
// accepted from, with sourceObject (may be nil) reported by every accept of
// a connection on it. sock should be bound and listening; this is not
// checked, as in GLib. Its blocking mode is left alone; the asynchronous
// accepts never block on it anyway. A nil sock logs a critical and gives
// INVALID_ARGUMENT; a closed listener gives CLOSED "Listener is already
// closed"; a closed sock gives FAILED "Added socket is closed". Close closes
// sock along with the listener's own sockets.
//
// A net.Listener is adopted with NewSocketFromNetListener first (see
// Example_socketListenerNetListener).
func (l *SocketListener) AddSocket(sock *Socket, sourceObject any) error {
	if err := l.usable("g_socket_listener_add_socket"); err != nil {
		return err
	}
	if sock == nil {
		msg := "g_socket_listener_add_socket: assertion 'G_IS_SOCKET (socket)' failed"
		criticalf(msg)
		return ioerr.New(ioerr.InvalidArgument, msg+": socket is nil")
	}
	if l.isClosed() {
		return listenerClosedError()
	}
	if sock.IsClosed() {
		return ioerr.New(ioerr.Failed, "Added socket is closed")
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return listenerClosedError()
	}
	l.sockets = append(l.sockets, listenerSocket{sock: sock, source: sourceObject})
	l.mu.Unlock()
	l.changed()
	return nil
}

// AddAddress is g_socket_listener_add_address (SL-3): it makes a socket of
// a's family, type t and protocol p, binds it to a (with SO_REUSEADDR),
// listens, and adds it with sourceObject. It returns the effective address
// (getsockname), which carries the port the kernel chose when a has port
// 0. Event reports BINDING, BOUND, LISTENING and LISTENED; a failure stops
// there, closes the socket and returns GLib's error (ADDRESS_IN_USE "Error
// binding to address 127.0.0.1:5000: Address already in use", "could not
// listen: …"). For an IPv6 address, whether IPv4 clients are accepted too is
// the system's default (IPV6_V6ONLY is left alone).
//
// Differs from GLib: the socket is made non-blocking at the GSocket level
// (GLib leaves it blocking, so a surplus async accept can block its context;
// SL-10).
func (l *SocketListener) AddAddress(a SocketAddress, t SocketType, p SocketProtocol, sourceObject any) (SocketAddress, error) {
	if err := l.usable("g_socket_listener_add_address"); err != nil {
		return nil, err
	}
	if a == nil {
		msg := "g_socket_listener_add_address: assertion 'G_IS_SOCKET_ADDRESS (address)' failed"
		criticalf(msg)
		return nil, ioerr.New(ioerr.InvalidArgument, msg+": address is nil")
	}
	if l.isClosed() {
		return nil, listenerClosedError()
	}
	s, err := NewSocket(a.Family(), t, p)
	if err != nil {
		return nil, err
	}
	s.SetListenBacklog(l.backlog.Get())
	l.emit(SocketListenerBinding, s)
	if err := s.Bind(a, true); err != nil {
		s.Close()
		return nil, err
	}
	l.emit(SocketListenerBound, s)
	if err := l.listen(s); err != nil {
		s.Close()
		return nil, err
	}
	eff, err := s.LocalAddress()
	if err != nil {
		s.Close()
		return nil, err
	}
	s.SetBlocking(false)
	if err := l.add(sourceObject, s); err != nil {
		return nil, err
	}
	l.changed()
	return eff, nil
}

// listen emits LISTENING, listens, and emits LISTENED on success.
func (l *SocketListener) listen(s *Socket) error {
	l.emit(SocketListenerListening, s)
	if err := s.Listen(); err != nil {
		return err
	}
	l.emit(SocketListenerListened, s)
	return nil
}

// newInetSocket makes a TCP socket of family f with the listener's backlog.
func (l *SocketListener) newInetSocket(f SocketFamily) (*Socket, error) {
	s, err := NewSocket(f, SocketTypeStream, SocketProtocolDefault)
	if err != nil {
		return nil, err
	}
	s.SetListenBacklog(l.backlog.Get())
	return s, nil
}

func anyAddress(f SocketFamily, port uint16) *InetSocketAddress {
	return NewInetSocketAddress(NewInetAddressAny(f), port)
}

// bindInet emits BINDING, binds s to the any address of its family on port,
// and emits BOUND on success.
func (l *SocketListener) bindInet(s *Socket, port uint16) error {
	l.emit(SocketListenerBinding, s)
	if err := s.Bind(anyAddress(s.Family(), port), true); err != nil {
		return err
	}
	l.emit(SocketListenerBound, s)
	return nil
}

func closeSockets(socks ...*Socket) {
	for _, s := range socks {
		if s != nil {
			s.Close()
		}
	}
}

// checkPort validates a port argument of AddInetPort.
func checkPort(port int) error {
	if port == 0 {
		msg := "g_socket_listener_add_inet_port: assertion 'port != 0' failed"
		criticalf(msg)
		return ioerr.New(ioerr.InvalidArgument, msg+": use AddAnyInetPort for any port")
	}
	if port < 1 || port > 65535 {
		return ioerr.New(ioerr.InvalidArgument, fmt.Sprintf("port %d out of range 1..65535", port))
	}
	return nil
}

// AddInetPort is g_socket_listener_add_inet_port (SL-4): listen for TCP on
// port on every interface, IPv6 and IPv4. It first makes an IPv6 socket
// bound to [::]:port (if IPv6 is unavailable it goes on silently); if that
// bind fails, that error is returned at once. If the IPv6 socket listens and
// also speaks IPv4 (IPV6_V6ONLY off, Linux's default) it is the only socket.
// Otherwise an IPv4 socket is bound to 0.0.0.0:port (a bind failure is
// returned and drops both). The call fails only if neither socket listens
// (the IPv6 error wins) or neither can be made (the IPv4 creation error).
// Each socket reports its own BINDING, BOUND, LISTENING, LISTENED on Event,
// and DoChanged runs once. Port 0 logs GLib's critical and gives
// INVALID_ARGUMENT (use AddAnyInetPort); a port above 65535 gives
// INVALID_ARGUMENT "port 70000 out of range 1..65535". A closed listener
// gives CLOSED.
//
// Differs from GLib: a socket whose listen failed is closed rather than
// kept in the set (GLib adds it, and accepting on it fails).
func (l *SocketListener) AddInetPort(port int, sourceObject any) error {
	if err := l.usable("g_socket_listener_add_inet_port"); err != nil {
		return err
	}
	if err := checkPort(port); err != nil {
		return err
	}
	if l.isClosed() {
		return listenerClosedError()
	}
	p := uint16(port)
	needV4 := true
	var s6Err error
	s6, _ := l.newInetSocket(SocketFamilyIPv6) // no IPv6: carry on silently
	if s6 != nil {
		if err := l.bindInet(s6, p); err != nil {
			s6.Close()
			return err
		}
		if s6Err = l.listen(s6); s6Err != nil {
			s6.Close()
			s6 = nil
		} else if s6.SpeaksIPv4() {
			needV4 = false
		}
	}
	var s4 *Socket
	var s4Err error
	if needV4 {
		var createErr error
		s4, createErr = l.newInetSocket(SocketFamilyIPv4)
		if s4 == nil {
			if s6 == nil {
				return createErr
			}
		} else {
			if err := l.bindInet(s4, p); err != nil {
				closeSockets(s4, s6)
				return err
			}
			if s4Err = l.listen(s4); s4Err != nil {
				s4.Close()
				s4 = nil
			}
		}
	}
	if s6 == nil && s4 == nil {
		if s6Err != nil {
			return s6Err
		}
		return s4Err
	}
	return l.addInet(sourceObject, s6, s4)
}

// addInet adds the surviving sockets, non-blocking, and calls changed once.
func (l *SocketListener) addInet(source any, s6, s4 *Socket) error {
	socks := make([]*Socket, 0, 2)
	for _, s := range []*Socket{s6, s4} {
		if s != nil {
			s.SetBlocking(false)
			socks = append(socks, s)
		}
	}
	if err := l.add(source, socks...); err != nil {
		return err
	}
	l.changed()
	return nil
}

// addAnyAttempts is GLib's number of tries at finding a port free on both
// IPv6 and IPv4.
const addAnyAttempts = 37

// AddAnyInetPort is g_socket_listener_add_any_inet_port (SL-5): listen for
// TCP on a port the kernel chooses, on IPv6 and IPv4, and return it. It
// binds [::]:0; if that socket speaks IPv4 it is the only one, otherwise an
// IPv4 socket is bound to the same port (up to 37 tries, each keeping the
// previous IPv6 socket open meanwhile so the next try gets another port).
// Without IPv6, one IPv4 socket is bound to port 0. Then each socket
// listens (LISTENING, LISTENED), and a socket whose listen failed is
// dropped. It returns the port, or 0 and the error when no socket listens.
// A closed listener gives CLOSED.
//
// Differs from GLib (#3604, the row 9 fix): when the dual-stack IPv6 socket
// fails to listen, GLib fails; this closes it and falls back to an IPv4
// socket on the same port, as AddInetPort does.
func (l *SocketListener) AddAnyInetPort(sourceObject any) (uint16, error) {
	if err := l.usable("g_socket_listener_add_any_inet_port"); err != nil {
		return 0, err
	}
	if l.isClosed() {
		return 0, listenerClosedError()
	}
	var parked []*Socket // IPv6 sockets kept open so the next try gets another port
	defer func() { closeSockets(parked...) }()
	var s6, s4 *Socket
	var port uint16
	var err error
	for attempt := 0; attempt < addAnyAttempts; attempt++ {
		s6, _ = l.newInetSocket(SocketFamilyIPv6)
		if s6 != nil {
			if port, err = l.bindAny(s6, 0); err != nil {
				s6.Close()
				s6 = nil
				break
			}
			if s6.SpeaksIPv4() {
				break
			}
		}
		var createErr error
		s4, createErr = l.newInetSocket(SocketFamilyIPv4)
		if s4 == nil {
			if s6 == nil {
				err = createErr
			}
			break
		}
		if port != 0 {
			if bindErr := l.bindInet(s4, port); bindErr == nil {
				break
			} else {
				err = bindErr
			}
			s4.Close()
			s4 = nil
			parked = append(parked, s6)
			s6 = nil
			port = 0
			continue
		}
		if port, err = l.bindAny(s4, 0); err != nil {
			s4.Close()
			s4 = nil
		}
		break
	}
	if s6 == nil && s4 == nil {
		if err == nil {
			err = ioerr.New(ioerr.Failed, "Could not find a port to listen on")
		}
		return 0, err
	}
	var s6Err, s4Err error
	if s6 != nil {
		if s6Err = l.listen(s6); s6Err != nil {
			s6.Close()
			s6 = nil
		}
	}
	if s6Err != nil && s4 == nil {
		// The #3604 fix: fall back to IPv4 on the same port.
		if s4, _ = l.newInetSocket(SocketFamilyIPv4); s4 != nil {
			if l.bindInet(s4, port) != nil {
				s4.Close()
				s4 = nil
			}
		}
	}
	if s4 != nil {
		if s4Err = l.listen(s4); s4Err != nil {
			s4.Close()
			s4 = nil
		}
	}
	if s6 == nil && s4 == nil {
		if s6Err != nil {
			return 0, s6Err
		}
		return 0, s4Err
	}
	if err := l.addInet(sourceObject, s6, s4); err != nil {
		return 0, err
	}
	return port, nil
}

// bindAny binds s to the any address on port with BINDING/BOUND, and
// returns the port it got.
func (l *SocketListener) bindAny(s *Socket, port uint16) (uint16, error) {
	l.emit(SocketListenerBinding, s)
	if err := s.Bind(anyAddress(s.Family(), port), true); err != nil {
		return 0, err
	}
	a, err := s.LocalAddress()
	if err != nil {
		return 0, err
	}
	ia, ok := a.(*InetSocketAddress)
	if !ok || ia.Port() == 0 {
		return 0, ioerr.New(ioerr.Failed, "could not get local address: no port")
	}
	l.emit(SocketListenerBound, s)
	return ia.Port(), nil
}

// Close is g_socket_listener_close (SL-14): it closes every socket of the
// listener (AddSocket ones too) and marks it closed; afterwards the Add
// calls and the accepts give CLOSED "Listener is already closed". A pending
// AcceptAsync completes with CLOSED "Socket is already closed" (SL-12),
// also when Close is called from another goroutine. It is idempotent.
func (l *SocketListener) Close() {
	if l.usable("g_socket_listener_close") != nil {
		return
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	socks := l.sockets
	l.mu.Unlock()
	for _, ls := range socks {
		ls.sock.Close()
	}
}

// acceptNow makes one non-blocking accept attempt on s, whatever s's
// blocking mode: again when nothing is queued (another accept took it;
// no error is made for it), CANCELLED if c is cancelled, CLOSED once s is
// closed.
func acceptNow(s *Socket, c *cancellable.Cancellable) (ns *Socket, again bool, err error) {
	if !s.Blocking() {
		return s.tryAccept(c)
	}
	// A blocking socket given to AddSocket: make the one attempt by hand
	// rather than flipping the caller's socket.
	if c.IsCancelled() {
		return nil, false, ioerr.NewCancelled()
	}
	rc, err := s.SyscallConn()
	if err != nil {
		return nil, false, err
	}
	nfd := -1
	var aerr error
	if rc.Control(func(fd uintptr) {
		nfd, aerr = nbio.Accept(int(fd))
	}) != nil {
		return nil, false, closedError()
	}
	switch {
	case aerr == unix.EAGAIN:
		return nil, true, nil
	case aerr != nil:
		return nil, false, errnoOf(aerr, msgAccepting)
	}
	return s.adoptAccepted(nfd), false, nil
}

// waitReady waits until one of socks is readable and returns it (SL-8):
// with one socket by ConditionWait, as GLib does; with several, by one wait
// per socket, the first ready one winning (GLib runs a private loop over
// one source per socket).
func waitReady(socks []listenerSocket, c *cancellable.Cancellable) (listenerSocket, error) {
	if len(socks) == 1 {
		return socks[0], socks[0].sock.ConditionWait(mainloop.IOIn, c)
	}
	inner := cancellable.New()
	if c != nil {
		stop := inner.Follow(c)
		defer stop()
	}
	type outcome struct {
		i   int
		err error
	}
	results := make(chan outcome, len(socks))
	var wg sync.WaitGroup
	for i := range socks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- outcome{i, socks[i].sock.ConditionWait(mainloop.IOIn, inner)}
		}()
	}
	first := <-results
	inner.Cancel()
	wg.Wait()
	if first.err != nil && c.IsCancelled() {
		return listenerSocket{}, ioerr.NewCancelled()
	}
	return socks[first.i], first.err
}

// AcceptSocket is g_socket_listener_accept_socket (SL-8): it waits for a
// client on any of the sockets and returns the accepted Socket and the
// source object of the listening socket it came from. A cancelled c gives
// CANCELLED; a closed listener CLOSED "Listener is already closed"; a
// listener closed while waiting CLOSED "Socket is already closed".
//
// Differs from GLib: with no sockets it fails at once with
// INVALID_ARGUMENT "Listener has no sockets to accept from: …" (GLib
// blocks forever, SL-8).
func (l *SocketListener) AcceptSocket(c *cancellable.Cancellable) (*Socket, any, error) {
	if err := l.usable("g_socket_listener_accept_socket"); err != nil {
		return nil, nil, err
	}
	socks, err := l.snapshot()
	if err != nil {
		return nil, nil, err
	}
	if len(socks) == 0 {
		return nil, nil, errNoSockets()
	}
	for {
		ls, err := waitReady(socks, c)
		if err != nil {
			return nil, nil, err
		}
		s, again, err := acceptNow(ls.sock, c)
		if again {
			continue // taken by another accept meanwhile: wait again
		}
		if err != nil {
			return nil, nil, err
		}
		return s, ls.source, nil
	}
}

// Accept is g_socket_listener_accept (SL-9): AcceptSocket, with the socket
// wrapped by the connection factory (NewSocketConnection: a TCPConnection
// for TCP, a UnixConnection for Unix sockets).
func (l *SocketListener) Accept(c *cancellable.Cancellable) (*SocketConnection, any, error) {
	s, src, err := l.AcceptSocket(c)
	if err != nil {
		return nil, nil, err
	}
	return NewSocketConnection(s), src, nil
}

// acceptResult is what an async accept delivers.
type acceptResult struct {
	sock   *Socket
	source any
}

var (
	tagAcceptSocket = &opTag{"g_socket_listener_accept_socket_async"}
	tagAccept       = &opTag{"g_socket_listener_accept_async"}
)

// acceptOp is one pending async accept: one socket source per listening
// socket on the task's context; the first that gets a connection (or an
// error) completes the task and destroys the others (SL-10).
type acceptOp struct {
	t       *asyncresult.Task[acceptResult]
	c       *cancellable.Cancellable
	sources []*mainloop.Source
	done    bool // only touched on the task's context
}

func (op *acceptOp) ready(ls listenerSocket) bool {
	if op.done {
		return mainloop.SourceRemove
	}
	var s *Socket
	var err error
	if op.c.IsCancelled() {
		err = ioerr.NewCancelled()
	} else {
		var again bool
		s, again, err = acceptNow(ls.sock, op.c)
		if again {
			// Another pending accept took the queued connection in this
			// iteration: keep waiting (GLib #3739).
			return mainloop.SourceContinue
		}
	}
	op.done = true
	for _, src := range op.sources {
		if src != mainloop.CurrentSource() {
			src.Destroy()
		}
	}
	if err != nil {
		op.t.ReturnError(err)
	} else {
		op.t.Return(acceptResult{sock: s, source: ls.source})
	}
	return mainloop.SourceRemove
}

func (l *SocketListener) acceptAsync(tag sourceTag, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	if err := l.usable(tag.name); err != nil {
		reportError[acceptResult](l, tag, mainloop.PriorityDefault, cb, err)
		return
	}
	t := newTask[acceptResult](l, tag, mainloop.PriorityDefault, c, cb)
	// The outcome is settled in ready: a socket accepted just as c fires
	// is delivered rather than dropped with its descriptor.
	t.SetCheckCancellable(false)
	socks, err := l.snapshot()
	if err == nil && len(socks) == 0 {
		err = errNoSockets()
	}
	if err != nil {
		t.ReturnError(err)
		return
	}
	op := &acceptOp{t: t, c: c, sources: make([]*mainloop.Source, len(socks))}
	for i, ls := range socks {
		op.sources[i] = ls.sock.CreateSource(mainloop.IOIn, c, func(*Socket, mainloop.IOCondition) bool {
			return op.ready(ls)
		})
	}
	ctx := t.MainContext()
	for _, src := range op.sources {
		src.SetPriority(t.Priority())
		src.Attach(ctx)
	}
}

func (l *SocketListener) acceptFinish(res asyncresult.AsyncResult, tag sourceTag) (*Socket, any, error) {
	if l == nil {
		return nil, nil, l.usable(tag.name)
	}
	r, err := finishTask[acceptResult](res, l, tag)
	if err != nil {
		return nil, nil, err
	}
	return r.sock, r.source, nil
}

// AcceptSocketAsync is g_socket_listener_accept_socket_async (SL-10): it
// watches every socket of the listener on the caller's context and
// completes with the first connection accepted (read it with
// AcceptSocketFinish). Each call yields exactly one connection: N pending
// calls get N distinct connections, and connections queued while nothing
// is pending stay queued (GLib #3739). A cancelled c completes it with
// CANCELLED in a later iteration (SL-11); Close completes it with CLOSED
// (SL-12); a closed listener with CLOSED "Listener is already closed"; the
// callback never runs inside this call.
//
// Differs from GLib: with no sockets it completes with INVALID_ARGUMENT
// "Listener has no sockets to accept from: …" instead of never (SL-13).
func (l *SocketListener) AcceptSocketAsync(c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	l.acceptAsync(tagAcceptSocket, c, cb)
}

// AcceptSocketFinish is g_socket_listener_accept_socket_finish: the socket
// and the source object of the listening socket it came from. A result of
// another call, or a second Finish, logs a critical and gives
// INVALID_ARGUMENT (FAILED for the second Finish).
func (l *SocketListener) AcceptSocketFinish(res asyncresult.AsyncResult) (*Socket, any, error) {
	return l.acceptFinish(res, tagAcceptSocket)
}

// AcceptAsync is g_socket_listener_accept_async: AcceptSocketAsync, read
// with AcceptFinish, which wraps the socket in a SocketConnection.
func (l *SocketListener) AcceptAsync(c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	l.acceptAsync(tagAccept, c, cb)
}

// AcceptFinish is g_socket_listener_accept_finish: the connection (made by
// NewSocketConnection) and the source object. Wrong results are refused as
// AcceptSocketFinish refuses them.
func (l *SocketListener) AcceptFinish(res asyncresult.AsyncResult) (*SocketConnection, any, error) {
	s, src, err := l.acceptFinish(res, tagAccept)
	if err != nil {
		return nil, nil, err
	}
	return NewSocketConnection(s), src, nil
}
