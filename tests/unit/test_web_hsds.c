/* /hsds: answers validate against the Open Referral HSDS 3.0 JSON Schemas
 * (../shared/corpora; skipped when absent), and what we export imports
 * back (ix_hsds_parse) as the same services. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/wait.h>

#include "ix_hsds.h"
#include "test_web_fixture.h"

static const char *schema_dir(void) {
  static char dir[1024];
  const char *c = th_corpora_dir();
  if (!c)
    return NULL;
  snprintf(dir, sizeof dir, "%s/hsds/openreferral-specification-3.0/schema", c);
  struct stat sb;
  return stat(dir, &sb) == 0 ? dir : NULL;
}

/* Validate every instance with python3's jsonschema, resolving the
 * schemas' relative $refs among the files of the folder. */
static const char validator[] =
    "import json, sys, os\n"
    "try:\n"
    "    import jsonschema, referencing\n"
    "    from referencing.jsonschema import DRAFT202012\n"
    "except ImportError:\n"
    "    print('jsonschema not available'); sys.exit(3)\n"
    "d = sys.argv[1]\n"
    "base = 'https://hsds.invalid/schema/'\n"
    "res = []\n"
    "for f in os.listdir(d):\n"
    "    if f.endswith('.json'):\n"
    "        res.append((base + f, referencing.Resource.from_contents(json.load(open(os.path.join(d, f))), default_specification=DRAFT202012)))\n"
    "reg = referencing.Registry().with_resources(res)\n"
    "bad = 0\n"
    "for arg in sys.argv[2:]:\n"
    "    schema, path = arg.split('=', 1)\n"
    "    inst = json.load(open(path))\n"
    "    items = inst['contents'] if 'contents' in inst else [inst]\n"
    "    for it in items:\n"
    "        v = jsonschema.Draft202012Validator({'$ref': base + schema}, registry=reg, format_checker=jsonschema.FormatChecker())\n"
    "        for e in v.iter_errors(it):\n"
    "            bad += 1; print(schema, path, list(e.absolute_path), e.message[:200])\n"
    "sys.exit(1 if bad else 0)\n";

static void save(const char *target, const char *file) {
  struct resp r = fx_get(target);
  if (r.status != 200)
    fail_msg("GET %s: %d %s", target, r.status, r.body);
  th_write_file(th_path(file), r.body, r.body_len);
  resp_free(&r);
}

static void test_answers_validate_against_hsds_schemas(void **state) {
  (void)state;
  const char *dir = schema_dir();
  if (!dir)
    skip();
  save("/hsds/services?per_page=50", "services.json");
  save("/hsds/services/" SVC_SHV, "service.json");
  save("/hsds/taxonomies", "taxonomies.json");
  save("/hsds/taxonomy_terms?per_page=500", "terms.json");
  th_write_file(th_path("validate.py"), validator, strlen(validator));
  char cmd[4096];
  snprintf(cmd, sizeof cmd,
           "python3 '%s' '%s' service.json='%s' service.json='%s' taxonomy.json='%s' "
           "taxonomy_term.json='%s'",
           th_path("validate.py"), dir, th_path("services.json"), th_path("service.json"),
           th_path("taxonomies.json"), th_path("terms.json"));
  int rc = system(cmd);
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 3)
    skip();
  assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);

  /* The Page envelope and the API root. */
  json_t *p = fx_get_json("/hsds/services?per_page=1", 200);
  assert_int_equal(json_integer_value(json_object_get(p, "total_items")), 2);
  assert_int_equal(json_integer_value(json_object_get(p, "total_pages")), 2);
  assert_int_equal(json_integer_value(json_object_get(p, "size")), 1);
  assert_true(json_is_true(json_object_get(p, "first_page")));
  assert_false(json_is_true(json_object_get(p, "last_page")));
  json_decref(p);
  json_t *root = fx_get_json("/hsds/", 200);
  assert_string_equal(json_string_value(json_object_get(root, "version")), "3.0");
  assert_non_null(strstr(json_string_value(json_object_get(root, "openapi_url")), "/3.0/schema/openapi.json"));
  json_decref(root);
}

