package mainloop_test

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"

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

// job is an operation whose completion is posted to the loop: the job
// itself is PostData's data, so posting it allocates nothing.
type job struct{ name string }

func finishJob(data any) { fmt.Println("finished", data.(*job).name) }

// PostData queues a plain function with its data, as
// g_main_context_invoke_full takes a function and a gpointer.
func ExampleContext_PostData() {
	ctx := mainloop.NewContext()
	loop := mainloop.New(ctx)
	ctx.PostData(mainloop.PriorityDefault, finishJob, &job{name: "read"})
	ctx.Post(mainloop.PriorityDefault, loop.Quit)
	loop.Run()
	// Output:
	// finished read
}

// pipeWatch is a custom source's state; its methods are the source's
// dispatch and finalize functions.
type pipeWatch struct{ r, w int }

func (p *pipeWatch) Dispatch(*mainloop.Source, mainloop.SourceFunc) bool {
	var buf [8]byte
	n, _ := unix.Read(p.r, buf[:])
	fmt.Printf("read %q\n", buf[:n])
	return mainloop.SourceRemove
}

func (p *pipeWatch) Finalize(*mainloop.Source) {
	unix.Close(p.r)
	unix.Close(p.w)
	fmt.Println("finalized")
}

// NewSourceHandler makes a source of a Go value: here one that reads a
// pipe once it is readable.
func ExampleNewSourceHandler() {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		fmt.Println(err)
		return
	}
	ctx := mainloop.NewContext()
	loop := mainloop.New(ctx)
	p := &pipeWatch{r: fds[0], w: fds[1]}
	src := mainloop.NewSourceHandler(p)
	src.AddUnixFD(p.r, mainloop.IOIn)
	src.Attach(ctx)
	unix.Write(p.w, []byte("hi"))
	ctx.Post(mainloop.PriorityLow, loop.Quit)
	loop.Run()
	// Output:
	// read "hi"
	// finalized
}
