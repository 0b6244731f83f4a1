// Command gioecho is sigloop's GIO echo server and client, and its entry in
// the anchor harness (the shared server command line):
//
//	gioecho [--threaded | --socket] [--backlog N] [--max-threads N] --tcp 127.0.0.1:PORT | --unix PATH [--mode echo|accept]
//	gioecho --connect ADDRESS --count N --size BYTES [--conns C] [--random-size] [--seed S]
//
// As a server it comes in three flavours, built like the GLib anchor
// (glib_echo_server.c):
//
//   - default: a gio.SocketService; each connection is echoed on the one
//     main loop with InputStream.ReadAsync and OutputStream.WriteAllAsync
//     through a 64 KiB buffer until EOF;
//   - --threaded: a gio.ThreadedSocketService; each connection is echoed on
//     its worker goroutine with the blocking Read and WriteAll;
//   - --socket: a bare listening gio.Socket watched by a main-loop source,
//     accepting until WOULD_BLOCK (the Socket-level baseline).
//
// In --mode accept each connection is closed at once. TCP connections get
// TCP_NODELAY. It prints "listening on ADDRESS" when ready (ADDRESS is
// HOST:PORT, or the Unix path) and exits 0 on SIGINT or SIGTERM, caught by a
// main-loop Unix signal source.
//
// As a client (--connect HOST:PORT, or a Unix path: anything containing a
// '/', or "unix:PATH") it opens C connections with gio.SocketClient (a
// Unix connect refused with WOULD_BLOCK, a full backlog, is retried every
// 5 ms, up to 200 times) and
// makes N echo round trips in all, spread over them: each writes BYTES
// random bytes (1..BYTES with --random-size) with WriteAllAsync while
// ReadAllAsync reads them back, and checks every byte. It prints
// "P passed, F failed" and exits 0 only if nothing failed.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/gio"
	"github.com/sigloop/sigloop/mainloop"
)

const echoBufSize = 64 * 1024 // as the GLib anchor's ECHO_BUF_SIZE

type options struct {
	tcp, unix, mode    string
	threaded, socket   bool
	backlog, maxThread int

	connect     string
	count, size int
	conns       int
	randomSize  bool
	seed        uint64

	cpuProfile string
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("gioecho", flag.ContinueOnError)
	fs.StringVar(&o.tcp, "tcp", "", "listen on HOST:PORT (a loopback IP literal; port 0 picks one)")
	fs.StringVar(&o.unix, "unix", "", "listen on this Unix socket path (a stale file is removed)")
	fs.StringVar(&o.mode, "mode", "echo", "echo: write back every byte; accept: close each connection at once")
	fs.BoolVar(&o.threaded, "threaded", false, "serve with ThreadedSocketService and blocking streams")
	fs.BoolVar(&o.socket, "socket", false, "serve with a bare Socket accept source (no SocketService)")
	fs.IntVar(&o.backlog, "backlog", 128, "listen backlog (as the GLib anchor)")
	fs.IntVar(&o.maxThread, "max-threads", 128, "ThreadedSocketService max-threads (as the GLib anchor; -1: no limit)")
	fs.StringVar(&o.connect, "connect", "", "client mode: connect to HOST:PORT or a Unix path")
	fs.IntVar(&o.count, "count", 100, "client: round trips in all")
	fs.IntVar(&o.size, "size", 1024, "client: bytes per round trip (the maximum with --random-size)")
	fs.IntVar(&o.conns, "conns", 1, "client: connections")
	fs.BoolVar(&o.randomSize, "random-size", false, "client: random sizes 1..--size")
	fs.Uint64Var(&o.seed, "seed", 1, "client: random seed")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "server: write a CPU profile (runtime/pprof) to this file until exit")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() != 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return o, nil
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "gioecho:", err)
		os.Exit(2)
	}
	if o.connect != "" {
		os.Exit(runClient(o))
	}
	srv, err := newServer(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gioecho:", err)
		os.Exit(2)
	}
	loop := mainloop.New(nil)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		if _, err := mainloop.UnixSignalAdd(sig, func() bool { loop.Quit(); return mainloop.SourceRemove }); err != nil {
			fmt.Fprintln(os.Stderr, "gioecho:", err)
			os.Exit(1)
		}
	}
	if o.cpuProfile != "" {
		stop, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gioecho:", err)
			os.Exit(2)
		}
		defer stop()
	}
	fmt.Println("listening on", srv.addr)
	loop.Run()
	srv.close()
}

