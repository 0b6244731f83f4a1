package mainloop

import (
	"sync"
	"testing"

	"github.com/sigloop/sigloop/internal/goid"
)

// TestThreadStateCache checks lastThread, the one-entry cache in front of
// the goroutine state map: goroutines that push, query and pop their own
// thread-default contexts at the same time, each state appearing and
// leaving the map many times, must each see only their own context, and a
// goroutine with no state must see Default.
func TestThreadStateCache(t *testing.T) {
	const goroutines, rounds = 8, 2000
	var wg sync.WaitGroup
	errs := make(chan string, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := NewContext()
			for i := 0; i < rounds; i++ {
				own.PushThreadDefault()
				if got := ThreadDefault(); got != own {
					errs <- "ThreadDefault is not the goroutine's own pushed context"
					own.PopThreadDefault()
					return
				}
				own.PopThreadDefault()
				if got := ThreadDefault(); got != Default() {
					errs <- "ThreadDefault after the pop is not Default"
					return
				}
				if CurrentSource() != nil || Depth() != 0 {
					errs <- "a goroutine outside any dispatch sees a current source or depth"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestThreadStateCacheCleared: a state leaving threads leaves lastThread
// too, so that a goroutine later given the same identity (where identity
// is the OS thread id, see internal/goid) cannot find the stale state in
// the cache.
func TestThreadStateCacheCleared(t *testing.T) {
	got := make(chan *threadState)
	go func() {
		c := NewContext()
		c.PushThreadDefault()
		ts := lookupThread(goid.ID()) // pinned while pushed
		if ThreadDefault() != c {
			ts = nil
		}
		c.PopThreadDefault()
		got <- ts
	}()
	ts := <-got
	if ts == nil {
		t.Fatal("no state, or not the pushed context, while pushed")
	}
	if lastThread.Load() == ts {
		t.Error("lastThread still holds a state that left threads")
	}
	if _, ok := threads.Load(ts.tid); ok {
		t.Error("the state is still in threads after the pop")
	}
}
