package gio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
)

// newTestService makes a service on the test loop's context, stopped and
// closed when the test ends, listening on 127.0.0.1 and returning that
// address.
func newTestService(t testing.TB) (*SocketService, SocketAddress) {
	t.Helper()
	s := NewSocketService()
	t.Cleanup(func() { s.Stop(); s.Close() })
	eff, err := s.AddAddress(loopback4(), SocketTypeStream, SocketProtocolDefault, "src")
	if err != nil {
		t.Fatal(err)
	}
	return s, eff
}

// wantEOF reads from c and wants the server's close: EOF with no data.
func wantEOF(t testing.TB, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(testTimeout))
	n, err := c.Read(make([]byte, 16))
	if n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("read %d, %v: want EOF", n, err)
	}
}

// /socket-service/start-stop: a service made inactive; the client connects
// before Start; Start notifies "active" and the connection is accepted; Stop
// inside the handler leaves it inactive.
func TestServiceStartStop_SS1_SS5(t *testing.T) {
	lp := newTestLoop(t)
	s := NewSocketService()
	t.Cleanup(func() { s.Stop(); s.Close() })
	if !s.IsActive() {
		t.Fatal("a new service is not active (SS-1)")
	}
	var notes []bool
	s.Notify.ConnectDetailed("active", func(string) { notes = append(notes, s.IsActive()) })
	s.Stop()
	eff := addLoopback4(t, s)
	got := 0
	s.Incoming.Connect(func(c *SocketConnection, _ any) bool {
		got++
		s.Stop()
		return false
	})
	dial(t, eff)
	for range 20 {
		lp.ctx.Iteration(false)
	}
	if got != 0 {
		t.Fatal("an inactive service accepted")
	}
	s.Start()
	lp.until(func() bool { return got == 1 })
	if s.IsActive() {
		t.Error("Stop inside incoming left it active")
	}
	if diff := cmp.Diff([]bool{false, true, false}, notes); diff != "" {
		t.Errorf("notify::active (-want +got):\n%s", diff)
	}
	// Only on change: a second Stop, or Start on an active service, does not notify.
	s.Stop()
	s.Start()
	s.Start()
	if len(notes) != 4 {
		t.Errorf("notifications %v", notes)
	}
	// By name, as g_object_set (…, "active", FALSE) does.
	if err := s.SetProperty("active", false); err != nil || s.IsActive() {
		t.Errorf("SetProperty active=false: %v, active %v", err, s.IsActive())
	}
}

// SS-1/SS-2: a new service starts accepting when its first socket is added,
// and a socket added later is watched too.
func TestServiceChanged_SS2(t *testing.T) {
	lp := newTestLoop(t)
	s, first := newTestService(t)
	var srcs []any
	s.Incoming.Connect(func(c *SocketConnection, src any) bool { srcs = append(srcs, src); return false })
	dial(t, first)
	lp.until(func() bool { return len(srcs) == 1 })
	second, err := s.AddAddress(loopback4(), SocketTypeStream, SocketProtocolDefault, "second")
	if err != nil {
		t.Fatal(err)
	}
	dial(t, second)
	lp.until(func() bool { return len(srcs) == 2 })
	if diff := cmp.Diff([]any{"src", "second"}, srcs); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}

// incomingLog overrides DoIncoming and records the order.
type incomingLog struct {
	SocketService
	log []string
}

func (s *incomingLog) DoIncoming(c *SocketConnection, src any) bool {
	s.log = append(s.log, "class")
	return s.SocketService.DoIncoming(c, src)
}

