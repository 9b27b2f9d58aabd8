/* iCalendar documents into activities (see ix_ical.h): reading the
 * document, grouping VEVENTs into series, untrusted text, taxonomy
 * mapping. Time zones and recurrence live in ix_ical_time.c. */
#include "ix_ical.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ix_ical_internal.h"
#include "sk_buf.h"
#include "sk_err.h"
#include "sk_fold.h"
#include "sk_id.h"
#include "sk_taxonomy.h"

#define CAP_NAME 200
#define CAP_DESCRIPTION 8000
#define CAP_LOCATION 500
#define CAP_URL 2000
#define CAP_ORGANIZER 200
#define CAP_UID 200
#define CAP_CATEGORY 100
#define CAP_KEYWORDS 500
#define CAP_RECURRENCE 500
#define MAX_EVENTS 20000
#define MAX_WINDOW (11LL * 366 * 86400)

static pthread_mutex_t ical_mutex = PTHREAD_MUTEX_INITIALIZER;
static int ical_initialised;

void ix_ical_opts_default(struct ix_ical_opts *o, int64_t now) {
  memset(o, 0, sizeof *o);
  o->window_start = now - 86400;
  o->window_end = now + 180LL * 86400;
  o->max_occurrences = IX_ICAL_DEFAULT_MAX_OCCURRENCES;
  o->tax = NULL;
}

void ix_ical_global_cleanup(void) {
  pthread_mutex_lock(&ical_mutex);
  icaltimezone_free_builtin_timezones();
  icalmemory_free_ring();
  pthread_mutex_unlock(&ical_mutex);
}

/* --------------------------------------------------------------- messages */

void ixc_warn(struct ixc_doc *d, const char *fmt, ...) {
  if (d->quiet)
    return;
  if (d->warnings >= IXC_MAX_WARNINGS) {
    d->warnings_dropped++;
    return;
  }
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  /* vsnprintf may cut inside a UTF-8 sequence: clean before storing. */
  int fl = 0;
  const char *clean = ixc_clean(d, msg, sizeof msg, 0, &fl);
  if (clean && ix_batch_warn(d->b, "%s", clean) != SK_OK)
    d->oom = 1;
  d->warnings++;
}

/* ------------------------------------------------------------------- text */

