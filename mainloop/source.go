package mainloop

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/sigloop/sigloop/internal/logging"
)

// SourceFuncs is GSourceFuncs: the functions that make a custom source. Any
// field may be nil, so the zero value is usable (a source that is never
// ready by itself and calls its callback when dispatched). Prepare, Check and Dispatch run on the goroutine that
// dispatches the source's context, with no sigloop lock held, so they may
// call any sigloop function.
type SourceFuncs struct {
	// Prepare reports whether the source is ready without polling, and
	// otherwise the longest the poll may wait for it (< 0: no limit).
	Prepare func(s *Source) (ready bool, timeout time.Duration)
	// Check reports, after the poll, whether the source is ready.
	Check func(s *Source) bool
	// Dispatch runs the source; callback is the one set with SetCallback
	// (nil if none). It returns false to destroy the source. When nil, the
	// callback is called directly.
	Dispatch func(s *Source, callback SourceFunc) bool
	// Finalize runs once, after the source is destroyed and no dispatch of
	// it is running.
	Finalize func(s *Source)
}

// Source is GSource: something a Context dispatches when it is ready. Make
// one with NewSource or one of the New…Source functions, set it up, and
// Attach it. Its methods may be called from any goroutine. The zero value
// is not usable: its setters and getters work, but Attach refuses it with
// a critical. A nil *Source logs GLib's critical from every method.
type Source struct {
	funcs   SourceFuncs
	handler SourceHandler // NewSourceHandler's; its Finalize runs instead of funcs.Finalize
	ctx     atomic.Pointer[Context]
	id      atomic.Uint64

	destroyed atomic.Bool

	// Guarded by the context's mu once attached, by detachedMu before.
	callback    SourceFunc
	priority    int
	name        string
	readyTime   int64
	canRecurse  bool
	blockCount  int
	inCall      bool
	ready       bool
	dispatching int
	finalized   bool
	parent      *Source
	children    []*Source
	fds         []*unixFD
	spareFD     *unixFD // a removed watch's storage, for the next (c.mu)
	onDestroy   func()  // internal sources' extra teardown; runs under c.mu, must not call into c

	invoke   *invokeQueue // set on a context's internal invoke-queue source
	invLimit uint64       // invoke-queue source: the limit of the current dispatch

	list *prioList // the context list s is in, nil if none; under c.mu
	// links[0] links s in list.all, links[1] in list.active: the sources
	// prepare and check must look at (see needsScan). A source that only
	// an fd can make ready is not in the active list; the poll reports it
	// (Context.hits).
	links    [2]srcLinks
	ord      uint64 // s's place in list: ascending along it
	inActive bool
	hitIter  uint64 // the iteration whose poll reported s (Context.iter)
}

// needsScan reports whether prepare and check must look at s on every
// iteration: it has Prepare or Check, a ready time or children, or is
// ready from an earlier iteration. Any other source becomes ready only by
// an fd watch the poll reports. Guarded like s's fields.
func (s *Source) needsScan() bool {
	return s.funcs.Prepare != nil || s.funcs.Check != nil || s.readyTime != -1 || s.ready || len(s.children) > 0
}

// detachedMu guards the fields of sources that are not attached yet.
var detachedMu sync.Mutex

// lockCtx locks the mutex that guards s's fields and returns s's context (nil
// if s is not attached).
func (s *Source) lockCtx() *Context {
	for {
		if c := s.ctx.Load(); c != nil {
			c.mu.Lock()
			return c
		}
		detachedMu.Lock()
		if s.ctx.Load() == nil {
			return nil
		}
		detachedMu.Unlock()
	}
}

func unlockCtx(c *Context) {
	if c != nil {
		c.mu.Unlock()
	} else {
		detachedMu.Unlock()
	}
}

func defaultDispatch(s *Source, cb SourceFunc) bool {
	if cb == nil {
		return false
	}
	return cb()
}

// SourceHandler is the state of a custom source that is ready only through
// its fd watches, its ready time or its children (no prepare or check
// function): Dispatch and Finalize are its GSourceFuncs dispatch and
// finalize, as SourceFuncs' fields of those names describe them.
type SourceHandler interface {
	Dispatch(s *Source, callback SourceFunc) bool
	Finalize(s *Source)
}

