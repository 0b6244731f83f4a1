package gio

import (
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/mainloop"
)

// BenchmarkAsyncStepVsDirect is what the pollable async path costs over
// the system calls it makes, with no peer and no wait: a 64-byte message
// goes back and forth between the two ends of a socketpair, each end
// reading it with ReadAsync and writing it back with WriteAllAsync from
// the callbacks, on one loop, every read finding its data. A step is one
// such read and write; the same steps are then made directly, one read(2)
// and one write(2) each, in the same run. It reports the ns of thread CPU
// time per step of both, their difference (overhead-ns/step), and the
// user and system time of each (getrusage, tick-based). It is the
// server's echo without the load generator: what a faster GIO path has to
// take away is overhead-ns/step.
func BenchmarkAsyncStepVsDirect(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	st := newStepper(b)
	const chunk = 1000 // even: the message ends where it started, at cb
	fds := [2]int{st.ends[0].Socket().FD(), st.ends[1].Socket().FD()}
	buf := make([]byte, 64)
	var async, direct, asyncUser, asyncSys, directUser, directSys time.Duration
	for b.Loop() {
		u0, s0 := threadRusage()
		t0 := threadCPUTime()
		st.run(chunk)
		t1 := threadCPUTime()
		u1, s1 := threadRusage()
		for k := range chunk {
			fd := fds[1-k%2] // cb first, as above
			if _, err := unix.Read(fd, buf); err != nil {
				b.Fatal(err)
			}
			if _, err := unix.Write(fd, buf); err != nil {
				b.Fatal(err)
			}
		}
		t2 := threadCPUTime()
		u2, s2 := threadRusage()
		async += t1 - t0
		direct += t2 - t1
		asyncUser, asyncSys = asyncUser+u1-u0, asyncSys+s1-s0
		directUser, directSys = directUser+u2-u1, directSys+s2-s1
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N*chunk) }
	b.ReportMetric(per(async), "async-ns/step")
	b.ReportMetric(per(direct), "direct-ns/step")
	b.ReportMetric(per(async-direct), "overhead-ns/step")
	b.ReportMetric(per(asyncUser), "async-user-ns/step")
	b.ReportMetric(per(asyncSys), "async-sys-ns/step")
	b.ReportMetric(per(directUser), "direct-user-ns/step")
	b.ReportMetric(per(directSys), "direct-sys-ns/step")
}

// TestInstrAsyncSteps makes SIGLOOP_INSTR_STEPS steps of
// BenchmarkAsyncStepVsDirect's async half, after 20,000 unmeasured ones,
// and nothing else. It is what bench/instr.sh runs under callgrind, twice
// with different counts: the difference of the two instruction counts
// over the difference of the steps is the instructions a step costs, the
// same from run to run within about 1%, where the CPU time of a step
// varies by 20% here. The warm-up fills the runtime's type-assertion
// caches, which it fills on 1 in 1,024 misses. Without the variable the
// test is skipped.
func TestInstrAsyncSteps(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SIGLOOP_INSTR_STEPS"))
	if n <= 0 {
		t.Skip("SIGLOOP_INSTR_STEPS is not set: bench/instr.sh sets it")
	}
	st := newStepper(t)
	st.run(20000)
	st.run(n)
}

// stepper is the ping-pong of BenchmarkAsyncStepVsDirect: the two ends of
// a socketpair with a 64-byte message between them, each end reading it
// with ReadAsync and writing it back with WriteAllAsync from the
// callbacks, on one loop.
type stepper struct {
	tb             testing.TB
	l              *testLoop
	ends           [2]*SocketConnection
	bufs           [2][]byte
	steps, target  int
	onRead, onDone [2]asyncresult.ReadyCallback
}

func newStepper(tb testing.TB) *stepper {
	tb.Helper()
	st := &stepper{tb: tb, l: newTestLoop(tb)}
	ca, cb := socketPair(tb)
	st.ends = [2]*SocketConnection{ca, cb}
	st.bufs = [2][]byte{make([]byte, 64), make([]byte, 64)}
	if _, err := ca.Socket().Send(make([]byte, 64), nil); err != nil {
		tb.Fatal(err)
	}
	for i := range 2 {
		in, out := st.ends[i].InputStream(), st.ends[i].OutputStream()
		other := st.ends[1-i].InputStream()
		st.onDone[i] = func(_ any, res asyncresult.AsyncResult) {
			if _, err := out.WriteAllFinish(res); err != nil {
				tb.Fatal(err)
			}
			if st.steps++; st.steps < st.target {
				other.ReadAsync(st.bufs[1-i], mainloop.PriorityDefault, nil, st.onRead[1-i])
			}
		}
		st.onRead[i] = func(_ any, res asyncresult.AsyncResult) {
			if n, err := in.ReadFinish(res); err != nil || n != 64 {
				tb.Fatalf("read %d, %v", n, err)
			}
			out.WriteAllAsync(st.bufs[i], mainloop.PriorityDefault, nil, st.onDone[i])
		}
	}
	return st
}

// run makes k steps (k even leaves the message where it started, at the
// second end).
func (st *stepper) run(k int) {
	st.steps, st.target = 0, k
	st.ends[1].InputStream().ReadAsync(st.bufs[1], mainloop.PriorityDefault, nil, st.onRead[1])
	for st.steps < st.target {
		st.l.ctx.Iteration(true)
	}
}

// threadCPUTime is the calling thread's CPU time.
func threadCPUTime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		panic(err)
	}
	return time.Duration(ts.Nano())
}

// threadRusage is the calling thread's user and system time.
func threadRusage() (user, sys time.Duration) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}
