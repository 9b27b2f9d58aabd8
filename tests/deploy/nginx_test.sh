#!/usr/bin/env bash
# The shipped nginx site (deploy/nginx/sociale-kaart.conf) in front of the real
# server, on loopback: TLS, the http -> https redirect, gzip, the public-GET
# cache and its bypass for sessions, the login rate limit, /metrics only from
# loopback, and that a slow client is cut by nginx while others are served.
#   tests/deploy/nginx_test.sh BUILD_DIR
# The site file is used as shipped; only ports, the host name, certificate and
# cache paths are rewritten for a temporary folder. Exit 77 (skipped) when
# nginx, openssl or curl is absent and CI is not set.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build/debug}
bin=$build/sociale-kaart

for tool in nginx openssl curl python3; do
  if ! command -v "$tool" >/dev/null 2>&1 && [[ ! -x /usr/sbin/$tool ]]; then
    if [[ -n ${CI:-} ]]; then echo "nginx test: FAILED: $tool missing under CI" >&2; exit 1; fi
    echo "nginx test: skipped: $tool is not installed (scripts/setup.sh installs it)" >&2
    exit 77
  fi
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

tmp=$(mktemp -d)
server_pid=
nginx_started=
cleanup() {
  [[ -n $nginx_started ]] && "$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" -s stop 2>/dev/null
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
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

# The server on the demo data.
"$bin" index --db "$tmp/k.db" --feeds "$src/feeds/feeds.json" \
  --taxonomy "$src/feeds/taxonomy.json" >"$tmp/index.log" 2>&1 || {
  echo "nginx test: indexing the demo data failed" >&2; cat "$tmp/index.log" >&2; exit 1; }
app_port=$(free_port)
"$bin" serve --db "$tmp/k.db" --port "$app_port" --static "$src/web/static" \
  --reindex-every 0 --trusted-proxy 127.0.0.1 --access-log '' 2>"$tmp/serve.log" &
server_pid=$!
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$app_port/healthz" 2>/dev/null && break
  sleep 0.1
done

# nginx with the shipped site, rewritten for this folder.
http_port=$(free_port) https_port=$(free_port)
# shellcheck source=tests/deploy/nginx_site.sh
. "$here/nginx_site.sh"
nginx_site "$tmp" "$src/deploy/nginx/sociale-kaart.conf" "$http_port" "$https_port" \
  -e "s|127.0.0.1:8080|127.0.0.1:$app_port|" || { echo "nginx test: cannot write the site" >&2; exit 1; }
if ! "$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" -t >"$tmp/t.log" 2>&1; then
  echo "nginx test: the shipped site does not load:" >&2; cat "$tmp/t.log" >&2; exit 1
fi
"$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" || { echo "nginx test: nginx did not start" >&2; exit 1; }
nginx_started=1
base="https://127.0.0.1:$https_port"
c() { curl -sS -k --max-time 10 "$@"; }
for _ in $(seq 50); do c -o /dev/null "$base/healthz" 2>/dev/null && break; sleep 0.1; done

# 1. http redirects to https.
loc=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$http_port/zoeken?q=x")
[[ $loc == "301 https://127.0.0.1:$https_port/zoeken?q=x" ]]; check "http is redirected to https" $? "$loc"

# 2. TLS + HTTP/2 + gzip on a search answer, with HSTS.
hdr=$(c --http2 -D - -o "$tmp/s.gz" -H 'Accept-Encoding: gzip' "$base/api/v1/search?q=schulden")
grep -qi '^HTTP/2 200' <<<"$hdr"; check "search over HTTP/2 answers 200" $? "$(head -1 <<<"$hdr")"
grep -qi '^content-encoding: gzip' <<<"$hdr"; check "the answer is gzipped" $? "no Content-Encoding: gzip"
grep -qi '^strict-transport-security:' <<<"$hdr"; check "HSTS is set" $? "no HSTS header"
gunzip -c "$tmp/s.gz" 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["total"]>0 else 1)'
check "the gzipped body is the search result" $? "not JSON with results"

