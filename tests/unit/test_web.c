/* HTTP server: the real server on a free loopback port, spoken to with raw
 * HTTP. Endpoints, errors, limits, caching, CORS, headers, static files,
 * the OpenAPI document against real answers, metrics and the access log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_web_fixture.h"


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
  assert_string_equal(json_string_value(json_object_get(json_object_get(s, "organization"), "name")),
                      "Versa Welzijn");
  assert_string_equal(json_string_value(json_object_get(json_object_get(s, "access"), "code")), "vrij");
  assert_non_null(json_object_get(json_object_get(s, "access"), "explain"));
  assert_string_equal(json_string_value(json_object_get(json_object_get(s, "cost"), "label")), "Gratis");
  assert_int_equal(json_array_size(json_object_get(s, "laws")), 1);
  assert_int_equal(json_array_size(json_object_get(s, "areas")), 2);
  assert_int_equal(json_array_size(json_object_get(s, "hours")), 3);
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(json_object_get(s, "hours"), 0), "day")),
      "maandag");
  json_t *loc = json_array_get(json_object_get(s, "locations"), 0);
  assert_string_equal(json_string_value(json_object_get(loc, "id")), LOC_BIJ);
  assert_string_equal(json_string_value(json_object_get(json_object_get(loc, "municipality"), "label")),
                      "Huizen");
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
                     json_string_value(json_object_get(json_array_get(items, 1), "starts_at"))) < 0);
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
                   "Transfer-Encoding: chunked\r\n\r\n%zx\r\n", big);
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
  r = fx_req("OPTIONS", "/api/v1/search", "Origin: https://elders.example.org\r\n"
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
      {"/escape.txt", 404, NULL},  /* symlink out of the folder */
      {"/sub", 404, NULL},         /* a directory */
      {"/sub/", 404, NULL},        /* a directory without index.html */
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
      json_array_foreach(json_object_get(schema, "required"), i, req) listed |=
          strcmp(json_string_value(req), k) == 0;
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
  check_against_openapi("/services/{id}", "/api/v1/services/99999999-9999-4999-8999-999999999999", 404);
  check_against_openapi("/organizations/{id}", "/api/v1/organizations/" ORG_VERSA, 200);
  check_against_openapi("/organizations/{id}", "/api/v1/organizations/" ORG_BIB, 200);
  check_against_openapi("/activities", "/api/v1/activities?municipality=laren&per_page=1", 200);
  check_against_openapi("/activities", "/api/v1/activities?from=nu", 400);
  check_against_openapi("/taxonomy", "/api/v1/taxonomy", 200);
  check_against_openapi("/feeds", "/api/v1/feeds", 200);
  check_against_openapi("/search", "/api/v1/search?q=schulden", 200);
  check_against_openapi("/search", "/api/v1/search?q=taal&municipality=laren&per_page=1", 200);
  check_against_openapi("/search", "/api/v1/search", 200);
  check_against_openapi("/search", "/api/v1/search?age=500", 400);
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
  assert_non_null(strstr(r.body, "sk_http_request_duration_seconds_bucket{route=\"service\",le=\"+Inf\"}"));
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

static int setup(void **state) {
  (void)state;
  fx_start(2);
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
      cmocka_unit_test(test_etag_304_cache_and_cors),
      cmocka_unit_test(test_static_files),
      cmocka_unit_test(test_openapi_matches_responses),
      cmocka_unit_test(test_metrics_and_access_log),
      cmocka_unit_test(test_slow_client_is_cut_off),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
