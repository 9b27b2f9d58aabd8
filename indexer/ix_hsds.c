#include "ix_hsds.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ix_area.h"
#include "ix_hsds_csv.h"
#include "sk_buf.h"
#include "sk_check.h"
#include "sk_err.h"
#include "sk_fold.h"
#include "sk_id.h"

/*
 * Design notes:
 *  - Every object we read has a list of the keys we use. Any other non-empty
 *    key is reported, so nothing is dropped silently (docs/hsds.md lists the
 *    mapping). Reports are collected per (path, reason) with a count and a
 *    few example service ids, so a feed of 2000 services gives a readable
 *    report instead of 20000 lines.
 *  - A wrong type in a field we need to identify or scope a service (id,
 *    name, status, ages) rejects the service; a wrong type elsewhere drops
 *    that field with a report.
 *  - All strings from jansson are valid UTF-8 without NUL (JSON_ALLOW_NUL is
 *    off), so we only clip them at code point boundaries for messages.
 */

#define NOTE_SLOTS 160
#define NOTE_PATH_MAX 96
#define NOTE_REASON_MAX 200
#define NOTE_EXAMPLES 3
#define NOTE_EXAMPLE_MAX 64
/* Our additions (alerts, languages, cost options, ...) stop before these
 * sizes in bytes, so they never push a partner's text over the validator's
 * caps in characters (ix_validate.h: SK_FIELD_MAX_TEXT 5000 for descriptions,
 * SK_FIELD_MAX_SHORT 500 for fees, notes and accessibility). A partner's own text
 * is passed on unchanged: if it is too long, the validator says so. */
#define TEXT_BUDGET 4900
#define SHORT_BUDGET 500
#define EXTRA_TEXT_MAX TEXT_BUDGET
#define AGE_MAX 120
/* Per-service list caps. Each add checks for duplicates in its list, so
 * without a cap one hostile service with millions of phones would cost
 * quadratic time. The caps are far above any real service. */
#define MAX_PHONES 20
#define MAX_HOURS 100
#define MAX_AREAS 64
#define MAX_CODES 64 /* the validator's SK_FIELD_MAX_CODES */
#define MAX_LOCATIONS 500

enum { HOURS_NONE, HOURS_SERVICE, HOURS_LOCATION };

struct keyset {
  const char **keys; /* not owned: arena strings or jansson strings */
  size_t *idx;
  size_t cap, n; /* cap is 0 or a power of two */
};

struct note {
  char path[NOTE_PATH_MAX];
  char reason[NOTE_REASON_MAX];
  char examples[NOTE_EXAMPLES][NOTE_EXAMPLE_MAX];
  size_t n_examples;
  size_t count;
};

struct ctx {
  struct ix_batch *b;
  const struct sk_taxonomy *tax;
  struct keyset orgs, locs, svcs, skipped;
  struct note *notes; /* NOTE_SLOTS, owned */
  size_t n_notes, notes_lost;
  const char *cur; /* id of the service being read (examples in reports) */
  size_t n_items, n_recognized;
  const char *first_other;         /* what the first unrecognised item looked like */
  int first_other_kind;            /* enum other_kind of first_other */
  size_t orgs_before, locs_before; /* records of earlier pages */
  int64_t now;                     /* unix seconds: the window for schedules that are not weekly */
};

#define TRY(x)                                                                                     \
  do {                                                                                             \
    int rc_ = (x);                                                                                 \
    if (rc_)                                                                                       \
      return rc_;                                                                                  \
  } while (0)

static int oom(const struct ctx *c) { return c->b->arena.max ? SK_ETOOBIG : SK_ENOMEM; }

/* Length of s clipped to at most max bytes without cutting a UTF-8 sequence. */
static int clip(const char *s, size_t max) {
  if (!s)
    return 0;
  size_t n = strnlen(s, max + 1);
  if (n <= max)
    return (int)n;
  n = max;
  while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
    n--;
  return (int)n;
}

/* ---------------------------------------------------------------- keysets */

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ULL;
  }
  return h;
}

static size_t ks_find(const struct keyset *ks, const char *key) {
  if (!ks->cap || !key)
    return SIZE_MAX;
  size_t mask = ks->cap - 1;
  for (size_t i = hash_str(key) & mask;; i = (i + 1) & mask) {
    if (!ks->keys[i])
      return SIZE_MAX;
    if (strcmp(ks->keys[i], key) == 0)
      return ks->idx[i];
  }
}

static int ks_add(struct keyset *ks, const char *key, size_t idx) {
  if (!key)
    return SK_OK;
  if ((ks->n + 1) * 2 > ks->cap) {
    size_t ncap = ks->cap ? ks->cap * 2 : 64;
    const char **nk = calloc(ncap, sizeof *nk);
    size_t *ni = calloc(ncap, sizeof *ni);
    if (!nk || !ni) {
      free(nk);
      free(ni);
      return SK_ENOMEM;
    }
    for (size_t i = 0; i < ks->cap; i++) {
      if (!ks->keys[i])
        continue;
      size_t j = hash_str(ks->keys[i]) & (ncap - 1);
      while (nk[j])
        j = (j + 1) & (ncap - 1);
      nk[j] = ks->keys[i];
      ni[j] = ks->idx[i];
    }
    free(ks->keys);
    free(ks->idx);
    ks->keys = nk;
    ks->idx = ni;
    ks->cap = ncap;
  }
  size_t mask = ks->cap - 1;
  size_t i = hash_str(key) & mask;
  while (ks->keys[i]) {
    if (strcmp(ks->keys[i], key) == 0)
      return SK_OK;
    i = (i + 1) & mask;
  }
  ks->keys[i] = key;
  ks->idx[i] = idx;
  ks->n++;
  return SK_OK;
}

static void ks_free(struct keyset *ks) {
  free(ks->keys);
  free(ks->idx);
  memset(ks, 0, sizeof *ks);
}

/* ------------------------------------------------------------------ notes */

/* Report dropped or doubtful data at prefix.key (key may be NULL). Never
 * fails: past NOTE_SLOTS distinct notes we only count. */
static void note(struct ctx *c, const char *prefix, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void note(struct ctx *c, const char *prefix, const char *key, const char *fmt, ...) {
  char path[NOTE_PATH_MAX], reason[NOTE_REASON_MAX];
  if (key)
    snprintf(path, sizeof path, "%s.%.*s", prefix, clip(key, 48), key);
  else
    snprintf(path, sizeof path, "%s", prefix);
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  if (n >= (int)sizeof reason) /* keep the clipped reason valid UTF-8 */
    reason[clip(reason, sizeof reason - 1)] = '\0';
  struct note *e = NULL;
  for (size_t i = 0; i < c->n_notes; i++)
    if (strcmp(c->notes[i].path, path) == 0 && strcmp(c->notes[i].reason, reason) == 0) {
      e = &c->notes[i];
      break;
    }
  if (!e) {
    if (c->n_notes == NOTE_SLOTS) {
      c->notes_lost++;
      return;
    }
    e = &c->notes[c->n_notes++];
    memset(e, 0, sizeof *e);
    memcpy(e->path, path, sizeof path);
    memcpy(e->reason, reason, sizeof reason);
  }
  e->count++;
  if (c->cur && e->n_examples < NOTE_EXAMPLES) {
    char ex[NOTE_EXAMPLE_MAX];
    snprintf(ex, sizeof ex, "'%.*s'", clip(c->cur, NOTE_EXAMPLE_MAX - 3), c->cur);
    for (size_t i = 0; i < e->n_examples; i++)
      if (strcmp(e->examples[i], ex) == 0)
        return;
    memcpy(e->examples[e->n_examples++], ex, sizeof ex);
  }
}

static int emit_notes(struct ctx *c) {
  for (size_t i = 0; i < c->n_notes; i++) {
    const struct note *e = &c->notes[i];
    char ex[NOTE_EXAMPLES * (NOTE_EXAMPLE_MAX + 2)] = "";
    size_t off = 0;
    for (size_t k = 0; k < e->n_examples; k++) {
      int w = snprintf(ex + off, sizeof ex - off, "%s%s", k ? ", " : "", e->examples[k]);
      if (w < 0 || (size_t)w >= sizeof ex - off)
        break;
      off += (size_t)w;
    }
    int rc = e->n_examples
                 ? ix_batch_warn(c->b, "HSDS %s: %s (%zu keer; bijvoorbeeld bij dienst %s).",
                                 e->path, e->reason, e->count, ex)
                 : ix_batch_warn(c->b, "HSDS %s: %s (%zu keer).", e->path, e->reason, e->count);
    if (rc)
      return oom(c);
  }
  if (c->notes_lost &&
      ix_batch_warn(c->b, "HSDS: nog %zu andere meldingen zijn niet apart getoond.", c->notes_lost))
    return oom(c);
  return SK_OK;
}

/* ------------------------------------------------------- field accessors */

static int empty_value(json_t *v) {
  return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
         (json_is_array(v) && json_array_size(v) == 0) ||
         (json_is_object(v) && json_object_size(v) == 0);
}

/* obj[key] as text: NULL when absent, null or ""; another type is reported. */
static const char *str_field(struct ctx *c, json_t *obj, const char *prefix, const char *key) {
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v))
    return NULL;
  if (!json_is_string(v)) {
    note(c, prefix, key, "dit moet tekst zijn; het veld is overgeslagen");
    return NULL;
  }
  const char *s = json_string_value(v);
  return *s ? s : NULL;
}

/* An identifier of obj (id, organization_id, location_id, ...) as text,
 * like str_field. A UUID in any case or form (RFC 9562: case-insensitive;
 * {braces}, urn:uuid:) is given in its canonical lower-case form, so the
 * publisher's UUID can be our id and links between records resolve
 * whatever case each side writes. Other ids are kept exactly (they may be
 * case-sensitive). *oomp is set on allocation failure. */
static const char *id_field(struct ctx *c, json_t *obj, const char *prefix, const char *key,
                            int *oomp) {
  json_t *j = json_object_get(obj, key);
  if (json_is_integer(j)) { /* 42: older APIs (Ohana) number their records */
    const char *t = ix_printf(c->b, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
    if (!t)
      *oomp = 1;
    return t;
  }
  const char *v = str_field(c, obj, prefix, key);
  char u[SK_UUID_LEN];
  if (!v || sk_uuid_valid(v) || !sk_uuid_canon(v, u))
    return v;
  const char *copy = ix_strdup(c->b, u);
  if (!copy)
    *oomp = 1;
  return copy;
}

static json_t *arr_field(struct ctx *c, json_t *obj, const char *prefix, const char *key) {
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v))
    return NULL;
  if (json_is_object(v) && json_object_size(v)) {
    /* One object where HSDS has a list ("addresses": {...}): that one.
     * The list replaces it in the tree, which owns it. */
    json_t *a = json_array();
    if (a && json_array_append(a, v)) {
      json_decref(a);
      a = NULL;
    }
    if (!a || json_object_set_new(obj, key, a)) { /* set_new takes a even when it fails */
      note(c, prefix, key, "dit moet een lijst zijn; het veld is overgeslagen");
      return NULL;
    }
    note(c, prefix, key, "één object waar een lijst hoort; we lezen het als een lijst van één");
    return a;
  }
  if (!json_is_array(v)) {
    note(c, prefix, key, "dit moet een lijst zijn; het veld is overgeslagen");
    return NULL;
  }
  return json_array_size(v) ? v : NULL;
}

static json_t *obj_field(struct ctx *c, json_t *obj, const char *prefix, const char *key) {
  json_t *v = json_object_get(obj, key);
  if (!v || json_is_null(v))
    return NULL;
  if (!json_is_object(v)) {
    note(c, prefix, key, "dit moet een object zijn; het veld is overgeslagen");
    return NULL;
  }
  return v;
}

/* A whole number in [lo, hi]: 1 set, 0 absent, -1 wrong type or range. */
/* A JSON number, or text that is one ("18", " 52.29 ", "52,29": feeds made
 * from spreadsheets send numbers as text). 1 and *out; 0 when v is absent,
 * null or ""; -1 otherwise. */
static int num_value(json_t *v, double *out) {
  if (!v || json_is_null(v))
    return 0;
  if (json_is_number(v)) {
    *out = json_number_value(v);
    return 1;
  }
  if (!json_is_string(v))
    return -1;
  const char *s = json_string_value(v);
  while (*s == ' ')
    s++;
  if (!*s)
    return 0;
  char t[40];
  size_t n = strlen(s);
  while (n && s[n - 1] == ' ')
    n--;
  if (n >= sizeof t)
    return -1;
  memcpy(t, s, n);
  t[n] = '\0';
  if (!strchr(t, '.')) { /* a Dutch decimal comma */
    char *comma = strchr(t, ',');
    if (comma && !strchr(comma + 1, ','))
      *comma = '.';
  }
  if (strspn(t, "0123456789+-.eE") != n)
    return -1;
  char *end;
  double d = strtod(t, &end);
  if (end == t || *end || !isfinite(d))
    return -1;
  *out = d;
  return 1;
}

static int int_value(json_t *v, long lo, long hi, long *out) {
  double d;
  int r = num_value(v, &d);
  if (r <= 0)
    return r;
  if (!isfinite(d) || d != floor(d) || d < (double)lo || d > (double)hi)
    return -1;
  *out = (long)d;
  return 1;
}

static int in_list(const char *k, const char *const *list) {
  for (; *list; list++)
    if (strcmp(*list, k) == 0)
      return 1;
  return 0;
}

/* Why a known HSDS field has no home with us (default: no place for it). */
struct drop_reason {
  const char *prefix, *key, *reason;
};
static const struct drop_reason drop_reasons[] = {
    {"service", "metadata", "de wijzigingsgeschiedenis nemen we niet over"},
    {"service", "contacts", "contactpersonen nemen we niet over"},
    {"service", "funding", "de financiering tonen we niet"},
    {"service", "program", "programma's tonen we niet"},
    {"service", "licenses", "verouderd veld (HSDS 3.0); het is overgeslagen"},
    {"service", "additional_urls", "we tonen één website (url)"},
    {"service", "holiday_schedules",
     "afwijkende openingstijden (zoals op feestdagen) bewaren we nog niet"},
    {"location", "holiday_schedules",
     "afwijkende openingstijden (zoals op feestdagen) bewaren we nog niet"},
    {"service", "reviews", "beoordelingen nemen we niet over"},
    {"service", "fundings", "de financiering tonen we niet"},
    {"organization", "contacts", "contactpersonen nemen we niet over"},
    {"organization", "funding", "de financiering tonen we niet"},
    {"organization", "locations", "locaties lezen we via service_at_locations van een dienst"},
    {"organization", "services", "diensten in een organisatie binnen een dienst lezen we niet"},
    {"organization", "programs", "programma's tonen we niet"},
    {"organization", "metadata", "de wijzigingsgeschiedenis nemen we niet over"},
    {"location", "contacts", "contactpersonen nemen we niet over"},
    {"location", "metadata", "de wijzigingsgeschiedenis nemen we niet over"},
    {"location", "description", "een beschrijving per locatie hebben we niet"},
    {"location", "external_identifier", "een extern nummer (zoals een BAG-id) bewaren we nog niet"},
    {"address", "state_province", "we leiden de gemeente af uit de postcode"},
    {"address", "region", "we leiden de gemeente af uit de postcode"},
    {"service_at_location", "contacts", "contactpersonen nemen we niet over"},
    {"service_at_location", "description", "een tekst per locatie hebben we niet"},
    {"service_at_location", "metadata", "de wijzigingsgeschiedenis nemen we niet over"},
    {"service_area", "uri", "we gebruiken alleen de naam van het werkgebied"},
    {"phone", "languages", "talen per telefoonnummer bewaren we niet"},
    {NULL, NULL, NULL}};

static const char *drop_reason(const char *prefix, const char *key) {
  for (const struct drop_reason *d = drop_reasons; d->prefix; d++)
    if (strcmp(d->prefix, prefix) == 0 && strcmp(d->key, key) == 0)
      return d->reason;
  if (strcmp(key, "attributes") == 0)
    return "alleen attributen van een dienst met onze taxonomieën lezen we";
  return "daar hebben we geen plek voor";
}

