#!/bin/bash
# ab-loadgencpu.sh PIN NET MSG REPS SERVER...: interleaved echo of the server binaries, with the load
# generator's own CPU per round trip (GNU time over its whole run). Kept as the record of
# how section 4 of ab-parkedsource.txt was made (servers: go build -o ... ./demo/gioecho).
pin=$1; net=$2; msg=$3; reps=$4; shift 4
for i in $(seq $reps); do for v in "$@"; do
  if [ $pin = 1 ]; then cp=1; else cp=0; fi
  if [ $net = tcp ]; then addr="--tcp 127.0.0.1:2597$i"; else rm -f /tmp/ablg.sock; addr="--unix /tmp/ablg.sock"; fi
  taskset -c 0 $v $addr >/dev/null 2>&1 & sp=$!
  out=$( { /usr/bin/time -f "time %U %S %e" taskset -c $cp /tmp/sigloop-bench-bin/loadgen $addr --mode echo --conns ${CONNS:-50} --msg $msg --duration 3s --warmup 0s --wait-ready 10s --server-pid $sp; } 2>&1 )
  kill $sp; wait $sp 2>/dev/null
  echo "$out" | awk -v s=$(basename $v) -v p=$pin -v n=$net -v m=$msg '/^time/{u=$2;sy=$3} /mode=echo/{for(i=1;i<=NF;i++){split($i,kv,"=");v[kv[1]]=kv[2]}} END{ops=v["ops"]; printf "%s %s %s %s rate=%s srv_user=%s srv_sys=%s lg_per_rt=%.2f lg_user=%.2f lg_sys=%.2f\n", p, n, m, s, v["rate"], v["server_user_us"], v["server_sys_us"], (u+sy)*1e6/ops, u*1e6/ops, sy*1e6/ops}'
done; done
