package cancellable

import (
	"runtime"
	"strconv"
	"sync"

	"github.com/sigloop/sigloop/internal/logging"
)

// The stacks of PushCurrent are per goroutine (GLib's are per thread). Go has
// no goroutine-local storage, so they are kept in a map keyed by goroutine
// id. Push, pop and Current cost a short stack read (about a microsecond);
// they are for porting code that relies on g_cancellable_get_current.
var currents sync.Map // goroutine id → []*Cancellable

func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	// "goroutine 123 [running]:..."
	b = b[len("goroutine "):]
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	id, _ := strconv.ParseUint(string(b[:i]), 10, 64)
	return id
}

// PushCurrent is g_cancellable_push_current (CAN-9): it makes c the calling
// goroutine's current cancellable, for code that has no cancellable
// parameter, until the matching PopCurrent on the same goroutine. Pushing nil
// logs a critical.
func (c *Cancellable) PushCurrent() {
	if c == nil {
		logging.Critical(pkg, "g_cancellable_push_current: assertion 'cancellable != NULL' failed")
		return
	}
	id := goid()
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
	id := goid()
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
	if len(stack) == 1 {
		currents.Delete(id)
		return
	}
	currents.Store(id, stack[:len(stack)-1:len(stack)-1])
}

// Current is g_cancellable_get_current: the top of the calling goroutine's
// PushCurrent stack, or nil.
func Current() *Cancellable {
	v, ok := currents.Load(goid())
	if !ok {
		return nil
	}
	stack := v.([]*Cancellable)
	return stack[len(stack)-1]
}
