/* Need lists ranked by how central an offering is to the need (a need
 * chosen without words, or needs reached through the lexicon): offerings
 * named after the need and classified only within it come before those
 * that also do many other things (an information desk for everything).
 * Locality and freshness are applied by the caller (sk_search_rank.c). */
#include <string.h>

#include "sk_err.h"
#include "sk_lexicon_int.h"

static int has(const struct sks_needmask *m, int b) { return (int)(m->w[b >> 6] >> (b & 63) & 1); }
static void set(struct sks_needmask *m, int b) { m->w[b >> 6] |= 1ull << (b & 63); }

static int bit_of(const struct sk_searcher *s, const char *code) {
  for (size_t i = 0; code && i < s->need.n; i++)
    if (strcmp(s->need.terms[i]->code, code) == 0)
      return (int)i;
  return -1;
}

/* 1 when need i is sel or below one of sel. */
static int within(const struct sk_searcher *s, const struct sks_needmask *sel, int i) {
  for (int depth = 0; i >= 0 && depth < 8; depth++) {
    if (has(sel, i))
      return 1;
    i = bit_of(s, s->need.terms[i]->parent_code);
  }
  return 0;
}

void sks_need_closure(const struct sk_searcher *s, const struct sks_needmask *sel,
                      struct sks_needmask *out) {
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < s->need.n; i++) {
    if (!within(s, sel, (int)i))
      continue;
    set(out, (int)i);
    /* and its parents */
    int p = bit_of(s, s->need.terms[i]->parent_code);
    for (int depth = 0; p >= 0 && depth < 8; depth++) {
      set(out, p);
      p = bit_of(s, s->need.terms[p]->parent_code);
    }
  }
}

float sks_need_focus(const struct sks_doc *d, const struct sks_needmask *closure) {
  int all = __builtin_popcountll(d->needs.w[0]) + __builtin_popcountll(d->needs.w[1]);
  int in = __builtin_popcountll(d->needs.w[0] & closure->w[0]) +
           __builtin_popcountll(d->needs.w[1] & closure->w[1]);
  return all ? (float)in / (float)all : 0;
}

/* the same word once */
static int add_word(struct sks_group *g, const char *w) {
  size_t n = strlen(w);
  if (n + 2 >= SK_TOKEN_MAX + 8 || strchr(w, '"') || sks_group_has(g, w, n, 0))
    return SK_OK;
  return sks_group_add(g, w, n, 0);
}

int sks_need_words(const struct sk_searcher *s, const struct sks_needmask *sel,
                   struct sks_group *g) {
  sks_group_reset(g);
  int rc = SK_OK;
  /* first the selected needs' own words, then their sub-needs' */
  for (int pass = 0; pass < 2 && !rc; pass++)
    for (size_t p = 0; p < s->n_phrases && !rc && g->n < 32; p++) {
      const struct sks_phrase *ph = &s->phrases[p];
      if (ph->vocab != SK_VOCAB_NEED || ph->n != 1 || ph->term->crisis)
        continue;
      int own = has(sel, ph->idx);
      if (pass == 0 ? !own : (own || !within(s, sel, ph->idx)))
        continue;
      rc = add_word(g, ph->words[0]);
    }
  return rc;
}

float sks_need_coverage(const struct sks_doc *d, const struct sks_needmask *sel) {
  int all = __builtin_popcountll(sel->w[0]) + __builtin_popcountll(sel->w[1]);
  int in = __builtin_popcountll(d->needs.w[0] & sel->w[0]) +
           __builtin_popcountll(d->needs.w[1] & sel->w[1]);
  return all ? (float)in / (float)all : 0;
}
