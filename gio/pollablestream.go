package gio

import (
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/mainloop"
)

// PollableInputImpl is GPollableInputStreamInterface: an InputStreamImpl
// that also implements it makes its InputStream pollable (CanPoll true).
// The streams of a SocketConnection are pollable.
//
// IsReadable reports whether a read would not block. ReadNonblocking
// reads without waiting, failing with WOULD_BLOCK when it would have to.
// CreateSource returns an unattached source that dispatches its callback
// (set with Source.SetCallback) when the stream becomes readable, or when c
// is cancelled.
type PollableInputImpl interface {
	IsReadable() bool
	ReadNonblocking(buf []byte, c *cancellable.Cancellable) (int, error)
	CreateSource(c *cancellable.Cancellable) *mainloop.Source
}

// PollableOutputImpl is GPollableOutputStreamInterface, the output
// counterpart of PollableInputImpl.
type PollableOutputImpl interface {
	IsWritable() bool
	WriteNonblocking(buf []byte, c *cancellable.Cancellable) (int, error)
	CreateSource(c *cancellable.Cancellable) *mainloop.Source
}

// errNotPollable is what the pollable calls give on a stream that is not.
func errNotPollable() error {
	return ioerr.New(ioerr.NotSupported, "Stream is not pollable")
}

// CanPoll is g_pollable_input_stream_can_poll.
func (s *InputStream) CanPoll() bool {
	_, ok := s.impl.(PollableInputImpl)
	return ok
}

// IsReadable is g_pollable_input_stream_is_readable: whether a read would
// return at once (with data, end of stream or an error). False for a stream
// that cannot poll.
func (s *InputStream) IsReadable() bool {
	p, ok := s.impl.(PollableInputImpl)
	return ok && p.IsReadable()
}

// ReadNonblocking is g_pollable_input_stream_read_nonblocking: a read that
// never waits: WOULD_BLOCK when nothing is available. As in GLib it does not
// take part in the one-operation rule (no PENDING, no stream CLOSED check;
// the socket's own checks apply). A stream that cannot poll gives
// NOT_SUPPORTED.
func (s *InputStream) ReadNonblocking(buf []byte, c *cancellable.Cancellable) (int, error) {
	if err := cancelledErr(c); err != nil {
		return 0, err
	}
	if len(buf) == 0 {
		return 0, nil
	}
	p, ok := s.impl.(PollableInputImpl)
	if !ok {
		return 0, errNotPollable()
	}
	return p.ReadNonblocking(buf, c)
}

// CreateSource is g_pollable_input_stream_create_source: an unattached
// source whose callback (Source.SetCallback) runs when the stream is
// readable or c is cancelled; the callback then usually calls
// ReadNonblocking. Nil for a stream that cannot poll.
func (s *InputStream) CreateSource(c *cancellable.Cancellable) *mainloop.Source {
	p, ok := s.impl.(PollableInputImpl)
	if !ok {
		return nil
	}
	return p.CreateSource(c)
}

// CanPoll is g_pollable_output_stream_can_poll.
func (s *OutputStream) CanPoll() bool {
	_, ok := s.impl.(PollableOutputImpl)
	return ok
}

// IsWritable is g_pollable_output_stream_is_writable: whether a write would
// not block. False for a stream that cannot poll.
func (s *OutputStream) IsWritable() bool {
	p, ok := s.impl.(PollableOutputImpl)
	return ok && p.IsWritable()
}

// WriteNonblocking is g_pollable_output_stream_write_nonblocking: a write
// that never waits: WOULD_BLOCK when nothing can be written now. Like
// ReadNonblocking it ignores the one-operation rule, as GLib does.
func (s *OutputStream) WriteNonblocking(buf []byte, c *cancellable.Cancellable) (int, error) {
	if err := cancelledErr(c); err != nil {
		return 0, err
	}
	if len(buf) == 0 {
		return 0, nil
	}
	p, ok := s.impl.(PollableOutputImpl)
	if !ok {
		return 0, errNotPollable()
	}
	return p.WriteNonblocking(buf, c)
}

// CreateSource is g_pollable_output_stream_create_source: an unattached
// source whose callback runs when the stream is writable or c is
// cancelled. Nil for a stream that cannot poll.
func (s *OutputStream) CreateSource(c *cancellable.Cancellable) *mainloop.Source {
	p, ok := s.impl.(PollableOutputImpl)
	if !ok {
		return nil
	}
	return p.CreateSource(c)
}

// The socket streams are pollable, as GSocketInputStream and
// GSocketOutputStream are: readiness is the socket's condition, the source
// is the socket's source.

func (i socketInput) IsReadable() bool {
	return i.s.ConditionCheck(mainloop.IOIn) != 0
}

func (i socketInput) ReadNonblocking(buf []byte, c *cancellable.Cancellable) (int, error) {
	return i.s.ReceiveWithBlocking(buf, false, c)
}

func (i socketInput) CreateSource(c *cancellable.Cancellable) *mainloop.Source {
	return i.s.CreateSource(mainloop.IOIn, c, nil)
}

func (o socketOutput) IsWritable() bool {
	return o.s.ConditionCheck(mainloop.IOOut) != 0
}

func (o socketOutput) WriteNonblocking(buf []byte, c *cancellable.Cancellable) (int, error) {
	return o.s.SendWithBlocking(buf, false, c)
}

func (o socketOutput) CreateSource(c *cancellable.Cancellable) *mainloop.Source {
	return o.s.CreateSource(mainloop.IOOut, c, nil)
}
