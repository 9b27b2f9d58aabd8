#ifndef IX_AREA_H
#define IX_AREA_H
/*
 * Service areas as people write them, placed on the taxonomy's
 * municipalities and scopes (feeds/taxonomy.json). Used by the HSDS
 * import for service_area.name and service_area.extent.
 *
 * A name is matched, after folding (case, diacritics, "&" = "en",
 * punctuation = space), against a term's code, label, synonyms and, for
 * municipalities, the CBS code ("GM0406") and the province ("Noord-Holland":
 * every municipality of that province). Prefixes "gemeente", "regio",
 * "provincie" are ignored; a 4-digit postcode (or "1271 AB") gives the
 * municipality of the taxonomy's postcode ranges. A name that matches
 * nothing as a whole is split into a list ("Huizen, Blaricum, Eemnes en
 * Laren", "Huizen + Nederland") and each part is placed on its own.
 *
 * All input is untrusted; every function is bounded and never fails on
 * content (only on memory).
 */
#include <stddef.h>
#include "sk_err.h" /* SK_MUST_CHECK */

#include "sk_taxonomy.h"

#define IX_AREA_MAX 16 /* codes one name can give */

struct ix_area_result {
  const char *codes[IX_AREA_MAX]; /* taxonomy codes, not owned (point into tax) */
  size_t n;
  char unplaced[128]; /* the first part we could not place, "" when none */
  int truncated;      /* more than IX_AREA_MAX codes: the rest dropped */
};

/* Place one free-text area name. tax may be NULL (then nothing is placed).
 * Returns SK_OK or SK_ENOMEM; *out is always initialised. */
SK_MUST_CHECK int ix_area_resolve(const struct sk_taxonomy *tax, const char *name,
                                  struct ix_area_result *out);

/* Place a GeoJSON geometry (Polygon or MultiPolygon, as text or an object
 * already parsed by the caller, here as text): every municipality whose
 * centroid lies inside it. We ship no municipality shapes, so this is an
 * approximation (a polygon that covers half a municipality but not its
 * centre does not place it); the caller warns. Returns SK_OK with out->n
 * possibly 0, SK_EPARSE when the text is not a Polygon or MultiPolygon we
 * can read (a Point, another type, broken JSON), SK_ENOMEM. */
SK_MUST_CHECK int ix_area_from_geojson(const struct sk_taxonomy *tax, const char *geojson,
                                       size_t len, struct ix_area_result *out);

#endif
