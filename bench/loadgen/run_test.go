package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testServer is an in-process server on a real loopback or unix socket;
// handle runs on its own goroutine for every accepted connection and
// must return once the peer closes.
type testServer struct {
	ln net.Listener
	wg sync.WaitGroup
}

func startServer(t *testing.T, network string, handle func(net.Conn)) *testServer {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "s.sock")
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{ln: ln}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() { defer c.Close(); handle(c) })
		}
	})
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

// echo is the echo server's connection handler: it writes back what it
// reads until the peer's EOF.
func echo(c net.Conn) { io.Copy(c, c) }

func (s *testServer) config(mode string, conns, msg int) config {
	return config{
		network: s.ln.Addr().Network(), addr: s.ln.Addr().String(), mode: mode, conns: conns, msg: msg,
		duration: 300 * time.Millisecond, warmup: 20 * time.Millisecond, ioTimeout: 2 * time.Second, waitReady: time.Second,
	}
}

// runLoadgen runs execute and returns its exit status and its result line
// split into keys and values.
func runLoadgen(t *testing.T, cfg config) (int, map[string]string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := execute(cfg, &out, &errOut)
	line := strings.TrimSpace(out.String())
	fields := map[string]string{}
	if i := strings.Index(line, " first_error="); i >= 0 { // the last key; its quoted value may hold spaces
		fields["first_error"] = line[i+len(" first_error="):]
		line = line[:i]
	}
	for _, kv := range strings.Fields(line) {
		k, v, _ := strings.Cut(kv, "=")
		fields[k] = v
	}
	return code, fields, errOut.String()
}

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

func TestEchoCount(t *testing.T) {
	tests := []struct {
		network    string
		conns, msg int
		count      int64
	}{
		{"tcp", 4, 64, 400},
		{"unix", 3, 64, 300},
		{"unix", 2, 200 * 1024, 20}, // larger than a socket buffer: the write runs beside the read
		{"tcp", 1, 1, 50},
	}
	for _, tt := range tests {
		s := startServer(t, tt.network, echo)
		cfg := s.config("echo", tt.conns, tt.msg)
		cfg.count, cfg.duration = tt.count, 20*time.Second
		code, f, stderr := runLoadgen(t, cfg)
		if code != 0 || f["errors"] != "0" {
			t.Fatalf("%+v: exit %d, %v, stderr %q", tt, code, f, stderr)
		}
		if got := atoi(t, f["ops"]); got != tt.count {
			t.Errorf("%+v: ops=%d, want exactly --count %d", tt, got, tt.count)
		}
		if f["mode"] != "echo" || f["net"] != tt.network || f["unit"] != "rt/s" || f["msg"] != strconv.Itoa(tt.msg) {
			t.Errorf("%+v: line %v", tt, f)
		}
		p50, p99, mx := atof(t, f["p50_us"]), atof(t, f["p99_us"]), atof(t, f["max_us"])
		if !(0 < p50 && p50 <= p99 && p99 <= mx) {
			t.Errorf("%+v: latencies p50=%v p99=%v max=%v, want 0 < p50 <= p99 <= max", tt, p50, p99, mx)
		}
	}
}

func TestEchoDurationAndLabel(t *testing.T) {
	s := startServer(t, "tcp", echo)
	cfg := s.config("echo", 2, 64)
	cfg.label = "t/echo"
	start := time.Now()
	code, f, stderr := runLoadgen(t, cfg)
	if code != 0 {
		t.Fatalf("exit %d, %v, %s", code, f, stderr)
	}
	if f["label"] != "t/echo" {
		t.Errorf("label=%q", f["label"])
	}
	el, _ := strconv.ParseFloat(f["elapsed_s"], 64)
	if el < 0.29 || el > 1 {
		t.Errorf("elapsed_s=%v, want about the 0.3 s duration", el)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("run took %v", took)
	}
	if atoi(t, f["ops"]) == 0 {
		t.Error("no round trips measured")
	}
}

func TestAcceptMode(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		s := startServer(t, network, func(net.Conn) {}) // closes at once
		cfg := s.config("accept", 2, 64)
		cfg.count, cfg.duration = 100, 20*time.Second
		code, f, stderr := runLoadgen(t, cfg)
		if code != 0 || atoi(t, f["ops"]) != 100 || f["unit"] != "conn/s" {
			t.Errorf("%s: exit %d, %v, %s", network, code, f, stderr)
		}
		if _, ok := f["msg"]; ok {
			t.Errorf("%s: accept line has msg=", network)
		}
	}
}

