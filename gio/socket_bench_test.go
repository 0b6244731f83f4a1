package gio

import (
	"io"
	"net"
	"testing"
	"time"
)

// roundTripper does one 64-byte round trip against an echo peer.
type roundTripper struct {
	rt   func() error
	stop func()
}

// netEcho is the baseline: package net on both ends, loopback TCP.
func netEcho(b testing.TB) roundTripper {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = io.Copy(c, c)
	}()
	c, err := net.Dial("tcp4", l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	msg, buf := make([]byte, 64), make([]byte, 64)
	return roundTripper{
		rt: func() error {
			if _, err := c.Write(msg); err != nil {
				return err
			}
			_, err := io.ReadFull(c, buf)
			return err
		},
		stop: func() { c.Close(); l.Close(); <-done },
	}
}

// socketEcho: blocking Socket.Send/Receive on both ends.
func socketEcho(b testing.TB) roundTripper {
	client, server := benchPair(b)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64)
		for {
			n, err := server.Receive(buf, nil)
			if err != nil || n == 0 {
				return
			}
			if _, err := server.Send(buf[:n], nil); err != nil {
				return
			}
		}
	}()
	msg, buf := make([]byte, 64), make([]byte, 64)
	return roundTripper{
		rt: func() error {
			if _, err := client.Send(msg, nil); err != nil {
				return err
			}
			for got := 0; got < len(buf); {
				n, err := client.Receive(buf[got:], nil)
				if err != nil {
					return err
				}
				got += n
			}
			return nil
		},
		stop: func() { client.Close(); <-done; server.Close() },
	}
}

// streamEcho: GLib-style WriteAll/ReadAll on the connections' streams.
func streamEcho(b testing.TB) roundTripper {
	client, server := connPair(b, "tcp4")
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64)
		for {
			if n, err := server.InputStream().ReadAll(buf, nil); err != nil || n == 0 {
				return
			}
			if _, err := server.OutputStream().WriteAll(buf, nil); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 64)
	return roundTripper{
		rt: func() error {
			if _, err := client.OutputStream().WriteAll(buf, nil); err != nil {
				return err
			}
			_, err := client.InputStream().ReadAll(buf, nil)
			return err
		},
		stop: func() { client.Close(); <-done; server.Close() },
	}
}

// netConnEcho: the SocketConnection used as a net.Conn on both ends.
func netConnEcho(b testing.TB) roundTripper {
	client, server := connPair(b, "tcp4")
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(server, io.Reader(server))
	}()
	msg, buf := make([]byte, 64), make([]byte, 64)
	var c net.Conn = client
	return roundTripper{
		rt: func() error {
			if _, err := c.Write(msg); err != nil {
				return err
			}
			_, err := io.ReadFull(c, buf)
			return err
		},
		stop: func() { client.Close(); <-done; server.Close() },
	}
}

// BenchmarkRoundTripVsNet measures a 64-byte round trip over loopback TCP
// through each gio API against package net in the same run: every
// iteration does one gio round trip and one net round trip, timed
// separately, so load on the machine hits both alike. Metrics:
// "gio/net" is the time ratio; "gio-allocs/rt" and "net-allocs/rt" count
// allocations per round trip, both ends included (testing.AllocsPerRun).
func BenchmarkRoundTripVsNet(b *testing.B) {
	for _, tc := range []struct {
		name  string
		setup func(testing.TB) roundTripper
	}{
		{"Socket", socketEcho},
		{"Stream", streamEcho},
		{"NetConn", netConnEcho},
	} {
		b.Run(tc.name, func(b *testing.B) { benchVsNet(b, tc.setup(b)) })
	}
}

// benchVsNet times g's round trip against netEcho's in the same loop, one
// of each per iteration, timed separately, so load on the machine hits both
// alike, and reports "gio/net" (the time ratio), "gio-allocs/rt" and
// "net-allocs/rt" (testing.AllocsPerRun, both ends included).
func benchVsNet(b *testing.B, g roundTripper) {
	n := netEcho(b)
	defer g.stop()
	defer n.stop()
	for range 100 { // warm up both paths
		if g.rt() != nil || n.rt() != nil {
			b.Fatal("warm-up round trip failed")
		}
	}
	ga := testing.AllocsPerRun(200, func() { _ = g.rt() })
	na := testing.AllocsPerRun(200, func() { _ = n.rt() })
	var tg, tn time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := g.rt(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := n.rt(); err != nil {
			b.Fatal(err)
		}
		tg += t1.Sub(t0)
		tn += time.Since(t1)
	}
	b.ReportMetric(float64(tg)/float64(tn), "gio/net")
	b.ReportMetric(ga, "gio-allocs/rt")
	b.ReportMetric(na, "net-allocs/rt")
}

func benchPair(b testing.TB) (*Socket, *Socket) {
	l, err := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	if err := l.Bind(loopback(SocketFamilyIPv4), true); err != nil {
		b.Fatal(err)
	}
	if err := l.Listen(); err != nil {
		b.Fatal(err)
	}
	addr, _ := l.LocalAddress()
	c, _ := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	if err := c.Connect(addr, nil); err != nil {
		b.Fatal(err)
	}
	s, err := l.Accept(nil)
	if err != nil {
		b.Fatal(err)
	}
	return c, s
}

// BenchmarkConnectAccept measures one blocking connect plus accept plus two
// closes over loopback TCP.
func BenchmarkConnectAccept(b *testing.B) {
	l, err := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	if err := l.Bind(loopback(SocketFamilyIPv4), true); err != nil {
		b.Fatal(err)
	}
	l.SetListenBacklog(128)
	if err := l.Listen(); err != nil {
		b.Fatal(err)
	}
	addr, _ := l.LocalAddress()
	b.ReportAllocs()
	for b.Loop() {
		c, _ := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
		if err := c.Connect(addr, nil); err != nil {
			b.Fatal(err)
		}
		a, err := l.Accept(nil)
		if err != nil {
			b.Fatal(err)
		}
		a.Close()
		c.Close()
	}
}

// BenchmarkNewSocket measures NewSocket plus Close (allocations are the
// point: every accepted connection pays the same construction).
func BenchmarkNewSocket(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s, err := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkNewSocketConnection measures NewSocket, the connection factory
// (a TCPConnection) and Close.
func BenchmarkNewSocketConnection(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s, err := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
		if err != nil {
			b.Fatal(err)
		}
		_ = NewSocketConnection(s).Close()
	}
}

// TestRoundTripAllocs_SOCK8 holds the allocation-free claim of the
// package doc: a blocking 64-byte round trip through Socket Send/Receive,
// the GLib streams or net.Conn allocates nothing, on either end.
func TestRoundTripAllocs_SOCK8(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	for _, tc := range []struct {
		name  string
		setup func(testing.TB) roundTripper
	}{
		{"Socket", socketEcho},
		{"Stream", streamEcho},
		{"NetConn", netConnEcho},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := tc.setup(t)
			defer g.stop()
			for range 50 {
				if err := g.rt(); err != nil {
					t.Fatal(err)
				}
			}
			if n := testing.AllocsPerRun(500, func() { _ = g.rt() }); n >= 1 {
				t.Errorf("%.2f allocations per round trip, want 0", n)
			}
		})
	}
}
