//go:build !amd64 && !arm64

package mainloop

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// Where no goroutine identity is available, the identity is the OS thread
// id: a goroutine with state is locked to its thread (pin, counted by the
// runtime) and, while it is, no other goroutine runs there.

func selfID() int64 { return int64(unix.Gettid()) }

func pin()   { runtime.LockOSThread() }
func unpin() { runtime.UnlockOSThread() }
