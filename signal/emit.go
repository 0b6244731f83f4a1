package signal

import (
	"fmt"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
)

// Accumulator is GSignalAccumulator for a signal returning R: it is called
// after every handler and class handler that returned a value, with the
// invocation hint, the value accumulated so far (R's zero value at first)
// and the new one; it returns the new accumulated value and whether the
// emission continues (SIG-8). The RunCleanup class handler's value is
// accumulated too, as GLib does since 2.62 (its false return has nothing
// left to stop). TrueHandled and FirstWins are GLib's two stock
// accumulators. A nil Accumulator is none: the result is the last value
// returned. It runs on the emitting goroutine, like the handlers;
// one set on a signal emitted from several goroutines must be safe for
// that.
type Accumulator[R any] func(hint InvocationHint, acc, v R) (R, bool)

// InvocationHint is GSignalInvocationHint as an accumulator sees it: the
// emission's detail and the stage that produced the value, so that GLib
// accumulators that read ihint->run_type port as written (SIG-8). RunType
// is RunFirst while the RunFirst class handler and the normal handlers run,
// RunLast for the RunLast class handler and the after-handlers, RunCleanup
// for the RunCleanup class handler, or-ed with AccumulatorFirstRun on the
// accumulator's first call of the emission, whatever the stage. Its zero
// value is a hint for no stage. It is a plain value, passed by copy.
// Differs from GLib: there is no signal id (a signal is a field, not a
// registered name).
type InvocationHint struct {
	Detail  string
	RunType RunStage
}

// TrueHandled is g_signal_accumulator_true_handled: the result is the last
// value, and the first true stops the emission.
func TrueHandled(_ InvocationHint, acc, v bool) (bool, bool) { return v, !v }

// FirstWins returns g_signal_accumulator_first_wins for R: the first value
// returned is the result, and the emission stops there.
func FirstWins[R any]() Accumulator[R] {
	return func(_ InvocationHint, _, v R) (R, bool) { return v, false }
}

// accumulate gives v to acc (SIG-8), with the hint, which loses
// AccumulatorFirstRun after the first call; it reports whether the
// emission goes on.
func accumulate[R any](acc Accumulator[R], hint *InvocationHint, res *R, v R) bool {
	var cont bool
	*res, cont = acc(*hint, *res, v)
	hint.RunType &^= AccumulatorFirstRun
	return cont
}

// snapshot starts an emission: it reads gen, then the snapshot (gen
// first: see core.gen).
func (c *core[F, R]) snapshot() (uint64, *list[F]) {
	g0 := c.gen.Load()
	return g0, c.l.Load()
}

// mode is the way Emit runs l: l.mode, or modeChecked for a fast or owned
// one while a handler is blocked (modeOne is republished by Block);
// modeNone for no snapshot.
func (c *core[F, R]) mode(l *list[F]) emitMode {
	if l == nil {
		return modeNone
	}
	if m := l.mode; m-modeOwned >= 2 || c.nblocked.Load() == 0 { // not modeOwned or modeFast
		return m
	}
	return modeChecked
}

// begin is snapshot and mode. These three are small enough to be inlined
// in the generated Emit.
func (c *core[F, R]) begin() (uint64, *list[F], emitMode) {
	g0, l := c.snapshot()
	return g0, l, c.mode(l)
}

// emitChecked runs the plain handlers l.fns[i:] of an emission that began
// (core.begin) with gen at g0, checking before each call what Emit's
// unchecked loop does not: a StopEmission of this emission (SIG-7), a
// handler disconnected or blocked (SIG-4, SIG-5); it applies the
// accumulator (SIG-8) and claims a stop asked by the last handler. With i
// 0 it is the whole emission, and also checks the owner (SIG-12); else it
// takes over from Emit's loop, which left at handler i when gen moved, with
// res the last value returned. call runs a handler with the emission's
// arguments.
func (c *core[F, R]) emitChecked(l *list[F], i int, g0 uint64, call func(F) R, res R) R {
	if !c.fastRan.Load() {
		c.markFastRan() // see stop.go
	}
	var acc Accumulator[R]
	if i == 0 {
		if l.blocked() {
			return res
		}
		acc = c.accumulator()
	}
	hint := InvocationHint{RunType: RunFirst | AccumulatorFirstRun}
	for ; i < len(l.fns); i++ {
		if c.stops.Load().stopped(g0) {
			return res
		}
		if l.hs[i].state.Load() != 0 {
			continue
		}
		if v := call(l.fns[i]); acc == nil {
			res = v
		} else if !accumulate(acc, &hint, &res, v) {
			break
		}
	}
	if c.gen.Load() != g0 {
		c.stops.Load().claimIfPending(g0) // a stop asked by the last handler
	}
	return res
}

// emitSlow runs a full emission of c's current snapshot in GLib's order
// (SIG-1): RUN_FIRST class handler, normal handlers, RUN_LAST class
// handler, after-handlers, RUN_CLEANUP class handler. call invokes a
// handler with the emission's arguments; post returns a call with the
// arguments copied, for queued connections. Without an accumulator the
// result is the last value returned (SIG-8). A nil c (a nil signal) runs
// nothing.
func emitSlow[F, R any](c *core[F, R], detail string, call func(F) R, post func(F) func() R) R {
	l := c.load()
	if l == nil {
		return *new(R)
	}
	acc := c.accumulator()
	// Counted for StopEmission (stop.go), also when a handler panics.
	c.active.Add(1)
	defer c.active.Add(-1)
	if !l.noRecurse {
		res, _ := emitRun(c, l, detail, call, post, acc, nil, *new(R))
		return res
	}
	return emitNoRecurse(c, l, detail, call, post, acc)
}

