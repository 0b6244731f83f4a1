package signal_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/signal"
)

var sink int

// BenchmarkEmit is a Signal1[int] with n direct handlers ("signal"),
// each next to its floor ("floor"): a loop over a []func(int) with the
// same handlers. They are sub-benchmarks of one benchmark so that -count
// interleaves them (floor, signal, floor, signal…) and machine noise hits
// both alike; quote signal/floor.
func BenchmarkEmit(b *testing.B) {
	for _, n := range []int{1, 4} {
		b.Run(fmt.Sprintf("n=%d/floor", n), func(b *testing.B) {
			hs := make([]func(int), n)
			for i := range hs {
				hs[i] = func(v int) { sink += v }
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				for _, h := range hs {
					h(i)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/signal", n), func(b *testing.B) {
			var s signal.Signal1[int]
			for range n {
				s.Connect(func(v int) { sink += v })
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				s.Emit(i)
			}
		})
	}
}

// BenchmarkEmitVsFloor measures the same two loops as BenchmarkEmit
// alternately, chunk by chunk, inside one benchmark, and reports their
// ratio (signal/floor): on a shared machine the load changes between
// benchmarks, and only a ratio taken at the same moments is stable. The
// chunks are timed in the thread's CPU time (the goroutine is locked to
// its thread), so time spent descheduled by other processes counts for
// neither.
func BenchmarkEmitVsFloor(b *testing.B) {
	for _, n := range []int{1, 4} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			hs := make([]func(int), n)
			var s signal.Signal1[int]
			// The floor calls the very funcs the signal calls: two
			// function literals would be two pieces of code, each at its
			// own alignment, and that alone moved the ratio by up to 30%
			// between builds.
			for i := range hs {
				hs[i] = func(v int) { sink += v }
				s.Connect(hs[i])
			}
			vsFloor(b, hs, func(c int) {
				for i := range c {
					s.Emit(i)
				}
			})
		})
	}
	// The general path: a detailed emission reaching a detailed and a
	// plain handler (notify::name), against a loop over two funcs.
	b.Run("detailed", func(b *testing.B) {
		var s signal.Signal1[int]
		s.ConnectDetailed("name", func(v int) { sink += v })
		s.Connect(func(v int) { sink += v })
		hs := []func(int){func(v int) { sink += v }, func(v int) { sink += v }}
		vsFloor(b, hs, func(c int) {
			for i := range c {
				s.EmitDetailed("name", i)
			}
		})
	})
}

// vsFloor times emitChunk (chunk emissions) against chunk rounds of
// calling every func in hs, alternately, and reports the ratio.
func vsFloor(b *testing.B, hs []func(int), emitChunk func(chunk int)) {
	const chunk = 2000
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var tf, ts time.Duration
	rounds := 0
	b.ReportAllocs()
	for b.Loop() {
		t0 := threadTime()
		for i := range chunk {
			for _, h := range hs {
				h(i)
			}
		}
		t1 := threadTime()
		emitChunk(chunk)
		t2 := threadTime()
		tf += t1 - t0
		ts += t2 - t1
		rounds++
	}
	emits := float64(rounds * chunk)
	b.ReportMetric(float64(ts)/float64(tf), "signal/floor")
	b.ReportMetric(float64(ts.Nanoseconds())/emits, "signal-ns")
	b.ReportMetric(float64(tf.Nanoseconds())/emits, "floor-ns")
}

// threadTime is the calling thread's CPU time.
func threadTime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		panic(err)
	}
	return time.Duration(ts.Nano())
}

// BenchmarkEmitDetailed is the general path: a detailed emission with one
// detailed and one plain handler, as notify::name is emitted.
func BenchmarkEmitDetailed(b *testing.B) {
	var s signal.Signal1[int]
	s.ConnectDetailed("name", func(v int) { sink += v })
	s.Connect(func(v int) { sink += v })
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.EmitDetailed("name", i)
	}
}

// BenchmarkEmitNoHandlers is an emission nobody listens to.
func BenchmarkEmitNoHandlers(b *testing.B) {
	var s signal.Signal1[int]
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Emit(i)
	}
}

// BenchmarkQueuedFlood posts queued calls from the goroutine that then runs
// the receiver's context (Qt's queued_signal.flood, 1 CPU).
func BenchmarkQueuedFlood(b *testing.B) {
	ctx := mainloop.NewContext()
	r := newRecv(ctx)
	var s signal.Signal1[int]
	s.ConnectTo(r, func(v int) { sink += v }, signal.QueuedConnection)
	ctx.Acquire()
	defer ctx.Release()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Emit(i)
		if i%1000 == 999 {
			for ctx.Iteration(false) {
			}
		}
	}
	for ctx.Iteration(false) {
	}
}

// BenchmarkConnectDisconnect is one member joining and the longest-standing
// one leaving a signal that keeps n handlers (a chat room's churn): a
// Connect and a Disconnect of the oldest handler. Its baseline is
// BenchmarkConnectDisconnectFloor.
func BenchmarkConnectDisconnect(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var s signal.Signal1[int]
			ids := make([]signal.HandlerID, 0, n)
			for range n {
				ids = append(ids, s.Connect(func(v int) { sink += v }))
			}
			fn := func(v int) { sink += v }
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				ids = append(ids, s.Connect(fn))
				s.Disconnect(ids[0])
				ids = ids[1:]
			}
		})
	}
}

// BenchmarkConnectDisconnectFloor is the same churn on a map of funcs
// keyed by id, the cheapest structure that has O(1) insert and delete.
func BenchmarkConnectDisconnectFloor(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := make(map[signal.HandlerID]func(int), n)
			var next signal.HandlerID
			ids := make([]signal.HandlerID, 0, n)
			for range n {
				next++
				m[next] = func(v int) { sink += v }
				ids = append(ids, next)
			}
			fn := func(v int) { sink += v }
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				next++
				m[next] = fn
				ids = append(ids, next)
				delete(m, ids[0])
				ids = ids[1:]
			}
		})
	}
}

// BenchmarkFill connects 10,000 handlers to an empty signal, plain and
// bound to one receiver (the shape that was O(n²)).
func BenchmarkFill(b *testing.B) {
	const n = 10000
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			var s signal.Signal1[int]
			for range n {
				s.Connect(func(v int) { sink += v })
			}
		}
	})
	b.Run("receiver", func(b *testing.B) {
		for b.Loop() {
			r := newRecv(nil)
			var s signal.Signal1[int]
			for range n {
				s.ConnectTo(r, func(v int) { sink += v }, signal.DirectConnection)
			}
		}
	})
}
