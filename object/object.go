package object

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/rs/zerolog"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/signal"
)

const pkg = "object"

// Errors returned by the tree and context methods; test them with errors.Is.
var (
	// ErrHasParent: MoveToContext on an object that has a parent (OBJ-05).
	ErrHasParent = errors.New("object: cannot move objects with a parent")
	// ErrDestroyed: the object's destruction has started.
	ErrDestroyed = errors.New("object: object is destroyed")
	// ErrNilContext: MoveToContext(nil); sigloop objects always have a context.
	ErrNilContext = errors.New("object: nil context")
	// ErrNilObject: the object is a nil *Object (GLib's G_IS_OBJECT
	// assertion); methods called on one log that critical and do nothing.
	ErrNilObject = errors.New("object: nil object")
)

// treeMu guards every object's parent and children. One lock for the whole
// tree keeps re-parenting free of lock-order problems; it is never held
// while user code runs.
var treeMu sync.Mutex

// Object is the base of every sigloop object: GObject and QObject. Embed it
// in a struct, and call Init with the outermost value right after making
// it (or use New for a bare Object). Its zero value initialises itself on
// first use, with itself as the outermost value.
//
// All methods may be called from any goroutine. Destroy runs the destroyed
// handlers on the calling goroutine; call it from the object's context (or
// use DeleteLater) when handlers expect to run there.
type Object struct {
	// Destroyed is QObject::destroyed: emitted once, by Destroy, before the
	// children are destroyed and after IsDestroyed became true. It is
	// emitted even while signals are blocked (OBJ-07).
	Destroyed signal.Signal1[*Object]
	// Notify is GObject's "notify" signal; its argument and detail are the
	// property name: o.Notify.ConnectDetailed("listen-backlog", fn) is
	// g_signal_connect(o, "notify::listen-backlog", …). Like GLib's it is
	// NO_RECURSE (SIG-9): a notification for a property whose notification
	// is running does not nest; the running one restarts after its current
	// handler returns (see signal's SetNoRecurse).
	Notify signal.Signal1[string]

	// self points at the outermost value; nil means o itself. The first
	// Init stores it in selfBox (no allocation); a later one in a new box,
	// so a box is never written after it was published.
	self    atomic.Pointer[any]
	selfBox any
	ctx     atomic.Pointer[mainloop.Context]
	flags   atomic.Uint32 // the init state, destroyed and blocked bits (stateMask, flagDestroyed, flagBlocked)

	mu       sync.Mutex       // guards props, notifies and most of x's fields
	props    *propTable       // the installed properties, nil until the first
	notifies *destroyNotifies // nil until the first AddDestroyNotify, and while Destroy runs them
	// x holds what most objects never use (a name, data, a parent or
	// children, posted calls, a frozen notify queue…),
	// made by the first call that needs it (ext), so that an Object that
	// nobody names, parents or connects to costs only the fields above.
	x atomic.Pointer[objExt]
}

// objExt is the rarely used part of an Object. Once made it stays; each
// field keeps the lock noted.
type objExt struct {
	name        string          // mu
	data        map[string]any  // mu
	posts       []*postedCall   // mu: calls posted with Post, not yet run, in posting order
	freeze      int             // mu
	frozen      []string        // mu
	deleteLater *deferredDelete // mu: a pending DeleteLater, nil if none
	onMove      func()          // set once before sharing (Timer): runs after MoveToContext moved o

	parent   *Object   // treeMu
	children []*Object // treeMu
}

// noExt is what peek returns for an object without its objExt: all zero,
// and never written.
var noExt objExt

// peek returns o's objExt for reading, or noExt if o has none yet. Never
// write through it: use ext.
func (o *Object) peek() *objExt {
	if x := o.x.Load(); x != nil {
		return x
	}
	return &noExt
}

// ext returns o's objExt, made now if o has none.
func (o *Object) ext() *objExt {
	if x := o.x.Load(); x != nil {
		return x
	}
	o.x.CompareAndSwap(nil, new(objExt))
	return o.x.Load()
}

