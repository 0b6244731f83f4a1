package object_test

import (
	"fmt"
	"testing"

	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
)

// BenchmarkPropertySet is a typed Set with one detailed notify handler.
func BenchmarkPropertySet(b *testing.B) {
	o := object.New()
	p, _ := object.NewProperty(o, "n", 0, 0)
	sum := 0
	o.Notify.ConnectDetailed("n", func(string) { sum++ })
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p.Set(i)
	}
}

// BenchmarkSetProperty is the same through the name lookup.
func BenchmarkSetProperty(b *testing.B) {
	o := object.New()
	object.NewProperty(o, "n", 0, 0)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		o.SetProperty("n", i)
	}
}

// BenchmarkVirtual is a class handler calling a virtual method through
// object.Virtual.
func BenchmarkVirtual(b *testing.B) {
	l := &LoudCounter{}
	l.Init(l)
	l.Changed.SetClassHandler(func(n int) {
		object.Virtual[interface{ Value() int }](&l.Object, l).Value()
	}, signal.RunLast)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l.Changed.Emit(i)
	}
}

func (c *Counter) Value() int { return c.n }

// BenchmarkNewDestroy makes and destroys an object with a child.
func BenchmarkNewDestroy(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		p := object.New()
		c := object.New()
		c.SetParent(p)
		p.Destroy()
	}
}

// BenchmarkDestroyNotifyRemove adds n destroy notifies to one object (n
// receivers bound to it) and removes them all, oldest first: per notify,
// the cost should not grow with n.
func BenchmarkDestroyNotifyRemove(b *testing.B) {
	for _, n := range []int{10, 10000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			removes := make([]func(), n)
			for b.Loop() {
				o := object.New()
				for i := range removes {
					removes[i] = o.AddDestroyNotify(func() {})
				}
				for _, r := range removes {
					r()
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/notify")
		})
	}
}
