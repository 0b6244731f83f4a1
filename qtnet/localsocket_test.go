package qtnet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/looptest"
	"github.com/sigloop/sigloop/object"
	"github.com/sigloop/sigloop/signal"
)

// tst_qlocalsocket socket_basic: a fresh socket's defaults; abort, close
// and disconnectFromServer emit nothing; waitForDisconnected warns.
func TestSocketBasic_LK02(t *testing.T) {
	s := NewLocalSocket(nil)
	r := record(t, s)
	got := []any{s.ServerName(), s.FullServerName(), s.State(), s.Error(), s.ErrorString(),
		s.BytesAvailable(), s.BytesToWrite(), s.CanReadLine(), s.Flush(), s.IsValid(),
		s.ReadBufferSize(), s.SocketDescriptor(), s.WaitForConnected(0), s.WaitForReadyRead(0)}
	want := []any{"", "", UnconnectedState, UnknownSocketError, "Unknown error",
		int64(0), int64(0), false, false, false, int64(0), -1, false, false}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("fresh socket (-want +got):\n%s", d)
	}
	c := logging.StartCapture()
	if s.WaitForDisconnected(0) {
		t.Fatal("waitForDisconnected true")
	}
	if recs := c.Stop(); len(recs) != 1 || recs[0].Message != "QLocalSocket::waitForDisconnected() is not allowed in UnconnectedState" {
		t.Fatalf("logged %v", recs)
	}
	s.Abort()
	s.DisconnectFromServer()
	s.Close()
	if e := r.get(); len(e) != 0 {
		t.Fatalf("signals %v", e)
	}
}

// LK-03: the name and options can only change while unconnected.
// LK-04: connectToServer while connected only changes errorString (Qt's
// typo included) and emits errorOccurred(OperationError).
func TestSetNameWhileConnected_LK03_LK04(t *testing.T) {
	srv := listen(t, testName(t), NoOptions)
	c, _ := connectPair(t, srv)
	r := record(t, c)
	capture := logging.StartCapture()
	c.SetServerName("other")
	c.SetSocketOptions(AbstractNamespaceOption)
	c.ConnectToServer("other")
	recs := capture.Stop()
	if c.ServerName() != srv.FullServerName() || c.SocketOptions() != NoOptions || c.State() != ConnectedState {
		t.Fatal("changed while connected")
	}
	if len(recs) != 2 || recs[0].Message != "QLocalSocket::setServerName() called while not in unconnected state" ||
		recs[1].Message != "QLocalSocket::setSocketOptions() called while not in unconnected state" {
		t.Fatalf("logged %v", recs)
	}
	if c.ErrorString() != "QLocalSocket::connectToserver: Operation not permitted when socket is in this state" ||
		c.Error() != UnknownSocketError {
		t.Fatalf("error %v %q", c.Error(), c.ErrorString())
	}
	if d := cmp.Diff([]string{"error(OperationError)"}, r.get()); d != "" {
		t.Fatal(d)
	}
}

// LK-05/LK-06/LK-08: each connect failure's code, Qt's exact text and the
// signal order Connecting → errorOccurred → Unconnected.
func TestConnectErrors_LK05_LK06_LK08(t *testing.T) {
	dir := t.TempDir()
	stale := dir + "/stale"
	func() {
		s := NewLocalServer(nil)
		s.Listen(stale)
		s.mu.Lock()
		s.created = fileID{} // leave the file behind, as a crash does
		s.mu.Unlock()
		s.Close()
	}()
	os.WriteFile(dir+"/regular", nil, 0o644)
	cases := []struct {
		name string
		code SocketError
		text string
	}{
		{"", ServerNotFoundError, "QLocalSocket::connectToServer: Invalid name"},
		{dir + "/missing", ServerNotFoundError, "QLocalSocket::connectToServer: Invalid name"},
		{stale, ConnectionRefusedError, "QLocalSocket::connectToServer: Connection refused"},
		{dir + "/regular", ConnectionRefusedError, "QLocalSocket::connectToServer: Connection refused"},
		{strings.Repeat("n", 200), ServerNotFoundError, "QLocalSocket::connectToServer: Invalid name"},
	}
	for _, tc := range cases {
		c := NewLocalSocket(nil)
		r := record(t, c)
		c.ConnectToServer(tc.name)
		want := []string{"state(ConnectingState)", "error(" + tc.code.String() + ")", "state(UnconnectedState)"}
		if d := cmp.Diff(want, r.get()); d != "" {
			t.Fatalf("%q signals (-want +got):\n%s", tc.name, d)
		}
		if c.Error() != tc.code || c.ErrorString() != tc.text || c.ServerName() != "" || c.IsOpen() {
			t.Fatalf("%q: %v %q name %q", tc.name, c.Error(), c.ErrorString(), c.ServerName())
		}
		if err := c.LastError(); !errors.Is(err, tc.code) || err.Error() != tc.text {
			t.Fatalf("LastError %v", err)
		}
	}
}

