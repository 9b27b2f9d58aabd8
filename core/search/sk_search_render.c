/* Rendering: a page of items (each read from the store, with its
 * classification, areas, phones and next occurrence), the query's words
 * marked in names and snippets, why it matched, the concepts understood,
 * and the needs to suggest when nothing is found. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_fold.h"
#include "sk_search_stages.h"

struct hl_ctx {
  struct sk_searcher *s;
  const struct analysis *a;
  struct {
    size_t start, end;
    int hit;
  } w[256];
  size_t n;
  struct sk_buf b;
};

static int hl_word(void *ctx, const char *word, size_t len, size_t start, size_t end) {
  struct hl_ctx *c = ctx;
  if (c->n >= 256)
    return 1;
  int hit = 0;
  sk_buf_reset(&c->b);
  int stemmed = 0;
  for (size_t i = 0; i < c->a->n_hlt && !hit; i++) {
    const char *t = c->a->hlt[i].t;
    if (c->a->hlt[i].prefix) {
      hit = strncmp(word, t, strlen(t)) == 0;
    } else {
      /* a stem is (nearly) a prefix of its word: skip stemming when the
       * first letters already differ */
      size_t tl = strlen(t), k = tl < 3 ? tl : 3;
      if (len < k || memcmp(word, t, k) != 0)
        continue;
      if (!stemmed) {
        stemmed = 1;
        if (sk_stemmer_stem(c->s->stem, word, len, &c->b))
          return 1;
      }
      hit = strcmp(sk_buf_str(&c->b), t) == 0;
    }
  }
  c->w[c->n].start = start;
  c->w[c->n].end = end;
  c->w[c->n].hit = hit;
  c->n++;
  return 0;
}

/* Segments of text[0..n) with matches marked; window > 0 keeps about
 * that many words around the first match, with "…" where it is cut. */
static int mark_text(struct sk_searcher *s, const struct analysis *an, struct sk_arena *ar,
                     const char *text, size_t n, size_t window, struct sk_search_segment **out,
                     size_t *nseg, int *any_hit) {
  *out = NULL;
  *nseg = 0;
  if (!text || !n)
    return SK_OK;
  struct hl_ctx *c = malloc(sizeof *c);
  if (!c)
    return SK_ENOMEM;
  c->s = s;
  c->a = an;
  c->n = 0;
  sk_buf_init(&c->b, 4 * SK_TOKEN_MAX);
  sk_words(text, n, hl_word, c);
  sk_buf_free(&c->b);
  size_t from = 0, to = n, w0 = 0, w1 = c->n;
  if (window && c->n > window) {
    size_t first = 0;
    while (first < c->n && !c->w[first].hit)
      first++;
    if (first == c->n)
      first = 0;
    w0 = first > 4 ? first - 4 : 0;
    w1 = w0 + window < c->n ? w0 + window : c->n;
    from = w0 ? c->w[w0].start : 0;
    to = w1 < c->n ? c->w[w1 - 1].end : n;
  }
  struct sk_search_segment *seg = sk_arena_alloc(ar, (2 * (w1 - w0) + 3) * sizeof *seg);
  if (!seg) {
    free(c);
    return SK_ENOMEM;
  }
  size_t k = 0, pos = from;
  if (from > 0)
    seg[k++] = (struct sk_search_segment){"…", 0};
  for (size_t i = w0; i < w1; i++) {
    if (!c->w[i].hit)
      continue;
    if (c->w[i].start > pos)
      seg[k++] = (struct sk_search_segment){sk_arena_strndup(ar, text + pos, c->w[i].start - pos),
                                            0};
    seg[k++] = (struct sk_search_segment){
        sk_arena_strndup(ar, text + c->w[i].start, c->w[i].end - c->w[i].start), 1};
    *any_hit = 1;
    pos = c->w[i].end;
  }
  if (to > pos)
    seg[k++] = (struct sk_search_segment){sk_arena_strndup(ar, text + pos, to - pos), 0};
  if (to < n)
    seg[k++] = (struct sk_search_segment){"…", 0};
  free(c);
  for (size_t i = 0; i < k; i++)
    if (!seg[i].text)
      return SK_ENOMEM;
  *out = seg;
  *nseg = k;
  return SK_OK;
}

static const char *col(sqlite3_stmt *q, int i, struct sk_arena *a) {
  const char *t = (const char *)sqlite3_column_text(q, i);
  return t ? sk_arena_strdup(a, t) : NULL;
}

