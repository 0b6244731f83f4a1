package gio

import (
	"sync"
	"sync/atomic"

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
	// sock and w change under mu (and, once the source is attached,
	// sock.mu): a parked source has neither, and its re-arm from any
	// goroutine gives them back.
	sock *Socket // nil once finalized or parked
	src  *mainloop.Source
	cond mainloop.IOCondition
	fn   SocketSourceFunc // nil once finalized
	w    pollWaiter       // the pollable path's operation, called instead of fn; nil once finalized or done

	next, prev *socketSource // in sock.sources (sock.mu)

	mu        sync.Mutex
	tag       mainloop.FDTag
	watching  bool  // tag is a live fd watch
	timeoutUS int64 // monotonic µs at which the socket timeout fires, 0: none

	// parkable: the wait source of a pollable operation with no
	// cancellable, which is parked once that operation completes and
	// re-armed for a later one (see waitSources).
	parkable bool
}

// waitSources are a socket's wait sources between operations, one per
// direction: GLib makes a GSocket source per async read or write that has
// to wait and destroys it when the operation completes; a socket read
// loop on a main loop then makes and destroys one per message, and the
// source's allocation, attach and destroy were about a third of a server's
// user time per round trip (50 connections, one CPU). So a socket keeps
// the source of a completed wait attached, with no fd watch and no
// callback (parked: it never dispatches and costs the context nothing per
// iteration), and a later wait in that direction, on the same context,
// re-arms it with its watch instead of making one. A read started inside
// the callback of the one completing gets the parked source if there is
// one, else a new one, never the source still dispatching (a nested loop
// in that callback could not dispatch it); so a read loop alternates
// between two sources, and allocates none.
//
// What a caller can see:
//   - CurrentSource() in the callback of a waited operation is a Source
//     named "GSocket", as in GLib, and one that later operations may use
//     again. Destroying it once its operation is over (GLib code that
//     kept it may) does not lose a later operation waiting on it: that
//     operation waits again on a new source.
//   - A parked source stays attached, with its id (FindSourceByID finds
//     it), and a re-armed one keeps its place among the sources of its
//     priority: of several sockets ready in one iteration, the order of
//     dispatch follows the sources' first attach rather than the
//     operations' start.
//
// A parked source does not lead to its socket, so that a socket dropped
// without Close is still collected; its cleanup (collectSockFD) destroys
// the parked sources before closing the descriptor, and Close destroys
// them too. An operation with a cancellable (whose source has the
// cancellable's as a child) or on a socket with a timeout takes a new
// source as before.
type waitSources struct {
	parked [2]atomic.Pointer[socketSource] // idle, attached, no watch
}

// dirIndex is the waitSources slot of a direction's condition.
func dirIndex(cond mainloop.IOCondition) int {
	if cond&ioOut != 0 {
		return 1
	}
	return 0
}

// destroyParked destroys the parked sources; Close and the cleanup of a
// socket never closed call it before the descriptor is closed.
func (ws *waitSources) destroyParked() {
	for i := range ws.parked {
		if ss := ws.parked[i].Swap(nil); ss != nil {
			ss.src.Destroy()
		}
	}
}

// rearm gives the wait of w, an operation on ctx at priority prio with no
// cancellable, the socket's parked source in cond's direction, with its
// watch back. It reports false when there is none for ctx, or the socket
// is closed or has a timeout: then the caller makes a new source.
func (s *Socket) rearm(cond mainloop.IOCondition, ctx *mainloop.Context, prio int, w pollWaiter) bool {
	if s.sfd == nil {
		return false // a zero Socket
	}
	ws := &s.sfd.waits
	s.mu.Lock()
	if s.closed || s.timeout > 0 {
		s.mu.Unlock()
		return false
	}
	ss := ws.parked[dirIndex(cond)].Swap(nil)
	if ss == nil {
		s.mu.Unlock()
		return false
	}
	if ss.src.IsDestroyed() || ss.src.MainContext() != ctx {
		s.mu.Unlock()
		ss.src.Destroy()
		return false
	}
	if ss.src.Priority() != prio {
		ss.src.SetPriority(prio)
	}
	// The operation is the source's before its watch can make it ready
	// (the loop's Dispatch, and a Finalize, read sock and w).
	s.link(ss)
	ss.mu.Lock()
	ss.sock, ss.w = s, w
	tag := ss.src.AddUnixFDHandle(s.fdh, cond&^ioNval)
	if tag == (mainloop.FDTag{}) {
		// Destroyed since the check above, by a Destroy on a kept
		// reference (addWatch has logged it): the source stays
		// destroyed without the operation, which the caller gives a
		// new source.
		ss.sock, ss.w = nil, nil
		ss.mu.Unlock()
		s.unlink(ss)
		s.mu.Unlock()
		return false
	}
	ss.tag, ss.watching = tag, true
	ss.mu.Unlock()
	s.mu.Unlock()
	return true
}

