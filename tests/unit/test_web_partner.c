/* The partner portal over HTTP: the real server on a loopback port with
 * accounts in its store. Login, cookies, CSRF, API tokens, throttling,
 * session expiry; who may read and change what, by every route;
 * If-Match/412; history and restore; moderation; a reindex beside portal
 * data; the reminder outbox; "Klopt er iets niet?"; body limits;
 * restricted fields only for those who may see them. */
#include <pthread.h>
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
#include "sk_portal.h"

#define PASSWORD "correct horse battery"
#define ORG_C "dddddddd-dddd-4ddd-8ddd-dddddddddddd"
#define SESSION_IDLE 3

static char g_token_a[SK_AUTH_TOKEN_LEN]; /* API token of partner A */
static char g_id_c[SK_UUID_LEN];          /* account id of partner C */

/* ---- client -------------------------------------------------------------- */

struct sess {
  char cookie[200]; /* "sk_session=..." */
  char csrf[100];
};

/* method target with headers (lines ending "\r\n") and an optional body. */
static struct resp call(const char *method, const char *target, const char *headers,
                        const char *body) {
  size_t blen = body ? strlen(body) : 0;
  size_t cap = blen + 4096;
  char *req = malloc(cap);
  int n = snprintf(req, cap,
                   "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s"
                   "Content-Length: %zu\r\n\r\n",
                   method, target, headers ? headers : "", blen);
  assert_true(n > 0 && (size_t)n + blen < cap);
  if (blen)
    memcpy(req + n, body, blen);
  struct resp r = fx_raw(req, (size_t)n + blen);
  free(req);
  return r;
}

/* A call as s (cookie + CSRF unless csrf is 0). */
static struct resp as(const struct sess *s, int csrf, const char *method, const char *target,
                      const char *extra, const char *body) {
  char h[1024];
  snprintf(h, sizeof h, "Content-Type: application/json\r\n%s%s%s%s%s%s%s", s ? "Cookie: " : "",
           s ? s->cookie : "", s ? "\r\n" : "", s && csrf ? "X-CSRF-Token: " : "",
           s && csrf ? s->csrf : "", s && csrf ? "\r\n" : "", extra ? extra : "");
  return call(method, target, h, body);
}

static struct resp login_raw(const char *email, const char *password, const char *extra) {
  char body[512], h[512];
  snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
  snprintf(h, sizeof h, "Content-Type: application/json\r\n%s", extra ? extra : "");
  return call("POST", "/api/v1/auth/login", h, body);
}

static struct sess login(const char *email) {
  struct resp r = login_raw(email, PASSWORD, NULL);
  if (r.status != 200)
    fail_msg("login %s: %d %s", email, r.status, r.body);
  struct sess s;
  memset(&s, 0, sizeof s);
  const char *c = fx_header(&r, "Set-Cookie");
  assert_non_null(c);
  const char *semi = strchr(c, ';');
  snprintf(s.cookie, sizeof s.cookie, "%.*s", (int)(semi - c), c);
  json_t *j = fx_json(&r);
  snprintf(s.csrf, sizeof s.csrf, "%s", json_string_value(json_object_get(j, "csrf")));
  json_decref(j);
  resp_free(&r);
  return s;
}

static json_t *expect(struct resp *r, int status, const char *what) {
  if (r->status != status)
    fail_msg("%s: status %d, want %d: %.500s", what, r->status, status, r->body);
  json_t *j = r->body_len ? fx_json(r) : NULL;
  return j;
}

static void etag_of(const struct resp *r, char out[64]) {
  const char *e = fx_header(r, "ETag");
  assert_non_null(e);
  snprintf(out, 64, "%s", e);
}

static json_t *svc_doc(const char *org, const char *name) {
  return json_pack("{s:s, s:s, s:[s], s:[s], s:s, s:s}", "organization", org, "name", name, "needs",
                   "geld", "areas", "huizen", "access", "vrij", "cost", "gratis");
}

/* Create an offering as s; id and ETag back. want: 201 or 202. */
static void create_svc(const struct sess *s, const char *org, const char *name, int want,
                       char id[SK_UUID_LEN], char etag[64]) {
  json_t *d = svc_doc(org, name);
  char *body = json_dumps(d, 0);
  json_decref(d);
  struct resp r = as(s, 1, "POST", "/api/v1/partner/services", NULL, body);
  free(body);
  json_t *j = expect(&r, want, "create");
  snprintf(id, SK_UUID_LEN, "%s", json_string_value(json_object_get(j, "id")));
  if (etag) {
    if (want == 201) {
      etag_of(&r, etag);
      const char *loc = fx_header(&r, "Location");
      assert_non_null(loc);
      assert_non_null(strstr(loc, id));
    } else {
      etag[0] = '\0';
    }
  }
  json_decref(j);
  resp_free(&r);
}

static void get_entry(const struct sess *s, const char *id, char etag[64], json_t **doc) {
  char t[200];
  snprintf(t, sizeof t, "/api/v1/partner/services/%s", id);
  struct resp r = as(s, 0, "GET", t, NULL, NULL);
  json_t *j = expect(&r, 200, "get entry");
  etag_of(&r, etag);
  assert_string_equal(fx_header(&r, "Cache-Control"), "no-store");
  if (doc)
    *doc = j;
  else
    json_decref(j);
  resp_free(&r);
}

static struct resp patch(const struct sess *s, const char *id, const char *etag, const char *body) {
  char t[200], h[200] = "";
  snprintf(t, sizeof t, "/api/v1/partner/services/%s", id);
  if (etag)
    snprintf(h, sizeof h, "If-Match: %s\r\n", etag);
  return as(s, 1, "PATCH", t, h, body);
}

/* ---- set-up -------------------------------------------------------------- */

static void add_account(struct sk_store *st, const char *email, enum sk_role role, int trusted,
                        const char *org, struct sk_account *out) {
  char err[256] = "";
  int64_t now = (int64_t)time(NULL);
  if (sk_auth_account_create(st, email, "Test", role, PASSWORD, "cli", now, out, err, sizeof err))
    fail_msg("account %s: %s", email, err);
  if (trusted)
    assert_int_equal(sk_auth_account_set_trusted(st, out->rid, 1, "cli", now), SK_OK);
  if (org)
    assert_int_equal(sk_auth_link_organization(st, out->rid, org, "cli", now), SK_OK);
}

static int setup(void **state) {
  (void)state;
  struct sk_auth_policy pol;
  sk_auth_policy_fast(&pol);
  pol.session_idle = SESSION_IDLE;
  pol.session_touch = 0;
  fx_make_store("web.db");
  struct sk_store *st = NULL;
  char err[512] = "";
  if (sk_store_open(th_path("web.db"), 0, &st, err, sizeof err))
    fail_msg("store: %s", err);
  assert_int_equal(sk_auth_global_init(&pol), SK_OK);
  fx_exec(st, "INSERT INTO organization(rid, id, source, source_key, name, created, last_modified)"
              " VALUES (3, '" ORG_C "', 'portal', '" ORG_C "', 'Stichting C',"
              " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
  struct sk_account a;
  add_account(st, "a@example.org", SK_ROLE_PARTNER, 1, ORG_VERSA, &a);
  struct sk_api_token info;
  assert_int_equal(
      sk_auth_token_create(st, a.rid, "test", 0, (int64_t)time(NULL), g_token_a, &info), SK_OK);
  add_account(st, "b@example.org", SK_ROLE_PARTNER, 0, ORG_BIB, &a);
  add_account(st, "c@example.org", SK_ROLE_PARTNER, 1, ORG_C, &a);
  snprintf(g_id_c, sizeof g_id_c, "%s", a.id);
  add_account(st, "redactie@example.org", SK_ROLE_REDACTEUR, 0, NULL, &a);
  add_account(st, "pro@example.org", SK_ROLE_PROFESSIONAL, 0, NULL, &a);
  add_account(st, "throttle@example.org", SK_ROLE_PARTNER, 0, NULL, &a);
  add_account(st, "throttle6@example.org", SK_ROLE_PARTNER, 0, NULL, &a);
  add_account(st, "expire@example.org", SK_ROLE_PARTNER, 0, NULL, &a);
  add_account(st, "tok@example.org", SK_ROLE_PARTNER, 0, NULL, &a);
  add_account(st, "pw@example.org", SK_ROLE_PARTNER, 0, NULL, &a);
  add_account(st, "reset@example.org", SK_ROLE_PARTNER, 0, NULL, &a);
  sk_store_close(st);

  struct web_config c;
  web_config_default(&c);
  static char db[512];
  snprintf(db, sizeof db, "%s", th_path("web.db"));
  c.db_path = db;
  c.static_dir = fx_make_static();
  c.port = 0;
  c.threads = 2;
  c.timeout_s = 10;
  c.trusted_proxy = "127.0.0.1"; /* so tests can act as different clients */
  c.public_url = "https://kaart.example.org/";
  c.auth_policy = &pol;
  if (web_server_start(&c, &g_srv, err, sizeof err) != SK_OK)
    fail_msg("server: %s", err);
  g_port = web_server_port(g_srv);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  web_server_stop(g_srv, 1000);
  g_srv = NULL;
  return 0;
}

/* ---- login, cookies, CSRF, tokens ----------------------------------------- */

static void test_login_me_logout(void **state) {
  (void)state;
  /* Wrong password and unknown address: the same answer. */
  struct resp bad = login_raw("a@example.org", "verkeerd wachtwoord",
                              "X-Forwarded-For: 192.0.2.50\r\n");
  struct resp unknown = login_raw("nobody@example.org", PASSWORD,
                                  "X-Forwarded-For: 192.0.2.50\r\n");
  assert_int_equal(bad.status, 401);
  assert_int_equal(unknown.status, 401);
  json_t *jb = fx_json(&bad), *ju = fx_json(&unknown);
  assert_string_equal(json_string_value(json_object_get(jb, "detail")),
                      json_string_value(json_object_get(ju, "detail")));
  assert_null(fx_header(&bad, "Set-Cookie"));
  json_decref(jb);
  json_decref(ju);
  resp_free(&bad);
  resp_free(&unknown);

  struct resp r = login_raw("a@example.org", PASSWORD, NULL);
  assert_int_equal(r.status, 200);
  const char *cookie = fx_header(&r, "Set-Cookie");
  assert_non_null(strstr(cookie, "sk_session="));
  assert_non_null(strstr(cookie, "HttpOnly"));
  assert_non_null(strstr(cookie, "SameSite=Strict"));
  assert_null(strstr(cookie, "Secure"));
  assert_string_equal(fx_header(&r, "Cache-Control"), "no-store");
  resp_free(&r);
  /* Behind the trusted proxy over TLS: the __Host- cookie, Secure. */
  r = login_raw("a@example.org", PASSWORD, "X-Forwarded-Proto: https\r\n");
  assert_int_equal(r.status, 200);
  cookie = fx_header(&r, "Set-Cookie");
  assert_non_null(strstr(cookie, "__Host-sk_session="));
  assert_non_null(strstr(cookie, "Secure"));
  resp_free(&r);
  /* A login from a foreign page is refused. */
  r = login_raw("a@example.org", PASSWORD, "Origin: https://evil.example\r\n");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = login_raw("a@example.org", PASSWORD, "Origin: null\r\nSec-Fetch-Site: cross-site\r\n");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  /* The login form without JavaScript: the browser sends "Origin: null"
   * (the page's Referrer-Policy is no-referrer) and Sec-Fetch-Site:
   * same-origin. Each role lands where it works (issue 13). */
  static const char *const lands[][2] = {{"a@example.org", "/portaal/"},
                                         {"redactie@example.org", "/portaal/#reviews-title"},
                                         {"pro@example.org", "/professionals"}};
  for (size_t i = 0; i < 3; i++) {
    char body[256];
    snprintf(body, sizeof body, "email=%s&password=correct+horse+battery", lands[i][0]);
    r = call("POST", "/api/v1/auth/login",
             "Content-Type: application/x-www-form-urlencoded\r\nOrigin: null\r\n"
             "Sec-Fetch-Site: same-origin\r\n",
             body);
    assert_int_equal(r.status, 303);
    assert_string_equal(fx_header(&r, "Location"), lands[i][1]);
    resp_free(&r);
    r = login_raw(lands[i][0], PASSWORD, NULL);
    json_t *me = fx_json(&r);
    assert_string_equal(json_string_value(json_object_get(me, "home")), lands[i][1]);
    json_decref(me);
    resp_free(&r);
  }
  /* The redactie's organisation picker answers by name. */
  struct sess red = login("redactie@example.org");
  r = as(&red, 0, "GET", "/api/v1/partner/organizations?q=STICHTING%20c", NULL, NULL);
  json_t *orgs = expect(&r, 200, "organizations");
  assert_int_equal(json_integer_value(json_object_get(orgs, "total")), 1);
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(json_object_get(orgs, "items"), 0), "id")),
      ORG_C);
  json_decref(orgs);
  resp_free(&r);

  struct sess s = login("a@example.org");
  r = as(&s, 0, "GET", "/api/v1/auth/me", NULL, NULL);
  json_t *me = expect(&r, 200, "me");
  assert_string_equal(json_string_value(json_object_get(me, "role")), "partner");
  assert_string_equal(json_string_value(json_object_get(me, "csrf")), s.csrf);
  assert_string_equal(json_string_value(json_object_get(
                          json_array_get(json_object_get(me, "organizations"), 0), "id")),
                      ORG_VERSA);
  json_decref(me);
  resp_free(&r);
  /* Logout needs the CSRF token too. */
  r = as(&s, 0, "POST", "/api/v1/auth/logout", NULL, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = as(&s, 1, "POST", "/api/v1/auth/logout", NULL, NULL);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(fx_header(&r, "Set-Cookie"), "Max-Age=0"));
  resp_free(&r);
  r = as(&s, 0, "GET", "/api/v1/auth/me", NULL, NULL);
  assert_int_equal(r.status, 401);
  resp_free(&r);
  r = call("GET", "/api/v1/partner/entries", NULL, NULL);
  assert_int_equal(r.status, 401);
  resp_free(&r);
}

