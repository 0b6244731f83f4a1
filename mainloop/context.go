package mainloop

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sigloop/sigloop/internal/goid"
	"github.com/sigloop/sigloop/internal/logging"
	"golang.org/x/sys/unix"
)

const pkg = "mainloop"

// Context is GMainContext: a set of sources that one goroutine at a time
// dispatches, in priority order. Every method may be called from any
// goroutine. The zero value is usable: it sets itself up at its first
// use, as NewContext would. A nil *Context stands for Default(), as GLib's
// NULL context does.
type Context struct {
	setupOnce sync.Once

	mu   sync.Mutex
	cond sync.Cond // ownership released or a waiting loop quit; uses mu

	owner      atomic.Int64 // identity of the owning goroutine (goid.ID), 0 if none; written under mu
	ownerCount int

	prios      []*prioList // by priority, ascending; may hold empty lists
	emptyLists int         // how many of prios are empty
	byID       map[SourceID]*Source
	nextID     SourceID

	// time is the iteration's cached monotonic time (ML-14), valid while
	// timeFresh; both owner only. As GLib's time_is_fresh, the clock is
	// read only when something asks for the time (a source with a ready
	// time, Source.Time, IterationTime): prepare marks it stale, and so
	// does a poll that may wait; a dispatch keeps what check had.
	time      int64
	timeFresh bool
	pending   []pendingDispatch
	scratch   []*Source // prepare/check snapshot of one priority list, owner only

	inPrepareOrCheck int // owner only (ML-9)
	dispatching      int // dispatches running, owner only

	poll        *poller
	wakePending atomic.Bool  // a wakeup the owner has not acknowledged yet (coalesces wakeups)
	sleeping    atomic.Int32 // what the owner is blocked in (awake, sleepChan, …), for Wakeup
	wakeCh      chan struct{}
	timer       *time.Timer // park's timeout, owner only
	fdEntries   map[int]*fdEntry
	dirtyFDs    []*fdEntry
	lingering   []*fdEntry // entries without watches kept in the epoll set for a while
	reported    []*unixFD  // the watches whose revents the last poll set
	nSpecial    int
	nRegistered int    // entries in the epoll set
	fdGen       uint32 // the last registration generation handed out
	ctlCalls    int    // epoll_ctl calls on the set, for the tests
	events      []unix.EpollEvent

	invDefault *invokeQueue // the queue at PriorityDefault, for Invoke's fast path

	// check's fd-ready sources outside the active lists (collectHits),
	// owner only.
	iter    uint64
	hits    []*Source
	hitPrio []int
	hitPos  int
}

// prioList is the sources of one priority, in dispatch order, as an
// intrusive doubly linked list (O(1) attach and destroy), plus the invoke
// queue of that priority.
type prioList struct {
	prio   int
	all    srcList // every source, in dispatch order
	active srcList // the sources prepare and check visit (Source.needsScan), in the same order
	n      int
	inv    *invokeQueue
}

// srcList is an intrusive doubly linked list of sources, through their
// links[k].
type srcList struct {
	head, tail *Source
	k          int
}

// srcLinks are a source's links in one srcList.
type srcLinks struct{ prev, next *Source }

func (s *Source) lk(k int) *srcLinks { return &s.links[k] }

// insertAfter links s after x, or at the head if x is nil.
func (l *srcList) insertAfter(s, x *Source) {
	ls := s.lk(l.k)
	ls.prev = x
	if x != nil {
		ls.next = x.lk(l.k).next
		x.lk(l.k).next = s
	} else {
		ls.next = l.head
		l.head = s
	}
	if ls.next != nil {
		ls.next.lk(l.k).prev = s
	} else {
		l.tail = s
	}
}

func (l *srcList) remove(s *Source) {
	ls := s.lk(l.k)
	if ls.prev != nil {
		ls.prev.lk(l.k).next = ls.next
	} else {
		l.head = ls.next
	}
	if ls.next != nil {
		ls.next.lk(l.k).prev = ls.prev
	} else {
		l.tail = ls.prev
	}
	*ls = srcLinks{}
}

