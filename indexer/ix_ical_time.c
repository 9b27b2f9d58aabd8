/* Time zones and recurrence expansion for ix_ical (see ix_ical.h).
 *
 * libical's icalcomponent_foreach_recurrence ignores RECURRENCE-ID, reads
 * floating and unknown-zone times as UTC and iterates COUNT rules from
 * DTSTART without a bound, so the expansion is done here with
 * icalrecur_iterator and explicit zones, budgets and windows. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ix_ical_internal.h"
#include "sk_err.h"

#define DAY 86400
/* A series longer than this is not an activity one can attend; its end is
 * treated as unknown. */
#define MAX_DURATION (5LL * 366 * DAY)

int64_t ixc_days_from_civil(int64_t y, unsigned m, unsigned dd) {
  /* Howard Hinnant's days_from_civil */
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

void ixc_civil_from_days(int64_t z, int *y, int *m, int *dd) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = (int64_t)yoe + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned mm = mp < 10 ? mp + 3 : mp - 9;
  *y = (int)(yy + (mm <= 2));
  *m = (int)mm;
  *dd = (int)d;
}

/* ---------------------------------------------------------------- zones */

struct win_zone {
  const char *windows, *iana;
};

/* Windows (Outlook/Exchange) zone names seen in Dutch feeds, and the most
 * common others. Romance/Central Europe follow the same rules as Amsterdam. */
static const struct win_zone win_zones[] = {
    {"W. Europe Standard Time", "Europe/Amsterdam"},
    {"Romance Standard Time", "Europe/Amsterdam"},
    {"Central Europe Standard Time", "Europe/Amsterdam"},
    {"Central European Standard Time", "Europe/Amsterdam"},
    {"W. Europe Daylight Time", "Europe/Amsterdam"},
    {"Romance Daylight Time", "Europe/Amsterdam"},
    {"Central European Time", "Europe/Amsterdam"},
    {"CET", "Europe/Amsterdam"},
    {"CEST", "Europe/Amsterdam"},
    {"MET", "Europe/Amsterdam"},
    {"GMT Standard Time", "Europe/London"},
    {"Greenwich Standard Time", "Atlantic/Reykjavik"},
    {"E. Europe Standard Time", "Europe/Chisinau"},
    {"FLE Standard Time", "Europe/Helsinki"},
    {"GTB Standard Time", "Europe/Bucharest"},
    {"Russian Standard Time", "Europe/Moscow"},
    {"Turkey Standard Time", "Europe/Istanbul"},
    {"Eastern Standard Time", "America/New_York"},
    {"Central Standard Time", "America/Chicago"},
    {"Mountain Standard Time", "America/Denver"},
    {"US Mountain Standard Time", "America/Phoenix"},
    {"Pacific Standard Time", "America/Los_Angeles"},
    {"Alaskan Standard Time", "America/Anchorage"},
    {"Hawaiian Standard Time", "Pacific/Honolulu"},
    {"Atlantic Standard Time", "America/Halifax"},
    {"SA Pacific Standard Time", "America/Bogota"},
    {"E. South America Standard Time", "America/Sao_Paulo"},
    {"India Standard Time", "Asia/Kolkata"},
    {"China Standard Time", "Asia/Shanghai"},
    {"Tokyo Standard Time", "Asia/Tokyo"},
    {"Singapore Standard Time", "Asia/Singapore"},
    {"Arabian Standard Time", "Asia/Dubai"},
    {"Israel Standard Time", "Asia/Jerusalem"},
    {"AUS Eastern Standard Time", "Australia/Sydney"},
    {"New Zealand Standard Time", "Pacific/Auckland"},
    {"South Africa Standard Time", "Africa/Johannesburg"},
    {"Morocco Standard Time", "Africa/Casablanca"},
};

static int is_utc_name(const char *s) {
  static const char *const names[] = {"UTC",
                                      "GMT",
                                      "Z",
                                      "Etc/UTC",
                                      "Etc/GMT",
                                      "Etc/Universal",
                                      "Universal",
                                      "Zulu",
                                      "Coordinated Universal Time",
                                      "UTC Standard Time"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strcasecmp(s, names[i]) == 0)
      return 1;
  return 0;
}

static icaltimezone *builtin(const char *name) {
  /* Only names from the zone table are looked up on disk, so an untrusted
   * name cannot point libical at an arbitrary file. */
  if (!*name || strstr(name, ".."))
    return NULL;
  return icaltimezone_get_builtin_timezone(name);
}

/* Resolve without fallback; NULL when unknown. */
static icaltimezone *zone_lookup(struct ixc_doc *d, icalcomponent *vcal, const char *tzid) {
  char name[128];
  size_t n = strlen(tzid);
  while (n && (tzid[0] == ' ' || tzid[0] == '"')) {
    tzid++;
    n--;
  }
  while (n && (tzid[n - 1] == ' ' || tzid[n - 1] == '"'))
    n--;
  if (n == 0 || n >= sizeof name)
    return vcal ? icalcomponent_get_timezone(vcal, tzid) : NULL;
  memcpy(name, tzid, n);
  name[n] = '\0';
  if (is_utc_name(name))
    return d->utc;
  icaltimezone *z = builtin(name);
  for (const char *p = strchr(name, '/'); !z && p; p = strchr(p + 1, '/'))
    z = builtin(p + 1); /* "/freeassociation.sourceforge.net/Tzfile/Europe/Amsterdam" */
  if (z)
    return z;
  for (size_t i = 0; i < sizeof win_zones / sizeof *win_zones; i++)
    if (strcasecmp(name, win_zones[i].windows) == 0)
      return builtin(win_zones[i].iana);
  if (vcal && (z = icalcomponent_get_timezone(vcal, tzid)) != NULL)
    return z;
  /* Old Outlook display names: "(GMT+01.00) Amsterdam, Berlijn, Bern, Rome, ..." */
  if (strcasestr(name, "Amsterdam"))
    return d->ams;
  return NULL;
}

