package gio

import (
	"io"
	"net"
	"testing"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/mainloop"
)

// Round trips of 64 bytes through a server goroutine that echoes with the
// blocking stream calls.
func benchEchoPeer(b *testing.B, network string) (client *SocketConnection) {
	client, server := connPair(b, network)
	go func() {
		buf := make([]byte, 64)
		for {
			if _, err := server.InputStream().ReadAll(buf, nil); err != nil {
				return
			}
			if _, err := server.OutputStream().WriteAll(buf, nil); err != nil {
				return
			}
		}
	}()
	return client
}

func BenchmarkStreamRoundTripSync(b *testing.B) {
	for _, network := range []string{"tcp4", "unix"} {
		b.Run(network, func(b *testing.B) {
			client := benchEchoPeer(b, network)
			buf := make([]byte, 64)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.OutputStream().WriteAll(buf, nil); err != nil {
					b.Fatal(err)
				}
				if _, err := client.InputStream().ReadAll(buf, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The same round trip with WriteAllAsync / ReadAllAsync on a main loop: the
// cost of the goroutine hand-off and the task delivery.
func BenchmarkStreamRoundTripAsync(b *testing.B) {
	for _, network := range []string{"tcp4", "unix"} {
		b.Run(network, func(b *testing.B) {
			client := benchEchoPeer(b, network)
			l := newTestLoop(b)
			buf := make([]byte, 64)
			var done bool
			var readDone asyncresult.ReadyCallback = func(_ any, res asyncresult.AsyncResult) {
				if _, err := client.InputStream().ReadAllFinish(res); err != nil {
					b.Error(err)
				}
				done = true
			}
			var wrote asyncresult.ReadyCallback = func(_ any, res asyncresult.AsyncResult) {
				if _, err := client.OutputStream().WriteAllFinish(res); err != nil {
					b.Error(err)
				}
				client.InputStream().ReadAllAsync(buf, mainloop.PriorityDefault, nil, readDone)
			}
			b.ReportAllocs()
			for b.Loop() {
				done = false
				client.OutputStream().WriteAllAsync(buf, mainloop.PriorityDefault, nil, wrote)
				for !done {
					l.ctx.Iteration(true)
				}
			}
		})
	}
}

// net.Conn throughput: 64 KiB writes copied to a discarding reader.
func BenchmarkNetConnThroughput(b *testing.B) {
	client, server := connPair(b, "tcp4")
	var c net.Conn = client
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(io.Discard, server)
	}()
	buf := make([]byte, 64<<10)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	_ = client.Close()
	<-done
}
