/* Accounts, passwords and roles; shared helpers for sk_auth_session.c and
 * sk_auth_token.c (declared in sk_auth_int.h). */
#include "sk_auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sk_auth_int.h"
#include "sk_err.h"
#include "sk_fold.h"
#include "sk_write.h"

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_hash_free = PTHREAD_COND_INITIALIZER;
static struct sk_auth_policy g_policy;
static char g_dummy_hash[crypto_pwhash_STRBYTES];
static int g_ready;
static int g_hashing;

const char *sk_auth_message(int rc) {
  switch (rc) {
  case SK_OK: return "Gelukt.";
  case SK_AUTH_EBADLOGIN: return "Het e-mailadres of het wachtwoord klopt niet.";
  case SK_AUTH_ETHROTTLED:
    return "Er is te vaak een verkeerd wachtwoord gebruikt. Wacht even en probeer het dan opnieuw.";
  case SK_AUTH_EPASSWORD:
    return "Kies een wachtwoord van minstens 12 tekens. Een zin van een paar woorden is goed te "
           "onthouden.";
  case SK_AUTH_EEMAIL: return "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.";
  case SK_AUTH_ENAME: return "Vul een naam in van hoogstens 200 tekens.";
  case SK_AUTH_ENOSESSION: return "U bent niet meer ingelogd. Log opnieuw in.";
  case SK_AUTH_EBADTOKEN: return "Deze code of link werkt niet meer. Vraag een nieuwe aan.";
  case SK_AUTH_EEXISTS: return "Er is al een account met dit e-mailadres.";
  case SK_AUTH_ECSRF:
    return "Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog een keer.";
  case SK_EFORBIDDEN: return "Dit mag u niet doen met uw account.";
  case SK_ENOTFOUND: return "Dit hebben we niet gevonden.";
  case SK_EINVAL: return "Deze gegevens kloppen niet. Kijk ze nog eens na.";
  case SK_ETOOBIG: return "Dit is te lang.";
  case SK_EBUSY: return "Het is nu even druk. Probeer het over een paar seconden opnieuw.";
  default: return "Er ging iets mis. Probeer het later opnieuw.";
  }
}

int auth_fail(int rc, char *err, size_t errlen) {
  if (err && errlen)
    snprintf(err, errlen, "%s", sk_auth_message(rc));
  return rc;
}

static const char *const role_names[] = {"", "partner", "redacteur", "admin", "professional"};

const char *sk_auth_role_name(enum sk_role r) {
  return (int)r >= 1 && (int)r <= 4 ? role_names[r] : "";
}

int sk_auth_role_parse(const char *name, enum sk_role *out) {
  for (int i = 1; name && i <= 4; i++)
    if (strcmp(name, role_names[i]) == 0) {
      *out = (enum sk_role)i;
      return SK_OK;
    }
  return SK_EINVAL;
}

void sk_auth_policy_default(struct sk_auth_policy *p) {
  p->pwhash_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  p->pwhash_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  p->max_parallel_hashes = 2;
  p->session_idle = 8 * 3600;
  p->session_absolute = 7 * 86400;
  p->session_touch = 60;
  p->throttle_window = 15 * 60;
  p->throttle_pair_max = 5;
  p->throttle_ip_max = 20;
  p->throttle_account_free = 5;
  p->throttle_delay_max = 120;
  p->reset_lifetime = 86400;
  p->attempt_keep = 86400;
}

void sk_auth_policy_fast(struct sk_auth_policy *p) {
  sk_auth_policy_default(p);
  p->pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
  p->pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
}

