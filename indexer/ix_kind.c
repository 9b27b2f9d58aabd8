/* The feed kinds table (ix_kind.h). */
#include "ix_kind.h"

#include <stdlib.h>
#include <string.h>

#include "sk_err.h"

#include "ix_csv.h"
#include "ix_hsds.h"
#include "ix_hsds_csv.h"
#include "ix_ical.h"
#include "ix_partner_json.h"

static int parse_partner_json(const struct ix_feed *f, const struct sk_taxonomy *tax, int64_t now,
                              const char *data, size_t len, struct ix_batch *b, int *total_pages,
                              char *err, size_t errlen) {
  (void)f;
  (void)tax;
  (void)now;
  *total_pages = 1;
  return ix_partner_json_parse(data, len, b, err, errlen);
}

static int parse_hsds(const struct ix_feed *f, const struct sk_taxonomy *tax, int64_t now,
                      const char *data, size_t len, struct ix_batch *b, int *total_pages, char *err,
                      size_t errlen) {
  (void)f;
  return ix_hsds_parse_at(data, len, tax, now, b, total_pages, err, errlen);
}

static int parse_ical(const struct ix_feed *f, const struct sk_taxonomy *tax, int64_t now,
                      const char *data, size_t len, struct ix_batch *b, int *total_pages, char *err,
                      size_t errlen) {
  (void)f;
  *total_pages = 1;
  struct ix_ical_opts io;
  ix_ical_opts_default(&io, now);
  io.tax = tax;
  return ix_ical_parse(data, len, &io, b, err, errlen);
}

static int parse_csv(const struct ix_feed *f, const struct sk_taxonomy *tax, int64_t now,
                     const char *data, size_t len, struct ix_batch *b, int *total_pages, char *err,
                     size_t errlen) {
  (void)f;
  (void)now;
  *total_pages = 1;
  return ix_csv_parse(data, len, tax, b, err, errlen);
}

static int parse_hsds_csv(const struct ix_feed *f, const struct sk_taxonomy *tax, int64_t now,
                          const char *data, size_t len, struct ix_batch *b, int *total_pages,
                          char *err, size_t errlen) {
  (void)f;
  *total_pages = 1;
  return ix_hsds_csv_parse_zip(data, len, tax, now, b, err, errlen);
}

static int parse_hsds_csv_dir(const struct ix_feed *f, const struct sk_taxonomy *tax, int64_t now,
                              const char *dir, struct ix_batch *b, char *err, size_t errlen) {
  (void)f;
  struct ix_hsds_csv_pkg *p = calloc(1, sizeof *p);
  if (!p)
    return SK_ENOMEM;
  int rc = ix_hsds_csv_read_dir(dir, p, b, err, errlen);
  if (!rc)
    rc = ix_hsds_csv_parse_pkg(p, tax, now, b, err, errlen);
  ix_hsds_csv_pkg_free(p);
  free(p);
  return rc;
}

const struct ix_feed_kind ix_feed_kinds[] = {
    {"partner-json", "our own JSON feed format (docs/feed-format.md)", parse_partner_json, 0, 0, 0,
     0, NULL},
    /* HSDS is read again daily: schedules that are not weekly become dated
     * rows over a window that moves with the month (docs/hsds.md). */
    {"hsds", "Open Referral HSDS JSON (3.x; 1.x/2.0 names), paged, whole or NDJSON (docs/hsds.md)",
     parse_hsds, 1, 0, 1, 0, NULL},
    {"ical", "an iCalendar (.ics) activity calendar (docs/ical.md)", parse_ical, 1, 1, 0, 0, NULL},
    {"csv", "a spreadsheet saved as CSV, one row per offering (docs/feed-format.md)", parse_csv, 0,
     0, 1, 0, NULL},
    /* Schedules as for hsds: read again daily. */
    {"hsds-csv",
     "the HSDS tabular package (3.x; 1.x/2.0 tables): a zip or a folder of CSV files "
     "(docs/hsds.md)",
     parse_hsds_csv, 1, 0, 1, 1, parse_hsds_csv_dir},
};
const size_t ix_n_feed_kinds = sizeof ix_feed_kinds / sizeof ix_feed_kinds[0];

const struct ix_feed_kind *ix_feed_kind_find(const char *name) {
  for (size_t i = 0; name && i < ix_n_feed_kinds; i++)
    if (strcmp(ix_feed_kinds[i].name, name) == 0)
      return &ix_feed_kinds[i];
  return NULL;
}
