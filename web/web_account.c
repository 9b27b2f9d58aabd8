/* An account's own keys, over HTTP: its API tokens (list, revoke), changing
 * its password, and the reset link by e-mail ("wachtwoord vergeten").
 *
 *   GET    /api/v1/auth/tokens            the caller's tokens (never the token itself)
 *   DELETE /api/v1/auth/tokens/{prefix}   revoke one of them
 *   GET    /portal/wachtwoord[?token=…]   303 to the page /portaal/wachtwoord.html
 *   POST   /portal/wachtwoord             form: csrf, huidig, nieuw (logged in)
 *                                         or token, nieuw (from the e-mail)
 *   POST   /portal/wachtwoord-vergeten    form: email; always the same answer
 *
 * The reset mail goes through the portal outbox, the path the reminders
 * take ('sociale-kaart reminders' sends it); the link is built from the
 * configured public address (--public-url), never from the request's Host
 * header, which a client chooses. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sk_auth.h"
#include "sk_err.h"
#include "sk_portal.h"
#include "web_internal.h"

#define PAGE "/portaal/wachtwoord.html"
#define FORGOT_PAGE "/portaal/wachtwoord-vergeten.html"

static void see_other(struct web_ctx *x, const char *fmt, const char *a) {
  x->out.status = 303;
  snprintf(x->out.location, sizeof x->out.location, fmt, a ? a : "");
  x->out.cache = "no-store";
}

/* A token as it may appear in a URL we build: base64url only. */
static int token_chars_ok(const char *t) {
  size_t n = strlen(t);
  if (n == 0 || n >= SK_AUTH_TOKEN_LEN)
    return 0;
  for (const char *p = t; *p; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
          *p == '-' || *p == '_'))
      return 0;
  return 1;
}

/* ---- API tokens ------------------------------------------------------------ */

static json_t *time_or_null(int64_t t) {
  if (!t)
    return json_null();
  char iso[32];
  web_iso_utc(t, iso);
  return json_string(iso);
}

int web_account_tokens(struct web_ctx *x, const char *rest) {
  int list = !*rest;
  int revoke = rest[0] == '/' && rest[1];
  if (!list && !revoke)
    return web_problem(x, 404, "Niet gevonden", NULL, "Het adres %.200s bestaat niet in deze API.",
                       x->url);
  const char *want = list ? "GET" : "DELETE";
  if (strcmp(x->method, want) != 0 && !(list && strcmp(x->method, "HEAD") == 0)) {
    x->out.allow = list ? "GET, HEAD, OPTIONS" : "DELETE, OPTIONS";
    return web_problem(x, 405, "Methode niet toegestaan", NULL, "Dit adres kent alleen %s.", want);
  }
  struct web_viewer v;
  if (web_viewer_get(x, 1, &v) != SK_OK)
    return SK_EINVAL;
  if (revoke && !web_csrf_ok(x, &v, NULL)) {
    web_viewer_free(&v);
    return SK_EINVAL;
  }
  struct sk_store *st = web_auth_store(x);
  struct sk_api_token *toks = NULL;
  size_t n = 0;
  if (!st || sk_auth_token_list(st, v.acct->rid, &toks, &n) != SK_OK) {
    web_viewer_free(&v);
    return web_unavailable(x, "De database is niet bereikbaar.");
  }
  int rc = SK_OK;
  if (list) {
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
      json_array_append_new(items,
                            json_pack("{s:s, s:s?, s:o, s:o, s:o, s:o}", "id", toks[i].prefix,
                                      "label", toks[i].label[0] ? toks[i].label : NULL, "created",
                                      time_or_null(toks[i].created), "last_used",
                                      time_or_null(toks[i].last_used), "expires",
                                      time_or_null(toks[i].expires), "revoked",
                                      time_or_null(toks[i].revoked)));
    web_reply_json(x, 200, json_pack("{s:o}", "items", items));
  } else {
    /* The prefix names the token within the caller's own tokens only:
     * another account's prefix is "not found", like an unknown one. */
    const char *prefix = rest + 1;
    size_t hit = n;
    for (size_t i = 0; i < n; i++)
      if (strcmp(toks[i].prefix, prefix) == 0)
        hit = i;
    if (hit == n) {
      rc = web_problem(x, 404, "Niet gevonden", NULL, "U heeft geen sleutel %.20s.", prefix);
    } else if (sk_auth_token_revoke(st, v.acct->rid, toks[hit].rid, (int64_t)time(NULL)) != SK_OK) {
      rc = web_unavailable(x, "De sleutel kon niet worden ingetrokken. Probeer het opnieuw.");
    } else {
      web_reply_json(x, 200, json_pack("{s:s, s:b}", "id", toks[hit].prefix, "revoked", 1));
    }
  }
  if (x->out.status < 300) {
    x->out.cache = "no-store";
    x->out.etag = 0;
  }
  free(toks);
  web_viewer_free(&v);
  return rc;
}

