package qtnet

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sigloop/sigloop/internal/logging"
	"golang.org/x/sys/unix"
)

// serverState is what a test compares of a server.
type serverState struct {
	Listening       bool
	Name, Full      string
	Err             SocketError
	ErrString       string
	HasFD           bool
	Pending         bool
	MaxPending      int
	Backlog         int
	Options         SocketOptions
	NextIsNil       bool
	NewConnections  int
	ServerDescIsNeg bool
}

func stateOf(s *LocalServer) serverState {
	return serverState{
		Listening: s.IsListening(), Name: s.ServerName(), Full: s.FullServerName(),
		Err: s.ServerError(), ErrString: s.ErrorString(), HasFD: s.SocketDescriptor() >= 0,
		Pending: s.HasPendingConnections(), MaxPending: s.MaxPendingConnections(),
		Backlog: s.ListenBacklogSize(), Options: s.SocketOptions(),
	}
}

// tst_qlocalsocket server_basic: a fresh server's defaults, a harmless
// close, waitForNewConnection returning at once, listen("") failing.
func TestServerBasic_LS01_LS04_LS20(t *testing.T) {
	s := NewLocalServer(nil)
	n := 0
	s.NewConnection.Connect(func() { n++ })
	want := serverState{Err: UnknownSocketError, MaxPending: 30, Backlog: 50, Options: NoOptions}
	if d := cmp.Diff(want, stateOf(s)); d != "" {
		t.Fatalf("fresh server (-want +got):\n%s", d)
	}
	if s.NextPendingConnection() != nil {
		t.Fatal("NextPendingConnection on a fresh server")
	}
	s.Close()
	start := time.Now()
	ok, timedOut := s.WaitForNewConnection(3000)
	if ok || timedOut || time.Since(start) > time.Second {
		t.Fatalf("WaitForNewConnection = %v, %v after %v", ok, timedOut, time.Since(start))
	}
	err := s.Listen("")
	if !errors.Is(err, HostNotFoundError) || err.Error() != "QLocalServer::listen: Name error" {
		t.Fatalf("Listen(\"\") = %v", err)
	}
	if s.ServerError() != HostNotFoundError || s.ErrorString() != "QLocalServer::listen: Name error" || s.IsListening() {
		t.Fatalf("after Listen(\"\"): %+v", stateOf(s))
	}
	if n != 0 {
		t.Fatalf("%d newConnection", n)
	}
}

// tst_qlocalsocket server_connectionsCount.
func TestServerConnectionsCount(t *testing.T) {
	s := NewLocalServer(nil)
	s.SetMaxPendingConnections(10)
	if s.MaxPendingConnections() != 10 {
		t.Fatal(s.MaxPendingConnections())
	}
}

// tst_qlocalsocket listen: names, a second listen warns and fails without
// touching the error, socketDescriptor, waitForNewConnection timing out.
func TestListen_LS02_LS03_LS12_LS20(t *testing.T) {
	for _, close := range []bool{true, false} {
		name := testName(t)
		s := NewLocalServer(nil)
		if err := s.Listen(name); err != nil {
			t.Fatal(err)
		}
		if s.ServerName() != name || !strings.Contains(s.FullServerName(), name) || !s.IsListening() ||
			s.HasPendingConnections() || s.SocketDescriptor() < 0 {
			t.Fatalf("listening: %+v", stateOf(s))
		}
		c := logging.StartCapture()
		err := s.Listen("other")
		recs := c.Stop()
		if err == nil || len(recs) != 1 || recs[0].Message != "QLocalServer::listen() called when already listening" {
			t.Fatalf("second Listen = %v, logged %v", err, recs)
		}
		if s.ServerName() != name || s.ServerError() != UnknownSocketError || s.ErrorString() != "" {
			t.Fatalf("second Listen changed the server: %+v", stateOf(s))
		}
		ok, timedOut := s.WaitForNewConnection(100)
		if ok || !timedOut {
			t.Fatalf("WaitForNewConnection = %v, %v", ok, timedOut)
		}
		if close {
			s.Close()
			if s.IsListening() || s.SocketDescriptor() != -1 || s.ServerName() != "" {
				t.Fatalf("after Close: %+v", stateOf(s))
			}
		} else {
			t.Cleanup(s.Close)
		}
	}
}

