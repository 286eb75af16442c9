#!/bin/bash
# Soak test (issue 13): USERS simulated users for DURATION seconds against one server process
# whose dispatch mode switches every SWITCH seconds (blocking -> executor -> async -> ...), with
# chat requests, streamed chat requests and conversation CRUD mixed in. Records:
#   - errors of every kind (expected: 0);
#   - the server's RSS after warm-up (one full cycle of the three modes) and at the end (growth
#     expected <= 5 %, apart from the trace recorder's ring and the counter series, which
#     allocate as they fill up to their capacity: their shares are shown);
#   - the trace recorder's size (a bounded ring: records kept <= capacity);
#   - the history database: PRAGMA integrity_check, and its message rows against the exchanges
#     the clients saw acknowledged (2 rows, user + assistant, per acknowledged exchange).
# Usage: tests/bench/soak.sh [BUILD_DIR] [DURATION_S] [USERS] [SWITCH_S]
#   defaults: build 600 2000 60 (the issue's soak); e.g. `tests/bench/soak.sh build 120 2000 20`
#   is the shortened run. Needs bench_soak_server and loopscope in BUILD_DIR, python3, curl.
#   MALLOC_INFO=1 (with KEEP=1) also keeps glibc's malloc_info() XML of every figure line.
# Prints a Markdown section for docs/BENCHMARKS.md on stdout; progress on stderr.
set -u
BUILD=${1:-build}
DURATION=${2:-600}
USERS=${3:-2000}
SWITCH=${4:-60}
BIN=$(realpath "$BUILD/app/loopscope")
SERVER=$(realpath "$BUILD/tests/bench/bench_soak_server")
WORK=$(mktemp -d); echo "work dir $WORK" >&2
KEY=soak-key
PORT=${SOAK_PORT:-18913}
ulimit -n "$(ulimit -Hn)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; [ -n "${KEEP:-}" ] || rm -rf "$WORK"; }
trap cleanup EXIT

if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then echo "port $PORT is busy" >&2; exit 1; fi
# Short simulated delays: the point is many requests through every mode, not long waits.
"$SERVER" --port "$PORT" --api-key "$KEY" --db "$WORK/history.sqlite" --mode blocking --workers 2 \
    --llm-latency 0.05 --llm-first-token 0.01 --db-read-latency 0.005 --db-write-latency 0.005 \
    --switch-every "$SWITCH" --report-every 5 ${MALLOC_INFO:+--malloc-info "$WORK"} >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
PIDS+=($SERVER_PID)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/health" && break; sleep 0.1; done

scenario() { # file, load json
    cat >"$1" <<JSON
{"name":"soak","title":{"en":"soak","zh":"soak"},"explanation":{"en":"soak","zh":"soak"},
 "variants":[{"name":"A","label":{"en":"soak","zh":"soak"},"load":$2}],"expected":[]}
JSON
}
# Three in four users ask for whole replies, one in four streams; think times ~2 s (exponential).
PLAIN=$((USERS * 3 / 4)); STREAMING=$((USERS - PLAIN))
common="\"model\":\"closed\",\"duration_s\":$DURATION,\"requests_per_user\":1000000,\"think\":\"exponential\",\"think_s\":2,\"spawn_rate\":200,\"timeout_s\":300,\"threads\":2"
scenario "$WORK/plain.json" "{$common,\"users\":$PLAIN,\"session_prefix\":\"soak-plain\"}"
scenario "$WORK/stream.json" "{$common,\"users\":$STREAMING,\"stream\":true,\"session_prefix\":\"soak-stream\"}"
echo "soak: $USERS users ($STREAMING streaming) for $DURATION s, mode switch every $SWITCH s" >&2
"$BIN" run --scenario "$WORK/plain.json" --target "http://127.0.0.1:$PORT" --api-key "$KEY" --out "$WORK/plain" >"$WORK/plain.log" 2>&1 &
PLAIN_PID=$!; PIDS+=($PLAIN_PID)
"$BIN" run --scenario "$WORK/stream.json" --target "http://127.0.0.1:$PORT" --api-key "$KEY" --out "$WORK/stream" >"$WORK/stream.log" 2>&1 &
STREAM_PID=$!; PIDS+=($STREAM_PID)

