package tests

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sigloop/sigloop/internal/looptest"
	"github.com/sigloop/sigloop/internal/progtest"
	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/qtnet"
)

// The Qt peers (peers/qt_*.py) run Debian's Qt 5.15 through PySide2
// (python3-pyside2.qtnetwork) and Qt 6.4 through PyQt6 (python3-pyqt6).

var (
	qtCheckMu  sync.Mutex
	qtCheckErr = map[string]error{}
)

// needQt skips t (or fails it when SIGLOOP_REQUIRE_PEERS=1) unless the
// Python binding of Qt version v ("5" or "6") can import QtNetwork.
func needQt(t testing.TB, v string) {
	t.Helper()
	qtCheckMu.Lock()
	err, done := qtCheckErr[v]
	if !done {
		mod, pkg := "PySide2", "python3-pyside2.qtnetwork"
		if v == "6" {
			mod, pkg = "PyQt6", "python3-pyqt6"
		}
		ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
		out, e := exec.CommandContext(ctx, python, "-c", "from "+mod+" import QtNetwork").CombinedOutput()
		cancel()
		if e != nil {
			err = fmt.Errorf("%s cannot import %s.QtNetwork (install %s): %v: %s", python, mod, pkg, e, strings.TrimSpace(string(out)))
		}
		qtCheckErr[v] = err
	}
	qtCheckMu.Unlock()
	if err == nil {
		return
	}
	if os.Getenv(requirePeersEnv) == "1" {
		t.Fatalf("Qt %s peer test cannot run, and %s=1 makes that a failure: %v", v, requirePeersEnv, err)
	}
	t.Skipf("skipping Qt %s peer test: %v (set %s=1 to make this a failure)", v, err, requirePeersEnv)
}

// startQtPeer runs a Qt peer script through the shared harness.
func startQtPeer(t *testing.T, v, script string, args ...string) *peer {
	t.Helper()
	needQt(t, v)
	return startPeer(t, script, append([]string{"--qt", v}, args...)...)
}

// qtVariants are the Qt versions and name kinds the interop tests cover;
// abstract names exist in Qt 6 only.
var qtVariants = []struct {
	name     string
	qt       string
	abstract bool
}{
	{"qt5", "5", false},
	{"qt6", "6", false},
	{"qt6-abstract", "6", true},
}

// serveLikeThePeer makes srv behave as peers/qt_local_server.py: echo, and
// close a connection whose first 8 bytes are "close-me" after "bye",
// abort one that starts with "abort-me", and answer "names-me" with the
// accepted socket's names.
func serveLikeThePeer(srv *qtnet.LocalServer) {
	srv.NewConnection.Connect(func() {
		for s := srv.NextPendingConnection(); s != nil; s = srv.NextPendingConnection() {
			var first []byte
			closing := false
			s.ReadyRead.Connect(func() {
				data := s.ReadAll()
				if closing {
					return
				}
				if len(first) < 8 {
					first = append(first, data[:min(len(data), 8-len(first))]...)
					switch string(first) {
					case "close-me":
						closing = true
						s.Write([]byte("bye"))
						s.Flush()
						s.Close()
						return
					case "names-me":
						closing = true
						s.Write([]byte(s.ServerName() + "|" + s.FullServerName() + "\n"))
						s.Flush()
						s.Close()
						return
					case "abort-me":
						closing = true
						s.Abort()
						return
					}
				}
				s.Write(data)
			})
			s.Disconnected.Connect(s.DeleteLater)
		}
	})
}

