/* iCal: recurrence, zones, overrides and untrusted text, asserted against
 * occurrences computed by hand (calendar of 2026/2027; DST ends on Sunday
 * 25 October 2026 and starts on Sunday 28 March 2027). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_test.h"
#include "ix_ical.h"
#include "sk_err.h"
#include "sk_fold.h"

/* 2026-09-01T00:00:00+02:00 .. 2027-03-01T00:00:00+01:00 */
#define WS 1788213600LL
#define WE 1803855600LL

#define CAL(body)                                                                                  \
  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//sk test//NL\r\n" body "END:VCALENDAR\r\n"

static struct ix_ical_opts opts(void) {
  struct ix_ical_opts o;
  ix_ical_opts_default(&o, 0);
  o.window_start = WS;
  o.window_end = WE;
  o.tax = th_taxonomy();
  return o;
}

static void parse_with(const char *ics, const struct ix_ical_opts *o, struct ix_batch *b) {
  char err[256] = "";
  ix_batch_init(b, 64u << 20);
  int rc = ix_ical_parse(ics, strlen(ics), o, b, err, sizeof err);
  if (rc != SK_OK)
    fail_msg("ix_ical_parse: %d %s", rc, err);
}

static void parse(const char *ics, struct ix_batch *b) {
  struct ix_ical_opts o = opts();
  parse_with(ics, &o, b);
}

static const struct ix_service *find(const struct ix_batch *b, const char *key) {
  for (size_t i = 0; i < b->services.n; i++)
    if (strcmp(b->services.v[i].key, key) == 0)
      return &b->services.v[i];
  fail_msg("no service with key %s", key);
  return NULL;
}

static void expect_starts(const struct ix_service *s, const char *const *want, size_t n) {
  for (size_t i = 0; i < s->occurrences.n && i < n; i++)
    if (strcmp(s->occurrences.v[i].starts_at, want[i]) != 0) {
      for (size_t k = 0; k < s->occurrences.n; k++)
        print_message("  got %s\n", s->occurrences.v[k].starts_at);
      fail_msg("%s occurrence %zu: got %s, want %s", s->key, i, s->occurrences.v[i].starts_at,
               want[i]);
    }
  if (s->occurrences.n != n) {
    for (size_t i = 0; i < s->occurrences.n; i++)
      print_message("  got %s\n", s->occurrences.v[i].starts_at);
    fail_msg("%s: %zu occurrences, want %zu", s->key, s->occurrences.n, n);
  }
}
#define EXPECT(s, ...)                                                                             \
  do {                                                                                             \
    static const char *const w_[] = {__VA_ARGS__};                                                 \
    expect_starts((s), w_, sizeof w_ / sizeof *w_);                                                \
  } while (0)

static int has_warning(const struct ix_batch *b, const char *part) {
  for (size_t i = 0; i < b->warnings.n; i++)
    if (strstr(b->warnings.v[i], part))
      return 1;
  return 0;
}

static int strv_has(const struct ix_strv *sv, const char *s) {
  for (size_t i = 0; i < sv->n; i++)
    if (strcmp(sv->v[i], s) == 0)
      return 1;
  return 0;
}

/* ------------------------------------------------------------------ DST */

static void test_weekly_stays_ten_local_across_october_change(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:koffie\r\nSUMMARY:Koffieochtend\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20261013T100000\r\n"
            "DTEND;TZID=Europe/Amsterdam:20261013T113000\r\n"
            "RRULE:FREQ=WEEKLY;COUNT=4\r\nEND:VEVENT\r\n"),
        &b);
  const struct ix_service *s = find(&b, "koffie");
  assert_int_equal(s->kind, IX_KIND_ACTIVITY);
  assert_string_equal(s->name, "Koffieochtend");
  assert_string_equal(s->recurrence, "FREQ=WEEKLY;COUNT=4");
  EXPECT(s, "2026-10-13T10:00:00+02:00", "2026-10-20T10:00:00+02:00", "2026-10-27T10:00:00+01:00",
         "2026-11-03T10:00:00+01:00");
  assert_string_equal(s->occurrences.v[2].ends_at, "2026-10-27T11:30:00+01:00");
  assert_int_equal(s->occurrences.v[1].start_utc, 1792483200); /* 08:00Z */
  assert_int_equal(s->occurrences.v[2].start_utc, 1793091600); /* 09:00Z */
  assert_int_equal(s->occurrences.v[2].start_utc - s->occurrences.v[1].start_utc, 7 * 86400 + 3600);
  assert_int_equal(s->occurrences.v[2].end_utc - s->occurrences.v[2].start_utc, 5400);
  assert_int_equal(s->occurrences.v[0].all_day, 0);
  assert_int_equal(s->occurrences.v[0].cancelled, 0);
  ix_batch_free(&b);
}

/* Windows names, unknown names and floating times all mean Amsterdam. */
static void test_windows_unknown_and_floating_zones_are_amsterdam(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:w\r\nSUMMARY:W\r\n"
            "DTSTART;TZID=W. Europe Standard "
            "Time:20261020T100000\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:r\r\nSUMMARY:R\r\n"
            "DTSTART;TZID=Romance Standard "
            "Time:20261020T100000\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:f\r\nSUMMARY:F\r\n"
            "DTSTART:20261020T100000\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:u\r\nSUMMARY:U\r\n"
            "DTSTART;TZID=Mars/Olympus "
            "Mons:20261020T100000\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:p\r\nSUMMARY:P\r\n"
            "DTSTART;TZID=/freeassociation.sourceforge.net/Tzfile/Europe/"
            "Amsterdam:20261020T100000\r\n"
            "RRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\n"),
        &b);
  const char *keys[] = {"w", "r", "f", "u", "p"};
  for (size_t i = 0; i < 5; i++)
    EXPECT(find(&b, keys[i]), "2026-10-20T10:00:00+02:00", "2026-10-27T10:00:00+01:00");
  assert_true(has_warning(&b, "Mars/Olympus Mons"));
  ix_batch_free(&b);
}

/* An Outlook file that defines its own zone under a Windows name. */
static void test_vtimezone_in_file(void **state) {
  (void)state;
  struct ix_batch b;
  parse(
      CAL("BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\n"
          "BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
          "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
          "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
          "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
          "BEGIN:VTIMEZONE\r\nTZID:Eigen zone\r\n"
          "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\n"
          "END:STANDARD\r\nEND:VTIMEZONE\r\n"
          "BEGIN:VEVENT\r\nUID:o\r\nSUMMARY:Outlook\r\n"
          "DTSTART;TZID=W. Europe Standard "
          "Time:20261020T100000\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\n"
          "BEGIN:VEVENT\r\nUID:e\r\nSUMMARY:Eigen\r\n"
          "DTSTART;TZID=Eigen zone:20261020T100000\r\nEND:VEVENT\r\n"),
      &b);
  EXPECT(find(&b, "o"), "2026-10-20T10:00:00+02:00", "2026-10-27T10:00:00+01:00");
  EXPECT(find(&b, "e"), "2026-10-20T09:00:00+02:00"); /* 10:00+03:00 = 07:00Z */
  assert_false(has_warning(&b, "Onbekende tijdzone"));
  ix_batch_free(&b);
}

