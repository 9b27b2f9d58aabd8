/* HSDS written by others, through the whole `index` path (fetch, encoding,
 * parse, registry defaults, automatic classification, validation, apply):
 * every valid service is accepted, every rejection names a real defect
 * (issue 12). Data: tests/data/hsds/thirdparty (50 services in the shapes
 * partners send) and, when present, the Open Referral specification and UK
 * profile examples of ../shared/corpora/hsds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helper_faultserver.h"
#include "helper_feed.h"
#include "helper_test.h"
#include "ix_registry.h"
#include "ix_run.h"
#include "sk_buf.h"
#include "sk_err.h"
#include "sk_fold.h"
#include "sk_portal.h"
#include "sk_search.h"

/* One hsds (or ical) feed "f" at path, with optional defaults JSON. */
/* Calendars are read in a window around "now": the test calendars are of
 * November 2026. */
#define TEST_NOW 1793491200 /* 2026-11-01T00:00:00Z */

static struct ix_feed_report run_one(struct sk_store *st, const char *kind, const char *path,
                                     const char *defaults) {
  return th_run_feed(st, "f", kind, path, defaults, TEST_NOW);
}

static const char *data_path(const char *name) {
  static char buf[4][1024];
  static int k;
  char *p = buf[k++ % 4];
  if (!realpath(th_source_path(name), p))
    fail_msg("no such file: %s", th_source_path(name));
  return p;
}

/* A text answer of one query (first column, first row) into out. */
static const char *query_text(struct sk_store *st, const char *sql, char *out, size_t n) {
  sqlite3_stmt *s = NULL;
  out[0] = '\0';
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
    fail_msg("sql: %s: %s", sql, sqlite3_errmsg(st->db));
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
    snprintf(out, n, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  return out;
}

/* The areas (sorted, comma-separated) of the active service with this name. */
static const char *areas_of(struct sk_store *st, const char *name) {
  static char out[512];
  char sql[1024];
  snprintf(sql, sizeof sql,
           "SELECT group_concat(area_code, ',') FROM (SELECT a.area_code FROM service_area a"
           " JOIN service s ON s.rid = a.service_rid WHERE s.name = '%s' AND s.status = 'active'"
           " ORDER BY a.area_code)",
           name);
  return query_text(st, sql, out, sizeof out);
}

static const char *codes_of(struct sk_store *st, const char *name, const char *vocab) {
  static char out[512];
  char sql[1024];
  snprintf(sql, sizeof sql,
           "SELECT group_concat(code, ',') FROM (SELECT t.code FROM service_taxonomy t"
           " JOIN service s ON s.rid = t.service_rid WHERE s.name = '%s' AND t.vocabulary = '%s'"
           " ORDER BY t.code)",
           name, vocab);
  return query_text(st, sql, out, sizeof out);
}

static long long count(struct sk_store *st, const char *sql) { return th_query_int(st, sql); }

/* count(*) of sql with ?1 bound to text (quotes in text need no escaping). */
static long long count_with(struct sk_store *st, const char *sql, const char *text) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
    fail_msg("sql: %s: %s", sql, sqlite3_errmsg(st->db));
  sqlite3_bind_text(s, 1, text, -1, SQLITE_TRANSIENT);
  long long n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
  sqlite3_finalize(s);
  return n;
}

/* The feed's real rejections (not the warnings stored with them). */
static long long n_rejections(struct sk_store *st) {
  return count(st, "SELECT count(*) FROM feed_rejection WHERE feed_id = 'f' AND reason NOT LIKE"
                   " 'Waarschuwing:%'");
}

static int warned(struct sk_store *st, const char *fragment) {
  return count_with(st,
                    "SELECT count(*) FROM feed_rejection WHERE feed_id = 'f' AND reason LIKE"
                    " 'Waarschuwing:%' AND instr(reason, ?1) > 0",
                    fragment) > 0;
}

/* ------------------------------------------------------------ third party */

static const struct {
  const char *file;
  int services;
} valid_files[] = {
    {"plain_list.json", 10},
    {"areas_envelope.json", 12},
    {"other_taxonomies.json", 5},
    {"service_at_locations.json", 2},
    {"organization_services.json", 4},
    {"repairs.json", 8},
    {"schedules.json", 7},
    {"windows1252.json", 2},
};

static void test_every_valid_thirdparty_service_is_accepted(void **state) {
  (void)state;
  int total = 0;
  for (size_t i = 0; i < sizeof valid_files / sizeof *valid_files; i++) {
    char db[64], rel[128];
    snprintf(db, sizeof db, "tp-%zu.db", i);
    snprintf(rel, sizeof rel, "tests/data/hsds/thirdparty/%s", valid_files[i].file);
    struct sk_store *st = th_store_with_taxonomy(db);
    struct ix_feed_report rep = run_one(st, "hsds", data_path(rel), NULL);
    if (rep.failed)
      fail_msg("%s failed: %s", valid_files[i].file, rep.error);
    if (rep.stats.n_rejected || n_rejections(st)) {
      char why[600];
      query_text(st, "SELECT reason FROM feed_rejection WHERE reason NOT LIKE 'Waarschuwing:%'",
                 why, sizeof why);
      fail_msg("%s: %ld rejected, e.g. %s", valid_files[i].file, rep.stats.n_rejected, why);
    }
    long long n = count(st, "SELECT count(*) FROM service WHERE status = 'active'");
    assert_int_equal(n, valid_files[i].services);
    total += (int)n;
    /* Nothing of ours was given: each one is marked for the redactie. */
    assert_int_equal(count(st, "SELECT count(*) FROM service s WHERE NOT EXISTS (SELECT 1 FROM"
                               " service_taxonomy t WHERE t.service_rid = s.rid AND"
                               " t.vocabulary = 'classification' AND t.code = 'automatisch')"),
                     0);
    sk_store_close(st);
  }
  assert_true(total >= 40);
  print_message("third-party HSDS: %d services in %zu feeds, all accepted\n", total,
                sizeof valid_files / sizeof *valid_files);
}

static void test_needs_are_proposed_and_unknown_access_cost(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("tp-needs.db");
  struct ix_feed_report rep = run_one(
      st, "hsds", data_path("tests/data/hsds/thirdparty/plain_list.json"), NULL);
  assert_false(rep.failed);
  assert_string_equal(codes_of(st, "Schuldhulpmaatje", "need"), "geld.schulden");
  assert_string_equal(codes_of(st, "Taalhuis", "need"), "taal.lezenschrijven");
  assert_string_equal(codes_of(st, "Digi-café", "need"), "taal.digitaal");
  assert_string_equal(codes_of(st, "Maatjesproject", "need"), "ontmoeten.maatje");
  assert_string_equal(codes_of(st, "Mantelzorgconsulent", "need"), "mantelzorg.ondersteuning");
  /* English text: no proposal, still accepted, on the list */
  assert_string_equal(codes_of(st, "Community Counselling", "need"), "");
  assert_string_equal(codes_of(st, "Community Counselling", "access"), "onbekend");
  assert_string_equal(codes_of(st, "Community Counselling", "cost"), "onbekend");
  assert_string_equal(codes_of(st, "Community Counselling", "classification"), "automatisch");
  assert_true(warned(st, "automatisch ingedeeld"));
  sk_store_close(st);

  /* Another taxonomy's terms are a hint; our own attributes are kept. */
  st = th_store_with_taxonomy("tp-tax.db");
  rep = run_one(st, "hsds", data_path("tests/data/hsds/thirdparty/other_taxonomies.json"), NULL);
  assert_false(rep.failed);
  assert_string_equal(codes_of(st, "Financial coaching", "need"),
                      "geld.administratie,geld.schulden");
  assert_string_equal(codes_of(st, "Dementia cafe", "need"), "geheugen.ontmoeten");
  /* ... and the publisher's terms stay with the service as search words. */
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE name = 'Dementia cafe' AND"
                             " keywords = 'Alzheimercaf\u00e9'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE name = 'Financial coaching' AND"
                             " keywords LIKE 'schulden, budget%'"),
                   1);
  assert_string_equal(codes_of(st, "Schuldhulpverlening gemeente", "need"), "geld.schulden");
  assert_string_equal(codes_of(st, "Schuldhulpverlening gemeente", "cost"), "gratis");
  assert_string_equal(codes_of(st, "Schuldhulpverlening gemeente", "access"), "onbekend");
  sk_store_close(st);

  /* Feed defaults go first: they are the redactie's choice, not a guess. */
  st = th_store_with_taxonomy("tp-defaults.db");
  rep = run_one(st, "hsds", data_path("tests/data/hsds/thirdparty/plain_list.json"),
                "{\"needs\": [\"advies\"], \"access\": \"vrij\", \"cost\": \"gratis\"}");
  assert_false(rep.failed);
  assert_string_equal(codes_of(st, "Community Counselling", "need"), "advies");
  assert_string_equal(codes_of(st, "Community Counselling", "classification"), "");
  sk_store_close(st);
}

