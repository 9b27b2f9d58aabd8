/* Who is asking: the session cookie or an API token (core/auth/sk_auth.h, as
 * docs/auth.md prescribes), CSRF, the client address behind a trusted
 * proxy, /api/v1/auth/{login,logout,me}, and restricted fields for callers
 * who may see them. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "sk_auth.h"
#include "sk_err.h"
#include "sk_fold.h"
#include "web_internal.h"

struct sk_store *web_auth_store(struct web_ctx *x) {
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return NULL;
  if (!w->wst && !x->srv->replica_dir) { /* a replica's snapshot is never written */
    char err[512] = "";
    if (sk_store_open(x->srv->db_path, 0, &w->wst, err, sizeof err) != SK_OK) {
      fprintf(stderr, "sociale-kaart serve: %s\n", err[0] ? err : "cannot open the database");
      w->wst = NULL;
    } else {
      sk_store_set_busy_wait(w->wst, WEB_WRITE_WAIT_MS);
    }
  }
  return w->wst;
}

static int peer_is_proxy(struct web_ctx *x) {
  const char *proxy = x->srv->trusted_proxy;
  if (!proxy)
    return 0;
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(x->conn,
                                                               MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!ci || !ci->client_addr || ci->client_addr->sa_family != AF_INET)
    return 0;
  char a[INET_ADDRSTRLEN] = "";
  inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, a, sizeof a);
  return strcmp(a, proxy) == 0;
}

void web_client_ip(struct web_ctx *x, char out[64]) {
  snprintf(out, 64, "unknown");
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(x->conn,
                                                               MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out, 64);
  if (!peer_is_proxy(x))
    return;
  /* The proxy appends the address it saw: the last entry is the one it
   * vouches for; earlier ones the client may have made up. */
  const char *xff = MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "X-Forwarded-For");
  if (!xff)
    return;
  const char *last = strrchr(xff, ',');
  last = last ? last + 1 : xff;
  while (*last == ' ')
    last++;
  char cand[64];
  snprintf(cand, sizeof cand, "%s", last);
  size_t n = strlen(cand);
  while (n && cand[n - 1] == ' ')
    cand[--n] = '\0';
  unsigned char buf[16];
  struct in6_addr a6;
  if (inet_pton(AF_INET, cand, buf) == 1) {
    snprintf(out, 64, "%s", cand);
  } else if (inet_pton(AF_INET6, cand, &a6) == 1) {
    /* One IPv6 client holds a whole /64 (a home, a phone, a rented
     * server) and may use any address in it: per address, login
     * throttling, the correction and claim limits would give it 2^64
     * fresh starts. So a /64 is one client; an IPv4 address in IPv6 form
     * is that IPv4 address. */
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
      inet_ntop(AF_INET, &a6.s6_addr[12], out, 64);
      return;
    }
    memset(&a6.s6_addr[8], 0, 8);
    char net[INET6_ADDRSTRLEN] = "";
    inet_ntop(AF_INET6, &a6, net, sizeof net);
    snprintf(out, 64, "%s/64", net);
  }
}

int web_is_secure(struct web_ctx *x) {
  if (!peer_is_proxy(x))
    return 0;
  const char *p = MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
  return p && strcasecmp(p, "https") == 0;
}

static const char *cookie_token(struct web_ctx *x) {
  const char *name = web_is_secure(x) ? SK_AUTH_COOKIE_NAME_SECURE : SK_AUTH_COOKIE_NAME;
  const char *v = MHD_lookup_connection_value(x->conn, MHD_COOKIE_KIND, name);
  return v && *v ? v : NULL;
}

int web_has_credentials(struct web_ctx *x) {
  return cookie_token(x) != NULL ||
         MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "Authorization") != NULL;
}

/* "Bearer <token>" -> token, or NULL; *present says the header was there. */
static const char *bearer_token(struct web_ctx *x, int *present) {
  const char *h = MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "Authorization");
  *present = h != NULL;
  if (!h || strncasecmp(h, "Bearer ", 7) != 0)
    return NULL;
  h += 7;
  while (*h == ' ')
    h++;
  return *h ? h : NULL;
}

static void clear_cookie(struct web_ctx *x) {
  if (sk_auth_cookie(NULL, 0, web_is_secure(x), x->out.set_cookie, sizeof x->out.set_cookie) !=
      SK_OK)
    x->out.set_cookie[0] = '\0';
}

void web_viewer_free(struct web_viewer *v) {
  if (!v)
    return;
  if (v->how == WEB_BEARER)
    free(v->acct);
  free(v->sess);
  memset(v, 0, sizeof *v);
}

