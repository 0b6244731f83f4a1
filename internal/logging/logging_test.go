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

func TestSilentByDefaultAndSetLogger(t *testing.T) {
	defer ResetLogger()
	l := For("nowhere")
	if l.GetLevel() != zerolog.Disabled {
		t.Fatalf("default logger is not silent: level %v", l.GetLevel())
	}
	var buf bytes.Buffer
	SetLogger(zerolog.New(&buf))
	Critical("mainloop", "Source ID 3 was not found when attempting to remove it")
	Debug("mainloop", func(e *zerolog.Event) { e.Msg("debug line") })
	out := buf.String()
	if !strings.Contains(out, `"glib":"critical"`) || !strings.Contains(out, "Source ID 3") {
		t.Errorf("critical not logged: %s", out)
	}
	if strings.Contains(out, "debug line") {
		t.Errorf("debug logged without SIGLOOP_DEBUG: %s", out)
	}
}

func TestCapture(t *testing.T) {
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
