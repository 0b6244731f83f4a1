// Command localecho is a qtnet demo and the qtnet target of sigloop's
// anchor harness: a LocalServer echo (or accept-and-close) server, and a
// LocalSocket client that checks every byte.
//
// Server (the anchors' shared command line, plus Qt's naming):
//
//	localecho --unix PATH | --name NAME [--abstract] [--options user+group+other|world] [--mode echo|accept]
//
// --unix is a path, --name a Qt server name (resolved in $TMPDIR or /tmp,
// or an abstract name with --abstract). A stale socket file at the name is
// removed first. It prints "listening on FULLSERVERNAME" when ready, echoes
// every byte until the client's EOF (mode echo) or closes each connection
// at once (mode accept), and on SIGINT or SIGTERM closes the server (which
// removes its socket file) and exits 0.
//
// Client:
//
//	localecho --connect NAME [--abstract] --count N --size BYTES [--conns C]
//
// opens C connections (default 1), and on each does N round trips of
// BYTES random bytes, checking every byte of every echo; it prints
// "P passed, F failed" (round trips) and exits 1 if any failed.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/sigloop/sigloop/mainloop"
	"github.com/sigloop/sigloop/qtnet"
)

const echoBufSize = 64 * 1024 // as the anchors' echo servers

type config struct {
	unix, name, mode, options, connect, tcp string
	abstract                                bool
	count, size, conns                      int
	timeout                                 time.Duration
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("localecho", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.unix, "unix", "", "listen on this socket path")
	fs.StringVar(&c.name, "name", "", "listen on this Qt server name")
	fs.StringVar(&c.tcp, "tcp", "", "refused: QLocalServer has no TCP mode")
	fs.BoolVar(&c.abstract, "abstract", false, "use the abstract namespace (AbstractNamespaceOption)")
	fs.StringVar(&c.options, "options", "", "socket options: user, group, other, world, joined with +")
	fs.StringVar(&c.mode, "mode", "echo", "echo: write back every byte; accept: close each connection at once")
	fs.StringVar(&c.connect, "connect", "", "client mode: connect to this server name")
	fs.IntVar(&c.count, "count", 100, "client: round trips per connection")
	fs.IntVar(&c.size, "size", 1024, "client: bytes per round trip")
	fs.IntVar(&c.conns, "conns", 1, "client: connections")
	fs.DurationVar(&c.timeout, "timeout", 60*time.Second, "client: give up after this long")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.tcp != "":
		return c, errors.New("QLocalServer has no TCP mode; use --unix or --name")
	case c.connect != "":
		if c.unix != "" || c.name != "" {
			return c, errors.New("--connect is the client mode; it takes no --unix or --name")
		}
		if c.count < 0 || c.size <= 0 || c.conns <= 0 {
			return c, errors.New("--count must be >= 0, --size and --conns > 0")
		}
	case (c.unix == "") == (c.name == ""):
		return c, errors.New("give one of --unix PATH, --name NAME or --connect NAME")
	case c.mode != "echo" && c.mode != "accept":
		return c, fmt.Errorf("--mode must be echo or accept, not %q", c.mode)
	case c.unix != "" && c.abstract:
		return c, errors.New("--abstract goes with --name")
	}
	return c, nil
}

// parseOptions turns "user+group" into SocketOptions.
func parseOptions(s string) (qtnet.SocketOptions, error) {
	var o qtnet.SocketOptions
	if s == "" {
		return o, nil
	}
	for _, part := range strings.Split(s, "+") {
		switch part {
		case "user":
			o |= qtnet.UserAccessOption
		case "group":
			o |= qtnet.GroupAccessOption
		case "other":
			o |= qtnet.OtherAccessOption
		case "world":
			o |= qtnet.WorldAccessOption
		default:
			return 0, fmt.Errorf("unknown socket option %q (want user, group, other, world joined with +)", part)
		}
	}
	return o, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	c, err := parse(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "localecho:", err)
		}
		return 2
	}
	if c.connect != "" {
		return runClient(c, stdout, stderr)
	}
	return runServer(c, stdout, stderr)
}

