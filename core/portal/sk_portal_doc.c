/* Portal entries as JSON documents: load from the tables, build and
 * validate a new version from a merge patch, write it back with its change
 * log and snapshot. */
#include <math.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sk_err.h"
#include "sk_fold.h"
#include "sk_check.h"
#include "sk_portal_int.h"
#include "sk_write.h"

/* Caps: the model's one table of field limits (sk_check.h). */

enum ftype {
  F_TEXT,
  F_AGE,
  F_CODES,
  F_CODE,
  F_ORG,
  F_AREAS,
  F_LOCS,
  F_PHONES,
  F_HOURS,
  F_OCCS,
  F_KIND,
  F_STATUS,
  F_URL,
  F_EMAIL,
  F_POSTCODE,
  F_MUNI,
  F_COORD
};
enum { REQ = 1, ML = 2, ACT = 4 };

struct fspec {
  const char *name;
  enum ftype type;
  size_t max;
  int vocab;
  unsigned flags;
};

static const struct fspec svc_fields[] = {
    {"kind", F_KIND, 0, 0, 0},
    {"organization", F_ORG, 0, 0, REQ},
    {"name", F_TEXT, SK_FIELD_MAX_NAME, 0, REQ},
    {"summary", F_TEXT, SK_FIELD_MAX_SUMMARY, 0, 0},
    {"description", F_TEXT, SK_FIELD_MAX_TEXT, 0, ML},
    {"keywords", F_TEXT, SK_FIELD_MAX_TEXT, 0, 0},
    {"url", F_URL, SK_CHECK_URL_MAX, 0, 0},
    {"email", F_EMAIL, SK_CHECK_EMAIL_MAX, 0, 0},
    {"application_process", F_TEXT, SK_FIELD_MAX_TEXT, 0, ML},
    {"eligibility_description", F_TEXT, SK_FIELD_MAX_TEXT, 0, ML},
    {"fees_description", F_TEXT, SK_FIELD_MAX_TEXT, 0, ML},
    {"referral_contact", F_TEXT, SK_FIELD_MAX_TEXT, 0, ML},
    {"min_age", F_AGE, 0, 0, 0},
    {"max_age", F_AGE, 0, 0, 0},
    {"needs", F_CODES, 0, SK_VOCAB_NEED, REQ},
    {"target_groups", F_CODES, 0, SK_VOCAB_TARGET_GROUP, 0},
    {"laws", F_CODES, 0, SK_VOCAB_LAW, 0},
    {"access", F_CODE, 0, SK_VOCAB_ACCESS, 0},
    {"cost", F_CODE, 0, SK_VOCAB_COST, 0},
    {"areas", F_AREAS, 0, 0, REQ},
    {"locations", F_LOCS, 0, 0, 0},
    {"phones", F_PHONES, 0, 0, 0},
    {"hours", F_HOURS, 0, 0, 0},
    {"location_text", F_TEXT, SK_FIELD_MAX_SHORT, 0, ACT},
    {"recurrence", F_TEXT, SK_FIELD_MAX_SHORT, 0, ACT},
    {"organizer", F_TEXT, SK_FIELD_MAX_SHORT, 0, ACT},
    {"occurrences", F_OCCS, 0, 0, ACT},
    {"status", F_STATUS, 0, 0, 0},
};

static const struct fspec loc_fields[] = {
    {"organization", F_ORG, 0, 0, REQ},
    {"name", F_TEXT, SK_FIELD_MAX_NAME, 0, REQ},
    {"address", F_TEXT, SK_FIELD_MAX_SHORT, 0, 0},
    {"postal_code", F_POSTCODE, SK_FIELD_MAX_POSTCODE, 0, 0},
    {"city", F_TEXT, SK_FIELD_MAX_SHORT, 0, 0},
    {"municipality", F_MUNI, 0, 0, 0},
    {"latitude", F_COORD, 0, 0, 0},
    {"longitude", F_COORD, 0, 0, 0},
    {"accessibility", F_TEXT, SK_FIELD_MAX_TEXT, 0, ML},
    {"hours", F_HOURS, 0, 0, 0},
    {"status", F_STATUS, 0, 0, 0},
};

/* Keys of the output document that are not editable: accepted in input
 * (clients send back what they read) and ignored. */
static const char *const meta_keys[] = {
    "id",         "etag",    "source",        "editable", "feed_message", "assured_date",
    "assured_by", "created", "last_modified", "version",  "pending",      "organization_name",
    NULL};

#define NFIELDS(t)                                                                                 \
  ((t) == T_SVC ? sizeof svc_fields / sizeof svc_fields[0]                                         \
                : sizeof loc_fields / sizeof loc_fields[0])
#define FIELDS(t) ((t) == T_SVC ? svc_fields : loc_fields)

enum ptable pt_table_of(enum sk_portal_entity e) { return e == SK_PORTAL_LOCATION ? T_LOC : T_SVC; }

/* ---- loading ------------------------------------------------------------ */

static int prep(struct sk_portal *p, sqlite3_stmt **s, const char *sql) {
  return sqlite3_prepare_v2(p->st->db, sql, -1, s, NULL) == SQLITE_OK ? SK_OK : SK_EDB;
}

static void set(json_t *o, const char *k, json_t *v) {
  json_object_set_new(o, k, v ? v : json_null());
}

static json_t *codes_of(struct sk_portal *p, long long rid, const char *vocab, int single) {
  sqlite3_stmt *s = NULL;
  json_t *arr = json_array();
  if (prep(p, &s,
           "SELECT code FROM service_taxonomy WHERE service_rid = ?1 AND vocabulary = ?2"
           " ORDER BY code"))
    return arr;
  sqlite3_bind_int64(s, 1, rid);
  sqlite3_bind_text(s, 2, vocab, -1, SQLITE_STATIC);
  json_t *one = NULL;
  while (sqlite3_step(s) == SQLITE_ROW) {
    json_t *c = json_string((const char *)sqlite3_column_text(s, 0));
    if (single && !one)
      one = json_incref(c);
    json_array_append_new(arr, c);
  }
  sqlite3_finalize(s);
  if (single) {
    json_decref(arr);
    return one ? one : json_null();
  }
  return arr;
}

/* Rows of a query with ?1 = rid as an array of objects with these keys. */
static json_t *rows_of(struct sk_portal *p, const char *sql, long long rid, const char *const *keys,
                       const unsigned char *is_bool) {
  sqlite3_stmt *s = NULL;
  json_t *arr = json_array();
  if (prep(p, &s, sql))
    return arr;
  sqlite3_bind_int64(s, 1, rid);
  while (sqlite3_step(s) == SQLITE_ROW) {
    json_t *o = json_object();
    for (int i = 0; keys[i]; i++)
      set(o, keys[i],
          is_bool && is_bool[i] ? json_boolean(sqlite3_column_int(s, i)) : pt_col_json(s, i));
    json_array_append_new(arr, o);
  }
  sqlite3_finalize(s);
  return arr;
}

static const char *const area_keys[] = {"code", "min_age", "max_age", "note", NULL};
static const char *const phone_keys[] = {"number", "description", "restricted", NULL};
static const unsigned char phone_bool[] = {0, 0, 1};
static const char *const hour_keys[] = {"weekday", "opens", "closes", "note", NULL};
static const char *const occ_keys[] = {"starts_at", "ends_at", "cancelled", "location_text", NULL};
static const unsigned char occ_bool[] = {0, 0, 1, 0};

