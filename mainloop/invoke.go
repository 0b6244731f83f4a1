package mainloop

import "github.com/sigloop/sigloop/internal/logging"

// invokeQueue holds the calls queued by Invoke/InvokeFull at one priority.
// It stands in for the one-shot idle source per call that
// g_main_context_invoke attaches: one internal source per priority drains
// the queue, and behaves as if each call were its own source (ML-2, ML-4,
// ML-8): the calls queued before the check run in order in that iteration,
// calls queued later run in a later one, and a nested loop started by one
// call goes on with the calls after it.
type invokeQueue struct {
	c   *Context
	src *Source
	seq uint64 // seq of the last queued item; guarded by c.mu
	q   []invokeItem

	// Owner only: the items taken from q for dispatch, and the next one.
	batch []invokeItem
	pos   int
	again []invokeItem // InvokeFull calls that asked to run again
	// stopCur is set when the running call destroys CurrentSource(), as
	// GLib code may do to its invoke idle: the call is not repeated.
	stopCur bool
}

type invokeItem struct {
	fn   func()
	fnb  func() bool
	fnd  func(any) // PostData's, called with data
	data any
	name string // PostDataNamed's: the queue's source is so named while fnd runs
	seq  uint64
}

// hasWork needs c.mu (and is called by the owner).
func (iq *invokeQueue) hasWork() bool { return len(iq.q) > 0 || iq.pos < len(iq.batch) }

// invokeQueueFor needs c.mu.
func (c *Context) invokeQueueFor(prio int) *invokeQueue {
	if prio == PriorityDefault && c.invDefault != nil {
		return c.invDefault
	}
	pl := c.prioListFor(prio, true)
	if pl.inv == nil {
		iq := &invokeQueue{c: c}
		iq.src = &Source{priority: prio, readyTime: -1, canRecurse: true, name: "GMainContext invoke queue", invoke: iq}
		iq.src.funcs.Dispatch = iq.dispatch
		iq.src.ctx.Store(c)
		pl.inv = iq
		if prio == PriorityDefault {
			c.invDefault = iq
		}
	}
	return pl.inv
}

func (c *Context) enqueue(prio int, it invokeItem) {
	c.mu.Lock()
	iq := c.invokeQueueFor(prio)
	iq.seq++
	it.seq = iq.seq
	iq.q = append(iq.q, it)
	c.mu.Unlock()
	c.Wakeup()
}

// dispatch runs the calls whose seq is at most the limit the check recorded.
func (iq *invokeQueue) dispatch(s *Source, _ SourceFunc) bool {
	c := iq.c
	limit := s.invLimit
	defer iq.requeue()
	for {
		if iq.pos >= len(iq.batch) {
			// Every item of batch was zeroed as it was taken: it holds
			// no references, and may become the queue's slice.
			iq.batch, iq.pos = iq.batch[:0], 0
			c.mu.Lock()
			n := 0
			for n < len(iq.q) && iq.q[n].seq <= limit {
				n++
			}
			switch n {
			case 0: // none is due: the rest came after the check
				c.mu.Unlock()
				return true
			case len(iq.q):
				// The usual case, every queued call is due: the two
				// slices change places, with nothing copied.
				iq.batch, iq.q = iq.q, iq.batch
			default:
				iq.batch = append(iq.batch, iq.q[:n]...)
				rest := copy(iq.q, iq.q[n:])
				clear(iq.q[rest:])
				iq.q = iq.q[:rest]
			}
			c.mu.Unlock()
		}
		it := iq.batch[iq.pos]
		iq.batch[iq.pos] = invokeItem{}
		iq.pos++
		if it.fn != nil {
			it.fn()
			continue
		}
		if it.fnd != nil {
			if it.name == "" {
				it.fnd(it.data)
				continue
			}
			c.mu.Lock()
			prev := s.name
			s.name = it.name
			c.mu.Unlock()
			it.fnd(it.data)
			c.mu.Lock()
			s.name = prev
			c.mu.Unlock()
			continue
		}
		prev := iq.stopCur
		iq.stopCur = false
		again := it.fnb()
		stopped := iq.stopCur
		iq.stopCur = prev
		if again && !stopped {
			iq.again = append(iq.again, it)
		}
	}
}

// destroyCurrent is Destroy on the queue's source, which callers see as
// their own source (CurrentSource): it stops the running call from being
// repeated, as destroying its idle would in GLib, and leaves the queue.
func (iq *invokeQueue) destroyCurrent() {
	if iq.c.IsOwner() {
		iq.stopCur = true
	}
}

