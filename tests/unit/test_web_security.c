/* What an attack run on the server found (issue 16), each as the user or
 * operator would notice it: feed reports never quote a feed's values to
 * anonymous readers (the partner sees them in the portal); the access log
 * cannot be forged; requests libmicrohttpd refuses are logged and counted
 * with the status sent; ambiguous Content-Length is a 400; a FIFO in the
 * static folder does not hang a worker; the calendar never takes its links
 * from the request's Host; the login Origin check compares the scheme. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_web_fixture.h"

#include "ix_apply.h"
#include "ix_partner_json.h"
#include "ix_validate.h"
#include "sk_auth.h"

#define PASSWORD "correct horse battery"
/* A restricted number that fails the phone check: the rejection reason
 * quotes it. */
#define SECRET_PHONE "035 999 0001 (alleen voor huisartsen, geheim)"
#define SECRET_PATH "/srv/geheim-pad/feeds/zorg.json"
#define ORG_PORTAL "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"
#define ORG_ZORG1 "dddddddd-dddd-4ddd-8ddd-dddddddddd01"
#define ORG_ZORG2 "dddddddd-dddd-4ddd-8ddd-dddddddddd02"

static char g_fifo[512];

static long long add_account(struct sk_store *st, const char *email, enum sk_role role,
                             const char *org) {
  char err[256] = "";
  struct sk_account a;
  int64_t now = (int64_t)time(NULL);
  if (sk_auth_account_create(st, email, "Test", role, PASSWORD, "cli", now, &a, err, sizeof err))
    fail_msg("account %s: %s", email, err);
  if (org)
    assert_int_equal(sk_auth_link_organization(st, a.rid, org, "cli", now), SK_OK);
  return a.rid;
}

/* Feed versa through the real indexer, with one offering whose restricted
 * phone fails its check (dropped with a warning that quotes it); a file://
 * feed whose last run failed. */
static void add_feed_reports(struct sk_store *st) {
  const char *doc =
      "{\"format\": \"sociale-kaart-partner/1\", \"organizations\": [{\"key\": \"versa\","
      " \"name\": \"Versa Welzijn\"}], \"services\": [{\"key\": \"verwijs\", \"organization\":"
      " \"versa\", \"name\": \"Verwijslijn\", \"needs\": [\"geld\"], \"areas\": [\"huizen\"],"
      " \"access\": \"vrij\", \"cost\": \"gratis\", \"phones\": [{\"number\": \"" SECRET_PHONE
      "\", \"restricted\": true}]}]}";
  char err[512] = "";
  struct ix_batch b;
  ix_batch_init(&b, 0);
  if (ix_partner_json_parse(doc, strlen(doc), &b, err, sizeof err))
    fail_msg("parse: %s", err);
  assert_int_equal(ix_validate_batch(&b, th_taxonomy()), SK_OK);
  /* The bad phone is dropped with a warning (the offering stays) or rejects
   * the record: either way its reason quotes the value. */
  assert_true(b.rejections.n + b.warnings.n >= 1);
  /* It withdraws both of the fixture's versa offerings: past the shrink guard. */
  assert_int_equal(ix_apply_accept_shrink(st, "versa"), SK_OK);
  if (ix_apply(st, "versa", &b, NULL, NULL, err, sizeof err))
    fail_msg("apply: %s", err);
  ix_batch_free(&b);
  /* The reason as stored quotes the number: what the partner needs. */
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM feed_rejection WHERE feed_id = 'versa'"
                                    " AND reason LIKE '%999 0001%'"),
                   1);
  assert_int_equal(
      ix_apply_register_feed(st, "zorg", "Zorgpartner", "partner-json", "file://" SECRET_PATH, 1),
      SK_OK);
  assert_int_equal(
      ix_apply_record_error(st, "zorg",
                            "Het bestand bestaat niet of we kunnen het niet lezen. (" SECRET_PATH
                            ": No such file or directory)",
                            NULL),
      SK_OK);
}

