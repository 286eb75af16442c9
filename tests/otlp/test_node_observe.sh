#!/usr/bin/env bash
# Integration test (CTest otlp_node_observe): three Node processes standing for three hosts,
# instrumented only by `node --require @opentelemetry/auto-instrumentations-node/register` and
# OTEL_* variables, export traces and runtime metrics to `loopscope observe`, each over another
# protocol: host-a over gRPC, host-b over HTTP/protobuf, host-c over HTTP/JSON. LoopScope's load
# generator drives them. host-a busy-waits in its handler (Node's pseudo-async), host-b and host-c
# wait on a timer. Asserts on the observed run: every request counted once, the busy lane
# serialised (never more than one request in flight, starts a handler's time apart: the
# staircase), overlap on the others; and from the services' own metrics (metrics.csv): the busy
# host's event loop delayed >= 200 ms and >= 80 % utilised while loaded, the others' < 100 ms.
#   tests/otlp/test_node_observe.sh LOOPSCOPE_BINARY NODE_PREFIX
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
loopscope="$1"
prefix="$2"
users=5
busy_ms=300
wait_ms=300
fail() { echo "otlp_node_observe: FAIL: $*" >&2; exit 1; }

command -v node >/dev/null || fail "node is not installed (apt-get install nodejs; Node 20 or later)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "Node $(node --version) is too old: the OpenTelemetry SDK needs Node 20 or later"
command -v python3 >/dev/null || fail "python3 is needed to check the observed run"

# The official SDK from npm, installed into the build folder once.
if [ ! -f "$prefix/node_modules/@opentelemetry/auto-instrumentations-node/package.json" ] \
   || [ ! -f "$prefix/node_modules/@opentelemetry/sdk-node/package.json" ]; then
  command -v npm >/dev/null || fail "npm is not installed: cannot install the OpenTelemetry SDK into $prefix"
  mkdir -p "$prefix"
  echo "installing @opentelemetry/sdk-node and auto-instrumentations-node into $prefix ..." >&2
  npm install --prefix "$prefix" --cache "$prefix/.npm-cache" --no-audit --no-fund \
      @opentelemetry/sdk-node@0.223 @opentelemetry/auto-instrumentations-node@0.81 >&2 \
    || fail "npm install of the OpenTelemetry SDK into $prefix failed (is the npm registry reachable?)"
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${KEEP_WORK:-}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# 1. LoopScope receives on a free port.
"$loopscope" observe --otlp-port 0 --otlp-grpc-port 0 --out "$work/observed" >"$work/observe.out" 2>"$work/observe.err" &
observe_pid=$!
pids+=("$observe_pid")
endpoint=""
for _ in $(seq 1 100); do
  endpoint=$(grep -o 'OTEL_EXPORTER_OTLP_ENDPOINT=[^ ]*' "$work/observe.out" | head -1 | cut -d= -f2 || true)
  [ -n "$endpoint" ] && break
  kill -0 "$observe_pid" 2>/dev/null || { cat "$work/observe.err" >&2; fail "loopscope observe did not start"; }
  sleep 0.1
done
[ -n "$endpoint" ] || fail "loopscope observe printed no endpoint"
grpc_endpoint=$(grep 'over gRPC' "$work/observe.out" | grep -o 'OTEL_EXPORTER_OTLP_ENDPOINT=[^ ]*' | cut -d= -f2 || true)
[ -n "$grpc_endpoint" ] || fail "loopscope observe printed no gRPC endpoint"
echo "LoopScope receives at $endpoint (HTTP) and $grpc_endpoint (gRPC)" >&2

