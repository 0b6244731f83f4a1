package gio

import (
	"context"
	"errors"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/nbio"
	"github.com/sigloop/sigloop/mainloop"
)

// Short names for the GIOCondition bits.
const (
	ioIn   = mainloop.IOIn
	ioPri  = mainloop.IOPri
	ioOut  = mainloop.IOOut
	ioErr  = mainloop.IOErr
	ioHup  = mainloop.IOHup
	ioNval = mainloop.IONval
)

// How a blocking operation waits (the Go side of GLib's blocking emulation):
//
//   - One operation per direction holds the direction's semaphore (readSem or
//     writeSem). Waiting for the semaphore honours the deadline, the context
//     and Close, which a wait on Go's internal fd lock would not.
//   - The holder sets the file's read or write deadline to its own deadline
//     and runs its syscall through RawConn.Read/Write, so EAGAIN parks the
//     goroutine in the runtime poller, not a thread.
//   - Cancellation sets a deadline in the past ("kick"), which wakes the
//     poller wait; the attempt function checks the context first on every
//     wake-up, so a kick is never lost. Kicks happen only while the op holds
//     the semaphore, so they never disturb the next holder's deadline.
//   - Close closes the os.File, whose poller entry is evicted: the waiter
//     wakes with an error and reports CLOSED.

// ctxOf turns an optional Cancellable into the context the core waits on.
func ctxOf(c *cancellable.Cancellable) context.Context {
	if c == nil {
		return nil
	}
	return c
}

// kickTime is a deadline in the past.
var kickTime = time.Unix(1, 0)

// ioKind says what an ioReq does; the two hot ones (a plain receive and a
// send) are spelled out so that they need no closure.
type ioKind uint8

const (
	ioAttempt ioKind = iota // call ioReq.attempt
	ioRecv                  // read(2) into buf
	ioSend                  // sendto(2) of buf to native (nil: the peer) with flags
	ioAccept                // accept4(2); the count is the new descriptor
)

// ioReq is one operation's system call, passed by value so that a receive
// or a send allocates nothing.
type ioReq struct {
	kind    ioKind
	buf     []byte
	native  []byte
	flags   int
	prefix  string // of the error an ioRecv, ioSend or ioAccept errno becomes
	attempt func(fd int) (again bool)
	// waits is set for an operation that waits for readiness (blocking
	// mode, on its own goroutine): its read or send is then made as
	// net.Conn makes it, through the runtime's syscall entry. One that
	// does not wait (non-blocking mode, the main loop's pollable path)
	// uses RawSyscall (see internal/nbio): it never blocks, and entering
	// the runtime's syscall state would wake its monitor thread once per
	// message on the loop's CPU.
	waits bool
}

// result is the outcome of an ioRecv, ioSend or ioAccept: the count (the
// new descriptor for ioAccept), or the errno mapped with the request's
// message prefix ("Error receiving data: …").
func (r *ioReq) result(n int, serr error) (int, error) {
	if serr != nil {
		return 0, errnoOf(serr, r.prefix)
	}
	return n, nil
}

// do runs the request's system call once on fd. It returns the byte count
// (the new descriptor) and errno of ioRecv, ioSend and ioAccept, and
// again=true for EAGAIN.
func (r *ioReq) do(fd int) (n int, serr error, again bool) {
	switch r.kind {
	case ioRecv:
		if r.waits {
			for {
				if n, serr = unix.Read(fd, r.buf); serr != unix.EINTR {
					break
				}
			}
		} else {
			n, serr = nbio.Read(fd, r.buf)
		}
	case ioSend:
		n, serr = sendto(fd, r.buf, r.flags, r.native, !r.waits)
	case ioAccept:
		n, serr = nbio.Accept(fd)
	default:
		return 0, nil, r.attempt(fd)
	}
	if serr == unix.EAGAIN {
		return 0, serr, true
	}
	return n, serr, false
}

// waitState is what operations that wait share (see Socket.ws).
type waitState struct {
	closedCh chan struct{} // closed by Close, wakes waiters on the semaphores
	fc       *fileConn     // the runtime poller's hold on the descriptor; nil if made after Close
	readSem  chan struct{} // one receive/accept/wait-for-IN at a time
	writeSem chan struct{} // one send/connect-wait/wait-for-OUT at a time
	dirs     [2]dirOp      // read, write: wait state, owned by the semaphore holder
}

