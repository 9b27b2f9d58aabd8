/* Shared by the test_web*.c executables (included once per executable):
 * a fixture store, a real server on a free loopback port, and a small raw
 * HTTP/1.1 client that sends exactly the bytes a test gives it. */
#ifndef TEST_WEB_FIXTURE_H
#define TEST_WEB_FIXTURE_H

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helper_test.h"
#include "sk_err.h"
#include "web_server.h"

#define SVC_SHV "11111111-1111-4111-8111-111111111111"
#define SVC_ACT "22222222-2222-4222-8222-222222222222"
#define SVC_GONE "33333333-3333-4333-8333-333333333333"
#define SVC_DAG "44444444-4444-4444-8444-444444444444"
#define ORG_VERSA "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define ORG_BIB "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
#define LOC_BIJ "cccccccc-cccc-4ccc-8ccc-cccccccccccc"

static struct web_server *g_srv;
static int g_port;

__attribute__((unused)) static void fx_exec(struct sk_store *st, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK)
    fail_msg("fixture SQL failed: %s\n%s", msg ? msg : "?", sql);
}

/* Four offerings: debt help (Huizen + HBEL, restricted phone, hours,
 * location), an activity in Laren with occurrences, a withdrawn one, and
 * day activities for BEL (adults only in Eemnes). One feed with a
 * rejection. Occurrences are placed relative to now. */
