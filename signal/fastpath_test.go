package signal_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

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

// TestEmitPaths_SIG4_SIG5_SIG7_SIG8_SIG12 runs four plain handlers through
// every way Emit can take: the unchecked loop, its hand-over to the checked
// one when a handler disconnects, blocks or stops (SIG-4, SIG-5, SIG-7),
// the checked loop for a handler blocked before the emission, an owner
// (SIG-12), and an accumulator (SIG-8); for signals without and with a
// result, of one, two and three arguments.
func TestEmitPaths_SIG4_SIG5_SIG7_SIG8_SIG12(t *testing.T) {
	// before runs before the emission, act in handler 1's call.
	cases := []struct {
		name        string
		before, act func(p *paths)
		want        []int
	}{
		{"plain", nil, nil, []int{0, 1, 2, 3}},
		{"disconnect next", nil, func(p *paths) { p.s.Disconnect(p.ids[2]) }, []int{0, 1, 3}},
		{"block next", nil, func(p *paths) { p.s.Block(p.ids[2]) }, []int{0, 1, 3}},
		{"blocked before", func(p *paths) { p.s.Block(p.ids[2]) }, nil, []int{0, 1, 3}},
		{"unblock during", func(p *paths) { p.s.Block(p.ids[2]) }, func(p *paths) { p.s.Unblock(p.ids[2]) }, []int{0, 1, 2, 3}},
		{"stop", nil, func(p *paths) { p.s.StopEmission() }, []int{0, 1}},
		{"owner", func(p *paths) { p.s.SetOwner(&owner{}) }, nil, []int{0, 1, 2, 3}},
		{"owner blocks", func(p *paths) { o := &owner{}; o.blocked.Store(true); p.s.SetOwner(o) }, nil, nil},
	}
	kinds := []struct {
		name string
		make func() *paths
	}{
		{"Signal1", func() *paths {
			s := new(signal.Signal1[int])
			return newPaths(s, func(h func() int) func(int) { return func(int) { h() } }, func() int { s.Emit(7); return -1 })
		}},
		{"Signal3", func() *paths {
			s := new(signal.Signal3[int, string, bool])
			return newPaths(s, func(h func() int) func(int, string, bool) { return func(int, string, bool) { h() } }, func() int { s.Emit(7, "x", true); return -1 })
		}},
		{"Signal1R", func() *paths {
			s := new(signal.Signal1R[int, int])
			return newPaths(s, func(h func() int) func(int) int { return func(int) int { return h() } }, func() int { return s.Emit(7) })
		}},
		{"Signal2R", func() *paths {
			s := new(signal.Signal2R[int, string, int])
			return newPaths(s, func(h func() int) func(int, string) int { return func(int, string) int { return h() } }, func() int { return s.Emit(7, "x") })
		}},
	}
	for _, k := range kinds {
		for _, tc := range cases {
			t.Run(k.name+"/"+tc.name, func(t *testing.T) {
				p := k.make()
				p.emit() // the first emission takes the checked loop (fastRan)
				if tc.before != nil {
					tc.before(p)
				}
				p.act = tc.act
				got, res := p.emit()
				if !cmp.Equal(got, tc.want, cmpopts.EquateEmpty()) {
					t.Errorf("ran %v, want %v", got, tc.want)
				}
				if want := append([]int{0}, tc.want...); res != -1 && res != want[len(want)-1] {
					t.Errorf("result %d, want %d (the last handler that ran)", res, want[len(want)-1])
				}
				if got, _ := p.emit(); tc.name == "stop" && len(got) != 4 {
					t.Errorf("the emission after a stop ran %v (a stale request stopped it)", got)
				}
			})
		}
	}
	t.Run("Signal1R/accumulator", func(t *testing.T) {
		s := new(signal.Signal1R[int, int])
		p := newPaths(s, func(h func() int) func(int) int { return func(int) int { return h() } }, func() int { return s.Emit(7) })
		s.SetAccumulator(func(_ signal.InvocationHint, acc, v int) (int, bool) { return acc + v + 10, v < 2 })
		for range 2 {
			if got, res := p.emit(); !cmp.Equal(got, []int{0, 1, 2}) || res != 33 {
				t.Errorf("ran %v, result %d; want [0 1 2], 33 (stopped by the accumulator after 2)", got, res)
			}
		}
	})
}

// paths is the recording of TestEmitPaths: four handlers on s, each
// appends its index to ran and returns it; handler 1 runs act once.
type paths struct {
	s    commonSignal
	ids  []signal.HandlerID
	ran  []int
	act  func(p *paths)
	fire func() int // one emission; its result, -1 for none
}

// newPaths connects the four handlers to s; mk turns a handler body into
// s's handler type.
func newPaths[F any, S interface {
	commonSignal
	Connect(F) signal.HandlerID
}](s S, mk func(h func() int) F, fire func() int) *paths {
	p := &paths{s: s, fire: fire}
	for i := range 4 {
		p.ids = append(p.ids, s.Connect(mk(func() int {
			p.ran = append(p.ran, i)
			if act := p.act; i == 1 && act != nil {
				p.act = nil
				act(p)
			}
			return i
		})))
	}
	return p
}

func (p *paths) emit() ([]int, int) {
	res := p.fire()
	ran := p.ran
	p.ran = nil
	return ran, res
}
