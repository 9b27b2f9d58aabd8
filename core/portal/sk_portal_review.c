/* Moderation: edits of untrusted partners wait in portal_pending until a
 * redacteur approves (applied and logged) or rejects them with a reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"
#include "sk_fold.h"
#include "sk_portal_int.h"

#define REASON_MAX 1000
#define DECIDED_SHOWN_DAYS 30

int pt_pending_add(struct sk_portal *p, const struct sk_actor *a, enum ptable t,
                   const char *entity_id, const char *org_id, const char *action,
                   const char *base_etag, const json_t *doc, struct sk_portal_result *r) {
  char id[SK_UUID_LEN], now[32], actor[96], hour_ago[32];
  sk_uuid_random(id);
  pt_now_iso(p, now);
  pt_iso_at(pt_now(p) - 3600, hour_ago);
  pt_actor_str(a, actor);
  /* Each held edit is work for the redactie: bound what one account can
   * queue (a script, a stolen password) before anyone looks. */
  sqlite3_stmt *c = NULL;
  long long recent = -1;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT count(*) FROM portal_pending WHERE submitted_by = ?1"
                         " AND submitted_at > ?2",
                         -1, &c, NULL) == SQLITE_OK) {
    sqlite3_bind_text(c, 1, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(c, 2, hour_ago, -1, SQLITE_STATIC);
    if (sqlite3_step(c) == SQLITE_ROW)
      recent = sqlite3_column_int64(c, 0);
  }
  sqlite3_finalize(c);
  if (recent < 0)
    return SK_EDB;
  if (recent >= SK_PORTAL_HELD_PER_HOUR)
    return pt_err(r, SK_EFORBIDDEN, 429, "too_many",
                  "U heeft dit uur al %d wijzigingen gestuurd die de redactie nog moet bekijken. "
                  "Probeer het over een uur opnieuw.",
                  SK_PORTAL_HELD_PER_HOUR);
  char *text = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
  if (!text)
    return SK_ENOMEM;
  sqlite3_stmt *s = NULL;
  int rc = SK_EDB;
  if (sqlite3_prepare_v2(
          p->st->db,
          "INSERT INTO portal_pending(id, entity, entity_id, organization_id, action,"
          " base_etag, doc, submitted_by, submitted_at) VALUES(?1, ?2, ?3, ?4, ?5,"
          " ?6, ?7, ?8, ?9)",
          -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, pt_table_name(t), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, entity_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, org_id ? org_id : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, action, -1, SQLITE_STATIC);
    if (base_etag)
      sqlite3_bind_text(s, 6, base_etag, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 9, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  }
  sqlite3_finalize(s);
  free(text);
  if (rc)
    return rc;
  pt_ok(r, 202,
        json_pack("{s:s, s:s, s:s, s:s}", "pending", id, "id", entity_id, "action", action,
                  "message",
                  "Uw wijziging is ontvangen. De redactie bekijkt haar zo snel mogelijk."));
  snprintf(r->message, sizeof r->message, "%s",
           "Uw wijziging is ontvangen. De redactie bekijkt haar zo snel mogelijk.");
  return SK_OK;
}

json_t *pt_pending_of(struct sk_portal *p, enum ptable t, const char *entity_id) {
  json_t *arr = json_array();
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(
          p->st->db,
          "SELECT id, action, submitted_at, submitted_by FROM portal_pending"
          " WHERE entity = ?1 AND entity_id = ?2 AND status = 'pending' ORDER BY rid",
          -1, &s, NULL) != SQLITE_OK)
    return arr;
  sqlite3_bind_text(s, 1, pt_table_name(t), -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, entity_id, -1, SQLITE_STATIC);
  while (sqlite3_step(s) == SQLITE_ROW)
    json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o}", "id", pt_col_json(s, 0), "action",
                                         pt_col_json(s, 1), "submitted_at", pt_col_json(s, 2),
                                         "submitted_by", pt_col_json(s, 3)));
  sqlite3_finalize(s);
  return arr;
}

