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
command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
command -v pg_virtualenv >/dev/null || { echo "pg_virtualenv missing: apt-get install -y postgresql" >&2; exit 1; }
if [ -z "${PGHOST:-}" ]; then
  exec pg_virtualenv -o fsync=on "$0" "$BUILD" "$SECS" "$ROUNDS"
fi

BIN="$BUILD/app/loopscope"
LUA="$ROOT/tests/bench/post_chat.lua"
export LOOPSCOPE_API_KEY=bench-key
TMP=$(mktemp -d)
ulimit -n 65536 2>/dev/null || true
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
wait_port() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/health" && return 0; sleep 0.1; done; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
echo "date: $(date -u +%F); PostgreSQL $(psql -Atc 'show server_version'), fsync=$(psql -Atc 'show fsync')"

run() { # NAME DB LLM_LATENCY WRK_ARGS...
  local name=$1 db=$2 llm=$3; shift 3
  "$BIN" serve --port 18993 --mode async --llm-latency "$llm" --db-read-latency 0 --db-write-latency 0 \
      --db "$db" > "$TMP/serve.log" 2>&1 & pid=$!
  wait_port 18993
  echo "== $name: $*"
  wrk "$@" -s "$LUA" http://127.0.0.1:18993/v1/chat | grep -E "Requests/sec|Latency |50%|99%|requests in|Non-2xx|Socket"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

for round in $(seq "$ROUNDS"); do
  echo "#### round $round"
  psql -qc 'DROP TABLE IF EXISTS messages, conversations, users, audit_log' >/dev/null
  run "sqlite, zero delays" "$TMP/zero$round.sqlite" 0 -t1 -c50 -d"${SECS}s"
  run "postgresql, zero delays" "postgresql://" 0 -t1 -c50 -d"${SECS}s"
  run "sqlite, 50 ms LLM, 1000 connections" "$TMP/c1000-$round.sqlite" 0.05 -t2 -c1000 -d"${SECS}s" --latency
  run "postgresql, 50 ms LLM, 1000 connections" "postgresql://" 0.05 -t2 -c1000 -d"${SECS}s" --latency
done
