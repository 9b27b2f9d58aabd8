/* Query analysis: the words of q, the taxonomy's and the lexicon's
 * concepts and the places in them, typo correction, other word forms,
 * split compounds, and the query plan (struct analysis): word groups by
 * role (required, concept, boost, lexicon) and the highlighter's terms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_fold.h"
#include "sk_search_stages.h"
#include "sk_spell.h"

#define MAX_COMPOUNDS 12

struct collect_ctx {
  struct analysis *a;
  struct sk_stemmer *stem;
  const char *q;
};

static int collect_word(void *ctx, const char *word, size_t len, size_t start, size_t end) {
  (void)end;
  struct collect_ctx *c = ctx;
  if (c->a->n >= SKS_MAX_WORDS)
    return 1;
  struct qword *w = &c->a->w[c->a->n];
  memset(w, 0, sizeof *w);
  w->upper = c->q[start] >= 'A' && c->q[start] <= 'Z';
  memcpy(w->f, word, len);
  w->f[len] = '\0';
  w->flen = len;
  w->phrase = -1;
  struct sk_buf b;
  sk_buf_init(&b, 4 * SK_TOKEN_MAX);
  const char *st = sk_stemmer_stem(c->stem, word, len, &b) == SK_OK ? sk_buf_str(&b) : word;
  size_t sl = strlen(st);
  if (sl > SK_TOKEN_MAX)
    sl = SK_TOKEN_MAX;
  memcpy(w->stem, st, sl);
  w->stem[sl] = '\0';
  /* a verb of the third person ("woont", "loopt", "zoekt") is its stem
   * with -t: the lexicon's infinitives ("alleen wonen") match the stem */
  if (len >= 4 && word[len - 1] == 't' && word[len - 2] != 't') {
    sk_buf_reset(&b);
    if (sk_stemmer_stem(c->stem, word, len - 1, &b) == SK_OK && b.len <= SK_TOKEN_MAX &&
        strcmp(sk_buf_str(&b), w->stem) != 0)
      memcpy(w->stem_t, sk_buf_str(&b), b.len + 1);
  }
  sk_buf_free(&b);
  c->a->n++;
  return 0;
}

/* First-person possessives before a relative: "mijn", "mn", "m'n" (m n),
 * "onze", "ons", and the spoken "me" ("me moeder"). */
static int is_my(const struct analysis *a, size_t i) {
  static const char *const my[] = {"mijn", "mn", "onze", "ons", "me", "mijne"};
  for (size_t k = 0; k < sizeof my / sizeof my[0]; k++)
    if (strcmp(a->w[i].f, my[k]) == 0)
      return 1;
  return strcmp(a->w[i].f, "n") == 0 && i > 0 && strcmp(a->w[i - 1].f, "m") == 0;
}

/* Match the words against concept phrases, longest first. */
static void find_concepts(struct sk_searcher *s, struct analysis *a) {
  a->place = -1;
  for (size_t i = 0; i < a->n;) {
    int best = -1, best_q = -1;
    size_t best_len = 0;
    for (size_t p = 0; p < s->n_phrases; p++) {
      const struct sks_phrase *ph = &s->phrases[p];
      if (ph->n < best_len || (ph->n == best_len && best_q == 2) || i + ph->n > a->n)
        continue;
      /* quality: 2 as written, 1 through the stem, 0 still being typed */
      size_t k = 0;
      int qual = 2;
      for (; k < ph->n; k++) {
        const struct qword *w = &a->w[i + k];
        const char *qf = w->replaced ? w->corr : w->f;
        if (sks_streq(qf, ph->words[k]) || (w->corr && sks_streq(w->corr, ph->words[k])) ||
            (w->form && sks_streq(w->form, ph->words[k])))
          continue;
        /* by stem, also a verb's without its -t ("gamet": gamen) */
        if (sks_streq(w->stem, ph->stems[k]) ||
            (w->stem_t[0] && !w->replaced && sks_streq(w->stem_t, ph->stems[k]))) {
          qual = qual < 1 ? qual : 1;
          continue;
        }
        /* as-you-type: "mantelzorgo" already means "mantelzorgondersteuning";
         * a whole word of the texts is the beginning of another only as
         * its help ("huiswerk": huiswerkbegeleiding), not of another thing
         * ("school" is no "schooluitval"), and a word after "mijn" is
         * whole ("mijn vrouw" is no "vrouwenopvang") */
        if (w->prefix && !w->replaced && i + k == a->n - 1 && w->flen >= 5 &&
            strncmp(ph->words[k], w->f, w->flen) == 0 && k == ph->n - 1 &&
            !(i + k > 0 && is_my(a, i + k - 1)) &&
            (!(s->snap && sks_word_find(s->snap, w->f, w->flen) >= 0) ||
             sks_lex_generic_head(ph->words[k] + w->flen, strlen(ph->words[k] + w->flen)))) {
          qual = 0;
          continue;
        }
        break;
      }
      if (k == ph->n && a->n_crisis_words && ph->vocab == SK_VOCAB_NEED && !ph->term->crisis &&
          !(a->crisis_family.w[ph->idx >> 6] >> (ph->idx & 63) & 1)) {
        int crisis_word = 0;
        for (size_t j = 0; j < ph->n; j++)
          crisis_word |= a->w[i + j].crisis_word;
        if (crisis_word)
          continue; /* "leven" of "ik wil niet meer leven" is no question about life */
      }
      if (k == ph->n && (ph->n > best_len || qual > best_q)) {
        best = (int)p;
        best_len = ph->n;
        best_q = qual;
      }
    }
    if (best < 0) {
      i++;
      continue;
    }
    const struct sks_phrase *ph = &s->phrases[best];
    int role = ph->vocab == SK_VOCAB_NEED           ? W_NEED
               : ph->vocab == SK_VOCAB_TARGET_GROUP ? W_TG
                                                    : W_PLACE;
    for (size_t k = 0; k < best_len; k++) {
      a->w[i + k].role = role;
      a->w[i + k].phrase = best;
      a->w[i + k].first = k == 0;
      a->w[i + k].by_stem = best_q < 2; /* not as written: "afval" for "afvallen" */
    }
    if (role == W_NEED) {
      size_t j = 0;
      while (j < a->n_need && a->need_concepts[j] != ph->idx)
        j++;
      if (j == a->n_need && a->n_need < 8)
        a->need_concepts[a->n_need++] = ph->idx;
      if (ph->term->crisis)
        a->crisis = 1;
    } else if (role == W_TG) {
      size_t j = 0;
      while (j < a->n_tg && a->tg_concepts[j] != ph->idx)
        j++;
      if (j == a->n_tg && a->n_tg < 4)
        a->tg_concepts[a->n_tg++] = ph->idx;
    } else if (a->place < 0) {
      a->place = ph->idx;
    }
    i += best_len;
  }
}

