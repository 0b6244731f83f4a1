package signal_test

import (
	"strings"
	"testing"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/signal"
)

// TestLargeListSnapshot_SIG3_SIG4_SIG5 runs the snapshot rules on a list
// long enough to keep tombstones (disconnected handlers left in place
// until a quarter of the list is gone): handlers connected during an
// emission are not called by it, handlers disconnected or blocked before
// it reaches them are skipped, and ids, counts and order stay right
// across compactions.
func TestLargeListSnapshot_SIG3_SIG4_SIG5(t *testing.T) {
	const n = 100
	capt := logging.StartCapture()
	defer func() {
		capt.Stop()
		for _, r := range capt.Records() { // only the handler's repeated disconnects may be refused
			if !strings.Contains(r.Message, "no handler with id") {
				t.Errorf("unexpected %s: %s", r.Level, r.Message)
			}
		}
	}()
	for _, withClass := range []bool{false, true} { // fast and general paths
		var s signal.Signal1[int]
		if withClass {
			s.SetClassHandler(func(int) {}, signal.RunLast)
		}
		called := map[int]int{}
		ids := make([]signal.HandlerID, 0, n)
		s.ConnectWith(func(v int) {
			if v != 1 {
				return
			}
			for i := 50; i < 60; i++ {
				s.Disconnect(ids[i])
			}
			s.Block(ids[70])
			for j := range 5 {
				s.Connect(func(int) { called[1000+j]++ })
			}
		}, signal.Options{}) // first: runs before the handlers it changes
		for i := range n {
			ids = append(ids, s.Connect(func(int) { called[i]++ }))
		}
		// Tombstones: 20 disconnects stay below the compaction threshold.
		for i := 10; i < 30; i++ {
			if !s.Disconnect(ids[i]) {
				t.Fatalf("disconnect %d", i)
			}
		}
		if got := s.HandlerCount(); got != n-20+1 {
			t.Fatalf("HandlerCount %d, want %d", got, n-20+1)
		}
		s.Emit(1)
		for i := range n {
			want := 1
			if (i >= 10 && i < 30) || (i >= 50 && i < 60) || i == 70 {
				want = 0
			}
			if called[i] != want {
				t.Errorf("class %v: handler %d called %d times, want %d", withClass, i, called[i], want)
			}
		}
		for j := range 5 {
			if called[1000+j] != 0 {
				t.Errorf("class %v: handler connected during the emission was called", withClass)
			}
		}
		for i := range n {
			live := !((i >= 10 && i < 30) || (i >= 50 && i < 60))
			if s.IsConnected(ids[i]) != live {
				t.Errorf("IsConnected(%d) = %v, want %v", i, !live, live)
			}
		}
		s.Unblock(ids[70])
		clear(called)
		s.Emit(2)
		if len(called) != n-30+5 { // the first handler counts nothing
			t.Errorf("class %v: %d handlers ran, want %d", withClass, len(called), n-30+5)
		}
		// Disconnect everything one by one, through several compactions.
		for i := range n {
			s.Disconnect(ids[i]) // some already gone: logs a critical, returns false
		}
		if got := s.HandlerCount(); got != 6 { // the first handler and the 5 connected during the emission
			t.Errorf("HandlerCount %d after disconnecting the first %d, want 6", got, n)
		}
	}
}
