// Package logging is sigloop's one route to a logger.
//
// By default, as GLib and Qt do, criticals and warnings (programmer errors a
// call refused: g_return_if_fail, g_critical, g_warning, qWarning) are
// printed to standard error, one line each, naming the refused call:
//
//	sigloop-gio-CRITICAL **: g_socket_listener_add_inet_port: port 70000 out of range 0..65535
//
// Debug output is off until SIGLOOP_DEBUG (in the spirit of G_MESSAGES_DEBUG
// and QT_LOGGING_RULES), a comma-separated list of package names or "all",
// turns it on for those packages, also to standard error.
//
// sigloop.SetLogger replaces all of that with a zerolog logger (zerolog.Nop()
// silences everything). Criticals and warnings are logged there at zerolog's
// error and warn levels with the field "glib" set to "critical" or
// "warning", so tests and tools can find them.
//
// While a Capture is open (a test expecting a critical, as GLib's
// g_test_expect_message), criticals and warnings go to the capture and not to
// standard error; a logger set with SetLogger still receives them.
//
// # Getting started
//
// A method that refuses a call logs the critical GLib would, starting with
// the C call's name, and returns its zero result; a test expects it with a
// Capture:
//
//	if fd < 0 {
//		logging.Critical("gio", "g_socket_new_from_fd: assertion 'fd >= 0' failed")
//		return nil
//	}
//
//	capt := logging.StartCapture()
//	defer capt.Stop()
//	… the refused call …
//	if capt.Count("critical", "fd >= 0") != 1 { t.Error("not refused") }
package logging

import (
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rs/zerolog"
)

var (
	base    atomic.Pointer[zerolog.Logger]
	envOnce sync.Once
	debug   map[string]bool // from SIGLOOP_DEBUG; read-only after envOnce
	allDbg  bool
	stderr  zerolog.Logger
)

// EnvVar names the environment variable that turns on debug output per package.
const EnvVar = "SIGLOOP_DEBUG"

func loadEnv() {
	debug = map[string]bool{}
	for _, p := range strings.Split(os.Getenv(EnvVar), ",") {
		p = strings.TrimSpace(p)
		switch p {
		case "":
		case "all", "*":
			allDbg = true
		default:
			debug[p] = true
		}
	}
	stderr = zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr}).With().Timestamp().Logger()
}

// SetLogger makes l the logger of every sigloop package. Debug events are
// kept only for the packages named in SIGLOOP_DEBUG; l's own level applies on
// top of that.
func SetLogger(l zerolog.Logger) { base.Store(&l) }

// ResetLogger restores the default: criticals and warnings on standard
// error, debug output as SIGLOOP_DEBUG says.
func ResetLogger() { base.Store(nil) }

// out is where criticals and warnings go when no logger is set.
var out struct {
	sync.Mutex
	w io.Writer // nil means os.Stderr
}

// SetOutput makes w the destination of the default output (criticals and
// warnings when no logger is set) and returns a function that restores the
// previous one. It is for tests; nil means standard error.
func SetOutput(w io.Writer) (restore func()) {
	out.Lock()
	old := out.w
	out.w = w
	out.Unlock()
	return func() {
		out.Lock()
		out.w = old
		out.Unlock()
	}
}

// Line is the default output's line for a record: GLib's
// "Domain-LEVEL **: message" shape, with "sigloop-pkg" as the domain.
func Line(level, pkg, msg string) string {
	return "sigloop-" + pkg + "-" + strings.ToUpper(level) + " **: " + msg + "\n"
}

// printDefault writes one record to the default output, in one write.
func printDefault(level, pkg, msg string) {
	line := Line(level, pkg, msg)
	out.Lock()
	defer out.Unlock()
	w := out.w
	if w == nil {
		w = os.Stderr
	}
	_, _ = io.WriteString(w, line)
}

// For returns the logger of package pkg ("mainloop", "gio", …).
func For(pkg string) zerolog.Logger {
	dbg := DebugEnabled(pkg)
	if p := base.Load(); p != nil {
		l := p.With().Str("pkg", pkg).Logger()
		if !dbg {
			l = l.Level(maxLevel(l.GetLevel(), zerolog.InfoLevel))
		}
		return l
	}
	if dbg {
		return stderr.With().Str("pkg", pkg).Logger()
	}
	return zerolog.Nop()
}

func maxLevel(a, b zerolog.Level) zerolog.Level {
	if a > b {
		return a
	}
	return b
}

// Critical logs a GLib-style critical: a programmer error that the call
// refused (g_critical, g_return_if_fail, Qt's qWarning on misuse). msg
// starts with the name of the refused call.
func Critical(pkg, msg string) { report(zerolog.ErrorLevel, "critical", pkg, msg) }

// Warning logs a GLib-style warning (g_warning).
func Warning(pkg, msg string) { report(zerolog.WarnLevel, "warning", pkg, msg) }

// report sends a critical or warning to the logger set with SetLogger, or
// else to the default output unless a Capture takes it, and to every open
// Capture.
func report(lvl zerolog.Level, level, pkg, msg string) {
	captured := notify(level, pkg, msg)
	if p := base.Load(); p != nil {
		l := For(pkg)
		l.WithLevel(lvl).Str("glib", level).Msg(msg)
		return
	}
	if !captured {
		printDefault(level, pkg, msg)
	}
}

// DebugEnabled reports whether pkg's debug output is on (SIGLOOP_DEBUG).
func DebugEnabled(pkg string) bool {
	envOnce.Do(loadEnv)
	return allDbg || debug[pkg]
}

// Debug logs a debug message for pkg, built only when pkg's debug output is
// on; otherwise it costs a map look-up and no allocation.
func Debug(pkg string, build func(e *zerolog.Event)) {
	if !DebugEnabled(pkg) {
		return
	}
	l := For(pkg)
	if e := l.Debug(); e.Enabled() {
		build(e)
		e.Send()
	}
}

// A Record is one critical or warning seen by a Capture.
type Record struct {
	Level   string // "critical" or "warning"
	Package string
	Message string
}

var (
	capMu    sync.Mutex
	captures []*Capture
)

// Capture collects the criticals and warnings logged while it is open. Tests
// use it to check that a refused call was reported, as GLib's tests use
// g_test_expect_message.
type Capture struct {
	mu      sync.Mutex
	records []Record
}

// StartCapture opens a Capture; call Stop when done.
func StartCapture() *Capture {
	c := &Capture{}
	capMu.Lock()
	captures = append(captures[:len(captures):len(captures)], c) // copy on write: notify reads a snapshot
	capMu.Unlock()
	return c
}

// Stop closes the capture and returns what it saw.
func (c *Capture) Stop() []Record {
	capMu.Lock()
	for i, x := range captures {
		if x == c {
			captures = append(captures[:i:i], captures[i+1:]...)
			break
		}
	}
	capMu.Unlock()
	return c.Records()
}

// Records returns what the capture has seen so far.
func (c *Capture) Records() []Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Record(nil), c.records...)
}

// Count returns how many records of the level contain substr.
func (c *Capture) Count(level, substr string) int {
	n := 0
	for _, r := range c.Records() {
		if r.Level == level && strings.Contains(r.Message, substr) {
			n++
		}
	}
	return n
}

// notify hands the record to every open Capture and reports whether there
// was one.
func notify(level, pkg, msg string) bool {
	capMu.Lock()
	cs := captures
	capMu.Unlock()
	for _, c := range cs {
		c.mu.Lock()
		c.records = append(c.records, Record{level, pkg, msg})
		c.mu.Unlock()
	}
	return len(cs) > 0
}
