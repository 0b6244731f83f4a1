package main

import (
	"os"
	"testing"
	"time"
)

func TestFormatResult(t *testing.T) {
	h := new(histogram)
	for range 10 {
		h.add(100_000)
	}
	tests := []struct {
		cfg  config
		res  result
		want string
	}{
		{
			config{mode: "echo", network: "tcp", conns: 2, msg: 1 << 20, label: "go-tcp/x"},
			result{elapsed: 2 * time.Second, hist: h},
			"label=go-tcp/x mode=echo net=tcp conns=2 msg=1048576 elapsed_s=2.000 ops=10 rate=5.0 unit=rt/s mib_s=5.0 p50_us=99.8 p99_us=99.8 max_us=100.0 errors=0",
		},
		{
			config{mode: "accept", network: "unix", conns: 4, msg: 64},
			result{elapsed: time.Second, hist: h, errors: 3, firstErr: `dial: "x"`},
			`mode=accept net=unix conns=4 elapsed_s=1.000 ops=10 rate=10.0 unit=conn/s p50_us=99.8 p99_us=99.8 max_us=100.0 errors=3 first_error="dial: \"x\""`,
		},
		{
			config{mode: "hold", network: "unix", conns: 10, msg: 1},
			result{elapsed: time.Second, hist: h, setupRate: 1234.56, rss: &rssPair{before: 1000, held: 1020}},
			"mode=hold net=unix conns=10 elapsed_s=1.000 ops=10 rate=1234.6 unit=conn/s p50_us=99.8 p99_us=99.8 max_us=100.0 rss_before_kib=1000 rss_held_kib=1020 rss_per_conn_b=2048 errors=0",
		},
		{
			// 30 + 20 ticks of server CPU (0.5 s) over 10 round trips in 2 s.
			config{mode: "echo", network: "unix", conns: 2, msg: 64},
			result{elapsed: 2 * time.Second, hist: h, cpu: &cpuPair{before: cpuTicks{100, 50}, after: cpuTicks{130, 70}}},
			"mode=echo net=unix conns=2 msg=64 elapsed_s=2.000 ops=10 rate=5.0 unit=rt/s mib_s=0.0 p50_us=99.8 p99_us=99.8 max_us=100.0 server_user_us=30000.00 server_sys_us=20000.00 server_cpu_pct=25.0 errors=0",
		},
		{
			config{mode: "echo", network: "tcp", conns: 1, msg: 64},
			result{hist: new(histogram)},
			"mode=echo net=tcp conns=1 msg=64 elapsed_s=0.000 ops=0 rate=0.0 unit=rt/s mib_s=0.0 p50_us=0.0 p99_us=0.0 max_us=0.0 errors=0",
		},
	}
	for _, tt := range tests {
		if got := formatResult(tt.cfg, tt.res); got != tt.want {
			t.Errorf("formatResult:\n got %s\nwant %s", got, tt.want)
		}
	}
}

func TestParseCPU(t *testing.T) {
	// utime (14) 1234 and stime (15) 56, after a command name that holds
	// spaces and parentheses.
	line := "4242 (a b) (c)) S 1 4242 4242 0 -1 4194304 100 0 0 0 1234 56 0 0 20 0 3 0 99 1000 200 18446744073709551615\n"
	if got, err := parseCPU([]byte(line)); err != nil || got != (cpuTicks{1234, 56}) {
		t.Errorf("parseCPU = %+v, %v; want {1234 56}", got, err)
	}
	for _, bad := range []string{"", "4242 no parens S 1 2 3 4 5 6 7 8 9 10 11 12 13", "1 (x) S 1 2 3", "1 (x) S 1 2 3 4 5 6 7 8 9 10 u 12 13", "1 (x) S 1 2 3 4 5 6 7 8 9 10 11 s 13"} {
		if _, err := parseCPU([]byte(bad)); err == nil {
			t.Errorf("parseCPU(%q) succeeded, want an error", bad)
		}
	}
	if _, err := readCPU(os.Getpid()); err != nil {
		t.Errorf("readCPU(self): %v", err)
	}
	if _, err := readCPU(1 << 30); err == nil {
		t.Error("readCPU of a process that does not exist succeeded")
	}
}

func TestParseRSS(t *testing.T) {
	got, err := parseRSS([]byte("Name:\tx\nVmPeak:\t  9 kB\nVmRSS:\t    4468 kB\nRssAnon:\t 1 kB\n"))
	if err != nil || got != 4468 {
		t.Errorf("parseRSS = %d, %v; want 4468", got, err)
	}
	for _, bad := range []string{"", "VmRSS:\t12 MB\n", "VmRSS:\tx kB\n", "Name: x\n"} {
		if _, err := parseRSS([]byte(bad)); err == nil {
			t.Errorf("parseRSS(%q) succeeded, want an error", bad)
		}
	}
	if kib, err := readRSS(os.Getpid()); err != nil || kib <= 0 {
		t.Errorf("readRSS(self) = %d, %v; want a positive size", kib, err)
	}
	if _, err := readRSS(1 << 30); err == nil {
		t.Error("readRSS of a process that does not exist succeeded")
	}
}
