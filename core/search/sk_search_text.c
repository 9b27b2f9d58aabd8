/* Query understanding helpers: Dutch stop words, edit distance, and the
 * concept phrases (need labels and synonyms, target groups, place names)
 * that the query is matched against. */
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_lexicon_int.h"

/* Words that carry no subject in a resident's question ("ik kan mijn
 * rekeningen niet betalen"). Folded, sorted for bsearch. */
static const char *const stopwords[] = {
    "aan",   "al",      "alle",   "als",   "ben",   "bij",     "dan",     "dat",    "de",
    "die",   "dit",     "doe",    "doen",  "echt",  "een",     "en",      "er",     "erg",
    "ga",    "gaan",    "geen",   "graag", "had",   "heb",     "hebben",  "heeft",  "heel",
    "het",   "hier",    "hij",    "hoe",   "hun",   "iemand",  "ik",      "in",     "is",
    "je",    "jij",     "kan",    "kom",   "krijg", "krijgen", "kun",     "kunnen", "kunt",
    "maar",  "mag",     "me",     "meer",  "met",   "mij",     "mijn",    "moet",   "moeten",
    "mogen", "na",      "naar",   "net",   "niet",  "niets",   "niks",    "nog",    "nu",
    "of",    "om",      "onze",   "ook",   "op",    "over",    "regelen", "steeds", "te",
    "tegen", "terecht", "toe",    "tot",   "u",     "uit",     "uw",      "vaak",   "van",
    "veel",  "vind",    "vinden", "voor",  "waar",  "wat",     "we",      "weet",   "wel",
    "welke", "weten",   "wie",    "wij",   "wil",   "word",    "worden",  "wordt",  "ze",
    "zelf",  "zich",    "zij",    "zijn",  "zo",    "zoek",    "zoeken",  "zonder"};

int sks_is_stopword(const char *w) {
  for (size_t i = 0; i < sizeof stopwords / sizeof stopwords[0]; i++)
    if (sks_streq(stopwords[i], w))
      return 1;
  return 0;
}

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent
 * transpositions), bytewise on folded words; stops early past max and
 * then returns max + 1. */
int sks_damerau(const char *a, size_t na, const char *b, size_t nb, int max) {
  if (na > 48 || nb > 48)
    return max + 1;
  if ((na > nb ? na - nb : nb - na) > (size_t)max)
    return max + 1;
  int d[49][49];
  for (size_t i = 0; i <= na; i++)
    d[i][0] = (int)i;
  for (size_t j = 0; j <= nb; j++)
    d[0][j] = (int)j;
  for (size_t i = 1; i <= na; i++) {
    int rowmin = max + 1;
    for (size_t j = 1; j <= nb; j++) {
      int cost = a[i - 1] != b[j - 1];
      int v = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < v)
        v = d[i][j - 1] + 1;
      if (d[i - 1][j - 1] + cost < v)
        v = d[i - 1][j - 1] + cost;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
        v = d[i - 2][j - 2] + 1;
      d[i][j] = v;
      if (v < rowmin)
        rowmin = v;
    }
    if (rowmin > max)
      return max + 1;
  }
  return d[na][nb];
}

/* Everyday words the taxonomy does not list yet, mapped to a need. Kept
 * small and here (not in the taxonomy file) because they only serve query
 * understanding; see docs/search.md. */
static const char *const extra_synonyms[][2] = {
    {"rekeningen niet betalen", "geld.schulden"},
    {"rekening niet betalen", "geld.schulden"},
    {"rekeningen", "geld.schulden"},
    {"betalingsproblemen", "geld.schulden"},
    {"geldproblemen", "geld.schulden"},
    {"geldzorgen", "geld.schulden"},
    {"rood staan", "geld.schulden"},
    {"schuldhulp", "geld.schulden"},
    {"eenzaamheid", "ontmoeten"},
    {"vergeetachtig", "geheugen"},
    {"hulp in huis", "thuis.huishouden"},
    {"huishoudelijke hulp", "thuis.huishouden"},
    {"zelfmoordgedachten", "psychisch.crisis"},
    {"suicidaal", "psychisch.crisis"},
    {"mishandeling", "veiligheid.huiselijkgeweld"},
};

/* Synonyms too vague to stand for a need on their own. */
static const char *const vague[] = {"alleen", "contact", "huis", "informatie", "mee",   "melden",
                                    "post",   "vraag",   "was",  "ziek",       "fit",   "pijn",
                                    "slaap",  "school",  "werk", "kind",       "ouder", "telefoon"};

int sks_is_vague(const char *folded) {
  for (size_t i = 0; i < sizeof vague / sizeof vague[0]; i++)
    if (strcmp(vague[i], folded) == 0)
      return 1;
  return 0;
}

struct split_ctx {
  struct sk_searcher *s;
  struct sks_phrase *p;
  int rc;
};

static int phrase_word(void *ctx, const char *word, size_t len, size_t start, size_t end) {
  (void)start;
  (void)end;
  struct split_ctx *c = ctx;
  if (c->p->n >= 6) {
    c->p->n = 7; /* too long: dropped */
    return 1;
  }
  struct sk_buf b;
  sk_buf_init(&b, 4 * SK_TOKEN_MAX);
  if (sk_stemmer_stem(c->s->stem, word, len, &b)) {
    c->rc = SK_ENOMEM;
    return 1;
  }
  c->p->words[c->p->n] = strndup(word, len);
  c->p->stems[c->p->n] = sk_buf_detach(&b, NULL);
  c->p->n++;
  if (!c->p->words[c->p->n - 1] || !c->p->stems[c->p->n - 1]) {
    c->rc = SK_ENOMEM;
    return 1;
  }
  return 0;
}