// tst_qlocalsocket listenAndConnect: per client, the names are set at
// once, two stateChanged, connected once, no readyRead; the server counts
// newConnection per accepted client.
func TestListenAndConnect_LS18_LS19_LK05_LK07(t *testing.T) {
	for _, clients := range []int{0, 1, 5} {
		for _, valid := range []bool{false, true} {
			name := testName(t)
			s := &countingServer{} // tst_qlocalsocket's LocalServer: records hits
			s.Init(s)
			err := s.Listen(map[bool]string{true: name, false: ""}[valid])
			if (err == nil) != valid {
				t.Fatal(err)
			}
			newConn := 0
			s.NewConnection.Connect(func() {
				newConn++
				if !s.HasPendingConnections() {
					t.Error("newConnection without a pending connection")
				}
			})
			for i := range clients {
				c := NewLocalSocket(nil)
				r := record(t, c)
				c.ConnectToServer(name)
				if c.ServerName() != name && valid {
					t.Fatalf("client serverName %q", c.ServerName())
				}
				if !valid {
					if c.WaitForConnected(1000) || c.Error() != ServerNotFoundError || c.State() != UnconnectedState {
						t.Fatalf("client to a missing server: %v %v", c.Error(), c.State())
					}
					want := []string{"state(ConnectingState)", "error(" + ServerNotFoundError.String() + ")", "state(UnconnectedState)"}
					if d := cmp.Diff(want, r.get()); d != "" {
						t.Fatalf("signals (-want +got):\n%s", d)
					}
					continue
				}
				if !c.WaitForConnected(1000) || !c.IsValid() || c.Error() != UnknownSocketError ||
					c.ErrorString() != "Unknown error" || c.BytesAvailable() != 0 || c.Flush() ||
					!c.WaitForConnected(0) || c.WaitForReadyRead(0) {
					t.Fatalf("client %d: valid %v err %v %q", i, c.IsValid(), c.Error(), c.ErrorString())
				}
				// waitForReadyRead(0) timing out emits errorOccurred(SocketTimeoutError)
				// in Qt 5 and 6 alike (checked with PyQt6 6.4).
				want := []string{"state(ConnectingState)", "state(ConnectedState)", "connected", "error(SocketTimeoutError)"}
				if d := cmp.Diff(want, r.get()); d != "" {
					t.Fatalf("signals (-want +got):\n%s", d)
				}
				ok, timedOut := s.WaitForNewConnection(3000)
				if !ok || timedOut {
					t.Fatalf("WaitForNewConnection = %v, %v", ok, timedOut)
				}
				if newConn != i+1 || len(s.hits) != i+1 {
					t.Fatalf("newConnection %d times, %d hits, want %d", newConn, len(s.hits), i+1)
				}
				sc := s.NextPendingConnection()
				if sc == nil || sc.State() != ConnectedState || sc.Parent() != &s.Object {
					t.Fatal("bad pending connection")
				}
				c.Abort()
			}
			if !valid && s.ServerError() != HostNotFoundError {
				t.Fatal(s.ServerError())
			}
			s.Close()
		}
	}
}

type countingServer struct {
	LocalServer
	hits []int
}

func (c *countingServer) IncomingConnection(fd int) {
	c.hits = append(c.hits, fd)
	c.LocalServer.IncomingConnection(fd) // chain up
}

