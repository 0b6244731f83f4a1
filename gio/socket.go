package gio

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
)

// Socket is GSocket: a socket file descriptor with GLib's blocking emulation,
// timeouts, cancellation and error reporting.
//
// The descriptor is always close-on-exec and non-blocking (SOCK-1). The
// "blocking" mode (default true) is emulated: a blocking operation that would
// block waits for the socket to become ready, and that wait is done by Go's
// runtime poller, so no OS thread is parked per socket. The socket timeout,
// a cancelled Cancellable and a concurrent Close all end such a wait. A
// socket that never waits there (one served from a main loop, whose sources
// wait in the loop's own epoll set) is never registered with that poller,
// which saves three system calls per connection.
//
// Multiple goroutines may invoke methods on a Socket simultaneously (GLib's
// GSocket is not thread-safe; this one is). Operations in the same direction
// (two receives, two sends) are serialized; a receive and a send run in
// parallel.
//
// The Socket owns its descriptor: Close closes it exactly once, and a Socket
// that becomes unreachable without Close is closed by the garbage collector,
// as a GSocket closes on its last unref.
//
// It is an object.Object, as GSocket is a GObject: its context affinity is
// the caller's context at creation, and GSocket's properties notify on
// Notify and are reachable by name (see Property). Destroy does not close
// it (GSocket has no dispose); Close does.
//
// The zero Socket (and a nil *Socket) is not usable: every call returns
// NOT_INITIALIZED "Invalid socket, not initialized", or, with no error to
// return, logs GLib's critical and gives the zero result (FD is -1). Make
// one with NewSocket or NewSocketFromFD.
type Socket struct {
	object.Object
	// prop holds the property slots, made by the first use of a property
	// (props): most sockets never have theirs read or watched by name.
	propOnce sync.Once
	prop     *socketProps

	family   SocketFamily
	typ      SocketType
	protocol SocketProtocol

	sfd *sockFD      // owns the descriptor; closed by Close; nil in a zero Socket
	fd  atomic.Int64 // the descriptor number, -1 once closed

	// ws is the state of operations that wait (blocking mode, net.Conn),
	// made by the first of them: a socket used only from a main loop (the
	// non-blocking, pollable path) never needs it, and it is most of a
	// Socket's size.
	ws atomic.Pointer[waitState]

	mu       sync.Mutex
	closed   bool
	blocking bool
	// readSkip (atomic, not under mu; here it fills padding) is how many
	// more async reads go straight to their wait (socketInput.skipFirstTry).
	readSkip       atomic.Int32
	timeout        time.Duration
	timedOut       bool
	listening      bool
	backlog        int
	keepalive      bool
	connectedRead  bool
	connectedWrite bool
	connectPending bool
	remote         SocketAddress
	sources        *socketSource    // live CreateSource sources (a list through their next and prev), unwatched by Close
	fdh            *mainloop.UnixFD // the descriptor's handle for the sources' watches; nil until the first
}

// defaultListenBacklog is GSocket's "listen-backlog" default.
const defaultListenBacklog = 10

// sysCalls are the system calls where GLib's tests inject failures (the
// listen-failures matrix of SL-4: socket() with EAFNOSUPPORT, bind() or
// listen() with EADDRINUSE). Tests in package gio may swap them, one test at a
// time; production code never changes them.
type sysCalls struct {
	socket func(domain, typ, proto int) (int, error)
	bind   func(fd int, native []byte) error
	listen func(fd, backlog int) error
}

var sys = sysCalls{
	socket: unix.Socket,
	bind:   func(fd int, native []byte) error { return rawSockaddrCall(unix.SYS_BIND, fd, native) },
	listen: unix.Listen,
}

