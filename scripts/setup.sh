#!/usr/bin/env bash
# Installs what this project needs on Debian bookworm: build tools and the
# -dev packages of its libraries. Idempotent: installs only what is missing.
# As root it runs apt-get; with sudo it uses sudo; otherwise it prints the
# exact command to run and exits 1.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libsqlite3-dev sqlite3 libmicrohttpd-dev libjansson-dev libical-dev
  libstemmer-dev libcurl4-openssl-dev libsodium-dev libcmocka-dev zlib1g-dev
  libhunspell-dev hunspell-nl
  tzdata ca-certificates
  nginx openssl curl python3 python3-aiosmtpd python3-jsonschema
  wrk  # the nginx + replicas test (tests/deploy/replicas_test.sh) and bench/replica.sh
  clang libclang-rt-14-dev  # the libFuzzer targets of fuzz/ (preset 'fuzz')
  clang-format  # scripts/format.sh and the ctest check_format
)
# Extra packages named by callers (e.g. the browser tests add chromium).
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "setup: installing ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt_get=(sudo apt-get)
else
  echo "setup: missing Debian packages. Run as root:" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${apt_get[@]}" update -qq
"${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
