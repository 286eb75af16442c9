#!/usr/bin/env bash
# Reproduces seed 1's table (5 users, one 2 s GLM call each) against `loopscope serve`, with the
# seed's own Python client and with a truly concurrent one. Needs python3-requests.
# Usage: tests/bench/seed1_table.sh [BUILD_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${1:-$ROOT/build}/app/loopscope"
export LOOPSCOPE_API_KEY=seed-key
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
port=18400
for mode in blocking executor async; do
  port=$((port + 1))
  "$BIN" serve --port $port --mode $mode --llm-latency 2 --db "$TMP/$mode.sqlite" > "$TMP/$mode.log" 2>&1 &
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
  export LOOPSCOPE_URL=http://127.0.0.1:$port
  echo "== mode $mode, the seed's own client (serial by mistake)"
  python3 "$ROOT/tests/bench/seed/seed1_client.py"
  echo "== mode $mode, truly concurrent client"
  python3 "$ROOT/tests/bench/seed/seed1_concurrent_client.py"
done
