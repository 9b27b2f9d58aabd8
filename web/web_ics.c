/* GET /api/v1/activities.ics: the occurrences of /api/v1/activities as an
 * iCalendar (RFC 5545) subscription.
 *
 * Times are written in UTC ("…Z") so no VTIMEZONE is needed and no client
 * has to know our zone rules; all-day occurrences stay dates. The body must
 * be the same bytes for the same data (ETag/304, calendar apps poll), so
 * DTSTAMP is the offering's last change, never "now". Text from feeds is
 * text: it is escaped (RFC 5545 3.3.11), control characters are dropped and
 * every field is capped, and the whole calendar is capped in events and
 * bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sk_err.h"
#include "sk_fold.h"
#include "web_internal.h"

#define ICS_MAX_EVENTS 2000
#define ICS_MAX_BYTES (4u << 20)
#define ICS_EVENT_MAX_BYTES (32u << 10)
#define ICS_LINE_OCTETS 75
#define ICS_DEFAULT_BACK (7LL * 86400)
#define ICS_DEFAULT_SPAN (180LL * 86400)

/* Source bytes kept per field; longer text is cut at a character and
 * ends in "…". */
#define ICS_CAP_NAME 200
#define ICS_CAP_SUMMARY 600
#define ICS_CAP_DESCRIPTION 2000
#define ICS_CAP_LOCATION 300
#define ICS_CAP_ORG 200

/* Append s as an RFC 5545 TEXT value: backslash, semicolon and comma
 * escaped, every line break (CRLF, LF, CR) as \n, other control characters
 * and invalid UTF-8 dropped. At most cap source bytes are used. */
static int ics_text(struct sk_buf *b, const char *s, size_t cap) {
  if (!s)
    return SK_OK;
  size_t n = strlen(s), used = 0;
  int rc = SK_OK;
  for (size_t i = 0; i < n && !rc;) {
    uint32_t cp;
    size_t k = sk_utf8_decode(s + i, n - i, &cp);
    if (!k) {
      i++;
      continue;
    }
    if (used + k > cap) {
      rc = sk_buf_addstr(b, "\xe2\x80\xa6"); /* … */
      break;
    }
    used += k;
    if (cp == '\\')
      rc = sk_buf_addstr(b, "\\\\");
    else if (cp == ';')
      rc = sk_buf_addstr(b, "\\;");
    else if (cp == ',')
      rc = sk_buf_addstr(b, "\\,");
    else if (cp == '\n')
      rc = sk_buf_addstr(b, "\\n");
    else if (cp == '\r') {
      rc = sk_buf_addstr(b, "\\n");
      if (i + 1 < n && s[i + 1] == '\n')
        i++;
    } else if ((cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp < 0xa0))
      ; /* control characters are not allowed in TEXT */
    else
      rc = sk_buf_add(b, s + i, k);
    i += k;
  }
  return rc;
}

/* Write one logical content line folded at 75 octets (RFC 5545 3.1): a
 * continuation line starts with a space, and a UTF-8 sequence is never
 * split (nor an escape pair). */
static int ics_fold(struct sk_buf *out, const char *line, size_t n) {
  size_t col = 0;
  int rc = SK_OK;
  for (size_t i = 0; i < n && !rc;) {
    uint32_t cp;
    size_t k = sk_utf8_decode(line + i, n - i, &cp);
    if (!k)
      k = 1; /* not reached: values are cleaned by ics_text */
    else if (cp == '\\' && i + 1 < n)
      k = 2; /* keep an escape pair ("\\,") on one line for lax readers */
    if (col + k > ICS_LINE_OCTETS) {
      rc = sk_buf_add(out, "\r\n ", 3);
      col = 1;
    }
    if (!rc)
      rc = sk_buf_add(out, line + i, k);
    col += k;
    i += k;
  }
  return rc ? rc : sk_buf_add(out, "\r\n", 2);
}

/* One property: "NAME" (with parameters) and a value that is already in
 * iCalendar form (escaped text, a date, a URI). */