static int setup(void **state) {
  (void)state;
  struct sk_auth_policy pol;
  sk_auth_policy_fast(&pol);
  fx_make_store("web.db");
  struct sk_store *st = NULL;
  char err[512] = "";
  if (sk_store_open(th_path("web.db"), 0, &st, err, sizeof err))
    fail_msg("store: %s", err);
  assert_int_equal(sk_auth_global_init(&pol), SK_OK);
  add_feed_reports(st);
  add_account(st, "versa@example.org", SK_ROLE_PARTNER, ORG_VERSA);
  add_account(st, "bieb@example.org", SK_ROLE_PARTNER, ORG_BIB);
  add_account(st, "redactie@example.org", SK_ROLE_REDACTEUR, NULL);
  fx_exec(st, "INSERT INTO organization(rid, id, source, source_key, name, created, last_modified)"
              " VALUES (3, '" ORG_PORTAL "', 'portal', '" ORG_PORTAL "', 'Stichting Portaal',"
              " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
  add_account(st, "nieuw@example.org", SK_ROLE_PARTNER, ORG_PORTAL); /* not trusted: held */
  /* An aggregated feed: "zorg" lists two organisations, each with its own
   * partner; its keeper is a third account. */
  fx_exec(st, "INSERT INTO organization(rid, id, source, source_key, name, created, last_modified)"
              " VALUES (4, '" ORG_ZORG1 "', 'feed:zorg', 'z1', 'Praktijk Een',"
              " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),"
              " (5, '" ORG_ZORG2 "', 'feed:zorg', 'z2', 'Praktijk Twee',"
              " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
              "INSERT INTO feed_rejection(feed_id, record_key, field, reason, at) VALUES"
              " ('zorg', 'z2-lijn', 'phones', 'Dienst ''z2-lijn'': het nummer ''" SECRET_PHONE
              "'' klopt niet.', '2026-11-01T00:00:00Z')");
  add_account(st, "zorg1@example.org", SK_ROLE_PARTNER, ORG_ZORG1);
  long long keeper = add_account(st, "zorgfeed@example.org", SK_ROLE_PARTNER, NULL);
  assert_int_equal(sk_auth_link_feed(st, keeper, "zorg", "cli", (int64_t)time(NULL)), SK_OK);
  sk_store_close(st);

  struct web_config c;
  web_config_default(&c);
  static char db[512], log[512];
  snprintf(db, sizeof db, "%s", th_path("web.db"));
  snprintf(log, sizeof log, "%s", th_path("access.log"));
  c.db_path = db;
  c.static_dir = fx_make_static();
  snprintf(g_fifo, sizeof g_fifo, "%s", th_path("static/pipe.html"));
  if (mkfifo(g_fifo, 0644) != 0)
    fail_msg("mkfifo: %s", strerror(errno));
  c.port = 0;
  c.threads = 2;
  c.timeout_s = 10;
  c.access_log = log;
  c.auth_policy = &pol;
  /* c.public_url stays NULL: the calendar must not guess one. */
  if (web_server_start(&c, &g_srv, err, sizeof err) != SK_OK)
    fail_msg("server: %s", err);
  g_port = web_server_port(g_srv);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  web_server_stop(g_srv, 2000);
  g_srv = NULL;
  return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static struct resp post_json(const char *target, const char *headers, const char *body) {
  char req[4096];
  int n = snprintf(req, sizeof req,
                   "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                   "Content-Type: application/json\r\n%sContent-Length: %zu\r\n\r\n%s",
                   target, headers ? headers : "", strlen(body), body);
  assert_true(n > 0 && (size_t)n < sizeof req);
  return fx_raw(req, (size_t)n);
}

/* Log in; the "Cookie: name=value\r\n" line back in cookie. */
static void login(const char *email, char cookie[256]) {
  char body[256];
  snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, PASSWORD);
  struct resp r = post_json("/api/v1/auth/login", NULL, body);
  if (r.status != 200)
    fail_msg("login %s: %d %s", email, r.status, r.body);
  const char *c = fx_header(&r, "Set-Cookie");
  assert_non_null(c);
  snprintf(cookie, 256, "Cookie: %.*s\r\n", (int)strcspn(c, ";"), c);
  resp_free(&r);
}

/* The access log's lines so far (NUL-terminated, malloc'd); the line of a
 * request is written when MHD is done with it, so wait for want to show. */
static char *access_log_waiting_for(const char *want) {
  for (int tries = 0; tries < 600; tries++) { /* <= 60 s under load; ends when seen */
    FILE *f = fopen(th_path("access.log"), "r");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (strstr(buf, want))
      return strdup(buf);
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  fail_msg("the access log never got '%s'", want);
  return NULL;
}

static void assert_nothing_secret(const char *what, const struct resp *r) {
  const char *bad[] = {"999 0001", "huisartsen", "geheim", SECRET_PATH, "/srv/"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (strstr(r->head, bad[i]) || memmem(r->body, r->body_len, bad[i], strlen(bad[i])))
      fail_msg("%s shows '%s' to anyone: %.600s", what, bad[i], r->body);
}

/* ---- 1: feed reports ---------------------------------------------------------- */

/* Every public GET route of the OpenAPI document (path parameters filled
 * with the fixture's ids), the Open Referral API, the site's pages and
 * /metrics: none shows the quoted value or the local path. */
static void test_feed_reports_never_quote_values_to_anyone(void **state) {
  (void)state;
  struct resp r = fx_get("/api/v1/openapi.json");
  assert_int_equal(r.status, 200);
  json_t *doc = fx_json(&r);
  resp_free(&r);
  json_t *paths = json_object_get(doc, "paths");
  assert_non_null(paths);
  const char *p;
  json_t *item;
  int checked = 0;
  json_object_foreach(paths, p, item) {
    if (!json_object_get(item, "get") || strstr(p, "partner") || strstr(p, "auth"))
      continue;
    char target[300];
    const char *brace = strchr(p, '{');
    if (brace) {
      const char *id = strstr(p, "organizations") ? ORG_VERSA : SVC_SHV;
      snprintf(target, sizeof target, "/api/v1%.*s%s%s", (int)(brace - p), p, id,
               strchr(brace, '}') + 1);
    } else {
      snprintf(target, sizeof target, "/api/v1%s", p);
    }
    r = fx_get(target);
    assert_true(r.status > 0 && r.status < 500);
    assert_nothing_secret(target, &r);
    resp_free(&r);
    checked++;
  }
  json_decref(doc);
  assert_true(checked >= 8);
  static const char *const more[] = {
      "/api/v1/feeds",
      "/api/v1/search?q=verwijslijn",
      "/api/v1/activities.ics",
      "/hsds",
      "/hsds/services",
      "/hsds/services?full=true",
      "/hsds/taxonomies",
      "/hsds/taxonomy_terms",
      "/hsds/services/" SVC_SHV,
      "/metrics",
      "/healthz",
      "/",
      "/portaal/",
      "/api/v1/search?q=telefoonnummer",
  };
  for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
    r = fx_get(more[i]);
    assert_true(r.status > 0 && r.status < 500);
    assert_nothing_secret(more[i], &r);
    resp_free(&r);
  }

  /* The public report still says what went wrong where, without values. */
  json_t *j = fx_get_json("/api/v1/feeds", 200);
  size_t i;
  json_t *f, *versa = NULL, *zorg = NULL;
  json_array_foreach(json_object_get(j, "feeds"), i, f) {
    if (strcmp(json_string_value(json_object_get(f, "id")), "versa") == 0)
      versa = f;
    if (strcmp(json_string_value(json_object_get(f, "id")), "zorg") == 0)
      zorg = f;
  }
  assert_non_null(versa);
  assert_non_null(zorg);
  /* A rejection names its record; a warning (the bad phone dropped, the
   * offering kept) has none. Either way a reason without the value. */
  json_t *rej = json_array_get(json_object_get(versa, "rejections"), 0);
  assert_non_null(rej);
  const char *key = json_string_value(json_object_get(rej, "record_key"));
  const char *reason = json_string_value(json_object_get(rej, "reason"));
  assert_non_null(reason);
  if (key) {
    assert_string_equal(key, "verwijs");
    assert_non_null(strstr(reason, "Niet overgenomen"));
  }
  assert_null(strstr(reason, "999 0001"));
  assert_non_null(json_string_value(json_object_get(zorg, "last_error")));
  assert_false(json_is_true(json_object_get(zorg, "healthy")));
  json_decref(j);
}

static json_t *feed_in(json_t *report, const char *id) {
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(report, "feeds"), i,
                     f) if (strcmp(json_string_value(json_object_get(f, "id")), id) == 0) return f;
  return NULL;
}

/* The partner and the redactie see the reason in full in the portal. */
static void test_partner_and_redactie_see_the_full_report(void **state) {
  (void)state;
  struct resp r = fx_get("/api/v1/partner/feeds");
  assert_int_equal(r.status, 401);
  resp_free(&r);

  char cookie[256];
  login("versa@example.org", cookie);
  r = fx_req("GET", "/api/v1/partner/feeds", cookie);
  assert_int_equal(r.status, 200);
  assert_string_equal(fx_header(&r, "Cache-Control"), "no-store");
  json_t *j = fx_json(&r);
  json_t *versa = feed_in(j, "versa");
  assert_non_null(versa);
  assert_null(feed_in(j, "zorg")); /* not this partner's */
  assert_null(feed_in(j, "bieb"));
  json_t *rej = json_array_get(json_object_get(versa, "rejections"), 0);
  assert_non_null(strstr(json_string_value(json_object_get(rej, "reason")), SECRET_PHONE));
  json_decref(j);
  resp_free(&r);

  login("bieb@example.org", cookie);
  r = fx_req("GET", "/api/v1/partner/feeds", cookie);
  assert_int_equal(r.status, 200);
  assert_nothing_secret("partner/feeds for another partner", &r);
  resp_free(&r);

  login("redactie@example.org", cookie);
  r = fx_req("GET", "/api/v1/partner/feeds", cookie);
  assert_int_equal(r.status, 200);
  j = fx_json(&r);
  assert_non_null(feed_in(j, "versa"));
  json_t *zorg = feed_in(j, "zorg");
  assert_non_null(zorg);
  assert_non_null(strstr(json_string_value(json_object_get(zorg, "last_error")), SECRET_PATH));
  json_decref(j);
  resp_free(&r);
}

/* An aggregated feed lists many organisations: a partner of one of them
 * sees the feed's health, but not the stored reasons and error, which quote
 * the other organisations' records (a restricted number) and the feed's
 * address. Before: every partner of any organisation in the feed got the
 * full report. Its keeper (account_feed) and the redactie still do. */
static void test_aggregated_feed_report_stays_with_its_keeper(void **state) {
  (void)state;
  char cookie[256];
  login("zorg1@example.org", cookie);
  struct resp r = fx_req("GET", "/api/v1/partner/feeds", cookie);
  assert_int_equal(r.status, 200);
  json_t *j = fx_json(&r);
  json_t *zorg = feed_in(j, "zorg");
  assert_non_null(zorg); /* listed: one of its organisations comes from it */
  assert_false(json_is_true(json_object_get(zorg, "healthy")));
  assert_null(json_object_get(zorg, "_full"));
  assert_int_equal(json_array_size(json_object_get(zorg, "rejections")), 1);
  json_decref(j);
  assert_nothing_secret("partner/feeds for a partner of one organisation of the feed", &r);
  resp_free(&r);

  login("zorgfeed@example.org", cookie);
  r = fx_req("GET", "/api/v1/partner/feeds", cookie);
  assert_int_equal(r.status, 200);
  j = fx_json(&r);
  zorg = feed_in(j, "zorg");
  assert_non_null(zorg);
  assert_non_null(strstr(json_string_value(json_object_get(zorg, "last_error")), SECRET_PATH));
  json_t *rej = json_array_get(json_object_get(zorg, "rejections"), 0);
  assert_non_null(strstr(json_string_value(json_object_get(rej, "reason")), SECRET_PHONE));
  json_decref(j);
  resp_free(&r);
}

/* ---- 6: paged portal lists -------------------------------------------------------- */

static void test_portal_lists_are_paged_over_http(void **state) {
  (void)state;
  char cookie[256];
  login("redactie@example.org", cookie);
  static const char *const lists[] = {"/api/v1/partner/reviews", "/api/v1/partner/corrections"};
  for (size_t i = 0; i < 2; i++) {
    char target[200];
    snprintf(target, sizeof target, "%s?page=2&per_page=5", lists[i]);
    struct resp r = fx_req("GET", target, cookie);
    if (r.status != 200)
      fail_msg("%s: %d %s", target, r.status, r.body);
    json_t *j = fx_json(&r);
    assert_true(json_is_integer(json_object_get(j, "total")));
    assert_int_equal(json_integer_value(json_object_get(j, "page")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "per_page")), 5);
    assert_true(json_is_array(json_object_get(j, "items")));
    json_decref(j);
    resp_free(&r);
    snprintf(target, sizeof target, "%s?per_page=0", lists[i]);
    r = fx_req("GET", target, cookie);
    assert_int_equal(r.status, 400);
    resp_free(&r);
  }
}

