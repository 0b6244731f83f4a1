package cancellable

import (
	"sync"

	"github.com/sigloop/sigloop/internal/goid"
	"github.com/sigloop/sigloop/internal/logging"
)

// The stacks of PushCurrent are per goroutine (GLib's are per thread), kept
// in a map under the goroutine's identity (internal/goid, the same identity
// mainloop uses for thread-default contexts). A goroutine must pop what it
// pushed before it exits.
var currents sync.Map // goroutine identity → []*Cancellable

// PushCurrent is g_cancellable_push_current (CAN-9): it makes c the calling
// goroutine's current cancellable, for code that has no cancellable
// parameter, until the matching PopCurrent on the same goroutine. Pushing nil
// logs a critical.
func (c *Cancellable) PushCurrent() {
	if c == nil {
		logging.Critical(pkg, "g_cancellable_push_current: assertion 'cancellable != NULL' failed")
		return
	}
	goid.Pin() // held until the matching PopCurrent
	id := goid.ID()
	var stack []*Cancellable
	if v, ok := currents.Load(id); ok {
		stack = v.([]*Cancellable)
	}
	currents.Store(id, append(stack[:len(stack):len(stack)], c))
}

// PopCurrent is g_cancellable_pop_current (CAN-9): it removes c from the top
// of the calling goroutine's stack. If c is not on top, it logs a critical
// and changes nothing.
func (c *Cancellable) PopCurrent() {
	goid.Pin()
	defer goid.Unpin()
	id := goid.ID()
	var stack []*Cancellable
	if v, ok := currents.Load(id); ok {
		stack = v.([]*Cancellable)
	}
	if len(stack) == 0 {
		logging.Critical(pkg, "g_cancellable_pop_current: assertion 'l != NULL' failed")
		return
	}
	if stack[len(stack)-1] != c {
		logging.Critical(pkg, "g_cancellable_pop_current: assertion 'l->data == cancellable' failed")
		return
	}
	defer goid.Unpin() // the Pin of the matching PushCurrent
	if len(stack) == 1 {
		currents.Delete(id)
		return
	}
	currents.Store(id, stack[:len(stack)-1:len(stack)-1])
}

// Current is g_cancellable_get_current: the top of the calling goroutine's
// PushCurrent stack, or nil.
func Current() *Cancellable {
	goid.Pin()
	defer goid.Unpin()
	v, ok := currents.Load(goid.ID())
	if !ok {
		return nil
	}
	stack := v.([]*Cancellable)
	return stack[len(stack)-1]
}