static struct sk_search_code *push_code(struct sk_arena *a, struct sk_search_code **arr, size_t *n,
                                        size_t *cap, const char *code, const char *label) {
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 4;
    struct sk_search_code *na = sk_arena_alloc(a, nc * sizeof *na);
    if (!na)
      return NULL;
    if (*n)
      memcpy(na, *arr, *n * sizeof *na);
    *arr = na;
    *cap = nc;
  }
  struct sk_search_code *c = &(*arr)[(*n)++];
  c->code = sk_arena_strdup(a, code);
  c->label = sk_arena_strdup(a, label ? label : code);
  return c->code && c->label ? c : NULL;
}

static const char *term_label(const struct sk_taxonomy *tax, enum sk_vocab v, const char *code) {
  const struct sk_term *t = sk_taxonomy_find(tax, v, code);
  return t ? t->label : code;
}

int sks_render_item(struct render_ctx *c, uint32_t rid, float score, struct sk_search_item *it) {
  struct sk_searcher *s = c->s;
  struct sk_arena *a = c->a;
  const struct sks_doc *d = &s->snap->docs[rid];
  sqlite3_stmt *q = s->stmt[ST_ITEM];
  sqlite3_reset(q);
  sqlite3_bind_int64(q, 1, rid);
  if (sqlite3_step(q) != SQLITE_ROW) {
    sqlite3_reset(q);
    return SK_ENOTFOUND; /* gone since the snapshot: skip */
  }
  snprintf(it->id, sizeof it->id, "%s", (const char *)sqlite3_column_text(q, 0));
  it->kind = (d->flags & SKS_DOC_ACTIVITY) ? "activiteit" : "aanbod";
  it->name = col(q, 2, a);
  it->summary = col(q, 3, a);
  it->url = col(q, 4, a);
  it->min_age = sqlite3_column_type(q, 5) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 5);
  it->max_age = sqlite3_column_type(q, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 6);
  it->assured_date = col(q, 7, a);
  if (c->q->professional)
    it->referral_contact = col(q, 8, a);
  const char *oid = (const char *)sqlite3_column_text(q, 9);
  snprintf(it->organization_id, sizeof it->organization_id, "%s", oid ? oid : "");
  it->organization = col(q, 10, a);
  const char *desc = col(q, 11, a);
  const char *plain_snip = it->summary ? it->summary : desc;
  char *snip_copy = NULL;
  if (plain_snip) {
    size_t L = strlen(plain_snip);
    if (L > 240) {
      L = 240;
      while (L > 0 && ((unsigned char)plain_snip[L] & 0xC0) == 0x80)
        L--;
    }
    snip_copy = sk_arena_strndup(a, plain_snip, L);
  }
  sqlite3_reset(q);
  if (!it->name)
    return SK_ENOMEM;
  it->score = score;
  it->crisis_line = (d->flags & SKS_DOC_CRISIS) != 0;
  it->stale = sks_is_stale(d, c->f->today);
  it->open_now = sks_open_at(s, d, c->f);
  it->distance_km = -1;
  if (c->f->has_origin && (d->flags & SKS_DOC_HAS_POINT))
    it->distance_km = round(sks_km(c->f->olat, c->f->olon, d->lat, d->lon) * 10) / 10;
  /* classification */
  size_t cn = 0, ct = 0, ca = 0, cc = 0, car = 0, cl = 0;
  q = s->stmt[ST_TAX];
  sqlite3_reset(q);
  sqlite3_bind_int64(q, 1, rid);
  while (sqlite3_step(q) == SQLITE_ROW) {
    const char *voc = (const char *)sqlite3_column_text(q, 0),
               *code = (const char *)sqlite3_column_text(q, 1);
    if (!voc || !code)
      continue;
    if (!strcmp(voc, "need"))
      push_code(a, &it->needs, &it->n_needs, &cn, code, term_label(s->tax, SK_VOCAB_NEED, code));
    else if (!strcmp(voc, "target_group"))
      push_code(a, &it->target_groups, &it->n_target_groups, &ct, code,
                term_label(s->tax, SK_VOCAB_TARGET_GROUP, code));
    else if (!strcmp(voc, "access"))
      push_code(a, &it->access, &it->n_access, &ca, code,
                term_label(s->tax, SK_VOCAB_ACCESS, code));
    else if (!strcmp(voc, "cost"))
      push_code(a, &it->cost, &it->n_cost, &cc, code, term_label(s->tax, SK_VOCAB_COST, code));
    else if (!strcmp(voc, "law"))
      push_code(a, &it->laws, &it->n_laws, &cl, code, term_label(s->tax, SK_VOCAB_LAW, code));
  }
  sqlite3_reset(q);
  q = s->stmt[ST_AREA];
  sqlite3_reset(q);
  sqlite3_bind_int64(q, 1, rid);
  int m = c->f->muni >= 0 ? c->f->muni : c->f->pref;
  int best_rank = 99;
  while (sqlite3_step(q) == SQLITE_ROW) {
    const char *code = (const char *)sqlite3_column_text(q, 0);
    if (!code)
      continue;
    const struct sk_term *t = sk_taxonomy_find(s->tax, SK_VOCAB_MUNICIPALITY, code);
    if (!t)
      t = sk_taxonomy_find(s->tax, SK_VOCAB_SCOPE, code);
    push_code(a, &it->areas, &it->n_areas, &car, code, t ? t->label : code);
    int b = sks_vbit(&s->area, code);
    if (m >= 0 && b >= 0) {
      int rank = b == m                         ? 0
                 : (s->muni_scopes[m] >> b & 1) ? 1
                 : b == s->area_regio           ? 2
                 : b == s->area_landelijk       ? 3
                                                : 99;
      if (rank < best_rank) {
        best_rank = rank;
        it->area_match = it->areas[it->n_areas - 1].code;
      }
      if (b == m && sqlite3_column_type(q, 1) != SQLITE_NULL)
        it->area_note = col(q, 1, a);
    }
  }
  sqlite3_reset(q);
  /* phones */
  q = s->stmt[ST_PHONE];
  sqlite3_reset(q);
  sqlite3_bind_int64(q, 1, rid);
  it->phones = sk_arena_alloc(a, 8 * sizeof *it->phones);
  while (it->phones && sqlite3_step(q) == SQLITE_ROW && it->n_phones < 8) {
    int restricted = sqlite3_column_int(q, 2);
    if (restricted && !c->q->professional)
      continue;
    struct sk_search_phone *p = &it->phones[it->n_phones++];
    p->number = col(q, 0, a);
    p->description = col(q, 1, a);
    p->restricted = restricted;
  }
  sqlite3_reset(q);
  if (d->flags & SKS_DOC_ACTIVITY) {
    q = s->stmt[ST_NEXT];
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, rid);
    sqlite3_bind_int64(q, 2, c->f->now);
    if (sqlite3_step(q) == SQLITE_ROW) {
      it->next_start = col(q, 0, a);
      it->next_start_utc = sqlite3_column_int64(q, 1);
    }
    sqlite3_reset(q);
  }
  /* highlights */
  int name_hit = 0, snip_hit = 0;
  const struct analysis *an = c->an;
  if (an && an->n_hlt) {
    if (mark_text(s, an, a, it->name, strlen(it->name), 0, &it->name_segments, &it->n_name_segments,
                  &name_hit))
      return SK_ENOMEM;
    const char *text = desc && *desc ? desc : it->summary;
    if (it->summary && desc && *desc) {
      /* the summary first, then the description */
      size_t ls = strlen(it->summary), ld = strlen(desc);
      char *both = sk_arena_alloc(a, ls + ld + 2);
      if (!both)
        return SK_ENOMEM;
      memcpy(both, it->summary, ls);
      both[ls] = ' ';
      memcpy(both + ls + 1, desc, ld);
      text = both;
    }
    if (text &&
        mark_text(s, an, a, text, strlen(text), 24, &it->snippet, &it->n_snippet, &snip_hit))
      return SK_ENOMEM;
  }
  if (!it->n_name_segments) {
    it->name_segments = sk_arena_alloc(a, sizeof *it->name_segments);
    if (!it->name_segments)
      return SK_ENOMEM;
    it->name_segments[0].text = it->name;
    it->n_name_segments = 1;
  }
  if (!it->n_snippet && snip_copy) {
    it->snippet = sk_arena_alloc(a, sizeof *it->snippet);
    if (!it->snippet)
      return SK_ENOMEM;
    it->snippet[0].text = snip_copy;
    it->n_snippet = 1;
  }
  /* why it matched, in words */
  char why[512] = "";
  size_t wl = 0;