icaltimezone *ixc_zone(struct ixc_doc *d, icalcomponent *vcal, const char *tzid,
                       icaltimezone *deflt) {
  if (!tzid || !*tzid)
    return deflt;
  for (size_t i = 0; i < d->n_zones; i++)
    if (d->zones[i].vcal == vcal && strcmp(d->zones[i].tzid, tzid) == 0)
      return d->zones[i].zone ? d->zones[i].zone : deflt;
  icaltimezone *z = zone_lookup(d, vcal, tzid);
  if (!z) {
    int fl = 0;
    const char *shown = ixc_clean(d, tzid, 80, 1, &fl);
    ixc_warn(d, "Onbekende tijdzone '%s': de tijden zijn gelezen als %s.", shown ? shown : "?",
             icaltimezone_get_location(deflt) ? icaltimezone_get_location(deflt) : "UTC");
  }
  if (strlen(tzid) < sizeof d->zones[0].tzid) {
    struct ixc_zone_entry *e;
    if (d->n_zones < IXC_ZONE_CACHE) {
      e = &d->zones[d->n_zones++];
    } else {
      e = &d->zones[d->next_zone];
      d->next_zone = (d->next_zone + 1) % IXC_ZONE_CACHE;
    }
    snprintf(e->tzid, sizeof e->tzid, "%s", tzid);
    e->vcal = vcal;
    e->zone = z;
  }
  return z ? z : deflt;
}

icaltimezone *ixc_calendar_zone(struct ixc_doc *d, icalcomponent *vcal) {
  for (icalproperty *p = icalcomponent_get_first_property(vcal, ICAL_X_PROPERTY); p;
       p = icalcomponent_get_next_property(vcal, ICAL_X_PROPERTY)) {
    const char *name = icalproperty_get_x_name(p);
    if (!name || strcasecmp(name, "X-WR-TIMEZONE") != 0)
      continue;
    const char *v = icalproperty_get_x(p);
    if (!v || !*v)
      continue;
    icaltimezone *z = zone_lookup(d, vcal, v);
    if (z)
      return z;
    int fl = 0;
    const char *shown = ixc_clean(d, v, 80, 1, &fl);
    ixc_warn(
        d,
        "Onbekende tijdzone in X-WR-TIMEZONE ('%s'): de tijden zijn gelezen als Europe/Amsterdam.",
        shown ? shown : "?");
    break;
  }
  return d->ams;
}

/* ------------------------------------------------------------ conversion */

static struct icaltimetype utc_to_local(int64_t utc, icaltimezone *z) {
  struct icaltimetype t = icaltime_from_timet_with_zone((time_t)utc, 0, z);
  t.zone = NULL;
  return t;
}

/* The zone's UTC offset (seconds east) at a moment. */
static int64_t offset_at(int64_t utc, icaltimezone *z) {
  struct icaltimetype l = utc_to_local(utc, z);
  int64_t as_utc = ixc_days_from_civil(l.year, (unsigned)l.month, (unsigned)l.day) * DAY +
                   l.hour * 3600 + l.minute * 60 + l.second;
  return as_utc - utc;
}

/* A local wall-clock time in zone z as UTC, by RFC 5545 3.3.5: a time that
 * does not exist (the spring-forward gap) takes the offset from before the
 * gap; a time that exists twice (autumn) is the first of the two. libical
 * 3.0.16 gets both wrong for Europe/Amsterdam (an hour off). The offsets
 * around the moment are read from the zone 36 hours either side; zones do
 * not change twice within that. */
static int64_t local_to_utc(struct icaltimetype t, icaltimezone *z) {
  int64_t naive = ixc_days_from_civil(t.year, (unsigned)t.month, (unsigned)t.day) * DAY +
                  (t.is_date ? 0 : t.hour * 3600 + t.minute * 60 + t.second);
  if (!z || z == icaltimezone_get_utc_timezone())
    return naive;
  int64_t before = offset_at(naive - 36 * 3600, z), after = offset_at(naive + 36 * 3600, z);
  if (before == after) /* no change near this moment: nearly always */
    return naive - before;
  int64_t u1 = naive - before, u2 = naive - after;
  int ok1 = offset_at(u1, z) == before, ok2 = offset_at(u2, z) == after;
  if (ok1 && ok2)
    return u1 < u2 ? u1 : u2; /* twice: the first */
  if (ok1)
    return u1;
  if (ok2)
    return u2;
  return u1; /* in the gap: the offset before it */
}

static int64_t days_of(struct icaltimetype t) {
  return ixc_days_from_civil(t.year, (unsigned)t.month, (unsigned)t.day);
}

static struct icaltimetype date_of_days(int64_t days) {
  struct icaltimetype t = icaltime_null_time(); /* null_date has hour/minute/second -1 */
  ixc_civil_from_days(days, &t.year, &t.month, &t.day);
  t.is_date = 1;
  return t;
}

/* The local midnight of a calendar day in zone z, as UTC. */
static int64_t day_start_utc(int64_t days, icaltimezone *z) {
  struct icaltimetype t = date_of_days(days);
  t.is_date = 0;
  return local_to_utc(t, z);
}

/* A libical time value is usable when it is a real calendar date in a
 * range where time_t arithmetic and zone tables behave. */
static int time_usable(struct icaltimetype t) {
  if (icaltime_is_null_time(t) || t.year < 1583 || t.year > 3000 || t.month < 1 || t.month > 12 ||
      t.day < 1 || t.day > icaltime_days_in_month(t.month, t.year))
    return 0;
  if (!t.is_date &&
      (t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59 || t.second < 0 || t.second > 60))
    return 0;
  return 1;
}

static const char *tzid_of(icalproperty *p) {
  icalparameter *par = p ? icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER) : NULL;
  return par ? icalparameter_get_tzid(par) : NULL;
}

/* Read a DATE or DATE-TIME value of property p (for its TZID) into a point;
 * zone is the series zone that gives date-times their local day.
 * Returns 0, or -1 when the value is unusable. */
static int read_point(struct ixc_doc *d, const struct ixc_series *s, icalproperty *p,
                      struct icaltimetype t, icaltimezone *zone, struct ixc_point *out) {
  if (!time_usable(t))
    return -1;
  if (t.is_date) {
    out->all_day = 1;
    out->day = days_of(t);
    out->utc = day_start_utc(out->day, zone);
    return 0;
  }
  icaltimezone *tz = icaltime_is_utc(t) ? d->utc : ixc_zone(d, s->vcal, tzid_of(p), s->deflt);
  out->all_day = 0;
  out->utc = local_to_utc(t, tz);
  out->day = tz == zone ? days_of(t) : days_of(utc_to_local(out->utc, zone));
  return 0;
}

/* The zone DTSTART is written in: UTC, its TZID, or the calendar default. */
static icaltimezone *start_zone(struct ixc_doc *d, const struct ixc_series *s, icalproperty *p,
                                struct icaltimetype t) {
  if (t.is_date)
    return s->deflt;
  if (icaltime_is_utc(t))
    return d->utc;
  return ixc_zone(d, s->vcal, tzid_of(p), s->deflt);
}