/* The extent [from, to) of the concept phrase word k belongs to. */
static void concept_span(const struct analysis *a, size_t k, size_t *from, size_t *to) {
  size_t i = k;
  while (i > 0 && !a->w[i].first && a->w[i - 1].phrase == a->w[k].phrase)
    i--;
  size_t j = i + 1;
  while (j < a->n && a->w[j].phrase == a->w[k].phrase && !a->w[j].first)
    j++;
  *from = i;
  *to = j;
}

/* Hook: the lexicon after the taxonomy's concepts. A resident's word or
 * phrase ("spijbelen", "geen geld voor eten") stands for its needs; it
 * takes words from a taxonomy concept only when it is longer and covers it
 * whole, never from a crisis concept or a place. */
/* The words of entry x that are neither stop words nor vague. */
static size_t specific_words(const struct sks_lex_entry *x) {
  size_t n = 0;
  for (size_t k = 0; k < x->n_words; k++)
    n += !sks_is_stopword(x->words[k]) && !sks_is_vague(x->words[k]);
  return n;
}

static void lexicon_concepts(struct sk_searcher *s, struct analysis *a) {
  const char *f[SKS_MAX_WORDS], *st[SKS_MAX_WORDS], *st_t[SKS_MAX_WORDS];
  uint8_t ok[SKS_MAX_WORDS];
  struct sks_needmask taken = {{0, 0}};
  memset(&a->lex_needs, 0, sizeof a->lex_needs);
  a->n_lex = 0;
  for (size_t i = 0; i < a->n; i++) {
    f[i] = a->w[i].replaced ? a->w[i].corr : a->w[i].f;
    st[i] = a->w[i].stem;
    st_t[i] = a->w[i].replaced ? "" : a->w[i].stem_t;
    ok[i] = a->w[i].role != W_PLACE;
    a->w[i].lex = NULL;
    a->w[i].particle = 0;
  }
  for (size_t i = 0; i < a->n;) {
    struct sks_lex_match m;
    const struct sks_lex_entry *x = sks_lex_longest(s->lex, f, st, st_t, ok, a->n, i, &m);
    size_t len = m.span;
    enum sks_lex_how how = m.how;
    if (!x || x->kind != SKS_LEX_NEED) {
      i++;
      continue;
    }
    /* a longer or more specific entry that starts inside this one and
     * ends after it wins ("ik word gepest op mijn werk": "gepest op mijn
     * werk", not "word gepest"; "wie kan mij helpen met de tuin": "helpen
     * met de tuin") */
    int overtaken = 0;
    for (size_t j = i + 1; j < i + len && !overtaken && m.how == SKS_LEX_AS_WRITTEN; j++) {
      struct sks_lex_match mj;
      const struct sks_lex_entry *y = sks_lex_longest(s->lex, f, st, st_t, ok, a->n, j, &mj);
      overtaken = y && y->kind == SKS_LEX_NEED && mj.how == SKS_LEX_AS_WRITTEN &&
                  j + mj.span > i + len &&
                  (y->n_words > x->n_words ||
                   (y->n_words == x->n_words && specific_words(y) > specific_words(x)));
    }
    if (overtaken) {
      i++;
      continue;
    }
    int accept = 1;
    for (size_t k = i; k < i + len && accept; k++) {
      if (a->w[k].role == W_TEXT)
        continue;
      size_t from, to;
      concept_span(a, k, &from, &to);
      const struct sks_phrase *ph = &s->phrases[a->w[k].phrase];
      /* a target group's word ("student", "huisarts") is no need: the
       * lexicon's entry of the same length says which need it is */
      size_t shorter = a->w[k].role == W_TG ? len + 1 : len;
      /* ... and a one-word entry written as typed takes a need's word
       * matched only by its stem ("afval" is no "afvallen") */
      if (len == 1 && how == SKS_LEX_AS_WRITTEN && a->w[k].by_stem && x->n_words == 1 &&
          strcmp(x->words[0], f[i]) == 0)
        shorter = 2;
      accept = from >= i && to <= i + len && to - from < shorter && !ph->term->crisis;
    }
    /* under a crisis, its words stand for no need outside its family
     * ("mijn ex" of "mijn ex stalkt mij" is no question about a divorce) */
    for (size_t k = i; k < i + len && accept && a->n_crisis_words; k++)
      if (a->w[k].crisis_word)
        accept = !(x->needs.w[0] & ~a->crisis_family.w[0]) &&
                 !(x->needs.w[1] & ~a->crisis_family.w[1]);
    if (!accept) {
      i++;
      continue;
    }
    /* a compound read through its parts ("gokprobleem") or a separable
     * verb ("kom ... rond"): its needs count, and the word stays text, so
     * that it is still split into the parts the index has
     * ("kinderpraatgroep": kinderen + praatgroep) */
    int compound = how != SKS_LEX_AS_WRITTEN && a->w[i].role == W_TEXT;
    /* a compound that the texts use as it is ("jeugdgezondheidszorg") is
     * better found by those texts than by the needs of one of its parts;
     * a verb of a separable verb ("kom") is no such compound */
    if (compound && how == SKS_LEX_COMPOUND && s->snap &&
        sks_word_find(s->snap, f[i], strlen(f[i])) >= 0) {
      i++;
      continue;
    }
    for (size_t k = i; k < i + len && !compound; k++) {
      /* a need whose words the entry took in another sense goes with
       * them ("slaap bij vrienden" is no question about a child's sleep);
       * one of the entry's own families stays (geld for "geen inkomen") */
      if (a->w[k].role == W_NEED && a->w[k].phrase >= 0) {
        int b = s->phrases[a->w[k].phrase].idx, same = 0;
        for (size_t n = 0; n < s->need.n && !same; n++)
          same = (x->needs.w[n >> 6] >> (n & 63) & 1) && s->need_top[n] == s->need_top[b];
        if (!same)
          taken.w[b >> 6] |= 1ull << (b & 63);
      }
      a->w[k].role = W_LEX;
      a->w[k].phrase = -1;
      a->w[k].first = k == i;
    }
    for (size_t k = i; k < i + len; k++)
      a->w[k].lex = x; /* a W_TEXT word with lex: a compound read through its parts */
    a->w[i].particle = how == SKS_LEX_SEPARABLE ? m.particle + 1 : 0;
    a->lex_needs.w[0] |= x->needs.w[0];
    a->lex_needs.w[1] |= x->needs.w[1];
    a->n_lex++;
    i += len;
  }
  /* drop the needs taken, unless another word still stands for them */
  for (size_t i = 0; i < a->n; i++)
    if (a->w[i].role == W_NEED && a->w[i].phrase >= 0) {
      int b = s->phrases[a->w[i].phrase].idx;
      taken.w[b >> 6] &= ~(1ull << (b & 63));
    }
  size_t kept = 0;
  for (size_t k = 0; k < a->n_need; k++) {
    int b = a->need_concepts[k];
    if (!(taken.w[b >> 6] >> (b & 63) & 1))
      a->need_concepts[kept++] = b;
  }
  a->n_need = kept;
}

