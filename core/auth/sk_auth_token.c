/* API tokens for partners who automate: shown once, stored as a hash, found
 * by their first characters and compared in constant time. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_auth.h"
#include "sk_auth_int.h"
#include "sk_err.h"

#define API_TOKEN_BODY 43 /* base64url of 32 bytes, no padding */

static void read_token(sqlite3_stmt *s, struct sk_api_token *t) {
  memset(t, 0, sizeof *t);
  t->rid = sqlite3_column_int64(s, 0);
  t->account_rid = sqlite3_column_int64(s, 1);
  const char *prefix = (const char *)sqlite3_column_text(s, 2);
  const char *label = (const char *)sqlite3_column_text(s, 3);
  snprintf(t->prefix, sizeof t->prefix, "%s", prefix ? prefix : "");
  snprintf(t->label, sizeof t->label, "%s", label ? label : "");
  t->created = sqlite3_column_int64(s, 4);
  t->expires = sqlite3_column_int64(s, 5);
  t->last_used = sqlite3_column_int64(s, 6);
  t->revoked = sqlite3_column_int64(s, 7);
}

#define TOKEN_COLS                                                                                 \
  "t.rid, t.account_rid, t.prefix, t.label, t.created, coalesce(t.expires, 0),"                    \
  " coalesce(t.last_used, 0), coalesce(t.revoked, 0)"

int sk_auth_token_create(struct sk_store *st, long long account_rid, const char *label,
                         int64_t expires, int64_t now, char token[SK_AUTH_TOKEN_LEN],
                         struct sk_api_token *info) {
  token[0] = '\0';
  int rc = auth_ensure_init();
  if (rc)
    return rc;
  if (label && !auth_text_ok(label, SK_AUTH_LABEL_MAX))
    return SK_EINVAL;
  if (expires < 0 || (expires && expires <= now))
    return SK_EINVAL;
  struct sk_account a;
  if ((rc = sk_auth_account_by_rid(st, account_rid, &a)))
    return rc;
  char t[SK_AUTH_TOKEN_LEN], h[65], prefix[SK_AUTH_API_PREFIX_LEN + 1];
  auth_token_new(SK_AUTH_API_TOKEN_PREFIX, t);
  auth_hash_hex("sk-api-token", t, strlen(t), h);
  memcpy(prefix, t, SK_AUTH_API_PREFIX_LEN);
  prefix[SK_AUTH_API_PREFIX_LEN] = '\0';
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "INSERT INTO api_token(account_rid, prefix, hash, label, created, expires)"
                         " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_int64(s, 1, account_rid);
  sqlite3_bind_text(s, 2, prefix, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, h, -1, SQLITE_STATIC);
  if (label && *label)
    sqlite3_bind_text(s, 4, label, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(s, 4);
  sqlite3_bind_int64(s, 5, now);
  if (expires)
    sqlite3_bind_int64(s, 6, expires);
  else
    sqlite3_bind_null(s, 6);
  rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  sqlite3_finalize(s);
  if (rc == SK_OK) {
    memcpy(token, t, SK_AUTH_TOKEN_LEN);
    if (info) {
      memset(info, 0, sizeof *info);
      info->rid = sqlite3_last_insert_rowid(st->db);
      info->account_rid = account_rid;
      snprintf(info->prefix, sizeof info->prefix, "%s", prefix);
      snprintf(info->label, sizeof info->label, "%s", label ? label : "");
      info->created = now;
      info->expires = expires;
    }
  }
  sodium_memzero(t, sizeof t);
  return rc;
}

int sk_auth_token_list(struct sk_store *st, long long account_rid, struct sk_api_token **out,
                       size_t *n) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT " TOKEN_COLS " FROM api_token t WHERE ?1 = 0 OR t.account_rid = ?1"
                         " ORDER BY t.created DESC, t.rid DESC",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_int64(s, 1, account_rid);
  size_t cap = 0;
  int rc = SK_OK, step;
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    if (*n == cap) {
      size_t ncap = cap ? cap * 2 : 8;
      struct sk_api_token *grown = realloc(*out, ncap * sizeof **out);
      if (!grown) {
        rc = SK_ENOMEM;
        break;
      }
      *out = grown;
      cap = ncap;
    }
    read_token(s, &(*out)[(*n)++]);
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

int sk_auth_token_revoke(struct sk_store *st, long long account_rid, long long token_rid,
                         int64_t now) {
  sqlite3_stmt *s = NULL;
  /* A revoked token keeps its first revocation time. */
  if (sqlite3_prepare_v2(st->db,
                         "UPDATE api_token SET revoked = coalesce(revoked, ?1) WHERE rid = ?2"
                         " AND (?3 = 0 OR account_rid = ?3)",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_int64(s, 1, now);
  sqlite3_bind_int64(s, 2, token_rid);
  sqlite3_bind_int64(s, 3, account_rid);
  int rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  sqlite3_finalize(s);
  if (rc == SK_OK && sqlite3_changes(st->db) == 0)
    rc = SK_ENOTFOUND;
  return rc;
}

int sk_auth_token_verify(struct sk_store *st, const char *token, int64_t now,
                         struct sk_account *out) {
  memset(out, 0, sizeof *out);
  size_t plen = strlen(SK_AUTH_API_TOKEN_PREFIX);
  if (auth_ensure_init() != SK_OK || !token ||
      strncmp(token, SK_AUTH_API_TOKEN_PREFIX, plen) != 0 ||
      strnlen(token, SK_AUTH_TOKEN_LEN) != plen + API_TOKEN_BODY ||
      !auth_token_plausible(token + plen))
    return SK_AUTH_EBADTOKEN;
  char h[65], prefix[SK_AUTH_API_PREFIX_LEN + 1];
  auth_hash_hex("sk-api-token", token, strlen(token), h);
  memcpy(prefix, token, SK_AUTH_API_PREFIX_LEN);
  prefix[SK_AUTH_API_PREFIX_LEN] = '\0';
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT t.rid, t.hash, coalesce(t.expires, 0), coalesce(t.revoked, 0),"
                         " coalesce(t.last_used, 0), " AUTH_ACCOUNT_COLS
                         " FROM api_token t JOIN account a ON a.rid = t.account_rid"
                         " WHERE t.prefix = ?1",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC);
  int rc = SK_AUTH_EBADTOKEN, step;
  long long rid = 0;
  int64_t last_used = 0;
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    const char *stored = (const char *)sqlite3_column_text(s, 1);
    if (!stored || strlen(stored) != 64 || sodium_memcmp(stored, h, 64) != 0)
      continue;
    int64_t expires = sqlite3_column_int64(s, 2);
    int64_t revoked = sqlite3_column_int64(s, 3);
    last_used = sqlite3_column_int64(s, 4);
    auth_read_account(s, 5, out);
    rid = sqlite3_column_int64(s, 0);
    if (!revoked && (!expires || now < expires) && !out->disabled)
      rc = SK_OK;
    break;
  }
  if (step != SQLITE_ROW && step != SQLITE_DONE)
    rc = SK_EDB;
  sqlite3_finalize(s);
  if (rc != SK_OK) {
    memset(out, 0, sizeof *out);
    return rc;
  }
  if (now - last_used >= sk_auth_policy()->session_touch)
    auth_exec_bind(st, "UPDATE api_token SET last_used = ?3 WHERE rid = ?2", NULL, rid, now, NULL);
  return SK_OK;
}
