#ifndef IX_ICAL_H
#define IX_ICAL_H
/*
 * iCalendar (.ics) activity calendars into the indexer's model, with
 * libical 3.0. One VEVENT series (a UID with its master and its
 * RECURRENCE-ID overrides) becomes one IX_KIND_ACTIVITY ix_service whose
 * occurrences are expanded over a finite window.
 *
 * What the expansion guarantees (see docs/ical.md for the reasons):
 * - RRULE (COUNT, UNTIL, INTERVAL, BYDAY positions, ...), RDATE (date-time,
 *   date and period), EXDATE; DTSTART is always an instance (RFC 5545).
 * - RECURRENCE-ID overrides: the moved instance appears at its new time and
 *   the original time is gone; STATUS:CANCELLED on an override marks that
 *   instance cancelled, on the master it marks every instance cancelled.
 * - Times are computed in the event's own zone and rendered as Europe/Amsterdam
 *   local time with offset ("2026-11-24T10:00:00+01:00"); all-day events stay
 *   dates ("2026-11-24"; ends_at is the last day, inclusive).
 * - Floating times, unknown TZIDs and Windows zone names ("W. Europe Standard
 *   Time") are read as the calendar's X-WR-TIMEZONE when it names a known
 *   zone, else as Europe/Amsterdam.
 * - Bounded work: at most IX_ICAL_MAX_ITERATIONS recurrence steps per series
 *   and IX_ICAL_DOC_ITERATIONS per document, max_occurrences per series;
 *   hitting a bound adds a warning to the batch.
 * - Text is untrusted: invalid UTF-8 is repaired (read as Windows-1252),
 *   control characters dropped, lengths capped; markup is kept as text.
 *   URLs other than http(s) are dropped. CLASS:PRIVATE/CONFIDENTIAL events
 *   are not published.
 *
 * Thread safety: libical keeps global state (zone cache, error state), so
 * calls are serialised by an internal mutex; any thread may call.
 */
#include <stddef.h>
#include "sk_err.h" /* SK_MUST_CHECK */
#include <stdint.h>

#include "ix_record.h"
#include "sk_check.h" /* SK_FIELD_MAX_OCCURRENCES */

struct sk_taxonomy;

#define IX_ICAL_DEFAULT_MAX_OCCURRENCES SK_FIELD_MAX_OCCURRENCES
#define IX_ICAL_MAX_ITERATIONS 100000
#define IX_ICAL_DOC_ITERATIONS 1000000

struct ix_ical_opts {
  int64_t window_start, window_end; /* unix seconds; end > start, at most ~10 years apart */
  size_t max_occurrences;           /* per event series; 0: SK_FIELD_MAX_OCCURRENCES */
  const struct sk_taxonomy *tax;    /* to map CATEGORIES and LOCATION; may be NULL */
};

/* Window now - 1 day .. now + 180 days, SK_FIELD_MAX_OCCURRENCES occurrences per series,
 * no taxonomy. */
void ix_ical_opts_default(struct ix_ical_opts *o, int64_t now);

/* Parse one .ics document and append one IX_KIND_ACTIVITY ix_service per
 * VEVENT series (key = UID, or "ical-" + a hash when the UID is missing or
 * unusable; name = SUMMARY, description, url, location_text, recurrence =
 * RRULE text, organizer, occurrences sorted by start, needs/target_groups
 * from CATEGORIES that match taxonomy codes, labels or synonyms (others go
 * to keywords), areas from a municipality name or postcode found in
 * LOCATION). org_key is left NULL: the caller fills it from the feed
 * registry defaults. Series with no occurrence in the window are still
 * returned (occurrences.n == 0). A series that cannot be used (no SUMMARY,
 * no DTSTART) becomes a rejection with a Dutch reason; dropped or repaired
 * data becomes a warning.
 *
 * data need not be NUL-terminated. o may be NULL (defaults around now).
 * Returns SK_OK; SK_EPARSE with a Dutch reason in err when the document
 * cannot be read at all (nothing is added to out then); SK_EINVAL for bad
 * arguments; SK_ENOMEM when the batch's arena is full. */
SK_MUST_CHECK int ix_ical_parse(const char *data, size_t len, const struct ix_ical_opts *o,
                                struct ix_batch *out, char *err, size_t errlen);

/* Free libical's cached zones and ring buffer; call once at exit (keeps
 * LeakSanitizer quiet). Parsing again afterwards is allowed. */
void ix_ical_global_cleanup(void);

#endif
