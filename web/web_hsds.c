/* /hsds: the Open Referral HSDS 3.0 API reference endpoints, in our profile
 * (attributes with sk-* taxonomies, service_areas named by code), so that
 * another sociale kaart, or ours, can import what we publish, and a national
 * aggregator can sync with it (docs/hsds.md, "The /hsds API"). Only public
 * data: the store's queries leave out restricted phones and referral
 * contacts, and /hsds never looks at who is asking. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sk_err.h"
#include "web_internal.h"

static const struct {
  enum sk_vocab vocab;
  const char *name, *description;
} hsds_taxonomies[] = {
    {SK_VOCAB_NEED, "sk-hulpvraag", "Hulpvragen (needs) van de sociale kaart HBEL"},
    {SK_VOCAB_TARGET_GROUP, "sk-doelgroep", "Doelgroepen van de sociale kaart HBEL"},
    {SK_VOCAB_ACCESS, "sk-toegang", "Toegang: hoe krijgt u het aanbod"},
    {SK_VOCAB_COST, "sk-kosten", "Kosten van het aanbod"},
    {SK_VOCAB_LAW, "sk-wet", "Wetten waaronder het aanbod valt"},
};
#define N_HSDS_TAX (sizeof hsds_taxonomies / sizeof hsds_taxonomies[0])

static void uuid_of(char out[SK_UUID_LEN], const char *a, const char *b, const char *c) {
  char name[512];
  int n = snprintf(name, sizeof name, "%s\n%s\n%s", a, b ? b : "", c ? c : "");
  sk_uuid_from_name(name, (size_t)n < sizeof name ? (size_t)n : sizeof name - 1, out);
}

static void taxonomy_uuid(size_t i, char out[SK_UUID_LEN]) {
  uuid_of(out, "taxonomy", hsds_taxonomies[i].name, NULL);
}

static int hsds_tax_index(enum sk_vocab v) {
  for (size_t i = 0; i < N_HSDS_TAX; i++)
    if (hsds_taxonomies[i].vocab == v)
      return (int)i;
  return -1;
}

/* Copy a string member when it is a non-empty string (HSDS has no nulls). */
static void put_str(json_t *dst, const char *key, json_t *src, const char *src_key) {
  json_t *v = json_object_get(src, src_key);
  if (json_is_string(v) && json_string_length(v) > 0)
    json_object_set(dst, key, v);
}

static json_t *term_json(struct web_server *srv, size_t i) {
  const struct sk_term *t = &srv->tax->terms[i];
  int ti = hsds_tax_index(t->vocab);
  char tid[SK_UUID_LEN];
  taxonomy_uuid(ti >= 0 ? (size_t)ti : 0, tid);
  json_t *o = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", srv->term_uuid[i], "code", t->code, "name",
      t->label, "description", t->explain ? t->explain : t->label, "taxonomy",
      ti >= 0 ? hsds_taxonomies[ti].name : "", "taxonomy_id", tid, "language", "nl");
  if (t->parent_code) {
    long p = web_term_index(srv->tax, t->vocab, t->parent_code);
    if (p >= 0)
      json_object_set_new(o, "parent_id", json_string(srv->term_uuid[p]));
  }
  return o;
}

static void add_attributes(struct web_server *srv, json_t *attrs, const char *service_id,
                           enum sk_vocab v, json_t *terms) {
  size_t i;
  json_t *t;
  json_t *one = json_is_object(terms) ? json_pack("[O]", terms) : json_incref(terms);
  json_array_foreach(one, i, t) {
    const char *code = json_string_value(json_object_get(t, "code"));
    long ti = code ? web_term_index(srv->tax, v, code) : -1;
    if (ti < 0)
      continue;
    char id[SK_UUID_LEN];
    uuid_of(id, "attribute", service_id, srv->term_uuid[ti]);
    json_array_append_new(attrs, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "id", id, "link_id",
                                           service_id, "link_type", "service", "link_entity",
                                           "service", "taxonomy_term_id", srv->term_uuid[ti],
                                           "taxonomy_term", term_json(srv, (size_t)ti)));
  }
  json_decref(one);
}

static const char *const byday[8] = {"", "MO", "TU", "WE", "TH", "FR", "SA", "SU"};

static const char *province_of(const char *municipality) {
  return municipality && strcmp(municipality, "eemnes") == 0 ? "Utrecht" : "Noord-Holland";
}

static json_t *hsds_location(const char *sid, json_t *loc) {
  const char *lid = json_string_value(json_object_get(loc, "id"));
  json_t *l = json_pack("{s:s, s:s}", "id", lid, "location_type", "physical");
  put_str(l, "name", loc, "name");
  json_t *lat = json_object_get(loc, "latitude"), *lon = json_object_get(loc, "longitude");
  if (json_is_number(lat) && json_is_number(lon)) {
    json_object_set(l, "latitude", lat);
    json_object_set(l, "longitude", lon);
  }
  json_t *addr = json_object_get(loc, "address");
  if (json_is_string(addr)) {
    char aid[SK_UUID_LEN];
    uuid_of(aid, "address", lid, NULL);
    const char *muni = json_string_value(
        json_object_get(json_object_get(loc, "municipality"), "code"));
    const char *city = json_string_value(json_object_get(loc, "city"));
    const char *pc = json_string_value(json_object_get(loc, "postal_code"));
    json_t *a = json_pack("{s:s, s:s, s:O, s:s, s:s, s:s, s:s, s:s}", "id", aid, "location_id", lid,
                          "address_1", addr, "city", city ? city : "", "state_province",
                          province_of(muni), "postal_code", pc ? pc : "", "country", "NL",
                          "address_type", "physical");
    json_object_set_new(l, "addresses", json_pack("[o]", a));
  }
  json_t *acc = json_object_get(loc, "accessibility");
  if (json_is_string(acc) && json_string_length(acc)) {
    char cid[SK_UUID_LEN];
    uuid_of(cid, "accessibility", lid, NULL);
    json_object_set_new(
        l, "accessibility",
        json_pack("[{s:s, s:s, s:O}]", "id", cid, "location_id", lid, "description", acc));
  }
  json_t *phones = json_array();
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(loc, "phones"), i, p) {
    char pid[SK_UUID_LEN], idx[24];
    snprintf(idx, sizeof idx, "%zu", i);
    uuid_of(pid, "location-phone", lid, idx);
    json_t *ph = json_pack("{s:s, s:s, s:O}", "id", pid, "location_id", lid, "number",
                           json_object_get(p, "number"));
    put_str(ph, "description", p, "description");
    json_array_append_new(phones, ph);
  }
  json_object_set_new(l, "phones", phones);
  (void)sid;
  return l;
}