# 2. Three instrumented Node processes, three host names.
# Runtime metrics on: the runtime instrumentation (event-loop delay and utilisation, heap) and the
# host metrics one (process CPU and memory), exported every 250 ms (an interval of a blocked
# loop then holds little idle time, so its utilisation reads near 1).
start_service() { # host busy_ms wait_ms protocol endpoint compression
  NODE_PATH="$prefix/node_modules" \
  OTEL_SERVICE_NAME=chat OTEL_RESOURCE_ATTRIBUTES="host.name=$1" \
  OTEL_NODE_RESOURCE_DETECTORS=env,process \
  OTEL_NODE_ENABLED_INSTRUMENTATIONS=http,runtime-node,host-metrics \
  OTEL_TRACES_EXPORTER=otlp OTEL_METRICS_EXPORTER=otlp OTEL_LOGS_EXPORTER=none \
  OTEL_METRIC_EXPORT_INTERVAL=250 \
  OTEL_EXPORTER_OTLP_ENDPOINT="$5" OTEL_EXPORTER_OTLP_PROTOCOL="$4" \
  OTEL_EXPORTER_OTLP_COMPRESSION="$6" OTEL_BSP_SCHEDULE_DELAY=200 \
  PORT=0 BUSY_MS="$2" WAIT_MS="$3" \
    node --require @opentelemetry/auto-instrumentations-node/register "$here/chatservice.js" \
    >"$work/$1.log" 2>&1 &
  pids+=("$!")
}
start_service host-a "$busy_ms" 0 grpc "$grpc_endpoint" gzip
start_service host-b 0 "$wait_ms" http/protobuf "$endpoint" gzip
start_service host-c 0 "$wait_ms" http/json "$endpoint" none
declare -A port
for h in host-a host-b host-c; do
  for _ in $(seq 1 600); do
    port[$h]=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$work/$h.log" | head -1 | cut -d: -f2 || true)
    [ -n "${port[$h]}" ] && break
    sleep 0.1
  done
  [ -n "${port[$h]}" ] || { cat "$work/$h.log" >&2; fail "the Node service $h did not start"; }
done

# Let each service export a few metric intervals idle first (the load is judged on its own).
sleep 1.5

# 3. LoopScope's load generator: all users at once, one request each, per host.
for h in host-a host-b host-c; do
  "$loopscope" run --scenario pseudo_async --variant A --target "http://127.0.0.1:${port[$h]}" \
      --users "$users" --out "$work/load-$h" >"$work/load-$h.log" 2>&1 &
  load_pids+=("$!")
done
for p in "${load_pids[@]}"; do wait "$p" || { cat "$work"/load-*.log >&2; fail "loopscope run failed"; }; done

# 4. Let the exporters flush (batch delay 200 ms, metric interval 250 ms), then stop LoopScope.
sleep 2
kill -INT "$observe_pid"
wait "$observe_pid" || { cat "$work/observe.err" >&2; fail "loopscope observe exited with an error"; }
cat "$work/observe.err" >&2
for f in run.json trace.json report.html requests.csv metrics.csv; do
  [ -s "$work/observed/$f" ] || fail "loopscope observe did not write $f"
done

# 5. The observed run.
python3 - "$work/observed/requests.csv" "$users" "$busy_ms" "$work/observed/metrics.csv" "$work/observed/run.json" "$wait_ms" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
users, busy_ms = int(sys.argv[2]), float(sys.argv[3])
metrics = list(csv.DictReader(open(sys.argv[4])))
run = json.load(open(sys.argv[5]))
def fail(msg):
    print("otlp_node_observe: FAIL:", msg, file=sys.stderr)
    sys.exit(1)
chat = [r for r in rows if r["service"] == "chat"]
by_host = {}
for r in chat:
    by_host.setdefault(r["host"], []).append(r)
print("observed requests per host:", {h: len(v) for h, v in sorted(by_host.items())})
if sorted(by_host) != ["host-a", "host-b", "host-c"]:
    fail("expected lanes for host-a, host-b and host-c, got %s" % sorted(by_host))
def max_in_flight(rs):
    edges = sorted([(float(r["start_ms"]), 1) for r in rs] + [(float(r["end_ms"]), -1) for r in rs],
                   key=lambda e: (e[0], e[1]))
    now = peak = 0
    for _, d in edges:
        now += d
        peak = max(peak, now)
    return peak
