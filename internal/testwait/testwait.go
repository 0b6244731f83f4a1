// Package testwait bounds the waits of sigloop's tests: a receive from a
// channel or a wait for a sync.WaitGroup fails the test after a timeout
// instead of hanging the binary until go test's own deadline.
//
//	err := testwait.Recv(t, errc, 10*time.Second, "blocked accept")
//	testwait.WaitGroup(t, &wg, 20*time.Second, "loops to end")
//
// The functions are safe from any goroutine that may call t.Fatal (the
// test's own goroutine).
package testwait

import (
	"sync"
	"testing"
	"time"
)

// Recv receives from ch, failing t with "timed out after <timeout> waiting
// for <what>" when nothing comes within timeout.
func Recv[V any](t testing.TB, ch <-chan V, timeout time.Duration, what string) V {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("timed out after %v waiting for %s", timeout, what)
		panic("unreachable")
	}
}

// WaitGroup waits for wg, failing t as Recv does when the goroutines it
// counts have not all returned within timeout.
func WaitGroup(t testing.TB, wg *sync.WaitGroup, timeout time.Duration, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	Recv(t, done, timeout, what)
}
