package signal

import "sync/atomic"

// Signal3R is a signal with three arguments whose handlers return a value, like a
// GSignal with a return type. Emit returns the value the accumulator
// built, or without one the value of the last handler that ran (SIG-8).
// The zero value is a signal with no handlers, ready to use; it must not be
// copied after first use. All methods are safe for concurrent use.
type Signal3R[A, B, C, R any] struct {
	core[func(A, B, C) R]
	acc atomic.Pointer[Accumulator[R]]
}

// Connect is g_signal_connect: fn runs, on the emitting goroutine, at every
// emission, after the handlers connected before it. The id is never 0.
func (s *Signal3R[A, B, C, R]) Connect(fn func(A, B, C) R) HandlerID {
	id, _ := s.connect(fn, Options{})
	return id
}

// ConnectAfter is g_signal_connect_after: fn runs after the normal handlers
// and the RUN_LAST class handler (SIG-1).
func (s *Signal3R[A, B, C, R]) ConnectAfter(fn func(A, B, C) R) HandlerID {
	id, _ := s.connect(fn, Options{After: true})
	return id
}

// ConnectDetailed is g_signal_connect with "signal::detail": fn runs only for
// emissions with this detail (SIG-6). An empty detail is invalid in GLib; it
// logs a critical and returns 0.
func (s *Signal3R[A, B, C, R]) ConnectDetailed(detail string, fn func(A, B, C) R) HandlerID {
	if detail == "" {
		invalidDetail()
		return 0
	}
	id, _ := s.connect(fn, Options{Detail: detail})
	return id
}

// ConnectTo is Qt's QObject::connect(sender, signal, receiver, functor, type):
// fn is bound to r (disconnected when r is destroyed, run on r's context for
// queued and auto connections). See ConnectionType.
func (s *Signal3R[A, B, C, R]) ConnectTo(r Receiver, fn func(A, B, C) R, t ConnectionType) (HandlerID, error) {
	if r == nil {
		return 0, ErrNoReceiver
	}
	return s.connect(fn, Options{Receiver: r, Type: t})
}

// ConnectWith connects fn with every option spelled out; the other Connect
// methods are shorthands for it.
func (s *Signal3R[A, B, C, R]) ConnectWith(fn func(A, B, C) R, o Options) (HandlerID, error) {
	return s.connect(fn, o)
}

// SetClassHandler sets the class closure of the signal, the slot a GObject
// class fills to implement a virtual method: it runs at the given stages
// (RunFirst, RunLast, RunCleanup, or-ed) of every emission (SIG-1). A nil fn
// removes it.
func (s *Signal3R[A, B, C, R]) SetClassHandler(fn func(A, B, C) R, stage RunStage) {
	s.setClass(fn, stage)
}

// SetAccumulator is the accumulator argument of g_signal_new (SIG-8); nil
// removes it.
func (s *Signal3R[A, B, C, R]) SetAccumulator(acc Accumulator[R]) {
	if acc == nil {
		s.acc.Store(nil)
		return
	}
	s.acc.Store(&acc)
}

// Emit is g_signal_emit (and Qt's emit): it runs the handlers in order on
// the calling goroutine, with no lock held, and posts queued calls. Handlers
// connected meanwhile are not called by it; handlers disconnected or blocked
// before it reaches them are skipped (SIG-3, SIG-4, SIG-5). Handlers connected
// with a detail are not called (SIG-6).
func (s *Signal3R[A, B, C, R]) Emit(a A, b B, c C) R {
	var res R
	g0 := s.gen.Load() // before the snapshot: see core.gen
	l := s.load()
	if l == nil {
		return res
	}
	if !l.simple {
		return s.emitSlow(l, "", a, b, c)
	}
	var acc Accumulator[R]
	if p := s.acc.Load(); p != nil {
		acc = *p
	}
	checked := s.nblocked.Load() != 0
	fns := l.fns
	i := 0
	if l.owner != nil {
		if l.owner.SignalsBlocked() {
			return res
		}
	} else if !checked && len(fns) > 0 {
		// No user code has run since g0 was loaded, so this goroutine cannot
		// have disconnected or blocked a handler of the snapshot yet (and
		// another goroutine's Disconnect that returned before Emit was
		// called is in g0 and the snapshot): the first handler needs no check.
		if len(fns) == 1 {
			// The common single handler: little is live across the call.
			v := fns[0](a, b, c)
			if acc != nil {
				v, _ = acc(res, v)
			}
			if s.gen.Load() != g0 && s.stops.pending.Load() != 0 {
				s.stops.claim(g0) // a stop asked by the handler
			}
			return v
		}
		v := fns[0](a, b, c)
		i = 1
		if acc == nil {
			res = v
		} else {
			var cont bool
			if res, cont = acc(res, v); !cont {
				i = len(fns)
			}
		}
	}
	for ; i < len(fns); i++ {
		if checked || s.gen.Load() != g0 {
			checked = true
			if s.stops.pending.Load() != 0 && s.stops.claim(g0) {
				return res
			}
			if l.hs[i].state.Load() != 0 {
				continue
			}
		}
		v := fns[i](a, b, c)
		if acc == nil {
			res = v
		} else {
			var cont bool
			if res, cont = acc(res, v); !cont {
				break
			}
		}
	}
	if s.gen.Load() != g0 && s.stops.pending.Load() != 0 {
		s.stops.claim(g0) // a stop asked by the last handler
	}
	return res
}

// EmitDetailed is g_signal_emit with a detail: handlers connected with this
// detail and handlers connected without one run (SIG-6).
func (s *Signal3R[A, B, C, R]) EmitDetailed(detail string, a A, b B, c C) R {
	l := s.load()
	if l == nil {
		var zero R
		return zero
	}
	return s.emitSlow(l, detail, a, b, c)
}

func (s *Signal3R[A, B, C, R]) emitSlow(l *list[func(A, B, C) R], detail string, a A, b B, c C) R {
	var acc Accumulator[R]
	if p := s.acc.Load(); p != nil {
		acc = *p
	}
	return emitSlow(&s.core, l, detail,
		func(fn func(A, B, C) R) R { return fn(a, b, c) },
		func(fn func(A, B, C) R) func() R { return func() R { return fn(a, b, c) } },
		acc)
}
