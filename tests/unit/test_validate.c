/* Validation: bad records are rejected with a Dutch reason a partner can act
 * on; good records of the same feed stay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_test.h"
#include "ix_partner_json.h"
#include "ix_validate.h"
#include "sk_err.h"
#include "sk_fold.h"

/* A feed with one organisation and one service per given service body. */
static void load(struct ix_batch *b, const char *services_json) {
  char doc[8192];
  snprintf(doc, sizeof doc,
           "{\"format\": \"sociale-kaart-partner/1\",\n"
           " \"organizations\": [{\"key\": \"o\", \"name\": \"Org\"}],\n"
           " \"locations\": [{\"key\": \"loc\", \"organization\": \"o\", \"postal_code\": \"1251 "
           "AB\"}],\n"
           " \"services\": [%s]}",
           services_json);
  char err[256];
  ix_batch_init(b, 0);
  if (ix_partner_json_parse(doc, strlen(doc), b, err, sizeof err))
    fail_msg("parse: %s", err);
  assert_int_equal(ix_validate_batch(b, th_taxonomy()), SK_OK);
}

#define SVC(key, extra)                                                                            \
  "{\"key\": \"" key "\", \"organization\": \"o\", \"name\": \"Naam\", \"needs\": [\"geld\"], "    \
  "\"areas\": [\"huizen\"], \"access\": \"vrij\", \"cost\": \"gratis\"" extra "}"

#define SVCX(key, needs, areas, access, extra)                                                     \
  "{\"key\": \"" key "\", \"organization\": \"o\", \"name\": \"Naam\", \"needs\": " needs          \
  ", \"areas\": " areas ", \"access\": \"" access "\", \"cost\": \"gratis\"" extra "}"

static const struct ix_rejection *rejection_for(const struct ix_batch *b, const char *key) {
  for (size_t i = 0; i < b->rejections.n; i++)
    if (b->rejections.v[i].record_key && strcmp(b->rejections.v[i].record_key, key) == 0)
      return &b->rejections.v[i];
  return NULL;
}

static int has_service(const struct ix_batch *b, const char *key) {
  for (size_t i = 0; i < b->services.n; i++)
    if (strcmp(b->services.v[i].key, key) == 0)
      return 1;
  return 0;
}

static const struct ix_service *service_of(const struct ix_batch *b, const char *key) {
  for (size_t i = 0; i < b->services.n; i++)
    if (strcmp(b->services.v[i].key, key) == 0)
      return &b->services.v[i];
  fail_msg("'%s' was not accepted", key);
  return NULL;
}

static int has_warning(const struct ix_batch *b, const char *a, const char *c) {
  for (size_t i = 0; i < b->warnings.n; i++)
    if (strstr(b->warnings.v[i], a) && (!c || strstr(b->warnings.v[i], c)))
      return 1;
  return 0;
}

static void expect_rejected(const struct ix_batch *b, const char *key, const char *fragment) {
  const struct ix_rejection *r = rejection_for(b, key);
  if (!r)
    fail_msg("'%s' was not rejected", key);
  if (!strstr(r->reason, fragment))
    fail_msg("reason for '%s' is '%s', expected it to mention '%s'", key, r->reason, fragment);
  assert_false(has_service(b, key));
}

static void test_unknown_taxonomy_code_is_rejected_not_a_crash(void **state) {
  (void)state;
  struct ix_batch b;
  load(
      &b,
      SVCX("good", "[\"geld\"]", "[\"huizen\"]", "vrij", "") "," SVCX(
          "badneed", "[\"geld.bitcoin\"]", "[\"huizen\"]", "vrij",
          "") "," SVCX("badtg", "[\"geld\"]", "[\"huizen\"]", "vrij",
                       ", \"target_groups\": [\"marsmannetjes\"]") "," SVCX("badarea", "[\"geld\"]",
                                                                            "[\"utrecht\"]", "vrij",
                                                                            "") "," SVCX("badacces"
                                                                                         "s",
                                                                                         "[\"geld\""
                                                                                         "]",
                                                                                         "[\"huizen"
                                                                                         "\"]",
                                                                                         "soms",
                                                                                         "") "," SVCX("badlaw",
                                                                                                      "[\"geld\"]",
                                                                                                      "[\"huizen\"]",
                                                                                                      "vrij",
                                                                                                      ", \"laws\": [\"wet-x\"]"));
  assert_int_equal(b.services.n, 1);
  assert_true(has_service(&b, "good"));
  expect_rejected(&b, "badneed", "de code 'geld.bitcoin' in 'needs' bestaat niet");
  expect_rejected(&b, "badtg", "'marsmannetjes'");
  expect_rejected(&b, "badarea", "geen gemeente of gebied");
  expect_rejected(&b, "badaccess", "'soms'");
  expect_rejected(&b, "badlaw", "'wet-x'");
  assert_string_equal(rejection_for(&b, "badneed")->field, "needs");
  ix_batch_free(&b);
}

