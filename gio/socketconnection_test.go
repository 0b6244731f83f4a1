package gio

import (
	"errors"
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/internal/ioerr"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/object"
)

// The connection factory (SOCK-10): IPv4/IPv6 stream sockets give a
// TCPConnection, Unix sockets a UnixConnection, anything else the base.
func TestConnectionFactory_SOCK10(t *testing.T) {
	cases := []struct {
		family   SocketFamily
		typ      SocketType
		protocol SocketProtocol
		tcp      bool
		unix     bool
	}{
		{SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault, true, false},
		{SocketFamilyIPv6, SocketTypeStream, SocketProtocolDefault, true, false},
		{SocketFamilyIPv4, SocketTypeStream, SocketProtocolTCP, true, false},
		{SocketFamilyIPv6, SocketTypeStream, SocketProtocolTCP, true, false},
		{SocketFamilyUnix, SocketTypeStream, SocketProtocolDefault, false, true},
		{SocketFamilyUnix, SocketTypeDatagram, SocketProtocolDefault, false, true},
		{SocketFamilyIPv4, SocketTypeDatagram, SocketProtocolDefault, false, false},
		{SocketFamilyIPv6, SocketTypeDatagram, SocketProtocolUDP, false, false},
	}
	for _, tc := range cases {
		s, err := NewSocket(tc.family, tc.typ, tc.protocol)
		if err != nil {
			t.Fatal(err)
		}
		c := NewSocketConnection(s)
		if (c.TCP() != nil) != tc.tcp || (c.Unix() != nil) != tc.unix {
			t.Errorf("%v/%v/%v: TCP()=%v Unix()=%v", tc.family, tc.typ, tc.protocol, c.TCP() != nil, c.Unix() != nil)
		}
		if c.TCP() != nil && &c.TCP().SocketConnection != c {
			t.Error("TCP() does not embed the same connection")
		}
		if c.Socket() != s {
			t.Error("Socket() is not the socket given")
		}
		if c.InputStream() != c.InputStream() || c.OutputStream() != c.OutputStream() {
			t.Error("streams differ between calls")
		}
		_ = c.Close()
	}
}

// g_io_stream_close on a connection: output, input, then the socket; a
// second close is fine; afterwards the streams are CLOSED (SOCK-10).
func TestConnectionClose_SOCK10(t *testing.T) {
	for _, network := range networks {
		t.Run(network, func(t *testing.T) {
			client, server := connPair(t, network)
			if !client.IsConnected() {
				t.Fatal("not connected")
			}
			if err := client.Close(); err != nil {
				t.Fatal(err)
			}
			if !client.IsClosed() || !client.InputStream().IsClosed() || !client.OutputStream().IsClosed() ||
				!client.Socket().IsClosed() {
				t.Fatal("Close left something open")
			}
			if client.IsConnected() {
				t.Fatal("IsConnected after Close")
			}
			if err := client.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			_, err := client.OutputStream().Write([]byte("x"), nil)
			wantIOErr(t, err, ioerr.Closed, "Stream is already closed")
			// The peer sees end of stream.
			if n, err := server.InputStream().Read(make([]byte, 1), nil); n != 0 || err != nil {
				t.Fatalf("peer Read = %d, %v", n, err)
			}
		})
	}
}

// A read in progress does not stop the close (GLib ignores the streams'
// errors): the socket closes and the read ends with the socket's CLOSED.
// The input stream itself stays open, as in GLib.
func TestConnectionCloseWithReadPending_SOCK10(t *testing.T) {
	l := newTestLoop(t)
	client, _ := connPair(t, "tcp4")
	var r result
	client.InputStream().ReadAsync(make([]byte, 1), mainloop.PriorityDefault, nil, r.cb)
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	if !client.OutputStream().IsClosed() || client.InputStream().IsClosed() || !client.Socket().IsClosed() {
		t.Fatal("want output closed, input open (its close was PENDING), socket closed")
	}
	_, err := client.InputStream().ReadFinish(r.wait(l))
	wantIOErr(t, err, ioerr.Closed, "Socket is already closed")
}