#define WHY(...)                                                                                   \
  (wl += (size_t)snprintf(why + wl, wl < sizeof why ? sizeof why - wl : 0, __VA_ARGS__))
  if (name_hit)
    WHY("naam");
  if (c->an)
    for (size_t k = 0; k < c->an->n_need; k++) {
      int b = c->an->need_concepts[k];
      if (b < 64 ? (d->needs.w[0] >> b & 1) : (d->needs.w[1] >> (b - 64) & 1))
        WHY("%shulpvraag %s", wl ? ", " : "", s->need.terms[b]->label);
    }
  /* a resident's word from the lexicon stands for these needs */
  for (size_t b = 0; c->an && c->an->n_lex && b < s->need.n && wl < sizeof why; b++)
    if ((c->an->lex_needs.w[b >> 6] >> (b & 63) & 1) && (d->needs.w[b >> 6] >> (b & 63) & 1))
      WHY("%shulpvraag %s", wl ? ", " : "", s->need.terms[b]->label);
  if (snip_hit)
    WHY("%somschrijving", wl ? ", " : "");
  if (!wl && c->an && c->an->n_hl)
    WHY("trefwoorden of organisatie");
  if (m >= 0 && it->area_match && wl < sizeof why)
    WHY("%svoor %s", wl ? "; " : "",
        term_label(s->tax, SK_VOCAB_MUNICIPALITY, s->area.terms[m]->code));