static int entry_etag(struct entry *en) {
  char *d1 = json_dumps(en->doc, JSON_SORT_KEYS | JSON_COMPACT);
  char *d2 = json_dumps(en->meta, JSON_SORT_KEYS | JSON_COMPACT);
  if (!d1 || !d2) {
    free(d1);
    free(d2);
    return SK_ENOMEM;
  }
  char ver[32];
  snprintf(ver, sizeof ver, "%d", en->version);
  crypto_generichash_state h;
  unsigned char d[16];
  char hex[33];
  crypto_generichash_init(&h, NULL, 0, sizeof d);
  crypto_generichash_update(&h, (const unsigned char *)en->id, strlen(en->id) + 1);
  crypto_generichash_update(&h, (const unsigned char *)en->source, strlen(en->source) + 1);
  crypto_generichash_update(&h, (const unsigned char *)ver, strlen(ver) + 1);
  crypto_generichash_update(&h, (const unsigned char *)d1, strlen(d1) + 1);
  crypto_generichash_update(&h, (const unsigned char *)d2, strlen(d2) + 1);
  crypto_generichash_final(&h, d, sizeof d);
  sodium_bin2hex(hex, sizeof hex, d, sizeof d);
  snprintf(en->etag, sizeof en->etag, "\"%s\"", hex);
  crypto_generichash_init(&h, NULL, 0, sizeof d);
  crypto_generichash_update(&h, (const unsigned char *)en->id, strlen(en->id) + 1);
  crypto_generichash_update(&h, (const unsigned char *)en->source, strlen(en->source) + 1);
  crypto_generichash_update(&h, (const unsigned char *)d1, strlen(d1) + 1);
  crypto_generichash_final(&h, d, sizeof d);
  sodium_bin2hex(hex, sizeof hex, d, sizeof d);
  snprintf(en->content_etag, sizeof en->content_etag, "\"%s\"", hex);
  free(d1);
  free(d2);
  return SK_OK;
}

