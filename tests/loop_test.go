package tests

import (
	"testing"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/internal/looptest"
	"github.com/sigloop/sigloop/mainloop"
)

// testLoop is a private context pushed as the test goroutine's context, so
// async calls made by the test deliver to it, and iterated by until
// (internal/looptest).
type testLoop struct {
	*looptest.Loop
	t   testing.TB
	ctx *mainloop.Context
}

func newTestLoop(t testing.TB) *testLoop {
	t.Helper()
	l := looptest.Push(t, peerTimeout)
	return &testLoop{Loop: l, t: t, ctx: l.Ctx}
}

// until iterates the context until cond holds, failing the test after
// peerTimeout.
func (l *testLoop) until(cond func() bool) {
	l.t.Helper()
	l.Until(cond)
}

// await runs start with a callback and iterates until the callback has run,
// checking it ran on the caller's context; it returns the result.
func (l *testLoop) await(start func(cb asyncresult.ReadyCallback)) asyncresult.AsyncResult {
	l.t.Helper()
	var res asyncresult.AsyncResult
	var where *mainloop.Context
	start(func(_ any, r asyncresult.AsyncResult) { res, where = r, mainloop.ThreadDefault() })
	if res != nil {
		l.t.Fatal("callback ran inside the XxxAsync call")
	}
	l.until(func() bool { return res != nil })
	if where != l.ctx {
		l.t.Fatalf("callback ran on %p, want the caller's context %p", where, l.ctx)
	}
	return res
}