// NewSocket is g_socket_new: it creates a socket of the family, type and
// protocol (SocketProtocolDefault lets the kernel choose). The descriptor is
// CLOEXEC and non-blocking, and TCP stream sockets get TCP_NODELAY, as GLib
// 2.80 does. A failure is mapped from errno, e.g. EAFNOSUPPORT gives
// NOT_SUPPORTED "Unable to create socket: Address family not supported by
// protocol".
func NewSocket(family SocketFamily, t SocketType, protocol SocketProtocol) (*Socket, error) {
	if protocol == SocketProtocolUnknown {
		return nil, ioerr.New(ioerr.InvalidArgument, "Unable to create socket: Unknown protocol was specified")
	}
	fd, err := sys.socket(int(family), int(t)|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, int(protocol))
	if err != nil {
		return nil, errnoOf(err, "Unable to create socket: ")
	}
	if t == SocketTypeStream && (family == SocketFamilyIPv4 || family == SocketFamilyIPv6) &&
		(protocol == SocketProtocolDefault || protocol == SocketProtocolTCP) {
		// Best effort, as in GLib: Nagle's delay hurts request/response traffic.
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	}
	return adoptFD(fd, family, t, protocol), nil
}

// NewSocketFromFD is g_socket_new_from_fd: it takes ownership of fd, an
// existing socket (bound, listening, connected or not), finds out its family,
// type and protocol (SOL_SOCKET SO_DOMAIN/SO_TYPE/SO_PROTOCOL) and whether it
// is connected or listening (SO_ACCEPTCONN; GLib does not look, so its
// SetListenBacklog on such a socket is silently useless, ours logs the
// critical), and makes it close-on-exec and non-blocking. On success fd is
// the Socket's, closed by its Close; on failure fd is left open and still
// belongs to the caller. A descriptor
// that is not a socket gives INVALID_ARGUMENT "creating GSocket from fd:
// Socket operation on non-socket".
func NewSocketFromFD(fd int) (*Socket, error) {
	if fd < 0 {
		return nil, ioerr.Wrap(ioerr.InvalidArgument, "creating GSocket from fd: "+ioerr.Strerror(unix.EBADF), unix.EBADF)
	}
	typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
	if err != nil {
		return nil, errnoOf(err, "creating GSocket from fd: ")
	}
	family, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	if err != nil {
		return nil, errnoOf(err, "creating GSocket from fd: ")
	}
	protocol := SocketProtocolUnknown
	if p, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_PROTOCOL); err == nil {
		protocol = SocketProtocol(p)
		if family == unix.AF_UNIX {
			protocol = SocketProtocolDefault
		}
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, errnoOf(err, "creating GSocket from fd: ")
	}
	s := adoptFD(fd, SocketFamily(family), SocketType(typ), protocol)
	if _, err := getpeername(fd); err == nil {
		s.connectedRead, s.connectedWrite = true, true
	}
	if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN); err == nil && v != 0 {
		s.listening = true
	}
	// As g_socket_details_from_fd: unreadable means off.
	if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE); err == nil && v != 0 {
		s.keepalive = true
	}
	return s, nil
}

// NewSocketFromNetListener returns a Socket for a duplicate of l's listening
// descriptor (l must implement syscall.Conn, as *net.TCPListener and
// *net.UnixListener do). The Socket owns the duplicate; l keeps its own
// descriptor, and the caller may close l afterwards (closing a
// *net.UnixListener also unlinks its socket file unless SetUnlinkOnClose(false)
// was called). The Socket reports itself listening. This is how a
// gio.SocketListener adopts a net.Listener.
func NewSocketFromNetListener(l net.Listener) (*Socket, error) {
	sc, ok := l.(syscall.Conn)
	if !ok {
		return nil, ioerr.New(ioerr.NotSupported, "Cannot adopt a net.Listener without a file descriptor")
	}
	return socketFromDup(sc)
}

// NewSocketFromNetConn returns a Socket for a duplicate of c's descriptor (c
// must implement syscall.Conn, as *net.TCPConn, *net.UDPConn and
// *net.UnixConn do). The Socket owns the duplicate; the caller still owns c.
func NewSocketFromNetConn(c net.Conn) (*Socket, error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil, ioerr.New(ioerr.NotSupported, "Cannot adopt a net.Conn without a file descriptor")
	}
	return socketFromDup(sc)
}

