package qtnet

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/nbio"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
	"golang.org/x/sys/unix"
)

// Defaults of a new LocalServer (LS-01, LS-24).
const (
	DefaultMaxPendingConnections = 30
	DefaultListenBacklogSize     = 50
)

// acceptBurst bounds how many connections one dispatch accepts.
const acceptBurst = 16

// Backoff after an accept failure that more accepting cannot fix now
// (EMFILE, ENFILE, ENOBUFS, ENOMEM): the first pause, doubled up to the last.
const (
	acceptBackoffMin = 5 * time.Millisecond
	acceptBackoffMax = time.Second
)

// LocalServerClass lists LocalServer's virtual methods: an embedding type
// that defines IncomingConnection overrides it (see package object).
type LocalServerClass interface {
	IncomingConnection(fd int)
}

// LocalServer is QLocalServer: a server that accepts local (Unix domain)
// socket connections on a name. Listen, then take each connection with
// NextPendingConnection when NewConnection is emitted (with a running
// loop on the server's context), or with WaitForNewConnection (without one).
//
// It is indistinguishable from Qt's to a Qt client: names resolve the same
// way, the socket file is created the same way for every SocketOptions
// value, errors have Qt's codes and texts. Deliberate differences, each
// documented on its method: Close removes only the socket file the server
// itself created; exactly MaxPendingConnections connections are held;
// a successful Listen clears the previous error; ListenDescriptor on an
// unnamed socket reports IsListening; accept errors do not stop the server.
//
// Every method may be called from any goroutine; NewConnection and
// IncomingConnection run on the server's context (MainContext), or on the
// goroutine inside WaitForNewConnection. The zero value is usable (a
// server on the caller's context); a nil *LocalServer logs a critical and
// does nothing.
type LocalServer struct {
	object.Object

	// NewConnection is QLocalServer::newConnection: emitted once for every
	// connection added to the pending queue (LS-19).
	NewConnection signal.Signal0
	// Options is the "socketOptions" property (Qt 6's bindable
	// QLocalServer::socketOptions); SetSocketOptions sets it.
	Options object.Property[SocketOptions]

	initOnce sync.Once
	wake     notifier

	mu         sync.Mutex
	fd         int
	listening  bool
	name, full string
	abstract   bool
	errCode    SocketError
	errString  string
	pending    []*LocalSocket
	maxPending int
	backlog    int
	created    fileID
	src        *mainloop.Source
	tag        mainloop.FDTag
	acceptOn   bool
	backoff    time.Duration
	retry      *mainloop.Source
	pollers    int
	closeLater []int
	guard      *fdGuard

	// accepted is the descriptor acceptOne is handing to IncomingConnection
	// (-1 otherwise): the default IncomingConnection adopts that one without
	// the checks a descriptor of unknown origin needs (accept4 made it
	// non-blocking and close-on-exec). localName caches the listening
	// socket's own address, which every socket it accepts reports as its
	// local address; localFor is the descriptor it was read from.
	accepted  int
	localName sockName
	localFor  int
}

// sockName is a Unix socket address as QLocalSocket names it.
type sockName struct {
	full            string
	abstract, named bool
}

// fileID is a file's identity, to recognise the socket file we made.
type fileID struct {
	ok       bool
	dev, ino uint64
}

func statID(path string) fileID {
	var st unix.Stat_t
	if unix.Lstat(path, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		return fileID{}
	}
	return fileID{true, st.Dev, st.Ino}
}

// NewLocalServer is QLocalServer::QLocalServer(parent): a server that is
// not listening, living on the caller's context (mainloop.ThreadDefault).
func NewLocalServer(parent *object.Object) *LocalServer {
	s := &LocalServer{}
	s.Init(s)
	if parent != nil {
		s.SetParent(parent)
	}
	return s
}

