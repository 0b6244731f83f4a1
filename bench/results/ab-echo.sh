#!/bin/bash
# The interleaved echo A/B of bench/results/ab-lazytime.txt: /tmp/gioecho-head and
# /tmp/gioecho-exp are `go build -o ... ./demo/gioecho` of the two trees the file
# names; loadgen is bench/build.sh's. Kept as the record of how the lines were made.
# ab-echo.sh PIN(1|same) NET MSG REPS: interleaved head/exp echo, $CONNS (default 50) connections
pin=$1; net=$2; msg=$3; reps=$4
for i in $(seq $reps); do for v in head exp; do
  if [ $pin = 1 ]; then cp=1; else cp=0; fi
  if [ $net = tcp ]; then addr="--tcp 127.0.0.1:2599$i"; else rm -f /tmp/abe.sock; addr="--unix /tmp/abe.sock"; fi
  taskset -c 0 /tmp/gioecho-$v $addr >/dev/null 2>&1 &
  pid=$!
  line=$(taskset -c $cp /tmp/sigloop-bench-bin/loadgen $addr --mode echo --conns ${CONNS:-50} --msg $msg --duration 3s --warmup 500ms --wait-ready 3s --server-pid $pid)
  kill $pid; wait $pid 2>/dev/null
  echo "$pin $net $msg ${CONNS:-50}c $v $(echo $line | grep -o 'rate=[0-9.]*') $(echo $line | grep -o 'server_user_us=[0-9.]* server_sys_us=[0-9.]*')"
done; done