/* Windows-1252 for the bytes 0x80..0x9F (0: undefined there). */
static const uint16_t cp1252[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

static int dropped_cp(uint32_t cp) {
  return (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFEFF ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFFFE ||
         cp == 0xFFFF;
}

const char *ixc_clean(struct ixc_doc *d, const char *s, size_t cap, int single_line, int *flags) {
  if (!s)
    return NULL;
  size_t len = strlen(s);
  size_t room = (len < cap + 8 ? len : cap + 8) * 3 + 8;
  char *tmp = malloc(room);
  if (!tmp) {
    d->oom = 1;
    return NULL;
  }
  size_t o = 0, i = 0;
  int space = 1; /* at start: swallow leading blanks */
  while (i < len && o + 8 < room) {
    uint32_t cp;
    size_t k = sk_utf8_decode(s + i, len - i, &cp);
    if (!k) {
      unsigned char c = (unsigned char)s[i];
      cp = c >= 0xA0 ? c : (c >= 0x80 ? cp1252[c - 0x80] : 0xFFFD);
      if (!cp)
        cp = 0xFFFD;
      k = 1;
      *flags |= IXC_REPAIRED;
    }
    i += k;
    if (cp == '\r')
      cp = (i < len && s[i] == '\n') ? 0 : '\n';
    if (cp == 0x2028 || cp == 0x2029)
      cp = '\n';
    if (cp == 0 || dropped_cp(cp))
      continue;
    if (single_line && (cp == '\n' || cp == '\t'))
      cp = ' ';
    if (cp == ' ' || cp == '\t' || cp == '\n') {
      if (single_line && space)
        continue;
      if (!single_line && space && o == 0)
        continue;
      space = 1;
    } else {
      space = 0;
    }
    o += sk_utf8_encode(cp, tmp + o);
  }
  if (i < len)
    o = room; /* force the cut below */
  if (o > cap) {
    *flags |= IXC_TRUNCATED;
    o = cap > 3 ? cap - 3 : 0;
    while (o && ((unsigned char)tmp[o] & 0xC0) == 0x80)
      o--;
  }
  while (o && (tmp[o - 1] == ' ' || tmp[o - 1] == '\n' || tmp[o - 1] == '\t'))
    o--;
  if (*flags & IXC_TRUNCATED && o) {
    memcpy(tmp + o, "\xE2\x80\xA6", 3);
    o += 3;
  }
  const char *r = NULL;
  if (o) {
    r = ix_strndup(d->b, tmp, o);
    if (!r)
      d->oom = 1;
  }
  free(tmp);
  return r;
}

/* Clean and report what was repaired for a field of a series. */
static const char *field_text(struct ixc_doc *d, const char *key, const char *field, const char *s,
                              size_t cap, int single_line) {
  int fl = 0;
  const char *r = ixc_clean(d, s, cap, single_line, &fl);
  if (fl & IXC_REPAIRED)
    ixc_warn(d, "Activiteit '%s': %s was geen geldige UTF-8 en is gelezen als Windows-1252.", key,
             field);
  if (fl & IXC_TRUNCATED)
    ixc_warn(d, "Activiteit '%s': %s is te lang en ingekort tot %zu tekens.", key, field, cap);
  return r;
}

/* ---------------------------------------------------------------- taxonomy */

struct tax_key {
  char *folded;
  enum sk_vocab vocab;
  const char *code;
};

struct matcher {
  struct tax_key *v;
  size_t n, cap;
  int ready;
};

/* Folded, whitespace-collapsed form of s[0..n) (malloc'd), or NULL. */
static char *fold_norm(const char *s, size_t n) {
  struct sk_buf b;
  sk_buf_init(&b, 4096);
  if (sk_fold(s, n, &b) != SK_OK) {
    sk_buf_free(&b);
    return NULL;
  }
  const char *f = sk_buf_str(&b);
  char *out = malloc(strlen(f) + 1);
  if (out) {
    size_t o = 0;
    int space = 1;
    for (const char *p = f; *p; p++) {
      char c = *p;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '_') {
        if (!space)
          out[o++] = ' ';
        space = 1;
      } else {
        out[o++] = c;
        space = 0;
      }
    }
    while (o && out[o - 1] == ' ')
      o--;
    out[o] = '\0';
  }
  sk_buf_free(&b);
  return out;
}

static int matcher_add(struct matcher *m, const char *s, size_t n, const struct sk_term *t) {
  char *f = fold_norm(s, n);
  if (!f)
    return SK_ENOMEM;
  if (!*f) {
    free(f);
    return SK_OK;
  }
  if (m->n == m->cap) {
    size_t ncap = m->cap ? m->cap * 2 : 256;
    struct tax_key *nv = realloc(m->v, ncap * sizeof *nv);
    if (!nv) {
      free(f);
      return SK_ENOMEM;
    }
    m->v = nv;
    m->cap = ncap;
  }
  m->v[m->n++] = (struct tax_key){f, t->vocab, t->code};
  return SK_OK;
}

static int matcher_build(struct matcher *m, const struct sk_taxonomy *tax) {
  m->ready = 1;
  for (size_t i = 0; tax && i < tax->n_terms; i++) {
    const struct sk_term *t = &tax->terms[i];
    if (t->vocab != SK_VOCAB_NEED && t->vocab != SK_VOCAB_TARGET_GROUP &&
        t->vocab != SK_VOCAB_COST && t->vocab != SK_VOCAB_ACCESS)
      continue;
    if (matcher_add(m, t->code, strlen(t->code), t) ||
        matcher_add(m, t->label, strlen(t->label), t))
      return SK_ENOMEM;
    const char *paren = strchr(t->label, '('); /* "Ouderen (65+)" also as "Ouderen" */
    if (paren && matcher_add(m, t->label, (size_t)(paren - t->label), t))
      return SK_ENOMEM;
    for (size_t k = 0; k < t->n_synonyms; k++)
      if (matcher_add(m, t->synonyms[k], strlen(t->synonyms[k]), t))
        return SK_ENOMEM;
  }
  return SK_OK;
}

static void matcher_free(struct matcher *m) {
  for (size_t i = 0; i < m->n; i++)
    free(m->v[i].folded);
  free(m->v);
  memset(m, 0, sizeof *m);
}

static int strv_has(const struct ix_strv *sv, const char *s) {
  for (size_t i = 0; i < sv->n; i++)
    if (strcmp(sv->v[i], s) == 0)
      return 1;
  return 0;
}

static int add_code(struct ix_batch *b, struct ix_strv *sv, const char *code) {
  return strv_has(sv, code) ? SK_OK : ix_strv_push(b, sv, code);
}

/* 1 when the folded needle occurs in the folded hay as whole words. */
static int has_word(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  if (!n)
    return 0;
  for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) {
    unsigned char before = p > hay ? (unsigned char)p[-1] : ' ';
    unsigned char after = (unsigned char)p[n];
    int wb = !(before >= 0x80 || (before >= '0' && before <= '9') ||
               (before >= 'a' && before <= 'z'));
    int wa = !(after >= 0x80 || (after >= '0' && after <= '9') || (after >= 'a' && after <= 'z'));
    if (wb && wa)
      return 1;
  }
  return 0;
}

