package gio

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
)

// netConnState is what the net.Conn side of a SocketConnection needs beyond
// the streams: the deadlines, the locks that let net.Conn callers read (or
// write) from several goroutines at once, and the addresses, kept so that
// LocalAddr and RemoteAddr still answer after Close, as net.Conn's do.
type netConnState struct {
	readMu, writeMu sync.Mutex
	rd, wd          deadline

	addrMu        sync.Mutex
	local, remote net.Addr
}

// netState is c's net.Conn state, made on first use.
func (c *SocketConnection) netState() *netConnState {
	if n := c.net.Load(); n != nil {
		return n
	}
	n := new(netConnState)
	if c.net.CompareAndSwap(nil, n) {
		return n
	}
	return c.net.Load()
}

// noteAddrs remembers the socket's addresses once it is connected.
func (n *netConnState) noteAddrs(s *Socket) {
	n.addrMu.Lock()
	defer n.addrMu.Unlock()
	if a, err := s.LocalAddress(); err == nil && a != nil {
		n.local = a.ToNet()
	}
	if a, err := s.RemoteAddress(); err == nil && a != nil {
		n.remote = a.ToNet()
	}
}

func (n *netConnState) addrs() (local, remote net.Addr) {
	n.addrMu.Lock()
	defer n.addrMu.Unlock()
	return n.local, n.remote
}

