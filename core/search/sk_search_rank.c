/* Ranking and facets: the candidates of a query plan (its groups' postings,
 * its concepts' offerings; capped groups probed or seeded), which of them
 * count (every required word, else any word: relaxed), the filters, the
 * score of each (bm25, concept and lexicon bonuses, locality, freshness,
 * target group, crisis lines first), the best k and the facet counts;
 * the ranking is kept in the searcher's cache (sk_search_cache.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_search_stages.h"

#define CONCEPT_BONUS 6.0f
#define CRISIS_BONUS 1.0e6f
#define SOFT_AND_TIER 1.0e3f
/* bm25 of a never word (analysis.never) from which an offering is named
 * after it: a name hit (weight 10) scores 15-20 on the demo data, a word in
 * a description 2-5 */
#define NEVER_MIN_SCORE 8.0f
#define LEX_BONUS                                                                                  \
  4.0f /* a need reached through the lexicon: below the bonus of a direct text hit */

/* ---- filters on one offering ---- */

static int range_overlap(int alo, int ahi, int blo, int bhi) {
  if (alo < 0)
    alo = 0;
  if (blo < 0)
    blo = 0;
  if (ahi < 0)
    ahi = 999;
  if (bhi < 0)
    bhi = 999;
  return alo <= bhi && blo <= ahi;
}

/* Whether a target group of tg (bits) is for this age (its bounds). */
static int tg_fits_age(const struct sk_searcher *s, unsigned tg, int age) {
  for (size_t b = 0; b < s->tg.n; b++) {
    const struct sk_term *t = s->tg.terms[b];
    if ((tg >> b & 1) && (t->min_age >= 0 || t->max_age >= 0) &&
        range_overlap(t->min_age, t->max_age, age, age))
      return 1;
  }
  return 0;
}

/* The ages an offering serves in municipality m: its own, narrowed by an
 * age rule for m ("for Eemnes: adults only"); -1 open. Returns whether it
 * has a rule for m. */
static int muni_ages(const struct sk_searcher *s, const struct sks_doc *d, int m, int *lo,
                     int *hi) {
  int ruled = 0;
  *lo = d->min_age;
  *hi = d->max_age;
  for (uint32_t k = 0; k < d->n_rules; k++) {
    const struct sks_rule *r = &s->snap->rules[d->rule_off + k];
    if (r->area != m)
      continue;
    ruled = 1;
    if (r->min_age >= 0 && r->min_age > *lo)
      *lo = r->min_age;
    if (r->max_age >= 0 && (*hi < 0 || r->max_age < *hi))
      *hi = r->max_age;
  }
  return ruled;
}

/* Is the offering for municipality m (an area bit), for this age? An
 * age rule for m narrows it there ("for Eemnes: adults only"). */
static int muni_ok(const struct sk_searcher *s, const struct sks_doc *d, int m,
                   const struct qf *f) {
  if (!(d->areas & s->muni_allowed[m]))
    return 0;
  int lo, hi;
  if (!muni_ages(s, d, m, &lo, &hi))
    return 1;
  if (lo >= 0 && hi >= 0 && lo > hi)
    return 0; /* nothing left of it there */
  if (f->age >= 0 && !range_overlap(lo, hi, f->age, f->age))
    return 0;
  if (f->tg >= 0 && !range_overlap(lo, hi, f->tg_lo, f->tg_hi))
    return 0;
  return 1;
}

int sks_open_at(const struct sk_searcher *s, const struct sks_doc *d, const struct qf *f) {
  for (uint32_t k = 0; k < d->n_hours; k++) {
    const struct sks_hours *h = &s->snap->hours[d->hours_off + k];
    if (h->weekday == f->weekday && f->minutes >= h->opens && f->minutes < h->closes &&
        (h->from < 0 || f->local_day >= h->from) && (h->to < 0 || f->local_day <= h->to))
      return 1;
  }
  for (uint32_t k = 0; k < d->n_occ; k++) {
    const struct sks_occ *o = &s->snap->occ[d->occ_off + k];
    if (o->start <= f->now && f->now < o->end)
      return 1;
  }
  return d->n_hours || d->n_occ ? 0 : -1;
}