/* Take concept b out of the list arr[0..*n). */
static void drop_concept(int *arr, size_t *n, int b) {
  size_t kept = 0;
  for (size_t k = 0; k < *n; k++)
    if (arr[k] != b)
      arr[kept++] = arr[k];
  *n = kept;
}

/* Hook: which municipality words are places (sk_place.c), and the words
 * that belong to them ("gemeente", "in"). */
static void place_concepts(struct sk_searcher *s, struct analysis *a) {
  struct sks_place_word pw[SKS_MAX_WORDS];
  uint8_t keep[SKS_MAX_WORDS], marker[SKS_MAX_WORDS];
  for (size_t i = 0; i < a->n; i++) {
    struct qword *w = &a->w[i];
    if (w->role == W_PLACE) {
      /* a place as written, not through a stem: "huis" is not Huizen */
      const struct sks_phrase *ph = &s->phrases[w->phrase];
      int written = 0;
      for (size_t k = 0; k < ph->n && !written; k++)
        written = strcmp(ph->words[k], w->f) == 0;
      if (!written)
        w->role = W_TEXT, w->phrase = -1, w->first = 0;
    }
    pw[i].f = w->f;
    pw[i].upper = w->upper;
    pw[i].is_place = w->role == W_PLACE;
    pw[i].free = w->role == W_TEXT;
  }
  sks_place_review(s->lex, pw, a->n, keep, marker);
  a->place = -1;
  for (size_t i = 0; i < a->n; i++) {
    struct qword *w = &a->w[i];
    if (w->role == W_PLACE && !keep[i]) {
      w->role = W_TEXT;
      w->phrase = -1;
      w->first = 0;
    } else if (w->role == W_PLACE && a->place < 0) {
      a->place = s->phrases[w->phrase].idx;
    }
  }
  if (a->place < 0)
    return;
  for (size_t i = 0; i < a->n; i++)
    if (marker[i])
      a->w[i].role = W_PLACE, a->w[i].phrase = -1;
  /* "ik woon in Laren", "wij wonen in Eemnes": the verb says where, not a
   * question about housing (the need "wonen" of its word goes with it) */
  for (size_t i = 0; i + 1 < a->n; i++) {
    struct qword *w = &a->w[i];
    static const char *const live[] = {"woon", "woont", "wonen", "wonend", "woonachtig"};
    int is_live = 0;
    for (size_t k = 0; k < sizeof live / sizeof live[0]; k++)
      is_live |= strcmp(w->f, live[k]) == 0;
    if (!is_live || a->w[i + 1].role != W_PLACE)
      continue;
    if (w->role == W_NEED && w->phrase >= 0 && s->phrases[w->phrase].n == 1) {
      drop_concept(a->need_concepts, &a->n_need, s->phrases[w->phrase].idx);
    }
    if (w->role == W_NEED || w->role == W_TEXT)
      w->role = W_PLACE, w->phrase = -1, w->first = 0;
  }
}

/* Whether need b stands in the query only through relatives ("kind" of
 * "taxi naar school voor mijn kind") while other concepts say what about. */
static int only_relatives(const struct sk_searcher *s, const struct analysis *a, int b) {
  if (a->n_need + (size_t)a->n_lex < 2)
    return 0;
  int rel = 0;
  for (size_t k = 0; k < a->n; k++) {
    const struct qword *w = &a->w[k];
    if (w->role != W_NEED || w->phrase < 0 || s->phrases[w->phrase].idx != b)
      continue;
    if (!w->relative)
      return 0;
    rel = 1;
  }
  return rel;
}

/* The first person, as the one who asks: "ik", "me", "mezelf", "wij". */
static int is_me(const char *f) {
  static const char *const me[] = {"ik",     "k",       "ikzelf", "me", "mij",
                                   "mezelf", "mijzelf", "wij",    "we"};
  for (size_t k = 0; k < sizeof me / sizeof me[0]; k++)
    if (strcmp(f, me[k]) == 0)
      return 1;
  return 0;
}

/* Words of a death: the relative is gone ("mijn man is overleden"). */
static int is_gone(const char *f) {
  static const char *const gone[] = {"overleden", "gestorven", "overlijden", "dood",
                                     "verloren",  "begraven",  "gecremeerd", "weduwe",
                                     "weduwnaar", "overleed",  "stierf"};
  for (size_t k = 0; k < sizeof gone / sizeof gone[0]; k++)
    if (strcmp(f, gone[k]) == 0)
      return 1;
  return 0;
}

/* Hook: who asks. "mijn moeder kan niet meer alleen wonen" is asked by
 * someone close to her (the lexicon's [close] group: mantelzorgers), "mijn
 * dochter is somber" by a parent ([child]: ouders); the relative's word
 * then says who asks, not what the offering is about (W_WHO: not searched
 * in the texts), and "moeder" is no longer the target group
 * "ouders". "ik kan het niet meer aan" with nobody named is asked by the
 * person themself. One adjective may sit between ("mijn demente moeder"). */
static void asker_concepts(struct sk_searcher *s, struct analysis *a) {
  const char *close = sks_lex_close_group(s->lex);
  a->close_tg = close ? sks_vbit(&s->tg, close) : -1;
  a->asker = SKS_ASKER_UNKNOWN;
  a->asker_tg = -1;
  a->asker_adult = 0;
  uint8_t my[SKS_MAX_WORDS] = {0}; /* a possessive before a relative */
  for (size_t i = 0; i < a->n; i++)
    a->w[i].relative = 0;
  for (size_t i = 0; i < a->n; i++) {
    if (!is_my(a, i))
      continue;
    for (size_t j = i + 1; j < a->n && j <= i + 2; j++) {
      struct qword *w = &a->w[j];
      const char *tg;
      /* a relative that is also a need's word ("kind": opvoeden) keeps the
       * need, but the word itself in a text says little: "taxi naar school
       * voor mijn kind" is about school transport, not about every text
       * with "kind" in it */
      int need_word = w->role == W_NEED && w->phrase >= 0 && s->phrases[w->phrase].n == 1;
      int adult = 0;
      int kind = w->role == W_TEXT || w->role == W_TG || need_word
                     ? sks_lex_relative(s->lex, w->replaced ? w->corr : w->f, w->stem, &tg, &adult)
                     : 0;
      if (!kind)
        continue;
      if (adult)
        a->asker_adult = 1;
      w->relative = 1;
      if (w->role == W_TG && kind == SKS_LEX_CLOSE) {
        /* "moeder" of "mijn moeder" is not the group ouders; "kind" of
         * "mijn kind" stays the group kinderen */
        drop_concept(a->tg_concepts, &a->n_tg, s->phrases[w->phrase].idx);
      }
      if (w->role == W_TEXT || (w->role == W_TG && kind == SKS_LEX_CLOSE)) {
        w->role = W_WHO;
        w->phrase = -1;
        w->first = 0;
      }
      my[i] = 1;
      if (a->asker == SKS_ASKER_UNKNOWN) {
        a->asker = kind == SKS_LEX_CHILD ? SKS_ASKER_PARENT : SKS_ASKER_CLOSE;
        /* "dagbesteding voor mijn vader": the help is for him, not for
         * the one who cares */
        if (i == 0 || strcmp(a->w[i - 1].f, "voor") != 0)
          a->asker_tg = sks_vbit(&s->tg, tg);
      }
      break;
    }
  }
  int self = 0, gone = 0;
  for (size_t i = 0; i < a->n; i++) {
    self |= is_me(a->w[i].f) && !my[i];
    gone |= is_gone(a->w[i].f) && !a->w[i].crisis_word; /* not "mijn vriend wil dood" */
  }
  /* "mijn vrouw is overleden": no longer someone to care for; the one who
   * asks asks for themself */
  if (gone && a->asker == SKS_ASKER_CLOSE) {
    a->asker = SKS_ASKER_SELF;
    a->asker_tg = -1;
  }
  /* "ik ben mantelzorger": the words name the group of those around */
  for (size_t k = 0; k < a->n_tg && a->asker == SKS_ASKER_UNKNOWN; k++)
    if (a->tg_concepts[k] == a->close_tg)
      a->asker = SKS_ASKER_CLOSE;
  if (a->asker == SKS_ASKER_UNKNOWN && self)
    a->asker = SKS_ASKER_SELF;
}

