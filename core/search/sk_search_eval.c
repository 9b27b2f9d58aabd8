/* Evaluation of the query plan's word groups on the in-memory index
 * (sk_search_index.c), with FTS5's bm25 computed in C: a group walks the
 * postings of its terms; a capped group (a word in a large share of all
 * offerings) is instead probed for the candidates the other words give,
 * or seeded from its impact lists. */
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_search_stages.h"

#define MAX_PHRASES 64

int sks_take_tok(void *ctx, const char *w, size_t n, size_t start, size_t end) {
  (void)start;
  (void)end;
  struct sks_tok_list *l = ctx;
  if (l->n >= 8)
    return 1;
  memcpy(l->tok[l->n].t, w, n);
  l->tok[l->n].t[n] = '\0';
  l->tok[l->n].n = n;
  l->n++;
  return 0;
}

static void group_add(struct sk_searcher *s, uint32_t rid, float score) {
  if (s->g_stamp[rid] != s->g_gen) {
    s->g_stamp[rid] = s->g_gen;
    s->g_acc[rid] = 0;
    s->g_list[s->g_n++] = rid;
  }
  s->g_acc[rid] += score;
}

/* One alternative of a group (a word or phrase): per token, the range of
 * index terms it stands for (one term, or every term with the prefix). */
struct gphr {
  uint32_t from[8], to[8];
  size_t n;
};

/* 0 when a word of the phrase is in no offering (or it has no words). */
static int phrase_ranges(struct sk_searcher *s, const char *text, size_t len, int star,
                         struct gphr *ph) {
  const struct sks_index *ix = &s->snap->ix;
  struct sks_tok_list l;
  l.n = 0;
  sk_words(text, len, sks_take_tok, &l);
  ph->n = l.n;
  if (!l.n)
    return 0;
  struct sk_buf b;
  sk_buf_init(&b, 4 * SK_TOKEN_MAX);
  for (size_t k = 0; k < l.n; k++) {
    if (star && k == l.n - 1) {
      sks_index_prefix(ix, l.tok[k].t, l.tok[k].n, &ph->from[k], &ph->to[k]);
    } else {
      sk_buf_reset(&b);
      int t = sk_stemmer_stem(s->stem, l.tok[k].t, l.tok[k].n, &b) == SK_OK
                  ? sks_index_find(ix, sk_buf_str(&b), b.len)
                  : -1;
      ph->from[k] = t < 0 ? 0 : (uint32_t)t;
      ph->to[k] = t < 0 ? 0 : (uint32_t)t + 1;
    }
    if (ph->from[k] == ph->to[k]) {
      sk_buf_free(&b);
      return 0;
    }
  }
  sk_buf_free(&b);
  return 1;
}

/* The phrases of a group, resolved against the index. Phrases with a
 * word in no offering are left out. */
static size_t group_phrases(struct sk_searcher *s, const struct sks_group *g, struct gphr *out,
                            size_t max) {
  size_t np = 0;
  for (size_t i = 0; i < g->n && np < max; i++) {
    const char *text = sks_group_alt(g, i);
    size_t n = strlen(text);
    if (n > SKS_ALT_MAX)
      n = SKS_ALT_MAX;
    if (phrase_ranges(s, text, n, sks_group_star(g, i), &out[np]))
      np++;
  }
  return np;
}

/* Postings of one token (summed over its terms): an upper bound of the
 * offerings it is in. */
static size_t token_df(const struct sks_index *ix, const struct gphr *ph, size_t k) {
  size_t df = 0;
  for (uint32_t t = ph->from[k]; t < ph->to[k]; t++)
    df += ix->off[t + 1] - ix->off[t];
  return df;
}

/* An upper bound of a phrase's offerings: its rarest token's. */
static size_t phrase_df(const struct sks_index *ix, const struct gphr *ph) {
  size_t m = SIZE_MAX;
  for (size_t k = 0; k < ph->n; k++) {
    size_t d = token_df(ix, ph, k);
    if (d < m)
      m = d;
  }
  return m == SIZE_MAX ? 0 : m;
}

/* The offerings a phrase is in, estimated without walking its postings
 * (for the idf of a capped group): a prefix's terms as independent
 * (1 - the product of their misses), a phrase's words likewise (the
 * product of their hits), never more than its rarest token. */
