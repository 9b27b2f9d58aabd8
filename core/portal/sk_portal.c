/* Portal entries: access checks, optimistic concurrency, create / update /
 * withdraw / confirm / history / restore. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sk_err.h"
#include "sk_fold.h"
#include "sk_portal_int.h"

/* ---- small shared helpers ----------------------------------------------- */

void sk_portal_init(struct sk_portal *p, struct sk_store *st, const struct sk_taxonomy *tax) {
  p->st = st;
  p->tax = tax;
  p->now = 0;
}

void sk_portal_result_free(struct sk_portal_result *r) {
  if (!r)
    return;
  json_decref(r->errors);
  json_decref(r->body);
  memset(r, 0, sizeof *r);
}

static void res_start(struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  r->code = "error";
}

int pt_err(struct sk_portal_result *r, int rc, int http, const char *code, const char *fmt, ...) {
  r->rc = rc;
  r->http = http;
  r->code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->message, sizeof r->message, fmt, ap);
  va_end(ap);
  json_decref(r->body);
  r->body = NULL;
  return rc;
}

void pt_ok(struct sk_portal_result *r, int http, json_t *body) {
  r->rc = SK_OK;
  r->http = http;
  r->code = http == 202 ? "pending" : "ok";
  json_decref(r->body);
  r->body = body;
}

int64_t pt_now(const struct sk_portal *p) { return p->now ? p->now : (int64_t)time(NULL); }

void pt_iso_at(int64_t t, char out[32]) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "YYYY-MM-DD..." -> unix seconds at 00:00 UTC; -1 when not a date. */
int64_t pt_day_of(const char *iso) {
  int y, m, d;
  if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
    return -1;
  struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
  return (int64_t)timegm(&tm);
}

/* t plus n calendar months (31 January + 1 month = 3 March, as timegm
 * normalises; a cycle's exact day matters less than its being stable). */
int64_t pt_add_months(int64_t t, int n) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  tm.tm_mon += n;
  return (int64_t)timegm(&tm);
}

void pt_day_text(int64_t t, char out[16]) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, 16, "%Y-%m-%d", &tm);
}

void pt_now_iso(const struct sk_portal *p, char out[32]) { pt_iso_at(pt_now(p), out); }

void pt_actor_str(const struct sk_actor *a, char out[96]) {
  snprintf(out, 96, "account:%s", a->account_id);
}

int pt_is_editor(const struct sk_actor *a) { return a && sk_role_edits_all(a->role); }

int pt_has_org(const struct sk_actor *a, const char *org_id) {
  if (!a || !org_id || !*org_id)
    return 0;
  for (size_t i = 0; i < a->n_orgs && i < SK_ACTOR_MAX_ORGS; i++)
    if (strcmp(a->orgs[i], org_id) == 0)
      return 1;
  return 0;
}

const char *pt_table_name(enum ptable t) { return t == T_SVC ? "service" : "location"; }

json_t *pt_col_json(sqlite3_stmt *s, int i) {
  switch (sqlite3_column_type(s, i)) {
  case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(s, i));
  case SQLITE_FLOAT: return json_real(sqlite3_column_double(s, i));
  case SQLITE_NULL: return json_null();
  default: return json_string((const char *)sqlite3_column_text(s, i));
  }
}

int pt_begin(struct sk_portal *p, struct sk_portal_result *r) {
  int rc = sk_store_begin(p->st);
  /* Busy: another writer (a long reindex) kept the store past our wait; the
   * caller answers 503 with Retry-After, nothing was written. */
  if (rc == SK_EBUSY)
    return pt_err(r, SK_EBUSY, 503, "busy",
                  "Het is nu even druk. Uw wijziging is niet opgeslagen. Probeer het over een "
                  "paar seconden opnieuw.");
  if (rc)
    return pt_err(r, SK_EDB, 500, "error", "De database gaf een fout. Probeer het zo nog eens.");
  return SK_OK;
}

int pt_commit(struct sk_portal *p, struct sk_portal_result *r) {
  if (sk_store_commit(p->st)) {
    sk_store_rollback(p->st);
    return pt_err(r, SK_EDB, 500, "error", "De wijziging is niet opgeslagen. Probeer het opnieuw.");
  }
  return SK_OK;
}