static void test_x_wr_timezone_for_floating_times(void **state) {
  (void)state;
  struct ix_batch b;
  parse("BEGIN:VCALENDAR\nVERSION:2.0\nX-WR-TIMEZONE:America/New_York\n"
        "BEGIN:VEVENT\nUID:ny\nSUMMARY:NY\nDTSTART:20261027T100000\nRRULE:FREQ=WEEKLY;COUNT=2\nEND:"
        "VEVENT\n"
        "BEGIN:VEVENT\nUID:z\nSUMMARY:Z\nDTSTART:20261027T100000Z\nEND:VEVENT\n"
        "END:VCALENDAR\n",
        &b);
  /* 10:00 EDT = 14:00Z = 15:00 CET; 3 Nov: 10:00 EST = 15:00Z = 16:00 CET */
  EXPECT(find(&b, "ny"), "2026-10-27T15:00:00+01:00", "2026-11-03T16:00:00+01:00");
  EXPECT(find(&b, "z"), "2026-10-27T11:00:00+01:00"); /* UTC stays UTC */
  ix_batch_free(&b);
}

static void test_utc_series_keeps_utc_time(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:utc\r\nSUMMARY:UTC\r\nDTSTART:20261020T080000Z\r\n"
            "RRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\n"),
        &b);
  EXPECT(find(&b, "utc"), "2026-10-20T10:00:00+02:00", "2026-10-27T09:00:00+01:00");
  ix_batch_free(&b);
}

/* ---------------------------------------------------------------- RRULE */

static void test_count_until_interval_and_positions(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:tweede-dinsdag\r\nSUMMARY:Inloop\r\n"
            "DTSTART;TZID=Europe/"
            "Amsterdam:20260908T140000\r\nRRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=5\r\n"
            "END:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:laatste-vrijdag\r\nSUMMARY:Borrel\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20260925T170000\r\n"
            "RRULE:FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20270101T000000Z\r\nEND:VEVENT\r\n"
            /* UNTIL equal to the last instance (10:00 CET = 09:00Z) keeps it */
            "BEGIN:VEVENT\r\nUID:om-de-week\r\nSUMMARY:Wandelen\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20261013T100000\r\n"
            "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20261124T090000Z\r\nEND:VEVENT\r\n"
            /* a date UNTIL on a timed series includes that day */
            "BEGIN:VEVENT\r\nUID:until-date\r\nSUMMARY:Tot en met\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20261110T190000\r\n"
            "RRULE:FREQ=DAILY;INTERVAL=3;UNTIL=20261116\r\nEND:VEVENT\r\n"),
        &b);
  EXPECT(find(&b, "tweede-dinsdag"), "2026-09-08T14:00:00+02:00", "2026-10-13T14:00:00+02:00",
         "2026-11-10T14:00:00+01:00", "2026-12-08T14:00:00+01:00", "2027-01-12T14:00:00+01:00");
  EXPECT(find(&b, "laatste-vrijdag"), "2026-09-25T17:00:00+02:00", "2026-10-30T17:00:00+01:00",
         "2026-11-27T17:00:00+01:00", "2026-12-25T17:00:00+01:00");
  EXPECT(find(&b, "om-de-week"), "2026-10-13T10:00:00+02:00", "2026-10-27T10:00:00+01:00",
         "2026-11-10T10:00:00+01:00", "2026-11-24T10:00:00+01:00");
  EXPECT(find(&b, "until-date"), "2026-11-10T19:00:00+01:00", "2026-11-13T19:00:00+01:00",
         "2026-11-16T19:00:00+01:00");
  ix_batch_free(&b);
}

/* A rule that started long ago lands in the window with its phase intact
 * (every other Tuesday since 4 January 2000). */
static void test_old_rules_keep_their_phase(void **state) {
  (void)state;
  struct ix_batch b;
  struct ix_ical_opts o = opts();
  o.window_end = o.window_start + 30 * 86400; /* September 2026 */
  parse_with(CAL("BEGIN:VEVENT\r\nUID:oud\r\nSUMMARY:Oud\r\n"
                 "DTSTART;TZID=Europe/"
                 "Amsterdam:20000104T100000\r\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU\r\n"
                 "END:VEVENT\r\n"
                 "BEGIN:VEVENT\r\nUID:oud-count\r\nSUMMARY:Oud met COUNT\r\n"
                 "DTSTART;TZID=Europe/Amsterdam:19990101T090000\r\nRRULE:FREQ=DAILY;COUNT=20000\r\n"
                 "END:VEVENT\r\n"),
             &o, &b);
  /* 2026-09-08 - 2000-01-04 = 9744 days = 696 fortnights */
  EXPECT(find(&b, "oud"), "2026-09-08T10:00:00+02:00", "2026-09-22T10:00:00+02:00");
  /* 1999-01-01 + 19 999 days = 2053-10-03, so it covers September 2026 */
  const struct ix_service *c = find(&b, "oud-count");
  assert_int_equal(c->occurrences.n, 30);
  assert_string_equal(c->occurrences.v[0].starts_at, "2026-09-01T09:00:00+02:00");
  ix_batch_free(&b);
}

static void test_exdate_and_rdate(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:ex\r\nSUMMARY:Ex\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20261006T100000\r\nRRULE:FREQ=WEEKLY;COUNT=6\r\n"
            "EXDATE;TZID=Europe/Amsterdam:20261020T100000\r\n"
            "EXDATE:20261103T090000Z\r\n" /* the same instant written in UTC */
            "RDATE;TZID=Europe/Amsterdam:20261225T150000\r\n"
            "RDATE:20261013T080000Z\r\n" /* duplicate of an RRULE instance */
            "RDATE;VALUE=PERIOD:20270105T130000Z/20270105T150000Z\r\n"
            "END:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:dagen\r\nSUMMARY:Dagen\r\n"
            "DTSTART;VALUE=DATE:20261001\r\nRDATE;VALUE=DATE:20261105,20261203\r\n"
            "EXDATE;VALUE=DATE:20261105\r\nEND:VEVENT\r\n"),
        &b);
  const struct ix_service *s = find(&b, "ex");
  EXPECT(s, "2026-10-06T10:00:00+02:00", "2026-10-13T10:00:00+02:00", "2026-10-27T10:00:00+01:00",
         "2026-11-10T10:00:00+01:00", "2026-12-25T15:00:00+01:00", "2027-01-05T14:00:00+01:00");
  assert_string_equal(s->occurrences.v[5].ends_at, "2027-01-05T16:00:00+01:00");
  EXPECT(find(&b, "dagen"), "2026-10-01", "2026-12-03");
  ix_batch_free(&b);
}

