package mainloop

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// sigChildEnv makes the test binary the child of
// TestUnixSignalDefaultRestored: "<signal number> <mode>".
const sigChildEnv = "SIGLOOP_TEST_SIGNAL_CHILD"

// TestUnixSignalDefaultRestored: once the last source for a signal is
// destroyed, the process handles the signal as it did before any source
// existed, that is Go's default handling: SIGHUP, SIGINT and SIGTERM
// terminate it (as GLib's restored SIG_DFL does), SIGUSR1, SIGUSR2 and
// SIGWINCH are ignored (where GLib's SIG_DFL terminates on SIGUSR1/2).
// While a source exists, the signal does not terminate the process. Each
// case runs in a child process that really receives the signal.
func TestUnixSignalDefaultRestored(t *testing.T) {
	if spec := os.Getenv(sigChildEnv); spec != "" {
		unixSignalChild(spec)
		return
	}
	cases := []struct {
		sig  syscall.Signal
		mode string // "none": no source ever; "removed": one made and destroyed; "live": one attached
		dies bool
	}{
		{syscall.SIGTERM, "none", true},
		{syscall.SIGTERM, "removed", true},
		{syscall.SIGTERM, "live", false},
		{syscall.SIGINT, "removed", true},
		{syscall.SIGHUP, "removed", true},
		{syscall.SIGUSR1, "none", false},
		{syscall.SIGUSR1, "removed", false},
		{syscall.SIGUSR1, "live", false},
		{syscall.SIGUSR2, "removed", false},
		{syscall.SIGWINCH, "removed", false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%v/%s", tc.sig, tc.mode), func(t *testing.T) {
			if tc.dies && signal.Ignored(tc.sig) {
				// An ignored signal stays ignored across exec, and Go
				// keeps SIGHUP and SIGINT ignored when it starts so
				// (nohup, a shell's background job): the child could
				// not die of it whatever sigloop restored.
				t.Skipf("%v is ignored by this process (started under nohup or in the background?): the child inherits that", tc.sig)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestUnixSignalDefaultRestored$", "-test.count=1")
			cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d %s", sigChildEnv, int(tc.sig), tc.mode))
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(stdout)
			if line, err := r.ReadString('\n'); err != nil || line != "ready\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("child: %q %v", line, err)
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond) // the signal is delivered at once; a dying child is gone by then
			stdin.Close()
			rest, _ := io.ReadAll(r)
			err = cmd.Wait()
			var ee *exec.ExitError
			died := errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signaled() && ee.Sys().(syscall.WaitStatus).Signal() == tc.sig
			switch {
			case tc.dies && !died:
				t.Fatalf("child survived %v (err %v, output %q)", tc.sig, err, rest)
			case !tc.dies && err != nil:
				t.Fatalf("child did not survive %v: %v (output %q)", tc.sig, err, rest)
			case !tc.dies && string(rest) != "survived\n":
				t.Fatalf("child output %q", rest)
			}
		})
	}
}

// unixSignalChild is the child process: it sets up the mode's source, says
// "ready", waits for its stdin to close (handling the signal meanwhile for
// a live source) and exits 0 if it is still alive.
func unixSignalChild(spec string) {
	var num int
	var mode string
	fmt.Sscanf(spec, "%d %s", &num, &mode)
	sig := syscall.Signal(num)
	c := NewContext()
	switch mode {
	case "removed", "live":
		s, err := NewUnixSignalSource(sig)
		if err != nil {
			fmt.Println(err)
			os.Exit(2)
		}
		s.SetCallback(func() bool { return SourceContinue })
		s.Attach(c)
		if mode == "removed" {
			s.Destroy()
		}
	}
	closed := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(closed)
		c.Wakeup()
	}()
	fmt.Println("ready")
	for {
		select {
		case <-closed:
			fmt.Println("survived")
			os.Exit(0)
		default:
		}
		c.Iteration(true)
	}
}