// Init initialises a LocalServer embedded in a larger type (one that
// overrides IncomingConnection, say); self is the outermost value.
// NewLocalServer calls it.
func (s *LocalServer) Init(self any) {
	s.initOnce.Do(func() {
		s.Object.Init(self)
		s.fd = -1
		s.accepted, s.localFor = -1, -1
		s.errCode = UnknownSocketError
		s.maxPending = DefaultMaxPendingConnections
		s.backlog = DefaultListenBacklogSize
		s.NewConnection.SetOwner(&s.Object)
		_ = s.Options.Install(&s.Object, "socketOptions", NoOptions, object.ExplicitNotify)
		// Qt's destructor closes a listening server.
		s.Object.AddDestroyNotify(func() { s.Close() })
	})
}

func (s *LocalServer) ok(fn string) bool {
	if s == nil {
		logging.Critical(pkg, "QLocalServer::"+fn+": called on a nil *LocalServer")
		return false
	}
	s.Init(s)
	return true
}

// setErrorLocked records a server error; EAGAIN is not recorded (LS-09).
func (s *LocalServer) setErrorLocked(fn string, errno syscall.Errno) *Error {
	code, msg, ok := serverErrorFor(fn, errno)
	if !ok {
		return &Error{Code: s.errCode, Message: s.errString, Errno: errno}
	}
	s.errCode, s.errString = code, msg
	return &Error{Code: code, Message: msg, Errno: errno}
}

// Listen is QLocalServer::listen(name): listen on name (LS-02..LS-11).
//
// The name resolves as in Qt: an abstract name (AbstractNamespaceOption)
// or one starting with '/' is used as is, anything else is put in the
// temporary directory ($TMPDIR, else /tmp). With NoOptions the socket is
// bound at that path and its mode is 0777 minus the umask; an existing file
// there makes Listen fail with AddressInUseError and is left alone (call
// RemoveServer to clear a stale one). With any access option the socket is
// bound inside a new private (0700) directory next to the path, chmodded
// to exactly the options' bits, whatever the umask, and renamed onto the
// path, which atomically replaces what was there (a directory makes it
// fail); so the socket is never reachable by another user with wider
// permissions than asked. Paths are limited to 106 bytes (Qt 6's limit,
// one less than Qt 5's).
//
// Qt's bool becomes an error: nil on success, else an *Error with Qt's
// code and text, which ServerError and ErrorString report too. Already
// listening, it logs Qt's warning and returns an OperationError error,
// leaving the server and its error state as they are (LS-03).
//
// Differs from Qt: a successful Listen clears the previous error (LS-11);
// a path name containing a NUL byte fails with HostNotFoundError (Qt 6
// binds the name cut at the NUL and then cannot remove it); a failed Listen
// never deletes a file it did not create.
func (s *LocalServer) Listen(name string) error {
	if !s.ok("listen") {
		return &Error{Code: UnknownSocketError, Message: "QLocalServer::listen: nil server"}
	}
	const fn = "QLocalServer::listen"
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listening {
		logging.Warning(pkg, "QLocalServer::listen() called when already listening")
		return &Error{Code: OperationError, Message: "QLocalServer::listen() called when already listening"}
	}
	nameError := func() error {
		s.errCode, s.errString = HostNotFoundError, fn+": Name error"
		return &Error{Code: HostNotFoundError, Message: s.errString, Errno: syscall.ENOENT}
	}
	if name == "" {
		return nameError()
	}
	opts := s.Options.Get().effective()
	abstract := opts&AbstractNamespaceOption != 0
	full := resolveName(name, abstract)
	if !abstract && strings.IndexByte(full, 0) >= 0 {
		return nameError()
	}
	if len(full)+2 > 108 {
		// Qt reports whatever errno was left over; a fresh process says 0.
		s.errCode, s.errString = UnknownSocketError, fn+": Unknown error 0"
		return &Error{Code: UnknownSocketError, Message: s.errString, Errno: syscall.ENAMETOOLONG}
	}
	fd, id, err := bindListen(full, opts, s.backlog)
	if err != 0 {
		return s.setErrorLocked(fn, err)
	}
	s.fd, s.name, s.full, s.abstract, s.created = fd, name, full, abstract, id
	s.listening = true
	s.errCode, s.errString = UnknownSocketError, ""
	s.startLocked()
	return nil
}

