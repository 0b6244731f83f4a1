package main

import (
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// The demo must finish by itself, echo every line and leave nothing behind.
func TestDemoRuns(t *testing.T) {
	if err := run(20 * time.Second); err != nil {
		t.Fatal(err)
	}
}
