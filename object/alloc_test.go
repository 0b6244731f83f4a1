//go:build !race

package object_test

import (
	"testing"

	"github.com/sigloop/sigloop/object"
)

// TestInitAllocs pins the allocations of making an object (Init runs for
// every gio.Socket and every accepted connection): the struct itself and
// nothing else for Init; one more, the property table, for two properties
// and a Destroy. (Not built with -race, which allocates.)
func TestInitAllocs(t *testing.T) {
	cases := []struct {
		name string
		run  func()
		max  float64
	}{
		{"Init", func() {
			s := &sockLike{}
			s.Init(s)
		}, 1},
		{"Init + 2 properties + Destroy", func() { newSockLike().Destroy() }, 2},
		// The rarely used part of an Object is made only by what needs it:
		// reads, clearing what was never set and Destroy make nothing; a
		// name makes it.
		{"New + reads + Destroy", func() {
			o := object.New()
			_ = o.ObjectName()
			_ = o.Parent()
			_ = o.Data("k")
			o.SetData("k", nil)
			o.SetObjectName("")
			o.SetParent(nil)
			o.Destroy()
		}, 1},
		{"New + SetObjectName", func() { object.New().SetObjectName("x") }, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, tc.run); got > tc.max {
				t.Fatalf("%v allocations, want at most %v", got, tc.max)
			}
		})
	}
}

// TestSetAllocs pins the typed Set of a plain and of a ranged property at
// zero allocations (no Notify handler connected).
func TestSetAllocs(t *testing.T) {
	s := newSockLike()
	r, _ := object.NewRangeProperty(&s.Object, "max-threads", -1, 1<<31-1, 10, 0)
	i := 0
	if got := testing.AllocsPerRun(100, func() { i++; s.backlog.Set(i % 2000); r.Set(i % 2000) }); got != 0 {
		t.Fatalf("%v allocations per Set, want 0", got)
	}
}
