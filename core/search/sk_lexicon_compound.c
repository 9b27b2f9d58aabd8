/* Dutch compounds in a query, read through the lexicon: "gokprobleem",
 * "dementiehulp", "seniorenvervoer", "valpreventiecursus". A compound is a
 * modifier, an optional linking sound (s, e, en) and a head: the head says
 * what kind of thing it is, the modifier what it is about. When the head is
 * a need word ("vervoer") the compound stands for that need; when the head
 * is a generic word for help ("hulp", "cursus", "probleem") the modifier's
 * need is meant. The parts are looked up among the one-word need entries of
 * the lexicon and the one-word labels and synonyms of the taxonomy's needs
 * (never a crisis need: the crisis module decides those).
 *
 * The part table is built once per parsed lexicon (sks_lex_parts_build) and
 * read without locks by every searcher afterwards. Owner: search engineer. */
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_lexicon_int.h"

/* Heads that say "help with the modifier" rather than a need of their own.
 * Folded, sorted for bsearch. */
static const char *const generic_heads[] = {
    "advies",       "adviseur",      "avond",      "avonden",       "begeleiding", "bestrijding",
    "cafe",         "centrum",       "coach",      "coaching",      "consulent",   "cursus",
    "cursussen",    "dienst",        "groep",      "groepen",       "hulp",        "hulplijn",
    "hulpverlener", "hulpverlening", "informatie", "les",           "lessen",      "lijn",
    "loket",        "middag",        "ochtend",    "ondersteuning", "preventie",   "probleem",
    "problemen",    "project",       "punt",       "spreekuur",     "steun",       "team",
    "training",     "trainingen",    "verlener",   "verleners",     "verlening",   "vraag",
    "vragen",       "workshop",      "zorg",       "zorgen"};

/* Modifiers that say for whom, where or when ("seniorenvervoer",
 * "buurtbus", "weekendopvang"), besides the taxonomy's target-group words:
 * with one of these in front, a need word as head stands for its need.
 * Folded, sorted. */
static const char *const setting_modifiers[] = {"avond",   "buurt", "dag",      "dorp",
                                                "nacht",   "thuis", "vakantie", "week",
                                                "weekend", "wijk",  "winter",   "zomer"};

/* The shortest part we look up: shorter ones ("val", "eet") are too often
 * the start of an unrelated word. Parts shorter than this that are need
 * words anyway (gok) are found through their stem. */
#define PART_MIN 3
#define WORD_MIN 7 /* a compound worth splitting has at least this many letters */

