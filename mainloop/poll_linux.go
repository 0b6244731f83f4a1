package mainloop

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/sigloop/sigloop/internal/logging"
	"golang.org/x/sys/unix"
)

// poller is a context's epoll instance and its eventfd (GLib's GWakeup). It
// is closed by a cleanup when its Context becomes unreachable; nothing else
// refers to it. The context waits with it only while it has descriptors in
// the epoll set; without any, it parks on a channel (see park).
type poller struct {
	epfd int // under the context's mu
	evfd int
	// cur is epfd handed to Go's netpoller: a blocking wait parks the
	// goroutine (its P runs other goroutines at once) instead of holding
	// the P in an epoll_wait system call, and Wakeup ends it by moving
	// its read deadline into the past, which needs no system call. nil:
	// the netpoller refused the descriptor; waits block in epoll_wait and
	// Wakeup writes the eventfd.
	cur atomic.Pointer[pollFile]
	// file owns epfd once it is handed to the netpoller (nil before).
	file *os.File

	hasDeadline bool
	// The netpoller callback's arguments and result, owner only: a method
	// value made once keeps the wait free of allocations.
	events []unix.EpollEvent
	n      int
	readFn func(fd uintptr) bool
}

// pollFile is the netpoller's handle of one epoll descriptor.
type pollFile struct {
	f  *os.File
	rc syscall.RawConn
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
	p := &poller{epfd: epfd, evfd: evfd}
	if err := p.addWakeFD(epfd); err != nil {
		unix.Close(epfd)
		unix.Close(evfd)
		return nil, err
	}
	p.readFn = p.readEvents
	p.adopt(epfd)
	return p, nil
}

// adopt makes epfd the poller's epoll descriptor and hands it to the
// netpoller if it can be.
func (p *poller) adopt(epfd int) {
	p.epfd, p.file = epfd, nil
	p.cur.Store(nil)
	if unix.SetNonblock(epfd, true) != nil {
		return
	}
	p.file = os.NewFile(uintptr(epfd), "mainloop-epoll")
	if rc, err := p.file.SyscallConn(); err == nil {
		p.cur.Store(&pollFile{f: p.file, rc: rc})
	}
}

// closeEpoll closes the poller's epoll descriptor.
func (p *poller) closeEpoll() {
	if p.file != nil {
		p.file.Close()
	} else {
		unix.Close(p.epfd)
	}
}

func (p *poller) addWakeFD(epfd int) error {
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(p.evfd)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, p.evfd, &ev); err != nil {
		return fmt.Errorf("epoll_ctl: %w", err)
	}
	return nil
}

func (p *poller) close() {
	p.closeEpoll()
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

// aLongTimeAgo is a read deadline that has passed: setting it ends a wait in
// the netpoller at once.
var aLongTimeAgo = time.Unix(1, 0)

// interrupt ends the owner's current wait in the netpoller.
func (p *poller) interrupt() {
	if pf := p.cur.Load(); pf != nil {
		pf.f.SetReadDeadline(aLongTimeAgo)
	}
}

// setDeadline sets the deadline of the next netpoller wait (timeoutUS < 0:
// none). It also clears what an earlier interrupt left.
func (p *poller) setDeadline(pf *pollFile, timeoutUS int64) {
	if timeoutUS > 0 {
		pf.f.SetReadDeadline(time.Now().Add(time.Duration(timeoutUS) * time.Microsecond))
		p.hasDeadline = true
	} else {
		pf.f.SetReadDeadline(time.Time{})
		p.hasDeadline = false
	}
}

func (p *poller) readEvents(fd uintptr) bool {
	for {
		m, err := epollWaitNow(int(fd), p.events)
		if err == unix.EINTR {
			continue
		}
		p.n = max(m, 0)
		return p.n > 0
	}
}

// waitNetpoll waits in the netpoller until events arrive or the deadline
// set with setDeadline passes. expired reports the deadline.
func (p *poller) waitNetpoll(pf *pollFile, events []unix.EpollEvent) (n int, expired bool, ok bool) {
	p.events, p.n = events, 0
	err := pf.rc.Read(p.readFn)
	p.events = nil
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return 0, true, true
		}
		return 0, false, false
	}
	return p.n, false, true
}

