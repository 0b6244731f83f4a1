package signal

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/rs/zerolog"

	"github.com/sigloop/sigloop/internal/logging"
)

const pkg = "signal"

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

// list is an immutable snapshot of a signal's handlers and configuration.
// Emissions load it once, which is what makes handlers connected during an
// emission invisible to it (SIG-3, SIG-07).
type list[F any] struct {
	hs  []*handler[F]
	fns []F // hs[i].fn, contiguous for the fast path
	conf[F]
	simple bool // only plain direct handlers, no class handler: the fast path
}

// conf is a signal's configuration. core keeps the master copy, since the
// snapshot is nil while there is nothing to call; every snapshot carries a
// copy.
type conf[F any] struct {
	owner      Owner
	class      F
	hasClass   bool
	classStage RunStage
	noRecurse  bool // SetNoRecurse: G_SIGNAL_NO_RECURSE (SIG-9)
	// ownerBound is core's: the owner's destroy notify is added or being
	// added (unused by emissions).
	ownerBound bool
}

func (l *list[F]) blocked() bool { return l.owner != nil && l.owner.SignalsBlocked() }

// core is the handler list, ids, blocking and stop machinery shared by
// every signal type. Its zero value is an empty signal.
type core[F any] struct {
	mu sync.Mutex
	// l is the published snapshot of the handlers and conf, or nil while
	// there is nothing to call (no handler, no class handler), so that
	// configuring a signal nobody listens to (SetOwner, SetNoRecurse,
	// DisconnectAll) allocates nothing. It changes only under mu.
	l    atomic.Pointer[list[F]]
	conf conf[F] // the master copy; guarded by mu
	// The owner's destroy notify (SIG-14) is added lazily, when the signal
	// first has a handler while it has an owner: most signals of most
	// objects are never connected. conf.ownerBound: added or being added;
	// ownerDrop cancels it; ownerGen counts SetOwner calls, so an addition
	// racing with a new SetOwner is undone. Guarded by mu.
	ownerDrop func()
	ownerGen  uint64
	stops     stopState
	// gen grows on every disconnect, block, unblock and StopEmission, after
	// the change is made. An emission that sees it unchanged since its
	// start, with no handler blocked at its start (nblocked == 0), knows
	// every handler of its snapshot is still live and unblocked, and skips
	// the per-handler checks.
	gen      atomic.Uint64
	nblocked atomic.Int64 // outstanding Block calls on live handlers
	// running holds the emissions of a NoRecurse signal in progress, one
	// per detail (GLib's emission list, emission_find); guarded by mu.
	running []*emission
}

func (c *core[F]) load() *list[F] { return c.l.Load() }

// handlers is the current handler list; c.mu must be held.
func (c *core[F]) handlers() []*handler[F] {
	if l := c.l.Load(); l != nil {
		return l.hs
	}
	return nil
}

// publish stores the next snapshot: hs with the current c.conf, or nil
// when there is nothing to call; c.mu must be held. hs must be a new slice
// (snapshots share backing arrays and never modify them).
func (c *core[F]) publish(hs []*handler[F]) {
	if len(hs) == 0 && !c.conf.hasClass {
		c.l.Store(nil)
		return
	}
	n := &list[F]{hs: hs, conf: c.conf}
	n.fns = make([]F, len(n.hs))
	for i, h := range n.hs {
		n.fns[i] = h.fn
	}
	n.simple = !n.hasClass && !n.noRecurse
	for _, h := range n.hs {
		if h.after || h.detail != "" || h.recv != nil || h.single || h.ctype != DirectConnection {
			n.simple = false
			break
		}
	}
	c.l.Store(n)
}

