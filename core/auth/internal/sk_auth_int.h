#ifndef SK_AUTH_INT_H
#define SK_AUTH_INT_H
/* Helpers shared by sk_auth*.c; not for other modules. */
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "sk_auth.h"

#define AUTH_HASH_STR_LEN 128 /* crypto_pwhash_STRBYTES */

/* The columns auth_read_account expects, for "FROM account a". */
#define AUTH_ACCOUNT_COLS                                                                          \
  "a.rid, a.id, a.email, a.name, a.role, a.disabled, a.trusted, a.password_hash IS NOT NULL,"      \
  " a.created, a.last_login"
#define AUTH_ACCOUNT_NCOLS 10

int auth_ensure_init(void);
/* Write sk_auth_message(rc) into err; returns rc. */
int auth_fail(int rc, char *err, size_t errlen);

int auth_password_ok(const char *password);
int auth_password_hash(const char *password, char out[AUTH_HASH_STR_LEN]);
/* 1 when password matches hash. hash NULL checks against the dummy hash
 * (same cost) and gives 0. */
int auth_password_verify(const char *hash, const char *password);
int auth_password_needs_rehash(const char *hash);
int auth_store_password(struct sk_store *st, const struct sk_account *a, const char *hash,
                        const char *actor, int64_t now);

/* A new random token: prefix + 43 base64url characters. */
void auth_token_new(const char *prefix, char out[SK_AUTH_TOKEN_LEN]);
/* Keyed BLAKE2b-256 (key: domain) of data as 64 hex characters. */
void auth_hash_hex(const char *domain, const char *data, size_t len, char out[65]);
/* 1 when token is 1..SK_AUTH_TOKEN_LEN-1 base64url characters. */
int auth_token_plausible(const char *token);

int auth_email_normalize(const char *in, char out[SK_AUTH_EMAIL_MAX + 1]);
/* The throttling key of a typed e-mail address (trimmed, ASCII lower case, hashed). */
void auth_email_key(const char *email, char out[65]);
int auth_text_ok(const char *s, size_t max);
void auth_iso(int64_t t, char out[32]);

void auth_read_account(sqlite3_stmt *s, int first_col, struct sk_account *a);
int auth_change(struct sk_store *st, const char *actor, int64_t now, const char *account_id,
                const char *field, const char *old_value, const char *new_value);
/* Run one statement: ?1 = text (when not NULL), ?2 = a, ?3 = b. */
int auth_exec_bind(struct sk_store *st, const char *sql, const char *text, long long a, long long b,
                   int *changes);

#endif