// ordGap spaces the ord of sources appended to a list, leaving room for the
// children inserted before their parents.
const ordGap = 1 << 20

type pendingDispatch struct {
	s     *Source
	limit uint64 // for the invoke queue: the last item seq dispatchable this iteration
}

// NewContext is g_main_context_new.
func NewContext() *Context {
	c := &Context{}
	c.setupOnce.Do(c.setup)
	return c
}

// setup makes c usable; a zero Context runs it at its first use (orDefault).
func (c *Context) setup() {
	c.byID = make(map[SourceID]*Source)
	c.fdEntries = make(map[int]*fdEntry)
	c.nextID = 1
	c.wakeCh = make(chan struct{}, 1)
	c.cond.L = &c.mu
	c.poll = newPollerOrLog()
	if c.poll != nil {
		runtime.AddCleanup(c, func(p *poller) { p.close() }, c.poll)
	}
}

var defaultContext = sync.OnceValue(NewContext)

// Default is g_main_context_default: the global default context, used by the
// package-level Add functions and by New(nil).
func Default() *Context { return defaultContext() }

// orDefault is c, or the global default for nil; a zero Context is set up
// here, at its first use.
func orDefault(c *Context) *Context {
	if c == nil {
		return Default()
	}
	c.setupOnce.Do(c.setup)
	return c
}

// Acquire is g_main_context_acquire: it makes the calling goroutine the owner
// of c, or adds one to its count if it already is, and reports whether it
// succeeded. It never waits: if another goroutine owns c it returns false.
//
// Ownership belongs to the calling goroutine (not to an OS thread); it must
// call Release as many times as Acquire succeeded before it exits.
func (c *Context) Acquire() bool {
	c = orDefault(c)
	ts := lockThread()
	if !c.acquireTS(ts) {
		ts.unlock()
		return false
	}
	return true
}

func (c *Context) acquireTS(ts *threadState) bool {
	c.mu.Lock()
	ok := c.takeOwnership(ts)
	c.mu.Unlock()
	return ok
}

// takeOwnership needs c.mu.
func (c *Context) takeOwnership(ts *threadState) bool {
	switch c.owner.Load() {
	case 0:
		c.owner.Store(ts.tid)
		c.ownerCount = 1
		return true
	case ts.tid:
		c.ownerCount++
		return true
	}
	return false
}

// acquireWait acquires c, waiting for the owner to release it. With a loop it
// gives up, returning false, once the loop is quit (ML-11).
func (c *Context) acquireWait(ts *threadState, l *Loop) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for !c.takeOwnership(ts) {
		if l != nil && !l.running.Load() {
			return false
		}
		c.cond.Wait()
	}
	return true
}

// Release is g_main_context_release: it undoes one successful Acquire made by
// the calling goroutine.
func (c *Context) Release() {
	c = orDefault(c)
	var ts *threadState
	peekThread(func(tid int64, t *threadState) {
		if t != nil && c.owner.Load() == tid {
			ts = t
		}
	})
	if ts == nil {
		logging.Critical(pkg, "g_main_context_release() called on a context which is not acquired by the current thread")
		return
	}
	c.releaseTS(ts)
	ts.unlock()
}

func (c *Context) releaseTS(ts *threadState) {
	c.mu.Lock()
	if c.owner.Load() != ts.tid || c.ownerCount == 0 {
		// An unbalanced Release inside a callback already gave it up.
		c.mu.Unlock()
		return
	}
	c.ownerCount--
	if c.ownerCount == 0 {
		c.owner.Store(0)
		c.cond.Broadcast()
	}
	c.mu.Unlock()
}

// IsOwner is g_main_context_is_owner: whether the calling goroutine owns c.
func (c *Context) IsOwner() bool {
	c = orDefault(c)
	return c.ownedByCaller()
}