static void test_required_fields(void **state) {
  (void)state;
  struct ix_batch b;
  load(&b, "{\"key\": \"leeg\", \"organization\": \"o\", \"name\": \"X\"},"
           "{\"key\": \"noorg\", \"name\": \"X\", \"needs\": [\"geld\"], \"areas\": [\"huizen\"],"
           " \"access\": \"vrij\", \"cost\": \"gratis\"},"
           "{\"key\": \"otherorg\", \"organization\": \"elders\", \"name\": \"X\", \"needs\":"
           " [\"geld\"], \"areas\": [\"huizen\"], \"access\": \"vrij\", \"cost\": \"gratis\"}");
  expect_rejected(&b, "leeg", "'needs' ontbreekt");
  expect_rejected(&b, "leeg", "'areas' ontbreekt");
  expect_rejected(&b, "leeg", "'access' ontbreekt");
  expect_rejected(&b, "leeg", "'cost' ontbreekt");
  expect_rejected(&b, "noorg", "'organization' ontbreekt");
  expect_rejected(&b, "otherorg", "de organisatie 'elders' staat niet");
  ix_batch_free(&b);
}

static void test_syntax_and_ranges(void **state) {
  (void)state;
  struct ix_batch b;
  /* One offering per line reads better than any layout clang-format finds for the concatenation. */
  /* clang-format off */
  load(&b, SVC("mail", ", \"email\": \"geen-adres\"") ","
           SVC("web", ", \"url\": \"javascript:alert(1)\"") ","
           SVC("age", ", \"min_age\": 130") ","
           SVC("order", ", \"min_age\": 30, \"max_age\": 18") ","
           SVC("phone", ", \"phones\": [\"bel ons\"]") ","
           SVC("date", ", \"assured_date\": \"gisteren\"") ","
           SVC("loc", ", \"locations\": [\"nergens\"]") ","
           SVC("ok", ", \"email\": \"a.b@c.example.org\", \"url\": \"https://x.example.org/a?b=c\","
                     " \"phones\": [\"+31 35 000 0000\", \"113\"], \"locations\": [\"loc\"]"));
  /* clang-format on */
  /* Bad optional fields are dropped with a warning; the service stays. */
  assert_null(service_of(&b, "mail")->email);
  assert_true(has_warning(&b, "Dienst 'mail'", "geen geldig e-mailadres; het veld is weggelaten"));
  assert_null(service_of(&b, "web")->url);
  assert_true(has_warning(&b, "Dienst 'web'", "geen geldig webadres"));
  assert_int_equal(service_of(&b, "phone")->phones.n, 0);
  assert_true(has_warning(&b, "Dienst 'phone'", "geen geldig telefoonnummer"));
  assert_null(service_of(&b, "date")->assured_date);
  assert_true(has_warning(&b, "Dienst 'date'", "geen datum"));
  /* What decides who sees a service still rejects it. */
  expect_rejected(&b, "age", "tussen 0 en 120");
  expect_rejected(&b, "order", "hoger dan 'max_age'");
  expect_rejected(&b, "loc", "de locatie 'nergens'");
  assert_true(has_service(&b, "ok"));
  ix_batch_free(&b);
}

