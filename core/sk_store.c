#include "sk_store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sk_err.h"
#include "sk_schema.h"
#include "sk_tokenizer.h"

static void set_err(char *err, size_t errlen, const char *fmt, const char *a, const char *b) {
  if (err && errlen)
    snprintf(err, errlen, fmt, a, b);
}

int sk_store_exec(struct sk_store *st, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    sqlite3_free(msg);
    return SK_EDB;
  }
  return SK_OK;
}

int sk_store_begin(struct sk_store *st) {
  int rc = sk_store_exec(st, "BEGIN IMMEDIATE");
  return rc && (sqlite3_errcode(st->db) & 0xff) == SQLITE_BUSY ? SK_EBUSY : rc;
}

/* Poll every 2 ms: another writer that commits in chunks leaves the store
 * free for a few milliseconds between them, which SQLite's own handler
 * (sleeps growing to 100 ms) would mostly miss. */
static int busy_poll(void *ctx, int count) {
  const struct sk_store *st = ctx;
  if ((long)count * 2 >= st->busy_ms)
    return 0;
  struct timespec ts = {0, 2 * 1000 * 1000};
  nanosleep(&ts, NULL);
  return 1;
}

void sk_store_set_busy_wait(struct sk_store *st, int ms) {
  st->busy_ms = ms > 0 ? ms : 0;
  if (ms > 0)
    sqlite3_busy_handler(st->db, busy_poll, st);
  else
    sqlite3_busy_timeout(st->db, 5000); /* as sk_store_open left it */
}
int sk_store_commit(struct sk_store *st) { return sk_store_exec(st, "COMMIT"); }
void sk_store_rollback(struct sk_store *st) {
  if (!sqlite3_get_autocommit(st->db))
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int sk_store_schema_version(struct sk_store *st) {
  sqlite3_stmt *s = NULL;
  int v = -1;
  if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return v;
}

int sk_store_meta_get(struct sk_store *st, const char *key, char *out, size_t outlen) {
  sqlite3_stmt *s = NULL;
  int rc = SK_EDB;
  if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?1", -1, &s, NULL) !=
      SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
  int step = sqlite3_step(s);
  if (step == SQLITE_ROW) {
    const char *v = (const char *)sqlite3_column_text(s, 0);
    size_t n = (size_t)sqlite3_column_bytes(s, 0);
    if (n + 1 > outlen) {
      rc = SK_ETOOBIG;
    } else {
      memcpy(out, v ? v : "", n);
      out[n] = '\0';
      rc = SK_OK;
    }
  } else if (step == SQLITE_DONE) {
    rc = SK_ENOTFOUND;
  }
  sqlite3_finalize(s);
  return rc;
}

int sk_store_meta_set(struct sk_store *st, const char *key, const char *value) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "INSERT INTO meta(key, value) VALUES(?1, ?2) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  sqlite3_finalize(s);
  return rc;
}

void sk_now_iso(char out[32]) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Rows that break a foreign key (PRAGMA foreign_key_check), or -1. */
static long long foreign_key_violations(struct sk_store *st) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK)
    return -1;
  long long n = 0;
  int step;
  while ((step = sqlite3_step(s)) == SQLITE_ROW)
    n++;
  sqlite3_finalize(s);
  return step == SQLITE_DONE ? n : -1;
}

static int store_migrate_steps(struct sk_store *st, int v, char *err, size_t errlen) {
  for (; v < SK_SCHEMA_VERSION; v++) {
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
    char *msg = NULL;
    long long before = -1;
    if (sk_store_begin(st) || (before = foreign_key_violations(st)) < 0 ||
        sqlite3_exec(st->db, sk_schema_migrations[v], NULL, NULL, &msg) != SQLITE_OK ||
        sk_store_exec(st, pragma)) {
      set_err(err, errlen, "schema migration failed: %s%s", msg ? msg : sqlite3_errmsg(st->db), "");
      sqlite3_free(msg);
      sk_store_rollback(st);
      return SK_EDB;
    }
    /* Rows an older writer left dangling are not this step's to judge;
     * a step must not add any. */
    long long after = foreign_key_violations(st);
    if (after < 0 || after > before) {
      char step[16];
      snprintf(step, sizeof step, "%d", v + 1);
      set_err(err, errlen, "schema migration %s would break a foreign key%s", step, "");
      sk_store_rollback(st);
      return SK_EDB;
    }
    if (sk_store_commit(st)) {
      set_err(err, errlen, "schema migration failed: %s%s", sqlite3_errmsg(st->db), "");
      sk_store_rollback(st);
      return SK_EDB;
    }
  }
  return SK_OK;
}

/* Migrate from the file's user_version to SK_SCHEMA_VERSION, one step per
 * transaction, so a crash leaves the file at a whole version. Foreign keys
 * are off meanwhile (the pragma cannot change inside a transaction), as
 * SQLite's recipe for rebuilding a table asks: dropping the old table must
 * not cascade into the rows that refer to it. Each step checks them
 * (PRAGMA foreign_key_check) before its commit. */
