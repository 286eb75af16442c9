#!/usr/bin/env bash
# Fails (listing the files) when a tracked C++ file under core/, widgets/, app/ or tests/ differs
# from what the repo's .clang-format makes of it. Fix with: scripts/check-format.sh --fix
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CLANG_FORMAT="${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}"
if [ -z "$CLANG_FORMAT" ]; then
  echo "check-format: clang-format-14 is not installed (apt-get install -y clang-format-14)" >&2
  exit 2
fi
mapfile -t files < <(git ls-files 'core/*' 'widgets/*' 'app/*' 'tests/*' | grep -E '\.(cpp|h)$')
if [ "${1:-}" = --fix ]; then
  "$CLANG_FORMAT" -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  "$CLANG_FORMAT" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "check-format: ${#bad[@]} file(s) are not formatted with .clang-format:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "Run scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