/* An untrusted partner's held edits: 30 an hour, then 429 in Dutch. */
static void test_held_edits_are_limited_over_http(void **state) {
  (void)state;
  char cookie[256], csrf[128] = "";
  char body[512];
  snprintf(body, sizeof body, "{\"email\":\"nieuw@example.org\",\"password\":\"%s\"}", PASSWORD);
  struct resp r = post_json("/api/v1/auth/login", NULL, body);
  assert_int_equal(r.status, 200);
  const char *c = fx_header(&r, "Set-Cookie");
  snprintf(cookie, sizeof cookie, "Cookie: %.*s\r\n", (int)strcspn(c, ";"), c);
  json_t *me = fx_json(&r);
  snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s\r\n",
           json_string_value(json_object_get(me, "csrf")));
  json_decref(me);
  resp_free(&r);
  char headers[512];
  snprintf(headers, sizeof headers, "%s%s", cookie, csrf);
  int last = 0;
  for (int i = 0; i <= 30; i++) {
    snprintf(body, sizeof body,
             "{\"organization\": \"" ORG_PORTAL
             "\", \"name\": \"Voorstel %d\", \"needs\": [\"geld\"],"
             " \"areas\": [\"huizen\"], \"access\": \"vrij\", \"cost\": \"gratis\"}",
             i);
    r = post_json("/api/v1/partner/services", headers, body);
    last = r.status;
    if (i < 30 && r.status != 202)
      fail_msg("held edit %d: %d %s", i, r.status, r.body);
    if (i == 30) {
      assert_int_equal(r.status, 429);
      assert_non_null(fx_header(&r, "Retry-After"));
      json_t *j = fx_json(&r);
      assert_non_null(
          strstr(json_string_value(json_object_get(j, "detail")), "Probeer het over een uur"));
      json_decref(j);
    }
    resp_free(&r);
  }
  assert_int_equal(last, 429);
}

