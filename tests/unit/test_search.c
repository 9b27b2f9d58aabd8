/* Search: understanding, filters, facets, ranking and hostile input, on a
 * small fixture corpus built here with SQL + sk_store_index_service. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helper_test.h"
#include "sk_err.h"
#include "sk_search.h"
#include "sk_search_int.h" /* sks_caps: the capped path on a small corpus */

/* Monday 2 March 2026 10:00 in Amsterdam (CET) */
#define MONDAY_10 1772442000LL

static struct sk_store *g_st;
static struct sk_searcher *g_s;

struct fx {
  const char *key, *org, *name, *desc, *needs, *tgs, *access, *cost, *areas;
  int min_age, max_age;
  const char *status, *assured, *kind, *keywords;
};

static const struct fx fixture[] = {
    {"shv-laren", "Gemeente Laren", "Schuldhulpverlening Laren",
     "Hulp als u schulden heeft of uw rekeningen niet kunt betalen.", "geld.schulden",
     "volwassenen", "vrij", "gratis", "laren", -1, -1, "active", "2026-01-10", "aanbod", NULL},
    {"shv-huizen", "Gemeente Huizen", "Schuldhulpverlening Huizen",
     "Hulp als u schulden heeft. Samen maken we een plan.", "geld.schulden", "volwassenen", "vrij",
     "gratis", "huizen", -1, -1, "active", "2026-01-10", "aanbod", NULL},
    {"budget", "Versa Welzijn", "Budgetcoach",
     "Een vrijwilliger helpt met uw administratie en post.", "geld.administratie", NULL,
     "aanmelden", "gratis", "hbel", -1, -1, "active", "2026-02-01", "aanbod", NULL},
    {"mantel", "Versa Welzijn", "Mantelzorgondersteuning",
     "Advies en een luisterend oor voor wie zorgt.", "mantelzorg.ondersteuning", "mantelzorgers",
     "vrij", "gratis", "bel", -1, -1, "active", "2026-02-01", "aanbod", NULL},
    {"taalcafe", "Bibliotheek Eemnes", "Taalcafé Eemnes", "Nederlands oefenen met koffie.",
     "taal.lezenschrijven", "nieuwkomers", "vrij", "gratis", "eemnes", -1, -1, "active",
     "2026-02-01", "activiteit", NULL},
    {"taalhuis", "Bibliotheek Huizen", "Taalhuis Huizen",
     "Taal leren en oefenen, ook lezen en schrijven.", "taal.lezenschrijven", "laaggeletterden",
     "vrij", "gratis", "huizen", -1, -1, "active", "2026-02-01", "aanbod", NULL},
    {"wijkcentrum", "Versa Welzijn", "Wijkcentrum De Kern",
     "Ontmoeting, koffie en activiteiten in de wijk.", "ontmoeten.activiteiten", NULL, "vrij",
     "gratis", "huizen", -1, -1, "active", "2026-02-01", "aanbod", NULL},
    {"alzheimer", "Versa Welzijn", "Alzheimercafé", "Voor mensen met dementie en hun naasten.",
     "geheugen.ontmoeten", "ouderen", "vrij", "gratis", "hbel", -1, -1, "active", "2026-02-01",
     "aanbod", NULL},
    {"113", "Stichting 113", "113 Zelfmoordpreventie", "Praat anoniem met iemand, dag en nacht.",
     "psychisch.crisis", NULL, "vrij", "gratis", "landelijk", -1, -1, "active", "2026-02-01",
     "aanbod", NULL},
    {"veiligthuis", "Veilig Thuis Gooi", "Veilig Thuis", "Advies en melden bij geweld in huis.",
     "veiligheid.huiselijkgeweld", NULL, "vrij", "gratis", "regio", -1, -1, "active", "2026-02-01",
     "aanbod", NULL},
    {"jeugd-hbl", "Jeugd en Gezin HBEL", "Jeugdhulp HBEL", "Hulp bij opgroeien en jeugdhulp.",
     "opvoeden.jeugdhulp", "jongeren", "verwijzing", "gratis", "hbel", 0, 17, "active",
     "2026-02-01", "aanbod", NULL},
    {"jeugd-eemnes", "Jeugdteam Amersfoort", "Jeugdhulp Eemnes (Amersfoort)",
     "Jeugdhulp voor kinderen en jongeren uit Eemnes.", "opvoeden.jeugdhulp", "jongeren",
     "verwijzing", "gratis", "eemnes", 0, 17, "active", "2026-02-01", "aanbod", NULL},
    {"shv-oud", "Gemeente Blaricum", "Schuldhulpverlening Blaricum oud", "Bestaat niet meer.",
     "geld.schulden", NULL, "vrij", "gratis", "blaricum", -1, -1, "withdrawn", "2026-01-01",
     "aanbod", NULL},
    {"huishoud", "Thuiszorg Laren", "Huishoudelijke hulp Laren", "Hulp bij schoonmaken.",
     "thuis.huishouden", "ouderen", "indicatie", "eigen-bijdrage", "laren", -1, -1, "active",
     "2020-01-01", "aanbod", NULL},
    {"huisarts", "Gezondheidscentrum Laren", "Huisarts Laren", "Uw huisarts in het dorp.",
     "gezondheid.leefstijl", NULL, "vrij", "vergoed", "laren", -1, -1, "active", "2026-02-01",
     "aanbod", NULL},
    {"gym", "Sportief Huizen", "Gym voor ouderen", "Bewegen in een groep.", "gezondheid.bewegen",
     "ouderen", "aanmelden", "betaald", "huizen", 55, -1, "active", "2026-02-01", "aanbod", NULL},
    /* a local crisis service without a number of its own (via the GP) */
    {"ggz-crisis", "GGZ Centraal", "GGZ-crisisdienst",
     "Bij een acute psychische crisis komt de crisisdienst langs via uw huisarts. Denkt u aan "
     "zelfmoord? Bel 113.",
     "psychisch.crisis", NULL, "verwijzing", "vergoed", "huizen", -1, -1, "active", "2026-02-01",
     "aanbod", NULL},
    /* "slapen" is a synonym of opvoedvragen (a child's sleep); sleeping at
     * friends' is being without a home */
    {"nachtopvang", "Leger des Heils", "Nachtopvang", "Een bed voor de nacht als u geen dak heeft.",
     "wonen.dakloos", NULL, "vrij", "gratis", "regio", -1, -1, "active", "2026-02-01", "aanbod",
     NULL},
    {"slaapspreekuur", "Jeugd en Gezin HBEL", "Slaapspreekuur",
     "Slaapt uw kind slecht? Vrienden en familie geven veel tips; wij helpen met slapen.",
     "opvoeden.vragen", NULL, "vrij", "gratis", "hbel", -1, -1, "active", "2026-02-01", "aanbod",
     NULL},
    /* only for professionals */
    {"pro-dementie", "Versa Welzijn", "Intervisie dementie",
     "Overleg voor wijkverpleegkundigen en consulenten over dementie.", "geheugen.casemanagement",
     "professionals", "verwijzing", "gratis", "hbel", -1, -1, "active", "2026-02-01", "aanbod",
     NULL},
    /* an activity: no assured_date, its calendar keeps it current */
    {"wandel", "Versa Welzijn", "Wandelgroep Blaricum", "Elke week samen wandelen in de natuur.",
     "gezondheid.bewegen", "ouderen", "vrij", "gratis", "blaricum", -1, -1, "active", NULL,
     "activiteit", NULL},
};