/* An organization's public phones (web_service_detail's "phones", or
 * phones_of) as HSDS phones of that organization. */
static json_t *org_phones(const char *oid, json_t *list) {
  json_t *phones = json_array();
  size_t i;
  json_t *p;
  if (!oid)
    return phones;
  json_array_foreach(list, i, p) {
    if (!json_is_string(json_object_get(p, "number")))
      continue;
    char pid[SK_UUID_LEN], idx[24];
    snprintf(idx, sizeof idx, "%zu", i);
    uuid_of(pid, "organization-phone", oid, idx);
    json_t *ph = json_pack("{s:s, s:s, s:O}", "id", pid, "organization_id", oid, "number",
                           json_object_get(p, "number"));
    put_str(ph, "description", p, "description");
    json_array_append_new(phones, ph);
  }
  return phones;
}

/* "Eemnes (vanaf 18 jaar): Jeugd uit Eemnes: via Amersfoort." The age
 * limits and the note of an area are the exceptions a resident of that
 * place must know, so they travel in the HSDS description. */
static void area_description(json_t *area, const char *code, char *out, size_t outlen) {
  const char *label = json_string_value(json_object_get(area, "label"));
  const char *note = json_string_value(json_object_get(area, "note"));
  json_t *lo = json_object_get(area, "min_age"), *hi = json_object_get(area, "max_age");
  char ages[64] = "";
  if (json_is_integer(lo) && json_is_integer(hi))
    snprintf(ages, sizeof ages, " (%lld tot en met %lld jaar)", (long long)json_integer_value(lo),
             (long long)json_integer_value(hi));
  else if (json_is_integer(lo))
    snprintf(ages, sizeof ages, " (vanaf %lld jaar)", (long long)json_integer_value(lo));
  else if (json_is_integer(hi))
    snprintf(ages, sizeof ages, " (tot en met %lld jaar)", (long long)json_integer_value(hi));
  snprintf(out, outlen, "%s%s%s%s", label ? label : code, ages, note && *note ? ": " : "",
           note && *note ? note : "");
}

