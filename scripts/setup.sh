#!/usr/bin/env bash
# Shared by run.sh and test.sh: make sure the Debian packages are there, then configure and
# build LoopScope (Release) in ./build. Source it; it sets $BUILD_DIR.
# LOOPSCOPE_BUILD_TARGETS (e.g. "loopscope") builds only those targets; LOOPSCOPE_EXTRA_PACKAGES
# adds Debian packages to the list.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${LOOPSCOPE_BUILD_DIR:-$ROOT/build}"

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev libqt6sql6-sqlite qt6-svg-dev
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl1-mesa-dev
  libqcustomplot-dev qcoro-qt6-dev qtkeychain-qt6-dev libhttp-parser-dev
  fonts-noto-cjk xvfb xauth
  dpkg-dev desktop-file-utils appstream
)
# scripts/package.sh adds lintian.
read -r -a extra <<<"${LOOPSCOPE_EXTRA_PACKAGES:-}"
PACKAGES+=("${extra[@]}")

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q "${missing[@]}"
  else
    echo "LoopScope needs these Debian packages. Run as root:" >&2
    echo "  apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release ${LOOPSCOPE_CMAKE_ARGS:-} >/dev/null
# shellcheck disable=SC2086 # a list of target names
cmake --build "$BUILD_DIR" -j"$(nproc)" ${LOOPSCOPE_BUILD_TARGETS:+--target $LOOPSCOPE_BUILD_TARGETS}
