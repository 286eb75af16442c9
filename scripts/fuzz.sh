#!/usr/bin/env bash
# Build the libFuzzer targets (clang-14, ASan + UBSan) in ./build-fuzz and run each for SECONDS
# (default 10) on a copy of its seed corpus (tests/fuzz/corpus/<target>/).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Prints one line per target: executions, seconds, corpus size, and "crash" with the artifact
# when one is found (build-fuzz/artifacts/<target>/). Exits non-zero if any target crashed,
# leaked, timed out or ran out of memory. A finding becomes a regression test: add the input
# to the target's seed corpus and a test row that reproduces it in tests/auto.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_EACH="${1:-10}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(fuzz_chatrequest fuzz_http fuzz_openai fuzz_sse fuzz_runjson fuzz_scenario fuzz_otlp)
BUILD="${LOOPSCOPE_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"

PACKAGES=(clang-14 libfuzzer-14-dev cmake ninja-build qt6-base-dev qt6-httpserver-dev
          qcoro-qt6-dev libhttp-parser-dev)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  else
    echo "fuzz.sh needs: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 "${launcher[@]}" \
  -DLOOPSCOPE_BUILD_GUI=OFF -DLOOPSCOPE_BUILD_TESTS=OFF -DLOOPSCOPE_BUILD_FUZZ=ON \
  -DLOOPSCOPE_SANITIZE=address,undefined >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target "${TARGETS[@]}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for t in "${TARGETS[@]}"; do
  corpus="$BUILD/corpus/$t"
  artifacts="$BUILD/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  cp -n "$ROOT/tests/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null || true
  log="$BUILD/$t.log"
  set +e
  "$BUILD/tests/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' || echo "$SECONDS_EACH")
  files=$(find "$corpus" -type f | wc -l)
  if [ $rc -eq 0 ]; then
    printf '%-18s %12s executions in %s s, corpus %s files, no crash\n' "$t" "$runs" "$secs" "$files"
  else
    status=1
    printf '%-18s %12s executions: FAILED (exit %s), see %s and %s\n' "$t" "$runs" "$rc" "$log" "$artifacts"
    grep -m3 -E 'ERROR: |runtime error|SUMMARY' "$log" || true
  fi
done
exit $status
