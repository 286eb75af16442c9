#!/usr/bin/env bash
# Build the Debian package and the tarball into build/packages/ (compiled in build-package/):
#   loopscope_<version>_<arch>.deb and loopscope-<version>-linux-<cpu>.tar.gz
# (as root it installs the missing build packages first), then validate the desktop entry and
# the AppStream metainfo and print lintian's verdict on the .deb (info tags and hardening included).
# Install with `apt install ./build/packages/loopscope_<version>_<arch>.deb`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Only the application: the tests and benchmarks are not needed for a package.
export LOOPSCOPE_BUILD_TARGETS="${LOOPSCOPE_BUILD_TARGETS:-loopscope}"
export LOOPSCOPE_EXTRA_PACKAGES="lintian desktop-file-utils appstream ${LOOPSCOPE_EXTRA_PACKAGES:-}"
# Built as Debian builds its packages: with dpkg-buildflags' hardening (fortified libc calls,
# stack protector, format checks, read-only relocations bound at start-up). CMake takes CXXFLAGS
# and LDFLAGS when it first configures a build directory, so the package gets a directory of its
# own (build-package) and the development build's objects never mix with these.
if ! command -v dpkg-buildflags >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -q dpkg-dev
  else
    echo "scripts/package.sh needs dpkg-buildflags. Run as root: apt-get install -y dpkg-dev" >&2
    exit 1
  fi
fi
export DEB_BUILD_MAINT_OPTIONS="${DEB_BUILD_MAINT_OPTIONS:-hardening=+all}"
CXXFLAGS="$(dpkg-buildflags --get CXXFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
LDFLAGS="$(dpkg-buildflags --get LDFLAGS)"
export CXXFLAGS LDFLAGS
export LOOPSCOPE_BUILD_DIR="${LOOPSCOPE_PACKAGE_BUILD_DIR:-$ROOT/build-package}"
source "$ROOT/scripts/setup.sh"
# A build directory configured before with other flags keeps them: refuse to package from it.
if ! grep -q -- "-D_FORTIFY_SOURCE=2" "$BUILD_DIR/CMakeCache.txt" \
   || ! grep -q -- "-z,now" "$BUILD_DIR/CMakeCache.txt"; then
  echo "$BUILD_DIR was configured without Debian's hardening flags: remove it and run again" >&2
  exit 1
fi

OUT="$ROOT/build/packages"
mkdir -p "$OUT"
rm -rf "$OUT/_CPack_Packages"
(cd "$BUILD_DIR" && cpack -B "$OUT")
rm -rf "$OUT/_CPack_Packages"

deb=$(ls -t "$OUT"/loopscope_*.deb | head -1)
echo
echo "== validators"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
desktop-file-validate "$tmp"/usr/share/applications/*.desktop && echo "desktop-file-validate: ok"
appstreamcli validate --no-net "$tmp"/usr/share/metainfo/*.metainfo.xml
# Built with _FORTIFY_SOURCE, the binary imports glibc's checked functions (lintian's
# hardening-no-fortify-functions looks only for those of its own list; this says which).
checked=$(nm -D --undefined-only "$tmp/usr/bin/loopscope" | grep -oE '__[a-z_]+_chk(@|$)' | tr -d '@' | sort -u)
if [ -z "$checked" ]; then
  echo "usr/bin/loopscope imports no __*_chk function: it was not built with _FORTIFY_SOURCE" >&2
  exit 1
fi
echo "fortify: usr/bin/loopscope imports $(echo $checked)"
echo
echo "== lintian $(basename "$deb")"
verdict=$(lintian --display-info --fail-on error "$deb") || { echo "$verdict"; exit 1; }
[ -n "$verdict" ] && echo "$verdict"
if grep -q 'hardening-' <<<"$verdict"; then
  echo "lintian: WARNING: hardening tags above (the package was still written)" >&2
else
  echo "lintian: no errors, no hardening tags"
fi
echo
ls -l "$OUT"/*.deb "$OUT"/*.tar.gz
