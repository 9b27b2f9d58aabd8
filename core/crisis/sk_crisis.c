#include "sk_crisis.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_buf.h"
#include "sk_err.h"
#include "sk_fold.h"

/*
 * How it works. The data file defines word sets ("die": dood, sterven,
 * doodgaan, ...) and patterns: a kind and up to SK_CRISIS_MAX_SLOTS slots,
 * each slot a union of sets. A pattern matches when every slot is filled by
 * a different word of the query, in any order, all within `window` words.
 * At load every form of every set is folded and put in one hash table; a
 * query word is looked up once (as written, with letter runs collapsed, and
 * each of its prefixes for the prefix forms), giving a bitmap of the sets it
 * belongs to. Two adjacent words are also looked up as one ("zelf moord" is
 * "zelfmoord", "dood gaan" is "doodgaan"). Matching a pattern is then a few
 * bitmap tests and, only when every slot has a candidate, a small search
 * for distinct positions within the window.
 */

#define WORD_MAX 64 /* bytes of a folded word, NUL included */
#define SETW (SK_CRISIS_MAX_SETS / 64)
#define MIN_PREFIX 3
#define MAX_TOKENS 256 /* words and joined runs that are in some set */
#define SLOT_CANDS                                                                                 \
  MAX_TOKENS       /* every token may be a candidate; the window and the budget bound the search */
#define JOIN_MAX 4 /* words looked up as one */
#define PLACE_BUDGET 2000 /* position choices per pattern and check */

struct bits {
  uint64_t w[SETW];
};

enum { F_PREFIX = 1, F_NEG = 2, F_FUZZY = 4 };

struct entry {
  uint32_t form; /* offset of the folded form in the pool */
  uint16_t set;
  uint8_t flags;
  int32_t next; /* next entry with the same form, -1 */
};

struct pattern {
  char *id;
  unsigned kinds;
  size_t n_slots;
  struct bits slot[SK_CRISIS_MAX_SLOTS];
  struct bits unless;
  int has_unless;
  int only; /* every other word must be in `filler` */
  struct bits filler;
  int window;
};

struct kind_rule {
  unsigned bit;
  size_t lines[SK_CRISIS_MAX_LINES];
  size_t n_lines;
  /* the people of this kind of crisis ("mijn ex", "mijn man"): when it
   * matched, their words in the query are the crisis's words too */
  struct bits actors;
  int has_actors;
  /* words of offerings never to list under this kind (mediation under
   * violence: it presumes two equal sides); folded, owned */
  char *never[SK_CRISIS_MAX_NEVER];
  size_t n_never;
};

struct need_rule {
  char *code;
  unsigned kinds;
};

struct sk_crisis {
  char *src;
  size_t src_len;
  /* sets */
  char *set_names[SK_CRISIS_MAX_SETS];
  size_t n_sets;
  /* the set named "joined_not", or -1: forms that adjacent words joined
   * never stand for ("met een" is not "meteen", "in een" not "ineen") */
  int joined_not;
  struct entry *entries;
  size_t n_entries, cap_entries;
  char *pool; /* every form, NUL-terminated, one after the other (few allocations) */
  size_t pool_len, pool_cap;
  int32_t *table; /* open addressing: entry index of the first entry of a form, -1 */
  size_t table_mask;
  size_t *fuzzy; /* entry indexes of fuzzy forms */
  size_t n_fuzzy;
  struct pattern *patterns;
  size_t n_patterns;
  struct kind_rule kinds[SK_CRISIS_N_KINDS];
  size_t n_kinds;
  struct sk_crisis_line *lines;
  size_t n_lines;
  size_t always[SK_CRISIS_MAX_LINES];
  size_t n_always;
  struct need_rule *needs;
  size_t n_needs;
};

static const char *const kind_names[SK_CRISIS_N_KINDS] = {"danger", "suicide", "violence"};

const char *sk_crisis_kind_name(unsigned kind) {
  for (int i = 0; i < SK_CRISIS_N_KINDS; i++)
    if (kind == 1u << i)
      return kind_names[i];
  return NULL;
}

static unsigned kind_parse(const char *s) {
  for (int i = 0; s && i < SK_CRISIS_N_KINDS; i++)
    if (strcmp(s, kind_names[i]) == 0)
      return 1u << i;
  return 0;
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return rc;
}

void sk_crisis_free(struct sk_crisis *c) {
  if (!c)
    return;
  for (size_t k = 0; k < c->n_kinds; k++)
    for (size_t j = 0; j < c->kinds[k].n_never; j++)
      free(c->kinds[k].never[j]);
  free(c->src);
  for (size_t i = 0; i < c->n_sets; i++)
    free(c->set_names[i]);
  free(c->pool);
  free(c->entries);
  free(c->table);
  free(c->fuzzy);
  for (size_t i = 0; i < c->n_patterns; i++)
    free(c->patterns[i].id);
  free(c->patterns);
  for (size_t i = 0; i < c->n_lines; i++) {
    struct sk_crisis_line *l = &c->lines[i];
    free((char *)l->key);
    free((char *)l->id);
    free((char *)l->name);
    free((char *)l->number);
    free((char *)l->number_note);
    free((char *)l->number2);
    free((char *)l->number2_note);
    free((char *)l->chat);
    free((char *)l->url);
    free((char *)l->note);
    free((char *)l->offering);
    free((char *)l->offering_feed);
  }
  free(c->lines);
  for (size_t i = 0; i < c->n_needs; i++)
    free(c->needs[i].code);
  free(c->needs);
  free(c);
}

