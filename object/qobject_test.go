package object_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
)

// TestFindChildren_OBJ01 is tst_qobject findChildren's by-name part, on its
// tree (o; o1, o2, unnamed, t1 and emptyname under o; o11, o12 under o1;
// o111 under o11; t121 under o12, where t1 and t121 are Timers): FindChild
// finds each descendant by name, not o itself, nothing for an unknown
// name; FindChildren finds one of each; with "" (Qt's null name) it
// finds any: the first child, all nine descendants. The QRegularExpression,
// FindDirectChildrenOnly and typed (qFindChild<QTimer*>) lookups have no
// sigloop counterpart; Qt's empty-but-not-null name is Go's "" too.
func TestFindChildren_OBJ01(t *testing.T) {
	o := named("o", nil)
	o1, o2 := named("o1", o), named("o2", o)
	o11, o12 := named("o11", o1), named("o12", o1)
	o111 := named("o111", o11)
	named("", o) // unnamed
	t1 := object.NewTimer(o)
	t1.SetObjectName("t1")
	t121 := object.NewTimer(o12)
	t121.SetObjectName("t121")
	object.NewTimer(o) // emptyname
	for name, want := range map[string]*object.Object{
		"o1": o1, "o2": o2, "o11": o11, "o12": o12, "o111": o111,
		"t1": &t1.Object, "t121": &t121.Object, "o": nil, "harry": nil,
	} {
		if got := o.FindChild(name); got != want {
			t.Errorf("FindChild(%q) = %v, want %v", name, got, want)
		}
		n := 0
		if want != nil {
			n = 1
		}
		if got := o.FindChildren(name); len(got) != n || n == 1 && got[0] != want {
			t.Errorf("FindChildren(%q) = %v", name, names(got))
		}
	}
	if got := o.FindChild(""); got != o1 {
		t.Errorf("FindChild(\"\") = %v, want o1", got)
	}
	if got := o.FindChildren(""); len(got) != 9 {
		t.Errorf("FindChildren(\"\") found %d, want 9", len(got))
	}
	o.Destroy()
	if t1.IsActive() || !t121.IsDestroyed() {
		t.Error("the tree's timers survived it")
	}
}

// TestThread_OBJ02 is tst_qobject thread: an object lives on the context
// of the goroutine that made it (its ThreadDefault: a pushed context, the
// context dispatching the callback, else Default); a child may only be
// added on the parent's context; moving the parent moves the child.
func TestThread_OBJ02(t *testing.T) {
	if o := object.New(); o.MainContext() != mainloop.Default() {
		t.Fatal("an object made outside any context is not on Default()")
	}
	ctx := mainloop.NewContext()
	if err := ctx.PushThreadDefault(); err != nil {
		t.Fatal(err)
	}
	p := object.New()
	ctx.PopThreadDefault()
	if p.MainContext() != ctx {
		t.Fatal("an object made with a context pushed does not live there")
	}
	var inCb *object.Object
	ctx.Post(mainloop.PriorityDefault, func() { inCb = object.New() })
	pump(ctx)
	if inCb == nil || inCb.MainContext() != ctx {
		t.Fatal("an object made in a callback does not live on the dispatching context")
	}
	inCb.SetParent(p)
	if inCb.Parent() != p {
		t.Fatal("same-context parent refused")
	}
	other := mainloop.NewContext()
	if err := p.MoveToContext(other); err != nil {
		t.Fatal(err)
	}
	if inCb.MainContext() != other {
		t.Fatal("child did not follow its parent")
	}
}

// TestDeleteLaterInAboutToBlock_OBJ06 is tst_qobject
// deleteLaterInAboutToBlockHandler: DeleteLater called from the step a
// loop runs just before it blocks (Qt's aboutToBlock; here a source's
// Prepare) still deletes while the loop spins.
func TestDeleteLaterInAboutToBlock_OBJ06(t *testing.T) {
	ctx := mainloop.NewContext()
	o := object.New()
	o.MoveToContext(ctx)
	loop := mainloop.New(ctx)
	hook := mainloop.NewSource(mainloop.SourceFuncs{
		Prepare: func(*mainloop.Source) (bool, time.Duration) { o.DeleteLater(); return false, -1 },
	})
	hook.Attach(ctx)
	defer hook.Destroy()
	o.Destroyed.Connect(func(*object.Object) { loop.Quit() })
	timedOut := false
	safety := mainloop.NewTimeoutSource(2 * time.Second)
	safety.SetCallback(func() bool { timedOut = true; loop.Quit(); return mainloop.SourceRemove })
	safety.Attach(ctx)
	defer safety.Destroy()
	loop.Run()
	if !o.IsDestroyed() || timedOut {
		t.Fatalf("destroyed %v; the loop blocked until the safety timeout: %v", o.IsDestroyed(), timedOut)
	}
}

