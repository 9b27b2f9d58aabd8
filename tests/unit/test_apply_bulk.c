/* The fast paths of ix_apply: rows written many at a time, hashes and ids
 * worked out ahead (ix_apply_prepare), foreign keys off during the write.
 * What a user sees must not depend on them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_test.h"
#include "ix_apply.h"
#include "ix_partner_json.h"
#include "ix_validate.h"
#include "sk_buf.h"
#include "sk_err.h"

/* A feed of n offerings (more than one bulk of rows), version v changes
 * every third name and drops the last one. */
static void make_feed(struct sk_buf *doc, int n, int v) {
  sk_buf_reset(doc);
  assert_int_equal(sk_buf_addstr(doc, "{\"format\": \"sociale-kaart-partner/1\", \"organizations\":"
                                      " [{\"key\": \"o\", \"name\": \"Versa\"}], \"locations\":"
                                      " [{\"key\": \"l\", \"organization\": \"o\", \"name\":"
                                      " \"Buurthuis\"}], \"services\": ["),
                   SK_OK);
  int last = v ? n - 1 : n;
  for (int i = 0; i < last; i++)
    assert_int_equal(
        sk_buf_printf(doc,
                      "%s{\"key\": \"s%d\", \"organization\": \"o\", \"name\": \"Hulp %d%s\","
                      " \"needs\": [\"geld\", \"geld.schulden\"], \"target_groups\": [\"ouderen\"],"
                      " \"areas\": [\"huizen\", \"laren\"], \"access\": \"vrij\", \"cost\":"
                      " \"gratis\", \"locations\": [\"l\"], \"phones\": [{\"number\":"
                      " \"035 000 %04d\"}], \"hours\": [{\"days\": [\"ma\", \"di\"], \"opens\":"
                      " \"09:00\", \"closes\": \"12:00\"}]}",
                      i ? "," : "", i, i, v && i % 3 == 0 ? " nieuw" : "", i),
        SK_OK);
  assert_int_equal(sk_buf_addstr(doc, "]}"), SK_OK);
}

static int apply_text(struct sk_store *st, const char *feed, const struct sk_buf *doc, int prepare,
                      struct ix_apply_stats *stats) {
  char err[512];
  struct ix_batch b;
  ix_batch_init(&b, 0);
  if (ix_partner_json_parse(doc->ptr, doc->len, &b, err, sizeof err))
    fail_msg("parse: %s", err);
  assert_int_equal(ix_validate_batch(&b, th_taxonomy()), SK_OK);
  assert_int_equal(b.rejections.n, 0);
  if (prepare)
    assert_int_equal(ix_apply_prepare(feed, &b), SK_OK);
  int rc = ix_apply(st, feed, &b, NULL, stats, err, sizeof err);
  if (rc)
    fail_msg("apply: %s", err);
  ix_batch_free(&b);
  return rc;
}

/* Everything a user could see of the feed's offerings, as one text. */
static char *snapshot(struct sk_store *st) {
  static const char *const sql[] = {
      "SELECT group_concat(v, '|') FROM (SELECT id || ' ' || name || ' ' || status || ' ' ||"
      " content_hash AS v FROM service ORDER BY source_key)",
      "SELECT group_concat(v, '|') FROM (SELECT s.source_key || vocabulary || code AS v FROM"
      " service_taxonomy t JOIN service s ON s.rid = t.service_rid ORDER BY v)",
      "SELECT group_concat(v, '|') FROM (SELECT s.source_key || area_code AS v FROM service_area"
      " a JOIN service s ON s.rid = a.service_rid ORDER BY v)",
      "SELECT group_concat(v, '|') FROM (SELECT s.source_key || number AS v FROM phone p JOIN"
      " service s ON s.rid = p.service_rid ORDER BY v)",
      "SELECT group_concat(v, '|') FROM (SELECT s.source_key || weekday || opens_at AS v FROM"
      " schedule x JOIN service s ON s.rid = x.service_rid ORDER BY v)",
      "SELECT group_concat(v, '|') FROM (SELECT s.source_key || l.source_key AS v FROM"
      " service_at_location x JOIN service s ON s.rid = x.service_rid JOIN location l ON"
      " l.rid = x.location_rid ORDER BY v)",
      "SELECT group_concat(v, '|') FROM (SELECT entity || entity_id || field ||"
      " coalesce(old_value, '-') || coalesce(new_value, '-') AS v FROM change_log ORDER BY v)",
      "SELECT group_concat(rowid, ',') FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH"
      " 'hulp' ORDER BY rowid)"};
  struct sk_buf out;
  sk_buf_init(&out, 64 * 1024 * 1024);
  for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql[i], -1, &s, NULL) != SQLITE_OK)
      fail_msg("prepare %s: %s", sql[i], sqlite3_errmsg(st->db));
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    const char *v = (const char *)sqlite3_column_text(s, 0);
    assert_int_equal(sk_buf_printf(&out, "%s\n", v ? v : "(leeg)"), SK_OK);
    sqlite3_finalize(s);
  }
  size_t len;
  return sk_buf_detach(&out, &len);
}

