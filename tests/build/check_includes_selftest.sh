#!/usr/bin/env bash
# check_includes.sh must refuse a forbidden include and accept an allowed one.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/core/search/internal "$tmp"/indexer "$tmp"/web
echo '#pragma once' >"$tmp"/core/search/sk_search.h
echo '#pragma once' >"$tmp"/core/search/internal/sk_search_int.h
echo '#pragma once' >"$tmp"/core/sk_err.h
printf '#include "sk_err.h"\n' >"$tmp"/indexer/ok.c
printf '#include "sk_search.h"\n' >"$tmp"/web/ok.c
"$here/../check_includes.sh" "$tmp" || { echo "FAIL: allowed includes refused"; exit 1; }
printf '#include "sk_search.h"\n' >"$tmp"/indexer/bad.c
if "$here/../check_includes.sh" "$tmp" 2>/dev/null; then echo "FAIL: indexer -> search accepted"; exit 1; fi
rm "$tmp"/indexer/bad.c
printf '#include "sk_search_int.h"\n' >"$tmp"/web/bad.c
if "$here/../check_includes.sh" "$tmp" 2>/dev/null; then echo "FAIL: web -> search internal accepted"; exit 1; fi
rm "$tmp"/web/bad.c
printf '#include "search/sk_search.h"\n' >"$tmp"/indexer/bad.c
if "$here/../check_includes.sh" "$tmp" 2>/dev/null; then echo "FAIL: include by path accepted"; exit 1; fi
echo "check_includes: 4 passed, 0 failed"
