#include "sk_tokenizer.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_fold.h"

struct sk_stemmer {
  struct sb_stemmer *sb;
};

struct sk_stemmer *sk_stemmer_new(void) {
  struct sk_stemmer *st = calloc(1, sizeof *st);
  if (!st)
    return NULL;
  st->sb = sb_stemmer_new("dutch", "UTF_8");
  if (!st->sb) {
    free(st);
    return NULL;
  }
  return st;
}

void sk_stemmer_free(struct sk_stemmer *st) {
  if (!st)
    return;
  sb_stemmer_delete(st->sb);
  free(st);
}

int sk_stemmer_snowball(struct sk_stemmer *st, const char *word, size_t n, struct sk_buf *out) {
  const sb_symbol *s = sb_stemmer_stem(st->sb, (const sb_symbol *)word, (int)n);
  if (!s)
    return SK_ENOMEM;
  return sk_buf_add(out, s, (size_t)sb_stemmer_length(st->sb));
}

/*
 * Corrections to Snowball's (old) Dutch algorithm, measured on taxonomy
 * words in docs/stemming.md:
 *  - it is not idempotent (huisartsen -> huisarts, huisarts -> huisart), so
 *    we stem until the stem no longer changes (at most three rounds);
 *  - plurals in -es are left alone (ziektes, maatjes, organisaties): a
 *    word of 6+ bytes ending in "es" loses its "s" before stemming, but
 *    not one in "les" or "mes", which are singulars (zwemles, zakmes);
 *  - plural -zen/-ven leave z/v (buurthuizen -> buurthuiz): a final z
 *    becomes s and a final v becomes f, as in the singular;
 *  - doubled final consonants stay (gezinnen -> gezinn): undouble them;
 *  - diminutives keep a "j" (kindje -> kindj, maatje -> maatj): drop it;
 *  - Latin plurals and -eren plurals: a short list (centra, kinderen).
 * The same function makes index and query keys, so a correction can only
 * merge words, never make a word miss itself.
 */
static const char *const stem_exceptions[][2] = {
    {"kinder", "kind"},
    {"eier", "ei"},
    {"blader", "blad"},
    {"lieder", "lied"},
};
static const char *const suffix_exceptions[][2] = {
    {"centra", "centrum"},
    {"musea", "museum"},
};

static int is_vowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

static size_t snowball_fixpoint(struct sk_stemmer *st, char *cur, size_t len) {
  for (int round = 0; round < 3 && len > 3; round++) {
    const sb_symbol *s = sb_stemmer_stem(st->sb, (const sb_symbol *)cur, (int)len);
    if (!s)
      return (size_t)-1;
    size_t sl = (size_t)sb_stemmer_length(st->sb);
    if (sl == len && memcmp(s, cur, len) == 0)
      break;
    if (sl > SK_TOKEN_MAX)
      sl = SK_TOKEN_MAX;
    memcpy(cur, s, sl);
    cur[sl] = '\0';
    len = sl;
  }
  return len;
}

int sk_stemmer_stem(struct sk_stemmer *st, const char *word, size_t n, struct sk_buf *out) {
  if (n <= 3 || n > SK_TOKEN_MAX)
    return sk_buf_add(out, word, n);
  char cur[SK_TOKEN_MAX + 8];
  memcpy(cur, word, n);
  cur[n] = '\0';
  size_t len = n;
  for (size_t i = 0; i < sizeof suffix_exceptions / sizeof suffix_exceptions[0]; i++) {
    size_t sl = strlen(suffix_exceptions[i][0]), rl = strlen(suffix_exceptions[i][1]);
    if (len >= sl && len - sl + rl <= SK_TOKEN_MAX &&
        memcmp(cur + len - sl, suffix_exceptions[i][0], sl) == 0) {
      memcpy(cur + len - sl, suffix_exceptions[i][1], rl);
      len = len - sl + rl;
      cur[len] = '\0';
      break;
    }
  }
  /* "les" and "mes" are singulars (zwemles, bijles, zakmes), not -es plurals */
  if (len >= 6 && cur[len - 2] == 'e' && cur[len - 1] == 's' && cur[len - 3] != 'l' &&
      cur[len - 3] != 'm')
    cur[--len] = '\0';
  len = snowball_fixpoint(st, cur, len);
  if (len == (size_t)-1)
    return SK_ENOMEM;
  if (len > 4 && cur[len - 1] == 'j')
    cur[--len] = '\0';
  if (len > 3 && cur[len - 1] == 'z')
    cur[len - 1] = 's';
  else if (len > 3 && cur[len - 1] == 'v')
    cur[len - 1] = 'f';
  if (len > 4 && cur[len - 1] == cur[len - 2] && !is_vowel(cur[len - 1]))
    cur[--len] = '\0';
  for (size_t i = 0; i < sizeof stem_exceptions / sizeof stem_exceptions[0]; i++) {
    if (strcmp(cur, stem_exceptions[i][0]) == 0)
      return sk_buf_addstr(out, stem_exceptions[i][1]);
  }
  return sk_buf_add(out, cur, len);
}

