package signal_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/signal"
)

// TestQueued_SIG10: queued calls run later on the receiver's context, one
// per emission, in order, with the arguments of their emission.
func TestQueued_SIG10(t *testing.T) {
	ctx := loop(t)
	r := newRecv(ctx)
	var s signal.Signal1[[2]int]
	var mu sync.Mutex
	var got [][2]int
	onLoop := true
	s.ConnectTo(r, func(v [2]int) {
		mu.Lock()
		got = append(got, v)
		onLoop = onLoop && ctx.IsOwner()
		mu.Unlock()
	}, signal.QueuedConnection)
	arg := [2]int{1, 1}
	for i := range 3 {
		arg[0] = i
		s.Emit(arg)
	}
	on(ctx, func() {})
	mu.Lock()
	defer mu.Unlock()
	if want := [][2]int{{0, 1}, {1, 1}, {2, 1}}; !cmp.Equal(got, want) || !onLoop {
		t.Fatalf("got %v (on loop: %v), want %v on the loop", got, onLoop, want)
	}
}

// TestQueuedNotInsideEmit_SIG10 is tst_qobject connectFunctorQueued: the
// call does not happen inside Emit, even on the receiver's own context.
func TestQueuedNotInsideEmit_SIG10(t *testing.T) {
	ctx, r := pumpedRecv()
	var s signal.Signal0
	n := 0
	s.ConnectTo(r, func() { n++ }, signal.QueuedConnection)
	ctx.Acquire()
	defer ctx.Release()
	s.Emit()
	if n != 0 {
		t.Fatal("queued handler ran inside Emit")
	}
	pump(ctx)
	if n != 1 {
		t.Fatalf("%d calls after the loop ran, want 1", n)
	}
}

// TestQueuedSurvivesDisconnect_SIG10: a posted call still runs after a
// plain Disconnect (Qt), but not after the receiver is destroyed
// (tst_qobject baseDestroyed).
func TestQueuedSurvivesDisconnect_SIG10(t *testing.T) {
	ctx, r := pumpedRecv()
	var s signal.Signal0
	n := 0
	id, _ := s.ConnectTo(r, func() { n++ }, signal.QueuedConnection)
	s.Emit()
	s.Disconnect(id)
	s.Emit() // disconnected: posts nothing
	pump(ctx)
	if n != 1 {
		t.Fatalf("after disconnect: %d calls, want 1", n)
	}
	s.ConnectTo(r, func() { n++ }, signal.QueuedConnection)
	s.Emit()
	r.destroy()
	pump(ctx)
	if n != 1 {
		t.Fatalf("queued call to a destroyed receiver ran")
	}
	if s.HasHandlers() || r.notifies() != 0 {
		t.Fatal("destroying the receiver left the connection or its notify")
	}
}

// TestBlockingQueued_SIG10 is tst_qobject blockingQueuedConnection: the
// handler has run, on the receiver's context, when Emit returns, and its
// value is the emission's result.
func TestBlockingQueued_SIG10(t *testing.T) {
	ctx := loop(t)
	r := newRecv(ctx)
	var s signal.Signal1R[int, int]
	onLoop := false
	s.ConnectTo(r, func(v int) int { onLoop = ctx.IsOwner(); return v * 2 }, signal.BlockingQueuedConnection)
	if got := s.Emit(21); got != 42 || !onLoop {
		t.Fatalf("got %d (on loop %v), want 42 on the loop", got, onLoop)
	}
}

// TestBlockingQueuedOwnContext_SIG10: emitting a blocking-queued connection
// from the receiver's own context logs Qt's dead-lock critical and skips the
// handler instead of hanging (DECISIONS.md).
func TestBlockingQueuedOwnContext_SIG10(t *testing.T) {
	ctx := loop(t)
	r := newRecv(ctx)
	var s signal.Signal0
	n := 0
	s.ConnectTo(r, func() { n++ }, signal.BlockingQueuedConnection)
	if dl, recs := criticals("Dead lock detected", func() { on(ctx, s.Emit) }); n != 0 || dl != 1 {
		t.Fatalf("calls %d, records %v", n, recs)
	}
}

