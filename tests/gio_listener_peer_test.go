package tests

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The server side against real GLib: sigloop's SocketService and
// ThreadedSocketService (demo/gioecho's default and --threaded flavours,
// the real binary) serve a PyGObject Gio.SocketClient load client, and
// gioecho's client (SocketClient and the async streams) drives a PyGObject
// Gio.SocketService echo server. 16 connections, random payloads up to
// 64 KiB, every byte checked, over TCP on IPv4 and IPv6 and Unix sockets.

var (
	gioechoOnce sync.Once
	gioechoDir  string
	gioechoBin  string
	gioechoErr  error
)

// gioecho builds demo/gioecho into a temporary directory, once;
// TestZZRemoveGioecho removes it.
func gioecho(t *testing.T) string {
	t.Helper()
	gioechoOnce.Do(func() {
		gioechoDir, gioechoErr = os.MkdirTemp("", "gioecho-peer")
		if gioechoErr != nil {
			return
		}
		gioechoBin = filepath.Join(gioechoDir, "gioecho")
		out, err := exec.Command("go", "build", "-o", gioechoBin, "../demo/gioecho").CombinedOutput()
		if err != nil {
			gioechoErr = errors.New(strings.TrimSpace(string(out)))
		}
	})
	if gioechoErr != nil {
		t.Fatalf("go build demo/gioecho: %v", gioechoErr)
	}
	return gioechoBin
}

// goServer runs gioecho as a server and returns its address; it is stopped
// with SIGTERM (and must exit 0) when the test ends.
func goServer(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(gioecho(t), args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("gioecho exit: %v (stderr %q)", err, stderr.String())
			}
		case <-time.After(peerTimeout):
			cmd.Process.Kill()
			<-done
			t.Error("gioecho did not stop on SIGTERM")
		}
	})
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
		for sc.Scan() {
		}
	}()
	select {
	case l := <-line:
		addr, ok := strings.CutPrefix(l, "listening on ")
		if !ok {
			t.Fatalf("gioecho said %q (stderr %q)", l, stderr.String())
		}
		return addr
	case <-time.After(peerTimeout):
		t.Fatalf("gioecho did not start (stderr %q)", stderr.String())
	}
	return ""
}

// listenArgs are the --tcp/--unix arguments for a network.
func listenArgs(t *testing.T, network string) []string {
	switch network {
	case "tcp4":
		return []string{"--tcp", "127.0.0.1:0"}
	case "tcp6":
		return []string{"--tcp", "[::1]:0"}
	}
	return []string{"--unix", filepath.Join(t.TempDir(), "peer.sock")}
}

// A PyGObject Gio.SocketClient load against the Go SocketService (async
// streams on one main loop) and ThreadedSocketService (blocking streams on
// worker goroutines): SS-3/SS-4 and TSS-3 with a real peer.
func TestGLibClients_GoServices_SS3_TSS3(t *testing.T) {
	needPyGObject(t)
	for _, flavour := range []string{"service", "threaded"} {
		for _, network := range []string{"tcp4", "tcp6", "unix"} {
			t.Run(flavour+"/"+network, func(t *testing.T) {
				args := listenArgs(t, network)
				if flavour == "threaded" {
					args = append([]string{"--threaded"}, args...)
				}
				addr := goServer(t, args...)
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
			srv := startPeer(t, "glib_echo_server.py", args...)
			addr := srv.Listening()
			cmd := exec.Command(gioecho(t), "--connect", addr, "--count", "80", "--size", "65536",
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

// TestZZRemoveGioecho removes the binary built by gioecho. Tests run in
// source order, and it is the last one of this file, the only file that
// uses gioecho.
func TestZZRemoveGioecho(t *testing.T) {
	if gioechoDir != "" {
		os.RemoveAll(gioechoDir)
	}
}
