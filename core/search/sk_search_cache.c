/* The searcher's caches, all dropped when it moves to a new snapshot:
 * - postings: a word group's offerings with bm25 scores (LRU, bounded by
 *   SKS_POST_CACHE entries and SKS_POST_CACHE_BYTES);
 * - words: the analysis of one query word (its groups, its correction);
 * - rankings: the top candidates, total and facet counts of a query
 *   (residents type the same few hundred questions; rendering the page
 *   is cheap and always done fresh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_search_stages.h"

uint64_t sks_hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++)
    h = (h ^ (uint8_t)*s) * 1099511628211ull;
  return h;
}

/* ---- postings ---- */

static void post_free(struct sks_post *p) {
  if (p->key)
    sks_group_free(p->key);
  free(p->key);
  free(p->rid);
  free(p->score);
  memset(p, 0, sizeof *p);
}

int sks_postings(struct sk_searcher *s, const struct sks_group *g, const struct sks_post **out) {
  uint64_t h = sks_group_hash(g);
  size_t victim = 0;
  uint64_t oldest = UINT64_MAX;
  for (size_t i = 0; i < SKS_POST_CACHE; i++) {
    struct sks_post *p = &s->cache[i];
    if (p->key && p->hash == h && sks_group_eq(p->key, g)) {
      p->used = ++s->tick;
      *out = p;
      return SK_OK;
    }
    if (!p->key) {
      if (oldest) {
        oldest = 0;
        victim = i;
      }
    } else if (p->used < oldest) {
      oldest = p->used;
      victim = i;
    }
  }
  uint32_t *rid = NULL;
  float *sc = NULL;
  size_t n = 0;
  int rc = sks_eval_group(s, g, &rid, &sc, &n);
  if (rc)
    return rc;
  /* evict until there is room */
  struct sks_post *p = &s->cache[victim];
  size_t bytes = n * (sizeof *rid + sizeof *sc) + g->text_len + 64;
  while (s->cache_bytes + bytes > SKS_POST_CACHE_BYTES) {
    size_t lru = SKS_POST_CACHE;
    uint64_t o = UINT64_MAX;
    for (size_t i = 0; i < SKS_POST_CACHE; i++)
      if (s->cache[i].key && s->cache[i].used < o)
        o = s->cache[i].used, lru = i;
    if (lru == SKS_POST_CACHE)
      break;
    s->cache_bytes -= s->cache[lru].bytes;
    post_free(&s->cache[lru]);
  }
  if (p->key) {
    s->cache_bytes -= p->bytes;
    post_free(p);
  }
  p->key = calloc(1, sizeof *p->key);
  if (!p->key || sks_group_copy(p->key, g)) {
    free(rid);
    free(sc);
    post_free(p);
    return SK_ENOMEM;
  }
  p->hash = h;
  p->rid = rid;
  p->score = sc;
  p->n = (uint32_t)n;
  p->used = ++s->tick;
  p->bytes = bytes;
  s->cache_bytes += bytes;
  *out = p;
  return SK_OK;
}

/* ---- words ---- */

static void wentry_free(struct sks_wentry *e) {
  for (size_t k = 0; k < e->n_groups; k++)
    sks_group_free(&e->groups[k]);
  free(e->groups);
  free(e->key);
  free(e->corr);
  memset(e, 0, sizeof *e);
}

struct sks_wentry *sks_wcache_find(struct sk_searcher *s, const char *key) {
  uint64_t h = sks_hash(key);
  for (size_t i = 0; i < SKS_WORD_CACHE; i++) {
    struct sks_wentry *e = &s->wcache[i];
    if (e->key && e->hash == h && strcmp(e->key, key) == 0) {
      e->used = ++s->tick;
      return e;
    }
  }
  return NULL;
}

int sks_wcache_put(struct sk_searcher *s, const char *key, const struct sks_group *g, size_t ng,
                   const char *corr, int replaced, const struct sks_wentry **out) {
  size_t victim = 0;
  uint64_t oldest = UINT64_MAX;
  for (size_t i = 0; i < SKS_WORD_CACHE; i++) {
    const struct sks_wentry *e = &s->wcache[i];
    if (!e->key) {
      victim = i;
      break;
    }
    if (e->used < oldest) {
      oldest = e->used;
      victim = i;
    }
  }
  struct sks_wentry *e = &s->wcache[victim];
  wentry_free(e);
  e->key = strdup(key);
  e->groups = calloc(ng ? ng : 1, sizeof *e->groups);
  e->corr = corr ? strdup(corr) : NULL;
  int rc = !e->key || !e->groups || (corr && !e->corr) ? SK_ENOMEM : SK_OK;
  for (size_t k = 0; k < ng && !rc; k++, e->n_groups++)
    rc = sks_group_copy(&e->groups[k], &g[k]);
  if (rc) {
    wentry_free(e);
    return rc;
  }
  e->replaced = replaced;
  e->hash = sks_hash(key);
  e->used = ++s->tick;
  *out = e;
  return SK_OK;
}

/* ---- rankings ---- */

struct sks_rentry {
  char *key;
  uint64_t hash;
  struct cand *top;
  size_t n_top, k_top;
  long total;
  int relaxed, lower;
  long *cnt;
  size_t n_cnt;
  uint64_t used;
};

