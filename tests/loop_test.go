package tests

import (
	"testing"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/mainloop"
)

// testLoop is a private context pushed as the test goroutine's context: the
// async calls the test makes deliver to it, and until iterates it.
type testLoop struct {
	t       testing.TB
	ctx     *mainloop.Context
	expired bool
}

func newTestLoop(t testing.TB) *testLoop {
	t.Helper()
	l := &testLoop{t: t, ctx: mainloop.NewContext()}
	if err := l.ctx.PushThreadDefault(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.ctx.PopThreadDefault)
	return l
}

// until iterates the context until cond holds, failing after peerTimeout.
func (l *testLoop) until(cond func() bool) {
	l.t.Helper()
	l.expired = false
	src := mainloop.NewTimeoutSource(peerTimeout)
	src.SetCallback(func() bool { l.expired = true; return mainloop.SourceRemove })
	src.Attach(l.ctx)
	defer src.Destroy()
	for !cond() {
		if l.expired {
			l.t.Fatalf("main loop: condition not met within %v", peerTimeout)
		}
		l.ctx.Iteration(true)
	}
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