// waitNow collects the events that are ready, without waiting.
func (p *poller) waitNow(events []unix.EpollEvent) int {
	for {
		n, err := epollWaitNow(p.epfd, events)
		if err != unix.EINTR {
			return max(n, 0)
		}
	}
}

// epollWaitNow is epoll_wait with a zero timeout. It cannot block, so it
// skips the scheduler's system-call bookkeeping (a raw system call).
func epollWaitNow(epfd int, events []unix.EpollEvent) (int, error) {
	r, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// waitSyscall blocks in epoll_wait itself (timeoutUS < 0: forever).
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

// What the owner is blocked in, for Wakeup (Context.sleeping).
const (
	awake        = iota
	sleepChan    // park: wakeCh
	sleepNetpoll // the epoll fd in the netpoller: poller.interrupt
	sleepSyscall // epoll_wait: the eventfd
)

// kick ends the owner's current sleep, if any. A kick that arrives after the
// owner woke for another reason makes its next sleep return at once, which
// is a spurious wakeup and harmless.
func (c *Context) kick() {
	switch c.sleeping.Load() {
	case sleepChan:
		select {
		case c.wakeCh <- struct{}{}:
		default:
		}
	case sleepNetpoll:
		c.poll.interrupt()
	case sleepSyscall:
		c.poll.signal()
	}
}

// beginSleep announces that the owner is about to block in mode; it returns
// false if a wakeup is already pending, in which case the owner must not
// block. Either way endSleep follows. Wakeup sets wakePending before it
// looks at sleeping, and the owner sets sleeping before it looks at
// wakePending, so one of the two sees the other.
func (c *Context) beginSleep(mode int32) bool {
	c.sleeping.Store(mode)
	return !c.wakePending.Load()
}

// endSleep acknowledges every wakeup so far: the iteration that follows sees
// whatever was queued before them.
func (c *Context) endSleep() {
	c.sleeping.Store(awake)
	c.wakePending.Store(false)
}

// park blocks the owner, with c.mu held and released meanwhile, until a
// wakeup or the timeout (< 0: none). It is the wait of a context with no
// descriptor in its epoll set: a channel receive, which another goroutine's
// Wakeup ends without a system call.
func (c *Context) park(timeoutUS int64) {
	if c.beginSleep(sleepChan) {
		c.mu.Unlock()
		if timeoutUS < 0 {
			<-c.wakeCh
		} else {
			d := time.Duration(timeoutUS) * time.Microsecond
			if c.timer == nil {
				c.timer = time.NewTimer(d)
			} else {
				c.timer.Reset(d)
			}
			select {
			case <-c.wakeCh:
			case <-c.timer.C:
			}
			c.timer.Stop()
		}
		c.mu.Lock()
	}
	c.endSleep()
}

// waitFDs waits up to timeoutUS (< 0: forever, 0: not at all) for the epoll
// set, with c.mu held and released meanwhile, and returns the number of
// events in events.
func (c *Context) waitFDs(events []unix.EpollEvent, timeoutUS int64) int {
	p := c.poll
	if timeoutUS == 0 {
		return p.waitNow(events)
	}
	pf := p.cur.Load()
	if pf == nil {
		n := 0
		if c.beginSleep(sleepSyscall) {
			c.mu.Unlock()
			n = p.waitSyscall(events, timeoutUS)
			c.mu.Lock()
		} else {
			n = p.waitNow(events)
		}
		c.endSleep()
		return n
	}
	p.setDeadline(pf, timeoutUS)
	if !c.beginSleep(sleepNetpoll) {
		c.endSleep()
		return p.waitNow(events)
	}
	c.mu.Unlock()
	n, expired, ok := p.waitNetpoll(pf, events)
	c.mu.Lock()
	woken := c.wakePending.Load()
	c.endSleep()
	switch {
	case !ok:
		// The descriptor cannot be waited for in the netpoller after
		// all: block in epoll_wait from now on.
		p.cur.Store(nil)
		return c.waitFDs(events, timeoutUS)
	case expired && !woken:
		return p.waitNow(events) // the timeout passed; collect what is ready
	}
	// Woken: the next wait looks at the descriptors before it blocks.
	return n
}

// rebuildPoll replaces the epoll instance with a new one holding the
// context's registrations. It is the way out when epoll reports a
// registration the context no longer knows (a descriptor closed, while
// another copy of it stayed open, before its registration was dropped): such
// a registration cannot be deleted any more, and would wake every poll.
// c.mu is held, by the owner.
func (c *Context) rebuildPoll() {
	p := c.poll
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err == nil {
		err = p.addWakeFD(epfd)
		if err != nil {
			unix.Close(epfd)
		}
	}
	if err != nil {
		logging.Critical(pkg, "cannot rebuild the context's epoll set: "+err.Error())
		return
	}
	for _, e := range c.fdEntries {
		if !e.registered {
			continue
		}
		ev := unix.EpollEvent{Events: e.regEvents, Fd: int32(e.fd), Pad: int32(e.gen)}
		if unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, e.fd, &ev) != nil {
			c.setRegistered(e, false)
			if e.lingering {
				c.dropEntry(e)
			} else {
				c.markDirty(e)
			}
		}
	}
	p.closeEpoll()
	p.adopt(epfd)
}

