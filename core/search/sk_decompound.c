/* Decompounding a query word into parts the index knows (see
 * sks_decompound in internal/sk_search_int.h and docs/search.md). */
#include <stdlib.h>
#include <string.h>

#include "sk_buf.h"
#include "sk_err.h"
#include "sk_search_int.h"
#include "sk_spell.h"

/* Verb prefixes, separable particles and pronominal adverbs: the start of
 * a derived word ("verkracht", "overleden", "achtervolgt"), not a part of
 * a compound. Folded, sorted for bsearch. */
static const char *const particles[] = {
    "aan",   "achter", "af",    "bij",  "daar",   "des",   "door",  "er",    "eraan",  "erbij",
    "erin",  "erna",   "erom",  "erop", "erover", "ertoe", "eruit", "ervan", "ervoor", "ge",
    "heen",  "her",    "hier",  "in",   "langs",  "mee",   "mis",   "na",    "neer",   "om",
    "onder", "ont",    "op",    "over", "per",    "rond",  "tegen", "terug", "toe",    "uit",
    "ver",   "voor",   "voort", "waar", "weer",   "weg"};

static int cmp_str(const void *a, const void *b) { return strcmp(a, *(const char *const *)b); }

static int is_particle(const char *p, size_t n) {
  char buf[8];
  if (n >= sizeof buf)
    return 0;
  memcpy(buf, p, n);
  buf[n] = '\0';
  return bsearch(buf, particles, sizeof particles / sizeof particles[0], sizeof particles[0],
                 cmp_str) != NULL ||
         sks_is_stopword(buf);
}

/* The nouns with a plural in -eren, the only ones linked by -er-
 * ("kinderopvang", "liederenbundel", "eierdooier"): a closed class. */
static const char *const er_nouns[] = {"blad", "been", "ei",  "gemoed", "goed", "hoen",
                                       "kalf", "kind", "lam", "lied",   "rad",  "rund"};

static int er_noun(const char *p, size_t n) {
  char buf[8];
  if (n >= sizeof buf)
    return 0;
  memcpy(buf, p, n);
  buf[n] = '\0';
  return bsearch(buf, er_nouns, sizeof er_nouns / sizeof er_nouns[0], sizeof er_nouns[0],
                 cmp_str) != NULL;
}

/* One candidate part w[start, start + len): how the index knows it. */
enum { PART_NONE = 0, PART_WORD = 1, PART_STEM = 2, PART_DICT = 3 };

/* PART_WORD: a word of the index as written ("taal", "rekening");
 * PART_STEM: not written so in the index, but a correct Dutch word whose
 * stem is a term of the index or, for stems of 5+ letters, begins terms
 * of it ("beweeg" -> beweg: beweging, bewegingsaanbod; "opvoed" ->
 * opvoeding); PART_DICT: a correct Dutch word of 5+ letters the index
 * does not have at all ("aanbod" in "beweegaanbod"): it holds a place in
 * the split (as the head, the last of two parts) but searches nothing. A verb
 * prefix, particle or stop word ("ver", "over", "erop"), or a part whose
 * stem is one, is never a part. *df: offerings the part finds. */
static int part_kind(const struct sks_snap *sn, struct sk_stemmer *stem, const char *p, size_t n,
                     int have_dict, struct sk_buf *b, uint32_t *df) {
  if (is_particle(p, n))
    return PART_NONE;
  int k = sks_word_find(sn, p, n);
  if (k >= 0) {
    *df = sn->words[k].df;
    return PART_WORD;
  }
  if (n < 4)
    return PART_NONE;
  sk_buf_reset(b);
  if (sk_stemmer_stem(stem, p, n, b) != SK_OK || b->len < 3 || is_particle(sk_buf_str(b), b->len))
    return PART_NONE; /* "overs" is over */
  const struct sks_index *ix = &sn->ix;
  uint32_t hits = 0;
  int t = sks_index_find(ix, sk_buf_str(b), b->len);
  if (t >= 0) {
    hits = ix->off[t + 1] - ix->off[t];
  } else if (b->len >= 5) {
    uint32_t from, to;
    sks_index_prefix(ix, sk_buf_str(b), b->len, &from, &to);
    for (uint32_t i = from; i < to && hits < UINT32_MAX / 2; i++)
      hits += ix->off[i + 1] - ix->off[i];
  }
  /* without a dictionary only a longer stem is believed a word */
  int known = have_dict ? sks_spell_known(p, n) : n >= 6;
  if (!known)
    return PART_NONE;
  *df = hits;
  return hits ? PART_STEM : have_dict && n >= 5 ? PART_DICT : PART_NONE;
}

