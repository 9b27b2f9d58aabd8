/* /hsds: the Open Referral HSDS 3.0 API reference endpoints, in our profile
 * (attributes with sk-* taxonomies, service_areas named by code), so that
 * another sociale kaart, or ours, can import what we publish. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", srv->term_uuid[i], "code",
                        t->code, "name", t->label, "description",
                        t->explain ? t->explain : t->label, "taxonomy",
                        ti >= 0 ? hsds_taxonomies[ti].name : "", "taxonomy_id", tid, "language",
                        "nl");
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
    const char *muni = json_string_value(json_object_get(json_object_get(loc, "municipality"), "code"));
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
    json_object_set_new(l, "accessibility", json_pack("[{s:s, s:s, s:O}]", "id", cid, "location_id",
                                                      lid, "description", acc));
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

/* Our service detail (web_service_detail) as an HSDS 3.0 service. */
static json_t *hsds_service(struct web_server *srv, json_t *d, int full) {
  const char *sid = json_string_value(json_object_get(d, "id"));
  json_t *org = json_object_get(d, "organization");
  const char *status = json_string_value(json_object_get(d, "status"));
  json_t *s = json_pack("{s:s, s:s}", "id", sid, "status",
                        status && strcmp(status, "active") != 0 ? "inactive" : "active");
  put_str(s, "name", d, "name");
  put_str(s, "organization_id", org, "id");
  json_t *desc = json_object_get(d, "description");
  put_str(s, "description", d, json_is_string(desc) && json_string_length(desc) ? "description" : "summary");
  put_str(s, "url", d, "url");
  put_str(s, "email", d, "email");
  put_str(s, "application_process", d, "application_process");
  put_str(s, "eligibility_description", d, "eligibility_description");
  put_str(s, "fees_description", d, "fees_description");
  put_str(s, "assured_date", d, "assured_date");
  put_str(s, "last_modified", d, "last_modified");
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
    const char *label = json_string_value(json_object_get(v, "label"));
    const char *note = json_string_value(json_object_get(v, "note"));
    char descr[600];
    snprintf(descr, sizeof descr, "%s%s%s", label ? label : code, note ? ": " : "", note ? note : "");
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
                   (json_int_t)json_array_size(contents), "first_page", pg->page == 1,
                   "last_page", pg->page >= pages, "empty", total == 0, "contents", contents);
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
  return web_bad_param(x, "taxonomy_id", "'%.60s' is geen bekende taxonomie. Zie /hsds/taxonomies.", t);
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

int web_hsds_root(struct web_ctx *x) {
  /* openapi_url: the HSDS 3.0 API this one follows (the ORUK validator
   * requires it; base.json of the specification). */
  int rc = web_reply_json(x, 200, json_pack("{s:s, s:s, s:s}", "version", "3.0", "profile",
                                            "urn:sociale-kaart:hsds-profile:hbel:1", "openapi_url",
                                            "https://raw.githubusercontent.com/openreferral/specification/"
                                            "3.0/schema/openapi.json"));
  x->out.cache = "public, max-age=3600";
  return rc;
}

