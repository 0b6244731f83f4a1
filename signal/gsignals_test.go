package signal_test

// Ports of GLib's gobject/tests/signals.c cases that the tests elsewhere in
// this package do not already hold (docs/conformance/signal.md maps every
// case to its Go test).

import (
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/signal"
)

// allTypes is the argument list of signals.c's "all-types" signals, as one
// struct (sigloop signals take up to three arguments; more go in a struct).
type allTypes struct {
	I    int
	B    bool
	C    int8
	UC   uint8
	UI   uint32
	L    int64
	UL   uint64
	E    testEnum
	F    myFlags
	Fl   float32
	Db   float64
	Str  string
	Ptr  unsafe.Pointer
	Obj  *signal.Signal1[allTypes]
	Var  any
	I64  int64
	UI64 uint64
}

type (
	testEnum         int32
	testUnsignedEnum uint32
	myFlags          uint32
)

const (
	testEnumNegative testEnum         = -30
	testEnumBar      testEnum         = 2
	unsignedEnumFoo  testUnsignedEnum = 1
	unsignedEnumBar  testUnsignedEnum = 42
	flagsFirst       myFlags          = 1 << 0
	flagsThird       myFlags          = 1 << 2
	flagsLast        myFlags          = 1 << 31
)

// TestAllTypes is /gobject/signals/all-types: every kind of value
// reaches the class handler and the handlers unchanged. Three of the five
// signals have a class handler (all-types, -va, -generic), two none
// (-null, -empty): emitting all five calls 3 class handlers, then 3+5
// once a handler is connected to each, then 3+5+5 with a second one.
func TestAllTypes(t *testing.T) {
	var sigs [5]signal.Signal1[allTypes]
	x := 0
	want := allTypes{
		I: 42, B: true, C: 17, UC: 140, UI: math.MaxUint32 - 42, L: -1117,
		UL: math.MaxUint64 - 999, E: 1, F: flagsFirst | flagsThird | flagsLast,
		Fl: 0.25, Db: 1.5, Str: "Test", Ptr: unsafe.Pointer(&x), Obj: &sigs[0],
		Var: uint16(99), I64: math.MaxInt64 - 1234, UI64: math.MaxUint64 - 123456,
	}
	count := 0
	check := func(v allTypes) {
		count++
		if v != want {
			t.Errorf("arguments changed on the way: %+v", v)
		}
	}
	for i := range 3 {
		sigs[i].SetClassHandler(check, signal.RunLast)
	}
	emitAll := func() {
		for i := range sigs {
			sigs[i].Emit(want)
		}
	}
	emitAll()
	if count != 3 {
		t.Fatalf("class handlers only: %d calls, want 3", count)
	}
	for _, extra := range []int{5, 10} {
		count = 0
		for i := range sigs {
			sigs[i].Connect(check)
		}
		emitAll()
		if count != 3+extra {
			t.Fatalf("%d calls, want %d", count, 3+extra)
		}
	}
}

// TestGenericMarshallerArgs is /gobject/signals/generic-marshaller-1
// and -2: mixed argument kinds (and signed and unsigned enums) arrive as
// they were emitted.
func TestGenericMarshallerArgs(t *testing.T) {
	type m1 struct {
		SChar int8
		UChar uint8
		Int   int
		Long  int64
		Ptr   unsafe.Pointer
		Dbl   float64
		Flt   float32
	}
	var s1 signal.Signal1[m1]
	ran := 0
	s1.Connect(func(v m1) {
		ran++
		if v.SChar != 42 || v.UChar != 43 || v.Int != 4096 || v.Long != 8192 || v.Ptr != nil ||
			!(v.Dbl > 0 && v.Dbl < 1) || !(v.Flt > 5 && v.Flt < 6) {
			t.Errorf("generic-marshaller-1: %+v", v)
		}
	})
	s1.Emit(m1{42, 43, 4096, 8192, nil, 0.5, 5.5})

	var s2 signal.Signal3[int, testEnum, struct {
		I2 int
		U  testUnsignedEnum
		I3 int
	}]
	s2.Connect(func(i1 int, e testEnum, rest struct {
		I2 int
		U  testUnsignedEnum
		I3 int
	}) {
		ran++
		if i1 != 42 || e != testEnumBar || rest.I2 != 43 || rest.U != unsignedEnumBar || rest.I3 != 44 {
			t.Errorf("generic-marshaller-2: %d %d %+v", i1, e, rest)
		}
	})
	s2.Emit(42, testEnumBar, struct {
		I2 int
		U  testUnsignedEnum
		I3 int
	}{43, unsignedEnumBar, 44})
	if ran != 2 {
		t.Fatalf("%d handlers ran, want 2", ran)
	}
}

