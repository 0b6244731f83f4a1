package cancellable_test

import (
	"testing"

	"github.com/sigloop/sigloop/cancellable"
)

func BenchmarkIsCancelled(b *testing.B) {
	c := cancellable.New()
	for b.Loop() {
		_ = c.IsCancelled()
	}
}

// BenchmarkCancelReset is one cancellation with one handler, and a Reset.
func BenchmarkCancelReset(b *testing.B) {
	c := cancellable.New()
	c.Connect(func() {})
	for b.Loop() {
		c.Cancel()
		c.Reset()
	}
}

func BenchmarkConnectDisconnect(b *testing.B) {
	c := cancellable.New()
	for b.Loop() {
		c.Disconnect(c.Connect(func() {}))
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		_ = cancellable.New()
	}
}