static int unauthorized(struct web_ctx *x, int bearer) {
  if (bearer)
    x->out.www_auth = "Bearer realm=\"sociale-kaart\", error=\"invalid_token\"";
  return web_problem(x, 401, sk_auth_message(SK_AUTH_ENOSESSION), NULL, "%s",
                     bearer ? sk_auth_message(SK_AUTH_EBADTOKEN)
                            : sk_auth_message(SK_AUTH_ENOSESSION));
}

int web_viewer_get(struct web_ctx *x, int required, struct web_viewer *v) {
  memset(v, 0, sizeof *v);
  int has_auth;
  const char *bearer = bearer_token(x, &has_auth);
  const char *cookie = cookie_token(x);
  if (!bearer && !cookie) {
    if (has_auth) /* an Authorization header we cannot read */
      return unauthorized(x, 1);
    if (required)
      return unauthorized(x, 0);
    return SK_OK;
  }
  struct sk_store *st = web_auth_store(x);
  if (!st)
    return web_unavailable(x, "De database is niet bereikbaar.");
  int64_t now = (int64_t)time(NULL);
  if (bearer) {
    v->acct = calloc(1, sizeof *v->acct);
    if (!v->acct)
      return web_unavailable(x, "Geen geheugen vrij.");
    int rc = sk_auth_token_verify(st, bearer, now, v->acct);
    if (rc != SK_OK) {
      free(v->acct);
      v->acct = NULL;
      if (rc == SK_AUTH_EBADTOKEN)
        return unauthorized(x, 1);
      return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
    }
    v->how = WEB_BEARER;
    return SK_OK;
  }
  v->sess = calloc(1, sizeof *v->sess);
  if (!v->sess)
    return web_unavailable(x, "Geen geheugen vrij.");
  int rc = sk_auth_session_lookup(st, cookie, now, v->sess);
  if (rc != SK_OK) {
    free(v->sess);
    v->sess = NULL;
    if (rc != SK_AUTH_ENOSESSION)
      return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
    clear_cookie(x); /* an ended session: drop the cookie */
    if (required)
      return unauthorized(x, 0);
    return SK_OK;
  }
  v->how = WEB_COOKIE;
  v->acct = &v->sess->account;
  return SK_OK;
}

int web_csrf_ok(struct web_ctx *x, const struct web_viewer *v, const char *form_csrf) {
  if (v->how != WEB_COOKIE)
    return 1; /* API tokens carry no cookie: nothing a foreign page could ride on */
  const char *h = MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "X-CSRF-Token");
  if (sk_auth_csrf_check(v->sess, h && *h ? h : form_csrf))
    return 1;
  web_problem(x, 403, "Geen toegang", NULL, "%s", sk_auth_message(SK_AUTH_ECSRF));
  return 0;
}

/* ---- restricted fields for /search and /services/{id} ------------------- */

static long long service_org_rid(struct sk_store *st, const char *id) {
  sqlite3_stmt *s = NULL;
  long long rid = 0;
  if (sqlite3_prepare_v2(st->db, "SELECT organization_rid FROM service WHERE id = ?1", -1, &s,
                         NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
      rid = sqlite3_column_int64(s, 0);
  }
  sqlite3_finalize(s);
  return rid;
}

void web_viewer_mark(struct web_ctx *x) {
  x->professional = 0;
  int has_auth;
  if (!cookie_token(x) && !bearer_token(x, &has_auth))
    return; /* anonymous: the common case costs nothing */
  struct web_viewer v;
  size_t keep = sizeof x->out.set_cookie;
  char saved[sizeof x->out.set_cookie];
  memcpy(saved, x->out.set_cookie, keep);
  if (web_viewer_get(x, 0, &v) != SK_OK) {
    /* A bad cookie or token on a public page: answer as anonymous. */
    free(x->out.body);
    memset(&x->out, 0, sizeof x->out);
    x->out.fd = -1;
    memcpy(x->out.set_cookie, saved, keep);
    return;
  }
  if (v.acct) {
    if (sk_auth_can_see_restricted(v.acct)) {
      x->professional = 1;
    } else if (x->req->route == WR_SERVICE && web_is_uuid(x->id)) {
      struct sk_store *st = web_auth_store(x);
      long long org = st ? service_org_rid(st, x->id) : 0;
      x->professional = org && sk_auth_can_edit_organization(st, v.acct, org);
    }
  }
  web_viewer_free(&v);
}

void web_service_add_restricted(struct web_ctx *x) {
  struct sk_store *st = web_auth_store(x);
  if (!st || !x->out.body)
    return;
  json_error_t e;
  json_t *svc = json_loadb(x->out.body, x->out.len, 0, &e);
  if (!json_is_object(svc)) {
    json_decref(svc);
    return;
  }
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, "SELECT referral_contact, rid FROM service WHERE id = ?1", -1, &s,
                         NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, x->id, -1, SQLITE_STATIC);
    long long rid = 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
      json_object_set_new(svc, "referral_contact", web_json_text(s, 0));
      rid = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    s = NULL;
    json_t *phones = json_object_get(svc, "phones");
    if (rid && json_is_array(phones) &&
        sqlite3_prepare_v2(st->db,
                           "SELECT number, description FROM phone WHERE service_rid = ?1"
                           " AND restricted = 1 ORDER BY rid LIMIT 50",
                           -1, &s, NULL) == SQLITE_OK) {
      sqlite3_bind_int64(s, 1, rid);
      while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(phones,
                              json_pack("{s:o, s:o, s:b}", "number", web_json_text(s, 0),
                                        "description", web_json_text(s, 1), "restricted", 1));
    }
    sqlite3_finalize(s);
  }
  web_reply_json(x, 200, svc);
}