/* ---- 4: the access log ---------------------------------------------------------- */

static void test_access_log_cannot_be_forged(void **state) {
  (void)state;
  /* %0a decodes to a line break, %1b to ESC, %20 to a space. */
  struct resp r = fx_get("/nergens%0a2026-01-01T00:00:00Z%20GET%20/admin%20200%200%200.1ms%1b[2J");
  assert_int_equal(r.status, 404);
  resp_free(&r);
  char *log = access_log_waiting_for("/nergens");
  for (char *line = log; *line;) {
    char *eol = strchr(line, '\n');
    assert_non_null(eol); /* whole lines only */
    *eol = '\0';
    if (strncmp(line, "2026-01-01", 10) == 0 || strstr(line, "GET /admin "))
      fail_msg("a forged line in the access log: %s", line);
    for (char *c = line; *c; c++)
      if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f)
        fail_msg("a control character in the access log: %s", line);
    *eol = '\n';
    line = eol + 1;
  }
  if (!strstr(log, "GET /nergens\\x0a2026-01-01T00:00:00Z\\x20GET\\x20/admin") ||
      !strstr(log, "\\x1b[2J 404 "))
    fail_msg("the escaped line is not in the log:\n%s", log);
  free(log);
}

/* ---- 7: what libmicrohttpd refuses; Content-Length ------------------------------ */

