// Command go_echo_server is the "raw Go" floor of sigloop's benchmarks: a
// plain net.Listener echo server using only the standard library, one
// goroutine per connection, a 64 KiB read/write loop, no framework.
//
// Usage (the command line every server target of bench/run.sh takes):
//
//	go_echo_server (--tcp 127.0.0.1:PORT | --unix /tmp/PATH) [--mode echo|accept]
//
//	--mode echo    (default) echo every byte back until the peer's EOF.
//	--mode accept  accept each connection and close it at once (the load
//	               generator waits for that EOF).
//
// Only loopback TCP addresses are accepted; a stale unix socket file is
// removed first. The server runs until SIGINT or SIGTERM, then closes its
// listener (which removes the unix socket file) and exits 0.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

// echoBufSize is the per-connection buffer, as in the GLib and sigloop
// servers.
const echoBufSize = 64 * 1024

type options struct {
	tcp, unix, mode string
}

func main() {
	var o options
	fs := flag.NewFlagSet("go_echo_server", flag.ExitOnError)
	fs.StringVar(&o.tcp, "tcp", "", "listen on a loopback TCP address `host:port`")
	fs.StringVar(&o.unix, "unix", "", "listen on a unix socket `path`")
	fs.StringVar(&o.mode, "mode", "echo", "echo or accept")
	fs.Parse(os.Args[1:])
	if fs.NArg() != 0 {
		fatalf(2, "unexpected arguments: %v", fs.Args())
	}
	ln, err := listen(o)
	if err != nil {
		code := 1
		if errors.Is(err, errUsage) {
			code = 2
		}
		fatalf(code, "%v", err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigs
		ln.Close() // for a unix listener this also unlinks the socket file
	}()
	fmt.Fprintf(os.Stderr, "go_echo_server: net.Listener on %s, mode %s, %s GOMAXPROCS=%d\n",
		ln.Addr(), o.mode, runtime.Version(), runtime.GOMAXPROCS(0))
	serve(ln, o.mode == "accept", os.Stderr)
}

var errUsage = errors.New("usage")

// listen checks the options and opens the listener they name.
func listen(o options) (net.Listener, error) {
	if (o.tcp == "") == (o.unix == "") {
		return nil, fmt.Errorf("%w: give exactly one of --tcp or --unix", errUsage)
	}
	if o.mode != "echo" && o.mode != "accept" {
		return nil, fmt.Errorf("%w: --mode must be echo or accept", errUsage)
	}
	if o.tcp != "" {
		host, _, err := net.SplitHostPort(o.tcp)
		if err != nil {
			return nil, fmt.Errorf("%w: --tcp %q: %v", errUsage, o.tcp, err)
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("%w: --tcp %q: host must be a loopback IP literal", errUsage, o.tcp)
		}
		return net.Listen("tcp", o.tcp)
	}
	if err := os.Remove(o.unix); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("cannot remove %s: %w", o.unix, err)
	}
	return net.Listen("unix", o.unix)
}

// serve accepts until ln is closed; each connection is closed at once
// (acceptOnly) or echoed on its own goroutine. Transient accept errors
// (such as EMFILE) are logged to logw and do not stop it.
func serve(ln net.Listener, acceptOnly bool, logw io.Writer) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			fmt.Fprintf(logw, "go_echo_server: accept: %v\n", err)
			continue
		}
		if acceptOnly {
			c.Close()
			continue
		}
		go echo(c)
	}
}

// echo copies everything it reads from c back to c until EOF or an error.
// A plain read/write loop on purpose: io.Copy would take the splice(2)
// path on Linux, which is not what a typical server does.
func echo(c net.Conn) {
	defer c.Close()
	buf := make([]byte, echoBufSize)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func fatalf(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "go_echo_server: "+format+"\n", args...)
	os.Exit(code)
}
