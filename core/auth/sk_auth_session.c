/* Login with throttling, sessions, CSRF, the session cookie and password
 * reset tokens. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "sk_auth.h"
#include "sk_auth_int.h"
#include "sk_err.h"

_Static_assert(AUTH_HASH_STR_LEN == crypto_pwhash_STRBYTES, "argon2 string size");

/* Failed attempts in the window for email_key, from ip only when by_ip, or
 * from every address of ip (email_key NULL). *count gets their number,
 * *nth_newest the time of the nth newest (0 when there are fewer), *newest
 * the time of the newest. SK_OK or SK_EDB. */
static int failures(struct sk_store *st, const char *email_key, const char *ip, int by_ip,
                    int64_t since, int nth, long long *count, int64_t *nth_newest,
                    int64_t *newest) {
  /* coalesce: an attempt without an address (the CLI) is one address. */
  const char *where = !email_key ? "ip = ?2"
                      : by_ip    ? "email_hash = ?1 AND coalesce(ip, '') = coalesce(?2, '')"
                                 : "email_hash = ?1";
  char sql[400];
  snprintf(
      sql, sizeof sql,
      "SELECT count(*), max(at), (SELECT at FROM login_attempt WHERE %s AND at > ?3 AND ok = 0"
      " ORDER BY at DESC LIMIT 1 OFFSET ?4) FROM login_attempt WHERE %s AND at > ?3 AND ok = 0",
      where, where);
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  if (email_key)
    sqlite3_bind_text(s, 1, email_key, -1, SQLITE_STATIC);
  if (ip && *ip)
    sqlite3_bind_text(s, 2, ip, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 3, since);
  sqlite3_bind_int(s, 4, nth > 0 ? nth - 1 : 0);
  int rc = SK_EDB;
  if (sqlite3_step(s) == SQLITE_ROW) {
    *count = sqlite3_column_int64(s, 0);
    *newest = sqlite3_column_int64(s, 1);
    *nth_newest = sqlite3_column_int64(s, 2);
    rc = SK_OK;
  }
  sqlite3_finalize(s);
  return rc;
}

/* Seconds before an attempt for email_key from ip is checked (0: now), the
 * largest of three rules (docs/auth.md, OWASP ASVS 2.2.1):
 *  - this address failed throttle_pair_max times for this account in the
 *    window: until the oldest of those leaves it;
 *  - this address failed throttle_ip_max times for any account: the same;
 *  - the account failed more than throttle_account_free times in the window
 *    (from anywhere) and this address is one of them: 2^(n - free) seconds
 *    (at most throttle_delay_max) after the account's last failure.
 * An address that has not failed for the account is always heard, so
 * nobody can lock another person out of an account by guessing. */
static int throttle_wait(struct sk_store *st, const char *email_key, const char *ip, int64_t now,
                         int64_t *wait) {
  const struct sk_auth_policy *p = sk_auth_policy();
  int64_t since = now - p->throttle_window, w = 0, nth, newest;
  long long n_pair, n_ip = 0, n_account;
  int rc = failures(st, email_key, ip, 1, since, p->throttle_pair_max, &n_pair, &nth, &newest);
  if (rc)
    return rc;
  if (n_pair >= p->throttle_pair_max && nth + p->throttle_window - now > w)
    w = nth + p->throttle_window - now;
  if (ip && *ip) {
    if ((rc = failures(st, NULL, ip, 1, since, p->throttle_ip_max, &n_ip, &nth, &newest)))
      return rc;
    if (n_ip >= p->throttle_ip_max && nth + p->throttle_window - now > w)
      w = nth + p->throttle_window - now;
  }
  if (n_pair > 0) {
    if ((rc = failures(st, email_key, NULL, 0, since, 1, &n_account, &nth, &newest)))
      return rc;
    if (n_account >= p->throttle_account_free) {
      long long extra = n_account - p->throttle_account_free;
      int64_t delay = extra >= 30 ? p->throttle_delay_max : (int64_t)1 << extra;
      if (delay > p->throttle_delay_max)
        delay = p->throttle_delay_max;
      if (newest + delay - now > w)
        w = newest + delay - now;
    }
  }
  *wait = w;
  return SK_OK;
}