static int add_area(struct ix_batch *b, struct ix_service *svc, const char *code) {
  for (size_t i = 0; i < svc->areas.n; i++)
    if (strcmp(svc->areas.v[i].code, code) == 0)
      return SK_OK;
  struct ix_area *a = IX_PUSH(b, svc->areas);
  if (!a || !(a->code = ix_strdup(b, code)))
    return SK_ENOMEM;
  a->min_age = IX_UNSET;
  a->max_age = IX_UNSET;
  return SK_OK;
}

/* Municipalities named in the location text (whole words, folded), or
 * found through a Dutch postcode ("1271 AB"). */
static int areas_from_location(struct ixc_doc *d, struct ix_service *svc, const char *loc) {
  const struct sk_taxonomy *tax = d->o->tax;
  if (!tax || !loc)
    return SK_OK;
  char *hay = fold_norm(loc, strlen(loc));
  if (!hay)
    return SK_ENOMEM;
  int rc = SK_OK;
  for (size_t i = 0; i < tax->n_terms && !rc; i++) {
    const struct sk_term *t = &tax->terms[i];
    if (t->vocab != SK_VOCAB_MUNICIPALITY)
      continue;
    char *needle = fold_norm(t->label, strlen(t->label));
    if (!needle) {
      rc = SK_ENOMEM;
      break;
    }
    if (has_word(hay, needle))
      rc = add_area(d->b, svc, t->code);
    free(needle);
  }
  free(hay);
  for (const char *p = loc; *p && !rc; p++) {
    if (!(p[0] >= '1' && p[0] <= '9') ||
        (p > loc &&
         ((p[-1] >= '0' && p[-1] <= '9') || ((p[-1] | 0x20) >= 'a' && (p[-1] | 0x20) <= 'z'))))
      continue;
    int ok = 1;
    for (int k = 1; k < 4 && ok; k++)
      ok = p[k] >= '0' && p[k] <= '9';
    if (!ok)
      continue;
    const char *q = p + 4;
    if (*q == ' ')
      q++;
    int letters = 0;
    while (letters < 2 && ((q[letters] | 0x20) >= 'a' && (q[letters] | 0x20) <= 'z'))
      letters++;
    unsigned char after = (unsigned char)q[letters];
    if (letters != 2 || (after >= 0x80 || ((after | 0x20) >= 'a' && (after | 0x20) <= 'z') ||
                         (after >= '0' && after <= '9')))
      continue;
    int digits = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    const struct sk_term *m = sk_taxonomy_municipality_for_postcode(tax, digits);
    if (m)
      rc = add_area(d->b, svc, m->code);
  }
  return rc;
}

/* CATEGORIES: taxonomy codes, labels or synonyms become needs, target
 * groups, the cost and the access route; other words become keywords so
 * they stay findable. */
