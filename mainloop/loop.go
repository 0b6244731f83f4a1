package mainloop

import (
	"sync/atomic"

	"github.com/sigloop/sigloop/internal/logging"
)

// Loop is GMainLoop: it runs a Context's iterations until Quit. Its methods
// may be called from any goroutine.
type Loop struct {
	ctx     *Context
	running atomic.Bool
}

// New is g_main_loop_new: a loop on ctx (nil: the global default). A new loop
// is not running.
func New(ctx *Context) *Loop { return &Loop{ctx: orDefault(ctx)} }

// MainContext is g_main_loop_get_context.
func (l *Loop) MainContext() *Context { return l.ctx }

// IsRunning is g_main_loop_is_running.
func (l *Loop) IsRunning() bool { return l.running.Load() }

// Run is g_main_loop_run: it marks the loop running, waits to own its
// context if another goroutine does (giving up if the loop is quit
// meanwhile), and iterates until Quit (ML-10, ML-11). It may be called from
// inside a callback of the same context, which runs a nested loop (ML-9); a
// Quit issued before Run has no effect.
//
// If a callback panics, the panic propagates out of Run; the context is
// released and the loop is no longer running.
func (l *Loop) Run() {
	c := l.ctx
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
	defer func() {
		if !finished {
			l.running.Store(false)
		}
	}()
	for l.running.Load() {
		c.iterate(true, true, ts)
	}
	finished = true
}

// Quit is g_main_loop_quit: Run returns after the current iteration (a
// source already chosen for dispatch in it still runs). It works from any
// goroutine; quitting an outer loop while a nested one runs takes effect
// when control returns to the outer loop.
func (l *Loop) Quit() {
	l.running.Store(false)
	c := l.ctx
	c.mu.Lock()
	c.cond.Broadcast()
	c.mu.Unlock()
	c.Wakeup()
}
