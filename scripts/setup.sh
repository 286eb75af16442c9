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
  qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev libsqlite3-dev qt6-svg-dev
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl1-mesa-dev
  libqcustomplot-dev qcoro-qt6-dev qtkeychain-qt6-dev libhttp-parser-dev
  fonts-noto-cjk xvfb xauth dpkg-dev clang-format-14
  # OTLP receiver (core/otlp): protoc + the protobuf runtime, zlib for gzip bodies, gRPC for
  # OTLP/gRPC; Node runs the OpenTelemetry integration test (tests/otlp), its SDK comes from npm
  # into the build folder.
  libprotobuf-dev protobuf-compiler zlib1g-dev libgrpc++-dev protobuf-compiler-grpc nodejs
  # Locust drives the recording integration test (tests/record): a master and workers on loopback.
  python3-locust
  # PostgreSQL (--db postgresql://..., core/db): libpq to build; the server (initdb, pg_ctl) for
  # the tests and the database scenarios, which start a throwaway cluster of their own.
  libpq-dev postgresql
)
# scripts/package.sh adds lintian and the validators.
read -r -a extra <<<"${LOOPSCOPE_EXTRA_PACKAGES:-}"
PACKAGES+=("${extra[@]}")
# Wanted by the package test (it validates the desktop entry and metainfo with them), installed
# as root; without them (not root) that test skips those two checks.
OPTIONAL=(desktop-file-utils appstream)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done
missing_optional=()
for p in "${OPTIONAL[@]}"; do
  installed "$p" || missing_optional+=("$p")
done
if [ "$(id -u)" = 0 ] && [ $((${#missing[@]} + ${#missing_optional[@]})) -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]} ${missing_optional[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${missing[@]}" "${missing_optional[@]}"
elif [ ${#missing[@]} -gt 0 ]; then
  echo "LoopScope needs these Debian packages. Run as root:" >&2
  echo "  apt-get install -y ${missing[*]} ${missing_optional[*]}" >&2
  exit 1
elif [ ${#missing_optional[@]} -gt 0 ]; then
  echo "Note: without ${missing_optional[*]} the package test skips the desktop-entry and metainfo" \
       "validators (apt-get install -y ${missing_optional[*]})." >&2
fi

cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release ${LOOPSCOPE_CMAKE_ARGS:-} >/dev/null
# shellcheck disable=SC2086 # a list of target names
cmake --build "$BUILD_DIR" -j"$(nproc)" ${LOOPSCOPE_BUILD_TARGETS:+--target $LOOPSCOPE_BUILD_TARGETS}
