#include "ix_validate.h"

#include "sk_check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sk_buf.h"
#include "sk_err.h"
#include "sk_fold.h"

#define V_MAX_PROBLEM_TEXT 1500

struct vctx {
  struct ix_batch *b;
  const struct sk_taxonomy *tax;
  struct ix_keymap vocab[SK_VOCAB_COUNT]; /* code -> 1 */
  struct ix_keymap orgs, locations, services;
  int oom;
};

/* The problems of one record, reported as one rejection. */
struct vrec {
  struct vctx *c;
  const char *what;
  const char *key;
  struct sk_buf problems;
  const char *first_field;
  int bad;
};

static void vrec_init(struct vrec *r, struct vctx *c, const char *what, const char *key) {
  memset(r, 0, sizeof *r);
  r->c = c;
  r->what = what;
  r->key = key;
  sk_buf_init(&r->problems, V_MAX_PROBLEM_TEXT + 1024);
}

static void problem(struct vrec *r, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(struct vrec *r, const char *field, const char *fmt, ...) {
  r->bad = 1;
  if (!r->first_field && field)
    r->first_field = field;
  if (r->problems.len > V_MAX_PROBLEM_TEXT)
    return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if ((r->problems.len && sk_buf_addstr(&r->problems, "; ")) || sk_buf_addstr(&r->problems, msg))
    sk_buf_addstr(&r->problems, msg);
  if (r->problems.len > V_MAX_PROBLEM_TEXT)
    sk_buf_addstr(&r->problems, " …");
}

/* Reject the record when it has problems; returns 1 when rejected. */
static int vrec_finish(struct vrec *r) {
  int bad = r->bad;
  if (bad) {
    const char *k = r->key && sk_utf8_valid(r->key, strlen(r->key)) ? r->key : NULL;
    int rc = k ? ix_batch_reject(r->c->b, k, r->first_field, "%s '%.100s': %s.", r->what, k,
                                 sk_buf_str(&r->problems))
               : ix_batch_reject(r->c->b, NULL, r->first_field, "%s zonder geldige key: %s.",
                                 r->what, sk_buf_str(&r->problems));
    if (rc)
      r->c->oom = 1;
  }
  sk_buf_free(&r->problems);
  return bad;
}

/* Input shown back in a reason: valid UTF-8 and at most about 60 bytes. */
static void shown(const char *s, char out[80]) {
  size_t n = strlen(s);
  if (!sk_utf8_valid(s, n)) {
    snprintf(out, 80, "(onleesbare tekst)");
    return;
  }
  size_t i = sk_utf8_prefix(s, n, 60);
  snprintf(out, 80, "%.*s%s", (int)i, s, i < n ? "…" : "");
}

static void check_text(struct vrec *r, const char *field, const char *s, size_t max) {
  if (!s)
    return;
  size_t len = strlen(s);
  if (!sk_utf8_valid(s, len)) {
    problem(r, field, "het veld '%s' bevat tekens die geen geldige UTF-8 zijn", field);
    return;
  }
  if (len > max) { /* a cheap bound before counting characters */
    size_t n = sk_utf8_chars(s);
    if (n > max)
      problem(r, field, "het veld '%s' is te lang (%zu tekens; hoogstens %zu)", field, n, max);
  }
}

static void need(struct vrec *r, const char *field, const char *s) {
  if (!s || !*s)
    problem(r, field, "het veld '%s' ontbreekt", field);
}

/* Drop duplicates and check each code against the vocabularies. */
static void check_codes(struct vrec *r, const char *field, struct ix_strv *sv, int v1, int v2,
                        const char *label) {
  size_t w = 0;
  if (sv->n > SK_FIELD_MAX_CODES) {
    problem(r, field, "de lijst '%s' is te lang (hoogstens %d codes)", field, SK_FIELD_MAX_CODES);
    return;
  }
  for (size_t i = 0; i < sv->n; i++) {
    const char *code = sv->v[i];
    int known = ix_keymap_get(&r->c->vocab[v1], code, NULL) ||
                (v2 >= 0 && ix_keymap_get(&r->c->vocab[v2], code, NULL));
    if (!known) {
      char s[80];
      shown(code, s);
      problem(r, field, "de code '%s' in '%s' bestaat niet (zie de lijst met %s)", s, field, label);
      continue;
    }
    int dup = 0;
    for (size_t j = 0; j < w; j++)
      if (strcmp(sv->v[j], code) == 0)
        dup = 1;
    if (!dup)
      sv->v[w++] = code;
  }
  sv->n = w;
}

static void check_one_code(struct vrec *r, const char *field, const char *code, int vocab,
                           const char *label) {
  if (code && !ix_keymap_get(&r->c->vocab[vocab], code, NULL)) {
    char s[80];
    shown(code, s);
    problem(r, field, "de code '%s' in '%s' bestaat niet (zie de lijst met %s)", s, field, label);
  }
}

static void check_ages(struct vrec *r, const char *where, int min_age, int max_age) {
  int bad_min = min_age != IX_UNSET && (min_age < 0 || min_age > SK_FIELD_MAX_AGE);
  int bad_max = max_age != IX_UNSET && (max_age < 0 || max_age > SK_FIELD_MAX_AGE);
  if (bad_min)
    problem(r, "min_age", "%s'min_age' moet tussen 0 en %d liggen", where, SK_FIELD_MAX_AGE);
  if (bad_max)
    problem(r, "max_age", "%s'max_age' moet tussen 0 en %d liggen", where, SK_FIELD_MAX_AGE);
  if (!bad_min && !bad_max && min_age != IX_UNSET && max_age != IX_UNSET && min_age > max_age)
    problem(r, "min_age", "%s'min_age' (%d) is hoger dan 'max_age' (%d)", where, min_age, max_age);
}

/* ---- optional fields: repaired or dropped with a warning, never the record */

static void warn(struct vrec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct vrec *r, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const char *k = r->key && sk_utf8_valid(r->key, strlen(r->key)) ? r->key : "";
  if (ix_batch_warn(r->c->b, "%s '%.100s': %s.", r->what, k, msg))
    r->c->oom = 1;
}

/* A web address: kept when valid; "www.example.nl" gets "https://"; else
 * dropped with a warning. */
static void fix_url(struct vrec *r, const char *field, const char **s) {
  if (!*s || sk_check_url(*s))
    return;
  char v[80];
  shown(*s, v);
  const char *p = *s;
  int bare = strchr(p, '.') && !strchr(p, ' ') && !strstr(p, "://") && !strchr(p, ':') &&
             p[0] != '/';
  if (bare) {
    const char *fixed = ix_printf(r->c->b, "https://%s", p);
    if (!fixed) {
      r->c->oom = 1;
      return;
    }
    if (sk_check_url(fixed)) {
      *s = fixed;
      warn(r, "'%s' in '%s' had geen https://; we hebben het ervoor gezet", v, field);
      return;
    }
  }
  *s = NULL;
  warn(r, "'%s' in '%s' is geen geldig webadres (begin met https://); het veld is weggelaten", v,
       field);
}

static void fix_email(struct vrec *r, const char *field, const char **s) {
  if (!*s || sk_check_email(*s))
    return;
  const char *p = *s;
  if (strncasecmp(p, "mailto:", 7) == 0 && sk_check_email(p + 7)) {
    *s = p + 7;
    return;
  }
  char v[80];
  shown(p, v);
  *s = NULL;
  warn(r, "'%s' in '%s' is geen geldig e-mailadres; het veld is weggelaten", v, field);
}

/* Cut a name that is too long at the last word boundary before the cap,
 * with "…"; the full text is not lost when the caller keeps it elsewhere. */
static void fix_name(struct vrec *r, const char *field, const char **s, size_t max) {
  if (!*s || !sk_utf8_valid(*s, strlen(*s)) || sk_utf8_chars(*s) <= max)
    return;
  const char *p = *s;
  size_t n = strlen(p), i = 0, chars = 0, last_space = 0;
  while (i < n && chars < max - 1) { /* room for the "…" */
    uint32_t cp;
    size_t k = sk_utf8_decode(p + i, n - i, &cp);
    if (!k)
      break;
    if (cp == ' ')
      last_space = i;
    i += k;
    chars++;
  }
  size_t cut = last_space > i / 2 ? last_space : i;
  while (cut && (p[cut - 1] == ' ' || p[cut - 1] == ',' || p[cut - 1] == '-'))
    cut--;
  const char *fixed = ix_printf(r->c->b, "%.*s…", (int)cut, p);
  if (!fixed) {
    r->c->oom = 1;
    return;
  }
  *s = fixed;
  warn(r, "het veld '%s' was langer dan %zu tekens; we hebben het ingekort", field, max);
}

static void check_key(struct vrec *r, const char *key) {
  if (!key || !*key) {
    problem(r, "key", "het veld 'key' ontbreekt");
    return;
  }
  check_text(r, "key", key, IX_MAX_KEY);
  for (const char *p = key; *p; p++)
    if ((unsigned char)*p < 0x20) {
      problem(r, "key", "het veld 'key' bevat een stuurteken");
      return;
    }
}

static void register_key(struct vrec *r, struct ix_keymap *m, const char *key, size_t index) {
  if (r->bad || !key)
    return;
  int rc = ix_keymap_put(m, key, index);
  if (rc == SK_ECONFLICT)
    problem(r, "key", "deze key komt vaker voor in de feed; elke key mag maar één keer");
  else if (rc)
    r->c->oom = 1;
}

static void validate_orgs(struct vctx *c) {
  struct ix_batch *b = c->b;
  size_t w = 0;
  for (size_t i = 0; i < b->orgs.n && !c->oom; i++) {
    struct ix_org *o = &b->orgs.v[i];
    struct vrec r;
    vrec_init(&r, c, "Organisatie", o->key);
    check_key(&r, o->key);
    need(&r, "name", o->name);
    fix_name(&r, "name", &o->name, SK_FIELD_MAX_NAME);
    check_text(&r, "name", o->name, SK_FIELD_MAX_NAME);
    check_text(&r, "description", o->description, SK_FIELD_MAX_TEXT);
    fix_email(&r, "email", &o->email);
    fix_url(&r, "website", &o->website);
    if (o->phone && !sk_check_phone(o->phone)) {
      char v[80];
      shown(o->phone, v);
      warn(&r, "'%s' in 'phone' is geen geldig telefoonnummer; het veld is weggelaten", v);
      o->phone = NULL;
    }
    register_key(&r, &c->orgs, o->key, w);
    if (!vrec_finish(&r))
      b->orgs.v[w++] = *o;
  }
  b->orgs.n = w;
}

static void check_org_ref(struct vrec *r, const char *org_key, int required) {
  if (!org_key) {
    if (required)
      problem(r, "organization", "het veld 'organization' ontbreekt");
    return;
  }
  if (!ix_keymap_get(&r->c->orgs, org_key, NULL)) {
    char v[80];
    shown(org_key, v);
    problem(r, "organization", "de organisatie '%s' staat niet (goedgekeurd) in deze feed", v);
  }
}

static void validate_locations(struct vctx *c) {
  struct ix_batch *b = c->b;
  size_t w = 0;
  for (size_t i = 0; i < b->locations.n && !c->oom; i++) {
    struct ix_location *l = &b->locations.v[i];
    struct vrec r;
    vrec_init(&r, c, "Locatie", l->key);
    check_key(&r, l->key);
    check_org_ref(&r, l->org_key, 0);
    fix_name(&r, "name", &l->name, SK_FIELD_MAX_NAME);
    check_text(&r, "name", l->name, SK_FIELD_MAX_NAME);
    check_text(&r, "address", l->address, SK_FIELD_MAX_SHORT);
    check_text(&r, "city", l->city, SK_FIELD_MAX_SHORT);
    check_text(&r, "accessibility", l->accessibility, SK_FIELD_MAX_TEXT);
    check_text(&r, "postal_code", l->postal_code, 16);
    check_one_code(&r, "municipality", l->municipality, SK_VOCAB_MUNICIPALITY, "gemeenten");
    if (l->postal_code && !r.bad) {
      char norm[8];
      int digits = sk_postcode_normalize(l->postal_code, norm);
      if (digits < 0) {
        char v[80];
        shown(l->postal_code, v);
        problem(&r, "postal_code", "'%s' is geen Nederlandse postcode (zoals 1271 AB)", v);
      } else {
        l->postal_code = ix_strdup(b, norm);
        if (!l->postal_code)
          c->oom = 1;
        const struct sk_term *m = sk_taxonomy_municipality_for_postcode(c->tax, digits);
        if (!l->municipality && m)
          l->municipality = m->code;
        else if (l->municipality && m && strcmp(l->municipality, m->code) != 0 &&
                 ix_batch_warn(b,
                               "Locatie '%.100s': de postcode %s hoort bij %s, niet bij '%s'; "
                               "we gebruiken %s.",
                               l->key, norm, m->label, l->municipality, m->label) == SK_OK)
          l->municipality = m->code;
      }
    }
    if (l->has_coordinates && (!isfinite(l->latitude) || !isfinite(l->longitude) ||
                               l->latitude < -90 || l->latitude > 90 || l->longitude < -180 ||
                               l->longitude > 180 || (l->latitude == 0 && l->longitude == 0)))
      problem(&r, "latitude", "de coördinaten 'latitude'/'longitude' kunnen niet kloppen");
    register_key(&r, &c->locations, l->key, w);
    if (!vrec_finish(&r))
      b->locations.v[w++] = *l;
  }
  b->locations.n = w;
}

static void validate_service(struct vctx *c, struct vrec *r, struct ix_service *s) {
  int activity = s->kind == IX_KIND_ACTIVITY;
  check_key(r, s->key);
  check_org_ref(r, s->org_key, 1);
  need(r, "name", s->name);
  fix_name(r, "name", &s->name, SK_FIELD_MAX_NAME);
  check_text(r, "name", s->name, SK_FIELD_MAX_NAME);
  check_text(r, "summary", s->summary, SK_FIELD_MAX_SUMMARY);
  check_text(r, "description", s->description, SK_FIELD_MAX_TEXT);
  check_text(r, "keywords", s->keywords, SK_FIELD_MAX_TEXT);
  check_text(r, "application_process", s->application_process, SK_FIELD_MAX_TEXT);
  check_text(r, "eligibility", s->eligibility, SK_FIELD_MAX_TEXT);
  check_text(r, "fees", s->fees, SK_FIELD_MAX_TEXT);
  check_text(r, "referral_contact", s->referral_contact, SK_FIELD_MAX_TEXT);
  check_text(r, "assured_by", s->assured_by, SK_FIELD_MAX_NAME);
  fix_url(r, "url", &s->url);
  fix_email(r, "email", &s->email);
  if (s->assured_date && !sk_check_date(s->assured_date)) {
    char v[80];
    shown(s->assured_date, v);
    warn(r, "'%s' in 'assured_date' is geen datum zoals 2026-10-01; het veld is weggelaten", v);
    s->assured_date = NULL;
  }
  /* A service we classified ourselves may have no need yet: it is on the
   * redactie's list (ix_classify). */
  if (s->needs.n == 0 && !s->auto_classified)
    problem(r, "needs", "het veld 'needs' ontbreekt: geef minstens één hulpvraag-code");
  check_codes(r, "needs", &s->needs, SK_VOCAB_NEED, -1, "hulpvragen");
  check_codes(r, "target_groups", &s->target_groups, SK_VOCAB_TARGET_GROUP, -1, "doelgroepen");
  check_codes(r, "laws", &s->laws, SK_VOCAB_LAW, -1, "wetten");
  if (!activity) {
    need(r, "access", s->access);
    need(r, "cost", s->cost);
  }
  check_one_code(r, "access", s->access, SK_VOCAB_ACCESS, "toegangscodes");
  check_one_code(r, "cost", s->cost, SK_VOCAB_COST, "kostencodes");
  check_ages(r, "", s->min_age, s->max_age);
  /* areas: municipality or scope codes; a code twice keeps its narrowing.
   * An unknown code is dropped with a warning when another area is valid. */
  if (s->areas.n == 0) {
    if (s->unplaced_area) {
      char v[80];
      shown(s->unplaced_area, v);
      problem(
          r, "areas",
          "het werkgebied '%s' kennen we niet en er is geen ander werkgebied: noem een gemeente, "
          "regio of 'Nederland'",
          v);
    } else {
      problem(r, "areas", "het veld 'areas' ontbreekt: geef minstens één gemeente of gebied");
    }
  }
  if (s->areas.n > SK_FIELD_MAX_CODES)
    problem(r, "areas", "de lijst 'areas' is te lang");
  size_t n_known = 0;
  for (size_t i = 0; i < s->areas.n && s->areas.n <= SK_FIELD_MAX_CODES; i++) {
    const char *code = s->areas.v[i].code;
    n_known += code && (ix_keymap_get(&c->vocab[SK_VOCAB_MUNICIPALITY], code, NULL) ||
                        ix_keymap_get(&c->vocab[SK_VOCAB_SCOPE], code, NULL));
  }
  size_t w = 0;
  for (size_t i = 0; i < s->areas.n && s->areas.n <= SK_FIELD_MAX_CODES; i++) {
    struct ix_area *a = &s->areas.v[i];
    if (!a->code || (!ix_keymap_get(&c->vocab[SK_VOCAB_MUNICIPALITY], a->code, NULL) &&
                     !ix_keymap_get(&c->vocab[SK_VOCAB_SCOPE], a->code, NULL))) {
      char v[80];
      shown(a->code ? a->code : "", v);
      if (n_known)
        warn(r, "de code '%s' in 'areas' is geen gemeente of gebied; die is weggelaten", v);
      else
        problem(r, "areas", "de code '%s' in 'areas' is geen gemeente of gebied", v);
      continue;
    }
    check_ages(r, "in 'area_exceptions': ", a->min_age, a->max_age);
    check_text(r, "area_exceptions", a->note, SK_FIELD_MAX_SHORT);
    size_t j;
    for (j = 0; j < w; j++)
      if (strcmp(s->areas.v[j].code, a->code) == 0)
        break;
    if (j == w)
      s->areas.v[w++] = *a;
    else if (a->min_age != IX_UNSET || a->max_age != IX_UNSET || a->note)
      s->areas.v[j] = *a;
  }
  if (s->areas.n <= SK_FIELD_MAX_CODES)
    s->areas.n = w;
  for (size_t i = 0; i < s->location_keys.n; i++)
    if (!ix_keymap_get(&c->locations, s->location_keys.v[i], NULL)) {
      char v[80];
      shown(s->location_keys.v[i], v);
      problem(r, "locations", "de locatie '%s' staat niet (goedgekeurd) in deze feed", v);
    }
  size_t wp = 0;
  for (size_t i = 0; i < s->phones.n; i++) {
    struct ix_phone *ph = &s->phones.v[i];
    if (!sk_check_phone(ph->number)) {
      char v[80];
      shown(ph->number, v);
      warn(r, "'%s' in 'phones' is geen geldig telefoonnummer; het is weggelaten", v);
      continue;
    }
    if (ph->extension) {
      int digits = ph->extension[0] != '\0';
      for (const char *q = ph->extension; *q; q++)
        digits &= (*q >= '0' && *q <= '9') || *q == ' ' || *q == '-';
      if (!digits || strlen(ph->extension) > 20) {
        char v[80];
        shown(ph->extension, v);
        warn(r, "toestel '%s' bij 'phones' is geen nummer; het is weggelaten", v);
        ph->extension = NULL;
      }
    }
    /* The store has no column for an extension: it goes with the
     * description ("Receptie, toestel 12"), never into the number. */
    if (ph->extension) {
      const char *d = ph->description
                          ? ix_printf(r->c->b, "%s, toestel %s", ph->description, ph->extension)
                          : ix_printf(r->c->b, "toestel %s", ph->extension);
      if (!d) {
        r->c->oom = 1;
        return;
      }
      ph->description = d;
      ph->extension = NULL;
    }
    check_text(r, "phones", ph->description, SK_FIELD_MAX_SHORT);
    s->phones.v[wp++] = *ph;
  }
  s->phones.n = wp;
  for (size_t i = 0; i < s->hours.n; i++) {
    struct ix_hours *h = &s->hours.v[i];
    if (h->weekday < 1 || h->weekday > 7 || !sk_check_hhmm(h->opens) || !sk_check_hhmm(h->closes) ||
        strcmp(h->opens, h->closes) >= 0 || (h->valid_from[0] && !sk_check_date(h->valid_from)) ||
        (h->valid_to[0] && !sk_check_date(h->valid_to)) ||
        (h->valid_from[0] && h->valid_to[0] && strcmp(h->valid_from, h->valid_to) > 0)) {
      problem(r, "hours", "een openingstijd in 'hours' klopt niet (dag, of 'opens' na 'closes')");
      break;
    }
    check_text(r, "hours", h->note, SK_FIELD_MAX_SHORT);
  }
  if (activity) {
    check_text(r, "uid", s->uid, IX_MAX_KEY);
    check_text(r, "location", s->location_text, SK_FIELD_MAX_SHORT);
    check_text(r, "recurrence", s->recurrence, SK_FIELD_MAX_SHORT);
    check_text(r, "organizer", s->organizer, SK_FIELD_MAX_SHORT);
    for (size_t i = 0; i < s->occurrences.n; i++)
      check_text(r, "location", s->occurrences.v[i].location_text, SK_FIELD_MAX_SHORT);
  }
}

static void validate_services(struct vctx *c) {
  struct ix_batch *b = c->b;
  size_t w = 0;
  for (size_t i = 0; i < b->services.n && !c->oom; i++) {
    struct ix_service *s = &b->services.v[i];
    struct vrec r;
    vrec_init(&r, c, s->kind == IX_KIND_ACTIVITY ? "Activiteit" : "Dienst", s->key);
    validate_service(c, &r, s);
    register_key(&r, &c->services, s->key, w);
    if (!vrec_finish(&r))
      b->services.v[w++] = *s;
  }
  b->services.n = w;
}

int ix_validate_batch(struct ix_batch *b, const struct sk_taxonomy *tax) {
  struct vctx c = {.b = b, .tax = tax};
  for (size_t i = 0; i < tax->n_terms && !c.oom; i++) {
    int rc = ix_keymap_put(&c.vocab[tax->terms[i].vocab], tax->terms[i].code, 1);
    if (rc && rc != SK_ECONFLICT)
      c.oom = 1;
  }
  if (!c.oom)
    validate_orgs(&c);
  if (!c.oom)
    validate_locations(&c);
  if (!c.oom)
    validate_services(&c);
  for (int v = 0; v < SK_VOCAB_COUNT; v++)
    ix_keymap_free(&c.vocab[v]);
  ix_keymap_free(&c.orgs);
  ix_keymap_free(&c.locations);
  ix_keymap_free(&c.services);
  return c.oom ? SK_ENOMEM : SK_OK;
}