// SS-4: handlers run before the class handler; the first true stops the
// emission, the class handler included; the connection is closed after the
// emission unless a handler keeps it.
func TestServiceIncoming_SS4(t *testing.T) {
	lp := newTestLoop(t)
	s := &incomingLog{}
	s.Init(s)
	t.Cleanup(func() { s.Stop(); s.Close() })
	eff := addLoopback4(t, s)
	stop := false
	var kept *SocketConnection
	s.Incoming.Connect(func(c *SocketConnection, src any) bool { s.log = append(s.log, "h1"); return false })
	s.Incoming.Connect(func(c *SocketConnection, src any) bool {
		s.log = append(s.log, "h2")
		if stop {
			s.Keep(c)
			kept = c
		}
		return stop
	})
	s.Incoming.ConnectAfter(func(c *SocketConnection, src any) bool { s.log = append(s.log, "after"); return false })

	c1 := dial(t, eff)
	lp.until(func() bool { return len(s.log) == 4 })
	if diff := cmp.Diff([]string{"h1", "h2", "class", "after"}, s.log); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	wantEOF(t, c1) // nobody kept it: closed after incoming

	stop = true
	s.log = nil
	c2 := dial(t, eff)
	lp.until(func() bool { return kept != nil })
	if diff := cmp.Diff([]string{"h1", "h2"}, s.log); diff != "" {
		t.Errorf("true stops the emission (-want +got):\n%s", diff)
	}
	// Kept: still open, and usable.
	if _, err := c2.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := kept.InputStream().ReadAll(buf, nil); err != nil || string(buf) != "ping" {
		t.Fatalf("kept connection read %q %v", buf, err)
	}
	kept.Close()
	wantEOF(t, c2)

	// Keep outside a handler: a critical.
	c := logging.StartCapture()
	s.Keep(kept)
	c.Stop()
	if c.Count("critical", "not inside an incoming handler") != 1 {
		t.Errorf("Keep outside a handler: %v", c.Records())
	}
}

// SS-5: Stop keeps the sockets listening; clients queue in the backlog and
// are all accepted after Start.
func TestServiceStopKeepsBacklog_SS5(t *testing.T) {
	lp := newTestLoop(t)
	s, eff := newTestService(t)
	got := 0
	s.Incoming.Connect(func(*SocketConnection, any) bool { got++; return false })
	s.Stop()
	var clients []net.Conn
	for range 5 {
		clients = append(clients, dial(t, eff)) // the kernel completes the handshake
	}
	for range 20 {
		lp.ctx.Iteration(false)
	}
	if got != 0 {
		t.Fatalf("%d accepted while stopped", got)
	}
	s.Start()
	lp.until(func() bool { return got == 5 })
	for _, c := range clients {
		wantEOF(t, c)
	}
}

// SS-6: IsActive is the flag; start and stop with no sockets only flip it.
func TestServiceIsActive_SS6(t *testing.T) {
	s := NewSocketService()
	defer s.Close()
	s.Stop()
	if s.IsActive() {
		t.Error("active after Stop")
	}
	s.Start()
	if !s.IsActive() {
		t.Error("inactive after Start")
	}
	if len(s.w.m) != 0 {
		t.Error("watches with no sockets")
	}
}

// Differs from GLib (SS-7): closing the listener under an active service
// ends its watch quietly, no warning loop, nothing left on the context.
func TestServiceCloseWithoutStopDiffersFromGLib_SS7(t *testing.T) {
	lp := newTestLoop(t)
	s, _ := newTestService(t)
	lp.ctx.Iteration(false)
	c := logging.StartCapture()
	s.Close()
	for range 50 {
		lp.ctx.Iteration(false)
	}
	c.Stop()
	if n := len(c.Records()); n != 0 {
		t.Errorf("%d warnings after Close: %v", n, c.Records())
	}
	if lp.ctx.Pending() || len(s.w.m) != 0 {
		t.Errorf("still watching after Close: pending %v, watches %d", lp.ctx.Pending(), len(s.w.m))
	}
	if !s.IsActive() {
		t.Error("Close changed active")
	}
}

