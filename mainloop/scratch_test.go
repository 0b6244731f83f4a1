package mainloop

import (
	"runtime"
	"testing"
	"time"
	"weak"
)

// A source destroyed after an iteration is not kept reachable by the
// context's prepare/check scratch space until the next iteration: a longer
// priority list snapshotted before a shorter one used to leave its sources
// past the slice's length.
func TestScratchReleasesDestroyedSources(t *testing.T) {
	c := NewContext()
	var ptrs []weak.Pointer[Source]
	for i := 0; i < 8; i++ {
		s := NewSource(SourceFuncs{Prepare: func(*Source) (bool, time.Duration) { return false, -1 }})
		s.SetPriority(PriorityHigh)
		s.Attach(c)
		ptrs = append(ptrs, weak.Make(s))
	}
	short := NewSource(SourceFuncs{Prepare: func(*Source) (bool, time.Duration) { return false, -1 }})
	short.Attach(c)
	c.Iteration(false)
	for _, p := range ptrs {
		p.Value().Destroy()
	}
	short.Destroy()
	for i := 0; i < 5; i++ {
		runtime.GC()
	}
	for i, p := range ptrs {
		if p.Value() != nil {
			t.Fatalf("destroyed source %d is still reachable before the next iteration", i)
		}
	}
	runtime.KeepAlive(c)
}
