#!/bin/bash
# Load generator benchmarks (issue 3):
#  1. the largest number of simultaneous users the generator holds against the async server;
#  2. the generator's own overhead: its latency against an instant (zero-delay) server, next to wrk's.
# Usage: tests/bench/load_capacity.sh [BUILD_DIR] [USER_COUNTS...]
# Prints a Markdown section for docs/BENCHMARKS.md on stdout; progress on stderr.
set -u
BUILD=${1:-build-load}
shift || true
COUNTS=${*:-"500 1000 2000 4000 8000"}
BIN=$(realpath "$BUILD/app/loopscope")
WORK=$(mktemp -d); echo "work dir $WORK" >&2
KEY=bench-key
ulimit -n "$(ulimit -Hn)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$WORK"; }
trap cleanup EXIT

serve() { # port, extra args...
    local port=$1; shift
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then echo "port $port is busy" >&2; exit 1; fi
    setsid "$BIN" serve --port "$port" --api-key "$KEY" --db "$WORK/h$port.sqlite" "$@" >"$WORK/serve$port.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0; sleep 0.1; done
    return 0
}

scenario() { # file, load json
    cat >"$1" <<JSON
{"name":"bench","title":{"en":"bench","zh":"bench"},"explanation":{"en":"bench","zh":"bench"},
 "variants":[{"name":"A","label":{"en":"bench","zh":"bench"},"load":$2}],"expected":[]}
JSON
}

metric() { python3 -c "import json,sys;v=json.load(open('$1'))['variants'][0];print(v['metrics'].get('$2',0) if '$2' in v['metrics'] else v['latency'].get('$2'))"; }

echo "## Load generator capacity and overhead (issue 3)"
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr), open-files hard limit $(ulimit -Hn). Date: $(date -u +%F)."
echo "Command: \`tests/bench/load_capacity.sh $BUILD $COUNTS\` (server: \`loopscope serve\` in its own process; generator: \`loopscope run --target\`)."
echo
echo "### Simultaneous users against the async server (one 5 s LLM call each, all sent at once)"
echo
echo "| users | ok | errors | late sends | p50 latency ms | max latency ms | makespan s |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
serve 18741 --mode async --workers 1 --llm-latency 5 --db-read-latency 0 --db-write-latency 0
for n in $COUNTS; do
    scenario "$WORK/cap.json" "{\"model\":\"closed\",\"users\":$n,\"requests_per_user\":1,\"timeout_s\":60}"
    echo "capacity: $n users" >&2
    "$BIN" run --scenario "$WORK/cap.json" --target http://127.0.0.1:18741 --api-key $KEY --out "$WORK/cap$n" >"$WORK/cap$n.log" 2>&1
    R="$WORK/cap$n/run.json"
    if [ -f "$R" ]; then
        echo "| $n | $(metric "$R" successful) | $(metric "$R" errors) | $(metric "$R" late_sends) | $(metric "$R" p50Ms) | $(metric "$R" maxMs) | $(metric "$R" makespan_s) |"
    else
        echo "| $n | failed: $(tail -1 "$WORK/cap$n.log") | | | | | |"
    fi
done
echo
echo "### Overhead against an instant server (no simulated delay), 10 connections, 5 s"
echo
serve 18742 --mode async --workers 1 --llm-latency 0 --db-read-latency 0 --db-write-latency 0
cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"user_id":"u1","message":"Hello, how are you?"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "$KEY"
LUA
echo "wrk" >&2
WRK=$(wrk -t1 -c10 -d5s --latency -s "$WORK/post.lua" http://127.0.0.1:18742/v1/chat 2>&1)
scenario "$WORK/inst.json" '{"model":"closed","users":10,"duration_s":5}'
echo "loopscope" >&2
"$BIN" run --scenario "$WORK/inst.json" --target http://127.0.0.1:18742 --api-key $KEY --out "$WORK/inst" >"$WORK/inst.log" 2>&1
R="$WORK/inst/run.json"
echo "| client | requests/s | p50 ms | p90 ms | p99 ms | max ms |"
echo "|---|---:|---:|---:|---:|---:|"
wl() { echo "$WRK" | awk -v p="$1" '$1==p {print $2}'; }
echo "| wrk -t1 -c10 | $(echo "$WRK" | awk '/Requests\/sec/ {print $2}') | $(wl 50%) | $(wl 90%) | $(wl 99%) | $(echo "$WRK" | awk '/Latency/ && !/Distribution/ {print $4; exit}') |"
echo "| loopscope 10 users | $(metric "$R" successful_rps) (errors: $(metric "$R" errors)) | $(metric "$R" p50Ms) | $(metric "$R" p90Ms) | $(metric "$R" p99Ms) | $(metric "$R" maxMs) |"
echo
echo "wrk output:"
echo
echo '```'
echo "$WRK"
echo '```'
