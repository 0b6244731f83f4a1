package tests

import (
	"bytes"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The harness itself, checked with Go's own net package so that a broken
// peer script is not mistaken for a sigloop bug.

func TestHarnessGLibEchoServer(t *testing.T) {
	cases := []struct{ name, network, listen string }{
		{"tcp4", "tcp", "127.0.0.1:0"},
		{"tcp6", "tcp", "[::1]:0"},
		{"unix", "unix", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			arg := []string{"--tcp", tc.listen}
			if tc.network == "unix" {
				arg = []string{"--unix", filepath.Join(t.TempDir(), "echo.sock")}
			}
			srv := startPeer(t, "glib_echo_server.py", arg...)
			addr := srv.Listening()
			c, err := net.DialTimeout(tc.network, addr, peerTimeout)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(peerTimeout))
			want := bytes.Repeat([]byte("0123456789"), 10000)
			go func() { _, _ = c.Write(want) }()
			got := make([]byte, len(want))
			if _, err := io.ReadFull(c, got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatal("echo differs")
			}
			c.Close()
			if l := srv.Line(); l != "done "+strconv.Itoa(len(want)) {
				t.Fatalf("server said %q", l)
			}
		})
	}
}

func TestHarnessGLibClient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	served := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		defer c.Close()
		_, err = io.Copy(c, c)
		served <- err
	}()
	cl := startPeer(t, "glib_client.py", "--tcp", ln.Addr().String(), "--message", "abc", "--message", "defgh")
	line := cl.Line()
	if err := cl.Wait(); err != nil {
		t.Fatalf("client exit: %v (%q)", err, line)
	}
	if want := "ok 8 events=0,1,2,3,8"; line != want {
		t.Fatalf("client said %q, want %q", line, want)
	}
	if err := <-served; err != nil {
		t.Fatal(err)
	}
}

func TestHarnessStopKillsPeer(t *testing.T) {
	srv := startPeer(t, "glib_echo_server.py", "--tcp", "127.0.0.1:0")
	addr := srv.Listening()
	srv.Stop()
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("peer still accepting after Stop: %v", err)
	}
	if exitStatus(srv.err) != 0 {
		t.Fatalf("peer exit %v", srv.err)
	}
}