// startCPUProfile profiles the process into path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// ---- server ----------------------------------------------------------------

// server is one listening address served by one of the three flavours.
type server struct {
	addr     string
	unixPath string
	close    func()
}

func parseTCP(spec string) (*gio.InetSocketAddress, error) {
	host, port, err := net.SplitHostPort(spec)
	if err != nil {
		return nil, fmt.Errorf("--tcp wants HOST:PORT, got %q", spec)
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("bad port in %q", spec)
	}
	a, err := gio.NewInetSocketAddressFromString(host, uint(p))
	if err != nil || !a.Address().IsLoopback() {
		return nil, fmt.Errorf("host %q is not a loopback IP literal", host)
	}
	return a, nil
}

// newServer listens as o says, on the caller's context.
func newServer(o options) (*server, error) {
	if (o.tcp == "") == (o.unix == "") {
		return nil, errors.New("give exactly one of --tcp or --unix")
	}
	if o.mode != "echo" && o.mode != "accept" {
		return nil, errors.New("--mode must be echo or accept")
	}
	if o.threaded && o.socket {
		return nil, errors.New("--threaded and --socket exclude each other")
	}
	var addr gio.SocketAddress
	if o.tcp != "" {
		a, err := parseTCP(o.tcp)
		if err != nil {
			return nil, err
		}
		addr = a
	} else {
		if err := os.Remove(o.unix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("cannot remove %s: %w", o.unix, err)
		}
		addr = gio.NewUnixSocketAddress(o.unix)
	}
	acceptOnly := o.mode == "accept"
	var s *server
	var err error
	switch {
	case o.socket:
		s, err = newSocketServer(addr, o.backlog, acceptOnly)
	case o.threaded:
		s, err = newThreadedServer(addr, o.backlog, o.maxThread, acceptOnly)
	default:
		s, err = newServiceServer(addr, o.backlog, acceptOnly)
	}
	if err != nil {
		return nil, err
	}
	if o.unix != "" {
		s.addr, s.unixPath = o.unix, o.unix
		inner := s.close
		s.close = func() { inner(); os.Remove(o.unix) }
	}
	return s, nil
}

