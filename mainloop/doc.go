// Package mainloop is GLib's main event loop in Go: Context (GMainContext),
// Loop (GMainLoop, and Qt's QEventLoop with Exec/Exit) and Source
// (GSource), with idle, timeout, fd-watch and Unix-signal sources, plus
// Qt's QTimer::singleShot (SingleShot). The QTimer object itself is
// object.Timer (it is an Object with a signal, which live above this
// package).
//
// # Getting started
//
//	ctx := mainloop.NewContext() // or mainloop.Default()
//	loop := mainloop.New(ctx)
//	tick := mainloop.NewTimeoutSource(time.Second)
//	tick.SetCallback(func() bool { fmt.Println("tick"); return mainloop.SourceContinue })
//	tick.Attach(ctx)
//	ctx.Post(mainloop.PriorityDefault, func() { fmt.Println("on the loop") })
//	go ctx.Invoke(func() { loop.Exit(3) }) // from any goroutine
//	code := loop.Exec()                    // 3; or loop.Run(), ended by loop.Quit()
//
// A callback returns SourceContinue to keep its source, SourceRemove to
// drop it. Work for a context from another goroutine goes through Invoke
// (run now where allowed, else queued) or Post (always queued).
//
// Everything else in sigloop stands on it: objects have a Context affinity,
// queued signal connections and async completions are Invoke calls onto a
// Context, and "the caller's context" is ThreadDefault.
//
// A Context holds sources. One goroutine at a time owns it (Acquire,
// Iteration, Loop.Run, PushThreadDefault) and dispatches its ready sources in
// priority order, lower numbers first: PriorityHigh (-100), PriorityDefault
// (0), PriorityHighIdle (100), PriorityDefaultIdle (200), PriorityLow (300).
// The rules are GLib's gmain.c ones, numbered ML-1..ML-20 in sigloop's
// research notes; the tests name them.
//
// # The caller's context
//
// ThreadDefault returns the context whose dispatch is running on the calling
// goroutine, or the one it pushed with PushThreadDefault, whichever it entered
// last, else Default(). Go has no thread-locals, so sigloop keeps this state
// per goroutine: ownership and the thread-default stack belong to the
// goroutine that acquired or pushed, identified by its runtime g (see
// internal/goid; on other architectures by its locked OS thread's id). A
// goroutine must release what it acquired and pop what it pushed before it
// exits, as a GLib thread must.
//
// # Blocking and wakeups
//
// Each Context has one epoll instance and one eventfd (closed when the
// Context becomes unreachable). The owner waits for the nearest ready time
// or a wakeup on a channel while it watches no descriptor, and by parking in
// Go's netpoller on the epoll descriptor while it does, so a waiting loop
// holds no OS thread and no P. Wakeups from other goroutines (Wakeup,
// Invoke, Attach, SetReadyTime, Quit) are coalesced into one until the owner
// has seen it, and take no system call. A descriptor watched again soon
// after its last watch went keeps its epoll registration, and prepare and
// check visit only the sources that have Prepare, Check, a ready time or
// children, so idle fd sources cost nothing per iteration. There is no
// goroutine per Context or per Source; Unix signals are received by one
// process-wide goroutine, started on first use.
//
// # Concurrency properties
//
//  1. Callbacks dispatched by one Context never run concurrently with each
//     other; they run on the goroutine that owns the Context.
//  2. In one iteration, every ready source of the best ready priority is
//     dispatched, in attach order (a child just before its parent), and
//     nothing of a lower priority (ML-2). The list is fixed before the first
//     callback: sources attached or made ready during dispatch wait for the
//     next iteration, sources destroyed by an earlier callback are skipped
//     (ML-4).
//  3. A source is not dispatched again while its callback runs (a nested
//     loop skips it), unless SetCanRecurse(true) (ML-8).
//  4. Invoke from the owning goroutine runs fn at once. From another
//     goroutine it queues fn, except that a goroutine that owns nothing
//     and pushed nothing (every worker goroutine) runs fn right there, with
//     the context acquired, when that context is Default() and momentarily
//     free: GLib's rule for a thread whose thread-default is the global
//     default (ML-18); use Post to always queue. Queued calls run in the
//     order they were queued, at their priority (PriorityDefault for
//     Invoke, ML-1, ML-18), all those queued before an iteration's check in
//     that iteration, later ones in a later iteration.
//  5. A wakeup (Wakeup, Invoke, Attach, SetReadyTime or Quit from another
//     goroutine) makes the current or next blocking poll return (ML-12).
//  6. Every exported function and method may be called from any goroutine.
//     Prepare, Check, Dispatch and Finalize functions and callbacks run with
//     no sigloop lock held, so they may call anything, including Destroy on
//     their own source and nested Iteration or Run (ML-9).
//  7. Iteration with mayBlock and Run wait for ownership if another
//     goroutine owns the Context; two goroutines running loops on one
//     Context take turns (ML-11).
//  8. Quit and Exit work from any goroutine and return at once; the Run or
//     Exec they end returns after its current iteration (EVL-02). LoopLevel
//     and Depth describe only the calling goroutine.
//
// # Qt's event loop
//
// Loop.Exec and Loop.Exit are QEventLoop::exec and exit: Exec returns the
// code given to Exit (0 for Quit); an Exit before Exec is lost; a loop can
// be executed again; a second Exec of a running loop returns -1 with Qt's
// warning (EVL-01..03). LoopLevel counts the Run/Exec calls running on the
// calling goroutine (Qt's loop level), which object.DeleteLater uses for
// Qt's deferred-delete rule. Context.Iteration(false) is
// QEventLoop::processEvents (EVL-04); Context.Post is
// QCoreApplication::postEvent: FIFO within a priority, better priorities
// first.
//
// # Panics
//
// A panic in a callback (or in Prepare, Check, Dispatch) propagates out of
// Iteration or Run, and out of every nested loop on the way, after the
// Context's state is made consistent: the source is unblocked and kept
// (not destroyed), the depth and caller's context are restored, ownership
// taken by Iteration or Run is released and the Loop is no longer running.
// Queued Invoke calls after the panicking one stay queued. The Context can be
// iterated again.
//
// sigloop itself does not panic on bad input: a method called on a nil
// *Source logs GLib's "assertion 'source != NULL' failed" critical and
// returns what GLib's g_return_val_if_fail returns (IsDestroyed true,
// ReadyTime -1, otherwise the zero value); a nil *Loop does the same with
// "'loop != NULL'"; a nil *Context is Default(), as GLib's NULL context.
//
// # Differences from GLib
//
//   - Queued Invoke calls are not one idle source each: one internal queue
//     per priority is dispatched after the other sources ready at that
//     priority in the same iteration. Order among the calls, priority, and
//     nested-loop behaviour are GLib's.
//   - ThreadDefault is also the context being dispatched, not only the one
//     pushed (sigloop's definition of the caller's context).
//   - Source ids wrap at 2^32-1 as GLib's guint ids do.
//   - Contexts and sources are garbage collected, not reference counted: a
//     Context that becomes unreachable, with its sources, is freed with
//     them (its epoll and eventfd descriptors closed), but their Finalize
//     functions do not run; Finalize runs only after Destroy
//     (/mainloop/unref-while-pending, TestUnrefWhilePending_ML19).
//   - When the last Unix signal source for a signal is destroyed, the
//     signal is handled as it was before (Go's default), not reset to the C
//     default: SIGUSR1 and SIGUSR2 are then ignored, not fatal (see
//     NewUnixSignalSource).
//   - The zero Context is usable (it sets itself up at first use); the
//     zero Loop runs on Default(); the zero Source is refused by Attach.
//   - A regular file, which epoll refuses, is reported readable and writable
//     as poll(2) would; closing a watched descriptor without removing the
//     watch is not reported as IONval (epoll forgets it); a descriptor that
//     is not open when watched is.
package mainloop
