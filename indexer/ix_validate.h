#ifndef IX_VALIDATE_H
#define IX_VALIDATE_H
/*
 * Validation of a parsed batch, the same for every feed format. A record
 * that breaks a rule is moved out of the batch into its rejections with
 * one reason a partner understands (Dutch, B1), listing every problem of
 * that record; the good records of the same feed stay.
 *
 * Rules: required fields (key, name; for services also organization, needs,
 * areas, and for non-activities access and cost), taxonomy codes (an
 * unknown code is a rejection, not a crash), Dutch postcode syntax (the
 * postcode is normalised to "1234 AB" and the municipality is derived from
 * it when the record gives none), e-mail / URL / phone syntax, ages 0..120
 * with min <= max, text length caps, valid UTF-8, unique keys, and
 * references (a service's organization and locations must be in the batch
 * and valid: a rejected organization takes its locations and services with
 * it). Duplicate codes in a list are dropped quietly.
 */
#include "ix_record.h"
#include "sk_err.h" /* SK_MUST_CHECK */
#include "sk_check.h"
#include "sk_taxonomy.h"

/* Length caps in characters (code points): the model's field limits
 * (sk_check.h), shared with the portal; the key is the indexer's own. */
#define IX_MAX_KEY 512 /* HSDS ids and iCal UIDs can be long; partner keys are <= 100 */

/* Validate b in place against tax. Returns SK_OK (rejected records moved to
 * b->rejections) or SK_ENOMEM (the batch is then unusable). */
SK_MUST_CHECK int ix_validate_batch(struct ix_batch *b, const struct sk_taxonomy *tax);

/* Field syntax checks are in core/sk_check.h (shared with the portal). */

#endif
