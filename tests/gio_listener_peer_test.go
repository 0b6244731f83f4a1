package tests

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/gio"
	"github.com/sigloop/sigloop/internal/looptest"
	"github.com/sigloop/sigloop/internal/progtest"
	"github.com/sigloop/sigloop/mainloop"
)

// The server side against real GLib: sigloop's SocketService and
// ThreadedSocketService serve a PyGObject Gio.SocketClient load client, and
// gioecho's client (SocketClient and the async streams) drives a PyGObject
// Gio.SocketService echo server. 16 connections, random payloads up to
// 64 KiB, every byte checked, over TCP on IPv4 and IPv6 and Unix sockets.

// gioecho builds demo/gioecho, once (internal/progtest).
func gioecho(t *testing.T) string { return progtest.Build(t, "../demo/gioecho", "gioecho") }

// goService serves echo on network with a SocketService (flavour
// "service": the async splice of each connection's input into its output,
// on the service's main loop) or a ThreadedSocketService ("threaded": the
// blocking splice in Run, on the job's goroutine), and returns the address
// for the peer. Everything is stopped and closed when the test ends.
func goService(t *testing.T, flavour, network string) string {
	t.Helper()
	ctx := looptest.Run(t)
	var addr gio.SocketAddress
	switch network {
	case "tcp4":
		addr, _ = gio.NewInetSocketAddressFromString("127.0.0.1", 0)
	case "tcp6":
		addr, _ = gio.NewInetSocketAddressFromString("::1", 0)
	default:
		addr = gio.NewUnixSocketAddress(filepath.Join(t.TempDir(), "peer.sock"))
	}
	flags := gio.OutputStreamSpliceCloseSource | gio.OutputStreamSpliceCloseTarget
	var svc *gio.SocketService
	var eff gio.SocketAddress
	var err error
	looptest.On(ctx, func() {
		if flavour == "threaded" {
			threaded := gio.NewThreadedSocketService(-1)
			svc = &threaded.SocketService
			threaded.Run.Connect(func(conn *gio.SocketConnection, _ any) bool {
				if _, err := conn.OutputStream().Splice(conn.InputStream(), flags, nil); err != nil {
					t.Errorf("threaded echo: %v", err)
				}
				return true
			})
		} else {
			svc = gio.NewSocketService()
			svc.Incoming.Connect(func(conn *gio.SocketConnection, _ any) bool {
				svc.Keep(conn)
				out := conn.OutputStream()
				out.SpliceAsync(conn.InputStream(), flags, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
					if _, err := out.SpliceFinish(res); err != nil {
						t.Errorf("async echo: %v", err)
					}
					conn.Close()
				})
				return true
			})
		}
		svc.SetBacklog(128) // a Unix connect beyond the backlog fails with EAGAIN
		eff, err = svc.AddAddress(addr, gio.SocketTypeStream, gio.SocketProtocolDefault, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		looptest.On(ctx, func() { svc.Stop(); svc.Close() })
	})
	if ua, ok := eff.(*gio.UnixSocketAddress); ok {
		return ua.Path()
	}
	return eff.String()
}

// A PyGObject Gio.SocketClient load against the Go SocketService (async
// streams on one main loop) and ThreadedSocketService (blocking streams on
// worker goroutines): SS-3/SS-4 and TSS-3 with a real peer.
func TestGLibClients_GoServices_SS3_TSS3(t *testing.T) {
	needPyGObject(t)
	for _, flavour := range []string{"service", "threaded"} {
		for _, network := range []string{"tcp4", "tcp6", "unix"} {
			t.Run(flavour+"/"+network, func(t *testing.T) {
				addr := goService(t, flavour, network)
				where := []string{"--tcp", addr}
				if network == "unix" {
					where = []string{"--unix", addr}
				}
				cl := startPeer(t, "glib_load_client.py", append(where, "--conns", "16", "--count", "80",
					"--max-size", "65536", "--seed", "7")...)
				line := cl.Line()
				if err := cl.Wait(); err != nil || line != "80 passed, 0 failed" {
					t.Fatalf("GLib client: %q, exit %v, stderr %q", line, err, cl.stderr.String())
				}
			})
		}
	}
}

// gioecho --connect (sigloop's SocketClient and async streams) against a
// PyGObject Gio.SocketService echo server.
func TestGoClient_GLibService_SOCK12(t *testing.T) {
	needPyGObject(t)
	for _, network := range []string{"tcp4", "tcp6", "unix"} {
		t.Run(network, func(t *testing.T) {
			var args []string
			switch network {
			case "tcp4":
				args = []string{"--tcp", "127.0.0.1:0"}
			case "tcp6":
				args = []string{"--tcp", "[::1]:0"}
			default:
				args = []string{"--unix", filepath.Join(t.TempDir(), "glib.sock")}
			}
			bin := gioecho(t) // before the peer starts: a slow build must not eat its max-seconds
			srv := startPeer(t, "glib_echo_server.py", args...)
			addr := srv.Listening()
			cmd := exec.Command(bin, "--connect", addr, "--count", "80", "--size", "65536",
				"--conns", "16", "--random-size", "--seed", "3")
			out, err := cmd.Output()
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Logf("stderr: %s", ee.Stderr)
			}
			if err != nil || strings.TrimSpace(string(out)) != "80 passed, 0 failed" {
				t.Fatalf("gioecho client: %v: %q", err, out)
			}
			// The GLib server saw 16 clean EOFs.
			for range 16 {
				if l := srv.Line(); !strings.HasPrefix(l, "done ") {
					t.Fatalf("GLib server said %q", l)
				}
			}
		})
	}
}
