#!/usr/bin/env bash
# Captures the fixtures of tests/auto/data/otlp/ from the official Node exporter: the chat
# service instrumented by auto-instrumentations-node sends to capture.js, once per protocol and
# compression. Usage: tests/otlp/capture.sh NODE_MODULES_PREFIX OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prefix="$1"
out="$2"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
OUT_DIR="$tmp" PORT=4399 node "$here/capture.js" &
sleep 0.5
for proto in http/protobuf http/json; do
  for comp in none gzip; do
    NODE_PATH="$prefix/node_modules" \
    OTEL_SERVICE_NAME=otlp-fixture OTEL_RESOURCE_ATTRIBUTES=host.name=fixture-host \
    OTEL_TRACES_EXPORTER=otlp OTEL_METRICS_EXPORTER=none OTEL_LOGS_EXPORTER=none \
    OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4399 OTEL_EXPORTER_OTLP_PROTOCOL=$proto \
    OTEL_EXPORTER_OTLP_COMPRESSION=$comp OTEL_BSP_SCHEDULE_DELAY=200 \
    OTEL_NODE_RESOURCE_DETECTORS=env,process \
    PORT=4398 node --require @opentelemetry/auto-instrumentations-node/register "$here/chatservice.js" &
    pid=$!
    sleep 2
    for i in 1 2 3; do
      curl -s -X POST -H 'Content-Type: application/json' -d "{\"message\":\"hi $i\"}" http://127.0.0.1:4398/v1/chat >/dev/null
    done
    sleep 1.5
    kill $pid; wait $pid || true
  done
done
ls -l "$tmp"
f() { ls "$tmp" | grep -E -- "$1" | head -1; }
cp "$tmp/$(f '^[0-9]+-protobuf(-chunked)?$')" "$out/node-protobuf.bin"
cp "$tmp/$(f '^[0-9]+-protobuf(-chunked)?\.gz$')" "$out/node-protobuf.bin.gz"
cp "$tmp/$(f '^[0-9]+-json(-chunked)?$')" "$out/node-json.json"
cp "$tmp/$(f '^[0-9]+-json(-chunked)?\.gz$')" "$out/node-json.json.gz"
ls -l "$out"