int sk_auth_login_wait(struct sk_store *st, const char *email, const char *ip, int64_t now,
                       int64_t *wait) {
  *wait = 0;
  int rc = auth_ensure_init();
  if (rc)
    return rc;
  if (ip && strlen(ip) > 64)
    ip = NULL;
  char email_key[65];
  auth_email_key(email, email_key);
  int64_t w = 0;
  if ((rc = throttle_wait(st, email_key, ip, now, &w)) == SK_OK)
    *wait = w;
  return rc;
}

/* Check the limits and, in the same transaction, count this attempt as a
 * failure until it proves correct: parallel guesses cannot slip past the
 * limit while their hashes are being checked. */
static int throttle_and_record(struct sk_store *st, const char *email_key, const char *ip,
                               int64_t now, long long *attempt_rid) {
  int brc = sk_store_begin(st);
  if (brc)
    return brc; /* SK_EBUSY or SK_EDB */
  int64_t wait = 0;
  int rc = throttle_wait(st, email_key, ip, now, &wait);
  if (rc == SK_OK && wait > 0)
    rc = SK_AUTH_ETHROTTLED;
  if (rc == SK_OK) {
    sqlite3_stmt *s = NULL;
    rc = SK_EDB;
    if (sqlite3_prepare_v2(
            st->db, "INSERT INTO login_attempt(at, email_hash, ip, ok) VALUES(?1, ?2, ?3, 0)", -1,
            &s, NULL) == SQLITE_OK) {
      sqlite3_bind_int64(s, 1, now);
      sqlite3_bind_text(s, 2, email_key, -1, SQLITE_STATIC);
      if (ip && *ip)
        sqlite3_bind_text(s, 3, ip, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null(s, 3);
      if (sqlite3_step(s) == SQLITE_DONE) {
        rc = SK_OK;
        *attempt_rid = sqlite3_last_insert_rowid(st->db);
      }
    }
    sqlite3_finalize(s);
  }
  if (rc == SK_OK)
    rc = sk_store_commit(st);
  if (rc)
    sk_store_rollback(st);
  return rc;
}

/* The account and password hash for a login, or a "no account" answer that
 * the caller treats exactly like a wrong password. */
static int load_for_login(struct sk_store *st, const char *email, struct sk_account *a,
                          char hash[AUTH_HASH_STR_LEN], int *found) {
  *found = 0;
  hash[0] = '\0';
  char norm[SK_AUTH_EMAIL_MAX + 1];
  if (!auth_email_normalize(email, norm))
    return SK_OK;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT " AUTH_ACCOUNT_COLS ", a.password_hash FROM account a"
                         " WHERE a.email = ?1",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, norm, -1, SQLITE_STATIC);
  int step = sqlite3_step(s);
  int rc = step == SQLITE_ROW || step == SQLITE_DONE ? SK_OK : SK_EDB;
  if (step == SQLITE_ROW) {
    auth_read_account(s, 0, a);
    const char *h = (const char *)sqlite3_column_text(s, AUTH_ACCOUNT_NCOLS);
    if (h && strlen(h) < AUTH_HASH_STR_LEN)
      snprintf(hash, AUTH_HASH_STR_LEN, "%s", h);
    *found = 1;
  }
  sqlite3_finalize(s);
  return rc;
}

static int64_t session_end(int64_t last_seen, int64_t absolute) {
  int64_t idle_end = last_seen + sk_auth_policy()->session_idle;
  return idle_end < absolute ? idle_end : absolute;
}

/* A new session for a, inside the caller's transaction. token receives
 * the cookie token, out the session. */