// returnCase checks one signals.c return-value case: a handler returning
// v1, disconnected, then one returning v2, each emission's result the
// handler's value (on the fast and on the general path).
func returnCase[R comparable](t *testing.T, name string, v1, v2 R) {
	t.Helper()
	for _, detailed := range []bool{false, true} {
		var s signal.Signal0R[R]
		for _, v := range []R{v1, v2} {
			id := s.Connect(func() R { return v })
			var got R
			if detailed {
				got = s.EmitDetailed("d")
			} else {
				got = s.Emit()
			}
			if got != v {
				t.Errorf("%s (detailed %v): got %v, want %v", name, detailed, got, v)
			}
			s.Disconnect(id)
		}
	}
}

type foo interface{ isFoo() }
type baa struct{}

func (*baa) isFoo() {}

// TestReturnValues_SIG8 is /gobject/signals/generic-marshaller-enum-return-
// signed, -enum-return-unsigned, -int-return, -uint-return and
// -interface-return (each for the generic and the va marshaller in GLib;
// sigloop has one call path per emission kind, both are run).
func TestReturnValues_SIG8(t *testing.T) {
	returnCase(t, "enum-return-signed", testEnumNegative, testEnumBar)
	returnCase(t, "enum-return-unsigned", unsignedEnumFoo, unsignedEnumBar)
	returnCase(t, "int-return", -30, 2)
	returnCase(t, "uint-return", uint32(1), uint32(math.MaxUint32))

	var s signal.Signal0R[foo]
	s.Connect(func() foo { return &baa{} })
	if _, ok := s.Emit().(*baa); !ok {
		t.Errorf("interface-return: the value does not implement foo as *baa")
	}
}

// TestAccumulatorRunType_SIG8 is /gobject/signals/accumulator with its
// accumulator as written in GLib: it checks the invocation hint's run type
// on every call (ACCUMULATOR_FIRST_RUN and RUN_FIRST with the first
// handler's 1, RUN_FIRST with 2, RUN_LAST with the after-handler's 3) and
// stops once the sum reaches 6, so the handler returning 4 never runs.
func TestAccumulatorRunType_SIG8(t *testing.T) {
	for _, detailed := range []bool{false, true} {
		var s signal.Signal0R[int]
		calls := 0
		s.SetAccumulator(func(h signal.InvocationHint, acc, ret int) (int, bool) {
			calls++
			if ret <= 0 {
				t.Errorf("handler returned %d", ret)
			}
			switch rt := h.RunType; {
			case rt&signal.AccumulatorFirstRun != 0:
				if acc != 0 || ret != 1 || rt&signal.RunFirst == 0 || rt&signal.RunLast != 0 {
					t.Errorf("first run: acc %d ret %d run type %b", acc, ret, rt)
				}
			case rt&signal.RunFirst != 0:
				if acc != 1 || ret != 2 || rt&signal.RunLast != 0 {
					t.Errorf("RUN_FIRST: acc %d ret %d run type %b", acc, ret, rt)
				}
			case rt&signal.RunLast != 0:
				if acc != 3 || ret != 3 || rt&signal.RunFirst != 0 {
					t.Errorf("RUN_LAST: acc %d ret %d run type %b", acc, ret, rt)
				}
			default:
				t.Errorf("unexpected run type %b", rt)
			}
			if detailed && h.Detail != "d" {
				t.Errorf("hint detail %q, want \"d\"", h.Detail)
			}
			return acc + ret, acc+ret < 6
		})
		// Connected in reverse order: after-handlers still run after the
		// normal ones, each group in connection order.
		s.ConnectAfter(func() int { return 3 })
		s.ConnectAfter(func() int { return 4 })
		s.Connect(func() int { return 1 })
		s.Connect(func() int { return 2 })
		var ret int
		if detailed {
			ret = s.EmitDetailed("d")
		} else {
			ret = s.Emit()
		}
		if ret != 6 || calls != 3 {
			t.Errorf("detailed %v: result %d after %d accumulator calls, want 6 after 3", detailed, ret, calls)
		}
	}
}

