package gio

import (
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/mainloop"
)

// iterateUntil iterates ctx until done() holds, failing after max. A
// periodic timeout source keeps a blocking iteration from hanging.
func iterateUntil(t *testing.T, ctx *mainloop.Context, max time.Duration, done func() bool) {
	t.Helper()
	tick := mainloop.NewTimeoutSource(20 * time.Millisecond)
	tick.SetCallback(func() bool { return mainloop.SourceContinue })
	tick.Attach(ctx)
	defer tick.Destroy()
	deadline := time.Now().Add(max)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not reached within %v", max)
		}
		ctx.Iteration(true)
	}
}

type dispatch struct {
	s    *Socket
	cond mainloop.IOCondition
}

// TestSourcePostmortem_SOCK7 is /socket/source-postmortem: a closed
// socket's source dispatches exactly once, with IONval, and is destroyed.
func TestSourcePostmortem_SOCK7(t *testing.T) {
	ctx := mainloop.NewContext()
	// A connected, idle socket: an unconnected TCP socket polls as HUP.
	s, _ := connectedPair(t, SocketFamilyIPv4)
	var got []dispatch
	src := s.CreateSource(ioIn, nil, func(s *Socket, cond mainloop.IOCondition) bool {
		got = append(got, dispatch{s, cond})
		return mainloop.SourceContinue
	})
	attachQuiet(t, ctx, src, "while the socket is idle")
	s.Close()
	ctx.Iteration(false)
	if len(got) != 1 || got[0].s != s || got[0].cond != ioNval {
		t.Fatalf("dispatches %v, want one with NVAL", got)
	}
	if ctx.Pending() || ctx.Iteration(false) || len(got) != 1 {
		t.Errorf("dispatched again: %v", got)
	}
	if !src.IsDestroyed() {
		t.Error("source not destroyed")
	}
	// A source made on an already closed socket behaves the same.
	src2 := s.CreateSource(ioOut, nil, func(s *Socket, cond mainloop.IOCondition) bool {
		got = append(got, dispatch{s, cond})
		return mainloop.SourceContinue
	})
	src2.Attach(ctx)
	ctx.Iteration(false)
	if len(got) != 2 || got[1].cond != ioNval || !src2.IsDestroyed() {
		t.Errorf("source on closed socket: %v", got)
	}
}

// TestSourceCloseFromOtherGoroutine_SOCK7: a loop blocked in poll wakes up
// when another goroutine closes the socket.
func TestSourceCloseFromOtherGoroutine_SOCK7(t *testing.T) {
	ctx := mainloop.NewContext()
	s, _ := connectedPair(t, SocketFamilyIPv4)
	var cond mainloop.IOCondition
	src := s.CreateSource(ioIn, nil, func(_ *Socket, c mainloop.IOCondition) bool {
		cond = c
		return mainloop.SourceContinue
	})
	src.Attach(ctx)
	defer src.Destroy()
	go func() {
		time.Sleep(30 * time.Millisecond)
		s.Close()
	}()
	iterateUntil(t, ctx, 10*time.Second, func() bool { return cond != 0 })
	if cond != ioNval {
		t.Errorf("cond %v", cond)
	}
}

// TestSourceAsyncConnect_SOCK2_SOCK7 is the source half of
// /socket/ipv4_async and /socket/ipv6_async: PENDING, then an IOOut source,
// then CheckConnectResult; then an IOIn source sees the server's data.
func TestSourceAsyncConnect_SOCK2_SOCK7(t *testing.T) {
	for _, f := range []SocketFamily{SocketFamilyIPv4, SocketFamilyIPv6} {
		t.Run(f.String(), func(t *testing.T) {
			ctx := mainloop.NewContext()
			l, addr := listener(t, f)
			c := newSock(t, f, SocketTypeStream, SocketProtocolDefault)
			c.SetBlocking(false)
			wantCode(t, "connect", c.Connect(addr, nil), ErrorPending)
			var connectErr error
			connected := false
			src := c.CreateSource(ioOut, nil, func(s *Socket, cond mainloop.IOCondition) bool {
				if cond&ioOut == 0 {
					t.Errorf("cond %v", cond)
				}
				connectErr = s.CheckConnectResult()
				connected = true
				return mainloop.SourceRemove
			})
			src.Attach(ctx)
			iterateUntil(t, ctx, 10*time.Second, func() bool { return connected })
			if connectErr != nil || !c.IsConnected() {
				t.Fatalf("connect result %v", connectErr)
			}
			srv, err := l.Accept(nil)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			var in mainloop.IOCondition
			src = c.CreateSource(ioIn, nil, func(_ *Socket, cond mainloop.IOCondition) bool {
				in = cond
				return mainloop.SourceRemove
			})
			src.Attach(ctx)
			if _, err := srv.Send([]byte("hello"), nil); err != nil {
				t.Fatal(err)
			}
			iterateUntil(t, ctx, 10*time.Second, func() bool { return in != 0 })
			if in != ioIn {
				t.Errorf("cond %v, want IN", in)
			}
			buf := make([]byte, 8)
			if n, err := c.Receive(buf, nil); err != nil || string(buf[:n]) != "hello" {
				t.Fatal(n, err)
			}
		})
	}
}