/* Roll back and report a failure that has no message yet. */
static int fail(struct sk_portal *p, struct sk_portal_result *r, int rc) {
  sk_store_rollback(p->st);
  if (r->message[0])
    return rc;
  if (rc == SK_ENOMEM)
    return pt_err(r, rc, 500, "error", "Te weinig geheugen.");
  return pt_err(r, rc, 500, "error", "Er ging iets mis in de database. Probeer het opnieuw.");
}

int sk_portal_actor_load(struct sk_store *st, const char *account_id, struct sk_actor *a) {
  memset(a, 0, sizeof *a);
  if (!account_id || strlen(account_id) >= sizeof a->account_id)
    return SK_ENOTFOUND;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(st->db, "SELECT rid, role, trusted, disabled FROM account WHERE id = ?1",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, account_id, -1, SQLITE_STATIC);
  int rc = SK_ENOTFOUND;
  long long rid = 0;
  if (sqlite3_step(s) == SQLITE_ROW && !sqlite3_column_int(s, 3)) {
    rid = sqlite3_column_int64(s, 0);
    enum sk_role role = SK_ROLE_NONE; /* an unknown role name may do nothing */
    if (sk_auth_role_parse((const char *)sqlite3_column_text(s, 1), &role) != SK_OK)
      role = SK_ROLE_NONE;
    a->role = role;
    a->trusted = sqlite3_column_int(s, 2) != 0;
    snprintf(a->account_id, sizeof a->account_id, "%s", account_id);
    rc = SK_OK;
  }
  sqlite3_finalize(s);
  if (rc)
    return rc;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT o.id FROM account_organization x JOIN organization o"
                         " ON o.rid = x.organization_rid WHERE x.account_rid = ?1 ORDER BY o.id",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_int64(s, 1, rid);
  rc = SK_OK;
  int step;
  while ((step = sqlite3_step(s)) == SQLITE_ROW) {
    if (a->n_orgs == SK_ACTOR_MAX_ORGS) {
      rc = SK_ETOOBIG;
      break;
    }
    snprintf(a->orgs[a->n_orgs++], SK_UUID_LEN, "%s", (const char *)sqlite3_column_text(s, 0));
  }
  if (rc == SK_OK && step != SQLITE_DONE)
    rc = SK_EDB;
  sqlite3_finalize(s);
  return rc;
}

/* ---- checks ------------------------------------------------------------- */

static const char *what(enum ptable t) { return t == T_SVC ? "Dit aanbod" : "Deze locatie"; }

static int may_edit_at_all(const struct sk_actor *a, struct sk_portal_result *r) {
  if (!a || !(sk_role_edits_own(a->role) || sk_role_edits_all(a->role)))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden", "U mag hier niets aanpassen.");
  return SK_OK;
}

int pt_entry_check_read(const struct sk_actor *a, const struct entry *en,
                        struct sk_portal_result *r) {
  if (pt_is_editor(a))
    return SK_OK;
  if (a && sk_role_edits_own(a->role) && pt_has_org(a, en->org_id))
    return SK_OK;
  return pt_err(r, SK_EFORBIDDEN, 403, "forbidden",
                "U mag alleen het aanbod van uw eigen organisatie bekijken en aanpassen.");
}

/* The partner name of a feed source, for "komt uit de feed van …". */
static void feed_partner(struct sk_portal *p, const char *source, char *out, size_t n) {
  const char *feed = source + 5;
  snprintf(out, n, "%s", feed);
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db, "SELECT partner FROM feed WHERE id = ?1", -1, &s, NULL) ==
      SQLITE_OK) {
    sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
      snprintf(out, n, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
  }
}

static void feed_message(struct sk_portal *p, const struct entry *en, char *out, size_t n) {
  out[0] = '\0';
  if (strncmp(en->source, "feed:", 5) == 0) {
    char partner[128];
    feed_partner(p, en->source, partner, sizeof partner);
    snprintf(out, n, "%s komt uit de feed van %s; pas het daar aan.", what(en->table), partner);
  } else if (strcmp(en->source, "portal") != 0)
    snprintf(out, n, "%s komt niet uit het portaal en kan hier niet veranderen.", what(en->table));
}

