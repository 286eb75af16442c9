#!/usr/bin/env bash
# Build and run every test suite headless. Extra arguments go to ctest (e.g. -R server).
#   scripts/test.sh                 the Release build in ./build, every suite
#   scripts/test.sh --asan [ARGS]   ASan + UBSan build of the core and its suites in ./build-asan
#   scripts/test.sh --tsan [ARGS]   TSan build in ./build-tsan: the server, recorder and load
#                                   generator suites (ARGS replace that selection)
# The sanitizer builds are separate and slow (see docs/BENCHMARKS.md for their times); they
# are not part of the default run.
set -euo pipefail
sanitizer=""
case "${1:-}" in
  --asan) sanitizer=address,undefined; shift ;;
  --tsan) sanitizer=thread; shift ;;
esac
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -n "$sanitizer" ]; then
  name=$([ "$sanitizer" = thread ] && echo tsan || echo asan)
  export LOOPSCOPE_BUILD_DIR="${LOOPSCOPE_BUILD_DIR:-$ROOT/build-$name}"
  # The widgets are left out: the suites under test are the core's.
  export LOOPSCOPE_CMAKE_ARGS="${LOOPSCOPE_CMAKE_ARGS:-} -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -DLOOPSCOPE_BUILD_GUI=OFF -DLOOPSCOPE_SANITIZE=$sanitizer"
  supp="$ROOT/tests/sanitizers"
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0}"
  export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$supp/lsan.supp:print_suppressions=0}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp}"
  export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp}"
  if [ "$sanitizer" = thread ] && [ $# -eq 0 ]; then
    set -- -R 'tst_(chatserver|completionsendpoint|tracerecorder|loadgenerator)$'
    # Only what those four suites need is built (about half the steps of the whole tree).
    export LOOPSCOPE_BUILD_TARGETS="${LOOPSCOPE_BUILD_TARGETS:-tst_chatserver tst_completionsendpoint tst_tracerecorder tst_loadgenerator}"
  fi
fi
source "$ROOT/scripts/setup.sh"
# Unformatted code fails the run (issue #9): the check is quick and needs no build.
"$ROOT/scripts/check-format.sh"
export QT_QPA_PLATFORM=offscreen
# Simulated users open thousands of sockets.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
cd "$BUILD_DIR"
# Sanitized code runs several times slower: give each suite more time.
timeout=600
[ -n "$sanitizer" ] && timeout=3000
ctest --output-on-failure --timeout "$timeout" "$@"
