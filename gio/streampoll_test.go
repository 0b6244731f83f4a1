package gio

import (
	"fmt"
	"runtime"
	"testing"
	"unsafe"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/mainloop"
)

// pollCase is one async operation of a socket stream, on the pollable path,
// with a way to make it ready and to check its result.
type pollCase struct {
	name string
	// start begins the operation on a (the peer is b).
	start func(a *SocketConnection, c *cancellable.Cancellable, cb asyncresult.ReadyCallback)
	// finish returns the byte count and error of the result.
	finish func(a *SocketConnection, res asyncresult.AsyncResult) (int, error)
	// ready makes a waiting operation able to complete (nil: it never waits
	// on a fresh connection).
	ready func(t *testing.T, b *SocketConnection)
	want  int
}

func pollCases() []pollCase {
	writeX := func(t *testing.T, b *SocketConnection) {
		t.Helper()
		if _, err := b.OutputStream().WriteAll([]byte("xyz"), nil); err != nil {
			t.Fatal(err)
		}
	}
	// Same shape row after row: kept as one row per async call, since each
	// row names the call and its Finish, which is what the case tests.
	return []pollCase{
		{
			name: "ReadAsync",
			start: func(a *SocketConnection, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
				a.InputStream().ReadAsync(make([]byte, 8), mainloop.PriorityDefault, c, cb)
			},
			finish: func(a *SocketConnection, res asyncresult.AsyncResult) (int, error) {
				return a.InputStream().ReadFinish(res)
			},
			ready: writeX, want: 3,
		},
		{
			name: "ReadAllAsync",
			start: func(a *SocketConnection, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
				a.InputStream().ReadAllAsync(make([]byte, 3), mainloop.PriorityDefault, c, cb)
			},
			finish: func(a *SocketConnection, res asyncresult.AsyncResult) (int, error) {
				return a.InputStream().ReadAllFinish(res)
			},
			ready: writeX, want: 3,
		},
		{
			name: "ReadBytesAsync",
			start: func(a *SocketConnection, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
				a.InputStream().ReadBytesAsync(8, mainloop.PriorityDefault, c, cb)
			},
			finish: func(a *SocketConnection, res asyncresult.AsyncResult) (int, error) {
				b, err := a.InputStream().ReadBytesFinish(res)
				if err == nil && string(b) != "xyz" {
					return 0, fmt.Errorf("ReadBytesFinish = %q, want \"xyz\"", b)
				}
				return len(b), err
			},
			ready: writeX, want: 3,
		},
		{
			name: "WriteAsync",
			start: func(a *SocketConnection, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
				a.OutputStream().WriteAsync([]byte("abcd"), mainloop.PriorityDefault, c, cb)
			},
			finish: func(a *SocketConnection, res asyncresult.AsyncResult) (int, error) {
				return a.OutputStream().WriteFinish(res)
			},
			want: 4,
		},
		{
			name: "WriteAllAsync",
			start: func(a *SocketConnection, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
				a.OutputStream().WriteAllAsync([]byte("abcd"), mainloop.PriorityDefault, c, cb)
			},
			finish: func(a *SocketConnection, res asyncresult.AsyncResult) (int, error) {
				return a.OutputStream().WriteAllFinish(res)
			},
			want: 4,
		},
		{
			name: "WritevAsync",
			start: func(a *SocketConnection, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
				a.OutputStream().WritevAsync([][]byte{[]byte("ab"), []byte("cd")}, mainloop.PriorityDefault, c, cb)
			},
			finish: func(a *SocketConnection, res asyncresult.AsyncResult) (int, error) {
				return a.OutputStream().WritevFinish(res)
			},
			want: 4,
		},
		{
			name: "WritevAllAsync",
			start: func(a *SocketConnection, c *cancellable.Cancellable, cb asyncresult.ReadyCallback) {
				a.OutputStream().WritevAllAsync([][]byte{[]byte("ab"), nil, []byte("cd")}, mainloop.PriorityDefault, c, cb)
			},
			finish: func(a *SocketConnection, res asyncresult.AsyncResult) (int, error) {
				return a.OutputStream().WritevAllFinish(res)
			},
			want: 4,
		},
	}
}

