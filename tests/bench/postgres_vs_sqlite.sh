#!/usr/bin/env bash
# PostgreSQL (--db postgresql://...) next to SQLite, in one run, alternating (issue #22):
#   1. zero-delay throughput, async mode, wrk -t1 -c50 (every request one read and one write);
#   2. 1,000 connections against a 50 ms simulated LLM call, wrk -t2 -c1000 --latency.
# PostgreSQL is a throwaway cluster from pg_virtualenv (postgresql-common), with fsync on (its
# default; pg_virtualenv turns it off unless told), reached over TCP on localhost with the
# password pg_virtualenv puts in PGPASSWORD (LoopScope's --db names no password).
# Usage: tests/bench/postgres_vs_sqlite.sh [BUILD_DIR] [SECONDS] [ROUNDS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
SECS="${2:-10}"
ROUNDS="${3:-2}"
# shellcheck source=tests/bench/pg_common.sh
source "$ROOT/tests/bench/pg_common.sh"
pg_bench_enter -o fsync=on -- "$BUILD" "$SECS" "$ROUNDS"

LUA="$ROOT/tests/bench/post_chat.lua"
pg_bench_header

run() { # NAME DB LLM_LATENCY WRK_ARGS...
  local name=$1 db=$2 llm=$3; shift 3
  serve_and_wrk "$name" "$LUA" "--llm-latency $llm --db $db" "$@"
}

for round in $(seq "$ROUNDS"); do
  echo "#### round $round"
  psql -qc 'DROP TABLE IF EXISTS messages, conversations, users, audit_log' >/dev/null
  run "sqlite, zero delays" "$TMP/zero$round.sqlite" 0 -t1 -c50 -d"${SECS}s"
  run "postgresql, zero delays" "postgresql://" 0 -t1 -c50 -d"${SECS}s"
  run "sqlite, 50 ms LLM, 1000 connections" "$TMP/c1000-$round.sqlite" 0.05 -t2 -c1000 -d"${SECS}s" --latency
  run "postgresql, 50 ms LLM, 1000 connections" "postgresql://" 0.05 -t2 -c1000 -d"${SECS}s" --latency
done
