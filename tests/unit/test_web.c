/* HTTP server: the real server on a free loopback port, spoken to with raw
 * HTTP. Endpoints, errors, limits, caching, CORS, headers, static files,
 * the OpenAPI document against real answers, metrics and the access log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_web_fixture.h"

#include "ix_ical.h"
#include "sk_fold.h"

/* A second activity, only in this executable (added after the server
 * started): text that needs escaping, a name long enough to fold with
 * multi-byte characters where a fold would fall, an all-day occurrence. */
#define SVC_ICS "55555555-5555-4555-8555-555555555555"
#define ICS_NAME                                                                                   \
  "Samen wandelen in Eemnes: "                                                                     \
  "\xc3\xab\xc3\xab\xc3\xab\xc3\xab\xc3\xab\xc3\xab\xc3\xab\xc3\xab\xc3\xab"                       \
  "\xc3\xab\xc3\xab\xc3\xab\xc3\xab\xc3\xab\xc3\xab\xc3\xab\xc3\xab\xc3\xab\xc3\xab\xc3\xab\xc3"   \
  "\xab\xc3\xab"                                                                                   \
  " \xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99"  \
  "\x82"                                                                                           \
  "\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99\x82\xf0\x9f\x99"   \
  "\x82 tot slot"
#define ICS_DESC "Koffie; thee, en <b>koek</b>.\nNeem een vriend mee \\ of twee."
#define ICS_DESC_ESCAPED "Koffie\\; thee\\, en <b>koek</b>.\\nNeem een vriend mee \\\\ of twee."
static long long g_ics_timed; /* start_utc of its timed occurrence */
static char g_ics_day[11];    /* date of its all-day occurrence */

static void add_ics_activity(void) {
  struct sk_store *st = NULL;
  char err[256] = "";
  if (sk_store_open(th_path("web.db"), 0, &st, err, sizeof err) != SK_OK)
    fail_msg("store: %s", err);
  fx_exec(st, "BEGIN");
  fx_exec(st, "INSERT INTO service(rid, id, organization_rid, source, source_key, kind, name,"
              " summary, description, status, created, last_modified) VALUES"
              " (5, '" SVC_ICS "', 2, 'feed:bieb', 'wandel', 'activiteit', '" ICS_NAME "',"
              " NULL, '" ICS_DESC "', 'active', '2026-01-01T00:00:00Z', '2026-02-03T04:05:06Z');"
              "INSERT INTO service_taxonomy(service_rid, vocabulary, code) VALUES"
              " (5, 'need', 'ontmoeten.activiteiten');"
              "INSERT INTO service_area(service_rid, area_code) VALUES (5, 'eemnes');"
              "INSERT INTO activity(service_rid, uid, location_text, municipality_code) VALUES"
              " (5, 'wandel@bieb', 'Dorpshuis Eemnes, Kerkstraat 1', 'eemnes');");
  long long now = (long long)time(NULL);
  g_ics_timed = now - now % 60 + 3 * 86400LL;
  time_t tt = (time_t)g_ics_timed;
  struct tm tm;
  gmtime_r(&tt, &tm);
  char iso[40], sql[600];
  strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
  snprintf(sql, sizeof sql,
           "INSERT INTO occurrence(service_rid, starts_at, ends_at, start_utc, end_utc, all_day,"
           " cancelled) VALUES (5, '%s', NULL, %lld, %lld, 0, 0)",
           iso, g_ics_timed, g_ics_timed + 5400);
  fx_exec(st, sql);
  tt = (time_t)(now + 4 * 86400LL);
  gmtime_r(&tt, &tm);
  strftime(g_ics_day, sizeof g_ics_day, "%Y-%m-%d", &tm);
  long long day0 = (long long)(now + 4 * 86400LL) / 86400 * 86400 - 3600;
  snprintf(sql, sizeof sql,
           "INSERT INTO occurrence(service_rid, starts_at, ends_at, start_utc, end_utc, all_day,"
           " cancelled) VALUES (5, '%s', '%s', %lld, %lld, 1, 0)",
           g_ics_day, g_ics_day, day0, day0 + 86400);
  fx_exec(st, sql);
  assert_int_equal(sk_store_index_service(st, 5), SK_OK);
  fx_exec(st, "COMMIT");
  sk_store_close(st);
}

static const char *const security_headers[][2] = {
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
};

static void assert_security_headers(const struct resp *r) {
  for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++) {
    const char *v = fx_header(r, security_headers[i][0]);
    if (!v || strcmp(v, security_headers[i][1]) != 0)
      fail_msg("header %s missing or wrong in: %s", security_headers[i][0], r->head);
  }
  const char *csp = fx_header(r, "Content-Security-Policy");
  assert_non_null(csp);
  assert_non_null(strstr(csp, "frame-ancestors 'none'"));
  assert_non_null(strstr(csp, "script-src 'self'"));
  assert_null(strstr(csp, "unsafe-inline"));
  /* clients are told to drop an idle connection before the server's idle
   * timeout (15 s by default) closes it under a request they just sent */
  const char *ka = fx_header(r, "Keep-Alive");
  unsigned ka_s = 0;
  if (!ka || sscanf(ka, "timeout=%u", &ka_s) != 1 || ka_s < 1 || ka_s >= 15)
    fail_msg("Keep-Alive missing or not below the idle timeout: %s", r->head);
}

/* A problem+json answer with this status that names param (or none). */
static void assert_problem(const char *target, int status, const char *param) {
  struct resp r = fx_get(target);
  if (r.status != status)
    fail_msg("GET %s: %d, want %d: %s", target, r.status, status, r.body);
  assert_non_null(strstr(fx_header(&r, "Content-Type"), "application/problem+json"));
  assert_security_headers(&r);
  json_t *p = fx_json(&r);
  assert_int_equal(json_integer_value(json_object_get(p, "status")), status);
  assert_true(json_string_length(json_object_get(p, "title")) > 0);
  assert_true(json_string_length(json_object_get(p, "detail")) > 0);
  if (param) {
    json_t *ip = json_array_get(json_object_get(p, "invalid_params"), 0);
    if (!ip || strcmp(json_string_value(json_object_get(ip, "name")), param) != 0)
      fail_msg("%s: problem does not name '%s': %s", target, param, r.body);
    assert_non_null(strstr(json_string_value(json_object_get(p, "detail")), param));
  }
  json_decref(p);
  resp_free(&r);
}

static void test_healthz(void **state) {
  (void)state;
  struct resp r = fx_get("/healthz");
  assert_int_equal(r.status, 200);
  assert_security_headers(&r);
  assert_string_equal(fx_header(&r, "Cache-Control"), "no-store");
  json_t *j = fx_json(&r);
  assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
  assert_true(json_is_integer(json_object_get(j, "index_age_seconds")));
  json_decref(j);
  resp_free(&r);
}

