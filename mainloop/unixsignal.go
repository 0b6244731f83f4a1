package mainloop

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/sigloop/sigloop/internal/logging"
)

// unixSignalHub is the process-wide receiver of the Unix signals that signal
// sources watch. It is one goroutine (run), started on first use, that
// counts deliveries per signal and wakes the contexts of the sources
// watching it. A signal stays caught (not its default action) only while
// some source watches it.
type unixSignalHub struct {
	mu      sync.Mutex
	chans   map[syscall.Signal]chan os.Signal
	counts  map[syscall.Signal]*atomic.Uint64
	sources map[syscall.Signal]map[*Source]struct{}
}

var (
	hubOnce sync.Once
	hub     *unixSignalHub
)

// supportedSignals are the signals g_unix_signal_source_new accepts.
var supportedSignals = [...]syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH}

func getHub() *unixSignalHub {
	hubOnce.Do(func() {
		hub = &unixSignalHub{
			chans:   make(map[syscall.Signal]chan os.Signal),
			counts:  make(map[syscall.Signal]*atomic.Uint64),
			sources: make(map[syscall.Signal]map[*Source]struct{}),
		}
		var chans [len(supportedSignals)]chan os.Signal
		for i, sig := range supportedSignals {
			hub.counts[sig] = new(atomic.Uint64)
			chans[i] = make(chan os.Signal, 1)
			hub.chans[sig] = chans[i]
		}
		go hub.run(chans)
	})
	return hub
}

// run receives signals for the whole process, one channel per signal so
// that each can be stopped on its own. It never ends: like GLib's
// signal-handling machinery, it lives as long as the process.
func (h *unixSignalHub) run(ch [len(supportedSignals)]chan os.Signal) {
	for {
		var sig os.Signal
		select {
		case sig = <-ch[0]:
		case sig = <-ch[1]:
		case sig = <-ch[2]:
		case sig = <-ch[3]:
		case sig = <-ch[4]:
		case sig = <-ch[5]:
		}
		h.deliver(sig.(syscall.Signal))
	}
}

// deliver counts a delivery of s and makes every source watching it ready
// (a ready time of 0, which also wakes its context). The sources are made
// ready after h.mu is released: SetReadyTime takes the source's context
// lock, under which a source's destruction calls remove.
func (h *unixSignalHub) deliver(s syscall.Signal) {
	h.mu.Lock()
	if cnt := h.counts[s]; cnt != nil {
		cnt.Add(1)
	}
	var srcs []*Source
	for src := range h.sources[s] {
		srcs = append(srcs, src)
	}
	h.mu.Unlock()
	for _, src := range srcs {
		src.SetReadyTime(0)
	}
}

func (h *unixSignalHub) add(sig syscall.Signal, src *Source) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.sources[sig]
	if set == nil {
		set = make(map[*Source]struct{})
		h.sources[sig] = set
	}
	if len(set) == 0 {
		signal.Notify(h.chans[sig], sig)
	}
	set[src] = struct{}{}
}

func (h *unixSignalHub) remove(sig syscall.Signal, src *Source) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.sources[sig]
	if _, ok := set[src]; !ok {
		return
	}
	delete(set, src)
	if len(set) == 0 {
		// Back to the handling sig had before (Go's default, unless other
		// code in the process asked for sig with signal.Notify), as GLib
		// restores SIG_DFL when the last source for a signal goes away.
		signal.Stop(h.chans[sig])
	}
}

// NewUnixSignalSource is g_unix_signal_source_new: a source ready after sig
// is delivered to the process. Deliveries that arrive before the source is
// dispatched are coalesced into one dispatch, but none that arrives after
// NewUnixSignalSource returns is lost. Supported: SIGHUP, SIGINT, SIGTERM,
// SIGUSR1, SIGUSR2, SIGWINCH; anything else is an error.
//
// While at least one such source for sig exists (not destroyed), sig does
// not take its default action. When the last one is destroyed, sig is
// handled again as it was before any source watched it: Go's default
// (signal.Stop), unless other code in the process asked for sig with
// signal.Notify. For SIGHUP, SIGINT and SIGTERM that terminates the
// process, as in C (or keeps ignoring them if the process started with
// them ignored, as under nohup); SIGWINCH is ignored, as in C.
//
// The source has no prepare or check function: a delivery sets its ready
// time to 0 (ReadyTime reports it until the dispatch) and its dispatch sets
// it back to -1. So an iteration of its context looks at it only while a
// delivery is pending. GLib's prepare and check look at it in every
// iteration, which costs a server with SIGINT and SIGTERM sources on its
// one loop a share of each round trip.
//
// Differs from GLib: GLib resets the C default (SIG_DFL), which terminates
// the process on SIGUSR1 and SIGUSR2; a Go program ignores those two by
// default, before a source existed and after, so a SIGUSR1 that arrives
// once the source is gone is ignored. The process behaves the same as if
// the source had never existed (TestUnixSignalDefaultRestored runs each
// case in a child process).
func NewUnixSignalSource(sig syscall.Signal) (*Source, error) {
	h := getHub()
	cnt := h.counts[sig]
	if cnt == nil {
		return nil, fmt.Errorf("mainloop: signal %d (%v) is not supported; use SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2 or SIGWINCH", int(sig), sig)
	}
	// The hub's delivery sets the source's ready time to 0; its dispatch
	// clears it before it takes the count. So the source has neither
	// prepare nor check, and a context looks at it only while a delivery
	// is pending, not in every iteration as GLib's prepare and check do.
	// A delivery counted before the dispatch took the count but made
	// ready after it clears leaves a dispatch with nothing new: it keeps
	// the source and does not call back.
	var seen atomic.Uint64
	seen.Store(cnt.Load())
	s := NewSource(SourceFuncs{
		Dispatch: func(s *Source, cb SourceFunc) bool {
			s.SetReadyTime(-1)
			n := cnt.Load()
			if n == seen.Load() {
				return true
			}
			seen.Store(n)
			if cb == nil {
				logging.Warning(pkg, "Unix signal source dispatched without callback. You must call g_source_set_callback().")
				return false
			}
			return cb()
		},
	})
	s.name = "GUnixSignalSource: " + sig.String()
	s.onDestroy = func() { h.remove(sig, s) }
	h.add(sig, s)
	return s, nil
}

// UnixSignalAdd is g_unix_signal_add: a Unix signal source on the global
// default context.
func UnixSignalAdd(sig syscall.Signal, fn SourceFunc) (SourceID, error) {
	return UnixSignalAddFull(PriorityDefault, sig, fn)
}

// UnixSignalAddFull is g_unix_signal_add_full.
func UnixSignalAddFull(priority int, sig syscall.Signal, fn SourceFunc) (SourceID, error) {
	if fn == nil {
		logging.Critical(pkg, "g_unix_signal_add_full: assertion 'handler != NULL' failed")
		return 0, errors.New("mainloop: nil handler")
	}
	s, err := NewUnixSignalSource(sig)
	if err != nil {
		return 0, err
	}
	s.priority = priority
	s.callback = fn
	return s.Attach(Default()), nil
}
