// Package cancellable is GLib's GCancellable for Go, and its bridge to
// context.Context.
//
// A Cancellable is a flag that one party sets with Cancel and others watch:
// through the Cancelled signal or Connect (a handler run in the cancelling
// goroutine), a file descriptor that is readable while it is cancelled (FD,
// MakePollFD), a main-loop source that fires once per cancellation
// (NewSource), or the context.Context interface, which *Cancellable
// implements. It embeds object.Object, as GCancellable is a GObject.
//
// The design choice is to keep GLib's semantics (a reusable flag with Reset,
// handlers that run synchronously inside Cancel, CAN-1..CAN-11 in
// research/glib.md) and to meet Go half way without a goroutine per bridge:
// a Cancellable can be passed wherever a context.Context is expected (its
// AfterFunc method lets context.WithCancel and context.AfterFunc link to it
// without a goroutine), and FromContext makes a Cancellable that follows a
// context through context.AfterFunc.
//
// Cancellation errors are GLib's G_IO_ERROR_CANCELLED "Operation was
// cancelled" (ioerr.NewCancelled), which errors.Is matches against both the
// CANCELLED code sentinel and context.Canceled.
//
// # Concurrency properties
//
//  1. Every method may be called from any goroutine, and on a nil
//     *Cancellable (GLib's NULL), which is never cancelled.
//  2. Cancel emits Cancelled synchronously in the calling goroutine, at most
//     once between two Resets; concurrent Cancels emit once.
//  3. Connect runs its function exactly once per cancellation, whatever the
//     race with Cancel: either Cancel's emission calls it, or Connect calls it
//     at once (returning 0) because the cancellable is already cancelled.
//  4. After Disconnect returns, the handler never runs again: Disconnect waits
//     for an emission running on another goroutine. Reset waits likewise.
//  5. No lock is held while handlers run. Disconnect and Reset from inside a
//     handler of the same cancellable, which deadlock in GLib (CAN-5), are
//     detected: Disconnect logs a critical and disconnects without waiting,
//     Reset logs a critical and does nothing. Connect, Cancel, IsCancelled,
//     Err, MakePollFD and ReleaseFD are all safe inside a handler.
//  6. The file descriptor is readable exactly while the cancellable is
//     cancelled; Reset drains it. It is closed by the last ReleaseFD, or
//     once the cancellable is garbage collected (GLib's finalize).
//  7. A source from NewSource is dispatched by its context in an iteration
//     after the Cancel, never inside Cancel.
//  8. Races of Cancel, Reset, Connect and Disconnect from many goroutines
//     leave the cancellable consistent (CAN-10).
//  9. PushCurrent, PopCurrent and Current work on a per-goroutine stack.
//
// # Panics
//
// A handler that panics inside Cancel unwinds out of Cancel, to its caller;
// the cancellable is marked as no longer emitting first, so waiting
// Disconnects and Resets go on. Handlers that come after the panicking one
// are not called by that emission.
package cancellable
