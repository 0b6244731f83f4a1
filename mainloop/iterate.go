package mainloop

import (
	"math"

	"github.com/sigloop/sigloop/internal/logging"
)

// iterate runs one iteration: prepare, poll, check and (if dispatch)
// dispatch, as g_main_context_iterate does. The caller owns c.
func (c *Context) iterate(block, dispatch bool, ts *threadState) bool {
	c.mu.Lock()
	if c.inPrepareOrCheck > 0 {
		c.mu.Unlock()
		logging.Warning(pkg, "g_main_context_iterate(): called recursively from within a source's check() or prepare() member, iteration not possible.")
		return false
	}
	maxPrio, timeout := c.prepare()
	if timeout != 0 {
		// The poll may wait: check reads the clock again. As GLib's
		// query decides it, from the sources' timeout, before a
		// non-blocking iteration sets it to 0.
		c.timeFresh = false
	}
	if !block {
		timeout = 0
	}
	c.pollFDs(timeout)
	n := c.check(maxPrio)
	if dispatch && n > 0 {
		c.dispatch(ts)
	}
	c.mu.Unlock()
	return n > 0
}

// markReady sets the ready flag on s and its ancestors (ML-16).
func markReady(s *Source) {
	for ; s != nil; s = s.parent {
		s.ready = true
	}
}

// prepare is g_main_context_prepare: it asks each source, in priority order,
// whether it is ready and how long the poll may wait, and stops looking at
// lower priorities once one is ready (ML-2). c.mu is held.
func (c *Context) prepare() (maxPrio int, timeoutUS int64) {
	c.timeFresh = false
	// A nested iteration takes over: the outer one's undispatched sources
	// keep their ready flag and are dispatched here (as in GLib).
	for i, pd := range c.pending {
		if pd.s != nil && pd.s.ready {
			c.activate(pd.s) // ready still: prepare must see it
		}
		c.pending[i] = pendingDispatch{}
	}
	c.pending = c.pending[:0]

	maxPrio = math.MaxInt
	timeoutUS = -1
	for pl := c.prioAfter(math.MinInt); pl != nil; pl = c.prioAfter(pl.prio) {
		if pl.prio > maxPrio {
			break
		}
		for _, s := range c.snapshot(pl, false) {
			if s.destroyed.Load() || s.blockCount > 0 {
				continue
			}
			if !s.needsScan() {
				c.deactivate(s) // a ready time or the ready flag went
				continue
			}
			if !s.ready {
				ready := false
				t := int64(-1)
				if s.funcs.Prepare != nil {
					var d int64
					ready, d = c.callPrepare(s)
					t = d
				}
				if !ready && s.readyTime != -1 {
					if now := c.now(); s.readyTime <= now {
						ready = true
					} else if rt := s.readyTime - now; t < 0 || rt < t {
						t = rt
					}
				}
				if ready {
					markReady(s)
				}
				if t >= 0 && (timeoutUS < 0 || t < timeoutUS) {
					timeoutUS = t
				}
			}
			if s.ready {
				timeoutUS = 0
				maxPrio = pl.prio
			}
		}
		if pl.inv != nil && pl.inv.hasWork() && pl.prio <= maxPrio {
			timeoutUS = 0
			maxPrio = pl.prio
		}
	}
	clear(c.scratch[:cap(c.scratch)]) // the whole array: an earlier, longer priority list left sources past len
	return maxPrio, timeoutUS
}

func (c *Context) callPrepare(s *Source) (ready bool, timeoutUS int64) {
	c.leaveForCall()
	ok := false
	defer c.backFromCall(&ok)
	r, d := s.funcs.Prepare(s)
	ok = true
	timeoutUS = -1
	if d >= 0 {
		timeoutUS = (d.Nanoseconds() + 999) / 1000
	}
	return r, timeoutUS
}

func (c *Context) callCheck(s *Source) bool {
	c.leaveForCall()
	ok := false
	defer c.backFromCall(&ok)
	r := s.funcs.Check(s)
	ok = true
	return r
}

// leaveForCall unlocks c around a source's prepare or check function
// (counted in inPrepareOrCheck); the deferred backFromCall locks it again
// and, if the function panicked (ok still false), leaves it unlocked for
// the panic to go on.
func (c *Context) leaveForCall() {
	c.inPrepareOrCheck++
	c.mu.Unlock()
}

func (c *Context) backFromCall(ok *bool) {
	c.mu.Lock()
	c.inPrepareOrCheck--
	if !*ok {
		c.mu.Unlock()
	}
}

