package gio

import (
	"bytes"
	"fmt"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/mainloop"
)

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// Blocking echo through the streams over TCP v4, v6 and Unix (SOCK-11:
// write_all writes everything, read_all fills the buffer).
func TestStreamSyncEcho_SOCK11(t *testing.T) {
	for _, network := range networks {
		t.Run(network, func(t *testing.T) {
			client, server := connPair(t, network)
			want := pattern(256 << 10)
			echoed := make(chan error, 1)
			go func() {
				buf := make([]byte, len(want))
				n, err := server.InputStream().ReadAll(buf, nil)
				if err == nil && n != len(buf) {
					err = fmt.Errorf("server read %d of %d", n, len(buf))
				}
				if err == nil {
					_, err = server.OutputStream().WriteAll(buf, nil)
				}
				echoed <- err
			}()
			n, err := client.OutputStream().WriteAll(want, nil)
			if err != nil || n != len(want) {
				t.Fatalf("WriteAll = %d, %v", n, err)
			}
			got := make([]byte, len(want))
			if n, err := client.InputStream().ReadAll(got, nil); err != nil || n != len(got) {
				t.Fatalf("ReadAll = %d, %v", n, err)
			}
			if err := <-echoed; err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatal("echo differs")
			}
		})
	}
}

// The async forms: callbacks on the caller's context, never inside the
// XxxAsync call (TASK-3, TASK-16), with the counts GLib reports (SOCK-11).
func TestStreamAsyncEcho_SOCK11(t *testing.T) {
	for _, network := range networks {
		t.Run(network, func(t *testing.T) {
			l := newTestLoop(t)
			client, server := connPair(t, network)
			want := pattern(100 << 10)
			var w, r result
			client.OutputStream().WriteAllAsync(want, mainloop.PriorityDefault, nil, w.cb)
			got := make([]byte, len(want))
			server.InputStream().ReadAllAsync(got, mainloop.PriorityDefault, nil, r.cb)
			if w.done || r.done {
				t.Fatal("callback ran inside the XxxAsync call")
			}
			if n, err := client.OutputStream().WriteAllFinish(w.wait(l)); err != nil || n != len(want) {
				t.Fatalf("WriteAllFinish = %d, %v", n, err)
			}
			if n, err := server.InputStream().ReadAllFinish(r.wait(l)); err != nil || n != len(want) {
				t.Fatalf("ReadAllFinish = %d, %v", n, err)
			}
			if w.source != client.OutputStream() || r.source != server.InputStream() {
				t.Error("callback source is not the stream")
			}
			if !bytes.Equal(got, want) {
				t.Fatal("data differs")
			}

			// Back the other way with single reads and writes.
			var w2, r2 result
			server.OutputStream().WriteAsync([]byte("pong"), mainloop.PriorityDefault, nil, w2.cb)
			if n, err := server.OutputStream().WriteFinish(w2.wait(l)); err != nil || n != 4 {
				t.Fatalf("WriteFinish = %d, %v", n, err)
			}
			client.InputStream().ReadBytesAsync(10, mainloop.PriorityDefault, nil, r2.cb)
			b, err := client.InputStream().ReadBytesFinish(r2.wait(l))
			if err != nil || string(b) != "pong" {
				t.Fatalf("ReadBytesFinish = %q, %v", b, err)
			}
			if w.calls+r.calls+w2.calls+r2.calls != 4 {
				t.Fatal("a callback ran more than once")
			}
		})
	}
}