#undef WHY
  if (wl)
    it->why = sk_arena_strdup(a, why);
  return SK_OK;
}

int sks_render_page(struct render_ctx *c, const struct sks_ranking *rk, int page, int per,
                    struct sk_search_result *r) {
  size_t from = (size_t)(page - 1) * (size_t)per;
  if (from >= rk->n_top)
    return SK_OK;
  r->items = sk_arena_alloc(c->a, (rk->n_top - from) * sizeof *r->items);
  if (!r->items)
    return SK_ENOMEM;
  for (size_t i = from; i < rk->n_top; i++) {
    int er = sks_render_item(c, rk->top[i].rid, rk->top[i].score, &r->items[r->n_items]);
    if (er == SK_OK)
      r->n_items++;
    else if (er != SK_ENOTFOUND)
      return er;
  }
  return SK_OK;
}

struct result_box {
  struct sk_search_result r;
  struct sk_arena arena;
};

struct sk_search_result *sks_result_new(void) {
  struct result_box *b = calloc(1, sizeof *b);
  return b ? &b->r : NULL;
}

struct sk_arena *sks_result_arena(struct sk_search_result *r) {
  return &((struct result_box *)(void *)r)->arena;
}

void sk_search_result_free(struct sk_search_result *r) {
  if (!r)
    return;
  struct result_box *b = (struct result_box *)(void *)r;
  sk_arena_free(&b->arena);
  free(b);
}

void sks_suggest_needs(struct sk_searcher *s, const struct analysis *an,
                       struct sk_search_result *r) {
  struct sk_arena *a = sks_result_arena(r);
  double best[SKS_MAX_NEEDS] = {0};
  for (size_t i = 0; i < an->n; i++) {
    const struct qword *w = &an->w[i];
    if (sks_is_stopword(w->f) || w->flen < 3)
      continue;
    for (size_t p = 0; p < s->n_phrases; p++) {
      const struct sks_phrase *ph = &s->phrases[p];
      if (ph->vocab != SK_VOCAB_NEED)
        continue;
      for (size_t k = 0; k < ph->n; k++) {
        size_t pl = strlen(ph->words[k]);
        size_t mx = pl > w->flen ? pl : w->flen;
        int d = sks_damerau(w->f, w->flen, ph->words[k], pl, 3);
        double sim = d > 3 ? 0 : 1.0 - (double)d / (double)mx;
        if (pl >= 4 && w->flen >= 4 && (strncmp(ph->words[k], w->f, 4) == 0))
          sim = sim > 0.6 ? sim : 0.6;
        if (sim > best[ph->idx])
          best[ph->idx] = sim;
      }
    }
  }
  r->suggested_needs = sk_arena_alloc(a, 5 * sizeof *r->suggested_needs);
  if (!r->suggested_needs)
    return;
  for (int k = 0; k < 5; k++) {
    int bi = -1;
    for (size_t i = 0; i < s->need.n; i++)
      if (best[i] >= 0.5 && (bi < 0 || best[i] > best[bi]))
        bi = (int)i;
    if (bi < 0)
      break;
    best[bi] = 0;
    r->suggested_needs[r->n_suggested_needs].code = s->need.terms[bi]->code;
    r->suggested_needs[r->n_suggested_needs].label = s->need.terms[bi]->label;
    r->n_suggested_needs++;
  }
  if (!r->n_suggested_needs) /* nothing close: offer the main needs */
    for (size_t i = 0; i < s->need.n && r->n_suggested_needs < 5; i++)
      if (!s->need.terms[i]->parent_code) {
        r->suggested_needs[r->n_suggested_needs].code = s->need.terms[i]->code;
        r->suggested_needs[r->n_suggested_needs].label = s->need.terms[i]->label;
        r->n_suggested_needs++;
      }
}

