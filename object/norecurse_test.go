package object_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/object"
)

// TestNotifyNoRecurse_SIG9: "notify" is G_SIGNAL_NO_RECURSE. A handler that
// clamps the property it watches (sets it again from its notify handler)
// is not re-entered: the notification restarts after it returned, every
// handler then sees the clamped value, and the handler connected after it
// runs once, with the final value (a nested emission would have run it
// twice, first with the clamped value, then with the stale one).
func TestNotifyNoRecurse_SIG9(t *testing.T) {
	o := object.New()
	p, err := object.NewProperty(o, "level", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	depth, maxDepth := 0, 0
	var seen []int
	o.Notify.ConnectDetailed("level", func(string) {
		depth++
		defer func() { depth-- }()
		maxDepth = max(maxDepth, depth)
		v := p.Get()
		seen = append(seen, v)
		if v > 10 {
			p.Set(10) // clamp: sets the same property from its own notify
		}
	})
	var after []int
	o.Notify.ConnectDetailed("level", func(string) { after = append(after, p.Get()) })
	p.Set(42)
	if maxDepth != 1 {
		t.Errorf("notify handler nested %d deep, want 1 (restart, not recursion)", maxDepth)
	}
	if d := cmp.Diff([]int{42, 10}, seen); d != "" {
		t.Errorf("clamping handler saw (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int{10}, after); d != "" {
		t.Errorf("second handler saw (-want +got):\n%s", d)
	}
	if p.Get() != 10 {
		t.Errorf("value %d, want 10", p.Get())
	}
	// Another property's notification from the handler still nests
	// (NO_RECURSE is per detail).
	o2 := object.New()
	a, _ := object.NewProperty(o2, "a", 0, 0)
	b, _ := object.NewProperty(o2, "b", 0, 0)
	inA, nested := false, false
	o2.Notify.ConnectDetailed("a", func(string) {
		inA = true
		b.Set(1)
		inA = false
	})
	o2.Notify.ConnectDetailed("b", func(string) { nested = inA })
	a.Set(1)
	if !nested {
		t.Error("notify::b from a notify::a handler did not run nested")
	}
}

// TestPropertyAnyIncomparable: a Property[any] holding a slice is compared
// without panicking (Go's == on interfaces panics for incomparable dynamic
// types); such a value always counts as changed.
func TestPropertyAnyIncomparable(t *testing.T) {
	o := object.New()
	p, err := object.NewProperty[any](o, "blob", nil, object.ExplicitNotify)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	o.Notify.ConnectDetailed("blob", func(string) { n++ })
	if !p.Set([]int{1}) || !p.Set([]int{1}) {
		t.Error("incomparable values must count as changed")
	}
	if err := o.SetProperty("blob", map[string]int{}); err != nil {
		t.Fatal(err)
	}
	if p.Set(3) != true || p.Set(3) != false {
		t.Error("comparable values in a Property[any] compare by value")
	}
	if n != 4 {
		t.Errorf("%d notifications, want 4", n)
	}
}

// TestPropertyInstallDuplicateLeavesUnbound: a property whose Install was
// refused (its name taken) is not bound to the object: setting it does not
// emit the other property's notification.
func TestPropertyInstallDuplicateLeavesUnbound(t *testing.T) {
	o := object.New()
	if _, err := object.NewProperty(o, "x", 0, 0); err != nil {
		t.Fatal(err)
	}
	var dup object.Property[int]
	logs := logging.StartCapture()
	defer logs.Stop()
	if err := dup.Install(o, "x", 0, 0); !errors.Is(err, object.ErrPropertyExists) {
		t.Fatalf("install: %v", err)
	}
	if n := logs.Count("critical", "already contains a property named 'x'"); n != 1 || len(logs.Stop()) != 1 {
		t.Errorf("install: %d criticals naming x, want 1 and nothing else", n)
	}
	n := 0
	o.Notify.ConnectDetailed("x", func(string) { n++ })
	dup.Set(7)
	if n != 0 {
		t.Errorf("a refused property notified %d times for the installed one", n)
	}
}