// The LocalServer test helper of tst_qlocalsocket: an override of the
// incomingConnection virtual sees every descriptor and chains up; one that
// does not chain up gets neither a pending socket nor newConnection.
func TestIncomingConnectionOverride_LS14(t *testing.T) {
	name := testName(t)
	o := &countingServer{}
	o.Init(o)
	if err := o.Listen(name); err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	newConn := 0
	o.NewConnection.Connect(func() { newConn++ })
	c := NewLocalSocket(nil)
	c.ConnectToServer(name)
	defer c.Abort()
	if ok, _ := o.WaitForNewConnection(3000); !ok || len(o.hits) != 1 || newConn != 1 {
		t.Fatalf("override: ok %v hits %v newConnection %d", ok, o.hits, newConn)
	}
	sock := o.NextPendingConnection()
	if sock.SocketDescriptor() != o.hits[0] {
		t.Fatalf("socket fd %d, hit %d", sock.SocketDescriptor(), o.hits[0])
	}

	k := &keepingServer{}
	k.Init(k)
	if err := k.Listen(name + "2"); err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	k.NewConnection.Connect(func() { t.Error("newConnection without addPendingConnection") })
	c2 := NewLocalSocket(nil)
	c2.ConnectToServer(name + "2")
	defer c2.Abort()
	ok, _ := k.WaitForNewConnection(3000)
	if ok || len(k.fds) != 1 || k.HasPendingConnections() {
		t.Fatalf("non-chaining override: ok %v fds %v", ok, k.fds)
	}
	// It owns the descriptor: adopt it and queue it by hand.
	sock2 := NewLocalSocket(&k.Object)
	if err := sock2.SetSocketDescriptor(k.fds[0], ConnectedState, ReadWrite); err != nil {
		t.Fatal(err)
	}
	got := 0
	k.NewConnection.DisconnectAll()
	k.NewConnection.Connect(func() { got++ })
	k.AddPendingConnection(sock2)
	if got != 1 || k.NextPendingConnection() != sock2 {
		t.Fatal("AddPendingConnection")
	}
	sock2.Abort()
}

// dupServer's override hands the default IncomingConnection a blocking
// duplicate of the accepted descriptor, not the descriptor itself.
type dupServer struct {
	LocalServer
	err error
}

func (d *dupServer) IncomingConnection(fd int) {
	nfd, err := unix.Dup(fd)
	unix.Close(fd)
	if err == nil {
		err = unix.SetNonblock(nfd, false)
	}
	if err != nil {
		d.err = err
		return
	}
	d.LocalServer.IncomingConnection(nfd) // chain up with a descriptor of its own
}

