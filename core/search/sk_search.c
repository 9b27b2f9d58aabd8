/* sk_search(): the driver of one query, stage by stage
 * (sk_search_stages.h): understand it (resolve the filters, check for a
 * crisis, analyse the words into the query plan), rank, render the page,
 * and never a dead end (the fallback to the closest needs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_search_stages.h"

/* Nothing matched the words (not even any one of them): run the query
 * again without them, for the needs of its need filter ("chosen"), else
 * for the needs closest to its words by the lexicon and the taxonomy
 * ("closest"), else for the lexicon's [fallback] needs ("general"); every
 * other filter (the place too) stays. *out gets that result with the
 * first one's concepts, correction and place, and a sentence saying so.
 * SK_ENOTFOUND when even that finds nothing. */
static int fallback(struct sk_searcher *s, const struct sk_search_query *q, const struct qf *f,
                    const struct analysis *an, const struct sk_crisis_match *cm,
                    const struct sk_search_result *first, struct sk_search_result **out) {
  *out = NULL;
  float sim[SKS_MAX_NEEDS] = {0};
  size_t n_words = 0;
  for (size_t i = 0; i < an->n && n_words < 8; i++) {
    const struct qword *w = &an->w[i];
    /* a relative says who asks, an age for whom: neither is what about */
    if (w->role == W_PLACE || w->role == W_WHO || w->role == W_AGE || sks_is_stopword(w->f))
      continue;
    n_words++;
    sks_lex_similar(s, w->f, w->flen, w->stem, sim);
  }
  for (size_t b = 0; b < s->need.n; b++) /* needs the words stand for, filtered away */
    if ((an->lex_needs.w[b >> 6] >> (b & 63) & 1))
      sim[b] = 1;
  for (size_t k = 0; k < an->n_need; k++)
    sim[an->need_concepts[k]] = 1;
  int bits[SKS_FALLBACK_MAX];
  const char *reasons[3] = {"chosen", "closest", "general"};
  int rc = SK_ENOTFOUND;
  for (int step = q->n_needs ? 0 : 1; step < 3; step++) {
    struct sk_search_query q2 = *q;
    q2.q = NULL;
    q2.place_as_preference = 1;
    q2.municipality = f->muni >= 0 ? s->area.terms[f->muni]->code : NULL;
    if (step == 1) {
      size_t n = sks_fallback_pick(s, sim, bits, SKS_FALLBACK_MAX);
      if (!n)
        continue;
      q2.n_needs = n;
      for (size_t k = 0; k < n; k++)
        q2.needs[k] = s->need.terms[bits[k]]->code;
    } else if (step == 2) {
      q2.n_needs = 0;
      for (size_t b = 0; b < s->need.n && q2.n_needs < SK_SEARCH_MAX_VALUES; b++)
        if (s->lex->fallback.w[b >> 6] >> (b & 63) & 1)
          q2.needs[q2.n_needs++] = s->need.terms[b]->code;
      if (!q2.n_needs)
        break;
    }
    struct sk_search_error e2;
    struct sk_search_result *fb = NULL;
    s->in_fallback = 1;
    rc = sk_search(s, &q2, &fb, &e2);
    s->in_fallback = 0;
    if (rc)
      return rc == SK_EINVAL ? SK_ENOTFOUND : rc;
    if (!fb->total) {
      sk_search_result_free(fb);
      rc = SK_ENOTFOUND;
      continue;
    }
    /* what the first query understood, and why these are shown */
    struct sk_arena *a = sks_result_arena(fb);
    fb->fallback_reason = reasons[step];
    fb->fallback_needs = sk_arena_alloc(a,
                                        (q2.n_needs ? q2.n_needs : 1) * sizeof *fb->fallback_needs);
    fb->suggested_needs = fb->fallback_needs;
    const char *labels[SK_SEARCH_MAX_VALUES];
    size_t nl = 0;
    for (size_t k = 0; fb->fallback_needs && k < q2.n_needs; k++) {
      const struct sk_term *t = sk_taxonomy_find(s->tax, SK_VOCAB_NEED, q2.needs[k]);
      if (!t)
        continue;
      fb->fallback_needs[fb->n_fallback_needs].code = t->code;
      fb->fallback_needs[fb->n_fallback_needs++].label = t->label;
      labels[nl++] = t->label;
    }
    fb->n_suggested_needs = fb->n_fallback_needs;
    struct sk_buf m;
    sk_buf_init(&m, 4096);
    rc = sks_fallback_message(reasons[step], q->q, labels, nl, &m);
    fb->fallback_message = rc ? NULL : sk_arena_strdup(a, sk_buf_str(&m));
    sk_buf_free(&m);
    if (!rc && (!fb->fallback_needs || !fb->fallback_message || sks_add_concepts(s, an, fb)))
      rc = SK_ENOMEM;
    if (rc) {
      sk_search_result_free(fb);
      return rc;
    }
    fb->relaxed = first->relaxed;
    fb->place = first->place;
    fb->place_label = first->place_label;
    fb->place_from_query = first->place_from_query;
    /* a crisis query keeps its crisis block on top of the fallback list */
    if (an->crisis) {
      struct render_ctx rctx = {s, q, f, an, a};
      rc = sks_crisis_lines(&rctx, cm, fb);
      if (rc) {
        sk_search_result_free(fb);
        return rc;
      }
    }
    *out = fb;
    return SK_OK;
  }
  return rc;
}

