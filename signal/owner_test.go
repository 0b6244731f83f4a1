package signal_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/signal"
)

// TestOwnerLazyDestroyNotify_SIG14: the owner's destroy notify is only
// added while the signal has a handler, and still disconnects every
// handler when the owner is destroyed, whichever came first, SetOwner or
// Connect.
func TestOwnerLazyDestroyNotify_SIG14(t *testing.T) {
	type ownerRecv struct {
		*owner
		*recv
	}
	cases := []struct {
		name string
		run  func(s *signal.Signal1[int], o ownerRecv) (wantNotifies int, check func() bool)
	}{
		{"SetOwner without handlers adds no notify", func(s *signal.Signal1[int], o ownerRecv) (int, func() bool) {
			s.SetOwner(o)
			return 0, nil
		}},
		{"first Connect adds it", func(s *signal.Signal1[int], o ownerRecv) (int, func() bool) {
			s.SetOwner(o)
			id := s.Connect(func(int) {})
			s.Connect(func(int) {})
			return 1, func() bool { return !s.IsConnected(id) && !s.HasHandlers() }
		}},
		{"SetOwner with handlers adds it", func(s *signal.Signal1[int], o ownerRecv) (int, func() bool) {
			id := s.Connect(func(int) {})
			s.SetOwner(o)
			return 1, func() bool { return !s.IsConnected(id) && !s.HasHandlers() }
		}},
		{"SetOwner(nil) removes it", func(s *signal.Signal1[int], o ownerRecv) (int, func() bool) {
			s.SetOwner(o)
			id := s.Connect(func(int) {})
			s.SetOwner(nil)
			return 0, func() bool { return s.IsConnected(id) }
		}},
		{"disconnecting every handler keeps it", func(s *signal.Signal1[int], o ownerRecv) (int, func() bool) {
			s.SetOwner(o)
			s.Disconnect(s.Connect(func(int) {}))
			id := s.Connect(func(int) {})
			return 1, func() bool { return !s.IsConnected(id) }
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s signal.Signal1[int]
			o := ownerRecv{&owner{}, newRecv(nil)}
			want, check := tc.run(&s, o)
			if got := o.notifies(); got != want {
				t.Fatalf("owner has %d destroy notifies, want %d", got, want)
			}
			o.destroy()
			if check != nil && !check() {
				t.Fatal("wrong handlers after the owner was destroyed")
			}
		})
	}
}

// TestOwnerDestroyedBeforeConnect_SIG14: handlers connected to a signal
// whose owner is already destroyed stay connected (GLib keeps handlers
// connected after g_object_run_dispose), as they did when the notify was
// added by SetOwner.
func TestOwnerDestroyedBeforeConnect_SIG14(t *testing.T) {
	var s signal.Signal0
	r := newRecv(nil)
	s.SetOwner(struct {
		*owner
		*recv
	}{&owner{}, r})
	r.destroy()
	n := 0
	id := s.Connect(func() { n++ })
	s.Emit()
	if !s.IsConnected(id) || n != 1 {
		t.Fatalf("connected=%v calls=%d, want true 1", s.IsConnected(id), n)
	}
}

// TestNoRecurseRestartWithoutHandlers_SIG9: an emission of a NoRecurse
// signal asked to restart after its last handler went away restarts with
// nothing to call and returns.
func TestNoRecurseRestartWithoutHandlers_SIG9(t *testing.T) {
	var s signal.Signal1R[int, int]
	s.SetNoRecurse(true)
	calls := 0
	var id signal.HandlerID
	id = s.Connect(func(v int) int {
		calls++
		s.Emit(v) // merges: asks the running emission to restart
		s.Disconnect(id)
		return v
	})
	if got := s.Emit(7); got != 7 || calls != 1 {
		t.Fatalf("Emit = %d after %d calls, want 7 after 1", got, calls)
	}
}

// TestAutoNilContext_SIG10: an auto connection to a receiver without a
// context treats it as living on mainloop.Default(), where queued calls to
// it go: direct when the emitter owns Default(), queued to it otherwise.
func TestAutoNilContext_SIG10(t *testing.T) {
	cases := []struct {
		name       string
		ownDefault bool // emit from a goroutine that acquired Default()
		wantDirect bool
	}{
		{"emitter owns Default: direct", true, true},
		{"emitter does not: queued to Default", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s signal.Signal1[int]
			var calls atomic.Int32
			var onDefault atomic.Bool
			if _, err := s.ConnectTo(newRecv(nil), func(int) {
				onDefault.Store(mainloop.Default().IsOwner())
				calls.Add(1)
			}, signal.AutoConnection); err != nil {
				t.Fatal(err)
			}
			var during int32
			if tc.ownDefault {
				asDefaultOwner(t, func() { s.Emit(1); during = calls.Load() })
			} else {
				s.Emit(1)
				during = calls.Load()
			}
			if got := during == 1; got != tc.wantDirect {
				t.Fatalf("handler ran inside Emit: %v, want %v", got, tc.wantDirect)
			}
			// Run Default's pending work on a goroutine that owns it.
			asDefaultOwner(t, func() {
				for mainloop.Default().Iteration(false) {
				}
			})
			if calls.Load() != 1 || !onDefault.Load() {
				t.Fatalf("calls %d, ran on Default's owner %v; want 1, true", calls.Load(), onDefault.Load())
			}
		})
	}
}

// TestOwnerDestroyRacesConnect_SIG14: a handler whose Connect returned
// before the owner's destruction started is disconnected by it, even when
// that Connect was the one adding the owner's destroy notify.
func TestOwnerDestroyRacesConnect_SIG14(t *testing.T) {
	for round := range 300 {
		var s signal.Signal0
		r := newRecv(nil)
		s.SetOwner(struct {
			*owner
			*recv
		}{&owner{}, r})
		var started atomic.Bool
		var wg sync.WaitGroup
		mustGo := make(chan signal.HandlerID, 64)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 16 {
					id := s.Connect(func() {})
					if !started.Load() {
						mustGo <- id
					}
				}
			}()
		}
		runtime.Gosched()
		started.Store(true)
		r.destroy()
		wg.Wait()
		close(mustGo)
		for id := range mustGo {
			if s.IsConnected(id) {
				t.Fatalf("round %d: handler %d connected before the owner's destruction survived it", round, id)
			}
		}
	}
}

// destroyingOwner starts its destruction the first time a signal asks
// whether it is destroyed: the moment a first Connect adds its notify.
type destroyingOwner struct {
	*owner
	*recv
	once  sync.Once
	start func()
}

func (d *destroyingOwner) IsDestroyed() bool {
	d.once.Do(d.start)
	return d.recv.IsDestroyed()
}

// TestOwnerDestroyedDuringFirstConnect_SIG14: when the owner's destruction
// starts while the first Connect adds the owner's notify, the handler is
// either disconnected by it or was never called before it: no emission
// made before the destruction reaches a handler that survives it.
func TestOwnerDestroyedDuringFirstConnect_SIG14(t *testing.T) {
	var s signal.Signal0
	calledBefore := false
	d := &destroyingOwner{owner: &owner{}, recv: newRecv(nil)}
	d.start = func() {
		s.Emit() // an emission just before the destruction
		d.recv.destroy()
	}
	s.SetOwner(d)
	id := s.Connect(func() { calledBefore = true })
	if calledBefore && s.IsConnected(id) {
		t.Fatal("a handler called before its owner's destruction survived it")
	}
}
