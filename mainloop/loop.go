package mainloop

import (
	"fmt"
	"sync/atomic"

	"github.com/sigloop/sigloop/internal/logging"
)

// Loop is GMainLoop (and QEventLoop): it runs a Context's iterations until
// Quit (or Exit). Its methods may be called from any goroutine. The zero
// value is usable: a Loop on the global default context, not running. A
// nil *Loop logs a critical and does nothing (IsRunning false, Exec -1).
type Loop struct {
	ctx     *Context
	running atomic.Bool
	inExec  atomic.Bool  // an Exec is running (QEventLoop's "already called exec()")
	code    atomic.Int64 // the code given to Exit, returned by Exec
}

// New is g_main_loop_new: a loop on ctx (nil: the global default). A new loop
// is not running.
func New(ctx *Context) *Loop { return &Loop{ctx: orDefault(ctx)} }

func nilLoop(fn string) { logging.Critical(pkg, fn+": assertion 'loop != NULL' failed") }

// context is l's context: the global default for a zero Loop.
func (l *Loop) context() *Context { return orDefault(l.ctx) }

// MainContext is g_main_loop_get_context.
func (l *Loop) MainContext() *Context {
	if l == nil {
		nilLoop("g_main_loop_get_context")
		return nil
	}
	return l.context()
}

// IsRunning is g_main_loop_is_running (QEventLoop::isRunning): true from
// the start of Run or Exec until Quit or Exit.
func (l *Loop) IsRunning() bool {
	if l == nil {
		nilLoop("g_main_loop_is_running")
		return false
	}
	return l.running.Load()
}

// Run is g_main_loop_run: it marks the loop running, waits to own its
// context if another goroutine does (giving up if the loop is quit
// meanwhile), and iterates until Quit (ML-10, ML-11). It may be called from
// inside a callback of the same context, which runs a nested loop (ML-9); a
// Quit issued before Run has no effect. While it iterates, LoopLevel counts
// it.
//
// If a callback panics, the panic propagates out of Run; the context is
// released and the loop is no longer running.
func (l *Loop) Run() {
	if l == nil {
		nilLoop("g_main_loop_run")
		return
	}
	c := l.context()
	ts := lockThread()
	defer ts.unlock()
	l.running.Store(true)
	if !c.acquireWait(ts, l) {
		return
	}
	defer c.releaseTS(ts)
	if c.inPrepareOrCheck > 0 {
		logging.Warning(pkg, "g_main_loop_run(): called recursively from within a source's check() or prepare() member, iteration not possible.")
		return
	}
	finished := false
	ts.loops++
	defer func() {
		ts.loops--
		if !finished {
			l.running.Store(false)
		}
	}()
	for l.running.Load() {
		c.iterate(true, true, ts)
	}
	finished = true
}

// Quit is g_main_loop_quit (QEventLoop::quit, which is Exit(0)): Run
// returns after the current iteration (a source already chosen for
// dispatch in it still runs). It works from any goroutine; quitting an
// outer loop while a nested one runs takes effect when control returns to
// the outer loop.
func (l *Loop) Quit() {
	if l == nil {
		nilLoop("g_main_loop_quit")
		return
	}
	l.quit(0)
}

func (l *Loop) quit(code int) {
	l.code.Store(int64(code))
	l.running.Store(false)
	c := l.context()
	c.mu.Lock()
	c.cond.Broadcast()
	c.mu.Unlock()
	c.Wakeup()
}

// Exec is QEventLoop::exec: it runs the loop as Run does and returns the
// code given to the Exit that ended it (0 for Quit) (EVL-01). As in Qt, an
// Exit issued before Exec is lost, the loop can be executed again after
// Exec returned, and a second Exec of a loop whose Exec is running logs
// Qt's warning and returns -1 at once. Nested Exec calls of different
// loops end one at a time, innermost first (EVL-03).
func (l *Loop) Exec() int {
	if l == nil {
		nilLoop("QEventLoop::exec")
		return -1
	}
	if !l.inExec.CompareAndSwap(false, true) {
		logging.Warning(pkg, fmt.Sprintf("QEventLoop::exec: instance %p has already called exec()", l))
		return -1
	}
	defer l.inExec.Store(false)
	l.code.Store(0)
	l.Run()
	return int(l.code.Load())
}

// Exit is QEventLoop::exit: the running Exec (or Run) returns after the
// current iteration, and Exec returns code (EVL-02). Like Quit it works from
// any goroutine and returns at once.
func (l *Loop) Exit(code int) {
	if l == nil {
		nilLoop("QEventLoop::exit")
		return
	}
	l.quit(code)
}
