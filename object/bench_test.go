package object_test

import (
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
