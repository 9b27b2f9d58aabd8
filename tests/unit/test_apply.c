/* Applying feeds: stable ids, withdrawal with history, per-field change
 * log, portal rows never touched, search kept in step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "helper_test.h"
#include "ix_apply.h"
#include "ix_partner_json.h"
#include "ix_validate.h"
#include "sk_err.h"

#define ORG "{\"key\": \"o\", \"name\": \"Versa\"}"
#define SVC(key, name, extra)                                                                      \
  "{\"key\": \"" key "\", \"organization\": \"o\", \"name\": \"" name "\", \"needs\": "            \
  "[\"geld\"], \"areas\": [\"huizen\"], \"access\": \"vrij\", \"cost\": \"gratis\"" extra "}"

/* Parse, validate and apply one partner-json document for feed id. */
static int apply_doc(struct sk_store *st, const char *feed, const char *orgs, const char *services,
                     struct ix_apply_stats *stats) {
  char doc[16384], err[512];
  snprintf(doc, sizeof doc,
           "{\"format\": \"sociale-kaart-partner/1\", \"organizations\": [%s], \"services\": [%s]}",
           orgs, services);
  struct ix_batch b;
  ix_batch_init(&b, 0);
  if (ix_partner_json_parse(doc, strlen(doc), &b, err, sizeof err))
    fail_msg("parse: %s", err);
  assert_int_equal(ix_validate_batch(&b, th_taxonomy()), SK_OK);
  int rc = ix_apply(st, feed, &b, NULL, stats, err, sizeof err);
  ix_batch_free(&b);
  return rc;
}

static void text_of(struct sk_store *st, const char *sql, char *out, size_t outlen) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
    fail_msg("prepare %s: %s", sql, sqlite3_errmsg(st->db));
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  const char *v = (const char *)sqlite3_column_text(s, 0);
  snprintf(out, outlen, "%s", v ? v : "(null)");
  sqlite3_finalize(s);
}

static long long found(struct sk_store *st, const char *word) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM search_fts WHERE search_fts MATCH '%s'", word);
  return th_query_int(st, sql);
}

static void test_withdrawn_and_back_keeps_id_and_history(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("withdraw.db");
  struct ix_apply_stats s;
  assert_int_equal(
      apply_doc(st, "f", ORG, SVC("a", "Schuldhulp", "") "," SVC("b", "Inloop", ""), &s), SK_OK);
  assert_int_equal(s.n_new, 3);
  char id_before[64], id_after[64];
  text_of(st, "SELECT id FROM service WHERE source_key = 'b'", id_before, sizeof id_before);
  assert_int_equal(found(st, "inloop"), 1);

  /* b disappears from the feed: hidden, kept */
  assert_int_equal(apply_doc(st, "f", ORG, SVC("a", "Schuldhulp", ""), &s), SK_OK);
  assert_int_equal(s.n_withdrawn, 1);
  assert_int_equal(s.n_unchanged, 2);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service WHERE source_key = 'b' AND"
                                    " status = 'withdrawn'"),
                   1);
  assert_int_equal(found(st, "inloop"), 0);

  /* b returns, with a new name: same id, active, and the log tells the story */
  assert_int_equal(
      apply_doc(st, "f", ORG, SVC("a", "Schuldhulp", "") "," SVC("b", "Inloopspreekuur", ""), &s),
      SK_OK);
  assert_int_equal(s.n_changed, 1);
  text_of(st, "SELECT id FROM service WHERE source_key = 'b'", id_after, sizeof id_after);
  assert_string_equal(id_before, id_after);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service WHERE status = 'active'"), 2);
  assert_int_equal(found(st, "inloopspreekuur"), 1);
  char history[512];
  text_of(st,
          "SELECT group_concat(field || ':' || coalesce(old_value, '-') || '>' || new_value,"
          " ' ') FROM (SELECT * FROM change_log c JOIN service s ON s.id = c.entity_id"
          " WHERE s.source_key = 'b' ORDER BY c.rid)",
          history, sizeof history);
  assert_string_equal(history,
                      "status:->active status:active>withdrawn name:Inloop>Inloopspreekuur "
                      "status:withdrawn>active");
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM change_log WHERE actor != 'feed:f'"), 0);
  sk_store_close(st);
}

