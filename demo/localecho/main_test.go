package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the real localecho once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "localecho-test")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "localecho")
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		out, err := exec.Command(goTool, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			binPath = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build: %v\n%s", buildErr, binPath)
	}
	return binPath
}

// server is a running localecho server.
type server struct {
	cmd  *exec.Cmd
	addr string
	done chan error
}

func startServer(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, done: make(chan error, 1)}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, out)
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.done
	})
	select {
	case l := <-lines:
		a, ok := strings.CutPrefix(l, "listening on ")
		if !ok {
			t.Fatalf("server said %q", l)
		}
		s.addr = a
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}
	return s
}

// stop sends sig and wants exit status 0 within 2 s (the anchors' rule).
func (s *server) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	s.cmd.Process.Signal(sig)
	select {
	case err := <-s.done:
		s.done <- err
		if err != nil {
			t.Fatalf("server exit: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("server ignored", sig)
	}
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
		if s.addr != path {
			t.Fatalf("listening on %q", s.addr)
		}
		if got := execClient(t, "--connect", path, "--count", "50", "--size", "65536", "--conns", "4"); got != "200 passed, 0 failed" {
			t.Fatal(got)
		}
		if got := execClient(t, "--connect", path, "--count", "300", "--size", "1"); got != "300 passed, 0 failed" {
			t.Fatal(got)
		}
		s.stop(t, sig)
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
		c, err := net.Dial("unix", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Fatalf("read %d, %v", n, err)
		}
		c.Close()
	}
	s.stop(t, syscall.SIGTERM)
}

// Qt naming (--name in $TMPDIR), socket options and abstract names.
func TestNamesAndOptions(t *testing.T) {
	dir := t.TempDir()
	env := []string{"TMPDIR=" + dir}
	s := startServer(t, env, "--name", "qt-named", "--options", "user+group")
	if s.addr != dir+"/qt-named" {
		t.Fatal(s.addr)
	}
	fi, err := os.Lstat(s.addr)
	if err != nil || fi.Mode().Perm() != 0o770 {
		t.Fatalf("mode %v %v", fi, err)
	}
	if got := execClient(t, "--connect", s.addr, "--count", "10", "--size", "100"); got != "10 passed, 0 failed" {
		t.Fatal(got)
	}
	s.stop(t, syscall.SIGTERM)

	abs := "localecho-test-" + strings.ReplaceAll(dir, "/", "_")
	a := startServer(t, nil, "--name", abs, "--abstract")
	if a.addr != abs {
		t.Fatal(a.addr)
	}
	if got := execClient(t, "--connect", abs, "--abstract", "--count", "10", "--size", "10"); got != "10 passed, 0 failed" {
		t.Fatal(got)
	}
	a.stop(t, syscall.SIGTERM)
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
