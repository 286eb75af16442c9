#!/usr/bin/env bash
# Expected figures that hold on any machine (issue 18, item 4). Run by hand, not by CI: it takes
# about an hour at both time scales.
#
# Every built-in scenario must pass `loopscope run --assert` three times in a row, at time scale
# 1 and 0.1, under three conditions:
#   idle      nothing else started by this script
#   busy-core one core kept busy by another process (stress-ng --cpu 1)
#   one-core  the run pinned to one core (taskset -c 0): figures that need more cores (a parallel
#             speed-up) read "not applicable: 1 core" instead of FAIL
# Prints one line per run and the verdict lines of any run that failed; exits 1 if one did.
#
# Usage: tests/bench/portable_expectations.sh [BUILD_DIR]
# Narrow it with SCALES="0.1" REPEAT=1 CONDITIONS="idle one-core" SCENARIOS="cpu_bound resources".
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${1:-$ROOT/build}/app/loopscope"
SCALES=${SCALES:-"1 0.1"}
REPEAT=${REPEAT:-3}
CONDITIONS=${CONDITIONS:-"idle busy-core one-core"}
SCENARIOS=${SCENARIOS:-$(ls "$ROOT/resources/scenarios" | sed -n 's/\.json$//p')}
TMP=$(mktemp -d)
stress=""
cleanup() {
  [ -n "$stress" ] && kill "$stress" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
command -v stress-ng >/dev/null || { echo "needs stress-ng (Debian package stress-ng)"; exit 2; }
[ -x "$BIN" ] || { echo "no loopscope binary at $BIN"; exit 2; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC') · $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p'))"
echo "# loopscope $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null) · scales: $SCALES · $REPEAT runs each"
failed=0
runs=0
for condition in $CONDITIONS; do
  prefix=()
  case $condition in
    idle) ;;
    busy-core)
      stress-ng --cpu 1 --quiet &
      stress=$!
      sleep 1 ;;
    one-core) prefix=(taskset -c 0) ;;
    *) echo "unknown condition $condition"; exit 2 ;;
  esac
  for scale in $SCALES; do
    for scenario in $SCENARIOS; do
      for run in $(seq "$REPEAT"); do
        log="$TMP/$condition-$scale-$scenario-$run.log"
        start=$(date +%s.%N)
        "${prefix[@]}" "$BIN" run --scenario "$scenario" --time-scale "$scale" --assert \
          --out "$TMP/out" > "$log" 2>&1
        rc=$?
        seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
        na=$(grep -c '\[not applicable' "$log")
        checks=$(grep -c '^  \[' "$log")
        runs=$((runs + 1))
        if [ $rc -eq 0 ]; then verdict=PASS; else verdict=FAIL; failed=$((failed + 1)); fi
        printf '%-9s scale %-4s %-20s run %s  %s  %2d figures (%d not applicable)  %5.1f s\n' \
          "$condition" "$scale" "$scenario" "$run" "$verdict" "$checks" "$na" "$seconds"
        if [ $rc -ne 0 ]; then
          grep -E '^\s+\[(FAIL|not applicable)|loopscope run:' "$log" | sed 's/^/    /'
        fi
      done
    done
  done
  if [ -n "$stress" ]; then
    kill "$stress" 2>/dev/null
    wait "$stress" 2>/dev/null
    stress=""
  fi
done
echo "# $((runs - failed)) of $runs runs passed"
[ $failed -eq 0 ]