static void test_unchanged_feed_writes_nothing(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("unchanged.db");
  struct ix_apply_stats s;
  const char *svcs = SVC("a", "Schuldhulp",
                         ", \"hours\": [{\"days\": [\"ma\"], \"opens\": \"09:00\","
                         " \"closes\": \"12:00\"}], \"phones\": [\"035 000 0000\"]");
  assert_int_equal(apply_doc(st, "f", ORG, svcs, &s), SK_OK);
  long long log = th_query_int(st, "SELECT count(*) FROM change_log");
  long long changes = th_query_int(st, "SELECT total_changes()");
  assert_int_equal(apply_doc(st, "f", ORG, svcs, &s), SK_OK);
  assert_int_equal(s.n_unchanged, 2);
  assert_int_equal(s.n_changed + s.n_new + s.n_withdrawn, 0);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM change_log"), log);
  /* only the feed row was written */
  assert_int_equal(th_query_int(st, "SELECT total_changes()") - changes, 1);

  /* one field changes: one change_log row for exactly that field */
  assert_int_equal(apply_doc(st, "f", ORG,
                             SVC("a", "Schuldhulp",
                                 ", \"hours\": [{\"days\": [\"ma\"], \"opens\":"
                                 " \"09:00\", \"closes\": \"13:00\"}], \"phones\":"
                                 " [\"035 000 0000\"]"),
                             &s),
                   SK_OK);
  assert_int_equal(s.n_changed, 1);
  char row[256];
  text_of(st,
          "SELECT field || ': ' || old_value || ' > ' || new_value FROM change_log"
          " ORDER BY rid DESC LIMIT 1",
          row, sizeof row);
  assert_string_equal(row, "hours: 1 09:00-12:00 > 1 09:00-13:00");
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM change_log"), log + 1);
  sk_store_close(st);
}

static void test_portal_rows_are_never_touched(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("portal.db");
  assert_int_equal(
      sk_store_exec(st,
                    "INSERT INTO organization(id, source, source_key, name, created, last_modified)"
                    " VALUES('p-org', 'portal', 'o', 'Portaal Org', '2026-01-01T00:00:00Z',"
                    " '2026-01-01T00:00:00Z');"
                    "INSERT INTO service(id, organization_rid, source, source_key, name, created,"
                    " last_modified) VALUES('p-svc', 1, 'portal', 'a', 'Portaal dienst',"
                    " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"),
      SK_OK);
  /* a feed with the same keys, applied, changed and emptied of 'a' */
  struct ix_apply_stats s;
  assert_int_equal(apply_doc(st, "f", ORG, SVC("a", "Feed dienst", "") "," SVC("b", "B", ""), &s),
                   SK_OK);
  assert_int_equal(apply_doc(st, "f", ORG, SVC("b", "B2", ""), &s), SK_OK);
  char row[256];
  text_of(st,
          "SELECT name || '|' || status || '|' || last_modified FROM service WHERE id = 'p-svc'",
          row, sizeof row);
  assert_string_equal(row, "Portaal dienst|active|2026-01-01T00:00:00Z");
  text_of(st, "SELECT name || '|' || status FROM organization WHERE id = 'p-org'", row, sizeof row);
  assert_string_equal(row, "Portaal Org|active");
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM change_log WHERE entity_id LIKE 'p-%'"),
                   0);
  sk_store_close(st);
}

static void test_other_feeds_are_not_touched(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("twofeeds.db");
  assert_int_equal(apply_doc(st, "one", ORG, SVC("a", "Een", ""), NULL), SK_OK);
  assert_int_equal(apply_doc(st, "two", ORG, SVC("a", "Twee", ""), NULL), SK_OK);
  /* 'two' swaps its only offering: more than half withdrawn, so accepted first
   * (the shrink guard is test_index_run's subject). */
  assert_int_equal(ix_apply_accept_shrink(st, "two"), SK_OK);
  assert_int_equal(apply_doc(st, "two", ORG, SVC("b", "Twee b", ""), NULL), SK_OK);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service WHERE source = 'feed:one' AND"
                                    " status = 'active'"),
                   1);
  assert_int_equal(th_query_int(st, "SELECT count(DISTINCT id) FROM service"), 3);
  sk_store_close(st);
}

static void test_rejected_record_keeps_last_good_version(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("keepgood.db");
  assert_int_equal(apply_doc(st, "f", ORG, SVC("crisis", "Crisislijn", ""), NULL), SK_OK);
  struct ix_apply_stats s;
  /* a typo in the next version: rejected, the last good version stays visible */
  assert_int_equal(
      apply_doc(st, "f", ORG,
                "{\"key\": \"crisis\", \"organization\": \"o\", \"name\": \"Crisislijn\","
                " \"needs\": [\"geld\"], \"areas\": [\"huizen\"], \"access\": \"vrij\","
                " \"cost\": \"gratiss\"}",
                &s),
      SK_OK);
  assert_int_equal(s.n_rejected, 1);
  assert_int_equal(s.n_withdrawn, 0);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service WHERE status = 'active'"), 1);
  assert_int_equal(found(st, "crisislijn"), 1);
  char reason[512];
  text_of(st, "SELECT reason FROM feed_rejection WHERE feed_id = 'f' AND record_key = 'crisis'",
          reason, sizeof reason);
  assert_non_null(strstr(reason, "'gratiss'"));
  assert_int_equal(th_query_int(st, "SELECT n_rejected FROM feed WHERE id = 'f'"), 1);
  sk_store_close(st);
}

static void test_empty_feed_does_not_wipe(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("empty.db");
  assert_int_equal(apply_doc(st, "f", ORG, SVC("a", "A", ""), NULL), SK_OK);
  struct ix_batch b;
  ix_batch_init(&b, 0);
  char err[256];
  assert_int_equal(ix_apply(st, "f", &b, NULL, NULL, err, sizeof err), SK_EINVAL);
  assert_non_null(strstr(err, "vorige gegevens"));
  assert_int_equal(ix_apply_record_error(st, "f", err, NULL), SK_OK);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service WHERE status = 'active'"), 1);
  assert_int_equal(th_query_int(st, "SELECT last_error IS NOT NULL FROM feed WHERE id = 'f'"), 1);
  ix_batch_free(&b);
  sk_store_close(st);
}

