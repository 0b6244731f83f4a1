//go:build (!amd64 && !arm64) || sigloop_threadid

package mainloop

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// Where no goroutine identity is available (or with -tags sigloop_threadid),
// the identity is the OS thread id: a goroutine with state is locked to its
// thread (pin, counted by the runtime) and, while it is, no other goroutine
// runs there. A look-up pins the caller for its duration, so it cannot
// observe another goroutine's state.

func selfID() int64 { return int64(unix.Gettid()) }

func pin()   { runtime.LockOSThread() }
func unpin() { runtime.UnlockOSThread() }
