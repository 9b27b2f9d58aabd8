/* partner-json: every documented field reaches the store; bad documents and
 * bad records give Dutch reasons; the good records of a feed stay. */
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
#include "sk_err.h"

static const char full_feed[] =
    "{\"format\": \"sociale-kaart-partner/1\",\n"
    " \"organizations\": [{\"key\": \"versa-huizen\", \"name\": \"Versa Welzijn Huizen\",\n"
    "   \"description\": \"Welzijnswerk in Huizen.\", \"email\": \"info@versa.example.org\",\n"
    "   \"website\": \"https://versa.example.org\", \"phone\": \"035 000 0000\"}],\n"
    " \"locations\": [{\"key\": \"bijenkorf\", \"organization\": \"versa-huizen\",\n"
    "   \"name\": \"Buurthuis De Bijenkorf\", \"address\": \"Voorbeeldstraat 1\",\n"
    "   \"postal_code\": \"1271ab\", \"city\": \"Huizen\", \"latitude\": 52.2991,\n"
    "   \"longitude\": 5.2413, \"accessibility\": \"Rolstoeltoegankelijk\"}],\n"
    " \"services\": [{\"key\": \"shv-huizen\", \"organization\": \"versa-huizen\",\n"
    "   \"name\": \"Schuldhulpverlening\", \"summary\": \"Hulp als u schulden heeft.\",\n"
    "   \"description\": \"U praat met een schuldhulpverlener.\",\n"
    "   \"keywords\": [\"rood staan\", \"aanmaning\"], \"needs\": [\"geld.schulden\", \"geld\"],\n"
    "   \"target_groups\": [\"volwassenen\"], \"areas\": [\"hbel\"],\n"
    "   \"area_exceptions\": [{\"municipality\": \"eemnes\", \"min_age\": 18,\n"
    "      \"note\": \"Jeugd uit Eemnes: via Amersfoort.\"}],\n"
    "   \"access\": \"vrij\", \"cost\": \"gratis\", \"laws\": [\"wgs\"], \"min_age\": 18,\n"
    "   \"max_age\": 120, \"application_process\": \"Bel of loop binnen op dinsdag.\",\n"
    "   \"eligibility\": \"Voor inwoners van HBEL.\", \"fees\": \"Gratis.\",\n"
    "   \"url\": \"https://versa.example.org/geld\", \"email\": \"geld@versa.example.org\",\n"
    "   \"phones\": [{\"number\": \"035 000 0001\", \"description\": \"Algemeen\"},\n"
    "              {\"number\": \"035 000 0002\", \"restricted\": true}],\n"
    "   \"referral_contact\": \"Verwijzers: bel 035 000 0002\", \"locations\": [\"bijenkorf\"],\n"
    "   \"hours\": [{\"days\": [\"ma\", \"di\"], \"opens\": \"09:00\", \"closes\": \"12:00\",\n"
    "               \"note\": \"Niet in de zomer\"}],\n"
    "   \"assured_date\": \"2026-10-01\", \"assured_by\": \"M. de Vries\"}]}\n";

static void parse_ok(const char *doc, struct ix_batch *b) {
  char err[256];
  ix_batch_init(b, 0);
  int rc = ix_partner_json_parse(doc, strlen(doc), b, err, sizeof err);
  if (rc)
    fail_msg("parse: %s", err);
  assert_int_equal(ix_validate_batch(b, th_taxonomy()), SK_OK);
}

static char *query_text(struct sk_store *st, const char *sql) {
  static char out[4][512];
  static int next;
  char *o = out[next++ % 4];
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
    fail_msg("prepare %s: %s", sql, sqlite3_errmsg(st->db));
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  const char *v = (const char *)sqlite3_column_text(s, 0);
  snprintf(o, 512, "%s", v ? v : "(null)");
  sqlite3_finalize(s);
  return o;
}

