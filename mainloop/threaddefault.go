package mainloop

import (
	"errors"

	"github.com/sigloop/sigloop/internal/logging"
)

// ErrNotAcquired is returned by PushThreadDefault when another goroutine owns
// the context (where g_main_context_push_thread_default logs a critical and
// pushes nothing).
var ErrNotAcquired = errors.New("mainloop: context is owned by another goroutine")

// PushThreadDefault is g_main_context_push_thread_default: it acquires c
// (nil: the global default) and makes it the caller's context
// (ThreadDefault) until the matching PopThreadDefault. If another goroutine
// owns c it logs GLib's critical, pushes nothing and returns ErrNotAcquired
// (ML-17).
func (c *Context) PushThreadDefault() error {
	c = orDefault(c)
	ts := lockThread()
	if !c.acquireTS(ts) {
		ts.unlock()
		logging.Critical(pkg, "g_main_context_push_thread_default: assertion 'acquired_context' failed")
		return ErrNotAcquired
	}
	ts.stack = append(ts.stack, stackEntry{ctx: c, pushed: true})
	return nil
}

// PopThreadDefault is g_main_context_pop_thread_default: c must be the
// context most recently pushed by the calling goroutine.
func (c *Context) PopThreadDefault() {
	c = orDefault(c)
	var ts *threadState
	idx := -1
	peekThread(func(_ int64, t *threadState) {
		ts = t
		if t == nil {
			return
		}
		for i := len(t.stack) - 1; i >= 0; i-- {
			if t.stack[i].pushed {
				if t.stack[i].ctx == c {
					idx = i
				}
				return
			}
		}
	})
	if idx < 0 {
		logging.Critical(pkg, "g_main_context_pop_thread_default: assertion 'g_queue_peek_head (stack) == context' failed")
		return
	}
	ts.stack = append(ts.stack[:idx], ts.stack[idx+1:]...)
	c.releaseTS(ts)
	ts.unlock()
}
