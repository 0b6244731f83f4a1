package mainloop

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/racedetect"
)

func pipe(t *testing.T) (r, w int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(p[0]); unix.Close(p[1]) })
	return p[0], p[1]
}

func fillPipe(fd int) int {
	buf := make([]byte, 1024)
	n := 0
	for {
		m, err := unix.Write(fd, buf)
		if err != nil {
			return n
		}
		n += m
	}
}

// TestUnixFD_ML2 is /mainloop/unix-fd: a writer at high priority and a
// reader at default priority move 16 MiB through a pipe; only one of them
// runs per iteration.
func TestUnixFD_ML2(t *testing.T) {
	c := NewContext()
	r, w := pipe(t)
	toRead := fillPipe(w)
	toWrite := -1
	zeros := make([]byte, 1024)
	a := NewFDSource(w, IOOut, func(fd int, cond IOCondition) bool {
		if toWrite == 0 {
			return SourceRemove
		}
		if toWrite < 0 {
			t.Error("writer ran before it should")
			return SourceRemove
		}
		n, _ := unix.Write(fd, zeros[:min(toWrite, len(zeros))])
		toWrite -= max(n, 0)
		return SourceContinue
	})
	a.SetPriority(PriorityHigh)
	a.Attach(c)
	drain(c) // the pipe is full: no write is dispatched
	const total = 16 << 20
	toRead += total
	toWrite = total
	buf := make([]byte, 1024)
	b := NewFDSource(r, IOIn, func(fd int, cond IOCondition) bool {
		n, _ := unix.Read(fd, buf)
		toRead -= max(n, 0)
		return SourceContinue
	})
	b.Attach(c)
	for toWrite > 0 || toRead > 0 {
		tw, tr := toWrite, toRead
		c.Iteration(true)
		if tw != toWrite && tr != toRead {
			t.Fatal("both priorities dispatched in one iteration")
		}
	}
	c.Iteration(false) // the writer sees 0 left and removes itself
	if toWrite != 0 || toRead != 0 || !a.IsDestroyed() {
		t.Fatalf("toWrite=%d toRead=%d destroyed=%v", toWrite, toRead, a.IsDestroyed())
	}
	b.Destroy()
}

// TestUnixFDPriority_ML2 is /mainloop/unix-fd-priority (#1592): a ready
// low-priority fd source is not dispatched alongside a higher one.
func TestUnixFDPriority_ML2(t *testing.T) {
	c := NewContext()
	_, w := pipe(t)
	var got []string
	hi := NewIdleSource()
	hi.SetPriority(PriorityDefault)
	hi.SetCallback(func() bool { got = append(got, "idle"); return SourceRemove })
	hi.Attach(c)
	lo := NewFDSource(w, IOOut, func(int, IOCondition) bool { got = append(got, "fd"); return SourceRemove })
	lo.SetPriority(PriorityLow)
	lo.Attach(c)
	c.Iteration(false)
	if len(got) != 1 || got[0] != "idle" {
		t.Fatal(got)
	}
	c.Iteration(false)
	if len(got) != 2 || got[1] != "fd" {
		t.Fatal(got)
	}
}