static void exec_ok(const char *sql) {
  if (sk_store_exec(g_st, sql) != SK_OK)
    fail_msg("%s: %s", sql, sqlite3_errmsg(g_st->db));
}

static long long org_rid(const char *name) {
  sqlite3_stmt *s;
  assert_int_equal(
      sqlite3_prepare_v2(
          g_st->db,
          "INSERT INTO organization(id, source, source_key, name, created, last_modified) "
          "VALUES(?1, 'portal', ?2, ?2, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z') "
          "ON CONFLICT(source, source_key) DO UPDATE SET name = excluded.name "
          "RETURNING rid",
          -1, &s, NULL),
      SQLITE_OK);
  char id[SK_UUID_LEN];
  sk_uuid_from_name(name, strlen(name), id);
  sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  long long rid = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return rid;
}

static void tax_rows(long long rid, const char *vocab, const char *codes) {
  if (!codes)
    return;
  char buf[256];
  snprintf(buf, sizeof buf, "%s", codes);
  for (char *save = NULL, *c = strtok_r(buf, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
    char sql[512];
    if (!strcmp(vocab, "area"))
      snprintf(sql, sizeof sql,
               "INSERT INTO service_area(service_rid, area_code) VALUES(%lld, '%s')", rid, c);
    else
      snprintf(sql, sizeof sql, "INSERT INTO service_taxonomy VALUES(%lld, '%s', '%s')", rid, vocab,
               c);
    exec_ok(sql);
  }
}

static long long add_fixture(const struct fx *f) {
  long long org = org_rid(f->org);
  sqlite3_stmt *s;
  assert_int_equal(
      sqlite3_prepare_v2(
          g_st->db,
          "INSERT INTO service(id, organization_rid, source, source_key, kind, name, description,"
          " keywords, min_age, max_age, status, assured_date, created, last_modified) "
          "VALUES(?1, ?2, 'portal', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, '2026-01-01T00:00:00Z',"
          " '2026-01-01T00:00:00Z')",
          -1, &s, NULL),
      SQLITE_OK);
  char id[SK_UUID_LEN];
  sk_uuid_from_name(f->key, strlen(f->key), id);
  sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, org);
  sqlite3_bind_text(s, 3, f->key, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 4, f->kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 5, f->name, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 6, f->desc, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 7, f->keywords, -1, SQLITE_STATIC);
  if (f->min_age >= 0)
    sqlite3_bind_int(s, 8, f->min_age);
  if (f->max_age >= 0)
    sqlite3_bind_int(s, 9, f->max_age);
  sqlite3_bind_text(s, 10, f->status, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 11, f->assured, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(s), SQLITE_DONE);
  sqlite3_finalize(s);
  long long rid = sqlite3_last_insert_rowid(g_st->db);
  tax_rows(rid, "need", f->needs);
  tax_rows(rid, "target_group", f->tgs);
  tax_rows(rid, "access", f->access);
  tax_rows(rid, "cost", f->cost);
  tax_rows(rid, "area", f->areas);
  return rid;
}

