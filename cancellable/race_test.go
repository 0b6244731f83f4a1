package cancellable_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/testwait"
)

func raceRounds(t *testing.T) int {
	if testing.Short() {
		return 1000
	}
	return 10_000
}

// quiescent checks that the observable state agrees with itself once all
// goroutines are done: the fd and Done are in step with IsCancelled.
func quiescent(t *testing.T, c *cancellable.Cancellable, fd int) {
	t.Helper()
	cancelled := c.IsCancelled()
	if got := readable(t, fd, 0); got != cancelled {
		t.Fatalf("fd readable=%v but IsCancelled=%v", got, cancelled)
	}
	select {
	case <-c.Done():
		if !cancelled {
			t.Fatal("Done closed but not cancelled")
		}
	default:
		if cancelled {
			t.Fatal("cancelled but Done open")
		}
	}
	if (c.Err() != nil) != cancelled {
		t.Fatal("Err disagrees with IsCancelled")
	}
}

func withTimeout(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	finishesWithin(t, d, "deadlock: the race did not finish", f)
}

// finishesWithin runs f on its own goroutine and fails the test with msg
// unless f returned within d.
func finishesWithin(t *testing.T, d time.Duration, msg string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatal(msg)
	}
}

// /cancellable/cancel-reset-races: cancels against resets, with a handler
// that cancels again; nothing deadlocks and the handler runs.
func TestCancelResetRaces_CAN10(t *testing.T) {
	n := raceRounds(t)
	c := cancellable.New()
	fd := c.FD()
	defer c.ReleaseFD()
	var calls atomic.Int64
	c.Connect(func() {
		calls.Add(1)
		c.Cancel()
	})
	withTimeout(t, 60*time.Second, func() {
		var wg sync.WaitGroup
		cancelAndReset(&wg, c, n)
		wg.Wait()
	})
	if calls.Load() < 1 {
		t.Fatal("the handler never ran")
	}
	quiescent(t, c, fd)
}

// cancelAndReset starts, on wg, a goroutine that cancels c n times and one
// that resets it n times.
func cancelAndReset(wg *sync.WaitGroup, c *cancellable.Cancellable, n int) {
	wg.Go(func() {
		for range n {
			c.Cancel()
		}
	})
	wg.Go(func() {
		for range n {
			c.Reset()
		}
	})
}

// /cancellable/cancel-reset-connect-races: the same with goroutines that
// connect and disconnect. Every Connect runs its function exactly once per
// cancellation it sees and never after Disconnect returns.
func TestCancelResetConnectRaces_CAN10(t *testing.T) {
	defer logging.StartCapture().Stop() // Reset after Done: expected criticals
	n := raceRounds(t)
	c := cancellable.New()
	fd := c.FD()
	defer c.ReleaseFD()
	var errs atomic.Int64
	withTimeout(t, 60*time.Second, func() {
		var wg sync.WaitGroup
		cancelAndReset(&wg, c, n)
		wg.Add(2)
		for range 2 {
			go func() {
				defer wg.Done()
				for range n / 2 {
					var calls atomic.Int64
					var disconnected atomic.Bool
					id := c.Connect(func() {
						if disconnected.Load() {
							errs.Add(1)
						}
						calls.Add(1)
					})
					if id == 0 && calls.Load() != 1 {
						errs.Add(1) // already cancelled: must have run once, at once
					}
					c.Disconnect(id)
					disconnected.Store(true)
					// a Done channel taken now must agree with a later check
					// (so a Reset racing with it logs its expected critical)
					_ = c.Done()
				}
			}()
		}
		wg.Wait()
	})
	if errs.Load() != 0 {
		t.Fatalf("%d handlers ran after Disconnect or not at once on a cancelled cancellable", errs.Load())
	}
	quiescent(t, c, fd)
}

// Handlers see every cancellation exactly once: with cancels and resets
// alternating on one goroutine while others connect and disconnect, a handler
// connected for the whole run counts exactly the cancels that took effect.
func TestEmissionCountUnderRaces_CAN1_CAN10(t *testing.T) {
	n := raceRounds(t) / 2
	c := cancellable.New()
	var calls atomic.Int64
	c.Connect(func() { calls.Add(1) })
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				c.Disconnect(c.Connect(func() {}))
			}
		}()
	}
	withTimeout(t, 60*time.Second, func() {
		for range n {
			c.Cancel()
			c.Cancel()
			c.Reset()
		}
	})
	close(stop)
	waitGroup(t, &wg, "the connecting goroutines")
	if calls.Load() != int64(n) {
		t.Fatalf("handler ran %d times for %d cancellations", calls.Load(), n)
	}
}

// recv waits for a value from ch, failing the test after 30 s instead of
// hanging the binary.
func recv[V any](t *testing.T, ch <-chan V, what string) V {
	t.Helper()
	return testwait.Recv(t, ch, 30*time.Second, what)
}

// waitGroup waits for wg, failing the test after 30 s.
func waitGroup(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	testwait.WaitGroup(t, wg, 30*time.Second, what)
}