# Conversation CRUD alongside: create, list, rename, read, delete, in a loop until the load ends.
python3 - "$PORT" "$KEY" "$DURATION" >"$WORK/crud.log" 2>&1 <<'PY' &
import json, sys, time, urllib.request, urllib.error
port, key, duration = sys.argv[1], sys.argv[2], float(sys.argv[3])
base = f"http://127.0.0.1:{port}"
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, headers={"X-API-Key": key, "Content-Type": "application/json"},
                                 data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, {}
    except Exception as e:
        return 0, {"exception": str(e)}
ok = errors = 0
end = time.time() + duration
i = 0
while time.time() < end:
    i += 1
    s, c = call("POST", "/v1/conversations", {"user_id": f"crud{i % 50}", "title": f"t{i}"})
    steps = [s == 201]
    if s == 201:
        cid = c["id"]
        steps.append(call("GET", f"/v1/conversations?user_id=crud{i % 50}")[0] == 200)
        steps.append(call("PATCH", f"/v1/conversations/{cid}", {"title": f"renamed {i}"})[0] == 200)
        steps.append(call("GET", f"/v1/conversations/{cid}/messages")[0] == 200)
        steps.append(call("DELETE", f"/v1/conversations/{cid}")[0] == 200)
    ok += sum(steps); errors += len(steps) - sum(steps)
    time.sleep(0.05)
print(json.dumps({"crud_ok": ok, "crud_errors": errors}))
PY
CRUD_PID=$!; PIDS+=($CRUD_PID)

wait $PLAIN_PID; wait $STREAM_PID; wait $CRUD_PID
kill -TERM $SERVER_PID; wait $SERVER_PID

python3 - "$WORK" "$DURATION" "$USERS" "$SWITCH" <<'PY'
import json, os, re, sqlite3, sys
work, duration, users, switch = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
def run(name):
    p = os.path.join(work, name, "run.json")
    if not os.path.exists(p):
        return None
    v = json.load(open(p))["variants"][0]
    return v