func runServer(c config, stdout, stderr io.Writer) int {
	opts, err := parseOptions(c.options)
	if err != nil {
		fmt.Fprintln(stderr, "localecho:", err)
		return 2
	}
	if c.abstract {
		opts |= qtnet.AbstractNamespaceOption
	}
	name := c.unix
	if name == "" {
		name = c.name
	}
	if !c.abstract {
		_ = qtnet.RemoveServer(name) // a stale socket file, if any
	}
	srv := qtnet.NewLocalServer(nil)
	srv.SetSocketOptions(opts)
	if err := srv.Listen(name); err != nil {
		fmt.Fprintf(stderr, "localecho: listen(%s): %v\n", name, err)
		return 1
	}
	defer srv.Close() // removes the socket file
	acceptOnly := c.mode == "accept"
	srv.NewConnection.Connect(func() {
		for s := srv.NextPendingConnection(); s != nil; s = srv.NextPendingConnection() {
			s.Disconnected.Connect(s.DeleteLater)
			if acceptOnly {
				s.Close()
				continue
			}
			serveEcho(s)
		}
	})
	loop := mainloop.New(nil)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		if _, err := mainloop.UnixSignalAdd(sig, func() bool { loop.Quit(); return mainloop.SourceContinue }); err != nil {
			fmt.Fprintln(stderr, "localecho:", err)
			return 1
		}
	}
	fmt.Fprintln(stdout, "listening on", srv.FullServerName())
	loop.Run()
	return 0
}

// serveEcho writes back what arrives, from the readyRead handler.
func serveEcho(s *qtnet.LocalSocket) {
	buf := make([]byte, echoBufSize)
	s.ReadyRead.Connect(func() {
		for s.BytesAvailable() > 0 {
			n, err := s.Read(buf)
			if err != nil {
				return
			}
			s.Write(buf[:n])
		}
	})
}

// client is one connection's round trips, driven by its signals.
type client struct {
	sock     *qtnet.LocalSocket
	want     []byte
	got      []byte
	left     int
	rng      *rand.Rand
	pass     int
	fail     int
	inFlight bool
	finished bool
}

// unfinished is how many round trips will not happen (or complete) now.
func (cl *client) unfinished() int {
	n := cl.left
	if cl.inFlight {
		n++
	}
	return n
}

func runClient(c config, stdout, stderr io.Writer) int {
	loop := mainloop.New(nil)
	pending := c.conns
	clients := make([]*client, c.conns)
	done := func() {
		pending--
		if pending == 0 {
			loop.Quit()
		}
	}
	for i := range clients {
		cl := &client{sock: qtnet.NewLocalSocket(nil), left: c.count,
			rng: rand.New(rand.NewPCG(uint64(i), 42)), want: make([]byte, c.size)}
		clients[i] = cl
		finish := func() {
			if !cl.finished {
				cl.finished = true
				done()
			}
		}
		next := func() {
			if cl.left == 0 {
				cl.sock.DisconnectFromServer()
				finish()
				return
			}
			cl.left--
			for j := range cl.want {
				cl.want[j] = byte(cl.rng.Uint32())
			}
			cl.got = cl.got[:0]
			cl.inFlight = true
			cl.sock.Write(cl.want)
		}
		cl.sock.ReadyRead.Connect(func() {
			cl.got = append(cl.got, cl.sock.ReadAll()...)
			if len(cl.got) < len(cl.want) {
				return
			}
			cl.inFlight = false
			if bytes.Equal(cl.got, cl.want) {
				cl.pass++
			} else {
				cl.fail++
			}
			next()
		})
		cl.sock.ErrorOccurred.Connect(func(e qtnet.SocketError) {
			if !cl.finished {
				fmt.Fprintln(stderr, "localecho: connection", i, cl.sock.ErrorString())
				cl.fail += cl.unfinished()
				cl.left, cl.inFlight = 0, false
				finish()
			}
		})
		if c.abstract {
			cl.sock.SetSocketOptions(qtnet.AbstractNamespaceOption)
		}
		cl.sock.ConnectToServer(c.connect)
		if cl.sock.State() == qtnet.ConnectedState {
			next()
		}
	}
	expired := false
	if pending > 0 {
		mainloop.TimeoutAddOnce(c.timeout, func() { expired = true; loop.Quit() })
		loop.Run()
	}
	pass, fail := 0, 0
	for _, cl := range clients {
		pass += cl.pass
		fail += cl.fail
		if !cl.finished {
			fail += cl.unfinished()
		}
		cl.sock.Abort()
	}
	if expired {
		fmt.Fprintln(stderr, "localecho: timed out after", c.timeout)
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", pass, fail)
	if fail > 0 {
		return 1
	}
	return 0
}