int sk_auth_global_init(const struct sk_auth_policy *p) {
  struct sk_auth_policy pol;
  if (p)
    pol = *p;
  else
    sk_auth_policy_default(&pol);
  if (pol.max_parallel_hashes < 1 || pol.session_idle <= 0 || pol.session_absolute <= 0 ||
      pol.throttle_window <= 0 || pol.throttle_pair_max < 1 || pol.throttle_ip_max < 1 ||
      pol.throttle_account_free < 0 || pol.throttle_delay_max < 1 ||
      pol.pwhash_opslimit < crypto_pwhash_OPSLIMIT_MIN ||
      pol.pwhash_memlimit < crypto_pwhash_MEMLIMIT_MIN)
    return SK_EINVAL;
  if (sodium_init() < 0)
    return SK_ENOMEM;
  /* Unknown e-mail addresses are checked against this hash, with the same
   * cost as a real one, so the answer takes as long as for a real account. */
  unsigned char rnd[24];
  char pw[sizeof rnd * 2 + 1];
  randombytes_buf(rnd, sizeof rnd);
  sodium_bin2hex(pw, sizeof pw, rnd, sizeof rnd);
  char dummy[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(dummy, pw, strlen(pw), pol.pwhash_opslimit, pol.pwhash_memlimit) != 0)
    return SK_ENOMEM;
  pthread_mutex_lock(&g_lock);
  g_policy = pol;
  memcpy(g_dummy_hash, dummy, sizeof dummy);
  __atomic_store_n(&g_ready, 1, __ATOMIC_RELEASE);
  pthread_mutex_unlock(&g_lock);
  return SK_OK;
}

int auth_ensure_init(void) {
  if (__atomic_load_n(&g_ready, __ATOMIC_ACQUIRE))
    return SK_OK;
  pthread_mutex_lock(&g_lock);
  int ready = g_ready;
  pthread_mutex_unlock(&g_lock);
  return ready ? SK_OK : sk_auth_global_init(NULL);
}

const struct sk_auth_policy *sk_auth_policy(void) {
  auth_ensure_init();
  return &g_policy;
}

/* argon2id needs memlimit bytes per running hash: a burst of logins must
 * not take n_threads x 64 MiB, so at most max_parallel_hashes run at once. */
static void hash_slot_take(void) {
  pthread_mutex_lock(&g_lock);
  while (g_hashing >= g_policy.max_parallel_hashes)
    pthread_cond_wait(&g_hash_free, &g_lock);
  g_hashing++;
  pthread_mutex_unlock(&g_lock);
}

static void hash_slot_give(void) {
  pthread_mutex_lock(&g_lock);
  g_hashing--;
  pthread_cond_signal(&g_hash_free);
  pthread_mutex_unlock(&g_lock);
}

int auth_password_hash(const char *password, char out[AUTH_HASH_STR_LEN]) {
  hash_slot_take();
  int rc = crypto_pwhash_str(out, password, strlen(password), g_policy.pwhash_opslimit,
                             g_policy.pwhash_memlimit);
  hash_slot_give();
  return rc == 0 ? SK_OK : SK_ENOMEM;
}

int auth_password_verify(const char *hash, const char *password) {
  hash_slot_take();
  const char *h = hash ? hash : g_dummy_hash;
  int ok = crypto_pwhash_str_verify(h, password, strlen(password)) == 0;
  hash_slot_give();
  return hash ? ok : 0;
}

int auth_password_needs_rehash(const char *hash) {
  return crypto_pwhash_str_needs_rehash(hash, g_policy.pwhash_opslimit, g_policy.pwhash_memlimit) !=
         0;
}

int auth_password_ok(const char *password) {
  if (!password)
    return 0;
  size_t n = strlen(password);
  if (n > SK_AUTH_PASSWORD_MAX || !sk_utf8_valid(password, n))
    return 0;
  size_t chars = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)password[i] & 0xC0) != 0x80)
      chars++;
  return chars >= SK_AUTH_PASSWORD_MIN;
}

void sk_auth_random_password(char out[32]) {
  static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  auth_ensure_init();
  for (int i = 0; i < 20; i++)
    out[i] = alphabet[randombytes_uniform((uint32_t)(sizeof alphabet - 1))];
  out[20] = '\0';
}