static int map_categories(struct ixc_doc *d, struct matcher *m, icalcomponent *ev, const char *key,
                          struct ix_service *svc) {
  struct sk_buf kw;
  sk_buf_init(&kw, CAP_KEYWORDS + 8);
  int rc = SK_OK;
  for (icalproperty *p = icalcomponent_get_first_property(ev, ICAL_CATEGORIES_PROPERTY); p && !rc;
       p = icalcomponent_get_next_property(ev, ICAL_CATEGORIES_PROPERTY)) {
    const char *v = icalproperty_get_categories(p);
    if (!v)
      continue;
    /* libical splits comma lists into properties, except escaped commas. */
    const char *start = v;
    for (;;) {
      const char *end = strchr(start, ',');
      size_t n = end ? (size_t)(end - start) : strlen(start);
      char one[CAP_CATEGORY * 2];
      if (n < sizeof one) {
        memcpy(one, start, n);
        one[n] = '\0';
        const char *cat = field_text(d, key, "CATEGORIES", one, CAP_CATEGORY, 1);
        if (cat) {
          if (d->o->tax && !m->ready && matcher_build(m, d->o->tax)) {
            rc = SK_ENOMEM;
            break;
          }
          char *f = fold_norm(cat, strlen(cat));
          if (!f) {
            rc = SK_ENOMEM;
            break;
          }
          int matched = 0;
          for (size_t i = 0; i < m->n && !rc; i++) {
            if (strcmp(m->v[i].folded, f) != 0)
              continue;
            matched = 1;
            /* One cost and one access route per event ("gratis" in a
             * mostly paid calendar): the first category that names one. */
            if (m->v[i].vocab == SK_VOCAB_COST) {
              if (!svc->cost && !(svc->cost = ix_strdup(d->b, m->v[i].code)))
                rc = SK_ENOMEM;
            } else if (m->v[i].vocab == SK_VOCAB_ACCESS) {
              if (!svc->access && !(svc->access = ix_strdup(d->b, m->v[i].code)))
                rc = SK_ENOMEM;
            } else {
              rc = add_code(d->b,
                            m->v[i].vocab == SK_VOCAB_NEED ? &svc->needs : &svc->target_groups,
                            m->v[i].code);
            }
          }
          free(f);
          if (!matched && kw.len + 2 + strlen(cat) <= CAP_KEYWORDS &&
              ((kw.len && sk_buf_addstr(&kw, ", ")) || sk_buf_addstr(&kw, cat))) {
            rc = SK_ENOMEM;
            break;
          }
        }
      }
      if (!end)
        break;
      start = end + 1;
    }
  }
  if (!rc && kw.len && !(svc->keywords = ix_strdup(d->b, sk_buf_str(&kw))))
    rc = SK_ENOMEM;
  sk_buf_free(&kw);
  return rc;
}

/* --------------------------------------------------------------- grouping */

struct ev {
  icalcomponent *c, *vcal;
  icaltimezone *deflt;
  const char *uid; /* NULL when missing */
  size_t idx;
  int is_override;
};