static int store_migrate(struct sk_store *st, char *err, size_t errlen) {
  int v = sk_store_schema_version(st);
  if (v < 0) {
    set_err(err, errlen, "cannot read the schema version: %s%s", sqlite3_errmsg(st->db), "");
    return SK_EDB;
  }
  if (v > SK_SCHEMA_VERSION) {
    set_err(err, errlen, "the database has a newer schema than this program (%s%s)",
            "upgrade sociale-kaart", "");
    return SK_EINVAL;
  }
  if (v == SK_SCHEMA_VERSION)
    return SK_OK;
  if (sk_store_exec(st, "PRAGMA foreign_keys = OFF")) {
    set_err(err, errlen, "cannot turn foreign keys off for the migration: %s%s",
            sqlite3_errmsg(st->db), "");
    return SK_EDB;
  }
  int rc = store_migrate_steps(st, v, err, errlen);
  if (sk_store_exec(st, "PRAGMA foreign_keys = ON") && rc == SK_OK) {
    set_err(err, errlen, "cannot turn foreign keys on again: %s%s", sqlite3_errmsg(st->db), "");
    rc = SK_EDB;
  }
  return rc;
}

/* The full-text index is derived data: rebuild it when the tokenizer that
 * made it is not the one we run now. */
static int store_check_tokenizer(struct sk_store *st, char *err, size_t errlen) {
  char have[256];
  int rc = sk_store_meta_get(st, "tokenizer", have, sizeof have);
  if (rc == SK_OK && strcmp(have, SK_TOKENIZER_VERSION) == 0)
    return SK_OK;
  if (rc != SK_OK && rc != SK_ENOTFOUND && rc != SK_ETOOBIG) {
    set_err(err, errlen, "cannot read the tokenizer version: %s%s", sqlite3_errmsg(st->db), "");
    return rc;
  }
  if (sk_store_begin(st) || sk_store_reindex_all(st) ||
      sk_store_meta_set(st, "tokenizer", SK_TOKENIZER_VERSION) || sk_store_commit(st)) {
    set_err(err, errlen, "cannot rebuild the full-text index: %s%s", sqlite3_errmsg(st->db), "");
    sk_store_rollback(st);
    return SK_EDB;
  }
  return SK_OK;
}

int sk_store_open(const char *path, int flags, struct sk_store **out, char *err, size_t errlen) {
  *out = NULL;
  int readonly = (flags & SK_STORE_READONLY) != 0;
  if (!readonly && !(flags & SK_STORE_CREATE)) {
    struct stat sb;
    if (stat(path, &sb) != 0) {
      set_err(err, errlen, "database %s does not exist%s", path, "");
      return SK_ENOTFOUND;
    }
  }
  struct sk_store *st = calloc(1, sizeof *st);
  if (!st)
    return SK_ENOMEM;
  st->readonly = readonly;
  int oflags = SQLITE_OPEN_NOMUTEX |
               (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
    set_err(err, errlen, "cannot open database %s: %s", path,
            st->db ? sqlite3_errmsg(st->db) : "out of memory");
    sk_store_close(st);
    return SK_EDB;
  }
  sqlite3_extended_result_codes(st->db, 1);
  sqlite3_busy_timeout(st->db, 5000);
  if (sk_tokenizer_register(st->db) != SK_OK) {
    set_err(err, errlen, "cannot register the dutch tokenizer on %s%s", path, "");
    sk_store_close(st);
    return SK_EDB;
  }
  const char *pragmas = readonly ? "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                                   "PRAGMA query_only = 1;"
                                 : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                                   "PRAGMA foreign_keys = ON; PRAGMA secure_delete = OFF;";
  char *msg = NULL;
  if (sqlite3_exec(st->db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
    set_err(err, errlen, "cannot set up database %s: %s", path, msg ? msg : "?");
    sqlite3_free(msg);
    sk_store_close(st);
    return SK_EDB;
  }
  int rc;
  if (readonly) {
    int v = sk_store_schema_version(st);
    if (v != SK_SCHEMA_VERSION) {
      set_err(err, errlen, "database %s has %s; run 'sociale-kaart index' first", path,
              v <= 0 ? "no schema (or is not a database)" : "another schema version");
      sk_store_close(st);
      return SK_EINVAL;
    }
  } else if ((rc = store_migrate(st, err, errlen)) != SK_OK ||
             (rc = store_check_tokenizer(st, err, errlen)) != SK_OK) {
    sk_store_close(st);
    return rc;
  }
  *out = st;
  return SK_OK;
}

void sk_store_close(struct sk_store *st) {
  if (!st)
    return;
  sqlite3_close_v2(st->db);
  free(st);
}

/* The text of active offerings, for search_fts (owner: search). Need
 * labels of every need the offering is classified under go in "needs", so
 * "schulden" finds an offering whose own text says "geldzorgen". */
#define SK_FTS_SELECT                                                                              \
  "SELECT s.rid, s.name, "                                                                         \
  " (SELECT group_concat(t.label, ' | ') FROM service_taxonomy x "                                 \
  "   JOIN taxonomy_term t ON t.vocabulary = 'need' AND t.code = x.code "                          \
  "   WHERE x.service_rid = s.rid AND x.vocabulary = 'need'), "                                    \
  " o.name, s.keywords, "                                                                          \
  " coalesce(s.summary, '') || ' ' || coalesce(s.description, '') "                                \
  "FROM service s JOIN organization o ON o.rid = s.organization_rid "                              \
  "WHERE s.status = 'active' AND o.status = 'active'"
/* search_words gets the same text folded, unstemmed (see migration 2). */
#define SK_WORDS_SELECT                                                                            \
  "SELECT rowid, coalesce(name, '') || ' ' || coalesce(needs, '') || ' ' || "                      \
  " coalesce(organization, '') || ' ' || coalesce(keywords, '') || ' ' || "                        \
  " coalesce(description, '') FROM search_fts"

static int step_rid(sqlite3 *db, const char *sql, long long rid) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_int64(s, 1, rid);
  int rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  sqlite3_finalize(s);
  return rc;
}