unsigned sks_fail_mask(const struct sk_searcher *s, const struct sks_doc *d, const struct qf *f) {
  unsigned m = 0;
  if (f->has_need && !sks_need_any(&d->needs, &f->need))
    m |= F_NEED;
  if (f->tg >= 0 && !(d->tg >> f->tg & 1))
    m |= F_TG;
  if (f->muni >= 0 && !muni_ok(s, d, f->muni, f))
    m |= F_MUNI;
  if (f->access && !(d->access & f->access))
    m |= F_ACCESS;
  if (f->cost && !(d->cost & f->cost))
    m |= F_COST;
  if (f->laws && !(d->laws & f->laws))
    m |= F_OTHER; /* no law facet: it narrows every facet count */
  if (f->kind && (f->kind == SK_KIND_ACTIVITEIT) != !!(d->flags & SKS_DOC_ACTIVITY))
    m |= F_KIND;
  if (f->age >= 0 && !range_overlap(d->min_age, d->max_age, f->age, f->age))
    m |= F_OTHER;
  if (f->has_org && d->org != f->org)
    m |= F_OTHER;
  if (f->open_now && sks_open_at(s, d, f) != 1)
    m |= F_OTHER;
  if ((d->flags & SKS_DOC_PRO_ONLY) && !f->pro_ok)
    m |= F_OTHER;
  return m;
}

/* Offerings whose confirmation is missing or older than a year; an
 * activity is confirmed by its calendar, so it is never stale. */
int sks_is_stale(const struct sks_doc *d, int32_t today) {
  if (d->flags & SKS_DOC_ACTIVITY)
    return 0;
  return d->assured_day < 0 || today - d->assured_day > 365;
}

double sks_locality(const struct sk_searcher *s, const struct sks_doc *d, int m) {
  if (m < 0)
    return s->area_landelijk >= 0 && d->areas == (1u << s->area_landelijk) ? 0.9 : 1.0;
  if (d->areas >> m & 1)
    return 1.0;
  if (d->areas & s->muni_scopes[m])
    return 0.92;
  if (s->area_regio >= 0 && (d->areas >> s->area_regio & 1))
    return 0.85;
  if (s->area_landelijk >= 0 && (d->areas >> s->area_landelijk & 1))
    return 0.78;
  return 0.3; /* not for that place at all */
}

double sks_km(double la1, double lo1, double la2, double lo2) {
  const double r = 6371.0, rad = M_PI / 180.0;
  double dla = (la2 - la1) * rad, dlo = (lo2 - lo1) * rad;
  double a = sin(dla / 2) * sin(dla / 2) +
             cos(la1 * rad) * cos(la2 * rad) * sin(dlo / 2) * sin(dlo / 2);
  return 2 * r * asin(sqrt(a < 1 ? a : 1));
}

static int64_t next_start(const struct sk_searcher *s, const struct sks_doc *d, int64_t now) {
  for (uint32_t k = 0; k < d->n_occ; k++) {
    const struct sks_occ *o = &s->snap->occ[d->occ_off + k];
    if (o->end >= now)
      return o->start;
  }
  return INT64_MAX;
}

/* ---- the best k ---- */

static int cand_before(const struct cand *a, const struct cand *b) {
  if (a->key != b->key)
    return a->key < b->key;
  return a->rid < b->rid;
}

/* Keep the best k in a max-heap on "worst first". */
void sks_heap_push(struct cand *h, size_t *n, size_t k, struct cand c) {
  if (*n < k) {
    size_t i = (*n)++;
    h[i] = c;
    while (i > 0) {
      size_t p = (i - 1) / 2;
      if (!cand_before(&h[p], &h[i]))
        break;
      struct cand t = h[p];
      h[p] = h[i];
      h[i] = t;
      i = p;
    }
    return;
  }
  if (!k || !cand_before(&c, &h[0]))
    return;
  h[0] = c;
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < *n && cand_before(&h[m], &h[l]))
      m = l;
    if (r < *n && cand_before(&h[m], &h[r]))
      m = r;
    if (m == i)
      break;
    struct cand t = h[m];
    h[m] = h[i];
    h[i] = t;
    i = m;
  }
}

int sks_cand_cmp(const void *a, const void *b) {
  const struct cand *x = a, *y = b;
  return cand_before(x, y) ? -1 : cand_before(y, x) ? 1 : 0;
}

/* ---- facet counts ---- */

static void count_bits(long *cnt, unsigned x) {
  for (; x; x &= x - 1)
    cnt[__builtin_ctz(x)]++;
}

/* The municipalities (area bits) an offering counts for: by its areas,
 * and through its age rules only when it has any (few do). */