static int setup(void **state) {
  (void)state;
  g_st = th_store_with_taxonomy("search.db");
  exec_ok("BEGIN");
  for (size_t i = 0; i < sizeof fixture / sizeof fixture[0]; i++) {
    long long rid = add_fixture(&fixture[i]);
    static const struct {
      const char *key, *laws;
    } laws[] = {{"shv-laren", "wgs"},        {"shv-huizen", "wgs"}, {"shv-oud", "wgs"},
                {"huishoud", "wmo"},         {"mantel", "wmo"},     {"jeugd-hbl", "jeugdwet"},
                {"jeugd-eemnes", "jeugdwet"}};
    for (size_t k = 0; k < sizeof laws / sizeof laws[0]; k++)
      if (!strcmp(fixture[i].key, laws[k].key))
        tax_rows(rid, "law", laws[k].laws);
    if (!strcmp(fixture[i].key, "jeugd-hbl"))
      tax_rows(rid, "area", "eemnes"), /* the Eemnes route: adults only there */
          exec_ok(
              "UPDATE service_area SET min_age = 18, note = 'Jeugd uit Eemnes: via Amersfoort.' "
              "WHERE area_code = 'eemnes' AND service_rid = (SELECT rid FROM service WHERE "
              "source_key = 'jeugd-hbl')");
    if (!strcmp(fixture[i].key, "shv-laren")) {
      char sql[256];
      snprintf(sql, sizeof sql,
               "INSERT INTO schedule(service_rid, weekday, opens_at, closes_at) VALUES(%lld, 1, "
               "'09:00', '12:00')",
               rid);
      exec_ok(sql);
      snprintf(sql, sizeof sql,
               "INSERT INTO phone(service_rid, number, restricted) VALUES(%lld, '035 111', 0),"
               "(%lld, '035 999', 1)",
               rid, rid);
      exec_ok(sql);
      snprintf(sql, sizeof sql,
               "UPDATE service SET referral_contact = 'Bel de consulent' WHERE rid = %lld", rid);
      exec_ok(sql);
    }
    if (!strcmp(fixture[i].key, "113")) {
      char sql[256];
      snprintf(sql, sizeof sql, "INSERT INTO phone(service_rid, number) VALUES(%lld, '113')", rid);
      exec_ok(sql);
    }
    if (!strcmp(fixture[i].key, "taalcafe")) {
      char sql[512];
      snprintf(sql, sizeof sql,
               "INSERT INTO occurrence(service_rid, starts_at, start_utc, end_utc) VALUES"
               "(%lld, '2026-03-04T14:00:00+01:00', %lld, %lld), (%lld, "
               "'2026-03-11T14:00:00+01:00', %lld, %lld)",
               rid, MONDAY_10 + 2 * 86400 + 4 * 3600, MONDAY_10 + 2 * 86400 + 6 * 3600, rid,
               MONDAY_10 + 9 * 86400 + 4 * 3600, MONDAY_10 + 9 * 86400 + 6 * 3600);
      exec_ok(sql);
    }
    assert_int_equal(sk_store_index_service(g_st, rid), SK_OK);
  }
  exec_ok("COMMIT");
  g_s = sk_searcher_new(g_st, th_taxonomy());
  assert_non_null(g_s);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  sk_searcher_free(g_s);
  sk_store_close(g_st);
  return 0;
}

/* Run a query with optional municipality; asserts SK_OK. */
static struct sk_search_result *run(struct sk_search_query *q) {
  struct sk_search_result *r = NULL;
  struct sk_search_error e;
  if (!q->now)
    q->now = MONDAY_10;
  int rc = sk_search(g_s, q, &r, &e);
  if (rc != SK_OK)
    fail_msg("search '%s': %d %s %s", q->q ? q->q : "", rc, e.param, e.message);
  return r;
}

static struct sk_search_result *find(const char *text, const char *muni) {
  struct sk_search_query q;
  sk_search_query_init(&q);
  q.q = text;
  q.municipality = muni;
  return run(&q);
}

static int pos_of(const struct sk_search_result *r, const char *name) {
  for (size_t i = 0; i < r->n_items; i++)
    if (!strcmp(r->items[i].name, name))
      return (int)i;
  return -1;
}

static void expect_top(const char *text, const char *muni, const char *name, int within) {
  struct sk_search_result *r = find(text, muni);
  int p = pos_of(r, name);
  if (p < 0 || p >= within) {
    fprintf(stderr, "query '%s' (%s): %ld results\n", text, muni ? muni : "-", r->total);
    for (size_t i = 0; i < r->n_items; i++)
      fprintf(stderr, "  %zu %s %.3f\n", i, r->items[i].name, r->items[i].score);
    sk_search_result_free(r);
    fail_msg("'%s' not in the top %d for '%s'", name, within, text);
  }
  sk_search_result_free(r);
}

static void expect_absent(const char *text, const char *muni, const char *name) {
  struct sk_search_result *r = find(text, muni);
  int p = pos_of(r, name);
  sk_search_result_free(r);
  if (p >= 0)
    fail_msg("'%s' found for '%s' (%s)", name, text, muni ? muni : "-");
}

static void test_inflection(void **state) {
  (void)state;
  expect_top("schulden", NULL, "Schuldhulpverlening Laren", 3);
  expect_top("huisartsen", NULL, "Huisarts Laren", 1);
  expect_top("oudere gym", NULL, "Gym voor ouderen", 1);
  expect_top("Café", NULL, "Alzheimercafé", 2);
}

static void test_compound(void **state) {
  (void)state;
  expect_top("schuld", NULL, "Schuldhulpverlening Huizen", 3);
  expect_top("centrum", NULL, "Wijkcentrum De Kern", 1);
  /* a compound in the query finds its parts: "taalhulp" -> taal */
  expect_top("taalhulp", NULL, "Taalhuis Huizen", 3);
  /* as-you-type: the last word is a prefix */
  expect_top("mantelz", NULL, "Mantelzorgondersteuning", 1);
}

static void test_synonym(void **state) {
  (void)state;
  struct sk_search_result *r = find("rood staan", "laren");
  assert_true(r->n_items > 0);
  assert_string_equal(r->items[0].name, "Schuldhulpverlening Laren");
  int seen = 0;
  for (size_t i = 0; i < r->n_concepts; i++)
    seen |= !strcmp(r->concepts[i].code, "geld.schulden");
  assert_true(seen);
  sk_search_result_free(r);
  expect_top("vergeetachtig", NULL, "Alzheimercafé", 1);
  /* the resident's own words, in Laren: Laren's debt help first */
  expect_top("ik kan mijn rekeningen niet betalen", "laren", "Schuldhulpverlening Laren", 1);
  /* a place in the query filters: Laren's own debt help is not for Huizen */
  r = find("schuldhulp huizen", NULL);
  assert_true(r->n_items >= 1);
  assert_string_equal(r->items[0].name, "Schuldhulpverlening Huizen");
  assert_int_equal(pos_of(r, "Schuldhulpverlening Laren"), -1);
  assert_non_null(r->place);
  assert_string_equal(r->place, "huizen");
  assert_true(r->place_from_query);
  sk_search_result_free(r);
  /* "overal zoeken": the place only ranks */
  struct sk_search_query q;
  sk_search_query_init(&q);
  q.q = "schuldhulp huizen";
  q.place_as_preference = 1;
  r = run(&q);
  assert_true(r->n_items >= 2);
  assert_string_equal(r->items[0].name, "Schuldhulpverlening Huizen");
  assert_true(pos_of(r, "Schuldhulpverlening Laren") > 0);
  assert_null(r->place);
  sk_search_result_free(r);
}

