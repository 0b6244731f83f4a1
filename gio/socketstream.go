package gio

import (
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/mainloop"
)

// The streams of a SocketConnection: GSocketInputStream and
// GSocketOutputStream. They are an InputStreamImpl and an OutputStreamImpl
// like any other, plus optional interfaces: both are pollable (readiness is
// the socket's condition, the source is the socket's source), the output
// has a vectored write, and both have the non-blocking calls the pollable
// async path uses (tryReader, tryWriter, vecWriter), which report EAGAIN
// without making a WOULD_BLOCK error per wait.

// The input and output methods mirror each other one for one, as
// GSocketInputStream and GSocketOutputStream do. What is the same on both
// sides but for the condition (Close, the sources) is socketSide's, once;
// what the two interfaces name differently (Read/Write, IsReadable/
// IsWritable, …) is one line each into the Socket.

// socketSide is the half of a socket stream both directions share: the
// Socket, and the condition (IOIn or IOOut) that D gives. It is one pointer,
// like the Socket, so a stream made of it stores without allocating.
type socketSide[D direction] struct{ s *Socket }

// direction picks a socket stream's condition: inbound or outbound.
type direction interface{ cond() mainloop.IOCondition }

type (
	inbound  struct{}
	outbound struct{}
)

func (inbound) cond() mainloop.IOCondition  { return mainloop.IOIn }
func (outbound) cond() mainloop.IOCondition { return mainloop.IOOut }

// Close is the streams' close_fn: there is none, closing a stream leaves
// the socket open.
func (socketSide[D]) Close(*cancellable.Cancellable) error { return nil }

// ready reports whether the socket has the stream's condition now.
func (x socketSide[D]) ready() bool {
	var d D
	return x.s.ConditionCheck(d.cond()) != 0
}

func (x socketSide[D]) CreateSource(c *cancellable.Cancellable) *mainloop.Source {
	var d D
	return x.s.CreateSource(d.cond(), c, nil)
}

func (x socketSide[D]) waitSource(c *cancellable.Cancellable, w pollWaiter) *mainloop.Source {
	var d D
	return x.s.createSourceFor(d.cond(), c, nil, w)
}

func (x socketSide[D]) rearm(ctx *mainloop.Context, prio int, w pollWaiter) bool {
	var d D
	return x.s.rearm(d.cond(), ctx, prio, w)
}

// socketInput is GSocketInputStream: its read_fn is a blocking receive
// whatever the socket's blocking property (the socket's timeout still
// applies).
type socketInput struct{ socketSide[inbound] }

func (i socketInput) Read(buf []byte, c *cancellable.Cancellable) (int, error) {
	return i.s.ReceiveWithBlocking(buf, true, c)
}

func (i socketInput) ReadNonblocking(buf []byte, c *cancellable.Cancellable) (int, error) {
	return i.s.ReceiveWithBlocking(buf, false, c)
}

func (i socketInput) tryRead(buf []byte, c *cancellable.Cancellable) (int, bool, error) {
	return i.s.tryReceive(buf, c)
}

func (i socketInput) IsReadable() bool { return i.ready() }

// skipFirstTry and firstTryBlocked are the pollable path's hint for a
// socket's reads: after a first try that would have blocked, the next
// readSkipRun reads wait for readability first, without the read that
// would fail with EAGAIN; then one tries again.
func (i socketInput) skipFirstTry() bool {
	if i.s.readSkip.Load() <= 0 {
		return false
	}
	i.s.readSkip.Add(-1)
	return true
}

func (i socketInput) firstTryBlocked() { i.s.readSkip.Store(readSkipRun) }

const readSkipRun = 7

// socketOutput is GSocketOutputStream: blocking sends, vectored sends; no
// buffering, so no Flusher.
type socketOutput struct{ socketSide[outbound] }

func (o socketOutput) Write(buf []byte, c *cancellable.Cancellable) (int, error) {
	return o.s.SendWithBlocking(buf, true, c)
}

func (o socketOutput) Writev(bufs [][]byte, c *cancellable.Cancellable) (int, error) {
	return o.s.SendVectors(bufs, c)
}

func (o socketOutput) WriteNonblocking(buf []byte, c *cancellable.Cancellable) (int, error) {
	return o.s.SendWithBlocking(buf, false, c)
}

func (o socketOutput) tryWrite(buf []byte, c *cancellable.Cancellable) (int, bool, error) {
	return o.s.trySend(buf, c)
}

func (o socketOutput) tryWritev(bufs [][]byte, c *cancellable.Cancellable) (int, bool, error) {
	if err := cancelledErr(c); err != nil {
		return 0, false, err
	}
	return o.s.trySendVectors(bufs, c)
}

func (o socketOutput) IsWritable() bool { return o.ready() }
