package mainloop

import (
	"time"

	"github.com/sigloop/sigloop/internal/logging"
)

// SingleShot is Qt's QTimer::singleShot: fn runs once, d from now, on the
// caller's context (ThreadDefault). A negative d logs Qt's warning and
// schedules nothing, as a nil fn does with a critical; d == 0 is a queued call, never a direct one, even when
// the caller owns the context (EVL-06).
func SingleShot(d time.Duration, fn func()) { SingleShotOn(nil, d, fn) }

// SingleShotOn is SingleShot on c instead of the caller's context (nil: the
// caller's context, ThreadDefault): the form object.SingleShot uses for a
// receiver's context. The rules are SingleShot's.
func SingleShotOn(c *Context, d time.Duration, fn func()) {
	if d < 0 {
		logging.Warning(pkg, "QTimer::singleShot: Timers cannot have negative timeouts")
		return
	}
	if fn == nil {
		logging.Critical(pkg, "QTimer::singleShot: Called with a null functor")
		return
	}
	if c == nil {
		c = ThreadDefault()
	}
	if d == 0 {
		c.enqueue(PriorityDefault, invokeItem{fn: fn})
		return
	}
	s := NewTimeoutSource(d)
	s.callback = func() bool { fn(); return SourceRemove }
	s.name = "QTimer::singleShot"
	s.Attach(c)
}