/* ---- form bodies -------------------------------------------------------- */

static int hexval(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = tolower(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The value of key in an application/x-www-form-urlencoded body, decoded,
 * into out. 1 when found (and it fits, and is UTF-8), else 0. */
static int form_value(const char *body, const char *key, char *out, size_t outlen) {
  size_t klen = strlen(key);
  for (const char *p = body; p && *p;) {
    const char *amp = strchr(p, '&');
    const char *end = amp ? amp : p + strlen(p);
    const char *eq = memchr(p, '=', (size_t)(end - p));
    if (eq && (size_t)(eq - p) == klen && memcmp(p, key, klen) == 0) {
      size_t n = 0;
      for (const char *q = eq + 1; q < end; q++) {
        int c = (unsigned char)*q;
        if (c == '+') {
          c = ' ';
        } else if (c == '%' && end - q > 2 && hexval((unsigned char)q[1]) >= 0 &&
                   hexval((unsigned char)q[2]) >= 0) {
          c = hexval((unsigned char)q[1]) * 16 + hexval((unsigned char)q[2]);
          q += 2;
        }
        if (n + 1 >= outlen || c == 0)
          return 0;
        out[n++] = (char)c;
      }
      out[n] = '\0';
      return sk_utf8_valid(out, n);
    }
    p = amp ? amp + 1 : NULL;
  }
  return 0;
}

static int is_form(struct web_ctx *x) {
  const char *ct = MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "Content-Type");
  return ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

/* Login CSRF: there is no session yet, so the page's origin is checked.
 * A browser always sends Origin (or Sec-Fetch-Site) on a POST; clients
 * without either are not browsers and cannot be ridden by a foreign page. */
static int same_origin(struct web_ctx *x) {
  const char *site = MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
  const char *origin = MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "Origin");
  /* Sec-Fetch-Site is set by the browser alone (no page can forge it), so
   * it decides when present: the login form sent without JavaScript from a
   * page with "Referrer-Policy: no-referrer" carries "Origin: null". */
  if (site)
    return strcmp(site, "same-origin") == 0 || strcmp(site, "none") == 0;
  if (!origin)
    return 1;
  /* A plain form POST from our own pages: under Referrer-Policy: no-referrer
   * (web_server.c) browsers send "Origin: null" for it. Accepted only when
   * the browser itself says the request came from this origin (a sandboxed
   * frame elsewhere also sends null, with Sec-Fetch-Site cross-site). */
  if (strcmp(origin, "null") == 0)
    return site && strcmp(site, "same-origin") == 0;
  const char *host = MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "Host");
  if (!host)
    return 0;
  /* Scheme too: a page on http://host (any network in between can write
   * it) must not log in to https://host. */
  const char *scheme = web_is_secure(x) ? "https://" : "http://";
  size_t sl = strlen(scheme);
  return strncasecmp(origin, scheme, sl) == 0 && strcmp(origin + sl, host) == 0;
}

/* ---- /api/v1/auth -------------------------------------------------------- */

/* Where an account starts after login: where its work is (issue 13). A
 * professional on the professional view; a partner on its to-do list and
 * the redactie on the review queue (both on /portaal/, which puts the
 * queue first for the redactie). */
