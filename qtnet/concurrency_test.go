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
