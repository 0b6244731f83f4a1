#!/usr/bin/env bash
# emit-layouts.sh — signal.BenchmarkEmitVsFloor over several code layouts.
#
#   bench/emit-layouts.sh [COUNT]
#
# The emission benchmark's ratio (signal/floor) depends on where the
# linker happens to put Emit: on this machine (AMD EPYC, 2 vCPUs) the same
# code measured 1.04 in one build and 1.34–1.42 in builds that differed
# only by a function added before it. So one build's ratio says little.
# This script builds package signal's test binary PADS times, each with a
# padding function of a different size added to the package through
# `go test -overlay` (the tree is not touched), which moves every function
# of the package by 0, 32, 64 and 96 bytes (two builds at each of the
# two alignments modulo 64 bytes that a 32-byte-aligned function can
# take); it runs the benchmark COUNT
# times (default 3) in each build, the builds interleaved, and prints the
# ratios per build and their median over all builds.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
COUNT="${1:-3}"
[[ "$COUNT" =~ ^[1-9][0-9]?$ ]] || { echo "emit-layouts.sh: COUNT must be 1..99" >&2; exit 2; }
PADS=(1 4 7 10)

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

for p in "${PADS[@]}"; do
  {
    echo "package signal"
    echo
    echo "//go:noinline"
    echo "func layoutPadCall(i int) { layoutPadSink += i }"
    echo
    echo "//go:noinline"
    echo "func layoutPad() {"
    for ((i = 1; i <= p; i++)); do echo "	layoutPadCall($i)"; done
    echo "}"
    echo
    echo "var layoutPadSink int"
    echo
    echo "func init() {"
    echo "	if layoutPadSink < 0 {"
    echo "		layoutPad()"
    echo "	}"
    echo "}"
  } >"$TMP/pad$p.go"
  printf '{"Replace": {"%s": "%s"}}\n' "$ROOT/signal/aaa_layout_pad.go" "$TMP/pad$p.go" >"$TMP/overlay$p.json"
  (cd "$ROOT" && go test -c -overlay "$TMP/overlay$p.json" -o "$TMP/signal$p.test" ./signal)
done

for ((r = 1; r <= COUNT; r++)); do
  for p in "${PADS[@]}"; do
    "$TMP/signal$p.test" -test.run '^$' -test.bench 'EmitVsFloor/n=' -test.count 1 |
      awk -v p="$p" '/^BenchmarkEmitVsFloor\/n=/ {
        for (i = 1; i < NF; i++) if ($(i + 1) == "signal/floor") r = $i
        split($1, a, "/"); sub(/-[0-9]+$/, "", a[2]); print p, a[2], r }'
  done
done >"$TMP/ratios"

echo "# signal/floor per build (pad P calls), $COUNT run(s) each; $(date -u +%FT%TZ), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for n in $(awk '{print $2}' "$TMP/ratios" | sort -u); do
  for p in "${PADS[@]}"; do
    printf '%-5s pad %-2s %s\n' "$n" "$p" "$(awk -v p="$p" -v n="$n" '$1 == p && $2 == n {printf "%s ", $3}' "$TMP/ratios")"
  done
  printf '%-5s median over all builds: %s\n' "$n" \
    "$(awk -v n="$n" '$2 == n {print $3}' "$TMP/ratios" | sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}')"
done