static void test_every_field_lands_in_the_store(void **state) {
  (void)state;
  struct ix_batch b;
  parse_ok(full_feed, &b);
  assert_int_equal(b.rejections.n, 0);
  assert_int_equal(b.services.n, 1);
  struct sk_store *st = th_store_with_taxonomy("fields.db");
  struct ix_apply_stats stats;
  char err[256];
  assert_int_equal(ix_apply(st, "versa", &b, NULL, &stats, err, sizeof err), SK_OK);
  assert_int_equal(stats.n_new, 3);
  ix_batch_free(&b);

  /* organisation */
  assert_string_equal(query_text(st, "SELECT name || '|' || description || '|' || email || '|' ||"
                                     " website FROM organization"),
                      "Versa Welzijn Huizen|Welzijnswerk in Huizen.|info@versa.example.org|"
                      "https://versa.example.org");
  assert_string_equal(query_text(st, "SELECT source || '|' || source_key FROM organization"),
                      "feed:versa|versa-huizen");
  assert_string_equal(query_text(st, "SELECT number FROM phone WHERE organization_rid IS NOT NULL"),
                      "035 000 0000");
  /* location: postcode normalised, municipality derived from it */
  assert_string_equal(query_text(st,
                                 "SELECT name || '|' || address || '|' || postal_code || '|' ||"
                                 " city || '|' || municipality_code || '|' || accessibility ||"
                                 " '|' || printf('%.4f,%.4f', latitude, longitude) FROM location"),
                      "Buurthuis De Bijenkorf|Voorbeeldstraat 1|1271 AB|Huizen|huizen|"
                      "Rolstoeltoegankelijk|52.2991,5.2413");
  /* service columns */
  assert_string_equal(
      query_text(st, "SELECT kind || '|' || name || '|' || summary || '|' || description || '|' ||"
                     " keywords || '|' || url || '|' || email FROM service"),
      "aanbod|Schuldhulpverlening|Hulp als u schulden heeft.|U praat met een "
      "schuldhulpverlener.|rood staan, aanmaning|https://versa.example.org/geld|"
      "geld@versa.example.org");
  assert_string_equal(
      query_text(st, "SELECT application_process || '|' || eligibility_description || '|' ||"
                     " fees_description || '|' || referral_contact || '|' || min_age || '|' ||"
                     " max_age || '|' || assured_date || '|' || assured_by FROM service"),
      "Bel of loop binnen op dinsdag.|Voor inwoners van HBEL.|Gratis.|Verwijzers: bel 035 000 "
      "0002|18|120|2026-10-01|M. de Vries");
  /* classification */
  assert_string_equal(query_text(st, "SELECT group_concat(v, ' ') FROM (SELECT vocabulary || ':' ||"
                                     " code AS v FROM service_taxonomy ORDER BY v)"),
                      "access:vrij cost:gratis law:wgs need:geld need:geld.schulden "
                      "target_group:volwassenen");
  assert_string_equal(query_text(st, "SELECT group_concat(v, ' ') FROM (SELECT area_code || ':' ||"
                                     " coalesce(min_age, '') || ':' || coalesce(note, '') AS v"
                                     " FROM service_area ORDER BY v)"),
                      "eemnes:18:Jeugd uit Eemnes: via Amersfoort. hbel::");
  /* phones, hours, location link */
  assert_string_equal(query_text(st,
                                 "SELECT group_concat(number || '/' || coalesce(description, '')"
                                 " || '/' || restricted, ' ') FROM phone WHERE service_rid IS"
                                 " NOT NULL"),
                      "035 000 0001/Algemeen/0 035 000 0002//1");
  assert_string_equal(query_text(st, "SELECT group_concat(weekday || ' ' || opens_at || '-' ||"
                                     " closes_at || ' ' || description, ', ') FROM schedule"),
                      "1 09:00-12:00 Niet in de zomer, 2 09:00-12:00 Niet in de zomer");
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service_at_location"), 1);
  /* found by search, and the public id is the name-based one */
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM search_fts WHERE search_fts MATCH"
                                    " 'schuldhulpverlener'"),
                   1);
  assert_int_equal(th_query_int(st, "SELECT length(id) FROM service"), 36);
  sk_store_close(st);
}

static void test_not_json_is_a_clear_error(void **state) {
  (void)state;
  struct ix_batch b;
  ix_batch_init(&b, 0);
  char err[256];
  const char *doc = "{\"format\": \"sociale-kaart-partner/1\", \"services\": [";
  assert_int_equal(ix_partner_json_parse(doc, strlen(doc), &b, err, sizeof err), SK_EPARSE);
  assert_non_null(strstr(err, "geen geldige JSON"));
  assert_int_equal(b.services.n, 0);
  /* duplicate keys are refused, not resolved silently */
  doc = "{\"format\": \"sociale-kaart-partner/1\", \"services\": [], \"services\": []}";
  assert_int_equal(ix_partner_json_parse(doc, strlen(doc), &b, err, sizeof err), SK_EPARSE);
  doc = "[1, 2]";
  assert_int_equal(ix_partner_json_parse(doc, strlen(doc), &b, err, sizeof err), SK_EPARSE);
  doc = "{\"format\": \"iets-anders/2\", \"services\": []}";
  assert_int_equal(ix_partner_json_parse(doc, strlen(doc), &b, err, sizeof err), SK_EPARSE);
  assert_non_null(strstr(err, "sociale-kaart-partner/1"));
  ix_batch_free(&b);
}