// setNoDelay sets TCP_NODELAY on a TCP connection, as the anchor does.
func setNoDelay(conn *gio.SocketConnection) {
	if conn.Socket().Family() != gio.SocketFamilyUnix {
		_ = conn.Socket().SetOption(syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	}
}

// listenService adds addr to svc, whose handlers are connected already (it
// accepts from the moment the socket is added).
func listenService(svc *gio.SocketService, addr gio.SocketAddress, backlog int) (*server, error) {
	svc.SetBacklog(backlog)
	eff, err := svc.AddAddress(addr, gio.SocketTypeStream, gio.SocketProtocolDefault, nil)
	if err != nil {
		svc.Close()
		return nil, err
	}
	return &server{addr: eff.String(), close: func() { svc.Stop(); svc.Close() }}, nil
}

// newServiceServer is the default flavour: SocketService, async echo.
func newServiceServer(addr gio.SocketAddress, backlog int, acceptOnly bool) (*server, error) {
	svc := gio.NewSocketService()
	svc.Incoming.Connect(func(conn *gio.SocketConnection, _ any) bool {
		if acceptOnly {
			return true // not kept: the service closes it
		}
		svc.Keep(conn)
		setNoDelay(conn)
		startEcho(conn)
		return true
	})
	return listenService(svc, addr, backlog)
}

// newThreadedServer is --threaded: blocking echo on each job's goroutine.
func newThreadedServer(addr gio.SocketAddress, backlog, maxThreads int, acceptOnly bool) (*server, error) {
	svc := gio.NewThreadedSocketService(maxThreads)
	svc.Run.Connect(func(conn *gio.SocketConnection, _ any) bool {
		if acceptOnly {
			return true // closed after run
		}
		setNoDelay(conn)
		in, out := conn.InputStream(), conn.OutputStream()
		buf := make([]byte, echoBufSize)
		for {
			n, err := in.Read(buf, nil)
			if err != nil || n == 0 {
				break
			}
			if _, err := out.WriteAll(buf[:n], nil); err != nil {
				break
			}
		}
		return true
	})
	return listenService(&svc.SocketService, addr, backlog)
}

// newSocketServer is --socket: a listening Socket and an accept source.
// Its bind, listen and local-address steps are the ones SocketListener's
// AddAddress takes (gio/socketlistener.go), spelled out here on purpose:
// this flavour is the bare-Socket baseline the SocketService flavour is
// measured against, so it must not go through the listener.
func newSocketServer(addr gio.SocketAddress, backlog int, acceptOnly bool) (*server, error) {
	l, err := gio.NewSocket(addr.Family(), gio.SocketTypeStream, gio.SocketProtocolDefault)
	if err != nil {
		return nil, err
	}
	l.SetListenBacklog(backlog)
	l.SetBlocking(false) // accept until WOULD_BLOCK
	if err := l.Bind(addr, true); err != nil {
		l.Close()
		return nil, err
	}
	if err := l.Listen(); err != nil {
		l.Close()
		return nil, err
	}
	local, err := l.LocalAddress()
	if err != nil {
		l.Close()
		return nil, err
	}
	src := l.CreateSource(mainloop.IOIn, nil, func(ls *gio.Socket, _ mainloop.IOCondition) bool {
		for {
			c, err := ls.Accept(nil)
			if err != nil {
				return !errors.Is(err, gio.ErrClosed) // WOULD_BLOCK: wait for the next readiness
			}
			conn := gio.NewSocketConnection(c)
			if acceptOnly {
				conn.Close()
				continue
			}
			setNoDelay(conn)
			startEcho(conn)
		}
	})
	src.Attach(nil)
	return &server{addr: local.String(), close: func() { src.Destroy(); l.Close() }}, nil
}

// echoConn is one echoing connection, alive until EOF or an error.
type echoConn struct {
	conn *gio.SocketConnection
	in   *gio.InputStream
	out  *gio.OutputStream
	buf  []byte
	// The callbacks as func values, made once: a method value (e.onRead)
	// written at each call allocates a closure each time, two per round
	// trip, as many as the streams' own operations.
	readCB, writtenCB asyncresult.ReadyCallback
}

func startEcho(conn *gio.SocketConnection) {
	e := &echoConn{conn: conn, in: conn.InputStream(), out: conn.OutputStream(), buf: make([]byte, echoBufSize)}
	e.readCB, e.writtenCB = e.onRead, e.onWritten
	// The callbacks finish each result and keep none, so the streams may
	// reuse them: no allocation per read or write.
	e.in.SetReuseResults(true)
	e.out.SetReuseResults(true)
	e.startRead()
}

func (e *echoConn) startRead() {
	e.in.ReadAsync(e.buf, mainloop.PriorityDefault, nil, e.readCB)
}

func (e *echoConn) onRead(_ any, res asyncresult.AsyncResult) {
	n, err := e.in.ReadFinish(res)
	if err != nil || n == 0 {
		e.conn.Close()
		return
	}
	e.out.WriteAllAsync(e.buf[:n], mainloop.PriorityDefault, nil, e.writtenCB)
}

func (e *echoConn) onWritten(_ any, res asyncresult.AsyncResult) {
	if _, err := e.out.WriteAllFinish(res); err != nil {
		e.conn.Close()
		return
	}
	e.startRead()
}

// ---- client ----------------------------------------------------------------

// client runs the round trips of all connections on one main loop.
type client struct {
	o              options
	loop           *mainloop.Loop
	cl             *gio.SocketClient
	rng            *rand.Rand
	passed, failed int
	live           int
	errs           []string
}

// clientConn is one connection's share of the round trips.
type clientConn struct {
	c          *client
	conn       *gio.SocketConnection
	left       int
	sent, got  []byte
	wrote, red bool
	bad        bool
	retries    int
}

func runClient(o options) int {
	if o.count < 0 || o.size < 1 || o.size > 1<<24 || o.conns < 1 {
		fmt.Fprintln(os.Stderr, "gioecho: want --count >= 0, --size 1..16777216, --conns >= 1")
		return 2
	}
	c := &client{o: o, loop: mainloop.New(nil), cl: gio.NewSocketClient(), rng: rand.New(rand.NewPCG(o.seed, 0x5167))}
	for i := range o.conns {
		share := o.count / o.conns
		if i < o.count%o.conns {
			share++
		}
		c.live++
		cc := &clientConn{c: c, left: share}
		c.connect(cc)
	}
	if c.live > 0 {
		c.loop.Run()
	}
	for _, e := range c.errs {
		fmt.Fprintln(os.Stderr, "gioecho:", e)
	}
	fmt.Printf("%d passed, %d failed\n", c.passed, c.failed)
	if c.failed != 0 || c.passed != o.count {
		return 1
	}
	return 0
}

func (c *client) connect(cc *clientConn) {
	addr := c.o.connect
	if path, ok := strings.CutPrefix(addr, "unix:"); ok || strings.Contains(addr, "/") {
		if !ok {
			path = addr
		}
		c.cl.ConnectAsync(gio.NewUnixSocketAddress(path), nil, func(_ any, res asyncresult.AsyncResult) {
			conn, err := c.cl.ConnectFinish(res)
			cc.connected(conn, err)
		})
		return
	}
	c.cl.ConnectToHostAsync(addr, 0, nil, func(_ any, res asyncresult.AsyncResult) {
		conn, err := c.cl.ConnectToHostFinish(res)
		cc.connected(conn, err)
	})
}

// done ends one connection; the last one quits the loop.
func (cc *clientConn) done(err error) {
	c := cc.c
	if err != nil {
		c.errs = append(c.errs, err.Error())
		c.failed += cc.left
		cc.left = 0
	}
	if cc.conn != nil {
		cc.conn.Close()
	}
	c.live--
	if c.live == 0 {
		c.loop.Quit()
	}
}

// connectRetries bounds the retries of a connect refused with WOULD_BLOCK:
// Linux answers EAGAIN to a Unix-socket connect while the server's backlog
// is full (GLib's default backlog is 10), where TCP would queue the SYN.
const connectRetries = 200

func (cc *clientConn) connected(conn *gio.SocketConnection, err error) {
	if errors.Is(err, gio.ErrWouldBlock) && cc.retries < connectRetries {
		cc.retries++
		mainloop.TimeoutAddOnce(5*time.Millisecond, func() { cc.c.connect(cc) })
		return
	}
	if err != nil {
		cc.done(err)
		return
	}
	cc.conn = conn
	setNoDelay(conn)
	cc.next()
}

// next starts a round trip: the write and the read run at once, so a payload
// larger than the socket buffers cannot deadlock against the echo.
func (cc *clientConn) next() {
	if cc.left == 0 {
		cc.done(nil)
		return
	}
	c := cc.c
	n := c.o.size
	if c.o.randomSize {
		n = 1 + c.rng.IntN(c.o.size)
	}
	if cap(cc.sent) < n {
		cc.sent, cc.got = make([]byte, n), make([]byte, n)
	}
	cc.sent, cc.got = cc.sent[:n], cc.got[:n]
	for i := range cc.sent {
		cc.sent[i] = byte(c.rng.Uint32())
	}
	cc.wrote, cc.red, cc.bad = false, false, false
	out, in := cc.conn.OutputStream(), cc.conn.InputStream()
	out.WriteAllAsync(cc.sent, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
		if _, err := out.WriteAllFinish(res); err != nil {
			cc.bad = true
			c.errs = append(c.errs, "write: "+err.Error())
		}
		cc.wrote = true
		cc.roundTripDone()
	})
	in.ReadAllAsync(cc.got, mainloop.PriorityDefault, nil, func(_ any, res asyncresult.AsyncResult) {
		if k, err := in.ReadAllFinish(res); err != nil || k != len(cc.got) {
			cc.bad = true
			c.errs = append(c.errs, fmt.Sprintf("read %d of %d bytes: %v", k, len(cc.got), err))
		}
		cc.red = true
		cc.roundTripDone()
	})
}

func (cc *clientConn) roundTripDone() {
	if !cc.wrote || !cc.red {
		return
	}
	c := cc.c
	cc.left--
	if cc.bad || !bytes.Equal(cc.sent, cc.got) {
		c.failed++
		if !cc.bad {
			c.errs = append(c.errs, "echoed bytes differ")
		}
		// The stream is out of step now: count the rest as failed.
		cc.done(errors.New("connection abandoned after a failed round trip"))
		return
	}
	c.passed++
	cc.next()
}
