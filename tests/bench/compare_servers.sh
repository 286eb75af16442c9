#!/usr/bin/env bash
# Side by side, in one run (issues #8, #21): nginx (`return 200` with a body as large as LoopScope's
# answer, 1 worker: the floor of what HTTP costs on this machine), the bare QHttpServer handler,
# `loopscope serve` with 1 and 2 worker loops, and the seeds' FastAPI service on uvicorn. Prints one Markdown section of figures
# and ratios for docs/BENCHMARKS.md on stdout (progress on stderr).
#
#   tests/bench/compare_servers.sh [BUILD_DIR] [--quick] [--before LOOPSCOPE_BINARY]
#
# --before adds a second `loopscope` (e.g. main's build) as "LoopScope async, 1 loop, before" to
# (a), (b) and (c), so a change is measured against its base in the same run.
#
#   (a) zero-delay throughput, wrk -t1 -c50 (POST /v1/chat), and each server's CPU per request;
#   (b) 1,000 connections against a 50 ms LLM call (wrk -t2 -c1000): mean and p99 / 50 ms;
#   (c) 1,000 / 4,000 / 10,000 simultaneous users, one 2 s call each, driven by
#       `loopscope run --target`: errors by kind, makespan / 2 s, p50;
#   (d) each server's CPU seconds and peak RSS over (c);
#   (e) LoopScope's load generator against wrk -t1 -c100 on one server with a 50 ms call.
# Everything runs on loopback. --quick shortens every phase (a smoke run, not for the docs).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="$ROOT/build"
QUICK=0
BEFORE=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --before) BEFORE="$(realpath "$2")"; shift ;;
    *) BUILD="$(realpath "$1")" ;;
  esac
  shift
done
BIN="$BUILD/app/loopscope"
BARE="$BUILD/tests/bench/bench_bare_qhttpserver"
LUA="$ROOT/tests/bench/post_chat.lua"
SEED_DIR="$ROOT/tests/bench/seed"
export LOOPSCOPE_API_KEY=bench-key
KEY=$LOOPSCOPE_API_KEY
SECS=10; USERS="1000 4000 10000"; GEN_SECS=10
if [ "$QUICK" = 1 ]; then SECS=3; USERS="1000 4000"; GEN_SECS=3; fi

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
/usr/bin/python3 -c "import fastapi, uvicorn" 2>/dev/null || need+=(python3-fastapi python3-uvicorn)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2 \
      || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2; }
  else
    echo "compare_servers.sh needs: apt-get install -y ${need[*]}" >&2; exit 1
  fi
fi
[ -z "$BEFORE" ] || [ -x "$BEFORE" ] || { echo "not an executable: $BEFORE" >&2; exit 1; }
[ -x "$BIN" ] && [ -x "$BARE" ] || { echo "build first: scripts/test.sh (missing $BIN or $BARE)" >&2; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$WORK"; }
trap cleanup EXIT

log() { echo "[compare] $*" >&2; }
wait_port() { for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$1/health" && return 0; sleep 0.05; done; echo "server on $1 did not start" >&2; return 1; }

# nginx's answer: as many body bytes as LoopScope's zero-delay answer to post_chat.lua's request
# (346 bytes with the simulated model's "hello" reply: `curl -d ... /v1/chat | wc -c`).
NGINX_BODY_BYTES=346
nginx_conf() { # PORT -> writes $WORK/nginx/nginx.conf
  mkdir -p "$WORK/nginx"
  local filler
  filler=$(head -c $((NGINX_BODY_BYTES - 16)) /dev/zero | tr '\0' x)
  cat >"$WORK/nginx/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 20000; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  server {
    listen 127.0.0.1:$1;
    location / { default_type application/json; return 200 '{"response":"$filler"}\n'; }
  }
}
NGX
}