static void test_areas_as_people_write_them(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("tp-areas.db");
  struct ix_feed_report rep = run_one(
      st, "hsds", data_path("tests/data/hsds/thirdparty/areas_envelope.json"), NULL);
  assert_false(rep.failed);
  assert_int_equal(n_rejections(st), 0);
  assert_string_equal(areas_of(st, "Juridisch advies landelijk"), "landelijk");
  /* a province: its municipalities (Eemnes is in Utrecht) */
  assert_string_equal(areas_of(st, "Rechtshulp Noord-Holland"),
                      "blaricum,gooise-meren,hilversum,huizen,laren,wijdemeren");
  assert_string_equal(areas_of(st, "Wmo-loket"), "huizen");             /* GM0406 */
  assert_string_equal(areas_of(st, "Wijkteam Huizen-Noord"), "huizen"); /* 1274 */
  assert_string_equal(areas_of(st, "Wijkteam Eemnes"), "eemnes");       /* 3755 AB */
  assert_string_equal(areas_of(st, "Schuldhulp online"),
                      "huizen,landelijk"); /* Huizen + Nederland */
  assert_string_equal(areas_of(st, "Thuisadministratie"), "huizen,landelijk");
  assert_string_equal(areas_of(st, "Buurtbus Huizen"), "huizen"); /* GeoJSON extent */
  assert_true(warned(st, "geen gemeentegrenzen"));
  assert_string_equal(areas_of(st, "Luisterlijn"), "landelijk"); /* no area, no address */
  assert_true(warned(st, "als landelijk"));
  assert_string_equal(areas_of(st, "Respijtzorg"), "huizen"); /* Atlantis: a warning */
  assert_true(warned(st, "'Atlantis' kennen we niet"));
  assert_string_equal(areas_of(st, "BEL Jongerenwerk"), "bel");
  assert_string_equal(areas_of(st, "Inloop Het Lichtpunt"), "huizen"); /* from its address */
  sk_store_close(st);

  st = th_store_with_taxonomy("tp-areas2.db");
  rep = run_one(st, "hsds", data_path("tests/data/hsds/thirdparty/plain_list.json"), NULL);
  assert_string_equal(areas_of(st, "Taalhuis"), "huizen");     /* Gemeente Huizen */
  assert_string_equal(areas_of(st, "Digi-café"), "regio");     /* Gooi & Vechtstreek */
  assert_string_equal(areas_of(st, "Voedselpakket"), "regio"); /* Regio Gooi en Vechtstreek */
  assert_string_equal(areas_of(st, "Mantelzorgconsulent"), "hbel");
  assert_string_equal(areas_of(st, "Community Counselling"), "landelijk"); /* Nederland */
  sk_store_close(st);
}

static void test_bad_optional_fields_repaired_or_dropped(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("tp-repairs.db");
  struct ix_feed_report rep = run_one(st, "hsds",
                                      data_path("tests/data/hsds/thirdparty/repairs.json"), NULL);
  assert_false(rep.failed);
  assert_int_equal(n_rejections(st), 0);
  char v[1024];
  assert_string_equal(query_text(st,
                                 "SELECT website FROM organization WHERE name = 'Diaconie Huizen'",
                                 v, sizeof v),
                      "https://www.diaconiehuizen.nl");
  assert_string_equal(
      query_text(st, "SELECT url FROM service WHERE name = 'Formulierenhulp'", v, sizeof v),
      "https://www.diaconiehuizen.nl/formulierenhulp");
  /* the extension is not glued into the number */
  assert_int_equal(count(st, "SELECT count(*) FROM phone WHERE number = '035 528 1911' AND"
                             " description = 'Receptie, toestel 12'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM phone WHERE number = '035 528 1900' AND"
                             " description = 'toestel 203'"),
                   1);
  /* the long name is cut at a word */
  query_text(st, "SELECT name FROM service WHERE name LIKE 'Spreekuur voor vragen over geld%'", v,
             sizeof v);
  assert_true(sk_utf8_chars(v) <= 200);
  assert_non_null(strstr(v, "van de…"));
  assert_int_equal(count(st, "SELECT min_age * 1000 + max_age FROM service WHERE name ="
                             " 'Jongerenbudgetcoach'"),
                   18027); /* 17.5 and 26.6 rounded */
  assert_int_equal(
      count(st, "SELECT email IS NULL FROM service WHERE name = 'Maatjes voor statushouders'"), 1);
  assert_int_equal(count(st, "SELECT count(*) FROM phone p JOIN service s ON s.rid = p.service_rid"
                             " WHERE s.name = 'Klusjesdienst'"),
                   1); /* "bel ons" dropped, the real number kept */
  assert_int_equal(count(st, "SELECT website IS NULL AND email IS NULL FROM organization WHERE"
                             " name = 'Buurtbemiddeling Gooi'"),
                   1);
  assert_true(warned(st, "had geen https://"));
  assert_true(warned(st, "langer dan 200 tekens"));
  assert_true(warned(st, "afgerond op 18 jaar"));
  sk_store_close(st);
}

static void test_every_rejection_names_a_real_defect(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("tp-defects.db");
  struct ix_feed_report rep = run_one(st, "hsds",
                                      data_path("tests/data/hsds/thirdparty/defects.json"), NULL);
  assert_false(rep.failed);
  static const char *const why[] = {"geen id", "geen naam", "status 'open' kennen we niet",
                                    "'minimum_age' moet een getal van 0 tot en met 120",
                                    "'min_age' (65) is hoger dan 'max_age' (18)"};
  assert_int_equal(n_rejections(st), sizeof why / sizeof *why);
  for (size_t i = 0; i < sizeof why / sizeof *why; i++) {
    if (count_with(st,
                   "SELECT count(*) FROM feed_rejection WHERE reason NOT LIKE 'Waarschuwing:%' AND"
                   " instr(reason, ?1) > 0",
                   why[i]) != 1)
      fail_msg("no rejection names '%s'", why[i]);
  }
  assert_int_equal(
      count(st, "SELECT count(*) FROM service WHERE name = 'Goede dienst tussen de slechte'"), 1);
  /* An area we cannot place is no defect of HSDS: the service is shown as
   * a service without an area would be (no address here: landelijk), with
   * the publisher's words on the area, and the feed is warned. */
  assert_string_equal(areas_of(st, "Dienst in Atlantis"), "landelijk");
  assert_int_equal(count(st, "SELECT count(*) FROM service_area a JOIN service s ON s.rid ="
                             " a.service_rid WHERE s.name = 'Dienst in Atlantis' AND a.note ="
                             " 'Werkgebied volgens de aanbieder: Atlantis'"),
                   1);
  assert_true(warned(st, "werkgebied dat we niet kennen (bijvoorbeeld 'Atlantis')"));
  sk_store_close(st);

  /* The same unplaceable area with a feed default: the default. */
  st = th_store_with_taxonomy("tp-defects2.db");
  rep = run_one(st, "hsds", data_path("tests/data/hsds/thirdparty/defects.json"),
                "{\"municipality\": \"huizen\"}");
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE name = 'Dienst in Atlantis'"), 1);
  assert_string_equal(areas_of(st, "Dienst in Atlantis"), "huizen");
  sk_store_close(st);
}

/* The redactie's list of automatisch ingedeelde services, and confirming. */
static void test_redactie_list_and_confirm(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("tp-portal.db");
  struct ix_feed_report rep = run_one(
      st, "hsds", data_path("tests/data/hsds/thirdparty/plain_list.json"), NULL);
  assert_false(rep.failed);
  assert_int_equal(sk_store_exec(st,
                                 "INSERT INTO account(id, email, name, role, trusted, created)"
                                 " VALUES('red', 'red@example.org', 'Redactie', 'redacteur', 0,"
                                 " '2026-01-01T00:00:00Z'), ('par', 'par@example.org', 'Partner',"
                                 " 'partner', 1, '2026-01-01T00:00:00Z')"),
                   SK_OK);
  struct sk_actor red, par;
  assert_int_equal(sk_portal_actor_load(st, "red", &red), SK_OK);
  assert_int_equal(sk_portal_actor_load(st, "par", &par), SK_OK);
  struct sk_portal p;
  sk_portal_init(&p, st, th_taxonomy());
  struct sk_portal_result r;
  sk_portal_auto_list(&p, &par, &r);
  assert_int_equal(r.http, 403); /* only the redactie */
  sk_portal_result_free(&r);
  sk_portal_auto_list(&p, &red, &r);
  assert_int_equal(r.http, 200);
  json_t *items = json_object_get(r.body, "items");
  assert_int_equal(json_array_size(items), 10);
  const char *id = NULL;
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    if (strcmp(json_string_value(json_object_get(it, "name")), "Schuldhulpmaatje") == 0) {
      id = json_string_value(json_object_get(it, "id"));
      assert_string_equal(json_string_value(json_array_get(json_object_get(it, "needs"), 0)),
                          "geld.schulden");
      assert_string_equal(json_string_value(json_array_get(json_object_get(it, "access"), 0)),
                          "onbekend");
    }
  }
  assert_non_null(id);
  char sid[64];
  snprintf(sid, sizeof sid, "%s", id);
  sk_portal_result_free(&r);
  sk_portal_auto_confirm(&p, &red, sid, &r);
  assert_int_equal(r.http, 200);
  sk_portal_result_free(&r);
  sk_portal_auto_confirm(&p, &red, sid, &r); /* not on the list any more */
  assert_int_equal(r.http, 404);
  sk_portal_result_free(&r);
  sk_portal_auto_list(&p, &red, &r);
  assert_int_equal(json_array_size(json_object_get(r.body, "items")), 9);
  sk_portal_result_free(&r);
  assert_int_equal(
      count_with(st,
                 "SELECT count(*) FROM change_log WHERE entity = 'service' AND"
                 " entity_id = ?1 AND field = 'classification' AND new_value = 'bevestigd'",
                 sid),
      1);
  /* the same feed again, unchanged: the confirmation stays */
  rep = run_one(st, "hsds", data_path("tests/data/hsds/thirdparty/plain_list.json"), NULL);
  assert_false(rep.failed);
  sk_portal_auto_list(&p, &red, &r);
  assert_int_equal(json_array_size(json_object_get(r.body, "items")), 9);
  sk_portal_result_free(&r);
  sk_store_close(st);
}

