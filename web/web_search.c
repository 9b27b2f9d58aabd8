/* /api/v1/search and /api/v1/suggest: thin adapters over core/search/sk_search.h,
 * so the CLI and the server share one query language and one JSON shape.
 *
 * A response cache sits in front of both. Residents type the same few
 * hundred words, and building one answer (ranking, 20 items read from the
 * store, highlights, JSON) costs far more than copying it. Key: the route,
 * whether the caller may see restricted fields (a professional's body never
 * reaches anyone else, nor the reverse), and the decoded query parameters,
 * sorted. Value: the JSON body and its ETag. An entry is good while the
 * searcher answers from the same snapshot of the store (the searcher's
 * generation changes with every snapshot: a reindex, a portal edit) and for
 * at most WSC_TTL seconds (open now, next dates and "stale" move with the
 * clock); an entry of an older generation is dropped when seen, one of a
 * newer generation (another thread's searcher moved on first) is left. Bounded in entries and
 * bytes, LRU per shard, one lock per shard; the process holds one cache (keys carry the generation,
 * which is unique across stores, so two servers in one process never share an entry). */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "sk_err.h"
#include "web_internal.h"

#include "sk_search.h"

/* ---- the response cache ------------------------------------------------------ */

#define WSC_SHARDS 16
#define WSC_BUCKETS 256 /* per shard */
#define WSC_MAX_ENTRIES 16384
/* Bodies are kept deflated (an answer with facets at 100k offerings is
 * ~24 KB as JSON, ~5 KB deflated), so the same memory holds ~5x as many
 * answers: the hit rate on a long tail of queries is what keeps misses,
 * each ~1 ms of server CPU, rare. */
#define WSC_MAX_BYTES (32u << 20)
#define WSC_MAX_BODY (1u << 20) /* a bigger answer is not kept */
#define WSC_TTL 60              /* seconds; as Cache-Control: max-age=60 */
#define WSC_MAX_ARGS 64
#define WSC_MAX_KEY 8192

struct wsc_entry {
  struct wsc_entry *hnext;       /* hash chain */
  struct wsc_entry *prev, *next; /* LRU: most recently used first */
  uint64_t hash, gen;
  time_t born;
  size_t key_len, body_len; /* body_len: deflated bytes */
  size_t raw_len;           /* the answer's length when inflated */
  long total;               /* a search answer's total and crisis flag (for */
  int crisis;               /* the search statistics); 0 for suggestions */
  char etag[40];
  char *body; /* owned; zlib-deflated answer */
  char key[]; /* key_len bytes */
};

struct wsc_shard {
  pthread_mutex_t mu;
  struct wsc_entry *bucket[WSC_BUCKETS];
  struct wsc_entry *head, *tail;
  size_t n, bytes;
};

static struct wsc_shard g_shards[WSC_SHARDS];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static atomic_ullong g_hits, g_misses, g_stale, g_evicted;

static void wsc_init(void) {
  for (size_t i = 0; i < WSC_SHARDS; i++)
    pthread_mutex_init(&g_shards[i].mu, NULL);
}

static uint64_t wsc_hash(const char *k, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (uint8_t)k[i]) * 1099511628211ull;
  return h ^ (h >> 29);
}

static size_t entry_bytes(const struct wsc_entry *e) {
  return sizeof *e + e->key_len + e->body_len;
}

static void lru_unlink(struct wsc_shard *sh, struct wsc_entry *e) {
  if (e->prev)
    e->prev->next = e->next;
  else
    sh->head = e->next;
  if (e->next)
    e->next->prev = e->prev;
  else
    sh->tail = e->prev;
  e->prev = e->next = NULL;
}

static void lru_front(struct wsc_shard *sh, struct wsc_entry *e) {
  e->next = sh->head;
  e->prev = NULL;
  if (sh->head)
    sh->head->prev = e;
  sh->head = e;
  if (!sh->tail)
    sh->tail = e;
}

