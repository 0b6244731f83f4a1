package signal_test

import (
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/leakcheck"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/looptest"
	"github.com/sigloop/sigloop/internal/testwait"
	"github.com/sigloop/sigloop/mainloop"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// recv is a minimal signal.Receiver, standing in for object.Object (which
// imports this package).
type recv struct {
	ctx  *mainloop.Context
	dead atomic.Bool
	mu   sync.Mutex
	next int
	fns  map[int]func()
}

func newRecv(ctx *mainloop.Context) *recv { return &recv{ctx: ctx, fns: map[int]func(){}} }

func (r *recv) MainContext() *mainloop.Context { return r.ctx }
func (r *recv) IsDestroyed() bool              { return r.dead.Load() }
func (r *recv) AddDestroyNotify(fn func()) func() {
	r.mu.Lock()
	if r.dead.Load() {
		r.mu.Unlock()
		fn()
		return func() {}
	}
	r.next++
	id := r.next
	r.fns[id] = fn
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		delete(r.fns, id)
		r.mu.Unlock()
	}
}

func (r *recv) notifies() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.fns)
}

func (r *recv) destroy() {
	r.mu.Lock()
	r.dead.Store(true)
	var ids []int
	for id := range r.fns {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	var fns []func()
	for _, id := range ids {
		fns = append(fns, r.fns[id])
	}
	r.fns = map[int]func(){}
	r.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// owner is a minimal signal.Owner.
type owner struct{ blocked atomic.Bool }

func (o *owner) SignalsBlocked() bool { return o.blocked.Load() }

// loop, on and pump are the shared test helpers (internal/looptest).
func loop(t *testing.T) *mainloop.Context { return looptest.Run(t) }

func on(ctx *mainloop.Context, fn func()) { looptest.On(ctx, fn) }

// pump runs ctx's pending work on the calling goroutine.
func pump(ctx *mainloop.Context) { looptest.Pump(ctx) }

// pumpedRecv is a receiver on a new context that no loop runs: its queued
// calls run when the test pumps the context.
func pumpedRecv() (*mainloop.Context, *recv) {
	ctx := mainloop.NewContext()
	return ctx, newRecv(ctx)
}

// asDefaultOwner runs fn on a new goroutine that owns mainloop.Default() for
// the time of the call, as a GLib thread iterating the default context
// does, and waits for it; the test fails if Default is busy or fn does not
// return within 20 s. Default is released before asDefaultOwner returns, so the
// caller (or the next test) may acquire it.
func asDefaultOwner(t *testing.T, fn func()) {
	t.Helper()
	done := make(chan bool, 1)
	go func() {
		d := mainloop.Default()
		if !d.Acquire() {
			done <- false
			return
		}
		defer func() {
			d.Release()
			done <- true
		}()
		fn()
	}()
	if !testwait.Recv(t, done, 20*time.Second, "the call on the default context") {
		t.Fatal("default context busy")
	}
}

// criticals runs fn with logging captured and returns how many criticals
// containing substr it logged, and everything it logged; the capture ends
// also when fn stops the test (t.Fatal).
func criticals(substr string, fn func()) (n int, recs []logging.Record) {
	c := logging.StartCapture()
	defer func() {
		recs = c.Stop()
		n = c.Count("critical", substr)
	}()
	fn()
	return
}
