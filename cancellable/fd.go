package cancellable

import (
	"runtime"
	"sync/atomic"

	"github.com/sigloop/sigloop/internal/logging"
)

// pollFD holds a Cancellable's descriptor apart from the Cancellable, so that
// a cleanup can close it once the Cancellable is unreachable, as
// g_cancellable_finalize frees the wakeup whatever its reference count. It
// is -1 while there is no descriptor.
type pollFD struct{ fd atomic.Int64 }

func (p *pollFD) get() int { return int(p.fd.Load()) }

// closePollFD closes p's descriptor, if any: on the last ReleaseFD, or as
// the cleanup of a collected Cancellable.
func closePollFD(p *pollFD) {
	if fd := p.fd.Swap(-1); fd >= 0 {
		wakeupClose(int(fd))
	}
}

// FD is g_cancellable_get_fd (CAN-7): a file descriptor that is readable
// exactly while c is cancelled, for use with poll, select or a main-loop fd
// watch. Each successful call must be balanced by one ReleaseFD. It returns
// -1 for a nil c or when no descriptor can be made.
func (c *Cancellable) FD() int {
	fd, err := c.MakePollFD()
	if err != nil {
		return -1
	}
	return fd
}

// MakePollFD is g_cancellable_make_pollfd (CAN-7): like FD, with the reason
// when no descriptor can be made. The descriptor is reference counted: the
// first call creates it (already readable if c is cancelled), later calls
// return the same one, and ReleaseFD closes it after the last user is done.
// Poll it for reading (POLLIN / mainloop.IOIn); never read from it. As in
// GLib, the descriptor belongs to c: it is closed once c is garbage
// collected, even if ReleaseFD was not called, so keep c reachable while the
// descriptor is in use.
func (c *Cancellable) MakePollFD() (int, error) {
	if c == nil {
		return -1, errNilPollFD
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fdRefs == 0 {
		fd, err := wakeupNew()
		if err != nil {
			return -1, err
		}
		if c.pfd == nil {
			c.pfd = &pollFD{}
			runtime.AddCleanup(c, closePollFD, c.pfd)
		}
		c.pfd.fd.Store(int64(fd))
		if c.cancelled.Load() {
			wakeupSignal(fd)
		}
	}
	c.fdRefs++
	return c.pfd.get(), nil
}

// ReleaseFD is g_cancellable_release_fd: it drops one reference taken by FD
// or MakePollFD and closes the descriptor when none is left. Releasing more
// than was taken logs a critical. A nil c does nothing.
func (c *Cancellable) ReleaseFD() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fdRefs == 0 {
		logging.Critical(pkg, "g_cancellable_release_fd: assertion 'priv->fd_refcount > 0' failed")
		return
	}
	c.fdRefs--
	if c.fdRefs == 0 {
		closePollFD(c.pfd)
	}
}
