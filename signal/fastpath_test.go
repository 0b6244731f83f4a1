package signal_test

import (
	"fmt"
	"slices"
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

// paths is the recording of TestEmitPaths: four handlers on s (or
// nHandlers), each appends its index to ran and returns it; handler actor
// (1 unless set) runs act once.
type paths struct {
	s     commonSignal
	ids   []signal.HandlerID
	ran   []int
	act   func(p *paths)
	actor int
	fire  func() int // one emission; its result, -1 for none
}

// newPaths connects the four handlers to s; mk turns a handler body into
// s's handler type.
func newPaths[F any, S interface {
	commonSignal
	Connect(F) signal.HandlerID
}](s S, mk func(h func() int) F, fire func() int) *paths {
	return newPathsN(4, s, mk, fire)
}

// newPathsN is newPaths with n handlers.
func newPathsN[F any, S interface {
	commonSignal
	Connect(F) signal.HandlerID
}](n int, s S, mk func(h func() int) F, fire func() int) *paths {
	p := &paths{s: s, fire: fire, actor: 1}
	for i := range n {
		p.ids = append(p.ids, s.Connect(mk(func() int {
			p.ran = append(p.ran, i)
			if act := p.act; i == p.actor && act != nil {
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

// TestEmitEveryPosition_SIG4_SIG5_SIG7 is TestEmitPaths' hand-over for
// every handler count from one to six and every handler that acts: Emit's
// fast path is written out call by call up to four handlers, each call
// with its own resume point, and is a loop beyond. In the handler at
// position a, a disconnect or block of a later handler skips it, of an
// earlier one changes nothing, and a StopEmission ends the emission after
// a; the result is the last value returned.
func TestEmitEveryPosition_SIG4_SIG5_SIG7(t *testing.T) {
	kinds := []struct {
		name string
		make func(n int) *paths
	}{
		{"Signal0", func(n int) *paths {
			s := new(signal.Signal0)
			return newPathsN(n, s, func(h func() int) func() { return func() { h() } }, func() int { s.Emit(); return -1 })
		}},
		{"Signal2", func(n int) *paths {
			s := new(signal.Signal2[int, string])
			return newPathsN(n, s, func(h func() int) func(int, string) { return func(int, string) { h() } }, func() int { s.Emit(7, "x"); return -1 })
		}},
		{"Signal0R", func(n int) *paths {
			s := new(signal.Signal0R[int])
			return newPathsN(n, s, func(h func() int) func() int { return h }, func() int { return s.Emit() })
		}},
		{"Signal3R", func(n int) *paths {
			s := new(signal.Signal3R[int, string, bool, int])
			return newPathsN(n, s, func(h func() int) func(int, string, bool) int { return func(int, string, bool) int { return h() } }, func() int { return s.Emit(7, "x", true) })
		}},
	}
	// without lists the handlers 0 … n-1 that are not in drop; upTo
	// those up to and including a.
	without := func(n int, drop ...int) []int {
		var out []int
		for i := range n {
			if !slices.Contains(drop, i) {
				out = append(out, i)
			}
		}
		return out
	}
	upTo := func(a int) []int { return without(a + 1) }
	for _, k := range kinds {
		for n := 1; n <= 6; n++ {
			for a := range n {
				type tc struct {
					name string
					act  func(p *paths)
					want []int
				}
				cases := []tc{
					{"stop", func(p *paths) { p.s.StopEmission() }, upTo(a)},
					{"disconnect self", func(p *paths) { p.s.Disconnect(p.ids[a]) }, without(n)},
				}
				for j := range n {
					if j == a {
						continue
					}
					want := without(n)
					if j > a {
						want = without(n, j)
					}
					cases = append(cases,
						tc{fmt.Sprintf("disconnect %d", j), func(p *paths) { p.s.Disconnect(p.ids[j]) }, want},
						tc{fmt.Sprintf("block %d", j), func(p *paths) { p.s.Block(p.ids[j]) }, want})
				}
				for _, c := range cases {
					t.Run(fmt.Sprintf("%s/n=%d/handler %d/%s", k.name, n, a, c.name), func(t *testing.T) {
						p := k.make(n)
						p.emit() // the first emission takes the checked loop (fastRan)
						p.actor, p.act = a, c.act
						got, res := p.emit()
						if !cmp.Equal(got, c.want, cmpopts.EquateEmpty()) {
							t.Errorf("ran %v, want %v", got, c.want)
						}
						if res != -1 && len(c.want) > 0 && res != c.want[len(c.want)-1] {
							t.Errorf("result %d, want %d (the last handler that ran)", res, c.want[len(c.want)-1])
						}
						if got, _ := p.emit(); c.name == "stop" && len(got) != n {
							t.Errorf("the emission after a stop ran %v (a stale request stopped it)", got)
						}
					})
				}
			}
		}
	}
}
