package gio

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/leakcheck"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/racedetect"
	"github.com/sigloop/sigloop/mainloop"
)

// waitedRead is one ReadAsync on a's empty socket that has to wait (its
// first try would block, so it attaches its wait source), then the peer b
// writes one byte and l runs until the callback: it returns the source the
// callback ran from (CurrentSource) and its priority then. in, if not nil,
// also runs inside the callback.
func waitedRead(t *testing.T, l *testLoop, a, b *SocketConnection, prio int, c *cancellable.Cancellable, in func()) (*mainloop.Source, int) {
	t.Helper()
	var src *mainloop.Source
	srcPrio := 0
	done := false
	a.InputStream().ReadAsync(make([]byte, 8), prio, c, func(_ any, res asyncresult.AsyncResult) {
		src = mainloop.CurrentSource()
		if src != nil {
			srcPrio = src.Priority()
		}
		if n, err := a.InputStream().ReadFinish(res); n != 1 || err != nil {
			t.Errorf("ReadFinish = %d, %v; want 1, nil", n, err)
		}
		done = true
		if in != nil {
			in()
		}
	})
	feedWaiting(t, l, b, func() bool { return done })
	if src == nil {
		t.Fatal("the waited read's callback ran from no source")
	}
	return src, srcPrio
}

// feedWaiting checks that the read started on b's peer waits (done still
// reports false after three iterations of l), then has b write one byte
// and runs l until done.
func feedWaiting(t *testing.T, l *testLoop, b *SocketConnection, done func() bool) {
	t.Helper()
	for range 3 {
		l.ctx.Iteration(false)
	}
	if done() {
		t.Fatal("the read completed with nothing to read")
	}
	if _, err := b.OutputStream().WriteAll([]byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	l.until(done)
}

// A socket keeps the source of a completed wait (parked: attached, with no
// watch) and the next wait in that direction re-arms it instead of making
// a new one (waitSources); a parked source never dispatches, even when the
// socket turns readable with no read pending. On the old path every wait
// had a new source, destroyed when its operation completed.
func TestWaitSourceParkedAndRearmed(t *testing.T) {
	l := newTestLoop(t)
	a, b := socketPair(t)
	first, _ := waitedRead(t, l, a, b, mainloop.PriorityDefault, nil, nil)
	if first.IsDestroyed() {
		t.Fatal("the wait source was destroyed when its read completed")
	}
	if first.Name() != "GSocket" {
		t.Errorf("wait source name %q, want GSocket", first.Name())
	}
	// Parked: a byte arriving with no read pending wakes nothing.
	if _, err := b.OutputStream().WriteAll([]byte("y"), nil); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if l.ctx.Iteration(false) {
			t.Fatalf("iteration %d dispatched a source while the socket's wait source was parked", i)
		}
	}
	if n, err := a.InputStream().Read(make([]byte, 8), nil); n != 1 || err != nil {
		t.Fatalf("Read = %d, %v; want the parked byte", n, err)
	}
	second, _ := waitedRead(t, l, a, b, mainloop.PriorityDefault, nil, nil)
	if second != first {
		t.Error("the second wait made a new source; want the parked one re-armed")
	}
	// A write that has to wait takes the output direction's own source.
	w := waitedWrite(t, l, a, b)
	if w == first {
		t.Error("a waited write ran from the input direction's source")
	}
}

// waitedWrite fills a's send buffer, starts a WriteAsync that has to wait,
// then drains the peer b until the callback runs; it returns the source
// the callback ran from.
func waitedWrite(t *testing.T, l *testLoop, a, b *SocketConnection) *mainloop.Source {
	t.Helper()
	a.Socket().SetBlocking(false)
	defer a.Socket().SetBlocking(true)
	chunk := make([]byte, 64<<10)
	for {
		if _, err := a.Socket().Send(chunk, nil); err != nil {
			break // WOULD_BLOCK: the buffer is full
		}
	}
	var src *mainloop.Source
	done := false
	a.OutputStream().WriteAsync(chunk, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
		src = mainloop.CurrentSource()
		if _, err := a.OutputStream().WriteFinish(res); err != nil {
			t.Errorf("WriteFinish: %v", err)
		}
		done = true
	})
	b.Socket().SetBlocking(false)
	buf := make([]byte, 64<<10)
	deadline := time.Now().Add(testTimeout)
	for !done && time.Now().Before(deadline) {
		_, _ = b.Socket().Receive(buf, nil)
		l.ctx.Iteration(false)
	}
	b.Socket().SetBlocking(true)
	if !done || src == nil {
		t.Fatalf("the waited write did not complete from a source (done %v)", done)
	}
	return src
}

