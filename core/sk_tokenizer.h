#ifndef SK_TOKENIZER_H
#define SK_TOKENIZER_H
/*
 * The "dutch" FTS5 tokenizer: splits on anything that is not a letter or
 * digit, folds case and diacritics (sk_fold), and stems Dutch with Snowball
 * (libstemmer) plus our corrections (docs/stemming.md). Offsets point into
 * the original text, so highlight() marks the text as written.
 *
 * Every connection that touches an FTS table must call sk_tokenizer_register
 * first; sk_store_open does this for all connections it opens.
 */
#include <sqlite3.h>
#include <stddef.h>

#include "sk_buf.h"

/* Changes whenever tokens for the same text would change. Stored in the
 * database; sk_store rebuilds the full-text index when it differs. */
#define SK_TOKENIZER_VERSION "sk-dutch/4 snowball-dutch(libstemmer 2.2)"
/* Longest token in bytes after folding; longer words are cut. */
#define SK_TOKEN_MAX 96

/* Register the "dutch" tokenizer on db. SK_OK or SK_EDB. */
int sk_tokenizer_register(sqlite3 *db);

/* A stemmer for callers outside FTS5 (query analysis, docs, tests).
 * Not thread-safe: one per thread. */
struct sk_stemmer;
struct sk_stemmer *sk_stemmer_new(void);
void sk_stemmer_free(struct sk_stemmer *st);
/* Append the search key of one already-folded word (ASCII lower case) to
 * out: the Snowball stem with our corrections. Words of 3 bytes or fewer
 * are kept as they are. */
int sk_stemmer_stem(struct sk_stemmer *st, const char *word, size_t n, struct sk_buf *out);
/* The raw Snowball stem, without our corrections (for measuring them). */
int sk_stemmer_snowball(struct sk_stemmer *st, const char *word, size_t n, struct sk_buf *out);

/* Split text into folded words, calling cb for each (word is NUL-terminated
 * and valid only during the call; start/end are byte offsets into text).
 * Stops and returns cb's result when it is non-zero. */
typedef int (*sk_word_cb)(void *ctx, const char *word, size_t len, size_t start, size_t end);
int sk_words(const char *text, size_t n, sk_word_cb cb, void *ctx);

#endif
