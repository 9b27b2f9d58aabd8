/* Store: schema migrations, connection settings, readers see commits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "helper_test.h"
#include "ix_apply.h"
#include "ix_kind.h"
#include "sk_err.h"
#include "sk_schema.h"
#include "sk_tokenizer.h"

static struct sk_store *open_rw(const char *name) {
  struct sk_store *st = NULL;
  char err[256] = "";
  int rc = sk_store_open(th_path(name), SK_STORE_CREATE, &st, err, sizeof err);
  if (rc)
    fail_msg("open %s: %s", name, err);
  return st;
}

/* PRAGMA integrity_check answers "ok". */
static void assert_integrity_ok(struct sk_store *st) {
  sqlite3_stmt *chk;
  assert_int_equal(sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &chk, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(chk), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(chk, 0), "ok");
  sqlite3_finalize(chk);
}

static void insert_service(struct sk_store *st, const char *name, const char *desc) {
  char sql[1024];
  assert_int_equal(sk_store_exec(st,
                                 "INSERT OR IGNORE INTO organization(id, source, source_key, name,"
                                 " created, last_modified) VALUES('o1','portal','o1','Org',"
                                 "'2026-01-01T00:00:00Z','2026-01-01T00:00:00Z')"),
                   SK_OK);
  snprintf(
      sql, sizeof sql,
      "INSERT INTO service(id, organization_rid, source, source_key, name, description, created,"
      " last_modified) VALUES('%s', 1, 'portal', '%s', '%s', '%s', '2026-01-01T00:00:00Z',"
      " '2026-01-01T00:00:00Z')",
      name, name, name, desc);
  assert_int_equal(sk_store_exec(st, sql), SK_OK);
  long long rid = sqlite3_last_insert_rowid(st->db);
  assert_int_equal(sk_store_index_service(st, rid), SK_OK);
}