/* ---- words ---- */

static uint32_t hash_bytes(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

/* Fold one form or word: lower case, no diacritics, only letters and
 * digits kept (apostrophes, hyphens and spaces dropped: "m'n" is "mn",
 * "zelf-moord" and "zelf moord" are "zelfmoord"). 0 when it does not fit. */
static int fold_form(const char *s, size_t n, char out[WORD_MAX], size_t *outlen) {
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    size_t k = sk_utf8_decode(s + i, n - i, &cp);
    if (!k) {
      i++;
      continue;
    }
    i += k;
    if (!sk_is_word_cp(cp))
      continue;
    char f[4];
    size_t fl = sk_fold_cp(cp, f);
    if (!fl)
      fl = sk_utf8_encode(cp, f);
    if (o + fl >= WORD_MAX)
      return 0;
    memcpy(out + o, f, fl);
    o += fl;
  }
  out[o] = 0;
  *outlen = o;
  return o > 0;
}

static int32_t table_find(const struct sk_crisis *c, const char *s, size_t n, uint32_t h) {
  for (size_t i = h & c->table_mask;; i = (i + 1) & c->table_mask) {
    int32_t e = c->table[i];
    if (e < 0)
      return -1;
    const char *f = c->pool + c->entries[e].form;
    if (strncmp(f, s, n) == 0 && f[n] == 0)
      return e;
  }
}

/* Damerau-Levenshtein distance of a and b is at most 1. */
static int within_one(const char *a, size_t na, const char *b, size_t nb) {
  if (na > nb + 1 || nb > na + 1)
    return 0;
  size_t i = 0;
  while (i < na && i < nb && a[i] == b[i])
    i++;
  if (i == na && i == nb)
    return 1;
  if (na == nb) {
    if (strcmp(a + i + 1, b + i + 1) == 0)
      return 1; /* substitution */
    return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] && strcmp(a + i + 2, b + i + 2) == 0;
  }
  return na > nb ? strcmp(a + i + 1, b + i) == 0 : strcmp(a + i, b + i + 1) == 0;
}

static void bits_set(struct bits *b, unsigned i) { b->w[i >> 6] |= 1ull << (i & 63); }
static int bits_any(const struct bits *a, const struct bits *b) {
  uint64_t x = 0;
  for (int i = 0; i < SETW; i++)
    x |= a->w[i] & b->w[i];
  return x != 0;
}

/* The sets word w[0..n) belongs to. For a run of joined words a prefix
 * form counts only when it ends inside the last word (prefix_from): else
 * "geweld*" would take "geweld in films" as one word. */
static void word_sets(const struct sk_crisis *c, const char *w, size_t n, size_t prefix_from,
                      struct bits *out) {
  struct bits pos = {{0}}, neg = {{0}};
  uint32_t h = 2166136261u;
  for (size_t k = 1; k <= n; k++) {
    h = (h ^ (unsigned char)w[k - 1]) * 16777619u;
    if (k < MIN_PREFIX && k < n)
      continue;
    for (int32_t e = table_find(c, w, k, h); e >= 0; e = c->entries[e].next) {
      const struct entry *en = &c->entries[e];
      if (k < n && (!(en->flags & F_PREFIX) || k <= prefix_from))
        continue;
      bits_set((en->flags & F_NEG) ? &neg : &pos, en->set);
    }
  }
  if (n >= 6)
    for (size_t i = 0; i < c->n_fuzzy; i++) {
      const struct entry *en = &c->entries[c->fuzzy[i]];
      const char *f = c->pool + en->form;
      if (within_one(w, n, f, strlen(f)))
        bits_set(&pos, en->set);
    }
  for (int i = 0; i < SETW; i++)
    out->w[i] |= pos.w[i] & ~neg.w[i];
}

/* Runs of three or more of a letter ("dooood", "help!!!") collapsed to
 * two (max2 = 1) or one. 0 when there was no such run. */
static int collapse(const char *w, size_t n, int max2, char out[WORD_MAX], size_t *on) {
  size_t o = 0;
  int any = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && w[j] == w[i])
      j++;
    size_t keep = j - i;
    if (keep >= 3) {
      any = 1;
      keep = max2 ? 2 : 1;
    }
    for (size_t k = 0; k < keep; k++)
      out[o++] = w[i];
    i = j;
  }
  out[o] = 0;
  *on = o;
  return any;
}

struct token {
  int start, end; /* word positions */
  struct bits sets;
};

struct qwords {
  char w[SK_CRISIS_MAX_WORDS][WORD_MAX];
  size_t len[SK_CRISIS_MAX_WORDS];
  size_t n;
};

static void split_words(const char *text, size_t len, struct qwords *q) {
  q->n = 0;
  size_t o = 0;
  int skip = 0; /* a word too long to be one we know */
  for (size_t i = 0; i <= len && q->n < SK_CRISIS_MAX_WORDS;) {
    uint32_t cp = 0;
    size_t k = 0;
    if (i < len) {
      k = sk_utf8_decode(text + i, len - i, &cp);
      if (!k) {
        i++;
        continue;
      }
    }
    /* an apostrophe inside a word joins it: "m'n", "z'n", "d'r" */
    int apos = k && (cp == '\'' || cp == 0x2019) && o > 0;
    if (k && (sk_is_word_cp(cp) || apos)) {
      i += k;
      if (apos || skip)
        continue;
      char f[4];
      size_t fl = sk_fold_cp(cp, f);
      if (!fl)
        fl = sk_utf8_encode(cp, f);
      if (o + fl >= WORD_MAX) {
        skip = 1;
        o = 0;
        continue;
      }
      memcpy(q->w[q->n] + o, f, fl);
      o += fl;
      continue;
    }
    if (o) {
      q->w[q->n][o] = 0;
      q->len[q->n++] = o;
    }
    o = 0;
    skip = 0;
    i += k ? k : 1;
  }
}