// NewSourceHandler is g_source_new with h as the source's functions, at
// PriorityDefault, with no ready time. It is NewSource(SourceFuncs{Dispatch:
// h.Dispatch, Finalize: h.Finalize}) without the two method values, which
// cost an allocation each: for a source made per operation, as a socket
// read that has to wait makes one.
func NewSourceHandler(h SourceHandler) *Source {
	return &Source{funcs: SourceFuncs{Dispatch: handlerDispatch}, handler: h, priority: PriorityDefault, readyTime: -1}
}

func handlerDispatch(s *Source, cb SourceFunc) bool { return s.handler.Dispatch(s, cb) }

// NewSource is g_source_new: a custom source with the given functions, at
// PriorityDefault, with no ready time (ML-1).
func NewSource(funcs SourceFuncs) *Source {
	if funcs.Dispatch == nil {
		funcs.Dispatch = defaultDispatch
	}
	return &Source{funcs: funcs, priority: PriorityDefault, readyTime: -1}
}

// Attach is g_source_attach: it adds s (and its children) to c (nil: the
// global default) and returns its id, unique among c's live sources (ML-6).
// A source can be attached once; a destroyed source cannot be attached.
func (s *Source) Attach(c *Context) SourceID {
	if s == nil {
		logging.Critical(pkg, "g_source_attach: assertion 'source != NULL' failed")
		return 0
	}
	if s.funcs.Dispatch == nil { // a zero Source: not made by NewSource
		logging.Critical(pkg, "g_source_attach: a zero Source cannot be attached; make one with NewSource")
		return 0
	}
	c = orDefault(c)
	detachedMu.Lock()
	if s.ctx.Load() != nil {
		detachedMu.Unlock()
		logging.Critical(pkg, "g_source_attach: assertion 'source->context == NULL' failed")
		return 0
	}
	if s.destroyed.Load() {
		detachedMu.Unlock()
		logging.Critical(pkg, "g_source_attach: assertion '!SOURCE_DESTROYED (source)' failed")
		return 0
	}
	c.mu.Lock()
	id := c.attachLocked(s)
	c.mu.Unlock()
	detachedMu.Unlock()
	c.wakeIfForeign()
	return id
}

// attachLocked needs detachedMu and c.mu.
func (c *Context) attachLocked(s *Source) SourceID {
	id := c.allocID()
	s.id.Store(uint64(id))
	c.byID[id] = s
	s.ctx.Store(c)
	c.addToList(s)
	for _, t := range s.fds {
		c.registerFD(t)
	}
	for _, ch := range s.children {
		if ch.ctx.Load() == nil && !ch.destroyed.Load() {
			c.attachLocked(ch)
		}
	}
	return id
}

// Destroy is g_source_destroy: it removes s from its context, drops its
// callback, destroys its children and, once no dispatch of it is running,
// runs its Finalize (ML-7). It is idempotent and may be called from any
// goroutine, including from s's own callback.
func (s *Source) Destroy() {
	if s == nil {
		logging.Critical(pkg, "g_source_destroy: assertion 'source != NULL' failed")
		return
	}
	if s.invoke != nil {
		s.invoke.destroyCurrent()
		return
	}
	c := s.lockCtx()
	var finBuf [2]*Source // s and a child, without an allocation
	fin := finBuf[:0]
	if c == nil {
		var children []*Source
		var onDestroy func()
		if !s.destroyed.Load() {
			s.destroyed.Store(true)
			s.callback = nil
			children = s.children
			onDestroy, s.onDestroy = s.onDestroy, nil
			if !s.finalized {
				s.finalized = true
				fin = append(fin, s)
			}
		}
		unlockCtx(nil)
		if onDestroy != nil {
			onDestroy() // a never-attached signal source leaves the hub too
		}
		for _, ch := range children {
			ch.Destroy()
		}
	} else {
		fin = c.destroyLocked(s, nil)
		c.mu.Unlock()
	}
	runFinalizers(fin)
}

// destroyLocked needs c.mu; it returns fin plus the sources to finalize,
// which the caller finalizes after unlocking.
func (c *Context) destroyLocked(s *Source, fin []*Source) []*Source {
	if s.destroyed.Load() {
		return fin
	}
	s.destroyed.Store(true)
	s.callback = nil
	s.ready = false
	c.removeFromList(s)
	if id := SourceID(s.id.Load()); id != 0 && c.byID[id] == s {
		delete(c.byID, id)
	}
	for _, t := range s.fds {
		c.unregisterFD(t)
	}
	for _, ch := range s.children {
		fin = c.destroyLocked(ch, fin)
	}
	if s.onDestroy != nil {
		f := s.onDestroy
		s.onDestroy = nil
		defer f()
	}
	if s.dispatching == 0 && !s.finalized {
		s.finalized = true
		fin = append(fin, s)
	}
	return fin
}