void auth_token_new(const char *prefix, char out[SK_AUTH_TOKEN_LEN]) {
  unsigned char rnd[32];
  char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  randombytes_buf(rnd, sizeof rnd);
  sodium_bin2base64(b64, sizeof b64, rnd, sizeof rnd, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  snprintf(out, SK_AUTH_TOKEN_LEN, "%s%s", prefix, b64);
  sodium_memzero(rnd, sizeof rnd);
}

void auth_hash_hex(const char *domain, const char *data, size_t len, char out[65]) {
  unsigned char key[crypto_generichash_KEYBYTES_MIN] = {0};
  size_t dl = strlen(domain);
  memcpy(key, domain, dl < sizeof key ? dl : sizeof key);
  unsigned char h[32];
  crypto_generichash(h, sizeof h, (const unsigned char *)data, len, key, sizeof key);
  sodium_bin2hex(out, 65, h, sizeof h);
}

int auth_token_plausible(const char *token) {
  if (!token)
    return 0;
  size_t n = strnlen(token, SK_AUTH_TOKEN_LEN);
  if (n == 0 || n >= SK_AUTH_TOKEN_LEN)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = token[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_'))
      return 0;
  }
  return 1;
}

void auth_iso(int64_t t, char out[32]) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Trim ASCII white space into out; 0 when it does not fit. */
static int trim_copy(const char *in, char *out, size_t outlen) {
  if (!in)
    return 0;
  while (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
    in++;
  size_t n = strlen(in);
  while (n && (in[n - 1] == ' ' || in[n - 1] == '\t' || in[n - 1] == '\r' || in[n - 1] == '\n'))
    n--;
  if (n + 1 > outlen)
    return 0;
  memcpy(out, in, n);
  out[n] = '\0';
  return 1;
}

int auth_email_normalize(const char *in, char out[SK_AUTH_EMAIL_MAX + 1]) {
  if (!trim_copy(in, out, SK_AUTH_EMAIL_MAX + 1))
    return 0;
  size_t n = strlen(out);
  if (n < 3 || !sk_utf8_valid(out, n))
    return 0;
  const char *at = strchr(out, '@');
  if (!at || at == out || strchr(at + 1, '@'))
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)out[i];
    if (c <= ' ' || c == 0x7F || c == '<' || c == '>' || c == '"' || c == ',' || c == ';')
      return 0;
  }
  const char *domain = at + 1;
  const char *dot = strchr(domain, '.');
  size_t dn = strlen(domain);
  return dot && dot != domain && domain[dn - 1] != '.';
}

void auth_email_key(const char *email, char out[65]) {
  char norm[SK_AUTH_EMAIL_MAX + 1];
  if (!trim_copy(email, norm, sizeof norm)) {
    /* Too long to be an address: still throttled, under its own hash. */
    auth_hash_hex("sk-login-email", email ? email : "", email ? strnlen(email, 4096) : 0, out);
    return;
  }
  for (char *p = norm; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
  auth_hash_hex("sk-login-email", norm, strlen(norm), out);
}

static int name_ok(const char *in, char out[SK_AUTH_NAME_MAX + 1]) {
  if (!trim_copy(in, out, SK_AUTH_NAME_MAX + 1))
    return 0;
  size_t n = strlen(out);
  if (n == 0 || !sk_utf8_valid(out, n))
    return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)out[i] < ' ' || out[i] == 0x7F)
      return 0;
  return 1;
}

int auth_text_ok(const char *s, size_t max) {
  size_t n = strnlen(s, max + 1);
  if (n > max || !sk_utf8_valid(s, n))
    return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < ' ' || s[i] == 0x7F)
      return 0;
  return 1;
}

static void copy_col(sqlite3_stmt *s, int col, char *out, size_t outlen) {
  const char *v = (const char *)sqlite3_column_text(s, col);
  snprintf(out, outlen, "%s", v ? v : "");
}

void auth_read_account(sqlite3_stmt *s, int c, struct sk_account *a) {
  memset(a, 0, sizeof *a);
  a->rid = sqlite3_column_int64(s, c);
  copy_col(s, c + 1, a->id, sizeof a->id);
  copy_col(s, c + 2, a->email, sizeof a->email);
  copy_col(s, c + 3, a->name, sizeof a->name);
  enum sk_role r = 0;
  a->role = sk_auth_role_parse((const char *)sqlite3_column_text(s, c + 4), &r) == SK_OK ? r : 0;
  a->disabled = sqlite3_column_int(s, c + 5) != 0;
  a->trusted = sqlite3_column_int(s, c + 6) != 0;
  a->has_password = sqlite3_column_int(s, c + 7) != 0;
  copy_col(s, c + 8, a->created, sizeof a->created);
  copy_col(s, c + 9, a->last_login, sizeof a->last_login);
}