static unsigned long long metric(const char *name) {
  struct resp r = fx_get("/metrics");
  assert_int_equal(r.status, 200);
  const char *at = strstr(r.body, name);
  unsigned long long v = at ? strtoull(at + strlen(name), NULL, 10) : 0;
  resp_free(&r);
  return v;
}

static void test_refused_requests_count_as_sent(void **state) {
  (void)state;
  const char *m400 = "sk_http_requests_total{route=\"auth\",status=\"400\"} ";
  const char *m500 = "sk_http_requests_total{route=\"auth\",status=\"500\"} ";
  unsigned long long n400 = metric(m400), n500 = metric(m500);
  /* A chunk size that is not hex: libmicrohttpd answers 400 itself. */
  const char *req = "POST /api/v1/auth/logout HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
                    "zz\r\nnonsense\r\n0\r\n\r\n";
  struct resp r = fx_raw(req, strlen(req));
  assert_int_equal(r.status, 400);
  resp_free(&r);
  char *log = access_log_waiting_for("POST /api/v1/auth/logout ");
  assert_non_null(strstr(log, "POST /api/v1/auth/logout 400 "));
  assert_null(strstr(log, "POST /api/v1/auth/logout 500 "));
  free(log);
  assert_int_equal(metric(m400), n400 + 1);
  assert_int_equal(metric(m500), n500);
}