// dir is the read or the write direction.
func (w *waitState) dir(write bool) *dirOp {
	if write {
		return &w.dirs[1]
	}
	return &w.dirs[0]
}

// waits returns s's waitState, making it on first use; made after Close,
// its closedCh is closed already.
func (s *Socket) waits() *waitState {
	if w := s.ws.Load(); w != nil {
		return w
	}
	w := &waitState{
		closedCh: make(chan struct{}),
		readSem:  make(chan struct{}, 1),
		writeSem: make(chan struct{}, 1),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.ws.Load(); cur != nil {
		return cur
	}
	if s.closed {
		close(w.closedCh)
	} else {
		w.fc = s.sfd.fileConn()
	}
	s.ws.Store(w)
	return w
}

// dirOp is one direction's wait state (read: receives, accepts, waits for
// IOIn; write: sends, connect waits, waits for IOOut). It belongs to the
// goroutine holding the direction's semaphore, except for kick, which any
// goroutine may call under mu. Reusing it, with fn bound once, is what keeps
// a blocking receive or send free of allocations.
type dirOp struct {
	fn func(fd uintptr) bool // d.step, bound on first use

	// The operation in progress (holder only).
	req       ioReq
	ctx       context.Context // nil when there is nothing to watch
	exitAgain bool            // leave RawConn.Read/Write at the first EAGAIN
	cancelled bool
	again     bool
	n         int
	serr      error

	mu       sync.Mutex               // guards the fields below against kick
	wired    *cancellable.Cancellable // see Socket.wire
	holding  bool
	gen      uint64    // counts operations, so a late kick cannot hit the next one
	kicked   bool      // kick moved the file's deadline during this operation
	deadline time.Time // the file's deadline in this direction, as last set
	unknown  bool      // a kick moved it since
}

// step is the function RawConn.Read/Write call: one attempt, after a look
// at the context, so a kick that woke the poller is never lost.
func (d *dirOp) step(fd uintptr) bool {
	if d.ctx != nil && d.ctx.Err() != nil {
		d.cancelled = true
		return true
	}
	d.n, d.serr, d.again = d.req.do(int(fd))
	if d.again {
		return d.exitAgain
	}
	return true
}

// kick wakes the holder's poller wait by moving the file's deadline into
// the past, if operation gen still holds the direction.
func (d *dirOp) kick(s *Socket, write bool, gen uint64) {
	d.mu.Lock()
	if d.holding && d.gen == gen {
		d.kicked = true
		s.setDeadline(write, kickTime)
	}
	d.mu.Unlock()
}

// kickCurrent is kick for whichever operation holds the direction: a wired
// Cancellable's handler (see wire) calls it. A kick that reaches an
// operation not watching that Cancellable is harmless: it finds its own
// context not done and waits again.
func (d *dirOp) kickCurrent(s *Socket, write bool) {
	d.mu.Lock()
	if d.holding {
		d.kicked = true
		s.setDeadline(write, kickTime)
	}
	d.mu.Unlock()
}

// wire links c to the direction for good: cancelling c wakes the
// operation holding it, so operations that pass c need no registration of
// their own, which is what makes a waiting net.Conn Read or Write free of
// allocations. It is for a Cancellable used by one operation at a time in
// that direction, and reset between uses (the net.Conn deadlines').
func (s *Socket) wire(write bool, c *cancellable.Cancellable) {
	d := s.waits().dir(write)
	c.Connect(func() { d.kickCurrent(s, write) })
	d.mu.Lock()
	d.wired = c
	d.mu.Unlock()
}

func (s *Socket) setDeadline(write bool, t time.Time) {
	fc := s.sfd.file.Load()
	if fc == nil {
		return // closed before any operation waited: nothing waits
	}
	if write {
		_ = fc.f.SetWriteDeadline(t)
	} else {
		_ = fc.f.SetReadDeadline(t)
	}
}

// deadlineFor turns the socket timeout into an absolute deadline (zero: none).
func deadlineFor(timeout time.Duration) time.Time {
	if timeout <= 0 {
		return time.Time{}
	}
	return time.Now().Add(timeout)
}

// run performs attempt, which returns again=true when its syscall gave
// EAGAIN (see runReq).
func (s *Socket) run(ctx context.Context, write, blocking bool, deadline time.Time, attempt func(fd int) (again bool)) error {
	_, err := s.runReq(ctx, write, blocking, deadline, ioReq{attempt: attempt})
	return err
}

// runReq performs req. Without blocking it makes one attempt and reports
// EAGAIN as WOULD_BLOCK. With blocking it waits for readiness (write
// selects the direction) and retries, until the attempt is done, the
// deadline passes (TIMED_OUT), ctx is done (CANCELLED) or the socket is
// closed (CLOSED). It returns the byte count of an ioRecv or ioSend
// request, and its error: the one that stopped the wait, or the mapped
// errno of the system call (see ioReq.result).
func (s *Socket) runReq(ctx context.Context, write, blocking bool, deadline time.Time, req ioReq) (int, error) {
	if !blocking {
		return s.runOnce(req)
	}
	if neverDone(ctx) {
		ctx = nil // context.Background and the like: nothing to watch
	}
	w := s.waits()
	sem, d := w.readSem, &w.dirs[0]
	if write {
		sem, d = w.writeSem, &w.dirs[1]
	}
	select {
	case sem <- struct{}{}:
	default:
		if err := s.acquire(ctx, w, sem, deadline); err != nil {
			return 0, err
		}
	}
	defer func() { <-sem }()
	return d.perform(s, ctx, write, deadline, req)
}

// runOnce is runReq's non-blocking path: one attempt.
func (s *Socket) runOnce(req ioReq) (int, error) {
	n, again, err := s.attemptOnce(req)
	if again {
		return 0, errnoError(unix.EAGAIN, "")
	}
	return n, err
}

// attemptOnce makes one attempt of req, holding a ref on the descriptor
// (sockFD.acquire: no closure, nothing pooled); again reports EAGAIN (no
// error is made for it). err is CLOSED, or the mapped errno of an ioRecv,
// ioSend or ioAccept.
func (s *Socket) attemptOnce(req ioReq) (n int, again bool, err error) {
	fd, ok := s.sfd.acquire()
	if !ok {
		return 0, false, closedError()
	}
	n, serr, again := req.do(fd)
	s.sfd.release()
	if again {
		return 0, true, nil
	}
	n, err = req.result(n, serr)
	return n, false, err
}

// tryReceive is ReceiveWithBlocking(buf, false, c) for the pollable async
// path, with EAGAIN reported as again instead of a WOULD_BLOCK error.
func (s *Socket) tryReceive(buf []byte, c *cancellable.Cancellable) (n int, again bool, err error) {
	if err := s.checkOp(ctxOf(c)); err != nil {
		return 0, false, err
	}
	return s.attemptOnce(ioReq{kind: ioRecv, buf: buf, prefix: msgReceiving})
}

// trySendVectors is a non-blocking SendVectors for the pollable async
// path, with EAGAIN reported as again.
func (s *Socket) trySendVectors(bufs [][]byte, c *cancellable.Cancellable) (n int, again bool, err error) {
	if err := s.checkOp(ctxOf(c)); err != nil {
		return 0, false, err
	}
	var werr error
	_, again, err = s.attemptOnce(ioReq{attempt: func(fd int) bool {
		n, werr = retryEINTR(func() (int, error) { return unix.SendmsgBuffers(fd, bufs, nil, nil, unix.MSG_NOSIGNAL) })
		return werr == unix.EAGAIN
	}})
	if err != nil || again {
		return 0, again, err
	}
	if werr != nil {
		return 0, false, errnoOf(werr, "Error sending message: ")
	}
	return n, false, nil
}

// trySend is SendWithBlocking(buf, false, c) for the pollable async path,
// with EAGAIN reported as again.
func (s *Socket) trySend(buf []byte, c *cancellable.Cancellable) (n int, again bool, err error) {
	if err := s.checkOp(ctxOf(c)); err != nil {
		return 0, false, err
	}
	return s.attemptOnce(ioReq{kind: ioSend, buf: buf, flags: unix.MSG_NOSIGNAL, prefix: msgSending})
}

// neverDone reports whether ctx can never be done, without calling Done on
// a Cancellable (see acquire).
func neverDone(ctx context.Context) bool {
	if c, ok := ctx.(*cancellable.Cancellable); ok {
		return c == nil
	}
	return ctx == nil || ctx.Done() == nil
}

// afterFunc is context.AfterFunc, calling a context's own AfterFunc
// directly when it has one (a *cancellable.Cancellable does): that skips
// the wrapper context.AfterFunc builds around it, and runs f inside Cancel
// rather than on a new goroutine. f (a kick) only takes a lock and moves a
// deadline, so it is safe there.
func afterFunc(ctx context.Context, f func()) (stop func() bool) {
	if af, ok := ctx.(interface{ AfterFunc(func()) func() bool }); ok {
		return af.AfterFunc(f)
	}
	return context.AfterFunc(ctx, f)
}

// acquire waits for a busy direction's semaphore, honouring the deadline,
// ctx and Close.
func (s *Socket) acquire(ctx context.Context, w *waitState, sem chan struct{}, deadline time.Time) error {
	var timerC <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		timerC = t.C
	}
	var done <-chan struct{}
	if ctx != nil {
		// Not ctx.Done(): a Cancellable whose Done was handed out logs a
		// critical when it is Reset, and GLib code Resets cancellables
		// that it passed to socket calls.
		ch := make(chan struct{})
		defer afterFunc(ctx, func() { close(ch) })()
		done = ch
	}
	select {
	case sem <- struct{}{}:
		return nil
	case <-w.closedCh:
		return closedError()
	case <-done:
		return ctxError(ctx)
	case <-timerC:
		return timedOutError()
	}
}