// One operation at a time: PENDING "Stream has outstanding operation",
// reported to callbacks later, and cleared before the callback runs
// (SOCK-11).
func TestStreamPending_SOCK11(t *testing.T) {
	l := newTestLoop(t)
	client, server := connPair(t, "tcp4")
	in := client.InputStream()
	var first result
	pendingInCallback := true
	in.ReadAsync(make([]byte, 10), mainloop.PriorityDefault, nil, func(src any, res asyncresult.AsyncResult) {
		pendingInCallback = in.HasPending()
		first.cb(src, res)
	})
	if !in.HasPending() {
		t.Fatal("no pending operation after ReadAsync")
	}
	const msg = "Stream has outstanding operation"
	_, err := in.Read(make([]byte, 1), nil)
	wantIOErr(t, err, ioerr.Pending, msg)
	_, err = in.Skip(1, nil)
	wantIOErr(t, err, ioerr.Pending, msg)
	wantIOErr(t, in.Close(nil), ioerr.Pending, msg)
	wantIOErr(t, in.SetPending(), ioerr.Pending, msg)
	var second result
	in.ReadAsync(make([]byte, 1), mainloop.PriorityDefault, nil, second.cb)
	if second.done {
		t.Fatal("PENDING delivered inside ReadAsync")
	}
	_, err = in.ReadFinish(second.wait(l))
	wantIOErr(t, err, ioerr.Pending, msg)
	if first.done {
		t.Fatal("first read completed without data")
	}
	if _, err := server.OutputStream().Write([]byte("hi"), nil); err != nil {
		t.Fatal(err)
	}
	n, err := in.ReadFinish(first.wait(l))
	if err != nil || n != 2 {
		t.Fatalf("ReadFinish = %d, %v", n, err)
	}
	if pendingInCallback {
		t.Error("stream still pending inside the callback; GLib clears it first")
	}
	// The output stream is independent of the input stream.
	if _, err := client.OutputStream().Write([]byte("x"), nil); err != nil {
		t.Fatal(err)
	}
}

// Every operation on a closed stream is CLOSED "Stream is already closed";
// closing again is fine (SOCK-10, SOCK-11).
func TestStreamClosed_SOCK11(t *testing.T) {
	l := newTestLoop(t)
	client, _ := connPair(t, "tcp4")
	in, out := client.InputStream(), client.OutputStream()
	if err := in.Close(nil); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(nil); err != nil {
		t.Fatal(err)
	}
	if err := in.Close(nil); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if !in.IsClosed() || !out.IsClosed() {
		t.Fatal("IsClosed false after Close")
	}
	const msg = "Stream is already closed"
	ops := []struct {
		name string
		err  func() error
	}{
		{"Read", func() error { _, err := in.Read(make([]byte, 1), nil); return err }},
		{"ReadAll", func() error { _, err := in.ReadAll(make([]byte, 1), nil); return err }},
		{"ReadBytes", func() error { _, err := in.ReadBytes(1, nil); return err }},
		{"Skip", func() error { _, err := in.Skip(1, nil); return err }},
		{"Write", func() error { _, err := out.Write([]byte("x"), nil); return err }},
		{"WriteAll", func() error { _, err := out.WriteAll([]byte("x"), nil); return err }},
		{"Writev", func() error { _, err := out.Writev([][]byte{[]byte("x")}, nil); return err }},
		{"WritevAll", func() error { _, err := out.WritevAll([][]byte{[]byte("x")}, nil); return err }},
		{"Flush", func() error { return out.Flush(nil) }},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) { wantIOErr(t, op.err(), ioerr.Closed, msg) })
	}
	var r, w result
	in.ReadAsync(make([]byte, 1), mainloop.PriorityDefault, nil, r.cb)
	out.WriteAllAsync([]byte("x"), mainloop.PriorityDefault, nil, w.cb)
	_, err := in.ReadFinish(r.wait(l))
	wantIOErr(t, err, ioerr.Closed, msg)
	_, err = out.WriteAllFinish(w.wait(l))
	wantIOErr(t, err, ioerr.Closed, msg)
	// Closing the substreams leaves the socket open (SOCK-10).
	if client.Socket().IsClosed() || client.IsClosed() {
		t.Fatal("closing the substreams closed the connection")
	}
	// An empty read or write returns 0 whatever the state, as in GLib.
	if n, err := in.Read(nil, nil); n != 0 || err != nil {
		t.Fatalf("empty Read on closed stream = %d, %v", n, err)
	}
}

