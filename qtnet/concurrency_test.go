package qtnet

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/sigloop/sigloop/internal/looptest"
)

// Writes and Flushes from many goroutines while the socket's loop runs on
// another: every write arrives whole and in its goroutine's order.
func TestConcurrentWriters(t *testing.T) {
	ctx := looptest.Run(t)
	name := testName(t)
	var srv *LocalServer
	var sock *LocalSocket
	looptest.On(ctx, func() {
		srv = NewLocalServer(nil)
		if err := srv.Listen(name); err != nil {
			t.Error(err)
		}
	})
	defer looptest.On(ctx, func() { srv.Close() })
	peer := NewLocalSocket(nil)
	defer peer.Abort()
	peer.ConnectToServer(name)
	looptest.On(ctx, func() {})
	for sock == nil {
		if ok, _ := srv.WaitForNewConnection(1000); ok {
			sock = srv.NextPendingConnection()
		}
	}
	const writers, each = 8, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				sock.Write([]byte(fmt.Sprintf("<%d:%04d>", w, i)))
				if i%7 == 0 {
					sock.Flush()
				}
			}
		}()
	}
	var got []byte
	want := writers * each * len("<0:0000>")
	for len(got) < want {
		if !peer.WaitForReadyRead(5000) {
			t.Fatalf("stalled at %d of %d bytes", len(got), want)
		}
		got = append(got, peer.ReadAll()...)
	}
	wg.Wait()
	next := make([]int, writers)
	for _, rec := range bytes.SplitAfter(got, []byte(">")) {
		if len(rec) == 0 {
			continue
		}
		var w, i int
		if _, err := fmt.Sscanf(string(rec), "<%d:%d>", &w, &i); err != nil || next[w] != i {
			t.Fatalf("record %q out of order (want %d)", rec, next[w])
		}
		next[w]++
	}
}

// Qt 6's bindable socketOptions (tst_qlocalsocket serverBindingsAndProperties
// and socketBindings): readable by name, notifying once per change.
func TestSocketOptionsProperty(t *testing.T) {
	srv := NewLocalServer(nil)
	sock := NewLocalSocket(nil)
	ns, nc := 0, 0
	srv.Notify.ConnectDetailed("socketOptions", func(string) { ns++ })
	sock.Notify.ConnectDetailed("socketOptions", func(string) { nc++ })
	for range 2 {
		srv.SetSocketOptions(UserAccessOption | AbstractNamespaceOption)
		sock.SetSocketOptions(AbstractNamespaceOption)
	}
	if ns != 1 || nc != 1 || srv.SocketOptions() != UserAccessOption|AbstractNamespaceOption ||
		sock.SocketOptions() != AbstractNamespaceOption {
		t.Fatalf("notifications %d %d, options %v %v", ns, nc, srv.SocketOptions(), sock.SocketOptions())
	}
	if v, err := srv.Property("socketOptions"); err != nil || v != UserAccessOption|AbstractNamespaceOption {
		t.Fatal(v, err)
	}
	if err := sock.SetProperty("socketOptions", NoOptions); err != nil || sock.SocketOptions() != NoOptions || nc != 2 {
		t.Fatal(err, nc)
	}
}

// tst_qlocalsocket hitMaximumConnections (LS-17, LS-20): with max 0, 1 and
// 3, max+1 clients connect, and waitForNewConnection still accepts.
func TestHitMaximumConnections_LS17_LS20(t *testing.T) {
	for _, max := range []int{0, 1, 3} {
		srv := listen(t, testName(t), NoOptions)
		srv.SetMaxPendingConnections(max)
		var cs []*LocalSocket
		for range max + 1 {
			c := NewLocalSocket(nil)
			c.ConnectToServer(srv.FullServerName())
			cs = append(cs, c)
		}
		ok, timedOut := srv.WaitForNewConnection(3000)
		if !ok || timedOut {
			t.Fatalf("max %d: %v %v", max, ok, timedOut)
		}
		for _, c := range cs {
			c.Abort()
		}
		srv.Close()
	}
}

// tst_qlocalsocket multiConnect (LS-18): three clients connect before the
// server accepts; three waitForNewConnection + nextPendingConnection, FIFO.
func TestMultiConnect_LS18(t *testing.T) {
	srv := listen(t, testName(t), NoOptions)
	var cs []*LocalSocket
	for range 3 {
		c := NewLocalSocket(nil)
		c.ConnectToServer(srv.FullServerName())
		defer c.Abort()
		cs = append(cs, c)
	}
	for i, c := range cs {
		c.Write([]byte{byte('a' + i)})
		c.Flush()
	}
	for i := range 3 {
		if ok, _ := srv.WaitForNewConnection(3000); !ok {
			t.Fatal("no connection", i)
		}
		s := srv.NextPendingConnection()
		if s == nil || !s.WaitForReadyRead(3000) || string(s.ReadAll()) != string(rune('a'+i)) {
			t.Fatal("not FIFO", i)
		}
	}
	if srv.NextPendingConnection() != nil {
		t.Fatal("a fourth")
	}
}

// LS-24 and LK-05's EAGAIN path: backlog 2 and max 0 let three clients
// connect (Linux takes backlog+1); the others stay connecting, retrying,
// and connect once the server accepts.
func TestListenBacklog_LS24(t *testing.T) {
	srv := NewLocalServer(nil)
	srv.SetListenBacklogSize(2)
	srv.SetMaxPendingConnections(0)
	if srv.ListenBacklogSize() != 2 {
		t.Fatal(srv.ListenBacklogSize())
	}
	if err := srv.Listen(testName(t)); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	states := map[LocalSocketState]int{}
	var cs []*LocalSocket
	for range 6 {
		c := NewLocalSocket(nil)
		c.ConnectToServer(srv.FullServerName())
		defer c.Abort()
		states[c.State()]++
		cs = append(cs, c)
	}
	if states[ConnectedState] != 3 || states[ConnectingState] != 3 {
		t.Fatalf("states %v", states)
	}
	for range 6 {
		if ok, _ := srv.WaitForNewConnection(3000); !ok {
			t.Fatal("accept")
		}
		srv.NextPendingConnection()
		for _, c := range cs {
			if c.State() == ConnectingState {
				c.WaitForConnected(50)
			}
		}
	}
	for i, c := range cs {
		if c.State() != ConnectedState {
			t.Fatalf("client %d %v %s", i, c.State(), c.ErrorString())
		}
	}
}
