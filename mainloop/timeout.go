package mainloop

import (
	"hash/fnv"
	"math"
	"os"
	"sync"
	"time"

	"github.com/sigloop/sigloop/internal/logging"
)

// newTimeout makes a timeout source whose next expiry is computed by next
// from a base time in microseconds (ML-15).
func newTimeout(interval time.Duration, seconds bool) *Source {
	// Ready times are in microseconds: a finer interval is rounded up, so
	// that a timeout never fires before its interval has passed (as a
	// time.Timer never fires early); 32.768 µs truncated to 32 µs fired
	// 31,250 times a second instead of at most 30,518.
	var us int64
	if interval > 0 {
		us = interval.Microseconds()
		if interval%time.Microsecond != 0 {
			us++
		}
	}
	next := func(base int64) int64 {
		if us > math.MaxInt64-2_000_000-base {
			return math.MaxInt64 // practically never; do not wrap into the past
		}
		exp := base + us
		if seconds {
			exp = roundToSecond(exp)
		}
		return exp
	}
	s := NewSource(SourceFuncs{
		Dispatch: func(s *Source, cb SourceFunc) bool {
			if cb == nil {
				logging.Warning(pkg, "Timeout source dispatched without callback. You must call g_source_set_callback().")
				return false
			}
			again := cb()
			if again {
				// The next expiry counts from this iteration's time: no
				// catch-up for missed ticks (ML-15).
				s.setReadyTimeOwner(next(s.ctx.Load().now()))
			}
			return again
		},
	})
	s.readyTime = next(MonotonicTime())
	if seconds {
		s.name = "GTimeoutSource (seconds)"
	} else {
		s.name = "GTimeoutSource"
	}
	return s
}

// setReadyTimeOwner is SetReadyTime for the dispatching owner: no wakeup is
// needed.
func (s *Source) setReadyTimeOwner(us int64) {
	c := s.lockCtx()
	if !s.destroyed.Load() {
		s.readyTime = us
	}
	unlockCtx(c)
}

var timerPerturb = sync.OnceValue(func() int64 {
	// GLib spreads second-granularity timers of different sessions over
	// the second with an offset derived from the session; so do we.
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" {
		addr = os.Getenv("HOSTNAME")
	}
	if addr == "" {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(addr))
	return int64(h.Sum32() % 1000000)
})

// roundToSecond moves an expiry to the session's offset within a second,
// rounding down when that is less than a quarter second early (ML-15).
func roundToSecond(exp int64) int64 {
	p := timerPerturb()
	exp -= p
	rem := exp % 1000000
	if rem >= 1000000/4 {
		exp += 1000000
	}
	exp -= rem
	return exp + p
}

// NewTimeoutSource is g_timeout_source_new: a source first ready d from now,
// then every d after the iteration that dispatched it, at PriorityDefault.
// d is rounded up to a whole microsecond.
func NewTimeoutSource(d time.Duration) *Source { return newTimeout(d, false) }

// NewTimeoutSecondsSource is g_timeout_source_new_seconds: a timeout of sec
// seconds whose expiries are grouped on a per-session offset within each
// second, so that many such timers wake the process together.
func NewTimeoutSecondsSource(sec uint) *Source {
	return newTimeout(time.Duration(sec)*time.Second, true)
}

// TimeoutAdd is g_timeout_add: a timeout on the global default context.
func TimeoutAdd(d time.Duration, fn SourceFunc) SourceID {
	return TimeoutAddFull(PriorityDefault, d, fn)
}

// TimeoutAddFull is g_timeout_add_full: TimeoutAdd at a given priority.
func TimeoutAddFull(priority int, d time.Duration, fn SourceFunc) SourceID {
	return attachDefault("g_timeout_add_full", priority, fn, func() *Source { return NewTimeoutSource(d) })
}

// TimeoutAddOnce is g_timeout_add_once: fn runs once, d from now, on the
// global default context (ML-5).
func TimeoutAddOnce(d time.Duration, fn func()) SourceID {
	return addOnce("g_timeout_add_once", fn, func(f SourceFunc) SourceID { return TimeoutAddFull(PriorityDefault, d, f) })
}

// TimeoutAddSeconds is g_timeout_add_seconds.
func TimeoutAddSeconds(sec uint, fn SourceFunc) SourceID {
	return TimeoutAddSecondsFull(PriorityDefault, sec, fn)
}

// TimeoutAddSecondsFull is g_timeout_add_seconds_full.
func TimeoutAddSecondsFull(priority int, sec uint, fn SourceFunc) SourceID {
	return attachDefault("g_timeout_add_seconds_full", priority, fn, func() *Source { return NewTimeoutSecondsSource(sec) })
}

// TimeoutAddSecondsOnce is g_timeout_add_seconds_once.
func TimeoutAddSecondsOnce(sec uint, fn func()) SourceID {
	return addOnce("g_timeout_add_seconds_once", fn, func(f SourceFunc) SourceID { return TimeoutAddSecondsFull(PriorityDefault, sec, f) })
}