// TestSourceUnixFDAPI: AddUnixFD/Query/Modify/Remove on a custom source,
// two sources watching one fd, HUP, NVAL and regular files.
func TestSourceUnixFDAPI(t *testing.T) {
	c := NewContext()
	r, w := pipe(t)
	var got []IOCondition
	s1 := NewSource(SourceFuncs{})
	t1 := s1.AddUnixFD(r, IOIn)
	s1.SetCallback(func() bool { got = append(got, s1.QueryUnixFD(t1)); return SourceContinue })
	s1.Attach(c)
	s2 := NewSource(SourceFuncs{})
	t2 := s2.AddUnixFD(r, IOIn)
	s2.SetCallback(func() bool { got = append(got, 100+s2.QueryUnixFD(t2)); return SourceContinue })
	s2.Attach(c)
	if c.Iteration(false) {
		t.Fatal("empty pipe ready")
	}
	unix.Write(w, []byte("x"))
	c.Iteration(false)
	if len(got) != 2 || got[0] != IOIn || got[1] != 100+IOIn {
		t.Fatalf("both watchers of one fd: %v", got)
	}
	got = nil
	s1.ModifyUnixFD(t1, IOOut) // a read end is never writable
	s2.RemoveUnixFD(t2)
	c.Iteration(false)
	if len(got) != 0 {
		t.Fatalf("after modify/remove: %v", got)
	}
	unix.Close(w)
	s1.ModifyUnixFD(t1, IOIn)
	c.Iteration(false)
	if len(got) != 1 || got[0]&IOHup == 0 {
		t.Fatalf("hang-up: %v", got)
	}
	s1.Destroy()
	s2.Destroy()

	// A descriptor that is not open reports NVAL.
	var nval IOCondition
	bad := NewFDSource(1<<20, IOIn, func(_ int, cond IOCondition) bool { nval = cond; return SourceRemove })
	bad.Attach(c)
	c.Iteration(false)
	if nval != IONval {
		t.Fatalf("bad fd: %v", nval)
	}

	// A regular file is always readable and writable, as poll(2) says.
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var fcond IOCondition
	fs := NewFDSource(int(f.Fd()), IOIn|IOOut, func(_ int, cond IOCondition) bool { fcond = cond; return SourceRemove })
	fs.Attach(c)
	c.Iteration(false)
	if fcond != IOIn|IOOut {
		t.Fatalf("regular file: %v", fcond)
	}
}

// TestFDBlockedNoBusyLoop_ML8: a ready fd whose source is dispatching is not
// polled by a nested loop (it would spin otherwise).
func TestFDBlockedNoBusyLoop_ML8(t *testing.T) {
	c := NewContext()
	r, w := pipe(t)
	unix.Write(w, []byte("x"))
	nested := 0
	s := NewFDSource(r, IOIn, func(int, IOCondition) bool {
		for c.Iteration(false) {
			nested++
		}
		return SourceRemove
	})
	s.Attach(c)
	c.Iteration(false)
	if nested != 0 {
		t.Fatalf("nested loop dispatched %d times", nested)
	}
}

func TestIOConditionString(t *testing.T) {
	if s := (IOIn | IOHup).String(); s != "IN|HUP" {
		t.Fatal(s)
	}
	if s := IOCondition(0).String(); s != "0" {
		t.Fatal(s)
	}
}