// On the pollable path an operation that completes at its first attempt is
// still delivered later, never inside the XxxAsync call, and one that has to
// wait is delivered once, on the caller's context, after the stream becomes
// ready (TASK-3, SOCK-11).
func TestPollableDelivery_TASK3(t *testing.T) {
	for _, tc := range pollCases() {
		t.Run(tc.name, func(t *testing.T) {
			l := newTestLoop(t)
			a, b := socketPair(t)
			if tc.ready != nil {
				// Waiting: nothing arrives while the stream is not ready.
				var r result
				tc.start(a, nil, r.cb)
				for range 5 {
					l.ctx.Iteration(false)
				}
				if r.done {
					t.Fatal("completed before the stream was ready")
				}
				tc.ready(t, b)
				n, err := tc.finish(a, r.wait(l))
				if err != nil || n != tc.want {
					t.Fatalf("waiting: %d, %v; want %d", n, err, tc.want)
				}
				r.wantOnce(l, 3)
				tc.ready(t, b) // ready again for the immediate case
			}
			var r result
			tc.start(a, nil, r.cb)
			if r.done {
				t.Fatal("callback ran inside the XxxAsync call")
			}
			n, err := tc.finish(a, r.wait(l))
			if err != nil || n != tc.want {
				t.Fatalf("immediate: %d, %v; want %d", n, err, tc.want)
			}
			r.wantOnce(l, 3)
		})
	}
}

// Cancelling a waiting read on the pollable path delivers CANCELLED later,
// on the caller's context, never inside Cancel, exactly once (CAN-11). A
// ReadAll keeps the count of what it read before the cancel.
func TestPollableCancel_CAN11(t *testing.T) {
	for _, tc := range pollCases() {
		if tc.ready == nil {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			l := newTestLoop(t)
			a, _ := socketPair(t)
			c := cancellable.New()
			var r result
			tc.start(a, c, r.cb)
			l.ctx.Iteration(false)
			c.Cancel()
			if r.done {
				t.Fatal("callback ran inside Cancel")
			}
			_, err := tc.finish(a, r.wait(l))
			wantIOErr(t, err, ioerr.Cancelled, ioerr.CancelledMessage)
			r.wantOnce(l, 3)
			if a.InputStream().HasPending() {
				t.Fatal("still pending after the cancelled operation")
			}
		})
	}
	t.Run("ReadAllAsync partial", func(t *testing.T) {
		l := newTestLoop(t)
		a, b := socketPair(t)
		if _, err := b.OutputStream().WriteAll([]byte("abc"), nil); err != nil {
			t.Fatal(err)
		}
		c := cancellable.New()
		var r result
		buf := make([]byte, 10)
		a.InputStream().ReadAllAsync(buf, mainloop.PriorityDefault, c, r.cb)
		l.ctx.Iteration(false)
		c.Cancel()
		n, err := a.InputStream().ReadAllFinish(r.wait(l))
		wantIOErr(t, err, ioerr.Cancelled, ioerr.CancelledMessage)
		if n != 3 || string(buf[:3]) != "abc" {
			t.Fatalf("ReadAllFinish count %d (%q), want 3 (\"abc\")", n, buf[:n])
		}
	})
}

// Closing the socket under a waiting read completes it once with CLOSED
// (SOCK-7: the socket source dispatches once on a closed socket).
func TestPollableClosedUnderRead_SOCK7(t *testing.T) {
	l := newTestLoop(t)
	a, _ := socketPair(t)
	var r result
	a.InputStream().ReadAsync(make([]byte, 1), mainloop.PriorityDefault, nil, r.cb)
	l.ctx.Iteration(false)
	if err := a.Socket().Close(); err != nil {
		t.Fatal(err)
	}
	_, err := a.InputStream().ReadFinish(r.wait(l))
	wantIOErr(t, err, ioerr.Closed, "")
	r.wantOnce(l, 3)
}

