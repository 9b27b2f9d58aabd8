#!/usr/bin/env bash
# Formats the project's C sources with clang-format (.clang-format at the top).
#   scripts/format.sh            rewrite the files in place
#   scripts/format.sh --check    change nothing; list what differs, exit 1 if anything does
#   scripts/format.sh [--check] FILE...   only these files
# Generated files (web/web_openapi.c, web/web_hsds_openapi.c from web/gen_openapi.sh,
# core/sk_fold_table.h) are left as their generator writes them.
# Exit 77 when clang-format is not installed (scripts/setup.sh installs it), so
# the ctest check_format reports itself skipped instead of failing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

check=0
if [[ "${1:-}" == "--check" ]]; then
  check=1
  shift
fi

fmt="${CLANG_FORMAT:-clang-format}"
if ! command -v "$fmt" >/dev/null 2>&1; then
  echo "format: $fmt is not installed (scripts/setup.sh installs it); skipped" >&2
  exit 77
fi

generated='^(web/web_openapi\.c|web/web_hsds_openapi\.c|core/sk_fold_table\.h)$'
if [[ $# -gt 0 ]]; then
  files=("$@")
else
  mapfile -t files < <(find core indexer web cli bench tests fuzz -type f \( -name '*.c' -o -name '*.h' \) \
                         -not -path '*/node_modules/*' | LC_ALL=C sort | grep -Ev "$generated")
fi

if [[ $check -eq 0 ]]; then
  "$fmt" -i --style=file "${files[@]}"
  exit 0
fi
bad=0
for f in "${files[@]}"; do
  if ! "$fmt" --dry-run -Werror --style=file "$f" >/dev/null 2>&1; then
    echo "format: $f differs from .clang-format (scripts/format.sh $f)" >&2
    bad=$((bad + 1))
  fi
done
if [[ $bad -gt 0 ]]; then
  echo "format: $bad of ${#files[@]} files need scripts/format.sh" >&2
  exit 1
fi
echo "format: ${#files[@]} files follow .clang-format"
