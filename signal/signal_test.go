package signal_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/signal"
)

func TestHandlerIDs_SIG2(t *testing.T) {
	var a signal.Signal0
	var b signal.Signal2[int, string]
	var prev signal.HandlerID
	for i := range 10 {
		var id signal.HandlerID
		if i%2 == 0 {
			id = a.Connect(func() {})
		} else {
			id = b.Connect(func(int, string) {})
		}
		if id == 0 || id <= prev {
			t.Fatalf("id %d after %d: want a fresh, increasing, non-zero id", id, prev)
		}
		prev = id
	}
	a.DisconnectAll()
	if id := a.Connect(func() {}); id <= prev {
		t.Fatalf("id %d reused after disconnect (last %d)", id, prev)
	}
}

// TestAccumulatorClass_SIG1 is gobject/tests/signals.c /accumulator-class:
// where the class handler runs for each combination of run stages.
func TestAccumulatorClass_SIG1(t *testing.T) {
	cases := []struct {
		stage signal.RunStage
		want  string
	}{
		{signal.RunFirst, "classbeforeafter"},
		{signal.RunLast, "beforeclassafter"},
		{signal.RunCleanup, "beforeafterclass"},
		{signal.RunFirst | signal.RunLast, "classbeforeclassafter"},
		{signal.RunFirst | signal.RunLast | signal.RunCleanup, "classbeforeclassafterclass"},
		{signal.RunLast | signal.RunCleanup, "beforeclassafterclass"},
	}
	for _, tc := range cases {
		var s signal.Signal0
		var got strings.Builder
		s.ConnectAfter(func() { got.WriteString("after") }) // connected first, still runs after
		s.Connect(func() { got.WriteString("before") })
		s.SetClassHandler(func() { got.WriteString("class") }, tc.stage)
		s.Emit()
		if got.String() != tc.want {
			t.Errorf("stage %b: got %q, want %q", tc.stage, got.String(), tc.want)
		}
	}
}

// TestAccumulatorClassReturn_SIG1_SIG8 is /gobject/signals/accumulator-class
// as GLib runs it: a normal and an after handler return "before" and
// "after", the class handler "class", and a concatenating accumulator
// builds the result. Since GLib 2.62 the RunCleanup class handler's value
// is accumulated too. The strings and the run types the accumulator sees
// are those of GLib 2.74 on this machine (PyGObject, the same signals):
// 131073 is RUN_FIRST|ACCUMULATOR_FIRST_RUN.
func TestAccumulatorClassReturn_SIG1_SIG8(t *testing.T) {
	const (
		first   = signal.RunFirst | signal.AccumulatorFirstRun
		f, l, c = signal.RunFirst, signal.RunLast, signal.RunCleanup
	)
	cases := []struct {
		stage signal.RunStage
		want  string
		runs  []signal.RunStage
	}{
		{signal.RunFirst, "classbeforeafter", []signal.RunStage{first, f, l}},
		{signal.RunLast, "beforeclassafter", []signal.RunStage{first, l, l}},
		{signal.RunCleanup, "beforeafterclass", []signal.RunStage{first, l, c}},
		{signal.RunFirst | signal.RunLast, "classbeforeclassafter", []signal.RunStage{first, f, l, l}},
		{signal.RunFirst | signal.RunLast | signal.RunCleanup, "classbeforeclassafterclass", []signal.RunStage{first, f, l, l, c}},
		{signal.RunLast | signal.RunCleanup, "beforeclassafterclass", []signal.RunStage{first, l, l, c}},
	}
	for _, tc := range cases {
		var s signal.Signal0R[string]
		var runs []signal.RunStage
		s.SetAccumulator(func(h signal.InvocationHint, acc, v string) (string, bool) {
			runs = append(runs, h.RunType)
			return acc + v, true
		})
		s.Connect(func() string { return "before" })
		s.ConnectAfter(func() string { return "after" })
		s.SetClassHandler(func() string { return "class" }, tc.stage)
		if got := s.Emit(); got != tc.want {
			t.Errorf("stage %b: got %q, want %q", tc.stage, got, tc.want)
		}
		if !cmp.Equal(runs, tc.runs) {
			t.Errorf("stage %b: run types %v, want %v", tc.stage, runs, tc.runs)
		}
	}
}