/* ---- matching ---- */

struct search {
  const struct pattern *p;
  const struct token *tok;
  size_t n_words;
  const struct bits *word_sets; /* per word position (single words) */
  int cand[SK_CRISIS_MAX_SLOTS][SLOT_CANDS];
  int n_cand[SK_CRISIS_MAX_SLOTS];
  int chosen[SK_CRISIS_MAX_SLOTS];
  long budget; /* steps left for this pattern (PLACE_BUDGET) */
};

static int assignment_ok(const struct search *s) {
  const struct pattern *p = s->p;
  /* the window counts a run of joined words ("zelf moord") as one word */
  int lo = 1 << 30, hi = -1, joined = 0;
  for (size_t i = 0; i < p->n_slots; i++) {
    const struct token *t = &s->tok[s->chosen[i]];
    if (t->start < lo)
      lo = t->start;
    if (t->end > hi)
      hi = t->end;
    joined += t->end - t->start;
  }
  if (hi - lo - joined > p->window)
    return 0;
  if (!p->only)
    return 1;
  for (size_t w = 0; w < s->n_words; w++) {
    int used = 0;
    for (size_t i = 0; i < p->n_slots && !used; i++)
      used = s->tok[s->chosen[i]].start <= (int)w && (int)w <= s->tok[s->chosen[i]].end;
    if (!used && !bits_any(&s->word_sets[w], &p->filler))
      return 0;
  }
  return 1;
}

/* Choose a token for each slot from `slot` on: distinct words, and the
 * partial span already within the window (it only grows, so a choice that
 * breaks it is dropped at once). lo/hi/joined describe the slots chosen so
 * far. s->budget bounds the work on a crafted query ("wil wil wil ... er er
 * er ..."): when it runs out the pattern counts as not matched. */
static int place(struct search *s, size_t slot, int lo, int hi, int joined) {
  if (slot == s->p->n_slots)
    return assignment_ok(s);
  for (int k = 0; k < s->n_cand[slot]; k++) {
    if (s->budget-- <= 0)
      return 0;
    const struct token *t = &s->tok[s->cand[slot][k]];
    int clash = 0;
    for (size_t j = 0; j < slot && !clash; j++) {
      const struct token *u = &s->tok[s->chosen[j]];
      clash = t->start <= u->end && u->start <= t->end;
    }
    if (clash)
      continue;
    int nlo = t->start < lo ? t->start : lo, nhi = t->end > hi ? t->end : hi;
    int nj = joined + t->end - t->start;
    if (nhi - nlo - nj > s->p->window)
      continue;
    s->chosen[slot] = s->cand[slot][k];
    if (place(s, slot + 1, nlo, nhi, nj))
      return 1;
  }
  return 0;
}

/* Word w of a match, once, when it fits. */
static void keep_word(struct sk_crisis_match *m, const char *w, size_t n) {
  if (n == 0 || n >= SK_CRISIS_MATCH_WORD_MAX || m->n_words >= SK_CRISIS_MATCH_WORDS)
    return;
  for (unsigned i = 0; i < m->n_words; i++)
    if (strlen(m->words[i]) == n && memcmp(m->words[i], w, n) == 0)
      return;
  memcpy(m->words[m->n_words], w, n);
  m->words[m->n_words++][n] = '\0';
}

