/* Taxonomy: loading, lookups, validation errors, round trip via the store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "helper_test.h"
#include "sk_err.h"

static void test_project_taxonomy_loads(void **state) {
  (void)state;
  const struct sk_taxonomy *tax = th_taxonomy();
  const struct sk_term *t = sk_taxonomy_find(tax, SK_VOCAB_NEED, "geld.schulden");
  assert_non_null(t);
  assert_string_equal(t->label, "Schulden");
  assert_string_equal(t->parent_code, "geld");
  assert_true(t->n_synonyms > 3);
  assert_true(sk_taxonomy_is_within(tax, "geld", "geld.schulden"));
  assert_false(sk_taxonomy_is_within(tax, "werk", "geld.schulden"));
  const struct sk_term *crisis = sk_taxonomy_find(tax, SK_VOCAB_NEED, "psychisch.crisis");
  assert_non_null(crisis);
  assert_true(crisis->crisis);
  const struct sk_term *eemnes = sk_taxonomy_find(tax, SK_VOCAB_MUNICIPALITY, "eemnes");
  assert_non_null(eemnes);
  assert_string_equal(eemnes->label, "Eemnes");
  assert_non_null(sk_taxonomy_find(tax, SK_VOCAB_ACCESS, "indicatie"));
  assert_null(sk_taxonomy_find(tax, SK_VOCAB_NEED, "bestaat.niet"));
  const struct sk_term *g = sk_taxonomy_find(tax, SK_VOCAB_TARGET_GROUP, "jongeren");
  assert_int_equal(g->min_age, 12);
  assert_int_equal(g->max_age, 17);
}

static void test_postcode_to_municipality(void **state) {
  (void)state;
  const struct sk_taxonomy *tax = th_taxonomy();
  assert_string_equal(sk_taxonomy_municipality_for_postcode(tax, 1271)->code, "huizen");
  assert_string_equal(sk_taxonomy_municipality_for_postcode(tax, 3755)->code, "eemnes");
  assert_string_equal(sk_taxonomy_municipality_for_postcode(tax, 1251)->code, "laren");
  assert_null(sk_taxonomy_municipality_for_postcode(tax, 9999));
}

/* json NULL: the file limits.json as written by write_taxonomy_with. */
static void expect_load_error(const char *json, const char *needle) {
  const char *path = json ? th_path("bad.json") : th_path("limits.json");
  if (json)
    th_write_file(path, json, strlen(json));
  struct sk_taxonomy *tax = NULL;
  char err[256] = "";
  assert_int_not_equal(sk_taxonomy_load(path, &tax, err, sizeof err), SK_OK);
  assert_null(tax);
  if (!strstr(err, needle))
    fail_msg("error '%s' does not mention '%s'", err, needle);
}

static void test_bad_files_give_clear_errors(void **state) {
  (void)state;
  expect_load_error("{\"needs\": [", "bad.json");
  expect_load_error("{\"needs\": []}", "target_groups");
  expect_load_error(
      "{\"needs\":[{\"code\":\"a\",\"label\":\"A\"},{\"code\":\"a\",\"label\":\"B\"}]}", "twice");
  expect_load_error("{\"needs\":[{\"code\":\"Bad Code\",\"label\":\"A\"}]}", "valid code");
  struct sk_taxonomy *tax = NULL;
  char err[256];
  assert_int_not_equal(sk_taxonomy_load(th_path("nope.json"), &tax, err, sizeof err), SK_OK);
}

/* A taxonomy with n terms in the list `key` and one term in each other list. */
static void write_taxonomy_with(const char *key, int n, const char *term_extra) {
  static const char *keys[] = {"needs", "target_groups", "municipalities", "scopes", "access",
                               "costs", "laws"};
  char json[16384];
  size_t off = (size_t)snprintf(json, sizeof json, "{\"version\":1");
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
    int count = strcmp(keys[k], key) == 0 ? n : 1;
    off += (size_t)snprintf(json + off, sizeof json - off, ",\"%s\":[", keys[k]);
    for (int i = 0; i < count; i++)
      off += (size_t)snprintf(json + off, sizeof json - off,
                              "%s{\"code\":\"%c%d\",\"label\":\"T%d\"%s}", i ? "," : "",
                              'a' + (int)k, i, i, strcmp(keys[k], key) == 0 ? term_extra : "");
    off += (size_t)snprintf(json + off, sizeof json - off, "]");
  }
  snprintf(json + off, sizeof json - off, "}");
  th_write_file(th_path("limits.json"), json, strlen(json));
}

