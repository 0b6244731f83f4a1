#!/bin/bash
# The interleaved A/B of BENCHMARKS.md section 0 (the wait-first read
# hint): /tmp/gioecho-head is `go build -o /tmp/gioecho-head ./demo/gioecho`
# at 7c758e6, /tmp/gioecho-exp the same at 1aedd8d; loadgen is bench/build.sh's.
# Kept as the record of how the ab-waitfirst-*.txt lines were made.
# ab.sh PIN(1|same) NET MSG REPS: interleaved head/exp, server CPU per op and rate
pin=$1; net=$2; msg=$3; reps=$4
for i in $(seq $reps); do for v in head exp; do
  if [ $pin = 1 ]; then cp=1; else cp=0; fi
  if [ $net = tcp ]; then addr="--tcp 127.0.0.1:2499$i"; else rm -f /tmp/ab.sock; addr="--unix /tmp/ab.sock"; fi
  taskset -c 0 /tmp/gioecho-$v $addr --mode echo >/dev/null 2>&1 &
  pid=$!
  line=$(taskset -c $cp /tmp/sigloop-bench-bin/loadgen $addr --conns 50 --msg $msg --duration 3s --warmup 500ms --wait-ready 3s --server-pid $pid)
  kill $pid; wait $pid 2>/dev/null
  echo "$v $(echo $line | grep -o 'rate=[0-9.]*') $(echo $line | grep -o 'server_user_us=[0-9.]* server_sys_us=[0-9.]*')"
done; done
