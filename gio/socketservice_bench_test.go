package gio

import (
	"errors"
	"io"
	"net"
	"testing"

	"github.com/sigloop/sigloop/internal/looptest"
	"github.com/sigloop/sigloop/mainloop"
)

// benchAccept measures accept-and-close per connection against a server
// started by start on a loop of its own: the client connects and waits for
// the server's EOF, as the anchor harness's accept-4c does, one at a time.
func benchAccept(b *testing.B, start func(ctx *mainloop.Context) (addr string, stop func())) {
	ctx := looptest.Run(b)
	var addr string
	var stop func()
	looptest.On(ctx, func() { addr, stop = start(ctx) })
	defer looptest.On(ctx, stop)
	one := make([]byte, 1)
	b.ResetTimer()
	for b.Loop() {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Read(one); !errors.Is(err, io.EOF) {
			b.Fatal(err)
		}
		c.Close()
	}
}

// BenchmarkAcceptClose compares SocketService's accept path with its
// baseline, a bare Socket accept source (what demo/gioecho --socket does):
// the service must add no cost of its own beyond the emission.
func BenchmarkAcceptClose(b *testing.B) {
	b.Run("baseline=socket-source", func(b *testing.B) {
		benchAccept(b, func(ctx *mainloop.Context) (string, func()) {
			l, _ := NewSocket(SocketFamilyIPv4, SocketTypeStream, SocketProtocolDefault)
			l.SetListenBacklog(128)
			l.SetBlocking(false)
			if err := l.Bind(loopback4(), true); err != nil {
				b.Fatal(err)
			}
			if err := l.Listen(); err != nil {
				b.Fatal(err)
			}
			src := l.CreateSource(mainloop.IOIn, nil, func(ls *Socket, _ mainloop.IOCondition) bool {
				for {
					c, err := ls.Accept(nil)
					if err != nil {
						return !errors.Is(err, ErrClosed)
					}
					NewSocketConnection(c).Close()
				}
			})
			src.Attach(ctx)
			a, _ := l.LocalAddress()
			return a.String(), func() { src.Destroy(); l.Close() }
		})
	})
	b.Run("service", func(b *testing.B) {
		benchAccept(b, func(ctx *mainloop.Context) (string, func()) {
			s := NewSocketService()
			s.SetBacklog(128)
			s.Incoming.Connect(func(*SocketConnection, any) bool { return true })
			a := addLoopback4(b, s)
			return a.String(), func() { s.Stop(); s.Close() }
		})
	})
}
