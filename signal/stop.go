package signal

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sigloop/sigloop/internal/logging"
)

// stopState holds StopEmission requests. Emissions do not register
// themselves (that would cost two atomic read-modify-writes on every
// emission, several times the cost of calling a handler), so a request
// records the goroutine that made it and a sequence number (the signal's
// gen counter); an emission remembers gen at its start and, after each handler,
// claims a request made on its own goroutine after it started. Inner
// emissions claim first, so the innermost emission of the signal on the
// calling goroutine is the one stopped, as g_signal_stop_emission stops the
// innermost emission (SIG-7).
type stopState struct {
	pending atomic.Int32
	mu      sync.Mutex
	reqs    []stopReq
}

type stopReq struct {
	seq uint64
	gid uint64
}

// maxStopReqs bounds requests nobody can claim (StopEmission on a signal
// that is not emitting, called from a handler of another signal).
const maxStopReqs = 64

// StopEmission is g_signal_stop_emission: called from a handler (or class
// handler) of this signal, it makes the innermost emission of the signal on
// the calling goroutine skip its remaining normal handlers, the RUN_LAST
// class handler and the after-handlers; a RUN_CLEANUP class handler still
// runs (SIG-7). Called on a goroutine that is not inside any signal
// emission it logs GLib's critical and does nothing.
func (c *core[F]) StopEmission() {
	if !insideEmission() {
		logging.Critical(pkg, fmt.Sprintf("g_signal_stop_emission: no emission of signal %p to stop", c))
		return
	}
	s := &c.stops
	gid := goid()
	s.mu.Lock()
	r := stopReq{seq: c.gen.Add(1), gid: gid}
	if len(s.reqs) >= maxStopReqs {
		s.reqs = append(s.reqs[:0], s.reqs[1:]...)
	}
	s.reqs = append(s.reqs, r)
	s.pending.Store(int32(len(s.reqs)))
	s.mu.Unlock()
}

// claim reports whether a request made on this goroutine after start is
// pending, and removes it. Only called when pending != 0.
func (s *stopState) claim(start uint64) bool {
	s.mu.Lock()
	cand := false
	for _, r := range s.reqs {
		if r.seq > start {
			cand = true
			break
		}
	}
	s.mu.Unlock()
	if !cand {
		return false
	}
	gid := goid()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.reqs) - 1; i >= 0; i-- {
		if r := s.reqs[i]; r.seq > start && r.gid == gid {
			s.reqs = append(s.reqs[:i], s.reqs[i+1:]...)
			s.pending.Store(int32(len(s.reqs)))
			return true
		}
	}
	return false
}

// stopped is the check an emission makes after each handler.
func (s *stopState) stopped(start uint64) bool {
	return s.pending.Load() != 0 && s.claim(start)
}

// goid returns the calling goroutine's id. It is slow (it formats the
// stack header) and only used by StopEmission.
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = b[len("goroutine "):]
	var id uint64
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			break
		}
		id = id*10 + uint64(ch-'0')
	}
	return id
}

const emitMarker = "github.com/sigloop/sigloop/signal."

// insideEmission reports whether an Emit of this package is on the calling
// goroutine's stack.
func insideEmission() bool {
	pcs := make([]uintptr, 128)
	n := runtime.Callers(2, pcs)
	for n == len(pcs) {
		pcs = make([]uintptr, 2*len(pcs))
		n = runtime.Callers(2, pcs)
	}
	fr := runtime.CallersFrames(pcs[:n])
	for {
		f, more := fr.Next()
		if strings.HasPrefix(f.Function, emitMarker) && (strings.Contains(f.Function, ").Emit") || strings.Contains(f.Function, ".emitSlow")) {
			return true
		}
		if !more {
			return false
		}
	}
}
