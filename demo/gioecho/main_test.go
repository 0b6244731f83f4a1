package main

import (
	"errors"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/leakcheck"
	"github.com/sigloop/sigloop/internal/progtest"
)

func TestMain(m *testing.M) { leakcheck.Main(m, progtest.RemoveBuilds) }

const waitTime = 30 * time.Second

// binary builds gioecho once: the tests run the real program, as the anchor
// harness does.
func binary(t *testing.T) string { return progtest.Build(t, ".", "gioecho") }

// startServer runs the server and returns its address ("listening on …");
// when the test ends it must exit with status 0 within 2 s of SIGTERM.
func startServer(t *testing.T, args ...string) string {
	t.Helper()
	s := progtest.Start(t, exec.Command(binary(t), args...))
	t.Cleanup(func() { s.Stop(t, syscall.SIGTERM) })
	return s.Addr
}

func TestFlavours(t *testing.T) {
	flavours := map[string][]string{"service": nil, "threaded": {"--threaded"}, "socket": {"--socket"}}
	for name, extra := range flavours {
		for _, network := range []string{"tcp4", "tcp6", "unix"} {
			t.Run(name+"/"+network, func(t *testing.T) {
				listen := []string{"--tcp", "127.0.0.1:0"}
				switch network {
				case "tcp6":
					listen = []string{"--tcp", "[::1]:0"}
				case "unix":
					listen = []string{"--unix", filepath.Join(t.TempDir(), "echo.sock")}
				}
				addr := startServer(t, append(append([]string{}, extra...), append(listen, "--mode", "echo")...)...)
				// 16 connections, random sizes up to 64 KiB, every byte checked.
				out, err := exec.Command(binary(t), "--connect", addr, "--count", "96", "--size", "65536",
					"--conns", "16", "--random-size").CombinedOutput()
				if err != nil || strings.TrimSpace(string(out)) != "96 passed, 0 failed" {
					t.Fatalf("client: %v: %s", err, out)
				}

				acceptAddr := startServer(t, append(append([]string{}, extra...), append(accept(listen), "--mode", "accept")...)...)
				nw := "tcp"
				if network == "unix" {
					nw = "unix"
				}
				for range 5 {
					c, err := net.DialTimeout(nw, acceptAddr, waitTime)
					if err != nil {
						t.Fatal(err)
					}
					_ = c.SetDeadline(time.Now().Add(waitTime))
					n, err := c.Read(make([]byte, 1))
					c.Close()
					if n != 0 || err != io.EOF {
						t.Fatalf("accept mode: read %d, %v; want EOF", n, err)
					}
				}
			})
		}
	}
}

// accept gives the accept-mode server its own address.
func accept(listen []string) []string {
	if listen[0] == "--unix" {
		return []string{"--unix", listen[1] + ".accept"}
	}
	return listen
}

func TestClientReportsFailures(t *testing.T) {
	// Nothing listens: every round trip fails, exit 1.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	out, err := exec.Command(binary(t), "--connect", addr, "--count", "4", "--conns", "2").Output()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || strings.TrimSpace(string(out)) != "0 passed, 4 failed" {
		t.Fatalf("%v: %q", err, out)
	}
	// A server that answers wrongly: a Go server that flips a byte.
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 10)
		if _, err := io.ReadFull(c, buf); err == nil {
			buf[3] ^= 1
			c.Write(buf)
		}
	}()
	out, err = exec.Command(binary(t), "--connect", ln.Addr().String(), "--count", "3", "--size", "10").Output()
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || strings.TrimSpace(string(out)) != "0 passed, 3 failed" {
		t.Fatalf("%v: %q", err, out)
	}
}

func TestBadOptions(t *testing.T) {
	for _, args := range [][]string{
		{"--mode", "echo"},
		{"--tcp", "127.0.0.1:1", "--unix", "/tmp/x"},
		{"--mode", "chat", "--tcp", "127.0.0.1:0"},
		{"--tcp", "10.1.2.3:80"},
		{"--tcp", "127.0.0.1"},
		{"--tcp", "localhost:80"},
		{"--tcp", "127.0.0.1:0", "--threaded", "--socket"},
		{"--bogus"},
		{"--connect", "127.0.0.1:1", "--size", "0"},
	} {
		err := exec.Command(binary(t), args...).Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("%q: %v, want exit status 2", args, err)
		}
	}
}

func TestParseFlagsDefaults(t *testing.T) {
	o, err := parseFlags([]string{"--tcp", "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if o.mode != "echo" || o.backlog != 128 || o.maxThread != 128 || o.threaded || o.socket {
		t.Errorf("defaults %+v", o)
	}
}