// LK-01, tst_qlocalsocket debug: the enums' values and texts.
func TestEnums_LK01(t *testing.T) {
	got := []int{int(ConnectionRefusedError), int(PeerClosedError), int(ServerNotFoundError), int(SocketAccessError),
		int(SocketResourceError), int(SocketTimeoutError), int(DatagramTooLargeError), int(ConnectionError),
		int(UnsupportedSocketOperationError), int(OperationError), int(UnknownSocketError),
		int(UnconnectedState), int(ConnectingState), int(ConnectedState), int(ClosingState)}
	want := []int{0, 1, 2, 3, 4, 5, 6, 7, 10, 19, -1, 0, 2, 3, 6}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatal(d)
	}
	if s := fmt.Sprint(ConnectionRefusedError.String(), " ", UnconnectedState); s != "ConnectionRefusedError QLocalSocket::UnconnectedState" {
		t.Fatal(s)
	}
	if got := (UserAccessOption | AbstractNamespaceOption).String(); got != "UserAccessOption|AbstractNamespaceOption" {
		t.Fatal(got)
	}
}

// LK-09: the peer closes: readyRead for the last data, then errorOccurred
// (PeerClosed, "QLocalSocket: Remote closed"), Closing, Unconnected,
// readChannelFinished, disconnected; the data stays readable.
func TestPeerCloseOrder_LK09(t *testing.T) {
	l := pushLoop(t)
	srv := listen(t, testName(t), NoOptions)
	c, s := connectPair(t, srv)
	r := record(t, c)
	s.Write([]byte("last words here"))
	s.Flush()
	s.Close()
	l.Until(func() bool { return c.State() == UnconnectedState })
	want := []string{"readyRead", "error(" + PeerClosedError.String() + ")", "state(ClosingState)",
		"state(UnconnectedState)", "readChannelFinished", "disconnected"}
	if d := cmp.Diff(want, r.get()); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	if c.ErrorString() != "QLocalSocket: Remote closed" || c.Error() != PeerClosedError || c.ServerName() != "" {
		t.Fatal(c.ErrorString(), c.ServerName())
	}
	if c.BytesAvailable() != 15 || string(c.ReadAll()) != "last words here" || !c.IsOpen() {
		t.Fatal("data lost after disconnection")
	}
}

// tst_qlocalsocket connectWithOpen (LK-03, LK-10): open() connects, close()
// emits aboutToClose exactly once.
func TestConnectWithOpen_LK03_LK10(t *testing.T) {
	srv := listen(t, testName(t), NoOptions)
	c := NewLocalSocket(nil)
	r := record(t, c)
	c.SetServerName(srv.FullServerName())
	if !c.Open(ReadWrite) {
		t.Fatal(c.ErrorString())
	}
	c.Close()
	c.Close()
	if r.count("aboutToClose") != 1 || c.IsOpen() {
		t.Fatalf("%v", r.get())
	}
}

// tst_qlocalsocket sendData: a 50 KB line server → client; the client sees
// at most one readyRead per chunk read; after disconnectFromServer
// the client has seen 4 stateChanged, one connected, one disconnected.
func TestSendData(t *testing.T) {
	srv := listen(t, testName(t), NoOptions)
	c := NewLocalSocket(nil)
	r := record(t, c)
	c.ConnectToServer(srv.FullServerName())
	if ok, _ := srv.WaitForNewConnection(3000); !ok {
		t.Fatal("no connection")
	}
	s := srv.NextPendingConnection()
	defer s.Abort()
	line := strings.Repeat("x", 50000) + "\n"
	s.Write([]byte(line))
	for s.BytesToWrite() > 0 {
		if !s.WaitForBytesWritten(3000) {
			t.Fatal("waitForBytesWritten")
		}
	}
	var got []byte
	for len(got) < len(line) {
		if !c.WaitForReadyRead(3000) {
			t.Fatal("waitForReadyRead", len(got))
		}
		got = append(got, c.ReadAll()...)
	}
	if string(got) != line || c.BytesToWrite() != 0 || c.Flush() || c.ErrorString() != "Unknown error" || s.ErrorString() != "Unknown error" {
		t.Fatal("bad transfer")
	}
	c.DisconnectFromServer()
	states := 0
	for _, e := range r.get() {
		if strings.HasPrefix(e, "state(") {
			states++
		}
	}
	if states != 4 || r.count("connected") != 1 || r.count("disconnected") != 1 {
		t.Fatal(r.get())
	}
}

