#!/usr/bin/env bash
# Scale-out on loopback (docs/operations.md, "Scale-out"): Debian's nginx with
# the shipped replicas site (deploy/scale-out/sociale-kaart-replicas.conf) in
# front of a primary and two replicas (`serve --replica DIR`). wrk loads the
# public GET routes while the primary publishes a new snapshot: no request may
# fail (non-2xx/3xx or a socket error), both replicas must serve the new data
# within a bounded time, writes and logins must reach the primary, and the
# snapshot must carry no accounts.
#   tests/deploy/replicas_test.sh BUILD_DIR
# Exit 77 (skipped) when nginx, openssl, curl, wrk or sqlite3 is absent and CI
# is not set. Bounded: wrk runs WRK_SECONDS (default 20), every wait has a cap.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build/debug}
bin=$build/sociale-kaart
wrk_seconds=${WRK_SECONDS:-20}

for tool in nginx openssl curl python3 wrk sqlite3; do
  if ! command -v "$tool" >/dev/null 2>&1 && [[ ! -x /usr/sbin/$tool ]]; then
    if [[ -n ${CI:-} ]]; then echo "replicas test: FAILED: $tool missing under CI" >&2; exit 1; fi
    echo "replicas test: skipped: $tool is not installed (scripts/setup.sh installs it)" >&2
    exit 77
  fi
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