static int cmp_key(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int in_list(const char *const *list, size_t n_list, const char *w, size_t n) {
  char buf[32];
  if (n >= sizeof buf)
    return 0;
  memcpy(buf, w, n);
  buf[n] = '\0';
  const char *k = buf;
  return bsearch(&k, list, n_list, sizeof list[0], cmp_key) != NULL;
}

int sks_lex_generic_head(const char *w, size_t n) {
  return in_list(generic_heads, sizeof generic_heads / sizeof generic_heads[0], w, n);
}

static int is_generic_head(const char *w, size_t n) { return sks_lex_generic_head(w, n); }

static int cmp_part(const void *a, const void *b) {
  const struct sks_lex_part *x = a, *y = b;
  return strcmp(x->key, y->key);
}

static int part_add(struct sk_lexicon *lx, size_t *cap, const char *key,
                    const struct sks_lex_entry *x) {
  /* vague words ("huis", "werk") are no part: "huiswerk" is not housing */
  if (strlen(key) < PART_MIN || sks_is_vague(key))
    return SK_OK;
  if (lx->n_parts == *cap) {
    size_t nc = *cap ? *cap * 2 : 1024;
    void *n = realloc(lx->parts, nc * sizeof *lx->parts);
    if (!n)
      return SK_ENOMEM;
    lx->parts = n;
    *cap = nc;
  }
  lx->parts[lx->n_parts].key = key;
  lx->parts[lx->n_parts].entry = x;
  lx->n_parts++;
  return SK_OK;
}

struct syn_split {
  struct sk_stemmer *stem;
  struct sk_arena *arena;
  const char *word, *st;
  int n, rc;
};

static int syn_word(void *ctx, const char *w, size_t n, size_t start, size_t end) {
  (void)start;
  (void)end;
  struct syn_split *c = ctx;
  if (++c->n > 1)
    return 1;
  c->rc = sks_lex_word_dup(c->arena, c->stem, w, n, &c->word, &c->st);
  return c->rc ? 1 : 0;
}

/* One entry of our own for a taxonomy word that the file does not list
 * ("vervoer" of thuis.vervoer): it is only ever reached as a part. */
static int add_taxonomy_word(struct sk_lexicon *lx, size_t *cap, struct sk_stemmer *stem,
                             const struct sk_term *t, int bit, const char *text) {
  struct syn_split c = {stem, &lx->arena, NULL, NULL, 0, SK_OK};
  sk_words(text, strlen(text), syn_word, &c);
  if (c.rc)
    return c.rc;
  if (c.n != 1 || !c.word || sks_is_stopword(c.word))
    return SK_OK;
  struct sks_lex_entry *x = sk_arena_alloc(&lx->arena, sizeof *x);
  const char **codes = sk_arena_alloc(&lx->arena, sizeof *codes);
  if (!x || !codes)
    return SK_ENOMEM;
  codes[0] = t->code;
  x->text = c.word;
  x->words[0] = c.word;
  x->stems[0] = c.st;
  x->n_words = 1;
  x->kind = SKS_LEX_NEED;
  x->n_codes = 1;
  x->codes = codes;
  x->needs.w[bit / 64] |= 1ull << (bit % 64);
  x->next = UINT32_MAX;
  int rc = part_add(lx, cap, x->words[0], x);
  return rc ? rc : part_add(lx, cap, x->stems[0], x);
}

/* The taxonomy's one-word target-group words ("senioren", "jongeren"):
 * modifiers that make a need word a compound of that need. */
static int add_who_words(struct sk_lexicon *lx, struct sk_stemmer *stem) {
  size_t cap = 0;
  for (size_t i = 0; i < lx->tax->n_terms; i++) {
    const struct sk_term *t = &lx->tax->terms[i];
    if (t->vocab != SK_VOCAB_TARGET_GROUP)
      continue;
    for (size_t k = 0; k < t->n_synonyms; k++) {
      struct syn_split c = {stem, &lx->arena, NULL, NULL, 0, SK_OK};
      sk_words(t->synonyms[k], strlen(t->synonyms[k]), syn_word, &c);
      if (c.rc)
        return c.rc;
      if (c.n != 1 || !c.word || strlen(c.word) < PART_MIN)
        continue;
      if (lx->n_who == cap) {
        size_t nc = cap ? cap * 2 : 64;
        void *n = realloc(lx->who, nc * sizeof *lx->who);
        if (!n)
          return SK_ENOMEM;
        lx->who = n;
        cap = nc;
      }
      lx->who[lx->n_who++] = c.word;
    }
  }
  qsort(lx->who, lx->n_who, sizeof *lx->who, cmp_key);
  return SK_OK;
}

/* s[0..n) is a word for whom, where or when: as written, or with the
 * "en"/"s" that a compound drops or adds ("kinder" for kinderen). */
static int is_setting(const struct sk_lexicon *lx, const char *s, size_t n) {
  char buf[SK_TOKEN_MAX + 3];
  if (n < PART_MIN || n > SK_TOKEN_MAX)
    return 0;
  if (in_list(setting_modifiers, sizeof setting_modifiers / sizeof setting_modifiers[0], s, n))
    return 1;
  memcpy(buf, s, n);
  const char *const tails[] = {"", "en", "n"};
  for (size_t i = 0; i < 3; i++) {
    size_t m = n;
    if (s[n - 1] == 's' && i == 0)
      m = n - 1; /* "ouders" in "oudersavond" is fine as written; "jeugds" is not a word */
    memcpy(buf + m, tails[i], strlen(tails[i]) + 1);
    const char *k = buf;
    if (lx->who && bsearch(&k, lx->who, lx->n_who, sizeof *lx->who, cmp_key))
      return 1;
    buf[n] = '\0';
    k = buf;
    if (lx->who && bsearch(&k, lx->who, lx->n_who, sizeof *lx->who, cmp_key))
      return 1;
  }
  return 0;
}

int sks_lex_parts_build(struct sk_lexicon *lx) {
  size_t cap = 0;
  int rc = SK_OK;
  /* the file's one-word need entries first: on an equal key they win */
  for (size_t i = 0; i < lx->n && !rc; i++) {
    const struct sks_lex_entry *x = &lx->e[i];
    if (x->kind != SKS_LEX_NEED || x->n_words != 1)
      continue;
    rc = part_add(lx, &cap, x->words[0], x);
    if (!rc && strcmp(x->stems[0], x->words[0]) != 0)
      rc = part_add(lx, &cap, x->stems[0], x);
  }
  size_t from_file = lx->n_parts;
  struct sk_stemmer *stem = rc ? NULL : sk_stemmer_new();
  if (!rc && !stem)
    rc = SK_ENOMEM;
  int bit = 0;
  for (size_t i = 0; i < lx->tax->n_terms && !rc && bit < SKS_MAX_NEEDS; i++) {
    const struct sk_term *t = &lx->tax->terms[i];
    if (t->vocab != SK_VOCAB_NEED)
      continue;
    if (!t->crisis) {
      rc = add_taxonomy_word(lx, &cap, stem, t, bit, t->label);
      for (size_t k = 0; k < t->n_synonyms && !rc; k++)
        rc = add_taxonomy_word(lx, &cap, stem, t, bit, t->synonyms[k]);
    }
    bit++;
  }
  if (!rc)
    rc = add_who_words(lx, stem);
  sk_stemmer_free(stem);
  if (rc)
    return rc;
  /* stable: the file's entries keep their place before the taxonomy's */
  qsort(lx->parts, from_file, sizeof *lx->parts, cmp_part);
  qsort(lx->parts + from_file, lx->n_parts - from_file, sizeof *lx->parts, cmp_part);
  lx->n_parts_file = from_file;
  return SK_OK;
}

static const struct sks_lex_entry *find_in(const struct sks_lex_part *p, size_t n,
                                           const char *key) {
  struct sks_lex_part k = {key, NULL};
  const struct sks_lex_part *hit = bsearch(&k, p, n, sizeof *p, cmp_part);
  return hit ? hit->entry : NULL;
}

/* The entry of a part s[0..n), as written or with a linking sound taken off
 * ("scheidings" -> "scheiding", "ouderen" stays), or NULL. */
static const struct sks_lex_entry *part_entry(const struct sk_lexicon *lx, const char *s, size_t n,
                                              int modifier) {
  char buf[SK_TOKEN_MAX + 1];
  if (n < PART_MIN || n > SK_TOKEN_MAX)
    return NULL;
  for (int cut = 0; cut <= (modifier ? 2 : 0); cut++) {
    size_t m = n - (size_t)cut;
    if (m < PART_MIN)
      break;
    if (cut == 1 && s[m] != 's' && s[m] != 'e')
      continue;
    if (cut == 2 && strncmp(s + m, "en", 2) != 0)
      continue;
    memcpy(buf, s, m);
    buf[m] = '\0';
    const struct sks_lex_entry *x = find_in(lx->parts, lx->n_parts_file, buf);
    if (!x)
      x = find_in(lx->parts + lx->n_parts_file, lx->n_parts - lx->n_parts_file, buf);
    if (x)
      return x;
  }
  return NULL;
}

const struct sks_lex_entry *sks_lex_compound(const struct sk_lexicon *lx, const char *folded) {
  size_t n = folded ? strlen(folded) : 0;
  if (!lx || !lx->parts || n < WORD_MIN || n > SK_TOKEN_MAX)
    return NULL;
  /* the longest known head first: "valpreventiecursus" is valpreventie +
   * cursus, not val + preventiecursus */
  const struct sks_lex_entry *best = NULL;
  size_t best_len = 0;
  for (size_t p = PART_MIN; p + PART_MIN <= n; p++) {
    const char *head = folded + p;
    size_t hn = n - p;
    const struct sks_lex_entry *mod = part_entry(lx, folded, p, 1);
    if (is_generic_head(head, hn)) {
      if (mod && p > best_len)
        best = mod, best_len = p;
      continue;
    }
    /* a need word as head counts when the modifier is a need word too
     * ("gokschulden") or says for whom, where or when ("seniorenvervoer");
     * not after an unknown modifier: "jeugdhulpverlening" ends in "lening" */
    const struct sks_lex_entry *h = part_entry(lx, head, hn, 0);
    if (h && hn > best_len && (mod || is_setting(lx, folded, p)))
      best = h, best_len = hn;
  }
  return best;
}