static void test_repairs(void **state) {
  (void)state;
  struct ix_batch b;
  load(
      &b,
      SVC("bare", ", \"url\": \"www.humanitas.nl/gooi\"") "," SVC(
          "mailto",
          ", \"email\": \"mailto:info@x.example.org\"") "," SVCX("twoareas", "[\"geld\"]",
                                                                 "[\"huizen\", \"atlantis\"]",
                                                                 "vrij",
                                                                 "") ","
                                                                     "{\"key\": \"words\", "
                                                                     "\"organization\": \"o\", "
                                                                     "\"name\": \""
                                                                     "Een heel lange naam van een "
                                                                     "dienst die veel te veel "
                                                                     "woorden heeft voor een kop "
                                                                     "op de "
                                                                     "site, want de partner heeft "
                                                                     "de hele beschrijving in het "
                                                                     "naamveld gezet, inclusief de "
                                                                     "openingstijden en de "
                                                                     "doelgroep en nog veel meer "
                                                                     "tekst die er niet hoort\", "
                                                                     "\"needs\": [\"geld\"], "
                                                                     "\"areas\": [\"huizen\"], "
                                                                     "\"access\": \"vrij\", "
                                                                     "\"cost\": \"gratis\"}");
  assert_string_equal(service_of(&b, "bare")->url, "https://www.humanitas.nl/gooi");
  assert_true(has_warning(&b, "Dienst 'bare'", "geen https://"));
  assert_string_equal(service_of(&b, "mailto")->email, "info@x.example.org");
  /* an unknown area next to a known one is a warning, not a rejection */
  const struct ix_service *t = service_of(&b, "twoareas");
  assert_int_equal(t->areas.n, 1);
  assert_string_equal(t->areas.v[0].code, "huizen");
  assert_true(has_warning(&b, "Dienst 'twoareas'", "'atlantis'"));
  /* cut at a word boundary, never in the middle of a word */
  const char *n = service_of(&b, "words")->name;
  assert_true(sk_utf8_chars(n) <= 200);
  size_t len = strlen(n);
  assert_true(len > 100);
  assert_string_equal(n + len - strlen("…"), "…");
  assert_true(n[len - strlen("…") - 1] != ' ');
  const char *full =
      "Een heel lange naam van een dienst die veel te veel woorden heeft voor een kop op de "
      "site, want de partner heeft de hele beschrijving in het naamveld gezet, inclusief de "
      "openingstijden en de doelgroep en nog veel meer tekst die er niet hoort";
  size_t kept = len - strlen("…");
  assert_memory_equal(n, full, kept);
  assert_true(full[kept] == ' ' || full[kept] == ',');
  ix_batch_free(&b);
}

static void test_postcode_gives_municipality(void **state) {
  (void)state;
  struct ix_batch b;
  load(&b, SVC("s", ""));
  assert_int_equal(b.locations.n, 1);
  assert_string_equal(b.locations.v[0].postal_code, "1251 AB");
  assert_string_equal(b.locations.v[0].municipality, "laren");
  ix_batch_free(&b);

  char norm[8];
  assert_int_equal(sk_postcode_normalize("3755ab", norm), 3755);
  assert_string_equal(norm, "3755 AB");
  assert_int_equal(sk_postcode_normalize("0123 AB", norm), -1);
  assert_int_equal(sk_postcode_normalize("1234 A", norm), -1);
  assert_int_equal(sk_postcode_normalize("1234 SS", norm), -1);
  assert_int_equal(sk_postcode_normalize("12345AB", norm), -1);

  /* a bad postcode rejects the location, and the service that points at it */
  const char *doc =
      "{\"organizations\": [{\"key\": \"o\", \"name\": \"Org\"}],"
      " \"locations\": [{\"key\": \"l\", \"organization\": \"o\", \"postal_code\": \"12AB34\"}],"
      " \"services\": [" SVC("s", ", \"locations\": [\"l\"]") "]}";
  char err[256];
  ix_batch_init(&b, 0);
  assert_int_equal(ix_partner_json_parse(doc, strlen(doc), &b, err, sizeof err), SK_OK);
  assert_int_equal(ix_validate_batch(&b, th_taxonomy()), SK_OK);
  assert_int_equal(b.locations.n, 0);
  assert_non_null(strstr(rejection_for(&b, "l")->reason, "geen Nederlandse postcode"));
  expect_rejected(&b, "s", "de locatie 'l'");
  ix_batch_free(&b);
}

