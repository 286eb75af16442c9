#!/usr/bin/env bash
# Regenerate every picture in docs/screenshots/ with the app's own --screenshot (offscreen, no
# display needed), so the README and the guides never show a stale window. Builds first (as
# run.sh does). Extra arguments go to every screenshot run (e.g. --large-fonts).
# Each run starts the in-process server on a free port with a temporary history database, runs
# its users at time scale 0.25 and writes the window as a PNG; settings go to a temporary folder.
set -euo pipefail
export LOOPSCOPE_BUILD_TARGETS="${LOOPSCOPE_BUILD_TARGETS:-loopscope}"
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
APP="$BUILD_DIR/app/loopscope"
OUT="$ROOT/docs/screenshots"
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -m 700 "$tmp/runtime"
export QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" \
       XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/runtime"

shot() { # FILE ARGS...
  local file=$1
  shift
  echo "== $file"
  # (The offscreen platform's "does not support propagateSizeHints()" is noise.)
  "$APP" --screenshot "$OUT/$file" "$@" "${EXTRA[@]}" >/dev/null 2> >(grep -v propagateSizeHints >&2)
}
EXTRA=("$@")

# The first start: seed 1 with the tour hint, before anything ran (laptop and desktop screens),
# and after the first click (variant A ran, B is selected).
shot first-run-1366x768.png --first-run --size 1366x768
shot first-run-1920x1080.png --first-run --size 1920x1080
shot first-run-1366x768-zh_CN.png --first-run --size 1366x768 --language zh_CN
shot first-run-after-a-1366x768.png --first-run --size 1366x768 --scenario pseudo_async/A
# The main window on seed 1's staircase, plus each dock, the centre and each menu on its own
# (main-window-server.png, main-window-users.png, main-window-menu-view.png, ...).
shot main-window.png --scenario pseudo_async/A --panels
shot pseudo-async-executor.png --scenario pseudo_async/B
shot main-window-light-executor.png --light --mode executor
# Runs: A then B, the Runs tab with both selected, and the comparison window.
# (--panels here only for the Runs dock, which is raised in this shot.)
shot runs-latency-per-second.png --scenario pseudo_async/A --compare --panels
mv "$OUT/runs-latency-per-second-compare.png" "$OUT/runs-compare-pseudo-async.png"
mv "$OUT/runs-latency-per-second-runs.png" "$OUT/main-window-runs.png"
rm -f "$OUT"/runs-latency-per-second-*.png
# Lesson mode (paused replay with captions), in English and Chinese.
shot lesson-mode.png --scenario pseudo_async/A --lesson
shot lesson-mode-zh_CN.png --scenario pseudo_async/A --lesson --language zh_CN
# Lesson 9 (cpu_bound): CPU work on the loop (loop_wait after every await), and 10 pool threads
# under the GIL model, taking turns at the lock.
shot cpu-bound-async-loop-wait.png --scenario cpu_bound/A
shot cpu-bound-gil.png --scenario cpu_bound/B
# Scale: 2,000 users against one async worker.
shot async-2000-users.png --mode async --users 2000
echo "screenshots in $OUT"
