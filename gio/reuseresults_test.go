package gio

import (
	"testing"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/racedetect"
	"github.com/sigloop/sigloop/mainloop"
)

// With SetReuseResults on both ends, the async ping-pong of
// BenchmarkAsyncStepVsDirect allocates nothing per step; off (the
// default), each read and each write allocates its result.
func TestReuseResultsAllocs(t *testing.T) {
	if racedetect.Enabled {
		t.Skip("the race detector allocates")
	}
	for _, tc := range []struct {
		reuse       bool
		least, most float64 // allocations per two steps
	}{
		{false, 4, 4},
		{true, 0, 0},
	} {
		st := newStepper(t)
		for _, e := range st.ends {
			e.InputStream().SetReuseResults(tc.reuse)
			e.OutputStream().SetReuseResults(tc.reuse)
		}
		st.run(100)
		if n := testing.AllocsPerRun(200, func() { st.run(2) }); n < tc.least || n > tc.most {
			t.Errorf("reuse %v: %.2f allocations per two steps, want %v to %v", tc.reuse, n, tc.least, tc.most)
		}
	}
}

// readOnce reads into buf with ReadAsync and returns the result the
// callback got, after Finish (finish true, in the callback) or without it.
func readOnce(t *testing.T, l *testLoop, in *InputStream, buf []byte, finish bool) asyncresult.AsyncResult {
	t.Helper()
	var got asyncresult.AsyncResult
	in.ReadAsync(buf, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
		if finish {
			if n, err := in.ReadFinish(res); err != nil || n != len(buf) {
				t.Errorf("ReadFinish: %d, %v", n, err)
			}
		}
		got = res
	})
	l.until(func() bool { return got != nil })
	return got
}

// A read reuses the result of the one before only with SetReuseResults on,
// and only once that result is done with: its callback returned and its
// Finish was called, in the callback or after it. A result the caller has
// not finished is never taken; it keeps its own value, and Finish still
// gets it later.
func TestReuseResultsWhenDone(t *testing.T) {
	l := newTestLoop(t)
	a, b := socketPair(t)
	in := b.InputStream()
	send := func(s string) {
		t.Helper()
		if _, err := a.Socket().Send([]byte(s), nil); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 1)

	send("ab")
	if r1, r2 := readOnce(t, l, in, buf, true), readOnce(t, l, in, buf, true); r1 == r2 {
		t.Error("off (the default): a read reused the result of the one before")
	}

	in.SetReuseResults(true)
	send("cdef")
	r1 := readOnce(t, l, in, buf, true) // the first makes the result the next may reuse
	if r2 := readOnce(t, l, in, buf, true); r2 != r1 {
		t.Error("on: a read finished in its callback was not reused")
	}
	kept := readOnce(t, l, in, buf, false) // "e", not finished in the callback
	r4 := readOnce(t, l, in, buf, true)
	if r4 == kept {
		t.Fatal("on: a result that was not finished was reused")
	} else if buf[0] != 'f' {
		t.Fatalf("read %q, want f", buf)
	}
	if n, err := in.ReadFinish(kept); n != 1 || err != nil {
		t.Fatalf("the kept result: %d, %v", n, err)
	}
	send("gh")
	late := readOnce(t, l, in, buf, false)
	if _, err := in.ReadFinish(late); err != nil { // after its callback
		t.Fatal(err)
	}
	if r6 := readOnce(t, l, in, buf, true); r6 != late {
		t.Error("on: a result finished after its callback was not reused")
	}
	in.SetReuseResults(false)
	send("i")
	if r7 := readOnce(t, l, in, buf, true); r7 == late {
		t.Error("off again: a read reused a result")
	}
}

// A second read started while one is pending gets PENDING, with
// SetReuseResults on as off; each callback runs once, the first read gets
// its bytes, and reuse resumes after the next read.
func TestReuseResultsPending(t *testing.T) {
	l := newTestLoop(t)
	a, b := socketPair(t)
	in := b.InputStream()
	in.SetReuseResults(true)
	buf := make([]byte, 1)
	if _, err := a.Socket().Send([]byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	readOnce(t, l, in, buf, true)

	var first, second int
	var firstErr, secondErr error
	in.ReadAsync(buf, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
		first++
		_, firstErr = in.ReadFinish(res)
	})
	in.ReadAsync(make([]byte, 1), mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
		second++
		_, secondErr = in.ReadFinish(res)
	})
	if _, err := a.Socket().Send([]byte("y"), nil); err != nil {
		t.Fatal(err)
	}
	l.until(func() bool { return first > 0 && second > 0 })
	l.ctx.Iteration(false)
	if first != 1 || second != 1 {
		t.Fatalf("callbacks ran %d and %d times", first, second)
	}
	if firstErr != nil || buf[0] != 'y' {
		t.Errorf("the first read: %q, %v", buf, firstErr)
	}
	if !isCode(secondErr, ioerr.Pending) {
		t.Errorf("the second read: %v, want PENDING", secondErr)
	}
	if _, err := a.Socket().Send([]byte("zw"), nil); err != nil {
		t.Fatal(err)
	}
	r1 := readOnce(t, l, in, buf, true)
	if r2 := readOnce(t, l, in, buf, true); r2 != r1 {
		t.Error("reuse did not resume after the PENDING read")
	}
}

// reusingReader is a test loop and a connected pair whose second end's
// input stream reuses results: it returns the loop, the writing end and
// that stream.
func reusingReader(t *testing.T) (*testLoop, *SocketConnection, *InputStream) {
	t.Helper()
	l := newTestLoop(t)
	a, b := socketPair(t)
	in := b.InputStream()
	in.SetReuseResults(true)
	return l, a, in
}

// A read loop, each read started from the callback of the one before,
// reuses results too: the one before that is done with by then.
func TestReuseResultsReadLoop(t *testing.T) {
	if racedetect.Enabled {
		t.Skip("the race detector allocates")
	}
	l, a, in := reusingReader(t)
	buf := make([]byte, 1)
	left := 0
	var onRead asyncresult.ReadyCallback
	onRead = func(_ any, res asyncresult.AsyncResult) {
		if _, err := in.ReadFinish(res); err != nil {
			t.Error(err)
		}
		if left--; left > 0 {
			in.ReadAsync(buf, mainloop.PriorityDefault, nil, onRead)
		}
	}
	msg := make([]byte, 10)
	loop := func() {
		if _, err := a.Socket().Send(msg, nil); err != nil {
			t.Fatal(err)
		}
		left = len(msg)
		in.ReadAsync(buf, mainloop.PriorityDefault, nil, onRead)
		for left > 0 { // not l.until, whose timeout sources allocate
			l.ctx.Iteration(true)
		}
	}
	loop()
	if n := testing.AllocsPerRun(50, loop); n > 0 {
		t.Errorf("%.2f allocations per ten chained reads, want 0", n)
	}
}
