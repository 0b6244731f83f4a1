package mainloop

import (
	"errors"
	"strings"

	"github.com/sigloop/sigloop/internal/logging"
	"golang.org/x/sys/unix"
)

// IOCondition is GIOCondition: a set of poll(2) conditions, with GLib's (and
// poll's) values.
type IOCondition uint32

const (
	// IOIn is G_IO_IN: there is data to read.
	IOIn IOCondition = 1
	// IOPri is G_IO_PRI: there is urgent data to read.
	IOPri IOCondition = 2
	// IOOut is G_IO_OUT: writing will not block.
	IOOut IOCondition = 4
	// IOErr is G_IO_ERR: an error condition; always reported.
	IOErr IOCondition = 8
	// IOHup is G_IO_HUP: hung up; always reported.
	IOHup IOCondition = 16
	// IONval is G_IO_NVAL: the descriptor is not open; always reported.
	IONval IOCondition = 32
)

// String lists the set conditions, e.g. "IN|HUP" (GLib has no counterpart;
// it is for logs and test failures).
func (c IOCondition) String() string {
	names := []string{"IN", "PRI", "OUT", "ERR", "HUP", "NVAL"}
	var parts []string
	for i, n := range names {
		if c&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, "|")
}

// unixFD is one fd watch of a source (GLib's GPollFD tag).
type unixFD struct {
	src     *Source
	fd      int
	events  IOCondition
	revents IOCondition
	entry   *fdEntry
	h       *UnixFD // the handle it was made with (AddUnixFDHandle), or nil
	gen     uint32  // counts the watches this storage has been (see spareFD)
}

// firstWatch is a source's first watch and the one-element array that
// Source.fds starts out as (see addWatch).
type firstWatch struct {
	u    unixFD
	list [1]*unixFD
}

// FDTag is the tag g_source_add_unix_fd returns: it identifies one fd watch
// of a source. The zero FDTag is invalid. The tag of a removed watch (in
// GLib, freed memory) stays harmless: the calls on it do nothing, and
// QueryUnixFD returns 0, also once the source's next watch reuses the
// removed one's storage.
type FDTag struct {
	u   *unixFD
	gen uint32
}

// fdEntry multiplexes the watches (unixFD) of one file descriptor onto a
// single epoll registration: epoll refuses to register a descriptor twice.
type fdEntry struct {
	fd          int
	tags        []*unixFD
	registered  bool
	regEvents   uint32
	gen         uint32 // tags its epoll events, to tell a stale registration from this one
	dirty       bool
	nval        bool // epoll_ctl said EBADF: report IONval as poll(2) would
	alwaysReady bool // epoll_ctl said EPERM (a regular file): always readable and writable, as poll(2) says
	dead        bool // its last watch was removed; it is no longer in fdEntries
	// lingering: its last watch was removed but it stays in the epoll set
	// for lingerPolls polls, so that a descriptor watched again soon (an
	// async read waiting once more) costs no epoll_ctl ADD and DEL. verify: it was watched again, and
	// the next sync checks with EPOLL_CTL_MOD that the registration is
	// still this descriptor's (it may have been closed and its number
	// reused meanwhile).
	lingering bool
	inLinger  bool // in c.lingering
	lingerAge int
	verify    bool
	h         *UnixFD // the handle of its last watch, or nil
}

// markDirty schedules e's registration to be recomputed before the next poll.
func (c *Context) markDirty(e *fdEntry) {
	if !e.dirty {
		e.dirty = true
		c.dirtyFDs = append(c.dirtyFDs, e)
	}
}

func (c *Context) setRegistered(e *fdEntry, r bool) {
	if e.registered != r {
		e.registered = r
		if r {
			c.nRegistered++
		} else {
			c.nRegistered--
		}
	}
}

// epollCtl is epoll_ctl on c's epoll set; ctlCalls counts them for the
// tests. c.mu is held.
func (c *Context) epollCtl(op, fd int, ev *unix.EpollEvent) error {
	c.ctlCalls++
	return unix.EpollCtl(c.poll.epfd, op, fd, ev)
}

