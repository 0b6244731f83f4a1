package asyncresult

import (
	"strconv"
	"strings"
	"testing"
)

// idleName gives every task name its own idle name, also for names that
// share the address of their bytes with another (a prefix of it) and for
// equal names at different addresses, past the limits of both tables.
func TestIdleName(t *testing.T) {
	// The table is the package's: give it back as it was, for the tests
	// that need their own names found without an allocation.
	saved := idleNames.t.Load()
	idleNames.t.Store(nil)
	t.Cleanup(func() { idleNames.t.Store(saved) })
	want := func(name string) string {
		if name == "" {
			return "[gio] (unnamed) complete_in_idle_cb"
		}
		return "[gio] " + name + " complete_in_idle_cb"
	}
	long := "g_input_stream_read_async"
	names := []string{"", long, long[:7], long, strings.Clone(long), strings.Clone(long[:7])}
	for i := range maxIdleNames + 10 {
		names = append(names, "task-"+strconv.Itoa(i))
	}
	for round := range 2 {
		for _, name := range names {
			if got := idleName(name); got != want(name) {
				t.Fatalf("round %d: idleName(%q) = %q", round, name, got)
			}
		}
	}
}

// same compares pointers and channels by identity, functions by code,
// other comparable values with ==, and refuses incomparable ones without
// panicking.
func TestSame(t *testing.T) {
	type key struct{ a, b int }
	p, q := new(int), new(int)
	ch := make(chan int)
	f := func() {}
	for _, tc := range []struct {
		name string
		a, b any
		want bool
	}{
		{"nil nil", nil, nil, true},
		{"nil pointer", nil, p, false},
		{"same pointer", p, p, true},
		{"other pointer", p, q, false},
		{"typed nil pointers", (*int)(nil), (*int)(nil), true},
		{"pointer types differ", p, (*int8)(nil), false},
		{"same channel", ch, ch, true},
		{"other channel", ch, make(chan int), false},
		{"same func", f, f, true},
		{"func and other func", f, TestSame, false},
		{"equal structs", key{1, 2}, key{1, 2}, true},
		{"unequal structs", key{1, 2}, key{2, 1}, false},
		{"equal strings", "tag", strings.Clone("tag"), true},
		{"int and int64", 1, int64(1), false},
		{"slices", []int{1}, []int{1}, false},
		{"struct holding a slice", struct{ v any }{[]int{1}}, struct{ v any }{[]int{1}}, false},
	} {
		if got := same(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: same = %v, want %v", tc.name, got, tc.want)
		}
	}
}