/* ------------------------------------------------------------- schedules */

/* Unix seconds of a Dutch local time in the winter (UTC+1). */
static int64_t cet(int y, int mo, int d, int h, int mi) {
  struct tm t = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
  return (int64_t)timegm(&t) - 3600;
}
/* ... and in the summer (UTC+2). */
static int64_t cest(int y, int mo, int d, int h, int mi) { return cet(y, mo, d, h, mi) - 3600; }

/* Is the service with this name open at t, as the search sees it? */
static int open_at_time(struct sk_searcher *se, const char *name, int64_t t) {
  struct sk_search_query q;
  sk_search_query_init(&q);
  q.open_now = 1;
  q.now = t;
  q.per_page = 50;
  struct sk_search_result *r = NULL;
  struct sk_search_error e;
  assert_int_equal(sk_search(se, &q, &r, &e), SK_OK);
  int found = 0;
  for (size_t i = 0; i < r->n_items; i++)
    found |= strcmp(r->items[i].name, name) == 0;
  sk_search_result_free(r);
  return found;
}

static void test_schedules_in_full(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("tp-sched.db");
  struct ix_feed_report rep = run_one(st, "hsds",
                                      data_path("tests/data/hsds/thirdparty/schedules.json"), NULL);
  assert_false(rep.failed);
  assert_int_equal(n_rejections(st), 0);
  /* overnight: Monday 22:00 to Tuesday 08:00 is two rows */
  assert_int_equal(count(st,
                         "SELECT count(*) FROM schedule h JOIN service s ON s.rid = h.service_rid"
                         " WHERE s.name = 'Nachtopvang'"),
                   14);
  /* 00:00-24:00 all week */
  assert_int_equal(
      count(st, "SELECT count(*) FROM schedule h JOIN service s ON s.rid = h.service_rid"
                " WHERE s.name = 'Crisisdienst' AND opens_at = '00:00' AND closes_at = '24:00'"),
      7);
  /* a season, and until */
  assert_int_equal(count(st,
                         "SELECT count(*) FROM schedule h JOIN service s ON s.rid = h.service_rid"
                         " WHERE s.name = 'Zomerschool' AND valid_from = '2026-07-01' AND"
                         " valid_to = '2026-08-31'"),
                   2);
  assert_int_equal(count(st,
                         "SELECT count(*) FROM schedule h JOIN service s ON s.rid = h.service_rid"
                         " WHERE s.name = 'Cursus omgaan met geld' AND valid_to = '2026-03-31'"),
                   1);
  /* every other week from 2026-01-08: dated rows, 14 days apart */
  assert_true(count(st, "SELECT count(*) FROM schedule h JOIN service s ON s.rid = h.service_rid"
                        " WHERE s.name = 'Alzheimercafé'") >= 12);
  assert_int_equal(
      count(st, "SELECT count(*) FROM schedule h JOIN service s ON s.rid = h.service_rid"
                " WHERE s.name = 'Alzheimercafé' AND (valid_from <> valid_to OR"
                " CAST(julianday(valid_from) - julianday('2026-01-08') AS INTEGER) % 14 <> 0)"),
      0);
  /* the first Tuesday of the month */
  assert_int_equal(count(st,
                         "SELECT count(*) FROM schedule h JOIN service s ON s.rid = h.service_rid"
                         " WHERE s.name = 'Mantelzorgcafé' AND (weekday <> 2 OR"
                         " CAST(substr(valid_from, 9, 2) AS INTEGER) > 7)"),
                   0);

  struct sk_searcher *se = sk_searcher_new(st, th_taxonomy());
  assert_non_null(se);
  /* Tuesday 2026-11-03 03:00 and Monday 23:00: the night shelter is open;
   * Tuesday 12:00 not. */
  assert_true(open_at_time(se, "Nachtopvang", cet(2026, 11, 3, 3, 0)));
  assert_true(open_at_time(se, "Nachtopvang", cet(2026, 11, 2, 23, 0)));
  assert_false(open_at_time(se, "Nachtopvang", cet(2026, 11, 3, 12, 0)));
  assert_true(open_at_time(se, "Crisisdienst", cet(2026, 11, 8, 4, 30)));
  /* the summer school only in its season */
  assert_true(open_at_time(se, "Zomerschool", cest(2026, 7, 2, 11, 0))); /* a Thursday in July */
  assert_false(
      open_at_time(se, "Zomerschool", cet(2026, 11, 5, 11, 0))); /* a Thursday in November */
  assert_false(
      open_at_time(se, "Cursus omgaan met geld", cet(2026, 11, 4, 20, 0))); /* after until */
  /* every other Thursday: 2026-11-12 yes, 2026-11-19 no (window of November: TEST_NOW) */
  assert_true(open_at_time(se, "Alzheimercafé", cet(2026, 11, 12, 20, 0)));
  assert_false(open_at_time(se, "Alzheimercafé", cet(2026, 11, 19, 20, 0)));
  /* first Tuesday of December, not the second */
  assert_true(open_at_time(se, "Mantelzorgcafé", cet(2026, 12, 1, 15, 0)));
  assert_false(open_at_time(se, "Mantelzorgcafé", cet(2026, 12, 8, 15, 0)));
  sk_searcher_free(se);
  sk_store_close(st);
}

/* ------------------------------------------------------------- encodings */

static void test_windows1252_and_nul(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("tp-1252.db");
  struct ix_feed_report rep = run_one(
      st, "hsds", data_path("tests/data/hsds/thirdparty/windows1252.json"), NULL);
  assert_false(rep.failed);
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE name = 'Café De Brink' AND"
                             " description LIKE '%praatje – iedereen%'"),
                   1);
  assert_true(warned(st, "byte 0xE9 op regel"));
  sk_store_close(st);

  /* the project's own Latin-1 calendar now goes through index */
  st = th_store_with_taxonomy("tp-latin1.db");
  rep = run_one(st, "ical", data_path("tests/data/ical/latin1.ics"),
                "{\"organization\": \"Buurthuis\", \"municipality\": \"laren\", \"needs\": "
                "[\"ontmoeten.activiteiten\"]}");
  if (rep.failed)
    fail_msg("latin1.ics: %s", rep.error);
  assert_true(count(st, "SELECT count(*) FROM service WHERE kind = 'activiteit'") >= 1);
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE name LIKE '%é%' OR"
                             " description LIKE '%é%'") >= 1,
                   1);
  assert_true(warned(st, "Windows-1252"));
  sk_store_close(st);

  /* a NUL byte is a clear rejection of the whole file; earlier data stays */
  const char nul[] = "[{\"id\": \"a\", \"name\": \"x\0y\", \"status\": \"active\"}]";
  th_write_file(th_path("nul.json"), nul, sizeof nul - 1);
  st = th_store_with_taxonomy("tp-nul.db");
  char nul_path[1024];
  if (!realpath(th_path("nul.json"), nul_path))
    fail_msg("nul.json");
  rep = run_one(st, "hsds", nul_path, NULL);
  assert_true(rep.failed);
  assert_non_null(strstr(rep.error, "NUL-teken"));
  sk_store_close(st);
}

/* ----------------------------------------------------------------- corpus */