// At end of stream ReadBytes gives an empty, non-nil slice, and a
// half-closed peer still delivers what it sent first (SOCK-8).
func TestHalfClose_SOCK8(t *testing.T) {
	for _, network := range networks {
		t.Run(network, func(t *testing.T) {
			client, server := connPair(t, network)
			if _, err := server.OutputStream().WriteAll([]byte("the rest"), nil); err != nil {
				t.Fatal(err)
			}
			if err := server.Socket().Shutdown(false, true); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 100)
			n, err := client.InputStream().ReadAll(buf, nil)
			if err != nil || string(buf[:n]) != "the rest" {
				t.Fatalf("ReadAll = %q, %v", buf[:n], err)
			}
			b, err := client.InputStream().ReadBytes(10, nil)
			if err != nil || b == nil || len(b) != 0 {
				t.Fatalf("ReadBytes at EOF = %#v, %v; want empty non-nil", b, err)
			}
			// The other direction still works.
			if _, err := client.OutputStream().WriteAll([]byte("back"), nil); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, 4)
			if _, err := server.InputStream().ReadAll(got, nil); err != nil || string(got) != "back" {
				t.Fatalf("server ReadAll = %q, %v", got, err)
			}
		})
	}
}

func TestSkip_SOCK11(t *testing.T) {
	l := newTestLoop(t)
	client, server := connPair(t, "unix")
	if _, err := server.OutputStream().WriteAll([]byte("0123456789"), nil); err != nil {
		t.Fatal(err)
	}
	in := client.InputStream()
	if n, err := in.Skip(4, nil); err != nil || n != 4 {
		t.Fatalf("Skip = %d, %v", n, err)
	}
	var r result
	in.SkipAsync(2, mainloop.PriorityDefault, nil, r.cb)
	if n, err := in.SkipFinish(r.wait(l)); err != nil || n != 2 {
		t.Fatalf("SkipFinish = %d, %v", n, err)
	}
	got := make([]byte, 4)
	if _, err := in.ReadAll(got, nil); err != nil || string(got) != "6789" {
		t.Fatalf("after skip: %q, %v", got, err)
	}
	_ = server.Close()
	if n, err := in.Skip(4, nil); err != nil || n != 0 {
		t.Fatalf("Skip at EOF = %d, %v", n, err)
	}
}

// The socket timeout makes a waiting read fail with TIMED_OUT "Socket I/O
// timed out" (SOCK-5), sync and async.
func TestStreamTimeout_SOCK5(t *testing.T) {
	l := newTestLoop(t)
	client, _ := connPair(t, "tcp4")
	client.Socket().SetTimeout(100 * time.Millisecond)
	_, err := client.InputStream().Read(make([]byte, 1), nil)
	wantIOErr(t, err, ioerr.TimedOut, "Socket I/O timed out")
	var r result
	client.InputStream().ReadAllAsync(make([]byte, 1), mainloop.PriorityDefault, nil, r.cb)
	_, err = client.InputStream().ReadAllFinish(r.wait(l))
	wantIOErr(t, err, ioerr.TimedOut, "Socket I/O timed out")
}