static const char *role_home(enum sk_role r) {
  if (r == SK_ROLE_PROFESSIONAL)
    return "/professionals";
  if (sk_role_reviews(r))
    return "/portaal/#reviews-title";
  return "/portaal/";
}

static json_t *me_json(struct sk_store *st, const struct sk_account *a, const char *csrf,
                       int64_t expires) {
  json_t *orgs = json_array();
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT o.id, o.name FROM account_organization ao"
                         " JOIN organization o ON o.rid = ao.organization_rid"
                         " WHERE ao.account_rid = ?1 ORDER BY o.name LIMIT 200",
                         -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_int64(s, 1, a->rid);
    while (sqlite3_step(s) == SQLITE_ROW)
      json_array_append_new(
          orgs, json_pack("{s:o, s:o}", "id", web_json_text(s, 0), "name", web_json_text(s, 1)));
  }
  sqlite3_finalize(s);
  json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:b, s:b}", "id", a->id, "email", a->email,
                        "name", a->name, "role", sk_auth_role_name(a->role), "trusted", a->trusted,
                        "organizations", orgs, "can_review", sk_auth_can_review(a),
                        "can_see_restricted", sk_auth_can_see_restricted(a));
  json_object_set_new(o, "csrf", csrf ? json_string(csrf) : json_null());
  json_object_set_new(o, "home", json_string(role_home(a->role)));
  if (expires > 0) {
    char iso[32];
    web_iso_utc(expires, iso);
    json_object_set_new(o, "expires", json_string(iso));
  } else {
    json_object_set_new(o, "expires", json_null());
  }
  return o;
}

static void private_json(struct web_ctx *x) {
  x->out.cache = "no-store";
  x->out.etag = 0;
}

static int auth_login(struct web_ctx *x) {
  if (strcmp(x->method, "POST") != 0) {
    x->out.allow = "POST, OPTIONS";
    return web_problem(x, 405, "Methode niet toegestaan", NULL, "Inloggen gaat met POST.");
  }
  int form = is_form(x);
  if (!same_origin(x))
    return web_problem(x, 403, "Geen toegang", NULL, "%s", sk_auth_message(SK_AUTH_ECSRF));
  char email[SK_AUTH_EMAIL_MAX + 2] = "", password[SK_AUTH_PASSWORD_MAX + 2] = "";
  const char *body = x->req->body ? x->req->body : "";
  if (form) {
    form_value(body, "email", email, sizeof email);
    form_value(body, "password", password, sizeof password);
  } else {
    json_error_t e;
    json_t *j = json_loadb(body, x->req->body_len, 0, &e);
    if (!json_is_object(j)) {
      json_decref(j);
      return web_problem(x, 400, "Ongeldig verzoek", NULL,
                         "Stuur JSON met 'email' en 'password', of een formulier.");
    }
    const char *em = json_string_value(json_object_get(j, "email"));
    const char *pw = json_string_value(json_object_get(j, "password"));
    snprintf(email, sizeof email, "%s", em ? em : "");
    snprintf(password, sizeof password, "%s", pw ? pw : "");
    json_decref(j);
  }
  struct sk_store *st = web_auth_store(x);
  if (!st) {
    sodium_memzero(password, sizeof password);
    return web_unavailable(x, "De database is niet bereikbaar.");
  }
  /* A login always makes a new session: no session fixation. */
  const char *old = cookie_token(x);
  if (old)
    sk_auth_logout(st, old);
  char ip[64], err[256] = "", token[SK_AUTH_TOKEN_LEN] = "";
  web_client_ip(x, ip);
  const char *ua = MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "User-Agent");
  struct sk_session sess;
  int64_t now = (int64_t)time(NULL);
  int rc = sk_auth_login(st, email, password, ip, ua, now, &sess, token, err, sizeof err);
  sodium_memzero(password, sizeof password);
  if (rc == SK_OK) {
    int c = sk_auth_cookie(token, sk_auth_policy()->session_absolute, web_is_secure(x),
                           x->out.set_cookie, sizeof x->out.set_cookie);
    sodium_memzero(token, sizeof token);
    if (c != SK_OK)
      return web_problem(x, 500, "Interne fout", NULL, "Inloggen lukt nu niet.");
    if (form) {
      x->out.status = 303;
      snprintf(x->out.location, sizeof x->out.location, "%s", role_home(sess.account.role));
      x->out.cache = "no-store";
      return SK_OK;
    }
    web_reply_json(x, 200, me_json(st, &sess.account, sess.csrf, sess.expires));
    private_json(x);
    return SK_OK;
  }
  if (rc == SK_AUTH_ETHROTTLED) {
    int64_t wait = 0;
    if (sk_auth_login_wait(st, email, ip, now, &wait) != SK_OK)
      wait = 0; /* the store failed: the policy's window below */
    snprintf(x->out.retry_buf, sizeof x->out.retry_buf, "%lld",
             (long long)(wait > 0 ? wait : sk_auth_policy()->throttle_window));
    x->out.retry_after = x->out.retry_buf;
  }
  if (form && (rc == SK_AUTH_EBADLOGIN || rc == SK_AUTH_ETHROTTLED)) {
    x->out.status = 303;
    snprintf(x->out.location, sizeof x->out.location, "/portaal/inloggen.html?fout=%s",
             rc == SK_AUTH_ETHROTTLED ? "vaak" : "login");
    x->out.cache = "no-store";
    return SK_OK;
  }
  if (rc == SK_AUTH_EBADLOGIN)
    return web_problem(x, 401, "Inloggen mislukt", NULL, "%s", err[0] ? err : sk_auth_message(rc));
  if (rc == SK_EBUSY)
    return web_busy(x, sk_auth_message(rc));
  if (rc == SK_AUTH_ETHROTTLED)
    return web_problem(x, 429, "Te veel pogingen", NULL, "%s", err[0] ? err : sk_auth_message(rc));
  return web_problem(x, 500, "Interne fout", NULL, "Inloggen lukt nu niet. Probeer het later.");
}

