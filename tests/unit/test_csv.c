/* The one-sheet CSV format for small partners (indexer/ix_csv.c): an Excel
 * export with ';', Windows-1252 and a Dutch header row goes through index
 * like any feed; the template the site offers parses cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_test.h"
#include "ix_csv.h"
#include "ix_registry.h"
#include "ix_run.h"
#include "ix_validate.h"
#include "sk_err.h"

static const struct ix_service *svc(const struct ix_batch *b, const char *name) {
  for (size_t i = 0; i < b->services.n; i++)
    if (strcmp(b->services.v[i].name, name) == 0)
      return &b->services.v[i];
  fail_msg("no service named %s", name);
  return NULL;
}

static int warned(const struct ix_batch *b, const char *part) {
  for (size_t i = 0; i < b->warnings.n; i++)
    if (strstr(b->warnings.v[i], part))
      return 1;
  return 0;
}

static void parse(const char *text, struct ix_batch *b, int want_rc) {
  char err[300] = "";
  ix_batch_init(b, 0);
  int rc = ix_csv_parse(text, strlen(text), th_taxonomy(), b, err, sizeof err);
  if (rc != want_rc)
    fail_msg("rc %d (%s), want %d", rc, err, want_rc);
}

static void test_quotes_separators_and_codes(void **state) {
  (void)state;
  struct ix_batch b;
  /* comma-separated, LF, quoted separators, doubled quotes and a line break in a cell */
  parse("Name,Description,Organisation,Needs,Areas,Access,Cost\n"
        "\"Spreekuur, schulden\",\"Zeg \"\"hallo\"\"\nen kom langs\",Loket,\"geld.schulden, "
        "Administratie\","
        "Gemeente Huizen,vrij,gratis\n",
        &b, SK_OK);
  const struct ix_service *s = svc(&b, "Spreekuur, schulden");
  assert_string_equal(s->description, "Zeg \"hallo\"\nen kom langs");
  assert_int_equal(s->needs.n, 2);
  assert_string_equal(s->needs.v[0], "geld.schulden");
  assert_string_equal(s->needs.v[1], "geld.administratie"); /* a label becomes its code */
  assert_string_equal(s->areas.v[0].code, "huizen");
  assert_string_equal(s->access, "vrij");
  assert_string_equal(s->org_key, "loket");
  assert_string_equal(s->key, "loket/spreekuur-schulden"); /* stable between uploads */
  ix_batch_free(&b);

  /* tabs, CR line ends, an unknown value and column */
  parse("naam\tdoelgroep\tkleur\r\nInloop\tMarsmannetjes\tblauw\r\n", &b, SK_OK);
  assert_int_equal(b.services.n, 1);
  assert_true(warned(&b, "doelgroep 'Marsmannetjes' kennen we niet"));
  assert_true(warned(&b, "Kolom 'kleur' kennen we niet"));
  ix_batch_free(&b);

  /* Excel's "sep=;" line before the header: the separator, not a row. A
   * quoted line break written as CRLF is one "\n". */
  parse("sep=;\r\nnaam;omschrijving;postcode\r\nKoffie, thee;\"Elke dag.\r\nGratis.\";1271 AB\r\n",
        &b, SK_OK);
  assert_int_equal(b.services.n, 1);
  s = svc(&b, "Koffie, thee");
  assert_non_null(s);
  assert_string_equal(s->description, "Elke dag.\nGratis.");
  ix_batch_free(&b);

  /* A title and an empty line above the column names (a hand-made sheet):
   * skipped with a warning; the rows below are read. */
  parse("Aanbod Stichting De Hoek 2026;;\r\n;;\r\nnaam;omschrijving;plaats\r\n"
        "Koffie-inloop;Elke dag;Huizen\r\n",
        &b, SK_OK);
  assert_int_equal(b.services.n, 1);
  assert_string_equal(svc(&b, "Koffie-inloop")->description, "Elke dag");
  assert_true(warned(&b, "De eerste 2 regel(s) boven de kolomnamen"));
  ix_batch_free(&b);
}

static void test_unreadable_sheets(void **state) {
  (void)state;
  struct ix_batch b;
  parse("", &b, SK_EPARSE);
  ix_batch_free(&b);
  parse("kolom1;kolom2\nx;y\n", &b, SK_EPARSE); /* no 'naam' column */
  ix_batch_free(&b);
  parse("naam;omschrijving\n\"Open;nooit gesloten\n", &b, SK_EPARSE);
  ix_batch_free(&b);
  char err[200];
  ix_batch_init(&b, 0);
  assert_int_equal(ix_csv_parse("naam\nA\0B\n", 9, th_taxonomy(), &b, err, sizeof err), SK_EPARSE);
  assert_non_null(strstr(err, "NUL"));
  ix_batch_free(&b);
}

static void test_template_parses_cleanly(void **state) {
  (void)state;
  FILE *f = fopen(th_source_path("feeds/templates/aanbod.csv"), "rb");
  assert_non_null(f);
  char buf[8192];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  struct ix_batch b;
  parse(buf, &b, SK_OK);
  assert_int_equal(b.warnings.n, 0); /* every column of the template is known */
  assert_int_equal(b.services.n, 1);
  assert_int_equal(ix_validate_batch(&b, th_taxonomy()), SK_OK);
  assert_int_equal(b.rejections.n, 0);
  assert_int_equal(b.services.n, 1);
  ix_batch_free(&b);
}