static int add_phrase(struct sk_searcher *s, size_t *cap, int vocab, int idx,
                      const struct sk_term *t, const char *text) {
  if (!text || !*text)
    return SK_OK;
  if (s->n_phrases == *cap) {
    *cap = *cap ? *cap * 2 : 256;
    void *n = realloc(s->phrases, *cap * sizeof *s->phrases);
    if (!n)
      return SK_ENOMEM;
    s->phrases = n;
  }
  struct sks_phrase *p = &s->phrases[s->n_phrases];
  memset(p, 0, sizeof *p);
  p->vocab = vocab;
  p->idx = idx;
  p->term = t;
  p->text = text;
  struct split_ctx c = {s, p, SK_OK};
  sk_words(text, strlen(text), phrase_word, &c);
  if (c.rc || p->n == 0 || p->n > 6 ||
      (p->n == 1 && (sks_is_stopword(p->words[0]) ||
                     (vocab != SK_VOCAB_MUNICIPALITY &&
                      (sks_is_vague(p->words[0]) || strlen(p->words[0]) < 3))))) {
    for (size_t i = 0; i < 6; i++) {
      free(p->words[i]);
      free(p->stems[i]);
    }
    return c.rc;
  }
  s->n_phrases++;
  return SK_OK;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* s->one_words, once the phrases are built. */
static int one_words_build(struct sk_searcher *s) {
  s->one_words = malloc((s->n_phrases ? s->n_phrases : 1) * sizeof *s->one_words);
  if (!s->one_words)
    return SK_ENOMEM;
  s->n_one_words = 0;
  for (size_t i = 0; i < s->n_phrases; i++)
    if (s->phrases[i].n == 1)
      s->one_words[s->n_one_words++] = s->phrases[i].words[0];
  qsort(s->one_words, s->n_one_words, sizeof *s->one_words, cmp_str);
  return SK_OK;
}

int sks_one_word_phrase(const struct sk_searcher *s, const char *w) {
  return s->one_words && bsearch(&w, s->one_words, s->n_one_words, sizeof *s->one_words, cmp_str);
}

int sks_phrases_build(struct sk_searcher *s) {
  size_t cap = 0;
  int rc = SK_OK;
  for (size_t i = 0; i < s->need.n && !rc; i++) {
    const struct sk_term *t = s->need.terms[i];
    rc = add_phrase(s, &cap, SK_VOCAB_NEED, (int)i, t, t->label);
    for (size_t k = 0; k < t->n_synonyms && !rc; k++)
      rc = add_phrase(s, &cap, SK_VOCAB_NEED, (int)i, t, t->synonyms[k]);
  }
  for (size_t k = 0; k < sizeof extra_synonyms / sizeof extra_synonyms[0] && !rc; k++) {
    for (size_t i = 0; i < s->need.n; i++)
      if (strcmp(s->need.terms[i]->code, extra_synonyms[k][1]) == 0) {
        rc = add_phrase(s, &cap, SK_VOCAB_NEED, (int)i, s->need.terms[i], extra_synonyms[k][0]);
        break;
      }
  }
  for (size_t i = 0; i < s->tg.n && !rc; i++) {
    const struct sk_term *t = s->tg.terms[i];
    for (size_t k = 0; k < t->n_synonyms && !rc; k++)
      rc = add_phrase(s, &cap, SK_VOCAB_TARGET_GROUP, (int)i, t, t->synonyms[k]);
  }
  for (size_t i = 0; i < s->area.n && !rc; i++) {
    const struct sk_term *t = s->area.terms[i];
    if (t->vocab != SK_VOCAB_MUNICIPALITY)
      continue;
    rc = add_phrase(s, &cap, SK_VOCAB_MUNICIPALITY, (int)i, t, t->label);
    if (!rc && strcmp(t->code, t->label) != 0)
      rc = add_phrase(s, &cap, SK_VOCAB_MUNICIPALITY, (int)i, t, t->code);
    /* and the spellings residents use (the lexicon's [place] sections) */
    for (size_t k = 0; s->lex && k < s->lex->n && !rc; k++)
      if (s->lex->e[k].kind == SKS_LEX_PLACE && strcmp(s->lex->e[k].codes[0], t->code) == 0)
        rc = add_phrase(s, &cap, SK_VOCAB_MUNICIPALITY, (int)i, t, s->lex->e[k].text);
  }
  return rc ? rc : one_words_build(s);
}

void sks_phrases_free(struct sk_searcher *s) {
  free(s->one_words);
  s->one_words = NULL;
  s->n_one_words = 0;
  for (size_t i = 0; i < s->n_phrases; i++)
    for (size_t k = 0; k < 6; k++) {
      free(s->phrases[i].words[k]);
      free(s->phrases[i].stems[k]);
    }
  free(s->phrases);
  s->phrases = NULL;
  s->n_phrases = 0;
}
