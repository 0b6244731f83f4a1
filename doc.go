// Package sigloop is the root of a Go library that brings the GObject and
// QObject programming model to Go, without cgo: main contexts and loops
// (package mainloop), typed signals (signal), objects with ownership,
// properties and context affinity (object), GCancellable (cancellable),
// GTask (asyncresult), and GIO's and QtNetwork's socket servers built on them
// (gio, qtnet).
//
// This package itself only holds the process-wide settings: the logger.
//
// # Logging
//
// sigloop is silent by default. SetLogger sends every package's warnings and
// GLib-style criticals (programmer errors a call refused) to a zerolog
// logger. The environment variable SIGLOOP_DEBUG, a comma-separated list of
// package names such as "mainloop,gio" or "all", turns on debug output for
// those packages, to standard error when no logger is set.
package sigloop

import (
	"github.com/rs/zerolog"

	"github.com/sigloop/sigloop/internal/logging"
)

// SetLogger makes l the logger of every sigloop package. Call it once, early.
func SetLogger(l zerolog.Logger) { logging.SetLogger(l) }

// DebugEnv is the environment variable that turns on debug output per
// package (like GLib's G_MESSAGES_DEBUG).
const DebugEnv = logging.EnvVar
