package object_test

import (
	"testing"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
)

// TestMoveToThreadPosted_OBJ05 is tst_qobject moveToThread's second and
// third parts: calls posted to an object and to its child before the
// object moves run on the new context (none on the old one), and a queued
// DeleteLater posted there deletes both, clearing their weak references.
func TestMoveToThreadPosted_OBJ05(t *testing.T) {
	oldCtx, newCtx := mainloop.NewContext(), mainloop.NewContext()
	obj := object.New()
	obj.MoveToContext(oldCtx)
	child := object.New()
	child.MoveToContext(oldCtx)
	child.SetParent(obj)
	ran := map[string]*mainloop.Context{}
	where := func(name string) func() {
		return func() {
			for _, c := range []*mainloop.Context{oldCtx, newCtx} {
				if c.IsOwner() {
					ran[name] = c
				}
			}
		}
	}
	child.Post(mainloop.PriorityDefault, where("child"))
	obj.Post(mainloop.PriorityDefault, where("object"))
	if err := obj.MoveToContext(newCtx); err != nil {
		t.Fatal(err)
	}
	if obj.MainContext() != newCtx || child.MainContext() != newCtx {
		t.Fatal("not moved")
	}
	pump(oldCtx)
	if len(ran) != 0 {
		t.Fatalf("posted calls ran on the old context: %v", ran)
	}
	pump(newCtx)
	if ran["object"] != newCtx || ran["child"] != newCtx {
		t.Fatalf("posted calls ran on %v, want the new context", ran)
	}

	op, cp := object.NewWeakRef(obj), object.NewWeakRef(child)
	obj.Post(mainloop.PriorityDefault, obj.DeleteLater)
	loop := mainloop.New(newCtx)
	obj.Destroyed.Connect(func(*object.Object) { loop.Quit() })
	loop.Run()
	if op.Get() != nil || cp.Get() != nil {
		t.Fatal("the moved objects were not deleted")
	}
}

// TestPost: a posted call never runs inside Post, runs in posting order
// within a priority, better priorities first, and not at all once the
// object is destroyed; a nil function logs a critical.
func TestPost(t *testing.T) {
	ctx := mainloop.NewContext()
	o := object.New()
	o.MoveToContext(ctx)
	var got []string
	ctx.Acquire()
	o.Post(mainloop.PriorityDefault, func() { got = append(got, "a") })
	o.Post(mainloop.PriorityDefault, func() { got = append(got, "b") })
	o.Post(mainloop.PriorityHigh, func() { got = append(got, "high") })
	ctx.Release()
	if len(got) != 0 {
		t.Fatal("ran inside Post")
	}
	pump(ctx)
	if len(got) != 3 || got[0] != "high" || got[1] != "a" || got[2] != "b" {
		t.Fatalf("order %v", got)
	}
	o.Post(mainloop.PriorityDefault, func() { t.Error("ran after Destroy") })
	o.Destroy()
	pump(ctx)
	o.Post(mainloop.PriorityDefault, func() { t.Error("posted to a destroyed object ran") })
	pump(ctx)
	c := logging.StartCapture()
	o.Post(0, nil)
	var nilObj *object.Object
	nilObj.Post(0, func() {})
	c.Stop()
	if c.Count("critical", "postEvent") != 2 {
		t.Fatal(c.Records())
	}
}