func socketFromDup(sc syscall.Conn) (*Socket, error) {
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, ioerr.FromError("creating GSocket from fd: ", err)
	}
	fd, derr := -1, error(nil)
	if err := rc.Control(func(u uintptr) { fd, derr = unix.FcntlInt(u, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return nil, ioerr.FromError("creating GSocket from fd: ", err)
	}
	if derr != nil {
		return nil, errnoOf(derr, "creating GSocket from fd: ")
	}
	return socketOwningFD(fd)
}

// socketOwningFD is NewSocketFromFD for a descriptor made for the new
// Socket (a dup, an accepted connection): it is closed if no Socket can be
// made of it.
func socketOwningFD(fd int) (*Socket, error) {
	s, err := NewSocketFromFD(fd)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return s, nil
}

// adoptFD makes the Socket of a non-blocking fd, which it owns (see
// sockFD: it enters the runtime poller only when an operation waits there).
func adoptFD(fd int, family SocketFamily, t SocketType, protocol SocketProtocol) *Socket {
	s := &Socket{
		family:   family,
		typ:      t,
		protocol: protocol,
		blocking: true,
		backlog:  defaultListenBacklog,
	}
	s.sfd = newSockFD(s, fd)
	s.fd.Store(int64(fd))
	s.Object.Init(s)
	return s
}

// errnoOf maps an error from x/sys/unix (an Errno) with GLib's lazy rule.
func errnoOf(err error, prefix string) *Error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errnoError(errno, prefix)
	}
	return ioerr.FromError(prefix, err)
}

// control runs fn with the descriptor, which cannot be closed meanwhile. It
// returns CLOSED when the socket is already closed.
func (s *Socket) control(fn func(fd int)) error {
	if !s.ok() {
		return notInitError()
	}
	if !s.sfd.control(func(fd uintptr) { fn(int(fd)) }) {
		return closedError()
	}
	return nil
}

// controlErr runs the system call fn with the descriptor (see control) and
// turns its errno into a *Error whose message starts with prefix.
func (s *Socket) controlErr(prefix string, fn func(fd int) error) error {
	var serr error
	if err := s.control(func(fd int) { serr = fn(fd) }); err != nil {
		return err
	}
	if serr != nil {
		return errnoOf(serr, prefix)
	}
	return nil
}

// ok is net's c.ok() guard: whether s was made by a constructor (NewSocket,
// NewSocketFromFD, Accept…). A zero Socket and a nil *Socket are not.
func (s *Socket) ok() bool { return s != nil && s.sfd != nil }

// notInitError is what every call on a zero or nil Socket returns: GLib's
// check_socket error for a socket that was never initialised.
func notInitError() error {
	return ioerr.New(ioerr.NotInitialized, msgNotInit+" (a zero or nil gio.Socket: make one with NewSocket)")
}

// refused logs GLib's critical for a call on a zero or nil Socket and
// reports whether the call must stop (for the methods with no error to
// return).
func (s *Socket) refused(fn string) bool {
	if s.ok() {
		return false
	}
	criticalf(fn + ": assertion 'G_IS_SOCKET (socket)' failed (a zero or nil gio.Socket)")
	return true
}