static void test_wrong_shape_rejects_that_record_only(void **state) {
  (void)state;
  const char *doc =
      "{\"format\": \"sociale-kaart-partner/1\",\n"
      " \"organizations\": [{\"key\": \"o\", \"name\": \"Org\"}, {\"name\": \"zonder key\"}],\n"
      " \"services\": [\n"
      "  {\"key\": \"good\", \"organization\": \"o\", \"name\": \"Goed\", \"needs\": [\"geld\"],\n"
      "   \"areas\": [\"huizen\"], \"access\": \"vrij\", \"cost\": \"gratis\", \"kleur\": "
      "\"rood\"},\n"
      "  {\"key\": \"bad\", \"organization\": \"o\", \"name\": 42, \"needs\": \"geld\",\n"
      "   \"areas\": [\"huizen\"], \"access\": \"vrij\", \"cost\": \"gratis\",\n"
      "   \"hours\": [{\"days\": [\"maa\"], \"opens\": \"09:00\", \"closes\": \"10:00\"}]},\n"
      "  \"just text\",\n"
      "  {\"key\": \"met spatie\", \"organization\": \"o\", \"name\": \"X\"}]}";
  struct ix_batch b;
  parse_ok(doc, &b);
  assert_int_equal(b.orgs.n, 1);
  assert_int_equal(b.services.n, 1);
  assert_string_equal(b.services.v[0].key, "good");
  assert_int_equal(b.rejections.n, 4);
  /* one rejection per record, naming every problem */
  const struct ix_rejection *bad = NULL;
  for (size_t i = 0; i < b.rejections.n; i++)
    if (b.rejections.v[i].record_key && strcmp(b.rejections.v[i].record_key, "bad") == 0)
      bad = &b.rejections.v[i];
  assert_non_null(bad);
  assert_non_null(strstr(bad->reason, "Dienst 'bad'"));
  assert_non_null(strstr(bad->reason, "'name' moet tekst zijn"));
  assert_non_null(strstr(bad->reason, "onbekende dag"));
  /* unknown fields are reported, not dropped silently */
  int warned = 0;
  for (size_t i = 0; i < b.warnings.n; i++)
    warned |= strstr(b.warnings.v[i], "'kleur'") != NULL;
  assert_true(warned);
  ix_batch_free(&b);
}

static void test_markup_is_kept_as_text(void **state) {
  (void)state;
  const char *doc =
      "{\"format\": \"sociale-kaart-partner/1\",\n"
      " \"organizations\": [{\"key\": \"o\", \"name\": \"<b>Org</b>\"}],\n"
      " \"services\": [{\"key\": \"s\", \"organization\": \"o\",\n"
      "   \"name\": \"<script>alert(1)</script> Inloop\", \"description\": \"a &amp; b "
      "<i>c</i>\",\n"
      "   \"needs\": [\"ontmoeten\"], \"areas\": [\"laren\"], \"access\": \"vrij\", \"cost\": "
      "\"gratis\"}]}";
  struct ix_batch b;
  parse_ok(doc, &b);
  assert_int_equal(b.rejections.n, 0);
  struct sk_store *st = th_store_with_taxonomy("markup.db");
  char err[256];
  assert_int_equal(ix_apply(st, "m", &b, NULL, NULL, err, sizeof err), SK_OK);
  ix_batch_free(&b);
  assert_string_equal(query_text(st, "SELECT name FROM service"),
                      "<script>alert(1)</script> Inloop");
  assert_string_equal(query_text(st, "SELECT description FROM service"), "a &amp; b <i>c</i>");
  assert_string_equal(query_text(st, "SELECT name FROM organization"), "<b>Org</b>");
  sk_store_close(st);
}

static void test_size_cap(void **state) {
  (void)state;
  struct ix_batch b;
  ix_batch_init(&b, 0);
  char err[256];
  assert_int_equal(ix_partner_json_parse("{}", IX_PARTNER_JSON_MAX_BYTES + 1, &b, err, sizeof err),
                   SK_ETOOBIG);
  assert_non_null(strstr(err, "te groot"));
  /* a tiny arena cap is reported, not overrun */
  ix_batch_free(&b);
  ix_batch_init(&b, 64);
  int rc = ix_partner_json_parse(full_feed, strlen(full_feed), &b, err, sizeof err);
  assert_int_equal(rc, SK_ENOMEM);
  ix_batch_free(&b);
}

/* The parser is given data[0..len) with nothing after it: every prefix of a
 * feed, each in a buffer of exactly its size (ASan sees any byte read past
 * the end), must be refused or read, never read beyond len. */
static void parse_exact(const char *doc, size_t len) {
  char *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, doc, len);
  struct ix_batch b;
  ix_batch_init(&b, 0);
  char err[256];
  int rc = ix_partner_json_parse(copy, len, &b, err, sizeof err);
  assert_true(rc == SK_OK || rc == SK_EPARSE);
  ix_batch_free(&b);
  free(copy);
}

static void test_input_is_not_read_past_its_end(void **state) {
  (void)state;
  static const char *const docs[] = {
      "{\"format\":",
      "{\"format\": ",
      "{\"services\":",
      "{\"about\":",
      "{\"x\":",
      "{\"format\":\"",
      "{\"services\": [",
      "{\"services\": [{\"key\":",
      "{\"services\": [{\"key\": -",
      "{\"services\": [{\"key\": \"\\u12",
  };
  for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
    parse_exact(docs[i], strlen(docs[i]));
  for (size_t n = 0; n <= strlen(full_feed); n++)
    parse_exact(full_feed, n);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_field_lands_in_the_store),
      cmocka_unit_test(test_not_json_is_a_clear_error),
      cmocka_unit_test(test_wrong_shape_rejects_that_record_only),
      cmocka_unit_test(test_markup_is_kept_as_text),
      cmocka_unit_test(test_size_cap),
      cmocka_unit_test(test_input_is_not_read_past_its_end),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