// close_async: the result comes later on the caller's context; a Close in
// between is PENDING (SOCK-10).
func TestConnectionCloseAsync_SOCK10(t *testing.T) {
	l := newTestLoop(t)
	client, _ := connPair(t, "unix")
	var r result
	client.CloseAsync(mainloop.PriorityDefault, nil, r.cb)
	if r.done {
		t.Fatal("callback inside CloseAsync")
	}
	if !client.HasPending() {
		t.Fatal("no pending close")
	}
	wantIOErr(t, client.Close(), ioerr.Pending, "Stream has outstanding operation")
	var r2 result
	client.CloseAsync(mainloop.PriorityDefault, nil, r2.cb)
	if err := client.CloseFinish(r.wait(l)); err != nil {
		t.Fatal(err)
	}
	if r.source != client {
		t.Errorf("callback source %T, want the connection", r.source)
	}
	wantIOErr(t, client.CloseFinish(r2.wait(l)), ioerr.Pending, "Stream has outstanding operation")
	if !client.IsClosed() || !client.Socket().IsClosed() {
		t.Fatal("not closed")
	}
	var r3 result
	client.CloseAsync(mainloop.PriorityDefault, nil, r3.cb)
	if err := client.CloseFinish(r3.wait(l)); err != nil {
		t.Fatalf("CloseAsync on a closed connection: %v", err)
	}
}

func TestConnectionAddresses_SOCK10(t *testing.T) {
	client, server := connPair(t, "tcp4")
	cl, errLocal := client.LocalAddress()
	sr, errRemote := server.RemoteAddress()
	if err := errors.Join(errLocal, errRemote); err != nil {
		t.Fatal(err)
	}
	if cl.String() != sr.String() {
		t.Fatalf("client local %v != server remote %v", cl, sr)
	}
}

// g_socket_connection_connect_async on an unconnected socket.
func TestConnectionConnectAsync_SOCK10(t *testing.T) {
	l := newTestLoop(t)
	listener, addr := listenLoopback(t, SocketFamilyIPv4)
	s, err := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	if err != nil {
		t.Fatal(err)
	}
	c := NewSocketConnection(s)
	defer c.Close()
	if c.IsConnected() {
		t.Fatal("connected before Connect")
	}
	var r result
	c.ConnectAsync(addr, mainloop.PriorityDefault, nil, r.cb)
	if err := c.ConnectFinish(r.wait(l)); err != nil {
		t.Fatal(err)
	}
	if !c.IsConnected() {
		t.Fatal("not connected")
	}
	acceptAndClose(t, listener)
}

// A Finish given the wrong result is a programmer error: a critical and
// INVALID_ARGUMENT, never a panic.
func TestFinishWrongResult_TASK15(t *testing.T) {
	l := newTestLoop(t)
	client, server := connPair(t, "unix")
	var r result
	client.OutputStream().WriteAsync([]byte("x"), mainloop.PriorityDefault, nil, r.cb)
	res := r.wait(l)
	capture := logging.StartCapture()
	_, err := server.OutputStream().WriteFinish(res) // wrong stream
	_, err2 := client.InputStream().ReadFinish(res)  // wrong operation
	capture.Stop()
	wantIOErr(t, err, ioerr.InvalidArgument, "")
	wantIOErr(t, err2, ioerr.InvalidArgument, "")
	if n := capture.Count("critical", "g_output_stream_write_finish: assertion 'g_task_is_valid"); n != 1 {
		t.Fatalf("%d criticals naming g_output_stream_write_finish, want 1", n)
	}
	if n := capture.Count("critical", "g_task_is_valid"); n != 2 {
		t.Fatalf("%d criticals, want 2", n)
	}
	if n, err := client.OutputStream().WriteFinish(res); err != nil || n != 1 {
		t.Fatalf("right Finish = %d, %v", n, err)
	}
	var other asyncresult.AsyncResult
	capture = logging.StartCapture()
	_, err = client.InputStream().ReadFinish(other)
	capture.Stop()
	wantIOErr(t, err, ioerr.InvalidArgument, "")
	if n := capture.Count("critical", "g_input_stream_read_finish: assertion 'g_task_is_valid"); n != 1 || len(capture.Records()) != 1 {
		t.Fatalf("nil result: %d criticals naming g_input_stream_read_finish, want 1 and nothing else", n)
	}
}

