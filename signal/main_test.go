package signal_test

import (
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sigloop/sigloop/internal/leakcheck"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/looptest"
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

// loop and on are the shared test helpers (internal/looptest).
func loop(t *testing.T) *mainloop.Context { return looptest.Run(t) }

func on(ctx *mainloop.Context, fn func()) { looptest.On(ctx, fn) }

// criticals runs fn with logging captured and returns how many criticals
// containing substr it logged, and everything it logged.
func criticals(substr string, fn func()) (int, []logging.Record) {
	c := logging.StartCapture()
	fn()
	recs := c.Stop()
	return c.Count("critical", substr), recs
}