static void test_typo(void **state) {
  (void)state;
  /* found through its stem: the right results and no "Bedoelde u" (a
   * correction is offered only when the word as typed finds nothing) */
  struct sk_search_result *r = find("schuldhulpverlenig", NULL);
  assert_null(r->did_you_mean);
  assert_false(r->corrected);
  assert_true(r->n_items >= 2);
  assert_non_null(strstr(r->items[0].name, "Schuldhulpverlening"));
  sk_search_result_free(r);
  expect_top("mantelzorgr", NULL, "Mantelzorgondersteuning", 1);
  expect_top("dementi", NULL, "Alzheimercafé", 1);
  expect_top("dementei ouderen", NULL, "Alzheimercafé", 1);
  /* "dementi" is a Dutch word (a denial): never corrected, even when the
   * query then finds only part of its words */
  r = find("dementi ouderen", NULL);
  assert_null(r->did_you_mean);
  sk_search_result_free(r);
}

static void test_crisis(void **state) {
  (void)state;
  struct sk_search_result *r = find("zelfmoord", "huizen");
  assert_true(r->crisis);
  assert_true(r->n_crisis_lines >= 1);
  assert_string_equal(r->crisis_lines[0].name, "113 Zelfmoordpreventie");
  assert_string_equal(r->items[0].name, "113 Zelfmoordpreventie");
  assert_true(r->items[0].crisis_line);
  sk_search_result_free(r);
  r = find("mijn partner slaat mij, huiselijk geweld", NULL);
  assert_true(r->crisis);
  assert_string_equal(r->crisis_lines[0].name, "Veilig Thuis");
  sk_search_result_free(r);
  r = find("schulden", NULL);
  assert_false(r->crisis);
  assert_int_equal(r->n_crisis_lines, 0);
  sk_search_result_free(r);
}

/* The crisis block has lines one can call (113, then 112; feeds/crisis.json),
 * never an offering without a number, even when that one is local and
 * names the query word; in the list the callable line comes first too. */
static void test_crisis_lines_with_a_phone_first(void **state) {
  (void)state;
  struct sk_search_result *r = find("zelfmoord", "huizen");
  assert_true(r->crisis);
  assert_int_equal(r->n_crisis_lines, 2);
  assert_string_equal(r->crisis_lines[0].name, "113 Zelfmoordpreventie");
  assert_string_equal(r->crisis_lines[0].phones[0].number, "0800-0113");
  assert_string_equal(r->crisis_lines[1].phones[0].number, "112");
  for (size_t i = 0; i < r->n_crisis_lines; i++)
    assert_true(r->crisis_lines[i].n_phones >= 1);
  assert_string_equal(r->items[0].name, "113 Zelfmoordpreventie");
  assert_true(pos_of(r, "GGZ-crisisdienst") > 0);
  sk_search_result_free(r);
}

/* Offerings only for professionals stay out of residents' results, but a
 * professional (flag, filter or words) finds them. */
static void test_professionals_only(void **state) {
  (void)state;
  expect_absent("dementie", NULL, "Intervisie dementie");
  expect_absent("intervisie", NULL, "Intervisie dementie");
  struct sk_search_query q;
  sk_search_query_init(&q);
  q.q = "dementie";
  q.professional = 1;
  struct sk_search_result *r = run(&q);
  assert_true(pos_of(r, "Intervisie dementie") >= 0);
  sk_search_result_free(r);
  sk_search_query_init(&q);
  q.q = "dementie";
  q.target_group = "professionals";
  r = run(&q);
  assert_true(pos_of(r, "Intervisie dementie") >= 0);
  sk_search_result_free(r);
  expect_top("intervisie voor professionals", NULL, "Intervisie dementie", 1);
  /* browsing without words: not there either */
  sk_search_query_init(&q);
  q.needs[q.n_needs++] = "geheugen";
  r = run(&q);
  assert_int_equal(pos_of(r, "Intervisie dementie"), -1);
  sk_search_result_free(r);
}

/* An activity has no assured_date: it is never flagged stale. */
static void test_activity_never_stale(void **state) {
  (void)state;
  struct sk_search_result *r = find("wandelen", NULL);
  int p = pos_of(r, "Wandelgroep Blaricum");
  assert_true(p >= 0);
  assert_string_equal(r->items[p].kind, "activiteit");
  assert_null(r->items[p].assured_date);
  assert_false(r->items[p].stale);
  sk_search_result_free(r);
}

static void test_municipality_scopes(void **state) {
  (void)state;
  struct sk_search_result *r = find("", "laren");
  assert_true(pos_of(r, "Schuldhulpverlening Laren") >= 0); /* laren */
  assert_true(pos_of(r, "Budgetcoach") >= 0);               /* hbel */
  assert_true(pos_of(r, "Mantelzorgondersteuning") >= 0);   /* bel */
  assert_true(pos_of(r, "Veilig Thuis") >= 0);              /* regio */
  assert_true(pos_of(r, "113 Zelfmoordpreventie") >= 0);    /* landelijk */
  assert_int_equal(pos_of(r, "Schuldhulpverlening Huizen"), -1);
  assert_int_equal(pos_of(r, "Taalhuis Huizen"), -1);
  sk_search_result_free(r);
  r = find("", "huizen");
  assert_true(pos_of(r, "Schuldhulpverlening Huizen") >= 0);
  assert_true(pos_of(r, "Budgetcoach") >= 0);
  assert_true(pos_of(r, "Veilig Thuis") >= 0);
  assert_true(pos_of(r, "113 Zelfmoordpreventie") >= 0);
  assert_int_equal(pos_of(r, "Mantelzorgondersteuning"), -1); /* bel: not Huizen */
  assert_int_equal(pos_of(r, "Schuldhulpverlening Laren"), -1);
  sk_search_result_free(r);
  /* local before regional before national */
  r = find("schulden", "laren");
  assert_string_equal(r->items[0].name, "Schuldhulpverlening Laren");
  assert_string_equal(r->items[0].area_match, "laren");
  sk_search_result_free(r);
}