/* The login form works without JavaScript: 303 to the portal, and logout
 * takes the CSRF token as a form field. */
static void test_form_login_and_logout(void **state) {
  (void)state;
  struct resp r = call("POST", "/api/v1/auth/login",
                       "Content-Type: application/x-www-form-urlencoded\r\n",
                       "email=a%40example.org&password=correct+horse+battery");
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/portaal/");
  const char *c = fx_header(&r, "Set-Cookie");
  assert_non_null(c);
  struct sess s;
  memset(&s, 0, sizeof s);
  snprintf(s.cookie, sizeof s.cookie, "%.*s", (int)(strchr(c, ';') - c), c);
  resp_free(&r);
  r = as(&s, 0, "GET", "/api/v1/auth/me", NULL, NULL);
  json_t *me = expect(&r, 200, "me after form login");
  char body[200];
  snprintf(body, sizeof body, "csrf=%s", json_string_value(json_object_get(me, "csrf")));
  json_decref(me);
  resp_free(&r);
  char h[300];
  snprintf(h, sizeof h, "Cookie: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n",
           s.cookie);
  r = call("POST", "/api/v1/auth/logout", h, "csrf=wrong");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = call("POST", "/api/v1/auth/logout", h, body);
  assert_int_equal(r.status, 303);
  resp_free(&r);
  r = as(&s, 0, "GET", "/api/v1/auth/me", NULL, NULL);
  assert_int_equal(r.status, 401);
  resp_free(&r);
  /* A wrong password on the form: back to the form, same words for everyone. */
  r = call("POST", "/api/v1/auth/login",
           "Content-Type: application/x-www-form-urlencoded\r\n"
           "X-Forwarded-For: 192.0.2.60\r\n",
           "email=a%40example.org&password=fout");
  assert_int_equal(r.status, 303);
  assert_non_null(strstr(fx_header(&r, "Location"), "inloggen.html?fout=login"));
  assert_null(fx_header(&r, "Set-Cookie"));
  resp_free(&r);
}

static void test_csrf_required(void **state) {
  (void)state;
  struct sess s = login("a@example.org");
  char id[SK_UUID_LEN], etag[64];
  create_svc(&s, ORG_VERSA, "Budgetcursus", 201, id, etag);
  struct resp r = as(&s, 0, "POST", "/api/v1/partner/services", NULL, "{}");
  assert_int_equal(r.status, 403);
  json_t *j = fx_json(&r);
  assert_non_null(strstr(json_string_value(json_object_get(j, "detail")), "formulier"));
  json_decref(j);
  resp_free(&r);
  char t[200], h[300];
  snprintf(t, sizeof t, "/api/v1/partner/services/%s", id);
  snprintf(h, sizeof h, "If-Match: %s\r\nX-CSRF-Token: %s\r\n", etag, "niet-het-token");
  struct sess nocsrf = s;
  r = as(&nocsrf, 0, "PATCH", t, h, "{\"name\":\"Gekaapt\"}");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  snprintf(h, sizeof h, "If-Match: %s\r\n", etag);
  r = as(&s, 0, "DELETE", t, h, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  /* nothing changed */
  json_t *doc;
  char now[64];
  get_entry(&s, id, now, &doc);
  assert_string_equal(now, etag);
  assert_string_equal(json_string_value(json_object_get(doc, "name")), "Budgetcursus");
  json_decref(doc);
}

static void test_api_token(void **state) {
  (void)state;
  struct resp r = call("GET", "/api/v1/partner/entries",
                       "Authorization: Bearer skapi_nietgeldig\r\n", NULL);
  assert_int_equal(r.status, 401);
  assert_non_null(strstr(fx_header(&r, "WWW-Authenticate"), "Bearer"));
  resp_free(&r);
  char h[200];
  snprintf(h, sizeof h, "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
           g_token_a);
  r = call("GET", "/api/v1/partner/entries", h, NULL);
  json_t *j = expect(&r, 200, "entries by token");
  assert_true(json_is_array(json_object_get(j, "items")));
  json_decref(j);
  resp_free(&r);
  /* A token needs no CSRF token (no cookie to ride on). */
  json_t *d = svc_doc(ORG_VERSA, "Formulierenhulp");
  char *body = json_dumps(d, 0);
  json_decref(d);
  r = call("POST", "/api/v1/partner/services", h, body);
  free(body);
  json_decref(expect(&r, 201, "create by token"));
  resp_free(&r);
}

static void test_throttling(void **state) {
  (void)state;
  for (int i = 0; i < 5; i++) {
    struct resp r = login_raw("throttle@example.org", "fout fout fout",
                              "X-Forwarded-For: 192.0.2.77\r\n");
    assert_int_equal(r.status, 401);
    resp_free(&r);
  }
  /* The guessing address is refused now, even with the right password... */
  struct resp r = login_raw("throttle@example.org", PASSWORD, "X-Forwarded-For: 192.0.2.77\r\n");
  assert_int_equal(r.status, 429);
  const char *ra = fx_header(&r, "Retry-After");
  assert_non_null(ra);
  assert_true(atoi(ra) > 800 && atoi(ra) <= 900);
  json_t *j = fx_json(&r);
  assert_non_null(strstr(json_string_value(json_object_get(j, "detail")), "te vaak"));
  json_decref(j);
  resp_free(&r);
  /* ...but the partner itself, from its own address, still gets in. */
  r = login_raw("throttle@example.org", PASSWORD, "X-Forwarded-For: 192.0.2.78\r\n");
  assert_int_equal(r.status, 200);
  resp_free(&r);
  /* An unknown address is throttled the same way (no enumeration). */
  for (int i = 0; i < 5; i++) {
    r = login_raw("niemand@example.org", "fout fout fout", "X-Forwarded-For: 192.0.2.79\r\n");
    assert_int_equal(r.status, 401);
    resp_free(&r);
  }
  r = login_raw("niemand@example.org", "fout fout fout", "X-Forwarded-For: 192.0.2.79\r\n");
  assert_int_equal(r.status, 429);
  resp_free(&r);
}

/* Behind the proxy an IPv6 client may use any address of its /64: each a
 * "new address" that is always heard, the guessing never throttled.
 * Before: five wrong guesses from five addresses of one /64, then the right
 * password from a sixth, got in (200). Now the /64 is one client: 429,
 * while another /64 (the partner at home) still gets in, and an IPv4
 * address written as IPv6 is that IPv4 address. */
static void test_throttling_counts_an_ipv6_net_as_one_client(void **state) {
  (void)state;
  for (int i = 1; i <= 5; i++) {
    char xff[96];
    snprintf(xff, sizeof xff, "X-Forwarded-For: 2001:db8:aa:1::%x\r\n", 0x100 + i);
    struct resp r = login_raw("throttle6@example.org", "fout fout fout", xff);
    assert_int_equal(r.status, 401);
    resp_free(&r);
  }
  struct resp r = login_raw("throttle6@example.org", PASSWORD,
                            "X-Forwarded-For: 2001:db8:aa:1:ffff:ffff:ffff:1\r\n");
  assert_int_equal(r.status, 429);
  resp_free(&r);
  r = login_raw("throttle6@example.org", PASSWORD, "X-Forwarded-For: 2001:db8:bb:2::1\r\n");
  assert_int_equal(r.status, 200);
  resp_free(&r);
  /* test_throttling left 192.0.2.77 refused for its account. */
  r = login_raw("throttle@example.org", PASSWORD, "X-Forwarded-For: ::ffff:192.0.2.77\r\n");
  assert_int_equal(r.status, 429);
  resp_free(&r);
}

static void test_session_expires(void **state) {
  (void)state;
  struct sess s = login("expire@example.org");
  struct resp r = as(&s, 0, "GET", "/api/v1/auth/me", NULL, NULL);
  assert_int_equal(r.status, 200);
  resp_free(&r);
  sleep(SESSION_IDLE + 2);
  r = as(&s, 0, "GET", "/api/v1/auth/me", NULL, NULL);
  assert_int_equal(r.status, 401);
  assert_non_null(strstr(fx_header(&r, "Set-Cookie"), "Max-Age=0"));
  resp_free(&r);
  r = as(&s, 1, "POST", "/api/v1/partner/services", NULL, "{}");
  assert_int_equal(r.status, 401);
  resp_free(&r);
}

/* ---- who may do what -------------------------------------------------------- */

static void test_partner_cannot_touch_others(void **state) {
  (void)state;
  struct sess a = login("a@example.org"), b = login("b@example.org"),
              red = login("redactie@example.org");
  char id[SK_UUID_LEN], etag[64], t[300], h[200];
  create_svc(&a, ORG_VERSA, "Schuldhulp Huizen", 201, id, etag);
  snprintf(h, sizeof h, "If-Match: %s\r\n", etag);
  /* B: every route to A's entry is closed. */
  snprintf(t, sizeof t, "/api/v1/partner/services/%s", id);
  struct resp r = as(&b, 0, "GET", t, NULL, NULL);
  assert_int_equal(r.status, 403);
  assert_null(strstr(r.body, "Schuldhulp Huizen"));
  resp_free(&r);
  r = as(&b, 1, "PATCH", t, h, "{\"name\":\"Gekaapt\"}");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = as(&b, 1, "PUT", t, h, "{\"name\":\"Gekaapt\"}");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = as(&b, 1, "DELETE", t, h, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  snprintf(t, sizeof t, "/api/v1/partner/services/%s/confirm", id);
  r = as(&b, 1, "POST", t, NULL, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  snprintf(t, sizeof t, "/api/v1/partner/services/%s/history", id);
  r = as(&b, 0, "GET", t, NULL, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  snprintf(t, sizeof t, "/api/v1/partner/services/%s/restore", id);
  r = as(&b, 1, "POST", t, h, "{\"version\":1}");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  /* Through the wrong route, or a guessed id: not found. */
  snprintf(t, sizeof t, "/api/v1/partner/locations/%s", id);
  r = as(&b, 0, "GET", t, NULL, NULL);
  assert_int_equal(r.status, 404);
  resp_free(&r);
  r = as(&b, 0, "GET", "/api/v1/partner/services/99999999-9999-4999-8999-999999999999", NULL, NULL);
  assert_int_equal(r.status, 404);
  resp_free(&r);
  /* B creates an entry in A's organisation: refused. */
  json_t *d = svc_doc(ORG_VERSA, "Nep");
  char *body = json_dumps(d, 0);
  json_decref(d);
  r = as(&b, 1, "POST", "/api/v1/partner/services", NULL, body);
  free(body);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  /* A moves its entry to B's organisation: refused. */
  r = patch(&a, id, etag, "{\"organization\":\"" ORG_BIB "\"}");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  /* A nested reference to B's location: refused. */
  r = as(&red, 1, "POST", "/api/v1/partner/locations", NULL,
         "{\"organization\":\"" ORG_BIB
         "\",\"name\":\"Bibliotheek Laren\",\"postal_code\":\"1251 AB\"}");
  json_t *loc = expect(&r, 201, "redacteur creates a location for B");
  char loc_id[SK_UUID_LEN];
  snprintf(loc_id, sizeof loc_id, "%s", json_string_value(json_object_get(loc, "id")));
  json_decref(loc);
  resp_free(&r);
  char pbody[200];
  snprintf(pbody, sizeof pbody, "{\"locations\":[\"%s\"]}", loc_id);
  r = patch(&a, id, etag, pbody);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  /* The entry is unchanged after all that. */
  char now[64];
  json_t *doc;
  get_entry(&a, id, now, &doc);
  assert_string_equal(now, etag);
  assert_string_equal(json_string_value(json_object_get(doc, "organization")), ORG_VERSA);
  assert_int_equal(json_array_size(json_object_get(doc, "locations")), 0);
  json_decref(doc);
  /* A feed record: read-only here, with the Dutch reason. */
  snprintf(t, sizeof t, "/api/v1/partner/services/%s", SVC_SHV);
  r = as(&a, 0, "GET", t, NULL, NULL);
  json_t *feed = expect(&r, 200, "feed record read");
  assert_false(json_is_true(json_object_get(feed, "editable")));
  json_decref(feed);
  char fe[64];
  etag_of(&r, fe);
  resp_free(&r);
  r = patch(&a, SVC_SHV, fe, "{\"name\":\"Anders\"}");
  assert_int_equal(r.status, 403);
  json_t *pj = fx_json(&r);
  assert_string_equal(json_string_value(json_object_get(pj, "error")), "feed");
  assert_non_null(strstr(json_string_value(json_object_get(pj, "detail")), "feed"));
  json_decref(pj);
  resp_free(&r);
  /* A professional may read restricted fields but edit nothing. */
  struct sess pro = login("pro@example.org");
  r = patch(&pro, id, etag, "{\"name\":\"X\"}");
  assert_int_equal(r.status, 403);
  resp_free(&r);
}

static void test_validation_errors_name_the_field(void **state) {
  (void)state;
  struct sess a = login("a@example.org");
  struct resp r = as(&a, 1, "POST", "/api/v1/partner/services", NULL,
                     "{\"organization\":\"" ORG_VERSA
                     "\",\"name\":\"\",\"needs\":[\"bestaatniet\"],"
                     "\"areas\":[\"huizen\"],\"access\":\"vrij\",\"cost\":\"gratis\","
                     "\"email\":\"geen-adres\"}");
  json_t *j = expect(&r, 422, "invalid");
  assert_string_equal(json_string_value(json_object_get(j, "error")), "invalid");
  json_t *errs = json_object_get(j, "errors");
  int name = 0, needs = 0, email = 0;
  size_t i;
  json_t *e;
  json_array_foreach(errs, i, e) {
    const char *f = json_string_value(json_object_get(e, "field"));
    const char *m = json_string_value(json_object_get(e, "message"));
    assert_non_null(strstr(m, f)); /* the Dutch message names the field */
    name |= strcmp(f, "name") == 0;
    needs |= strcmp(f, "needs") == 0;
    email |= strcmp(f, "email") == 0;
  }
  assert_true(name && needs && email);
  json_decref(j);
  resp_free(&r);
  r = as(&a, 1, "POST", "/api/v1/partner/services", NULL, "{kapot");
  assert_int_equal(r.status, 400);
  resp_free(&r);
}

static void test_restricted_fields(void **state) {
  (void)state;
  const char *secret_phone = "035 999 9999", *secret_ref = "Verwijzers: 035 000 0002";
  /* anonymous */
  struct resp r = fx_get("/api/v1/services/" SVC_SHV);
  assert_int_equal(r.status, 200);
  assert_null(strstr(r.body, secret_phone));
  assert_null(strstr(r.body, secret_ref));
  resp_free(&r);
  r = fx_get("/api/v1/search?q=schuldhulpverlening");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, SVC_SHV));
  assert_null(strstr(r.body, secret_phone));
  assert_null(strstr(r.body, secret_ref));
  resp_free(&r);
  /* a stale or forged cookie is anonymous, not an error */
  r = call("GET", "/api/v1/services/" SVC_SHV,
           "Cookie: sk_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n", NULL);
  assert_int_equal(r.status, 200);
  assert_null(strstr(r.body, secret_phone));
  resp_free(&r);
  /* a professional sees them, privately */
  struct sess pro = login("pro@example.org");
  r = as(&pro, 0, "GET", "/api/v1/services/" SVC_SHV, NULL, NULL);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, secret_phone));
  assert_non_null(strstr(r.body, secret_ref));
  assert_string_equal(fx_header(&r, "Cache-Control"), "private, no-store");
  resp_free(&r);
  r = as(&pro, 0, "GET", "/api/v1/search?q=schuldhulpverlening", NULL, NULL);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, secret_ref));
  assert_string_equal(fx_header(&r, "Cache-Control"), "private, no-store");
  resp_free(&r);
  /* partner B (another organisation) does not; partner A (its own) does */
  struct sess b = login("b@example.org"), a = login("a@example.org");
  r = as(&b, 0, "GET", "/api/v1/services/" SVC_SHV, NULL, NULL);
  assert_null(strstr(r.body, secret_phone));
  assert_null(strstr(r.body, secret_ref));
  resp_free(&r);
  r = as(&b, 0, "GET", "/api/v1/search?q=schuldhulpverlening", NULL, NULL);
  assert_null(strstr(r.body, secret_ref));
  resp_free(&r);
  r = as(&a, 0, "GET", "/api/v1/services/" SVC_SHV, NULL, NULL);
  assert_non_null(strstr(r.body, secret_phone));
  resp_free(&r);
}

