#ifndef SK_SPELL_H
#define SK_SPELL_H
/*
 * The Dutch dictionary of the search (owner: search engineer): Debian's
 * hunspell-nl (OpenTaal) through libhunspell, loaded once per process and
 * shared by every searcher thread. It answers one question: is this a
 * correct Dutch word (with hunspell's inflections and compounds)? Search
 * uses it so that a correct word is never "corrected" and to judge the
 * parts of a compound (sk_search_analyse.c).
 *
 * Words come folded (lower case, no diacritics: sk_fold.h), as the search
 * sees them. Hunspell is asked about the folded word; a dictionary entry
 * written with diacritics ("ideeën", "café") is known by its folded form
 * too, through a sorted list of those entries folded at load.
 *
 * Where the dictionary lives: $SK_SPELL_DICT (a path without extension:
 * PATH.aff and PATH.dic), else /usr/share/hunspell/nl. SK_SPELL_DICT set to
 * an empty string turns the dictionary off. When it is missing, search
 * still works and spells from the index vocabulary alone; the reason is
 * written to stderr once.
 *
 * Thread safety: a hunspell handle is not thread-safe; every lookup is
 * serialised by one mutex (a lookup takes microseconds, and the search
 * caches the analysis of each word per searcher).
 */
#include <stddef.h>

/* Load the dictionary, the first time in the process (later calls return
 * at once; safe from any thread). Returns 1 when a dictionary is loaded,
 * 0 when it is absent or failed to load. */
int sks_spell_init(void);

/* 1 when the folded word w[0..n) is a correct Dutch word; 0 when it is not,
 * when it is not valid UTF-8 or longer than 100 bytes, or when there is no
 * dictionary (sks_spell_init returned 0). */
int sks_spell_known(const char *w, size_t n);

/* The root hunspell gives for an inflected form of a correct word, when
 * it is a proper prefix of the word of 5+ letters: "mishandelt" ->
 * "mishandel", "bedreigt" -> "bedreig" (the -t of the present tense; the
 * dictionary lists participles and infinitives as words of their own).
 * Writes it NUL-terminated to out[cap] and returns its length; 0 when
 * there is none or no dictionary. */
size_t sks_spell_root(const char *w, size_t n, char *out, size_t cap);

/* What was loaded, for logs and benchmarks. The dictionary is never
 * unloaded: it lives as long as the process (path points into it). */
struct sks_spell_info {
  int loaded;
  const char *path; /* the dictionary path without extension, or why it is off */
  double load_ms;   /* wall time of the load */
  size_t n_folded;  /* entries with diacritics, kept folded */
};
void sks_spell_info(struct sks_spell_info *out);

#endif