int sk_crisis_check(const struct sk_crisis *c, const char *text, size_t len,
                    struct sk_crisis_match *m) {
  if (!c || !m)
    return SK_EINVAL;
  memset(m, 0, sizeof *m);
  if (!text || !len)
    return SK_OK;
  if (len > SK_CRISIS_Q_MAX)
    len = SK_CRISIS_Q_MAX;
  /* On the stack (about 70 KB with 1,024 sets): the check allocates nothing, so it has no
   * way to fail. Words that are in no set make no token. */
  struct qwords qw;
  struct qwords *q = &qw;
  struct token tok[MAX_TOKENS];
  struct bits ws[SK_CRISIS_MAX_WORDS];
  split_words(text, len, q);
  size_t nt = 0;
  struct bits any = {{0}};
  for (size_t i = 0; i < q->n; i++) {
    struct bits *b = &ws[i];
    memset(b, 0, sizeof *b);
    word_sets(c, q->w[i], q->len[i], 0, b);
    char alt[WORD_MAX];
    size_t an;
    for (int max2 = 1; max2 >= 0; max2--)
      if (collapse(q->w[i], q->len[i], max2, alt, &an))
        word_sets(c, alt, an, 0, b);
    int some = 0;
    for (int k = 0; k < SETW; k++) {
      any.w[k] |= b->w[k];
      some |= b->w[k] != 0;
    }
    if (some && nt < MAX_TOKENS) {
      tok[nt].start = tok[nt].end = (int)i;
      tok[nt++].sets = *b;
    }
  }
  /* two to four adjacent words as one: "zelf moord", "van kant",
   * "blijf van mijn lijf" */
  for (size_t i = 0; i + 1 < q->n; i++) {
    char joined[WORD_MAX];
    size_t jl = q->len[i];
    memcpy(joined, q->w[i], jl);
    for (size_t j = i + 1; j < q->n && j < i + JOIN_MAX && nt < MAX_TOKENS; j++) {
      if (jl + q->len[j] >= WORD_MAX)
        break;
      memcpy(joined + jl, q->w[j], q->len[j] + 1);
      size_t before_last = jl;
      jl += q->len[j];
      struct token *t = &tok[nt];
      memset(&t->sets, 0, sizeof t->sets);
      word_sets(c, joined, jl, before_last, &t->sets);
      int some = 0;
      for (int k = 0; k < SETW; k++)
        some |= t->sets.w[k] != 0;
      if (!some ||
          (c->joined_not >= 0 && (t->sets.w[c->joined_not >> 6] >> (c->joined_not & 63)) & 1))
        continue;
      t->start = (int)i;
      t->end = (int)j;
      for (int k = 0; k < SETW; k++)
        any.w[k] |= t->sets.w[k];
      nt++;
    }
  }
  struct search s = {.tok = tok, .n_words = q->n, .word_sets = ws};
  for (size_t pi = 0; pi < c->n_patterns; pi++) {
    const struct pattern *p = &c->patterns[pi];
    /* a pattern of a kind already found still runs: its words are the
     * crisis too ("leven" of "ik kan niet meer verder, ik wil stoppen met
     * leven" is no question about life's last phase) */
    if (p->has_unless && bits_any(&p->unless, &any))
      continue;
    size_t k = 0;
    while (k < p->n_slots && bits_any(&p->slot[k], &any))
      k++;
    if (k < p->n_slots)
      continue;
    s.p = p;
    s.budget = PLACE_BUDGET;
    for (k = 0; k < p->n_slots; k++) {
      s.n_cand[k] = 0;
      for (size_t t = 0; t < nt && s.n_cand[k] < SLOT_CANDS; t++)
        if (bits_any(&p->slot[k], &tok[t].sets))
          s.cand[k][s.n_cand[k]++] = (int)t;
    }
    if (place(&s, 0, 1 << 30, -1, 0)) {
      if (!m->pattern)
        m->pattern = p->id;
      m->kinds |= p->kinds;
      for (k = 0; k < p->n_slots; k++)
        for (int w = tok[s.chosen[k]].start; w <= tok[s.chosen[k]].end; w++)
          keep_word(m, q->w[w], q->len[w]);
    }
  }
  /* the people of a matched kind: "ex" of "mijn ex stalkt mij" is the
   * one who stalks, no question about a divorce */
  for (size_t k = 0; k < c->n_kinds && m->kinds; k++) {
    if (!(m->kinds & c->kinds[k].bit) || !c->kinds[k].has_actors)
      continue;
    for (size_t i = 0; i < q->n; i++)
      if (bits_any(&c->kinds[k].actors, &ws[i]))
        keep_word(m, q->w[i], q->len[i]);
  }
  m->primary = sk_crisis_primary(c, m->kinds);
  return SK_OK;
}

size_t sk_crisis_never(const struct sk_crisis *c, unsigned kinds, const char **out, size_t max) {
  size_t n = 0;
  for (size_t k = 0; c && k < c->n_kinds; k++)
    for (size_t j = 0; (kinds & c->kinds[k].bit) && j < c->kinds[k].n_never && n < max; j++)
      out[n++] = c->kinds[k].never[j];
  return n;
}

unsigned sk_crisis_primary(const struct sk_crisis *c, unsigned kinds) {
  for (size_t i = 0; c && i < c->n_kinds; i++)
    if (kinds & c->kinds[i].bit)
      return c->kinds[i].bit;
  return 0;
}

unsigned sk_crisis_need_kinds(const struct sk_crisis *c, const char *need_code) {
  for (size_t i = 0; c && need_code && i < c->n_needs; i++)
    if (strcmp(c->needs[i].code, need_code) == 0)
      return c->needs[i].kinds;
  return 0;
}

static int add_line(const struct sk_crisis *c, size_t li, int professional,
                    const struct sk_crisis_line **out, size_t *n, size_t max) {
  const struct sk_crisis_line *l = &c->lines[li];
  if (l->professional && !professional)
    return 0;
  for (size_t j = 0; j < *n; j++)
    if (out[j] == l)
      return 0;
  if (*n < max)
    out[(*n)++] = l;
  return 1;
}

size_t sk_crisis_lines(const struct sk_crisis *c, unsigned kinds, int professional,
                       const struct sk_crisis_line **out, size_t max) {
  size_t n = 0;
  if (!c || !kinds || !out)
    return 0;
  for (size_t i = 0; i < c->n_kinds; i++)
    if (kinds & c->kinds[i].bit)
      for (size_t k = 0; k < c->kinds[i].n_lines; k++)
        add_line(c, c->kinds[i].lines[k], professional, out, &n, max);
  for (size_t k = 0; k < c->n_always; k++)
    add_line(c, c->always[k], professional, out, &n, max);
  return n;
}

/* ---- loading ---- */

static int set_find(const struct sk_crisis *c, const char *name) {
  for (size_t i = 0; i < c->n_sets; i++)
    if (strcmp(c->set_names[i], name) == 0)
      return (int)i;
  return -1;
}

static int set_new(struct sk_crisis *c, const char *name) {
  if (c->n_sets >= SK_CRISIS_MAX_SETS)
    return -1;
  if (!(c->set_names[c->n_sets] = strdup(name)))
    return -1;
  return (int)c->n_sets++;
}