static void test_two_content_lengths_are_a_400(void **state) {
  (void)state;
  static const char *const heads[] = {
      "Content-Length: 2\r\nContent-Length: 40\r\n",
      "Content-Length: 2, 40\r\n",
      "Content-Length: 2x\r\n",
      "Content-Length: -2\r\n",
  };
  for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
    char req[512];
    snprintf(req, sizeof req,
             "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Content-Type: application/json\r\n%s\r\n{}",
             heads[i]);
    struct resp r = fx_raw(req, strlen(req));
    if (r.status != 400)
      fail_msg("%s: status %d, want 400: %s", heads[i], r.status, r.body);
    resp_free(&r);
  }
  /* The same value twice is one length (RFC 9112 6.3). */
  const char *same = "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                     "Content-Type: application/json\r\nContent-Length: 2\r\n"
                     "Content-Length: 2\r\n\r\n{}";
  struct resp r = fx_raw(same, strlen(same));
  assert_int_equal(r.status, 401); /* read as a login without an address */
  resp_free(&r);
}

/* ---- attack 5: framing, a credential in the log, a header from the path ----------- */

/* How many answers came back on one connection (status lines). */
static int answers(const struct resp *r) {
  int n = strncmp(r->head, "HTTP/1.1 ", 9) == 0;
  const char *p = r->body, *end = r->body + r->body_len;
  while ((p = memmem(p, (size_t)(end - p), "HTTP/1.1 ", 9))) {
    p += 9;
    n += end - p >= 3 && p[0] >= '1' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9';
  }
  return n;
}

/* Transfer-Encoding beside Content-Length (or in HTTP/1.0) is a request a
 * proxy in front may frame the other way: the request hidden after it must
 * never be answered. Before: the login got its 400 and the smuggled GET its
 * 200 on the same connection. A coding the server cannot read is 501 at
 * once; before, the request hung until the idle timeout. */
static void test_transfer_encoding_is_never_ambiguous(void **state) {
  (void)state;
  static const struct {
    const char *head, *body;
    int status;
  } cases[] = {
      {"POST /api/v1/auth/login HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n",
       "0\r\n\r\n", 400},
      {"GET /healthz HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n",
       400},
      {"POST /api/v1/auth/login HTTP/1.0\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n", 400},
      {"POST /api/v1/auth/login HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n", "abc", 501},
      {"POST /api/v1/auth/login HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n",
       501},
      {"POST /api/v1/auth/login HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
       "Transfer-Encoding: chunked\r\n",
       "0\r\n\r\n", 501},
      /* libmicrohttpd reads these as "until the client closes", not chunked */
      {"POST /api/v1/auth/login HTTP/1.1\r\nTransfer-Encoding: chunked \r\n", "0\r\n\r\n", 501},
      {"POST /api/v1/auth/login HTTP/1.1\r\nTransfer-Encoding: chunked,\r\n", "0\r\n\r\n", 501},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char req[1024];
    /* The second request rides in the same bytes; keep-alive asked for. */
    snprintf(req, sizeof req,
             "%sHost: 127.0.0.1\r\nContent-Type: application/json\r\n\r\n%s"
             "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
             cases[i].head, cases[i].body);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct resp r = fx_raw(req, strlen(req));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (r.status != cases[i].status)
      fail_msg("case %zu: status %d, want %d: %s", i, r.status, cases[i].status, r.head);
    const char *conn = fx_header(&r, "Connection");
    if (!conn || strcasecmp(conn, "close") != 0)
      fail_msg("case %zu: the connection stays open after an ambiguous framing", i);
    if (answers(&r) != 1 || strstr(r.body, "\"status\":\"ok\""))
      fail_msg("case %zu: the request after it was answered too:\n%s\n%s", i, r.head, r.body);
    /* Answered, not left to the idle timeout (10 s here, which fx_raw waits). */
    assert_true(t1.tv_sec - t0.tv_sec < 8);
    resp_free(&r);
  }
  /* Plain chunked still works: read as a login without an address. */
  const char *ok = "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                   "Content-Type: application/json\r\nTransfer-Encoding: Chunked\r\n\r\n"
                   "2\r\n{}\r\n0\r\n\r\n";
  struct resp r = fx_raw(ok, strlen(ok));
  assert_int_equal(r.status, 401);
  resp_free(&r);
}