/* ---- If-Match, history, moderation ---------------------------------------- */

struct race {
  const struct sess *s;
  const char *id, *etag;
  int status;
  char name[32];
};

static void *race_patch(void *arg) {
  struct race *rc = arg;
  char body[100];
  snprintf(body, sizeof body, "{\"summary\":\"%s\"}", rc->name);
  struct resp r = patch(rc->s, rc->id, rc->etag, body);
  rc->status = r.status;
  resp_free(&r);
  return NULL;
}

static void test_if_match(void **state) {
  (void)state;
  struct sess a = login("a@example.org");
  char id[SK_UUID_LEN], etag[64];
  create_svc(&a, ORG_VERSA, "Thuisadministratie", 201, id, etag);
  struct resp r = patch(&a, id, NULL, "{\"summary\":\"Hulp met papieren\"}");
  assert_int_equal(r.status, 428);
  resp_free(&r);
  r = patch(&a, id, "\"0000\"", "{\"summary\":\"Hulp met papieren\"}");
  assert_int_equal(r.status, 412);
  resp_free(&r);
  /* Four saves on the same ETag at once: exactly one wins. */
  struct race rs[4];
  pthread_t th[4];
  for (int i = 0; i < 4; i++) {
    rs[i] = (struct race){&a, id, etag, 0, ""};
    snprintf(rs[i].name, sizeof rs[i].name, "Versie %d", i);
    pthread_create(&th[i], NULL, race_patch, &rs[i]);
  }
  int ok = 0, stale = 0;
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    ok += rs[i].status == 200;
    stale += rs[i].status == 412;
  }
  assert_int_equal(ok, 1);
  assert_int_equal(stale, 3);
  /* The old ETag stays stale; the new one works. */
  r = patch(&a, id, etag, "{\"summary\":\"Te laat\"}");
  assert_int_equal(r.status, 412);
  resp_free(&r);
  char now[64];
  get_entry(&a, id, now, NULL);
  r = patch(&a, id, now, "{\"summary\":\"Op tijd\"}");
  json_decref(expect(&r, 200, "fresh etag"));
  char after[64];
  etag_of(&r, after);
  assert_string_not_equal(after, now);
  resp_free(&r);
}

static void test_history_and_restore(void **state) {
  (void)state;
  struct sess a = login("a@example.org"), red = login("redactie@example.org");
  char id[SK_UUID_LEN], etag[64], t[200];
  create_svc(&a, ORG_VERSA, "Kledingbank", 201, id, etag);
  struct resp r = patch(&a, id, etag, "{\"name\":\"Kledingbank Huizen\"}");
  json_decref(expect(&r, 200, "rename 1"));
  etag_of(&r, etag);
  resp_free(&r);
  r = patch(&a, id, etag, "{\"name\":\"Kledingwinkel\",\"summary\":\"Gratis kleding\"}");
  json_decref(expect(&r, 200, "rename 2"));
  etag_of(&r, etag);
  resp_free(&r);
  snprintf(t, sizeof t, "/api/v1/partner/services/%s/history", id);
  r = as(&red, 0, "GET", t, NULL, NULL);
  json_t *h = expect(&r, 200, "history");
  resp_free(&r);
  assert_true(json_array_size(json_object_get(h, "versions")) >= 3);
  int saw_rename = 0, saw_summary = 0;
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(h, "changes"), i, c) {
    const char *f = json_string_value(json_object_get(c, "field"));
    const char *o = json_string_value(json_object_get(c, "old"));
    const char *n = json_string_value(json_object_get(c, "new"));
    if (strcmp(f, "name") == 0 && o && n && strcmp(o, "Kledingbank Huizen") == 0 &&
        strcmp(n, "Kledingwinkel") == 0)
      saw_rename = 1;
    if (strcmp(f, "summary") == 0 && n && strcmp(n, "Gratis kleding") == 0)
      saw_summary = 1;
    assert_non_null(strstr(json_string_value(json_object_get(c, "actor")), "account:"));
  }
  assert_true(saw_rename && saw_summary);
  json_decref(h);
  /* A partner may not restore; the redacteur may. */
  snprintf(t, sizeof t, "/api/v1/partner/services/%s/restore", id);
  char hdr[200];
  snprintf(hdr, sizeof hdr, "If-Match: %s\r\n", etag);
  r = as(&a, 1, "POST", t, hdr, "{\"version\":1}");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = as(&red, 1, "POST", t, hdr, "{\"version\":1}");
  json_t *doc = expect(&r, 200, "restore");
  assert_string_equal(json_string_value(json_object_get(doc, "name")), "Kledingbank");
  assert_true(json_is_null(json_object_get(doc, "summary")));
  json_decref(doc);
  resp_free(&r);
  /* The public API sees the restored entry. */
  snprintf(t, sizeof t, "/api/v1/services/%s", id);
  json_t *pub = fx_get_json(t, 200);
  assert_string_equal(json_string_value(json_object_get(pub, "name")), "Kledingbank");
  json_decref(pub);
  /* ... and the restore is itself in the history. */
  snprintf(t, sizeof t, "/api/v1/partner/services/%s/history", id);
  r = as(&red, 0, "GET", t, NULL, NULL);
  h = expect(&r, 200, "history after restore");
  assert_non_null(strstr(r.body, "restore:1"));
  json_decref(h);
  resp_free(&r);
}

static void test_moderation_holds_until_approved(void **state) {
  (void)state;
  struct sess b = login("b@example.org"), red = login("redactie@example.org");
  /* The redacteur publishes an entry for B's organisation. */
  char id[SK_UUID_LEN], etag[64], t[200];
  create_svc(&red, ORG_BIB, "Voorleesuur", 201, id, etag);
  /* B's edit is held. */
  get_entry(&b, id, etag, NULL);
  struct resp r = patch(&b, id, etag, "{\"name\":\"Voorleesuur voor peuters\"}");
  json_t *held = expect(&r, 202, "held edit");
  char pending[64];
  snprintf(pending, sizeof pending, "%s", json_string_value(json_object_get(held, "pending")));
  json_decref(held);
  resp_free(&r);
  snprintf(t, sizeof t, "/api/v1/services/%s", id);
  json_t *pub = fx_get_json(t, 200);
  assert_string_equal(json_string_value(json_object_get(pub, "name")), "Voorleesuur");
  json_decref(pub);
  /* B cannot approve its own edit. */
  snprintf(t, sizeof t, "/api/v1/partner/reviews/%s/approve", pending);
  r = as(&b, 1, "POST", t, NULL, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  /* The redacteur sees it with a field diff and approves it. */
  r = as(&red, 0, "GET", "/api/v1/partner/reviews", NULL, NULL);
  json_t *list = expect(&r, 200, "review list");
  resp_free(&r);
  int found = 0;
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(list, "items"), i, it) {
    if (strcmp(json_string_value(json_object_get(it, "id")), pending) != 0)
      continue;
    found = 1;
    json_t *d0 = json_array_get(json_object_get(it, "diff"), 0);
    assert_string_equal(json_string_value(json_object_get(d0, "field")), "name");
    assert_string_equal(json_string_value(json_object_get(d0, "new")), "Voorleesuur voor peuters");
  }
  assert_true(found);
  json_decref(list);
  r = as(&red, 1, "POST", t, NULL, NULL);
  json_decref(expect(&r, 200, "approve"));
  resp_free(&r);
  snprintf(t, sizeof t, "/api/v1/services/%s", id);
  pub = fx_get_json(t, 200);
  assert_string_equal(json_string_value(json_object_get(pub, "name")), "Voorleesuur voor peuters");
  json_decref(pub);
  /* A rejected edit: a reason is needed, B sees it in its to-do list. */
  get_entry(&b, id, etag, NULL);
  r = patch(&b, id, etag, "{\"summary\":\"Reclame\"}");
  held = expect(&r, 202, "held edit 2");
  snprintf(pending, sizeof pending, "%s", json_string_value(json_object_get(held, "pending")));
  json_decref(held);
  resp_free(&r);
  snprintf(t, sizeof t, "/api/v1/partner/reviews/%s/reject", pending);
  r = as(&red, 1, "POST", t, NULL, "{}");
  assert_int_equal(r.status, 422);
  resp_free(&r);
  r = as(&red, 1, "POST", t, NULL, "{\"reason\":\"Dit is reclame.\"}");
  json_decref(expect(&r, 200, "reject"));
  resp_free(&r);
  r = as(&b, 0, "GET", "/api/v1/partner/todo", NULL, NULL);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "Dit is reclame."));
  resp_free(&r);
}

/* ---- currency ------------------------------------------------------------------ */

static void test_confirm(void **state) {
  (void)state;
  struct sess a = login("a@example.org");
  char id[SK_UUID_LEN], etag[64], t[200];
  create_svc(&a, ORG_VERSA, "Maatjesproject", 201, id, etag);
  struct sk_store *st = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  char sql[300];
  snprintf(sql, sizeof sql, "UPDATE service SET assured_date = '2020-01-01' WHERE id = '%s'", id);
  fx_exec(st, sql);
  sk_store_close(st);
  snprintf(t, sizeof t, "/api/v1/partner/services/%s/confirm", id);
  struct resp r = as(&a, 1, "POST", t, NULL, NULL);
  json_t *doc = expect(&r, 200, "confirm");
  char today[11];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(today, sizeof today, "%Y-%m-%d", &tm);
  assert_non_null(strstr(json_string_value(json_object_get(doc, "assured_date")), today));
  json_decref(doc);
  resp_free(&r);
  snprintf(t, sizeof t, "/api/v1/services/%s", id);
  json_t *pub = fx_get_json(t, 200);
  assert_false(json_is_true(json_object_get(pub, "stale")));
  json_decref(pub);
}

