package logging

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

// By default, criticals and warnings are one line each on the default
// output (standard error), as GLib's g_critical and Qt's qWarning; debug
// output stays off.
func TestDefaultOutput(t *testing.T) {
	var buf bytes.Buffer
	defer SetOutput(&buf)()
	Critical("gio", "g_socket_listener_add_inet_port: port 70000 out of range 0..65535")
	Warning("cancellable", "g_cancellable_reset: w")
	Debug("mainloop", func(e *zerolog.Event) { e.Msg("debug line") })
	want := "sigloop-gio-CRITICAL **: g_socket_listener_add_inet_port: port 70000 out of range 0..65535\n" +
		"sigloop-cancellable-WARNING **: g_cancellable_reset: w\n"
	if got := buf.String(); got != want {
		t.Errorf("default output:\n%q\nwant\n%q", got, want)
	}
	if l := For("nowhere"); l.GetLevel() != zerolog.Disabled {
		t.Errorf("debug logger is not off by default: level %v", l.GetLevel())
	}
}

// SetLogger redirects: the default output sees nothing, the logger sees the
// critical; zerolog.Nop silences everything.
func TestSetLoggerRedirectsAndSilences(t *testing.T) {
	defer ResetLogger()
	var def, buf bytes.Buffer
	defer SetOutput(&def)()
	SetLogger(zerolog.New(&buf))
	Critical("mainloop", "Source ID 3 was not found when attempting to remove it")
	Debug("mainloop", func(e *zerolog.Event) { e.Msg("debug line") })
	out := buf.String()
	if !strings.Contains(out, `"glib":"critical"`) || !strings.Contains(out, "Source ID 3") || !strings.Contains(out, `"level":"error"`) {
		t.Errorf("critical not logged: %s", out)
	}
	if strings.Contains(out, "debug line") {
		t.Errorf("debug logged without SIGLOOP_DEBUG: %s", out)
	}
	SetLogger(zerolog.Nop())
	Critical("mainloop", "silenced")
	ResetLogger()
	Warning("mainloop", "back on the default output")
	if got, want := def.String(), Line("warning", "mainloop", "back on the default output"); got != want {
		t.Errorf("default output = %q, want %q", got, want)
	}
}

// A test that captures a critical does not also print it.
func TestCaptureKeepsDefaultOutputQuiet(t *testing.T) {
	var buf bytes.Buffer
	defer SetOutput(&buf)()
	c := StartCapture()
	Critical("signal", "expected")
	c.Stop()
	if buf.Len() != 0 || c.Count("critical", "expected") != 1 {
		t.Errorf("with a capture open: printed %q, captured %+v", buf.String(), c.Records())
	}
}

// The real default is standard error, checked in a child process.
func TestDefaultIsStderr(t *testing.T) {
	if os.Getenv("SIGLOOP_LOGGING_CHILD") == "stderr" {
		Critical("gio", "g_socket_new: assertion 'family != 0' failed")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDefaultIsStderr$")
	cmd.Env = append(os.Environ(), "SIGLOOP_LOGGING_CHILD=stderr")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	want := "sigloop-gio-CRITICAL **: g_socket_new: assertion 'family != 0' failed\n"
	if stderr.String() != want {
		t.Errorf("child stderr = %q, want %q", stderr.String(), want)
	}
	if strings.Contains(stdout.String(), "CRITICAL") {
		t.Errorf("critical on stdout: %q", stdout.String())
	}
}

func TestCapture(t *testing.T) {
	defer SetOutput(io.Discard)()
	c := StartCapture()
	Critical("signal", "instance has no handler with id '7'")
	Warning("signal", "w")
	recs := c.Stop()
	Critical("signal", "after stop")
	if len(recs) != 2 || c.Count("critical", "no handler") != 1 || c.Count("warning", "w") != 1 {
		t.Errorf("records = %+v", recs)
	}
}

// SIGLOOP_DEBUG is read once per process, so the check runs in a child.
func TestDebugEnv(t *testing.T) {
	if os.Getenv("SIGLOOP_LOGGING_CHILD") == "1" {
		Debug("gio", func(e *zerolog.Event) { e.Msg("gio-debug-line") })
		Debug("qtnet", func(e *zerolog.Event) { e.Msg("qtnet-debug-line") })
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDebugEnv$")
	cmd.Env = append(os.Environ(), "SIGLOOP_LOGGING_CHILD=1", EnvVar+"=mainloop,gio")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "gio-debug-line") || strings.Contains(string(out), "qtnet-debug-line") {
		t.Errorf("SIGLOOP_DEBUG=mainloop,gio printed:\n%s", out)
	}
}

// Debug sits on paths such as object initialisation: when pkg's debug
// output is off it must not allocate, even with a logger set.
func TestDebugOffAllocatesNothing(t *testing.T) {
	defer ResetLogger()
	for _, set := range []bool{false, true} {
		if set {
			SetLogger(zerolog.New(io.Discard))
		}
		n := testing.AllocsPerRun(100, func() {
			Debug("object", func(e *zerolog.Event) { e.Msg("never") })
		})
		if n != 0 {
			t.Errorf("logger set=%v: Debug allocated %v times", set, n)
		}
	}
}
