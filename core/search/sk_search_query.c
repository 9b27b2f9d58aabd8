/* Query parameters: sk_search_query_set (the API's and the CLI's names
 * and values) and resolve, which checks them against the taxonomy and
 * turns them into the bits the filters test (struct qf). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sk_err.h"
#include "sk_fold.h"
#include "sk_search_stages.h"

void sk_search_query_init(struct sk_search_query *q) {
  memset(q, 0, sizeof *q);
  q->age = -1;
  q->lat = NAN;
  q->lon = NAN;
}

int sks_qerr(struct sk_search_error *e, const char *param, const char *fmt, const char *v) {
  if (e) {
    snprintf(e->param, sizeof e->param, "%s", param);
    snprintf(e->message, sizeof e->message, fmt, v ? v : "");
  }
  return SK_EINVAL;
}

static int parse_int(const char *v, long lo, long hi, int *out) {
  if (!v || !*v)
    return -1;
  char *end;
  long x = strtol(v, &end, 10);
  if (*end || x < lo || x > hi)
    return -1;
  *out = (int)x;
  return 0;
}

static int parse_bool(const char *v, int *out) {
  if (!v || !*v || !strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "ja") || !strcmp(v, "on")) {
    *out = 1;
    return 0;
  }
  if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "nee") || !strcmp(v, "off")) {
    *out = 0;
    return 0;
  }
  return -1;
}

static int add_value(const char **arr, size_t *n, const char *param, const char *v,
                     struct sk_search_error *e) {
  if (!v || !*v)
    return SK_OK;
  if (*n >= SK_SEARCH_MAX_VALUES)
    return sks_qerr(e, param, "Te veel waarden voor '%s'.", param);
  arr[(*n)++] = v;
  return SK_OK;
}

int sk_search_query_set(struct sk_search_query *q, const char *name, const char *v,
                        struct sk_search_error *e) {
  if (!name)
    return SK_EINVAL;
  if (!v)
    v = "";
  if (!strcmp(name, "q")) {
    q->q = v;
  } else if (!strcmp(name, "need")) {
    return add_value(q->needs, &q->n_needs, "need", v, e);
  } else if (!strcmp(name, "access")) {
    return add_value(q->access, &q->n_access, "access", v, e);
  } else if (!strcmp(name, "cost")) {
    return add_value(q->cost, &q->n_cost, "cost", v, e);
  } else if (!strcmp(name, "law")) {
    return add_value(q->laws, &q->n_laws, "law", v, e);
  } else if (!strcmp(name, "target_group")) {
    q->target_group = *v ? v : NULL;
  } else if (!strcmp(name, "municipality")) {
    q->municipality = *v ? v : NULL;
  } else if (!strcmp(name, "organization")) {
    q->organization = *v ? v : NULL;
  } else if (!strcmp(name, "postcode")) {
    q->postcode = *v ? v : NULL;
  } else if (!strcmp(name, "age")) {
    if (!*v)
      q->age = -1;
    else if (parse_int(v, 0, SK_SEARCH_AGE_MAX, &q->age))
      return sks_qerr(e, "age", "Leeftijd moet een heel getal van 0 tot 120 zijn, niet '%.60s'.",
                      v);
  } else if (!strcmp(name, "open_now")) {
    if (parse_bool(v, &q->open_now))
      return sks_qerr(e, "open_now", "open_now moet 1 of 0 zijn, niet '%.60s'.", v);
  } else if (!strcmp(name, "place_filter")) {
    int on;
    if (parse_bool(v, &on))
      return sks_qerr(e, "place_filter", "place_filter moet 1 of 0 zijn, niet '%.60s'.", v);
    q->place_as_preference = !on;
  } else if (!strcmp(name, "facets")) {
    if (parse_bool(v, &q->facets))
      return sks_qerr(e, "facets", "facets moet 1 of 0 zijn, niet '%.60s'.", v);
  } else if (!strcmp(name, "kind")) {
    if (!*v)
      q->kind = SK_KIND_ANY;
    else if (!strcmp(v, "aanbod"))
      q->kind = SK_KIND_AANBOD;
    else if (!strcmp(v, "activiteit"))
      q->kind = SK_KIND_ACTIVITEIT;
    else
      return sks_qerr(e, "kind", "Soort moet 'aanbod' of 'activiteit' zijn, niet '%.60s'.", v);
  } else if (!strcmp(name, "sort")) {
    if (!*v || !strcmp(v, "relevance") || !strcmp(v, "relevantie"))
      q->sort = SK_SORT_RELEVANCE;
    else if (!strcmp(v, "name") || !strcmp(v, "naam"))
      q->sort = SK_SORT_NAME;
    else if (!strcmp(v, "distance") || !strcmp(v, "afstand"))
      q->sort = SK_SORT_DISTANCE;
    else if (!strcmp(v, "soonest") || !strcmp(v, "eerst"))
      q->sort = SK_SORT_SOONEST;
    else
      return sks_qerr(e, "sort",
                      "Sorteren kan op relevance, name, distance of soonest, niet op '%.60s'.", v);
  } else if (!strcmp(name, "page")) {
    if (parse_int(v, 1, SK_SEARCH_MAX_RESULTS, &q->page))
      return sks_qerr(e, "page", "Pagina moet een heel getal vanaf 1 zijn, niet '%.60s'.", v);
  } else if (!strcmp(name, "per_page")) {
    if (parse_int(v, 1, SK_SEARCH_PER_PAGE_MAX, &q->per_page))
      return sks_qerr(e, "per_page",
                      "per_page moet een heel getal van 1 tot 100 zijn, niet '%.60s'.", v);
  } else if (!strcmp(name, "lat") || !strcmp(name, "lon")) {
    char *end;
    double x = strtod(v, &end);
    int is_lat = name[1] == 'a';
    if (!*v || *end || !isfinite(x) || fabs(x) > (is_lat ? 90.0 : 180.0))
      return sks_qerr(e, name, "Geen geldige coördinaat: '%.60s'.", v);
    if (is_lat)
      q->lat = x;
    else
      q->lon = x;
    q->has_point = !isnan(q->lat) && !isnan(q->lon);
  } else {
    sks_qerr(e, name, "Onbekende parameter '%.60s'.", name);
    return SK_ENOTFOUND;
  }
  return SK_OK;
}

/* Split comma-separated codes and resolve each against a vocabulary. */
static int resolve_codes(const struct sks_vocab *v, const char *const *vals, size_t n,
                         const char *param, const char *what, uint64_t *mask,
                         struct sk_search_error *e) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++) {
    const char *p = vals[i];
    while (p && *p) {
      const char *comma = strchr(p, ',');
      size_t len = comma ? (size_t)(comma - p) : strlen(p);
      char code[96];
      if (len) {
        if (len >= sizeof code || ++count > SK_SEARCH_MAX_VALUES)
          return sks_qerr(e, param, "Te veel of te lange waarden voor '%s'.", param);
        memcpy(code, p, len);
        code[len] = '\0';
        int b = sks_vbit(v, code);
        if (b < 0) {
          char msg[160];
          snprintf(msg, sizeof msg, "Onbekende %s: '%.60s'.", what, code);
          return sks_qerr(e, param, "%s", msg);
        }
        if (b < 64)
          mask[0] |= (uint64_t)1 << b;
        else
          mask[1] |= (uint64_t)1 << (b - 64);
      }
      p = comma ? comma + 1 : NULL;
    }
  }
  return SK_OK;
}

