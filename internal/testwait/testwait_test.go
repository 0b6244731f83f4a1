package testwait_test

import (
	"sync"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/leakcheck"
	"github.com/sigloop/sigloop/internal/testwait"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// fakeT records a Fatalf and ends the goroutine that called it, as
// testing.T does.
type fakeT struct {
	testing.TB
	failed string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = format
	panic(f)
}

// run calls fn with a fakeT and reports whether it failed.
func run(fn func(t testing.TB)) (failed bool) {
	f := &fakeT{}
	defer func() {
		if r := recover(); r != nil && r != any(f) {
			panic(r)
		}
		failed = f.failed != ""
	}()
	fn(f)
	return false
}

func TestRecv(t *testing.T) {
	ch := make(chan int, 1)
	ch <- 7
	if got := testwait.Recv(t, ch, time.Second, "seven"); got != 7 {
		t.Fatalf("Recv = %d, want 7", got)
	}
	if !run(func(t testing.TB) { testwait.Recv(t, make(chan int), 10*time.Millisecond, "nothing") }) {
		t.Fatal("Recv on a silent channel did not fail")
	}
}

func TestWaitGroup(t *testing.T) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { time.Sleep(5 * time.Millisecond); wg.Done() }()
	testwait.WaitGroup(t, &wg, time.Second, "one goroutine")

	var stuck sync.WaitGroup
	stuck.Add(1)
	if !run(func(t testing.TB) { testwait.WaitGroup(t, &stuck, 10*time.Millisecond, "a stuck goroutine") }) {
		t.Fatal("WaitGroup on a goroutine that never returns did not fail")
	}
	stuck.Done() // lets WaitGroup's own waiter end, for leakcheck
}
