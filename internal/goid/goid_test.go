package goid

import (
	"sync"
	"testing"
)

// Live goroutines never share an identity, and a goroutine keeps its own.
func TestDistinctAndStable(t *testing.T) {
	const n = 64
	ids := make([]int64, n)
	var wg, ready sync.WaitGroup
	release := make(chan struct{})
	for i := range n {
		wg.Add(1)
		ready.Add(1)
		go func() {
			defer wg.Done()
			Pin()
			defer Unpin()
			ids[i] = ID()
			ready.Done()
			<-release // stay alive until every identity has been read
			if ID() != ids[i] {
				t.Errorf("goroutine %d: identity changed", i)
			}
		}()
	}
	ready.Wait()
	seen := map[int64]bool{}
	for _, id := range ids {
		if id == 0 || seen[id] {
			t.Fatalf("identity %d is zero or shared", id)
		}
		seen[id] = true
	}
	close(release)
	wg.Wait()
}

func BenchmarkID(b *testing.B) {
	for b.Loop() {
		Pin()
		_ = ID()
		Unpin()
	}
}