static void test_prepared_and_plain_give_the_same_store(void **state) {
  (void)state;
  struct sk_buf doc;
  sk_buf_init(&doc, 16 * 1024 * 1024);
  char *snap[2];
  for (int prepare = 0; prepare < 2; prepare++) {
    struct sk_store *st = th_store_with_taxonomy(prepare ? "bulk-prep.db" : "bulk-plain.db");
    struct ix_apply_stats stats;
    make_feed(&doc, 100, 0);
    apply_text(st, "f", &doc, prepare, &stats);
    assert_int_equal(stats.n_new, 102);
    make_feed(&doc, 100, 1);
    apply_text(st, "f", &doc, prepare, &stats);
    assert_int_equal(stats.n_changed, 33);
    assert_int_equal(stats.n_withdrawn, 1);
    assert_int_equal(stats.n_unchanged, 100 - 1 - 33 + 2);
    /* a prepared batch for another feed is not trusted */
    if (prepare) {
      struct ix_batch b;
      char err[256];
      ix_batch_init(&b, 0);
      assert_int_equal(ix_partner_json_parse(doc.ptr, doc.len, &b, err, sizeof err), SK_OK);
      assert_int_equal(ix_validate_batch(&b, th_taxonomy()), SK_OK);
      assert_int_equal(ix_apply_prepare("another-feed", &b), SK_OK);
      assert_int_equal(ix_apply(st, "f", &b, NULL, &stats, err, sizeof err), SK_OK);
      assert_int_equal(stats.n_unchanged, 102 - 1);
      ix_batch_free(&b);
    }
    assert_int_equal(th_query_int(st, "SELECT count(*) FROM service WHERE status = 'active'"), 99);
    assert_int_equal(th_query_int(st, "SELECT count(*) FROM service_taxonomy"), 100 * 5);
    assert_int_equal(th_query_int(st, "SELECT count(*) FROM change_log WHERE field = 'name'"), 33);
    /* no dangling references, and foreign keys are on again */
    assert_int_equal(th_query_int(st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    assert_int_equal(th_query_int(st, "PRAGMA foreign_keys"), 1);
    snap[prepare] = snapshot(st);
    sk_store_close(st);
  }
  assert_string_equal(snap[0], snap[1]);
  free(snap[0]);
  free(snap[1]);
  sk_buf_free(&doc);
}

/* Two feeds written one after the other keep their own rows; the first
 * load's offerings get rids after the rows already there. */
static void test_second_feed_after_the_first(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("bulk-two.db");
  struct sk_buf doc;
  sk_buf_init(&doc, 16 * 1024 * 1024);
  struct ix_apply_stats stats;
  make_feed(&doc, 40, 0);
  apply_text(st, "a", &doc, 1, &stats);
  apply_text(st, "b", &doc, 0, &stats);
  assert_int_equal(stats.n_new, 42);
  assert_int_equal(th_query_int(st, "SELECT count(DISTINCT rid) FROM service"), 80);
  assert_int_equal(th_query_int(st, "SELECT min(rid) FROM service WHERE source = 'feed:b'"),
                   th_query_int(st, "SELECT max(rid) FROM service WHERE source = 'feed:a'") + 1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM phone WHERE service_rid IN"
                                    " (SELECT rid FROM service WHERE source = 'feed:b')"),
                   40);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
  sk_buf_free(&doc);
  sk_store_close(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_prepared_and_plain_give_the_same_store),
      cmocka_unit_test(test_second_feed_after_the_first),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
