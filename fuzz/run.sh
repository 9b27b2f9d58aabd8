#!/usr/bin/env bash
# Run one libFuzzer target of fuzz/ for a bounded time.
#
#   fuzz/run.sh BINARY TARGET SECONDS [libFuzzer options...]
#
# First every seed is run once (a regression check: a seed that once
# crashed must not crash again), then the target fuzzes for SECONDS from a
# scratch copy of the seeds with its dictionary. The seeds are
# fuzz/seeds/TARGET plus the project's own test and demo data for that
# format. Prints libFuzzer's final line (executions, exec/s, coverage) and
# exits non-zero on any crash, leak, timeout or sanitizer report. A crash
# input is kept in fuzz/crashes/ (not committed) for reproducing:
#   BINARY fuzz/crashes/crash-...
set -euo pipefail
bin=$1 target=$2 seconds=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=$(mktemp -d "${TMPDIR:-/tmp}/sk-fuzz-$target.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$here/crashes"
cp "$here/seeds/$target"/* "$work/corpus/" 2>/dev/null || true
case $target in
  partner_json) cp "$root"/feeds/demo/*.json "$work/corpus/"; rm -f "$work/corpus"/*.hsds.json ;;
  hsds) cp "$root"/tests/data/hsds/*.json "$root"/feeds/demo/*.hsds.json "$work/corpus/" ;;
  hsds_csv) ;; # its seeds (zips written by Python's zipfile) are in seeds/hsds_csv
  ical) cp "$root"/tests/data/ical/*.ics "$root"/feeds/demo/*.ics "$work/corpus/" ;;
esac
# Search inputs are what people type (the query text is cut at 2000 bytes
# anyway): short inputs keep each execution one query.
max_len=65536
[[ $target == search || $target == http_params ]] && max_len=1024
common=(-rss_limit_mb=2048 -timeout=10 -max_len=$max_len -artifact_prefix="$here/crashes/")
"$bin" "${common[@]}" -runs=0 "$work/corpus" >"$work/replay.log" 2>&1 || {
  cat "$work/replay.log" >&2
  echo "fuzz $target: a seed fails" >&2
  exit 1
}
dict=()
[[ -f "$here/dict/$target.dict" ]] && dict=(-dict="$here/dict/$target.dict")
status=0
# CPU seconds as well as wall time: on a shared machine exec/s by the clock
# says more about the neighbours than about the target.
TIMEFORMAT='%U %S'
# A fixed seed (FUZZ_SEED, default 1): libFuzzer then mutates in the same
# order on every run, so a CI run explores a prefix of the same sequence
# (longer on a faster machine) and a red run is red again when repeated.
# Long runs pass their own -seed (or FUZZ_SEED=0 for a random one).
seed=(-seed="${FUZZ_SEED:-1}")
{ time "$bin" "${common[@]}" "${dict[@]}" "${seed[@]}" -max_total_time="$seconds" -print_final_stats=1 "$@" \
  "$work/corpus" >"$work/fuzz.log" 2>&1 || status=$?; } 2>"$work/time"
if [[ $status -ne 0 ]]; then
  tail -n 60 "$work/fuzz.log" >&2
  echo "fuzz $target: failed (exit $status); input kept in $here/crashes/" >&2
  exit "$status"
fi
done_line=$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$work/fuzz.log" | tail -n 1 || true)
runs=$(grep -E '^stat::number_of_executed_units' "$work/fuzz.log" | awk '{print $2}')
per_s=$(grep -E '^stat::average_exec_per_sec' "$work/fuzz.log" | awk '{print $2}')
read -r user sys < <(tail -n 1 "$work/time")
cpu_s=$(awk -v u="$user" -v s="$sys" -v n="$runs" 'BEGIN { t = u + s; printf "%.0f", (t > 0 ? n / t : 0) }')
cov=$(sed -n 's/.*cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1, features \2/p' <<<"$done_line")
echo "fuzz $target: ${seconds}s, $runs executions, $per_s exec/s (wall), $cpu_s exec per CPU second; $cov"