// perform runs req while holding the direction: the file's deadline is set
// to the operation's, and RawConn.Read/Write park the goroutine in the
// runtime poller on EAGAIN. A cancellable ctx is watched (AfterFunc kicking
// the deadline) only once the first attempt would block, so an operation
// that completes at once costs no registration.
func (d *dirOp) perform(s *Socket, ctx context.Context, write bool, deadline time.Time, req ioReq) (int, error) {
	if d.fn == nil {
		d.fn = d.step
	}
	req.waits = true
	d.req, d.ctx = req, ctx
	d.cancelled, d.again, d.n, d.serr = false, false, 0, nil
	d.mu.Lock()
	// A wired Cancellable already wakes this direction (see wire); any
	// other context is watched once the first attempt would block.
	d.exitAgain = ctx != nil && (d.wired == nil || ctx != context.Context(d.wired))
	d.holding = true
	d.gen++
	gen := d.gen
	if d.unknown || !d.deadline.Equal(deadline) {
		s.setDeadline(write, deadline)
		d.deadline, d.unknown = deadline, false
	}
	d.mu.Unlock()
	var stop func() bool
	defer func() {
		if stop != nil {
			stop()
		}
		d.mu.Lock()
		d.holding = false
		if d.kicked {
			d.kicked, d.unknown = false, true
		}
		d.mu.Unlock()
		d.req, d.ctx = ioReq{}, nil // keep no buffer or context alive
	}()
	fc := s.ws.Load().fc
	if fc == nil {
		return 0, closedError() // the wait state was made after Close
	}
	for {
		var err error
		switch {
		case write:
			err = fc.rc.Write(d.fn)
		default:
			err = fc.rc.Read(d.fn)
		}
		switch {
		case d.cancelled:
			return 0, ctxError(ctx)
		case err == nil && d.again:
			// The first attempt would block: watch ctx from now on.
			d.exitAgain = false
			stop = afterFunc(ctx, func() { d.kick(s, write, gen) })
		case err == nil:
			return req.result(d.n, d.serr)
		case s.IsClosed():
			return 0, closedError()
		case ctx != nil && ctx.Err() != nil:
			return 0, ctxError(ctx)
		case errors.Is(err, os.ErrDeadlineExceeded):
			if !deadline.IsZero() && !time.Now().Before(deadline) {
				return 0, timedOutError()
			}
			// Woken before our deadline (a kick that raced with a
			// cancellation already handled): wait again.
			d.mu.Lock()
			s.setDeadline(write, deadline)
			d.mu.Unlock()
		default:
			return 0, ioerr.FromError("", err)
		}
	}
}