/* ------------------------------------------------------------ overrides */

static void test_recurrence_id_moves_and_cancels(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:soos\r\nSUMMARY:Soos\r\nLOCATION:Buurthuis Huizen\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20261013T100000\r\nDTEND;TZID=Europe/"
            "Amsterdam:20261013T120000\r\n"
            "RRULE:FREQ=WEEKLY;COUNT=5\r\nEND:VEVENT\r\n"
            /* 20 Oct moves to Thursday 22 Oct 14:00 in another place */
            "BEGIN:VEVENT\r\nUID:soos\r\nSUMMARY:Soos (verplaatst)\r\nLOCATION:Bibliotheek "
            "Blaricum\r\n"
            "RECURRENCE-ID;TZID=Europe/Amsterdam:20261020T100000\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20261022T140000\r\nDTEND;TZID=Europe/"
            "Amsterdam:20261022T153000\r\n"
            "SEQUENCE:1\r\nEND:VEVENT\r\n"
            /* 3 Nov is cancelled; its RECURRENCE-ID is written in UTC */
            "BEGIN:VEVENT\r\nUID:soos\r\nSUMMARY:Soos\r\nRECURRENCE-ID:20261103T090000Z\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20261103T100000\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"),
        &b);
  assert_int_equal(b.services.n, 1);
  const struct ix_service *s = find(&b, "soos");
  assert_string_equal(s->name, "Soos"); /* the master's text */
  EXPECT(s, "2026-10-13T10:00:00+02:00", "2026-10-22T14:00:00+02:00", "2026-10-27T10:00:00+01:00",
         "2026-11-03T10:00:00+01:00", "2026-11-10T10:00:00+01:00");
  assert_string_equal(s->occurrences.v[1].ends_at, "2026-10-22T15:30:00+02:00");
  assert_string_equal(s->occurrences.v[1].location_text, "Bibliotheek Blaricum");
  assert_null(s->occurrences.v[0].location_text);
  assert_int_equal(s->occurrences.v[3].cancelled, 1);
  assert_string_equal(s->occurrences.v[3].ends_at,
                      "2026-11-03T12:00:00+01:00"); /* master's length */
  for (size_t i = 0; i < 5; i++)
    if (i != 3)
      assert_int_equal(s->occurrences.v[i].cancelled, 0);
  ix_batch_free(&b);
}

/* Moved into the window from outside, and out of it from inside. */
static void test_override_across_window_edge(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:rand\r\nSUMMARY:Rand\r\n"
            "DTSTART;TZID=Europe/"
            "Amsterdam:20260818T100000\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:rand\r\nRECURRENCE-ID;TZID=Europe/Amsterdam:20260825T100000\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20260902T100000\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:rand\r\nRECURRENCE-ID;TZID=Europe/Amsterdam:20260908T100000\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20260828T100000\r\nEND:VEVENT\r\n"),
        &b);
  /* instances 18 Aug, 25 Aug (-> 2 Sep), 1 Sep, 8 Sep (-> 28 Aug) */
  EXPECT(find(&b, "rand"), "2026-09-01T10:00:00+02:00", "2026-09-02T10:00:00+02:00");
  ix_batch_free(&b);
}

/* A modified instance that was deleted afterwards: the newer master lists
 * it in EXDATE and the stale override must not bring it back. */
static void test_exdate_beats_an_older_override(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:oud-override\r\nSUMMARY:S\r\nSEQUENCE:2\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20261013T100000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"
            "EXDATE;TZID=Europe/Amsterdam:20261020T100000\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:oud-override\r\nSUMMARY:S\r\nSEQUENCE:1\r\n"
            "RECURRENCE-ID;TZID=Europe/Amsterdam:20261020T100000\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20261021T100000\r\nEND:VEVENT\r\n"),
        &b);
  EXPECT(find(&b, "oud-override"), "2026-10-13T10:00:00+02:00", "2026-10-27T10:00:00+01:00");
  ix_batch_free(&b);
}

static void test_cancelled_master_cancels_the_series(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:weg\r\nSUMMARY:Vervalt\r\nSTATUS:CANCELLED\r\n"
            "DTSTART;TZID=Europe/"
            "Amsterdam:20261013T100000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n"),
        &b);
  const struct ix_service *s = find(&b, "weg");
  assert_int_equal(s->occurrences.n, 3);
  for (size_t i = 0; i < 3; i++)
    assert_int_equal(s->occurrences.v[i].cancelled, 1);
  ix_batch_free(&b);
}

static void test_only_overrides_without_master(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:los\r\nSUMMARY:Los\r\nRECURRENCE-ID;TZID=Europe/"
            "Amsterdam:20261020T100000\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20261021T100000\r\nEND:VEVENT\r\n"),
        &b);
  EXPECT(find(&b, "los"), "2026-10-21T10:00:00+02:00");
  ix_batch_free(&b);
}

/* Several masters with one UID, as in a log of iTIP messages (libical's
 * 2446.ics): the newest complete one (SEQUENCE, then DTSTAMP, RFC 5546
 * 2.1.5) gives the dates, wherever it stands; a REPLY without DTSTART or
 * SUMMARY changes nothing, even with a higher SEQUENCE; a newer CANCEL of
 * the whole event (RFC 5546 3.2.5) cancels every date. */
