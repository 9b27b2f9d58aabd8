#ifndef SK_TAXONOMY_H
#define SK_TAXONOMY_H
/*
 * The taxonomy (feeds/taxonomy.json): needs with sub-needs, target groups,
 * municipalities, scopes, access routes, costs and laws. Loaded once and
 * read-only afterwards, so one instance may be shared between threads.
 */
#include <stddef.h>

#include "sk_store.h"

enum sk_vocab {
  SK_VOCAB_NEED,
  SK_VOCAB_TARGET_GROUP,
  SK_VOCAB_MUNICIPALITY,
  SK_VOCAB_SCOPE,
  SK_VOCAB_ACCESS,
  SK_VOCAB_COST,
  SK_VOCAB_LAW,
  SK_VOCAB_COUNT
};

#define SK_TERM_MAX_SCOPES 4
#define SK_TERM_MAX_POSTCODE_RANGES 8

/* How many terms a vocabulary may hold. Search keeps a bit per term in its
 * per-offering masks, so these are hard limits: sk_taxonomy_load refuses a
 * taxonomy beyond them with a clear error instead of dropping terms. */
#define SK_TAXONOMY_MAX_NEEDS 128
#define SK_TAXONOMY_MAX_SMALL 16  /* target groups; laws; municipalities and scopes together */
#define SK_TAXONOMY_MAX_CHOICES 8 /* access routes; costs */

struct sk_term {
  enum sk_vocab vocab;
  char *code;           /* owned */
  char *parent_code;    /* owned; NULL for top-level terms */
  char *label;          /* owned */
  char *explain;        /* owned; may be NULL */
  int min_age, max_age; /* -1 when not set */
  int crisis;
  int professional_only; /* target groups: only for professionals' eyes */
  char **synonyms;       /* owned array of owned strings */
  size_t n_synonyms;
  /* municipalities only */
  char *scopes[SK_TERM_MAX_SCOPES]; /* owned */
  size_t n_scopes;
  int postcode_lo[SK_TERM_MAX_POSTCODE_RANGES], postcode_hi[SK_TERM_MAX_POSTCODE_RANGES];
  size_t n_postcode_ranges;
  double lat, lon;  /* centroid; 0 when not set */
  char *extra_json; /* owned; raw JSON of the term, kept for the API */
};

struct sk_taxonomy {
  struct sk_term *terms; /* owned */
  size_t n_terms;
  int version;
};

/* Name of a vocabulary as stored ("need", "target_group", ...). */
const char *sk_vocab_name(enum sk_vocab v);
/* Parse a vocabulary name; -1 when unknown. */
int sk_vocab_parse(const char *name);

/* Load and validate a taxonomy file. On failure err says why: also when a
 * vocabulary holds more terms than the limits above, or a term more scopes or
 * postcode ranges than SK_TERM_MAX_*. */
int sk_taxonomy_load(const char *path, struct sk_taxonomy **out, char *err, size_t errlen);
void sk_taxonomy_free(struct sk_taxonomy *tax);

/* The term with this code in this vocabulary, or NULL. */
const struct sk_term *sk_taxonomy_find(const struct sk_taxonomy *tax, enum sk_vocab v,
                                       const char *code);
/* 1 when code is child_code itself or one of its ancestors (needs). */
int sk_taxonomy_is_within(const struct sk_taxonomy *tax, const char *code, const char *child_code);
/* The municipality whose postcode ranges hold the 4-digit number, or NULL. */
const struct sk_term *sk_taxonomy_municipality_for_postcode(const struct sk_taxonomy *tax,
                                                            int digits4);

/* Write the taxonomy into the store's taxonomy_term table (replacing it).
 * Call inside a transaction. */
int sk_taxonomy_save(const struct sk_taxonomy *tax, struct sk_store *st);
/* Load the taxonomy the store holds (as saved by sk_taxonomy_save). */
int sk_taxonomy_from_store(struct sk_store *st, struct sk_taxonomy **out, char *err, size_t errlen);

#endif
