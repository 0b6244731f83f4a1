#!/usr/bin/env bash
# perf-echo.sh — where a server's CPU goes under the echo, sampled by perf:
# the profile that found the per-wait sources (BENCHMARKS.md section 0).
#
# Usage:
#   bench/perf-echo.sh [SERVER]       default: bench/build.sh's sigloop_gioecho
#   PIN=same|1 NET=unix|tcp CONNS=50 MSG=64 DURATION=4 TOP=40 bench/perf-echo.sh
#
# The server runs on CPU 0 (NET: a Unix path or a loopback TCP port) with
# the load generator on CPU 0 too (PIN=same, the default: the server's
# reads wait, as they do when the machine is loaded) or on CPU 1 (PIN=1).
# After two seconds of load, perf record -g samples the server for
# DURATION seconds; then it prints the share of user space and kernel, and
# the TOP functions of the server's own code by inclusive share (children). The
# load generator's line, with the server's CPU per round trip, comes
# first. Unlike bench/instr.sh (callgrind), this sees the regime the
# benchmark runs in: under callgrind the server is slower than its peer,
# and its reads nearly always find data.
#
# Needs perf (Debian: apt-get install linux-perf) and permission to
# sample another process (root, or kernel.perf_event_paranoid <= 1).
set -euo pipefail

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
  exit 0
fi
BIN="${SIGLOOP_BENCH_BIN:-/tmp/sigloop-bench-bin}"
SRV="${1:-$BIN/sigloop_gioecho}"
PIN="${PIN:-same}"
NET="${NET:-unix}"
CONNS="${CONNS:-50}"
MSG="${MSG:-64}"
DURATION="${DURATION:-4}"
TOP="${TOP:-40}"
command -v perf >/dev/null || { echo "perf-echo.sh: perf is not installed (apt-get install linux-perf)" >&2; exit 2; }
[ -x "$SRV" ] && [ -x "$BIN/loadgen" ] || { echo "perf-echo.sh: no $SRV or $BIN/loadgen: run bench/build.sh" >&2; exit 2; }
WORK="$(mktemp -d /tmp/sigloop-perf.XXXXXX)"
trap 'kill "$sp" 2>/dev/null; rm -rf "$WORK"' EXIT
if [ "$NET" = tcp ]; then addr="--tcp 127.0.0.1:25970"; else addr="--unix $WORK/s.sock"; fi
if [ "$PIN" = 1 ]; then lcpu=1; else lcpu=0; fi
# shellcheck disable=SC2086  # addr is two words
taskset -c 0 "$SRV" $addr >/dev/null 2>&1 &
sp=$!
# shellcheck disable=SC2086
taskset -c "$lcpu" "$BIN/loadgen" $addr --mode echo --conns "$CONNS" --msg "$MSG" \
  --duration "$((DURATION + 3))s" --warmup 1s --wait-ready 10s --server-pid "$sp" >"$WORK/lg.out" &
lp=$!
sleep 2
perf record -q -F 4999 -g -p "$sp" -o "$WORK/perf.data" -- sleep "$DURATION" >/dev/null 2>&1
wait "$lp"
cat "$WORK/lg.out"
perf report -i "$WORK/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null |
  awk '/%/ && !/^#/ { print "share:", $0 }'
perf report -i "$WORK/perf.data" --children --sort sym --stdio -g none 2>/dev/null |
  awk '/%/ && !/^#/ && !/\[k\]/' | sed 's#github.com/sigloop/sigloop/##' | head -n "$TOP"