type destroyNotify struct {
	id int
	fn func()
}

// destroyNotifies are an object's destroy notifies: one allocation for the
// first (most objects that have any have one), which list starts in.
type destroyNotifies struct {
	// list is in the order the notifies were added, so by ascending id; a
	// removed one stays as a tombstone (fn nil) until more than half of
	// list is tombstones, so that removing is a binary search and n
	// removals cost O(n log n), not O(n²).
	list  []destroyNotify
	dead  int // tombstones in list
	next  int // the last id given
	first [1]destroyNotify
}

// remove removes the notify id (g_object_weak_unref); a second call does
// nothing.
func (ns *destroyNotifies) remove(id int) {
	i, ok := slices.BinarySearchFunc(ns.list, id, func(n destroyNotify, id int) int { return cmp.Compare(n.id, id) })
	if !ok || ns.list[i].fn == nil {
		return
	}
	ns.list[i].fn = nil
	ns.dead++
	if ns.dead > len(ns.list)/2 {
		ns.list = slices.DeleteFunc(ns.list, func(n destroyNotify) bool { return n.fn == nil })
		ns.dead = 0
	}
}

// New is g_object_new(G_TYPE_OBJECT) / new QObject: an initialised Object
// whose context is the caller's (mainloop.ThreadDefault).
func New() *Object {
	o := &Object{}
	o.Init(o)
	return o
}

// Init initialises o. self is the outermost value that embeds o (the
// pointer the user holds, like the instance pointer of a GObject); Self and
// Virtual return it, so that class handlers reach overriding methods. Init
// records the caller's context as o's affinity (mainloop.ThreadDefault,
// QObject's thread). A type that embeds Object and has its own setup
// defines its own Init(self any) that calls Object.Init(self) first.
// Call Init before o is shared with other goroutines. Init allocates
// nothing: the first call stores self inside o.
func (o *Object) Init(self any) {
	if o == nil {
		nilObject("Init")
		return
	}
	switch {
	case self == nil || self == any(o):
		if o.self.Load() != nil {
			o.self.Store(nil)
		}
	case o.self.Load() == nil && o.selfBox == nil:
		o.selfBox = self
		o.self.Store(&o.selfBox)
	default:
		box := new(any)
		*box = self
		o.self.Store(box)
	}
	o.init()
}

// The bits of Object.flags: one word, as every object has one. The init
// state (stateMask) goes from stateNew to stateIniting to stateReady.
const (
	stateIniting  uint32 = 1
	stateReady    uint32 = 3 // stateIniting | 2: set with one Or
	stateMask     uint32 = 3
	flagDestroyed uint32 = 4 // Destroy has started
	flagBlocked   uint32 = 8 // BlockSignals(true)
)

// init sets o up once: its context and Notify's configuration. A caller
// that finds another goroutine setting o up waits for it, as sync.Once
// would.
func (o *Object) init() {
	if o.flags.Load()&stateMask != stateReady {
		o.initSlow()
	}
}

func (o *Object) initSlow() {
	for {
		f := o.flags.Load()
		if f&stateMask != 0 {
			for o.flags.Load()&stateMask != stateReady {
				runtime.Gosched() // only a zero Object first used by two goroutines at once
			}
			return
		}
		if o.flags.CompareAndSwap(f, f|stateIniting) {
			break
		}
	}
	o.ctx.Store(mainloop.ThreadDefault())
	o.Notify.SetOwner(o)
	o.Notify.SetNoRecurse(true) // "notify" is G_SIGNAL_NO_RECURSE (SIG-9)
	o.flags.Or(stateReady)
	logging.Debug(pkg, func(e *zerolog.Event) { e.Str("object", o.describe()).Msg("created") })
}

// nilObject logs GLib's critical for a method called on a nil *Object.
func nilObject(fn string) {
	logging.Critical(pkg, fn+": assertion 'G_IS_OBJECT (object)' failed")
}

