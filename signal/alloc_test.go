//go:build !race

package signal_test

import (
	"runtime"
	"testing"

	"github.com/sigloop/sigloop/signal"
)

// TestConfigureWithoutHandlersAllocs: configuring a signal nobody is
// connected to (what object.Init does to Notify for every object) and
// disconnecting all of it allocate nothing; the owner's destroy notify
// waits for the first handler. (Not built with -race, which allocates.)
func TestConfigureWithoutHandlersAllocs(t *testing.T) {
	r := newRecv(nil)
	var o signal.Owner = struct {
		*owner
		*recv
	}{&owner{}, r}
	var s signal.Signal1[string]
	got := testing.AllocsPerRun(100, func() {
		s.SetOwner(o)
		s.SetNoRecurse(true)
		s.EmitDetailed("x", "x")
		s.DisconnectAll()
		s.SetOwner(nil)
		s.SetNoRecurse(false)
	})
	if got != 0 {
		t.Fatalf("%v allocations, want 0", got)
	}
	if n := r.notifies(); n != 0 {
		t.Fatalf("owner has %d destroy notifies, want 0", n)
	}
}

// TestEmitAllocs pins the emission paths at zero allocations: the fast
// path with one and four handlers, with an owner, with an accumulator, the
// checked loop (a handler blocked, an owner, a handler that stops the
// emission, which hands the unchecked loop over to it), and the general
// path of a detailed emission (notify::name). (Not built with -race, which
// allocates.)
func TestEmitAllocs(t *testing.T) {
	var one, four, owned signal.Signal1[int]
	one.Connect(func(v int) { sink += v })
	for range 4 {
		four.Connect(func(v int) { sink += v })
	}
	owned.SetOwner(&owner{})
	owned.Connect(func(v int) { sink += v })
	var acc signal.Signal1R[int, bool]
	acc.SetAccumulator(signal.TrueHandled)
	acc.Connect(func(int) bool { return false })
	acc.Connect(func(int) bool { return true })
	var detailed signal.Signal1[int]
	detailed.ConnectDetailed("name", func(v int) { sink += v })
	detailed.Connect(func(v int) { sink += v })
	// Four handlers with an owner (emitChecked from the start) and with
	// one blocked (the checked loop); three whose second stops the
	// emission (the hand-over from the unchecked loop).
	var ownedFour, blockedFour signal.Signal1[int]
	ownedFour.SetOwner(&owner{})
	var blockedID signal.HandlerID
	for range 4 {
		ownedFour.Connect(func(v int) { sink += v })
		blockedID = blockedFour.Connect(func(v int) { sink += v })
	}
	blockedFour.Block(blockedID)
	var four2R signal.Signal2R[int, int, int]
	for range 4 {
		four2R.Connect(func(a, b int) int { return a + b })
	}
	var handover signal.Signal1[int]
	handover.Connect(func(v int) { sink += v })
	handover.Connect(func(v int) { sink += v; handover.StopEmission() })
	handover.Connect(func(v int) { sink += v })
	cases := []struct {
		name string
		fn   func()
	}{
		{"one handler", func() { one.Emit(1) }},
		{"four handlers", func() { four.Emit(1) }},
		{"owner", func() { owned.Emit(1) }},
		{"accumulator", func() { acc.Emit(1) }},
		{"detailed", func() { detailed.EmitDetailed("name", 1) }},
		{"four handlers, owner", func() { ownedFour.Emit(1) }},
		{"four handlers, one blocked", func() { blockedFour.Emit(1) }},
		{"four handlers, two arguments, a result", func() { four2R.Emit(1, 2) }},
		{"stopped by a handler", func() { handover.Emit(1) }},
	}
	for _, tc := range cases {
		if got := testing.AllocsPerRun(1000, tc.fn); got != 0 {
			t.Errorf("%s: %v allocations per emission, want 0", tc.name, got)
		}
	}
}

// TestConnectDisconnectConstantCost: with 10,000 handlers connected, a
// Connect plus a Disconnect of the oldest handler allocates a bounded
// amount, not a copy of the list (the list used to be copied on every
// connect and disconnect: 350 KB per pair here).
func TestConnectDisconnectConstantCost(t *testing.T) {
	const n, ops = 10000, 2000
	var s signal.Signal1[int]
	ids := make([]signal.HandlerID, 0, n+ops)
	for range n {
		ids = append(ids, s.Connect(func(v int) { sink += v }))
	}
	fn := func(v int) { sink += v }
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range ops {
		ids = append(ids, s.Connect(fn))
		if !s.Disconnect(ids[i]) {
			t.Fatal("disconnect failed")
		}
	}
	runtime.ReadMemStats(&after)
	perOp := (after.TotalAlloc - before.TotalAlloc) / ops
	if perOp > 4096 {
		t.Fatalf("%d bytes allocated per connect+disconnect with %d handlers, want O(1) (< 4 KiB)", perOp, n)
	}
	if got := s.HandlerCount(); got != n {
		t.Fatalf("%d handlers, want %d", got, n)
	}
}
