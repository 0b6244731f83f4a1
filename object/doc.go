// Package object is sigloop's object base: GObject and QObject in one
// embeddable struct, with typed properties, DeleteLater, and QTimer
// (Timer, SingleShot).
//
// # Getting started
//
//	o := object.New() // lives on the caller's context (mainloop.ThreadDefault)
//	backlog, _ := object.NewRangeProperty(o, "listen-backlog", 0, 2000, 10, 0)
//	o.Notify.ConnectDetailed("listen-backlog", func(string) { fmt.Println(backlog.Get()) })
//	_ = o.SetProperty("listen-backlog", int64(50)) // prints 50; 5000 is ErrPropertyRange
//	child := object.New()
//	child.SetParent(o) // o destroys child when it is destroyed
//	t := object.NewTimer(o)
//	t.Timeout.Connect(func() { o.DeleteLater() })
//	t.SetSingleShot(true)
//	t.StartInterval(time.Second) // runs while a loop runs o's context
//
// An Object has a parent and ordered children (a parent destroys its
// children), a name, per-object data, typed properties with change
// notification, a context affinity (the mainloop.Context its queued calls
// and DeleteLater run on), the Destroyed signal, and BlockSignals. Go's
// garbage collector replaces reference counting; explicit lifetime is
// Destroy (Qt's delete, GLib's dispose) and DeleteLater.
//
// # Making an object type
//
// Embed Object, declare signals and properties as fields, and give the type
// an Init(self any) that calls Object.Init(self) and sets up the rest:
//
//	type Server struct {
//		object.Object
//		Backlog  object.Property[int]
//		Incoming signal.Signal1R[*Conn, bool]
//	}
//
//	func (s *Server) Init(self any) {
//		s.Object.Init(self)
//		s.Backlog.Install(&s.Object, "listen-backlog", 10, object.ExplicitNotify)
//		s.Incoming.SetOwner(&s.Object) // BlockSignals mutes it; disconnected on Destroy
//		s.Incoming.SetAccumulator(signal.TrueHandled)
//	}
//
//	func NewServer() *Server { s := &Server{}; s.Init(s); return s }
//
// # Virtual methods
//
// A GObject class fills a vtable slot that the signal's class closure calls
// (RUN_LAST: after the normal handlers, before the connect-after ones); a
// subclass overrides the slot and may chain up to the parent's. Here:
//
//  1. The base type declares an interface of its virtual methods
//     (ServerClass { DoIncoming(*Conn) bool }) and implements them as
//     ordinary methods: that is the default implementation.
//  2. Its Init sets the signal's class handler to a function that calls the
//     method through Virtual[ServerClass](&s.Object, s), which returns the
//     outermost value given to Init when it implements the interface.
//  3. A user type embeds the base, defines a method with the same name,
//     and calls the base's method to chain up (s.Server.DoIncoming(c)).
//     It passes itself to Init: u := &MyServer{}; u.Init(u).
//
// Because Init recorded the outermost value, the class handler reaches the
// user's method even though the signal was declared by the base. Example
// (Object_virtualMethod) shows the whole pattern with its order against
// handlers.
//
// # Properties
//
// Property[T] is typed: Get and Set are the main API. Set notifies on every
// call, changed or not, as g_object_set does (OBJ-1), unless the property
// is ExplicitNotify, which notifies only on change (Qt's convention, and
// what GLib's explicit-notify setters do by hand). Notify is emitted with
// the property name as detail: o.Notify.ConnectDetailed("listen-backlog",
// fn) is "notify::listen-backlog". FreezeNotify / ThawNotify queue and
// squash notifications (OBJ-3). Property and SetProperty reach properties
// by name and return a *PropertyError wrapping ErrUnknownProperty,
// ErrPropertyType, ErrPropertyRange, ErrReadOnlyProperty,
// ErrWriteOnlyProperty or ErrConstructOnlyProperty.
//
// What a GParamSpec declares is declared at Install:
//
//   - A range, for numbers (g_param_spec_int's minimum and maximum):
//     InstallRange / NewRangeProperty. SetProperty refuses a value outside
//     it with ErrPropertyRange ("value 5000 is out of range 0..2000"), the
//     typed Set logs GLib's critical and changes nothing, Validate checks
//     first (for typed setters that return an error).
//   - Flags: ReadOnly, WriteOnly (readable only with the typed Get, never
//     notified), ConstructOnly (fixed at Install), ExplicitNotify.
//   - Types Go cannot compare ([]string, []byte): BoxedProperty, with the
//     equality that decides whether a Set changed the value.
//
// SetProperty converts numbers the way GValue transforms do: an int64, a
// uint8 or a float64 with an integral value into an int property, an int
// into a float64 one, refusing with ErrPropertyType a value the property's
// type cannot hold exactly. Notify is NO_RECURSE, as in GLib
// (SIG-9): a notify handler that sets the property it watches does not get
// a nested call; the notification restarts once the handler has returned,
// so the handlers see the latest value, each once more.
//
// # Destruction
//
// Destroy follows Qt's order (OBJ-03): IsDestroyed becomes true (weak
// references read nil), signal blocking is cleared, Destroyed is emitted,
// the destroy notifies run (disconnecting o's own signals and every
// connection whose receiver is o, so queued calls still in flight to o are
// dropped), children are destroyed in order, and o leaves its parent.
// DeleteLater destroys o on its context, with Qt's loop-level rules
// (OBJ-06): a nested loop inside the callback that asked does not run it;
// one called while no loop runs waits for a Loop.Run or Exec (bare
// Iteration calls do not run it); SendPostedDeletes runs the pending ones
// now; repeated calls coalesce.
//
// Post is QCoreApplication::postEvent for an object: the call runs later
// on the object's context, follows it through MoveToContext and is dropped
// if the object is destroyed first.
//
// # Timers
//
// Timer is QTimer: an Object whose Timeout signal fires every Interval (or
// once, SetSingleShot) on its context while active (EVL-05). SingleShot(d,
// receiver, fn) is QTimer::singleShot with a context object: skipped if
// the receiver is destroyed first (EVL-06). They live here rather than in
// mainloop because they need an Object and a signal.
//
// # Zero values
//
// The zero Object initialises itself at first use; a zero Property or
// BoxedProperty is plain storage until installed; a zero WeakRef reads
// nil; a zero Timer is refused with a critical (use NewTimer). Nil
// pointers of these types log a critical and return zero results (a nil
// WeakRef reads nil, a nil Object reports IsDestroyed).
//
// # Cost
//
// Making an object is cheap, since one is made for every socket and every
// accepted connection: Init allocates nothing beyond the struct the caller
// made, and properties live in one small slice per object (the first
// Install allocates it). The destroy notify that disconnects a signal's
// handlers when its owner is destroyed is added at the signal's first
// connect, not by Init or SetOwner (see signal's SetOwner). TestInitAllocs
// pins this.
//
// Debug output: SIGLOOP_DEBUG=object logs creation, destruction and moves.
//
// # Concurrency properties
//
//  1. Every method may be called from any goroutine; the tree (parents and
//     children) is guarded by one package lock, each object's own state by
//     its own lock, and neither is held while user code (handlers, destroy
//     notifies, virtual methods) runs.
//  2. Property Set emits Notify on the calling goroutine, after the value is
//     stored; a Get inside the handler sees the new value or a later one.
//     If a notification of the same property is running on another
//     goroutine, Set returns at once and that notification restarts there
//     (NO_RECURSE, SIG-9): the handlers still run after the store, on the
//     goroutine that was notifying.
//  3. Destroy runs once, even when called from several goroutines at once;
//     the other calls return at once, possibly before it has finished.
//     Destroyed handlers and destroy notifies run on the goroutine that
//     called the first Destroy (the context's goroutine, for DeleteLater).
//  4. After IsDestroyed reports true, no new queued call is delivered to the
//     object, and no new connection with it as receiver can be made.
//  5. Init must be called before the object is shared between goroutines.
//
// # Panics
//
// Handlers, destroy notifies and virtual methods are not recovered: a panic
// unwinds to the caller of Destroy, Set, SetProperty or Emit. A Destroy
// that panicked midway leaves the object destroyed (IsDestroyed true) and
// the remaining steps undone.
package object