static void entry_drop(struct wsc_shard *sh, struct wsc_entry *e) {
  struct wsc_entry **p = &sh->bucket[e->hash % WSC_BUCKETS];
  while (*p && *p != e)
    p = &(*p)->hnext;
  if (*p)
    *p = e->hnext;
  lru_unlink(sh, e);
  sh->n--;
  sh->bytes -= entry_bytes(e);
  free(e->body);
  free(e);
}

static struct wsc_entry *entry_find(struct wsc_shard *sh, const char *key, size_t n, uint64_t h) {
  for (struct wsc_entry *e = sh->bucket[h % WSC_BUCKETS]; e; e = e->hnext)
    if (e->hash == h && e->key_len == n && memcmp(e->key, key, n) == 0)
      return e;
  return NULL;
}

/* A copy of the cached body (malloc'd, inflated, for the response) and its
 * ETag, or NULL when there is none for this generation. Inflating happens
 * outside the shard's lock. */
static char *wsc_get(const char *key, size_t n, uint64_t gen, size_t *len, char etag[40],
                     long *total, int *crisis) {
  pthread_once(&g_once, wsc_init);
  uint64_t h = wsc_hash(key, n);
  struct wsc_shard *sh = &g_shards[h % WSC_SHARDS];
  char *packed = NULL;
  size_t packed_len = 0, raw_len = 0;
  pthread_mutex_lock(&sh->mu);
  struct wsc_entry *e = entry_find(sh, key, n, h);
  if (e && (e->gen < gen || time(NULL) - e->born >= WSC_TTL)) {
    entry_drop(sh, e);
    e = NULL;
    atomic_fetch_add(&g_stale, 1);
  } else if (e && e->gen > gen) {
    e = NULL; /* this thread's searcher has not moved to that snapshot yet */
  }
  if (e && (packed = malloc(e->body_len))) {
    memcpy(packed, e->body, e->body_len);
    packed_len = e->body_len;
    raw_len = e->raw_len;
    memcpy(etag, e->etag, 40);
    *total = e->total;
    *crisis = e->crisis;
    lru_unlink(sh, e);
    lru_front(sh, e);
  }
  pthread_mutex_unlock(&sh->mu);
  char *out = NULL;
  if (packed) {
    uLongf got = (uLongf)raw_len;
    out = malloc(raw_len + 1);
    if (out && (uncompress((Bytef *)out, &got, (const Bytef *)packed, (uLong)packed_len) != Z_OK ||
                got != raw_len)) {
      free(out);
      out = NULL;
    }
    if (out) {
      out[raw_len] = '\0';
      *len = raw_len;
    }
    free(packed);
  }
  atomic_fetch_add(out ? &g_hits : &g_misses, 1);
  return out;
}

static void wsc_put(const char *key, size_t n, uint64_t gen, const char *body, size_t len,
                    const char *etag, long total, int crisis) {
  if (len > WSC_MAX_BODY)
    return;
  pthread_once(&g_once, wsc_init);
  struct wsc_entry *e = malloc(sizeof *e + n);
  uLongf packed_len = compressBound((uLong)len);
  char *packed = malloc(packed_len);
  /* Level 1: answers deflate ~5x even at the fastest level, and a put is
   * on a request thread. */
  if (!e || !packed ||
      compress2((Bytef *)packed, &packed_len, (const Bytef *)body, (uLong)len, 1) != Z_OK) {
    free(e);
    free(packed);
    return;
  }
  char *shrunk = realloc(packed, packed_len ? packed_len : 1);
  if (shrunk)
    packed = shrunk;
  memset(e, 0, sizeof *e);
  memcpy(e->key, key, n);
  e->key_len = n;
  e->hash = wsc_hash(key, n);
  e->gen = gen;
  e->born = time(NULL);
  e->body = packed;
  e->body_len = packed_len;
  e->raw_len = len;
  e->total = total;
  e->crisis = crisis;
  snprintf(e->etag, sizeof e->etag, "%s", etag);
  struct wsc_shard *sh = &g_shards[e->hash % WSC_SHARDS];
  pthread_mutex_lock(&sh->mu);
  struct wsc_entry *old = entry_find(sh, key, n, e->hash);
  if (old && old->gen > gen) { /* keep the newer answer (generations only grow) */
    pthread_mutex_unlock(&sh->mu);
    free(packed);
    free(e);
    return;
  }
  if (old)
    entry_drop(sh, old);
  while (sh->tail && (sh->n + 1 > WSC_MAX_ENTRIES / WSC_SHARDS ||
                      sh->bytes + entry_bytes(e) > WSC_MAX_BYTES / WSC_SHARDS)) {
    entry_drop(sh, sh->tail);
    atomic_fetch_add(&g_evicted, 1);
  }
  e->hnext = sh->bucket[e->hash % WSC_BUCKETS];
  sh->bucket[e->hash % WSC_BUCKETS] = e;
  lru_front(sh, e);
  sh->n++;
  sh->bytes += entry_bytes(e);
  pthread_mutex_unlock(&sh->mu);
}