// bindListen creates, binds and listens (LS-07, LS-08). On failure it
// removes only what it created itself.
func bindListen(full string, opts SocketOptions, backlog int) (int, fileID, syscall.Errno) {
	access := opts&WorldAccessOption != 0 && opts&AbstractNamespaceOption == 0
	bindPath := full
	var tmpDir string
	if access {
		d, errno := makePrivateDir(filepath.Dir(full))
		if errno != 0 {
			return -1, fileID{}, errno
		}
		tmpDir = d
		bindPath = d + "/s"
		if len(bindPath)+1 > 108 {
			os.Remove(tmpDir)
			return -1, fileID{}, syscall.ENAMETOOLONG
		}
	}
	cleanup := func() {
		if tmpDir != "" {
			unix.Unlink(bindPath)
			unix.Rmdir(tmpDir)
		}
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		cleanup()
		return -1, fileID{}, errnoOf(err)
	}
	fail := func(err error) (int, fileID, syscall.Errno) {
		unix.Close(fd)
		cleanup()
		return -1, fileID{}, errnoOf(err)
	}
	if err := unix.Bind(fd, sockaddr(bindPath, opts&AbstractNamespaceOption != 0)); err != nil {
		return fail(err)
	}
	if err := unix.Listen(fd, backlog); err != nil {
		if opts&AbstractNamespaceOption == 0 && tmpDir == "" {
			unix.Unlink(bindPath) // we bound it: it is ours
		}
		return fail(err)
	}
	if opts&AbstractNamespaceOption != 0 {
		return fd, fileID{}, 0
	}
	if access {
		if err := unix.Chmod(bindPath, opts.fileMode()); err != nil {
			return fail(err)
		}
		id := statID(bindPath)
		if err := unix.Rename(bindPath, full); err != nil {
			return fail(err)
		}
		unix.Rmdir(tmpDir)
		return fd, id, 0
	}
	return fd, statID(full), 0
}

// makePrivateDir is QTemporaryDir(dir + "/"): a new 0700 directory named
// like Qt's (".XXXXXX") in dir.
func makePrivateDir(dir string) (string, syscall.Errno) {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for range 100 {
		var b [6]byte
		_, _ = rand.Read(b[:])
		for i := range b {
			b[i] = letters[int(b[i])%len(letters)]
		}
		p := strings.TrimSuffix(dir, "/") + "/." + string(b[:])
		err := unix.Mkdir(p, 0o700)
		if err == nil {
			return p, 0
		}
		if errnoOf(err) != syscall.EEXIST {
			return "", errnoOf(err)
		}
	}
	return "", syscall.EEXIST
}

