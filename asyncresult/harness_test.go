package asyncresult_test

import (
	"sync"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/leakcheck"
	"github.com/sigloop/sigloop/mainloop"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// harness gives a test its own context, pushed as the test goroutine's
// thread-default context so that NewTask captures it. Call done (deferred)
// on the test goroutine.
type harness struct {
	t   *testing.T
	ctx *mainloop.Context
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := mainloop.NewContext()
	if err := ctx.PushThreadDefault(); err != nil {
		t.Fatalf("PushThreadDefault: %v", err)
	}
	return &harness{t: t, ctx: ctx}
}

func (h *harness) done() { h.ctx.PopThreadDefault() }

// runUntil iterates the context until cond holds, failing after a generous
// timeout. A ticking timeout source makes sure blocking iterations return.
func (h *harness) runUntil(cond func() bool) {
	h.t.Helper()
	tick := mainloop.NewTimeoutSource(5 * time.Millisecond)
	tick.SetCallback(func() bool { return mainloop.SourceContinue })
	tick.Attach(h.ctx)
	defer tick.Destroy()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatal("timed out waiting for the context")
		}
		h.ctx.Iteration(true)
	}
}

// idle runs fn from an idle of the harness context and iterates until it has.
func (h *harness) idle(fn func()) {
	h.t.Helper()
	ran := false
	s := mainloop.NewIdleSource()
	s.SetCallback(func() bool { fn(); ran = true; return mainloop.SourceRemove })
	s.Attach(h.ctx)
	h.runUntil(func() bool { return ran })
}

// drain runs every pending source of the context.
func (h *harness) drain() {
	for h.ctx.Iteration(false) {
	}
}

// waitBound bounds every wait of a test on another goroutine, so that a bug
// makes the test fail with a message instead of hanging the binary.
const waitBound = 30 * time.Second

// recv waits for a value from ch, failing the test after waitBound.
func recv[V any](t *testing.T, ch <-chan V, what string) V {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitBound):
		t.Fatalf("timed out after %v waiting for %s", waitBound, what)
		panic("unreachable")
	}
}

// send sends v on ch, failing the test after waitBound.
func send[V any](t *testing.T, ch chan<- V, v V, what string) {
	t.Helper()
	select {
	case ch <- v:
	case <-time.After(waitBound):
		t.Fatalf("timed out after %v sending to %s", waitBound, what)
	}
}

// waitGroup waits for wg, failing the test after waitBound.
func waitGroup(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	recv(t, done, what)
}

// within runs f on another goroutine and waits for it to return, failing
// the test after waitBound: for calls that block by design
// (RunInThreadSync).
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	recv(t, done, what)
}
