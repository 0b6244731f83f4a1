package signal_test

import (
	"fmt"
	"testing"

	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/signal"
)

var sink int

// BenchmarkEmitFloor is the physical floor: a loop over a []func(int).
func BenchmarkEmitFloor(b *testing.B) {
	for _, n := range []int{1, 4} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
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
	}
}

// BenchmarkEmit is a Signal1[int] with n direct handlers.
func BenchmarkEmit(b *testing.B) {
	for _, n := range []int{1, 4} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
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