// sockGet reads state under the socket's lock: the getters' body, with
// the zero/nil guard giving zero.
func sockGet[T any](s *Socket, zero T, read func(s *Socket) T) T {
	if !s.ok() {
		return zero
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return read(s)
}

// checkSocket is gsocket.c's check_socket: NOT_INITIALIZED for a zero or
// nil Socket, CLOSED once closed (SOCK-2).
func (s *Socket) checkSocket() error {
	if !s.ok() {
		return notInitError()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return closedError()
	}
	return nil
}

// checkOp is the SOCK-2 check order for an I/O operation: closed, then the
// timed-out flag set by a socket source (reported once), then cancellation.
func (s *Socket) checkOp(ctx context.Context) error {
	if !s.ok() {
		return notInitError()
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return closedError()
	}
	if s.timedOut {
		s.timedOut = false
		s.mu.Unlock()
		return timedOutError()
	}
	s.mu.Unlock()
	if ctx != nil && ctx.Err() != nil {
		return ctxError(ctx)
	}
	return nil
}

// ctxError is the error for a done context (a Cancellable, or the
// context ConditionTimedWait derives from one): CANCELLED "Operation was
// cancelled", which is also context.Canceled. A context deadline linked
// with cancellable.FromContext cancels the Cancellable, so it gives
// CANCELLED too; the socket timeout is what gives TIMED_OUT.
func ctxError(context.Context) error {
	return ioerr.NewCancelled()
}

// Family is g_socket_get_family.
func (s *Socket) Family() SocketFamily {
	return sockGet(s, SocketFamilyInvalid, func(s *Socket) SocketFamily { return s.family })
}

// Type is g_socket_get_socket_type.
func (s *Socket) Type() SocketType {
	return sockGet(s, SocketTypeInvalid, func(s *Socket) SocketType { return s.typ })
}

// Protocol is g_socket_get_protocol: the protocol given to NewSocket
// (SocketProtocolDefault stays Default), or the one found by NewSocketFromFD.
func (s *Socket) Protocol() SocketProtocol {
	return sockGet(s, SocketProtocolUnknown, func(s *Socket) SocketProtocol { return s.protocol })
}

// FD is g_socket_get_fd: the descriptor, or -1 once closed. The Socket still
// owns it: do not close it, and do not use it after Close. It is always
// O_NONBLOCK (GLib's blocking mode is the Socket's, not the descriptor's),
// and must stay so: the main loop's reads and writes on it are made without
// the runtime's syscall bookkeeping, which is only correct for calls that
// cannot block. Once FD has handed the number out, Close makes its close(2)
// as one that may block, since the caller may have set SO_LINGER on it.
func (s *Socket) FD() int {
	if !s.ok() {
		return -1
	}
	s.sfd.shared.Store(true)
	return int(s.fd.Load())
}

// IsClosed is g_socket_is_closed.
func (s *Socket) IsClosed() bool {
	return sockGet(s, false, func(s *Socket) bool { return s.closed })
}

// IsConnected is g_socket_is_connected: true after a successful Connect or
// Accept until both directions are shut down or the socket is closed.
func (s *Socket) IsConnected() bool {
	return sockGet(s, false, func(s *Socket) bool { return s.connectedRead || s.connectedWrite })
}

// SetBlocking is g_socket_set_blocking. In non-blocking mode an operation
// that would block fails with WOULD_BLOCK; in blocking mode (the default) it
// waits, up to the timeout.
//
// It notifies "blocking" when the value changes.
func (s *Socket) SetBlocking(blocking bool) {
	if s.refused("g_socket_set_blocking") {
		return
	}
	setNotified(s, blocking, func(s *Socket) *bool { return &s.blocking }, func(p *socketProps) *object.Property[bool] { return &p.blocking })
}

// setNotified is the body of the setters of plain fields (no system
// call): store v under the lock, and notify the property if it changed.
func setNotified[T comparable](s *Socket, v T, field func(*Socket) *T, prop func(*socketProps) *object.Property[T]) {
	s.mu.Lock()
	same := *field(s) == v
	s.mu.Unlock()
	if same {
		return
	}
	p := s.props()
	s.mu.Lock()
	*field(s) = v
	s.mu.Unlock()
	prop(p).Set(v)
}

// Blocking is g_socket_get_blocking.
func (s *Socket) Blocking() bool {
	return sockGet(s, true, func(s *Socket) bool { return s.blocking })
}

// SetTimeout is g_socket_set_timeout: blocking operations give TIMED_OUT
// "Socket I/O timed out" after d (0, the default, waits forever), and a
// socket source fires when it passes (SOCK-5, SOCK-7). Differs from GLib: the
// unit is a time.Duration with millisecond resolution, not whole seconds.
// Negative values are treated as 0. It notifies "timeout" when the value
// changes.
func (s *Socket) SetTimeout(d time.Duration) {
	if s.refused("g_socket_set_timeout") {
		return
	}
	setNotified(s, max(d, 0), func(s *Socket) *time.Duration { return &s.timeout },
		func(p *socketProps) *object.Property[time.Duration] { return &p.timeout })
}

// Timeout is g_socket_get_timeout.
func (s *Socket) Timeout() time.Duration {
	return sockGet(s, 0, func(s *Socket) time.Duration { return s.timeout })
}

// SetListenBacklog is g_socket_set_listen_backlog: the backlog Listen passes
// to listen(2) (default 10). Once the socket listens it has no effect and
// logs GLib's critical (SOCK-9). It notifies "listen-backlog" when the
// value changes.
func (s *Socket) SetListenBacklog(n int) {
	if s.refused("g_socket_set_listen_backlog") {
		return
	}
	s.mu.Lock()
	listening, same := s.listening, s.backlog == n
	s.mu.Unlock()
	if listening {
		criticalf("g_socket_set_listen_backlog: assertion '!socket->priv->listening' failed")
		return
	}
	if same {
		return
	}
	p := s.props()
	s.mu.Lock()
	if s.listening {
		s.mu.Unlock()
		criticalf("g_socket_set_listen_backlog: assertion '!socket->priv->listening' failed")
		return
	}
	s.backlog = n
	s.mu.Unlock()
	p.listenBacklog.Set(s.ListenBacklog())
}

// ListenBacklog is g_socket_get_listen_backlog.
func (s *Socket) ListenBacklog() int {
	return sockGet(s, 0, func(s *Socket) int { return s.backlog })
}

// SetKeepalive is g_socket_set_keepalive: SO_KEEPALIVE. It returns the
// system call's error and leaves the value unchanged on failure, as
// net.TCPConn.SetKeepAlive does (GLib logs the warning "error setting
// keepalive: …" instead). It notifies "keepalive" when the value changes.
func (s *Socket) SetKeepalive(keepalive bool) error {
	if !s.ok() {
		return notInitError()
	}
	if s.Keepalive() == keepalive {
		return nil
	}
	p := s.props()
	if err := s.setIntOption("keepalive", b2i(keepalive), unix.SOL_SOCKET, unix.SO_KEEPALIVE); err != nil {
		return err
	}
	s.mu.Lock()
	s.keepalive = keepalive
	s.mu.Unlock()
	p.keepalive.Set(s.Keepalive())
	return nil
}

// Keepalive is g_socket_get_keepalive.
func (s *Socket) Keepalive() bool {
	return sockGet(s, false, func(s *Socket) bool { return s.keepalive })
}

// Option is g_socket_get_option: getsockopt(level, name) as an int.
func (s *Socket) Option(level, name int) (int, error) {
	var v int
	var serr error
	if err := s.control(func(fd int) { v, serr = unix.GetsockoptInt(fd, level, name) }); err != nil {
		return 0, err
	}
	if serr != nil {
		return 0, errnoOf(serr, "")
	}
	return v, nil
}

// SetOption is g_socket_set_option: setsockopt(level, name, value), for
// example SetOption(unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0). Like GLib's, it
// notifies nothing, even for an option that backs a property (SO_KEEPALIVE,
// IP_TTL, …): use the typed setters for those.
func (s *Socket) SetOption(level, name, value int) error {
	return s.controlErr("", func(fd int) error { return unix.SetsockoptInt(fd, level, name, value) })
}

// SpeaksIPv4 is g_socket_speaks_ipv4 (SOCK-6): true for IPv4; for IPv6 true
// when IPV6_V6ONLY is off (so v4-mapped clients are accepted); false
// otherwise.
func (s *Socket) SpeaksIPv4() bool {
	switch s.Family() {
	case SocketFamilyIPv4:
		return true
	case SocketFamilyIPv6:
		v, err := s.Option(unix.IPPROTO_IPV6, unix.IPV6_V6ONLY)
		return err == nil && v == 0
	}
	return false
}

// AvailableBytes is g_socket_get_available_bytes: the bytes that can be read
// without blocking (FIONREAD; for a datagram socket, the size of the next
// datagram), or -1 on error or once closed.
func (s *Socket) AvailableBytes() int {
	n := -1
	if s.control(func(fd int) {
		if v, err := unix.IoctlGetInt(fd, unix.SIOCINQ); err == nil {
			n = v
		}
	}) != nil {
		return -1
	}
	return n
}

// LocalAddress is g_socket_get_local_address (getsockname). On a closed
// socket it fails as GLib's does on fd -1: FAILED "could not get local
// address: Bad file descriptor".
func (s *Socket) LocalAddress() (SocketAddress, error) {
	return s.nativeAddress("could not get local address: ", getsockname)
}

// nativeAddress is the address that get (getsockname or getpeername)
// reads. A closed socket gives EBADF, as GLib's fd -1 does; a failure's
// message starts with prefix.
func (s *Socket) nativeAddress(prefix string, get func(fd int) ([]byte, error)) (SocketAddress, error) {
	var b []byte
	var serr error
	if s.control(func(fd int) { b, serr = get(fd) }) != nil {
		serr = unix.EBADF
	}
	if serr != nil {
		return nil, errnoOf(serr, prefix)
	}
	return SocketAddressFromNative(b)
}

// RemoteAddress is g_socket_get_remote_address: the address given to
// Connect, or getpeername's. While a non-blocking connect is pending it
// first checks its result (CheckConnectResult).
func (s *Socket) RemoteAddress() (SocketAddress, error) {
	if !s.ok() {
		return nil, notInitError()
	}
	s.mu.Lock()
	pending := s.connectPending
	s.mu.Unlock()
	if pending {
		if err := s.CheckConnectResult(); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	remote := s.remote
	s.mu.Unlock()
	if remote != nil {
		return remote, nil
	}
	a, err := s.nativeAddress("could not get remote address: ", getpeername)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.remote == nil && !s.closed {
		s.remote = a
	}
	s.mu.Unlock()
	return a, nil
}

// Bind is g_socket_bind. allowReuse sets SO_REUSEADDR (and SO_REUSEPORT for
// datagram sockets, so several UDP sockets may share a port); it never lets
// a second socket bind a TCP address that is listening (SOCK-4). A failure
// reads "Error binding to address 127.0.0.1:5000: Address already in use"
// (IPv6 as "[::1]:5000").
func (s *Socket) Bind(a SocketAddress, allowReuse bool) error {
	if err := s.checkSocket(); err != nil {
		return err
	}
	if a == nil {
		return ioerr.New(ioerr.InvalidArgument, "Error binding to address: no address (the SocketAddress is nil)")
	}
	native, err := SocketAddressToNative(a)
	if err != nil {
		return err
	}
	reuse := 0
	if allowReuse {
		reuse = 1
	}
	reusePort := 0
	if allowReuse && s.typ == SocketTypeDatagram {
		reusePort = 1
	}
	var berr error
	if err := s.control(func(fd int) {
		// Best effort, as in GLib: failures here only mean "not supported".
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, reuse)
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, reusePort)
		berr = sys.bind(fd, native)
	}); err != nil {
		return err
	}
	if berr != nil {
		var errno syscall.Errno
		errors.As(berr, &errno)
		return ioerr.Wrap(ioerr.FromErrno(errno), "Error binding to address "+bindString(a)+": "+ioerr.Strerror(errno), errno)
	}
	return nil
}