static double phrase_hits(const struct sks_index *ix, const struct gphr *ph) {
  double n = ix->n_rows ? ix->n_rows : 1, all = 1;
  for (size_t k = 0; k < ph->n; k++) {
    double miss = 1;
    for (uint32_t t = ph->from[k]; t < ph->to[k]; t++)
      miss *= 1.0 - (ix->off[t + 1] - ix->off[t]) / n;
    all *= 1.0 - miss;
  }
  double est = all * n, cap = (double)phrase_df(ix, ph);
  if (ph->n == 1 && ph->to[0] == ph->from[0] + 1)
    return cap; /* one term: exact */
  return est < 1 ? 1 : est > cap ? cap : est;
}

/* The postings a group would walk (a term shared by its phrases, like a
 * word and the same word as a prefix, counted once): decides whether it
 * is capped. */
size_t sks_group_size(struct sk_searcher *s, const struct sks_group *g) {
  const struct sks_index *ix = &s->snap->ix;
  struct gphr ph[MAX_PHRASES];
  size_t np = group_phrases(s, g, ph, MAX_PHRASES), sum = 0;
  for (size_t i = 0; i < np; i++) {
    if (ph[i].n > 1) {
      sum += phrase_df(ix, &ph[i]);
      continue;
    }
    for (uint32_t t = ph[i].from[0]; t < ph[i].to[0]; t++) {
      int seen = 0;
      for (size_t j = 0; j < i && !seen; j++)
        seen = ph[j].n == 1 && t >= ph[j].from[0] && t < ph[j].to[0];
      if (!seen)
        sum += ix->off[t + 1] - ix->off[t];
    }
  }
  return sum;
}

/* One phrase evaluated on the in-memory index with FTS5's bm25 (same idf,
 * k1, b, column weights and document length), its scores added into the
 * group accumulator. A phrase of several words ("rood staan") is
 * approximated as all of its words in the offering (the index keeps no
 * positions); its frequency is the smallest one. */
static void eval_phrase(struct sk_searcher *s, const struct gphr *ph) {
  const struct sks_snap *sn = s->snap;
  const struct sks_index *ix = &sn->ix;
  if (ph->n == 1 && ph->to[0] == ph->from[0] + 1) { /* one term: its postings as they are */
    uint32_t t = ph->from[0], a = ix->off[t], e = ix->off[t + 1];
    double idf = sks_index_idf(ix, e - a);
    for (uint32_t i = a; i < e; i++) {
      uint32_t rid = ix->rid[i];
      if (!sn->docs[rid].flags)
        continue;
      double wf = ix->wf[i];
      group_add(s, rid, (float)(idf * wf * (1.2 + 1.0) / (wf + ix->norm[rid])));
    }
    return;
  }
  /* several terms: per offering, the frequency over the prefix's terms,
   * and for a phrase the number of its words present */
  if (++s->p_gen == 0) {
    memset(s->p_stamp, 0, s->scratch_cap * sizeof *s->p_stamp);
    s->p_gen = 1;
  }
  size_t np = 0;
  for (size_t k = 0; k < ph->n; k++)
    for (uint32_t t = ph->from[k]; t < ph->to[k]; t++)
      for (uint32_t i = ix->off[t]; i < ix->off[t + 1]; i++) {
        uint32_t rid = ix->rid[i];
        float wf = ix->wf[i];
        if (k == 0) {
          if (s->p_stamp[rid] != s->p_gen) {
            s->p_stamp[rid] = s->p_gen;
            s->p_cnt[rid] = 1;
            s->p_wf[rid] = wf;
            s->p_list[np++] = rid;
          } else {
            s->p_wf[rid] += wf;
          }
        } else if (s->p_stamp[rid] == s->p_gen && s->p_cnt[rid] >= k) {
          if (s->p_cnt[rid] == k) {
            s->p_cnt[rid] = (uint8_t)(k + 1);
            if (wf < s->p_wf[rid])
              s->p_wf[rid] = wf;
          }
        }
      }
  uint32_t n_hit = 0;
  for (size_t i = 0; i < np; i++)
    n_hit += s->p_cnt[s->p_list[i]] == ph->n;
  double idf = sks_index_idf(ix, n_hit);
  for (size_t i = 0; i < np; i++) {
    uint32_t rid = s->p_list[i];
    if (s->p_cnt[rid] != ph->n || !sn->docs[rid].flags)
      continue;
    double wf = s->p_wf[rid];
    group_add(s, rid, (float)(idf * wf * (1.2 + 1.0) / (wf + ix->norm[rid])));
  }
}