// TestIncomingConnectionOtherFD_LS14: the default IncomingConnection adopts
// a descriptor acceptOne did not just make with SetSocketDescriptor's full
// treatment (made non-blocking, named from the descriptor), not the
// accept fast path; the socket then works both ways.
func TestIncomingConnectionOtherFD_LS14(t *testing.T) {
	pushLoop(t)
	d := &dupServer{}
	d.Init(d)
	if err := d.Listen(testName(t)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	c, sc := connectPair(t, &d.LocalServer)
	if d.err != nil {
		t.Fatal(d.err)
	}
	fl, err := unix.FcntlInt(uintptr(sc.SocketDescriptor()), unix.F_GETFL, 0)
	if err != nil || fl&unix.O_NONBLOCK == 0 {
		t.Fatalf("adopted descriptor flags %#x (%v): want O_NONBLOCK", fl, err)
	}
	if sc.FullServerName() != d.FullServerName() {
		t.Fatalf("accepted socket named %q, server %q", sc.FullServerName(), d.FullServerName())
	}
	c.Write([]byte("ping"))
	if !c.WaitForBytesWritten(1000) || !sc.WaitForReadyRead(1000) {
		t.Fatal("no data through the adopted descriptor")
	}
	if got := string(sc.ReadAll()); got != "ping" {
		t.Fatalf("read %q", got)
	}
}

type keepingServer struct {
	LocalServer
	fds []int
}

func (k *keepingServer) IncomingConnection(fd int) { k.fds = append(k.fds, fd) }

// tst_qlocalsocket fullPath and LS-05's resolution rules.
func TestNameResolution_LS05(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir+"/")
	s := NewLocalServer(nil)
	if err := s.Listen("plain"); err != nil {
		t.Fatal(err)
	}
	if s.ServerName() != "plain" || s.FullServerName() != dir+"/plain" {
		t.Fatalf("names %q %q", s.ServerName(), s.FullServerName())
	}
	if fi, err := os.Lstat(dir + "/plain"); err != nil || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("socket file: %v %v", fi, err)
	}
	s.Close()
	if _, err := os.Lstat(dir + "/plain"); !os.IsNotExist(err) {
		t.Fatal("Close left the file")
	}
	// The name is kept verbatim, only the temp dir is cleaned.
	os.Mkdir(dir+"/sub", 0o755)
	if err := s.Listen("../" + filepath.Base(dir) + "/sub/x"); err != nil {
		t.Fatal(err)
	}
	if want := dir + "/../" + filepath.Base(dir) + "/sub/x"; s.FullServerName() != want {
		t.Fatalf("full %q want %q", s.FullServerName(), want)
	}
	s.Close()
	// A path is used as is (fullPath).
	p := dir + "/abs"
	if err := s.Listen(p); err != nil {
		t.Fatal(err)
	}
	if s.ServerName() != p || s.FullServerName() != p {
		t.Fatal(s.ServerName(), s.FullServerName())
	}
	c := NewLocalSocket(nil)
	c.ConnectToServer(p)
	if c.ServerName() != p || c.FullServerName() != p {
		t.Fatal(c.ServerName(), c.FullServerName())
	}
	c.DisconnectFromServer()
	if c.ServerName() != "" || c.FullServerName() != "" {
		t.Fatal("names kept after disconnect")
	}
	s.Close()
	// A missing directory is a name error.
	err := s.Listen("missing/x")
	if !errors.Is(err, HostNotFoundError) || err.Error() != "QLocalServer::listen: Name error" || s.ServerName() != "" {
		t.Fatalf("missing dir: %v", err)
	}
}

// LS-06: Qt 6's limit, 106 bytes; longer fails with Qt's stale-errno text;
// tst_qlocalsocket longPath: the client of a too-long name ends unconnected.
func TestLongPath_LS06(t *testing.T) {
	dir := t.TempDir()
	mk := func(n int) string { return dir + "/" + strings.Repeat("x", n-len(dir)-1) }
	s := NewLocalServer(nil)
	if err := s.Listen(mk(106)); err != nil {
		t.Fatalf("106 bytes: %v", err)
	}
	s.Close()
	err := s.Listen(mk(107))
	if !errors.Is(err, UnknownSocketError) || err.Error() != "QLocalServer::listen: Unknown error 0" {
		t.Fatalf("107 bytes: %v", err)
	}
	err = s.Listen(strings.Repeat("y", 256))
	if err == nil {
		t.Fatal("256-char name listened")
	}
	c := NewLocalSocket(nil)
	c.ConnectToServer(strings.Repeat("y", 256))
	if c.State() != UnconnectedState || c.Error() != ServerNotFoundError {
		t.Fatal(c.State(), c.Error())
	}
}

func withUmask(m int, fn func()) {
	old := syscall.Umask(m)
	defer syscall.Umask(old)
	fn()
}

