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

// core is the handler list, ids, blocking and stop machinery shared by
// every signal type. Its zero value is an empty signal.
type core[F, R any] struct {
	// The fields every emission reads come first, together.
	//
	// l is the published snapshot of the handlers and conf, or nil while
	// there is nothing to call (no handler, no class handler), so that
	// configuring a signal nobody listens to (SetOwner, SetNoRecurse,
	// DisconnectAll) allocates nothing. It changes only under mu.
	l atomic.Pointer[list[F]]
	// gen grows on every disconnect, block, unblock and StopEmission, after
	// the change is made. An emission that sees it unchanged since its
	// start, with no handler blocked at its start (nblocked == 0) and no
	// tombstone in its snapshot, knows every handler of its snapshot is
	// still live and unblocked, and skips the per-handler checks.
	gen      atomic.Uint64
	nblocked atomic.Int64 // outstanding Block calls on live handlers
	// active counts the general-path emissions in progress (stop.go);
	// fastRan is set by the first fast-path emission.
	active  atomic.Int32
	fastRan atomic.Bool
	// stops holds the StopEmission requests (stop.go), made by the first
	// StopEmission: most signals are never stopped. Set under mu.
	stops atomic.Pointer[stopState]
	// acc is the accumulator of a signal whose handlers return a value
	// (SIG-8); nil for none.
	acc atomic.Pointer[Accumulator[R]]

	mu   sync.Mutex
	conf conf[F] // the master copy; guarded by mu
	// The owner's destroy notify (SIG-14) is added lazily, when the signal
	// first has a handler while it has an owner: most signals of most
	// objects are never connected. conf.ownerBound: added or being added;
	// ownerDrop cancels it; ownerGen counts SetOwner calls, so an addition
	// racing with a new SetOwner is undone. Guarded by mu.
	ownerDrop func()
	ownerGen  uint64
	// uniq indexes the live UniqueConnection handlers by identity, so a
	// unique connect does not scan the list; guarded by mu.
	uniq map[uniqKey]*handler[F]
	// running lists the emissions of a NoRecurse signal in progress, one
	// per detail (GLib's emission list, emission_find), through their next
	// fields; guarded by mu. A list head rather than a slice keeps every
	// signal (two in each Object) 16 bytes smaller.
	running *emission
}

// uniqKey is what makes two UniqueConnection connections identical.
type uniqKey struct {
	key    any
	recv   Receiver
	detail string
	after  bool
}

