// Package looptest holds the main-loop helpers that sigloop's tests share:
// a loop running on its own goroutine for the length of a test, a way to run
// a function on it and wait, and a context pushed as the test goroutine's
// own, iterated until a condition holds. It is the one copy of these
// helpers: a package's tests use it rather than their own.
//
// # Getting started
//
// A test that starts async calls pushes a private context, so that their
// callbacks come to it, and iterates it until the result is in:
//
//	l := looptest.Push(t, 10*time.Second) // popped when the test ends
//	var got error
//	done := false
//	x.FooAsync(arg, nil, func(_ any, res asyncresult.AsyncResult) { _, got = x.FooFinish(res); done = true })
//	l.Until(func() bool { return done })
//
// A test that needs a loop running on another goroutine uses Run and On.
package looptest

import (
	"runtime"
	"testing"
	"time"

	"github.com/sigloop/sigloop/mainloop"
)

// Run starts a loop for a new context on its own goroutine and returns the
// context; the loop is quit and its goroutine waited for when the test ends.
func Run(t testing.TB) *mainloop.Context {
	t.Helper()
	ctx := mainloop.NewContext()
	l := mainloop.New(ctx)
	done := make(chan struct{})
	go func() {
		l.Run()
		close(done)
	}()
	for !l.IsRunning() {
		runtime.Gosched()
	}
	t.Cleanup(func() {
		l.Quit()
		<-done
	})
	return ctx
}

// On runs fn on ctx's loop and waits for it. fn is posted (Context.Post) at
// the default priority, so calls posted to ctx before it have run when On
// returns.
func On(ctx *mainloop.Context, fn func()) {
	done := make(chan struct{})
	ctx.Post(mainloop.PriorityDefault, func() {
		defer close(done)
		fn()
	})
	<-done
}

// Pump runs ctx's pending work on the calling goroutine, without waiting.
func Pump(ctx *mainloop.Context) {
	for ctx.Iteration(false) {
	}
}

// Loop is a private context pushed as the test goroutine's thread-default
// context, so that async calls the test makes deliver to it; Until iterates
// it on the test goroutine.
type Loop struct {
	T       testing.TB
	Ctx     *mainloop.Context
	Timeout time.Duration
}

// Push makes a Loop; its context is popped when the test ends. Until fails
// the test after timeout.
func Push(t testing.TB, timeout time.Duration) *Loop {
	t.Helper()
	l := &Loop{T: t, Ctx: mainloop.NewContext(), Timeout: timeout}
	if err := l.Ctx.PushThreadDefault(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Ctx.PopThreadDefault)
	return l
}

// Until iterates the context until cond holds, failing the test if it does
// not within the Loop's timeout. cond may be made true by another goroutine
// without waking the context: a ticking source re-checks it every few
// milliseconds.
func (l *Loop) Until(cond func() bool) {
	l.T.Helper()
	if cond() {
		return
	}
	expired := false
	src := mainloop.NewTimeoutSource(l.Timeout)
	src.SetCallback(func() bool { expired = true; return mainloop.SourceRemove })
	src.Attach(l.Ctx)
	defer src.Destroy()
	tick := mainloop.NewTimeoutSource(tickEvery)
	tick.SetCallback(func() bool { return mainloop.SourceContinue })
	tick.Attach(l.Ctx)
	defer tick.Destroy()
	for !cond() {
		if expired {
			l.T.Fatalf("main loop: condition not met within %v", l.Timeout)
		}
		l.Ctx.Iteration(true)
	}
}

// tickEvery is how often Until re-checks its condition when nothing else
// wakes the context.
const tickEvery = 5 * time.Millisecond

// Idle runs fn from an idle source of the Loop's context and iterates until
// it has run.
func (l *Loop) Idle(fn func()) {
	l.T.Helper()
	ran := false
	s := mainloop.NewIdleSource()
	s.SetCallback(func() bool { fn(); ran = true; return mainloop.SourceRemove })
	s.Attach(l.Ctx)
	l.Until(func() bool { return ran })
}
