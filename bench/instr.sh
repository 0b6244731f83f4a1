#!/usr/bin/env bash
# instr.sh — instructions per async step (and per echo round trip), counted
# by callgrind: the A/B measure for work on the GIO path that does not
# drown in this machine's noise.
#
# Usage:
#   bench/instr.sh [REV...]        the working tree, or each git revision
#   ECHO=1 bench/instr.sh [REV...] also the gioecho server per round trip
#   ACCEPT=1 bench/instr.sh [REV...] also the gioecho server per accepted
#                                  connection
#   TOP=20 bench/instr.sh          also the 20 costliest functions
#   STEP=0 ...                     without the step
#
# step  gio's TestInstrAsyncSteps (the async half of
#       BenchmarkAsyncStepVsDirect: ReadAsync and WriteAllAsync ping-pong
#       over a socketpair on one loop) runs under callgrind twice, with
#       2,000 and 12,000 steps; bench/cgdiff.py subtracts the two profiles
#       and divides by 10,000. A revision older than the test gets the
#       working tree's gio/stepcost_bench_test.go.
# echo  demo/gioecho (SocketService) runs under callgrind while the load
#       generator (bench/build.sh's, $SIGLOOP_BENCH_BIN/loadgen) makes
#       20,000 and then, in a second run, 80,000 round trips of 64 B over
#       50 Unix connections, with no warm-up; the difference is divided by
#       60,000. The profile is dumped with callgrind_control before the
#       server is killed (callgrind cannot take its SIGTERM).
# accept demo/gioecho --mode accept under the load generator's accept mode
#       (4 workers over Unix: connect, wait for the server's close), 5,000
#       and then 20,000 connections; the difference is divided by 15,000.
#
# Counts are of user-space instructions, the same within about 1% from
# run to run; they leave out the kernel, and cache and branch behaviour,
# so a change that moves them must still be confirmed in CPU time
# (bench/run.sh, server_user_us). A step includes a whole main-loop
# iteration, which the echo shares among its 50 connections.
#
# Needs valgrind (Debian: apt-get install valgrind). GODEBUG=asyncpreemptoff=1
# keeps the runtime's preemption signals away from callgrind.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
BIN="${SIGLOOP_BENCH_BIN:-/tmp/sigloop-bench-bin}"
TOP="${TOP:-0}"
ECHO="${ECHO:-0}"
ACCEPT="${ACCEPT:-0}"
STEP="${STEP:-1}"
WORK="$(mktemp -d /tmp/sigloop-instr.XXXXXX)"
trap 'cd /; for w in "$WORK"/tree-*; do [ -d "$w" ] && git -C "$ROOT" worktree remove --force "$w" >/dev/null 2>&1; done; rm -rf "$WORK"' EXIT

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
  exit 0
fi
command -v valgrind >/dev/null || { echo "instr.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }

# tree REV: a directory with REV's tree ("" is the working tree).
tree() {
  if [ -z "$1" ]; then echo "$ROOT"; return; fi
  local w="$WORK/tree-$(git -C "$ROOT" rev-parse --short "$1")"
  git -C "$ROOT" worktree add -q --detach "$w" "$1"
  if ! grep -q TestInstrAsyncSteps "$w/gio/stepcost_bench_test.go" 2>/dev/null; then
    cp "$ROOT/gio/stepcost_bench_test.go" "$w/gio/"
  fi
  echo "$w"
}

step() { # DIR LABEL
  local dir=$1 label=$2 n
  (cd "$dir" && go test -c -o "$WORK/gio.test" ./gio)
  for n in 2000 12000; do
    (cd "$dir/gio" && SIGLOOP_INSTR_STEPS=$n GODEBUG=asyncpreemptoff=1 \
      valgrind --tool=callgrind --callgrind-out-file="$WORK/step.$n" "$WORK/gio.test" \
      -test.run '^TestInstrAsyncSteps$' -test.count 1 >/dev/null 2>"$WORK/step.$n.log") ||
      { echo "instr.sh: the step run failed, see below" >&2; tail -20 "$WORK/step.$n.log" >&2; exit 1; }
  done
  echo "$label step: $(python3 "$HERE/cgdiff.py" "$WORK/step.2000" "$WORK/step.12000" 10000 "$TOP")"
}

# server_run MODE N LOADGEN-ARGS...: the gioecho server under callgrind while
# the load generator makes N operations; the profile is $WORK/MODE.N.*.
server_run() {
  local mode=$1 n=$2 sock vp
  shift 2
  sock="$WORK/$mode.sock"; rm -f "$sock"
  GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file="$WORK/$mode.$n" \
    "$WORK/gioecho" --unix "$sock" --mode "$mode" >/dev/null 2>"$WORK/$mode.$n.log" &
  vp=$!
  "$BIN/loadgen" --unix "$sock" --mode "$mode" "$@" --count "$n" --duration 600s \
    --warmup 0s --wait-ready 60s >/dev/null
  callgrind_control -d "$vp" >/dev/null 2>&1
  sleep 1
  kill -9 "$vp" 2>/dev/null; wait "$vp" 2>/dev/null || true
}

# server_ops DIR LABEL MODE SHORT LONG LOADGEN-ARGS...: instructions per
# operation of the gioecho server in MODE.
server_ops() {
  local dir=$1 label=$2 mode=$3 short=$4 long=$5
  shift 5
  [ -x "$BIN/loadgen" ] || { echo "instr.sh: no $BIN/loadgen: run bench/build.sh" >&2; exit 2; }
  (cd "$dir" && go build -o "$WORK/gioecho" ./demo/gioecho)
  server_run "$mode" "$short" "$@"
  server_run "$mode" "$long" "$@"
  echo "$label $mode: $(python3 "$HERE/cgdiff.py" "$(ls "$WORK/$mode.$short".* | head -1)" "$(ls "$WORK/$mode.$long".* | head -1)" $((long - short)) "$TOP")"
  rm -f "$WORK/$mode".*
}

revs=("$@")
[ ${#revs[@]} -eq 0 ] && revs=("")
for rev in "${revs[@]}"; do
  dir="$(tree "$rev")"
  label="${rev:-working tree}"
  if [ "$STEP" = 1 ]; then step "$dir" "$label"; fi
  if [ "$ECHO" = 1 ]; then server_ops "$dir" "$label" echo 20000 80000 --conns 50 --msg 64; fi
  if [ "$ACCEPT" = 1 ]; then server_ops "$dir" "$label" accept 5000 20000 --conns 4; fi
done
