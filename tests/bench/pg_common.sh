# shellcheck shell=bash
# What the PostgreSQL benchmarks share (postgres_vs_sqlite.sh, postgres_rows_and_pool.sh), sourced
# after `set -euo pipefail` with ROOT and BUILD set:
#   pg_bench_enter OPTIONS -- ARGS...  re-runs the calling script inside a throwaway pg_virtualenv
#                                      cluster (postgresql-common) started with OPTIONS, over TCP on
#                                      localhost, its password in PGPASSWORD (--db names none);
#   pg_bench_header                    the machine and the cluster's settings;
#   serve_and_wrk NAME LUA SERVE_ARGS WRK_ARGS...
#                                      `loopscope serve` (async mode, zero DB delays) with SERVE_ARGS
#                                      (one word list), wrk with WRK_ARGS and LUA against /v1/chat,
#                                      then the server stopped.
pg_bench_enter() {
  local options=()
  while [ "$1" != "--" ]; do options+=("$1"); shift; done
  shift
  command -v wrk >/dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 1; }
  command -v pg_virtualenv >/dev/null || { echo "pg_virtualenv missing: apt-get install -y postgresql" >&2; exit 1; }
  if [ -z "${PGHOST:-}" ]; then
    exec pg_virtualenv "${options[@]}" "$0" "$@"
  fi
  # Inside the cluster: a scratch folder, and the server stopped however the script ends.
  BIN="$BUILD/app/loopscope"
  BENCH_PORT=18993
  export LOOPSCOPE_API_KEY=bench-key
  TMP=$(mktemp -d)
  ulimit -n 65536 2>/dev/null || true
  pid=""
  trap cleanup EXIT
}

cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$TMP"; }
wait_port() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/health" && return 0; sleep 0.1; done; }

pg_bench_header() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
  echo "date: $(date -u +%F); PostgreSQL $(psql -Atc 'show server_version'), fsync=$(psql -Atc 'show fsync')," \
       "synchronous_commit=$(psql -Atc 'show synchronous_commit'), max_connections=$(psql -Atc 'show max_connections')"
}

serve_and_wrk() { # NAME LUA SERVE_ARGS WRK_ARGS...
  local name=$1 lua=$2 serve_args=$3; shift 3
  # shellcheck disable=SC2086 # SERVE_ARGS is a word list
  "$BIN" serve --port "$BENCH_PORT" --mode async --db-read-latency 0 --db-write-latency 0 $serve_args \
      > "$TMP/serve.log" 2>&1 & pid=$!
  wait_port "$BENCH_PORT"
  echo "== $name: $* ($(cut -d' ' -f1-3 /proc/loadavg))"
  wrk "$@" -s "$lua" "http://127.0.0.1:$BENCH_PORT/v1/chat" \
    | grep -E "Requests/sec|Latency |50%|99%|requests in|Non-2xx|Socket"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}