struct sks_rentry *sks_rcache_new(void) {
  return calloc(SKS_RESULT_CACHE, sizeof(struct sks_rentry));
}

static void rcache_clear(struct sk_searcher *s) {
  if (!s->rcache)
    return;
  for (size_t i = 0; i < SKS_RESULT_CACHE; i++) {
    free(s->rcache[i].key);
    free(s->rcache[i].top);
    free(s->rcache[i].cnt);
    memset(&s->rcache[i], 0, sizeof s->rcache[i]);
  }
}

void sks_cache_clear(struct sk_searcher *s) {
  for (size_t i = 0; i < SKS_POST_CACHE; i++)
    post_free(&s->cache[i]);
  s->cache_bytes = 0;
  rcache_clear(s);
  for (size_t i = 0; i < SKS_WORD_CACHE; i++)
    wentry_free(&s->wcache[i]);
}

int sks_rcache_key(const struct sk_search_query *q, const struct qf *f, size_t k_top,
                   struct sk_buf *b) {
  int rc = sk_buf_printf(b, "%.*s\x1f", SK_SEARCH_Q_MAX, q->q ? q->q : "");
  for (size_t i = 0; !rc && i < q->n_needs; i++)
    rc = sk_buf_printf(b, "n%s,", q->needs[i]);
  for (size_t i = 0; !rc && i < q->n_access; i++)
    rc = sk_buf_printf(b, "a%s,", q->access[i]);
  for (size_t i = 0; !rc && i < q->n_cost; i++)
    rc = sk_buf_printf(b, "c%s,", q->cost[i]);
  for (size_t i = 0; !rc && i < q->n_laws; i++)
    rc = sk_buf_printf(b, "l%s,", q->laws[i]);
  if (!rc)
    rc = sk_buf_printf(
        b, "|%d|%d|%s|%d|%s|%d|%s|%d|%.5f|%.5f|%d|%zu|%d|%lld|%lld", q->place_as_preference != 0,
        q->professional != 0, q->target_group ? q->target_group : "", q->age,
        q->municipality ? q->municipality : "", (int)q->kind,
        q->organization ? q->organization : "", f->has_origin, f->olat, f->olon, (int)q->sort,
        k_top, q->facets, (long long)f->today,
        /* open now and soonest change by the minute */
        (q->open_now || q->sort == SK_SORT_SOONEST) ? (long long)(f->now / 60) : 0LL);
  return rc;
}

const struct sks_rentry *sks_rcache_find(struct sk_searcher *s, const char *key, uint64_t h) {
  for (size_t i = 0; s->rcache && i < SKS_RESULT_CACHE; i++)
    if (s->rcache[i].key && s->rcache[i].hash == h && !strcmp(s->rcache[i].key, key)) {
      s->rcache[i].used = ++s->tick;
      return &s->rcache[i];
    }
  return NULL;
}

void sks_rcache_put(struct sk_searcher *s, const char *key, uint64_t h,
                    const struct sks_ranking *rk) {
  if (!s->rcache)
    return;
  size_t v = 0;
  for (size_t i = 0; i < SKS_RESULT_CACHE; i++) {
    if (!s->rcache[i].key) {
      v = i;
      break;
    }
    if (s->rcache[i].used < s->rcache[v].used)
      v = i;
  }
  struct sks_rentry *e = &s->rcache[v];
  free(e->key);
  free(e->top);
  free(e->cnt);
  memset(e, 0, sizeof *e);
  e->key = strdup(key);
  e->top = malloc((rk->n_top ? rk->n_top : 1) * sizeof *e->top);
  e->cnt = malloc((rk->n_cnt ? rk->n_cnt : 1) * sizeof *e->cnt);
  if (!e->key || !e->top || !e->cnt) {
    free(e->key);
    free(e->top);
    free(e->cnt);
    memset(e, 0, sizeof *e);
    return;
  }
  memcpy(e->top, rk->top, rk->n_top * sizeof *e->top);
  memcpy(e->cnt, rk->cnt, rk->n_cnt * sizeof *e->cnt);
  e->hash = h;
  e->n_top = rk->n_top;
  e->k_top = rk->k_top;
  e->total = rk->total;
  e->relaxed = rk->relaxed;
  e->lower = rk->lower;
  e->n_cnt = rk->n_cnt;
  e->used = ++s->tick;
}

int sks_rcache_get(const struct sks_rentry *e, struct sks_ranking *rk) {
  if (e->n_cnt != rk->n_cnt)
    return SK_ENOTFOUND;
  rk->top = malloc((e->n_top ? e->n_top : 1) * sizeof *rk->top);
  rk->cnt = malloc((rk->n_cnt ? rk->n_cnt : 1) * sizeof *rk->cnt);
  if (!rk->top || !rk->cnt)
    return SK_ENOMEM;
  memcpy(rk->top, e->top, e->n_top * sizeof *rk->top);
  memcpy(rk->cnt, e->cnt, rk->n_cnt * sizeof *rk->cnt);
  rk->n_top = e->n_top;
  rk->total = e->total;
  rk->relaxed = e->relaxed;
  rk->lower = e->lower;
  return SK_OK;
}