// A read started inside the callback of a waited read (a read loop) gets
// the parked source, or a new one, never the source still dispatching: so
// a nested loop in the callback can complete it, a Destroy of the
// callback's own source cannot lose it, and the loop alternates between
// two sources.
func TestWaitSourceReadLoop(t *testing.T) {
	for _, tc := range []struct {
		name string
		// after runs in the first read's callback, after it started the
		// second read; done reports whether that read has completed.
		after func(t *testing.T, l *testLoop, b *SocketConnection, done func() bool)
	}{
		{name: "nothing more", after: func(*testing.T, *testLoop, *SocketConnection, func() bool) {}},
		{name: "nested loop", after: func(t *testing.T, l *testLoop, b *SocketConnection, done func() bool) {
			if _, err := b.OutputStream().WriteAll([]byte("n"), nil); err != nil {
				t.Error(err)
			}
			deadline := time.Now().Add(testTimeout)
			for !done() && time.Now().Before(deadline) {
				l.ctx.Iteration(true)
			}
			if !done() {
				t.Error("the read started in the callback did not complete in a nested loop")
			}
		}},
		{name: "destroy current", after: func(*testing.T, *testLoop, *SocketConnection, func() bool) {
			mainloop.CurrentSource().Destroy()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newTestLoop(t)
			a, b := socketPair(t)
			var srcs []*mainloop.Source
			reads := 0
			var onRead asyncresult.ReadyCallback
			onRead = func(_ any, res asyncresult.AsyncResult) {
				srcs = append(srcs, mainloop.CurrentSource())
				if _, err := a.InputStream().ReadFinish(res); err != nil {
					t.Error(err)
				}
				if reads++; reads < 4 {
					a.InputStream().ReadAsync(make([]byte, 8), mainloop.PriorityDefault, nil, onRead)
				}
				if reads == 1 {
					n := reads
					tc.after(t, l, b, func() bool { return reads > n })
				}
			}
			a.InputStream().ReadAsync(make([]byte, 8), mainloop.PriorityDefault, nil, onRead)
			for reads < 4 {
				n := reads
				feedWaiting(t, l, b, func() bool { return reads > n })
			}
			if len(srcs) != 4 || srcs[0] == nil || srcs[1] == srcs[0] {
				t.Fatalf("sources of the four reads %v: want the second's not the first's", srcs)
			}
			if tc.name == "nothing more" && (srcs[2] != srcs[0] || srcs[3] != srcs[1]) {
				t.Errorf("a read loop's sources %v, want two alternating", srcs)
			}
		})
	}
}

// A source kept from an earlier callback and destroyed later, while a
// later read waits on it (re-armed), does not lose that read: it waits
// again on a new source. In GLib the kept source was the earlier read's
// alone, and destroying it was harmless.
func TestWaitSourceKeptAndDestroyed(t *testing.T) {
	l := newTestLoop(t)
	a, b := socketPair(t)
	kept, _ := waitedRead(t, l, a, b, mainloop.PriorityDefault, nil, nil)
	r := startRead(a)
	kept.Destroy()
	feedWaiting(t, l, b, func() bool { return r.done })
	if r.src == kept {
		t.Error("the read completed from the destroyed source")
	}
}