static void test_service_detail(void **state) {
  (void)state;
  json_t *s = fx_get_json("/api/v1/services/" SVC_SHV, 200);
  assert_string_equal(json_string_value(json_object_get(s, "name")), "Schuldhulpverlening");
  /* Markup from a feed is text, unchanged; the site shows it as text. */
  assert_non_null(strstr(json_string_value(json_object_get(s, "description")), "<b>gratis</b>"));
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(s, "organization"), "name")),
      "Versa Welzijn");
  assert_string_equal(json_string_value(json_object_get(json_object_get(s, "access"), "code")),
                      "vrij");
  assert_non_null(json_object_get(json_object_get(s, "access"), "explain"));
  assert_string_equal(json_string_value(json_object_get(json_object_get(s, "cost"), "label")),
                      "Gratis");
  assert_int_equal(json_array_size(json_object_get(s, "laws")), 1);
  assert_int_equal(json_array_size(json_object_get(s, "areas")), 2);
  assert_int_equal(json_array_size(json_object_get(s, "hours")), 3);
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(json_object_get(s, "hours"), 0), "day")),
      "maandag");
  json_t *loc = json_array_get(json_object_get(s, "locations"), 0);
  assert_string_equal(json_string_value(json_object_get(loc, "id")), LOC_BIJ);
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(loc, "municipality"), "label")), "Huizen");
  assert_int_equal(json_array_size(json_object_get(loc, "phones")), 1);
  assert_false(json_is_true(json_object_get(s, "stale")));
  assert_true(json_is_null(json_object_get(s, "activity")));
  /* Restricted data never reaches an anonymous user. */
  assert_int_equal(json_array_size(json_object_get(s, "phones")), 1);
  char *dump = json_dumps(s, 0);
  assert_null(strstr(dump, "035 999 9999"));
  assert_null(strstr(dump, "Verwijzers"));
  assert_null(strstr(dump, "M. de Vries"));
  free(dump);
  json_decref(s);

  json_t *d = fx_get_json("/api/v1/services/" SVC_DAG, 200);
  assert_true(json_is_true(json_object_get(d, "stale"))); /* assured in 2024 */
  json_t *eemnes = json_array_get(json_object_get(d, "areas"), 1);
  assert_string_equal(json_string_value(json_object_get(eemnes, "code")), "eemnes");
  assert_int_equal(json_integer_value(json_object_get(eemnes, "min_age")), 18);
  assert_non_null(strstr(json_string_value(json_object_get(eemnes, "note")), "Amersfoort"));
  json_decref(d);
}

static void test_activity_detail_and_list(void **state) {
  (void)state;
  json_t *a = fx_get_json("/api/v1/services/" SVC_ACT, 200);
  json_t *act = json_object_get(a, "activity");
  assert_true(json_is_object(act));
  /* Calendars carry no confirmation date: an activity is never "stale". */
  assert_false(json_is_true(json_object_get(a, "stale")));
  json_t *occ = json_object_get(act, "occurrences");
  assert_int_equal(json_array_size(occ), 3);
  assert_true(strcmp(json_string_value(json_object_get(json_array_get(occ, 0), "starts_at")),
                     json_string_value(json_object_get(json_array_get(occ, 1), "starts_at"))) < 0);
  assert_true(json_is_true(json_object_get(json_array_get(occ, 1), "cancelled")));
  json_decref(a);

  json_t *l = fx_get_json("/api/v1/activities?municipality=laren&per_page=2", 200);
  assert_int_equal(json_integer_value(json_object_get(l, "total")), 3);
  json_t *items = json_object_get(l, "items");
  assert_int_equal(json_array_size(items), 2);
  assert_true(strcmp(json_string_value(json_object_get(json_array_get(items, 0), "starts_at")),
                     json_string_value(json_object_get(json_array_get(items, 1), "starts_at"))) <
              0);
  const char *next = json_string_value(json_object_get(l, "next"));
  assert_non_null(next);
  assert_non_null(strstr(next, "page=2"));
  assert_non_null(strstr(next, "municipality=laren"));
  json_t *l2 = fx_get_json(next, 200);
  assert_int_equal(json_array_size(json_object_get(l2, "items")), 1);
  assert_true(json_is_null(json_object_get(l2, "next")));
  json_decref(l2);
  json_decref(l);

  /* Huizen is not Laren; need filters include sub-needs. */
  json_t *h = fx_get_json("/api/v1/activities?municipality=huizen", 200);
  assert_int_equal(json_integer_value(json_object_get(h, "total")), 0);
  json_decref(h);
  json_t *n = fx_get_json("/api/v1/activities?need=taal", 200);
  assert_int_equal(json_integer_value(json_object_get(n, "total")), 3);
  json_decref(n);
  json_t *w = fx_get_json("/api/v1/activities?from=2020-01-01&to=2020-02-01", 200);
  assert_int_equal(json_integer_value(json_object_get(w, "total")), 0);
  json_decref(w);
}

static void test_organization(void **state) {
  (void)state;
  json_t *o = fx_get_json("/api/v1/organizations/" ORG_VERSA, 200);
  assert_string_equal(json_string_value(json_object_get(o, "name")), "Versa Welzijn");
  json_t *svcs = json_object_get(o, "services");
  assert_int_equal(json_array_size(svcs), 2); /* the withdrawn one is not listed */
  assert_int_equal(json_array_size(json_object_get(o, "locations")), 1);
  assert_int_equal(json_array_size(json_object_get(o, "phones")), 1);
  json_decref(o);
}

static void test_taxonomy_and_feeds(void **state) {
  (void)state;
  json_t *t = fx_get_json("/api/v1/taxonomy", 200);
  assert_true(json_array_size(json_object_get(t, "needs")) > 10);
  assert_true(json_array_size(json_object_get(t, "municipalities")) >= 4);
  json_decref(t);
  json_t *f = fx_get_json("/api/v1/feeds", 200);
  json_t *feeds = json_object_get(f, "feeds");
  assert_int_equal(json_array_size(feeds), 2);
  json_t *bieb = json_array_get(feeds, 0), *versa = json_array_get(feeds, 1);
  assert_string_equal(json_string_value(json_object_get(bieb, "id")), "bieb");
  assert_false(json_is_true(json_object_get(bieb, "healthy")));
  assert_non_null(json_string_value(json_object_get(bieb, "last_error")));
  assert_true(json_is_true(json_object_get(versa, "healthy")));
  json_t *rej = json_array_get(json_object_get(versa, "rejections"), 0);
  assert_string_equal(json_string_value(json_object_get(rej, "record_key")), "kapot");
  assert_non_null(strstr(json_string_value(json_object_get(rej, "reason")), "needs"));
  /* The feed address can hold a secret token: never published. */
  char *dump = json_dumps(f, 0);
  assert_null(strstr(dump, "geheim"));
  free(dump);
  json_decref(f);
}

static void test_bad_parameters_are_400_naming_them(void **state) {
  (void)state;
  assert_problem("/api/v1/activities?municipality=atlantis", 400, "municipality");
  assert_problem("/api/v1/activities?need=vliegen", 400, "need");
  assert_problem("/api/v1/activities?from=gisteren", 400, "from");
  assert_problem("/api/v1/activities?from=2026-13-01", 400, "from");
  assert_problem("/api/v1/activities?from=2026-11-22T10:00:00", 400, "from"); /* no offset */
  assert_problem("/api/v1/activities?from=2026-11-22&to=2026-11-01", 400, "to");
  assert_problem("/api/v1/activities?page=0", 400, "page");
  assert_problem("/api/v1/activities?page=abc", 400, "page");
  assert_problem("/api/v1/activities?per_page=100000", 400, "per_page");
  assert_problem("/api/v1/activities?colour=red", 400, "colour");
  assert_problem("/api/v1/taxonomy?x=1", 400, "x");
  assert_problem("/api/v1/activities?municipality=%ff%fe", 400, "municipality");
  assert_problem("/hsds/services?organization_id=nope", 400, "organization_id");
  assert_problem("/hsds/services?format=ndjson", 400, "format");
  assert_problem("/hsds/services?taxonomy_term_id=" SVC_SHV, 400, "taxonomy_term_id");
  assert_problem("/hsds/services?modified_after=yesterday", 400, "modified_after");
  assert_problem("/api/v1/suggest?limit=5000", 400, "limit");
  /* Too many parameters, too long a value. */
  char url[4096] = "/api/v1/activities?";
  for (int i = 0; i < 40; i++)
    snprintf(url + strlen(url), sizeof url - strlen(url), "need=geld&");
  assert_problem(url, 400, NULL);
  char longv[1200] = "/api/v1/activities?need=";
  memset(longv + strlen(longv), 'a', 700);
  assert_problem(longv, 400, "need");
}