static void test_reminder_outbox_lists_exactly_the_stale(void **state) {
  (void)state;
  struct sess c = login("c@example.org"), red = login("redactie@example.org");
  char fresh[SK_UUID_LEN], stale[SK_UUID_LEN], old2[SK_UUID_LEN], etag[64];
  create_svc(&c, ORG_C, "Vers aanbod", 201, fresh, etag);
  create_svc(&c, ORG_C, "Oud aanbod", 201, stale, etag);
  create_svc(&c, ORG_C, "Nooit bevestigd", 201, old2, etag);
  struct sk_store *st = NULL;
  char err[256], sql[400];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  snprintf(sql, sizeof sql,
           "UPDATE service SET assured_date = '2025-01-01' WHERE id = '%s';"
           "UPDATE service SET assured_date = NULL WHERE id = '%s'",
           stale, old2);
  fx_exec(st, sql);
  /* `sociale-kaart reminders` does this (cli/cmd_reminders.c). */
  struct sk_portal p;
  sk_portal_init(&p, st, th_taxonomy());
  struct sk_portal_reminder_opts o = {"https://sk.example", NULL, "2099-03"};
  int n = 0;
  assert_int_equal(sk_portal_reminders_build(&p, &o, &n), SK_OK);
  assert_true(n >= 1);
  sk_store_close(st);
  struct resp r = as(&c, 0, "GET", "/api/v1/partner/outbox", NULL, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = as(&red, 0, "GET", "/api/v1/partner/outbox", NULL, NULL);
  json_t *j = expect(&r, 200, "outbox");
  resp_free(&r);
  int mine = 0;
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(j, "items"), i, it) {
    if (strcmp(json_string_value(json_object_get(it, "account_id")), g_id_c) != 0 ||
        strcmp(json_string_value(json_object_get(it, "period")), "2099-03") != 0)
      continue;
    mine++;
    json_t *e = json_object_get(it, "entries");
    assert_int_equal(json_array_size(e), 2);
    int s1 = 0, s2 = 0;
    size_t k;
    json_t *v;
    json_array_foreach(e, k, v) {
      s1 |= strcmp(json_string_value(v), stale) == 0;
      s2 |= strcmp(json_string_value(v), old2) == 0;
    }
    assert_true(s1 && s2);
    assert_non_null(strstr(json_string_value(json_object_get(it, "body")), stale));
    assert_null(strstr(json_string_value(json_object_get(it, "body")), fresh));
  }
  assert_int_equal(mine, 1);
  json_decref(j);
  /* The partner's to-do list agrees. */
  r = as(&c, 0, "GET", "/api/v1/partner/todo", NULL, NULL);
  j = expect(&r, 200, "todo");
  assert_int_equal(json_array_size(json_object_get(j, "stale")), 2);
  json_decref(j);
  resp_free(&r);
}

static void test_corrections(void **state) {
  (void)state;
  struct sess a = login("a@example.org"), red = login("redactie@example.org");
  char id[SK_UUID_LEN], etag[64], t[200];
  create_svc(&a, ORG_VERSA, "Repair Café", 201, id, etag);
  json_t *tj = fx_get_json("/api/v1/corrections/token", 200);
  char tok[128];
  snprintf(tok, sizeof tok, "%s", json_string_value(json_object_get(tj, "form_token")));
  json_decref(tj);
  snprintf(t, sizeof t, "/api/v1/services/%s/corrections", id);
  char body[600];
  /* A key the form does not have: refused, naming it (not stored). */
  snprintf(body, sizeof body,
           "{\"message\":\"Klopt niet\",\"form_token\":\"%s\",\"status\":\"closed\"}", tok);
  struct resp u = call("POST", t,
                       "Content-Type: application/json\r\nX-Forwarded-For: 192.0.2.89\r\n", body);
  assert_int_equal(u.status, 422);
  assert_non_null(strstr(u.body, "'status'"));
  resp_free(&u);
  /* Too fast: a robot. Answered like success, nothing stored. */
  snprintf(body, sizeof body, "{\"message\":\"Robot\",\"form_token\":\"%s\"}", tok);
  struct resp r = call("POST", t,
                       "Content-Type: application/json\r\nX-Forwarded-For: 192.0.2.90\r\n", body);
  assert_int_equal(r.status, 201);
  resp_free(&r);
  sleep(SK_CORRECTION_MIN_SECONDS + 1);
  /* sessions here idle out in SESSION_IDLE seconds: log in again */
  a = login("a@example.org");
  red = login("redactie@example.org");
  snprintf(body, sizeof body,
           "{\"message\":\"De openingstijden kloppen niet meer.\",\"name\":\"Jan\","
           "\"form_token\":\"%s\",\"website\":\"\"}",
           tok);
  r = call("POST", t, "Content-Type: application/json\r\nX-Forwarded-For: 192.0.2.90\r\n", body);
  assert_int_equal(r.status, 201);
  resp_free(&r);
  /* A filled honeypot: looks fine, is dropped. */
  snprintf(body, sizeof body,
           "{\"message\":\"Koop nu!\",\"form_token\":\"%s\",\"website\":\"http://spam\"}", tok);
  r = call("POST", t, "Content-Type: application/json\r\nX-Forwarded-For: 192.0.2.90\r\n", body);
  assert_int_equal(r.status, 201);
  resp_free(&r);
  /* It lands with the owning partner and the redacteur. */
  r = as(&a, 0, "GET", "/api/v1/partner/corrections", NULL, NULL);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "De openingstijden kloppen niet meer."));
  assert_null(strstr(r.body, "Koop nu!"));
  assert_null(strstr(r.body, "Robot"));
  resp_free(&r);
  r = as(&red, 0, "GET", "/api/v1/partner/corrections", NULL, NULL);
  assert_non_null(strstr(r.body, "De openingstijden kloppen niet meer."));
  resp_free(&r);
  struct sess b = login("b@example.org");
  r = as(&b, 0, "GET", "/api/v1/partner/corrections", NULL, NULL);
  assert_null(strstr(r.body, "De openingstijden kloppen niet meer."));
  resp_free(&r);
  /* Rate limit per client address. */
  snprintf(body, sizeof body, "{\"message\":\"Nog iets\",\"form_token\":\"%s\"}", tok);
  int limited = 0;
  for (int i = 0; i < SK_CORRECTION_PER_HOUR + 1; i++) {
    r = call("POST", t, "Content-Type: application/json\r\nX-Forwarded-For: 192.0.2.91\r\n", body);
    if (r.status == 429) {
      limited = 1;
      assert_non_null(fx_header(&r, "Retry-After"));
    } else {
      assert_int_equal(r.status, 201);
    }
    resp_free(&r);
  }
  assert_true(limited);
  /* An empty message names the field. */
  snprintf(body, sizeof body, "{\"message\":\" \",\"form_token\":\"%s\"}", tok);
  r = call("POST", t, "Content-Type: application/json\r\nX-Forwarded-For: 192.0.2.92\r\n", body);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body, "message"));
  resp_free(&r);
}

/* ---- limits and a reindex -------------------------------------------------------- */

static void test_body_limits(void **state) {
  (void)state;
  struct sess a = login("a@example.org");
  size_t big = 200 * 1024;
  char *body = malloc(big + 200);
  int n = snprintf(body, 200,
                   "{\"organization\":\"" ORG_VERSA "\",\"name\":\"Groot\",\"description\":\"");
  memset(body + n, 'a', big);
  snprintf(body + n + big, 100, "\"}");
  /* 200 KiB on a partner route is read (and then judged on content). */
  struct resp r = as(&a, 1, "POST", "/api/v1/partner/services", NULL, body);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body, "description"));
  resp_free(&r);
  free(body);
  body = malloc(300 * 1024 + 1);
  memset(body, ' ', 300 * 1024);
  body[300 * 1024] = '\0';
  r = as(&a, 1, "POST", "/api/v1/partner/services", NULL, body);
  assert_int_equal(r.status, 413);
  resp_free(&r);
  /* Public routes keep the small limit. */
  body[20 * 1024] = '\0';
  r = call("POST", "/api/v1/services/" SVC_SHV "/corrections", "Content-Type: application/json\r\n",
           body);
  assert_int_equal(r.status, 413);
  resp_free(&r);
  free(body);
  /* Read-only routes still refuse writes. */
  r = call("POST", "/api/v1/search", NULL, "{}");
  assert_int_equal(r.status, 405);
  resp_free(&r);
}

static void test_reindex_never_touches_portal_data(void **state) {
  (void)state;
  struct sess a = login("a@example.org");
  char id[SK_UUID_LEN], etag[64];
  create_svc(&a, ORG_VERSA, "Portaalaanbod", 201, id, etag);
  struct resp r = patch(&a, id, etag, "{\"summary\":\"Met de hand\"}");
  json_decref(expect(&r, 200, "edit"));
  etag_of(&r, etag);
  resp_free(&r);
  json_t *before;
  char e0[64];
  get_entry(&a, id, e0, &before);
  /* The feed of the same partner runs (a full apply replaces its rows). */
  struct sk_store *st = NULL;
  char err[512];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  long long log_before = th_query_int(
      st, "SELECT count(*) FROM change_log WHERE actor LIKE 'account:%'");
  const char *doc =
      "{\"format\": \"sociale-kaart-partner/1\", \"organizations\": [{\"key\": \"versa\","
      " \"name\": \"Versa Welzijn\"}], \"services\": [{\"key\": \"nieuw\", \"organization\":"
      " \"versa\", \"name\": \"Portaalaanbod\", \"needs\": [\"geld\"], \"areas\": [\"huizen\"],"
      " \"access\": \"vrij\", \"cost\": \"gratis\"}]}";
  struct ix_batch b;
  ix_batch_init(&b, 0);
  if (ix_partner_json_parse(doc, strlen(doc), &b, err, sizeof err))
    fail_msg("parse: %s", err);
  assert_int_equal(ix_validate_batch(&b, th_taxonomy()), SK_OK);
  /* It withdraws both of versa's feed offerings: past the shrink guard. */
  assert_int_equal(ix_apply_accept_shrink(st, "versa"), SK_OK);
  if (ix_apply(st, "versa", &b, NULL, NULL, err, sizeof err))
    fail_msg("apply: %s", err);
  ix_batch_free(&b);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM change_log WHERE actor LIKE 'account:%'"),
                   log_before);
  sk_store_close(st);
  json_t *after;
  char e1[64];
  get_entry(&a, id, e1, &after);
  assert_string_equal(e0, e1);
  assert_true(json_equal(before, after));
  json_decref(before);
  json_decref(after);
}

/* The partner's feed stops listing its organisation: the organisation's
 * feed offerings go, but its portal entries stay public with their
 * organisation (detail page and search). */