static int in_words(const char *f, const char *const *list, size_t n) {
  for (size_t k = 0; k < n; k++)
    if (strcmp(f, list[k]) == 0)
      return 1;
  return 0;
}

/* The age a number word names, or -1: "mijn dochter van 15", "ik ben 14",
 * "mijn moeder is 80", "16 jaar", "15-jarige", "65 plus"; not "15 euro",
 * "3 kinderen", "2 weken". */
static int age_at(const struct analysis *a, size_t i) {
  static const char *const before[] = {"van", "ben", "is", "wordt", "werd", "bijna", "pas", "ruim"};
  static const char *const after[] = {"jaar", "jarige", "jarig", "jr", "plus", "plussers"};
  static const char *const not_after[] = {"euro", "eur",     "procent", "kinderen", "keer",
                                          "uur",  "minuten", "dagen",   "weken",    "maanden",
                                          "kilo", "km",      "cent",    "jaren",    "mensen"};
  const char *f = a->w[i].f;
  size_t n = strlen(f);
  if (n == 0 || n > 3 || strspn(f, "0123456789") != n)
    return -1;
  int age = atoi(f);
  if (age > 120)
    return -1;
  const char *next = i + 1 < a->n ? a->w[i + 1].f : "";
  if (in_words(next, not_after, sizeof not_after / sizeof not_after[0]))
    return -1;
  if (in_words(next, after, sizeof after / sizeof after[0]) ||
      (i > 0 && in_words(a->w[i - 1].f, before, sizeof before / sizeof before[0])))
    return age;
  return -1;
}

/* Hook: the ages the words name. Offerings for other ages rank lower
 * (sk_search_rank.c), the narrowest target group of an age counts as
 * named ("van 15": jongeren), and the number and its "jaar" are not
 * searched as required words. */
static void age_concepts(struct sk_searcher *s, struct analysis *a) {
  a->n_ages = 0;
  a->self_age = -1;
  const char *parents = sks_lex_child_group(s->lex);
  a->parent_tg = parents ? sks_vbit(&s->tg, parents) : -1;
  for (size_t i = 0; i < a->n && a->n_ages < sizeof a->ages / sizeof a->ages[0]; i++) {
    if (a->w[i].role != W_TEXT)
      continue;
    int age = age_at(a, i);
    size_t dl = strspn(a->w[i].f, "0123456789");
    if (age < 0 && dl == a->w[i].flen && dl <= 3 && a->n > 1) {
      a->w[i].role = W_STOP; /* "met 2 kinderen", "3 keer": a number says no subject */
      continue;
    }
    if (age < 0)
      continue;
    a->ages[a->n_ages++] = (int16_t)age;
    a->w[i].role = W_AGE;
    /* "ik ben 13 en mijn ouders ...": a child asks about its own family,
     * not one who cares for them */
    if (i > 0 && strcmp(a->w[i - 1].f, "ben") == 0 && a->self_age < 0) {
      a->self_age = age;
      if (age < 18 && a->asker == SKS_ASKER_CLOSE)
        a->asker_tg = -1;
    }
    if (i + 1 < a->n && a->w[i + 1].role == W_TEXT &&
        (!strcmp(a->w[i + 1].f, "jaar") || !strcmp(a->w[i + 1].f, "jarige") ||
         !strcmp(a->w[i + 1].f, "oud")))
      a->w[i + 1].role = W_STOP;
    int best = -1, best_span = 0;
    for (size_t b = 0; b < s->tg.n; b++) {
      const struct sk_term *t = s->tg.terms[b];
      if (t->min_age < 0 && t->max_age < 0)
        continue;
      int lo = t->min_age >= 0 ? t->min_age : 0, hi = t->max_age >= 0 ? t->max_age : 120;
      if (age >= lo && age <= hi && (best < 0 || hi - lo < best_span))
        best = (int)b, best_span = hi - lo;
    }
    size_t k = 0;
    while (best >= 0 && k < a->n_tg && a->tg_concepts[k] != best)
      k++;
    if (best >= 0 && k == a->n_tg && a->n_tg < sizeof a->tg_concepts / sizeof a->tg_concepts[0])
      a->tg_concepts[a->n_tg++] = best;
  }
}

/* The taxonomy's concepts, then the resident's words, then the places,
 * who asks and the ages. */
static void concepts(struct sk_searcher *s, struct analysis *a) {
  find_concepts(s, a);
  place_concepts(s, a);
  lexicon_concepts(s, a);
  asker_concepts(s, a);
  age_concepts(s, a);
}

/* Compound words of the index that contain w as a part: "centrum" ->
 * "wijkcentrum", "schuld" -> "schuldhulpverlening". The rest of the
 * compound must be 3+ letters, so "taal" does not bring "totaal". */
static int add_compounds(struct sk_searcher *s, const char *w, size_t wl, struct sks_group *g) {
  const struct sks_snap *sn = s->snap;
  if (wl < 4)
    return SK_OK;
  uint32_t best[MAX_COMPOUNDS];
  size_t nb = 0;
  for (size_t i = 0; i < sn->n_words; i++) {
    const struct sks_word *x = &sn->words[i];
    if (x->len < wl + 3)
      continue;
    const char *hit = memmem(x->w, x->len, w, wl);
    if (!hit)
      continue;
    size_t before = (size_t)(hit - x->w), after = x->len - before - wl;
    if ((before && before < 3) || (after && after < 3))
      continue;
    /* keep the most frequent ones */
    if (nb < MAX_COMPOUNDS) {
      best[nb++] = (uint32_t)i;
    } else {
      size_t lo = 0;
      for (size_t k = 1; k < nb; k++)
        if (sn->words[best[k]].df < sn->words[best[lo]].df)
          lo = k;
      if (x->df > sn->words[best[lo]].df)
        best[lo] = (uint32_t)i;
    }
  }
  int rc = SK_OK;
  for (size_t k = 0; k < nb && !rc; k++) {
    const struct sks_word *x = &sn->words[best[k]];
    rc = sks_group_add(g, x->w, x->len < 63 ? x->len : 63, 0);
  }
  return rc;
}