// ListenDescriptor is QLocalServer::listen(socketDescriptor): adopt fd, a
// Unix stream socket that is already bound and listening; it is made
// close-on-exec and non-blocking (LS-15). The names come from its address
// (Qt 6's way): a path gives FullServerName = path and ServerName = its
// last element, an abstract name gives both and adds
// AbstractNamespaceOption to SocketOptions. Close closes fd, and removes
// the path if it still is the socket file that was there when fd was
// adopted.
//
// Differs from Qt: a socket without a name (one end of a socketpair, say)
// reports IsListening (Qt returns true but then reports not listening and
// cannot be closed). An fd that is not open fails with Qt's
// UnknownSocketError text for EBADF.
func (s *LocalServer) ListenDescriptor(fd int) error {
	if !s.ok("listen") {
		return &Error{Code: UnknownSocketError, Message: "QLocalServer::listen: nil server"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listening {
		logging.Warning(pkg, "QLocalServer::listen() called when already listening")
		return &Error{Code: OperationError, Message: "QLocalServer::listen() called when already listening"}
	}
	if fd < 0 {
		return s.setErrorLocked("QLocalServer::listen", syscall.EBADF)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0); err != nil {
		return s.setErrorLocked("QLocalServer::listen", errnoOf(err))
	}
	unix.CloseOnExec(fd)
	_ = unix.SetNonblock(fd, true)
	full, abstract, named := rawName(fd, false)
	s.fd, s.full, s.abstract, s.name = fd, "", false, ""
	s.created = fileID{}
	if named {
		s.full, s.abstract, s.name = full, abstract, describe(full, abstract)
		if !abstract {
			s.created = statID(full)
		}
	}
	s.listening = true
	s.errCode, s.errString = UnknownSocketError, ""
	s.mu.Unlock()
	if named {
		o := s.Options.Get() &^ AbstractNamespaceOption
		if abstract {
			o |= AbstractNamespaceOption
		}
		s.Options.Set(o)
	}
	s.mu.Lock()
	if s.fd == fd && s.listening && s.src == nil {
		s.startLocked()
	}
	return nil
}

// startLocked attaches the accept watch to the server's context.
func (s *LocalServer) startLocked() {
	s.guard = guardFD(s, s.fd)
	src := mainloop.NewSource(mainloop.SourceFuncs{})
	s.acceptOn = s.maxPending > 0
	var ev mainloop.IOCondition
	if s.acceptOn {
		ev = mainloop.IOIn
	}
	s.src = src
	s.tag = src.AddUnixFD(s.fd, ev)
	s.backoff = 0
	src.SetCallback(func() bool { s.acceptReady(src); return mainloop.SourceContinue })
	src.Attach(s.MainContext())
}

// setAcceptLocked turns the accept watch on or off.
func (s *LocalServer) setAcceptLocked(on bool) {
	if s.src == nil || s.acceptOn == on || s.retry != nil {
		return
	}
	s.acceptOn = on
	ev := mainloop.IOCondition(0)
	if on {
		ev = mainloop.IOIn
	}
	s.src.ModifyUnixFD(s.tag, ev)
}

// acceptReady is _q_onNewConnection, for the loop: accept while fewer than
// MaxPendingConnections connections are pending (LS-16, LS-17 fixed).
func (s *LocalServer) acceptReady(src *mainloop.Source) {
	for range acceptBurst {
		s.mu.Lock()
		if s.src != src || !s.listening {
			s.mu.Unlock()
			return
		}
		if len(s.pending) >= s.maxPending {
			s.setAcceptLocked(false)
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		if accepted, again := s.acceptOne("QLocalSocket::activated"); !accepted && !again {
			return
		}
	}
}

// acceptOne accepts one connection and hands it to IncomingConnection. It
// reports whether one was accepted, and whether trying again at once makes
// sense when not. An error that waiting can cure does not close the server
// (differs from Qt, LS-16): ECONNABORTED is skipped, a lack of descriptors
// or memory is logged, recorded as Qt would, and the watch pauses for a
// growing backoff. A descriptor that is not a listening socket (EINVAL,
// ENOTSOCK, EBADF) closes the server with Qt's error, as in Qt.
func (s *LocalServer) acceptOne(fn string) (accepted, again bool) {
	s.mu.Lock()
	fd := s.fd
	if fd < 0 {
		s.mu.Unlock()
		return false, false
	}
	s.pollers++
	s.mu.Unlock()
	nfd, err := nbio.Accept(fd)
	s.mu.Lock()
	s.donePollLocked()
	if s.fd != fd {
		s.mu.Unlock()
		if err == nil {
			unix.Close(nfd)
		}
		return false, false
	}
	if err != nil {
		e := errnoOf(err)
		switch e {
		case syscall.EAGAIN, syscall.EINTR, syscall.ECONNABORTED, syscall.EPROTO:
			s.mu.Unlock()
			return false, e != syscall.EAGAIN
		case syscall.EBADF, syscall.EINVAL, syscall.ENOTSOCK, syscall.EOPNOTSUPP:
			// Not a listening socket (ListenDescriptor does not check):
			// waiting cannot help, so this closes the server as Qt does.
			s.setErrorLocked(fn, e)
			pending := s.pending
			s.pending = nil
			s.closeServerLocked()
			msg := s.errString
			s.mu.Unlock()
			s.wake.notify()
			logging.Warning(pkg, msg+" (not a listening socket: server closed)")
			for _, p := range pending {
				p.Destroy()
			}
			return false, false
		}
		s.setErrorLocked(fn, e)
		s.pauseAcceptLocked()
		msg := s.errString
		s.mu.Unlock()
		logging.Warning(pkg, msg+" (accepting again after a pause)")
		return false, false
	}
	s.backoff = 0
	s.accepted = nfd
	s.mu.Unlock()
	object.Virtual[LocalServerClass](&s.Object, s).IncomingConnection(nfd)
	s.mu.Lock()
	if s.accepted == nfd {
		s.accepted = -1
	}
	s.mu.Unlock()
	return true, false
}

// pauseAcceptLocked stops accepting for the current backoff.
func (s *LocalServer) pauseAcceptLocked() {
	if s.src == nil || s.retry != nil {
		return
	}
	if s.backoff == 0 {
		s.backoff = acceptBackoffMin
	} else if s.backoff *= 2; s.backoff > acceptBackoffMax {
		s.backoff = acceptBackoffMax
	}
	s.src.ModifyUnixFD(s.tag, 0)
	s.acceptOn = false
	src := s.src
	t := mainloop.NewTimeoutSource(s.backoff)
	t.SetCallback(func() bool {
		s.mu.Lock()
		if s.retry == t {
			s.retry = nil
			if s.src == src {
				s.setAcceptLocked(len(s.pending) < s.maxPending)
			}
		}
		s.mu.Unlock()
		return mainloop.SourceRemove
	})
	s.retry = t
	t.Attach(s.MainContext())
}

func (s *LocalServer) donePollLocked() {
	s.pollers--
	if s.pollers == 0 {
		for _, fd := range s.closeLater {
			unix.Close(fd)
		}
		s.closeLater = s.closeLater[:0]
	}
}

// IncomingConnection is QLocalServer::incomingConnection, the virtual
// method called with each accepted descriptor (LS-14). This default makes
// a LocalSocket (its parent the server, on the server's context), gives it
// fd in ConnectedState, ReadWrite, and calls AddPendingConnection. An
// override that does not chain up (or call AddPendingConnection) owns fd.
func (s *LocalServer) IncomingConnection(fd int) {
	if !s.ok("incomingConnection") {
		unix.Close(fd)
		return
	}
	sock := &LocalSocket{}
	sock.Init(sock)
	if ctx := s.MainContext(); sock.MainContext() != ctx {
		_ = sock.MoveToContext(ctx)
	}
	sock.SetParent(&s.Object)
	if local, ok := s.acceptedName(fd); ok {
		// The descriptor acceptOne just made: SetSocketDescriptor's
		// naming with the listening socket's address read once.
		sock.adoptAccepted(fd, local)
		s.AddPendingConnection(sock)
		return
	}
	if err := sock.SetSocketDescriptor(fd, ConnectedState, ReadWrite); err != nil {
		unix.Close(fd)
		sock.Destroy()
		return
	}
	s.AddPendingConnection(sock)
}

// acceptedName reports whether fd is the descriptor acceptOne is handing
// over, and the listening socket's address (read on the first accept).
func (s *LocalServer) acceptedName(fd int) (sockName, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fd < 0 || fd != s.accepted || s.fd < 0 {
		return sockName{}, false
	}
	s.accepted = -1
	if s.localFor != s.fd {
		full, abstract, named := rawName(s.fd, false)
		s.localName, s.localFor = sockName{full, abstract, named}, s.fd
	}
	return s.localName, true
}

// AddPendingConnection is QLocalServer::addPendingConnection (Qt 6.8): it
// appends sock to the pending queue and emits NewConnection, for
// IncomingConnection overrides.
func (s *LocalServer) AddPendingConnection(sock *LocalSocket) {
	if !s.ok("addPendingConnection") {
		return
	}
	if sock == nil {
		logging.Critical(pkg, "QLocalServer::addPendingConnection: nil socket")
		return
	}
	s.mu.Lock()
	s.pending = append(s.pending, sock)
	s.mu.Unlock()
	s.wake.notify()
	s.NewConnection.Emit()
}

// HasPendingConnections is QLocalServer::hasPendingConnections (LS-18).
func (s *LocalServer) HasPendingConnections() bool {
	return field(s, "hasPendingConnections", false, func() bool { return len(s.pending) > 0 })
}

// NextPendingConnection is QLocalServer::nextPendingConnection: the oldest
// accepted connection, already connected, its parent the server (so it is
// destroyed with the server unless reparented), or nil when none is
// pending (LS-18). Taking one lets the server accept again if the queue was
// full (LS-17).
func (s *LocalServer) NextPendingConnection() *LocalSocket {
	if !s.ok("nextPendingConnection") {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) == 0 {
		return nil
	}
	sock := s.pending[0]
	s.pending[0] = nil
	s.pending = s.pending[1:]
	if len(s.pending) == 0 {
		s.pending = s.pending[:0:0]
	}
	if len(s.pending) < s.maxPending {
		s.setAcceptLocked(true)
	}
	return sock
}

// MaxPendingConnections is QLocalServer::maxPendingConnections (default 30).
func (s *LocalServer) MaxPendingConnections() int {
	return field(s, "maxPendingConnections", 0, func() int { return s.maxPending })
}

// SetMaxPendingConnections is QLocalServer::setMaxPendingConnections: the
// loop accepts connections while fewer than n are pending; the others wait
// in the kernel's backlog (clients there already see ConnectedState) and
// are accepted as NextPendingConnection drains the queue. 0 or less means
// the loop accepts nothing (WaitForNewConnection still does). As in Qt
// there is no range check.
//
// Differs from Qt: exactly n are held; Qt's loop accepts up to n+2 (LS-17).
func (s *LocalServer) SetMaxPendingConnections(n int) {
	update(s, "setMaxPendingConnections", func() {
		s.maxPending = n
		if s.listening {
			s.setAcceptLocked(len(s.pending) < n)
		}
	})
}

// ListenBacklogSize is QLocalServer::listenBacklogSize (Qt 6.3; default 50).
func (s *LocalServer) ListenBacklogSize() int {
	return field(s, "listenBacklogSize", 0, func() int { return s.backlog })
}

// SetListenBacklogSize is QLocalServer::setListenBacklogSize: the backlog
// passed to listen(2) by the next Listen (LS-24).
func (s *LocalServer) SetListenBacklogSize(n int) {
	update(s, "setListenBacklogSize", func() {
		s.backlog = n
	})
}

// SetSocketOptions is QLocalServer::setSocketOptions: how the next Listen
// creates the socket (LS-22). It must be called before Listen: while
// listening it logs a warning, and the options apply to the next Listen
// (Close still treats the current socket as it was created).
func (s *LocalServer) SetSocketOptions(o SocketOptions) {
	if !s.ok("setSocketOptions") {
		return
	}
	if s.IsListening() {
		logging.Warning(pkg, "QLocalServer::setSocketOptions() called while listening; it applies to the next listen()")
	}
	s.Options.Set(o)
}

// SocketOptions is QLocalServer::socketOptions: what was set (LS-22), plus
// AbstractNamespaceOption after ListenDescriptor of an abstract socket.
func (s *LocalServer) SocketOptions() SocketOptions {
	// One field() line per Qt accessor, like LocalSocket's: Qt's API has one getter per property.
	return field(s, "socketOptions", NoOptions, func() SocketOptions { return s.Options.Get() })
}

// IsListening is QLocalServer::isListening (LS-02).
func (s *LocalServer) IsListening() bool {
	return field(s, "isListening", false, func() bool { return s.listening })
}

// ServerName is QLocalServer::serverName: the name given to Listen, "" when
// not listening (LS-05).
func (s *LocalServer) ServerName() string {
	return field(s, "serverName", "", func() string { return s.name })
}

// FullServerName is QLocalServer::fullServerName: the resolved path (or
// abstract name), "" when not listening (LS-05).
func (s *LocalServer) FullServerName() string {
	return field(s, "fullServerName", "", func() string { return s.full })
}

// SocketDescriptor is QLocalServer::socketDescriptor: the listening
// descriptor, -1 when not listening (LS-12).
func (s *LocalServer) SocketDescriptor() int {
	return field(s, "socketDescriptor", -1, func() int { return s.fd })
}

// ServerError is QLocalServer::serverError: the last error's code,
// UnknownSocketError when there is none (LS-01).
func (s *LocalServer) ServerError() SocketError {
	return field(s, "serverError", UnknownSocketError, func() SocketError { return s.errCode })
}

// ErrorString is QLocalServer::errorString: the last error's text, ""
// when there is none.
func (s *LocalServer) ErrorString() string {
	return field(s, "errorString", "", func() string { return s.errString })
}

// Close is QLocalServer::close: stop listening. Connections not yet taken
// with NextPendingConnection are destroyed; those already taken are not
// affected. The error is reset. Not listening, it does nothing (LS-13).
//
// Differs from Qt: the socket file is removed only if it still is the one
// this server created (same device and inode), so Close never deletes the
// socket of another server that took the name meanwhile (LS-13 fixed).
func (s *LocalServer) Close() {
	if !s.ok("close") {
		return
	}
	s.mu.Lock()
	if !s.listening {
		s.mu.Unlock()
		return
	}
	pending := s.pending
	s.pending = nil
	s.closeServerLocked()
	s.errCode, s.errString = UnknownSocketError, ""
	s.mu.Unlock()
	s.wake.notify()
	for _, p := range pending {
		p.Destroy()
	}
}

// closeServerLocked is closeServer: drop the watch, close the descriptor,
// remove our socket file, clear the names.
func (s *LocalServer) closeServerLocked() {
	if s.retry != nil {
		s.retry.Destroy()
		s.retry = nil
	}
	if s.src != nil {
		s.src.RemoveUnixFD(s.tag)
		s.src.Destroy()
		s.src = nil
		s.tag = mainloop.FDTag{}
	}
	s.guard.release()
	s.guard = nil
	if s.fd >= 0 {
		if s.pollers > 0 {
			s.closeLater = append(s.closeLater, s.fd)
		} else {
			unix.Close(s.fd)
		}
	}
	s.fd = -1
	s.accepted, s.localFor, s.localName = -1, -1, sockName{} // a new descriptor may reuse the number
	if s.full != "" && !s.abstract && s.created.ok {
		if statID(s.full) == s.created {
			unix.Unlink(s.full)
		}
	}
	s.created = fileID{}
	s.listening = false
	s.acceptOn = false
	s.name, s.full, s.abstract = "", "", false
}

// WaitForNewConnection is QLocalServer::waitForNewConnection: it waits up
// to msec (-1: forever) for a connection, accepts one (ignoring
// MaxPendingConnections; NewConnection is emitted), and reports whether
// one is pending and whether it timed out (LS-20). Like Qt it can report
// ok together with timedOut when older connections were pending. Not
// listening, it returns (false, false) at once. It works without a running
// loop.
func (s *LocalServer) WaitForNewConnection(msec int) (ok, timedOut bool) {
	if !s.ok("waitForNewConnection") {
		return false, false
	}
	if !s.IsListening() {
		return false, false
	}
	deadline := deadlineFor(msec)
	accepted := false
	s.mu.Lock()
	before := len(s.pending)
	s.mu.Unlock()
	var seen bool
	blockingWait(s.MainContext(), deadline, &s.wake, func() bool {
		if accepted || !s.IsListening() {
			return true
		}
		// Another goroutine runs the loop: it accepts for us.
		s.mu.Lock()
		defer s.mu.Unlock()
		seen = len(s.pending) > before
		return seen
	}, func(ms int) {
		s.mu.Lock()
		fd := s.fd
		if fd < 0 {
			s.mu.Unlock()
			return
		}
		s.pollers++
		s.mu.Unlock()
		cond := pollFD(fd, unix.POLLIN, ms)
		s.mu.Lock()
		s.donePollLocked()
		same := s.fd == fd
		s.mu.Unlock()
		if !same || cond == 0 {
			return
		}
		if cond&mainloop.IONval != 0 {
			s.mu.Lock()
			s.setErrorLocked("QLocalServer::waitForNewConnection", syscall.EBADF)
			s.mu.Unlock()
			return
		}
		accepted, _ = s.acceptOne("QLocalServer::waitForNewConnection")
	})
	timedOut = !accepted && !seen && s.IsListening()
	return s.HasPendingConnections(), timedOut
}