int auth_change(struct sk_store *st, const char *actor, int64_t now, const char *account_id,
                const char *field, const char *old_value, const char *new_value) {
  char at[32];
  auth_iso(now, at);
  struct sk_write_change c = {
      at, actor && *actor ? actor : "system", "account", account_id, field, old_value, new_value,
      0};
  return sk_write_log_once(st, &c);
}

static int account_by(struct sk_store *st, const char *where, const char *text, long long num,
                      struct sk_account *out) {
  char sql[512];
  snprintf(sql, sizeof sql, "SELECT " AUTH_ACCOUNT_COLS " FROM account a WHERE %s", where);
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  if (text)
    sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_int64(s, 1, num);
  int step = sqlite3_step(s);
  int rc = step == SQLITE_ROW ? SK_OK : step == SQLITE_DONE ? SK_ENOTFOUND : SK_EDB;
  if (rc == SK_OK)
    auth_read_account(s, 0, out);
  sqlite3_finalize(s);
  return rc;
}

int sk_auth_account_by_email(struct sk_store *st, const char *email, struct sk_account *out) {
  char norm[SK_AUTH_EMAIL_MAX + 1];
  if (!trim_copy(email, norm, sizeof norm))
    return SK_ENOTFOUND;
  return account_by(st, "a.email = ?1", norm, 0, out);
}

int sk_auth_account_by_rid(struct sk_store *st, long long rid, struct sk_account *out) {
  return account_by(st, "a.rid = ?1", NULL, rid, out);
}

int sk_auth_account_by_id(struct sk_store *st, const char *uuid, struct sk_account *out) {
  if (!sk_uuid_valid(uuid))
    return SK_ENOTFOUND;
  return account_by(st, "a.id = ?1", uuid, 0, out);
}

int sk_auth_account_list(struct sk_store *st, struct sk_account **out, size_t *n) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(
          st->db, "SELECT " AUTH_ACCOUNT_COLS " FROM account a ORDER BY a.email COLLATE NOCASE", -1,
          &s, NULL) != SQLITE_OK)
    return SK_EDB;
  size_t cap = 0;
  int rc = SK_OK, step;
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    if (*n == cap) {
      size_t ncap = cap ? cap * 2 : 16;
      struct sk_account *grown = realloc(*out, ncap * sizeof **out);
      if (!grown) {
        rc = SK_ENOMEM;
        break;
      }
      *out = grown;
      cap = ncap;
    }
    auth_read_account(s, 0, &(*out)[(*n)++]);
  }
  if (rc == SK_OK && step != SQLITE_DONE)
    rc = SK_EDB;
  sqlite3_finalize(s);
  if (rc) {
    free(*out);
    *out = NULL;
    *n = 0;
  }
  return rc;
}

int auth_exec_bind(struct sk_store *st, const char *sql, const char *text, long long a, long long b,
                   int *changes) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  /* Parameters: ?1 text (when given), ?2 and ?3 integers. */
  if (text)
    sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
  if (sqlite3_bind_parameter_count(s) >= 2)
    sqlite3_bind_int64(s, 2, a);
  if (sqlite3_bind_parameter_count(s) >= 3)
    sqlite3_bind_int64(s, 3, b);
  int rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  if (changes)
    *changes = sqlite3_changes(st->db);
  sqlite3_finalize(s);
  return rc;
}

