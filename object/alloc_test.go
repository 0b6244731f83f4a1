//go:build !race

package object_test

import "testing"

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
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(100, tc.run); got > tc.max {
				t.Fatalf("%v allocations, want at most %v", got, tc.max)
			}
		})
	}
}
