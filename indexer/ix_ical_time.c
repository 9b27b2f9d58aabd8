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
  static const char *const names[] = {"UTC", "GMT", "Z", "Etc/UTC", "Etc/GMT", "Etc/Universal",
                                      "Universal", "Zulu", "Coordinated Universal Time",
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

icaltimezone *ixc_zone(struct ixc_doc *d, icalcomponent *vcal, const char *tzid, icaltimezone *deflt) {
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
    ixc_warn(d, "Onbekende tijdzone in X-WR-TIMEZONE ('%s'): de tijden zijn gelezen als Europe/Amsterdam.",
             shown ? shown : "?");
    break;
  }
  return d->ams;
}

/* ------------------------------------------------------------ conversion */

static int64_t local_to_utc(struct icaltimetype t, icaltimezone *z) {
  t.zone = NULL;
  t.is_date = 0;
  return (int64_t)icaltime_as_timet_with_zone(t, z);
}

static struct icaltimetype utc_to_local(int64_t utc, icaltimezone *z) {
  struct icaltimetype t = icaltime_from_timet_with_zone((time_t)utc, 0, z);
  t.zone = NULL;
  return t;
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
  if (!t.is_date && (t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59 || t.second < 0 ||
                     t.second > 60))
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
  int64_t secs;
  int64_t days;
};