// Cancelling gives CANCELLED: at once when cancelled beforehand; a blocked
// read wakes up; an async read completes later on its context, never inside
// Cancel (CAN-11).
func TestStreamCancel_CAN11(t *testing.T) {
	l := newTestLoop(t)
	client, _ := connPair(t, "tcp6")
	in := client.InputStream()

	pre := cancellable.New()
	pre.Cancel()
	_, err := in.Read(make([]byte, 1), pre)
	wantIOErr(t, err, ioerr.Cancelled, ioerr.CancelledMessage)
	_, err = client.OutputStream().Write([]byte("x"), pre)
	wantIOErr(t, err, ioerr.Cancelled, ioerr.CancelledMessage)

	c := cancellable.New()
	done := make(chan error, 1)
	go func() { _, err := in.Read(make([]byte, 1), c); done <- err }()
	for !in.HasPending() {
		time.Sleep(time.Millisecond)
	}
	c.Cancel()
	select {
	case err := <-done:
		wantIOErr(t, err, ioerr.Cancelled, ioerr.CancelledMessage)
	case <-time.After(testTimeout):
		t.Fatal("blocked Read not woken by Cancel")
	}

	ac := cancellable.New()
	var r result
	in.ReadAsync(make([]byte, 1), mainloop.PriorityDefault, ac, r.cb)
	ac.Cancel()
	if r.done {
		t.Fatal("callback ran inside Cancel")
	}
	_, err = in.ReadFinish(r.wait(l))
	wantIOErr(t, err, ioerr.Cancelled, ioerr.CancelledMessage)
	if in.HasPending() {
		t.Fatal("still pending after the cancelled read")
	}
}

// Vectored writes (5+10+5), sync and async; bufs are not modified.
func TestWritev_SOCK11(t *testing.T) {
	l := newTestLoop(t)
	client, server := connPair(t, "tcp4")
	bufs := [][]byte{[]byte("01234"), []byte("5678901234"), []byte("56789")}
	orig := [][]byte{[]byte("01234"), []byte("5678901234"), []byte("56789")}
	if n, err := client.OutputStream().WritevAll(bufs, nil); err != nil || n != 20 {
		t.Fatalf("WritevAll = %d, %v", n, err)
	}
	var r result
	client.OutputStream().WritevAllAsync(bufs, mainloop.PriorityDefault, nil, r.cb)
	if n, err := client.OutputStream().WritevAllFinish(r.wait(l)); err != nil || n != 20 {
		t.Fatalf("WritevAllFinish = %d, %v", n, err)
	}
	var r2 result
	client.OutputStream().WritevAsync(bufs, mainloop.PriorityDefault, nil, r2.cb)
	if n, err := client.OutputStream().WritevFinish(r2.wait(l)); err != nil || n != 20 {
		t.Fatalf("WritevFinish = %d, %v", n, err)
	}
	if n, err := client.OutputStream().Writev(bufs, nil); err != nil || n != 20 {
		t.Fatalf("Writev = %d, %v", n, err)
	}
	if diff := cmp.Diff(orig, bufs); diff != "" {
		t.Fatalf("bufs modified: %s", diff)
	}
	got := make([]byte, 80)
	if _, err := server.InputStream().ReadAll(got, nil); err != nil {
		t.Fatal(err)
	}
	if want := bytes.Repeat([]byte("01234567890123456789"), 4); !bytes.Equal(got, want) {
		t.Fatalf("got %q", got)
	}
}

func TestVecAdvance(t *testing.T) {
	b := func(s ...string) [][]byte {
		out := make([][]byte, len(s))
		for i, x := range s {
			out[i] = []byte(x)
		}
		return out
	}
	cases := []struct {
		in   [][]byte
		n    int
		want [][]byte
	}{
		{b("abc", "de"), 0, b("abc", "de")},
		{b("abc", "de"), 2, b("c", "de")},
		{b("abc", "de"), 3, b("de")},
		{b("abc", "", "de"), 3, b("de")},
		{b("abc", "de"), 5, b()},
	}
	for _, tc := range cases {
		got := vecAdvance(tc.in, tc.n)
		if len(got) == 0 && len(tc.want) == 0 {
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("vecAdvance(%q, %d): %s", tc.in, tc.n, diff)
		}
	}
}