/* ----------------------------------------------------------- occurrences */

struct occ {
  struct ixc_point start;
  int64_t end_utc; /* -1: unknown (date-times only) */
  int64_t days;    /* all-day: number of days (>= 1) */
  int cancelled;
  const char *location;
};

struct occv {
  struct occ *v;
  size_t n, cap;
};

static int occ_push(struct occv *ov, const struct occ *o) {
  if (ov->n == ov->cap) {
    size_t ncap = ov->cap ? ov->cap * 2 : 16;
    struct occ *nv = realloc(ov->v, ncap * sizeof *nv);
    if (!nv)
      return SK_ENOMEM;
    ov->v = nv;
    ov->cap = ncap;
  }
  ov->v[ov->n++] = *o;
  return SK_OK;
}

static int occ_cmp(const void *a, const void *b) {
  const struct occ *x = a, *y = b;
  if (x->start.utc != y->start.utc)
    return x->start.utc < y->start.utc ? -1 : 1;
  return x->start.all_day - y->start.all_day;
}

/* The length of an instance: seconds for date-times (-1 unknown), days for
 * all-day events. */
struct span {
  int64_t secs;  /* date-times: exact seconds (-1 unknown), after ndays */
  int64_t days;  /* all-day: days */
  int64_t ndays; /* date-times: nominal days of a DURATION (P1D, P1W): the same local time later */
};

static struct span event_span(struct ixc_doc *d, const struct ixc_series *s, icalcomponent *ev,
                              const struct ixc_point *start, icaltimezone *zone,
                              const struct span *inherit) {
  struct span sp = {-1, 1, 0};
  icalproperty *pe = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
  icalproperty *pd = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
  struct ixc_point end;
  if (pe && read_point(d, s, pe, icalproperty_get_dtend(pe), zone, &end) == 0) {
    if (start->all_day) {
      /* RFC 5545 3.8.2.2 wants a DATE here too. A date-time DTEND
       * (20230817T000000Z after DTSTART;VALUE=DATE:20230724) names the
       * day it is written on: at 00:00:00 that day is the exclusive end,
       * at any other time the event lasts into it. */
      if (!end.all_day) {
        struct icaltimetype te = icalproperty_get_dtend(pe);
        end.day = days_of(te) + (te.hour || te.minute || te.second ? 1 : 0);
      }
      sp.days = end.day - start->day;
      if (sp.days < 1)
        sp.days = 1;
    } else {
      sp.secs = end.utc - start->utc;
      if (sp.secs < 0 || sp.secs > MAX_DURATION)
        sp.secs = -1;
    }
    return sp;
  }
  if (pd) {
    struct icaldurationtype du = icalproperty_get_duration(pd);
    if (!icaldurationtype_is_bad_duration(du) && !du.is_neg && du.weeks <= 260 && du.days <= 1830 &&
        du.hours <= 43800) {
      int64_t ndays = (int64_t)du.weeks * 7 + du.days;
      int64_t exact = (int64_t)du.hours * 3600 + (int64_t)du.minutes * 60 + du.seconds;
      if (start->all_day) {
        int64_t secs = ndays * DAY + exact;
        sp.days = secs / DAY > 0 ? secs / DAY : 1;
      } else if (ndays * DAY + exact <= MAX_DURATION) {
        /* RFC 5545 3.3.6: days and weeks are nominal (across a DST change
         * P1D is 23 or 25 hours), hours and less are exact. */
        sp.ndays = ndays;
        sp.secs = exact;
      }
      return sp;
    }
  }
  if (inherit)
    return *inherit;
  return sp; /* RFC 5545: an all-day event without end lasts one day */
}

static int overlaps_window(const struct ixc_doc *d, int64_t start, int64_t end) {
  if (start >= d->o->window_end)
    return 0;
  if (end > start)
    return end > d->o->window_start;
  return start >= d->o->window_start;
}

static int64_t occ_end(const struct ixc_point *st, const struct span *sp, icaltimezone *zone) {
  if (st->all_day)
    return day_start_utc(st->day + sp->days, zone);
  if (sp->secs < 0)
    return -1;
  if (!sp->ndays)
    return st->utc + sp->secs;
  struct icaltimetype l = utc_to_local(st->utc, zone);
  int64_t days = days_of(l) + sp->ndays;
  struct icaltimetype e = date_of_days(days);
  e.is_date = 0;
  e.hour = l.hour;
  e.minute = l.minute;
  e.second = l.second;
  return local_to_utc(e, zone) + sp->secs;
}

static int push_instance(struct ixc_doc *d, struct occv *ov, const struct ixc_point *st,
                         const struct span *sp, icaltimezone *zone) {
  struct occ o = {0};
  o.start = *st;
  o.end_utc = occ_end(st, sp, zone);
  o.days = sp->days;
  if (!overlaps_window(d, st->utc, o.end_utc))
    return 1;
  return occ_push(ov, &o);
}

static int budget_left(struct ixc_doc *d, const struct ixc_series *s, size_t *steps) {
  if (d->iterations_left == 0) {
    d->budget_hit = 1;
    if (!d->budget_warned && !d->quiet) {
      ixc_warn(d,
               "De agenda heeft te veel herhalingen om alles uit te rekenen; vanaf activiteit '%s' "
               "zijn niet alle datums berekend.",
               s->key);
      d->budget_warned = 1;
    }
    return 0;
  }
  if (*steps >= IX_ICAL_MAX_ITERATIONS) {
    d->budget_hit = 1;
    ixc_warn(d,
             "Activiteit '%s': de herhaalregel begint lang geleden of herhaalt heel vaak; na %d "
             "stappen is gestopt met rekenen, dus er kunnen datums ontbreken.",
             s->key, IX_ICAL_MAX_ITERATIONS);
    return 0;
  }
  (*steps)++;
  d->iterations_left--;
  return 1;
}

/* ------------------------------------------------ yearly BYWEEKNO rules */

static int n_of(const short *v, int cap) {
  int n = 0;
  while (n < cap && v[n] != ICAL_RECURRENCE_ARRAY_MAX)
    n++;
  return n;
}

/* 1 = Monday .. 7 = Sunday of a day number. */
static int wd_mon(int64_t days) { return (int)(((days % 7) + 7 + 3) % 7) + 1; }

/* The first day of week 1 of a year for weeks starting on wkst (1 = Monday):
 * the week that holds 4 January (RFC 5545 3.3.10: at least four days of
 * the year). */
static int64_t week1_start(int year, int wkst) {
  int64_t jan4 = ixc_days_from_civil(year, 1, 4);
  return jan4 - ((wd_mon(jan4) - wkst + 7) % 7);
}

