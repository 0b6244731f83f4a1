package cancellable_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/mainloop"
)

// Connect runs a handler on every cancellation; on a cancellable that is
// already cancelled it runs the handler at once and returns 0.
func ExampleCancellable_Connect() {
	c := cancellable.New()
	id := c.Connect(func() { fmt.Println("cancelled") })
	c.Cancel()
	c.Cancel() // no second emission before Reset
	c.Disconnect(id)

	fmt.Println(c.Connect(func() { fmt.Println("already cancelled") }))
	// Output:
	// cancelled
	// already cancelled
	// 0
}

// A Cancellable is a context.Context: pass it to Go APIs. Its error, which
// children made with the context package inherit, is GLib's CANCELLED; it
// also matches context.Canceled.
func ExampleCancellable_Err() {
	c := cancellable.New()
	ctx, cancel := context.WithCancel(c) // linked without a goroutine
	defer cancel()
	c.Cancel()
	fmt.Println(ctx.Err(), errors.Is(ctx.Err(), context.Canceled))
	// Output:
	// Operation was cancelled true
}

// FromContext gives GLib-style code a Cancellable that follows a Go context.
func ExampleFromContext() {
	ctx, cancel := context.WithCancel(context.Background())
	c := cancellable.FromContext(ctx)
	cancel()
	<-c.Done()
	fmt.Println(c.IsCancelled())
	// Output: true
}

// NewSource dispatches on a context once per cancellation, never inside
// Cancel.
func ExampleCancellable_NewSource() {
	ctx := mainloop.NewContext()
	c := cancellable.New()
	s := c.NewSource()
	s.SetCallback(func() bool {
		fmt.Println("source fired")
		return mainloop.SourceRemove
	})
	s.Attach(ctx)
	c.Cancel()
	fmt.Println("after Cancel")
	for ctx.Iteration(false) {
	}
	// Output:
	// after Cancel
	// source fired
}
