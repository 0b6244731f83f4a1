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
