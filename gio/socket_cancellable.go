package gio

import (
	"context"
	"time"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/mainloop"
)

// ctxOf turns an optional Cancellable into the context the core waits on.
func ctxOf(c *cancellable.Cancellable) context.Context {
	if c == nil {
		return nil
	}
	return c
}

// Accept is g_socket_accept: it accepts a connection on a listening socket
// and returns it as a new connected Socket (blocking, no timeout, the same
// family, type and protocol). In non-blocking mode with no pending
// connection it gives WOULD_BLOCK; in blocking mode it waits (up to the
// timeout: TIMED_OUT). A cancelled c gives CANCELLED at once, in either mode
// (SOCK-2). Other failures read "Error accepting connection: …" (SOCK-4).
func (s *Socket) Accept(c *cancellable.Cancellable) (*Socket, error) {
	return s.AcceptContext(ctxOf(c))
}

// Connect is g_socket_connect. In blocking mode it waits until the
// connection is made (or refused, timed out, cancelled). In non-blocking mode
// a connection that cannot complete at once gives PENDING "Connection in
// progress"; wait for IOOut (ConditionWait or CreateSource), then call
// CheckConnectResult (SOCK-2). A refused connection gives CONNECTION_REFUSED
// "Connection refused". A cancelled c gives CANCELLED at once.
func (s *Socket) Connect(a SocketAddress, c *cancellable.Cancellable) error {
	return s.ConnectContext(ctxOf(c), a)
}

// Receive is g_socket_receive: it reads up to len(buf) bytes, honouring the
// socket's blocking mode and timeout. 0 means the peer closed the
// connection (SOCK-8). Errors read "Error receiving data: …", except
// WOULD_BLOCK, TIMED_OUT "Socket I/O timed out", CANCELLED and CLOSED.
func (s *Socket) Receive(buf []byte, c *cancellable.Cancellable) (int, error) {
	return s.ReceiveContext(ctxOf(c), buf)
}

// ReceiveWithBlocking is g_socket_receive_with_blocking: Receive with the
// blocking mode given per call.
func (s *Socket) ReceiveWithBlocking(buf []byte, blocking bool, c *cancellable.Cancellable) (int, error) {
	return s.receive(ctxOf(c), buf, blocking)
}

// ReceiveFrom is g_socket_receive_from: Receive that also returns the
// sender's address (nil on a connected stream socket).
func (s *Socket) ReceiveFrom(buf []byte, c *cancellable.Cancellable) (int, SocketAddress, error) {
	return s.ReceiveFromContext(ctxOf(c), buf)
}

// Send is g_socket_send: it writes from buf, honouring the blocking mode
// and timeout, and returns how much was sent (a stream socket may send less
// than len(buf)). It never raises SIGPIPE (MSG_NOSIGNAL): writing to a
// connection the peer has closed gives BROKEN_PIPE / CONNECTION_CLOSED
// (SOCK-8). Errors read "Error sending data: …".
func (s *Socket) Send(buf []byte, c *cancellable.Cancellable) (int, error) {
	return s.SendContext(ctxOf(c), buf)
}

// SendWithBlocking is g_socket_send_with_blocking: Send with the blocking
// mode given per call.
func (s *Socket) SendWithBlocking(buf []byte, blocking bool, c *cancellable.Cancellable) (int, error) {
	return s.sendTo(ctxOf(c), nil, buf, blocking)
}

// SendTo is g_socket_send_to: Send to address a (nil: the connected peer),
// for datagram sockets.
func (s *Socket) SendTo(a SocketAddress, buf []byte, c *cancellable.Cancellable) (int, error) {
	return s.SendToContext(ctxOf(c), a, buf)
}

// SendVectors is g_socket_send_message with vectors and no address or
// control messages: one sendmsg(2) of all of bufs. It returns the bytes
// sent, which on a stream socket may be fewer than the total. Errors read
// "Error sending message: …".
func (s *Socket) SendVectors(bufs [][]byte, c *cancellable.Cancellable) (int, error) {
	return s.SendVectorsContext(ctxOf(c), bufs)
}

// ConditionWait is g_socket_condition_wait: it waits until the socket is in
// one of cond's states (IOErr and IOHup always count), up to the socket
// timeout (TIMED_OUT), or until c is cancelled (CANCELLED) or the socket is
// closed (CLOSED).
func (s *Socket) ConditionWait(cond mainloop.IOCondition, c *cancellable.Cancellable) error {
	return s.ConditionWaitContext(ctxOf(c), cond)
}

