package mainloop

import (
	"time"

	"github.com/sigloop/sigloop/internal/logging"
)

func idlePrepare(*Source) (bool, time.Duration) { return true, 0 }

func idleDispatch(s *Source, cb SourceFunc) bool {
	if cb == nil {
		logging.Warning(pkg, "Idle source dispatched without callback. You must call g_source_set_callback().")
		return false
	}
	return cb()
}

// NewIdleSource is g_idle_source_new: a source that is always ready, at
// PriorityDefaultIdle (ML-1). An idle that keeps returning SourceContinue
// runs on every iteration in which nothing of higher priority is ready
// (ML-20).
func NewIdleSource() *Source {
	s := NewSource(SourceFuncs{Prepare: idlePrepare, Dispatch: idleDispatch})
	s.priority = PriorityDefaultIdle
	s.name = "GIdleSource"
	return s
}

// IdleAdd is g_idle_add: an idle source on the global default context.
func IdleAdd(fn SourceFunc) SourceID { return IdleAddFull(PriorityDefaultIdle, fn) }

// IdleAddFull is g_idle_add_full: IdleAdd at a given priority.
func IdleAddFull(priority int, fn SourceFunc) SourceID {
	return attachDefault("g_idle_add_full", priority, fn, NewIdleSource)
}

// IdleAddOnce is g_idle_add_once: fn runs once on the global default
// context (ML-5).
func IdleAddOnce(fn func()) SourceID {
	return addOnce("g_idle_add_once", fn, func(f SourceFunc) SourceID { return IdleAddFull(PriorityDefaultIdle, f) })
}

// attachDefault is the body of the g_*_add_full calls: the NULL-function
// critical, or the source newSource makes, with priority and fn, attached
// to the global default context.
func attachDefault(call string, priority int, fn SourceFunc, newSource func() *Source) SourceID {
	if fn == nil {
		logging.Critical(pkg, call+": assertion 'function != NULL' failed")
		return 0
	}
	s := newSource()
	s.priority = priority
	s.callback = fn
	return s.Attach(Default())
}

// addOnce is the body of the g_*_add_once calls: the NULL-function critical,
// or add given fn as a SourceFunc that removes its source after one call.
func addOnce(call string, fn func(), add func(SourceFunc) SourceID) SourceID {
	if fn == nil {
		logging.Critical(pkg, call+": assertion 'function != NULL' failed")
		return 0
	}
	return add(func() bool { fn(); return SourceRemove })
}