func without[F any](hs []*handler[F], h *handler[F]) []*handler[F] {
	out := make([]*handler[F], 0, len(hs))
	for _, x := range hs {
		if x != h {
			out = append(out, x)
		}
	}
	return out
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Func, reflect.Pointer, reflect.Map, reflect.Chan, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// connect adds a handler. It is the one way in for every Connect variant.
func (c *core[F]) connect(fn F, o Options) (HandlerID, error) {
	if isNil(any(fn)) {
		logging.Critical(pkg, "g_signal_connect: assertion 'c_handler != NULL' failed")
		return 0, ErrNilHandler
	}
	t := o.Type & typeMask
	if t > BlockingQueuedConnection || o.Type&^(typeMask|UniqueConnection|SingleShotConnection) != 0 {
		return 0, ErrInvalidType
	}
	if o.Receiver != nil && isNil(o.Receiver) {
		return 0, ErrNoReceiver // a typed nil, such as (*object.Object)(nil)
	}
	if o.Receiver == nil && t != DirectConnection {
		if o.Type&typeMask == AutoConnection {
			t = DirectConnection // no receiver: the sender is the receiver (Qt), and plain connects are direct
		} else {
			return 0, ErrNoReceiver
		}
	}
	unique := o.Type&UniqueConnection != 0
	if unique && o.Key == nil {
		logging.Critical(pkg, "QObject::connect: unique connections require a key (signal.Options.Key)")
		return 0, ErrUniqueNeedsKey
	}
	if unique && !reflect.TypeOf(o.Key).Comparable() {
		return 0, ErrUniqueNeedsKey
	}
	// Keys and receivers are compared with == by unique connects and
	// DisconnectKey/DisconnectReceiver, which panics for incomparable
	// dynamic types: refuse them here.
	if o.Key != nil && !reflect.ValueOf(o.Key).Comparable() {
		return 0, ErrKeyNotComparable
	}
	if o.Receiver != nil && !reflect.ValueOf(o.Receiver).Comparable() {
		return 0, ErrKeyNotComparable
	}
	if o.Receiver != nil && o.Receiver.IsDestroyed() {
		return 0, ErrReceiverDestroyed
	}
	h := &handler[F]{
		fn: fn, detail: o.Detail, after: o.After, recv: o.Receiver, ctype: t,
		single: o.Type&SingleShotConnection != 0, key: o.Key, unique: unique,
	}
	c.mu.Lock()
	for !c.conf.ownerBound && c.conf.owner != nil {
		// The owner's destroy notify goes in before the handler is
		// published, so a Destroy of the owner that starts after this
		// point disconnects it, as when SetOwner added the notify. Again
		// if SetOwner changed the owner meanwhile.
		gen := c.ownerGen
		c.mu.Unlock()
		c.bindOwner()
		c.mu.Lock()
		if c.ownerGen == gen {
			break
		}
	}
	if unique {
		for _, x := range c.handlers() {
			if x.unique && x.key == o.Key && x.recv == o.Receiver && x.detail == o.Detail && x.after == o.After {
				c.mu.Unlock()
				return 0, ErrDuplicate
			}
		}
	}
	h.id = nextID() // under mu, so ids grow in list order (Qt's emission order by id)
	hs := c.handlers()
	c.publish(append(hs[:len(hs):len(hs)], h))
	c.mu.Unlock()
	if o.Receiver != nil {
		rm := o.Receiver.AddDestroyNotify(func() { c.drop(h) })
		c.mu.Lock()
		if h.state.Load()&stateGone != 0 {
			c.mu.Unlock()
			rm()
		} else {
			h.unbind = rm
			c.mu.Unlock()
		}
	}
	logging.Debug(pkg, func(e *zerolog.Event) { e.Uint64("id", uint64(h.id)).Str("detail", o.Detail).Msg("connect") })
	return h.id, nil
}

// drop disconnects h if it is still connected; it reports whether it did.
func (c *core[F]) drop(h *handler[F]) bool {
	c.mu.Lock()
	old := h.state.Or(stateGone)
	if old&stateGone != 0 {
		c.mu.Unlock()
		return false
	}
	c.nblocked.Add(-int64(old))
	c.publish(without(c.handlers(), h))
	c.gen.Add(1)
	rm := h.unbind
	h.unbind = nil
	c.mu.Unlock()
	if rm != nil {
		rm()
	}
	return true
}

func (c *core[F]) find(id HandlerID) *handler[F] {
	if l := c.l.Load(); l != nil {
		for _, h := range l.hs {
			if h.id == id {
				return h
			}
		}
	}
	return nil
}

func (c *core[F]) noHandler(fn string, id HandlerID) {
	logging.Critical(pkg, fmt.Sprintf("%s: instance '%p' has no handler with id '%d'", fn, c, id))
}

// Disconnect is g_signal_handler_disconnect: the handler is not called
// again, not even by an emission that is running now and has not reached it
// (SIG-4). Queued calls already posted still run (Qt). An id that is 0, not
// of this signal, or already disconnected logs GLib's critical and returns
// false.
func (c *core[F]) Disconnect(id HandlerID) bool {
	if id == 0 {
		logging.Critical(pkg, "g_signal_handler_disconnect: assertion 'handler_id > 0' failed")
		return false
	}
	c.mu.Lock()
	h := c.find(id)
	c.mu.Unlock()
	if h == nil || !c.drop(h) {
		c.noHandler("g_signal_handler_disconnect", id)
		return false
	}
	return true
}

// IsConnected is g_signal_handler_is_connected: whether id is a live
// connection of this signal. It is false for 0 and for unknown ids.
func (c *core[F]) IsConnected(id HandlerID) bool {
	return id != 0 && c.find(id) != nil
}

// Block is g_signal_handler_block: the handler is skipped until Unblock is
// called as many times as Block (SIG-5).
func (c *core[F]) Block(id HandlerID) {
	h := c.find(id)
	if h == nil {
		c.noHandler("g_signal_handler_block", id)
		return
	}
	for {
		s := h.state.Load()
		if s&stateGone != 0 {
			return // disconnected meanwhile
		}
		if h.state.CompareAndSwap(s, s+1) {
			break
		}
	}
	c.nblocked.Add(1)
	c.gen.Add(1)
}

// Unblock is g_signal_handler_unblock. Unblocking a handler that is not
// blocked logs GLib's critical. A handler unblocked during an emission that
// has not reached it yet is called by that emission (SIG-5).
func (c *core[F]) Unblock(id HandlerID) {
	h := c.find(id)
	if h == nil {
		c.noHandler("g_signal_handler_unblock", id)
		return
	}
	for {
		s := h.state.Load()
		if s&^stateGone == 0 {
			logging.Critical(pkg, fmt.Sprintf("g_signal_handler_unblock: handler '%d' of instance '%p' is not blocked", id, c))
			return
		}
		if h.state.CompareAndSwap(s, s-1) {
			if s&stateGone == 0 {
				c.nblocked.Add(-1)
			}
			c.gen.Add(1)
			return
		}
	}
}

// HasHandlers is QObject::isSignalConnected: whether at least one handler
// is connected, blocked or not.
func (c *core[F]) HasHandlers() bool {
	l := c.l.Load()
	return l != nil && len(l.hs) > 0
}

// HandlerCount is QObject::receivers: the number of connected handlers,
// duplicates included.
func (c *core[F]) HandlerCount() int {
	if l := c.l.Load(); l != nil {
		return len(l.hs)
	}
	return 0
}

// DisconnectAll disconnects every handler (g_signal_handlers_destroy, Qt's
// disconnect(sender, signal, nullptr, nullptr)) and returns how many there
// were.
func (c *core[F]) DisconnectAll() int {
	c.mu.Lock()
	var rms []func()
	n := 0
	if l := c.l.Load(); l != nil {
		for _, h := range l.hs {
			if old := h.state.Or(stateGone); old&stateGone == 0 {
				c.nblocked.Add(-int64(old))
			}
			if h.unbind != nil {
				rms = append(rms, h.unbind)
				h.unbind = nil
			}
		}
		n = len(l.hs)
		c.publish(nil)
		c.gen.Add(1)
	}
	c.mu.Unlock()
	for _, rm := range rms {
		rm()
	}
	return n
}

// DisconnectReceiver is Qt's disconnect(sender, signal, receiver, nullptr):
// it removes every connection bound to r and returns how many there were
// (SIG-04).
func (c *core[F]) DisconnectReceiver(r Receiver) int {
	return c.disconnectWhere(func(h *handler[F]) bool { return r != nil && h.recv == r })
}

// DisconnectKey is Qt's disconnect(sender, signal, receiver, slot): it
// removes every connection made with this receiver (nil for none) and
// Options.Key, and returns how many there were (SIG-04).
func (c *core[F]) DisconnectKey(r Receiver, key any) int {
	if key != nil && !reflect.ValueOf(key).Comparable() {
		logging.Critical(pkg, fmt.Sprintf("QObject::disconnect: key of type %T is not comparable", key))
		return 0
	}
	return c.disconnectWhere(func(h *handler[F]) bool { return key != nil && h.recv == r && h.key == key })
}

func (c *core[F]) disconnectWhere(match func(h *handler[F]) bool) int {
	l := c.l.Load()
	if l == nil {
		return 0
	}
	n := 0
	for _, h := range l.hs {
		if match(h) && c.drop(h) {
			n++
		}
	}
	return n
}

// SetOwner names the object that emits the signal: while o.SignalsBlocked()
// the signal does nothing (QObject::blockSignals), and if o has
// AddDestroyNotify, all handlers are disconnected when o is destroyed
// (SIG-14). SetOwner(nil) removes the owner. It allocates nothing on a
// signal without handlers: the owner's destroy notify is only added when
// the signal has a handler, by SetOwner or by the first Connect, and not
// once the owner's destruction has started (if it has IsDestroyed). So a
// signal whose owner is already destroyed when its first handler is
// connected keeps that handler, as GLib keeps handlers connected after
// g_object_run_dispose; object.Object disconnects its own Notify at the
// end of Destroy for a handler connected during it.
func (c *core[F]) SetOwner(o Owner) {
	if o != nil && isNil(o) {
		o = nil // a typed nil owner would panic in SignalsBlocked
	}
	c.mu.Lock()
	old := c.ownerDrop
	c.ownerDrop = nil
	c.ownerGen++
	c.conf.owner, c.conf.ownerBound = o, false
	c.publish(c.handlers())
	bind := o != nil && len(c.handlers()) > 0
	c.mu.Unlock()
	if old != nil {
		old()
	}
	if bind {
		c.bindOwner()
	}
}

// bindOwner adds the owner's destroy notify, which disconnects every
// handler, unless it is added already, the owner has none, or the owner
// is destroyed already.
func (c *core[F]) bindOwner() {
	c.mu.Lock()
	o := c.conf.owner
	dn, ok := o.(destroyNotifier)
	if !ok || c.conf.ownerBound {
		c.mu.Unlock()
		return
	}
	if d, ok := o.(interface{ IsDestroyed() bool }); ok && d.IsDestroyed() {
		c.mu.Unlock()
		return
	}
	c.conf.ownerBound = true // the snapshot's copy is unused: no update needed
	gen := c.ownerGen
	c.mu.Unlock()
	rm := dn.AddDestroyNotify(c.ownerDestroyed)
	c.mu.Lock()
	if c.ownerGen != gen { // SetOwner ran meanwhile: this owner is no longer ours
		c.mu.Unlock()
		rm()
		return
	}
	c.ownerDrop = rm
	c.mu.Unlock()
}

func (c *core[F]) ownerDestroyed() { c.DisconnectAll() }

func (c *core[F]) setClass(fn F, stage RunStage) {
	c.mu.Lock()
	c.conf.class = fn
	c.conf.hasClass = !isNil(any(fn)) && stage&(RunFirst|RunLast|RunCleanup) != 0
	c.conf.classStage = stage
	c.publish(c.handlers())
	c.mu.Unlock()
}

// SetNoRecurse sets GLib's G_SIGNAL_NO_RECURSE flag on the signal (SIG-9),
// as object.Object does for Notify. While an emission of the signal with a
// given detail is running, on any goroutine, a new emission with the same
// detail does not run: it returns at once (with R's zero value) and the
// running emission restarts from its first stage once the handler it is in
// has returned, with its own arguments and the handler list as it is then.
// So a notify handler that sets the property it watches gets one more
// call, after it returned, instead of a nested one. As in GLib the restart
// also happens for an emission made from another goroutine; unlike GLib
// none is lost: one arriving after the last handler, or during the
// RunCleanup class handler, still makes the emission run again before it
// returns. A StopEmission drops a restart requested before it (the stop is
// newer).
func (c *core[F]) SetNoRecurse(on bool) {
	c.mu.Lock()
	c.conf.noRecurse = on
	c.publish(c.handlers())
	c.mu.Unlock()
}

// emission is a running emission of a NoRecurse signal (GLib's Emission).
type emission struct {
	detail  string
	restart atomic.Bool
}

// enterEmission registers an emission for detail, or, if one is running,
// asks it to restart and returns nil.
func (c *core[F]) enterEmission(detail string) *emission {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.running {
		if e.detail == detail {
			e.restart.Store(true)
			return nil
		}
	}
	e := &emission{detail: detail}
	c.running = append(c.running, e)
	return e
}

// finishEmission reports whether e must run again; if not, e is removed,
// under the same lock a new emission checks, so none is lost.
func (c *core[F]) finishEmission(e *emission) (again bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.restart.Swap(false) {
		return true
	}
	c.leaveLocked(e)
	return false
}

func (c *core[F]) leaveLocked(e *emission) {
	for i, x := range c.running {
		if x == e {
			c.running = append(c.running[:i], c.running[i+1:]...)
			return
		}
	}
}

// CheckDeadlock reports ErrDeadlock if an emission made now from the
// calling goroutine would reach a BlockingQueuedConnection whose receiver's
// context the calling goroutine owns: the case where Emit logs Qt's "Dead
// lock detected" critical and skips the handler instead of waiting for
// itself forever. Emit has no error result; call CheckDeadlock first where
// that case can arise. It returns nil otherwise.
func (c *core[F]) CheckDeadlock() error {
	l := c.l.Load()
	if l == nil {
		return nil
	}
	for _, h := range l.hs {
		if h.ctype == BlockingQueuedConnection && h.state.Load()&stateGone == 0 && h.wouldDeadlock() {
			return ErrDeadlock
		}
	}
	return nil
}

// wouldDeadlock: h is blocking-queued and the caller owns the context it
// would be delivered to (deliver uses the default context for a receiver
// without one).
func (h *handler[F]) wouldDeadlock() bool {
	return recvContext(h.recv).IsOwner()
}
