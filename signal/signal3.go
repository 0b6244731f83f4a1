package signal

// Signal3 is a signal with three arguments (a GSignal or Qt signal).
// The zero value is a signal with no handlers, ready to use; it must not be
// copied after first use. All methods are safe for concurrent use.
type Signal3[A, B, C any] struct {
	core[func(A, B, C)]
}

// Connect is g_signal_connect: fn runs, on the emitting goroutine, at every
// emission, after the handlers connected before it. The id is never 0.
func (s *Signal3[A, B, C]) Connect(fn func(A, B, C)) HandlerID {
	id, _ := s.connect(fn, Options{})
	return id
}

// ConnectAfter is g_signal_connect_after: fn runs after the normal handlers
// and the RUN_LAST class handler (SIG-1).
func (s *Signal3[A, B, C]) ConnectAfter(fn func(A, B, C)) HandlerID {
	id, _ := s.connect(fn, Options{After: true})
	return id
}

// ConnectDetailed is g_signal_connect with "signal::detail": fn runs only for
// emissions with this detail (SIG-6). An empty detail is invalid in GLib; it
// logs a critical and returns 0.
func (s *Signal3[A, B, C]) ConnectDetailed(detail string, fn func(A, B, C)) HandlerID {
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
func (s *Signal3[A, B, C]) ConnectTo(r Receiver, fn func(A, B, C), t ConnectionType) (HandlerID, error) {
	if r == nil {
		return 0, ErrNoReceiver
	}
	return s.connect(fn, Options{Receiver: r, Type: t})
}

// ConnectWith connects fn with every option spelled out; the other Connect
// methods are shorthands for it.
func (s *Signal3[A, B, C]) ConnectWith(fn func(A, B, C), o Options) (HandlerID, error) {
	return s.connect(fn, o)
}

// SetClassHandler sets the class closure of the signal, the slot a GObject
// class fills to implement a virtual method: it runs at the given stages
// (RunFirst, RunLast, RunCleanup, or-ed) of every emission (SIG-1). A nil fn
// removes it.
func (s *Signal3[A, B, C]) SetClassHandler(fn func(A, B, C), stage RunStage) { s.setClass(fn, stage) }

// Emit is g_signal_emit (and Qt's emit): it runs the handlers in order on
// the calling goroutine, with no lock held, and posts queued calls. Handlers
// connected meanwhile are not called by it; handlers disconnected or blocked
// before it reaches them are skipped (SIG-3, SIG-4, SIG-5). Handlers connected
// with a detail are not called (SIG-6).
func (s *Signal3[A, B, C]) Emit(a A, b B, c C) {
	g0 := s.gen.Load() // before the snapshot: see core.gen
	l := s.load()
	if l == nil {
		return
	}
	if !l.simple {
		s.emitSlow(l, "", a, b, c)
		return
	}
	checked := s.nblocked.Load() != 0
	fns := l.fns
	i := 0
	if l.owner != nil {
		if l.owner.SignalsBlocked() {
			return
		}
	} else if !checked && len(fns) > 0 {
		// No user code has run since g0 was loaded, so this goroutine cannot
		// have disconnected or blocked a handler of the snapshot yet (and
		// another goroutine's Disconnect that returned before Emit was
		// called is in g0 and the snapshot): the first handler needs no check.
		if len(fns) == 1 {
			// The common single handler: only s and g0 live across the call.
			fns[0](a, b, c)
			if s.gen.Load() != g0 && s.stops.pending.Load() != 0 {
				s.stops.claim(g0) // a stop asked by the handler
			}
			return
		}
		fns[0](a, b, c)
		i = 1
	}
	for ; i < len(fns); i++ {
		if checked || s.gen.Load() != g0 {
			checked = true
			if s.stops.pending.Load() != 0 && s.stops.claim(g0) {
				return
			}
			if l.hs[i].state.Load() != 0 {
				continue
			}
		}
		fns[i](a, b, c)
	}
	if s.gen.Load() != g0 && s.stops.pending.Load() != 0 {
		s.stops.claim(g0) // a stop asked by the last handler
	}
}

// EmitDetailed is g_signal_emit with a detail: handlers connected with this
// detail and handlers connected without one run (SIG-6).
func (s *Signal3[A, B, C]) EmitDetailed(detail string, a A, b B, c C) {
	l := s.load()
	if l == nil {
		return
	}
	s.emitSlow(l, detail, a, b, c)
}

func (s *Signal3[A, B, C]) emitSlow(l *list[func(A, B, C)], detail string, a A, b B, c C) {
	emitSlow(&s.core, l, detail,
		func(fn func(A, B, C)) struct{} { fn(a, b, c); return struct{}{} },
		func(fn func(A, B, C)) func() struct{} { return func() struct{} { fn(a, b, c); return struct{}{} } },
		nil)
}