// TestCleanupWithoutAccumulator_SIG8: without an accumulator the RunCleanup
// class handler's value is dropped; the result is the last value of the
// earlier stages, or the zero value if nothing else ran (GLib 2.74:
// "after", and None with no handlers).
func TestCleanupWithoutAccumulator_SIG8(t *testing.T) {
	var s signal.Signal0R[string]
	s.SetClassHandler(func() string { return "class" }, signal.RunCleanup)
	if got := s.Emit(); got != "" {
		t.Errorf("no handlers: %q, want \"\"", got)
	}
	s.Connect(func() string { return "before" })
	s.ConnectAfter(func() string { return "after" })
	if got := s.Emit(); got != "after" {
		t.Errorf("got %q, want \"after\"", got)
	}
}

// TestAccumulator_SIG8 is /gobject/signals/accumulator: handlers return 1
// and 2, after-handlers 3 and 4, and a summing accumulator that stops at 6
// gives 6 without running the handler returning 4.
func TestAccumulator_SIG8(t *testing.T) {
	var s signal.Signal1R[int, int]
	ran4 := false
	s.SetAccumulator(func(_ signal.InvocationHint, acc, v int) (int, bool) { return acc + v, acc+v < 6 })
	s.ConnectAfter(func(int) int { return 3 })
	s.ConnectAfter(func(int) int { ran4 = true; return 4 })
	s.Connect(func(int) int { return 1 })
	s.Connect(func(int) int { return 2 })
	if got := s.Emit(0); got != 6 || ran4 {
		t.Fatalf("result %d, handler 4 ran: %v; want 6, false", got, ran4)
	}
}

func TestStockAccumulators_SIG8(t *testing.T) {
	var calls []string
	mk := func(name string, v bool) func(int) bool {
		return func(int) bool { calls = append(calls, name); return v }
	}
	cases := []struct {
		name  string
		acc   signal.Accumulator[bool]
		vals  []bool
		want  bool
		calls []string
	}{
		{"true-handled stops at first true", signal.TrueHandled, []bool{false, true, false}, true, []string{"h0", "h1"}},
		{"true-handled all false", signal.TrueHandled, []bool{false, false}, false, []string{"h0", "h1"}},
		{"first-wins", signal.FirstWins[bool](), []bool{false, true}, false, []string{"h0"}},
		{"none: last value", nil, []bool{true, false}, false, []string{"h0", "h1"}},
		{"no handlers: zero", signal.TrueHandled, nil, false, nil},
	}
	for _, tc := range cases {
		for _, detailed := range []bool{false, true} { // fast and general paths
			calls = nil
			var s signal.Signal1R[int, bool]
			s.SetAccumulator(tc.acc)
			for i, v := range tc.vals {
				s.Connect(mk("h"+string(rune('0'+i)), v))
			}
			var got bool
			if detailed {
				got = s.EmitDetailed("x", 0)
			} else {
				got = s.Emit(0)
			}
			if got != tc.want || !cmp.Equal(calls, tc.calls) {
				t.Errorf("%s (detailed %v): got %v %v, want %v %v", tc.name, detailed, got, calls, tc.want, tc.calls)
			}
		}
	}
}

// TestIsConnected_SIG4 is /gobject/signals/is-connected.
func TestIsConnected_SIG4(t *testing.T) {
	var s signal.Signal0
	id := s.Connect(func() {})
	if !s.IsConnected(id) || s.IsConnected(0) || s.IsConnected(id+1000) {
		t.Fatal("IsConnected wrong before disconnect")
	}
	if !s.Disconnect(id) || s.IsConnected(id) {
		t.Fatal("Disconnect failed")
	}
	c := logging.StartCapture()
	again := s.Disconnect(id)
	zero := s.Disconnect(0)
	recs := c.Stop()
	if again || zero {
		t.Fatal("second Disconnect or Disconnect(0) reported success")
	}
	if n := len(recs); n != 2 {
		t.Fatalf("want 2 criticals, got %v", recs)
	}
}

// TestDisconnectWrongObject_SIG4 is /test-disconnection-wrong-object: the
// id of another signal logs a critical and the handler stays connected.
func TestDisconnectWrongObject_SIG4(t *testing.T) {
	var a, b signal.Signal0
	n := 0
	id := a.Connect(func() { n++ })
	c := logging.StartCapture()
	ok := b.Disconnect(id)
	c.Stop()
	if ok || c.Count("critical", "has no handler with id") != 1 {
		t.Fatalf("Disconnect through the wrong signal: ok=%v, records %v", ok, c.Records())
	}
	a.Emit()
	if n != 1 || !a.IsConnected(id) {
		t.Fatal("handler was disconnected through the wrong signal")
	}
}