int web_search_cache_metrics(struct sk_buf *b) {
  size_t n = 0, bytes = 0;
  pthread_once(&g_once, wsc_init);
  for (size_t i = 0; i < WSC_SHARDS; i++) {
    pthread_mutex_lock(&g_shards[i].mu);
    n += g_shards[i].n;
    bytes += g_shards[i].bytes;
    pthread_mutex_unlock(&g_shards[i].mu);
  }
  return sk_buf_printf(b,
                       "# HELP sk_search_cache_requests_total Search and suggest answers by "
                       "response cache outcome.\n"
                       "# TYPE sk_search_cache_requests_total counter\n"
                       "sk_search_cache_requests_total{outcome=\"hit\"} %llu\n"
                       "sk_search_cache_requests_total{outcome=\"miss\"} %llu\n"
                       "# HELP sk_search_cache_dropped_total Entries dropped: outdated (data "
                       "changed or too old) or evicted (full).\n"
                       "# TYPE sk_search_cache_dropped_total counter\n"
                       "sk_search_cache_dropped_total{reason=\"outdated\"} %llu\n"
                       "sk_search_cache_dropped_total{reason=\"evicted\"} %llu\n"
                       "# HELP sk_search_cache_entries Answers in the response cache.\n"
                       "# TYPE sk_search_cache_entries gauge\n"
                       "sk_search_cache_entries %zu\n"
                       "# HELP sk_search_cache_bytes Bytes held by the response cache.\n"
                       "# TYPE sk_search_cache_bytes gauge\n"
                       "sk_search_cache_bytes %zu\n",
                       (unsigned long long)atomic_load(&g_hits),
                       (unsigned long long)atomic_load(&g_misses),
                       (unsigned long long)atomic_load(&g_stale),
                       (unsigned long long)atomic_load(&g_evicted), n, bytes);
}

/* ---- the key: route, audience, sorted decoded parameters --------------------- */

struct kv {
  const char *k, *v;
};

struct key_args {
  struct kv a[WSC_MAX_ARGS];
  size_t n;
  int over;
};

static enum MHD_Result take_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value) {
  (void)kind;
  struct key_args *ka = cls;
  if (ka->n == WSC_MAX_ARGS) {
    ka->over = 1;
    return MHD_NO;
  }
  ka->a[ka->n++] = (struct kv){key ? key : "", value ? value : ""};
  return MHD_YES;
}

static int kv_cmp(const void *x, const void *y) {
  const struct kv *a = x, *b = y;
  int c = strcmp(a->k, b->k);
  return c ? c : strcmp(a->v, b->v);
}

/* 1 with the key in b; 0 when this request is not cached (too many or too
 * long parameters). Each piece is length-prefixed, so no value can pose as
 * two. */
