#!/usr/bin/env bash
# Installs what the browser tests need: Debian's chromium and a font (through
# scripts/setup.sh, so the same root/sudo rules apply) and the node packages
# of tests/browser (playwright-core and axe-core) and tests/ical (ical.js, the
# reference of the ical_reference test), exact versions from each
# package-lock.json. Idempotent. Never downloads a browser build: playwright
# drives the Debian chromium at /usr/bin/chromium.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

extra=(chromium fonts-dejavu-core)
# A node from another source (nodesource) already brings npm; Debian's npm
# package would conflict with it.
command -v npm >/dev/null 2>&1 || extra+=(nodejs npm)
"$here/setup.sh" "${extra[@]}"

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# npm ci wipes and reinstalls node_modules: only do it when the lock file
# changed since the last install.
for dir in tests/browser tests/ical; do
  (
    cd "$root/$dir"
    stamp=node_modules/.sk-lock.sha256
    want=$(sha256sum package-lock.json | cut -d' ' -f1)
    if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
      exit 0
    fi
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" >"$stamp"
  )
done
