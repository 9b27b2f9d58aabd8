#!/usr/bin/env bash
# Runs every HSDS example document and CSV package of ../shared/corpora/hsds
# through `sociale-kaart index` (one feed, one fresh database each) and prints
# one line per document: accepted or REFUSED, the active services,
# organisations and locations stored, rejections, warnings, and the reason of a
# refusal. The figures in docs/hsds.md ("Corpus figures") come from it.
#   scripts/hsds-corpus.sh [BINARY [OUTDIR]]
# BINARY defaults to build/debug/sociale-kaart, OUTDIR to a temporary folder
# (each document's database and report stay there). Exit 77 when the corpus is
# absent. Reads the corpus in place; copies nothing into the project.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$root/build/debug/sociale-kaart}"
out="${2:-$(mktemp -d)}"
corpus="$root/../shared/corpora/hsds"
[[ -d "$corpus" ]] || { echo "no corpus at $corpus: skipped"; exit 77; }
corpus="$(cd "$corpus" && pwd)"
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed"; exit 1; }
mkdir -p "$out"
summary="$out/summary.tsv"
: >"$summary"

run() { # kind path label
  local kind=$1 path=$2 label=$3
  local d="$out/${label//\//_}"
  mkdir -p "$d"
  rm -f "$d"/t.db*
  printf '{"feeds":[{"id":"f","partner":"P","kind":"%s","location":"file://%s","enabled":true}]}\n' \
    "$kind" "$path" >"$d/feeds.json"
  nice -n 19 "$bin" index --db "$d/t.db" --feeds "$d/feeds.json" \
    --taxonomy "$root/feeds/taxonomy.json" >"$d/index.out" 2>&1 || true
  q() { sqlite3 "$d/t.db" "$1" 2>/dev/null || echo "?"; }
  local err svc org loc rej warn status=accepted
  err=$(q "SELECT coalesce(last_error, '') FROM feed WHERE id = 'f'")
  svc=$(q "SELECT count(*) FROM service WHERE status = 'active'")
  org=$(q "SELECT count(*) FROM organization WHERE status = 'active'")
  loc=$(q "SELECT count(*) FROM location WHERE status = 'active'")
  rej=$(q "SELECT count(*) FROM feed_rejection WHERE reason NOT LIKE 'Waarschuwing:%'")
  warn=$(q "SELECT count(*) FROM feed_rejection WHERE reason LIKE 'Waarschuwing:%'")
  q "SELECT coalesce(record_key, '-') || ' | ' || reason FROM feed_rejection" >"$d/report.txt"
  [[ -n "$err" ]] && status=REFUSED
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$kind" "$status" "$svc" "$org" "$loc" \
    "$rej" "$warn" "$err" >>"$summary"
}

for set in openreferral-specification-3.0 openreferral-specification-3.1-dev uk-profile; do
  for f in "$corpus/$set"/examples/*.json; do
    run hsds "$f" "$set/examples/$(basename "$f")"
  done
  [[ -d "$corpus/$set/examples/csv" ]] && run hsds-csv "$corpus/$set/examples/csv" "$set/examples/csv"
  for g in attributes metadata schedules; do
    gd="$corpus/$set/docs/figures/field-guidance/$g"
    [[ -d "$gd" ]] || continue
    for f in "$gd"/*.json; do run hsds "$f" "$set/field-guidance/$g/$(basename "$f")"; done
    run hsds-csv "$gd" "$set/field-guidance/$g (csv)"
  done
done
[[ -d "$corpus/ohana-api/data/sample-csv" ]] &&
  run hsds-csv "$corpus/ohana-api/data/sample-csv" "ohana-api/data/sample-csv"
[[ -f "$corpus/ohana-api/data/oe.json" ]] && run hsds "$corpus/ohana-api/data/oe.json" "ohana-api/data/oe.json"

printf '%-72s %-8s %-8s %4s %4s %4s %4s %5s  %s\n' document kind status svc org loc rej warn reason
while IFS=$'\t' read -r label kind status svc org loc rej warn err; do
  printf '%-72s %-8s %-8s %4s %4s %4s %4s %5s  %.90s\n' "$label" "$kind" "$status" "$svc" "$org" \
    "$loc" "$rej" "$warn" "$err"
done <"$summary"
awk -F'\t' '{n++; if ($3 == "accepted") a++; s += $4; o += $5; l += $6; r += $7; w += $8}
  END {printf "%d documents: %d accepted, %d refused; %d services, %d organisations, %d locations, %d rejections, %d warnings\n", n, a, n - a, s, o, l, r, w}' "$summary"
echo "reports: $out"
