#!/usr/bin/env bash
# Quick start: install what is missing (as root), build, and open LoopScope.
# Extra arguments go to the app, e.g. `scripts/run.sh serve --mode blocking`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec "$BUILD_DIR/app/loopscope" "$@"
