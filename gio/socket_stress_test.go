package gio

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/leakcheck"
	"github.com/sigloop/sigloop/internal/testwait"
)

// TestCloseUnderLoad_SOCK3: many goroutines blocked in every kind of
// operation, some cancelled, then Close: each one returns (CLOSED,
// CANCELLED or a result), none hangs, and no descriptor leaks.
func TestCloseUnderLoad_SOCK3(t *testing.T) {
	before := leakcheck.OpenFDs(t)
	for round := 0; round < 5; round++ {
		t.Run("round", func(t *testing.T) { closeUnderLoad(t) })
	}
	if after := leakcheck.OpenFDs(t); after > before {
		t.Errorf("fds: %d before, %d after", before, after)
	}
}

func closeUnderLoad(t *testing.T) {
	l, _ := listener(t, SocketFamilyIPv4)
	client, server := connectedPair(t, SocketFamilyIPv4)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	ctxs := make([]context.CancelFunc, 0, 16)
	spawn := func(f func(ctx context.Context) error) {
		ctx, cancel := context.WithCancel(context.Background())
		ctxs = append(ctxs, cancel)
		wg.Add(1)
		go func() { defer wg.Done(); errs <- f(ctx) }()
	}
	for i := 0; i < 4; i++ {
		spawn(func(ctx context.Context) error { _, err := l.Accept(cancellable.FromContext(ctx)); return err })
		spawn(func(ctx context.Context) error {
			_, err := server.Receive(make([]byte, 8), cancellable.FromContext(ctx))
			return err
		})
		spawn(func(ctx context.Context) error { return server.ConditionWait(ioIn, cancellable.FromContext(ctx)) })
		spawn(func(ctx context.Context) error {
			return server.ConditionTimedWait(ioIn|ioPri, time.Minute, cancellable.FromContext(ctx))
		})
	}
	time.Sleep(10 * time.Millisecond)
	for i, cancel := range ctxs {
		if i%3 == 0 {
			cancel()
		}
	}
	time.Sleep(5 * time.Millisecond)
	l.Close()
	server.Close()
	testwait.WaitGroup(t, &wg, 20*time.Second, "the blocked operations to end after Close")
	close(errs)
	for err := range errs {
		if !errors.Is(err, ErrClosed) && !errors.Is(err, ErrCancelled) {
			t.Errorf("unexpected result %v", err)
		}
	}
	for _, cancel := range ctxs {
		cancel()
	}
	client.Close()
}