int sk_words(const char *text, size_t n, sk_word_cb cb, void *ctx) {
  char word[SK_TOKEN_MAX + 4];
  size_t wlen = 0, wstart = 0;
  int in_word = 0;
  size_t i = 0;
  while (i <= n) {
    uint32_t cp = 0;
    size_t k = 0;
    int is_word = 0;
    if (i < n) {
      k = sk_utf8_decode(text + i, n - i, &cp);
      if (k)
        is_word = sk_is_word_cp(cp);
      else
        k = 1; /* invalid byte: a separator */
    }
    if (is_word) {
      if (!in_word) {
        in_word = 1;
        wstart = i;
        wlen = 0;
      }
      char tmp[4];
      size_t fl = sk_fold_cp(cp, tmp);
      const char *src = fl ? tmp : text + i;
      size_t sl = fl ? fl : k;
      if (wlen + sl <= SK_TOKEN_MAX) {
        memcpy(word + wlen, src, sl);
        wlen += sl;
      }
    } else if (in_word) {
      in_word = 0;
      word[wlen] = '\0';
      int rc = cb(ctx, word, wlen, wstart, i);
      if (rc)
        return rc;
    }
    if (i == n)
      break;
    i += k;
  }
  return SK_OK;
}

/* ---- FTS5 glue ---- */

/* Stemming is the costliest step of tokenizing, and text repeats a small
 * vocabulary: a direct-mapped cache of word -> key per tokenizer instance
 * (one per connection and table, so no locking). Short words only. */
#define STEM_CACHE_SLOTS 2048
#define STEM_CACHE_WORD 32

struct stem_slot {
  unsigned char wlen, klen; /* wlen 0: empty */
  char word[STEM_CACHE_WORD];
  char key[STEM_CACHE_WORD];
};

struct dutch_tok {
  struct sk_stemmer *st;
  struct sk_buf buf;
  struct stem_slot *cache; /* owned; STEM_CACHE_SLOTS entries, may be NULL */
};

static uint32_t word_hash(const char *w, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)w[i]) * 16777619u;
  return h;
}

/* The search key of word into t->buf, through the cache. */
static int cached_stem(struct dutch_tok *t, const char *word, size_t len) {
  struct stem_slot *slot = NULL;
  if (t->cache && len < STEM_CACHE_WORD) {
    slot = &t->cache[word_hash(word, len) % STEM_CACHE_SLOTS];
    if (slot->wlen == len && memcmp(slot->word, word, len) == 0)
      return sk_buf_add(&t->buf, slot->key, slot->klen);
  }
  int rc = sk_stemmer_stem(t->st, word, len, &t->buf);
  if (!rc && slot && t->buf.len < STEM_CACHE_WORD) {
    slot->wlen = (unsigned char)len;
    memcpy(slot->word, word, len);
    slot->klen = (unsigned char)t->buf.len;
    memcpy(slot->key, sk_buf_str(&t->buf), t->buf.len);
  }
  return rc;
}

struct tok_call {
  struct dutch_tok *t;
  int flags;
  void *pCtx;
  int (*xToken)(void *, int, const char *, int, int, int);
};

static fts5_api *fts5_api_from_db(sqlite3 *db) {
  fts5_api *api = NULL;
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_pointer(stmt, 1, (void *)&api, "fts5_api_ptr", NULL);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  return api;
}

static int dutch_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out) {
  (void)ctx;
  (void)argv;
  (void)argc;
  struct dutch_tok *t = calloc(1, sizeof *t);
  if (!t)
    return SQLITE_NOMEM;
  t->st = sk_stemmer_new();
  if (!t->st) {
    free(t);
    return SQLITE_ERROR;
  }
  sk_buf_init(&t->buf, 4 * SK_TOKEN_MAX);
  t->cache = calloc(STEM_CACHE_SLOTS, sizeof *t->cache); /* NULL: work uncached */
  *out = (Fts5Tokenizer *)t;
  return SQLITE_OK;
}

static void dutch_delete(Fts5Tokenizer *p) {
  struct dutch_tok *t = (struct dutch_tok *)p;
  if (!t)
    return;
  sk_stemmer_free(t->st);
  sk_buf_free(&t->buf);
  free(t->cache);
  free(t);
}

static int dutch_word(void *ctx, const char *word, size_t len, size_t start, size_t end) {
  struct tok_call *c = ctx;
  sk_buf_reset(&c->t->buf);
  int rc;
  /* A prefix query ("schuld*") is matched against stems of document words;
   * stemming the prefix itself would cut it short, so it is only folded. */
  if (c->flags & FTS5_TOKENIZE_PREFIX)
    rc = sk_buf_add(&c->t->buf, word, len);
  else
    rc = cached_stem(c->t, word, len);
  if (rc)
    return SQLITE_NOMEM;
  return c->xToken(c->pCtx, 0, sk_buf_str(&c->t->buf), (int)c->t->buf.len, (int)start, (int)end);
}

static int dutch_tokenize(Fts5Tokenizer *p, void *pCtx, int flags, const char *text, int n,
                          int (*xToken)(void *, int, const char *, int, int, int)) {
  struct tok_call c = {(struct dutch_tok *)p, flags, pCtx, xToken};
  if (!text || n <= 0)
    return SQLITE_OK;
  return sk_words(text, (size_t)n, dutch_word, &c);
}

int sk_tokenizer_register(sqlite3 *db) {
  fts5_api *api = fts5_api_from_db(db);
  if (!api)
    return SK_EDB;
  static fts5_tokenizer tok = {dutch_create, dutch_delete, dutch_tokenize};
  if (api->xCreateTokenizer(api, "dutch", NULL, &tok, NULL) != SQLITE_OK)
    return SK_EDB;
  return SK_OK;
}