// park makes ss, whose dispatch has completed its operation, the parked
// source of its direction, and reports whether it did; if not (the socket
// was closed or got a timeout, the source was destroyed, or a source is
// parked already) the dispatch goes on as before and the source goes.
// s.mu is held.
func (s *Socket) park(ss *socketSource) bool {
	slot := &s.sfd.waits.parked[dirIndex(ss.cond)]
	if s.closed || ss.src.IsDestroyed() || slot.Load() != nil {
		return false
	}
	ss.mu.Lock()
	if ss.timeoutUS != 0 {
		ss.mu.Unlock()
		return false
	}
	ss.unwatchLocked()
	ss.sock = nil
	ss.mu.Unlock()
	s.unlink(ss)
	slot.Store(ss)
	return true
}

// link adds ss to s.sources; s.mu is held.
func (s *Socket) link(ss *socketSource) {
	ss.next = s.sources
	if ss.next != nil {
		ss.next.prev = ss
	}
	s.sources = ss
}

// unlink takes ss out of s.sources; s.mu is held.
func (s *Socket) unlink(ss *socketSource) {
	if ss.prev != nil {
		ss.prev.next = ss.next
	} else if s.sources == ss {
		s.sources = ss.next
	}
	if ss.next != nil {
		ss.next.prev = ss.prev
	}
	ss.next, ss.prev = nil, nil
}

// pollWaiter is an operation of the pollable async path (streampoll.go)
// waiting on a socket source: the source calls its retry at each dispatch,
// with no callback closure, and is removed (or parked) when retry reports
// true. rewait makes the operation wait on a new source: its parkable
// source was destroyed from outside while it waited.
type pollWaiter interface {
	retry() (done bool)
	rewait()
}

// createSource is CreateSource without the Cancellable, which CreateSource
// adds as a child source; w, if not nil, is called instead of fn; a
// parkable source is kept for the next wait (waitSources).
func (s *Socket) createSource(cond mainloop.IOCondition, fn SocketSourceFunc, w pollWaiter, parkable bool) *mainloop.Source {
	cond |= ioErr | ioHup | ioNval
	ss := &socketSource{sock: s, cond: cond, fn: fn, w: w, parkable: parkable}
	ss.src = mainloop.NewSourceHandler(ss)
	ss.src.SetName("GSocket")
	s.mu.Lock()
	if s.closed {
		ss.src.SetReadyTime(0) // dispatches once with IONval
	} else {
		s.link(ss)
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
	ss.unwatchLocked()
	ss.mu.Unlock()
}

// unwatchLocked is unwatch with ss.mu held.
func (ss *socketSource) unwatchLocked() {
	if ss.watching {
		ss.watching = false
		ss.src.RemoveUnixFD(ss.tag)
	}
}

// Dispatch is the source's dispatch function (mainloop.SourceHandler).
func (ss *socketSource) Dispatch(src *mainloop.Source, cb mainloop.SourceFunc) bool {
	ss.mu.Lock()
	s := ss.sock
	ss.mu.Unlock()
	if s == nil {
		return false
	}
	s.mu.Lock()
	closed := s.closed
	w := ss.w
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
	case w != nil:
		done := w.retry()
		if done {
			// Its operation is over: a Finalize must not make it wait
			// again.
			s.mu.Lock()
			ss.w = nil
			parked := ss.parkable && !closed && s.park(ss)
			s.mu.Unlock()
			if parked {
				return true
			}
		}
		again = !done
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
//
// A parkable source destroyed from outside while an operation waits on it
// (a Destroy on a reference kept from an earlier operation's callback,
// which GLib code may do harmlessly, since GLib's source was that
// operation's alone) makes the operation wait again on a new source.
func (ss *socketSource) Finalize(*mainloop.Source) {
	ss.unwatch()
	ss.mu.Lock()
	s := ss.sock
	ss.mu.Unlock()
	if s == nil {
		return
	}
	s.mu.Lock()
	s.unlink(ss)
	ss.mu.Lock()
	w := ss.w
	ss.sock, ss.fn, ss.w = nil, nil, nil
	ss.mu.Unlock()
	s.mu.Unlock()
	if w != nil && ss.parkable {
		w.rewait()
	}
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
	src := s.createSource(cond, fn, w, w != nil && c == nil && s.sfd != nil)
	if c != nil {
		child := c.NewSource()
		child.SetCallback(func() bool { return true })
		src.AddChildSource(child)
	}
	return src
}