static const char *const sort_names[] = {"relevance", "name", "distance", "soonest"};

/* The query understood: its filters (f), its crisis kinds (cm, on the
 * text as typed), its plan (an) and the place named in it. an is freed by
 * the caller whatever this returns. */
static int understand(struct sk_searcher *s, const struct sk_search_query *q, struct qf *f,
                      struct sk_crisis_match *cm, struct analysis *an, int *place_from_query,
                      struct sk_search_error *e) {
  an->n_req = an->n_opt = an->n_boost = an->n_lexg = 0;
  memset(&an->never, 0, sizeof an->never); /* sks_analysis_free frees it whatever happens */
  int rc = sks_resolve(s, q, f, e);
  if (rc)
    return rc;
  if ((rc = sks_ensure_touched(s))) {
    snprintf(e->message, sizeof e->message, "Te weinig geheugen.");
    return rc;
  }
  /* crisis first, on the query as typed (before any spelling correction,
   * which could read "slaat" as "staat") and on the needs chosen */
  if (s->crisis)
    sks_crisis_check(s, q, cm);
  /* under a crisis whose needs the taxonomy has, the words that made it
   * a crisis are the crisis ("leven", "slaat", "mijn ex"), not subjects:
   * the list is the crisis needs' offerings and what the other words ask */
  const struct sk_crisis_match *crisis_words = NULL;
  for (size_t b = 0; s->crisis && cm->kinds && b < s->need.n && !crisis_words; b++)
    if (s->need.terms[b]->crisis &&
        (sk_crisis_need_kinds(s->crisis, s->need.terms[b]->code) & cm->kinds))
      crisis_words = cm;
  if ((rc = sks_analyse(s, q->q, crisis_words, an))) {
    snprintf(e->message, sizeof e->message, "De zoekvraag kan niet worden verwerkt.");
    return rc;
  }
  if (s->crisis)
    an->crisis = cm->kinds != 0; /* sk_crisis decides, not the taxonomy's synonyms */
  if (s->crisis && cm->kinds) {
    sks_add_crisis_needs(s, cm, an);
    if ((rc = sks_never_group(s, cm, an)) ||
        (rc = sks_crisis_line_rids(s, cm, q->professional, an))) {
      snprintf(e->message, sizeof e->message, "De zoekvraag kan niet worden verwerkt.");
      return rc;
    }
  }
  /* a municipality named in the query filters like the parameter (and
   * wins over it: it is what the resident just said) */
  *place_from_query = 0;
  if (an->place >= 0 && !q->place_as_preference) {
    *place_from_query = f->muni != an->place;
    f->muni = an->place;
  }
  f->pref = f->muni >= 0 ? f->muni : an->place;
  f->pro_ok = q->professional || (f->tg >= 0 && (s->tg_pro >> f->tg & 1)) || sks_pro_words(an);
  return SK_OK;
}

/* The page of r from the ranking: items, concepts, the crisis block,
 * facets and the place the results are for. */
