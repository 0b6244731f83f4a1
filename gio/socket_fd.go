package gio

import (
	"os"
	"runtime"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/nbio"
)

// sockFD is a Socket's hold on its descriptor: who may use the number, and
// how it is closed exactly once.
//
// A socket served from a main loop (the non-blocking, pollable path) waits
// in the loop's own epoll set, never in Go's runtime poller, so it needs no
// *os.File: making one costs an fcntl and an epoll_ctl ADD per socket, and
// closing it an epoll_ctl DEL and a close(2) made with the runtime's
// system-call bookkeeping, whose monitor thread then takes the loop's P
// away during the close of a TCP socket (about 25 µs on loopback) and
// costs two thread switches to get it back. Without them a SocketService's
// CPU per accepted TCP connection fell from 74 to 55 µs. So the file is
// made by the first operation that waits in the runtime poller (blocking
// mode, net.Conn, SyscallConn), and until then calls on the descriptor
// hold refs, a count that Close waits to drain.
//
// Every call made under a ref is a system call on an O_NONBLOCK descriptor,
// so the drain is short.
type sockFD struct {
	num  int          // the descriptor, open while a ref is held or until close
	refs atomic.Int64 // calls in progress under control, plus closing once Close began
	file atomic.Pointer[fileConn]
	// shared: the number was handed out (Socket.FD), so its owner may have
	// set SO_LINGER, and close(2) may block.
	shared atomic.Bool
	closed atomic.Bool // close ran (Socket.Close or the cleanup)
	// waits are the socket's wait sources between operations, here so
	// that the cleanup of a socket never closed can destroy them.
	waits waitSources
}

// fileConn is the *os.File of a socket that waits in the runtime poller.
type fileConn struct {
	f  *os.File
	rc syscall.RawConn
}

// closing is set in sockFD.refs by close; control refuses from then on.
const closing = 1 << 62

// newSockFD takes ownership of fd for owner: an owner that becomes
// unreachable without Close has fd closed by the garbage collector, as
// os.File does (and a GSocket on its last unref).
func newSockFD[T any](owner *T, fd int) *sockFD {
	d := &sockFD{num: fd}
	runtime.AddCleanup(owner, collectSockFD, d)
	return d
}

// collectSockFD is the cleanup of an owner that was never closed.
// Its parked wait sources go first: they watch nothing, but would stay
// attached to their context.
func collectSockFD(d *sockFD) {
	d.waits.destroyParked()
	_ = d.close()
}

// control runs fn with the descriptor, which stays open meanwhile; false
// once close began.
func (d *sockFD) control(fn func(fd uintptr)) bool {
	fd, ok := d.acquire()
	if !ok {
		return false
	}
	fn(uintptr(fd))
	d.release()
	return true
}

// acquire takes a ref and returns the descriptor, which stays open until
// the paired release; false (and no ref) once close began. It is control
// without the function value, for the per-message calls.
func (d *sockFD) acquire() (fd int, ok bool) {
	if d.refs.Add(1)&closing != 0 {
		d.refs.Add(-1)
		return -1, false
	}
	return d.num, true
}

// release drops the ref acquire took.
func (d *sockFD) release() { d.refs.Add(-1) }

// fileConn returns the descriptor's file, making it on first use. The
// caller holds the socket's lock and has checked that it is not closed.
func (d *sockFD) fileConn() *fileConn {
	if fc := d.file.Load(); fc != nil {
		return fc
	}
	f := os.NewFile(uintptr(d.num), "gio-socket")
	rc, _ := f.SyscallConn() // never fails for a non-nil *os.File
	fc := &fileConn{f: f, rc: rc}
	d.file.Store(fc)
	return fc
}

// close closes the descriptor once: it refuses new calls, waits for those
// in progress, then closes the file if one was made (which also ends the
// waits parked in the runtime poller) or the number itself.
func (d *sockFD) close() error {
	if d.closed.Swap(true) {
		return nil
	}
	for d.refs.Or(closing); d.refs.Load() != closing; {
		runtime.Gosched()
	}
	if fc := d.file.Load(); fc != nil {
		return fc.f.Close()
	}
	if d.shared.Load() {
		return unix.Close(d.num) // SO_LINGER may make it wait
	}
	// Without SO_LINGER close(2) does not wait for the peer: it sends what
	// is queued (and the FIN) without blocking.
	if err := nbio.Close(d.num); err != nil {
		return os.NewSyscallError("close", err)
	}
	return nil
}