static int ics_prop(struct sk_buf *out, struct sk_buf *line, const char *name, const char *value) {
  sk_buf_reset(line);
  int rc = sk_buf_addstr(line, name);
  if (!rc)
    rc = sk_buf_addc(line, ':');
  if (!rc)
    rc = sk_buf_addstr(line, value);
  return rc ? rc : ics_fold(out, sk_buf_str(line), line->len);
}

/* A TEXT property from untrusted text. */
static int ics_prop_text(struct sk_buf *out, struct sk_buf *line, const char *name,
                         const char *text, size_t cap) {
  sk_buf_reset(line);
  int rc = sk_buf_addstr(line, name);
  if (!rc)
    rc = sk_buf_addc(line, ':');
  if (!rc)
    rc = ics_text(line, text, cap);
  return rc ? rc : ics_fold(out, sk_buf_str(line), line->len);
}

static void ics_utc(int64_t t, char out[20]) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, 20, "%Y%m%dT%H%M%SZ", &tm);
}

/* "YYYY-MM-DD…" plus days as a DATE value "YYYYMMDD"; 0 on success. */
static int ics_date(const char *iso, int add_days, char out[12]) {
  int y, m, d;
  if (!iso || strlen(iso) < 10 || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || y < 1970 ||
      y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
    return -1;
  struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + add_days, .tm_hour = 12};
  time_t t = timegm(&tm);
  if (t == (time_t)-1)
    return -1;
  gmtime_r(&t, &tm);
  strftime(out, 12, "%Y%m%d", &tm);
  return 0;
}

static const char *col_text(sqlite3_stmt *s, int i) {
  return (const char *)sqlite3_column_text(s, i);
}

/* One VEVENT from a WQ_ACTIVITIES_ICS row. Returns SK_OK, SK_EINVAL for a
 * row that cannot be written (skipped), or a buffer error. */