/* The verification link's token is the only credential for weeks: whoever
 * reads the access log must not be able to use it. */
static void test_access_log_never_holds_a_verify_token(void **state) {
  (void)state;
  struct resp r = fx_get("/api/v1/verify/v1.GEHEIMTOKEN0123456789");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = fx_req("POST", "/api/v1/verify/v1.GEHEIMTOKEN0123456789/" SVC_SHV,
             "Content-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"answer\":\"ok\"}");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  char *log = access_log_waiting_for("POST /api/v1/verify/");
  if (strstr(log, "GEHEIMTOKEN"))
    fail_msg("the access log holds the link's token:\n%s", log);
  assert_non_null(strstr(log, "GET /api/v1/verify/- 403 "));
  assert_non_null(strstr(log, "POST /api/v1/verify/-/" SVC_SHV " 403 "));
  free(log);
}

/* GET of a correction form's address sends the visitor back to the page;
 * the slug in it is the visitor's (decoded) text and must not become a
 * header of its own or a Location elsewhere. */
static void test_correction_redirect_keeps_path_text_out_of_headers(void **state) {
  (void)state;
  struct resp r = fx_get("/aanbod/" SVC_SHV "/x%0d%0aSet-Cookie:%20sk_session=aanvaller/melding");
  assert_int_equal(r.status, 303);
  assert_null(fx_header(&r, "Set-Cookie"));
  const char *loc = fx_header(&r, "Location");
  assert_non_null(loc);
  assert_string_equal(loc, "/aanbod/" SVC_SHV);
  resp_free(&r);
  r = fx_get("/aanbod/" SVC_SHV "/schuldhulpverlening/melding");
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/aanbod/" SVC_SHV "/schuldhulpverlening");
  resp_free(&r);
}

/* A public answer to a request with an ended session carries the deleting
 * cookie; it must not be kept by a shared cache, which would send that
 * Set-Cookie to everyone behind it (logging them out). Before: "public,
 * max-age=60" beside the Set-Cookie. */
static void test_an_answer_with_set_cookie_is_never_shared(void **state) {
  (void)state;
  static const char *const paths[] = {"/api/v1/search?q=schulden", "/zoeken?q=schulden",
                                      "/api/v1/services/" SVC_ACT, "/hulp"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    struct resp r = fx_req("GET", paths[i],
                           "Cookie: sk_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n");
    if (r.status != 200)
      fail_msg("%s: status %d: %.300s", paths[i], r.status, r.body);
    const char *sc = fx_header(&r, "Set-Cookie");
    assert_non_null(sc);
    assert_non_null(strstr(sc, "Max-Age=0"));
    const char *cc = fx_header(&r, "Cache-Control");
    if (!cc || strstr(cc, "public") || !strstr(cc, "no-store"))
      fail_msg("%s: Set-Cookie with Cache-Control '%s'", paths[i], cc ? cc : "(none)");
    resp_free(&r);
    /* Without the cookie the same answer is public again. */
    r = fx_get(paths[i]);
    assert_int_equal(r.status, 200);
    assert_null(fx_header(&r, "Set-Cookie"));
    resp_free(&r);
  }
}

/* The portal's 256 KiB bodies are read before the login is checked: an
 * anonymous client gets the general 16 KiB, so it cannot make the server
 * hold 16 times as much per connection. Before: a 20 KiB body without a
 * cookie was read whole and then refused (401). */