// ownedByCaller compares the owner with the caller's identity. Where the
// identity is the thread id, the owner is locked to its thread, so no other
// goroutine can see its id there.
func (c *Context) ownedByCaller() bool {
	owner := c.owner.Load()
	return owner != 0 && owner == goid.ID()
}

// Wakeup is g_main_context_wakeup: it makes the current or the next blocking
// poll of c return (ML-12). Wakeups from many goroutines are coalesced into
// one until the owner has seen it. Waking an owner that is blocked takes no
// system call: it is parked on a channel, or in Go's netpoller, whose wait
// a past deadline ends.
func (c *Context) Wakeup() {
	c = orDefault(c)
	if !c.wakePending.Load() && c.wakePending.CompareAndSwap(false, true) {
		c.kick()
	}
}

// wakeIfForeign wakes c's owner unless there is none or it is the caller.
func (c *Context) wakeIfForeign() {
	if c.owner.Load() != 0 && !c.IsOwner() {
		c.Wakeup()
	}
}

// Pending is g_main_context_pending: whether c has a source ready to
// dispatch. It runs prepare and check without blocking and without
// dispatching; it returns false if another goroutine owns c.
func (c *Context) Pending() bool {
	c = orDefault(c)
	ts := lockThread()
	defer ts.unlock()
	if !c.acquireTS(ts) {
		return false
	}
	defer c.releaseTS(ts)
	return c.iterate(false, false, ts)
}

// Iteration is g_main_context_iteration: it runs one iteration of c and
// reports whether a source was dispatched. With mayBlock it waits until a
// source is ready (or c is woken up, ML-3), and first waits to own c if
// another goroutine does; without it, it returns false at once if another
// goroutine owns c.
//
// A panic in a callback propagates out of Iteration after c's state is made
// consistent (the source is unblocked, ownership is released); the source is
// not destroyed.
func (c *Context) Iteration(mayBlock bool) bool {
	c = orDefault(c)
	ts := lockThread()
	defer ts.unlock()
	if mayBlock {
		c.acquireWait(ts, nil)
	} else if !c.acquireTS(ts) {
		return false
	}
	defer c.releaseTS(ts)
	return c.iterate(mayBlock, true, ts)
}

// IterationTime is the monotonic time, in microseconds, cached by c for its
// current iteration (ML-14): the time Source.Time (g_source_get_time) returns
// to every source dispatched in that iteration. As in GLib, the clock is
// read at the first request of the iteration, not by every iteration. GLib
// has no context-level call for it. It is meaningful on c's owner
// (typically inside a callback dispatched by c); elsewhere it returns
// MonotonicTime().
// Task creation compares against it (GTask's TASK-3 rule).
func (c *Context) IterationTime() int64 {
	c = orDefault(c)
	if !c.ownedByCaller() {
		return MonotonicTime()
	}
	return c.now()
}

// now is c.time, read from the clock first if it is stale. Owner only.
func (c *Context) now() int64 {
	if !c.timeFresh {
		c.time, c.timeFresh = MonotonicTime(), true
	}
	return c.time
}

// IsDispatching reports whether the calling goroutine is running a callback
// dispatched by c (at any nesting depth). GLib has no such call; it is
// g_main_current_source's context test without needing the source. asyncresult uses it to decide
// whether a completion may run now or must be queued (TASK-3).
func (c *Context) IsDispatching() bool {
	c = orDefault(c)
	found := false
	peekThread(func(tid int64, ts *threadState) {
		if ts == nil || c.owner.Load() != tid {
			return
		}
		for _, e := range ts.stack {
			if e.ctx == c && !e.pushed {
				found = true
				return
			}
		}
	})
	return found
}

