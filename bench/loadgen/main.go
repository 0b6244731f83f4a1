// Command loadgen is sigloop's load generator for echo servers: it drives a
// server over loopback TCP or a unix socket and prints one result line.
// bench/run.sh runs it against GLib's, Qt's, plain Go's and sigloop's
// servers with the same scenarios (see BENCHMARKS.md).
//
// Usage:
//
//	loadgen (--tcp 127.0.0.1:PORT | --unix PATH) --mode echo|accept|hold
//	        [--conns N] [--msg BYTES] [--duration D] [--count N]
//	        [--warmup D] [--wait-ready D] [--io-timeout D] [--label S]
//	        [--server-pid PID]
//
// Modes:
//
//	echo    N persistent connections, each doing request/response round
//	        trips: write --msg bytes, read the same bytes back, verify
//	        them. Reports round trips per second (all connections
//	        together) and the p50/p99/max round-trip latency. The
//	        connections are opened before the clock starts, 32 at a
//	        time, each with one verified 8-byte round trip (so that a
//	        slow server never has more than 32 waiting in its backlog).
//	accept  N workers, each looping: connect, wait for the server to
//	        close (the server under test must run in its accept mode,
//	        which closes every connection at once), close. Reports
//	        connections per second and connect-to-EOF latency. Waiting
//	        for the server's EOF makes the test measure the server's
//	        accept path rather than the kernel's listen backlog.
//	hold    opens N connections as echo mode does (32 at a time, one
//	        verified 8-byte round trip each), then holds them idle for --warmup + --duration. With
//	        --server-pid it reports the server's VmRSS before the first
//	        connection and at the end, and the difference per connection
//	        (rss_before_kib, rss_held_kib, rss_per_conn_b). rate is the
//	        connections opened per second; latencies are connect plus
//	        first round trip.
//
// With --server-pid, echo and accept mode also report the server's CPU
// time over the measurement (utime and stime of /proc/PID/stat, all its
// threads): per operation, server_user_us and server_sys_us, and
// server_cpu_pct, its use of one CPU. When the load generator rather than
// the server limits the rate (a fast server with loadgen on its own CPU),
// the rate ties and the server's CPU per operation still tells the
// servers apart.
//
// Output: one line of space-separated key=value pairs, for example
//
//	mode=echo net=tcp conns=50 msg=64 elapsed_s=5.000 ops=123456 rate=24691.2 unit=rt/s mib_s=1.5 p50_us=1953.1 p99_us=4100.0 max_us=9000.0 errors=0
//
// Bounds: it only connects to loopback IP addresses or unix socket paths;
// --duration is capped at 10 minutes, --conns at 16384 (the fd limit must
// allow it; raise ulimit -n), --msg at 1 MiB; every socket has a deadline,
// and a watchdog ends the process if anything still hangs.
//
// Exit status: 0 success, 1 errors occurred (the line is still printed),
// 2 bad usage, 3 watchdog.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	cfg, err := parseArgs(os.Args[1:], os.Stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
		}
		os.Exit(2)
	}
	// Watchdog: whatever happens, the process ends.
	budget := cfg.watchdogBudget()
	time.AfterFunc(budget, func() {
		fmt.Fprintf(os.Stderr, "loadgen: watchdog fired after %v, exiting\n", budget)
		os.Exit(3)
	})
	os.Exit(execute(cfg, os.Stdout, os.Stderr))
}