/* Our service detail (web_service_detail) as an HSDS 3.0 service. */
static json_t *hsds_service(struct web_server *srv, json_t *d, int full) {
  const char *sid = json_string_value(json_object_get(d, "id"));
  json_t *org = json_object_get(d, "organization");
  const char *status = json_string_value(json_object_get(d, "status"));
  json_t *s = json_pack("{s:s, s:s}", "id", sid, "status",
                        status && strcmp(status, "active") != 0 ? "inactive" : "active");
  put_str(s, "name", d, "name");
  put_str(s, "alternate_name", d, "keywords");
  put_str(s, "organization_id", org, "id");
  json_t *desc = json_object_get(d, "description");
  put_str(s, "description", d,
          json_is_string(desc) && json_string_length(desc) ? "description" : "summary");
  put_str(s, "url", d, "url");
  put_str(s, "email", d, "email");
  put_str(s, "application_process", d, "application_process");
  put_str(s, "eligibility_description", d, "eligibility_description");
  put_str(s, "fees_description", d, "fees_description");
  put_str(s, "assured_date", d, "assured_date");
  /* The time the service's information changed: the source's own when an
   * HSDS feed gave one (kept as given, RFC 3339 by ix_hsds), so export ->
   * import -> export keeps it; else ours. modified_after filters on the
   * same time (HSDS_PUB_LM in web_api.c), so what a consumer is given
   * matches the times it is shown (docs/hsds.md). */
  put_str(s, "last_modified", d,
          json_is_string(json_object_get(d, "source_modified")) ? "source_modified"
                                                                : "last_modified");
  if (json_is_integer(json_object_get(d, "min_age")))
    json_object_set(s, "minimum_age", json_object_get(d, "min_age"));
  if (json_is_integer(json_object_get(d, "max_age")))
    json_object_set(s, "maximum_age", json_object_get(d, "max_age"));
  if (!full)
    return s;

  json_t *o = json_pack("{s:O, s:O, s:s}", "id", json_object_get(org, "id"), "name",
                        json_object_get(org, "name"), "description",
                        json_is_string(json_object_get(org, "description"))
                            ? json_string_value(json_object_get(org, "description"))
                            : "");
  put_str(o, "email", org, "email");
  put_str(o, "website", org, "website");
  json_object_set_new(
      o, "phones",
      org_phones(json_string_value(json_object_get(org, "id")), json_object_get(org, "phones")));
  json_object_set_new(s, "organization", o);

  size_t i;
  json_t *v;
  json_t *phones = json_array();
  json_array_foreach(json_object_get(d, "phones"), i, v) {
    char pid[SK_UUID_LEN], idx[24];
    snprintf(idx, sizeof idx, "%zu", i);
    uuid_of(pid, "phone", sid, idx);
    json_t *ph = json_pack("{s:s, s:s, s:O}", "id", pid, "service_id", sid, "number",
                           json_object_get(v, "number"));
    put_str(ph, "description", v, "description");
    json_array_append_new(phones, ph);
  }
  json_object_set_new(s, "phones", phones);

  /* Hours with the same times become one weekly rule: byday "MO,TU". */
  json_t *schedules = json_array();
  json_t *hours = json_object_get(d, "hours");
  size_t nh = json_array_size(hours);
  char used[128] = {0};
  for (i = 0; i < nh && i < sizeof used; i++) {
    if (used[i])
      continue;
    json_t *h = json_array_get(hours, i);
    const char *op = json_string_value(json_object_get(h, "opens_at"));
    const char *cl = json_string_value(json_object_get(h, "closes_at"));
    const char *vf = json_string_value(json_object_get(h, "valid_from"));
    const char *vt = json_string_value(json_object_get(h, "valid_to"));
    char days[64] = "";
    for (size_t j = i; j < nh && j < sizeof used; j++) {
      json_t *k = json_array_get(hours, j);
      const char *op2 = json_string_value(json_object_get(k, "opens_at"));
      const char *cl2 = json_string_value(json_object_get(k, "closes_at"));
      const char *vf2 = json_string_value(json_object_get(k, "valid_from"));
      const char *vt2 = json_string_value(json_object_get(k, "valid_to"));
      /* one rule per time and season: dated rows (every other week,
       * monthly) stay rules of their own date */
      if (used[j] || !op || !cl || !op2 || !cl2 || strcmp(op, op2) || strcmp(cl, cl2) ||
          strcmp(vf ? vf : "", vf2 ? vf2 : "") || strcmp(vt ? vt : "", vt2 ? vt2 : ""))
        continue;
      json_int_t wd = json_integer_value(json_object_get(k, "weekday"));
      if (wd < 1 || wd > 7)
        continue;
      used[j] = 1;
      if (!strstr(days, byday[wd]))
        snprintf(days + strlen(days), sizeof days - strlen(days), "%s%s", days[0] ? "," : "",
                 byday[wd]);
    }
    if (!days[0])
      continue;
    char hid[SK_UUID_LEN];
    char key[160];
    snprintf(key, sizeof key, "%s %s-%s", days, op, cl);
    uuid_of(hid, "schedule", sid, key);
    json_t *sc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", hid, "service_id", sid,
                           "freq", "WEEKLY", "wkst", "MO", "byday", days, "opens_at", op,
                           "closes_at", cl);
    put_str(sc, "description", h, "description");
    put_str(sc, "valid_from", h, "valid_from");
    put_str(sc, "valid_to", h, "valid_to");
    json_array_append_new(schedules, sc);
  }
  json_object_set_new(s, "schedules", schedules);

  json_t *areas = json_array();
  json_array_foreach(json_object_get(d, "areas"), i, v) {
    const char *code = json_string_value(json_object_get(v, "code"));
    char aid[SK_UUID_LEN];
    uuid_of(aid, "service_area", sid, code);
    json_t *a = json_pack("{s:s, s:s, s:s}", "id", aid, "service_id", sid, "name", code);
    char descr[700];
    area_description(v, code, descr, sizeof descr);
    json_object_set_new(a, "description", json_string(descr));
    json_array_append_new(areas, a);
  }
  json_object_set_new(s, "service_areas", areas);

  json_t *sal = json_array();
  json_array_foreach(json_object_get(d, "locations"), i, v) {
    const char *lid = json_string_value(json_object_get(v, "id"));
    char xid[SK_UUID_LEN];
    uuid_of(xid, "service_at_location", sid, lid);
    json_array_append_new(sal, json_pack("{s:s, s:s, s:s, s:o}", "id", xid, "service_id", sid,
                                         "location_id", lid, "location", hsds_location(sid, v)));
  }
  json_object_set_new(s, "service_at_locations", sal);

  json_t *attrs = json_array();
  add_attributes(srv, attrs, sid, SK_VOCAB_NEED, json_object_get(d, "needs"));
  add_attributes(srv, attrs, sid, SK_VOCAB_TARGET_GROUP, json_object_get(d, "target_groups"));
  add_attributes(srv, attrs, sid, SK_VOCAB_ACCESS, json_object_get(d, "access"));
  add_attributes(srv, attrs, sid, SK_VOCAB_COST, json_object_get(d, "cost"));
  add_attributes(srv, attrs, sid, SK_VOCAB_LAW, json_object_get(d, "laws"));
  json_object_set_new(s, "attributes", attrs);
  return s;
}

static json_t *page_envelope(long long total, const struct web_page *pg, json_t *contents) {
  long long pages = (total + pg->per_page - 1) / pg->per_page;
  return json_pack("{s:I, s:I, s:I, s:I, s:b, s:b, s:b, s:o}", "total_items", (json_int_t)total,
                   "total_pages", (json_int_t)pages, "page_number", (json_int_t)pg->page, "size",
                   (json_int_t)json_array_size(contents), "first_page", pg->page == 1, "last_page",
                   pg->page >= pages, "empty", total == 0, "contents", contents);
}

static int arg_bool(struct web_ctx *x, const char *name, int def, int *out) {
  const char *v = web_arg(x, name);
  *out = def;
  if (!v)
    return SK_OK;
  if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
    *out = 1;
  else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
    *out = 0;
  else
    return web_bad_param(x, name, "De parameter '%s' moet true of false zijn.", name);
  return SK_OK;
}

static int arg_format(struct web_ctx *x) {
  const char *f = web_arg(x, "format");
  if (f && strcmp(f, "json") != 0)
    return web_bad_param(x, "format", "Alleen format=json wordt ondersteund.");
  return SK_OK;
}

static int arg_taxonomy_id(struct web_ctx *x, int *vocab) {
  const char *t = web_arg(x, "taxonomy_id");
  *vocab = -1;
  if (!t)
    return SK_OK;
  for (size_t i = 0; i < N_HSDS_TAX; i++) {
    char id[SK_UUID_LEN];
    taxonomy_uuid(i, id);
    if (strcmp(id, t) == 0 || strcmp(hsds_taxonomies[i].name, t) == 0) {
      *vocab = (int)hsds_taxonomies[i].vocab;
      return SK_OK;
    }
  }
  return web_bad_param(x, "taxonomy_id", "'%.60s' is geen bekende taxonomie. Zie /hsds/taxonomies.",
                       t);
}

/* FTS5 text: each word becomes a quoted string (quotes doubled), so no
 * query operator can come from the request. */
static int fts_words(const char *in, char *out, size_t outlen) {
  size_t o = 0;
  const char *p = in;
  int words = 0;
  while (*p) {
    while (*p && isspace((unsigned char)*p))
      p++;
    if (!*p)
      break;
    if (o + 4 >= outlen)
      break;
    if (words++)
      out[o++] = ' ';
    out[o++] = '"';
    while (*p && !isspace((unsigned char)*p) && o + 3 < outlen) {
      if (*p == '"')
        out[o++] = '"';
      out[o++] = *p++;
    }
    out[o++] = '"';
  }
  out[o] = '\0';
  return words;
}

