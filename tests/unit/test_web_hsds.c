/* /hsds: every answer of every route validates against the Open Referral
 * HSDS 3.0 JSON Schemas (../shared/corpora; skipped when absent); every list
 * is an HSDS Page; filters, paging, tombstones for date-based sync; no
 * restricted field ever; and what we export imports back (ix_hsds_parse)
 * as the same services. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/wait.h>
#include <time.h>

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

#define DEBIAN_PYTHON "/usr/bin/python3"

/* Validate every instance with python3's jsonschema, resolving the
 * schemas' relative $refs among the files of the folder: with the
 * referencing registry (jsonschema >= 4.18), else with RefResolver (Debian
 * bookworm's python3-jsonschema 4.10). */
static const char validator[] =
    "import json, sys, os\n"
    "try:\n"
    "    import jsonschema\n"
    "except ImportError:\n"
    "    print('jsonschema not available'); sys.exit(3)\n"
    "d = sys.argv[1]\n"
    "base = 'https://hsds.invalid/schema/'\n"
    "docs = {}\n"
    "for f in os.listdir(d):\n"
    "    if f.endswith('.json'):\n"
    "        docs[base + f] = json.load(open(os.path.join(d, f)))\n"
    "try:\n"
    "    import referencing\n"
    "    from referencing.jsonschema import DRAFT202012\n"
    "    reg = referencing.Registry().with_resources(\n"
    "        [(u, referencing.Resource.from_contents(c, default_specification=DRAFT202012)) for u, "
    "c in docs.items()])\n"
    "    def validator(name):\n"
    "        return jsonschema.Draft202012Validator({'$ref': base + name}, registry=reg,\n"
    "                                               format_checker=jsonschema.FormatChecker())\n"
    "except ImportError:\n"
    "    def validator(name):\n"
    "        res = jsonschema.RefResolver(base + name, docs[base + name], store=dict(docs))\n"
    "        return jsonschema.Draft202012Validator(docs[base + name], resolver=res,\n"
    "                                               format_checker=jsonschema.FormatChecker())\n"
    "bad = 0\n"
    "n = 0\n"
    "for arg in sys.argv[2:]:\n"
    "    schema, path = arg.split('=', 1)\n"
    "    schema, _, key = schema.partition(':')\n"
    "    inst = json.load(open(path))\n"
    "    items = inst['contents'] if 'contents' in inst else [inst]\n"
    "    if key:\n"
    "        items = [it[key] for it in items if key in it]\n"
    "    if schema == 'root':  # inline in the specification's openapi.json\n"
    "        api = json.load(open(os.path.join(d, 'openapi.json')))\n"
    "        root = "
    "api['paths']['/']['get']['responses']['200']['content']['application/json']['schema']\n"
    "        v = jsonschema.Draft202012Validator(root, format_checker=jsonschema.FormatChecker())\n"
    "    else:\n"
    "        v = validator(schema)\n"
    "    for it in items:\n"
    "        n += 1\n"
    "        for e in v.iter_errors(it):\n"
    "            bad += 1; print(schema, path, list(e.absolute_path), e.message[:200])\n"
    "print('validated', n, 'objects,', bad, 'errors')\n"
    "sys.exit(1 if bad or not n else 0)\n";

/* Withdrawn services, added after the fixture: one 89 days ago (still
 * shown to sync), one 91 days ago (no longer). Both were at the Bijenkorf. */
#define SVC_LEFT "55555555-5555-4555-8555-555555555555"
#define SVC_OLD "66666666-6666-4666-8666-666666666666"
/* A live service of an organization that left 30 days ago. */
#define SVC_ORPHAN "77777777-7777-4777-8777-777777777777"
#define ORG_GONE "dddddddd-dddd-4ddd-8ddd-dddddddddddd"

static char g_org_left[32]; /* when ORG_GONE was withdrawn */

static void add_withdrawn(void) {
  struct sk_store *st = NULL;
  char err[256], sql[3072], recent[32], old[32], month[32];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  time_t now = time(NULL);
  time_t t1 = now - 89 * 86400, t2 = now - 91 * 86400;
  struct tm tm;
  strftime(recent, sizeof recent, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t1, &tm));
  strftime(old, sizeof old, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t2, &tm));
  time_t t3 = now - 30 * 86400;
  strftime(month, sizeof month, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t3, &tm));
  snprintf(g_org_left, sizeof g_org_left, "%s", month);
  snprintf(sql, sizeof sql,
           "INSERT INTO service(rid, id, organization_rid, source, source_key, kind, name,"
           " description, referral_contact, status, created, last_modified) VALUES"
           " (5, '" SVC_LEFT "', 1, 'feed:versa', 'left', 'aanbod', 'Inloop Formulieren',"
           "  'Geheim detail dat weg is.', 'Verwijzers: 035 000 0002', 'withdrawn',"
           "  '2026-01-01T00:00:00Z', '%s'),"
           " (6, '" SVC_OLD "', 1, 'feed:versa', 'old', 'aanbod', 'Oude inloop', NULL, NULL,"
           "  'withdrawn', '2026-01-01T00:00:00Z', '%s');"
           "INSERT INTO service_taxonomy(service_rid, vocabulary, code) VALUES"
           " (5, 'need', 'geld.administratie'), (6, 'need', 'geld.administratie');"
           "INSERT INTO service_area(service_rid, area_code) VALUES (5, 'huizen'), (6, 'huizen');"
           "INSERT INTO service_at_location(service_rid, location_rid) VALUES (5, 1), (6, 1);"
           "INSERT INTO phone(service_rid, number, description, restricted) VALUES"
           " (5, '035 999 9999', 'Alleen voor verwijzers', 1);"
           "INSERT INTO organization(rid, id, source, source_key, name, status, created,"
           " last_modified) VALUES (3, '" ORG_GONE "', 'feed:weg', 'weg', 'Stichting Weg',"
           " 'withdrawn', '2026-01-01T00:00:00Z', '%s');"
           "INSERT INTO service(rid, id, organization_rid, source, source_key, kind, name, status,"
           " created, last_modified) VALUES (7, '" SVC_ORPHAN "', 3, 'feed:weg', 'wees', 'aanbod',"
           " 'Maatjesproject', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');",
           recent, old, month);
  fx_exec(st, sql);
  sk_store_close(st);
}

