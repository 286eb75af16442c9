#!/usr/bin/env bash
# PostgreSQL next to SQLite, in one run, alternating (issue #22), separating the two causes named
# in docs/BENCHMARKS.md ("PostgreSQL next to SQLite"): every connection of a wrk thread writing the
# same user and conversation rows, and the pool of 10 connections at 1,000 connections.
#   1. zero-delay throughput, async mode, wrk -t1 -c50: SQLite; PostgreSQL with wrk's shared rows
#      (post_chat.lua); PostgreSQL with a new user and conversation per request
#      (post_chat_each_user.lua), and SQLite with those too;
#   2. 1,000 connections against a 50 ms simulated LLM call, wrk -t2 -c1000 --latency, new rows per
#      request: SQLite; PostgreSQL with --db-pool 10 (asyncpg's default) and with --db-pool 100.
# PostgreSQL: a throwaway pg_virtualenv cluster (postgresql-common) over TCP on localhost, fsync on,
# synchronous_commit on (PostgreSQL's defaults), max_connections 200; its password comes from
# PGPASSWORD, which pg_virtualenv sets.
# Usage: tests/bench/postgres_rows_and_pool.sh [BUILD_DIR] [SECONDS] [ROUNDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
SECS="${2:-8}"
ROUNDS="${3:-2}"
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
command -v pg_virtualenv >/dev/null || { echo "pg_virtualenv missing: apt-get install -y postgresql" >&2; exit 1; }
if [ -z "${PGHOST:-}" ]; then
  exec pg_virtualenv -o fsync=on -o max_connections=200 "$0" "$BUILD" "$SECS" "$ROUNDS"
fi

BIN="$BUILD/app/loopscope"
SHARED="$ROOT/tests/bench/post_chat.lua"
EACH="$ROOT/tests/bench/post_chat_each_user.lua"
export LOOPSCOPE_API_KEY=bench-key
TMP=$(mktemp -d)
ulimit -n 65536 2>/dev/null || true
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
wait_port() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/health" && return 0; sleep 0.1; done; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
echo "date: $(date -u +%F); PostgreSQL $(psql -Atc 'show server_version'), fsync=$(psql -Atc 'show fsync')," \
     "synchronous_commit=$(psql -Atc 'show synchronous_commit')"

run() { # NAME DB POOL LLM_LATENCY LUA WRK_ARGS...
  local name=$1 db=$2 pool=$3 llm=$4 lua=$5; shift 5
  psql -qc 'DROP TABLE IF EXISTS messages, conversations, users, audit_log' >/dev/null
  "$BIN" serve --port 18994 --mode async --llm-latency "$llm" --db-read-latency 0 --db-write-latency 0 \
      --db "$db" --db-pool "$pool" > "$TMP/serve.log" 2>&1 & pid=$!
  wait_port 18994
  echo "== $name: $* ($(cut -d' ' -f1-3 /proc/loadavg))"
  wrk "$@" -s "$lua" http://127.0.0.1:18994/v1/chat | grep -E "Requests/sec|Latency |50%|99%|requests in|Non-2xx|Socket"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

for round in $(seq "$ROUNDS"); do
  echo "#### round $round"
  run "sqlite, zero delays, shared rows" "$TMP/a$round.sqlite" 10 0 "$SHARED" -t1 -c50 -d"${SECS}s"
  run "postgresql, zero delays, shared rows" "postgresql://" 10 0 "$SHARED" -t1 -c50 -d"${SECS}s"
  run "sqlite, zero delays, new rows" "$TMP/b$round.sqlite" 10 0 "$EACH" -t1 -c50 -d"${SECS}s"
  run "postgresql, zero delays, new rows" "postgresql://" 10 0 "$EACH" -t1 -c50 -d"${SECS}s"
  run "sqlite, 50 ms LLM, 1000 connections" "$TMP/c$round.sqlite" 10 0.05 "$EACH" -t2 -c1000 -d"${SECS}s" --latency
  run "postgresql pool 10, 50 ms LLM, 1000 connections" "postgresql://" 10 0.05 "$EACH" -t2 -c1000 -d"${SECS}s" --latency
  run "postgresql pool 100, 50 ms LLM, 1000 connections" "postgresql://" 100 0.05 "$EACH" -t2 -c1000 -d"${SECS}s" --latency
done