// When the next wait does not fit the parked source, it gets a new one:
// an operation with a cancellable (whose source has the cancellable's as a
// child), a socket with a timeout, a source destroyed by its callback, or
// another context; a different priority is set on the re-armed source.
func TestWaitSourceNotReused(t *testing.T) {
	for _, tc := range []struct {
		name string
		// second runs the second waited read, after the first (run with
		// in as its callback's extra step); it returns that read's
		// source and priority.
		in     func(a *SocketConnection)
		second func(t *testing.T, l *testLoop, a, b *SocketConnection) (*mainloop.Source, int)
		same   bool // the second read runs from the first's source
		prio   int
		// firstKept: the first source is still attached afterwards.
		firstKept bool
	}{
		{
			name: "priority",
			second: func(t *testing.T, l *testLoop, a, b *SocketConnection) (*mainloop.Source, int) {
				return waitedRead(t, l, a, b, mainloop.PriorityHigh, nil, nil)
			},
			same: true, prio: mainloop.PriorityHigh, firstKept: true,
		},
		{
			name: "cancellable",
			second: func(t *testing.T, l *testLoop, a, b *SocketConnection) (*mainloop.Source, int) {
				return waitedRead(t, l, a, b, mainloop.PriorityDefault, cancellable.New(), nil)
			},
			prio: mainloop.PriorityDefault, firstKept: true,
		},
		{
			name: "timeout",
			second: func(t *testing.T, l *testLoop, a, b *SocketConnection) (*mainloop.Source, int) {
				a.Socket().SetTimeout(time.Hour)
				return waitedRead(t, l, a, b, mainloop.PriorityDefault, nil, nil)
			},
			prio: mainloop.PriorityDefault, firstKept: true,
		},
		{
			name: "destroyed by its callback",
			in:   func(*SocketConnection) { mainloop.CurrentSource().Destroy() },
			second: func(t *testing.T, l *testLoop, a, b *SocketConnection) (*mainloop.Source, int) {
				return waitedRead(t, l, a, b, mainloop.PriorityDefault, nil, nil)
			},
			prio: mainloop.PriorityDefault,
		},
		{
			name: "another context",
			second: func(t *testing.T, _ *testLoop, a, b *SocketConnection) (*mainloop.Source, int) {
				other := &testLoop{t: t, ctx: mainloop.NewContext()}
				other.ctx.PushThreadDefault()
				defer other.ctx.PopThreadDefault()
				src, prio := waitedReadOn(t, other, a, b)
				if src.MainContext() != other.ctx {
					t.Errorf("the read on another context ran from a source of %p", src.MainContext())
				}
				return src, prio
			},
			prio: mainloop.PriorityDefault,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newTestLoop(t)
			a, b := socketPair(t)
			var in func()
			if tc.in != nil {
				in = func() { tc.in(a) }
			}
			first, _ := waitedRead(t, l, a, b, mainloop.PriorityDefault, nil, in)
			second, prio := tc.second(t, l, a, b)
			if (second == first) != tc.same {
				t.Errorf("second read from the first's source: %v, want %v", second == first, tc.same)
			}
			if prio != tc.prio {
				t.Errorf("second read's source priority %d, want %d", prio, tc.prio)
			}
			if kept := !first.IsDestroyed(); kept != tc.firstKept {
				t.Errorf("first source kept: %v, want %v", kept, tc.firstKept)
			}
		})
	}
}

// waitedReadOn is waitedRead on a context with no looptest loop: it
// iterates other itself.
func waitedReadOn(t *testing.T, other *testLoop, a, b *SocketConnection) (*mainloop.Source, int) {
	t.Helper()
	r := startRead(a)
	if _, err := b.OutputStream().WriteAll([]byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(testTimeout)
	for !r.done && time.Now().Before(deadline) {
		other.ctx.Iteration(true)
	}
	if r.src == nil {
		t.Fatal("the read on the other context did not complete from a source")
	}
	return r.src, r.src.Priority()
}

// startedRead is a ReadAsync on a socket connection: whether its callback
// ran, and the source it ran from.
type startedRead struct {
	src  *mainloop.Source
	done bool
}

// startRead starts a ReadAsync of up to 8 bytes on a.
func startRead(a *SocketConnection) *startedRead {
	r := &startedRead{}
	a.InputStream().ReadAsync(make([]byte, 8), mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
		r.src = mainloop.CurrentSource()
		_, _ = a.InputStream().ReadFinish(res)
		r.done = true
	})
	return r
}

// Close destroys the socket's parked sources, with no critical (a parked
// source has no callback to run).
func TestWaitSourceClose(t *testing.T) {
	l := newTestLoop(t)
	a, b := socketPair(t)
	first, _ := waitedRead(t, l, a, b, mainloop.PriorityDefault, nil, nil)
	capture := logging.StartCapture()
	defer capture.Stop()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		l.ctx.Iteration(false)
	}
	if !first.IsDestroyed() {
		t.Error("Close left the parked wait source attached")
	}
	if recs := capture.Records(); len(recs) != 0 {
		t.Errorf("Close of a socket with a parked source logged %v", recs)
	}
}