func openFDCount(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// SS-8 (Go-only): Stop and Close leave no source, descriptor or goroutine
// (TestMain's leak check covers goroutines), with connections served.
func TestServiceStopCloseReleasesAll_SS8(t *testing.T) {
	lp := newTestLoop(t)
	before := openFDCount(t)
	s := NewSocketService()
	port, err := s.AddAnyInetPort(nil)
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	s.Incoming.Connect(func(*SocketConnection, any) bool { got++; return false })
	a, _ := NewInetSocketAddressFromString("::1", uint(port))
	c := dial(t, a)
	lp.until(func() bool { return got == 1 })
	wantEOF(t, c)
	c.Close()
	s.Stop()
	s.Close()
	for lp.ctx.Iteration(false) {
	}
	if lp.ctx.Pending() {
		t.Error("sources left on the context")
	}
	if after := openFDCount(t); after != before {
		t.Errorf("descriptors: %d before, %d after", before, after)
	}
	// The port is free again.
	ln, err := net.Listen("tcp", a.ToNet().String())
	if err != nil {
		t.Fatalf("port still bound: %v", err)
	}
	ln.Close()
}

// SS-9 and the TSS-5 fix: Incoming runs on the service's context even when
// Start is called from another goroutine.
func TestServiceContext_SS9(t *testing.T) {
	lp := newTestLoop(t)
	s, eff := newTestService(t)
	s.Stop()
	var where *mainloop.Context
	s.Incoming.Connect(func(*SocketConnection, any) bool { where = mainloop.ThreadDefault(); return false })
	done := make(chan struct{})
	go func() {
		other := mainloop.NewContext()
		_ = other.PushThreadDefault()
		s.Start()
		other.PopThreadDefault()
		close(done)
	}()
	<-done
	dial(t, eff)
	lp.until(func() bool { return where != nil })
	if where != lp.ctx {
		t.Errorf("incoming ran on %p, want the service's context %p", where, lp.ctx)
	}
}

// /socket-service/read_write_async and /read_writev_async: in incoming,
// read_all_async of 20 bytes; the client writes them with write_all_async
// (or writev_all_async of 5+10+5); both sides close_async.
func TestServiceReadWriteAsync(t *testing.T) {
	for _, vectors := range []bool{false, true} {
		name := "read_write_async"
		if vectors {
			name = "read_writev_async"
		}
		t.Run(name, func(t *testing.T) {
			lp := newTestLoop(t)
			s, eff := newTestService(t)
			data := []byte("0123456789abcdefghij")
			got := make([]byte, len(data))
			serverDone, clientDone := false, false
			s.Incoming.Connect(func(c *SocketConnection, _ any) bool {
				s.Keep(c)
				c.InputStream().ReadAllAsync(got, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
					if n, err := c.InputStream().ReadAllFinish(res); err != nil || n != len(data) {
						t.Errorf("server read %d %v", n, err)
					}
					c.CloseAsync(mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
						if err := c.CloseFinish(res); err != nil {
							t.Error(err)
						}
						serverDone = true
					})
				})
				return true
			})
			client := NewSocketClient()
			var r result
			client.ConnectAsync(eff, nil, r.cb)
			conn, err := client.ConnectFinish(r.wait(lp))
			if err != nil {
				t.Fatal(err)
			}
			written := func(n int, err error) {
				if err != nil || n != len(data) {
					t.Errorf("client wrote %d %v", n, err)
				}
				conn.CloseAsync(mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
					if err := conn.CloseFinish(res); err != nil {
						t.Error(err)
					}
					clientDone = true
				})
			}
			out := conn.OutputStream()
			if vectors {
				out.WritevAllAsync([][]byte{data[:5], data[5:15], data[15:]}, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
					written(out.WritevAllFinish(res))
				})
			} else {
				out.WriteAllAsync(data, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
					written(out.WriteAllFinish(res))
				})
			}
			lp.until(func() bool { return serverDone && clientDone })
			if !bytes.Equal(got, data) {
				t.Errorf("server got %q", got)
			}
		})
	}
}

// The zero and nil service: criticals, no panic.
func TestServiceBadInput(t *testing.T) {
	var zero SocketService
	var nilS *SocketService
	c := logging.StartCapture()
	for _, s := range []*SocketService{&zero, nilS} {
		s.Start()
		s.Stop()
		if s.IsActive() {
			t.Error("an unusable service is active")
		}
		s.Keep(nil)
	}
	if err := zero.AddInetPort(5000, nil); err == nil {
		t.Error("AddInetPort on a zero service succeeded")
	}
	c.Stop()
	if c.Count("critical", "G_IS_SOCKET_SERVICE") != 8 {
		t.Errorf("criticals: %v", c.Records())
	}
}