static int session_insert(struct sk_store *st, const struct sk_account *a, const char *ip,
                          const char *user_agent, int64_t now, char token[SK_AUTH_TOKEN_LEN],
                          struct sk_session *out) {
  char csrf[SK_AUTH_TOKEN_LEN], id_hash[65];
  auth_token_new("", token);
  auth_token_new("", csrf);
  auth_hash_hex("sk-session", token, strlen(token), id_hash);
  int64_t absolute = now + sk_auth_policy()->session_absolute;
  sqlite3_stmt *s = NULL;
  int rc = SK_EDB;
  if (sqlite3_prepare_v2(st->db,
                         "INSERT INTO auth_session(id_hash, account_rid, created, last_seen,"
                         " expires, csrf, ip, user_agent) VALUES(?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7)",
                         -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, id_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, a->rid);
    sqlite3_bind_int64(s, 3, now);
    sqlite3_bind_int64(s, 4, absolute);
    sqlite3_bind_text(s, 5, csrf, -1, SQLITE_STATIC);
    if (ip && *ip)
      sqlite3_bind_text(s, 6, ip, -1, SQLITE_STATIC);
    else
      sqlite3_bind_null(s, 6);
    /* Only for the user's own list of sessions: bounded, never trusted. */
    if (user_agent && auth_text_ok(user_agent, 300))
      sqlite3_bind_text(s, 7, user_agent, -1, SQLITE_STATIC);
    else
      sqlite3_bind_null(s, 7);
    if (sqlite3_step(s) == SQLITE_DONE)
      rc = SK_OK;
  }
  sqlite3_finalize(s);
  if (rc)
    return rc;
  out->account = *a;
  snprintf(out->csrf, sizeof out->csrf, "%s", csrf);
  out->created = now;
  out->last_seen = now;
  out->expires = session_end(now, absolute);
  return SK_OK;
}

static int clear_failures(struct sk_store *st, const char *email_key, const char *ip) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "DELETE FROM login_attempt WHERE email_hash = ?1"
                         " AND coalesce(ip, '') = coalesce(?2, '') AND ok = 0",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, email_key, -1, SQLITE_STATIC);
  if (ip && *ip)
    sqlite3_bind_text(s, 2, ip, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  sqlite3_finalize(s);
  return rc;
}

int sk_auth_login(struct sk_store *st, const char *email, const char *password, const char *ip,
                  const char *user_agent, int64_t now, struct sk_session *out,
                  char token[SK_AUTH_TOKEN_LEN], char *err, size_t errlen) {
  token[0] = '\0';
  memset(out, 0, sizeof *out);
  int rc = auth_ensure_init();
  if (rc)
    return auth_fail(rc, err, errlen);
  if (ip && strlen(ip) > 64)
    ip = NULL; /* not an address; throttling keeps working per e-mail */
  char email_key[65];
  auth_email_key(email, email_key);
  long long attempt = 0;
  if ((rc = throttle_and_record(st, email_key, ip, now, &attempt)))
    return auth_fail(rc, err, errlen);

  struct sk_account a;
  char hash[AUTH_HASH_STR_LEN];
  int found = 0;
  if ((rc = load_for_login(st, email, &a, hash, &found)))
    return auth_fail(rc, err, errlen);
  const char *pw = password ? password : "";
  int ok = 0;
  if (strlen(pw) <= SK_AUTH_PASSWORD_MAX) {
    /* Always one full hash, also without an account or a password, so the
     * answer takes as long either way. */
    ok = auth_password_verify(found && hash[0] ? hash : NULL, pw);
  }
  if (!ok || !found || a.disabled) {
    sodium_memzero(hash, sizeof hash);
    return auth_fail(SK_AUTH_EBADLOGIN, err, errlen);
  }

  char new_hash[AUTH_HASH_STR_LEN] = "";
  if (auth_password_needs_rehash(hash) && auth_password_hash(pw, new_hash) != SK_OK)
    new_hash[0] = '\0'; /* keep the old hash; logging in matters more */
  sodium_memzero(hash, sizeof hash);

  char at[32];
  auth_iso(now, at);
  if ((rc = sk_store_begin(st))) {
    sodium_memzero(new_hash, sizeof new_hash);
    return auth_fail(rc, err, errlen);
  }
  rc = auth_exec_bind(st, "UPDATE login_attempt SET ok = 1 WHERE rid = ?2", NULL, attempt, 0, NULL);
  /* Only this address's failures: another address's guesses keep counting
   * against that address. */
  if (rc == SK_OK)
    rc = clear_failures(st, email_key, ip);
  if (rc == SK_OK)
    rc = auth_exec_bind(st, "UPDATE account SET last_login = ?1 WHERE rid = ?2", at, a.rid, 0,
                        NULL);
  if (rc == SK_OK && new_hash[0])
    rc = auth_exec_bind(st, "UPDATE account SET password_hash = ?1 WHERE rid = ?2", new_hash, a.rid,
                        0, NULL);
  snprintf(a.last_login, sizeof a.last_login, "%s", at);
  if (rc == SK_OK)
    rc = session_insert(st, &a, ip, user_agent, now, token, out);
  if (rc == SK_OK)
    rc = sk_store_commit(st);
  sodium_memzero(new_hash, sizeof new_hash);
  if (rc) {
    sk_store_rollback(st);
    memset(out, 0, sizeof *out);
    sodium_memzero(token, SK_AUTH_TOKEN_LEN);
    return auth_fail(rc, err, errlen);
  }
  return SK_OK;
}

