package gio

import (
	"io"
	"net"
	"testing"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/internal/racedetect"
	"github.com/sigloop/sigloop/mainloop"
)

// Round trips of 64 bytes through a server goroutine that echoes with the
// blocking stream calls.
func benchEchoPeer(b testing.TB, network string) (client *SocketConnection) {
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

// asyncEcho is the round trip with WriteAllAsync / ReadAllAsync on a main
// loop pushed as the thread default, against a peer echoing with the
// blocking calls: the cost of the pollable path and of the task delivery.
func asyncEcho(tb testing.TB, network string) roundTripper {
	client := benchEchoPeer(tb, network)
	l := newTestLoop(tb)
	in, out := client.InputStream(), client.OutputStream()
	buf := make([]byte, 64)
	var done bool
	var rerr error
	var readDone asyncresult.ReadyCallback = func(_ any, res asyncresult.AsyncResult) {
		_, rerr = in.ReadAllFinish(res)
		done = true
	}
	var wrote asyncresult.ReadyCallback = func(_ any, res asyncresult.AsyncResult) {
		if _, rerr = out.WriteAllFinish(res); rerr != nil {
			done = true
			return
		}
		in.ReadAllAsync(buf, mainloop.PriorityDefault, nil, readDone)
	}
	return roundTripper{
		rt: func() error {
			done, rerr = false, nil
			out.WriteAllAsync(buf, mainloop.PriorityDefault, nil, wrote)
			for !done {
				l.ctx.Iteration(true)
			}
			return rerr
		},
		stop: func() {},
	}
}

// BenchmarkStreamRoundTripAsync measures that round trip against package
// net's blocking round trip in the same run (see benchVsNet).
func BenchmarkStreamRoundTripAsync(b *testing.B) {
	for _, network := range []string{"tcp4", "unix"} {
		b.Run(network, func(b *testing.B) { benchVsNet(b, asyncEcho(b, network)) })
	}
}

// maxAsyncRoundTripAllocs is what one async 64-byte round trip
// (WriteAllAsync then ReadAllAsync, each delivered on the loop) may
// allocate, the peer's blocking echo included: the two pollable ops, each
// with its result (2), and the socket source of a read that has to wait:
// its state, the mainloop.Source, and its fd watch with the list that
// holds it (3). A read that finds its data at once makes no source; the
// write, done at once, is delivered through mainloop.Context.PostData
// without an allocation.
const maxAsyncRoundTripAllocs = 5

// TestAsyncRoundTripAllocs pins maxAsyncRoundTripAllocs: 20 before the
// socket sources lost their prepare and check functions and their
// callback closure, and the task delivery its idle source; 16 before the
// streams' callback wrappers and the tasks' property tables went; 12
// before the socket source became a mainloop.SourceHandler, its first
// watch came with its list, and a dispatch stopped allocating its list of
// sources to finalize; 8 before a task's delivery was posted with
// PostData instead of a method value; 7 before the ops' results were
// embedded asyncresult.Results rather than Tasks of their own.
func TestAsyncRoundTripAllocs(t *testing.T) {
	if racedetect.Enabled {
		t.Skip("the race detector allocates")
	}
	for _, network := range []string{"tcp4", "unix"} {
		t.Run(network, func(t *testing.T) {
			g := asyncEcho(t, network)
			defer g.stop()
			for range 50 {
				if err := g.rt(); err != nil {
					t.Fatal(err)
				}
			}
			if n := testing.AllocsPerRun(300, func() { _ = g.rt() }); n > maxAsyncRoundTripAllocs {
				t.Errorf("%.2f allocations per async round trip, want at most %d", n, maxAsyncRoundTripAllocs)
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