// load is the published snapshot, nil for none or for a nil c.
func (c *core[F, R]) load() *list[F] {
	if c == nil {
		return nil
	}
	return c.l.Load()
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
func (c *core[F, R]) connect(fn F, o Options) (HandlerID, error) {
	if c == nil {
		return 0, ErrNilSignal
	}
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
		k := uniqKey{o.Key, o.Receiver, o.Detail, o.After}
		if c.uniq[k] != nil {
			c.mu.Unlock()
			return 0, ErrDuplicate
		}
		if c.uniq == nil {
			c.uniq = make(map[uniqKey]*handler[F])
		}
		c.uniq[k] = h
	}
	h.id = nextID() // under mu, so ids grow in list order (Qt's emission order by id; find's binary search)
	c.add(h)
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

// connectID is connect for the Connect variants that return the id alone.
func (c *core[F, R]) connectID(fn F, o Options) HandlerID {
	id, _ := c.connect(fn, o)
	return id
}

// connectDetailed: see the generated ConnectDetailed.
func (c *core[F, R]) connectDetailed(detail string, fn F) HandlerID {
	if detail == "" && c != nil {
		invalidDetail()
		return 0
	}
	return c.connectID(fn, Options{Detail: detail})
}

// connectTo: see the generated ConnectTo.
func (c *core[F, R]) connectTo(r Receiver, fn F, t ConnectionType) (HandlerID, error) {
	if r == nil && c != nil {
		return 0, ErrNoReceiver
	}
	return c.connect(fn, Options{Receiver: r, Type: t})
}

// drop disconnects h if it is still connected; it reports whether it did.
func (c *core[F, R]) drop(h *handler[F]) bool {
	c.mu.Lock()
	old := h.state.Or(stateGone)
	if old&stateGone != 0 {
		c.mu.Unlock()
		return false
	}
	c.nblocked.Add(-int64(old))
	c.forget(h)
	c.remove(h)
	c.gen.Add(1)
	rm := h.unbind
	h.unbind = nil
	c.mu.Unlock()
	if rm != nil {
		rm()
	}
	return true
}

// forget drops h from the unique index; c.mu must be held.
func (c *core[F, R]) forget(h *handler[F]) {
	if h.unique {
		k := uniqKey{h.key, h.recv, h.detail, h.after}
		if c.uniq[k] == h {
			delete(c.uniq, k)
		}
	}
}

func (c *core[F, R]) noHandler(fn string, id HandlerID) {
	logging.Critical(pkg, fmt.Sprintf("%s: instance '%p' has no handler with id '%d'", fn, c, id))
}

// clearHandler: see the generated method of the same name.
func (c *core[F, R]) clearHandler(id *HandlerID) {
	if c == nil {
		return
	}
	if id == nil {
		logging.Critical(pkg, "g_clear_signal_handler: assertion 'handler_id_ptr != NULL' failed")
		return
	}
	if *id != 0 {
		c.disconnect(*id)
		*id = 0
	}
}

// disconnect: see the generated method of the same name.
func (c *core[F, R]) disconnect(id HandlerID) bool {
	if c == nil {
		return false
	}
	if id == 0 {
		logging.Critical(pkg, "g_signal_handler_disconnect: assertion 'handler_id > 0' failed")
		return false
	}
	h := c.find(id)
	if h == nil || !c.drop(h) {
		c.noHandler("g_signal_handler_disconnect", id)
		return false
	}
	return true
}

// isConnected: see the generated method of the same name.
func (c *core[F, R]) isConnected(id HandlerID) bool {
	if id == 0 {
		return false
	}
	h := c.find(id)
	return h != nil && h.state.Load()&stateGone == 0
}

// live returns the connected handler with this id, or logs GLib's
// critical for call and returns nil.
func (c *core[F, R]) live(id HandlerID, call string) *handler[F] {
	h := c.find(id)
	if h == nil || h.state.Load()&stateGone != 0 {
		c.noHandler(call, id)
		return nil
	}
	return h
}

// block and unblock: see the generated methods of the same names.
func (c *core[F, R]) block(id HandlerID)   { c.blockBy(id, 1, "g_signal_handler_block") }
func (c *core[F, R]) unblock(id HandlerID) { c.blockBy(id, -1, "g_signal_handler_unblock") }

// blockBy adds d (1 or -1) to the block count of the connected handler
// id, or logs call's critical: GLib's for an unknown id, and for an
// unblock of a handler that is not blocked.
func (c *core[F, R]) blockBy(id HandlerID, d int, call string) {
	if c == nil {
		return
	}
	h := c.live(id, call)
	if h == nil {
		return
	}
	for {
		s := h.state.Load()
		if d > 0 && s&stateGone != 0 {
			return // disconnected meanwhile
		}
		if d < 0 && s&^stateGone == 0 {
			logging.Critical(pkg, fmt.Sprintf("%s: handler '%d' of instance '%p' is not blocked", call, id, c))
			return
		}
		if h.state.CompareAndSwap(s, s+uint32(d)) {
			if s&stateGone == 0 {
				c.nblocked.Add(int64(d))
			}
			break
		}
	}
	c.gen.Add(1)
	c.blockChanged()
}

// blockChanged republishes after a block count changed if the snapshot's
// mode depends on it (a single plain handler: modeOne), so that Emit's
// shortest case never calls a blocked handler.
func (c *core[F, R]) blockChanged() {
	if l := c.l.Load(); l != nil && l.mode != modeSlow && l.live == 1 {
		c.mu.Lock()
		c.republish()
		c.mu.Unlock()
	}
}

// hasHandlers: see the generated method of the same name.
func (c *core[F, R]) hasHandlers() bool {
	l := c.load()
	return l != nil && l.live > 0
}

// handlerCount: see the generated method of the same name.
func (c *core[F, R]) handlerCount() int {
	if l := c.load(); l != nil {
		return l.live
	}
	return 0
}

// disconnectAll: see the generated method of the same name.
func (c *core[F, R]) disconnectAll() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	var rms []func()
	n := 0
	if l := c.l.Load(); l != nil {
		for _, h := range l.hs {
			if old := h.state.Or(stateGone); old&stateGone == 0 {
				c.nblocked.Add(-int64(old))
				n++
			}
			if h.unbind != nil {
				rms = append(rms, h.unbind)
				h.unbind = nil
			}
		}
		clear(c.uniq)
		c.store(nil, nil, counts{})
		c.gen.Add(1)
	}
	c.mu.Unlock()
	for _, rm := range rms {
		rm()
	}
	return n
}

// disconnectReceiver: see the generated method of the same name.
func (c *core[F, R]) disconnectReceiver(r Receiver) int {
	return c.disconnectWhere(func(h *handler[F]) bool { return r != nil && h.recv == r })
}

// disconnectKey: see the generated method of the same name.
func (c *core[F, R]) disconnectKey(r Receiver, key any) int {
	if c != nil && key != nil && !reflect.ValueOf(key).Comparable() {
		logging.Critical(pkg, fmt.Sprintf("QObject::disconnect: key of type %T is not comparable", key))
		return 0
	}
	return c.disconnectWhere(func(h *handler[F]) bool { return key != nil && h.recv == r && h.key == key })
}

