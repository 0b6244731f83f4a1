package cancellable_test

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/internal/leakcheck"
	"github.com/sigloop/sigloop/internal/logging"
)

// readable polls fd for input with the given timeout.
func readable(t *testing.T, fd int, timeout time.Duration) bool {
	t.Helper()
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(pfd, int(timeout.Milliseconds()))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			t.Fatalf("poll: %v", err)
		}
		return n == 1 && pfd[0].Revents&unix.POLLIN != 0
	}
}

// /cancellable/poll-fd: make_pollfd and get_fd give the same valid fd;
// releasing twice balances them; one more release is a critical.
func TestPollFD_CAN7(t *testing.T) {
	c := cancellable.New()
	fd1, err := c.MakePollFD()
	if err != nil || fd1 < 0 {
		t.Fatalf("MakePollFD = %d, %v", fd1, err)
	}
	fd2 := c.FD()
	if fd2 != fd1 {
		t.Fatalf("FD = %d, MakePollFD = %d: want the same descriptor", fd2, fd1)
	}
	if readable(t, fd1, 0) {
		t.Fatal("fd readable before Cancel")
	}
	c.ReleaseFD()
	c.ReleaseFD()
	capt := logging.StartCapture()
	c.ReleaseFD()
	capt.Stop()
	if capt.Count("critical", "fd_refcount > 0") != 1 {
		t.Fatalf("extra ReleaseFD: %v", capt.Records())
	}
}

// /cancellable/poll-fd-cancelled and CAN-7: readable iff cancelled.
func TestPollFDReadableIffCancelled_CAN7(t *testing.T) {
	c := cancellable.New()
	fd := c.FD()
	defer c.ReleaseFD()
	c.Cancel()
	if !readable(t, fd, 0) {
		t.Fatal("fd not readable after Cancel")
	}
	if !readable(t, fd, 0) {
		t.Fatal("polling consumed the readability")
	}
	c.Reset()
	if readable(t, fd, 0) {
		t.Fatal("fd readable after Reset")
	}
	c.Cancel()
	if !readable(t, fd, 0) {
		t.Fatal("fd not readable after Reset and Cancel")
	}

	pre := cancellable.New()
	pre.Cancel()
	fd2 := pre.FD()
	defer pre.ReleaseFD()
	if !readable(t, fd2, 0) {
		t.Fatal("fd made after Cancel is not readable")
	}
}

// /cancellable/poll-fd-cancelled-threaded: a Cancel on one goroutine wakes
// pollers on two others.
func TestPollFDCancelledThreaded_CAN7(t *testing.T) {
	c := cancellable.New()
	fd := c.FD()
	defer c.ReleaseFD()
	var wg sync.WaitGroup
	woke := make(chan bool, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			woke <- readable(t, fd, 10*time.Second)
		}()
	}
	time.Sleep(20 * time.Millisecond)
	go c.Cancel()
	wg.Wait()
	for range 2 {
		if !<-woke {
			t.Fatal("a poller timed out")
		}
	}
}

// CAN-7: GLib frees the wakeup when the cancellable is finalized, even if
// release_fd was never called. A Cancellable that becomes unreachable with
// its descriptor still referenced must not leak it.
func TestPollFDClosedWhenCollected_CAN7(t *testing.T) {
	const n = 50
	before := leakcheck.OpenFDs(t)
	for range n {
		c := cancellable.New()
		if fd := c.FD(); fd < 0 {
			t.Fatal("no fd")
		}
		c.Cancel() // the fd is readable; still never released
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		leaked := leakcheck.OpenFDs(t) - before
		if leaked < n/10 { // other tests' goroutines may hold a few
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d descriptors of collected Cancellables still open", leaked, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