static void test_feed_dropping_the_organisation_keeps_portal_entries(void **state) {
  (void)state;
  struct sess a = login("a@example.org");
  char id[SK_UUID_LEN], etag[64];
  create_svc(&a, ORG_VERSA, "Klusjesdienst Zonnebloemstraat", 201, id, etag);
  struct sk_store *st = NULL;
  char err[512];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  const char *doc =
      "{\"format\": \"sociale-kaart-partner/1\", \"organizations\": [{\"key\": \"ander\","
      " \"name\": \"Andere Stichting\"}], \"services\": [{\"key\": \"ander-1\", \"organization\":"
      " \"ander\", \"name\": \"Iets anders\", \"needs\": [\"geld\"], \"areas\": [\"huizen\"],"
      " \"access\": \"vrij\", \"cost\": \"gratis\"}]}";
  struct ix_batch b;
  ix_batch_init(&b, 0);
  if (ix_partner_json_parse(doc, strlen(doc), &b, err, sizeof err))
    fail_msg("parse: %s", err);
  assert_int_equal(ix_validate_batch(&b, th_taxonomy()), SK_OK);
  assert_int_equal(ix_apply_accept_shrink(st, "versa"), SK_OK);
  if (ix_apply(st, "versa", &b, NULL, NULL, err, sizeof err))
    fail_msg("apply: %s", err);
  ix_batch_free(&b);
  /* The feed's own offerings of versa are withdrawn ... */
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service s JOIN organization o ON"
                                    " o.rid = s.organization_rid WHERE o.id = '" ORG_VERSA "'"
                                    " AND s.source = 'feed:versa' AND s.status = 'active'"),
                   0);
  sk_store_close(st);
  web_server_data_changed(g_srv);

  /* ... the portal entry is still public, with its organisation. */
  char t[200];
  snprintf(t, sizeof t, "/api/v1/services/%s", id);
  json_t *d = fx_get_json(t, 200);
  json_t *org = json_object_get(d, "organization");
  assert_non_null(org);
  assert_string_equal(json_string_value(json_object_get(org, "id")), ORG_VERSA);
  json_decref(d);
  d = fx_get_json("/api/v1/organizations/" ORG_VERSA, 200);
  json_decref(d);
  /* A reindex reaches search when the worker's background builder has
   * swapped in the new snapshot (docs/search.md): wait for that, bounded. */
  int found = 0;
  for (int tries = 0; !found && tries < 1200; tries++) { /* <= 120 s: generous (~1 s + one build) */
    if (tries) {
      struct timespec ts = {0, 100 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
    d = fx_get_json("/api/v1/search?q=klusjesdienst", 200);
    json_t *it;
    size_t i;
    json_array_foreach(json_object_get(d, "items"), i, it)
        found |= strcmp(json_string_value(json_object_get(it, "id")), id) == 0;
    json_decref(d);
    if (found)
      printf("# the portal entry was in search after %d tries of 100 ms\n", tries);
  }
  assert_true(found);
}

/* ---- an account's own tokens and password, over HTTP ------------------------- */

static long long account_rid(const char *email) {
  struct sk_store *st = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  struct sk_account a;
  assert_int_equal(sk_auth_account_by_email(st, email, &a), SK_OK);
  sk_store_close(st);
  return a.rid;
}

static void new_token(const char *email, const char *label, char tok[SK_AUTH_TOKEN_LEN]) {
  struct sk_store *st = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  assert_int_equal(
      sk_auth_token_create(st, account_rid(email), label, 0, (int64_t)time(NULL), tok, NULL),
      SK_OK);
  sk_store_close(st);
}

static int bearer_status(const char *tok) {
  char h[200];
  snprintf(h, sizeof h, "Authorization: Bearer %s\r\n", tok);
  struct resp r = call("GET", "/api/v1/auth/me", h, NULL);
  int st = r.status;
  resp_free(&r);
  return st;
}

static void test_tokens_listed_and_revoked_by_their_owner(void **state) {
  (void)state;
  char one[SK_AUTH_TOKEN_LEN], two[SK_AUTH_TOKEN_LEN];
  new_token("tok@example.org", "eerste", one);
  new_token("tok@example.org", "tweede", two);
  char p1[SK_AUTH_API_PREFIX_LEN + 1], p2[SK_AUTH_API_PREFIX_LEN + 1];
  memcpy(p1, one, SK_AUTH_API_PREFIX_LEN);
  p1[SK_AUTH_API_PREFIX_LEN] = '\0';
  memcpy(p2, two, SK_AUTH_API_PREFIX_LEN);
  p2[SK_AUTH_API_PREFIX_LEN] = '\0';
  struct sess t = login("tok@example.org"), b = login("b@example.org");
  struct resp r = as(&t, 0, "GET", "/api/v1/auth/tokens", NULL, NULL);
  json_t *j = expect(&r, 200, "token list");
  assert_int_equal(json_array_size(json_object_get(j, "items")), 2);
  assert_null(strstr(r.body, one));
  assert_non_null(strstr(r.body, p1));
  assert_string_equal(fx_header(&r, "Cache-Control"), "no-store");
  json_decref(j);
  resp_free(&r);

  char target[100];
  snprintf(target, sizeof target, "/api/v1/auth/tokens/%s", p1);
  r = as(&b, 1, "DELETE", target, NULL, NULL); /* not b's token */
  assert_int_equal(r.status, 404);
  resp_free(&r);
  r = as(&t, 0, "DELETE", target, NULL, NULL); /* no CSRF token */
  assert_int_equal(r.status, 403);
  resp_free(&r);
  assert_int_equal(bearer_status(one), 200);
  r = as(&t, 1, "DELETE", target, NULL, NULL);
  json_decref(expect(&r, 200, "revoke"));
  resp_free(&r);
  assert_int_equal(bearer_status(one), 401);
  assert_int_equal(bearer_status(two), 200);
  /* A token may revoke itself (a leaked one, by the script that holds it). */
  char h[200];
  snprintf(h, sizeof h, "Authorization: Bearer %s\r\n", two);
  snprintf(target, sizeof target, "/api/v1/auth/tokens/%s", p2);
  r = call("DELETE", target, h, NULL);
  assert_int_equal(r.status, 200);
  resp_free(&r);
  assert_int_equal(bearer_status(two), 401);
  r = call("GET", "/api/v1/auth/tokens", NULL, NULL);
  assert_int_equal(r.status, 401);
  resp_free(&r);
}

static struct resp form_post(const struct sess *s, const char *target, const char *body,
                             const char *extra) {
  char h[600];
  snprintf(h, sizeof h, "Content-Type: application/x-www-form-urlencoded\r\n%s%s%s%s",
           s ? "Cookie: " : "", s ? s->cookie : "", s ? "\r\n" : "", extra ? extra : "");
  return call("POST", target, h, body);
}

static void test_password_change_page(void **state) {
  (void)state;
  char tok[SK_AUTH_TOKEN_LEN];
  new_token("pw@example.org", "script", tok);
  struct sess s = login("pw@example.org"), other = login("pw@example.org");
  char body[400];
  /* Without the form's CSRF token: refused. */
  struct resp r = form_post(&s, "/portal/wachtwoord",
                            "huidig=correct+horse+battery&nieuw=een+heel+nieuw+wachtwoord", NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  /* The wrong current password: back to the form. */
  snprintf(body, sizeof body, "csrf=%s&huidig=fout+fout+fout&nieuw=een+heel+nieuw+wachtwoord",
           s.csrf);
  r = form_post(&s, "/portal/wachtwoord", body, "X-Forwarded-For: 192.0.2.77\r\n");
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/portaal/wachtwoord.html?fout=huidig");
  resp_free(&r);
  snprintf(body, sizeof body, "csrf=%s&huidig=correct+horse+battery&nieuw=kort", s.csrf);
  r = form_post(&s, "/portal/wachtwoord", body, NULL);
  assert_string_equal(fx_header(&r, "Location"), "/portaal/wachtwoord.html?fout=nieuw");
  resp_free(&r);

  snprintf(body, sizeof body,
           "csrf=%s&huidig=correct+horse+battery&nieuw=een+heel+nieuw+wachtwoord", s.csrf);
  r = form_post(&s, "/portal/wachtwoord", body, NULL);
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/portaal/?wachtwoord=gewijzigd");
  const char *c = fx_header(&r, "Set-Cookie");
  assert_non_null(c);
  struct sess fresh;
  memset(&fresh, 0, sizeof fresh);
  snprintf(fresh.cookie, sizeof fresh.cookie, "%.*s", (int)(strchr(c, ';') - c), c);
  resp_free(&r);
  /* Every old session and the API token have ended; the new cookie works. */
  r = as(&s, 0, "GET", "/api/v1/auth/me", NULL, NULL);
  assert_int_equal(r.status, 401);
  resp_free(&r);
  r = as(&other, 0, "GET", "/api/v1/auth/me", NULL, NULL);
  assert_int_equal(r.status, 401);
  resp_free(&r);
  r = as(&fresh, 0, "GET", "/api/v1/auth/me", NULL, NULL);
  assert_int_equal(r.status, 200);
  resp_free(&r);
  assert_int_equal(bearer_status(tok), 401);
  r = login_raw("pw@example.org", "een heel nieuw wachtwoord", NULL);
  assert_int_equal(r.status, 200);
  resp_free(&r);
  /* Not logged in: to the login page. */
  r = form_post(NULL, "/portal/wachtwoord", "huidig=a&nieuw=b", NULL);
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/portaal/inloggen.html");
  resp_free(&r);
}

/* The reset link from the outbox body (the last one for to), or "". */
static void outbox_link(const char *to, char *token, size_t len) {
  struct sk_store *st = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  sqlite3_stmt *q;
  assert_int_equal(sqlite3_prepare_v2(st->db,
                                      "SELECT body FROM portal_outbox WHERE to_email = ?1 AND"
                                      " period LIKE 'wachtwoord:%' ORDER BY rid DESC LIMIT 1",
                                      -1, &q, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(q, 1, to, -1, SQLITE_STATIC);
  token[0] = '\0';
  if (sqlite3_step(q) == SQLITE_ROW) {
    const char *b = (const char *)sqlite3_column_text(q, 0);
    const char *l = strstr(b, "https://kaart.example.org/portal/wachtwoord?token=");
    assert_non_null(l);
    l += strlen("https://kaart.example.org/portal/wachtwoord?token=");
    size_t n = strcspn(l, "\n");
    assert_true(n < len);
    memcpy(token, l, n);
    token[n] = '\0';
  }
  sqlite3_finalize(q);
  sk_store_close(st);
}

static long long outbox_count(const char *to) {
  struct sk_store *st = NULL;
  char err[256], sql[200];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM portal_outbox WHERE to_email = '%s'", to);
  long long n = th_query_int(st, sql);
  sk_store_close(st);
  return n;
}

/* How many "wachtwoord vergeten" requests the server has looked up (the
 * lookup runs after the answer, off the request thread). */
static unsigned long long resets_looked_up(void) {
  struct resp r = fx_get("/metrics");
  assert_int_equal(r.status, 200);
  const char *name = "sk_password_reset_requests_total{outcome=\"looked_up\"} ";
  const char *at = strstr(r.body, name);
  assert_non_null(at);
  unsigned long long n = strtoull(at + strlen(name), NULL, 10);
  resp_free(&r);
  return n;
}

/* Wait (bounded) until n requests have been looked up in all. */
static void resets_wait(unsigned long long n) {
  for (int i = 0; i < 500 && resets_looked_up() < n; i++) {
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  assert_true(resets_looked_up() >= n);
}

static void test_password_reset_by_email_link(void **state) {
  (void)state;
  unsigned long long looked = resets_looked_up();
  /* Known and unknown address: the very same answer. */
  struct resp known = form_post(NULL, "/portal/wachtwoord-vergeten", "email=reset%40example.org",
                                "X-Forwarded-For: 192.0.2.91\r\n");
  struct resp unknown = form_post(NULL, "/portal/wachtwoord-vergeten",
                                  "email=niemand%40example.org", "X-Forwarded-For: 192.0.2.91\r\n");
  looked += 2;
  resets_wait(looked);
  assert_int_equal(known.status, 303);
  assert_int_equal(unknown.status, 303);
  assert_string_equal(fx_header(&known, "Location"), fx_header(&unknown, "Location"));
  assert_int_equal(known.body_len, unknown.body_len);
  assert_null(fx_header(&known, "Set-Cookie"));
  resp_free(&known);
  resp_free(&unknown);
  assert_int_equal(outbox_count("reset@example.org"), 1);
  assert_int_equal(outbox_count("niemand@example.org"), 0);
  char token[SK_AUTH_TOKEN_LEN + 8];
  outbox_link("reset@example.org", token, sizeof token);
  assert_true(strlen(token) > 20);
  /* Asked again at once: no second mail (throttled), same answer. */
  struct resp again = form_post(NULL, "/portal/wachtwoord-vergeten", "email=reset%40example.org",
                                "X-Forwarded-For: 192.0.2.92\r\n");
  assert_int_equal(again.status, 303);
  resp_free(&again);
  resets_wait(++looked);
  assert_int_equal(outbox_count("reset@example.org"), 1);
  /* The redactie sees that a mail waits, never the link in it. */
  struct sess red = login("redactie@example.org");
  struct resp r = as(&red, 0, "GET", "/api/v1/partner/outbox", NULL, NULL);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "reset@example.org"));
  assert_null(strstr(r.body, token));
  resp_free(&r);
  /* From another site: refused. */
  r = form_post(NULL, "/portal/wachtwoord-vergeten", "email=reset%40example.org",
                "Origin: https://evil.example\r\n");
  assert_int_equal(r.status, 403);
  resp_free(&r);

  /* The link in the mail leads to the page, token kept. */
  char target[200], body[300];
  snprintf(target, sizeof target, "/portal/wachtwoord?token=%s", token);
  r = call("GET", target, NULL, NULL);
  assert_int_equal(r.status, 303);
  snprintf(body, sizeof body, "/portaal/wachtwoord.html?token=%s", token);
  assert_string_equal(fx_header(&r, "Location"), body);
  resp_free(&r);
  snprintf(body, sizeof body, "token=%s&nieuw=kort", token);
  r = form_post(NULL, "/portal/wachtwoord", body, NULL);
  assert_int_equal(r.status, 303);
  assert_non_null(strstr(fx_header(&r, "Location"), "fout=nieuw"));
  resp_free(&r);
  snprintf(body, sizeof body, "token=%s&nieuw=mijn+nieuwe+wachtwoordzin", token);
  r = form_post(NULL, "/portal/wachtwoord", body, NULL);
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/portaal/inloggen.html?wachtwoord=nieuw");
  resp_free(&r);
  r = login_raw("reset@example.org", "mijn nieuwe wachtwoordzin", NULL);
  assert_int_equal(r.status, 200);
  resp_free(&r);
  r = login_raw("reset@example.org", PASSWORD, "X-Forwarded-For: 192.0.2.93\r\n");
  assert_int_equal(r.status, 401);
  resp_free(&r);
  /* One use only. */
  snprintf(body, sizeof body, "token=%s&nieuw=nog+een+ander+wachtwoord", token);
  r = form_post(NULL, "/portal/wachtwoord", body, NULL);
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/portaal/wachtwoord.html?fout=link");
  resp_free(&r);
}

/* The login's Origin check compares the scheme too: a page on
 * https://host may not log in to http://host, nor the other way round. */
static void test_login_origin_scheme(void **state) {
  (void)state;
  struct resp r = login_raw("a@example.org", PASSWORD, "Origin: https://127.0.0.1\r\n");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = login_raw("a@example.org", PASSWORD, "Origin: http://127.0.0.1\r\n");
  assert_int_equal(r.status, 200);
  resp_free(&r);
  /* Behind the TLS proxy (X-Forwarded-Proto: https) it is the reverse. */
  r = login_raw("a@example.org", PASSWORD,
                "Origin: http://127.0.0.1\r\nX-Forwarded-Proto: https\r\n");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = login_raw("a@example.org", PASSWORD,
                "Origin: https://127.0.0.1\r\nX-Forwarded-Proto: https\r\n");
  assert_int_equal(r.status, 200);
  resp_free(&r);
  r = login_raw("a@example.org", PASSWORD, "Origin: ftp://127.0.0.1\r\n");
  assert_int_equal(r.status, 403);
  resp_free(&r);
}

/* ---- "Is dit uw organisatie?" ------------------------------------------------ */

#define ORG_D "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"
#define SVC_D "eeeeeeee-0000-4000-8000-eeeeeeeeeeee"

/* The claim link in the newest message to `to`, or "". */
static void claim_link(const char *to, char *token, size_t len) {
  struct sk_store *st = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  sqlite3_stmt *q;
  assert_int_equal(sqlite3_prepare_v2(st->db,
                                      "SELECT body FROM portal_outbox WHERE to_email = ?1 AND"
                                      " period LIKE 'claim:%' ORDER BY rid DESC LIMIT 1",
                                      -1, &q, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(q, 1, to, -1, SQLITE_STATIC);
  token[0] = '\0';
  if (sqlite3_step(q) == SQLITE_ROW) {
    const char *b = (const char *)sqlite3_column_text(q, 0);
    const char *l = strstr(b, "https://kaart.example.org/aanvraag?t=");
    assert_non_null(l);
    l += strlen("https://kaart.example.org/aanvraag?t=");
    size_t n = strcspn(l, "\n");
    assert_true(n < len);
    memcpy(token, l, n);
    token[n] = '\0';
  }
  sqlite3_finalize(q);
  sk_store_close(st);
}

/* An organisation without an account asks for one from its own page, with
 * no JavaScript: the link goes to its address from the data; following it
 * files the claim; the redacteur approves; the account edits that
 * organisation only. Forged and expired links are refused, the answer is
 * the same for every organisation, and requests are throttled. */
static void test_claim_organisation(void **state) {
  (void)state;
  struct sk_store *st = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  fx_exec(st, "INSERT INTO organization(id, source, source_key, name, email, created,"
              " last_modified) VALUES ('" ORG_D "', 'portal', '" ORG_D "', 'Stichting D',"
              " 'info@d.example.org', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
              "INSERT INTO service(id, organization_rid, source, source_key, kind, name, status,"
              " created, last_modified) SELECT '" SVC_D "', rid, 'portal', '" SVC_D "', 'aanbod',"
              " 'Maatjes D', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM"
              " organization WHERE id = '" ORG_D "';"
              "INSERT INTO service_taxonomy(service_rid, vocabulary, code) SELECT rid, v, c FROM"
              " service, (SELECT 'need' AS v, 'geld.schulden' AS c UNION ALL SELECT 'access',"
              " 'vrij' UNION ALL SELECT 'cost', 'gratis') WHERE id = '" SVC_D "';"
              "INSERT INTO service_area(service_rid, area_code) SELECT rid, 'huizen' FROM service"
              " WHERE id = '" SVC_D "'");
  sk_store_close(st);

  /* The organisation's page offers the form, a plain POST. */
  struct resp r = call("GET", "/organisatie/" ORG_D "/stichting-d", NULL, NULL);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "Is dit uw organisatie?"));
  assert_non_null(strstr(r.body, "action=\"/organisatie/" ORG_D "/aanvragen\""));
  resp_free(&r);
  /* So does each of its offerings: the same form, for the offering's organisation. */
  r = call("GET", "/aanbod/" SVC_D "/maatjes-d", NULL, NULL);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "Is dit uw organisatie?"));
  assert_non_null(strstr(r.body, "action=\"/organisatie/" ORG_D "/aanvragen\""));
  resp_free(&r);

  /* Asking: D (an address, no account), C (has an account) and the library
   * (no address) get the very same page; only D's address gets a mail. */
  const char *xff = "X-Forwarded-For: 192.0.2.120\r\n";
  struct resp d = form_post(NULL, "/organisatie/" ORG_D "/aanvragen", "", xff);
  struct resp c = form_post(NULL, "/organisatie/" ORG_C "/aanvragen", "", xff);
  struct resp b = form_post(NULL, "/organisatie/" ORG_BIB "/aanvragen", "email=ik%40boef.example",
                            xff);
  assert_int_equal(d.status, 200);
  assert_int_equal(c.status, 200);
  assert_int_equal(b.status, 200);
  assert_int_equal(d.body_len, c.body_len);
  assert_null(strstr(d.body, "info@d.example.org")); /* the address is not shown */
  resp_free(&d);
  resp_free(&c);
  resp_free(&b);
  assert_int_equal(outbox_count("info@d.example.org"), 1);
  char none[SK_VERIFY_TOKEN_MAX];
  claim_link("c@example.org", none, sizeof none);
  assert_string_equal(none, "");
  assert_int_equal(outbox_count("ik@boef.example"), 0); /* never a typed address */
  /* From another site: refused. */
  r = form_post(NULL, "/organisatie/" ORG_D "/aanvragen", "", "Origin: https://evil.example\r\n");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  /* "Origin: null" (our Referrer-Policy makes browsers send it for a plain
   * form): only with Sec-Fetch-Site same-origin, as from our own page. */
  r = form_post(NULL, "/organisatie/" ORG_D "/aanvragen", "",
                "Origin: null\r\nSec-Fetch-Site: cross-site\r\n");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = form_post(NULL, "/organisatie/" ORG_D "/aanvragen", "", "Origin: null\r\n");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  /* Throttled per client: 3 used above; 2 more, then 429. */
  for (int i = 0; i < 2; i++) {
    r = form_post(
        NULL, "/organisatie/" ORG_C "/aanvragen", "",
        i ? xff
          : "X-Forwarded-For: 192.0.2.120\r\nOrigin: null\r\nSec-Fetch-Site: same-origin\r\n");
    assert_int_equal(r.status, 200);
    resp_free(&r);
  }
  r = form_post(NULL, "/organisatie/" ORG_C "/aanvragen", "", xff);
  assert_int_equal(r.status, 429);
  resp_free(&r);

  char token[SK_VERIFY_TOKEN_MAX];
  claim_link("info@d.example.org", token, sizeof token);
  assert_int_equal(strncmp(token, "c1.", 3), 0);
  /* Opening the link changes nothing: it shows a button. */
  char target[400], body[400];
  snprintf(target, sizeof target, "/aanvraag?t=%s", token);
  r = call("GET", target, NULL, NULL);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "Stichting D"));
  assert_non_null(strstr(r.body, "<form method=\"post\" action=\"/aanvraag\">"));
  resp_free(&r);
  struct sess red = login("redactie@example.org");
  r = as(&red, 0, "GET", "/api/v1/partner/claims", NULL, NULL);
  json_t *j = expect(&r, 200, "claims before filing");
  assert_int_equal(json_array_size(json_object_get(j, "items")), 0);
  json_decref(j);
  resp_free(&r);
  /* Forged (another signature) and garbage: refused. */
  char forged[SK_VERIFY_TOKEN_MAX];
  snprintf(forged, sizeof forged, "%s", token);
  char *last = forged + strlen(forged) - 1;
  *last = *last == 'a' ? 'b' : 'a';
  snprintf(body, sizeof body, "t=%s", forged);
  r = form_post(NULL, "/aanvraag", body, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = form_post(NULL, "/aanvraag", "t=v1.x.1.y", NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  /* Expired: a link made eight days ago for a real claim. */
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  fx_exec(st, "INSERT INTO org_claim(id, organization_id, email, status, ip_hash, requested)"
              " VALUES ('99999999-9999-4999-8999-999999999999', '" ORG_D "', 'info@d.example.org',"
              " 'requested', 'x', '2026-01-01T00:00:00Z')");
  struct sk_portal old;
  sk_portal_init(&old, st, NULL);
  old.now = (int64_t)time(NULL) - (int64_t)(SK_CLAIM_LINK_DAYS + 1) * 86400;
  char expired[SK_VERIFY_TOKEN_MAX];
  assert_int_equal(
      sk_portal_claim_token(&old, "99999999-9999-4999-8999-999999999999", expired, sizeof expired),
      SK_OK);
  sk_store_close(st);
  snprintf(body, sizeof body, "t=%s", expired);
  r = form_post(NULL, "/aanvraag", body, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  /* Filing: once. */
  snprintf(body, sizeof body, "t=%s", token);
  r = form_post(NULL, "/aanvraag", body, NULL);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "Uw aanvraag is ontvangen"));
  resp_free(&r);
  r = form_post(NULL, "/aanvraag", body, NULL);
  assert_int_equal(r.status, 409);
  resp_free(&r);

  /* The redacteur sees it (a partner may not) and approves. */
  struct sess pa = login("a@example.org");
  r = as(&pa, 0, "GET", "/api/v1/partner/claims", NULL, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = as(&red, 0, "GET", "/api/v1/partner/claims", NULL, NULL);
  j = expect(&r, 200, "claims");
  assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
  json_t *it = json_array_get(json_object_get(j, "items"), 0);
  assert_string_equal(json_string_value(json_object_get(json_object_get(it, "organization"), "id")),
                      ORG_D);
  char claim_id[64];
  snprintf(claim_id, sizeof claim_id, "%s", json_string_value(json_object_get(it, "id")));
  json_decref(j);
  resp_free(&r);
  snprintf(target, sizeof target, "/api/v1/partner/claims/%s/approve", claim_id);
  r = as(&pa, 1, "POST", target, NULL, "{}");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = as(&red, 1, "POST", target, NULL, "{}");
  j = expect(&r, 200, "approve");
  assert_string_equal(json_string_value(json_object_get(json_object_get(j, "account"), "email")),
                      "info@d.example.org");
  json_decref(j);
  resp_free(&r);
  r = as(&red, 1, "POST", target, NULL, "{}");
  assert_int_equal(r.status, 409);
  resp_free(&r);
  /* The account's first mail: a link to choose a password. */
  char reset[SK_AUTH_TOKEN_LEN + 8];
  outbox_link("info@d.example.org", reset, sizeof reset);
  assert_true(reset[0]);
  snprintf(body, sizeof body, "token=%s&nieuw=correct+horse+battery", reset);
  r = form_post(NULL, "/portal/wachtwoord", body, NULL);
  assert_int_equal(r.status, 303);
  resp_free(&r);
  struct sess dd = login("info@d.example.org");
  /* It edits D's entry (held for review: a new account is not trusted)... */
  char etag[64];
  r = as(&dd, 0, "GET", "/api/v1/partner/services/" SVC_D, NULL, NULL);
  assert_int_equal(r.status, 200);
  etag_of(&r, etag);
  resp_free(&r);
  r = patch(&dd, SVC_D, etag, "{\"summary\": \"Een maatje voor wie alleen is.\"}");
  assert_int_equal(r.status, 202);
  resp_free(&r);
  /* ...and nothing of another organisation. */
  r = as(&dd, 0, "GET", "/api/v1/partner/services/" SVC_SHV, NULL, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = patch(&dd, SVC_SHV, "\"x\"", "{\"summary\": \"gekaapt\"}");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  /* The claim and the account's own link stay out of the outbox page. */
  r = as(&red, 0, "GET", "/api/v1/partner/outbox", NULL, NULL);
  assert_int_equal(r.status, 200);
  assert_null(strstr(r.body, token));
  resp_free(&r);
}

/* ---- the portal without JavaScript (issue 13, web_portal_pages.c) -------- */

/* A form POST as s from our own pages, with its CSRF token (csrf 0: none). */
static struct resp portal_form(const struct sess *s, int csrf, const char *target,
                               const char *fields, const char *extra) {
  char body[4096];
  snprintf(body, sizeof body, "%s%s%s", csrf ? "csrf=" : "", csrf ? s->csrf : "", fields);
  char h[300];
  snprintf(h, sizeof h, "Sec-Fetch-Site: same-origin\r\n%s", extra ? extra : "");
  return form_post(s, target, body, h);
}

static struct resp portal_get(const struct sess *s, const char *target) {
  char h[300];
  snprintf(h, sizeof h, "Cookie: %s\r\n", s->cookie);
  return call("GET", target, h, NULL);
}

/* The hidden etag field of an edit form, percent-encoded for a body. */
static void form_etag(const struct resp *r, char out[128]) {
  const char *e = strstr(r->body, "name=\"etag\" value=\"");
  assert_non_null(e);
  e += strlen("name=\"etag\" value=\"");
  size_t n = 0;
  for (; *e && *e != '>' && n + 4 < 128; e++) {
    if (!strncmp(e, "&quot;", 6)) {
      memcpy(out + n, "%22", 3), n += 3, e += 5;
    } else if (*e == '"') {
      break;
    } else {
      out[n++] = *e;
    }
  }
  out[n] = '\0';
}

static void test_portal_pages_without_js(void **state) {
  (void)state;
  /* No session: the task list sends the visitor to the login page. */
  struct resp r = call("GET", "/portaal/", NULL, NULL);
  assert_int_equal(r.status, 303);
  assert_non_null(strstr(fx_header(&r, "Location"), "/portaal/inloggen.html"));
  resp_free(&r);

  struct sess a = login("a@example.org"), c = login("c@example.org");
  char id[SK_UUID_LEN], etag[64], t[200], body[1024], fe[128];
  create_svc(&a, ORG_VERSA, "Formulierhulp zonder JS", 201, id, etag);
  struct sk_store *st = NULL;
  char err[256], sql[600];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  snprintf(sql, sizeof sql, "UPDATE service SET assured_date = '2020-01-01' WHERE id = '%s'", id);
  fx_exec(st, sql);
  sk_store_close(st);

  /* The task list shows the stale entry with a confirm form and an edit link. */
  r = portal_get(&a, "/portaal/");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "Formulierhulp zonder JS"));
  assert_non_null(strstr(r.body, "action=\"/portaal/bevestigen\""));
  snprintf(t, sizeof t, "href=\"/portaal/bewerk/services/%s\"", id);
  assert_non_null(strstr(r.body, t));
  assert_non_null(strstr(r.body, a.csrf));
  resp_free(&r);

  /* Confirm: refused without the CSRF token, from another site, and for
   * another organisation's partner; done with it (303 back to the list). */
  snprintf(body, sizeof body, "&soort=services&id=%s", id);
  r = portal_form(&a, 0, "/portaal/bevestigen", body, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  char h[300];
  snprintf(h, sizeof h,
           "Cookie: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"
           "Sec-Fetch-Site: cross-site\r\n",
           a.cookie);
  char xbody[1200];
  snprintf(xbody, sizeof xbody, "csrf=%s%s", a.csrf, body);
  r = call("POST", "/portaal/bevestigen", h, xbody);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = portal_form(&c, 1, "/portaal/bevestigen", body, NULL);
  assert_int_equal(r.status, 403);
  assert_non_null(strstr(r.body, "<html lang=\"nl\">"));
  resp_free(&r);
  r = portal_get(&a, "/portaal/");
  assert_non_null(strstr(r.body, "Gecontroleerd op 1 januari 2020"));
  resp_free(&r);
  r = portal_form(&a, 1, "/portaal/bevestigen", body, NULL);
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/portaal/?gedaan=bevestigd");
  resp_free(&r);
  r = portal_get(&a, "/portaal/?gedaan=bevestigd");
  assert_non_null(strstr(r.body, "De gegevens zijn gecontroleerd"));
  resp_free(&r);

  /* Edit: another organisation's partner gets 403 for the form and the save. */
  snprintf(t, sizeof t, "/portaal/bewerk/services/%s", id);
  r = portal_get(&c, t);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = portal_get(&a, t);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "value=\"Formulierhulp zonder JS\""));
  form_etag(&r, fe);
  resp_free(&r);
  snprintf(body, sizeof body,
           "&etag=%s&name=Formulierhulp+nieuw&url=geen-adres"
           "&phone0_number=035+123+4567&hour0_weekday=1&hour0_opens=09:00"
           "&hour0_closes=12:00",
           fe);
  r = portal_form(&c, 1, t, body, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = portal_form(&a, 0, t, body, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  /* A bad website: 422, the message next to the field, what was typed kept,
   * nothing saved. */
  r = portal_form(&a, 1, t, body, NULL);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body, "id=\"fout-url\""));
  assert_non_null(strstr(r.body, "‘Website’ is geen geldig webadres"));
  assert_non_null(strstr(r.body, "aria-invalid=\"true\""));
  assert_non_null(strstr(r.body, "value=\"Formulierhulp nieuw\""));
  resp_free(&r);
  json_t *doc = NULL;
  get_entry(&a, id, etag, &doc);
  assert_string_equal(json_string_value(json_object_get(doc, "name")), "Formulierhulp zonder JS");
  json_decref(doc);
  /* Fixed: saved, 303; the phone and the hours are in the entry. */
  snprintf(body, sizeof body,
           "&etag=%s&name=Formulierhulp+nieuw&url=https://example.org/"
           "&phone0_number=035+123+4567&hour0_weekday=1&hour0_opens=09:00"
           "&hour0_closes=12:00",
           fe);
  r = portal_form(&a, 1, t, body, NULL);
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/portaal/?gedaan=opgeslagen");
  resp_free(&r);
  get_entry(&a, id, etag, &doc);
  assert_string_equal(json_string_value(json_object_get(doc, "name")), "Formulierhulp nieuw");
  assert_string_equal(json_string_value(json_object_get(
                          json_array_get(json_object_get(doc, "phones"), 0), "number")),
                      "035 123 4567");
  assert_int_equal(json_array_size(json_object_get(doc, "hours")), 1);
  assert_int_equal(json_array_size(json_object_get(doc, "needs")), 1); /* not in the form: kept */
  json_decref(doc);
  /* The same old etag again: a conflict, said in Dutch, nothing written. */
  snprintf(body, sizeof body, "&etag=%s&name=Oude+versie", fe);
  r = portal_form(&a, 1, t, body, NULL);
  assert_int_equal(r.status, 409);
  assert_non_null(strstr(r.body, "Iemand anders heeft dit intussen gewijzigd"));
  assert_non_null(strstr(r.body, "value=\"Formulierhulp nieuw\""));
  resp_free(&r);

  /* A correction: closed with the form, 403 for another organisation. It
   * is stored directly: the public form's path (and its per-address limit,
   * which earlier tests used up) is test_corrections'. */
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  snprintf(sql, sizeof sql,
           "INSERT INTO portal_correction(id, entity, entity_id, organization_id, message,"
           " ip_hash, created) VALUES ('eeeeeeee-0000-4000-8000-00000000c0de', 'service', '%s',"
           " '" ORG_VERSA "', 'Het telefoonnummer klopt niet meer.', 'x',"
           " '2026-01-01T10:00:00Z')",
           id);
  fx_exec(st, sql);
  sk_store_close(st);
  r = portal_get(&a, "/portaal/");
  const char *m = strstr(r.body, "action=\"/portaal/melding/");
  assert_non_null(m);
  assert_non_null(strstr(r.body, "Het telefoonnummer klopt niet meer."));
  char close_t[200];
  m += strlen("action=\"");
  snprintf(close_t, sizeof close_t, "%.*s", (int)strcspn(m, "\""), m);
  resp_free(&r);
  r = portal_form(&c, 1, close_t, "", NULL);
  assert_true(r.status == 403 || r.status == 404);
  resp_free(&r);
  r = portal_form(&a, 1, close_t, "", NULL);
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/portaal/?gedaan=afgehandeld");
  resp_free(&r);
  r = portal_get(&a, "/portaal/");
  assert_null(strstr(r.body, "Het telefoonnummer klopt niet meer."));
  resp_free(&r);

  /* A professional lands on the professional view. */
  struct sess pro = login("pro@example.org");
  r = portal_get(&pro, "/portaal/");
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/professionals");
  resp_free(&r);
}