static unsigned munis_served(const struct sk_searcher *s, const struct sks_doc *d,
                             const struct qf *f) {
  unsigned m = 0;
  for (unsigned x = s->muni_bits; x; x &= x - 1) {
    int b = __builtin_ctz(x);
    if ((d->areas & s->muni_allowed[b]) && (!d->n_rules || muni_ok(s, d, b, f)))
      m |= 1u << b;
  }
  return m;
}

static void count_needs(long *cnt, const struct sks_needmask *m) {
  for (int w = 0; w < 2; w++)
    for (uint64_t x = m->w[w]; x; x &= x - 1)
      cnt[w * 64 + __builtin_ctzll(x)]++;
}

static const char *const facet_names[SK_SEARCH_N_FACETS] = {
    "need", "target_group", "municipality", "access", "cost", "kind"};

int sks_build_facets(struct sk_searcher *s, struct sk_search_result *r, const long *cnt) {
  struct sk_arena *a = sks_result_arena(r);
  const long *cnt_need = cnt, *cnt_tg = cnt_need + s->need.n, *cnt_muni = cnt_tg + s->tg.n,
             *cnt_acc = cnt_muni + s->area.n, *cnt_cost = cnt_acc + s->access.n,
             *cnt_kind = cnt_cost + s->cost.n;
  const struct sks_vocab *vs[5] = {&s->need, &s->tg, &s->area, &s->access, &s->cost};
  const long *cs[5] = {cnt_need, cnt_tg, cnt_muni, cnt_acc, cnt_cost};
  for (int f = 0; f < SK_SEARCH_N_FACETS; f++) {
    struct sk_search_facet *fc = &r->facets[f];
    fc->name = facet_names[f];
    size_t nmax = f < 5 ? vs[f]->n : 2;
    fc->values = sk_arena_alloc(a, (nmax ? nmax : 1) * sizeof *fc->values);
    if (!fc->values)
      return SK_ENOMEM;
    for (size_t i = 0; i < nmax; i++) {
      long n = f < 5 ? cs[f][i] : cnt_kind[i];
      if (n <= 0)
        continue;
      struct sk_search_facet_value *v = &fc->values[fc->n_values++];
      if (f < 5) {
        v->code = vs[f]->terms[i]->code;
        v->label = vs[f]->terms[i]->label;
      } else {
        v->code = i ? "activiteit" : "aanbod";
        v->label = i ? "Activiteit" : "Aanbod";
      }
      v->count = n;
    }
  }
  r->has_facets = 1;
  return SK_OK;
}

/* ---- candidates ---- */

/* Which groups and needs of the plan are capped: more than
 * sks_caps.big_group postings (an everyday word at 1M offerings). */
struct caps {
  uint8_t big_req[SKS_MAX_GROUPS], big_opt[SKS_MAX_GROUPS], big_boost[SKS_MAX_GROUPS];
  size_t n_big, n_big_opt, n_small_req, n_big_boost, n_big_need, n_big_lex;
  struct sks_needmask big_need, big_lex;
  int concept_q;
  int capped_exact; /* the offerings that can have every word are all walked */
};

static void plan_caps(struct sk_searcher *s, const struct analysis *an, struct caps *c) {
  const struct sks_snap *sn = s->snap;
  memset(c, 0, sizeof *c);
  for (size_t g = 0; g < an->n_req; g++) {
    c->big_req[g] = sks_group_size(s, &an->req[g]) > sks_caps.big_group;
    c->n_big += c->big_req[g];
    c->n_small_req += !c->big_req[g];
  }
  for (size_t g = 0; g < an->n_opt; g++) {
    c->big_opt[g] = sks_group_size(s, &an->opt[g]) > sks_caps.big_group;
    c->n_big_opt += c->big_opt[g];
  }
  for (size_t g = 0; g < an->n_boost; g++) {
    c->big_boost[g] = sks_group_size(s, &an->boost[g]) > sks_caps.big_group;
    c->n_big_boost += c->big_boost[g];
  }
  c->concept_q = an->n_need > 0 || an->n_opt > 0 || an->n_lex > 0;
  /* a need with that many offerings ("geld" at 1M) is capped too: its
   * offerings are not all candidates, membership is read from the
   * candidates' masks */
  for (size_t k = 0; k < an->n_need; k++) {
    int b = an->need_concepts[k];
    if (sn->need_ndocs[b] > sks_caps.big_group && !s->need.terms[b]->crisis) {
      c->big_need.w[b >> 6] |= 1ull << (b & 63);
      c->n_big_need++;
    }
  }
  for (size_t b = 0; an->n_lex && b < s->need.n; b++)
    if ((an->lex_needs.w[b >> 6] >> (b & 63) & 1) && sn->need_ndocs[b] > sks_caps.big_group) {
      c->big_lex.w[b >> 6] |= 1ull << (b & 63);
      c->n_big_lex++;
    }
  c->n_big_need += c->n_big_lex;
  /* exact: the offerings that can have every word are all walked */
  c->capped_exact = c->n_small_req > 0 || (c->concept_q && !c->n_big_opt && !c->n_big_need);
}

