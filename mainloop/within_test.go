package mainloop

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// waitLimit bounds every wait of a test that would otherwise hang if the
// behaviour under test broke.
const waitLimit = 20 * time.Second

// ownedContext returns a new context acquired by the test goroutine,
// released when the test ends.
func ownedContext(t testing.TB) *Context {
	c := NewContext()
	c.Acquire()
	t.Cleanup(c.Release)
	return c
}

// fataler is the part of testing.TB that within uses.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// within runs fn on a new goroutine and waits for it at most limit; if it
// has not returned by then, the test fails with a message naming what
// hung (fn's goroutine is left behind; the test has failed anyway).
func within(t fataler, limit time.Duration, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("%s did not return within %v", what, limit)
	}
}

type fatalRecorder struct {
	mu  sync.Mutex
	msg string
}

func (r *fatalRecorder) Helper() {}
func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msg = format
	if len(args) > 0 {
		r.msg = args[0].(string)
	}
}

// TestWithin: the bound fails the test instead of hanging, and lets a
// function that returns pass.
func TestWithin(t *testing.T) {
	var r fatalRecorder
	within(&r, time.Second, "fast", func() {})
	if r.msg != "" {
		t.Fatalf("a returning function failed the test: %q", r.msg)
	}
	release := make(chan struct{})
	within(&r, 10*time.Millisecond, "a blocked Run", func() { <-release })
	close(release)
	if !strings.Contains(r.msg, "a blocked Run") {
		t.Fatalf("a hanging function did not fail the test: %q", r.msg)
	}
}