/* A form create answers 303 to the list: the new entry's id, by its name
 * in s's entries. */
static void entry_id_by_name(const struct sess *s, const char *name, char id[SK_UUID_LEN]) {
  struct resp r = as(s, 0, "GET", "/api/v1/partner/entries", NULL, NULL);
  json_t *j = expect(&r, 200, "entries");
  size_t i;
  json_t *e;
  id[0] = '\0';
  json_array_foreach(json_object_get(j, "items"), i,
                     e) if (!strcmp(json_string_value(json_object_get(e, "name")), name))
      snprintf(id, SK_UUID_LEN, "%s", json_string_value(json_object_get(e, "id")));
  json_decref(j);
  resp_free(&r);
  if (!id[0])
    fail_msg("%s is not in the list", name);
}

/* New entries and locations without JavaScript: the forms, a field error
 * next to its field, CSRF, who may, and the history as text. */
static void test_portal_new_entries_without_js(void **state) {
  (void)state;
  struct sess a = login("a@example.org"), pro = login("pro@example.org");
  struct resp r = portal_get(&a, "/portaal/nieuw/services");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "action=\"/portaal/nieuw/services\""));
  assert_non_null(strstr(r.body, "name=\"need_geld\""));
  assert_non_null(strstr(r.body, "name=\"area_huizen\""));
  assert_non_null(strstr(r.body, "name=\"access\" value=\"vrij\""));
  assert_non_null(strstr(r.body, "<option value=\"" ORG_VERSA "\""));
  resp_free(&r);
  r = portal_get(&a, "/portaal/nieuw/onzin");
  assert_int_equal(r.status, 404);
  resp_free(&r);

  const char *good = "&organization=" ORG_VERSA "&name=Budgetcursus+zonder+JS"
                     "&summary=Leer+rondkomen&need_geld=1&area_huizen=1&access=vrij&cost=gratis"
                     "&phone0_number=035+555+0101&hour0_weekday=2&hour0_opens=10:00"
                     "&hour0_closes=12:00";
  /* No CSRF token, another site, a professional, another organisation's
   * partner: refused, nothing made. */
  r = portal_form(&a, 0, "/portaal/nieuw/services", good, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  char xbody[1200];
  snprintf(xbody, sizeof xbody, "csrf=%s%s", a.csrf, good);
  r = form_post(&a, "/portaal/nieuw/services", xbody, "Sec-Fetch-Site: cross-site\r\n");
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = portal_form(&pro, 1, "/portaal/nieuw/services", good, NULL);
  assert_int_equal(r.status, 403);
  assert_non_null(strstr(r.body, "<html lang=\"nl\">"));
  resp_free(&r);
  struct sess c = login("c@example.org");
  r = portal_form(&c, 1, "/portaal/nieuw/services", good, NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);

  /* No subject chosen: 422, the message next to ‘Onderwerpen’, the rest kept. */
  r = portal_form(&a, 1, "/portaal/nieuw/services",
                  "&organization=" ORG_VERSA "&name=Budgetcursus+zonder+JS&area_huizen=1"
                  "&access=vrij&cost=gratis",
                  NULL);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body, "id=\"fout-needs\""));
  assert_non_null(strstr(r.body, "‘Onderwerpen’ is leeg"));
  assert_non_null(strstr(r.body, "href=\"#veld-needs\""));
  assert_non_null(strstr(r.body, "value=\"Budgetcursus zonder JS\""));
  assert_non_null(strstr(r.body, "name=\"area_huizen\" value=\"1\" checked"));
  resp_free(&r);

  r = portal_form(&a, 1, "/portaal/nieuw/services", good, NULL);
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/portaal/?gedaan=toegevoegd");
  resp_free(&r);
  char id[SK_UUID_LEN], etag[64];
  entry_id_by_name(&a, "Budgetcursus zonder JS", id);
  json_t *doc = NULL;
  get_entry(&a, id, etag, &doc);
  assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "needs"), 0)), "geld");
  assert_int_equal(json_array_size(json_object_get(doc, "hours")), 1);
  json_decref(doc);

  /* An activity: no access or cost needed. */
  r = portal_form(&a, 1, "/portaal/nieuw/activities",
                  "&organization=" ORG_VERSA "&name=Koffieochtend+zonder+JS&need_geld=1"
                  "&area_huizen=1",
                  NULL);
  assert_int_equal(r.status, 303);
  resp_free(&r);

  /* A location: a wrong postcode is refused next to its field. */
  r = portal_get(&a, "/portaal/nieuw/locations");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "id=\"veld-postal_code\""));
  assert_null(strstr(r.body, "name=\"need_geld\""));
  resp_free(&r);
  r = portal_form(&a, 1, "/portaal/nieuw/locations",
                  "&organization=" ORG_VERSA "&name=Buurthuis+zonder+JS&address=Kerkstraat+1"
                  "&postal_code=12345&city=Huizen",
                  NULL);
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body, "id=\"fout-postal_code\""));
  assert_non_null(strstr(r.body, "‘Postcode’ is geen Nederlandse postcode"));
  assert_non_null(strstr(r.body, "value=\"Kerkstraat 1\""));
  resp_free(&r);
  r = portal_form(&a, 1, "/portaal/nieuw/locations",
                  "&organization=" ORG_VERSA "&name=Buurthuis+zonder+JS&address=Kerkstraat+1"
                  "&postal_code=1271+AB&city=Huizen&hour0_weekday=1&hour0_opens=09:00"
                  "&hour0_closes=17:00",
                  NULL);
  assert_int_equal(r.status, 303);
  resp_free(&r);
  char loc[SK_UUID_LEN], t[200];
  entry_id_by_name(&a, "Buurthuis zonder JS", loc);
  snprintf(t, sizeof t, "href=\"/portaal/bewerk/locations/%s\"", loc);
  r = portal_get(&a, "/portaal/");
  assert_non_null(strstr(r.body, t));
  assert_non_null(strstr(r.body, "href=\"/portaal/nieuw/locations\""));
  resp_free(&r);
  snprintf(t, sizeof t, "/portaal/bewerk/locations/%s", loc);
  r = portal_get(&a, t);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "value=\"1271 AB\""));
  resp_free(&r);

  /* An edit, then the history as text: Dutch field names, hours as words,
   * the person by name, a Dutch date; no JSON, no account ids. */
  snprintf(t, sizeof t, "/portaal/bewerk/services/%s", id);
  r = portal_get(&a, t);
  char fe[128], body[1024];
  form_etag(&r, fe);
  resp_free(&r);
  snprintf(body, sizeof body,
           "&etag=%s&name=Budgetcursus+zonder+JS&summary=Leer+rondkomen+met+uw+geld"
           "&hour0_weekday=3&hour0_opens=13:00&hour0_closes=15:00",
           fe);
  r = portal_form(&a, 1, t, body, NULL);
  assert_int_equal(r.status, 303);
  resp_free(&r);
  r = portal_get(&a, t);
  assert_int_equal(r.status, 200);
  const char *hist = strstr(r.body, "<h2 id=\"s-geschiedenis\">Geschiedenis</h2>");
  assert_non_null(hist);
  assert_non_null(strstr(hist, "<th scope=\"row\">Korte uitleg</th>"));
  assert_non_null(strstr(hist, "<ins>Leer rondkomen met uw geld</ins>"));
  assert_non_null(strstr(hist, "<del>dinsdag 10:00 tot 12:00 uur</del>"));
  assert_non_null(strstr(hist, "<ins>woensdag 13:00 tot 15:00 uur</ins>"));
  assert_null(strstr(hist, "account:"));
  assert_null(strstr(hist, "&quot;weekday"));
  resp_free(&r);
  /* The history is the organisation's: another partner gets 403. */
  r = portal_get(&c, t);
  assert_int_equal(r.status, 403);
  resp_free(&r);

  /* More organisations than the choice holds (the redactie sees them all):
   * a search by name narrows it, so every one can be chosen. */
  struct sk_store *st = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  for (int i = 0; i < SK_PORTAL_ORG_MATCHES + 1; i++) {
    char sql[400];
    snprintf(sql, sizeof sql,
             "INSERT INTO organization(rid, id, source, source_key, name, created,"
             " last_modified) VALUES (%d, 'ffffffff-0000-4000-8000-%012d', 'portal', 'zo%d',"
             " 'Zoekorganisatie %02d', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
             900 + i, i, i, i);
    fx_exec(st, sql);
  }
  sk_store_close(st);
  struct sess red = login("redactie@example.org");
  r = portal_get(&red, "/portaal/nieuw/services");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "Zoek de organisatie"));
  resp_free(&r);
  r = portal_get(&red, "/portaal/nieuw/services?zoek=zoekorganisatie+20");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "<option value=\"ffffffff-0000-4000-8000-000000000020\">"
                                 "Zoekorganisatie 20</option>"));
  resp_free(&r);
}

