package cancellable

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
)

const pkg = "cancellable"

// Cancellable is GCancellable: a flag that one party sets (Cancel) and others
// watch, through the Cancelled signal, Connect, a pollable file descriptor, a
// main-loop source or the context.Context interface.
//
// Multiple goroutines may invoke methods on a Cancellable simultaneously. The
// zero Cancellable is usable, as one from New is (New also sets its context
// affinity). A nil *Cancellable is valid everywhere and is never cancelled,
// as GLib accepts NULL.
type Cancellable struct {
	object.Object

	// Cancelled is the "cancelled" signal, emitted by Cancel in the
	// cancelling goroutine. Prefer Connect and Disconnect: they close the
	// race between a handler being connected and a cancel happening on
	// another goroutine, which connecting to the signal directly does not.
	Cancelled signal.Signal0

	cancelled atomic.Bool // readable without the lock; written under mu

	mu   sync.Mutex
	cond sync.Cond // signalled when an emission ends (waits on mu)
	// running is set while Cancel emits Cancelled; emitTid is the OS thread
	// the emitting goroutine is locked to for the emission, which is how a
	// Disconnect or Reset from inside a handler is recognised.
	running bool
	emitTid int
	done    chan struct{} // lazily made by Done, closed by Cancel
	doneOut bool          // Done was called since New or the last Reset
	pfd     *pollFD       // made by the first MakePollFD; its fd is valid while fdRefs > 0
	fdRefs  int
}

// New is g_cancellable_new: a Cancellable that is not cancelled. Its context
// affinity (object.Object) is the caller's context.
func New() *Cancellable {
	c := &Cancellable{}
	c.cond.L = &c.mu
	c.Init(c)
	return c
}

// IsCancelled is g_cancellable_is_cancelled. It is false for nil.
func (c *Cancellable) IsCancelled() bool {
	return c != nil && c.cancelled.Load()
}

// Err is context.Context's Err: nil while c is not cancelled, and
// context.Canceled itself (so err == context.Canceled holds) once it is. It
// is nil for a nil c. For GLib's CANCELLED error, use SetErrorIfCancelled.
func (c *Cancellable) Err() error {
	if !c.IsCancelled() {
		return nil
	}
	return context.Canceled
}

// SetErrorIfCancelled is g_cancellable_set_error_if_cancelled (CAN-2): nil
// when c is not cancelled, else GLib's CANCELLED error, a *gio.Error (an
// *ioerr.Error) with the message "Operation was cancelled", which also
// matches errors.Is(err, context.Canceled). It is nil for a nil c.
func (c *Cancellable) SetErrorIfCancelled() error {
	if !c.IsCancelled() {
		return nil
	}
	return ioerr.NewCancelled()
}

// Cancel is g_cancellable_cancel (CAN-1). The first call after New or Reset
// sets the flag, makes the file descriptor readable, closes the Done channel,
// and emits Cancelled synchronously in the calling goroutine; later calls do
// nothing until Reset. A nil c does nothing.
//
// Cancel does not hold any lock while the handlers run, so a handler may call
// any method of c; see Disconnect and Reset for the two that GLib forbids
// there. If a handler panics, the panic leaves Cancel after c has been marked
// as no longer emitting, so c stays usable.
func (c *Cancellable) Cancel() {
	if c == nil {
		return
	}
	c.mu.Lock()
	if c.cancelled.Load() {
		c.mu.Unlock()
		return
	}
	c.cancelled.Store(true)
	if c.fdRefs > 0 {
		wakeupSignal(c.pfd.get())
	}
	if c.done != nil {
		close(c.done)
		c.done = nil
	}
	// Pin the goroutine to its thread for the emission so that its thread id
	// identifies it: only a pinned goroutine runs on a pinned thread.
	runtime.LockOSThread()
	c.running = true
	c.emitTid = unix.Gettid()
	c.mu.Unlock()

	defer func() {
		c.mu.Lock()
		c.running = false
		c.emitTid = 0
		c.cond.Broadcast()
		c.mu.Unlock()
		runtime.UnlockOSThread()
	}()
	c.Cancelled.Emit()
}

