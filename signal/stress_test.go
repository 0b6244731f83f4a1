package signal_test

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/signal"
)

// TestStress_Concurrency emits, connects, disconnects, blocks and stops a
// signal from many goroutines at once (run it with -race). Invariants:
// handlers connected before and never touched run exactly once per
// emission; single-shot handlers run at most once.
func TestStress_Concurrency(t *testing.T) {
	const (
		emitters   = 8
		mutators   = 4
		emitsEach  = 5000
		permanents = 3
		singles    = 200
	)
	capt := logging.StartCapture()
	defer func() {
		capt.Stop()
		for _, r := range capt.Records() { // racing disconnects of one id may be refused; nothing else
			if !strings.Contains(r.Message, "no handler with id") {
				t.Errorf("unexpected %s: %s", r.Level, r.Message)
			}
		}
	}()
	var s signal.Signal1[int]
	var permanent atomic.Int64
	for range permanents {
		s.Connect(func(int) { permanent.Add(1) })
	}
	shots := make([]atomic.Int32, singles)
	for i := range shots {
		s.ConnectWith(func(int) { shots[i].Add(1) }, signal.Options{Type: signal.DirectConnection | signal.SingleShotConnection})
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range emitters {
		wg.Go(func() {
			for i := range emitsEach {
				if i%3 == 0 {
					s.EmitDetailed("d", i)
				} else {
					s.Emit(i)
				}
			}
		})
	}
	var mwg sync.WaitGroup
	for m := range mutators {
		mwg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				switch (i + m) % 4 {
				case 0:
					id := s.Connect(func(int) {})
					s.Disconnect(id)
				case 1:
					id := s.ConnectDetailed("d", func(int) {})
					s.Block(id)
					s.Unblock(id)
					s.Disconnect(id)
				case 2:
					id := s.ConnectAfter(func(v int) {
						if v%97 == 0 {
							s.StopEmission() // stops only an emission on this goroutine, after every permanent handler ran
						}
					})
					s.Disconnect(id)
				case 3:
					var id atomic.Uint64 // set after Connect returns, read by other goroutines' emissions
					id.Store(uint64(s.Connect(func(int) {
						if x := id.Load(); x != 0 && s.IsConnected(signal.HandlerID(x)) {
							s.Disconnect(signal.HandlerID(x))
						}
					})))
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	mwg.Wait()
	if got, want := permanent.Load(), int64(emitters*emitsEach*permanents); got != want {
		t.Errorf("permanent handlers ran %d times, want %d", got, want)
	}
	for i := range shots {
		if n := shots[i].Load(); n != 1 {
			t.Errorf("single-shot handler %d ran %d times, want exactly 1", i, n)
		}
	}
}

// TestStress_QueuedToDyingReceivers emits queued and auto connections from
// many goroutines to receivers that are destroyed on their own context
// meanwhile. Invariant (SIG-10): no call is delivered to a receiver after
// its destruction, and every connection to a destroyed receiver is gone.
func TestStress_QueuedToDyingReceivers(t *testing.T) {
	ctx := loop(t)
	const receivers = 20
	var s signal.Signal1[int]
	rs := make([]*recv, receivers)
	var bad atomic.Int32
	for i := range rs {
		r := newRecv(ctx)
		rs[i] = r
		typ := signal.QueuedConnection
		if i%2 == 0 {
			typ = signal.AutoConnection
		}
		s.ConnectTo(r, func(int) {
			if r.IsDestroyed() {
				bad.Add(1)
			}
		}, typ)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				s.Emit(i)
				if i%100 == 50 {
					on(ctx, rs[(g*5+i/100)%receivers].destroy)
				}
			}
		})
	}
	wg.Wait()
	on(ctx, func() {})
	if n := bad.Load(); n != 0 {
		t.Fatalf("%d calls delivered to destroyed receivers", n)
	}
	live := 0
	for _, r := range rs {
		if !r.IsDestroyed() {
			live++
		}
	}
	if s.HandlerCount() != live {
		t.Fatalf("%d handlers for %d live receivers", s.HandlerCount(), live)
	}
}

// TestStress_NoRecurseLossless_SIG9: emissions of a NoRecurse signal from
// many goroutines merge into each other, but none is lost: every Emit is
// followed by a handler run that starts after it began, so the last run
// sees every request. Each run also sees a consistent, non-nested state.
func TestStress_NoRecurseLossless_SIG9(t *testing.T) {
	const emitters, each = 6, 2000
	var s signal.Signal0
	s.SetNoRecurse(true)
	var requested, seenMax atomic.Int64
	var running atomic.Int32
	var nested atomic.Int32
	s.Connect(func() {
		if running.Add(1) > 1 {
			nested.Add(1)
		}
		r := requested.Load()
		for {
			m := seenMax.Load()
			if r <= m || seenMax.CompareAndSwap(m, r) {
				break
			}
		}
		running.Add(-1)
	})
	var wg sync.WaitGroup
	for range emitters {
		wg.Go(func() {
			for range each {
				requested.Add(1)
				s.Emit()
			}
		})
	}
	wg.Wait()
	if got := seenMax.Load(); got != emitters*each {
		t.Errorf("last handler run saw %d requests, want %d (an emission was lost)", got, emitters*each)
	}
	if n := nested.Load(); n != 0 {
		t.Errorf("%d handler runs overlapped another one", n)
	}
}
