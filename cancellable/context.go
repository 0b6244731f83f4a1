package cancellable

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/signal"
)

// A *Cancellable is a context.Context: Done is closed and Err is
// context.Canceled while it is cancelled, and it has no deadline and no
// values. Because it has
// an AfterFunc method, the context package (context.WithCancel,
// context.AfterFunc, …) links children to it without starting a goroutine.
var _ context.Context = (*Cancellable)(nil)

var closedChan = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

// Deadline is context.Context's Deadline: a Cancellable has none.
func (c *Cancellable) Deadline() (deadline time.Time, ok bool) { return time.Time{}, false }

// Done is context.Context's Done: a channel that is closed when c is
// cancelled. After Reset, Done returns a new, open channel (channels handed
// out before stay closed; see Reset). For a nil c it returns nil: never
// done.
func (c *Cancellable) Done() <-chan struct{} {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.doneOut = true
	if c.cancelled.Load() {
		return closedChan
	}
	if c.done == nil {
		c.done = make(chan struct{})
	}
	return c.done
}

// Value is context.Context's Value: a Cancellable carries no values.
func (c *Cancellable) Value(key any) any { return nil }

// AfterFunc arranges for f to be called once, when c is next cancelled, as
// context.AfterFunc does for a context; the context package uses it to link
// children of c without a goroutine. It returns stop, which unlinks f: stop
// returns true if it kept f from running, false if f has already been
// started or stopped.
//
// If c is cancelled later, f runs synchronously in the goroutine that calls
// Cancel, like a Cancelled handler (so children made with context.WithCancel
// are cancelled by the time Cancel returns). If c is already cancelled, f
// runs at once in a new goroutine (as context.AfterFunc does; the context
// package calls AfterFunc under a lock that f takes). A nil c is never
// cancelled, so f never runs. A nil f logs a critical (it would otherwise
// panic later, inside someone's Cancel); its stop returns false.
func (c *Cancellable) AfterFunc(f func()) (stop func() bool) {
	const (
		armed = iota
		started
		stopped
	)
	var state atomic.Int32
	stopFn := func(disconnect func()) func() bool {
		return func() bool {
			if !state.CompareAndSwap(armed, stopped) {
				return false
			}
			if disconnect != nil {
				disconnect()
			}
			return true
		}
	}
	if f == nil {
		logging.Critical(pkg, "cancellable.AfterFunc: assertion 'f != nil' failed")
		state.Store(stopped)
		return stopFn(nil)
	}
	if c == nil {
		return stopFn(nil)
	}
	c.mu.Lock()
	if c.cancelled.Load() {
		c.mu.Unlock()
		state.Store(started)
		go f()
		return stopFn(nil)
	}
	// The handler reads id only after Cancel has taken c.mu, which happens
	// after the assignment below.
	var id signal.HandlerID
	id = c.Cancelled.Connect(func() {
		if state.CompareAndSwap(armed, started) {
			c.Cancelled.Disconnect(id)
			f()
		}
	})
	c.mu.Unlock()
	// Disconnect on the signal, not c.Disconnect: stop must not wait for a
	// running emission (it may be called from inside f, or from a handler).
	return stopFn(func() { c.Cancelled.Disconnect(id) })
}

// Follow makes c cancelled, once, when ctx is done (the first time, for a
// Cancellable ctx that is Reset), using context.AfterFunc: no
// goroutine waits for ctx. If ctx is already done, c is cancelled before
// Follow returns. If ctx is itself a *Cancellable, c is cancelled
// synchronously inside its Cancel (as a Cancelled handler); otherwise
// context.AfterFunc cancels c on a new goroutine once ctx is done. It is how
// FromContext links a Cancellable to its parent. stop unlinks them and
// reports whether it did so before ctx was done. If ctx can never be done
// (Done() == nil), nothing is linked and stop returns false.
func (c *Cancellable) Follow(ctx context.Context) (stop func() bool) {
	if c == nil || ctx == nil {
		return func() bool { return false }
	}
	if p, ok := ctx.(*Cancellable); ok {
		if p == nil {
			return func() bool { return false }
		}
		if p.IsCancelled() {
			c.Cancel() // not on AfterFunc's goroutine: cancelled on return
			return func() bool { return false }
		}
		return p.AfterFunc(c.Cancel)
	}
	if ctx.Done() == nil {
		return func() bool { return false }
	}
	if ctx.Err() != nil {
		// Already done: cancel now rather than on context.AfterFunc's
		// goroutine, so that c is cancelled when Follow returns.
		c.Cancel()
		return func() bool { return false }
	}
	return context.AfterFunc(ctx, c.Cancel)
}

// FromContext returns a new Cancellable that is cancelled when ctx is done
// (it Follows ctx). A *Cancellable ctx is returned as it is; a nil ctx, or
// one that is never done, gives a Cancellable only Cancel can cancel.
//
// The link lasts until ctx is done: while ctx lives, it keeps the Cancellable
// reachable. Use New and Follow to be able to unlink it earlier.
func FromContext(ctx context.Context) *Cancellable {
	if c, ok := ctx.(*Cancellable); ok && c != nil {
		return c
	}
	c := New()
	c.Follow(ctx)
	return c
}