static void test_eemnes_youth(void **state) {
  (void)state;
  struct sk_search_result *r = find("jeugdhulp", "eemnes");
  assert_int_equal(pos_of(r, "Jeugdhulp HBEL"), -1);
  assert_int_equal(pos_of(r, "Jeugdhulp Eemnes (Amersfoort)"), 0);
  sk_search_result_free(r);
  r = find("jeugdhulp", "laren");
  assert_int_equal(pos_of(r, "Jeugdhulp HBEL"), 0);
  assert_int_equal(pos_of(r, "Jeugdhulp Eemnes (Amersfoort)"), -1);
  sk_search_result_free(r);
}

static void test_facets(void **state) {
  (void)state;
  struct sk_search_query q;
  sk_search_query_init(&q);
  q.municipality = "laren";
  q.needs[q.n_needs++] = "geld";
  q.facets = 1;
  struct sk_search_result *r = run(&q);
  assert_true(r->has_facets);
  assert_int_equal(r->total, 2); /* shv laren, budgetcoach */
  long need_geld = -1, need_mantel = -1, muni_huizen = -1, muni_laren = -1, kind_aanbod = -1;
  for (int f = 0; f < SK_SEARCH_N_FACETS; f++)
    for (size_t i = 0; i < r->facets[f].n_values; i++) {
      const struct sk_search_facet_value *v = &r->facets[f].values[i];
      if (!strcmp(r->facets[f].name, "need") && !strcmp(v->code, "geld"))
        need_geld = v->count;
      if (!strcmp(r->facets[f].name, "need") && !strcmp(v->code, "mantelzorg"))
        need_mantel = v->count;
      if (!strcmp(r->facets[f].name, "municipality") && !strcmp(v->code, "huizen"))
        muni_huizen = v->count;
      if (!strcmp(r->facets[f].name, "municipality") && !strcmp(v->code, "laren"))
        muni_laren = v->count;
      if (!strcmp(r->facets[f].name, "kind") && !strcmp(v->code, "aanbod"))
        kind_aanbod = v->count;
    }
  assert_int_equal(need_geld, 2);
  assert_int_equal(need_mantel, 1); /* counted as if the need filter were not set */
  assert_int_equal(muni_huizen, 2); /* shv huizen + budgetcoach */
  assert_int_equal(muni_laren, 2);
  assert_int_equal(kind_aanbod, 2);
  sk_search_result_free(r);
}

static void test_age(void **state) {
  (void)state;
  struct sk_search_query q;
  sk_search_query_init(&q);
  q.q = "jeugdhulp";
  q.age = 15;
  struct sk_search_result *r = run(&q);
  assert_true(pos_of(r, "Jeugdhulp HBEL") >= 0);
  sk_search_result_free(r);
  q.age = 40;
  r = run(&q);
  assert_int_equal(pos_of(r, "Jeugdhulp HBEL"), -1);
  sk_search_result_free(r);
  sk_search_query_init(&q);
  q.q = "gym";
  q.age = 30;
  r = run(&q);
  assert_int_equal(pos_of(r, "Gym voor ouderen"), -1);
  sk_search_result_free(r);
}

static void test_open_now(void **state) {
  (void)state;
  struct sk_search_query q;
  sk_search_query_init(&q);
  q.q = "schulden";
  q.open_now = 1;
  q.now = MONDAY_10;
  struct sk_search_result *r = run(&q);
  assert_int_equal(r->total, 1);
  assert_string_equal(r->items[0].name, "Schuldhulpverlening Laren");
  assert_int_equal(r->items[0].open_now, 1);
  sk_search_result_free(r);
  q.now = MONDAY_10 + 3 * 3600; /* 13:00: closed */
  r = run(&q);
  assert_int_equal(r->total, 0);
  sk_search_result_free(r);
}

static void test_withdrawn(void **state) {
  (void)state;
  expect_absent("schuldhulpverlening blaricum oud", NULL, "Schuldhulpverlening Blaricum oud");
  expect_absent("", NULL, "Schuldhulpverlening Blaricum oud");
}

static void test_stale_and_restricted(void **state) {
  (void)state;
  struct sk_search_result *r = find("huishoudelijke hulp", NULL);
  int p = pos_of(r, "Huishoudelijke hulp Laren");
  assert_true(p >= 0);
  assert_true(r->items[p].stale);
  sk_search_result_free(r);
  struct sk_search_query q;
  sk_search_query_init(&q);
  q.q = "schuldhulpverlening laren";
  r = run(&q);
  assert_string_equal(r->items[0].name, "Schuldhulpverlening Laren");
  assert_int_equal(r->items[0].n_phones, 1);
  assert_null(r->items[0].referral_contact);
  assert_false(r->items[0].stale);
  sk_search_result_free(r);
  q.professional = 1;
  r = run(&q);
  assert_int_equal(r->items[0].n_phones, 2);
  assert_string_equal(r->items[0].referral_contact, "Bel de consulent");
  sk_search_result_free(r);
}

static void test_zero_results_relax_and_suggest(void **state) {
  (void)state;
  struct sk_search_result *r = find("koffie zwembad", NULL);
  assert_true(r->relaxed);
  assert_true(r->total >= 1);
  sk_search_result_free(r);
  r = find("xqzt", NULL);
  assert_int_equal(r->total, 0);
  assert_true(r->n_suggested_needs > 0);
  sk_search_result_free(r);
}

/* A resident's extra word does not narrow a concept to one offering: with
 * "plan" only Huizen's debt help has every word; Laren's, which lacks
 * "plan", follows it, and nothing outside the concept joins. */