static void test_unknown_ids_are_404(void **state) {
  (void)state;
  assert_problem("/api/v1/services/99999999-9999-4999-8999-999999999999", 404, NULL);
  assert_problem("/api/v1/services/not-a-uuid", 404, NULL);
  assert_problem("/api/v1/services/" SVC_GONE, 404, NULL); /* withdrawn */
  assert_problem("/api/v1/organizations/99999999-9999-4999-8999-999999999999", 404, NULL);
  assert_problem("/api/v1/nothing", 404, NULL);
  assert_problem("/api/v2/search", 404, NULL);
  assert_problem("/hsds/services/99999999-9999-4999-8999-999999999999", 404, NULL);
  assert_problem("/hsds/services/" SVC_ACT, 404, NULL); /* activities are not HSDS services */
  /* Edges of the route table: a path below an id, an empty id, the bare
   * prefixes, a segment that only starts like a route. */
  assert_problem("/api/v1/services/" SVC_SHV "/extra", 404, NULL);
  assert_problem("/api/v1/services/", 404, NULL);
  assert_problem("/api/v1/searchx", 404, NULL);
  assert_problem("/api", 404, NULL);
  assert_problem("/hsds/services/" SVC_SHV "/x", 404, NULL);
  struct resp r = fx_get("/hsds/");
  assert_int_equal(r.status, 200);
  resp_free(&r);
  r = fx_get("/api/nothing"); /* the API answers: with CORS */
  assert_int_equal(r.status, 404);
  assert_non_null(fx_header(&r, "Access-Control-Allow-Origin"));
  resp_free(&r);
  r = fx_get("/apix"); /* not the API: the site answers (and has no such file), no CORS */
  assert_int_equal(r.status, 404);
  assert_null(fx_header(&r, "Access-Control-Allow-Origin"));
  resp_free(&r);
}

