#!/usr/bin/env bash
# iCal reference check: ical.js against our expansion (reference.mjs).
#   tests/ical/run.sh ICAL_DUMP
# Compares tests/data/ical and, when present, ../shared/corpora/ics (said as
# "skipped" when absent). Exit 77 (skipped) only when node or ical.js is
# absent and CI is not set; under CI they are installed once
# (scripts/setup-browser.sh) or the test fails.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
dump=${1:?usage: run.sh ICAL_DUMP}

have_tools() {
  command -v node >/dev/null 2>&1 && [[ -f $here/node_modules/ical.js/package.json ]]
}

if ! have_tools; then
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >&2 || true
  elif [[ -n ${CI:-} ]]; then
    "$src/scripts/setup-browser.sh" >&2 || true
  fi
  if ! have_tools; then
    if [[ -n ${CI:-} ]]; then
      echo "ical reference: FAILED: node or tests/ical/node_modules/ical.js missing under CI" >&2
      exit 1
    fi
    echo "ical reference: skipped: node or ical.js absent (run scripts/setup-browser.sh)" >&2
    exit 77
  fi
fi

inputs=("$src/tests/data/ical")
corpus=${SK_CORPORA:-$src/../shared/corpora}/ics
if [[ -d $corpus ]]; then
  inputs+=("$corpus")
else
  echo "ical reference: corpus $corpus absent: skipped (only tests/data/ical compared)"
fi
exec node "$here/reference.mjs" "$dump" "${inputs[@]}"