/* Report every non-empty key of obj that is not in read. */
static void report_unread(struct ctx *c, json_t *obj, const char *prefix, const char *const *read) {
  const char *k;
  json_t *v;
  json_object_foreach(obj, k, v) {
    if (in_list(k, read) || empty_value(v))
      continue;
    note(c, prefix, k, "%s", drop_reason(prefix, k));
  }
}

/* ---------------------------------------------------------- small helpers */

static int strv_has(const struct ix_strv *sv, const char *s) {
  for (size_t i = 0; i < sv->n; i++)
    if (strcmp(sv->v[i], s) == 0)
      return 1;
  return 0;
}

static int strv_add_unique(struct ctx *c, struct ix_strv *sv, const char *s) {
  if (strv_has(sv, s))
    return SK_OK;
  if (sv->n >= MAX_CODES) {
    note(c, "attribute", NULL, "meer dan %d codes in één lijst; de rest is overgeslagen",
         MAX_CODES);
    return SK_OK;
  }
  return ix_strv_push(c->b, sv, s) ? oom(c) : SK_OK;
}

/* Append "label: text" as a line to buf unless that passes EXTRA_TEXT_MAX;
 * then the text is reported as dropped. */
static int add_line(struct ctx *c, struct sk_buf *buf, const char *label, const char *text,
                    const char *prefix, const char *key) {
  if (!text || !*text)
    return SK_OK;
  size_t need = (buf->len ? 1 : 0) + (label ? strlen(label) + 2 : 0) + strlen(text);
  if (buf->len + need > buf->max) {
    note(c, prefix, key, "de beschrijving wordt te lang; deze tekst is overgeslagen");
    return SK_OK;
  }
  if ((buf->len && sk_buf_addc(buf, '\n')) || (label && sk_buf_printf(buf, "%s: ", label)) ||
      sk_buf_addstr(buf, text))
    return SK_ENOMEM;
  return SK_OK;
}

static const char *trim_copy(char *dst, size_t cap, const char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  if (n >= cap)
    return NULL;
  memcpy(dst, s, n);
  dst[n] = '\0';
  return dst;
}

/* A taxonomy term of vocabulary v matching code or label (case-insensitive). */
static const struct sk_term *find_term(const struct sk_taxonomy *tax, enum sk_vocab v,
                                       const char *s) {
  if (!tax || !s)
    return NULL;
  const struct sk_term *t = sk_taxonomy_find(tax, v, s);
  if (t)
    return t;
  for (size_t i = 0; i < tax->n_terms; i++) {
    const struct sk_term *u = &tax->terms[i];
    if (u->vocab == v && (strcasecmp(u->code, s) == 0 || strcasecmp(u->label, s) == 0))
      return u;
  }
  return NULL;
}

static int looks_like_code(const char *s) {
  if (!(*s >= 'a' && *s <= 'z'))
    return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
      return 0;
  return 1;
}

/* A text longer than max characters, cut at the last word before
 * max - 1 characters with "…" (valid HSDS has no length limits; ours is
 * the validator's, which would reject the record). 0 kept or cut, -1 OOM. */
static int fit_text(struct ctx *c, const char **t, size_t max, const char *prefix,
                    const char *key) {
  if (!*t || strlen(*t) <= max || sk_utf8_chars(*t) <= max)
    return 0;
  const char *p = *t;
  size_t n = strlen(p), i = 0, chars = 0, last_space = 0;
  while (i < n && chars < max - 1) {
    uint32_t cp;
    size_t k = sk_utf8_decode(p + i, n - i, &cp);
    if (!k)
      break;
    if (cp == ' ' || cp == '\n')
      last_space = i;
    i += k;
    chars++;
  }
  size_t cut = last_space > i / 2 ? last_space : i;
  const char *fixed = ix_printf(c->b, "%.*s…", (int)cut, p);
  if (!fixed)
    return -1;
  *t = fixed;
  note(c, prefix, key, "langer dan %zu tekens; we hebben het ingekort", max);
  return 0;
}

/* The texts of a service within the validator's caps. */
static int fit_service(struct ctx *c, struct ix_service *s) {
  if (fit_text(c, &s->description, SK_FIELD_MAX_TEXT, "service", "description") ||
      fit_text(c, &s->application_process, SK_FIELD_MAX_TEXT, "service", "application_process") ||
      fit_text(c, &s->eligibility, SK_FIELD_MAX_TEXT, "service", "eligibility_description") ||
      fit_text(c, &s->fees, SK_FIELD_MAX_TEXT, "service", "fees_description") ||
      fit_text(c, &s->keywords, SK_FIELD_MAX_TEXT, "service", "alternate_name"))
    return oom(c);
  return SK_OK;
}

/* ------------------------------------------- older names (HSDS 1.x, 2.0) */

/* obj[old] renamed to new when new is absent: 1 renamed, 0 not, -1 OOM.
 * An old name beside the new one with the same value (the UK profile
 * writes service_area beside name) is dropped: nothing is lost. */
static int rename_key(json_t *obj, const char *old, const char *new) {
  json_t *v = json_object_get(obj, old), *has = json_object_get(obj, new);
  if (v && has && json_equal(v, has)) {
    json_object_del(obj, old);
    return 0;
  }
  if (!v || has)
    return 0;
  json_incref(v);
  json_object_del(obj, old);
  return json_object_set_new(obj, new, v) ? -1 : 1;
}

/* In every object of obj[list]: old renamed to new. */
static int rename_in(json_t *obj, const char *list, const char *old, const char *new, size_t *n) {
  json_t *arr = json_object_get(obj, list), *e;
  size_t i;
  json_array_foreach(arr, i, e) {
    int r = json_is_object(e) ? rename_key(e, old, new) : 0;
    if (r < 0)
      return SK_ENOMEM;
    *n += (size_t)r;
  }
  return SK_OK;
}

/* The objects of src[key] appended to dst (created when absent), each
 * with field set to value when it has none. */
static int move_into(json_t *obj, const char *key, const char *dst, const char *field,
                     const char *value, size_t *n) {
  json_t *src = json_object_get(obj, key);
  if (!json_is_array(src))
    return SK_OK;
  json_t *to = json_object_get(obj, dst);
  if (!to) {
    if (!(to = json_array()) || json_object_set_new(obj, dst, to))
      return SK_ENOMEM;
  } else if (!json_is_array(to)) {
    return SK_OK;
  }
  size_t i;
  json_t *e;
  json_array_foreach(src, i, e) {
    if (json_is_object(e) && field && !json_object_get(e, field) &&
        json_object_set_new(e, field, json_string(value)))
      return SK_ENOMEM;
    if (json_array_append(to, e))
      return SK_ENOMEM;
  }
  json_object_del(obj, key);
  (*n)++;
  return SK_OK;
}

#define UP(x)                                                                                      \
  do {                                                                                             \
    int r_ = (x);                                                                                  \
    if (r_ < 0)                                                                                    \
      return SK_ENOMEM;                                                                            \
    *n += (size_t)r_;                                                                              \
  } while (0)

/* A location of HSDS 1.x/2.0 or the ORUK API 1.0 (physical_addresses,
 * postal_addresses, accessibility_for_disabilities, regular_schedules)
 * in the names of HSDS 3. */
static int upgrade_location(json_t *l, size_t *n) {
  if (!json_is_object(l))
    return SK_OK;
  TRY(move_into(l, "physical_addresses", "addresses", "address_type", "physical", n));
  TRY(move_into(l, "postal_addresses", "addresses", "address_type", "postal", n));
  TRY(rename_in(l, "accessibility_for_disabilities", "accessibility", "description", n));
  UP(rename_key(l, "accessibility_for_disabilities", "accessibility"));
  TRY(rename_in(l, "accessibility", "accessibility", "description", n));
  UP(rename_key(l, "regular_schedules", "schedules"));
  TRY(rename_in(l, "languages", "language", "name", n));
  return SK_OK;
}

static int upgrade_sal(json_t *sl, size_t *n) {
  if (!json_is_object(sl))
    return SK_OK;
  UP(rename_key(sl, "regular_schedules", "schedules"));
  return upgrade_location(json_object_get(sl, "location"), n);
}

/* A service of HSDS 1.x/2.0 or the ORUK API 1.0 in the names of HSDS 3:
 * regular_schedules, eligibilitys (ages and text), service_taxonomys (the
 * terms as attributes), languages[].language, service_areas[].service_area,
 * organization.url, and its locations'. *n counts the changes. */
static int upgrade_service(json_t *o, size_t *n) {
  UP(rename_key(o, "regular_schedules", "schedules"));
  TRY(rename_in(o, "languages", "language", "name", n));
  TRY(rename_in(o, "service_areas", "service_area", "name", n));
  json_t *org = json_object_get(o, "organization");
  if (json_is_object(org))
    UP(rename_key(org, "url", "website"));
  /* ORUK: [{"eligibility": "adult", "minimum_age": 18, "maximum_age": 65}] */
  json_t *el = json_object_get(o, "eligibilitys"), *e;
  size_t i;
  if (json_is_array(el) && json_array_size(el)) {
    json_t *lo = NULL, *hi = NULL;
    char text[512] = "";
    size_t off = 0;
    json_array_foreach(el, i, e) {
      if (!json_is_object(e))
        continue;
      json_t *a = json_object_get(e, "minimum_age"), *b = json_object_get(e, "maximum_age");
      if (json_is_number(a) && (!lo || json_number_value(a) < json_number_value(lo)))
        lo = a;
      if (json_is_number(b) && (!hi || json_number_value(b) > json_number_value(hi)))
        hi = b;
      const char *t = json_string_value(json_object_get(e, "eligibility"));
      if (t && *t && off + strlen(t) + 3 < sizeof text)
        off += (size_t)snprintf(text + off, sizeof text - off, "%s%s", off ? ", " : "", t);
    }
    if (lo && !json_object_get(o, "minimum_age") && json_object_set(o, "minimum_age", lo))
      return SK_ENOMEM;
    if (hi && !json_object_get(o, "maximum_age") && json_object_set(o, "maximum_age", hi))
      return SK_ENOMEM;
    if (off && !json_object_get(o, "eligibility_description") &&
        json_object_set_new(o, "eligibility_description", json_string(text)))
      return SK_ENOMEM;
    json_object_del(o, "eligibilitys");
    (*n)++;
  }
  /* ORUK: [{"taxonomy": {"id", "name", "vocabulary"}}]: HSDS 3 attributes. */
  json_t *st = json_object_get(o, "service_taxonomys");
  if (json_is_array(st)) {
    json_t *attrs = json_object_get(o, "attributes");
    if (!attrs) {
      if (!(attrs = json_array()) || json_object_set_new(o, "attributes", attrs))
        return SK_ENOMEM;
    }
    json_array_foreach(st, i, e) {
      json_t *t = json_object_get(e, "taxonomy");
      if (!json_is_object(t) || !json_is_array(attrs))
        continue;
      json_t *term = json_copy(t);
      if (!term)
        return SK_ENOMEM;
      json_t *voc = json_object_get(term, "vocabulary");
      if (json_is_string(voc) && !json_object_get(term, "taxonomy"))
        json_object_set(term, "taxonomy", voc);
      json_object_del(term, "vocabulary");
      json_object_del(term, "parent");
      if (json_array_append_new(attrs, json_pack("{s:o}", "taxonomy_term", term)))
        return SK_ENOMEM;
    }
    json_object_del(o, "service_taxonomys");
    (*n)++;
  }
  json_t *sals = json_object_get(o, "service_at_locations"), *sl;
  json_array_foreach(sals, i, sl) TRY(upgrade_sal(sl, n));
  return SK_OK;
}
#undef UP

/* ----------------------------------------------------------------- phones */

static const char *const phone_read[] = {
    "id",          "number",     "extension",       "type",       "description",
    "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id",
    NULL};

/* Read one HSDS phone into number/description (arena). 0: usable. */
/* A phone number as publishers write it, made checkable: blanks and
 * quotes around it ("\"+44 1234 234567\"", as in the specification's own
 * examples), a "tel:" prefix and dots between the groups (650.555.1234)
 * are taken off or made spaces, with a warning. NULL on OOM. */
static const char *clean_number(struct ctx *c, const char *num) {
  size_t n = strlen(num);
  const char *p = num;
  while (n && (*p == ' ' || *p == '"' || *p == '\'' || *p == '\t')) {
    p++;
    n--;
  }
  while (n && (p[n - 1] == ' ' || p[n - 1] == '"' || p[n - 1] == '\'' || p[n - 1] == '\t'))
    n--;
  if (n > 4 && strncasecmp(p, "tel:", 4) == 0) {
    p += 4;
    n -= 4;
  }
  char *out = (char *)ix_printf(c->b, "%.*s", (int)n, p); /* our own arena copy */
  if (!out)
    return NULL;
  for (char *q = out; *q; q++)
    if (*q == '.')
      *q = ' ';
  if (strcmp(out, num) != 0)
    note(c, "phone", "number", "aanhalingstekens, 'tel:' of punten weggehaald");
  return out;
}

static int read_phone(struct ctx *c, json_t *p, const char **number, const char **extension,
                      const char **desc) {
  *number = *extension = *desc = NULL;
  if (!json_is_object(p)) {
    note(c, "phone", NULL, "een telefoonnummer moet een object zijn; het is overgeslagen");
    return -1;
  }
  const char *num = str_field(c, p, "phone", "number");
  if (!num) {
    note(c, "phone", "number", "een telefoonnummer zonder nummer is overgeslagen");
    return -1;
  }
  report_unread(c, p, "phone", phone_read);
  /* The extension stays its own field: "035 123 4567 toestel 12" is not a
   * number anyone can check or dial. */
  json_t *ext = json_object_get(p, "extension");
  long ext_n;
  int ext_ok = int_value(ext, 0, 999999999L, &ext_n);
  if (ext_ok == 1)
    *extension = ix_printf(c->b, "%ld", ext_n);
  else if (json_is_string(ext) && json_string_length(ext) && json_string_length(ext) <= 20)
    *extension = ix_strdup(c->b, json_string_value(ext));
  else if (json_is_string(ext) && json_string_length(ext))
    note(c, "phone", "extension", "langer dan 20 tekens; het veld is overgeslagen");
  else if (ext_ok == -1 && !json_is_string(ext))
    note(c, "phone", "extension",
         "dit moet een heel getal of tekst zijn; het veld is overgeslagen");
  if ((ext_ok == 1 ||
       (json_is_string(ext) && json_string_length(ext) && json_string_length(ext) <= 20)) &&
      !*extension)
    return -2;
  *number = clean_number(c, num);
  if (!*number)
    return -2;
  const char *d = str_field(c, p, "phone", "description");
  const char *type = str_field(c, p, "phone", "type");
  /* Voice is what people expect; other kinds (fax, text, textphone) must be
   * visible, or people call a fax. */
  int plain = !type || strcasecmp(type, "voice") == 0 || strcasecmp(type, "cell") == 0;
  if (d && !plain)
    *desc = ix_printf(c->b, "%s (%s)", d, type);
  else if (!plain)
    *desc = ix_strdup(c->b, type);
  else if (d)
    *desc = ix_strdup(c->b, d);
  if ((d || !plain) && !*desc)
    return -2;
  if (fit_text(c, desc, SK_FIELD_MAX_SHORT, "phone", "description"))
    return -2;
  return 0;
}

static int add_service_phones(struct ctx *c, struct ix_service *s, json_t *arr) {
  size_t i;
  json_t *p;
  json_array_foreach(arr, i, p) {
    const char *num, *ext, *desc;
    int r = read_phone(c, p, &num, &ext, &desc);
    if (r == -2)
      return oom(c);
    if (r)
      continue;
    int dup = 0;
    for (size_t k = 0; k < s->phones.n; k++)
      if (strcmp(s->phones.v[k].number, num) == 0 &&
          strcmp(s->phones.v[k].extension ? s->phones.v[k].extension : "", ext ? ext : "") == 0)
        dup = 1;
    if (dup)
      continue;
    if (s->phones.n >= MAX_PHONES) {
      note(c, "phone", NULL, "meer dan %d telefoonnummers per dienst; de rest is overgeslagen",
           MAX_PHONES);
      return SK_OK;
    }
    struct ix_phone *ph = IX_PUSH(c->b, s->phones);
    if (!ph)
      return oom(c);
    ph->number = num;
    ph->extension = ext;
    ph->description = desc;
  }
  return SK_OK;
}