/* One pending row, read. */
struct pend {
  long long rid;
  char id[SK_UUID_LEN];
  enum ptable table;
  char entity_id[SK_UUID_LEN];
  char org_id[SK_UUID_LEN];
  char action[16];
  char base_etag[48];
  char submitted_by[96];
  char status[16];
  json_t *doc; /* owned */
  json_t *row; /* owned: the public fields */
};

static const char sql_pend[] =
    "SELECT rid, id, entity, entity_id, organization_id, action, base_etag, doc, submitted_by,"
    " submitted_at, status, decided_by, decided_at, reason FROM portal_pending";

static void col(sqlite3_stmt *s, int i, char *out, size_t n) {
  const char *v = (const char *)sqlite3_column_text(s, i);
  snprintf(out, n, "%s", v ? v : "");
}

static int pend_read(sqlite3_stmt *s, struct pend *pd) {
  memset(pd, 0, sizeof *pd);
  pd->rid = sqlite3_column_int64(s, 0);
  col(s, 1, pd->id, sizeof pd->id);
  const char *ent = (const char *)sqlite3_column_text(s, 2);
  pd->table = ent && strcmp(ent, "location") == 0 ? T_LOC : T_SVC;
  col(s, 3, pd->entity_id, sizeof pd->entity_id);
  col(s, 4, pd->org_id, sizeof pd->org_id);
  col(s, 5, pd->action, sizeof pd->action);
  col(s, 6, pd->base_etag, sizeof pd->base_etag);
  col(s, 8, pd->submitted_by, sizeof pd->submitted_by);
  col(s, 10, pd->status, sizeof pd->status);
  pd->doc = json_loads((const char *)sqlite3_column_text(s, 7), 0, NULL);
  pd->row = json_pack(
      "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", pt_col_json(s, 1), "entity",
      pt_col_json(s, 2), "entity_id", pt_col_json(s, 3), "organization", pt_col_json(s, 4),
      "action", pt_col_json(s, 5), "submitted_by", pt_col_json(s, 8), "submitted_at",
      pt_col_json(s, 9), "status", pt_col_json(s, 10), "decided_by", pt_col_json(s, 11),
      "decided_at", pt_col_json(s, 12), "reason", pt_col_json(s, 13));
  return pd->doc && pd->row ? SK_OK : SK_ENOMEM;
}

static void pend_free(struct pend *pd) {
  json_decref(pd->doc);
  json_decref(pd->row);
  pd->doc = pd->row = NULL;
}

/* The name of organisation org_id (JSON null when unknown). */
static json_t *org_name_of(struct sk_portal *p, const char *org_id) {
  sqlite3_stmt *s = NULL;
  json_t *out = NULL;
  if (sqlite3_prepare_v2(p->st->db, "SELECT name FROM organization WHERE id = ?1", -1, &s, NULL) ==
      SQLITE_OK) {
    sqlite3_bind_text(s, 1, org_id, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
      out = pt_col_json(s, 0);
  }
  sqlite3_finalize(s);
  return out ? out : json_null();
}

/* The review item: the row plus the field-by-field diff against the entry
 * as it is now, the entry's and its organisation's names, and whether it
 * changed since. */
static json_t *pend_item(struct sk_portal *p, const struct pend *pd) {
  json_t *o = json_deep_copy(pd->row);
  if (!o)
    return NULL;
  struct entry en;
  int have = strcmp(pd->action, "create") != 0 &&
             pt_entry_load(p, pd->table, pd->entity_id, &en) == SK_OK;
  json_object_set_new(o, "diff", pt_diff(have ? en.doc : NULL, pd->doc));
  json_t *name = json_object_get(pd->doc, "name");
  json_object_set_new(o, "name", name ? json_incref(name) : json_null());
  json_object_set_new(o, "organization_name", org_name_of(p, pd->org_id));
  json_object_set_new(
      o, "changed_since",
      json_boolean(have && pd->base_etag[0] && strcmp(en.content_etag, pd->base_etag) != 0));
  if (have)
    pt_entry_free(&en);
  return o;
}

/* The same rule as the list's SQL, for one item. */
static int may_see(const struct sk_actor *a, const struct pend *pd) {
  char actor[96];
  if (pt_is_editor(a))
    return 1;
  if (!a || !sk_role_edits_own(a->role))
    return 0;
  pt_actor_str(a, actor);
  return strcmp(actor, pd->submitted_by) == 0 || pt_has_org(a, pd->org_id);
}

/* The partner's organisations as a JSON array, for json_each in SQL. */
static char *orgs_json(const struct sk_actor *a) {
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < a->n_orgs; i++)
    json_array_append_new(arr, json_string(a->orgs[i]));
  char *t = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
  json_decref(arr);
  return t;
}

