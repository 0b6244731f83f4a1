//go:build (amd64 || arm64) && !sigloop_threadid

package goid

func getg() uintptr

// ID returns the calling goroutine's identity (see the package doc).
func ID() int64 { return int64(getg()) }

// Pin must be called before state is stored under ID, and Unpin when it is
// given back; with goroutine identities they do nothing.
func Pin() {}

// Unpin undoes one Pin.
func Unpin() {}
