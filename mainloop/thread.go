package mainloop

import (
	"runtime"
	"sync"

	"golang.org/x/sys/unix"
)

// threadState is what GLib keeps in thread-local storage: the stack of
// thread-default contexts and the dispatch depth. Go has no thread-locals, so
// a goroutine that owns a context, dispatches one or pushes one is locked to
// its OS thread (runtime.LockOSThread, counted here in locks) and its state is
// found by thread id. While locks > 0 only the locked goroutine runs on that
// thread, so only it can find, read or write its state.
type threadState struct {
	tid   int
	locks int
	// stack holds pushed thread-default contexts and, on top of them, the
	// contexts being dispatched; the top entry is the caller's context.
	stack []stackEntry
	depth int // g_main_depth
	// inPrepareOrCheck counts calls into user Prepare/Check functions (ML-9).
	inPrepareOrCheck int
	current          *Source // g_main_current_source
}

type stackEntry struct {
	ctx    *Context
	pushed bool // PushThreadDefault (else: a dispatch)
}

var threads sync.Map // tid → *threadState

// lockThread locks the calling goroutine to its OS thread and returns the
// thread's state, creating it if needed. Every lockThread is paired with one
// unlock on the same goroutine.
func lockThread() *threadState {
	runtime.LockOSThread()
	tid := unix.Gettid()
	if v, ok := threads.Load(tid); ok {
		ts := v.(*threadState)
		ts.locks++
		return ts
	}
	ts := &threadState{tid: tid, locks: 1}
	threads.Store(tid, ts)
	return ts
}

func (ts *threadState) unlock() {
	ts.locks--
	if ts.locks == 0 && len(ts.stack) == 0 {
		threads.Delete(ts.tid)
	}
	runtime.UnlockOSThread()
}

// peekThread returns the calling goroutine's thread state, or nil if it has
// none, and the thread id. The goroutine is pinned to its thread for the
// duration of the look-up so that it cannot observe another goroutine's state.
func peekThread(f func(tid int, ts *threadState)) {
	runtime.LockOSThread()
	tid := unix.Gettid()
	var ts *threadState
	if v, ok := threads.Load(tid); ok {
		ts = v.(*threadState)
		if ts.locks == 0 && len(ts.stack) == 0 {
			ts = nil
		}
	}
	f(tid, ts)
	runtime.UnlockOSThread()
}

func (ts *threadState) top() *Context {
	if ts == nil || len(ts.stack) == 0 {
		return nil
	}
	return ts.stack[len(ts.stack)-1].ctx
}

// ThreadDefault is g_main_context_ref_thread_default: the caller's context.
// It is the context whose dispatch is running on the calling goroutine, or the
// one pushed on it with PushThreadDefault, whichever was entered last; if there
// is neither, it is Default(). It never returns nil.
func ThreadDefault() *Context {
	var c *Context
	peekThread(func(_ int, ts *threadState) { c = ts.top() })
	if c == nil {
		return Default()
	}
	return c
}

// GetThreadDefault is g_main_context_get_thread_default: like ThreadDefault,
// but it returns nil when the caller's context is the global default.
func GetThreadDefault() *Context {
	c := ThreadDefault()
	if c == Default() {
		return nil
	}
	return c
}

// Depth is g_main_depth: how many dispatches are running on the calling
// goroutine, 0 outside any callback, 1 inside one, 2 inside a callback
// dispatched by a loop nested in another callback, and so on.
func Depth() int {
	d := 0
	peekThread(func(_ int, ts *threadState) {
		if ts != nil {
			d = ts.depth
		}
	})
	return d
}

// CurrentSource is g_main_current_source: the source whose callback is
// running on the calling goroutine, or nil.
func CurrentSource() *Source {
	var s *Source
	peekThread(func(_ int, ts *threadState) {
		if ts != nil {
			s = ts.current
		}
	})
	return s
}