static int check_write(struct sk_portal *p, const struct sk_actor *a, const struct entry *en,
                       struct sk_portal_result *r) {
  int rc = may_edit_at_all(a, r);
  if (!rc)
    rc = pt_entry_check_read(a, en, r);
  if (rc)
    return rc;
  char msg[300];
  feed_message(p, en, msg, sizeof msg);
  if (msg[0])
    return pt_err(r, SK_EFORBIDDEN, 403, "feed", "%s", msg);
  return SK_OK;
}

/* If-Match: required, strong comparison, a list allowed; "*" is refused
 * (it would overwrite whatever is there). */
static int check_if_match(const struct entry *en, const char *if_match,
                          struct sk_portal_result *r) {
  if (!if_match || !*if_match || strspn(if_match, " \t") == strlen(if_match) ||
      strchr(if_match, '*'))
    return pt_err(r, SK_EINVAL, 428, "precondition_required",
                  "Stuur de versie mee die u het laatst heeft gezien (If-Match met de ETag).");
  const char *bare = en->etag + 1; /* without quotes */
  size_t blen = strlen(bare) - 1;
  const char *q = if_match;
  while (*q) {
    q += strspn(q, " \t,");
    if (!*q)
      break;
    size_t n = strcspn(q, ",");
    size_t m = n;
    while (m && (q[m - 1] == ' ' || q[m - 1] == '\t'))
      m--;
    const char *v = q;
    if (m >= 2 && v[0] == '"' && v[m - 1] == '"') {
      v++;
      m -= 2;
    }
    if (m == blen && memcmp(v, bare, blen) == 0)
      return SK_OK;
    q += n;
  }
  return pt_err(r, SK_ECONFLICT, 412, "precondition_failed",
                "Iemand anders heeft dit intussen veranderd. Laad de nieuwste versie en probeer"
                " het opnieuw.");
}

/* Load for the API entity: activities must be activities. */
static int load_for(struct sk_portal *p, enum sk_portal_entity e, const char *id, struct entry *en,
                    struct sk_portal_result *r) {
  int rc = pt_entry_load(p, pt_table_of(e), id, en);
  if (!rc && e == SK_PORTAL_ACTIVITY && strcmp(en->kind, "activiteit") != 0) {
    pt_entry_free(en);
    rc = SK_ENOTFOUND;
  }
  if (rc == SK_ENOTFOUND)
    return pt_err(r, rc, 404, "not_found", "Dit item bestaat niet (meer).");
  if (rc)
    return pt_err(r, rc, 500, "error", "Er ging iets mis in de database.");
  return SK_OK;
}

/* The answer document: the editable fields plus what the portal shows. */
static json_t *entry_out(struct sk_portal *p, const struct entry *en) {
  json_t *o = json_deep_copy(en->doc);
  if (!o)
    return NULL;
  json_object_update(o, en->meta);
  char msg[300];
  feed_message(p, en, msg, sizeof msg);
  json_object_set_new(o, "id", json_string(en->id));
  json_object_set_new(o, "source", json_string(en->source));
  json_object_set_new(o, "editable", json_boolean(!msg[0]));
  json_object_set_new(o, "feed_message", msg[0] ? json_string(msg) : json_null());
  json_object_set_new(o, "version", json_integer(en->version));
  json_object_set_new(o, "etag", json_string(en->etag));
  json_object_set_new(o, "pending", pt_pending_of(p, en->table, en->id));
  return o;
}

static int answer_entry(struct sk_portal *p, enum ptable t, const char *id, int http,
                        struct sk_portal_result *r) {
  struct entry en;
  int rc = pt_entry_load(p, t, id, &en);
  if (rc)
    return pt_err(r, rc, 500, "error", "Er ging iets mis in de database.");
  json_t *body = entry_out(p, &en);
  snprintf(r->etag, sizeof r->etag, "%s", en.etag);
  pt_entry_free(&en);
  if (!body)
    return pt_err(r, SK_ENOMEM, 500, "error", "Te weinig geheugen.");
  pt_ok(r, http, body);
  return SK_OK;
}

/* After an entry was written (rc): answer with it and commit, or roll
 * everything back. */
static int finish(struct sk_portal *p, int rc, enum ptable t, const char *id, int http,
                  struct sk_portal_result *r) {
  if (rc)
    return fail(p, r, rc);
  if ((rc = answer_entry(p, t, id, http, r)) || (rc = pt_commit(p, r))) {
    sk_store_rollback(p->st);
    return rc;
  }
  return SK_OK;
}

