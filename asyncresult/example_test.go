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