/* A withdrawn service stays visible to date-based sync (modified_after)
 * as status 'inactive' this long after its withdrawal. */
#define HSDS_TOMBSTONE_DAYS 90

/* Mean length of a degree of latitude, in metres (R = 6371 km). */
#define HSDS_M_PER_DEGREE 111194.9

/* The filters of /services and /service_at_locations, parsed and checked
 * (every pointer into the request, the taxonomy or this struct). */
struct hsds_filter {
  const char *org;
  long term_i; /* index into tax->terms, or -1 */
  int vocab;   /* -1: none */
  int has_after, has_search, has_areas, has_near;
  char after[32];   /* modified_after, ISO UTC */
  char cutoff[32];  /* oldest tombstone shown, ISO UTC */
  char match[1100]; /* FTS5 text */
  char areas[512];  /* JSON array of area codes that serve the postcode */
  const char *muni; /* the postcode's municipality, or NULL */
  double lat, lon, coslat, r2;
};

/* A Dutch postcode: 4 digits (the first not 0), optionally a space and two
 * letters. The 4-digit number, or -1. */
static int postcode4(const char *s) {
  if (strlen(s) > 7)
    return -1;
  for (int k = 0; k < 4; k++)
    if (!isdigit((unsigned char)s[k]))
      return -1;
  if (s[0] == '0')
    return -1;
  const char *p = s + 4;
  if (*p == ' ')
    p++;
  if (*p && !(isalpha((unsigned char)p[0]) && isalpha((unsigned char)p[1]) && !p[2]))
    return -1;
  if (!*p && p != s + 4)
    return -1;
  return (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
}

/* postcode: the services whose service areas hold the postcode's
 * municipality (itself, its scopes, the region, the country); a service
 * without areas when one of its locations is in that municipality. A
 * postcode outside our region is only served nationally. proximity: metres
 * from the postcode's centroid, which is the municipality's (we ship no
 * postcode centroids); a service needs a location within it. */
static int parse_place(struct web_ctx *x, struct hsds_filter *f) {
  const struct sk_taxonomy *tax = x->srv->tax;
  const char *pc = web_arg(x, "postcode");
  const char *prox = web_arg(x, "proximity");
  if (!pc) {
    if (prox)
      return web_bad_param(x, "proximity",
                           "'proximity' is de afstand tot een postcode: geef ook 'postcode'.");
    return SK_OK;
  }
  int n4 = postcode4(pc);
  if (n4 < 0)
    return web_bad_param(x, "postcode",
                         "'postcode' moet een Nederlandse postcode zijn, zoals 1271 AB of 1271.");
  const struct sk_term *t = sk_taxonomy_municipality_for_postcode(tax, n4);
  json_t *codes = json_pack("[s]", "landelijk");
  if (t) {
    f->muni = t->code;
    json_array_append_new(codes, json_string(t->code));
    json_array_append_new(codes, json_string("regio"));
    for (size_t i = 0; i < t->n_scopes; i++)
      json_array_append_new(codes, json_string(t->scopes[i]));
  }
  /* At most 3 + SK_TERM_MAX_SCOPES codes; a taxonomy with absurdly long codes
   * gets a 503 here rather than a cut list. */
  size_t len = codes ? json_dumpb(codes, f->areas, sizeof f->areas - 1, JSON_COMPACT) : 0;
  json_decref(codes);
  if (len == 0 || len >= sizeof f->areas)
    return web_unavailable(x, "Het werkgebied van deze postcode past niet in de zoekvraag.");
  f->areas[len] = '\0';
  f->has_areas = 1;
  if (!prox)
    return SK_OK;
  char *end;
  errno = 0;
  long m = strtol(prox, &end, 10);
  if (errno || end == prox || *end || m < 1 || m > 500000)
    return web_bad_param(
        x, "proximity", "'proximity' is een afstand in meters: een geheel getal van 1 tot 500000.");
  if (!t || (t->lat == 0 && t->lon == 0))
    return web_bad_param(x, "postcode",
                         "Van postcode '%.8s' kennen we de ligging niet, dus zoeken op afstand "
                         "kan niet. Laat 'proximity' weg om op werkgebied te zoeken.",
                         pc);
  f->has_near = 1;
  f->lat = t->lat;
  f->lon = t->lon;
  f->coslat = cos(t->lat * 3.14159265358979323846 / 180.0);
  double deg = (double)m / HSDS_M_PER_DEGREE;
  f->r2 = deg * deg;
  return SK_OK;
}

static int parse_filter(struct web_ctx *x, struct hsds_filter *f) {
  struct web_server *srv = x->srv;
  memset(f, 0, sizeof *f);
  f->term_i = -1;
  if (arg_taxonomy_id(x, &f->vocab))
    return SK_EINVAL;
  f->org = web_arg(x, "organization_id");
  if (f->org && !web_is_uuid(f->org))
    return web_bad_param(x, "organization_id", "'organization_id' moet een UUID zijn.");
  const char *term = web_arg(x, "taxonomy_term_id");
  if (term) {
    for (size_t i = 0; i < srv->tax->n_terms && f->term_i < 0; i++)
      if (strcmp(srv->term_uuid[i], term) == 0 && hsds_tax_index(srv->tax->terms[i].vocab) >= 0)
        f->term_i = (long)i;
    if (f->term_i < 0)
      return web_bad_param(x, "taxonomy_term_id",
                           "'%.60s' is geen bekende taxonomy_term_id. Zie /hsds/taxonomy_terms.",
                           term);
  }
  int64_t t;
  if (web_arg_time(x, "modified_after", &t, &f->has_after))
    return SK_EINVAL;
  if (f->has_after) {
    web_iso_utc(t, f->after);
    web_iso_utc((int64_t)time(NULL) - HSDS_TOMBSTONE_DAYS * 86400LL, f->cutoff);
  }
  const char *search = web_arg(x, "search");
  f->has_search = search && fts_words(search, f->match, sizeof f->match) > 0;
  return parse_place(x, f);
}

/* Bind ?1..?6 and ?9..?15 of a statement built on HSDS_FILTERS. */
static void bind_filter(sqlite3_stmt *s, const struct hsds_filter *f,
                        const struct sk_taxonomy *tax) {
  if (f->org)
    sqlite3_bind_text(s, 1, f->org, -1, SQLITE_STATIC);
  if (f->has_after) {
    sqlite3_bind_text(s, 2, f->after, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 9, f->cutoff, -1, SQLITE_STATIC);
  }
  if (f->term_i >= 0) {
    sqlite3_bind_text(s, 3, sk_vocab_name(tax->terms[f->term_i].vocab), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, tax->terms[f->term_i].code, -1, SQLITE_STATIC);
  }
  if (f->vocab >= 0)
    sqlite3_bind_text(s, 5, sk_vocab_name((enum sk_vocab)f->vocab), -1, SQLITE_STATIC);
  if (f->has_search)
    sqlite3_bind_text(s, 6, f->match, -1, SQLITE_STATIC);
  if (f->has_areas)
    sqlite3_bind_text(s, 10, f->areas, -1, SQLITE_STATIC);
  if (f->muni)
    sqlite3_bind_text(s, 11, f->muni, -1, SQLITE_STATIC);
  if (f->has_near) {
    sqlite3_bind_double(s, 12, f->lat);
    sqlite3_bind_double(s, 13, f->lon);
    sqlite3_bind_double(s, 14, f->coslat);
    sqlite3_bind_double(s, 15, f->r2);
  }
}

/* A service that left (withdrawn, or its organization withdrawn): what a
 * syncing consumer needs to drop it, and nothing of its former content. */
static json_t *tombstone(sqlite3_stmt *s, int c_id, int c_name, int c_lm, int c_org) {
  json_t *t = json_pack("{s:o, s:o, s:s, s:o}", "id", web_json_text(s, c_id), "name",
                        web_json_text(s, c_name), "status", "inactive", "last_modified",
                        web_json_text(s, c_lm));
  if (sqlite3_column_type(s, c_org) == SQLITE_TEXT)
    json_object_set_new(t, "organization_id", web_json_text(s, c_org));
  return t;
}

static json_t *minimal_of(json_t *svc) {
  return json_pack("{s:O, s:O, s:O, s:O}", "id", json_object_get(svc, "id"), "name",
                   json_object_get(svc, "name"), "status", json_object_get(svc, "status"),
                   "last_modified", json_object_get(svc, "last_modified"));
}

/* openapi_url is absolute from the configured public address (never the
 * request's Host); without one it is the reference /hsds/openapi.json,
 * which a client resolves against the address it asked. */
int web_hsds_root(struct web_ctx *x) {
  const char *base = x->srv->public_url;
  char url[300]; /* public_url is at most 200 bytes (checked at start) */
  snprintf(url, sizeof url, "%s/hsds/openapi.json", base ? base : "");
  int rc = web_reply_json(x, 200,
                          json_pack("{s:s, s:s, s:s}", "version", "3.0", "profile",
                                    "urn:sociale-kaart:hsds-profile:hbel:1", "openapi_url", url));
  x->out.cache = "public, max-age=3600";
  return rc;
}

int web_hsds_openapi(struct web_ctx *x) {
  size_t n = strlen(web_hsds_openapi_json);
  x->out.body = malloc(n + 1);
  if (!x->out.body)
    return web_unavailable(x, "Geen geheugen vrij.");
  memcpy(x->out.body, web_hsds_openapi_json, n + 1);
  x->out.len = n;
  x->out.status = 200;
  x->out.ctype = "application/json; charset=utf-8";
  x->out.cache = "public, max-age=3600";
  x->out.etag = 1;
  return SK_OK;
}

/* Count (?7/?8 unbound) and one page of a filtered statement pair. */
static int list_page(struct web_worker *w, enum web_query qc, enum web_query ql,
                     const struct hsds_filter *f, const struct web_page *pg, long long *total,
                     sqlite3_stmt **list) {
  sqlite3_stmt *c = web_stmt(w, qc);
  if (!c)
    return SK_EDB;
  bind_filter(c, f, w->srv->tax);
  int step = sqlite3_step(c);
  *total = step == SQLITE_ROW ? sqlite3_column_int64(c, 0) : 0;
  sqlite3_reset(c);
  if (step != SQLITE_ROW)
    return SK_EDB;
  sqlite3_stmt *s = web_stmt(w, ql);
  if (!s)
    return SK_EDB;
  bind_filter(s, f, w->srv->tax);
  sqlite3_bind_int64(s, 7, pg->per_page);
  sqlite3_bind_int64(s, 8, (pg->page - 1) * pg->per_page);
  *list = s;
  return SK_OK;
}

int web_hsds_services(struct web_ctx *x) {
  struct web_server *srv = x->srv;
  struct web_page pg;
  struct hsds_filter f;
  int minimal, full;
  if (web_arg_page(x, 50, 200, &pg) || arg_bool(x, "minimal", 0, &minimal) ||
      arg_bool(x, "full", 1, &full) || arg_format(x) || parse_filter(x, &f))
    return SK_EINVAL;
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  web_read_begin(w);
  long long total;
  sqlite3_stmt *s;
  if (list_page(w, WQ_HSDS_COUNT, WQ_HSDS_LIST, &f, &pg, &total, &s) != SK_OK) {
    web_read_end(w);
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  }
  /* Collect first: the details need the connection's other statements. */
  json_t *rows = json_array();
  while (sqlite3_step(s) == SQLITE_ROW)
    json_array_append_new(rows, sqlite3_column_int(s, 1) ? web_json_text(s, 0)
                                                         : tombstone(s, 0, 2, 3, 4));
  sqlite3_reset(s);
  json_t *contents = json_array();
  size_t i;
  json_t *row;
  json_array_foreach(rows, i, row) {
    if (json_is_object(row)) {
      json_array_append_new(contents, minimal ? minimal_of(row) : json_incref(row));
      continue;
    }
    int found;
    json_t *d = web_service_detail(w, json_string_value(row), &found);
    if (d && found) {
      json_t *svc = hsds_service(srv, d, full && !minimal);
      json_array_append_new(contents, minimal ? minimal_of(svc) : json_incref(svc));
      json_decref(svc);
    }
    json_decref(d);
  }
  json_decref(rows);
  web_read_end(w);
  return web_reply_json(x, 200, page_envelope(total, &pg, contents));
}

int web_hsds_service(struct web_ctx *x) {
  if (!web_is_uuid(x->id))
    return web_not_found(x, "De dienst");
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  web_read_begin(w);
  /* Not live (it or its organization left): a tombstone while recent
   * enough for sync, then not found like any unknown id. */
  sqlite3_stmt *s = web_stmt(w, WQ_HSDS_TOMBSTONE);
  if (!s) {
    web_read_end(w);
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  }
  sqlite3_bind_text(s, 1, x->id, -1, SQLITE_STATIC);
  int step = sqlite3_step(s);
  if (step == SQLITE_ROW) {
    char cutoff[32];
    web_iso_utc((int64_t)time(NULL) - HSDS_TOMBSTONE_DAYS * 86400LL, cutoff);
    const char *lm = (const char *)sqlite3_column_text(s, 2);
    json_t *gone = lm && strcmp(lm, cutoff) >= 0 ? tombstone(s, 0, 1, 2, 3) : NULL;
    sqlite3_reset(s);
    web_read_end(w);
    return gone ? web_reply_json(x, 200, gone) : web_not_found(x, "De dienst");
  }
  sqlite3_reset(s);
  if (step != SQLITE_DONE) {
    web_read_end(w);
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  }
  int found;
  json_t *d = web_service_detail(w, x->id, &found);
  web_read_end(w);
  if (!d)
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  if (!found || strcmp(json_string_value(json_object_get(d, "kind")), "aanbod") != 0) {
    json_decref(d);
    return web_not_found(x, "De dienst");
  }
  json_t *svc = hsds_service(x->srv, d, 1);
  json_decref(d);
  return web_reply_json(x, 200, svc);
}

/* --- service_at_location ------------------------------------------------- */

static json_t *location_of(json_t *d, const char *lid) {
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(d, "locations"), i, v) {
    const char *id = json_string_value(json_object_get(v, "id"));
    if (id && strcmp(id, lid) == 0)
      return v;
  }
  return NULL;
}