/* A rule libical 3.0.16 gets wrong: FREQ=YEARLY with BYWEEKNO and plain
 * BYDAY (it skips years for BYWEEKNO=-1 and can add days outside the week).
 * Other BY parts (except BYMONTH as a filter) go to libical. */
static int own_yearly_weekno(const struct icalrecurrencetype *r) {
  if (r->freq != ICAL_YEARLY_RECURRENCE || n_of(r->by_week_no, ICAL_BY_WEEKNO_SIZE) == 0)
    return 0;
  int nd = n_of(r->by_day, ICAL_BY_DAY_SIZE);
  if (nd == 0)
    return 0;
  for (int i = 0; i < nd; i++)
    if (icalrecurrencetype_day_position(r->by_day[i]) != 0)
      return 0;
  return n_of(r->by_second, ICAL_BY_SECOND_SIZE) == 0 &&
         n_of(r->by_minute, ICAL_BY_MINUTE_SIZE) == 0 && n_of(r->by_hour, ICAL_BY_HOUR_SIZE) == 0 &&
         n_of(r->by_month_day, ICAL_BY_MONTHDAY_SIZE) == 0 &&
         n_of(r->by_year_day, ICAL_BY_YEARDAY_SIZE) == 0 &&
         n_of(r->by_set_pos, ICAL_BY_SETPOS_SIZE) == 0;
}

static int day_cmp(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Expand such a rule ourselves: for every INTERVAL-th year from DTSTART's,
 * the listed weeks (negative: from the end) and weekdays, at DTSTART's time
 * of day; COUNT counts DTSTART as the first (RFC 5545 3.3.10). until: local
 * terms like t0, or null. */
static int expand_yearly_weekno(struct ixc_doc *d, const struct ixc_series *s,
                                const struct icalrecurrencetype *r, struct icaltimetype t0,
                                int64_t start_utc0, icaltimezone *zone, const struct span *sp,
                                size_t limit, struct occv *ov) {
  const int all_day = t0.is_date;
  int wkst = r->week_start == ICAL_NO_WEEKDAY
                 ? 1
                 : (r->week_start == ICAL_SUNDAY_WEEKDAY ? 7 : (int)r->week_start - 1);
  int nw = n_of(r->by_week_no, ICAL_BY_WEEKNO_SIZE), nd = n_of(r->by_day, ICAL_BY_DAY_SIZE);
  int nm = n_of(r->by_month, ICAL_BY_MONTH_SIZE);
  int64_t until_naive = INT64_MAX;
  if (!icaltime_is_null_time(r->until))
    until_naive = days_of(r->until) * DAY +
                  (r->until.is_date
                       ? DAY - 1
                       : r->until.hour * 3600 + r->until.minute * 60 + r->until.second);
  int64_t t0_naive = days_of(t0) * DAY +
                     (all_day ? 0 : t0.hour * 3600 + t0.minute * 60 + t0.second);
  int interval = r->interval > 0 ? r->interval : 1;
  long counted = 1; /* DTSTART */
  size_t steps = 0, found = 0;
  int end_year = 1970;
  {
    int y, m, dd;
    ixc_civil_from_days(d->o->window_end / DAY + 1, &y, &m, &dd);
    end_year = y + 1;
  }
  for (int year = t0.year; year <= end_year && year <= 2200; year += interval) {
    int64_t w1 = week1_start(year, wkst), nweeks = (week1_start(year + 1, wkst) - w1) / 7;
    int64_t days[ICAL_BY_WEEKNO_SIZE * 7];
    size_t n = 0;
    for (int i = 0; i < nw; i++) {
      int64_t k = r->by_week_no[i] > 0 ? r->by_week_no[i] : nweeks + 1 + r->by_week_no[i];
      if (k < 1 || k > nweeks)
        continue;
      for (int j = 0; j < nd && n < sizeof days / sizeof *days; j++) {
        int lw = (int)icalrecurrencetype_day_day_of_week(r->by_day[j]);
        int target = lw == ICAL_SUNDAY_WEEKDAY ? 7 : lw - 1;
        int64_t day = w1 + (k - 1) * 7 + ((target - wkst + 7) % 7);
        int y, m, dd;
        ixc_civil_from_days(day, &y, &m, &dd);
        int month_ok = nm == 0;
        for (int q = 0; q < nm && !month_ok; q++)
          month_ok = r->by_month[q] == m;
        if (month_ok)
          days[n++] = day;
      }
    }
    qsort(days, n, sizeof *days, day_cmp);
    for (size_t i = 0; i < n; i++) {
      if (i && days[i] == days[i - 1])
        continue;
      if (!budget_left(d, s, &steps))
        return SK_OK;
      int64_t naive = days[i] * DAY + (all_day ? 0 : t0.hour * 3600 + t0.minute * 60 + t0.second);
      if (naive <= t0_naive)
        continue;
      if (naive > until_naive)
        return SK_OK;
      if (r->count && ++counted > r->count)
        return SK_OK;
      struct ixc_point pt;
      pt.all_day = all_day;
      pt.day = days[i];
      if (all_day) {
        pt.utc = day_start_utc(pt.day, zone);
      } else {
        struct icaltimetype x = date_of_days(days[i]);
        x.is_date = 0;
        x.hour = t0.hour;
        x.minute = t0.minute;
        x.second = t0.second;
        pt.utc = local_to_utc(x, zone);
      }
      if (pt.utc < start_utc0)
        continue;
      if (pt.utc >= d->o->window_end)
        return SK_OK;
      int rc = push_instance(d, ov, &pt, sp, zone);
      if (rc < 0)
        return rc;
      if (rc == SK_OK && ++found >= limit)
        return SK_OK;
    }
  }
  return SK_OK;
}

/* Expand one RRULE from t0 (local fields in zone) into ov. */
static int expand_rule(struct ixc_doc *d, const struct ixc_series *s,
                       struct icalrecurrencetype rule, struct icaltimetype t0, int64_t start_utc0,
                       icaltimezone *zone, const struct span *sp, size_t limit, struct occv *ov) {
  const int all_day = t0.is_date;
  t0.zone = NULL;
  /* libical compares UNTIL with the instances' local fields: give it UNTIL
   * in the same terms (a UTC UNTIL against floating fields is off by the
   * zone offset and drops the last instance). */
  if (!icaltime_is_null_time(rule.until)) {
    struct icaltimetype u = rule.until;
    if (!time_usable(u)) {
      ixc_warn(d,
               "Activiteit '%s': de einddatum (UNTIL) van de herhaling is onleesbaar en genegeerd.",
               s->key);
      u = icaltime_null_time();
    } else if (all_day) {
      if (!u.is_date && icaltime_is_utc(u))
        u = utc_to_local(local_to_utc(u, d->utc), zone);
      u.is_date = 1;
      u.hour = u.minute = u.second = 0;
    } else if (u.is_date) {
      u.is_date = 0; /* an all-day UNTIL on timed events means "up to and including that day" */
      u.hour = 23;
      u.minute = 59;
      u.second = 59;
    } else if (icaltime_is_utc(u)) {
      u = utc_to_local(local_to_utc(u, d->utc), zone);
    }
    u.zone = NULL;
    rule.until = u;
  }
  if (own_yearly_weekno(&rule))
    return expand_yearly_weekno(d, s, &rule, t0, start_utc0, zone, sp, limit, ov);
  icalrecur_iterator *it = icalrecur_iterator_new(rule, t0);
  if (!it) {
    ixc_warn(
        d,
        "Activiteit '%s': de herhaalregel (RRULE) is ongeldig; alleen de eerste datum is gebruikt.",
        s->key);
    return SK_OK;
  }
  int64_t lead = (sp->secs > 0 ? sp->secs : 0) + sp->ndays * DAY + (all_day ? sp->days * DAY : 0) +
                 2 * DAY;
  /* Rules without COUNT can start near the window instead of at DTSTART.
   * icalrecur_iterator_set_start is only trusted for daily and coarser
   * rules (it loses the phase of HOURLY/MINUTELY intervals in 3.0.16). */
  if (rule.count == 0 && rule.freq >= ICAL_DAILY_RECURRENCE &&
      rule.freq <= ICAL_YEARLY_RECURRENCE && start_utc0 < d->o->window_start - lead) {
    struct icaltimetype js = utc_to_local(d->o->window_start - lead, zone);
    if (all_day) {
      js.is_date = 1;
      js.hour = js.minute = js.second = 0;
    }
    if (!icalrecur_iterator_set_start(it, js)) {
      icalrecur_iterator_free(it);
      it = icalrecur_iterator_new(rule, t0);
      if (!it)
        return SK_OK;
    }
  }
  size_t steps = 0, found = 0;
  int rc = SK_OK;
  while (budget_left(d, s, &steps)) {
    struct icaltimetype x = icalrecur_iterator_next(it);
    if (icaltime_is_null_time(x) || !time_usable(x))
      break;
    /* Cheap pre-filter on the naive local value (offsets are < 1 day). */
    int64_t naive = days_of(x) * DAY + (x.is_date ? 0 : x.hour * 3600 + x.minute * 60 + x.second);
    if (naive - DAY >= d->o->window_end)
      break;
    if (naive + DAY + lead < d->o->window_start)
      continue;
    struct ixc_point pt;
    pt.all_day = all_day;
    pt.day = days_of(x);
    pt.utc = all_day ? day_start_utc(pt.day, zone) : local_to_utc(x, zone);
    if (pt.utc < start_utc0)
      continue;
    if (pt.utc >= d->o->window_end)
      break;
    rc = push_instance(d, ov, &pt, sp, zone);
    if (rc < 0)
      break;
    if (rc == SK_OK && ++found >= limit)
      break;
    rc = SK_OK;
  }
  icalrecur_iterator_free(it);
  return rc < 0 ? rc : SK_OK;
}

static int same_instance(const struct ixc_point *a, const struct ixc_point *b) {
  if (a->all_day || b->all_day)
    return a->day == b->day;
  return a->utc == b->utc;
}

struct override {
  icalcomponent *c;
  struct ixc_point rid;
  int seq, skip;
  int future; /* RANGE=THISANDFUTURE */
  int64_t
      rid_utc_day; /* a date-time RECURRENCE-ID: its UTC date (all-day series, see ixc_expand) */
};

static void render_date(int64_t days, char out[32]) {
  int y, m, dd;
  ixc_civil_from_days(days, &y, &m, &dd);
  snprintf(out, 32, "%04d-%02d-%02d", y, m, dd);
}

static void render_local(struct ixc_doc *d, int64_t utc, char out[32]) {
  struct icaltimetype l = utc_to_local(utc, d->ams);
  int64_t as_utc = days_of(l) * DAY + l.hour * 3600 + l.minute * 60 + l.second;
  int64_t off = as_utc - utc;
  char sign = off < 0 ? '-' : '+';
  if (off < 0)
    off = -off;
  snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", l.year, l.month, l.day, l.hour,
           l.minute, l.second, sign, (int)(off / 3600), (int)(off % 3600 / 60));
}