// A Qt 5 or Qt 6 QLocalSocket against the Go LocalServer: many connections
// with random payloads up to 64 KiB, every byte checked; then the signals
// the Qt client sees when the server closes, and on a missing name, which
// must be exactly those it sees from a real QLocalServer doing the same.
// Bare names resolve in $TMPDIR on both sides (LS-05).
func TestQtClientGoServer_LS05_LK09(t *testing.T) {
	for _, v := range qtVariants {
		t.Run(v.name, func(t *testing.T) {
			needQt(t, v.qt)
			dir := t.TempDir()
			t.Setenv("TMPDIR", dir)
			name := "qtnet-peer"
			if v.abstract {
				name = "qtnet-peer-" + strings.ReplaceAll(dir, "/", "_")
			}
			ctx := looptest.Run(t)
			var srv *qtnet.LocalServer
			var listenErr error
			looptest.On(ctx, func() {
				srv = qtnet.NewLocalServer(nil)
				if v.abstract {
					srv.SetSocketOptions(qtnet.AbstractNamespaceOption)
				}
				listenErr = srv.Listen(name)
				serveLikeThePeer(srv)
			})
			defer looptest.On(ctx, func() { srv.Close() })
			if listenErr != nil {
				t.Fatal(listenErr)
			}
			args := []string{"--connect", name, "--conns", "32", "--count", "10", "--maxsize", "65536", "--seed", "7"}
			if v.abstract {
				args = append(args, "--abstract")
			}
			goSide := qtClientLines(t, v.qt, args)
			looptest.On(ctx, func() { srv.Close() })

			qtName := name + "-qt"
			peerArgs := []string{"--name", qtName}
			if v.abstract {
				peerArgs = append(peerArgs, "--abstract")
			}
			qs := startQtPeer(t, v.qt, "qt_local_server.py", peerArgs...)
			qs.Listening()
			args[1] = qtName
			qtSide := qtClientLines(t, v.qt, args)
			qs.Stop()

			if goSide[0] != "echo 320 passed, 0 failed" {
				t.Fatalf("against the Go server: %q", goSide)
			}
			// The accepted socket's names follow Qt 6 (LK-13); Qt 5 leaves
			// them empty, so only Qt 6 is compared for that line.
			if v.qt == "5" {
				if want := "names NAME|" + dir + "/NAME"; qtSide[3] != "names |" || goSide[3] != want {
					t.Fatalf("accepted names: Qt 5 server %q (want empty), Go server %q (want %q)", qtSide[3], goSide[3], want)
				}
				qtSide[3], goSide[3] = "", ""
			}
			if d := cmp.Diff(qtSide, goSide); d != "" {
				t.Fatalf("the Qt client saw the Go server differ from a Qt one (-qt +go):\n%s", d)
			}
		})
	}
}

// qtClientLines runs peers/qt_local_client.py and returns its five lines.
func qtClientLines(t *testing.T, qt string, args []string) []string {
	t.Helper()
	c := startQtPeer(t, qt, "qt_local_client.py", args...)
	var lines []string
	for range 5 {
		lines = append(lines, c.Line())
	}
	if err := c.Wait(); err != nil {
		t.Fatalf("qt client: %v %q", err, lines)
	}
	return lines
}

// The Go LocalSocket against a Qt 5 or Qt 6 QLocalServer: connections on
// goroutines of their own with the blocking API, random payloads up to
// 64 KiB, every byte checked; then the server closes and the Go socket
// emits what a Qt client emits (LK-09), and a missing name fails as in Qt
// (LK-05).
func TestGoClientQtServer_LK05_LK09(t *testing.T) {
	const qtCloseSignals = "state(ConnectingState),state(ConnectedState),connected,readyRead,error(PeerClosedError)," +
		"state(ClosingState),state(UnconnectedState),readChannelFinished,disconnected|bye|QLocalSocket: Remote closed"
	const qtAbortSignals = "state(ConnectingState),state(ConnectedState),connected,error(PeerClosedError)," +
		"state(ClosingState),state(UnconnectedState),readChannelFinished,disconnected|QLocalSocket: Remote closed"
	for _, v := range qtVariants {
		t.Run(v.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("TMPDIR", dir)
			name := "qt-server"
			args := []string{"--name", name}
			opts := qtnet.NoOptions
			if v.abstract {
				name = "qt-server-" + strings.ReplaceAll(dir, "/", "_")
				args = []string{"--name", name, "--abstract"}
				opts = qtnet.AbstractNamespaceOption
			}
			qs := startQtPeer(t, v.qt, "qt_local_server.py", args...)
			full := qs.Listening()
			if !v.abstract && full != dir+"/"+name {
				t.Fatalf("Qt resolved %q to %q", name, full)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- goRoundTrips(name, opts, uint64(i), 20)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}

			// The server closes: the Go socket's signals, on a running loop.
			l := looptest.Push(t, peerTimeout)
			c := qtnet.NewLocalSocket(nil)
			c.SetSocketOptions(opts)
			ev := recordSignals(c)
			var data []byte
			c.ReadyRead.Connect(func() { data = append(data, c.ReadAll()...) })
			c.ConnectToServer(name)
			c.Write([]byte("close-me"))
			l.Until(func() bool { return c.State() == qtnet.UnconnectedState })
			data = append(data, c.ReadAll()...)
			if got := strings.Join(*ev, ",") + "|" + string(data) + "|" + c.ErrorString(); got != qtCloseSignals {
				t.Fatalf("Go client saw\n%s\nQt client sees\n%s", got, qtCloseSignals)
			}

			// The server aborts.
			a := qtnet.NewLocalSocket(nil)
			a.SetSocketOptions(opts)
			aev := recordSignals(a)
			a.ConnectToServer(name)
			a.Write([]byte("abort-me"))
			l.Until(func() bool { return a.State() == qtnet.UnconnectedState })
			if got := strings.Join(*aev, ",") + "|" + a.ErrorString(); got != qtAbortSignals {
				t.Fatalf("Go client saw\n%s\nQt client sees\n%s", got, qtAbortSignals)
			}

			m := qtnet.NewLocalSocket(nil)
			m.SetSocketOptions(opts)
			mev := recordSignals(m)
			m.ConnectToServer(name + "-missing")
			want := "state(ConnectingState),error(ServerNotFoundError),state(UnconnectedState)|QLocalSocket::connectToServer: Invalid name"
			if v.abstract { // no file to miss: the kernel refuses, and so does Qt 6
				want = "state(ConnectingState),error(ConnectionRefusedError),state(UnconnectedState)|QLocalSocket::connectToServer: Connection refused"
			}
			if got := strings.Join(*mev, ",") + "|" + m.ErrorString(); got != want {
				t.Fatalf("missing: %s", got)
			}
		})
	}
}