// Read is net.Conn's Read: one read from the input stream, which returns
// io.EOF at end of stream. Calls from several goroutines are served one
// after another (a GLib-style operation in progress on the input stream
// still makes it fail with PENDING). The read deadline applies; when it
// passes the error is TIMED_OUT, which is also os.ErrDeadlineExceeded and a
// net.Error with Timeout() true. After Close the error is CLOSED, which is
// also net.ErrClosed.
func (c *SocketConnection) Read(b []byte) (int, error) {
	if !c.ok() {
		return 0, errConnNotInit()
	}
	if len(b) == 0 {
		return 0, nil
	}
	ns := c.netState()
	ns.readMu.Lock()
	defer ns.readMu.Unlock()
	n, err := withDeadline(&ns.rd, c.socket, false, func(cn *cancellable.Cancellable) (int, error) {
		return c.InputStream().Read(b, cn)
	})
	if err != nil {
		return n, netError(err)
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// Write is net.Conn's Write: it writes all of b (WriteAll on the output
// stream) or returns an error saying how far it got. The write deadline
// applies. Calls from several goroutines are served one after another.
func (c *SocketConnection) Write(b []byte) (int, error) {
	if !c.ok() {
		return 0, errConnNotInit()
	}
	ns := c.netState()
	ns.writeMu.Lock()
	defer ns.writeMu.Unlock()
	var total int
	_, err := withDeadline(&ns.wd, c.socket, true, func(cn *cancellable.Cancellable) (int, error) {
		n, err := c.OutputStream().WriteAll(b[total:], cn)
		total += n
		return n, err
	})
	if err != nil {
		return total, netError(err)
	}
	return total, nil
}

// LocalAddr is net.Conn's LocalAddr: the socket's local address as a
// net.Addr (*net.TCPAddr, *net.UnixAddr), still known after Close.
func (c *SocketConnection) LocalAddr() net.Addr { l, _ := c.netAddrs(); return l }

// RemoteAddr is net.Conn's RemoteAddr: the peer's address as a net.Addr,
// still known after Close.
func (c *SocketConnection) RemoteAddr() net.Addr { _, r := c.netAddrs(); return r }

// netAddrs is the connection's addresses, noted on first use while the
// socket is open (both nil for a zero or nil connection).
func (c *SocketConnection) netAddrs() (local, remote net.Addr) {
	if !c.ok() {
		return nil, nil
	}
	ns := c.netState()
	if l, r := ns.addrs(); (l == nil || r == nil) && !c.socket.IsClosed() {
		ns.noteAddrs(c.socket)
	}
	return ns.addrs()
}

// CloseWrite shuts down the sending side (shutdown(2) SHUT_WR), as
// *net.TCPConn's CloseWrite does: the peer reads end of stream, and this
// side can still read. Go code that half-closes through interface{
// CloseWrite() error } (proxies, io.Copy pairs) works with it.
func (c *SocketConnection) CloseWrite() error { return netError(c.Socket().Shutdown(false, true)) }

// CloseRead shuts down the receiving side (SHUT_RD), as *net.TCPConn's
// CloseRead does.
func (c *SocketConnection) CloseRead() error { return netError(c.Socket().Shutdown(true, false)) }

// SetDeadline is net.Conn's SetDeadline: SetReadDeadline and
// SetWriteDeadline together.
func (c *SocketConnection) SetDeadline(t time.Time) error {
	if !c.ok() {
		return errConnNotInit()
	}
	ns := c.netState()
	ns.rd.set(t)
	ns.wd.set(t)
	return nil
}

// SetReadDeadline is net.Conn's SetReadDeadline. It applies to net.Conn
// Reads, including one already waiting; a zero t means none. GLib-style
// calls on the InputStream use their Cancellable and the socket's timeout
// instead.
func (c *SocketConnection) SetReadDeadline(t time.Time) error {
	if !c.ok() {
		return errConnNotInit()
	}
	c.netState().rd.set(t)
	return nil
}

// SetWriteDeadline is net.Conn's SetWriteDeadline (see SetReadDeadline).
func (c *SocketConnection) SetWriteDeadline(t time.Time) error {
	if !c.ok() {
		return errConnNotInit()
	}
	c.netState().wd.set(t)
	return nil
}

// errDeadline is the error of an operation stopped by its deadline: GIO's
// TIMED_OUT with GLib's socket message, and os.ErrDeadlineExceeded for Go.
func errDeadline() error {
	return &ioerr.Error{Code: ioerr.TimedOut, Message: "Socket I/O timed out", Err: os.ErrDeadlineExceeded}
}

// netError adds Go's sentinel to a CLOSED error, so errors.Is(err,
// net.ErrClosed) holds as for any net.Conn.
func netError(err error) error {
	var e *ioerr.Error
	if errors.As(err, &e) && e.Code == ioerr.Closed && !errors.Is(err, net.ErrClosed) {
		return &ioerr.Error{Code: e.Code, Message: e.Message, Err: net.ErrClosed}
	}
	return err
}

// deadline is one direction's net.Conn deadline. An operation runs with a
// Cancellable that the deadline's timer cancels; moving the deadline while
// an operation waits takes effect at once, as net.Conn requires. Operations
// in one direction are serialised (readMu, writeMu), so one Cancellable per
// direction is enough; it is reset before reuse, never while in use.
type deadline struct {
	mu      sync.Mutex
	at      time.Time
	timer   *time.Timer
	expired bool
	gen     uint64
	cn      *cancellable.Cancellable
	active  bool // an operation is using cn
}

// set moves the deadline to t (zero: none).
func (d *deadline) set(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.gen++
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.at = t
	d.expired = false
	switch {
	case t.IsZero():
	case !time.Now().Before(t):
		d.expireLocked()
	default:
		gen := d.gen
		d.timer = time.AfterFunc(time.Until(t), func() {
			d.mu.Lock()
			defer d.mu.Unlock()
			if d.gen == gen {
				d.expireLocked()
			}
		})
	}
}

func (d *deadline) expireLocked() {
	d.expired = true
	if d.active {
		// Cancel runs no code of ours (only the socket's own wake-up), so
		// holding d.mu is safe.
		d.cn.Cancel()
	}
}

// begin registers an operation and returns its cancellable, or the timeout
// error if the deadline has passed. The cancellable is made on first use
// and wired to the socket's direction (Socket.wire), so that the
// operations using it register nothing per call.
func (d *deadline) begin(s *Socket, write bool) (*cancellable.Cancellable, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.expired {
		return nil, errDeadline()
	}
	if d.cn == nil {
		d.cn = cancellable.New()
		s.wire(write, d.cn)
	} else if d.cn.IsCancelled() {
		d.cn.Reset()
	}
	d.active = true
	return d.cn, nil
}

// end unregisters the operation and says whether the deadline has passed.
func (d *deadline) end() (expired bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.active = false
	return d.expired
}

// withDeadline runs op with a cancellable the deadline cancels. An op
// stopped by a deadline that was then moved into the future is run again,
// so a moved deadline never fails an operation early.
func withDeadline(d *deadline, s *Socket, write bool, op func(cn *cancellable.Cancellable) (int, error)) (int, error) {
	for {
		cn, err := d.begin(s, write)
		if err != nil {
			return 0, err
		}
		n, err := op(cn)
		expired := d.end()
		if err == nil || !isCode(err, ioerr.Cancelled) || !cn.IsCancelled() {
			return n, err
		}
		if expired {
			return n, errDeadline()
		}
	}
}