static void test_length_utf8_and_duplicates(void **state) {
  (void)state;
  struct ix_batch b;
  ix_batch_init(&b, 0);
  struct ix_org *o = ix_batch_add_org(&b);
  o->key = "o";
  o->name = "Org";
  /* an organisation with invalid UTF-8 takes its services with it */
  struct ix_org *bad = ix_batch_add_org(&b);
  bad->key = "bad-org";
  bad->name = "Caf\xe9";
  char longname[400];
  memset(longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  const char *keys[] = {"long", "dup", "dup", "of-bad-org", "accents"};
  for (int i = 0; i < 5; i++) {
    struct ix_service *s = ix_batch_add_service(&b);
    s->key = keys[i];
    s->org_key = i == 3 ? "bad-org" : "o";
    s->name = i == 0 ? longname : "Naam";
    if (i == 4) /* 200 characters of two bytes each: within the cap */
    {
      static char accents[401];
      for (int j = 0; j < 200; j++)
        memcpy(accents + 2 * j, "\xc3\xa9", 2);
      s->name = accents;
    }
    assert_int_equal(ix_strv_push(&b, &s->needs, "geld"), SK_OK);
    struct ix_area *a = IX_PUSH(&b, s->areas);
    a->code = "huizen";
    a->min_age = a->max_age = IX_UNSET;
    s->access = "vrij";
    s->cost = "gratis";
  }
  assert_int_equal(ix_validate_batch(&b, th_taxonomy()), SK_OK);
  /* A long name is cut (here: no space, so at the cap), with a warning. */
  const struct ix_service *ls = service_of(&b, "long");
  assert_int_equal(sk_utf8_chars(ls->name), 200);
  assert_non_null(strstr(ls->name, "…"));
  assert_true(has_warning(&b, "Dienst 'long'", "langer dan 200 tekens"));
  expect_rejected(&b, "bad-org", "geen geldige UTF-8");
  expect_rejected(&b, "of-bad-org", "staat niet (goedgekeurd)");
  assert_true(has_service(&b, "dup"));
  assert_true(has_service(&b, "accents"));
  int dups = 0;
  for (size_t i = 0; i < b.rejections.n; i++)
    dups += b.rejections.v[i].record_key && strcmp(b.rejections.v[i].record_key, "dup") == 0 &&
            strstr(b.rejections.v[i].reason, "vaker voor");
  assert_int_equal(dups, 1);
  ix_batch_free(&b);
}

static void test_syntax_helpers(void **state) {
  (void)state;
  assert_true(sk_check_email("info@versa.example.org"));
  assert_false(sk_check_email("info@@x.nl"));
  assert_false(sk_check_email("info@localhost"));
  assert_false(sk_check_email("a b@x.nl"));
  assert_true(sk_check_url("https://www.juridischloket.nl/"));
  assert_true(sk_check_url("http://127.0.0.1:8080/x"));
  assert_false(sk_check_url("ftp://x.nl"));
  assert_false(sk_check_url("https://x.nl/<script>"));
  assert_false(sk_check_url("https:///pad"));
  assert_true(sk_check_phone("0800-0113"));
  assert_true(sk_check_phone("113"));
  assert_false(sk_check_phone("12"));
  assert_false(sk_check_phone("035 000 00 00 ext. 5"));
}

/* A doc of the source tree; join: line breaks as spaces (sentences wrap). */
static void read_doc(const char *rel, char *doc, size_t cap, int join) {
  FILE *f = fopen(th_source_path(rel), "rb");
  if (!f)
    fail_msg("%s: cannot read", rel);
  size_t n = fread(doc, 1, cap - 1, f);
  fclose(f);
  doc[n] = '\0';
  for (size_t i = 0; join && i < n; i++)
    if (doc[i] == '\n')
      doc[i] = ' ';
}

static long schema_int(json_t *schema, const char *path, const char *key) {
  json_t *x = schema;
  char buf[256];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *save = NULL, *part = strtok_r(buf, "/", &save); part;
       part = strtok_r(NULL, "/", &save))
    x = json_object_get(x, part);
  json_t *v = json_object_get(x, key);
  if (!json_is_integer(v))
    fail_msg("feed-format.schema.json: no %s in %s", key, path);
  return (long)json_integer_value(v);
}

/* A partner reads the limits in the feed schema and the portal docs: they
 * must be the ones the validator and the portal enforce (core/sk_check.h),
 * never a copy that went stale. */