// check is g_main_context_check: it builds the dispatch list, which holds the
// ready sources of the numerically smallest ready priority, in list order
// (ML-2). It returns their number. c.mu is held.
func (c *Context) check(prepMax int) int {
	c.collectHits()
	n := 0
	maxPrio := prepMax
	for pl := c.prioAfter(math.MinInt); pl != nil; pl = c.prioAfter(pl.prio) {
		if n > 0 && pl.prio > maxPrio {
			break
		}
		for _, s := range c.snapshot(pl, true) {
			if s.destroyed.Load() || s.blockCount > 0 {
				continue
			}
			if !s.ready {
				r := false
				if s.funcs.Check != nil {
					r = c.callCheck(s)
				}
				// Like GLib, only fds of sources at or above the
				// priority prepare settled on count as polled.
				if !r && pl.prio <= prepMax {
					for _, t := range s.fds {
						if t.revents != 0 {
							r = true
							break
						}
					}
				}
				if !r && s.readyTime != -1 && s.readyTime <= c.now() {
					r = true
				}
				if r {
					markReady(s)
				}
			}
			if s.ready && !s.destroyed.Load() {
				c.pending = append(c.pending, pendingDispatch{s: s})
				maxPrio = pl.prio
				n++
			}
		}
		if inv := pl.inv; inv != nil && inv.hasWork() && (n == 0 || pl.prio <= maxPrio) {
			c.pending = append(c.pending, pendingDispatch{s: inv.src, limit: inv.seq})
			maxPrio = pl.prio
			n++
		}
	}
	clear(c.scratch[:cap(c.scratch)]) // the whole array: an earlier, longer priority list left sources past len
	clear(c.hits)
	c.hits = c.hits[:0]
	return n
}

// dispatch is g_main_dispatch: it runs the dispatch list. A source destroyed
// by an earlier callback is skipped (ML-4). c.mu is held.
func (c *Context) dispatch(ts *threadState) {
	for i := 0; i < len(c.pending); i++ {
		pd := c.pending[i]
		if pd.s == nil {
			continue
		}
		c.pending[i] = pendingDispatch{}
		s := pd.s
		s.ready = false
		if s.destroyed.Load() {
			continue
		}
		c.dispatchOne(s, pd.limit, ts)
	}
	c.pending = c.pending[:0]
}

// dispatchOne runs one source's dispatch function with c.mu released. While
// it runs the source is blocked unless it can recurse (ML-8), the caller's
// context is c and the depth is one more. If the callback panics, the state
// is restored, c.mu is left unlocked and the panic goes on.
func (c *Context) dispatchOne(s *Source, limit uint64, ts *threadState) {
	cb := s.callback
	wasInCall := s.inCall
	s.inCall = true
	blocked := !s.canRecurse
	if blocked {
		c.block(s)
	}
	s.dispatching++
	c.dispatching++
	s.invLimit = limit
	c.mu.Unlock()

	prevCur := ts.current
	ts.current = s
	ts.depth++
	ts.stack = append(ts.stack, stackEntry{ctx: c})

	keep := true
	done := false
	defer func() {
		ts.stack[len(ts.stack)-1] = stackEntry{}
		ts.stack = ts.stack[:len(ts.stack)-1]
		ts.depth--
		ts.current = prevCur
		c.mu.Lock()
		c.dispatching--
		s.dispatching--
		s.inCall = wasInCall
		if blocked {
			c.unblock(s)
		}
		if !s.inActive && s.needsScan() {
			c.activate(s) // e.g. a ready time set by its own dispatch
		}
		var finBuf [2]*Source // s and a child, without an allocation
		fin := finBuf[:0]
		if done && !keep && !s.destroyed.Load() {
			fin = c.destroyLocked(s, fin)
		}
		if s.destroyed.Load() && s.dispatching == 0 && !s.finalized {
			s.finalized = true
			fin = append(fin, s)
		}
		if len(fin) > 0 || !done {
			c.mu.Unlock()
			runFinalizers(fin)
			if done {
				c.mu.Lock()
			}
		}
	}()
	keep = s.funcs.Dispatch(s, cb)
	done = true
}

// block keeps s and its children out of prepare, check, poll and dispatch
// (ML-8). c.mu is held.
func (c *Context) block(s *Source) {
	s.blockCount++
	for _, t := range s.fds {
		if t.entry != nil {
			c.markDirty(t.entry)
		}
	}
	for _, ch := range s.children {
		c.block(ch)
	}
}

func (c *Context) unblock(s *Source) {
	s.blockCount--
	for _, t := range s.fds {
		if t.entry != nil {
			c.markDirty(t.entry)
		}
	}
	for _, ch := range s.children {
		c.unblock(ch)
	}
}

func runFinalizers(fin []*Source) {
	for _, s := range fin {
		if s.handler != nil {
			s.handler.Finalize(s)
		} else if s.funcs.Finalize != nil {
			s.funcs.Finalize(s)
		}
	}
}