static void save(const char *target, const char *file) {
  struct resp r = fx_get(target);
  if (r.status != 200)
    fail_msg("GET %s: %d %s", target, r.status, r.body);
  th_write_file(th_path(file), r.body, r.body_len);
  resp_free(&r);
}

/* The HSDS Page: every field, with values that agree with each other. */
static void check_page(const char *target, json_t *p, long page, long per_page) {
  static const char *const keys[] = {"total_items", "total_pages", "page_number", "size",
                                     "first_page",  "last_page",   "empty",       "contents"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (!json_object_get(p, keys[i]))
      fail_msg("%s: no '%s' in the page", target, keys[i]);
  json_int_t total = json_integer_value(json_object_get(p, "total_items"));
  json_int_t pages = json_integer_value(json_object_get(p, "total_pages"));
  json_t *c = json_object_get(p, "contents");
  assert_true(json_is_array(c));
  assert_int_equal(pages, (total + per_page - 1) / per_page);
  assert_int_equal(json_integer_value(json_object_get(p, "page_number")), page);
  assert_int_equal(json_integer_value(json_object_get(p, "size")), json_array_size(c));
  long long want = total - (page - 1) * per_page;
  want = want < 0 ? 0 : want > per_page ? per_page : want;
  assert_int_equal(json_array_size(c), want);
  assert_true(json_is_boolean(json_object_get(p, "first_page")));
  assert_int_equal(json_is_true(json_object_get(p, "first_page")), page == 1);
  assert_int_equal(json_is_true(json_object_get(p, "last_page")), page >= pages);
  assert_int_equal(json_is_true(json_object_get(p, "empty")), total == 0);
}

/* Walk a list one item per page: every page a valid Page, no item twice,
 * and together the same items as one large page. Returns total_items. */
static long long walk_pages(const char *list, long max_per_page) {
  char url[512];
  snprintf(url, sizeof url, "%s%sper_page=%ld", list, strchr(list, '?') ? "&" : "?", max_per_page);
  json_t *all = fx_get_json(url, 200);
  check_page(url, all, 1, max_per_page);
  long long total = json_integer_value(json_object_get(all, "total_items"));
  assert_true(total <= max_per_page);
  for (long page = 1; page <= total + 1; page++) {
    snprintf(url, sizeof url, "%s%sper_page=1&page=%ld", list, strchr(list, '?') ? "&" : "?", page);
    json_t *p = fx_get_json(url, 200);
    check_page(url, p, page, 1);
    json_t *item = json_array_get(json_object_get(p, "contents"), 0);
    if (page <= total)
      assert_string_equal(
          json_string_value(json_object_get(item, "id")),
          json_string_value(json_object_get(
              json_array_get(json_object_get(all, "contents"), (size_t)page - 1), "id")));
    else
      assert_null(item);
    json_decref(p);
  }
  json_decref(all);
  return total;
}

static const char *first_id(const char *list) {
  static char id[64];
  json_t *p = fx_get_json(list, 200);
  const char *v = json_string_value(
      json_object_get(json_array_get(json_object_get(p, "contents"), 0), "id"));
  assert_non_null(v);
  snprintf(id, sizeof id, "%s", v);
  json_decref(p);
  return id;
}

static const char *term_id(const char *code) {
  static char id[64];
  json_t *terms = fx_get_json("/hsds/taxonomy_terms?per_page=500", 200);
  size_t i;
  json_t *t;
  id[0] = '\0';
  json_array_foreach(json_object_get(terms, "contents"), i, t) {
    if (strcmp(json_string_value(json_object_get(t, "code")), code) == 0)
      snprintf(id, sizeof id, "%s", json_string_value(json_object_get(t, "id")));
  }
  json_decref(terms);
  assert_true(id[0] != '\0');
  return id;
}

/* Every route and parameter we serve, each answer saved under a name and
 * validated against its HSDS schema ("schema[:member]"). */
static void test_answers_validate_against_hsds_schemas(void **state) {
  (void)state;
  const char *dir = schema_dir();
  if (!dir)
    skip();
  char sal[64], tax[64], term[64], url[256];
  snprintf(sal, sizeof sal, "%s", first_id("/hsds/service_at_locations"));
  snprintf(tax, sizeof tax, "%s", first_id("/hsds/taxonomies"));
  snprintf(term, sizeof term, "%s", term_id("geld.schulden"));
  static const struct {
    const char *target, *schema;
  } cases[] = {
      {"/hsds/", "root"},
      {"/hsds/services?per_page=50", "service.json"},
      {"/hsds/services?full=false", "service.json"},
      {"/hsds/services?minimal=true", "service.json"},
      {"/hsds/services?modified_after=2000-01-01", "service.json"},
      {"/hsds/services?modified_after=2000-01-01&minimal=true", "service.json"},
      {"/hsds/services?postcode=3755&full=true", "service.json"},
      {"/hsds/services?postcode=1271AB&proximity=1000", "service.json"},
      {"/hsds/services/" SVC_SHV, "service.json"},
      {"/hsds/services/" SVC_DAG, "service.json"},
      {"/hsds/services/" SVC_LEFT, "service.json"},
      {"/hsds/service_at_locations", "service_at_location.json"},
      {"/hsds/service_at_locations", "location.json:location"},
      {"/hsds/service_at_locations", "service.json:service"},
      {"/hsds/service_at_locations?full=true", "service.json:service"},
      {"/hsds/service_at_locations?modified_after=2000-01-01", "service_at_location.json"},
      {"/hsds/service_at_locations?modified_after=2000-01-01", "service.json:service"},
      {"/hsds/service_at_locations?postcode=1271%20AB&proximity=500", "service_at_location.json"},
      {"/hsds/service_at_locations/{sal}", "service_at_location.json"},
      {"/hsds/service_at_locations/{sal}", "location.json:location"},
      {"/hsds/service_at_locations/{sal}", "service.json:service"},
      {"/hsds/organizations", "organization.json"},
      {"/hsds/organizations?full=true", "organization.json"},
      {"/hsds/organizations?full_service=true", "organization.json"},
      {"/hsds/organizations/" ORG_VERSA, "organization.json"},
      {"/hsds/organizations/" ORG_VERSA "?full_service=true", "organization.json"},
      {"/hsds/taxonomies", "taxonomy.json"},
      {"/hsds/taxonomies?search=kosten", "taxonomy.json"},
      {"/hsds/taxonomies/{tax}", "taxonomy.json"},
      {"/hsds/taxonomy_terms?per_page=500", "taxonomy_term.json"},
      {"/hsds/taxonomy_terms?top_only=true&per_page=500", "taxonomy_term.json"},
      {"/hsds/taxonomy_terms?search=schuld", "taxonomy_term.json"},
      {"/hsds/taxonomy_terms/{term}", "taxonomy_term.json"},
  };
  char cmd[16384];
  /* Debian's interpreter: python3-jsonschema (scripts/setup.sh) installs
   * there, whatever python3 comes first on PATH (a pyenv one has none). */
  int n = snprintf(cmd, sizeof cmd, "%s '%s' '%s'", DEBIAN_PYTHON, th_path("validate.py"), dir);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *t = cases[i].target;
    const char *brace = strchr(t, '{');
    if (brace) {
      const char *v = strncmp(brace, "{sal}", 5) == 0   ? sal
                      : strncmp(brace, "{tax}", 5) == 0 ? tax
                                                        : term;
      snprintf(url, sizeof url, "%.*s%s", (int)(brace - t), t, v);
      t = url;
    }
    char file[64];
    snprintf(file, sizeof file, "answer%zu.json", i);
    save(t, file);
    n += snprintf(cmd + n, sizeof cmd - (size_t)n, " %s='%s'", cases[i].schema, th_path(file));
    assert_true(n > 0 && (size_t)n < sizeof cmd);
  }
  th_write_file(th_path("validate.py"), validator, strlen(validator));
  int rc = system(cmd);
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 3) {
    if (getenv("CI"))
      fail_msg("python3-jsonschema is missing under CI (scripts/setup.sh installs it)");
    skip();
  }
  assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
  /* The check can fail: a service without status, with a bad uuid. */
  static const char bad[] = "{\"id\": \"kapot\", \"name\": \"x\"}";
  th_write_file(th_path("bad.json"), bad, strlen(bad));
  snprintf(cmd, sizeof cmd, "%s '%s' '%s' service.json='%s' >/dev/null", DEBIAN_PYTHON,
           th_path("validate.py"), dir, th_path("bad.json"));
  rc = system(cmd);
  assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 1);
}

