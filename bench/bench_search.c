/* bench_search: in-process search latency on N synthetic Dutch offerings,
 * with a bare FTS5 bm25 top-10 query on the same data in the same run.
 *
 *   bench_search [TAXONOMY] [N,N,...]     (default feeds/taxonomy.json 10000,100000,1000000)
 *
 * The corpus is generated deterministically from the taxonomy's words and
 * a list of everyday Dutch words; the 400-query mix (short, long resident
 * sentences, filtered, typos, as-you-type prefixes; facets on) is drawn
 * with repeats, as residents type the same few hundred words. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sk_crisis.h"
#include "sk_err.h"
#include "sk_lexicon.h"
#include "sk_search.h"
#include "sk_store.h"
#include "sk_taxonomy.h"

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time of this thread: what a query costs, less sensitive than the
 * wall clock to other programs on a shared machine */
static double cpu_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const char *const filler[] = {
    "hulp",      "advies",        "gesprek",      "samen",       "wij",      "helpen",
    "u",         "bij",           "vragen",       "over",        "thuis",    "wijk",
    "buurt",     "gratis",        "vrijwilliger", "afspraak",    "bellen",   "inloop",
    "ochtend",   "middag",        "week",         "groep",       "cursus",   "informatie",
    "zorg",      "ondersteuning", "gemeente",     "loket",       "mensen",   "ouderen",
    "jongeren",  "gezin",         "kinderen",     "werk",        "geld",     "wonen",
    "koffie",    "activiteit",    "centrum",      "spreekuur",   "contact",  "aanmelden",
    "plan",      "begeleiding",   "persoonlijk",  "coach",       "training", "lotgenoten",
    "praten",    "luisteren",     "regelen",      "formulieren", "aanvraag", "indicatie",
    "verwijzing"};
#define N_FILLER (sizeof filler / sizeof filler[0])

static const char *const places[] = {"huizen", "blaricum", "eemnes", "laren",
                                     "hbel",   "bel",      "regio",  "landelijk"};
static const char *const place_names[] = {"Huizen", "Blaricum", "Eemnes", "Laren"};
static const char *const access_codes[] = {"vrij", "aanmelden", "verwijzing", "indicatie"};
static const char *const cost_codes[] = {"gratis", "eigen-bijdrage", "vergoed", "betaald"};

struct words {
  const char **w;
  const char **code; /* need code of each synonym */
  size_t n;
};

static void collect_needs(const struct sk_taxonomy *tax, struct words *ws, const char ***needs,
                          size_t *n_needs) {
  ws->w = calloc(4096, sizeof *ws->w);
  ws->code = calloc(4096, sizeof *ws->code);
  *needs = calloc(256, sizeof **needs);
  for (size_t i = 0; i < tax->n_terms; i++) {
    const struct sk_term *t = &tax->terms[i];
    if (t->vocab != SK_VOCAB_NEED)
      continue;
    if (t->parent_code && *n_needs < 256)
      (*needs)[(*n_needs)++] = t->code;
    for (size_t k = 0; k < t->n_synonyms && ws->n < 4096; k++)
      if (!strchr(t->synonyms[k], ' ')) {
        ws->code[ws->n] = t->code;
        ws->w[ws->n++] = t->synonyms[k];
      }
  }
}

/* The crisis data beside the taxonomy: searches run their crisis check as
 * the server's do. */
static struct sk_crisis *crisis_data;

