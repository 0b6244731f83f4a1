// Package progtest builds and runs sigloop's demo programs for the tests
// that drive the real binaries (demo/*/main_test.go and tests/): one copy of
// the build-once step and of the start-up handshake, in which a server
// prints "listening on ADDRESS" as its first line.
//
// # Getting started
//
//	func TestMain(m *testing.M) { leakcheck.Main(m, progtest.RemoveBuilds) }
//
//	bin := progtest.Build(t, ".", "gioecho")
//	s := progtest.Start(t, exec.Command(bin, "--mode", "echo"))
//	// … dial s.Addr …
//	s.Stop(t, syscall.SIGTERM) // exit status 0 within 2 s
package progtest

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// StartTimeout bounds the wait for a server's "listening on" line.
const StartTimeout = 30 * time.Second

// StopTimeout is how long a stopped server may take to exit (the anchor
// harness's rule: status 0 within 2 s of SIGTERM or SIGINT).
const StopTimeout = 2 * time.Second

type build struct {
	once sync.Once
	bin  string
	err  error
}

var (
	buildsMu sync.Mutex
	builds   = map[string]*build{}
	dirs     []string
)

// Build builds the main package in dir (relative to the test's package
// directory) once per test binary, into a temporary directory that
// RemoveBuilds removes, and returns the binary's path; it fails t if the
// build fails.
func Build(t testing.TB, dir, name string) string {
	t.Helper()
	buildsMu.Lock()
	b := builds[dir]
	if b == nil {
		b = &build{}
		builds[dir] = b
	}
	buildsMu.Unlock()
	b.once.Do(func() {
		tmp, err := os.MkdirTemp("", name+"-test")
		if err != nil {
			b.err = err
			return
		}
		buildsMu.Lock()
		dirs = append(dirs, tmp)
		buildsMu.Unlock()
		b.bin = filepath.Join(tmp, name)
		b.err = build1(dir, b.bin)
	})
	if b.err != nil {
		t.Fatalf("go build %s: %v", dir, b.err)
	}
	return b.bin
}

// BuildTo builds the main package in dir into bin, for a test that needs the
// binary in a place of its own (one another user can run); it fails t if
// the build fails.
func BuildTo(t testing.TB, dir, bin string) {
	t.Helper()
	if err := build1(dir, bin); err != nil {
		t.Fatalf("go build %s: %v", dir, err)
	}
}

// build1 runs the toolchain's own go build (not whichever go is first in
// PATH).
func build1(dir, bin string) error {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if out, err := exec.Command(goTool, "build", "-o", bin, dir).CombinedOutput(); err != nil {
		return errors.New(strings.TrimSpace(string(out)))
	}
	return nil
}

// RemoveBuilds removes what Build made; TestMain runs it after the tests
// (leakcheck.Main(m, progtest.RemoveBuilds)).
func RemoveBuilds() {
	buildsMu.Lock()
	defer buildsMu.Unlock()
	for _, d := range dirs {
		os.RemoveAll(d)
	}
	dirs = nil
	builds = map[string]*build{}
}

// Server is a started program that said "listening on ADDRESS".
type Server struct {
	Cmd  *exec.Cmd
	Addr string
	done chan error // Wait's result, put back by whoever takes it
	err  strings.Builder
	mu   sync.Mutex
}

// Start starts cmd, reading its stdout itself and collecting its stderr,
// and waits up to StartTimeout for the first line, "listening on ADDRESS".
// When the test ends a server still running is killed and waited for.
func Start(t testing.TB, cmd *exec.Cmd) *Server {
	t.Helper()
	s := &Server{Cmd: cmd, done: make(chan error, 1)}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = (*stderrWriter)(s)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
		io.Copy(io.Discard, out)
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		s.done <- <-s.done
	})
	select {
	case l, ok := <-line:
		addr, found := strings.CutPrefix(l, "listening on ")
		if !ok || !found {
			t.Fatalf("server said %q; stderr %q", l, s.Stderr())
		}
		s.Addr = addr
	case <-time.After(StartTimeout):
		t.Fatalf("server did not start within %v", StartTimeout)
	}
	return s
}

type stderrWriter Server

func (w *stderrWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err.Write(p)
}

// Stderr is what the server wrote to its stderr so far.
func (s *Server) Stderr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err.String()
}

// Stop sends sig and fails t unless the server exits with status 0 within
// StopTimeout; it may be called again (the exit status is kept).
func (s *Server) Stop(t testing.TB, sig syscall.Signal) {
	t.Helper()
	s.Cmd.Process.Signal(sig)
	select {
	case err := <-s.done:
		s.done <- err
		if err != nil {
			t.Fatalf("server exit after %v: %v (stderr %q)", sig, err, s.Stderr())
		}
	case <-time.After(StopTimeout):
		t.Fatalf("server did not stop within %v of %v", StopTimeout, sig)
	}
}