// state returns the blocking flag and the deadline for an operation
// starting now.
func (s *Socket) state() (bool, time.Time) {
	if !s.ok() {
		return true, time.Time{} // the operation's checkOp reports it
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blocking, deadlineFor(s.timeout)
}

// retryEINTR runs a syscall until it is not interrupted.
func retryEINTR[T any](f func() (T, error)) (T, error) {
	for {
		v, err := f()
		if err != unix.EINTR {
			return v, err
		}
	}
}

// Accept is g_socket_accept: it accepts a connection on a listening socket
// and returns it as a new connected Socket (blocking, no timeout, the same
// family, type and protocol). In non-blocking mode with no pending
// connection it gives WOULD_BLOCK; in blocking mode it waits (up to the
// timeout: TIMED_OUT). A cancelled c gives CANCELLED at once, in either mode
// (SOCK-2). Other failures read "Error accepting connection: …" (SOCK-4).
func (s *Socket) Accept(c *cancellable.Cancellable) (*Socket, error) {
	ctx := ctxOf(c)
	if err := s.checkOp(ctx); err != nil {
		return nil, err
	}
	blocking, deadline := s.state()
	nfd, err := s.runReq(ctx, false, blocking, deadline, ioReq{kind: ioAccept, prefix: msgAccepting})
	if err != nil {
		return nil, err
	}
	return s.adoptAccepted(nfd), nil
}

// tryAccept is a non-blocking Accept for a listener whose socket is ready:
// one accept4, with EAGAIN reported as again and no WOULD_BLOCK error
// made, so that a listener that finds its queue empty allocates nothing.
func (s *Socket) tryAccept(c *cancellable.Cancellable) (ns *Socket, again bool, err error) {
	if err := s.checkOp(ctxOf(c)); err != nil {
		return nil, false, err
	}
	nfd, again, err := s.attemptOnce(ioReq{kind: ioAccept, prefix: msgAccepting})
	if again || err != nil {
		return nil, again, err
	}
	return s.adoptAccepted(nfd), false, nil
}

// adoptAccepted is the Socket of a connection accepted on s (a descriptor
// accept4 made non-blocking and close-on-exec): s's family, type and
// protocol, connected both ways.
func (s *Socket) adoptAccepted(nfd int) *Socket {
	ns := adoptFD(nfd, s.family, s.typ, s.protocol)
	ns.connectedRead, ns.connectedWrite = true, true
	return ns
}

// Connect is g_socket_connect. In blocking mode it waits until the
// connection is made (or refused, timed out, cancelled). In non-blocking mode
// a connection that cannot complete at once gives PENDING "Connection in
// progress"; wait for IOOut (ConditionWait or CreateSource), then call
// CheckConnectResult (SOCK-2). A refused connection gives CONNECTION_REFUSED
// "Connection refused". A cancelled c gives CANCELLED at once.
func (s *Socket) Connect(a SocketAddress, c *cancellable.Cancellable) error {
	ctx := ctxOf(c)
	if err := s.checkSocket(); err != nil {
		return err
	}
	if ctx != nil && ctx.Err() != nil {
		return ctxError(ctx)
	}
	if a == nil {
		return ioerr.New(ioerr.InvalidArgument, "Error connecting: no address (the SocketAddress is nil)")
	}
	native, err := SocketAddressToNative(a)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.remote = a
	blocking := s.blocking
	s.mu.Unlock()
	var cerr error
	if err := s.control(func(fd int) { cerr = rawSockaddrCall(unix.SYS_CONNECT, fd, native) }); err != nil {
		return err
	}
	switch {
	case cerr == nil:
		s.setConnected()
		return nil
	case cerr == unix.EINPROGRESS && blocking:
		if err := s.conditionTimedWait(ctx, ioOut, -1); err != nil {
			return err
		}
		return s.CheckConnectResult()
	case cerr == unix.EINPROGRESS:
		s.mu.Lock()
		s.connectPending = true
		s.mu.Unlock()
		return ioerr.New(ioerr.Pending, msgPending)
	}
	return errnoOf(cerr, "")
}

func (s *Socket) setConnected() {
	s.mu.Lock()
	s.connectedRead, s.connectedWrite, s.connectPending = true, true, false
	s.mu.Unlock()
}

// CheckConnectResult is g_socket_check_connect_result: after a non-blocking
// Connect gave PENDING and the socket became writable (IOOut), it reports
// the connection's outcome (SO_ERROR), e.g. CONNECTION_REFUSED "Connection
// refused". On failure the remote address is forgotten.
func (s *Socket) CheckConnectResult() error {
	if err := s.checkOp(nil); err != nil {
		return err
	}
	var v int
	var gerr error
	if err := s.control(func(fd int) { v, gerr = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR) }); err != nil {
		return err
	}
	if gerr != nil {
		return errnoOf(gerr, "Unable to get pending error: ")
	}
	if v != 0 {
		s.mu.Lock()
		s.remote = nil
		s.connectPending = false
		s.mu.Unlock()
		return errnoOf(syscall.Errno(v), "")
	}
	s.setConnected()
	return nil
}