static void test_methods_bodies_and_sizes(void **state) {
  (void)state;
  struct resp r = fx_req("DELETE", "/api/v1/services/" SVC_SHV, NULL);
  assert_int_equal(r.status, 405);
  assert_string_equal(fx_header(&r, "Allow"), "GET, HEAD, OPTIONS");
  assert_security_headers(&r);
  resp_free(&r);
  r = fx_req("POST", "/api/v1/search", "Content-Type: application/json\r\nContent-Length: 2\r\n");
  assert_int_equal(r.status, 405);
  resp_free(&r);
  /* A body over the cap: 413 before it is read. */
  r = fx_req("POST", "/api/v1/search", "Content-Length: 10000000\r\n");
  assert_int_equal(r.status, 413);
  assert_security_headers(&r);
  resp_free(&r);
  /* Chunked, sent in full: counted while it arrives. */
  size_t big = 64 * 1024;
  char *req = malloc(big + 512);
  int n = snprintf(req, 512,
                   "GET /api/v1/taxonomy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n%zx\r\n",
                   big);
  memset(req + n, 'a', big);
  memcpy(req + n + big, "\r\n0\r\n\r\n", 7);
  r = fx_raw(req, (size_t)n + big + 7);
  assert_int_equal(r.status, 413);
  resp_free(&r);
  free(req);
  /* HEAD: headers only. */
  r = fx_req("HEAD", "/api/v1/taxonomy", NULL);
  assert_int_equal(r.status, 200);
  assert_int_equal(r.body_len, 0);
  resp_free(&r);
  /* A long address: 414. */
  char url[3000] = "/api/v1/activities?need=geld&x=";
  memset(url + strlen(url), 'b', 2500);
  r = fx_get(url);
  assert_int_equal(r.status, 414);
  resp_free(&r);
  /* Huge headers: MHD refuses them itself, and the server lives on. */
  char *hdr = malloc(70000);
  strcpy(hdr, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
  size_t hl = strlen(hdr);
  memset(hdr + hl, 'h', 60000);
  strcpy(hdr + hl + 60000, "\r\n\r\n");
  r = fx_raw(hdr, strlen(hdr));
  assert_true(r.status >= 400 || r.status == -1);
  resp_free(&r);
  free(hdr);
  r = fx_get("/healthz");
  assert_int_equal(r.status, 200);
  resp_free(&r);
}

/* The response cache keeps answers deflated: a hit must give back exactly
 * the answer a miss built, with the same ETag. */
static void test_search_cache_hit_is_identical(void **state) {
  (void)state;
  const char *url = "/api/v1/search?q=schuldhulp&facets=true&per_page=5";
  /* Other tests add rows while the server runs, so the snapshot (and with
   * it the scores) may move on between two requests: look for two answers
   * of the same snapshot (same ETag) and compare those byte for byte. */
  struct resp prev = fx_get(url);
  assert_int_equal(prev.status, 200);
  int compared = 0;
  for (int i = 0; i < 6 && !compared; i++) {
    struct resp cur = fx_get(url);
    assert_int_equal(cur.status, 200);
    if (strcmp(fx_header(&prev, "ETag"), fx_header(&cur, "ETag")) == 0) {
      assert_int_equal(prev.body_len, cur.body_len);
      assert_memory_equal(prev.body, cur.body, prev.body_len);
      compared = 1;
    }
    resp_free(&prev);
    prev = cur;
  }
  resp_free(&prev);
  assert_true(compared);
  struct resp m = fx_get("/metrics");
  const char *hit = strstr(m.body, "sk_search_cache_requests_total{outcome=\"hit\"} ");
  assert_non_null(hit);
  assert_true(atol(hit + strlen("sk_search_cache_requests_total{outcome=\"hit\"} ")) >= 1);
  resp_free(&m);
}

static void test_etag_304_cache_and_cors(void **state) {
  (void)state;
  const char *paths[] = {"/api/v1/services/" SVC_SHV, "/api/v1/taxonomy", "/hsds/services",
                         "/index.html", "/app.js"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    struct resp r = fx_get(paths[i]);
    assert_int_equal(r.status, 200);
    assert_non_null(fx_header(&r, "Cache-Control"));
    const char *et = fx_header(&r, "ETag");
    assert_non_null(et);
    char etag[128], hdr[200];
    snprintf(etag, sizeof etag, "%s", et);
    snprintf(hdr, sizeof hdr, "If-None-Match: W/\"zzz\", %s\r\n", etag);
    struct resp c = fx_req("GET", paths[i], hdr);
    if (c.status != 304)
      fail_msg("%s with If-None-Match: %d", paths[i], c.status);
    assert_int_equal(c.body_len, 0);
    assert_string_equal(fx_header(&c, "ETag"), etag);
    assert_security_headers(&c);
    resp_free(&c);
    resp_free(&r);
  }
  struct resp r = fx_get("/api/v1/taxonomy");
  assert_string_equal(fx_header(&r, "Access-Control-Allow-Origin"), "*");
  resp_free(&r);
  r = fx_req("OPTIONS", "/api/v1/search",
             "Origin: https://elders.example.org\r\n"
             "Access-Control-Request-Method: GET\r\n");
  assert_int_equal(r.status, 204);
  assert_string_equal(fx_header(&r, "Access-Control-Allow-Origin"), "*");
  assert_non_null(strstr(fx_header(&r, "Allow"), "GET"));
  resp_free(&r);
  r = fx_get("/index.html"); /* the site is not cross-origin */
  assert_null(fx_header(&r, "Access-Control-Allow-Origin"));
  resp_free(&r);
}

static void test_static_files(void **state) {
  (void)state;
  struct {
    const char *path;
    int status;
    const char *ctype;
  } cases[] = {
      {"/", 200, "text/html; charset=utf-8"},
      {"/index.html", 200, "text/html; charset=utf-8"},
      {"/app.js", 200, "text/javascript; charset=utf-8"},
      {"/style.css", 200, "text/css; charset=utf-8"},
      {"/inside.js", 200, "text/javascript; charset=utf-8"}, /* symlink inside: fine */
      {"/sub/page.html", 200, "text/html; charset=utf-8"},
      {"/app.js?v=3", 200, "text/javascript; charset=utf-8"},
      {"/escape.txt", 404, NULL}, /* symlink out of the folder */
      {"/sub", 404, NULL},        /* a directory */
      {"/sub/", 404, NULL},       /* a directory without index.html */
      {"/.secret", 404, NULL},
      {"/../outside.txt", 404, NULL},
      {"/sub/../../outside.txt", 404, NULL},
      {"/%2e%2e/outside.txt", 404, NULL},
      {"/%2E%2E%2Foutside.txt", 404, NULL},
      {"/sub/%2e%2e/%2e%2e/outside.txt", 404, NULL},
      {"/..%2foutside.txt", 404, NULL},
      {"/missing.html", 404, NULL},
      {"/index.html%00.png", 400, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct resp r = fx_get(cases[i].path);
    if (r.status != cases[i].status)
      fail_msg("GET %s: %d, want %d", cases[i].path, r.status, cases[i].status);
    assert_null(strstr(r.body, "SECRET-OUTSIDE"));
    if (cases[i].ctype)
      assert_string_equal(fx_header(&r, "Content-Type"), cases[i].ctype);
    assert_security_headers(&r);
    resp_free(&r);
  }
  struct resp r = fx_get("/index.html");
  assert_string_equal(fx_header(&r, "Cache-Control"), "no-cache");
  assert_string_equal(r.body, "<!doctype html><title>SK</title>");
  resp_free(&r);
  r = fx_req("POST", "/index.html", "Content-Length: 0\r\n");
  assert_int_equal(r.status, 405);
  resp_free(&r);
}

/* ---- OpenAPI conformance -------------------------------------------------- */

static json_t *g_openapi;

static json_t *resolve(json_t *schema) {
  const char *ref = json_string_value(json_object_get(schema, "$ref"));
  if (!ref)
    return schema;
  assert_true(strncmp(ref, "#/components/schemas/", 21) == 0);
  json_t *s = json_object_get(json_object_get(json_object_get(g_openapi, "components"), "schemas"),
                              ref + 21);
  if (!s)
    fail_msg("unresolved $ref %s", ref);
  return resolve(s);
}

static int type_ok(const char *t, json_t *v) {
  if (strcmp(t, "null") == 0)
    return json_is_null(v);
  if (strcmp(t, "string") == 0)
    return json_is_string(v);
  if (strcmp(t, "integer") == 0)
    return json_is_integer(v);
  if (strcmp(t, "number") == 0)
    return json_is_number(v);
  if (strcmp(t, "boolean") == 0)
    return json_is_boolean(v);
  if (strcmp(t, "array") == 0)
    return json_is_array(v);
  if (strcmp(t, "object") == 0)
    return json_is_object(v);
  return 0;
}

/* 1 when v matches schema; why says where it did not. Every property in
 * the schema must be present unless it is left out of "required" ... and
 * every property of v must be documented. */
static int conforms(json_t *schema, json_t *v, const char *where, char *why, size_t whylen) {
  schema = resolve(schema);
  json_t *any = json_object_get(schema, "anyOf");
  if (any) {
    size_t i;
    json_t *alt;
    json_array_foreach(any, i, alt) if (conforms(alt, v, where, why, whylen)) return 1;
    snprintf(why + strlen(why), whylen - strlen(why), "%s: matches no alternative; ", where);
    return 0;
  }
  json_t *type = json_object_get(schema, "type");
  if (type) {
    int ok = 0;
    if (json_is_string(type)) {
      ok = type_ok(json_string_value(type), v);
    } else {
      size_t i;
      json_t *t;
      json_array_foreach(type, i, t) ok |= type_ok(json_string_value(t), v);
    }
    if (!ok) {
      snprintf(why, whylen, "%s: wrong type", where);
      return 0;
    }
  }
  if (json_is_object(v) && json_object_get(schema, "properties")) {
    json_t *props = json_object_get(schema, "properties");
    const char *k;
    json_t *pv;
    json_object_foreach(v, k, pv) {
      char w[512];
      snprintf(w, sizeof w, "%s.%s", where, k);
      json_t *ps = json_object_get(props, k);
      if (!ps) {
        snprintf(why, whylen, "%s: returned but not documented", w);
        return 0;
      }
      if (!conforms(ps, pv, w, why, whylen))
        return 0;
    }
    size_t i;
    json_t *req;
    json_array_foreach(json_object_get(schema, "required"), i, req) {
      if (!json_object_get(v, json_string_value(req))) {
        snprintf(why, whylen, "%s.%s: documented as required but missing", where,
                 json_string_value(req));
        return 0;
      }
    }
    /* Documented fields must all be required (we always send them),
     * except those the schema marks optional with x-optional. */
    json_object_foreach(props, k, pv) {
      int listed = 0;
      json_array_foreach(json_object_get(schema, "required"), i, req)
          listed |= strcmp(json_string_value(req), k) == 0;
      if (!listed && !json_is_true(json_object_get(pv, "x-optional"))) {
        snprintf(why, whylen, "%s.%s: documented but not in required", where, k);
        return 0;
      }
    }
  }
  if (json_is_array(v) && json_object_get(schema, "items")) {
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
      char w[512];
      snprintf(w, sizeof w, "%s[%zu]", where, i);
      if (!conforms(json_object_get(schema, "items"), item, w, why, whylen))
        return 0;
    }
  }
  return 1;
}

static json_t *response_schema(const char *path, const char *status, const char *ctype) {
  json_t *op = json_object_get(json_object_get(json_object_get(g_openapi, "paths"), path), "get");
  if (!op)
    fail_msg("OpenAPI has no GET %s", path);
  json_t *resp = json_object_get(json_object_get(op, "responses"), status);
  if (!resp)
    fail_msg("OpenAPI GET %s has no response %s", path, status);
  if (json_object_get(resp, "$ref")) {
    const char *ref = json_string_value(json_object_get(resp, "$ref"));
    resp = json_object_get(json_object_get(json_object_get(g_openapi, "components"), "responses"),
                           ref + strlen("#/components/responses/"));
  }
  json_t *s = json_object_get(json_object_get(json_object_get(resp, "content"), ctype), "schema");
  if (!s)
    fail_msg("OpenAPI GET %s %s has no %s schema", path, status, ctype);
  return s;
}

static void check_against_openapi(const char *doc_path, const char *url, int status) {
  struct resp r = fx_get(url);
  if (r.status != status)
    fail_msg("GET %s: %d, want %d: %.300s", url, r.status, status, r.body);
  char code[8];
  snprintf(code, sizeof code, "%d", status);
  const char *ctype = status < 400 ? "application/json" : "application/problem+json";
  json_t *v = fx_json(&r);
  char why[1024] = "";
  if (!conforms(response_schema(doc_path, code, ctype), v, "$", why, sizeof why))
    fail_msg("GET %s does not match the OpenAPI document: %s", url, why);
  json_decref(v);
  resp_free(&r);
}

/* The crisis block through the API: decided on q as typed, the right line
 * first, 112 always, no number twice (docs/crisis.md). */
static void test_search_crisis_block(void **state) {
  (void)state;
  static const struct {
    const char *url, *kind, *first;
  } cases[] = {
      {"/api/v1/search?q=ik%20wil%20dood", "suicide", "0800-0113"},
      {"/api/v1/search?q=mijn+man+slaat+mij", "violence", "0800-2000"},
      {"/api/v1/search?q=hij+heeft+een+mes+en+dreigt", "danger", "112"},
      {"/api/v1/search?need=veiligheid.huiselijkgeweld", "violence", "0800-2000"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    struct resp r = fx_get(cases[c].url);
    assert_int_equal(r.status, 200);
    json_t *j = fx_json(&r);
    assert_true(json_is_true(json_object_get(j, "crisis")));
    assert_string_equal(json_string_value(json_object_get(j, "crisis_kind")), cases[c].kind);
    json_t *lines = json_object_get(j, "crisis_lines");
    int has112 = 0;
    for (size_t i = 0; i < json_array_size(lines); i++) {
      const char *num = json_string_value(json_object_get(
          json_array_get(json_object_get(json_array_get(lines, i), "phones"), 0), "number"));
      assert_non_null(num);
      if (i == 0)
        assert_string_equal(num, cases[c].first);
      has112 |= strcmp(num, "112") == 0;
      for (size_t k = 0; k < i; k++)
        assert_string_not_equal(
            num,
            json_string_value(json_object_get(
                json_array_get(json_object_get(json_array_get(lines, k), "phones"), 0), "number")));
    }
    assert_true(has112);
    json_decref(j);
    resp_free(&r);
  }
  struct resp r = fx_get("/api/v1/search?q=geweldig");
  json_t *j = fx_json(&r);
  assert_true(json_is_false(json_object_get(j, "crisis")));
  assert_true(json_is_null(json_object_get(j, "crisis_kind")));
  assert_int_equal(json_array_size(json_object_get(j, "crisis_lines")), 0);
  json_decref(j);
  resp_free(&r);
}

static void test_openapi_matches_responses(void **state) {
  (void)state;
  struct resp r = fx_get("/api/v1/openapi.json");
  assert_int_equal(r.status, 200);
  g_openapi = fx_json(&r);
  resp_free(&r);
  assert_string_equal(json_string_value(json_object_get(g_openapi, "openapi")), "3.1.0");
  /* The embedded document is the one in the source tree. */
  json_error_t e;
  json_t *file = json_load_file(th_source_path("web/openapi.json"), 0, &e);
  if (!file)
    fail_msg("web/openapi.json: %s", e.text);
  if (!json_equal(file, g_openapi))
    fail_msg("web/openapi.json differs from the served document: run web/gen_openapi.sh");
  json_decref(file);

  check_against_openapi("/services/{id}", "/api/v1/services/" SVC_SHV, 200);
  check_against_openapi("/services/{id}", "/api/v1/services/" SVC_ACT, 200);
  check_against_openapi("/services/{id}", "/api/v1/services/" SVC_DAG, 200);
  check_against_openapi("/services/{id}", "/api/v1/services/99999999-9999-4999-8999-999999999999",
                        404);
  check_against_openapi("/organizations/{id}", "/api/v1/organizations/" ORG_VERSA, 200);
  check_against_openapi("/organizations/{id}", "/api/v1/organizations/" ORG_BIB, 200);
  check_against_openapi("/activities", "/api/v1/activities?municipality=laren&per_page=1", 200);
  check_against_openapi("/activities", "/api/v1/activities?from=nu", 400);
  check_against_openapi("/activities.ics", "/api/v1/activities.ics?from=nu", 400);
  assert_string_equal(json_string_value(json_object_get(
                          response_schema("/activities.ics", "200", "text/calendar"), "type")),
                      "string");
  check_against_openapi("/taxonomy", "/api/v1/taxonomy", 200);
  check_against_openapi("/feeds", "/api/v1/feeds", 200);
  check_against_openapi("/search", "/api/v1/search?q=schulden", 200);
  check_against_openapi("/search", "/api/v1/search?q=taal&municipality=laren&per_page=1", 200);
  check_against_openapi("/search", "/api/v1/search", 200);
  check_against_openapi("/search", "/api/v1/search?age=500", 400);
  check_against_openapi("/search", "/api/v1/search?q=ik+wil+dood", 200);
  check_against_openapi("/search", "/api/v1/search?q=hij+staat+met+een+mes+voor+de+deur", 200);
  check_against_openapi("/suggest", "/api/v1/suggest?q=schu", 200);
  json_decref(g_openapi);
  g_openapi = NULL;
}

static void test_metrics_and_access_log(void **state) {
  (void)state;
  struct resp r = fx_get("/api/v1/services/" SVC_SHV);
  resp_free(&r);
  r = fx_get("/metrics");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(fx_header(&r, "Content-Type"), "text/plain"));
  assert_non_null(strstr(r.body, "sk_http_requests_total{route=\"service\",status=\"200\"}"));
  assert_non_null(
      strstr(r.body, "sk_http_request_duration_seconds_bucket{route=\"service\",le=\"+Inf\"}"));
  assert_non_null(strstr(r.body, "sk_index_age_seconds "));
  assert_non_null(strstr(r.body, "sk_feed_up{feed=\"bieb\"} 0"));
  assert_non_null(strstr(r.body, "sk_feed_up{feed=\"versa\"} 1"));
  resp_free(&r);
  /* The log line is written when MHD is done with the request. */
  struct timespec ts = {0, 100 * 1000 * 1000};
  nanosleep(&ts, NULL);
  FILE *f = fopen(th_path("access.log"), "r");
  assert_non_null(f);
  char line[1024];
  int seen = 0;
  while (fgets(line, sizeof line, f))
    if (strstr(line, "GET /api/v1/services/" SVC_SHV " 200 ") && strstr(line, "ms"))
      seen = 1;
  fclose(f);
  assert_true(seen);
}

/* RFC 9112 3.2: an HTTP/1.1 request without Host, or with two, is a 400;
 * HTTP/1.0 may leave it out. */
static void test_host_header_required(void **state) {
  (void)state;
  const char *none = "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n";
  struct resp r = fx_raw(none, strlen(none));
  assert_int_equal(r.status, 400);
  assert_security_headers(&r);
  resp_free(&r);
  const char *two = "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n";
  r = fx_raw(two, strlen(two));
  assert_int_equal(r.status, 400);
  resp_free(&r);
  const char *old = "GET /healthz HTTP/1.0\r\n\r\n";
  r = fx_raw(old, strlen(old));
  assert_int_equal(r.status, 200);
  resp_free(&r);
}

/* The metrics line for a route and status, or 0. */
static long long metric(const char *route, const char *status) {
  struct resp r = fx_get("/metrics");
  char want[200];
  snprintf(want, sizeof want, "sk_http_requests_total{route=\"%s\",status=\"%s\"} ", route, status);
  const char *p = strstr(r.body, want);
  long long v = p ? atoll(p + strlen(want)) : 0;
  resp_free(&r);
  return v;
}

/* Aborted, malformed and oversized uploads to the partner API: never
 * counted or logged as a server error (the server did nothing wrong). */
static void test_abused_bodies_are_never_5xx(void **state) {
  (void)state;
  long long before = metric("partner", "500");
  const char *head = "POST /api/v1/partner/services HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: application/json\r\n";
  char req[70000];
  /* 1. aborted: promises 5000 bytes, sends 100, hangs up. */
  int fd = fx_connect();
  int n = snprintf(req, sizeof req, "%sContent-Length: 5000\r\n\r\n", head);
  memset(req + n, '{', 100);
  assert_true(send(fd, req, (size_t)n + 100, MSG_NOSIGNAL) > 0);
  close(fd);
  /* 2. a broken chunk size */
  n = snprintf(req, sizeof req,
               "%sTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
               head);
  struct resp r = fx_raw(req, (size_t)n);
  assert_true(r.status == 400 || r.status == -1);
  resp_free(&r);
  /* 3. chunked, far over the limit, then cut off */
  fd = fx_connect();
  n = snprintf(req, sizeof req, "%sTransfer-Encoding: chunked\r\n\r\n", head);
  assert_true(send(fd, req, (size_t)n, MSG_NOSIGNAL) > 0);
  char chunk[65536 + 16];
  int cl = snprintf(chunk, sizeof chunk, "%x\r\n", 65536);
  memset(chunk + cl, 'a', 65536);
  for (int i = 0; i < 6; i++)
    if (send(fd, chunk, (size_t)cl + 65536, MSG_NOSIGNAL) <= 0)
      break;
  close(fd);
  /* 4. garbage JSON, empty body, a NUL */
  const char *bodies[] = {"", "{", "{\"a\":{}}", "\x01\x02", "[1,2,3]", "null"};
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
    size_t bl = strlen(bodies[i]);
    n = snprintf(req, sizeof req, "%sConnection: close\r\nContent-Length: %zu\r\n\r\n%s", head, bl,
                 bodies[i]);
    r = fx_raw(req, (size_t)n);
    assert_true(r.status >= 400 && r.status < 500);
    resp_free(&r);
  }
  /* The log lines are written when MHD lets go of each request: wait
   * (bounded; the idle timeout here is 2 s) until all nine are there. */
  int lines = 0;
  for (int tries = 0; tries < 600 && lines < 9; tries++) { /* <= 60 s: ends when seen */
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    lines = 0;
    FILE *g = fopen(th_path("access.log"), "r");
    char l[1024];
    while (g && fgets(l, sizeof l, g))
      lines += strstr(l, "POST /api/v1/partner/services ") != NULL;
    if (g)
      fclose(g);
  }
  assert_int_equal(lines, 9);
  FILE *f = fopen(th_path("access.log"), "r");
  char line[1024];
  while (f && fgets(line, sizeof line, f))
    if (strstr(line, "POST /api/v1/partner/services 5"))
      fail_msg("a server error in the log: %s", line);
  if (f)
    fclose(f);
  assert_int_equal(metric("partner", "500"), before);
}

