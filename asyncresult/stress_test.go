package asyncresult_test

import (
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/looptest"
	"github.com/sigloop/sigloop/mainloop"
)

var errStress = errors.New("stress failure")

// A property-style stress test of TASK-3, TASK-5, TASK-12 and TASK-16:
// thousands of tasks completed in every way the package offers (from other
// goroutines, from idles of the context, from pool functions with and
// without return-on-cancel, from cancel handlers racing other returns),
// with cancels landing at random moments on random goroutines. Every callback
// runs exactly once, on the context, never inside Cancel, never with
// Completed true; every extra return is refused with exactly one critical;
// every result is the returned value, the returned error or CANCELLED.
func TestStressExactlyOnce_TASK3_TASK5_TASK16(t *testing.T) {
	n := 4000
	if testing.Short() {
		n = 1000
	}
	h := newHarness(t)
	capt := logging.StartCapture()
	defer capt.Stop()

	rng := rand.New(rand.NewPCG(1, 2))
	calls := make([]atomic.Int32, n)
	var bad atomic.Int32
	var badMsg atomic.Value
	fail := func(msg string) {
		bad.Add(1)
		badMsg.Store(msg)
	}
	var attempts atomic.Int64 // calls of a return function that return or are refused
	var delivered atomic.Int32
	var inCancelOnCtx bool // the context goroutine is inside Cancel
	var workers sync.WaitGroup

	cancellables := make([]*cancellable.Cancellable, n/8)
	for i := range cancellables {
		cancellables[i] = cancellable.New()
	}

	for i := range n {
		c := cancellables[rng.IntN(len(cancellables))]
		if rng.IntN(10) == 0 {
			c = nil
		}
		task := asyncresult.NewTask[int](nil, c, func(_ any, res asyncresult.AsyncResult) {
			tk := res.(*asyncresult.Task[int])
			if calls[i].Add(1) != 1 {
				fail("callback ran twice")
			}
			if !h.Ctx.IsOwner() || mainloop.ThreadDefault() != h.Ctx {
				fail("callback off its context")
			}
			if inCancelOnCtx {
				fail("callback inside Cancel")
			}
			if tk.Completed() {
				fail("completed inside the callback")
			}
			v, err := tk.Propagate()
			switch {
			case err == nil && v != i:
				fail("wrong value")
			case err != nil && !errors.Is(err, errStress) && !cancelledErr(err):
				fail("unexpected error " + err.Error())
			}
			delivered.Add(1)
		})
		task.SetPriority(rng.IntN(3)*100 - 100)
		delay := time.Duration(rng.IntN(200)) * time.Microsecond
		switch kind := rng.IntN(5); kind {
		case 0: // returned from another goroutine
			workers.Add(1)
			fails := rng.IntN(4) == 0
			go func() {
				defer workers.Done()
				time.Sleep(delay)
				attempts.Add(1)
				if fails {
					task.ReturnError(errStress)
				} else {
					task.Return(i)
				}
			}()
		case 1, 2: // a pool function, half of them with return-on-cancel
			task.SetReturnOnCancel(kind == 2 && c != nil)
			workers.Add(1)
			task.RunInThread(func(tk *asyncresult.Task[int], _ any, c *cancellable.Cancellable) {
				defer workers.Done()
				time.Sleep(delay)
				attempts.Add(1)
				if !tk.ReturnErrorIfCancelled() {
					tk.Return(i)
				}
			})
		case 3: // returned from an idle of the context (the synchronous path)
			idle := mainloop.NewIdleSource()
			idle.SetCallback(func() bool {
				attempts.Add(1)
				task.Return(i)
				return mainloop.SourceRemove
			})
			idle.Attach(h.Ctx)
		case 4: // a cancel handler races a return from another goroutine
			if c != nil {
				c.Connect(func() {
					attempts.Add(1)
					task.ReturnErrorIfCancelled()
				})
			}
			workers.Add(1)
			go func() {
				defer workers.Done()
				time.Sleep(delay)
				attempts.Add(1)
				task.Return(i)
			}()
		}
	}

	// Cancels at random moments: from a goroutine, and from idles of the
	// context itself.
	workers.Add(1)
	go func() {
		defer workers.Done()
		r := rand.New(rand.NewPCG(3, 4))
		for range len(cancellables) / 2 {
			time.Sleep(time.Duration(r.IntN(100)) * time.Microsecond)
			cancellables[r.IntN(len(cancellables))].Cancel()
		}
	}()
	for range len(cancellables) / 4 {
		c := cancellables[rng.IntN(len(cancellables))]
		idle := mainloop.NewIdleSource()
		idle.SetCallback(func() bool {
			inCancelOnCtx = true
			c.Cancel()
			inCancelOnCtx = false
			return mainloop.SourceRemove
		})
		idle.Attach(h.Ctx)
	}

	h.Until(func() bool { return int(delivered.Load()) == n })
	waitGroup(t, &workers, "the returning goroutines and pool functions")
	looptest.Pump(h.Ctx)
	if b := bad.Load(); b != 0 {
		t.Fatalf("%d violations, e.g. %v", b, badMsg.Load())
	}
	for i := range calls {
		if got := calls[i].Load(); got != 1 {
			t.Fatalf("task %d: callback ran %d times", i, got)
		}
	}
	wantRefused := attempts.Load() - int64(n)
	if got := capt.Count("critical", "ever_returned"); int64(got) != wantRefused {
		t.Fatalf("%d refused returns logged, want %d (%d attempts for %d tasks)", got, wantRefused, attempts.Load(), n)
	}
}