// blockKey and unblockKey: see the generated BlockKey and UnblockKey.
func (c *core[F, R]) blockKey(r Receiver, key any) int {
	return c.eachKey(r, key, "g_signal_handlers_block_matched", func(h *handler[F]) bool { c.block(h.id); return true })
}

func (c *core[F, R]) unblockKey(r Receiver, key any) int {
	return c.eachKey(r, key, "g_signal_handlers_unblock_matched", func(h *handler[F]) bool {
		if h.state.Load()&^stateGone == 0 {
			return false // GLib's unblock_matched skips handlers that are not blocked
		}
		c.unblock(h.id)
		return true
	})
}

func (c *core[F, R]) eachKey(r Receiver, key any, call string, fn func(h *handler[F]) bool) int {
	if c == nil || key == nil {
		return 0
	}
	if !reflect.ValueOf(key).Comparable() {
		logging.Critical(pkg, fmt.Sprintf("%s: key of type %T is not comparable", call, key))
		return 0
	}
	l := c.load()
	if l == nil {
		return 0
	}
	n := 0
	for _, h := range l.hs {
		if h.state.Load()&stateGone == 0 && h.recv == r && h.key == key && fn(h) {
			n++
		}
	}
	return n
}

func (c *core[F, R]) disconnectWhere(match func(h *handler[F]) bool) int {
	l := c.load()
	if l == nil {
		return 0
	}
	n := 0
	for _, h := range l.hs {
		if h.state.Load()&stateGone == 0 && match(h) && c.drop(h) {
			n++
		}
	}
	return n
}

// setOwner: see the generated method of the same name.
func (c *core[F, R]) setOwner(o Owner) {
	if c == nil {
		return
	}
	if o != nil && isNil(o) {
		o = nil // a typed nil owner would panic in SignalsBlocked
	}
	c.mu.Lock()
	old := c.ownerDrop
	c.ownerDrop = nil
	c.ownerGen++
	c.conf.owner, c.conf.ownerBound = o, false
	c.republish()
	bind := o != nil && c.hasHandlers()
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
func (c *core[F, R]) bindOwner() {
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

func (c *core[F, R]) ownerDestroyed() { c.disconnectAll() }

// setClass: see the generated SetClassHandler.
func (c *core[F, R]) setClass(fn F, stage RunStage) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.conf.class = fn
	c.conf.hasClass = !isNil(any(fn)) && stage&(RunFirst|RunLast|RunCleanup) != 0
	c.conf.classStage = stage
	c.republish()
	c.mu.Unlock()
}

// setNoRecurse: see the generated method of the same name.
func (c *core[F, R]) setNoRecurse(on bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.conf.noRecurse = on
	c.republish()
	c.mu.Unlock()
}

// setAccumulator: see the generated SetAccumulator.
func (c *core[F, R]) setAccumulator(acc Accumulator[R]) {
	if c == nil {
		return
	}
	c.mu.Lock()
	if acc == nil {
		c.acc.Store(nil)
	} else {
		c.acc.Store(&acc)
	}
	c.republish() // the snapshot's mode depends on it
	c.mu.Unlock()
}

func (c *core[F, R]) accumulator() Accumulator[R] {
	if p := c.acc.Load(); p != nil {
		return *p
	}
	return nil
}

// emission is a running emission of a NoRecurse signal (GLib's Emission).
type emission struct {
	detail  string
	restart atomic.Bool
	next    *emission // in core.running; guarded by the core's mu
}

// enterEmission registers an emission for detail, or, if one is running,
// asks it to restart and returns nil.
func (c *core[F, R]) enterEmission(detail string) *emission {
	c.mu.Lock()
	defer c.mu.Unlock()
	for e := c.running; e != nil; e = e.next {
		if e.detail == detail {
			e.restart.Store(true)
			return nil
		}
	}
	e := &emission{detail: detail, next: c.running}
	c.running = e
	return e
}

// finishEmission reports whether e must run again; if not, e is removed,
// under the same lock a new emission checks, so none is lost.
func (c *core[F, R]) finishEmission(e *emission) (again bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.restart.Swap(false) {
		return true
	}
	c.leaveLocked(e)
	return false
}

func (c *core[F, R]) leaveLocked(e *emission) {
	for p := &c.running; *p != nil; p = &(*p).next {
		if *p == e {
			*p = e.next
			e.next = nil
			return
		}
	}
}

// checkDeadlock: see the generated method of the same name.
func (c *core[F, R]) checkDeadlock() error {
	if c == nil {
		return ErrNilSignal
	}
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
