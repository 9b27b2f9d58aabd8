/* bench_crisis: the cost of crisis recognition, which runs on every query.
 *
 *   bench_crisis [CRISIS_JSON] [QUERY_FILE ...]
 *     (default feeds/crisis.json tests/data/crisis/crisis.tsv
 *      tests/data/crisis/near_miss.tsv tests/relevance/judgments.tsv)
 *
 * Loads and compiles the data (timed), then checks every query of the files
 * (the text after the last tab of a line, or the line; '#' lines skipped)
 * many times in a shuffled order and reports p50 / p99 / max per check and
 * checks per second on one core. Also a 2,000-byte query (the bound). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sk_crisis.h"

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static char **queries;
static size_t n_queries, cap_queries;

static void read_queries(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "bench_crisis: %s: cannot read\n", path);
    exit(1);
  }
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    if (!line[0] || line[0] == '#')
      continue;
    /* judgments.tsv: "Q TAB kind TAB query TAB ..." (other lines are
     * grades); crisis.tsv: "kind TAB query"; near_miss.tsv: the query */
    char *fld[4] = {line, NULL, NULL, NULL};
    size_t nf = 1;
    for (char *t = line; nf < 4 && (t = strchr(t, '\t')); nf++) {
      *t++ = 0;
      fld[nf] = t;
    }
    const char *q = nf >= 3 && !strcmp(fld[0], "Q") ? fld[2]
                    : nf == 2                       ? fld[1]
                    : nf == 1                       ? fld[0]
                                                    : NULL;
    if (!q)
      continue;
    if (n_queries == cap_queries) {
      cap_queries = cap_queries ? cap_queries * 2 : 512;
      queries = realloc(queries, cap_queries * sizeof *queries);
      if (!queries)
        exit(1);
    }
    queries[n_queries++] = strdup(q);
  }
  fclose(f);
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "feeds/crisis.json";
  if (argc > 2)
    for (int i = 2; i < argc; i++)
      read_queries(argv[i]);
  else {
    read_queries("tests/data/crisis/crisis.tsv");
    read_queries("tests/data/crisis/near_miss.tsv");
    read_queries("tests/relevance/judgments.tsv");
  }
  char err[512];
  struct sk_crisis *c = NULL;
  double t0 = now_us();
  if (sk_crisis_load(path, &c, err, sizeof err)) {
    fprintf(stderr, "bench_crisis: %s\n", err);
    return 1;
  }
  double load_ms = (now_us() - t0) / 1e3;
  enum { ROUNDS = 200 };
  size_t n = n_queries * ROUNDS;
  double *lat = malloc(n * sizeof *lat);
  if (!lat)
    return 1;
  uint64_t rng = 88172645463325252ull;
  size_t hits = 0;
  double total0 = now_us();
  for (size_t i = 0; i < n; i++) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    const char *q = queries[rng % n_queries];
    struct sk_crisis_match m;
    double a = now_us();
    if (sk_crisis_check(c, q, strlen(q), &m) != SK_OK)
      return 1;
    lat[i] = now_us() - a;
    hits += m.kinds != 0;
  }
  double total = now_us() - total0;
  qsort(lat, n, sizeof *lat, cmp_d);
  printf("crisis data: %s, compiled in %.2f ms\n", path, load_ms);
  printf("%zu distinct queries x %d rounds: p50 %.2f us, p99 %.2f us, max %.1f us; %.0f checks/s "
         "(%.1f %% crisis)\n",
         n_queries, ROUNDS, lat[n / 2], lat[n * 99 / 100], lat[n - 1], n / (total / 1e6),
         100.0 * hits / n);
  /* the bound: 2,000 bytes of ordinary words */
  char big[SK_CRISIS_Q_MAX + 1];
  size_t o = 0;
  static const char *const words[] = {"hulp", "bij",  "de",     "schulden", "en",
                                      "ik",   "wil",  "graag",  "een",      "afspraak",
                                      "voor", "mijn", "moeder", "in",       "laren"};
  for (size_t k = 0; o + 12 < sizeof big; k++)
    o += (size_t)snprintf(big + o, sizeof big - o, "%s ", words[k % 15]);
  for (int i = 0; i < 2000; i++) {
    struct sk_crisis_match m;
    double a = now_us();
    if (sk_crisis_check(c, big, o, &m) != SK_OK)
      return 1;
    lat[i] = now_us() - a;
  }
  qsort(lat, 2000, sizeof *lat, cmp_d);
  printf("a %zu-byte query (the bound): p50 %.1f us, max %.1f us\n", o, lat[1000], lat[1999]);
  free(lat);
  for (size_t i = 0; i < n_queries; i++)
    free(queries[i]);
  free(queries);
  sk_crisis_free(c);
  return 0;
}