// setUp is the guard of the methods that need o set up: a nil o logs fn's
// critical (nilObject) and gives false; otherwise o is initialised.
func (o *Object) setUp(fn string) bool {
	if o == nil {
		nilObject(fn)
		return false
	}
	o.init()
	return true
}

func (o *Object) describe() string {
	o.mu.Lock()
	name := o.peek().name
	o.mu.Unlock()
	var self any = o
	if p := o.self.Load(); p != nil {
		self = *p
	}
	return fmt.Sprintf("%T(%p) %q", self, o, name)
}

// Self returns the outermost value passed to Init (o itself if there was
// none): the value whose methods a virtual call dispatches to.
func (o *Object) Self() any {
	if !o.setUp("Self") {
		return nil
	}
	if p := o.self.Load(); p != nil {
		return *p
	}
	return o
}

// Virtual returns o's outermost value as I when it implements I, else base.
// It is how a class handler calls a virtual method so that an embedding
// type's override runs; see the package documentation.
func Virtual[I any](o *Object, base I) I {
	if o == nil {
		return base
	}
	if v, ok := o.Self().(I); ok {
		return v
	}
	return base
}

// MainContext is QObject::thread: the context o lives on. Queued and auto
// connections whose receiver is o run there, and DeleteLater destroys o
// there.
func (o *Object) MainContext() *mainloop.Context {
	if !o.setUp("Context") {
		return nil
	}
	return o.ctx.Load()
}

// MoveToContext is QObject::moveToThread: o and all its descendants now
// live on c. It is refused with ErrHasParent for an object that has a
// parent (with Qt's warning, OBJ-05), ErrDestroyed, or ErrNilContext; moving
// to the same context does nothing. Calls posted with Post and a pending
// DeleteLater move along, and an active Timer is restarted on c with its
// interval, as Qt moves posted events and timers. Differs from Qt: queued
// signal calls already posted to the old context stay there, and it may be
// called from any goroutine (Qt only allows the object's own thread).
func (o *Object) MoveToContext(c *mainloop.Context) error {
	if !o.setUp("QObject::moveToThread") {
		return ErrNilObject
	}
	switch {
	case c == nil:
		return ErrNilContext
	case o.IsDestroyed():
		return ErrDestroyed
	}
	treeMu.Lock()
	if o.peek().parent != nil {
		treeMu.Unlock()
		logging.Critical(pkg, "QObject::moveToThread: Cannot move objects with a parent")
		return ErrHasParent
	}
	if o.ctx.Load() == c {
		treeMu.Unlock()
		return nil
	}
	var moved []*Object
	var walk func(x *Object)
	walk = func(x *Object) {
		x.init()
		x.ctx.Store(c)
		moved = append(moved, x)
		for _, ch := range x.peek().children {
			walk(ch)
		}
	}
	walk(o)
	treeMu.Unlock()
	for _, x := range moved {
		if x.cancelDeleteLater() {
			x.DeleteLater()
		}
		x.repost(c)
		if move := x.peek().onMove; move != nil {
			move()
		}
	}
	logging.Debug(pkg, func(e *zerolog.Event) {
		e.Str("object", o.describe()).Int("objects", len(moved)).Msg("moved to context")
	})
	return nil
}

// SetParent is QObject::setParent: o leaves its old parent's children and
// is appended to p's (nil: no parent). A parent destroys its children when
// it is destroyed. Refused with a critical: a parent that is o or one of
// its descendants, or a destroyed one. A parent on another context logs
// Qt's warning and leaves o without a parent (OBJ-01).
func (o *Object) SetParent(p *Object) {
	if !o.setUp("QObject::setParent") {
		return
	}
	if p != nil {
		p.init()
	}
	treeMu.Lock()
	defer treeMu.Unlock()
	if p == o.peek().parent {
		return
	}
	// Checked under treeMu: Destroy sets destroying before it takes its
	// snapshot of the children under treeMu, so no child is added too late.
	if p != nil && (p.IsDestroyed() || o.IsDestroyed()) {
		logging.Critical(pkg, "QObject::setParent: Cannot set parent: object is destroyed")
		return
	}
	for x := p; x != nil; x = x.peek().parent {
		if x == o {
			logging.Critical(pkg, "QObject::setParent: Cannot set parent: it would create a loop")
			return
		}
	}
	if old := o.peek().parent; old != nil {
		old.leave(o)
	}
	if p == nil {
		return
	}
	if p.ctx.Load() != o.ctx.Load() {
		logging.Warning(pkg, "QObject::setParent: Cannot set parent, new parent is in a different thread")
		return
	}
	o.ext().parent = p
	px := p.ext()
	px.children = append(px.children, o)
}

