#ifndef IX_HSDS_CSV_H
#define IX_HSDS_CSV_H
/*
 * hsds-csv: the tabular form of HSDS 3.0 (the specification's
 * examples/csv: services.csv, organizations.csv, locations.csv,
 * service_at_location.csv, phones.csv, schedules.csv, service_areas.csv,
 * addresses.csv, taxonomy_terms.csv, attributes.csv, ...), as a zip or as
 * a folder (docs/hsds.md, "The tabular package").
 *
 * The tables are joined by their *_id columns into the nested JSON the
 * specification gives for a service (service_full.json) and that tree goes
 * through ix_hsds_parse_at: the same mapping, repairs, warnings and
 * rejections as an HSDS JSON feed, so a package and its JSON equivalent
 * give the same services.
 *
 * Untrusted input, bounded: at most IX_HSDS_CSV_MAX_FILES members, each at
 * most IX_CSV_MAX_BYTES and all together IX_HSDS_CSV_MAX_TOTAL once
 * unpacked. The zip reader reads the central directory only: stored or
 * deflated members (zlib, raw inflate into a buffer of the announced size;
 * more or fewer bytes, or a wrong CRC-32, refuse the package), no ZIP64,
 * no encryption, no multi-disk. Names are only compared, never opened: a
 * member is used by its base name when it ends in ".csv", in any folder
 * (the same name twice refuses the package); names with "..", a leading
 * '/', '\\' or a drive letter
 * are reported and skipped. Each member's text is checked like any feed
 * (ix_text: Windows-1252 repaired with a warning, NUL refused).
 */
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ix_record.h"
#include "sk_taxonomy.h"

#define IX_HSDS_CSV_MAX_FILES 64
#define IX_HSDS_CSV_MAX_TOTAL ((size_t)128 * 1024 * 1024)

struct ix_hsds_csv_file {
  char name[64]; /* base name, as in the package ("services.csv") */
  char *data;    /* malloc'd, NUL-terminated UTF-8 */
  size_t len;
};

/* The members of one package; owns its files' data. Zero it before use. */
struct ix_hsds_csv_pkg {
  struct ix_hsds_csv_file files[IX_HSDS_CSV_MAX_FILES];
  size_t n;
  size_t total; /* bytes of all members */
};
void ix_hsds_csv_pkg_free(struct ix_hsds_csv_pkg *p);

/* Unpack the .csv members of a zip archive data[0..len) into p (warnings,
 * such as a skipped member, into b). SK_OK; SK_EPARSE with a Dutch reason
 * in err when the archive is not a zip we read; SK_ETOOBIG past a cap;
 * SK_ENOMEM. On error p may hold some members: free it. */
int ix_hsds_csv_read_zip(const char *data, size_t len, struct ix_hsds_csv_pkg *p,
                         struct ix_batch *b, char *err, size_t errlen);

/* Read the *.csv regular files of folder dir (not below it; symbolic links
 * are not followed) into p. Same returns as ix_hsds_csv_read_zip. */
int ix_hsds_csv_read_dir(const char *dir, struct ix_hsds_csv_pkg *p, struct ix_batch *b, char *err,
                         size_t errlen);

/* Join the tables of p into services and append them to out (as
 * ix_hsds_parse_at does). SK_OK; SK_EPARSE with a Dutch reason when there
 * is no services.csv or it has no header; SK_ENOMEM; SK_ETOOBIG. */
int ix_hsds_csv_parse_pkg(const struct ix_hsds_csv_pkg *p, const struct sk_taxonomy *tax,
                          int64_t now, struct ix_batch *out, char *err, size_t errlen);

/* The tabular form as one JSON document (the specification's
 * examples/tabular.json: {"services.csv": [{row}, ...], ...}): each table
 * written as CSV text and read as a package (ix_hsds_csv_parse_pkg), so
 * the same joins, conversions and warnings hold. A member that is not a
 * list named *.csv is a warning. root is borrowed. */
int ix_hsds_csv_parse_tabular(json_t *root, const struct sk_taxonomy *tax, int64_t now,
                              struct ix_batch *out, char *err, size_t errlen);

/* A fetched zip: ix_hsds_csv_read_zip + ix_hsds_csv_parse_pkg. */
int ix_hsds_csv_parse_zip(const char *data, size_t len, const struct sk_taxonomy *tax, int64_t now,
                          struct ix_batch *out, char *err, size_t errlen);

#endif