// Since Go 1.24, net.Listen on Linux may make Multipath TCP sockets, so a
// Socket adopted from a net.Listener, or accepted from one, or adopted from
// a net.Conn, can report protocol 262; the factory must still make a
// TCPConnection for it (SOCK-10).
func TestConnectionFactoryMPTCP_SOCK10(t *testing.T) {
	if k := connectionKind(SocketFamilyIPv4, SocketTypeStream, SocketProtocolMPTCP); k != kindTCP {
		t.Errorf("factory table: IPv4/stream/MPTCP gives kind %v, want TCP", k)
	}
	if k := connectionKind(SocketFamilyIPv6, SocketTypeStream, SocketProtocolMPTCP); k != kindTCP {
		t.Errorf("factory table: IPv6/stream/MPTCP gives kind %v, want TCP", k)
	}
	if k := connectionKind(SocketFamilyIPv4, SocketTypeDatagram, SocketProtocolMPTCP); k != kindPlain {
		t.Errorf("factory table: IPv4/datagram/MPTCP gives kind %v, want plain", k)
	}

	nl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	ls, err := NewSocketFromNetListener(nl)
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close()
	t.Logf("net.Listen socket protocol: %v (%d)", ls.Protocol(), int(ls.Protocol()))
	if p := ls.Protocol(); p != SocketProtocolTCP && p != SocketProtocolMPTCP {
		t.Fatalf("adopted listener protocol %v, want tcp or mptcp", p)
	}
	// tcpConn is the factory's connection for s, which must be a TCPConnection.
	tcpConn := func(s *Socket, what string) *SocketConnection {
		c := NewSocketConnection(s)
		if c.TCP() == nil {
			t.Errorf("%s (protocol %v): factory made no TCPConnection", what, s.Protocol())
		}
		return c
	}
	tcpConn(ls, "listener adopted from net.Listen")

	nc := dialTCP(t, nl.Addr().String())
	ac := tcpConn(acceptSocket(t, ls), "socket accepted from an adopted net.Listen socket")
	defer ac.Close()
	cs, err := NewSocketFromNetConn(nc)
	if err != nil {
		t.Fatal(err)
	}
	cc := tcpConn(cs, "socket adopted from net.Dial")
	defer cc.Close()
	// The TCP-only behaviour works on it: a graceful close drains the peer.
	cc.TCP().SetGracefulDisconnect(true)
	go func() { _, _ = ac.Write([]byte("bye")); _ = ac.CloseWrite() }()
	if err := cc.Close(); err != nil {
		t.Fatalf("graceful close of an adopted socket: %v", err)
	}

	// A socket made with protocol MPTCP directly, where the kernel has it.
	ms, err := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolMPTCP)
	if err != nil {
		t.Logf("kernel has no MPTCP (%v): direct case skipped", err)
		return
	}
	mc := NewSocketConnection(ms)
	defer mc.Close()
	if mc.TCP() == nil {
		t.Error("NewSocket(IPv4, stream, MPTCP): factory made no TCPConnection")
	}
}