static int invalid(struct sk_portal *p, struct sk_portal_result *r, int rc, json_t *errors) {
  sk_store_rollback(p->st);
  if (rc == SK_EINVAL) {
    const char *first = json_string_value(json_object_get(json_array_get(errors, 0), "message"));
    pt_err(r, SK_EINVAL, 422, "invalid", "%s", first ? first : "De gegevens kloppen niet.");
    r->errors = errors;
    return rc;
  }
  json_decref(errors);
  return fail(p, r, rc);
}

/* ---- API ---------------------------------------------------------------- */

int sk_portal_get(struct sk_portal *p, const struct sk_actor *a, enum sk_portal_entity e,
                  const char *id, struct sk_portal_result *r) {
  res_start(r);
  struct entry en;
  int rc = load_for(p, e, id, &en, r);
  if (rc)
    return rc;
  if ((rc = pt_entry_check_read(a, &en, r))) {
    pt_entry_free(&en);
    return rc;
  }
  json_t *body = entry_out(p, &en);
  /* Whose feed it is, and whether the reader keeps it: a partner whose
   * entry comes from someone else's feed can send that feed's keeper a
   * correction (sk_portal_feed_correction). */
  if (body && strncmp(en.source, "feed:", 5) == 0) {
    char partner[128];
    int keeper = 0;
    feed_partner(p, en.source, partner, sizeof partner);
    int keepers = pt_feed_keepers(p, en.source + 5, a ? a->account_id : NULL, &keeper);
    json_object_set_new(body, "feed",
                        json_pack("{s:s, s:s, s:b, s:i}", "id", en.source + 5, "partner", partner,
                                  "yours", keeper, "keepers", keepers < 0 ? 0 : keepers));
  }
  snprintf(r->etag, sizeof r->etag, "%s", en.etag);
  pt_entry_free(&en);
  if (!body)
    return pt_err(r, SK_ENOMEM, 500, "error", "Te weinig geheugen.");
  pt_ok(r, 200, body);
  return SK_OK;
}

static int stale_since(const char *assured, const char *cutoff) {
  return !assured || strcmp(assured, cutoff) < 0;
}

static int list_org(struct sk_portal *p, const char *org_id, json_t *items, const char *cut6,
                    const char *cut12) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(
          p->st->db,
          "SELECT s.id, s.kind, s.name, s.status, s.source, s.assured_date, s.last_modified,"
          " o.id, o.name, 'service',"
          " (SELECT count(*) FROM portal_pending q WHERE q.entity = 'service' AND"
          "  q.entity_id = s.id AND q.status = 'pending'),"
          " (SELECT count(*) FROM portal_correction c WHERE c.organization_id = o.id AND"
          "  c.entity_id = s.id AND"
          "  c.status = 'open'),"
          " (SELECT f.partner FROM feed f WHERE f.id = substr(s.source, 6) AND"
          "  substr(s.source, 1, 5) = 'feed:') "
          "FROM service s JOIN organization o ON o.rid = s.organization_rid WHERE o.id = ?1 "
          "UNION ALL "
          "SELECT l.id, 'locatie', l.name, l.status, l.source, NULL, l.last_modified, o.id,"
          " o.name, 'location',"
          " (SELECT count(*) FROM portal_pending q WHERE q.entity = 'location' AND"
          "  q.entity_id = l.id AND q.status = 'pending'),"
          " (SELECT count(*) FROM portal_correction c WHERE c.organization_id = o.id AND"
          "  c.entity_id = l.id AND"
          "  c.status = 'open'),"
          " (SELECT f.partner FROM feed f WHERE f.id = substr(l.source, 6) AND"
          "  substr(l.source, 1, 5) = 'feed:') "
          "FROM location l JOIN organization o ON o.rid = l.organization_rid WHERE o.id = ?1 "
          "ORDER BY 10 DESC, 3 LIMIT 5000",
          -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, org_id, -1, SQLITE_STATIC);
  while (sqlite3_step(s) == SQLITE_ROW) {
    const char *source = (const char *)sqlite3_column_text(s, 4);
    const char *assured = (const char *)sqlite3_column_text(s, 5);
    int is_svc = strcmp((const char *)sqlite3_column_text(s, 9), "service") == 0;
    int active = strcmp((const char *)sqlite3_column_text(s, 3), "active") == 0;
    json_t *o = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:b, s:b, s:o, s:o, s:o}", "id",
        pt_col_json(s, 0), "entity", pt_col_json(s, 9), "kind", pt_col_json(s, 1), "name",
        pt_col_json(s, 2), "status", pt_col_json(s, 3), "source", pt_col_json(s, 4), "editable",
        source && strcmp(source, "portal") == 0, "assured_date", pt_col_json(s, 5), "last_modified",
        pt_col_json(s, 6), "organization", pt_col_json(s, 7), "organization_name",
        pt_col_json(s, 8), "stale", is_svc && active && stale_since(assured, cut6), "flagged",
        is_svc && active && stale_since(assured, cut12), "pending", pt_col_json(s, 10),
        "corrections", pt_col_json(s, 11), "feed_partner", pt_col_json(s, 12));
    if (!o || json_array_append_new(items, o)) {
      sqlite3_finalize(s);
      return SK_ENOMEM;
    }
  }
  sqlite3_finalize(s);
  return SK_OK;
}