// goRoundTrips does n round trips of random payloads (1 byte to 64 KiB)
// with one LocalSocket and the blocking API, checking every byte.
func goRoundTrips(name string, opts qtnet.SocketOptions, seed uint64, n int) error {
	ctx := mainloop.NewContext()
	if err := ctx.PushThreadDefault(); err != nil {
		return err
	}
	defer ctx.PopThreadDefault()
	rng := rand.New(rand.NewPCG(seed, 99))
	c := qtnet.NewLocalSocket(nil)
	defer c.Abort()
	c.SetSocketOptions(opts)
	c.ConnectToServer(name)
	if !c.WaitForConnected(int(peerTimeout / time.Millisecond)) {
		return fmt.Errorf("connect %q: %s", name, c.ErrorString())
	}
	for i := range n {
		want := make([]byte, 1+rng.IntN(65536))
		for j := range want {
			want[j] = byte(rng.Uint32())
		}
		c.Write(want)
		var got []byte
		for len(got) < len(want) {
			if !c.WaitForReadyRead(int(peerTimeout / time.Millisecond)) {
				return fmt.Errorf("round trip %d: %d of %d bytes: %s", i, len(got), len(want), c.ErrorString())
			}
			got = append(got, c.ReadAll()...)
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("round trip %d: echo differs", i)
		}
	}
	c.DisconnectFromServer()
	return nil
}

// recordSignals logs a socket's signals in the Qt peers' notation.
func recordSignals(c *qtnet.LocalSocket) *[]string {
	ev := &[]string{}
	add := func(s string) { *ev = append(*ev, s) }
	c.Connected.Connect(func() { add("connected") })
	c.Disconnected.Connect(func() { add("disconnected") })
	c.ReadyRead.Connect(func() { add("readyRead") })
	c.ErrorOccurred.Connect(func(e qtnet.SocketError) {
		n := e.String()
		if i := strings.IndexByte(n, '/'); i >= 0 {
			n = n[:i] // QLocalSocket's name comes first
		}
		add("error(" + n + ")")
	})
	c.StateChanged.Connect(func(s qtnet.LocalSocketState) {
		add("state(" + strings.TrimPrefix(s.String(), "QLocalSocket::") + ")")
	})
	c.ReadChannelFinished.Connect(func() { add("readChannelFinished") })
	c.AboutToClose.Connect(func() { add("aboutToClose") })
	return ev
}

// nobody is the unprivileged identity of the permission tests.
const nobody = "65534"