static void test_specification_and_uk_examples(void **state) {
  (void)state;
  const char *root = th_corpora_dir();
  static const char *const dirs[] = {"hsds/openreferral-specification-3.0/examples",
                                     "hsds/openreferral-specification-3.1-dev/examples",
                                     "hsds/uk-profile/examples"};
  int files = 0, with_services = 0, services = 0, refused = 0, out_of_region = 0, kept = 0;
  for (size_t d = 0; d < 3; d++) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", root, dirs[d]);
    DIR *dp = opendir(dir);
    if (!dp)
      fail_msg("corpus folder missing: %s", dir);
    struct dirent *e;
    while ((e = readdir(dp))) {
      size_t l = strlen(e->d_name);
      if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0)
        continue;
      char rel[2048], path[PATH_MAX];
      snprintf(rel, sizeof rel, "%s/%s", dir, e->d_name);
      if (!realpath(rel, path))
        fail_msg("no such file: %s", rel);
      files++;
      struct sk_store *st = th_store_with_taxonomy("corpus.db");
      struct ix_feed_report rep = run_one(st, "hsds", path, NULL);
      int records_only = strcmp(e->d_name, "organization_list.json") == 0 ||
                         strcmp(e->d_name, "location.json") == 0;
      if (rep.failed) {
        /* Only documents our model cannot hold (a taxonomy, its terms, the
         * API's base) may fail, saying what they are. */
        if (!strstr(rep.error, "Dit bestand bevat geen diensten, organisaties of locaties") ||
            records_only)
          fail_msg("%s failed: %s", path, rep.error);
        refused++;
      } else if (records_only) {
        /* An organisation or a location alone is kept as it is (the
         * location with the feed's partner as its organisation when it
         * names none the document holds). */
        if (n_rejections(st))
          fail_msg("%s: %lld rejections", path, n_rejections(st));
        long long n = count(st, "SELECT count(*) FROM organization WHERE source = 'feed:f' AND"
                                " name = 'Example Organization Inc.'") +
                      count(st, "SELECT count(*) FROM location WHERE source = 'feed:f' AND name ="
                                " 'MyCity Civic Center'");
        if (n != 1)
          fail_msg("%s: the organisation or location is not stored", path);
        assert_true(warned(st, "zonder dienst: we bewaren ze"));
        kept++;
      } else {
        with_services++;
        /* The examples' only service area is "The service is available
         * to all residents of the MyCity area …": not a place we know. The
         * service is accepted all the same (valid HSDS), shown where its
         * address is or else as landelijk, with the publisher's words on
         * the area; with a feed default (how an out-of-region feed is
         * registered) the default is its area. */
        long long rej = n_rejections(st);
        if (rej)
          fail_msg("%s: %lld rejections without a default", path, rej);
        out_of_region += (int)count(
            st, "SELECT count(*) FROM service_area WHERE note LIKE 'Werkgebied volgens de"
                " aanbieder: The service is available to all residents of the MyCity area%'");
        if (count(st, "SELECT count(*) FROM service WHERE status = 'active'") < 1)
          fail_msg("%s: no service", path);
        sk_store_close(st);
        st = th_store_with_taxonomy("corpus2.db");
        rep = run_one(st, "hsds", path, "{\"municipality\": \"huizen\"}");
        assert_false(rep.failed);
        if (n_rejections(st))
          fail_msg("%s: rejected with a default municipality", path);
        services += (int)count(st, "SELECT count(*) FROM service WHERE status = 'active'");
      }
      sk_store_close(st);
      remove(th_path("corpus.db"));
      remove(th_path("corpus2.db"));
    }
    closedir(dp);
  }
  print_message("hsds corpus through index: %d files, %d with services (%d services accepted; %d"
                " areas kept as the MyCity text without a default), %d with an organisation or"
                " location only, %d refused (taxonomies, terms, API base)\n",
                files, with_services, services, out_of_region, kept, refused);
  assert_int_equal(files, 36);
  /* 5 service, service_at_location and organization files in each of the
   * 3 folders, and the 3.0 and 3.1-dev tabular.json */
  assert_int_equal(with_services, 17);
  assert_int_equal(kept, 5);     /* organization_list.json x3, location.json x2 */
  assert_int_equal(refused, 14); /* before 3 December 2026: 19 */
  assert_true(services >= 17);
}

/* ------------------------------------------------------ publishers' shapes */

/* What a resident sees of one service: "name|min_age|source_modified|
 * phone number (phone description)|weekday opens-closes|areas|location
 * postcode". */
static const char *seen(struct sk_store *st, const char *name) {
  static char out[1024];
  char sql[2048];
  snprintf(sql, sizeof sql,
           "SELECT s.name || '|' || coalesce(s.min_age, '') || '|' ||"
           " coalesce(s.source_modified, '') || '|' ||"
           " coalesce((SELECT group_concat(number || ' (' || coalesce(description, '') || ')',"
           " ';') FROM phone WHERE service_rid = s.rid), '') || '|' ||"
           " coalesce((SELECT group_concat(weekday || ' ' || opens_at || '-' || closes_at, ';')"
           " FROM schedule WHERE service_rid = s.rid), '') || '|' ||"
           " coalesce((SELECT group_concat(area_code, ',') FROM service_area WHERE service_rid ="
           " s.rid), '') || '|' ||"
           " coalesce((SELECT group_concat(l.postal_code || ' ' || l.city, ';') FROM"
           " service_at_location x JOIN location l ON l.rid = x.location_rid WHERE"
           " x.service_rid = s.rid), '')"
           " FROM service s WHERE s.name = '%s' AND s.status = 'active'",
           name);
  return query_text(st, sql, out, sizeof out);
}

/* A paged answer with a UTF-8 BOM and CRLF line ends, null where text
 * belongs, numbers as text ("18", "52.2990"), fields of nobody's standard,
 * times as 9.30, last_modified as "2024-03-01 09:30:00+0100" and as a date,
 * a phone as tel:, a postcode in lower case; and one broken record (name
 * null): the good ones are read as a resident sees them, the broken one
 * has its own Dutch reason. */
static void test_publisher_shapes(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("shapes.db");
  struct ix_feed_report rep = run_one(
      st, "hsds", data_path("tests/data/hsds/shapes/bom_crlf_nulls.json"), NULL);
  if (rep.failed)
    fail_msg("%s", rep.error);
  assert_string_equal(seen(st, "Inloopspreekuur Geldzaken"),
                      "Inloopspreekuur Geldzaken|18|2024-03-01T09:30:00+01:00|035-5281234"
                      " (toestel 12)|2 09:30-12:00|huizen|1275 AB Huizen");
  assert_string_equal(seen(st, "Digitaal Spreekuur"),
                      "Digitaal Spreekuur||2024-03-01T00:00:00Z|||blaricum|");
  assert_int_equal(count(st, "SELECT count(*) FROM location WHERE name = 'Wijkcentrum De Draai'"
                             " AND abs(latitude - 52.299) < 1e-9 AND abs(longitude - 5.241) <"
                             " 1e-9"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM service s JOIN organization o ON o.rid ="
                             " s.organization_rid WHERE o.name = 'Stichting Geldwijs'"),
                   2);
  assert_int_equal(n_rejections(st), 1);
  assert_int_equal(count(st, "SELECT count(*) FROM feed_rejection WHERE reason NOT LIKE"
                             " 'Waarschuwing:%' AND record_key ="
                             " '5c4d3e2f-1a0b-4c9d-8e7f-6a5b4c3d2e21' AND reason LIKE"
                             " '%heeft geen naam%'"),
                   1);
  assert_true(warned(st, "HSDS service.x_internal_code: daar hebben we geen plek voor"));
  sk_store_close(st);
  remove(th_path("shapes.db"));

  /* A service naming an organisation the document does not hold (an API
   * serves them at /organizations): shown with the feed's partner under
   * that organisation's id, which the real one takes over later. */
  st = th_store_with_taxonomy("shapes2.db");
  static const char lone[] =
      "[{\"id\": \"5c4d3e2f-1a0b-4c9d-8e7f-6a5b4c3d2e30\", \"name\": \"Klussendienst\","
      " \"status\": \"active\", \"organization_id\": \"5c4d3e2f-1a0b-4c9d-8e7f-0000000000ff\","
      " \"service_areas\": [{\"name\": \"Laren\"}]}]";
  th_write_file(th_path("lone.json"), lone, sizeof lone - 1);
  rep = run_one(st, "hsds", th_path("lone.json"), NULL);
  assert_false(rep.failed);
  assert_int_equal(n_rejections(st), 0);
  assert_int_equal(count(st, "SELECT count(*) FROM service s JOIN organization o ON o.rid ="
                             " s.organization_rid WHERE s.name = 'Klussendienst' AND o.name = 'P'"
                             " AND o.id = '5c4d3e2f-1a0b-4c9d-8e7f-0000000000ff'"),
                   1);
  assert_true(warned(st, "noemen een organisatie die niet in de feed staat"));
  static const char with_org[] =
      "[{\"id\": \"5c4d3e2f-1a0b-4c9d-8e7f-6a5b4c3d2e30\", \"name\": \"Klussendienst\","
      " \"status\": \"active\", \"organization\": {\"id\":"
      " \"5C4D3E2F-1A0B-4C9D-8E7F-0000000000FF\", \"name\": \"Vrijwilligerscentrale Laren\"},"
      " \"service_areas\": [{\"name\": \"Laren\"}]}]";
  th_write_file(th_path("lone.json"), with_org, sizeof with_org - 1);
  rep = run_one(st, "hsds", th_path("lone.json"), NULL);
  assert_false(rep.failed);
  assert_int_equal(count(st, "SELECT count(*) FROM organization WHERE source = 'feed:f'"), 1);
  assert_int_equal(count(st, "SELECT count(*) FROM service s JOIN organization o ON o.rid ="
                             " s.organization_rid WHERE s.name = 'Klussendienst' AND o.name ="
                             " 'Vrijwilligerscentrale Laren' AND o.id ="
                             " '5c4d3e2f-1a0b-4c9d-8e7f-0000000000ff'"),
                   1);
  sk_store_close(st);
  remove(th_path("shapes2.db"));
}

