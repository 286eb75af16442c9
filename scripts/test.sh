#!/usr/bin/env bash
# Build and run every test suite headless. Extra arguments go to ctest (e.g. -R server).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
export QT_QPA_PLATFORM=offscreen
# Simulated users open thousands of sockets.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 600 "$@"