static int ev_cmp(const void *a, const void *b) {
  const struct ev *x = a, *y = b;
  if (!x->uid != !y->uid)
    return x->uid ? -1 : 1;
  if (x->uid) {
    int c = strcmp(x->uid, y->uid);
    if (c)
      return c;
  }
  return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Keys used so far in this document (open addressing), so that two
 * calendars or UID-less twins never produce the same key. */
struct keyset {
  const char **slot;
  size_t cap;
};

static uint64_t key_hash(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static int keyset_add(struct keyset *ks, const char *key) {
  size_t i = key_hash(key) & (ks->cap - 1);
  while (ks->slot[i]) {
    if (strcmp(ks->slot[i], key) == 0)
      return 0;
    i = (i + 1) & (ks->cap - 1);
  }
  ks->slot[i] = key;
  return 1;
}

static const char *series_key(struct ixc_doc *d, struct keyset *ks, icalcomponent *ev,
                              const char *uid) {
  const char *base = NULL;
  size_t ulen = uid ? strlen(uid) : 0;
  int usable = uid && ulen <= CAP_UID && sk_utf8_valid(uid, ulen);
  for (size_t i = 0; usable && i < ulen; i++)
    if ((unsigned char)uid[i] < 0x20 || uid[i] == 0x7F)
      usable = 0;
  if (usable) {
    base = ix_strdup(d->b, uid);
  } else {
    /* Stable across fetches: the same event text gives the same key. */
    struct sk_buf nb;
    sk_buf_init(&nb, 1 << 20);
    if (uid) {
      sk_buf_addstr(&nb, uid);
    } else {
      const char *sum = icalcomponent_get_summary(ev);
      icalproperty *ps = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
      icalproperty *pr = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
      char *st = ps ? icalproperty_get_value_as_string_r(ps) : NULL;
      char *rr = pr ? icalproperty_get_value_as_string_r(pr) : NULL;
      sk_buf_printf(&nb, "%s\n%s\n%s", sum ? sum : "", st ? st : "", rr ? rr : "");
      free(st);
      free(rr);
    }
    char uuid[SK_UUID_LEN];
    sk_uuid_from_name(sk_buf_str(&nb), nb.len, uuid);
    sk_buf_free(&nb);
    base = ix_printf(d->b, "ical-%s", uuid);
  }
  if (!base)
    return NULL;
  if (keyset_add(ks, base))
    return base;
  for (int n = 2; n < 100000; n++) {
    const char *k = ix_printf(d->b, "%s-%d", base, n);
    if (!k)
      return NULL;
    if (keyset_add(ks, k))
      return k;
  }
  return NULL;
}

static const char *organizer_text(struct ixc_doc *d, const char *key, icalcomponent *ev) {
  icalproperty *p = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
  if (!p)
    return NULL;
  icalparameter *cn = icalproperty_get_first_parameter(p, ICAL_CN_PARAMETER);
  const char *v = cn ? icalparameter_get_cn(cn) : NULL;
  if (!v || !*v) {
    v = icalproperty_get_organizer(p);
    if (v && strncasecmp(v, "mailto:", 7) == 0)
      v += 7;
  }
  return field_text(d, key, "ORGANIZER", v, CAP_ORGANIZER, 1);
}

static const char *url_text(struct ixc_doc *d, const char *key, icalcomponent *ev) {
  icalproperty *p = icalcomponent_get_first_property(ev, ICAL_URL_PROPERTY);
  const char *v = p ? icalproperty_get_url(p) : NULL;
  if (!v || !*v)
    return NULL;
  int ok = strncasecmp(v, "http://", 7) == 0 || strncasecmp(v, "https://", 8) == 0;
  for (const char *q = v; ok && *q; q++)
    ok = (unsigned char)*q > 0x20 && *q != 0x7F && *q != '"' && *q != '<' && *q != '>';
  if (!ok || strlen(v) > CAP_URL) {
    ixc_warn(d, "Activiteit '%s': de link (URL) is geen geldig http(s)-adres en is weggelaten.",
             key);
    return NULL;
  }
  return field_text(d, key, "URL", v, CAP_URL, 1);
}

int ixc_revision_cmp(icalcomponent *a, icalcomponent *b) {
  icalproperty *pa = icalcomponent_get_first_property(a, ICAL_SEQUENCE_PROPERTY);
  icalproperty *pb = icalcomponent_get_first_property(b, ICAL_SEQUENCE_PROPERTY);
  int sa = pa ? icalproperty_get_sequence(pa) : 0, sb = pb ? icalproperty_get_sequence(pb) : 0;
  if (sa != sb)
    return sa < sb ? -1 : 1;
  pa = icalcomponent_get_first_property(a, ICAL_DTSTAMP_PROPERTY);
  pb = icalcomponent_get_first_property(b, ICAL_DTSTAMP_PROPERTY);
  struct icaltimetype ta = pa ? icalproperty_get_dtstamp(pa) : icaltime_null_time();
  struct icaltimetype tb = pb ? icalproperty_get_dtstamp(pb) : icaltime_null_time();
  int na = icaltime_is_null_time(ta), nb = icaltime_is_null_time(tb);
  if (na || nb)
    return nb - na; /* the one without DTSTAMP is older */
  int c = icaltime_compare(ta, tb);
  return c < 0 ? -1 : c > 0;
}

/* A master that can be shown: it has a start and a title (an iTIP CANCEL
 * or REPLY carries neither). */
static int complete_master(icalcomponent *c) {
  return icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY) &&
         icalcomponent_get_first_property(c, ICAL_SUMMARY_PROPERTY);
}

/* One series: uid group ev[0..n). */
static int build_series(struct ixc_doc *d, struct matcher *m, struct keyset *ks, struct ev *ev,
                        size_t n) {
  /* Several masters (a calendar that holds several revisions, or iTIP
   * messages one after another): the newest complete one by SEQUENCE, then
   * DTSTAMP (RFC 5546 2.1.5), then document order; one without DTSTART or
   * SUMMARY only when none has both. A newer revision without them that
   * says STATUS:CANCELLED (RFC 5546 3.2.5, a CANCEL of the whole event)
   * cancels the series. */
  struct ev *master = NULL;
  size_t n_masters = 0, n_over = 0;
  for (size_t i = 0; i < n; i++) {
    if (ev[i].is_override) {
      n_over++;
      continue;
    }
    n_masters++;
    if (!master) {
      master = &ev[i];
      continue;
    }
    int ci = complete_master(ev[i].c), cm = complete_master(master->c);
    if (ci > cm || (ci == cm && ixc_revision_cmp(ev[i].c, master->c) >= 0))
      master = &ev[i];
  }
  int cancelled_later = 0;
  for (size_t i = 0; master && i < n; i++)
    if (!ev[i].is_override && &ev[i] != master && !complete_master(ev[i].c) &&
        icalcomponent_get_status(ev[i].c) == ICAL_STATUS_CANCELLED &&
        ixc_revision_cmp(ev[i].c, master->c) > 0)
      cancelled_later = 1;
  struct ev *primary = master ? master : &ev[0];
  icalcomponent **overrides = NULL;
  if (n_over) {
    overrides = malloc(n_over * sizeof *overrides);
    if (!overrides)
      return SK_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
      if (ev[i].is_override)
        overrides[k++] = ev[i].c;
  }
  int rc = SK_OK;
  const char *key = series_key(d, ks, primary->c, primary->uid);
  if (!key) {
    rc = SK_ENOMEM;
    goto done;
  }
  if (n_masters > 1)
    ixc_warn(
        d,
        "Activiteit '%s' staat %zu keer in de agenda; de nieuwste versie (SEQUENCE) is gebruikt.",
        key, n_masters);

  icalproperty *pc = icalcomponent_get_first_property(primary->c, ICAL_CLASS_PROPERTY);
  enum icalproperty_class cls = pc ? icalproperty_get_class(pc) : ICAL_CLASS_PUBLIC;
  if (cls == ICAL_CLASS_PRIVATE || cls == ICAL_CLASS_CONFIDENTIAL) {
    ixc_warn(d, "Activiteit '%s' is privé (CLASS) en wordt niet gepubliceerd.", key);
    goto done;
  }

  struct ix_service svc;
  memset(&svc, 0, sizeof svc);
  svc.kind = IX_KIND_ACTIVITY;
  svc.key = key;
  svc.min_age = IX_UNSET;
  svc.max_age = IX_UNSET;
  svc.uid = primary->uid ? field_text(d, key, "UID", primary->uid, 500, 1) : NULL;
  svc.name = field_text(d, key, "de titel (SUMMARY)", icalcomponent_get_summary(primary->c),
                        CAP_NAME, 1);
  if (!svc.name) {
    if (ix_batch_reject(d->b, key, "SUMMARY", "Activiteit '%s': de titel (SUMMARY) ontbreekt.",
                        key))
      rc = SK_ENOMEM;
    goto done;
  }
  svc.description = field_text(d, key, "de beschrijving (DESCRIPTION)",
                               icalcomponent_get_description(primary->c), CAP_DESCRIPTION, 0);
  svc.location_text = field_text(d, key, "de plaats (LOCATION)",
                                 icalcomponent_get_location(primary->c), CAP_LOCATION, 1);
  svc.url = url_text(d, key, primary->c);
  svc.organizer = organizer_text(d, key, primary->c);
  if (master) {
    icalproperty *pr = icalcomponent_get_first_property(master->c, ICAL_RRULE_PROPERTY);
    if (pr) {
      struct icalrecurrencetype r = icalproperty_get_rrule(pr);
      char *txt = r.freq != ICAL_NO_RECURRENCE ? icalrecurrencetype_as_string_r(&r) : NULL;
      svc.recurrence = field_text(d, key, "RRULE", txt, CAP_RECURRENCE, 1);
      free(txt);
    }
  }
  if (d->oom) {
    rc = SK_ENOMEM;
    goto done;
  }
  rc = map_categories(d, m, primary->c, key, &svc);
  if (!rc)
    rc = areas_from_location(d, &svc, svc.location_text);
  if (rc)
    goto done;

  struct ixc_series s = {
      .key = key,
      .master = master ? master->c : NULL,
      .overrides = overrides,
      .n_overrides = n_over,
      .vcal = primary->vcal,
      .deflt = primary->deflt,
      .cancelled = master && (cancelled_later ||
                              icalcomponent_get_status(master->c) == ICAL_STATUS_CANCELLED),
      .location = svc.location_text,
  };
  rc = ixc_expand(d, &s, &svc);
  if (rc == SK_EINVAL) {
    rc = ix_batch_reject(d->b, key, "DTSTART",
                         "Activiteit '%s': de begintijd (DTSTART) ontbreekt of is onleesbaar.", key)
             ? SK_ENOMEM
             : SK_OK;
    goto done;
  }
  if (rc)
    goto done;
  struct ix_service *out = ix_batch_add_service(d->b);
  if (!out) {
    rc = SK_ENOMEM;
    goto done;
  }
  *out = svc;
done:
  free(overrides);
  if (!rc && d->oom)
    rc = SK_ENOMEM;
  return rc;
}

/* --------------------------------------------------------------- document */

static void collect_errors(struct ixc_doc *d, icalcomponent *c, int depth, int *shown) {
  if (depth > 6)
    return;
  for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
       p && *shown < 3; p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
    int fl = 0;
    const char *msg = ixc_clean(d, icalproperty_get_xlicerror(p), 200, 1, &fl);
    ixc_warn(d, "Regel overgeslagen: %s", msg ? msg : "?");
    (*shown)++;
  }
  for (icalcomponent *k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); k && *shown < 3;
       k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
    collect_errors(d, k, depth + 1, shown);
}

