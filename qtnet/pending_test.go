package qtnet

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/logging"
	"github.com/sigloop/sigloop/internal/looptest"
	"github.com/sigloop/sigloop/mainloop"
	"golang.org/x/sys/unix"
)

// spin iterates l's context for d.
func spin(l *looptest.Loop, d time.Duration) {
	done := false
	src := mainloop.NewTimeoutSource(d)
	src.SetCallback(func() bool { done = true; return mainloop.SourceRemove })
	src.Attach(l.Ctx)
	defer src.Destroy()
	for !done {
		l.Ctx.Iteration(true)
	}
}

// LS-17, fixed: with a running loop exactly MaxPendingConnections
// connections are accepted (Qt takes max+2); the rest wait in the kernel
// backlog, their clients already connected, and are accepted as
// NextPendingConnection drains the queue. tst_qlocalsocket
// hitMaximumConnections and multiConnect.
func TestMaxPendingExact_LS17(t *testing.T) {
	for _, max := range []int{0, 1, 3} {
		l := pushLoop(t)
		s := NewLocalServer(nil)
		s.SetMaxPendingConnections(max)
		if err := s.Listen(testName(t)); err != nil {
			t.Fatal(err)
		}
		newConn := 0
		s.NewConnection.Connect(func() { newConn++ })
		const clients = 6
		var cs []*LocalSocket
		for range clients {
			c := NewLocalSocket(nil)
			c.ConnectToServer(s.FullServerName())
			if c.State() != ConnectedState {
				t.Fatalf("client in %v", c.State())
			}
			cs = append(cs, c)
		}
		spin(l, 100*time.Millisecond)
		if newConn != max {
			t.Fatalf("max %d: accepted %d (Differs from Qt: exactly max)", max, newConn)
		}
		got := 0
		for got < clients {
			if max == 0 {
				if ok, _ := s.WaitForNewConnection(1000); !ok {
					t.Fatal("waitForNewConnection with max 0")
				}
			} else {
				l.Until(s.HasPendingConnections)
			}
			s.NextPendingConnection().Abort()
			got++
			spin(l, 5*time.Millisecond)
			s.mu.Lock()
			n := len(s.pending)
			s.mu.Unlock()
			if n > max && max > 0 {
				t.Fatalf("%d pending with max %d", n, max)
			}
		}
		for _, c := range cs {
			c.Abort()
		}
		s.Close()
	}
}

// LS-16, fixed: running out of descriptors does not close the server; it
// logs, records Qt's error, pauses and accepts the waiting clients once
// descriptors are free again.
func TestAcceptErrorBacksOff_LS16(t *testing.T) {
	l := pushLoop(t)
	s := NewLocalServer(nil)
	if err := s.Listen(testName(t)); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := NewLocalSocket(nil)
	c.ConnectToServer(s.FullServerName())
	defer c.Abort()
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	// Find the lowest free descriptor: a limit just below it makes accept fail.
	probe, err := unix.Dup(0)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(probe)
	capture := logging.StartCapture()
	tight := lim
	tight.Cur = uint64(probe)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &tight); err != nil {
		t.Skip("cannot lower RLIMIT_NOFILE:", err)
	}
	spin(l, 30*time.Millisecond)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	recs := capture.Stop()
	if !s.IsListening() {
		t.Fatal("server closed by EMFILE")
	}
	if s.ServerError() != UnknownSocketError || s.ErrorString() != "QLocalSocket::activated: Unknown error 24" {
		t.Fatalf("error %v %q", s.ServerError(), s.ErrorString())
	}
	if len(recs) == 0 || !strings.Contains(recs[0].Message, "Unknown error 24") {
		t.Fatalf("logged %v", recs)
	}
	l.Until(s.HasPendingConnections)
}