// TestBlockingQueuedReceiverDestroyed_SIG10: the emitter is released, and
// the handler not called, when the receiver dies before the call is
// delivered.
func TestBlockingQueuedReceiverDestroyed_SIG10(t *testing.T) {
	ctx := loop(t)
	r := newRecv(ctx)
	var s signal.Signal0R[int]
	reached := make(chan struct{})
	s.Connect(func() int { close(reached); return 0 })
	s.ConnectTo(r, func() int { return 1 }, signal.BlockingQueuedConnection)
	gate := make(chan struct{})
	busy := make(chan struct{})
	go on(ctx, func() { close(busy); <-gate }) // hold the loop
	<-busy
	res := make(chan int)
	go func() { res <- s.Emit() }()
	<-reached
	time.Sleep(20 * time.Millisecond) // let the emitter post the call (either way it must be dropped)
	r.destroy()
	close(gate)
	if got := <-res; got != 0 {
		t.Fatalf("Emit returned %d, want 0 (handler dropped)", got)
	}
}

// TestAutoConnection_SIG10 is tst_qobject autoConnectionBehavior: decided
// per emission by whether the emitter owns the receiver's context.
func TestAutoConnection_SIG10(t *testing.T) {
	ctx := loop(t)
	r := newRecv(ctx)
	var s signal.Signal0
	var mu sync.Mutex
	calls := 0
	s.ConnectTo(r, func() { mu.Lock(); calls++; mu.Unlock() }, signal.AutoConnection)
	count := func() int { mu.Lock(); defer mu.Unlock(); return calls }
	on(ctx, func() {
		s.Emit()
		if count() != 1 {
			t.Error("emitted on the receiver's context: not direct")
		}
	})
	gate := make(chan struct{})
	busy := make(chan struct{})
	go on(ctx, func() { close(busy); <-gate })
	<-busy
	s.Emit() // from a foreign goroutine while the loop is busy: queued
	if count() != 1 {
		t.Error("emitted from a foreign goroutine: not queued")
	}
	close(gate)
	on(ctx, func() {})
	if count() != 2 {
		t.Errorf("queued auto call: %d calls, want 2", count())
	}
}

// TestUniqueConnection_SIG03_SIG10 is tst_qobject uniqConnection, with the
// key standing for the member-function pointer.
func TestUniqueConnection_SIG03_SIG10(t *testing.T) {
	var s signal.Signal0
	r1, r2 := newRecv(nil), newRecv(nil)
	n := 0
	inc := func() { n++ }
	u := func(r signal.Receiver, key any) error {
		_, err := s.ConnectWith(inc, signal.Options{Receiver: r, Key: key, Type: signal.DirectConnection | signal.UniqueConnection})
		return err
	}
	if err := u(r1, "slot4"); err != nil {
		t.Fatal(err)
	}
	if err := u(r1, "slot4"); !errors.Is(err, signal.ErrDuplicate) {
		t.Fatalf("duplicate: %v", err)
	}
	if err := u(r2, "slot4"); err != nil {
		t.Fatal("same key, other receiver refused:", err)
	}
	if err := u(r1, "slot5"); err != nil {
		t.Fatal("other key refused:", err)
	}
	s.ConnectTo(r1, inc, signal.DirectConnection) // not unique: duplicates are fine
	s.ConnectTo(r1, inc, signal.DirectConnection)
	s.Emit()
	if n != 5 {
		t.Fatalf("%d calls, want 5", n)
	}
	if got := s.DisconnectKey(r1, "slot4"); got != 1 {
		t.Fatalf("DisconnectKey removed %d, want 1", got)
	}
	if err := u(r1, "slot4"); err != nil {
		t.Fatal("reconnect after disconnect refused:", err)
	}
	if got := s.DisconnectReceiver(r1); got != 4 {
		t.Fatalf("DisconnectReceiver removed %d, want 4 (SIG-04 removes all)", got)
	}
	if got := s.DisconnectReceiver(r1); got != 0 {
		t.Fatalf("second DisconnectReceiver removed %d", got)
	}
}

