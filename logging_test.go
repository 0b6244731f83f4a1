package sigloop_test

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/sigloop/sigloop"
	"github.com/sigloop/sigloop/cancellable"
)

// A refused call is one line on standard error by default, and nothing
// there after SetLogger, which receives it instead (or silences it, with
// zerolog.Nop). Each case runs in a child process, so that the process-wide
// logger of the test binary is left alone.
func TestRefusedCallOnStderr(t *testing.T) {
	const child = "SIGLOOP_ROOT_LOGGING_CHILD"
	switch os.Getenv(child) {
	case "default":
		cancellable.New().ReleaseFD()
		return
	case "logger":
		sigloop.SetLogger(zerolog.New(os.Stdout))
		cancellable.New().ReleaseFD()
		return
	case "nop":
		sigloop.SetLogger(zerolog.Nop())
		cancellable.New().ReleaseFD()
		return
	}
	const line = "sigloop-cancellable-CRITICAL **: g_cancellable_release_fd: assertion 'priv->fd_refcount > 0' failed\n"
	for _, tc := range []struct {
		mode                 string
		wantStderr, inStdout string
	}{
		{"default", line, ""},
		{"logger", "", `"glib":"critical"`},
		{"nop", "", ""},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestRefusedCallOnStderr$")
			cmd.Env = append(os.Environ(), child+"="+tc.mode)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("child: %v\n%s%s", err, stdout.String(), stderr.String())
			}
			if stderr.String() != tc.wantStderr {
				t.Errorf("stderr = %q, want %q", stderr.String(), tc.wantStderr)
			}
			if tc.inStdout != "" && !strings.Contains(stdout.String(), tc.inStdout) {
				t.Errorf("logger output %q lacks %q", stdout.String(), tc.inStdout)
			}
			if tc.mode == "nop" && strings.Contains(stdout.String(), "release_fd") {
				t.Errorf("Nop logger: output %q", stdout.String())
			}
		})
	}
}