static int build(const char *path, const struct sk_taxonomy *tax, long n, const struct words *ws,
                 const char **needs, size_t n_needs) {
  unlink(path);
  char wal[1100];
  snprintf(wal, sizeof wal, "%s-wal", path);
  unlink(wal);
  struct sk_store *st = NULL;
  char err[256];
  if (sk_store_open(path, SK_STORE_CREATE, &st, err, sizeof err)) {
    fprintf(stderr, "open: %s\n", err);
    return -1;
  }
  sk_store_exec(st, "PRAGMA synchronous = OFF");
  sk_store_begin(st);
  sk_taxonomy_save(tax, st);
  if (crisis_data && sk_crisis_save(crisis_data, st) != SK_OK) {
    fprintf(stderr, "bench_search: the crisis data cannot be saved in %s\n", path);
    sk_store_close(st);
    return -1;
  }
  long n_org = n / 25 + 1;
  sqlite3_stmt *o, *s, *x, *a;
  sqlite3_prepare_v2(
      st->db,
      "INSERT INTO organization(rid, id, source, source_key, name, created, last_modified) "
      "VALUES(?1, printf('00000000-0000-4000-8000-%012d', ?1), 'bench', ?1, ?2, 'x', 'x')",
      -1, &o, NULL);
  sqlite3_prepare_v2(
      st->db,
      "INSERT INTO service(rid, id, organization_rid, source, source_key, name, summary, "
      "description,"
      " keywords, min_age, max_age, assured_date, created, last_modified) VALUES(?1, "
      "printf('00000000-0000-4000-9000-%012d', ?1), ?2, 'bench', ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
      "'x', 'x')",
      -1, &s, NULL);
  sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO service_taxonomy VALUES(?1, ?2, ?3)", -1, &x,
                     NULL);
  sqlite3_prepare_v2(st->db,
                     "INSERT OR IGNORE INTO service_area(service_rid, area_code) VALUES(?1, ?2)",
                     -1, &a, NULL);
  char buf[2048], name[256], kw[512], sum[512];
  for (long i = 1; i <= n_org; i++) {
    snprintf(name, sizeof name, "%s %s %ld", i % 3 ? "Stichting" : "Welzijn", place_names[i % 4],
             i);
    sqlite3_bind_int64(o, 1, i);
    sqlite3_bind_text(o, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_step(o);
    sqlite3_reset(o);
  }
  for (long i = 1; i <= n; i++) {
    size_t wi = rnd() % ws->n;
    const char *need = ws->code[wi];
    snprintf(name, sizeof name, "%c%s %s",
             ws->w[wi][0] >= 'a' && ws->w[wi][0] <= 'z' ? ws->w[wi][0] - 32 : ws->w[wi][0],
             ws->w[wi] + 1, rnd() % 2 ? place_names[rnd() % 4] : filler[rnd() % N_FILLER]);
    snprintf(sum, sizeof sum, "%s en %s voor %s.", filler[rnd() % N_FILLER], ws->w[rnd() % ws->n],
             filler[rnd() % N_FILLER]);
    size_t len = 0;
    int nw = 12 + (int)(rnd() % 20);
    for (int k = 0; k < nw && len < sizeof buf - 64; k++)
      len += (size_t)snprintf(buf + len, sizeof buf - len, "%s ",
                              rnd() % 5 ? filler[rnd() % N_FILLER] : ws->w[rnd() % ws->n]);
    snprintf(kw, sizeof kw, "%s %s", ws->w[rnd() % ws->n], ws->w[wi]);
    sqlite3_bind_int64(s, 1, i);
    sqlite3_bind_int64(s, 2, 1 + (long)(rnd() % (uint32_t)n_org));
    sqlite3_bind_text(s, 3, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, sum, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, buf, (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, kw, -1, SQLITE_TRANSIENT);
    if (rnd() % 5 == 0) {
      sqlite3_bind_int(s, 7, (int)(rnd() % 60));
      sqlite3_bind_int(s, 8, 60 + (int)(rnd() % 60));
    } else {
      sqlite3_bind_null(s, 7);
      sqlite3_bind_null(s, 8);
    }
    sqlite3_bind_text(s, 9, rnd() % 4 ? "2026-01-15" : "2023-06-01", -1, SQLITE_STATIC);
    sqlite3_step(s);
    sqlite3_reset(s);
    const char *vv[][2] = {{"need", need},
                           {"need", needs[rnd() % n_needs]},
                           {"access", access_codes[rnd() % 4]},
                           {"cost", cost_codes[rnd() % 4]},
                           {"target_group", rnd() % 2 ? "ouderen" : "volwassenen"}};
    for (size_t k = 0; k < 5; k++) {
      if (k == 1 && rnd() % 3)
        continue;
      sqlite3_bind_int64(x, 1, i);
      sqlite3_bind_text(x, 2, vv[k][0], -1, SQLITE_STATIC);
      sqlite3_bind_text(x, 3, vv[k][1], -1, SQLITE_STATIC);
      sqlite3_step(x);
      sqlite3_reset(x);
    }
    sqlite3_bind_int64(a, 1, i);
    sqlite3_bind_text(a, 2, places[rnd() % 8], -1, SQLITE_STATIC);
    sqlite3_step(a);
    sqlite3_reset(a);
  }
  sqlite3_finalize(o);
  sqlite3_finalize(s);
  sqlite3_finalize(x);
  sqlite3_finalize(a);
  int rc = sk_store_reindex_all(st) || sk_store_commit(st);
  sk_store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)");
  sk_store_close(st);
  return rc ? -1 : 0;
}