static int latest_version(struct sk_portal *p, enum ptable t, const char *id) {
  sqlite3_stmt *s = NULL;
  int v = 0;
  if (prep(p, &s, "SELECT max(version) FROM portal_version WHERE entity = ?1 AND entity_id = ?2"))
    return 0;
  sqlite3_bind_text(s, 1, pt_table_name(t), -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
  if (sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return v;
}

/* The writer's columns (sk_write.h) are read back in their list order
 * after the fixed ones, and every one with a document key goes into the
 * document under that key. */
#define SEL_S(col, type, key) ", s." #col
#define SEL_L(col, type, key) ", l." #col
#define DOC_KEY(col, type, key) key,
#define SVC_FIXED 11
#define LOC_FIXED 5
static const char *const svc_keys[] = {SK_WRITE_SERVICE_COLUMNS(DOC_KEY) NULL};
static const char *const loc_keys[] = {SK_WRITE_LOCATION_COLUMNS(DOC_KEY) NULL};

static const char sql_svc[] =
    "SELECT s.rid, s.id, s.source, s.kind, o.id, s.assured_date, s.assured_by, s.created,"
    " s.last_modified, a.location_text, a.recurrence" SK_WRITE_SERVICE_COLUMNS(
        SEL_S) ", a.organizer FROM service s JOIN organization o ON o.rid = s.organization_rid"
               " LEFT JOIN activity a ON a.service_rid = s.rid WHERE s.id = ?1";

static const char sql_loc[] =
    "SELECT l.rid, l.id, l.source, o.id, l.last_modified" SK_WRITE_LOCATION_COLUMNS(
        SEL_L) " FROM location l LEFT JOIN organization o ON o.rid = l.organization_rid WHERE l.id "
               "= ?1";

/* Columns first .. of s into d under keys[] (those with a key). after_kind:
 * set right after "kind" (the documents' field order is kept). */
static void doc_columns(json_t *d, sqlite3_stmt *s, int first, const char *const *keys,
                        const char *after_kind, json_t *after_kind_value) {
  for (int i = 0; keys[i]; i++) {
    if (!keys[i][0])
      continue;
    set(d, keys[i], pt_col_json(s, first + i));
    if (after_kind && strcmp(keys[i], "kind") == 0)
      set(d, after_kind, json_incref(after_kind_value));
  }
}

static void copy_col(sqlite3_stmt *s, int i, char *out, size_t n) {
  const char *v = (const char *)sqlite3_column_text(s, i);
  snprintf(out, n, "%s", v ? v : "");
}

static int load_service(struct sk_portal *p, sqlite3_stmt *s, struct entry *en) {
  en->rid = sqlite3_column_int64(s, 0);
  copy_col(s, 1, en->id, sizeof en->id);
  copy_col(s, 2, en->source, sizeof en->source);
  copy_col(s, 3, en->kind, sizeof en->kind);
  copy_col(s, 4, en->org_id, sizeof en->org_id);
  json_t *d = en->doc = json_object(), *m = en->meta = json_object();
  if (!d || !m)
    return SK_ENOMEM;
  int act = strcmp(en->kind, "activiteit") == 0;
  json_t *org = json_string(en->org_id);
  doc_columns(d, s, SVC_FIXED, svc_keys, "organization", org);
  json_decref(org);
  set(m, "assured_date", pt_col_json(s, 5));
  set(m, "assured_by", pt_col_json(s, 6));
  set(m, "created", pt_col_json(s, 7));
  set(m, "last_modified", pt_col_json(s, 8));
  set(d, "location_text", act ? pt_col_json(s, 9) : NULL);
  set(d, "recurrence", act ? pt_col_json(s, 10) : NULL);
  int organizer = SVC_FIXED + (int)(sizeof svc_keys / sizeof svc_keys[0]) - 1;
  set(d, "organizer", act ? pt_col_json(s, organizer) : NULL);
  long long rid = en->rid;
  set(d, "needs", codes_of(p, rid, "need", 0));
  set(d, "target_groups", codes_of(p, rid, "target_group", 0));
  set(d, "laws", codes_of(p, rid, "law", 0));
  set(d, "access", codes_of(p, rid, "access", 1));
  set(d, "cost", codes_of(p, rid, "cost", 1));
  set(d, "areas",
      rows_of(p,
              "SELECT area_code, min_age, max_age, note FROM service_area"
              " WHERE service_rid = ?1 ORDER BY area_code",
              rid, area_keys, NULL));
  {
    sqlite3_stmt *q = NULL;
    json_t *arr = json_array();
    if (!prep(p, &q,
              "SELECT l.id FROM service_at_location x JOIN location l"
              " ON l.rid = x.location_rid WHERE x.service_rid = ?1 ORDER BY l.id")) {
      sqlite3_bind_int64(q, 1, rid);
      while (sqlite3_step(q) == SQLITE_ROW)
        json_array_append_new(arr, json_string((const char *)sqlite3_column_text(q, 0)));
      sqlite3_finalize(q);
    }
    set(d, "locations", arr);
  }
  set(d, "phones",
      rows_of(p,
              "SELECT number, description, restricted FROM phone"
              " WHERE service_rid = ?1 ORDER BY rid",
              rid, phone_keys, phone_bool));
  set(d, "hours",
      rows_of(p,
              "SELECT weekday, opens_at, closes_at, description FROM schedule"
              " WHERE service_rid = ?1 ORDER BY rid",
              rid, hour_keys, NULL));
  set(d, "occurrences",
      act ? rows_of(p,
                    "SELECT starts_at, ends_at, cancelled, location_text FROM occurrence"
                    " WHERE service_rid = ?1 ORDER BY start_utc, rid",
                    rid, occ_keys, occ_bool)
          : json_array());
  return SK_OK;
}

static int load_location(struct sk_portal *p, sqlite3_stmt *s, struct entry *en) {
  en->rid = sqlite3_column_int64(s, 0);
  copy_col(s, 1, en->id, sizeof en->id);
  copy_col(s, 2, en->source, sizeof en->source);
  copy_col(s, 3, en->org_id, sizeof en->org_id);
  json_t *d = en->doc = json_object(), *m = en->meta = json_object();
  if (!d || !m)
    return SK_ENOMEM;
  set(d, "organization", en->org_id[0] ? json_string(en->org_id) : NULL);
  doc_columns(d, s, LOC_FIXED, loc_keys, NULL, NULL);
  set(m, "assured_date", NULL);
  set(m, "assured_by", NULL);
  set(m, "created", NULL);
  set(m, "last_modified", pt_col_json(s, 4));
  set(d, "hours",
      rows_of(p,
              "SELECT weekday, opens_at, closes_at, description FROM schedule"
              " WHERE location_rid = ?1 AND service_rid IS NULL ORDER BY rid",
              en->rid, hour_keys, NULL));
  return SK_OK;
}

int pt_entry_load(struct sk_portal *p, enum ptable t, const char *id, struct entry *en) {
  memset(en, 0, sizeof *en);
  en->table = t;
  if (!id || !sk_uuid_valid(id))
    return SK_ENOTFOUND;
  sqlite3_stmt *s = NULL;
  if (prep(p, &s, t == T_SVC ? sql_svc : sql_loc))
    return SK_EDB;
  sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  int step = sqlite3_step(s), rc;
  if (step == SQLITE_ROW)
    rc = t == T_SVC ? load_service(p, s, en) : load_location(p, s, en);
  else
    rc = step == SQLITE_DONE ? SK_ENOTFOUND : SK_EDB;
  sqlite3_finalize(s);
  if (!rc) {
    en->version = latest_version(p, t, en->id);
    rc = entry_etag(en);
  }
  if (rc)
    pt_entry_free(en);
  return rc;
}

void pt_entry_free(struct entry *en) {
  if (!en)
    return;
  json_decref(en->doc);
  json_decref(en->meta);
  en->doc = en->meta = NULL;
}

/* ---- validation --------------------------------------------------------- */

struct vb {
  struct sk_portal *p;
  const struct sk_actor *a;
  json_t *errors;
  struct sk_portal_result *r;
  int forbidden;
  int oom;
};

static void bad(struct vb *v, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void bad(struct vb *v, const char *field, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (json_array_size(v->errors) >= 50)
    return;
  if (json_array_append_new(v->errors, json_pack("{s:s, s:s}", "field", field, "message", msg)))
    v->oom = 1;
}

/* Input shown back in a message: at most 60 bytes on a character boundary. */
static void shown(const char *s, char out[80]) {
  size_t n = strlen(s), i = sk_utf8_prefix(s, n, 60);
  snprintf(out, 80, "%.*s%s", (int)i, s, i < n ? "…" : "");
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* A text value: trimmed, "" -> null, checked. Returns a new reference or
 * NULL (null, or a problem already reported). */
static json_t *text_value(struct vb *v, const char *field, const json_t *in, size_t max,
                          int multiline) {
  if (!in || json_is_null(in))
    return NULL;
  if (!json_is_string(in)) {
    bad(v, field, "Het veld '%s' moet tekst zijn.", field);
    return NULL;
  }
  const char *s = json_string_value(in);
  size_t n = json_string_length(in);
  if (!sk_utf8_valid(s, n)) {
    bad(v, field, "Het veld '%s' bevat tekens die niet mogen.", field);
    return NULL;
  }
  while (n && strchr(" \t\r\n", s[0])) {
    s++;
    n--;
  }
  while (n && strchr(" \t\r\n", s[n - 1]))
    n--;
  if (!n)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f) {
      bad(v, field, "Het veld '%s' bevat tekens die niet mogen (zoals een regeleinde).", field);
      return NULL;
    }
  }
  json_t *out = json_stringn(s, n);
  if (!out) {
    v->oom = 1;
    return NULL;
  }
  size_t chars = sk_utf8_chars(json_string_value(out));
  if (max && chars > max) {
    bad(v, field, "Het veld '%s' is te lang (%zu tekens; hoogstens %zu).", field, chars, max);
    json_decref(out);
    return NULL;
  }
  return out;
}

static int known_code(struct vb *v, int vocab, const char *code) {
  return sk_taxonomy_find(v->p->tax, (enum sk_vocab)vocab, code) != NULL;
}

static int cmp_json_str(const void *x, const void *y) {
  return strcmp(json_string_value(*(json_t *const *)x), json_string_value(*(json_t *const *)y));
}

/* A sorted array of distinct strings, each checked by ok(); NULL on a problem. */
static json_t *string_list(struct vb *v, const char *field, const json_t *in, size_t max_n,
                           int (*ok)(struct vb *, const char *, const char *, int), int vocab) {
  if (!in || json_is_null(in))
    return json_array();
  if (!json_is_array(in)) {
    bad(v, field, "Het veld '%s' moet een lijst zijn.", field);
    return NULL;
  }
  if (json_array_size(in) > max_n) {
    bad(v, field, "De lijst '%s' is te lang (hoogstens %zu).", field, max_n);
    return NULL;
  }
  size_t n = json_array_size(in), k = 0;
  json_t **items = calloc(n ? n : 1, sizeof *items);
  if (!items) {
    v->oom = 1;
    return NULL;
  }
  int good = 1;
  for (size_t i = 0; i < n; i++) {
    json_t *it = json_array_get(in, i);
    if (!json_is_string(it) || !json_string_length(it)) {
      bad(v, field, "Het veld '%s' mag alleen codes (tekst) bevatten.", field);
      good = 0;
      continue;
    }
    if (!ok(v, field, json_string_value(it), vocab)) {
      good = 0;
      continue;
    }
    int dup = 0;
    for (size_t j = 0; j < k; j++)
      dup |= json_equal(items[j], it);
    if (!dup)
      items[k++] = it;
  }
  json_t *out = NULL;
  if (good) {
    qsort(items, k, sizeof *items, cmp_json_str);
    out = json_array();
    for (size_t i = 0; out && i < k; i++)
      json_array_append(out, items[i]);
    if (!out)
      v->oom = 1;
  }
  free(items);
  return out;
}

static int code_ok(struct vb *v, const char *field, const char *code, int vocab) {
  if (known_code(v, vocab, code))
    return 1;
  char s[80];
  shown(code, s);
  bad(v, field, "De code '%s' in het veld '%s' bestaat niet.", s, field);
  return 0;
}

/* The organisation id of a location, or "" (none); SK_ENOTFOUND. */
static int location_org(struct sk_portal *p, const char *loc_id, char org[SK_UUID_LEN],
                        int *withdrawn) {
  sqlite3_stmt *s = NULL;
  if (prep(p, &s,
           "SELECT o.id, l.status FROM location l LEFT JOIN organization o"
           " ON o.rid = l.organization_rid WHERE l.id = ?1"))
    return SK_EDB;
  sqlite3_bind_text(s, 1, loc_id, -1, SQLITE_STATIC);
  int rc = SK_ENOTFOUND;
  if (sqlite3_step(s) == SQLITE_ROW) {
    copy_col(s, 0, org, SK_UUID_LEN);
    const char *st = (const char *)sqlite3_column_text(s, 1);
    *withdrawn = st && strcmp(st, "withdrawn") == 0;
    rc = SK_OK;
  }
  sqlite3_finalize(s);
  return rc;
}

static int loc_ok(struct vb *v, const char *field, const char *id, int unused) {
  (void)unused;
  char org[SK_UUID_LEN], s[80];
  int withdrawn = 0;
  shown(id, s);
  if (!sk_uuid_valid(id) || location_org(v->p, id, org, &withdrawn) != SK_OK) {
    bad(v, field, "De locatie '%s' in het veld '%s' bestaat niet.", s, field);
    return 0;
  }
  if (!pt_is_editor(v->a) && !pt_has_org(v->a, org)) {
    v->forbidden = 1;
    return 0;
  }
  if (withdrawn) {
    bad(v, field, "De locatie '%s' in het veld '%s' is ingetrokken.", s, field);
    return 0;
  }
  return 1;
}

static json_t *age_value(struct vb *v, const char *field, const json_t *in) {
  if (!in || json_is_null(in))
    return NULL;
  if (!json_is_integer(in) || json_integer_value(in) < 0 ||
      json_integer_value(in) > SK_FIELD_MAX_AGE) {
    bad(v, field, "Het veld '%s' moet een leeftijd tussen 0 en %d zijn.", field, SK_FIELD_MAX_AGE);
    return NULL;
  }
  return json_integer(json_integer_value(in));
}

static json_t *areas_value(struct vb *v, const char *field, const json_t *in) {
  if (!in || json_is_null(in))
    return json_array();
  if (!json_is_array(in) || json_array_size(in) > SK_FIELD_MAX_CODES) {
    bad(v, field, "Het veld '%s' moet een lijst van hoogstens %d gemeenten of gebieden zijn.",
        field, SK_FIELD_MAX_CODES);
    return NULL;
  }
  json_t *out = json_array();
  size_t i;
  json_t *it;
  int good = 1;
  json_array_foreach(in, i, it) {
    const json_t *code = json_is_string(it) ? it : json_object_get(it, "code");
    if (!json_is_string(code)) {
      bad(v, field, "Elk gebied in het veld '%s' heeft een code nodig.", field);
      good = 0;
      continue;
    }
    const char *c = json_string_value(code);
    if (!known_code(v, SK_VOCAB_MUNICIPALITY, c) && !known_code(v, SK_VOCAB_SCOPE, c)) {
      char s[80];
      shown(c, s);
      bad(v, field, "De code '%s' in het veld '%s' is geen gemeente of gebied.", s, field);
      good = 0;
      continue;
    }
    json_t *mn = NULL, *mx = NULL, *note = NULL;
    if (json_is_object(it)) {
      mn = age_value(v, "areas.min_age", json_object_get(it, "min_age"));
      mx = age_value(v, "areas.max_age", json_object_get(it, "max_age"));
      note = text_value(v, "areas.note", json_object_get(it, "note"), SK_FIELD_MAX_SHORT, 0);
    }
    json_t *a = json_pack("{s:s, s:o, s:o, s:o}", "code", c, "min_age", mn ? mn : json_null(),
                          "max_age", mx ? mx : json_null(), "note", note ? note : json_null());
    /* a code twice: the last one wins (as in the feeds) */
    size_t j;
    json_t *prev;
    int replaced = 0;
    json_array_foreach(out, j, prev) {
      if (strcmp(json_string_value(json_object_get(prev, "code")), c) == 0) {
        json_array_set_new(out, j, a);
        replaced = 1;
        break;
      }
    }
    if (!replaced)
      json_array_append_new(out, a);
  }
  if (!good) {
    json_decref(out);
    return NULL;
  }
  /* sorted by code, as loaded */
  size_t n = json_array_size(out);
  for (size_t x = 1; x < n; x++)
    for (size_t y = x; y > 0; y--) {
      json_t *p1 = json_array_get(out, y - 1), *p2 = json_array_get(out, y);
      if (strcmp(json_string_value(json_object_get(p1, "code")),
                 json_string_value(json_object_get(p2, "code"))) <= 0)
        break;
      json_incref(p1);
      json_array_set(out, y - 1, p2);
      json_array_set_new(out, y, p1);
    }
  return out;
}

static json_t *phones_value(struct vb *v, const char *field, const json_t *in) {
  if (!in || json_is_null(in))
    return json_array();
  if (!json_is_array(in) || json_array_size(in) > SK_FIELD_MAX_LIST) {
    bad(v, field, "Het veld '%s' moet een lijst van hoogstens %d nummers zijn.", field,
        SK_FIELD_MAX_LIST);
    return NULL;
  }
  json_t *out = json_array();
  size_t i;
  json_t *it;
  int good = 1;
  json_array_foreach(in, i, it) {
    const json_t *num = json_is_string(it) ? it : json_object_get(it, "number");
    if (!json_is_string(num) || !sk_check_phone(json_string_value(num))) {
      char s[80];
      shown(json_is_string(num) ? json_string_value(num) : "", s);
      bad(v, field, "'%s' in het veld '%s' is geen geldig telefoonnummer.", s, field);
      good = 0;
      continue;
    }
    json_t *desc = json_is_object(it)
                       ? text_value(v, "phones.description", json_object_get(it, "description"),
                                    SK_FIELD_MAX_SHORT, 0)
                       : NULL;
    const json_t *rs = json_is_object(it) ? json_object_get(it, "restricted") : NULL;
    json_array_append_new(out, json_pack("{s:s, s:o, s:b}", "number", json_string_value(num),
                                         "description", desc ? desc : json_null(), "restricted",
                                         json_is_true(rs)));
  }
  if (!good) {
    json_decref(out);
    return NULL;
  }
  return out;
}

static json_t *hours_value(struct vb *v, const char *field, const json_t *in) {
  if (!in || json_is_null(in))
    return json_array();
  if (!json_is_array(in) || json_array_size(in) > SK_FIELD_MAX_LIST) {
    bad(v, field, "Het veld '%s' moet een lijst van hoogstens %d openingstijden zijn.", field,
        SK_FIELD_MAX_LIST);
    return NULL;
  }
  json_t *out = json_array();
  size_t i;
  json_t *it;
  int good = 1;
  json_array_foreach(in, i, it) {
    json_t *wd = json_object_get(it, "weekday");
    const char *o = json_string_value(json_object_get(it, "opens"));
    const char *c = json_string_value(json_object_get(it, "closes"));
    if (!json_is_integer(wd) || json_integer_value(wd) < 1 || json_integer_value(wd) > 7) {
      bad(v, field,
          "Een openingstijd in het veld '%s' heeft geen goede dag ('weekday' 1 tot en"
          " met 7; 1 is maandag).",
          field);
      good = 0;
      continue;
    }
    if (!sk_check_hhmm(o) || !sk_check_hhmm(c) || strcmp(o, c) >= 0) {
      bad(v, field,
          "Een openingstijd in het veld '%s' klopt niet: schrijf 'opens' en 'closes'"
          " als 09:00 en 'opens' vóór 'closes'.",
          field);
      good = 0;
      continue;
    }
    json_t *note = text_value(v, "hours.note", json_object_get(it, "note"), SK_FIELD_MAX_SHORT, 0);
    json_array_append_new(out, json_pack("{s:I, s:s, s:s, s:o}", "weekday",
                                         (json_int_t)json_integer_value(wd), "opens", o, "closes",
                                         c, "note", note ? note : json_null()));
  }
  if (!good) {
    json_decref(out);
    return NULL;
  }
  return out;
}

/* Days from 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int num(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!is_digit(s[i]))
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* "YYYY-MM-DD" (all day) or "YYYY-MM-DDTHH:MM[:SS](Z|+HH:MM|-HH:MM)".
 * Returns 1 and sets *utc and *all_day. All-day dates count from local
 * midnight, taken as UTC+1: only used for ordering and windows. */
int pt_parse_when(const char *s, int64_t *utc, int *all_day) {
  size_t n = strlen(s);
  if (n < 10 || s[4] != '-' || s[7] != '-')
    return 0;
  int y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2);
  if (y < 1990 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > 31)
    return 0;
  int64_t day = days_from_civil(y, mo, d);
  if (n == 10) {
    *all_day = 1;
    *utc = day * 86400 - 3600;
    return 1;
  }
  if (n < 16 || s[10] != 'T' || s[13] != ':')
    return 0;
  int h = num(s + 11, 2), mi = num(s + 14, 2), sec = 0;
  const char *z = s + 16;
  if (*z == ':') {
    sec = num(z + 1, 2);
    z += 3;
  }
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
    return 0;
  int off;
  if (strcmp(z, "Z") == 0)
    off = 0;
  else if ((z[0] == '+' || z[0] == '-') && strlen(z) == 6 && z[3] == ':') {
    int oh = num(z + 1, 2), om = num(z + 4, 2);
    if (oh < 0 || oh > 14 || om < 0 || om > 59)
      return 0;
    off = (oh * 60 + om) * 60 * (z[0] == '-' ? -1 : 1);
  } else
    return 0;
  *all_day = 0;
  *utc = day * 86400 + h * 3600 + mi * 60 + sec - off;
  return 1;
}

static json_t *occurrences_value(struct vb *v, const char *field, const json_t *in) {
  if (!in || json_is_null(in))
    return json_array();
  if (!json_is_array(in) || json_array_size(in) > SK_FIELD_MAX_OCCURRENCES) {
    bad(v, field, "Het veld '%s' moet een lijst van hoogstens %d data zijn.", field,
        SK_FIELD_MAX_OCCURRENCES);
    return NULL;
  }
  size_t n = json_array_size(in);
  struct occ {
    int64_t utc;
    json_t *o;
  } *tmp = calloc(n ? n : 1, sizeof *tmp);
  if (!tmp) {
    v->oom = 1;
    return NULL;
  }
  int good = 1;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *it = json_array_get(in, i);
    const char *st = json_string_value(json_object_get(it, "starts_at"));
    const char *en = json_string_value(json_object_get(it, "ends_at"));
    int64_t su, eu = 0;
    int ad, ead = 0;
    if (!st || !pt_parse_when(st, &su, &ad) || (en && (!pt_parse_when(en, &eu, &ead) || eu < su))) {
      bad(v, field,
          "Een datum in het veld '%s' klopt niet. Schrijf bijvoorbeeld"
          " 2026-03-02T10:00+01:00, en het einde na het begin.",
          field);
      good = 0;
      continue;
    }
    json_t *lt = text_value(v, "occurrences.location_text", json_object_get(it, "location_text"),
                            SK_FIELD_MAX_SHORT, 0);
    tmp[k].utc = su;
    tmp[k++].o = json_pack("{s:s, s:o, s:b, s:o}", "starts_at", st, "ends_at",
                           en ? json_string(en) : json_null(), "cancelled",
                           json_is_true(json_object_get(it, "cancelled")), "location_text",
                           lt ? lt : json_null());
  }
  /* stable sort by start, as loaded */
  for (size_t x = 1; x < k; x++)
    for (size_t y = x; y > 0 && tmp[y - 1].utc > tmp[y].utc; y--) {
      struct occ t = tmp[y - 1];
      tmp[y - 1] = tmp[y];
      tmp[y] = t;
    }
  json_t *out = good ? json_array() : NULL;
  for (size_t i = 0; i < k; i++) {
    if (out)
      json_array_append_new(out, tmp[i].o);
    else
      json_decref(tmp[i].o);
  }
  free(tmp);
  return out;
}