static int entry_add(struct sk_crisis *c, const char *form, size_t n, unsigned set,
                     unsigned flags) {
  if (c->n_entries == c->cap_entries) {
    size_t cap = c->cap_entries ? c->cap_entries * 2 : 1024;
    struct entry *e = realloc(c->entries, cap * sizeof *e);
    if (!e)
      return SK_ENOMEM;
    c->entries = e;
    c->cap_entries = cap;
  }
  if (c->pool_len + n + 1 > c->pool_cap) {
    size_t cap = c->pool_cap ? c->pool_cap * 2 : 16384;
    while (cap < c->pool_len + n + 1)
      cap *= 2;
    char *pool = realloc(c->pool, cap);
    if (!pool)
      return SK_ENOMEM;
    c->pool = pool;
    c->pool_cap = cap;
  }
  struct entry *e = &c->entries[c->n_entries];
  memcpy(c->pool + c->pool_len, form, n);
  c->pool[c->pool_len + n] = 0;
  e->form = (uint32_t)c->pool_len;
  c->pool_len += n + 1;
  e->set = (uint16_t)set;
  e->flags = (uint8_t)flags;
  e->next = -1;
  c->n_entries++;
  return SK_OK;
}

/* One form of a set as written in the file: "dood", "zelfmoord*" (prefix),
 * "!geweldig*" (not this one), "zelfmoord~" (one typo allowed). */
