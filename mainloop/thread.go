package mainloop

import (
	"sync"
	"sync/atomic"

	"github.com/sigloop/sigloop/internal/goid"
)

// threadState is what GLib keeps in thread-local storage: the stack of
// thread-default contexts and the dispatch depth. Go has no thread-locals;
// the state of a goroutine that owns, dispatches or pushes a context is kept
// in threads under the calling goroutine's identity (see internal/goid), and
// removed when it no longer owns or pushes anything. Only the goroutine
// itself can compute its identity, so only it finds, reads and writes its
// state.
type threadState struct {
	tid   int64 // the goroutine identity
	locks int
	// stack holds pushed thread-default contexts and, on top of them, the
	// contexts being dispatched; the top entry is the caller's context.
	stack []stackEntry
	depth int // g_main_depth
	loops int // Loop.Run/Exec calls running on this goroutine (LoopLevel)
	// inPrepareOrCheck counts calls into user Prepare/Check functions (ML-9).
	inPrepareOrCheck int
	current          *Source // g_main_current_source
}

type stackEntry struct {
	ctx    *Context
	pushed bool // PushThreadDefault (else: a dispatch)
}

var threads sync.Map // tid → *threadState

// lastThread caches the state most recently looked up in threads, so that
// the goroutine running a loop (which asks for its state several times per
// dispatched source: CurrentSource, ThreadDefault, Invoke) skips the map.
// Only a goroutine stores its own state here, and it clears the entry
// before its state leaves threads, so an entry whose tid is the caller's is
// the caller's live state.
var lastThread atomic.Pointer[threadState]

// lookupThread finds the state of the goroutine tid (the caller).
func lookupThread(tid int64) *threadState {
	if ts := lastThread.Load(); ts != nil && ts.tid == tid {
		return ts
	}
	v, ok := threads.Load(tid)
	if !ok {
		return nil
	}
	ts := v.(*threadState)
	lastThread.Store(ts)
	return ts
}

// lockThread returns the calling goroutine's state, creating it if needed,
// and keeps it (and, where identity is the thread id, the goroutine's OS
// thread) until the paired unlock, on the same goroutine.
func lockThread() *threadState {
	goid.Pin()
	tid := goid.ID()
	if ts := lookupThread(tid); ts != nil {
		ts.locks++
		return ts
	}
	ts := &threadState{tid: tid, locks: 1}
	threads.Store(tid, ts)
	lastThread.Store(ts)
	return ts
}

func (ts *threadState) unlock() {
	ts.locks--
	if ts.locks == 0 && len(ts.stack) == 0 {
		lastThread.CompareAndSwap(ts, nil)
		threads.Delete(ts.tid)
	}
	goid.Unpin()
}

// peekThread calls f with the calling goroutine's identity and its state (nil
// if it has none). Where the identity is the thread id, the goroutine is
// pinned to its thread meanwhile, so that it cannot observe another
// goroutine's state.
func peekThread(f func(tid int64, ts *threadState)) {
	goid.Pin()
	tid := goid.ID()
	ts := lookupThread(tid)
	if ts != nil && ts.locks == 0 && len(ts.stack) == 0 {
		ts = nil
	}
	f(tid, ts)
	goid.Unpin()
}

func (ts *threadState) top() *Context {
	if ts == nil || len(ts.stack) == 0 {
		return nil
	}
	return ts.stack[len(ts.stack)-1].ctx
}

// ThreadDefault is g_main_context_ref_thread_default (and stands in for
// g_main_context_get_thread_default, which differs only by returning NULL for
// the global default: compare with Default() for that): the caller's context.
// It is the context whose dispatch is running on the calling goroutine, or the
// one pushed on it with PushThreadDefault, whichever was entered last; if there
// is neither, it is Default(). It never returns nil.
func ThreadDefault() *Context {
	// peekThread's work, written out without its closure: every
	// object's creation asks.
	goid.Pin()
	c := lookupThread(goid.ID()).top()
	goid.Unpin()
	if c == nil {
		return Default()
	}
	return c
}

// Depth is g_main_depth: how many dispatches are running on the calling
// goroutine, 0 outside any callback, 1 inside one, 2 inside a callback
// dispatched by a loop nested in another callback, and so on.
func Depth() int { return threadCount(func(ts *threadState) int { return ts.depth }) }

// threadCount is f of the calling goroutine's state, 0 if it has none.
func threadCount(f func(ts *threadState) int) int {
	n := 0
	peekThread(func(_ int64, ts *threadState) {
		if ts != nil {
			n = f(ts)
		}
	})
	return n
}

// LoopLevel is Qt's loop level (QThreadData::loopLevel, once
// QCoreApplication::loopLevel): how many Loop.Run or Loop.Exec calls are
// running on the calling goroutine, 0 when it runs none (it may still
// dispatch with bare Context.Iteration calls). Deferred deletes use it
// (object's DeleteLater follows Qt: one posted while no loop runs waits for
// one, OBJ-06).
func LoopLevel() int { return threadCount(func(ts *threadState) int { return ts.loops }) }

// CurrentDispatch is the caller's thread-default context, and the context
// and time of CurrentSource (Source.MainContext, Source.Time), read in one
// look-up of the calling goroutine's state. def is what
// g_main_context_get_thread_default returns: the context ThreadDefault
// returns, but nil where that is the global default (Default() is not
// called, so it is not made). src is nil and t is 0 when the caller is
// dispatching no source. GLib has no such call: it is what g_task_new
// and g_task_return read (asyncresult makes one of each per operation,
// and a stream makes one operation per read or write), four look-ups in
// one.
func CurrentDispatch() (def, src *Context, t int64) {
	goid.Pin()
	tid := goid.ID()
	ts := lookupThread(tid)
	def = ts.top()
	if ts != nil && ts.current != nil {
		// As Source.Time reads it: the iteration's time when the
		// caller owns the context, as a dispatching goroutine does.
		src = ts.current.ctx.Load()
		if o := src.owner.Load(); o != 0 && o == tid {
			t = src.now()
		} else {
			t = MonotonicTime()
		}
	}
	goid.Unpin()
	return def, src, t
}

// CurrentSource is g_main_current_source: the source whose callback is
// running on the calling goroutine, or nil.
func CurrentSource() *Source {
	// peekThread's work, written out without its closure. A state
	// peekThread would hide (no locks, no stack) has no current source
	// either.
	goid.Pin()
	var s *Source
	if ts := lookupThread(goid.ID()); ts != nil {
		s = ts.current
	}
	goid.Unpin()
	return s
}