/* Search keeps one bit per term: a vocabulary beyond the masks is refused at
 * load with a clear message, never cut silently (earlier, target group 17 and
 * up simply vanished from search while the indexer accepted them). */
static void test_limits_refuse_at_load(void **state) {
  (void)state;
  struct {
    const char *key;
    int ok, too_many;
    const char *needle;
  } cases[] = {
      {"target_groups", SK_TAXONOMY_MAX_SMALL, SK_TAXONOMY_MAX_SMALL + 1, "target_groups"},
      {"laws", SK_TAXONOMY_MAX_SMALL, SK_TAXONOMY_MAX_SMALL + 1, "laws"},
      {"municipalities", SK_TAXONOMY_MAX_SMALL - 1, SK_TAXONOMY_MAX_SMALL, "municipalities"},
      {"access", SK_TAXONOMY_MAX_CHOICES, SK_TAXONOMY_MAX_CHOICES + 1, "access"},
      {"costs", SK_TAXONOMY_MAX_CHOICES, SK_TAXONOMY_MAX_CHOICES + 1, "costs"},
      {"needs", SK_TAXONOMY_MAX_NEEDS, SK_TAXONOMY_MAX_NEEDS + 1, "needs"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct sk_taxonomy *tax = NULL;
    char err[256] = "";
    write_taxonomy_with(cases[i].key, cases[i].ok, "");
    if (sk_taxonomy_load(th_path("limits.json"), &tax, err, sizeof err) != SK_OK)
      fail_msg("%s: %d terms refused: %s", cases[i].key, cases[i].ok, err);
    sk_taxonomy_free(tax);
    write_taxonomy_with(cases[i].key, cases[i].too_many, "");
    assert_int_equal(sk_taxonomy_load(th_path("limits.json"), &tax, err, sizeof err), SK_ETOOBIG);
    assert_null(tax);
    if (!strstr(err, cases[i].needle) || !strstr(err, "at most"))
      fail_msg("%s: error '%s' does not say what is too large", cases[i].key, err);
  }
  /* Five scopes on one municipality: refused, not cut to four. */
  write_taxonomy_with("municipalities", 1, ",\"scopes\":[\"a\",\"b\",\"c\",\"d\",\"e\"]");
  expect_load_error(NULL, "scopes");
}

/* professional_only is a typed flag, whatever the JSON's spacing. */
static void test_professional_only_is_typed(void **state) {
  (void)state;
  const struct sk_taxonomy *tax = th_taxonomy();
  size_t pro = 0;
  for (size_t i = 0; i < tax->n_terms; i++)
    pro += tax->terms[i].professional_only != 0;
  assert_true(pro >= 1);
  write_taxonomy_with("target_groups", 2, ",\n  \"professional_only\"  :\ttrue ");
  struct sk_taxonomy *t = NULL;
  char err[256];
  assert_int_equal(sk_taxonomy_load(th_path("limits.json"), &t, err, sizeof err), SK_OK);
  const struct sk_term *g = sk_taxonomy_find(t, SK_VOCAB_TARGET_GROUP, "b1");
  assert_non_null(g);
  assert_true(g->professional_only);
  assert_false(sk_taxonomy_find(t, SK_VOCAB_NEED, "a0")->professional_only);
  sk_taxonomy_free(t);
}

static void test_store_round_trip(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("tax.db");
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM taxonomy_term"),
                   (long long)th_taxonomy()->n_terms);
  struct sk_taxonomy *back = NULL;
  char err[256];
  assert_int_equal(sk_taxonomy_from_store(st, &back, err, sizeof err), SK_OK);
  assert_int_equal(back->n_terms, th_taxonomy()->n_terms);
  const struct sk_term *t = sk_taxonomy_find(back, SK_VOCAB_NEED, "veiligheid.huiselijkgeweld");
  assert_non_null(t);
  assert_true(t->crisis);
  assert_string_equal(t->parent_code, "veiligheid");
  assert_int_equal(back->version, th_taxonomy()->version);
  sk_taxonomy_free(back);
  sk_store_close(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_project_taxonomy_loads),
      cmocka_unit_test(test_postcode_to_municipality),
      cmocka_unit_test(test_bad_files_give_clear_errors),
      cmocka_unit_test(test_limits_refuse_at_load),
      cmocka_unit_test(test_professional_only_is_typed),
      cmocka_unit_test(test_store_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