static void test_filters(void **state) {
  (void)state;
  json_t *terms = fx_get_json("/hsds/taxonomy_terms?taxonomy_id=sk-hulpvraag&per_page=500", 200);
  const char *schulden = NULL;
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(terms, "contents"), i, t) if (
      strcmp(json_string_value(json_object_get(t, "code")), "geld.schulden") == 0) schulden =
      json_string_value(json_object_get(t, "id"));
  assert_non_null(schulden);
  char url[200];
  snprintf(url, sizeof url, "/hsds/services?taxonomy_term_id=%s", schulden);
  json_t *s = fx_get_json(url, 200);
  assert_int_equal(json_integer_value(json_object_get(s, "total_items")), 1);
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(json_object_get(s, "contents"), 0), "id")),
      SVC_SHV);
  json_decref(s);
  json_decref(terms);
  s = fx_get_json("/hsds/services?organization_id=" ORG_BIB, 200);
  assert_int_equal(json_integer_value(json_object_get(s, "total_items")), 0); /* activities only */
  json_decref(s);
  s = fx_get_json("/hsds/services?modified_after=2026-04-01T00:00:00%2B02:00", 200);
  assert_int_equal(json_integer_value(json_object_get(s, "total_items")), 1);
  json_decref(s);
  s = fx_get_json("/hsds/services?search=schulden", 200);
  assert_int_equal(json_integer_value(json_object_get(s, "total_items")), 1);
  json_decref(s);
  s = fx_get_json("/hsds/services?search=%22%20OR%20*%20NEAR(", 200); /* no FTS syntax gets through */
  assert_int_equal(json_integer_value(json_object_get(s, "total_items")), 0);
  json_decref(s);
  s = fx_get_json("/hsds/services?minimal=true", 200);
  json_t *first = json_array_get(json_object_get(s, "contents"), 0);
  assert_int_equal(json_object_size(first), 4); /* id, name, status, last_modified */
  assert_non_null(json_string_value(json_object_get(first, "name")));
  assert_string_equal(json_string_value(json_object_get(first, "status")), "active");
  json_decref(s);
}

static int has(const struct ix_strv *v, const char *s) {
  for (size_t i = 0; i < v->n; i++)
    if (strcmp(v->v[i], s) == 0)
      return 1;
  return 0;
}

static void test_export_imports_back_as_the_same_services(void **state) {
  (void)state;
  struct resp r = fx_get("/hsds/services?per_page=50");
  assert_int_equal(r.status, 200);
  struct ix_batch b;
  ix_batch_init(&b, 0);
  int pages = 0;
  char err[256] = "";
  int rc = ix_hsds_parse(r.body, r.body_len, th_taxonomy(), &b, &pages, err, sizeof err);
  if (rc != SK_OK)
    fail_msg("ix_hsds_parse: %s", err);
  assert_int_equal(pages, 1);
  assert_int_equal(b.rejections.n, 0);
  assert_int_equal(b.services.n, 2);
  const struct ix_service *shv = NULL, *dag = NULL;
  for (size_t i = 0; i < b.services.n; i++) {
    if (strcmp(b.services.v[i].name, "Schuldhulpverlening") == 0)
      shv = &b.services.v[i];
    if (strcmp(b.services.v[i].name, "Dagbesteding De Linde") == 0)
      dag = &b.services.v[i];
  }
  assert_non_null(shv);
  assert_non_null(dag);
  assert_true(has(&shv->needs, "geld.schulden"));
  assert_true(has(&shv->target_groups, "volwassenen"));
  assert_true(has(&shv->laws, "wgs"));
  assert_string_equal(shv->access, "vrij");
  assert_string_equal(shv->cost, "gratis");
  assert_string_equal(shv->url, "https://versa.example.org/geld");
  assert_string_equal(shv->application_process, "Bel of loop binnen.");
  assert_int_equal(shv->min_age, 18);
  assert_int_equal(shv->areas.n, 2);
  /* The importer merges location phones into the service's; the
   * restricted number was never exported. */
  assert_int_equal(shv->phones.n, 2);
  for (size_t i = 0; i < shv->phones.n; i++)
    assert_string_not_equal(shv->phones.v[i].number, "035 999 9999");
  assert_string_equal(shv->phones.v[0].number, "035 000 0001");
  assert_int_equal(shv->hours.n, 3);
  assert_int_equal(shv->location_keys.n, 1);
  assert_non_null(strstr(shv->description, "<b>gratis</b>"));
  assert_true(has(&dag->needs, "werk.dagbesteding"));
  assert_string_equal(dag->access, "aanmelden");
  int found_loc = 0;
  for (size_t i = 0; i < b.locations.n; i++)
    if (b.locations.v[i].postal_code && strcmp(b.locations.v[i].postal_code, "1271 AB") == 0)
      found_loc = 1;
  assert_true(found_loc);
  assert_true(b.orgs.n >= 1);
  ix_batch_free(&b);
  resp_free(&r);
}


/* A withdrawn service stays visible to date-based sync for 90 days, as
 * inactive with its last_modified, so a consumer learns it left. */