/* ---- changing a password, and the reset link ------------------------------- */

static int change_own(struct web_ctx *x, const char *body) {
  struct web_viewer v;
  if (web_viewer_get(x, 0, &v) != SK_OK)
    return SK_EINVAL;
  if (v.how != WEB_COOKIE) {
    web_viewer_free(&v);
    see_other(x, "/portaal/inloggen.html%s", NULL);
    return SK_OK;
  }
  char csrf[SK_AUTH_TOKEN_LEN + 2] = "";
  web_form_value(body, "csrf", csrf, sizeof csrf);
  if (!web_csrf_ok(x, &v, csrf)) {
    web_viewer_free(&v);
    return SK_EINVAL;
  }
  web_viewer_free(&v);
  char cur[SK_AUTH_PASSWORD_MAX + 2] = "", nw[SK_AUTH_PASSWORD_MAX + 2] = "";
  web_form_value(body, "huidig", cur, sizeof cur);
  web_form_value(body, "nieuw", nw, sizeof nw);
  struct sk_store *st = web_auth_store(x);
  if (!st) {
    sodium_memzero(cur, sizeof cur);
    sodium_memzero(nw, sizeof nw);
    return web_unavailable(x, "De database is niet bereikbaar.");
  }
  char ip[64], err[256] = "", token[SK_AUTH_TOKEN_LEN] = "";
  web_client_ip(x, ip);
  const char *ua = MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "User-Agent");
  struct sk_session sess;
  int rc = sk_auth_change_password(st, web_session_token(x), cur, nw, ip, ua, (int64_t)time(NULL),
                                   &sess, token, err, sizeof err);
  sodium_memzero(cur, sizeof cur);
  sodium_memzero(nw, sizeof nw);
  if (rc == SK_OK) {
    int c = sk_auth_cookie(token, sk_auth_policy()->session_absolute, web_is_secure(x),
                           x->out.set_cookie, sizeof x->out.set_cookie);
    sodium_memzero(token, sizeof token);
    if (c != SK_OK)
      x->out.set_cookie[0] = '\0';
    see_other(x, "/portaal/?wachtwoord=gewijzigd%s", NULL);
    return SK_OK;
  }
  if (rc == SK_AUTH_ENOSESSION) {
    see_other(x, "/portaal/inloggen.html%s", NULL);
    return SK_OK;
  }
  if (rc == SK_AUTH_ETHROTTLED)
    x->out.retry_after = "900";
  const char *why = rc == SK_AUTH_EBADLOGIN    ? "huidig"
                    : rc == SK_AUTH_ETHROTTLED ? "vaak"
                    : rc == SK_AUTH_EPASSWORD  ? "nieuw"
                                               : NULL;
  if (!why)
    return web_unavailable(x, "Het wachtwoord kon nu niet worden gewijzigd. Probeer het later.");
  see_other(x, PAGE "?fout=%s", why);
  return SK_OK;
}