int pt_page_parse(const struct sk_portal_page *pg, long *page, long *per_page) {
  *page = pg && pg->page > 0 ? pg->page : 1;
  *per_page = pg && pg->per_page > 0 ? pg->per_page : SK_PORTAL_PER_PAGE_DEFAULT;
  if (*per_page > SK_PORTAL_PER_PAGE_MAX)
    *per_page = SK_PORTAL_PER_PAGE_MAX;
  return *page <= 1000000 ? SK_OK : SK_EINVAL;
}

int sk_portal_review_list(struct sk_portal *p, const struct sk_actor *a,
                          const struct sk_portal_page *pg, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (!a || !(pt_is_editor(a) || sk_role_edits_own(a->role)))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden", "U mag de wijzigingen niet bekijken.");
  long page, per_page;
  if (pt_page_parse(pg, &page, &per_page))
    return pt_err(r, SK_EINVAL, 400, "invalid", "Deze pagina bestaat niet.");
  char since[32], actor[96];
  pt_iso_at(pt_now(p) - (int64_t)DECIDED_SHOWN_DAYS * 86400, since);
  pt_actor_str(a, actor);
  /* Who may see what, in SQL so that paging and the total agree with it:
   * the redactie every open item; a partner its own submissions and those
   * for its organisations, open or recently decided. */
  const char *where = pt_is_editor(a)
                          ? "status = 'pending'"
                          : "(status = 'pending' OR decided_at >= ?1) AND (submitted_by = ?2 OR"
                            " organization_id IN (SELECT value FROM json_each(?3)))";
  char sql[1024], count_sql[512];
  snprintf(sql, sizeof sql, "%s WHERE %s ORDER BY rid LIMIT ?4 OFFSET ?5", sql_pend, where);
  snprintf(count_sql, sizeof count_sql, "SELECT count(*) FROM portal_pending WHERE %s", where);
  char *orgs = pt_is_editor(a) ? NULL : orgs_json(a);
  if (!pt_is_editor(a) && !orgs)
    return pt_err(r, SK_ENOMEM, 500, "error", "Te weinig geheugen.");
  sqlite3_stmt *s = NULL, *c = NULL;
  if (sqlite3_prepare_v2(p->st->db, sql, -1, &s, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(p->st->db, count_sql, -1, &c, NULL) != SQLITE_OK) {
    sqlite3_finalize(s);
    sqlite3_finalize(c);
    free(orgs);
    return pt_err(r, SK_EDB, 500, "error", "Er ging iets mis in de database.");
  }
  for (int k = 0; k < 2; k++) {
    sqlite3_stmt *q = k ? c : s;
    if (!pt_is_editor(a)) {
      sqlite3_bind_text(q, 1, since, -1, SQLITE_STATIC);
      sqlite3_bind_text(q, 2, actor, -1, SQLITE_STATIC);
      sqlite3_bind_text(q, 3, orgs, -1, SQLITE_STATIC);
    }
  }
  sqlite3_bind_int64(s, 4, per_page);
  sqlite3_bind_int64(s, 5, (page - 1) * per_page);
  long long total = sqlite3_step(c) == SQLITE_ROW ? sqlite3_column_int64(c, 0) : -1;
  json_t *items = json_array();
  int rc = total < 0 ? SK_EDB : SK_OK;
  int step;
  while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
    struct pend pd;
    rc = pend_read(s, &pd);
    if (!rc) {
      json_t *it = pend_item(p, &pd);
      rc = it ? json_array_append_new(items, it) ? SK_ENOMEM : SK_OK : SK_ENOMEM;
    }
    pend_free(&pd);
  }
  sqlite3_finalize(s);
  sqlite3_finalize(c);
  free(orgs);
  if (rc) {
    json_decref(items);
    return pt_err(r, rc, 500, "error", "Er ging iets mis.");
  }
  pt_ok(r, 200,
        json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total, "page",
                  (json_int_t)page, "per_page", (json_int_t)per_page));
  return SK_OK;
}