/* The tabular package with the table and column names of HSDS 2.0
 * (physical_address.csv, regular_schedule.csv with weekday and 9:00 AM,
 * service_area.csv's service_area, language.csv's language,
 * eligibility.csv, service_taxonomy.csv and taxonomy.csv, service_attribute.csv
 * and taxonomy_term.csv), CRLF in
 * services.csv, a bare web address and a service without a name. */
static void test_csv_hsds2_naming(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("csv20.db");
  struct ix_feed_report rep = run_one(st, "hsds-csv", data_path("tests/data/hsds/csv20"), NULL);
  if (rep.failed)
    fail_msg("%s", rep.error);
  assert_string_equal(seen(st, "Taalcafe Eemnes"),
                      "Taalcafe Eemnes|16||035 538 1234 ()|4 09:00-13:00|eemnes|3755 CR Eemnes");
  /* eligibility.csv gives who it is for and the age; service_taxonomy.csv
   * with taxonomy.csv a term of another taxonomy, a hint for the
   * classifier: "Taalles" proposes the need for language. */
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE name = 'Taalcafe Eemnes' AND"
                             " eligibility_description = 'Voor nieuwkomers'"),
                   1);
  assert_true(warned(st, "taxonomie 'Open Eligibility' is niet de onze"));
  /* 2.0's service_attribute.csv + taxonomy_term.csv (term, taxonomy), and
   * the 1.x term: both kept as search words. */
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE name = 'Taalcafe Eemnes' AND"
                             " keywords = 'Conversatiegroep, Taalles'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE name = 'Taalcafe Eemnes' AND"
                             " url = 'https://www.taalcafe-eemnes.nl' AND fees_description ="
                             " 'Gratis' AND description LIKE '%Talen: Arabisch%'"),
                   1);
  assert_int_equal(n_rejections(st), 1);
  assert_int_equal(count(st, "SELECT count(*) FROM feed_rejection WHERE record_key = 'svc-2'"
                             " AND reason LIKE '%heeft geen naam%'"),
                   1);
  sk_store_close(st);
  remove(th_path("csv20.db"));
}

/* A page of the ORUK API 1.0 (HSDS 2.0 JSON, Spring's "content" envelope):
 * regular_schedules with weekday names, physical_addresses, country
 * "Nederland", accessibility_for_disabilities, eligibilitys, languages and
 * service_areas as {language}/{service_area} or plain text, organization
 * url, service_taxonomys. Before 3 December 2026 the whole page was
 * refused ("Het lijkt geen dienst"). */
static void test_oruk_api_v1_page(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("oruk.db");
  struct ix_feed_report rep = run_one(st, "hsds",
                                      data_path("tests/data/hsds/shapes/oruk_api_v1.json"), NULL);
  if (rep.failed)
    fail_msg("%s", rep.error);
  assert_int_equal(n_rejections(st), 0);
  assert_string_equal(seen(st, "Buurtkamer Huizen"),
                      "Buurtkamer Huizen|18|||1 09:00-12:00;3 13:30-16:00|huizen|1271 AB Huizen");
  assert_string_equal(seen(st, "Schuldhulp Blaricum"),
                      "Schuldhulp Blaricum|||035 765 4321 ()||blaricum|");
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE name = 'Buurtkamer Huizen' AND"
                             " eligibility_description = 'volwassenen' AND fees_description ="
                             " 'Gratis' AND description LIKE '%Talen: Nederlands, Arabisch%'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE name = 'Schuldhulp Blaricum'"
                             " AND description LIKE '%Talen: Nederlands, Engels%'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM location WHERE name = 'Wijkcentrum Oost' AND"
                             " municipality_code = 'huizen' AND accessibility ="
                             " 'Rolstoeltoegankelijk' || char(10) || 'Lift aanwezig'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM organization WHERE name = 'Stichting"
                             " Buurtwerk' AND website = 'https://buurtwerk.example.nl'"),
                   1);
  assert_true(warned(st, "namen van HSDS 1 of 2"));
  assert_true(warned(st, "HSDS service.holiday_schedules: afwijkende openingstijden"));
  assert_true(warned(st, "taxonomie 'esdServiceTypes' is niet de onze"));
  sk_store_close(st);
  remove(th_path("oruk.db"));
}

/* An API's /organizations and /locations in one list, no services: the
 * organisation, its location and a location of an organisation the list
 * does not hold are stored (that one under the feed's partner), with one
 * warning; a location's hours have no place without a service. Before 3
 * December 2026: refused ("Het lijkt een organisatie zonder diensten"). */
static void test_organizations_and_locations_alone(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("lone.db");
  struct ix_feed_report rep = run_one(
      st, "hsds", data_path("tests/data/hsds/shapes/organizations_locations.json"), NULL);
  if (rep.failed)
    fail_msg("%s", rep.error);
  assert_int_equal(n_rejections(st), 0);
  assert_int_equal(count(st, "SELECT count(*) FROM organization WHERE name = 'Vrijwilligerscentrale"
                             " Eemnes' AND website = 'https://vce.example.nl' AND status ="
                             " 'active' AND EXISTS (SELECT 1 FROM phone p WHERE"
                             " p.organization_rid = organization.rid AND p.number = '035 538"
                             " 0000')"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM location l JOIN organization o ON o.rid ="
                             " l.organization_rid WHERE l.name = 'Dorpshuis Eemnes' AND"
                             " l.municipality_code = 'eemnes' AND o.name = 'Vrijwilligerscentrale"
                             " Eemnes'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM location l JOIN organization o ON o.rid ="
                             " l.organization_rid WHERE l.name = 'Bibliotheek Laren' AND"
                             " l.municipality_code = 'laren' AND o.name = 'P' AND o.id ="
                             " '9e8d7c6b-0000-4000-8000-0000000000ff'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM service"), 0);
  assert_true(warned(st, "1 organisatie(s) en 2 locatie(s) zonder dienst"));
  assert_true(warned(st, "openingstijden bewaren we bij een dienst"));
  sk_store_close(st);
  remove(th_path("lone.db"));
}

/* A package a partner saved from Dutch Excel: semicolons, Windows-1252,
 * CRLF, headers as typed ("Organization ID", "Opens at"), a description
 * with a line break and a ';' in quotes, days as "ma,wo", times as 9:30,
 * dates as 1-1-2026 and "3-12-2026 9:30" (Dutch time), coordinates with a
 * decimal comma (once in swapped columns), Excel's "sep=;" line
 * (organizations.csv), country "Nederland", and both schedules.csv and an older
 * regular_schedules.csv. Every service, its hours from both files, its
 * location and the organisation without a service are kept. */
static void test_excel_package(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("excel.db");
  struct ix_feed_report rep = run_one(st, "hsds-csv", data_path("tests/data/hsds/excel"), NULL);
  if (rep.failed)
    fail_msg("%s", rep.error);
  assert_int_equal(n_rejections(st), 0);
  assert_string_equal(seen(st, "Koffie-inloop Caf\u00e9 De Hoek"),
                      "Koffie-inloop Caf\u00e9 De Hoek||2026-12-03T09:30:00+01:00||"
                      "1 09:30-11:30;3 09:30-11:30|huizen|1271 AD Huizen");
  assert_string_equal(
      seen(st, "Taalmaatje Laren"),
      "Taalmaatje Laren|18|2026-11-24T00:00:00Z||4 19:00-21:00|laren|1271 AD Huizen");
  assert_int_equal(count(st, "SELECT count(*) FROM schedule WHERE valid_from = '2026-01-01' AND"
                             " valid_to = '2026-12-31'"),
                   2);
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE description = 'Elke week koffie;"
                             " iedereen is welkom.' || char(10) || 'Neem gerust iemand mee.'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM location WHERE name = 'Buurthuis De Hoek' AND"
                             " abs(latitude - 52.2991) < 1e-9 AND abs(longitude - 5.2413) < 1e-9"),
                   1);
  /* The organisation and location of no service: kept, with a warning;
   * its coordinates were typed in the wrong columns (5,2502;52,2931). */
  assert_int_equal(count(st, "SELECT count(*) FROM location l JOIN organization o ON o.rid ="
                             " l.organization_rid WHERE l.name = 'Clubhuis Zuid' AND o.name ="
                             " 'Buurtvereniging Zuid' AND l.municipality_code = 'laren' AND"
                             " abs(l.latitude - 52.2931) < 1e-9 AND abs(l.longitude - 5.2502) <"
                             " 1e-9"),
                   1);
  assert_true(warned(st, "latitude en longitude waren omgewisseld"));
  assert_true(warned(st, "zowel schedules.csv als regular_schedules.csv; we lezen ze allebei"));
  assert_true(warned(st, "1 organisatie(s) en 1 locatie(s) zonder dienst"));
  assert_true(warned(st, "gelezen als Windows-1252"));
  sk_store_close(st);
  remove(th_path("excel.db"));
}