static void test_extra_word_keeps_the_concept(void **state) {
  (void)state;
  struct sk_search_result *r = find("schulden plan", NULL);
  assert_false(r->relaxed);
  assert_int_equal(pos_of(r, "Schuldhulpverlening Huizen"), 0);
  assert_int_equal(pos_of(r, "Schuldhulpverlening Laren"), 1);
  assert_int_equal(pos_of(r, "Budgetcoach"), -1);
  assert_int_equal(pos_of(r, "Schuldhulpverlening Blaricum oud"), -1);
  sk_search_result_free(r);
}

/* A lexicon phrase that takes a taxonomy word in another sense takes its
 * need too: "ik slaap bij vrienden" is about a place to sleep, not about
 * a child's sleep ("slapen", a synonym of opvoedvragen). */
static void test_lexicon_phrase_takes_the_sense_of_its_words(void **state) {
  (void)state;
  expect_top("ik slaap bij vrienden", NULL, "Nachtopvang", 1);
  struct sk_search_result *r = find("ik slaap bij vrienden", NULL);
  int child = pos_of(r, "Slaapspreekuur");
  assert_true(child == -1 || child > pos_of(r, "Nachtopvang"));
  for (size_t i = 0; i < r->n_concepts; i++)
    assert_string_not_equal(r->concepts[i].code, "opvoeden.vragen");
  sk_search_result_free(r);
  /* alone, the word keeps its taxonomy sense */
  expect_top("slapen", NULL, "Slaapspreekuur", 1);
}

static void test_hostile_queries(void **state) {
  (void)state;
  char longq[2600];
  for (size_t i = 0; i < sizeof longq - 1; i++)
    longq[i] = "schuld hulp "[i % 12];
  longq[sizeof longq - 1] = '\0';
  const char *qs[] = {"\"",
                      "\"\"\"",
                      "schuld\"",
                      "-",
                      "a-b",
                      "c.d",
                      "'",
                      "m'n schulden",
                      "schulden AND",
                      "AND",
                      "OR NOT",
                      "NEAR(a b)",
                      "NEAR",
                      "*",
                      "schuld*",
                      "^schuld",
                      "{name}: x",
                      "name:schuld",
                      "(",
                      ")",
                      "😀",
                      "schuld 😀 hulp",
                      "\xff\xfe",
                      "sch\xc3",
                      "\xc3\xa9\xc3",
                      "   ",
                      "\t\n",
                      longq,
                      "a",
                      "ab"};
  for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
    struct sk_search_result *r = find(qs[i], NULL);
    assert_non_null(r);
    json_t *j = sk_search_result_json(r);
    assert_non_null(j);
    char *dump = json_dumps(j, 0);
    assert_non_null(dump);
    free(dump);
    json_decref(j);
    sk_search_result_free(r);
    struct sk_suggest_result *sr = NULL;
    assert_int_equal(sk_suggest(g_s, qs[i], 10, &sr), SK_OK);
    sk_suggest_result_free(sr);
  }
}

static void test_bad_parameters_name_the_parameter(void **state) {
  (void)state;
  struct sk_search_query q;
  sk_search_query_init(&q);
  struct sk_search_error e;
  assert_int_equal(sk_search_query_set(&q, "age", "130", &e), SK_EINVAL);
  assert_string_equal(e.param, "age");
  assert_int_equal(sk_search_query_set(&q, "kind", "dienst", &e), SK_EINVAL);
  assert_string_equal(e.param, "kind");
  assert_int_equal(sk_search_query_set(&q, "nonsense", "1", &e), SK_ENOTFOUND);
  assert_int_equal(sk_search_query_set(&q, "need", "geld,bestaatniet", &e), SK_OK);
  struct sk_search_result *r = NULL;
  assert_int_equal(sk_search(g_s, &q, &r, &e), SK_EINVAL);
  assert_null(r);
  assert_string_equal(e.param, "need");
  assert_non_null(strstr(e.message, "bestaatniet"));
  sk_search_query_init(&q);
  q.municipality = "hbel";
  assert_int_equal(sk_search(g_s, &q, &r, &e), SK_EINVAL);
  assert_string_equal(e.param, "municipality");
  sk_search_query_init(&q);
  q.sort = SK_SORT_DISTANCE;
  assert_int_equal(sk_search(g_s, &q, &r, &e), SK_EINVAL);
  assert_string_equal(e.param, "sort");
  sk_search_query_init(&q);
  assert_int_equal(sk_search_query_set(&q, "postcode", "99", &e), SK_OK);
  assert_int_equal(sk_search(g_s, &q, &r, &e), SK_EINVAL);
  assert_string_equal(e.param, "postcode");
}

/* The law filter (professionals): exactly the offerings under any of the
 * given laws, with the municipality filter on top; an unknown law is a
 * clear error naming "law". */
static void names_are(const struct sk_search_result *r, const char *const *names, size_t n) {
  if (r->total != (long)n || r->n_items != n)
    fail_msg("%ld results, expected %zu", r->total, n);
  for (size_t i = 0; i < n; i++)
    if (pos_of(r, names[i]) < 0)
      fail_msg("'%s' missing", names[i]);
}

