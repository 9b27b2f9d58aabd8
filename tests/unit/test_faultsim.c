/* Allocation-failure injection (as SQLite's faultsim or curl's torture
 * tests): every allocation our own code makes is failed in turn, the n-th on
 * run n, and the operation must come back with a clean error (SK_ENOMEM or
 * SQLite's SQLITE_NOMEM), never crash, never leak (the ASan build checks
 * leaks at exit) and never report success with half a result.
 *
 * How: this executable is linked with -Wl,--wrap=malloc,... (CMakeLists.txt),
 * so the calls from the project's static libraries go to the __wrap_
 * functions below. Shared libraries (SQLite, jansson, libstemmer) keep the
 * real allocator: their own failure paths are theirs to test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_test.h"
#include "ix_json.h"
#include "ix_registry.h"
#include "ix_run.h"
#include "sk_buf.h"
#include "sk_err.h"
#include "sk_search.h"
#include "sk_store.h"
#include "sk_tokenizer.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

/* 0: no injection. Else the allocation with this ordinal (1-based since
 * fault_arm) fails, and so does every later one while fault_sticky is set
 * (a process that is out of memory tends to stay so). */
static atomic_long fault_at, fault_count, fault_hits;
static atomic_int fault_sticky;

static int should_fail(void) {
  long at = atomic_load(&fault_at);
  if (!at)
    return 0;
  long n = atomic_fetch_add(&fault_count, 1) + 1;
  if (n == at || (atomic_load(&fault_sticky) && n > at)) {
    atomic_fetch_add(&fault_hits, 1);
    return 1;
  }
  return 0;
}

void *__wrap_malloc(size_t n);
void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size) { return should_fail() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s);
char *__wrap_strdup(const char *s) { return should_fail() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n);
char *__wrap_strndup(const char *s, size_t n) {
  return should_fail() ? NULL : __real_strndup(s, n);
}

static void fault_arm(long at, int sticky) {
  atomic_store(&fault_count, 0);
  atomic_store(&fault_hits, 0);
  atomic_store(&fault_sticky, sticky);
  atomic_store(&fault_at, at);
}

/* Returns how many injected failures happened since fault_arm. */
static long fault_disarm(void) {
  atomic_store(&fault_at, 0);
  return atomic_load(&fault_hits);
}

/* Run op with the 1st, 2nd, ... allocation failing until a run sees no
 * failure at all (op then succeeded with every allocation it needed).
 * op returns SK_OK or an error; an error is only allowed when a failure was
 * injected, and success only when op coped (check verifies the result). */
typedef int (*fault_op)(void *ctx, int expect_full);
static void fault_walk(const char *what, fault_op op, void *ctx, long max_runs) {
  long runs = 0, clean_errors = 0;
  for (long at = 1; at <= max_runs; at++) {
    /* Each point alone; "stays out of memory from here on" at every tenth
     * (the paths after a first failure are mostly the same cleanup). */
    for (int sticky = 0; sticky <= (at % 10 == 1); sticky++) {
      fault_arm(at, sticky);
      int rc = op(ctx, 0);
      long hits = fault_disarm();
      runs++;
      if (hits == 0) {
        if (rc != SK_OK)
          fail_msg("%s: failed (%d) without an injected fault", what, rc);
        printf("# %s: %ld allocations failed in turn (%ld runs), %ld clean errors\n", what, at - 1,
               runs, clean_errors);
        assert_int_equal(op(ctx, 1), SK_OK); /* and it still works afterwards */
        return;
      }
      if (rc != SK_OK)
        clean_errors++;
    }
  }
  printf("# %s: stopped after %ld fault points (bounded)\n", what, max_runs);
}

/* ---- the tokenizer ------------------------------------------------------ */

static int count_word(void *ctx, const char *w, size_t n, size_t start, size_t end) {
  (void)w;
  (void)n;
  (void)start;
  (void)end;
  (*(int *)ctx)++;
  return SK_OK;
}

static int op_stem(void *ctx, int expect_full) {
  (void)ctx;
  static const char *words[] = {"schuldhulpverlening", "mantelzorgers", "eenzaamheid",
                                "geïnteresseerden",    "ZIEKENHUIZEN",  "fietsen"};
  struct sk_stemmer *st = sk_stemmer_new();
  if (!st)
    return SK_ENOMEM;
  struct sk_buf out;
  sk_buf_init(&out, 256);
  int rc = SK_OK;
  for (size_t i = 0; i < sizeof words / sizeof words[0] && rc == SK_OK; i++) {
    sk_buf_reset(&out);
    rc = sk_stemmer_stem(st, words[i], strlen(words[i]), &out);
    if (rc == SK_OK && expect_full)
      assert_true(out.len > 0);
  }
  sk_buf_free(&out);
  sk_stemmer_free(st);
  return rc;
}

static int op_words(void *ctx, int expect_full) {
  (void)ctx;
  const char *text = "Hulp bij schulden, budgetcoaching en administratie in Huizen én Laren.";
  int n = 0;
  int rc = sk_words(text, strlen(text), count_word, &n);
  if (rc == SK_OK && expect_full)
    assert_true(n >= 8);
  return rc;
}