/* A word's group: the word, as a prefix too while it is being typed,
 * and the compounds of the index that contain it. */
static int group_expr(struct sk_searcher *s, const char *w, int prefix, struct sks_group *g) {
  sks_group_reset(g);
  size_t wl = strlen(w);
  int rc = sks_group_add(g, w, wl, 0);
  if (!rc && prefix && wl >= 2)
    rc = sks_group_add(g, w, wl, 1);
  if (!rc)
    rc = add_compounds(s, w, wl, g);
  return rc;
}

/* The closest word of the index within an edit distance that grows with
 * the length of the word; NULL when there is none. */
static const struct sks_word *typo_candidate(struct sk_searcher *s, const char *w, size_t wl) {
  const struct sks_snap *sn = s->snap;
  int maxd = wl < 5 ? 0 : wl < 8 ? 1 : 2;
  if (!maxd || wl > 40 || !sn->n_words)
    return NULL;
  if (s->tri_cap < sn->n_words) {
    free(s->tri_count);
    free(s->tri_touched);
    s->tri_count = calloc(sn->n_words, sizeof *s->tri_count);
    s->tri_touched = malloc(sn->n_words * sizeof *s->tri_touched);
    s->tri_cap = s->tri_count && s->tri_touched ? sn->n_words : 0;
    if (!s->tri_cap)
      return NULL;
  }
  size_t nt = 0;
  for (size_t k = 0; k + 3 <= wl; k++) {
    uint32_t bkt = sks_tri_bucket(w + k);
    for (uint32_t j = sn->tri_off[bkt]; j < sn->tri_off[bkt + 1]; j++) {
      uint32_t id = sn->tri_ids[j];
      if (id == UINT32_MAX)
        continue;
      if (s->tri_count[id]++ == 0)
        s->tri_touched[nt++] = id;
    }
  }
  size_t ntri = wl - 2;
  int need = (int)ntri - 3 * maxd;
  if (need < 1)
    need = 1;
  const struct sks_word *best = NULL;
  int bestd = maxd + 1;
  for (size_t k = 0; k < nt; k++) {
    uint32_t id = s->tri_touched[k];
    int cnt = s->tri_count[id];
    s->tri_count[id] = 0;
    if (cnt < need)
      continue;
    const struct sks_word *x = &sn->words[id];
    int d = sks_damerau(w, wl, x->w, x->len, maxd);
    if (d == 0 || d > maxd)
      continue;
    /* nearest, then most frequent in the index, then a dictionary word */
    if (d < bestd || (d == bestd && best && x->df > best->df) ||
        (d == bestd && best && x->df == best->df && !sks_spell_known(best->w, best->len) &&
         sks_spell_known(x->w, x->len))) {
      best = x;
      bestd = d;
    }
  }
  return best;
}

/* A word the index does not know, split into parts it does
 * (sks_decompound): one group per part, each required like a word of its
 * own ("huurachterstand": huur and achterstand) except a head that is far
 * more common than the other parts, which only adds score (score_only):
 * the head of a Dutch compound is its last part, and a common one
 * ("hulp", "begeleiding") says little, so "dementiehulp" finds what is
 * about dementie, those with hulp first, rather than only texts with both
 * words. A part's group: the part (stemmed like any word), its stem as a
 * prefix when that has 5+ letters ("beweeg" -> "beweg"*: beweging,
 * bewegingsaanbod) and the compounds of the index that contain the part
 * ("taal" -> taalhuis, taalcafe). g[0..*ng) are the parts' groups; they
 * are left as they were when there is no split (SK_ENOTFOUND). */
static int decompound(struct sk_searcher *s, const char *w, size_t wl, struct sks_group *g,
                      size_t *ng) {
  struct sks_split sp;
  int rc = sks_decompound(s->snap, s->stem, w, wl, &sp);
  if (rc)
    return rc;
  *ng = 0;
  struct sk_buf st;
  sk_buf_init(&st, 4 * SK_TOKEN_MAX);
  size_t head = SKS_SPLIT_MAX;
  uint32_t rarest = UINT32_MAX; /* of the parts before the head */
  for (size_t i = 0; i < sp.n; i++)
    if (sp.part[i].searched) {
      if (head != SKS_SPLIT_MAX && sp.part[head].df < rarest)
        rarest = sp.part[head].df;
      head = i;
    }
  int head_scores = rarest != UINT32_MAX && sp.part[head].df / 4 > rarest;
  for (size_t i = 0; i < sp.n && !rc; i++) {
    if (!sp.part[i].searched)
      continue;
    struct sks_group *pg = &g[(*ng)++];
    const char *part = w + sp.part[i].off;
    size_t pl = sp.part[i].len;
    sks_group_reset(pg);
    pg->score_only = i == head && head_scores && *ng > 1;
    rc = sks_group_add(pg, part, pl, 0);
    sk_buf_reset(&st);
    if (!rc && sk_stemmer_stem(s->stem, part, pl, &st) == SK_OK && st.len >= 5)
      rc = sks_group_add(pg, sk_buf_str(&st), st.len, 1);
    if (!rc)
      rc = add_compounds(s, part, pl, pg);
  }
  sk_buf_free(&st);
  return rc;
}

/* The group of a lexicon entry's "= words": each word by its stem (not
 * its compounds: "angst" must not bring "valangst"); empty when none is in
 * the index. */
static int also_group(struct sk_searcher *s, const char *also, struct sks_group *g) {
  struct sks_tok_list l;
  l.n = 0;
  sk_words(also, strlen(also), sks_take_tok, &l);
  sks_group_reset(g);
  struct sks_group one = {0};
  int rc = SK_OK;
  for (size_t k = 0; k < l.n && !rc; k++) {
    if (sks_is_stopword(l.tok[k].t))
      continue;
    sks_group_reset(&one);
    if ((rc = sks_group_add(&one, l.tok[k].t, l.tok[k].n, 0)) != SK_OK || !sks_group_size(s, &one))
      continue;
    rc = sks_group_add(g, l.tok[k].t, l.tok[k].n, 0);
  }
  sks_group_free(&one);
  return rc;
}

