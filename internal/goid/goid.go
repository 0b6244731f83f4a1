// Package goid gives the calling goroutine an identity, which Go does not
// expose, for the few places where GLib keeps per-thread state: the owner of
// a main context, the thread-default context stack, the current cancellable.
//
// The identity is the address of the runtime's g for the goroutine, read with
// a few lines of assembly (the technique of github.com/petermattis/goid).
// It is sound while the goroutine lives: a g is never freed or moved, and is
// reused only for a new goroutine after its goroutine has exited, so no two
// live goroutines share a value. State kept under an identity must therefore
// be given back before the goroutine exits (GLib asks the same of threads);
// otherwise the next goroutine to reuse the g inherits it.
//
// Unlike a thread id it costs no system call (unix.Gettid is about 107 ns on
// the machines this was measured on) and needs no runtime.LockOSThread, so a
// goroutine that owns a context and waits frees its thread at once.
//
// Where the g cannot be read (other architectures), or with the build tag
// sigloop_threadid, the identity is the OS thread id instead, and Pin/Unpin
// lock the goroutine to its thread while it holds state, so that no other
// goroutine runs there meanwhile.
package goid
