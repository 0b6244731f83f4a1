package asyncresult_test

import (
	"sync"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/leakcheck"
	"github.com/sigloop/sigloop/internal/looptest"
	"github.com/sigloop/sigloop/internal/testwait"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// newHarness gives a test its own context (Ctx), pushed as the test
// goroutine's thread-default context so that NewTask captures it, and
// popped when the test ends (internal/looptest).
func newHarness(t testing.TB) *looptest.Loop { return looptest.Push(t, 20*time.Second) }

// waitBound bounds every wait of a test on another goroutine, so that a bug
// makes the test fail with a message instead of hanging the binary.
const waitBound = 30 * time.Second

// recv waits for a value from ch, failing the test after waitBound.
func recv[V any](t *testing.T, ch <-chan V, what string) V {
	t.Helper()
	return testwait.Recv(t, ch, waitBound, what)
}

// send sends v on ch, failing the test after waitBound.
func send[V any](t *testing.T, ch chan<- V, v V, what string) {
	t.Helper()
	select {
	case ch <- v:
	case <-time.After(waitBound):
		t.Fatalf("timed out after %v sending to %s", waitBound, what)
	}
}

// waitGroup waits for wg, failing the test after waitBound.
func waitGroup(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	testwait.WaitGroup(t, wg, waitBound, what)
}

// within runs f on another goroutine and waits for it to return, failing
// the test after waitBound: for calls that block by design
// (RunInThreadSync).
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	recv(t, done, what)
}