// TestBlockHandler_SIG5 is /gobject/signals/block-handler.
func TestBlockHandler_SIG5(t *testing.T) {
	var s signal.Signal1[int]
	var got []int
	id := s.Connect(func(v int) { got = append(got, v) })
	s.Emit(1)
	s.Block(id)
	s.Block(id)
	s.Emit(2)
	s.Unblock(id)
	s.Emit(3) // still blocked once
	s.Unblock(id)
	s.Emit(4)
	c := logging.StartCapture()
	s.Unblock(id)
	c.Stop()
	if c.Count("critical", "is not blocked") != 1 {
		t.Errorf("unblocking an unblocked handler: %v", c.Records())
	}
	if !cmp.Equal(got, []int{1, 4}) {
		t.Errorf("got %v, want [1 4]", got)
	}
}

// TestBlockDuringEmission_SIG5 checks that blocking and unblocking a handler
// not yet reached by the running emission take effect in it.
func TestBlockDuringEmission_SIG5(t *testing.T) {
	for _, detailed := range []bool{false, true} {
		var s signal.Signal0
		var got []string
		var idB, idC signal.HandlerID
		s.Connect(func() { got = append(got, "a"); s.Block(idB); s.Unblock(idC) })
		idB = s.Connect(func() { got = append(got, "b") })
		idC = s.Connect(func() { got = append(got, "c") })
		s.Block(idC)
		if detailed {
			s.EmitDetailed("d")
		} else {
			s.Emit()
		}
		if !cmp.Equal(got, []string{"a", "c"}) {
			t.Errorf("detailed=%v: got %v, want [a c]", detailed, got)
		}
	}
}

// TestStopEmission_SIG7 is /gobject/signals/stop-emission: the rest of the
// normal handlers, the RunLast class handler and the after-handlers are
// skipped; RunCleanup still runs.
func TestStopEmission_SIG7(t *testing.T) {
	for _, withClass := range []bool{false, true} {
		var s signal.Signal0
		var got []string
		s.Connect(func() { got = append(got, "h1"); s.StopEmission() })
		s.Connect(func() { got = append(got, "h2") })
		s.ConnectAfter(func() { got = append(got, "after") })
		want := []string{"h1"}
		if withClass {
			s.SetClassHandler(func() { got = append(got, "class") }, signal.RunLast|signal.RunCleanup)
			want = []string{"h1", "class"}
		}
		s.Emit()
		if !cmp.Equal(got, want) {
			t.Errorf("class=%v: got %v, want %v", withClass, got, want)
		}
		got = nil
		s.Emit() // the stop was consumed: a new emission stops again at h1 only
		if !cmp.Equal(got, want) {
			t.Errorf("class=%v, second emission: got %v, want %v", withClass, got, want)
		}
	}
}

func TestStopEmissionOutside_SIG7(t *testing.T) {
	var s signal.Signal0
	n := 0
	s.Connect(func() { n++ })
	s.Connect(func() { n++ })
	if n, recs := criticals("no emission of signal", s.StopEmission); n != 1 {
		t.Fatalf("StopEmission outside an emission: %v", recs)
	}
	s.Emit()
	if n != 2 {
		t.Fatalf("a stray StopEmission stopped a later emission: %d handlers ran", n)
	}
}

