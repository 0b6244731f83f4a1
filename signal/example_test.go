package signal_test

import (
	"fmt"

	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/signal"
)

func ExampleSignal1() {
	var changed signal.Signal1[string]
	id := changed.Connect(func(v string) { fmt.Println("first:", v) })
	changed.Connect(func(v string) { fmt.Println("second:", v) })
	changed.Emit("a")
	changed.Disconnect(id)
	changed.Emit("b")
	// Output:
	// first: a
	// second: a
	// second: b
}

// The GLib emission order: RunFirst class handler, handlers, RunLast class
// handler, after-handlers, RunCleanup class handler.
func ExampleSignal0_SetClassHandler() {
	var s signal.Signal0
	s.ConnectAfter(func() { fmt.Println("after") })
	s.Connect(func() { fmt.Println("handler") })
	s.SetClassHandler(func() { fmt.Println("class") }, signal.RunLast)
	s.Emit()
	// Output:
	// handler
	// class
	// after
}

// GLib's "incoming"-style signal: the first handler returning true stops the
// emission and is the result.
func ExampleTrueHandled() {
	var incoming signal.Signal1R[string, bool]
	incoming.SetAccumulator(signal.TrueHandled)
	incoming.Connect(func(c string) bool { fmt.Println("logger saw", c); return false })
	incoming.Connect(func(c string) bool { fmt.Println("server took", c); return true })
	incoming.Connect(func(c string) bool { fmt.Println("never reached"); return true })
	fmt.Println("handled:", incoming.Emit("conn-1"))
	// Output:
	// logger saw conn-1
	// server took conn-1
	// handled: true
}

func ExampleSignal1_ConnectDetailed() {
	var notify signal.Signal1[string]
	notify.ConnectDetailed("backlog", func(p string) { fmt.Println("backlog changed") })
	notify.Connect(func(p string) { fmt.Println("some property changed:", p) })
	notify.EmitDetailed("backlog", "backlog")
	notify.EmitDetailed("name", "name")
	// Output:
	// backlog changed
	// some property changed: backlog
	// some property changed: name
}

// A queued connection runs on the receiver's context when its loop runs.
func ExampleSignal1_ConnectTo() {
	ctx := mainloop.NewContext()
	r := newRecv(ctx) // any signal.Receiver; usually an *object.Object
	var s signal.Signal1[int]
	s.ConnectTo(r, func(v int) { fmt.Println("got", v) }, signal.QueuedConnection)
	s.Emit(1)
	s.Emit(2)
	fmt.Println("emitted")
	for ctx.Iteration(false) {
	}
	// Output:
	// emitted
	// got 1
	// got 2
}

// A NO_RECURSE signal: a handler that emits the signal again does not
// nest; the emission restarts once the handler has returned.
func ExampleSignal1_SetNoRecurse() {
	var level signal.Signal1[int]
	level.SetNoRecurse(true)
	v := 42
	level.Connect(func(int) {
		fmt.Println("handler sees", v)
		if v > 10 {
			v = 10
			level.Emit(v) // merged: returns at once
			fmt.Println("clamped")
		}
	})
	level.Emit(v)
	// Output:
	// handler sees 42
	// clamped
	// handler sees 10
}

// CheckDeadlock tells, before emitting, that a blocking-queued handler
// would wait for the calling goroutine itself.
func ExampleSignal0_CheckDeadlock() {
	ctx := mainloop.NewContext()
	var s signal.Signal0
	s.ConnectTo(newRecv(ctx), func() {}, signal.BlockingQueuedConnection) // usually an *object.Object
	ctx.Acquire()                                                         // this goroutine now owns the receiver's context
	fmt.Println(s.CheckDeadlock())
	ctx.Release()
	fmt.Println(s.CheckDeadlock())
	// Output:
	// signal: blocking-queued emission from the goroutine that owns the receiver's context would deadlock
	// <nil>
}

// A GLib accumulator that reads ihint->run_type ports as written: this one
// keeps the value of the RUN_LAST stage (the class handler and the
// after-handlers) over those of the normal handlers.
func ExampleAccumulator() {
	var s signal.Signal0R[string]
	s.SetAccumulator(func(h signal.InvocationHint, acc, v string) (string, bool) {
		if h.RunType&signal.AccumulatorFirstRun != 0 || h.RunType&signal.RunLast != 0 {
			return v, true
		}
		return acc, true
	})
	s.Connect(func() string { return "handler" })
	s.SetClassHandler(func() string { return "class" }, signal.RunLast)
	fmt.Println(s.Emit())
	// Output:
	// class
}

// ClearHandler is g_clear_signal_handler: disconnect and forget the id.
func ExampleSignal0_ClearHandler() {
	var s signal.Signal0
	id := s.Connect(func() { fmt.Println("never") })
	s.ClearHandler(&id)
	s.Emit()
	fmt.Println(id, s.HasHandlers())
	// Output:
	// 0 false
}
