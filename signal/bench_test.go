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