static int emit(struct ixc_doc *d, const struct ixc_series *s, struct occv *ov,
                struct ix_service *svc) {
  if (ov->n > 1)
    qsort(ov->v, ov->n, sizeof *ov->v, occ_cmp);
  size_t n = ov->n;
  if (n > d->max_occ) {
    ixc_warn(
        d,
        "Activiteit '%s': meer dan %zu datums in de periode; alleen de eerste %zu zijn opgenomen.",
        s->key, d->max_occ, d->max_occ);
    n = d->max_occ;
  }
  for (size_t i = 0; i < n; i++) {
    const struct occ *o = &ov->v[i];
    struct ix_occurrence *out = IX_PUSH(d->b, svc->occurrences);
    if (!out)
      return SK_ENOMEM;
    out->start_utc = o->start.utc;
    out->end_utc = o->end_utc >= 0 || o->start.all_day ? o->end_utc : IX_UNSET;
    out->all_day = o->start.all_day;
    out->cancelled = o->cancelled || s->cancelled;
    out->location_text = o->location;
    if (o->start.all_day) {
      render_date(o->start.day, out->starts_at);
      render_date(o->start.day + o->days - 1, out->ends_at);
    } else {
      render_local(d, o->start.utc, out->starts_at);
      if (o->end_utc >= 0)
        render_local(d, o->end_utc, out->ends_at);
      else
        out->ends_at[0] = '\0';
    }
  }
  return SK_OK;
}