// requeue puts the calls that asked to run again back at the head of the
// queue, before those queued after them.
func (iq *invokeQueue) requeue() {
	if len(iq.again) == 0 {
		return
	}
	c := iq.c
	c.mu.Lock()
	iq.q = append(iq.again, iq.q...)
	c.mu.Unlock()
	iq.again = nil
}

// Invoke is g_main_context_invoke: fn runs on c (nil: the global default).
// If the calling goroutine owns c, fn runs now; else if c is the caller's
// context (ThreadDefault) and can be acquired, fn runs now with c acquired;
// otherwise fn is queued and runs on c's next iterations at PriorityDefault
// (ML-18, ML-1). Queued calls run in the order they were queued. So from a
// worker goroutine (which owns and pushed nothing) Invoke on Default() runs
// fn right there whenever Default() is momentarily free; Post always queues.
func (c *Context) Invoke(fn func()) {
	c = orDefault(c)
	if fn == nil {
		logging.Critical(pkg, "g_main_context_invoke: assertion 'function != NULL' failed")
		return
	}
	it := invokeItem{fn: fn}
	if c.invokeDirect(it) {
		return
	}
	c.enqueue(PriorityDefault, it)
}

// InvokeFull is g_main_context_invoke_full: like Invoke, at the given
// priority, and fn is called again while it returns true (SourceContinue).
//
// Its body repeats Invoke's on purpose: Invoke is the hot path of the
// flood benchmarks and stays a direct call with no shared helper between
// (a shared, not inlined helper measured 35 -> 53 ns/op on
// BenchmarkInvokeFlood, same run length).
func (c *Context) InvokeFull(priority int, fn func() bool) {
	c = orDefault(c)
	if fn == nil {
		logging.Critical(pkg, "g_main_context_invoke_full: assertion 'function != NULL' failed")
		return
	}
	it := invokeItem{fnb: fn}
	if c.invokeDirect(it) {
		return
	}
	c.enqueue(priority, it)
}

// Post queues fn to run on c (nil: the global default) at the given
// priority, even when the calling goroutine owns c: it never runs fn inside
// the call. It is Qt's QCoreApplication::postEvent and
// QMetaObject::invokeMethod with Qt::QueuedConnection, or GLib's
// g_idle_add_full on c, without a Source per call. Calls posted at one
// priority run in the order they were posted, each in an iteration after
// the one that posted it (ML-4).
func (c *Context) Post(priority int, fn func()) {
	c = orDefault(c)
	if fn == nil {
		logging.Critical(pkg, "Post: assertion 'function != NULL' failed")
		return
	}
	c.enqueue(priority, invokeItem{fn: fn})
}

// PostData is Post with the function and its data apart, as
// g_main_context_invoke_full and g_idle_add_full take them: fn(data) runs
// on c at the priority, in an iteration after this one. A func that is not
// a closure and a pointer as data queue without an allocation, where a
// closure or a method value such as t.done allocates one per call; that
// is what an async operation's completion, posted once per operation,
// needs.
func (c *Context) PostData(priority int, fn func(data any), data any) {
	c = orDefault(c)
	if fn == nil {
		logging.Critical(pkg, "PostData: assertion 'function != NULL' failed")
		return
	}
	c.enqueue(priority, invokeItem{fnd: fn, data: data})
}

// PostDataNamed is PostData for a call whose source is named while it
// runs: inside fn, CurrentSource().Name() is name, as for an idle named
// with g_source_set_name (GLib names the idle that delivers a GTask so).
// It allocates no more than PostData (the queue's source is renamed under
// the context's lock before and after fn); "" is PostData.
func (c *Context) PostDataNamed(priority int, name string, fn func(data any), data any) {
	c = orDefault(c)
	if fn == nil {
		logging.Critical(pkg, "PostDataNamed: assertion 'function != NULL' failed")
		return
	}
	c.enqueue(priority, invokeItem{fnd: fn, data: data, name: name})
}

// invokeDirect runs fn now if the caller owns c, or if c is the caller's
// context and is free (ML-18), and reports whether it did.
func (c *Context) invokeDirect(it invokeItem) bool {
	if c.owner.Load() != 0 {
		if !c.ownedByCaller() {
			return false // the common cross-goroutine case: no thread-state lookup
		}
		it.runAll()
		return true
	}
	var ts *threadState
	peekThread(func(_ int64, t *threadState) { ts = t })
	if top := ts.top(); top != c && !(top == nil && c == Default()) {
		return false
	}
	if !c.Acquire() {
		return false
	}
	defer c.Release()
	it.runAll()
	return true
}

// runAll calls the item, again and again while it asks to (ML-18).
func (it invokeItem) runAll() {
	if it.fn != nil {
		it.fn()
		return
	}
	if it.fnd != nil {
		it.fnd(it.data)
		return
	}
	for it.fnb() {
	}
}
