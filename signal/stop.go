package signal

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/sigloop/sigloop/internal/goid"
	"github.com/sigloop/sigloop/internal/logging"
)

// Stopping an emission takes two things: knowing whether an emission of
// the signal is running at all (else StopEmission is misuse and logs
// GLib's critical), and reaching the innermost emission on the calling
// goroutine.
//
// The first is tracked explicitly. A general-path emission counts itself
// in core.active (two atomic adds, small next to that path's cost). The
// fast path cannot: those two adds cost more than calling a handler, and
// would double the cost of a plain emission (measured: 6 ns to 11 ns with
// one handler). It only sets core.fastRan, once per signal. So on a signal
// that has never run a fast-path emission the check is exact; on one that
// has, a StopEmission made while no general-path emission is running is
// taken as made inside a fast-path one: it is not reported, and a request
// nobody claims does nothing.
//
// Emit's shortest case, a signal with one plain handler, keeps nothing
// live across the handler call and so claims nothing after it: a signal
// leaves that case for good at its first StopEmission (conf.stopUsed).
// That first request, if it was made by the handler of such an emission
// nested in an outer emission of the same signal on the same goroutine, is
// left for the outer emission to claim: differs from GLib, where it stops
// only the inner emission, which has nothing left to run. Every later
// StopEmission of the signal reaches its innermost emission
// (TestStopEmissionNestedSingle_SIG7).
//
// The second needs no registry: a request records the calling goroutine's
// identity (internal/goid) and a sequence number (the signal's gen
// counter); an emission remembers gen at its start and, after each
// handler, claims a request made on its own goroutine after it started.
// Inner emissions claim first, so the innermost emission of the signal on
// the calling goroutine is the one stopped, as g_signal_stop_emission stops
// the innermost emission (SIG-7). (Where internal/goid falls back to
// thread ids, other architectures or the sigloop_threadid tag, a handler
// that moves to another thread between its StopEmission and its return
// leaves the request unclaimed: it stops nothing.)
//
// A request nobody claims (made by the only handler of an emission, which
// does not look for one, or by a stray call) stays until the list is full
// and costs nothing: maxSeq lets an emission that started after every
// pending request skip the lock.
type stopState struct {
	pending atomic.Int32
	maxSeq  atomic.Uint64 // the newest pending request's seq
	mu      sync.Mutex
	reqs    []stopReq
}

type stopReq struct {
	seq uint64
	gid int64
}

// maxStopReqs bounds requests nobody can claim.
const maxStopReqs = 64

// stopEmission: see the generated StopEmission.
func (c *core[F, R]) stopEmission() {
	if c == nil {
		return
	}
	if !c.mayBeEmitting() {
		logging.Critical(pkg, fmt.Sprintf("g_signal_stop_emission: no emission of signal %p to stop", c))
		return
	}
	c.mu.Lock()
	if !c.conf.stopUsed {
		c.conf.stopUsed = true
		c.republish()
	}
	s := c.stops.Load()
	if s == nil {
		s = new(stopState)
		c.stops.Store(s)
	}
	c.mu.Unlock()
	s.mu.Lock()
	r := stopReq{seq: c.gen.Add(1), gid: goid.ID()}
	if len(s.reqs) >= maxStopReqs {
		s.reqs = append(s.reqs[:0], s.reqs[1:]...)
	}
	s.reqs = append(s.reqs, r)
	s.pending.Store(int32(len(s.reqs)))
	s.maxSeq.Store(r.seq) // seqs grow: the newest is the largest
	s.mu.Unlock()
}

// mayBeEmitting reports whether an emission of the signal can be running
// (see the top of this file).
func (c *core[F, R]) mayBeEmitting() bool {
	return c.active.Load() > 0 || c.fastRan.Load()
}

// claim reports whether a request made on this goroutine after start is
// pending, and removes it. Only called when pending != 0.
func (s *stopState) claim(start uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	cand := false
	for _, r := range s.reqs {
		if r.seq > start {
			cand = true
			break
		}
	}
	if !cand {
		return false
	}
	gid := goid.ID()
	for i := len(s.reqs) - 1; i >= 0; i-- {
		if r := s.reqs[i]; r.seq > start && r.gid == gid {
			s.reqs = append(s.reqs[:i], s.reqs[i+1:]...)
			s.pending.Store(int32(len(s.reqs)))
			var newest uint64
			if n := len(s.reqs); n > 0 {
				newest = s.reqs[n-1].seq
			}
			s.maxSeq.Store(newest)
			return true
		}
	}
	return false
}

// stopped is the check an emission makes after each handler: only
// requests made after the emission started can be its own.
func (s *stopState) stopped(start uint64) bool {
	return s != nil && s.pending.Load() != 0 && s.maxSeq.Load() > start && s.claim(start)
}

// claimIfPending consumes a stop asked by the last handler of an
// emission, which has nothing left to stop, to keep the list short.
func (s *stopState) claimIfPending(start uint64) {
	s.stopped(start)
}
