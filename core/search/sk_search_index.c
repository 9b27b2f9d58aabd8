/* The in-memory inverted index of the snapshot: the terms of search_fts
 * (tokenized here exactly as the "dutch" FTS5 tokenizer does: sk_words +
 * sk_stemmer_stem), with per document the column-weighted term frequency
 * and the document length, so a word's bm25 is computed in C exactly as
 * FTS5's bm25() would, without a query to SQLite and without re-reading
 * FTS5 doclists for common words (40 % of all offerings for "hulp").
 *
 * Memory: about 6 bytes per (term, offering) pair, shared by every
 * searcher of the process (see sk_search_snap.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_search_int.h"

/* FTS5 bm25 constants and our column weights (name, needs, organization,
 * keywords, description): the same as the former bm25() call. */
#define BM25_K1 1.2
#define BM25_B 0.75
static const uint16_t col_weight[5] = {10, 6, 3, 4, 1};

struct sks_caps sks_caps = SKS_CAPS_DEFAULT;

/* ---- a string -> id hash map in the snapshot's arena ---- */
struct smap {
  uint32_t *slot; /* id + 1; 0 empty */
  uint32_t mask;
  uint32_t n;
};

static uint64_t hash_bytes(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
  return h ^ (h >> 29);
}

struct build {
  struct sks_index *ix;
  struct sk_arena *arena;
  struct sk_stemmer *stem;
  struct sk_buf sb;
  /* terms (stems) */
  struct smap terms;
  char **tstr;
  uint32_t *tlen;
  uint32_t tcap;
  /* surface word -> term id, so each distinct word is stemmed once */
  struct smap words;
  char **wstr;
  uint32_t *wlen, *wterm;
  uint32_t wcap, nw;
  /* per document */
  uint32_t *last_doc, *doc_slot; /* by term id */
  uint32_t dt[4096];
  uint32_t dwf[4096];
  uint32_t ndt;
  uint32_t doclen;
  uint32_t rid, col;
  /* (term, rid, wf) of every pair */
  uint32_t *p_tid, *p_rid;
  uint16_t *p_wf;
  size_t np, pcap;
  int rc;
};

static int smap_grow(struct smap *m, char **strs, uint32_t *lens) {
  uint32_t cap = m->mask ? (m->mask + 1) * 2 : 1024;
  uint32_t *ns = calloc(cap, sizeof *ns);
  if (!ns)
    return SK_ENOMEM;
  for (uint32_t i = 0; m->mask && i <= m->mask; i++) {
    uint32_t v = m->slot[i];
    if (!v)
      continue;
    uint64_t h = hash_bytes(strs[v - 1], lens[v - 1]);
    uint32_t k = (uint32_t)h & (cap - 1);
    while (ns[k])
      k = (k + 1) & (cap - 1);
    ns[k] = v;
  }
  free(m->slot);
  m->slot = ns;
  m->mask = cap - 1;
  return SK_OK;
}

/* Find s in m; *at receives the empty slot where it would go. */
static uint32_t smap_find(const struct smap *m, char **strs, const uint32_t *lens, const char *s,
                          size_t n, uint32_t *at) {
  uint32_t k = (uint32_t)hash_bytes(s, n) & m->mask;
  for (;;) {
    uint32_t v = m->slot[k];
    if (!v) {
      *at = k;
      return UINT32_MAX;
    }
    if (lens[v - 1] == n && memcmp(strs[v - 1], s, n) == 0)
      return v - 1;
    k = (k + 1) & m->mask;
  }
}

static int grow_arrays(void **a, size_t elem, uint32_t cap) {
  void *n = realloc(*a, (size_t)cap * elem);
  if (!n)
    return SK_ENOMEM;
  *a = n;
  return SK_OK;
}