int sk_auth_change_password(struct sk_store *st, const char *session_token, const char *current,
                            const char *new_password, const char *ip, const char *user_agent,
                            int64_t now, struct sk_session *out, char token[SK_AUTH_TOKEN_LEN],
                            char *err, size_t errlen) {
  token[0] = '\0';
  struct sk_session cur;
  int rc = sk_auth_session_lookup(st, session_token, now, &cur);
  if (rc)
    return auth_fail(rc, err, errlen);
  memset(out, 0, sizeof *out);
  if (!auth_password_ok(new_password))
    return auth_fail(SK_AUTH_EPASSWORD, err, errlen);
  /* The current password goes through login, so guessing it here is
   * throttled like anywhere else. The session it makes ends below. */
  struct sk_session check;
  char check_token[SK_AUTH_TOKEN_LEN];
  rc = sk_auth_login(st, cur.account.email, current, ip, user_agent, now, &check, check_token, err,
                     errlen);
  sodium_memzero(check_token, sizeof check_token);
  if (rc)
    return rc;
  char actor[64];
  snprintf(actor, sizeof actor, "account:%s", cur.account.id);
  if ((rc = sk_auth_set_password(st, cur.account.rid, new_password, actor, now, err, errlen)))
    return rc;
  /* Every session ended with the old password; this one goes on under a
   * new token. */
  struct sk_account a;
  if ((rc = sk_auth_account_by_rid(st, cur.account.rid, &a)))
    return auth_fail(rc, err, errlen);
  if (sk_store_begin(st))
    return auth_fail(SK_EDB, err, errlen);
  rc = session_insert(st, &a, ip, user_agent, now, token, out);
  if (rc == SK_OK)
    rc = sk_store_commit(st);
  if (rc) {
    sk_store_rollback(st);
    memset(out, 0, sizeof *out);
    sodium_memzero(token, SK_AUTH_TOKEN_LEN);
    return auth_fail(rc, err, errlen);
  }
  return SK_OK;
}

