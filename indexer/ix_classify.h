#ifndef IX_CLASSIFY_H
#define IX_CLASSIFY_H
/*
 * Classification the source did not give, proposed by us (issue 12: a
 * valid HSDS service is accepted as it is; classifying it is our job, not
 * the partner's). Runs after the registry defaults and before validation,
 * on feeds whose format does not require our codes (HSDS).
 *
 * For each service (not activity) with no needs: needs are proposed from
 * its name, keywords (alternate_name), description and the term names of
 * other taxonomies it carries (ix_service.other_terms), by matching the
 * taxonomy's need synonyms as whole words after folding. Without access or
 * cost the code "onbekend" is used (its resident text says to ask the
 * organisation). A service given any of these by us is marked
 * auto_classified ("automatisch ingedeeld") and waits for a redacteur.
 *
 * A service with no area at all gets the municipalities of its locations'
 * postcodes, else "landelijk", each with a warning. A service whose only
 * areas could not be placed (ix_service.unplaced_area: "the MyCity area")
 * is valid HSDS: it gets the same areas, each with the note "Werkgebied
 * volgens de aanbieder: <its text>", and one warning for the feed. (Kinds
 * without classification, partner-json, leave it to the validator, which
 * rejects it naming the area.)
 *
 * Hook for the everyday-Dutch lexicon (feeds/, another module): when set,
 * lexicon() is asked after the taxonomy synonyms with the folded text and
 * may add need codes to needs (codes unknown to the taxonomy are dropped by
 * the validator as for any source).
 */
#include "ix_record.h"
#include "sk_err.h" /* SK_MUST_CHECK */
#include "sk_taxonomy.h"

/* Folded, space-padded text (" wij helpen bij schulden "); return SK_OK or
 * SK_ENOMEM. */
typedef int (*ix_classify_lexicon_fn)(void *ctx, const char *folded_text, struct ix_batch *b,
                                      struct ix_strv *needs);

struct ix_classify_opts {
  ix_classify_lexicon_fn lexicon; /* NULL: taxonomy synonyms only */
  void *lexicon_ctx;
  int max_needs; /* proposals per service; 0: 3 */
};

/* At most this many needs are proposed per service by default. */
#define IX_CLASSIFY_MAX_NEEDS 3

/* Classify every service of b that lacks needs, access, cost or areas (see
 * above). o may be NULL. Warnings are added to b (one per kind, with a
 * count). Returns SK_OK or SK_ENOMEM / SK_ETOOBIG (arena cap). */
SK_MUST_CHECK int ix_classify_batch(struct ix_batch *b, const struct sk_taxonomy *tax,
                                    const struct ix_classify_opts *o);

#endif