int sk_store_index_service(struct sk_store *st, long long service_rid) {
  if (step_rid(st->db, "DELETE FROM search_fts WHERE rowid = ?1", service_rid) ||
      step_rid(st->db, "DELETE FROM search_words WHERE rowid = ?1", service_rid) ||
      step_rid(st->db,
               "INSERT INTO search_fts(rowid, name, needs, organization, keywords, "
               "description) " SK_FTS_SELECT " AND s.rid = ?1",
               service_rid) ||
      step_rid(st->db,
               "INSERT INTO search_words(rowid, words) " SK_WORDS_SELECT " WHERE rowid = ?1",
               service_rid))
    return SK_EDB;
  return SK_OK;
}

int sk_store_index_services(struct sk_store *st, const long long *rids, size_t n) {
  /* A few rows: the row-at-a-time path. Many: one set-based statement per
   * table over a temporary list, which skips four prepares per row. */
  if (n < 32) {
    for (size_t i = 0; i < n; i++)
      if (sk_store_index_service(st, rids[i]))
        return SK_EDB;
    return SK_OK;
  }
  if (sk_store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS sk_index_rids(rid INTEGER PRIMARY KEY);"
                        "DELETE FROM temp.sk_index_rids"))
    return SK_EDB;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO temp.sk_index_rids(rid) VALUES(?1)", -1, &s,
                         NULL) != SQLITE_OK)
    return SK_EDB;
  int rc = SK_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    sqlite3_bind_int64(s, 1, rids[i]);
    rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
    sqlite3_reset(s);
  }
  sqlite3_finalize(s);
  if (!rc)
    rc = sk_store_exec(
        st, "DELETE FROM search_fts WHERE rowid IN (SELECT rid FROM temp.sk_index_rids);"
            "DELETE FROM search_words WHERE rowid IN (SELECT rid FROM temp.sk_index_rids);"
            "INSERT INTO search_fts(rowid, name, needs, organization, keywords, "
            "description) " SK_FTS_SELECT " AND s.rid IN (SELECT rid FROM temp.sk_index_rids);"
            "INSERT INTO search_words(rowid, words) " SK_WORDS_SELECT
            " WHERE rowid IN (SELECT rid FROM temp.sk_index_rids);"
            "DELETE FROM temp.sk_index_rids");
  return rc;
}

int sk_store_reindex_all(struct sk_store *st) {
  /* One statement per table: far faster than a row at a time for a rebuild
   * of a large store. */
  return sk_store_exec(st, "DELETE FROM search_fts; DELETE FROM search_words;"
                           "INSERT INTO search_fts(rowid, name, needs, organization, keywords, "
                           "description) " SK_FTS_SELECT ";"
                           "INSERT INTO search_words(rowid, words) " SK_WORDS_SELECT ";"
                           "INSERT INTO search_fts(search_fts) VALUES('optimize');"
                           "INSERT INTO search_words(search_words) VALUES('optimize');");
}

int sk_store_secret(struct sk_store *st, const char *name, unsigned char key[32]) {
  char hex[65];
  int rc = sk_store_meta_get(st, name, hex, sizeof hex);
  if (rc == SK_ENOTFOUND) {
    randombytes_buf(key, 32);
    sodium_bin2hex(hex, sizeof hex, key, 32);
    rc = sk_store_meta_set(st, name, hex);
    sodium_memzero(hex, sizeof hex);
    return rc;
  }
  if (rc)
    return rc;
  size_t n = 0;
  rc = sodium_hex2bin(key, 32, hex, strlen(hex), NULL, &n, NULL) == 0 && n == 32 ? SK_OK
                                                                                 : SK_EINVAL;
  sodium_memzero(hex, sizeof hex);
  return rc;
}