// LS-07 and LS-08 (tst_qlocalsocket verifySocketOptions): the file mode per
// option, with and without a umask; the options' bits ignore the umask;
// nothing is left in the directory but the socket.
func TestSocketFileModes_LS07_LS08(t *testing.T) {
	cases := []struct {
		opts SocketOptions
		mask int
		mode os.FileMode
	}{
		{NoOptions, 0o022, 0o755},
		{NoOptions, 0o077, 0o700},
		{NoOptions, 0, 0o777},
		{UserAccessOption, 0o022, 0o700},
		{GroupAccessOption, 0o022, 0o070},
		{OtherAccessOption, 0o022, 0o007},
		{WorldAccessOption, 0o022, 0o777},
		{UserAccessOption | GroupAccessOption, 0o077, 0o770},
		{WorldAccessOption, 0o777, 0o777},
	}
	for _, tc := range cases {
		t.Run(tc.opts.String()+"/"+strings.TrimLeft(hex(uint(tc.mask)), ""), func(t *testing.T) {
			dir := t.TempDir()
			name := dir + "/sock"
			s := NewLocalServer(nil)
			s.SetSocketOptions(tc.opts)
			var err error
			withUmask(tc.mask, func() { err = s.Listen(name) })
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			fi, err := os.Lstat(name)
			if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != tc.mode {
				t.Fatalf("mode %v (%v), want %v", fi.Mode(), err, tc.mode)
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 {
				t.Fatalf("directory holds %v", ents)
			}
		})
	}
}

// LS-10: with NoOptions an existing path makes listen fail with
// AddressInUseError and is left in place; with an access option it is
// replaced (a directory fails with Qt's "Unknown error 21").
func TestExistingPath_LS10_LS08(t *testing.T) {
	mkStale := func(p string) {
		fd, _ := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
		unix.Bind(fd, &unix.SockaddrUnix{Name: p})
		unix.Close(fd)
	}
	kinds := map[string]func(p string){
		"stale":   mkStale,
		"regular": func(p string) { os.WriteFile(p, []byte("x"), 0o644) },
		"dir":     func(p string) { os.Mkdir(p, 0o755) },
	}
	for kind, mk := range kinds {
		for _, opts := range []SocketOptions{NoOptions, UserAccessOption} {
			t.Run(kind+"/"+opts.String(), func(t *testing.T) {
				p := t.TempDir() + "/n"
				mk(p)
				before, _ := os.Lstat(p)
				s := NewLocalServer(nil)
				s.SetSocketOptions(opts)
				err := s.Listen(p)
				defer s.Close()
				switch {
				case opts == NoOptions:
					if !errors.Is(err, AddressInUseError) || err.Error() != "QLocalServer::listen: Address in use" {
						t.Fatalf("Listen = %v", err)
					}
					after, _ := os.Lstat(p)
					if after == nil || !os.SameFile(before, after) {
						t.Fatal("the file in the way was touched")
					}
				case kind == "dir":
					if !errors.Is(err, UnknownSocketError) || err.Error() != "QLocalServer::listen: Unknown error 21" {
						t.Fatalf("Listen = %v", err)
					}
					if fi, _ := os.Lstat(p); fi == nil || !fi.IsDir() {
						t.Fatal("directory gone")
					}
					ents, _ := os.ReadDir(filepath.Dir(p))
					if len(ents) != 1 {
						t.Fatalf("leftovers: %v", ents)
					}
				default:
					if err != nil {
						t.Fatalf("Listen = %v", err)
					}
					if fi, _ := os.Lstat(p); fi.Mode()&os.ModeSocket == 0 {
						t.Fatal("not replaced")
					}
				}
			})
		}
	}
}

// LS-10 with a live server: a second NoOptions server fails and the first
// one keeps working.
func TestLiveServerAddressInUse_LS10(t *testing.T) {
	name := testName(t)
	a := listen(t, name, NoOptions)
	b := NewLocalServer(nil)
	if err := b.Listen(name); !errors.Is(err, AddressInUseError) {
		t.Fatalf("second listen: %v", err)
	}
	b.Close()
	connectPair(t, a)
}

// LS-11, fixed: a successful Listen clears the previous error.
func TestListenClearsError_LS11(t *testing.T) {
	s := NewLocalServer(nil)
	if err := s.Listen(""); err == nil {
		t.Fatal("listen(\"\") ok")
	}
	if err := s.Listen(testName(t)); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.ServerError() != UnknownSocketError || s.ErrorString() != "" {
		t.Fatalf("Differs from Qt: the old error should be gone: %v %q", s.ServerError(), s.ErrorString())
	}
}

// LS-13, fixed: Close removes its own file, but not one that another server
// put at the name after removeServer (Qt deletes it).
func TestCloseKeepsForeignFile_LS13(t *testing.T) {
	name := testName(t)
	a := NewLocalServer(nil)
	if err := a.Listen(name); err != nil {
		t.Fatal(err)
	}
	if err := RemoveServer(name); err != nil {
		t.Fatal(err)
	}
	b := listen(t, name, NoOptions)
	a.Close()
	if _, err := os.Lstat(name); err != nil {
		t.Fatal("Close deleted the other server's socket file")
	}
	connectPair(t, b)
	b.Close()
	if _, err := os.Lstat(name); !os.IsNotExist(err) {
		t.Fatal("Close left its own file")
	}
	// A server that took the name with an access option removes it on
	// close (it created that file), and the displaced one then does not.
	c := listen(t, name, NoOptions)
	d := listen(t, name, UserAccessOption)
	d.Close()
	c.Close()
}

// LS-13: close destroys the pending sockets, not the fetched ones, which
// keep working (tst_qlocalsocket recycleServer reuses the object).
func TestClosePendingAndRecycle_LS13(t *testing.T) {
	s := listen(t, testName(t), NoOptions)
	c1, s1 := connectPair(t, s)
	c2 := NewLocalSocket(nil)
	c2.ConnectToServer(s.FullServerName())
	defer c2.Abort()
	if ok, _ := s.WaitForNewConnection(3000); !ok {
		t.Fatal("no second connection")
	}
	s.Close()
	if s.HasPendingConnections() || s.ServerError() != UnknownSocketError {
		t.Fatal("pending kept")
	}
	if !c2.WaitForDisconnected(3000) {
		t.Fatal("pending socket not destroyed")
	}
	c1.Write([]byte("still"))
	c1.Flush()
	if !s1.WaitForReadyRead(3000) || string(s1.ReadAll()) != "still" {
		t.Fatal("fetched socket broken by Close")
	}
	// recycleServer
	if err := s.Listen(testName(t)); err != nil {
		t.Fatal(err)
	}
	connectPair(t, s)
}

// LS-15 (tst_qlocalsocket verifyListenWithDescriptor): names from the
// adopted socket; an unnamed one reports listening (differs from Qt).
func TestListenDescriptor_LS15(t *testing.T) {
	mk := func(addr string) int {
		fd, _ := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
		if addr != "" {
			if err := unix.Bind(fd, &unix.SockaddrUnix{Name: addr}); err != nil {
				t.Fatal(err)
			}
		}
		unix.Listen(fd, 5)
		return fd
	}
	dir := t.TempDir()
	abs := "qtnet-ld-" + strings.ReplaceAll(dir, "/", "_")
	cases := []struct {
		name, addr, full, short string
		abstract                bool
	}{
		{"normal", dir + "/p", dir + "/p", "p", false},
		{"abstract", "@" + abs, abs, abs, true},
		{"abstractwithslash", "@" + abs + "/x", abs + "/x", abs + "/x", true},
		{"nopath", "", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fd := mk(tc.addr)
			s := NewLocalServer(nil)
			if err := s.ListenDescriptor(fd); err != nil {
				t.Fatal(err)
			}
			if s.FullServerName() != tc.full || s.ServerName() != tc.short || !s.IsListening() ||
				(s.SocketOptions()&AbstractNamespaceOption != 0) != tc.abstract || s.SocketDescriptor() != fd {
				t.Fatalf("%+v", stateOf(s))
			}
			if tc.addr != "" {
				c := NewLocalSocket(nil)
				c.SetSocketOptions(map[bool]SocketOptions{true: AbstractNamespaceOption}[tc.abstract])
				c.ConnectToServer(tc.full)
				if !c.WaitForConnected(1000) {
					t.Fatal(c.ErrorString())
				}
				c.Abort()
			}
			s.Close()
			if s.IsListening() || s.SocketDescriptor() != -1 {
				t.Fatal("still listening")
			}
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil {
				t.Fatal("fd not closed")
			}
			if !tc.abstract && tc.addr != "" {
				if _, err := os.Lstat(tc.addr); !os.IsNotExist(err) {
					t.Fatal("path not removed")
				}
			}
		})
	}
	s := NewLocalServer(nil)
	if err := s.ListenDescriptor(-1); err == nil || s.IsListening() {
		t.Fatal("ListenDescriptor(-1) ok")
	}
	if err := s.ListenDescriptor(1 << 20); !errors.Is(err, syscall.EBADF) || err.Error() != "QLocalServer::listen: Unknown error 9" {
		t.Fatalf("ListenDescriptor(bad) = %v", err)
	}
}

