#!/usr/bin/env bash
# Mail for real: the verification messages go out over SMTP (libcurl) to a
# loopback server started here (tests/mail/smtpd.py, Debian's
# python3-aiosmtpd). Checks: delivery with the personal link that then
# works; a recipient the server refuses (550) is marked bounced on the
# organisation and not tried again; plain SMTP to a relay that is not this
# machine is refused (STARTTLS required), and nothing is marked sent.
#   tests/mail/smtp_test.sh BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
bin=${1:-$src/build/debug}/sociale-kaart

py=/usr/bin/python3 # Debian's: python3-aiosmtpd installs there
if ! $py -c 'import aiosmtpd' 2>/dev/null || ! command -v sqlite3 >/dev/null; then
  if [[ -n ${CI:-} ]]; then echo "smtp test: FAILED: python3-aiosmtpd or sqlite3 missing under CI" >&2; exit 1; fi
  echo "smtp test: skipped: python3-aiosmtpd is not installed (scripts/setup.sh installs it)" >&2
  exit 77
fi
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
passed=0 failed=0
check() { if [[ $2 == 0 ]]; then passed=$((passed + 1)); echo "ok - $1"; else failed=$((failed + 1)); echo "not ok - $1: $3"; fi; }

start_smtpd() { # start_smtpd HOST NAME -> sets port_NAME
  mkdir -p "$tmp/$2"
  $py "$here/smtpd.py" "$1" 0 "$tmp/$2" "$tmp/$2.port" 2>"$tmp/$2.log" &
  pids+=($!)
  for _ in $(seq 100); do [[ -s $tmp/$2.port ]] && break; sleep 0.1; done
  [[ -s $tmp/$2.port ]] || { echo "smtp test: the SMTP server did not start" >&2; cat "$tmp/$2.log" >&2; exit 1; }
}
start_smtpd 127.0.0.1 local
start_smtpd 127.0.0.2 remote
db=$tmp/k.db
"$bin" index --db "$db" --feeds "$src/feeds/feeds.json" --taxonomy "$src/feeds/taxonomy.json" >/dev/null 2>&1
# One organisation's address bounces.
org=$(sqlite3 "$db" "SELECT o.id FROM organization o JOIN service s ON s.organization_rid = o.rid
  WHERE o.email IS NOT NULL AND s.kind = 'aanbod' AND s.status = 'active' ORDER BY o.id LIMIT 1")
sqlite3 "$db" "UPDATE organization SET email = 'bounce@voorbeeld.nl' WHERE id = '$org'"
due=$(date -u -d '+11 months +20 days' +%Y-%m-%d)
"$bin" verify --db "$db" --now "$due" --base-url https://kaart.example.nl >"$tmp/verify.log"
queued=$(sqlite3 "$db" "SELECT count(*) FROM portal_outbox WHERE sent_at IS NULL")
[[ $queued -gt 2 ]]; check "the verification run queued messages" $? "$queued queued"

# Plain SMTP to a relay that is not this machine: refused, nothing sent.
SK_SMTP_URL="smtp://127.0.0.2:$(cat "$tmp/remote.port")" SK_SMTP_FROM=kaart@voorbeeld.nl \
  "$bin" reminders --db "$db" >"$tmp/r1.out" 2>"$tmp/r1.err"
rc=$?
n=$(ls "$tmp/remote" | wc -l)
[[ $rc != 0 && $n == 0 ]]; check "no plain SMTP to another host (STARTTLS required)" $? "rc $rc, $n delivered"
left=$(sqlite3 "$db" "SELECT count(*) FROM portal_outbox WHERE sent_at IS NULL")
[[ $left == "$queued" ]]; check "refused messages stay in the outbox" $? "$left of $queued unsent"

# The local relay: delivered, one bounce.
SK_SMTP_URL="smtp://127.0.0.1:$(cat "$tmp/local.port")" SK_SMTP_FROM=kaart@voorbeeld.nl \
  "$bin" reminders --db "$db" >"$tmp/r2.out" 2>"$tmp/r2.err"
n=$(ls "$tmp/local" | wc -l)
[[ $n == $((queued - 1)) ]]; check "every message but the bounce is delivered" $? "$n of $queued; $(cat "$tmp/r2.out")"
grep -q '1 bounced' "$tmp/r2.out"; check "the bounce is reported" $? "$(cat "$tmp/r2.out" "$tmp/r2.err")"
b=$(sqlite3 "$db" "SELECT email_bounced FROM organization WHERE id = '$org'")
[[ $b == bounce@voorbeeld.nl ]]; check "the bounced address is marked on the organisation" $? "'$b'"
left=$(sqlite3 "$db" "SELECT count(*) FROM portal_outbox WHERE sent_at IS NULL")
[[ $left == 0 ]]; check "nothing is left to send (the bounce is not retried)" $? "$left unsent"
mail=$(ls "$tmp/local"/*.eml | head -1)
grep -q '^Subject: Kloppen uw gegevens in de Sociale Kaart nog?' "$mail"; check "the message has its subject" $? "$(head -12 "$mail")"
token=$(grep -o 'bevestigen.html?t=v1\.[^[:space:]]*' "$mail" | head -1 | sed 's/.*?t=//')
[[ -n $token ]]; check "the message carries a personal link" $? "no link in $mail"

# The link from the mail works against the server.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --db "$db" --port "$port" --static "$src/web/static" --reindex-every 0 --access-log '' 2>"$tmp/serve.log" &
pids+=($!)
for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break; sleep 0.1; done
code=$(curl -s -o "$tmp/list.json" -w '%{http_code}' "http://127.0.0.1:$port/api/v1/verify/$token")
[[ $code == 200 ]] && python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["entries"] else 1)' "$tmp/list.json"
check "the link from the mail lists the organisation's entries" $? "HTTP $code"
# The bounced organisation is on the redacteur's list (API, as a redacteur).
echo 'wachtwoord-voor-de-test-1' | "$bin" user add --db "$db" --email red@voorbeeld.nl --name Red \
  --role redacteur --password-stdin >/dev/null
curl -s -c "$tmp/cj" -H 'Content-Type: application/json' -H "Origin: http://127.0.0.1:$port" \
  -d '{"email":"red@voorbeeld.nl","password":"wachtwoord-voor-de-test-1"}' \
  "http://127.0.0.1:$port/api/v1/auth/login" -o /dev/null
curl -s -b "$tmp/cj" "http://127.0.0.1:$port/api/v1/partner/verify-tasks" >"$tmp/tasks.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if any(b["id"]==sys.argv[2] for b in d["bounced"]) else 1)' "$tmp/tasks.json" "$org"
check "the redacteur sees the bounced address" $? "$(head -c 300 "$tmp/tasks.json")"

# A password-reset link goes out at once: the server has SMTP itself and
# does not wait for the next reminders run.
port2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SK_SMTP_URL="smtp://127.0.0.1:$(cat "$tmp/local.port")" SK_SMTP_FROM=kaart@voorbeeld.nl \
  "$bin" serve --db "$db" --port "$port2" --static "$src/web/static" --reindex-every 0 \
  --access-log '' --public-url https://kaart.example.nl 2>"$tmp/serve2.log" &
pids+=($!)
for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port2/healthz" 2>/dev/null && break; sleep 0.1; done
before=$(ls "$tmp/local" | wc -l)
code=$(curl -s -o /dev/null -w '%{http_code}' --data 'email=red%40voorbeeld.nl' \
  "http://127.0.0.1:$port2/portal/wachtwoord-vergeten")
[[ $code == 303 ]]; check "the reset form answers" $? "HTTP $code"
reset_mail=
for _ in $(seq 300); do # at most 30 s; it takes well under a second
  reset_mail=$(grep -l '/portal/wachtwoord?token=' "$tmp/local"/*.eml 2>/dev/null | head -1)
  [[ -n $reset_mail ]] && break
  sleep 0.1
done
[[ -n $reset_mail ]] && grep -q '^To: <red@voorbeeld.nl>' "$reset_mail"
check "the reset link is mailed at once, without a reminders run" $? \
  "no mail after 30 s; $(tail -n 3 "$tmp/serve2.log")"
grep -q 'https://kaart.example.nl/portal/wachtwoord?token=' "${reset_mail:-/dev/null}"
check "the mailed link uses the public address" $? "$(grep -m1 wachtwoord "${reset_mail:-/dev/null}")"
unsent=""
for _ in $(seq 100); do # the mark is written right after the SMTP exchange
  unsent=$(sqlite3 "$db" "SELECT count(*) FROM portal_outbox WHERE period LIKE 'wachtwoord:%' AND sent_at IS NULL")
  [[ $unsent == 0 ]] && break
  sleep 0.1
done
[[ $unsent == 0 ]]; check "the reset message is marked sent" $? "$unsent unsent"
SK_SMTP_URL="smtp://127.0.0.1:$(cat "$tmp/local.port")" SK_SMTP_FROM=kaart@voorbeeld.nl \
  "$bin" reminders --db "$db" >"$tmp/r3.out" 2>"$tmp/r3.err"
n=$(grep -l '/portal/wachtwoord?token=' "$tmp/local"/*.eml | wc -l)
[[ $n == 1 ]]; check "the next reminders run does not send it again" $? "$n reset mails"

echo "smtp test: $passed passed, $failed failed"
[[ $failed == 0 ]]
