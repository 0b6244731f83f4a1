package qtnet

import (
	"sync"
	"time"

	"github.com/sigloop/sigloop/mainloop"
	"golang.org/x/sys/unix"
)

// pollSlice bounds one blocking poll of a Wait call, so that a deadline
// changed or a Close made by another goroutine is seen soon.
const pollSlice = 50 * time.Millisecond

// deadlineFor turns Qt's msec argument into a deadline: -1 (any negative
// value) is no limit, the zero time.
func deadlineFor(msec int) time.Time {
	if msec < 0 {
		return time.Time{}
	}
	return time.Now().Add(time.Duration(msec) * time.Millisecond)
}

// remaining is how long a poll may wait before deadline (forever when the
// deadline is zero), capped at pollSlice; expired reports a past deadline.
func remaining(deadline time.Time) (ms int, expired bool) {
	d := pollSlice
	if !deadline.IsZero() {
		left := time.Until(deadline)
		if left <= 0 {
			return 0, true
		}
		if left < d {
			d = left
		}
	}
	return int((d + time.Millisecond - 1) / time.Millisecond), false
}

// notifier wakes goroutines waiting for an object's state to change while
// another goroutine runs its context. It allocates only while someone waits.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

func (n *notifier) notify() {
	n.mu.Lock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
	n.mu.Unlock()
}

// blockingWait is the engine of every waitForXxx call, usable without a
// running loop (Qt's "the non-blocking alternative is the signal").
//
// If the calling goroutine can own ctx (nobody runs it, or the caller is
// the goroutine dispatching it), ctx is acquired and pushed as the caller's
// context for the length of the wait, and step polls the object's
// descriptor itself and handles what it finds, emitting the object's
// signals on this goroutine as Qt's waitFor functions do. Otherwise the
// goroutine that runs ctx does the I/O, and blockingWait sleeps until n is
// notified. done is checked before every step; it returns done's final
// value.
func blockingWait(ctx *mainloop.Context, deadline time.Time, n *notifier, done func() bool, step func(ms int)) bool {
	if ctx.Acquire() {
		_ = ctx.PushThreadDefault() // cannot fail: this goroutine owns ctx
		defer func() {
			ctx.PopThreadDefault()
			ctx.Release()
		}()
		for {
			if done() {
				return true
			}
			ms, expired := remaining(deadline)
			if expired {
				return done()
			}
			step(ms)
		}
	}
	for {
		ch := n.wait()
		if done() {
			return true
		}
		ms, expired := remaining(deadline)
		if expired {
			return done()
		}
		t := time.NewTimer(time.Duration(ms) * time.Millisecond)
		select {
		case <-ch:
		case <-t.C:
		}
		t.Stop()
	}
}

// pollFD waits up to ms for events on fd and returns what happened as
// mainloop conditions (0 on timeout or EINTR).
func pollFD(fd int, events int16, ms int) mainloop.IOCondition {
	p := []unix.PollFd{{Fd: int32(fd), Events: events}}
	n, err := unix.Poll(p, ms)
	if err != nil || n <= 0 {
		return 0
	}
	var c mainloop.IOCondition
	r := p[0].Revents
	if r&unix.POLLIN != 0 {
		c |= mainloop.IOIn
	}
	if r&unix.POLLOUT != 0 {
		c |= mainloop.IOOut
	}
	if r&unix.POLLERR != 0 {
		c |= mainloop.IOErr
	}
	if r&unix.POLLHUP != 0 {
		c |= mainloop.IOHup
	}
	if r&unix.POLLNVAL != 0 {
		c |= mainloop.IONval
	}
	return c
}
