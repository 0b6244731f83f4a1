package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestEchoAndAccept(t *testing.T) {
	for _, mode := range []string{"echo", "accept"} {
		for _, network := range []string{"tcp", "unix"} {
			t.Run(mode+"/"+network, func(t *testing.T) {
				o := options{mode: mode, tcp: "127.0.0.1:0"}
				if network == "unix" {
					o.tcp, o.unix = "", filepath.Join(t.TempDir(), "s.sock")
					if err := os.WriteFile(o.unix, nil, 0o600); err != nil { // a stale file
						t.Fatal(err)
					}
				}
				ln, err := listen(o)
				if err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				wg.Go(func() { serve(ln, mode == "accept", io.Discard) })
				defer wg.Wait()
				defer ln.Close()
				c, err := net.DialTimeout(network, ln.Addr().String(), 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				if mode == "accept" {
					if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
						t.Fatalf("accept mode: read %d, %v; want EOF", n, err)
					}
					return
				}
				want := bytes.Repeat([]byte("0123456789abcdef"), 20000) // several buffers
				go c.Write(want)
				got := make([]byte, len(want))
				if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, want) {
					t.Fatalf("echo: %v, equal=%v", err, bytes.Equal(got, want))
				}
			})
		}
	}
}

func TestListenRefuses(t *testing.T) {
	for _, o := range []options{
		{mode: "echo"},
		{tcp: "127.0.0.1:0", unix: "/tmp/x", mode: "echo"},
		{tcp: "0.0.0.0:0", mode: "echo"},
		{tcp: "localhost:0", mode: "echo"}, // an IP literal is required
		{tcp: "127.0.0.1", mode: "echo"},
		{tcp: "127.0.0.1:0", mode: "flood"},
	} {
		if ln, err := listen(o); !errors.Is(err, errUsage) {
			if ln != nil {
				ln.Close()
			}
			t.Errorf("listen(%+v) = %v, want a usage error", o, err)
		}
	}
}