# start NAME PORT LATENCY: starts one server; sets SRV_PID
start() {
  local name=$1 port=$2 lat=$3
  case "$name" in
    nginx) nginx_conf "$port"; nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$WORK/$name.log" 2>&1 & ;;
    bare) "$BARE" "$port" >"$WORK/$name.log" 2>&1 & ;;
    loopscope1|loopscope2|before1)
      local bin=$BIN; [ "$name" = before1 ] && bin=$BEFORE
      "$bin" serve --port "$port" --mode async --workers "${name: -1}" --llm-latency "$lat" \
          --db-read-latency 0 --db-write-latency 0 --api-key "$KEY" \
          --db "$WORK/$name-$port.sqlite" >"$WORK/$name.log" 2>&1 & ;;
    uvicorn)
      LLM_LATENCY=$lat /usr/bin/python3 -m uvicorn seed_app:app --app-dir "$SEED_DIR" --host 127.0.0.1 \
          --port "$port" --log-level warning >"$WORK/$name.log" 2>&1 & ;;
  esac
  SRV_PID=$!
  PIDS+=("$SRV_PID")
  if [ "$name" = bare ] || [ "$name" = nginx ]; then sleep 0.5; else wait_port "$port"; fi
}
# CPU clock ticks (user+sys) of a process, its threads and its children (nginx's worker)
ticks() { local t=0 p; for p in "$1" $(pgrep -P "$1"); do t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
# cpu seconds (user+sys) and peak RSS (MiB) of a running process
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{printf "%.1f", ($14+$15)/t}' "/proc/$1/stat"; }
rss_mb() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

# wrk's latency figures in ms (wrk prints us, ms or s)
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000} ; printf "%.2f", v}'; }
wrk_rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
wrk_mean() { awk '/^ +Latency/ {print $2; exit}' "$1" | to_ms; }
wrk_pct() { awk -v p="$2" '$1==p {print $2}' "$1" | to_ms; }
wrk_errors() { awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$1"; }

NAMES=(nginx bare loopscope1 loopscope2 uvicorn)
LOOPSCOPES=(loopscope1 loopscope2 uvicorn) # (b) and (c)
if [ -n "$BEFORE" ]; then
  NAMES=(nginx bare loopscope1 before1 loopscope2 uvicorn)
  LOOPSCOPES=(loopscope1 before1 loopscope2 uvicorn)
fi
declare -A LABEL=([nginx]="nginx return 200, 1 worker" [bare]="bare QHttpServer handler" [loopscope1]="LoopScope async, 1 loop" \
                  [loopscope2]="LoopScope async, 2 loops" [uvicorn]="seeds' FastAPI on uvicorn" \
                  [before1]="LoopScope async, 1 loop, before")
declare -A RPS MEAN P99 CPU RSS USREQ
PORT=19100

echo "## Side by side: nginx, LoopScope, bare QHttpServer, uvicorn (issues #8, #21)"
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr);" \
     "somaxconn $(cat /proc/sys/net/core/somaxconn), tcp_max_syn_backlog $(cat /proc/sys/net/ipv4/tcp_max_syn_backlog)." \
     "Date: $(date -u '+%F %H:%M') UTC. uvicorn $(/usr/bin/python3 -c 'import uvicorn;print(uvicorn.__version__)')," \
     "FastAPI $(/usr/bin/python3 -c 'import fastapi;print(fastapi.__version__)'), Python $(/usr/bin/python3 -c 'import sys;print(sys.version.split()[0])'), $(nginx -v 2>&1 | cut -d' ' -f3)."
echo "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Command: \`tests/bench/compare_servers.sh$( [ $QUICK = 1 ] && echo ' --quick')$( [ -n "$BEFORE" ] && echo " --before $BEFORE")\`. Every figure below comes from this one run."
[ -z "$BEFORE" ] || echo "\"before\" is \`$BEFORE\`; \"LoopScope\" is \`$BIN\`."
echo

# (a) zero-delay throughput -------------------------------------------------------------------
for n in "${NAMES[@]}"; do
  PORT=$((PORT + 1)); start "$n" $PORT 0
  log "(a) $n: wrk -t1 -c50 -d${SECS}s"
  wrk -t1 -c50 -d1s -s "$LUA" "http://127.0.0.1:$PORT/v1/chat" >/dev/null 2>&1 # warm-up
  t0=$(ticks "$SRV_PID")
  wrk -t1 -c50 -d"${SECS}s" --latency -s "$LUA" "http://127.0.0.1:$PORT/v1/chat" >"$WORK/a-$n.txt" 2>&1
  t1=$(ticks "$SRV_PID")
  RPS[$n]=$(wrk_rps "$WORK/a-$n.txt")
  USREQ[$n]=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$(awk '/requests in/ {print $1}' "$WORK/a-$n.txt")" \
      'BEGIN{printf "%.1f", (n > 0 ? d / hz * 1e6 / n : 0)}')
  log "    ${RPS[$n]} req/s, ${USREQ[$n]} CPU us/request $(wrk_errors "$WORK/a-$n.txt")"
  stop "$SRV_PID"