# 3. Public GETs are cached; a session cookie bypasses the cache.
u="$base/api/v1/search?q=mantelzorg"
c -o /dev/null "$u"
st=$(c -o /dev/null -D - "$u" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache-status"{print $2}')
[[ $st == HIT ]]; check "a repeated public GET comes from the cache" $? "X-Cache-Status: $st"
st=$(c -o /dev/null -D - -H 'Cookie: sk_session=abc' "$u" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache-status"{print $2}')
[[ $st == BYPASS ]]; check "a request with a session skips the cache" $? "X-Cache-Status: $st"

# 4. Login attempts are rate limited per address (10/min, burst 5).
codes=""
for _ in $(seq 9); do
  codes+=" $(c -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -H "Origin: https://127.0.0.1:$https_port" \
    --data '{"email":"x@voorbeeld.nl","password":"fout-fout-fout"}' "$base/api/v1/auth/login")"
done
grep -q 429 <<<"$codes"; check "many logins from one address get 429" $? "codes:$codes"
grep -q 401 <<<"$codes"; check "the first logins reach the server (401)" $? "codes:$codes"

# 5. /metrics only from loopback (the test is loopback: allowed).
code=$(c -o /dev/null -w '%{http_code}' "$base/metrics")
[[ $code == 200 ]]; check "/metrics answers from loopback" $? "$code"

# 6. A client that sends its headers one byte a second is cut by nginx
#    (client_header_timeout 10 s) while another visitor is served at once.
python3 - "$https_port" >"$tmp/slow.log" 2>&1 <<'PY' &
import socket, ssl, sys, time
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost")
req = b"GET /api/v1/search?q=schulden HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 60
t0 = time.time()
try:
    for b in req:
        s.send(bytes([b])); time.sleep(1)
        if time.time() - t0 > 25: break
    print("not cut")
except OSError:
    print("cut after %.0f s" % (time.time() - t0))
PY
slow_pid=$!
sleep 2
code=$(c -o /dev/null -w '%{http_code}' "$base/api/v1/search?q=eenzaam")
[[ $code == 200 ]]; check "another visitor is served during a slow client" $? "$code"
wait $slow_pid
grep -q '^cut after' "$tmp/slow.log"; check "the slow client is cut" $? "$(cat "$tmp/slow.log")"

# 7. The access log keeps no link's token: not the query (reset ?token=,
#    claim ?t=, what residents typed) and not the verification link's token
#    in the path. nginx's "combined" format logged them all.
c -o /dev/null "$base/portal/wachtwoord?token=GEHEIMRESET"
c -o /dev/null "$base/aanvraag?t=GEHEIMCLAIM"
c -o /dev/null "$base/api/v1/verify/v1.GEHEIMVERIFY"
c -o /dev/null -X POST -H 'Content-Type: application/json' --data '{"answer":"ok"}' \
  "$base/api/v1/verify/v1.GEHEIMVERIFY/00000000-0000-4000-8000-000000000000"
c -o /dev/null "$base/zoeken?q=GEHEIMZOEK"
for _ in $(seq 50); do grep -q 'zoeken' "$tmp/logs/access.log" 2>/dev/null && break; sleep 0.1; done
[[ -s $tmp/logs/access.log ]] && ! grep -q GEHEIM "$tmp/logs/access.log"
check "the access log keeps no token or query" $? "$(grep GEHEIM "$tmp/logs/access.log" | head -3)"
grep -q '"POST /api/v1/verify/-/00000000-0000-4000-8000-000000000000 HTTP' "$tmp/logs/access.log"
check "the access log still names the request" $? "$(tail -3 "$tmp/logs/access.log")"

echo "nginx test: $passed passed, $failed failed"
[[ $failed == 0 ]]
