/* Export -> import -> export of the demo data (issue 12, point 9): the
 * /hsds/services of the demo store, imported as an HSDS feed into an empty
 * store, are published again identically (docs/hsds.md, "Round trip"):
 * every id, name, text, area (with its ages and note), phone, schedule,
 * location, attribute and the time of change (last_modified) comes back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>

#include "ix_registry.h"
#include "ix_run.h"
#include "test_web_fixture.h"

/* The fields a round trip may change, and why (docs/hsds.md). */
static const char *const changes[] = {
    /* none: last_modified is the source's own time of change when a feed
     * gave one (service.source_modified), so it comes back as it went */
    NULL};

static void serve(const char *db) {
  struct web_config c;
  web_config_default(&c);
  c.db_path = db;
  static const char *site;
  if (!site)
    site = fx_make_static();
  c.static_dir = site;
  c.port = 0;
  c.threads = 2;
  c.timeout_s = 10;
  static char log[512];
  snprintf(log, sizeof log, "%s", th_path("rt-access.log"));
  c.access_log = log;
  char err[512] = "";
  if (web_server_start(&c, &g_srv, err, sizeof err) != SK_OK)
    fail_msg("server: %s", err);
  g_port = web_server_port(g_srv);
}

/* Every service of /hsds/services, all pages, as one array. */
static json_t *export_all(void) {
  json_t *all = json_array();
  for (int page = 1; page <= 50; page++) {
    char target[128];
    snprintf(target, sizeof target, "/hsds/services?per_page=200&page=%d", page);
    struct resp r = fx_get(target);
    assert_int_equal(r.status, 200);
    json_error_t je;
    json_t *d = json_loads(r.body, 0, &je);
    if (!d)
      fail_msg("page %d: %s", page, je.text);
    json_array_extend(all, json_object_get(d, "contents"));
    int last = json_is_true(json_object_get(d, "last_page"));
    json_decref(d);
    resp_free(&r);
    if (last)
      return all;
  }
  fail_msg("more than 50 pages");
  return NULL;
}

/* The first path where a and b differ, into out; 0 when equal. */
static int first_difference(json_t *a, json_t *b, char *path, size_t cap) {
  if (json_equal(a, b))
    return 0;
  size_t n = strlen(path);
  if (json_is_object(a) && json_is_object(b)) {
    const char *k;
    json_t *v;
    json_object_foreach(a, k, v) {
      snprintf(path + n, cap - n, ".%s", k);
      if (first_difference(v, json_object_get(b, k), path, cap))
        return 1;
    }
    json_object_foreach(b, k, v) {
      snprintf(path + n, cap - n, ".%s", k);
      if (!json_object_get(a, k))
        return 1;
    }
  } else if (json_is_array(a) && json_is_array(b) && json_array_size(a) == json_array_size(b)) {
    for (size_t i = 0; i < json_array_size(a); i++) {
      snprintf(path + n, cap - n, "[%zu]", i);
      if (first_difference(json_array_get(a, i), json_array_get(b, i), path, cap))
        return 1;
    }
  }
  path[n] = '\0';
  return 1;
}