static void test_slow_client_is_cut_off(void **state) {
  (void)state;
  int fd = fx_connect();
  const char *part = "GET /healthz HTTP/1.1\r\nHost: x\r\n"; /* never finished */
  assert_true(send(fd, part, strlen(part), MSG_NOSIGNAL) > 0);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  size_t n;
  char *got = fx_read_all(fd, &n, 8000);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  free(got);
  close(fd);
  /* The server closed the connection well before our own 8 s bound. */
  assert_true(t1.tv_sec - t0.tv_sec < 6);
}

/* ---- /api/v1/activities.ics ------------------------------------------------ */

/* The body with folds undone (RFC 5545 3.1); caller frees. */
static char *ics_unfold(const char *body) {
  size_t n = strlen(body);
  char *out = malloc(n + 1), *o = out;
  for (size_t i = 0; i < n; i++) {
    if (body[i] == '\r' && body[i + 1] == '\n' && (body[i + 2] == ' ' || body[i + 2] == '\t')) {
      i += 2;
      continue;
    }
    *o++ = body[i];
  }
  *o = '\0';
  return out;
}

/* The VEVENT (unfolded) whose UID line is uid, copied into a malloc'd
 * string, or NULL. */
static char *ics_event(const char *unfolded, const char *uid) {
  char want[200];
  snprintf(want, sizeof want, "\r\nUID:%s\r\n", uid);
  const char *u = strstr(unfolded, want);
  if (!u)
    return NULL;
  const char *b = u;
  while (b > unfolded && strncmp(b, "BEGIN:VEVENT", 12) != 0)
    b--;
  const char *e = strstr(u, "END:VEVENT\r\n");
  assert_non_null(e);
  return strndup(b, (size_t)(e - b) + 12);
}