/* A service_at_location with its location and its service (full: nested
 * arrays too, but not the service's own service_at_locations). */
static json_t *sal_json(struct web_server *srv, json_t *d, const char *sid, const char *lid,
                        int full) {
  char xid[SK_UUID_LEN];
  uuid_of(xid, "service_at_location", sid, lid);
  json_t *o = json_pack("{s:s, s:s, s:s}", "id", xid, "service_id", sid, "location_id", lid);
  json_t *loc = location_of(d, lid);
  if (loc)
    json_object_set_new(o, "location", hsds_location(sid, loc));
  json_t *svc = hsds_service(srv, d, full);
  json_object_del(svc, "service_at_locations");
  json_object_set_new(o, "service", svc);
  return o;
}

int web_hsds_service_at_locations(struct web_ctx *x) {
  struct web_server *srv = x->srv;
  struct web_page pg;
  struct hsds_filter f;
  int full;
  if (web_arg_page(x, 50, 200, &pg) || arg_bool(x, "full", 0, &full) || arg_format(x) ||
      parse_filter(x, &f))
    return SK_EINVAL;
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  web_read_begin(w);
  long long total;
  sqlite3_stmt *s;
  if (list_page(w, WQ_HSDS_SAL_COUNT, WQ_HSDS_SAL_LIST, &f, &pg, &total, &s) != SK_OK) {
    web_read_end(w);
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  }
  json_t *rows = json_array();
  while (sqlite3_step(s) == SQLITE_ROW) {
    json_t *r = json_pack("{s:o, s:o, s:b}", "sid", web_json_text(s, 0), "lid", web_json_text(s, 1),
                          "live", sqlite3_column_int(s, 2));
    if (!sqlite3_column_int(s, 2))
      json_object_set_new(r, "gone", tombstone(s, 0, 3, 4, 5));
    json_array_append_new(rows, r);
  }
  sqlite3_reset(s);
  json_t *contents = json_array();
  size_t i;
  json_t *r;
  json_array_foreach(rows, i, r) {
    const char *sid = json_string_value(json_object_get(r, "sid"));
    const char *lid = json_string_value(json_object_get(r, "lid"));
    if (!sid || !lid)
      continue;
    json_t *gone = json_object_get(r, "gone");
    if (gone) {
      char xid[SK_UUID_LEN];
      uuid_of(xid, "service_at_location", sid, lid);
      json_array_append_new(contents, json_pack("{s:s, s:s, s:s, s:O}", "id", xid, "service_id",
                                                sid, "location_id", lid, "service", gone));
      continue;
    }
    int found;
    json_t *d = web_service_detail(w, sid, &found);
    if (d && found)
      json_array_append_new(contents, sal_json(srv, d, sid, lid, full));
    json_decref(d);
  }
  json_decref(rows);
  web_read_end(w);
  return web_reply_json(x, 200, page_envelope(total, &pg, contents));
}