/* -------------------------------------------------------------- schedules */

static const char *const schedule_read[] = {
    "id",         "service_id", "location_id", "service_at_location_id",
    "freq",       "interval",   "byday",       "bymonthday",
    "opens_at",   "closes_at",  "description", "notes",
    "valid_from", "valid_to",   "dtstart",     "until",
    "count",      "wkst",       "weekday",     NULL};

/* Expansion window for rules that are not plain weekly ones (every other
 * week, monthly, a count): one dated row per opening, from the first day
 * of the current month for this many days. The feed is read again every
 * day (ix_run), so the window moves on. */
#define SCHEDULE_WINDOW_DAYS 183

/* ------------------------------------------------------------ dates */

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int weekday_of(int64_t days) { return (int)(((days % 7) + 7 + 3) % 7) + 1; } /* 1 = Monday */

static int days_in_month(int y, int m) {
  static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : n[m - 1];
}

/* "YYYY-MM-DD" (a time after it is ignored), or the Dutch "D-M-YYYY" /
 * "DD-MM-YYYY" (with '-' the day comes first; the tabular reader turns
 * spreadsheet dates into ISO the same way) -> days; -1 when not a date. */
static int64_t parse_day(const char *s) {
  int y, m, d, n = 0;
  if (!s)
    return -1;
  if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10) {
    n = 0;
    if (sscanf(s, "%2d-%2d-%4d%n", &d, &m, &y, &n) != 3 || n < 8 || s[n - 5] != '-' ||
        (s[n] && s[n] != ' ' && s[n] != 'T'))
      return -1;
  }
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
    return -1;
  return days_from_civil(y, m, d);
}