static json_t *coord_value(struct vb *v, const char *field, const json_t *in) {
  if (!in || json_is_null(in))
    return NULL;
  if (!json_is_number(in) || !isfinite(json_number_value(in))) {
    bad(v, field, "Het veld '%s' moet een getal zijn.", field);
    return NULL;
  }
  return json_real(json_number_value(in));
}

/* Whole-record rules after every field was read. */
static void check_record(struct vb *v, enum ptable t, json_t *d) {
  const struct fspec *f = FIELDS(t);
  int act = t == T_SVC && strcmp(json_string_value(json_object_get(d, "kind")), "activiteit") == 0;
  for (size_t i = 0; i < NFIELDS(t); i++) {
    json_t *x = json_object_get(d, f[i].name);
    int empty = !x || json_is_null(x) || (json_is_array(x) && json_array_size(x) == 0);
    if ((f[i].flags & REQ) && empty) {
      if (strcmp(f[i].name, "needs") == 0)
        bad(v, f[i].name, "Het veld 'needs' is leeg: kies minstens één hulpvraag.");
      else if (strcmp(f[i].name, "areas") == 0)
        bad(v, f[i].name, "Het veld 'areas' is leeg: kies minstens één gemeente of gebied.");
      else
        bad(v, f[i].name, "Het veld '%s' is leeg.", f[i].name);
    }
    if ((f[i].flags & ACT) && !act && !empty)
      bad(v, f[i].name, "Het veld '%s' hoort alleen bij een activiteit.", f[i].name);
  }
  if (t == T_SVC) {
    if (!act) {
      if (json_is_null(json_object_get(d, "access")))
        bad(v, "access", "Het veld 'access' is leeg: kies hoe mensen dit aanbod krijgen.");
      if (json_is_null(json_object_get(d, "cost")))
        bad(v, "cost", "Het veld 'cost' is leeg: kies wat het kost.");
    }
    json_t *mn = json_object_get(d, "min_age"), *mx = json_object_get(d, "max_age");
    if (json_is_integer(mn) && json_is_integer(mx) &&
        json_integer_value(mn) > json_integer_value(mx))
      bad(v, "min_age", "Het veld 'min_age' is hoger dan 'max_age'.");
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(d, "areas"), i, a) {
      json_t *amn = json_object_get(a, "min_age"), *amx = json_object_get(a, "max_age");
      if (json_is_integer(amn) && json_is_integer(amx) &&
          json_integer_value(amn) > json_integer_value(amx))
        bad(v, "areas", "In het veld 'areas' is 'min_age' hoger dan 'max_age'.");
    }
  } else {
    json_t *la = json_object_get(d, "latitude"), *lo = json_object_get(d, "longitude");
    if (json_is_null(la) != json_is_null(lo))
      bad(v, "latitude", "Geef 'latitude' en 'longitude' allebei, of geen van beide.");
    else if (!json_is_null(la)) {
      double x = json_real_value(la), y = json_real_value(lo);
      if (x < -90 || x > 90 || y < -180 || y > 180 || (x == 0 && y == 0))
        bad(v, "latitude", "De coördinaten in 'latitude' en 'longitude' kunnen niet kloppen.");
    }
  }
}