int web_hsds_service_at_location(struct web_ctx *x) {
  if (!web_is_uuid(x->id))
    return web_not_found(x, "De dienst op deze locatie");
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  web_read_begin(w);
  sqlite3_stmt *s = web_stmt(w, WQ_HSDS_SAL_ALL);
  if (!s) {
    web_read_end(w);
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  }
  /* The id is derived from the pair (uuid_of), so find the pair: one
   * name-based UUID per live pair, linear in the number of pairs. */
  char sid[SK_UUID_LEN] = "", lid[SK_UUID_LEN] = "";
  while (!sid[0] && sqlite3_step(s) == SQLITE_ROW) {
    const char *a = (const char *)sqlite3_column_text(s, 0);
    const char *b = (const char *)sqlite3_column_text(s, 1);
    char xid[SK_UUID_LEN];
    if (!a || !b || strlen(a) >= SK_UUID_LEN || strlen(b) >= SK_UUID_LEN)
      continue;
    uuid_of(xid, "service_at_location", a, b);
    if (strcmp(xid, x->id) == 0) {
      snprintf(sid, sizeof sid, "%s", a);
      snprintf(lid, sizeof lid, "%s", b);
    }
  }
  sqlite3_reset(s);
  json_t *out = NULL;
  if (sid[0]) {
    int found;
    json_t *d = web_service_detail(w, sid, &found);
    if (d && found)
      out = sal_json(x->srv, d, sid, lid, 1);
    json_decref(d);
  }
  web_read_end(w);
  if (!out)
    return web_not_found(x, "De dienst op deze locatie");
  return web_reply_json(x, 200, out);
}