// GLib's /socket/read_write and /socket/read_writev: a threaded 1024-byte
// transfer over the connection's streams, with plain and vectored writes.
func TestReadWrite_SOCK10(t *testing.T) {
	for _, vectored := range []bool{false, true} {
		t.Run(fmt.Sprintf("writev=%v", vectored), func(t *testing.T) {
			client, server := connPair(t, "tcp4")
			data := pattern(1024)
			var wg sync.WaitGroup
			var werr error
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10 && werr == nil; i++ {
					if vectored {
						_, werr = client.OutputStream().WritevAll([][]byte{data[:100], data[100:700], data[700:]}, nil)
					} else {
						_, werr = client.OutputStream().WriteAll(data, nil)
					}
				}
			}()
			for i := 0; i < 10; i++ {
				got := make([]byte, len(data))
				if _, err := server.InputStream().ReadAll(got, nil); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, data) {
					t.Fatalf("block %d differs", i)
				}
			}
			wg.Wait()
			if werr != nil {
				t.Fatal(werr)
			}
		})
	}
}

// GLib's /socket-service/read_write_async and /read_writev_async: the
// server, handed each connection on its context (a Socket accept loop here,
// as SocketService would), does read_all_async of 20 bytes then
// close_async; the client connects with SocketClient, sends 20 bytes with
// write_all_async (or writev_all_async, 5+10+5) and closes with
// close_async. The data must match.
func TestReadWriteAsync_SOCK10(t *testing.T) {
	const data = "abcdefghijklmnopqrst"
	for _, vectored := range []bool{false, true} {
		t.Run(fmt.Sprintf("writev=%v", vectored), func(t *testing.T) {
			l := newTestLoop(t)
			listener, addr := listenLoopback(t, SocketFamilyIPv4)
			accepted := make(chan struct{})
			var serverConn *SocketConnection
			var serverGot []byte
			serverDone, clientDone := false, false
			var failures []string
			fail := func(format string, args ...any) { failures = append(failures, fmt.Sprintf(format, args...)) }

			incoming := func(conn *SocketConnection) {
				serverConn = conn
				buf := make([]byte, len(data))
				conn.InputStream().ReadAllAsync(buf, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
					n, err := conn.InputStream().ReadAllFinish(res)
					if err != nil || n != len(data) {
						fail("server read_all: %d, %v", n, err)
					}
					serverGot = buf[:n]
					conn.CloseAsync(mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
						if err := conn.CloseFinish(res); err != nil {
							fail("server close: %v", err)
						}
						serverDone = true
					})
				})
			}
			go func() {
				defer close(accepted)
				s, err := listener.Accept(nil)
				if err != nil {
					l.ctx.Invoke(func() { fail("accept: %v", err) })
					return
				}
				l.ctx.Invoke(func() { incoming(NewSocketConnection(s)) })
			}()

			client := NewSocketClient()
			client.ConnectAsync(addr, nil, func(_ any, res asyncresult.AsyncResult) {
				conn, err := client.ConnectFinish(res)
				if err != nil {
					fail("connect: %v", err)
					clientDone = true
					return
				}
				wrote := func(_ any, res asyncresult.AsyncResult) {
					var n int
					var err error
					if vectored {
						n, err = conn.OutputStream().WritevAllFinish(res)
					} else {
						n, err = conn.OutputStream().WriteAllFinish(res)
					}
					if err != nil || n != len(data) {
						fail("client write_all: %d, %v", n, err)
					}
					conn.CloseAsync(mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
						if err := conn.CloseFinish(res); err != nil {
							fail("client close: %v", err)
						}
						clientDone = true
					})
				}
				if vectored {
					conn.OutputStream().WritevAllAsync([][]byte{[]byte(data[:5]), []byte(data[5:15]), []byte(data[15:])},
						mainloop.PriorityDefault, nil, wrote)
				} else {
					conn.OutputStream().WriteAllAsync([]byte(data), mainloop.PriorityDefault, nil, wrote)
				}
			})
			l.until(func() bool { return (serverDone && clientDone) || len(failures) > 0 })
			<-accepted
			if len(failures) > 0 {
				t.Fatal(failures)
			}
			if string(serverGot) != data {
				t.Fatalf("server got %q", serverGot)
			}
			if !serverConn.IsClosed() || !serverConn.Socket().IsClosed() {
				t.Fatal("server connection not closed")
			}
		})
	}
}

