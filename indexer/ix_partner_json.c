#include "ix_partner_json.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ix_json.h"
#include "sk_buf.h"
#include "sk_err.h"

/* Warnings past this many are counted, not listed: a feed with one odd
 * field in a million records must not make a million warnings. */
#define PJ_MAX_WARNINGS 50
#define PJ_MAX_PROBLEM_TEXT 1500

struct pj {
  struct ix_batch *b;
  struct ix_json *j; /* holds the record being read */
  size_t n_warnings; /* including the ones not listed */
  int oom;
};

typedef struct ix_jnode jv; /* one JSON value of the record being read */

static int is_null(const jv *v) { return !v || v->type == IX_JNULL; }
static int is_string(const jv *v) { return v && v->type == IX_JSTR; }
static int is_array(const jv *v) { return v && v->type == IX_JARR; }
static int is_object(const jv *v) { return v && v->type == IX_JOBJ; }
#define JGET(r, obj, field) ix_jnode_get((r)->pj->j, (obj), (field))
#define JSTR(r, v) ix_jnode_str((r)->pj->j, (v))
#define JFOREACH(r, arr, e)                                                                        \
  for (const jv *e = ix_jnode_first((r)->pj->j, (arr)); e; e = ix_jnode_next((r)->pj->j, e))

/* One record being read: problems are collected so the partner sees all of
 * them in one rejection. */
struct pj_rec {
  struct pj *pj;
  const char *what; /* "Organisatie", "Locatie", "Dienst" */
  const char *key;  /* arena copy, or NULL */
  size_t index;     /* 1-based position in its list */
  struct sk_buf problems;
  const char *first_field;
};

static void rec_init(struct pj_rec *r, struct pj *pj, const char *what, size_t index) {
  memset(r, 0, sizeof *r);
  r->pj = pj;
  r->what = what;
  r->index = index;
  sk_buf_init(&r->problems, PJ_MAX_PROBLEM_TEXT + 1024);
}