// tst_qlocalsocket readLine (LK-14): lines across chunked writes, partial
// lines, the maxSize limit, and nothing once the peer closed.
func TestReadLine_LK14(t *testing.T) {
	rows := []struct {
		name   string
		chunks []string
		max    int
		want   []string
	}{
		{"0", nil, 0, nil},
		{"1", []string{"\n"}, 0, []string{"\n"}},
		{"2", []string{"foo\n"}, 0, []string{"foo\n"}},
		{"3", []string{"foo", "bar\n"}, 0, []string{"foobar\n"}},
		{"4", []string{"foo\nbar\n"}, 0, []string{"foo\n", "bar\n"}},
		{"5", []string{"foo\nbar"}, 0, []string{"foo\n", "bar"}},
		{"6", []string{"abcdef\n"}, 3, []string{"abc", "def", "\n"}},
		{"7", []string{"a\nb\nc"}, 0, []string{"a\n", "b\n", "c"}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			srv := listen(t, testName(t), NoOptions)
			c, s := connectPair(t, srv)
			for _, ch := range row.chunks {
				s.Write([]byte(ch))
				s.WaitForBytesWritten(1000)
			}
			s.Close()
			if !c.WaitForDisconnected(3000) {
				t.Fatal("no disconnect")
			}
			var got []string
			for l := c.ReadLine(row.max); l != nil; l = c.ReadLine(row.max) {
				got = append(got, string(l))
			}
			if d := cmp.Diff(row.want, got); d != "" {
				t.Fatal(d)
			}
			if c.State() != UnconnectedState || c.CanReadLine() {
				t.Fatal("state")
			}
		})
	}
}

// tst_qlocalsocket skip (LK-14): skip after the peer closed.
func TestSkip_LK14(t *testing.T) {
	for _, tc := range []struct{ size, skip, wantSkipped int64 }{{10, 5, 5}, {20000, 10000, 10000}, {20000, 19999, 19999}, {100, 500, 100}} {
		srv := listen(t, testName(t), NoOptions)
		c, s := connectPair(t, srv)
		data := make([]byte, tc.size)
		for i := range data {
			data[i] = byte(i)
		}
		s.Write(data)
		for s.BytesToWrite() > 0 && s.WaitForBytesWritten(1000) {
		}
		s.Close()
		c.WaitForDisconnected(3000)
		if n := c.Skip(tc.skip); n != tc.wantSkipped {
			t.Fatalf("skipped %d want %d", n, tc.wantSkipped)
		}
		if rest := c.ReadAll(); tc.skip < tc.size && (len(rest) == 0 || rest[0] != byte(tc.skip)) {
			t.Fatal("wrong next byte")
		}
	}
}

// tst_qlocalsocket readBufferOverflow (LK-14): a 128-byte read buffer takes
// 256 bytes in two reads.
func TestReadBufferOverflow_LK14(t *testing.T) {
	srv := listen(t, testName(t), NoOptions)
	c, s := connectPair(t, srv)
	c.SetReadBufferSize(128)
	s.Write(bytes.Repeat([]byte{'a'}, 256))
	s.WaitForBytesWritten(1000)
	for i := range 2 {
		if !c.WaitForReadyRead(3000) {
			t.Fatalf("read %d: no readyRead", i)
		}
		if n := c.BytesAvailable(); n != 128 {
			t.Fatalf("read %d: %d available", i, n)
		}
		if got := c.ReadAll(); len(got) != 128 {
			t.Fatal(len(got))
		}
	}
	if c.WaitForReadyRead(100) || c.BytesAvailable() != 0 {
		t.Fatal("more data")
	}
}