// The priority given to XxxAsync is the task's: its callback is delivered at
// that priority (TASK-10).
func TestStreamAsyncPriority_TASK10(t *testing.T) {
	l := newTestLoop(t)
	client, server := connPair(t, "unix")
	for _, prio := range []int{mainloop.PriorityHigh, mainloop.PriorityDefault, mainloop.PriorityLow} {
		var w, r result
		server.OutputStream().WriteAsync([]byte("x"), prio, nil, w.cb)
		client.InputStream().ReadAsync(make([]byte, 1), prio, nil, r.cb)
		for _, res := range []*result{&w, &r} {
			// A socket stream's result is an asyncresult.Result (the
			// pollable path), any other's a Task: both have the priority.
			task, ok := res.wait(l).(*asyncresult.Result[int])
			if !ok {
				t.Fatalf("result is %T", res.res)
			}
			if task.Priority() != prio {
				t.Fatalf("result priority %d, want %d", task.Priority(), prio)
			}
		}
	}
}

// Pending async reads hold no OS thread (they wait with sources in their
// context's poller): a hundred of them do not hold a hundred OS threads.
func TestAsyncReadsHoldNoThreads(t *testing.T) {
	const n = 100
	before := pprof.Lookup("threadcreate").Count()
	p := newPendingReads(t, n)
	p.start()
	time.Sleep(100 * time.Millisecond) // let every read reach its wait
	if grown := pprof.Lookup("threadcreate").Count() - before; grown > n/4 {
		t.Fatalf("%d OS threads created for %d pending reads", grown, n)
	}
	p.complete(t)
}

// The socket streams are pollable (GPollableInputStream /
// GPollableOutputStream): readiness, non-blocking calls that give
// WOULD_BLOCK, and sources that fire on readiness.
func TestPollableSocketStreams_SOCK7(t *testing.T) {
	l := newTestLoop(t)
	client, server := connPair(t, "tcp4")
	in, out := client.InputStream(), server.OutputStream()
	if !in.CanPoll() || !out.CanPoll() {
		t.Fatal("socket streams cannot poll")
	}
	if in.IsReadable() {
		t.Fatal("readable with nothing sent")
	}
	_, err := in.ReadNonblocking(make([]byte, 4), nil)
	wantIOErr(t, err, ioerr.WouldBlock, "")
	if !out.IsWritable() {
		t.Fatal("a fresh connection is not writable")
	}

	fired := 0
	src := in.CreateSource(nil)
	src.SetCallback(func() bool {
		fired++
		return mainloop.SourceRemove
	})
	src.Attach(l.ctx)
	defer src.Destroy()
	if n, err := out.WriteNonblocking([]byte("ping"), nil); err != nil || n != 4 {
		t.Fatalf("WriteNonblocking = %d, %v", n, err)
	}
	l.until(func() bool { return fired > 0 })
	if !in.IsReadable() {
		t.Fatal("not readable after the source fired")
	}
	buf := make([]byte, 8)
	n, err := in.ReadNonblocking(buf, nil)
	if err != nil || string(buf[:n]) != "ping" {
		t.Fatalf("ReadNonblocking = %q, %v", buf[:n], err)
	}

	// A cancel wakes the source too.
	c := cancellable.New()
	woke := false
	src2 := in.CreateSource(c)
	src2.SetCallback(func() bool { woke = true; return mainloop.SourceRemove })
	src2.Attach(l.ctx)
	defer src2.Destroy()
	c.Cancel()
	l.until(func() bool { return woke })
	_, err = in.ReadNonblocking(buf, c)
	wantIOErr(t, err, ioerr.Cancelled, "")
}