/* The ORUK validator starts at the root: version, and openapi_url, which
 * it fetches. Ours points at /hsds/openapi.json, which is the document in
 * web/hsds_openapi.json and describes every /hsds route we serve. */
static void test_root_points_at_its_openapi(void **state) {
  (void)state;
  json_t *root = fx_get_json("/hsds/", 200);
  assert_string_equal(json_string_value(json_object_get(root, "version")), "3.0");
  const char *u = json_string_value(json_object_get(root, "openapi_url"));
  assert_non_null(u);
  char want[128];
  snprintf(want, sizeof want, "http://127.0.0.1/hsds/openapi.json");
  assert_string_equal(u, want); /* absolute, from the fixture's public_url */
  json_decref(root);
  struct resp r = fx_get("/hsds/openapi.json");
  assert_int_equal(r.status, 200);
  json_t *served = fx_json(&r);
  resp_free(&r);
  json_error_t e;
  json_t *file = json_load_file(th_source_path("web/hsds_openapi.json"), 0, &e);
  assert_non_null(file);
  assert_true(json_equal(served, file)); /* else run web/gen_openapi.sh */
  const char *paths[] = {"/",
                         "/services",
                         "/services/{id}",
                         "/service_at_locations",
                         "/service_at_locations/{id}",
                         "/organizations",
                         "/organizations/{id}",
                         "/taxonomies",
                         "/taxonomies/{id}",
                         "/taxonomy_terms",
                         "/taxonomy_terms/{id}"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
    if (!json_object_get(json_object_get(json_object_get(served, "paths"), paths[i]), "get"))
      fail_msg("openapi: no GET %s", paths[i]);
  json_decref(file);
  json_decref(served);
}

/* What the ORUK validator (tpximpact/oruk-validator) does after reading
 * openapi_url: it tests every endpoint the OpenAPI document lists against
 * the live API (ids taken from the lists), and rates the document's
 * quality. Every documented GET answers 200 with JSON and CORS; every
 * operation has a summary or description and a documented 200; the lists
 * document page and per_page. */
static void test_validator_walks_every_documented_endpoint(void **state) {
  (void)state;
  json_t *api = fx_get_json("/hsds/openapi.json", 200);
  const char *ver = json_string_value(json_object_get(api, "openapi"));
  assert_non_null(ver);
  assert_int_equal(strncmp(ver, "3.", 2), 0);
  json_t *info = json_object_get(api, "info");
  assert_non_null(json_string_value(json_object_get(info, "title")));
  assert_non_null(json_string_value(json_object_get(info, "version")));
  const char *path;
  json_t *item;
  size_t walked = 0;
  json_object_foreach(json_object_get(api, "paths"), path, item) {
    json_t *get = json_object_get(item, "get");
    if (!get)
      fail_msg("openapi: %s has no GET", path);
    if (!json_string_value(json_object_get(get, "summary")) &&
        !json_string_value(json_object_get(get, "description")))
      fail_msg("openapi: GET %s has no summary or description", path);
    if (!json_object_get(json_object_get(get, "responses"), "200"))
      fail_msg("openapi: GET %s documents no 200", path);
    char target[256];
    const char *brace = strstr(path, "/{id}");
    if (brace) { /* an id from the list, as the validator takes it */
      char list[128];
      snprintf(list, sizeof list, "/hsds%.*s?per_page=1", (int)(brace - path), path);
      json_t *page = fx_get_json(list, 200);
      const char *id = json_string_value(
          json_object_get(json_array_get(json_object_get(page, "contents"), 0), "id"));
      assert_non_null(id);
      snprintf(target, sizeof target, "/hsds%.*s/%s", (int)(brace - path), path, id);
      json_decref(page);
    } else {
      snprintf(target, sizeof target, "/hsds%s", path);
      size_t params = 0;
      size_t i;
      json_t *p;
      json_array_foreach(json_object_get(get, "parameters"), i, p) {
        json_t *ref = json_object_get(p, "$ref");
        const char *name = json_string_value(json_object_get(p, "name"));
        const char *r = json_string_value(ref);
        params += (name && (!strcmp(name, "page") || !strcmp(name, "per_page"))) ||
                  (r && (strstr(r, "/page") || strstr(r, "per_page")));
      }
      if (strcmp(path, "/") != 0 && params < 2)
        fail_msg("openapi: GET %s does not document page and per_page", path);
    }
    struct resp r = fx_get(target);
    if (r.status != 200)
      fail_msg("GET %s: %d", target, r.status);
    const char *ct = fx_header(&r, "Content-Type");
    assert_non_null(ct);
    assert_non_null(strstr(ct, "json"));
    const char *cors = fx_header(&r, "Access-Control-Allow-Origin");
    assert_non_null(cors);
    assert_string_equal(cors, "*");
    json_t *body = fx_json(&r);
    assert_non_null(body);
    json_decref(body);
    resp_free(&r);
    walked++;
  }
  assert_int_equal(walked, 11);
  json_decref(api);
}

static void test_every_list_pages(void **state) {
  (void)state;
  assert_int_equal(walk_pages("/hsds/services", 200), 2);
  assert_int_equal(walk_pages("/hsds/services?modified_after=2000-01-01", 200), 4);
  assert_int_equal(walk_pages("/hsds/service_at_locations", 200), 1);
  assert_int_equal(walk_pages("/hsds/service_at_locations?modified_after=2000-01-01", 200), 2);
  assert_int_equal(walk_pages("/hsds/organizations", 200), 2);
  assert_int_equal(walk_pages("/hsds/organizations?full_service=true", 20), 2);
  assert_int_equal(walk_pages("/hsds/taxonomies", 200), 5);
  assert_true(walk_pages("/hsds/taxonomy_terms?taxonomy_id=sk-toegang", 500) >= 3);
  /* An empty result is a Page too. */
  json_t *p = fx_get_json("/hsds/services?postcode=1011", 200);
  check_page("postcode=1011", p, 1, 50);
  assert_true(json_is_true(json_object_get(p, "empty")));
  json_decref(p);
}

static void test_filters(void **state) {
  (void)state;
  char url[200];
  snprintf(url, sizeof url, "/hsds/services?taxonomy_term_id=%s", term_id("geld.schulden"));
  json_t *s = fx_get_json(url, 200);
  assert_int_equal(json_integer_value(json_object_get(s, "total_items")), 1);
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(json_object_get(s, "contents"), 0), "id")),
      SVC_SHV);
  json_decref(s);
  s = fx_get_json("/hsds/services?organization_id=" ORG_BIB, 200);
  assert_int_equal(json_integer_value(json_object_get(s, "total_items")), 0); /* activities only */
  json_decref(s);
  s = fx_get_json("/hsds/services?search=schulden", 200);
  assert_int_equal(json_integer_value(json_object_get(s, "total_items")), 1);
  json_decref(s);
  s = fx_get_json("/hsds/services?search=%22%20OR%20*%20NEAR(",
                  200); /* no FTS syntax gets through */
  assert_int_equal(json_integer_value(json_object_get(s, "total_items")), 0);
  json_decref(s);
  /* minimal: id, name, status and last_modified. */
  s = fx_get_json("/hsds/services?minimal=true", 200);
  json_t *first = json_array_get(json_object_get(s, "contents"), 0);
  assert_int_equal(json_object_size(first), 4);
  assert_string_equal(json_string_value(json_object_get(first, "name")), "Dagbesteding De Linde");
  assert_string_equal(json_string_value(json_object_get(first, "status")), "active");
  assert_string_equal(json_string_value(json_object_get(first, "last_modified")),
                      "2026-06-01T00:00:00Z");
  json_decref(s);
}

