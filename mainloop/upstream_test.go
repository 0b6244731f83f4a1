package mainloop

import (
	"math"
	"os"
	"runtime"
	"testing"
	"time"
	"weak"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/logging"
)

// TestUnrefWhilePending_ML19 is /mainloop/unref-while-pending: a context
// dropped while a source is prepared and checked but not dispatched does
// not leak the source. sigloop has no context unref: once neither the
// context nor the source is reachable, both are garbage collected (the
// Finalize function, which GLib's unref runs, does not run: see the
// package's Differences from GLib).
func TestUnrefWhilePending_ML19(t *testing.T) {
	wc, ws := func() (weak.Pointer[Context], weak.Pointer[Source]) {
		c := NewContext()
		s := NewSource(SourceFuncs{Prepare: func(*Source) (bool, time.Duration) { return true, 0 }})
		s.Attach(c)
		if !c.Pending() { // prepare and check, no dispatch
			t.Fatal("source not pending")
		}
		return weak.Make(c), weak.Make(s)
	}()
	for i := 0; i < 20 && (wc.Value() != nil || ws.Value() != nil); i++ {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if wc.Value() != nil || ws.Value() != nil {
		t.Fatalf("leaked: context %v, source %v", wc.Value() != nil, ws.Value() != nil)
	}
}

// TestPrepareTimeout_ML15 is /mainloop/prepare-timeout: a 0 ms timeout at
// priority 666 is ready before any poll (sigloop has no public prepare:
// Pending, which runs prepare and check, reports it, and a blocking
// iteration returns at once with it dispatched).
func TestPrepareTimeout_ML15(t *testing.T) {
	c := NewContext()
	s := NewTimeoutSource(0)
	s.SetPriority(666)
	n := 0
	s.SetCallback(func() bool { n++; return SourceRemove })
	s.Attach(c)
	if !c.Pending() || s.Priority() != 666 {
		t.Fatal("a 0 ms timeout is not pending")
	}
	start := time.Now()
	if !c.Iteration(true) || n != 1 || time.Since(start) > time.Second {
		t.Fatalf("dispatched %d after %v", n, time.Since(start))
	}
}

// TestNullDefaultContext_ML17 is /mainloop/null-default-context (#3818):
// a nil *Context is the global default for Acquire, Pending, Iteration and
// Release (GLib's prepare/query/check/dispatch are one Iteration here).
func TestNullDefaultContext_ML17(t *testing.T) {
	var c *Context
	if !c.Acquire() {
		t.Fatal("Acquire(NULL) failed")
	}
	if !Default().IsOwner() {
		t.Fatal("Acquire(NULL) did not acquire the global default")
	}
	if c.Pending() || c.Iteration(false) {
		t.Fatal("an empty default context has work")
	}
	c.Release()
	if Default().IsOwner() {
		t.Fatal("Release(NULL) did not release the global default")
	}
}

// TestUnixFDSource_ML2 is /mainloop/unix-fd-source: an fd source without a
// callback is destroyed with GLib's warning; of two ready fd sources only
// the one of better priority runs, both when they are equal.
func TestUnixFDSource_ML2(t *testing.T) {
	c := NewContext()
	r, w := pipe(t)
	s := NewFDSource(w, IOOut, nil)
	s.Attach(c)
	cap := logging.StartCapture()
	drain(c)
	cap.Stop()
	if cap.Count("warning", "GUnixFDSource dispatched without callback") != 1 || !s.IsDestroyed() {
		t.Fatalf("no-callback source: destroyed %v, records %v", s.IsDestroyed(), cap.Records())
	}

	var in, out bool
	outS := NewFDSource(w, IOOut, func(int, IOCondition) bool { out = true; return SourceContinue })
	outS.Attach(c)
	defer outS.Destroy()
	inS := NewFDSource(r, IOIn, func(int, IOCondition) bool { in = true; return SourceContinue })
	inS.SetPriority(PriorityDefaultIdle)
	inS.Attach(c)
	defer inS.Destroy()
	unix.Write(w, []byte("x"))
	cases := []struct {
		name    string
		inPrio  int
		in, out bool
	}{
		{"out has the better priority", PriorityDefaultIdle, false, true},
		{"in has the better priority", PriorityHigh, true, false},
		{"equal priorities", PriorityDefault, true, true},
	}
	for _, tc := range cases {
		in, out = false, false
		inS.SetPriority(tc.inPrio)
		c.Iteration(false)
		if in != tc.in || out != tc.out {
			t.Errorf("%s: in %v out %v, want %v %v", tc.name, in, out, tc.in, tc.out)
		}
	}
}

// TestUnixFilePoll_ML3 is /mainloop/unix-file-poll: a loop whose only
// source watches /dev/null for input does not block.
func TestUnixFilePoll_ML3(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := NewContext()
	l := New(c)
	s := NewFDSource(int(f.Fd()), IOIn, func(int, IOCondition) bool { l.Quit(); return SourceRemove })
	s.Attach(c)
	done := make(chan struct{})
	go func() { l.Run(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		l.Quit()
		<-done
		t.Fatal("Run blocked on /dev/null")
	}
	s.Destroy()
	if c.Pending() {
		t.Fatal("context still has work")
	}
}

// TestSourceUnixFDAPIPriority_ML2 is /mainloop/source-unix-fd-api's
// dispatch assertions: a source with two fds, a higher-priority source that
// gains fds while attached wins while its fds are ready, loses to the
// other once its events are reversed to ones that do not occur, and
// removing its fds leaves it idle.
func TestSourceUnixFDAPIPriority_ML2(t *testing.T) {
	c := NewContext()
	ra, wa := pipe(t)
	rb, wb := pipe(t)
	var a, b bool
	srcA := NewSource(SourceFuncs{Dispatch: func(*Source, SourceFunc) bool { a = true; return SourceContinue }})
	srcB := NewSource(SourceFuncs{Dispatch: func(*Source, SourceFunc) bool { b = true; return SourceContinue }})
	srcA.AddUnixFD(ra, IOIn)
	srcA.AddUnixFD(wa, IOOut) // a pipe's write end is writable: a is ready
	srcA.Attach(c)
	srcB.SetPriority(PriorityHigh)
	srcB.Attach(c)
	step := func(name string, wantA, wantB bool) {
		t.Helper()
		a, b = false, false
		c.Iteration(false)
		if a != wantA || b != wantB {
			t.Errorf("%s: a %v b %v, want %v %v", name, a, b, wantA, wantB)
		}
	}
	step("b has no fds", true, false)
	tag1 := srcB.AddUnixFD(rb, IOIn)
	tag2 := srcB.AddUnixFD(wb, IOOut)
	step("b's write end is ready", false, true)
	srcB.ModifyUnixFD(tag1, IOIn)
	srcB.ModifyUnixFD(tag2, IOOut)
	step("same events again", false, true)
	srcB.ModifyUnixFD(tag1, IOOut) // a read end is never writable
	srcB.ModifyUnixFD(tag2, IOIn)  // nothing to read
	step("reversed events", true, false)
	srcB.RemoveUnixFD(tag1)
	srcB.RemoveUnixFD(tag2)
	step("b's fds removed", true, false)
	srcA.Destroy()
	srcB.Destroy()
	if c.Pending() {
		t.Fatal("work left after destroying both")
	}
}

// TestInvokeFromWorker_ML18: a goroutine that owns and pushed nothing runs
// an Invoke on Default() right there while Default() is free, but queues
// one on another context, and Post always queues.
func TestInvokeFromWorker_ML18(t *testing.T) {
	other := NewContext()
	done := make(chan [3]bool)
	go func() {
		var r [3]bool
		Default().Invoke(func() { r[0] = true })
		other.Invoke(func() { r[1] = true })
		Default().Post(PriorityDefault, func() { r[2] = true })
		done <- r
	}()
	r := <-done
	drain(other)
	drain(Default())
	if !r[0] || r[1] || r[2] {
		t.Fatalf("ran inside the call: Invoke(Default) %v, Invoke(other) %v, Post %v; want true false false", r[0], r[1], r[2])
	}
}

// TestTimeoutsNS_ML15 is /mainloop/timeouts_ns (1 s):
// timeouts of 1<<i ns (i < 30) and one of the largest duration; each short
// one fires at least once, no more often than the time allowed, and at
// least as often as the next longer one.
func TestTimeoutsNS_ML15(t *testing.T) {
	const testDuration = time.Second
	c := NewContext()
	l := New(c)
	var counters [31]int
	for i := range counters {
		d := time.Duration(1) << i
		if i == len(counters)-1 {
			d = math.MaxInt64
		}
		s := NewTimeoutSource(d)
		s.SetCallback(func() bool { counters[i]++; return SourceContinue })
		s.Attach(c)
		defer s.Destroy()
	}
	start := time.Now()
	runFor(l, testDuration)
	// The time allowed is the time the loop ran: on a loaded machine the
	// quitting timeout itself dispatches late, and the short timeouts
	// keep firing until it does.
	ran := time.Since(start)
	for i := 0; i < len(counters)-1; i++ {
		limit := int(ran>>i) + 1
		if counters[i] <= 0 || counters[i] > limit || counters[i] < counters[i+1] {
			t.Errorf("%v timeout fired %d times (limit %d, next %d)", time.Duration(1)<<i, counters[i], limit, counters[i+1])
		}
	}
}