// TestDeleteLaterBeforeExec_OBJ06 is tst_qapplication testDeleteLater: a
// child whose DeleteLater is called before the loop runs is still found
// right after the call, and is deleted (and gone from its parent's
// children) once the loop runs.
func TestDeleteLaterBeforeExec_OBJ06(t *testing.T) {
	ctx := mainloop.NewContext()
	w := object.New()
	w.MoveToContext(ctx)
	child := named("deleteLater", nil)
	child.MoveToContext(ctx)
	child.SetParent(w)
	child.DeleteLater()
	if w.FindChild("deleteLater") != child {
		t.Fatal("not alive right after DeleteLater")
	}
	loop := mainloop.New(ctx)
	check := mainloop.NewTimeoutSource(20 * time.Millisecond)
	deleted := false
	check.SetCallback(func() bool {
		deleted = child.IsDestroyed() && w.FindChild("deleteLater") == nil
		loop.Quit()
		return mainloop.SourceRemove
	})
	check.Attach(ctx)
	loop.Exec()
	if !deleted {
		t.Fatal("the loop did not delete the child")
	}
}

// TestFloatProperty is tst_qobject floatProperty and qrealProperty: a
// float32 (float) and a float64 (qreal) property take a float64, a
// float32 and an int by name and read back the value; a string is refused.
func TestFloatProperty(t *testing.T) {
	o := object.New()
	f, _ := object.NewProperty[float32](o, "myFloat", 0, 0)
	q, _ := object.NewProperty[float64](o, "myQReal", 0, 0)
	for _, v := range []any{128.0, float32(128), 128} {
		if err := o.SetProperty("myFloat", v); err != nil || f.Get() != 128 {
			t.Errorf("myFloat = %#v: %v, reads %v", v, err, f.Get())
		}
		if err := o.SetProperty("myQReal", v); err != nil || q.Get() != 128 {
			t.Errorf("myQReal = %#v: %v, reads %v", v, err, q.Get())
		}
		f.Set(0)
		q.Set(0)
	}
	if err := o.SetProperty("myFloat", "1.5"); err == nil {
		t.Error("a string was taken for a float")
	}
	got, _ := o.Property("myQReal")
	if !cmp.Equal(got, any(float64(0))) {
		t.Errorf("Property(myQReal) = %#v", got)
	}
}

// alpha is tst_qobject's PropertyObject::Alpha enum.
type alpha int

const (
	alpha0 alpha = iota
	alpha1
	alpha2
)

// TestQtProperty is tst_qobject property's assertions that apply: an enum
// property reads its value and takes an enum or an int by name but not
// nil; an int, a string, a variant (any) and a pointer property read and
// write by name. Differs from Qt (GLib's GValue rules instead of
// QVariant's): a string is not converted to a number or to an enum value
// by name ("42", "Alpha1"), and nil is not an empty string.
func TestQtProperty(t *testing.T) {
	o := object.New()
	a, _ := object.NewProperty(o, "alpha", alpha0, 0)
	number, _ := object.NewProperty(o, "number", 0, 0)
	str, _ := object.NewProperty(o, "string", "", 0)
	variant, _ := object.NewProperty[any](o, "variant", nil, 0)
	type customType struct{ i1, i2, i3 int }
	custom, _ := object.NewProperty[*customType](o, "custom", nil, 0)

	get := func(name string) any { v, _ := o.Property(name); return v }
	if get("alpha") != alpha0 {
		t.Fatal("alpha default")
	}
	a.Set(alpha1)
	if get("alpha") != alpha1 {
		t.Fatal("alpha after the typed set")
	}
	if err := o.SetProperty("alpha", alpha2); err != nil || get("alpha") != alpha2 {
		t.Fatalf("alpha = Alpha2: %v", err)
	}
	if err := o.SetProperty("alpha", 1); err != nil || a.Get() != alpha1 {
		t.Fatalf("alpha = 1: %v", err)
	}
	if err := o.SetProperty("alpha", nil); err == nil {
		t.Fatal("alpha = invalid variant accepted")
	}
	if err := o.SetProperty("alpha", "Alpha1"); err == nil {
		t.Fatal("enum by name: sigloop does not convert strings")
	}

	number.Set(24)
	if get("number") != 24 {
		t.Fatal("number")
	}
	if err := o.SetProperty("number", 12); err != nil || get("number") != 12 {
		t.Fatalf("number = 12: %v", err)
	}
	if err := o.SetProperty("number", "42"); err == nil || number.Get() != 12 {
		t.Fatal(`number = "42": sigloop does not convert strings`)
	}

	str.Set("String1")
	if get("string") != "String1" {
		t.Fatal("string")
	}
	if err := o.SetProperty("string", "String2"); err != nil || get("string") != "String2" {
		t.Fatalf("string = String2: %v", err)
	}

	variant.Set(42)
	if get("variant") != 42 {
		t.Fatal("variant")
	}
	if err := o.SetProperty("variant", "string"); err != nil || variant.Get() != "string" {
		t.Fatalf("variant = string: %v", err)
	}
	if err := o.SetProperty("variant", nil); err != nil || get("variant") != nil {
		t.Fatalf("variant = nil: %v", err)
	}

	if get("custom") != (*customType)(nil) {
		t.Fatal("custom default")
	}
	c := &customType{1, 2, 3}
	if err := o.SetProperty("custom", c); err != nil || custom.Get() != c || get("custom") != c {
		t.Fatalf("custom: %v", err)
	}
}