// LS-23 (tst_qlocalsocket listenAndConnectAbstractNamespace and
// ...TrailingZeros): abstract only meets abstract; nothing on disk; the
// trailing NULs are part of the name.
func TestAbstractNamespace_LS23(t *testing.T) {
	base := "qtnet-test-" + strings.ReplaceAll(t.TempDir(), "/", "_")
	cases := []struct {
		name        string
		server, cli SocketOptions
		ok          bool
	}{
		{"abs_abs", AbstractNamespaceOption, AbstractNamespaceOption, true},
		{"reg_reg", NoOptions, NoOptions, true},
		{"reg_abs", NoOptions, AbstractNamespaceOption, false},
		{"abs_reg", AbstractNamespaceOption, NoOptions, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := base + tc.name
			s := listen(t, name, tc.server)
			if tc.server == AbstractNamespaceOption {
				if s.FullServerName() != name {
					t.Fatal(s.FullServerName())
				}
				if _, err := os.Lstat(resolveName(name, false)); err == nil {
					t.Fatal("abstract server made a file")
				}
			}
			c := NewLocalSocket(nil)
			c.SetSocketOptions(tc.cli)
			defer c.Abort()
			if c.Open(ReadWrite) {
				t.Fatal("Open without a name")
			}
			c.SetServerName(name)
			if got := c.Open(ReadWrite); got != tc.ok {
				t.Fatalf("Open = %v (%v)", got, c.ErrorString())
			}
			ok, timedOut := s.WaitForNewConnection(100)
			if ok != tc.ok || timedOut == tc.ok {
				t.Fatalf("WaitForNewConnection = %v, %v", ok, timedOut)
			}
		})
	}
	t.Run("trailing_zeros", func(t *testing.T) {
		name := base + "tz\x00"
		s := listen(t, name, AbstractNamespaceOption)
		c := NewLocalSocket(nil)
		c.SetSocketOptions(AbstractNamespaceOption)
		c.ConnectToServer(strings.TrimSuffix(name, "\x00"))
		if c.WaitForConnected(100) {
			t.Fatal("name without the NUL connected")
		}
		c.ConnectToServer(name)
		if !c.WaitForConnected(1000) {
			t.Fatal(c.ErrorString())
		}
		defer c.Abort()
		if ok, _ := s.WaitForNewConnection(1000); !ok {
			t.Fatal("no connection")
		}
		sc := s.NextPendingConnection()
		if sc.FullServerName() != name || sc.SocketOptions()&AbstractNamespaceOption == 0 {
			t.Fatalf("accepted socket names %q", sc.FullServerName())
		}
	})
}

// NUL bytes in a path name are refused (differs from Qt 6, which binds the
// name cut at the NUL and cannot remove it).
func TestNULInPathName(t *testing.T) {
	dir := t.TempDir()
	s := NewLocalServer(nil)
	err := s.Listen(dir + "/a\x00b")
	if !errors.Is(err, HostNotFoundError) {
		t.Fatalf("Listen = %v", err)
	}
	if _, err := os.Lstat(dir + "/a"); err == nil {
		t.Fatal("file made")
	}
	c := NewLocalSocket(nil)
	c.ConnectToServer(dir + "/a\x00b")
	if c.Error() != ServerNotFoundError {
		t.Fatal(c.Error())
	}
}

// LS-22: AbstractNamespaceOption overrides the access options: no file,
// and SocketOptions still reports what was set.
func TestAbstractOverridesAccess_LS22(t *testing.T) {
	name := "qtnet-ls22-" + strings.ReplaceAll(t.TempDir(), "/", "_")
	s := listen(t, name, UserAccessOption|AbstractNamespaceOption)
	if s.SocketOptions() != UserAccessOption|AbstractNamespaceOption || s.FullServerName() != name {
		t.Fatal(s.SocketOptions(), s.FullServerName())
	}
	if _, err := os.Lstat(resolveName(name, false)); err == nil {
		t.Fatal("file made")
	}
}

// LS-16: an adopted descriptor that is not listening cannot be cured by
// waiting: the first accept fails with EINVAL and, as in Qt, the server
// closes with "QLocalSocket::activated: Unknown error 22".
func TestAcceptOnNonListeningSocket_LS16(t *testing.T) {
	l := pushLoop(t)
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := NewLocalServer(nil)
	if err := s.ListenDescriptor(fd); err != nil {
		t.Fatal(err)
	}
	c := logging.StartCapture()
	l.Until(func() bool { return !s.IsListening() })
	c.Stop()
	if s.ServerError() != UnknownSocketError || s.ErrorString() != "QLocalSocket::activated: Unknown error 22" {
		t.Fatalf("%v %q", s.ServerError(), s.ErrorString())
	}
}