static int ics_event(sqlite3_stmt *s, const char *base, struct sk_buf *ev, struct sk_buf *line) {
  const char *starts_at = col_text(s, 0), *ends_at = col_text(s, 1);
  int all_day = sqlite3_column_int(s, 2), cancelled = sqlite3_column_int(s, 3);
  const char *location = col_text(s, 4), *id = col_text(s, 5), *name = col_text(s, 6);
  const char *summary = col_text(s, 7), *description = col_text(s, 8), *org = col_text(s, 9);
  int64_t start = sqlite3_column_int64(s, 10);
  int has_end = sqlite3_column_type(s, 11) != SQLITE_NULL;
  int64_t end = sqlite3_column_int64(s, 11);
  if (!id || !web_is_uuid(id) || !name)
    return SK_EINVAL;

  char uid[96], dtstart[20], dtend[20] = "", stamp[20], day0[12], day1[12];
  if (all_day) {
    if (ics_date(starts_at, 0, day0) ||
        ics_date(ends_at && *ends_at ? ends_at : starts_at, 1, day1))
      return SK_EINVAL;
    if (strcmp(day1, day0) <= 0 && ics_date(starts_at, 1, day1))
      return SK_EINVAL;
    snprintf(uid, sizeof uid, "%s-%s@sociale-kaart", id, day0);
  } else {
    ics_utc(start, dtstart);
    if (has_end && end > start)
      ics_utc(end, dtend);
    snprintf(uid, sizeof uid, "%s-%s@sociale-kaart", id, dtstart);
  }
  int64_t modified;
  const char *lm = col_text(s, 12);
  if (!lm || web_parse_time(lm, &modified) != SK_OK)
    modified = start;
  ics_utc(modified, stamp);
  /* Without a configured public address there is no link: the request's
   * Host is the client's word, and the calendar is cached publicly. */
  char url[400] = "";
  if (base)
    snprintf(url, sizeof url, "%s/aanbod.html?id=%s", base, id);

  int rc = sk_buf_addstr(ev, "BEGIN:VEVENT\r\n");
  if (!rc)
    rc = ics_prop(ev, line, "UID", uid);
  if (!rc)
    rc = ics_prop(ev, line, "DTSTAMP", stamp);
  if (!rc && all_day) {
    rc = ics_prop(ev, line, "DTSTART;VALUE=DATE", day0);
    if (!rc)
      rc = ics_prop(ev, line, "DTEND;VALUE=DATE", day1);
  } else if (!rc) {
    rc = ics_prop(ev, line, "DTSTART", dtstart);
    if (!rc && dtend[0])
      rc = ics_prop(ev, line, "DTEND", dtend);
  }
  if (!rc) {
    /* Many calendar apps show a cancelled event of a subscription like any
     * other: say it in the title as well. */
    sk_buf_reset(line);
    rc = sk_buf_addstr(line, "SUMMARY:");
    if (!rc && cancelled)
      rc = sk_buf_addstr(line, "Gaat niet door: ");
    if (!rc)
      rc = ics_text(line, name, ICS_CAP_NAME);
    if (!rc)
      rc = ics_fold(ev, sk_buf_str(line), line->len);
  }
  if (!rc) {
    sk_buf_reset(line);
    rc = sk_buf_addstr(line, "DESCRIPTION:");
    if (!rc && cancelled)
      rc = sk_buf_addstr(line, "Deze activiteit gaat niet door.\\n\\n");
    if (!rc && summary && *summary) {
      rc = ics_text(line, summary, ICS_CAP_SUMMARY);
      if (!rc)
        rc = sk_buf_addstr(line, "\\n\\n");
    }
    if (!rc && description && *description && (!summary || strcmp(summary, description) != 0)) {
      rc = ics_text(line, description, ICS_CAP_DESCRIPTION);
      if (!rc)
        rc = sk_buf_addstr(line, "\\n\\n");
    }
    if (!rc && org && *org) {
      rc = sk_buf_addstr(line, "Organisatie: ");
      if (!rc)
        rc = ics_text(line, org, ICS_CAP_ORG);
      if (!rc)
        rc = sk_buf_addstr(line, "\\n");
    }
    if (!rc && url[0])
      rc = sk_buf_addstr(line, "Meer informatie: ");
    if (!rc && url[0])
      rc = ics_text(line, url, sizeof url);
    if (!rc)
      rc = ics_fold(ev, sk_buf_str(line), line->len);
  }
  if (!rc && location && *location)
    rc = ics_prop_text(ev, line, "LOCATION", location, ICS_CAP_LOCATION);
  if (!rc && url[0])
    rc = ics_prop(ev, line, "URL", url);
  if (!rc)
    rc = ics_prop(ev, line, "STATUS", cancelled ? "CANCELLED" : "CONFIRMED");
  if (!rc)
    rc = sk_buf_addstr(ev, "END:VEVENT\r\n");
  return rc;
}

/* "Sociale Kaart – Activiteiten in Laren – Taal en computer – voor Ouderen (65+)" */
static int ics_calname(struct sk_buf *b, const struct sk_taxonomy *tax,
                       const struct web_act_filter *f) {
  const struct sk_term *m = f->muni ? sk_taxonomy_find(tax, SK_VOCAB_MUNICIPALITY, f->muni) : NULL;
  if (f->muni && !m)
    m = sk_taxonomy_find(tax, SK_VOCAB_SCOPE, f->muni);
  const struct sk_term *n = f->need ? sk_taxonomy_find(tax, SK_VOCAB_NEED, f->need) : NULL;
  const struct sk_term *g = f->group ? sk_taxonomy_find(tax, SK_VOCAB_TARGET_GROUP, f->group)
                                     : NULL;
  int rc = sk_buf_addstr(b, "Sociale Kaart \xe2\x80\x93 Activiteiten");
  if (!rc && f->muni) {
    rc = sk_buf_addstr(b, " in ");
    if (!rc)
      rc = ics_text(b, m && m->label ? m->label : f->muni, 200);
  }
  if (!rc && f->need) {
    rc = sk_buf_addstr(b, " \xe2\x80\x93 ");
    if (!rc)
      rc = ics_text(b, n && n->label ? n->label : f->need, 200);
  }
  if (!rc && f->group) {
    rc = sk_buf_addstr(b, " \xe2\x80\x93 voor ");
    if (!rc)
      rc = ics_text(b, g && g->label ? g->label : f->group, 200);
  }
  return rc;
}

