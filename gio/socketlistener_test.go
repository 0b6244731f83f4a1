package gio

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
)

// loopback4 is 127.0.0.1:0.
func loopback4() SocketAddress {
	return NewInetSocketAddress(NewInetAddressLoopback(SocketFamilyIPv4), 0)
}

// addLoopback4 adds a TCP socket on 127.0.0.1, port chosen by the kernel, to
// l (a SocketListener or a service), failing t on error, and returns the
// address it got.
func addLoopback4(t testing.TB, l interface {
	AddAddress(SocketAddress, SocketType, SocketProtocol, any) (SocketAddress, error)
}) SocketAddress {
	t.Helper()
	eff, err := l.AddAddress(loopback4(), SocketTypeStream, SocketProtocolDefault, nil)
	if err != nil {
		t.Fatal(err)
	}
	return eff
}

// newTestListener makes a listener closed when the test ends.
func newTestListener(t testing.TB) *SocketListener {
	t.Helper()
	l := NewSocketListener()
	t.Cleanup(l.Close)
	return l
}

// dial connects a Go client to a, closed when the test ends.
func dial(t testing.TB, a SocketAddress) net.Conn {
	t.Helper()
	na := a.ToNet()
	c, err := net.DialTimeout(na.Network(), na.String(), testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// listenerEvent is one Event emission.
type listenerEvent struct {
	Event  SocketListenerEvent
	Family SocketFamily
}

func recordEvents(l *SocketListener) *[]listenerEvent {
	var evs []listenerEvent
	var mu sync.Mutex
	l.Event.Connect(func(ev SocketListenerEvent, s *Socket) {
		mu.Lock()
		evs = append(evs, listenerEvent{ev, s.Family()})
		mu.Unlock()
	})
	return &evs
}

func fourEvents(f SocketFamily) []listenerEvent {
	return []listenerEvent{{SocketListenerBinding, f}, {SocketListenerBound, f}, {SocketListenerListening, f}, {SocketListenerListened, f}}
}

func TestListenerNew_SL1(t *testing.T) {
	l := newTestListener(t)
	if l.Backlog() != 10 {
		t.Errorf("backlog %d, want 10", l.Backlog())
	}
	if v, err := l.Property("listen-backlog"); err != nil || v != 10 {
		t.Errorf("listen-backlog by name: %v %v", v, err)
	}
	if _, _, err := l.AcceptSocket(nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("accept with no sockets: %v", err)
	}
	if got := SocketListenerListened.String(); got != "LISTENED" {
		t.Errorf("String %q", got)
	}
	if got := SocketListenerEvent(9).String(); got != "SocketListenerEvent(9)" {
		t.Errorf("String %q", got)
	}
}

// /socket-listener/event-signal: add_address(127.0.0.1:0) emits BINDING,
// BOUND, LISTENING, LISTENED, each with the new socket.
func TestListenerEventSignal_SL3(t *testing.T) {
	l := newTestListener(t)
	var socks []*Socket
	evs := recordEvents(l)
	l.Event.Connect(func(_ SocketListenerEvent, s *Socket) { socks = append(socks, s) })
	eff, err := l.AddAddress(loopback4(), SocketTypeStream, SocketProtocolTCP, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fourEvents(SocketFamilyIPv4), *evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	for _, s := range socks {
		if s != socks[0] || s != l.sockets[0].sock {
			t.Errorf("the events do not all name the socket the listener added")
		}
	}
	ia := eff.(*InetSocketAddress)
	if ia.Port() == 0 || ia.Address().String() != "127.0.0.1" {
		t.Fatalf("effective address %v", eff)
	}
	// The effective address is really where it listens.
	dial(t, eff)
	conn, _, err := l.Accept(nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

func TestListenerAddAddressBindFails_SL3(t *testing.T) {
	l := newTestListener(t)
	eff := addLoopback4(t, l)
	evs := recordEvents(l)
	changed := 0
	l2 := &countingListener{}
	l2.Init(l2)
	t.Cleanup(l2.Close)
	l2.Event.Connect(func(ev SocketListenerEvent, s *Socket) { *evs = append(*evs, listenerEvent{ev, s.Family()}) })
	_, err := l2.AddAddress(eff, SocketTypeStream, SocketProtocolDefault, nil)
	wantIOErr(t, err, ioerr.AddressInUse, "Error binding to address "+eff.String()+": Address already in use")
	if diff := cmp.Diff([]listenerEvent{{SocketListenerBinding, SocketFamilyIPv4}}, *evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if l2.changed != changed || len(l2.sockets) != 0 {
		t.Errorf("a failed add left %d sockets, %d changed calls", len(l2.sockets), l2.changed)
	}
	// Unix addresses work too.
	path := filepath.Join(t.TempDir(), "l.sock")
	ua, err := l.AddAddress(NewUnixSocketAddress(path), SocketTypeStream, SocketProtocolDefault, "unix")
	if err != nil {
		t.Fatal(err)
	}
	if ua.(*UnixSocketAddress).Path() != path {
		t.Errorf("effective unix address %v", ua)
	}
}

// freePort returns a TCP port free on both IPv4 and IPv6 just now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "[::]:0")
	if err != nil {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
	}
	p := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return p
}

func TestListenerAddInetPort_SL4(t *testing.T) {
	l := newTestListener(t)
	evs := recordEvents(l)
	port := freePort(t)
	if err := l.AddInetPort(port, "inet"); err != nil {
		t.Fatal(err)
	}
	dualStackAccepts(t, *evs, port, func(host string) {
		conn, src, err := l.Accept(nil)
		if err != nil {
			t.Fatal(err)
		}
		if src != "inet" || conn.TCP() == nil {
			t.Errorf("%s: source %v, tcp %v", host, src, conn.TCP())
		}
		conn.Close()
	})
	// The same port again, even on the same listener: ADDRESS_IN_USE from
	// the IPv6 bind.
	err := l.AddInetPort(port, nil)
	wantIOErr(t, err, ioerr.AddressInUse, fmt.Sprintf("Error binding to address [::]:%d: Address already in use", port))
}

func TestListenerAddAnyInetPort_SL5(t *testing.T) {
	l := newTestListener(t)
	evs := recordEvents(l)
	port, err := l.AddAnyInetPort("any")
	if err != nil || port == 0 {
		t.Fatalf("port %d, %v", port, err)
	}
	dualStackAccepts(t, *evs, int(port), func(string) {
		sock, src, err := l.AcceptSocket(nil)
		if err != nil {
			t.Fatal(err)
		}
		if src != "any" {
			t.Errorf("source %v", src)
		}
		sock.Close()
	})
}

// dualStackAccepts checks the events of Linux's default inet listener, one
// dual-stack IPv6 socket (so exactly four events), then dials port from
// IPv4 and from IPv6 loopback, calling accept after each dial.
func dualStackAccepts(t *testing.T, evs []listenerEvent, port int, accept func(host string)) {
	t.Helper()
	if diff := cmp.Diff(fourEvents(SocketFamilyIPv6), evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	for _, host := range []string{"127.0.0.1", "::1"} {
		a, _ := NewInetSocketAddressFromString(host, uint(port))
		dial(t, a)
		accept(host)
	}
}

// mockRow is one row of GLib's listen-failures matrix: the results of
// socket(), bind() and listen() for IPv4 and IPv6, and whether the IPv6
// socket speaks IPv4.
type mockRow struct {
	v6SpeaksV4        bool
	sock4, sock6      error
	bind4, bind6      error
	listen4, listen6  error
	inetWant, anyWant ioerr.Code // ok: success
	// differsFromGLibAny marks the row where GLib's add_any_inet_port
	// fails and ours succeeds (the #3604 fix).
	differsFromGLibAny bool
}

const ok = ioerr.Code(-1)

var (
	eAF    = unix.EAFNOSUPPORT
	eInUse = unix.EADDRINUSE
)

// listenFailureRows is the matrix of /socket-listener/add-inet-port and
// /add-any-inet-port/listen-failures (SL-4, SL-5).
var listenFailureRows = []mockRow{
	1:  {v6SpeaksV4: true, inetWant: ok, anyWant: ok},
	2:  {v6SpeaksV4: true, sock4: eAF, inetWant: ok, anyWant: ok},
	3:  {v6SpeaksV4: true, sock6: eAF, inetWant: ok, anyWant: ok},
	4:  {v6SpeaksV4: true, sock4: eAF, sock6: eAF, inetWant: ioerr.NotSupported, anyWant: ioerr.NotSupported},
	5:  {v6SpeaksV4: true, bind4: eInUse, inetWant: ok, anyWant: ok},
	6:  {v6SpeaksV4: true, bind6: eInUse, inetWant: ioerr.AddressInUse, anyWant: ioerr.AddressInUse},
	7:  {v6SpeaksV4: true, bind4: eInUse, bind6: eInUse, inetWant: ioerr.AddressInUse, anyWant: ioerr.AddressInUse},
	8:  {v6SpeaksV4: true, listen4: eInUse, inetWant: ok, anyWant: ok},
	9:  {v6SpeaksV4: true, listen6: eInUse, inetWant: ok, anyWant: ok, differsFromGLibAny: true}, // GLib: ADDRESS_IN_USE (#3604)
	10: {v6SpeaksV4: false, listen6: eInUse, inetWant: ok, anyWant: ok},
	11: {v6SpeaksV4: true, listen4: eInUse, listen6: eInUse, inetWant: ioerr.AddressInUse, anyWant: ioerr.AddressInUse},
}

// withMockSys swaps the package's socket/bind/listen seam for one row.
func withMockSys(t *testing.T, r mockRow) {
	saved := sys
	t.Cleanup(func() { sys = saved })
	domainOf := func(fd int) int {
		d, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
		return d
	}
	pick := func(domain int, v4, v6 error) error {
		if domain == unix.AF_INET6 {
			return v6
		}
		return v4
	}
	sys.socket = func(domain, typ, proto int) (int, error) {
		if err := pick(domain, r.sock4, r.sock6); err != nil {
			return -1, err
		}
		fd, err := saved.socket(domain, typ, proto)
		if err == nil && domain == unix.AF_INET6 {
			v6only := 0
			if !r.v6SpeaksV4 {
				v6only = 1
			}
			_ = unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, v6only)
		}
		return fd, err
	}
	sys.bind = func(fd int, native []byte) error {
		if err := pick(domainOf(fd), r.bind4, r.bind6); err != nil {
			return err
		}
		return saved.bind(fd, native)
	}
	sys.listen = func(fd, backlog int) error {
		if err := pick(domainOf(fd), r.listen4, r.listen6); err != nil {
			return err
		}
		return saved.listen(fd, backlog)
	}
}

func checkOutcome(t *testing.T, what string, err error, want ioerr.Code, l *SocketListener) {
	t.Helper()
	if want == ok {
		if err != nil {
			t.Errorf("%s: %v, want success", what, err)
		}
		if len(l.sockets) == 0 {
			t.Errorf("%s: success with no socket", what)
		}
		for _, ls := range l.sockets {
			if !ls.sock.IsListening() {
				t.Errorf("%s: a socket that does not listen was added", what)
			}
		}
		return
	}
	var e *ioerr.Error
	if !errors.As(err, &e) || e.Code != want {
		t.Errorf("%s: %v, want code %v", what, err, want)
	}
	if len(l.sockets) != 0 {
		t.Errorf("%s: a failed call left %d sockets", what, len(l.sockets))
	}
}

func TestListenerListenFailures_SL4_SL5(t *testing.T) {
	for i, r := range listenFailureRows {
		if i == 0 {
			continue
		}
		t.Run(fmt.Sprintf("row%d", i), func(t *testing.T) {
			port := freePort(t)
			withMockSys(t, r)
			l := NewSocketListener()
			err := l.AddInetPort(port, nil)
			checkOutcome(t, "AddInetPort", err, r.inetWant, l)
			l.Close()

			l = NewSocketListener()
			p, err := l.AddAnyInetPort(nil)
			checkOutcome(t, "AddAnyInetPort", err, r.anyWant, l)
			if (err == nil) != (p != 0) {
				t.Errorf("AddAnyInetPort: port %d with error %v", p, err)
			}
			l.Close()
		})
	}
}

// Row 9 is the documented fix: GLib's add_any_inet_port fails when the
// dual-stack IPv6 socket cannot listen; ours listens on IPv4 instead, on
// the same port, and says so with its own four events.
func TestListenerAddAnyInetPortRow9DiffersFromGLib_SL5(t *testing.T) {
	withMockSys(t, listenFailureRows[9])
	l := newTestListener(t)
	evs := recordEvents(l)
	port, err := l.AddAnyInetPort(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []listenerEvent{
		{SocketListenerBinding, SocketFamilyIPv6}, {SocketListenerBound, SocketFamilyIPv6}, {SocketListenerListening, SocketFamilyIPv6},
		{SocketListenerBinding, SocketFamilyIPv4}, {SocketListenerBound, SocketFamilyIPv4}, {SocketListenerListening, SocketFamilyIPv4}, {SocketListenerListened, SocketFamilyIPv4},
	}
	if diff := cmp.Diff(want, *evs); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	a, _ := NewInetSocketAddressFromString("127.0.0.1", uint(port))
	dial(t, a)
	s, _, err := l.AcceptSocket(nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// backlogNotes counts l's "listen-backlog" notifications.
func backlogNotes(l *SocketListener) *int {
	n := 0
	l.Notify.ConnectDetailed("listen-backlog", func(string) { n++ })
	return &n
}

// SL-2, GLib's part: the backlog goes to the sockets added later; applied
// to sockets already listening it logs GSocket's critical per socket and
// changes nothing there; closed, it is a no-op.
func TestListenerSetBacklog_SL2(t *testing.T) {
	l := newTestListener(t)
	l.SetBacklog(20)
	if l.Backlog() != 20 {
		t.Errorf("backlog %d, want 20", l.Backlog())
	}
	var sock *Socket
	l.Event.Connect(func(ev SocketListenerEvent, s *Socket) {
		if ev == SocketListenerListened {
			sock = s
		}
	})
	if _, err := l.AddAnyInetPort(nil); err != nil {
		t.Fatal(err)
	}
	if sock.ListenBacklog() != 20 {
		t.Errorf("socket backlog %d, want 20", sock.ListenBacklog())
	}
	c := logging.StartCapture()
	l.SetBacklog(30)
	c.Stop()
	if c.Count("critical", "!socket->priv->listening") != 1 || sock.ListenBacklog() != 20 || l.Backlog() != 30 {
		t.Errorf("late SetBacklog: criticals %d, socket %d, listener %d", c.Count("critical", ""), sock.ListenBacklog(), l.Backlog())
	}
	l.Close()
	l.SetBacklog(5)
	if l.Backlog() != 30 {
		t.Errorf("SetBacklog after Close changed it to %d", l.Backlog())
	}
}

// SL-2's differences: GLib's set_backlog(5000) stores 5000 and never
// notifies (PyGObject 2.74: set_backlog(5000) then props.listen_backlog is
// 5000, set_backlog(-3) -3, no notify::listen-backlog); here a value out of
// the property's range 0..2000 is a critical and no change, and a change
// notifies.
func TestListenerSetBacklogDiffersFromGLib_SL2(t *testing.T) {
	l := newTestListener(t)
	notes := backlogNotes(l)
	l.SetBacklog(20)
	if l.Backlog() != 20 || *notes != 1 {
		t.Errorf("SetBacklog(20): backlog %d, notified %d", l.Backlog(), *notes)
	}
	for _, bad := range []int{-3, -1, 2001, 5000} {
		c := logging.StartCapture()
		l.SetBacklog(bad)
		c.Stop()
		if c.Count("critical", fmt.Sprintf("listen_backlog %d out of range 0..2000", bad)) != 1 || l.Backlog() != 20 || *notes != 1 {
			t.Errorf("SetBacklog(%d): backlog %d, notified %d, records %v", bad, l.Backlog(), *notes, c.Records())
		}
	}
	for _, edge := range []int{0, 2000} {
		l.SetBacklog(edge)
		if l.Backlog() != edge {
			t.Errorf("SetBacklog(%d) refused: backlog %d", edge, l.Backlog())
		}
	}
}

// SL-1/SL-2 by name, each value checked against PyGObject on GLib 2.74:
// set_property("listen-backlog", 5000) and (-1) are refused ("value \"5000\"
// of type 'gint' is invalid or out of range for property 'listen-backlog'")
// and the value stays 10; 20 set twice notifies twice; the set is
// set_backlog, so it reaches the sockets already added: a listening one
// logs "!socket->priv->listening" and keeps 10, one added before it
// listens takes the new value; on a closed listener nothing changes.
func TestListenerBacklogByName_SL1_SL2(t *testing.T) {
	l := newTestListener(t)
	notes := backlogNotes(l)
	for _, bad := range []any{5000, -1, int64(2001)} {
		err := l.SetProperty("listen-backlog", bad)
		if !errors.Is(err, object.ErrPropertyRange) || !strings.Contains(err.Error(), fmt.Sprintf("value %v is out of range 0..2000", bad)) {
			t.Errorf("SetProperty(%v): %v, want ErrPropertyRange", bad, err)
		}
		if l.Backlog() != 10 {
			t.Errorf("SetProperty(%v) changed the backlog to %d", bad, l.Backlog())
		}
	}
	if err := l.SetProperty("listen-backlog", "many"); !errors.Is(err, object.ErrPropertyType) {
		t.Errorf("SetProperty(string): %v, want ErrPropertyType", err)
	}
	var pe *object.PropertyError
	if err := l.SetProperty("listen_backlog", 5000); !errors.As(err, &pe) || pe.Name != "listen_backlog" {
		t.Errorf("the error names %v, want the name as given", err)
	}
	if *notes != 0 {
		t.Errorf("refused sets notified %d times", *notes)
	}
	for i := range 2 {
		if err := l.SetProperty("listen_backlog", int64(20)); err != nil {
			t.Fatal(err)
		}
		if v, _ := l.Property("listen-backlog"); v != 20 || *notes != i+1 {
			t.Errorf("set %d: listen-backlog %v, notified %d", i+1, v, *notes)
		}
	}

	l2 := newTestListener(t)
	listening, _ := listenLoopback(t, SocketFamilyIPv4)
	fresh, err := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Socket{listening, fresh} {
		if err := l2.AddSocket(s, nil); err != nil {
			t.Fatal(err)
		}
	}
	c := logging.StartCapture()
	err = l2.SetProperty("listen-backlog", 42)
	c.Stop()
	if err != nil {
		t.Fatal(err)
	}
	got := []int{l2.Backlog(), listening.ListenBacklog(), fresh.ListenBacklog(), c.Count("critical", "!socket->priv->listening")}
	if diff := cmp.Diff([]int{42, 10, 42, 1}, got); diff != "" {
		t.Errorf("listener, listening socket, fresh socket backlog, criticals (-want +got):\n%s", diff)
	}

	l2.Close()
	if err := l2.SetProperty("listen-backlog", 30); err != nil || l2.Backlog() != 42 {
		t.Errorf("closed: SetProperty %v, backlog %d, want nil and 42", err, l2.Backlog())
	}
	// Other names go to the Object.
	if err := l2.SetProperty("nope", 1); !errors.Is(err, object.ErrUnknownProperty) {
		t.Errorf("unknown name: %v", err)
	}
}

// GLib 2.74 emits notify::listen-backlog for a refused by-name set too,
// with the value unchanged (PyGObject: set_property("listen-backlog",
// 5000) then one notification reading 10), as for every non-explicit-notify
// property, and for set_property("listen-backlog", 30) on a closed
// listener (one notification reading the old 20); here, as with
// object.Object.SetProperty, neither notifies.
func TestListenerBacklogByNameRefusedDiffersFromGLib_SL1(t *testing.T) {
	l := newTestListener(t)
	notes := backlogNotes(l)
	if err := l.SetProperty("listen-backlog", 5000); err == nil {
		t.Fatal("5000 accepted")
	}
	if *notes != 0 || l.Backlog() != 10 {
		t.Errorf("refused set: notified %d, backlog %d; want 0 and 10", *notes, l.Backlog())
	}
	l.Close()
	if err := l.SetProperty("listen-backlog", 30); err != nil || *notes != 0 || l.Backlog() != 10 {
		t.Errorf("closed: %v, notified %d, backlog %d; want nil, 0 and 10", err, *notes, l.Backlog())
	}
}

func TestListenerAddSocket_SL6_SL7(t *testing.T) {
	l := newTestListener(t)
	c := logging.StartCapture()
	err := l.AddSocket(nil, nil)
	c.Stop()
	wantIOErr(t, err, ioerr.InvalidArgument, "")
	if c.Count("critical", "G_IS_SOCKET (socket)") != 1 {
		t.Errorf("no critical for a nil socket: %v", c.Records())
	}
	closed, _ := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	closed.Close()
	wantIOErr(t, l.AddSocket(closed, nil), ioerr.Failed, "Added socket is closed")

	// Neither bound nor listening is checked, as in GLib; blocking stays.
	a, addrA := listenLoopback(t, SocketFamilyIPv4)
	b, addrB := listenLoopback(t, SocketFamilyIPv4)
	if err := l.AddSocket(a, "A"); err != nil {
		t.Fatal(err)
	}
	if err := l.AddSocket(b, "B"); err != nil {
		t.Fatal(err)
	}
	if !a.Blocking() {
		t.Errorf("AddSocket changed the blocking mode")
	}
	for _, tc := range []struct {
		addr SocketAddress
		want string
	}{{addrA, "A"}, {addrB, "B"}, {addrB, "B"}, {addrA, "A"}} {
		dial(t, tc.addr)
		conn, src, err := l.Accept(nil)
		if err != nil {
			t.Fatal(err)
		}
		if src != tc.want {
			t.Errorf("source %v, want %v", src, tc.want)
		}
		conn.Close()
	}
	// Close closes AddSocket's sockets too (SL-14); then Add gives CLOSED.
	l.Close()
	if !a.IsClosed() || !b.IsClosed() {
		t.Errorf("Close left an added socket open")
	}
	s, _ := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	defer s.Close()
	wantIOErr(t, l.AddSocket(s, nil), ioerr.Closed, "Listener is already closed")
}

// AddSocket adopts a net.Listener through NewSocketFromNetListener; the
// adopted socket is blocking, and an async accept still never blocks the
// context (a second pending accept waits).
func TestListenerAdoptsNetListener_SL6(t *testing.T) {
	lp := newTestLoop(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSocketFromNetListener(ln)
	ln.Close()
	if err != nil {
		t.Fatal(err)
	}
	l := newTestListener(t)
	if err := l.AddSocket(s, "go"); err != nil {
		t.Fatal(err)
	}
	var r1, r2 result
	l.AcceptAsync(nil, r1.cb)
	l.AcceptAsync(nil, r2.cb)
	addr, _ := s.LocalAddress()
	dial(t, addr)
	r1.wait(lp)
	for range 5 {
		lp.ctx.Iteration(false)
	}
	conn, src, err := l.AcceptFinish(r1.res)
	if err != nil || src != "go" {
		t.Fatalf("%v %v", src, err)
	}
	conn.Close()
	if r2.done {
		t.Fatal("the second accept completed with no second client")
	}
	l.Close()
	r2.wait(lp)
	if _, _, err := l.AcceptFinish(r2.res); !errors.Is(err, ErrClosed) {
		t.Errorf("second accept after Close: %v", err)
	}
}

func TestListenerAcceptSync_SL8(t *testing.T) {
	t.Run("one socket", func(t *testing.T) {
		l := newTestListener(t)
		eff, err := l.AddAddress(loopback4(), SocketTypeStream, SocketProtocolDefault, 7)
		if err != nil {
			t.Fatal(err)
		}
		dial(t, eff)
		s, src, err := l.AcceptSocket(nil)
		if err != nil || src != 7 {
			t.Fatalf("%v %v", src, err)
		}
		s.Close()
	})
	t.Run("several sockets", func(t *testing.T) {
		l := newTestListener(t)
		var addrs []SocketAddress
		for i := range 3 {
			eff, err := l.AddAddress(loopback4(), SocketTypeStream, SocketProtocolDefault, i)
			if err != nil {
				t.Fatal(err)
			}
			addrs = append(addrs, eff)
		}
		for _, i := range []int{2, 0, 1} {
			dial(t, addrs[i])
			s, src, err := l.AcceptSocket(nil)
			if err != nil || src != i {
				t.Fatalf("want %d: %v %v", i, src, err)
			}
			s.Close()
		}
	})
	for _, n := range []int{1, 3} {
		t.Run(fmt.Sprintf("cancel %d", n), func(t *testing.T) {
			l := newTestListener(t)
			for range n {
				addLoopback4(t, l)
			}
			c := cancellable.New()
			time.AfterFunc(20*time.Millisecond, c.Cancel)
			_, _, err := l.AcceptSocket(c)
			wantIOErr(t, err, ioerr.Cancelled, "Operation was cancelled")
		})
		t.Run(fmt.Sprintf("close %d", n), func(t *testing.T) {
			l := newTestListener(t)
			for range n {
				addLoopback4(t, l)
			}
			time.AfterFunc(20*time.Millisecond, l.Close)
			_, _, err := l.AcceptSocket(nil)
			wantIOErr(t, err, ioerr.Closed, "Socket is already closed")
		})
	}
	t.Run("no sockets differs from GLib", func(t *testing.T) {
		l := newTestListener(t)
		_, _, err := l.Accept(nil)
		wantIOErr(t, err, ioerr.InvalidArgument, "Listener has no sockets to accept from: add a socket, address or port first")
	})
}

func TestListenerAcceptConnectionTypes_SL9(t *testing.T) {
	lp := newTestLoop(t)
	l := newTestListener(t)
	tcp := addLoopback4(t, l)
	ux, err := l.AddAddress(NewUnixSocketAddress(filepath.Join(t.TempDir(), "u.sock")), SocketTypeStream, SocketProtocolDefault, nil)
	if err != nil {
		t.Fatal(err)
	}
	dial(t, tcp)
	var r result
	l.AcceptAsync(nil, r.cb)
	conn, _, err := l.AcceptFinish(r.wait(lp))
	if err != nil || conn.TCP() == nil {
		t.Fatalf("tcp: %v %v", conn, err)
	}
	conn.Close()
	dial(t, ux)
	r = result{}
	l.AcceptAsync(nil, r.cb)
	conn, _, err = l.AcceptFinish(r.wait(lp))
	if err != nil || conn.Unix() == nil {
		t.Fatalf("unix: %v %v", conn, err)
	}
	conn.Close()
}

// /socket-listener/accept/multi-simultaneously (#3739): five ports, five
// clients queued before any iteration, one accept_async: exactly one
// connection; four more accept_async get the other four, all distinct.
func TestListenerAcceptMultiSimultaneously_SL10(t *testing.T) {
	lp := newTestLoop(t)
	l := newTestListener(t)
	var addrs []SocketAddress
	for i := range 5 {
		p, err := l.AddAnyInetPort(i)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := NewInetSocketAddressFromString("127.0.0.1", uint(p))
		addrs = append(addrs, a)
	}
	for _, a := range addrs {
		dial(t, a)
	}
	time.Sleep(20 * time.Millisecond) // let the kernel queue all five
	results := make([]*result, 1, 5)
	results[0] = &result{}
	l.AcceptAsync(nil, results[0].cb)
	results[0].wait(lp)
	for range 10 {
		lp.ctx.Iteration(false)
	}
	if results[0].calls != 1 {
		t.Fatalf("callback ran %d times", results[0].calls)
	}
	for range 4 {
		r := &result{}
		results = append(results, r)
		l.AcceptAsync(nil, r.cb)
	}
	lp.until(func() bool {
		for _, r := range results {
			if !r.done {
				return false
			}
		}
		return true
	})
	seen := map[any]bool{}
	conns := map[*SocketConnection]bool{}
	for _, r := range results {
		conn, src, err := l.AcceptFinish(r.res)
		if err != nil {
			t.Fatal(err)
		}
		seen[src] = true
		conns[conn] = true
		conn.Close()
	}
	if len(seen) != 5 || len(conns) != 5 {
		t.Errorf("got sources %v: want five distinct connections", seen)
	}
}

// N pending accepts on one socket and N clients: N distinct connections,
// each callback once (the WOULD_BLOCK case of SL-10).
func TestListenerPendingAccepts_SL10(t *testing.T) {
	lp := newTestLoop(t)
	l := newTestListener(t)
	eff := addLoopback4(t, l)
	const n = 8
	rs := make([]result, n)
	for i := range rs {
		l.AcceptSocketAsync(nil, rs[i].cb)
	}
	for range n {
		dial(t, eff)
	}
	lp.until(func() bool {
		for i := range rs {
			if !rs[i].done {
				return false
			}
		}
		return true
	})
	ports := map[string]bool{}
	for i := range rs {
		if rs[i].calls != 1 {
			t.Errorf("callback %d ran %d times", i, rs[i].calls)
		}
		s, _, err := l.AcceptSocketFinish(rs[i].res)
		if err != nil {
			t.Fatal(err)
		}
		ra, _ := s.RemoteAddress()
		ports[ra.String()] = true
		s.Close()
	}
	if len(ports) != n {
		t.Errorf("%d distinct peers, want %d", len(ports), n)
	}
}

func TestListenerAcceptCancelled_SL11(t *testing.T) {
	lp := newTestLoop(t)
	l := newTestListener(t)
	if _, err := l.AddAnyInetPort(nil); err != nil {
		t.Fatal(err)
	}
	c := cancellable.New()
	var r result
	l.AcceptAsync(c, r.cb)
	lp.ctx.Iteration(false)
	c.Cancel()
	if r.done {
		t.Fatal("callback ran inside Cancel")
	}
	_, _, err := l.AcceptFinish(r.wait(lp))
	wantIOErr(t, err, ioerr.Cancelled, "Operation was cancelled")

	// Already cancelled at call time: still later, still CANCELLED.
	r = result{}
	l.AcceptSocketAsync(c, r.cb)
	if r.done {
		t.Fatal("callback ran inside AcceptSocketAsync")
	}
	_, _, err = l.AcceptSocketFinish(r.wait(lp))
	wantIOErr(t, err, ioerr.Cancelled, "")
}

func TestListenerClosePendingAccept_SL12(t *testing.T) {
	for _, fromOther := range []bool{false, true} {
		t.Run(fmt.Sprintf("other goroutine %v", fromOther), func(t *testing.T) {
			lp := newTestLoop(t)
			l := newTestListener(t)
			if _, err := l.AddAnyInetPort(nil); err != nil {
				t.Fatal(err)
			}
			addLoopback4(t, l)
			var r result
			l.AcceptAsync(nil, r.cb)
			lp.ctx.Iteration(false)
			if fromOther {
				// Close while the context is blocked in an iteration with
				// nothing else to wake it (no tick; only a guard against a
				// hang): the close itself must wake it.
				time.AfterFunc(20*time.Millisecond, l.Close)
				guard := mainloop.NewTimeoutSource(testTimeout)
				guard.SetCallback(func() bool { return mainloop.SourceRemove })
				guard.Attach(lp.ctx)
				start := time.Now()
				for !r.done && time.Since(start) < testTimeout {
					lp.ctx.Iteration(true)
				}
				guard.Destroy()
				if el := time.Since(start); !r.done || el > testTimeout/2 {
					t.Fatalf("Close from another goroutine woke the context after %v (done %v)", el, r.done)
				}
			} else {
				l.Close()
			}
			_, _, err := l.AcceptFinish(r.wait(lp))
			wantIOErr(t, err, ioerr.Closed, "Socket is already closed")
			r.wantOnce(lp, 5)
		})
	}
}

// Differs from GLib (SL-13): no sockets fails, later, instead of never.
func TestListenerAcceptAsyncNoSocketsDiffersFromGLib_SL13(t *testing.T) {
	lp := newTestLoop(t)
	l := newTestListener(t)
	var r result
	l.AcceptAsync(nil, r.cb)
	if r.done {
		t.Fatal("callback ran inside AcceptAsync")
	}
	_, _, err := l.AcceptFinish(r.wait(lp))
	wantIOErr(t, err, ioerr.InvalidArgument, "Listener has no sockets to accept from: add a socket, address or port first")
}

func TestListenerClose_SL14(t *testing.T) {
	lp := newTestLoop(t)
	l := NewSocketListener()
	if _, err := l.AddAnyInetPort(nil); err != nil {
		t.Fatal(err)
	}
	sock := l.sockets[0].sock
	l.Close()
	l.Close() // idempotent
	if !sock.IsClosed() {
		t.Fatal("socket left open")
	}
	const msg = "Listener is already closed"
	wantIOErr(t, l.AddInetPort(5000, nil), ioerr.Closed, msg)
	_, err := l.AddAnyInetPort(nil)
	wantIOErr(t, err, ioerr.Closed, msg)
	_, err = l.AddAddress(loopback4(), SocketTypeStream, SocketProtocolDefault, nil)
	wantIOErr(t, err, ioerr.Closed, msg)
	_, _, err = l.Accept(nil)
	wantIOErr(t, err, ioerr.Closed, msg)
	var r result
	l.AcceptAsync(nil, r.cb)
	if r.done {
		t.Fatal("callback ran inside AcceptAsync")
	}
	_, _, err = l.AcceptFinish(r.wait(lp))
	wantIOErr(t, err, ioerr.Closed, msg)
}

// eventOrderListener overrides DoEvent and chains up.
type eventOrderListener struct {
	SocketListener
	log *[]string
}

func (e *eventOrderListener) DoEvent(ev SocketListenerEvent, s *Socket) {
	*e.log = append(*e.log, "class "+ev.String())
	e.SocketListener.DoEvent(ev, s)
}

// SL-15: "event" is RUN_LAST: handlers, then the class handler (the
// overridden DoEvent), then the after-handlers.
func TestListenerEventVirtual_SL15(t *testing.T) {
	var log []string
	l := &eventOrderListener{log: &log}
	l.Init(l)
	defer l.Close()
	l.Event.Connect(func(ev SocketListenerEvent, _ *Socket) { log = append(log, "handler "+ev.String()) })
	l.Event.ConnectAfter(func(ev SocketListenerEvent, _ *Socket) { log = append(log, "after "+ev.String()) })
	addLoopback4(t, l)
	var want []string
	for _, ev := range []string{"BINDING", "BOUND", "LISTENING", "LISTENED"} {
		want = append(want, "handler "+ev, "class "+ev, "after "+ev)
	}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// countingListener overrides DoChanged.
type countingListener struct {
	SocketListener
	changed int
}

func (c *countingListener) DoChanged() { c.changed++; c.SocketListener.DoChanged() }

// SL-17: changed runs once after each successful add, never after a failure.
func TestListenerChanged_SL17(t *testing.T) {
	l := &countingListener{}
	l.Init(l)
	defer l.Close()
	addLoopback4(t, l)
	port, err := l.AddAnyInetPort(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.AddInetPort(freePort(t), nil); err != nil {
		t.Fatal(err)
	}
	s, _ := listenLoopback(t, SocketFamilyIPv4)
	if err := l.AddSocket(s, nil); err != nil {
		t.Fatal(err)
	}
	if l.changed != 4 {
		t.Errorf("changed %d times, want 4", l.changed)
	}
	if err := l.AddInetPort(int(port), nil); err == nil {
		t.Fatal("second bind of the same port succeeded")
	}
	if l.changed != 4 {
		t.Errorf("changed ran after a failure")
	}
}

// SL-16: the listener's sockets are close-on-exec, non-blocking, TCP_NODELAY
// and SO_REUSEADDR.
func TestListenerSocketOptions_SL16(t *testing.T) {
	l := newTestListener(t)
	if _, err := l.AddAnyInetPort(nil); err != nil {
		t.Fatal(err)
	}
	s := l.sockets[0].sock
	fl, _ := unix.FcntlInt(uintptr(s.FD()), unix.F_GETFL, 0)
	fd, _ := unix.FcntlInt(uintptr(s.FD()), unix.F_GETFD, 0)
	nodelay, _ := s.Option(unix.IPPROTO_TCP, unix.TCP_NODELAY)
	reuse, _ := s.Option(unix.SOL_SOCKET, unix.SO_REUSEADDR)
	if fl&unix.O_NONBLOCK == 0 || fd&unix.FD_CLOEXEC == 0 || nodelay == 0 || reuse == 0 || s.Blocking() {
		t.Errorf("flags %#x fd flags %#x nodelay %d reuse %d blocking %v", fl, fd, nodelay, reuse, s.Blocking())
	}
}

// Bad input: a clear error or a critical, never a panic or a hang.
func TestListenerBadInput(t *testing.T) {
	lp := newTestLoop(t)
	l := newTestListener(t)
	c := logging.StartCapture()
	wantIOErr(t, l.AddInetPort(0, nil), ioerr.InvalidArgument, "")
	c.Stop()
	if c.Count("critical", "assertion 'port != 0' failed") != 1 {
		t.Errorf("no critical for port 0")
	}
	for _, p := range []int{-1, 65536, 70000} {
		wantIOErr(t, l.AddInetPort(p, nil), ioerr.InvalidArgument, fmt.Sprintf("port %d out of range 1..65535", p))
	}
	c = logging.StartCapture()
	_, err := l.AddAddress(nil, SocketTypeStream, SocketProtocolDefault, nil)
	c.Stop()
	wantIOErr(t, err, ioerr.InvalidArgument, "")
	if c.Count("critical", "G_IS_SOCKET_ADDRESS (address)") != 1 {
		t.Errorf("no critical for a nil address: %v", c.Records())
	}

	// Finish: a second call, a foreign result, a nil result.
	if _, err := l.AddAnyInetPort(nil); err != nil {
		t.Fatal(err)
	}
	cn := cancellable.New()
	cn.Cancel()
	var r result
	l.AcceptAsync(cn, r.cb)
	res := r.wait(lp)
	if _, _, err := l.AcceptFinish(res); !errors.Is(err, ErrCancelled) {
		t.Fatal(err)
	}
	c = logging.StartCapture()
	_, _, err = l.AcceptFinish(res)
	_, _, err2 := l.AcceptSocketFinish(res) // AcceptAsync's result is foreign here
	other := newTestListener(t)
	_, _, err3 := other.AcceptFinish(res)
	_, _, err4 := l.AcceptFinish(nil)
	c.Stop()
	if err == nil || err2 == nil || err3 == nil || err4 == nil {
		t.Fatalf("refused finishes: %v %v %v %v", err, err2, err3, err4)
	}
	wantIOErr(t, err, ioerr.Failed, "")
	wantIOErr(t, err4, ioerr.InvalidArgument, "")
	wantIOErr(t, err2, ioerr.InvalidArgument, "g_socket_listener_accept_socket_finish: assertion 'g_task_is_valid (result, source)' failed")
	wantIOErr(t, err3, ioerr.InvalidArgument, "")
	if c.Count("critical", "") < 4 {
		t.Errorf("criticals: %v", c.Records())
	}

	// A zero and a nil listener: criticals and errors.
	var zero SocketListener
	var nilL *SocketListener
	c = logging.StartCapture()
	for _, bad := range []*SocketListener{&zero, nilL} {
		wantIOErr(t, bad.AddInetPort(5000, nil), ioerr.NotInitialized, "")
		_, err := bad.AddAnyInetPort(nil)
		wantIOErr(t, err, ioerr.NotInitialized, "")
		_, _, err = bad.Accept(nil)
		wantIOErr(t, err, ioerr.NotInitialized, "")
		bad.SetBacklog(3)
		bad.Close()
		var r result
		bad.AcceptAsync(nil, r.cb)
		_, _, err = bad.AcceptFinish(r.wait(lp))
		if err == nil {
			t.Errorf("AcceptAsync on an unusable listener succeeded")
		}
	}
	c.Stop()
	if c.Count("critical", "G_IS_SOCKET_LISTENER") < 10 {
		t.Errorf("criticals: %d", c.Count("critical", "G_IS_SOCKET_LISTENER"))
	}
}

// The callback context is the caller's context (TASK-16), also for a
// listener made on another context.
func TestListenerAcceptCallbackContext(t *testing.T) {
	lp := newTestLoop(t)
	var l *SocketListener
	other := mainloop.NewContext()
	done := make(chan struct{})
	go func() {
		_ = other.PushThreadDefault()
		l = NewSocketListener()
		other.PopThreadDefault()
		close(done)
	}()
	<-done
	defer l.Close()
	if l.MainContext() != other {
		t.Fatal("listener affinity")
	}
	eff := addLoopback4(t, l)
	var r result
	l.AcceptAsync(nil, r.cb)
	dial(t, eff)
	conn, _, err := l.AcceptFinish(r.wait(lp)) // wait checks the context
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if r.source != l || !asyncresult.IsValid(r.res, l) {
		t.Errorf("source object %v", r.source)
	}
}

// ExampleSocketListener accepts one connection asynchronously on a main
// loop and reports the source object of the port it came in on.
func ExampleSocketListener() {
	ctx := mainloop.NewContext()
	_ = ctx.PushThreadDefault()
	defer ctx.PopThreadDefault()
	loop := mainloop.New(ctx)

	l := NewSocketListener()
	defer l.Close()
	l.Event.Connect(func(ev SocketListenerEvent, _ *Socket) { fmt.Println("event", ev) })
	eff, err := l.AddAddress(loopback4(), SocketTypeStream, SocketProtocolDefault, "the loopback port")
	if err != nil {
		fmt.Println(err)
		return
	}
	l.AcceptAsync(nil, func(_ any, res asyncresult.AsyncResult) {
		defer loop.Quit()
		conn, src, err := l.AcceptFinish(res)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer conn.Close()
		fmt.Println("accepted on", src)
	})
	c, err := net.Dial("tcp", eff.String())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	loop.Run()
	// Output:
	// event BINDING
	// event BOUND
	// event LISTENING
	// event LISTENED
	// accepted on the loopback port
}

// ExampleSocketListener_SetProperty sets "listen-backlog" by name: a value
// outside GLib's range 0..2000 is refused, as g_object_set refuses it, and
// a value in range is SetBacklog.
func ExampleSocketListener_SetProperty() {
	l := NewSocketListener()
	defer l.Close()
	err := l.SetProperty("listen-backlog", 5000)
	fmt.Println(errors.Is(err, object.ErrPropertyRange), err)
	if err := l.SetProperty("listen-backlog", 64); err != nil {
		fmt.Println(err)
	}
	fmt.Println(l.Backlog())
	// Output:
	// true object: set property "listen-backlog": value 5000 is out of range 0..2000
	// 64
}