int sk_portal_list(struct sk_portal *p, const struct sk_actor *a, const char *org_id,
                   struct sk_portal_result *r) {
  res_start(r);
  int rc = may_edit_at_all(a, r);
  if (rc)
    return rc;
  if (org_id && !pt_is_editor(a) && !pt_has_org(a, org_id))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden",
                  "U mag alleen het aanbod van uw eigen organisatie bekijken.");
  if (!org_id && pt_is_editor(a))
    return pt_err(r, SK_EINVAL, 400, "invalid", "Kies een organisatie.");
  char cut6[32], cut12[32];
  pt_iso_at(pt_now(p) - (int64_t)SK_PORTAL_STALE_DAYS * 86400, cut6);
  pt_iso_at(pt_now(p) - (int64_t)SK_PORTAL_FLAGGED_DAYS * 86400, cut12);
  json_t *items = json_array();
  if (!items)
    return pt_err(r, SK_ENOMEM, 500, "error", "Te weinig geheugen.");
  if (org_id)
    rc = list_org(p, org_id, items, cut6, cut12);
  for (size_t i = 0; !org_id && !rc && i < a->n_orgs; i++)
    rc = list_org(p, a->orgs[i], items, cut6, cut12);
  if (rc) {
    json_decref(items);
    return pt_err(r, rc, 500, "error", "Er ging iets mis in de database.");
  }
  pt_ok(r, 200, json_pack("{s:o}", "items", items));
  return SK_OK;
}

/* 1 when the folded query fq occurs in the folded name. */
static int name_matches(const char *name, const char *fq, struct sk_buf *tmp) {
  sk_buf_reset(tmp);
  if (!name || sk_fold(name, strlen(name), tmp) != SK_OK)
    return 0;
  return strstr(sk_buf_str(tmp), fq) != NULL;
}

int sk_portal_organizations(struct sk_portal *p, const struct sk_actor *a, const char *q,
                            struct sk_portal_result *r) {
  res_start(r);
  int rc = may_edit_at_all(a, r);
  if (rc)
    return rc;
  struct sk_buf fq, tmp;
  sk_buf_init(&fq, 400);
  sk_buf_init(&tmp, 1024);
  /* Words beyond the first 200 bytes add nothing to a name search. */
  size_t qn = q ? sk_utf8_prefix(q, strlen(q), 200) : 0;
  if (qn && sk_fold(q, qn, &fq) != SK_OK) {
    sk_buf_free(&fq);
    return pt_err(r, SK_EINVAL, 400, "invalid", "Deze zoekwoorden kunnen we niet lezen.");
  }
  const char *f = fq.len ? sk_buf_str(&fq) : "";
  f += strspn(f, " ");
  json_t *items = json_array();
  sqlite3_stmt *s = NULL;
  long total = 0;
  if (!items || sqlite3_prepare_v2(p->st->db,
                                   "SELECT o.id, o.name, o.source, o.status,"
                                   " (SELECT count(*) FROM service s WHERE s.organization_rid ="
                                   "  o.rid AND s.status = 'active')"
                                   " FROM organization o ORDER BY o.name COLLATE NOCASE, o.id"
                                   " LIMIT 50000",
                                   -1, &s, NULL) != SQLITE_OK)
    rc = items ? SK_EDB : SK_ENOMEM;
  while (!rc && sqlite3_step(s) == SQLITE_ROW) {
    const char *id = (const char *)sqlite3_column_text(s, 0);
    const char *name = (const char *)sqlite3_column_text(s, 1);
    /* A partner finds only its own organisations; the redactie every one. */
    if (!id || (!pt_is_editor(a) && !pt_has_org(a, id)))
      continue;
    if (*f && !name_matches(name, f, &tmp))
      continue;
    total++;
    if (json_array_size(items) >= SK_PORTAL_ORG_MATCHES)
      continue;
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o}", "id", pt_col_json(s, 0), "name",
                          pt_col_json(s, 1), "source", pt_col_json(s, 2), "status",
                          pt_col_json(s, 3), "services", pt_col_json(s, 4));
    if (!o || json_array_append_new(items, o))
      rc = SK_ENOMEM;
  }
  sqlite3_finalize(s);
  sk_buf_free(&fq);
  sk_buf_free(&tmp);
  if (rc) {
    json_decref(items);
    return pt_err(r, rc, 500, "error", "Er ging iets mis in de database.");
  }
  pt_ok(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
  return SK_OK;
}