// ConditionTimedWait is g_socket_condition_timed_wait (SOCK-5): ConditionWait
// for at most timeout (negative: no limit; the socket timeout applies when it
// is shorter), then TIMED_OUT "Socket I/O timed out". Differs from GLib: the
// timeout is a time.Duration rather than microseconds.
func (s *Socket) ConditionTimedWait(cond mainloop.IOCondition, timeout time.Duration, c *cancellable.Cancellable) error {
	return s.ConditionTimedWaitContext(ctxOf(c), cond, timeout)
}

// CreateSource is g_socket_create_source (SOCK-7): a mainloop source that
// dispatches fn when the socket is in one of cond's states. Attach it to a
// context to use it.
//
//   - IOErr, IOHup and IONval are always added to cond, and fn gets the
//     conditions that occurred masked with that set.
//   - On a closed socket (also one closed after the source was made) the
//     source dispatches once with IONval and is then destroyed, whatever fn
//     returns. Close removes the fd watch before closing the descriptor
//     and wakes the source's context, so a loop blocked in another
//     goroutine sees the close at once (differs from GLib, where closing
//     from another thread does not wake the context, SL-12).
//   - With a Cancellable c, cancelling it wakes the source, which then
//     dispatches with the conditions that hold (usually 0).
//   - If the socket has a timeout, the source also dispatches when that much
//     time passes without a dispatch; then the socket is marked timed out,
//     so the next operation fails once with TIMED_OUT, and fn gets
//     cond & (IOIn|IOOut).
//
// fn may be nil; then a callback set with SetCallback on the returned source
// is called instead.
func (s *Socket) CreateSource(cond mainloop.IOCondition, c *cancellable.Cancellable, fn SocketSourceFunc) *mainloop.Source {
	src := s.createSource(cond, fn)
	if c != nil {
		child := c.NewSource()
		child.SetCallback(func() bool { return true })
		src.AddChildSource(child)
	}
	return src
}

// ReceiveBytes is g_socket_receive_bytes: it receives up to size bytes into
// a new slice. The timeout replaces the blocking mode for this call: 0 does
// not wait (WOULD_BLOCK), a negative timeout waits like a blocking receive,
// a positive one waits at most that long (TIMED_OUT) or the socket timeout
// if that is shorter. Differs from GLib: the timeout is a time.Duration
// rather than microseconds, and the result is a []byte rather than GBytes.
func (s *Socket) ReceiveBytes(size int, timeout time.Duration, c *cancellable.Cancellable) ([]byte, error) {
	return s.ReceiveBytesContext(ctxOf(c), size, timeout)
}

// ReceiveBytesFrom is g_socket_receive_bytes_from: ReceiveBytes that also
// returns the sender's address.
func (s *Socket) ReceiveBytesFrom(size int, timeout time.Duration, c *cancellable.Cancellable) ([]byte, SocketAddress, error) {
	return s.ReceiveBytesFromContext(ctxOf(c), size, timeout)
}

// SendMessage is g_socket_send_message: one sendmsg(2) of the vectors bufs
// to a (nil: the connected peer), with raw control data oob (build it with
// unix.UnixRights or unix.UnixCredentials) and MSG_* flags. It returns the
// bytes sent. Differs from GLib: control messages are raw bytes, not
// GSocketControlMessage objects. Errors read "Error sending message: …".
func (s *Socket) SendMessage(a SocketAddress, bufs [][]byte, oob []byte, flags int, c *cancellable.Cancellable) (int, error) {
	return s.SendMessageContext(ctxOf(c), a, bufs, oob, flags)
}

// ReceiveMessage is g_socket_receive_message: one recvmsg(2) into the
// vectors bufs and the control buffer oob (parse it with
// unix.ParseSocketControlMessage; received descriptors are close-on-exec and
// belong to the caller). It returns the bytes read, the control bytes read,
// the MSG_* flags of the message and the sender's address (nil when the
// kernel gives none). Errors read "Error receiving message: …".
func (s *Socket) ReceiveMessage(bufs [][]byte, oob []byte, flags int, c *cancellable.Cancellable) (n, oobn, recvflags int, from SocketAddress, err error) {
	return s.ReceiveMessageContext(ctxOf(c), bufs, oob, flags)
}