// emitNoRecurse is an emission of a NoRecurse signal (SIG-9): it merges
// into a running emission of the same detail, or runs, restarting while
// emissions merge into it.
func emitNoRecurse[F, R any](c *core[F, R], l *list[F], detail string, call func(F) R, post func(F) func() R, acc Accumulator[R]) (res R) {
	if l.blocked() {
		return res
	}
	e := c.enterEmission(detail)
	if e == nil {
		return res
	}
	done := false
	defer func() {
		if !done { // a handler panicked: the signal must not stay "running"
			c.mu.Lock()
			c.leaveLocked(e)
			c.mu.Unlock()
		}
	}()
	for {
		res, _ = emitRun(c, l, detail, call, post, acc, e, res)
		if !c.finishEmission(e) {
			done = true
			return res
		}
		if l = c.load(); l == nil {
			l = new(list[F]) // every handler went away: the restart runs nothing
		}
	}
}

// emitRun is one run of the emission's stages. With e (NoRecurse) it
// returns early, restart true, when a merged emission asked for a restart
// during the last call; the RunCleanup stage is skipped then, as GLib's
// EMIT_RESTART does. res is the value accumulated so far (kept across
// restarts, as GLib keeps its accumulator).
func emitRun[F, R any](c *core[F, R], l *list[F], detail string, call func(F) R, post func(F) func() R, acc Accumulator[R], e *emission, res R) (R, bool) {
	if l.blocked() {
		return res, false
	}
	start := c.gen.Load()
	stopped := false
	hint := InvocationHint{Detail: detail, RunType: RunFirst | AccumulatorFirstRun}
	// again is checked after every call: a stop first (GLib's order), which
	// drops a restart asked before it, then a restart.
	again := func() bool {
		if e == nil {
			return false
		}
		if stopped {
			e.restart.Store(false)
			return false
		}
		return e.restart.Load()
	}
	took := func(v R) {
		if acc == nil {
			res = v
		} else if !accumulate(acc, &hint, &res, v) {
			stopped = true
		}
	}
	if l.hasClass && l.classStage&RunFirst != 0 {
		took(call(l.class))
		stopped = c.stops.Load().stopped(start) || stopped
		if again() {
			return res, true
		}
	}
	for pass := 0; pass < 2 && !stopped; pass++ {
		after := pass == 1
		if after {
			hint.RunType = hint.RunType&AccumulatorFirstRun | RunLast
		}
		if after && l.hasClass && l.classStage&RunLast != 0 {
			took(call(l.class))
			stopped = c.stops.Load().stopped(start) || stopped
			if again() {
				return res, true
			}
			if stopped {
				break
			}
		}
		if after && l.after == 0 || !after && l.after == l.live {
			continue // no handler for this stage
		}
		for _, h := range l.hs {
			if h.after != after || h.state.Load() != 0 || (h.detail != "" && h.detail != detail) {
				continue
			}
			if h.recv != nil && h.recv.IsDestroyed() {
				continue // SIG-15: nothing runs on a receiver whose destruction started
			}
			if h.single && !c.drop(h) {
				continue // SIG-10: removed before the call; another emission took it
			}
			switch t := h.effectiveType(); t {
			case DirectConnection:
				took(call(h.fn))
			case QueuedConnection:
				deliver(h.recv, post(h.fn), nil)
			case BlockingQueuedConnection:
				if h.wouldDeadlock() {
					logging.Critical(pkg, fmt.Sprintf("Qt: Dead lock detected while activating a BlockingQueuedConnection: Sender is %p, receiver is %p (handler %d not called)", c, h.recv, h.id))
					continue
				}
				var v R
				run := post(h.fn)
				done := make(chan bool, 1)
				deliver(h.recv, func() R { v = run(); return v }, done)
				if <-done {
					took(v)
				}
			}
			stopped = c.stops.Load().stopped(start) || stopped
			if again() {
				return res, true
			}
			if stopped {
				break
			}
		}
	}
	if l.hasClass && l.classStage&RunCleanup != 0 {
		// Since GLib 2.62 the cleanup class handler's value goes through
		// the accumulator; without one it is dropped, so the result stays
		// the last value of the earlier stages (gsignal.c).
		v := call(l.class)
		if acc != nil {
			hint.RunType = hint.RunType&AccumulatorFirstRun | RunCleanup
			res, _ = acc(hint, res, v)
		}
	}
	if st := c.stops.Load(); st != nil && st.pending.Load() != 0 {
		st.claim(start) // a stop asked by the cleanup handler ends here
	}
	return res, false
}

// effectiveType resolves AutoConnection for this emission (SIG-10): direct
// iff the emitting goroutine owns the context a queued call would be
// delivered to (the receiver's, mainloop.Default() when it has none).
func (h *handler[F]) effectiveType() ConnectionType {
	if h.ctype != AutoConnection {
		return h.ctype
	}
	if recvContext(h.recv).IsOwner() {
		return DirectConnection
	}
	return QueuedConnection
}

// recvContext is the context r's queued calls run on: its own, or the
// default context for a receiver without one.
func recvContext(r Receiver) *mainloop.Context {
	if ctx := r.MainContext(); ctx != nil {
		return ctx
	}
	return mainloop.Default()
}

// deliver runs fn on r's context at its next iteration, unless r is
// destroyed by then (Qt drops posted calls to a deleted receiver, but not
// those of a plain disconnect). done, if not nil, receives whether fn ran;
// it is signalled even if fn panics, so a blocking emitter never hangs on a
// handler that failed.
func deliver[R any](r Receiver, fn func() R, done chan<- bool) {
	recvContext(r).Post(mainloop.PriorityDefault, func() {
		ran := false
		if done != nil {
			defer func() { done <- ran }()
		}
		if !r.IsDestroyed() {
			fn()
			ran = true
		}
	})
}