static int reset_with_link(struct web_ctx *x, const char *body, const char *token) {
  char nw[SK_AUTH_PASSWORD_MAX + 2] = "";
  web_form_value(body, "nieuw", nw, sizeof nw);
  struct sk_store *st = web_auth_store(x);
  if (!st) {
    sodium_memzero(nw, sizeof nw);
    return web_unavailable(x, "De database is niet bereikbaar.");
  }
  char err[256] = "";
  int rc = sk_auth_reset_use(st, token, nw, (int64_t)time(NULL), NULL, err, sizeof err);
  sodium_memzero(nw, sizeof nw);
  if (rc == SK_OK) {
    see_other(x, "/portaal/inloggen.html?wachtwoord=nieuw%s", NULL);
    return SK_OK;
  }
  if (rc == SK_AUTH_EPASSWORD && token_chars_ok(token)) {
    char loc[sizeof x->out.location];
    snprintf(loc, sizeof loc, PAGE "?fout=nieuw&token=%s", token);
    see_other(x, "%s", loc);
    return SK_OK;
  }
  if (rc == SK_AUTH_EBADTOKEN || rc == SK_AUTH_EPASSWORD) {
    see_other(x, PAGE "?fout=link%s", NULL);
    return SK_OK;
  }
  return web_unavailable(x, "Het wachtwoord kon nu niet worden gewijzigd. Probeer het later.");
}

int web_password_handler(struct web_ctx *x) {
  if (strcmp(x->method, "GET") == 0 || strcmp(x->method, "HEAD") == 0) {
    /* The link in the e-mail lands here: on to the page, token kept. */
    const char *t = web_arg(x, "token");
    if (t && token_chars_ok(t)) {
      char loc[sizeof x->out.location];
      snprintf(loc, sizeof loc, PAGE "?token=%s", t);
      see_other(x, "%s", loc);
    } else {
      see_other(x, PAGE "%s", NULL);
    }
    return SK_OK;
  }
  if (strcmp(x->method, "POST") != 0) {
    x->out.allow = "GET, HEAD, POST, OPTIONS";
    return web_problem(x, 405, "Methode niet toegestaan", NULL,
                       "Een nieuw wachtwoord stuurt u met het formulier (POST).");
  }
  if (!web_is_form(x))
    return web_problem(x, 415, "Verkeerd soort inhoud", NULL,
                       "Stuur het formulier (application/x-www-form-urlencoded).");
  const char *body = x->req->body ? x->req->body : "";
  char token[SK_AUTH_TOKEN_LEN + 2] = "";
  if (web_form_value(body, "token", token, sizeof token) && token[0]) {
    /* Like a login there is no session to carry a CSRF token: the page's
     * origin is checked instead. */
    if (!web_same_origin(x))
      return web_problem(x, 403, "Geen toegang", NULL, "%s", sk_auth_message(SK_AUTH_ECSRF));
    int rc = reset_with_link(x, body, token);
    sodium_memzero(token, sizeof token);
    return rc;
  }
  return change_own(x, body);
}

/* Requests for a link, per client address: at most FORGOT_MAX in
 * FORGOT_WINDOW seconds, process-wide. Past it the answer stays the same
 * (nothing to learn from it) but no mail is queued. */
#define FORGOT_SLOTS 256
#define FORGOT_MAX 5
#define FORGOT_WINDOW 900
/* Per account: one new link per FORGOT_ACCOUNT_GAP seconds. */
#define FORGOT_ACCOUNT_GAP 300

static struct {
  char ip[64];
  int64_t since;
  int count;
} g_forgot[FORGOT_SLOTS];
static pthread_mutex_t g_forgot_mu = PTHREAD_MUTEX_INITIALIZER;

static int forgot_allowed(const char *ip, int64_t now) {
  pthread_mutex_lock(&g_forgot_mu);
  size_t h = 5381;
  for (const char *p = ip; *p; p++)
    h = h * 33 + (unsigned char)*p;
  /* One slot per hash; a collision shares a budget, which only errs on
   * the side of sending less. */
  size_t i = h % FORGOT_SLOTS;
  if (strcmp(g_forgot[i].ip, ip) != 0 || now - g_forgot[i].since >= FORGOT_WINDOW) {
    snprintf(g_forgot[i].ip, sizeof g_forgot[i].ip, "%s", ip);
    g_forgot[i].since = now;
    g_forgot[i].count = 0;
  }
  int ok = ++g_forgot[i].count <= FORGOT_MAX;
  pthread_mutex_unlock(&g_forgot_mu);
  return ok;
}

static int recent_link(struct sk_store *st, long long rid, int64_t now) {
  sqlite3_stmt *s = NULL;
  int yes = 1; /* on a database error, send nothing */
  if (sqlite3_prepare_v2(
          st->db, "SELECT count(*) FROM password_reset WHERE account_rid = ?1 AND created > ?2", -1,
          &s, NULL) == SQLITE_OK) {
    sqlite3_bind_int64(s, 1, rid);
    sqlite3_bind_int64(s, 2, now - FORGOT_ACCOUNT_GAP);
    if (sqlite3_step(s) == SQLITE_ROW)
      yes = sqlite3_column_int64(s, 0) > 0;
  }
  sqlite3_finalize(s);
  return yes;
}