int web_hsds_services(struct web_ctx *x) {
  struct web_server *srv = x->srv;
  struct web_page pg;
  int minimal, full, vocab;
  if (web_arg_page(x, 50, 200, &pg) || arg_bool(x, "minimal", 0, &minimal) ||
      arg_bool(x, "full", 1, &full) || arg_format(x) || arg_taxonomy_id(x, &vocab))
    return SK_EINVAL;
  const char *org = web_arg(x, "organization_id");
  if (org && !web_is_uuid(org))
    return web_bad_param(x, "organization_id", "'organization_id' moet een UUID zijn.");
  const char *term = web_arg(x, "taxonomy_term_id");
  long term_i = -1;
  if (term) {
    for (size_t i = 0; i < srv->tax->n_terms && term_i < 0; i++)
      if (strcmp(srv->term_uuid[i], term) == 0 && hsds_tax_index(srv->tax->terms[i].vocab) >= 0)
        term_i = (long)i;
    if (term_i < 0)
      return web_bad_param(x, "taxonomy_term_id",
                           "'%.60s' is geen bekende taxonomy_term_id. Zie /hsds/taxonomy_terms.",
                           term);
  }
  char after[32] = "";
  int64_t t;
  int has_after;
  if (web_arg_time(x, "modified_after", &t, &has_after))
    return SK_EINVAL;
  if (has_after)
    web_iso_utc(t, after);
  char match[1100] = "";
  const char *search = web_arg(x, "search");
  int has_search = search && fts_words(search, match, sizeof match) > 0;

  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  web_read_begin(w);
  sqlite3_stmt *st[2] = {web_stmt(w, WQ_HSDS_COUNT), NULL};
  if (!st[0]) {
    web_read_end(w);
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  }
  long long total = 0;
  json_t *ids = json_array();
  for (int k = 0; k < 2; k++) {
    sqlite3_stmt *s = k == 0 ? st[0] : web_stmt(w, WQ_HSDS_LIST);
    if (!s)
      break;
    if (org)
      sqlite3_bind_text(s, 1, org, -1, SQLITE_STATIC);
    if (has_after)
      sqlite3_bind_text(s, 2, after, -1, SQLITE_STATIC);
    if (term_i >= 0) {
      sqlite3_bind_text(s, 3, sk_vocab_name(srv->tax->terms[term_i].vocab), -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 4, srv->tax->terms[term_i].code, -1, SQLITE_STATIC);
    }
    if (vocab >= 0)
      sqlite3_bind_text(s, 5, sk_vocab_name((enum sk_vocab)vocab), -1, SQLITE_STATIC);
    if (has_search)
      sqlite3_bind_text(s, 6, match, -1, SQLITE_STATIC);
    if (k == 0) {
      if (sqlite3_step(s) == SQLITE_ROW)
        total = sqlite3_column_int64(s, 0);
    } else {
      sqlite3_bind_int64(s, 7, pg.per_page);
      sqlite3_bind_int64(s, 8, (pg.page - 1) * pg.per_page);
      while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(ids, web_json_text(s, 0));
    }
    sqlite3_reset(s);
  }
  json_t *contents = json_array();
  size_t i;
  json_t *id;
  json_array_foreach(ids, i, id) {
    int found;
    json_t *d = web_service_detail(w, json_string_value(id), &found);
    if (d && !found) {
      /* Withdrawn (listed only with modified_after, for 90 days): a
       * consumer that syncs by date learns it left (issue 12). */
      sqlite3_stmt *g = web_stmt(w, WQ_HSDS_GONE);
      if (g) {
        sqlite3_bind_text(g, 1, json_string_value(id), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(g) == SQLITE_ROW)
          json_array_append_new(contents, json_pack("{s:o, s:o, s:s, s:o}", "id", web_json_text(g, 0), "name",
                                                    web_json_text(g, 1), "status", "inactive",
                                                    "last_modified", web_json_text(g, 2)));
        sqlite3_reset(g);
      }
    } else if (d && found) {
      if (minimal) { /* id, name and status are required of every HSDS service */
        const char *sts = json_string_value(json_object_get(d, "status"));
        json_array_append_new(contents,
                              json_pack("{s:O, s:O, s:s, s:O}", "id", json_object_get(d, "id"), "name",
                                        json_object_get(d, "name"), "status",
                                        sts && strcmp(sts, "active") != 0 ? "inactive" : "active",
                                        "last_modified", json_object_get(d, "last_modified")));
      }
      else
        json_array_append_new(contents, hsds_service(srv, d, full));
    }
    json_decref(d);
  }
  json_decref(ids);
  web_read_end(w);
  return web_reply_json(x, 200, page_envelope(total, &pg, contents));
}

