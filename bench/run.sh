#!/usr/bin/env bash
# run.sh — runs sigloop's echo/accept benchmark scenarios against server
# targets and prints one result line per scenario; every line also goes to
# a raw results file (TSV) for plot.py.
#
# Usage:
#   bench/run.sh TARGET...                  the four scenarios per target
#   bench/run.sh --custom NAME tcp|unix -- SERVER [ARGS...]
#                                           any server with the shared
#                                           command line (BENCHMARKS.md)
#   bench/run.sh scale TARGET...            echo, 64 B, at 1, 10, 100, 1000
#                                           and 10000 connections
#   bench/run.sh mem TARGET...              server memory per idle connection
#                                           (loadgen --mode hold)
#   bench/run.sh --help
#
# Built-in targets (binaries from bench/build.sh, in $SIGLOOP_BENCH_BIN):
#   go-tcp  go-unix              go_echo_server (raw Go floor)
#   glib-tcp  glib-unix          glib_echo_server (GSocketService)
#   glib-threaded-tcp  glib-threaded-unix
#                                glib_echo_server --threaded (GThreadedSocketService)
#   qt-unix                      qt_local_echo_server (QLocalServer)
#   gio-tcp  gio-unix            sigloop_gioecho (SocketService; with only
#                                cmd/anchor-gio-echo in the tree: its Socket
#                                accept source)
#   gio-socket-tcp               sigloop_gioecho --socket (Socket accept source)
#   gio-threaded-tcp             sigloop_gioecho --threaded (ThreadedSocketService)
#   qtnet-unix                   sigloop_localecho (qtnet LocalServer)
#   anchors                      go-tcp go-unix glib-tcp glib-unix glib-threaded-tcp qt-unix
#   sigloop                      gio-tcp gio-unix gio-socket-tcp gio-threaded-tcp qtnet-unix
#   all                          anchors, then sigloop
# A sigloop target whose binary (or flavour) was not built prints SKIPPED.
#
# For every scenario a fresh server is started with
#   SERVER [ARGS...] --tcp 127.0.0.1:PORT --mode echo|accept
#   SERVER [ARGS...] --unix /tmp/sigloop-bench-PID-N.sock --mode echo|accept
# loadgen waits (up to 5 s) until it accepts connections, drives it, and
# the server is then stopped by its PID (SIGTERM, then SIGKILL after 2 s).
# loadgen is given the server's PID: besides the rate it reports the
# server's CPU time per operation over the measurement (server_user_us,
# server_sys_us; summarize.py cpu), which still tells servers apart when
# the load generator is what limits the rate.
#
# Scenarios (each DURATION long after a WARMUP):
#   echo-1c-64B      echo, 1 connection, 64-byte messages
#   echo-50c-64B     echo, 50 connections, 64-byte messages
#   echo-50c-16KiB   echo, 50 connections, 16 KiB messages
#   accept-4c        accept, 4 workers looping connect / wait-EOF / close
#   scale:  echo-<N>c-64B for N in SCALE_CONNS
#   mem:    hold-<N>c for N in MEM_CONNS (VmRSS per idle connection)
#
# Environment:
#   SIGLOOP_BENCH_BIN  where build.sh put the binaries (default /tmp/sigloop-bench-bin)
#   DURATION     measured time per scenario         (default 5s, max 30s)
#   WARMUP       unmeasured warm-up per scenario    (default 500ms, max 5s)
#   PIN          1 (default with >= 2 CPUs and taskset): server on CPU 0,
#                loadgen on CPU 1; same: both on CPU 0 (no cross-CPU
#                wake-ups: shows CPU time per message); 0: no pinning
#   PORT         first TCP port to try               (default 24600)
#   SCENARIOS    space-separated subset of the four scenarios (default: all)
#   SCALE_CONNS  connection counts of scale          (default "1 10 100 1000 10000")
#   MEM_CONNS    connection counts of mem            (default "1000 10000")
#   RESULTS      raw results file to append to       (default
#                bench/results/MODE-YYYYmmddTHHMMSSZ.tsv)
# scale and mem raise the open-file limit (ulimit -n) as far as the hard
# limit allows; counts above it are skipped.
#
# Only 127.0.0.1 and unix socket paths under /tmp are ever used.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN="${SIGLOOP_BENCH_BIN:-/tmp/sigloop-bench-bin}"
LOADGEN="$BIN/loadgen"
DURATION="${DURATION:-5s}"
WARMUP="${WARMUP:-500ms}"
PORT="${PORT:-24600}"
NEXT_PORT="$PORT"
SCALE_CONNS="${SCALE_CONNS:-1 10 100 1000 10000}"
MEM_CONNS="${MEM_CONNS:-1000 10000}"