static void queue_link(struct web_server *srv, struct sk_store *st, const struct sk_account *a,
                       int64_t now) {
  char token[SK_AUTH_TOKEN_LEN];
  if (sk_auth_reset_create(st, a->rid, now, token) != SK_OK)
    return;
  struct sk_buf body;
  sk_buf_init(&body, 8192);
  int rc = sk_buf_printf(&body,
                         "Beste %s,\n\n"
                         "U vroeg om een nieuw wachtwoord voor de Sociale Kaart. Of iemand anders"
                         " deed dat met uw e-mailadres.\n\n"
                         "Kies een nieuw wachtwoord via deze link:\n\n"
                         "%s/portal/wachtwoord?token=%s\n\n"
                         "De link werkt een keer, en 24 uur lang.\n\n"
                         "Vroeg u niet om een nieuw wachtwoord? Dan hoeft u niets te doen. Uw"
                         " wachtwoord blijft hetzelfde.\n",
                         a->name[0] ? a->name : a->email, srv->cfg.public_url, token);
  sodium_memzero(token, sizeof token);
  char period[48];
  snprintf(period, sizeof period, "wachtwoord:%lld", (long long)now);
  if (rc == SK_OK) {
    pthread_mutex_lock(&srv->portal_mu);
    rc = sk_portal_outbox_add(srv->portal, a->id, a->email, period,
                              "Een nieuw wachtwoord voor de Sociale Kaart", sk_buf_str(&body));
    pthread_mutex_unlock(&srv->portal_mu);
  }
  if (rc != SK_OK)
    fprintf(stderr, "sociale-kaart serve: a reset link could not be queued (%s)\n",
            sk_strerror(rc));
  else
    web_mailer_kick(srv); /* out at once when the server has SMTP */
  sodium_memzero(body.ptr, body.len);
  sk_buf_free(&body);
}

/* ---- the link requests, off the request thread ------------------------------
 *
 * Whether an address has an account decides whether a link is made and
 * queued (two writes to the database) or nothing is done. Done in the
 * request, that showed in the answer's time: a known address took
 * milliseconds longer than an unknown one, so the time told what the words
 * of the answer do not. The request only hands the address to this thread
 * (a bounded queue; full: dropped, as past the per-address budget) and
 * answers at once, the same for every address. */

#define FORGOT_QUEUE 64

struct web_forgot {
  struct web_server *srv;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int stop;         /* guarded by mu */
  unsigned head, n; /* guarded by mu */
  struct {
    char email[SK_AUTH_EMAIL_MAX + 2];
    int64_t at;
  } q[FORGOT_QUEUE];
  atomic_ullong done, dropped;
};

static void forgot_one(struct web_forgot *f, struct sk_store **st, const char *email, int64_t at) {
  char err[512] = "";
  if (!*st) {
    if (sk_store_open(f->srv->db_path, 0, st, err, sizeof err) != SK_OK) {
      fprintf(stderr, "sociale-kaart serve: reset link: %s\n",
              err[0] ? err : "cannot open the database");
      *st = NULL;
      return;
    }
    sk_store_set_busy_wait(*st, WEB_WRITE_WAIT_MS);
  }
  struct sk_account a;
  if (sk_auth_account_by_email(*st, email, &a) == SK_OK && !a.disabled &&
      !recent_link(*st, a.rid, at))
    queue_link(f->srv, *st, &a, at);
}

static void *forgot_main(void *arg) {
  struct web_forgot *f = arg;
  struct sk_store *st = NULL;
  char email[SK_AUTH_EMAIL_MAX + 2];
  pthread_mutex_lock(&f->mu);
  for (;;) {
    while (!f->stop && !f->n)
      pthread_cond_wait(&f->cv, &f->mu);
    if (f->stop)
      break; /* what is still queued is dropped: the server stops */
    snprintf(email, sizeof email, "%s", f->q[f->head].email);
    int64_t at = f->q[f->head].at;
    sodium_memzero(f->q[f->head].email, sizeof f->q[f->head].email);
    f->head = (f->head + 1) % FORGOT_QUEUE;
    f->n--;
    pthread_mutex_unlock(&f->mu);
    forgot_one(f, &st, email, at);
    sodium_memzero(email, sizeof email);
    atomic_fetch_add(&f->done, 1);
    pthread_mutex_lock(&f->mu);
  }
  pthread_mutex_unlock(&f->mu);
  sk_store_close(st);
  return NULL;
}