static uint32_t term_id(struct build *b, const char *stem, size_t n) {
  if (b->terms.n * 2 >= b->terms.mask + 1 && smap_grow(&b->terms, b->tstr, b->tlen))
    return UINT32_MAX;
  uint32_t at;
  uint32_t id = smap_find(&b->terms, b->tstr, b->tlen, stem, n, &at);
  if (id != UINT32_MAX)
    return id;
  if (b->terms.n == b->tcap) {
    uint32_t cap = b->tcap ? b->tcap * 2 : 4096;
    if (grow_arrays((void **)&b->tstr, sizeof *b->tstr, cap) ||
        grow_arrays((void **)&b->tlen, sizeof *b->tlen, cap) ||
        grow_arrays((void **)&b->last_doc, sizeof *b->last_doc, cap) ||
        grow_arrays((void **)&b->doc_slot, sizeof *b->doc_slot, cap))
      return UINT32_MAX;
    b->tcap = cap;
  }
  id = b->terms.n++;
  b->tstr[id] = sk_arena_strndup(b->arena, stem, n);
  if (!b->tstr[id])
    return UINT32_MAX;
  b->tlen[id] = (uint32_t)n;
  b->last_doc[id] = UINT32_MAX;
  b->terms.slot[at] = id + 1;
  return id;
}

static uint32_t word_term(struct build *b, const char *w, size_t n) {
  if (b->nw * 2 >= b->words.mask + 1 && smap_grow(&b->words, b->wstr, b->wlen))
    return UINT32_MAX;
  uint32_t at;
  uint32_t id = smap_find(&b->words, b->wstr, b->wlen, w, n, &at);
  if (id != UINT32_MAX)
    return b->wterm[id];
  sk_buf_reset(&b->sb);
  if (sk_stemmer_stem(b->stem, w, n, &b->sb))
    return UINT32_MAX;
  uint32_t t = term_id(b, sk_buf_str(&b->sb), b->sb.len);
  if (t == UINT32_MAX)
    return t;
  /* term_id may have grown the term map, not the word map: at is valid */
  if (b->nw == b->wcap) {
    uint32_t cap = b->wcap ? b->wcap * 2 : 4096;
    if (grow_arrays((void **)&b->wstr, sizeof *b->wstr, cap) ||
        grow_arrays((void **)&b->wlen, sizeof *b->wlen, cap) ||
        grow_arrays((void **)&b->wterm, sizeof *b->wterm, cap))
      return UINT32_MAX;
    b->wcap = cap;
  }
  id = b->nw++;
  b->wstr[id] = sk_arena_strndup(b->arena, w, n);
  if (!b->wstr[id])
    return UINT32_MAX;
  b->wlen[id] = (uint32_t)n;
  b->wterm[id] = t;
  b->words.slot[at] = id + 1;
  b->words.n++;
  return t;
}

static int on_word(void *ctx, const char *w, size_t n, size_t start, size_t end) {
  (void)start;
  (void)end;
  struct build *b = ctx;
  uint32_t t = word_term(b, w, n);
  if (t == UINT32_MAX) {
    b->rc = SK_ENOMEM;
    return 1;
  }
  b->doclen++;
  if (b->last_doc[t] != b->rid) {
    if (b->ndt == sizeof b->dt / sizeof b->dt[0])
      return 0; /* a very long document: its rarest late terms are dropped */
    b->last_doc[t] = b->rid;
    b->doc_slot[t] = b->ndt;
    b->dt[b->ndt] = t;
    b->dwf[b->ndt] = 0;
    b->ndt++;
  }
  b->dwf[b->doc_slot[t]] += col_weight[b->col];
  return 0;
}