/* Publish now, or hold for review (untrusted partner). */
static int held(const struct sk_actor *a) { return sk_role_edits_own(a->role) && !a->trusted; }

int sk_portal_create(struct sk_portal *p, const struct sk_actor *a, enum sk_portal_entity e,
                     const json_t *doc, struct sk_portal_result *r) {
  res_start(r);
  int rc = may_edit_at_all(a, r);
  if (rc)
    return rc;
  enum ptable t = pt_table_of(e);
  /* Activities: the kind is fixed; offerings: the document may say. */
  const char *kind = e == SK_PORTAL_ACTIVITY ? "activiteit" : NULL;
  if ((rc = pt_begin(p, r)))
    return rc;
  json_t *errors = json_array(), *d = NULL;
  if (!errors)
    return fail(p, r, SK_ENOMEM);
  rc = pt_doc_build(p, a, t, kind, NULL, doc, &d, errors, r);
  if (rc == SK_EFORBIDDEN) {
    json_decref(errors);
    sk_store_rollback(p->st);
    return rc;
  }
  if (rc)
    return invalid(p, r, rc, errors);
  json_decref(errors);
  char id[SK_UUID_LEN], actor[96];
  sk_uuid_random(id);
  pt_actor_str(a, actor);
  if (held(a)) {
    rc = pt_pending_add(p, a, t, id, json_string_value(json_object_get(d, "organization")),
                        "create", NULL, d, r);
    json_decref(d);
    if (rc)
      return fail(p, r, rc);
    return pt_commit(p, r);
  }
  rc = pt_doc_commit(p, t, NULL, id, d, actor, "create", 1);
  json_decref(d);
  return finish(p, rc, t, id, 201, r);
}

/* Update with a patch; note "update" or "withdraw". */
static int change(struct sk_portal *p, const struct sk_actor *a, enum sk_portal_entity e,
                  const char *id, const char *if_match, const json_t *patch, const char *note,
                  struct sk_portal_result *r) {
  res_start(r);
  int rc = may_edit_at_all(a, r);
  if (rc)
    return rc;
  if ((rc = pt_begin(p, r)))
    return rc;
  struct entry en;
  if ((rc = load_for(p, e, id, &en, r))) {
    sk_store_rollback(p->st);
    return rc;
  }
  enum ptable t = en.table;
  if ((rc = check_write(p, a, &en, r)) || (rc = check_if_match(&en, if_match, r))) {
    pt_entry_free(&en);
    sk_store_rollback(p->st);
    return rc;
  }
  json_t *errors = json_array(), *d = NULL;
  rc = errors ? pt_doc_build(p, a, t, en.kind, en.doc, patch, &d, errors, r) : SK_ENOMEM;
  if (rc == SK_EFORBIDDEN) {
    json_decref(errors);
    pt_entry_free(&en);
    sk_store_rollback(p->st);
    return rc;
  }
  if (rc) {
    pt_entry_free(&en);
    return invalid(p, r, rc, errors);
  }
  json_decref(errors);
  char actor[96];
  pt_actor_str(a, actor);
  if (json_equal(d, en.doc)) { /* nothing changes: no version, no log */
    json_decref(d);
    pt_entry_free(&en);
    sk_store_rollback(p->st);
    return answer_entry(p, t, id, 200, r);
  }
  if (held(a)) {
    rc = pt_pending_add(p, a, t, en.id, json_string_value(json_object_get(d, "organization")), note,
                        en.content_etag, d, r);
    json_decref(d);
    pt_entry_free(&en);
    if (rc)
      return fail(p, r, rc);
    return pt_commit(p, r);
  }
  rc = pt_doc_commit(p, t, &en, NULL, d, actor, note, sk_role_edits_own(a->role));
  json_decref(d);
  pt_entry_free(&en);
  return finish(p, rc, t, id, 200, r);
}