static void test_documented_limits_are_the_model_table(void **state) {
  (void)state;
  json_error_t jerr;
  json_t *schema = json_load_file(th_source_path("docs/feed-format.schema.json"), 0, &jerr);
  if (!schema)
    fail_msg("docs/feed-format.schema.json: %s", jerr.text);
  assert_int_equal(schema_int(schema, "$defs/text", "maxLength"), SK_FIELD_MAX_TEXT);
  assert_int_equal(schema_int(schema, "$defs/short", "maxLength"), SK_FIELD_MAX_SHORT);
  assert_int_equal(schema_int(schema, "$defs/url", "maxLength"), SK_CHECK_URL_MAX);
  assert_int_equal(schema_int(schema, "$defs/email", "maxLength"), SK_CHECK_EMAIL_MAX);
  assert_int_equal(schema_int(schema, "$defs/codes", "maxItems"), SK_FIELD_MAX_CODES);
  assert_int_equal(schema_int(schema, "$defs/age", "maximum"), SK_FIELD_MAX_AGE);
  assert_int_equal(schema_int(schema, "$defs/organization/properties/name", "maxLength"),
                   SK_FIELD_MAX_NAME);
  assert_int_equal(schema_int(schema, "$defs/location/properties/name", "maxLength"),
                   SK_FIELD_MAX_NAME);
  assert_int_equal(schema_int(schema, "$defs/service/properties/name", "maxLength"),
                   SK_FIELD_MAX_NAME);
  assert_int_equal(schema_int(schema, "$defs/service/properties/summary", "maxLength"),
                   SK_FIELD_MAX_SUMMARY);
  json_decref(schema);

  static char doc[256 * 1024];
  char want[256];
  read_doc("docs/feed-format.md", doc, sizeof doc, 0);
  /* Every "at most N characters" of a table row names a limit of the table. */
  static const struct {
    const char *row;
    int max;
  } rows[] = {{"| `name` | yes | `\"Versa Welzijn Huizen\"` |", SK_FIELD_MAX_NAME},
              {"| `description` | no | `\"Welzijnswerk in Huizen.\"` |", SK_FIELD_MAX_TEXT},
              {"| `name` | yes | `\"Schuldhulpverlening\"` |", SK_FIELD_MAX_NAME},
              {"| `summary` | no |", SK_FIELD_MAX_SUMMARY},
              {"| `description` | no | `\"U praat", SK_FIELD_MAX_TEXT}};
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    const char *r = strstr(doc, rows[i].row);
    if (!r)
      fail_msg("docs/feed-format.md has no row %s", rows[i].row);
    snprintf(want, sizeof want, "at most %d characters", rows[i].max);
    const char *at = strstr(r, want), *eol = strchr(r, '\n');
    if (!at || (eol && at > eol))
      fail_msg("docs/feed-format.md: %s does not say \"%s\"", rows[i].row, want);
  }
  read_doc("docs/portal.md", doc, sizeof doc, 1);
  snprintf(want, sizeof want, "ages 0..%d", SK_FIELD_MAX_AGE);
  assert_non_null(strstr(doc, want));
  snprintf(want, sizeof want, "text caps (name %d, summary %d, long texts %d, short %d)",
           SK_FIELD_MAX_NAME, SK_FIELD_MAX_SUMMARY, SK_FIELD_MAX_TEXT, SK_FIELD_MAX_SHORT);
  if (!strstr(doc, want))
    fail_msg("docs/portal.md does not say \"%s\"", want);
  snprintf(want, sizeof want, "at most %d codes, phones, hours or locations", SK_FIELD_MAX_CODES);
  assert_int_equal(SK_FIELD_MAX_CODES, SK_FIELD_MAX_LIST); /* the sentence names both */
  if (!strstr(doc, want))
    fail_msg("docs/portal.md does not say \"%s\"", want);
  snprintf(want, sizeof want, "at most %d dates of an activity", SK_FIELD_MAX_OCCURRENCES);
  if (!strstr(doc, want))
    fail_msg("docs/portal.md does not say \"%s\"", want);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unknown_taxonomy_code_is_rejected_not_a_crash),
      cmocka_unit_test(test_required_fields),
      cmocka_unit_test(test_syntax_and_ranges),
      cmocka_unit_test(test_postcode_gives_municipality),
      cmocka_unit_test(test_length_utf8_and_duplicates),
      cmocka_unit_test(test_repairs),
      cmocka_unit_test(test_syntax_helpers),
      cmocka_unit_test(test_documented_limits_are_the_model_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
