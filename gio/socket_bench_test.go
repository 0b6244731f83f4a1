package gio

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/sigloop/sigloop/internal/racedetect"
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
	return roundTripper{rt: connRoundTrip(c), stop: func() { c.Close(); l.Close(); <-done }}
}

// connRoundTrip writes 64 bytes to c and reads the 64 echoed.
func connRoundTrip(c net.Conn) func() error {
	msg, buf := make([]byte, 64), make([]byte, 64)
	return func() error {
		if _, err := c.Write(msg); err != nil {
			return err
		}
		_, err := io.ReadFull(c, buf)
		return err
	}
}

// echoing starts serve, an echo server's loop that returns once client is
// closed, on its own goroutine; stop closes client, waits for serve and
// closes server.
func echoing(client, server io.Closer, serve func(), rt func() error) roundTripper {
	done := make(chan struct{})
	go func() {
		defer close(done)
		serve()
	}()
	return roundTripper{rt: rt, stop: func() { client.Close(); <-done; server.Close() }}
}

// socketEcho: blocking Socket.Send/Receive on both ends.
func socketEcho(b testing.TB) roundTripper {
	client, server := benchPair(b)
	msg, buf := make([]byte, 64), make([]byte, 64)
	return echoing(client, server, func() {
		// Same shape as gioecho's copy loop (demo/gioecho/main.go): kept
		// separate because this one measures Socket's Receive/Send, the
		// demo's the streams' Read/WriteAll.
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
	}, func() error {
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
	})
}

// streamEcho: GLib-style WriteAll/ReadAll on the connections' streams.
func streamEcho(b testing.TB) roundTripper {
	client, server := connPair(b, "tcp4")
	buf := make([]byte, 64)
	return echoing(client, server, func() {
		buf := make([]byte, 64)
		for {
			if n, err := server.InputStream().ReadAll(buf, nil); err != nil || n == 0 {
				return
			}
			if _, err := server.OutputStream().WriteAll(buf, nil); err != nil {
				return
			}
		}
	}, func() error {
		if _, err := client.OutputStream().WriteAll(buf, nil); err != nil {
			return err
		}
		_, err := client.InputStream().ReadAll(buf, nil)
		return err
	})
}

// netConnEcho: the SocketConnection used as a net.Conn on both ends.
func netConnEcho(b testing.TB) roundTripper {
	client, server := connPair(b, "tcp4")
	return echoing(client, server, func() { _, _ = io.Copy(server, io.Reader(server)) }, connRoundTrip(client))
}

// echoPeers are the gio APIs the round-trip benchmark and allocation test
// measure.
var echoPeers = []struct {
	name  string
	setup func(testing.TB) roundTripper
}{
	{"Socket", socketEcho},
	{"Stream", streamEcho},
	{"NetConn", netConnEcho},
}

// BenchmarkRoundTripVsNet measures a 64-byte round trip over loopback TCP
// through each gio API against package net in the same run: every
// iteration does one gio round trip and one net round trip, timed
// separately, so load on the machine hits both alike. Metrics:
// "gio/net" is the time ratio; "gio-allocs/rt" and "net-allocs/rt" count
// allocations per round trip, both ends included (testing.AllocsPerRun).
func BenchmarkRoundTripVsNet(b *testing.B) {
	for _, tc := range echoPeers {
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

// benchPair is a connected client and the server's accepted socket over
// loopback TCP; the listener is closed before it returns.
func benchPair(b testing.TB) (*Socket, *Socket) {
	l, addr := listenLoopback(b, SocketFamilyIPv4)
	defer l.Close()
	return connectAccept(b, l, addr)
}

// connectAccept is one blocking connect to addr plus the accept of it on l.
func connectAccept(b testing.TB, l *Socket, addr SocketAddress) (client, server *Socket) {
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
	l := newSock(b, SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	l.SetListenBacklog(128)
	addr, err := bindAndListen(b, l, loopback(SocketFamilyIPv4), true)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c, a := connectAccept(b, l, addr)
		a.Close()
		c.Close()
	}
}

// BenchmarkNewSocket measures NewSocket plus Close (allocations are the
// point: every accepted connection pays the same construction).
func BenchmarkNewSocket(b *testing.B) { benchNewSocket(b, func(s *Socket) { s.Close() }) }

// BenchmarkNewSocketConnection measures NewSocket, the connection factory
// (a TCPConnection) and Close.
func BenchmarkNewSocketConnection(b *testing.B) {
	benchNewSocket(b, func(s *Socket) { _ = NewSocketConnection(s).Close() })
}

// benchNewSocket measures NewSocket and end, which closes the socket.
func benchNewSocket(b *testing.B, end func(*Socket)) {
	b.ReportAllocs()
	for b.Loop() {
		s, err := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
		if err != nil {
			b.Fatal(err)
		}
		end(s)
	}
}

// TestRoundTripAllocs_SOCK8 holds the allocation-free claim of the
// package doc: a blocking 64-byte round trip through Socket Send/Receive,
// the GLib streams or net.Conn allocates nothing, on either end.
func TestRoundTripAllocs_SOCK8(t *testing.T) {
	if racedetect.Enabled {
		t.Skip("the race detector allocates")
	}
	for _, tc := range echoPeers {
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