int sk_auth_account_create(struct sk_store *st, const char *email, const char *name,
                           enum sk_role role, const char *password, const char *actor, int64_t now,
                           struct sk_account *out, char *err, size_t errlen) {
  int rc = auth_ensure_init();
  if (rc)
    return auth_fail(rc, err, errlen);
  char em[SK_AUTH_EMAIL_MAX + 1], nm[SK_AUTH_NAME_MAX + 1];
  if (!auth_email_normalize(email, em))
    return auth_fail(SK_AUTH_EEMAIL, err, errlen);
  if (!name_ok(name, nm))
    return auth_fail(SK_AUTH_ENAME, err, errlen);
  if (!*sk_auth_role_name(role))
    return auth_fail(SK_EINVAL, err, errlen);
  char hash[AUTH_HASH_STR_LEN] = "";
  if (password) {
    if (!auth_password_ok(password))
      return auth_fail(SK_AUTH_EPASSWORD, err, errlen);
    if ((rc = auth_password_hash(password, hash)))
      return auth_fail(rc, err, errlen);
  }
  char id[SK_UUID_LEN], created[32];
  sk_uuid_random(id);
  auth_iso(now, created);
  if (sk_store_begin(st))
    return auth_fail(SK_EDB, err, errlen);
  sqlite3_stmt *s = NULL;
  rc = SK_EDB;
  if (sqlite3_prepare_v2(st->db,
                         "INSERT INTO account(id, email, name, role, password_hash, created)"
                         " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                         -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, em, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, nm, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, sk_auth_role_name(role), -1, SQLITE_STATIC);
    if (password)
      sqlite3_bind_text(s, 5, hash, -1, SQLITE_STATIC);
    else
      sqlite3_bind_null(s, 5);
    sqlite3_bind_text(s, 6, created, -1, SQLITE_STATIC);
    int step = sqlite3_step(s);
    if (step == SQLITE_DONE)
      rc = SK_OK;
    else if (sqlite3_extended_errcode(st->db) == SQLITE_CONSTRAINT_UNIQUE)
      rc = SK_AUTH_EEXISTS;
  }
  sqlite3_finalize(s);
  long long rid = sqlite3_last_insert_rowid(st->db);
  if (rc == SK_OK)
    rc = auth_change(st, actor, now, id, "account", NULL, em);
  if (rc == SK_OK)
    rc = auth_change(st, actor, now, id, "role", NULL, sk_auth_role_name(role));
  if (rc == SK_OK)
    rc = sk_store_commit(st);
  sodium_memzero(hash, sizeof hash);
  if (rc) {
    sk_store_rollback(st);
    return auth_fail(rc, err, errlen);
  }
  if (out && sk_auth_account_by_rid(st, rid, out) != SK_OK)
    return auth_fail(SK_EDB, err, errlen);
  return SK_OK;
}

static int set_flag(struct sk_store *st, long long rid, const char *column, int value,
                    const char *actor, int64_t now) {
  struct sk_account a;
  int rc = sk_auth_account_by_rid(st, rid, &a);
  if (rc)
    return rc;
  int old = strcmp(column, "disabled") == 0 ? a.disabled : a.trusted;
  char sql[128];
  snprintf(sql, sizeof sql, "UPDATE account SET %s = ?2 WHERE rid = ?3", column);
  if (sk_store_begin(st))
    return SK_EDB;
  rc = auth_exec_bind(st, sql, NULL, value ? 1 : 0, rid, NULL);
  if (rc == SK_OK && strcmp(column, "disabled") == 0 && value)
    rc = auth_exec_bind(st, "DELETE FROM auth_session WHERE account_rid = ?2", NULL, rid, 0, NULL);
  if (rc == SK_OK && old != (value != 0))
    rc = auth_change(st, actor, now, a.id, column, old ? "1" : "0", value ? "1" : "0");
  if (rc == SK_OK)
    rc = sk_store_commit(st);
  if (rc)
    sk_store_rollback(st);
  return rc;
}

int sk_auth_account_set_disabled(struct sk_store *st, long long rid, int disabled,
                                 const char *actor, int64_t now) {
  return set_flag(st, rid, "disabled", disabled, actor, now);
}

int sk_auth_account_set_trusted(struct sk_store *st, long long rid, int trusted, const char *actor,
                                int64_t now) {
  return set_flag(st, rid, "trusted", trusted, actor, now);
}

/* Store a new hash and end what the old password opened: sessions, reset
 * tokens and API tokens (whoever knew the old password may have made one).
 * Runs inside the caller's transaction. */
int auth_store_password(struct sk_store *st, const struct sk_account *a, const char *hash,
                        const char *actor, int64_t now) {
  int rc = auth_exec_bind(st, "UPDATE account SET password_hash = ?1 WHERE rid = ?2", hash, a->rid,
                          0, NULL);
  if (rc == SK_OK)
    rc = auth_exec_bind(st, "DELETE FROM auth_session WHERE account_rid = ?2", NULL, a->rid, 0,
                        NULL);
  if (rc == SK_OK)
    rc = auth_exec_bind(st, "DELETE FROM password_reset WHERE account_rid = ?2", NULL, a->rid, 0,
                        NULL);
  if (rc == SK_OK)
    rc = auth_exec_bind(
        st, "UPDATE api_token SET revoked = ?3 WHERE account_rid = ?2 AND revoked IS NULL", NULL,
        a->rid, now, NULL);
  /* The log says that it changed, never what it is. */
  if (rc == SK_OK)
    rc = auth_change(st, actor, now, a->id, "password", NULL, NULL);
  return rc;
}

int sk_auth_set_password(struct sk_store *st, long long rid, const char *password,
                         const char *actor, int64_t now, char *err, size_t errlen) {
  int rc = auth_ensure_init();
  if (rc)
    return auth_fail(rc, err, errlen);
  if (!auth_password_ok(password))
    return auth_fail(SK_AUTH_EPASSWORD, err, errlen);
  struct sk_account a;
  if ((rc = sk_auth_account_by_rid(st, rid, &a)))
    return auth_fail(rc, err, errlen);
  char hash[AUTH_HASH_STR_LEN];
  if ((rc = auth_password_hash(password, hash)))
    return auth_fail(rc, err, errlen);
  if (sk_store_begin(st))
    return auth_fail(SK_EDB, err, errlen);
  rc = auth_store_password(st, &a, hash, actor, now);
  if (rc == SK_OK)
    rc = sk_store_commit(st);
  if (rc)
    sk_store_rollback(st);
  return rc ? auth_fail(rc, err, errlen) : SK_OK;
}

static int org_rid_of(struct sk_store *st, const char *org_id, long long *rid) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, "SELECT rid FROM organization WHERE id = ?1", -1, &s, NULL) !=
      SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, org_id ? org_id : "", -1, SQLITE_STATIC);
  int step = sqlite3_step(s);
  int rc = step == SQLITE_ROW ? SK_OK : step == SQLITE_DONE ? SK_ENOTFOUND : SK_EDB;
  if (rc == SK_OK)
    *rid = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return rc;
}

