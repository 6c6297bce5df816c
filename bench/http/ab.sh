#!/bin/bash
# A/B for bench:http on a shared machine: bare Hono, user-service from checkout A and from
# checkout B, all three running at once, measured in interleaved wrk runs (same settings as
# bench:http) with each process's CPU time per request beside req/s (steadier under load).
# A checkout of another commit: `git archive <rev> | tar -x -C /tmp/A`, then symlink
# node_modules and copy each package's node_modules folder (relative links) from this one.
# usage: bench/http/ab.sh <dirA> <dirB> [seconds=5] [rounds=3]; BGW=<url> gives B another gateway.
A=$1; B=$2; SECS=${3:-5}; ROUNDS=${4:-3}
W=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/http-ab.XXXX)
PIDS=()
port() { echo $((20000 + RANDOM % 30000)); }
SINKPORT=$(port)
PORT=$SINKPORT bun $W/bench/http/sink.ts & PIDS+=($!)
BP=$(port); PORT=$BP bun $W/bench/http/bare-hono.ts & PIDS+=($!); BPID=$!
start() { # dir port [gateway]
  mkdir -p $T/$2
  (cd $1/user-service && exec env PORT=$2 DATA_DIR=$T/$2 GATEWAY_URL=${3:-http://127.0.0.1:$SINKPORT} INGEST_TOKEN=bench LOG_LEVEL=info bun src/main.ts > $T/$2.log 2>&1) & PIDS+=($!)
}
AP=$(port); BPP=$(port); start $A $AP; APID=$!; start $B $BPP $BGW; BBPID=$!
for p in $BP $AP $BPP; do for i in $(seq 100); do curl -sf http://127.0.0.1:$p/readyz >/dev/null && break; sleep 0.2; done; done
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
run() { # port label pid
  local c0=$(cpu $3)
  local out=$(wrk -t1 -c64 -d${SECS}s -s $W/bench/http/create-user.lua http://127.0.0.1:$1/users/create -- $2 | grep RESULT | sed 's/RESULT //')
  local c1=$(cpu $3)
  echo "$out" | CPU=$((c1-c0)) bun -e 'const r=JSON.parse(await Bun.stdin.text());console.log(Math.round(r.requests/(r.durationUs/1e6)), "p99", (r.p99Us/1000).toFixed(1), "err", r.status+r.timeout+r.connect+r.read+r.write, "cpu_us/req", Math.round(Number(process.env.CPU)*1e4/r.requests))'; }
run $BP warm $BPID >/dev/null; run $AP warm $APID >/dev/null; run $BPP warm $BBPID > /dev/null
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq $ROUNDS); do
  b=$(run $BP r$r $BPID); a=$(run $AP r$r $APID); bb=$(run $BPP r$r $BBPID)
  echo "round $r  bare: $b"; echo "  A: $a"; echo "  B: $bb"; echo "  A/bare $(echo "${a%% *} ${b%% *}" | awk '{printf "%.0f%%", 100*$1/$2}') B/bare $(echo "${bb%% *} ${b%% *}" | awk '{printf "%.0f%%", 100*$1/$2}') B/A $(echo "${bb%% *} ${a%% *}" | awk '{printf "%.2f", $1/$2}')  load $(cut -d' ' -f1 /proc/loadavg)"
done
for p in "${PIDS[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null
rm -rf $T