// TestStopEmissionNested_SIG7: the innermost emission of the signal on the
// goroutine is the one stopped; a stop asked before a nested emission
// started stops the outer one.
func TestStopEmissionNested_SIG7(t *testing.T) {
	var s signal.Signal1[int]
	var got []string
	s.Connect(func(depth int) {
		got = append(got, "first")
		if depth == 0 {
			s.Emit(1) // inner: stops itself at this handler
			s.StopEmission()
			s.Emit(2) // started after the outer's stop request: runs fully
		} else if depth == 1 {
			s.StopEmission()
		}
	})
	s.Connect(func(depth int) { got = append(got, "second") })
	s.Emit(0)
	want := []string{"first", "first", "first", "second"}
	if !cmp.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestDetail_SIG6: detailed handlers run only for their detail; plain ones
// for every emission; a plain emission runs only plain handlers.
func TestDetail_SIG6(t *testing.T) {
	var s signal.Signal1[string]
	var got []string
	s.ConnectDetailed("a", func(v string) { got = append(got, "a:"+v) })
	s.ConnectDetailed("b", func(v string) { got = append(got, "b:"+v) })
	s.Connect(func(v string) { got = append(got, "all:"+v) })
	s.EmitDetailed("a", "1")
	s.EmitDetailed("c", "2")
	s.Emit("3")
	want := []string{"a:1", "all:1", "all:2", "all:3"}
	if !cmp.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	c := logging.StartCapture()
	id := s.ConnectDetailed("", func(string) {})
	c.Stop()
	if id != 0 || c.Count("critical", "detail") != 1 {
		t.Fatalf("empty detail: id %d, %v", id, c.Records())
	}
}

// TestEmitInDefinedOrder_SIG02_SIG07 follows tst_qobject emitInDefinedOrder:
// connection order; reconnecting moves a handler to the end; a handler
// disconnected by an earlier one in the same emission is skipped, and one
// connected during it is not called.
func TestEmitInDefinedOrder_SIG02_SIG07(t *testing.T) {
	var s signal.Signal0
	var got []string
	var ids [4]signal.HandlerID
	mk := func(n string) func() { return func() { got = append(got, n) } }
	ids[0] = s.Connect(mk("1"))
	ids[1] = s.Connect(mk("2"))
	ids[2] = s.Connect(mk("3"))
	s.Emit()
	s.Disconnect(ids[0])
	ids[0] = s.Connect(mk("1"))
	s.Emit()
	if want := []string{"1", "2", "3", "2", "3", "1"}; !cmp.Equal(got, want) {
		t.Fatalf("order: got %v, want %v", got, want)
	}
	got = nil
	s.DisconnectAll()
	ids[0] = s.Connect(func() {
		got = append(got, "1")
		s.Disconnect(ids[2])
		s.Disconnect(ids[1])
		ids[1] = s.Connect(mk("2"))
	})
	ids[1] = s.Connect(mk("2"))
	ids[2] = s.Connect(mk("3"))
	s.Emit()
	if want := []string{"1"}; !cmp.Equal(got, want) {
		t.Fatalf("disconnect/reconnect during emission: got %v, want %v", got, want)
	}
}

// TestConnectToSender_SIG07 is tst_qobject connectToSender: a handler that
// connects new handlers to the running signal does not see them called.
func TestConnectToSender_SIG07(t *testing.T) {
	for _, detailed := range []bool{false, true} {
		var s signal.Signal0
		n := 0
		s.Connect(func() {
			n++
			s.Connect(func() { n++ })
		})
		if detailed {
			s.EmitDetailed("x")
		} else {
			s.Emit()
		}
		if n != 1 {
			t.Fatalf("detailed=%v: %d calls, want 1", detailed, n)
		}
	}
}

// TestSignalBlocking_SIG12 is tst_qobject signalBlocking: an owner that
// blocks signals mutes every handler and the class handler.
func TestSignalBlocking_SIG12(t *testing.T) {
	var s signal.Signal1R[int, int]
	o := &owner{}
	s.SetOwner(o)
	s.Connect(func(v int) int { return v })
	s.SetClassHandler(func(v int) int { return v * 10 }, signal.RunLast)
	o.blocked.Store(true)
	if got := s.Emit(1); got != 0 {
		t.Fatalf("blocked emission returned %d", got)
	}
	o.blocked.Store(false)
	if got := s.Emit(1); got != 10 {
		t.Fatalf("unblocked emission returned %d, want 10", got)
	}
	var p signal.Signal0 // fast path
	n := 0
	p.SetOwner(o)
	p.Connect(func() { n++ })
	o.blocked.Store(true)
	p.Emit()
	o.blocked.Store(false)
	p.Emit()
	if n != 1 {
		t.Fatalf("fast path: %d calls, want 1", n)
	}
}

// TestOwnerDestroyed_SIG14: an owner with AddDestroyNotify disconnects
// every handler of its signal when it is destroyed.
func TestOwnerDestroyed_SIG14(t *testing.T) {
	var s signal.Signal0
	r := newRecv(nil)
	s.SetOwner(struct {
		*owner
		*recv
	}{&owner{}, r})
	id := s.Connect(func() {})
	r.destroy()
	if s.IsConnected(id) || s.HasHandlers() {
		t.Fatal("handlers survived the owner's destruction")
	}
}

func TestArities(t *testing.T) {
	var got []any
	var s0 signal.Signal0
	var s2 signal.Signal2[int, string]
	var s3 signal.Signal3[int, string, bool]
	var r0 signal.Signal0R[int]
	var r2 signal.Signal2R[int, int, int]
	var r3 signal.Signal3R[int, int, int, int]
	s0.Connect(func() { got = append(got, "s0") })
	s2.Connect(func(a int, b string) { got = append(got, a, b) })
	s3.ConnectAfter(func(a int, b string, c bool) { got = append(got, a, b, c) })
	r0.Connect(func() int { return 7 })
	r2.Connect(func(a, b int) int { return a + b })
	r3.ConnectDetailed("d", func(a, b, c int) int { return a + b + c })
	s0.Emit()
	s2.Emit(1, "x")
	s3.EmitDetailed("q", 2, "y", true)
	got = append(got, r0.Emit(), r2.Emit(1, 2), r3.EmitDetailed("d", 1, 2, 3), r3.Emit(1, 2, 3))
	want := []any{"s0", 1, "x", 2, "y", true, 7, 3, 6, 0}
	if !cmp.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestConnectErrors(t *testing.T) {
	var s signal.Signal0
	r := newRecv(nil)
	cases := []struct {
		name string
		o    signal.Options
		want error
	}{
		{"queued without receiver", signal.Options{Type: signal.QueuedConnection}, signal.ErrNoReceiver},
		{"bad type", signal.Options{Type: 7}, signal.ErrInvalidType},
		{"bad flag", signal.Options{Type: 0x4000}, signal.ErrInvalidType},
		{"unique without key", signal.Options{Receiver: r, Type: signal.UniqueConnection}, signal.ErrUniqueNeedsKey},
		{"unique with uncomparable key", signal.Options{Type: signal.UniqueConnection, Key: []int{1}}, signal.ErrUniqueNeedsKey},
		{"uncomparable key", signal.Options{Key: []int{1}}, signal.ErrKeyNotComparable},
		{"uncomparable key in a struct", signal.Options{Key: struct{ f func() }{}}, signal.ErrKeyNotComparable},
		{"uncomparable receiver", signal.Options{Receiver: funcRecv{}}, signal.ErrKeyNotComparable},
	}
	c := logging.StartCapture()
	defer c.Stop()
	for _, tc := range cases {
		if id, err := s.ConnectWith(func() {}, tc.o); !errors.Is(err, tc.want) || id != 0 {
			t.Errorf("%s: got %d, %v; want %v", tc.name, id, err, tc.want)
		}
	}
	if _, err := s.ConnectTo(nil, func() {}, signal.DirectConnection); !errors.Is(err, signal.ErrNoReceiver) {
		t.Errorf("nil receiver: %v", err)
	}
	// A typed nil receiver or owner used to panic (nil dereference).
	if _, err := s.ConnectTo((*recv)(nil), func() {}, signal.QueuedConnection); !errors.Is(err, signal.ErrNoReceiver) {
		t.Errorf("typed nil receiver: %v", err)
	}
	var so signal.Signal0
	so.SetOwner((*owner)(nil))
	ran := false
	so.Connect(func() { ran = true })
	so.Emit()
	if !ran {
		t.Error("a signal with a typed nil owner did not emit")
	}
	if _, err := s.ConnectWith(nil, signal.Options{}); !errors.Is(err, signal.ErrNilHandler) {
		t.Errorf("nil handler: %v", err)
	}
	r.destroy()
	if _, err := s.ConnectTo(r, func() {}, signal.DirectConnection); !errors.Is(err, signal.ErrReceiverDestroyed) {
		t.Errorf("destroyed receiver: %v", err)
	}
	if s.HasHandlers() {
		t.Error("a refused connect left a handler")
	}
	// DisconnectKey with a key == cannot compare used to panic.
	if n := s.DisconnectKey(nil, []int{1}); n != 0 || c.Count("critical", "not comparable") != 1 {
		t.Errorf("DisconnectKey(uncomparable): %d, records %v", n, c.Records())
	}
}

// funcRecv is a Receiver whose dynamic type == cannot compare.
type funcRecv struct{ f func() }

func (funcRecv) MainContext() *mainloop.Context      { return nil }
func (funcRecv) IsDestroyed() bool                   { return false }
func (funcRecv) AddDestroyNotify(func()) (rm func()) { return func() {} }

// TestPanicPolicy: a panicking handler unwinds to the emitter, the rest of
// the emission is abandoned, and the signal keeps working.
func TestPanicPolicy(t *testing.T) {
	for _, detailed := range []bool{false, true} {
		var s signal.Signal0
		var got []string
		s.Connect(func() { got = append(got, "a") })
		id := s.Connect(func() { panic("boom") })
		s.Connect(func() { got = append(got, "c") })
		func() {
			defer func() {
				if r := recover(); r != "boom" {
					t.Fatalf("recovered %v, want boom", r)
				}
			}()
			if detailed {
				s.EmitDetailed("x")
			} else {
				s.Emit()
			}
		}()
		s.Disconnect(id)
		s.Emit()
		if want := []string{"a", "a", "c"}; !cmp.Equal(got, want) {
			t.Fatalf("detailed=%v: got %v, want %v", detailed, got, want)
		}
	}
}

func TestConnectionTypeString(t *testing.T) {
	if got := (signal.QueuedConnection | signal.SingleShotConnection).String(); got != "QueuedConnection|SingleShotConnection" {
		t.Fatal(got)
	}
}