tmp=$(mktemp -d)
pids=()
nginx_started=
cleanup() {
  [[ -n $nginx_started ]] && "$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" -s stop 2>/dev/null
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
passed=0 failed=0
check() { # check NAME CONDITION-RESULT(0/1) DETAIL
  if [[ $2 == 0 ]]; then passed=$((passed + 1)); echo "ok - $1"
  else failed=$((failed + 1)); echo "not ok - $1: $3"; fi
}
die() { echo "replicas test: $*" >&2; for f in "$tmp"/*.log; do echo "== $f" >&2; tail -20 "$f" >&2; done; exit 1; }
wait_up() { # wait_up PORT: /healthz answers within 30 s
  for _ in $(seq 300); do
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/healthz" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# The primary on the demo data (a copy of feeds/, so that the test can add an
# offering later), an account on it, and the first snapshot.
cp -r "$src/feeds" "$tmp/feeds"
index() {
  "$bin" index --db "$tmp/k.db" --feeds "$tmp/feeds/feeds.json" \
    --taxonomy "$tmp/feeds/taxonomy.json" >>"$tmp/index.log" 2>&1
}
index || die "indexing the demo data failed"
echo 'een-lang-wachtwoord-1' | "$bin" user add --db "$tmp/k.db" --email redactie@voorbeeld.nl \
  --name Redactie --role redacteur --password-stdin >"$tmp/user.log" 2>&1 || die "user add failed"
"$bin" publish --db "$tmp/k.db" --dir "$tmp/snaps" >"$tmp/publish.log" 2>&1 || die "publish failed"

p_port=$(free_port) r1_port=$(free_port) r2_port=$(free_port)
common=(--static "$src/web/static" --trusted-proxy 127.0.0.1 --threads 2)
"$bin" serve --db "$tmp/k.db" --port "$p_port" --reindex-every 0 "${common[@]}" \
  --access-log "$tmp/primary.access" 2>"$tmp/primary.log" &
pids+=($!)
"$bin" serve --replica "$tmp/snaps" --port "$r1_port" "${common[@]}" \
  --access-log "$tmp/r1.access" 2>"$tmp/r1.log" &
pids+=($!)
"$bin" serve --replica "$tmp/snaps" --port "$r2_port" "${common[@]}" \
  --access-log "$tmp/r2.access" 2>"$tmp/r2.log" &
pids+=($!)
for p in "$p_port" "$r1_port" "$r2_port"; do wait_up "$p" || die "server on port $p did not start"; done

# nginx with the shipped replicas site, rewritten for this folder. The cache
# and the general rate limit are off so that every request of wrk reaches a
# replica (one loopback address would be limited at once).
http_port=$(free_port) https_port=$(free_port)
# shellcheck source=tests/deploy/nginx_site.sh
. "$here/nginx_site.sh"
nginx_site "$tmp" "$src/deploy/scale-out/sociale-kaart-replicas.conf" "$http_port" "$https_port" \
  -e "s|127.0.0.1:8081|127.0.0.1:$r1_port|; s|127.0.0.1:8082|127.0.0.1:$r2_port|" \
  -e "s|127.0.0.1:8080|127.0.0.1:$p_port|" \
  -e "s|proxy_cache sk_cache;|proxy_cache off;|; s|rate=20r/s|rate=100000r/s|" \
  -e "s|limit_conn sk_conn 64;|limit_conn sk_conn 1000;|" || die "cannot write the site"
"$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" -t >"$tmp/nginx-t.log" 2>&1 ||
  die "the shipped replicas site does not load: $(cat "$tmp/nginx-t.log")"
"$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" || die "nginx did not start"
nginx_started=1
base="https://127.0.0.1:$https_port"
c() { curl -sS -k --max-time 20 "$@"; }
for _ in $(seq 100); do c -o /dev/null "$base/healthz" 2>/dev/null && break; sleep 0.1; done

# 1. The snapshot holds the public data, not the accounts.
snap=$(readlink -f "$tmp/snaps/current")
n=$(sqlite3 "$snap" 'SELECT count(*) FROM account' 2>&1)
[[ $n == 0 ]]; check "the published snapshot carries no accounts" $? "accounts: $n"
n=$(sqlite3 "$snap" "SELECT count(*) FROM service WHERE status = 'active'" 2>&1)
[[ $n =~ ^[0-9]+$ && $n -gt 0 ]]; check "the published snapshot has the offerings" $? "offerings: $n"

# 2. A replica answers public GETs and refuses what is not its job.
code=$(c -o /dev/null -w '%{http_code}' "http://127.0.0.1:$r1_port/api/v1/search?q=schulden")
[[ $code == 200 ]]; check "a replica answers a search" $? "$code"
code=$(c -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  --data '{"email":"redactie@voorbeeld.nl","password":"een-lang-wachtwoord-1"}' \
  "http://127.0.0.1:$r1_port/api/v1/auth/login")
[[ $code == 421 ]]; check "a replica refuses a login with 421" $? "$code"
code=$(c -o /dev/null -w '%{http_code}' "http://127.0.0.1:$r2_port/portal")
[[ $code == 421 ]]; check "a replica refuses the portal with 421" $? "$code"
code=$(c -o /dev/null -w '%{http_code}' "http://127.0.0.1:$r2_port/aanvraag?t=x")
[[ $code == 421 ]]; check "a replica refuses a personal claim link with 421" $? "$code"

# 3. Through nginx: a login reaches the primary and works; its session
#    cookie keeps the visitor on the primary.
hdr=$(c -D - -o /dev/null -H 'Content-Type: application/json' -H "Origin: https://127.0.0.1:$https_port" \
  --data '{"email":"redactie@voorbeeld.nl","password":"een-lang-wachtwoord-1"}' "$base/api/v1/auth/login")
grep -q '^HTTP/[0-9.]* 200' <<<"$hdr"; check "a login through nginx reaches the primary" $? "$(head -1 <<<"$hdr")"
cookie=$(tr -d '\r' <<<"$hdr" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | head -1)
code=$(c -o "$tmp/me.json" -w '%{http_code}' -H "Cookie: $cookie" "$base/api/v1/auth/me")
[[ $code == 200 ]] && grep -q redactie "$tmp/me.json"
check "a request with the session goes to the primary" $? "$code $(head -c 200 "$tmp/me.json")"
code=$(c -o /dev/null -w '%{http_code}' "$base/portal")
[[ $code != 421 ]]; check "the portal page through nginx comes from the primary" $? "$code"

# 4. New data on the primary: an offering the snapshot does not have yet.
python3 - "$tmp/feeds/demo/versa-welzijn.json" <<'PY'
import copy, json, sys
p = sys.argv[1]
d = json.load(open(p, encoding="utf-8"))
r = copy.deepcopy(d["services"][0])
r.update(key="replica-test-ukelele", name="Ukelelecursus voor de replicatest", keywords=["ukelele"])
d["services"].append(r)
json.dump(d, open(p, "w", encoding="utf-8"), ensure_ascii=False)
PY
index || die "indexing the new offering failed"
has_new() { # has_new PORT: the server at PORT finds the new offering
  curl -sS --max-time 20 "http://127.0.0.1:$1/api/v1/search?q=ukelelecursus" 2>/dev/null |
    grep -q 'Ukelelecursus voor de replicatest'
}
# (the primary's searchers rebuild their snapshot in the background: poll)
for _ in $(seq 120); do has_new "$p_port" && break; sleep 0.5; done
has_new "$p_port"; check "the primary has the new offering" $? "not found after 60 s"
! has_new "$r1_port"; check "a replica does not have it before the publish" $? "found already"

# 5. wrk on the public GET routes through nginx while a snapshot is published.
id=$(c "http://127.0.0.1:$p_port/api/v1/search?q=schulden" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
cat >"$tmp/paths.lua" <<LUA
local paths = {"/api/v1/search?q=schulden", "/api/v1/search?q=eenzaam", "/aanbod/$id",
  "/api/v1/services/$id", "/hsds/services?per_page=5", "/zoeken?q=mantelzorg", "/",
  "/api/v1/search?q=ukelelecursus"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, e.connect, e.read, e.write, e.status, e.timeout))
end
LUA
r1_before=$(wc -l <"$tmp/r1.access") r2_before=$(wc -l <"$tmp/r2.access")
wrk -t2 -c8 -d"${wrk_seconds}s" --timeout 30s -s "$tmp/paths.lua" "$base" >"$tmp/wrk.out" 2>&1 &
wrk_pid=$!
pids+=($wrk_pid)
sleep $((wrk_seconds / 4))
"$bin" publish --db "$tmp/k.db" --dir "$tmp/snaps" >>"$tmp/publish.log" 2>&1
check "publish under load succeeds" $? "$(tail -1 "$tmp/publish.log")"
t0=$(date +%s)
for port in "$r1_port" "$r2_port"; do
  for _ in $(seq 120); do has_new "$port" && break; sleep 0.5; done
done
secs=$(($(date +%s) - t0))
has_new "$r1_port"; check "replica 1 serves the new offering (within ${secs} s, bound 60 s)" $? "not after ${secs} s"
has_new "$r2_port"; check "replica 2 serves the new offering (within ${secs} s, bound 60 s)" $? "not after ${secs} s"
wait "$wrk_pid"
res=$(grep '^RESULT' "$tmp/wrk.out")
echo "wrk: $res"
req=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$res")
[[ -n $req && $req -gt 0 ]]; check "wrk made requests" $? "$(cat "$tmp/wrk.out")"
[[ $res =~ connect=0\ read=0\ write=0\ status=0\ timeout=0 ]]
check "no request failed while the snapshot was switched" $? "$res"
r1_n=$(($(wc -l <"$tmp/r1.access") - r1_before)) r2_n=$(($(wc -l <"$tmp/r2.access") - r2_before))
[[ $r1_n -gt 0 && $r2_n -gt 0 ]]
check "nginx spread the load over both replicas ($r1_n and $r2_n requests)" $? "$r1_n / $r2_n"
code=$(c -o "$tmp/n.json" -w '%{http_code}' "$base/api/v1/search?q=ukelelecursus")
[[ $code == 200 ]] && grep -q 'Ukelelecursus voor de replicatest' "$tmp/n.json"
check "through nginx the new offering is found" $? "$code"
grep -q 'replica: now serving' "$tmp/r1.log" && grep -q 'replica: now serving' "$tmp/r2.log"
check "both replicas logged the switch" $? "$(tail -n 2 "$tmp/r1.log" "$tmp/r2.log")"

# 6. Old snapshots are pruned (3 kept by default), current always resolves.
for _ in 1 2 3; do "$bin" publish --db "$tmp/k.db" --dir "$tmp/snaps" >>"$tmp/publish.log" 2>&1; done
n=$(find "$tmp/snaps" -name 'snap-*.db' | wc -l)
[[ $n == 3 && -f $tmp/snaps/current ]]; check "three snapshots are kept and current resolves" $? "$n files"

echo "replicas test: $passed passed, $failed failed"
[[ $failed == 0 ]]
