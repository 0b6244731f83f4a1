package mainloop

import (
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/logging"
)

// TestSingleShot_EVL06: negative → warning and nothing; 0 → queued, never
// direct; positive → once, on the caller's context.
func TestSingleShot_EVL06(t *testing.T) {
	c := NewContext()
	c.PushThreadDefault()
	defer c.PopThreadDefault()
	cap := logging.StartCapture()
	SingleShot(-time.Millisecond, func() { t.Error("negative timer ran") })
	SingleShot(time.Millisecond, nil)
	cap.Stop()
	if cap.Count("warning", "QTimer::singleShot: Timers cannot have negative timeouts") != 1 {
		t.Fatal("no warning")
	}
	if cap.Count("critical", "null functor") != 1 {
		t.Fatal("a nil functor was ignored silently")
	}
	var got []string
	SingleShot(0, func() { got = append(got, "zero") })
	if len(got) != 0 {
		t.Fatal("zero timer ran directly")
	}
	SingleShot(5*time.Millisecond, func() {
		got = append(got, "5ms")
		if ThreadDefault() != c {
			t.Error("not on the caller's context")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < 2 && time.Now().Before(deadline) {
		c.Iteration(true)
	}
	drain(c)
	if len(got) != 2 || got[0] != "zero" || got[1] != "5ms" {
		t.Fatal(got)
	}
}

// TestSingleShotZeroFromOwner_EVL06: even on the owner, inside a dispatch,
// a 0 ms single shot runs later, not inside the caller.
func TestSingleShotZeroFromOwner_EVL06(t *testing.T) {
	c := NewContext()
	var got []string
	s := NewIdleSource()
	s.SetCallback(func() bool {
		SingleShot(0, func() { got = append(got, "shot") })
		got = append(got, "after")
		return SourceRemove
	})
	s.Attach(c)
	drain(c)
	if len(got) != 2 || got[0] != "after" {
		t.Fatal(got)
	}
}
