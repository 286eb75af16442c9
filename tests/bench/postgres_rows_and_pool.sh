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
# shellcheck source=tests/bench/pg_common.sh
source "$ROOT/tests/bench/pg_common.sh"
pg_bench_enter -o fsync=on -o max_connections=200 -- "$BUILD" "$SECS" "$ROUNDS"

SHARED="$ROOT/tests/bench/post_chat.lua"
EACH="$ROOT/tests/bench/post_chat_each_user.lua"
pg_bench_header

run() { # NAME DB POOL LLM_LATENCY LUA WRK_ARGS...
  local name=$1 db=$2 pool=$3 llm=$4 lua=$5; shift 5
  psql -qc 'DROP TABLE IF EXISTS messages, conversations, users, audit_log' >/dev/null
  serve_and_wrk "$name" "$lua" "--llm-latency $llm --db $db --db-pool $pool" "$@"
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
