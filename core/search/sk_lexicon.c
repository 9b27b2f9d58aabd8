/* The everyday-Dutch lexicon: parsing and checking feeds/lexicon.txt
 * against the taxonomy, matching it in a query, the process-wide shared
 * copy, and the similarity of a query word to the needs (for the answer
 * when nothing matches). Format: docs/lexicon.md. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_fold.h"
#include "sk_lexicon_int.h"

extern const unsigned char sk_lexicon_data[];
extern const size_t sk_lexicon_data_len;

const char *sk_lexicon_builtin(size_t *len) {
  if (len)
    *len = sk_lexicon_data_len;
  return (const char *)sk_lexicon_data;
}

static int perr(char *err, size_t errlen, const char *name, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int perr(char *err, size_t errlen, const char *name, int line, const char *fmt, ...) {
  if (err && errlen) {
    int k = snprintf(err, errlen, "%s:%d: ", name ? name : "lexicon", line);
    if (k >= 0 && (size_t)k < errlen) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
      va_end(ap);
    }
  }
  return SK_EINVAL;
}

/* The bit of a need: its position among the taxonomy's needs, the order
 * in which every searcher numbers them (SKS_MAX_NEEDS at most). */
static int need_bit(const struct sk_taxonomy *tax, const char *code, const struct sk_term **term) {
  int b = 0;
  for (size_t i = 0; i < tax->n_terms && b < SKS_MAX_NEEDS; i++) {
    if (tax->terms[i].vocab != SK_VOCAB_NEED)
      continue;
    if (strcmp(tax->terms[i].code, code) == 0) {
      *term = &tax->terms[i];
      return b;
    }
    b++;
  }
  return -1;
}

struct split {
  struct sk_lexicon *lx;
  struct sk_stemmer *stem;
  struct sks_lex_entry *e;
  int too_long, rc;
};

static int split_word(void *ctx, const char *w, size_t n, size_t start, size_t end) {
  (void)start;
  (void)end;
  struct split *c = ctx;
  if (c->e->n_words == SK_LEXICON_MAX_WORDS) {
    c->too_long = 1;
    return 1;
  }
  size_t k = c->e->n_words++;
  c->rc = sks_lex_word_dup(&c->lx->arena, c->stem, w, n, &c->e->words[k], &c->e->stems[k]);
  return c->rc ? 1 : 0;
}

int sks_lex_word_dup(struct sk_arena *a, struct sk_stemmer *stem, const char *w, size_t n,
                     const char **word, const char **st) {
  struct sk_buf b;
  sk_buf_init(&b, 4 * SK_TOKEN_MAX);
  if (sk_stemmer_stem(stem, w, n, &b))
    return SK_ENOMEM;
  *word = sk_arena_strndup(a, w, n);
  *st = sk_arena_strndup(a, sk_buf_str(&b), b.len);
  sk_buf_free(&b);
  return *word && *st ? SK_OK : SK_ENOMEM;
}

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++)
    h = (h ^ (uint8_t)*s) * 1099511628211ull;
  return h ^ (h >> 29);
}

