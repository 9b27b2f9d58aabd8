#!/usr/bin/env bash
# Browser tests of the site (web/static) against the real server on demo data.
#   tests/browser/run.sh BUILD_DIR
# Indexes feeds/feeds.json plus a feed with markup in it into a temporary
# database, starts `sociale-kaart serve` on a free loopback port, runs the
# playwright tests (site.test.mjs) with Debian's chromium, stops the server.
# Exit 77 (skipped) only when chromium or node is absent and CI is not set;
# under CI a missing tool is installed once (scripts/setup-browser.sh) or fails.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-${SK_BINARY_DIR:-$src/build/debug}}
build=$(cd "$build" 2>/dev/null && pwd || echo "$build")
chromium=${SK_CHROMIUM:-/usr/bin/chromium}

have_tools() {
  command -v node >/dev/null 2>&1 && [[ -x $chromium ]] &&
    [[ -f $here/node_modules/playwright-core/package.json ]] &&
    [[ -f $here/node_modules/axe-core/axe.min.js ]]
}

if ! have_tools; then
  if [[ -n ${CI:-} ]]; then
    echo "browser tests: chromium, node or the node packages are missing; installing (CI)" >&2
    "$src/scripts/setup-browser.sh" >&2 || true
    if ! have_tools; then
      echo "browser tests: FAILED: chromium ($chromium), node or tests/browser/node_modules missing under CI" >&2
      exit 1
    fi
  elif command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && [[ -x $chromium ]]; then
    # Only the node packages are missing: that needs no root.
    (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) >&2 || true
    have_tools || { echo "browser tests: skipped: npm ci in tests/browser failed" >&2; exit 77; }
  else
    echo "browser tests: skipped: run scripts/setup-browser.sh to install chromium and node packages" >&2
    exit 77
  fi
fi

if [[ ! -x $build/sociale-kaart ]]; then
  echo "browser tests: $build/sociale-kaart is not built" >&2
  exit 1
fi

export SK_SOURCE_DIR=$src SK_BIN=$build/sociale-kaart SK_CHROMIUM=$chromium
export SK_ARTIFACTS=${SK_ARTIFACTS:-$src/tests/artifacts}
cd "$here"
exec node --test --test-concurrency=1 --test-timeout=1200000 site.test.mjs pages.test.mjs portal.test.mjs
