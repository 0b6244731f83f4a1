#!/usr/bin/env bash
# equivalence.sh — checks bench/ against an external reference harness
# (a directory with the same run.sh interface and its own servers and
# loadgen, built into $ANCHORS_BIN): in one sitting it runs, ROUNDS times,
# for each of TARGETS and each scenario, back to back
#   A  the reference harness:   REF/run.sh TARGET
#   B  this harness:            bench/run.sh TARGET
#   C  this loadgen, reference server (cross check of the load generator
#      alone):                  bench/run.sh --custom ref-TARGET ... -- REF-SERVER
# and writes all result lines to OUT (default bench/results/equivalence-
# TIMESTAMP.txt); summarize.py turns that into the medians table.
#
#   bench/equivalence.sh REF_DIR
#   ROUNDS=5 TARGETS="glib-tcp qt-unix go-tcp" DURATION=2s PIN=1 bench/equivalence.sh REF_DIR
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REF="${1:?usage: equivalence.sh REF_DIR (a harness with run.sh and \$ANCHORS_BIN)}"
[[ -x "$REF/run.sh" ]] || { echo "equivalence.sh: $REF/run.sh not found" >&2; exit 2; }
REF_BIN="${ANCHORS_BIN:-/tmp/anchors-bin}"
export ANCHORS_BIN="$REF_BIN"
ROUNDS="${ROUNDS:-5}"
SCENARIO_NAMES="${SCENARIO_NAMES:-echo-1c-64B echo-50c-64B echo-50c-16KiB accept-4c}"
TARGETS="${TARGETS:-glib-tcp qt-unix go-tcp}"
export DURATION="${DURATION:-2s}" WARMUP="${WARMUP:-500ms}" PIN="${PIN:-1}"
OUT="${OUT:-$HERE/results/equivalence-$(date -u '+%Y%m%dT%H%M%SZ').txt}"
mkdir -p "$(dirname "$OUT")"

# ref_server TARGET — the reference binary and flags of a target.
ref_server() {
  case "$1" in
    go-tcp)   echo "tcp $REF_BIN/go_echo_server" ;;
    go-unix)  echo "unix $REF_BIN/go_echo_server" ;;
    glib-tcp) echo "tcp $REF_BIN/glib_echo_server" ;;
    glib-unix) echo "unix $REF_BIN/glib_echo_server" ;;
    glib-threaded-tcp) echo "tcp $REF_BIN/glib_echo_server --threaded" ;;
    qt-unix)  echo "unix $REF_BIN/qt_local_echo_server" ;;
    *) echo "" ;;
  esac
}

{
  echo "# equivalence.sh $REF  rounds=$ROUNDS targets=\"$TARGETS\" pin=$PIN duration=$DURATION"
  echo "# $(date -u '+%Y-%m-%dT%H:%M:%SZ') cpus=$(nproc) cpu=\"$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')\" loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT"
# Interleaved scenario by scenario, so that A, B and C of one round run
# within seconds of each other and share the machine's load; summarize.py
# reports the median of these paired ratios next to the ratio of medians.
for round in $(seq "$ROUNDS"); do
  for t in $TARGETS; do
    read -r net server <<<"$(ref_server "$t")"
    for sc in $SCENARIO_NAMES; do
      echo "## round $round $t $sc" | tee -a "$OUT"
      SCENARIOS="$sc" "$REF/run.sh" "$t" 2>&1 | grep -v '^#' | sed 's/^/A /' | tee -a "$OUT"
      SCENARIOS="$sc" RESULTS=/dev/null "$HERE/run.sh" "$t" 2>&1 | grep -v '^#' | sed 's/^/B /' | tee -a "$OUT"
      if [[ -n "$server" ]]; then
        # shellcheck disable=SC2086  # server flags must be split
        SCENARIOS="$sc" RESULTS=/dev/null "$HERE/run.sh" --custom "$t" "$net" -- $server 2>&1 |
          grep -v '^#' | sed 's/^/C /' | tee -a "$OUT"
      fi
    done
  done
done
echo "# done $(date -u '+%Y-%m-%dT%H:%M:%SZ') loadavg=$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT"