static void test_withdrawn_visible_to_date_sync(void **state) {
  (void)state;
  struct sk_store *st = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  char now[32], sql[256];
  sk_now_iso(now);
  snprintf(sql, sizeof sql, "UPDATE service SET last_modified = '%s' WHERE id = '" SVC_GONE "'", now);
  fx_exec(st, sql);
  json_t *s = fx_get_json("/hsds/services?modified_after=2026-01-01T00:00:00Z&per_page=50", 200);
  json_t *gone = NULL;
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(s, "contents"), i, it) if (
      strcmp(json_string_value(json_object_get(it, "id")), SVC_GONE) == 0) gone = it;
  assert_non_null(gone);
  assert_string_equal(json_string_value(json_object_get(gone, "status")), "inactive");
  assert_string_equal(json_string_value(json_object_get(gone, "last_modified")), now);
  assert_string_equal(json_string_value(json_object_get(gone, "name")), "Opgeheven spreekuur");
  json_decref(s);
  /* without a date it is not listed, and its own page is gone */
  s = fx_get_json("/hsds/services?per_page=50&page=1", 200);
  json_array_foreach(json_object_get(s, "contents"), i, it)
      assert_string_not_equal(json_string_value(json_object_get(it, "id")), SVC_GONE);
  json_decref(s);
  /* older than 90 days: not listed any more */
  fx_exec(st, "UPDATE service SET last_modified = '2026-01-02T00:00:00Z' WHERE id = '" SVC_GONE "'");
  s = fx_get_json("/hsds/services?modified_after=2026-01-01T00:00:00Z&per_page=49", 200);
  json_array_foreach(json_object_get(s, "contents"), i, it)
      assert_string_not_equal(json_string_value(json_object_get(it, "id")), SVC_GONE);
  json_decref(s);
  sk_store_close(st);
}

/* One taxonomy and one term by id, as the HSDS API has them. */
static void test_taxonomy_and_term_by_id(void **state) {
  (void)state;
  json_t *list = fx_get_json("/hsds/taxonomies", 200);
  json_t *first = json_array_get(json_object_get(list, "contents"), 0);
  char url[200];
  snprintf(url, sizeof url, "/hsds/taxonomies/%s", json_string_value(json_object_get(first, "id")));
  json_t *one = fx_get_json(url, 200);
  assert_true(json_equal(one, first));
  json_decref(one);
  one = fx_get_json("/hsds/taxonomies/sk-hulpvraag", 200);
  assert_string_equal(json_string_value(json_object_get(one, "name")), "sk-hulpvraag");
  json_decref(one);
  json_decref(list);
  json_decref(fx_get_json("/hsds/taxonomies/bestaat-niet", 404));
  list = fx_get_json("/hsds/taxonomy_terms?per_page=3", 200);
  first = json_array_get(json_object_get(list, "contents"), 2);
  snprintf(url, sizeof url, "/hsds/taxonomy_terms/%s", json_string_value(json_object_get(first, "id")));
  one = fx_get_json(url, 200);
  assert_true(json_equal(one, first));
  json_decref(one);
  json_decref(list);
  json_decref(fx_get_json("/hsds/taxonomy_terms/99999999-9999-4999-8999-999999999999", 404));
}

/* Dated opening rows (every other week, monthly: ix_hsds expands them)
 * come out as one rule per date, never merged into a weekly rule. */
static void test_dated_hours_stay_dated(void **state) {
  (void)state;
  struct sk_store *st = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  fx_exec(st, "INSERT INTO schedule(service_rid, weekday, opens_at, closes_at, valid_from, valid_to)"
              " VALUES (1, 4, '19:30', '21:30', '2026-12-10', '2026-12-10'),"
              " (1, 4, '19:30', '21:30', '2026-12-24', '2026-12-24')");
  json_t *s = fx_get_json("/hsds/services/" SVC_SHV, 200);
  int dated = 0;
  size_t i;
  json_t *sc;
  json_array_foreach(json_object_get(s, "schedules"), i, sc) {
    const char *vf = json_string_value(json_object_get(sc, "valid_from"));
    if (vf && strcmp(json_string_value(json_object_get(sc, "opens_at")), "19:30") == 0) {
      dated++;
      assert_string_equal(vf, json_string_value(json_object_get(sc, "valid_to")));
      assert_string_equal(json_string_value(json_object_get(sc, "byday")), "TH");
    }
  }
  assert_int_equal(dated, 2);
  json_decref(s);
  fx_exec(st, "DELETE FROM schedule WHERE valid_from IN ('2026-12-10', '2026-12-24')");
  sk_store_close(st);
}

static int setup(void **state) {
  (void)state;
  fx_start(5);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  web_server_stop(g_srv, 2000);
  g_srv = NULL;
  return 0;
}

int main(void) {
  if (!schema_dir()) {
    fprintf(stderr, "HSDS schemas not found under the corpora: skipped\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_answers_validate_against_hsds_schemas),
      cmocka_unit_test(test_filters),
      cmocka_unit_test(test_withdrawn_visible_to_date_sync),
      cmocka_unit_test(test_taxonomy_and_term_by_id),
      cmocka_unit_test(test_dated_hours_stay_dated),
      cmocka_unit_test(test_export_imports_back_as_the_same_services),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