// A waiting operation's source has the task's priority: as in GLib, a read
// at PriorityLow does not complete while a source of higher priority stays
// ready (TASK-10).
func TestPollablePriority_TASK10(t *testing.T) {
	l := newTestLoop(t)
	a, b := socketPair(t)
	var r result
	a.InputStream().ReadAsync(make([]byte, 1), mainloop.PriorityLow, nil, r.cb)
	l.ctx.Iteration(false)
	if _, err := b.OutputStream().WriteAll([]byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	busy := 5
	idleAtCallback := -1
	idle := mainloop.NewIdleSource()
	idle.SetPriority(mainloop.PriorityDefault)
	idle.SetCallback(func() bool {
		busy--
		return busy > 0
	})
	idle.Attach(l.ctx)
	r2 := &r
	l.until(func() bool {
		if r2.done && idleAtCallback < 0 {
			idleAtCallback = busy
		}
		return r2.done
	})
	if idleAtCallback != 0 {
		t.Fatalf("low-priority read completed with the default-priority idle still busy (%d left)", idleAtCallback)
	}
	if n, err := a.InputStream().ReadFinish(r.res); n != 1 || err != nil {
		t.Fatalf("ReadFinish = %d, %v", n, err)
	}
}

// Waiting operations on the pollable path need no goroutine each: a hundred
// pending reads leave the goroutine count about where it was.
func TestPollableNoGoroutinePerOperation(t *testing.T) {
	const n = 100
	p := newPendingReads(t, n)
	before := runtime.NumGoroutine()
	p.start()
	p.l.ctx.Iteration(false)
	if grown := runtime.NumGoroutine() - before; grown > n/4 {
		t.Fatalf("%d goroutines more for %d pending reads", grown, n)
	}
	p.complete(t)
}

// pendingReads is n socket pairs with a one-byte ReadAsync on the a side
// of each, for the tests of what pending reads hold while they wait.
type pendingReads struct {
	l       *testLoop
	pairs   [][2]*SocketConnection
	results []result
}

// newPendingReads makes the loop and the pairs; start starts the reads.
func newPendingReads(t *testing.T, n int) *pendingReads {
	p := &pendingReads{l: newTestLoop(t), pairs: make([][2]*SocketConnection, n), results: make([]result, n)}
	for i := range p.pairs {
		a, b := socketPair(t)
		p.pairs[i] = [2]*SocketConnection{a, b}
	}
	return p
}

func (p *pendingReads) start() {
	for i := range p.pairs {
		p.pairs[i][0].InputStream().ReadAsync(make([]byte, 1), mainloop.PriorityDefault, nil, p.results[i].cb)
	}
}

// complete writes a byte to each pair and checks that every read gets it.
func (p *pendingReads) complete(t *testing.T) {
	t.Helper()
	for i := range p.pairs {
		if _, err := p.pairs[i][1].OutputStream().Write([]byte("x"), nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := range p.results {
		if got, err := p.pairs[i][0].InputStream().ReadFinish(p.results[i].wait(p.l)); got != 1 || err != nil {
			t.Fatalf("read %d: %d, %v", i, got, err)
		}
	}
}

// A WriteAll or WritevAll larger than the socket buffers waits for the
// peer on the pollable path and still writes every byte, in order; the
// vectors given are left as they were (SOCK-11).
func TestPollableWriteAllWaits_SOCK11(t *testing.T) {
	data := make([]byte, 8<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	cases := []struct {
		name  string
		start func(out *OutputStream, cb asyncresult.ReadyCallback) (check func())
		fin   func(out *OutputStream, res asyncresult.AsyncResult) (int, error)
	}{
		{"WriteAllAsync",
			func(out *OutputStream, cb asyncresult.ReadyCallback) func() {
				out.WriteAllAsync(data, mainloop.PriorityDefault, nil, cb)
				return func() {}
			},
			(*OutputStream).WriteAllFinish},
		{"WritevAllAsync",
			func(out *OutputStream, cb asyncresult.ReadyCallback) func() {
				bufs := [][]byte{data[:3], data[3 : 5<<20], nil, data[5<<20:]}
				out.WritevAllAsync(bufs, mainloop.PriorityDefault, nil, cb)
				return func() {
					if len(bufs[0]) != 3 || len(bufs[1]) != 5<<20-3 || len(bufs[3]) != 3<<20 {
						t.Error("WritevAllAsync changed the vectors it was given")
					}
				}
			},
			(*OutputStream).WritevAllFinish},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newTestLoop(t)
			a, b := socketPair(t)
			got := make([]byte, len(data))
			read := make(chan error, 1)
			go func() {
				_, err := b.InputStream().ReadAll(got, nil)
				read <- err
			}()
			var r result
			check := tc.start(a.OutputStream(), r.cb)
			n, err := tc.fin(a.OutputStream(), r.wait(l))
			if err != nil || n != len(data) {
				t.Fatalf("finish = %d, %v; want %d", n, err, len(data))
			}
			if err := <-read; err != nil {
				t.Fatal(err)
			}
			if string(got) != string(data) {
				t.Fatal("the peer read different bytes")
			}
			check()
		})
	}
}

// Cancelling a WritevAll that waits for the peer gives CANCELLED with the
// count of what was written before (CAN-11, SOCK-11).
func TestPollableWritevAllCancel_CAN11(t *testing.T) {
	l := newTestLoop(t)
	a, _ := socketPair(t)
	data := make([]byte, 8<<20)
	c := cancellable.New()
	var r result
	a.OutputStream().WritevAllAsync([][]byte{data[:1<<20], data[1<<20:]}, mainloop.PriorityDefault, c, r.cb)
	l.ctx.Iteration(false)
	c.Cancel()
	if r.done {
		t.Fatal("callback ran inside Cancel")
	}
	n, err := a.OutputStream().WritevAllFinish(r.wait(l))
	wantIOErr(t, err, ioerr.Cancelled, ioerr.CancelledMessage)
	if n <= 0 || n >= len(data) {
		t.Fatalf("count %d, want what fitted in the socket buffers (0 < n < %d)", n, len(data))
	}
	if r.calls != 1 {
		t.Fatalf("callback ran %d times", r.calls)
	}
}

// TestPollOpSize pins the size of the one generic pollable op, with its
// result (it is allocated per async read or write): 192 bytes on 64-bit
// platforms, where the op was 64 and its Task 472 before the result was
// embedded.
func TestPollOpSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("sizes are pinned for 64-bit platforms")
	}
	for name, size := range map[string]uintptr{
		"pollOp[int]":         unsafe.Sizeof(pollOp[int]{}),
		"pollOp[countResult]": unsafe.Sizeof(pollOp[countResult]{}),
		"pollOp[[]byte]":      unsafe.Sizeof(pollOp[[]byte]{}),
	} {
		if size > 192 {
			t.Errorf("%s is %d bytes, want at most 192", name, size)
		}
	}
}