// A SocketConnection is an object: "closed" notifies when it closes (sync
// or async, before the callback), "graceful-disconnect" on change, and the
// read-only properties are reachable by name (SOCK-10).
func TestConnectionProperties_SOCK10(t *testing.T) {
	client, server := connPair(t, "tcp4")
	var got []string
	client.Notify.Connect(func(name string) { got = append(got, name) })

	tcp := client.TCP()
	tcp.SetGracefulDisconnect(false) // unchanged: no notification
	tcp.SetGracefulDisconnect(true)
	if err := client.SetProperty("graceful-disconnect", false); err != nil {
		t.Fatal(err)
	}
	if v, _ := client.Property("graceful_disconnect"); v != false || tcp.GracefulDisconnect() {
		t.Errorf("graceful-disconnect by name %v, typed %v", v, tcp.GracefulDisconnect())
	}
	if v, _ := client.Property("socket"); v != client.Socket() {
		t.Error("socket property is not Socket()")
	}
	if v, _ := client.Property("input-stream"); v != client.InputStream() {
		t.Error("input-stream property")
	}
	if v, _ := client.Property("output-stream"); v != client.OutputStream() {
		t.Error("output-stream property")
	}
	for _, name := range []string{"socket", "closed", "input-stream", "output-stream"} {
		if err := client.SetProperty(name, nil); !errors.Is(err, object.ErrReadOnlyProperty) {
			t.Errorf("SetProperty(%q): %v, want read-only", name, err)
		}
	}
	if err := client.SetProperty("graceful-disconnect", 1); !errors.Is(err, object.ErrPropertyType) {
		t.Errorf("wrong type: %v", err)
	}
	if _, err := client.Property("nope"); !errors.Is(err, object.ErrUnknownProperty) {
		t.Errorf("unknown: %v", err)
	}
	wantNames := []string{"closed", "graceful-disconnect", "input-stream", "output-stream", "socket"}
	if diff := cmp.Diff(wantNames, client.Properties()); diff != "" {
		t.Errorf("Properties (-want +got):\n%s", diff)
	}
	if client.Self() != any(tcp) {
		t.Errorf("Self() is %T, want the *TCPConnection", client.Self())
	}

	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	_ = client.Close() // already closed: no second notification
	if v, _ := client.Property("closed"); v != true {
		t.Error("closed property false after Close")
	}
	if diff := cmp.Diff([]string{"graceful-disconnect", "graceful-disconnect", "closed"}, got); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}

	// CloseAsync: notify::closed on the caller's context, before the callback.
	l := newTestLoop(t)
	var order []string
	server.Notify.ConnectDetailed("closed", func(string) { order = append(order, "notify") })
	server.CloseAsync(mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
		order = append(order, "callback")
		if err := server.CloseFinish(res); err != nil {
			t.Error(err)
		}
	})
	l.until(func() bool { return len(order) == 2 })
	if diff := cmp.Diff([]string{"notify", "callback"}, order); diff != "" {
		t.Errorf("CloseAsync order (-want +got):\n%s", diff)
	}
}

// Destroy of a connection closes it (g_io_stream_dispose), socket
// included; Destroy of a bare Socket does not (GSocket has no dispose).
func TestConnectionDestroyCloses_SOCK10(t *testing.T) {
	client, _ := connPair(t, "unix")
	var destroyed bool
	client.Destroyed.Connect(func(*object.Object) { destroyed = true })
	client.Destroy()
	if !destroyed || !client.IsClosed() || !client.Socket().IsClosed() || !client.IsDestroyed() {
		t.Fatalf("after Destroy: destroyed signal %v, closed %v, socket closed %v", destroyed, client.IsClosed(), client.Socket().IsClosed())
	}
	s := newSock(t, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	s.Destroy()
	if s.IsClosed() {
		t.Error("Destroy of a Socket closed it")
	}
}

// TestStreamsAfterClose: a connection closed before it was asked for its
// streams makes none (TestAcceptAllocs counts that), and the streams it
// makes when asked afterwards are closed: IsClosed says so and their
// operations fail with CLOSED. Asked for during the close, from another
// goroutine, they end closed too, whichever side goes first.
func TestStreamsAfterClose(t *testing.T) {
	a, b := socketPair(t)
	defer b.Close()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if a.in != nil || a.out != nil {
		t.Fatal("Close made the streams")
	}
	in, out := a.InputStream(), a.OutputStream()
	if !in.IsClosed() || !out.IsClosed() {
		t.Errorf("streams made after Close: IsClosed %v and %v, want true", in.IsClosed(), out.IsClosed())
	}
	if _, err := in.Read(make([]byte, 1), nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Read after Close: %v, want CLOSED", err)
	}
	if _, err := out.Write([]byte("x"), nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close: %v, want CLOSED", err)
	}

	for i := range 200 {
		a, b := socketPair(t)
		done := make(chan *InputStream)
		go func() { done <- a.InputStream() }()
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		in := <-done
		if !in.IsClosed() || !a.OutputStream().IsClosed() {
			t.Fatalf("round %d: streams made during Close are open", i)
		}
		b.Close()
	}
}