static void test_newest_complete_master_wins(void **state) {
  (void)state;
  struct ix_batch b;
  parse("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n"
        "BEGIN:VEVENT\r\nUID:overleg\r\nSUMMARY:Overleg\r\nSEQUENCE:0\r\n"
        "DTSTAMP:20260802T090000Z\r\nDTSTART;TZID=Europe/Amsterdam:20261005T200000\r\n"
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=5;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n"
        "BEGIN:VEVENT\r\nUID:overleg\r\nSUMMARY:Overleg (oud)\r\nSEQUENCE:0\r\n"
        "DTSTAMP:20260801T090000Z\r\nDTSTART;TZID=Europe/Amsterdam:20261005T190000\r\n"
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=5;COUNT=2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REPLY\r\n"
        "BEGIN:VEVENT\r\nUID:overleg\r\nSEQUENCE:5\r\nDTSTAMP:20260803T090000Z\r\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n"
        "BEGIN:VEVENT\r\nUID:afgezegd\r\nSUMMARY:Spreekuur\r\nSEQUENCE:0\r\n"
        "DTSTAMP:20260801T090000Z\r\nDTSTART;TZID=Europe/Amsterdam:20261006T090000\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:CANCEL\r\n"
        "BEGIN:VEVENT\r\nUID:afgezegd\r\nSEQUENCE:1\r\nDTSTAMP:20260901T090000Z\r\n"
        "STATUS:CANCELLED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        &b);
  assert_int_equal(b.rejections.n, 0);
  const struct ix_service *s = find(&b, "overleg");
  assert_string_equal(s->name, "Overleg");
  EXPECT(s, "2026-10-05T20:00:00+02:00", "2026-11-05T20:00:00+01:00", "2026-12-05T20:00:00+01:00");
  for (size_t i = 0; i < 3; i++)
    assert_int_equal(s->occurrences.v[i].cancelled, 0);
  const struct ix_service *c = find(&b, "afgezegd");
  assert_string_equal(c->name, "Spreekuur");
  EXPECT(c, "2026-10-06T09:00:00+02:00", "2026-10-13T09:00:00+02:00");
  assert_int_equal(c->occurrences.v[0].cancelled, 1);
  assert_int_equal(c->occurrences.v[1].cancelled, 1);
  ix_batch_free(&b);
}

/* RFC 5545 3.8.4.4: an override names an instance of the set. One whose
 * RECURRENCE-ID is none (the master, SEQUENCE 2, was shortened after the
 * override of SEQUENCE 1 was made: recurring-ical-events issue 253) is not
 * shown; also when the RECURRENCE-ID lies before the window and the
 * override moves it in. A real instance from before the window still is. */
static void test_override_of_no_instance_is_dropped(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:kort\r\nSUMMARY:Kamp\r\nSEQUENCE:1\r\n"
            "RECURRENCE-ID;VALUE=DATE:20261005\r\nDTSTART;VALUE=DATE:20261005\r\n"
            "DTEND;VALUE=DATE:20261011\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:kort\r\nSUMMARY:Kamp\r\nSEQUENCE:2\r\n"
            "DTSTART;VALUE=DATE:20260907\r\nDTEND;VALUE=DATE:20260914\r\n"
            "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;UNTIL=20260926\r\nEND:VEVENT\r\n"
            /* Tuesdays 11, 18, 25 August: all before the window */
            "BEGIN:VEVENT\r\nUID:buiten\r\nSUMMARY:B\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20260811T100000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"
            "END:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:buiten\r\nRECURRENCE-ID;TZID=Europe/Amsterdam:20260820T100000\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20260910T100000\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:buiten\r\nRECURRENCE-ID;TZID=Europe/Amsterdam:20260818T100000\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20260909T100000\r\nEND:VEVENT\r\n"),
        &b);
  const struct ix_service *k = find(&b, "kort");
  EXPECT(k, "2026-09-07", "2026-09-21");
  assert_string_equal(k->occurrences.v[1].ends_at, "2026-09-27");
  EXPECT(find(&b, "buiten"), "2026-09-09T10:00:00+02:00");
  assert_true(has_warning(&b, "'kort': een wijziging (RECURRENCE-ID) hoort bij geen datum"));
  assert_true(has_warning(&b, "'buiten': een wijziging (RECURRENCE-ID) hoort bij geen datum"));
  assert_false(has_warning(&b, "wijzigingen (RECURRENCE-ID)")); /* one each */
  ix_batch_free(&b);
}

/* Two overrides of one instance with the same SEQUENCE: the later DTSTAMP
 * wins (RFC 5546 2.1.5), though it comes first in the file. */
static void test_override_tie_goes_to_later_dtstamp(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:twee\r\nSUMMARY:T\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20261013T100000\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\n"
            "END:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:twee\r\nSEQUENCE:1\r\nDTSTAMP:20261012T120000Z\r\n"
            "RECURRENCE-ID;TZID=Europe/Amsterdam:20261020T100000\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20261021T140000\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:twee\r\nSEQUENCE:1\r\nDTSTAMP:20261011T120000Z\r\n"
            "RECURRENCE-ID;TZID=Europe/Amsterdam:20261020T100000\r\n"
            "DTSTART;TZID=Europe/Amsterdam:20261022T140000\r\nEND:VEVENT\r\n"),
        &b);
  EXPECT(find(&b, "twee"), "2026-10-13T10:00:00+02:00", "2026-10-21T14:00:00+02:00");
  ix_batch_free(&b);
}

/* RFC 5545 3.8.2.2 wants a DATE DTEND after a DATE DTSTART; a date-time
 * one (recurring-ical-events issue 201) names the day it is written on:
 * exclusive at 00:00:00, included at any other time. */
static void test_all_day_with_date_time_dtend(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:verlof\r\nSUMMARY:Vakantie\r\nDTSTART;VALUE=DATE:20261005\r\n"
            "DTEND:20261017T000000Z\r\nEND:VEVENT\r\n"
            /* Outlook: local midnight of 7 October written in UTC */
            "BEGIN:VEVENT\r\nUID:outlook\r\nSUMMARY:O\r\nDTSTART;VALUE=DATE:20261005\r\n"
            "DTEND:20261006T220000Z\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:middag\r\nSUMMARY:M\r\nDTSTART;VALUE=DATE:20261005\r\n"
            "DTEND;TZID=Europe/Amsterdam:20261006T120000\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:ervoor\r\nSUMMARY:E\r\nDTSTART;VALUE=DATE:20261005\r\n"
            "DTEND:20261001T000000Z\r\nEND:VEVENT\r\n"),
        &b);
  const struct ix_service *v = find(&b, "verlof");
  EXPECT(v, "2026-10-05");
  assert_int_equal(v->occurrences.v[0].all_day, 1);
  assert_string_equal(v->occurrences.v[0].ends_at, "2026-10-16");
  assert_int_equal(v->occurrences.v[0].end_utc - v->occurrences.v[0].start_utc, 12 * 86400);
  assert_string_equal(find(&b, "outlook")->occurrences.v[0].ends_at, "2026-10-06");
  assert_string_equal(find(&b, "middag")->occurrences.v[0].ends_at, "2026-10-06");
  assert_string_equal(find(&b, "ervoor")->occurrences.v[0].ends_at, "2026-10-05");
  ix_batch_free(&b);
}

/* An all-day series with a date-time UNTIL (Exchange writes local midnight
 * of the last day in UTC, RFC 5545 3.3.10 wants a DATE): UNTIL is read on
 * the series' local calendar, so that last day is kept. */
static void test_all_day_series_with_utc_until_keeps_last_day(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:bak\r\nSUMMARY:Groene bak\r\nDTSTART;VALUE=DATE:20261001\r\n"
            "DTEND;VALUE=DATE:20261002\r\nRRULE:FREQ=WEEKLY;UNTIL=20261014T220000Z\r\n"
            "END:VEVENT\r\n"),
        &b);
  EXPECT(find(&b, "bak"), "2026-10-01", "2026-10-08", "2026-10-15");
  ix_batch_free(&b);
}

/* --------------------------------------------------------------- all-day */

