#ifndef IX_ICAL_INTERNAL_H
#define IX_ICAL_INTERNAL_H
/*
 * Private to ix_ical*.c: the per-document context shared by the document
 * walker (ix_ical.c) and the time zone / recurrence code (ix_ical_time.c).
 * Everything here runs under ix_ical's mutex.
 */
#include <libical/ical.h>
#include "sk_err.h" /* SK_MUST_CHECK */
#include <stddef.h>
#include <stdint.h>

#include "ix_ical.h"

#define IXC_ZONE_CACHE 16
#define IXC_MAX_WARNINGS 100

struct ixc_zone_entry {
  char tzid[128];
  icalcomponent *vcal;
  icaltimezone *zone;
};

struct ixc_doc {
  struct ix_batch *b;
  const struct ix_ical_opts *o;
  size_t max_occ;
  icaltimezone *ams, *utc;
  size_t iterations_left; /* recurrence steps left for the whole document */
  int budget_warned;
  int budget_hit; /* a recurrence walk stopped at a budget (ixc_expand clears it per series) */
  int quiet;      /* warnings are not added (a second walk that would repeat them) */
  size_t warnings, warnings_dropped;
  struct ixc_zone_entry zones[IXC_ZONE_CACHE];
  size_t n_zones, next_zone;
  int oom;
};

/* A moment of an event. Date-time values have utc and the local calendar
 * day in the series zone; all-day values have day (days since 1970-01-01)
 * and utc = local midnight of that day in the series zone. */
struct ixc_point {
  int64_t utc;
  int64_t day;
  int all_day;
};

/* One VEVENT series to expand: the master (NULL when the feed only has
 * overrides) and its RECURRENCE-ID overrides, in document order. */
struct ixc_series {
  const char *key; /* for messages */
  icalcomponent *master;
  icalcomponent **overrides;
  size_t n_overrides;
  icalcomponent *vcal;  /* the VCALENDAR, for VTIMEZONE lookups */
  icaltimezone *deflt;  /* zone for floating and unknown times */
  int cancelled;        /* master STATUS:CANCELLED */
  const char *location; /* the series' cleaned LOCATION, or NULL */
};

/* Which of two revisions of a component (same UID, same RECURRENCE-ID or
 * none) is newer: SEQUENCE, then DTSTAMP (RFC 5546 2.1.5; a missing
 * DTSTAMP is oldest). <0 when a is older, 0 when neither is, >0 when newer. */
int ixc_revision_cmp(icalcomponent *a, icalcomponent *b);

/* Add a warning to the batch (at most IXC_MAX_WARNINGS per document). */
void ixc_warn(struct ixc_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Clean untrusted text: invalid UTF-8 is read as Windows-1252, control
 * characters are dropped, whitespace trimmed (and collapsed to single
 * spaces when single_line), the result capped at cap bytes ending in "…".
 * Returns an arena copy, or NULL when s is NULL or nothing is left (or on
 * OOM: d->oom is then set). *flags gets IXC_REPAIRED / IXC_TRUNCATED. */
#define IXC_REPAIRED 1
#define IXC_TRUNCATED 2
const char *ixc_clean(struct ixc_doc *d, const char *s, size_t cap, int single_line, int *flags);

/* The zone a TZID stands for: an IANA name (also behind a prefix such as
 * "/freeassociation.sourceforge.net/"), a Windows name, a VTIMEZONE of the
 * calendar; else deflt (with a warning, once per TZID). NULL tzid: deflt. */
icaltimezone *ixc_zone(struct ixc_doc *d, icalcomponent *vcal, const char *tzid,
                       icaltimezone *deflt);

/* The calendar default for floating times: X-WR-TIMEZONE when it names a
 * zone we know, else Europe/Amsterdam. */
icaltimezone *ixc_calendar_zone(struct ixc_doc *d, icalcomponent *vcal);

/* Expand the series into svc->occurrences (sorted, capped). SK_OK or SK_ENOMEM.
 * SK_EINVAL when the series has no usable start (the caller rejects it). */
SK_MUST_CHECK int ixc_expand(struct ixc_doc *d, const struct ixc_series *s, struct ix_service *svc);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t ixc_days_from_civil(int64_t y, unsigned m, unsigned dd);
void ixc_civil_from_days(int64_t z, int *y, int *m, int *dd);

#endif
