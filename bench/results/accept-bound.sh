#!/bin/bash
# accept-bound.sh REPS: accept-4c with the load generator's own CPU time per
# connection next to the server's, for the bound in BENCHMARKS.md
# ("accept-4c: what bounds it"). Each line: pinning, target, rate, the
# server's user and system µs per connection (loadgen's --server-pid), and
# the load generator's user and system µs per connection (GNU time over its
# whole run, 3 s of measurement with no warm-up, so start-up is included)
# and CPU share of the run. Servers and loadgen are bench/build.sh's.
# Kept as the record of how accept-bound-*.txt was made.
B=${SIGLOOP_BENCH_BIN:-/tmp/sigloop-bench-bin}
reps=${1:-3}
for rep in $(seq "$reps"); do for pin in 1 same; do
  if [ $pin = 1 ]; then cp=1; else cp=0; fi
  for t in gio-tcp glib-tcp go-tcp gio-unix glib-unix qt-unix go-unix; do
    case $t in
      gio-*) srv=$B/sigloop_gioecho ;; glib-*) srv=$B/glib_echo_server ;;
      go-*) srv=$B/go_echo_server ;; qt-*) srv=$B/qt_local_echo_server ;;
    esac
    case $t in
      *-tcp) addr="--tcp 127.0.0.1:2598$rep" ;;
      *) rm -f /tmp/accept-bound.sock; addr="--unix /tmp/accept-bound.sock" ;;
    esac
    taskset -c 0 $srv $addr --mode accept >/dev/null 2>&1 &
    pid=$!
    out=$( { /usr/bin/time -f "time %U %S %e" taskset -c $cp $B/loadgen $addr --mode accept --conns 4 \
      --duration 3s --warmup 0s --wait-ready 3s --server-pid $pid; } 2>&1)
    kill $pid; wait $pid 2>/dev/null
    echo "$out" | awk -v pin=$pin -v t=$t '
      /^time/ { u=$2; s=$3; e=$4 }
      /mode=accept/ { for (i=1;i<=NF;i++) { split($i,kv,"="); v[kv[1]]=kv[2] } }
      END { ops=v["ops"]; printf "%s %s rate=%s server_user_us=%s server_sys_us=%s loadgen_user_us=%.2f loadgen_sys_us=%.2f loadgen_cpu_pct=%.0f\n",
        pin, t, v["rate"], v["server_user_us"], v["server_sys_us"], u*1e6/ops, s*1e6/ops, 100*(u+s)/e }'
  done
done; done