/* SK_ETOOBIG when linking org_rid would give the account more than
 * SK_AUTH_MAX_ORGS organisations (a link that exists already is fine). */
static int org_count_check(struct sk_store *st, long long account_rid, long long org_rid) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT count(*), sum(organization_rid = ?2) FROM account_organization"
                         " WHERE account_rid = ?1",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_int64(s, 1, account_rid);
  sqlite3_bind_int64(s, 2, org_rid);
  int rc = SK_EDB;
  if (sqlite3_step(s) == SQLITE_ROW) {
    long long n = sqlite3_column_int64(s, 0), has = sqlite3_column_int64(s, 1);
    rc = (!has && n >= SK_AUTH_MAX_ORGS) ? SK_ETOOBIG : SK_OK;
  }
  sqlite3_finalize(s);
  return rc;
}

static int link(struct sk_store *st, long long account_rid, const char *org_id, int on,
                const char *actor, int64_t now) {
  struct sk_account a;
  long long org_rid = 0;
  int rc = sk_auth_account_by_rid(st, account_rid, &a);
  if (rc == SK_OK)
    rc = org_rid_of(st, org_id, &org_rid);
  if (rc)
    return rc;
  if (sk_store_begin(st))
    return SK_EDB;
  int changed = 0;
  if (on) {
    rc = org_count_check(st, account_rid, org_rid);
    if (rc) {
      sk_store_rollback(st);
      return rc;
    }
  }
  rc = auth_exec_bind(
      st,
      on ? "INSERT OR IGNORE INTO account_organization(account_rid, organization_rid)"
           " VALUES(?2, ?3)"
         : "DELETE FROM account_organization WHERE account_rid = ?2 AND"
           " organization_rid = ?3",
      NULL, account_rid, org_rid, &changed);
  if (rc == SK_OK && changed)
    rc = auth_change(st, actor, now, a.id, "organization", on ? NULL : org_id, on ? org_id : NULL);
  if (rc == SK_OK)
    rc = sk_store_commit(st);
  if (rc)
    sk_store_rollback(st);
  return rc;
}

int sk_auth_link_organization(struct sk_store *st, long long account_rid, const char *org_id,
                              const char *actor, int64_t now) {
  return link(st, account_rid, org_id, 1, actor, now);
}