die() { echo "run.sh: $*" >&2; exit 2; }

usage() {
  sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
  exit 2
}

case "$DURATION" in
  [0-9]ms|[0-9][0-9]ms|[0-9][0-9][0-9]ms|[1-9]s|[12][0-9]s|30s) ;;
  *) die "DURATION must be between 1ms and 30s (e.g. 5s), got '$DURATION'" ;;
esac
case "$WARMUP" in
  0|0s|[0-9]ms|[0-9][0-9]ms|[0-9][0-9][0-9]ms|[1-5]s) ;;
  *) die "WARMUP must be at most 5s (e.g. 500ms), got '$WARMUP'" ;;
esac
for n in $SCALE_CONNS $MEM_CONNS; do
  [[ "$n" =~ ^[1-9][0-9]*$ && "$n" -le 16384 ]] || die "connection counts must be in 1..16384, got '$n'"
done

# ---- CPU pinning ---------------------------------------------------------------
if [[ -z "${PIN:-}" ]]; then
  if [[ "$(nproc)" -ge 2 ]] && command -v taskset >/dev/null; then PIN=1; else PIN=0; fi
fi
case "$PIN" in
  1)    SERVER_PIN=(taskset -c 0); CLIENT_PIN=(taskset -c 1) ;;
  same) SERVER_PIN=(taskset -c 0); CLIENT_PIN=(taskset -c 0) ;;
  0)    SERVER_PIN=();             CLIENT_PIN=() ;;
  *)    die "PIN must be 1, same or 0" ;;
esac
# (taskset execs the server, so $! is the server's own PID.)

LOGDIR=""
RESULTS_FILE=""
SERVER_PID=""
SOCK_SEQ=0

cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  rm -f /tmp/sigloop-bench-$$-*.sock
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Sets PORT_FOUND to a free loopback TCP port from NEXT_PORT on (a global:
# a $(...) subshell could not advance NEXT_PORT).
PORT_FOUND=""
free_port() {
  local p="$NEXT_PORT"
  while (: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  ((p < 32768)) || die "no free port below the ephemeral range (PORT=$PORT)"
  NEXT_PORT=$((p + 1))
  PORT_FOUND="$p"
}

stop_server() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 20); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  SERVER_PID=""
}

# Raw results: one TSV row per scenario; the columns are the loadgen keys.
TSV_KEYS=(mode net conns msg elapsed_s ops rate unit mib_s p50_us p99_us max_us errors rss_before_kib rss_held_kib rss_per_conn_b server_user_us server_sys_us server_cpu_pct)
start_results() {
  local kind="$1"
  if [[ -n "${RESULTS:-}" ]]; then
    RESULTS_FILE="$RESULTS"
  else
    mkdir -p "$HERE/results"
    RESULTS_FILE="$HERE/results/$kind-$(date -u '+%Y%m%dT%H%M%SZ').tsv"
  fi
}

# tsv_header — the column names, once per file, after the first sitting's
# comment lines (a file may collect several sittings; plot.py skips "#").
tsv_header() {
  if ! grep -q '^time	' "$RESULTS_FILE" 2>/dev/null; then
    local IFS=$'\t'
    echo "time	target	scenario	pin	loadavg	${TSV_KEYS[*]}	status" >>"$RESULTS_FILE"
  fi
}

# record TARGET SCENARIO LINE STATUS — appends a TSV row for a loadgen line.
record() {
  local target="$1" scenario="$2" line="$3" status="$4" k kv
  local -A f=()
  for kv in ${line%% first_error=*}; do
    [[ "$kv" == *=* ]] && f["${kv%%=*}"]="${kv#*=}"
  done
  local row=("$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$target" "$scenario" "$PIN" "$(cut -d' ' -f1 /proc/loadavg)")
  for k in "${TSV_KEYS[@]}"; do row+=("${f[$k]:--}"); done
  row+=("$status")
  local IFS=$'\t'
  echo "${row[*]}" >>"$RESULTS_FILE"
}