/* Another form of a correct word the index does not have: the word's root
 * by the dictionary as a prefix ("mishandelt" -> "mishandel"*: mishandeld,
 * mishandeling), when that finds something; the group goes to g. form[]
 * gets a form of the root that is a word of the index or of a concept
 * (root + d, t, en: "mishandeld"), else "". SK_ENOTFOUND when the root
 * finds nothing (g is then to be rebuilt). */
static int word_form(struct sk_searcher *s, const char *w, size_t wl, struct sks_group *g,
                     char *form, size_t cap) {
  char root[SK_TOKEN_MAX + 4];
  form[0] = '\0';
  size_t rl = sks_spell_root(w, wl, root, sizeof root);
  if (!rl || group_expr(s, root, 1, g) != SK_OK || sks_group_size(s, g) == 0)
    return SK_ENOTFOUND;
  static const char *const endings[] = {"d", "t", "en"};
  for (size_t i = 0; i < sizeof endings / sizeof endings[0] && !form[0]; i++) {
    char f[SK_TOKEN_MAX + 8];
    int fl = snprintf(f, sizeof f, "%s%s", root, endings[i]);
    if (fl <= 0 || (size_t)fl >= cap || ((size_t)fl == wl && !memcmp(f, w, wl)))
      continue;
    int known = sks_word_find(s->snap, f, (size_t)fl) >= 0;
    for (size_t p = 0; p < s->n_phrases && !known; p++)
      for (size_t k = 0; k < s->phrases[p].n && !known; k++)
        known = strcmp(s->phrases[p].words[k], f) == 0;
    if (known)
      memcpy(form, f, (size_t)fl + 1);
  }
  return SK_OK;
}

/* The group(s) for one query word, with its correction when it is no
 * word of the index or the dictionary: cached per (word, prefix). A
 * compound split into parts gives one group per part. */
static int word_group(struct sk_searcher *s, const char *w, int prefix,
                      const struct sks_wentry **out) {
  char key[SK_TOKEN_MAX + 8];
  snprintf(key, sizeof key, "%c%s", prefix ? '*' : '=', w);
  if ((*out = sks_wcache_find(s, key)) != NULL)
    return SK_OK;
  struct sks_group g[SKS_SPLIT_MAX];
  memset(g, 0, sizeof g);
  size_t ng = 1;
  const char *c = NULL;
  char cbuf[64] = "";
  int repl = 0;
  /* Only a word that finds nothing is looked at again (whether it finds
   * anything comes from the terms' counts: evaluating the group would walk
   * every posting of a common word); a word found through its stem or
   * inside a compound ("schuldhulpverlenig") is left as it is. Of those,
   * a correct Dutch word (sk_spell.h) is never corrected: it is split into
   * parts the index has ("energierekening"). Only an unknown word is
   * searched as the nearest word of the index ("thuisadministartie"),
   * else split too. */
  size_t wl = strlen(w);
  int rc = group_expr(s, w, prefix, &g[0]);
  int in_index = sks_word_find(s->snap, w, wl) >= 0 ||
                 (prefix && sks_word_prefix_exists(s->snap, w, wl));
  if (!rc && !in_index && sks_group_size(s, &g[0]) == 0) {
    const struct sks_word *t = sks_spell_known(w, wl) ? NULL : typo_candidate(s, w, wl);
    if (t && t->len < sizeof cbuf) {
      snprintf(cbuf, sizeof cbuf, "%.*s", (int)t->len, t->w);
      c = cbuf;
      repl = 1;
      rc = group_expr(s, cbuf, 0, &g[0]);
    } else if (!word_form(s, w, wl, &g[0], cbuf, sizeof cbuf)) {
      c = cbuf[0] ? cbuf : NULL;
      repl = 2;
    } else {
      rc = group_expr(s, w, prefix, &g[0]);
      int d = rc ? rc : decompound(s, w, wl, g, &ng);
      rc = d == SK_ENOTFOUND ? SK_OK : d;
    }
  }
  if (!rc)
    rc = sks_wcache_put(s, key, g, ng, c, repl, out);
  for (size_t k = 0; k < SKS_SPLIT_MAX; k++)
    sks_group_free(&g[k]);
  return rc;
}

/* A query in professionals' words ("verwijzer", "professionals") may show
 * offerings meant only for them. Not "huisarts": residents look for theirs. */
int sks_pro_words(const struct analysis *a) {
  for (size_t i = 0; i < a->n; i++)
    if (!strncmp(a->w[i].f, "professional", 12) || !strncmp(a->w[i].f, "verwijzer", 9))
      return 1;
  return 0;
}

void sks_analysis_free(struct analysis *a) {
  for (size_t i = 0; i < a->n_req; i++)
    sks_group_free(&a->req[i]);
  for (size_t i = 0; i < a->n_opt; i++)
    sks_group_free(&a->opt[i]);
  for (size_t i = 0; i < a->n_boost; i++)
    sks_group_free(&a->boost[i]);
  for (size_t i = 0; i < a->n_lexg; i++)
    sks_group_free(&a->lexg[i]);
  sks_group_free(&a->never);
}

int sks_never_group(struct sk_searcher *s, const struct sk_crisis_match *cm, struct analysis *a) {
  const char *words[SK_CRISIS_MAX_NEVER];
  size_t n = s->crisis ? sk_crisis_never(s->crisis, cm->kinds, words, SK_CRISIS_MAX_NEVER) : 0;
  sks_group_reset(&a->never);
  struct sks_group g = {0};
  int rc = SK_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    rc = group_expr(s, words[i], 0, &g);
    for (size_t k = 0; k < g.n && !rc; k++) {
      const char *alt = sks_group_alt(&g, k);
      rc = sks_group_add(&a->never, alt, strlen(alt), (g.stars >> k & 1) != 0);
    }
  }
  sks_group_free(&g);
  return rc;
}

/* Add g to a role's groups (arr[0..*n)) once, and to the highlighter's. */
static int push_group(struct analysis *a, struct sks_group *arr, size_t *n,
                      const struct sks_group *g) {
  if (*n >= SKS_MAX_GROUPS)
    return SK_OK;
  for (size_t i = 0; i < *n; i++)
    if (sks_group_eq(&arr[i], g))
      return SK_OK;
  int rc = sks_group_copy(&arr[*n], g);
  arr[*n].score_only = 0;
  (*n)++; /* freed with the analysis even when the copy failed */
  if (!rc && a->n_hl < sizeof a->hl / sizeof a->hl[0])
    a->hl[a->n_hl++] = &arr[*n - 1];
  return rc;
}

/* Add g to a role's groups without looking for it there, and not to the
 * highlighter's (a concept's own words: they only lift). */
static int add_group(struct sks_group *arr, size_t *n, const struct sks_group *g) {
  if (*n >= SKS_MAX_GROUPS)
    return SK_OK;
  return sks_group_copy(&arr[(*n)++], g);
}

/* The groups of one word: one, or one per part of a split compound; a
 * part marked score_only only adds score (decompound). */