done
echo "### (a) Zero-delay throughput, \`wrk -t1 -c50 -d${SECS}s\`, POST /v1/chat"
echo
echo "| server | requests/s | / nginx | / bare handler | / uvicorn | server CPU µs per request | / nginx | wrk errors |"
echo "|---|---:|---:|---:|---:|---:|---:|---|"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}'; }
for n in "${NAMES[@]}"; do
  echo "| ${LABEL[$n]} | ${RPS[$n]} | $(ratio "${RPS[$n]}" "${RPS[nginx]}") | $(ratio "${RPS[$n]}" "${RPS[bare]}") |" \
       "$(ratio "${RPS[$n]}" "${RPS[uvicorn]}") | ${USREQ[$n]} | $(ratio "${USREQ[$n]}" "${USREQ[nginx]}") | $(wrk_errors "$WORK/a-$n.txt") |"
done
echo

# (b) 1,000 connections against a 50 ms call ----------------------------------------------------
for n in "${LOOPSCOPES[@]}"; do
  PORT=$((PORT + 1)); start "$n" $PORT 0.05
  log "(b) $n: wrk -t2 -c1000 -d${SECS}s, 50 ms call"
  wrk -t2 -c1000 -d"${SECS}s" --latency -s "$LUA" "http://127.0.0.1:$PORT/v1/chat" >"$WORK/b-$n.txt" 2>&1
  MEAN[$n]=$(wrk_mean "$WORK/b-$n.txt"); P99[$n]=$(wrk_pct "$WORK/b-$n.txt" 99%)
  log "    mean ${MEAN[$n]} ms p99 ${P99[$n]} ms $(wrk_errors "$WORK/b-$n.txt")"
  stop "$SRV_PID"
done
echo "### (b) 1,000 connections against a 50 ms LLM call, \`wrk -t2 -c1000 -d${SECS}s --latency\`"
echo
echo "| server | requests/s | mean ms | mean / call | p99 ms | p99 / call | wrk errors |"
echo "|---|---:|---:|---:|---:|---:|---|"
for n in "${LOOPSCOPES[@]}"; do
  echo "| ${LABEL[$n]} | $(wrk_rps "$WORK/b-$n.txt") | ${MEAN[$n]} | $(awk -v a="${MEAN[$n]}" 'BEGIN{printf "%.2f", a/50}') |" \
       "${P99[$n]} | $(awk -v a="${P99[$n]}" 'BEGIN{printf "%.2f", a/50}') | $(wrk_errors "$WORK/b-$n.txt") |"
done
echo

# (c) simultaneous users, one 2 s call each ---------------------------------------------------
cat >"$WORK/users.json" <<JSON
{"name":"burst","title":{"en":"burst","zh":"burst"},"explanation":{"en":"burst","zh":"burst"},
 "variants":[{"name":"A","label":{"en":"burst","zh":"burst"},
   "load":{"model":"closed","users":1000,"requests_per_user":1,"timeout_s":60,"threads":2}}],"expected":[]}
JSON
summarise() { # run.json -> "ok|errors by kind|makespan|p50 ms"
  python3 - "$1" <<'PY'
import json, sys, collections
v = json.load(open(sys.argv[1]))["variants"][0]
m = v["metrics"]
kinds = collections.Counter(r["error"] for r in v.get("client_records", []) if r["error"] != "none")
errs = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or "0"
p50 = m.get("latency_p50_s", 0) * 1000
print(f'{int(m.get("successful", 0))}|{errs}|{m.get("makespan_s", 0):.2f}|{p50:.0f}')
PY
}
declare -A CROW
for n in "${LOOPSCOPES[@]}"; do
  PORT=$((PORT + 1)); start "$n" $PORT 2
  for u in $USERS; do
    log "(c) $n: $u users, one 2 s call each"
    "$BIN" run --scenario "$WORK/users.json" --users "$u" --target "http://127.0.0.1:$PORT" --api-key "$KEY" \
        --out "$WORK/c-$n-$u" >"$WORK/c-$n-$u.log" 2>&1
    if [ -f "$WORK/c-$n-$u/run.json" ]; then CROW[$n,$u]=$(summarise "$WORK/c-$n-$u/run.json"); else CROW[$n,$u]="0|run failed: $(tail -1 "$WORK/c-$n-$u.log")|0|0"; fi
    log "    ${CROW[$n,$u]}"
  done
  CPU[$n]=$(cpu_s "$SRV_PID"); RSS[$n]=$(rss_mb "$SRV_PID")
  stop "$SRV_PID"