/* An Excel export (';', Windows-1252, Dutch header) through index. */
static void test_excel_export_through_index(void **state) {
  (void)state;
  char path[PATH_MAX];
  if (!realpath(th_source_path("tests/data/csv/partner-excel.csv"), path))
    fail_msg("missing partner-excel.csv");
  char reg[PATH_MAX + 256];
  snprintf(reg, sizeof reg,
           "{\"feeds\": [{\"id\": \"sheet\", \"partner\": \"P\", \"kind\": \"csv\", \"location\": "
           "\"file://%s\"}]}",
           path);
  th_write_file(th_path("csv-feeds.json"), reg, strlen(reg));
  struct ix_registry *r = NULL;
  char err[512];
  if (ix_registry_load(th_path("csv-feeds.json"), th_taxonomy(), &r, err, sizeof err))
    fail_msg("registry: %s", err);
  struct sk_store *st = th_store_with_taxonomy("csv.db");
  struct ix_run_opts o;
  ix_run_opts_default(&o);
  struct ix_feed_report *reps = NULL;
  size_t n = 0;
  assert_int_equal(ix_run(st, th_taxonomy(), r, &o, &reps, &n), SK_OK);
  assert_int_equal(n, 1);
  assert_false(reps[0].failed);
  free(reps);
  ix_registry_free(r);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service WHERE status = 'active'"), 5);
  /* two rows with a real defect: no name, an age that is not a number */
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM feed_rejection WHERE reason NOT LIKE"
                                    " 'Waarschuwing:%'"),
                   2);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM feed_rejection WHERE reason LIKE"
                                    " 'Rij 7: de kolom ''naam'' is leeg%'"),
                   1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM feed_rejection WHERE reason LIKE"
                                    " 'Rij 10: ''achttien''%'"),
                   1);
  /* Windows-1252 read, a quoted cell with ';' and a line break kept */
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service WHERE name = 'Taalcafé' AND"
                                    " description = 'Nederlands oefenen met \"gewone\" gesprekken.'"
                                    " AND fees_description = '€ 2,50 per keer'"),
                   1);
  assert_int_equal(
      th_query_int(st, "SELECT count(*) FROM service WHERE name = 'Koffieochtend' AND"
                       " description LIKE 'Elke dinsdag koffie; thee%café.%Openingstijden: di%'"
                       " AND url = 'https://www.dekuil.example.nl'"),
      1);
  assert_int_equal(th_query_int(st,
                                "SELECT count(*) FROM location WHERE postal_code = '1271 AB' AND"
                                " municipality_code = 'huizen'"),
                   1);
  /* labels became codes; a list of municipalities became their scope's members */
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service_taxonomy t JOIN service s ON"
                                    " s.rid = t.service_rid WHERE s.name = 'Schuldhulpmaatje' AND"
                                    " t.vocabulary = 'access' AND t.code = 'aanmelden'"),
                   1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service_area a JOIN service s ON"
                                    " s.rid = a.service_rid WHERE s.name = 'Schuldhulpmaatje' AND"
                                    " a.area_code = 'hbel'"),
                   1);
  assert_int_equal(th_query_int(st, "SELECT max_age FROM service WHERE name = 'Jongerenwerk'"), 24);
  /* what a row does not give is proposed and marked */
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service_taxonomy t JOIN service s ON"
                                    " s.rid = t.service_rid WHERE s.name = 'Taalcafé' AND"
                                    " t.vocabulary = 'classification'"),
                   1);
  sk_store_close(st);
}

/* Random damage to a real sheet (cut, flipped bytes, stray quotes and
 * separators): the parser answers every time, without a crash, within its
 * bounds (run under ASan in the asan preset). Deterministic. */
static void test_mutations_never_crash(void **state) {
  (void)state;
  FILE *f = fopen(th_source_path("tests/data/csv/partner-excel.csv"), "rb");
  assert_non_null(f);
  static char orig[8192], buf[8192];
  size_t n = fread(orig, 1, sizeof orig - 1, f);
  fclose(f);
  uint32_t x = 12345;
  int ok = 0, refused = 0;
  for (int round = 0; round < 3000; round++) {
    memcpy(buf, orig, n);
    size_t len = n;
    int edits = 1 + (int)((x = x * 1103515245u + 12345u) >> 16) % 8;
    for (int e = 0; e < edits; e++) {
      x = x * 1103515245u + 12345u;
      size_t at = (x >> 8) % len;
      static const char pool[] = "\";,\t\r\n\"\"\xE9\xC3\x80 aZ0";
      switch ((x >> 4) % 4) {
      case 0: buf[at] = pool[(x >> 20) % (sizeof pool - 1)]; break;
      case 1:
        len = at + 1; /* cut */
        break;
      case 2: buf[at] = (char)(x >> 24); break;
      default:
        memmove(buf + at + 1, buf + at, len - at < sizeof buf - 1 - len ? len - at : 0);
        if (len + 1 < sizeof buf)
          len++;
        buf[at] = '"';
      }
    }
    struct ix_batch b;
    ix_batch_init(&b, 8u << 20);
    char err[300];
    int rc = ix_csv_parse(buf, len, th_taxonomy(), &b, err, sizeof err);
    assert_true(rc == SK_OK || rc == SK_EPARSE);
    if (rc == SK_OK) {
      ok++;
      assert_int_equal(ix_validate_batch(&b, th_taxonomy()), SK_OK);
    } else {
      refused++;
      assert_true(strlen(err) > 0);
    }
    ix_batch_free(&b);
  }
  print_message("csv mutations: %d read, %d refused with a reason\n", ok, refused);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_quotes_separators_and_codes),
      cmocka_unit_test(test_unreadable_sheets),
      cmocka_unit_test(test_template_parses_cleanly),
      cmocka_unit_test(test_excel_export_through_index),
      cmocka_unit_test(test_mutations_never_crash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
