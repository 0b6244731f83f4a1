package main

import (
	"bytes"
	"io"
	"net"
	"os"
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

// binary builds the real localecho once per test run.
func binary(t *testing.T) string { return progtest.Build(t, ".", "localecho") }

// startServer runs a localecho server with env added to its environment.
func startServer(t *testing.T, env []string, args ...string) *progtest.Server {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	return progtest.Start(t, cmd)
}

func execClient(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(binary(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("client %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// The echo server and the client, real binaries: every byte checked, a
// clean exit on SIGTERM and SIGINT, the socket file removed.
func TestEchoRoundTrips(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		path := filepath.Join(t.TempDir(), "echo.sock")
		os.WriteFile(path, nil, 0o600) // a stale file is removed first
		s := startServer(t, nil, "--unix", path, "--mode", "echo")
		if s.Addr != path {
			t.Fatalf("listening on %q", s.Addr)
		}
		if got := execClient(t, "--connect", path, "--count", "50", "--size", "65536", "--conns", "4"); got != "200 passed, 0 failed" {
			t.Fatal(got)
		}
		if got := execClient(t, "--connect", path, "--count", "300", "--size", "1"); got != "300 passed, 0 failed" {
			t.Fatal(got)
		}
		s.Stop(t, sig)
		if _, err := os.Lstat(path); !os.IsNotExist(err) {
			t.Fatal("socket file left behind")
		}
	}
}

// Accept mode closes each connection at once; the client sees EOF.
func TestAcceptMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "acc.sock")
	s := startServer(t, nil, "--unix", path, "--mode", "accept")
	for range 20 {
		c, err := net.Dial("unix", s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Fatalf("read %d, %v", n, err)
		}
		c.Close()
	}
	s.Stop(t, syscall.SIGTERM)
}

// Qt naming (--name in $TMPDIR), socket options and abstract names.
func TestNamesAndOptions(t *testing.T) {
	dir := t.TempDir()
	env := []string{"TMPDIR=" + dir}
	s := startServer(t, env, "--name", "qt-named", "--options", "user+group")
	if s.Addr != dir+"/qt-named" {
		t.Fatal(s.Addr)
	}
	fi, err := os.Lstat(s.Addr)
	if err != nil || fi.Mode().Perm() != 0o770 {
		t.Fatalf("mode %v %v", fi, err)
	}
	if got := execClient(t, "--connect", s.Addr, "--count", "10", "--size", "100"); got != "10 passed, 0 failed" {
		t.Fatal(got)
	}
	s.Stop(t, syscall.SIGTERM)

	abs := "localecho-test-" + strings.ReplaceAll(dir, "/", "_")
	a := startServer(t, nil, "--name", abs, "--abstract")
	if a.Addr != abs {
		t.Fatal(a.Addr)
	}
	if got := execClient(t, "--connect", abs, "--abstract", "--count", "10", "--size", "10"); got != "10 passed, 0 failed" {
		t.Fatal(got)
	}
	a.Stop(t, syscall.SIGTERM)
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{}, {"--tcp", "127.0.0.1:1"}, {"--unix", "/x", "--name", "y"}, {"--unix", "/x", "--mode", "nope"},
		{"--name", "x", "--options", "everyone"}, {"--connect", "x", "--size", "0"}, {"stray"},
	} {
		var out bytes.Buffer
		if code := run(args, &out, &out); code != 2 {
			t.Errorf("%v: exit %d (%s)", args, code, out.String())
		}
	}
	var out bytes.Buffer
	if code := run([]string{"--connect", filepath.Join(t.TempDir(), "none"), "--count", "3"}, &out, &out); code != 1 ||
		!strings.Contains(out.String(), "0 passed, 3 failed") {
		t.Errorf("client to nothing: exit %d %q", code, out.String())
	}
}