static int cache_key(struct web_ctx *x, char route, struct sk_buf *b) {
  struct key_args ka;
  ka.n = 0;
  ka.over = 0;
  MHD_get_connection_values(x->conn, MHD_GET_ARGUMENT_KIND, take_arg, &ka);
  if (ka.over)
    return 0;
  qsort(ka.a, ka.n, sizeof ka.a[0], kv_cmp);
  if (sk_buf_printf(b, "%c%d", route, x->professional ? 1 : 0))
    return 0;
  for (size_t i = 0; i < ka.n; i++)
    if (sk_buf_printf(b, "|%zu:%s=%zu:%s", strlen(ka.a[i].k), ka.a[i].k, strlen(ka.a[i].v),
                      ka.a[i].v))
      return 0;
  return 1;
}

static void body_etag(const char *body, size_t len, char out[40]) {
  unsigned char h[16];
  char hex[33];
  crypto_generichash(h, sizeof h, (const unsigned char *)body, len, NULL, 0);
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  snprintf(out, 40, "\"%s\"", hex);
}

/* Answer from the cache when it holds this key for generation gen; total
 * and crisis (may be NULL) get what the cached search answer found. */
static int reply_cached(struct web_ctx *x, const struct sk_buf *key, uint64_t gen, long *total,
                        int *crisis) {
  size_t len = 0;
  char etag[40];
  long t = 0;
  int c = 0;
  char *body = wsc_get(key->ptr, key->len, gen, &len, etag, &t, &c);
  if (!body)
    return 0;
  free(x->out.body);
  x->out.body = body;
  x->out.len = len;
  x->out.status = 200;
  if (total)
    *total = t;
  if (crisis)
    *crisis = c;
  x->out.ctype = "application/json; charset=utf-8";
  x->out.cache = "public, max-age=60";
  x->out.etag = 1;
  snprintf(x->out.etag_value, sizeof x->out.etag_value, "%s", etag);
  return 1;
}

/* After a handler built a 200 answer: keep it, and give it its ETag now
 * (saves the server hashing it again). */
static void remember(struct web_ctx *x, const struct sk_buf *key, uint64_t gen, long total,
                     int crisis) {
  if (x->out.status != 200 || !x->out.body || !gen)
    return;
  char etag[40];
  body_etag(x->out.body, x->out.len, etag);
  snprintf(x->out.etag_value, sizeof x->out.etag_value, "%s", etag);
  wsc_put(key->ptr, key->len, gen, x->out.body, x->out.len, etag, total, crisis);
}

/* The worker's searcher, in background mode (a changed store is re-read by
 * a background thread while answers come from the current snapshot), and
 * the generation it answers from. After a write made by this process (the
 * portal calls web_server_data_changed) the first request of each thread
 * brings the snapshot up to date itself, as before, so an edit shows in
 * the editor's next search. */
static _Thread_local unsigned t_seen_change;

static uint64_t searcher_gen(struct web_ctx *x, struct sk_searcher *s) {
  unsigned g = atomic_load(&x->srv->data_generation);
  int sync = g != t_seen_change;
  t_seen_change = g;
  sk_searcher_set_background(s, !sync);
  uint64_t gen = sk_searcher_generation(s);
  sk_searcher_set_background(s, 1);
  return gen;
}

/* ---- handlers ------------------------------------------------------------------ */

struct search_args {
  struct sk_search_query *q;
  struct sk_search_error e;
  int rc;
};

static enum MHD_Result set_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value) {
  (void)kind;
  struct search_args *a = cls;
  int rc = sk_search_query_set(a->q, key, value ? value : "", &a->e);
  if (rc == SK_ENOTFOUND) {
    snprintf(a->e.param, sizeof a->e.param, "%.31s", key);
    snprintf(a->e.message, sizeof a->e.message, "De parameter '%.64s' bestaat niet voor dit adres.",
             key);
  }
  if (rc != SK_OK) {
    a->rc = rc;
    return MHD_NO;
  }
  return MHD_YES;
}