/* 1. candidates: required words (AND), concept offerings, optional words.
 * A capped group is not walked, but looked up for the offerings the other
 * words give (exact), or, when nothing else narrows the query, for the
 * best offerings of its impact lists (then the total and the facet counts
 * are lower bounds: *lower). */
static int gather(struct sk_searcher *s, const struct analysis *an, const struct caps *c,
                  int *lower) {
  const struct sks_snap *sn = s->snap;
  const struct sks_post *p;
  int rc = SK_OK;
  for (size_t g = 0; g < an->n_req && !rc; g++) {
    if (c->big_req[g])
      continue;
    if ((rc = sks_postings(s, &an->req[g], &p)))
      break;
    for (uint32_t i = 0; i < p->n; i++) {
      uint32_t rid = p->rid[i];
      sks_touch(s, rid);
      s->acc[rid] += p->score[i];
      s->nreq[rid]++;
      s->mark[rid] |= M_TEXT;
    }
  }
  for (size_t g = 0; g < an->n_opt && !rc; g++) {
    if (c->big_opt[g])
      continue;
    if ((rc = sks_postings(s, &an->opt[g], &p)))
      break;
    for (uint32_t i = 0; i < p->n; i++) {
      sks_touch(s, p->rid[i]);
      s->acc[p->rid[i]] += p->score[i];
      s->mark[p->rid[i]] |= M_CTEXT;
    }
  }
  /* the lexicon's words as written, and its needs' offerings */
  for (size_t g = 0; g < an->n_lexg && !rc; g++) {
    if (sks_group_size(s, &an->lexg[g]) > sks_caps.big_group)
      continue;
    if ((rc = sks_postings(s, &an->lexg[g], &p)))
      break;
    for (uint32_t i = 0; i < p->n; i++) {
      sks_touch(s, p->rid[i]);
      s->acc[p->rid[i]] += p->score[i];
      s->mark[p->rid[i]] |= M_LTEXT;
    }
  }
  for (size_t b = 0; an->n_lex && b < s->need.n; b++) {
    if (!(an->lex_needs.w[b >> 6] >> (b & 63) & 1) || (c->big_lex.w[b >> 6] >> (b & 63) & 1))
      continue;
    for (uint32_t i = 0; i < sn->need_ndocs[b]; i++) {
      sks_touch(s, sn->need_docs[b][i]);
      s->mark[sn->need_docs[b][i]] |= M_LNEED;
    }
  }
  for (size_t k = 0; k < an->n_need; k++) {
    int b = an->need_concepts[k];
    if (c->big_need.w[b >> 6] >> (b & 63) & 1)
      continue;
    for (uint32_t i = 0; i < sn->need_ndocs[b]; i++) {
      uint32_t rid = sn->need_docs[b][i];
      sks_touch(s, rid);
      s->mark[rid] |= M_CNEED;
      if (s->need.terms[b]->crisis)
        s->mark[rid] |= M_CRISIS;
    }
  }
  if (!rc && !c->capped_exact) {
    for (size_t g = 0; g < an->n_req; g++)
      if (c->big_req[g])
        sks_seed_group(s, &an->req[g]);
    for (size_t g = 0; g < an->n_opt; g++)
      if (c->big_opt[g])
        sks_seed_group(s, &an->opt[g]);
    /* a capped need's best offerings are those with its words */
    for (size_t g = 0; c->n_big_need && g < an->n_boost; g++)
      sks_seed_group(s, &an->boost[g]);
  }
  if (c->n_big_need)
    sks_mark_needs(s, &c->big_need, M_CNEED);
  if (c->n_big_lex)
    sks_mark_needs(s, &c->big_lex, M_LNEED);
  for (size_t g = 0; g < an->n_boost && !rc; g++) {
    if (c->big_boost[g])
      continue;
    if ((rc = sks_postings(s, &an->boost[g], &p)))
      break;
    for (uint32_t i = 0; i < p->n; i++)
      if (s->stamp[p->rid[i]] == s->gen)
        s->acc[p->rid[i]] += 0.5f * p->score[i];
  }
  size_t n_probed = 0;
  if (!rc && (c->n_big || c->n_big_opt || c->n_big_boost))
    rc = sks_probe_capped(s, an, c->big_req, c->big_opt, c->big_boost, c->n_small_req,
                          c->concept_q && !c->n_big_opt, 0, &n_probed);
  if (!rc && !n_probed && c->capped_exact && (c->n_big || c->n_big_opt || c->n_big_need)) {
    /* nothing can have every word, so any word will do (below): that needs
     * the common words' best offerings and every candidate's score */
    for (size_t g = 0; g < an->n_req; g++)
      if (c->big_req[g])
        sks_seed_group(s, &an->req[g]);
    for (size_t g = 0; g < an->n_opt; g++)
      if (c->big_opt[g])
        sks_seed_group(s, &an->opt[g]);
    if (c->n_big_need)
      sks_mark_needs(s, &c->big_need, M_CNEED);
    if (c->n_big_lex)
      sks_mark_needs(s, &c->big_lex, M_LNEED);
    rc = sks_probe_capped(s, an, c->big_req, c->big_opt, c->big_boost, c->n_small_req, 0, 1,
                          &n_probed);
  }
  if (rc)
    return rc;
  *lower = (c->n_big || c->n_big_opt || c->n_big_need) && !c->capped_exact;
  return SK_OK;
}