# run_scenario TARGET TRANSPORT SCENARIO MODE CONNS MSG -- SERVER [ARGS...]
run_scenario() {
  local target="$1" transport="$2" scenario="$3" mode="$4" conns="$5" msg="$6"
  shift 7
  local -a server=("$@") addr extra=()
  local log="$LOGDIR/$target.$scenario.log" result status=ok server_mode="$mode"

  if [[ "$transport" == tcp ]]; then
    free_port
    addr=(--tcp "127.0.0.1:$PORT_FOUND")
  else
    SOCK_SEQ=$((SOCK_SEQ + 1))
    addr=(--unix "/tmp/sigloop-bench-$$-$SOCK_SEQ.sock")
  fi
  [[ "$mode" == hold ]] && server_mode=echo

  "${SERVER_PIN[@]}" "${server[@]}" "${addr[@]}" --mode "$server_mode" >"$log" 2>&1 &
  SERVER_PID=$!
  # Memory (hold) or CPU time per operation (echo, accept) of the server.
  extra=(--server-pid "$SERVER_PID")

  # Room for opening many connections (loadgen allows 10 ms each).
  result="$(timeout -k 5 $((90 + conns / 50)) "${CLIENT_PIN[@]}" "$LOADGEN" "${addr[@]}" \
    --mode "$mode" --conns "$conns" --msg "$msg" \
    --duration "$DURATION" --warmup "$WARMUP" --wait-ready 5s "${extra[@]}" \
    --label "$target/$scenario" 2>>"$log")"

  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    result="${result:+$result }SERVER-EXITED-EARLY"
    status=server-exited
  fi
  stop_server "$SERVER_PID"
  [[ "$transport" == unix ]] && rm -f "${addr[1]}"
  if [[ -z "$result" ]]; then
    result="FAILED: $(tail -n 1 "$log")"
    status=failed
  elif [[ "$result" != *" errors=0"* && "$status" == ok ]]; then
    status=errors
  fi
  record "$target" "$scenario" "$result" "$status"
  printf '%-22s %-15s %s\n' "$target" "$scenario" "$result"
}

# Scenario lists: "NAME MODE CONNS MSG" each.
scenarios_std() {
  local spec
  for spec in "echo-1c-64B echo 1 64" "echo-50c-64B echo 50 64" \
              "echo-50c-16KiB echo 50 16384" "accept-4c accept 4 64"; do
    [[ -z "${SCENARIOS:-}" || " $SCENARIOS " == *" ${spec%% *} "* ]] && echo "$spec"
  done
}
scenarios_scale() { local n; for n in $SCALE_CONNS; do echo "echo-${n}c-64B echo $n 64"; done; }
scenarios_mem() { local n; for n in $MEM_CONNS; do echo "hold-${n}c hold $n 64"; done; }
SCENARIO_LIST=scenarios_std

# run_target NAME TRANSPORT SERVER [ARGS...]
run_target() {
  local name="$1" transport="$2" spec conns
  shift 2
  [[ -x "$1" ]] || command -v "$1" >/dev/null || die "$name: server '$1' not found (run bench/build.sh?)"
  while read -r spec; do
    conns="$(cut -d' ' -f3 <<<"$spec")"
    if ((conns + 64 > $(ulimit -n))); then
      printf '%-22s %-15s %s\n' "$name" "${spec%% *}" "SKIPPED: ulimit -n is $(ulimit -n)"
      continue
    fi
    # shellcheck disable=SC2086
    run_scenario "$name" "$transport" $spec -- "$@"
  done < <($SCENARIO_LIST)
}

# skip_target NAME WHY — one SKIPPED line per scenario.
skip_target() {
  local spec
  while read -r spec; do
    printf '%-22s %-15s %s\n' "$1" "${spec%% *}" "SKIPPED: $2"
  done < <($SCENARIO_LIST)
}

# sigloop_src NAME — the package a sigloop binary was built from, or "".
sigloop_src() { [[ -x "$BIN/$1" && -f "$BIN/$1.src" ]] && cat "$BIN/$1.src"; }

run_builtin() {
  local gio localecho
  gio="$(sigloop_src sigloop_gioecho)"
  localecho="$(sigloop_src sigloop_localecho)"
  case "$1" in
    go-tcp)             run_target "$1" tcp  "$BIN/go_echo_server" ;;
    go-unix)            run_target "$1" unix "$BIN/go_echo_server" ;;
    glib-tcp)           run_target "$1" tcp  "$BIN/glib_echo_server" ;;
    glib-unix)          run_target "$1" unix "$BIN/glib_echo_server" ;;
    glib-threaded-tcp)  run_target "$1" tcp  "$BIN/glib_echo_server" --threaded ;;
    glib-threaded-unix) run_target "$1" unix "$BIN/glib_echo_server" --threaded ;;
    qt-unix)            run_target "$1" unix "$BIN/qt_local_echo_server" ;;
    gio-tcp|gio-unix)
      if [[ -z "$gio" ]]; then skip_target "$1" "sigloop_gioecho not built"
      else run_target "$1" "${1#gio-}" "$BIN/sigloop_gioecho"; fi ;;
    gio-socket-tcp)
      case "$gio" in
        demo/gioecho)        run_target "$1" tcp "$BIN/sigloop_gioecho" --socket ;;
        cmd/anchor-gio-echo) run_target "$1" tcp "$BIN/sigloop_gioecho" ;; # that is its structure
        *)                   skip_target "$1" "sigloop_gioecho not built" ;;
      esac ;;
    gio-threaded-tcp)
      if [[ "$gio" == demo/gioecho ]]; then run_target "$1" tcp "$BIN/sigloop_gioecho" --threaded
      else skip_target "$1" "needs demo/gioecho (built from '${gio:-nothing}')"; fi ;;
    qtnet-unix)
      if [[ -n "$localecho" ]]; then run_target "$1" unix "$BIN/sigloop_localecho"
      else skip_target "$1" "needs demo/localecho"; fi ;;
    *) die "unknown target '$1' (try --help)" ;;
  esac
}