func bindString(a SocketAddress) string {
	if ia, ok := a.(*InetSocketAddress); ok {
		return ia.bindString()
	}
	return a.String()
}

// Listen is g_socket_listen: listen(2) with the ListenBacklog. A failure
// reads "could not listen: …".
func (s *Socket) Listen() error {
	if err := s.checkSocket(); err != nil {
		return err
	}
	backlog := s.ListenBacklog()
	if err := s.controlErr("could not listen: ", func(fd int) error { return sys.listen(fd, backlog) }); err != nil {
		return err
	}
	s.mu.Lock()
	s.listening = true
	s.mu.Unlock()
	return nil
}

// IsListening reports whether Listen succeeded, or the socket was adopted
// listening (NewSocketFromFD, NewSocketFromNetListener).
func (s *Socket) IsListening() bool {
	return sockGet(s, false, func(s *Socket) bool { return s.listening })
}

// Shutdown is g_socket_shutdown: shut down the read side, the write side or
// both (SOCK-8). With both false it does nothing. A failure reads "Unable to
// shutdown socket: …".
func (s *Socket) Shutdown(read, write bool) error {
	if err := s.checkSocket(); err != nil {
		return err
	}
	if !read && !write {
		return nil
	}
	how := unix.SHUT_RDWR
	switch {
	case !write:
		how = unix.SHUT_RD
	case !read:
		how = unix.SHUT_WR
	}
	if err := s.controlErr("Unable to shutdown socket: ", func(fd int) error { return unix.Shutdown(fd, how) }); err != nil {
		return err
	}
	s.mu.Lock()
	if read {
		s.connectedRead = false
	}
	if write {
		s.connectedWrite = false
	}
	s.mu.Unlock()
	return nil
}