// LS-21 and tst_qlocalsocket removeServer.
func TestRemoveServer_LS21(t *testing.T) {
	dir := t.TempDir()
	if err := RemoveServer(dir + "/absent"); err != nil {
		t.Fatal(err)
	}
	// "" names the temp directory itself, which is not removed (Qt: false).
	if err := RemoveServer(""); err == nil {
		t.Fatal(`RemoveServer("") succeeded`)
	}
	name := dir + "/n"
	a := listen(t, name, NoOptions)
	b := NewLocalServer(nil)
	if err := b.Listen(name); !errors.Is(err, AddressInUseError) {
		t.Fatal(err)
	}
	if err := RemoveServer(name); err != nil {
		t.Fatal(err)
	}
	if err := b.Listen(name); err != nil {
		t.Fatal(err)
	}
	b.Close()
	a.Close()
	os.WriteFile(dir+"/f", nil, 0o600)
	if err := RemoveServer(dir + "/f"); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(dir+"/d", 0o700)
	if err := RemoveServer(dir + "/d"); err == nil || !errors.Is(err, syscall.EISDIR) {
		t.Fatalf("RemoveServer(dir) = %v", err)
	}
}

// Bad input never panics or hangs: nil and zero values, negative max
// pending, calls after Close.
func TestServerBadInput(t *testing.T) {
	var nilServer *LocalServer
	c := logging.StartCapture()
	if nilServer.Listen("x") == nil || nilServer.IsListening() || nilServer.NextPendingConnection() != nil {
		t.Fatal("nil server")
	}
	nilServer.Close()
	ok, to := nilServer.WaitForNewConnection(10)
	if ok || to || c.Count("critical", "nil *LocalServer") == 0 {
		t.Fatal("nil server wait")
	}
	c.Stop()
	var zero LocalServer
	if zero.MaxPendingConnections() != 30 || zero.IsListening() {
		t.Fatal("zero server")
	}
	name := testName(t)
	if err := zero.Listen(name); err != nil {
		t.Fatal(err)
	}
	zero.Close()

	s := NewLocalServer(nil)
	s.SetMaxPendingConnections(-5)
	if err := s.Listen(name); err != nil {
		t.Fatal(err)
	}
	cl := NewLocalSocket(nil)
	cl.ConnectToServer(name)
	defer cl.Abort()
	if ok, _ := s.WaitForNewConnection(3000); !ok {
		t.Fatal("waitForNewConnection must ignore max pending")
	}
	s.Close()
	s.Close()
	if ok, to := s.WaitForNewConnection(10); ok || to || s.NextPendingConnection() != nil {
		t.Fatal("after close")
	}
}

// LS-13: destroying the server closes it (the file goes) and destroys the
// sockets it handed out, which are its children, unless reparented.
func TestDestroyServerDestroysChildren_LS13(t *testing.T) {
	name := testName(t)
	s := NewLocalServer(nil)
	if err := s.Listen(name); err != nil {
		t.Fatal(err)
	}
	c1, _ := connectPair(t, s)
	c2, kept := connectPair(t, s)
	kept.SetParent(nil)
	s.Destroy()
	if s.IsListening() {
		t.Fatal("still listening")
	}
	if _, err := os.Lstat(name); !os.IsNotExist(err) {
		t.Fatal("socket file left")
	}
	if !c1.WaitForDisconnected(3000) {
		t.Fatal("child socket survived its server")
	}
	c2.Write([]byte("x"))
	c2.Flush()
	if !kept.WaitForReadyRead(3000) {
		t.Fatal("reparented socket broken")
	}
}
