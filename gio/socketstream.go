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
// GSocketInputStream and GSocketOutputStream do (socketOutput has the same
// shape as socketInput): kept as two types because each method is one line
// into the Socket and the interfaces they satisfy name them differently
// (IsReadable/IsWritable, ReadNonblocking/WriteNonblocking).

// socketInput is GSocketInputStream: its read_fn is a blocking receive
// whatever the socket's blocking property (the socket's timeout still
// applies). It has no close_fn: closing the stream leaves the socket open.
type socketInput struct{ s *Socket }

func (i socketInput) Read(buf []byte, c *cancellable.Cancellable) (int, error) {
	return i.s.ReceiveWithBlocking(buf, true, c)
}

func (i socketInput) Close(*cancellable.Cancellable) error { return nil }

func (i socketInput) IsReadable() bool {
	return i.s.ConditionCheck(mainloop.IOIn) != 0
}

func (i socketInput) ReadNonblocking(buf []byte, c *cancellable.Cancellable) (int, error) {
	return i.s.ReceiveWithBlocking(buf, false, c)
}

func (i socketInput) CreateSource(c *cancellable.Cancellable) *mainloop.Source {
	return i.s.CreateSource(mainloop.IOIn, c, nil)
}

func (i socketInput) waitSource(c *cancellable.Cancellable, w pollWaiter) *mainloop.Source {
	return i.s.createSourceFor(mainloop.IOIn, c, nil, w)
}

func (i socketInput) tryRead(buf []byte, c *cancellable.Cancellable) (int, bool, error) {
	return i.s.tryReceive(buf, c)
}

// socketOutput is GSocketOutputStream: blocking sends, vectored sends; no
// buffering, so no Flusher, and no close_fn.
type socketOutput struct{ s *Socket }

func (o socketOutput) Write(buf []byte, c *cancellable.Cancellable) (int, error) {
	return o.s.SendWithBlocking(buf, true, c)
}

func (o socketOutput) Writev(bufs [][]byte, c *cancellable.Cancellable) (int, error) {
	return o.s.SendVectors(bufs, c)
}

func (o socketOutput) Close(*cancellable.Cancellable) error { return nil }

func (o socketOutput) IsWritable() bool {
	return o.s.ConditionCheck(mainloop.IOOut) != 0
}

func (o socketOutput) WriteNonblocking(buf []byte, c *cancellable.Cancellable) (int, error) {
	return o.s.SendWithBlocking(buf, false, c)
}

func (o socketOutput) CreateSource(c *cancellable.Cancellable) *mainloop.Source {
	return o.s.CreateSource(mainloop.IOOut, c, nil)
}

func (o socketOutput) waitSource(c *cancellable.Cancellable, w pollWaiter) *mainloop.Source {
	return o.s.createSourceFor(mainloop.IOOut, c, nil, w)
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