/* One object a line (HSDS's format=ndjson, CRLF), statuses as people
 * write them ("Actief ", temporarily_closed, opgeheven), an every-day
 * schedule (freq DAILY), byday as a list, country "The Netherlands" and
 * address_type "Physical". Before 3 December 2026 the file was not JSON
 * to us, and each of these services would have been rejected or lost its
 * hours or municipality. */
static void test_ndjson_and_variants(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("ndjson.db");
  struct ix_feed_report rep = run_one(
      st, "hsds", data_path("tests/data/hsds/shapes/ndjson_variants.ndjson"), NULL);
  if (rep.failed)
    fail_msg("%s", rep.error);
  assert_int_equal(n_rejections(st), 0);
  assert_string_equal(seen(st, "Telefooncirkel Huizen"),
                      "Telefooncirkel Huizen||||1 10:00-11:00;2 10:00-11:00;3 10:00-11:00;"
                      "4 10:00-11:00;5 10:00-11:00;6 10:00-11:00;7 10:00-11:00|huizen|");
  assert_string_equal(seen(st, "Repair Cafe Laren"),
                      "Repair Cafe Laren||||6 10:00-13:00|laren|1251 HJ Laren");
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE name = 'Repair Cafe Laren' AND"
                             " description LIKE 'Let op: deze dienst is tijdelijk gesloten.%'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE source_key = 'nd-3'"), 0);
  assert_true(warned(st, "status 'defunct': de dienst is niet overgenomen"));
  sk_store_close(st);
  remove(th_path("ndjson.db"));
}

/* One hsds feed at an http address into st; its report. */
static struct ix_feed_report run_url(struct sk_store *st, const char *url) {
  return th_run_feed_at(st, "f", "hsds", url, NULL, TEST_NOW);
}

/* A feed registered with its page in the address ("?per_page=1&page=1"):
 * the next page is "&page=2" in its place; before, "&page=2" was added
 * after "page=1", and a server that reads the first one served page 1
 * again (every service a duplicate). */
static void test_page_parameter_replaced(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/list?per_page=1&page=2&lang=nl",
       .body = "{\"contents\": [{\"id\": \"pp-2\", \"name\": \"Tweede\", \"status\": \"active\","
               " \"service_areas\": [{\"name\": \"Laren\"}]}], \"total_pages\": 2,"
               " \"page_number\": 2}"},
      {.path = "/list?per_page=1&page=1&lang=nl",
       .body = "{\"contents\": [{\"id\": \"pp-1\", \"name\": \"Eerste\", \"status\": \"active\","
               " \"service_areas\": [{\"name\": \"Huizen\"}]}], \"total_pages\": 2,"
               " \"page_number\": 1}"},
  };
  struct th_fault_server *srv = th_fault_start(routes, 2, 8);
  char url[256];
  snprintf(url, sizeof url, "%s", th_fault_url(srv, "/list?per_page=1&page=1&lang=nl"));
  struct sk_store *st = th_store_with_taxonomy("pp.db");
  struct ix_feed_report rep = run_url(st, url);
  if (rep.failed)
    fail_msg("%s", rep.error);
  assert_int_equal(n_rejections(st), 0);
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE status = 'active' AND name IN"
                             " ('Eerste', 'Tweede')"),
                   2);
  assert_int_equal(th_fault_hits(srv, "/list?per_page=1&page=2&lang=nl"), 1);
  th_fault_stop(srv);
  sk_store_close(st);
  remove(th_path("pp.db"));
}

/* A feed registered with the API's root (what the ORUK validator is
 * given): that answers the base ({"version", "openapi_url"}); its
 * services are at /services, read with a warning to register that.
 * Before 3 December 2026 the feed was refused. */
static void test_api_root_followed(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/hsds/", .body = "{\"version\": \"3.0\", \"openapi_url\": \"/hsds/openapi.json\"}"},
      {.path = "/hsds/services",
       .body = "{\"contents\": [{\"id\": \"root-1\", \"name\": \"Via de API\", \"status\":"
               " \"active\", \"service_areas\": [{\"name\": \"Eemnes\"}]}], \"total_pages\": 1}"},
  };
  struct th_fault_server *srv = th_fault_start(routes, 2, 8);
  char url[256];
  snprintf(url, sizeof url, "%s", th_fault_url(srv, "/hsds/"));
  struct sk_store *st = th_store_with_taxonomy("root.db");
  struct ix_feed_report rep = run_url(st, url);
  if (rep.failed)
    fail_msg("%s", rep.error);
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE name = 'Via de API' AND status ="
                             " 'active'"),
                   1);
  assert_true(warned(st, "de beschrijving van een HSDS-API; we lezen de diensten van"));
  assert_int_equal(th_fault_hits(srv, "/hsds/services"), 1);
  th_fault_stop(srv);
  sk_store_close(st);
  remove(th_path("root.db"));
}

/* A Spring-paged API (the ORUK API 1.0) counts pages from 0: after the
 * first page ("number": 0, "totalPages": 2) the indexer asks ?page=1, not
 * ?page=2 (which would skip the second page and ask one past the end). */
static void test_zero_based_pages(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/services?page=1",
       .body = "{\"content\": [{\"id\": \"zp-2\", \"name\": \"Tweede pagina\", \"status\":"
               " \"active\", \"service_areas\": [{\"name\": \"Laren\"}]}], \"totalPages\": 2,"
               " \"number\": 1, \"first\": false, \"last\": true}"},
      {.path = "/services?page=2", .status = 404},
      {.path = "/services",
       .body = "{\"content\": [{\"id\": \"zp-1\", \"name\": \"Eerste pagina\", \"status\":"
               " \"active\", \"service_areas\": [{\"name\": \"Huizen\"}]}], \"totalPages\": 2,"
               " \"totalElements\": 2, \"number\": 0, \"size\": 1, \"first\": true, \"last\":"
               " false}"},
  };
  struct th_fault_server *srv = th_fault_start(routes, 3, 8);
  char url[256];
  snprintf(url, sizeof url, "%s", th_fault_url(srv, "/services"));
  struct sk_store *st = th_store_with_taxonomy("zp.db");
  struct ix_feed_report rep = run_url(st, url);
  if (rep.failed)
    fail_msg("%s", rep.error);
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE status = 'active' AND name IN"
                             " ('Eerste pagina', 'Tweede pagina')"),
                   2);
  assert_int_equal(th_fault_hits(srv, "/services?page=1"), 1);
  assert_int_equal(th_fault_hits(srv, "/services?page=2"), 0);
  th_fault_stop(srv);
  sk_store_close(st);
  remove(th_path("zp.db"));
}

/* Records numbered instead of named (the Ohana API and other older APIs
 * give ids as JSON numbers): read by the text of the number, links
 * included. Before 3 December 2026 each such service was rejected ("heeft
 * geen id (tekst)"). */
static void test_numeric_ids(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("numids.db");
  struct ix_feed_report rep = run_one(st, "hsds",
                                      data_path("tests/data/hsds/shapes/numeric_ids.json"), NULL);
  if (rep.failed)
    fail_msg("%s", rep.error);
  assert_int_equal(n_rejections(st), 0);
  assert_string_equal(seen(st, "Uitgiftepunt Voedselbank Huizen"),
                      "Uitgiftepunt Voedselbank Huizen||||5 14:00-16:00|huizen|1271 AB Huizen");
  assert_int_equal(count(st, "SELECT count(*) FROM service s JOIN organization o ON o.rid ="
                             " s.organization_rid WHERE o.name = 'Voedselbank Het Gooi' AND"
                             " o.source_key = '7' AND s.source_key IN ('1', '2')"),
                   2);
  sk_store_close(st);
  remove(th_path("numids.db"));
}

/* Valid HSDS has no length limits and any number for an age: a
 * description of 6000 characters (a phone description, an address of 600)
 * is cut at a word with "…", a maximum age of 150 is no upper limit; the
 * service is accepted. Before 3 December
 * 2026 the validator rejected both ("te lang", "0 tot en met 120"). */
