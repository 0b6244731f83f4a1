package signal

import (
	"sort"
	"sync/atomic"
)

// stateGone marks a disconnected handler; the low bits of handler.state are
// its block count. An emission calls a handler only while state is 0.
const stateGone = 1 << 31

type handler[F any] struct {
	id     HandlerID
	fn     F
	state  atomic.Uint32
	detail string
	after  bool
	recv   Receiver
	ctype  ConnectionType // type bits only
	single bool
	key    any
	unique bool
	unbind func() // cancels the receiver's destroy notify; guarded by core.mu
}

// plain reports whether the fast path may call h: a direct handler with no
// detail, receiver, after flag or single-shot flag.
func (h *handler[F]) plain() bool {
	return !h.after && h.detail == "" && h.recv == nil && !h.single && h.ctype == DirectConnection
}

// list is an immutable snapshot of a signal's handlers and configuration.
// Emissions load it once, which is what makes handlers connected during an
// emission invisible to it (SIG-3, SIG-07): they only look at hs[:len].
//
// Snapshots share backing arrays. A connect appends past the end of the
// newest snapshot, where no published snapshot looks, so it costs O(1)
// amortised instead of a copy of the list. A disconnect marks the handler
// gone (emissions skip it by its state word) and leaves it in place as a
// tombstone; the arrays are rebuilt without tombstones when they make up a
// quarter of the list, or at once for a short list, so disconnects are
// O(1) amortised too. Element i of hs and fns is never written once a
// snapshot covering it is published.
type list[F any] struct {
	hs  []*handler[F]
	fns []F // hs[i].fn, contiguous for the fast path
	counts
	conf[F]
	// mode is how Emit runs this snapshot, decided when it is stored.
	mode emitMode
	// first is fns[0] when mode is modeOne.
	first F
}

// emitMode is the way Emit runs a snapshot.
type emitMode uint8

const (
	// modeNone: nothing to call (no snapshot).
	modeNone emitMode = iota
	// modeSlow: a class handler, NoRecurse, or a handler that is not
	// plain (detail, receiver, after, single-shot): emitSlow, GLib's stages.
	modeSlow
	// modeChecked: plain handlers with tombstones or an accumulator, or a
	// signal whose first fast-path emission this is (fastRan unset):
	// emitChecked. (SetAccumulator republishes.)
	modeChecked
	// modeOwned: modeFast on a signal with an owner, whose SignalsBlocked
	// emitChecked asks first (SIG-12).
	modeOwned
	// modeFast: plain handlers only, no tombstone, no owner: Emit calls fns
	// with no per-handler check while gen stays at its start and no handler
	// is blocked (core.begin), and hands over to emitChecked when gen moves.
	modeFast
	// modeOne: modeFast with exactly one handler, first, not blocked, no
	// owner, and StopEmission never called: Emit's shortest case,
	// which keeps nothing live across the call. Block and Unblock republish
	// a snapshot that has or should have it.
	modeOne
)

// conf is a signal's configuration. core keeps the master copy, since the
// snapshot is nil while there is nothing to call; every snapshot carries a
// copy.
type conf[F any] struct {
	owner      Owner
	class      F
	hasClass   bool
	classStage RunStage
	noRecurse  bool // SetNoRecurse: G_SIGNAL_NO_RECURSE (SIG-9)
	// stopUsed: StopEmission was called on the signal once; from then on
	// Emit does not take its shortest case (see stop.go).
	stopUsed bool
	// ownerBound is core's: the owner's destroy notify is added or being
	// added (unused by emissions).
	ownerBound bool
}

// counts describes a snapshot's handlers: live is the number of connected
// handlers in hs, dead the number of tombstones (len(hs) == live+dead);
// nonPlain and after count the live handlers that are not plain() and
// that are after-handlers.
type counts struct{ live, dead, nonPlain, after int }