// epollAdd registers e for want with a new generation. c.mu is held.
func (c *Context) epollAdd(e *fdEntry, want uint32) {
	c.fdGen++
	e.gen = c.fdGen
	ev := unix.EpollEvent{Events: want, Fd: int32(e.fd), Pad: int32(e.gen)}
	err := c.epollCtl(unix.EPOLL_CTL_ADD, e.fd, &ev)
	if errors.Is(err, unix.EEXIST) {
		// Registered under an older generation this context lost track
		// of: take it over.
		err = c.epollCtl(unix.EPOLL_CTL_MOD, e.fd, &ev)
	}
	switch {
	case err == nil:
		c.setRegistered(e, true)
		e.regEvents = want
	case errors.Is(err, unix.EPERM):
		e.alwaysReady = true
		c.nSpecial++
	default:
		e.nval = true
		c.nSpecial++
	}
}

// syncFDs brings the epoll registrations up to date. c.mu is held.
func (c *Context) syncFDs() {
	for _, e := range c.dirtyFDs {
		e.dirty = false
		if e.dead || e.lingering {
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
			e.verify = false
			c.unpoll(e)
			if len(e.tags) == 0 {
				c.dropEntry(e)
			}
		case c.poll == nil:
			if !e.nval {
				e.nval = true
				c.nSpecial++
			}
		case !e.registered && !e.nval && !e.alwaysReady:
			c.epollAdd(e, want)
		case e.registered && (want != e.regEvents || e.verify):
			e.verify = false
			ev := unix.EpollEvent{Events: want, Fd: int32(e.fd), Pad: int32(e.gen)}
			err := c.epollCtl(unix.EPOLL_CTL_MOD, e.fd, &ev)
			switch {
			case err == nil:
				e.regEvents = want
			case errors.Is(err, unix.ENOENT):
				// The descriptor was closed and its number reused
				// (or epoll dropped it): register the new one.
				c.setRegistered(e, false)
				c.epollAdd(e, want)
			default:
				c.setRegistered(e, false)
				e.nval = true
				c.nSpecial++
			}
		}
	}
	c.dirtyFDs = c.dirtyFDs[:0]
}

// lingerPolls is how many polls an fd registration outlives its last watch.
// A socket read loop watches its descriptor only when a read would block,
// which may be a few iterations apart; a registration kept that long costs
// nothing, and one that turns readable while nobody watches it is dropped
// by the first blocking wait it ends.
const lingerPolls = 64

// ageLingering drops the lingering entries that were not watched again
// within lingerPolls polls. c.mu is held.
func (c *Context) ageLingering() {
	kept := c.lingering[:0]
	for _, e := range c.lingering {
		switch {
		case !e.lingering:
			e.inLinger = false
		case e.lingerAge >= lingerPolls:
			e.inLinger = false
			c.dropLinger(e)
		default:
			e.lingerAge++
			kept = append(kept, e)
		}
	}
	clear(c.lingering[len(kept):])
	c.lingering = kept
}

// dropLinger takes a lingering entry out of the epoll set and of fdEntries.
// If the descriptor was closed meanwhile, the kernel has dropped the
// registration already (or, if a copy of it is still open, keeps it: the
// poll then reports a generation it does not know, and rebuilds the set).
func (c *Context) dropLinger(e *fdEntry) {
	e.lingering = false
	c.unpoll(e)
	c.dropEntry(e)
}

func (c *Context) dropEntry(e *fdEntry) {
	e.dead = true
	if c.fdEntries[e.fd] == e {
		delete(c.fdEntries, e.fd)
	}
}

// registerFD needs c.mu.
func (c *Context) registerFD(t *unixFD) {
	e := c.fdEntries[t.fd]
	if e == nil {
		e = &fdEntry{fd: t.fd}
		c.fdEntries[t.fd] = e
	} else if e.lingering {
		// The registration is still this descriptor's if it was kept
		// for the same open handle; otherwise MOD checks it.
		e.lingering = false
		e.verify = t.h == nil || t.h != e.h || t.h.closed.Load()
	}
	if t.h != nil {
		t.h.usedBy(c)
	}
	e.h = t.h
	e.tags = append(e.tags, t)
	t.entry = e
	c.markDirty(e)
}