/* 2. which touched offerings count (mark bit 0x80): every required word,
 * and a concept (by classification or by its words) when there is one;
 * else any word (*relaxed).
 * A resident's sentence often carries one word more than the question
 * ("help, ik heb schulden", "... en de deurwaarder komt langs"): when a
 * concept was found and 1 to SOFT_AND_MIN - 1 offerings have every
 * word, the concept's offerings that miss one word count too (*soft).
 * They rank below those with every word (score_cands). With none, any
 * word will do, as before (a superset, ranked by score). */
#define SOFT_AND_MIN 10
enum { SEL_ALL, SEL_ALL_BUT_ONE, SEL_ANY };
static size_t mark_cands(struct sk_searcher *s, const struct analysis *an, int need_c, int sel) {
  size_t n_cand = 0;
  for (size_t i = 0; i < s->n_touched; i++) {
    uint32_t rid = s->touched[i];
    int ok = sel == SEL_ALL ? s->nreq[rid] == an->n_req && (!need_c || (s->mark[rid] & M_CONCEPT))
             : sel == SEL_ALL_BUT_ONE ? (s->mark[rid] & M_CONCEPT) && s->nreq[rid] + 1u >= an->n_req
                                      : s->nreq[rid] > 0 || (s->mark[rid] & M_CONCEPT);
    if (ok)
      n_cand++;
    s->mark[rid] = (uint8_t)((s->mark[rid] & 0x7f) | (ok ? 0x80 : 0));
  }
  return n_cand;
}

static void select_cands(struct sk_searcher *s, const struct analysis *an, int *relaxed,
                         int *soft) {
  int need_c = an->n_need > 0 || an->n_opt > 0 || an->n_lex > 0;
  *soft = 0;
  size_t n_all = mark_cands(s, an, need_c, SEL_ALL);
  if (n_all && n_all < SOFT_AND_MIN && need_c && an->n_req > 0) {
    size_t n_soft = mark_cands(s, an, need_c, SEL_ALL_BUT_ONE);
    if (n_soft > n_all) {
      *soft = 1;
      return;
    }
    n_all = mark_cands(s, an, need_c, SEL_ALL);
  }
  if (n_all || (an->n_req <= 1 && !need_c))
    return;
  *relaxed = mark_cands(s, an, need_c, SEL_ANY) > 0;
}

/* 3. filters, facets, scores and the best k of the candidates (text_mode)
 * or of every offering (a list without words). */
