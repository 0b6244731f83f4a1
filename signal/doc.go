// Package signal is sigloop's typed signal: GLib's GSignal and Qt's
// signals and slots, checked at compile time with generics.
//
// A signal is a field of the object that emits it:
//
//	type Server struct {
//		object.Object
//		NewConnection signal.Signal1[*Conn]       // Qt: void newConnection(Conn*)
//		Incoming      signal.Signal2R[*Conn, any, bool] // GLib: gboolean incoming(conn, source)
//	}
//
// # Getting started
//
//	var clicked signal.Signal1[int] // a zero signal is ready to use
//	id := clicked.Connect(func(n int) { fmt.Println("clicked", n) })
//	clicked.Emit(1) // prints "clicked 1"
//	clicked.Disconnect(id)
//
//	var closing signal.Signal0R[bool] // handlers return a value
//	closing.SetAccumulator(signal.TrueHandled) // the first true wins
//	closing.Connect(func() bool { return false })
//	stop := closing.Emit() // false
//
// Signal0, Signal1, Signal2 and Signal3 take zero to three arguments;
// Signal0R..Signal3R also return a value, combined by an Accumulator
// (TrueHandled, FirstWins, or your own). More arguments are passed as a
// struct. All types share one core: the handler list, the ids, blocking,
// details, connection types and receivers; each arity only adds its
// Connect methods and its Emit, in files generated from one template
// (signal/internal/gen; run go generate after changing it).
//
// # Design
//
// The handler list is an immutable snapshot that Emit loads with one atomic
// load and calls the funcs in. Snapshots share their arrays: a connect
// appends past the end of the newest one, where no published snapshot
// looks, and a disconnect leaves the handler in place, marked gone, until
// a quarter of a long list is gone and it is rebuilt (a list of up to 32
// handlers is rebuilt at once). So connect and disconnect cost O(1)
// amortised (finding an id is a binary search, O(log n)) however many
// handlers a signal has, and the snapshot rules still hold. Differs from
// Qt, which destroys a disconnected functor at once: in a list longer than
// 32 handlers, a disconnected func (and what it captured) stays referenced
// until the list is next rebuilt.
//
// Each handler carries one atomic word holding its block
// count and a disconnected bit, and the signal one generation counter that
// every disconnect, block, unblock and StopEmission advances; while the
// counter has not moved since the emission started and no handler was
// blocked then, Emit does not need to look at the handlers' words. So a
// plain emission with direct handlers takes no lock, makes no atomic
// read-modify-write and allocates nothing: with one handler it costs a
// call and two loads more than calling the func, with several one atomic
// load per handler more; up to four handlers the calls are written out,
// without a loop. BenchmarkEmitVsFloor measures both against a loop over a
// []func with the same funcs: medians over four builds (bench/emit-layouts.sh,
// which moves the code to both of its alignments) of about 1.2x for one
// handler and 1.25x for four, each between 1.0x and 1.4x depending on
// where the linker put Emit. Anything else
// (a class handler, after-handlers, details, receivers, queued or
// single-shot connections, NoRecurse, an emission with a detail) takes the
// general path, which follows GLib's signal_emit_unlocked_R stage by stage.
//
// # GLib and Qt semantics
//
//   - Order (SIG-1): the RunFirst class handler, the normal handlers in
//     connection order, the RunLast class handler, the ConnectAfter
//     handlers, the RunCleanup class handler. The class handler is the
//     virtual-method slot: package object shows how an embedding type
//     overrides it and chains up.
//   - Ids (SIG-2): one process-wide counter; never 0, never reused.
//   - Details (SIG-6): ConnectDetailed("name") handlers run only for
//     EmitDetailed("name", …); handlers without a detail run for every
//     emission; Emit runs only handlers without a detail.
//   - Blocking (SIG-5) is counted per handler. Owner.SignalsBlocked
//     (QObject::blockSignals) mutes the whole signal (SIG-12).
//   - StopEmission (SIG-7) stops the innermost emission of the signal on the
//     calling goroutine; RunCleanup still runs.
//   - Accumulators (SIG-8): after every handler and class handler,
//     including the RunCleanup one (as GLib since 2.62); false stops the
//     emission. They get GLib's invocation hint: the detail and the stage
//     (RunFirst, RunLast, RunCleanup, with AccumulatorFirstRun on the first
//     call). Without one the result is the last value, the RunCleanup class
//     handler's excepted.
//   - Connection types (Qt SIG-10): plain Connect is DirectConnection and
//     never asks which goroutine it is on (that is a system call).
//     ConnectTo binds a Receiver and defaults to AutoConnection: direct iff
//     the emitting goroutine owns the receiver's mainloop.Context, else
//     queued; a receiver whose Context is nil lives on mainloop.Default()
//     for both (queued calls are posted there, so an auto connection is
//     direct only on the goroutine that owns it). Queued calls copy the arguments at emission, run once per
//     emission on the receiver's context in emission order, still run after
//     a plain Disconnect, and are dropped if the receiver is destroyed
//     first. BlockingQueuedConnection waits for the handler; emitting it
//     from a goroutine that owns the receiver's context would deadlock in Qt,
//     here it logs Qt's "Dead lock detected" critical and skips the handler
//     (Emit has no error result); CheckDeadlock returns ErrDeadlock before
//     an emission in exactly that case. Queued handlers' return values are
//     ignored; blocking-queued ones are accumulated.
//   - NO_RECURSE (SIG-9): after SetNoRecurse(true), an emission made while
//     one with the same detail is running (on any goroutine) does not nest:
//     it returns at once and the running emission restarts after its
//     current handler returns. object.Object's Notify is such a signal.
//   - UniqueConnection: Go funcs cannot be compared, so a unique connection
//     is identified by a comparable Options.Key given by the caller, plus
//     the receiver, the detail and the After flag; a duplicate fails with
//     ErrDuplicate, a unique connect without a key with ErrUniqueNeedsKey.
//     DisconnectKey removes connections by the same identity.
//   - SingleShotConnection: removed when an emission reaches it, before the
//     call (IsConnected is already false inside the handler); for queued
//     ones at emission time, so N emissions before the loop runs give one
//     call.
//   - Receivers (SIG-14, SIG-15): a handler bound to a receiver is
//     disconnected when the receiver is destroyed and is not called once its
//     destruction started.
//
// Not provided, because fields replace GLib's registry of named signals:
// signal names and their parsing (SIG-6 naming, SIG-14), emission hooks
// (SIG-11), g_signal_get_invocation_hint (GLib SIG-10; accumulators do
// get the hint);
// and from Qt: sender() (SIG-11), connectNotify/disconnectNotify (SIG-13),
// signal-to-signal connections (SIG-09; connect s2.Emit as a handler).
//
// Misuse logs GLib's critical through internal/logging (package "signal")
// and is refused: disconnecting or blocking an unknown id, unblocking a
// handler that is not blocked, StopEmission outside an emission, an empty
// detail. Connect errors are returned as the Err* values.
//
// # Stopping an emission
//
// StopEmission must know whether an emission of its signal is running
// (otherwise it logs GLib's critical), and which one to stop. Emissions
// are tracked by the signal itself, not found on the call stack: an
// emission on the general path counts itself while it runs, and a request
// names the goroutine that made it, so the innermost emission of the
// signal on that goroutine claims it after the handler returns. An
// emission on the fast path is not counted (counting costs more than the
// emission); once a signal has had one, a StopEmission made while none of
// its general-path emissions runs is taken as made inside a fast-path
// emission: it is not reported, and a request nobody claims does nothing.
// The first StopEmission of a signal also takes it off Emit's
// single-handler shortcut, which claims nothing; differs from GLib: that
// first request, made by the only handler of an emission nested in an
// outer emission of the same signal on the same goroutine, stops the
// outer one.
//
// # Concurrency properties
//
//  1. Every method may be called from any goroutine, including from inside
//     a handler of the same signal: connect, disconnect, block, unblock,
//     emit and stop-emission are all re-entrant.
//  2. No lock is held while a handler, class handler or accumulator runs,
//     nor while a receiver's destroy notify is added or removed.
//  3. An emission sees the handler list as it was when it started: handlers
//     connected during it are not called by it (SIG-3, Qt SIG-07).
//  4. A handler disconnected or blocked before an emission reaches it is
//     not called by that emission, whichever goroutine disconnected it and
//     as soon as Disconnect or Block has returned; one unblocked before the
//     emission reaches it is called.
//  5. Direct handlers run on the emitting goroutine, synchronously (SIG-13).
//     Emissions on several goroutines run concurrently; a handler must
//     protect its own state if its signal is emitted from several
//     goroutines.
//  6. Queued calls to one receiver context run in emission order, one per
//     emission, with the arguments as they were at emission.
//  7. A single-shot connection runs at most once, even when several
//     goroutines emit at the same time.
//  8. When Disconnect returns, no new call of the handler will start (one
//     already running on another goroutine may still be finishing).
//  9. On a NoRecurse signal at most one emission per detail runs at a
//     time, across all goroutines, and no emission is lost: one that
//     merges into the running emission of the same detail makes it run its
//     stages again before it returns, whenever it arrives (SIG-9).
//  10. StopEmission only stops an emission running on the goroutine that
//     called it (the innermost one of that signal there); emissions on
//     other goroutines go on.
//  11. Connect and Disconnect hold the signal's lock for O(1) amortised
//     work; Emit takes no lock and allocates nothing.
//
// # Panics
//
// A panicking handler is not recovered: the panic unwinds through Emit to
// the emitter, like any function call, and the rest of that emission is
// abandoned. The signal stays usable, because an emission keeps its state on
// its own stack and holds no lock while handlers run (a NoRecurse
// emission unregisters itself while the panic unwinds); a single-shot
// connection that panicked stays removed. A panic in a queued handler
// unwinds through the receiver context's dispatch (see package mainloop);
// a goroutine blocked in a BlockingQueuedConnection emission is released
// and the handler counts as not having run.
package signal

//go:generate go run ./internal/gen/gensignal
