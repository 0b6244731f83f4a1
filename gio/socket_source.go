package gio

import (
	"sync"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/mainloop"
)

// SocketSourceFunc is GSocketSourceFunc: the callback of a socket source,
// given the socket and the conditions that occurred (masked with the ones
// asked for). It returns false to remove the source.
type SocketSourceFunc func(s *Socket, cond mainloop.IOCondition) bool

// socketSource is the state of one source made by CreateSource.
//
// The source has no prepare or check function: it is ready through its fd
// watch (made with the socket's mainloop.UnixFD, so that a new source on
// the same socket, as every async read that has to wait makes, costs no
// epoll_ctl), its ready time (the socket timeout) and its cancellable
// child. An idle socket's source costs the context nothing per iteration.
// Close marks the source ready (ready time 0) after removing the watch, so
// the source dispatches once more and sees the closed socket (SOCK-7).
type socketSource struct {
	sock *Socket // nil once finalized
	src  *mainloop.Source
	cond mainloop.IOCondition
	fn   SocketSourceFunc // nil once finalized
	w    pollWaiter       // the pollable path's operation, called instead of fn; nil once finalized

	next, prev *socketSource // in sock.sources (sock.mu)

	mu        sync.Mutex
	tag       mainloop.FDTag
	watching  bool  // tag is a live fd watch
	timeoutUS int64 // monotonic µs at which the socket timeout fires, 0: none
}

// pollWaiter is an operation of the pollable async path (streampoll.go)
// waiting on a socket source: the source calls its retry at each dispatch,
// with no callback closure, and is removed when retry reports true.
type pollWaiter interface {
	retry() (done bool)
}

// createSource is CreateSource without the Cancellable, which CreateSource
// adds as a child source; w, if not nil, is called instead of fn.
func (s *Socket) createSource(cond mainloop.IOCondition, fn SocketSourceFunc, w pollWaiter) *mainloop.Source {
	cond |= ioErr | ioHup | ioNval
	ss := &socketSource{sock: s, cond: cond, fn: fn, w: w}
	ss.src = mainloop.NewSourceHandler(ss)
	ss.src.SetName("GSocket")
	s.mu.Lock()
	if s.closed {
		ss.src.SetReadyTime(0) // dispatches once with IONval
	} else {
		ss.next = s.sources
		if ss.next != nil {
			ss.next.prev = ss
		}
		s.sources = ss
		if s.fdh == nil {
			s.fdh = mainloop.NewUnixFD(int(s.fd.Load()))
		}
		ss.tag = ss.src.AddUnixFDHandle(s.fdh, cond&^ioNval)
		ss.watching = true
		if s.timeout > 0 {
			ss.timeoutUS = mainloop.MonotonicTime() + s.timeout.Microseconds()
			ss.src.SetReadyTime(ss.timeoutUS)
		}
	}
	s.mu.Unlock()
	return ss.src
}

// unwatch removes the fd watch; Close calls it before closing the
// descriptor, and then makes the source ready so that it dispatches the
// closed socket.
func (ss *socketSource) unwatch() {
	ss.mu.Lock()
	if ss.watching {
		ss.watching = false
		ss.src.RemoveUnixFD(ss.tag)
	}
	ss.mu.Unlock()
}

// Dispatch is the source's dispatch function (mainloop.SourceHandler).
func (ss *socketSource) Dispatch(src *mainloop.Source, cb mainloop.SourceFunc) bool {
	s := ss.sock
	if s == nil {
		return false
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	var events mainloop.IOCondition
	if closed {
		events = ioNval
	} else {
		ss.mu.Lock()
		if ss.watching {
			events = ss.src.QueryUnixFD(ss.tag)
		}
		to := ss.timeoutUS
		ss.mu.Unlock()
		if to != 0 && src.Time() >= to {
			s.mu.Lock()
			s.timedOut = true
			s.mu.Unlock()
			events |= ioIn | ioOut
		}
	}
	events &= ss.cond
	var again bool
	switch {
	case ss.w != nil:
		again = !ss.w.retry()
	case ss.fn != nil:
		again = ss.fn(s, events)
	case cb != nil:
		again = cb()
	default:
		criticalf("GSocket source dispatched without callback. You must call g_source_set_callback().")
		again = false
	}
	if closed {
		return false // a closed socket's source dispatches exactly once (SOCK-7)
	}
	t := s.Timeout()
	ss.mu.Lock()
	armed := ss.timeoutUS != 0
	ss.timeoutUS = 0
	if t > 0 {
		ss.timeoutUS = mainloop.MonotonicTime() + t.Microseconds()
	}
	next := ss.timeoutUS
	ss.mu.Unlock()
	switch {
	case next != 0:
		src.SetReadyTime(next)
	case armed:
		src.SetReadyTime(-1) // the timeout was turned off
	default:
		// No timeout: the ready time is -1, or 0 if Close set it,
		// and is left as it is.
		return again
	}
	// Closed during the callback (or by another goroutine since): Close's
	// SetReadyTime(0) may have come before the one above, so make the
	// source ready again for its NVAL dispatch. Close marks the socket
	// closed before it makes the source ready, so this cannot miss one.
	if s.IsClosed() {
		src.SetReadyTime(0)
	}
	return again
}

// Finalize drops the watch and everything that leads to the socket: the
// context may keep a destroyed source reachable for a while (until its
// next iteration), and must not keep the socket with it.
func (ss *socketSource) Finalize(*mainloop.Source) {
	ss.unwatch()
	s := ss.sock
	if s == nil {
		return
	}
	s.mu.Lock()
	if ss.prev != nil {
		ss.prev.next = ss.next
	} else if s.sources == ss {
		s.sources = ss.next
	}
	if ss.next != nil {
		ss.next.prev = ss.prev
	}
	ss.next, ss.prev = nil, nil
	s.mu.Unlock()
	ss.sock, ss.fn, ss.w = nil, nil, nil
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
	if s.refused("g_socket_create_source") {
		return nil
	}
	return s.createSourceFor(cond, c, fn, nil)
}

// createSourceFor is CreateSource with the pollable path's waiter.
func (s *Socket) createSourceFor(cond mainloop.IOCondition, c *cancellable.Cancellable, fn SocketSourceFunc, w pollWaiter) *mainloop.Source {
	src := s.createSource(cond, fn, w)
	if c != nil {
		child := c.NewSource()
		child.SetCallback(func() bool { return true })
		src.AddChildSource(child)
	}
	return src
}