/* --- organization ------------------------------------------------------ */

enum org_services { ORG_NO_SERVICES, ORG_SERVICE_IDS, ORG_FULL_SERVICES };

/* An active organization by id as HSDS (NULL: not found or a database
 * error, *err set for the latter). Its services: none, {id, name, status}
 * or full. */
static json_t *org_json(struct web_worker *w, const char *id, enum org_services mode, int *err) {
  *err = 0;
  sqlite3_stmt *s = web_stmt(w, WQ_HSDS_ORG);
  if (!s) {
    *err = 1;
    return NULL;
  }
  sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  int step = sqlite3_step(s);
  if (step != SQLITE_ROW) {
    sqlite3_reset(s);
    *err = step != SQLITE_DONE;
    return NULL;
  }
  long long rid = sqlite3_column_int64(s, 0);
  const char *descr = (const char *)sqlite3_column_text(s, 3);
  json_t *o = json_pack("{s:o, s:o, s:s}", "id", web_json_text(s, 1), "name", web_json_text(s, 2),
                        "description", descr ? descr : "");
  if (sqlite3_column_type(s, 4) == SQLITE_TEXT && sqlite3_column_bytes(s, 4) > 0)
    json_object_set_new(o, "email", web_json_text(s, 4));
  if (sqlite3_column_type(s, 5) == SQLITE_TEXT && sqlite3_column_bytes(s, 5) > 0)
    json_object_set_new(o, "website", web_json_text(s, 5));
  sqlite3_reset(s);
  json_t *list = json_array();
  if ((s = web_stmt(w, WQ_ORG_PHONES))) { /* restricted = 0 */
    sqlite3_bind_int64(s, 1, rid);
    while (sqlite3_step(s) == SQLITE_ROW)
      json_array_append_new(list, json_pack("{s:o, s:o}", "number", web_json_text(s, 0),
                                            "description", web_json_text(s, 1)));
    sqlite3_reset(s);
  }
  json_object_set_new(o, "phones", org_phones(id, list));
  json_decref(list);
  if (mode == ORG_NO_SERVICES)
    return o;
  json_t *svcs = json_array();
  if ((s = web_stmt(w, WQ_HSDS_ORG_SERVICES))) {
    sqlite3_bind_int64(s, 1, rid);
    while (sqlite3_step(s) == SQLITE_ROW)
      json_array_append_new(svcs, json_pack("{s:o, s:o, s:s}", "id", web_json_text(s, 0), "name",
                                            web_json_text(s, 1), "status", "active"));
    sqlite3_reset(s);
  }
  if (mode == ORG_FULL_SERVICES) {
    json_t *full = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(svcs, i, v) {
      int found;
      json_t *d = web_service_detail(w, json_string_value(json_object_get(v, "id")), &found);
      if (d && found) {
        json_t *svc = hsds_service(w->srv, d, 1);
        json_object_del(svc, "organization"); /* it is the parent */
        json_array_append_new(full, svc);
      }
      json_decref(d);
    }
    json_decref(svcs);
    svcs = full;
  }
  json_object_set_new(o, "services", svcs);
  return o;
}

/* A LIKE pattern matching s anywhere ('\' escapes % and _). */
static void like_pattern(const char *s, char *out, size_t outlen) {
  size_t o = 0;
  out[o++] = '%';
  for (; *s && o + 4 < outlen; s++) {
    if (*s == '%' || *s == '_' || *s == '\\')
      out[o++] = '\\';
    out[o++] = *s;
  }
  out[o++] = '%';
  out[o] = '\0';
}

int web_hsds_organizations(struct web_ctx *x) {
  struct web_page pg;
  int full, full_service;
  if (arg_bool(x, "full", 0, &full) || arg_bool(x, "full_service", 0, &full_service) ||
      arg_format(x))
    return SK_EINVAL;
  /* Full services are large: fewer per page. */
  if (web_arg_page(x, full_service ? 10 : 50, full_service ? 20 : 200, &pg))
    return SK_EINVAL;
  char like[600];
  const char *search = web_arg(x, "search");
  if (search)
    like_pattern(search, like, sizeof like);
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  web_read_begin(w);
  sqlite3_stmt *c = web_stmt(w, WQ_HSDS_ORG_COUNT);
  long long total = 0;
  json_t *ids = json_array();
  int step = SQLITE_ERROR;
  if (c) {
    if (search)
      sqlite3_bind_text(c, 1, like, -1, SQLITE_STATIC);
    step = sqlite3_step(c);
    if (step == SQLITE_ROW)
      total = sqlite3_column_int64(c, 0);
    sqlite3_reset(c);
  }
  sqlite3_stmt *s = step == SQLITE_ROW ? web_stmt(w, WQ_HSDS_ORG_LIST) : NULL;
  if (!s) {
    json_decref(ids);
    web_read_end(w);
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  }
  if (search)
    sqlite3_bind_text(s, 1, like, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, pg.per_page);
  sqlite3_bind_int64(s, 3, (pg.page - 1) * pg.per_page);
  while (sqlite3_step(s) == SQLITE_ROW)
    json_array_append_new(ids, web_json_text(s, 0));
  sqlite3_reset(s);
  enum org_services mode = full_service ? ORG_FULL_SERVICES
                           : full       ? ORG_SERVICE_IDS
                                        : ORG_NO_SERVICES;
  json_t *contents = json_array();
  size_t i;
  json_t *id;
  json_array_foreach(ids, i, id) {
    int err;
    json_t *o = org_json(w, json_string_value(id), mode, &err);
    if (o)
      json_array_append_new(contents, o);
  }
  json_decref(ids);
  web_read_end(w);
  return web_reply_json(x, 200, page_envelope(total, &pg, contents));
}

