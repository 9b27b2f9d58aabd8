/* Relevance: the judged Dutch queries of tests/relevance/judged.tsv over
 * the demo data, indexed by the real 'sociale-kaart index' into a temp
 * store. Reports nDCG@10 per query and the mean; fails below the
 * threshold (set from what was measured, see docs/search.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper_test.h"
#include "sk_err.h"
#include "sk_search.h"

/* Measured on the demo data: 0.86 (docs/search.md); a drop below this
 * means a change made search worse for people. */
#define NDCG_THRESHOLD 0.80

static double ndcg10(const struct sk_search_result *r, char **rel, size_t n_rel) {
  double dcg = 0, idcg = 0;
  int used[32] = {0}; /* a name counts once (an offering and its activity may share it) */
  for (size_t i = 0; i < r->n_items && i < 10; i++)
    for (size_t k = 0; k < n_rel && k < 32; k++)
      if (!used[k] && !strcmp(r->items[i].name, rel[k])) {
        used[k] = 1;
        double gain = k == 0 ? 3 : k == 1 ? 2 : 1;
        dcg += gain / log2((double)i + 2);
        break;
      }
  for (size_t i = 0; i < n_rel && i < 10; i++)
    idcg += (i == 0 ? 3 : i == 1 ? 2 : 1) / log2((double)i + 2);
  return idcg > 0 ? dcg / idcg : 0;
}

static void test_judged_queries(void **state) {
  (void)state;
  const char *bin = getenv("SK_BINARY_DIR");
  char exe[1024], cmd[4096];
  snprintf(exe, sizeof exe, "%s/sociale-kaart", bin ? bin : ".");
  if (access(exe, X_OK) != 0) {
    fprintf(stderr, "skipped: %s not built\n", exe);
    exit(77);
  }
  const char *db = th_path("demo.db");
  snprintf(cmd, sizeof cmd,
           "cd '%s' && '%s' index --db '%s' --taxonomy feeds/taxonomy.json --feeds feeds/feeds.json >/dev/null",
           th_source_dir(), exe, db);
  assert_int_equal(system(cmd), 0);
  struct sk_store *st = NULL;
  char err[256];
  assert_int_equal(sk_store_open(db, SK_STORE_READONLY, &st, err, sizeof err), SK_OK);
  struct sk_taxonomy *tax = NULL;
  assert_int_equal(sk_taxonomy_from_store(st, &tax, err, sizeof err), SK_OK);
  struct sk_searcher *s = sk_searcher_new(st, tax);
  assert_non_null(s);
  FILE *f = fopen(th_source_path("tests/relevance/judged.tsv"), "r");
  assert_non_null(f);
  char line[2048];
  double sum = 0;
  int n = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0] || line[0] == '#')
      continue;
    char *save = NULL;
    char *qtext = strtok_r(line, "\t", &save);
    char *muni = strtok_r(NULL, "\t", &save);
    char *rels = strtok_r(NULL, "\t", &save);
    assert_non_null(rels);
    char *rel[32];
    size_t n_rel = 0;
    for (char *s2 = NULL, *r = strtok_r(rels, "|", &s2); r && n_rel < 32; r = strtok_r(NULL, "|", &s2))
      rel[n_rel++] = r;
    struct sk_search_query q;
    sk_search_query_init(&q);
    q.q = qtext;
    q.municipality = strcmp(muni, "-") ? muni : NULL;
    q.per_page = 10;
    struct sk_search_result *r = NULL;
    struct sk_search_error e;
    assert_int_equal(sk_search(s, &q, &r, &e), SK_OK);
    double v = ndcg10(r, rel, n_rel);
    printf("%.3f  %-40s %-8s top: %s\n", v, qtext, muni, r->n_items ? r->items[0].name : "(none)");
    sum += v;
    n++;
    sk_search_result_free(r);
  }
  fclose(f);
  double mean = n ? sum / n : 0;
  printf("nDCG@10 over %d judged queries: %.3f (threshold %.2f)\n", n, mean, NDCG_THRESHOLD);
  assert_true(n >= 40);
  sk_searcher_free(s);
  sk_taxonomy_free(tax);
  sk_store_close(st);
  assert_true(mean >= NDCG_THRESHOLD);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_judged_queries)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
