/* Taxonomy: loading, lookups, validation errors, round trip via the store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

static void expect_load_error(const char *json, const char *needle) {
  th_write_file(th_path("bad.json"), json, strlen(json));
  struct sk_taxonomy *tax = NULL;
  char err[256] = "";
  assert_int_not_equal(sk_taxonomy_load(th_path("bad.json"), &tax, err, sizeof err), SK_OK);
  assert_null(tax);
  if (!strstr(err, needle))
    fail_msg("error '%s' does not mention '%s'", err, needle);
}

static void test_bad_files_give_clear_errors(void **state) {
  (void)state;
  expect_load_error("{\"needs\": [", "bad.json");
  expect_load_error("{\"needs\": []}", "target_groups");
  expect_load_error("{\"needs\":[{\"code\":\"a\",\"label\":\"A\"},{\"code\":\"a\",\"label\":\"B\"}]}", "twice");
  expect_load_error("{\"needs\":[{\"code\":\"Bad Code\",\"label\":\"A\"}]}", "valid code");
  struct sk_taxonomy *tax = NULL;
  char err[256];
  assert_int_not_equal(sk_taxonomy_load(th_path("nope.json"), &tax, err, sizeof err), SK_OK);
}

static void test_store_round_trip(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("tax.db");
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM taxonomy_term"), (long long)th_taxonomy()->n_terms);
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
      cmocka_unit_test(test_store_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