static int flush_doc(struct build *b) {
  if (b->np + b->ndt > b->pcap) {
    size_t cap = b->pcap ? b->pcap * 2 : 1u << 16;
    while (cap < b->np + b->ndt)
      cap *= 2;
    if (cap > UINT32_MAX)
      return SK_ETOOBIG;
    void *a = realloc(b->p_tid, cap * sizeof *b->p_tid);
    if (!a)
      return SK_ENOMEM;
    b->p_tid = a;
    if (!(a = realloc(b->p_rid, cap * sizeof *b->p_rid)))
      return SK_ENOMEM;
    b->p_rid = a;
    if (!(a = realloc(b->p_wf, cap * sizeof *b->p_wf)))
      return SK_ENOMEM;
    b->p_wf = a;
    b->pcap = cap;
  }
  for (uint32_t i = 0; i < b->ndt; i++) {
    b->p_tid[b->np] = b->dt[i];
    b->p_rid[b->np] = b->rid;
    b->p_wf[b->np] = (uint16_t)(b->dwf[i] > UINT16_MAX ? UINT16_MAX : b->dwf[i]);
    b->np++;
  }
  b->ndt = 0;
  return SK_OK;
}

static struct build *g_sort_build;
static int term_order(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  const struct build *bd = g_sort_build;
  size_t n = bd->tlen[x] < bd->tlen[y] ? bd->tlen[x] : bd->tlen[y];
  int c = memcmp(bd->tstr[x], bd->tstr[y], n);
  return c ? c : (bd->tlen[x] > bd->tlen[y]) - (bd->tlen[x] < bd->tlen[y]);
}

static void build_free(struct build *b) {
  free(b->terms.slot);
  free(b->words.slot);
  free(b->tstr);
  free(b->tlen);
  free(b->wstr);
  free(b->wlen);
  free(b->wterm);
  free(b->last_doc);
  free(b->doc_slot);
  free(b->p_tid);
  free(b->p_rid);
  free(b->p_wf);
  sk_buf_free(&b->sb);
  sk_stemmer_free(b->stem);
}

/* The sort of terms needs a comparison with context; the build runs under
 * the snapshot lock (one build at a time per process). */
#include <pthread.h>
static pthread_mutex_t sort_mu = PTHREAD_MUTEX_INITIALIZER;

static int impact_build(struct sks_index *ix);

