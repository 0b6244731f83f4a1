package qtnet

import (
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/looptest"
)

// openSockets counts the process's open socket descriptors.
func openSockets(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	n := 0
	for _, e := range ents {
		if l, _ := os.Readlink("/proc/self/fd/" + e.Name()); strings.HasPrefix(l, "socket:") {
			n++
		}
	}
	return n
}

// Clients on many goroutines connect, write, wait a little and end their
// connection in every way (close, abort, disconnect, destroy, or not at
// all before the server goes), while the server's loop runs elsewhere and
// the server is closed and reopened under them. Nothing may panic or hang,
// and no descriptor may be left open. The only messages are Qt's warnings
// for a write or a wait on a socket that has already gone.
func TestStressEveryEnding(t *testing.T) {
	logs := logging.StartCapture()
	defer logs.Stop()
	before := openSockets(t)
	ctx := looptest.Run(t)
	name := testName(t)
	var srv *LocalServer
	looptest.On(ctx, func() {
		srv = NewLocalServer(nil)
		srv.SetMaxPendingConnections(5)
		if err := srv.Listen(name); err != nil {
			t.Error(err)
		}
		srv.NewConnection.Connect(func() {
			for s := srv.NextPendingConnection(); s != nil; s = srv.NextPendingConnection() {
				s.ReadyRead.Connect(func() { s.Write(s.ReadAll()) })
				s.Disconnected.Connect(s.DeleteLater)
			}
		})
	})
	stop := time.Now().Add(700 * time.Millisecond)
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Add(1)
		go withOwnContext(func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 1))
			for time.Now().Before(stop) {
				c := NewLocalSocket(nil)
				c.ConnectToServer(name)
				c.Write(make([]byte, rng.IntN(100000)))
				switch rng.IntN(3) {
				case 0:
					c.WaitForReadyRead(rng.IntN(20))
				case 1:
					c.WaitForBytesWritten(rng.IntN(20))
				}
				switch rng.IntN(5) {
				case 0:
					c.Close()
				case 1:
					c.Abort()
				case 2:
					c.DisconnectFromServer()
					c.WaitForDisconnected(rng.IntN(20))
					c.Abort()
				case 3:
					c.Destroy()
				case 4:
					c.Flush()
					c.Abort()
				}
			}
		})
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for time.Now().Before(stop) {
			time.Sleep(50 * time.Millisecond)
			looptest.On(ctx, func() {
				srv.Close()
				if err := srv.Listen(name); err != nil {
					t.Error(err)
				}
			})
		}
	}()
	wg.Wait()
	looptest.On(ctx, func() {
		srv.Close()
		srv.Destroy()
	})
	// Destroyed sockets are deleted on the loop; give it a moment.
	deadline := time.Now().Add(5 * time.Second)
	for openSockets(t) > before && time.Now().Before(deadline) {
		looptest.On(ctx, func() {})
		runtime.GC() // sockets closed with data unwritten on contexts nobody runs
		time.Sleep(10 * time.Millisecond)
	}
	if n := openSockets(t); n > before {
		t.Fatalf("%d sockets open, %d before", n, before)
	}
	for _, r := range logs.Stop() {
		switch {
		case r.Level == "warning" && (r.Message == "QIODevice::write (QLocalSocket): device not open" ||
			r.Message == "QLocalSocket::waitForDisconnected() is not allowed in UnconnectedState"):
		default:
			t.Errorf("unexpected %s: %s", r.Level, r.Message)
		}
	}
}