for h, rs in sorted(by_host.items()):
    if len(rs) != users:
        fail("%s: %d requests observed, %d sent (every request must be counted once)" % (h, len(rs), users))
    if any(r["status"] != "200" for r in rs):
        fail("%s: a request did not answer 200" % h)
    print("%s: max in flight %d, durations %s ms" % (h, max_in_flight(rs), [r["duration_ms"] for r in rs]))
a = by_host["host-a"]
if max_in_flight(a) != 1:
    fail("host-a busy-waits: its requests must be served one at a time, max in flight %d" % max_in_flight(a))
starts = sorted(float(r["start_ms"]) for r in a)
gaps = [b - x for x, b in zip(starts, starts[1:])]
if min(gaps) < 0.9 * busy_ms:
    fail("host-a: no staircase, starts %s ms apart" % gaps)
for h in ("host-b", "host-c"):
    if max_in_flight(by_host[h]) < 2:
        fail("%s waits on a timer: its requests must overlap, max in flight %d" % (h, max_in_flight(by_host[h])))

# Every protocol delivered: gRPC calls were answered, and each host's spans arrived (above).
otlp = run["machine"]["otlp"]
if otlp.get("grpc_export_requests", 0) < 1:
    fail("no OTLP/gRPC export arrived (host-a exports over gRPC)")
with open(sys.argv[4]) as f:
    header = f.readline().strip()
if header != "service,host,instance,time_ms,name,value":
    fail("metrics.csv header is %r" % header)

# The services' own runtime metrics while they were loaded: from the host's first request to the
# export that covers its last answer. A point is stamped at the end of its interval (250 ms): an
# awaiting loop exports on time, within two intervals of its last answer; a blocked loop exports
# only when it is free again, so its window reaches further.
def loaded(host, name, pad_ms):
    rs = by_host[host]
    t0 = min(float(r["start_ms"]) for r in rs)
    t1 = max(float(r["end_ms"]) for r in rs) + pad_ms
    return [float(m["value"]) for m in metrics
            if m["host"] == host and m["name"] == name and t0 <= float(m["time_ms"]) <= t1]
for h in ("host-a", "host-b", "host-c"):
    names = {m["name"] for m in metrics if m["host"] == h}
    for need in ("nodejs.eventloop.delay.max", "nodejs.eventloop.utilization"):
        if need not in names:
            fail("%s sent no %s (metrics on: OTEL_METRICS_EXPORTER=otlp)" % (h, need))
    pad = 1500 if h == "host-a" else 500
    delay = loaded(h, "nodejs.eventloop.delay.max", pad)
    elu = loaded(h, "nodejs.eventloop.utilization", pad)
    if not delay or not elu:
        fail("%s: no event-loop metrics while it was loaded" % h)
    print("%s: event-loop delay max %.0f ms, utilisation max %.2f while loaded (%d and %d points)"
          % (h, max(delay) * 1e3, max(elu), len(delay), len(elu)))
    if h == "host-a":
        if max(delay) < 0.200:
            fail("host-a busy-waits %d ms per request: its loop delay must reach 200 ms, max %.0f ms"
                 % (busy_ms, max(delay) * 1e3))
        if max(elu) < 0.8:
            fail("host-a busy-waits: its loop utilisation must reach 0.8, max %.2f" % max(elu))
    elif max(delay) >= 0.100:
        late = max(float(r["duration_ms"]) for r in by_host[h]) - float(sys.argv[6])
        fail("%s awaits a timer: its loop delay must stay under 100 ms, max %.0f ms%s"
             % (h, max(delay) * 1e3, " (its %d ms timers ran up to %.0f ms late: the machine starved it of CPU)"
                % (int(sys.argv[6]), late) if late > 100 else ""))
peaks = {m["host"]: m["peaks"] for m in otlp["metrics"]}
if peaks.get("host-a", {}).get("loop_delay_max_ms", 0) < 200:
    fail("run.json machine.otlp.metrics: host-a's loop_delay_max_ms peak missing or below 200")
print("otlp_node_observe: PASS")
PY