static long long total_of(const char *target) {
  json_t *p = fx_get_json(target, 200);
  long long n = json_integer_value(json_object_get(p, "total_items"));
  json_decref(p);
  return n;
}

/* postcode: the service areas that hold it; proximity: metres from its
 * centroid (the municipality's). Debt help serves HBEL, day activities BEL. */
static void test_postcode_and_proximity(void **state) {
  (void)state;
  assert_int_equal(total_of("/hsds/services?postcode=1271%20AB"), 1); /* Huizen: hbel */
  assert_int_equal(total_of("/hsds/services?postcode=1261"), 2);      /* Blaricum */
  assert_int_equal(total_of("/hsds/services?postcode=3755ab"), 2);    /* Eemnes */
  assert_int_equal(total_of("/hsds/services?postcode=1211"), 0);      /* Hilversum */
  assert_int_equal(total_of("/hsds/services?postcode=1011"), 0);      /* Amsterdam */
  assert_int_equal(total_of("/hsds/service_at_locations?postcode=1271"), 1);
  /* Laren is served by HBEL debt help, at its place in Huizen. */
  assert_int_equal(total_of("/hsds/service_at_locations?postcode=1251"), 1);
  /* The Bijenkorf is about 50 m from Huizen's centroid. */
  assert_int_equal(total_of("/hsds/services?postcode=1271&proximity=100"), 1);
  assert_int_equal(total_of("/hsds/services?postcode=1271&proximity=20"), 0);
  assert_int_equal(total_of("/hsds/service_at_locations?postcode=1271&proximity=100"), 1);
  assert_int_equal(total_of("/hsds/service_at_locations?postcode=1271&proximity=20"), 0);
  /* Eemnes' centroid is about 5 km away; its services have no location there. */
  assert_int_equal(total_of("/hsds/services?postcode=3755&proximity=4000"), 0);
  assert_int_equal(total_of("/hsds/services?postcode=3755&proximity=6000"), 1);
  static const char *const bad[] = {
      "/hsds/services?postcode=12AB",
      "/hsds/services?postcode=0123",
      "/hsds/services?postcode=1271ABC",
      "/hsds/services?postcode=1271%20",
      "/hsds/services?proximity=100",
      "/hsds/services?postcode=1271&proximity=-5",
      "/hsds/services?postcode=1271&proximity=1e3",
      "/hsds/services?postcode=1271&proximity=900000",
      "/hsds/services?postcode=1011&proximity=100",
      "/hsds/service_at_locations?postcode=x",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct resp r = fx_get(bad[i]);
    if (r.status != 400)
      fail_msg("%s: %d, want 400", bad[i], r.status);
    assert_non_null(strstr(fx_header(&r, "Content-Type"), "problem+json"));
    resp_free(&r);
  }
}

