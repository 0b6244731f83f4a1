package object_test

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
)

// A repeating Timer on a loop's context; a single-shot call bound to an
// object is skipped once the object is destroyed.
func ExampleTimer() {
	ctx := mainloop.NewContext()
	ctx.PushThreadDefault() // the timer lives on ctx
	defer ctx.PopThreadDefault()
	loop := mainloop.New(ctx)

	ticks := 0
	t := object.NewTimer(nil)
	t.Timeout.Connect(func() {
		ticks++
		fmt.Println("tick", ticks, "active", t.IsActive())
		if ticks == 3 {
			t.Stop()
			loop.Quit()
		}
	})
	t.StartInterval(time.Millisecond)

	gone := object.New()
	object.SingleShot(time.Millisecond, gone, func() { fmt.Println("never printed") })
	gone.Destroy()

	loop.Run()
	fmt.Println("active", t.IsActive(), "timer id", t.TimerID())
	// Output:
	// tick 1 active true
	// tick 2 active true
	// tick 3 active true
	// active false timer id -1
}

// Ranged properties are what GLib's g_param_spec_int declares; SetProperty
// converts other numeric types and refuses values out of range.
func ExampleInstallRange() {
	type listener struct {
		object.Object
		backlog    object.Property[int]
		maxThreads object.Property[int]
	}
	l := &listener{}
	l.Init(l)
	_ = object.InstallRange(&l.backlog, &l.Object, "listen-backlog", 0, 2000, 10, 0)
	_ = object.InstallRange(&l.maxThreads, &l.Object, "max-threads", -1, math.MaxInt32, 10, 0)

	fmt.Println(l.SetProperty("listen-backlog", int64(50)), l.backlog.Get())
	err := l.SetProperty("listen-backlog", 5000)
	fmt.Println(err, errors.Is(err, object.ErrPropertyRange))
	fmt.Println(l.SetProperty("max-threads", -1), l.maxThreads.Validate(-2))
	// Output:
	// <nil> 50
	// object: set property "listen-backlog": value 5000 is out of range 0..2000 true
	// <nil> object: set property "max-threads": value -2 is out of range -1..2147483647
}
