package mainloop

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/leakcheck"
)

// TestConcurrentInvokeAndAttach: many goroutines invoke, attach and destroy
// sources while a loop runs; every call runs once and per-goroutine order
// holds (property 4). Mostly a -race test.
func TestConcurrentInvokeAndAttach(t *testing.T) {
	c := NewContext()
	l := New(c)
	done := make(chan struct{})
	go func() { l.Run(); close(done) }()
	const producers, per = 4, 2000
	var ran atomic.Int64
	last := make([]int, producers)
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				c.Invoke(func() {
					if last[p] != i {
						t.Errorf("producer %d: got call %d after %d", p, i, last[p])
					}
					last[p] = i + 1
					ran.Add(1)
				})
				if i%100 == 0 {
					s := NewTimeoutSource(time.Hour)
					s.SetCallback(func() bool { return SourceContinue })
					s.Attach(c)
					s.SetPriority(PriorityHigh)
					s.SetReadyTime(-1)
					s.Destroy()
					IdleAddFullTo(c, func() bool { ran.Add(1); return SourceRemove })
				}
			}
		}()
	}
	wg.Wait()
	want := int64(producers*per + producers*per/100)
	deadline := time.Now().Add(20 * time.Second)
	for ran.Load() < want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	l.Quit()
	<-done
	if ran.Load() != want {
		t.Fatalf("ran %d of %d", ran.Load(), want)
	}
}

// TestContextFDsReleased: an unreachable Context's epoll and eventfd are
// closed (runtime.AddCleanup).
func TestContextFDsReleased(t *testing.T) {
	runtime.GC()
	before := leakcheck.OpenFDs(t)
	for i := 0; i < 200; i++ {
		c := NewContext()
		c.Invoke(func() {})
		c.Iteration(false)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		after := leakcheck.OpenFDs(t)
		if after <= before+10 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fds: %d before, %d after", before, after)
		}
	}
}

// TestFDReuseAfterRemove: removing a watch, closing the descriptor and
// watching a new one with the same number works.
func TestFDReuseAfterRemove(t *testing.T) {
	c := NewContext()
	for round := 0; round < 3; round++ {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			t.Fatal(err)
		}
		var got IOCondition
		s := NewFDSource(p[0], IOIn, func(_ int, cond IOCondition) bool { got = cond; return SourceContinue })
		s.Attach(c)
		unix.Write(p[1], []byte("x"))
		c.Iteration(false)
		if got != IOIn {
			t.Fatalf("round %d: %v", round, got)
		}
		s.Destroy()
		unix.Close(p[0])
		unix.Close(p[1])
	}
}