// IsDestroyed is g_source_is_destroyed.
func (s *Source) IsDestroyed() bool {
	if s == nil {
		nilSource("g_source_is_destroyed")
		return true
	}
	return s.destroyed.Load()
}

// ID is g_source_get_id: the id Attach returned, 0 before.
func (s *Source) ID() SourceID {
	if s == nil {
		nilSource("g_source_get_id")
		return 0
	}
	return SourceID(s.id.Load())
}

// MainContext is g_source_get_context: the context s is attached to, nil before
// Attach. It stays set after Destroy (ML-7).
func (s *Source) MainContext() *Context {
	if s == nil {
		nilSource("g_source_get_context")
		return nil
	}
	return s.ctx.Load()
}

// nilSource logs GLib's critical for fn called on a nil *Source (its
// g_return_if_fail (source != NULL)); the method then does nothing and
// returns GLib's value for that case.
func nilSource(fn string) {
	logging.Critical(pkg, fn+": assertion 'source != NULL' failed")
}

// SetCallback is g_source_set_callback.
func (s *Source) SetCallback(fn SourceFunc) {
	if s == nil {
		nilSource("g_source_set_callback")
		return
	}
	c := s.lockCtx()
	if !s.destroyed.Load() {
		s.callback = fn
	}
	unlockCtx(c)
}

// SetPriority is g_source_set_priority. A child source's priority follows
// its parent's and cannot be set (ML-16).
func (s *Source) SetPriority(p int) {
	if s == nil {
		nilSource("g_source_set_priority")
		return
	}
	if s.invoke != nil {
		logging.Critical(pkg, "g_source_set_priority: the source of a queued Invoke call cannot be changed")
		return
	}
	c := s.lockCtx()
	if s.parent != nil {
		unlockCtx(c)
		logging.Critical(pkg, "g_source_set_priority: assertion 'source->priv->parent_source == NULL' failed")
		return
	}
	s.setPriorityLocked(c, p)
	unlockCtx(c)
	if c != nil {
		c.wakeIfForeign()
	}
}

func (s *Source) setPriorityLocked(c *Context, p int) {
	if c != nil && !s.destroyed.Load() {
		c.removeFromList(s)
		s.priority = p
		c.addToList(s)
	} else {
		s.priority = p
	}
	for _, ch := range s.children {
		ch.setPriorityLocked(c, p)
	}
}

// sourceGet is the body of Source's plain getters: GLib's critical and
// zero for a nil s, else get under the lock of s's context.
func sourceGet[T any](s *Source, fn string, zero T, get func() T) T {
	if s == nil {
		nilSource(fn)
		return zero
	}
	c := s.lockCtx()
	defer unlockCtx(c)
	return get()
}

// sourceSet is the body of Source's plain setters: GLib's critical for a
// nil s, else set under the lock of s's context.
func sourceSet(s *Source, fn string, set func()) {
	if s == nil {
		nilSource(fn)
		return
	}
	c := s.lockCtx()
	set()
	unlockCtx(c)
}

// Priority is g_source_get_priority.
func (s *Source) Priority() int {
	return sourceGet(s, "g_source_get_priority", 0, func() int { return s.priority })
}

// SetName is g_source_set_name.
func (s *Source) SetName(name string) {
	sourceSet(s, "g_source_set_name", func() { s.name = name })
}

// Name is g_source_get_name.
func (s *Source) Name() string {
	return sourceGet(s, "g_source_get_name", "", func() string { return s.name })
}

// SetReadyTime is g_source_set_ready_time: s becomes ready once the
// monotonic clock reaches us microseconds; 0 or a past time means at the
// next iteration (so does any negative value but -1), -1 means never
// (ML-13). Dispatching does not reset it.
func (s *Source) SetReadyTime(us int64) {
	if s == nil {
		nilSource("g_source_set_ready_time")
		return
	}
	c := s.lockCtx()
	if s.readyTime == us || s.destroyed.Load() {
		unlockCtx(c)
		return
	}
	s.readyTime = us
	if c != nil && us != -1 {
		c.activate(s)
	}
	unlockCtx(c)
	if c != nil {
		c.wakeIfForeign()
	}
}