/* "2026-11-25T14:00:00+00:00" (the fixture's form) as an iCalendar UTC stamp. */
static void utc_stamp(const char *iso, char out[20]) {
  int y, mo, d, h, mi, se;
  assert_int_equal(sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d+00:00", &y, &mo, &d, &h, &mi, &se), 6);
  char tmp[64];
  snprintf(tmp, sizeof tmp, "%04d%02d%02dT%02d%02d%02dZ", y, mo, d, h, mi, se);
  snprintf(out, 20, "%.16s", tmp);
}

static struct resp ics_get(const char *target) {
  struct resp r = fx_get(target);
  if (r.status != 200)
    fail_msg("GET %s: %d: %.300s", target, r.status, r.body);
  return r;
}

static void test_ics_format(void **state) {
  (void)state;
  struct resp r = ics_get("/api/v1/activities.ics");
  assert_string_equal(fx_header(&r, "Content-Type"), "text/calendar; charset=utf-8");
  assert_string_equal(fx_header(&r, "Cache-Control"), "public, max-age=60");
  assert_string_equal(fx_header(&r, "Access-Control-Allow-Origin"), "*");
  assert_security_headers(&r);
  assert_true(strncmp(r.body, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:", 37) == 0);
  assert_true(r.body_len > 15 && strcmp(r.body + r.body_len - 15, "END:VCALENDAR\r\n") == 0);
  assert_non_null(strstr(r.body, "\r\nCALSCALE:GREGORIAN\r\n"));
  assert_non_null(strstr(r.body, "\r\nX-WR-CALNAME:Sociale Kaart \xe2\x80\x93 Activiteiten\r\n"));
  /* Every line ends in CRLF, is at most 75 octets and is valid UTF-8 on
   * its own: a fold never splits a character. */
  size_t lines = 0, folded = 0;
  for (const char *p = r.body; *p;) {
    const char *eol = strstr(p, "\r\n");
    assert_non_null(eol);
    size_t len = (size_t)(eol - p);
    if (len > 75)
      fail_msg("line of %zu octets: %.*s", len, (int)len, p);
    if (!sk_utf8_valid(p, len))
      fail_msg("line is not valid UTF-8 on its own: %.*s", (int)len, p);
    assert_null(memchr(p, '\n', len));
    assert_null(memchr(p, '\r', len));
    folded += *p == ' ';
    lines++;
    p = eol + 2;
  }
  assert_true(lines > 20);
  assert_true(folded > 0);
  char *u = ics_unfold(r.body);
  /* Five occurrences in the default window: three of the taalcafé, two of
   * the walk. */
  size_t events = 0;
  for (const char *p = u; (p = strstr(p, "BEGIN:VEVENT\r\n")); p++)
    events++;
  assert_int_equal(events, 5);

  /* A known occurrence, with everything a calendar app needs. */
  json_t *l = fx_get_json("/api/v1/activities?municipality=laren", 200);
  json_t *items = json_object_get(l, "items");
  assert_int_equal(json_array_size(items), 3);
  char stamp[20], uid[120];
  utc_stamp(json_string_value(json_object_get(json_array_get(items, 0), "starts_at")), stamp);
  snprintf(uid, sizeof uid, "%s-%s@sociale-kaart", SVC_ACT, stamp);
  char *ev = ics_event(u, uid);
  if (!ev)
    fail_msg("no event %s in %s", uid, u);
  char want[200];
  snprintf(want, sizeof want, "\r\nDTSTART:%s\r\n", stamp);
  assert_non_null(strstr(ev, want));
  assert_non_null(strstr(ev, "\r\nDTEND:"));
  assert_non_null(strstr(ev, "\r\nDTSTAMP:20260101T000000Z\r\n"));
  assert_non_null(strstr(ev, "\r\nSUMMARY:Taalcaf\xc3\xa9 Laren\r\n"));
  assert_non_null(
      strstr(ev, "\r\nDESCRIPTION:Samen Nederlands oefenen.\\n\\nOrganisatie: Bibliotheek Gooi\\n"
                 "Meer informatie: http://127.0.0.1/aanbod.html?id=" SVC_ACT "\r\n"));
  assert_non_null(strstr(ev, "\r\nLOCATION:Bibliotheek Laren\r\n"));
  assert_non_null(strstr(ev, "\r\nURL:http://127.0.0.1/aanbod.html?id=" SVC_ACT "\r\n"));
  assert_non_null(strstr(ev, "\r\nSTATUS:CONFIRMED\r\n"));
  free(ev);

  /* The second one is cancelled: the status, and the title says it too. */
  utc_stamp(json_string_value(json_object_get(json_array_get(items, 1), "starts_at")), stamp);
  assert_true(json_is_true(json_object_get(json_array_get(items, 1), "cancelled")));
  snprintf(uid, sizeof uid, "%s-%s@sociale-kaart", SVC_ACT, stamp);
  ev = ics_event(u, uid);
  assert_non_null(ev);
  assert_non_null(strstr(ev, "\r\nSTATUS:CANCELLED\r\n"));
  assert_non_null(strstr(ev, "\r\nSUMMARY:Gaat niet door: Taalcaf\xc3\xa9 Laren\r\n"));
  free(ev);
  json_decref(l);

  /* Escaping: ; , \ and a line break; markup stays text. */
  snprintf(want, sizeof want, "%s-", SVC_ICS);
  char *walk = ics_event(u, "x");
  assert_null(walk);
  char tuid[120], t0[20];
  {
    time_t tt = (time_t)g_ics_timed;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(t0, sizeof t0, "%Y%m%dT%H%M%SZ", &tm);
  }
  snprintf(tuid, sizeof tuid, "%s-%s@sociale-kaart", SVC_ICS, t0);
  walk = ics_event(u, tuid);
  if (!walk)
    fail_msg("no event %s", tuid);
  assert_non_null(strstr(walk, "\r\nDESCRIPTION:" ICS_DESC_ESCAPED "\\n\\nOrganisatie: "));
  assert_non_null(strstr(walk, "\r\nLOCATION:Dorpshuis Eemnes\\, Kerkstraat 1\r\n"));
  /* The long name comes back whole once unfolded. */
  assert_non_null(strstr(walk, "\r\nSUMMARY:" ICS_NAME "\r\n"));
  assert_non_null(strstr(walk, "\r\nDTSTAMP:20260203T040506Z\r\n"));
  free(walk);
  /* The all-day occurrence is a date; DTEND is the day after. */
  char day[9];
  snprintf(day, sizeof day, "%.4s%.2s%.2s", g_ics_day, g_ics_day + 5, g_ics_day + 8);
  snprintf(tuid, sizeof tuid, "%s-%s@sociale-kaart", SVC_ICS, day);
  walk = ics_event(u, tuid);
  if (!walk)
    fail_msg("no all-day event %s", tuid);
  snprintf(want, sizeof want, "\r\nDTSTART;VALUE=DATE:%s\r\nDTEND;VALUE=DATE:", day);
  assert_non_null(strstr(walk, want));
  free(walk);
  free(u);

  /* Same bytes for the same data: ETag and 304 as on the JSON answers. */
  char etag[128], hdr[200];
  snprintf(etag, sizeof etag, "%s", fx_header(&r, "ETag"));
  struct resp again = ics_get("/api/v1/activities.ics");
  assert_int_equal(again.body_len, r.body_len);
  assert_memory_equal(again.body, r.body, r.body_len);
  resp_free(&again);
  snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", etag);
  struct resp c = fx_req("GET", "/api/v1/activities.ics", hdr);
  assert_int_equal(c.status, 304);
  assert_int_equal(c.body_len, 0);
  resp_free(&c);
  resp_free(&r);
}

static void test_ics_filters_and_errors(void **state) {
  (void)state;
  struct resp r = ics_get("/api/v1/activities.ics?municipality=laren&need=taal");
  assert_non_null(strstr(r.body, "UID:" SVC_ACT "-"));
  assert_null(strstr(r.body, SVC_ICS));
  char *u = ics_unfold(r.body);
  assert_non_null(
      strstr(u, "\r\nX-WR-CALNAME:Sociale Kaart \xe2\x80\x93 Activiteiten in Laren \xe2\x80\x93 "));
  free(u);
  resp_free(&r);
  r = ics_get("/api/v1/activities.ics?municipality=eemnes");
  assert_null(strstr(r.body, "UID:" SVC_ACT "-"));
  assert_non_null(strstr(r.body, "UID:" SVC_ICS "-"));
  resp_free(&r);
  /* An empty selection is still a calendar. */
  r = ics_get("/api/v1/activities.ics?from=2020-01-01&to=2020-02-01");
  assert_null(strstr(r.body, "BEGIN:VEVENT"));
  assert_non_null(strstr(r.body, "END:VCALENDAR\r\n"));
  resp_free(&r);
  /* The address in URL is the configured public URL, whatever Host says
   * (the calendar is cached publicly). */
  const char *req = "GET /api/v1/activities.ics?municipality=laren HTTP/1.1\r\n"
                    "Host: agenda.example.org:8443\r\nX-Forwarded-Proto: https\r\n"
                    "Connection: close\r\n\r\n";
  r = fx_raw(req, strlen(req));
  assert_int_equal(r.status, 200);
  u = ics_unfold(r.body);
  assert_non_null(strstr(u, "\r\nURL:http://127.0.0.1/aanbod.html?id=" SVC_ACT "\r\n"));
  assert_null(strstr(u, "agenda.example.org"));
  free(u);
  resp_free(&r);

  assert_problem("/api/v1/activities.ics?municipality=atlantis", 400, "municipality");
  assert_problem("/api/v1/activities.ics?need=vliegen", 400, "need");
  assert_problem("/api/v1/activities.ics?target_group=marsmannetjes", 400, "target_group");
  assert_problem("/api/v1/activities.ics?from=gisteren", 400, "from");
  assert_problem("/api/v1/activities.ics?from=2026-11-22&to=2026-11-01", 400, "to");
  assert_problem("/api/v1/activities.ics?from=2026-01-01&to=2027-06-01", 400, "to");
  assert_problem("/api/v1/activities.ics?page=2", 400, "page");
  r = fx_req("POST", "/api/v1/activities.ics", "Content-Length: 0\r\n");
  assert_int_equal(r.status, 405);
  resp_free(&r);
}

/* libical reads our calendar back to the same occurrences as the JSON list. */
static void test_ics_round_trip_with_libical(void **state) {
  (void)state;
  long long now = (long long)time(NULL);
  char from[11], to[11], url[200];
  time_t a = (time_t)(now - 86400), b = (time_t)(now + 60 * 86400LL);
  struct tm tm;
  strftime(from, sizeof from, "%Y-%m-%d", gmtime_r(&a, &tm));
  strftime(to, sizeof to, "%Y-%m-%d", gmtime_r(&b, &tm));
  snprintf(url, sizeof url, "/api/v1/activities?from=%s&to=%s&per_page=200", from, to);
  json_t *l = fx_get_json(url, 200);
  json_t *items = json_object_get(l, "items");
  assert_int_equal(json_array_size(items), 5);
  snprintf(url, sizeof url, "/api/v1/activities.ics?from=%s&to=%s", from, to);
  struct resp r = ics_get(url);

  struct ix_ical_opts o;
  ix_ical_opts_default(&o, now);
  o.window_start = now - 30 * 86400LL;
  o.window_end = now + 400 * 86400LL;
  struct ix_batch batch;
  ix_batch_init(&batch, 16u << 20);
  char err[256] = "";
  if (ix_ical_parse(r.body, r.body_len, &o, &batch, err, sizeof err) != SK_OK)
    fail_msg("libical cannot read our calendar: %s", err);
  assert_int_equal(batch.rejections.n, 0);
  /* Each occurrence is its own event (its own UID). */
  assert_int_equal(batch.services.n, json_array_size(items));
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    const char *starts = json_string_value(json_object_get(it, "starts_at"));
    const char *name = json_string_value(json_object_get(json_object_get(it, "activity"), "name"));
    int all_day = json_is_true(json_object_get(it, "all_day"));
    int cancelled = json_is_true(json_object_get(it, "cancelled"));
    int found = 0;
    for (size_t k = 0; k < batch.services.n && !found; k++) {
      const struct ix_service *sv = &batch.services.v[k];
      if (sv->occurrences.n != 1)
        fail_msg("event %s has %zu occurrences", sv->key, sv->occurrences.n);
      const struct ix_occurrence *oc = &sv->occurrences.v[0];
      if (oc->all_day != all_day || oc->cancelled != cancelled)
        continue;
      if (all_day) {
        if (strcmp(oc->starts_at, starts) != 0 || strcmp(oc->ends_at, starts) != 0)
          continue;
      } else {
        char s1[20], s2[20];
        utc_stamp(starts, s1);
        time_t tt = (time_t)oc->start_utc;
        strftime(s2, sizeof s2, "%Y%m%dT%H%M%SZ", gmtime_r(&tt, &tm));
        if (strcmp(s1, s2) != 0)
          continue;
      }
      const char *got = sv->name;
      if (cancelled && strncmp(got, "Gaat niet door: ", 16) == 0)
        got += 16;
      if (strcmp(got, name) != 0)
        continue;
      found = 1;
      if (strcmp(name, ICS_NAME) == 0) {
        /* The escaped text reads back as it was. */
        assert_non_null(sv->description);
        assert_true(strncmp(sv->description, ICS_DESC, strlen(ICS_DESC) - 15) == 0);
        assert_non_null(strstr(sv->description, "\\ of twee."));
        assert_string_equal(sv->location_text, "Dorpshuis Eemnes, Kerkstraat 1");
        assert_string_equal(sv->url, "http://127.0.0.1/aanbod.html?id=" SVC_ICS);
      }
    }
    if (!found)
      fail_msg("occurrence %s of '%s' did not come back from libical", starts, name);
  }
  ix_batch_free(&batch);
  ix_ical_global_cleanup();
  json_decref(l);
  resp_free(&r);
}

/* Runs last: it adds 2100 occurrences. The calendar stops at 2000 events
 * and says so. */
static void test_ics_is_bounded(void **state) {
  (void)state;
  struct sk_store *st = NULL;
  char err[256] = "";
  if (sk_store_open(th_path("web.db"), 0, &st, err, sizeof err) != SK_OK)
    fail_msg("store: %s", err);
  long long t0 = (long long)time(NULL) + 200 * 86400LL;
  char sql[600];
  snprintf(sql, sizeof sql,
           "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 2099)"
           " INSERT INTO occurrence(service_rid, starts_at, start_utc, end_utc, all_day, cancelled)"
           " SELECT 5, '2027-01-01T00:00:00+00:00', %lld + i * 3600, %lld + i * 3600 + 1800, 0, 0"
           " FROM n",
           t0, t0);
  fx_exec(st, sql);
  sk_store_close(st);
  char from[11], to[11], url[200];
  time_t a = (time_t)(t0 - 86400), b = (time_t)(t0 + 120 * 86400LL);
  struct tm tm;
  strftime(from, sizeof from, "%Y-%m-%d", gmtime_r(&a, &tm));
  strftime(to, sizeof to, "%Y-%m-%d", gmtime_r(&b, &tm));
  snprintf(url, sizeof url, "/api/v1/activities.ics?from=%s&to=%s", from, to);
  struct resp r = ics_get(url);
  size_t events = 0;
  for (const char *p = r.body; (p = strstr(p, "BEGIN:VEVENT\r\n")); p++)
    events++;
  assert_int_equal(events, 2000);
  assert_true(r.body_len < (4u << 20));
  assert_true(strcmp(r.body + r.body_len - 15, "END:VCALENDAR\r\n") == 0);
  char *u = ics_unfold(r.body);
  assert_non_null(strstr(u, "Niet alle activiteiten passen in deze agenda"));
  free(u);
  resp_free(&r);
}

static int setup(void **state) {
  (void)state;
  fx_start(2);
  add_ics_activity();
  return 0;
}

static int teardown(void **state) {
  (void)state;
  web_server_stop(g_srv, 2000);
  g_srv = NULL;
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_healthz),
      cmocka_unit_test(test_service_detail),
      cmocka_unit_test(test_activity_detail_and_list),
      cmocka_unit_test(test_organization),
      cmocka_unit_test(test_taxonomy_and_feeds),
      cmocka_unit_test(test_bad_parameters_are_400_naming_them),
      cmocka_unit_test(test_unknown_ids_are_404),
      cmocka_unit_test(test_methods_bodies_and_sizes),
      cmocka_unit_test(test_search_cache_hit_is_identical),
      cmocka_unit_test(test_etag_304_cache_and_cors),
      cmocka_unit_test(test_static_files),
      cmocka_unit_test(test_search_crisis_block),
      cmocka_unit_test(test_openapi_matches_responses),
      cmocka_unit_test(test_metrics_and_access_log),
      cmocka_unit_test(test_slow_client_is_cut_off),
      cmocka_unit_test(test_host_header_required),
      cmocka_unit_test(test_abused_bodies_are_never_5xx),
      cmocka_unit_test(test_ics_format),
      cmocka_unit_test(test_ics_filters_and_errors),
      cmocka_unit_test(test_ics_round_trip_with_libical),
      cmocka_unit_test(test_ics_is_bounded),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