// LK-15: readyRead is not emitted again for data that stays buffered, and
// not nested from a waitForReadyRead inside the handler.
func TestReadyReadNotReemitted_LK15(t *testing.T) {
	l := pushLoop(t)
	srv := listen(t, testName(t), NoOptions)
	c, s := connectPair(t, srv)
	n := 0
	c.ReadyRead.Connect(func() { n++ })
	s.Write([]byte("one"))
	s.Flush()
	l.Until(func() bool { return n == 1 })
	spin(l, 30*time.Millisecond)
	if n != 1 || c.BytesAvailable() != 3 {
		t.Fatalf("%d readyRead, %d buffered", n, c.BytesAvailable())
	}
	s.Write([]byte("two"))
	s.Flush()
	l.Until(func() bool { return n == 2 })
	if c.BytesAvailable() != 6 {
		t.Fatal(c.BytesAvailable())
	}
}

// tst_qlocalsocket simpleCommandProtocol1: 2000 length-prefixed messages
// with the blocking API, order and content exact.
func TestSimpleCommandProtocol1(t *testing.T) {
	srv := listen(t, testName(t), NoOptions)
	c, s := connectPair(t, srv)
	var buf []byte
	for i := range 2000 {
		msg := fmt.Sprintf("command %d", i)
		var hdr [4]byte
		binary.BigEndian.PutUint32(hdr[:], uint32(len(msg)))
		c.Write(append(hdr[:], msg...))
		for c.BytesToWrite() > 0 {
			if !c.WaitForBytesWritten(1000) {
				t.Fatal("write stuck")
			}
		}
		for {
			buf = append(buf, s.ReadAll()...)
			if len(buf) >= 4 && len(buf) >= 4+int(binary.BigEndian.Uint32(buf)) {
				break
			}
			if !s.WaitForReadyRead(1000) {
				t.Fatal("read stuck")
			}
		}
		n := int(binary.BigEndian.Uint32(buf))
		if got := string(buf[4 : 4+n]); got != msg {
			t.Fatalf("got %q want %q", got, msg)
		}
		buf = buf[4+n:]
	}
}

// tst_qlocalsocket simpleCommandProtocol2 (LK-10): messages read in a
// readyRead handler on a running loop, then abort(): Unconnected,
// disconnected once, nothing left to write, device closed; the server side
// sees the disconnect.
func TestSimpleCommandProtocol2_LK10(t *testing.T) {
	l := pushLoop(t)
	srv := listen(t, testName(t), NoOptions)
	c, s := connectPair(t, srv)
	r := record(t, c)
	var buf []byte
	got := 0
	s.ReadyRead.Connect(func() {
		buf = append(buf, s.ReadAll()...)
		for len(buf) >= 4 && len(buf) >= 4+int(binary.BigEndian.Uint32(buf)) {
			n := int(binary.BigEndian.Uint32(buf))
			if string(buf[4:4+n]) != fmt.Sprint("msg", got) {
				t.Errorf("message %d: %q", got, buf[4:4+n])
			}
			buf = buf[4+n:]
			got++
		}
	})
	for i := range 500 {
		msg := fmt.Sprint("msg", i)
		var hdr [4]byte
		binary.BigEndian.PutUint32(hdr[:], uint32(len(msg)))
		c.Write(append(hdr[:], msg...))
	}
	l.Until(func() bool { return got == 500 })
	c.Write([]byte("unsent"))
	c.Abort()
	if c.State() != UnconnectedState || r.count("disconnected") != 1 || c.BytesToWrite() != 0 || c.IsOpen() {
		t.Fatal(r.get())
	}
	if !s.WaitForDisconnected(1000) {
		t.Fatal("server side not disconnected")
	}
}

// tst_qlocalsocket waitForDisconnect and waitForDisconnectByServer.
func TestWaitForDisconnect_LK11(t *testing.T) {
	srv := listen(t, testName(t), NoOptions)
	c, s := connectPair(t, srv)
	start := time.Now()
	c.DisconnectFromServer()
	if !s.WaitForDisconnected(3000) || time.Since(start) > 2*time.Second {
		t.Fatal("server side")
	}
	c2, s2 := connectPair(t, srv)
	r := record(t, c2)
	s2.Close()
	if s2.State() != UnconnectedState {
		t.Fatal(s2.State())
	}
	if !c2.WaitForDisconnected(3000) || r.count("disconnected") != 1 {
		t.Fatal(r.get())
	}
}

