/* Accounts and access: passwords never in clear, no user enumeration,
 * throttling, session lifetimes, CSRF, API tokens, roles, and the 'user'
 * command. Time is injected, so nothing here sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "helper_test.h"
#include "sk_auth.h"
#include "sk_err.h"

#define T0 1780000000LL /* 2026-05-28, any fixed moment */
#define PW "correct horse battery staple"
#define ORG_A "6f1d2c3b-0000-4000-8000-00000000000a"
#define ORG_B "6f1d2c3b-0000-4000-8000-00000000000b"

static struct sk_store *fresh_store(const char *name) {
  struct sk_store *st = NULL;
  char err[256] = "";
  if (sk_store_open(th_path(name), SK_STORE_CREATE, &st, err, sizeof err) != SK_OK)
    fail_msg("open %s: %s", name, err);
  return st;
}

/* sk_auth_login_wait's seconds; fails the test when the call fails. */
static int64_t login_wait(struct sk_store *st, const char *email, const char *ip, int64_t now) {
  int64_t w = -1;
  assert_int_equal(sk_auth_login_wait(st, email, ip, now, &w), SK_OK);
  return w;
}

static void use_fast_policy(void) {
  struct sk_auth_policy p;
  sk_auth_policy_fast(&p);
  assert_int_equal(sk_auth_global_init(&p), SK_OK);
}

static long long add(struct sk_store *st, const char *email, enum sk_role role, const char *pw) {
  struct sk_account a;
  char err[256] = "";
  int rc = sk_auth_account_create(st, email, "Test Persoon", role, pw, "test", T0, &a, err,
                                  sizeof err);
  if (rc)
    fail_msg("create %s: %d %s", email, rc, err);
  return a.rid;
}

static int login(struct sk_store *st, const char *email, const char *pw, const char *ip,
                 int64_t now, char token[SK_AUTH_TOKEN_LEN]) {
  struct sk_session s;
  char tok[SK_AUTH_TOKEN_LEN];
  char err[256] = "";
  int rc = sk_auth_login(st, email, pw, ip, "test-agent", now, &s, token ? token : tok, err,
                         sizeof err);
  if (rc)
    assert_string_equal(err, sk_auth_message(rc));
  return rc;
}

static long long add_org(struct sk_store *st, const char *id) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "INSERT INTO organization(id, source, source_key, name, created, last_modified)"
           " VALUES('%s', 'portal', '%s', 'Org', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
           id, id);
  assert_int_equal(sk_store_exec(st, sql), SK_OK);
  return sqlite3_last_insert_rowid(st->db);
}