static int valid_utf8_str(const char *s) { return !s || sk_utf8_valid(s, strlen(s)); }

int sks_resolve(struct sk_searcher *s, const struct sk_search_query *q, struct qf *f,
                struct sk_search_error *e) {
  memset(f, 0, sizeof *f);
  f->tg = f->muni = f->pref = -1;
  f->tg_lo = f->tg_hi = -1;
  f->age = q->age;
  if (q->age < -1 || q->age > SK_SEARCH_AGE_MAX)
    return sks_qerr(e, "age", "Leeftijd moet een heel getal van 0 tot 120 zijn.%s", "");
  const char *strs[] = {q->target_group, q->municipality, q->organization, q->postcode};
  for (size_t i = 0; i < 4; i++)
    if (!valid_utf8_str(strs[i]))
      return sks_qerr(e,
                      i == 0   ? "target_group"
                      : i == 1 ? "municipality"
                      : i == 2 ? "organization"
                               : "postcode",
                      "Deze waarde is geen geldige tekst.%s", "");
  if (q->n_needs > SK_SEARCH_MAX_VALUES || q->n_access > SK_SEARCH_MAX_VALUES ||
      q->n_cost > SK_SEARCH_MAX_VALUES || q->n_laws > SK_SEARCH_MAX_VALUES)
    return sks_qerr(e,
                    q->n_needs > SK_SEARCH_MAX_VALUES    ? "need"
                    : q->n_access > SK_SEARCH_MAX_VALUES ? "access"
                    : q->n_cost > SK_SEARCH_MAX_VALUES   ? "cost"
                                                         : "law",
                    "Te veel waarden.%s", "");
  for (size_t i = 0; i < q->n_needs; i++)
    if (!valid_utf8_str(q->needs[i]))
      return sks_qerr(e, "need", "Deze waarde is geen geldige tekst.%s", "");
  for (size_t i = 0; i < q->n_access; i++)
    if (!valid_utf8_str(q->access[i]))
      return sks_qerr(e, "access", "Deze waarde is geen geldige tekst.%s", "");
  for (size_t i = 0; i < q->n_cost; i++)
    if (!valid_utf8_str(q->cost[i]))
      return sks_qerr(e, "cost", "Deze waarde is geen geldige tekst.%s", "");
  for (size_t i = 0; i < q->n_laws; i++)
    if (!valid_utf8_str(q->laws[i]))
      return sks_qerr(e, "law", "Deze waarde is geen geldige tekst.%s", "");
  int rc;
  uint64_t m[2] = {0, 0};
  if ((rc = resolve_codes(&s->need, q->needs, q->n_needs, "need", "hulpvraag", m, e)))
    return rc;
  f->need.w[0] = m[0];
  f->need.w[1] = m[1];
  f->has_need = m[0] || m[1];
  m[0] = m[1] = 0;
  if ((rc = resolve_codes(&s->access, q->access, q->n_access, "access", "toegang", m, e)))
    return rc;
  f->access = (uint8_t)m[0];
  m[0] = 0;
  if ((rc = resolve_codes(&s->cost, q->cost, q->n_cost, "cost", "kosten", m, e)))
    return rc;
  f->cost = (uint8_t)m[0];
  m[0] = 0;
  if ((rc = resolve_codes(&s->law, q->laws, q->n_laws, "law", "wet", m, e)))
    return rc;
  f->laws = (uint16_t)m[0];
  if (q->target_group) {
    f->tg = sks_vbit(&s->tg, q->target_group);
    if (f->tg < 0)
      return sks_qerr(e, "target_group", "Onbekende doelgroep: '%.60s'.", q->target_group);
    f->tg_lo = s->tg.terms[f->tg]->min_age;
    f->tg_hi = s->tg.terms[f->tg]->max_age;
  }
  if (q->municipality) {
    f->muni = sks_vbit(&s->area, q->municipality);
    if (f->muni < 0 || s->area.terms[f->muni]->vocab != SK_VOCAB_MUNICIPALITY)
      return sks_qerr(e, "municipality", "Onbekende gemeente: '%.60s'.", q->municipality);
  }
  if (q->kind != SK_KIND_ANY && q->kind != SK_KIND_AANBOD && q->kind != SK_KIND_ACTIVITEIT)
    return sks_qerr(e, "kind", "Onbekende soort.%s", "");
  f->kind = q->kind;
  if (q->organization) {
    if (!sk_uuid_valid(q->organization))
      return sks_qerr(e, "organization", "Geen geldige organisatie-id: '%.60s'.", q->organization);
    sqlite3_stmt *st = s->stmt[ST_ORG];
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, q->organization, -1, SQLITE_STATIC);
    f->has_org = 1;
    f->org = 0; /* unknown: matches nothing */
    if (sqlite3_step(st) == SQLITE_ROW)
      f->org = (uint32_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
  }
  if (q->page < 0)
    return sks_qerr(e, "page", "Pagina moet 1 of hoger zijn.%s", "");
  if (q->per_page < 0 || q->per_page > SK_SEARCH_PER_PAGE_MAX)
    return sks_qerr(e, "per_page", "per_page moet van 1 tot 100 zijn.%s", "");
  int page = q->page ? q->page : 1, per = q->per_page ? q->per_page : SK_SEARCH_PER_PAGE_DEFAULT;
  if ((long)page * per > SK_SEARCH_MAX_RESULTS)
    return sks_qerr(e, "page", "Zo ver kunt u niet bladeren; verfijn de zoekvraag.%s", "");
  if (q->postcode) {
    int digits = 0, nd = 0;
    const char *p = q->postcode;
    while (*p == ' ')
      p++;
    for (; *p >= '0' && *p <= '9' && nd < 5; p++, nd++)
      digits = digits * 10 + (*p - '0');
    while (*p == ' ')
      p++;
    int letters = 0;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
      p++, letters++;
    while (*p == ' ')
      p++;
    if (nd != 4 || digits < 1000 || *p || (letters != 0 && letters != 2))
      return sks_qerr(e, "postcode", "Geen geldige postcode: '%.20s'. Voorbeeld: 1251 AB.",
                      q->postcode);
    const struct sk_term *t = sk_taxonomy_municipality_for_postcode(s->tax, digits);
    if (!t || (t->lat == 0 && t->lon == 0))
      return sks_qerr(e, "postcode", "Deze postcode ligt niet in de regio: '%.20s'.", q->postcode);
    f->has_origin = 1;
    f->olat = t->lat;
    f->olon = t->lon;
  } else if (q->has_point) {
    if (!isfinite(q->lat) || !isfinite(q->lon) || fabs(q->lat) > 90 || fabs(q->lon) > 180)
      return sks_qerr(e, "lat", "Geen geldige coördinaten.%s", "");
    f->has_origin = 1;
    f->olat = q->lat;
    f->olon = q->lon;
  }
  if (q->sort == SK_SORT_DISTANCE && !f->has_origin)
    return sks_qerr(e, "sort", "Sorteren op afstand kan alleen met een postcode of een plek.%s",
                    "");
  if (q->sort < SK_SORT_RELEVANCE || q->sort > SK_SORT_SOONEST)
    return sks_qerr(e, "sort", "Onbekende sortering.%s", "");
  f->now = q->now ? q->now : (int64_t)time(NULL);
  f->today = (int32_t)(f->now / 86400);
  f->open_now = q->open_now != 0;
  sks_local_time(f->now, &f->weekday, &f->minutes);
  /* Local time is ahead of UTC: when the weekdays differ it is tomorrow. */
  f->local_day = f->today + (((f->today % 7) + 10) % 7 + 1 != f->weekday);
  return SK_OK;
}