// LS-25 and LS-07/LS-08: for every socket option the Go server's socket
// file has the mode a Qt 5 server's gets on this machine, and the same
// users can connect to it: the owner (root), a member of its group and any
// other user, each tried with a Qt client run through setpriv.
func TestPermissionsMatchQt_LS25(t *testing.T) {
	needQt(t, "5")
	setpriv, dir := asAnotherUser(t, "run clients as another user")
	options := []struct {
		name string
		opts qtnet.SocketOptions
	}{
		{"none", qtnet.NoOptions},
		{"user", qtnet.UserAccessOption},
		{"group", qtnet.GroupAccessOption},
		{"other", qtnet.OtherAccessOption},
		{"world", qtnet.WorldAccessOption},
		{"user+group", qtnet.UserAccessOption | qtnet.GroupAccessOption},
	}
	var paths []string
	for _, o := range options {
		qp, gp := dir+"/qt-"+o.name, dir+"/go-"+o.name
		qs := startQtPeer(t, "5", "qt_local_server.py", "--name", qp, "--options", fmt.Sprint(int(o.opts)))
		if got := qs.Listening(); got != qp {
			t.Fatal(got)
		}
		s := qtnet.NewLocalServer(nil)
		s.SetSocketOptions(o.opts)
		if err := s.Listen(gp); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		qfi, err1 := os.Lstat(qp)
		gfi, err2 := os.Lstat(gp)
		if err1 != nil || err2 != nil || qfi.Mode() != gfi.Mode() {
			t.Errorf("%s: Qt made %v, Go %v (%v %v)", o.name, qfi.Mode(), gfi.Mode(), err1, err2)
		}
		paths = append(paths, qp, gp)
	}
	identities := []struct {
		name string
		pre  []string
	}{
		{"owner", nil},
		{"group-member", []string{setpriv, "--reuid=" + nobody, "--regid=0", "--clear-groups"}},
		{"other", []string{setpriv, "--reuid=" + nobody, "--regid=" + nobody, "--clear-groups"}},
	}
	for _, id := range identities {
		results := connectResults(t, id.name, id.pre, paths)
		for _, o := range options {
			t.Logf("%-12s %-10s Go: %s", id.name, o.name, results[dir+"/go-"+o.name])
			q, g := results[dir+"/qt-"+o.name], results[dir+"/go-"+o.name]
			if q == "" || q != g {
				t.Errorf("%s connecting to %s: Qt server %q, Go server %q", id.name, o.name, q, g)
			}
		}
		// The table of LS-25, as the checks above reproduce it.
		if id.name == "other" && results[dir+"/go-user"] != "error SocketAccessError QLocalSocket::connectToServer: Socket access error" {
			t.Errorf("other user on UserAccessOption: %q", results[dir+"/go-user"])
		}
		if id.name == "other" && results[dir+"/go-world"] != "connected" {
			t.Errorf("other user on WorldAccessOption: %q", results[dir+"/go-world"])
		}
	}
}

// LS-08: while a server with UserAccessOption listens and closes over and
// over, another user trying every socket file in the directory (and in the
// private directories Listen makes there) never gets connected: the file is
// never reachable with wider permissions than asked, not even briefly.
func TestSocketNeverReachableWider_LS08(t *testing.T) {
	setpriv, dir := asAnotherUser(t, "run the probe as another user")
	script, _ := filepath.Abs(filepath.Join("peers", "qt_local_connect.py"))
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, setpriv, "--reuid="+nobody, "--regid="+nobody, "--clear-groups",
		python, script, "--probe", dir, "--seconds", "1.5")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := time.Now().Add(1500 * time.Millisecond)
	cycles := 0
	for time.Now().Before(stop) {
		s := qtnet.NewLocalServer(nil)
		s.SetSocketOptions(qtnet.UserAccessOption)
		if err := s.Listen(dir + "/private"); err != nil {
			t.Fatal(err)
		}
		s.Close()
		cycles++
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("probe: %v\n%s", err, out.String())
	}
	var connected, attempts int
	if _, err := fmt.Sscanf(out.String(), "probe %d %d", &connected, &attempts); err != nil {
		t.Fatalf("probe said %q", out.String())
	}
	if connected != 0 || attempts == 0 {
		t.Fatalf("%d of %d connects by another user succeeded over %d listen cycles", connected, attempts, cycles)
	}
}

// asAnotherUser skips t unless it runs as root with setpriv at hand, to do
// what it needs another user for, and returns setpriv's path and a
// sharedTempDir.
func asAnotherUser(t *testing.T, what string) (setpriv, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root, to " + what)
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("no setpriv")
	}
	return setpriv, sharedTempDir(t)
}

