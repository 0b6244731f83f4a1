// Command hello is sigloop's demo until the server demos land: a GIO-style
// echo server and client on one main loop, written the way a GLib program
// would be.
//
// The server is a listening gio.Socket watched by a main-loop source; each
// accepted connection is served with ReadAsync/WriteAllAsync. The client
// connects with SocketClient.ConnectToHostAsync, sends a few lines and
// prints what comes back. A Cancellable with a timeout guards the whole run,
// and SIGINT/SIGTERM quit the loop. Everything runs on the main context's
// goroutine; the sockets' waiting is done by Go's runtime poller.
package main

import (
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/cancellable"
	"github.com/sigloop/sigloop/gio"
	"github.com/sigloop/sigloop/mainloop"
)

func main() {
	timeout := flag.Duration("timeout", 10*time.Second, "give up after this long")
	flag.Parse()
	if err := run(*timeout); err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
}

func run(timeout time.Duration) error {
	loop := mainloop.New(nil)
	cancel := cancellable.New()
	var failure error
	fail := func(err error) {
		if failure == nil {
			failure = err
		}
		loop.Quit()
	}

	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		if _, err := mainloop.UnixSignalAdd(sig, func() bool { cancel.Cancel(); loop.Quit(); return mainloop.SourceRemove }); err != nil {
			return err
		}
	}
	mainloop.TimeoutAddOnce(timeout, func() { fail(fmt.Errorf("timed out after %v", timeout)); cancel.Cancel() })

	listener, err := listen()
	if err != nil {
		return err
	}
	defer listener.Close()
	local, err := listener.LocalAddress()
	if err != nil {
		return err
	}
	fmt.Println("listening on", local)

	// The server: accept whenever the listening socket is readable.
	src := listener.CreateSource(mainloop.IOIn, cancel, func(s *gio.Socket, cond mainloop.IOCondition) bool {
		conn, err := s.Accept(cancel)
		if err != nil {
			fail(err)
			return mainloop.SourceRemove
		}
		serve(gio.NewSocketConnection(conn), cancel)
		return mainloop.SourceContinue
	})
	src.Attach(nil)
	defer src.Destroy()

	// The client.
	lines := []string{"hello, sigloop", "signals and slots", "bye"}
	client := gio.NewSocketClient()
	client.ConnectToHostAsync(local.String(), 0, cancel, func(_ any, res asyncresult.AsyncResult) {
		conn, err := client.ConnectToHostFinish(res)
		if err != nil {
			fail(err)
			return
		}
		talk(conn, lines, cancel, func(err error) {
			conn.Close()
			if err != nil {
				fail(err)
				return
			}
			loop.Quit()
		})
	})

	loop.Run()
	return failure
}

func listen() (*gio.Socket, error) {
	s, err := gio.NewSocket(gio.SocketFamilyIPv4, gio.SocketTypeStream, gio.SocketProtocolDefault)
	if err != nil {
		return nil, err
	}
	addr, err := gio.NewInetSocketAddressFromString("127.0.0.1", 0)
	if err == nil {
		err = s.Bind(addr, true)
	}
	if err == nil {
		err = s.Listen()
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// serve echoes one connection: read, write it all back, read again, until EOF.
func serve(conn *gio.SocketConnection, cancel *cancellable.Cancellable) {
	buf := make([]byte, 64*1024)
	in, out := conn.InputStream(), conn.OutputStream()
	var readMore func()
	readMore = func() {
		in.ReadAsync(buf, mainloop.PriorityDefault, cancel, func(_ any, res asyncresult.AsyncResult) {
			n, err := in.ReadFinish(res)
			if err != nil || n == 0 {
				conn.Close()
				return
			}
			out.WriteAllAsync(buf[:n], mainloop.PriorityDefault, cancel, func(_ any, res asyncresult.AsyncResult) {
				if _, err := out.WriteAllFinish(res); err != nil {
					conn.Close()
					return
				}
				readMore()
			})
		})
	}
	readMore()
}

// talk sends each line and reads its echo, then calls done.
func talk(conn *gio.SocketConnection, lines []string, cancel *cancellable.Cancellable, done func(error)) {
	if len(lines) == 0 {
		done(nil)
		return
	}
	in, out := conn.InputStream(), conn.OutputStream()
	line := []byte(lines[0])
	out.WriteAllAsync(line, mainloop.PriorityDefault, cancel, func(_ any, res asyncresult.AsyncResult) {
		if _, err := out.WriteAllFinish(res); err != nil {
			done(err)
			return
		}
		echo := make([]byte, len(line))
		in.ReadAllAsync(echo, mainloop.PriorityDefault, cancel, func(_ any, res asyncresult.AsyncResult) {
			n, err := in.ReadAllFinish(res)
			if err != nil {
				done(err)
				return
			}
			fmt.Printf("sent %q, got back %q\n", line, echo[:n])
			talk(conn, lines[1:], cancel, done)
		})
	})
}
