package tests

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// python is the interpreter the peers need: Debian's, which is the one that
// has python3-gi (a python3 earlier in PATH, say from a venv, may not).
// TestMissingPeer points it elsewhere, through pythonOverrideEnv, in a child
// test process.
var python = "/usr/bin/python3"

// pythonOverrideEnv replaces the interpreter, for TestMissingPeer only.
const pythonOverrideEnv = "SIGLOOP_TEST_PEER_PYTHON"

func init() {
	if p := os.Getenv(pythonOverrideEnv); p != "" {
		python = p
	}
}

// requirePeersEnv makes a missing python3-gi a failure instead of a skip.
const requirePeersEnv = "SIGLOOP_REQUIRE_PEERS"

// peerTimeout bounds every wait on a peer: start-up, a line, exit.
const peerTimeout = 20 * time.Second

var (
	gioCheckOnce sync.Once
	gioCheckErr  error
)

// needPyGObject skips t (or fails it when SIGLOOP_REQUIRE_PEERS=1) unless
// python3-gi can import Gio.
func needPyGObject(t testing.TB) {
	t.Helper()
	gioCheckOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
		defer cancel()
		out, err := exec.CommandContext(ctx, python, "-c",
			"import gi; gi.require_version('Gio', '2.0'); from gi.repository import Gio").CombinedOutput()
		if err != nil {
			gioCheckErr = fmt.Errorf("%s cannot import Gio from python3-gi (install python3-gi): %v: %s",
				python, err, strings.TrimSpace(string(out)))
		}
	})
	if gioCheckErr == nil {
		return
	}
	if os.Getenv(requirePeersEnv) == "1" {
		t.Fatalf("real-peer test cannot run, and %s=1 makes that a failure: %v", requirePeersEnv, gioCheckErr)
	}
	t.Skipf("skipping real-peer test: %v (set %s=1 to make this a failure)", gioCheckErr, requirePeersEnv)
}

// peer is a running GLib program. Its stdout arrives line by line on lines;
// its stderr is kept for failure messages. Stop (registered with t.Cleanup by
// startPeer) kills it and waits for it, so no path leaves it running.
type peer struct {
	t      testing.TB
	name   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr *lockedBuffer
	done   chan struct{} // closed when the process has been waited for
	err    error         // Wait's result; read after done
	stop   sync.Once
}

// startPeer runs peers/<script> with args. It skips t when PyGObject is
// missing (see needPyGObject).
func startPeer(t testing.TB, script string, args ...string) *peer {
	t.Helper()
	needPyGObject(t)
	path, err := filepath.Abs(filepath.Join("peers", script))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, append([]string{path}, args...)...)
	// Its own process group, so the kill reaches anything it may spawn.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = append(os.Environ(), "PYTHONUNBUFFERED=1")
	p := &peer{t: t, name: script, cmd: cmd, lines: make(chan string, 64),
		stderr: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", script, err)
	}
	t.Cleanup(p.Stop)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		defer close(p.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
	}()
	go func() {
		<-scanned // Wait closes stdout; read it to the end first
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p
}

// Line returns the peer's next stdout line, failing t if none comes within
// peerTimeout or the peer exits first. Call it from the test goroutine only.
func (p *peer) Line() string {
	p.t.Helper()
	l, err := p.NextLine()
	if err != nil {
		p.t.Fatal(err)
	}
	return l
}

// NextLine is Line without failing the test, for use from other goroutines.
func (p *peer) NextLine() (string, error) {
	select {
	case l, ok := <-p.lines:
		if !ok {
			<-p.done
			return "", fmt.Errorf("%s exited (%v) before printing a line; stderr:\n%s", p.name, p.err, p.stderr)
		}
		return l, nil
	case <-time.After(peerTimeout):
		return "", fmt.Errorf("%s printed nothing for %v; stderr:\n%s", p.name, peerTimeout, p.stderr)
	}
}

// Listening waits for the "listening on ADDRESS" line and returns ADDRESS.
func (p *peer) Listening() string {
	p.t.Helper()
	l := p.Line()
	addr, ok := strings.CutPrefix(l, "listening on ")
	if !ok {
		p.t.Fatalf("%s: want \"listening on ADDRESS\", got %q; stderr:\n%s", p.name, l, p.stderr)
	}
	return addr
}

// Wait waits (bounded) for the peer to exit on its own and returns its exit
// error (nil for status 0).
func (p *peer) Wait() error {
	p.t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(peerTimeout):
		p.Stop()
		return fmt.Errorf("%s did not exit within %v", p.name, peerTimeout)
	}
}

// Stop ends the peer: closing its stdin asks it to exit; if it has not
// exited shortly after, its process group is killed. Stop always waits for
// the process, so none is left behind. It is safe to call more than once.
func (p *peer) Stop() {
	p.stop.Do(func() {
		p.stdin.Close()
		select {
		case <-p.done:
			return
		case <-time.After(2 * time.Second):
		}
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-p.done:
		case <-time.After(peerTimeout):
			p.t.Errorf("%s (pid %d) survived SIGKILL for %v", p.name, p.cmd.Process.Pid, peerTimeout)
		}
	})
}

// lockedBuffer collects a peer's stderr; exec copies into it from its own
// goroutine while the test may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// exitStatus returns the exit status in err (0 for nil, -1 if unknown).
func exitStatus(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return -1
}

// withoutPython skips t in the child process it makes; in the parent it
// returns a function that runs the tests matching pattern in a child of
// this test binary whose peer interpreter does not exist, with
// SIGLOOP_REQUIRE_PEERS=require, and returns the child's output.
func withoutPython(t *testing.T, pattern string) func(require string) (string, error) {
	if os.Getenv(pythonOverrideEnv) != "" {
		t.Skip("child process")
	}
	return func(require string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run="+pattern, "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), pythonOverrideEnv+"=/nonexistent/python3", requirePeersEnv+"="+require)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
}

// TestMissingPeer checks the peer tests' verdict when python3-gi cannot be
// used: it runs this test binary again with an interpreter that does not
// exist, once plainly (the peer tests must skip, saying why) and once with
// SIGLOOP_REQUIRE_PEERS=1 (they must fail).
func TestMissingPeer(t *testing.T) {
	checkMissingPeer(t, "^TestGLibServer_GoClient_SOCK12$", "python3-gi", "skipping real-peer test", "install python3-gi")
}

// checkMissingPeer runs the peer test matching pattern without a usable
// interpreter (what names the missing library in the messages): plainly it
// must skip with every one of skipWants in its output, and with
// SIGLOOP_REQUIRE_PEERS=1 it must fail.
func checkMissingPeer(t *testing.T, pattern, what string, skipWants ...string) {
	t.Helper()
	run := withoutPython(t, pattern)
	out, err := run("")
	skipped := err == nil && strings.Contains(out, "--- SKIP")
	for _, w := range skipWants {
		skipped = skipped && strings.Contains(out, w)
	}
	if !skipped {
		t.Errorf("without %s and without %s: err %v, output:\n%s", what, requirePeersEnv, err, out)
	}
	out, err = run("1")
	if err == nil || !strings.Contains(out, "--- FAIL") || !strings.Contains(out, requirePeersEnv+"=1 makes that a failure") {
		t.Errorf("without %s and with %s=1: err %v, output:\n%s", what, requirePeersEnv, err, out)
	}
}
