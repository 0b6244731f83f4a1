package mainloop

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/logging"
)

// rewatchLoop runs rounds of a read loop on a socket pair: the peer writes,
// a fresh source watches (with watch) and reads in its dispatch, then an
// iteration of other work runs. It returns the epoll_ctl calls after the
// first round.
func rewatchLoop(t *testing.T, c *Context, rounds int, watch func(s *Source, fd int)) int {
	t.Helper()
	sp, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(sp[0]); unix.Close(sp[1]) })
	buf := make([]byte, 16)
	got := 0
	ctl0 := 0
	for i := range rounds {
		s := NewSource(SourceFuncs{Dispatch: func(*Source, SourceFunc) bool {
			if n, _ := unix.Read(sp[0], buf); n > 0 {
				got++
			}
			return SourceRemove
		}})
		watch(s, sp[0])
		s.Attach(c)
		unix.Write(sp[1], []byte("ping"))
		for got <= i {
			c.Iteration(true)
		}
		c.Post(PriorityDefault, func() {})
		c.Iteration(false)
		if i == 0 {
			ctl0 = c.ctlCalls // the first watch ADDs
		}
	}
	return c.ctlCalls - ctl0
}

// TestFDRewatchOneEpollCtl: a socket read loop that makes a new fd source
// each time a read would block (gio's async reads) costs one epoll_ctl per
// wait with AddUnixFD (the MOD that checks the kept registration), not an
// ADD and a DEL.
func TestFDRewatchOneEpollCtl(t *testing.T) {
	c := ownedContext(t)
	const rounds = 50
	n := rewatchLoop(t, c, rounds, func(s *Source, fd int) { s.AddUnixFD(fd, IOIn) })
	if n > rounds-1 {
		t.Fatalf("%d epoll_ctl calls for %d waits after the first, want at most one per wait", n, rounds-1)
	}
}

// TestUnixFDHandleRewatchNoEpollCtl: the same loop with an open UnixFD
// makes no epoll_ctl at all after the first watch, and Close drops the
// kept registration before the descriptor is closed.
func TestUnixFDHandleRewatchNoEpollCtl(t *testing.T) {
	c := ownedContext(t)
	var h *UnixFD
	n := rewatchLoop(t, c, 50, func(s *Source, fd int) {
		if h == nil {
			h = NewUnixFD(fd)
		}
		s.AddUnixFDHandle(h, IOIn)
	})
	if n != 0 {
		t.Fatalf("%d epoll_ctl calls after the first watch, want 0", n)
	}
	before := c.nRegistered
	h.Close()
	h.Close()
	if c.nRegistered != before-1 || c.fdEntries[h.FD()] != nil {
		t.Fatalf("after Close: %d registrations (was %d), entry %v", c.nRegistered, before, c.fdEntries[h.FD()])
	}
	// A closed handle's descriptor is checked again, as a raw one.
	s := NewFDSource(h.FD(), IOIn, func(int, IOCondition) bool { return SourceRemove })
	s.Attach(c)
	defer s.Destroy()
	c.Iteration(false)
	if c.fdEntries[h.FD()] == nil || !c.fdEntries[h.FD()].registered {
		t.Fatal("the descriptor is not watched after Close and a new watch")
	}
}

func TestUnixFDHandleNil(t *testing.T) {
	var h *UnixFD
	if h.FD() != -1 {
		t.Fatal("nil handle FD")
	}
	h.Close()
	s := NewSource(SourceFuncs{})
	rec := logging.StartCapture()
	defer rec.Stop()
	if tag := s.AddUnixFDHandle(nil, IOIn); tag.u != nil {
		t.Fatal("a nil handle made a watch")
	}
	if n := rec.Count("critical", "AddUnixFDHandle: assertion 'h != NULL' failed"); n != 1 {
		t.Fatalf("records %v, want one critical", rec.Records())
	}
}