static void test_all_day_events_stay_dates(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:dag\r\nSUMMARY:Open dag\r\nDTSTART;VALUE=DATE:20261124\r\n"
            "DTEND;VALUE=DATE:20261125\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:drie\r\nSUMMARY:Festival\r\nDTSTART;VALUE=DATE:20261124\r\n"
            "DTEND;VALUE=DATE:20261127\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:jaarlijks\r\nSUMMARY:Jaarmarkt\r\nDTSTART;VALUE=DATE:20200301\r\n"
            "RRULE:FREQ=YEARLY\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:maand\r\nSUMMARY:Eerste maandag\r\nDTSTART;VALUE=DATE:20261005\r\n"
            "RRULE:FREQ=MONTHLY;BYDAY=1MO;COUNT=3\r\nEND:VEVENT\r\n"),
        &b);
  const struct ix_service *s = find(&b, "dag");
  EXPECT(s, "2026-11-24");
  assert_int_equal(s->occurrences.v[0].all_day, 1);
  assert_string_equal(s->occurrences.v[0].ends_at, "2026-11-24");
  /* Amsterdam midnight: 23:00Z the day before */
  assert_int_equal(s->occurrences.v[0].start_utc % 86400, 23 * 3600);
  assert_int_equal(s->occurrences.v[0].end_utc - s->occurrences.v[0].start_utc, 86400);
  const struct ix_service *f = find(&b, "drie");
  assert_string_equal(f->occurrences.v[0].ends_at, "2026-11-26");
  /* 1 March 2027 00:00 is the window end: the instance ends after it but starts at it */
  assert_int_equal(find(&b, "jaarlijks")->occurrences.n, 0);
  EXPECT(find(&b, "maand"), "2026-10-05", "2026-11-02", "2026-12-07");
  ix_batch_free(&b);
}

/* ----------------------------------------------------------------- caps */

static void test_occurrence_cap_and_iteration_bound(void **state) {
  (void)state;
  struct ix_batch b;
  struct ix_ical_opts o = opts();
  o.max_occurrences = 5;
  parse_with(
      CAL("BEGIN:VEVENT\r\nUID:dagelijks\r\nSUMMARY:Elke dag\r\n"
          "DTSTART;TZID=Europe/Amsterdam:20260901T090000\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"
          "BEGIN:VEVENT\r\nUID:secondly\r\nSUMMARY:Elke seconde\r\n"
          "DTSTART:19700101T000000Z\r\nRRULE:FREQ=SECONDLY;COUNT=2000000000\r\nEND:VEVENT\r\n"
          "BEGIN:VEVENT\r\nUID:minutely\r\nSUMMARY:Elke minuut\r\n"
          "DTSTART:19800101T000000Z\r\nRRULE:FREQ=MINUTELY\r\nEND:VEVENT\r\n"),
      &o, &b);
  const struct ix_service *s = find(&b, "dagelijks");
  EXPECT(s, "2026-09-01T09:00:00+02:00", "2026-09-02T09:00:00+02:00", "2026-09-03T09:00:00+02:00",
         "2026-09-04T09:00:00+02:00", "2026-09-05T09:00:00+02:00");
  assert_true(has_warning(&b, "alleen de eerste 5"));
  /* never reaches the window: returned without occurrences, with a warning */
  assert_int_equal(find(&b, "secondly")->occurrences.n, 0);
  assert_int_equal(find(&b, "minutely")->occurrences.n, 0);
  assert_true(has_warning(&b, "gestopt met rekenen"));
  ix_batch_free(&b);
}

static void test_series_outside_window_is_returned_empty(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:vroeger\r\nSUMMARY:Vroeger\r\nDTSTART:20200101T100000\r\nEND:"
            "VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:later\r\nSUMMARY:Later\r\nDTSTART:20300101T100000\r\n"
            "RRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n"),
        &b);
  assert_int_equal(b.services.n, 2);
  assert_int_equal(find(&b, "vroeger")->occurrences.n, 0);
  assert_int_equal(find(&b, "later")->occurrences.n, 0);
  ix_batch_free(&b);
}

static void test_window_is_checked(void **state) {
  (void)state;
  struct ix_batch b;
  struct ix_ical_opts o = opts();
  o.window_end = o.window_start; /* empty */
  char err[128];
  ix_batch_init(&b, 0);
  const char *ics = CAL("");
  assert_int_equal(ix_ical_parse(ics, strlen(ics), &o, &b, err, sizeof err), SK_EINVAL);
  o.window_end = o.window_start + 100LL * 366 * 86400; /* too long */
  assert_int_equal(ix_ical_parse(ics, strlen(ics), &o, &b, err, sizeof err), SK_EINVAL);
  ix_ical_opts_default(&o, 1788213600);
  assert_int_equal(o.window_start, 1788213600 - 86400);
  assert_int_equal(o.window_end, 1788213600 + 180LL * 86400);
  assert_int_equal(o.max_occurrences, 400);
  ix_batch_free(&b);
}

/* ------------------------------------------------------------------ text */

