#!/usr/bin/env bash
# Issue #2's server benchmark, with wrk against `loopscope serve`:
#   1. zero-delay throughput in async mode, -t1 -c50 (and the bare QHttpServer reference);
#   2. 1000 connections with a 50 ms simulated LLM call: mean latency relative to 50 ms.
# Usage: tests/bench/server_throughput.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
SECS="${2:-10}"
BIN="$BUILD/app/loopscope"
BARE="$BUILD/tests/bench/bench_bare_qhttpserver"
LUA="$ROOT/tests/bench/post_chat.lua"
export LOOPSCOPE_API_KEY=bench-key
TMP=$(mktemp -d)
ulimit -n 65536 2>/dev/null || true
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT

wait_port() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/health" && return 0; sleep 0.1; done; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
echo "date: $(date -u +%F)"

"$BARE" 18990 & pids+=($!)
sleep 0.5
echo "== bare QHttpServer handler, wrk -t1 -c50 -d${SECS}s"
wrk -t1 -c50 -d"${SECS}s" -s "$LUA" http://127.0.0.1:18990/v1/chat | grep -E "Requests/sec|Latency|requests in"

for workers in 1 2; do
  "$BIN" serve --port 18991 --mode async --workers $workers --llm-latency 0 --db-read-latency 0 \
      --db-write-latency 0 --db "$TMP/zero$workers.sqlite" > "$TMP/serve.log" 2>&1 & pids+=($!)
  wait_port 18991
  echo "== loopscope async, zero delays, $workers worker(s), tracing on, SQLite read+write per request; wrk -t1 -c50 -d${SECS}s"
  wrk -t1 -c50 -d"${SECS}s" -s "$LUA" http://127.0.0.1:18991/v1/chat | grep -E "Requests/sec|Latency|requests in|Non-2xx"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
done

"$BIN" serve --port 18992 --mode async --llm-latency 0.05 --db-read-latency 0 --db-write-latency 0 \
    --db "$TMP/c1000.sqlite" > "$TMP/serve.log" 2>&1 & pids+=($!)
wait_port 18992
echo "== loopscope async, 50 ms simulated LLM, 1000 connections; wrk -t2 -c1000 -d${SECS}s"
wrk -t2 -c1000 -d"${SECS}s" --latency -s "$LUA" http://127.0.0.1:18992/v1/chat | grep -E "Requests/sec|Latency|50%|90%|99%|requests in|Non-2xx|Socket"