// TestAccumulatorHintFastPath_SIG8: a signal with plain handlers only
// (Emit's fast path) gives the accumulator the same hints as the general
// path: first run, then RUN_FIRST.
func TestAccumulatorHintFastPath_SIG8(t *testing.T) {
	var s signal.Signal1R[int, int]
	var runs []signal.RunStage
	s.SetAccumulator(func(h signal.InvocationHint, acc, v int) (int, bool) {
		runs = append(runs, h.RunType)
		return acc + v, true
	})
	for range 3 {
		s.Connect(func(v int) int { return v })
	}
	if got := s.Emit(2); got != 6 {
		t.Errorf("sum %d, want 6", got)
	}
	want := []signal.RunStage{signal.RunFirst | signal.AccumulatorFirstRun, signal.RunFirst, signal.RunFirst}
	if !cmp.Equal(runs, want) {
		t.Errorf("run types %v, want %v", runs, want)
	}
}

// TestBlockMatched_SIG5 is /gobject/signals/block-handler: blocking and
// unblocking one handler of one instance leaves the other instance's
// handler alone; the *_matched calls return how many handlers they matched
// (0 for a func/data that was not connected), and their criteria are ANDed;
// disconnect_matched by signal id leaves nothing to find. In sigloop the
// instance is the signal field and Options.Key stands for func and data.
func TestBlockMatched_SIG5(t *testing.T) {
	type key struct{ fn, data string }
	var test1, test2 signal.Signal0
	count1, count2 := 0, 0
	k1 := key{"test_handler", "&count1"}
	k2 := key{"test_handler", "&count2"}
	handler1, _ := test1.ConnectWith(func() { count1++ }, signal.Options{Key: k1})
	test2.ConnectWith(func() { count2++ }, signal.Options{Key: k2})
	emit := func(w1, w2 int) {
		t.Helper()
		test1.Emit()
		test2.Emit()
		if count1 != w1 || count2 != w2 {
			t.Fatalf("counts %d, %d; want %d, %d", count1, count2, w1, w2)
		}
	}
	emit(1, 1)
	test1.Block(handler1)
	emit(1, 2)
	test1.Unblock(handler1)
	emit(2, 3)

	if n := test1.BlockKey(nil, key{"test_block_handler", ""}); n != 0 {
		t.Errorf("block_matched with an unconnected func: %d, want 0", n)
	}
	if n := test2.BlockKey(nil, k2); n != 1 {
		t.Errorf("block_matched on test2: %d, want 1", n)
	}
	emit(3, 3)
	test2.UnblockKey(nil, k2)

	// Match by signal id: every handler of the signal.
	test1.Block(handler1)
	emit(3, 4)
	test1.Unblock(handler1)

	// Criteria are ANDed: the right func with the wrong data matches none.
	if n := test1.BlockKey(nil, key{"test_handler", "will not match"}); n != 0 {
		t.Errorf("func with wrong data matched %d", n)
	}
	if n := test1.BlockKey(nil, k1); n != 1 {
		t.Errorf("func and data matched %d, want 1", n)
	}
	if n := test1.UnblockKey(nil, k1); n != 1 {
		t.Errorf("unblock matched %d, want 1", n)
	}
	if n := test1.DisconnectAll(); n != 1 {
		t.Errorf("disconnect_matched by id: %d, want 1", n)
	}
	if test1.HasHandlers() || test1.IsConnected(handler1) {
		t.Errorf("a handler is still found after disconnect_matched")
	}
}