static json_t *blank_doc(enum ptable t, const char *kind) {
  json_t *d = json_object();
  const struct fspec *f = FIELDS(t);
  for (size_t i = 0; i < NFIELDS(t); i++) {
    enum ftype ty = f[i].type;
    json_t *x = ty == F_CODES || ty == F_AREAS || ty == F_LOCS || ty == F_PHONES || ty == F_HOURS ||
                        ty == F_OCCS
                    ? json_array()
                    : json_null();
    json_object_set_new(d, f[i].name, x);
  }
  if (t == T_SVC)
    json_object_set_new(d, "kind", json_string(kind ? kind : "aanbod"));
  json_object_set_new(d, "status", json_string("active"));
  return d;
}

static int org_status(struct sk_portal *p, const char *org_id, int *exists, int *withdrawn) {
  sqlite3_stmt *s = NULL;
  *exists = *withdrawn = 0;
  if (!sk_uuid_valid(org_id))
    return SK_OK;
  if (prep(p, &s, "SELECT status FROM organization WHERE id = ?1"))
    return SK_EDB;
  sqlite3_bind_text(s, 1, org_id, -1, SQLITE_STATIC);
  if (sqlite3_step(s) == SQLITE_ROW) {
    *exists = 1;
    const char *st = (const char *)sqlite3_column_text(s, 0);
    *withdrawn = st && strcmp(st, "withdrawn") == 0;
  }
  sqlite3_finalize(s);
  return SK_OK;
}

