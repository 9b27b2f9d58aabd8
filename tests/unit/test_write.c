/* sk_write, the one writer of the model: an offering written in bulk (the
 * indexer's way) reads back exactly like one written a row at a time (the
 * portal's way); the change log keeps long values cut, never broken;
 * misuse is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_test.h"
#include "sk_err.h"
#include "sk_store.h"
#include "sk_write.h"

static const char now[] = "2026-12-02T10:00:00Z";

/* Everything stored about offering rid, as one line of text. */
static char *dump(struct sk_store *st, long long rid) {
  static const char sql[] =
      "SELECT s.kind || '|' || s.name || '|' || coalesce(s.summary, '-') || '|' ||"
      " coalesce(s.min_age, '-') || '|' || coalesce(s.max_age, '-') || '|' || s.status || '|' ||"
      " coalesce(s.content_hash, '-') || '|' || s.source || '|' || s.source_key || '|' ||"
      " coalesce((SELECT group_concat(vocabulary || ':' || code, ',') FROM (SELECT * FROM"
      "  service_taxonomy WHERE service_rid = ?1 ORDER BY vocabulary, code)), '-') || '|' ||"
      " coalesce((SELECT group_concat(area_code || coalesce(min_age, '') || coalesce(note, ''),"
      "  ',') FROM service_area WHERE service_rid = ?1), '-') || '|' ||"
      " coalesce((SELECT group_concat(number || restricted, ',') FROM phone"
      "  WHERE service_rid = ?1), '-') || '|' ||"
      " coalesce((SELECT group_concat(weekday || opens_at || closes_at, ',') FROM schedule"
      "  WHERE service_rid = ?1), '-') || '|' ||"
      " coalesce((SELECT uid || coalesce(municipality_code, '?') FROM activity"
      "  WHERE service_rid = ?1), '-') || '|' ||"
      " coalesce((SELECT group_concat(starts_at || coalesce(end_utc, 'open'), ',') FROM occurrence"
      "  WHERE service_rid = ?1), '-') || '|' ||"
      " (SELECT count(*) FROM service_at_location WHERE service_rid = ?1)"
      " FROM service s WHERE s.rid = ?1";
  sqlite3_stmt *s;
  assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
  sqlite3_bind_int64(s, 1, rid);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  const char *t = (const char *)sqlite3_column_text(s, 0);
  assert_non_null(t);
  char *out = strdup(t);
  sqlite3_finalize(s);
  return out;
}

/* One activity with every kind of child row. */
static long long write_one(struct sk_writer *w, long long org, long long loc, long long rid,
                           const char *id) {
  struct sk_write_service v = sk_write_service_blank();
  v.organization_rid = org;
  v.kind = "activiteit";
  v.name = "Taalcafé";
  v.min_age = 16;
  v.status = "active";
  v.content_hash = "abc";
  struct sk_write_origin o = {id, "feed:t", id};
  assert_int_equal(sk_write_service_insert(w, &o, &v, now, &rid), SK_OK);
  assert_true(rid > 0);
  assert_int_equal(sk_write_code(w, rid, "need", "taal"), SK_OK);
  assert_int_equal(sk_write_code(w, rid, "need", "taal"), SK_OK); /* a duplicate is ignored */
  assert_int_equal(sk_write_code(w, rid, "access", "vrij-toegankelijk"), SK_OK);
  struct sk_write_area a = {"huizen", 18, SK_WRITE_UNSET, "volwassenen"};
  assert_int_equal(sk_write_area(w, rid, &a), SK_OK);
  assert_int_equal(sk_write_service_location(w, rid, loc), SK_OK);
  struct sk_write_phone ph = {"035 000 00 00", NULL, 1};
  assert_int_equal(sk_write_phone(w, rid, &ph), SK_OK);
  struct sk_write_hours h = {2, "09:00", "12:00", NULL, NULL, NULL};
  assert_int_equal(sk_write_hours(w, rid, 0, &h), SK_OK);
  struct sk_write_activity act = {"uid-1", "Bibliotheek", NULL, NULL};
  assert_int_equal(sk_write_activity(w, rid, &act), SK_OK);
  struct sk_write_occurrence oc = {
      "2026-12-08T14:00:00+01:00", NULL, 1796734800, SK_WRITE_UNSET, 0, 0, NULL};
  assert_int_equal(sk_write_occurrence(w, rid, &oc), SK_OK);
  return rid;
}

static void parents(struct sk_writer *w, long long *org, long long *loc) {
  struct sk_write_org ov = {"Bibliotheek Huizen", NULL, NULL, NULL, NULL, "active"};
  struct sk_write_origin oo = {"00000000-0000-4000-8000-000000000001", "feed:t", "o"};
  assert_int_equal(sk_write_org_insert(w, &oo, &ov, now, org), SK_OK);
  struct sk_write_location lv = sk_write_location_blank();
  lv.organization_rid = *org;
  lv.name = "Bibliotheek";
  lv.status = "active";
  struct sk_write_origin lo = {"00000000-0000-4000-8000-000000000002", "feed:t", "l"};
  assert_int_equal(sk_write_location_insert(w, &lo, &lv, now, loc), SK_OK);
}