// unpoll takes e out of the epoll set and out of the count of entries that
// are always ready (regular files) or invalid (nval). c.mu is held.
func (c *Context) unpoll(e *fdEntry) {
	if e.registered && c.poll != nil {
		c.epollCtl(unix.EPOLL_CTL_DEL, e.fd, nil)
	}
	c.setRegistered(e, false)
	if e.nval || e.alwaysReady {
		c.nSpecial--
		e.nval, e.alwaysReady = false, false
	}
}

// unregisterFD needs c.mu.
func (c *Context) unregisterFD(t *unixFD) {
	e := t.entry
	if e == nil {
		return
	}
	for i, x := range e.tags {
		if x == t {
			copy(e.tags[i:], e.tags[i+1:])
			e.tags[len(e.tags)-1] = nil
			e.tags = e.tags[:len(e.tags)-1]
			break
		}
	}
	t.entry = nil
	t.revents = 0
	if len(e.tags) > 0 {
		c.markDirty(e)
		return
	}
	if e.registered {
		// Keep the registration for the next watch of this descriptor;
		// a stale one is caught by the MOD of verify or by its
		// generation (see dropLinger).
		e.lingering, e.lingerAge, e.verify = true, 0, false
		if !e.inLinger {
			e.inLinger = true
			c.lingering = append(c.lingering, e)
		}
		return
	}
	// The last watch goes now, not at the next poll: the caller may close
	// the descriptor, and its number may be reused, right after this.
	c.unpoll(e)
	c.dropEntry(e)
}

// AddUnixFD is g_source_add_unix_fd: s will be ready when fd has any of
// events (or an error, hang-up or invalid-fd condition). Watches are polled
// with the context's epoll instance; a regular file, which epoll refuses, is
// always readable and writable as poll(2) says, and a descriptor that is not
// open reports IONval. Remove the watch before closing the descriptor.
func (s *Source) AddUnixFD(fd int, events IOCondition) FDTag {
	return s.addWatch(fd, events, nil, "g_source_add_unix_fd")
}

func (s *Source) addWatch(fd int, events IOCondition, h *UnixFD, fn string) FDTag {
	if s == nil {
		nilSource(fn)
		return FDTag{}
	}
	if fd < 0 {
		logging.Critical(pkg, fn+": assertion 'fd >= 0' failed")
		return FDTag{}
	}
	if s.invoke != nil {
		logging.Critical(pkg, fn+": the source of a queued Invoke call cannot watch fds")
		return FDTag{}
	}
	c := s.lockCtx()
	if s.destroyed.Load() {
		unlockCtx(c)
		logging.Critical(pkg, fn+": assertion '!SOURCE_DESTROYED (source)' failed")
		return FDTag{}
	}
	var t *unixFD
	if t = s.spareFD; t != nil {
		// The storage of a removed watch: a source that watches its
		// descriptor again and again (a socket's wait source) does so
		// without an allocation. Its gen tells the old tag from the new.
		// src is s already, and is never written again: tagOK reads it
		// without the lock.
		s.spareFD = nil
		t.fd, t.events, t.revents, t.entry, t.h = fd, events, 0, nil, h
	} else if cap(s.fds) == 0 {
		// The first watch, which is most sources' only one, comes with the
		// slice that lists it: one allocation instead of two.
		w := &firstWatch{u: unixFD{src: s, fd: fd, events: events, h: h}}
		t, s.fds = &w.u, w.list[:0]
	} else {
		t = &unixFD{src: s, fd: fd, events: events, h: h}
	}
	s.fds = append(s.fds, t)
	if c != nil {
		c.registerFD(t)
	}
	unlockCtx(c)
	if c != nil {
		c.wakeIfForeign()
	}
	return FDTag{t, t.gen}
}

