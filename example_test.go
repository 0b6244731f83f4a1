package sigloop_test

import (
	"fmt"
	"time"

	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
)

// Thermometer is an object with a typed property and a signal.
type Thermometer struct {
	object.Object
	Celsius  object.Property[int]
	Overheat signal.Signal1[int]
}

func NewThermometer() *Thermometer {
	t := &Thermometer{}
	t.Object.Init(t)
	t.Celsius.Install(&t.Object, "celsius", 20, object.ExplicitNotify)
	t.Overheat.SetOwner(&t.Object)
	return t
}

// The README's example: a loop, an object, a property notification, a
// signal, and a timer, all dispatched on one main context.
func Example() {
	loop := mainloop.New(nil)
	th := NewThermometer()
	th.Notify.ConnectDetailed("celsius", func(string) { fmt.Println("celsius is now", th.Celsius.Get()) })
	th.Overheat.Connect(func(c int) { fmt.Println("overheat at", c); loop.Quit() })

	mainloop.TimeoutAdd(10*time.Millisecond, func() bool {
		if c := th.Celsius.Get() + 30; th.Celsius.Set(c) && c > 70 {
			th.Overheat.Emit(c)
			return mainloop.SourceRemove // done: the timer goes with it
		}
		return mainloop.SourceContinue
	})
	loop.Run()
	// Output:
	// celsius is now 50
	// celsius is now 80
	// overheat at 80
}

// The root package doc's "Getting started": a loop on the default context,
// a source, and the loop quit from the source's callback.
func Example_gettingStarted() {
	loop := mainloop.New(nil) // on mainloop.Default()
	mainloop.TimeoutAddOnce(10*time.Millisecond, func() {
		fmt.Println("tick")
		loop.Quit()
	})
	loop.Run()
	// Output: tick
}
