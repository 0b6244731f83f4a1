//go:build !race

package object_test

import (
	"testing"

	"github.com/sigloop/sigloop/object"
)

// TestLazyPartAllocs pins that the rarely used part of an Object is made
// only by what needs it: an object that is made, read and destroyed without
// a name, a parent, data or a destroy notify allocates only itself, and a
// name costs one allocation more. (Not built with -race, which allocates.)
func TestLazyPartAllocs(t *testing.T) {
	cases := []struct {
		name string
		run  func()
		max  float64
	}{
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