static int read_overrides(struct ixc_doc *d, const struct ixc_series *s, icaltimezone *zone,
                          struct override *ovr) {
  int warned_range = 0;
  for (size_t i = 0; i < s->n_overrides; i++) {
    icalcomponent *c = s->overrides[i];
    icalproperty *p = icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY);
    ovr[i].c = c;
    ovr[i].skip = 0;
    icalproperty *ps = icalcomponent_get_first_property(c, ICAL_SEQUENCE_PROPERTY);
    ovr[i].seq = ps ? icalproperty_get_sequence(ps) : 0;
    if (!p || read_point(d, s, p, icalproperty_get_recurrenceid(p), zone, &ovr[i].rid) != 0) {
      ixc_warn(
          d, "Activiteit '%s': een gewijzigde datum (RECURRENCE-ID) is onleesbaar en overgeslagen.",
          s->key);
      ovr[i].skip = 1;
      continue;
    }
    ovr[i].rid_utc_day = ovr[i].rid.utc >= 0 ? ovr[i].rid.utc / DAY
                                             : -((-ovr[i].rid.utc + DAY - 1) / DAY);
    icalparameter *range = icalproperty_get_first_parameter(p, ICAL_RANGE_PARAMETER);
    if (range && icalparameter_get_range(range) == ICAL_RANGE_THISANDFUTURE)
      ovr[i].future = 1;
    else if (range && !warned_range) {
      ixc_warn(
          d,
          "Activiteit '%s': RANGE=THISANDPRIOR bestaat niet meer (RFC 5545); de wijziging geldt "
          "alleen voor die ene datum.",
          s->key);
      warned_range = 1;
    }
  }
  /* Two overrides of the same instance: the newer revision (SEQUENCE, then
   * DTSTAMP), then the later one wins. */
  for (size_t i = 0; i < s->n_overrides; i++)
    for (size_t j = 0; j < s->n_overrides && !ovr[i].skip; j++) {
      if (j == i || ovr[j].skip || !same_instance(&ovr[i].rid, &ovr[j].rid))
        continue;
      int c = ixc_revision_cmp(ovr[j].c, ovr[i].c);
      if (c > 0 || (c == 0 && j > i))
        ovr[i].skip = 1;
    }
  return SK_OK;
}

/* RANGE=THISANDFUTURE (RFC 5545 3.2.13): the override's change of start
 * time (kept in local wall-clock terms, so it survives a DST change), its
 * length, location and status apply to every later instance too. Several
 * such overrides apply in order; a later one wins from its own instance on. */
static int apply_future(struct ixc_doc *d, const struct ixc_series *s, icaltimezone *zone,
                        struct override *ovr, const struct span *master_span, struct occv *ov) {
  size_t nf = 0;
  for (size_t k = 0; k < s->n_overrides; k++)
    nf += ovr[k].future && !ovr[k].skip;
  if (!nf || !ov->n)
    return SK_OK;
  int64_t *orig = malloc(ov->n * sizeof *orig);
  if (!orig)
    return SK_ENOMEM;
  for (size_t i = 0; i < ov->n; i++)
    orig[i] = ov->v[i].start.all_day ? ov->v[i].start.day * DAY : ov->v[i].start.utc;
  for (size_t round = 0; round < nf; round++) {
    /* the next future override by RECURRENCE-ID */
    struct override *o = NULL;
    for (size_t k = 0; k < s->n_overrides; k++)
      if (ovr[k].future && !ovr[k].skip && ovr[k].future != 2 &&
          (!o || ovr[k].rid.utc < o->rid.utc))
        o = &ovr[k];
    if (!o)
      break;
    o->future = 2; /* done */
    icalproperty *pst = icalcomponent_get_first_property(o->c, ICAL_DTSTART_PROPERTY);
    struct ixc_point st = o->rid;
    if (pst) {
      struct ixc_point p;
      if (read_point(d, s, pst, icalproperty_get_dtstart(pst), zone, &p) == 0)
        st = p;
    }
    struct span sp = event_span(d, s, o->c, &st, zone, master_span);
    /* the shift in local terms */
    struct icaltimetype lr = utc_to_local(o->rid.utc, zone), ls = utc_to_local(st.utc, zone);
    int64_t shift_days = st.all_day || o->rid.all_day ? st.day - o->rid.day
                                                      : days_of(ls) - days_of(lr);
    int64_t shift_secs = st.all_day || o->rid.all_day
                             ? 0
                             : (ls.hour - lr.hour) * 3600LL + (ls.minute - lr.minute) * 60 +
                                   (ls.second - lr.second);
    int cancelled = icalcomponent_get_status(o->c) == ICAL_STATUS_CANCELLED;
    const char *loc = NULL;
    icalproperty *pl = icalcomponent_get_first_property(o->c, ICAL_LOCATION_PROPERTY);
    if (pl) {
      int fl = 0;
      loc = ixc_clean(d, icalproperty_get_location(pl), 500, 1, &fl);
      if (loc && s->location && strcmp(loc, s->location) == 0)
        loc = NULL;
    }
    int64_t from = o->rid.all_day ? o->rid.day * DAY : o->rid.utc;
    for (size_t i = 0; i < ov->n; i++) {
      if (orig[i] <= from)
        continue;
      struct occ *x = &ov->v[i];
      int64_t day = x->start.day + shift_days;
      if (x->start.all_day) {
        x->start.day = day;
        x->start.utc = day_start_utc(day, zone);
      } else {
        struct icaltimetype l = utc_to_local(orig[i], zone);
        int64_t secs = l.hour * 3600LL + l.minute * 60 + l.second + shift_secs;
        int64_t dd = days_of(l) + shift_days +
                     (secs >= 0 ? secs / DAY : -((-secs + DAY - 1) / DAY));
        secs -= (dd - days_of(l) - shift_days) * DAY;
        struct icaltimetype n = date_of_days(dd);
        n.is_date = 0;
        n.hour = (int)(secs / 3600);
        n.minute = (int)(secs % 3600 / 60);
        n.second = (int)(secs % 60);
        x->start.utc = local_to_utc(n, zone);
        x->start.day = dd;
      }
      x->days = sp.days;
      x->end_utc = occ_end(&x->start, &sp, zone);
      x->cancelled = cancelled;
      x->location = loc;
    }
  }
  free(orig);
  /* Shifted instances may leave the window or change order. */
  size_t w = 0;
  for (size_t i = 0; i < ov->n; i++)
    if (overlaps_window(d, ov->v[i].start.utc, ov->v[i].end_utc))
      ov->v[w++] = ov->v[i];
  ov->n = w;
  return SK_OK;
}

/* What the recurrence set of a master is made of (RFC 5545 3.8.5.3). */
struct gen {
  icalcomponent *master;
  struct icaltimetype t0; /* DTSTART's local fields */
  struct ixc_point p0;
  icaltimezone *zone;
  struct span span;
};

/* The instances of the set (DTSTART, every RRULE, every RDATE; EXDATE and
 * overrides not applied, duplicates kept) that overlap the window, into ov;
 * at most limit per rule. SK_OK or SK_ENOMEM. */