static int fail(char *err, size_t errlen, const char *msg) {
  if (err && errlen)
    snprintf(err, errlen, "%s", msg);
  return SK_EPARSE;
}

/* 1 when a line of s[0..n) starts with tag (case-insensitive). */
static int has_line(const char *s, size_t n, const char *tag) {
  const size_t tl = strlen(tag);
  for (size_t i = 0; i + tl <= n; i++) {
    if ((i == 0 || s[i - 1] == '\n') && strncasecmp(s + i, tag, tl) == 0)
      return 1;
  }
  return 0;
}

static int parse_locked(const char *text, int wrapped, const struct ix_ical_opts *o,
                        struct ix_batch *out, char *err, size_t errlen) {
  icalcomponent *root = icalparser_parse_string(text);
  if (!root)
    return fail(err, errlen,
                "De agenda kan niet worden gelezen: het iCal-bestand is onvolledig of beschadigd "
                "(kijk of elke BEGIN-regel een END-regel heeft).");
  icalcomponent **cals = NULL;
  size_t n_cals = 0;
  icalcomponent_kind kind = icalcomponent_isa(root);
  if (kind == ICAL_VCALENDAR_COMPONENT) {
    cals = malloc(sizeof *cals);
    if (cals)
      cals[n_cals++] = root;
  } else if (kind == ICAL_XROOT_COMPONENT) {
    size_t cnt = (size_t)icalcomponent_count_components(root, ICAL_VCALENDAR_COMPONENT);
    cals = malloc((cnt ? cnt : 1) * sizeof *cals);
    for (icalcomponent *c = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
         cals && c && n_cals < cnt;
         c = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT))
      cals[n_cals++] = c;
  } else {
    icalcomponent_free(root);
    return fail(err, errlen,
                "De agenda kan niet worden gelezen: er staat geen VCALENDAR in het bestand.");
  }
  if (!cals) {
    icalcomponent_free(root);
    return SK_ENOMEM;
  }
  if (n_cals == 0) {
    free(cals);
    icalcomponent_free(root);
    return fail(err, errlen,
                "De agenda kan niet worden gelezen: er staat geen VCALENDAR in het bestand.");
  }

  struct ixc_doc d;
  memset(&d, 0, sizeof d);
  d.b = out;
  d.o = o;
  d.max_occ = o->max_occurrences ? o->max_occurrences : IX_ICAL_DEFAULT_MAX_OCCURRENCES;
  if (d.max_occ > 10000)
    d.max_occ = 10000;
  d.utc = icaltimezone_get_utc_timezone();
  d.ams = icaltimezone_get_builtin_timezone("Europe/Amsterdam");
  d.iterations_left = IX_ICAL_DOC_ITERATIONS;
  int rc = SK_OK;
  if (!d.ams || !d.utc) {
    free(cals);
    icalcomponent_free(root);
    return fail(err, errlen, "De tijdzone Europe/Amsterdam ontbreekt op de server (tzdata).");
  }

  if (wrapped)
    ixc_warn(&d, "De regel BEGIN:VCALENDAR ontbreekt; de activiteiten zijn toch gelezen.");
  int n_errors = icalcomponent_count_errors(root);
  if (n_errors > 0) {
    ixc_warn(&d, "%d regel(s) in de agenda konden niet worden gelezen en zijn overgeslagen.",
             n_errors);
    int shown = 0;
    collect_errors(&d, root, 0, &shown);
  }

  size_t total = 0;
  for (size_t i = 0; i < n_cals; i++)
    total += (size_t)icalcomponent_count_components(cals[i], ICAL_VEVENT_COMPONENT);
  if (total > MAX_EVENTS) {
    ixc_warn(&d, "De agenda heeft %zu activiteiten; alleen de eerste %d zijn gelezen.", total,
             MAX_EVENTS);
    total = MAX_EVENTS;
  }
  struct ev *evs = calloc(total ? total : 1, sizeof *evs);
  struct keyset ks = {0};
  ks.cap = 64;
  while (ks.cap < total * 2)
    ks.cap *= 2;
  ks.slot = calloc(ks.cap, sizeof *ks.slot);
  struct matcher m = {0};
  if (!evs || !ks.slot) {
    rc = SK_ENOMEM;
    goto done;
  }
  size_t n_ev = 0;
  for (size_t i = 0; i < n_cals && n_ev < total; i++) {
    icaltimezone *deflt = ixc_calendar_zone(&d, cals[i]);
    for (icalcomponent *c = icalcomponent_get_first_component(cals[i], ICAL_VEVENT_COMPONENT);
         c && n_ev < total; c = icalcomponent_get_next_component(cals[i], ICAL_VEVENT_COMPONENT)) {
      const char *uid = icalcomponent_get_uid(c);
      while (uid && (*uid == ' ' || *uid == '\t'))
        uid++;
      evs[n_ev] = (struct ev){
          c,     cals[i],
          deflt, uid && *uid ? uid : NULL,
          n_ev,  icalcomponent_get_first_property(c, ICAL_RECURRENCEID_PROPERTY) != NULL};
      n_ev++;
    }
  }
  if (n_ev == 0)
    ixc_warn(&d, "De agenda bevat geen activiteiten (VEVENT).");
  qsort(evs, n_ev, sizeof *evs, ev_cmp);
  for (size_t i = 0; i < n_ev && !rc;) {
    size_t j = i + 1;
    if (evs[i].uid)
      while (j < n_ev && evs[j].uid && strcmp(evs[j].uid, evs[i].uid) == 0)
        j++;
    rc = build_series(&d, &m, &ks, evs + i, j - i);
    i = j;
  }
  if (!rc && d.warnings_dropped &&
      ix_batch_warn(out, "En nog %zu meldingen over deze agenda.", d.warnings_dropped))
    rc = SK_ENOMEM;
  if (!rc && d.oom)
    rc = SK_ENOMEM;