static void trim(const char **p, const char **e) {
  while (*p < *e && (**p == ' ' || **p == '\t'))
    (*p)++;
  while (*e > *p && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
    (*e)--;
}

enum { SEC_NONE, SEC_NEED, SEC_PLACE, SEC_FALLBACK, SEC_CLOSE, SEC_CLOSE_ADULT, SEC_CHILD };

/* A section header "[need a b]", "[place laren]", "[fallback a]",
 * "[close mantelzorgers]", "[close mantelzorgers adult]" (one who has such a
 * relative is an adult: "mijn man"), "[child ouders]": its kind and codes
 * (borrowed from the taxonomy). */
static int parse_section(struct sk_lexicon *lx, const char *p, const char *e, const char *name,
                         int line, int *kind, const char *const **codes, uint8_t *n_codes,
                         struct sks_needmask *mask, char *err, size_t errlen) {
  char buf[SK_LEXICON_MAX_LINE + 1];
  size_t n = (size_t)(e - p);
  memcpy(buf, p, n);
  buf[n] = '\0';
  char *save = NULL, *tok = strtok_r(buf, " \t", &save);
  if (!tok)
    return perr(err, errlen, name, line, "empty section header");
  if (!strcmp(tok, "need"))
    *kind = SEC_NEED;
  else if (!strcmp(tok, "place"))
    *kind = SEC_PLACE;
  else if (!strcmp(tok, "fallback"))
    *kind = SEC_FALLBACK;
  else if (!strcmp(tok, "close"))
    *kind = SEC_CLOSE;
  else if (!strcmp(tok, "child"))
    *kind = SEC_CHILD;
  else
    return perr(err, errlen, name, line,
                "unknown section '%.40s' (need, place, fallback, close or child)", tok);
  const char **cs = sk_arena_alloc(&lx->arena, SK_LEXICON_MAX_NEEDS * sizeof *cs);
  if (!cs)
    return SK_ENOMEM;
  memset(mask, 0, sizeof *mask);
  *n_codes = 0;
  while ((tok = strtok_r(NULL, " \t,", &save))) {
    if (*n_codes == SK_LEXICON_MAX_NEEDS)
      return perr(err, errlen, name, line, "more than %d codes in one section",
                  SK_LEXICON_MAX_NEEDS);
    const struct sk_term *t = NULL;
    if (*kind == SEC_PLACE) {
      t = sk_taxonomy_find(lx->tax, SK_VOCAB_MUNICIPALITY, tok);
      if (!t)
        return perr(err, errlen, name, line, "unknown municipality '%.60s'", tok);
      if (*n_codes)
        return perr(err, errlen, name, line, "a place section names one municipality");
    } else if (*kind == SEC_CLOSE && *n_codes == 1 && strcmp(tok, "adult") == 0) {
      *kind = SEC_CLOSE_ADULT;
      continue;
    } else if (*kind == SEC_CLOSE || *kind == SEC_CLOSE_ADULT || *kind == SEC_CHILD) {
      t = sk_taxonomy_find(lx->tax, SK_VOCAB_TARGET_GROUP, tok);
      if (!t)
        return perr(err, errlen, name, line, "unknown target group '%.60s'", tok);
      if (*n_codes)
        return perr(err, errlen, name, line, "a %s section names one target group",
                    *kind == SEC_CLOSE ? "close" : "child");
    } else {
      int b = need_bit(lx->tax, tok, &t);
      if (b < 0)
        return perr(err, errlen, name, line, "unknown need '%.60s' (not in the taxonomy)", tok);
      if (t->crisis)
        return perr(
            err, errlen, name, line,
            "need '%.60s' is a crisis need: crisis words are recognised by the crisis module, "
            "not by the lexicon",
            tok);
      mask->w[b >> 6] |= 1ull << (b & 63);
    }
    cs[(*n_codes)++] = t->code;
  }
  if (!*n_codes)
    return perr(err, errlen, name, line, "section without a code");
  *codes = cs;
  return SK_OK;
}

static int add_entry(struct sk_lexicon *lx, size_t *cap, struct sk_stemmer *stem, const char *p,
                     const char *e, int kind, int line, const char *const *codes, uint8_t n_codes,
                     const struct sks_needmask *mask, const char *name, char *err, size_t errlen) {
  int ambiguous = 0;
  if (kind == SEC_PLACE && p < e && *p == '?') {
    ambiguous = 1;
    p++;
  }
  if (lx->n == *cap) {
    if (lx->n >= SK_LEXICON_MAX_ENTRIES)
      return perr(err, errlen, name, line, "more than %d entries", SK_LEXICON_MAX_ENTRIES);
    size_t nc = *cap ? *cap * 2 : 1024;
    void *ne = realloc(lx->e, nc * sizeof *lx->e);
    if (!ne)
      return SK_ENOMEM;
    lx->e = ne;
    *cap = nc;
  }
  struct sks_lex_entry *x = &lx->e[lx->n];
  memset(x, 0, sizeof *x);
  /* "gepest = pesten": the words after '=' are searched in the texts too */
  const char *eq = kind == SEC_NEED ? memchr(p, '=', (size_t)(e - p)) : NULL;
  if (eq) {
    const char *a = eq + 1, *ae = e;
    trim(&a, &ae);
    if (a == ae || memchr(a, '=', (size_t)(ae - a)))
      return perr(err, errlen, name, line, "'=' is followed by the words to search for, once");
    x->also = sk_arena_strndup(&lx->arena, a, (size_t)(ae - a));
    if (!x->also)
      return SK_ENOMEM;
    e = eq;
    trim(&p, &e);
  }
  struct split c = {lx, stem, x, 0, SK_OK};
  sk_words(p, (size_t)(e - p), split_word, &c);
  if (c.rc)
    return c.rc;
  if (c.too_long)
    return perr(err, errlen, name, line, "more than %d words", SK_LEXICON_MAX_WORDS);
  if (!x->n_words)
    return perr(err, errlen, name, line, "an entry without a word");
  if ((kind == SEC_CLOSE || kind == SEC_CLOSE_ADULT || kind == SEC_CHILD) &&
      (x->n_words != 1 || x->also))
    return perr(err, errlen, name, line, "a relative is one word, without '='");
  if (x->n_words == 1 && kind == SEC_NEED &&
      (sks_is_stopword(x->words[0]) || strlen(x->words[0]) < 2))
    return perr(err, errlen, name, line, "'%s' is too short or a stop word: it would never match",
                x->words[0]);
  struct sk_buf b;
  sk_buf_init(&b, 256);
  int rc = SK_OK;
  for (size_t k = 0; k < x->n_words && !rc; k++)
    rc = sk_buf_printf(&b, "%s%s", k ? " " : "", x->words[k]);
  x->text = rc ? NULL : sk_arena_strdup(&lx->arena, sk_buf_str(&b));
  sk_buf_free(&b);
  if (!x->text)
    return SK_ENOMEM;
  x->kind = kind == SEC_PLACE                              ? SKS_LEX_PLACE
            : kind == SEC_CLOSE || kind == SEC_CLOSE_ADULT ? SKS_LEX_CLOSE
            : kind == SEC_CHILD                            ? SKS_LEX_CHILD
                                                           : SKS_LEX_NEED;
  x->ambiguous = (uint8_t)ambiguous;
  x->adult = kind == SEC_CLOSE_ADULT;
  x->line = line;
  x->codes = codes;
  x->n_codes = n_codes;
  x->needs = *mask;
  lx->n++;
  return SK_OK;
}

/* A need entry with a municipality's name in it never matches (a place is
 * taken from the query before the lexicon): refuse it. */
struct place_words {
  const char *w[64];
  size_t n;
  struct sk_arena *a;
};

static int take_place_word(void *ctx, const char *w, size_t n, size_t start, size_t end) {
  (void)start;
  (void)end;
  struct place_words *p = ctx;
  if (p->n < 64 && (p->w[p->n] = sk_arena_strndup(p->a, w, n)))
    p->n++;
  return 0;
}

static int check_places(struct sk_lexicon *lx, const char *name, char *err, size_t errlen) {
  struct place_words pw;
  pw.n = 0;
  pw.a = &lx->arena;
  for (size_t i = 0; i < lx->tax->n_terms; i++) {
    const struct sk_term *t = &lx->tax->terms[i];
    if (t->vocab == SK_VOCAB_MUNICIPALITY && t->label)
      sk_words(t->label, strlen(t->label), take_place_word, &pw);
  }
  for (size_t i = 0; i < lx->n; i++)
    if (lx->e[i].kind == SKS_LEX_PLACE && lx->e[i].n_words == 1 && pw.n < 64)
      pw.w[pw.n++] = lx->e[i].words[0];
  for (size_t i = 0; i < lx->n; i++) {
    const struct sks_lex_entry *x = &lx->e[i];
    if (x->kind != SKS_LEX_NEED)
      continue;
    for (size_t k = 0; k < x->n_words; k++)
      for (size_t j = 0; j < pw.n; j++)
        if (strcmp(x->words[k], pw.w[j]) == 0)
          return perr(err, errlen, name, x->line,
                      "'%s' names the place '%s': places are taken from a query on their own",
                      x->text, pw.w[j]);
  }
  return SK_OK;
}

/* Buckets by first stem, and no entry twice (the same words in two places
 * of the file would be an editing mistake: which needs win?). */
static int index_entries(struct sk_lexicon *lx, const char *name, char *err, size_t errlen) {
  uint32_t cap = 1024;
  while (cap < 2 * lx->n)
    cap *= 2;
  lx->mask = cap - 1;
  lx->bucket = malloc(cap * sizeof *lx->bucket);
  lx->need_ix = malloc((lx->n ? lx->n : 1) * sizeof *lx->need_ix);
  if (!lx->bucket || !lx->need_ix)
    return SK_ENOMEM;
  memset(lx->bucket, 0xff, cap * sizeof *lx->bucket);
  for (size_t i = 0; i < lx->n; i++) {
    struct sks_lex_entry *x = &lx->e[i];
    uint32_t h = (uint32_t)hash_str(x->stems[0]) & lx->mask;
    for (uint32_t j = lx->bucket[h]; j != UINT32_MAX; j = lx->e[j].next)
      if (lx->e[j].kind == x->kind && strcmp(lx->e[j].text, x->text) == 0)
        return perr(err, errlen, name, x->line, "'%s' is listed twice (also on line %d)", x->text,
                    lx->e[j].line);
    x->next = lx->bucket[h];
    lx->bucket[h] = (uint32_t)i;
    if (x->kind == SKS_LEX_NEED)
      lx->need_ix[lx->n_need++] = (uint32_t)i;
    if (x->kind == SKS_LEX_CLOSE && !lx->close_group)
      lx->close_group = x->codes[0];
    if (x->kind == SKS_LEX_CHILD && !lx->child_group)
      lx->child_group = x->codes[0];
  }
  return SK_OK;
}

int sk_lexicon_parse(const char *text, size_t len, const char *name, const struct sk_taxonomy *tax,
                     struct sk_lexicon **out, char *err, size_t errlen) {
  *out = NULL;
  if (err && errlen)
    err[0] = '\0';
  if (!tax || (!text && len))
    return perr(err, errlen, name, 0, "no lexicon or no taxonomy");
  struct sk_lexicon *lx = calloc(1, sizeof *lx);
  struct sk_stemmer *stem = sk_stemmer_new();
  if (!lx || !stem) {
    free(lx);
    sk_stemmer_free(stem);
    return SK_ENOMEM;
  }
  lx->tax = tax;
  size_t cap = 0;
  int rc = SK_OK, line = 0, kind = SEC_NONE, fallback_seen = 0;
  const char *const *codes = NULL;
  uint8_t n_codes = 0;
  struct sks_needmask mask = {{0, 0}};
  const char *p = text, *end = text + len;
  while (!rc && p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end, *ls = p;
    p = nl ? nl + 1 : end;
    line++;
    if ((size_t)(le - ls) > SK_LEXICON_MAX_LINE) {
      rc = perr(err, errlen, name, line, "line longer than %d bytes", SK_LEXICON_MAX_LINE);
      break;
    }
    if (memchr(ls, '\0', (size_t)(le - ls)) || !sk_utf8_valid(ls, (size_t)(le - ls))) {
      rc = perr(err, errlen, name, line, "not UTF-8 text");
      break;
    }
    trim(&ls, &le);
    if (ls == le || *ls == '#')
      continue;
    if (*ls == '[') {
      if (le[-1] != ']') {
        rc = perr(err, errlen, name, line, "a section header ends in ']'");
        break;
      }
      rc = parse_section(lx, ls + 1, le - 1, name, line, &kind, &codes, &n_codes, &mask, err,
                         errlen);
      if (!rc && kind == SEC_FALLBACK) {
        if (fallback_seen++)
          rc = perr(err, errlen, name, line, "a second [fallback] section");
        lx->fallback = mask;
      }
      continue;
    }
    if (kind == SEC_NONE) {
      rc = perr(err, errlen, name, line, "an entry before the first section");
    } else if (kind == SEC_FALLBACK) {
      rc = perr(err, errlen, name, line, "the [fallback] section has no entries");
    } else {
      rc = add_entry(lx, &cap, stem, ls, le, kind, line, codes, n_codes, &mask, name, err, errlen);
    }
  }
  sk_stemmer_free(stem);
  if (!rc)
    rc = index_entries(lx, name, err, errlen);
  if (!rc)
    rc = check_places(lx, name, err, errlen);
  if (!rc)
    rc = sks_lex_parts_build(lx);
  if (rc) {
    if (rc == SK_ENOMEM && err && errlen && !err[0])
      snprintf(err, errlen, "%s: out of memory", name ? name : "lexicon");
    sk_lexicon_free(lx);
    return rc;
  }
  *out = lx;
  return SK_OK;
}

int sk_lexicon_load(const char *path, const struct sk_taxonomy *tax, struct sk_lexicon **out,
                    char *err, size_t errlen) {
  *out = NULL;
  FILE *f = path ? fopen(path, "rb") : NULL;
  if (!f) {
    snprintf(err, errlen, "%s: cannot open", path ? path : "(null)");
    return SK_EIO;
  }
  struct sk_buf b;
  sk_buf_init(&b, (size_t)SK_LEXICON_MAX_ENTRIES * SK_LEXICON_MAX_LINE);
  char chunk[8192];
  size_t n;
  int rc = SK_OK;
  while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
    rc = sk_buf_add(&b, chunk, n);
  int bad = ferror(f);
  fclose(f);
  if (rc || bad) {
    sk_buf_free(&b);
    snprintf(err, errlen, "%s: %s", path, rc == SK_ETOOBIG ? "too big" : "cannot read");
    return rc == SK_ENOMEM ? rc : SK_EIO;
  }
  rc = sk_lexicon_parse(b.len ? sk_buf_str(&b) : "", b.len, path, tax, out, err, errlen);
  sk_buf_free(&b);
  return rc;
}

void sk_lexicon_free(struct sk_lexicon *lx) {
  if (!lx)
    return;
  free(lx->e);
  free(lx->bucket);
  free(lx->need_ix);
  free(lx->parts);
  free(lx->who);
  sk_arena_free(&lx->arena);
  free(lx);
}

size_t sk_lexicon_count(const struct sk_lexicon *lx) { return lx ? lx->n_need : 0; }

const char *sk_lexicon_entry(const struct sk_lexicon *lx, size_t i, int *line,
                             const char *const **needs, size_t *n_needs) {
  if (!lx || i >= lx->n_need)
    return NULL;
  const struct sks_lex_entry *x = &lx->e[lx->need_ix[i]];
  if (line)
    *line = x->line;
  if (needs)
    *needs = x->codes;
  if (n_needs)
    *n_needs = x->n_codes;
  return x->text;
}

/* Words that Dutch puts inside a phrase without changing what it is about:
 * possessives, articles, object pronouns, softeners and how long or how
 * often ("uit mijn huis gezet" is "uit huis gezet", "ik voel me zo alleen"
 * is "alleen voelen", "ik zorg al jaren voor mijn man" is "zorg voor mijn
 * man", "ik drink elke dag te veel" is "drink te veel").
 * Never a negation: "niet", "geen" change the meaning. Folded, sorted. */
static const char *const fillers[] = {
    "al",     "altijd", "avond", "dag",  "dat",   "de",      "deze", "die",  "dit",    "echt",
    "een",    "elke",   "erg",   "even", "haar",  "heel",    "hele", "hem",  "het",    "hun",
    "iedere", "jaren",  "je",    "jouw", "lang",  "maanden", "me",   "meer", "mij",    "mijn",
    "mn",     "nacht",  "nog",   "nu",   "ons",   "onze",    "ook",  "soms", "steeds", "tijd",
    "uw",     "vaak",   "wat",   "week", "weken", "wel",     "ze",   "zijn", "zo",     "zoveel"};

static int is_filler(const char *w) {
  size_t lo = 0, hi = sizeof fillers / sizeof fillers[0];
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(w, fillers[mid]);
    if (c == 0)
      return 1;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return 0;
}

/* Word j of a query as a filler: "nog" before a negation is none ("kan nog
 * niet alleen wonen", not yet, is not "kan niet alleen wonen", no more). */
static int filler_at(const char *const *folded, size_t n, size_t j) {
  if (!is_filler(folded[j]))
    return 0;
  return !(strcmp(folded[j], "nog") == 0 && j + 1 < n &&
           (strcmp(folded[j + 1], "niet") == 0 || strcmp(folded[j + 1], "geen") == 0 ||
            strcmp(folded[j + 1], "nooit") == 0));
}

/* At most this many filler words inside one match. */
#define LEX_MAX_GAPS 3

/* Stem q of a query word against stem e of an entry's verb: the same but
 * for the last sound Dutch spells two ways ("leef"/"leven": lef/lev,
 * "lees"/"lezen": les/lez), or q a stem ending in a vowel whose infinitive
 * adds -n ("zie"/"zien", "ga"/"gaan": ga/gan). */
static int verb_alike(const char *q, const char *e) {
  size_t ql = strlen(q), el = strlen(e);
  if (ql < 3 || el < 3) /* not "of" for "ov" */
    return 0;
  if (ql == el && strncmp(q, e, ql - 1) == 0) {
    char a = q[ql - 1], b = e[el - 1];
    return (a == 'f' && b == 'v') || (a == 's' && b == 'z');
  }
  return el == ql + 1 && e[ql] == 'n' && strncmp(q, e, ql) == 0 && strchr("aeiou", q[ql - 1]);
}

/* Query word (folded, its stem, the stem without a verb's -t or "") as
 * entry word k: written the same, the same stem, or (need entries) the
 * same verb in another person ("woont", "loopt", "ziet" for "wonen",
 * "lopen", "zien"). */
static int word_is(const struct sks_lex_entry *x, size_t k, const char *folded, const char *stem,
                   const char *stem_t) {
  if (strcmp(folded, x->words[k]) == 0 || strcmp(stem, x->stems[k]) == 0)
    return 1;
  if (x->kind != SKS_LEX_NEED)
    return 0;
  if (stem_t && *stem_t && (strcmp(stem_t, x->stems[k]) == 0 || verb_alike(stem_t, x->stems[k])))
    return 1;
  return verb_alike(stem, x->stems[k]);
}

/* "niet goed" at word j, as Dutch says "slecht": "ik kan niet (meer, zo)
 * goed lopen" is "slecht lopen", "ik hoor niet goed" is "slecht horen".
 * The number of words it covers, or 0. */
static size_t not_well(const char *const *folded, const uint8_t *ok, size_t n, size_t j) {
  if (j >= n || !ok[j] || strcmp(folded[j], "niet") != 0)
    return 0;
  size_t t = j + 1;
  while (t < n && t <= j + 2 && ok[t] &&
         (!strcmp(folded[t], "meer") || !strcmp(folded[t], "zo") || !strcmp(folded[t], "echt") ||
          !strcmp(folded[t], "heel") || !strcmp(folded[t], "erg")))
    t++;
  return t < n && ok[t] && strcmp(folded[t], "goed") == 0 ? t - j + 1 : 0;
}

/* Entry word k at query word j: the number of query words it covers (1, or
 * more for "niet goed" as "slecht"), or 0. */
static size_t word_at(const struct sks_lex_entry *x, size_t k, const char *const *folded,
                      const char *const *stems, const char *const *stems_t, const uint8_t *ok,
                      size_t n, size_t j) {
  if (j >= n || !ok[j])
    return 0;
  if (word_is(x, k, folded[j], stems[j], stems_t ? stems_t[j] : NULL))
    return 1;
  return strcmp(x->words[k], "slecht") == 0 ? not_well(folded, ok, n, j) : 0;
}

/* Entry x against the words from i in the entry's order, fillers skipped
 * between its words; the number of query words covered, or 0. */
static size_t match_forward(const struct sks_lex_entry *x, const char *const *folded,
                            const char *const *stems, const char *const *stems_t, const uint8_t *ok,
                            size_t n, size_t i) {
  size_t j = i, gaps = 0;
  for (size_t k = 0; k < x->n_words; k++) {
    while (k > 0 && j < n && ok[j] && !word_at(x, k, folded, stems, stems_t, ok, n, j) &&
           filler_at(folded, n, j) && gaps < LEX_MAX_GAPS)
      j++, gaps++;
    size_t cov = word_at(x, k, folded, stems, stems_t, ok, n, j);
    if (!cov)
      return 0;
    j += cov;
  }
  return j - i;
}

/* A two-word entry with its words the other way round, as Dutch word order
 * puts them ("werk zoeken": "ik zoek werk"; "alleen voelen": "ik voel me
 * alleen"), fillers skipped between them; covered words, or 0. */
static size_t match_swapped(const struct sks_lex_entry *x, const char *const *folded,
                            const char *const *stems, const char *const *stems_t, const uint8_t *ok,
                            size_t n, size_t i) {
  if (x->n_words != 2 || !word_is(x, 1, folded[i], stems[i], stems_t ? stems_t[i] : NULL))
    return 0;
  for (size_t j = i + 1, gaps = 0; j < n && ok[j]; j++) {
    size_t cov = word_at(x, 0, folded, stems, stems_t, ok, n, j);
    if (cov)
      return j - i + cov;
    if (!filler_at(folded, n, j) || ++gaps > LEX_MAX_GAPS)
      return 0;
  }
  return 0;
}

/* Particles of Dutch separable verbs, folded, sorted. In a main clause the
 * particle stands apart, at the end of the clause: "ik kom niet rond"
 * (rondkomen), "wie vult mijn formulier in" (invullen), "ik maak het huis
 * niet meer schoon" (schoonmaken). */
static const char *const particles[] = {"aan",    "af",    "bij", "buiten", "door", "in",   "kwijt",
                                        "langs",  "mee",   "na",  "om",     "op",   "over", "rond",
                                        "schoon", "terug", "toe", "uit",    "vast", "weg"};
/* Words that end a clause, so a particle before them ends it too. */
static const char *const clause_ends[] = {"en", "maar", "of", "omdat", "want"};
/* Prepositions of a phrase Dutch puts after the particle. */
static const char *const after_particle[] = {"bij", "met", "naar", "voor"};

static int in_list(const char *w, const char *const *list, size_t n) {
  for (size_t k = 0; k < n; k++)
    if (strcmp(w, list[k]) == 0)
      return 1;
  return 0;
}

/* How far after the verb its particle may stand ("vul het formulier van de
 * belastingdienst in" is far enough). */
#define LEX_SEP_REACH 6

/* A one-word need entry that is the verb at i joined with a particle later
 * in the same clause: "rond" + "kom" is the stem of "rondkomen". The verb's
 * stem, and its stem without the -t of "hij komt", are tried. NULL if none;
 * else *particle is the particle's index. */
static const struct sks_lex_entry *separable(const struct sk_lexicon *lx, const char *const *folded,
                                             const char *const *stems, const char *const *stems_t,
                                             const uint8_t *ok, size_t n, size_t i,
                                             size_t *particle) {
  size_t vl = strlen(stems[i]);
  if (vl < 2 || vl > 24 || in_list(folded[i], particles, sizeof particles / sizeof particles[0]))
    return NULL;
  for (size_t j = i + 1; j < n && j <= i + LEX_SEP_REACH; j++) {
    if (in_list(folded[j], clause_ends, sizeof clause_ends / sizeof clause_ends[0]))
      return NULL;
    if (!ok[j] || !in_list(folded[j], particles, sizeof particles / sizeof particles[0]))
      continue;
    /* the particle ends the clause: the last word, or before a conjunction
     * or the preposition of a phrase put after it ("ik meld me aan bij de
     * voedselbank") */
    if (j + 1 < n &&
        !in_list(folded[j + 1], clause_ends, sizeof clause_ends / sizeof clause_ends[0]) &&
        !in_list(folded[j + 1], after_particle, sizeof after_particle / sizeof after_particle[0]))
      continue;
    /* the verb's stem, the stem without the -t of "hij komt", and the
     * stem of the word without its -t ("betaalt": betal) */
    for (int form = 0; form < 3; form++) {
      const char *vs = stems[i];
      size_t l = vl;
      if (form == 1) {
        if (stems[i][l - 1] != 't')
          continue;
        l--;
      } else if (form == 2) {
        if (!stems_t || !stems_t[i] || !*stems_t[i])
          continue;
        vs = stems_t[i];
        l = strlen(vs);
      }
      char key[48];
      int kn = snprintf(key, sizeof key, "%s%.*s", folded[j], (int)l, vs);
      if (kn < 0 || (size_t)kn >= sizeof key)
        continue;
      uint32_t h = (uint32_t)hash_str(key) & lx->mask;
      for (uint32_t e = lx->bucket[h]; e != UINT32_MAX; e = lx->e[e].next) {
        const struct sks_lex_entry *x = &lx->e[e];
        if (x->kind == SKS_LEX_NEED && x->n_words == 1 && strcmp(x->stems[0], key) == 0) {
          *particle = j;
          return x;
        }
      }
    }
    return NULL;
  }
  return NULL;
}

/* The stems under which entries starting at query word j are bucketed:
 * its stem, "slecht" for "niet goed", and the verb's other forms
 * (word_is): the stem without -t, f/v and s/z, a vowel stem with -n. */
struct lex_keys {
  char key[8][SK_TOKEN_MAX + 8];
  size_t n;
};

static void add_key(struct lex_keys *ks, const char *k, size_t kl, const char *tail) {
  if (ks->n == sizeof ks->key / sizeof ks->key[0] || kl + strlen(tail) >= sizeof ks->key[0])
    return;
  snprintf(ks->key[ks->n], sizeof ks->key[0], "%.*s%s", (int)kl, k, tail);
  for (size_t q = 0; q < ks->n; q++)
    if (strcmp(ks->key[q], ks->key[ks->n]) == 0)
      return;
  ks->n++;
}

static void verb_keys(struct lex_keys *ks, const char *st) {
  size_t l = strlen(st);
  if (l < 2)
    return;
  add_key(ks, st, l, "");
  if (st[l - 1] == 'f')
    add_key(ks, st, l - 1, "v");
  else if (st[l - 1] == 's')
    add_key(ks, st, l - 1, "z");
  else if (strchr("aeiou", st[l - 1]))
    add_key(ks, st, l, "n");
}

static void first_word_keys(const char *const *folded, const char *const *stems,
                            const char *const *stems_t, const uint8_t *ok, size_t n, size_t j,
                            struct lex_keys *ks) {
  ks->n = 0;
  add_key(ks, stems[j], strlen(stems[j]), "");
  if (not_well(folded, ok, n, j))
    add_key(ks, "slecht", 6, "");
  verb_keys(ks, stems[j]);
  if (stems_t && stems_t[j] && *stems_t[j])
    verb_keys(ks, stems_t[j]);
}

const struct sks_lex_entry *sks_lex_longest(const struct sk_lexicon *lx, const char *const *folded,
                                            const char *const *stems, const char *const *stems_t,
                                            const uint8_t *ok, size_t n, size_t i,
                                            struct sks_lex_match *m) {
  memset(m, 0, sizeof *m);
  if (!lx || i >= n || !ok[i] || !lx->bucket)
    return NULL;
  const struct sks_lex_entry *best = NULL;
  size_t best_span = 0;
  struct lex_keys ks;
  first_word_keys(folded, stems, stems_t, ok, n, i, &ks);
  int best_exact =
      0; /* of two entries as long, the one written as typed ("afval", not "afvallen") */
  for (size_t q = 0; q < ks.n; q++) {
    uint32_t h = (uint32_t)hash_str(ks.key[q]) & lx->mask;
    for (uint32_t j = lx->bucket[h]; j != UINT32_MAX; j = lx->e[j].next) {
      const struct sks_lex_entry *x = &lx->e[j];
      int exact = strcmp(x->words[0], folded[i]) == 0;
      if ((best && (x->n_words < best->n_words ||
                    (x->n_words == best->n_words && (best_exact || !exact)))) ||
          x->kind == SKS_LEX_CLOSE || x->kind == SKS_LEX_CHILD)
        continue;
      size_t got = match_forward(x, folded, stems, stems_t, ok, n, i);
      if (got)
        best = x, best_span = got, best_exact = exact;
    }
  }
  /* the swapped order: entries whose first word comes after word i; a
   * longer entry in the written order wins */
  for (size_t f = i + 1;
       f < n && f <= i + 1 + LEX_MAX_GAPS && (!best || best->n_words < 2) && ok[f]; f++) {
    first_word_keys(folded, stems, stems_t, ok, n, f, &ks);
    for (size_t q = 0; q < ks.n; q++) {
      uint32_t hf = (uint32_t)hash_str(ks.key[q]) & lx->mask;
      for (uint32_t j = lx->bucket[hf]; j != UINT32_MAX; j = lx->e[j].next) {
        const struct sks_lex_entry *x = &lx->e[j];
        size_t got = x->kind == SKS_LEX_NEED ? match_swapped(x, folded, stems, stems_t, ok, n, i)
                                             : 0;
        if (got && (!best || x->n_words > best->n_words))
          best = x, best_span = got;
      }
    }
    if (!filler_at(folded, n, f))
      break;
  }
  /* a separable verb with its particle at the end of the clause ("ik kom
   * niet rond": rondkomen; "vul het formulier in": invullen) */
  if (!best && (best = separable(lx, folded, stems, stems_t, ok, n, i, &m->particle))) {
    best_span = 1;
    m->how = SKS_LEX_SEPARABLE;
  }
  /* a compound of need words that the file does not list ("gokprobleem") */
  if (!best && (best = sks_lex_compound(lx, folded[i]))) {
    best_span = 1;
    m->how = SKS_LEX_COMPOUND;
  }
  m->entry = best;
  m->span = best_span;
  return best;
}

int sks_lex_relative(const struct sk_lexicon *lx, const char *folded, const char *stem,
                     const char **tg, int *adult) {
  *tg = NULL;
  *adult = 0;
  if (!lx || !lx->bucket)
    return 0;
  uint32_t h = (uint32_t)hash_str(stem) & lx->mask;
  for (uint32_t j = lx->bucket[h]; j != UINT32_MAX; j = lx->e[j].next) {
    const struct sks_lex_entry *x = &lx->e[j];
    if ((x->kind == SKS_LEX_CLOSE || x->kind == SKS_LEX_CHILD) &&
        (strcmp(x->words[0], folded) == 0 || strcmp(x->stems[0], stem) == 0)) {
      *tg = x->codes[0];
      *adult = x->adult;
      return x->kind;
    }
  }
  return 0;
}

const char *sks_lex_child_group(const struct sk_lexicon *lx) { return lx ? lx->child_group : NULL; }

const char *sks_lex_close_group(const struct sk_lexicon *lx) { return lx ? lx->close_group : NULL; }

/* ---- one parsed built-in lexicon per taxonomy, shared by the process ---- */
struct shared_lex {
  struct shared_lex *next;
  const struct sk_taxonomy *tax;
  struct sk_lexicon *lx;
  int refs;
};
static pthread_mutex_t g_lex_mu = PTHREAD_MUTEX_INITIALIZER;
static struct shared_lex *g_lex;

const struct sk_lexicon *sks_lex_acquire(const struct sk_taxonomy *tax, char *err, size_t errlen) {
  pthread_mutex_lock(&g_lex_mu);
  struct shared_lex *x = g_lex;
  while (x && x->tax != tax)
    x = x->next;
  if (!x) {
    size_t len;
    const char *text = sk_lexicon_builtin(&len);
    struct sk_lexicon *lx = NULL;
    x = calloc(1, sizeof *x);
    if (!x || sk_lexicon_parse(text, len, "feeds/lexicon.txt", tax, &lx, err, errlen) != SK_OK) {
      free(x);
      pthread_mutex_unlock(&g_lex_mu);
      return NULL;
    }
    x->tax = tax;
    x->lx = lx;
    x->next = g_lex;
    g_lex = x;
  }
  x->refs++;
  pthread_mutex_unlock(&g_lex_mu);
  return x->lx;
}

void sks_lex_release(const struct sk_lexicon *lx) {
  if (!lx)
    return;
  pthread_mutex_lock(&g_lex_mu);
  for (struct shared_lex **pp = &g_lex; *pp; pp = &(*pp)->next)
    if ((*pp)->lx == lx) {
      struct shared_lex *x = *pp;
      if (--x->refs == 0) {
        *pp = x->next;
        sk_lexicon_free(x->lx);
        free(x);
      }
      break;
    }
  pthread_mutex_unlock(&g_lex_mu);
}

/* ---- similarity of a query word to the needs ---- */
static uint32_t byte_mask(const char *w, size_t n) {
  uint32_t m = 0;
  for (size_t i = 0; i < n; i++)
    m |= 1u << ((unsigned char)w[i] & 31);
  return m;
}

static int simword_add(struct sk_searcher *s, size_t *cap, const char *x, const char *xstem,
                       uint32_t owner, int is_phrase) {
  if (s->n_simw == *cap) {
    size_t nc = *cap ? *cap * 2 : 256;
    struct sks_simword *n = realloc(s->simw, nc * sizeof *n);
    if (!n)
      return SK_ENOMEM;
    s->simw = n;
    *cap = nc;
  }
  size_t xl = strlen(x);
  struct sks_simword *y = &s->simw[s->n_simw++];
  y->x = x;
  y->xstem = xstem;
  y->xl = (uint16_t)(xl < UINT16_MAX ? xl : UINT16_MAX);
  y->mask = byte_mask(x, xl);
  y->owner = owner;
  y->is_phrase = (uint8_t)is_phrase;
  y->last = 0;
  return SK_OK;
}

int sks_simwords_build(struct sk_searcher *s) {
  size_t cap = 0;
  const struct sk_lexicon *lx = s->lex;
  for (size_t i = 0; lx && i < lx->n; i++) {
    const struct sks_lex_entry *x = &lx->e[i];
    if (x->kind != SKS_LEX_NEED || !x->n_words)
      continue;
    for (size_t k = 0; k < x->n_words; k++)
      if (simword_add(s, &cap, x->words[k], x->stems[k], (uint32_t)i, 0))
        return SK_ENOMEM;
    s->simw[s->n_simw - 1].last = 1;
  }
  for (size_t p = 0; p < s->n_phrases; p++) {
    const struct sks_phrase *ph = &s->phrases[p];
    if (ph->vocab != SK_VOCAB_NEED || ph->term->crisis || !ph->n)
      continue;
    for (size_t k = 0; k < ph->n; k++)
      if (simword_add(s, &cap, ph->words[k], ph->stems[k], (uint32_t)p, 1))
        return SK_ENOMEM;
    s->simw[s->n_simw - 1].last = 1;
  }
  return SK_OK;
}

void sks_simwords_free(struct sk_searcher *s) {
  free(s->simw);
  s->simw = NULL;
  s->n_simw = 0;
}

/* ---- similarity of a query word to the needs ----
 * Called for every need word (sks_simword) per query word of a query that
 * found nothing: the cheap tests decide most words. wm: byte_mask(w). */
static float word_sim(const char *w, size_t wl, uint32_t wm, const char *stem,
                      const struct sks_simword *y) {
  if (sks_streq(stem, y->xstem))
    return 1.0f;
  const char *x = y->x;
  size_t xl = y->xl;
  if (xl < 4)
    return 0;
  if (w[0] == x[0]) {
    size_t common = 1;
    while (common < wl && common < xl && w[common] == x[common])
      common++;
    if (common >= 5)
      return 0.8f;
  }
  /* One word inside the other: every byte of the inner one is in the outer. */
  if ((xl >= 5 && wl > xl && !(y->mask & ~wm) && memmem(w, wl, x, xl)) ||
      (wl >= 5 && xl > wl && !(wm & ~y->mask) && memmem(x, xl, w, wl)))
    return 0.8f;
  size_t mx = wl > xl ? wl : xl;
  /* an edit in a short word changes it (dood/doof): 5+ letters only */
  if (wl < 5 || (wl > xl ? wl - xl : xl - wl) > 2 || w[0] != x[0])
    return 0;
  int d = sks_damerau(w, wl, x, xl, 2);
  if (d > 2)
    return 0;
  float sim = 1.0f - (float)d / (float)mx;
  return sim >= 0.6f ? sim : 0;
}

void sks_lex_similar(const struct sk_searcher *s, const char *w, size_t wl, const char *stem,
                     float *best) {
  if (wl < 4 || wl > 40)
    return;
  uint32_t wm = byte_mask(w, wl);
  float m = 0;
  for (size_t i = 0; i < s->n_simw; i++) {
    const struct sks_simword *y = &s->simw[i];
    float v = word_sim(w, wl, wm, stem, y);
    if (v > m)
      m = v;
    if (!y->last)
      continue;
    /* the owner's words are done: its best word counts */
    size_t n_words = y->is_phrase ? s->phrases[y->owner].n : s->lex->e[y->owner].n_words;
    if (m > 0 && n_words > 1)
      m = wl < 5 ? 0 : m * 0.9f; /* one word of a phrase: not a short one ("dood") */
    if (m > 0) {
      if (y->is_phrase) {
        int b = s->phrases[y->owner].idx;
        if (m > best[b])
          best[b] = m;
      } else {
        const struct sks_lex_entry *x = &s->lex->e[y->owner];
        for (int b = 0; b < SKS_MAX_NEEDS; b++)
          if ((x->needs.w[b >> 6] >> (b & 63) & 1) && m > best[b])
            best[b] = m;
      }
    }
    m = 0;
  }
}
