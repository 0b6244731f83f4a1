package asyncresult_test

import (
	"testing"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/internal/ioerr"
)

// Recycle takes a Result back only once its operation is over for the
// caller: returned, delivered (the callback has returned) and propagated.
// Before that, at each step, it refuses and changes nothing; after it,
// Init makes the Result usable for another operation, which completes as
// a new one does.
func TestResultRecycle(t *testing.T) {
	ctx := newHarness(t).Ctx
	var r asyncresult.Result[int]
	if r.Recycle() {
		t.Fatal("a zero Result was recycled")
	}
	var nilR *asyncresult.Result[int]
	if nilR.Recycle() {
		t.Fatal("a nil Result was recycled")
	}
	calls := 0
	cb := func(_ any, res asyncresult.AsyncResult) { calls++ }
	for round, v := range []int{7, 8} {
		r.Init(nil, nil, cb)
		r.SetSourceTag(tagA)
		if r.Recycle() {
			t.Fatalf("round %d: recycled before Return", round)
		}
		r.Return(v)
		if r.Recycle() {
			t.Fatalf("round %d: recycled before the callback ran", round)
		}
		ctx.Iteration(false)
		if calls != round+1 {
			t.Fatalf("round %d: %d callbacks", round, calls)
		}
		if r.Recycle() {
			t.Fatalf("round %d: recycled with its value not taken", round)
		}
		if !r.IsTagged(tagA) || !r.Completed() {
			t.Fatalf("round %d: a refused Recycle changed the result", round)
		}
		if got, err := r.Propagate(); got != v || err != nil {
			t.Fatalf("round %d: Propagate = %d, %v", round, got, err)
		}
		if !r.Recycle() {
			t.Fatalf("round %d: not recycled once propagated", round)
		}
		if r.Recycle() {
			t.Fatalf("round %d: recycled twice", round)
		}
	}
	// An error taken by Propagate counts as taken.
	r.Init(nil, nil, cb)
	r.ReturnError(ioerr.New(ioerr.Failed, "x"))
	ctx.Iteration(false)
	if _, err := r.Propagate(); err == nil || !r.Recycle() {
		t.Fatalf("after an error: Propagate %v", err)
	}
}
