package gio

import (
	"runtime"
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
	l := newTestLoop(b)
	ca, cb := socketPair(b)
	ends := [2]*SocketConnection{ca, cb}
	bufs := [2][]byte{make([]byte, 64), make([]byte, 64)}
	if _, err := ca.Socket().Send(make([]byte, 64), nil); err != nil {
		b.Fatal(err)
	}
	steps, target := 0, 0
	var onRead, onWritten [2]asyncresult.ReadyCallback
	for i := range 2 {
		in, out := ends[i].InputStream(), ends[i].OutputStream()
		other := ends[1-i].InputStream()
		onWritten[i] = func(_ any, res asyncresult.AsyncResult) {
			if _, err := out.WriteAllFinish(res); err != nil {
				b.Fatal(err)
			}
			if steps++; steps < target {
				other.ReadAsync(bufs[1-i], mainloop.PriorityDefault, nil, onRead[1-i])
			}
		}
		onRead[i] = func(_ any, res asyncresult.AsyncResult) {
			if n, err := in.ReadFinish(res); err != nil || n != 64 {
				b.Fatalf("read %d, %v", n, err)
			}
			out.WriteAllAsync(bufs[i], mainloop.PriorityDefault, nil, onWritten[i])
		}
	}
	const chunk = 1000 // even: the message ends where it started, at cb
	fds := [2]int{ca.Socket().FD(), cb.Socket().FD()}
	var async, direct, asyncUser, asyncSys, directUser, directSys time.Duration
	for b.Loop() {
		u0, s0 := threadRusage()
		t0 := threadCPUTime()
		steps, target = 0, chunk
		cb.InputStream().ReadAsync(bufs[1], mainloop.PriorityDefault, nil, onRead[1])
		for steps < target {
			l.ctx.Iteration(true)
		}
		t1 := threadCPUTime()
		u1, s1 := threadRusage()
		for k := range chunk {
			fd := fds[1-k%2] // cb first, as above
			if _, err := unix.Read(fd, bufs[0]); err != nil {
				b.Fatal(err)
			}
			if _, err := unix.Write(fd, bufs[0]); err != nil {
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