static void test_untrusted_text(void **state) {
  (void)state;
  char longname[1200];
  memset(longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  char ics[4096];
  snprintf(ics, sizeof ics,
           CAL("BEGIN:VEVENT\r\nUID:tekst\r\nSUMMARY:Caf\xE9 <b>open</b>\\, met \x01koffie\r\n"
               "DESCRIPTION:Regel 1\\nRegel 2 <script>alert(1)</script> \xFF\xFE\r\n"
               "URL:javascript:alert(1)\r\nDTSTART:20261020T100000\r\nEND:VEVENT\r\n"
               "BEGIN:VEVENT\r\nUID:lang\r\nSUMMARY:%s\r\nURL:https://example.org/a?b=c\r\n"
               "ORGANIZER;CN=Bibliotheek Huizen:mailto:info@example.org\r\n"
               "DTSTART:20261020T100000\r\nEND:VEVENT\r\n"),
           longname);
  struct ix_batch b;
  parse(ics, &b);
  const struct ix_service *s = find(&b, "tekst");
  assert_string_equal(s->name, "Café <b>open</b>, met koffie"); /* markup stays text */
  assert_true(sk_utf8_valid(s->description, strlen(s->description)));
  assert_non_null(strstr(s->description, "Regel 1\nRegel 2 <script>alert(1)</script>"));
  assert_null(s->url);
  assert_true(has_warning(&b, "Windows-1252"));
  assert_true(has_warning(&b, "URL"));
  const struct ix_service *l = find(&b, "lang");
  assert_true(strlen(l->name) <= 200);
  assert_true(sk_utf8_valid(l->name, strlen(l->name)));
  assert_non_null(strstr(l->name, "\xE2\x80\xA6"));
  assert_string_equal(l->url, "https://example.org/a?b=c");
  assert_string_equal(l->organizer, "Bibliotheek Huizen");
  for (size_t i = 0; i < b.warnings.n; i++)
    assert_true(sk_utf8_valid(b.warnings.v[i], strlen(b.warnings.v[i])));
  ix_batch_free(&b);
}

/* ------------------------------------------------------- taxonomy mapping */

static void test_categories_and_location_map_to_taxonomy(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:cat\r\nSUMMARY:Cat\r\nDTSTART:20261020T100000\r\n"
            "CATEGORIES:OUDEREN,geld.schulden,Koffie\r\nCATEGORIES:Financiele problemen\r\n"
            "CATEGORIES:Mantelzorgers,Breien\r\n"
            "LOCATION:Wijkcentrum De Ouderenhuizen\\, Gooise Meren (bij Huizen)\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:pc\r\nSUMMARY:Postcode\r\nDTSTART:20261020T100000\r\n"
            "LOCATION:Dorpsstraat 1\\, 1261 AB\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:geen\r\nSUMMARY:Geen\r\nDTSTART:20261020T100000\r\n"
            "LOCATION:Ouderenhuizen 12\\, 9999 ZZ\r\nEND:VEVENT\r\n"),
        &b);
  const struct ix_service *s = find(&b, "cat");
  assert_true(strv_has(&s->target_groups, "ouderen"));
  assert_true(strv_has(&s->target_groups, "mantelzorgers"));
  assert_true(strv_has(&s->needs, "geld.schulden"));
  assert_true(strv_has(&s->needs, "geld")); /* synonym "financiële problemen", folded */
  assert_string_equal(s->keywords, "Koffie, Breien");
  assert_int_equal(s->areas.n, 2);
  assert_string_equal(s->areas.v[0].code, "huizen");
  assert_string_equal(s->areas.v[1].code, "gooise-meren");
  assert_string_equal(s->location_text, "Wijkcentrum De Ouderenhuizen, Gooise Meren (bij Huizen)");
  const struct ix_service *p = find(&b, "pc");
  assert_int_equal(p->areas.n, 1);
  assert_string_equal(p->areas.v[0].code, "blaricum");
  assert_int_equal(find(&b, "geen")->areas.n, 0);
  assert_null(s->org_key);
  ix_batch_free(&b);
}

/* A paid calendar can mark one free event ("Gratis") and an access route. */
static void test_categories_set_cost_and_access(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:free\r\nSUMMARY:Wandelen\r\nDTSTART:20261020T100000\r\n"
            "CATEGORIES:gezondheid.bewegen,Gratis,betaald\r\nCATEGORIES:Zelf "
            "aanmelden\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:plain\r\nSUMMARY:Gym\r\nDTSTART:20261020T100000\r\n"
            "CATEGORIES:gezondheid.bewegen\r\nEND:VEVENT\r\n"),
        &b);
  const struct ix_service *f = find(&b, "free");
  assert_string_equal(f->cost, "gratis"); /* the first cost category wins */
  assert_string_equal(f->access, "aanmelden");
  assert_true(strv_has(&f->needs, "gezondheid.bewegen"));
  assert_null(f->keywords);
  const struct ix_service *p = find(&b, "plain");
  assert_null(p->cost); /* left for the registry's default */
  assert_null(p->access);
  ix_batch_free(&b);
}

static void test_without_taxonomy_categories_become_keywords(void **state) {
  (void)state;
  struct ix_batch b;
  struct ix_ical_opts o = opts();
  o.tax = NULL;
  parse_with(CAL("BEGIN:VEVENT\r\nUID:k\r\nSUMMARY:K\r\nDTSTART:20261020T100000\r\n"
                 "CATEGORIES:Ouderen\r\nLOCATION:Huizen\r\nEND:VEVENT\r\n"),
             &o, &b);
  const struct ix_service *s = find(&b, "k");
  assert_int_equal(s->target_groups.n, 0);
  assert_string_equal(s->keywords, "Ouderen");
  assert_int_equal(s->areas.n, 0);
  ix_batch_free(&b);
}

/* ------------------------------------------------------ keys, rejections */

static void test_keys_without_uid_are_stable_and_unique(void **state) {
  (void)state;
  const char *ics = CAL(
      "BEGIN:VEVENT\r\nSUMMARY:Zonder UID\r\nDTSTART:20261020T100000\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nSUMMARY:Zonder UID\r\nDTSTART:20261020T100000\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:dubbel\r\nSUMMARY:Oud\r\nDTSTART:20261020T100000\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:dubbel\r\nSUMMARY:Nieuw\r\nSEQUENCE:2\r\n"
      "DTSTART:20261021T100000\r\nEND:VEVENT\r\n");
  struct ix_batch a, b;
  parse(ics, &a);
  parse(ics, &b);
  assert_int_equal(a.services.n, 3);
  const char *k1 = NULL, *k2 = NULL;
  for (size_t i = 0; i < a.services.n; i++) {
    if (strncmp(a.services.v[i].key, "ical-", 5) == 0) {
      if (!k1)
        k1 = a.services.v[i].key;
      else
        k2 = a.services.v[i].key;
      assert_string_equal(a.services.v[i].key, b.services.v[i].key);
    }
  }
  assert_non_null(k1);
  assert_non_null(k2);
  assert_string_not_equal(k1, k2);
  const struct ix_service *d = find(&a, "dubbel");
  assert_string_equal(d->name, "Nieuw");
  EXPECT(d, "2026-10-21T10:00:00+02:00");
  assert_true(has_warning(&a, "2 keer"));
  ix_batch_free(&a);
  ix_batch_free(&b);
}