int web_api_activities_ics(struct web_ctx *x) {
  struct web_act_filter f;
  if (web_act_filter_parse(x, ICS_DEFAULT_BACK, ICS_DEFAULT_SPAN, &f))
    return SK_EINVAL;
  const char *base = x->srv->public_url; /* NULL: no links */
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");

  struct sk_buf events, ev, line;
  sk_buf_init(&events, ICS_MAX_BYTES);
  sk_buf_init(&ev, ICS_EVENT_MAX_BYTES);
  sk_buf_init(&line, ICS_EVENT_MAX_BYTES);
  size_t n_events = 0;
  int truncated = 0, rc = SK_OK;
  web_read_begin(w);
  sqlite3_stmt *s = web_stmt(w, WQ_ACTIVITIES_ICS);
  if (!s) {
    web_read_end(w);
    rc = SK_EDB;
  } else {
    web_act_filter_bind(s, &f);
    sqlite3_bind_int64(s, 7, ICS_MAX_EVENTS + 1);
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
      if (n_events == ICS_MAX_EVENTS) {
        truncated = 1;
        break;
      }
      sk_buf_reset(&ev);
      /* A row that cannot be an event (bad date) or that outgrows its own
       * bound (not reachable with the caps above) is left out. */
      if (ics_event(s, base, &ev, &line) != SK_OK)
        continue;
      /* Keep room for the header and the end line. */
      if (events.len + ev.len + 4096 > ICS_MAX_BYTES) {
        truncated = 1;
        break;
      }
      if ((rc = sk_buf_add(&events, ev.ptr, ev.len)))
        break;
      n_events++;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
      rc = SK_EDB;
    sqlite3_reset(s);
    web_read_end(w);
  }
  sk_buf_free(&ev);
  if (rc) {
    sk_buf_free(&events);
    sk_buf_free(&line);
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  }

  struct sk_buf out;
  sk_buf_init(&out, ICS_MAX_BYTES);
  rc = sk_buf_addstr(&out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                           "PRODID:-//Sociale Kaart HBEL//Activiteiten//NL\r\n"
                           "CALSCALE:GREGORIAN\r\n");
  if (!rc) {
    sk_buf_reset(&line);
    rc = sk_buf_addstr(&line, "X-WR-CALNAME:");
    if (!rc)
      rc = ics_calname(&line, x->srv->tax, &f);
    if (!rc)
      rc = ics_fold(&out, sk_buf_str(&line), line.len);
  }
  if (!rc) {
    char desc[600];
    snprintf(desc, sizeof desc,
             "Activiteiten uit de Sociale Kaart van Huizen, Blaricum, Eemnes en Laren.%s%s%s%s",
             truncated ? " Niet alle activiteiten passen in deze agenda: kies een gemeente of "
                         "onderwerp."
                       : "",
             base ? " Meer informatie: " : "", base ? base : "", base ? "/agenda.html" : "");
    rc = ics_prop_text(&out, &line, "X-WR-CALDESC", desc, sizeof desc);
  }
  if (!rc)
    rc = sk_buf_addstr(&out, "X-WR-TIMEZONE:Europe/Amsterdam\r\n"
                             "REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n"
                             "X-PUBLISHED-TTL:PT6H\r\n");
  if (!rc && events.len)
    rc = sk_buf_add(&out, events.ptr, events.len);
  if (!rc)
    rc = sk_buf_addstr(&out, "END:VCALENDAR\r\n");
  sk_buf_free(&events);
  sk_buf_free(&line);
  size_t len = 0;
  char *body = rc ? NULL : sk_buf_detach(&out, &len);
  sk_buf_free(&out);
  if (!body)
    return web_unavailable(x, "Geen geheugen vrij.");
  free(x->out.body);
  x->out.body = body;
  x->out.len = len;
  x->out.status = 200;
  x->out.ctype = "text/calendar; charset=utf-8";
  x->out.cache = "public, max-age=60";
  x->out.etag = 1;
  return SK_OK;
}