int sk_auth_session_lookup(struct sk_store *st, const char *token, int64_t now,
                           struct sk_session *out) {
  memset(out, 0, sizeof *out);
  if (auth_ensure_init() != SK_OK || !auth_token_plausible(token))
    return SK_AUTH_ENOSESSION;
  char id_hash[65];
  auth_hash_hex("sk-session", token, strlen(token), id_hash);
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT s.created, s.last_seen, s.expires, s.csrf, " AUTH_ACCOUNT_COLS
                         " FROM auth_session s JOIN account a ON a.rid = s.account_rid"
                         " WHERE s.id_hash = ?1",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, id_hash, -1, SQLITE_STATIC);
  int step = sqlite3_step(s);
  if (step != SQLITE_ROW) {
    sqlite3_finalize(s);
    return step == SQLITE_DONE ? SK_AUTH_ENOSESSION : SK_EDB;
  }
  out->created = sqlite3_column_int64(s, 0);
  out->last_seen = sqlite3_column_int64(s, 1);
  int64_t absolute = sqlite3_column_int64(s, 2);
  const char *csrf = (const char *)sqlite3_column_text(s, 3);
  snprintf(out->csrf, sizeof out->csrf, "%s", csrf ? csrf : "");
  auth_read_account(s, 4, &out->account);
  sqlite3_finalize(s);

  if (out->account.disabled || now >= session_end(out->last_seen, absolute)) {
    auth_exec_bind(st, "DELETE FROM auth_session WHERE id_hash = ?1", id_hash, 0, 0, NULL);
    memset(out, 0, sizeof *out);
    return SK_AUTH_ENOSESSION;
  }
  if (now - out->last_seen >= sk_auth_policy()->session_touch) {
    /* Best effort: a busy writer must not turn a page view into an error;
     * the next request tries again. */
    if (auth_exec_bind(st, "UPDATE auth_session SET last_seen = ?2 WHERE id_hash = ?1", id_hash,
                       now, 0, NULL) == SK_OK)
      out->last_seen = now;
  }
  out->expires = session_end(out->last_seen, absolute);
  return SK_OK;
}

int sk_auth_logout(struct sk_store *st, const char *token) {
  if (auth_ensure_init() != SK_OK)
    return SK_ENOMEM;
  if (!auth_token_plausible(token))
    return SK_OK;
  char id_hash[65];
  auth_hash_hex("sk-session", token, strlen(token), id_hash);
  return auth_exec_bind(st, "DELETE FROM auth_session WHERE id_hash = ?1", id_hash, 0, 0, NULL);
}

int sk_auth_logout_all(struct sk_store *st, long long account_rid) {
  return auth_exec_bind(st, "DELETE FROM auth_session WHERE account_rid = ?2", NULL, account_rid, 0,
                        NULL);
}

int sk_auth_csrf_check(const struct sk_session *s, const char *submitted) {
  if (!s || !submitted || !s->csrf[0])
    return 0;
  size_t n = strlen(s->csrf);
  if (strnlen(submitted, n + 1) != n)
    return 0;
  return sodium_memcmp(s->csrf, submitted, n) == 0;
}

int sk_auth_purge(struct sk_store *st, int64_t now) {
  const struct sk_auth_policy *p = sk_auth_policy();
  int64_t keep = p->attempt_keep > p->throttle_window ? p->attempt_keep : p->throttle_window;
  if (sk_store_begin(st))
    return SK_EDB;
  int rc = auth_exec_bind(st, "DELETE FROM auth_session WHERE expires <= ?2 OR last_seen <= ?3",
                          NULL, now, now - p->session_idle, NULL);
  if (rc == SK_OK)
    rc = auth_exec_bind(st, "DELETE FROM password_reset WHERE expires <= ?2", NULL, now, 0, NULL);
  if (rc == SK_OK)
    rc = auth_exec_bind(st, "DELETE FROM login_attempt WHERE at <= ?2", NULL, now - keep, 0, NULL);
  if (rc == SK_OK)
    rc = sk_store_commit(st);
  if (rc)
    sk_store_rollback(st);
  return rc;
}

int sk_auth_cookie(const char *token, int64_t max_age, int secure, char *out, size_t outlen) {
  if (token && !auth_token_plausible(token))
    return SK_EINVAL; /* never let a value break out of the header */
  if (max_age < 0)
    max_age = 0;
  int n = snprintf(out, outlen, "%s=%s; Path=/; Max-Age=%lld; HttpOnly;%s SameSite=Strict",
                   secure ? SK_AUTH_COOKIE_NAME_SECURE : SK_AUTH_COOKIE_NAME, token ? token : "",
                   token ? (long long)max_age : 0LL, secure ? " Secure;" : "");
  return n < 0 || (size_t)n >= outlen ? SK_ETOOBIG : SK_OK;
}

