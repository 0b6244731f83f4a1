package qtnet

import (
	"runtime"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// fdGuard closes a descriptor whose owner became unreachable without being
// closed, as os.File does: a LocalSocket closed with data still to write,
// or a LocalServer never closed, on a context that nobody runs any more.
// The owner calls release before closing the descriptor itself.
type fdGuard struct{ fd atomic.Int64 }

// guardFD arms a guard for fd that fires when owner becomes unreachable.
func guardFD[T any](owner *T, fd int) *fdGuard {
	g := &fdGuard{}
	g.fd.Store(int64(fd))
	runtime.AddCleanup(owner, func(g *fdGuard) {
		if fd := g.fd.Swap(-1); fd >= 0 {
			unix.Close(int(fd))
		}
	}, g)
	return g
}

// release disarms the guard (nil-safe).
func (g *fdGuard) release() {
	if g != nil {
		g.fd.Store(-1)
	}
}