/* The FTS5 tokenizer inside SQLite: indexing and querying text with it. */
static int op_fts(void *ctx, int expect_full) {
  sqlite3 *db = ctx;
  int rc = sqlite3_exec(db,
                        "DELETE FROM t; INSERT INTO t(x) VALUES('Schuldhulpverlening voor "
                        "inwoners van Huizen, ook budgetcoaching.');",
                        NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return rc == SQLITE_NOMEM ? SK_ENOMEM : SK_EDB;
  sqlite3_stmt *s = NULL;
  rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH 'inwoner'", -1, &s, NULL);
  if (rc != SQLITE_OK)
    return rc == SQLITE_NOMEM ? SK_ENOMEM : SK_EDB;
  int step = sqlite3_step(s);
  int n = step == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
  sqlite3_finalize(s);
  if (step != SQLITE_ROW)
    return step == SQLITE_NOMEM ? SK_ENOMEM : SK_EDB;
  if (expect_full)
    assert_int_equal(n, 1);
  return SK_OK;
}

static void test_tokenizer_out_of_memory(void **state) {
  (void)state;
  fault_walk("stemmer", op_stem, NULL, 400);
  fault_walk("word splitter", op_words, NULL, 400);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(sk_tokenizer_register(db), SK_OK);
  assert_int_equal(
      sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='dutch')", NULL, NULL, NULL),
      SQLITE_OK);
  fault_walk("FTS5 tokenizer", op_fts, db, 400);
  sqlite3_close(db);
}

/* ---- the JSON reader ---------------------------------------------------- */

static const char json_doc[] =
    "{\"format\": \"sociale-kaart-feed\", \"version\": 1, \"organizations\": ["
    "{\"key\": \"a\", \"name\": \"Stichting \\u00e9\\u00e9n\", \"tags\": [1, 2.5, true, null],"
    " \"services\": [{\"key\": \"s\", \"name\": \"Hulp bij schulden\", \"nested\": {\"x\": [[], "
    "{}]}}]},"
    "{\"key\": \"b\", \"name\": \"Twee\", \"services\": []}]}";

static int op_json(void *ctx, int expect_full) {
  (void)ctx;
  struct ix_json j;
  ix_json_init(&j, json_doc, sizeof json_doc - 1);
  enum ix_jtype type;
  size_t count = 0;
  int rc = ix_json_check(&j, &type, &count);
  size_t node = 0;
  if (rc == SK_OK) { /* check moved past the value: read it with a fresh reader */
    ix_json_free(&j);
    ix_json_init(&j, json_doc, sizeof json_doc - 1);
    rc = ix_json_read(&j, &node);
  }
  if (rc == SK_OK && expect_full) {
    assert_int_equal(type, IX_JOBJ);
    assert_true(node > 0);
    assert_int_equal(j.nodes[node].type, IX_JOBJ);
  }
  ix_json_free(&j);
  /* A parse error caused by memory must say so, not blame the data. */
  return rc == SK_OK ? SK_OK : (rc == SK_ENOMEM ? SK_ENOMEM : SK_EPARSE);
}

static void test_json_reader_out_of_memory(void **state) {
  (void)state;
  /* The document is valid: any error under injection must be SK_ENOMEM. */
  for (long at = 1; at < 400; at++) {
    fault_arm(at, at % 2);
    int rc = op_json(NULL, 0);
    long hits = fault_disarm();
    if (!hits) {
      assert_int_equal(rc, SK_OK);
      printf("# JSON reader: %ld allocation points, each failed cleanly\n", at - 1);
      break;
    }
    if (rc != SK_OK && rc != SK_ENOMEM)
      fail_msg("JSON reader: allocation %ld failed, got %d (%s) instead of SK_ENOMEM", at, rc,
               sk_strerror(rc));
  }
  assert_int_equal(op_json(NULL, 1), SK_OK);
}

/* ---- the search snapshot ------------------------------------------------ */

static struct sk_store *g_demo;

static int op_snapshot(void *ctx, int expect_full) {
  (void)ctx;
  struct sk_searcher *s = sk_searcher_new(g_demo, th_taxonomy());
  if (!s)
    return SK_ENOMEM;
  struct sk_search_query q;
  sk_search_query_init(&q);
  struct sk_search_error qe;
  int rc = sk_search_query_set(&q, "q", "schulden", &qe);
  struct sk_search_result *r = NULL;
  if (rc == SK_OK)
    rc = sk_search(s, &q, &r, &qe);
  if (rc == SK_OK && expect_full)
    assert_true(r->total > 0);
  sk_search_result_free(r);
  sk_searcher_free(s);
  return rc;
}

static void test_search_snapshot_out_of_memory(void **state) {
  (void)state;
  g_demo = th_store_with_taxonomy("faultsim-demo.db");
  struct ix_registry *reg = NULL;
  char err[512];
  if (ix_registry_load(th_source_path("feeds/feeds.json"), th_taxonomy(), &reg, err, sizeof err))
    fail_msg("registry: %s", err);
  struct ix_run_opts o;
  ix_run_opts_default(&o);
  struct ix_feed_report *reps = NULL;
  size_t n = 0;
  assert_int_equal(ix_run(g_demo, th_taxonomy(), reg, &o, &reps, &n), SK_OK);
  free(reps);
  ix_registry_free(reg);
  /* Every allocation point of a snapshot build and a first search, bounded
   * (a build makes a few thousand allocations on the demo data). */
  fault_walk("search snapshot load", op_snapshot, NULL, 6000);
  sk_store_close(g_demo);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tokenizer_out_of_memory),
      cmocka_unit_test(test_json_reader_out_of_memory),
      cmocka_unit_test(test_search_snapshot_out_of_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