/* Many entries: the server list is paged and every entry can be reached. */
static void test_portal_list_is_paged(void **state) {
  (void)state;
  struct sess c = login("c@example.org");
  char id[SK_UUID_LEN], name[64];
  for (int i = 0; i < 60; i++) {
    snprintf(name, sizeof name, "Pagina-aanbod %02d", i);
    create_svc(&c, ORG_C, name, 201, id, NULL);
  }
  struct resp r = portal_get(&c, "/portaal/");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "Pagina 1 van 3"));
  assert_non_null(strstr(r.body, "href=\"/portaal/?pagina=2\" rel=\"next\""));
  resp_free(&r);
  int seen[60] = {0};
  for (int p = 1; p <= 3; p++) {
    char t[64];
    snprintf(t, sizeof t, "/portaal/?pagina=%d", p);
    r = portal_get(&c, t);
    assert_int_equal(r.status, 200);
    const char *all = strstr(r.body, "id=\"s-all\"");
    assert_non_null(all);
    for (int i = 0; i < 60; i++) {
      snprintf(name, sizeof name, "<h3>Pagina-aanbod %02d</h3>", i);
      if (strstr(all, name))
        seen[i]++;
    }
    resp_free(&r);
  }
  for (int i = 0; i < 60; i++)
    if (seen[i] != 1)
      fail_msg("Pagina-aanbod %02d seen %d times over the pages", i, seen[i]);
  r = portal_get(&c, "/portaal/?pagina=99"); /* past the end: the last page */
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "Pagina 3 van 3"));
  resp_free(&r);
}