static void test_new_file_gets_current_schema_and_settings(void **state) {
  (void)state;
  struct sk_store *st = open_rw("new.db");
  assert_int_equal(sk_store_schema_version(st), SK_SCHEMA_VERSION);
  sqlite3_stmt *s;
  assert_int_equal(sqlite3_prepare_v2(st->db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
  sqlite3_finalize(s);
  assert_int_equal(th_query_int(st, "PRAGMA synchronous"), 1); /* NORMAL */
  assert_int_equal(th_query_int(st, "PRAGMA busy_timeout"), 5000);
  assert_int_equal(th_query_int(st, "PRAGMA foreign_keys"), 1);
  char v[128];
  assert_int_equal(sk_store_meta_get(st, "tokenizer", v, sizeof v), SK_OK);
  assert_string_equal(v, SK_TOKENIZER_VERSION);
  sk_store_close(st);
}

static void test_reopen_keeps_data(void **state) {
  (void)state;
  struct sk_store *st = open_rw("reopen.db");
  insert_service(st, "Schuldhulpverlening", "Hulp bij schulden");
  sk_store_close(st);
  st = open_rw("reopen.db");
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service"), 1);
  assert_int_equal(
      th_query_int(st, "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'schuld'"), 1);
  sk_store_close(st);
}

/* A file made by an older build (schema version 0: an empty SQLite file)
 * is migrated forward in place. */
static void test_migrates_from_previous_version(void **state) {
  (void)state;
  sqlite3 *raw;
  assert_int_equal(sqlite3_open(th_path("old.db"), &raw), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(raw, "CREATE TABLE leftover(x); PRAGMA user_version = 0;", NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(raw);
  struct sk_store *st = open_rw("old.db");
  assert_int_equal(sk_store_schema_version(st), SK_SCHEMA_VERSION);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM sqlite_master WHERE name = 'leftover'"),
                   1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM sqlite_master WHERE name = 'service'"),
                   1);
  sk_store_close(st);
}

/* A file at the previous schema version, with data, as the last release
 * left it: opening it migrates forward and keeps the data. */
static void test_migrates_from_previous_version_with_data(void **state) {
  (void)state;
  sqlite3 *raw;
  assert_int_equal(sqlite3_open(th_path("prev.db"), &raw), SQLITE_OK);
  assert_int_equal(sk_tokenizer_register(raw), SK_OK);
  for (int v = 0; v < SK_SCHEMA_VERSION - 1; v++)
    assert_int_equal(sqlite3_exec(raw, sk_schema_migrations[v], NULL, NULL, NULL), SQLITE_OK);
  char pragma[64];
  snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", SK_SCHEMA_VERSION - 1);
  assert_int_equal(sqlite3_exec(raw, pragma, NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_exec(raw,
                                "INSERT INTO organization(id, source, source_key, name, created,"
                                " last_modified) VALUES('o1', 'portal', 'o1', 'Blijft bestaan',"
                                " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(raw);
  struct sk_store *st = open_rw("prev.db");
  assert_int_equal(sk_store_schema_version(st), SK_SCHEMA_VERSION);
  assert_int_equal(
      th_query_int(st, "SELECT count(*) FROM organization WHERE name = 'Blijft bestaan'"), 1);
  assert_integrity_ok(st);
  sk_store_close(st);
}

/* The migration that takes the feed kinds out of the schema (the table of
 * kinds is ix_feed_kinds[]), on a file of the version before it with feeds
 * and rejections in it: the rows stay, the rejections keep pointing at
 * their feed (and go with it), a kind the old CHECK did not list can be
 * stored, and an unknown kind is still refused where feeds are registered. */
static void test_feed_kind_migration_keeps_feeds(void **state) {
  (void)state;
  int m = -1; /* the migration that rebuilds feed (found by content, not by number) */
  for (int v = 0; v < SK_SCHEMA_VERSION && m < 0; v++)
    if (strstr(sk_schema_migrations[v], "CREATE TABLE new_feed"))
      m = v;
  assert_true(m >= 0);
  sqlite3 *raw;
  assert_int_equal(sqlite3_open(th_path("kinds.db"), &raw), SQLITE_OK);
  assert_int_equal(sk_tokenizer_register(raw), SK_OK);
  for (int v = 0; v < m; v++)
    assert_int_equal(sqlite3_exec(raw, sk_schema_migrations[v], NULL, NULL, NULL), SQLITE_OK);
  char pragma[64];
  snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", m);
  assert_int_equal(sqlite3_exec(raw, pragma, NULL, NULL, NULL), SQLITE_OK);
  /* Before: the schema refuses a kind it does not list. */
  assert_int_not_equal(sqlite3_exec(raw,
                                    "INSERT INTO feed(id, partner, kind, location)"
                                    " VALUES('x', 'x', 'nieuw-formaat', '')",
                                    NULL, NULL, NULL),
                       SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(
          raw,
          "PRAGMA foreign_keys = ON;"
          "INSERT INTO feed(id, partner, kind, location, enabled, content_hash, last_error,"
          " n_records, n_rejected) VALUES('versa', 'Versa Welzijn', 'partner-json',"
          " 'https://versa.example/feed.json', 1, 'abc123', NULL, 120, 2),"
          " ('agenda', 'Bibliotheek', 'ical', 'https://bieb.example/agenda.ics', 0,"
          " NULL, 'Time-out', 0, 0);"
          "UPDATE feed SET confirmed_date = '2026-11-30' WHERE id = 'versa';"
          "INSERT INTO feed_rejection(feed_id, record_key, field, reason, at) VALUES"
          " ('versa', 's1', 'name', 'Naam ontbreekt', '2026-01-01T00:00:00Z'),"
          " ('versa', 's2', 'areas', 'Werkgebied onbekend', '2026-01-01T00:00:00Z');"
          "INSERT INTO feed_verify_log(feed_id, cycle, step, at) VALUES"
          " ('versa', '2026-11', 'due', '2026-11-01T00:00:00Z');",
          NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(raw);

  struct sk_store *st = open_rw("kinds.db");
  assert_int_equal(sk_store_schema_version(st), SK_SCHEMA_VERSION);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM feed"), 2);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM feed WHERE id = 'versa' AND kind ="
                                    " 'partner-json' AND partner = 'Versa Welzijn' AND enabled = 1"
                                    " AND content_hash = 'abc123' AND n_records = 120"
                                    " AND n_rejected = 2"),
                   1);
  assert_int_equal(th_query_int(st,
                                "SELECT count(*) FROM feed WHERE id = 'agenda' AND kind = 'ical'"
                                " AND enabled = 0 AND last_error = 'Time-out'"),
                   1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM feed_rejection WHERE feed_id = 'versa'"),
                   2);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM feed_verify_log WHERE feed_id = 'versa'"),
                   1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM feed WHERE id = 'versa'"
                                    " AND confirmed_date = '2026-11-30'"),
                   1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM sqlite_master WHERE name = 'feed'"
                                    " AND sql LIKE '%CHECK%'"),
                   0);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM sqlite_master WHERE name = 'new_feed'"),
                   0);
  assert_int_equal(th_query_int(st, "PRAGMA foreign_keys"), 1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
  assert_integrity_ok(st);
  /* The rejections' foreign key still points at feed: refused for a feed
   * that does not exist, and removed with their feed. */
  assert_int_not_equal(sk_store_exec(st, "INSERT INTO feed_rejection(feed_id, reason, at)"
                                         " VALUES('nergens', 'x', '2026-01-01T00:00:00Z')"),
                       SK_OK);
  /* Every kind of the table registers; a new one needs no schema change. */
  for (size_t k = 0; k < ix_n_feed_kinds; k++) {
    char id[64];
    snprintf(id, sizeof id, "feed-%zu", k);
    assert_int_equal(ix_apply_register_feed(st, id, "P", ix_feed_kinds[k].name, "", 1), SK_OK);
  }
  assert_int_equal(sk_store_exec(st, "INSERT INTO feed(id, partner, kind, location)"
                                     " VALUES('x', 'x', 'nieuw-formaat', '')"),
                   SK_OK);
  /* An unknown kind is refused where feeds are registered, and nothing is written. */
  assert_int_equal(ix_apply_register_feed(st, "gopher", "P", "gopher", "", 1), SK_EINVAL);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM feed WHERE id = 'gopher'"), 0);
  assert_int_equal(sk_store_exec(st, "DELETE FROM feed WHERE id = 'versa'"), SK_OK);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM feed_rejection"), 0);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM feed_verify_log"), 0);
  sk_store_close(st);
}

static void test_newer_schema_is_refused(void **state) {
  (void)state;
  sqlite3 *raw;
  assert_int_equal(sqlite3_open(th_path("future.db"), &raw), SQLITE_OK);
  assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 999;", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(raw);
  struct sk_store *st = NULL;
  char err[256] = "";
  assert_int_not_equal(sk_store_open(th_path("future.db"), SK_STORE_CREATE, &st, err, sizeof err),
                       SK_OK);
  assert_null(st);
  assert_non_null(strstr(err, "newer schema"));
}

static void test_not_a_database_is_a_clear_error(void **state) {
  (void)state;
  th_write_file(th_path("junk.db"), "this is not sqlite at all, just some text bytes....", 50);
  struct sk_store *st = NULL;
  char err[256] = "";
  assert_int_not_equal(sk_store_open(th_path("junk.db"), SK_STORE_CREATE, &st, err, sizeof err),
                       SK_OK);
  assert_null(st);
  assert_true(strlen(err) > 0);
  assert_int_not_equal(
      sk_store_open(th_path("missing.db"), SK_STORE_READONLY, &st, err, sizeof err), SK_OK);
  assert_null(st);
}

static void test_second_connection_sees_committed_data_only(void **state) {
  (void)state;
  struct sk_store *w = open_rw("two.db");
  struct sk_store *r = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("two.db"), SK_STORE_READONLY, &r, err, sizeof err), SK_OK);
  assert_int_equal(sk_store_begin(w), SK_OK);
  insert_service(w, "Taalcafe", "Samen Nederlands oefenen");
  /* Not yet committed: the reader must not see it. */
  assert_int_equal(th_query_int(r, "SELECT count(*) FROM service"), 0);
  assert_int_equal(sk_store_commit(w), SK_OK);
  assert_int_equal(th_query_int(r, "SELECT count(*) FROM service"), 1);
  assert_int_equal(
      th_query_int(r, "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'taalcafe'"), 1);
  /* The reader cannot write. */
  assert_int_not_equal(sk_store_exec(r, "DELETE FROM service"), SK_OK);
  sk_store_close(r);
  sk_store_close(w);
}