// tst_qlocalsocket waitForReadyReadOnDisconnected (LK-11): inside readyRead,
// after the peer closed, waitForReadyRead returns false promptly.
func TestWaitForReadyReadOnDisconnected_LK11(t *testing.T) {
	l := pushLoop(t)
	srv := listen(t, testName(t), NoOptions)
	c, s := connectPair(t, srv)
	done := false
	var elapsed time.Duration
	c.ReadyRead.Connect(func() {
		c.ReadAll()
		start := time.Now()
		if c.WaitForReadyRead(3000) {
			t.Error("waitForReadyRead true after the peer closed")
		}
		elapsed = time.Since(start)
		done = true
	})
	s.Write([]byte{1})
	s.Flush()
	s.Close()
	l.Until(func() bool { return done })
	if elapsed > 2*time.Second {
		t.Fatal(elapsed)
	}
}

// tst_qlocalsocket delayedDisconnect (LK-10): disconnectFromServer with a
// byte unwritten goes to ClosingState, then Unconnected, and stays open;
// the server reads the byte.
func TestDelayedDisconnect_LK10(t *testing.T) {
	l := pushLoop(t)
	srv := listen(t, testName(t), NoOptions)
	c, s := connectPair(t, srv)
	c.Write([]byte{'x'})
	c.DisconnectFromServer()
	if c.State() != ClosingState {
		t.Fatal(c.State())
	}
	l.Until(func() bool { return c.State() == UnconnectedState })
	if !c.IsOpen() {
		t.Fatal("closed device")
	}
	aboutToClose := false
	s.AboutToClose.Connect(func() {
		aboutToClose = true
		if !s.IsOpen() || s.BytesAvailable() != 1 {
			t.Errorf("in aboutToClose: open %v, %d available", s.IsOpen(), s.BytesAvailable())
		}
	})
	if !s.WaitForDisconnected(3000) {
		t.Fatal("no disconnect")
	}
	s.Close()
	if !aboutToClose || s.BytesAvailable() != 0 {
		t.Fatal("after close")
	}
}

// tst_qlocalsocket recycleClientSocket: one client object, abort and
// reconnect three times, a line each time.
func TestRecycleClientSocket(t *testing.T) {
	srv := listen(t, testName(t), NoOptions)
	c := NewLocalSocket(nil)
	defer c.Abort()
	for i := range 3 {
		c.Abort()
		c.ConnectToServer(srv.FullServerName())
		if ok, _ := srv.WaitForNewConnection(3000); !ok {
			t.Fatal("no connection")
		}
		s := srv.NextPendingConnection()
		s.Write([]byte(fmt.Sprintf("line %d\n", i)))
		s.Flush()
		for !c.CanReadLine() && c.WaitForReadyRead(3000) {
		}
		if got := string(c.ReadLine(0)); got != fmt.Sprintf("line %d\n", i) || c.Error() != UnknownSocketError {
			t.Fatal(got, c.Error())
		}
		s.Abort()
	}
}

// tst_qlocalsocket writeOnlySocket: a write-only client buffers nothing;
// server abort → waitForDisconnected(-1) true.
func TestWriteOnlySocket(t *testing.T) {
	srv := listen(t, testName(t), NoOptions)
	c := NewLocalSocket(nil)
	defer c.Abort()
	c.SetServerName(srv.FullServerName())
	if !c.Open(WriteOnly) {
		t.Fatal(c.ErrorString())
	}
	if ok, _ := srv.WaitForNewConnection(3000); !ok {
		t.Fatal("no connection")
	}
	s := srv.NextPendingConnection()
	s.Write([]byte("ignored"))
	s.Flush()
	s.Abort()
	if !c.WaitForDisconnected(-1) || c.State() != UnconnectedState || c.BytesAvailable() != 0 {
		t.Fatal(c.State(), c.BytesAvailable())
	}
}

// tst_qlocalsocket writeToClientAndDisconnect (LS-13, LK-09): the server
// stops listening, its socket writes chunks and closes; the client gets
// every byte, readChannelFinished once.
func TestWriteToClientAndDisconnect_LK09(t *testing.T) {
	for _, chunks := range []int{1, 20} {
		srv := listen(t, testName(t), NoOptions)
		c, s := connectPair(t, srv)
		r := record(t, c)
		srv.Close()
		for i := range chunks {
			s.Write(bytes.Repeat([]byte{byte(i)}, 100))
		}
		s.Close() // flushes, then disconnects
		for s.State() != UnconnectedState && s.WaitForBytesWritten(3000) {
		}
		if !c.WaitForDisconnected(3000) {
			t.Fatal("no disconnect")
		}
		if got := c.ReadAll(); len(got) != 100*chunks || r.count("readChannelFinished") != 1 {
			t.Fatal(len(got), r.get())
		}
	}
}