__attribute__((unused)) static void fx_make_store(const char *name) {
  struct sk_store *st = th_store_with_taxonomy(name);
  fx_exec(st, "BEGIN");
  fx_exec(
      st,
      "INSERT INTO organization(rid, id, source, source_key, name, description, email, website,"
      " created, last_modified) VALUES"
      " (1, '" ORG_VERSA "', 'feed:versa', 'versa', 'Versa Welzijn', 'Welzijnswerk in HBEL.',"
      "  'info@versa.example.org', 'https://versa.example.org', '2026-01-01T00:00:00Z',"
      "  '2026-01-02T00:00:00Z'),"
      " (2, '" ORG_BIB "', 'feed:bieb', 'bieb', 'Bibliotheek Gooi', NULL, NULL, NULL,"
      "  '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
      "INSERT INTO service(rid, id, organization_rid, source, source_key, kind, name, summary,"
      " description, keywords, url, email, application_process, eligibility_description,"
      " fees_description, referral_contact, min_age, max_age, status, assured_date, assured_by,"
      " created, last_modified) VALUES"
      " (1, '" SVC_SHV "', 1, 'feed:versa', 'shv', 'aanbod', 'Schuldhulpverlening',"
      "  'Hulp als u schulden heeft.', 'U praat met een schuldhulpverlener <b>gratis</b>.',"
      "  'rood staan, aanmaning', 'https://versa.example.org/geld', 'geld@versa.example.org',"
      "  'Bel of loop binnen.', 'Inwoners van HBEL.', 'Gratis.', 'Verwijzers: 035 000 0002',"
      "  18, NULL, 'active', '2026-10-01', 'M. de Vries', '2026-01-01T00:00:00Z',"
      "  '2026-03-01T10:00:00Z'),"
      " (2, '" SVC_ACT "', 2, 'feed:bieb', 'taalcafe', 'activiteit', 'Taalcafé Laren',"
      "  'Samen Nederlands oefenen.', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
      "  NULL, 'active', NULL, NULL, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
      " (3, '" SVC_GONE "', 1, 'feed:versa', 'oud', 'aanbod', 'Opgeheven spreekuur', NULL,"
      "  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'withdrawn', NULL, NULL,"
      "  '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
      " (4, '" SVC_DAG "', 1, 'feed:versa', 'dag', 'aanbod', 'Dagbesteding De Linde',"
      "  'Een zinvolle dag.', 'Werken in de tuin.', NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
      "  NULL, NULL, 'active', '2024-01-01', NULL, '2026-01-01T00:00:00Z',"
      "  '2026-06-01T00:00:00Z');"
      "INSERT INTO service_taxonomy(service_rid, vocabulary, code) VALUES"
      " (1, 'need', 'geld.schulden'), (1, 'target_group', 'volwassenen'),"
      " (1, 'access', 'vrij'), (1, 'cost', 'gratis'), (1, 'law', 'wgs'),"
      " (2, 'need', 'taal.inburgering'), (2, 'need', 'ontmoeten.activiteiten'),"
      " (2, 'access', 'vrij'), (2, 'cost', 'gratis'),"
      " (3, 'need', 'geld.schulden'),"
      " (4, 'need', 'werk.dagbesteding'), (4, 'access', 'aanmelden'), (4, 'cost', 'gratis');"
      "INSERT INTO service_area(service_rid, area_code, min_age, max_age, note) VALUES"
      " (1, 'hbel', NULL, NULL, NULL), (1, 'huizen', NULL, NULL, NULL),"
      " (2, 'laren', NULL, NULL, NULL),"
      " (4, 'bel', NULL, NULL, NULL), (4, 'eemnes', 18, NULL, 'Jeugd uit Eemnes: via Amersfoort.');"
      "INSERT INTO location(rid, id, organization_rid, source, source_key, name, address,"
      " postal_code, city, municipality_code, latitude, longitude, accessibility, last_modified)"
      " VALUES (1, '" LOC_BIJ "', 1, 'feed:versa', 'bij', 'Buurthuis De Bijenkorf',"
      "  'Voorbeeldstraat 1', '1271 AB', 'Huizen', 'huizen', 52.2991, 5.2413,"
      "  'Rolstoeltoegankelijk', '2026-01-01T00:00:00Z');"
      "INSERT INTO service_at_location(service_rid, location_rid) VALUES (1, 1);"
      "INSERT INTO phone(service_rid, organization_rid, location_rid, number, description,"
      " restricted) VALUES"
      " (1, NULL, NULL, '035 000 0001', 'Algemeen', 0),"
      " (1, NULL, NULL, '035 999 9999', 'Alleen voor verwijzers', 1),"
      " (NULL, 1, NULL, '035 000 0000', NULL, 0),"
      " (NULL, NULL, 1, '035 000 0003', 'Balie', 0);"
      "INSERT INTO schedule(service_rid, weekday, opens_at, closes_at, description) VALUES"
      " (1, 1, '09:00', '12:00', NULL), (1, 2, '09:00', '12:00', NULL),"
      " (1, 4, '13:00', '16:00', 'Op afspraak');"
      "INSERT INTO activity(service_rid, uid, location_text, municipality_code, recurrence,"
      " organizer) VALUES (2, 'taal@bieb', 'Bibliotheek Laren', 'laren', 'FREQ=WEEKLY;BYDAY=WE',"
      " 'Bibliotheek');"
      "INSERT INTO feed(id, partner, kind, location, last_attempt, last_success, last_error,"
      " n_records, n_new, n_rejected) VALUES"
      " ('versa', 'Versa Welzijn', 'partner-json', 'demo/versa.json', '2026-11-01T00:00:00Z',"
      "  '2026-11-01T00:00:00Z', NULL, 3, 3, 1),"
      " ('bieb', 'Bibliotheek', 'ical', 'https://bieb.example.org/a.ics?token=geheim',"
      "  '2026-11-02T00:00:00Z', '2026-11-01T00:00:00Z', 'De agenda is niet bereikbaar.', 1, 0, 0);"
      "INSERT INTO feed_rejection(feed_id, record_key, field, reason, at) VALUES"
      " ('versa', 'kapot', 'needs', 'Dienst ''kapot'': het veld ''needs'' mist.',"
      "  '2026-11-01T00:00:00Z');");
  /* Occurrences: three upcoming Wednesdays-ish, inserted out of order. */
  long long now = (long long)time(NULL);
  char sql[1024];
  for (int i = 2; i >= 0; i--) {
    long long t = now + 86400LL * (2 + 7 * i);
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char iso[40];
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    snprintf(sql, sizeof sql,
             "INSERT INTO occurrence(service_rid, starts_at, ends_at, start_utc, end_utc, all_day,"
             " cancelled) VALUES (2, '%s', NULL, %lld, %lld, 0, %d)",
             iso, t, t + 7200, i == 1);
    fx_exec(st, sql);
  }
  for (long long rid = 1; rid <= 4; rid++)
    assert_int_equal(sk_store_index_service(st, rid), SK_OK);
  fx_exec(st, "COMMIT");
  sk_store_close(st);
}

/* A static folder with a page, an asset, a sub folder, a hidden file and
 * two symlinks: one inside the folder, one pointing out of it. */
__attribute__((unused)) static const char *fx_make_static(void) {
  static char dir[512];
  snprintf(dir, sizeof dir, "%s", th_path("static"));
  mkdir(dir, 0755);
  mkdir(th_path("static/sub"), 0755);
  th_write_file(th_path("static/index.html"), "<!doctype html><title>SK</title>", 32);
  th_write_file(th_path("static/app.js"), "console.log(1);\n", 16);
  th_write_file(th_path("static/style.css"), "body{}\n", 7);
  th_write_file(th_path("static/.secret"), "no", 2);
  th_write_file(th_path("static/sub/page.html"), "<p>sub</p>", 10);
  th_write_file(th_path("outside.txt"), "SECRET-OUTSIDE", 14);
  if (symlink(th_path("outside.txt"), th_path("static/escape.txt")) != 0 ||
      symlink("app.js", th_path("static/inside.js")) != 0)
    fail_msg("symlink: %s", strerror(errno));
  return dir;
}