static int generate(struct ixc_doc *d, const struct ixc_series *s, const struct gen *g,
                    size_t limit, struct occv *ov) {
  /* DTSTART is always the first instance (RFC 5545 3.8.5.3). */
  int rc = push_instance(d, ov, &g->p0, &g->span, g->zone);
  if (rc < 0)
    return rc;
  rc = SK_OK;
  for (icalproperty *p = icalcomponent_get_first_property(g->master, ICAL_RRULE_PROPERTY); p;
       p = icalcomponent_get_next_property(g->master, ICAL_RRULE_PROPERTY)) {
    struct icalrecurrencetype rule = icalproperty_get_rrule(p);
    if (rule.freq == ICAL_NO_RECURRENCE) {
      ixc_warn(d, "Activiteit '%s': de herhaalregel (RRULE) is onleesbaar en genegeerd.", s->key);
      continue;
    }
    rc = expand_rule(d, s, rule, g->t0, g->p0.utc, g->zone, &g->span, limit, ov);
    if (rc)
      return rc;
  }
  size_t n_rdates = 0;
  for (icalproperty *p = icalcomponent_get_first_property(g->master, ICAL_RDATE_PROPERTY); p;
       p = icalcomponent_get_next_property(g->master, ICAL_RDATE_PROPERTY)) {
    if (++n_rdates > 10000)
      break; /* bounded like the rules */
    struct icaldatetimeperiodtype dp = icalproperty_get_rdate(p);
    struct ixc_point r;
    struct span sp = g->span;
    if (!icaltime_is_null_time(dp.time)) {
      if (read_point(d, s, p, dp.time, g->zone, &r) != 0)
        continue;
    } else if (!icaltime_is_null_time(dp.period.start)) {
      if (read_point(d, s, p, dp.period.start, g->zone, &r) != 0)
        continue;
      struct ixc_point e;
      sp.ndays = 0;
      if (!icaltime_is_null_time(dp.period.end) &&
          read_point(d, s, p, dp.period.end, g->zone, &e) == 0) {
        sp.secs = e.utc - r.utc >= 0 && e.utc - r.utc <= MAX_DURATION ? e.utc - r.utc : -1;
      } else if (!icaldurationtype_is_null_duration(dp.period.duration) &&
                 !icaldurationtype_is_bad_duration(dp.period.duration)) {
        int secs = icaldurationtype_as_int(dp.period.duration);
        sp.secs = secs >= 0 ? secs : -1;
      }
    } else {
      continue;
    }
    if (r.all_day != g->p0.all_day) {
      /* A date RDATE on a timed series (or the reverse): keep the series' kind. */
      if (g->p0.all_day) {
        r.all_day = 1;
        r.utc = day_start_utc(r.day, g->zone);
      } else {
        struct icaltimetype lt = date_of_days(r.day);
        lt.is_date = 0;
        lt.hour = g->t0.hour;
        lt.minute = g->t0.minute;
        lt.second = g->t0.second;
        r.all_day = 0;
        r.utc = local_to_utc(lt, g->zone);
      }
    }
    rc = push_instance(d, ov, &r, &sp, g->zone);
    if (rc < 0)
      return rc;
    rc = SK_OK;
  }
  return SK_OK;
}

/* RFC 5545 3.8.4.4: UID and RECURRENCE-ID name an instance of the
 * recurrence set (before EXDATE). An override whose RECURRENCE-ID names
 * none (the master was changed after it, e.g. its rule now ends earlier)
 * replaces nothing and is not shown (warning). ov holds the set within the
 * window (complete unless ov_complete is 0); a RECURRENCE-ID elsewhere is
 * looked up by walking the set around it, and when that walk stops at a
 * budget the override is kept.
 * An all-day series whose override names the instance with a date-time
 * (RECURRENCE-ID:20260914T000000Z, not ;VALUE=DATE:20260914): 00:00:00 UTC
 * means that UTC date (how Google writes it), another time the local date
 * (local midnight written in UTC, as Outlook does). When no instance is on
 * that day, the other reading and then the nearest UTC midnight are tried. */
static int match_overrides(struct ixc_doc *d, const struct ixc_series *s, const struct gen *g,
                           const struct occv *ov, int ov_complete, struct override *ovr) {
  size_t dropped = 0;
  for (size_t k = 0; k < s->n_overrides; k++) {
    struct override *o = &ovr[k];
    if (o->skip)
      continue;
    struct ixc_point cand[3] = {o->rid, o->rid, o->rid};
    size_t nc = 1;
    if (g->p0.all_day && !o->rid.all_day) {
      int utc_midnight = o->rid.utc % DAY == 0;
      int64_t days[3] = {utc_midnight ? o->rid_utc_day : o->rid.day,
                         utc_midnight ? o->rid.day : o->rid_utc_day, (o->rid.utc + DAY / 2) / DAY};
      for (size_t c = 0; c < 3; c++) {
        cand[c].all_day = 1;
        cand[c].day = days[c];
        cand[c].utc = day_start_utc(days[c], g->zone);
      }
      nc = 3;
    }
    int64_t lo = cand[0].utc, hi = cand[0].utc;
    int decided = ov_complete;
    for (size_t c = 0; c < nc; c++) {
      lo = cand[c].utc < lo ? cand[c].utc : lo;
      hi = cand[c].utc > hi ? cand[c].utc : hi;
      if (cand[c].utc < d->o->window_start || cand[c].utc >= d->o->window_end)
        decided = 0;
    }
    struct occv probe = {0};
    const struct occv *set = ov;
    if (!decided) {
      /* the set around the RECURRENCE-ID: instances start at most a day
       * from it (a DATE names a local day, zones are < 1 day off) */
      struct ix_ical_opts near = *d->o;
      near.window_start = lo - 2 * DAY;
      near.window_end = hi + 2 * DAY;
      const struct ix_ical_opts *saved = d->o;
      int hit = d->budget_hit;
      d->o = &near;
      d->quiet = 1;
      d->budget_hit = 0;
      int rc = generate(d, s, g, IX_ICAL_MAX_ITERATIONS, &probe);
      d->o = saved;
      d->quiet = 0;
      decided = !d->budget_hit;
      d->budget_hit = hit;
      if (rc) {
        free(probe.v);
        return rc;
      }
      set = &probe;
    }
    size_t found = nc;
    for (size_t c = 0; c < nc && found == nc; c++)
      for (size_t i = 0; i < set->n && found == nc; i++)
        if (same_instance(&set->v[i].start, &cand[c]))
          found = c;
    free(probe.v);
    if (found == nc && decided) {
      o->skip = 1;
      dropped++;
      continue;
    }
    o->rid = cand[found == nc ? 0 : found];
  }
  if (dropped == 1)
    ixc_warn(d,
             "Activiteit '%s': een wijziging (RECURRENCE-ID) hoort bij geen datum van de reeks en "
             "is overgeslagen.",
             s->key);
  else if (dropped > 1)
    ixc_warn(d,
             "Activiteit '%s': %zu wijzigingen (RECURRENCE-ID) horen bij geen datum van de reeks "
             "en zijn overgeslagen.",
             s->key, dropped);
  return SK_OK;
}