// After an async read of a socket that had to wait, the next readSkipRun
// reads wait for readability first instead of making the read that would
// fail with EAGAIN: their bytes stay in the socket until the loop runs
// (where a first try would have taken them inside ReadAsync), and each is
// still delivered once, in a later iteration, with the right bytes. Then
// one read tries first again.
func TestReadWaitsFirstAfterBlocking(t *testing.T) {
	l := newTestLoop(t)
	client, server := connPair(t, "unix")
	in, out := server.InputStream(), client.OutputStream()
	sock := server.Socket()
	read := func(want string, waitedFirst bool) {
		t.Helper()
		var r result
		buf := make([]byte, 16)
		in.ReadAsync(buf, mainloop.PriorityDefault, nil, r.cb)
		if r.calls != 0 {
			t.Fatal("callback ran inside ReadAsync")
		}
		if left := sock.AvailableBytes(); (left == len(want)) != waitedFirst {
			t.Fatalf("%d bytes left in the socket after ReadAsync; read waited first: want %v", left, waitedFirst)
		}
		n, err := in.ReadFinish(r.wait(l))
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("read %q, %v; want %q", buf[:n], err, want)
		}
		r.wantOnce(l, 2)
	}
	write := func(s string) {
		t.Helper()
		if _, err := out.Write([]byte(s), nil); err != nil {
			t.Fatal(err)
		}
	}
	// Nothing to read yet: the first try would block, and the read waits.
	var r result
	buf := make([]byte, 16)
	in.ReadAsync(buf, mainloop.PriorityDefault, nil, r.cb)
	write("first")
	if n, err := in.ReadFinish(r.wait(l)); err != nil || string(buf[:n]) != "first" {
		t.Fatalf("read %q, %v", buf[:n], err)
	}
	for i := range readSkipRun {
		write(fmt.Sprint("waited-", i))
		read(fmt.Sprint("waited-", i), true)
	}
	write("tried")
	read("tried", false)
}