// ExampleSocketService echoes one line with the async streams, on a main
// loop, keeping the connection past Incoming with Keep.
func ExampleSocketService() {
	// Same set-up as ExampleSocketListener (socketlistener_test.go): kept
	// because an example must show the reader all of it.
	ctx := mainloop.NewContext()
	_ = ctx.PushThreadDefault()
	defer ctx.PopThreadDefault()
	loop := mainloop.New(ctx)

	s := NewSocketService()
	defer func() { s.Stop(); s.Close() }()
	port, err := s.AddAnyInetPort(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	s.Incoming.Connect(func(c *SocketConnection, _ any) bool {
		s.Keep(c) // the echo below outlives the handler
		buf := make([]byte, 64)
		c.InputStream().ReadAsync(buf, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
			n, _ := c.InputStream().ReadFinish(res)
			c.OutputStream().WriteAllAsync(buf[:n], mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
				c.OutputStream().WriteAllFinish(res)
				c.Close()
			})
		})
		return true
	})
	go func() {
		defer loop.Quit()
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte("hello, service"))
		b, _ := io.ReadAll(c)
		fmt.Printf("%s\n", b)
	}()
	loop.Run()
	// Output: hello, service
}

// Differs from GLib (DECISIONS: accept errors): EMFILE does not stop the
// service; it logs GLib's "fail: …" warning, backs off, and accepts the
// client once descriptors are free again.
func TestServiceAcceptErrorBacksOffDiffersFromGLib(t *testing.T) {
	lp := newTestLoop(t)
	s, eff := newTestService(t)
	got := 0
	s.Incoming.Connect(func(*SocketConnection, any) bool { got++; return false })
	var saved unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &saved); err != nil {
		t.Skip(err)
	}
	c := dial(t, eff) // the client's descriptor exists before the limit drops
	lowered := saved
	// The lowest free descriptor number is where accept4 would put the
	// connection; a limit of that number leaves no room for it.
	free, err := unix.Dup(0)
	if err != nil {
		t.Skip(err)
	}
	unix.Close(free)
	lowered.Cur = uint64(free)
	capture := logging.StartCapture()
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lowered); err != nil {
		capture.Stop()
		t.Skip(err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			_ = unix.Setrlimit(unix.RLIMIT_NOFILE, &saved)
		}
	}
	defer restore()
	pollUntil(lp, func() bool {
		return capture.Count("warning", "fail: Error accepting connection: Too many open files") > 0
	})
	restore()
	pollUntil(lp, func() bool { return got == 1 })
	capture.Stop()
	wantEOF(t, c)
	if !s.IsActive() {
		t.Error("the service stopped")
	}
}

// The service's per-connection bookkeeping allocates nothing once warm.
func TestServiceHoldAllocs(t *testing.T) {
	var h holdSet
	conn := &SocketConnection{}
	h.begin(conn, false)
	h.end(conn)
	allocs := testing.AllocsPerRun(1000, func() {
		h.begin(conn, false)
		h.keep(conn)
		_ = h.isKept(conn)
		h.end(conn)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per connection", allocs)
	}
}

// Differs from GLib (SS-8): an active service nobody references is
// collected; its watches go and its socket is closed, so the port is free.
func TestServiceDroppedIsCollectedDiffersFromGLib_SS8(t *testing.T) {
	lp := newTestLoop(t)
	port := func() uint16 {
		s := NewSocketService()
		p, err := s.AddAnyInetPort(nil)
		if err != nil {
			t.Fatal(err)
		}
		s.Incoming.Connect(func(*SocketConnection, any) bool { return false })
		lp.ctx.Iteration(false)
		return p
	}()
	addr := fmt.Sprintf("[::]:%d", port)
	deadline := time.Now().Add(testTimeout)
	for {
		runtime.GC()
		for lp.ctx.Iteration(false) {
		}
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			ln.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dropped service still holds %s: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if lp.ctx.Pending() {
		t.Error("sources left on the context")
	}
}

// SS-5: Start and Stop race from many goroutines; afterwards the watches
// follow the last call.
func TestServiceStartStopRace_SS5(t *testing.T) {
	lp := newTestLoop(t)
	s, eff := newTestService(t)
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 200 {
				if (i+g)%2 == 0 {
					s.Start()
				} else {
					s.Stop()
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	s.Stop()
	if s.IsActive() || len(s.w.m) != 0 {
		t.Fatalf("after the last Stop: active %v, watches %d", s.IsActive(), len(s.w.m))
	}
	s.Start()
	got := 0
	s.Incoming.Connect(func(*SocketConnection, any) bool { got++; return false })
	dial(t, eff)
	lp.until(func() bool { return got == 1 })
}
