package gio

import (
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fdOpen reports whether fd is an open descriptor of this process.
func fdOpen(fd int) bool {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil
}

// Close closes the descriptor of a socket that never entered the runtime
// poller (see TestSocketWaitStateLazy for when it does) and of one parked
// there, ending its wait with CLOSED; SyscallConn makes the file too.
func TestSocketFileLazy(t *testing.T) {
	ca, _ := socketPair(t)
	a := ca.Socket()
	fd := a.FD()
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if a.sfd.file.Load() != nil || fdOpen(fd) {
		t.Errorf("fd %d: file made %v, open after Close %v", fd, a.sfd.file.Load() != nil, fdOpen(fd))
	}

	// A blocking receive that must wait: the file is made, and Close ends
	// the wait with CLOSED and closes the descriptor.
	cc, _ := socketPair(t)
	b := cc.Socket()
	fd = b.FD()
	errc := make(chan error, 1)
	go func() {
		_, err := b.Receive(make([]byte, 4), nil)
		errc <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for b.sfd.file.Load() == nil && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if b.sfd.file.Load() == nil {
		t.Fatal("a blocking Receive did not make an *os.File")
	}
	time.Sleep(10 * time.Millisecond) // let it park in the poller
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("pending Receive after Close = %v, want CLOSED", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end a blocking Receive")
	}
	if fdOpen(fd) {
		t.Errorf("fd %d still open after Close with a file", fd)
	}

	s, err := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SyscallConn(); err != nil || s.sfd.file.Load() == nil {
		t.Errorf("SyscallConn = %v; file made: %v", err, s.sfd.file.Load() != nil)
	}
	s.Close()
	if _, err := s.SyscallConn(); !errors.Is(err, ErrClosed) {
		t.Errorf("SyscallConn after Close = %v, want CLOSED", err)
	}
}

// Close waits for the calls in progress on the descriptor and refuses new
// ones; many goroutines calling while it closes each get their answer, and
// the descriptor is closed exactly once.
func TestSocketCloseDuringCalls(t *testing.T) {
	for range 20 {
		ca, _ := socketPair(t)
		a := ca.Socket()
		a.SetBlocking(false)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 200 {
					_, err := a.Receive(make([]byte, 4), nil)
					if err != nil && !errors.Is(err, ErrWouldBlock) && !errors.Is(err, ErrClosed) {
						t.Errorf("Receive: %v", err)
						return
					}
					if errors.Is(err, ErrClosed) {
						return
					}
				}
			}()
		}
		runtime.Gosched()
		if err := a.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		wg.Wait()
	}
}

// A Socket that becomes unreachable without Close has its descriptor
// closed by the garbage collector, as os.File does and as a GSocket does on
// its last unref.
func TestSocketCollectedClosesFD(t *testing.T) {
	fds := make([]int, 0, 2)
	func() {
		for _, blocking := range []bool{false, true} {
			s, err := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
			if err != nil {
				t.Fatal(err)
			}
			if blocking {
				s.SyscallConn() // with a file
			}
			fds = append(fds, s.FD())
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		if !fdOpen(fds[0]) && !fdOpen(fds[1]) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fds %v still open (%v, %v) after the Sockets became unreachable", fds, fdOpen(fds[0]), fdOpen(fds[1]))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