// sharedTempDir is a temporary directory another user can search (t.TempDir
// makes 0700 parents), removed at the end of the test.
func sharedTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "qtnet-perm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// LS-25 with an unprivileged owner: the servers (a Qt 5 one and the Go
// demo, demo/localecho) run as another user, and the owner and root try to
// connect. GroupAccessOption alone locks the non-root owner out, as in Qt.
func TestPermissionsUnprivilegedOwner_LS25(t *testing.T) {
	needQt(t, "5")
	setpriv, dir := asAnotherUser(t, "run servers as another user")
	bin := filepath.Join(dir, "localecho")
	progtest.BuildTo(t, "../demo/localecho", bin)
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	options := []struct {
		name, flag string
		opts       qtnet.SocketOptions
	}{
		{"none", "", qtnet.NoOptions},
		{"user", "user", qtnet.UserAccessOption},
		{"group", "group", qtnet.GroupAccessOption},
		{"world", "world", qtnet.WorldAccessOption},
	}
	var paths []string
	for _, o := range options {
		qp, gp := dir+"/qt-"+o.name, dir+"/go-"+o.name
		qs := startQtPeer(t, "5", "qt_local_server.py", "--name", qp, "--options", fmt.Sprint(int(o.opts)), "--as-user", nobody)
		if got := qs.Listening(); got != qp {
			t.Fatal(got)
		}
		args := []string{"--unix", gp}
		if o.flag != "" {
			args = append(args, "--options", o.flag)
		}
		cmd := exec.Command(bin, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		if s := progtest.Start(t, cmd); s.Addr != gp {
			t.Fatalf("localecho listens on %q, want %q", s.Addr, gp)
		}
		qfi, err1 := os.Lstat(qp)
		gfi, err2 := os.Lstat(gp)
		if err1 != nil || err2 != nil || qfi.Mode() != gfi.Mode() {
			t.Errorf("%s: Qt made %v, Go %v (%v %v)", o.name, qfi.Mode(), gfi.Mode(), err1, err2)
		}
		if st, ok := gfi.Sys().(*syscall.Stat_t); !ok || st.Uid != 65534 {
			t.Errorf("%s: socket not owned by the unprivileged user", o.name)
		}
		paths = append(paths, qp, gp)
	}
	for _, id := range []struct {
		name string
		pre  []string
	}{
		{"root", nil},
		{"owner", []string{setpriv, "--reuid=" + nobody, "--regid=" + nobody, "--clear-groups"}},
	} {
		results := connectResults(t, id.name, id.pre, paths)
		for _, o := range options {
			q, g := results[dir+"/qt-"+o.name], results[dir+"/go-"+o.name]
			t.Logf("%-5s %-5s Go: %s", id.name, o.name, g)
			if q == "" || q != g {
				t.Errorf("%s connecting to %s: Qt server %q, Go server %q", id.name, o.name, q, g)
			}
		}
		if id.name == "owner" && results[dir+"/go-group"] == "connected" {
			t.Error("a non-root owner connected to a GroupAccessOption socket")
		}
	}
}

// TestMissingQtPeer is TestMissingPeer for the Qt peers: without a usable
// PySide2/PyQt6 the Qt peer tests skip saying what to install, and fail
// with SIGLOOP_REQUIRE_PEERS=1.
func TestMissingQtPeer(t *testing.T) {
	checkMissingPeer(t, "^TestGoClientQtServer_LK05_LK09$", "Qt", "install python3-pyside2.qtnetwork", "install python3-pyqt6")
}

// connectResults runs peers/qt_local_connect.py (Qt 5) behind the command
// prefix pre (setpriv, to be another user) on paths, and returns each
// path's result: "connected" or "error CODE ERRORSTRING".
func connectResults(t *testing.T, who string, pre, paths []string) map[string]string {
	t.Helper()
	script, _ := filepath.Abs(filepath.Join("peers", "qt_local_connect.py"))
	argv := append(append(append([]string{}, pre...), python, script, "--qt", "5"), paths...)
	ctx, cancel := context.WithTimeout(context.Background(), peerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "HOME=/tmp", "QT_QPA_PLATFORM=offscreen")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s client: %v\n%s", who, err, out)
	}
	results := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		p, res, _ := strings.Cut(l, " ")
		results[p] = res
	}
	return results
}

// LS-08 and LS-13 across implementations: a Qt 6 server with an access
// option takes the name of a running Go server (the rename replaces the
// file, as between two Qt servers); closing the Go server then leaves the
// Qt server's file alone (Qt's own close would delete it), so clients
// still reach the Qt server.
func TestNameTakenByQtServer_LS08_LS13(t *testing.T) {
	needQt(t, "6")
	name := filepath.Join(t.TempDir(), "shared")
	g := qtnet.NewLocalServer(nil)
	if err := g.Listen(name); err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	qs := startQtPeer(t, "6", "qt_local_server.py", "--name", name, "--options", "1")
	if got := qs.Listening(); got != name {
		t.Fatal(got)
	}
	g.Close()
	if _, err := os.Lstat(name); err != nil {
		t.Fatal("closing the Go server deleted the Qt server's socket file")
	}
	if err := goRoundTrips(name, qtnet.NoOptions, 1, 3); err != nil {
		t.Fatalf("the Qt server is unreachable: %v", err)
	}
}