// /cancellable/multiple-concurrent (CAN-11, TASK-12): 45 operations of three
// kinds share one cancellable; one cancel ends them all with CANCELLED,
// before any of them would have completed.
func TestMultipleConcurrentCancel_CAN11(t *testing.T) {
	h := newHarness(t)
	c := cancellable.New()
	var results []error
	done := 0
	cb := func(_ any, res asyncresult.AsyncResult) {
		_, err := res.(*asyncresult.Task[bool]).Propagate()
		results = append(results, err)
		done++
	}
	release := make(chan struct{})
	defer close(release)
	// Whatever happens, end the polling functions: left running, they would
	// hold pool slots for the tests that follow.
	defer c.Cancel()
	var started sync.WaitGroup
	for i := range 45 {
		task := asyncresult.NewTask[bool](nil, c, cb)
		switch i % 3 {
		case 0: // a thread that polls the cancellable
			first := i == 0
			if first {
				started.Add(1)
			}
			task.RunInThread(func(tk *asyncresult.Task[bool], _ any, c *cancellable.Cancellable) {
				if first {
					started.Done()
				}
				for !tk.ReturnErrorIfCancelled() {
					time.Sleep(time.Millisecond)
				}
			})
		case 1: // a thread stuck in an uncancellable call, with return-on-cancel
			task.SetReturnOnCancel(true)
			task.RunInThread(func(tk *asyncresult.Task[bool], _ any, _ *cancellable.Cancellable) {
				<-release
			})
		case 2: // a long timeout on the context, cut short by the cancellable
			src := mainloop.NewTimeoutSource(time.Hour)
			task.AttachSource(src, func() bool { task.Return(true); return mainloop.SourceRemove })
			c.Connect(func() {
				src.Destroy()
				task.ReturnErrorIfCancelled()
			})
		}
	}
	waitGroup(t, &started, "the first pool function") // the pool runs ten at a time: the rest are queued
	h.Idle(c.Cancel)
	h.Until(func() bool { return done == 45 })
	for i, err := range results {
		if !cancelledErr(err) {
			t.Fatalf("result %d: %v, want CANCELLED", i, err)
		}
	}
}
