package tests

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/gio"
	"github.com/sigloop/sigloop/mainloop"
)

const prio = mainloop.PriorityDefault

// A real GLib server (Gio.SocketService echo, async streams, in PyGObject)
// and sigloop's SocketClient with the async streams on a sigloop main loop:
// connect (events 0,1,2,3,8), echo several messages with write_all_async
// and read_all_async, half-close, read EOF, close_async. The GLib server
// must have echoed every byte and seen a clean EOF.
func TestGLibServer_GoClient_SOCK12(t *testing.T) {
	for _, network := range []string{"tcp4", "tcp6", "unix"} {
		t.Run(network, func(t *testing.T) {
			var listen string
			switch network {
			case "tcp4":
				listen = "127.0.0.1:0"
			case "tcp6":
				listen = "[::1]:0"
			}
			args := []string{"--tcp", listen}
			if network == "unix" {
				args = []string{"--unix", filepath.Join(t.TempDir(), "glib.sock")}
			}
			srv := startPeer(t, "glib_echo_server.py", args...)
			addr := srv.Listening()

			l := newTestLoop(t)
			client := gio.NewSocketClient()
			var events []gio.SocketClientEvent
			client.Event.Connect(func(ev gio.SocketClientEvent, _ gio.SocketConnectable, _ *gio.SocketConnection) {
				events = append(events, ev)
			})
			var conn *gio.SocketConnection
			var err error
			if network == "unix" {
				res := await(l, func(cb asyncresult.ReadyCallback) {
					client.ConnectAsync(gio.NewUnixSocketAddress(addr), nil, cb)
				})
				conn, err = client.ConnectFinish(res)
			} else {
				res := await(l, func(cb asyncresult.ReadyCallback) { client.ConnectToHostAsync(addr, 0, nil, cb) })
				conn, err = client.ConnectToHostFinish(res)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			want := []gio.SocketClientEvent{gio.SocketClientResolving, gio.SocketClientResolved,
				gio.SocketClientConnecting, gio.SocketClientConnected, gio.SocketClientComplete}
			if diff := cmp.Diff(want, events); diff != "" {
				t.Fatalf("events (-want +got):\n%s", diff)
			}
			if (network == "unix") != (conn.Unix() != nil) || (network != "unix") != (conn.TCP() != nil) {
				t.Fatalf("connection type: TCP=%v Unix=%v", conn.TCP() != nil, conn.Unix() != nil)
			}

			in, out := conn.InputStream(), conn.OutputStream()
			total := 0
			for i, msg := range [][]byte{[]byte("hello GLib"), bytes.Repeat([]byte("0123456789abcdef"), 8192), {0}} {
				res := await(l, func(cb asyncresult.ReadyCallback) { out.WriteAllAsync(msg, prio, nil, cb) })
				if n, err := out.WriteAllFinish(res); err != nil || n != len(msg) {
					t.Fatalf("message %d: WriteAllFinish = %d, %v", i, n, err)
				}
				got := make([]byte, len(msg))
				res = await(l, func(cb asyncresult.ReadyCallback) { in.ReadAllAsync(got, prio, nil, cb) })
				if n, err := in.ReadAllFinish(res); err != nil || n != len(msg) {
					t.Fatalf("message %d: ReadAllFinish = %d, %v", i, n, err)
				}
				if !bytes.Equal(got, msg) {
					t.Fatalf("message %d: echo differs", i)
				}
				total += len(msg)
			}

			// Half-close: GLib's server reads EOF, closes, and we read EOF.
			if err := conn.Socket().Shutdown(false, true); err != nil {
				t.Fatal(err)
			}
			res := await(l, func(cb asyncresult.ReadyCallback) { in.ReadBytesAsync(16, prio, nil, cb) })
			if b, err := in.ReadBytesFinish(res); err != nil || len(b) != 0 {
				t.Fatalf("after half-close: %q, %v; want EOF", b, err)
			}
			res = await(l, func(cb asyncresult.ReadyCallback) { conn.CloseAsync(prio, nil, cb) })
			if err := conn.CloseFinish(res); err != nil {
				t.Fatal(err)
			}
			if line := srv.Line(); line != "done "+strconv.Itoa(total) {
				t.Fatalf("GLib server said %q, want \"done %d\"", line, total)
			}
		})
	}
}

// The reverse: a real GLib client (Gio.SocketClient, async streams) against
// a sigloop server built on Socket (accept loop) and SocketConnection with
// the async streams on a sigloop main loop.
func TestGLibClient_GoServer_SOCK10(t *testing.T) {
	for _, network := range []string{"tcp4", "tcp6", "unix"} {
		t.Run(network, func(t *testing.T) {
			needPyGObject(t)
			l := newTestLoop(t)
			listener, addr := goListener(t, network)

			type stats struct{ conns, closed, bytes int }
			var st stats
			var failures []string
			var echo func(c *gio.SocketConnection)
			echo = func(c *gio.SocketConnection) {
				c.InputStream().ReadBytesAsync(4096, prio, nil, func(_ any, res asyncresult.AsyncResult) {
					b, err := c.InputStream().ReadBytesFinish(res)
					switch {
					case err != nil:
						failures = append(failures, "read: "+err.Error())
						_ = c.Close()
					case len(b) == 0:
						c.CloseAsync(prio, nil, func(_ any, res asyncresult.AsyncResult) {
							if err := c.CloseFinish(res); err != nil {
								failures = append(failures, "close: "+err.Error())
							}
							st.closed++
						})
					default:
						st.bytes += len(b)
						c.OutputStream().WriteAllAsync(b, prio, nil, func(_ any, res asyncresult.AsyncResult) {
							if _, err := c.OutputStream().WriteAllFinish(res); err != nil {
								failures = append(failures, "write: "+err.Error())
								_ = c.Close()
								return
							}
							echo(c)
						})
					}
				})
			}
			acceptDone := make(chan struct{})
			go func() {
				defer close(acceptDone)
				for {
					s, err := listener.Accept(nil)
					if err != nil {
						return // closed at the end of the test
					}
					l.Ctx.Invoke(func() {
						st.conns++
						echo(gio.NewSocketConnection(s))
					})
				}
			}()
			defer func() { _ = listener.Close(); <-acceptDone }()

			msgs := []string{"hello sigloop", strings.Repeat("x", 70000), "bye"}
			args := []string{"--" + map[bool]string{true: "unix", false: "tcp"}[network == "unix"], addr}
			for _, m := range msgs {
				args = append(args, "--message", m)
			}
			cl := startPeer(t, "glib_client.py", args...)
			var line string
			var lineErr error
			got := false
			go func() {
				s, err := cl.NextLine()
				l.Ctx.Invoke(func() { line, lineErr, got = s, err, true })
			}()
			l.Until(func() bool { return got && st.closed == 1 || len(failures) > 0 })
			if lineErr != nil {
				t.Fatal(lineErr)
			}
			if err := cl.Wait(); err != nil {
				t.Fatalf("GLib client exit: %v (%q)", err, line)
			}
			total := 0
			for _, m := range msgs {
				total += len(m)
			}
			if want := fmt.Sprintf("ok %d events=0,1,2,3,8", total); line != want {
				t.Fatalf("GLib client said %q, want %q", line, want)
			}
			if len(failures) > 0 || st.conns != 1 || st.bytes != total {
				t.Fatalf("server: %+v, failures %v", st, failures)
			}
		})
	}
}

// goListener returns a listening gio.Socket and the address string the GLib
// client takes.
func goListener(t *testing.T, network string) (*gio.Socket, string) {
	t.Helper()
	var s *gio.Socket
	var err error
	var bind gio.SocketAddress
	switch network {
	case "tcp4":
		s, err = gio.NewSocket(gio.SocketFamilyIPv4, gio.SocketTypeStream, gio.SocketProtocolDefault)
		bind = gio.NewInetSocketAddress(gio.NewInetAddressLoopback(gio.SocketFamilyIPv4), 0)
	case "tcp6":
		s, err = gio.NewSocket(gio.SocketFamilyIPv6, gio.SocketTypeStream, gio.SocketProtocolDefault)
		bind = gio.NewInetSocketAddress(gio.NewInetAddressLoopback(gio.SocketFamilyIPv6), 0)
	default:
		s, err = gio.NewSocket(gio.SocketFamilyUnix, gio.SocketTypeStream, gio.SocketProtocolDefault)
		bind = gio.NewUnixSocketAddress(filepath.Join(t.TempDir(), "go.sock"))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Bind(bind, true); err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	a, err := s.LocalAddress()
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := a.(*gio.UnixSocketAddress); ok {
		return s, u.Path()
	}
	return s, a.String()
}

// GTcpConnection's graceful disconnect against GLib: the Go side shuts down
// its sending side, GLib's server reads EOF and closes, the Go close sees
// that EOF and returns; nothing is lost on the way (SOCK-10).
func TestGLibServer_TCPGracefulDisconnect_SOCK10(t *testing.T) {
	srv := startPeer(t, "glib_echo_server.py", "--tcp", "127.0.0.1:0")
	addr := srv.Listening()
	client := gio.NewSocketClient()
	client.SetTimeout(peerTimeout) // bounds every blocking call below
	conn, err := client.ConnectToHost(addr, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	msg := bytes.Repeat([]byte("graceful "), 10000)
	if _, err := conn.OutputStream().WriteAll(msg, nil); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := conn.InputStream().ReadAll(got, nil); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("echo: %v", err)
	}
	tcp := conn.TCP()
	tcp.SetGracefulDisconnect(true)
	if err := conn.Close(); err != nil {
		t.Fatalf("graceful Close: %v", err)
	}
	if line := srv.Line(); line != "done "+strconv.Itoa(len(msg)) {
		t.Fatalf("GLib server said %q", line)
	}
}