// TestIOPri: urgent (out-of-band) TCP data is reported as IOPri.
func TestIOPri(t *testing.T) {
	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(ln)
	if err := unix.Bind(ln, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	unix.Listen(ln, 1)
	sa, _ := unix.Getsockname(ln)
	cl, _ := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	defer unix.Close(cl)
	if err := unix.Connect(cl, sa); err != nil {
		t.Fatal(err)
	}
	srv, _, err := unix.Accept4(ln, unix.SOCK_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(srv)
	c := NewContext()
	var got IOCondition
	s := NewFDSource(srv, IOPri, func(_ int, cond IOCondition) bool { got = cond; return SourceRemove })
	s.Attach(c)
	if err := unix.Sendto(cl, []byte("!"), unix.MSG_OOB, nil); err != nil {
		t.Fatal(err)
	}
	tick := NewTimeoutSource(50 * time.Millisecond) // bounds each blocking iteration
	tick.SetCallback(func() bool { return SourceContinue })
	tick.Attach(c)
	defer tick.Destroy()
	for i := 0; i < 100 && got == 0; i++ {
		c.Iteration(true)
	}
	if got&IOPri == 0 {
		t.Fatalf("got %v", got)
	}
}

// TestNFDs_ML2 is /mainloop/nfds: three watches of one (regular, always
// ready) file; the two at default priority run, the low one does not.
func TestNFDs_ML2(t *testing.T) {
	c := NewContext()
	f, err := os.Create(filepath.Join(t.TempDir(), "nfds"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := int(f.Fd())
	var ran1, ran3 bool
	// once is a watch's callback: it notes that it ran and wants cond want.
	once := func(name string, ran *bool, want IOCondition) FDFunc {
		return func(_ int, cond IOCondition) bool {
			*ran = true
			if cond != want {
				t.Errorf("%s cond %v", name, cond)
			}
			return SourceRemove
		}
	}
	NewFDSource(fd, IOIn, once("source1", &ran1, IOIn)).Attach(c)
	s2 := NewFDSource(fd, IOOut, func(int, IOCondition) bool { t.Error("low-priority watch ran"); return SourceRemove })
	s2.SetPriority(PriorityLow)
	s2.Attach(c)
	NewFDSource(fd, IOOut, once("source3", &ran3, IOOut)).Attach(c)
	c.Iteration(false)
	if !ran1 || !ran3 {
		t.Fatalf("ran1=%v ran3=%v", ran1, ran3)
	}
	s2.Destroy()
}

// A removed watch's storage is the source's next watch (so a source that
// watches a descriptor again and again allocates nothing, see the Allocs
// test below); the removed watch's tag stays harmless (no effect on the new watch, no critical, as
// a removed tag was before the storage was reused), where in GLib it is
// freed memory.
func TestRemovedWatchReused(t *testing.T) {
	c := NewContext()
	r, w := pipe(t)
	var got IOCondition
	s := NewSource(SourceFuncs{})
	old := s.AddUnixFD(r, IOIn)
	s.SetCallback(func() bool { got = IOIn; return SourceContinue })
	s.Attach(c)
	defer s.Destroy()
	s.RemoveUnixFD(old)
	tag := s.AddUnixFD(r, IOIn)
	if tag.u != old.u {
		t.Error("the new watch did not take the removed one's storage")
	}
	capture := logging.StartCapture()
	s.ModifyUnixFD(old, IOOut)
	s.RemoveUnixFD(old)
	if s.QueryUnixFD(old) != 0 {
		t.Error("QueryUnixFD of the removed tag is not 0")
	}
	if recs := capture.Stop(); len(recs) != 0 {
		t.Errorf("the removed tag's calls logged %v", recs)
	}
	unix.Write(w, []byte("x"))
	c.Iteration(false)
	if got != IOIn || s.QueryUnixFD(tag) != IOIn {
		t.Errorf("the new watch after calls on the old tag: dispatched %v, revents %v", got, s.QueryUnixFD(tag))
	}
}

// Removing and adding a source's watch again allocates nothing: the new
// watch is the removed one's storage. (Its own test, so that CI's run of
// the allocation tests without -race, -run Alloc, runs it.)
func TestRemovedWatchReusedAllocs(t *testing.T) {
	if racedetect.Enabled {
		t.Skip("the race detector allocates")
	}
	c := NewContext()
	r, _ := pipe(t)
	s := NewSource(SourceFuncs{})
	tag := s.AddUnixFD(r, IOIn)
	s.Attach(c)
	defer s.Destroy()
	c.Iteration(false) // the descriptor is in the epoll set: removing its only watch keeps the registration
	if n := testing.AllocsPerRun(100, func() {
		s.RemoveUnixFD(tag)
		tag = s.AddUnixFD(r, IOIn)
	}); n != 0 {
		t.Errorf("%.1f allocations per remove and add, want 0", n)
	}
}

// The tag of a removed watch, used from another goroutine while its
// source removes and adds its watch again (qtnet's socket queries its tag
// after unlocking its own state): no critical, and under -race no data
// race (the tag's generation is read under the source's lock).
func TestRemovedTagConcurrent(t *testing.T) {
	c := NewContext()
	r, _ := pipe(t)
	s := NewSource(SourceFuncs{})
	tag := s.AddUnixFD(r, IOIn)
	s.Attach(c)
	defer s.Destroy()
	capture := logging.StartCapture()
	defer capture.Stop()
	tags := make(chan FDTag, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for old := range tags {
			s.ModifyUnixFD(old, IOOut)
			_ = s.QueryUnixFD(old)
		}
	}()
	for range 2000 {
		tags <- tag
		s.RemoveUnixFD(tag)
		tag = s.AddUnixFD(r, IOIn)
	}
	close(tags)
	<-done
	if n := capture.Count("critical", ""); n != 0 {
		t.Errorf("%d criticals from a removed tag", n)
	}
}
