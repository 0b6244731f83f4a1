package object

import (
	"fmt"
	"sync"
	"time"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/signal"
)

// Timer is QTimer: a reusable timer object that emits Timeout on its
// context (MainContext, the caller's context when it was made) every
// Interval, or once when it is single-shot. It is an Object, so it has a
// parent, BlockSignals mutes Timeout, and Destroy (or its parent's) stops
// it. It lives in package object, not mainloop, because it is an Object
// with a signal, and mainloop is below both (mainloop.SingleShot is the
// plain function form).
//
// The rules are Qt's (EVL-05): Start restarts a running timer; TimerID is
// -1 while inactive; a single-shot timer is inactive before Timeout is
// emitted, so a handler may start it again; an interval of 0 fires as soon
// as the loop is idle of other work at its priority; an overrun gives one
// Timeout, then the interval resumes from that dispatch (GLib's
// no-catch-up timeouts).
//
// MoveToContext (QObject::moveToThread) restarts an active timer on the
// new context with its interval, as Qt does.
//
// Make one with NewTimer. The zero value is not usable: its methods log a
// critical and do nothing. Methods may be called from any goroutine;
// Timeout handlers run on the timer's context.
type Timer struct {
	Object
	// Timeout is QTimer::timeout.
	Timeout signal.Signal0

	mu       sync.Mutex
	made     bool
	interval time.Duration
	single   bool
	src      *mainloop.Source // the running timer, nil when inactive
	due      int64            // monotonic µs of the next expiry
}

// NewTimer is QTimer(parent): an inactive, repeating timer with a 0
// interval, on the caller's context, child of parent (nil: none).
func NewTimer(parent *Object) *Timer {
	t := &Timer{made: true}
	t.Init(t)
	t.ext().onMove = t.moved
	t.Timeout.SetOwner(&t.Object)
	t.AddDestroyNotify(t.Stop)
	if parent != nil {
		t.SetParent(parent)
	}
	return t
}

// usable reports whether t was made by NewTimer, logging a critical for fn
// otherwise.
func (t *Timer) usable(fn string) bool {
	if t == nil || !t.made {
		logging.Critical(pkg, fn+": the Timer was not made by NewTimer")
		return false
	}
	return true
}

