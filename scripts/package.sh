#!/usr/bin/env bash
# Build the Debian package and the tarball into build/packages/:
#   loopscope_<version>_<arch>.deb and loopscope-<version>-linux-<cpu>.tar.gz
# (as root it installs the missing build packages first), then validate the desktop entry and
# the AppStream metainfo and print lintian's verdict on the .deb.
# Install with `apt install ./build/packages/loopscope_<version>_<arch>.deb`.
set -euo pipefail
# Only the application: the tests and benchmarks are not needed for a package.
export LOOPSCOPE_BUILD_TARGETS="${LOOPSCOPE_BUILD_TARGETS:-loopscope}"
export LOOPSCOPE_EXTRA_PACKAGES="lintian desktop-file-utils appstream ${LOOPSCOPE_EXTRA_PACKAGES:-}"
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

OUT="$BUILD_DIR/packages"
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
echo
echo "== lintian $(basename "$deb")"
lintian --fail-on error "$deb" && echo "lintian: no errors"
echo
ls -l "$OUT"/*.deb "$OUT"/*.tar.gz