int ixc_expand(struct ixc_doc *d, const struct ixc_series *s, struct ix_service *svc) {
  struct occv ov = {0};
  struct ixc_point *ex = NULL;
  size_t n_ex = 0, cap_ex = 0;
  struct override *ovr = NULL;
  int rc = SK_OK;
  icaltimezone *zone = s->deflt;
  struct span master_span = {-1, 1, 0};

  if (s->n_overrides) {
    ovr = calloc(s->n_overrides, sizeof *ovr);
    if (!ovr)
      return SK_ENOMEM;
  }

  if (s->master) {
    icalproperty *pst = icalcomponent_get_first_property(s->master, ICAL_DTSTART_PROPERTY);
    struct icaltimetype t0 = pst ? icalproperty_get_dtstart(pst) : icaltime_null_time();
    struct ixc_point p0;
    if (!pst || !time_usable(t0)) {
      rc = SK_EINVAL;
      goto done;
    }
    zone = start_zone(d, s, pst, t0);
    if (read_point(d, s, pst, t0, zone, &p0) != 0) {
      rc = SK_EINVAL;
      goto done;
    }
    master_span = event_span(d, s, s->master, &p0, zone, NULL);

    for (icalproperty *p = icalcomponent_get_first_property(s->master, ICAL_EXDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(s->master, ICAL_EXDATE_PROPERTY)) {
      struct ixc_point e;
      if (read_point(d, s, p, icalproperty_get_exdate(p), zone, &e) != 0)
        continue;
      if (n_ex == cap_ex) {
        size_t ncap = cap_ex ? cap_ex * 2 : 8;
        struct ixc_point *nv = realloc(ex, ncap * sizeof *nv);
        if (!nv) {
          rc = SK_ENOMEM;
          goto done;
        }
        ex = nv;
        cap_ex = ncap;
      }
      ex[n_ex++] = e;
    }
    rc = read_overrides(d, s, zone, ovr);
    if (rc)
      goto done;
    /* A modified instance that was deleted later: the master (at least as
     * new as the override) excludes its RECURRENCE-ID. */
    icalproperty *pseq = icalcomponent_get_first_property(s->master, ICAL_SEQUENCE_PROPERTY);
    int master_seq = pseq ? icalproperty_get_sequence(pseq) : 0;
    for (size_t i = 0; i < s->n_overrides; i++)
      for (size_t k = 0; k < n_ex && !ovr[i].skip; k++)
        if (ovr[i].seq <= master_seq && same_instance(&ovr[i].rid, &ex[k]))
          ovr[i].skip = 1;

    struct gen g = {s->master, t0, p0, zone, master_span};
    size_t limit = d->max_occ + n_ex + s->n_overrides + 1;
    d->budget_hit = 0;
    rc = generate(d, s, &g, limit, &ov);
    if (rc)
      goto done;
    if (icalcomponent_get_first_property(s->master, ICAL_EXRULE_PROPERTY))
      ixc_warn(d, "Activiteit '%s': EXRULE wordt niet ondersteund en is genegeerd.", s->key);
    rc = match_overrides(d, s, &g, &ov, ov.n < limit && !d->budget_hit, ovr);
    if (rc)
      goto done;

    /* Sort, drop duplicates (RRULE and RDATE may both give an instance),
     * EXDATEs and instances that an override replaces. */
    if (ov.n > 1)
      qsort(ov.v, ov.n, sizeof *ov.v, occ_cmp);
    size_t w = 0;
    for (size_t i = 0; i < ov.n; i++) {
      if (w && same_instance(&ov.v[w - 1].start, &ov.v[i].start))
        continue;
      int drop = 0;
      for (size_t k = 0; k < n_ex && !drop; k++)
        drop = same_instance(&ov.v[i].start, &ex[k]);
      for (size_t k = 0; k < s->n_overrides && !drop; k++)
        drop = !ovr[k].skip && same_instance(&ov.v[i].start, &ovr[k].rid);
      if (!drop)
        ov.v[w++] = ov.v[i];
    }
    ov.n = w;
    rc = apply_future(d, s, zone, ovr, &master_span, &ov);
    if (rc)
      goto done;
  } else {
    rc = read_overrides(d, s, zone, ovr);
    if (rc)
      goto done;
  }

  /* Overrides: the instance at its own (possibly new) time, or cancelled. */
  size_t usable = 0;
  for (size_t i = 0; i < s->n_overrides; i++) {
    if (ovr[i].skip)
      continue;
    icalcomponent *c = ovr[i].c;
    icalproperty *pst = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
    struct ixc_point st = ovr[i].rid;
    if (pst) {
      struct ixc_point p;
      if (read_point(d, s, pst, icalproperty_get_dtstart(pst), zone, &p) == 0)
        st = p;
    }
    usable++;
    struct span sp = event_span(d, s, c, &st, zone, s->master ? &master_span : NULL);
    struct occ o = {0};
    o.start = st;
    o.days = sp.days;
    o.end_utc = occ_end(&st, &sp, zone);
    if (!overlaps_window(d, st.utc, o.end_utc))
      continue;
    o.cancelled = icalcomponent_get_status(c) == ICAL_STATUS_CANCELLED;
    icalproperty *pl = icalcomponent_get_first_property(c, ICAL_LOCATION_PROPERTY);
    if (pl) {
      int fl = 0;
      const char *loc = ixc_clean(d, icalproperty_get_location(pl), 500, 1, &fl);
      if (loc && (!s->location || strcmp(loc, s->location) != 0))
        o.location = loc;
    }
    rc = occ_push(&ov, &o);
    if (rc)
      goto done;
  }
  if (!s->master && usable == 0) {
    rc = SK_EINVAL;
    goto done;
  }
  rc = emit(d, s, &ov, svc);
done:
  free(ov.v);
  free(ex);
  free(ovr);
  return rc;
}