static void test_unusable_events_are_rejected_with_a_reason(void **state) {
  (void)state;
  struct ix_batch b;
  parse(CAL("BEGIN:VEVENT\r\nUID:geen-titel\r\nDTSTART:20261020T100000\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:geen-start\r\nSUMMARY:Geen start\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:kapot\r\nSUMMARY:Kapot\r\nDTSTART:garbage\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:prive\r\nSUMMARY:Prive\r\nCLASS:PRIVATE\r\nDTSTART:"
            "20261020T100000\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:goed\r\nSUMMARY:Goed\r\nDTSTART:20261020T100000\r\n"
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=40\r\nEND:VEVENT\r\n"),
        &b);
  assert_int_equal(b.services.n, 1);
  EXPECT(find(&b, "goed"), "2026-10-20T10:00:00+02:00");
  assert_int_equal(b.rejections.n, 3);
  int titel = 0, start = 0;
  for (size_t i = 0; i < b.rejections.n; i++) {
    const struct ix_rejection *r = &b.rejections.v[i];
    titel += strcmp(r->record_key, "geen-titel") == 0 && strstr(r->reason, "titel") != NULL;
    start += strstr(r->reason, "begintijd") != NULL;
  }
  assert_int_equal(titel, 1);
  assert_int_equal(start, 2);
  assert_true(has_warning(&b, "privé"));
  assert_true(has_warning(&b, "RRULE"));
  ix_batch_free(&b);
}

static void test_unreadable_documents_are_rejected(void **state) {
  (void)state;
  static const struct {
    const char *data;
    size_t len;
  } bad[] = {
      {"", 0},
      {"hello world", 11},
      {"<html><body>Not found</body></html>", 35},
      {"\xFF\xFE"
       "B\0E\0",
       6},
      {"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\0\nEND:VEVENT\nEND:VCALENDAR\n", 61},
      {"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\n", 39},
      {"BEGIN:VEVENT\nSUMMARY:x\nDTSTART:20261020T100000\n", 47},
      {"BEGIN:VTIMEZONE\nTZID:X\nEND:VTIMEZONE\n", 38},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    struct ix_batch b;
    char err[256] = "";
    ix_batch_init(&b, 0);
    struct ix_ical_opts o = opts();
    int rc = ix_ical_parse(bad[i].data, bad[i].len, &o, &b, err, sizeof err);
    if (rc != SK_EPARSE)
      fail_msg("case %zu: rc %d, services %zu", i, rc, b.services.n);
    assert_true(strlen(err) > 10);
    assert_int_equal(b.services.n, 0);
    ix_batch_free(&b);
  }
}

/* Exports of single events sometimes lack the VCALENDAR around them. */
static void test_bare_vevent_is_read_with_a_warning(void **state) {
  (void)state;
  struct ix_batch b;
  parse("BEGIN:VEVENT\nUID:kaal\nSUMMARY:Kaal\nDTSTART:20261020T100000\nEND:VEVENT\n", &b);
  EXPECT(find(&b, "kaal"), "2026-10-20T10:00:00+02:00");
  assert_true(has_warning(&b, "BEGIN:VCALENDAR"));
  ix_batch_free(&b);
}

static void test_calendar_files_in_tests_data(void **state) {
  (void)state;
  /* tests/data/ical holds small hand-written cases; each must parse. */
  static const char *const files[] = {"outlook-windows-zone.ics", "google-overrides.ics",
                                      "latin1.ics"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    char rel[256];
    snprintf(rel, sizeof rel, "tests/data/ical/%s", files[i]);
    FILE *f = fopen(th_source_path(rel), "rb");
    if (!f)
      fail_msg("missing %s", rel);
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    struct ix_batch b;
    struct ix_ical_opts o = opts();
    char err[256] = "";
    ix_batch_init(&b, 0);
    assert_int_equal(ix_ical_parse(buf, n, &o, &b, err, sizeof err), SK_OK);
    assert_true(b.services.n > 0);
    if (strcmp(files[i], "outlook-windows-zone.ics") == 0)
      EXPECT(&b.services.v[0], "2026-10-20T10:00:00+02:00", "2026-10-27T10:00:00+01:00",
             "2026-11-03T10:00:00+01:00");
    if (strcmp(files[i], "google-overrides.ics") == 0) {
      const struct ix_service *s = find(&b, "repair-cafe@example.org");
      EXPECT(s, "2026-09-12T13:00:00+02:00", "2026-10-17T13:00:00+02:00",
             "2026-11-14T13:00:00+01:00", "2026-12-12T13:00:00+01:00", "2027-01-09T13:00:00+01:00",
             "2027-02-13T13:00:00+01:00");
      assert_int_equal(s->occurrences.v[3].cancelled, 1);
    }
    if (strcmp(files[i], "latin1.ics") == 0)
      assert_string_equal(b.services.v[0].name, "Café in de Bibliotheek");
    ix_batch_free(&b);
  }
}

/* ------------------------------------------------- RFC 5545 corner cases */

/* Parse tests/data/ical/<name> with a window of 2026-01-01 .. 2029-01-01 (UTC). */
static void parse_file(const char *name, struct ix_batch *b) {
  char rel[256];
  snprintf(rel, sizeof rel, "tests/data/ical/%s", name);
  FILE *f = fopen(th_source_path(rel), "rb");
  if (!f)
    fail_msg("missing %s", rel);
  static char buf[65536];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  struct ix_ical_opts o = opts();
  o.window_start = 1767225600LL; /* 2026-01-01 */
  o.window_end = 1861920000LL;   /* 2029-01-01 */
  char err[256] = "";
  ix_batch_init(b, 64u << 20);
  if (ix_ical_parse(buf, n, &o, b, err, sizeof err) != SK_OK)
    fail_msg("%s: %s", name, err);
}

static void expect_end(const struct ix_service *s, size_t i, const char *want) {
  if (i >= s->occurrences.n)
    fail_msg("%s: no occurrence %zu", s->key, i);
  if (strcmp(s->occurrences.v[i].ends_at, want) != 0)
    fail_msg("%s occurrence %zu ends %s, want %s", s->key, i, s->occurrences.v[i].ends_at, want);
}

/* RFC 5545 3.3.5: a local time in the spring-forward gap takes the offset
 * before the gap; a time that occurs twice in the autumn is the first. */
static void test_dst_gap_and_overlap(void **state) {
  (void)state;
  struct ix_batch b;
  parse_file("dst-gap-overlap.ics", &b);
  const struct ix_service *s = find(&b, "gap@example.org");
  EXPECT(s, "2027-03-28T03:15:00+02:00"); /* 02:15 +01:00 = 01:15 UTC */
  assert_int_equal(s->occurrences.v[0].start_utc, 1806196500LL);
  expect_end(s, 0, "2027-03-28T04:15:00+02:00");
  s = find(&b, "overlap@example.org");
  EXPECT(s, "2026-10-25T02:15:00+02:00"); /* the first 02:15, 00:15 UTC */
  assert_int_equal(s->occurrences.v[0].start_utc, 1792887300LL);
  expect_end(s, 0, "2026-10-25T02:45:00+02:00");
  s = find(&b, "gap-weekly@example.org");
  EXPECT(s, "2027-03-21T02:15:00+01:00", "2027-03-28T03:15:00+02:00", "2027-04-04T02:15:00+02:00");
  s = find(&b, "gap-utc@example.org"); /* the same moment written in UTC */
  EXPECT(s, "2027-03-28T03:15:00+02:00");
  ix_batch_free(&b);
}

/* RFC 5545 3.3.6: P1D and P1W are nominal (the same local time a day or a
 * week later), PT24H is exact. */
static void test_duration_days_are_nominal(void **state) {
  (void)state;
  struct ix_batch b;
  parse_file("duration-nominal.ics", &b);
  expect_end(find(&b, "p1d@example.org"), 0, "2026-10-25T10:00:00+01:00");   /* 25 hours */
  expect_end(find(&b, "p1w@example.org"), 0, "2026-10-27T10:00:00+01:00");   /* 7 days + 1 hour */
  expect_end(find(&b, "pt24h@example.org"), 0, "2026-10-25T09:00:00+01:00"); /* exactly 24 hours */
  expect_end(find(&b, "p1dt2h@example.org"), 0,
             "2027-03-28T12:00:00+02:00"); /* 1 day (23 h) + 2 h */
  const struct ix_service *s = find(&b, "p1d@example.org");
  assert_int_equal(s->occurrences.v[0].end_utc - s->occurrences.v[0].start_utc, 25 * 3600);
  ix_batch_free(&b);
}

/* RANGE=THISANDFUTURE moves this and every later instance. */
static void test_range_thisandfuture(void **state) {
  (void)state;
  struct ix_batch b;
  parse_file("thisandfuture.ics", &b);
  const struct ix_service *s = find(&b, "koffie@example.org");
  EXPECT(s, "2026-09-01T10:00:00+02:00", "2026-09-08T10:00:00+02:00", "2026-09-15T14:00:00+02:00",
         "2026-09-22T14:00:00+02:00", "2026-09-29T14:00:00+02:00", "2026-10-06T14:00:00+02:00");
  expect_end(s, 1, "2026-09-08T11:30:00+02:00");
  expect_end(s, 4, "2026-09-29T16:00:00+02:00"); /* the override's length too */
  assert_null(s->occurrences.v[1].location_text);
  for (size_t i = 2; i < 6; i++) {
    assert_non_null(s->occurrences.v[i].location_text);
    assert_string_equal(s->occurrences.v[i].location_text, "Bibliotheek Huizen");
  }
  assert_false(has_warning(&b, "RANGE"));
  ix_batch_free(&b);
}

/* An all-day series whose overrides name the instance with a UTC
 * date-time: each override replaces its instance, never doubles it. */
static void test_all_day_series_with_utc_recurrence_id(void **state) {
  (void)state;
  struct ix_batch b;
  parse_file("allday-utc-recurrence-id.ics", &b);
  const struct ix_service *s = find(&b, "markt@example.org");
  EXPECT(s, "2026-09-07", "2026-09-15", "2026-09-21", "2026-09-28");
  assert_non_null(s->occurrences.v[1].location_text);
  assert_int_equal(s->occurrences.v[2].cancelled, 1);
  ix_batch_free(&b);

  /* The same with a calendar zone west of UTC (the UTC value's local date
   * is the day before). */
  FILE *f = fopen(th_source_path("tests/data/ical/allday-utc-recurrence-id.ics"), "rb");
  assert_non_null(f);
  char buf[8192];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  char *ny = malloc(n + 64);
  assert_non_null(ny);
  const char *at = strstr(buf, "BEGIN:VEVENT");
  assert_non_null(at);
  snprintf(ny, n + 64, "%.*sX-WR-TIMEZONE:America/New_York\r\n%s", (int)(at - buf), buf, at);
  struct ix_ical_opts o = opts();
  char err[256];
  ix_batch_init(&b, 0);
  assert_int_equal(ix_ical_parse(ny, strlen(ny), &o, &b, err, sizeof err), SK_OK);
  EXPECT(find(&b, "markt@example.org"), "2026-09-07", "2026-09-15", "2026-09-21", "2026-09-28");
  ix_batch_free(&b);
  free(ny);
}

/* Yearly BYWEEKNO with BYDAY: only that weekday of that ISO week
 * (libical 3.0.16 adds an instance that is not in the rule). */
static void test_yearly_byweekno_byday(void **state) {
  (void)state;
  struct ix_batch b;
  parse_file("yearly-byweekno.ics", &b);
  EXPECT(find(&b, "week20@example.org"), "2026-05-11T10:00:00+02:00", "2027-05-17T10:00:00+02:00",
         "2028-05-15T10:00:00+02:00");
  EXPECT(find(&b, "week1@example.org"), "2026-01-02T10:00:00+01:00", "2027-01-08T10:00:00+01:00",
         "2028-01-07T10:00:00+01:00");
  EXPECT(find(&b, "week53@example.org"), "2026-12-31T10:00:00+01:00", "2027-12-30T10:00:00+01:00",
         "2028-12-28T10:00:00+01:00");
  ix_batch_free(&b);
}

static int teardown(void **state) {
  (void)state;
  ix_ical_global_cleanup();
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_weekly_stays_ten_local_across_october_change),
      cmocka_unit_test(test_windows_unknown_and_floating_zones_are_amsterdam),
      cmocka_unit_test(test_vtimezone_in_file),
      cmocka_unit_test(test_x_wr_timezone_for_floating_times),
      cmocka_unit_test(test_utc_series_keeps_utc_time),
      cmocka_unit_test(test_count_until_interval_and_positions),
      cmocka_unit_test(test_old_rules_keep_their_phase),
      cmocka_unit_test(test_exdate_and_rdate),
      cmocka_unit_test(test_recurrence_id_moves_and_cancels),
      cmocka_unit_test(test_override_across_window_edge),
      cmocka_unit_test(test_exdate_beats_an_older_override),
      cmocka_unit_test(test_cancelled_master_cancels_the_series),
      cmocka_unit_test(test_only_overrides_without_master),
      cmocka_unit_test(test_newest_complete_master_wins),
      cmocka_unit_test(test_override_of_no_instance_is_dropped),
      cmocka_unit_test(test_override_tie_goes_to_later_dtstamp),
      cmocka_unit_test(test_all_day_with_date_time_dtend),
      cmocka_unit_test(test_all_day_series_with_utc_until_keeps_last_day),
      cmocka_unit_test(test_all_day_events_stay_dates),
      cmocka_unit_test(test_occurrence_cap_and_iteration_bound),
      cmocka_unit_test(test_series_outside_window_is_returned_empty),
      cmocka_unit_test(test_window_is_checked),
      cmocka_unit_test(test_untrusted_text),
      cmocka_unit_test(test_categories_and_location_map_to_taxonomy),
      cmocka_unit_test(test_categories_set_cost_and_access),
      cmocka_unit_test(test_without_taxonomy_categories_become_keywords),
      cmocka_unit_test(test_keys_without_uid_are_stable_and_unique),
      cmocka_unit_test(test_unusable_events_are_rejected_with_a_reason),
      cmocka_unit_test(test_unreadable_documents_are_rejected),
      cmocka_unit_test(test_bare_vevent_is_read_with_a_warning),
      cmocka_unit_test(test_dst_gap_and_overlap),
      cmocka_unit_test(test_duration_days_are_nominal),
      cmocka_unit_test(test_range_thisandfuture),
      cmocka_unit_test(test_all_day_series_with_utc_recurrence_id),
      cmocka_unit_test(test_yearly_byweekno_byday),
      cmocka_unit_test(test_calendar_files_in_tests_data),
  };
  return cmocka_run_group_tests(tests, NULL, teardown);
}
