// Command anchor-gio-echo is sigloop's entry in the anchor harness
// (../shared/anchors): an echo server with the shared command line
//
//	anchor-gio-echo --tcp 127.0.0.1:PORT (0: any free port) | --unix PATH  [--mode echo|accept] [--backlog N]
//
// built like the GLib anchor (glib_echo_server.c): one main loop accepts
// each connection and echoes it with InputStream.ReadAsync and
// OutputStream.WriteAllAsync through a 64 KiB buffer until EOF; in accept
// mode each connection is closed at once. Until gio's SocketService exists,
// the accept runs from a main-loop source watching the listening Socket,
// which is what GSocketService does underneath. It prints "listening on
// ADDRESS" when ready and exits cleanly on SIGINT or SIGTERM.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"

	"github.com/sigloop/sigloop/asyncresult"
	"github.com/sigloop/sigloop/gio"
	"github.com/sigloop/sigloop/mainloop"
)

const echoBufSize = 64 * 1024 // as the GLib anchor's ECHO_BUF_SIZE

type options struct {
	tcp, unix, mode string
	backlog         int
}

func main() {
	var o options
	flag.StringVar(&o.tcp, "tcp", "", "listen on HOST:PORT (a loopback IP literal)")
	flag.StringVar(&o.unix, "unix", "", "listen on this Unix socket path (a stale file is removed)")
	flag.StringVar(&o.mode, "mode", "echo", "echo: write back every byte; accept: close each connection at once")
	flag.IntVar(&o.backlog, "backlog", 128, "listen backlog")
	flag.Parse()
	srv, err := newServer(o, mainloop.Default())
	if err != nil {
		fmt.Fprintln(os.Stderr, "anchor-gio-echo:", err)
		os.Exit(2)
	}
	loop := mainloop.New(nil)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		if _, err := mainloop.UnixSignalAdd(sig, func() bool { loop.Quit(); return mainloop.SourceRemove }); err != nil {
			fmt.Fprintln(os.Stderr, "anchor-gio-echo:", err)
			os.Exit(1)
		}
	}
	fmt.Println("listening on", srv.addr)
	loop.Run()
	srv.close()
}

// server is one listening socket and its accept source.
type server struct {
	listener   *gio.Socket
	src        *mainloop.Source
	addr       string
	acceptOnly bool
	unixPath   string
}

func parseTCP(spec string) (gio.SocketAddress, error) {
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

func newServer(o options, ctx *mainloop.Context) (*server, error) {
	if (o.tcp == "") == (o.unix == "") {
		return nil, errors.New("give exactly one of --tcp or --unix")
	}
	if o.mode != "echo" && o.mode != "accept" {
		return nil, errors.New("--mode must be echo or accept")
	}
	var addr gio.SocketAddress
	family := gio.SocketFamilyUnix
	if o.tcp != "" {
		a, err := parseTCP(o.tcp)
		if err != nil {
			return nil, err
		}
		addr, family = a, a.Family()
	} else {
		if err := os.Remove(o.unix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("cannot remove %s: %w", o.unix, err)
		}
		addr = gio.NewUnixSocketAddress(o.unix)
	}
	l, err := gio.NewSocket(family, gio.SocketTypeStream, gio.SocketProtocolDefault)
	if err != nil {
		return nil, err
	}
	l.SetListenBacklog(o.backlog)
	l.SetBlocking(false) // accept until WOULD_BLOCK, as GLib 2.85's listener does
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
	s := &server{listener: l, addr: local.String(), acceptOnly: o.mode == "accept", unixPath: o.unix}
	if o.unix != "" {
		s.addr = o.unix
	}
	s.src = l.CreateSource(mainloop.IOIn, nil, func(ls *gio.Socket, _ mainloop.IOCondition) bool {
		for {
			c, err := ls.Accept(nil)
			if err != nil {
				return mainloop.SourceContinue // WOULD_BLOCK: wait for the next readiness
			}
			s.incoming(gio.NewSocketConnection(c))
		}
	})
	s.src.Attach(ctx)
	return s, nil
}

// incoming is the anchor's on_incoming: close at once, or start echoing.
func (s *server) incoming(conn *gio.SocketConnection) {
	if s.acceptOnly {
		conn.Close()
		return
	}
	if conn.Socket().Family() != gio.SocketFamilyUnix {
		_ = conn.Socket().SetOption(syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	}
	e := &echoConn{conn: conn, in: conn.InputStream(), out: conn.OutputStream(), buf: make([]byte, echoBufSize)}
	e.startRead()
}

func (s *server) close() {
	s.src.Destroy()
	s.listener.Close()
	if s.unixPath != "" {
		os.Remove(s.unixPath)
	}
}

// echoConn is one echoing connection, alive until EOF or an error.
type echoConn struct {
	conn *gio.SocketConnection
	in   *gio.InputStream
	out  *gio.OutputStream
	buf  []byte
}

func (e *echoConn) startRead() {
	e.in.ReadAsync(e.buf, mainloop.PriorityDefault, nil, e.onRead)
}

func (e *echoConn) onRead(_ any, res asyncresult.AsyncResult) {
	n, err := e.in.ReadFinish(res)
	if err != nil || n == 0 {
		e.conn.Close()
		return
	}
	e.out.WriteAllAsync(e.buf[:n], mainloop.PriorityDefault, nil, e.onWritten)
}

func (e *echoConn) onWritten(_ any, res asyncresult.AsyncResult) {
	if _, err := e.out.WriteAllFinish(res); err != nil {
		e.conn.Close()
		return
	}
	e.startRead()
}
