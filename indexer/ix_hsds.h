#ifndef IX_HSDS_H
#define IX_HSDS_H
/*
 * Import of Open Referral HSDS JSON: 3.0 and 3.1, and the field names of
 * 1.x, 2.0 and the ORUK API 1.0 (docs/hsds.md has the field mapping).
 *
 * Accepted documents:
 *  - an array of service objects, or one service object;
 *  - the paged envelope of GET /services:
 *    {"total_items", "total_pages", "page_number", "size", "contents": [...]},
 *    and Spring's {"content", "totalPages", "number", ...} (pages from 0:
 *    out->zero_based_pages), "items", "data", "results";
 *  - NDJSON (one object a line);
 *  - also, because HSDS APIs serve them: service_at_location objects
 *    ({"service": {...}, "location": {...}}, alone, in an array or in an
 *    envelope) and organization objects with a nested "services" array;
 *  - organizations and locations without services (kept, with a warning).
 * Taxonomies, their terms and the API's base document are refused with a
 * reason that says what they are.
 *
 * Our profile: attributes[].taxonomy_term with taxonomy "sk-hulpvraag" (need),
 * "sk-doelgroep" (target group), "sk-toegang" (access), "sk-kosten" (cost)
 * or "sk-wet" (law) and code = our taxonomy code; service_areas[].name = a
 * municipality or scope code ("huizen", "hbel", "landelijk") or its label.
 *
 * The input is untrusted: a wrong type anywhere gives a rejection (the
 * record is not usable) or a warning (the field is dropped), never a crash.
 * Duplicate JSON keys make the document unreadable (JSON_REJECT_DUPLICATES).
 * Nesting depth is bounded by jansson (2048), the size by IX_HSDS_MAX_BYTES.
 */
#include <stddef.h>
#include "sk_err.h" /* SK_MUST_CHECK */
#include <stdint.h>

#include "ix_record.h"
#include "sk_taxonomy.h"

/* Documents larger than this are refused with SK_ETOOBIG before parsing
 * (jansson builds the whole tree, several times the input in memory). */
#define IX_HSDS_MAX_BYTES ((size_t)64 * 1024 * 1024)
/* A larger envelope "total_pages" is clamped to this (with a warning), so a
 * hostile feed cannot make the caller fetch without end. */
#define IX_HSDS_MAX_PAGES 1000

/* Parse one HSDS 3.0 JSON document and append its organizations, locations
 * and services to out (records already in out are kept; an organization or
 * location key that out already holds is not added twice, and a service key
 * it already holds is a duplicate). Records that cannot be used become
 * rejections with a Dutch reason; data without a home in our model is
 * dropped with a warning (one warning per kind, with a count) or moved into
 * the description. Services with status inactive or defunct are left out,
 * with a warning. Services are not validated against the taxonomy here: a
 * service without taxonomy attributes is returned with empty needs
 * (ix_validate_batch rejects it later).
 *
 * tax may be NULL: area names are then kept when they look like codes, and
 * no municipality is derived from postcodes.
 *
 * *total_pages is set from the envelope (1 otherwise, and on error).
 * Returns SK_OK; SK_EPARSE with a Dutch reason in err when the document
 * cannot be read at all (not JSON, duplicate keys, too deep, nothing that
 * is a service, an organization or a location); SK_ETOOBIG when len passes IX_HSDS_MAX_BYTES or
 * out's arena cap is reached; SK_ENOMEM; SK_EINVAL for NULL arguments. On an error out may hold
 * part of the document: the caller should discard it. */
SK_MUST_CHECK int ix_hsds_parse(const char *data, size_t len, const struct sk_taxonomy *tax,
                                struct ix_batch *out, int *total_pages, char *err, size_t errlen);
/* The same, with "now" (unix seconds) for the schedules that are expanded
 * into dated rows (every other week, monthly, counted: from the first day
 * of now's month for about six months). ix_hsds_parse uses time(NULL). */
SK_MUST_CHECK int ix_hsds_parse_at(const char *data, size_t len, const struct sk_taxonomy *tax,
                                   int64_t now, struct ix_batch *out, int *total_pages, char *err,
                                   size_t errlen);

#endif
