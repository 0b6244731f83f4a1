package tests

import (
	"testing"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/internal/looptest"
	"github.com/sigloop/sigloop/mainloop"
)

// newTestLoop pushes a private context as the test goroutine's, so async
// calls made by the test deliver to it; Until fails the test after
// peerTimeout (internal/looptest).
func newTestLoop(t testing.TB) *looptest.Loop { return looptest.Push(t, peerTimeout) }

// await runs start with a callback and iterates l until the callback has
// run, checking it ran on the caller's context; it returns the result.
func await(l *looptest.Loop, start func(cb asyncresult.ReadyCallback)) asyncresult.AsyncResult {
	l.T.Helper()
	var res asyncresult.AsyncResult
	var where *mainloop.Context
	start(func(_ any, r asyncresult.AsyncResult) { res, where = r, mainloop.ThreadDefault() })
	if res != nil {
		l.T.Fatal("callback ran inside the XxxAsync call")
	}
	l.Until(func() bool { return res != nil })
	if where != l.Ctx {
		l.T.Fatalf("callback ran on %p, want the caller's context %p", where, l.Ctx)
	}
	return res
}