static void test_demo_export_import_export(void **state) {
  (void)state;
  char db1[512], db2[512], file[PATH_MAX];
  snprintf(db1, sizeof db1, "%s", th_path("rt-demo.db"));
  snprintf(db2, sizeof db2, "%s", th_path("rt-again.db"));
  snprintf(file, sizeof file, "%s", th_path("rt-export.json"));
  remove(db1);
  remove(db2);
  assert_int_equal(th_index_demo(db1), 0);

  serve(db1);
  json_t *first = export_all();
  web_server_stop(g_srv, 2000);
  g_srv = NULL;
  assert_true(json_array_size(first) > 100);
  assert_int_equal(json_dump_file(first, file, JSON_INDENT(1)), 0);

  /* Import the export as a partner would: an HSDS feed, no defaults. */
  struct sk_store *st = th_store_with_taxonomy("rt-again.db");
  char reg[PATH_MAX + 256];
  snprintf(reg, sizeof reg,
           "{\"feeds\": [{\"id\": \"export\", \"partner\": \"P\", \"kind\": \"hsds\", "
           "\"location\": \"file://%s\"}]}",
           file);
  th_write_file(th_path("rt-feeds.json"), reg, strlen(reg));
  struct ix_registry *r = NULL;
  char err[512];
  if (ix_registry_load(th_path("rt-feeds.json"), th_taxonomy(), &r, err, sizeof err))
    fail_msg("registry: %s", err);
  struct ix_run_opts o;
  ix_run_opts_default(&o);
  struct ix_feed_report *reps = NULL;
  size_t n = 0;
  assert_int_equal(ix_run(st, th_taxonomy(), r, &o, &reps, &n), SK_OK);
  assert_int_equal(n, 1);
  assert_false(reps[0].failed);
  /* Nothing we publish is refused by our own importer. */
  assert_int_equal(reps[0].stats.n_rejected, 0);
  free(reps);
  ix_registry_free(r);
  /* Our last_modified came along as the source's, kept beside the new one. */
  assert_int_equal(
      th_query_int(st, "SELECT count(*) FROM service WHERE source_modified LIKE '____-__-__T%'"),
      (long long)json_array_size(first));
  sk_store_close(st);

  serve(db2);
  json_t *second = export_all();
  /* Our JSON API shows both times: ours, and the source's. */
  {
    json_t *s0 = json_array_get(first, 0);
    char target[128];
    snprintf(target, sizeof target, "/api/v1/services/%s",
             json_string_value(json_object_get(s0, "id")));
    json_t *d = fx_get_json(target, 200);
    assert_string_equal(json_string_value(json_object_get(d, "source_modified")),
                        json_string_value(json_object_get(s0, "last_modified")));
    assert_true(json_is_string(json_object_get(d, "last_modified")));
    json_decref(d);
  }
  web_server_stop(g_srv, 2000);
  g_srv = NULL;

  assert_int_equal(json_array_size(second), json_array_size(first));
  json_t *by_id = json_object();
  size_t i;
  json_t *s;
  json_array_foreach(second, i, s)
      json_object_set(by_id, json_string_value(json_object_get(s, "id")), s);
  size_t same = 0, areas_with_ages = 0;
  json_array_foreach(first, i, s) {
    const char *id = json_string_value(json_object_get(s, "id"));
    json_t *t = json_object_get(by_id, id);
    if (!t)
      fail_msg("service %s (%s) has another id after the round trip", id,
               json_string_value(json_object_get(s, "name")));
    for (size_t k = 0; changes[k]; k++) {
      json_object_del(s, changes[k]);
      json_object_del(t, changes[k]);
    }
    char path[512] = "";
    if (first_difference(s, t, path, sizeof path)) {
      char *x = json_dumps(json_object_get(s, path[0] == '.' ? path + 1 : path), JSON_ENCODE_ANY);
      fail_msg("service %s (%s) differs after the round trip at %s (first: %.200s)", id,
               json_string_value(json_object_get(s, "name")), path, x ? x : "?");
    }
    size_t k;
    json_t *ar;
    json_array_foreach(json_object_get(s, "service_areas"), k, ar) {
      const char *d = json_string_value(json_object_get(ar, "description"));
      areas_with_ages += d && strstr(d, " jaar)") != NULL;
    }
    same++;
  }
  print_message("export -> import -> export: %zu services identical, last_modified included;"
                " %zu areas with age limits among them\n",
                same, areas_with_ages);
  /* The Eemnes exceptions (ages and notes on an area) are in the data. */
  assert_true(areas_with_ages >= 3);
  json_decref(by_id);
  json_decref(first);
  json_decref(second);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_demo_export_import_export)};
  return cmocka_run_group_tests_name("hsds round trip", tests, NULL, NULL);
}
