package object

import "weak"

// WeakRef is GWeakRef and QPointer: a reference to an Object that does not
// keep it alive and reads nil once the object's destruction has started
// (already inside its Destroyed handlers, OBJ-03) or the object was garbage
// collected. Safe for concurrent use. The zero value, and a nil *WeakRef,
// read nil.
type WeakRef struct {
	p weak.Pointer[Object]
}

// NewWeakRef is g_weak_ref_init.
func NewWeakRef(o *Object) *WeakRef {
	return &WeakRef{p: weak.Make(o)}
}

// Get is g_weak_ref_get: the object, or nil (also for a nil *WeakRef).
func (w *WeakRef) Get() *Object {
	if w == nil {
		return nil
	}
	o := w.p.Value()
	if o == nil || o.IsDestroyed() {
		return nil
	}
	return o
}