int sks_eval_group(struct sk_searcher *s, const struct sks_group *g, uint32_t **rid_out,
                   float **sc_out, size_t *n_out) {
  *rid_out = NULL;
  *sc_out = NULL;
  *n_out = 0;
  if (++s->g_gen == 0) {
    memset(s->g_stamp, 0, s->scratch_cap * sizeof *s->g_stamp);
    s->g_gen = 1;
  }
  s->g_n = 0;
  struct gphr ph[MAX_PHRASES];
  size_t nph = group_phrases(s, g, ph, MAX_PHRASES);
  for (size_t i = 0; i < nph; i++)
    eval_phrase(s, &ph[i]);
  size_t n = s->g_n;
  uint32_t *rid = malloc((n ? n : 1) * sizeof *rid);
  float *sc = malloc((n ? n : 1) * sizeof *sc);
  if (!rid || !sc) {
    free(rid);
    free(sc);
    return SK_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    rid[i] = s->g_list[i];
    sc[i] = s->g_acc[rid[i]];
  }
  *rid_out = rid;
  *sc_out = sc;
  *n_out = n;
  return SK_OK;
}

/* ---- capped groups: a word in a large share of all offerings ---- */

/* First index in v[lo, hi) with v[i] >= x (v ascending), galloping from lo. */
static uint32_t gallop(const uint32_t *v, uint32_t lo, uint32_t hi, uint32_t x) {
  if (lo >= hi || v[lo] >= x)
    return lo;
  uint32_t prev = lo, step = 1, cur = lo + 1;
  while (cur < hi && v[cur] < x) {
    prev = cur;
    step <<= 1;
    cur = hi - prev > step ? prev + step : hi;
  }
  uint32_t l = prev + 1, h = cur;
  while (l < h) {
    uint32_t m = l + (h - l) / 2;
    if (v[m] < x)
      l = m + 1;
    else
      h = m;
  }
  return l;
}

/* Where a term's postings meet the probe set c[0..n): both are sorted by
 * rid, so the shorter one is walked and each of its rids searched in the
 * longer one by galloping; memory is read in order (a random lookup per
 * posting is what made common words slow). For each match j: with idf > 0
 * the term's bm25 goes straight into sc[j] (a phrase of one term), else
 * its frequency is added to tw[j] and j listed in l when new there. */
struct probe_out {
  float *sc, *tw;
  uint8_t *hit;
  uint32_t *l;
  size_t nl;
  double idf;
};

static void probe_match(const struct sks_index *ix, const uint32_t *c, uint32_t j, uint32_t i,
                        struct probe_out *o) {
  float wf = ix->wf[i];
  if (o->idf > 0) {
    o->sc[j] += (float)(o->idf * wf * (1.2 + 1.0) / (wf + ix->norm[c[j]]));
    o->hit[j] = 1;
    return;
  }
  if (o->tw[j] == 0)
    o->l[o->nl++] = j;
  o->tw[j] += wf;
}

static void probe_term(struct sk_searcher *s, uint32_t t, const uint32_t *c, size_t n,
                       struct probe_out *o) {
  const struct sks_index *ix = &s->snap->ix;
  uint32_t a = ix->off[t], e = ix->off[t + 1];
  if ((size_t)(e - a) < n) {
    uint32_t j = 0;
    for (uint32_t i = a; i < e && j < n; i++) {
      j = gallop(c, j, (uint32_t)n, ix->rid[i]);
      if (j < n && c[j] == ix->rid[i])
        probe_match(ix, c, j, i, o);
    }
    return;
  }
  uint32_t pos = a;
  for (size_t j = 0; j < n && pos < e; j++) {
    pos = gallop(ix->rid, pos, e, c[j]);
    if (pos < e && ix->rid[pos] == c[j])
      probe_match(ix, c, (uint32_t)j, pos, o);
  }
}

/* A group's bm25 for each offering of the probe set c[0..n) (rids
 * ascending): sc[j] (0 when not in it; hit[j] = 1 when it is). Exact for a
 * word; for a prefix or a phrase the number of offerings behind the idf is
 * estimated (sum or smallest of the terms'). pr_tw and pr_cnt are zero
 * before and after. */
