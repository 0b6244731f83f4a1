package object_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/object"
)

// TestDestroyNotifyRemovedWhileRunning: Destroy runs the notifies it took,
// as GLib runs the weak references it took off the object, so a notify
// that removes a later one does not stop it (nor breaks the list); one
// removed before Destroy does not run, and one added while they run runs
// too (OBJ-03 order).
func TestDestroyNotifyRemovedWhileRunning(t *testing.T) {
	o := object.New()
	var got []string
	var removeB func()
	o.AddDestroyNotify(func() { got = append(got, "a"); removeB() })
	removeB = o.AddDestroyNotify(func() { got = append(got, "b") })
	removeC := o.AddDestroyNotify(func() { got = append(got, "c") })
	o.AddDestroyNotify(func() {
		got = append(got, "d")
		o.AddDestroyNotify(func() { got = append(got, "e") })
	})
	removeC()
	o.Destroy()
	if diff := cmp.Diff([]string{"a", "b", "d", "e"}, got); diff != "" {
		t.Errorf("notifies run (-want +got)\n%s", diff)
	}
	ran := false
	o.AddDestroyNotify(func() { ran = true })
	if !ran {
		t.Error("a notify added after Destroy did not run at once")
	}
}