/* Find a pending row by its public id. */
static int pend_load(struct sk_portal *p, const char *id, struct pend *pd,
                     struct sk_portal_result *r) {
  char sql[512];
  snprintf(sql, sizeof sql, "%s WHERE id = ?1", sql_pend);
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db, sql, -1, &s, NULL) != SQLITE_OK)
    return pt_err(r, SK_EDB, 500, "error", "Er ging iets mis in de database.");
  sqlite3_bind_text(s, 1, id ? id : "", -1, SQLITE_STATIC);
  int rc;
  if (sqlite3_step(s) == SQLITE_ROW)
    rc = pend_read(s, pd);
  else {
    memset(pd, 0, sizeof *pd);
    rc = SK_ENOTFOUND;
  }
  sqlite3_finalize(s);
  if (rc == SK_ENOTFOUND)
    return pt_err(r, rc, 404, "not_found", "Deze wijziging bestaat niet.");
  if (rc) {
    pend_free(pd);
    return pt_err(r, rc, 500, "error", "Er ging iets mis.");
  }
  return SK_OK;
}

int sk_portal_review_get(struct sk_portal *p, const struct sk_actor *a, const char *pending_id,
                         struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  struct pend pd;
  int rc = pend_load(p, pending_id, &pd, r);
  if (rc)
    return rc;
  if (!may_see(a, &pd)) {
    pend_free(&pd);
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden", "U mag deze wijziging niet bekijken.");
  }
  json_t *it = pend_item(p, &pd);
  if (it)
    json_object_set(it, "doc", pd.doc);
  pend_free(&pd);
  if (!it)
    return pt_err(r, SK_ENOMEM, 500, "error", "Te weinig geheugen.");
  pt_ok(r, 200, it);
  return SK_OK;
}

static int decide(struct sk_portal *p, const char *pending_rid_id, const char *status,
                  const char *by, const char *reason) {
  char now[32];
  pt_now_iso(p, now);
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db,
                         "UPDATE portal_pending SET status = ?2, decided_by = ?3, decided_at = ?4,"
                         " reason = ?5 WHERE id = ?1 AND status = 'pending'",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, pending_rid_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, by, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
  if (reason)
    sqlite3_bind_text(s, 5, reason, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s) == SQLITE_DONE && sqlite3_changes(p->st->db) == 1 ? SK_OK : SK_EDB;
  sqlite3_finalize(s);
  return rc;
}

static int start_decision(struct sk_portal *p, const struct sk_actor *a, const char *pending_id,
                          struct pend *pd, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  memset(pd, 0, sizeof *pd);
  if (!pt_is_editor(a))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden",
                  "Alleen de redactie kan wijzigingen goedkeuren of afwijzen.");
  int rc = pt_begin(p, r);
  if (rc)
    return rc;
  if ((rc = pend_load(p, pending_id, pd, r))) {
    sk_store_rollback(p->st);
    return rc;
  }
  if (strcmp(pd->status, "pending") != 0) {
    pend_free(pd);
    sk_store_rollback(p->st);
    return pt_err(r, SK_ECONFLICT, 409, "conflict", "Deze wijziging is al afgehandeld.");
  }
  return SK_OK;
}

