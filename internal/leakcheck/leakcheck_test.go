package leakcheck

import (
	"os"
	"strings"
	"testing"
	"time"
)

func parkedForLeakTest(ch chan struct{}) { <-ch }

// A check that cannot fail would be worthless: make sure a parked goroutine
// is reported, and that it is no longer reported once it has ended.
func TestCheckFindsLeak(t *testing.T) {
	ch := make(chan struct{})
	done := make(chan struct{})
	go func() { parkedForLeakTest(ch); close(done) }()
	leaked := Check(50 * time.Millisecond)
	found := false
	for _, g := range leaked {
		if strings.Contains(g, "parkedForLeakTest") {
			found = true
		}
	}
	if !found {
		t.Fatalf("parked goroutine not reported; got %d stacks", len(leaked))
	}
	close(ch)
	<-done
	for _, g := range Check(2 * time.Second) {
		if strings.Contains(g, "parkedForLeakTest") {
			t.Fatalf("finished goroutine still reported:\n%s", g)
		}
	}
}

func TestOpenFDs(t *testing.T) {
	before := OpenFDs(t)
	f, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	if got := OpenFDs(t); got != before+1 {
		t.Errorf("with one more file open: %d descriptors, want %d", got, before+1)
	}
	f.Close()
	if got := OpenFDs(t); got != before {
		t.Errorf("after closing it: %d descriptors, want %d", got, before)
	}
}