static void read_field(struct vb *v, enum ptable t, const struct fspec *f, const json_t *in,
                       json_t *d, const char *cur_kind) {
  const char *name = f->name;
  json_t *val = NULL;
  int ok_null = 0; /* a problem leaves the field as it was */
  switch (f->type) {
  case F_TEXT:
    val = text_value(v, name, in, f->max, (f->flags & ML) != 0);
    ok_null = 1;
    break;
  case F_URL:
  case F_EMAIL:
    val = text_value(v, name, in, f->max, 0);
    ok_null = 1;
    if (val && f->type == F_URL && !sk_check_url(json_string_value(val))) {
      bad(v, name, "Het veld '%s' is geen geldig webadres (begin met https://).", name);
      json_decref(val);
      return;
    }
    if (val && f->type == F_EMAIL && !sk_check_email(json_string_value(val))) {
      bad(v, name, "Het veld '%s' is geen geldig e-mailadres.", name);
      json_decref(val);
      return;
    }
    break;
  case F_AGE:
    val = age_value(v, name, in);
    ok_null = json_is_null(in);
    if (!val && !ok_null)
      return;
    break;
  case F_CODES:
    if (!(val = string_list(v, name, in, SK_FIELD_MAX_CODES, code_ok, f->vocab)))
      return;
    break;
  case F_CODE:
  case F_MUNI:
    val = text_value(v, name, in, 100, 0);
    ok_null = 1;
    if (val && !known_code(v, f->type == F_MUNI ? SK_VOCAB_MUNICIPALITY : f->vocab,
                           json_string_value(val))) {
      char s[80];
      shown(json_string_value(val), s);
      bad(v, name, "De code '%s' in het veld '%s' bestaat niet.", s, name);
      json_decref(val);
      return;
    }
    break;
  case F_AREAS:
    if (!(val = areas_value(v, name, in)))
      return;
    break;
  case F_LOCS:
    if (!(val = string_list(v, name, in, SK_FIELD_MAX_LIST, loc_ok, 0)))
      return;
    break;
  case F_PHONES:
    if (!(val = phones_value(v, name, in)))
      return;
    break;
  case F_HOURS:
    if (!(val = hours_value(v, name, in)))
      return;
    break;
  case F_OCCS:
    if (!(val = occurrences_value(v, name, in)))
      return;
    break;
  case F_COORD:
    val = coord_value(v, name, in);
    ok_null = json_is_null(in);
    if (!val && !ok_null)
      return;
    break;
  case F_KIND: {
    const char *k = json_string_value(in);
    if (!k || (strcmp(k, "aanbod") != 0 && strcmp(k, "activiteit") != 0)) {
      bad(v, name, "Het veld 'kind' is 'aanbod' of 'activiteit'.");
      return;
    }
    if (cur_kind && strcmp(cur_kind, k) != 0) {
      bad(v, name, "Het veld 'kind' kan niet veranderen; maak een nieuw item.");
      return;
    }
    val = json_string(k);
    break;
  }
  case F_STATUS: {
    const char *k = json_string_value(in);
    if (!k || (strcmp(k, "active") != 0 && strcmp(k, "withdrawn") != 0)) {
      bad(v, name, "Het veld 'status' is 'active' of 'withdrawn'.");
      return;
    }
    val = json_string(k);
    break;
  }
  case F_POSTCODE: {
    val = text_value(v, name, in, f->max, 0);
    ok_null = 1;
    if (val) {
      char norm[8];
      int digits = sk_postcode_normalize(json_string_value(val), norm);
      json_decref(val);
      if (digits < 0) {
        bad(v, name, "Het veld '%s' is geen Nederlandse postcode (zoals 1271 AB).", name);
        return;
      }
      val = json_string(norm);
    }
    break;
  }
  case F_ORG: {
    const char *org = json_string_value(in);
    int exists = 0, withdrawn = 0;
    if (!org) {
      if (!json_is_null(in))
        bad(v, name, "Het veld 'organization' moet het id van een organisatie zijn.");
      return; /* required: check_record reports it when it stays empty */
    }
    if (org_status(v->p, org, &exists, &withdrawn)) {
      v->oom = 1;
      return;
    }
    if (!exists) {
      bad(v, name, "De organisatie in het veld 'organization' bestaat niet.");
      return;
    }
    if (!pt_is_editor(v->a) && !pt_has_org(v->a, org)) {
      v->forbidden = 1;
      return;
    }
    if (withdrawn) {
      bad(v, name, "De organisatie in het veld 'organization' is ingetrokken.");
      return;
    }
    val = json_string(org);
    break;
  }
  }
  (void)t;
  if (!val && !ok_null)
    return;
  json_object_set_new(d, name, val ? val : json_null());
}

