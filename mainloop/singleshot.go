package mainloop

import (
	"time"

	"github.com/sigloop/sigloop/internal/logging"
)

// SingleShot is Qt's QTimer::singleShot: fn runs once, d from now, on the
// caller's context (ThreadDefault). A negative d logs Qt's warning and
// schedules nothing, as a nil fn does with a critical; d == 0 is a queued call, never a direct one, even when
// the caller owns the context (EVL-06).
func SingleShot(d time.Duration, fn func()) {
	if d < 0 {
		logging.Warning(pkg, "QTimer::singleShot: Timers cannot have negative timeouts")
		return
	}
	if fn == nil {
		logging.Critical(pkg, "QTimer::singleShot: Called with a null functor")
		return
	}
	c := ThreadDefault()
	if d == 0 {
		c.enqueue(PriorityDefault, invokeItem{fn: fn})
		return
	}
	s := NewTimeoutSource(d)
	s.callback = func() bool { fn(); return SourceRemove }
	s.name = "QTimer::singleShot"
	s.Attach(c)
}
