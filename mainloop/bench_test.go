package mainloop

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkInvokeFlood is fire-and-forget Invoke from another goroutine onto
// a running loop (issue #2's flood benchmark, against GLib's
// g_main_context_invoke flood).
func BenchmarkInvokeFlood(b *testing.B) {
	invokeFlood(b, func(c *Context, fn func()) {
		for i := 0; i < b.N; i++ {
			c.Invoke(fn)
		}
	})
}

// runBenchLoop runs a loop for c on its own goroutine; stop quits it and
// waits for its goroutine.
func runBenchLoop(c *Context) (stop func()) {
	l := New(c)
	done := make(chan struct{})
	go func() { l.Run(); close(done) }()
	for !l.IsRunning() {
		time.Sleep(time.Millisecond)
	}
	return func() { l.Quit(); <-done }
}

// invokeFlood times flood, which invokes fn b.N times in all onto a running
// loop, until the loop has run every call, and reports calls/s.
func invokeFlood(b *testing.B, flood func(c *Context, fn func())) {
	c := NewContext()
	stop := runBenchLoop(c)
	defer stop()
	floodRate(b, c.Invoke, func(fn func()) { flood(c, fn) })
}

// floodRate times flood, which hands fn over b.N times in all, until a last
// call handed over by submit has run; it checks that every call ran and
// reports calls/s.
func floodRate(b *testing.B, submit func(func()), flood func(fn func())) {
	var ran atomic.Int64
	fn := func() { ran.Add(1) }
	b.ResetTimer()
	start := time.Now()
	flood(fn)
	last := make(chan struct{})
	submit(func() { close(last) })
	<-last
	el := time.Since(start)
	b.StopTimer()
	if ran.Load() != int64(b.N) {
		b.Fatalf("ran %d of %d", ran.Load(), b.N)
	}
	b.ReportMetric(float64(b.N)/el.Seconds(), "calls/s")
}

// BenchmarkInvokeRoundTrip is one Invoke onto a running loop and the wait for
// it to have run.
func BenchmarkInvokeRoundTrip(b *testing.B) { invokeRoundTrip(b, NewContext()) }

// invokeRoundTrip runs BenchmarkInvokeRoundTrip on c.
func invokeRoundTrip(b *testing.B, c *Context) {
	stop := runBenchLoop(c)
	defer stop()
	reply := make(chan struct{}, 1)
	fn := func() { reply <- struct{}{} }
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		c.Invoke(fn)
		<-reply
	}
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/el.Seconds(), "calls/s")
}

// BenchmarkInvokeDirect is Invoke by the owner (a direct call).
func BenchmarkInvokeDirect(b *testing.B) {
	c := ownedContext(b)
	n := 0
	fn := func() { n++ }
	for i := 0; i < b.N; i++ {
		c.Invoke(fn)
	}
}

// BenchmarkIdleIteration is one idle dispatch per Iteration.
func BenchmarkIdleIteration(b *testing.B) {
	c := NewContext()
	s := NewIdleSource()
	s.SetCallback(func() bool { return SourceContinue })
	s.Attach(c)
	c.Acquire()
	defer c.Release()
	for i := 0; i < b.N; i++ {
		c.Iteration(false)
	}
	s.Destroy()
}

// BenchmarkThreadDefault is the cost of asking for the caller's context.
func BenchmarkThreadDefault(b *testing.B) {
	for i := 0; i < b.N; i++ {
		ThreadDefault()
	}
}

// BenchmarkInvokeFloodParallel is the flood from GOMAXPROCS producers.
func BenchmarkInvokeFloodParallel(b *testing.B) {
	invokeFlood(b, func(c *Context, fn func()) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Invoke(fn)
			}
		})
	})
}

// BenchmarkChannelFloodFloor is the baseline for BenchmarkInvokeFlood in the
// same run: the same calls sent through a buffered channel to a goroutine
// that runs them, which is the cheapest cross-goroutine hand-off Go offers
// (research/go-peers.md measured about 59 ns per item on this machine).
func BenchmarkChannelFloodFloor(b *testing.B) {
	ch := make(chan func(), 128)
	done := make(chan struct{})
	go func() {
		for fn := range ch {
			fn()
		}
		close(done)
	}()
	floodRate(b, func(f func()) { ch <- f }, func(fn func()) {
		for i := 0; i < b.N; i++ {
			ch <- fn
		}
	})
	close(ch)
	<-done
}

// BenchmarkChannelRoundTripFloor is the baseline for
// BenchmarkInvokeRoundTrip in the same run: one call sent to another
// goroutine through a channel and the wait for its reply.
func BenchmarkChannelRoundTripFloor(b *testing.B) {
	ch := make(chan func())
	done := make(chan struct{})
	go func() {
		for fn := range ch {
			fn()
		}
		close(done)
	}()
	reply := make(chan struct{}, 1)
	fn := func() { reply <- struct{}{} }
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		ch <- fn
		<-reply
	}
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/el.Seconds(), "calls/s")
	close(ch)
	<-done
}

// BenchmarkInvokeRoundTripFD is BenchmarkInvokeRoundTrip on a context that
// also watches an idle descriptor, so that the loop waits in the netpoller
// rather than on a channel.
func BenchmarkInvokeRoundTripFD(b *testing.B) {
	c := NewContext()
	w := NewFDSource(newEventfd(b, 0), IOIn, func(int, IOCondition) bool { return SourceContinue })
	w.Attach(c)
	defer w.Destroy()
	invokeRoundTrip(b, c)
}

// BenchmarkDispatchIdleFDs is one iteration dispatching one ready fd source
// on a context that also has 10, 1,000 or 10,000 idle fd sources (eventfds
// nobody writes): the cost must not depend on their number.
func BenchmarkDispatchIdleFDs(b *testing.B) {
	for _, idle := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("idle=%d", idle), func(b *testing.B) {
			c := NewContext()
			c.Acquire()
			defer c.Release()
			for range idle {
				s := NewFDSource(newEventfd(b, 0), IOIn, func(int, IOCondition) bool { return SourceContinue })
				s.Attach(c)
				defer s.Destroy()
			}
			n := 0
			r := NewFDSource(newEventfd(b, 1), IOIn, func(int, IOCondition) bool { n++; return SourceContinue })
			r.Attach(c)
			defer r.Destroy()
			c.Iteration(false)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.Iteration(false)
			}
			b.StopTimer()
			if n < b.N {
				b.Fatalf("dispatched %d of %d", n, b.N)
			}
		})
	}
}
