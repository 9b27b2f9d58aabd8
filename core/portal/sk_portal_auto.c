/* Services a feed gave without our classification: the indexer proposed
 * needs and set access/cost to "onbekend" (indexer/ix_classify.c, marked
 * in service_taxonomy with vocabulary 'classification', code
 * 'automatisch'). A redacteur sees them here and confirms them. */
#include <stdio.h>
#include <string.h>

#include "sk_err.h"
#include "sk_portal_int.h"

#define AUTO_LIST_MAX 1000

static json_t *codes(struct sk_portal *p, long long rid, const char *vocab) {
  json_t *arr = json_array();
  sqlite3_stmt *s = NULL;
  if (!arr || sqlite3_prepare_v2(p->st->db,
                                 "SELECT code FROM service_taxonomy WHERE service_rid = ?1 AND"
                                 " vocabulary = ?2 ORDER BY code",
                                 -1, &s, NULL) != SQLITE_OK) {
    sqlite3_finalize(s);
    return arr;
  }
  sqlite3_bind_int64(s, 1, rid);
  sqlite3_bind_text(s, 2, vocab, -1, SQLITE_STATIC);
  while (sqlite3_step(s) == SQLITE_ROW)
    json_array_append_new(arr, pt_col_json(s, 0));
  sqlite3_finalize(s);
  return arr;
}

int sk_portal_auto_list(struct sk_portal *p, const struct sk_actor *a, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (!a || !pt_is_editor(a))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden",
                  "Alleen de redactie mag de automatisch ingedeelde diensten bekijken.");
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(
          p->st->db,
          "SELECT s.rid, s.id, s.name, o.name, s.source, s.last_modified FROM service s"
          " JOIN organization o ON o.rid = s.organization_rid"
          " WHERE s.status = 'active' AND EXISTS (SELECT 1 FROM service_taxonomy t"
          "  WHERE t.service_rid = s.rid AND t.vocabulary = 'classification'"
          "  AND t.code = 'automatisch')"
          " ORDER BY s.last_modified, s.rid LIMIT ?1",
          -1, &s, NULL) != SQLITE_OK)
    return pt_err(r, SK_EDB, 500, "error", "Er ging iets mis in de database.");
  sqlite3_bind_int(s, 1, AUTO_LIST_MAX);
  json_t *items = json_array();
  while (items && sqlite3_step(s) == SQLITE_ROW) {
    long long rid = sqlite3_column_int64(s, 0);
    json_t *it = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s}", "id", pt_col_json(s, 1),
                           "name", pt_col_json(s, 2), "organization", pt_col_json(s, 3), "source",
                           pt_col_json(s, 4), "last_modified", pt_col_json(s, 5), "needs",
                           codes(p, rid, "need"), "access", codes(p, rid, "access"), "cost",
                           codes(p, rid, "cost"), "classification", "automatisch ingedeeld");
    if (!it || json_array_append_new(items, it)) {
      json_decref(items);
      items = NULL;
    }
  }
  sqlite3_finalize(s);
  if (!items)
    return pt_err(r, SK_ENOMEM, 500, "error", "Te weinig geheugen.");
  pt_ok(r, 200, json_pack("{s:o}", "items", items));
  return SK_OK;
}

int sk_portal_auto_confirm(struct sk_portal *p, const struct sk_actor *a, const char *id,
                           struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (!a || !pt_is_editor(a))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden",
                  "Alleen de redactie mag een indeling bevestigen.");
  if (!id)
    return pt_err(r, SK_EINVAL, 404, "not_found", "Deze dienst bestaat niet.");
  int rc = pt_begin(p, r);
  if (rc)
    return rc;
  sqlite3_stmt *s = NULL;
  int changed = -1;
  if (sqlite3_prepare_v2(
          p->st->db,
          "DELETE FROM service_taxonomy WHERE vocabulary = 'classification' AND"
          " code = 'automatisch' AND service_rid = (SELECT rid FROM service WHERE id = ?1)",
          -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_DONE)
      changed = sqlite3_changes(p->st->db);
  }
  sqlite3_finalize(s);
  if (changed < 0) {
    sk_store_rollback(p->st);
    return pt_err(r, SK_EDB, 500, "error", "Er ging iets mis in de database. Probeer het opnieuw.");
  }
  if (changed == 0) {
    sk_store_rollback(p->st);
    return pt_err(r, SK_ENOTFOUND, 404, "not_found",
                  "Deze dienst staat niet (meer) op de lijst van automatisch ingedeelde diensten.");
  }
  char now[32], actor[96];
  pt_now_iso(p, now);
  pt_actor_str(a, actor);
  if ((rc = pt_log(p, now, actor, "service", id, "classification", "automatisch", "bevestigd",
                   0))) {
    sk_store_rollback(p->st);
    return pt_err(r, rc, 500, "error", "Er ging iets mis in de database. Probeer het opnieuw.");
  }
  if ((rc = pt_commit(p, r)))
    return rc;
  pt_ok(r, 200, json_pack("{s:s, s:s}", "id", id, "message", "De indeling is bevestigd."));
  return SK_OK;
}