static struct span event_span(struct ixc_doc *d, const struct ixc_series *s, icalcomponent *ev,
                              const struct ixc_point *start, icaltimezone *zone,
                              const struct span *inherit) {
  struct span sp = {-1, 1};
  icalproperty *pe = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
  icalproperty *pd = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
  struct ixc_point end;
  if (pe && read_point(d, s, pe, icalproperty_get_dtend(pe), zone, &end) == 0) {
    if (start->all_day) {
      sp.days = end.all_day ? end.day - start->day : 1;
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
      int64_t secs = (int64_t)du.weeks * 7 * DAY + (int64_t)du.days * DAY + (int64_t)du.hours * 3600 +
                     (int64_t)du.minutes * 60 + du.seconds;
      if (start->all_day) {
        sp.days = secs / DAY > 0 ? secs / DAY : 1;
      } else if (secs <= MAX_DURATION) {
        sp.secs = secs;
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
  return sp->secs >= 0 ? st->utc + sp->secs : -1;
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
    if (!d->budget_warned)
      ixc_warn(d, "De agenda heeft te veel herhalingen om alles uit te rekenen; vanaf activiteit '%s' "
                  "zijn niet alle datums berekend.", s->key);
    d->budget_warned = 1;
    return 0;
  }
  if (*steps >= IX_ICAL_MAX_ITERATIONS) {
    ixc_warn(d, "Activiteit '%s': de herhaalregel begint lang geleden of herhaalt heel vaak; na %d "
                "stappen is gestopt met rekenen, dus er kunnen datums ontbreken.",
             s->key, IX_ICAL_MAX_ITERATIONS);
    return 0;
  }
  (*steps)++;
  d->iterations_left--;
  return 1;
}

/* Expand one RRULE from t0 (local fields in zone) into ov. */
static int expand_rule(struct ixc_doc *d, const struct ixc_series *s, struct icalrecurrencetype rule,
                       struct icaltimetype t0, int64_t start_utc0, icaltimezone *zone,
                       const struct span *sp, size_t limit, struct occv *ov) {
  const int all_day = t0.is_date;
  t0.zone = NULL;
  /* libical compares UNTIL with the instances' local fields: give it UNTIL
   * in the same terms (a UTC UNTIL against floating fields is off by the
   * zone offset and drops the last instance). */
  if (!icaltime_is_null_time(rule.until)) {
    struct icaltimetype u = rule.until;
    if (!time_usable(u)) {
      ixc_warn(d, "Activiteit '%s': de einddatum (UNTIL) van de herhaling is onleesbaar en genegeerd.",
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
  icalrecur_iterator *it = icalrecur_iterator_new(rule, t0);
  if (!it) {
    ixc_warn(d, "Activiteit '%s': de herhaalregel (RRULE) is ongeldig; alleen de eerste datum is gebruikt.",
             s->key);
    return SK_OK;
  }
  int64_t lead = (sp->secs > 0 ? sp->secs : 0) + (all_day ? sp->days * DAY : 0) + 2 * DAY;
  /* Rules without COUNT can start near the window instead of at DTSTART.
   * icalrecur_iterator_set_start is only trusted for daily and coarser
   * rules (it loses the phase of HOURLY/MINUTELY intervals in 3.0.16). */
  if (rule.count == 0 && rule.freq >= ICAL_DAILY_RECURRENCE && rule.freq <= ICAL_YEARLY_RECURRENCE &&
      start_utc0 < d->o->window_start - lead) {
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
  snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", l.year, l.month, l.day, l.hour, l.minute,
           l.second, sign, (int)(off / 3600), (int)(off % 3600 / 60));
}

static int emit(struct ixc_doc *d, const struct ixc_series *s, struct occv *ov, struct ix_service *svc) {
  if (ov->n > 1)
    qsort(ov->v, ov->n, sizeof *ov->v, occ_cmp);
  size_t n = ov->n;
  if (n > d->max_occ) {
    ixc_warn(d, "Activiteit '%s': meer dan %zu datums in de periode; alleen de eerste %zu zijn opgenomen.",
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
      ixc_warn(d, "Activiteit '%s': een gewijzigde datum (RECURRENCE-ID) is onleesbaar en overgeslagen.",
               s->key);
      ovr[i].skip = 1;
      continue;
    }
    icalparameter *range = icalproperty_get_first_parameter(p, ICAL_RANGE_PARAMETER);
    if (range && !warned_range) {
      ixc_warn(d, "Activiteit '%s': een wijziging 'voor deze en volgende keren' (RANGE) wordt alleen "
                  "voor die ene datum toegepast.", s->key);
      warned_range = 1;
    }
  }
  /* Two overrides of the same instance: the higher SEQUENCE (then the later one) wins. */
  for (size_t i = 0; i < s->n_overrides; i++)
    for (size_t j = 0; j < s->n_overrides && !ovr[i].skip; j++)
      if (j != i && !ovr[j].skip && same_instance(&ovr[i].rid, &ovr[j].rid) &&
          (ovr[j].seq > ovr[i].seq || (ovr[j].seq == ovr[i].seq && j > i)))
        ovr[i].skip = 1;
  return SK_OK;
}

int ixc_expand(struct ixc_doc *d, const struct ixc_series *s, struct ix_service *svc) {
  struct occv ov = {0};
  struct ixc_point *ex = NULL;
  size_t n_ex = 0, cap_ex = 0;
  struct override *ovr = NULL;
  int rc = SK_OK;
  icaltimezone *zone = s->deflt;
  struct span master_span = {-1, 1};

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

    /* DTSTART is always the first instance (RFC 5545 3.8.5.3). */
    rc = push_instance(d, &ov, &p0, &master_span, zone);
    if (rc < 0)
      goto done;
    rc = SK_OK;
    size_t limit = d->max_occ + n_ex + s->n_overrides + 1;
    for (icalproperty *p = icalcomponent_get_first_property(s->master, ICAL_RRULE_PROPERTY); p;
         p = icalcomponent_get_next_property(s->master, ICAL_RRULE_PROPERTY)) {
      struct icalrecurrencetype rule = icalproperty_get_rrule(p);
      if (rule.freq == ICAL_NO_RECURRENCE) {
        ixc_warn(d, "Activiteit '%s': de herhaalregel (RRULE) is onleesbaar en genegeerd.", s->key);
        continue;
      }
      rc = expand_rule(d, s, rule, t0, p0.utc, zone, &master_span, limit, &ov);
      if (rc)
        goto done;
    }
    if (icalcomponent_get_first_property(s->master, ICAL_EXRULE_PROPERTY))
      ixc_warn(d, "Activiteit '%s': EXRULE wordt niet ondersteund en is genegeerd.", s->key);
    size_t n_rdates = 0;
    for (icalproperty *p = icalcomponent_get_first_property(s->master, ICAL_RDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(s->master, ICAL_RDATE_PROPERTY)) {
      if (++n_rdates > 10000)
        break; /* bounded like the rules */
      struct icaldatetimeperiodtype dp = icalproperty_get_rdate(p);
      struct ixc_point r;
      struct span sp = master_span;
      if (!icaltime_is_null_time(dp.time)) {
        if (read_point(d, s, p, dp.time, zone, &r) != 0)
          continue;
      } else if (!icaltime_is_null_time(dp.period.start)) {
        if (read_point(d, s, p, dp.period.start, zone, &r) != 0)
          continue;
        struct ixc_point e;
        if (!icaltime_is_null_time(dp.period.end) && read_point(d, s, p, dp.period.end, zone, &e) == 0) {
          sp.secs = e.utc - r.utc >= 0 && e.utc - r.utc <= MAX_DURATION ? e.utc - r.utc : -1;
        } else if (!icaldurationtype_is_null_duration(dp.period.duration) &&
                   !icaldurationtype_is_bad_duration(dp.period.duration)) {
          int secs = icaldurationtype_as_int(dp.period.duration);
          sp.secs = secs >= 0 ? secs : -1;
        }
      } else {
        continue;
      }
      if (r.all_day != p0.all_day) {
        /* A date RDATE on a timed series (or the reverse): keep the series' kind. */
        if (p0.all_day) {
          r.all_day = 1;
          r.utc = day_start_utc(r.day, zone);
        } else {
          struct icaltimetype lt = date_of_days(r.day);
          lt.is_date = 0;
          lt.hour = t0.hour;
          lt.minute = t0.minute;
          lt.second = t0.second;
          r.all_day = 0;
          r.utc = local_to_utc(lt, zone);
        }
      }
      rc = push_instance(d, &ov, &r, &sp, zone);
      if (rc < 0)
        goto done;
      rc = SK_OK;
    }

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