// tst_qlocalsocket writeToDisconnected (LK-12): writing to an aborted peer
// is buffered, then waitForBytesWritten fails with one error.
func TestWriteToDisconnected_LK12(t *testing.T) {
	srv := listen(t, testName(t), NoOptions)
	c, s := connectPair(t, srv)
	r := record(t, c)
	s.Abort()
	if c.State() != ConnectedState {
		t.Fatal(c.State())
	}
	if n, err := c.Write([]byte{'a'}); n != 1 || err != nil || c.BytesToWrite() != 1 {
		t.Fatal(n, err)
	}
	if c.WaitForBytesWritten(3000) {
		t.Fatal("waitForBytesWritten true")
	}
	errs := 0
	for _, e := range r.get() {
		if strings.HasPrefix(e, "error(") {
			errs++
		}
	}
	if errs != 1 || c.State() != UnconnectedState {
		t.Fatal(r.get())
	}
}

// tst_qlocalsocket setSocketDescriptor (LK-13): fd -1 keeps the state and
// open mode given.
func TestSetSocketDescriptor_LK13(t *testing.T) {
	s := NewLocalSocket(nil)
	if err := s.SetSocketDescriptor(-1, ConnectingState, Append); err == nil {
		t.Fatal("fd -1 accepted")
	}
	if s.SocketDescriptor() != -1 || s.State() != ConnectingState || s.OpenMode() != Append {
		t.Fatal(s.State(), s.OpenMode())
	}
	// Accepted sockets get Qt 6's names: the server's path and basename.
	srv := listen(t, testName(t), NoOptions)
	_, sc := connectPair(t, srv)
	if sc.FullServerName() != srv.FullServerName() || sc.ServerName() != "s" {
		t.Fatal(sc.FullServerName(), sc.ServerName())
	}
	// With an access option the socket was bound in the private directory
	// before the rename, and that is the address an accepted socket reports:
	// Qt 6.4 says "/tmp/.LlWDDd/s" too.
	srv2 := listen(t, testName(t), UserAccessOption)
	_, sc2 := connectPair(t, srv2)
	dir, base := filepath.Split(sc2.FullServerName())
	if base != "s" || sc2.ServerName() != "s" || filepath.Dir(filepath.Clean(dir)) != filepath.Dir(srv2.FullServerName()) ||
		!strings.HasPrefix(filepath.Base(filepath.Clean(dir)), ".") {
		t.Fatalf("accepted socket names %q %q", sc2.FullServerName(), sc2.ServerName())
	}
}

// tst_qlocalsocket syncDisconnectNotify and asyncDisconnectNotify
// (LK-12): the server socket is destroyed; the client sees it with the
// blocking API and with signals, readChannelFinished exactly once.
func TestDisconnectNotify_LK12(t *testing.T) {
	srv := listen(t, testName(t), NoOptions)
	c, s := connectPair(t, srv)
	s.Destroy()
	if c.WaitForReadyRead(3000) {
		t.Fatal("waitForReadyRead true")
	}
	if _, err := c.Write([]byte{'x'}); err == nil {
		t.Fatal("putChar after disconnect")
	}

	l := pushLoop(t)
	srv2 := listen(t, testName(t), NoOptions)
	c2, s2 := connectPair(t, srv2)
	r := record(t, c2)
	s2.Destroy()
	l.Until(func() bool { return r.count("disconnected") == 1 })
	spin(l, 20*time.Millisecond)
	if r.count("readChannelFinished") != 1 {
		t.Fatal(r.get())
	}
}

