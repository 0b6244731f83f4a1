package object

import (
	"sync"
	"time"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
)

// deferredDelete is a pending DeleteLater: Qt's posted DeferredDelete event.
type deferredDelete struct {
	src   *mainloop.Source
	ctx   *mainloop.Context
	level int // Qt's loop level + scope level at posting; 0: posted outside any loop
}

// deferred lists the pending DeleteLaters by context, for SendPostedDeletes.
var deferred struct {
	mu sync.Mutex
	m  map[*mainloop.Context]map[*Object]struct{}
}

// currentLevel is Qt's loopLevel + scopeLevel of the calling goroutine: the
// Loop.Run/Exec calls and the dispatches running on it.
func currentLevel() int { return mainloop.LoopLevel() + mainloop.Depth() }

// deliverable is Qt's rule for delivering a DeferredDelete event posted at
// level when the goroutine is at cur (OBJ-06): control is back at an outer
// level than the posting one, or it was posted outside any loop and some
// loop or dispatch now runs, or (flush: SendPostedDeletes) it was posted at
// this very level.
func deliverable(level, cur int, flush bool) bool {
	return level > cur || level == 0 && cur > 0 || flush && level == cur
}

// DeleteLater is QObject::deleteLater: o is destroyed on its context, later,
// once control is back at the loop level that called it or an outer one. It
// may be called from any goroutine, and repeatedly: the calls coalesce into
// one (OBJ-06). Qt's rules, which sigloop follows:
//
//   - Called from a callback dispatched by o's context, a nested loop run
//     from that callback (or deeper) does not destroy o, even one that
//     processes the queued call that asked; returning to the loop level
//     that called DeleteLater, or an outer one, does.
//   - Called while no loop runs on o's context's goroutine (before
//     Loop.Run or Exec, outside any dispatch, or from another goroutine),
//     it waits for a loop: bare Context.Iteration calls outside any
//     callback do not destroy o, a Loop.Run or Exec on the context does, as
//     does SendPostedDeletes.
//   - After the last loop has ended, o is not destroyed unless a loop runs
//     again.
//
// LoopLevel and Depth measure the levels (Qt's loopLevel and scopeLevel).
func (o *Object) DeleteLater() {
	if !o.setUp("QObject::deleteLater") {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.IsDestroyed() || o.peek().deleteLater != nil {
		return
	}
	ctx := o.ctx.Load()
	level := 0
	if ctx.IsOwner() {
		// Posted on the object's own goroutine: remember its level. Outside
		// any dispatch but inside a loop counts as one scope, as in Qt.
		loops, scope := mainloop.LoopLevel(), mainloop.Depth()
		if scope == 0 && loops != 0 {
			scope = 1
		}
		level = loops + scope
	}
	ready := func(*mainloop.Source) bool { return deliverable(level, currentLevel(), false) }
	dd := &deferredDelete{ctx: ctx, level: level}
	dd.src = mainloop.NewSource(mainloop.SourceFuncs{
		Prepare: func(s *mainloop.Source) (bool, time.Duration) { return ready(s), -1 },
		Check:   ready,
		Dispatch: func(*mainloop.Source, mainloop.SourceFunc) bool {
			if o.takeDeleteLater(dd) {
				o.Destroy()
			}
			return mainloop.SourceRemove
		},
	})
	dd.src.SetName("object: deleteLater")
	o.ext().deleteLater = dd
	deferred.mu.Lock()
	if deferred.m == nil {
		deferred.m = make(map[*mainloop.Context]map[*Object]struct{})
	}
	set := deferred.m[ctx]
	if set == nil {
		set = make(map[*Object]struct{})
		deferred.m[ctx] = set
	}
	set[o] = struct{}{}
	deferred.mu.Unlock()
	dd.src.Attach(ctx)
	// Like Qt's postEvent, wake the loop even from its own goroutine: a
	// DeleteLater from a Prepare (Qt's aboutToBlock) must not wait for
	// the poll to end for other reasons.
	ctx.Wakeup()
}

// takeDeleteLater clears o's pending DeleteLater if it is dd and reports
// whether it was.
func (o *Object) takeDeleteLater(dd *deferredDelete) bool {
	o.mu.Lock()
	x := o.peek()
	mine := x.deleteLater == dd
	if mine {
		x.deleteLater = nil
	}
	o.mu.Unlock()
	if mine {
		forgetDeferred(dd.ctx, o)
	}
	return mine
}

func forgetDeferred(ctx *mainloop.Context, o *Object) {
	deferred.mu.Lock()
	if set := deferred.m[ctx]; set != nil {
		delete(set, o)
		if len(set) == 0 {
			delete(deferred.m, ctx)
		}
	}
	deferred.mu.Unlock()
}

// cancelDeleteLater drops o's pending DeleteLater and reports whether there
// was one.
func (o *Object) cancelDeleteLater() bool {
	o.mu.Lock()
	dd := o.peek().deleteLater
	o.mu.Unlock()
	if dd == nil || !o.takeDeleteLater(dd) {
		return false
	}
	dd.src.Destroy()
	return true
}

// SendPostedDeletes is QCoreApplication::sendPostedEvents(nullptr,
// QEvent::DeferredDelete) for the objects living on c (nil: the caller's
// context, mainloop.ThreadDefault): it destroys now, in no particular
// order, each object whose DeleteLater is pending and deliverable at the
// caller's level, including those posted at this very level (which a loop
// iteration would not destroy yet). It must be called on c's goroutine: by
// its owner, or where c is free (then it acquires c meanwhile); otherwise
// it logs a critical and does nothing.
func SendPostedDeletes(c *mainloop.Context) {
	if c == nil {
		c = mainloop.ThreadDefault()
	}
	if !c.IsOwner() {
		if !c.Acquire() {
			logging.Critical(pkg, "QCoreApplication::sendPostedEvents: the context is owned by another goroutine")
			return
		}
		defer c.Release()
	}
	cur := currentLevel()
	deferred.mu.Lock()
	pending := make([]*Object, 0, len(deferred.m[c]))
	for o := range deferred.m[c] {
		pending = append(pending, o)
	}
	deferred.mu.Unlock()
	for _, o := range pending {
		o.mu.Lock()
		dd := o.peek().deleteLater
		o.mu.Unlock()
		if dd != nil && deliverable(dd.level, cur, true) && o.takeDeleteLater(dd) {
			dd.src.Destroy()
			o.Destroy()
		}
	}
}
