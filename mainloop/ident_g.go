//go:build (amd64 || arm64) && !sigloop_threadid

package mainloop

// getg returns the runtime's pointer to the calling goroutine's g, read from
// its TLS slot (amd64) or g register (arm64), as github.com/petermattis/goid
// does.
//
// Why it is a sound identity: a g is never freed or moved, and it is reused
// only for a new goroutine after its goroutine has exited; so while a
// goroutine is alive no other goroutine has its value. Ownership and pushed
// contexts must be given back before the goroutine exits (GLib asks the same
// of threads), so a stale value is never looked up. Unlike a thread id it
// needs neither a system call (Gettid is ~107 ns here) nor
// runtime.LockOSThread, so an owner blocked in its poll frees its thread and
// P at once, and Invoke from other goroutines costs a few nanoseconds to ask
// "am I the owner?".
func getg() uintptr

func selfID() int64 { return int64(getg()) }

func pin()   {}
func unpin() {}