static void problem(struct pj_rec *r, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(struct pj_rec *r, const char *field, const char *fmt, ...) {
  if (!r->first_field && field)
    r->first_field = field;
  if (r->problems.len > PJ_MAX_PROBLEM_TEXT)
    return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  int rc = 0;
  if (r->problems.len)
    rc = sk_buf_addstr(&r->problems, "; ");
  if (!rc)
    rc = sk_buf_addstr(&r->problems, msg);
  if (rc == SK_ENOMEM)
    r->pj->oom = 1;
  if (!rc && r->problems.len > PJ_MAX_PROBLEM_TEXT)
    sk_buf_addstr(&r->problems, " …");
  if (r->problems.len == 0) /* an append failed and emptied the buffer */
    sk_buf_addstr(&r->problems, msg);
}

static int rec_bad(const struct pj_rec *r) { return r->problems.len > 0 || r->first_field; }

/* Reject the record when it has problems; returns 1 when rejected. */
static int rec_finish(struct pj_rec *r) {
  int bad = rec_bad(r);
  if (bad) {
    int rc;
    if (r->key)
      rc = ix_batch_reject(r->pj->b, r->key, r->first_field, "%s '%s': %s.", r->what, r->key,
                           sk_buf_str(&r->problems));
    else
      rc = ix_batch_reject(r->pj->b, NULL, r->first_field, "%s nummer %zu (zonder key): %s.",
                           r->what, r->index, sk_buf_str(&r->problems));
    if (rc)
      r->pj->oom = 1;
  }
  sk_buf_free(&r->problems);
  return bad;
}

static void warn_field(struct pj_rec *r, const char *field) {
  struct pj *pj = r->pj;
  if (++pj->n_warnings > PJ_MAX_WARNINGS)
    return;
  int rc;
  if (r->key)
    rc = ix_batch_warn(pj->b, "%s '%s': het veld '%s' kennen we niet; het is niet gebruikt.",
                       r->what, r->key, field);
  else
    rc = ix_batch_warn(pj->b, "%s nummer %zu: het veld '%s' kennen we niet; het is niet gebruikt.",
                       r->what, r->index, field);
  if (rc)
    pj->oom = 1;
}

static const char *dup(struct pj_rec *r, const char *s, size_t n) {
  const char *p = ix_strndup(r->pj->b, s, n);
  if (!p)
    r->pj->oom = 1;
  return p;
}

/* Optional text: NULL when absent, null or "". */
static const char *get_text(struct pj_rec *r, const jv *obj, const char *field) {
  const jv *v = JGET(r, obj, field);
  if (is_null(v))
    return NULL;
  if (!is_string(v)) {
    problem(r, field, "het veld '%s' moet tekst zijn", field);
    return NULL;
  }
  if (v->len == 0)
    return NULL;
  return dup(r, JSTR(r, v), v->len);
}

static const char *need_text(struct pj_rec *r, const jv *obj, const char *field) {
  const jv *v = JGET(r, obj, field);
  const char *s = get_text(r, obj, field);
  if (!s && (is_null(v) || is_string(v)))
    problem(r, field, "het veld '%s' ontbreekt", field);
  return s;
}

/* Optional whole number; IX_UNSET when absent. */
static int get_int(struct pj_rec *r, const jv *obj, const char *field) {
  const jv *v = JGET(r, obj, field);
  if (is_null(v))
    return IX_UNSET;
  if (v->type != IX_JINT) {
    problem(r, field, "het veld '%s' moet een heel getal zijn", field);
    return IX_UNSET;
  }
  long long i = v->i;
  if (i < -1000000 || i > 1000000) {
    problem(r, field, "het veld '%s' is veel te groot", field);
    return IX_UNSET;
  }
  return (int)i;
}

static int get_bool(struct pj_rec *r, const jv *obj, const char *field) {
  const jv *v = JGET(r, obj, field);
  if (is_null(v))
    return 0;
  if (v->type != IX_JTRUE && v->type != IX_JFALSE) {
    problem(r, field, "het veld '%s' moet true of false zijn", field);
    return 0;
  }
  return v->type == IX_JTRUE;
}

/* A list of texts into sv; a single text is taken as a list of one. */
static void get_strv(struct pj_rec *r, const jv *obj, const char *field, struct ix_strv *sv) {
  const jv *v = JGET(r, obj, field);
  if (is_null(v))
    return;
  if (is_string(v)) {
    if (v->len && ix_strv_push(r->pj->b, sv, JSTR(r, v)))
      r->pj->oom = 1;
    return;
  }
  if (!is_array(v)) {
    problem(r, field, "het veld '%s' moet een lijst zijn", field);
    return;
  }
  JFOREACH(r, v, e) {
    if (!is_string(e)) {
      problem(r, field, "de lijst '%s' mag alleen tekst bevatten", field);
      return;
    }
    if (e->len == 0)
      continue;
    if (ix_strv_push(r->pj->b, sv, JSTR(r, e))) {
      r->pj->oom = 1;
      return;
    }
  }
}

/* Keys: letters, digits, '-', '_', '.'; 1..100 bytes. */
static int key_syntax_ok(const char *k, size_t n) {
  if (n == 0 || n > 100)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = k[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.'))
      return 0;
  }
  return 1;
}

static const char *get_key(struct pj_rec *r, const jv *obj, const char *field) {
  const jv *v = JGET(r, obj, field);
  if (is_null(v)) {
    problem(r, field, "het veld '%s' ontbreekt", field);
    return NULL;
  }
  if (!is_string(v)) {
    problem(r, field, "het veld '%s' moet tekst zijn", field);
    return NULL;
  }
  const char *k = JSTR(r, v);
  if (!key_syntax_ok(k, v->len)) {
    problem(r, field,
            "het veld '%s' mag alleen letters, cijfers, '-', '_' en '.' bevatten "
            "(1 tot 100 tekens)",
            field);
    return NULL;
  }
  return dup(r, k, v->len);
}

/* known: the field names, NULL-terminated. */
static void check_known_fields(struct pj_rec *r, const jv *obj, const char *const *known) {
  JFOREACH(r, obj, m) {
    const char *name = ix_jnode_key(r->pj->j, m);
    int found = 0;
    for (const char *const *k = known; *k; k++)
      if ((*k)[0] == name[0] && strcmp(name, *k) == 0) {
        found = 1;
        break;
      }
    if (!found)
      warn_field(r, name);
  }
}

static void read_org(struct pj *pj, const jv *obj, size_t index) {
  static const char *const known[] = {"key",     "name",  "description", "email",
                                      "website", "phone", NULL};
  struct pj_rec r;
  rec_init(&r, pj, "Organisatie", index);
  if (!is_object(obj)) {
    problem(&r, NULL, "dit moet een object zijn ({ ... })");
    rec_finish(&r);
    return;
  }
  struct ix_org o = {0};
  o.key = r.key = get_key(&r, obj, "key");
  o.name = need_text(&r, obj, "name");
  o.description = get_text(&r, obj, "description");
  o.email = get_text(&r, obj, "email");
  o.website = get_text(&r, obj, "website");
  o.phone = get_text(&r, obj, "phone");
  check_known_fields(&r, obj, known);
  if (rec_finish(&r))
    return;
  struct ix_org *slot = ix_batch_add_org(pj->b);
  if (!slot) {
    pj->oom = 1;
    return;
  }
  *slot = o;
}

static double get_double(struct pj_rec *r, const jv *obj, const char *field, int *present) {
  const jv *v = JGET(r, obj, field);
  if (is_null(v))
    return 0;
  if (v->type != IX_JINT && v->type != IX_JREAL) {
    problem(r, field, "het veld '%s' moet een getal zijn", field);
    return 0;
  }
  (*present)++;
  return v->d;
}

static void read_location(struct pj *pj, const jv *obj, size_t index) {
  static const char *const known[] = {
      "key",          "organization", "name",      "address",       "postal_code", "city",
      "municipality", "latitude",     "longitude", "accessibility", NULL};
  struct pj_rec r;
  rec_init(&r, pj, "Locatie", index);
  if (!is_object(obj)) {
    problem(&r, NULL, "dit moet een object zijn ({ ... })");
    rec_finish(&r);
    return;
  }
  struct ix_location l = {0};
  l.key = r.key = get_key(&r, obj, "key");
  l.org_key = get_key(&r, obj, "organization");
  l.name = get_text(&r, obj, "name");
  l.address = get_text(&r, obj, "address");
  l.postal_code = get_text(&r, obj, "postal_code");
  l.city = get_text(&r, obj, "city");
  l.municipality = get_text(&r, obj, "municipality");
  l.accessibility = get_text(&r, obj, "accessibility");
  int present = 0;
  l.latitude = get_double(&r, obj, "latitude", &present);
  l.longitude = get_double(&r, obj, "longitude", &present);
  if (present == 1)
    problem(&r, "latitude", "geef 'latitude' en 'longitude' allebei, of geen van beide");
  l.has_coordinates = present == 2;
  check_known_fields(&r, obj, known);
  if (rec_finish(&r))
    return;
  struct ix_location *slot = ix_batch_add_location(pj->b);
  if (!slot) {
    pj->oom = 1;
    return;
  }
  *slot = l;
}

/* "ma".."zo" (and the full Dutch names) to 1..7; 0 when unknown. */
static int day_number(const char *d) {
  static const char *const short_names[] = {"ma", "di", "wo", "do", "vr", "za", "zo"};
  static const char *const long_names[] = {"maandag", "dinsdag",  "woensdag", "donderdag",
                                           "vrijdag", "zaterdag", "zondag"};
  for (int i = 0; i < 7; i++)
    if (strcasecmp(d, short_names[i]) == 0 || strcasecmp(d, long_names[i]) == 0)
      return i + 1;
  return 0;
}

static int time_ok(const char *t) {
  return strlen(t) == 5 && t[0] >= '0' && t[0] <= '2' && t[1] >= '0' && t[1] <= '9' &&
         t[2] == ':' && t[3] >= '0' && t[3] <= '5' && t[4] >= '0' && t[4] <= '9' &&
         (t[0] - '0') * 10 + (t[1] - '0') <= 24;
}

static void read_hours(struct pj_rec *r, const jv *obj, struct ix_service *s) {
  const jv *v = JGET(r, obj, "hours");
  if (is_null(v))
    return;
  if (!is_array(v)) {
    problem(r, "hours", "het veld 'hours' moet een lijst zijn");
    return;
  }
  JFOREACH(r, v, h) {
    if (!is_object(h)) {
      problem(r, "hours", "elke regel in 'hours' moet een object zijn");
      return;
    }
    const jv *days = JGET(r, h, "days");
    const char *opens = JSTR(r, JGET(r, h, "opens"));
    const char *closes = JSTR(r, JGET(r, h, "closes"));
    const jv *note_v = JGET(r, h, "note");
    if (!is_array(days) || days->len == 0) {
      problem(r, "hours", "een regel in 'hours' mist 'days' (een lijst zoals [\"ma\", \"di\"])");
      return;
    }
    if (!opens || !closes || !time_ok(opens) || !time_ok(closes)) {
      problem(r, "hours", "'opens' en 'closes' in 'hours' moeten tijden zijn zoals \"09:00\"");
      return;
    }
    if (strcmp(opens, closes) >= 0) {
      problem(r, "hours", "in 'hours' moet 'opens' (%s) voor 'closes' (%s) liggen", opens, closes);
      return;
    }
    if (!is_null(note_v) && !is_string(note_v)) {
      problem(r, "hours", "'note' in 'hours' moet tekst zijn");
      return;
    }
    const char *note = ix_jnode_strlen(note_v) ? dup(r, JSTR(r, note_v), note_v->len) : NULL;
    JFOREACH(r, days, d) {
      int wd = is_string(d) ? day_number(JSTR(r, d)) : 0;
      if (!wd) {
        problem(r, "hours", "onbekende dag in 'hours'; gebruik ma, di, wo, do, vr, za of zo");
        return;
      }
      struct ix_hours *slot = IX_PUSH(r->pj->b, s->hours);
      if (!slot) {
        r->pj->oom = 1;
        return;
      }
      slot->weekday = wd;
      snprintf(slot->opens, sizeof slot->opens, "%s", opens);
      snprintf(slot->closes, sizeof slot->closes, "%s", closes);
      slot->note = note;
    }
  }
}

static void read_phones(struct pj_rec *r, const jv *obj, struct ix_service *s) {
  const jv *v = JGET(r, obj, "phones");
  if (is_null(v))
    return;
  if (!is_array(v)) {
    problem(r, "phones", "het veld 'phones' moet een lijst zijn");
    return;
  }
  JFOREACH(r, v, p) {
    struct ix_phone ph = {0};
    if (is_string(p)) {
      ph.number = dup(r, JSTR(r, p), p->len);
    } else if (is_object(p)) {
      ph.number = need_text(r, p, "number");
      ph.description = get_text(r, p, "description");
      ph.restricted = get_bool(r, p, "restricted");
    } else {
      problem(r, "phones",
              "elk nummer in 'phones' moet een object zijn zoals "
              "{\"number\": \"035 000 0001\"}");
      return;
    }
    if (!ph.number)
      return;
    struct ix_phone *slot = IX_PUSH(r->pj->b, s->phones);
    if (!slot) {
      r->pj->oom = 1;
      return;
    }
    *slot = ph;
  }
}

static void read_areas(struct pj_rec *r, const jv *obj, struct ix_service *s) {
  struct ix_strv codes = {0};
  get_strv(r, obj, "areas", &codes);
  for (size_t i = 0; i < codes.n; i++) {
    struct ix_area *a = IX_PUSH(r->pj->b, s->areas);
    if (!a) {
      r->pj->oom = 1;
      return;
    }
    a->code = codes.v[i];
    a->min_age = a->max_age = IX_UNSET;
  }
  const jv *ex = JGET(r, obj, "area_exceptions");
  if (is_null(ex))
    return;
  if (!is_array(ex)) {
    problem(r, "area_exceptions", "het veld 'area_exceptions' moet een lijst zijn");
    return;
  }
  JFOREACH(r, ex, e) {
    if (!is_object(e)) {
      problem(r, "area_exceptions", "elke regel in 'area_exceptions' moet een object zijn");
      return;
    }
    const char *code = need_text(r, e, "municipality");
    int min_age = get_int(r, e, "min_age"), max_age = get_int(r, e, "max_age");
    const char *note = get_text(r, e, "note");
    if (!code)
      return;
    /* An exception narrows an area the service already names, or adds it. */
    struct ix_area *a = NULL;
    for (size_t j = 0; j < s->areas.n; j++)
      if (strcmp(s->areas.v[j].code, code) == 0)
        a = &s->areas.v[j];
    if (!a) {
      a = IX_PUSH(r->pj->b, s->areas);
      if (!a) {
        r->pj->oom = 1;
        return;
      }
      a->code = code;
    }
    a->min_age = min_age;
    a->max_age = max_age;
    a->note = note;
  }
}

/* keywords: a list of words or phrases, stored as one comma-separated text. */
static const char *read_keywords(struct pj_rec *r, const jv *obj) {
  struct ix_strv kw = {0};
  get_strv(r, obj, "keywords", &kw);
  if (kw.n == 0)
    return NULL;
  struct sk_buf buf;
  sk_buf_init(&buf, 64 * 1024);
  for (size_t i = 0; i < kw.n; i++)
    if ((i && sk_buf_addstr(&buf, ", ")) || sk_buf_addstr(&buf, kw.v[i])) {
      problem(r, "keywords", "de lijst 'keywords' is te lang");
      sk_buf_free(&buf);
      return NULL;
    }
  const char *out = dup(r, buf.ptr, buf.len);
  sk_buf_free(&buf);
  return out;
}

static void read_service(struct pj *pj, const jv *obj, size_t index) {
  static const char *const known[] = {"key",
                                      "organization",
                                      "name",
                                      "summary",
                                      "description",
                                      "keywords",
                                      "needs",
                                      "target_groups",
                                      "areas",
                                      "area_exceptions",
                                      "access",
                                      "cost",
                                      "laws",
                                      "min_age",
                                      "max_age",
                                      "application_process",
                                      "eligibility",
                                      "fees",
                                      "url",
                                      "email",
                                      "phones",
                                      "referral_contact",
                                      "locations",
                                      "hours",
                                      "assured_date",
                                      "assured_by",
                                      NULL};
  struct pj_rec r;
  rec_init(&r, pj, "Dienst", index);
  if (!is_object(obj)) {
    problem(&r, NULL, "dit moet een object zijn ({ ... })");
    rec_finish(&r);
    return;
  }
  /* Build in place; a rejected service is popped off again. */
  struct ix_service *s = ix_batch_add_service(pj->b);
  if (!s) {
    pj->oom = 1;
    sk_buf_free(&r.problems);
    return;
  }
  s->kind = IX_KIND_SERVICE;
  s->key = r.key = get_key(&r, obj, "key");
  s->org_key = get_key(&r, obj, "organization");
  s->name = need_text(&r, obj, "name");
  s->summary = get_text(&r, obj, "summary");
  s->description = get_text(&r, obj, "description");
  s->keywords = read_keywords(&r, obj);
  get_strv(&r, obj, "needs", &s->needs);
  get_strv(&r, obj, "target_groups", &s->target_groups);
  get_strv(&r, obj, "laws", &s->laws);
  get_strv(&r, obj, "locations", &s->location_keys);
  read_areas(&r, obj, s);
  s->access = get_text(&r, obj, "access");
  s->cost = get_text(&r, obj, "cost");
  s->min_age = get_int(&r, obj, "min_age");
  s->max_age = get_int(&r, obj, "max_age");
  s->application_process = get_text(&r, obj, "application_process");
  s->eligibility = get_text(&r, obj, "eligibility");
  s->fees = get_text(&r, obj, "fees");
  s->url = get_text(&r, obj, "url");
  s->email = get_text(&r, obj, "email");
  s->referral_contact = get_text(&r, obj, "referral_contact");
  s->assured_date = get_text(&r, obj, "assured_date");
  s->assured_by = get_text(&r, obj, "assured_by");
  read_phones(&r, obj, s);
  read_hours(&r, obj, s);
  check_known_fields(&r, obj, known);
  if (rec_finish(&r))
    pj->b->services.n--; /* the slot stays in the arena, unused */
}

/* ---- the document ------------------------------------------------------ */

/* Values in one record beyond this make the feed unreadable: reading a
 * record builds its tree in memory, and no real record comes near. */
#define PJ_MAX_VALUES_PER_RECORD 100000u

typedef void (*read_fn)(struct pj *, const jv *, size_t);

enum { L_ORGS, L_LOCS, L_SVCS, L_COUNT };
static const char *const list_name[L_COUNT] = {"organizations", "locations", "services"};

/* What the whole-document check learned about the top-level members. */
struct root {
  const char *list_at[L_COUNT]; /* where each list's value starts; NULL: absent */
  enum ix_jtype list_type[L_COUNT];
  size_t list_count[L_COUNT];
  int has_format, format_ok;
  struct sk_buf unknown; /* names of unknown members, each NUL-terminated, in order */
  size_t n_unknown;
};

static int root_member(void *ctx, struct ix_json *j, const char *name, size_t len) {
  struct root *root = ctx;
  enum ix_jtype type;
  size_t count;
  for (int l = 0; l < L_COUNT; l++)
    if (strcmp(name, list_name[l]) == 0 && len == strlen(list_name[l])) {
      root->list_at[l] = j->p;
      int rc = ix_json_check(j, &root->list_type[l], &count);
      root->list_count[l] = count;
      return rc;
    }
  if (strcmp(name, "format") == 0 && len == 6) {
    root->has_format = 1;
    /* the value may be missing: the input can end right after ':' */
    if (j->p >= j->end || *j->p != '"')
      return ix_json_check(j, &type, NULL);
    size_t off, flen;
    int rc = ix_json_string(j, &off, &flen);
    root->format_ok = !rc && flen == strlen(IX_PARTNER_JSON_FORMAT) &&
                      memcmp(j->text + off, IX_PARTNER_JSON_FORMAT, flen) == 0;
    return rc;
  }
  if (!(strcmp(name, "about") == 0 && len == 5) && !(strcmp(name, "$schema") == 0 && len == 7)) {
    if (sk_buf_add(&root->unknown, name, len + 1))
      return SK_ENOMEM;
    root->n_unknown++;
  }
  return ix_json_check(j, &type, NULL);
}

/* Check the whole document (syntax, UTF-8, duplicate keys, limits) without
 * keeping it; remember where the lists are. SK_EPARSE with err empty: a
 * JSON error (ix_json_message says which). */
static int scan_document(struct ix_json *j, struct root *root, char *err, size_t errlen) {
  j->count_depth = 3; /* root object, list, record */
  j->count_max = PJ_MAX_VALUES_PER_RECORD;
  j->p = j->start;
  int rc;
  if (ix_json_eat(j, '[')) {
    enum ix_jtype type;
    j->p--;
    if ((rc = ix_json_check(j, &type, NULL)))
      return rc;
    if (!ix_json_at_end(j))
      return ix_json_expected(j, "het einde van de tekst");
    snprintf(err, errlen, "De feed moet een JSON-object zijn: { \"format\": \"%s\", ... }.",
             IX_PARTNER_JSON_FORMAT);
    return SK_EPARSE;
  }
  if ((rc = ix_json_check_object(j, root_member, root)))
    return rc;
  if (!ix_json_at_end(j))
    return ix_json_expected(j, "het einde van de tekst");
  return SK_OK;
}

/* Read the records of one list, one at a time. */
static int read_list(struct pj *pj, const char *at, read_fn fn, char *err, size_t errlen) {
  struct ix_json *j = pj->j;
  j->p = at;
  if (!ix_json_eat(j, '[') || ix_json_eat(j, ']'))
    return SK_OK; /* null or empty */
  size_t index = 0;
  for (;;) {
    size_t node;
    ix_json_reset(j);
    j->depth = 2; /* the root object and the list */
    int rc = ix_json_read(j, &node);
    if (rc) { /* only memory: the document was checked */
      snprintf(err, errlen, "Te weinig geheugen om de feed te lezen.");
      return j->oom ? SK_ENOMEM : rc;
    }
    fn(pj, ix_jnode_at(j, node), ++index);
    if (pj->oom) {
      snprintf(err, errlen, "Te weinig geheugen om de feed te lezen.");
      return SK_ENOMEM;
    }
    if (!ix_json_eat(j, ','))
      return SK_OK;
  }
}

int ix_partner_json_parse(const char *data, size_t len, struct ix_batch *out, char *err,
                          size_t errlen) {
  if (err && errlen)
    err[0] = '\0';
  char dummy[8];
  if (!err || !errlen) {
    err = dummy;
    errlen = sizeof dummy;
  }
  if (len > IX_PARTNER_JSON_MAX_BYTES) {
    snprintf(err, errlen, "De feed is te groot (%zu MB; hoogstens %zu MB).", len >> 20,
             IX_PARTNER_JSON_MAX_BYTES >> 20);
    return SK_ETOOBIG;
  }
  struct ix_json j;
  ix_json_init(&j, data, len);
  struct root root;
  memset(&root, 0, sizeof root);
  sk_buf_init(&root.unknown, len + 1);
  /* First the whole document: a broken feed must add nothing to out. */
  int rc = scan_document(&j, &root, err, errlen);
  if (rc == SK_EPARSE && !err[0]) {
    char where[300];
    ix_json_message(&j, where, sizeof where);
    snprintf(err, errlen, "De feed is geen geldige JSON (%s).", where);
  }
  if (rc) {
    if (rc == SK_ENOMEM)
      snprintf(err, errlen, "Te weinig geheugen om de feed te lezen.");
    goto out;
  }
  if (root.has_format && !root.format_ok) {
    snprintf(err, errlen, "Onbekend formaat; verwacht \"format\": \"%s\".", IX_PARTNER_JSON_FORMAT);
    rc = SK_EPARSE;
    goto out;
  }
  if (!root.list_at[L_SVCS]) {
    snprintf(err, errlen, "De feed heeft geen lijst 'services'.");
    rc = SK_EPARSE;
    goto out;
  }
  for (int l = 0; l < L_COUNT; l++) {
    if (!root.list_at[l] || root.list_type[l] == IX_JNULL)
      continue;
    if (root.list_type[l] != IX_JARR) {
      snprintf(err, errlen, "Het veld '%s' moet een lijst zijn ([ ... ]).", list_name[l]);
      rc = SK_EPARSE;
      goto out;
    }
    if (root.list_count[l] > IX_PARTNER_JSON_MAX_RECORDS) {
      snprintf(err, errlen, "De lijst '%s' heeft meer dan %u records.", list_name[l],
               IX_PARTNER_JSON_MAX_RECORDS);
      rc = SK_ETOOBIG;
      goto out;
    }
  }
  struct pj pj = {.b = out, .j = &j};
  if (!root.has_format &&
      ix_batch_warn(out, "Het veld 'format' ontbreekt; we lezen de feed als \"%s\".",
                    IX_PARTNER_JSON_FORMAT)) {
    rc = SK_ENOMEM;
    goto out;
  }
  const char *name = root.unknown.ptr;
  for (size_t i = 0; i < root.n_unknown; i++, name += strlen(name) + 1)
    if (ix_batch_warn(out, "Het veld '%s' bovenaan de feed kennen we niet; het is niet gebruikt.",
                      name)) {
      rc = SK_ENOMEM;
      goto out;
    }
  static const read_fn fns[L_COUNT] = {read_org, read_location, read_service};
  for (int l = 0; l < L_COUNT && !rc; l++)
    if (root.list_at[l])
      rc = read_list(&pj, root.list_at[l], fns[l], err, errlen);
  if (rc)
    goto out;
  if (pj.n_warnings > PJ_MAX_WARNINGS &&
      ix_batch_warn(out, "En nog %zu waarschuwingen over onbekende velden.",
                    pj.n_warnings - PJ_MAX_WARNINGS))
    rc = SK_ENOMEM;
out:
  if (rc == SK_ENOMEM && !err[0])
    snprintf(err, errlen, "Te weinig geheugen om de feed te lezen.");
  sk_buf_free(&root.unknown);
  ix_json_free(&j);
  return rc;
}