// With --server-pid, echo mode reports the server's CPU time per round
// trip: this process serves, so a server that burns a known CPU time per
// round trip shows at least that much.
func TestEchoMeasuresServerCPU(t *testing.T) {
	const burn = 200 * time.Microsecond
	s := startServer(t, "unix", func(c net.Conn) {
		buf := make([]byte, 64)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			for end := time.Now().Add(burn); time.Now().Before(end); {
			}
			if _, err := c.Write(buf[:n]); err != nil {
				return
			}
		}
	})
	cfg := s.config("echo", 1, 64)
	cfg.serverPID = os.Getpid()
	code, f, stderr := runLoadgen(t, cfg)
	if code != 0 || atoi(t, f["ops"]) == 0 {
		t.Fatalf("exit %d, %v, %s", code, f, stderr)
	}
	user, sys, pct := atof(t, f["server_user_us"]), atof(t, f["server_sys_us"]), atof(t, f["server_cpu_pct"])
	// The process is also the load generator, so it uses more than the
	// server's share; a tick is 10 ms, so allow for one over the run.
	if user+sys < 0.5*float64(burn.Microseconds()) || pct <= 0 {
		t.Errorf("server_user_us=%v server_sys_us=%v server_cpu_pct=%v; want at least half of the %v burnt per round trip", user, sys, pct, burn)
	}
	if f["errors"] != "0" {
		t.Errorf("errors=%s", f["errors"])
	}
}

func TestHoldModeMeasuresServerMemory(t *testing.T) {
	var mu sync.Mutex
	var held [][]byte
	s := startServer(t, "unix", func(c net.Conn) {
		mu.Lock()
		b := bytes.Repeat([]byte{1}, 64*1024) // touched: resident
		held = append(held, b)
		mu.Unlock()
		echo(c)
	})
	cfg := s.config("hold", 50, 16)
	cfg.serverPID = os.Getpid() // the server is this process
	cfg.waitReady = 0           // no probe connection: the server sees exactly the held ones
	code, f, stderr := runLoadgen(t, cfg)
	if code != 0 || atoi(t, f["ops"]) != 50 {
		t.Fatalf("exit %d, %v, %s", code, f, stderr)
	}
	before, after := atoi(t, f["rss_before_kib"]), atoi(t, f["rss_held_kib"])
	if per := atoi(t, f["rss_per_conn_b"]); after <= before || per < 32*1024 {
		t.Errorf("rss before %d KiB, held %d KiB, %d B/conn; want at least the 64 KiB each connection touched, roughly", before, after, per)
	}
	mu.Lock()
	if len(held) != 50 {
		t.Errorf("server saw %d connections, want 50", len(held))
	}
	mu.Unlock()
}

func TestErrorsAreCountedAndExitOne(t *testing.T) {
	tests := []struct {
		name   string
		mode   string
		handle func(net.Conn)
		want   string
	}{
		{"wrong reply", "echo", func(c net.Conn) {
			buf := make([]byte, 64)
			for { // the 8-byte setup round trip is echoed; 64-byte requests come back changed
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				if n == 64 {
					buf[10]++
				}
				c.Write(buf[:n])
			}
		}, "reply differs"},
		{"server closes at once", "echo", func(net.Conn) {}, "loadgen: connection "},
		{"silent server", "echo", func(c net.Conn) { io.Copy(io.Discard, c) }, "timeout"},
		{"server closes after the setup", "echo", func(c net.Conn) {
			buf := make([]byte, 8)
			if _, err := io.ReadFull(c, buf); err == nil {
				c.Write(buf)
			}
		}, "EOF"},
		{"accept mode against an echo server", "accept", func(c net.Conn) { c.Write([]byte("x")); io.Copy(io.Discard, c) }, "server sent data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, "tcp", tt.handle)
			cfg := s.config(tt.mode, 2, 64)
			cfg.ioTimeout = 200 * time.Millisecond
			code, f, stderr := runLoadgen(t, cfg)
			// An error while opening the connections ends the run with no
			// result line; one while measuring is counted in it.
			if code != 1 || f["errors"] == "0" || !strings.Contains(f["first_error"]+stderr, tt.want) {
				t.Errorf("exit %d, errors=%s first_error=%s (stderr %q); want exit 1 with %q", code, f["errors"], f["first_error"], stderr, tt.want)
			}
		})
	}
}

func TestServerNotUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.sock")
	for _, mode := range []string{"echo", "accept", "hold"} {
		cfg := config{network: "unix", addr: path, mode: mode, conns: 1, msg: 1, duration: time.Second, ioTimeout: time.Second, waitReady: 100 * time.Millisecond}
		start := time.Now()
		code, f, stderr := runLoadgen(t, cfg)
		if code != 1 || len(f) != 0 || !strings.Contains(stderr, "not ready") {
			t.Errorf("%s: exit %d, line %v, stderr %q; want exit 1, no line, 'not ready'", mode, code, f, stderr)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s: gave up after %v, want about --wait-ready", mode, took)
		}
	}
	// Without --wait-ready the first connection fails at once.
	code, _, stderr := runLoadgen(t, config{network: "unix", addr: path, mode: "echo", conns: 1, msg: 1, duration: time.Second, ioTimeout: time.Second})
	if code != 1 || !strings.Contains(stderr, "connection 0") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestDialRetryGivesUpAtDeadline(t *testing.T) {
	start := time.Now()
	_, err := dialRetry(config{network: "unix", addr: filepath.Join(t.TempDir(), "none")}, time.Now().Add(time.Second))
	if err == nil || errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) > 500*time.Millisecond {
		t.Errorf("dialRetry to a missing socket = %v after %v; want the connect error at once (only EAGAIN is retried)", err, time.Since(start))
	}
}
