package gio

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sigloop/sigloop/cancellable"
)

// TestCloseUnderLoad_SOCK3: many goroutines blocked in every kind of
// operation, some cancelled, then Close: each one returns (CLOSED,
// CANCELLED or a result), none hangs, and no descriptor leaks.
func TestCloseUnderLoad_SOCK3(t *testing.T) {
	before := countFDs(t)
	for round := 0; round < 5; round++ {
		t.Run("round", func(t *testing.T) { closeUnderLoad(t) })
	}
	if after := countFDs(t); after > before {
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
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("operations still blocked after Close")
	}
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
