// Package logging is sigloop's one route to a logger.
//
// sigloop is a library, so it is silent by default: nothing is written until
// the application calls sigloop.SetLogger, or sets SIGLOOP_DEBUG (in the
// spirit of G_MESSAGES_DEBUG and QT_LOGGING_RULES) to a comma-separated list
// of package names, or "all", which sends those packages' debug output to
// standard error.
//
// GLib's g_critical and g_warning, which mark programmer errors, are logged at
// zerolog's error and warn levels with the field "glib" set to "critical" or
// "warning", so tests and tools can find them.
package logging

import (
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

// ResetLogger restores the default: silent, except what SIGLOOP_DEBUG turns on.
func ResetLogger() { base.Store(nil) }

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
// refused (g_critical, g_return_if_fail, Qt's qWarning on misuse).
func Critical(pkg, msg string) {
	l := For(pkg)
	l.Error().Str("glib", "critical").Msg(msg)
	notify("critical", pkg, msg)
}

// Warning logs a GLib-style warning (g_warning).
func Warning(pkg, msg string) {
	l := For(pkg)
	l.Warn().Str("glib", "warning").Msg(msg)
	notify("warning", pkg, msg)
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
	captures = append(captures, c)
	capMu.Unlock()
	return c
}

// Stop closes the capture and returns what it saw.
func (c *Capture) Stop() []Record {
	capMu.Lock()
	for i, x := range captures {
		if x == c {
			captures = append(captures[:i], captures[i+1:]...)
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

func notify(level, pkg, msg string) {
	capMu.Lock()
	cs := captures
	capMu.Unlock()
	for _, c := range cs {
		c.mu.Lock()
		c.records = append(c.records, Record{level, pkg, msg})
		c.mu.Unlock()
	}
}
