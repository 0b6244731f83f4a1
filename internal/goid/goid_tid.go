//go:build (!amd64 && !arm64) || sigloop_threadid

package goid

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// ID returns the calling goroutine's identity: its OS thread id, sound only
// between Pin and Unpin (see the package doc).
func ID() int64 { return int64(unix.Gettid()) }

// Pin locks the calling goroutine to its OS thread (counted), so that its
// thread id identifies it until the matching Unpin.
func Pin() { runtime.LockOSThread() }

// Unpin undoes one Pin.
func Unpin() { runtime.UnlockOSThread() }