int sk_portal_update(struct sk_portal *p, const struct sk_actor *a, enum sk_portal_entity e,
                     const char *id, const char *if_match, const json_t *doc,
                     struct sk_portal_result *r) {
  return change(p, a, e, id, if_match, doc, "update", r);
}

int sk_portal_withdraw(struct sk_portal *p, const struct sk_actor *a, enum sk_portal_entity e,
                       const char *id, const char *if_match, struct sk_portal_result *r) {
  json_t *patch = json_pack("{s:s}", "status", "withdrawn");
  int rc = change(p, a, e, id, if_match, patch, "withdraw", r);
  json_decref(patch);
  return rc;
}

int sk_portal_confirm(struct sk_portal *p, const struct sk_actor *a, enum sk_portal_entity e,
                      const char *id, const char *if_match, struct sk_portal_result *r) {
  res_start(r);
  int rc = may_edit_at_all(a, r);
  if (rc)
    return rc;
  if (e == SK_PORTAL_LOCATION)
    return pt_err(r, SK_EINVAL, 400, "invalid",
                  "Een locatie heeft geen controledatum. Bevestig het aanbod op die locatie.");
  if ((rc = pt_begin(p, r)))
    return rc;
  struct entry en;
  if ((rc = load_for(p, e, id, &en, r))) {
    sk_store_rollback(p->st);
    return rc;
  }
  if ((rc = check_write(p, a, &en, r)) ||
      (if_match && *if_match && (rc = check_if_match(&en, if_match, r)))) {
    pt_entry_free(&en);
    sk_store_rollback(p->st);
    return rc;
  }
  char now[32], actor[96];
  pt_now_iso(p, now);
  pt_actor_str(a, actor);
  rc = pt_assure(p, NULL, en.rid, en.id, en.meta, now, actor, en.version);
  pt_entry_free(&en);
  return finish(p, rc, T_SVC, id, 200, r);
}

/* The person or feed behind an actor ("account:<id>", "feed:<id>"), for a
 * history people can read: the account's name, the feed's partner; NULL
 * when neither is known (a deleted account, a script). */
#define ACTOR_NAME_SQL                                                                             \
  "coalesce((SELECT a.name FROM account a WHERE a.id = substr(actor, 9) AND"                       \
  " substr(actor, 1, 8) = 'account:'), (SELECT f.partner FROM feed f WHERE"                        \
  " f.id = substr(actor, 6) AND substr(actor, 1, 5) = 'feed:'))"

/* A value that is an id, by name: the person who checked an entry
 * (assured_by), the organisation it belongs to. NULL otherwise. */
#define VALUE_NAME_SQL(col)                                                                        \
  "CASE field WHEN 'assured_by' THEN (SELECT a.name FROM account a WHERE a.id = substr(" col       \
  ", 9) AND substr(" col ", 1, 8) = 'account:') WHEN 'organization' THEN (SELECT o.name FROM"      \
  " organization o WHERE o.id = " col ") END"

