package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// formatResult is the one result line: space-separated key=value pairs in
// a fixed order (the same as the reference harness's loadgen; hold mode
// adds the rss_ keys before errors, and echo and accept mode with
// --server-pid the server_ keys: the server's user and system CPU time per
// operation in microseconds, and its CPU use in percent of one CPU).
func formatResult(cfg config, res result) string {
	secs := res.elapsed.Seconds()
	h := res.hist
	rate := 0.0
	if secs > 0 {
		rate = float64(h.n) / secs
	}
	var b strings.Builder
	if cfg.label != "" {
		fmt.Fprintf(&b, "label=%s ", cfg.label)
	}
	fmt.Fprintf(&b, "mode=%s net=%s conns=%d", cfg.mode, cfg.network, cfg.conns)
	if cfg.mode == "echo" {
		fmt.Fprintf(&b, " msg=%d", cfg.msg)
	}
	switch cfg.mode {
	case "echo":
		fmt.Fprintf(&b, " elapsed_s=%.3f ops=%d rate=%.1f unit=rt/s mib_s=%.1f", secs, h.n, rate, rate*float64(cfg.msg)/(1<<20))
	case "accept":
		fmt.Fprintf(&b, " elapsed_s=%.3f ops=%d rate=%.1f unit=conn/s", secs, h.n, rate)
	case "hold": // rate: how fast the connections were opened
		fmt.Fprintf(&b, " elapsed_s=%.3f ops=%d rate=%.1f unit=conn/s", secs, h.n, res.setupRate)
	}
	fmt.Fprintf(&b, " p50_us=%.1f p99_us=%.1f max_us=%.1f", h.quantile(0.50)/1e3, h.quantile(0.99)/1e3, float64(h.max)/1e3)
	if p := res.rss; p != nil {
		perConn := float64(p.held-p.before) * 1024 / float64(max(h.n, 1))
		fmt.Fprintf(&b, " rss_before_kib=%d rss_held_kib=%d rss_per_conn_b=%.0f", p.before, p.held, perConn)
	}
	if c := res.cpu; c != nil {
		ops := float64(max(h.n, 1))
		user, sys := ticksUS(c.after.user-c.before.user), ticksUS(c.after.sys-c.before.sys)
		pct := 0.0
		if secs > 0 {
			pct = (user + sys) / 1e4 / secs
		}
		fmt.Fprintf(&b, " server_user_us=%.2f server_sys_us=%.2f server_cpu_pct=%.1f", user/ops, sys/ops, pct)
	}
	fmt.Fprintf(&b, " errors=%d", res.errors)
	if res.firstErr != "" {
		fmt.Fprintf(&b, " first_error=%q", res.firstErr)
	}
	return b.String()
}

// cpuTicks is a process's CPU time so far, user and system, in clock
// ticks.
type cpuTicks struct{ user, sys int64 }

// cpuPair is the server's CPU time at the start and at the end of the
// measurement (echo and accept mode with --server-pid).
type cpuPair struct{ before, after cpuTicks }

// userHZ is the unit of the times in /proc/PID/stat: USER_HZ, which Linux
// fixes at 100 ticks a second for user space on every architecture (what
// sysconf(_SC_CLK_TCK) returns). Over a measurement of seconds a tick is
// well under 1% of a busy server's time.
const userHZ = 100

// ticksUS is n clock ticks in microseconds.
func ticksUS(n int64) float64 { return float64(n) * 1e6 / userHZ }

// readCPU returns the CPU time process pid has used, all its threads
// together (utime and stime of /proc/PID/stat).
func readCPU(pid int) (cpuTicks, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return cpuTicks{}, fmt.Errorf("server CPU: %w", err)
	}
	return parseCPU(data)
}

// parseCPU takes utime and stime, fields 14 and 15, from a /proc/PID/stat
// line. Field 2, the command name, is in parentheses and may itself hold
// spaces and parentheses, so the fields are counted from the last ')'.
func parseCPU(stat []byte) (cpuTicks, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return cpuTicks{}, fmt.Errorf("server CPU: no command name in /proc/PID/stat")
	}
	f := strings.Fields(string(stat[i+1:])) // f[0] is field 3
	if len(f) < 13 {
		return cpuTicks{}, fmt.Errorf("server CPU: /proc/PID/stat has %d fields after the name, want 13 or more", len(f))
	}
	user, err := strconv.ParseInt(f[11], 10, 64)
	if err != nil {
		return cpuTicks{}, fmt.Errorf("server CPU: utime: %w", err)
	}
	sys, err := strconv.ParseInt(f[12], 10, 64)
	if err != nil {
		return cpuTicks{}, fmt.Errorf("server CPU: stime: %w", err)
	}
	return cpuTicks{user, sys}, nil
}

// readRSS returns the resident set size (VmRSS) of process pid in KiB.
func readRSS(pid int) (int64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("server memory: %w", err)
	}
	return parseRSS(data)
}

// parseRSS finds the VmRSS line of a /proc/PID/status file.
func parseRSS(status []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			break
		}
		return strconv.ParseInt(f[0], 10, 64)
	}
	return 0, fmt.Errorf("server memory: no VmRSS line in /proc/PID/status")
}
