package mainloop

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/sigloop/sigloop/internal/logging"
	"golang.org/x/sys/unix"
)

// poller is a context's way to block: one epoll instance and one eventfd
// (GLib's GWakeup). It is closed by a cleanup when its Context becomes
// unreachable; nothing else refers to it.
type poller struct {
	epfd int
	evfd int
	// f is epfd handed to Go's netpoller: a blocking wait parks the
	// goroutine (its P runs other goroutines at once) instead of holding
	// the P in an epoll_wait system call.
	f           *os.File
	rc          syscall.RawConn
	hasDeadline bool
}

func newPoller() (*poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	evfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(evfd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, evfd, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(evfd)
		return nil, fmt.Errorf("epoll_ctl: %w", err)
	}
	p := &poller{epfd: epfd, evfd: evfd}
	if unix.SetNonblock(epfd, true) == nil {
		p.f = os.NewFile(uintptr(epfd), "mainloop-epoll")
		if rc, err := p.f.SyscallConn(); err == nil {
			p.rc = rc
		}
	}
	return p, nil
}

func (p *poller) close() {
	if p.f != nil {
		p.f.Close()
	} else {
		unix.Close(p.epfd)
	}
	unix.Close(p.evfd)
}

var one = [8]byte{1, 0, 0, 0, 0, 0, 0, 0}

func (p *poller) signal() {
	for {
		_, err := unix.Write(p.evfd, one[:])
		if err != unix.EINTR {
			return
		}
	}
}

func (p *poller) drain() {
	var buf [8]byte
	for {
		_, err := unix.Read(p.evfd, buf[:])
		if err != unix.EINTR {
			return
		}
	}
}

// wait waits up to timeoutUS microseconds (-1: forever) for events.
func (p *poller) wait(events []unix.EpollEvent, timeoutUS int64) int {
	if timeoutUS == 0 || p.rc == nil {
		return p.waitSyscall(events, timeoutUS)
	}
	if timeoutUS > 0 {
		p.f.SetReadDeadline(time.Now().Add(time.Duration(timeoutUS) * time.Microsecond))
		p.hasDeadline = true
	} else if p.hasDeadline {
		p.f.SetReadDeadline(time.Time{})
		p.hasDeadline = false
	}
	n := 0
	err := p.rc.Read(func(fd uintptr) bool {
		for {
			m, err := unix.EpollWait(int(fd), events, 0)
			if err == unix.EINTR {
				continue
			}
			n = max(m, 0)
			return n > 0
		}
	})
	if err != nil {
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			// The descriptor cannot be waited for in the netpoller
			// after all: block in epoll_wait from now on.
			p.rc = nil
			return p.waitSyscall(events, timeoutUS)
		}
		return p.waitSyscall(events, 0) // the timeout passed; collect what is ready
	}
	return n
}

// waitSyscall blocks in epoll_wait itself.
func (p *poller) waitSyscall(events []unix.EpollEvent, timeoutUS int64) int {
	ms := -1
	if timeoutUS >= 0 {
		ms64 := (timeoutUS + 999) / 1000
		if ms64 > 1<<31-1 {
			ms64 = 1<<31 - 1
		}
		ms = int(ms64)
	}
	n, err := unix.EpollWait(p.epfd, events, ms)
	if err != nil {
		return 0 // EINTR: the caller re-evaluates its sources
	}
	return n
}

// fdEntry multiplexes the watches (unixFD) of one file descriptor onto a
// single epoll registration: epoll refuses to register a descriptor twice.
type fdEntry struct {
	fd          int
	tags        []*unixFD
	registered  bool
	regEvents   uint32
	dirty       bool
	nval        bool // epoll_ctl said EBADF: report IONval as poll(2) would
	alwaysReady bool // epoll_ctl said EPERM (a regular file): always readable and writable, as poll(2) says
	dead        bool // its last watch was removed; it is no longer in fdEntries
}

// markDirty schedules e's registration to be recomputed before the next poll.
func (c *Context) markDirty(e *fdEntry) {
	if !e.dirty {
		e.dirty = true
		c.dirtyFDs = append(c.dirtyFDs, e)
	}
}

