// Package asyncresult is GLib's GAsyncResult and GTask for Go: the contract
// every XxxAsync / XxxFinish pair in sigloop follows, and the Task type that
// implements it. Result is the light form, for operations made many times a
// second: a Task's delivery rules without its GObject, embedded in the
// operation's own state (ExampleResult).
//
// An asynchronous operation looks like
//
//	func (x *X) FooAsync(arg A, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
//		t := asyncresult.NewTask[R](x, c, cb)
//		t.SetSourceTag((*X).FooAsync)
//		t.SetPriority(prio)
//		… start the work; when done, from any goroutine: t.Return(r) or t.ReturnError(err)
//	}
//
//	func (x *X) FooFinish(res asyncresult.AsyncResult) (R, error) {
//		return asyncresult.Propagate[R](res)
//	}
//
// The design trade-off is GLib's: a callback on a main-loop context rather
// than a channel or a blocking call, so that code living on a context needs
// no locks, and the delivery rule is copied exactly because callers depend on
// it (TASK-1..TASK-17 and CAN-11 in docs/conformance/cancellable-task.md).
//
// A Task must be made with NewTask: the zero Task, and a nil *Task, log a
// critical from every method and do nothing.
//
// # Getting started
//
// The caller runs a loop on its context and starts the operation; the
// callback runs there, in a later iteration:
//
//	loop := mainloop.New(nil)
//	x.FooAsync(arg, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
//		r, err := x.FooFinish(res)
//		fmt.Println(r, err)
//		loop.Quit()
//	})
//	loop.Run()
//
// A goroutine that runs its own context pushes it first
// (ctx.PushThreadDefault()), or its callbacks go to mainloop.Default().
// Example shows a whole operation.
//
// # The delivery rule (TASK-3)
//
// The callback runs exactly once, on the context that was the caller's
// context (mainloop.ThreadDefault) when NewTask ran. It runs synchronously,
// inside Return, only if the caller of Return is dispatching a source of that
// context, in a later iteration than the one NewTask ran in (the iteration
// times compare), and the cancellable is not cancelled. Otherwise a call
// posted to that context at the task's priority (Context.Post, dispatched
// like GLib's complete-in-idle source) delivers it. Hence the callback never runs
// inside the XxxAsync call that made the task, nor inside Cancel.
//
// # Concurrency properties
//
//  1. The callback of a Task runs exactly once, on the task's context,
//     whichever goroutine returns it, and never concurrently with other
//     callbacks of that context.
//  2. It never runs inside the call that made the task, nor inside
//     Cancellable.Cancel (TASK-3, CAN-11).
//  3. A second Return or ReturnError is refused with a logged critical and
//     changes nothing; the first one wins (TASK-5).
//  4. Completed is false inside the callback; "completed" is notified right
//     after it, on the same context (TASK-2).
//  5. Tasks returned together are delivered in priority order (TASK-10).
//  6. RunInThread functions run on a bounded pool (10 at once, growing by
//     about 10 a second while saturated, shrinking back); queued ones start
//     in order: awaited by a pool function, cancelled, then by priority
//     (TASK-11). Idle pool goroutines exit after 15 s.
//  7. With return-on-cancel, a cancel completes the task at once (still on
//     its context, never inside Cancel) while the thread function keeps
//     running; SetReturnOnCancel(false) is the atomic hand-off (TASK-12).
//  8. A cancelled operation's error is GLib's CANCELLED, which errors.Is
//     matches against gio.ErrCancelled and context.Canceled.
//  9. Every method of Task may be called from any goroutine.
//
// # Panics
//
// A callback that panics unwinds into its context's dispatch (see mainloop's
// panic policy), or out of Return when it was delivered synchronously; the
// task is then not marked completed. A thread function that panics crashes
// the program, as a panic on any goroutine does.
//
// The context must keep running until its tasks complete: a task whose
// context is never iterated never calls back (GLib #2404).
package asyncresult
