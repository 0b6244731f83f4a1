package mainloop

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/sigloop/sigloop/internal/logging"
)

// UnixFD is a file descriptor that sources watch again and again, such as a
// socket's, for AddUnixFDHandle. GLib has no counterpart: it is how a
// watch made soon after the previous one on the same descriptor costs no
// system call. AddUnixFD cannot know that a raw descriptor was not closed,
// and its number reused, since its last watch, so it checks the kept epoll
// registration with one epoll_ctl; a watch made with an open UnixFD takes
// the registration over as it is. Close the UnixFD before the descriptor;
// until then it keeps the contexts that watched it reachable. The zero
// value is not usable; make one with NewUnixFD. Its methods may be called
// from any goroutine.
type UnixFD struct {
	fd     int
	closed atomic.Bool
	mu     sync.Mutex
	ctxs   []*Context // the contexts that may keep a registration for it
}

// NewUnixFD returns the handle of fd, which must stay open until Close.
func NewUnixFD(fd int) *UnixFD { return &UnixFD{fd: fd} }

// FD is the descriptor.
func (h *UnixFD) FD() int {
	if h == nil {
		return -1
	}
	return h.fd
}

// usedBy records that c may keep a registration for h. c.mu is held.
func (h *UnixFD) usedBy(c *Context) {
	h.mu.Lock()
	if !slices.Contains(h.ctxs, c) {
		h.ctxs = append(h.ctxs, c)
	}
	h.mu.Unlock()
}

// Close drops the epoll registrations the contexts kept for h's descriptor
// after its watches went, so that the descriptor can be closed next.
// Watches made with h must be removed before. It is idempotent.
func (h *UnixFD) Close() {
	if h == nil || h.closed.Swap(true) {
		return
	}
	h.mu.Lock()
	ctxs := h.ctxs
	h.ctxs = nil
	h.mu.Unlock()
	for _, c := range ctxs {
		c.mu.Lock()
		if e := c.fdEntries[h.fd]; e != nil && e.h == h {
			e.h = nil
			if e.lingering {
				c.dropLinger(e)
			}
		}
		c.mu.Unlock()
	}
}

// AddUnixFDHandle is AddUnixFD for the descriptor of h: while h is open, a
// watch of it made within a few iterations of its previous one reuses that
// watch's epoll registration without a system call. Remove the watch before
// closing h.
func (s *Source) AddUnixFDHandle(h *UnixFD, events IOCondition) FDTag {
	if h == nil {
		logging.Critical(pkg, "AddUnixFDHandle: assertion 'h != NULL' failed")
		return FDTag{}
	}
	return s.addWatch(h.fd, events, h, "AddUnixFDHandle")
}