// TestSourceCancellable_SOCK7: cancelling the Cancellable dispatches the
// source with no condition.
func TestSourceCancellable_SOCK7(t *testing.T) {
	ctx := mainloop.NewContext()
	l, _ := listener(t, SocketFamilyIPv4)
	c := cancellable.New()
	var conds []mainloop.IOCondition
	src := l.CreateSource(ioIn, c, func(_ *Socket, cond mainloop.IOCondition) bool {
		conds = append(conds, cond)
		return mainloop.SourceRemove
	})
	attachQuiet(t, ctx, src, "before the cancel")
	c.Cancel()
	iterateUntil(t, ctx, 10*time.Second, func() bool { return len(conds) > 0 })
	if conds[0] != 0 {
		t.Errorf("cond %v, want 0", conds[0])
	}
	_, err := l.Accept(c)
	wantCode(t, "accept", err, ErrorCancelled)
}

// TestSourceTimeout_SOCK7_SOCK2: a socket with a timeout makes its source
// fire after it, marks the socket timed out, and the next operation then
// fails once with TIMED_OUT, before the cancellation check (SOCK-2).
func TestSourceTimeout_SOCK7_SOCK2(t *testing.T) {
	ctx := mainloop.NewContext()
	client, _ := connectedPair(t, SocketFamilyIPv4)
	client.SetTimeout(80 * time.Millisecond)
	var conds []mainloop.IOCondition
	start := time.Now()
	src := client.CreateSource(ioIn, nil, func(_ *Socket, cond mainloop.IOCondition) bool {
		conds = append(conds, cond)
		return mainloop.SourceRemove
	})
	src.Attach(ctx)
	iterateUntil(t, ctx, 10*time.Second, func() bool { return len(conds) > 0 })
	if conds[0] != ioIn || time.Since(start) < 70*time.Millisecond {
		t.Errorf("cond %v after %v", conds[0], time.Since(start))
	}
	c := cancellable.New()
	c.Cancel()
	_, err := client.Receive(make([]byte, 1), c)
	wantCode(t, "first op after timeout", err, ErrorTimedOut)
	_, err = client.Receive(make([]byte, 1), c)
	wantCode(t, "second op", err, ErrorCancelled)
}

// TestSourceCloseInCallback_SOCK7: closing the socket inside its own
// callback is safe; the source then dispatches NVAL once if it continues.
func TestSourceCloseInCallback_SOCK7(t *testing.T) {
	ctx := mainloop.NewContext()
	client, server := connectedPair(t, SocketFamilyIPv4)
	var conds []mainloop.IOCondition
	src := server.CreateSource(ioIn, nil, func(s *Socket, cond mainloop.IOCondition) bool {
		conds = append(conds, cond)
		s.Close()
		return mainloop.SourceContinue
	})
	src.Attach(ctx)
	client.Send([]byte("x"), nil)
	iterateUntil(t, ctx, 10*time.Second, func() bool { return len(conds) >= 2 })
	if conds[0]&ioIn == 0 || conds[1] != ioNval || !src.IsDestroyed() {
		t.Errorf("conds %v destroyed %v", conds, src.IsDestroyed())
	}
}

// TestCloseWakesBlockedLoop_SOCK7: Close wakes a context blocked in poll on
// another goroutine, with no other source to wake it (differs from GLib,
// SL-12).
func TestCloseWakesBlockedLoop_SOCK7(t *testing.T) {
	ctx := mainloop.NewContext()
	s, _ := connectedPair(t, SocketFamilyIPv4)
	got := make(chan mainloop.IOCondition, 1)
	src := s.CreateSource(ioIn, nil, func(_ *Socket, c mainloop.IOCondition) bool {
		got <- c
		return mainloop.SourceContinue
	})
	src.Attach(ctx)
	defer src.Destroy()
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx.Iteration(true)
	}()
	time.Sleep(30 * time.Millisecond)
	s.Close()
	select {
	case c := <-got:
		if c != ioNval {
			t.Errorf("cond %v", c)
		}
	case <-time.After(10 * time.Second):
		ctx.Wakeup()
		t.Fatal("the blocked loop did not see the close")
	}
	<-done
}

// TestDestroyedSourceReleasesSocket: a socket source that was attached to a
// context, polled and destroyed keeps nothing of its socket reachable from
// the context, which lives on without being iterated again (it may keep the
// destroyed source itself until its next iteration); the dropped socket is
// collected as with no source at all.
func TestDestroyedSourceReleasesSocket(t *testing.T) {
	ctx := mainloop.NewContext()
	weakSock := func() weak.Pointer[Socket] {
		s, err := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
		if err != nil {
			t.Fatal(err)
		}
		src := s.CreateSource(ioIn, nil, func(*Socket, mainloop.IOCondition) bool { return mainloop.SourceContinue })
		src.Attach(ctx)
		ctx.Iteration(false)
		src.Destroy()
		// Closed, so that no descriptor is left for a collection to close
		// while a later test counts them; a closed Socket is still an
		// object the context must not keep.
		s.Close()
		return weak.Make(s)
	}()
	for i := 0; i < 20 && weakSock.Value() != nil; i++ {
		runtime.GC()
	}
	if weakSock.Value() != nil {
		t.Error("the destroyed source's socket is still reachable while its context lives")
	}
	runtime.KeepAlive(ctx)
}

// attachQuiet attaches src to ctx (it is destroyed when the test ends) and
// checks that it does not dispatch yet.
func attachQuiet(t *testing.T, ctx *mainloop.Context, src *mainloop.Source, when string) {
	t.Helper()
	src.Attach(ctx)
	t.Cleanup(src.Destroy)
	if ctx.Iteration(false) {
		t.Fatalf("the source dispatched %s", when)
	}
}