static int render(struct render_ctx *c, const struct sk_crisis_match *cm,
                  const struct sks_ranking *rk, int place_from_query, struct sk_search_result *r) {
  struct sk_searcher *s = c->s;
  r->relaxed = rk->relaxed;
  r->total = rk->total;
  r->total_is_lower_bound = rk->lower;
  int rc = sks_render_page(c, rk, r->page, r->per_page, r);
  if (!rc)
    rc = sks_add_concepts(s, c->an, r);
  if (!rc && c->an->crisis)
    rc = sks_crisis_lines(c, cm, r);
  if (!rc && c->q->facets)
    rc = sks_build_facets(s, r, rk->cnt);
  if (!rc && c->f->muni >= 0) {
    r->place = s->area.terms[c->f->muni]->code;
    r->place_label = s->area.terms[c->f->muni]->label;
    r->place_from_query = place_from_query;
  }
  return rc;
}

/* Never a dead end: nothing found for words is the offerings of the
 * closest needs instead (*r replaced), else needs to suggest. */
static int no_dead_end(struct sk_searcher *s, const struct sk_search_query *q, const struct qf *f,
                       const struct analysis *an, const struct sk_crisis_match *cm,
                       struct sk_search_result **r) {
  /* under a crisis the block is the answer: no list of the needs the
   * words are closest to ("mijn vader ademt niet meer" is no question
   * about raising children) */
  if (!(*r)->total && an->n && !s->in_fallback && !cm->kinds) {
    struct sk_search_result *fb = NULL;
    int rc = fallback(s, q, f, an, cm, *r, &fb);
    if (rc == SK_OK) {
      sk_search_result_free(*r);
      *r = fb;
    } else if (rc != SK_ENOTFOUND) {
      return rc;
    }
  }
  if (!(*r)->total && an->n && !(*r)->n_suggested_needs && !cm->kinds)
    sks_suggest_needs(s, an, *r);
  return SK_OK;
}

int sk_search(struct sk_searcher *s, const struct sk_search_query *q, struct sk_search_result **out,
              struct sk_search_error *e) {
  struct sk_search_error dummy;
  if (!e)
    e = &dummy;
  memset(e, 0, sizeof *e);
  *out = NULL;
  if (!s || !q)
    return sks_qerr(e, "q", "Geen zoekvraag.%s", "");
  int rc = sks_refresh(s);
  if (rc) {
    snprintf(e->message, sizeof e->message, "De zoekindex kan nu niet worden gelezen.");
    return rc;
  }
  struct qf f;
  struct sk_crisis_match cm;
  memset(&cm, 0, sizeof cm);
  struct analysis an;
  int place_from_query;
  struct sk_search_result *r = NULL;
  if ((rc = understand(s, q, &f, &cm, &an, &place_from_query, e)) || !(r = sks_result_new())) {
    sks_analysis_free(&an);
    return rc ? rc : SK_ENOMEM;
  }
  r->page = q->page ? q->page : 1;
  r->per_page = q->per_page ? q->per_page : SK_SEARCH_PER_PAGE_DEFAULT;
  r->sort = sort_names[q->sort];
  struct sks_ranking rk;
  rc = sks_rank(s, q, &f, &an, &rk);
  if (!rc) {
    /* one read transaction for the page's ~100 small reads (each read
     * outside one takes and drops the WAL read lock), and one state of
     * the store for the whole page (the fallback's too) */
    int own_txn = sqlite3_get_autocommit(s->st->db) && sk_store_exec(s->st, "BEGIN") == SK_OK;
    struct render_ctx rctx = {s, q, &f, &an, sks_result_arena(r)};
    rc = render(&rctx, &cm, &rk, place_from_query, r);
    if (!rc)
      rc = no_dead_end(s, q, &f, &an, &cm, &r);
    if (own_txn && sk_store_exec(s->st, "COMMIT") != SK_OK) {
      /* a read transaction: nothing to lose, and the answer is complete */
    }
  }
  sks_ranking_free(&rk);
  sks_analysis_free(&an);
  if (rc) {
    sk_search_result_free(r);
    snprintf(e->message, sizeof e->message, "Zoeken lukt nu niet (%s).", sk_strerror(rc));
    e->param[0] = '\0';
    return rc == SK_EINVAL ? SK_EDB : rc;
  }
  *out = r;
  return SK_OK;
}