// tagOK is the guard of the calls on a watch: GLib's critical for a nil s
// or a tag that is not s's. Whether the watch is still the tag's (live)
// is for the caller to ask, under the lock.
func (s *Source) tagOK(tag FDTag, fn string) bool {
	if s == nil {
		nilSource("g_source_" + fn + "_unix_fd")
		return false
	}
	if tag.u == nil || tag.u.src != s {
		logging.Critical(pkg, "g_source_"+fn+"_unix_fd: assertion 'tag belongs to source' failed")
		return false
	}
	return true
}

// live reports whether tag's watch is still the one it was made for, not
// removed (and perhaps reused since). The lock of tag's source is held.
func (tag FDTag) live() bool { return tag.gen == tag.u.gen }

// ModifyUnixFD is g_source_modify_unix_fd: it changes the conditions a watch
// waits for.
func (s *Source) ModifyUnixFD(tag FDTag, events IOCondition) {
	if !s.tagOK(tag, "modify") {
		return
	}
	c := s.lockCtx()
	if !tag.live() {
		unlockCtx(c)
		return
	}
	tag.u.events = events
	if tag.u.entry != nil && c != nil {
		c.markDirty(tag.u.entry)
	}
	unlockCtx(c)
	if c != nil {
		c.wakeIfForeign()
	}
}

// QueryUnixFD is g_source_query_unix_fd: the conditions the last poll
// reported for the watch.
func (s *Source) QueryUnixFD(tag FDTag) IOCondition {
	if !s.tagOK(tag, "query") {
		return 0
	}
	c := s.lockCtx()
	defer unlockCtx(c)
	if !tag.live() {
		return 0
	}
	return tag.u.revents
}

// RemoveUnixFD is g_source_remove_unix_fd.
func (s *Source) RemoveUnixFD(tag FDTag) {
	if !s.tagOK(tag, "remove") {
		return
	}
	c := s.lockCtx()
	if !tag.live() {
		unlockCtx(c)
		return
	}
	for i, x := range s.fds {
		if x == tag.u {
			s.fds = append(s.fds[:i], s.fds[i+1:]...)
			s.fds[:len(s.fds)+1][len(s.fds)] = nil
			if c != nil {
				c.unregisterFD(x)
			}
			// The tag is no longer valid; the storage waits for the
			// source's next watch.
			x.gen++
			x.h = nil
			if s.spareFD == nil {
				s.spareFD = x
			}
			break
		}
	}
	unlockCtx(c)
}

// FDFunc is GUnixFDSourceFunc: the callback of an fd source, given the
// descriptor and the conditions that occurred. It returns false to remove
// the source.
type FDFunc func(fd int, cond IOCondition) bool

// NewFDSource is g_unix_fd_source_new plus g_source_set_callback: a source
// ready when fd has one of cond (IOErr, IOHup and IONval are always
// reported), at PriorityDefault. fn may be nil, in which case a callback set
// with SetCallback is called instead.
func NewFDSource(fd int, cond IOCondition, fn FDFunc) *Source {
	var tag FDTag
	s := NewSource(SourceFuncs{
		Dispatch: func(s *Source, cb SourceFunc) bool {
			if fn != nil {
				return fn(fd, s.QueryUnixFD(tag))
			}
			if cb == nil {
				logging.Warning(pkg, "GUnixFDSource dispatched without callback. You must call g_source_set_callback().")
				return false
			}
			return cb()
		},
	})
	s.SetName("GUnixFDSource")
	tag = s.AddUnixFD(fd, cond)
	return s
}

// FDAdd is g_unix_fd_add: it attaches an fd source to the global default
// context and returns its id.
func FDAdd(fd int, cond IOCondition, fn FDFunc) SourceID {
	return FDAddFull(PriorityDefault, fd, cond, fn)
}

// FDAddFull is g_unix_fd_add_full: FDAdd at a given priority.
func FDAddFull(priority int, fd int, cond IOCondition, fn FDFunc) SourceID {
	if fn == nil {
		logging.Critical(pkg, "g_unix_fd_add_full: assertion 'function != NULL' failed")
		return 0
	}
	s := NewFDSource(fd, cond, fn)
	s.SetPriority(priority)
	return s.Attach(Default())
}
