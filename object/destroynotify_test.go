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

// TestDestroyNotifyRemoveOrder: removing notifies in any order, each
// remove called twice, leaves the others to run in the order they were
// added, also across the compactions of the removed ones (removing more
// than half of them compacts the list).
func TestDestroyNotifyRemoveOrder(t *testing.T) {
	const n = 12
	cases := []struct {
		name   string
		remove []int
	}{
		{"none", nil},
		{"first", []int{0}},
		{"last", []int{n - 1}},
		{"oldest half and one", []int{0, 1, 2, 3, 4, 5, 6}},
		{"newest first", []int{11, 10, 9, 8, 7, 6, 5}},
		{"scattered", []int{3, 9, 0, 11, 6, 1, 7, 4}},
		{"all but one", []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11}},
		{"all", []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
	}
	for _, tc := range cases {
		o := object.New()
		var got []int
		removes := make([]func(), n)
		for i := range n {
			removes[i] = o.AddDestroyNotify(func() { got = append(got, i) })
		}
		removed := map[int]bool{}
		for k, i := range tc.remove {
			removes[i]()
			removes[i]() // a second remove does nothing
			removed[i] = true
			if k == len(tc.remove)/2 {
				// one added among the removals runs last
				o.AddDestroyNotify(func() { got = append(got, n) })
			}
		}
		var want []int
		for i := range n {
			if !removed[i] {
				want = append(want, i)
			}
		}
		if len(tc.remove) > 0 {
			want = append(want, n)
		}
		o.Destroy()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: notifies run (-want +got)\n%s", tc.name, diff)
		}
	}
}
