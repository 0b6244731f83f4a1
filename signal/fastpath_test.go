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
// (SIG-12), and an accumulator (SIG-8); for a signal without and with a
// result, of one and of three arguments.
func TestEmitPaths_SIG4_SIG5_SIG7_SIG8_SIG12(t *testing.T) {
	type sig interface {
		emit() ([]int, int) // the handlers that ran, and Emit's result (-1 for none)
		hs() []signal.HandlerID
		sig() commonSignal
	}
	// act is what handler 1 does in its call.
	cases := []struct {
		name   string
		before func(s sig) // before the emission
		act    func(s sig)
		want   []int
	}{
		{"plain", nil, nil, []int{0, 1, 2, 3}},
		{"disconnect next", nil, func(s sig) { s.sig().Disconnect(s.hs()[2]) }, []int{0, 1, 3}},
		{"block next", nil, func(s sig) { s.sig().Block(s.hs()[2]) }, []int{0, 1, 3}},
		{"blocked before", func(s sig) { s.sig().Block(s.hs()[2]) }, nil, []int{0, 1, 3}},
		{"unblock during", func(s sig) { s.sig().Block(s.hs()[2]) }, func(s sig) { s.sig().Unblock(s.hs()[2]) }, []int{0, 1, 2, 3}},
		{"stop", nil, func(s sig) { s.sig().StopEmission() }, []int{0, 1}},
		{"owner", func(s sig) { s.sig().SetOwner(&owner{}) }, nil, []int{0, 1, 2, 3}},
		{"owner blocks", func(s sig) { o := &owner{}; o.blocked.Store(true); s.sig().SetOwner(o) }, nil, nil},
	}
	kinds := []struct {
		name string
		make func(act *func()) sig
	}{
		{"Signal1", func(act *func()) sig { return newPaths1(act) }},
		{"Signal3", func(act *func()) sig { return newPaths3(act) }},
		{"Signal1R", func(act *func()) sig { return newPaths1R(act, nil) }},
		{"Signal2R", func(act *func()) sig { return newPaths2R(act) }},
	}
	for _, k := range kinds {
		for _, tc := range cases {
			t.Run(k.name+"/"+tc.name, func(t *testing.T) {
				var act func()
				s := k.make(&act)
				s.emit() // the first emission takes the checked loop (fastRan)
				if tc.before != nil {
					tc.before(s)
				}
				if tc.act != nil {
					act = func() { tc.act(s); act = nil }
				}
				got, res := s.emit()
				if !cmp.Equal(got, tc.want, cmpopts.EquateEmpty()) {
					t.Errorf("ran %v, want %v", got, tc.want)
				}
				if wantRes := last(tc.want); res != -1 && res != wantRes {
					t.Errorf("result %d, want %d (the last handler that ran)", res, wantRes)
				}
				// A later emission is not stopped by a stale request.
				if tc.name == "stop" {
					if got, _ := s.emit(); len(got) != 4 {
						t.Errorf("the emission after a stop ran %v", got)
					}
				}
			})
		}
	}
	t.Run("Signal1R/accumulator", func(t *testing.T) {
		var act func()
		s := newPaths1R(&act, func(_ signal.InvocationHint, acc, v int) (int, bool) { return acc + v + 10, v < 2 })
		for range 2 {
			if got, res := s.emit(); !cmp.Equal(got, []int{0, 1, 2}) || res != 33 {
				t.Errorf("ran %v, result %d; want [0 1 2], 33 (stopped by the accumulator after 2)", got, res)
			}
		}
	})
}

func last(v []int) int {
	if len(v) == 0 {
		return 0
	}
	return v[len(v)-1]
}

// paths is the recording of TestEmitPaths: four handlers, each appends its
// index and returns it; handler 1 calls *act if set.
type paths struct {
	ran []int
	ids []signal.HandlerID
	act *func()
}

func (p *paths) handler(i int) int {
	p.ran = append(p.ran, i)
	if i == 1 && *p.act != nil {
		(*p.act)()
	}
	return i
}

func (p *paths) hs() []signal.HandlerID { return p.ids }

func (p *paths) take() []int {
	r := p.ran
	p.ran = nil
	return r
}

type paths1 struct {
	paths
	s signal.Signal1[int]
}

func newPaths1(act *func()) *paths1 {
	p := &paths1{paths: paths{act: act}}
	for i := range 4 {
		p.ids = append(p.ids, p.s.Connect(func(int) { p.handler(i) }))
	}
	return p
}

func (p *paths1) emit() ([]int, int) { p.s.Emit(7); return p.take(), -1 }
func (p *paths1) sig() commonSignal  { return &p.s }

type paths3 struct {
	paths
	s signal.Signal3[int, string, bool]
}

func newPaths3(act *func()) *paths3 {
	p := &paths3{paths: paths{act: act}}
	for i := range 4 {
		p.ids = append(p.ids, p.s.Connect(func(int, string, bool) { p.handler(i) }))
	}
	return p
}

func (p *paths3) emit() ([]int, int) { p.s.Emit(7, "x", true); return p.take(), -1 }
func (p *paths3) sig() commonSignal  { return &p.s }

type paths1R struct {
	paths
	s signal.Signal1R[int, int]
}

func newPaths1R(act *func(), acc signal.Accumulator[int]) *paths1R {
	p := &paths1R{paths: paths{act: act}}
	for i := range 4 {
		p.ids = append(p.ids, p.s.Connect(func(int) int { return p.handler(i) }))
	}
	p.s.SetAccumulator(acc)
	return p
}

func (p *paths1R) emit() ([]int, int) { r := p.s.Emit(7); return p.take(), r }
func (p *paths1R) sig() commonSignal  { return &p.s }

type paths2R struct {
	paths
	s signal.Signal2R[int, string, int]
}

func newPaths2R(act *func()) *paths2R {
	p := &paths2R{paths: paths{act: act}}
	for i := range 4 {
		p.ids = append(p.ids, p.s.Connect(func(int, string) int { return p.handler(i) }))
	}
	return p
}

func (p *paths2R) emit() ([]int, int) { r := p.s.Emit(7, "x"); return p.take(), r }
func (p *paths2R) sig() commonSignal  { return &p.s }
