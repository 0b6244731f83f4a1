package object

import (
	"slices"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
)

// postedCall is one Post call waiting to run.
type postedCall struct {
	fn   func()
	prio int
}

// Post is QCoreApplication::postEvent(o, …, priority), or
// QMetaObject::invokeMethod(o, …, Qt::QueuedConnection): fn runs later on
// o's context, never inside Post, at the given mainloop priority (lower
// numbers first, FIFO within one priority). The call follows o: if o moves
// to another context before it runs (MoveToContext), it runs there, in
// posting order; if o is destroyed first, it never runs (OBJ-03, OBJ-05).
// A nil fn logs a critical. It may be called from any goroutine.
func (o *Object) Post(priority int, fn func()) {
	if o == nil {
		nilObject("QCoreApplication::postEvent")
		return
	}
	if fn == nil {
		logging.Critical(pkg, "QCoreApplication::postEvent: Unexpected null event")
		return
	}
	o.init()
	pc := &postedCall{fn: fn, prio: priority}
	o.mu.Lock()
	if o.IsDestroyed() {
		o.mu.Unlock()
		return
	}
	x := o.ext()
	x.posts = append(x.posts, pc)
	ctx := o.ctx.Load()
	o.mu.Unlock()
	ctx.Post(priority, func() { o.runPosted(pc) })
}

// runPosted runs pc if it is still o's: not moved to another context
// (then a new call runs it there) and o not destroyed.
func (o *Object) runPosted(pc *postedCall) {
	o.mu.Lock()
	x := o.peek()
	i := slices.Index(x.posts, pc)
	if i < 0 {
		o.mu.Unlock()
		return
	}
	x.posts = slices.Delete(x.posts, i, i+1)
	o.mu.Unlock()
	pc.fn()
}

// repost moves o's posted calls to c, keeping their order: the calls
// already queued on the old context find theirs gone and do nothing.
func (o *Object) repost(c *mainloop.Context) {
	o.mu.Lock()
	x := o.peek()
	old := x.posts
	if len(old) == 0 {
		o.mu.Unlock()
		return
	}
	moved := make([]*postedCall, len(old))
	for i, pc := range old {
		moved[i] = &postedCall{fn: pc.fn, prio: pc.prio}
	}
	x.posts = moved
	o.mu.Unlock()
	for _, pc := range moved {
		c.Post(pc.prio, func() { o.runPosted(pc) })
	}
}