// Receive is g_socket_receive: it reads up to len(buf) bytes, honouring the
// socket's blocking mode and timeout. 0 means the peer closed the
// connection (SOCK-8). Errors read "Error receiving data: …", except
// WOULD_BLOCK, TIMED_OUT "Socket I/O timed out", CANCELLED and CLOSED.
func (s *Socket) Receive(buf []byte, c *cancellable.Cancellable) (int, error) {
	ctx := ctxOf(c)
	blocking, _ := s.state()
	return s.receive(ctx, buf, blocking)
}

// ReceiveWithBlocking is g_socket_receive_with_blocking: Receive with the
// blocking mode given per call.
func (s *Socket) ReceiveWithBlocking(buf []byte, blocking bool, c *cancellable.Cancellable) (int, error) {
	return s.receive(ctxOf(c), buf, blocking)
}

func (s *Socket) receive(ctx context.Context, buf []byte, blocking bool) (int, error) {
	_, deadline := s.state()
	return s.receiveUntil(ctx, buf, blocking, deadline)
}

func (s *Socket) receiveUntil(ctx context.Context, buf []byte, blocking bool, deadline time.Time) (int, error) {
	if err := s.checkOp(ctx); err != nil {
		return 0, err
	}
	return s.runReq(ctx, false, blocking, deadline, ioReq{kind: ioRecv, buf: buf, prefix: msgReceiving})
}