// Close is g_socket_close (SOCK-3). It is idempotent (a second Close returns
// nil), sets FD to -1, forgets the remote address, and makes every later
// operation fail with CLOSED "Socket is already closed". Operations blocked
// in other goroutines return CLOSED. Close does not wait for pending data to
// be sent (no SO_LINGER change), but it returns only after the descriptor is
// really closed.
func (s *Socket) Close() error {
	if !s.ok() {
		return notInitError()
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.fd.Store(-1)
	s.connectedRead, s.connectedWrite, s.connectPending = false, false, false
	s.remote = nil
	if w := s.ws.Load(); w != nil {
		close(w.closedCh)
	}
	var sources []*socketSource
	for ss := s.sources; ss != nil; ss = ss.next {
		sources = append(sources, ss)
	}
	fdh := s.fdh
	s.mu.Unlock()
	// A context must stop watching the descriptor before it is closed (its
	// number may be reused at once; the handle's Close drops the epoll
	// registrations the contexts kept), and each source becomes ready to
	// dispatch the closed socket (SOCK-7). SetReadyTime wakes a context
	// blocked in another goroutine.
	for _, ss := range sources {
		ss.unwatch()
		ss.src.SetReadyTime(0)
	}
	s.sfd.waits.destroyParked()
	fdh.Close()
	if err := s.sfd.close(); err != nil {
		return ioerr.FromError("Error closing socket: ", err)
	}
	return nil
}

// NetListener returns a net.Listener on a duplicate of the descriptor
// (net.FileListener): Go code that wants a net.Listener can accept from this
// listening socket. Closing the net.Listener does not close the Socket, nor
// the reverse.
func (s *Socket) NetListener() (net.Listener, error) {
	var l net.Listener
	var lerr error
	if err := s.control(func(fd int) {
		// FileListener dups the descriptor; the temporary File must own a
		// dup of its own so that closing it leaves ours alone.
		nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			lerr = err
			return
		}
		f := os.NewFile(uintptr(nfd), "gio-socket")
		l, lerr = net.FileListener(f)
		f.Close()
	}); err != nil {
		return nil, err
	}
	if lerr != nil {
		return nil, ioerr.FromError("", lerr)
	}
	return l, nil
}

// SyscallConn returns the raw connection of the descriptor, so Socket
// implements syscall.Conn (for setsockopt calls through Control, for
// example). Reads and writes through it bypass the Socket's bookkeeping;
// prefer the Socket's own methods.
func (s *Socket) SyscallConn() (syscall.RawConn, error) {
	if !s.ok() {
		return nil, notInitError()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, closedError()
	}
	return s.sfd.fileConn().rc, nil
}