static void test_bulk_and_immediate_write_the_same_rows(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("write_same.db");
  struct sk_writer *w1, *w256;
  assert_int_equal(sk_store_begin(st), SK_OK);
  assert_int_equal(sk_write_open(&w1, st, 1), SK_OK);
  assert_int_equal(sk_write_open(&w256, st, 256), SK_OK);
  long long org, loc;
  parents(w1, &org, &loc);
  long long a = write_one(w1, org, loc, 0, "00000000-0000-4000-8000-00000000000a");
  /* Bulk: the rid is chosen by the caller and the rows wait for the flush. */
  long long b = write_one(w256, org, loc, a + 1, "00000000-0000-4000-8000-00000000000b");
  assert_int_equal(b, a + 1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM phone WHERE service_rid IS NOT NULL"), 1);
  assert_int_equal(sk_write_flush(w256), SK_OK);
  char *da = dump(st, a), *db = dump(st, b);
  /* Same content apart from the key. */
  char *ka = strstr(da, "00000000-0000-4000-8000-00000000000a");
  char *kb = strstr(db, "00000000-0000-4000-8000-00000000000b");
  assert_non_null(ka);
  assert_non_null(kb);
  assert_int_equal(ka - da, kb - db);
  ka[35] = kb[35] = 'x';
  assert_string_equal(da, db);
  /* And what it says is what was written: the activity's municipality
   * comes from its areas, an unset age is NULL, an open end stays open. */
  assert_non_null(strstr(da, "activiteit|Taalcafé|-|16|-|active|abc|feed:t|"));
  assert_non_null(strstr(da, "|access:vrij-toegankelijk,need:taal|huizen18volwassenen|"));
  assert_non_null(strstr(da, "huizen|2026-12-08T14:00:00+01:00open|1"));

  /* Clearing removes every child row; the offering stays. */
  assert_int_equal(sk_write_service_clear(w1, a), SK_OK);
  free(da);
  da = dump(st, a);
  assert_non_null(strstr(da, "|-|-|-|-|-|-|0"));
  struct sk_write_service v = sk_write_service_blank();
  v.organization_rid = org;
  v.kind = "aanbod";
  v.name = "Taalles";
  v.status = "withdrawn";
  assert_int_equal(sk_write_service_update(w1, a, &v, now), SK_OK);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service WHERE name = 'Taalles'"
                                    " AND status = 'withdrawn' AND min_age IS NULL"),
                   1);
  free(da);
  free(db);
  sk_write_close(w1);
  sk_write_close(w256);
  assert_int_equal(sk_store_commit(st), SK_OK);
  sk_store_close(st);
}

static void test_change_log_cuts_long_values_on_a_character(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("write_log.db");
  size_t n = SK_WRITE_CHANGE_VALUE_MAX + 100;
  char *big = malloc(n + 1);
  assert_non_null(big);
  memset(big, 'a', n);
  memcpy(big + SK_WRITE_CHANGE_VALUE_MAX - 1, "é", 2); /* straddles the cut */
  big[n] = '\0';
  char reused[32];
  snprintf(reused, sizeof reused, "oud");
  struct sk_writer *w;
  assert_int_equal(sk_write_open(&w, st, 256), SK_OK);
  struct sk_write_change c = {now, "feed:t", "service", "id-1", "description", reused, big, 0};
  assert_int_equal(sk_write_log(w, &c), SK_OK);
  snprintf(reused, sizeof reused, "overschreven"); /* the writer kept its own copy */
  memset(big, 'b', n);
  assert_int_equal(sk_write_flush(w), SK_OK);
  sk_write_close(w);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM change_log WHERE old_value = 'oud'"
                                    " AND version IS NULL"),
                   1);
  /* Cut before the 'é' (never inside it), marked with an ellipsis. */
  assert_int_equal(th_query_int(st, "SELECT length(CAST(new_value AS BLOB)) FROM change_log"),
                   SK_WRITE_CHANGE_VALUE_MAX - 1 + (long long)strlen("…"));
  assert_int_equal(th_query_int(st, "SELECT new_value LIKE '%a…' FROM change_log"), 1);
  struct sk_write_change v = {now, "account:x", "service", "id-1", "name", NULL, "Nieuw", 3};
  assert_int_equal(sk_write_log_once(st, &v), SK_OK);
  assert_int_equal(th_query_int(st, "SELECT version FROM change_log WHERE field = 'name'"), 3);
  free(big);
  sk_store_close(st);
}

static void test_misuse_is_refused(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("write_misuse.db");
  struct sk_writer *w = (struct sk_writer *)1;
  assert_int_equal(sk_write_open(&w, st, 0), SK_EINVAL);
  assert_null(w);
  assert_int_equal(sk_write_open(&w, st, 257), SK_EINVAL);
  assert_int_equal(sk_write_open(&w, st, 1), SK_OK);
  struct sk_write_service v = sk_write_service_blank();
  long long rid = 0;
  assert_int_equal(sk_write_service_insert(w, NULL, &v, now, &rid), SK_EINVAL);
  assert_int_equal(sk_write_status(w, "account", 1, "withdrawn", now), SK_EINVAL);
  /* A row the schema refuses (no organisation) is a database error, with
   * the store's message, and nothing is written. */
  struct sk_write_origin o = {"00000000-0000-4000-8000-0000000000ff", "portal", "x"};
  v.kind = "aanbod";
  v.name = "Zonder organisatie";
  v.status = "active";
  assert_int_equal(sk_write_service_insert(w, &o, &v, now, &rid), SK_EDB);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service"), 0);
  sk_write_close(w);
  sk_write_close(NULL);
  sk_store_close(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bulk_and_immediate_write_the_same_rows),
      cmocka_unit_test(test_change_log_cuts_long_values_on_a_character),
      cmocka_unit_test(test_misuse_is_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