static void probe_group(struct sk_searcher *s, const struct sks_group *grp, const uint32_t *c,
                        size_t n, float *sc, uint8_t *hit) {
  const struct sks_index *ix = &s->snap->ix;
  memset(sc, 0, n * sizeof *sc);
  memset(hit, 0, n);
  float *tw = s->pr_tw, *pw = s->pr_pw;
  uint8_t *cnt = s->pr_cnt;
  struct gphr ph[MAX_PHRASES];
  size_t nph = group_phrases(s, grp, ph, MAX_PHRASES);
  for (size_t i = 0; i < nph; i++) {
    const struct gphr *g = &ph[i];
    double hits = phrase_hits(ix, g);
    double idf = sks_index_idf(ix, (uint32_t)(hits < ix->n_rows ? hits : ix->n_rows));
    struct probe_out o = {sc, tw, hit, s->pr_l0, 0, 0};
    if (g->n == 1 && g->to[0] == g->from[0] + 1) {
      o.idf = idf;
      probe_term(s, g->from[0], c, n, &o);
      continue;
    }
    /* per offering: the frequency summed over a prefix's terms; for a
     * phrase the smallest of its words', present when all are */
    for (uint32_t t = g->from[0]; t < g->to[0]; t++)
      probe_term(s, t, c, n, &o);
    size_t n0 = o.nl;
    for (size_t m = 0; m < n0; m++) {
      uint32_t j = s->pr_l0[m];
      pw[j] = tw[j];
      cnt[j] = 1;
      tw[j] = 0;
    }
    for (size_t k = 1; k < g->n; k++) {
      struct probe_out ok = {sc, tw, hit, s->pr_l1, 0, 0};
      for (uint32_t t = g->from[k]; t < g->to[k]; t++)
        probe_term(s, t, c, n, &ok);
      for (size_t m = 0; m < ok.nl; m++) {
        uint32_t j = s->pr_l1[m];
        if (cnt[j] == k) {
          cnt[j]++;
          if (tw[j] < pw[j])
            pw[j] = tw[j];
        }
        tw[j] = 0;
      }
    }
    for (size_t m = 0; m < n0; m++) {
      uint32_t j = s->pr_l0[m];
      if (cnt[j] == g->n) { /* c holds offerings of the snapshot only */
        double wf = pw[j];
        sc[j] += (float)(idf * wf * (1.2 + 1.0) / (wf + ix->norm[c[j]]));
        hit[j] = 1;
      }
      cnt[j] = 0;
    }
  }
}

/* Seed the candidates with a capped group's best offerings: each of its
 * terms gets an even share of sks_caps.seed_budget (at least 1/32 of it),
 * taken from the head of its impact list (best first), or its postings
 * when it has no list (then it has fewer than impact_min_df); a
 * phrase by its first word. */
void sks_seed_group(struct sk_searcher *s, const struct sks_group *g) {
  const struct sks_snap *sn = s->snap;
  const struct sks_index *ix = &sn->ix;
  struct gphr ph[MAX_PHRASES];
  size_t nph = group_phrases(s, g, ph, MAX_PHRASES), n_terms = 0;
  for (size_t i = 0; i < nph; i++)
    n_terms += ph[i].to[0] - ph[i].from[0];
  size_t share = sks_caps.seed_budget / (n_terms ? n_terms : 1);
  if (share < sks_caps.seed_budget / 32)
    share = sks_caps.seed_budget / 32;
  for (size_t i = 0; i < nph; i++)
    for (uint32_t t = ph[i].from[0]; t < ph[i].to[0]; t++) {
      uint32_t a = ix->imp_off[t], e = ix->imp_off[t + 1];
      const uint32_t *v = ix->imp_rid;
      if (a == e) {
        a = ix->off[t];
        e = ix->off[t + 1];
        v = ix->rid;
      }
      if (e - a > share)
        e = a + (uint32_t)share;
      for (uint32_t k = a; k < e; k++)
        if (sn->docs[v[k]].flags)
          sks_touch(s, v[k]);
    }
}

int sks_ensure_touched(struct sk_searcher *s) {
  if (s->touched_cap >= s->snap->n_docs_cap)
    return SK_OK;
  free(s->touched);
  s->touched = malloc(s->snap->n_docs_cap * sizeof *s->touched);
  s->touched_cap = s->touched ? s->snap->n_docs_cap : 0;
  return s->touched ? SK_OK : SK_ENOMEM;
}