int sks_add_concepts(struct sk_searcher *s, const struct analysis *an, struct sk_search_result *r) {
  struct sk_arena *a = sks_result_arena(r);
  r->concepts = sk_arena_alloc(a, (an->n * SK_LEXICON_MAX_NEEDS + 1) * sizeof *r->concepts);
  if (!r->concepts)
    return SK_ENOMEM;
  for (size_t i = 0; i < an->n; i++) {
    const struct qword *w = &an->w[i];
    /* a compound, or a separable verb (a stop word such as "kom" too) */
    int read_whole = (w->role == W_TEXT || w->role == W_STOP) && w->lex;
    if ((w->role == W_LEX && w->first) || read_whole) {
      /* a resident's word: "Gezocht op: School en onderwijs" for spijbelen */
      for (size_t k = 0; k < w->lex->n_codes; k++) {
        const struct sk_term *t = sk_taxonomy_find(s->tax, SK_VOCAB_NEED, w->lex->codes[k]);
        int dup = !t;
        for (size_t j = 0; j < r->n_concepts && !dup; j++)
          dup = !strcmp(r->concepts[j].code, t->code) && !strcmp(r->concepts[j].vocab, "need");
        if (dup)
          continue;
        struct sk_search_concept *c = &r->concepts[r->n_concepts++];
        c->vocab = "need";
        c->code = t->code;
        c->label = t->label;
        c->source = "lexicon";
        struct sk_buf b;
        sk_buf_init(&b, 1024);
        /* the words as the resident typed them, fillers included */
        for (size_t j = i; j < an->n && an->w[j].lex == w->lex && (j == i || !an->w[j].first); j++)
          sk_buf_printf(&b, "%s%s", j > i ? " " : "", an->w[j].f);
        if (w->particle) /* "kom rond": the verb with its particle */
          sk_buf_printf(&b, " %s", an->w[w->particle - 1].f);
        c->matched = sk_arena_strdup(a, sk_buf_str(&b));
        sk_buf_free(&b);
      }
      continue;
    }
    if (w->phrase < 0 || !w->first)
      continue;
    const struct sks_phrase *ph = &s->phrases[w->phrase];
    int dup = 0;
    for (size_t k = 0; k < r->n_concepts; k++)
      if (!strcmp(r->concepts[k].code, ph->term->code) &&
          !strcmp(r->concepts[k].vocab, sk_vocab_name(ph->term->vocab)))
        dup = 1;
    if (dup)
      continue;
    struct sk_search_concept *c = &r->concepts[r->n_concepts++];
    c->vocab = sk_vocab_name(ph->term->vocab);
    c->code = ph->term->code;
    c->label = ph->term->label;
    c->source = "taxonomy";
    struct sk_buf b;
    sk_buf_init(&b, 1024);
    for (size_t k = 0; k < ph->n && i + k < an->n; k++)
      sk_buf_printf(&b, "%s%s", k ? " " : "",
                    an->w[i + k].replaced ? an->w[i + k].corr : an->w[i + k].f);
    c->matched = sk_arena_strdup(a, sk_buf_str(&b));
    sk_buf_free(&b);
  }
  if (an->corrected) {
    struct sk_buf b;
    sk_buf_init(&b, 4096);
    for (size_t i = 0; i < an->n; i++)
      sk_buf_printf(&b, "%s%s", i ? " " : "", an->w[i].corr ? an->w[i].corr : an->w[i].f);
    r->did_you_mean = sk_arena_strdup(a, sk_buf_str(&b));
    r->corrected = an->replaced;
    sk_buf_free(&b);
  }
  r->crisis = an->crisis;
  return SK_OK;
}
