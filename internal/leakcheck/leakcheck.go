// Package leakcheck fails a test binary that leaves goroutines behind.
//
// # Getting started
//
// Every sigloop package's tests use it from TestMain:
//
//	func TestMain(m *testing.M) { leakcheck.Main(m) }
//
// After the tests pass it waits up to five seconds for goroutines started by
// the tests to end, then reports any that remain with their stacks and makes
// the binary exit non-zero.
//
// OpenFDs counts the process's open descriptors, for the tests that check
// that an operation leaks none.
package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Main runs m, then each of after (clean-ups of the whole test binary, such
// as progtest.RemoveBuilds), then checks for leaked goroutines.
func Main(m *testing.M, after ...func()) {
	code := m.Run()
	for _, f := range after {
		f()
	}
	if code == 0 {
		if leaked := Check(5 * time.Second); len(leaked) > 0 {
			fmt.Fprintf(os.Stderr, "leakcheck: %d goroutine(s) leaked:\n\n%s\n", len(leaked), strings.Join(leaked, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}

// Check waits up to wait for stray goroutines to finish and returns the
// stacks of those still running.
func Check(wait time.Duration) []string {
	deadline := time.Now().Add(wait)
	for {
		leaked := interesting()
		if len(leaked) == 0 || time.Now().After(deadline) {
			return leaked
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ignored are goroutines that belong to the runtime, the testing package or
// process-wide services that live for the whole process by design.
var ignored = []string{
	"testing.(*M).",
	"testing.tRunner(",
	"testing.runTests",
	"testing.(*T).Run",
	"created by runtime.gc",
	"runtime.MHeap_Scavenger",
	"signal.signal_recv",
	"os/signal.loop",
	"os/signal.signal_recv",
	"created by os/signal.Notify",
	"leakcheck.interesting",
	"runtime.ensureSigM",
	"runtime/trace.Start",
	"sigloop/mainloop.(*unixSignalHub).run", // one process-wide dispatcher, started on first use
	"sigloop/asyncresult.(*pool).",          // worker pool threads exit after their idle timeout
}

func interesting() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for i, g := range strings.Split(string(buf), "\n\n") {
		if i == 0 { // the calling goroutine
			continue
		}
		if g = strings.TrimSpace(g); g == "" {
			continue
		}
		skip := false
		for _, s := range ignored {
			if strings.Contains(g, s) {
				skip = true
				break
			}
		}
		if !skip {
			out = append(out, g)
		}
	}
	sort.Strings(out)
	return out
}

// Collectable watches one object for tests of ownership, as GLib's tests
// use weak pointers: whether a value is still held by someone, or has been
// released and garbage collected.
type Collectable struct{ gone atomic.Bool }

// Watch returns a Collectable for p. Allocate p with at least 16 bytes (or
// with a pointer field), so that it is not a tiny allocation sharing its
// memory block with others.
func Watch[P any](p *P) *Collectable {
	w := &Collectable{}
	runtime.AddCleanup(p, func(w *Collectable) { w.gone.Store(true) }, w)
	return w
}

// Collected runs garbage collections until the object is collected, for up
// to about a fifth of a second, and reports whether it was.
func (w *Collectable) Collected() bool {
	for range 200 {
		runtime.GC()
		if w.gone.Load() {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return false
}

// Held runs a few garbage collections and reports whether the object
// survived them.
func (w *Collectable) Held() bool {
	for range 3 {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	return !w.gone.Load()
}

// OpenFDs counts the process's open file descriptors (/proc/self/fd), for
// tests that check an operation leaks none; it skips t where /proc is not
// mounted.
func OpenFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(ents)
}