static void test_law_filter(void **state) {
  (void)state;
  struct sk_search_query q;
  struct sk_search_error e;
  sk_search_query_init(&q);
  assert_int_equal(sk_search_query_set(&q, "law", "wgs", &e), SK_OK);
  struct sk_search_result *r = run(&q);
  static const char *const wgs[] = {"Schuldhulpverlening Laren", "Schuldhulpverlening Huizen"};
  names_are(r, wgs, 2); /* not the withdrawn one in Blaricum */
  assert_int_equal(r->items[0].n_laws, 1);
  assert_string_equal(r->items[0].laws[0].code, "wgs");
  assert_non_null(r->items[0].laws[0].label);
  json_t *j = sk_search_result_json(r);
  json_t *l = json_array_get(
      json_object_get(json_array_get(json_object_get(j, "items"), 0), "laws"), 0);
  assert_string_equal(json_string_value(json_object_get(l, "code")), "wgs");
  assert_non_null(json_string_value(json_object_get(l, "label")));
  json_decref(j);
  sk_search_result_free(r);
  /* with free text too: the cached answer for the same words without a law differs */
  q.q = "hulp";
  r = run(&q);
  long with_law = r->total;
  sk_search_result_free(r);
  sk_search_query_init(&q);
  q.q = "hulp";
  r = run(&q);
  assert_true(r->total > with_law);
  sk_search_result_free(r);
  /* combined with a municipality */
  sk_search_query_init(&q);
  assert_int_equal(sk_search_query_set(&q, "law", "wgs", &e), SK_OK);
  q.municipality = "laren";
  r = run(&q);
  static const char *const wgs_laren[] = {"Schuldhulpverlening Laren"};
  names_are(r, wgs_laren, 1);
  sk_search_result_free(r);
  /* any of several, repeated and comma-separated */
  sk_search_query_init(&q);
  assert_int_equal(sk_search_query_set(&q, "law", "wmo", &e), SK_OK);
  assert_int_equal(sk_search_query_set(&q, "law", "jeugdwet,", &e), SK_OK);
  q.professional = 1;
  r = run(&q);
  static const char *const wmo_jeugd[] = {"Huishoudelijke hulp Laren", "Mantelzorgondersteuning",
                                          "Jeugdhulp HBEL", "Jeugdhulp Eemnes (Amersfoort)"};
  names_are(r, wmo_jeugd, 4);
  sk_search_result_free(r);
  /* a law nobody offers: no results, not an error */
  sk_search_query_init(&q);
  q.laws[q.n_laws++] = "wlz";
  r = run(&q);
  assert_int_equal(r->total, 0);
  sk_search_result_free(r);
  /* an unknown law */
  sk_search_query_init(&q);
  assert_int_equal(sk_search_query_set(&q, "law", "wmo,bestaatniet", &e), SK_OK);
  r = NULL;
  assert_int_equal(sk_search(g_s, &q, &r, &e), SK_EINVAL);
  assert_null(r);
  assert_string_equal(e.param, "law");
  assert_non_null(strstr(e.message, "bestaatniet"));
}

static void test_sort_and_json(void **state) {
  (void)state;
  struct sk_search_query q;
  sk_search_query_init(&q);
  struct sk_search_error e;
  assert_int_equal(sk_search_query_set(&q, "postcode", "1251 AB", &e), SK_OK);
  assert_int_equal(sk_search_query_set(&q, "sort", "distance", &e), SK_OK);
  struct sk_search_result *r = run(&q);
  assert_true(r->n_items > 2);
  for (size_t i = 1; i < r->n_items; i++)
    if (r->items[i].distance_km >= 0)
      assert_true(r->items[i].distance_km >= r->items[i - 1].distance_km);
  sk_search_result_free(r);
  sk_search_query_init(&q);
  q.sort = SK_SORT_SOONEST;
  q.kind = SK_KIND_ACTIVITEIT;
  r = run(&q);
  assert_int_equal(r->total, 2); /* the taalcafé with dates first, the wandelgroep without after */
  assert_string_equal(r->items[0].name, "Taalcafé Eemnes");
  assert_string_equal(r->items[1].name, "Wandelgroep Blaricum");
  assert_string_equal(r->items[0].next_start, "2026-03-04T14:00:00+01:00");
  sk_search_result_free(r);
  sk_search_query_init(&q);
  q.q = "schulden";
  q.facets = 1;
  r = run(&q);
  json_t *j = sk_search_result_json(r);
  assert_non_null(json_object_get(j, "items"));
  json_t *it = json_array_get(json_object_get(j, "items"), 0);
  assert_non_null(json_object_get(it, "name_segments"));
  int hit = 0;
  json_t *seg;
  size_t i;
  json_array_foreach(json_object_get(it, "snippet"), i, seg)
      hit |= json_is_true(json_object_get(seg, "hit"));
  assert_true(hit);
  assert_true(json_is_array(json_object_get(json_object_get(j, "facets"), "need")));
  json_decref(j);
  sk_search_result_free(r);
}

static void test_suggest(void **state) {
  (void)state;
  struct sk_suggest_result *r = NULL;
  assert_int_equal(sk_suggest(g_s, "schul", 10, &r), SK_OK);
  assert_true(r->n_items > 0);
  assert_string_equal(r->items[0].kind, "need");
  int off = 0;
  for (size_t i = 0; i < r->n_items; i++)
    off |= !strcmp(r->items[i].text, "Schuldhulpverlening Laren");
  assert_true(off);
  sk_suggest_result_free(r);
  assert_int_equal(sk_suggest(g_s, "versa", 10, &r), SK_OK);
  assert_true(r->n_items > 0);
  assert_string_equal(r->items[0].text, "Versa Welzijn");
  sk_suggest_result_free(r);
}

/* A searcher sees what another connection indexed after it was made. */
static void test_sees_new_data(void **state) {
  (void)state;
  struct sk_store *w = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("search.db"), 0, &w, err, sizeof err), SK_OK);
  struct sk_store *keep = g_st;
  g_st = w;
  exec_ok("BEGIN");
  const struct fx f = {"nieuw",
                       "Versa Welzijn",
                       "Repaircafé Laren",
                       "Samen spullen maken.",
                       "ontmoeten.activiteiten",
                       NULL,
                       "vrij",
                       "gratis",
                       "laren",
                       -1,
                       -1,
                       "active",
                       "2026-02-01",
                       "aanbod",
                       NULL};
  long long rid = add_fixture(&f);
  assert_int_equal(sk_store_index_service(w, rid), SK_OK);
  exec_ok("COMMIT");
  g_st = keep;
  sk_store_close(w);
  expect_top("repaircafe", NULL, "Repaircafé Laren", 1);
}

