package main

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseArgs(t *testing.T) {
	def := config{mode: "echo", conns: 1, msg: 64, duration: 5 * time.Second, warmup: 500 * time.Millisecond, ioTimeout: 5 * time.Second}
	with := func(f func(*config)) config { c := def; f(&c); return c }
	tests := []struct {
		args []string
		want config
	}{
		{[]string{"--tcp", "127.0.0.1:9"}, with(func(c *config) { c.network, c.addr = "tcp", "127.0.0.1:9" })},
		{[]string{"--tcp", "localhost:9"}, with(func(c *config) { c.network, c.addr = "tcp", "127.0.0.1:9" })},
		{[]string{"--tcp", "[::1]:9", "--mode", "accept", "--conns", "4"}, with(func(c *config) { c.network, c.addr, c.mode, c.conns = "tcp", "[::1]:9", "accept", 4 })},
		{[]string{"--unix", "/tmp/x.sock", "--mode", "hold", "--conns", "16384", "--server-pid", "7", "--msg", "1"}, with(func(c *config) {
			c.network, c.addr, c.mode, c.conns, c.serverPID, c.msg = "unix", "/tmp/x.sock", "hold", 16384, 7, 1
		})},
		{[]string{"--tcp", "127.0.0.1:9", "--mode", "accept", "--server-pid", "5"}, with(func(c *config) {
			c.network, c.addr, c.mode, c.serverPID = "tcp", "127.0.0.1:9", "accept", 5
		})},
		{[]string{"--unix", "/tmp/x.sock", "--duration", "2s", "--count", "10", "--warmup", "0", "--wait-ready", "5s", "--io-timeout", "1s", "--label", "a/b"}, with(func(c *config) {
			c.network, c.addr, c.duration, c.count, c.warmup, c.waitReady, c.ioTimeout, c.label = "unix", "/tmp/x.sock", 2*time.Second, 10, 0, 5*time.Second, time.Second, "a/b"
		})},
	}
	for _, tt := range tests {
		got, err := parseArgs(tt.args, io.Discard)
		if err != nil {
			t.Errorf("parseArgs(%q): %v", tt.args, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(config{})); diff != "" {
			t.Errorf("parseArgs(%q) mismatch (-want +got):\n%s", tt.args, diff)
		}
	}
}

func TestParseArgsRefuses(t *testing.T) {
	tests := []struct {
		args []string
		want string // part of the error message
	}{
		{nil, "exactly one of --tcp or --unix"},
		{[]string{"--tcp", "127.0.0.1:9", "--unix", "/tmp/x"}, "exactly one"},
		{[]string{"--tcp", "10.0.0.1:9"}, "only loopback"},
		{[]string{"--tcp", "example.com:9"}, "only loopback"},
		{[]string{"--tcp", "127.0.0.1"}, "missing port"},
		{[]string{"--unix", "@abstract"}, "abstract"},
		{[]string{"--unix", "/tmp/x", "--mode", "hold", "--server-pid", "-5"}, "--server-pid"},
		{[]string{"--unix", "/tmp/x", "extra"}, "unexpected arguments"},
		{[]string{"--nosuchflag"}, "not defined"},
	}
	// Each flag with the values just outside its range.
	for _, f := range []struct {
		flag string
		bad  []string
	}{
		{"--mode", []string{"flood"}},
		{"--conns", []string{"0", "16385"}},
		{"--msg", []string{"0", "1048577"}},
		{"--duration", []string{"0s", "11m"}},
		{"--count", []string{"-1"}},
		{"--warmup", []string{"-1ms", "2m"}},
		{"--wait-ready", []string{"-1s", "2m"}},
		{"--io-timeout", []string{"0s", "2m"}},
	} {
		for _, v := range f.bad {
			tests = append(tests, struct {
				args []string
				want string
			}{[]string{"--unix", "/tmp/x", f.flag, v}, f.flag})
		}
	}
	for _, tt := range tests {
		_, err := parseArgs(tt.args, io.Discard)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseArgs(%q) = %v; want a usage error containing %q", tt.args, err, tt.want)
		}
	}
}

func TestBudgetsBoundTheRun(t *testing.T) {
	cfg := config{mode: "echo", conns: 16384, duration: 10 * time.Minute, warmup: time.Minute, waitReady: time.Minute, ioTimeout: time.Minute}
	if got, want := cfg.setupBudget(), time.Minute+16384*20*time.Millisecond; got != want {
		t.Errorf("setupBudget = %v, want %v", got, want)
	}
	if got := cfg.watchdogBudget(); got > 25*time.Minute {
		t.Errorf("watchdogBudget at the limits = %v, want at most 25m", got)
	}
	cfg.mode = "accept"
	if got := cfg.setupBudget(); got != 0 {
		t.Errorf("accept mode setupBudget = %v, want 0 (no persistent connections)", got)
	}
}