int pt_doc_build(struct sk_portal *p, const struct sk_actor *a, enum ptable t, const char *kind,
                 const json_t *base, const json_t *patch, json_t **out, json_t *errors,
                 struct sk_portal_result *r) {
  *out = NULL;
  if (!json_is_object(patch)) {
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "", "message",
                                            "Stuur de gegevens als een JSON-object."));
    return SK_EINVAL;
  }
  struct vb v = {.p = p, .a = a, .errors = errors, .r = r};
  json_t *d = base ? json_deep_copy(base) : blank_doc(t, kind);
  if (!d)
    return SK_ENOMEM;
  const char *cur_kind = base && t == T_SVC ? json_string_value(json_object_get(base, "kind"))
                                            : NULL;
  if (!base && kind && t == T_SVC)
    cur_kind = kind; /* activities endpoint: the kind is fixed */
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)patch, key, val) {
    const struct fspec *f = NULL;
    for (size_t i = 0; i < NFIELDS(t); i++)
      if (strcmp(FIELDS(t)[i].name, key) == 0)
        f = &FIELDS(t)[i];
    if (!f) {
      int meta = 0;
      for (int i = 0; meta_keys[i]; i++)
        meta |= strcmp(meta_keys[i], key) == 0;
      if (!meta) {
        char s[80];
        shown(key, s);
        bad(&v, key, "Het veld '%s' bestaat niet.", s);
      }
      continue;
    }
    read_field(&v, t, f, val, d, cur_kind);
    if (v.forbidden || v.oom)
      break;
  }
  /* A location's municipality follows from its postcode when not given. */
  if (t == T_LOC && !v.forbidden && !v.oom) {
    const char *pc = json_string_value(json_object_get(d, "postal_code"));
    if (pc && json_is_null(json_object_get(d, "municipality")) &&
        !json_object_get(patch, "municipality")) {
      const struct sk_term *m = sk_taxonomy_municipality_for_postcode(p->tax, num(pc, 4));
      if (m)
        json_object_set_new(d, "municipality", json_string(m->code));
    }
  }
  if (!v.forbidden && !v.oom)
    check_record(&v, t, d);
  if (v.oom) {
    json_decref(d);
    return SK_ENOMEM;
  }
  if (v.forbidden) {
    json_decref(d);
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden",
                  "U mag alleen gegevens van uw eigen organisatie gebruiken en aanpassen.");
  }
  if (json_array_size(errors)) {
    json_decref(d);
    return SK_EINVAL;
  }
  *out = d;
  return SK_OK;
}

/* ---- writing ------------------------------------------------------------ */

/* A document's values in the writer's types (sk_write.h). */
static const char *doc_TEXT(const json_t *d, const char *key) {
  return json_string_value(json_object_get(d, key));
}
static int doc_AGE(const json_t *d, const char *key) {
  json_t *x = json_object_get(d, key);
  return json_is_integer(x) ? (int)json_integer_value(x) : SK_WRITE_UNSET;
}
static double doc_REAL(const json_t *d, const char *key) {
  json_t *x = json_object_get(d, key);
  return json_is_number(x) ? json_number_value(x) : NAN;
}
static long long doc_INT(const json_t *d, const char *key) {
  json_t *x = json_object_get(d, key);
  return json_is_integer(x) ? (long long)json_integer_value(x) : 0;
}
/* Every column with a document key, from the document. */
#define DOC_FILL(col, type, key)                                                                   \
  if ((key)[0])                                                                                    \
    v.col = doc_##type(d, key);

static long long rid_of(struct sk_portal *p, const char *table, const char *id) {
  char sql[96];
  snprintf(sql, sizeof sql, "SELECT rid FROM %s WHERE id = ?1", table);
  sqlite3_stmt *s = NULL;
  long long rid = 0;
  if (!id || prep(p, &s, sql))
    return 0;
  sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step(s) == SQLITE_ROW)
    rid = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return rid;
}

static int write_hours(struct sk_writer *w, const json_t *hours, long long svc_rid,
                       long long loc_rid) {
  size_t i;
  json_t *h;
  int rc = SK_OK;
  json_array_foreach(hours, i, h) {
    struct sk_write_hours v = {doc_AGE(h, "weekday"),
                               doc_TEXT(h, "opens"),
                               doc_TEXT(h, "closes"),
                               doc_TEXT(h, "note"),
                               NULL,
                               NULL};
    if ((rc = sk_write_hours(w, svc_rid, loc_rid, &v)))
      break;
  }
  return rc;
}

/* The offering's classification, areas, locations, phones, hours and, for
 * an activity, its activity row and dates, replacing what it had. */
static int write_children(struct sk_portal *p, struct sk_writer *w, long long r, const char *id,
                          const json_t *d) {
  int rc = sk_write_service_clear(w, r);
  static const char *const lists[][2] = {{"needs", "need"},
                                         {"target_groups", "target_group"},
                                         {"laws", "law"},
                                         {"access", "access"},
                                         {"cost", "cost"}};
  for (size_t l = 0; l < 5 && !rc; l++) {
    json_t *x = json_object_get(d, lists[l][0]);
    size_t n = json_is_array(x) ? json_array_size(x) : json_is_string(x) ? 1 : 0;
    for (size_t i = 0; i < n && !rc; i++) {
      json_t *c = json_is_array(x) ? json_array_get(x, i) : x;
      rc = sk_write_code(w, r, lists[l][1], json_string_value(c));
    }
  }
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(d, "areas"), i, x) {
    struct sk_write_area v = {doc_TEXT(x, "code"), doc_AGE(x, "min_age"), doc_AGE(x, "max_age"),
                              doc_TEXT(x, "note")};
    if (rc || (rc = sk_write_area(w, r, &v)))
      break;
  }
  json_array_foreach(json_object_get(d, "locations"), i, x) {
    long long loc = rid_of(p, "location", json_string_value(x));
    if (rc || (loc && (rc = sk_write_service_location(w, r, loc))))
      break;
  }
  json_array_foreach(json_object_get(d, "phones"), i, x) {
    struct sk_write_phone v = {doc_TEXT(x, "number"), doc_TEXT(x, "description"),
                               json_is_true(json_object_get(x, "restricted"))};
    if (rc || (rc = sk_write_phone(w, r, &v)))
      break;
  }
  if (rc || (rc = write_hours(w, json_object_get(d, "hours"), r, 0)))
    return rc;
  if (strcmp(doc_TEXT(d, "kind"), "activiteit") != 0)
    return SK_OK;
  struct sk_write_activity act = {id, doc_TEXT(d, "location_text"), doc_TEXT(d, "recurrence"),
                                  doc_TEXT(d, "organizer")};
  if ((rc = sk_write_activity(w, r, &act)))
    return rc;
  json_array_foreach(json_object_get(d, "occurrences"), i, x) {
    int cancelled = json_is_true(json_object_get(x, "cancelled"));
    struct sk_write_occurrence v = {
        doc_TEXT(x, "starts_at"),    doc_TEXT(x, "ends_at"), 0, SK_WRITE_UNSET, 0, cancelled,
        doc_TEXT(x, "location_text")};
    int64_t eu = 0;
    int ead = 0;
    if (pt_parse_when(v.starts_at, &v.start_utc, &v.all_day) != 1)
      v.start_utc = 0;
    if (v.ends_at && pt_parse_when(v.ends_at, &eu, &ead))
      v.end_utc = eu;
    else
      v.ends_at = NULL;
    if ((rc = sk_write_occurrence(w, r, &v)))
      break;
  }
  return rc;
}