struct bq {
  char q[256];
  const char *muni, *need, *access;
};

static const char *const sentences[] = {"ik kan mijn rekeningen niet betalen",
                                        "hulp in huis voor mijn moeder",
                                        "ik voel me eenzaam",
                                        "mijn vader wordt vergeetachtig",
                                        "waar kan ik nederlands leren",
                                        "hulp bij formulieren invullen",
                                        "ik zoek vrijwilligerswerk in de buurt",
                                        "zorgen voor mijn partner met dementie",
                                        "ik wil meer bewegen",
                                        "mijn zoon is somber en piekert veel"};

/* SK_BENCH_LEXICON=1: residents' words from the lexicon in the mix (a
 * quarter of the distinct queries: an entry, an entry with a place, or a
 * word nothing matches, which takes the fallback); off by default so the
 * mix stays the one earlier rounds were measured with. */
static const char **g_lex;
static size_t g_n_lex;
static struct sk_lexicon *g_lx; /* holds g_lex's strings until the end */

static void make_mix(struct bq *mix, size_t n, const struct words *ws) {
  /* a pool of distinct queries, drawn with a skew: some are typed often */
  struct bq pool[160];
  for (size_t i = 0; i < 160; i++) {
    struct bq *b = &pool[i];
    memset(b, 0, sizeof *b);
    uint32_t kind = i % 10;
    const char *w = ws->w[rnd() % ws->n];
    if (kind < 4) { /* short */
      snprintf(b->q, sizeof b->q, "%s", w);
    } else if (kind < 5) { /* long sentence */
      snprintf(b->q, sizeof b->q, "%s", sentences[rnd() % 10]);
    } else if (kind < 7) { /* filtered */
      snprintf(b->q, sizeof b->q, "%s", w);
      b->muni = places[rnd() % 4];
      if (kind == 6)
        b->access = access_codes[rnd() % 2];
    } else if (kind < 9) { /* typo: drop or swap a letter */
      size_t L = strlen(w);
      snprintf(b->q, sizeof b->q, "%s", w);
      if (L > 5) {
        size_t p = 1 + rnd() % (L - 2);
        if (kind == 7)
          memmove(b->q + p, b->q + p + 1, L - p);
        else {
          char t = b->q[p];
          b->q[p] = b->q[p + 1];
          b->q[p + 1] = t;
        }
      }
    } else { /* as-you-type */
      snprintf(b->q, sizeof b->q, "%.*s", (int)(strlen(w) > 5 ? 5 : strlen(w)), w);
    }
    if (g_n_lex && i % 4 == 1) {
      const char *e = g_lex[rnd() % g_n_lex];
      uint32_t how = rnd() % 4;
      b->muni = NULL;
      b->access = NULL;
      if (how == 0)
        snprintf(b->q, sizeof b->q, "%s %s", e, place_names[rnd() % 4]);
      else if (how == 1)
        snprintf(b->q, sizeof b->q, "%sxq", e); /* no match: the fallback */
      else
        snprintf(b->q, sizeof b->q, "%s", e);
    }
  }
  for (size_t i = 0; i < n; i++) {
    double u = (rnd() % 10000) / 10000.0;
    size_t k = (size_t)(160 * pow(u, 2.2)); /* skewed towards the first ones */
    mix[i] = pool[k < 160 ? k : 159];
  }
}