static void test_large_bodies_only_for_who_says_who_it_is(void **state) {
  (void)state;
  static const char *const targets[] = {"/api/v1/partner/services", "/portaal/nieuw/services"};
  size_t n = 20 * 1024;
  char *req = malloc(n + 1024);
  assert_non_null(req);
  for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++)
    for (int with_cookie = 0; with_cookie < 2; with_cookie++) {
      int h = snprintf(
          req, 1024,
          "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          "Content-Type: application/json\r\n%sContent-Length: %zu\r\n\r\n",
          targets[t],
          with_cookie ? "Cookie: sk_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n" : "",
          n);
      memset(req + h, ' ', n);
      struct resp r = fx_raw(req, (size_t)h + n);
      int want = with_cookie ? 401 : 413;
      if (r.status != want)
        fail_msg("POST %s, %zu bytes, %s: status %d, want %d", targets[t], n,
                 with_cookie ? "a session cookie" : "no credentials", r.status, want);
      resp_free(&r);
    }
  free(req);
}

/* ---- 8: a FIFO in the static folder ---------------------------------------------- */

static void test_fifo_in_static_folder_does_not_block(void **state) {
  (void)state;
  int fd = fx_connect();
  const char *req = "GET /pipe.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  assert_true(send(fd, req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req));
  size_t n;
  /* A regular answer takes milliseconds; 5 s means a worker hangs in open(2). */
  char *all = fx_read_all(fd, &n, 5000);
  close(fd);
  int status = -1;
  sscanf(all, "HTTP/1.%*d %d", &status);
  free(all);
  if (status == -1) {
    /* Free the hung worker (a writer lets open(2) return) so the server
     * can stop, then fail. */
    int w = open(g_fifo, O_WRONLY | O_NONBLOCK);
    if (w >= 0)
      close(w);
    fail_msg("GET of a FIFO in the static folder got no answer in 5 s");
  }
  assert_int_equal(status, 404);
  /* Both workers still answer. */
  for (int i = 0; i < 4; i++) {
    struct resp r = fx_get("/healthz");
    assert_int_equal(r.status, 200);
    resp_free(&r);
  }
}

/* ---- 9: the calendar's links; the login Origin ------------------------------------ */

static void test_calendar_never_takes_links_from_host(void **state) {
  (void)state;
  const char *req = "GET /api/v1/activities.ics HTTP/1.1\r\nHost: evil.example.org\r\n"
                    "X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n";
  struct resp r = fx_raw(req, strlen(req));
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "BEGIN:VEVENT")); /* the fixture's activity */
  assert_null(strstr(r.body, "evil"));
  assert_null(strstr(r.body, "\r\nURL:"));
  resp_free(&r);
}

static void test_login_origin_compares_scheme(void **state) {
  (void)state;
  char body[256];
  snprintf(body, sizeof body, "{\"email\":\"versa@example.org\",\"password\":\"%s\"}", PASSWORD);
  struct resp r = post_json("/api/v1/auth/login", "Origin: https://127.0.0.1\r\n", body);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = post_json("/api/v1/auth/login", "Origin: http://127.0.0.1.evil.example\r\n", body);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = post_json("/api/v1/auth/login", "Origin: http://127.0.0.1\r\n", body);
  assert_int_equal(r.status, 200);
  resp_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_feed_reports_never_quote_values_to_anyone),
      cmocka_unit_test(test_partner_and_redactie_see_the_full_report),
      cmocka_unit_test(test_aggregated_feed_report_stays_with_its_keeper),
      cmocka_unit_test(test_portal_lists_are_paged_over_http),
      cmocka_unit_test(test_held_edits_are_limited_over_http),
      cmocka_unit_test(test_access_log_cannot_be_forged),
      cmocka_unit_test(test_refused_requests_count_as_sent),
      cmocka_unit_test(test_two_content_lengths_are_a_400),
      cmocka_unit_test(test_transfer_encoding_is_never_ambiguous),
      cmocka_unit_test(test_access_log_never_holds_a_verify_token),
      cmocka_unit_test(test_correction_redirect_keeps_path_text_out_of_headers),
      cmocka_unit_test(test_an_answer_with_set_cookie_is_never_shared),
      cmocka_unit_test(test_large_bodies_only_for_who_says_who_it_is),
      cmocka_unit_test(test_fifo_in_static_folder_does_not_block),
      cmocka_unit_test(test_calendar_never_takes_links_from_host),
      cmocka_unit_test(test_login_origin_compares_scheme),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
