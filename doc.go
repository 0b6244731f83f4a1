// Package sigloop is the root of a Go library that brings the GObject and
// QObject programming model to Go, without cgo: main contexts and loops
// (package mainloop), typed signals (signal), objects with ownership,
// properties and context affinity (object), GCancellable (cancellable),
// GTask (asyncresult), and GIO's sockets, streams and socket client built on
// them (gio).
//
// This package itself only holds the process-wide setting: the logger.
//
// # Getting started
//
// A program makes a loop, connects handlers, adds sources and runs the loop;
// every callback then runs on the loop's goroutine:
//
//	loop := mainloop.New(nil) // on mainloop.Default()
//	mainloop.TimeoutAddOnce(10*time.Millisecond, func() {
//		fmt.Println("tick")
//		loop.Quit()
//	})
//	loop.Run()
//
// That is Example_gettingStarted; Example adds an object with a property
// and a signal. docs/conventions.md says how a GLib or Qt call maps to Go,
// and docs/conformance.md what the rule ids cited in the code (TASK-3,
// SOCK-11, …) mean and which upstream test each comes from.
//
// # Logging
//
// Like GLib and Qt, sigloop prints a call it refused as a programmer error
// (GLib's criticals and warnings, Qt's qWarning) as one line on standard
// error, naming the call:
//
//	sigloop-cancellable-CRITICAL **: g_cancellable_release_fd: assertion 'priv->fd_refcount > 0' failed
//
// SetLogger sends those lines to a zerolog logger instead, at the error and
// warn levels with the field "glib" set to "critical" or "warning";
// SetLogger(zerolog.Nop()) silences them. Debug output is off until the
// environment variable SIGLOOP_DEBUG (DebugEnv), a comma-separated list of
// package names such as "mainloop,gio" or "all", turns it on for those
// packages, to standard error or to the logger set with SetLogger.
package sigloop

import (
	"github.com/rs/zerolog"

	"github.com/sigloop/sigloop/internal/logging"
)

// SetLogger makes l the logger of every sigloop package, in place of
// standard error: criticals and warnings go to l whatever l's level allows,
// debug events only for the packages SIGLOOP_DEBUG names. SetLogger(zerolog.Nop())
// silences sigloop. It is safe to call from any goroutine; call it early.
func SetLogger(l zerolog.Logger) { logging.SetLogger(l) }

// DebugEnv is the environment variable that turns on debug output per
// package (like GLib's G_MESSAGES_DEBUG).
const DebugEnv = logging.EnvVar