// TestClearSignalHandler_SIG4 is /gobject/signals/clear-signal-handler:
// ClearHandler disconnects and zeroes the id, a second call on the zeroed
// id does nothing, and an id the signal never had logs GLib's critical and
// is zeroed all the same.
func TestClearSignalHandler_SIG4(t *testing.T) {
	var s signal.Signal0
	handler := s.Connect(func() { t.Error("dont_reach ran") })
	if handler == 0 {
		t.Fatal("id 0")
	}
	s.ClearHandler(&handler)
	if handler != 0 {
		t.Fatalf("id %d after ClearHandler, want 0", handler)
	}
	s.Emit()
	c := logging.StartCapture()
	s.ClearHandler(&handler) // 0: nothing to do, no critical
	if n := len(c.Records()); n != 0 {
		t.Errorf("ClearHandler(0) logged %v", c.Records())
	}
	handler = 0x7f
	s.ClearHandler(&handler)
	c.Stop()
	if handler != 0 || c.Count("critical", "has no handler with id") != 1 {
		t.Errorf("unknown id: id %d, records %v", handler, c.Records())
	}
}

// TestDestroyTargetObject_SIG08_SIG14 is /gobject/signals/destroy-target-object:
// two handlers bound to two targets (g_signal_connect_object), each
// destroying its own target during the emission; the emission completes
// and the sender's destruction afterwards finds nothing left to undo.
func TestDestroyTargetObject_SIG08_SIG14(t *testing.T) {
	sender := newRecv(nil)
	target1, target2 := newRecv(nil), newRecv(nil)
	var s signal.Signal0
	s.SetOwner(struct {
		*owner
		*recv
	}{&owner{}, sender})
	ran := 0
	s.ConnectTo(target1, func() { ran++; target1.destroy() }, signal.DirectConnection)
	s.ConnectTo(target2, func() { ran++; target2.destroy() }, signal.DirectConnection)
	s.Emit()
	if ran != 2 || s.HasHandlers() {
		t.Fatalf("%d handlers ran, handlers left: %v; want 2, none", ran, s.HasHandlers())
	}
	sender.destroy()
	if target1.notifies() != 0 || target2.notifies() != 0 || sender.notifies() != 0 {
		t.Errorf("destroy notifies left behind")
	}
}