int web_hsds_organization(struct web_ctx *x) {
  int full_service;
  if (!web_is_uuid(x->id))
    return web_not_found(x, "De organisatie");
  if (arg_bool(x, "full_service", 0, &full_service))
    return SK_EINVAL;
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  web_read_begin(w);
  int err;
  json_t *o = org_json(w, x->id, full_service ? ORG_FULL_SERVICES : ORG_SERVICE_IDS, &err);
  web_read_end(w);
  if (!o && err)
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  if (!o)
    return web_not_found(x, "De organisatie");
  return web_reply_json(x, 200, o);
}

/* --- taxonomies and terms ---------------------------------------------- */

/* 1 when needle occurs in hay, ASCII letters in any case. */
static int contains_ci(const char *hay, const char *needle) {
  if (!hay)
    return 0;
  size_t n = strlen(needle);
  for (; *hay; hay++) {
    size_t k = 0;
    while (k < n && hay[k] && tolower((unsigned char)hay[k]) == tolower((unsigned char)needle[k]))
      k++;
    if (k == n)
      return 1;
  }
  return 0;
}

static json_t *taxonomy_json(size_t i) {
  char id[SK_UUID_LEN];
  taxonomy_uuid(i, id);
  return json_pack("{s:s, s:s, s:s, s:s}", "id", id, "name", hsds_taxonomies[i].name, "description",
                   hsds_taxonomies[i].description, "version", "1");
}

int web_hsds_taxonomies(struct web_ctx *x) {
  struct web_page pg;
  int vocab;
  if (web_arg_page(x, 50, 200, &pg) || arg_format(x) || arg_taxonomy_id(x, &vocab))
    return SK_EINVAL;
  const char *search = web_arg(x, "search");
  json_t *all = json_array();
  for (size_t i = 0; i < N_HSDS_TAX; i++) {
    if (vocab >= 0 && (int)hsds_taxonomies[i].vocab != vocab)
      continue;
    if (search && !contains_ci(hsds_taxonomies[i].name, search) &&
        !contains_ci(hsds_taxonomies[i].description, search))
      continue;
    json_array_append_new(all, taxonomy_json(i));
  }
  long long total = (long long)json_array_size(all);
  json_t *contents = json_array();
  for (long long k = (pg.page - 1) * pg.per_page; k < total && k < pg.page * pg.per_page; k++)
    json_array_append(contents, json_array_get(all, (size_t)k));
  json_decref(all);
  int rc = web_reply_json(x, 200, page_envelope(total, &pg, contents));
  x->out.cache = "public, max-age=3600";
  return rc;
}

int web_hsds_taxonomy(struct web_ctx *x) {
  for (size_t i = 0; x->id && i < N_HSDS_TAX; i++) {
    char id[SK_UUID_LEN];
    taxonomy_uuid(i, id);
    if (strcmp(id, x->id) == 0 || strcmp(hsds_taxonomies[i].name, x->id) == 0) {
      int rc = web_reply_json(x, 200, taxonomy_json(i));
      x->out.cache = "public, max-age=3600";
      return rc;
    }
  }
  return web_not_found(x, "De taxonomie");
}

static int term_matches(const struct sk_term *t, const char *q) {
  if (contains_ci(t->code, q) || contains_ci(t->label, q) || contains_ci(t->explain, q))
    return 1;
  for (size_t k = 0; k < t->n_synonyms; k++)
    if (contains_ci(t->synonyms[k], q))
      return 1;
  return 0;
}

int web_hsds_terms(struct web_ctx *x) {
  struct web_server *srv = x->srv;
  struct web_page pg;
  int vocab, top_only;
  if (web_arg_page(x, 100, 500, &pg) || arg_format(x) || arg_taxonomy_id(x, &vocab) ||
      arg_bool(x, "top_only", 0, &top_only))
    return SK_EINVAL;
  const char *search = web_arg(x, "search");
  const char *parent = web_arg(x, "parent_id");
  long parent_i = -1;
  if (parent) {
    for (size_t i = 0; i < srv->tax->n_terms && parent_i < 0; i++)
      if (strcmp(srv->term_uuid[i], parent) == 0 && hsds_tax_index(srv->tax->terms[i].vocab) >= 0)
        parent_i = (long)i;
    if (parent_i < 0)
      return web_bad_param(x, "parent_id",
                           "'%.60s' is geen bekende taxonomy_term_id. Zie /hsds/taxonomy_terms.",
                           parent);
  }
  json_t *contents = json_array();
  long long total = 0;
  long long lo = (pg.page - 1) * pg.per_page, hi = pg.page * pg.per_page;
  for (size_t i = 0; i < srv->tax->n_terms; i++) {
    const struct sk_term *t = &srv->tax->terms[i];
    if (hsds_tax_index(t->vocab) < 0 || (vocab >= 0 && (int)t->vocab != vocab))
      continue;
    /* A parent_code that names no term makes a top-level term, as in term_json. */
    long p = t->parent_code ? web_term_index(srv->tax, t->vocab, t->parent_code) : -1;
    if (top_only && p >= 0)
      continue;
    if (parent_i >= 0 && p != parent_i)
      continue;
    if (search && !term_matches(t, search))
      continue;
    if (total >= lo && total < hi)
      json_array_append_new(contents, term_json(srv, i));
    total++;
  }
  int rc = web_reply_json(x, 200, page_envelope(total, &pg, contents));
  x->out.cache = "public, max-age=3600";
  return rc;
}

int web_hsds_term(struct web_ctx *x) {
  struct web_server *srv = x->srv;
  for (size_t i = 0; x->id && i < srv->tax->n_terms; i++)
    if (hsds_tax_index(srv->tax->terms[i].vocab) >= 0 && strcmp(srv->term_uuid[i], x->id) == 0) {
      int rc = web_reply_json(x, 200, term_json(srv, i));
      x->out.cache = "public, max-age=3600";
      return rc;
    }
  return web_not_found(x, "De term");
}