/* In background mode the query that sees a change answers from the
 * snapshot it has (same generation) while another thread reads the new
 * one; a later query answers from the new one (a new generation). */
static void test_background_rebuild(void **state) {
  (void)state;
  uint64_t g0 = sk_searcher_generation(g_s);
  assert_true(g0 > 0);
  assert_int_equal(sk_searcher_generation(g_s), g0); /* nothing changed */
  sk_searcher_set_background(g_s, 1);
  struct sk_store *w = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("search.db"), 0, &w, err, sizeof err), SK_OK);
  struct sk_store *keep = g_st;
  g_st = w;
  exec_ok("BEGIN");
  const struct fx f = {"nieuw2",
                       "Versa Welzijn",
                       "Klussendienst Blaricum",
                       "Kleine klussen in huis.",
                       "thuis",
                       NULL,
                       "vrij",
                       "gratis",
                       "blaricum",
                       -1,
                       -1,
                       "active",
                       "2026-02-01",
                       "aanbod",
                       NULL};
  long long rid = add_fixture(&f);
  assert_int_equal(sk_store_index_service(w, rid), SK_OK);
  exec_ok("COMMIT");
  g_st = keep;
  sk_store_close(w);
  assert_int_equal(sk_searcher_generation(g_s), g0); /* the build runs elsewhere */
  uint64_t g1 = g0;
  for (int i = 0; i < 1000 && g1 == g0; i++) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
    g1 = sk_searcher_generation(g_s);
  }
  assert_true(g1 != g0);
  sk_searcher_set_background(g_s, 0);
  expect_top("klussendienst", NULL, "Klussendienst Blaricum", 1);
}

/* A word in most offerings of a very large store is not walked (see
 * sks_caps): lowered bounds make this corpus of 120 "large". A query of
 * only that word is answered from the best offerings of its impact lists
 * (the best one still first) and says its total is a lower bound; with a
 * rarer word next to it the answer is exact. */
static void test_capped_common_words(void **state) {
  (void)state;
  struct sks_caps saved = sks_caps;
  sks_caps = (struct sks_caps){10, 10, 40, 20};
  struct sk_store *main_st = g_st;
  g_st = th_store_with_taxonomy("capped.db");
  exec_ok("BEGIN");
  char key[32], name[64], desc[256];
  for (int i = 0; i < 120; i++) {
    snprintf(key, sizeof key, "cap-%d", i);
    snprintf(name, sizeof name, i == 77 ? "Hulp bij alles" : "Koffieochtend %d", i);
    snprintf(desc, sizeof desc,
             "Een ochtend met koffie en hulp voor iedereen uit de wijk, elke week%s.",
             i % 24 == 5 ? ", ook klompen maken" : "");
    struct fx f = {key,          "Buurtvereniging", name,     desc, NULL, NULL,
                   "vrij",       "gratis",          "huizen", -1,   -1,   "active",
                   "2026-02-01", "aanbod",          NULL};
    long long rid = add_fixture(&f);
    assert_int_equal(sk_store_index_service(g_st, rid), SK_OK);
  }
  exec_ok("COMMIT");
  struct sk_searcher *s = sk_searcher_new(g_st, th_taxonomy());
  assert_non_null(s);
  struct sk_search_query q;
  struct sk_search_result *r = NULL;
  struct sk_search_error e;
  sk_search_query_init(&q);
  q.q = "hulp";
  q.facets = 1;
  q.now = MONDAY_10;
  assert_int_equal(sk_search(s, &q, &r, &e), SK_OK);
  assert_true(r->total_is_lower_bound);
  assert_true(r->total >= 10 && r->total <= 120);
  assert_true(r->n_items > 0);
  assert_string_equal(r->items[0].name, "Hulp bij alles");
  json_t *j = sk_search_result_json(r);
  assert_true(json_is_true(json_object_get(j, "total_is_lower_bound")));
  json_decref(j);
  sk_search_result_free(r);
  /* the rare word drives: every offering with both words, exactly */
  q.q = "hulp klompen";
  assert_int_equal(sk_search(s, &q, &r, &e), SK_OK);
  assert_false(r->total_is_lower_bound);
  assert_int_equal(r->total, 5);
  sk_search_result_free(r);
  /* a word nowhere: any word will do, the common one from its best */
  q.q = "hulp qqzzyyxx";
  assert_int_equal(sk_search(s, &q, &r, &e), SK_OK);
  assert_true(r->relaxed);
  assert_true(r->total_is_lower_bound);
  assert_true(r->n_items > 0);
  sk_search_result_free(r);
  sk_searcher_free(s);
  sk_store_close(g_st);
  g_st = main_st;
  sks_caps = saved;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_inflection),
      cmocka_unit_test(test_compound),
      cmocka_unit_test(test_synonym),
      cmocka_unit_test(test_typo),
      cmocka_unit_test(test_crisis),
      cmocka_unit_test(test_crisis_lines_with_a_phone_first),
      cmocka_unit_test(test_professionals_only),
      cmocka_unit_test(test_activity_never_stale),
      cmocka_unit_test(test_municipality_scopes),
      cmocka_unit_test(test_eemnes_youth),
      cmocka_unit_test(test_facets),
      cmocka_unit_test(test_age),
      cmocka_unit_test(test_open_now),
      cmocka_unit_test(test_withdrawn),
      cmocka_unit_test(test_stale_and_restricted),
      cmocka_unit_test(test_zero_results_relax_and_suggest),
      cmocka_unit_test(test_extra_word_keeps_the_concept),
      cmocka_unit_test(test_lexicon_phrase_takes_the_sense_of_its_words),
      cmocka_unit_test(test_hostile_queries),
      cmocka_unit_test(test_bad_parameters_name_the_parameter),
      cmocka_unit_test(test_law_filter),
      cmocka_unit_test(test_sort_and_json),
      cmocka_unit_test(test_suggest),
      cmocka_unit_test(test_sees_new_data),
      cmocka_unit_test(test_background_rebuild),
      cmocka_unit_test(test_capped_common_words),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