static int add_form(struct sk_crisis *c, unsigned set, const char *raw, char *err, size_t errlen) {
  size_t n = strlen(raw);
  unsigned flags = 0;
  if (n && raw[0] == '!') {
    flags |= F_NEG;
    raw++;
    n--;
  }
  if (n && raw[n - 1] == '*') {
    flags |= F_PREFIX;
    n--;
  } else if (n && raw[n - 1] == '~') {
    flags |= F_FUZZY;
    n--;
  }
  char f[WORD_MAX];
  size_t fl;
  if (!fold_form(raw, n, f, &fl))
    return fail(err, errlen, SK_EINVAL, "set \"%s\": form \"%s\" is empty or longer than %d bytes",
                c->set_names[set], raw, WORD_MAX - 1);
  if ((flags & F_PREFIX) && fl < MIN_PREFIX)
    return fail(err, errlen, SK_EINVAL, "set \"%s\": prefix \"%s*\" is shorter than %d letters",
                c->set_names[set], f, MIN_PREFIX);
  if ((flags & F_FUZZY) && (fl < 6 || (flags & F_NEG)))
    return fail(err, errlen, SK_EINVAL,
                "set \"%s\": a typo form (\"%s~\") needs 6+ letters and no '!'", c->set_names[set],
                f);
  int rc = entry_add(c, f, fl, set, flags);
  if (rc)
    return rc;
  if (flags & F_FUZZY) {
    /* also exact */
    c->entries[c->n_entries - 1].flags = 0;
    if ((c->n_fuzzy & (c->n_fuzzy - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
      size_t *fz = realloc(c->fuzzy, (c->n_fuzzy ? c->n_fuzzy * 2 : 8) * sizeof *fz);
      if (!fz)
        return SK_ENOMEM;
      c->fuzzy = fz;
    }
    c->fuzzy[c->n_fuzzy++] = c->n_entries - 1;
  }
  return SK_OK;
}

static int build_table(struct sk_crisis *c) {
  size_t cap = 64;
  while (cap < c->n_entries * 2)
    cap *= 2;
  c->table = malloc(cap * sizeof *c->table);
  if (!c->table)
    return SK_ENOMEM;
  for (size_t i = 0; i < cap; i++)
    c->table[i] = -1;
  c->table_mask = cap - 1;
  for (size_t e = 0; e < c->n_entries; e++) {
    const char *f = c->pool + c->entries[e].form;
    size_t n = strlen(f);
    uint32_t h = hash_bytes(f, n);
    int32_t head = table_find(c, f, n, h);
    if (head >= 0) {
      c->entries[e].next = c->entries[head].next;
      c->entries[head].next = (int32_t)e;
      continue;
    }
    size_t i = h & c->table_mask;
    while (c->table[i] >= 0)
      i = (i + 1) & c->table_mask;
    c->table[i] = (int32_t)e;
  }
  return SK_OK;
}

/* A slot or an "unless"/"only" list: a string or an array of strings, each
 * "@set" or a word (a word becomes a set of its own). */
static int parse_refs(struct sk_crisis *c, json_t *v, struct bits *out, const char *where,
                      char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  json_t *one = json_is_string(v) ? v : NULL;
  size_t n = one ? 1 : json_is_array(v) ? json_array_size(v) : 0;
  if (!n)
    return fail(err, errlen, SK_EINVAL, "%s: expected \"@set\", a word or a list of them", where);
  int anon = -1; /* the words of this list, as one set of its own */
  for (size_t i = 0; i < n; i++) {
    json_t *x = one ? one : json_array_get(v, i);
    const char *s = json_string_value(x);
    if (!s || !*s)
      return fail(err, errlen, SK_EINVAL, "%s: item %zu is not a word or \"@set\"", where, i);
    int set;
    if (s[0] == '@') {
      if ((set = set_find(c, s + 1)) < 0)
        return fail(err, errlen, SK_EINVAL, "%s: set %s is not defined under \"sets\"", where, s);
    } else {
      if (anon < 0) {
        char name[200];
        snprintf(name, sizeof name, "=%s", where);
        if ((anon = set_new(c, name)) < 0)
          return fail(err, errlen, SK_EINVAL, "%s: more than %d sets", where, SK_CRISIS_MAX_SETS);
      }
      int rc = add_form(c, (unsigned)anon, s, err, errlen);
      if (rc)
        return rc;
      set = anon;
    }
    bits_set(out, (unsigned)set);
  }
  return SK_OK;
}

static char *jdup(json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s && *s ? strdup(s) : NULL;
}

static int line_find(const struct sk_crisis *c, const char *key) {
  for (size_t i = 0; key && i < c->n_lines; i++)
    if (strcmp(c->lines[i].key, key) == 0)
      return (int)i;
  return -1;
}

static int parse_lines(struct sk_crisis *c, json_t *arr, char *err, size_t errlen) {
  size_t n = json_array_size(arr);
  if (!json_is_array(arr) || !n)
    return fail(err, errlen, SK_EINVAL, "\"lines\": expected a non-empty list of lines");
  if (!(c->lines = calloc(n, sizeof *c->lines)))
    return SK_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_array_get(arr, i);
    struct sk_crisis_line *l = &c->lines[c->n_lines++];
    if (!json_is_object(o))
      return fail(err, errlen, SK_EINVAL, "lines[%zu]: expected an object", i);
    l->key = jdup(o, "key");
    l->id = jdup(o, "id");
    l->name = jdup(o, "name");
    l->number = jdup(o, "number");
    l->number_note = jdup(o, "number_note");
    l->number2 = jdup(o, "number2");
    l->number2_note = jdup(o, "number2_note");
    l->chat = jdup(o, "chat");
    l->url = jdup(o, "url");
    l->note = jdup(o, "note");
    l->offering = jdup(o, "offering");
    l->offering_feed = jdup(o, "offering_feed");
    l->professional = json_is_true(json_object_get(o, "professional"));
    if (!l->key || !l->name || !l->number || !l->id || !l->note)
      return fail(err, errlen, SK_EINVAL,
                  "lines[%zu]: \"key\", \"id\", \"name\", \"number\" and \"note\" are required", i);
    if (strlen(l->id) != 36)
      return fail(err, errlen, SK_EINVAL, "lines[%zu] (%s): \"id\" is a UUID", i, l->key);
    if (!l->offering != !l->offering_feed)
      return fail(err, errlen, SK_EINVAL,
                  "lines[%zu] (%s): \"offering\" and \"offering_feed\" go together", i, l->key);
    for (size_t j = 0; j < i; j++) {
      const struct sk_crisis_line *o2 = &c->lines[j];
      if (strcmp(o2->key, l->key) == 0)
        return fail(err, errlen, SK_EINVAL, "lines[%zu]: key \"%s\" is used twice", i, l->key);
      const char *a[2] = {l->number, l->number2}, *b[2] = {o2->number, o2->number2};
      for (int x = 0; x < 2; x++)
        for (int y = 0; y < 2; y++)
          if (a[x] && b[y] && strcmp(a[x], b[y]) == 0)
            return fail(err, errlen, SK_EINVAL,
                        "lines[%zu] (%s): number %s is also line \"%s\" (no line twice)", i, l->key,
                        a[x], o2->key);
      if (l->offering && o2->offering && strcmp(l->offering, o2->offering) == 0 &&
          strcmp(l->offering_feed, o2->offering_feed) == 0)
        return fail(err, errlen, SK_EINVAL, "lines[%zu] (%s): offering is also line \"%s\"", i,
                    l->key, o2->key);
    }
  }
  return SK_OK;
}

static int parse_line_refs(struct sk_crisis *c, json_t *arr, size_t *out, size_t *n,
                           const char *where, char *err, size_t errlen) {
  *n = 0;
  if (!json_is_array(arr))
    return fail(err, errlen, SK_EINVAL, "%s: expected a list of line keys", where);
  for (size_t i = 0; i < json_array_size(arr); i++) {
    int li = line_find(c, json_string_value(json_array_get(arr, i)));
    if (li < 0)
      return fail(err, errlen, SK_EINVAL, "%s: item %zu is not the key of a line", where, i);
    if (*n >= SK_CRISIS_MAX_LINES)
      return fail(err, errlen, SK_EINVAL, "%s: more than %d lines", where, SK_CRISIS_MAX_LINES);
    out[(*n)++] = (size_t)li;
  }
  return SK_OK;
}

static int parse_kinds(struct sk_crisis *c, json_t *arr, char *err, size_t errlen) {
  if (!json_is_array(arr) || json_array_size(arr) != SK_CRISIS_N_KINDS)
    return fail(err, errlen, SK_EINVAL,
                "\"kinds\": expected the %d kinds (danger, suicide, violence) in order",
                SK_CRISIS_N_KINDS);
  unsigned seen = 0;
  for (size_t i = 0; i < json_array_size(arr); i++) {
    json_t *o = json_array_get(arr, i);
    unsigned bit = kind_parse(json_string_value(json_object_get(o, "kind")));
    if (!bit || (seen & bit))
      return fail(err, errlen, SK_EINVAL,
                  "kinds[%zu]: \"kind\" must be danger, suicide or violence, once each", i);
    seen |= bit;
    struct kind_rule *k = &c->kinds[c->n_kinds++];
    k->bit = bit;
    char where[64];
    snprintf(where, sizeof where, "kinds[%zu].lines", i);
    int rc = parse_line_refs(c, json_object_get(o, "lines"), k->lines, &k->n_lines, where, err,
                             errlen);
    if (rc)
      return rc;
    if (!k->n_lines)
      return fail(err, errlen, SK_EINVAL, "%s: a kind needs at least one line", where);
    json_t *never = json_object_get(o, "never");
    if (never && (!json_is_array(never) || json_array_size(never) > SK_CRISIS_MAX_NEVER))
      return fail(err, errlen, SK_EINVAL, "kinds[%zu].never: expected at most %d words", i,
                  SK_CRISIS_MAX_NEVER);
    for (size_t j = 0; j < json_array_size(never); j++) {
      const char *w = json_string_value(json_array_get(never, j));
      size_t wl = w ? strlen(w) : 0;
      if (wl < 3 || wl >= SK_CRISIS_MATCH_WORD_MAX || strspn(w, "abcdefghijklmnopqrstuvwxyz") != wl)
        return fail(err, errlen, SK_EINVAL,
                    "kinds[%zu].never[%zu]: expected one word of 3-31 letters a-z", i, j);
      if (!(k->never[k->n_never] = strdup(w)))
        return SK_ENOMEM;
      k->n_never++;
    }
    json_t *needs = json_object_get(o, "needs");
    for (size_t j = 0; j < json_array_size(needs); j++) {
      const char *code = json_string_value(json_array_get(needs, j));
      if (!code)
        return fail(err, errlen, SK_EINVAL, "kinds[%zu].needs[%zu]: expected a need code", i, j);
      struct need_rule *nr = realloc(c->needs, (c->n_needs + 1) * sizeof *nr);
      if (!nr)
        return SK_ENOMEM;
      c->needs = nr;
      if (!(c->needs[c->n_needs].code = strdup(code)))
        return SK_ENOMEM;
      c->needs[c->n_needs++].kinds = bit;
    }
  }
  return SK_OK;
}

static int parse_sets(struct sk_crisis *c, json_t *sets, char *err, size_t errlen) {
  if (!json_is_object(sets) || !json_object_size(sets))
    return fail(err, errlen, SK_EINVAL, "\"sets\": expected an object of named word lists");
  const char *name;
  json_t *forms;
  json_object_foreach(sets, name, forms) {
    if (!*name || name[0] == '=' || name[0] == '@')
      return fail(err, errlen, SK_EINVAL, "sets: bad set name \"%s\"", name);
    if (!json_is_array(forms) || !json_array_size(forms))
      return fail(err, errlen, SK_EINVAL, "sets.%s: expected a non-empty list of words", name);
    int set = set_new(c, name);
    if (set < 0)
      return fail(err, errlen, SK_EINVAL, "sets: more than %d sets", SK_CRISIS_MAX_SETS);
    for (size_t i = 0; i < json_array_size(forms); i++) {
      const char *f = json_string_value(json_array_get(forms, i));
      if (!f)
        return fail(err, errlen, SK_EINVAL, "sets.%s[%zu]: expected a word", name, i);
      int rc = add_form(c, (unsigned)set, f, err, errlen);
      if (rc)
        return rc;
    }
  }
  return SK_OK;
}

static int parse_patterns(struct sk_crisis *c, json_t *arr, char *err, size_t errlen) {
  size_t n = json_array_size(arr);
  if (!json_is_array(arr) || !n)
    return fail(err, errlen, SK_EINVAL, "\"patterns\": expected a non-empty list");
  if (!(c->patterns = calloc(n, sizeof *c->patterns)))
    return SK_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_array_get(arr, i);
    struct pattern *p = &c->patterns[c->n_patterns++];
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!id || !*id)
      return fail(err, errlen, SK_EINVAL, "patterns[%zu]: \"id\" is required", i);
    if (!(p->id = strdup(id)))
      return SK_ENOMEM;
    p->kinds = kind_parse(json_string_value(json_object_get(o, "kind")));
    if (!p->kinds)
      return fail(err, errlen, SK_EINVAL,
                  "patterns[%zu] (%s): \"kind\" must be danger, suicide or violence", i, id);
    if (json_is_true(json_object_get(o, "danger")))
      p->kinds |= SK_CRISIS_DANGER;
    json_t *slots = json_object_get(o, "slots");
    p->n_slots = json_array_size(slots);
    if (!json_is_array(slots) || !p->n_slots || p->n_slots > SK_CRISIS_MAX_SLOTS)
      return fail(err, errlen, SK_EINVAL, "patterns[%zu] (%s): \"slots\": 1 to %d slots", i, id,
                  SK_CRISIS_MAX_SLOTS);
    char where[160];
    for (size_t k = 0; k < p->n_slots; k++) {
      snprintf(where, sizeof where, "patterns[%zu] (%s) slot %zu", i, id, k + 1);
      int rc = parse_refs(c, json_array_get(slots, k), &p->slot[k], where, err, errlen);
      if (rc)
        return rc;
    }
    json_t *w = json_object_get(o, "window");
    p->window = w ? (int)json_integer_value(w) : 8;
    if ((w && !json_is_integer(w)) || p->window < (int)p->n_slots - 1 || p->window > 64)
      return fail(err, errlen, SK_EINVAL, "patterns[%zu] (%s): \"window\" must be %zu..64 words", i,
                  id, p->n_slots - 1);
    json_t *u = json_object_get(o, "unless");
    if (u) {
      snprintf(where, sizeof where, "patterns[%zu] (%s) unless", i, id);
      int rc = parse_refs(c, u, &p->unless, where, err, errlen);
      if (rc)
        return rc;
      p->has_unless = 1;
    }
    json_t *only = json_object_get(o, "only");
    if (only) {
      snprintf(where, sizeof where, "patterns[%zu] (%s) only", i, id);
      int rc = parse_refs(c, only, &p->filler, where, err, errlen);
      if (rc)
        return rc;
      p->only = 1;
    }
  }
  return SK_OK;
}