// pollFDs waits for fds, wakeups or the timeout. It is called with c.mu held
// and returns with it held; the lock is dropped while blocking.
func (c *Context) pollFDs(timeoutUS int64) {
	if len(c.dirtyFDs) > 0 {
		c.syncFDs()
	}
	if len(c.lingering) > 0 {
		c.ageLingering()
	}
	for i, t := range c.reported {
		t.revents = 0
		c.reported[i] = nil
	}
	c.reported = c.reported[:0]
	if c.nSpecial > 0 {
		timeoutUS = 0
	}
	if c.nRegistered == 0 {
		if timeoutUS != 0 {
			c.park(timeoutUS)
		}
		// A zero-timeout poll of nothing learns nothing; a pending
		// wakeup stays pending.
		c.fillSpecial()
		return
	}
	if nfds := len(c.fdEntries) + 1; cap(c.events) < nfds {
		// Grown by doubling: a server gaining connections one by one
		// would otherwise make a new, one-longer buffer at every wait.
		c.events = make([]unix.EpollEvent, max(nfds, 2*cap(c.events)))
	}
	events := c.events[:len(c.fdEntries)+1]
	n := c.waitFDs(events, timeoutUS)
	stale := false
	for i := 0; i < n; i++ {
		ev := &events[i]
		fd := int(ev.Fd)
		if fd == c.poll.evfd {
			c.poll.drain()
			continue
		}
		e := c.fdEntries[fd]
		if e == nil || !e.registered || e.gen != uint32(ev.Pad) {
			stale = true
			continue
		}
		if e.lingering {
			// Nobody watches it. After a blocking wait drop it:
			// level-triggered, it would end every wait until it
			// expires. After a zero-timeout poll keep it; it is
			// likely read, and watched again, next.
			if timeoutUS != 0 {
				c.dropLinger(e)
			}
			continue
		}
		for _, t := range e.tags {
			c.report(t, IOCondition(ev.Events)&(t.events|IOErr|IOHup|IONval))
		}
	}
	if stale {
		c.rebuildPoll()
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
				c.report(t, IONval)
			}
		case e.alwaysReady:
			for _, t := range e.tags {
				c.report(t, t.events&(IOIn|IOOut))
			}
		}
	}
}

// report sets t's revents for this iteration. c.mu is held.
func (c *Context) report(t *unixFD, r IOCondition) {
	if r == 0 {
		return
	}
	if t.revents == 0 {
		c.reported = append(c.reported, t)
	}
	t.revents = r
}

func newPollerOrLog() *poller {
	p, err := newPoller()
	if err != nil {
		logging.Critical("mainloop", "cannot create the context's poller, fd sources will report IONval: "+err.Error())
	}
	return p
}