static void day_text(int64_t days, char out[11]) {
  int y, m, d;
  civil_from_days(days, &y, &m, &d);
  snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

/* ------------------------------------------------------------ times */

/* "HH:MM[:SS]" with an optional zone ("Z", "+01:00"); "24:00" only when
 * allow24 (a closing time). 0 on success. */
static int parse_time(const char *s, char out[6], int *zone, int *secs, int allow24) {
  int h = 0, m = 0, i = 0;
  *zone = *secs = 0;
  if (!(s[i] >= '0' && s[i] <= '9'))
    return -1;
  h = s[i++] - '0';
  if (s[i] >= '0' && s[i] <= '9')
    h = h * 10 + (s[i++] - '0');
  int have_min = 0;
  if ((s[i] == ':' || s[i] == '.') && s[i + 1] >= '0' && s[i + 1] <= '9' && s[i + 2] >= '0' &&
      s[i + 2] <= '9') { /* 09:00, and 9.00 as Dutch write it */
    m = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
    i += 3;
    have_min = 1;
  } else if (i == 2 && s[i] >= '0' && s[i] <= '9' && s[i + 1] >= '0' && s[i + 1] <= '9' &&
             !(s[i + 2] >= '0' && s[i + 2] <= '9')) { /* 0900 */
    m = (s[i] - '0') * 10 + (s[i + 1] - '0');
    i += 2;
    have_min = 1;
  }
  if (have_min && s[i] == ':') {
    if (!(s[i + 1] >= '0' && s[i + 1] <= '9') || !(s[i + 2] >= '0' && s[i + 2] <= '9'))
      return -1;
    *secs = (s[i + 1] != '0' || s[i + 2] != '0');
    i += 3;
  }
  /* 4:00 PM, 3pm, 9 a.m. (Ohana API's sample, many US and UK feeds) */
  int j = i;
  while (s[j] == ' ')
    j++;
  int ampm = 0;
  if ((s[j] == 'a' || s[j] == 'A' || s[j] == 'p' || s[j] == 'P')) {
    int pm = s[j] == 'p' || s[j] == 'P';
    int k = j + 1;
    if (s[k] == '.')
      k++;
    if (s[k] == 'm' || s[k] == 'M') {
      k++;
      if (s[k] == '.')
        k++;
      if (h < 1 || h > 12)
        return -1;
      h = pm ? (h == 12 ? 12 : h + 12) : (h == 12 ? 0 : h);
      i = k;
      ampm = 1;
    }
  }
  /* Dutch: "9 uur", "9u", "9.30 u", "9h30" */
  if (!ampm) {
    j = i;
    while (s[j] == ' ')
      j++;
    if (!have_min && (s[j] == 'h' || s[j] == 'H') && s[j + 1] >= '0' && s[j + 1] <= '9' &&
        s[j + 2] >= '0' && s[j + 2] <= '9') {
      m = (s[j + 1] - '0') * 10 + (s[j + 2] - '0');
      i = j + 3;
      have_min = 1;
    } else if (strncasecmp(s + j, "uur", 3) == 0 && j > 0) {
      i = j + 3;
      ampm = !have_min; /* an hour alone is a time */
    } else if ((s[j] == 'u' || s[j] == 'U') && s[j + 1] == '\0' && j > 0) {
      i = j + 1;
      ampm = !have_min;
    }
  }
  if (!have_min && !ampm)
    return -1;
  if (s[i] == 'Z' && !s[i + 1])
    *zone = 1;
  else if ((s[i] == '+' || s[i] == '-') && strlen(s + i) <= 6)
    *zone = 1;
  else if (s[i])
    return -1;
  if (!(h <= 23 || (allow24 && h == 24 && m == 0)) || m > 59)
    return -1;
  out[0] = (char)('0' + h / 10);
  out[1] = (char)('0' + h % 10);
  out[2] = ':';
  out[3] = (char)('0' + m / 10);
  out[4] = (char)('0' + m % 10);
  out[5] = '\0';
  return 0;
}

/* A day as people write it: RFC 5545 ("MO"), English or Dutch, whole or
 * short ("Monday", "Mon", "maandag", "ma"), any case. 1 = Monday .. 7, or
 * -1. */
static int day_number(const char *s, size_t n) {
  static const char *const names[7][5] = {
      {"mo", "monday", "mon", "maandag", "ma"},     {"tu", "tuesday", "tue", "dinsdag", "di"},
      {"we", "wednesday", "wed", "woensdag", "wo"}, {"th", "thursday", "thu", "donderdag", "do"},
      {"fr", "friday", "fri", "vrijdag", "vr"},     {"sa", "saturday", "sat", "zaterdag", "za"},
      {"su", "sunday", "sun", "zondag", "zo"}};
  for (int d = 0; d < 7; d++)
    for (int k = 0; k < 5; k++)
      if (strlen(names[d][k]) == n && strncasecmp(s, names[d][k], n) == 0)
        return d + 1;
  return -1;
}

/* byday: "MO,TU" or, for monthly rules, positions "1TU", "-1FR"; days also
 * as names ("Monday, Tuesday", "ma di"). Sets mask (bit d = weekday d, any
 * week) and pos[d] (bit k = k-th weekday of the month, 1..5; bit 6 = the
 * last). 0 on success. */
static int parse_byday(const char *s, unsigned *mask, unsigned pos[8]) {
  *mask = 0;
  memset(pos, 0, 8 * sizeof *pos);
  int any = 0;
  while (*s) {
    while (*s == ' ' || *s == ',' || *s == ';' || *s == '/')
      s++;
    if (!*s)
      break;
    int sign = 1, n = 0, has_n = 0;
    if (*s == '+' || *s == '-')
      sign = *s++ == '-' ? -1 : 1;
    while (*s >= '0' && *s <= '9' && n < 10) {
      n = n * 10 + (*s++ - '0');
      has_n = 1;
    }
    size_t len = 0;
    while ((s[len] >= 'a' && s[len] <= 'z') || (s[len] >= 'A' && s[len] <= 'Z'))
      len++;
    int d = len ? day_number(s, len) : -1;
    s += len;
    if (*s == '.') /* "ma." */
      s++;
    if (*s && *s != ',' && *s != ' ' && *s != ';' && *s != '/')
      return -1;
    if (d < 0 || (has_n && (n < 1 || n > 5 || (sign < 0 && n != 1))))
      return -1;
    if (!has_n)
      *mask |= 1u << d;
    else
      pos[d] |= sign < 0 ? 1u << 6 : 1u << n;
    any = 1;
  }
  return any ? 0 : -1;
}

/* bymonthday "1,15" (text or a number); -1 = the last day. Bits 1..31, 0
 * for the last. 0 on success (and *days 0 when absent). */
static int parse_monthdays(json_t *v, uint32_t *days) {
  *days = 0;
  if (empty_value(v))
    return 0;
  if (json_is_integer(v)) {
    long long n = json_integer_value(v);
    if (n == -1)
      *days = 1u;
    else if (n >= 1 && n <= 31)
      *days = 1u << n;
    else
      return -1;
    return 0;
  }
  if (!json_is_string(v))
    return -1;
  const char *s = json_string_value(v);
  while (*s) {
    while (*s == ' ' || *s == ',')
      s++;
    if (!*s)
      break;
    char *end;
    long n = strtol(s, &end, 10);
    if (end == s || (*end && *end != ',' && *end != ' '))
      return -1;
    if (n == -1)
      *days |= 1u;
    else if (n >= 1 && n <= 31)
      *days |= 1u << n;
    else
      return -1;
    s = end;
  }
  return 0;
}

/* ------------------------------------------------------------ rows */

struct rule {
  int monthly;        /* else weekly */
  long interval;      /* >= 1 */
  unsigned mask;      /* weekdays (weekly, or monthly "every Tuesday") */
  unsigned pos[8];    /* monthly positions per weekday */
  uint32_t monthdays; /* monthly by day of month */
  int64_t start, end; /* validity in days, -1 open */
  int64_t anchor;     /* dtstart day, -1 none */
  long count;         /* 0: none */
  char o5[6], c5[6];
  int overnight; /* closes at or before opens: until closes the next day */
  const char *note;
};

/* One row; overnight rows go on to the next day. day >= 0: a dated row. */
static int push_hours(struct ctx *c, struct ix_service *s, const struct rule *r, int weekday,
                      int64_t from, int64_t to, int *full) {
  for (int part = 0; part < (r->overnight ? 2 : 1); part++) {
    int wd = part ? weekday % 7 + 1 : weekday;
    const char *op = part ? "00:00" : r->o5;
    const char *cl = r->overnight && !part ? "24:00" : r->c5;
    if (part && strcmp(cl, "00:00") == 0)
      continue; /* 22:00-00:00 ends at midnight */
    char vf[11] = "", vt[11] = "";
    if (from >= 0)
      day_text(from + part, vf);
    if (to >= 0)
      day_text(to + part, vt);
    int dup = 0;
    for (size_t k = 0; k < s->hours.n && !dup; k++) {
      const struct ix_hours *h = &s->hours.v[k];
      dup = h->weekday == wd && strcmp(h->opens, op) == 0 && strcmp(h->closes, cl) == 0 &&
            strcmp(h->valid_from, vf) == 0 && strcmp(h->valid_to, vt) == 0;
    }
    if (dup)
      continue;
    if (s->hours.n >= MAX_HOURS) {
      if (!*full)
        note(c, "schedule", NULL, "meer dan %d openingstijden per dienst; de rest is overgeslagen",
             MAX_HOURS);
      *full = 1;
      return SK_OK;
    }
    struct ix_hours *h = IX_PUSH(c->b, s->hours);
    if (!h)
      return oom(c);
    h->weekday = wd;
    memcpy(h->opens, op, 6);
    memcpy(h->closes, cl, 6);
    memcpy(h->valid_from, vf, sizeof vf);
    memcpy(h->valid_to, vt, sizeof vt);
    h->note = r->note;
  }
  return SK_OK;
}

/* Does the rule open on this day? (monthly: by position or day of month) */
static int monthly_on(const struct rule *r, int64_t day) {
  int y, m, d;
  civil_from_days(day, &y, &m, &d);
  int wd = weekday_of(day), last = days_in_month(y, m);
  if (r->monthdays && ((r->monthdays >> d & 1) || ((r->monthdays & 1) && d == last)))
    return 1;
  if (r->mask >> wd & 1)
    return 1;
  unsigned p = r->pos[wd];
  if (!p)
    return 0;
  int nth = (d - 1) / 7 + 1;
  return (p >> nth & 1) || ((p >> 6 & 1) && d + 7 > last);
}

/* Expand a rule that is not plain weekly into dated rows over the window. */
static int expand_rule(struct ctx *c, struct ix_service *s, const struct rule *r, int *full) {
  int64_t today = c->now / 86400;
  int y, m, d;
  civil_from_days(today, &y, &m, &d);
  int64_t from = days_from_civil(y, m, 1), to = from + SCHEDULE_WINDOW_DAYS;
  int64_t first = r->anchor >= 0 ? r->anchor : from;
  if (r->start > first)
    first = r->start;
  int64_t last = to;
  if (r->end >= 0 && r->end < last)
    last = r->end;
  /* Counting starts at dtstart, so walk from there even before the window
   * (bounded: a count walks at most its count of openings). */
  int64_t walk = r->count && r->anchor >= 0 ? r->anchor : (first > from ? first : from);
  long seen = 0;
  int fy, fm, fd;
  civil_from_days(r->anchor >= 0 ? r->anchor : from, &fy, &fm, &fd);
  int64_t anchor_week = ((r->anchor >= 0 ? r->anchor : from) + 3) / 7; /* weeks from a Monday */
  for (int64_t day = walk; day <= last && !*full; day++) {
    if (day - walk > 3660)
      break; /* ten years of a count: enough */
    int on;
    if (r->monthly) {
      civil_from_days(day, &y, &m, &d);
      long months = (long)(y - fy) * 12 + (m - fm);
      on = months >= 0 && months % r->interval == 0 && monthly_on(r, day);
    } else {
      int64_t weeks = (day + 3) / 7 - anchor_week;
      on = weeks >= 0 && weeks % r->interval == 0 && (r->mask >> weekday_of(day) & 1);
    }
    if (!on)
      continue;
    if (r->count && ++seen > r->count)
      break;
    if (day < first || day < from)
      continue;
    TRY(push_hours(c, s, r, weekday_of(day), day, day, full));
  }
  return SK_OK;
}

static int schedule_text(struct ctx *c, struct sk_buf *desc, const char *text, const char *why) {
  if (text && desc) {
    note(c, "schedule", NULL, "%s; de tekst staat in de beschrijving", why);
    return add_line(c, desc, "Openingstijden", text, "schedule", "description");
  }
  note(c, "schedule", NULL, "%s; dit rooster is overgeslagen", why);
  return SK_OK;
}

/* Add the opening hours of arr to s: weekly rules as rows per weekday
 * (with their season), overnight and 24-hour opening, and every other
 * week / monthly / counted rules as dated rows over the window. A rule we
 * cannot read goes to desc as text (when given) with a warning. */
static int add_schedules(struct ctx *c, struct ix_service *s, json_t *arr, struct sk_buf *desc) {
  size_t i;
  json_t *o;
  int full = 0;
  json_array_foreach(arr, i, o) {
    if (!json_is_object(o)) {
      note(c, "schedule", NULL, "een rooster moet een object zijn; het is overgeslagen");
      continue;
    }
    const char *freq = str_field(c, o, "schedule", "freq");
    const char *byday = NULL;
    char days_buf[128];
    json_t *bd = json_object_get(o, "byday");
    if (json_is_array(bd)) { /* ["MO", "TU"] */
      size_t off = 0, k;
      json_t *e;
      days_buf[0] = '\0';
      json_array_foreach(bd, k, e) {
        const char *d = json_string_value(e);
        if (d && off + strlen(d) + 2 < sizeof days_buf)
          off += (size_t)snprintf(days_buf + off, sizeof days_buf - off, "%s%s", off ? "," : "", d);
      }
      byday = off ? days_buf : NULL;
    } else {
      byday = str_field(c, o, "schedule", "byday");
    }
    /* HSDS 1.x/2.0 and the ORUK API 1.0: one row per weekday ("Monday").
     * A weekday as a number is not read: 1 is Monday to some, Sunday to
     * others. */
    json_t *wd = json_object_get(o, "weekday");
    if (!byday && json_is_string(wd) && json_string_length(wd)) {
      byday = json_string_value(wd);
      if (!freq)
        freq = "WEEKLY";
    } else if (!byday && json_is_number(wd))
      note(c, "schedule", "weekday",
           "een dag als getal lezen we niet (is 1 maandag of zondag?); schrijf de dag (Monday)");
    const char *opens = str_field(c, o, "schedule", "opens_at");
    const char *closes = str_field(c, o, "schedule", "closes_at");
    const char *text = str_field(c, o, "schedule", "description");
    const char *notes = str_field(c, o, "schedule", "notes");
    const char *t = text ? text : notes;
    struct rule r;
    memset(&r, 0, sizeof r);
    r.start = r.end = r.anchor = -1;
    r.interval = 1;
    int daily = freq && strcasecmp(freq, "DAILY") == 0;
    if (freq && strcasecmp(freq, "MONTHLY") == 0)
      r.monthly = 1;
    else if (freq && strcasecmp(freq, "WEEKLY") != 0 && !daily) {
      TRY(schedule_text(c, desc, t, "alleen wekelijkse en maandelijkse roosters nemen we over"));
      continue;
    }
    if (int_value(json_object_get(o, "interval"), 1, 1000, &r.interval) < 0 ||
        int_value(json_object_get(o, "count"), 1, 10000, &r.count) < 0) {
      TRY(schedule_text(c, desc, t, "'interval' of 'count' is geen heel getal"));
      continue;
    }
    int zo = 0, zc = 0, so = 0, sc = 0;
    if (!opens || !closes || parse_time(opens, r.o5, &zo, &so, 0) ||
        parse_time(closes, r.c5, &zc, &sc, 1)) {
      TRY(schedule_text(c, desc, t,
                        "zonder geldige opens_at en closes_at kunnen we geen tijden tonen"));
      continue;
    }
    if ((byday && parse_byday(byday, &r.mask, r.pos)) ||
        parse_monthdays(json_object_get(o, "bymonthday"), &r.monthdays)) {
      TRY(schedule_text(c, desc, t, "'byday' of 'bymonthday' kunnen we niet lezen"));
      continue;
    }
    /* Every day (RFC 5545 DAILY, every 1 day): the week's days, or those
     * byday keeps. Every other day is no weekly pattern: text. */
    if (daily) {
      if (r.interval != 1 || r.monthdays) {
        TRY(schedule_text(c, desc, t, "een dagrooster om de paar dagen lezen we niet"));
        continue;
      }
      if (!r.mask)
        r.mask = 0xFEu; /* bits 1..7 */
    }
    int positions = 0;
    for (int d = 1; d <= 7; d++)
      positions |= r.pos[d] != 0;
    if ((!r.monthly && (positions || r.monthdays)) || (!r.mask && !positions && !r.monthdays)) {
      TRY(schedule_text(c, desc, t,
                        r.monthly ? "een maandrooster heeft byday of bymonthday nodig"
                                  : "een weekrooster heeft dagen nodig (byday zoals MO,TU)"));
      continue;
    }
    static const char *const unread[] = {"byweekno", "byyearday", "bymonth"};
    int odd = 0;
    for (size_t k = 0; k < sizeof unread / sizeof *unread; k++)
      odd |= !empty_value(json_object_get(o, unread[k]));
    if (odd) {
      TRY(schedule_text(c, desc, t,
                        "roosters met weeknummers, dagen van het jaar of maanden lezen we niet"));
      continue;
    }
    /* Dates: the season and the rule's own start and end. */
    const char *vf = str_field(c, o, "schedule", "valid_from"),
               *vt = str_field(c, o, "schedule", "valid_to");
    const char *ds = str_field(c, o, "schedule", "dtstart"),
               *un = str_field(c, o, "schedule", "until");
    int64_t dvf = vf ? parse_day(vf) : -1, dvt = vt ? parse_day(vt) : -1;
    int64_t dds = ds ? parse_day(ds) : -1, dun = un ? parse_day(un) : -1;
    if ((vf && dvf < 0) || (vt && dvt < 0) || (ds && dds < 0) || (un && dun < 0)) {
      TRY(schedule_text(
          c, desc, t,
          "een datum (valid_from, valid_to, dtstart of until) is geen datum zoals 2026-07-01"));
      continue;
    }
    r.anchor = dds;
    r.start = dvf > dds ? dvf : dds;
    r.end = dvt >= 0 && (dun < 0 || dvt < dun) ? dvt : dun;
    if (r.start >= 0 && r.end >= 0 && r.end < r.start) {
      note(c, "schedule", "valid_to",
           "de einddatum ligt voor de begindatum; dit rooster is overgeslagen");
      continue;
    }
    report_unread(c, o, "schedule", schedule_read);
    if (zo || zc)
      note(c, "schedule", "opens_at", "een tijdzone negeren we; tijden zijn Nederlandse tijd");
    if (so || sc)
      note(c, "schedule", "opens_at", "seconden negeren we");
    if (!empty_value(json_object_get(o, "wkst")) && r.interval > 1)
      note(c, "schedule", "wkst", "weken tellen we vanaf maandag");
    /* 22:00-08:00 runs into the next day; 09:00-09:00 and 00:00-00:00 are
     * the whole day. */
    if (strcmp(r.o5, r.c5) == 0) {
      memcpy(r.o5, "00:00", 6);
      memcpy(r.c5, "24:00", 6);
    } else if (strcmp(r.c5, r.o5) < 0) {
      r.overnight = 1;
    }
    if (text && notes && strlen(text) + strlen(notes) + 2 > SHORT_BUDGET)
      note(c, "schedule", "notes", "de tekst wordt te lang; alleen description is overgenomen");
    if (text && notes && strlen(text) + strlen(notes) + 2 <= SHORT_BUDGET)
      r.note = ix_printf(c->b, "%s; %s", text, notes);
    else if (t && strlen(t) <= SHORT_BUDGET)
      r.note = ix_strdup(c->b, t);
    else if (t)
      note(c, "schedule", "description", "langer dan %d tekens; het veld is overgeslagen",
           SHORT_BUDGET);
    if (t && strlen(t) <= SHORT_BUDGET && !r.note)
      return oom(c);
    if ((r.interval > 1 || r.count) && r.anchor < 0) {
      TRY(schedule_text(
          c, desc, t, "'interval' of 'count' zonder 'dtstart': we weten niet wanneer het begint"));
      continue;
    }
    if (r.monthly || r.interval > 1 || r.count) {
      /* Dated rows say when; the partner's own words say the rule. */
      if (t && desc)
        TRY(add_line(c, desc, "Openingstijden", t, "schedule", "description"));
      TRY(expand_rule(c, s, &r, &full));
      continue;
    }
    for (int d = 1; d <= 7 && !full; d++)
      if (r.mask & (1u << d))
        TRY(push_hours(c, s, &r, d, r.start, r.end, &full));
  }
  return SK_OK;
}

/* Schedules of a location or service_at_location: used only when the
 * service has no hours of its own and no other location gave them. */
static int add_location_schedules(struct ctx *c, struct ix_service *s, json_t *arr, int *hours_src,
                                  const char *prefix) {
  if (!arr)
    return SK_OK;
  if (*hours_src == HOURS_SERVICE) {
    note(c, prefix, "schedules", "de dienst heeft eigen openingstijden; die gaan voor");
    return SK_OK;
  }
  if (*hours_src == HOURS_LOCATION) {
    note(c, prefix, "schedules", "tijden per locatie bewaren we nog niet; de eerste locatie telt");
    return SK_OK;
  }
  TRY(add_schedules(c, s, arr, NULL));
  if (s->hours.n)
    *hours_src = HOURS_LOCATION;
  return SK_OK;
}

/* ------------------------------------------------------------------ areas */

static const char *const area_read[] = {"id",          "service_id", "service_at_location_id",
                                        "name",        "extent",     "extent_type",
                                        "description", NULL};

/* Our own export's description of an area (web/web_hsds.c,
 * area_description): "<name>[ (vanaf N jaar) | (tot en met M jaar) |
 * (N tot en met M jaar)][: note]". 1 when desc is in that form for this
 * name: the ages into *lo / *hi (IX_UNSET when absent) and the note (NULL
 * when none) into *note_at; 0 when desc is someone else's text. */
static int our_area_description(const char *name, const char *desc, int *lo, int *hi,
                                const char **note_at) {
  size_t n = strlen(name);
  *lo = *hi = IX_UNSET;
  *note_at = NULL;
  if (!n || strncmp(desc, name, n) != 0)
    return 0;
  const char *p = desc + n;
  int a, b, used = 0;
  if (sscanf(p, " (vanaf %3d jaar)%n", &a, &used) == 1 && used)
    *lo = a;
  else if ((used = 0, sscanf(p, " (tot en met %3d jaar)%n", &b, &used)) == 1 && used)
    *hi = b;
  else if ((used = 0, sscanf(p, " (%3d tot en met %3d jaar)%n", &a, &b, &used)) == 2 && used)
    *lo = a, *hi = b;
  else
    used = 0;
  p += used;
  if (!*p)
    return 1;
  if (p[0] == ':' && p[1] == ' ' && p[2]) {
    *note_at = p + 2;
    return 1;
  }
  return 0;
}

static int push_area(struct ctx *c, struct ix_service *s, const char *code, const char *note_text) {
  for (size_t k = 0; k < s->areas.n; k++)
    if (strcmp(s->areas.v[k].code, code) == 0)
      return SK_OK;
  if (s->areas.n >= MAX_AREAS) {
    note(c, "service_area", NULL, "meer dan %d werkgebieden per dienst; de rest is overgeslagen",
         MAX_AREAS);
    return SK_OK;
  }
  struct ix_area *a = IX_PUSH(c->b, s->areas);
  if (!a || !(a->code = ix_strdup(c->b, code)))
    return oom(c);
  a->min_age = a->max_age = IX_UNSET;
  if (note_text && !(a->note = ix_strdup(c->b, note_text)))
    return oom(c);
  return SK_OK;
}

/* service_area.extent: GeoJSON (text, or an object some feeds send). */
static int area_extent(struct ctx *c, struct ix_service *s, json_t *o, int *placed) {
  json_t *ext = json_object_get(o, "extent");
  if (empty_value(ext))
    return SK_OK;
  const char *type = str_field(c, o, "service_area", "extent_type");
  if (type && strcasecmp(type, "geojson") != 0) {
    note(c, "service_area", "extent",
         "alleen GeoJSON lezen we (niet '%.*s'); de vorm is overgeslagen", clip(type, 20), type);
    return SK_OK;
  }
  char *dumped = NULL;
  const char *text;
  size_t len;
  if (json_is_string(ext)) {
    text = json_string_value(ext);
    len = json_string_length(ext);
  } else if (json_is_object(ext)) {
    if (!(dumped = json_dumps(ext, JSON_COMPACT)))
      return oom(c);
    text = dumped;
    len = strlen(dumped);
  } else {
    note(c, "service_area", "extent", "dit moet GeoJSON zijn; het veld is overgeslagen");
    return SK_OK;
  }
  struct ix_area_result r;
  int rc = ix_area_from_geojson(c->tax, text, len, &r);
  free(dumped);
  if (rc == SK_ENOMEM)
    return oom(c);
  if (rc) {
    note(c, "service_area", "extent",
         "alleen een GeoJSON Polygon of MultiPolygon kunnen we plaatsen; de vorm is overgeslagen");
    return SK_OK;
  }
  if (!r.n) {
    note(c, "service_area", "extent",
         "de vorm bevat het midden van geen van onze gemeenten; hij is overgeslagen");
    return SK_OK;
  }
  note(c, "service_area", "extent",
       "we hebben geen gemeentegrenzen: gemeenten met hun midden in de vorm zijn het werkgebied "
       "(controleer dit)");
  for (size_t k = 0; k < r.n; k++)
    TRY(push_area(c, s, r.codes[k], NULL));
  *placed = 1;
  return SK_OK;
}

static int add_area(struct ctx *c, struct ix_service *s, json_t *o);

static int add_areas(struct ctx *c, struct ix_service *s, json_t *arr) {
  size_t i;
  json_t *o;
  json_array_foreach(arr, i, o) {
    json_t *wrap = NULL;
    if (json_is_string(o)) /* ["Huizen", "Laren"]: the names alone */
      o = wrap = json_pack("{s:O}", "name", o);
    if (!o)
      return oom(c);
    if (!json_is_object(o)) {
      note(c, "service_area", NULL, "een werkgebied moet een object zijn; het is overgeslagen");
      continue;
    }
    int arc = add_area(c, s, o);
    json_decref(wrap);
    TRY(arc);
  }
  return SK_OK;
}

static int add_area(struct ctx *c, struct ix_service *s, json_t *o) {
  {
    report_unread(c, o, "service_area", area_read);
    const char *name = str_field(c, o, "service_area", "name");
    const char *desc = str_field(c, o, "service_area", "description");
    if (desc && strlen(desc) > SHORT_BUDGET) {
      note(c, "service_area", "description", "langer dan %d tekens; het veld is overgeslagen",
           SHORT_BUDGET);
      desc = NULL;
    }
    int placed = 0;
    if (name) {
      struct ix_area_result r;
      if (ix_area_resolve(c->tax, name, &r))
        return oom(c);
      if (!c->tax && looks_like_code(name) && !r.n)
        r.codes[r.n++] = name;
      else if (!r.n && !r.unplaced[0])
        snprintf(r.unplaced, sizeof r.unplaced, "%.*s", clip(name, 100), name);
      if (r.truncated)
        note(c, "service_area", "name",
             "meer dan %d gemeenten in één naam; de rest is overgeslagen", IX_AREA_MAX);
      if (r.unplaced[0]) {
        note(c, "service_area", "name", "werkgebied '%s' kennen we niet; het is overgeslagen",
             r.unplaced);
        if (!s->unplaced_area && !(s->unplaced_area = ix_strdup(c->b, r.unplaced)))
          return oom(c);
      }
      /* A description narrows one area; for a list it would be ambiguous.
       * Our own export writes the area's ages and note there: read back. */
      int lo = IX_UNSET, hi = IX_UNSET;
      const char *note_text = desc;
      if (r.n == 1 && desc) {
        /* Our export names the area by code and starts the description
         * with its label. */
        const struct sk_term *t = c->tax
                                      ? sk_taxonomy_find(c->tax, SK_VOCAB_MUNICIPALITY, r.codes[0])
                                      : NULL;
        if (!t && c->tax)
          t = sk_taxonomy_find(c->tax, SK_VOCAB_SCOPE, r.codes[0]);
        if (!our_area_description(t && t->label ? t->label : name, desc, &lo, &hi, &note_text) &&
            !our_area_description(name, desc, &lo, &hi, &note_text))
          note_text = desc;
      }
      size_t before = s->areas.n;
      for (size_t k = 0; k < r.n; k++)
        TRY(push_area(c, s, r.codes[k], r.n == 1 ? note_text : NULL));
      if (r.n == 1 && s->areas.n > before && (lo != IX_UNSET || hi != IX_UNSET)) {
        struct ix_area *ar = &s->areas.v[s->areas.n - 1];
        ar->min_age = lo >= 0 && lo <= 120 ? lo : IX_UNSET;
        ar->max_age = hi >= 0 && hi <= 120 ? hi : IX_UNSET;
      }
      placed = r.n > 0;
    }
    if (!placed)
      TRY(area_extent(c, s, o, &placed));
    else if (!empty_value(json_object_get(o, "extent")))
      note(c, "service_area", "extent", "de naam van het werkgebied gaat voor de vorm");
    if (!name && !placed)
      note(c, "service_area", "name",
           "een werkgebied zonder naam of bruikbare vorm is overgeslagen");
  }
  return SK_OK;
}

/* ------------------------------------------------------------- attributes */

/* Words of the publisher's own taxonomy (Open Eligibility, ORUK, a local
 * one) stay with the service as search words, so it is found by them;
 * our classification is proposed from them too (other_terms). They stop
 * where the keywords reach KEYWORD_BUDGET bytes (the validator's cap is
 * SK_FIELD_MAX_TEXT characters); a word already there is not repeated. */
#define KEYWORD_BUDGET 2000
static int add_keyword(struct ctx *c, struct ix_service *s, const char *w) {
  size_t have = s->keywords ? strlen(s->keywords) : 0, n = strlen(w);
  if (s->keywords) {
    const char *p = s->keywords;
    while ((p = strstr(p, w))) {
      int starts = p == s->keywords || p[-1] == ' ' || p[-1] == ',';
      int ends = p[n] == '\0' || p[n] == ',';
      if (starts && ends)
        return SK_OK;
      p++;
    }
  }
  if (have + n + 2 > KEYWORD_BUDGET) {
    note(c, "attribute", "taxonomy_term", "te veel termen als zoekwoord; de rest is overgeslagen");
    return SK_OK;
  }
  const char *k = s->keywords ? ix_printf(c->b, "%s, %s", s->keywords, w) : ix_strdup(c->b, w);
  if (!k)
    return oom(c);
  s->keywords = k;
  return SK_OK;
}

static int add_attributes(struct ctx *c, struct ix_service *s, json_t *arr) {
  static const struct {
    const char *name;
    enum sk_vocab vocab;
  } ours[] = {{"sk-hulpvraag", SK_VOCAB_NEED},
              {"sk-doelgroep", SK_VOCAB_TARGET_GROUP},
              {"sk-toegang", SK_VOCAB_ACCESS},
              {"sk-kosten", SK_VOCAB_COST},
              {"sk-wet", SK_VOCAB_LAW}};
  size_t i;
  json_t *o;
  json_array_foreach(arr, i, o) {
    if (!json_is_object(o)) {
      note(c, "attribute", NULL, "een attribuut moet een object zijn; het is overgeslagen");
      continue;
    }
    json_t *term = obj_field(c, o, "attribute", "taxonomy_term");
    if (!term) {
      note(c, "attribute", "taxonomy_term",
           "een attribuut zonder taxonomy_term (met taxonomy en code) is overgeslagen");
      continue;
    }
    const char *taxname = str_field(c, term, "taxonomy_term", "taxonomy");
    if (!taxname) {
      json_t *detail = obj_field(c, term, "taxonomy_term", "taxonomy_detail");
      if (detail)
        taxname = str_field(c, detail, "taxonomy_detail", "name");
    }
    int v = -1;
    for (size_t k = 0; taxname && k < sizeof ours / sizeof *ours; k++)
      if (strcasecmp(taxname, ours[k].name) == 0)
        v = (int)ours[k].vocab;
    if (v < 0) {
      /* Another taxonomy (Open Eligibility, ORUK, a local one): its term
       * names are a hint for the needs we propose (ix_classify). */
      const char *tn = str_field(c, term, "taxonomy_term", "name");
      const char *td = str_field(c, term, "taxonomy_term", "description");
      const char *tv = str_field(c, o, "attribute", "value");
      if (tn && s->other_terms.n < MAX_CODES)
        TRY(strv_add_unique(c, &s->other_terms, tn));
      if (tn)
        TRY(add_keyword(c, s, tn));
      if (td && s->other_terms.n < MAX_CODES)
        TRY(strv_add_unique(c, &s->other_terms, td));
      if (tv && s->other_terms.n < MAX_CODES)
        TRY(strv_add_unique(c, &s->other_terms, tv));
      note(c, "attribute", "taxonomy_term",
           "taxonomie '%.*s' is niet de onze; de termen gebruiken we om de dienst automatisch in "
           "te delen",
           clip(taxname ? taxname : "", 60), taxname ? taxname : "");
      continue;
    }
    /* The code is ours; a partner that wrote the label instead still gets
     * the code. An unknown code is kept: the validator rejects it with a
     * reason the partner can act on. */
    char buf[128];
    const char *code = str_field(c, term, "taxonomy_term", "code");
    const char *label = str_field(c, term, "taxonomy_term", "name");
    const char *t = code ? trim_copy(buf, sizeof buf, code) : NULL;
    const struct sk_term *found = find_term(c->tax, (enum sk_vocab)v, t ? t : label);
    if (found)
      t = found->code;
    if (!t || !*t) {
      note(c, "attribute", "taxonomy_term", "een term zonder code is overgeslagen");
      continue;
    }
    switch ((enum sk_vocab)v) {
    case SK_VOCAB_NEED: TRY(strv_add_unique(c, &s->needs, t)); break;
    case SK_VOCAB_TARGET_GROUP: TRY(strv_add_unique(c, &s->target_groups, t)); break;
    case SK_VOCAB_LAW: TRY(strv_add_unique(c, &s->laws, t)); break;
    case SK_VOCAB_ACCESS:
    case SK_VOCAB_COST: {
      const char **slot = v == SK_VOCAB_ACCESS ? &s->access : &s->cost;
      if (*slot && strcmp(*slot, t) != 0) {
        note(c, "attribute", v == SK_VOCAB_ACCESS ? "sk-toegang" : "sk-kosten",
             "een dienst heeft één waarde; de eerste telt");
      } else if (!*slot && !(*slot = ix_strdup(c->b, t))) {
        return oom(c);
      }
      break;
    }
    default: break;
    }
  }
  return SK_OK;
}

/* ----------------------------------------------------- organizations */

static const char *const org_read[] = {"id",      "name",   "description", "email",
                                       "website", "phones", NULL};
static const char *const org_read_top[] = {"id",     "name",     "description", "email", "website",
                                           "phones", "services", "locations",   NULL};

/* Add the organization (once per id) and return its key in *key. */
static int add_org(struct ctx *c, json_t *o, int top, const char **key) {
  *key = NULL;
  int nomem = 0;
  const char *id = id_field(c, o, "organization", "id", &nomem);
  if (nomem)
    return oom(c);
  if (!id) {
    note(c, "organization", "id", "een organisatie zonder id is overgeslagen");
    return SK_OK;
  }
  size_t at = ks_find(&c->orgs, id);
  if (at != SIZE_MAX) {
    *key = c->b->orgs.v[at].key;
    return SK_OK;
  }
  if (rename_key(o, "url", "website") < 0) /* HSDS 1.x/2.0 */
    return oom(c);
  report_unread(c, o, "organization", top ? org_read_top : org_read);
  struct ix_org *org = ix_batch_add_org(c->b);
  if (!org || !(org->key = ix_strdup(c->b, id)))
    return oom(c);
  const char *f;
#define ORG_TEXT(field, json)                                                                      \
  if ((f = str_field(c, o, "organization", json)) && !(org->field = ix_strdup(c->b, f)))           \
    return oom(c);
  ORG_TEXT(name, "name")
  ORG_TEXT(description, "description")
  if (fit_text(c, &org->description, SK_FIELD_MAX_TEXT, "organization", "description"))
    return oom(c);
  ORG_TEXT(email, "email")
  ORG_TEXT(website, "website")
#undef ORG_TEXT
  json_t *phones = arr_field(c, o, "organization", "phones");
  size_t i;
  json_t *p;
  json_array_foreach(phones, i, p) {
    const char *num, *ext, *desc;
    int r = read_phone(c, p, &num, &ext, &desc);
    if (r == -2)
      return oom(c);
    if (r)
      continue;
    if (ext)
      note(c, "organization", "phones",
           "een toestelnummer bewaren we alleen bij de telefoonnummers van een dienst");
    if (!org->phone)
      org->phone = num;
    else if (strcmp(org->phone, num) != 0)
      note(c, "organization", "phones", "we bewaren één telefoonnummer per organisatie");
  }
  TRY(ks_add(&c->orgs, org->key, c->b->orgs.n - 1));
  *key = org->key;
  return SK_OK;
}

/* ---------------------------------------------------------- locations */

static int link_location(struct ctx *c, struct ix_service *s, const char *key) {
  if (strv_has(&s->location_keys, key))
    return SK_OK;
  if (s->location_keys.n >= MAX_LOCATIONS) {
    note(c, "service_at_location", NULL, "meer dan %d locaties per dienst; de rest is overgeslagen",
         MAX_LOCATIONS);
    return SK_OK;
  }
  return ix_strv_push(c->b, &s->location_keys, key) ? oom(c) : SK_OK;
}

static const char *const location_read[] = {
    "id",        "location_type", "name",   "addresses", "latitude",
    "longitude", "accessibility", "phones", "schedules", "organization_id",
    NULL};
static const char *const address_read[] = {"id",        "location_id",  "address_1",
                                           "address_2", "city",         "postal_code",
                                           "country",   "address_type", NULL};
static const char *const address_read_nl[] = {
    "id",      "location_id",  "address_1",      "address_2", "city", "postal_code",
    "country", "address_type", "state_province", "region",    NULL};
static const char *const access_read[] = {"id", "location_id", "description", "details", NULL};

/* A place one can visit, as address_type and location_type write it:
 * HSDS's "physical", and the words Dutch and other feeds use for it. */
static int physical_type(const char *t) {
  static const char *const words[] = {"physical", "visiting", "visit",   "street", "bezoekadres",
                                      "bezoek",   "fysiek",   "locatie", NULL};
  char v[32];
  if (!trim_copy(v, sizeof v, t))
    return 0;
  for (size_t i = 0; words[i]; i++)
    if (strcasecmp(v, words[i]) == 0)
      return 1;
  return 0;
}

/* The Netherlands as addresses write it: the ISO codes and the names. */
static int dutch_country(const char *s) {
  static const char *const names[] = {"NL",           "NLD",     "Netherlands", "The Netherlands",
                                      "Nederland",    "Holland", "Pays-Bas",    "Niederlande",
                                      "Países Bajos", NULL};
  char t[40];
  if (!s || !trim_copy(t, sizeof t, s))
    return 0;
  for (size_t i = 0; names[i]; i++)
    if (strcasecmp(t, names[i]) == 0)
      return 1;
  return 0;
}

static int read_address(struct ctx *c, struct ix_location *l, json_t *arr) {
  json_t *pick = NULL, *a;
  size_t i, n_physical = 0;
  json_array_foreach(arr, i, a) {
    if (!json_is_object(a)) {
      note(c, "address", NULL, "een adres moet een object zijn; het is overgeslagen");
      continue;
    }
    const char *type = str_field(c, a, "address", "address_type");
    if (type && !physical_type(type))
      continue;
    n_physical++;
    if (!pick)
      pick = a;
  }
  if (!pick) {
    note(c, "address", "address_type",
         "alleen een bezoekadres (physical) nemen we over; het adres is overgeslagen");
    return SK_OK;
  }
  if (n_physical > 1)
    note(c, "location", "addresses", "we bewaren één bezoekadres per locatie; het eerste telt");
  if (json_array_size(arr) > n_physical)
    note(c, "address", "address_type",
         "alleen een bezoekadres (physical) nemen we over; het adres is overgeslagen");
  /* Province and region are redundant for a Dutch address (the postcode
   * gives the municipality); HSDS requires state_province, so a conforming
   * Dutch feed always sends it. Elsewhere they are reported. */
  const char *country0 = json_string_value(json_object_get(pick, "country"));
  int dutch = !country0 || !*country0 || dutch_country(country0);
  report_unread(c, pick, "address", dutch ? address_read_nl : address_read);
  const char *a1 = str_field(c, pick, "address", "address_1");
  const char *a2 = str_field(c, pick, "address", "address_2");
  if (a1 && a2)
    l->address = ix_printf(c->b, "%s, %s", a1, a2);
  else if (a1 || a2)
    l->address = ix_strdup(c->b, a1 ? a1 : a2);
  if ((a1 || a2) && !l->address)
    return oom(c);
  const char *f;
  if ((f = str_field(c, pick, "address", "city")) && !(l->city = ix_strdup(c->b, f)))
    return oom(c);
  if ((f = str_field(c, pick, "address", "postal_code")) && !(l->postal_code = ix_strdup(c->b, f)))
    return oom(c);
  const char *country = str_field(c, pick, "address", "country");
  int foreign = country && !dutch_country(country);
  if (foreign)
    note(c, "address", "country",
         "land '%.*s' ligt niet in Nederland; het adres is toch overgenomen", clip(country, 20),
         country);
  /* A postcode that is not Dutch (94063, SW1A 1AA) is no reason to lose
   * the location: it stays in the address, before the place, as it is
   * written there, and gives no municipality. */
  char pc[8];
  if (l->postal_code && (foreign || sk_postcode_normalize(l->postal_code, pc) < 0)) {
    if (!foreign)
      note(c, "address", "postal_code",
           "geen Nederlandse postcode; die staat nu bij de plaatsnaam");
    l->city = l->city ? ix_printf(c->b, "%s %s", l->postal_code, l->city) : l->postal_code;
    if (!l->city)
      return oom(c);
    l->postal_code = NULL;
  }
  /* The municipality follows from the 4 digits of a Dutch postcode. */
  if (c->tax && l->postal_code) {
    const char *p = l->postal_code;
    while (*p == ' ')
      p++;
    int d4 = 0, k;
    for (k = 0; k < 4 && p[k] >= '0' && p[k] <= '9'; k++)
      d4 = d4 * 10 + (p[k] - '0');
    const struct sk_term *m = k == 4 ? sk_taxonomy_municipality_for_postcode(c->tax, d4) : NULL;
    if (m && !(l->municipality = ix_strdup(c->b, m->code)))
      return oom(c);
  }
  return SK_OK;
}

static int read_accessibility(struct ctx *c, struct ix_location *l, json_t *arr) {
  struct sk_buf buf;
  sk_buf_init(&buf, SHORT_BUDGET);
  size_t i;
  json_t *a;
  int rc = SK_OK;
  json_array_foreach(arr, i, a) {
    if (!json_is_object(a)) {
      note(c, "accessibility", NULL, "dit moet een object zijn; het is overgeslagen");
      continue;
    }
    report_unread(c, a, "accessibility", access_read);
    const char *d = str_field(c, a, "accessibility", "description");
    const char *det = str_field(c, a, "accessibility", "details");
    if (d && (rc = add_line(c, &buf, NULL, d, "accessibility", "description")))
      break;
    if (det && (rc = add_line(c, &buf, NULL, det, "accessibility", "details")))
      break;
  }
  if (!rc && buf.len && !(l->accessibility = ix_strdup(c->b, sk_buf_str(&buf))))
    rc = oom(c);
  sk_buf_free(&buf);
  return rc;
}

/* Read the location o into the batch (once per id); *key is its key, or
 * NULL when it is skipped (no id, not a physical location). org_key: the
 * organisation to use when the location names none (may be NULL). */
static int store_location(struct ctx *c, json_t *o, const char *org_key, const char **key) {
  *key = NULL;
  int nomem = 0;
  const char *id = id_field(c, o, "location", "id", &nomem);
  if (nomem)
    return oom(c);
  if (!id) {
    note(c, "location", "id", "een locatie zonder id is overgeslagen");
    return SK_OK;
  }
  const char *type = str_field(c, o, "location", "location_type");
  if (type && !physical_type(type)) {
    note(c, "location", "location_type",
         "alleen bezoeklocaties (physical) nemen we over; '%.*s' is overgeslagen", clip(type, 20),
         type);
    return SK_OK;
  }
  size_t at = ks_find(&c->locs, id);
  if (at != SIZE_MAX) {
    *key = c->b->locations.v[at].key;
    return SK_OK;
  }
  report_unread(c, o, "location", location_read);
  struct ix_location *l = ix_batch_add_location(c->b);
  if (!l || !(l->key = ix_strdup(c->b, id)))
    return oom(c);
  const char *f;
  if ((f = str_field(c, o, "location", "name")) && !(l->name = ix_strdup(c->b, f)))
    return oom(c);
  f = id_field(c, o, "location", "organization_id", &nomem);
  l->org_key = f ? ix_strdup(c->b, f) : org_key;
  if (nomem || (f && !l->org_key))
    return oom(c);
  json_t *addrs = arr_field(c, o, "location", "addresses");
  if (addrs)
    TRY(read_address(c, l, addrs));
  json_t *lat = json_object_get(o, "latitude"), *lon = json_object_get(o, "longitude");
  if (!empty_value(lat) || !empty_value(lon)) {
    double la = 0, lo = 0;
    /* Swapped columns, a common spreadsheet slip: 5.24, 52.29 is the
     * sea off Somalia, 52.29, 5.24 is Huizen. Swapped back only when that
     * lands in the Netherlands. */
    int both = num_value(lat, &la) == 1 && num_value(lon, &lo) == 1;
    if (both && lo >= 50.7 && lo <= 53.7 && la >= 3.3 && la <= 7.3) {
      double t = la;
      la = lo;
      lo = t;
      note(c, "location", "latitude",
           "latitude en longitude waren omgewisseld (de plek ligt dan in Nederland); we hebben ze "
           "omgedraaid");
    }
    if (both && isfinite(la) && isfinite(lo) && la >= -90 && la <= 90 && lo >= -180 && lo <= 180) {
      l->latitude = la;
      l->longitude = lo;
      l->has_coordinates = 1;
    } else {
      note(c, "location", "latitude",
           "latitude en longitude moeten samen geldige graden zijn (WGS84, -90..90 en "
           "-180..180); de "
           "coördinaten zijn overgeslagen");
    }
  }
  if (fit_text(c, &l->address, SK_FIELD_MAX_SHORT, "address", "address_1") ||
      fit_text(c, &l->city, SK_FIELD_MAX_SHORT, "address", "city"))
    return oom(c);
  json_t *acc = arr_field(c, o, "location", "accessibility");
  if (acc)
    TRY(read_accessibility(c, l, acc));
  *key = l->key;
  return ks_add(&c->locs, l->key, c->b->locations.n - 1);
}

/* Add the location (once per id), link it to s, and merge its phones and
 * schedules into s. */
static int add_location(struct ctx *c, struct ix_service *s, json_t *o, int *hours_src) {
  const char *key;
  TRY(store_location(c, o, s->org_key, &key));
  if (!key)
    return SK_OK;
  TRY(link_location(c, s, key));
  json_t *phones = arr_field(c, o, "location", "phones");
  if (phones)
    TRY(add_service_phones(c, s, phones));
  return add_location_schedules(c, s, arr_field(c, o, "location", "schedules"), hours_src,
                                "location");
}

/* A location on its own (a /locations answer, an organisation's
 * locations): what the model holds of a location is kept; its phones and
 * hours belong to services in our model, so without one they are
 * reported. */
static int add_lone_location(struct ctx *c, json_t *o, const char *org_key) {
  size_t n_old = 0;
  if (upgrade_location(o, &n_old))
    return oom(c);
  const char *key;
  size_t before = c->b->locations.n;
  TRY(store_location(c, o, org_key, &key));
  if (!key || c->b->locations.n == before)
    return SK_OK; /* skipped, or read already (with its service) */
  if (!empty_value(json_object_get(o, "phones")))
    note(c, "location", "phones",
         "telefoonnummers bewaren we bij een dienst; deze locatie heeft (hier) geen dienst");
  if (!empty_value(json_object_get(o, "schedules")))
    note(c, "location", "schedules",
         "openingstijden bewaren we bij een dienst; deze locatie heeft (hier) geen dienst");
  return SK_OK;
}

/* -------------------------------------------------- service_at_location */

static const char *const sal_read[] = {"id",     "service_id", "location_id",   "location",
                                       "phones", "schedules",  "service_areas", NULL};
static const char *const sal_read_top[] = {"id",     "service_id", "location_id",   "location",
                                           "phones", "schedules",  "service_areas", "service",
                                           NULL};

static int merge_sal(struct ctx *c, struct ix_service *s, json_t *sal, int top, int *hours_src) {
  if (!json_is_object(sal)) {
    note(c, "service_at_location", NULL, "dit moet een object zijn; het is overgeslagen");
    return SK_OK;
  }
  size_t n_old = 0;
  if (upgrade_sal(sal, &n_old))
    return oom(c);
  report_unread(c, sal, "service_at_location", top ? sal_read_top : sal_read);
  json_t *loc = obj_field(c, sal, "service_at_location", "location");
  json_t *sal_sched = arr_field(c, sal, "service_at_location", "schedules");
  if (loc) {
    /* The service_at_location's own hours go before its location's. */
    if (sal_sched && *hours_src == HOURS_NONE) {
      TRY(add_location_schedules(c, s, sal_sched, hours_src, "service_at_location"));
      sal_sched = NULL;
    }
    TRY(add_location(c, s, loc, hours_src));
  } else {
    int nomem = 0;
    const char *lid = id_field(c, sal, "service_at_location", "location_id", &nomem);
    if (nomem)
      return oom(c);
    size_t at = lid ? ks_find(&c->locs, lid) : SIZE_MAX;
    if (at != SIZE_MAX) {
      TRY(link_location(c, s, c->b->locations.v[at].key));
    } else if (lid) {
      note(c, "service_at_location", "location_id",
           "locatie '%.*s' staat niet in de feed; neem de locatie op als object 'location'",
           clip(lid, 60), lid);
    }
  }
  TRY(add_location_schedules(c, s, sal_sched, hours_src, "service_at_location"));
  json_t *phones = arr_field(c, sal, "service_at_location", "phones");
  if (phones)
    TRY(add_service_phones(c, s, phones));
  json_t *areas = arr_field(c, sal, "service_at_location", "service_areas");
  if (areas)
    TRY(add_areas(c, s, areas));
  return SK_OK;
}

/* ---------------------------------------------------------------- service */

static const char *const service_read[] = {"id",
                                           "name",
                                           "alternate_name",
                                           "description",
                                           "url",
                                           "email",
                                           "status",
                                           "application_process",
                                           "eligibility_description",
                                           "fees_description",
                                           "fees",
                                           "cost_options",
                                           "minimum_age",
                                           "maximum_age",
                                           "assured_date",
                                           "assurer_email",
                                           "alert",
                                           "interpretation_services",
                                           "wait_time",
                                           "accreditations",
                                           "languages",
                                           "required_documents",
                                           "phones",
                                           "schedules",
                                           "service_areas",
                                           "service_at_locations",
                                           "organization",
                                           "organization_id",
                                           "program_id",
                                           "attributes",
                                           "last_modified",
                                           "keywords",
                                           NULL};

/* Keys only a service has: an object with one of them is read as a service. */
static const char *const service_only[] = {"status",
                                           "schedules",
                                           "regular_schedules",
                                           "holiday_schedules",
                                           "eligibilitys",
                                           "service_taxonomys",
                                           "organization",
                                           "service_areas",
                                           "service_at_locations",
                                           "application_process",
                                           "fees_description",
                                           "fees",
                                           "eligibility_description",
                                           "minimum_age",
                                           "maximum_age",
                                           "assured_date",
                                           "assurer_email",
                                           "alert",
                                           "interpretation_services",
                                           "accreditations",
                                           "cost_options",
                                           "required_documents",
                                           "wait_time",
                                           "licenses",
                                           "program_id",
                                           NULL};

/* Euro amounts the Dutch way: "€ 2,50", "€ 35". */
static int format_amount(char *out, size_t cap, double a, const char *currency) {
  char num[48];
  if (a == floor(a))
    snprintf(num, sizeof num, "%.0f", a);
  else {
    snprintf(num, sizeof num, "%.2f", a);
    char *dot = strchr(num, '.');
    if (dot)
      *dot = ',';
  }
  if (!currency || strcasecmp(currency, "EUR") == 0 || strcmp(currency, "€") == 0)
    return snprintf(out, cap, "€ %s", num);
  return snprintf(out, cap, "%s %.*s", num, clip(currency, 8), currency);
}

static const char *const cost_read[] = {"id",         "service_id", "option",
                                        "amount",     "currency",   "amount_description",
                                        "valid_from", "valid_to",   NULL};

static int add_cost_options(struct ctx *c, struct sk_buf *fees, json_t *arr) {
  size_t i;
  json_t *o;
  json_array_foreach(arr, i, o) {
    if (!json_is_object(o)) {
      note(c, "cost_option", NULL, "dit moet een object zijn; het is overgeslagen");
      continue;
    }
    report_unread(c, o, "cost_option", cost_read);
    const char *opt = str_field(c, o, "cost_option", "option");
    const char *cur = str_field(c, o, "cost_option", "currency");
    const char *ad = str_field(c, o, "cost_option", "amount_description");
    const char *from = str_field(c, o, "cost_option", "valid_from");
    const char *to = str_field(c, o, "cost_option", "valid_to");
    json_t *amount = json_object_get(o, "amount");
    char am[64] = "";
    if (json_is_number(amount)) {
      double a = json_number_value(amount);
      if (isfinite(a) && a >= 0 && a < 1e9)
        format_amount(am, sizeof am, a, cur);
      else
        note(c, "cost_option", "amount", "dit bedrag klopt niet; het is overgeslagen");
    } else if (!empty_value(amount)) {
      note(c, "cost_option", "amount", "dit moet een getal zijn; het is overgeslagen");
    }
    char line[1024];
    int n = snprintf(line, sizeof line, "%s%s%s%s%s", opt ? opt : "",
                     opt && (*am || ad) ? ": " : "", am, *am && ad ? " " : "", ad ? ad : "");
    if (n <= 0)
      continue;
    if ((size_t)n >= sizeof line) {
      note(c, "cost_option", NULL, "deze prijsregel is te lang; ze is overgeslagen");
      continue;
    }
    if ((from || to) && strlen(line) + 64 < sizeof line) {
      size_t len = strlen(line);
      if (from && to)
        snprintf(line + len, sizeof line - len, " (van %.*s tot en met %.*s)", clip(from, 20), from,
                 clip(to, 20), to);
      else if (from)
        snprintf(line + len, sizeof line - len, " (vanaf %.*s)", clip(from, 20), from);
      else
        snprintf(line + len, sizeof line - len, " (tot en met %.*s)", clip(to, 20), to);
    }
    TRY(add_line(c, fees, NULL, line, "service", "cost_options"));
  }
  return SK_OK;
}

static const char *const lang_read[] = {"id",   "service_id", "location_id", "phone_id",
                                        "name", "code",       "note",        NULL};

static int add_languages(struct ctx *c, struct sk_buf *post, json_t *arr) {
  char line[1024];
  size_t off = 0;
  line[0] = '\0';
  size_t i;
  json_t *o;
  json_array_foreach(arr, i, o) {
    const char *name = NULL, *lnote = NULL;
    if (json_is_string(o)) { /* ["Nederlands", "Engels"] */
      name = json_string_length(o) ? json_string_value(o) : NULL;
    } else if (!json_is_object(o)) {
      note(c, "language", NULL, "dit moet een object zijn; het is overgeslagen");
      continue;
    } else {
      report_unread(c, o, "language", lang_read);
      name = str_field(c, o, "language", "name");
      if (!name)
        name = str_field(c, o, "language", "code");
      lnote = str_field(c, o, "language", "note");
    }
    if (!name)
      continue;
    int w = lnote ? snprintf(line + off, sizeof line - off, "%s%.*s (%.*s)", off ? ", " : "",
                             clip(name, 60), name, clip(lnote, 200), lnote)
                  : snprintf(line + off, sizeof line - off, "%s%.*s", off ? ", " : "",
                             clip(name, 60), name);
    if (w < 0 || (size_t)w >= sizeof line - off) {
      line[off] = '\0';
      note(c, "service", "languages", "te veel talen; de rest is overgeslagen");
      break;
    }
    off += (size_t)w;
  }
  return off ? add_line(c, post, "Talen", line, "service", "languages") : SK_OK;
}

static int add_documents(struct ctx *c, struct sk_buf *post, json_t *arr) {
  static const char *const doc_read[] = {"id", "service_id", "document", "uri", NULL};
  size_t i;
  json_t *o;
  json_array_foreach(arr, i, o) {
    if (!json_is_object(o)) {
      note(c, "required_document", NULL, "dit moet een object zijn; het is overgeslagen");
      continue;
    }
    report_unread(c, o, "required_document", doc_read);
    const char *d = str_field(c, o, "required_document", "document");
    const char *uri = str_field(c, o, "required_document", "uri");
    if (!d)
      continue;
    char line[1200];
    if (uri)
      snprintf(line, sizeof line, "%.*s (%.*s)", clip(d, 900), d, clip(uri, 250), uri);
    else
      snprintf(line, sizeof line, "%.*s", clip(d, 1100), d);
    TRY(add_line(c, post, "Meenemen", line, "service", "required_documents"));
  }
  return SK_OK;
}

/* Reject the service: out of the batch, with a reason for the partner. */
static int reject(struct ctx *c, const char *key, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int reject(struct ctx *c, const char *key, const char *field, const char *fmt, ...) {
  char reason[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  if (n >= (int)sizeof reason)
    reason[clip(reason, sizeof reason - 1)] = '\0';
  return ix_batch_reject(c->b, key, field, "%s", reason) ? oom(c) : SK_OK;
}

/* An age: a whole number 0..AGE_MAX; a fraction (17.5) is rounded to the
 * nearest year with a warning. Anything else rejects the service: a dropped
 * age limit would show the service to the wrong people. */
static int read_age(struct ctx *c, json_t *o, const char *id, const char *field, int *out,
                    int *bad) {
  long v;
  json_t *j = json_object_get(o, field);
  int r = int_value(j, 0, AGE_MAX, &v);
  /* "18+", "18 jaar", "65 years": the number is the age. */
  if (r == -1 && json_is_string(j)) {
    char t[32];
    const char *sv = json_string_value(j);
    size_t n = strspn(sv, " 0123456789");
    const char *rest = sv + n;
    while (*rest == ' ')
      rest++;
    if (n && n < sizeof t &&
        (strcmp(rest, "+") == 0 || strcasecmp(rest, "jaar") == 0 ||
         strcasecmp(rest, "years") == 0 || strcasecmp(rest, "year") == 0 ||
         strcasecmp(rest, "jr") == 0)) {
      memcpy(t, sv, n);
      t[n] = '\0';
      json_t *num = json_string(t);
      if (!num)
        return oom(c);
      r = int_value(num, 0, AGE_MAX, &v);
      json_decref(num);
      if (r == 1)
        note(c, "service", field, "'%.*s' gelezen als %ld jaar", clip(sv, 20), sv, v);
    }
  }
  double d;
  if (r == -1 && num_value(j, &d) == 1) {
    /* A maximum above any age (150, 999: "no limit" in some systems) is
     * no upper limit; a minimum above it would exclude everyone. */
    if (isfinite(d) && d > AGE_MAX && strcmp(field, "maximum_age") == 0) {
      note(c, "service", field, "boven %d jaar: we lezen het als geen bovengrens", AGE_MAX);
      return SK_OK;
    }
    if (isfinite(d) && d >= 0 && d <= AGE_MAX) {
      *out = (int)lround(d);
      note(c, "service", field, "geen heel getal; afgerond op %d jaar", *out);
      return SK_OK;
    }
  }
  if (r == 1)
    *out = (int)v;
  if (r == -1) {
    *bad = 1;
    return reject(c, id, field,
                  "Dienst '%.*s': het veld '%s' moet een getal van 0 tot en met %d zijn.",
                  clip(id, 100), id, field, AGE_MAX);
  }
  return SK_OK;
}

/* Build the description: notices first (alert, closed), then the partner's
 * text, then what HSDS has and we keep as lines. */
static int set_description(struct ctx *c, struct ix_service *s, const struct sk_buf *pre,
                           const char *desc, const struct sk_buf *post) {
  if (!pre->len && !post->len) {
    if (desc && !(s->description = ix_strdup(c->b, desc)))
      return oom(c);
    return SK_OK;
  }
  const char *a = sk_buf_str(pre), *p = sk_buf_str(post), *d = desc ? desc : "";
  s->description = ix_printf(c->b, "%s%s%s%s%s", a, pre->len && (desc || post->len) ? "\n\n" : "",
                             d, desc && post->len ? "\n\n" : "", p);
  return s->description ? SK_OK : oom(c);
}

/* n digits at s as a number, or -1. */
static int digits_at(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* An ISO 8601 time of change as RFC 3339 (what HSDS's format date-time
 * means). 0: v is RFC 3339 already (kept as given, so a round trip is
 * exact); 1: written into out (a date alone is its midnight UTC; a space
 * for 'T'; +0100 as +01:00); 2: the same, but v had no offset and is read
 * as UTC; -1: no date-time. */
static int rfc3339_of(const char *v, char out[48]) {
  size_t n = strlen(v);
  int y = n >= 10 ? digits_at(v, 4) : -1, mo = y >= 0 ? digits_at(v + 5, 2) : -1,
      d = mo >= 0 ? digits_at(v + 8, 2) : -1;
  if (d < 0 || v[4] != '-' || v[7] != '-' || mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1900 ||
      n > 40)
    return -1;
  if (n == 10) {
    snprintf(out, 48, "%.10sT00:00:00Z", v);
    return 1;
  }
  char sep = v[10];
  if (sep != 'T' && sep != 't' && sep != ' ')
    return -1;
  const char *p = v + 11;
  int hh = digits_at(p, 2), mi = hh >= 0 && p[2] == ':' ? digits_at(p + 3, 2) : -1, ss = 0;
  if (mi < 0 || hh > 23 || mi > 59)
    return -1;
  p += 5;
  int had_sec = 0;
  if (*p == ':') {
    if ((ss = digits_at(p + 1, 2)) < 0 || ss > 60)
      return -1;
    p += 3;
    had_sec = 1;
  }
  const char *frac = p;
  if (*p == '.' || *p == ',') {
    p++;
    if (*p < '0' || *p > '9')
      return -1;
    while (*p >= '0' && *p <= '9')
      p++;
  }
  size_t flen = (size_t)(p - frac);
  char off[8];
  int rc = 1, canonical_off = 0;
  if (*p == 'Z' || *p == 'z') {
    snprintf(off, sizeof off, "Z");
    canonical_off = 1;
    p++;
  } else if (*p == '+' || *p == '-') {
    char sign = *p;
    int oh = digits_at(p + 1, 2), om;
    if (oh < 0 || oh > 23)
      return -1;
    if (p[3] == ':') {
      om = digits_at(p + 4, 2);
      canonical_off = 1;
      p += 6;
    } else if (p[3]) {
      om = digits_at(p + 3, 2);
      p += 5;
    } else {
      om = 0;
      p += 3;
    }
    if (om < 0 || om > 59)
      return -1;
    snprintf(off, sizeof off, "%c%02d:%02d", sign, oh, om);
  } else if (!*p) {
    snprintf(off, sizeof off, "Z");
    rc = 2;
  } else {
    return -1;
  }
  if (*p)
    return -1;
  if (rc == 1 && canonical_off && had_sec && sep == 'T' && (flen == 0 || frac[0] == '.'))
    return 0;
  snprintf(out, 48, "%.10sT%02d:%02d:%02d%s%.*s%s", v, hh, mi, ss, flen ? "." : "",
           flen ? (int)flen - 1 : 0, flen ? frac + 1 : "", off);
  return rc;
}

enum svc_status { ST_UNKNOWN, ST_ACTIVE, ST_INACTIVE, ST_DEFUNCT, ST_CLOSED };

/* A service status as publishers write it: HSDS's four values in any case,
 * with blanks around them or '_'/'-' for the space ("temporarily_closed"),
 * and the same words in Dutch ("actief", "tijdelijk gesloten"). */
static enum svc_status status_of(const char *st) {
  static const struct {
    const char *word;
    enum svc_status v;
  } words[] = {{"active", ST_ACTIVE},
               {"actief", ST_ACTIVE},
               {"inactive", ST_INACTIVE},
               {"inactief", ST_INACTIVE},
               {"niet actief", ST_INACTIVE},
               {"defunct", ST_DEFUNCT},
               {"opgeheven", ST_DEFUNCT},
               {"temporarily closed", ST_CLOSED},
               {"tijdelijk gesloten", ST_CLOSED}};
  char t[40];
  if (!trim_copy(t, sizeof t, st))
    return ST_UNKNOWN;
  for (char *p = t; *p; p++)
    if (*p == '_' || *p == '-')
      *p = ' ';
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (strcasecmp(t, words[i].word) == 0)
      return words[i].v;
  return ST_UNKNOWN;
}

/* Read one service object. default_org: organization key to use when the
 * service names none (organization with nested services). sal: an outer
 * service_at_location object the service was found in, or NULL. */
static int read_service(struct ctx *c, json_t *o, size_t index, const char *default_org,
                        json_t *sal) {
  c->cur = NULL;
  json_t *jid = json_object_get(o, "id");
  const char *jname = json_string_value(json_object_get(o, "name"));
  char num_id[32];
  const char *id_text = json_string_value(jid);
  if (json_is_integer(jid)) { /* older APIs (Ohana) number their records */
    snprintf(num_id, sizeof num_id, "%" JSON_INTEGER_FORMAT, json_integer_value(jid));
    id_text = num_id;
  }
  const char *id_copy = id_text && *id_text ? ix_strdup(c->b, id_text) : NULL;
  if (id_text && *id_text && !id_copy)
    return oom(c);
  if (!id_copy) {
    if (jname)
      return reject(c, NULL, "id",
                    "Dienst '%.*s' (nummer %zu) heeft geen id (tekst). Zonder id kunnen we de "
                    "dienst niet volgen; hij is overgeslagen.",
                    clip(jname, 100), jname, index + 1);
    return reject(c, NULL, "id", "Dienst nummer %zu heeft geen id (tekst); hij is overgeslagen.",
                  index + 1);
  }
  const char *id = id_copy;
  char canon[SK_UUID_LEN];
  if (!sk_uuid_valid(id) && sk_uuid_canon(id, canon) && !(id = ix_strdup(c->b, canon)))
    return oom(c);
  c->cur = id;
  if (ks_find(&c->skipped, id) != SIZE_MAX)
    return SK_OK; /* inactive, already reported */
  size_t at = ks_find(&c->svcs, id);
  if (at != SIZE_MAX) {
    if (sal) { /* the same service at another location */
      struct ix_service *s = &c->b->services.v[at];
      int hours_src = s->hours.n ? HOURS_LOCATION : HOURS_NONE;
      return merge_sal(c, s, sal, 1, &hours_src);
    }
    /* The same record again (an API's pages shift while it is read):
     * nothing is wrong with it. Two different services under one id are
     * a conflict the publisher must solve. */
    if (jname && strcmp(jname, c->b->services.v[at].name) == 0) {
      note(c, "service", "id", "deze dienst staat twee keer in de feed; de eerste telt");
      return SK_OK;
    }
    return reject(c, id, "id",
                  "Dienst '%.*s' staat twee keer in de feed, met een andere naam. Alleen de "
                  "eerste is overgenomen.",
                  clip(id, 100), id);
  }

  size_t n_old = 0;
  if (upgrade_service(o, &n_old))
    return oom(c);
  if (n_old)
    note(c, "service", NULL, "namen van HSDS 1 of 2 (zoals regular_schedules) gelezen als HSDS 3");
  /* Fields that decide whether and for whom: a wrong value rejects. */
  json_t *jst = json_object_get(o, "status");
  int closed = 0;
  if (jst && !json_is_null(jst)) {
    if (!json_is_string(jst))
      return reject(c, id, "status", "Dienst '%.*s': het veld 'status' moet tekst zijn.",
                    clip(id, 100), id);
    const char *st = json_string_value(jst);
    enum svc_status v = status_of(st);
    if (v == ST_INACTIVE || v == ST_DEFUNCT) {
      note(c, "service", "status", "status '%s': de dienst is niet overgenomen",
           v == ST_INACTIVE ? "inactive" : "defunct");
      return ks_add(&c->skipped, id, 0);
    }
    if (v == ST_CLOSED)
      closed = 1;
    else if (v != ST_ACTIVE)
      return reject(
          c, id, "status",
          "Dienst '%.*s': de status '%.*s' kennen we niet. Kies active, inactive, defunct of "
          "temporarily closed.",
          clip(id, 100), id, clip(st, 40), st);
  } else {
    note(c, "service", "status", "de status mist; we lezen de dienst als actief");
  }
  json_t *jn = json_object_get(o, "name");
  if (!json_is_string(jn) || json_string_length(jn) == 0)
    return reject(c, id, "name", "Dienst '%.*s' heeft geen naam (het veld 'name' moet tekst zijn).",
                  clip(id, 100), id);
  int min_age = IX_UNSET, max_age = IX_UNSET, bad = 0;
  TRY(read_age(c, o, id, "minimum_age", &min_age, &bad));
  if (!bad)
    TRY(read_age(c, o, id, "maximum_age", &max_age, &bad));
  if (bad)
    return SK_OK;

  report_unread(c, o, "service", service_read);
  struct ix_service *s = ix_batch_add_service(c->b);
  if (!s || !(s->key = ix_strdup(c->b, id)) || !(s->name = ix_strdup(c->b, json_string_value(jn))))
    return oom(c);
  TRY(ks_add(&c->svcs, s->key, c->b->services.n - 1));
  c->cur = s->key;
  s->kind = IX_KIND_SERVICE;
  s->min_age = min_age;
  s->max_age = max_age;

  const char *f;
#define SVC_TEXT(field, json)                                                                      \
  if ((f = str_field(c, o, "service", json)) && !(s->field = ix_strdup(c->b, f)))                  \
    return oom(c);
  SVC_TEXT(url, "url")
  SVC_TEXT(email, "email")
  SVC_TEXT(application_process, "application_process")
  SVC_TEXT(eligibility, "eligibility_description")
  SVC_TEXT(assured_date, "assured_date")
  SVC_TEXT(assured_by, "assurer_email")
  SVC_TEXT(keywords, "alternate_name")
#undef SVC_TEXT
  /* keywords (HSDS 1.x, many APIs): text or a list of words, found by
   * search like alternate_name. */
  json_t *kw = json_object_get(o, "keywords");
  if (json_is_string(kw) || json_is_array(kw)) {
    struct sk_buf words;
    sk_buf_init(&words, SHORT_BUDGET);
    if (s->keywords && sk_buf_addstr(&words, s->keywords)) {
      sk_buf_free(&words);
      return oom(c);
    }
    size_t k, n = json_is_array(kw) ? json_array_size(kw) : 1;
    for (k = 0; k < n; k++) {
      const char *w = json_string_value(json_is_array(kw) ? json_array_get(kw, k) : kw);
      if (!w || !*w)
        continue;
      if (words.len + strlen(w) + 2 > words.max) {
        note(c, "service", "keywords", "te veel trefwoorden; de rest is overgeslagen");
        break;
      }
      if ((words.len && sk_buf_addstr(&words, ", ")) || sk_buf_addstr(&words, w)) {
        sk_buf_free(&words);
        return oom(c);
      }
    }
    if (words.len && !(s->keywords = ix_strdup(c->b, sk_buf_str(&words)))) {
      sk_buf_free(&words);
      return oom(c);
    }
    sk_buf_free(&words);
  } else if (!empty_value(kw)) {
    note(c, "service", "keywords", "dit moet tekst of een lijst zijn; het veld is overgeslagen");
  }
  /* The source's own time of change, kept beside ours (issue 12) and
   * published again as last_modified: RFC 3339 as given, other ISO 8601
   * forms written as RFC 3339. */
  if ((f = str_field(c, o, "service", "last_modified"))) {
    char t[48];
    int r = rfc3339_of(f, t);
    if (r < 0)
      note(c, "service", "last_modified",
           "geen datum en tijd (ISO 8601); het veld is overgeslagen");
    else if (r == 2)
      note(c, "service", "last_modified", "zonder tijdzone; we lezen het als UTC");
    if (r >= 0 && !(s->source_modified = ix_strdup(c->b, r == 0 ? f : t)))
      return oom(c);
  }

  /* Organization: nested object, else organization_id, else the default. */
  json_t *jorg = obj_field(c, o, "service", "organization");
  int nomem = 0;
  const char *org_id = id_field(c, o, "service", "organization_id", &nomem);
  if (nomem)
    return oom(c);
  if (jorg) {
    TRY(add_org(c, jorg, 0, &s->org_key));
    if (org_id && s->org_key && strcmp(org_id, s->org_key) != 0)
      note(c, "service", "organization_id", "wijkt af van organization.id; die gaat voor");
  }
  if (!s->org_key && org_id && !(s->org_key = ix_strdup(c->b, org_id)))
    return oom(c);
  if (!s->org_key)
    s->org_key = default_org;

  int rc = SK_OK;
  const char *desc = str_field(c, o, "service", "description");
  const char *fd = str_field(c, o, "service", "fees_description");
  const char *fold = str_field(c, o, "service", "fees");
  size_t desc_len = desc ? strlen(desc) : 0, fees_len = strlen(fd ? fd : fold ? fold : "");
  struct sk_buf pre, post, fees;
  /* "\n\n" separators take 4 bytes of the budget. */
  size_t text_budget = desc_len + 4 < TEXT_BUDGET ? TEXT_BUDGET - desc_len - 4 : 0;
  sk_buf_init(&pre, text_budget);
  sk_buf_init(&post, text_budget);
  sk_buf_init(&fees, fees_len > SHORT_BUDGET ? fees_len : SHORT_BUDGET);
#define STEP(x)                                                                                    \
  do {                                                                                             \
    if ((rc = (x)))                                                                                \
      goto out;                                                                                    \
  } while (0)

  STEP(add_line(c, &pre, "Let op", str_field(c, o, "service", "alert"), "service", "alert"));
  if (closed)
    STEP(add_line(c, &pre, "Let op", "deze dienst is tijdelijk gesloten.", "service", "status"));
  post.max = text_budget > pre.len ? text_budget - pre.len : 0;
  STEP(add_line(c, &post, "Tolk", str_field(c, o, "service", "interpretation_services"), "service",
                "interpretation_services"));
  json_t *arr;
  /* languages and required_documents as one text (HSDS 1.x tables, many
   * exports: "Nederlands, Engels"): that text. */
  json_t *lt = json_object_get(o, "languages"), *rd = json_object_get(o, "required_documents");
  if (json_is_string(lt))
    STEP(add_line(c, &post, "Talen", json_string_value(lt), "service", "languages"));
  else if ((arr = arr_field(c, o, "service", "languages")))
    STEP(add_languages(c, &post, arr));
  STEP(add_line(c, &post, "Wachttijd", str_field(c, o, "service", "wait_time"), "service",
                "wait_time"));
  STEP(add_line(c, &post, "Keurmerken", str_field(c, o, "service", "accreditations"), "service",
                "accreditations"));
  if (json_is_string(rd))
    STEP(add_line(c, &post, "Meenemen", json_string_value(rd), "service", "required_documents"));
  else if ((arr = arr_field(c, o, "service", "required_documents")))
    STEP(add_documents(c, &post, arr));

  /* Fees: fees_description, else the deprecated fees; then cost options. */
  if (fd && fold && strcmp(fd, fold) != 0)
    note(c, "service", "fees", "verouderd veld; fees_description gaat voor");
  STEP(add_line(c, &fees, NULL, fd ? fd : fold, "service", fd ? "fees_description" : "fees"));
  if ((arr = arr_field(c, o, "service", "cost_options")))
    STEP(add_cost_options(c, &fees, arr));
  if (fees.len && !(s->fees = ix_strdup(c->b, sk_buf_str(&fees)))) {
    rc = oom(c);
    goto out;
  }

  int hours_src = HOURS_NONE;
  if ((arr = arr_field(c, o, "service", "schedules"))) {
    STEP(add_schedules(c, s, arr, &post));
    hours_src = HOURS_SERVICE;
  }
  if ((arr = arr_field(c, o, "service", "phones")))
    STEP(add_service_phones(c, s, arr));
  if ((arr = arr_field(c, o, "service", "service_areas")))
    STEP(add_areas(c, s, arr));
  if ((arr = arr_field(c, o, "service", "attributes")))
    STEP(add_attributes(c, s, arr));
  if ((arr = arr_field(c, o, "service", "service_at_locations"))) {
    size_t i;
    json_t *sl;
    json_array_foreach(arr, i, sl) STEP(merge_sal(c, s, sl, 0, &hours_src));
  }
  if (sal)
    STEP(merge_sal(c, s, sal, 1, &hours_src));
  STEP(set_description(c, s, &pre, desc, &post));
  STEP(fit_service(c, s));
#undef STEP
out:
  sk_buf_free(&pre);
  sk_buf_free(&post);
  sk_buf_free(&fees);
  return rc == SK_ENOMEM ? oom(c) : rc;
}

/* ------------------------------------------------------------ documents */

enum item_kind { ITEM_SERVICE, ITEM_SAL, ITEM_ORG, ITEM_LOCATION, ITEM_OTHER };

/* What an item that is no service, organisation or location is: for the
 * reason of a refusal. */
enum other_kind { OTHER_NONE, OTHER_BASE, OTHER_TAXONOMY, OTHER_TERM };

static enum item_kind classify(json_t *o, const char **what, enum other_kind *other) {
  *what = "geen object";
  *other = OTHER_NONE;
  if (!json_is_object(o))
    return ITEM_OTHER;
  if (json_object_get(o, "status"))
    return ITEM_SERVICE;
  if (json_is_object(json_object_get(o, "service")))
    return ITEM_SAL;
  if (json_is_array(json_object_get(o, "services")))
    return ITEM_ORG;
  /* Only a location has these; a location also has schedules and
   * languages, which otherwise say "service". */
  if (json_object_get(o, "location_type") || json_object_get(o, "addresses") ||
      json_object_get(o, "physical_addresses") || json_object_get(o, "postal_addresses") ||
      json_object_get(o, "latitude") || json_object_get(o, "longitude")) {
    *what = "een locatie (location)";
    return ITEM_LOCATION;
  }
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) if (in_list(k, service_only)) return ITEM_SERVICE;
  if (json_object_get(o, "openapi_url")) {
    *what = "de beschrijving van een HSDS-API (base)";
    *other = OTHER_BASE;
  } else if (json_object_get(o, "taxonomy_terms") ||
             (json_object_get(o, "version") && json_object_get(o, "uri"))) {
    *what = "een taxonomie (taxonomy)";
    *other = OTHER_TAXONOMY;
  } else if (json_object_get(o, "taxonomy") || json_object_get(o, "term_uri") ||
             json_object_get(o, "code") || json_object_get(o, "parent_id")) {
    *what = "een taxonomieterm (taxonomy_term)";
    *other = OTHER_TERM;
  } else if (json_object_get(o, "organizations.csv") || json_object_get(o, "services.csv")) {
    *what = "HSDS in tabelvorm (tabular)";
  } else if (json_object_get(o, "website") || json_object_get(o, "legal_status") ||
             json_object_get(o, "organization_identifiers") || json_object_get(o, "tax_status") ||
             json_object_get(o, "year_incorporated") ||
             json_is_array(json_object_get(o, "locations")) || json_object_get(o, "description")) {
    *what = "een organisatie (organization)";
    return ITEM_ORG;
  } else {
    *what = "geen dienst (service)";
  }
  return ITEM_OTHER;
}

static int read_item(struct ctx *c, json_t *o, size_t index, int in_list_doc) {
  c->n_items++;
  const char *what;
  enum other_kind other;
  enum item_kind kind = classify(o, &what, &other);
  if (kind != ITEM_OTHER)
    c->n_recognized++;
  switch (kind) {
  case ITEM_SERVICE: return read_service(c, o, index, NULL, NULL);
  case ITEM_SAL: return read_service(c, json_object_get(o, "service"), index, NULL, o);
  case ITEM_LOCATION: c->cur = NULL; return add_lone_location(c, o, NULL);
  case ITEM_ORG: {
    const char *org_key = NULL;
    c->cur = NULL;
    /* {"services": [...]} alone is a plain wrapper (the HSDS field guidance
     * examples use it), not an organization. */
    json_t *svcs = json_object_get(o, "services"), *sv;
    if (json_object_size(o) > 1 || json_object_get(o, "id"))
      TRY(add_org(c, o, 1, &org_key));
    size_t i;
    json_array_foreach(svcs, i, sv) {
      if (!json_is_object(sv)) {
        TRY(reject(c, NULL, NULL,
                   "Dienst nummer %zu van de organisatie is geen object; hij is overgeslagen.",
                   i + 1));
        continue;
      }
      TRY(read_service(c, sv, i, org_key, NULL));
    }
    /* An organisation's own locations (HSDS 3.0 organization.locations):
     * after its services, so one they name is read with them, once. */
    json_t *locs = json_object_get(o, "locations"), *lo;
    c->cur = NULL;
    if (json_is_array(locs) && org_key)
      json_array_foreach(locs, i, lo) {
        if (json_is_object(lo))
          TRY(add_lone_location(c, lo, org_key));
      }
    return SK_OK;
  }
  case ITEM_OTHER: {
    if (!c->first_other) {
      c->first_other = what;
      c->first_other_kind = other;
    }
    if (!in_list_doc)
      return SK_OK; /* the caller turns this into an error for the document */
    const char *id = json_string_value(json_object_get(o, "id"));
    return reject(c, id, NULL,
                  "Item %zu in de lijst is %s, geen dienst, organisatie of locatie. Het is "
                  "overgeslagen.",
                  index + 1, what);
  }
  }
  return SK_OK;
}

/* One warning for the organisations and locations of this document that
 * no service names. */
static int warn_lone(struct ctx *c) {
  struct ix_batch *b = c->b;
  if (b->orgs.n == c->orgs_before && b->locations.n == c->locs_before)
    return SK_OK;
  struct keyset used = {0};
  int rc = SK_OK;
  for (size_t i = 0; i < b->services.n && !rc; i++) {
    const struct ix_service *s = &b->services.v[i];
    if (s->org_key && ks_find(&used, s->org_key) == SIZE_MAX)
      rc = ks_add(&used, s->org_key, i);
    for (size_t k = 0; k < s->location_keys.n && !rc; k++)
      if (ks_find(&used, s->location_keys.v[k]) == SIZE_MAX)
        rc = ks_add(&used, s->location_keys.v[k], i);
  }
  size_t n_orgs = 0, n_locs = 0;
  for (size_t i = c->orgs_before; i < b->orgs.n; i++)
    n_orgs += ks_find(&used, b->orgs.v[i].key) == SIZE_MAX;
  for (size_t i = c->locs_before; i < b->locations.n; i++)
    n_locs += ks_find(&used, b->locations.v[i].key) == SIZE_MAX;
  ks_free(&used);
  if (rc)
    return oom(c);
  char what[96];
  if (n_orgs && n_locs)
    snprintf(what, sizeof what, "%zu organisatie(s) en %zu locatie(s)", n_orgs, n_locs);
  else
    snprintf(what, sizeof what, "%zu %s", n_orgs + n_locs,
             n_orgs ? "organisatie(s)" : "locatie(s)");
  if ((n_orgs || n_locs) &&
      ix_batch_warn(b,
                    "Dit bestand heeft %s zonder dienst: we bewaren ze, maar op de kaart staan ze "
                    "pas bij een dienst die ze noemt.",
                    what))
    return oom(c);
  return SK_OK;
}

/* The refusal of a document with nothing we can hold, saying what it is
 * and what to send instead. */
static void refuse_other(const struct ctx *c, char *err, size_t errlen) {
  switch (c->first_other_kind) {
  case OTHER_BASE:
    snprintf(err, errlen,
             "Dit bestand bevat geen diensten, organisaties of locaties: het is de beschrijving "
             "van een HSDS-API (base: version en openapi_url). Geef als adres van de feed de "
             "diensten van die API (het adres dat eindigt op /services).");
    return;
  case OTHER_TAXONOMY:
  case OTHER_TERM:
    snprintf(err, errlen,
             "Dit bestand bevat geen diensten, organisaties of locaties: het is %s. Een "
             "indeling van een ander nemen we niet over; wij delen diensten in met onze eigen "
             "indeling. Termen van een andere indeling bij een dienst (attributes) gebruiken we "
             "wel om die dienst in te delen.",
             c->first_other_kind == OTHER_TAXONOMY ? "een taxonomie (taxonomy)"
                                                   : "een taxonomieterm (taxonomy_term)");
    return;
  case OTHER_NONE: break;
  }
  snprintf(err, errlen,
           "Dit bestand bevat geen diensten, organisaties of locaties (HSDS). Het lijkt %s.",
           c->first_other ? c->first_other : "iets anders");
}

static const char *const envelope_read[] = {
    "total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty",
    "contents",
    /* the paged answer of Spring-based APIs (ORUK API 1.0, HSDS API 1.0):
     * content, totalElements, totalPages, number, first, last, ... */
    "content", "totalElements", "totalPages", "number", "numberOfElements", "first", "last", "sort",
    "pageable",
    /* other wrappers APIs use for a list */
    "items", "data", "results", "organizations", "locations", NULL};

/* The list in an envelope: HSDS 3's contents, then the names other APIs
 * use. NULL when root is no envelope. */
static json_t *envelope_list(json_t *root, const char **name) {
  static const char *const keys[] = {"contents", "content",       "items",     "data",
                                     "results",  "organizations", "locations", NULL};
  if (!json_is_object(root) || json_object_get(root, "id"))
    return NULL;
  for (size_t i = 0; keys[i]; i++) {
    json_t *v = json_object_get(root, keys[i]);
    /* contents is HSDS's own: a wrong type there is the feed's error */
    if (v && (i == 0 || json_is_array(v))) {
      *name = keys[i];
      return v;
    }
  }
  return NULL;
}

static int read_document(struct ctx *c, json_t *root, int *total_pages, char *err, size_t errlen) {
  json_t *list = NULL;
  const char *lname = NULL;
  if (json_is_array(root)) {
    list = root;
  } else if ((list = envelope_list(root, &lname))) {
    if (!json_is_array(list)) {
      snprintf(err, errlen, "Het veld '%s' moet een lijst met diensten zijn.", lname);
      return SK_EPARSE;
    }
    report_unread(c, root, "page", envelope_read);
    const char *tp = json_object_get(root, "total_pages") ? "total_pages" : "totalPages";
    const char *pnum = json_object_get(root, "page_number") ? "page_number" : "number";
    long pages;
    int r = int_value(json_object_get(root, tp), 0, LONG_MAX / 2, &pages);
    if (r == -1)
      note(c, "page", tp, "dit moet een heel getal zijn; we lezen alleen deze pagina");
    else if (r == 1 && pages > IX_HSDS_MAX_PAGES) {
      note(c, "page", tp, "meer dan %d pagina's lezen we niet", IX_HSDS_MAX_PAGES);
      *total_pages = IX_HSDS_MAX_PAGES;
    } else if (r == 1 && pages >= 1)
      *total_pages = (int)pages;
    long pn;
    int pr = int_value(json_object_get(root, pnum), 0, LONG_MAX / 2, &pn);
    if (pr == -1)
      note(c, "page", pnum, "dit moet een heel getal zijn");
    /* The first page numbered 0 (Spring): the rest are ?page=1 .. */
    else if (pr == 1 && pn == 0 && c->b->services.n == 0 && c->b->orgs.n == 0 &&
             c->b->locations.n == 0)
      c->b->zero_based_pages = 1;
  } else if (!json_is_object(root)) {
    snprintf(err, errlen, "Dit is geen HSDS: we verwachten een lijst met diensten of één dienst.");
    return SK_EPARSE;
  }
  if (list) {
    /* Locations first: a service's service_at_location may name a
     * location by location_id that comes later in the list. */
    size_t i;
    json_t *o;
    const char *what;
    enum other_kind other;
    json_array_foreach(list, i, o) {
      if (classify(o, &what, &other) == ITEM_LOCATION)
        TRY(read_item(c, o, i, 1));
    }
    json_array_foreach(list, i, o) {
      if (classify(o, &what, &other) != ITEM_LOCATION)
        TRY(read_item(c, o, i, 1));
    }
  } else {
    TRY(read_item(c, root, 0, 0));
  }
  if (c->n_items && !c->n_recognized) {
    refuse_other(c, err, errlen);
    c->b->api_base = c->first_other_kind == OTHER_BASE && !list;
    return SK_EPARSE;
  }
  /* Organisations and locations without services are kept (an API's
   * /organizations or /locations, a register of places): on the map they
   * appear with the services that name them, from this feed later or
   * from the portal. */
  return warn_lone(c);
}

/* Newline-delimited JSON (HSDS's format=ndjson: one object a line) as a
 * list, or NULL when data is not that (the caller reports the JSON error
 * of the whole). */
static json_t *load_ndjson(const char *data, size_t len) {
  json_t *list = json_array();
  size_t off = 0, n = 0;
  while (list && off < len) {
    while (off < len &&
           (data[off] == ' ' || data[off] == '\t' || data[off] == '\r' || data[off] == '\n'))
      off++;
    if (off == len)
      break;
    json_error_t e;
    json_t *v = json_loadb(data + off, len - off, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK,
                           &e);
    /* one object, then the end of its line */
    size_t end = v ? off + (size_t)e.position : off;
    while (end < len && (data[end] == ' ' || data[end] == '\t' || data[end] == '\r'))
      end++;
    if (!json_is_object(v) || (end < len && data[end] != '\n')) {
      json_decref(v); /* not one object a line: v is ours to drop */
      json_decref(list);
      return NULL;
    }
    if (json_array_append_new(list, v)) { /* it took v, even when it failed */
      json_decref(list);
      return NULL;
    }
    off = end;
    n++;
  }
  if (n < 2) { /* one object with junk after it is broken JSON, not NDJSON */
    json_decref(list);
    return NULL;
  }
  return list;
}

int ix_hsds_parse(const char *data, size_t len, const struct sk_taxonomy *tax, struct ix_batch *out,
                  int *total_pages, char *err, size_t errlen) {
  return ix_hsds_parse_at(data, len, tax, (int64_t)time(NULL), out, total_pages, err, errlen);
}

int ix_hsds_parse_at(const char *data, size_t len, const struct sk_taxonomy *tax, int64_t now,
                     struct ix_batch *out, int *total_pages, char *err, size_t errlen) {
  char dummy[8];
  if (!err || !errlen) {
    err = dummy;
    errlen = sizeof dummy;
  }
  err[0] = '\0';
  if (total_pages)
    *total_pages = 1;
  if (!data || !out || !total_pages) {
    snprintf(err, errlen, "Interne fout: ontbrekende invoer.");
    return SK_EINVAL;
  }
  if (len > IX_HSDS_MAX_BYTES) {
    snprintf(err, errlen, "Het HSDS-bestand is te groot (%zu MB; de grens is %zu MB).",
             len / (1024 * 1024), IX_HSDS_MAX_BYTES / (1024 * 1024));
    return SK_ETOOBIG;
  }
  size_t blank = 0;
  while (blank < len &&
         (data[blank] == ' ' || data[blank] == '\t' || data[blank] == '\r' || data[blank] == '\n'))
    blank++;
  if (blank == len) {
    snprintf(err, errlen,
             "Het HSDS-bestand is leeg: er staat niets in, ook geen lege lijst ([]). De feed "
             "houdt zijn laatste goede gegevens.");
    return SK_EPARSE;
  }
  json_error_t jerr;
  json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!root && data[blank] == '{')
    root = load_ndjson(data + blank, len - blank);
  if (!root) {
    snprintf(err, errlen, "Dit is geen geldige JSON (regel %d, kolom %d): %s.", jerr.line,
             jerr.column, jerr.text);
    return SK_EPARSE;
  }
  /* The tabular form as JSON (examples/tabular.json): read as the
   * package it stands for. */
  if (json_is_object(root) &&
      (json_object_get(root, "services.csv") || json_object_get(root, "service.csv"))) {
    int trc = ix_hsds_csv_parse_tabular(root, tax, now, out, err, errlen);
    json_decref(root);
    return trc;
  }
  struct ctx c = {.b = out, .tax = tax, .now = now};
  int rc = SK_OK;
  c.notes = calloc(NOTE_SLOTS, sizeof *c.notes);
  if (!c.notes) {
    rc = SK_ENOMEM;
    goto done;
  }
  c.orgs_before = out->orgs.n;
  c.locs_before = out->locations.n;
  /* Records from earlier pages of the same feed count as already seen. */
  for (size_t i = 0; !rc && i < out->orgs.n; i++)
    rc = ks_add(&c.orgs, out->orgs.v[i].key, i);
  for (size_t i = 0; !rc && i < out->locations.n; i++)
    rc = ks_add(&c.locs, out->locations.v[i].key, i);
  for (size_t i = 0; !rc && i < out->services.n; i++)
    rc = ks_add(&c.svcs, out->services.v[i].key, i);
  if (!rc)
    rc = read_document(&c, root, total_pages, err, errlen);
  if (!rc)
    rc = emit_notes(&c);
done:
  if (rc && rc != SK_EPARSE && !err[0])
    snprintf(err, errlen, "%s",
             rc == SK_ETOOBIG ? "De feed is te groot om in één keer te verwerken."
                              : "Te weinig geheugen om de feed te lezen.");
  if (rc)
    *total_pages = 1;
  ks_free(&c.orgs);
  ks_free(&c.locs);
  ks_free(&c.svcs);
  ks_free(&c.skipped);
  free(c.notes);
  json_decref(root);
  return rc;
}