// syncFDs brings the epoll registrations up to date. c.mu is held.
func (c *Context) syncFDs() {
	for _, e := range c.dirtyFDs {
		e.dirty = false
		if e.dead {
			continue
		}
		var want uint32
		active := 0
		for _, t := range e.tags {
			if t.src.blockCount > 0 || t.src.destroyed.Load() {
				continue
			}
			active++
			want |= uint32(t.events)
		}
		switch {
		case active == 0:
			c.unpoll(e)
			if len(e.tags) == 0 {
				delete(c.fdEntries, e.fd)
			}
		case c.poll == nil:
			if !e.nval {
				e.nval = true
				c.nSpecial++
			}
		case !e.registered && !e.nval && !e.alwaysReady:
			ev := unix.EpollEvent{Events: want, Fd: int32(e.fd)}
			err := unix.EpollCtl(c.poll.epfd, unix.EPOLL_CTL_ADD, e.fd, &ev)
			if errors.Is(err, unix.EEXIST) {
				err = unix.EpollCtl(c.poll.epfd, unix.EPOLL_CTL_MOD, e.fd, &ev)
			}
			switch {
			case err == nil:
				e.registered, e.regEvents = true, want
			case errors.Is(err, unix.EPERM):
				e.alwaysReady = true
				c.nSpecial++
			default:
				e.nval = true
				c.nSpecial++
			}
		case e.registered && want != e.regEvents:
			ev := unix.EpollEvent{Events: want, Fd: int32(e.fd)}
			err := unix.EpollCtl(c.poll.epfd, unix.EPOLL_CTL_MOD, e.fd, &ev)
			if errors.Is(err, unix.ENOENT) {
				// epoll forgot a closed descriptor whose number was reused.
				err = unix.EpollCtl(c.poll.epfd, unix.EPOLL_CTL_ADD, e.fd, &ev)
			}
			if err != nil {
				e.registered = false
				e.nval = true
				c.nSpecial++
			} else {
				e.regEvents = want
			}
		}
	}
	c.dirtyFDs = c.dirtyFDs[:0]
}

// pollFDs waits for fds, wakeups or the timeout. It is called with c.mu held
// and returns with it held; the lock is dropped while blocking.
func (c *Context) pollFDs(timeoutUS int64) {
	if len(c.dirtyFDs) > 0 {
		c.syncFDs()
	}
	if c.nSpecial > 0 {
		timeoutUS = 0
	}
	nfds := len(c.fdEntries)
	if timeoutUS == 0 && nfds == 0 {
		return // nothing to learn from a zero-timeout poll; a pending wakeup stays pending
	}
	if c.poll == nil {
		c.mu.Unlock()
		if timeoutUS < 0 || timeoutUS > 10000 {
			timeoutUS = 10000
		}
		time.Sleep(time.Duration(timeoutUS) * time.Microsecond)
		c.mu.Lock()
		c.fillSpecial()
		return
	}
	if cap(c.events) < nfds+1 {
		c.events = make([]unix.EpollEvent, nfds+1)
	}
	events := c.events[:nfds+1]
	c.mu.Unlock()
	n := c.poll.wait(events, timeoutUS)
	c.mu.Lock()
	for _, e := range c.fdEntries {
		for _, t := range e.tags {
			t.revents = 0
		}
	}
	for i := 0; i < n; i++ {
		fd := int(events[i].Fd)
		if fd == c.poll.evfd {
			c.poll.drain()
			c.wakePending.Store(false)
			continue
		}
		e := c.fdEntries[fd]
		if e == nil {
			continue
		}
		for _, t := range e.tags {
			t.revents = IOCondition(events[i].Events) & (t.events | IOErr | IOHup | IONval)
		}
	}
	c.fillSpecial()
}

func (c *Context) fillSpecial() {
	if c.nSpecial == 0 {
		return
	}
	for _, e := range c.fdEntries {
		switch {
		case e.nval:
			for _, t := range e.tags {
				t.revents = IONval
			}
		case e.alwaysReady:
			for _, t := range e.tags {
				t.revents = t.events & (IOIn | IOOut)
			}
		}
	}
}

func newPollerOrLog() *poller {
	p, err := newPoller()
	if err != nil {
		logging.Critical("mainloop", "cannot create the context's poller, fd sources will report IONval: "+err.Error())
	}
	return p
}
