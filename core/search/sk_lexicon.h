#ifndef SK_LEXICON_H
#define SK_LEXICON_H
/*
 * sk_lexicon: the resident's side of the taxonomy. Everyday Dutch words and
 * phrases ("spijbelen", "boete", "geen geld voor eten", "CJIB") mapped to
 * the need codes of the taxonomy, the spellings of the municipalities in a
 * query, and the needs to show when nothing in a query is close to any need.
 * The taxonomy's labels and synonyms stay what they are (the professionals'
 * words); the lexicon adds the residents' words. Format: docs/lexicon.md.
 *
 * Owner: the search engineer (core/search). The project's lexicon is
 * feeds/lexicon.txt, compiled into the search library (sk_lexicon_builtin)
 * and parsed once per process for each taxonomy the searchers use; a
 * searcher uses it from its creation on (sk_searcher_new).
 *
 * A lexicon is read-only once loaded and may be shared between threads. It
 * borrows the taxonomy it was checked against, which must outlive it.
 */
#include <stddef.h>

#include "sk_err.h"
#include "sk_taxonomy.h"

struct sk_lexicon;

/* Bounds: entries longer than this many words, lines longer than this many
 * bytes, and files with more entries are refused. */
#define SK_LEXICON_MAX_WORDS 6
#define SK_LEXICON_MAX_LINE 512
#define SK_LEXICON_MAX_ENTRIES 20000
#define SK_LEXICON_MAX_NEEDS 8 /* need codes per section */

/* Parse a lexicon (text[0..len), any bytes) and check it against tax: every
 * need and municipality code must exist there, no entry may map to a crisis
 * need (those words are recognised by the crisis module), no entry may be
 * listed twice. name is used in messages ("feeds/lexicon.txt:12: ...").
 * SK_OK with *out set; SK_EINVAL with err saying which line and why;
 * SK_ENOMEM. */
SK_MUST_CHECK int sk_lexicon_parse(const char *text, size_t len, const char *name,
                                   const struct sk_taxonomy *tax, struct sk_lexicon **out,
                                   char *err, size_t errlen);
/* The same from a file (SK_EIO when it cannot be read). */
SK_MUST_CHECK int sk_lexicon_load(const char *path, const struct sk_taxonomy *tax,
                                  struct sk_lexicon **out, char *err, size_t errlen);
void sk_lexicon_free(struct sk_lexicon *lx);

/* feeds/lexicon.txt as it was when the library was built (NUL-terminated). */
const char *sk_lexicon_builtin(size_t *len);

/* The need entries: how many, and entry i as written in the file (its
 * words folded and joined by one space), its line and its need codes
 * (borrowed from the taxonomy; *n_needs of them). NULL past the end. */
size_t sk_lexicon_count(const struct sk_lexicon *lx);
const char *sk_lexicon_entry(const struct sk_lexicon *lx, size_t i, int *line,
                             const char *const **needs, size_t *n_needs);

#endif