// FindSourceByID is g_main_context_find_source_by_id: the live source of c
// with that id, or nil.
func (c *Context) FindSourceByID(id SourceID) *Source {
	c = orDefault(c)
	if id == 0 {
		logging.Critical(pkg, "g_main_context_find_source_by_id: assertion 'source_id > 0' failed")
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.byID[id]
	if s == nil || s.destroyed.Load() {
		return nil
	}
	return s
}

// RemoveSource destroys the source of c with that id, like g_source_remove
// does on the global default context. For an unknown id it logs GLib's
// critical and returns false.
func (c *Context) RemoveSource(id SourceID) bool {
	c = orDefault(c)
	if id == 0 {
		logging.Critical(pkg, "g_source_remove: assertion 'tag > 0' failed")
		return false
	}
	c.mu.Lock()
	s := c.byID[id]
	c.mu.Unlock()
	if s == nil || s.destroyed.Load() {
		logging.Critical(pkg, fmt.Sprintf("Source ID %d was not found when attempting to remove it", id))
		return false
	}
	s.Destroy()
	return true
}

// RemoveSource is g_source_remove: it destroys the source with that id on the
// global default context (ML-6).
func RemoveSource(id SourceID) bool { return Default().RemoveSource(id) }

// allocID gives a new id, unique among c's live sources, wrapping at the
// 32-bit limit as GLib's guint does and never giving 0 (ML-6). c.mu is held.
func (c *Context) allocID() SourceID {
	for {
		id := c.nextID
		if c.nextID == math.MaxUint32 {
			c.nextID = 1
		} else {
			c.nextID++
		}
		if id == 0 {
			continue
		}
		if _, used := c.byID[id]; !used {
			return id
		}
	}
}

// prioAfter returns the list of the best priority numerically greater than p
// (nil if none). Prepare and check walk the lists with it because the slice
// may change while they call out with c.mu released. c.mu is held.
func (c *Context) prioAfter(p int) *prioList {
	i, j := 0, len(c.prios)
	for i < j {
		h := int(uint(i+j) >> 1)
		if c.prios[h].prio <= p {
			i = h + 1
		} else {
			j = h
		}
	}
	if i < len(c.prios) {
		return c.prios[i]
	}
	return nil
}

// prioIndex is the index of the first list whose priority is >= prio.
func (c *Context) prioIndex(prio int) int {
	i, j := 0, len(c.prios)
	for i < j {
		h := int(uint(i+j) >> 1)
		if c.prios[h].prio < prio {
			i = h + 1
		} else {
			j = h
		}
	}
	return i
}

func (c *Context) prioListFor(prio int, create bool) *prioList {
	i := c.prioIndex(prio)
	if i < len(c.prios) && c.prios[i].prio == prio {
		if pl := c.prios[i]; pl.n == 0 && pl.inv == nil && create {
			c.emptyLists--
		}
		return c.prios[i]
	}
	if !create {
		return nil
	}
	pl := &prioList{prio: prio, active: srcList{k: 1}}
	c.prios = append(c.prios, nil)
	copy(c.prios[i+1:], c.prios[i:])
	c.prios[i] = pl
	return pl
}

// addToList inserts s at the end of its priority's list, or just before its
// parent if it has one there (ML-2). c.mu is held.
func (c *Context) addToList(s *Source) {
	pl := c.prioListFor(s.priority, true)
	s.list = pl
	if p := s.parent; p != nil && p.list == pl {
		before := p.links[0].prev
		pl.all.insertAfter(s, before)
		lo := uint64(0)
		if before != nil {
			lo = before.ord
		}
		if p.ord-lo < 2 {
			renumber(pl)
		} else {
			s.ord = lo + (p.ord-lo)/2
		}
	} else {
		s.ord = ordGap
		if t := pl.all.tail; t != nil {
			s.ord = t.ord + ordGap
		}
		pl.all.insertAfter(s, pl.all.tail)
		if s.ord > 1<<62 {
			renumber(pl)
		}
	}
	pl.n++
	if s.needsScan() {
		c.activate(s)
	}
}

// renumber spreads the ord of pl's sources evenly again; their order stays.
func renumber(pl *prioList) {
	o := uint64(0)
	for x := pl.all.head; x != nil; x = x.links[0].next {
		o += ordGap
		x.ord = o
	}
}

// activate puts s in its list's active list, at its place in list order.
// The search goes from the tail, where new sources go. c.mu is held.
func (c *Context) activate(s *Source) {
	pl := s.list
	if s.inActive || pl == nil || s.destroyed.Load() {
		return
	}
	s.inActive = true
	after := pl.active.tail
	for after != nil && after.ord > s.ord {
		after = after.links[1].prev
	}
	pl.active.insertAfter(s, after)
}

// deactivate takes s out of its list's active list. c.mu is held.
func (c *Context) deactivate(s *Source) {
	if s.inActive {
		s.list.active.remove(s)
		s.inActive = false
	}
}

func (c *Context) removeFromList(s *Source) {
	pl := s.list
	if pl == nil {
		return
	}
	c.deactivate(s)
	pl.all.remove(s)
	s.list = nil
	pl.n--
	if pl.n == 0 && pl.inv == nil {
		c.emptyLists++
		if c.emptyLists > 16 && c.emptyLists > len(c.prios)/2 {
			c.compactPrios()
		}
	}
}

// snapshot copies the sources of pl that prepare (hits == false) or check
// (hits == true) looks at into c.scratch, in list order: prepare and check
// release c.mu around user functions, during which the list may change.
// They are pl's active sources, and for check also those of pl that the
// poll reported (Context.hits). c.mu is held.
func (c *Context) snapshot(pl *prioList, hits bool) []*Source {
	c.scratch = c.scratch[:0]
	var h []*Source
	if hits {
		for c.hitPos < len(c.hits) && c.hitPrio[c.hitPos] < pl.prio {
			c.hitPos++
		}
		start := c.hitPos
		for c.hitPos < len(c.hits) && c.hitPrio[c.hitPos] == pl.prio {
			c.hitPos++
		}
		h = c.hits[start:c.hitPos]
	}
	a := pl.active.head
	for a != nil || len(h) > 0 {
		if len(h) > 0 && (h[0].list != pl || h[0].inActive) {
			h = h[1:] // moved, or visited as an active source
			continue
		}
		if len(h) > 0 && (a == nil || h[0].ord < a.ord) {
			c.scratch = append(c.scratch, h[0])
			h = h[1:]
		} else {
			c.scratch = append(c.scratch, a)
			a = a.links[1].next
		}
	}
	return c.scratch
}

// collectHits makes c.hits: the sources outside the active lists that the
// last poll reported an fd event for, sorted by priority and list order.
// c.mu is held.
func (c *Context) collectHits() {
	c.iter++
	clear(c.hits)
	c.hits, c.hitPrio, c.hitPos = c.hits[:0], c.hitPrio[:0], 0
	for _, t := range c.reported {
		s := t.src
		if s.hitIter == c.iter || s.inActive || s.list == nil || s.destroyed.Load() {
			continue
		}
		s.hitIter = c.iter
		c.hits = append(c.hits, s)
	}
	if len(c.hits) == 0 {
		return
	}
	if len(c.hits) > 1 {
		slices.SortFunc(c.hits, cmpListOrder)
	}
	for _, s := range c.hits {
		c.hitPrio = append(c.hitPrio, s.list.prio)
	}
}

func cmpListOrder(a, b *Source) int {
	if a.list.prio != b.list.prio {
		return cmp.Compare(a.list.prio, b.list.prio)
	}
	return cmp.Compare(a.ord, b.ord)
}

// compactPrios drops the empty priority lists. Dropping them lazily keeps
// destroying many sources of distinct priorities linear. c.mu is held.
func (c *Context) compactPrios() {
	kept := c.prios[:0]
	for _, pl := range c.prios {
		if pl.n > 0 || pl.inv != nil {
			kept = append(kept, pl)
		}
	}
	clear(c.prios[len(kept):])
	c.prios = kept
	c.emptyLists = 0
}
