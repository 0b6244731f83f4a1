package main

import (
	"bytes"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/leakcheck"
	"github.com/sigloop/sigloop/internal/looptest"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestEchoAndAcceptModes(t *testing.T) {
	for _, mode := range []string{"echo", "accept"} {
		for _, network := range []string{"tcp", "unix"} {
			t.Run(mode+"/"+network, func(t *testing.T) {
				ctx := looptest.Run(t)
				o := options{mode: mode, backlog: 16, tcp: "127.0.0.1:0"}
				if network == "unix" {
					o.tcp, o.unix = "", filepath.Join(t.TempDir(), "echo.sock")
				}
				var srv *server
				var err error
				looptest.On(ctx, func() { srv, err = newServer(o, ctx) })
				if err != nil {
					t.Fatal(err)
				}
				defer looptest.On(ctx, srv.close)
				c, err := net.DialTimeout(network, srv.addr, 10*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				if mode == "accept" {
					if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
						t.Fatalf("accept mode: read %d, %v; want EOF", n, err)
					}
					return
				}
				want := bytes.Repeat([]byte("sigloop!"), 40000) // several 64 KiB buffers
				go func() { _, _ = c.Write(want) }()
				got := make([]byte, len(want))
				if _, err := io.ReadFull(c, got); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatal("echo differs")
				}
			})
		}
	}
}

func TestBadOptions(t *testing.T) {
	for _, o := range []options{
		{mode: "echo"},
		{mode: "echo", tcp: "127.0.0.1:1", unix: "/tmp/x"},
		{mode: "chat", tcp: "127.0.0.1:1"},
		{mode: "echo", tcp: "10.1.2.3:80"},
		{mode: "echo", tcp: "127.0.0.1"},
		{mode: "echo", tcp: "localhost:80"},
	} {
		if srv, err := newServer(o, nil); err == nil {
			srv.close()
			t.Errorf("%+v: no error", o)
		}
	}
}