plain, stream = run("plain"), run("stream")
crud = json.loads(open(os.path.join(work, "crud.log")).read().strip().splitlines()[-1])
log = open(os.path.join(work, "server.log")).read().splitlines()
record_bytes = int(re.search(r"record_bytes=(\d+)", log[0]).group(1))
fig = [dict(kv.split("=", 1) for kv in l.split()) for l in log if l.startswith("t_s=")]
# Warm-up: one full cycle of the three modes (every code path has run, the connections are open).
warm = next((f for f in fig if float(f["t_s"]) >= 3 * switch), fig[len(fig) // 2])
last = fig[-1]
db = sqlite3.connect(os.path.join(work, "history.sqlite"))
integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
rows = db.execute("SELECT count(*) FROM messages").fetchone()[0]
acked = sum(int(v["metrics"].get("successful", 0)) for v in (plain, stream) if v)
errors = {}
for name, v in (("plain", plain), ("stream", stream)):
    if v is None:
        errors[name] = "no run.json"
        continue
    for k, n in v.get("outcomes", {}).items():
        if k != "ok" and n:
            errors[f"{name}:{k}"] = n
rss0, rss1 = int(warm["rss_kb"]), int(last["rss_kb"])
print(f"### Soak: {users} users, {duration:.0f} s, mode switched every {switch:.0f} s")
print()
print(f"| figure | value |\n|---|---:|")
print(f"| exchanges acknowledged (chat + stream) | {acked} ({int(plain['metrics'].get('successful',0)) if plain else 0} + {int(stream['metrics'].get('successful',0)) if stream else 0}) |")
print(f"| client errors | {sum(v for v in errors.values() if isinstance(v, (int, float))) if errors else 0} {json.dumps(errors) if errors else ''} |")
print(f"| CRUD calls ok / failed | {crud['crud_ok']} / {crud['crud_errors']} |")
print(f"| server failed / rejected (counters) | {last['failed']} / {last['rejected']} |")
print(f"| server RSS after warm-up (t = {float(warm['t_s']):.0f} s) | {rss0/1024:.1f} MiB |")
print(f"| server RSS at the end (t = {float(last['t_s']):.0f} s) | {rss1/1024:.1f} MiB ({(rss1-rss0)/rss0*100:+.1f} %) |")
# The recorder is a bounded ring that allocates as it fills: its growth is by design, up to capacity.
ring = (int(last["recorder_records"]) - int(warm["recorder_records"])) * record_bytes / 1024
print(f"| of which the recorder's ring filling ({int(last['recorder_records']) - int(warm['recorder_records'])} records x {record_bytes} B) | {ring/1024:.1f} MiB |")
# So is the counter series (100 Hz samples, one hour kept): it fills as time passes.
sample_bytes = int(re.search(r"sample_bytes=(\d+)", log[0]).group(1)) if "sample_bytes=" in log[0] else 0
samples = int(last.get("counter_samples", 0)) - int(warm.get("counter_samples", 0))
series = samples * sample_bytes / 1024
print(f"| of which the counter series filling ({samples} samples x {sample_bytes} B, bounded at one hour) | {series/1024:.1f} MiB |")
print(f"| growth without the recorder and the counter series | {(rss1-rss0-ring-series)/1024:+.1f} MiB ({(rss1-rss0-ring-series)/rss0*100:+.1f} %) |")
print(f"| server RSS max over the run | {max(int(f['rss_kb']) for f in fig)/1024:.1f} MiB |")
print(f"| recorder: records kept / capacity / dropped | {last['recorder_records']} / {last['recorder_capacity']} / {last['recorder_dropped']} |")
print(f"| PRAGMA integrity_check | {integrity} |")
print(f"| message rows / 2 x acknowledged | {rows} / {2*acked} ({'equal' if rows == 2*acked else 'DIFFERENT'}) |")
print(f"| modes seen | {', '.join(sorted(set(f['mode'] for f in fig)))} |")
# Where the RSS went (bench_soak_server's malloc and SQLite figures), from minute 2 (the issue's
# figure), from the warm-up point and at the end: what grew is what is held, not what is measured.
if "heap_used_kb" in last:
    def at(t):
        return min(fig, key=lambda f: abs(float(f["t_s"]) - t))
    points = [("minute 2", at(120)), (f"warm-up (t = {float(warm['t_s']):.0f} s)", warm), (f"end (t = {float(last['t_s']):.0f} s)", last)]
    rows = [("RSS", "rss_kb"), ("RSS: anonymous (heap, stacks)", "rss_anon_kb"), ("RSS: mapped files (code, libraries, SQLite's WAL index)", "rss_file_kb"),
            ("RSS: shared memory", "rss_shmem_kb"), ("malloc: in use (all arenas)", "heap_used_kb"), ("malloc: free inside its arenas", "heap_free_kb"),
            ("of the in-use part: SQLite (page caches, statements)", "sqlite_kb")]
    print()
    print("| MiB | " + " | ".join(name for name, _ in points) + " | growth warm-up → end |")
    print("|---|" + "---:|" * (len(points) + 1))
    for label, key in rows:
        vals = [int(f[key]) / 1024 for _, f in points]
        print(f"| {label} | " + " | ".join(f"{v:.1f}" for v in vals) + f" | {vals[-1] - vals[1]:+.1f} |")
    print("| threads | " + " | ".join(f["threads"] for _, f in points) + f" | {int(last['threads']) - int(warm['threads']):+d} |")
    for label, count, size in (("recorder ring (records x bytes)", "recorder_records", record_bytes), ("counter series (samples x bytes)", "counter_samples", sample_bytes)):
        vals = [int(f.get(count, 0)) * size / 1024 / 1024 for _, f in points]
        print(f"| {label} | " + " | ".join(f"{v:.1f}" for v in vals) + f" | {vals[-1] - vals[1]:+.1f} |")
PY