static int push_groups(struct analysis *a, struct sks_group *arr, size_t *n,
                       const struct sks_wentry *e) {
  int rc = SK_OK;
  for (size_t k = 0; k < e->n_groups && !rc; k++) {
    const struct sks_group *g = &e->groups[k];
    rc = g->score_only ? push_group(a, a->boost, &a->n_boost, g) : push_group(a, arr, n, g);
  }
  return rc;
}

/* One alternative of words joined by a space (a phrase) as g; at most
 * SKS_MAX_WORDS words of a query or a concept. */
static int phrase_group(struct sks_group *g, const char *const *words, size_t n) {
  char text[SKS_MAX_WORDS * (SK_TOKEN_MAX + 5)];
  size_t len = 0;
  for (size_t j = 0; j < n; j++) {
    int k = snprintf(text + len, sizeof text - len, "%s%s", j ? " " : "", words[j]);
    if (k < 0 || (size_t)k >= sizeof text - len)
      return SK_ETOOBIG;
    len += (size_t)k;
  }
  sks_group_reset(g);
  return sks_group_add(g, text, len, 0);
}

/* The highlighter's terms: the words of every planned group as stems
 * (a prefix's last word folded, as typed), so items are marked in C, not
 * by an FTS query per item. */
static void hl_terms(struct sk_searcher *s, struct analysis *a) {
  struct sk_buf b;
  sk_buf_init(&b, 4 * SK_TOKEN_MAX);
  for (size_t gi = 0; gi < a->n_hl && a->n_hlt < 64; gi++) {
    const struct sks_group *g = a->hl[gi];
    for (size_t ai = 0; ai < g->n && a->n_hlt < 64; ai++) {
      /* a phrase ("rood staan"): each of its words */
      const char *w = sks_group_alt(g, ai), *e = w + strlen(w);
      int prefix = sks_group_star(g, ai);
      while (w < e && a->n_hlt < 64) {
        const char *sp = memchr(w, ' ', (size_t)(e - w));
        size_t wl = sp ? (size_t)(sp - w) : (size_t)(e - w);
        if (wl && wl <= SK_TOKEN_MAX) {
          sk_buf_reset(&b);
          int last = !sp;
          if (prefix && last) {
            memcpy(a->hlt[a->n_hlt].t, w, wl);
            a->hlt[a->n_hlt].t[wl] = '\0';
            a->hlt[a->n_hlt++].prefix = 1;
          } else if (sk_stemmer_stem(s->stem, w, wl, &b) == SK_OK && b.len <= SK_TOKEN_MAX) {
            memcpy(a->hlt[a->n_hlt].t, sk_buf_str(&b), b.len + 1);
            a->hlt[a->n_hlt++].prefix = 0;
          }
        }
        w += wl + 1;
      }
    }
  }
  sk_buf_free(&b);
}

/* Whether w[0..len) (folded) is a word of the texts. */
static int text_word(const struct sk_searcher *s, const char *w, size_t len) {
  return s->snap && sks_word_find(s->snap, w, len) >= 0;
}

/* A compound written as two words ("kinder opvang", "mantel zorg", "geld
 * problemen", "schuld-hulp"): one word again when the joined word is a
 * concept, or a word of the texts while a part is not ("kinder"); "repair
 * cafe" stays two words, the texts have both. Never a stop word, a number
 * or a crisis word. */
static void join_split_compounds(struct sk_searcher *s, struct analysis *a) {
  for (size_t i = 0; i + 1 < a->n; i++) {
    struct qword *x = &a->w[i], *y = &a->w[i + 1];
    if (x->flen < 3 || y->flen < 3 || x->flen + y->flen > SK_TOKEN_MAX || x->crisis_word ||
        y->crisis_word || sks_is_stopword(x->f) || sks_is_stopword(y->f) ||
        strpbrk(x->f, "0123456789") || strpbrk(y->f, "0123456789"))
      continue;
    char j[2 * SK_TOKEN_MAX + 8];
    int jl = snprintf(j, sizeof j, "%s%s", x->f, y->f);
    if (jl < 0 || (size_t)jl > SK_TOKEN_MAX)
      continue;
    if (!sks_one_word_phrase(s, j) &&
        !(text_word(s, j, (size_t)jl) &&
          (!text_word(s, x->f, x->flen) || !text_word(s, y->f, y->flen))))
      continue;
    struct sk_buf b;
    sk_buf_init(&b, 4 * SK_TOKEN_MAX);
    if (sk_stemmer_stem(s->stem, j, (size_t)jl, &b) == SK_OK && b.len <= SK_TOKEN_MAX) {
      memcpy(x->f, j, (size_t)jl + 1);
      x->flen = (size_t)jl;
      memcpy(x->stem, sk_buf_str(&b), b.len + 1);
      x->stem_t[0] = '\0';
      x->prefix = y->prefix;
      memmove(y, y + 1, (a->n - i - 2) * sizeof *y);
      a->n--;
    }
    sk_buf_free(&b);
  }
}

/* Mark the words a crisis pattern used (see sks_analyse). */
static void mark_crisis_words(struct analysis *a, const struct sk_crisis_match *cm) {
  for (size_t i = 0; i < a->n; i++)
    for (unsigned k = 0; k < cm->n_words && !a->w[i].crisis_word; k++)
      if (strcmp(a->w[i].f, cm->words[k]) == 0) {
        a->w[i].crisis_word = 1;
        a->n_crisis_words++;
      }
}