/* Mark the touched offerings classified under a capped need (any of m). */
void sks_mark_needs(struct sk_searcher *s, const struct sks_needmask *m, uint8_t bit) {
  const struct sks_doc *docs = s->snap->docs;
  for (size_t i = 0; i < s->n_touched; i++) {
    uint32_t rid = s->touched[i];
    if (i + 16 < s->n_touched)
      __builtin_prefetch(&docs[s->touched[i + 16]]);
    if (sks_need_any(&docs[rid].needs, m))
      s->mark[rid] |= bit;
  }
}

/* The capped groups' scores for the offerings that may still have every
 * word: touched ones in every walked required group (and, when concepts
 * must match and none is capped, in a concept), or all touched ones
 * (all: for "any word will do"). They are sorted by rid
 * through a bitmap, so a common word's postings are searched by
 * galloping instead of walked. */
int sks_probe_capped(struct sk_searcher *s, const struct analysis *an, const uint8_t *big_req,
                     const uint8_t *big_opt, const uint8_t *big_boost, size_t n_small_req,
                     int need_concept, int all, size_t *n_probed) {
  size_t n = 0;
  for (size_t i = 0; i < s->n_touched; i++) {
    uint32_t rid = s->touched[i];
    if (!all && (s->nreq[rid] != n_small_req || (need_concept && !(s->mark[rid] & M_CONCEPT))))
      continue;
    s->c_bits[rid >> 6] |= 1ull << (rid & 63);
    n++;
  }
  *n_probed = n;
  if (!n)
    return SK_OK;
  size_t words = s->snap->n_docs_cap / 64 + 1;
  if (n > s->pr_cap) {
    size_t cap = n + n / 2;
    void *a[6] = {realloc(s->pr_c, cap * sizeof *s->pr_c), NULL, NULL, NULL, NULL, NULL};
    if (a[0])
      s->pr_c = a[0];
    if (a[0] && (a[1] = realloc(s->pr_sc, cap * sizeof *s->pr_sc)))
      s->pr_sc = a[1];
    if (a[1] && (a[2] = realloc(s->pr_tw, cap * sizeof *s->pr_tw)))
      s->pr_tw = a[2];
    if (a[2] && (a[3] = realloc(s->pr_pw, cap * sizeof *s->pr_pw)))
      s->pr_pw = a[3];
    if (a[3] && (a[4] = realloc(s->pr_hit, cap)))
      s->pr_hit = a[4];
    if (a[4] && (a[5] = realloc(s->pr_cnt, cap)))
      s->pr_cnt = a[5];
    void *l0 = a[5] ? realloc(s->pr_l0, cap * sizeof *s->pr_l0) : NULL;
    if (l0)
      s->pr_l0 = l0;
    void *l1 = l0 ? realloc(s->pr_l1, cap * sizeof *s->pr_l1) : NULL;
    if (l1)
      s->pr_l1 = l1;
    if (!l1) {
      memset(s->c_bits, 0, words * sizeof *s->c_bits);
      return SK_ENOMEM;
    }
    memset(s->pr_tw, 0, cap * sizeof *s->pr_tw);
    memset(s->pr_cnt, 0, cap);
    s->pr_cap = cap;
  }
  uint32_t *c = s->pr_c;
  float *sc = s->pr_sc;
  uint8_t *hit = s->pr_hit;
  size_t j = 0;
  for (size_t w = 0; w < words && j < n; w++) {
    uint64_t b = s->c_bits[w];
    s->c_bits[w] = 0;
    while (b) {
      uint32_t rid = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(b));
      b &= b - 1;
      c[j++] = rid;
    }
  }
  for (size_t g = 0; g < an->n_req; g++) {
    if (!big_req[g])
      continue;
    probe_group(s, &an->req[g], c, n, sc, hit);
    for (size_t k = 0; k < n; k++)
      if (hit[k]) {
        s->acc[c[k]] += sc[k];
        s->nreq[c[k]]++;
        s->mark[c[k]] |= M_TEXT;
      }
  }
  for (size_t g = 0; g < an->n_opt; g++) {
    if (!big_opt[g])
      continue;
    probe_group(s, &an->opt[g], c, n, sc, hit);
    for (size_t k = 0; k < n; k++)
      if (hit[k]) {
        s->acc[c[k]] += sc[k];
        s->mark[c[k]] |= M_CTEXT;
      }
  }
  for (size_t g = 0; g < an->n_boost; g++) {
    if (!big_boost[g])
      continue;
    probe_group(s, &an->boost[g], c, n, sc, hit);
    for (size_t k = 0; k < n; k++)
      s->acc[c[k]] += 0.5f * sc[k];
  }
  return SK_OK;
}