static int score_cands(struct sk_searcher *s, const struct sk_search_query *q, const struct qf *f,
                       const struct analysis *an, int text_mode, int soft, struct sks_ranking *rk) {
  const struct sks_snap *sn = s->snap;
  long *cnt = rk->cnt;
  size_t n_muni_f = s->area.n;
  int rc = SK_OK;
  long *cnt_need = cnt, *cnt_tg = cnt_need + s->need.n, *cnt_muni = cnt_tg + s->tg.n,
       *cnt_acc = cnt_muni + n_muni_f, *cnt_cost = cnt_acc + s->access.n,
       *cnt_kind = cnt_cost + s->cost.n;
  size_t n_iter = text_mode ? s->n_touched : sn->n_docs_cap;
  int crisis_q = an->crisis;
  /* who asks (sks_analyse): the asker's own group, unless the words named
   * it already; and the group of those around a person */
  int asker_boost = an->asker_tg >= 0;
  for (size_t k = 0; k < an->n_tg && asker_boost; k++)
    asker_boost = an->tg_concepts[k] != an->asker_tg;
  unsigned close_bit = an->close_tg >= 0 ? 1u << an->close_tg : 0u;
  /* how central an offering is to the needs of a list without words (a
   * need chosen) or reached through the lexicon: the needs' own words
   * (offerings named after them) and the share of its needs inside them */
  struct sks_needmask closure = {{0, 0}};
  int central = 0;
  if (!text_mode && f->has_need) {
    central = 1;
    sks_need_closure(s, &f->need, &closure);
    struct sks_group nw = {0};
    const struct sks_post *p;
    rc = sks_need_words(s, &f->need, &nw);
    if (!rc && nw.n && sks_group_size(s, &nw) <= sks_caps.big_group &&
        (rc = sks_postings(s, &nw, &p)) == SK_OK)
      for (uint32_t i = 0; i < p->n; i++) {
        sks_touch(s, p->rid[i]);
        s->acc[p->rid[i]] = p->score[i];
      }
    sks_group_free(&nw);
    if (rc)
      return rc;
  } else if (an->n_lex) {
    sks_need_closure(s, &an->lex_needs, &closure);
  }
  if (text_mode && crisis_q && an->never.n) {
    /* mediation under violence: an offering named after it (a name or
     * keyword hit, not a word in passing in a description) is left out */
    const struct sks_post *p;
    if ((rc = sks_postings(s, &an->never, &p)))
      return rc;
    for (uint32_t k = 0; k < p->n; k++) {
      if (s->stamp[p->rid[k]] == s->gen && p->score[k] >= NEVER_MIN_SCORE)
        s->mark[p->rid[k]] |= M_NEVER;
    }
  }
  for (size_t i = 0; i < n_iter; i++) {
    uint32_t rid = text_mode ? s->touched[i] : (uint32_t)i;
    if (text_mode && i + 16 < n_iter) {
      /* candidates are scattered over a large snapshot: fetch ahead (at
       * 1M offerings the loop otherwise waits on memory for each) */
      __builtin_prefetch(&sn->docs[s->touched[i + 16]]);
      __builtin_prefetch(&s->acc[s->touched[i + 16]]);
    }
    if (text_mode && !(s->mark[rid] & 0x80))
      continue;
    const struct sks_doc *d = &sn->docs[rid];
    if (!d->flags)
      continue;
    unsigned fm = sks_fail_mask(s, d, f);
    if (q->facets && (fm & ~(unsigned)F_OTHER) && !(fm & F_OTHER)) {
      /* one failing facet filter: it still counts for that facet */
      unsigned only = fm;
      if ((only & (only - 1)) == 0) {
        if (only == F_NEED)
          count_needs(cnt_need, &d->needs);
        else if (only == F_TG)
          count_bits(cnt_tg, d->tg);
        else if (only == F_ACCESS)
          count_bits(cnt_acc, d->access);
        else if (only == F_COST)
          count_bits(cnt_cost, d->cost);
        else if (only == F_KIND)
          cnt_kind[(d->flags & SKS_DOC_ACTIVITY) ? 1 : 0]++;
        else if (only == F_MUNI)
          count_bits(cnt_muni, munis_served(s, d, f));
      }
      continue;
    }
    if (fm || (text_mode && (s->mark[rid] & M_NEVER)))
      continue;
    /* under a crisis the words are the crisis, not their everyday sense:
     * an offering outside the crisis's family of needs that only the words
     * reached ("Vrijwilligers in de laatste levensfase" for "ik wil niet
     * meer leven", mediation for "mijn ex stalkt mij") is left out; one a
     * concept of the other words reached ("... en ik heb schulden") stays */
    if (crisis_q && text_mode && an->n_crisis_words &&
        !(s->mark[rid] & (M_CRISIS | M_CNEED | M_LNEED | M_LTEXT)) &&
        !(d->needs.w[0] & an->crisis_family.w[0]) && !(d->needs.w[1] & an->crisis_family.w[1]))
      continue;
    /* an offering that a municipality's age rule keeps from the ages the
     * words name ("Team jeugd en gezin": in Eemnes 18+, for "mijn zoon
     * van 8 ... in eemnes") does not serve this person there */
    int age_fits = 1;
    if (an->n_ages) {
      int lo = d->min_age, hi = d->max_age, fits_there = 0;
      if (f->muni >= 0)
        muni_ages(s, d, f->muni, &lo, &hi);
      age_fits = 0;
      for (size_t k = 0; k < an->n_ages; k++) {
        age_fits |= range_overlap(d->min_age, d->max_age, an->ages[k], an->ages[k]);
        fits_there |= range_overlap(lo, hi, an->ages[k], an->ages[k]);
      }
      if (age_fits && !fits_there)
        continue;
    }
    rk->total++;
    if (q->facets) {
      count_needs(cnt_need, &d->needs);
      count_bits(cnt_tg, d->tg);
      count_bits(cnt_acc, d->access);
      count_bits(cnt_cost, d->cost);
      cnt_kind[(d->flags & SKS_DOC_ACTIVITY) ? 1 : 0]++;
      count_bits(cnt_muni, munis_served(s, d, f) | (f->muni >= 0 ? 1u << f->muni : 0u));
    }
    double score = text_mode ? s->acc[rid] + ((s->mark[rid] & M_CNEED) ? CONCEPT_BONUS : 0) : 1.0;
    if (text_mode && (s->mark[rid] & (M_LNEED | M_LTEXT)) && !(s->mark[rid] & M_CNEED))
      score += (s->mark[rid] & M_LTEXT)
                   ? LEX_BONUS
                   : LEX_BONUS * (0.25 + 0.75 * sks_need_focus(d, &closure) *
                                             (0.5 + 0.5 * sks_need_coverage(d, &an->lex_needs)));
    else if (central)
      score = (1.0 + 0.5 * (s->stamp[rid] == s->gen ? s->acc[rid] : 0)) *
              (0.5 + 0.5 * sks_need_focus(d, &closure));
    if (soft && s->nreq[rid] == an->n_req)
      score += SOFT_AND_TIER; /* every word first */
    score *= sks_locality(s, d, f->pref);
    /* unconfirmed for a year (or never: activities too) ranks lower; only
     * offerings get the stale flag (is_stale) */
    if (d->assured_day < 0 || f->today - d->assured_day > 365)
      score *= 0.85;
    for (size_t k = 0; k < an->n_tg; k++)
      if (d->tg >> an->tg_concepts[k] & 1)
        score *= 1.2;
    /* "mijn man slaat mij": the one who asks is an adult, an offering for
     * children only is for someone else (unless the words name an age) */
    if (an->asker_adult && !an->n_ages && d->max_age >= 0 && d->max_age <= 18)
      score *= 0.6f;
    if (!age_fits)
      score *= 0.6f; /* "mijn dochter van 15": for other ages, for someone else */
    /* "ik ben 13 en mijn ouders ...": a child asks; what is only for
     * parents (no target group of the child's age) is for someone else */
    if (an->self_age >= 0 && an->self_age < 18 && an->parent_tg >= 0 &&
        (d->tg >> an->parent_tg & 1) && !tg_fits_age(s, d->tg, an->self_age))
      score *= 0.6f;
    if (asker_boost && (d->tg >> an->asker_tg & 1))
      score *= 1.2; /* "mijn moeder ...": for mantelzorgers; "mijn dochter ...": for parents */
    if (crisis_q && text_mode && (s->mark[rid] & M_CRISIS))
      score += (d->flags & SKS_DOC_HAS_PHONE) ? CRISIS_BONUS
                                              : CRISIS_BONUS / 2; /* callable first */
    for (size_t k = 0; crisis_q && text_mode && k < an->n_line_rids; k++)
      if (an->line_rids[k] == rid) /* the block's own line first, in its order */
        score += CRISIS_BONUS * (float)(2 + an->n_line_rids - k);
    /* ... unless someone close asks ("mijn dochter doet aan
     * zelfbeschadiging"): then what is for those around the person first
     * (the block above still has the line) */
    if (crisis_q && text_mode && (s->mark[rid] & M_CRISIS) && (d->tg & close_bit) &&
        (an->asker == SKS_ASKER_CLOSE || an->asker == SKS_ASKER_PARENT))
      score += CRISIS_BONUS * (float)(3 + an->n_line_rids);
    /* what is for those around a person (113 for naasten) comes after the
     * person's own help when the person asks ("ik ...": if it is all the
     * offering is for) or, under a crisis, when nobody else is named */
    if (close_bit && (d->tg & close_bit) &&
        ((crisis_q && an->asker != SKS_ASKER_CLOSE && an->asker != SKS_ASKER_PARENT) ||
         (an->asker == SKS_ASKER_SELF && d->tg == close_bit)))
      score *= 0.8f;

    struct cand c = {rid, (float)score, 0};
    switch (q->sort) {
    case SK_SORT_NAME: c.key = d->name_rank; break;
    case SK_SORT_DISTANCE:
      c.key = (d->flags & SKS_DOC_HAS_POINT) ? sks_km(f->olat, f->olon, d->lat, d->lon) : 1e9;
      break;
    case SK_SORT_SOONEST: {
      int64_t ns = next_start(s, d, f->now);
      c.key = ns == INT64_MAX ? 1e15 - score : (double)ns;
      break;
    }
    default: c.key = -score * 1e7 + d->name_rank * 1e-3;
    }
    sks_heap_push(rk->top, &rk->n_top, rk->k_top, c);
  }
  qsort(rk->top, rk->n_top, sizeof *rk->top, sks_cand_cmp);
  return SK_OK;
}

