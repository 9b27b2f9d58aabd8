#!/bin/sh
# HTTP load test: N generated offerings (default 100000), the real server,
# wrk with a realistic /api/v1 mix (mix.lua) on 64 connections for a bounded
# time, first alone, then with a full reindex (every record changed) running
# in another process during the load. Prints req/s, p50/p99 and errors.
#
#   bench/load/run.sh [BUILD_DIR] [N] [SECONDS]
#   env: SK_LOAD_DIR (work folder, default /tmp/sk-load), SK_LOAD_THREADS
#        (server worker threads, default 2), SK_LOAD_WRK_THREADS (default 1),
#        SK_LOAD_PIN (default "0 1": the server on CPU 0, wrk and the reindex
#        on CPU 1, as docs say for a 2-core machine; "" = no pinning),
#        SK_LOAD_REUSE=1 (keep an indexed store from an earlier run),
#        SK_LOAD_TAIL=1 (free-text queries from ~2 000 distinct ones, skewed,
#        instead of the 30 most common: a colder response cache),
#        SK_LOAD_REPLICA=1 (the requests/s of one replica, docs/operations.md
#        "Scale-out": the store is published to a snapshot folder and the
#        server is `serve --replica`; the second run publishes a new
#        snapshot, after the full reindex of the primary, during the load)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${1:-$ROOT/build/release}
N=${2:-100000}
DUR=${3:-20}
WORK=${SK_LOAD_DIR:-/tmp/sk-load}
THREADS=${SK_LOAD_THREADS:-2}
WT=${SK_LOAD_WRK_THREADS:-1}
BIN=$BUILD/sociale-kaart
[ -x "$BIN" ] || { echo "no $BIN: build first (cmake --preset release && cmake --build build/release)"; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed"; exit 1; }
mkdir -p "$WORK"
PIN=${SK_LOAD_PIN-0 1}
SRV_CPU=; CLI_CPU=
if [ -n "$PIN" ] && command -v taskset >/dev/null; then
  SRV_CPU="taskset -c ${PIN%% *}"; CLI_CPU="taskset -c ${PIN##* }"
  echo "== pinned: server on CPU ${PIN%% *}, wrk and reindex on CPU ${PIN##* }"
fi

if [ "${SK_LOAD_REUSE:-0}" = 1 ] && [ -f "$WORK/load.db" ] && [ "$(cat "$WORK/load.n" 2>/dev/null)" = "$N" ]; then
  echo "== reusing $WORK/load.db ($N offerings)"
else
echo "== generating $N offerings"
python3 "$HERE/gen_offerings.py" "$WORK" "$N" 0
rm -f "$WORK"/load.db "$WORK"/load.db-*
echo "== indexing"
t0=$(date +%s.%N)
"$BIN" index --db "$WORK/load.db" --feeds "$WORK/feeds.json" --taxonomy "$ROOT/feeds/taxonomy.json" >/dev/null
t1=$(date +%s.%N)
echo "indexed in $(echo "$t1 - $t0" | bc) s"
echo "$N" >"$WORK/load.n"
echo 0 >"$WORK/load.variant"
fi

REPLICA=${SK_LOAD_REPLICA:-0}
SOURCE="--db $WORK/load.db"
if [ "$REPLICA" = 1 ]; then
  rm -rf "$WORK/snaps"
  t0=$(date +%s.%N)
  "$BIN" publish --db "$WORK/load.db" --dir "$WORK/snaps" >/dev/null
  t1=$(date +%s.%N)
  echo "== published a snapshot in $(echo "$t1 - $t0" | bc) s ($(du -m "$(readlink -f "$WORK/snaps/current")" | cut -f1) MB); serving it as a replica"
  SOURCE="--replica $WORK/snaps"
fi
# --max-per-ip 0: wrk's 64 connections all come from 127.0.0.1 (behind nginx
# the proxy is exempt); with the default 64 a slow server still holding the
# warm-up's closed connections refused new ones (wrk "read" errors).
# shellcheck disable=SC2086 # SOURCE is two words
$SRV_CPU "$BIN" serve $SOURCE --port 0 --max-per-ip 0 --static "$ROOT/web/static" --access-log "" \
  --threads "$THREADS" --reindex-every 0 2>"$WORK/serve.err" &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT INT TERM
PORT=
# (a large store: the workers build the search data before the server listens)
for _ in $(seq 1 1200); do
  PORT=$(sed -n 's/.*http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$WORK/serve.err" | head -1)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { cat "$WORK/serve.err"; exit 1; }
URL=http://127.0.0.1:$PORT
echo "== server pid $PID on $URL, $THREADS worker threads"

curl -s "$URL/hsds/services?minimal=true&per_page=200" | python3 -c '
import json, sys
ids = [s["id"] for s in json.load(sys.stdin)["contents"]]
print("ids = {" + ",".join("\"%s\"" % i for i in ids) + "}")' >"$WORK/ids.lua"
export SK_LOAD_IDS="$WORK/ids.lua"

# The long tail: every label and synonym of the taxonomy, each also with a
# municipality and with one letter dropped (a typo): ~2 000 distinct
# queries, drawn skewed (a few common, many rare) when SK_LOAD_TAIL=1.
python3 - "$ROOT/feeds/taxonomy.json" >"$WORK/queries.lua" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
words = []
def walk(terms):
    for x in terms:
        words.append(x.get("label") or x.get("name"))
        words.extend(x.get("synonyms", []))
        walk(x.get("children", []))
walk(t["needs"]); walk(t["target_groups"])
words = sorted(set(w.lower() for w in words if w))
munis = [m["name"].lower() for m in t["municipalities"][:4]]
qs = list(words)
qs += ["%s %s" % (w, munis[i % 4]) for i, w in enumerate(words)]
qs += [w[:len(w) // 2] + w[len(w) // 2 + 1:] for w in words if len(w) > 5]
print("tail = {" + ",".join(json.dumps(q, ensure_ascii=False) for q in qs) + "}")
PY
export SK_LOAD_QUERIES="$WORK/queries.lua"

echo "== warm-up (3 s)"
$CLI_CPU wrk -t"$WT" -c64 -d3s -s "$HERE/mix.lua" "$URL" >/dev/null
# The server's own CPU time (utime + stime, clock ticks) around a run: on a
# shared machine requests per server CPU-second says more than req/s.
cpu_ticks() { awk '{print $14 + $15}' /proc/$PID/stat; }
echo "== load, ${DUR} s, 64 connections"
C0=$(cpu_ticks)
$CLI_CPU wrk -t"$WT" -c64 -d"${DUR}s" -s "$HERE/mix.lua" "$URL" | tail -3 | tee "$WORK/wrk1.out"
C1=$(cpu_ticks)
REQ=$(sed -n 's/^requests \([0-9]*\) in.*/\1/p' "$WORK/wrk1.out")
TCK=$(getconf CLK_TCK)
echo "server CPU $(echo "scale=2; ($C1 - $C0) / $TCK" | bc) s: $(echo "$REQ * $TCK / ($C1 - $C0 + 1)" | bc) requests per server CPU-second"
RSS=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
echo "server RSS ${RSS} kB"
curl -s "$URL/metrics" | grep -E '^sk_search_cache|^sk_http_connections_refused|^sk_http_requests_cut' || true

if [ "${SK_LOAD_REPLICA:-0}" = 1 ]; then
  echo "== load, ${DUR} s, 64 connections, a new snapshot (all $N records changed) published during it"
else
  echo "== load, ${DUR} s, 64 connections, with a full reindex (all $N records changed) running"
fi
# the other variant than the store holds: every record changes
VARIANT=$((1 - $(cat "$WORK/load.variant" 2>/dev/null || echo 0)))
python3 "$HERE/gen_offerings.py" "$WORK" "$N" "$VARIANT" >/dev/null
echo "$VARIANT" >"$WORK/load.variant"
if [ "$REPLICA" = 1 ]; then
  # The primary reindexes first (not timed: a replica never sees it), then
  # publishes during the load; the replica moves to the new snapshot.
  "$BIN" index --db "$WORK/load.db" --feeds "$WORK/feeds.json" --taxonomy "$ROOT/feeds/taxonomy.json" >"$WORK/reindex.out" 2>&1
  ( sleep 1
    t0=$(date +%s.%N)
    $CLI_CPU "$BIN" publish --db "$WORK/load.db" --dir "$WORK/snaps" >/dev/null
    t1=$(date +%s.%N)
    echo "published in $(echo "$t1 - $t0" | bc) s (during the load)" ) &
else
( sleep 1
  t0=$(date +%s.%N)
  $CLI_CPU "$BIN" index --db "$WORK/load.db" --feeds "$WORK/feeds.json" --taxonomy "$ROOT/feeds/taxonomy.json" >"$WORK/reindex.out" 2>&1
  t1=$(date +%s.%N)
  echo "reindex finished in $(echo "$t1 - $t0" | bc) s (during the load)" ) &
fi
RPID=$!
$CLI_CPU wrk -t"$WT" -c64 -d"${DUR}s" -s "$HERE/mix.lua" "$URL" | tail -3
wait $RPID
grep -E "^load|^total" "$WORK/reindex.out" || true
if [ "$REPLICA" = 1 ]; then
  for _ in $(seq 120); do grep -q 'replica: now serving' "$WORK/serve.err" && break; sleep 0.5; done
  grep 'replica: now serving' "$WORK/serve.err" || echo "the replica did not switch within 60 s"
fi
curl -s "$URL/metrics" | grep -E '^sk_http_requests_total|^sk_search_cache' | sort

kill -TERM $PID
wait $PID 2>/dev/null || true
trap - EXIT INT TERM