int sk_auth_unlink_organization(struct sk_store *st, long long account_rid, const char *org_id,
                                const char *actor, int64_t now) {
  return link(st, account_rid, org_id, 0, actor, now);
}

int sk_auth_link_feed(struct sk_store *st, long long account_rid, const char *feed_id,
                      const char *actor, int64_t now) {
  struct sk_account a;
  int rc = sk_auth_account_by_rid(st, account_rid, &a);
  if (rc)
    return rc;
  if (a.role != SK_ROLE_PARTNER)
    return SK_EINVAL;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM feed WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, feed_id ? feed_id : "", -1, SQLITE_STATIC);
  int step = sqlite3_step(s);
  sqlite3_finalize(s);
  if (step != SQLITE_ROW)
    return step == SQLITE_DONE ? SK_ENOTFOUND : SK_EDB;
  if (sk_store_begin(st))
    return SK_EDB;
  int changed = 0;
  rc = auth_exec_bind(st, "INSERT OR IGNORE INTO account_feed(feed_id, account_rid) VALUES(?1, ?2)",
                      feed_id, account_rid, 0, &changed);
  if (rc == SK_OK && changed)
    rc = auth_change(st, actor, now, a.id, "feed", NULL, feed_id);
  if (rc == SK_OK)
    rc = sk_store_commit(st);
  if (rc)
    sk_store_rollback(st);
  return rc;
}

int sk_auth_account_organizations(struct sk_store *st, long long account_rid, long long **rids,
                                  size_t *n) {
  *rids = NULL;
  *n = 0;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT organization_rid FROM account_organization WHERE account_rid = ?1"
                         " ORDER BY organization_rid",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_int64(s, 1, account_rid);
  size_t cap = 0;
  int rc = SK_OK, step;
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    if (*n == cap) {
      size_t ncap = cap ? cap * 2 : 8;
      long long *grown = realloc(*rids, ncap * sizeof **rids);
      if (!grown) {
        rc = SK_ENOMEM;
        break;
      }
      *rids = grown;
      cap = ncap;
    }
    (*rids)[(*n)++] = sqlite3_column_int64(s, 0);
  }
  if (rc == SK_OK && step != SQLITE_DONE)
    rc = SK_EDB;
  sqlite3_finalize(s);
  if (rc) {
    free(*rids);
    *rids = NULL;
    *n = 0;
  }
  return rc;
}

/* ---- Roles ---------------------------------------------------------------- */

static int active(const struct sk_account *a) { return a && a->rid > 0 && !a->disabled; }

/* The rules themselves are in sk_role.c (the one access model, which the
 * portal asks too); here only the account's own state is added. */
static int editor(const struct sk_account *a) { return active(a) && sk_role_edits_all(a->role); }

int sk_auth_can_edit_all(const struct sk_account *a) { return editor(a); }
int sk_auth_can_review(const struct sk_account *a) { return active(a) && sk_role_reviews(a->role); }
int sk_auth_can_manage_feeds(const struct sk_account *a) {
  return active(a) && sk_role_manages_feeds(a->role);
}
int sk_auth_can_manage_accounts(const struct sk_account *a) {
  return active(a) && sk_role_manages_accounts(a->role);
}
int sk_auth_can_see_restricted(const struct sk_account *a) {
  return active(a) && sk_role_sees_restricted(a->role);
}

int sk_auth_can_edit_organization(struct sk_store *st, const struct sk_account *a,
                                  long long org_rid) {
  if (!active(a) || org_rid <= 0)
    return 0;
  if (editor(a))
    return 1;
  if (!sk_role_edits_own(a->role))
    return 0;
  /* Read the link and the disabled flag now: the account struct may be
   * older than the last change an admin made. */
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT 1 FROM account_organization ao JOIN account a ON a.rid ="
                         " ao.account_rid WHERE ao.account_rid = ?1 AND ao.organization_rid = ?2"
                         " AND a.disabled = 0 AND a.role = 'partner'",
                         -1, &s, NULL) != SQLITE_OK)
    return 0;
  sqlite3_bind_int64(s, 1, a->rid);
  sqlite3_bind_int64(s, 2, org_rid);
  int ok = sqlite3_step(s) == SQLITE_ROW;
  sqlite3_finalize(s);
  return ok;
}