static int rank_fresh(struct sk_searcher *s, const struct sk_search_query *q, const struct qf *f,
                      const struct analysis *an, struct sks_ranking *rk) {
  rk->top = malloc((rk->k_top ? rk->k_top : 1) * sizeof *rk->top);
  rk->cnt = calloc(rk->n_cnt, sizeof *rk->cnt);
  if (!rk->top || !rk->cnt)
    return SK_ENOMEM;
  /* a new generation of the scratch by rid: nothing touched yet */
  if (++s->gen == 0) {
    memset(s->stamp, 0, s->scratch_cap * sizeof *s->stamp);
    s->gen = 1;
  }
  s->n_touched = 0;
  int text_mode = an->n_req > 0 || an->n_need > 0 || an->n_opt > 0 || an->n_lex > 0;
  int soft = 0;
  if (text_mode) {
    struct caps c;
    plan_caps(s, an, &c);
    int rc = gather(s, an, &c, &rk->lower);
    if (rc)
      return rc;
    select_cands(s, an, &rk->relaxed, &soft);
    if ((rk->relaxed || soft) && (c.n_big || c.n_big_opt || c.n_big_need))
      rk->lower = 1; /* not every word: a capped word's offerings were not all walked */
  }
  return score_cands(s, q, f, an, text_mode, soft, rk);
}