static int cmpd(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void pct(double *v, size_t n, double *p50, double *p99) {
  qsort(v, n, sizeof *v, cmpd);
  *p50 = v[n / 2];
  *p99 = v[(size_t)(n * 0.99)];
}

/* bare FTS5: the words quoted and ANDed, bm25 top 10 */
static double bare(sqlite3 *db, sqlite3_stmt *st, const char *q) {
  char expr[1024];
  size_t len = 0;
  const char *p = q;
  while (*p && len < sizeof expr - 80) {
    while (*p == ' ')
      p++;
    if (!*p)
      break;
    const char *e = strchr(p, ' ');
    size_t wl = e ? (size_t)(e - p) : strlen(p);
    len += (size_t)snprintf(expr + len, sizeof expr - len, "%s\"%.*s\"", len ? " " : "", (int)wl,
                            p);
    p += wl;
  }
  (void)db;
  double t0 = now_ms();
  sqlite3_bind_text(st, 1, expr, -1, SQLITE_TRANSIENT);
  while (sqlite3_step(st) == SQLITE_ROW)
    ;
  sqlite3_reset(st);
  return now_ms() - t0;
}

int main(int argc, char **argv) {
  const char *taxp = argc > 1 ? argv[1] : "feeds/taxonomy.json";
  const char *sizes = argc > 2 ? argv[2] : "10000,100000,1000000";
  struct sk_taxonomy *tax = NULL;
  char err[256];
  if (sk_taxonomy_load(taxp, &tax, err, sizeof err)) {
    fprintf(stderr, "taxonomy: %s\n", err);
    return 1;
  }
  {
    char cpath[4096];
    const char *slash = strrchr(taxp, '/');
    snprintf(cpath, sizeof cpath, "%.*scrisis.json", slash ? (int)(slash - taxp + 1) : 0, taxp);
    if (sk_crisis_load(cpath, &crisis_data, err, sizeof err))
      fprintf(stderr, "bench_search: no crisis check: %s\n", err);
  }

  struct words ws = {0};
  const char **needs = NULL;
  size_t n_needs = 0;
  collect_needs(tax, &ws, &needs, &n_needs);
  const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  printf("%-9s %9s %9s | %-28s | %-22s | %s\n", "N", "build s", "load ms", "ours p50/p99/mean ms",
         "bare FTS5 p50/p99 ms", "ours cold p99 (first of each)");
  char sz[256];
  snprintf(sz, sizeof sz, "%s", sizes);
  for (char *save = NULL, *tok = strtok_r(sz, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    long n = atol(tok);
    if (n <= 0)
      continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/bench_search_%ld.db", tmp, n);
    rng = 88172645463325252ull;
    double t0 = now_ms();
    /* SK_BENCH_KEEP=1: keep the generated store and reuse it next time (for
     * profiling the queries without the build) */
    int keep = getenv("SK_BENCH_KEEP") && *getenv("SK_BENCH_KEEP") == '1';
    if (!keep || access(path, R_OK) != 0) {
      if (build(path, tax, n, &ws, needs, n_needs))
        return 1;
    }
    double build_s = (now_ms() - t0) / 1e3;
    struct sk_store *st = NULL;
    if (sk_store_open(path, SK_STORE_READONLY, &st, err, sizeof err)) {
      fprintf(stderr, "%s\n", err);
      return 1;
    }
    t0 = now_ms();
    struct sk_searcher *s = sk_searcher_new(st, tax);
    double load_ms = now_ms() - t0;
    if (!s)
      return 1;
    enum { NQ = 400 };
    struct bq mix[NQ];
    if (getenv("SK_BENCH_LEXICON") && *getenv("SK_BENCH_LEXICON") == '1' && !g_lex) {
      size_t ll;
      const char *lt = sk_lexicon_builtin(&ll);
      if (sk_lexicon_parse(lt, ll, "feeds/lexicon.txt", tax, &g_lx, err, sizeof err) == SK_OK) {
        g_n_lex = sk_lexicon_count(g_lx);
        g_lex = calloc(g_n_lex ? g_n_lex : 1, sizeof *g_lex);
        for (size_t k = 0; g_lex && k < g_n_lex; k++)
          g_lex[k] = sk_lexicon_entry(g_lx, k, NULL, NULL, NULL);
        if (!g_lex)
          g_n_lex = 0;
      }
    }
    rng = 0x9E3779B97F4A7C15ull; /* the same mix whether the store was built or kept */
    make_mix(mix, NQ, &ws);
    double ours[NQ], bare_t[NQ], cold[NQ], cpu[NQ];
    size_t n_cold = 0;
    double sum = 0, cpu_sum = 0;
    for (size_t i = 0; i < NQ; i++) {
      struct sk_search_query q;
      sk_search_query_init(&q);
      q.q = mix[i].q;
      q.municipality = mix[i].muni;
      if (mix[i].access)
        q.access[q.n_access++] = mix[i].access;
      q.facets = 1;
      struct sk_search_result *r = NULL;
      struct sk_search_error e;
      double a = now_ms(), ac = cpu_ms();
      int rc = sk_search(s, &q, &r, &e);
      cpu[i] = cpu_ms() - ac;
      ours[i] = now_ms() - a;
      sum += ours[i];
      cpu_sum += cpu[i];
      if (rc) {
        fprintf(stderr, "query '%s': %s\n", mix[i].q, e.message);
        return 1;
      }
      int first = 1;
      for (size_t k = 0; k < i; k++)
        if (!strcmp(mix[k].q, mix[i].q) && mix[k].muni == mix[i].muni &&
            mix[k].access == mix[i].access)
          first = 0;
      if (first)
        cold[n_cold++] = ours[i];
      sk_search_result_free(r);
    }
    /* the page alone: each distinct query again, its ranking now cached, so
     * the time is the analysis and the 20 rendered results (what a miss of
     * the HTTP response cache costs when the ranking is cached) */
    double page_sum = 0;
    size_t page_n = 0;
    for (int rep = 0; rep < 5; rep++)
      for (size_t i = 0; i < NQ; i++) {
        int first = 1;
        for (size_t k = 0; k < i && first; k++)
          if (!strcmp(mix[k].q, mix[i].q) && mix[k].muni == mix[i].muni &&
              mix[k].access == mix[i].access)
            first = 0;
        if (!first)
          continue;
        struct sk_search_query q;
        sk_search_query_init(&q);
        q.q = mix[i].q;
        q.municipality = mix[i].muni;
        if (mix[i].access)
          q.access[q.n_access++] = mix[i].access;
        q.facets = 1;
        struct sk_search_result *r = NULL;
        double a = now_ms();
        int rc = sk_search(s, &q, &r, NULL);
        page_sum += now_ms() - a;
        page_n++;
        sk_search_result_free(r);
        if (rc)
          return 1;
      }
    sqlite3_stmt *bs = NULL;
    sqlite3_prepare_v2(
        st->db,
        "SELECT rowid FROM search_fts WHERE search_fts MATCH ?1 ORDER BY bm25(search_fts) LIMIT 10",
        -1, &bs, NULL);
    for (size_t i = 0; i < NQ; i++)
      bare_t[i] = bare(st->db, bs, mix[i].q);
    sqlite3_finalize(bs);
    if (getenv("SK_BENCH_SLOW")) { /* the slowest queries, to see where the tail is */
      for (int k = 0; k < 8; k++) {
        size_t w = 0;
        for (size_t i = 1; i < NQ; i++)
          if (ours[i] > ours[w])
            w = i;
        fprintf(stderr, "  slow %.3f ms: '%s'%s%s%s%s\n", ours[w], mix[w].q,
                mix[w].muni ? " municipality=" : "", mix[w].muni ? mix[w].muni : "",
                mix[w].access ? " access=" : "", mix[w].access ? mix[w].access : "");
        ours[w] = -ours[w];
      }
      for (size_t i = 0; i < NQ; i++)
        ours[i] = fabs(ours[i]);
    }
    double p50, p99, b50, b99, c50, c99;
    pct(ours, NQ, &p50, &p99);
    pct(bare_t, NQ, &b50, &b99);
    pct(cold, n_cold, &c50, &c99);
    printf("%-9ld %9.1f %9.0f | %8.3f %8.3f %8.3f   | %8.3f %8.3f     | %.3f (p50 %.3f, %zu "
           "distinct)\n",
           n, build_s, load_ms, p50, p99, sum / NQ, b50, b99, c99, c50, n_cold);
    printf("%-9ld page with its ranking cached: mean %.3f ms over %zu\n", n,
           page_sum / (double)(page_n ? page_n : 1), page_n);
    double cp50, cp99;
    pct(cpu, NQ, &cp50, &cp99);
    printf("%-9ld ours in CPU time of the thread: p50 %.3f, p99 %.3f, mean %.3f ms\n", n, cp50,
           cp99, cpu_sum / NQ);
    fflush(stdout);
    sk_searcher_free(s);
    sk_store_close(st);
    if (keep)
      continue;
    unlink(path);
    char side[1100];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
  }
  free(ws.w);
  free(ws.code);
  free(needs);
  free(g_lex);
  sk_lexicon_free(g_lx);
  sk_taxonomy_free(tax);
  sk_crisis_free(crisis_data);
  return 0;
}