// TestSingleShot_SIG10 follows tst_qobject singleShotConnection.
func TestSingleShot_SIG10(t *testing.T) {
	direct := signal.DirectConnection | signal.SingleShotConnection
	t.Run("first emission only, removed before the call", func(t *testing.T) {
		var s signal.Signal0
		r := newRecv(nil)
		n := 0
		var id signal.HandlerID
		connectedInside := true
		id, _ = s.ConnectTo(r, func() { n++; connectedInside = s.IsConnected(id) }, direct)
		s.Emit()
		s.Emit()
		if n != 1 || connectedInside || s.IsConnected(id) || r.notifies() != 0 {
			t.Fatalf("calls %d, connected inside %v", n, connectedInside)
		}
	})
	t.Run("disconnect before emit", func(t *testing.T) {
		var s signal.Signal0
		n := 0
		id, _ := s.ConnectWith(func() { n++ }, signal.Options{Type: direct})
		s.Disconnect(id)
		s.Emit()
		if n != 0 {
			t.Fatal("called")
		}
	})
	t.Run("two single-shots and a normal one", func(t *testing.T) {
		var s signal.Signal0
		var got []string
		s.ConnectWith(func() { got = append(got, "a") }, signal.Options{Type: direct})
		s.ConnectWith(func() { got = append(got, "b") }, signal.Options{Type: direct})
		s.Connect(func() { got = append(got, "n") })
		s.Emit()
		s.Emit()
		if want := []string{"a", "b", "n", "n"}; !cmp.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
	t.Run("reconnect from inside the slot fires on the next emission", func(t *testing.T) {
		var s signal.Signal0
		n := 0
		var slot func()
		slot = func() {
			n++
			s.ConnectWith(slot, signal.Options{Type: direct})
		}
		s.ConnectWith(slot, signal.Options{Type: direct})
		s.Emit()
		if n != 1 {
			t.Fatalf("first emission: %d calls", n)
		}
		s.Emit()
		if n != 2 {
			t.Fatalf("second emission: %d calls", n)
		}
	})
	t.Run("queued: several emissions, one call", func(t *testing.T) {
		ctx, r := pumpedRecv()
		var s signal.Signal1[int]
		var got []int
		s.ConnectTo(r, func(v int) { got = append(got, v) }, signal.QueuedConnection|signal.SingleShotConnection)
		s.Emit(1)
		s.Emit(2)
		s.Emit(3)
		pump(ctx)
		if !cmp.Equal(got, []int{1}) || s.HasHandlers() {
			t.Fatalf("got %v, want [1]", got)
		}
	})
	t.Run("receiver destroys itself in the slot", func(t *testing.T) {
		var s signal.Signal0
		r := newRecv(nil)
		n := 0
		s.ConnectTo(r, func() { n++; r.destroy() }, direct)
		s.ConnectTo(r, func() { n++ }, signal.DirectConnection)
		s.Emit()
		s.Emit()
		if n != 1 || s.HasHandlers() {
			t.Fatalf("calls %d, handlers left %v", n, s.HasHandlers())
		}
	})
}

// TestDeleteSelfInSlot_SIG08_SIG15 is tst_qobject deleteSelfInSlot and
// emitInDefinedOrder's last part: a slot destroying a later receiver skips
// that receiver's remaining connections in the same emission.
func TestDeleteSelfInSlot_SIG08_SIG15(t *testing.T) {
	var s signal.Signal0
	r1, r2 := newRecv(nil), newRecv(nil)
	var got []string
	s.ConnectTo(r1, func() { got = append(got, "r1"); r2.destroy() }, signal.DirectConnection)
	s.ConnectTo(r2, func() { got = append(got, "r2") }, signal.DirectConnection)
	s.Connect(func() { got = append(got, "plain") })
	s.Emit()
	if want := []string{"r1", "plain"}; !cmp.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if s.HandlerCount() != 2 {
		t.Fatalf("%d handlers left, want 2", s.HandlerCount())
	}
}

// TestDisconnectRemovesNotify_SIG06: a connection removed by Disconnect no
// longer holds a destroy notify on its receiver.
func TestDisconnectRemovesNotify_SIG06(t *testing.T) {
	var s signal.Signal0
	r := newRecv(nil)
	id, _ := s.ConnectTo(r, func() {}, signal.DirectConnection)
	if r.notifies() != 1 {
		t.Fatal("no destroy notify registered")
	}
	s.Disconnect(id)
	if r.notifies() != 0 {
		t.Fatal("destroy notify left behind")
	}
	s.ConnectTo(r, func() {}, signal.DirectConnection)
	s.DisconnectAll()
	if r.notifies() != 0 {
		t.Fatal("destroy notify left behind by DisconnectAll")
	}
}

// dyingRecv is destroyed between IsDestroyed and AddDestroyNotify: its
// notify runs at once, inside ConnectTo.
type dyingRecv struct{ recv }

func (d *dyingRecv) AddDestroyNotify(fn func()) func() { fn(); return func() {} }

// TestConnectToDyingReceiver: the destroy notify running inside ConnectTo
// does not deadlock (no lock is held while it is added) and leaves no
// connection.
func TestConnectToDyingReceiver(t *testing.T) {
	var s signal.Signal0
	d := &dyingRecv{}
	n := 0
	id, err := s.ConnectTo(d, func() { n++ }, signal.DirectConnection)
	if err != nil {
		t.Fatal(err)
	}
	s.Emit()
	if n != 0 || s.IsConnected(id) || s.HasHandlers() {
		t.Fatal("connection to a receiver that died while connecting survived")
	}
}

// TestQueuedOrderAcrossSignals_SIG10: queued calls to one context run in
// emission order, whichever signal and receiver they come from (Qt posts
// them to one event queue).
func TestQueuedOrderAcrossSignals_SIG10(t *testing.T) {
	ctx, r1 := pumpedRecv()
	r2 := newRecv(ctx)
	var a signal.Signal1[int]
	var b signal.Signal2[int, string]
	var got []int
	a.ConnectTo(r1, func(v int) { got = append(got, v) }, signal.QueuedConnection)
	b.ConnectTo(r2, func(v int, _ string) { got = append(got, v) }, signal.QueuedConnection)
	var want []int
	for i := range 50 {
		if i%3 == 0 {
			b.Emit(i, "")
		} else {
			a.Emit(i)
		}
		want = append(want, i)
	}
	pump(ctx)
	if !cmp.Equal(got, want) {
		t.Fatalf("got %v", got)
	}
}

// TestBlockingQueuedNilContext_SIG10: a receiver without a context gets
// its queued calls on the default context, so emitting a blocking-queued
// connection from the default context's owner must be refused as a dead
// lock too (it used to hang forever).
func TestBlockingQueuedNilContext_SIG10(t *testing.T) {
	r := newRecv(nil)
	var s signal.Signal0
	n := 0
	if _, err := s.ConnectTo(r, func() { n++ }, signal.BlockingQueuedConnection); err != nil {
		t.Fatal(err)
	}
	var err error
	dl, recs := criticals("Dead lock detected", func() {
		asDefaultOwner(t, func() { err = s.CheckDeadlock(); s.Emit() })
	})
	if !errors.Is(err, signal.ErrDeadlock) {
		t.Fatalf("CheckDeadlock: %v, want ErrDeadlock", err)
	}
	if n != 0 || dl != 1 {
		t.Fatalf("calls %d, records %v", n, recs)
	}
}

// TestCheckDeadlock_SIG10: CheckDeadlock makes the BlockingQueued case
// that Emit can only log (DECISIONS.md: an error, not a deadlock)
// observable as ErrDeadlock, on the owning goroutine only.
func TestCheckDeadlock_SIG10(t *testing.T) {
	ctx := loop(t)
	r := newRecv(ctx)
	var s signal.Signal0
	if err := s.CheckDeadlock(); err != nil {
		t.Fatalf("no handlers: %v", err)
	}
	id, err := s.ConnectTo(r, func() {}, signal.BlockingQueuedConnection)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckDeadlock(); err != nil {
		t.Fatalf("from another goroutine: %v", err)
	}
	var inLoop error
	on(ctx, func() { inLoop = s.CheckDeadlock() })
	if !errors.Is(inLoop, signal.ErrDeadlock) {
		t.Fatalf("on the receiver's context: %v, want ErrDeadlock", inLoop)
	}
	s.Disconnect(id)
	on(ctx, func() { inLoop = s.CheckDeadlock() })
	if inLoop != nil {
		t.Fatalf("after disconnect: %v", inLoop)
	}
}