done
echo "### (c) Simultaneous users, one 2 s LLM call each, all sent at once (\`loopscope run --target\`, closed model, 2 generator threads)"
echo
echo "| users | server | ok | errors by kind | makespan s | makespan / 2 s | p50 ms |"
echo "|---:|---|---:|---|---:|---:|---:|"
for u in $USERS; do
  for n in "${LOOPSCOPES[@]}"; do
    IFS='|' read -r ok errs mk p50 <<<"${CROW[$n,$u]}"
    echo "| $u | ${LABEL[$n]} | $ok | $errs | $mk | $(awk -v a="$mk" 'BEGIN{printf "%.2f", a/2}') | $p50 |"
  done
done
echo
echo "### (d) Server CPU and memory over all of (c)"
echo
echo "| server | CPU s (user+sys) | / uvicorn | peak RSS MiB |"
echo "|---|---:|---:|---:|"
for n in "${LOOPSCOPES[@]}"; do
  echo "| ${LABEL[$n]} | ${CPU[$n]} | $(awk -v a="${CPU[$n]}" -v b="${CPU[uvicorn]}" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}') | ${RSS[$n]} |"
done
echo

# (e) the load generator against wrk ----------------------------------------------------------
PORT=$((PORT + 1)); start loopscope1 $PORT 0.05
cat >"$WORK/gen.json" <<JSON
{"name":"gen","title":{"en":"gen","zh":"gen"},"explanation":{"en":"gen","zh":"gen"},
 "variants":[{"name":"A","label":{"en":"gen","zh":"gen"},
   "load":{"model":"closed","users":100,"duration_s":$GEN_SECS,"think_s":0,"timeout_s":60}}],"expected":[]}
JSON
for round in 1 2; do
  log "(e) round $round: wrk -t1 -c100 -d${GEN_SECS}s"
  /usr/bin/time -f "%U %S" -o "$WORK/e-wrk-$round.time" \
      wrk -t1 -c100 -d"${GEN_SECS}s" --latency -s "$LUA" "http://127.0.0.1:$PORT/v1/chat" >"$WORK/e-wrk-$round.txt" 2>&1
  log "(e) round $round: loopscope run, 100 users, think 0, ${GEN_SECS} s"
  "$BIN" run --scenario "$WORK/gen.json" --target "http://127.0.0.1:$PORT" --api-key "$KEY" \
      --out "$WORK/e-gen-$round" >"$WORK/e-gen-$round.log" 2>&1
done
stop "$SRV_PID"
echo "### (e) Load generator against wrk: one LoopScope server (async, 1 loop, 50 ms call), 100 connections, ${GEN_SECS} s each, alternated twice"
echo
echo "| client | round | requests/s | p50 ms | p99 ms | client CPU µs per request | errors |"
echo "|---|---:|---:|---:|---:|---:|---|"
for round in 1 2; do
  f="$WORK/e-wrk-$round.txt"
  reqs=$(awk '/requests in/ {print $1}' "$f")
  cpu=$(awk '{print $1+$2}' "$WORK/e-wrk-$round.time")
  echo "| wrk -t1 -c100 | $round | $(wrk_rps "$f") | $(wrk_pct "$f" 50%) | $(wrk_pct "$f" 99%) | $(awk -v c="$cpu" -v n="$reqs" 'BEGIN{printf "%.1f", c/n*1e6}') | $(wrk_errors "$f") |"
  python3 - "$WORK/e-gen-$round/run.json" "$round" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))["variants"][0]; m = v["metrics"]
cpu = m.get("client_cpu_s", 0); n = max(1, m.get("requests", 1))
print(f'| loopscope run, 100 users | {sys.argv[2]} | {m.get("successful_rps", 0):.1f} | {m.get("latency_p50_s", 0)*1000:.2f} | '
      f'{m.get("latency_p99_s", 0)*1000:.2f} | {cpu / n * 1e6:.1f} | {int(m.get("errors", 0))} |')
PY
done
echo