/* ---- Password reset ------------------------------------------------------- */

int sk_auth_reset_create(struct sk_store *st, long long rid, int64_t now,
                         char token[SK_AUTH_TOKEN_LEN]) {
  token[0] = '\0';
  int rc = auth_ensure_init();
  if (rc)
    return rc;
  struct sk_account a;
  if ((rc = sk_auth_account_by_rid(st, rid, &a)))
    return rc;
  char t[SK_AUTH_TOKEN_LEN], h[65];
  auth_token_new("", t);
  auth_hash_hex("sk-reset", t, strlen(t), h);
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "INSERT INTO password_reset(hash, account_rid, created, expires)"
                         " VALUES(?1, ?2, ?3, ?4)",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, h, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, rid);
  sqlite3_bind_int64(s, 3, now);
  sqlite3_bind_int64(s, 4, now + sk_auth_policy()->reset_lifetime);
  rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  sqlite3_finalize(s);
  if (rc == SK_OK)
    memcpy(token, t, SK_AUTH_TOKEN_LEN);
  sodium_memzero(t, sizeof t);
  return rc;
}

static int reset_account(struct sk_store *st, const char *h, int64_t now, long long *rid) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT account_rid FROM password_reset WHERE hash = ?1 AND expires > ?2",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, h, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, now);
  int step = sqlite3_step(s);
  int rc = step == SQLITE_ROW ? SK_OK : step == SQLITE_DONE ? SK_AUTH_EBADTOKEN : SK_EDB;
  if (rc == SK_OK)
    *rid = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return rc;
}

int sk_auth_reset_use(struct sk_store *st, const char *token, const char *new_password, int64_t now,
                      long long *account_rid, char *err, size_t errlen) {
  int rc = auth_ensure_init();
  if (rc)
    return auth_fail(rc, err, errlen);
  if (!auth_token_plausible(token))
    return auth_fail(SK_AUTH_EBADTOKEN, err, errlen);
  char h[65];
  auth_hash_hex("sk-reset", token, strlen(token), h);
  long long rid = 0;
  if ((rc = reset_account(st, h, now, &rid)))
    return auth_fail(rc, err, errlen);
  if (!auth_password_ok(new_password))
    return auth_fail(SK_AUTH_EPASSWORD, err, errlen);
  struct sk_account a;
  if ((rc = sk_auth_account_by_rid(st, rid, &a)))
    return auth_fail(rc == SK_ENOTFOUND ? SK_AUTH_EBADTOKEN : rc, err, errlen);
  char hash[AUTH_HASH_STR_LEN];
  if ((rc = auth_password_hash(new_password, hash)))
    return auth_fail(rc, err, errlen);
  if (sk_store_begin(st))
    return auth_fail(SK_EDB, err, errlen);
  int used = 0;
  /* Consume it inside the transaction: of two requests with one token,
   * only one gets here with a row to delete. */
  rc = auth_exec_bind(st, "DELETE FROM password_reset WHERE hash = ?1 AND expires > ?2", h, now, 0,
                      &used);
  if (rc == SK_OK && used != 1)
    rc = SK_AUTH_EBADTOKEN;
  char actor[64];
  snprintf(actor, sizeof actor, "account:%s", a.id);
  if (rc == SK_OK)
    rc = auth_store_password(st, &a, hash, actor, now);
  if (rc == SK_OK)
    rc = sk_store_commit(st);
  sodium_memzero(hash, sizeof hash);
  if (rc) {
    sk_store_rollback(st);
    return auth_fail(rc, err, errlen);
  }
  if (account_rid)
    *account_rid = rid;
  return SK_OK;
}