static void test_long_text_and_high_age(void **state) {
  (void)state;
  struct sk_buf doc;
  sk_buf_init(&doc, 1 << 20);
  assert_int_equal(sk_buf_addstr(&doc, "[{\"id\": \"long-1\", \"name\": \"Lange tekst\","
                                       " \"status\": \"active\", \"maximum_age\": 150,"
                                       " \"service_areas\": [{\"name\": \"Huizen\"}],"
                                       " \"description\": \""),
                   SK_OK);
  for (int i = 0; i < 1000; i++)
    assert_int_equal(sk_buf_addstr(&doc, "hulp "), SK_OK); /* 5000 characters */
  assert_int_equal(sk_buf_addstr(&doc, "en nog meer tekst daarna.\", \"phones\": [{\"number\":"
                                       " \"035 123 4567\", \"description\": \""),
                   SK_OK);
  for (int i = 0; i < 150; i++) /* 600 characters: over the 500 of a phone's description */
    assert_int_equal(sk_buf_addstr(&doc, "bel "), SK_OK);
  assert_int_equal(sk_buf_addstr(&doc, "\"}], \"service_at_locations\": [{\"location\": {\"id\":"
                                       " \"long-loc\", \"name\": \"Buurthuis\", \"addresses\":"
                                       " [{\"city\": \"Huizen\", \"address_1\": \""),
                   SK_OK);
  for (int i = 0; i < 150; i++)
    assert_int_equal(sk_buf_addstr(&doc, "weg "), SK_OK);
  assert_int_equal(sk_buf_addstr(&doc, "\"}]}}]}]"), SK_OK);
  th_write_file(th_path("long.json"), sk_buf_str(&doc), doc.len);
  sk_buf_free(&doc);
  struct sk_store *st = th_store_with_taxonomy("long.db");
  struct ix_feed_report rep = run_one(st, "hsds", th_path("long.json"), NULL);
  if (rep.failed)
    fail_msg("%s", rep.error);
  assert_int_equal(n_rejections(st), 0);
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE name = 'Lange tekst' AND status ="
                             " 'active' AND max_age IS NULL AND length(description) <= 5000 AND"
                             " description LIKE 'hulp hulp%hulp…'"),
                   1);
  assert_true(
      warned(st, "HSDS service.description: langer dan 5000 tekens; we hebben het ingekort"));
  assert_true(warned(st, "boven 120 jaar: we lezen het als geen bovengrens"));
  /* A phone description and an address over 500: cut, the phone and the
   * location kept (a rejected location used to take its service along). */
  assert_int_equal(count(st, "SELECT count(*) FROM phone WHERE number = '035 123 4567' AND"
                             " length(description) <= 500 AND description LIKE 'bel bel%…'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM location WHERE name = 'Buurthuis' AND"
                             " length(address) <= 500 AND address LIKE 'weg weg%…'"),
                   1);
  sk_store_close(st);
  remove(th_path("long.db"));
}

/* The spreadsheet itself instead of its CSV (an .xlsx is a zip of XML):
 * refused as a package and as a sheet, saying how to save it as CSV. */
static void test_excel_file_is_refused_clearly(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("xlsx.db");
  struct ix_feed_report rep = run_one(st, "hsds-csv", data_path("tests/data/hsds/sheet.xlsx"),
                                      NULL);
  assert_true(rep.failed);
  assert_non_null(strstr(rep.error, "Excel- of LibreOffice-bestand"));
  assert_non_null(strstr(rep.error, "CSV UTF-8"));
  rep = run_one(st, "csv", data_path("tests/data/hsds/sheet.xlsx"), NULL);
  assert_true(rep.failed);
  assert_non_null(strstr(rep.error, "Dit is een Excel- of zip-bestand"));
  sk_store_close(st);
  remove(th_path("xlsx.db"));
}

/* Empty documents: an empty file (or only a BOM and a line end) says so in
 * Dutch and keeps the feed's data; an empty list or an empty page is a
 * valid answer with no services. */
static void test_empty_documents(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("empty.db");
  th_write_file(th_path("empty.json"), "", 0);
  struct ix_feed_report rep = run_one(st, "hsds", th_path("empty.json"), NULL);
  assert_true(rep.failed);
  assert_non_null(strstr(rep.error, "Het HSDS-bestand is leeg"));
  th_write_file(th_path("empty.json"), "\xEF\xBB\xBF\r\n", 5);
  rep = run_one(st, "hsds", th_path("empty.json"), NULL);
  assert_true(rep.failed);
  assert_non_null(strstr(rep.error, "Het HSDS-bestand is leeg"));
  static const char page[] = "{\"total_items\": 0, \"total_pages\": 0, \"page_number\": 1, "
                             "\"size\": 0, \"first_page\": true, \"last_page\": true, "
                             "\"empty\": true, \"contents\": []}";
  th_write_file(th_path("empty.json"), page, sizeof page - 1);
  rep = run_one(st, "hsds", th_path("empty.json"), NULL);
  assert_false(rep.failed);
  assert_int_equal(n_rejections(st), 0);
  sk_store_close(st);
  remove(th_path("empty.db"));
}

/* ------------------------------------------------------------- identity */

/* A feed's UUIDs in upper or mixed case, in braces or as urn:uuid: are
 * the publisher's identity: kept as our ids in canonical lower case, and
 * the links between records (organization_id, location_id) resolve
 * whatever case each side writes. Reading the feed again in another case
 * matches the same records. A key that is no UUID keeps its case. */
