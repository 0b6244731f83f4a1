package gio

import (
	"context"
	"net"
	"testing"
)

// BenchmarkSocketPingPong measures one 64-byte round trip between two
// blocking Sockets over loopback TCP (each receive parks in the poller).
func BenchmarkSocketPingPong(b *testing.B) {
	client, server := benchPair(b)
	go func() {
		buf := make([]byte, 64)
		for {
			n, err := server.ReceiveContext(context.Background(), buf)
			if err != nil || n == 0 {
				return
			}
			server.SendContext(context.Background(), buf[:n])
		}
	}()
	msg := make([]byte, 64)
	buf := make([]byte, 64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		client.SendContext(context.Background(), msg)
		for got := 0; got < len(msg); {
			n, err := client.ReceiveContext(context.Background(), buf[got:])
			if err != nil {
				b.Fatal(err)
			}
			got += n
		}
	}
	b.StopTimer()
	client.Close()
	server.Close()
}

// BenchmarkNetConnPingPong is the same round trip with package net, for
// comparison.
func BenchmarkNetConnPingPong(b *testing.B) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 64)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			c.Write(buf[:n])
		}
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	msg := make([]byte, 64)
	buf := make([]byte, 64)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Write(msg)
		for got := 0; got < len(msg); {
			n, err := c.Read(buf[got:])
			if err != nil {
				b.Fatal(err)
			}
			got += n
		}
	}
	b.StopTimer()
	c.Close()
}

func benchPair(b *testing.B) (*Socket, *Socket) {
	l, err := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	l.Bind(loopback(SocketFamilyIPv4), true)
	l.Listen()
	addr, _ := l.LocalAddress()
	c, _ := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
	if err := c.ConnectContext(context.Background(), addr); err != nil {
		b.Fatal(err)
	}
	s, err := l.AcceptContext(context.Background())
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
	l.Bind(loopback(SocketFamilyIPv4), true)
	l.SetListenBacklog(128)
	l.Listen()
	addr, _ := l.LocalAddress()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, _ := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
		if err := c.ConnectContext(context.Background(), addr); err != nil {
			b.Fatal(err)
		}
		a, err := l.AcceptContext(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		a.Close()
		c.Close()
	}
}