// with returns n counting one more (d = 1) or one less (d = -1) live
// handler h.
func (n counts) with(plain, after bool, d int) counts {
	n.live += d
	if !plain {
		n.nonPlain += d
	}
	if after {
		n.after += d
	}
	return n
}

func (l *list[F]) blocked() bool { return l.owner != nil && l.owner.SignalsBlocked() }

// smallList is the length up to which a disconnect rebuilds the arrays at
// once, as a plain copy on write would: short lists never carry
// tombstones, so their emissions keep the unchecked fast path and a
// disconnected func is released at once (tst_qobject
// disconnectDoesNotLeakFunctor).
const smallList = 32

// republish stores a snapshot with the same handlers and the current
// c.conf (after a configuration change); c.mu must be held.
func (c *core[F, R]) republish() {
	if l := c.l.Load(); l != nil {
		c.store(l.hs, l.fns, l.counts)
		return
	}
	c.store(nil, nil, counts{})
}

// store publishes a snapshot, or nil when there is nothing to call; c.mu
// must be held.
func (c *core[F, R]) store(hs []*handler[F], fns []F, k counts) {
	if k.live == 0 && !c.conf.hasClass {
		c.l.Store(nil)
		return
	}
	n := &list[F]{hs: hs, fns: fns, counts: k, conf: c.conf}
	switch {
	case k.nonPlain != 0 || n.hasClass || n.noRecurse:
		n.mode = modeSlow
	case k.dead != 0 || !c.fastRan.Load() || c.acc.Load() != nil:
		n.mode = modeChecked
	case n.owner != nil:
		n.mode = modeOwned
	case k.live == 1 && !n.stopUsed && c.nblocked.Load() == 0:
		n.mode, n.first = modeOne, fns[0]
	default:
		n.mode = modeFast
	}
	c.l.Store(n)
}

// markFastRan records the signal's first fast-path emission (see stop.go)
// and republishes, so that later snapshots may take modeOne and modeFast,
// which do not look at fastRan. Once per signal.
func (c *core[F, R]) markFastRan() {
	c.mu.Lock()
	if !c.fastRan.Load() {
		c.fastRan.Store(true)
		c.republish()
	}
	c.mu.Unlock()
}

// add appends h to the list; c.mu must be held.
func (c *core[F, R]) add(h *handler[F]) {
	var hs []*handler[F]
	var fns []F
	var k counts
	if l := c.l.Load(); l != nil {
		hs, fns, k = l.hs, l.fns, l.counts
	}
	c.store(append(hs, h), append(fns, h.fn), k.with(h.plain(), h.after, 1))
}

// remove takes h, just marked gone, out of the list; c.mu must be held.
func (c *core[F, R]) remove(h *handler[F]) {
	l := c.l.Load()
	if l == nil {
		return
	}
	k := l.counts.with(h.plain(), h.after, -1)
	if k.dead++; len(l.hs) > smallList && k.dead*4 <= len(l.hs) {
		c.store(l.hs, l.fns, k)
		return
	}
	// Rebuild without tombstones, into new arrays: running emissions
	// still read the old ones.
	hs := make([]*handler[F], 0, l.live-1)
	fns := make([]F, 0, l.live-1)
	for _, x := range l.hs {
		if x.state.Load()&stateGone == 0 {
			hs = append(hs, x)
			fns = append(fns, x.fn)
		}
	}
	k.dead = 0
	c.store(hs, fns, k)
}

// find returns the handler with this id in the snapshot, connected or a
// tombstone, or nil. Ids grow along the list (they are taken under c.mu
// in connection order), so it is a binary search.
func (c *core[F, R]) find(id HandlerID) *handler[F] {
	l := c.load()
	if l == nil {
		return nil
	}
	i := sort.Search(len(l.hs), func(i int) bool { return l.hs[i].id >= id })
	if i < len(l.hs) && l.hs[i].id == id {
		return l.hs[i]
	}
	return nil
}