static int auth_logout(struct web_ctx *x) {
  if (strcmp(x->method, "POST") != 0) {
    x->out.allow = "POST, OPTIONS";
    return web_problem(x, 405, "Methode niet toegestaan", NULL, "Uitloggen gaat met POST.");
  }
  struct web_viewer v;
  if (web_viewer_get(x, 0, &v) != SK_OK)
    return SK_EINVAL;
  char form_csrf[SK_AUTH_TOKEN_LEN + 2] = "";
  if (is_form(x) && x->req->body)
    form_value(x->req->body, "csrf", form_csrf, sizeof form_csrf);
  if (v.how == WEB_COOKIE && !web_csrf_ok(x, &v, form_csrf)) {
    web_viewer_free(&v);
    return SK_EINVAL;
  }
  struct sk_store *st = web_auth_store(x);
  const char *tok = cookie_token(x);
  if (st && tok)
    sk_auth_logout(st, tok);
  web_viewer_free(&v);
  clear_cookie(x);
  if (is_form(x)) {
    x->out.status = 303;
    snprintf(x->out.location, sizeof x->out.location, "/portaal/inloggen.html");
    x->out.cache = "no-store";
    return SK_OK;
  }
  web_reply_json(x, 200, json_pack("{s:b}", "logged_in", 0));
  private_json(x);
  return SK_OK;
}

static int auth_me(struct web_ctx *x) {
  if (strcmp(x->method, "GET") != 0 && strcmp(x->method, "HEAD") != 0) {
    x->out.allow = "GET, HEAD, OPTIONS";
    return web_problem(x, 405, "Methode niet toegestaan", NULL, "Dit adres kent alleen GET.");
  }
  struct web_viewer v;
  if (web_viewer_get(x, 1, &v) != SK_OK)
    return SK_EINVAL;
  struct sk_store *st = web_auth_store(x);
  web_reply_json(x, 200,
                 me_json(st, v.acct, v.how == WEB_COOKIE ? v.sess->csrf : NULL,
                         v.how == WEB_COOKIE ? v.sess->expires : 0));
  private_json(x);
  web_viewer_free(&v);
  return SK_OK;
}

int web_auth_handler(struct web_ctx *x) {
  const char *p = x->url + strlen("/api/v1/auth/");
  if (strcmp(p, "login") == 0)
    return auth_login(x);
  if (strcmp(p, "logout") == 0)
    return auth_logout(x);
  if (strcmp(p, "me") == 0)
    return auth_me(x);
  if (strncmp(p, "tokens", 6) == 0)
    return web_account_tokens(x, p + 6);
  return web_problem(x, 404, "Niet gevonden", NULL, "Het adres %.200s bestaat niet in deze API.",
                     x->url);
}

/* ---- for web_account.c ---------------------------------------------------- */

int web_form_value(const char *body, const char *key, char *out, size_t outlen) {
  return form_value(body, key, out, outlen);
}
int web_is_form(struct web_ctx *x) { return is_form(x); }
int web_same_origin(struct web_ctx *x) { return same_origin(x); }
const char *web_session_token(struct web_ctx *x) { return cookie_token(x); }
