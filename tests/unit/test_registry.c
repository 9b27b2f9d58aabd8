/* The feed registry: paths resolve, mistakes are reported, add + save
 * round-trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "helper_test.h"
#include "ix_registry.h"
#include "sk_err.h"

static int load_text(const char *name, const char *text, struct ix_registry **out, char *err,
                     size_t errlen) {
  const char *path = th_path(name);
  th_write_file(path, text, strlen(text));
  return ix_registry_load(path, th_taxonomy(), out, err, errlen);
}

static void test_loads_and_resolves_locations(void **state) {
  (void)state;
  struct ix_registry *r = NULL;
  char err[512];
  int rc = load_text(
      "feeds.json",
      "{\"feeds\": [\n"
      " {\"id\": \"versa\", \"partner\": \"Versa\", \"kind\": \"partner-json\",\n"
      "  \"location\": \"demo/versa.json\"},\n"
      " {\"id\": \"bieb\", \"partner\": \"Bibliotheek\", \"kind\": \"ical\",\n"
      "  \"location\": \"https://bieb.example.org/agenda.ics\", \"enabled\": false,\n"
      "  \"defaults\": {\"organization\": \"Bibliotheek Huizen\", \"municipality\":"
      " \"huizen\", \"needs\": [\"ontmoeten.activiteiten\"], \"access\": \"vrij\"}},\n"
      " {\"id\": \"abs\", \"partner\": \"X\", \"kind\": \"hsds\", \"location\":"
      " \"/srv/x.json\"}]}",
      &r, err, sizeof err);
  if (rc)
    fail_msg("%s", err);
  assert_int_equal(r->n, 3);
  char want[1024];
  snprintf(want, sizeof want, "file://%s/demo/versa.json", r->dir);
  assert_string_equal(r->feeds[0].url, want);
  assert_true(strncmp(r->feeds[0].url, "file:///", 8) == 0);
  assert_true(r->feeds[0].enabled);
  const struct ix_feed *b = ix_registry_find(r, "bieb");
  assert_non_null(b);
  assert_false(b->enabled);
  assert_string_equal(b->url, "https://bieb.example.org/agenda.ics");
  assert_string_equal(b->defaults.organization, "Bibliotheek Huizen");
  assert_int_equal(b->defaults.n_needs, 1);
  assert_string_equal(ix_registry_find(r, "abs")->url, "file:///srv/x.json");
  assert_null(ix_registry_find(r, "nope"));
  ix_registry_free(r);
}

static void expect_error(const char *feed_json, const char *fragment) {
  char text[2048], err[512] = "";
  snprintf(text, sizeof text, "{\"feeds\": [%s]}", feed_json);
  struct ix_registry *r = NULL;
  int rc = load_text("bad.json", text, &r, err, sizeof err);
  if (rc == SK_OK)
    fail_msg("accepted: %s", feed_json);
  assert_null(r);
  if (!strstr(err, fragment))
    fail_msg("error '%s' does not mention '%s'", err, fragment);
}

static void test_mistakes_are_reported(void **state) {
  (void)state;
  expect_error(
      "{\"id\": \"Hoofd Letters\", \"partner\": \"x\", \"kind\": \"hsds\", \"location\": \"a\"}",
      "geen geldige 'id'");
  expect_error("{\"id\": \"a\", \"partner\": \"x\", \"kind\": \"csv2\", \"location\": \"a\"}",
               "soort 'csv2'");
  expect_error("{\"id\": \"a\", \"partner\": \"x\", \"kind\": \"hsds\"}", "'location' ontbreekt");
  expect_error("{\"id\": \"a\", \"partner\": \"x\", \"kind\": \"ical\", \"location\": \"a.ics\"}",
               "defaults.organization");
  expect_error("{\"id\": \"a\", \"partner\": \"x\", \"kind\": \"hsds\", \"location\": \"a\","
               " \"defaults\": {\"needs\": [\"onbekend\"]}}",
               "'onbekend'");
  expect_error("{\"id\": \"a\", \"partner\": \"x\", \"kind\": \"hsds\", \"location\": \"a\","
               " \"enabeld\": true}",
               "onbekend veld 'enabeld'");
  expect_error("{\"id\": \"a\", \"partner\": \"x\", \"kind\": \"hsds\", \"location\": \"a\"},"
               "{\"id\": \"a\", \"partner\": \"y\", \"kind\": \"hsds\", \"location\": \"b\"}",
               "staat er al");
  expect_error("{\"id\": \"a\", \"partner\": \"x\", \"kind\": \"hsds\", \"location\":"
               " \"ftp://x.example.org/a\"}",
               "http://, https://, file://");
  struct ix_registry *r = NULL;
  char err[256];
  assert_int_equal(ix_registry_load(th_path("missing.json"), NULL, &r, err, sizeof err),
                   SK_ENOTFOUND);
  assert_int_equal(load_text("notjson.json", "{\"feeds\": [", &r, err, sizeof err), SK_EPARSE);
}

static void test_add_and_save_round_trip(void **state) {
  (void)state;
  struct ix_registry *r = NULL;
  char err[512];
  const char *path = th_path("new-feeds.json");
  assert_int_equal(ix_registry_new(path, &r), SK_OK);
  json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "id", "agenda", "partner", "Bieb",
                        "kind", "ical", "location", "demo/bieb.ics", "defaults", "organization",
                        "Bibliotheek Huizen", "municipality", "huizen");
  assert_int_equal(ix_registry_add(r, f, th_taxonomy(), err, sizeof err), SK_OK);
  /* the same id again is refused and changes nothing */
  assert_int_equal(ix_registry_add(r, f, th_taxonomy(), err, sizeof err), SK_EINVAL);
  json_decref(f);
  assert_int_equal(ix_registry_save(r, err, sizeof err), SK_OK);
  ix_registry_free(r);
  assert_int_equal(ix_registry_load(path, th_taxonomy(), &r, err, sizeof err), SK_OK);
  assert_int_equal(r->n, 1);
  assert_string_equal(r->feeds[0].id, "agenda");
  assert_string_equal(r->feeds[0].defaults.municipality, "huizen");
  assert_true(r->feeds[0].enabled);
  ix_registry_free(r);
}

static void test_project_registry_is_valid(void **state) {
  (void)state;
  struct ix_registry *r = NULL;
  char err[512];
  int rc = ix_registry_load(th_source_path("feeds/feeds.json"), th_taxonomy(), &r, err, sizeof err);
  if (rc == SK_ENOTFOUND)
    skip();
  if (rc)
    fail_msg("feeds/feeds.json: %s", err);
  assert_true(r->n > 0);
  ix_registry_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_loads_and_resolves_locations),
      cmocka_unit_test(test_mistakes_are_reported),
      cmocka_unit_test(test_add_and_save_round_trip),
      cmocka_unit_test(test_project_registry_is_valid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