/* Write the entry's row from the document: a new one (*rid 0; id, source
 * 'portal') or the row *rid. meta: the entry's assured_date/by (kept). */
static int write_service(struct sk_portal *p, struct sk_writer *w, long long *rid, const char *id,
                         const json_t *d, const json_t *meta, const char *now) {
  struct sk_write_service v = sk_write_service_blank();
  SK_WRITE_SERVICE_COLUMNS(DOC_FILL)
  v.organization_rid = rid_of(p, "organization", doc_TEXT(d, "organization"));
  if (!v.organization_rid)
    return SK_EINVAL;
  v.assured_date = doc_TEXT(meta, "assured_date");
  v.assured_by = doc_TEXT(meta, "assured_by");
  struct sk_write_origin o = {id, "portal", id};
  int rc = *rid ? sk_write_service_update(w, *rid, &v, now)
                : sk_write_service_insert(w, &o, &v, now, rid);
  return rc ? rc : write_children(p, w, *rid, id, d);
}

static int write_location(struct sk_portal *p, struct sk_writer *w, long long *rid, const char *id,
                          const json_t *d, const char *now) {
  struct sk_write_location v = sk_write_location_blank();
  SK_WRITE_LOCATION_COLUMNS(DOC_FILL)
  v.organization_rid = rid_of(p, "organization", doc_TEXT(d, "organization"));
  if (!v.organization_rid)
    return SK_EINVAL;
  if (isnan(v.latitude) || isnan(v.longitude)) /* a point or nothing */
    v.latitude = v.longitude = NAN;
  struct sk_write_origin o = {id, "portal", id};
  int rc = *rid ? sk_write_location_update(w, *rid, &v, now)
                : sk_write_location_insert(w, &o, &v, now, rid);
  if (rc || (rc = sk_write_location_clear(w, *rid)))
    return rc;
  return write_hours(w, json_object_get(d, "hours"), 0, *rid);
}

/* A value as change-log text: strings as they are, the rest as JSON. */
static char *log_text(const json_t *x) {
  if (!x || json_is_null(x))
    return NULL;
  if (json_is_string(x))
    return strdup(json_string_value(x));
  return json_dumps(x, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
}

int pt_log(struct sk_portal *p, const char *at, const char *actor, const char *entity,
           const char *entity_id, const char *field, const char *old_v, const char *new_v,
           int version) {
  struct sk_write_change c = {at, actor, entity, entity_id, field, old_v, new_v, version};
  return sk_write_log_once(p->st, &c);
}

json_t *pt_diff(const json_t *old_doc, const json_t *new_doc) {
  json_t *out = json_array();
  const char *key;
  json_t *nv;
  json_object_foreach((json_t *)new_doc, key, nv) {
    json_t *ov = old_doc ? json_object_get(old_doc, key) : NULL;
    int o_empty = !ov || json_is_null(ov) || (json_is_array(ov) && !json_array_size(ov));
    int n_empty = json_is_null(nv) || (json_is_array(nv) && !json_array_size(nv));
    if ((o_empty && n_empty) || (ov && json_equal(ov, nv)))
      continue;
    json_array_append_new(
        out, json_pack("{s:s, s:O, s:O}", "field", key, "old", ov ? ov : json_null(), "new", nv));
  }
  return out;
}

int pt_assure(struct sk_portal *p, struct sk_writer *w, long long rid, const char *id,
              const json_t *meta, const char *now, const char *actor, int version) {
  const char *old_d = doc_TEXT(meta, "assured_date"), *old_b = doc_TEXT(meta, "assured_by");
  struct sk_writer *own = NULL;
  int rc = w ? SK_OK : sk_write_open(&own, p->st, 1);
  if (rc || (rc = sk_write_assured(w ? w : own, rid, now, actor)))
    goto out;
  struct sk_write_change c = {now, actor, "service", id, "assured_date", old_d, now, version};
  if ((rc = sk_write_log(w ? w : own, &c)))
    goto out;
  if (!old_b || strcmp(old_b, actor) != 0) {
    struct sk_write_change b = {now, actor, "service", id, "assured_by", old_b, actor, version};
    rc = sk_write_log(w ? w : own, &b);
  }
out:
  sk_write_close(own);
  return rc;
}

/* The new content of one entry, its change log and its snapshot. */
static int commit_with(struct sk_portal *p, struct sk_writer *w, enum ptable t,
                       const struct entry *en, const char *id, const json_t *doc, const char *actor,
                       const char *note, int assure, const char *now) {
  long long rid = en ? en->rid : 0;
  const char *eid = en ? en->id : id;
  int rc = t == T_SVC ? write_service(p, w, &rid, eid, doc, en ? en->meta : NULL, now)
                      : write_location(p, w, &rid, eid, doc, now);
  if (rc)
    return rc;
  struct entry after;
  if ((rc = pt_entry_load(p, t, eid, &after)))
    return rc;
  int version = (en ? en->version : 0) + 1;
  json_t *diff = pt_diff(en ? en->doc : NULL, after.doc);
  size_t i;
  json_t *x;
  json_array_foreach(diff, i, x) {
    char *o = log_text(json_object_get(x, "old")), *n = log_text(json_object_get(x, "new"));
    struct sk_write_change c = {
        now, actor, pt_table_name(t), eid, json_string_value(json_object_get(x, "field")),
        o,   n,     version};
    rc = sk_write_log(w, &c);
    free(o);
    free(n);
    if (rc)
      break;
  }
  json_decref(diff);
  if (!rc && t == T_SVC && assure)
    rc = pt_assure(p, w, rid, eid, after.meta, now, actor, version);
  if (!rc) {
    char *snap = json_dumps(after.doc, JSON_SORT_KEYS | JSON_COMPACT);
    sqlite3_stmt *s = NULL;
    if (!snap)
      rc = SK_ENOMEM;
    else if (!(rc = prep(p, &s,
                         "INSERT INTO portal_version(entity, entity_id, version, at, actor,"
                         " note, doc) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"))) {
      sqlite3_bind_text(s, 1, pt_table_name(t), -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 2, eid, -1, SQLITE_STATIC);
      sqlite3_bind_int(s, 3, version);
      sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 5, actor, -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 6, note, -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 7, snap, -1, SQLITE_STATIC);
      rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
      sqlite3_finalize(s);
    }
    free(snap);
  }
  pt_entry_free(&after);
  if (!rc && t == T_SVC)
    rc = sk_store_index_service(p->st, rid);
  return rc;
}

int pt_doc_commit(struct sk_portal *p, enum ptable t, const struct entry *en, const char *id,
                  const json_t *doc, const char *actor, const char *note, int assure) {
  char now[32];
  pt_now_iso(p, now);
  struct sk_writer *w;
  int rc = sk_write_open(&w, p->st, 1);
  if (!rc)
    rc = commit_with(p, w, t, en, id, doc, actor, note, assure, now);
  sk_write_close(w);
  return rc;
}