int web_hsds_service(struct web_ctx *x) {
  if (!web_is_uuid(x->id))
    return web_not_found(x, "De dienst");
  struct web_worker *w = web_worker_get(x);
  if (!w)
    return web_unavailable(x, "De database is niet bereikbaar.");
  int found;
  web_read_begin(w);
  json_t *d = web_service_detail(w, x->id, &found);
  web_read_end(w);
  if (!d)
    return web_unavailable(x, "De database gaf een fout. Probeer het opnieuw.");
  if (!found || strcmp(json_string_value(json_object_get(d, "kind")), "aanbod") != 0) {
    json_decref(d);
    return web_not_found(x, "De dienst");
  }
  json_t *s = hsds_service(x->srv, d, 1);
  json_decref(d);
  return web_reply_json(x, 200, s);
}

int web_hsds_taxonomies(struct web_ctx *x) {
  struct web_page pg;
  int vocab;
  if (web_arg_page(x, 50, 200, &pg) || arg_format(x) || arg_taxonomy_id(x, &vocab))
    return SK_EINVAL;
  json_t *all = json_array();
  for (size_t i = 0; i < N_HSDS_TAX; i++) {
    if (vocab >= 0 && (int)hsds_taxonomies[i].vocab != vocab)
      continue;
    char id[SK_UUID_LEN];
    taxonomy_uuid(i, id);
    json_array_append_new(all, json_pack("{s:s, s:s, s:s, s:s}", "id", id, "name",
                                         hsds_taxonomies[i].name, "description",
                                         hsds_taxonomies[i].description, "version", "1"));
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

int web_hsds_terms(struct web_ctx *x) {
  struct web_server *srv = x->srv;
  struct web_page pg;
  int vocab;
  if (web_arg_page(x, 100, 500, &pg) || arg_format(x) || arg_taxonomy_id(x, &vocab))
    return SK_EINVAL;
  json_t *contents = json_array();
  long long total = 0;
  long long lo = (pg.page - 1) * pg.per_page, hi = pg.page * pg.per_page;
  for (size_t i = 0; i < srv->tax->n_terms; i++) {
    enum sk_vocab v = srv->tax->terms[i].vocab;
    if (hsds_tax_index(v) < 0 || (vocab >= 0 && (int)v != vocab))
      continue;
    if (total >= lo && total < hi)
      json_array_append_new(contents, term_json(srv, i));
    total++;
  }
  int rc = web_reply_json(x, 200, page_envelope(total, &pg, contents));
  x->out.cache = "public, max-age=3600";
  return rc;
}

/* One taxonomy by its UUID or its name (sk-hulpvraag, ...). */
int web_hsds_taxonomy(struct web_ctx *x) {
  for (size_t i = 0; i < N_HSDS_TAX; i++) {
    char id[SK_UUID_LEN];
    taxonomy_uuid(i, id);
    if (strcmp(x->id, id) == 0 || strcmp(x->id, hsds_taxonomies[i].name) == 0) {
      int rc = web_reply_json(x, 200, json_pack("{s:s, s:s, s:s, s:s}", "id", id, "name",
                                                hsds_taxonomies[i].name, "description",
                                                hsds_taxonomies[i].description, "version", "1"));
      x->out.cache = "public, max-age=3600";
      return rc;
    }
  }
  return web_not_found(x, "De taxonomie");
}

/* One taxonomy term by its UUID (as listed by /hsds/taxonomy_terms). */
int web_hsds_term(struct web_ctx *x) {
  struct web_server *srv = x->srv;
  if (!web_is_uuid(x->id))
    return web_not_found(x, "De term");
  for (size_t i = 0; i < srv->tax->n_terms; i++)
    if (hsds_tax_index(srv->tax->terms[i].vocab) >= 0 && strcmp(srv->term_uuid[i], x->id) == 0) {
      int rc = web_reply_json(x, 200, term_json(srv, i));
      x->out.cache = "public, max-age=3600";
      return rc;
    }
  return web_not_found(x, "De term");
}