/* A consumer syncing with modified_after learns that a service left: it is
 * listed as inactive with the time it left, for at least 90 days, and
 * nothing of its former content comes with it. */
static void test_withdrawn_visible_to_sync(void **state) {
  (void)state;
  json_t *p = fx_get_json("/hsds/services?modified_after=2000-01-01&per_page=200", 200);
  json_t *left = NULL;
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(p, "contents"), i, it) {
    const char *id = json_string_value(json_object_get(it, "id"));
    assert_string_not_equal(id, SVC_OLD);  /* 91 days */
    assert_string_not_equal(id, SVC_GONE); /* withdrawn in January */
    if (strcmp(id, SVC_LEFT) == 0)
      left = it;
  }
  assert_non_null(left);
  assert_string_equal(json_string_value(json_object_get(left, "status")), "inactive");
  assert_string_equal(json_string_value(json_object_get(left, "name")), "Inloop Formulieren");
  assert_string_equal(json_string_value(json_object_get(left, "organization_id")), ORG_VERSA);
  assert_non_null(json_string_value(json_object_get(left, "last_modified")));
  assert_null(json_object_get(left, "description"));
  assert_null(json_object_get(left, "phones"));
  json_decref(p);
  /* Since a day after it left, only the organization's later withdrawal;
   * since 90 days ago, both; after now, nothing. */
  time_t t = time(NULL) - 88 * 86400;
  struct tm tm;
  char day[48], url[160];
  strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S%%2B00:00", gmtime_r(&t, &tm));
  snprintf(url, sizeof url, "/hsds/services?modified_after=%s", day);
  assert_int_equal(total_of(url), 1); /* the organization's withdrawal */
  snprintf(url, sizeof url, "/hsds/services?modified_after=%sT00:00:00Z", "2099-01-01");
  assert_int_equal(total_of(url), 0);
  t = time(NULL) - 90 * 86400;
  strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S%%2B00:00", gmtime_r(&t, &tm));
  snprintf(url, sizeof url, "/hsds/services?modified_after=%s&minimal=true", day);
  p = fx_get_json(url, 200);
  assert_int_equal(json_integer_value(json_object_get(p, "total_items")), 2);
  json_array_foreach(json_object_get(p, "contents"), i, it) {
    assert_int_equal(json_object_size(it), 4);
    assert_string_equal(json_string_value(json_object_get(it, "status")), "inactive");
  }
  it = json_array_get(json_object_get(p, "contents"), 0); /* by name: Inloop before Maatjes */
  assert_string_equal(json_string_value(json_object_get(it, "id")), SVC_LEFT);
  json_decref(p);
  /* A service whose organization left, left with it (at that time). */
  json_t *orphan = fx_get_json("/hsds/services/" SVC_ORPHAN, 200);
  assert_string_equal(json_string_value(json_object_get(orphan, "status")), "inactive");
  assert_string_equal(json_string_value(json_object_get(orphan, "last_modified")), g_org_left);
  json_decref(orphan);
  orphan = fx_get_json("/hsds/organizations/" ORG_GONE, 404);
  json_decref(orphan);
  /* Without modified_after a list holds live services only. */
  assert_int_equal(total_of("/hsds/services"), 2);
  /* By id: inactive while recent, then 404 like any unknown id. */
  json_t *s = fx_get_json("/hsds/services/" SVC_LEFT, 200);
  assert_string_equal(json_string_value(json_object_get(s, "status")), "inactive");
  assert_null(json_object_get(s, "description"));
  json_decref(s);
  s = fx_get_json("/hsds/services/" SVC_OLD, 404);
  json_decref(s);
  s = fx_get_json("/hsds/services/" SVC_GONE, 404);
  json_decref(s);
  /* Filters apply to what it was: a term it had, an area it served. */
  snprintf(url, sizeof url, "/hsds/services?modified_after=2000-01-01&taxonomy_term_id=%s",
           term_id("geld.administratie"));
  assert_int_equal(total_of(url), 1);
  assert_int_equal(total_of("/hsds/services?modified_after=2000-01-01&postcode=1271"), 2);
  /* Its place at the Bijenkorf too, with the service inactive. */
  p = fx_get_json("/hsds/service_at_locations?modified_after=2000-01-01", 200);
  int seen = 0;
  json_array_foreach(json_object_get(p, "contents"), i, it) {
    json_t *svc = json_object_get(it, "service");
    if (strcmp(json_string_value(json_object_get(it, "service_id")), SVC_LEFT) == 0) {
      seen = 1;
      assert_string_equal(json_string_value(json_object_get(svc, "status")), "inactive");
      assert_string_equal(json_string_value(json_object_get(it, "location_id")), LOC_BIJ);
    }
  }
  assert_true(seen);
  json_decref(p);
}

