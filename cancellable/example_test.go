package cancellable_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/gio"
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

// A Cancellable is a context.Context: pass it to Go APIs. Its Err, and
// that of children made with the context package, is context.Canceled
// itself; GLib's CANCELLED error comes from SetErrorIfCancelled.
func ExampleCancellable_Err() {
	c := cancellable.New()
	ctx, cancel := context.WithCancel(c) // linked without a goroutine
	defer cancel()
	c.Cancel()
	fmt.Println(c.Err() == context.Canceled, ctx.Err() == context.Canceled)
	err := c.SetErrorIfCancelled()
	var e *gio.Error
	fmt.Println(err, errors.As(err, &e) && e.Code == gio.ErrorCancelled, errors.Is(err, context.Canceled))
	// Output:
	// true true
	// Operation was cancelled true true
}

// fetch has the shape of a gio call: the *Cancellable is its last argument
// (nil: not cancellable) and a cancelled call returns GLib's CANCELLED
// error.
func fetch(name string, c *cancellable.Cancellable) (string, error) {
	select {
	case <-time.After(time.Minute):
		return "contents of " + name, nil
	case <-c.Done():
		return "", c.SetErrorIfCancelled()
	}
}

// FromContext turns a Go context into the Cancellable a gio-style call
// takes, without a goroutine: here a timeout set on the context cancels the
// call.
func ExampleFromContext() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := fetch("greeting.txt", cancellable.FromContext(ctx))
	fmt.Println(err, errors.Is(err, gio.ErrCancelled), errors.Is(err, context.Canceled))
	// Output: Operation was cancelled true true
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