/* The redactie's queue without JavaScript: held edits with their diff,
 * approve and reject (a reason next to its field), open corrections, the
 * claims; a partner may not decide. */
static void test_portal_queue_without_js(void **state) {
  (void)state;
  struct sess b = login("b@example.org"), red = login("redactie@example.org"),
              a = login("a@example.org");
  char id1[SK_UUID_LEN], id2[SK_UUID_LEN];
  create_svc(&b, ORG_BIB, "Voorleesuur zonder JS", 202, id1, NULL);
  create_svc(&b, ORG_BIB, "Taalcafé zonder JS", 202, id2, NULL);
  struct sk_store *st = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  fx_exec(st, "INSERT INTO org_claim(id, organization_id, email, status, ip_hash, requested,"
              " filed) VALUES ('cccccccc-0000-4000-8000-00000000c1a1', '" ORG_BIB "',"
              " 'nieuw-js@example.org', 'filed', 'x', '2026-01-01T10:00:00Z',"
              " '2026-01-01T10:05:00Z'), ('cccccccc-0000-4000-8000-00000000c1a2', '" ORG_BIB
              "', 'ander-js@example.org', 'filed', 'x', '2026-01-01T10:00:00Z',"
              " '2026-01-01T10:06:00Z')");
  sk_store_close(st);

  struct resp r = portal_get(&red, "/portaal/");
  assert_int_equal(r.status, 200);
  const char *q = strstr(r.body, "<h2 id=\"s-beoordelen\">");
  assert_non_null(q);
  const char *one = strstr(q, "<h3>Voorleesuur zonder JS</h3>");
  assert_non_null(one);
  assert_non_null(strstr(one, "<th scope=\"row\">Naam</th>")); /* the diff, by field name */
  assert_non_null(strstr(one, "<p>Van Bibliotheek Gooi</p>")); /* the organisation by name */
  assert_non_null(strstr(one, "<ins>Bibliotheek Gooi</ins>"));
  assert_null(strstr(one, ORG_BIB "</ins>"));
  assert_non_null(strstr(r.body, "nieuw-js@example.org"));
  assert_non_null(strstr(r.body, "<h2 id=\"s-controle\">")); /* the verification call list */
  assert_non_null(strstr(r.body, "action=\"/portaal/account-aanvraag/"
                                 "cccccccc-0000-4000-8000-00000000c1a1/goedkeuren\""));
  /* the review items' ids, in the order of the page */
  char p1[80] = "", p2[80] = "";
  const char *f = strstr(one, "action=\"/portaal/beoordeling/");
  assert_non_null(f);
  f += strlen("action=\"/portaal/beoordeling/");
  snprintf(p1, sizeof p1, "%.*s", (int)strcspn(f, "/"), f);
  f = strstr(r.body, "<h3>Taalcafé zonder JS</h3>");
  assert_non_null(f);
  f = strstr(f, "action=\"/portaal/beoordeling/") + strlen("action=\"/portaal/beoordeling/");
  snprintf(p2, sizeof p2, "%.*s", (int)strcspn(f, "/"), f);
  resp_free(&r);

  char t[200];
  snprintf(t, sizeof t, "/portaal/beoordeling/%s/goedkeuren", p1);
  /* no CSRF, a partner (even of that organisation): refused */
  r = portal_form(&red, 0, t, "", NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = portal_form(&b, 1, t, "", NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = portal_form(&red, 1, t, "", NULL);
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/portaal/?gedaan=goedgekeurd");
  resp_free(&r);
  char pub[200];
  snprintf(pub, sizeof pub, "/api/v1/services/%s", id1);
  r = call("GET", pub, NULL, NULL);
  assert_int_equal(r.status, 200); /* published */
  resp_free(&r);

  /* Reject: without a reason it is refused next to the reason field. */
  snprintf(t, sizeof t, "/portaal/beoordeling/%s/afwijzen", p2);
  r = portal_form(&a, 1, t, "&reden=niet+van+u", NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = portal_form(&red, 1, t, "&reden=", NULL);
  assert_int_equal(r.status, 422);
  snprintf(pub, sizeof pub, "id=\"fout-reden-%s\"", p2);
  assert_non_null(strstr(r.body, pub));
  assert_non_null(strstr(r.body, "Schrijf op waarom u de wijziging afwijst."));
  resp_free(&r);
  r = portal_form(&red, 1, t, "&reden=Dit+staat+al+op+de+kaart.", NULL);
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/portaal/?gedaan=afgewezen");
  resp_free(&r);
  r = portal_get(&b, "/portaal/"); /* the partner reads why */
  assert_non_null(strstr(r.body, "Dit staat al op de kaart."));
  resp_free(&r);
  r = portal_get(&red, "/portaal/");
  assert_null(strstr(r.body, "<h3>Voorleesuur zonder JS</h3>"));
  assert_null(strstr(r.body, "<h3>Taalcafé zonder JS</h3>"));
  resp_free(&r);

  /* Claims: a partner may not decide; the redactie approves one, rejects one. */
  const char *c1 = "/portaal/account-aanvraag/cccccccc-0000-4000-8000-00000000c1a1/goedkeuren";
  const char *c2 = "/portaal/account-aanvraag/cccccccc-0000-4000-8000-00000000c1a2/afwijzen";
  r = portal_form(&b, 1, c1, "", NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = portal_form(&red, 0, c1, "", NULL);
  assert_int_equal(r.status, 403);
  resp_free(&r);
  r = portal_form(&red, 1, c1, "", NULL);
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/portaal/?gedaan=aanvraag-goedgekeurd");
  resp_free(&r);
  r = portal_form(&red, 1, c1, "", NULL); /* decided already */
  assert_int_equal(r.status, 409);
  resp_free(&r);
  r = portal_form(&red, 1, c2, "&reden=+", NULL); /* a rejection says why */
  assert_int_equal(r.status, 422);
  assert_non_null(strstr(r.body, "id=\"fout-reden-cccccccc-0000-4000-8000-00000000c1a2\""));
  assert_non_null(strstr(r.body, "ander-js@example.org")); /* still waiting */
  resp_free(&r);
  r = portal_form(&red, 1, c2, "&reden=Onbekend+adres", NULL);
  assert_int_equal(r.status, 303);
  resp_free(&r);
  r = portal_get(&red, "/portaal/?gedaan=aanvraag-afgewezen");
  assert_non_null(strstr(r.body, "De aanvraag is afgewezen."));
  assert_null(strstr(r.body, "ander-js@example.org"));
  resp_free(&r);

  /* The organisation picker: by name, then that organisation's entries. */
  r = portal_get(&red, "/portaal/?zoek=bibliotheek");
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "href=\"/portaal/?organisatie=" ORG_BIB "\""));
  resp_free(&r);
  r = portal_get(&red, "/portaal/?organisatie=" ORG_BIB);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "<h3>Voorleesuur zonder JS</h3>"));
  assert_non_null(strstr(r.body, "href=\"/portaal/nieuw/services?organisatie=" ORG_BIB "\""));
  resp_free(&r);
}

/* One copy of the portal page's markup: /portaal/ (the static index.html
 * is gone; its old address leads there), and it holds every container
 * portal.js's "mine" page looks up, so a section the script needs and the
 * page lacks fails here, not as a script error in a redacteur's browser. */
static void test_portal_page_has_every_container(void **state) {
  (void)state;
  struct resp r = call("GET", "/portaal/index.html", NULL, NULL);
  assert_int_equal(r.status, 303);
  assert_string_equal(fx_header(&r, "Location"), "/portaal/");
  resp_free(&r);
  char path[1024];
  snprintf(path, sizeof path, "%s/web/static/js/portal.js", th_source_dir());
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  static char js[262144]; /* read once, in this test only */
  size_t n = fread(js, 1, sizeof js - 1, f);
  fclose(f);
  js[n] = '\0';
  const char *s = strstr(js, "function pageMine(");
  assert_non_null(s);
  const char *e = strstr(s + 1, "\n  function ");
  assert_non_null(e);
  struct sess red = login("redactie@example.org");
  r = portal_get(&red, "/portaal/");
  assert_int_equal(r.status, 200);
  int ids = 0;
  for (const char *p = strstr(s, "$('#"); p && p < e; p = strstr(p + 1, "$('#")) {
    const char *b = p + 4;
    size_t len = strspn(b, "abcdefghijklmnopqrstuvwxyz-");
    char want[80];
    if (!len || len >= sizeof want - 6)
      continue;
    snprintf(want, sizeof want, "id=\"%.*s\"", (int)len, b);
    if (!strstr(r.body, want))
      fail_msg("/portaal/ lacks %s, which portal.js's pageMine looks up", want);
    ids++;
  }
  assert_true(ids > 10);
  resp_free(&r);
}

/* The dashboard's search statistics come from what each search found when a
 * resident made it (through the API, its response cache, and /zoeken): the
 * dashboard runs no searches, and a query of fewer than 5 visitors is never
 * shown. */
static json_t *stat_query(json_t *list, const char *q) {
  size_t i;
  json_t *it;
  json_array_foreach(list, i, it) if (strcmp(json_string_value(json_object_get(it, "query")), q) ==
                                      0) return it;
  return NULL;
}

static void test_dashboard_search_statistics(void **state) {
  (void)state;
  char h[128];
  long found = -1;
  for (int i = 0; i < 5; i++) { /* five residents; four answers come from the cache */
    snprintf(h, sizeof h, "User-Agent: bezoeker %d\r\n", i);
    struct resp r = call("GET", "/api/v1/search?q=Schuldhulpverlening", h, NULL);
    json_t *j = expect(&r, 200, "search");
    found = (long)json_integer_value(json_object_get(j, "total"));
    json_decref(j);
    resp_free(&r);
    r = call("GET", "/zoeken?q=zwemles+voor+volwassenen", h, NULL); /* the page, no API */
    assert_int_equal(r.status, 200);
    resp_free(&r);
    r = call("GET", "/api/v1/search?q=ik%20wil%20dood", h, NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    if (i < 4) { /* four only: never shown */
      r = call("GET", "/zoeken?q=mijn+buurman+piet", h, NULL);
      assert_int_equal(r.status, 200);
      resp_free(&r);
    }
  }
  assert_true(found > 0);
  struct sess red = login("redactie@example.org");
  struct resp r = as(&red, 0, "GET", "/api/v1/partner/dashboard", NULL, NULL);
  json_t *j = expect(&r, 200, "dashboard");
  json_t *m = json_array_get(json_object_get(json_object_get(j, "searches"), "months"), 0);
  json_t *top = json_object_get(m, "top");
  json_t *sh = stat_query(top, "schuldhulpverlening");
  assert_non_null(sh);
  assert_true(json_integer_value(json_object_get(sh, "visitors")) >= 5);
  assert_int_equal(json_integer_value(json_object_get(sh, "results")), found);
  assert_int_equal(json_integer_value(json_object_get(sh, "zero_visitors")), 0); /* cache too */
  json_t *gap = stat_query(json_object_get(m, "zero_results"), "zwemles voor volwassenen");
  assert_non_null(gap);
  assert_int_equal(json_integer_value(json_object_get(gap, "zero_visitors")), 5);
  json_t *cr = stat_query(top, "ik wil dood");
  assert_non_null(cr);
  assert_true(json_is_true(json_object_get(cr, "crisis")));
  assert_true(json_integer_value(json_object_get(m, "crisis_visitors")) >= 5);
  assert_null(strstr(r.body, "piet"));
  json_decref(j);
  resp_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_login_me_logout),
      cmocka_unit_test(test_form_login_and_logout),
      cmocka_unit_test(test_csrf_required),
      cmocka_unit_test(test_api_token),
      cmocka_unit_test(test_throttling),
      cmocka_unit_test(test_throttling_counts_an_ipv6_net_as_one_client),
      cmocka_unit_test(test_partner_cannot_touch_others),
      cmocka_unit_test(test_validation_errors_name_the_field),
      cmocka_unit_test(test_restricted_fields),
      cmocka_unit_test(test_if_match),
      cmocka_unit_test(test_history_and_restore),
      cmocka_unit_test(test_moderation_holds_until_approved),
      cmocka_unit_test(test_confirm),
      cmocka_unit_test(test_reminder_outbox_lists_exactly_the_stale),
      cmocka_unit_test(test_corrections),
      cmocka_unit_test(test_body_limits),
      cmocka_unit_test(test_reindex_never_touches_portal_data),
      cmocka_unit_test(test_feed_dropping_the_organisation_keeps_portal_entries),
      cmocka_unit_test(test_tokens_listed_and_revoked_by_their_owner),
      cmocka_unit_test(test_password_change_page),
      cmocka_unit_test(test_password_reset_by_email_link),
      cmocka_unit_test(test_claim_organisation),
      cmocka_unit_test(test_dashboard_search_statistics),
      cmocka_unit_test(test_login_origin_scheme),
      cmocka_unit_test(test_session_expires),
      cmocka_unit_test(test_portal_pages_without_js),
      cmocka_unit_test(test_portal_new_entries_without_js),
      cmocka_unit_test(test_portal_list_is_paged),
      cmocka_unit_test(test_portal_queue_without_js),
      cmocka_unit_test(test_portal_page_has_every_container),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