/* kinds[].actors, read after the sets it names (parse_kinds runs first,
 * and kinds[i] is c->kinds[i]). */
static int parse_actors(struct sk_crisis *c, json_t *arr, char *err, size_t errlen) {
  for (size_t i = 0; i < json_array_size(arr) && i < c->n_kinds; i++) {
    json_t *a = json_object_get(json_array_get(arr, i), "actors");
    if (!a)
      continue;
    char where[64];
    snprintf(where, sizeof where, "kinds[%zu].actors", i);
    int rc = parse_refs(c, a, &c->kinds[i].actors, where, err, errlen);
    if (rc)
      return rc;
    c->kinds[i].has_actors = 1;
  }
  return SK_OK;
}

int sk_crisis_parse(const char *text, size_t len, struct sk_crisis **out, char *err,
                    size_t errlen) {
  *out = NULL;
  if (len > SK_CRISIS_FILE_MAX)
    return fail(err, errlen, SK_ETOOBIG, "crisis data is larger than %d bytes", SK_CRISIS_FILE_MAX);
  json_error_t je;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  if (!root)
    return fail(err, errlen, SK_EPARSE, "crisis data: line %d: %s", je.line, je.text);
  struct sk_crisis *c = calloc(1, sizeof *c);
  int rc = c ? SK_OK : SK_ENOMEM;
  if (!rc && !json_is_object(root))
    rc = fail(err, errlen, SK_EINVAL,
              "crisis data: expected an object with lines, kinds, always, sets, patterns");
  if (!rc && json_integer_value(json_object_get(root, "version")) != 1)
    rc = fail(err, errlen, SK_EINVAL, "crisis data: \"version\" must be 1");
  if (!rc)
    rc = parse_lines(c, json_object_get(root, "lines"), err, errlen);
  if (!rc)
    rc = parse_kinds(c, json_object_get(root, "kinds"), err, errlen);
  if (!rc)
    rc = parse_line_refs(c, json_object_get(root, "always"), c->always, &c->n_always, "\"always\"",
                         err, errlen);
  if (!rc) {
    /* every crisis block has a number for immediate danger */
    int has112 = 0;
    for (size_t i = 0; i < c->n_always; i++)
      has112 |= strcmp(c->lines[c->always[i]].number, "112") == 0;
    if (!has112)
      rc = fail(err, errlen, SK_EINVAL, "\"always\": must name the line with number 112");
  }
  if (!rc)
    rc = parse_sets(c, json_object_get(root, "sets"), err, errlen);
  if (!rc)
    c->joined_not = set_find(c, "joined_not");
  if (!rc)
    rc = parse_patterns(c, json_object_get(root, "patterns"), err, errlen);
  if (!rc)
    rc = parse_actors(c, json_object_get(root, "kinds"), err, errlen);
  if (!rc)
    rc = build_table(c);
  if (!rc && !(c->src = malloc(len + 1)))
    rc = SK_ENOMEM;
  if (!rc) {
    memcpy(c->src, text, len);
    c->src[len] = 0;
    c->src_len = len;
  }
  json_decref(root);
  if (rc) {
    if (rc == SK_ENOMEM)
      fail(err, errlen, rc, "out of memory");
    sk_crisis_free(c);
    return rc;
  }
  *out = c;
  return SK_OK;
}