// tst_qlocalsocket threadedConnection: a server goroutine with the
// blocking API (max 10 pending) and client goroutines; no readyRead before
// waitForReadyRead, exactly one with it.
func TestThreadedConnection(t *testing.T) {
	for _, clients := range []int{1, 2, 5, 10, 20} {
		name := testName(t)
		ready := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go withOwnContext(func() {
			defer wg.Done()
			srv := NewLocalServer(nil)
			srv.SetMaxPendingConnections(10)
			if err := srv.Listen(name); err != nil {
				t.Error(err)
				close(ready)
				return
			}
			defer srv.Close()
			close(ready)
			for range clients {
				if ok, _ := srv.WaitForNewConnection(5000); !ok {
					t.Error("server: no connection")
					return
				}
				s := srv.NextPendingConnection()
				s.Write([]byte("test\n"))
				for s.BytesToWrite() > 0 && s.WaitForBytesWritten(1000) {
				}
				s.Abort()
			}
		})
		<-ready
		for range clients {
			wg.Add(1)
			go withOwnContext(func() {
				defer wg.Done()
				c := NewLocalSocket(nil)
				defer c.Abort()
				n := 0
				c.ReadyRead.Connect(func() { n++ })
				c.ConnectToServer(name)
				if n != 0 {
					t.Error("readyRead before waitForReadyRead")
				}
				for !c.CanReadLine() {
					if !c.WaitForReadyRead(5000) {
						t.Error("client: nothing read")
						return
					}
				}
				if n != 1 || string(c.ReadLine(0)) != "test\n" {
					t.Errorf("readyRead %d", n)
				}
			})
		}
		wg.Wait()
	}
}

// tst_qlocalsocket bytesWrittenSignal (LK-15): a client on a worker
// goroutine writes; bytesWritten reaches a receiver on the test's context
// through a queued connection.
func TestBytesWrittenSignal_LK15(t *testing.T) {
	l := pushLoop(t)
	srv := listen(t, testName(t), NoOptions)
	receiver := object.New()
	got := make(chan int64, 4)
	done := make(chan struct{})
	go withOwnContext(func() {
		defer close(done)
		c := NewLocalSocket(nil)
		defer c.Abort()
		if _, err := c.BytesWritten.ConnectTo(receiver, func(n int64) { got <- n }, signal.QueuedConnection); err != nil {
			t.Error(err)
			return
		}
		c.ConnectToServer(srv.FullServerName())
		c.Write([]byte("hello"))
		if !c.WaitForBytesWritten(2000) {
			t.Error("waitForBytesWritten")
		}
	})
	<-done
	var n int64
	l.Until(func() bool {
		select {
		case n = <-got:
			return true
		default:
			return false
		}
	})
	if n != 5 {
		t.Fatal(n)
	}
}

// net.Conn: Read waits for data, honours the read deadline, and reports
// io.EOF after the peer closed; the server side runs on a loop goroutine
// while the client blocks (the second way blockingWait works).
func TestNetConn(t *testing.T) {
	ctx := looptest.Run(t)
	name := testName(t)
	var srv *LocalServer
	looptest.On(ctx, func() {
		srv = NewLocalServer(nil)
		if err := srv.Listen(name); err != nil {
			t.Error(err)
			return
		}
		srv.NewConnection.Connect(func() {
			s := srv.NextPendingConnection()
			buf := make([]byte, 4096)
			s.ReadyRead.Connect(func() {
				for s.BytesAvailable() > 0 {
					n, _ := s.Read(buf)
					s.Write(buf[:n])
				}
			})
			s.Disconnected.Connect(s.DeleteLater)
		})
	})
	defer looptest.On(ctx, func() { srv.Close() })
	var conn net.Conn = NewLocalSocket(nil)
	c := conn.(*LocalSocket)
	c.ConnectToServer(name)
	if !c.WaitForConnected(1000) {
		t.Fatal(c.ErrorString())
	}
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read = %v, want a deadline error", err)
	}
	c.SetReadDeadline(time.Time{})
	want := bytes.Repeat([]byte("0123456789abcdef"), 8192)
	go func() {
		c.Write(want)
		c.Flush()
	}()
	got := make([]byte, len(want))
	for off := 0; off < len(got); {
		c.Flush()
		n, err := c.Read(got[off:])
		if err != nil {
			t.Fatal(err)
		}
		off += n
	}
	if !bytes.Equal(got, want) {
		t.Fatal("echo differs")
	}
	if c.RemoteAddr().String() != name || c.RemoteAddr().Network() != "unix" {
		t.Fatal(c.RemoteAddr())
	}
	looptest.On(ctx, func() { srv.Close() })
	c.DisconnectFromServer()
	if n, err := c.Read(got); n != 0 || err != io.EOF {
		t.Fatalf("Read after the connection ended = %d, %v; want io.EOF", n, err)
	}
	c.Close()
	if _, err := c.Read(got); err == nil {
		t.Fatal("Read after Close")
	}
}