__attribute__((unused)) static void fx_start(unsigned timeout_s) {
  fx_make_store("web.db");
  struct web_config c;
  web_config_default(&c);
  static char db[512], log[512];
  snprintf(db, sizeof db, "%s", th_path("web.db"));
  snprintf(log, sizeof log, "%s", th_path("access.log"));
  c.db_path = db;
  c.static_dir = fx_make_static();
  c.port = 0;
  c.threads = 2;
  c.timeout_s = timeout_s;
  c.access_log = log;
  c.public_url = "http://127.0.0.1/"; /* links in the calendar (the '/' is dropped) */
  char err[512] = "";
  if (web_server_start(&c, &g_srv, err, sizeof err) != SK_OK)
    fail_msg("server: %s", err);
  g_port = web_server_port(g_srv);
}

/* ---- raw HTTP client ---------------------------------------------------- */

struct resp {
  int status;
  char *head;   /* status line and headers, NUL-terminated */
  char *values; /* a copy of head with every line NUL-terminated: fx_header's answers */
  char *body;   /* NUL-terminated */
  size_t body_len;
};

static void resp_free(struct resp *r) {
  free(r->head);
  free(r->values);
  free(r->body);
  memset(r, 0, sizeof *r);
}

__attribute__((unused)) static int fx_connect(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_port)};
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
  return fd;
}

/* Read until the peer closes (bounded by timeout_ms and 4 MiB). */
__attribute__((unused)) static char *fx_read_all(int fd, size_t *len, int timeout_ms) {
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap + 1);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long left = timeout_ms - ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
    if (left <= 0)
      break;
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, (int)left) <= 0)
      break;
    if (n == cap) {
      if (cap >= 4u << 20)
        break;
      cap *= 2;
      buf = realloc(buf, cap + 1);
    }
    ssize_t r = recv(fd, buf + n, cap - n, 0);
    if (r <= 0)
      break;
    n += (size_t)r;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* Send raw bytes (a whole request), read the whole answer. */
__attribute__((unused)) static struct resp fx_raw(const char *req, size_t len) {
  int fd = fx_connect();
  size_t off = 0;
  while (off < len) {
    ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);
    if (w <= 0)
      break; /* the server may answer and close before reading it all */
    off += (size_t)w;
  }
  size_t n;
  char *all = fx_read_all(fd, &n, 10000);
  close(fd);
  struct resp r = {0};
  char *sep = strstr(all, "\r\n\r\n");
  if (sscanf(all, "HTTP/1.%*d %d", &r.status) != 1)
    r.status = -1;
  size_t hl = sep ? (size_t)(sep - all) : n;
  r.head = strndup(all, hl);
  r.values = strndup(all, hl);
  assert_non_null(r.head);
  assert_non_null(r.values);
  for (char *cr = strstr(r.values, "\r\n"); cr; cr = strstr(cr + 2, "\r\n"))
    cr[0] = '\0';
  const char *b = sep ? sep + 4 : all + n;
  r.body_len = n - (size_t)(b - all);
  r.body = malloc(r.body_len + 1);
  memcpy(r.body, b, r.body_len);
  r.body[r.body_len] = '\0';
  free(all);
  return r;
}

/* GET/other method with optional extra header lines ("A: b\r\n"). */
__attribute__((unused)) static struct resp fx_req(const char *method, const char *target,
                                                  const char *extra) {
  char req[16384];
  int n = snprintf(req, sizeof req,
                   "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s\r\n", method,
                   target, extra ? extra : "");
  assert_true(n > 0 && (size_t)n < sizeof req);
  return fx_raw(req, (size_t)n);
}

__attribute__((unused)) static struct resp fx_get(const char *target) {
  return fx_req("GET", target, NULL);
}

/* The value of a header (case-insensitive name) into a static buffer, or NULL. */
/* The value of header NAME, or NULL. The string is owned by R and lives until
 * resp_free(R): two answers' headers can be compared side by side (no
 * static buffer shared between calls). */
__attribute__((unused)) static const char *fx_header(const struct resp *r, const char *name) {
  size_t nl = strlen(name);
  for (const char *p = r->head; p && *p;) {
    const char *eol = strstr(p, "\r\n");
    size_t ll = eol ? (size_t)(eol - p) : strlen(p);
    if (ll > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
      const char *v = p + nl + 1;
      while (*v == ' ')
        v++;
      return r->values + (v - r->head);
    }
    if (!eol)
      break;
    p = eol + 2;
  }
  return NULL;
}

__attribute__((unused)) static json_t *fx_json(const struct resp *r) {
  json_error_t e;
  json_t *j = json_loadb(r->body, r->body_len, 0, &e);
  if (!j)
    fail_msg("not JSON (%s): %.300s", e.text, r->body);
  return j;
}

/* GET target, expect status, return the parsed body. */
__attribute__((unused)) static json_t *fx_get_json(const char *target, int status) {
  struct resp r = fx_get(target);
  if (r.status != status)
    fail_msg("GET %s: status %d, want %d: %.400s", target, r.status, status, r.body);
  json_t *j = fx_json(&r);
  resp_free(&r);
  return j;
}

#endif