ANCHOR_TARGETS=(go-tcp go-unix glib-tcp glib-unix glib-threaded-tcp qt-unix)
SIGLOOP_TARGETS=(gio-tcp gio-unix gio-socket-tcp gio-threaded-tcp qtnet-unix)

header() {
  local gio localecho
  gio="$(sigloop_src sigloop_gioecho)"
  localecho="$(sigloop_src sigloop_localecho)"
  local h1 h2 h3
  h1="# sigloop bench/run.sh $*  $(date -u '+%Y-%m-%dT%H:%M:%SZ')  host=$(uname -n) kernel=$(uname -r)"
  h2="# cpus=$(nproc) cpu=\"$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')\" pin=$PIN duration=$DURATION warmup=$WARMUP loadavg=$(cut -d' ' -f1-3 /proc/loadavg) ulimit_n=$(ulimit -n)"
  h3="# sigloop servers: gioecho=${gio:-none} localecho=${localecho:-none}  logs=$LOGDIR  results=$RESULTS_FILE"
  printf '%s\n%s\n%s\n' "$h1" "$h2" "$h3"
  printf '%s\n%s\n%s\n' "$h1" "$h2" "$h3" >>"$RESULTS_FILE"
  tsv_header
}

# raise_nofile: as high as the hard limit allows (at most 65536).
raise_nofile() {
  local hard want=65536
  hard="$(ulimit -Hn)"
  [[ "$hard" != unlimited && "$hard" -lt "$want" ]] && want="$hard"
  ulimit -n "$want" 2>/dev/null || echo "run.sh: could not raise ulimit -n to $want" >&2
}

# ---- main ----------------------------------------------------------------------
[[ $# -ge 1 ]] || usage
case "$1" in -h|--help) usage ;; esac
[[ -x "$LOADGEN" ]] || die "loadgen not found in $BIN (run bench/build.sh first)"

kind=run
case "$1" in
  scale) kind=scale; SCENARIO_LIST=scenarios_scale; shift; raise_nofile ;;
  mem)   kind=mem;   SCENARIO_LIST=scenarios_mem;   shift; raise_nofile ;;
esac
[[ $# -ge 1 ]] || usage

if [[ "$1" == "--custom" ]]; then
  [[ $# -ge 5 && "$4" == "--" ]] || die "usage: run.sh [scale|mem] --custom NAME tcp|unix -- SERVER [ARGS...]"
  name="$2" transport="$3"
  [[ "$transport" == tcp || "$transport" == unix ]] || die "transport must be tcp or unix"
  [[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || die "NAME may only hold letters, digits, '.', '_' and '-'"
  shift 4
  LOGDIR="$(mktemp -d /tmp/sigloop-bench-logs.XXXXXX)"
  start_results "$kind"
  header "$kind --custom $name $transport -- $*"
  run_target "$name" "$transport" "$@"
  exit 0
fi

targets=()
for t in "$@"; do
  case "$t" in
    anchors) targets+=("${ANCHOR_TARGETS[@]}") ;;
    sigloop) targets+=("${SIGLOOP_TARGETS[@]}") ;;
    all)     targets+=("${ANCHOR_TARGETS[@]}" "${SIGLOOP_TARGETS[@]}") ;;
    go-tcp|go-unix|glib-tcp|glib-unix|glib-threaded-tcp|glib-threaded-unix|qt-unix|\
    gio-tcp|gio-unix|gio-socket-tcp|gio-threaded-tcp|qtnet-unix) targets+=("$t") ;;
    *) die "unknown target '$t' (try --help)" ;;
  esac
done
LOGDIR="$(mktemp -d /tmp/sigloop-bench-logs.XXXXXX)"
start_results "$kind"
header "$kind ${targets[*]}"
for t in "${targets[@]}"; do
  run_builtin "$t"
done