// ReadyTime is g_source_get_ready_time: -1 when none is set.
func (s *Source) ReadyTime() int64 {
	return sourceGet(s, "g_source_get_ready_time", -1, func() int64 { return s.readyTime })
}

// SetCanRecurse is g_source_set_can_recurse: whether s may be dispatched
// again (by a nested loop) while its callback runs (ML-8).
func (s *Source) SetCanRecurse(b bool) {
	sourceSet(s, "g_source_set_can_recurse", func() { s.canRecurse = b })
}

// CanRecurse is g_source_get_can_recurse.
func (s *Source) CanRecurse() bool {
	return sourceGet(s, "g_source_get_can_recurse", false, func() bool { return s.canRecurse })
}

// Time is g_source_get_time: the monotonic time in microseconds cached by
// the context for the current iteration, the same for every source
// dispatched in it (ML-14). It stays valid after s has destroyed itself.
// Outside a dispatch of its context it is MonotonicTime().
func (s *Source) Time() int64 {
	if s == nil {
		nilSource("g_source_get_time")
		return 0
	}
	c := s.ctx.Load()
	if c == nil {
		logging.Critical(pkg, "g_source_get_time: assertion 'source->context != NULL' failed")
		return MonotonicTime()
	}
	return c.IterationTime()
}

// AddChildSource is g_source_add_child_source: child gets s's priority
// (and follows later changes), is attached to s's context, makes s ready
// when it is ready, is blocked while s dispatches and is destroyed with s
// (ML-16).
func (s *Source) AddChildSource(child *Source) {
	if s == nil {
		nilSource("g_source_add_child_source")
		return
	}
	if child == nil || child == s {
		logging.Critical(pkg, "g_source_add_child_source: assertion 'child_source != NULL' failed")
		return
	}
	detachedMu.Lock()
	c := s.ctx.Load()
	if c != nil {
		c.mu.Lock()
	}
	var msg string
	switch {
	case s.invoke != nil:
		msg = "g_source_add_child_source: the source of a queued Invoke call cannot have children"
	case s.destroyed.Load():
		msg = "g_source_add_child_source: assertion '!SOURCE_DESTROYED (source)' failed"
	case child.destroyed.Load():
		msg = "g_source_add_child_source: assertion '!SOURCE_DESTROYED (child_source)' failed"
	case child.ctx.Load() != nil:
		msg = "g_source_add_child_source: assertion 'child_source->context == NULL' failed"
	case child.parent != nil:
		msg = "g_source_add_child_source: assertion 'child_source->priv->parent_source == NULL' failed"
	}
	if msg == "" {
		s.children = append(s.children, child)
		child.parent = s
		child.setPriorityLocked(nil, s.priority)
		if c != nil {
			c.activate(s)
			c.attachLocked(child)
			if s.blockCount > 0 {
				for i := 0; i < s.blockCount; i++ {
					c.block(child)
				}
			}
		}
	}
	if c != nil {
		c.mu.Unlock()
	}
	detachedMu.Unlock()
	if msg != "" {
		logging.Critical(pkg, msg)
		return
	}
	if c != nil {
		c.wakeIfForeign()
	}
}

// RemoveChildSource is g_source_remove_child_source: it detaches child from
// s and destroys it.
func (s *Source) RemoveChildSource(child *Source) {
	if s == nil {
		nilSource("g_source_remove_child_source")
		return
	}
	c := s.lockCtx()
	found := false
	for i, ch := range s.children {
		if ch == child {
			s.children = append(s.children[:i], s.children[i+1:]...)
			found = true
			break
		}
	}
	if !found {
		unlockCtx(c)
		logging.Critical(pkg, "g_source_remove_child_source: assertion 'child_source->priv->parent_source == source' failed")
		return
	}
	child.parent = nil
	var fin []*Source
	if c != nil {
		fin = c.destroyLocked(child, nil)
		unlockCtx(c)
	} else {
		unlockCtx(nil)
		child.Destroy()
	}
	runFinalizers(fin)
}

// SourceID is a source's id within its context (GLib's guint source tag): never
// 0 for an attached source, and not reused while the source is attached (ML-6).
type SourceID uint