// A socket dropped without Close is still collected although its parked
// source stays attached to the context, and its cleanup destroys that
// source and closes the descriptor.
func TestWaitSourceCollected(t *testing.T) {
	l := newTestLoop(t)
	before := leakcheck.OpenFDs(t)
	var b *SocketConnection
	src, watch := func() (*mainloop.Source, *leakcheck.Collectable) {
		var a *SocketConnection
		a, b = unownedSocketPair(t)
		src, _ := waitedRead(t, l, a, b, mainloop.PriorityDefault, nil, nil)
		return src, leakcheck.Watch(a.Socket())
	}()
	defer b.Close()
	if !watch.Collected() {
		t.Fatal("a socket with a parked wait source was not collected")
	}
	deadline := time.Now().Add(testTimeout)
	for !src.IsDestroyed() && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if !src.IsDestroyed() {
		t.Error("the collected socket's parked source stayed attached")
	}
	for leakcheck.OpenFDs(t) > before+1 && time.Now().Before(deadline) { // +1: b
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if n := leakcheck.OpenFDs(t); n > before+1 {
		t.Errorf("%d descriptors open, want at most %d", n, before+1)
	}
}

// With results reused, a read that has to wait allocates nothing: its
// source is the parked one, re-armed (a new source per wait was three
// allocations: the Source, the socket's state of it and its fd watch).
func TestWaitSourceAllocs(t *testing.T) {
	if racedetect.Enabled {
		t.Skip("the race detector allocates")
	}
	l, a, in := reusingReader(t)
	buf := make([]byte, 8)
	msg := []byte("m")
	done := false
	onRead := func(_ any, res asyncresult.AsyncResult) {
		if _, err := in.ReadFinish(res); err != nil {
			t.Error(err)
		}
		done = true
	}
	waits := 0
	read := func() {
		done = false
		in.ReadAsync(buf, mainloop.PriorityDefault, nil, onRead)
		if l.ctx.Iteration(false); done {
			return // its first try found the byte: no wait
		}
		waits++
		if _, err := a.Socket().Send(msg, nil); err != nil {
			t.Fatal(err)
		}
		for !done { // not l.until, whose timeout sources allocate
			l.ctx.Iteration(true)
		}
	}
	for range 20 {
		read()
	}
	waits = 0
	if n := testing.AllocsPerRun(100, read); n > 0 {
		t.Errorf("%.2f allocations per waited read, want 0", n)
	}
	if waits < 100 {
		t.Errorf("%d of 101 reads waited, want all", waits)
	}
}

// A read that re-armed the parked source completes exactly once when the
// socket is closed meanwhile from another goroutine: with CLOSED, or with
// the byte if it got there first.
func TestWaitSourceRearmedThenClosed(t *testing.T) {
	l := newTestLoop(t)
	for round := range 100 {
		a, b := socketPair(t)
		waitedRead(t, l, a, b, mainloop.PriorityDefault, nil, nil) // parks the source
		calls := 0
		var got error
		a.InputStream().ReadAsync(make([]byte, 8), mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
			calls++
			_, got = a.InputStream().ReadFinish(res)
		})
		closed := make(chan struct{})
		go func() {
			if round%2 == 0 {
				_, _ = b.OutputStream().WriteAll([]byte("x"), nil)
			}
			_ = a.Socket().Close()
			close(closed)
		}()
		l.until(func() bool { return calls > 0 })
		<-closed
		for range 3 {
			l.ctx.Iteration(false)
		}
		if calls != 1 {
			t.Fatalf("round %d: callback ran %d times, want once", round, calls)
		}
		if got != nil {
			wantIOErr(t, got, ioerr.Closed, "")
		}
	}
}

// Reads started from a goroutine other than the loop's (each one after the
// one before completed, on the default context that another goroutine
// iterates), with the peer writing and a Close at a varying point: each
// read completes exactly once. The re-arm races with the loop's dispatch
// here, which tests started on the loop's goroutine never see.
func TestWaitSourceForeignReads(t *testing.T) {
	ctx := mainloop.Default()
	stop := make(chan struct{})
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		for {
			select {
			case <-stop:
				return
			default:
				ctx.Iteration(false)
			}
		}
	}()
	defer func() { close(stop); <-loopDone }()
	for round := range 50 {
		a, b := socketPair(t)
		var mu sync.Mutex
		calls := []int{}
		next := make(chan bool, 1) // a read completed; true: without error
		start := func() {
			mu.Lock()
			id := len(calls)
			calls = append(calls, 0)
			mu.Unlock()
			a.InputStream().ReadAsync(make([]byte, 1), mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
				_, err := a.InputStream().ReadFinish(res)
				mu.Lock()
				calls[id]++
				mu.Unlock()
				next <- err == nil
			})
		}
		writer := make(chan struct{})
		go func() {
			defer close(writer)
			for range 20 {
				_, _ = b.Socket().Send([]byte("x"), nil)
				time.Sleep(20 * time.Microsecond)
			}
			time.Sleep(time.Duration(round%5) * 100 * time.Microsecond)
			_ = a.Socket().Close()
		}()
		start()
		for ok := true; ok; {
			select {
			case ok = <-next:
			case <-time.After(testTimeout):
				t.Fatalf("round %d: a read did not complete", round)
			}
			if ok {
				start()
			}
		}
		<-writer
		time.Sleep(time.Millisecond)
		mu.Lock()
		for id, n := range calls {
			if n != 1 {
				t.Errorf("round %d: read %d completed %d times", round, id, n)
			}
		}
		mu.Unlock()
	}
}