static void test_organizations(void **state) {
  (void)state;
  json_t *o = fx_get_json("/hsds/organizations/" ORG_VERSA, 200);
  assert_string_equal(json_string_value(json_object_get(o, "name")), "Versa Welzijn");
  assert_string_equal(json_string_value(json_object_get(o, "website")),
                      "https://versa.example.org");
  json_t *ph = json_object_get(o, "phones");
  assert_int_equal(json_array_size(ph), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(ph, 0), "number")),
                      "035 000 0000");
  assert_string_equal(json_string_value(json_object_get(json_array_get(ph, 0), "organization_id")),
                      ORG_VERSA);
  json_t *svcs = json_object_get(o, "services");
  assert_int_equal(json_array_size(svcs), 2); /* live offerings, no activity, none withdrawn */
  assert_string_equal(json_string_value(json_object_get(json_array_get(svcs, 0), "status")),
                      "active");
  assert_null(json_object_get(json_array_get(svcs, 0), "phones"));
  json_decref(o);
  o = fx_get_json("/hsds/organizations/" ORG_VERSA "?full_service=true", 200);
  json_t *shv = json_array_get(json_object_get(o, "services"), 1);
  assert_string_equal(json_string_value(json_object_get(shv, "id")), SVC_SHV);
  assert_int_equal(json_array_size(json_object_get(shv, "phones")), 1);
  json_decref(o);
  /* The library has only activities: listed, with no HSDS services. */
  o = fx_get_json("/hsds/organizations/" ORG_BIB, 200);
  assert_string_equal(json_string_value(json_object_get(o, "description")), "");
  assert_int_equal(json_array_size(json_object_get(o, "services")), 0);
  json_decref(o);
  o = fx_get_json("/hsds/organizations/cccccccc-cccc-4ccc-8ccc-000000000000", 404);
  json_decref(o);
  o = fx_get_json("/hsds/organizations/niet-een-uuid", 404);
  json_decref(o);
  assert_int_equal(total_of("/hsds/organizations?search=versa"), 1);
  assert_int_equal(total_of("/hsds/organizations?search=WELZIJN"), 1);
  assert_int_equal(total_of("/hsds/organizations?search=%25"), 0); /* no LIKE wildcard */
  assert_int_equal(total_of("/hsds/organizations?search=bibliotheek"), 1);
  json_t *l = fx_get_json("/hsds/organizations", 200);
  assert_null(json_object_get(json_array_get(json_object_get(l, "contents"), 0), "services"));
  json_decref(l);
  l = fx_get_json("/hsds/organizations?full=true", 200);
  assert_non_null(json_object_get(json_array_get(json_object_get(l, "contents"), 0), "services"));
  json_decref(l);
  l = fx_get_json("/hsds/organizations?full_service=maybe", 400);
  json_decref(l);
}

static void test_service_at_locations(void **state) {
  (void)state;
  json_t *p = fx_get_json("/hsds/service_at_locations", 200);
  assert_int_equal(json_integer_value(json_object_get(p, "total_items")), 1);
  json_t *it = json_array_get(json_object_get(p, "contents"), 0);
  assert_string_equal(json_string_value(json_object_get(it, "service_id")), SVC_SHV);
  assert_string_equal(json_string_value(json_object_get(it, "location_id")), LOC_BIJ);
  const char *loc_name = json_string_value(
      json_object_get(json_object_get(it, "location"), "name"));
  assert_string_equal(loc_name, "Buurthuis De Bijenkorf");
  json_t *svc = json_object_get(it, "service");
  assert_string_equal(json_string_value(json_object_get(svc, "name")), "Schuldhulpverlening");
  assert_null(json_object_get(svc, "phones")); /* one-to-one fields unless full=true */
  char url[128];
  snprintf(url, sizeof url, "/hsds/service_at_locations/%s",
           json_string_value(json_object_get(it, "id")));
  json_t *one = fx_get_json(url, 200);
  assert_true(json_equal(json_object_get(one, "location"), json_object_get(it, "location")));
  svc = json_object_get(one, "service");
  assert_int_equal(json_array_size(json_object_get(svc, "phones")), 1);
  assert_null(json_object_get(svc, "service_at_locations"));
  json_decref(one);
  json_decref(p);
  p = fx_get_json("/hsds/service_at_locations/" SVC_SHV, 404); /* a service id is not one */
  json_decref(p);
  snprintf(url, sizeof url, "/hsds/service_at_locations?taxonomy_term_id=%s",
           term_id("werk.dagbesteding"));
  assert_int_equal(total_of(url), 0);
  assert_int_equal(total_of("/hsds/service_at_locations?organization_id=" ORG_VERSA), 1);
  assert_int_equal(total_of("/hsds/service_at_locations?search=schulden"), 1);
}

static void test_taxonomies_and_terms(void **state) {
  (void)state;
  json_t *all = fx_get_json("/hsds/taxonomies", 200);
  json_t *first = json_array_get(json_object_get(all, "contents"), 0);
  char url[160];
  snprintf(url, sizeof url, "/hsds/taxonomies/%s", json_string_value(json_object_get(first, "id")));
  json_t *one = fx_get_json(url, 200);
  assert_true(json_equal(one, first));
  json_decref(one);
  one = fx_get_json("/hsds/taxonomies/sk-kosten", 200);
  assert_string_equal(json_string_value(json_object_get(one, "name")), "sk-kosten");
  json_decref(one);
  json_decref(all);
  one = fx_get_json("/hsds/taxonomies/sk-onbekend", 404);
  json_decref(one);
  assert_int_equal(total_of("/hsds/taxonomies?search=KOSTEN"), 1);
  assert_int_equal(total_of("/hsds/taxonomies?search=niets-dat-past"), 0);

  const char *geld = term_id("geld");
  char geld_id[64];
  snprintf(geld_id, sizeof geld_id, "%s", geld);
  snprintf(url, sizeof url, "/hsds/taxonomy_terms/%s", geld_id);
  one = fx_get_json(url, 200);
  assert_string_equal(json_string_value(json_object_get(one, "code")), "geld");
  assert_string_equal(json_string_value(json_object_get(one, "taxonomy")), "sk-hulpvraag");
  json_decref(one);
  one = fx_get_json("/hsds/taxonomy_terms/" SVC_SHV, 404);
  json_decref(one);
  /* Children of "geld": each has it as parent_id, and there are some. */
  snprintf(url, sizeof url, "/hsds/taxonomy_terms?parent_id=%s&per_page=500", geld_id);
  json_t *kids = fx_get_json(url, 200);
  assert_true(json_integer_value(json_object_get(kids, "total_items")) >= 3);
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(kids, "contents"), i, t) {
    assert_string_equal(json_string_value(json_object_get(t, "parent_id")), geld_id);
    assert_int_equal(strncmp(json_string_value(json_object_get(t, "code")), "geld.", 5), 0);
  }
  json_decref(kids);
  /* top_only: no term with a parent; together with the children, all. */
  json_t *top = fx_get_json("/hsds/taxonomy_terms?top_only=true&per_page=500", 200);
  json_array_foreach(json_object_get(top, "contents"), i, t)
      assert_null(json_object_get(t, "parent_id"));
  long long n_top = json_integer_value(json_object_get(top, "total_items"));
  json_decref(top);
  long long n_all = total_of("/hsds/taxonomy_terms?per_page=500");
  assert_true(n_top > 5 && n_top < n_all);
  /* search: code, name or a synonym ("rood staan" is one of Schulden's). */
  json_t *hit = fx_get_json("/hsds/taxonomy_terms?search=rood%20staan", 200);
  assert_int_equal(json_integer_value(json_object_get(hit, "total_items")), 1);
  assert_string_equal(json_string_value(json_object_get(
                          json_array_get(json_object_get(hit, "contents"), 0), "code")),
                      "geld.schulden");
  json_decref(hit);
  assert_int_equal(total_of("/hsds/taxonomy_terms?search=schuld&taxonomy_id=sk-kosten"), 0);
  one = fx_get_json("/hsds/taxonomy_terms?parent_id=onbekend", 400);
  json_decref(one);
  one = fx_get_json("/hsds/taxonomy_terms?top_only=ja", 400);
  json_decref(one);
}