// ReceiveFrom is g_socket_receive_from: Receive that also returns the
// sender's address (nil on a connected stream socket).
func (s *Socket) ReceiveFrom(buf []byte, c *cancellable.Cancellable) (int, SocketAddress, error) {
	ctx := ctxOf(c)
	blocking, deadline := s.state()
	return s.receiveFromUntil(ctx, buf, blocking, deadline)
}

func (s *Socket) receiveFromUntil(ctx context.Context, buf []byte, blocking bool, deadline time.Time) (int, SocketAddress, error) {
	if err := s.checkOp(ctx); err != nil {
		return 0, nil, err
	}
	n := 0
	var from []byte
	var rerr error
	err := s.run(ctx, false, blocking, deadline, func(fd int) bool {
		n, from, rerr = recvfrom(fd, buf, 0)
		return rerr == unix.EAGAIN
	})
	if err != nil {
		return 0, nil, err
	}
	if rerr != nil {
		return 0, nil, errnoOf(rerr, msgReceiving)
	}
	if from == nil {
		return n, nil, nil
	}
	a, aerr := SocketAddressFromNative(from)
	if aerr != nil {
		return n, nil, nil
	}
	return n, a, nil
}

// Send is g_socket_send: it writes from buf, honouring the blocking mode
// and timeout, and returns how much was sent (a stream socket may send less
// than len(buf)). It never raises SIGPIPE (MSG_NOSIGNAL): writing to a
// connection the peer has closed gives BROKEN_PIPE / CONNECTION_CLOSED
// (SOCK-8). Errors read "Error sending data: …".
func (s *Socket) Send(buf []byte, c *cancellable.Cancellable) (int, error) {
	ctx := ctxOf(c)
	blocking, _ := s.state()
	return s.sendTo(ctx, nil, buf, blocking)
}

// SendWithBlocking is g_socket_send_with_blocking: Send with the blocking
// mode given per call.
func (s *Socket) SendWithBlocking(buf []byte, blocking bool, c *cancellable.Cancellable) (int, error) {
	return s.sendTo(ctxOf(c), nil, buf, blocking)
}

// SendTo is g_socket_send_to: Send to address a (nil: the connected peer),
// for datagram sockets.
func (s *Socket) SendTo(a SocketAddress, buf []byte, c *cancellable.Cancellable) (int, error) {
	ctx := ctxOf(c)
	blocking, _ := s.state()
	return s.sendTo(ctx, a, buf, blocking)
}

func (s *Socket) sendTo(ctx context.Context, a SocketAddress, buf []byte, blocking bool) (int, error) {
	if err := s.checkOp(ctx); err != nil {
		return 0, err
	}
	var native []byte
	if a != nil {
		var err error
		if native, err = SocketAddressToNative(a); err != nil {
			return 0, err
		}
	}
	_, deadline := s.state()
	return s.runReq(ctx, true, blocking, deadline, ioReq{kind: ioSend, buf: buf, native: native, flags: unix.MSG_NOSIGNAL, prefix: msgSending})
}