void sks_ranking_free(struct sks_ranking *rk) {
  free(rk->top);
  free(rk->cnt);
  rk->top = NULL;
  rk->cnt = NULL;
}

int sks_rank(struct sk_searcher *s, const struct sk_search_query *q, const struct qf *f,
             const struct analysis *an, struct sks_ranking *rk) {
  int page = q->page ? q->page : 1, per = q->per_page ? q->per_page : SK_SEARCH_PER_PAGE_DEFAULT;
  memset(rk, 0, sizeof *rk);
  rk->k_top = (size_t)page * (size_t)per;
  rk->n_cnt = s->need.n + s->tg.n + s->area.n + s->access.n + s->cost.n + 2;
  struct sk_buf key;
  sk_buf_init(&key, 64 * 1024);
  uint64_t kh = 0;
  const struct sks_rentry *hit = NULL;
  if (sks_rcache_key(q, f, rk->k_top, &key) == SK_OK) {
    kh = sks_hash(sk_buf_str(&key));
    hit = sks_rcache_find(s, sk_buf_str(&key), kh);
  }
  int rc = hit ? sks_rcache_get(hit, rk) : SK_ENOTFOUND;
  if (rc == SK_ENOTFOUND) {
    rc = rank_fresh(s, q, f, an, rk);
    if (!rc && kh)
      sks_rcache_put(s, sk_buf_str(&key), kh, rk);
  }
  sk_buf_free(&key);
  return rc;
}