done:
  matcher_free(&m);
  free(ks.slot);
  free(evs);
  free(cals);
  icalcomponent_free(root);
  return rc;
}

int ix_ical_parse(const char *data, size_t len, const struct ix_ical_opts *o, struct ix_batch *out,
                  char *err, size_t errlen) {
  if (err && errlen)
    err[0] = '\0';
  if ((!data && len) || !out)
    return SK_EINVAL;
  struct ix_ical_opts def;
  if (!o) {
    ix_ical_opts_default(&def, (int64_t)time(NULL));
    o = &def;
  }
  /* Years 1900..2200 keep every time computation far from overflow. */
  if (o->window_end <= o->window_start || o->window_end - o->window_start > MAX_WINDOW ||
      o->window_start < -2208988800LL || o->window_end > 7258118400LL) {
    if (err && errlen)
      snprintf(err, errlen, "Ongeldige periode voor de agenda.");
    return SK_EINVAL;
  }
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
    data += 3;
    len -= 3;
  }
  if (len >= 2 && ((unsigned char)data[0] == 0xFF || (unsigned char)data[0] == 0xFE) &&
      ((unsigned char)data[1] == 0xFF || (unsigned char)data[1] == 0xFE))
    return fail(err, errlen,
                "De agenda is opgeslagen als UTF-16; sla het iCal-bestand op als UTF-8.");
  if (len == 0)
    return fail(err, errlen, "De agenda is leeg.");
  if (memchr(data, '\0', len))
    return fail(err, errlen, "De agenda bevat een nul-byte; dit is geen gewoon iCal-tekstbestand.");
  /* Bare VEVENTs without their VCALENDAR (exports of single events) are
   * read anyway, with a warning. */
  int wrapped = 0;
  if (!has_line(data, len, "BEGIN:VCALENDAR")) {
    if (!has_line(data, len, "BEGIN:VEVENT"))
      return fail(err, errlen, "Dit is geen iCal-agenda: de regel BEGIN:VCALENDAR ontbreekt.");
    wrapped = 1;
  }
  static const char head[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", tail[] = "\r\nEND:VCALENDAR\r\n";
  size_t extra = wrapped ? sizeof head + sizeof tail : 0;
  char *text = malloc(len + extra + 1);
  if (!text)
    return SK_ENOMEM;
  size_t off = 0;
  if (wrapped) {
    memcpy(text, head, sizeof head - 1);
    off = sizeof head - 1;
  }
  memcpy(text + off, data, len);
  off += len;
  if (wrapped) {
    memcpy(text + off, tail, sizeof tail - 1);
    off += sizeof tail - 1;
  }
  text[off] = '\0';

  pthread_mutex_lock(&ical_mutex);
  if (!ical_initialised) {
    icalerror_set_errors_are_fatal(0);
    ical_initialised = 1;
  }
  int rc = parse_locked(text, wrapped, o, out, err, errlen);
  icalmemory_free_ring(); /* per thread: do not leave it to thread exit */
  pthread_mutex_unlock(&ical_mutex);
  free(text);
  return rc;
}