int sks_analyse(struct sk_searcher *s, const char *q, const struct sk_crisis_match *crisis_words,
                struct analysis *a) {
  memset(a, 0, sizeof *a);
  a->place = -1;
  a->asker_tg = a->close_tg = a->parent_tg = a->self_age = -1;
  if (!q)
    return SK_OK;
  size_t n = strnlen(q, SK_SEARCH_Q_MAX + 1);
  if (n > SK_SEARCH_Q_MAX) {
    n = SK_SEARCH_Q_MAX;
    while (n > 0 && ((unsigned char)q[n] & 0xC0) == 0x80)
      n--;
  }
  struct collect_ctx c = {a, s->stem, q};
  sk_words(q, n, collect_word, &c);
  if (crisis_words) {
    mark_crisis_words(a, crisis_words);
    sks_crisis_family(s, crisis_words, &a->crisis_family);
  }
  join_split_compounds(s, a);
  if (!a->n)
    return SK_OK;
  /* still typing the last word when the text ends in a letter */
  uint32_t cp;
  size_t back = n;
  while (back > 0 && ((unsigned char)q[back - 1] & 0xC0) == 0x80)
    back--;
  if (back > 0)
    back--;
  size_t k = sk_utf8_decode(q + back, n - back, &cp);
  a->ends_in_word = k && back + k == n && sk_is_word_cp(cp);
  a->w[a->n - 1].prefix = a->ends_in_word && a->n <= SKS_MAX_WORDS;
  /* concepts and places first; then typo correction for the other words
   * the index does not know, and concepts again for corrected words
   * ("mantelzorgr" -> "mantelzorger" -> Mantelzorg) */
  concepts(s, a);
  int rc = SK_OK, reformed = 0;
  const struct sks_wentry *we;
  for (size_t i = 0; i < a->n && !rc; i++) {
    struct qword *w = &a->w[i];
    if (w->role == W_PLACE || w->role == W_STOP || sks_is_stopword(w->f))
      continue;
    /* a concept word (crisis words among them) is never corrected: the
     * concept was found, so the word did its work */
    if (w->role != W_TEXT)
      continue;
    rc = word_group(s, w->f, w->prefix, &we);
    if (!rc && we->corr && we->replaced == 2) {
      w->form = we->corr; /* not a correction: concepts again with it */
      reformed = 1;
    } else if (!rc && we->corr) {
      w->corr = we->corr;
      w->replaced = we->replaced;
      a->corrected = 1;
      a->replaced |= we->replaced;
    }
  }
  if (rc)
    return rc;
  if (a->corrected || reformed) {
    a->n_need = a->n_tg = 0;
    a->crisis = 0;
    for (size_t i = 0; i < a->n; i++) {
      a->w[i].role = W_TEXT;
      a->w[i].phrase = -1;
      a->w[i].first = 0;
    }
    concepts(s, a);
  }
  /* only target-group words ("huisartsen", "ouderen"): search them as text */
  int has_text = 0;
  for (size_t i = 0; i < a->n; i++)
    has_text |= a->w[i].role == W_NEED || a->w[i].role == W_LEX ||
                (a->w[i].role == W_TEXT && !sks_is_stopword(a->w[i].f));
  if (!has_text) {
    for (size_t i = 0; i < a->n; i++)
      if (a->w[i].role == W_TG || a->w[i].role == W_WHO) {
        a->w[i].role = W_TEXT;
        a->w[i].phrase = -1;
      }
    a->n_tg = 0;
  }
  size_t n_content = 0;
  for (size_t i = 0; i < a->n; i++) {
    struct qword *w = &a->w[i];
    if (w->role == W_TEXT && sks_is_stopword(w->f))
      w->role = W_STOP;
    if (w->role != W_STOP)
      n_content++;
  }
  if (!n_content) /* only little words: search them anyway */
    for (size_t i = 0; i < a->n; i++)
      a->w[i].role = W_TEXT;
  struct sks_group g = {0};
  for (size_t i = 0; i < a->n && !rc; i++) {
    struct qword *w = &a->w[i];
    /* a relative says who asks: "moeder" in a text is no sign of help for
     * the one who asks about "mijn moeder" */
    if (w->role == W_STOP || w->role == W_PLACE || w->role == W_WHO)
      continue;
    if (w->role == W_LEX) {
      /* the resident's word itself, when texts use it: a direct hit ranks
       * above the offerings reached only through its needs */
      if (!w->first)
        continue;
      size_t content = 0, specific = 0;
      for (size_t e = 0; e < w->lex->n_words; e++) {
        content += !sks_is_stopword(w->lex->words[e]);
        specific += !sks_is_stopword(w->lex->words[e]) && !sks_is_vague(w->lex->words[e]);
      }
      /* "geen huis = dakloos nachtopvang": words too common to be a hit
       * together, and the entry says what the texts say instead */
      if (!specific && w->lex->also)
        content = 0;
      if (w->lex->n_words == 1) {
        rc = group_expr(s, w->replaced ? w->corr : w->f, 0, &g);
      } else if (content > 0) {
        /* the entry's own words: the query may have fillers between them
         * or the other order ("ik zoek werk" for "werk zoeken") */
        rc = phrase_group(&g, w->lex->words, w->lex->n_words);
      } else {
        /* only little words ("wat is er te doen"): a text with them is
         * no direct hit; the entry's needs and its '=' words find it */
        sks_group_reset(&g);
      }
      if (!rc && g.n && sks_group_size(s, &g) > 0)
        rc = push_group(a, a->lexg, &a->n_lexg, &g);
      /* and the words of the texts it stands for ("gepest = pesten") */
      if (!rc && w->lex->also) {
        rc = also_group(s, w->lex->also, &g);
        if (!rc && g.n && sks_group_size(s, &g) > 0)
          rc = push_group(a, a->lexg, &a->n_lexg, &g);
      }
      continue;
    }
    if (w->relative && w->role == W_NEED && only_relatives(s, a, s->phrases[w->phrase].idx))
      continue; /* asker_concepts: the need counts, the word in the texts does not */
    const struct sks_phrase *ph = w->phrase >= 0 ? &s->phrases[w->phrase] : NULL;
    if (ph && ph->n > 1) {
      /* a phrase concept ("rood staan"): the phrase itself, once */
      if (!w->first)
        continue;
      rc = phrase_group(&g, (const char *const *)ph->words, ph->n);
      if (!rc)
        rc = push_group(a, w->role == W_NEED ? a->opt : a->boost,
                        w->role == W_NEED ? &a->n_opt : &a->n_boost, &g);
      continue;
    }
    if (w->replaced)
      rc = word_group(s, w->corr, 0, &we);
    else
      rc = word_group(s, w->f, w->prefix, &we);
    if (rc)
      break;
    if (w->role == W_TEXT && !w->crisis_word)
      rc = push_groups(a, a->req, &a->n_req, we);
    else if (w->role == W_TEXT) /* a crisis word: it ranks, it does not select */
      rc = push_groups(a, a->boost, &a->n_boost, we);
    else if (w->role == W_NEED)
      rc = push_groups(a, a->opt, &a->n_opt, we);
    else
      rc = push_groups(a, a->boost, &a->n_boost, we);
  }
  /* the recognised needs' own words (label and one-word synonyms) lift
   * the offerings named after them: "Schuldhulpverlening" for Schulden */
  for (size_t ci = 0; ci < a->n_need && !rc; ci++) {
    sks_group_reset(&g);
    for (size_t p = 0; p < s->n_phrases && !rc && g.n < 16; p++) {
      const struct sks_phrase *ph = &s->phrases[p];
      if (ph->vocab == SK_VOCAB_NEED && ph->idx == a->need_concepts[ci] && ph->n == 1)
        rc = sks_group_add(&g, ph->words[0], strlen(ph->words[0]), 0);
    }
    if (!rc && g.n)
      rc = add_group(a->boost, &a->n_boost, &g);
  }
  /* and, when no text uses the resident's words, the lexicon's needs' own
   * words: "paniekaanval" lifts the offerings named after angst, stress */
  if (!rc && a->n_lex && !a->n_lexg && a->n_boost < SKS_MAX_GROUPS) {
    rc = sks_need_words(s, &a->lex_needs, &g);
    if (!rc && g.n)
      rc = add_group(a->boost, &a->n_boost, &g);
  }
  sks_group_free(&g);
  if (!rc)
    hl_terms(s, a);
  return rc;
}
