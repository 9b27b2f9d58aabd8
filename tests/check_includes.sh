#!/usr/bin/env bash
# Refuses an #include of a header from a module the including file may not use.
# The allowed directions (docs/architecture.md):
#   core (base) -> nothing else; crisis -> base; search -> crisis, base;
#   auth -> base; portal -> auth, base; indexer -> base;
#   web -> search, crisis, auth, portal, base;
#   cli, bench, tests -> anything public.
# A subsystem's internal/ header is for that subsystem alone (and unit tests).
# Headers are included by bare name ("sk_search.h"); a path through a module
# folder ("search/sk_search.h") would dodge the include directories and is
# refused too. Usage: check_includes.sh [SOURCE_DIR]; exit 1 on a violation.
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"

# module_of FILE: which module a project file belongs to.
module_of() {
  case "$1" in
    core/search/*) echo search ;;
    core/crisis/*) echo crisis ;;
    core/auth/*) echo auth ;;
    core/portal/*) echo portal ;;
    core/*) echo core ;;
    indexer/*) echo indexer ;;
    web/*) echo web ;;
    cli/*) echo cli ;;
    bench/*) echo bench ;;
    tests/*) echo tests ;;
    fuzz/*) echo tests ;;
    *) echo other ;;
  esac
}

allowed() { # allowed FROM TO
  local from="$1" to="$2"
  [ "$from" = "$to" ] && return 0
  case "$from" in
    core) return 1 ;;
    crisis | auth) [ "$to" = core ] ;;
    search) [ "$to" = core ] || [ "$to" = crisis ] ;;
    portal) [ "$to" = core ] || [ "$to" = auth ] ;;
    indexer) [ "$to" = core ] ;;
    web) case "$to" in core | search | crisis | auth | portal) return 0 ;; *) return 1 ;; esac ;;
    cli | bench | tests) case "$to" in indexer | web | core | search | crisis | auth | portal) return 0 ;; *) return 1 ;; esac ;;
    *) return 0 ;;
  esac
}

# Every project header, by bare name -> its path.
declare -A header_path
while IFS= read -r h; do
  header_path["$(basename "$h")"]="$h"
done < <(find core indexer web cli tests bench -name '*.h' -not -path '*/node_modules/*' 2>/dev/null)

bad=0
while IFS= read -r src; do
  from="$(module_of "$src")"
  while IFS= read -r line; do
    inc="${line#*\"}"; inc="${inc%%\"*}"
    if [[ "$inc" == */* ]]; then
      echo "$src: #include \"$inc\": include project headers by name, not by path" >&2
      bad=1; continue
    fi
    path="${header_path[$inc]:-}"
    [ -n "$path" ] || continue # a system or generated header
    to="$(module_of "$path")"
    if [[ "$path" == */internal/* ]] && [ "$from" != "$to" ] && [ "$from" != tests ]; then
      echo "$src: #include \"$inc\": $path is internal to $to" >&2
      bad=1; continue
    fi
    if ! allowed "$from" "$to"; then
      echo "$src: #include \"$inc\": $from may not use $to (docs/architecture.md)" >&2
      bad=1
    fi
  done < <(grep -E '^[[:space:]]*#[[:space:]]*include[[:space:]]+"' "$src" || true)
done < <(find core indexer web cli bench tests fuzz \( -name '*.c' -o -name '*.h' \) \
           -not -path '*/node_modules/*' -not -path 'tests/build/*' 2>/dev/null | sort)

exit "$bad"