static void test_uuid_case_kept(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("uuidcase.db");
  struct ix_feed_report rep = run_one(st, "hsds", data_path("tests/data/hsds/uuid_case.json"),
                                      NULL);
  if (rep.failed)
    fail_msg("%s", rep.error);
  assert_int_equal(n_rejections(st), 0);
  static const char *const svc[][2] = {
      {"6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "Formulierenhulp Huizen"},
      {"7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "Belastinghulp Huizen"},
      {"8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "Toeslagenspreekuur Huizen"},
  };
  char sql[512];
  for (size_t i = 0; i < 3; i++) {
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM service s JOIN organization o ON o.rid = s.organization_rid"
             " WHERE s.id = '%s' AND s.name = '%s' AND s.status = 'active'"
             " AND o.id = 'a1b2c3d4-e5f6-4711-8899-aabbccddeeff'",
             svc[i][0], svc[i][1]);
    if (count(st, sql) != 1)
      fail_msg("service %s (%s) lost its id or its organisation", svc[i][1], svc[i][0]);
  }
  /* One organisation and one location, whatever case each reference used. */
  assert_int_equal(count(st, "SELECT count(*) FROM organization WHERE source = 'feed:f'"), 1);
  assert_int_equal(count(st, "SELECT count(*) FROM organization WHERE name ="
                             " 'Stichting Papierwijzer' AND id ="
                             " 'a1b2c3d4-e5f6-4711-8899-aabbccddeeff'"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM location WHERE source = 'feed:f'"), 1);
  assert_int_equal(count(st, "SELECT count(*) FROM service_at_location x JOIN location l ON"
                             " l.rid = x.location_rid JOIN service s ON s.rid = x.service_rid"
                             " WHERE l.id = 'b0b0b0b0-1111-4222-8333-c4c4c4c4c4c4' AND s.name IN"
                             " ('Formulierenhulp Huizen', 'Belastinghulp Huizen')"),
                   2);
  /* A key that is no UUID is kept as written (it may be case-sensitive). */
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE source_key ="
                             " 'Dienst-HOOFDLETTERS' AND organization_rid = (SELECT rid FROM"
                             " organization WHERE name = 'Stichting Papierwijzer')"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE source = 'feed:f'"), 4);

  /* The same feed with every UUID in lower case: the same records. */
  FILE *fp = fopen(data_path("tests/data/hsds/uuid_case.json"), "rb");
  assert_non_null(fp);
  static char text[8192];
  size_t n = fread(text, 1, sizeof text - 1, fp);
  fclose(fp);
  text[n] = '\0';
  static const char *const upper[] = {
      "6F1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D", "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF",
      "0F0E0D0C-0B0A-4909-8807-060504030201", "B0B0B0B0-1111-4222-8333-C4C4C4C4C4C4",
      "8A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D", "A1b2C3d4-E5f6-4711-8899-AaBbCcDdEeFf",
      "b0b0B0B0-1111-4222-8333-c4c4c4c4c4c4"};
  for (size_t i = 0; i < sizeof upper / sizeof upper[0]; i++) {
    char *p = strstr(text, upper[i]);
    assert_non_null(p);
    for (; p; p = strstr(p, upper[i]))
      for (size_t j = 0; j < 36; j++)
        if (p[j] >= 'A' && p[j] <= 'F')
          p[j] = (char)(p[j] - 'A' + 'a');
  }
  assert_null(strstr(text, "A1B2C3D4"));
  th_write_file(th_path("uuid_lower.json"), text, n);
  rep = run_one(st, "hsds", th_path("uuid_lower.json"), NULL);
  if (rep.failed)
    fail_msg("%s", rep.error);
  assert_int_equal(rep.stats.n_new, 0);
  assert_int_equal(rep.stats.n_withdrawn, 0);
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE source = 'feed:f'"), 4);
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE source = 'feed:f' AND status ="
                             " 'active' AND (id IN ('6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',"
                             " '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',"
                             " '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d') OR source_key ="
                             " 'Dienst-HOOFDLETTERS')"),
                   4);
  assert_int_equal(count(st, "SELECT count(*) FROM organization WHERE source = 'feed:f'"), 1);
  assert_int_equal(count(st, "SELECT count(*) FROM location WHERE source = 'feed:f'"), 1);
  sk_store_close(st);
  remove(th_path("uuidcase.db"));
}

/* The Ohana API's sample (HSDS 1.x tables: services belong to a location,
 * regular_schedules with weekday and 9am, US postcodes, San Mateo County
 * areas): every active service is read with its organisation, location,
 * phones and hours; the defunct and inactive ones are not. */
static void test_ohana_sample_csv(void **state) {
  (void)state;
  char dir[1024], path[PATH_MAX];
  snprintf(dir, sizeof dir, "%s/hsds/ohana-api/data/sample-csv", th_corpora_dir());
  if (!realpath(dir, path))
    fail_msg("corpus folder missing: %s", dir);
  struct sk_store *st = th_store_with_taxonomy("ohana.db");
  struct ix_feed_report rep = run_one(st, "hsds-csv", path, NULL);
  if (rep.failed)
    fail_msg("%s", rep.error);
  long long services = count(st, "SELECT count(*) FROM service WHERE status = 'active'");
  long long orgs = count(st, "SELECT count(*) FROM organization WHERE status = 'active'");
  long long locs = count(st, "SELECT count(*) FROM location WHERE status = 'active'");
  print_message("ohana-api sample-csv: %lld services, %lld organisations, %lld locations,"
                " %lld rejections\n",
                services, orgs, locs, n_rejections(st));
  assert_int_equal(n_rejections(st), 0);
  assert_int_equal(services, 21); /* 23 rows: one defunct, one inactive */
  assert_int_equal(orgs, 6);
  assert_int_equal(locs, 20);
  assert_string_equal(seen(st, "Passport Photos"),
                      "Passport Photos|||123-456-7890 (toestel 123);789-456-1230 (fax);"
                      "650-222-5555 (sms);650 372-6200 (toestel 123);650 627-8244 (fax);"
                      "800 372-6200 (hotline);650 372-6200 (tty, toestel 202)|1 08:00-12:00;"
                      "1 14:00-16:00;3 10:00-15:00|landelijk|");
  assert_int_equal(count(st, "SELECT count(*) FROM service_area a JOIN service s ON s.rid ="
                             " a.service_rid WHERE s.name = 'Passport Photos' AND a.note ="
                             " 'Werkgebied volgens de aanbieder: Alameda County, San Mateo"
                             " County'"),
                   1);
  /* A service is linked to its location, the organisation comes from it. */
  assert_int_equal(count(st, "SELECT count(*) FROM service s JOIN service_at_location x ON"
                             " x.service_rid = s.rid JOIN location l ON l.rid = x.location_rid"
                             " JOIN organization o ON o.rid = s.organization_rid WHERE s.name ="
                             " 'Fair Oaks Adult Activity Center' AND l.address = '2600"
                             " Middlefield Road' AND l.city = '94063 Redwood City' AND"
                             " l.postal_code IS NULL"),
                   1);
  assert_int_equal(count(st, "SELECT count(*) FROM service WHERE source_key IN ('20', '21')"), 0);
  sk_store_close(st);
  remove(th_path("ohana.db"));
}

/* The specification's field-guidance examples (docs/figures/field-guidance:
 * attributes, metadata, schedules), each as JSON and as CSV tables. Their
 * services name no organisation (valid: organization_id is optional):
 * they are shown with the feed's partner. The CSV writes empty cells as
 * "null". JSON and CSV give the same opening hours. */
static void test_field_guidance_examples(void **state) {
  (void)state;
  static const char *const vers[] = {"openreferral-specification-3.0",
                                     "openreferral-specification-3.1-dev"};
  static const struct {
    const char *dir, *json;
    int services;
  } ex[] = {{"attributes", "service.json", 2},
            {"metadata", "service.json", 1},
            {"schedules", "services.json", 1}};
  int runs = 0;
  for (size_t v = 0; v < 2; v++) {
    for (size_t e = 0; e < 3; e++) {
      char dir[1024], rel[1100], path[PATH_MAX], hours[2][2048];
      snprintf(dir, sizeof dir, "%s/hsds/%s/docs/figures/field-guidance/%s", th_corpora_dir(),
               vers[v], ex[e].dir);
      for (int k = 0; k < 2; k++) {
        snprintf(rel, sizeof rel, "%s%s%s", dir, k ? "" : "/", k ? "" : ex[e].json);
        if (!realpath(rel, path))
          fail_msg("corpus file missing: %s", rel);
        struct sk_store *st = th_store_with_taxonomy("guidance.db");
        struct ix_feed_report rep = run_one(st, k ? "hsds-csv" : "hsds", path, NULL);
        if (rep.failed)
          fail_msg("%s: %s", path, rep.error);
        if (n_rejections(st))
          fail_msg("%s: %lld rejections", path, n_rejections(st));
        assert_int_equal(count(st, "SELECT count(*) FROM service s JOIN organization o ON"
                                   " o.rid = s.organization_rid WHERE s.status = 'active' AND"
                                   " o.name = 'P'"),
                         ex[e].services);
        assert_true(warned(st, "zonder organisatie: we tonen ze bij de partner van de feed"));
        query_text(st,
                   "SELECT group_concat(weekday || ' ' || opens_at || '-' || closes_at || ' ' ||"
                   " coalesce(valid_from, '') || '/' || coalesce(valid_to, ''), ';') FROM (SELECT"
                   " * FROM schedule ORDER BY weekday, opens_at)",
                   hours[k], sizeof hours[k]);
        sk_store_close(st);
        remove(th_path("guidance.db"));
        runs++;
      }
      assert_string_equal(hours[0], hours[1]);
      if (strcmp(ex[e].dir, "schedules") == 0)
        assert_string_equal(hours[0], "1 09:00-12:00 2020-04-01/2020-12-20;"
                                      "1 15:00-17:00 2020-04-01/2020-12-20;"
                                      "2 09:00-12:00 2020-04-01/2020-12-20;"
                                      "2 15:00-17:00 2020-04-01/2020-12-20;"
                                      "3 09:00-12:00 2020-04-01/2020-12-20;"
                                      "3 15:00-17:00 2020-04-01/2020-12-20;"
                                      "4 09:00-12:00 2020-04-01/2020-12-20;"
                                      "4 15:00-17:00 2020-04-01/2020-12-20");
    }
  }
  print_message("field guidance examples: %d documents (JSON and CSV), all accepted\n", runs);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_valid_thirdparty_service_is_accepted),
      cmocka_unit_test(test_needs_are_proposed_and_unknown_access_cost),
      cmocka_unit_test(test_areas_as_people_write_them),
      cmocka_unit_test(test_bad_optional_fields_repaired_or_dropped),
      cmocka_unit_test(test_every_rejection_names_a_real_defect),
      cmocka_unit_test(test_windows1252_and_nul),
      cmocka_unit_test(test_schedules_in_full),
      cmocka_unit_test(test_redactie_list_and_confirm),
      cmocka_unit_test(test_uuid_case_kept),
      cmocka_unit_test(test_publisher_shapes),
      cmocka_unit_test(test_csv_hsds2_naming),
      cmocka_unit_test(test_empty_documents),
      cmocka_unit_test(test_oruk_api_v1_page),
      cmocka_unit_test(test_organizations_and_locations_alone),
      cmocka_unit_test(test_excel_package),
      cmocka_unit_test(test_ndjson_and_variants),
      cmocka_unit_test(test_excel_file_is_refused_clearly),
      cmocka_unit_test(test_zero_based_pages),
      cmocka_unit_test(test_page_parameter_replaced),
      cmocka_unit_test(test_api_root_followed),
      cmocka_unit_test(test_numeric_ids),
      cmocka_unit_test(test_long_text_and_high_age),
  };
  int failed = cmocka_run_group_tests_name("hsds import", tests, NULL, NULL);
  if (!th_corpora_dir()) {
    print_message("../shared/corpora is absent: the HSDS corpus test is skipped\n");
    return failed;
  }
  const struct CMUnitTest corpus[] = {cmocka_unit_test(test_specification_and_uk_examples),
                                      cmocka_unit_test(test_ohana_sample_csv),
                                      cmocka_unit_test(test_field_guidance_examples)};
  return failed + cmocka_run_group_tests_name("hsds import corpus", corpus, NULL, NULL);
}