/* No answer of /hsds carries a restricted phone, a referral contact or
 * the former text of a withdrawn service; every one is open to any origin. */
static void test_no_restricted_field_on_any_route(void **state) {
  (void)state;
  char sal[64], url[200];
  snprintf(sal, sizeof sal, "%s", first_id("/hsds/service_at_locations"));
  const char *const targets[] = {
      "/hsds/services?per_page=200",
      "/hsds/services?modified_after=2000-01-01&per_page=200",
      "/hsds/services?postcode=1271&proximity=1000",
      "/hsds/services/" SVC_SHV,
      "/hsds/services/" SVC_LEFT,
      "/hsds/service_at_locations?full=true",
      "/hsds/service_at_locations?modified_after=2000-01-01&full=true",
      url,
      "/hsds/organizations?full_service=true",
      "/hsds/organizations/" ORG_VERSA "?full_service=true",
      "/hsds/taxonomy_terms?per_page=500",
  };
  snprintf(url, sizeof url, "/hsds/service_at_locations/%s", sal);
  const char *const secrets[] = {"035 999 9999", "Alleen voor verwijzers",
                                 "035 000 0002", "Verwijzers",
                                 "referral",     "Geheim detail"};
  for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
    struct resp r = fx_get(targets[i]);
    assert_int_equal(r.status, 200);
    /* ORUK: open to every origin, no key. */
    const char *cors = fx_header(&r, "Access-Control-Allow-Origin");
    if (!cors || strcmp(cors, "*") != 0)
      fail_msg("%s: Access-Control-Allow-Origin %s", targets[i], cors ? cors : "(none)");
    for (size_t k = 0; k < sizeof secrets / sizeof secrets[0]; k++)
      if (strstr(r.body, secrets[k]))
        fail_msg("%s shows '%s'", targets[i], secrets[k]);
    resp_free(&r);
  }
}

/* Odd and hostile input on the new routes: a 400 or 404 with a reason, an
 * empty page, never a 5xx. */
static void test_hostile_input_is_a_clear_answer(void **state) {
  (void)state;
  static const struct {
    const char *target;
    int status;
  } cases[] = {
      {"/hsds/organizations?search=%27%20OR%201%3D1%20--", 200},
      {"/hsds/organizations?search=_", 200},
      {"/hsds/organizations?search=%5C", 200},
      {"/hsds/organizations?search=%E2%82%AC%F0%9F%98%80", 200},
      {"/hsds/organizations?per_page=21&full_service=true", 400},
      {"/hsds/organizations?page=0", 400},
      {"/hsds/organizations?page=99999", 200},
      {"/hsds/organizations?format=ndjson", 400},
      {"/hsds/organizations?postcode=1271", 400}, /* not a parameter here */
      {"/hsds/organizations/" ORG_VERSA "?full=true", 400},
      {"/hsds/organizations/" ORG_VERSA "/services", 404},
      {"/hsds/service_at_locations?minimal=true", 400},
      {"/hsds/service_at_locations?organization_id=kapot", 400},
      {"/hsds/service_at_locations?modified_after=gisteren", 400},
      {"/hsds/service_at_locations?taxonomy_id=onbekend", 400},
      {"/hsds/service_at_locations/%27%3B--", 404},
      {"/hsds/service_at_locations/00000000-0000-4000-8000-000000000000", 404},
      {"/hsds/services?postcode=%00", 400},
      {"/hsds/services?postcode=1271&proximity=0", 400},
      {"/hsds/services?postcode=1271&proximity=99999999999999999999999", 400},
      {"/hsds/services?postcode=%EF%BC%91%EF%BC%92%EF%BC%97%EF%BC%91", 400}, /* full-width digits */
      {"/hsds/taxonomies/", 404},                                            /* an empty id */
      {"/hsds/taxonomies/%25", 404},
      {"/hsds/taxonomy_terms?search=%25%25%25", 200},
      {"/hsds/taxonomy_terms?parent_id=" SVC_SHV, 400},
      {"/hsds/taxonomy_terms?top_only=true&parent_id=x", 400},
      {"/hsds/taxonomy_terms/", 404},
      {"/hsds/taxonomy_terms/x/y", 404},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct resp r = fx_get(cases[i].target);
    if (r.status != cases[i].status)
      fail_msg("%s: %d, want %d: %.300s", cases[i].target, r.status, cases[i].status, r.body);
    if (r.status >= 400)
      assert_non_null(strstr(fx_header(&r, "Content-Type"), "problem+json"));
    resp_free(&r);
  }
}

