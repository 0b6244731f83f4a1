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
// adds the rss_ keys before errors).
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
	fmt.Fprintf(&b, " errors=%d", res.errors)
	if res.firstErr != "" {
		fmt.Fprintf(&b, " first_error=%q", res.firstErr)
	}
	return b.String()
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
