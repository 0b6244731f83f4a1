package qtnet

import (
	"bytes"
	"io"
	"net"
	"os"
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

const pkg = "qtnet"

// readChunk is how much one read(2) may bring in (the size the anchors'
// echo servers use).
const readChunk = 64 * 1024

// connectRetry and connectTimeout drive a connect that found the server's
// backlog full (EAGAIN): retried every connectRetry, given up after
// QT_CONNECT_TIMEOUT (LK-05).
const (
	connectRetry   = 10 * time.Millisecond
	connectTimeout = 30 * time.Second
)

// LocalSocket is QLocalSocket: one end of a local (Unix domain, stream)
// connection, a sequential QIODevice. Make one with NewLocalSocket and
// ConnectToServer, or get one from LocalServer.NextPendingConnection.
//
// Reads are buffered: when the descriptor is readable, the socket's context
// reads what arrived into the read buffer and emits ReadyRead once for it.
// As in Qt, ReadyRead is not emitted again for data that is already
// buffered: a handler must consume what it wants (loop while CanReadLine,
// say), the rest stays until more data arrives. Writes are buffered too:
// Write only appends, and the context writes the buffer out when the
// descriptor is writable (or at the end of the dispatch that wrote, when
// the write was made from one of the socket's own handlers) and emits
// BytesWritten.
//
// It is a net.Conn: Read blocks until data is buffered (see Read), Write
// never blocks, Close is Qt's close.
//
// Signals caused by I/O are emitted on the socket's context (MainContext),
// or on the goroutine inside a WaitForXxx call that found the context free;
// signals caused by a method call (ConnectToServer, Close, Abort,
// DisconnectFromServer) are emitted by that call, synchronously, as in Qt.
// Every method may be called from any goroutine.
//
// The zero value is usable (an unconnected socket on the caller's context);
// a nil *LocalSocket logs a critical and does nothing.
type LocalSocket struct {
	object.Object

	// Connected is QLocalSocket::connected: the connection is established.
	Connected signal.Signal0
	// Disconnected is QLocalSocket::disconnected: a connection ended.
	Disconnected signal.Signal0
	// ReadyRead is QIODevice::readyRead: new data was buffered.
	ReadyRead signal.Signal0
	// BytesWritten is QIODevice::bytesWritten: that many buffered bytes
	// went to the kernel.
	BytesWritten signal.Signal1[int64]
	// ErrorOccurred is QLocalSocket::errorOccurred.
	ErrorOccurred signal.Signal1[SocketError]
	// StateChanged is QLocalSocket::stateChanged.
	StateChanged signal.Signal1[LocalSocketState]
	// ReadChannelFinished is QIODevice::readChannelFinished: no more data
	// will arrive (what is buffered can still be read).
	ReadChannelFinished signal.Signal0
	// AboutToClose is QIODevice::aboutToClose: the device is being closed.
	AboutToClose signal.Signal0
	// Options is the "socketOptions" property (Qt 6's bindable
	// QLocalSocket::socketOptions); SetSocketOptions sets it.
	Options object.Property[SocketOptions]

	initOnce sync.Once
	wake     notifier

	mu             sync.Mutex
	state          LocalSocketState
	fd             int // the connected descriptor, -1 without one
	connFD         int // the descriptor of a connect in progress, -1
	mode           OpenMode
	serverName     string
	fullServerName string
	connectingName string
	connectingMode OpenMode
	errCode        SocketError
	errString      string
	rbuf           []byte
	roff           int
	rbufMax        int64
	wbuf           []byte
	woff           int
	src            *mainloop.Source
	tag            mainloop.FDTag
	events         mainloop.IOCondition
	dispatching    int
	flushPending   bool
	inReadyRead    bool
	inBytesWritten bool
	writing        bool // a writeOut is in its write(2) loop
	guard          *fdGuard
	readSeq        uint64
	writeSeq       uint64
	pollers        int
	closeAfterPoll []int
	// unixFD: fd is an AF_UNIX socket qtnet made or accepted, whose close
	// never blocks (closeFDLocked closes it with a raw call); false for a
	// descriptor given to SetSocketDescriptor, which may be anything.
	unixFD        bool
	retry, abortT *mainloop.Source
	rdeadline     time.Time
	wdeadline     time.Time
}

// NewLocalSocket is QLocalSocket::QLocalSocket(parent): an unconnected
// socket living on the caller's context (mainloop.ThreadDefault).
func NewLocalSocket(parent *object.Object) *LocalSocket {
	s := &LocalSocket{}
	s.Init(s)
	if parent != nil {
		s.SetParent(parent)
	}
	return s
}

// Init initialises a LocalSocket embedded in a larger type; self is the
// outermost value (see package object). NewLocalSocket calls it.
func (s *LocalSocket) Init(self any) {
	s.initOnce.Do(func() {
		s.Object.Init(self)
		s.fd, s.connFD = -1, -1
		s.errCode = UnknownSocketError
		for _, sig := range []*signal.Signal0{&s.Connected, &s.Disconnected, &s.ReadyRead, &s.ReadChannelFinished, &s.AboutToClose} {
			sig.SetOwner(&s.Object)
		}
		s.BytesWritten.SetOwner(&s.Object)
		s.ErrorOccurred.SetOwner(&s.Object)
		s.StateChanged.SetOwner(&s.Object)
		_ = s.Options.Install(&s.Object, "socketOptions", NoOptions, object.ExplicitNotify)
		// Qt's destructor calls abort(); Destroy (or the parent server's) does too.
		s.Object.AddDestroyNotify(func() { s.Abort() })
	})
}

// ok is the nil and zero-value guard of every method.
func (s *LocalSocket) ok(fn string) bool {
	if s == nil {
		logging.Critical(pkg, "QLocalSocket::"+fn+": called on a nil *LocalSocket")
		return false
	}
	s.Init(s)
	return true
}

// ServerName is QLocalSocket::serverName: the name given to SetServerName
// or ConnectToServer (kept while connected, cleared on disconnection).
func (s *LocalSocket) ServerName() string {
	return field(s, "serverName", "", func() string { return s.serverName })
}

// FullServerName is QLocalSocket::fullServerName: the path (or abstract
// name) the socket is connected to.
func (s *LocalSocket) FullServerName() string {
	return field(s, "fullServerName", "", func() string { return s.fullServerName })
}

// SetServerName is QLocalSocket::setServerName: the name the next
// ConnectToServer or Open uses. Refused with Qt's warning unless the socket
// is unconnected (LK-03).
func (s *LocalSocket) SetServerName(name string) {
	if !s.ok("setServerName") {
		return
	}
	s.mu.Lock()
	if s.state != UnconnectedState {
		s.mu.Unlock()
		logging.Warning(pkg, "QLocalSocket::setServerName() called while not in unconnected state")
		return
	}
	s.serverName = name
	s.mu.Unlock()
}

// SetSocketOptions is QLocalSocket::setSocketOptions: only
// AbstractNamespaceOption means something to a client. Refused with Qt's
// warning unless the socket is unconnected (LK-03); the access options are
// server-only and are refused with a warning.
func (s *LocalSocket) SetSocketOptions(o SocketOptions) {
	if !s.ok("setSocketOptions") {
		return
	}
	st := s.State()
	if st != UnconnectedState {
		logging.Warning(pkg, "QLocalSocket::setSocketOptions() called while not in unconnected state")
		return
	}
	if o&WorldAccessOption != 0 {
		logging.Warning(pkg, "QLocalSocket::setSocketOptions: access options ("+(o&WorldAccessOption).String()+") only apply to a LocalServer; ignored")
		o &^= WorldAccessOption
	}
	s.Options.Set(o)
}

// SocketOptions is QLocalSocket::socketOptions.
func (s *LocalSocket) SocketOptions() SocketOptions {
	return field(s, "socketOptions", NoOptions, func() SocketOptions { return s.Options.Get() })
}

// State is QLocalSocket::state.
func (s *LocalSocket) State() LocalSocketState {
	return field(s, "state", UnconnectedState, func() LocalSocketState { return s.state })
}

// Error is QLocalSocket::error: the last error's code, UnknownSocketError
// when there was none.
func (s *LocalSocket) Error() SocketError {
	return field(s, "error", UnknownSocketError, func() SocketError { return s.errCode })
}

// ErrorString is QIODevice::errorString: the last error's text, Qt's
// "Unknown error" when there was none (LK-02).
func (s *LocalSocket) ErrorString() string {
	if !s.ok("errorString") {
		return "Unknown error"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.errString == "" {
		return "Unknown error"
	}
	return s.errString
}

// LastError returns the last error as an *Error (Error and ErrorString),
// or nil if there was none.
func (s *LocalSocket) LastError() error {
	if !s.ok("error") {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.errString == "" {
		return nil
	}
	return &Error{Code: s.errCode, Message: s.errString}
}

// IsValid is QLocalSocket::isValid: whether the socket has a descriptor
// (connected or closing).
func (s *LocalSocket) IsValid() bool {
	return field(s, "isValid", false, func() bool { return s.fd >= 0 })
}

// IsOpen is QIODevice::isOpen.
func (s *LocalSocket) IsOpen() bool {
	return field(s, "isOpen", false, func() bool { return s.mode != NotOpen })
}

// OpenMode is QIODevice::openMode.
func (s *LocalSocket) OpenMode() OpenMode {
	return field(s, "openMode", NotOpen, func() OpenMode { return s.mode })
}

// IsSequential is QIODevice::isSequential: always true.
func (s *LocalSocket) IsSequential() bool { return true }

// SocketDescriptor is QLocalSocket::socketDescriptor: the connected
// descriptor, -1 without one. It is O_NONBLOCK, as Qt's is, and must stay
// so: the socket reads and writes it without the runtime's syscall
// bookkeeping (internal/nbio), which is only correct for calls that cannot
// block.
func (s *LocalSocket) SocketDescriptor() int {
	return field(s, "socketDescriptor", -1, func() int { return s.fd })
}

// ConnectToServer is QLocalSocket::connectToServer(name, ReadWrite):
// SetServerName(name), then connect (LK-03, LK-05). The name resolves as in
// LocalServer.Listen. On Linux a local connect completes or fails at once:
// before ConnectToServer returns, StateChanged(ConnectingState) and then
// either StateChanged(ConnectedState) and Connected, or ErrorOccurred and
// StateChanged(UnconnectedState) (LK-06) have been emitted. Only when the
// server's backlog is full does the socket stay in ConnectingState; it
// retries and gives up silently after 30 s (Qt's QT_CONNECT_TIMEOUT).
//
// Called while connecting or connected, it changes nothing but the error
// string (Qt's "QLocalSocket::connectToserver: Operation not permitted when
// socket is in this state", its typo kept) and emits
// ErrorOccurred(OperationError) (LK-04).
//
// Differs from Qt: a path name containing a NUL byte fails with
// ServerNotFoundError (Qt 6 silently connects to the name cut at the NUL).
func (s *LocalSocket) ConnectToServer(name string) {
	if !s.ok("connectToServer") {
		return
	}
	st := s.State()
	if st == UnconnectedState {
		s.SetServerName(name)
	}
	s.connectToServer(ReadWrite)
}

// Open is QLocalSocket::open(mode): connect to ServerName with the given
// open mode; it reports IsOpen afterwards (LK-03).
func (s *LocalSocket) Open(mode OpenMode) bool {
	if !s.ok("open") {
		return false
	}
	s.connectToServer(mode)
	return s.IsOpen()
}

func (s *LocalSocket) connectToServer(mode OpenMode) {
	s.mu.Lock()
	if s.state == ConnectedState || s.state == ConnectingState {
		s.errString = socketErrorString(OperationError, "QLocalSocket::connectToserver", 0)
		s.mu.Unlock()
		s.ErrorOccurred.Emit(OperationError)
		return
	}
	s.errString = ""
	s.state = ConnectingState
	s.mu.Unlock()
	s.StateChanged.Emit(ConnectingState)

	s.mu.Lock()
	if s.state != ConnectingState { // a handler aborted
		s.mu.Unlock()
		return
	}
	if s.serverName == "" {
		s.mu.Unlock()
		s.setErrorAndEmit(ServerNotFoundError, "QLocalSocket::connectToServer", 0)
		return
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		s.mu.Unlock()
		s.setErrorAndEmit(UnsupportedSocketOperationError, "QLocalSocket::connectToServer", errnoOf(err))
		return
	}
	s.connFD = fd
	s.connectingName = s.serverName
	s.connectingMode = mode
	s.mu.Unlock()
	s.tryConnect()
}

// tryConnect is _q_connectToSocket: one connect(2) of the pending attempt.
func (s *LocalSocket) tryConnect() {
	s.mu.Lock()
	if s.state != ConnectingState || s.connFD < 0 {
		s.mu.Unlock()
		return
	}
	fd, name := s.connFD, s.connectingName
	abstract := s.Options.Get()&AbstractNamespaceOption != 0
	s.mu.Unlock()
	const fn = "QLocalSocket::connectToServer"
	full := resolveName(name, abstract)
	if len(full)+2 > 108 || (!abstract && strings.IndexByte(full, 0) >= 0) {
		s.setErrorAndEmit(ServerNotFoundError, fn, 0)
		return
	}
	err := unix.Connect(fd, sockaddr(full, abstract))
	switch e := errnoOf(err); e {
	case 0:
	case syscall.EAGAIN:
		s.scheduleRetry()
		return
	default:
		code, ok := connectErrors[e]
		if !ok {
			code = UnknownSocketError
		}
		s.setErrorAndEmit(code, fn, e)
		return
	}
	s.mu.Lock()
	if s.state != ConnectingState || s.connFD != fd {
		s.mu.Unlock()
		return
	}
	s.cancelConnectLocked(false)
	mode := s.connectingMode
	s.connectingName = ""
	s.serverName, s.fullServerName = name, full
	s.unixFD = true // made by connectUnix: an AF_UNIX socket
	s.mu.Unlock()
	if err := s.attach(fd, ConnectedState, mode); err != nil {
		unix.Close(fd)
		s.setErrorAndEmit(UnknownSocketError, fn, errnoOf(err))
		return
	}
	s.Connected.Emit()
}

// scheduleRetry arms the retry and the give-up timers of a connect that
// found the backlog full.
func (s *LocalSocket) scheduleRetry() {
	ctx := s.MainContext()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != ConnectingState {
		return
	}
	if s.retry == nil {
		r := mainloop.NewTimeoutSource(connectRetry)
		r.SetCallback(func() bool { s.tryConnect(); return mainloop.SourceContinue })
		r.Attach(ctx)
		s.retry = r
	}
	if s.abortT == nil {
		a := mainloop.NewTimeoutSource(connectTimeout)
		a.SetCallback(func() bool { s.Close(); return mainloop.SourceRemove })
		a.Attach(ctx)
		s.abortT = a
	}
}

// cancelConnectLocked is cancelDelayedConnect, plus closing the pending
// descriptor when closeFD.
func (s *LocalSocket) cancelConnectLocked(closeFD bool) {
	if s.retry != nil {
		s.retry.Destroy()
		s.retry = nil
	}
	if s.abortT != nil {
		s.abortT.Destroy()
		s.abortT = nil
	}
	if closeFD && s.connFD >= 0 {
		s.closeFDLocked(s.connFD)
	}
	s.connFD = -1
}

// setErrorAndEmit is QLocalSocketPrivate::setErrorAndEmit (LK-06): record
// the error, emit ErrorOccurred, go unconnected, close, and emit
// StateChanged(UnconnectedState) if the state changed.
func (s *LocalSocket) setErrorAndEmit(code SocketError, fn string, errno syscall.Errno) {
	s.mu.Lock()
	s.errCode = code
	s.errString = socketErrorString(code, fn, errno)
	changed := s.state != UnconnectedState
	s.state = UnconnectedState
	s.mu.Unlock()
	s.wake.notify()
	s.ErrorOccurred.Emit(code)
	s.closeDevice()
	s.mu.Lock()
	s.cancelConnectLocked(true)
	s.releaseEngineLocked()
	s.serverName, s.fullServerName = "", ""
	s.mu.Unlock()
	if changed {
		s.StateChanged.Emit(UnconnectedState)
	}
}

// SetSocketDescriptor is QLocalSocket::setSocketDescriptor: adopt fd, an
// already connected Unix stream socket, with the given state and open
// mode (Qt's defaults are ConnectedState and ReadWrite). The names come
// from the peer's address, else the socket's own (LK-13; Qt 6's naming).
// Two sockets must not share one descriptor. It emits nothing.
//
// Qt's bool becomes an error: with an invalid fd it fails (as in Qt, the
// state and open mode are still set). A state that is not one of the
// LocalSocketState values is refused with an error and changes nothing.
func (s *LocalSocket) SetSocketDescriptor(fd int, state LocalSocketState, mode OpenMode) error {
	if !s.ok("setSocketDescriptor") {
		return &Error{Code: UnknownSocketError, Message: "QLocalSocket::setSocketDescriptor: nil socket"}
	}
	switch state {
	case UnconnectedState, ConnectingState, ConnectedState, ClosingState:
	default:
		return &Error{Code: UnsupportedSocketOperationError, Message: "QLocalSocket::setSocketDescriptor: invalid state " + state.String()}
	}
	if fd < 0 {
		s.mu.Lock()
		s.mode, s.state = mode, state
		s.mu.Unlock()
		return &Error{Code: UnsupportedSocketOperationError, Message: "QLocalSocket::setSocketDescriptor: invalid descriptor", Errno: syscall.EBADF}
	}
	full, abstract, named := rawName(fd, true)
	if !named {
		full, abstract, named = rawName(fd, false)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0); err != nil {
		s.mu.Lock()
		s.mode, s.state = mode, state
		s.mu.Unlock()
		return &Error{Code: UnsupportedSocketOperationError, Message: "QLocalSocket::setSocketDescriptor: " + err.Error(), Errno: errnoOf(err)}
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		return &Error{Code: UnsupportedSocketOperationError, Message: "QLocalSocket::setSocketDescriptor: " + err.Error(), Errno: errnoOf(err)}
	}
	return s.adopt(fd, state, mode, sockName{full, abstract, named}, false)
}

// adoptAccepted is SetSocketDescriptor(fd, ConnectedState, ReadWrite) for a
// descriptor a LocalServer just accepted (valid, non-blocking and
// close-on-exec already), whose local address is local: only the peer's
// name is asked, as SetSocketDescriptor asks it first.
func (s *LocalSocket) adoptAccepted(fd int, local sockName) {
	name := local
	if full, abstract, named := rawName(fd, true); named {
		name = sockName{full, abstract, named}
	}
	_ = s.adopt(fd, ConnectedState, ReadWrite, name, true)
}

// adopt is SetSocketDescriptor after its checks: it takes the name and
// attaches fd; unixFD says fd is known to be an AF_UNIX socket.
func (s *LocalSocket) adopt(fd int, state LocalSocketState, mode OpenMode, name sockName, unixFD bool) error {
	s.mu.Lock()
	if s.fd >= 0 {
		s.releaseEngineLocked()
	}
	s.unixFD = unixFD
	if name.named {
		s.fullServerName, s.serverName = name.full, describe(name.full, name.abstract)
	}
	s.mu.Unlock()
	if name.named && name.abstract {
		s.Options.Set(s.Options.Get() | AbstractNamespaceOption)
	} else if name.named {
		s.Options.Set(s.Options.Get() &^ AbstractNamespaceOption)
	}
	return s.attach(fd, state, mode)
}

// attach makes fd the socket's connected descriptor, opens the device and
// watches fd on the socket's context. Only a change from ConnectingState
// (a connect that succeeded) emits StateChanged.
func (s *LocalSocket) attach(fd int, state LocalSocketState, mode OpenMode) error {
	ctx := s.MainContext()
	src := mainloop.NewSource(mainloop.SourceFuncs{})
	s.mu.Lock()
	prev := s.state
	s.fd = fd
	s.guard = guardFD(s, fd)
	s.state = state
	s.mode = mode
	s.events = mainloop.IOIn // also write-only: the peer's EOF must be seen
	s.src = src
	s.tag = src.AddUnixFD(fd, s.events)
	src.SetCallback(func() bool {
		s.mu.Lock()
		tag := s.tag
		s.mu.Unlock()
		if tag != (mainloop.FDTag{}) {
			s.handleIO(src, src.QueryUnixFD(tag))
		}
		return mainloop.SourceContinue
	})
	s.mu.Unlock()
	src.Attach(ctx)
	s.wake.notify()
	if prev == ConnectingState && state != prev {
		s.StateChanged.Emit(state)
	}
	return nil
}

// wantsLocked is what the socket waits for now: input while connected and
// the read buffer has room, output while data is buffered.
func (s *LocalSocket) wantsLocked() (in, out bool) {
	in = s.state == ConnectedState && (s.rbufMax <= 0 || int64(len(s.rbuf)-s.roff) < s.rbufMax)
	return in, len(s.wbuf) > s.woff
}

// setEventsLocked updates the watch to what the socket wants now. Wanting
// nothing removes the watch altogether: epoll reports a hang-up even for a
// watch of no events, which would make the loop spin while a full read
// buffer waits for the application.
func (s *LocalSocket) setEventsLocked() {
	if s.src == nil {
		return
	}
	var ev mainloop.IOCondition
	in, out := s.wantsLocked()
	if in {
		ev |= mainloop.IOIn
	}
	if out && s.dispatching == 0 {
		ev |= mainloop.IOOut
	}
	if ev == s.events {
		return
	}
	s.events = ev
	switch {
	case ev == 0:
		s.src.RemoveUnixFD(s.tag)
		s.tag = mainloop.FDTag{}
	case s.tag == (mainloop.FDTag{}):
		s.tag = s.src.AddUnixFD(s.fd, ev)
	default:
		s.src.ModifyUnixFD(s.tag, ev)
	}
}

// releaseEngineLocked drops the connected descriptor, its watch and the
// write buffer.
func (s *LocalSocket) releaseEngineLocked() {
	if s.src != nil {
		if s.tag != (mainloop.FDTag{}) {
			s.src.RemoveUnixFD(s.tag)
		}
		s.src.Destroy()
		s.src = nil
		s.tag = mainloop.FDTag{}
	}
	if s.fd >= 0 {
		s.guard.release()
		s.guard = nil
		s.closeFDLocked(s.fd)
		s.fd = -1
	}
	s.wbuf, s.woff = nil, 0
	s.flushPending = false
	s.events = 0
}

// closeFDLocked closes fd, or leaves that to the goroutine polling it.
func (s *LocalSocket) closeFDLocked(fd int) {
	if s.pollers > 0 {
		s.closeAfterPoll = append(s.closeAfterPoll, fd)
		return
	}
	if s.unixFD {
		_ = nbio.Close(fd)
		return
	}
	unix.Close(fd)
}

// handleIO is the socket notifier: it runs on the goroutine that owns the
// socket's context, for the loop's dispatch or inside a WaitForXxx call.
func (s *LocalSocket) handleIO(src *mainloop.Source, cond mainloop.IOCondition) {
	s.mu.Lock()
	if src != nil && s.src != src {
		s.mu.Unlock()
		return
	}
	s.dispatching++
	s.mu.Unlock()
	// Reading first, as Qt's waitFor loops do: a peer that went away is
	// then seen as the read-side disconnect sequence (LK-12).
	if cond&(mainloop.IOIn|mainloop.IOErr|mainloop.IOHup|mainloop.IONval) != 0 {
		s.readIn()
	}
	if cond&(mainloop.IOOut|mainloop.IOErr|mainloop.IOHup) != 0 {
		s.writeOut()
	}
	s.endDispatch()
}

// endDispatch flushes what the handlers of this dispatch wrote.
func (s *LocalSocket) endDispatch() {
	s.mu.Lock()
	s.dispatching--
	flush := s.dispatching == 0 && s.flushPending
	s.flushPending = false
	if !flush {
		s.setEventsLocked()
	}
	s.mu.Unlock()
	if flush {
		s.writeOut()
	}
}

// readIn is canReadNotification: one read(2) into the buffer, ReadyRead
// for new data (not nested, LK-15), and the peer-closed sequence on EOF
// (LK-09).
func (s *LocalSocket) readIn() {
	s.mu.Lock()
	if s.fd < 0 || s.state != ConnectedState {
		s.mu.Unlock()
		return
	}
	want := readChunk
	if s.rbufMax > 0 {
		left := s.rbufMax - int64(len(s.rbuf)-s.roff)
		if left <= 0 {
			s.setEventsLocked()
			s.mu.Unlock()
			return
		}
		if left < int64(want) {
			want = int(left)
		}
	}
	if s.roff == len(s.rbuf) {
		s.rbuf, s.roff = s.rbuf[:0], 0
	}
	fd := s.fd
	s.pollers++ // the descriptor stays open during the read
	s.mu.Unlock()
	// The read goes to a pooled scratch buffer and only what came is kept:
	// a connection's own buffer is as large as the data it holds, so an
	// idle connection does not keep (and touch) a 64 KiB buffer.
	scratch := readScratch.Get().(*[]byte)
	n, err := nbio.Read(fd, (*scratch)[:want])
	s.mu.Lock()
	s.donePollLocked()
	if n > 0 && s.fd == fd && s.mode&ReadOnly != 0 {
		s.appendReadLocked((*scratch)[:n])
	}
	readScratch.Put(scratch)
	if s.fd != fd {
		s.mu.Unlock()
		return
	}
	if n > 0 {
		if s.mode&ReadOnly == 0 { // opened write-only: nothing to read
			s.mu.Unlock()
			return
		}
		s.readSeq++
		emit := !s.inReadyRead
		s.inReadyRead = true
		s.mu.Unlock()
		s.wake.notify()
		if emit {
			s.ReadyRead.Emit()
			s.mu.Lock()
			s.inReadyRead = false
			s.mu.Unlock()
		}
		return
	}
	e := errnoOf(err)
	if e == syscall.EAGAIN || e == syscall.EINTR {
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	code := PeerClosedError
	if n < 0 && e != syscall.ECONNRESET && e != syscall.EPIPE {
		code = ConnectionError
	}
	s.engineError(code, e, true)
}

// readScratch holds the buffers readIn reads into (readChunk bytes each).
var readScratch = sync.Pool{New: func() any { b := make([]byte, readChunk); return &b }}

// appendReadLocked appends p to the read buffer, moving the unread bytes
// to its start first if that makes room; s.mu held.
func (s *LocalSocket) appendReadLocked(p []byte) {
	if s.roff > 0 && cap(s.rbuf)-len(s.rbuf) < len(p) {
		n := copy(s.rbuf, s.rbuf[s.roff:])
		s.rbuf, s.roff = s.rbuf[:n], 0
	}
	s.rbuf = append(s.rbuf, p...)
}

// engineError is the engine reporting an I/O failure: prefix "QLocalSocket"
// (LK-08), then the disconnect sequence (read side) or an abort (write side).
func (s *LocalSocket) engineError(code SocketError, errno syscall.Errno, closing bool) {
	s.mu.Lock()
	s.errCode = code
	s.errString = socketErrorString(code, "QLocalSocket", errno)
	s.mu.Unlock()
	s.ErrorOccurred.Emit(code)
	s.teardown(closing)
}

// writeOut writes the buffer out (QAbstractSocket's flush), emits
// BytesWritten, and completes a DisconnectFromServer once it is empty.
func (s *LocalSocket) writeOut() bool {
	s.mu.Lock()
	if s.fd < 0 || len(s.wbuf) == s.woff || s.writing {
		// Nothing to do, or another goroutine (Flush) is writing now.
		s.setEventsLocked()
		s.mu.Unlock()
		return false
	}
	s.writing = true
	fd := s.fd
	var written int64
	var werr syscall.Errno
	for s.woff < len(s.wbuf) && s.fd == fd {
		chunk := s.wbuf[s.woff:]
		s.pollers++
		s.mu.Unlock()
		n, err := nbio.Write(fd, chunk)
		s.mu.Lock()
		s.donePollLocked()
		if n > 0 {
			if s.fd == fd {
				s.woff += n
			}
			written += int64(n)
			continue
		}
		if e := errnoOf(err); e != syscall.EINTR {
			if e != syscall.EAGAIN {
				werr = e
			}
			break
		}
	}
	s.writing = false
	if s.fd != fd {
		s.mu.Unlock()
		return written > 0
	}
	if s.woff == len(s.wbuf) {
		s.wbuf, s.woff = s.wbuf[:0], 0
	}
	if written > 0 {
		s.writeSeq++
	}
	s.setEventsLocked()
	emit := written > 0 && !s.inBytesWritten
	if emit {
		s.inBytesWritten = true
	}
	closing := s.state == ClosingState && len(s.wbuf) == 0
	s.mu.Unlock()
	s.wake.notify()
	if emit {
		s.BytesWritten.Emit(written)
		s.mu.Lock()
		s.inBytesWritten = false
		s.mu.Unlock()
	}
	if werr != 0 {
		code := PeerClosedError
		if werr != syscall.EPIPE && werr != syscall.ECONNRESET {
			code = ConnectionError
		}
		s.engineError(code, werr, false)
	} else if closing {
		s.teardown(false)
	}
	return written > 0
}

// donePollLocked ends a use of the descriptor outside the lock and closes
// the descriptors whose close waited for it.
func (s *LocalSocket) donePollLocked() {
	s.pollers--
	if s.pollers == 0 {
		for _, fd := range s.closeAfterPoll {
			unix.Close(fd)
		}
		s.closeAfterPoll = s.closeAfterPoll[:0]
	}
}

// teardown is QAbstractSocket::disconnectFromHost's final part (and
// abort's, without ClosingState): release the engine, go unconnected, emit
// StateChanged(UnconnectedState), ReadChannelFinished, and Disconnected if
// it was connected (LK-09, LK-10).
func (s *LocalSocket) teardown(closing bool) {
	s.mu.Lock()
	prev := s.state
	if prev == UnconnectedState && s.fd < 0 && s.connFD < 0 {
		s.mu.Unlock()
		return
	}
	if closing && prev == ConnectedState {
		s.state = ClosingState
		s.setEventsLocked()
		s.mu.Unlock()
		s.StateChanged.Emit(ClosingState)
		s.mu.Lock()
		if s.state != ClosingState {
			s.mu.Unlock()
			return
		}
		prev = ClosingState
	}
	s.cancelConnectLocked(true)
	s.releaseEngineLocked()
	s.state = UnconnectedState
	s.serverName, s.fullServerName = "", ""
	s.mu.Unlock()
	s.wake.notify()
	if prev != UnconnectedState {
		s.StateChanged.Emit(UnconnectedState)
	}
	s.ReadChannelFinished.Emit()
	if prev == ConnectedState || prev == ClosingState {
		s.Disconnected.Emit()
	}
}

// DisconnectFromServer is QLocalSocket::disconnectFromServer: with data
// still to write the socket goes to ClosingState and disconnects once it is
// written; otherwise at once. The device stays open, and what was read
// stays readable (LK-10).
func (s *LocalSocket) DisconnectFromServer() {
	if !s.ok("disconnectFromServer") {
		return
	}
	s.mu.Lock()
	switch s.state {
	case UnconnectedState, ClosingState:
		s.mu.Unlock()
		return
	case ConnectedState:
		if len(s.wbuf) > s.woff {
			s.state = ClosingState
			s.setEventsLocked()
			s.mu.Unlock()
			s.StateChanged.Emit(ClosingState)
			return
		}
	}
	s.mu.Unlock()
	s.teardown(true)
}

// closeDevice is QIODevice::close: AboutToClose if open, then the device is
// closed and its buffer dropped.
func (s *LocalSocket) closeDevice() {
	s.mu.Lock()
	open := s.mode != NotOpen
	s.mu.Unlock()
	if !open {
		return
	}
	s.AboutToClose.Emit()
	s.mu.Lock()
	s.mode = NotOpen
	s.rbuf, s.roff = nil, 0
	s.mu.Unlock()
	s.wake.notify()
}

// Close is QLocalSocket::close (and net.Conn's Close): AboutToClose (if the
// device is open), the device closes and drops what was read, then the
// connection ends as with DisconnectFromServer (buffered data is still
// written first, by the socket's context), a pending connect is cancelled,
// and the names are cleared (LK-10). It always returns nil.
//
// With data still buffered, the descriptor stays open until the context has
// written it, as in Qt; if that context is never run again, the descriptor
// is closed once the socket is garbage (use Abort to drop the data and
// close at once).
func (s *LocalSocket) Close() error {
	if !s.ok("close") {
		return nil
	}
	s.closeDevice()
	st := s.State()
	switch st {
	case ConnectedState:
		s.DisconnectFromServer()
	case ConnectingState:
		s.teardown(false)
	}
	s.mu.Lock()
	s.serverName, s.fullServerName = "", ""
	s.mu.Unlock()
	return nil
}

// Abort is QLocalSocket::abort: the connection ends at once and the write
// buffer is dropped (BytesToWrite is 0): StateChanged(UnconnectedState),
// ReadChannelFinished and Disconnected (if it was connected), then
// AboutToClose and the device closes (LK-10). Destroy calls it.
func (s *LocalSocket) Abort() {
	if !s.ok("abort") {
		return
	}
	s.mu.Lock()
	s.wbuf, s.woff = nil, 0
	s.mu.Unlock()
	s.teardown(false)
	s.closeDevice()
	s.mu.Lock()
	s.serverName, s.fullServerName = "", ""
	s.mu.Unlock()
}

// BytesAvailable is QLocalSocket::bytesAvailable: how much is buffered.
func (s *LocalSocket) BytesAvailable() int64 {
	return field(s, "bytesAvailable", 0, func() int64 { return int64(len(s.rbuf) - s.roff) })
}

// BytesToWrite is QLocalSocket::bytesToWrite: how much is waiting to be
// written.
func (s *LocalSocket) BytesToWrite() int64 {
	return field(s, "bytesToWrite", 0, func() int64 { return int64(len(s.wbuf) - s.woff) })
}

// CanReadLine is QLocalSocket::canReadLine: whether a whole line ('\n'
// included) is buffered.
func (s *LocalSocket) CanReadLine() bool {
	return field(s, "canReadLine", false, func() bool { return bytes.IndexByte(s.rbuf[s.roff:], '\n') >= 0 })
}

// ReadBufferSize is QLocalSocket::readBufferSize: 0 means unlimited.
func (s *LocalSocket) ReadBufferSize() int64 {
	return field(s, "readBufferSize", 0, func() int64 { return s.rbufMax })
}

// SetReadBufferSize is QLocalSocket::setReadBufferSize: at most size bytes
// are buffered (0: unlimited); the rest waits in the kernel until read
// (LK-14).
func (s *LocalSocket) SetReadBufferSize(size int64) {
	update(s, "setReadBufferSize", func() {
		if size < 0 {
			size = 0
		}
		s.rbufMax = size
		s.setEventsLocked()
	})
}

// consumedLocked re-arms reading after the buffer shrank.
func (s *LocalSocket) consumedLocked() {
	if s.roff == len(s.rbuf) {
		s.rbuf, s.roff = s.rbuf[:0], 0
	}
	if s.rbufMax > 0 {
		s.setEventsLocked()
	}
}

func (s *LocalSocket) readableLocked(fn string) bool {
	if s.mode&ReadOnly == 0 {
		if s.mode == NotOpen {
			logging.Warning(pkg, "QIODevice::"+fn+" (QLocalSocket): device not open")
		} else {
			logging.Warning(pkg, "QIODevice::"+fn+" (QLocalSocket): WriteOnly device")
		}
		return false
	}
	return true
}

// ReadAll is QIODevice::readAll: everything buffered (nil when nothing).
func (s *LocalSocket) ReadAll() []byte {
	return s.take("read", -1, false)
}

// Peek is QIODevice::peek: up to maxSize buffered bytes, left in the buffer.
func (s *LocalSocket) Peek(maxSize int) []byte {
	return s.take("peek", maxSize, true)
}

// Skip is QIODevice::skip: it drops up to maxSize buffered bytes and
// returns how many it dropped.
func (s *LocalSocket) Skip(maxSize int64) int64 {
	if !s.ok("skip") || maxSize <= 0 {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.readableLocked("skip") {
		return -1
	}
	n := int64(len(s.rbuf) - s.roff)
	if n > maxSize {
		n = maxSize
	}
	s.roff += int(n)
	s.consumedLocked()
	return n
}

func (s *LocalSocket) take(fn string, max int, peek bool) []byte {
	if !s.ok(fn) {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.readableLocked(fn) {
		return nil
	}
	n := len(s.rbuf) - s.roff
	if max >= 0 && n > max {
		n = max
	}
	if n == 0 {
		return nil
	}
	out := append([]byte(nil), s.rbuf[s.roff:s.roff+n]...)
	if !peek {
		s.roff += n
		s.consumedLocked()
	}
	return out
}

// ReadLine is QIODevice::readLine(maxSize): buffered bytes up to and
// including the first '\n', at most maxSize of them (0: no limit); without
// a whole line buffered, what is there. It never waits.
func (s *LocalSocket) ReadLine(maxSize int) []byte {
	if !s.ok("readLine") {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.readableLocked("readLine") {
		return nil
	}
	b := s.rbuf[s.roff:]
	n := len(b)
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		n = i + 1
	}
	if maxSize > 0 && n > maxSize {
		n = maxSize
	}
	if n == 0 {
		return nil
	}
	out := append([]byte(nil), b[:n]...)
	s.roff += n
	s.consumedLocked()
	return out
}

// Read is io.Reader's (net.Conn's) Read: it copies buffered data into p.
// Differs from Qt: with nothing buffered it waits (as net.Conn requires)
// until data arrives, the connection ends (io.EOF) or the read deadline
// passes (an error that is os.ErrDeadlineExceeded); Qt's read returns 0
// at once. In Qt-style code, read in ReadyRead handlers, or use ReadAll and
// BytesAvailable, which never wait.
func (s *LocalSocket) Read(p []byte) (int, error) {
	if !s.ok("read") {
		return 0, net.ErrClosed
	}
	for {
		s.mu.Lock()
		if s.mode&ReadOnly == 0 {
			s.mu.Unlock()
			return 0, &Error{Code: OperationError, Message: "QIODevice::read (QLocalSocket): device not open"}
		}
		if n := copy(p, s.rbuf[s.roff:]); n > 0 || len(p) == 0 {
			s.roff += n
			s.consumedLocked()
			s.mu.Unlock()
			return n, nil
		}
		if s.state == UnconnectedState {
			s.mu.Unlock()
			return 0, io.EOF
		}
		deadline := s.rdeadline
		seq := s.readSeq
		s.mu.Unlock()
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return 0, os.ErrDeadlineExceeded
		}
		s.waitUntil(deadline, func() bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			return s.readSeq != seq || s.state == UnconnectedState || s.mode == NotOpen ||
				!s.rdeadline.Equal(deadline)
		})
	}
}

// Write is QIODevice::write (and io.Writer's): it appends p to the write
// buffer and returns len(p); the socket's context writes it out when its
// loop runs. Without a running loop, call Flush, WaitForBytesWritten or a
// WaitForXxx that writes meanwhile, as with Qt. It fails when the device
// is not open for writing (Qt's "device not open" warning) or the
// connection has ended.
func (s *LocalSocket) Write(p []byte) (int, error) {
	if !s.ok("write") {
		return 0, net.ErrClosed
	}
	s.mu.Lock()
	if s.mode&WriteOnly == 0 {
		s.mu.Unlock()
		msg := "QIODevice::write (QLocalSocket): device not open"
		if s.mode != NotOpen {
			msg = "QIODevice::write (QLocalSocket): ReadOnly device"
		}
		logging.Warning(pkg, msg)
		return 0, &Error{Code: OperationError, Message: msg}
	}
	if s.fd < 0 {
		s.mu.Unlock()
		return 0, &Error{Code: UnknownSocketError, Message: "QLocalSocket: Socket is not connected"}
	}
	if s.woff > 0 && s.woff == len(s.wbuf) {
		s.wbuf, s.woff = s.wbuf[:0], 0
	}
	s.wbuf = append(s.wbuf, p...)
	if s.dispatching > 0 {
		s.flushPending = true
	} else {
		s.setEventsLocked()
	}
	s.mu.Unlock()
	return len(p), nil
}

// Flush is QLocalSocket::flush: write as much of the buffer as the kernel
// takes now, without waiting; it reports whether anything was written.
func (s *LocalSocket) Flush() bool {
	if !s.ok("flush") {
		return false
	}
	return s.writeOut()
}

// waitUntil runs blockingWait for this socket: the step polls the
// descriptor (the connecting one while connecting) and handles it.
//
// Without a descriptor and with no connect in progress nothing can change
// by itself (a socket given an invalid descriptor by SetSocketDescriptor
// keeps the state it was given), so the wait ends at once instead of
// sleeping until the deadline, which may be never.
func (s *LocalSocket) waitUntil(deadline time.Time, done func() bool) bool {
	return blockingWait(s.MainContext(), deadline, &s.wake, func() bool {
		if done() {
			return true
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.fd < 0 && s.state != ConnectingState
	}, s.pollStep)
}

func (s *LocalSocket) pollStep(ms int) {
	s.mu.Lock()
	if s.state == ConnectingState && s.connFD >= 0 {
		s.mu.Unlock()
		time.Sleep(min(time.Duration(ms)*time.Millisecond, connectRetry))
		s.tryConnect()
		return
	}
	fd := s.fd
	if fd < 0 {
		s.mu.Unlock()
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return
	}
	var ev int16
	in, out := s.wantsLocked()
	if in {
		ev |= unix.POLLIN
	}
	if out {
		ev |= unix.POLLOUT
	}
	if ev == 0 {
		// Nothing to wait for until the application reads (a hang-up
		// would be reported at once, again and again).
		s.mu.Unlock()
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return
	}
	s.pollers++
	s.mu.Unlock()
	cond := pollFD(fd, ev, ms)
	s.mu.Lock()
	s.donePollLocked()
	same := s.fd == fd
	s.mu.Unlock()
	if same && cond != 0 {
		s.handleIO(nil, cond)
	}
}

// WaitForConnected is QLocalSocket::waitForConnected: if a connect is in
// progress it waits up to msec (-1: forever) for it; it reports whether the
// socket is connected (LK-11). It works without a running loop.
func (s *LocalSocket) WaitForConnected(msec int) bool {
	if !s.ok("waitForConnected") {
		return false
	}
	if s.State() != ConnectingState {
		return s.State() == ConnectedState
	}
	s.waitUntil(deadlineFor(msec), func() bool { return s.State() != ConnectingState })
	return s.State() == ConnectedState
}

// WaitForReadyRead is QLocalSocket::waitForReadyRead: it waits up to msec
// (-1: forever) for new data (ReadyRead is emitted for it) and reports
// whether some arrived. It returns false at once when unconnected, and as
// soon as the peer has closed (LK-11). On a timeout, as in Qt, Error and
// ErrorString report SocketTimeoutError ("QLocalSocket: Socket operation
// timed out") and ErrorOccurred is emitted; the connection stays. It works
// without a running loop.
func (s *LocalSocket) WaitForReadyRead(msec int) bool {
	gone := func() bool { return s.state == UnconnectedState }
	return s.waitForProgress("waitForReadyRead", msec, func() uint64 { return s.readSeq }, gone, gone)
}

// waitForProgress is the body of WaitForReadyRead and WaitForBytesWritten:
// unless idle holds (nothing to wait for), it waits up to msec until seq()
// moves on, or gone holds (all read under s.mu), and reports a timeout when
// the connection is still there without progress.
func (s *LocalSocket) waitForProgress(fn string, msec int, seq func() uint64, idle, gone func() bool) bool {
	if !s.ok(fn) {
		return false
	}
	s.mu.Lock()
	if idle() {
		s.mu.Unlock()
		return false
	}
	start := seq()
	s.mu.Unlock()
	s.waitUntil(deadlineFor(msec), func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return seq() != start || gone()
	})
	s.mu.Lock()
	got, timedOut := seq() != start, !gone()
	s.mu.Unlock()
	if !got && timedOut {
		s.timedOut()
	}
	return got
}

// timedOut is QAbstractSocket's waitFor timeout: error SocketTimeoutError,
// "QLocalSocket: Socket operation timed out", and errorOccurred; the
// connection stays as it is.
func (s *LocalSocket) timedOut() {
	s.mu.Lock()
	s.errCode = SocketTimeoutError
	s.errString = socketErrorString(SocketTimeoutError, "QLocalSocket", 0)
	s.mu.Unlock()
	s.ErrorOccurred.Emit(SocketTimeoutError)
}

// WaitForBytesWritten is QLocalSocket::waitForBytesWritten: with data
// waiting to be written, it waits up to msec (-1: forever) until some is
// written (BytesWritten is emitted) and reports whether it was. It returns
// false at once when nothing is buffered; a timeout is reported as in
// WaitForReadyRead. It works without a running loop.
func (s *LocalSocket) WaitForBytesWritten(msec int) bool {
	return s.waitForProgress("waitForBytesWritten", msec, func() uint64 { return s.writeSeq },
		func() bool { return len(s.wbuf) == s.woff || s.fd < 0 },
		func() bool { return s.fd < 0 })
}

// WaitForDisconnected is QLocalSocket::waitForDisconnected: it waits up to
// msec (-1: forever) until the connection has ended, reading and writing
// meanwhile, and reports whether it did. Unconnected, it logs Qt's warning
// and returns false (LK-02, LK-11); a timeout is reported as in
// WaitForReadyRead. It works without a running loop.
func (s *LocalSocket) WaitForDisconnected(msec int) bool {
	if !s.ok("waitForDisconnected") {
		return false
	}
	if s.State() == UnconnectedState {
		logging.Warning(pkg, "QLocalSocket::waitForDisconnected() is not allowed in UnconnectedState")
		return false
	}
	s.waitUntil(deadlineFor(msec), func() bool { return s.State() == UnconnectedState })
	if s.State() == UnconnectedState {
		return true
	}
	s.timedOut()
	return false
}

// Addr is the net.Addr of a LocalSocket's names.
type Addr struct {
	Name     string // the full server name
	Abstract bool
}

// Network returns "unix".
func (a Addr) Network() string { return "unix" }

// String returns the name, "@"-prefixed when abstract (Go's convention).
func (a Addr) String() string {
	if a.Abstract {
		return "@" + a.Name
	}
	return a.Name
}

// LocalAddr is net.Conn's LocalAddr: the socket's own address.
func (s *LocalSocket) LocalAddr() net.Addr {
	if !s.ok("localAddr") {
		return Addr{}
	}
	s.mu.Lock()
	fd := s.fd
	s.mu.Unlock()
	n, abs, _ := rawName(fd, false)
	return Addr{Name: n, Abstract: abs}
}

// RemoteAddr is net.Conn's RemoteAddr: the server's full name.
func (s *LocalSocket) RemoteAddr() net.Addr {
	if !s.ok("remoteAddr") {
		return Addr{}
	}
	return Addr{Name: s.FullServerName(), Abstract: s.SocketOptions()&AbstractNamespaceOption != 0}
}

// SetDeadline is net.Conn's SetDeadline.
func (s *LocalSocket) SetDeadline(t time.Time) error {
	if err := s.SetReadDeadline(t); err != nil {
		return err
	}
	return s.SetWriteDeadline(t)
}

// SetReadDeadline is net.Conn's SetReadDeadline: it bounds Read's wait.
func (s *LocalSocket) SetReadDeadline(t time.Time) error {
	err := s.setDeadline("setReadDeadline", func() { s.rdeadline = t })
	if err == nil {
		s.wake.notify()
	}
	return err
}

// SetWriteDeadline is net.Conn's SetWriteDeadline. Write never waits (it
// buffers), so the deadline is only stored.
func (s *LocalSocket) SetWriteDeadline(t time.Time) error {
	return s.setDeadline("setWriteDeadline", func() { s.wdeadline = t })
}

// setDeadline runs set under the lock; a nil socket gets the critical and
// net.ErrClosed.
func (s *LocalSocket) setDeadline(fn string, set func()) error {
	if !s.ok(fn) {
		return net.ErrClosed
	}
	s.mu.Lock()
	set()
	s.mu.Unlock()
	return nil
}

// guarded is what field and update need of LocalServer and LocalSocket.
type guarded interface {
	ok(fn string) bool
	lock() *sync.Mutex
}

func (s *LocalServer) lock() *sync.Mutex { return &s.mu }
func (s *LocalSocket) lock() *sync.Mutex { return &s.mu }

// field is the body of every getter: the nil guard (zero and a critical for
// a nil receiver), then get under the object's lock.
func field[T any, O guarded](o O, fn string, zero T, get func() T) T {
	v := zero
	update(o, fn, func() { v = get() })
	return v
}

// update is the body of the setters that only change state: the nil guard
// (a critical for a nil receiver), then set under the object's lock.
func update[O guarded](o O, fn string, set func()) {
	if !o.ok(fn) {
		return
	}
	mu := o.lock()
	mu.Lock()
	defer mu.Unlock()
	set()
}

// connectErrors maps connect(2)'s errnos to Qt's errors, as
// QLocalSocketPrivate::_q_connectToSocket does; any other is
// UnknownSocketError.
var connectErrors = map[syscall.Errno]SocketError{
	syscall.EINVAL: ConnectionRefusedError, syscall.ECONNREFUSED: ConnectionRefusedError,
	syscall.ENOENT: ServerNotFoundError, syscall.EACCES: SocketAccessError, syscall.EPERM: SocketAccessError,
	syscall.ETIMEDOUT: SocketTimeoutError,
}

// errnoOf extracts the errno of a syscall error (0 for nil).
func errnoOf(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	if e, ok := err.(syscall.Errno); ok {
		return e
	}
	return syscall.EINVAL
}

var _ net.Conn = (*LocalSocket)(nil)