// insideEmission reports whether the caller is a Cancelled handler running
// inside c's emission. c.mu must be held.
func (c *Cancellable) insideEmission() bool {
	if !c.running {
		return false
	}
	runtime.LockOSThread()
	inside := unix.Gettid() == c.emitTid
	runtime.UnlockOSThread()
	return inside
}

// waitEmission waits until no emission of Cancelled is running. It returns
// false, without waiting, when the caller is itself inside that emission.
// c.mu must be held.
func (c *Cancellable) waitEmission() bool {
	if c.insideEmission() {
		return false
	}
	if c.cond.L == nil {
		c.cond.L = &c.mu // a zero Cancellable, not made by New
	}
	for c.running {
		c.cond.Wait()
	}
	return true
}

// Reset is g_cancellable_reset (CAN-6): it clears the flag, so that c can be
// cancelled (and emit) again, and makes the file descriptor unreadable. If a
// Cancel is emitting on another goroutine, Reset waits for it to finish.
// GLib's documentation advises making a new Cancellable instead.
//
// For context users, Reset starts a new context: Err is nil again and Done
// returns a new, open channel, but a Done channel handed out before stays
// closed (a closed channel cannot reopen) and children made with
// context.WithCancel(c) stay cancelled. Someone still holding such a
// channel would see "done" with a nil Err, which the context.Context
// contract forbids, so resetting a cancelled c whose Done was called since
// the last Reset logs a critical. Make a new Cancellable instead when c has
// been given to context users.
//
// Differs from GLib: Reset from inside a Cancelled handler of c deadlocks in
// GLib; here it logs a critical and does nothing. A zero Cancellable is
// usable: Reset of one that was never cancelled does nothing.
func (c *Cancellable) Reset() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.waitEmission() {
		logging.Critical(pkg, "g_cancellable_reset: called from inside a \"cancelled\" handler of the same cancellable (this deadlocks in GLib); ignored")
		return
	}
	if !c.cancelled.Load() {
		return
	}
	if c.doneOut {
		logging.Critical(pkg, "g_cancellable_reset: the cancellable was used as a context.Context (Done was called): channels from Done stay closed and context children stay cancelled while Err is nil again; use a new Cancellable")
	}
	c.doneOut = false
	c.cancelled.Store(false)
	if c.fdRefs > 0 {
		wakeupAcknowledge(c.pfd.get())
	}
}

// Connect is g_cancellable_connect (CAN-3). If c is not cancelled, it
// connects fn to Cancelled and returns its id: fn runs in the cancelling
// goroutine on every later cancellation, including after a Reset, until
// Disconnect. If c is already cancelled, Connect calls fn at once, in the
// calling goroutine, and returns 0. Either way fn runs exactly once per
// cancellation, however Connect and Cancel race.
//
// For a nil c, or a nil fn, Connect returns 0 and never calls fn.
func (c *Cancellable) Connect(fn func()) signal.HandlerID {
	if c == nil {
		return 0
	}
	if fn == nil {
		logging.Critical(pkg, "g_cancellable_connect: assertion 'callback != NULL' failed")
		return 0
	}
	c.mu.Lock()
	if c.cancelled.Load() {
		c.mu.Unlock()
		fn()
		return 0
	}
	id := c.Cancelled.Connect(fn)
	c.mu.Unlock()
	return id
}

// Disconnect is g_cancellable_disconnect (CAN-4). It waits until no emission
// of Cancelled is running on another goroutine, then disconnects the handler;
// once it returns, the handler never runs again. An id of 0 or a nil c does
// nothing.
//
// Differs from GLib: from inside a Cancelled handler of c, GLib deadlocks.
// Here Disconnect logs a critical (so that code ported back to C is caught)
// and disconnects at once without waiting; the handler is not called by the
// running emission if it has not been reached yet. A handler that waits for
// another goroutine which is itself in Disconnect still deadlocks, as in
// GLib: that cannot be told apart from a handler that is merely slow.
func (c *Cancellable) Disconnect(id signal.HandlerID) {
	if c == nil || id == 0 {
		return
	}
	c.mu.Lock()
	if !c.waitEmission() {
		logging.Critical(pkg, "g_cancellable_disconnect: called from inside a \"cancelled\" handler of the same cancellable (this deadlocks in GLib); disconnected without waiting")
	}
	c.Cancelled.Disconnect(id)
	c.mu.Unlock()
}
