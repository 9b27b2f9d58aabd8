#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper_test.h"
#include "sk_crisis.h"
#include "sk_err.h"

static char tmpdir[256];
static struct sk_taxonomy *taxonomy;

static void cleanup(void) {
  if (tmpdir[0]) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
      fprintf(stderr, "could not remove %s\n", tmpdir);
  }
  sk_taxonomy_free(taxonomy);
  taxonomy = NULL;
}

const char *th_tmpdir(void) {
  if (!tmpdir[0]) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sk-test-XXXXXX");
    if (!mkdtemp(tmpdir)) {
      fail_msg("mkdtemp failed");
    }
    atexit(cleanup);
  }
  return tmpdir;
}

const char *th_path(const char *name) {
  static char ring[8][512];
  static int next;
  char *p = ring[next++ % 8];
  snprintf(p, 512, "%s/%s", th_tmpdir(), name);
  return p;
}

const char *th_source_dir(void) {
  const char *s = getenv("SK_SOURCE_DIR");
  return s && *s ? s : ".";
}

const char *th_source_path(const char *rel) {
  static char ring[8][1024];
  static int next;
  char *p = ring[next++ % 8];
  snprintf(p, 1024, "%s/%s", th_source_dir(), rel);
  return p;
}

const char *th_corpora_dir(void) {
  static char path[1024];
  const char *c = getenv("SK_CORPORA");
  if (!c || !*c) {
    snprintf(path, sizeof path, "%s/../shared/corpora", th_source_dir());
    c = path;
  }
  struct stat sb;
  if (stat(c, &sb) != 0 || !S_ISDIR(sb.st_mode))
    return NULL;
  return c;
}

void th_write_file(const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

const struct sk_taxonomy *th_taxonomy(void) {
  if (!taxonomy) {
    char err[256];
    int rc = sk_taxonomy_load(th_source_path("feeds/taxonomy.json"), &taxonomy, err, sizeof err);
    if (rc)
      fail_msg("taxonomy: %s", err);
  }
  return taxonomy;
}

struct sk_store *th_store_with_taxonomy(const char *name) {
  struct sk_store *st = NULL;
  char err[256];
  int rc = sk_store_open(th_path(name), SK_STORE_CREATE, &st, err, sizeof err);
  if (rc)
    fail_msg("open: %s", err);
  assert_int_equal(sk_store_begin(st), SK_OK);
  assert_int_equal(sk_taxonomy_save(th_taxonomy(), st), SK_OK);
  struct sk_crisis *crisis = NULL;
  if (sk_crisis_load(th_source_path("feeds/crisis.json"), &crisis, err, sizeof err))
    fail_msg("crisis: %s", err);
  assert_int_equal(sk_crisis_save(crisis, st), SK_OK);
  sk_crisis_free(crisis);
  assert_int_equal(sk_store_commit(st), SK_OK);
  return st;
}

long long th_query_int(struct sk_store *st, const char *sql) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
    fail_msg("prepare %s: %s", sql, sqlite3_errmsg(st->db));
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  long long v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

int th_index_demo(const char *db) {
  const char *bin = getenv("SK_BINARY_DIR");
  char exe[1024], cmd[4096];
  snprintf(exe, sizeof exe, "%s/sociale-kaart", bin ? bin : ".");
  if (access(exe, X_OK) != 0) {
    fprintf(stderr, "%s: %s is not built\n", getenv("CI") ? "FAILED" : "skipped", exe);
    exit(getenv("CI") ? 1 : 77);
  }
  snprintf(cmd, sizeof cmd,
           "cd '%s' && '%s' index --db '%s' --taxonomy feeds/taxonomy.json --feeds feeds/feeds.json"
           " >/dev/null",
           th_source_dir(), exe, db);
  return system(cmd);
}
