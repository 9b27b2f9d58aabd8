# Sourced by the tests of tests/deploy/: Debian's nginx, unprivileged, with a
# shipped site rewritten for a temporary folder.
#   nginx_site TMP SITE HTTP_PORT HTTPS_PORT [sed -e EXPR ...]
# writes TMP/cert.pem + key.pem (self-signed, localhost), TMP/site.conf (SITE
# with the listen ports, host name, certificate, cache and ACME paths
# rewritten, plus the caller's own sed expressions, e.g. the upstream ports)
# and TMP/nginx.conf that includes it. Start with: nginx -p TMP -c TMP/nginx.conf
nginx_site() {
  local tmp=$1 site=$2 http_port=$3 https_port=$4
  shift 4
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1 || return 1
  mkdir -p "$tmp/logs" "$tmp/cache" "$tmp/www"
  sed "$@" \
    -e "s|listen 80;|listen 127.0.0.1:$http_port;|; s|listen \[::\]:80;||" \
    -e "s|listen 443 ssl http2;|listen 127.0.0.1:$https_port ssl http2;|; s|listen \[::\]:443 ssl http2;||" \
    -e "s|server_name kaart.example.nl;|server_name localhost 127.0.0.1;|" \
    -e "s|/etc/ssl/certs/kaart.example.nl.pem|$tmp/cert.pem|; s|/etc/ssl/private/kaart.example.nl.key|$tmp/key.pem|" \
    -e "s|/var/lib/nginx/sociale-kaart-cache|$tmp/cache|; s|root /var/www/html;|root $tmp/www;|" \
    -e "s|/var/log/nginx/sociale-kaart.access.log|$tmp/logs/access.log|" \
    -e "s|return 301 https://\$host\$request_uri;|return 301 https://\$host:$https_port\$request_uri;|" \
    "$site" >"$tmp/site.conf" || return 1
  cat >"$tmp/nginx.conf" <<NGX
$( [[ $(id -u) == 0 ]] && echo "user root;" )
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path $tmp/body;
  proxy_temp_path $tmp/proxy;
  fastcgi_temp_path $tmp/fastcgi;
  uwsgi_temp_path $tmp/uwsgi;
  scgi_temp_path $tmp/scgi;
  include $tmp/site.conf;
}
NGX
}