/* When the tokenizer version changes, the full-text index is rebuilt. */
static void test_tokenizer_change_rebuilds_index(void **state) {
  (void)state;
  struct sk_store *st = open_rw("rebuild.db");
  insert_service(st, "Geheugenhuis", "Ontmoeting voor mensen met dementie");
  /* Simulate an index made by another tokenizer: drop its rows. */
  assert_int_equal(
      sk_store_exec(
          st, "DELETE FROM search_fts; UPDATE meta SET value = 'old' WHERE key = 'tokenizer'"),
      SK_OK);
  sk_store_close(st);
  st = open_rw("rebuild.db");
  assert_int_equal(
      th_query_int(st, "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'dementie'"), 1);
  sk_store_close(st);
}

static void test_withdrawn_service_leaves_index(void **state) {
  (void)state;
  struct sk_store *st = open_rw("withdraw.db");
  insert_service(st, "Maatjesproject", "Een maatje voor wie eenzaam is");
  long long rid = th_query_int(st, "SELECT rid FROM service");
  assert_int_equal(sk_store_exec(st, "UPDATE service SET status = 'withdrawn'"), SK_OK);
  assert_int_equal(sk_store_index_service(st, rid), SK_OK);
  assert_int_equal(
      th_query_int(st, "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'eenzaam'"), 0);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service"), 1); /* kept */
  sk_store_close(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_new_file_gets_current_schema_and_settings),
      cmocka_unit_test(test_reopen_keeps_data),
      cmocka_unit_test(test_migrates_from_previous_version),
      cmocka_unit_test(test_migrates_from_previous_version_with_data),
      cmocka_unit_test(test_feed_kind_migration_keeps_feeds),
      cmocka_unit_test(test_newer_schema_is_refused),
      cmocka_unit_test(test_not_a_database_is_a_clear_error),
      cmocka_unit_test(test_second_connection_sees_committed_data_only),
      cmocka_unit_test(test_tokenizer_change_rebuilds_index),
      cmocka_unit_test(test_withdrawn_service_leaves_index),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