// timerGet is the body of the plain getters: the critical and zero for a
// Timer not made by NewTimer, else get under the timer's lock.
func timerGet[V any](t *Timer, fn string, zero V, get func() V) V {
	if !t.usable(fn) {
		return zero
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return get()
}

// intervalOK is the guard of the calls given an interval: the timer is
// usable, and a negative d logs Qt's warning (as caller would print it).
func (t *Timer) intervalOK(fn, caller string, d time.Duration) bool {
	if !t.usable(fn) {
		return false
	}
	if d < 0 {
		logging.Warning(pkg, caller+": Timers cannot have negative intervals")
		return false
	}
	return true
}

// Start is QTimer::start(): it starts (or restarts) the timer with its
// Interval, on its context. A destroyed timer does not start.
func (t *Timer) Start() {
	// -1 stands for "not usable": a set interval is never negative.
	if d := timerGet(t, "QTimer::start", -1, func() time.Duration { return t.interval }); d >= 0 {
		t.StartInterval(d)
	}
}

// StartInterval is QTimer::start(msec): SetInterval(d), then Start. A
// negative d logs Qt's warning and leaves the timer as it was.
func (t *Timer) StartInterval(d time.Duration) {
	if !t.intervalOK("QTimer::start", "QObject::startTimer", d) {
		return
	}
	if t.IsDestroyed() {
		return
	}
	s := mainloop.NewTimeoutSource(d)
	s.SetName("QTimer")
	s.SetCallback(func() bool { return t.fire(s) })
	t.mu.Lock()
	old := t.src
	t.interval, t.src, t.due = d, s, mainloop.MonotonicTime()+d.Microseconds()
	t.mu.Unlock()
	if old != nil {
		old.Destroy()
	}
	s.Attach(t.MainContext())
}

// moved restarts an active timer on the context the timer was moved to.
func (t *Timer) moved() {
	t.mu.Lock()
	active, d := t.src != nil, t.interval
	t.mu.Unlock()
	if active {
		t.StartInterval(d)
	}
}

// fire is the timeout source's callback: it emits Timeout for the running
// source s, first making a single-shot timer inactive (EVL-05).
func (t *Timer) fire(s *mainloop.Source) bool {
	t.mu.Lock()
	if t.src != s {
		t.mu.Unlock()
		return mainloop.SourceRemove
	}
	if t.single {
		t.src = nil
	} else {
		t.due = s.Time() + t.interval.Microseconds()
	}
	t.mu.Unlock()
	t.Timeout.Emit()
	t.mu.Lock()
	keep := t.src == s // not stopped, restarted or single-shot meanwhile
	t.mu.Unlock()
	return keep
}

// Stop is QTimer::stop: the timer becomes inactive; a Timeout not yet
// emitted is not.
func (t *Timer) Stop() {
	s := timerGet(t, "QTimer::stop", nil, func() *mainloop.Source {
		s := t.src
		t.src = nil
		return s
	})
	if s != nil {
		s.Destroy()
	}
}

// IsActive is QTimer::isActive: whether the timer is running.
func (t *Timer) IsActive() bool {
	return timerGet(t, "QTimer::isActive", false, func() bool { return t.src != nil })
}

// TimerID is QTimer::timerId: the id of the running timer's source on its
// context, -1 while inactive.
func (t *Timer) TimerID() int {
	return timerGet(t, "QTimer::timerId", -1, func() int {
		if t.src == nil {
			return -1
		}
		return int(t.src.ID())
	})
}

// Interval is QTimer::interval.
func (t *Timer) Interval() time.Duration {
	return timerGet(t, "QTimer::interval", 0, func() time.Duration { return t.interval })
}

// SetInterval is QTimer::setInterval: a running timer is restarted with
// the new interval. A negative d logs Qt's warning and changes nothing.
func (t *Timer) SetInterval(d time.Duration) {
	if !t.intervalOK("QTimer::setInterval", "QTimer::setInterval", d) {
		return
	}
	t.mu.Lock()
	t.interval = d
	active := t.src != nil
	t.mu.Unlock()
	if active {
		t.StartInterval(d)
	}
}

// IsSingleShot is QTimer::isSingleShot.
func (t *Timer) IsSingleShot() bool {
	return timerGet(t, "QTimer::isSingleShot", false, func() bool { return t.single })
}

// SetSingleShot is QTimer::setSingleShot: a single-shot timer fires once
// per Start. It takes effect at the next expiry of a running timer.
func (t *Timer) SetSingleShot(b bool) {
	if !t.usable("QTimer::setSingleShot") {
		return
	}
	t.mu.Lock()
	t.single = b
	t.mu.Unlock()
}

// RemainingTime is QTimer::remainingTime: the time until the next Timeout,
// 0 if it is overdue, -1 while the timer is inactive.
func (t *Timer) RemainingTime() time.Duration {
	return timerGet(t, "QTimer::remainingTime", -1, func() time.Duration {
		if t.src == nil {
			return -1
		}
		left := t.due - mainloop.MonotonicTime()
		if left < 0 {
			return 0
		}
		return time.Duration(left) * time.Microsecond
	})
}

// String describes the timer for debugging ("object.Timer(nil)" for a nil
// or zero Timer).
func (t *Timer) String() string {
	if t == nil || !t.made {
		return "object.Timer(nil)"
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return fmt.Sprintf("object.Timer(%p) interval %v active %v single-shot %v", t, t.interval, t.src != nil, t.single)
}

// SingleShot is QTimer::singleShot(msec, context, functor): fn runs once,
// d from now, on receiver's context, unless receiver is destroyed first
// (then fn never runs; the pending timer stays until its time). A nil
// receiver is mainloop.SingleShot (the caller's context). As with
// mainloop.SingleShot (EVL-06), a negative d logs Qt's warning and a nil
// fn a critical, and schedule nothing; d == 0 is a queued call, never a
// direct one.
func SingleShot(d time.Duration, receiver *Object, fn func()) {
	if receiver == nil || fn == nil {
		mainloop.SingleShot(d, fn) // the caller's context; a nil fn gets its critical
		return
	}
	mainloop.SingleShotOn(receiver.MainContext(), d, func() {
		if !receiver.IsDestroyed() {
			fn()
		}
	})
}
