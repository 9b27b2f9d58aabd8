#ifndef SK_LEXICON_INT_H
#define SK_LEXICON_INT_H
/*
 * Internals of the lexicon (sk_lexicon.c) and of the query features built
 * on it: the place in a query (sk_place.c), the ranking of need lists by
 * how central an offering is to the need (sk_rank.c) and the answer when
 * nothing matches (sk_fallback.c). Owner: search engineer.
 */
#include "sk_lexicon.h"
#include "sk_search_int.h"

enum {
  SKS_LEX_NEED = 1,
  SKS_LEX_PLACE = 2,
  SKS_LEX_CLOSE = 3, /* [close]: someone close ("moeder", "buurman") */
  SKS_LEX_CHILD = 4  /* [child]: one's child ("dochter") */
};

struct sks_lex_entry {
  const char *text;                        /* folded words joined by one space */
  const char *words[SK_LEXICON_MAX_WORDS]; /* folded */
  const char *stems[SK_LEXICON_MAX_WORDS];
  uint8_t n_words;
  uint8_t kind;      /* SKS_LEX_NEED, _PLACE, _CLOSE or _CHILD */
  uint8_t ambiguous; /* a place spelling that is also an everyday word ("huizen") */
  uint8_t adult;     /* [close ... adult]: one who has this relative is an adult ("man") */
  uint8_t n_codes;
  int line;
  const char *also;          /* "gepest = pesten": words of the texts to search too, or NULL */
  const char *const *codes;  /* need codes, the municipality or the target group code */
  struct sks_needmask needs; /* need bits (the order of the taxonomy's needs) */
  uint32_t next;             /* next entry in the same bucket, UINT32_MAX ends */
};

struct sks_lex_part {
  const char *key; /* folded word or stem; borrowed from the entry or the arena */
  const struct sks_lex_entry *entry;
};

struct sk_lexicon {
  struct sk_arena arena;
  const struct sk_taxonomy *tax;
  struct sks_lex_entry *e;
  size_t n;
  uint32_t *need_ix; /* the need entries, in file order (sk_lexicon_entry) */
  size_t n_need;
  uint32_t *bucket; /* by the stem of an entry's first word; mask + 1 of them */
  uint32_t mask;
  struct sks_needmask fallback;          /* [fallback]: when nothing is close to any need */
  const char *close_group, *child_group; /* [close] and [child]'s target groups, or NULL */
  /* parts of compounds (sk_lexicon_compound.c): one-word need words by
   * folded form and stem, the file's first (n_parts_file of them), then the
   * taxonomy's; each part sorted by key. Owned; the entries they point to
   * are lx->e or the arena. */
  struct sks_lex_part *parts;
  size_t n_parts, n_parts_file;
  const char *
      *who; /* the taxonomy's one-word target-group words, sorted; owned array, arena strings */
  size_t n_who;
};

/* Copy word w[0..n) and its stem into arena a (*word, *st borrowed from
 * the arena); SK_ENOMEM when memory ran out. */
int sks_lex_word_dup(struct sk_arena *a, struct sk_stemmer *stem, const char *w, size_t n,
                     const char **word, const char **st);

/* Build lx->parts once, after parsing; SK_ENOMEM when memory ran out. */
int sks_lex_parts_build(struct sk_lexicon *lx);

/* A compound query word read as modifier + head ("dementiehulp",
 * "seniorenvervoer"): the entry of the need it stands for, or NULL when it
 * is not a compound of need words. Folded input. */
const struct sks_lex_entry *sks_lex_compound(const struct sk_lexicon *lx, const char *folded);
/* Whether w[0..n) is a head that says "help with the modifier" ("hulp",
 * "begeleiding", "cursus": "huiswerkbegeleiding" is help with huiswerk). */
int sks_lex_generic_head(const char *w, size_t n);

/* How a query's words matched a lexicon entry (sks_lex_longest). */
enum sks_lex_how {
  SKS_LEX_AS_WRITTEN, /* the entry's words, by form or stem, fillers allowed */
  SKS_LEX_SEPARABLE,  /* a verb and its particle: "kom ... rond" = rondkomen */
  SKS_LEX_COMPOUND    /* one compound word read through its parts */
};
struct sks_lex_match {
  const struct sks_lex_entry *entry; /* NULL: none */
  size_t span; /* query words covered from i, fillers included (1 for the others) */
  enum sks_lex_how how;
  size_t particle; /* SKS_LEX_SEPARABLE: the index of the particle word */
};

/* The longest entry matching the words starting at i (a word matches when
 * it is written the same, folded, or has the same stem); m->entry NULL
 * when none. Up to two filler words (possessives, articles, object
 * pronouns: "uit mijn huis gezet") may sit between an entry's words, and a
 * two-word entry also matches the other way round ("werk zoeken": "ik zoek
 * werk"). ok[k] = 0 excludes word k from any match. Failing these, a verb
 * whose particle ends the clause ("ik kom niet rond") matches the one-word
 * entry of the joined verb ("rondkomen"), and then a compound of need words
 * (sks_lex_compound). stems_t (NULL, or "" per word without one): the
 * stem of a word without its verb's -t ("woont": won), so that "mijn
 * moeder woont alleen" matches "alleen wonen". Returns m->entry. */