/* total and crisis get what the search found (left as they are when it
 * fails). */
static int search_build(struct web_ctx *x, struct web_worker *w, long *total, int *crisis) {
  struct sk_search_query q;
  sk_search_query_init(&q);
  q.facets = 1;
  q.professional = x->professional; /* set from the session by the dispatcher */
  struct search_args a = {.q = &q, .rc = SK_OK};
  MHD_get_connection_values(x->conn, MHD_GET_ARGUMENT_KIND, set_arg, &a);
  if (a.rc != SK_OK)
    return web_bad_param(x, a.e.param[0] ? a.e.param : NULL, "%s", a.e.message);
  struct sk_search_result *r = NULL;
  struct sk_search_error e = {"", ""};
  int rc = sk_search(w->searcher, &q, &r, &e);
  if (rc == SK_EINVAL)
    return web_bad_param(x, e.param[0] ? e.param : NULL, "%s", e.message);
  if (rc != SK_OK || !r)
    return web_unavailable(x,
                           e.message[0] ? e.message : "Zoeken lukt nu niet. Probeer het opnieuw.");
  json_t *body = sk_search_result_json(r);
  *total = r->total;
  *crisis = r->crisis != 0;
  if (body) {
    struct web_page pg = {r->page, r->per_page};
    long per = r->per_page > 0 ? r->per_page : 1;
    long long last = r->total < SK_SEARCH_MAX_RESULTS ? r->total : SK_SEARCH_MAX_RESULTS;
    json_object_set_new(body, "total_pages", json_integer((r->total + per - 1) / per));
    json_object_set_new(body, "next", web_next_link(x, &pg, last));
  }
  sk_search_result_free(r);
  return web_reply_json(x, 200, body);
}

int web_api_search(struct web_ctx *x) {
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  struct sk_buf key;
  sk_buf_init(&key, WSC_MAX_KEY);
  int cacheable = cache_key(x, 'S', &key);
  uint64_t gen = searcher_gen(x, w->searcher);
  int rc = SK_OK;
  long total = -1;
  int crisis = 0;
  if (!cacheable || !gen || !reply_cached(x, &key, gen, &total, &crisis)) {
    rc = search_build(x, w, &total, &crisis);
    if (cacheable)
      remember(x, &key, gen, total, crisis);
  }
  /* A search, not its next pages; from the cache too (its entry keeps what
   * the search found), so the dashboard never has to search again. */
  if (rc == SK_OK && total >= 0 && (!web_arg(x, "page") || strcmp(web_arg(x, "page"), "1") == 0))
    web_stats_record(x, web_arg(x, "q"), total, crisis);
  sk_buf_free(&key);
  return rc;
}

int web_api_suggest(struct web_ctx *x) {
  long limit;
  if (web_arg_int(x, "limit", 1, SK_SUGGEST_MAX, 10, &limit))
    return SK_EINVAL;
  const char *q = web_arg(x, "q");
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  struct sk_buf key;
  sk_buf_init(&key, WSC_MAX_KEY);
  int cacheable = cache_key(x, 'G', &key);
  uint64_t gen = searcher_gen(x, w->searcher);
  int rc = SK_OK;
  if (!cacheable || !gen || !reply_cached(x, &key, gen, NULL, NULL)) {
    struct sk_suggest_result *r = NULL;
    if (sk_suggest(w->searcher, q ? q : "", (int)limit, &r) != SK_OK || !r) {
      sk_buf_free(&key);
      return web_unavailable(x, "Suggesties lukken nu niet. Probeer het opnieuw.");
    }
    json_t *body = sk_suggest_result_json(r);
    sk_suggest_result_free(r);
    rc = web_reply_json(x, 200, body);
    if (cacheable)
      remember(x, &key, gen, 0, 0);
  }
  sk_buf_free(&key);
  x->out.cache = "public, max-age=300";
  return rc;
}