/* Point 9 of issue 12: what the export carries besides the basics. */
static void test_export_carries_keywords_org_phones_and_area_exceptions(void **state) {
  (void)state;
  json_t *s = fx_get_json("/hsds/services/" SVC_SHV, 200);
  assert_string_equal(json_string_value(json_object_get(s, "alternate_name")),
                      "rood staan, aanmaning");
  json_t *ph = json_object_get(json_object_get(s, "organization"), "phones");
  assert_int_equal(json_array_size(ph), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(ph, 0), "number")),
                      "035 000 0000");
  json_decref(s);
  s = fx_get_json("/hsds/services/" SVC_DAG, 200);
  json_t *areas = json_object_get(s, "service_areas");
  int eemnes = 0;
  size_t i;
  json_t *a;
  json_array_foreach(areas, i, a) {
    if (strcmp(json_string_value(json_object_get(a, "name")), "eemnes") == 0) {
      eemnes = 1;
      assert_string_equal(json_string_value(json_object_get(a, "description")),
                          "Eemnes (vanaf 18 jaar): Jeugd uit Eemnes: via Amersfoort.");
    }
  }
  assert_true(eemnes);
  json_decref(s);
}

/* The source's own time of change (an HSDS feed's last_modified, kept in
 * service.source_modified) is what /hsds publishes as last_modified, and
 * our JSON API shows it beside ours; an id in upper case finds the same
 * service (RFC 9562: UUIDs compare without regard to case). */
static void test_source_time_published_and_id_case(void **state) {
  (void)state;
  struct sk_store *st = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  fx_exec(
      st,
      "UPDATE service SET source_modified = '2020-05-01T10:00:00.250+02:00' WHERE id = '" SVC_SHV
      "'");
  sk_store_close(st);
  json_t *s = fx_get_json("/hsds/services/" SVC_SHV, 200);
  assert_string_equal(json_string_value(json_object_get(s, "last_modified")),
                      "2020-05-01T10:00:00.250+02:00");
  json_decref(s);
  s = fx_get_json("/api/v1/services/" SVC_SHV, 200);
  assert_string_equal(json_string_value(json_object_get(s, "source_modified")),
                      "2020-05-01T10:00:00.250+02:00");
  assert_string_not_equal(json_string_value(json_object_get(s, "last_modified")),
                          "2020-05-01T10:00:00.250+02:00");
  json_decref(s);
  /* modified_after filters on that published time: a consumer is given
   * what the times it is shown say (before: on our import time, so a
   * service "changed in 2020" came with modified_after=2026). */
  static const struct {
    const char *after;
    int listed;
  } since[] = {{"2020-05-01T07:59:00Z", 1},        /* source time 08:00:00.250Z */
               {"2020-05-01T09:59:00%2B02:00", 1}, /* the same, in +02:00 */
               {"2020-05-01T08:01:00Z", 0},
               {"2025-01-01", 0}};
  for (size_t k = 0; k < sizeof since / sizeof since[0]; k++) {
    char url[160];
    snprintf(url, sizeof url, "/hsds/services?modified_after=%s&per_page=200", since[k].after);
    json_t *pg = fx_get_json(url, 200);
    int found = 0, others = 0;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(pg, "contents"), i, it) {
      if (strcmp(json_string_value(json_object_get(it, "id")), SVC_SHV) == 0)
        found = 1;
      else
        others++;
    }
    if (found != since[k].listed)
      fail_msg("modified_after=%s: the service of 2020 %s listed", since[k].after,
               found ? "is" : "is not");
    assert_true(others > 0); /* the services changed in this store today */
    json_decref(pg);
  }
  /* Another service, without a source time, publishes ours. */
  s = fx_get_json("/hsds/services/" SVC_DAG, 200);
  json_t *d = fx_get_json("/api/v1/services/" SVC_DAG, 200);
  assert_true(json_is_null(json_object_get(d, "source_modified")));
  assert_string_equal(json_string_value(json_object_get(s, "last_modified")),
                      json_string_value(json_object_get(d, "last_modified")));
  json_decref(s);
  json_decref(d);
  /* The same organisation by its id in upper case, on both APIs. */
  char upper[64], target[128];
  snprintf(upper, sizeof upper, "%s", ORG_VERSA);
  for (char *p = upper; *p; p++)
    if (*p >= 'a' && *p <= 'f')
      *p = (char)(*p - 'a' + 'A');
  assert_string_not_equal(upper, ORG_VERSA);
  snprintf(target, sizeof target, "/hsds/organizations/%s", upper);
  s = fx_get_json(target, 200);
  assert_string_equal(json_string_value(json_object_get(s, "id")), ORG_VERSA);
  json_decref(s);
  snprintf(target, sizeof target, "/api/v1/organizations/%s", upper);
  s = fx_get_json(target, 200);
  assert_string_equal(json_string_value(json_object_get(s, "id")), ORG_VERSA);
  json_decref(s);
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  fx_exec(st, "UPDATE service SET source_modified = NULL WHERE id = '" SVC_SHV "'");
  sk_store_close(st);
}

/* Dated opening rows (every other week, monthly: ix_hsds expands them)
 * come out as one rule per date, never merged into a weekly rule. */
static void test_dated_hours_stay_dated(void **state) {
  (void)state;
  struct sk_store *st = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("web.db"), 0, &st, err, sizeof err), SK_OK);
  fx_exec(st,
          "INSERT INTO schedule(service_rid, weekday, opens_at, closes_at, valid_from, valid_to)"
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
  assert_string_equal(shv->keywords, "rood staan, aanmaning"); /* alternate_name */
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

static int setup(void **state) {
  (void)state;
  fx_start(5);
  add_withdrawn();
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
      cmocka_unit_test(test_root_points_at_its_openapi),
      cmocka_unit_test(test_validator_walks_every_documented_endpoint),
      cmocka_unit_test(test_every_list_pages),
      cmocka_unit_test(test_filters),
      cmocka_unit_test(test_postcode_and_proximity),
      cmocka_unit_test(test_withdrawn_visible_to_sync),
      cmocka_unit_test(test_organizations),
      cmocka_unit_test(test_service_at_locations),
      cmocka_unit_test(test_taxonomies_and_terms),
      cmocka_unit_test(test_no_restricted_field_on_any_route),
      cmocka_unit_test(test_hostile_input_is_a_clear_answer),
      cmocka_unit_test(test_export_carries_keywords_org_phones_and_area_exceptions),
      cmocka_unit_test(test_source_time_published_and_id_case),
      cmocka_unit_test(test_dated_hours_stay_dated),
      cmocka_unit_test(test_export_imports_back_as_the_same_services),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
