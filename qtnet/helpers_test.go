package qtnet

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/looptest"
	"github.com/sigloop/sigloop/mainloop"
)

const testTimeout = 10 * time.Second

// testName is a unique absolute socket path in a fresh temp directory.
func testName(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "s")
}

// pushLoop makes a private context the test goroutine's own, so that the
// objects the test makes live on it; Until iterates it.
func pushLoop(t testing.TB) *looptest.Loop {
	t.Helper()
	return looptest.Push(t, testTimeout)
}

// listen makes a listening server (closed at the end of the test).
func listen(t testing.TB, name string, opts SocketOptions) *LocalServer {
	t.Helper()
	s := NewLocalServer(nil)
	s.SetSocketOptions(opts)
	if err := s.Listen(name); err != nil {
		t.Fatalf("Listen(%q): %v", name, err)
	}
	t.Cleanup(s.Close)
	return s
}

// recorder logs every signal of a socket in order, with the state seen in
// the handler, as tst_qlocalsocket's LocalSocket helper checks (LK-06).
type recorder struct {
	mu     sync.Mutex
	events []string
	t      testing.TB
}

func record(t testing.TB, s *LocalSocket) *recorder {
	r := &recorder{t: t}
	add := func(e string) { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() }
	s.Connected.Connect(func() {
		if s.State() != ConnectedState || !s.IsOpen() {
			t.Errorf("connected: state %v open %v", s.State(), s.IsOpen())
		}
		add("connected")
	})
	s.Disconnected.Connect(func() {
		if s.State() != UnconnectedState {
			t.Errorf("disconnected in %v", s.State())
		}
		add("disconnected")
	})
	s.ReadyRead.Connect(func() {
		if s.BytesAvailable() <= 0 {
			t.Errorf("readyRead with nothing available")
		}
		add("readyRead")
	})
	s.BytesWritten.Connect(func(n int64) { add(fmt.Sprintf("bytesWritten(%d)", n)) })
	s.ErrorOccurred.Connect(func(e SocketError) {
		if s.ErrorString() == "Unknown error" {
			t.Errorf("errorOccurred(%v) with errorString %q", e, s.ErrorString())
		}
		add("error(" + e.String() + ")")
	})
	s.StateChanged.Connect(func(st LocalSocketState) {
		if s.State() != st {
			t.Errorf("stateChanged(%v) in state %v", st, s.State())
		}
		add("state(" + strings.TrimPrefix(st.String(), "QLocalSocket::") + ")")
	})
	s.ReadChannelFinished.Connect(func() { add("readChannelFinished") })
	s.AboutToClose.Connect(func() { add("aboutToClose") })
	return r
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func (r *recorder) count(e string) int {
	n := 0
	for _, x := range r.get() {
		if x == e {
			n++
		}
	}
	return n
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.events = nil
	r.mu.Unlock()
}

// connectPair returns a connected client and its accepted server socket,
// using only the blocking API.
func connectPair(t testing.TB, srv *LocalServer) (client, server *LocalSocket) {
	t.Helper()
	client = NewLocalSocket(nil)
	t.Cleanup(func() { client.Abort() })
	client.ConnectToServer(srv.FullServerName())
	if !client.WaitForConnected(1000) {
		t.Fatalf("connect: %v", client.ErrorString())
	}
	if ok, _ := srv.WaitForNewConnection(3000); !ok {
		t.Fatal("no connection pending")
	}
	server = srv.NextPendingConnection()
	if server == nil {
		t.Fatal("NextPendingConnection nil")
	}
	t.Cleanup(func() { server.Abort() })
	return client, server
}

// withOwnContext runs fn with a new context pushed as the goroutine's own,
// as a thread with its own event loop would (tst_qlocalsocket's threads).
func withOwnContext(fn func()) {
	ctx := mainloop.NewContext()
	ctx.PushThreadDefault()
	defer ctx.PopThreadDefault()
	fn()
}