static long long count_text(struct sk_store *st, const char *sql, const char *text) {
  sqlite3_stmt *s;
  assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
  sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  long long n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

/* ---- Passwords ------------------------------------------------------------ */

static void test_password_is_hashed_and_verifies(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("pw.db");
  long long rid = add(st, "anna@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  assert_int_equal(
      count_text(st, "SELECT count(*) FROM account WHERE password_hash LIKE '%' || ?1 || '%'", PW),
      0);
  assert_int_equal(
      count_text(st, "SELECT count(*) FROM account WHERE password_hash LIKE ?1", "$argon2id$%"), 1);
  /* Nothing anywhere in the file holds the password. */
  assert_int_equal(
      count_text(
          st, "SELECT count(*) FROM change_log WHERE coalesce(new_value,'') LIKE '%' || ?1 || '%'",
          PW),
      0);
  assert_int_equal(login(st, "anna@voorbeeld.nl", PW, "10.0.0.1", T0, NULL), SK_OK);
  assert_int_equal(login(st, "  ANNA@Voorbeeld.NL ", PW, "10.0.0.1", T0, NULL), SK_OK);
  struct sk_account a;
  assert_int_equal(sk_auth_account_by_rid(st, rid, &a), SK_OK);
  assert_true(a.has_password);
  assert_string_equal(a.last_login, "2026-05-28T20:26:40Z");
  /* The production policy is argon2id at the interactive limits. */
  struct sk_auth_policy p;
  sk_auth_policy_default(&p);
  assert_int_equal(p.pwhash_opslimit, crypto_pwhash_OPSLIMIT_INTERACTIVE);
  assert_int_equal(p.pwhash_memlimit, crypto_pwhash_MEMLIMIT_INTERACTIVE);
  sk_store_close(st);
}

static void test_password_rules(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("rules.db");
  struct sk_account a;
  char err[256];
  assert_int_equal(sk_auth_account_create(st, "a@voorbeeld.nl", "A", SK_ROLE_PARTNER, "elf tekens!",
                                          "t", T0, &a, err, sizeof err),
                   SK_AUTH_EPASSWORD);
  assert_non_null(strstr(err, "12 tekens"));
  /* Twelve characters counted as characters, not bytes. */
  assert_int_equal(sk_auth_account_create(st, "b@voorbeeld.nl", "B", SK_ROLE_PARTNER, "ééééééééééé",
                                          "t", T0, &a, err, sizeof err),
                   SK_AUTH_EPASSWORD);
  assert_int_equal(sk_auth_account_create(st, "c@voorbeeld.nl", "C", SK_ROLE_PARTNER,
                                          "éééééééééééé", "t", T0, &a, err, sizeof err),
                   SK_OK);
  char big[SK_AUTH_PASSWORD_MAX + 2];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  assert_int_equal(sk_auth_set_password(st, a.rid, big, "t", T0, err, sizeof err),
                   SK_AUTH_EPASSWORD);
  big[SK_AUTH_PASSWORD_MAX] = '\0';
  assert_int_equal(sk_auth_set_password(st, a.rid, big, "t", T0, err, sizeof err), SK_OK);
  assert_int_equal(sk_auth_set_password(st, a.rid, "twaalf tekens\xff", "t", T0, err, sizeof err),
                   SK_AUTH_EPASSWORD);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM account"), 1);
  sk_store_close(st);
}

static void test_account_validation_and_log(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("acc.db");
  struct sk_account a;
  char err[256];
  add(st, "Piet@Voorbeeld.nl", SK_ROLE_REDACTEUR, NULL);
  assert_int_equal(sk_auth_account_create(st, "piet@voorbeeld.NL", "Piet 2", SK_ROLE_PARTNER, NULL,
                                          "t", T0, &a, err, sizeof err),
                   SK_AUTH_EEXISTS);
  assert_string_equal(err, "Er is al een account met dit e-mailadres.");
  const char *bad[] = {"",
                       "piet",
                       "@voorbeeld.nl",
                       "piet@",
                       "piet@voorbeeld",
                       "p iet@voorbeeld.nl",
                       "a@b@voorbeeld.nl",
                       "piet@voorbeeld.nl."};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_int_equal(sk_auth_account_create(st, bad[i], "X", SK_ROLE_PARTNER, NULL, "t", T0, &a,
                                            err, sizeof err),
                     SK_AUTH_EEMAIL);
  assert_int_equal(sk_auth_account_create(st, "x@voorbeeld.nl", "  ", SK_ROLE_PARTNER, NULL, "t",
                                          T0, &a, err, sizeof err),
                   SK_AUTH_ENAME);
  assert_int_equal(sk_auth_account_create(st, "x@voorbeeld.nl", "X", (enum sk_role)9, NULL, "t", T0,
                                          &a, err, sizeof err),
                   SK_EINVAL);
  add(st, "aa@voorbeeld.nl", SK_ROLE_ADMIN, NULL);
  struct sk_account *list;
  size_t n;
  assert_int_equal(sk_auth_account_list(st, &list, &n), SK_OK);
  assert_int_equal(n, 2);
  assert_string_equal(list[0].email, "aa@voorbeeld.nl");
  assert_string_equal(list[1].email, "Piet@Voorbeeld.nl");
  assert_int_equal(list[1].role, SK_ROLE_REDACTEUR);
  assert_false(list[1].has_password);
  assert_true(sk_uuid_valid(list[1].id));
  free(list);
  /* Who did what is in the change log. */
  assert_int_equal(
      count_text(st, "SELECT count(*) FROM change_log WHERE entity = 'account' AND actor = ?1",
                 "test"),
      4);
  /* An account without a password cannot log in; same answer as a wrong one. */
  assert_int_equal(login(st, "piet@voorbeeld.nl", "", NULL, T0, NULL), SK_AUTH_EBADLOGIN);
  assert_int_equal(login(st, "piet@voorbeeld.nl", PW, NULL, T0, NULL), SK_AUTH_EBADLOGIN);
  enum sk_role r;
  assert_int_equal(sk_auth_role_parse("redacteur", &r), SK_OK);
  assert_int_equal(r, SK_ROLE_REDACTEUR);
  assert_int_equal(sk_auth_role_parse("root", &r), SK_EINVAL);
  sk_store_close(st);
}

/* ---- No user enumeration -------------------------------------------------- */

/* CPU time, not wall time: the property is "the same work for both", and
 * the work (an argon2id hash) is CPU; wall time on a loaded machine is the
 * scheduler's and made this test flaky under load. */
static double seconds_of_login(struct sk_store *st, const char *email, const char *ip) {
  struct timespec a, b;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
  assert_int_equal(login(st, email, "not the password!", ip, T0, NULL), SK_AUTH_EBADLOGIN);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
  return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

static void test_unknown_email_answers_like_wrong_password(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("enum.db");
  add(st, "bestaat@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  long long off = add(st, "uit@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  assert_int_equal(sk_auth_account_set_disabled(st, off, 1, "t", T0), SK_OK);
  struct sk_session s;
  char tok[SK_AUTH_TOKEN_LEN], e1[256], e2[256], e3[256];
  int r1 = sk_auth_login(st, "bestaat@voorbeeld.nl", "verkeerd wachtwoord", NULL, NULL, T0, &s, tok,
                         e1, sizeof e1);
  int r2 = sk_auth_login(st, "bestaat-niet@voorbeeld.nl", "verkeerd wachtwoord", NULL, NULL, T0, &s,
                         tok, e2, sizeof e2);
  int r3 = sk_auth_login(st, "uit@voorbeeld.nl", PW, NULL, NULL, T0, &s, tok, e3, sizeof e3);
  assert_int_equal(r1, SK_AUTH_EBADLOGIN);
  assert_int_equal(r2, r1);
  assert_int_equal(r3, r1);
  assert_string_equal(e1, e2);
  assert_string_equal(e1, e3);
  assert_string_equal(e1, "Het e-mailadres of het wachtwoord klopt niet.");
  assert_string_equal(tok, "");

  /* Timing: an unknown address costs a full hash too. With a hash of a few
   * milliseconds, skipping it would make the unknown case ~100x faster. */
  struct sk_auth_policy p;
  sk_auth_policy_fast(&p);
  p.pwhash_opslimit = 3;
  p.pwhash_memlimit = 16u << 20;
  assert_int_equal(sk_auth_global_init(&p), SK_OK);
  long long rid = add(st, "timing@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  (void)rid;
  double known = 1e9, unknown = 1e9;
  for (int i = 0; i < 5; i++) {
    double k = seconds_of_login(st, "timing@voorbeeld.nl", NULL);
    double u = seconds_of_login(st, "niemand@voorbeeld.nl", NULL);
    known = k < known ? k : known;
    unknown = u < unknown ? u : unknown;
  }
  use_fast_policy();
  assert_true(unknown > known * 0.5);
  assert_true(known > unknown * 0.5);
  sk_store_close(st);
}

/* ---- Throttling ----------------------------------------------------------- */

static void test_throttle_per_account_and_address(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("thr.db");
  add(st, "doel@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  /* Five wrong guesses from one address lock that address out for this
   * account, whatever it types... */
  for (int i = 0; i < 5; i++)
    assert_int_equal(login(st, i % 2 ? "DOEL@voorbeeld.nl" : "doel@voorbeeld.nl", "gok gok gok gok",
                           "192.0.2.1", T0 + i, NULL),
                     SK_AUTH_EBADLOGIN);
  assert_int_equal(login(st, "doel@voorbeeld.nl", PW, "192.0.2.1", T0 + 600, NULL),
                   SK_AUTH_ETHROTTLED);
  assert_int_equal(login_wait(st, "doel@voorbeeld.nl", "192.0.2.1", T0 + 600), 900 - 600);
  /* ...but the right password from another address is not refused because
   * someone else guessed wrong (OWASP ASVS 2.2.1: no lock-out by others). */
  assert_int_equal(login(st, "doel@voorbeeld.nl", PW, "198.51.100.7", T0 + 10, NULL), SK_OK);
  /* Nor is it refused for an admin. */
  add(st, "beheer@voorbeeld.nl", SK_ROLE_ADMIN, PW);
  for (int i = 0; i < 30; i++) {
    char ip[32];
    snprintf(ip, sizeof ip, "192.0.2.%d", 100 + i);
    int rc = login(st, "beheer@voorbeeld.nl", "gok gok gok gok", ip, T0 + i, NULL);
    assert_true(rc == SK_AUTH_EBADLOGIN || rc == SK_AUTH_ETHROTTLED);
  }
  assert_int_equal(login(st, "beheer@voorbeeld.nl", PW, "198.51.100.8", T0 + 31, NULL), SK_OK);
  /* The lock of the guessing address lifts when its failures leave the window. */
  assert_int_equal(login(st, "doel@voorbeeld.nl", PW, "192.0.2.1", T0 + 904, NULL), SK_OK);
  /* An unknown address is throttled in exactly the same way. */
  for (int i = 0; i < 5; i++)
    assert_int_equal(login(st, "spook@voorbeeld.nl", "gok gok gok gok", "192.0.2.99", T0 + i, NULL),
                     SK_AUTH_EBADLOGIN);
  assert_int_equal(login(st, "spook@voorbeeld.nl", "gok gok gok gok", "192.0.2.99", T0 + 10, NULL),
                   SK_AUTH_ETHROTTLED);
  /* A good login clears that address's failures. */
  for (int i = 0; i < 4; i++)
    assert_int_equal(login(st, "doel@voorbeeld.nl", "gok gok gok gok", NULL, T0 + 1000, NULL),
                     SK_AUTH_EBADLOGIN);
  assert_int_equal(login(st, "doel@voorbeeld.nl", PW, NULL, T0 + 1000, NULL), SK_OK);
  for (int i = 0; i < 4; i++)
    assert_int_equal(login(st, "doel@voorbeeld.nl", "gok gok gok gok", NULL, T0 + 1001, NULL),
                     SK_AUTH_EBADLOGIN);
  assert_int_equal(login(st, "doel@voorbeeld.nl", PW, NULL, T0 + 1001, NULL), SK_OK);
  /* The typed address is not kept in clear. */
  assert_int_equal(
      count_text(st, "SELECT count(*) FROM login_attempt WHERE email_hash LIKE '%' || ?1 || '%'",
                 "spook"),
      0);
  sk_store_close(st);
}

/* Guesses from many addresses: after a few failures of the account, an
 * address that already failed for it must wait a delay that doubles with
 * every failure (up to a cap); an address without failures is still heard. */
static void test_throttle_growing_account_delay(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("thrdelay.db");
  add(st, "vertraag@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  const struct sk_auth_policy *p = sk_auth_policy();
  char ip[32];
  int64_t t = T0;
  /* The first failures cost nothing extra. */
  for (int i = 0; i < p->throttle_account_free; i++) {
    snprintf(ip, sizeof ip, "192.0.2.%d", i + 1);
    assert_int_equal(login(st, "vertraag@voorbeeld.nl", "gok gok gok gok", ip, t, NULL),
                     SK_AUTH_EBADLOGIN);
  }
  /* From then on each failure doubles the wait after the account's last
   * failure: 2 s, 4 s, 8 s, ... up to the cap. */
  for (int k = 0; k < 10; k++) {
    /* A fresh address is checked at once (its guess is one more failure). */
    snprintf(ip, sizeof ip, "198.51.100.%d", k + 1);
    assert_int_equal(login(st, "vertraag@voorbeeld.nl", "gok gok gok gok", ip, t, NULL),
                     SK_AUTH_EBADLOGIN);
    int64_t want = (int64_t)2 << k;
    if (want > p->throttle_delay_max)
      want = p->throttle_delay_max;
    assert_int_equal(login_wait(st, "vertraag@voorbeeld.nl", "192.0.2.1", t), want);
    assert_int_equal(login(st, "vertraag@voorbeeld.nl", "gok gok gok gok", "192.0.2.1", t, NULL),
                     SK_AUTH_ETHROTTLED);
    t += 1;
  }
  assert_int_equal(login_wait(st, "vertraag@voorbeeld.nl", "192.0.2.1", t),
                   p->throttle_delay_max - 1);
  assert_true(login_wait(st, "vertraag@voorbeeld.nl", "192.0.2.2", t) > 0);
  /* After the wait the address is heard again. */
  int64_t w = login_wait(st, "vertraag@voorbeeld.nl", "192.0.2.2", t);
  assert_int_equal(login(st, "vertraag@voorbeeld.nl", PW, "192.0.2.2", t + w, NULL), SK_OK);
  sk_store_close(st);
}

static void test_throttle_per_ip(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("thrip.db");
  add(st, "slachtoffer@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  char email[64];
  for (int i = 0; i < 20; i++) {
    snprintf(email, sizeof email, "gok%d@voorbeeld.nl", i);
    assert_int_equal(login(st, email, "gok gok gok gok", "203.0.113.5", T0 + i, NULL),
                     SK_AUTH_EBADLOGIN);
  }
  assert_int_equal(login(st, "slachtoffer@voorbeeld.nl", PW, "203.0.113.5", T0 + 30, NULL),
                   SK_AUTH_ETHROTTLED);
  assert_int_equal(login(st, "slachtoffer@voorbeeld.nl", PW, "203.0.113.6", T0 + 30, NULL), SK_OK);
  assert_int_equal(login(st, "slachtoffer@voorbeeld.nl", PW, "203.0.113.5", T0 + 19 + 901, NULL),
                   SK_OK);
  /* purge forgets old attempts, never recent ones. */
  assert_int_equal(sk_auth_purge(st, T0 + 2 * 86400), SK_OK);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM login_attempt"), 0);
  sk_store_close(st);
}

/* ---- Sessions ------------------------------------------------------------- */

static void test_session_lifetimes_and_logout(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("sess.db");
  long long rid = add(st, "sessie@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  char tok[SK_AUTH_TOKEN_LEN];
  struct sk_session s;
  assert_int_equal(login(st, "sessie@voorbeeld.nl", PW, "10.1.1.1", T0, tok), SK_OK);
  assert_true(strlen(tok) >= 43);
  /* Only a hash of the token is stored. */
  assert_int_equal(
      count_text(st, "SELECT count(*) FROM auth_session WHERE id_hash = ?1 OR csrf = ?1", tok), 0);
  assert_int_equal(sk_auth_session_lookup(st, tok, T0 + 60, &s), SK_OK);
  assert_int_equal(s.account.rid, rid);
  assert_int_equal(s.account.role, SK_ROLE_PARTNER);
  assert_int_equal(s.expires, T0 + 60 + 8 * 3600);

  /* Idle: 8 hours without a request ends it. */
  assert_int_equal(sk_auth_session_lookup(st, tok, T0 + 60 + 8 * 3600 - 1, &s), SK_OK);
  int64_t last = T0 + 60 + 8 * 3600 - 1;
  assert_int_equal(sk_auth_session_lookup(st, tok, last + 8 * 3600, &s), SK_AUTH_ENOSESSION);
  assert_int_equal(sk_auth_session_lookup(st, tok, last + 1, &s),
                   SK_AUTH_ENOSESSION); /* gone for good */

  /* Absolute: an active session still ends 7 days after login. */
  assert_int_equal(login(st, "sessie@voorbeeld.nl", PW, "10.1.1.1", T0, tok), SK_OK);
  int64_t t = T0;
  while (t + 7 * 3600 < T0 + 7 * 86400) {
    t += 7 * 3600;
    assert_int_equal(sk_auth_session_lookup(st, tok, t, &s), SK_OK);
  }
  assert_true(s.expires <= T0 + 7 * 86400);
  assert_int_equal(sk_auth_session_lookup(st, tok, T0 + 7 * 86400, &s), SK_AUTH_ENOSESSION);

  /* Logout ends it at once; other sessions stay. */
  char tok2[SK_AUTH_TOKEN_LEN];
  assert_int_equal(login(st, "sessie@voorbeeld.nl", PW, "10.1.1.1", T0, tok), SK_OK);
  assert_int_equal(login(st, "sessie@voorbeeld.nl", PW, "10.1.1.2", T0, tok2), SK_OK);
  assert_string_not_equal(tok, tok2);
  assert_int_equal(sk_auth_logout(st, tok), SK_OK);
  assert_int_equal(sk_auth_session_lookup(st, tok, T0 + 1, &s), SK_AUTH_ENOSESSION);
  assert_int_equal(sk_auth_session_lookup(st, tok2, T0 + 1, &s), SK_OK);
  assert_int_equal(sk_auth_logout(st, "no-such-token"), SK_OK);
  assert_int_equal(sk_auth_logout_all(st, rid), SK_OK);
  assert_int_equal(sk_auth_session_lookup(st, tok2, T0 + 1, &s), SK_AUTH_ENOSESSION);

  /* Junk never matches. */
  assert_int_equal(sk_auth_session_lookup(st, "", T0, &s), SK_AUTH_ENOSESSION);
  assert_int_equal(sk_auth_session_lookup(st, NULL, T0, &s), SK_AUTH_ENOSESSION);
  assert_int_equal(sk_auth_session_lookup(st, "a'; DROP TABLE account; --", T0, &s),
                   SK_AUTH_ENOSESSION);
  sk_store_close(st);
}

static void test_disabled_account_is_locked_out(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("dis.db");
  long long rid = add(st, "weg@voorbeeld.nl", SK_ROLE_REDACTEUR, PW);
  add_org(st, ORG_A);
  char tok[SK_AUTH_TOKEN_LEN], api[SK_AUTH_TOKEN_LEN];
  struct sk_session s;
  struct sk_account a;
  assert_int_equal(login(st, "weg@voorbeeld.nl", PW, NULL, T0, tok), SK_OK);
  assert_int_equal(sk_auth_token_create(st, rid, "script", 0, T0, api, NULL), SK_OK);
  assert_int_equal(sk_auth_session_lookup(st, tok, T0 + 1, &s), SK_OK);
  struct sk_account stale = s.account;

  assert_int_equal(sk_auth_account_set_disabled(st, rid, 1, "admin", T0 + 2), SK_OK);
  assert_int_equal(sk_auth_session_lookup(st, tok, T0 + 3, &s), SK_AUTH_ENOSESSION);
  assert_int_equal(login(st, "weg@voorbeeld.nl", PW, NULL, T0 + 4, NULL), SK_AUTH_EBADLOGIN);
  assert_int_equal(sk_auth_token_verify(st, api, T0 + 5, &a), SK_AUTH_EBADTOKEN);
  assert_int_equal(sk_auth_account_by_rid(st, rid, &a), SK_OK);
  assert_true(a.disabled);
  assert_false(sk_auth_can_edit_all(&a));
  assert_false(sk_auth_can_edit_organization(st, &a, 1));
  (void)stale;

  assert_int_equal(sk_auth_account_set_disabled(st, rid, 0, "admin", T0 + 6), SK_OK);
  assert_int_equal(sk_auth_token_verify(st, api, T0 + 7, &a), SK_OK);
  assert_int_equal(login(st, "weg@voorbeeld.nl", PW, NULL, T0 + 8, NULL), SK_OK);
  assert_int_equal(sk_auth_account_set_disabled(st, 9999, 1, "admin", T0), SK_ENOTFOUND);
  sk_store_close(st);
}

static void test_csrf_token(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("csrf.db");
  add(st, "form@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  char t1[SK_AUTH_TOKEN_LEN], t2[SK_AUTH_TOKEN_LEN];
  struct sk_session s1, s2;
  assert_int_equal(login(st, "form@voorbeeld.nl", PW, NULL, T0, t1), SK_OK);
  assert_int_equal(login(st, "form@voorbeeld.nl", PW, NULL, T0, t2), SK_OK);
  assert_int_equal(sk_auth_session_lookup(st, t1, T0, &s1), SK_OK);
  assert_int_equal(sk_auth_session_lookup(st, t2, T0, &s2), SK_OK);
  assert_true(strlen(s1.csrf) >= 43);
  assert_string_not_equal(s1.csrf, s2.csrf);
  assert_string_not_equal(s1.csrf, t1);
  char copy[SK_AUTH_TOKEN_LEN];
  snprintf(copy, sizeof copy, "%s", s1.csrf);
  assert_true(sk_auth_csrf_check(&s1, copy));
  assert_false(sk_auth_csrf_check(&s1, s2.csrf));
  assert_false(sk_auth_csrf_check(&s1, ""));
  assert_false(sk_auth_csrf_check(&s1, NULL));
  copy[strlen(copy) - 1] ^= 1;
  assert_false(sk_auth_csrf_check(&s1, copy));
  copy[strlen(copy) - 1] = '\0';
  assert_false(sk_auth_csrf_check(&s1, copy));
  char longer[SK_AUTH_TOKEN_LEN + 8];
  snprintf(longer, sizeof longer, "%sx", s1.csrf);
  assert_false(sk_auth_csrf_check(&s1, longer));
  assert_false(sk_auth_csrf_check(NULL, s1.csrf));
  sk_store_close(st);
}

static void test_cookie(void **state) {
  (void)state;
  char c[256];
  assert_int_equal(sk_auth_cookie("abcDEF-_123", 3600, 1, c, sizeof c), SK_OK);
  assert_string_equal(
      c, "__Host-sk_session=abcDEF-_123; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Strict");
  assert_int_equal(sk_auth_cookie("abc", 60, 0, c, sizeof c), SK_OK);
  assert_string_equal(c, "sk_session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Strict");
  assert_int_equal(sk_auth_cookie(NULL, 0, 1, c, sizeof c), SK_OK);
  assert_string_equal(c,
                      "__Host-sk_session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
  assert_int_equal(sk_auth_cookie("a;b", 60, 0, c, sizeof c), SK_EINVAL);
  assert_int_equal(sk_auth_cookie("a\r\nSet-Cookie: x=y", 60, 0, c, sizeof c), SK_EINVAL);
  assert_int_equal(sk_auth_cookie("abc", 60, 0, c, 10), SK_ETOOBIG);
}

/* ---- Password change and reset --------------------------------------------- */

static void test_reset_token_and_password_change(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("reset.db");
  long long rid = add(st, "vergeten@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  char sess[SK_AUTH_TOKEN_LEN], reset[SK_AUTH_TOKEN_LEN], err[256];
  struct sk_session s;
  assert_int_equal(login(st, "vergeten@voorbeeld.nl", PW, NULL, T0, sess), SK_OK);
  assert_int_equal(sk_auth_reset_create(st, rid, T0, reset), SK_OK);
  assert_int_equal(count_text(st, "SELECT count(*) FROM password_reset WHERE hash = ?1", reset), 0);
  long long who = 0;
  assert_int_equal(sk_auth_reset_use(st, reset, "kort", T0 + 10, &who, err, sizeof err),
                   SK_AUTH_EPASSWORD);
  assert_int_equal(
      sk_auth_reset_use(st, reset, "een nieuw lang wachtwoord", T0 + 10, &who, err, sizeof err),
      SK_OK);
  assert_int_equal(who, rid);
  /* The old password and the old session are done; the token works once. */
  assert_int_equal(sk_auth_session_lookup(st, sess, T0 + 11, &s), SK_AUTH_ENOSESSION);
  assert_int_equal(login(st, "vergeten@voorbeeld.nl", PW, NULL, T0 + 12, NULL), SK_AUTH_EBADLOGIN);
  assert_int_equal(
      login(st, "vergeten@voorbeeld.nl", "een nieuw lang wachtwoord", NULL, T0 + 12, NULL), SK_OK);
  assert_int_equal(
      sk_auth_reset_use(st, reset, "nog een ander wachtwoord", T0 + 13, NULL, err, sizeof err),
      SK_AUTH_EBADTOKEN);
  assert_string_equal(err, sk_auth_message(SK_AUTH_EBADTOKEN));
  /* Expired after a day. */
  assert_int_equal(sk_auth_reset_create(st, rid, T0, reset), SK_OK);
  assert_int_equal(
      sk_auth_reset_use(st, reset, "nog een ander wachtwoord", T0 + 86400, NULL, err, sizeof err),
      SK_AUTH_EBADTOKEN);
  assert_int_equal(
      sk_auth_reset_use(st, "verzonnen", "nog een ander wachtwoord", T0, NULL, err, sizeof err),
      SK_AUTH_EBADTOKEN);
  /* An operator's new password also ends the sessions. */
  assert_int_equal(
      login(st, "vergeten@voorbeeld.nl", "een nieuw lang wachtwoord", NULL, T0 + 20, sess), SK_OK);
  assert_int_equal(
      sk_auth_set_password(st, rid, "door de beheerder gezet", "cli", T0 + 21, err, sizeof err),
      SK_OK);
  assert_int_equal(sk_auth_session_lookup(st, sess, T0 + 22, &s), SK_AUTH_ENOSESSION);
  assert_int_equal(
      count_text(st, "SELECT count(*) FROM change_log WHERE field = 'password' AND actor = ?1",
                 "cli"),
      1);
  char pw[32];
  sk_auth_random_password(pw);
  assert_int_equal(strlen(pw), 20);
  assert_int_equal(sk_auth_set_password(st, rid, pw, "cli", T0 + 23, err, sizeof err), SK_OK);
  assert_int_equal(login(st, "vergeten@voorbeeld.nl", pw, NULL, T0 + 24, NULL), SK_OK);
  sk_store_close(st);
}

static void test_change_own_password(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("change.db");
  add(st, "zelf@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  char here[SK_AUTH_TOKEN_LEN], elsewhere[SK_AUTH_TOKEN_LEN], fresh[SK_AUTH_TOKEN_LEN], err[256];
  struct sk_session s;
  assert_int_equal(login(st, "zelf@voorbeeld.nl", PW, NULL, T0, here), SK_OK);
  assert_int_equal(login(st, "zelf@voorbeeld.nl", PW, NULL, T0, elsewhere), SK_OK);
  assert_int_equal(sk_auth_change_password(st, here, "fout fout fout", "mijn nieuwe wachtwoordzin",
                                           NULL, NULL, T0 + 1, &s, fresh, err, sizeof err),
                   SK_AUTH_EBADLOGIN);
  assert_string_equal(fresh, "");
  assert_int_equal(
      sk_auth_change_password(st, here, PW, "kort", NULL, NULL, T0 + 1, &s, fresh, err, sizeof err),
      SK_AUTH_EPASSWORD);
  assert_int_equal(sk_auth_change_password(st, "geen-sessie", PW, "mijn nieuwe wachtwoordzin", NULL,
                                           NULL, T0 + 1, &s, fresh, err, sizeof err),
                   SK_AUTH_ENOSESSION);
  assert_int_equal(sk_auth_change_password(st, here, PW, "mijn nieuwe wachtwoordzin", "10.0.0.9",
                                           NULL, T0 + 2, &s, fresh, err, sizeof err),
                   SK_OK);
  /* Both old sessions ended; the new token carries on; only the new password works. */
  assert_int_equal(sk_auth_session_lookup(st, here, T0 + 3, &s), SK_AUTH_ENOSESSION);
  assert_int_equal(sk_auth_session_lookup(st, elsewhere, T0 + 3, &s), SK_AUTH_ENOSESSION);
  assert_int_equal(sk_auth_session_lookup(st, fresh, T0 + 3, &s), SK_OK);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM auth_session"), 1);
  assert_int_equal(login(st, "zelf@voorbeeld.nl", PW, NULL, T0 + 4, NULL), SK_AUTH_EBADLOGIN);
  assert_int_equal(login(st, "zelf@voorbeeld.nl", "mijn nieuwe wachtwoordzin", NULL, T0 + 4, NULL),
                   SK_OK);
  sk_store_close(st);
}

static void test_rehash_when_policy_changes(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("rehash.db");
  long long rid = add(st, "oud@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  char before[256], after[256];
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT password_hash FROM account WHERE rid = %lld", rid);
  sqlite3_stmt *s;
  assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  snprintf(before, sizeof before, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);

  struct sk_auth_policy p;
  sk_auth_policy_fast(&p);
  p.pwhash_opslimit += 1;
  assert_int_equal(sk_auth_global_init(&p), SK_OK);
  assert_int_equal(login(st, "oud@voorbeeld.nl", PW, NULL, T0, NULL), SK_OK);
  assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  snprintf(after, sizeof after, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  assert_string_not_equal(before, after);
  assert_int_equal(crypto_pwhash_str_needs_rehash(after, p.pwhash_opslimit, p.pwhash_memlimit), 0);
  assert_int_equal(login(st, "oud@voorbeeld.nl", PW, NULL, T0, NULL), SK_OK);
  use_fast_policy();
  sk_store_close(st);
}

/* A new password (reset link, own change, operator) ends what the old one
 * opened: sessions, reset links and API tokens. */
static void test_new_password_revokes_api_tokens(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("pwtokens.db");
  long long rid = add(st, "tokens@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  char tok[SK_AUTH_TOKEN_LEN], reset[SK_AUTH_TOKEN_LEN], sess[SK_AUTH_TOKEN_LEN],
      fresh[SK_AUTH_TOKEN_LEN], err[256];
  struct sk_account a;
  struct sk_session s;
  /* by a reset link */
  assert_int_equal(sk_auth_token_create(st, rid, "een", 0, T0, tok, NULL), SK_OK);
  assert_int_equal(sk_auth_reset_create(st, rid, T0, reset), SK_OK);
  assert_int_equal(
      sk_auth_reset_use(st, reset, "een nieuw lang wachtwoord", T0 + 1, NULL, err, sizeof err),
      SK_OK);
  assert_int_equal(sk_auth_token_verify(st, tok, T0 + 2, &a), SK_AUTH_EBADTOKEN);
  /* by the owner */
  assert_int_equal(sk_auth_token_create(st, rid, "twee", 0, T0 + 3, tok, NULL), SK_OK);
  assert_int_equal(
      login(st, "tokens@voorbeeld.nl", "een nieuw lang wachtwoord", NULL, T0 + 3, sess), SK_OK);
  assert_int_equal(sk_auth_change_password(st, sess, "een nieuw lang wachtwoord",
                                           "nog een lang wachtwoord", NULL, NULL, T0 + 4, &s, fresh,
                                           err, sizeof err),
                   SK_OK);
  assert_int_equal(sk_auth_token_verify(st, tok, T0 + 5, &a), SK_AUTH_EBADTOKEN);
  assert_int_equal(sk_auth_session_lookup(st, fresh, T0 + 5, &s), SK_OK);
  /* by an operator */
  assert_int_equal(sk_auth_token_create(st, rid, "drie", 0, T0 + 6, tok, NULL), SK_OK);
  assert_int_equal(
      sk_auth_set_password(st, rid, "door de beheerder gezet", "cli", T0 + 7, err, sizeof err),
      SK_OK);
  assert_int_equal(sk_auth_token_verify(st, tok, T0 + 8, &a), SK_AUTH_EBADTOKEN);
  /* A token made after the change works. */
  assert_int_equal(sk_auth_token_create(st, rid, "vier", 0, T0 + 9, tok, NULL), SK_OK);
  assert_int_equal(sk_auth_token_verify(st, tok, T0 + 10, &a), SK_OK);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM api_token WHERE revoked IS NULL"), 1);
  sk_store_close(st);
}

/* ---- API tokens ----------------------------------------------------------- */

static void test_api_tokens(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("api.db");
  long long p1 = add(st, "script@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  long long p2 = add(st, "ander@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  char tok[SK_AUTH_TOKEN_LEN], tok2[SK_AUTH_TOKEN_LEN];
  struct sk_api_token info;
  struct sk_account a;
  assert_int_equal(sk_auth_token_create(st, p1, "agenda-export", 0, T0, tok, &info), SK_OK);
  assert_int_equal(strncmp(tok, "skapi_", 6), 0);
  assert_int_equal(strlen(tok), 6 + 43);
  assert_int_equal(strncmp(tok, info.prefix, strlen(info.prefix)), 0);
  assert_int_equal(
      count_text(st, "SELECT count(*) FROM api_token WHERE hash = ?1 OR prefix = ?1 OR label = ?1",
                 tok),
      0);

  assert_int_equal(sk_auth_token_verify(st, tok, T0 + 1, &a), SK_OK);
  assert_int_equal(a.rid, p1);
  struct sk_api_token *list;
  size_t n;
  assert_int_equal(sk_auth_token_list(st, p1, &list, &n), SK_OK);
  assert_int_equal(n, 1);
  assert_string_equal(list[0].label, "agenda-export");
  assert_int_equal(list[0].last_used, T0 + 1);
  assert_int_equal(list[0].revoked, 0);
  free(list);

  /* Forged and altered tokens fail. */
  char bad[SK_AUTH_TOKEN_LEN];
  snprintf(bad, sizeof bad, "%s", tok);
  bad[30] = bad[30] == 'A' ? 'B' : 'A';
  assert_int_equal(sk_auth_token_verify(st, bad, T0, &a), SK_AUTH_EBADTOKEN);
  assert_int_equal(sk_auth_token_verify(st, tok + 6, T0, &a), SK_AUTH_EBADTOKEN);
  assert_int_equal(sk_auth_token_verify(st, "skapi_", T0, &a), SK_AUTH_EBADTOKEN);
  assert_int_equal(sk_auth_token_verify(st, NULL, T0, &a), SK_AUTH_EBADTOKEN);

  /* Another partner cannot revoke it; its owner can, and then it fails. */
  assert_int_equal(sk_auth_token_revoke(st, p2, info.rid, T0 + 2), SK_ENOTFOUND);
  assert_int_equal(sk_auth_token_verify(st, tok, T0 + 3, &a), SK_OK);
  assert_int_equal(sk_auth_token_revoke(st, p1, info.rid, T0 + 4), SK_OK);
  assert_int_equal(sk_auth_token_verify(st, tok, T0 + 5, &a), SK_AUTH_EBADTOKEN);
  assert_int_equal(a.rid, 0);
  assert_int_equal(sk_auth_token_revoke(st, 0, info.rid, T0 + 6), SK_OK); /* keeps the first time */
  assert_int_equal(sk_auth_token_list(st, 0, &list, &n), SK_OK);
  assert_int_equal(n, 1);
  assert_int_equal(list[0].revoked, T0 + 4);
  free(list);

  /* Expiry. */
  assert_int_equal(sk_auth_token_create(st, p2, NULL, T0 + 100, T0, tok2, NULL), SK_OK);
  assert_int_equal(sk_auth_token_verify(st, tok2, T0 + 99, &a), SK_OK);
  assert_int_equal(a.rid, p2);
  assert_int_equal(sk_auth_token_verify(st, tok2, T0 + 100, &a), SK_AUTH_EBADTOKEN);
  assert_int_equal(sk_auth_token_create(st, p2, NULL, T0 - 1, T0, tok2, NULL), SK_EINVAL);
  assert_int_equal(sk_auth_token_create(st, p2, "line\nbreak", 0, T0, tok2, NULL), SK_EINVAL);
  assert_int_equal(sk_auth_token_create(st, 4242, NULL, 0, T0, tok2, NULL), SK_ENOTFOUND);
  assert_string_equal(tok2, "");
  sk_store_close(st);
}

/* ---- Roles ---------------------------------------------------------------- */

/* The one access model (sk_role.h): what each role may do, as a table. The
 * portal and sk_auth_can_* both ask these functions. */
static void test_access_model(void **state) {
  (void)state;
  static const struct {
    enum sk_role r;
    int all, own, review, feeds, accounts, restricted;
  } m[] = {
      {SK_ROLE_NONE, 0, 0, 0, 0, 0, 0},         {SK_ROLE_PARTNER, 0, 1, 0, 0, 0, 0},
      {SK_ROLE_REDACTEUR, 1, 0, 1, 1, 0, 1},    {SK_ROLE_ADMIN, 1, 0, 1, 1, 1, 1},
      {SK_ROLE_PROFESSIONAL, 0, 0, 0, 0, 0, 1},
  };
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
    assert_int_equal(sk_role_edits_all(m[i].r), m[i].all);
    assert_int_equal(sk_role_edits_own(m[i].r), m[i].own);
    assert_int_equal(sk_role_reviews(m[i].r), m[i].review);
    assert_int_equal(sk_role_manages_feeds(m[i].r), m[i].feeds);
    assert_int_equal(sk_role_manages_accounts(m[i].r), m[i].accounts);
    assert_int_equal(sk_role_sees_restricted(m[i].r), m[i].restricted);
  }
  enum sk_role r = SK_ROLE_ADMIN;
  assert_int_equal(sk_auth_role_parse("beheerder", &r), SK_EINVAL); /* unknown: refused */
  assert_int_equal(sk_auth_role_parse("redacteur", &r), SK_OK);
  assert_int_equal(r, SK_ROLE_REDACTEUR);
}

/* At most SK_AUTH_MAX_ORGS organisations per account: the next link is
 * refused, never dropped later (the portal's actor holds a fixed array). */
static void test_organisation_limit(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("orglimit.db");
  struct sk_account many;
  assert_int_equal(
      sk_auth_account_by_rid(st, add(st, "m@voorbeeld.nl", SK_ROLE_PARTNER, PW), &many), SK_OK);
  char id[64];
  for (int i = 0; i <= SK_AUTH_MAX_ORGS; i++) {
    snprintf(id, sizeof id, "6f1d2c3b-0000-4000-8000-1%011d", i);
    add_org(st, id);
    assert_int_equal(sk_auth_link_organization(st, many.rid, id, "cli", T0),
                     i < SK_AUTH_MAX_ORGS ? SK_OK : SK_ETOOBIG);
  }
  snprintf(id, sizeof id, "6f1d2c3b-0000-4000-8000-1%011d", 0);
  assert_int_equal(sk_auth_link_organization(st, many.rid, id, "cli", T0),
                   SK_OK); /* linked already */
  sk_store_close(st);
}

static void test_roles_and_organisations(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("roles.db");
  long long org_a = add_org(st, ORG_A), org_b = add_org(st, ORG_B);
  struct sk_account partner, redacteur, admin, pro;
  assert_int_equal(
      sk_auth_account_by_rid(st, add(st, "p@voorbeeld.nl", SK_ROLE_PARTNER, PW), &partner), SK_OK);
  assert_int_equal(
      sk_auth_account_by_rid(st, add(st, "r@voorbeeld.nl", SK_ROLE_REDACTEUR, PW), &redacteur),
      SK_OK);
  assert_int_equal(sk_auth_account_by_rid(st, add(st, "a@voorbeeld.nl", SK_ROLE_ADMIN, PW), &admin),
                   SK_OK);
  assert_int_equal(
      sk_auth_account_by_rid(st, add(st, "x@voorbeeld.nl", SK_ROLE_PROFESSIONAL, PW), &pro), SK_OK);

  assert_int_equal(sk_auth_link_organization(st, partner.rid, ORG_A, "cli", T0), SK_OK);
  assert_int_equal(sk_auth_link_organization(st, partner.rid, ORG_A, "cli", T0),
                   SK_OK); /* twice: fine */
  assert_int_equal(
      sk_auth_link_organization(st, partner.rid, "00000000-0000-4000-8000-000000000000", "cli", T0),
      SK_ENOTFOUND);
  assert_int_equal(sk_auth_link_organization(st, 999, ORG_A, "cli", T0), SK_ENOTFOUND);
  long long *orgs;
  size_t n;
  assert_int_equal(sk_auth_account_organizations(st, partner.rid, &orgs, &n), SK_OK);
  assert_int_equal(n, 1);
  assert_int_equal(orgs[0], org_a);
  free(orgs);

  assert_true(sk_auth_can_edit_organization(st, &partner, org_a));
  assert_false(sk_auth_can_edit_organization(st, &partner, org_b));
  assert_false(sk_auth_can_edit_organization(st, &partner, 0));
  assert_true(sk_auth_can_edit_organization(st, &redacteur, org_a));
  assert_true(sk_auth_can_edit_organization(st, &redacteur, org_b));
  assert_true(sk_auth_can_edit_organization(st, &admin, org_b));
  assert_false(sk_auth_can_edit_organization(st, &pro, org_a));
  assert_false(sk_auth_can_edit_organization(st, NULL, org_a));

  assert_false(sk_auth_can_edit_all(&partner));
  assert_true(sk_auth_can_edit_all(&redacteur));
  assert_true(sk_auth_can_review(&redacteur));
  assert_true(sk_auth_can_manage_feeds(&redacteur));
  assert_false(sk_auth_can_manage_feeds(&partner));
  assert_false(sk_auth_can_manage_feeds(&pro));
  assert_true(sk_auth_can_edit_all(&admin));
  assert_true(sk_auth_can_manage_accounts(&admin));
  assert_false(sk_auth_can_manage_accounts(&redacteur));
  assert_false(sk_auth_can_manage_accounts(&partner));
  assert_true(sk_auth_can_see_restricted(&pro));
  assert_true(sk_auth_can_see_restricted(&redacteur));
  assert_false(sk_auth_can_see_restricted(&partner));
  assert_false(sk_auth_can_see_restricted(NULL));

  /* A struct from before a change does not outlive it: the link and the
   * disabled flag are read again. */
  assert_int_equal(sk_auth_unlink_organization(st, partner.rid, ORG_A, "cli", T0), SK_OK);
  assert_false(sk_auth_can_edit_organization(st, &partner, org_a));
  assert_int_equal(sk_auth_link_organization(st, partner.rid, ORG_A, "cli", T0), SK_OK);
  assert_int_equal(sk_auth_account_set_disabled(st, partner.rid, 1, "cli", T0), SK_OK);
  assert_false(sk_auth_can_edit_organization(st, &partner, org_a));
  assert_int_equal(
      count_text(st, "SELECT count(*) FROM change_log WHERE field = 'organization' AND actor = ?1",
                 "cli"),
      3);

  /* Trusted partners publish without review. */
  assert_int_equal(sk_auth_account_set_trusted(st, partner.rid, 1, "cli", T0), SK_OK);
  assert_int_equal(sk_auth_account_by_rid(st, partner.rid, &partner), SK_OK);
  assert_true(partner.trusted);
  sk_store_close(st);
}

static void test_purge_and_messages(void **state) {
  (void)state;
  struct sk_store *st = fresh_store("purge.db");
  long long rid = add(st, "op@voorbeeld.nl", SK_ROLE_PARTNER, PW);
  char tok[SK_AUTH_TOKEN_LEN], reset[SK_AUTH_TOKEN_LEN];
  assert_int_equal(login(st, "op@voorbeeld.nl", PW, NULL, T0, tok), SK_OK);
  assert_int_equal(login(st, "op@voorbeeld.nl", PW, NULL, T0 + 8 * 3600, NULL), SK_OK);
  assert_int_equal(sk_auth_reset_create(st, rid, T0, reset), SK_OK);
  assert_int_equal(sk_auth_purge(st, T0 + 8 * 3600 + 1), SK_OK);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM auth_session"), 1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM password_reset"), 1);
  assert_int_equal(sk_auth_purge(st, T0 + 86400), SK_OK);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM password_reset"), 0);

  int codes[] = {SK_AUTH_EBADLOGIN,
                 SK_AUTH_ETHROTTLED,
                 SK_AUTH_EPASSWORD,
                 SK_AUTH_EEMAIL,
                 SK_AUTH_ENAME,
                 SK_AUTH_ENOSESSION,
                 SK_AUTH_EBADTOKEN,
                 SK_AUTH_EEXISTS,
                 SK_AUTH_ECSRF,
                 SK_EFORBIDDEN,
                 SK_EDB,
                 -12345};
  for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
    const char *m = sk_auth_message(codes[i]);
    assert_true(strlen(m) > 10);
    assert_null(strstr(m, "error"));
  }
  sk_store_close(st);
}

/* ---- The 'user' command ---------------------------------------------------- */

static const char *binary(void) {
  static char path[1024];
  const char *b = getenv("SK_BINARY_DIR");
  snprintf(path, sizeof path, "%s/sociale-kaart", b && *b ? b : ".");
  return path;
}

/* Run "sociale-kaart user ARGS" with stdin from input (may be NULL);
 * stdout into out. Returns the exit code. */
static int run_user(const char *args, const char *input, char *out, size_t outlen) {
  char cmd[2048];
  if (input)
    th_write_file(th_path("stdin.txt"), input, strlen(input));
  snprintf(cmd, sizeof cmd, "'%s' user --db '%s' %s <'%s' >'%s' 2>'%s'", binary(),
           th_path("cli.db"), args, input ? th_path("stdin.txt") : "/dev/null", th_path("out.txt"),
           th_path("err.txt"));
  int rc = system(cmd);
  FILE *f = fopen(th_path("out.txt"), "r");
  out[0] = '\0';
  if (f) {
    size_t n = fread(out, 1, outlen - 1, f);
    out[n] = '\0';
    fclose(f);
  }
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_user_command(void **state) {
  (void)state;
  char out[4096];
  struct sk_store *st = fresh_store("cli.db");
  add_org(st, ORG_A);
  sk_store_close(st);

  assert_int_equal(run_user("add --email p@voorbeeld.nl --name 'Partner Een' --role partner"
                            " --organization " ORG_A " --password-stdin",
                            PW "\n", out, sizeof out),
                   0);
  assert_int_equal(
      run_user("add --email p@voorbeeld.nl --name Dubbel --role partner", NULL, out, sizeof out),
      1);
  assert_int_equal(
      run_user("add --email x@voorbeeld.nl --name X --role baas", NULL, out, sizeof out), 2);
  assert_int_equal(run_user("add --email x@voorbeeld.nl --role partner", NULL, out, sizeof out), 2);
  assert_int_equal(run_user("add --bogus", NULL, out, sizeof out), 2);
  assert_int_equal(run_user("explode", NULL, out, sizeof out), 2);
  assert_int_equal(run_user("add --email x@voorbeeld.nl --name X --role partner --password-stdin",
                            "kort\n", out, sizeof out),
                   1);
  /* Without a password one is made and printed once. */
  assert_int_equal(
      run_user("add --email r@voorbeeld.nl --name Red --role redacteur", NULL, out, sizeof out), 0);
  char *pw = strstr(out, "password: ");
  assert_non_null(pw);
  char generated[64];
  assert_int_equal(sscanf(pw + 10, "%63s", generated), 1);
  assert_int_equal(strlen(generated), 20);

  assert_int_equal(run_user("list", NULL, out, sizeof out), 0);
  assert_non_null(strstr(out, "p@voorbeeld.nl"));
  assert_non_null(strstr(out, "redacteur"));
  assert_non_null(strstr(out, ORG_A));

  use_fast_policy();
  st = fresh_store("cli.db");
  assert_int_equal(login(st, "p@voorbeeld.nl", PW, NULL, T0, NULL), SK_OK);
  assert_int_equal(login(st, "r@voorbeeld.nl", generated, NULL, T0, NULL), SK_OK);
  struct sk_account p;
  assert_int_equal(sk_auth_account_by_email(st, "p@voorbeeld.nl", &p), SK_OK);
  assert_true(sk_auth_can_edit_organization(st, &p, 1));
  sk_store_close(st);

  assert_int_equal(
      run_user("reset p@voorbeeld.nl --password-stdin", "een ander wachtwoord\n", out, sizeof out),
      0);
  assert_int_equal(run_user("reset nobody@voorbeeld.nl", NULL, out, sizeof out), 1);
  assert_int_equal(run_user("token p@voorbeeld.nl --label ci", NULL, out, sizeof out), 0);
  char token[SK_AUTH_TOKEN_LEN] = "";
  char *t = strstr(out, "skapi_");
  assert_non_null(t);
  assert_int_equal(sscanf(t, "%63s", token), 1);
  assert_int_equal(run_user("disable p@voorbeeld.nl", NULL, out, sizeof out), 0);

  st = fresh_store("cli.db");
  struct sk_account a;
  assert_int_equal(sk_auth_token_verify(st, token, T0, &a), SK_AUTH_EBADTOKEN); /* disabled */
  assert_int_equal(login(st, "p@voorbeeld.nl", "een ander wachtwoord", NULL, T0, NULL),
                   SK_AUTH_EBADLOGIN);
  assert_int_equal(sk_auth_account_set_disabled(st, p.rid, 0, "t", T0), SK_OK);
  assert_int_equal(sk_auth_token_verify(st, token, T0, &a), SK_OK);
  assert_int_equal(login(st, "p@voorbeeld.nl", "een ander wachtwoord", NULL, T0, NULL), SK_OK);
  sk_store_close(st);

  /* One token revoked by its prefix (as 'token list' shows it); a second
   * token of the same account keeps working. */
  assert_int_equal(run_user("token p@voorbeeld.nl --label tweede", NULL, out, sizeof out), 0);
  char second[SK_AUTH_TOKEN_LEN] = "";
  assert_int_equal(sscanf(strstr(out, "skapi_"), "%63s", second), 1);
  char prefix[SK_AUTH_API_PREFIX_LEN + 1];
  memcpy(prefix, token, SK_AUTH_API_PREFIX_LEN);
  prefix[SK_AUTH_API_PREFIX_LEN] = '\0';
  assert_int_equal(run_user("token list p@voorbeeld.nl", NULL, out, sizeof out), 0);
  assert_non_null(strstr(out, prefix));
  assert_non_null(strstr(out, "tweede"));
  assert_null(strstr(out, token)); /* never the whole token */
  char args[128];
  snprintf(args, sizeof args, "token revoke %s", prefix);
  assert_int_equal(run_user(args, NULL, out, sizeof out), 0);
  assert_int_equal(run_user(args, NULL, out, sizeof out), 0); /* again: still revoked, no error */
  assert_int_equal(run_user("token revoke skapi_nietbestaand", NULL, out, sizeof out), 1);
  assert_int_equal(run_user("token revoke", NULL, out, sizeof out), 2);
  st = fresh_store("cli.db");
  assert_int_equal(sk_auth_token_verify(st, token, T0, &a), SK_AUTH_EBADTOKEN);
  assert_int_equal(sk_auth_token_verify(st, second, T0, &a), SK_OK);
  sk_store_close(st);
  assert_int_equal(run_user("token list p@voorbeeld.nl", NULL, out, sizeof out), 0);
  assert_non_null(strstr(out, "revoked"));
}

int main(void) {
  use_fast_policy();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_password_is_hashed_and_verifies),
      cmocka_unit_test(test_password_rules),
      cmocka_unit_test(test_account_validation_and_log),
      cmocka_unit_test(test_unknown_email_answers_like_wrong_password),
      cmocka_unit_test(test_throttle_per_account_and_address),
      cmocka_unit_test(test_throttle_growing_account_delay),
      cmocka_unit_test(test_throttle_per_ip),
      cmocka_unit_test(test_session_lifetimes_and_logout),
      cmocka_unit_test(test_disabled_account_is_locked_out),
      cmocka_unit_test(test_csrf_token),
      cmocka_unit_test(test_cookie),
      cmocka_unit_test(test_reset_token_and_password_change),
      cmocka_unit_test(test_change_own_password),
      cmocka_unit_test(test_rehash_when_policy_changes),
      cmocka_unit_test(test_api_tokens),
      cmocka_unit_test(test_new_password_revokes_api_tokens),
      cmocka_unit_test(test_roles_and_organisations),
      cmocka_unit_test(test_organisation_limit),
      cmocka_unit_test(test_access_model),
      cmocka_unit_test(test_purge_and_messages),
      cmocka_unit_test(test_user_command),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