// SendVectors is g_socket_send_message with vectors and no address or
// control messages: one sendmsg(2) of all of bufs. It returns the bytes
// sent, which on a stream socket may be fewer than the total. Errors read
// "Error sending message: …".
func (s *Socket) SendVectors(bufs [][]byte, c *cancellable.Cancellable) (int, error) {
	return s.SendMessage(nil, bufs, nil, 0, c)
}

// ConditionCheck is g_socket_condition_check: which of cond (plus IOErr and
// IOHup, always) the socket is in now, without waiting. A closed socket gives
// 0.
func (s *Socket) ConditionCheck(cond mainloop.IOCondition) mainloop.IOCondition {
	if s.checkSocket() != nil {
		return 0
	}
	var rev mainloop.IOCondition
	_ = s.control(func(fd int) { rev = pollNow(fd, cond|ioErr|ioHup) })
	return rev
}

// pollNow polls fd once without waiting.
func pollNow(fd int, cond mainloop.IOCondition) mainloop.IOCondition {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: int16(cond)}}
	n, err := retryEINTR(func() (int, error) { return unix.Poll(pfd, 0) })
	if err != nil || n <= 0 {
		return 0
	}
	return mainloop.IOCondition(uint16(pfd[0].Revents))
}

// ConditionWait is g_socket_condition_wait: it waits until the socket is in
// one of cond's states (IOErr and IOHup always count), up to the socket
// timeout (TIMED_OUT), or until c is cancelled (CANCELLED) or the socket is
// closed (CLOSED).
func (s *Socket) ConditionWait(cond mainloop.IOCondition, c *cancellable.Cancellable) error {
	return s.ConditionTimedWait(cond, -1, c)
}

// ConditionTimedWait is g_socket_condition_timed_wait (SOCK-5): ConditionWait
// for at most timeout (negative: no limit; the socket timeout applies when it
// is shorter), then TIMED_OUT "Socket I/O timed out". Differs from GLib: the
// timeout is a time.Duration rather than microseconds.
func (s *Socket) ConditionTimedWait(cond mainloop.IOCondition, timeout time.Duration, c *cancellable.Cancellable) error {
	return s.conditionTimedWait(ctxOf(c), cond, timeout)
}

func (s *Socket) conditionTimedWait(ctx context.Context, cond mainloop.IOCondition, timeout time.Duration) error {
	if err := s.checkSocket(); err != nil {
		return err
	}
	if ctx != nil && ctx.Err() != nil {
		return ctxError(ctx)
	}
	if st := s.Timeout(); st > 0 && (timeout < 0 || st < timeout) {
		timeout = st
	}
	var deadline time.Time
	switch {
	case timeout == 0:
		if s.ConditionCheck(cond) != 0 {
			return nil
		}
		return timedOutError()
	case timeout > 0:
		deadline = time.Now().Add(timeout)
	}
	attempt := func(fd int) bool { return pollNow(fd, cond|ioErr|ioHup) == 0 }
	readish := cond&(ioIn|ioPri) != 0
	writish := cond&ioOut != 0
	if !(readish && writish) {
		return s.run(ctx, writish, true, deadline, attempt)
	}
	// Both directions: wait on each in its own goroutine; the first to
	// succeed cancels the other.
	parent := ctx
	if parent == nil {
		parent = context.Background()
	}
	both, cancel := context.WithCancel(parent)
	defer cancel()
	var werr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if werr = s.run(both, true, true, deadline, attempt); werr == nil {
			cancel()
		}
	}()
	rerr := s.run(both, false, true, deadline, attempt)
	if rerr == nil {
		cancel()
	}
	wg.Wait()
	switch {
	case rerr == nil || werr == nil:
		return nil
	case ctx != nil && ctx.Err() != nil:
		return ctxError(ctx)
	case errors.Is(rerr, ErrCancelled):
		return werr
	}
	return rerr
}

// bytesDeadline is g_socket_receive_bytes's timeout rule: negative waits as a
// blocking receive does (up to the socket timeout), 0 does not wait, and a
// positive timeout waits at most that long (or the socket timeout, if
// shorter).
func (s *Socket) bytesDeadline(timeout time.Duration) (bool, time.Time) {
	st := s.Timeout()
	switch {
	case timeout == 0:
		return false, time.Time{}
	case timeout < 0 || (st > 0 && st < timeout):
		return true, deadlineFor(st)
	}
	return true, time.Now().Add(timeout)
}

