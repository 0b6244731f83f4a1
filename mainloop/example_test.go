package mainloop_test

import (
	"fmt"
	"time"

	"github.com/sigloop/sigloop/mainloop"
)

// A loop runs until a callback quits it; sources run in priority order.
func ExampleLoop() {
	ctx := mainloop.NewContext()
	loop := mainloop.New(ctx)

	idle := mainloop.NewIdleSource()
	idle.SetCallback(func() bool {
		fmt.Println("idle (priority", mainloop.PriorityDefaultIdle, ")")
		loop.Quit()
		return mainloop.SourceRemove
	})
	idle.Attach(ctx)

	ctx.InvokeFull(mainloop.PriorityHigh, func() bool {
		fmt.Println("high priority call")
		return mainloop.SourceRemove
	})

	loop.Run()
	// Output:
	// high priority call
	// idle (priority 200 )
}

// Invoke from another goroutine queues the call onto the loop's goroutine.
func ExampleContext_Invoke() {
	ctx := mainloop.NewContext()
	loop := mainloop.New(ctx)
	go ctx.Invoke(func() {
		fmt.Println("on the loop, owner:", ctx.IsOwner())
		loop.Quit()
	})
	loop.Run()
	// Output:
	// on the loop, owner: true
}

// A timeout fires every interval until its callback returns SourceRemove.
func ExampleNewTimeoutSource() {
	ctx := mainloop.NewContext()
	loop := mainloop.New(ctx)
	n := 0
	t := mainloop.NewTimeoutSource(time.Millisecond)
	t.SetCallback(func() bool {
		n++
		fmt.Println("tick", n)
		if n == 3 {
			loop.Quit()
			return mainloop.SourceRemove
		}
		return mainloop.SourceContinue
	})
	t.Attach(ctx)
	loop.Run()
	// Output:
	// tick 1
	// tick 2
	// tick 3
}

// SingleShot(0, …) is a queued call on the caller's context, even from the
// loop's own goroutine.
func ExampleSingleShot() {
	ctx := mainloop.NewContext()
	if err := ctx.PushThreadDefault(); err != nil {
		panic(err)
	}
	defer ctx.PopThreadDefault()
	loop := mainloop.New(ctx)
	mainloop.SingleShot(0, func() { fmt.Println("queued"); loop.Quit() })
	fmt.Println("first")
	loop.Run()
	// Output:
	// first
	// queued
}

// Exec and Exit are QEventLoop's: Exec returns the code given to Exit.
func ExampleLoop_Exec() {
	ctx := mainloop.NewContext()
	loop := mainloop.New(ctx)
	ctx.Post(mainloop.PriorityDefault, func() {
		fmt.Println("loop level", mainloop.LoopLevel())
		loop.Exit(3)
	})
	fmt.Println("exit code", loop.Exec())
	// Output:
	// loop level 1
	// exit code 3
}