int sk_portal_history(struct sk_portal *p, const struct sk_actor *a, enum sk_portal_entity e,
                      const char *id, struct sk_portal_result *r) {
  res_start(r);
  struct entry en;
  int rc = load_for(p, e, id, &en, r);
  if (rc)
    return rc;
  if ((rc = pt_entry_check_read(a, &en, r))) {
    pt_entry_free(&en);
    return rc;
  }
  json_t *versions = json_array(), *changes = json_array();
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT version, at, actor, note, " ACTOR_NAME_SQL
                         " FROM portal_version WHERE entity = ?1"
                         " AND entity_id = ?2 ORDER BY version DESC",
                         -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, pt_table_name(en.table), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, en.id, -1, SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW)
      json_array_append_new(versions,
                            json_pack("{s:o, s:o, s:o, s:o, s:o}", "version", pt_col_json(s, 0),
                                      "at", pt_col_json(s, 1), "actor", pt_col_json(s, 2), "note",
                                      pt_col_json(s, 3), "actor_name", pt_col_json(s, 4)));
  } else
    rc = SK_EDB;
  sqlite3_finalize(s);
  s = NULL;
  if (!rc &&
      sqlite3_prepare_v2(p->st->db,
                         "SELECT at, actor, field, old_value, new_value, version, " ACTOR_NAME_SQL
                         ", " VALUE_NAME_SQL("old_value") ", " VALUE_NAME_SQL(
                             "new_value") " FROM change_log WHERE entity = ?1 AND entity_id = ?2"
                                          " ORDER BY rid DESC LIMIT 2000",
                         -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, pt_table_name(en.table), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, en.id, -1, SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW)
      json_array_append_new(
          changes, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "at",
                             pt_col_json(s, 0), "actor", pt_col_json(s, 1), "field",
                             pt_col_json(s, 2), "old", pt_col_json(s, 3), "new", pt_col_json(s, 4),
                             "version", pt_col_json(s, 5), "actor_name", pt_col_json(s, 6),
                             "old_name", pt_col_json(s, 7), "new_name", pt_col_json(s, 8)));
  } else if (!rc)
    rc = SK_EDB;
  sqlite3_finalize(s);
  pt_entry_free(&en);
  if (rc) {
    json_decref(versions);
    json_decref(changes);
    return pt_err(r, rc, 500, "error", "Er ging iets mis in de database.");
  }
  pt_ok(r, 200, json_pack("{s:s, s:o, s:o}", "id", id, "versions", versions, "changes", changes));
  return SK_OK;
}

int sk_portal_restore(struct sk_portal *p, const struct sk_actor *a, enum sk_portal_entity e,
                      const char *id, int version, const char *if_match,
                      struct sk_portal_result *r) {
  res_start(r);
  if (!pt_is_editor(a))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden",
                  "Alleen de redactie kan een eerdere versie terugzetten.");
  int rc = pt_begin(p, r);
  if (rc)
    return rc;
  struct entry en;
  if ((rc = load_for(p, e, id, &en, r))) {
    sk_store_rollback(p->st);
    return rc;
  }
  if ((rc = check_write(p, a, &en, r)) || (rc = check_if_match(&en, if_match, r))) {
    pt_entry_free(&en);
    sk_store_rollback(p->st);
    return rc;
  }
  json_t *snap = NULL;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT doc FROM portal_version WHERE entity = ?1 AND entity_id = ?2"
                         " AND version = ?3",
                         -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, pt_table_name(en.table), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, en.id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, version);
    if (sqlite3_step(s) == SQLITE_ROW)
      snap = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
  }
  sqlite3_finalize(s);
  if (!snap) {
    pt_entry_free(&en);
    sk_store_rollback(p->st);
    return pt_err(r, SK_ENOTFOUND, 404, "not_found", "Versie %d bestaat niet.", version);
  }
  json_t *errors = json_array(), *d = NULL;
  rc = errors ? pt_doc_build(p, a, en.table, en.kind, NULL, snap, &d, errors, r) : SK_ENOMEM;
  json_decref(snap);
  if (rc) {
    pt_entry_free(&en);
    if (rc == SK_EINVAL) {
      invalid(p, r, rc, errors);
      snprintf(r->message, sizeof r->message,
               "Versie %d past niet meer bij de huidige lijsten (bijvoorbeeld een code die niet"
               " meer bestaat). Pas het item zelf aan.",
               version);
      return rc;
    }
    json_decref(errors);
    sk_store_rollback(p->st);
    return rc == SK_EFORBIDDEN ? rc : fail(p, r, rc);
  }
  json_decref(errors);
  enum ptable t = en.table;
  if (json_equal(d, en.doc)) {
    json_decref(d);
    pt_entry_free(&en);
    sk_store_rollback(p->st);
    return answer_entry(p, t, id, 200, r);
  }
  char actor[96], note[32];
  pt_actor_str(a, actor);
  snprintf(note, sizeof note, "restore:%d", version);
  rc = pt_doc_commit(p, t, &en, NULL, d, actor, note, 0);
  json_decref(d);
  pt_entry_free(&en);
  return finish(p, rc, t, id, 200, r);
}