// ReceiveBytes is g_socket_receive_bytes: it receives up to size bytes into
// a new slice. The timeout replaces the blocking mode for this call: 0 does
// not wait (WOULD_BLOCK), a negative timeout waits like a blocking receive,
// a positive one waits at most that long (TIMED_OUT) or the socket timeout
// if that is shorter. Differs from GLib: the timeout is a time.Duration
// rather than microseconds, and the result is a []byte rather than GBytes.
func (s *Socket) ReceiveBytes(size int, timeout time.Duration, c *cancellable.Cancellable) ([]byte, error) {
	ctx := ctxOf(c)
	if size < 0 {
		return nil, ioerr.New(ioerr.InvalidArgument, "size "+strconv.Itoa(size)+" is negative (Invalid size)")
	}
	blocking, deadline := s.bytesDeadline(timeout)
	buf := make([]byte, size)
	n, err := s.receiveUntil(ctx, buf, blocking, deadline)
	if err != nil {
		return nil, err
	}
	return buf[:n:n], nil
}

// ReceiveBytesFrom is g_socket_receive_bytes_from: ReceiveBytes that also
// returns the sender's address.
func (s *Socket) ReceiveBytesFrom(size int, timeout time.Duration, c *cancellable.Cancellable) ([]byte, SocketAddress, error) {
	ctx := ctxOf(c)
	if size < 0 {
		return nil, nil, ioerr.New(ioerr.InvalidArgument, "size "+strconv.Itoa(size)+" is negative (Invalid size)")
	}
	blocking, deadline := s.bytesDeadline(timeout)
	buf := make([]byte, size)
	n, from, err := s.receiveFromUntil(ctx, buf, blocking, deadline)
	if err != nil {
		return nil, nil, err
	}
	return buf[:n:n], from, nil
}

// SendMessage is g_socket_send_message: one sendmsg(2) of the vectors bufs
// to a (nil: the connected peer), with raw control data oob (build it with
// unix.UnixRights or unix.UnixCredentials) and MSG_* flags. It returns the
// bytes sent. Differs from GLib: control messages are raw bytes, not
// GSocketControlMessage objects. Errors read "Error sending message: …".
func (s *Socket) SendMessage(a SocketAddress, bufs [][]byte, oob []byte, flags int, c *cancellable.Cancellable) (int, error) {
	ctx := ctxOf(c)
	if err := s.checkOp(ctx); err != nil {
		return 0, err
	}
	var to unix.Sockaddr
	if a != nil {
		var err error
		if to, err = SocketAddressToSockaddr(a); err != nil {
			return 0, err
		}
	}
	blocking, deadline := s.state()
	n := 0
	var werr error
	err := s.run(ctx, true, blocking, deadline, func(fd int) bool {
		n, werr = retryEINTR(func() (int, error) { return unix.SendmsgBuffers(fd, bufs, oob, to, flags|unix.MSG_NOSIGNAL) })
		return werr == unix.EAGAIN
	})
	if err != nil {
		return 0, err
	}
	if werr != nil {
		return 0, errnoOf(werr, "Error sending message: ")
	}
	return n, nil
}

// ReceiveMessage is g_socket_receive_message: one recvmsg(2) into the
// vectors bufs and the control buffer oob (parse it with
// unix.ParseSocketControlMessage; received descriptors are close-on-exec and
// belong to the caller). It returns the bytes read, the control bytes read,
// the MSG_* flags of the message and the sender's address (nil when the
// kernel gives none). Errors read "Error receiving message: …".
func (s *Socket) ReceiveMessage(bufs [][]byte, oob []byte, flags int, c *cancellable.Cancellable) (n, oobn, recvflags int, from SocketAddress, err error) {
	ctx := ctxOf(c)
	if err := s.checkOp(ctx); err != nil {
		return 0, 0, 0, nil, err
	}
	blocking, deadline := s.state()
	var sa unix.Sockaddr
	var rerr error
	err = s.run(ctx, false, blocking, deadline, func(fd int) bool {
		for {
			n, oobn, recvflags, sa, rerr = unix.RecvmsgBuffers(fd, bufs, oob, flags|unix.MSG_CMSG_CLOEXEC)
			if rerr != unix.EINTR {
				return rerr == unix.EAGAIN
			}
		}
	})
	if err != nil {
		return 0, 0, 0, nil, err
	}
	if rerr != nil {
		return 0, 0, 0, nil, errnoOf(rerr, "Error receiving message: ")
	}
	if sa != nil {
		from, _ = SocketAddressFromSockaddr(sa)
	}
	return n, oobn, recvflags, from, nil
}
