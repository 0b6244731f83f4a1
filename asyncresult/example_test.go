package asyncresult_test

import (
	"fmt"
	"strings"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/mainloop"
)

// Upper is an object with an asynchronous operation, written the way every
// XxxAsync / XxxFinish pair in sigloop is.
type Upper struct{}

// UpperAsync upper-cases s on the task pool and reports to cb on the
// caller's context.
func (u *Upper) UpperAsync(s string, prio int, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
	t := asyncresult.NewTask[string](u, c, cb)
	t.SetSourceTag((*Upper).UpperAsync)
	t.SetPriority(prio)
	t.RunInThread(func(t *asyncresult.Task[string], _ any, c *cancellable.Cancellable) {
		if t.ReturnErrorIfCancelled() {
			return
		}
		t.Return(strings.ToUpper(s))
	})
}

// UpperFinish returns the result of UpperAsync.
func (u *Upper) UpperFinish(res asyncresult.AsyncResult) (string, error) {
	if !asyncresult.IsValid(res, u) || !res.IsTagged((*Upper).UpperAsync) {
		return "", fmt.Errorf("not an UpperAsync result")
	}
	return asyncresult.Propagate[string](res)
}

func Example() {
	ctx := mainloop.NewContext()
	loop := mainloop.New(ctx)
	_ = ctx.PushThreadDefault() // NewTask captures ctx
	defer ctx.PopThreadDefault()

	u := &Upper{}
	u.UpperAsync("hello", mainloop.PriorityDefault, nil, func(source any, res asyncresult.AsyncResult) {
		s, err := source.(*Upper).UpperFinish(res)
		fmt.Println(s, err)
		loop.Quit()
	})
	loop.Run()
	// Output: HELLO <nil>
}

// A cancelled operation still calls back exactly once, later, with
// CANCELLED.
func Example_cancelled() {
	ctx := mainloop.NewContext()
	_ = ctx.PushThreadDefault()
	defer ctx.PopThreadDefault()

	c := cancellable.New()
	done := false
	t := asyncresult.NewTask[int](nil, c, func(_ any, res asyncresult.AsyncResult) {
		_, err := asyncresult.Propagate[int](res)
		fmt.Println("callback:", err)
		done = true
	})
	c.Connect(func() { t.ReturnErrorIfCancelled() })
	c.Cancel()
	fmt.Println("Cancel returned")
	for !done {
		ctx.Iteration(true)
	}
	// Output:
	// Cancel returned
	// callback: Operation was cancelled
}

// countOp is one call of a counting operation: its state and its result
// in one allocation.
type countOp struct {
	asyncresult.Result[int]
	left int
}

// CountDownAsync counts n down on the caller's context, one step per idle,
// and reports how many steps it took: an operation with its own state that
// embeds its result, so that each call makes one allocation.
func CountDownAsync(n int, cb asyncresult.ReadyCallback) {
	op := &countOp{left: n}
	op.Init(nil, nil, cb)
	op.SetSourceTag(CountDownAsync)
	op.AttachSource(mainloop.NewIdleSource(), func() bool {
		if op.left > 0 {
			op.left--
			return mainloop.SourceContinue
		}
		op.Return(n)
		return mainloop.SourceRemove
	})
}

// CountDownFinish returns the result of CountDownAsync.
func CountDownFinish(res asyncresult.AsyncResult) (int, error) {
	if !res.IsTagged(CountDownAsync) {
		return 0, fmt.Errorf("not a CountDownAsync result")
	}
	return asyncresult.Propagate[int](res)
}

func ExampleResult() {
	ctx := mainloop.NewContext()
	loop := mainloop.New(ctx)
	ctx.PushThreadDefault()
	defer ctx.PopThreadDefault()

	CountDownAsync(3, func(_ any, res asyncresult.AsyncResult) {
		n, err := CountDownFinish(res)
		fmt.Println("counted down from", n, err)
		loop.Quit()
	})
	loop.Run()
	// Output: counted down from 3 <nil>
}
