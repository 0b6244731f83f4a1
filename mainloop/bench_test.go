package mainloop

import (
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkInvokeFlood is fire-and-forget Invoke from another goroutine onto
// a running loop (issue #2's flood benchmark, against GLib's
// g_main_context_invoke flood).
func BenchmarkInvokeFlood(b *testing.B) {
	c := NewContext()
	l := New(c)
	var ran atomic.Int64
	done := make(chan struct{})
	go func() { l.Run(); close(done) }()
	for !l.IsRunning() {
		time.Sleep(time.Millisecond)
	}
	fn := func() { ran.Add(1) }
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		c.Invoke(fn)
	}
	last := make(chan struct{})
	c.Invoke(func() { close(last) })
	<-last
	el := time.Since(start)
	b.StopTimer()
	if ran.Load() != int64(b.N) {
		b.Fatalf("ran %d of %d", ran.Load(), b.N)
	}
	b.ReportMetric(float64(b.N)/el.Seconds(), "calls/s")
	l.Quit()
	<-done
}

// BenchmarkInvokeRoundTrip is one Invoke onto a running loop and the wait for
// it to have run.
func BenchmarkInvokeRoundTrip(b *testing.B) {
	c := NewContext()
	l := New(c)
	done := make(chan struct{})
	go func() { l.Run(); close(done) }()
	for !l.IsRunning() {
		time.Sleep(time.Millisecond)
	}
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
	l.Quit()
	<-done
}

// BenchmarkInvokeDirect is Invoke by the owner (a direct call).
func BenchmarkInvokeDirect(b *testing.B) {
	c := NewContext()
	c.Acquire()
	defer c.Release()
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
	c := NewContext()
	l := New(c)
	var ran atomic.Int64
	done := make(chan struct{})
	go func() { l.Run(); close(done) }()
	for !l.IsRunning() {
		time.Sleep(time.Millisecond)
	}
	fn := func() { ran.Add(1) }
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Invoke(fn)
		}
	})
	last := make(chan struct{})
	c.Invoke(func() { close(last) })
	<-last
	el := time.Since(start)
	b.StopTimer()
	if ran.Load() != int64(b.N) {
		b.Fatalf("ran %d of %d", ran.Load(), b.N)
	}
	b.ReportMetric(float64(b.N)/el.Seconds(), "calls/s")
	l.Quit()
	<-done
}
