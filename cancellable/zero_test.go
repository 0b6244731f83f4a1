package cancellable_test

import (
	"context"
	"testing"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/logging"
)

// Every method works on a zero Cancellable (one not made by New) as on a
// new one, and on a nil *Cancellable (GLib's NULL: never cancelled) without
// a panic. wantCancelled is what IsCancelled reports after the call, and
// criticals how many criticals the call logs.
func TestZeroAndNil(t *testing.T) {
	cases := []struct {
		name      string
		call      func(c *cancellable.Cancellable)
		zeroAfter bool // IsCancelled of the zero value afterwards
		zeroCrit  int
		nilCrit   int
	}{
		{"IsCancelled", func(c *cancellable.Cancellable) { _ = c.IsCancelled() }, false, 0, 0},
		{"Err", func(c *cancellable.Cancellable) {
			if c.Err() != nil {
				t.Error("Err before Cancel")
			}
		}, false, 0, 0},
		{"SetErrorIfCancelled", func(c *cancellable.Cancellable) { _ = c.SetErrorIfCancelled() }, false, 0, 0},
		{"Cancel", func(c *cancellable.Cancellable) {
			c.Cancel()
			if c != nil && c.Err() != context.Canceled {
				t.Error("Err after Cancel is not context.Canceled")
			}
		}, true, 0, 0},
		{"Cancel, Reset", func(c *cancellable.Cancellable) { c.Cancel(); c.Reset() }, false, 0, 0},
		{"Connect, Cancel, Disconnect", func(c *cancellable.Cancellable) {
			n := 0
			id := c.Connect(func() { n++ })
			c.Cancel()
			c.Disconnect(id)
			if want := map[bool]int{true: 0, false: 1}[c == nil]; n != want {
				t.Errorf("handler ran %d times, want %d", n, want)
			}
		}, true, 0, 0},
		{"Connect(nil)", func(c *cancellable.Cancellable) { c.Connect(nil) }, false, 1, 0},
		{"Done", func(c *cancellable.Cancellable) { _ = c.Done() }, false, 0, 0},
		{"Deadline, Value", func(c *cancellable.Cancellable) { _, _ = c.Deadline(); _ = c.Value("k") }, false, 0, 0},
		{"AfterFunc, stop", func(c *cancellable.Cancellable) { c.AfterFunc(func() {})() }, false, 0, 0},
		{"Follow", func(c *cancellable.Cancellable) { c.Follow(context.Background())() }, false, 0, 0},
		{"context.WithCancel", func(c *cancellable.Cancellable) {
			var ctx context.Context = c
			if c == nil {
				ctx = context.Background() // a nil *Cancellable in an interface is not a parent the context package accepts
			}
			_, cancel := context.WithCancel(ctx)
			cancel()
		}, false, 0, 0},
		{"FD, ReleaseFD", func(c *cancellable.Cancellable) {
			if fd := c.FD(); fd >= 0 {
				c.ReleaseFD()
			} else if c != nil {
				t.Error("no fd for a zero Cancellable")
			}
		}, false, 0, 0},
		{"ReleaseFD without FD", func(c *cancellable.Cancellable) { c.ReleaseFD() }, false, 1, 0},
		{"NewSource", func(c *cancellable.Cancellable) { c.NewSource().Destroy() }, false, 0, 0},
		{"PushCurrent, PopCurrent", func(c *cancellable.Cancellable) {
			c.PushCurrent()
			if c != nil && cancellable.Current() != c {
				t.Error("Current is not the pushed cancellable")
			}
			c.PopCurrent()
		}, false, 0, 2},
	}
	for _, tc := range cases {
		for _, isNil := range []bool{false, true} {
			name := tc.name + "/zero"
			var c *cancellable.Cancellable
			if isNil {
				name = tc.name + "/nil"
			} else {
				c = new(cancellable.Cancellable)
			}
			t.Run(name, func(t *testing.T) {
				capt := logging.StartCapture()
				tc.call(c)
				crit, want := capt.Count("critical", ""), tc.zeroCrit
				capt.Stop()
				if isNil {
					want = tc.nilCrit
				}
				if crit != want {
					t.Errorf("%d criticals, want %d: %+v", crit, want, capt.Records())
				}
				if !isNil && c.IsCancelled() != tc.zeroAfter {
					t.Errorf("IsCancelled = %v, want %v", c.IsCancelled(), tc.zeroAfter)
				}
				if isNil && c.IsCancelled() {
					t.Error("nil is cancelled")
				}
			})
		}
	}
}
