package qtnet

import (
	"testing"

	"github.com/sigloop/sigloop/internal/racedetect"
	"github.com/sigloop/sigloop/mainloop"
	"golang.org/x/sys/unix"
)

// echoPair is a client and a server socket on the test's context; the
// server echoes from its ReadyRead handler into a reused buffer, like
// demo/localecho.
func echoPair(t testing.TB) (ctx *mainloop.Context, client *LocalSocket) {
	lp := pushLoop(t)
	srv := listen(t, testName(t), NoOptions)
	c, s := connectPair(t, srv)
	buf := make([]byte, 64*1024)
	s.ReadyRead.Connect(func() {
		for s.BytesAvailable() > 0 {
			n, _ := s.Read(buf)
			s.Write(buf[:n])
		}
	})
	return lp.Ctx, c
}

// countReads reads everything c receives into buf and counts it.
func countReads(c *LocalSocket, buf []byte) *int {
	got := new(int)
	c.ReadyRead.Connect(func() {
		for c.BytesAvailable() > 0 {
			n, _ := c.Read(buf)
			*got += n
		}
	})
	return got
}

// The echo hot path (readable → ReadyRead → Read → Write → flush at the end
// of the dispatch → BytesWritten) allocates nothing once the buffers exist.
func TestEchoAllocs(t *testing.T) {
	if racedetect.Enabled {
		// Besides its own instrumentation, the race detector makes
		// sync.Pool drop a share of its Puts, and readIn's scratch
		// buffers come from one.
		t.Skip("the race detector allocates")
	}
	l, c := echoPair(t)
	msg := make([]byte, 512)
	got := countReads(c, make([]byte, 512))
	// Iterations that never block: a blocking wait inside mainloop's poller
	// allocates on its own (that is mainloop's cost, measured by its
	// benchmarks), and this test pins qtnet's part of the path.
	roundTrip := func() {
		*got = 0
		c.Write(msg)
		for *got < len(msg) {
			l.Iteration(false)
		}
	}
	roundTrip() // buffers grow here
	if n := testing.AllocsPerRun(200, roundTrip); n != 0 {
		t.Fatalf("%v allocations per round trip", n)
	}
}

// BenchmarkEcho is one 64-byte round trip through two LocalSockets on one
// context; BenchmarkEchoSyscallFloor is the same bytes through a raw
// socketpair with read/write only, the floor of the same sitting.
func BenchmarkEcho(b *testing.B) {
	l, c := echoPair(b)
	msg := make([]byte, 64)
	got := countReads(c, make([]byte, 64))
	b.ReportAllocs()
	for b.Loop() {
		*got = 0
		c.Write(msg)
		for *got < len(msg) {
			l.Iteration(true)
		}
	}
}

func BenchmarkEchoSyscallFloor(b *testing.B) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	msg := make([]byte, 64)
	buf := make([]byte, 64*1024)
	b.ReportAllocs()
	for b.Loop() {
		unix.Write(fds[0], msg)
		n, _ := unix.Read(fds[1], buf)
		unix.Write(fds[1], buf[:n])
		unix.Read(fds[0], buf)
	}
}