const struct sks_lex_entry *sks_lex_longest(const struct sk_lexicon *lx, const char *const *folded,
                                            const char *const *stems, const char *const *stems_t,
                                            const uint8_t *ok, size_t n, size_t i,
                                            struct sks_lex_match *m);

/* Whether a word (folded, and its stem) is a relative of a [close] or a
 * [child] section: SKS_LEX_CLOSE ("moeder": the one who asks about "mijn
 * moeder" is close to her, one who cares or worries) or SKS_LEX_CHILD
 * ("dochter": a parent asks), *tg the asker's target-group code (borrowed
 * from the taxonomy), *adult 1 when one who has such a relative is an adult
 * ("mijn man"); 0 and *tg NULL when it is neither. */
int sks_lex_relative(const struct sk_lexicon *lx, const char *folded, const char *stem,
                     const char **tg, int *adult);
/* The target group of the [close] section: those around a person
 * (mantelzorgers); NULL when the lexicon has none. */
const char *sks_lex_close_group(const struct sk_lexicon *lx);
/* The target group of the [child] section: parents (ouders); NULL when none. */
const char *sks_lex_child_group(const struct sk_lexicon *lx);

/* The process's lexicon for tax: the built-in one, parsed once for each
 * taxonomy and shared (reference-counted). NULL with err filled when it
 * does not fit the taxonomy or memory ran out. */
SK_MUST_CHECK const struct sk_lexicon *sks_lex_acquire(const struct sk_taxonomy *tax, char *err,
                                                       size_t errlen);
void sks_lex_release(const struct sk_lexicon *lx);

/* How close a query word is to the lexicon's need entries and to the
 * taxonomy's need phrases, per need bit (0..1 added into best by max):
 * same stem 1, a shared beginning of 5+ letters or one word inside the
 * other (compounds) 0.8, else 1 - edit distance / length when that is
 * >= 0.6; a word of a phrase counts for 0.9 of that and only when the
 * query word has 5+ letters ("dood" does not bring "dood van mijn
 * moeder"). Bounded: only words of 4 to 40 letters. */
void sks_lex_similar(const struct sk_searcher *s, const char *w, size_t wl, const char *stem,
                     float *best);
/* The table sks_lex_similar walks: every need word of s->lex and of s's need
 * phrases (crisis needs left out), with its length, first bytes and a
 * byte-set mask, so that most words are ruled out without a call. Built by
 * sk_searcher_new after the phrases (SK_OK or SK_ENOMEM); freed with
 * sks_simwords_free. */
int sks_simwords_build(struct sk_searcher *s);
void sks_simwords_free(struct sk_searcher *s);

/* ---- the place in a query (sk_place.c) ---- */
struct sks_place_word {
  const char *f; /* folded */
  int upper;     /* written with a capital in the query */
  int is_place;  /* matched a municipality phrase */
  int free;      /* not part of any concept */
};
/* Decide which place words are places: a spelling that is also an
 * everyday word ("huizen") is a place only when written with a capital,
 * after a place word ("in", "gemeente"), or alone; not after a determiner,
 * number or adjective ("twee huizen", "betaalbare huizen") nor before
 * "huren", "kopen". Sets keep[k] = 0 for a place word that is not one.
 * Also marks marker words right before a place ("gemeente Laren", "in
 * Laren") as part of it: marker[k] = 1. */
void sks_place_review(const struct sk_lexicon *lx, const struct sks_place_word *w, size_t n,
                      uint8_t *keep, uint8_t *marker);

/* ---- need lists ranked by how central an offering is (sk_rank.c) ---- */
/* The needs within the given ones (their sub-needs) and above them (their
 * parents): an offering whose classification stays inside this set is
 * about the need and nothing else. */
void sks_need_closure(const struct sk_searcher *s, const struct sks_needmask *sel,
                      struct sks_needmask *out);
/* The share of an offering's needs (with ancestors) inside the closure,
 * 0..1. */
float sks_need_focus(const struct sks_doc *d, const struct sks_needmask *closure);
/* The share of the selected needs an offering is classified under, 0..1
 * (a word that stands for two needs: offerings for both first). */
float sks_need_coverage(const struct sks_doc *d, const struct sks_needmask *sel);
/* The word group of the words of the selected needs (label words and
 * one-word synonyms of each and of its sub-needs; at most 32 words) into g;
 * no alternatives when there are none. */
SK_MUST_CHECK int sks_need_words(const struct sk_searcher *s, const struct sks_needmask *sel,
                                 struct sks_group *g);

/* ---- never a dead end (sk_fallback.c) ---- */
#define SKS_FALLBACK_MAX 3
/* The needs closest to the query (sim per need bit from sks_lex_similar),
 * best first: at most max of them with sim >= 0.6, never a crisis need
 * (those have their own lines). Their bits go into bits; returns how many. */
size_t sks_fallback_pick(const struct sk_searcher *s, const float *sim, int *bits, size_t max);
/* The Dutch sentence (B1) that says what the fallback shows: reason
 * "closest", "chosen" or "general"; words: what the resident typed (cut
 * at 60 bytes); labels: the needs shown. */
SK_MUST_CHECK int sks_fallback_message(const char *reason, const char *words,
                                       const char *const *labels, size_t n, struct sk_buf *b);

#endif