int sk_portal_review_approve(struct sk_portal *p, const struct sk_actor *a, const char *pending_id,
                             struct sk_portal_result *r) {
  struct pend pd;
  int rc = start_decision(p, a, pending_id, &pd, r);
  if (rc)
    return rc;
  struct entry en;
  int have = 0;
  const char *kind = json_string_value(json_object_get(pd.doc, "kind"));
  if (strcmp(pd.action, "create") != 0) {
    rc = pt_entry_load(p, pd.table, pd.entity_id, &en);
    if (rc == SK_ENOTFOUND)
      pt_err(r, rc, 404, "not_found", "Het item van deze wijziging bestaat niet meer.");
    else if (!rc) {
      have = 1;
      if (strcmp(en.content_etag, pd.base_etag) != 0)
        rc = pt_err(r, SK_ECONFLICT, 409, "conflict",
                    "Het item is veranderd nadat deze wijziging werd ingediend. Wijs de wijziging"
                    " af; de partner kan haar opnieuw indienen.");
      else if (strcmp(en.source, "portal") != 0)
        rc = pt_err(r, SK_EFORBIDDEN, 403, "feed", "Dit item komt uit een feed.");
    }
  }
  json_t *errors = json_array(), *d = NULL;
  if (!rc)
    rc = pt_doc_build(p, a, pd.table, have ? en.kind : kind, NULL, pd.doc, &d, errors, r);
  if (rc == SK_EINVAL) {
    const char *first = json_string_value(json_object_get(json_array_get(errors, 0), "message"));
    pt_err(r, rc, 422, "invalid", "Deze wijziging klopt niet meer: %s",
           first ? first : "controleer de velden.");
    r->errors = json_incref(errors);
  }
  json_decref(errors);
  if (!rc) {
    char note[64];
    snprintf(note, sizeof note, "approve:%s", pd.id);
    if (!(have && json_equal(d, en.doc)))
      rc = pt_doc_commit(p, pd.table, have ? &en : NULL, pd.entity_id, d, pd.submitted_by, note, 1);
    char actor[96];
    pt_actor_str(a, actor);
    if (!rc)
      rc = decide(p, pd.id, "approved", actor, NULL);
  }
  json_decref(d);
  if (have)
    pt_entry_free(&en);
  enum ptable t = pd.table;
  char entity_id[SK_UUID_LEN];
  snprintf(entity_id, sizeof entity_id, "%s", pd.entity_id);
  pend_free(&pd);
  if (rc) {
    sk_store_rollback(p->st);
    if (!r->message[0])
      pt_err(r, rc, 500, "error", "Er ging iets mis in de database.");
    return rc;
  }
  if ((rc = pt_commit(p, r)))
    return rc;
  /* the entry as it is now */
  struct entry now_en;
  if (pt_entry_load(p, t, entity_id, &now_en) == SK_OK) {
    json_t *body = json_deep_copy(now_en.doc);
    json_object_update(body, now_en.meta);
    json_object_set_new(body, "id", json_string(now_en.id));
    json_object_set_new(body, "etag", json_string(now_en.etag));
    snprintf(r->etag, sizeof r->etag, "%s", now_en.etag);
    pt_entry_free(&now_en);
    pt_ok(r, 200, body);
  } else
    pt_ok(r, 200, json_object());
  return SK_OK;
}

int sk_portal_review_reject(struct sk_portal *p, const struct sk_actor *a, const char *pending_id,
                            const char *reason, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  size_t n = reason ? strlen(reason) : 0;
  while (n && (reason[n - 1] == ' ' || reason[n - 1] == '\n'))
    n--;
  if (!n)
    return pt_err(r, SK_EINVAL, 422, "invalid", "Schrijf op waarom u de wijziging afwijst.");
  if (n > REASON_MAX * 4 || !sk_utf8_valid(reason, strlen(reason)))
    return pt_err(r, SK_EINVAL, 422, "invalid", "De reden is te lang of bevat vreemde tekens.");
  struct pend pd;
  int rc = start_decision(p, a, pending_id, &pd, r);
  if (rc)
    return rc;
  char actor[96];
  pt_actor_str(a, actor);
  char *why = strndup(reason, n);
  rc = why ? decide(p, pd.id, "rejected", actor, why) : SK_ENOMEM;
  free(why);
  json_t *row = json_incref(pd.row);
  pend_free(&pd);
  if (rc) {
    json_decref(row);
    sk_store_rollback(p->st);
    return pt_err(r, rc, 500, "error", "Er ging iets mis in de database.");
  }
  if ((rc = pt_commit(p, r))) {
    json_decref(row);
    return rc;
  }
  json_object_set_new(row, "status", json_string("rejected"));
  json_object_set_new(row, "decided_by", json_string(actor));
  json_object_set_new(row, "reason", json_stringn(reason, n));
  pt_ok(r, 200, row);
  return SK_OK;
}
