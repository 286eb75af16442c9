#!/usr/bin/env bash
# Two `loopscope` binaries side by side, alternated in one run: zero-delay throughput of
# `loopscope serve --mode async --workers 1` under `wrk -t1 -c50 -d5s` (POST /v1/chat,
# tests/bench/post_chat.lua) and the server's CPU per request (user+sys ticks of the process).
#   tests/bench/ab_serve.sh A_BINARY B_BINARY [ROUNDS]
# e.g. main's build against a branch's: tests/bench/ab_serve.sh /work/main/build/app/loopscope build/app/loopscope
set -uo pipefail
A=$(realpath "$1"); B=$(realpath "$2"); ROUNDS=${3:-2}
LUA="$(cd "$(dirname "$0")" && pwd)/post_chat.lua"
export LOOPSCOPE_API_KEY=bench-key
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
ticks() { local t=0 p; for p in "$1" $(pgrep -P "$1"); do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
port=19400
echo "| round | binary | requests/s | server CPU µs / request | load average |"
echo "|---:|---|---:|---:|---:|"
for round in $(seq "$ROUNDS"); do
  for name in A B; do
    bin=$A; [ $name = B ] && bin=$B
    port=$((port + 1))
    "$bin" serve --port $port --mode async --workers 1 --llm-latency 0 --db-read-latency 0 --db-write-latency 0 \
        --api-key bench-key --db "$WORK/$name-$round.sqlite" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.05; done
    wrk -t1 -c50 -d1s -s "$LUA" "http://127.0.0.1:$port/v1/chat" >/dev/null 2>&1 # warm-up
    t0=$(ticks $pid)
    wrk -t1 -c50 -d5s -s "$LUA" "http://127.0.0.1:$port/v1/chat" >"$WORK/wrk.txt" 2>&1
    t1=$(ticks $pid)
    n=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
    echo "| $round | $name | $(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt") |" \
         "$(awk -v d=$((t1 - t0)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", (n > 0 ? d / hz * 1e6 / n : 0)}') |" \
         "$(cut -d' ' -f1 /proc/loadavg) |"
    kill $pid; wait $pid 2>/dev/null
  done
done