int sks_index_load(sqlite3 *db, struct sks_snap *sn) {
  struct sks_index *ix = &sn->ix;
  struct build b;
  memset(&b, 0, sizeof b);
  b.ix = ix;
  b.arena = &sn->arena;
  b.stem = sk_stemmer_new();
  sk_buf_init(&b.sb, 4 * SK_TOKEN_MAX);
  int rc = b.stem ? SK_OK : SK_ENOMEM;
  sqlite3_stmt *q = NULL;
  ix->doclen = calloc(sn->n_docs_cap ? sn->n_docs_cap : 1, sizeof *ix->doclen);
  if (!rc && !ix->doclen)
    rc = SK_ENOMEM;
  if (!rc && (smap_grow(&b.terms, NULL, NULL) || smap_grow(&b.words, NULL, NULL)))
    rc = SK_ENOMEM;
  if (!rc &&
      sqlite3_prepare_v2(
          db, "SELECT rowid, name, needs, organization, keywords, description FROM search_fts", -1,
          &q, NULL) != SQLITE_OK)
    rc = SK_EDB;
  uint64_t total_tokens = 0;
  uint32_t n_rows = 0;
  int step = SQLITE_DONE;
  while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
    sqlite3_int64 rid = sqlite3_column_int64(q, 0);
    n_rows++;
    b.rid = (uint32_t)rid;
    b.doclen = 0;
    b.ndt = 0;
    for (int c = 0; c < 5 && !rc; c++) {
      const char *t = (const char *)sqlite3_column_text(q, c + 1);
      if (!t)
        continue;
      b.col = (uint32_t)c;
      sk_words(t, (size_t)sqlite3_column_bytes(q, c + 1), on_word, &b);
      rc = b.rc;
    }
    total_tokens += b.doclen;
    if (rc)
      break;
    /* rows the snapshot does not know (cannot happen: both read in one
     * transaction) still count for N and avgdl, as in FTS5, but get no
     * postings */
    if (rid > 0 && rid < sn->n_docs_cap) {
      ix->doclen[rid] = b.doclen;
      rc = flush_doc(&b);
    }
  }
  if (!rc && step != SQLITE_DONE)
    rc = SK_EDB;
  sqlite3_finalize(q);
  if (rc) {
    build_free(&b);
    return rc;
  }
  ix->n_rows = n_rows;
  ix->avgdl = n_rows ? (double)total_tokens / n_rows : 1.0;
  /* norm[rid] = k1 * (1 - b + b * D / avgdl): bm25's length part */
  ix->norm = malloc((sn->n_docs_cap ? sn->n_docs_cap : 1) * sizeof *ix->norm);
  uint32_t nt = b.terms.n;
  uint32_t *order = malloc((nt ? nt : 1) * sizeof *order);
  uint32_t *newid = malloc((nt ? nt : 1) * sizeof *newid);
  ix->off = calloc((size_t)nt + 1, sizeof *ix->off);
  ix->term = malloc((nt ? nt : 1) * sizeof *ix->term);
  ix->term_len = malloc((nt ? nt : 1) * sizeof *ix->term_len);
  ix->rid = malloc((b.np ? b.np : 1) * sizeof *ix->rid);
  ix->wf = malloc((b.np ? b.np : 1) * sizeof *ix->wf);
  if (!ix->norm || !order || !newid || !ix->off || !ix->term || !ix->term_len || !ix->rid ||
      !ix->wf) {
    free(order);
    free(newid);
    build_free(&b);
    return SK_ENOMEM;
  }
  for (uint32_t r = 0; r < sn->n_docs_cap; r++)
    ix->norm[r] = (float)(BM25_K1 * (1 - BM25_B + BM25_B * ix->doclen[r] / ix->avgdl));
  for (uint32_t i = 0; i < nt; i++)
    order[i] = i;
  pthread_mutex_lock(&sort_mu);
  g_sort_build = &b;
  qsort(order, nt, sizeof *order, term_order);
  g_sort_build = NULL;
  pthread_mutex_unlock(&sort_mu);
  for (uint32_t i = 0; i < nt; i++) {
    newid[order[i]] = i;
    ix->term[i] = b.tstr[order[i]];
    ix->term_len[i] = b.tlen[order[i]];
  }
  /* counting sort of the pairs by (new) term id; within a term the rids
   * stay in the order they were read (rowid order, ascending) */
  for (size_t i = 0; i < b.np; i++)
    ix->off[newid[b.p_tid[i]] + 1]++;
  for (uint32_t i = 0; i < nt; i++)
    ix->off[i + 1] += ix->off[i];
  uint32_t *fill = order; /* reuse */
  memcpy(fill, ix->off, nt * sizeof *fill);
  for (size_t i = 0; i < b.np; i++) {
    uint32_t t = newid[b.p_tid[i]];
    uint32_t at = fill[t]++;
    ix->rid[at] = b.p_rid[i];
    ix->wf[at] = b.p_wf[i];
  }
  ix->n_terms = nt;
  ix->n_post = b.np;
  free(order);
  free(newid);
  build_free(&b);
  return impact_build(ix);
}

/* ---- impact lists ---- */
struct imp {
  float k; /* wf / (wf + norm): the term's bm25 without its idf */
  uint32_t rid;
};

static int imp_better(const struct imp *a, const struct imp *b) {
  return a->k != b->k ? a->k > b->k : a->rid < b->rid;
}

static int imp_cmp(const void *a, const void *b) {
  const struct imp *x = a, *y = b;
  return imp_better(x, y) ? -1 : imp_better(y, x) ? 1 : 0;
}

/* Move the best k of v[0..n) to the front: a heap of the best k so far,
 * worst on top (most later entries are worse than it and cost one
 * comparison). */
