package signal_test

import (
	"testing"

	"github.com/sigloop/sigloop/signal"
)

// TestSingleHandlerFastPath_SIG5_SIG7_SIG8: the one-handler direct path
// still applies the accumulator, skips a blocked handler, and claims a
// StopEmission made by the handler so that it cannot stop a later
// emission.
func TestSingleHandlerFastPath_SIG5_SIG7_SIG8(t *testing.T) {
	var r signal.Signal1R[int, int]
	r.Connect(func(v int) int { return v * 2 })
	if got := r.Emit(4); got != 8 {
		t.Errorf("no accumulator: %d, want 8", got)
	}
	r.SetAccumulator(func(_ signal.InvocationHint, acc, v int) (int, bool) { return acc + v + 100, true })
	if got := r.Emit(4); got != 108 {
		t.Errorf("accumulator: %d, want 108", got)
	}

	var s signal.Signal0
	n := 0
	id := s.Connect(func() { n++ })
	s.Block(id)
	s.Emit()
	s.Unblock(id)
	s.Emit()
	if n != 1 {
		t.Errorf("blocked single handler: %d calls, want 1", n)
	}

	var st signal.Signal1[int]
	calls := 0
	st.Connect(func(v int) {
		calls++
		if v == 1 {
			st.StopEmission() // nothing left to stop in this emission
		}
	})
	st.Emit(1)
	st.Connect(func(int) { calls += 10 })
	st.Emit(2) // two handlers now: both run, the old stop is not claimed here
	if calls != 12 {
		t.Errorf("calls %d, want 12 (a stale stop request stopped a later emission)", calls)
	}
}