// Bad input on a socket: nil and zero values, writes when not open.
func TestSocketBadInput(t *testing.T) {
	var n *LocalSocket
	capture := logging.StartCapture()
	n.ConnectToServer("x")
	if n.State() != UnconnectedState || n.IsOpen() || n.WaitForReadyRead(10) {
		t.Fatal("nil socket")
	}
	if _, err := n.Write([]byte("x")); err == nil {
		t.Fatal("nil write")
	}
	capture.Stop()
	var z LocalSocket
	capture = logging.StartCapture()
	if _, err := z.Write([]byte("x")); err == nil {
		t.Fatal("write on a closed device")
	}
	if recs := capture.Stop(); len(recs) != 1 || recs[0].Message != "QIODevice::write (QLocalSocket): device not open" {
		t.Fatal(recs)
	}
	capture = logging.StartCapture()
	if z.ErrorString() != "Unknown error" || z.ReadAll() != nil {
		t.Fatal("zero socket")
	}
	if recs := capture.Stop(); len(recs) != 1 || recs[0].Message != "QIODevice::read (QLocalSocket): device not open" {
		t.Fatal(recs)
	}
}

// LK-10 and LK-12: the signal sequences of abort, close, close with data
// pending, disconnectFromServer and a write to a peer that went away, as
// Qt 6.4 (PyQt6) emits them on the same calls.
func TestCloseAbortOrder_LK10_LK12(t *testing.T) {
	rows := []struct {
		name     string
		do       func(c, s *LocalSocket)
		want     []string
		openThen bool
	}{
		{"abort", func(c, s *LocalSocket) { c.Abort() },
			[]string{"state(UnconnectedState)", "readChannelFinished", "disconnected", "aboutToClose"}, false},
		{"close", func(c, s *LocalSocket) { c.Close() },
			[]string{"aboutToClose", "state(ClosingState)", "state(UnconnectedState)", "readChannelFinished", "disconnected"}, false},
		{"close_pending", func(c, s *LocalSocket) { c.Write([]byte("x")); c.Close(); c.WaitForDisconnected(1000) },
			[]string{"aboutToClose", "state(ClosingState)", "bytesWritten(1)", "state(UnconnectedState)", "readChannelFinished", "disconnected"}, false},
		{"disconnectFromServer", func(c, s *LocalSocket) { c.DisconnectFromServer() },
			[]string{"state(ClosingState)", "state(UnconnectedState)", "readChannelFinished", "disconnected"}, true},
		{"write_to_aborted_peer", func(c, s *LocalSocket) { s.Abort(); c.Write([]byte("a")); c.WaitForBytesWritten(1000) },
			[]string{"error(" + PeerClosedError.String() + ")", "state(ClosingState)", "state(UnconnectedState)", "readChannelFinished", "disconnected"}, true},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			srv := listen(t, testName(t), NoOptions)
			c, s := connectPair(t, srv)
			r := record(t, c)
			row.do(c, s)
			if d := cmp.Diff(row.want, r.get()); d != "" {
				t.Fatalf("(-want +got):\n%s", d)
			}
			if c.IsOpen() != row.openThen {
				t.Fatalf("isOpen %v", c.IsOpen())
			}
		})
	}
}

// A socket given an invalid descriptor keeps the state it was given, as in
// Qt, but its waits end at once instead of sleeping until a deadline that
// may be never; a state outside LocalSocketState is refused. Nil receivers
// of the option getters log instead of panicking.
func TestInvalidDescriptorWaitsEnd(t *testing.T) {
	cap := logging.StartCapture()
	defer cap.Stop()
	s := NewLocalSocket(nil)
	defer s.Destroy()
	if err := s.SetSocketDescriptor(-1, LocalSocketState(-1), ReadWrite); err == nil || s.State() != UnconnectedState {
		t.Fatalf("invalid state: err %v, state %v", err, s.State())
	}
	if err := s.SetSocketDescriptor(-1, ConnectedState, ReadWrite); err == nil || s.State() != ConnectedState {
		t.Fatalf("invalid fd: err %v, state %v", err, s.State())
	}
	done := make(chan [3]bool, 1)
	go func() {
		done <- [3]bool{s.WaitForReadyRead(-1), s.WaitForDisconnected(-1), s.WaitForBytesWritten(-1)}
	}()
	select {
	case got := <-done:
		if got != [3]bool{} {
			t.Fatalf("waits reported %v, want all false", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a wait on a socket without a descriptor hangs")
	}
	var ns *LocalSocket
	var nsv *LocalServer
	if ns.SocketOptions() != NoOptions || nsv.SocketOptions() != NoOptions {
		t.Fatal("nil SocketOptions")
	}
}