static void imp_sift(struct imp *h, size_t n, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && imp_better(&h[m], &h[l]))
      m = l;
    if (r < n && imp_better(&h[m], &h[r]))
      m = r;
    if (m == i)
      return;
    struct imp t = h[m];
    h[m] = h[i];
    h[i] = t;
    i = m;
  }
}

static void imp_select(struct imp *v, size_t n, size_t k) {
  if (!k || k >= n)
    return;
  for (size_t i = k / 2; i-- > 0;)
    imp_sift(v, k, i);
  for (size_t i = k; i < n; i++)
    if (imp_better(&v[i], &v[0])) {
      v[0] = v[i];
      imp_sift(v, k, 0);
    }
}

static int impact_build(struct sks_index *ix) {
  size_t total = 0;
  uint32_t maxdf = 0;
  for (uint32_t t = 0; t < ix->n_terms; t++) {
    uint32_t df = ix->off[t + 1] - ix->off[t];
    if (df >= sks_caps.impact_min_df) {
      total += df < sks_caps.impact_k ? df : sks_caps.impact_k;
      if (df > maxdf)
        maxdf = df;
    }
  }
  ix->imp_off = calloc((size_t)ix->n_terms + 1, sizeof *ix->imp_off);
  ix->imp_rid = malloc((total ? total : 1) * sizeof *ix->imp_rid);
  struct imp *v = malloc((maxdf ? maxdf : 1) * sizeof *v);
  if (!ix->imp_off || !ix->imp_rid || !v) {
    free(v);
    return SK_ENOMEM;
  }
  uint32_t at = 0;
  for (uint32_t t = 0; t < ix->n_terms; t++) {
    ix->imp_off[t] = at;
    uint32_t a = ix->off[t], df = ix->off[t + 1] - a;
    if (df < sks_caps.impact_min_df)
      continue;
    for (uint32_t i = 0; i < df; i++) {
      float wf = ix->wf[a + i];
      v[i].rid = ix->rid[a + i];
      v[i].k = wf / (wf + ix->norm[v[i].rid]);
    }
    size_t k = df < sks_caps.impact_k ? df : sks_caps.impact_k;
    imp_select(v, df, k);
    qsort(v, k, sizeof *v, imp_cmp);
    for (size_t i = 0; i < k; i++)
      ix->imp_rid[at++] = v[i].rid;
  }
  ix->imp_off[ix->n_terms] = at;
  free(v);
  return SK_OK;
}

void sks_index_free(struct sks_index *ix) {
  free(ix->imp_off);
  free(ix->imp_rid);
  free(ix->doclen);
  free(ix->norm);
  free(ix->off);
  free(ix->term);
  free(ix->term_len);
  free(ix->rid);
  free(ix->wf);
  memset(ix, 0, sizeof *ix);
}

static int tcmp(const struct sks_index *ix, uint32_t i, const char *s, size_t n) {
  size_t m = ix->term_len[i] < n ? ix->term_len[i] : n;
  int c = memcmp(ix->term[i], s, m);
  return c ? c : (ix->term_len[i] > n) - (ix->term_len[i] < n);
}

int sks_index_find(const struct sks_index *ix, const char *s, size_t n) {
  uint32_t lo = 0, hi = ix->n_terms;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    int c = tcmp(ix, mid, s, n);
    if (!c)
      return (int)mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

void sks_index_prefix(const struct sks_index *ix, const char *p, size_t n, uint32_t *from,
                      uint32_t *to) {
  uint32_t lo = 0, hi = ix->n_terms;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (tcmp(ix, mid, p, n) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  *from = lo;
  while (lo < ix->n_terms && ix->term_len[lo] >= n && memcmp(ix->term[lo], p, n) == 0)
    lo++;
  *to = lo;
}

double sks_index_idf(const struct sks_index *ix, uint32_t n_hit) {
  double idf = log(((double)ix->n_rows - n_hit + 0.5) / (n_hit + 0.5));
  return idf <= 0.0 ? 1e-6 : idf;
}
