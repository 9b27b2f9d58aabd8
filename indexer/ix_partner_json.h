#ifndef IX_PARTNER_JSON_H
#define IX_PARTNER_JSON_H
/*
 * partner-json: our own feed format for partners that are not HSDS-ready
 * (docs/feed-format.md, docs/feed-format.schema.json).
 *
 * The parser checks shape and types only; codes, postcodes, syntax and
 * lengths are checked afterwards by ix_validate_batch. A record with a
 * wrong shape (a field of the wrong type, a missing key) becomes a
 * rejection with a Dutch reason and the rest of the feed is still read.
 * Fields we do not know are reported as warnings, never silently dropped.
 */
#include <stddef.h>
#include "sk_err.h" /* SK_MUST_CHECK */

#include "ix_record.h"

/* The value of the "format" member this parser reads. */
#define IX_PARTNER_JSON_FORMAT "sociale-kaart-partner/1"
/* Documents larger than this are refused before parsing. The reader
 * (ix_json) checks the whole document first, then reads one record at a
 * time: memory is the batch plus one record's tree, not a tree of the
 * whole feed. A record with more than 100 000 JSON values makes the feed
 * unreadable. */
#define IX_PARTNER_JSON_MAX_BYTES ((size_t)512 * 1024 * 1024)
/* At most this many records per list (organizations, locations, services). */
#define IX_PARTNER_JSON_MAX_RECORDS 2000000u

/* Parse data[0..len) (need not be NUL-terminated) and append its records
 * to out (strings copied into out's arena). Returns SK_OK (records or
 * rejections appended), SK_EPARSE / SK_ETOOBIG with a Dutch reason in err
 * when the document cannot be read at all (out then holds no new records:
 * syntax, format and list shapes are all checked before the first record
 * is read), or SK_ENOMEM (err says so; out may hold part of the feed). */
SK_MUST_CHECK int ix_partner_json_parse(const char *data, size_t len, struct ix_batch *out,
                                        char *err, size_t errlen);

#endif
