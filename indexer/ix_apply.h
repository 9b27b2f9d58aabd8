#ifndef IX_APPLY_H
#define IX_APPLY_H
/*
 * ix_apply: write one feed's validated batch into the store, in write
 * transactions of about 100 ms each (other writers, the portal,
 * get the store in between), whole records per transaction; withdrawals,
 * the report and the feed row come in the last one. A crash at any moment
 * loses nothing: committed chunks are whole new records, nothing has been
 * withdrawn, and the feed's content hash is still the old one, so the next
 * run applies the feed again (docs/indexer.md).
 *
 * Rows of the feed have source 'feed:<id>' and are found again by
 * (source, source_key); their public id is the name-based UUID of
 * "<source>\n<kind>\n<key>" (kind: organization, location, service), so
 * the same record keeps its id across fetches and rebuilds.
 *
 *  - new record: inserted; a change_log row says it appeared;
 *  - known record whose content changed: updated, one change_log row per
 *    changed field (actor 'feed:<id>');
 *  - known record, same content: not written at all;
 *  - record of this feed that is not in the batch: status 'withdrawn'
 *    (hidden, kept with its history); it becomes 'active' again when it
 *    returns;
 *  - record whose key is among the batch's rejections: kept as it was (a
 *    typo in a feed must not hide the last good version);
 *  - a batch with no records at all while the feed has active records is
 *    refused (SK_EINVAL, nothing changes): an empty feed is far more often
 *    a broken export than a partner closing every offering.
 * Rows with another source (the portal, other feeds) are never touched.
 * The feed's rejections are replaced by the batch's (warnings are stored
 * with them, reason prefixed "Waarschuwing: "), its statistics updated and
 * the full-text index kept in step for every touched offering.
 */
#include "ix_record.h"
#include "sk_err.h" /* SK_MUST_CHECK */
#include "sk_store.h"

struct ix_apply_stats {
  long n_records; /* records in the batch (organisations, locations, offerings) */
  long n_new, n_changed, n_unchanged, n_withdrawn;
  long n_rejected;
  int held; /* the batch was held by the shrink guard (n_withdrawn: what it would withdraw) */
};

/* What the fetch learned, stored with the feed when the batch is applied
 * (so a failed run never records a hash for data it did not keep). */
struct ix_apply_meta {
  const char *etag, *last_modified, *content_hash; /* may be NULL */
  const char *now;                                 /* ISO time of the run; NULL: the current time */
};

/* Create or update the feed row from the registry. Own transaction unless
 * one is open. kind must name a row of ix_feed_kinds[] (ix_kind.h), else
 * SK_EINVAL and nothing is written: that table is the one list of kinds
 * (the schema has none since the migration that rebuilt feed). */
SK_MUST_CHECK int ix_apply_register_feed(struct sk_store *st, const char *feed_id,
                                         const char *partner, const char *kind,
                                         const char *location, int enabled);

/* Apply b for feed feed_id (the feed row is created if missing). stats may
 * be NULL. On failure the transaction is rolled back, err says why (Dutch,
 * for the feed report) and the caller should record it with
 * ix_apply_record_error. */
SK_MUST_CHECK int ix_apply(struct sk_store *st, const char *feed_id, const struct ix_batch *b,
                           const struct ix_apply_meta *meta, struct ix_apply_stats *stats,
                           char *err, size_t errlen);

/* Let the next ix_apply of feed_id withdraw as much as its batch says (the
 * shrink guard steps aside once; the acceptance is used up by the first
 * batch applied). SK_OK, SK_ENOTFOUND (no such feed), SK_EDB. */
SK_MUST_CHECK int ix_apply_accept_shrink(struct sk_store *st, const char *feed_id);

/* Optional, and safe on any thread (no store): work out each offering's
 * content hash and public id for feed feed_id ahead of ix_apply, which then
 * skips that work. ix_run does it on the thread that reads the next feed
 * while the current one is written. SK_OK or SK_ENOMEM (then nothing is
 * marked prepared and ix_apply does all the work). */
SK_MUST_CHECK int ix_apply_prepare(const char *feed_id, struct ix_batch *b);

/* The feed could not be fetched, parsed or applied: keep its data, record
 * the error and the attempt. rejections may be NULL (then the previous
 * report stays). */
SK_MUST_CHECK int ix_apply_record_error(struct sk_store *st, const char *feed_id, const char *error,
                                        const struct ix_batch *rejections);

/* The feed did not change since the last run (HTTP 304 or the same content
 * hash): record a successful attempt; everything counts as unchanged.
 * stats (may be NULL) receives the counts. */
SK_MUST_CHECK int ix_apply_record_unchanged(struct sk_store *st, const char *feed_id,
                                            struct ix_apply_stats *stats);

#endif