int web_forgot_start(struct web_server *srv) {
  struct web_forgot *f = calloc(1, sizeof *f);
  if (!f)
    return SK_ENOMEM;
  f->srv = srv;
  pthread_mutex_init(&f->mu, NULL);
  pthread_cond_init(&f->cv, NULL);
  if (pthread_create(&f->thread, NULL, forgot_main, f) != 0) {
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
    return SK_EIO;
  }
  srv->forgot = f;
  return SK_OK;
}

void web_forgot_stop(struct web_server *srv) {
  struct web_forgot *f = srv->forgot;
  if (!f)
    return;
  pthread_mutex_lock(&f->mu);
  f->stop = 1;
  pthread_cond_signal(&f->cv);
  pthread_mutex_unlock(&f->mu);
  pthread_join(f->thread, NULL);
  sodium_memzero(f->q, sizeof f->q);
  pthread_cond_destroy(&f->cv);
  pthread_mutex_destroy(&f->mu);
  free(f);
  srv->forgot = NULL;
}

void web_forgot_counts(const struct web_server *srv, unsigned long long *done,
                       unsigned long long *dropped) {
  *done = srv->forgot ? atomic_load(&srv->forgot->done) : 0;
  *dropped = srv->forgot ? atomic_load(&srv->forgot->dropped) : 0;
}

static void forgot_enqueue(struct web_server *srv, const char *email, int64_t now) {
  struct web_forgot *f = srv->forgot;
  if (!f)
    return;
  pthread_mutex_lock(&f->mu);
  if (f->n == FORGOT_QUEUE || f->stop) {
    atomic_fetch_add(&f->dropped, 1);
  } else {
    unsigned i = (f->head + f->n) % FORGOT_QUEUE;
    snprintf(f->q[i].email, sizeof f->q[i].email, "%s", email);
    f->q[i].at = now;
    f->n++;
    pthread_cond_signal(&f->cv);
  }
  pthread_mutex_unlock(&f->mu);
}

int web_password_forgot_handler(struct web_ctx *x) {
  if (strcmp(x->method, "GET") == 0 || strcmp(x->method, "HEAD") == 0) {
    see_other(x, FORGOT_PAGE "%s", NULL);
    return SK_OK;
  }
  if (strcmp(x->method, "POST") != 0) {
    x->out.allow = "GET, HEAD, POST, OPTIONS";
    return web_problem(x, 405, "Methode niet toegestaan", NULL,
                       "Een nieuwe link vraagt u aan met het formulier (POST).");
  }
  if (!web_is_form(x))
    return web_problem(x, 415, "Verkeerd soort inhoud", NULL,
                       "Stuur het formulier (application/x-www-form-urlencoded).");
  if (!web_same_origin(x))
    return web_problem(x, 403, "Geen toegang", NULL, "%s", sk_auth_message(SK_AUTH_ECSRF));
  if (!x->srv->cfg.public_url) {
    /* Without our own address a link would have to come from the Host
     * header: refuse, the same for every address. */
    see_other(x, FORGOT_PAGE "?fout=uit%s", NULL);
    return SK_OK;
  }
  char email[SK_AUTH_EMAIL_MAX + 2] = "", ip[64];
  web_form_value(x->req->body ? x->req->body : "", "email", email, sizeof email);
  web_client_ip(x, ip);
  int64_t now = (int64_t)time(NULL);
  /* Whatever happens next, the answer is the same, and as quick: it must
   * not tell whether the address has an account (forgot_main looks). */
  if (email[0] && forgot_allowed(ip, now))
    forgot_enqueue(x->srv, email, now);
  sodium_memzero(email, sizeof email);
  see_other(x, FORGOT_PAGE "?verstuurd=1%s", NULL);
  return SK_OK;
}