// TestWeakRefDisconnect_SIG06_SIG14 is /gobject/signals/weak-ref-disconnect: the
// handler's data is released when its instance is destroyed, by which time
// a weak reference to the instance already reads nil. In Go the "destroy
// notify" of a handler's data is the data becoming unreachable: a cleanup
// attached to what the handler captured runs after the owner's
// destruction, and sees the owner as destroyed.
func TestWeakRefDisconnect_SIG06_SIG14(t *testing.T) {
	inst := newRecv(nil)
	var s signal.Signal0
	s.SetOwner(struct {
		*owner
		*recv
	}{&owner{}, inst})
	released := make(chan bool, 1)
	func() {
		state := new([64]byte)
		runtime.AddCleanup(state, func(r *recv) { released <- r.IsDestroyed() }, inst)
		id := s.Connect(func() { t.Error("dont_reach ran"); _ = state })
		if id == 0 {
			t.Fatal("id 0")
		}
	}()
	inst.destroy()
	if s.HasHandlers() {
		t.Fatal("handler still connected after its instance was destroyed")
	}
	deadline := time.After(5 * time.Second)
	for {
		runtime.GC()
		select {
		case destroyed := <-released:
			if !destroyed {
				t.Fatal("handler data released while the instance was alive")
			}
			return
		case <-deadline:
			t.Fatal("the handler's data was never released")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestStopEmissionOtherSignal_SIG7: StopEmission on a signal that is not
// emitting, called from a handler of another signal's emission, is misuse:
// it logs GLib's critical and stops nothing, because emissions are tracked
// per signal (it used to look for any Emit of the package on the call
// stack, and found the other signal's).
func TestStopEmissionOtherSignal_SIG7(t *testing.T) {
	var s, other signal.Signal0
	sRan := 0
	s.Connect(func() { sRan++ })
	s.Connect(func() { sRan++ })
	otherRan := 0
	other.SetClassHandler(func() {}, signal.RunLast) // the general path, like most object signals
	other.Connect(func() { otherRan++; s.StopEmission() })
	other.Connect(func() { otherRan++ })
	if n, recs := criticals("no emission of signal", other.Emit); n != 1 {
		t.Errorf("StopEmission of an idle signal inside another's emission: %v", recs)
	}
	if otherRan != 2 {
		t.Errorf("the other signal's emission was stopped: %d handlers ran", otherRan)
	}
	s.Emit()
	if sRan != 2 {
		t.Errorf("a refused StopEmission stopped a later emission: %d ran", sRan)
	}
}

// TestStopEmissionTracked_SIG7: on a general-path signal (here one with a
// class handler), StopEmission inside its emission is accepted on any
// goroutine's own emission, and refused once no emission is running,
// however many emissions ran before.
func TestStopEmissionTracked_SIG7(t *testing.T) {
	var s signal.Signal0
	s.SetClassHandler(func() {}, signal.RunFirst)
	after := 0
	s.Connect(func() { s.StopEmission() })
	s.ConnectAfter(func() { after++ })
	for range 3 {
		s.Emit()
	}
	if after != 0 {
		t.Fatalf("after-handler ran %d times through StopEmission", after)
	}
	if n, recs := criticals("no emission of signal", s.StopEmission); n != 1 {
		t.Errorf("StopEmission after the emissions ended: %v", recs)
	}
}

// TestStopEmissionNestedSingle_SIG7: an outer emission of a signal whose
// first handler disconnects itself and re-emits the signal, so that the
// inner emission has a single plain handler, which stops it. GLib stops
// only the inner emission, and the outer goes on to that handler. sigloop
// does too from the signal's second StopEmission on; the very first one,
// made in Emit's single-handler case, is documented to reach the outer
// emission (stop.go: differs from GLib).
func TestStopEmissionNestedSingle_SIG7(t *testing.T) {
	run := func(s *signal.Signal1[int]) (calls []string) {
		var self signal.HandlerID
		self = s.Connect(func(depth int) {
			calls = append(calls, "h1")
			s.Disconnect(self)
			s.Emit(depth + 1) // inner: h2 alone
		})
		s.Connect(func(depth int) {
			calls = append(calls, fmt.Sprint("h2@", depth))
			s.StopEmission()
		})
		s.Emit(0)
		s.DisconnectAll()
		return calls
	}
	var s signal.Signal1[int]
	s.Connect(func(int) {})
	s.Emit(0) // the signal has run its fast path
	s.DisconnectAll()
	first := run(&s)
	if want := []string{"h1", "h2@1"}; !cmp.Equal(first, want) {
		t.Errorf("first StopEmission: %v, want %v (documented deviation)", first, want)
	}
	second := run(&s)
	if want := []string{"h1", "h2@1", "h2@0"}; !cmp.Equal(second, want) {
		t.Errorf("later StopEmission: %v, want GLib's %v", second, want)
	}
}