int sk_crisis_load(const char *path, struct sk_crisis **out, char *err, size_t errlen) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f)
    return fail(err, errlen, SK_EIO, "%s: %s", path, strerror(errno));
  struct sk_buf b;
  sk_buf_init(&b, SK_CRISIS_FILE_MAX);
  char chunk[8192];
  size_t n;
  int rc = SK_OK;
  while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
    rc = sk_buf_add(&b, chunk, n);
  if (!rc && ferror(f))
    rc = SK_EIO;
  fclose(f);
  if (rc) {
    sk_buf_free(&b);
    return fail(err, errlen, rc, "%s: %s", path,
                rc == SK_ETOOBIG ? "larger than 1 MiB"
                : rc == SK_EIO   ? "read error"
                                 : "out of memory");
  }
  char inner[256] = "";
  rc = sk_crisis_parse(sk_buf_str(&b), b.len, out, inner, sizeof inner);
  sk_buf_free(&b);
  if (rc)
    return fail(err, errlen, rc, "%s: %s", path, inner);
  return SK_OK;
}

int sk_crisis_save(const struct sk_crisis *c, struct sk_store *st) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "INSERT INTO meta(key, value) VALUES('crisis', ?1) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, c->src, (int)c->src_len, SQLITE_STATIC);
  int rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  sqlite3_finalize(s);
  return rc;
}

int sk_crisis_from_store(struct sk_store *st, struct sk_crisis **out, char *err, size_t errlen) {
  *out = NULL;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'crisis'", -1, &s, NULL) !=
      SQLITE_OK)
    return fail(err, errlen, SK_EDB, "crisis data: %s", sqlite3_errmsg(st->db));
  int rc = sqlite3_step(s);
  if (rc != SQLITE_ROW) {
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? fail(err, errlen, SK_ENOTFOUND,
                                    "the database has no crisis data; run 'sociale-kaart index'")
                             : fail(err, errlen, SK_EDB, "crisis data: %s", sqlite3_errmsg(st->db));
  }
  const char *text = (const char *)sqlite3_column_text(s, 0);
  int n = sqlite3_column_bytes(s, 0);
  rc = text ? sk_crisis_parse(text, (size_t)n, out, err, errlen) : SK_ENOTFOUND;
  sqlite3_finalize(s);
  return rc;
}