struct dp_cell {
  uint8_t ok;
  uint8_t n;      /* parts so far */
  uint8_t n_stem; /* of which PART_STEM */
  uint8_t n_dict; /* of which PART_DICT */
  uint8_t known;  /* letters in parts the index knows */
  uint32_t min_df;
  uint8_t kind_bits; /* bit i: part i is PART_DICT */
  uint32_t df;       /* this part's */
  uint8_t start;     /* this part's start */
  uint8_t prev_end;  /* the previous part's end (a linking sound between) */
};

/* a is better than b: fewer parts, then fewer parts known only by their
 * stem, then the rarest part more common */
static int dp_better(const struct dp_cell *a, const struct dp_cell *b) {
  if (!b->ok)
    return 1;
  if (a->n != b->n)
    return a->n < b->n;
  if (a->n_dict != b->n_dict)
    return a->n_dict < b->n_dict;
  if (a->n_stem != b->n_stem)
    return a->n_stem < b->n_stem;
  return a->min_df > b->min_df;
}

int sks_decompound(const struct sks_snap *sn, struct sk_stemmer *stem, const char *w, size_t wl,
                   struct sks_split *out) {
  out->n = 0;
  if (wl < 2 * SKS_PART_MIN || wl > SKS_SPLIT_WORD_MAX || !sn->n_words)
    return SK_ENOTFOUND;
  int have_dict = sks_spell_init();
  struct sk_buf b;
  sk_buf_init(&b, 4 * SK_TOKEN_MAX);
  /* cell[e]: the best split of w[0, e) whose last part ends at e */
  struct dp_cell cell[SKS_SPLIT_WORD_MAX + 1];
  memset(cell, 0, sizeof cell);
  cell[0].ok = 1;
  cell[0].min_df = UINT32_MAX;
  for (size_t e = SKS_PART_MIN; e <= wl; e++) {
    for (size_t st = 0; st + SKS_PART_MIN <= e; st++) {
      if (st == 0 && e == wl)
        continue; /* the whole word is not a split */
      if (wl - e != 0 && wl - e < SKS_PART_MIN)
        continue; /* no room for a last part */
      /* the previous part ends at st, or before a linking s, e, en or er */
      int from = -1;
      struct dp_cell best = {0};
      for (int link = 0; link <= 2; link++) {
        if ((size_t)link > st)
          break;
        size_t pe = st - (size_t)link;
        if (link == 1 && w[pe] != 's' && w[pe] != 'e')
          continue;
        if (link == 2 && (w[pe] != 'e' || (w[pe + 1] != 'n' && w[pe + 1] != 'r')))
          continue; /* -en- (schuldenhulp), -er- (kinderopvang) */
        if (link == 2 && w[pe + 1] == 'r' && !er_noun(w + cell[pe].start, pe - cell[pe].start))
          continue; /* not "acht|er|volgt" */
        if (link && pe == 0)
          continue; /* no linking sound at the start */
        const struct dp_cell *c = &cell[pe];
        if (!c->ok || c->n >= SKS_SPLIT_MAX)
          continue;
        struct dp_cell cand = *c;
        cand.prev_end = (uint8_t)pe;
        if (from < 0 || dp_better(&cand, &best)) {
          best = cand;
          from = (int)pe;
        }
      }
      if (from < 0)
        continue;
      uint32_t df = 0;
      int kind = part_kind(sn, stem, w + st, e - st, have_dict, &b, &df);
      if (kind == PART_NONE || (kind == PART_DICT && (e != wl || best.n != 1)))
        continue; /* a word the index lacks: only as the head of two ("beweeg|aanbod") */
      struct dp_cell nc = best;
      nc.ok = 1;
      nc.n = (uint8_t)(best.n + 1);
      nc.n_stem = (uint8_t)(best.n_stem + (kind == PART_STEM));
      nc.n_dict = (uint8_t)(best.n_dict + (kind == PART_DICT));
      nc.known = (uint8_t)(best.known + (kind == PART_DICT ? 0 : e - st));
      if (kind != PART_DICT)
        nc.min_df = df < best.min_df ? df : best.min_df;
      nc.kind_bits = (uint8_t)(best.kind_bits | ((kind == PART_DICT) << best.n));
      nc.start = (uint8_t)st;
      nc.df = df;
      if (dp_better(&nc, &cell[e]))
        cell[e] = nc;
    }
  }
  sk_buf_free(&b);
  /* the parts the index knows must be 40 % of the word or more: the rest
   * is a word the index has no use for, not what the word is about */
  if (!cell[wl].ok || cell[wl].n < 2 || cell[wl].known < 5 || 5 * (size_t)cell[wl].known < 2 * wl)
    return SK_ENOTFOUND;
  size_t n = cell[wl].n, e = wl;
  out->n = n;
  for (size_t i = n; i-- > 0;) {
    const struct dp_cell *c = &cell[e];
    out->part[i].off = c->start;
    out->part[i].len = (uint8_t)(e - c->start);
    out->part[i].searched = !((cell[wl].kind_bits >> i) & 1);
    out->part[i].df = c->df;
    e = c->prev_end;
  }
  return SK_OK;
}
