#!/bin/sh
# Dashboard request time: GET /api/v1/partner/dashboard on the demo data
# with search statistics of 3 months (QUERIES distinct queries a month, each
# made by 5..9 visitors, as the recorded searches leave them), the real
# server, a redacteur's API token, N requests one after the other.
#
#   bench/dashboard/run.sh [BINARY] [QUERIES] [N]
# Prints the median and the slowest request time (curl's time_total).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${1:-$ROOT/build/release/sociale-kaart}
Q=${2:-500}
N=${3:-20}
WORK=$(mktemp -d /tmp/sk-dash.XXXXXX)
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT INT TERM
PID=
"$BIN" index --db "$WORK/sk.db" --feeds "$ROOT/feeds/feeds.json" --taxonomy "$ROOT/feeds/taxonomy.json" \
  >/dev/null 2>&1 || { echo "index failed"; exit 1; }
# Queries a resident could type: pairs of common words, some finding nothing.
sqlite3 "$WORK/sk.db" "
WITH RECURSIVE w(i, word) AS (SELECT 0, NULL UNION ALL SELECT i + 1, CASE i % 25
  WHEN 0 THEN 'schulden' WHEN 1 THEN 'eenzaam' WHEN 2 THEN 'huizen' WHEN 3 THEN 'laren'
  WHEN 4 THEN 'jongeren' WHEN 5 THEN 'ouderen' WHEN 6 THEN 'zorg' WHEN 7 THEN 'geld'
  WHEN 8 THEN 'werk' WHEN 9 THEN 'taal' WHEN 10 THEN 'vervoer' WHEN 11 THEN 'wonen'
  WHEN 12 THEN 'mantelzorg' WHEN 13 THEN 'dementie' WHEN 14 THEN 'opvoeding' WHEN 15 THEN 'sport'
  WHEN 16 THEN 'blaricum' WHEN 17 THEN 'eemnes' WHEN 18 THEN 'maaltijd' WHEN 19 THEN 'rolstoel'
  WHEN 20 THEN 'zwemles' WHEN 21 THEN 'belasting' WHEN 22 THEN 'toeslag' WHEN 23 THEN 'verslaving'
  ELSE 'ik wil dood' END FROM w WHERE i < 25),
 q(n, query) AS (SELECT row_number() OVER (), a.word || ' ' || b.word || CASE WHEN c.i > 0 THEN ' ' || c.i ELSE '' END
   FROM w a, w b, (SELECT 0 AS i UNION ALL SELECT 1 UNION ALL SELECT 2) c WHERE a.word IS NOT NULL AND b.word IS NOT NULL),
 m(month) AS (SELECT strftime('%Y-%m', 'now') UNION ALL SELECT strftime('%Y-%m', 'now', 'start of month', '-1 month')
   UNION ALL SELECT strftime('%Y-%m', 'now', 'start of month', '-2 months')),
 v(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM v WHERE k < 8)
INSERT OR IGNORE INTO search_stat(month, query, visitor, searches, results, crisis)
 SELECT m.month, q.query, printf('%032x', q.n * 16 + v.k), 1, (q.n * 7) % 13,
   q.query LIKE '%dood%' FROM m, q, v WHERE q.n <= $Q AND v.k < 5 + q.n % 5;"
printf '%s\n' 'een lang wachtwoord 42' | "$BIN" user add --db "$WORK/sk.db" --email r@example.org \
  --name Redactie --role redacteur --password-stdin >/dev/null
TOKEN=$("$BIN" user token --db "$WORK/sk.db" r@example.org | grep -o 'skapi_[A-Za-z0-9_-]*' | head -1)
"$BIN" serve --db "$WORK/sk.db" --port 0 --static "$ROOT/web/static" --access-log "" --threads 2 \
  --reindex-every 0 2>"$WORK/serve.err" &
PID=$!
PORT=
for _ in $(seq 1 100); do
  PORT=$(sed -n 's/.*http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$WORK/serve.err" | head -1)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { cat "$WORK/serve.err"; exit 1; }
URL="http://127.0.0.1:$PORT/api/v1/partner/dashboard"
curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL" # warm up
for _ in $(seq 1 "$N"); do
  curl -fsS -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$URL"
done | sort -n | awk '{t[NR] = $1} END {printf "dashboard: %d requests, median %.1f ms, slowest %.1f ms\n", NR, t[int((NR + 1) / 2)] * 1000, t[NR] * 1000}'
echo "search_stat rows: $(sqlite3 "$WORK/sk.db" 'SELECT count(*) FROM search_stat')"