// leave takes child out of o's children and clears its parent; treeMu must
// be held.
func (o *Object) leave(child *Object) {
	x := o.ext()
	x.children = slices.DeleteFunc(x.children, func(c *Object) bool { return c == child })
	child.ext().parent = nil
}

// Parent is QObject::parent.
func (o *Object) Parent() *Object {
	if o == nil {
		nilObject("QObject::parent")
		return nil
	}
	treeMu.Lock()
	defer treeMu.Unlock()
	return o.peek().parent
}

// Children is QObject::children: a copy of the children list, in the order
// they were added (OBJ-01).
func (o *Object) Children() []*Object {
	if o == nil {
		nilObject("QObject::children")
		return nil
	}
	treeMu.Lock()
	defer treeMu.Unlock()
	return slices.Clone(o.peek().children)
}

// ObjectName is QObject::objectName.
func (o *Object) ObjectName() string {
	if o == nil {
		nilObject("QObject::objectName")
		return ""
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.peek().name
}

// SetObjectName is QObject::setObjectName.
func (o *Object) SetObjectName(name string) {
	if o == nil {
		nilObject("QObject::setObjectName")
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if name == "" && o.x.Load() == nil {
		return // nothing to clear
	}
	o.ext().name = name
}

// FindChild is QObject::findChild(name) with Qt's default recursive search:
// the direct children first, then each child's subtree in order. "" matches
// any object. It returns nil when there is none.
func (o *Object) FindChild(name string) *Object {
	if o == nil {
		nilObject("QObject::findChild")
		return nil
	}
	kids := o.Children()
	for _, c := range kids {
		if name == "" || c.ObjectName() == name {
			return c
		}
	}
	for _, c := range kids {
		if f := c.FindChild(name); f != nil {
			return f
		}
	}
	return nil
}

// FindChildren is QObject::findChildren(name): every descendant with that
// name ("" matches all), depth first, in children order.
func (o *Object) FindChildren(name string) []*Object {
	if o == nil {
		nilObject("QObject::findChildren")
		return nil
	}
	var out []*Object
	for _, c := range o.Children() {
		if name == "" || c.ObjectName() == name {
			out = append(out, c)
		}
		out = append(out, c.FindChildren(name)...)
	}
	return out
}

// BlockSignals is QObject::blockSignals: while b is true every signal owned
// by o (its Notify, and the signals of embedding types that called
// SetOwner(o)) does nothing when emitted. It returns the previous value
// (SIG-12). Destroyed is still emitted.
func (o *Object) BlockSignals(b bool) (was bool) {
	if o == nil {
		nilObject("QObject::blockSignals")
		return false
	}
	var old uint32
	if b {
		old = o.flags.Or(flagBlocked)
	} else {
		old = o.flags.And(^flagBlocked)
	}
	return old&flagBlocked != 0
}

// SignalsBlocked is QObject::signalsBlocked. It makes *Object a
// signal.Owner.
func (o *Object) SignalsBlocked() bool { return o != nil && o.flags.Load()&flagBlocked != 0 }

// SetData is g_object_set_data / QObject::setProperty for a dynamic value:
// it attaches v to o under key; nil removes it.
func (o *Object) SetData(key string, v any) {
	if o == nil {
		nilObject("g_object_set_data")
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if v == nil {
		if x := o.x.Load(); x != nil {
			delete(x.data, key)
		}
		return
	}
	x := o.ext()
	if x.data == nil {
		x.data = map[string]any{}
	}
	x.data[key] = v
}

// Data is g_object_get_data: the value attached under key, or nil.
func (o *Object) Data(key string) any {
	if o == nil {
		nilObject("g_object_get_data")
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.peek().data[key]
}

// IsDestroyed reports whether Destroy has started (true for a nil *Object,
// which is never alive). It turns true before
// Destroyed is emitted, so weak references read nil inside its handlers
// (OBJ-03, tst_qobject qpointerResetBeforeDestroyedSignal).
func (o *Object) IsDestroyed() bool { return o == nil || o.flags.Load()&flagDestroyed != 0 }

// AddDestroyNotify is g_object_weak_ref: fn runs once when o is destroyed,
// after Destroyed was emitted and before the children are destroyed, in
// the order the notifies were added. If o is already destroyed, fn runs at
// once. The returned function removes the notify (g_object_weak_unref). It
// makes *Object a signal.Receiver: connections bound to o are disconnected
// this way.
func (o *Object) AddDestroyNotify(fn func()) (remove func()) {
	switch {
	case o == nil:
		nilObject("g_object_weak_ref")
		return func() {}
	case fn == nil:
		// A nil notify would panic inside Destroy, leaving o half destroyed.
		logging.Critical(pkg, "g_object_weak_ref: assertion 'notify != NULL' failed")
		return func() {}
	}
	o.mu.Lock()
	ns := o.notifies
	if ns == nil {
		if o.IsDestroyed() {
			o.mu.Unlock()
			fn()
			return func() {}
		}
		ns = &destroyNotifies{}
		ns.list = ns.first[:0]
		o.notifies = ns
	}
	ns.next++
	id := ns.next
	ns.list = append(ns.list, destroyNotify{id, fn})
	o.mu.Unlock()
	return func() {
		o.mu.Lock()
		if o.notifies == ns { // not taken by Destroy, which runs the list it took
			ns.remove(id)
		}
		o.mu.Unlock()
	}
}

// Destroy is Qt's delete and GLib's g_object_run_dispose. In Qt's order
// (OBJ-03): IsDestroyed turns true and signal blocking is cleared;
// Destroyed is emitted; the destroy notifies run, which disconnects every
// handler of o's own signals and every connection whose receiver is o
// (queued calls to o still in flight are dropped); the Destroyed handlers
// are disconnected; the children are destroyed in order (a child destroyed
// meanwhile, by a sibling, is skipped: OBJ-04); o leaves its parent; a
// pending DeleteLater is cancelled. A second call does nothing.
func (o *Object) Destroy() {
	if !o.setUp("g_object_run_dispose") {
		return
	}
	o.mu.Lock()
	if o.IsDestroyed() {
		o.mu.Unlock()
		return
	}
	o.flags.Or(flagDestroyed)
	o.mu.Unlock()
	o.flags.And(^flagBlocked)
	logging.Debug(pkg, func(e *zerolog.Event) { e.Str("object", o.describe()).Msg("destroy") })
	o.Destroyed.Emit(o)
	for {
		var ns []destroyNotify
		o.mu.Lock()
		if o.notifies != nil {
			ns, o.notifies = o.notifies.list, nil
		}
		o.mu.Unlock()
		if len(ns) == 0 {
			break
		}
		for _, n := range ns {
			if n.fn != nil { // not a tombstone
				n.fn()
			}
		}
	}
	// Signals add their owner's destroy notify at their first connect,
	// which does not happen once the owner's destruction has started (see
	// signal's SetOwner): a Notify handler connected by a Destroyed handler
	// or a destroy notify is disconnected here.
	o.Notify.DisconnectAll()
	o.Destroyed.DisconnectAll()
	o.cancelDeleteLater()
	o.mu.Lock()
	if x := o.x.Load(); x != nil {
		x.posts = nil // Qt discards the posted events of a deleted object
	}
	o.mu.Unlock()
	for _, c := range o.Children() {
		c.Destroy()
	}
	treeMu.Lock()
	if p := o.peek().parent; p != nil {
		p.leave(o)
	}
	treeMu.Unlock()
}
