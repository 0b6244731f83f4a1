package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Limits that keep every run bounded.
const (
	maxConns     = 16384
	maxMsg       = 1 << 20
	maxDuration  = 10 * time.Minute
	maxWarmup    = time.Minute
	maxWaitReady = time.Minute
	maxIOTimeout = time.Minute
	maxCount     = 1_000_000_000
)

// config is one run's parsed command line.
type config struct {
	network, addr string // "tcp" or "unix", and the address to dial
	mode          string // "echo", "accept" or "hold"
	conns         int
	msg           int
	duration      time.Duration
	count         int64
	warmup        time.Duration
	waitReady     time.Duration
	ioTimeout     time.Duration
	label         string
	serverPID     int // the server's process: its VmRSS (hold) or CPU time (echo, accept); 0: none
}

// errUsage marks a bad command line (exit status 2).
var errUsage = errors.New("usage")

// parseArgs parses the command line; the error wraps errUsage for a bad
// one. Help output and flag errors go to stderr.
func parseArgs(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tcp := fs.String("tcp", "", "server `host:port` (loopback IP or localhost only)")
	unix := fs.String("unix", "", "server unix socket `path`")
	fs.StringVar(&cfg.mode, "mode", "echo", "echo (round trips), accept (connect/close loops) or hold (open and hold idle connections)")
	fs.IntVar(&cfg.conns, "conns", 1, "concurrent connections (echo, hold) or connecting workers (accept)")
	fs.IntVar(&cfg.msg, "msg", 64, "message size in bytes (echo)")
	fs.DurationVar(&cfg.duration, "duration", 5*time.Second, "measurement (hold: holding) time; the upper bound also with --count")
	fs.Int64Var(&cfg.count, "count", 0, "stop after this many measured operations (0 = no limit)")
	fs.DurationVar(&cfg.warmup, "warmup", 500*time.Millisecond, "unmeasured warm-up before measuring")
	fs.DurationVar(&cfg.waitReady, "wait-ready", 0, "poll this long for the server to accept connections")
	fs.DurationVar(&cfg.ioTimeout, "io-timeout", 5*time.Second, "connect/IO timeout and grace after the run")
	fs.StringVar(&cfg.label, "label", "", "label to print at the start of the result line")
	fs.IntVar(&cfg.serverPID, "server-pid", 0, "the server's process id: hold mode reports its resident memory (VmRSS) before and with the connections open; echo and accept mode its CPU time per operation while measuring")
	if err := fs.Parse(args); err != nil {
		return cfg, fmt.Errorf("%w: %w", errUsage, err)
	}
	bad := func(format string, a ...any) (config, error) {
		return cfg, fmt.Errorf("%w: "+format, append([]any{errUsage}, a...)...)
	}
	if fs.NArg() != 0 {
		return bad("unexpected arguments: %v", fs.Args())
	}
	switch {
	case *tcp != "" && *unix == "":
		host, port, err := net.SplitHostPort(*tcp)
		if err != nil {
			return bad("--tcp %q: %v", *tcp, err)
		}
		if host == "localhost" {
			host = "127.0.0.1"
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return bad("--tcp %q: only loopback addresses are allowed", *tcp)
		}
		cfg.network, cfg.addr = "tcp", net.JoinHostPort(host, port)
	case *unix != "" && *tcp == "":
		if strings.HasPrefix(*unix, "@") {
			return bad("--unix %q: abstract sockets are not supported; give a path", *unix)
		}
		cfg.network, cfg.addr = "unix", *unix
	default:
		return bad("give exactly one of --tcp or --unix")
	}
	if cfg.mode != "echo" && cfg.mode != "accept" && cfg.mode != "hold" {
		return bad("--mode must be echo, accept or hold")
	}
	// The numeric flags' ranges, in the order they are checked: each row is
	// the flag, whether its value is outside, and the range the message names.
	for _, b := range []struct {
		flag string
		out  bool
		rng  string
	}{
		{"--conns", cfg.conns < 1 || cfg.conns > maxConns, fmt.Sprintf("1..%d", maxConns)},
		{"--msg", cfg.msg < 1 || cfg.msg > maxMsg, fmt.Sprintf("1..%d", maxMsg)},
		{"--duration", cfg.duration <= 0 || cfg.duration > maxDuration, fmt.Sprintf("(0, %v]", maxDuration)},
		{"--count", cfg.count < 0 || cfg.count > maxCount, fmt.Sprintf("0..%d", maxCount)},
		{"--warmup", cfg.warmup < 0 || cfg.warmup > maxWarmup, fmt.Sprintf("[0, %v]", maxWarmup)},
		{"--wait-ready", cfg.waitReady < 0 || cfg.waitReady > maxWaitReady, fmt.Sprintf("[0, %v]", maxWaitReady)},
		{"--io-timeout", cfg.ioTimeout <= 0 || cfg.ioTimeout > maxIOTimeout, fmt.Sprintf("(0, %v]", maxIOTimeout)},
	} {
		if b.out {
			return bad("%s must be in %s", b.flag, b.rng)
		}
	}
	if cfg.serverPID < 0 {
		return bad("--server-pid must be a process id")
	}
	return cfg, nil
}

// setupBudget bounds the time to open the persistent connections of echo
// and hold mode: one I/O timeout plus 20 ms per connection, so that a
// server whose accept slows down as it holds more connections (a loop
// that scans every descriptor per iteration) can still take 16384.
func (cfg config) setupBudget() time.Duration {
	if cfg.mode == "accept" {
		return 0
	}
	return cfg.ioTimeout + time.Duration(cfg.conns)*20*time.Millisecond
}

// watchdogBudget is how long the whole run may take before the watchdog
// ends the process.
func (cfg config) watchdogBudget() time.Duration {
	return cfg.waitReady + cfg.setupBudget() + cfg.warmup + cfg.duration + 2*cfg.ioTimeout + 30*time.Second
}