static void test_organisation_rename_reaches_search(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("orgname.db");
  assert_int_equal(apply_doc(st, "f", ORG, SVC("a", "Spreekuur", ""), NULL), SK_OK);
  assert_int_equal(found(st, "versa"), 1);
  struct ix_apply_stats s;
  assert_int_equal(apply_doc(st, "f", "{\"key\": \"o\", \"name\": \"Humanitas\"}",
                             SVC("a", "Spreekuur", ""), &s),
                   SK_OK);
  assert_int_equal(s.n_changed, 1); /* the organisation */
  assert_int_equal(found(st, "versa"), 0);
  assert_int_equal(found(st, "humanitas"), 1);
  sk_store_close(st);
}

static void test_activity_with_occurrences(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("activity.db");
  struct ix_batch b;
  ix_batch_init(&b, 0);
  struct ix_org *o = ix_batch_add_org(&b);
  o->key = "bieb";
  o->name = "Bibliotheek Huizen";
  struct ix_service *s = ix_batch_add_service(&b);
  s->kind = IX_KIND_ACTIVITY;
  s->key = s->uid = "uid-1@bieb";
  s->org_key = "bieb";
  s->name = "Taalcafé";
  s->location_text = "Bibliotheek, Huizen";
  s->recurrence = "FREQ=WEEKLY;BYDAY=TU";
  assert_int_equal(ix_strv_push(&b, &s->needs, "taal"), SK_OK);
  struct ix_area *a = IX_PUSH(&b, s->areas);
  a->code = "huizen";
  a->min_age = a->max_age = IX_UNSET;
  for (int i = 0; i < 3; i++) {
    struct ix_occurrence *oc = IX_PUSH(&b, s->occurrences);
    oc->start_utc = 1790000000 + i * 7 * 86400;
    oc->end_utc = oc->start_utc + 3600;
    snprintf(oc->starts_at, sizeof oc->starts_at, "2026-09-%02dT10:00:00+02:00", 1 + 7 * i);
    snprintf(oc->ends_at, sizeof oc->ends_at, "2026-09-%02dT11:00:00+02:00", 1 + 7 * i);
    oc->cancelled = i == 1;
  }
  assert_int_equal(ix_validate_batch(&b, th_taxonomy()), SK_OK);
  assert_int_equal(b.rejections.n, 0);
  char err[256];
  struct ix_apply_stats st1;
  assert_int_equal(ix_apply(st, "agenda", &b, NULL, &st1, err, sizeof err), SK_OK);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM occurrence"), 3);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM occurrence WHERE cancelled = 1"), 1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM activity WHERE municipality_code ="
                                    " 'huizen' AND recurrence = 'FREQ=WEEKLY;BYDAY=TU'"),
                   1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service WHERE kind = 'activiteit'"), 1);
  /* the same calendar again: nothing changes */
  assert_int_equal(ix_apply(st, "agenda", &b, NULL, &st1, err, sizeof err), SK_OK);
  assert_int_equal(st1.n_unchanged, 2);
  ix_batch_free(&b);
  sk_store_close(st);
}

/* Many touched offerings take the set-based path of the search index. */
static void test_many_offerings_reach_search(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("many.db");
  char svcs[12000] = "";
  for (int i = 0; i < 40; i++) {
    char one[256];
    snprintf(one, sizeof one, "%s" SVC("k%d", "Maaltijdservice %d", ""), i ? "," : "", i, i);
    strcat(svcs, one);
  }
  struct ix_apply_stats s;
  assert_int_equal(apply_doc(st, "f", ORG, svcs, &s), SK_OK);
  assert_int_equal(s.n_new, 41);
  assert_int_equal(found(st, "maaltijdservice"), 40);
  assert_int_equal(ix_apply_accept_shrink(st, "f"), SK_OK); /* 39 of 40: the guard would hold it */
  assert_int_equal(apply_doc(st, "f", ORG, SVC("k0", "Maaltijdservice 0", ""), &s), SK_OK);
  assert_int_equal(s.n_withdrawn, 39);
  assert_int_equal(found(st, "maaltijdservice"), 1);
  assert_int_equal(
      sk_store_exec(st, "INSERT INTO search_fts(search_fts) VALUES('integrity-check')"), SK_OK);
  sk_store_close(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_withdrawn_and_back_keeps_id_and_history),
      cmocka_unit_test(test_unchanged_feed_writes_nothing),
      cmocka_unit_test(test_portal_rows_are_never_touched),
      cmocka_unit_test(test_other_feeds_are_not_touched),
      cmocka_unit_test(test_rejected_record_keeps_last_good_version),
      cmocka_unit_test(test_empty_feed_does_not_wipe),
      cmocka_unit_test(test_organisation_rename_reaches_search),
      cmocka_unit_test(test_activity_with_occurrences),
      cmocka_unit_test(test_many_offerings_reach_search),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
