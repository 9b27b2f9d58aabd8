/* Keeping entries current: the partner's to-do list, the reminder outbox,
 * and "Klopt er iets niet?" corrections from anyone. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_buf.h"
#include "sk_err.h"
#include "sk_fold.h"
#include "sk_check.h"
#include "sk_portal_int.h"

#define REMINDER_MAX_BODY (256 * 1024)
#define REMINDER_MAX_ENTRIES 200 /* listed per message; the rest as a count */
#define SUBMISSIONS_SHOWN_DAYS 30

/* ---- to-do list --------------------------------------------------------- */

/* Stale portal entries of one organisation, appended to arr as {id, kind, name, assured_date,
 * organization, organization_name}. */
static int stale_entries(struct sk_portal *p, const char *org_id, const char *cutoff, json_t *arr,
                         size_t max) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT s.id, s.kind, s.name, s.assured_date, o.id, o.name FROM service s"
                         " JOIN organization o ON o.rid = s.organization_rid"
                         " WHERE s.source = 'portal' AND s.status = 'active'"
                         " AND (s.assured_date IS NULL OR s.assured_date < ?1)"
                         " AND o.id = ?2"
                         " ORDER BY o.name, s.assured_date, s.name",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, cutoff, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, org_id, -1, SQLITE_STATIC);
  int rc = SK_OK;
  while (sqlite3_step(s) == SQLITE_ROW && json_array_size(arr) < max)
    if (json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                                             pt_col_json(s, 0), "kind", pt_col_json(s, 1), "name",
                                             pt_col_json(s, 2), "assured_date", pt_col_json(s, 3),
                                             "organization", pt_col_json(s, 4), "organization_name",
                                             pt_col_json(s, 5)))) {
      rc = SK_ENOMEM;
      break;
    }
  sqlite3_finalize(s);
  return rc;
}

static const char sql_corr[] =
    "SELECT c.id, c.entity, c.entity_id, c.organization_id, c.name, c.email, c.message,"
    " c.created, c.status, c.closed_by, c.closed_at,"
    " coalesce((SELECT name FROM service WHERE id = c.entity_id),"
    "          (SELECT name FROM location WHERE id = c.entity_id)), c.feed_id,"
    " (SELECT partner FROM feed WHERE id = c.feed_id)"
    " FROM portal_correction c";

/* Who sees a correction (?2: the partner's organisations as a JSON array,
 * NULL for the redactie, who sees every one; ?5: the account's id): one
 * for an organisation goes to its partners; one sent to the keeper of a
 * feed (feed_id) to the accounts that keep that feed. */
static const char corr_where[] =
    " WHERE c.status = ?1 AND (?2 IS NULL OR (c.feed_id IS NULL AND c.organization_id IN"
    " (SELECT value FROM json_each(?2))) OR c.feed_id IN (SELECT af.feed_id FROM account_feed af"
    " JOIN account ac ON ac.rid = af.account_rid WHERE ac.id = ?5))";

static json_t *corr_json(sqlite3_stmt *s) {
  return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                   pt_col_json(s, 0), "entity", pt_col_json(s, 1), "entity_id", pt_col_json(s, 2),
                   "organization", pt_col_json(s, 3), "name", pt_col_json(s, 4), "email",
                   pt_col_json(s, 5), "message", pt_col_json(s, 6), "created", pt_col_json(s, 7),
                   "status", pt_col_json(s, 8), "closed_by", pt_col_json(s, 9), "closed_at",
                   pt_col_json(s, 10), "entry_name", pt_col_json(s, 11), "feed", pt_col_json(s, 12),
                   "feed_partner", pt_col_json(s, 13));
}

/* The actor's organisations as a JSON array (malloc'ed), or NULL for the
 * redactie (every organisation); *oom on failure. */
static char *actor_orgs_json(const struct sk_actor *a, int *oom) {
  *oom = 0;
  if (pt_is_editor(a))
    return NULL;
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < a->n_orgs; i++)
    json_array_append_new(arr, json_string(a->orgs[i]));
  char *out = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
  json_decref(arr);
  *oom = out == NULL;
  return out;
}

static int corrections_into(struct sk_portal *p, const struct sk_actor *a, const char *status,
                            json_t *arr) {
  int oom;
  char *orgs = actor_orgs_json(a, &oom);
  if (oom)
    return SK_ENOMEM;
  char sql[1536];
  snprintf(sql, sizeof sql, "%s%s ORDER BY c.rid DESC LIMIT 1000", sql_corr, corr_where);
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db, sql, -1, &s, NULL) != SQLITE_OK) {
    free(orgs);
    return SK_EDB;
  }
  sqlite3_bind_text(s, 1, status, -1, SQLITE_STATIC);
  if (orgs)
    sqlite3_bind_text(s, 2, orgs, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 5, a->account_id, -1, SQLITE_STATIC);
  int rc = SK_OK;
  while (sqlite3_step(s) == SQLITE_ROW)
    if (json_array_append_new(arr, corr_json(s))) {
      rc = SK_ENOMEM;
      break;
    }
  sqlite3_finalize(s);
  free(orgs);
  return rc;
}

static int submissions_into(struct sk_portal *p, const char *org_id, const char *since,
                            json_t *arr) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT id, entity, entity_id, action, submitted_by, submitted_at, status,"
                         " decided_at, reason, json_extract(doc, '$.name') FROM portal_pending"
                         " WHERE organization_id = ?1 AND (status = 'pending' OR"
                         " (status = 'rejected' AND decided_at >= ?2)) ORDER BY rid",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, org_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, since, -1, SQLITE_STATIC);
  int rc = SK_OK;
  while (sqlite3_step(s) == SQLITE_ROW)
    if (json_array_append_new(
            arr,
            json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", pt_col_json(s, 0),
                      "entity", pt_col_json(s, 1), "entity_id", pt_col_json(s, 2), "action",
                      pt_col_json(s, 3), "submitted_by", pt_col_json(s, 4), "submitted_at",
                      pt_col_json(s, 5), "status", pt_col_json(s, 6), "decided_at",
                      pt_col_json(s, 7), "reason", pt_col_json(s, 8), "name", pt_col_json(s, 9)))) {
      rc = SK_ENOMEM;
      break;
    }
  sqlite3_finalize(s);
  return rc;
}

int sk_portal_todo(struct sk_portal *p, const struct sk_actor *a, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (!a || !sk_role_edits_own(a->role))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden", "De takenlijst is voor partners.");
  char cut[32], since[32];
  pt_iso_at(pt_now(p) - (int64_t)SK_PORTAL_STALE_DAYS * 86400, cut);
  pt_iso_at(pt_now(p) - (int64_t)SUBMISSIONS_SHOWN_DAYS * 86400, since);
  json_t *stale = json_array(), *corr = json_array(), *subs = json_array();
  int rc = stale && corr && subs ? SK_OK : SK_ENOMEM;
  for (size_t i = 0; !rc && i < a->n_orgs; i++) {
    rc = stale_entries(p, a->orgs[i], cut, stale, 100000);
    if (!rc)
      rc = submissions_into(p, a->orgs[i], since, subs);
  }
  if (!rc)
    rc = corrections_into(p, a, "open", corr);
  json_t *body = json_pack("{s:o, s:o, s:o}", "stale", stale, "corrections", corr, "submissions",
                           subs);
  if (rc || !body) {
    json_decref(body);
    return pt_err(r, rc ? rc : SK_ENOMEM, 500, "error", "Er ging iets mis in de database.");
  }
  pt_ok(r, 200, body);
  return SK_OK;
}

/* ---- reminders ---------------------------------------------------------- */

static int build_message(const struct sk_portal_reminder_opts *o, const char *name,
                         const json_t *entries, struct sk_buf *b) {
  const char *base = o && o->base_url ? o->base_url : "";
  const char *path = o && o->entry_path ? o->entry_path : "/aanbod.html?id=";
  size_t n = json_array_size(entries);
  int rc = sk_buf_printf(b, "Beste %s,\n\n", name && *name ? name : "partner");
  if (!rc)
    rc = sk_buf_addstr(b, "Mensen zoeken in de Sociale Kaart naar hulp en activiteiten. Daarom is"
                          " het belangrijk dat uw gegevens kloppen.\n\n");
  if (!rc)
    rc = n == 1 ? sk_buf_addstr(b, "Dit onderdeel heeft u al meer dan een half jaar niet"
                                   " gecontroleerd:\n\n")
                : sk_buf_printf(b,
                                "Deze %zu onderdelen heeft u al meer dan een half jaar niet"
                                " gecontroleerd:\n\n",
                                n);
  size_t i;
  json_t *e;
  json_array_foreach(entries, i, e) {
    if (rc || i >= REMINDER_MAX_ENTRIES)
      break;
    rc = sk_buf_printf(b, "- %s (%s)\n  %s%s%s\n", json_string_value(json_object_get(e, "name")),
                       json_string_value(json_object_get(e, "organization_name")), base, path,
                       json_string_value(json_object_get(e, "id")));
  }
  if (!rc && n > REMINDER_MAX_ENTRIES)
    rc = sk_buf_printf(b, "- en nog %zu andere. U ziet ze allemaal in het portaal.\n",
                       n - REMINDER_MAX_ENTRIES);
  if (!rc)
    rc = sk_buf_addstr(b, "\nKloppen de gegevens nog? Klik dan in het portaal op 'Gegevens kloppen"
                          " nog'. Klopt er iets niet? Pas het dan aan.\n\n"
                          "Heeft u een jaar niets gecontroleerd? Dan ziet iedereen bij uw aanbod:"
                          " 'niet recent gecontroleerd'.\n\n"
                          "Met vriendelijke groet,\nDe redactie van de Sociale Kaart\n");
  return rc;
}

int sk_portal_reminders_build(struct sk_portal *p, const struct sk_portal_reminder_opts *o,
                              int *n_new) {
  if (n_new)
    *n_new = 0;
  char cut[32], period[16], now[32];
  pt_iso_at(pt_now(p) - (int64_t)SK_PORTAL_STALE_DAYS * 86400, cut);
  pt_now_iso(p, now);
  if (o && o->period)
    snprintf(period, sizeof period, "%s", o->period);
  else
    snprintf(period, sizeof period, "%.7s", now);
  if (sk_store_begin(p->st))
    return SK_EDB;
  sqlite3_stmt *acc = NULL, *orgs = NULL, *ins = NULL;
  int rc = SK_EDB;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT rid, id, email, name FROM account WHERE role = 'partner' AND"
                         " disabled = 0 ORDER BY rid",
                         -1, &acc, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(p->st->db,
                         "SELECT o.id FROM account_organization x JOIN organization o"
                         " ON o.rid = x.organization_rid WHERE x.account_rid = ?1 ORDER BY o.name",
                         -1, &orgs, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(p->st->db,
                         "INSERT OR IGNORE INTO portal_outbox(id, account_id, period, to_email,"
                         " subject, body, entries, created) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                         -1, &ins, NULL) != SQLITE_OK)
    goto out;
  rc = SK_OK;
  struct sk_buf body;
  sk_buf_init(&body, REMINDER_MAX_BODY);
  while (!rc && sqlite3_step(acc) == SQLITE_ROW) {
    json_t *entries = json_array();
    sqlite3_reset(orgs);
    sqlite3_bind_int64(orgs, 1, sqlite3_column_int64(acc, 0));
    while (!rc && sqlite3_step(orgs) == SQLITE_ROW)
      rc = stale_entries(p, (const char *)sqlite3_column_text(orgs, 0), cut, entries, 100000);
    if (!rc && json_array_size(entries)) {
      json_t *ids = json_array();
      size_t i;
      json_t *e;
      json_array_foreach(entries, i, e) json_array_append(ids, json_object_get(e, "id"));
      char *ids_text = json_dumps(ids, JSON_COMPACT);
      json_decref(ids);
      sk_buf_reset(&body);
      rc = ids_text ? build_message(o, (const char *)sqlite3_column_text(acc, 3), entries, &body)
                    : SK_ENOMEM;
      if (!rc) {
        char id[SK_UUID_LEN];
        sk_uuid_random(id);
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, (const char *)sqlite3_column_text(acc, 1), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, period, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, (const char *)sqlite3_column_text(acc, 2), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 5, "Kloppen uw gegevens in de Sociale Kaart nog?", -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(ins, 6, sk_buf_str(&body), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 7, ids_text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 8, now, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
          rc = SK_EDB;
        else if (sqlite3_changes(p->st->db) == 1 && n_new)
          (*n_new)++;
      }
      free(ids_text);
    }
    json_decref(entries);
  }
  sk_buf_free(&body);
out:
  sqlite3_finalize(acc);
  sqlite3_finalize(orgs);
  sqlite3_finalize(ins);
  if (!rc)
    rc = sk_store_commit(p->st);
  if (rc) {
    sk_store_rollback(p->st);
    if (n_new)
      *n_new = 0;
  }
  return rc;
}

#define OUTBOX_PRIVATE "wachtwoord:"

static int outbox_list(struct sk_portal *p, const char *sql, int redact,
                       struct sk_portal_result *r) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db, sql, -1, &s, NULL) != SQLITE_OK)
    return pt_err(r, SK_EDB, 500, "error", "Er ging iets mis in de database.");
  json_t *items = json_array();
  while (sqlite3_step(s) == SQLITE_ROW) {
    json_t *entries = json_loads((const char *)sqlite3_column_text(s, 6), 0, NULL);
    const char *period = (const char *)sqlite3_column_text(s, 3);
    /* A reset link and a claim link are for their addressee only. */
    int hide = redact && period &&
               (strncmp(period, OUTBOX_PRIVATE, strlen(OUTBOX_PRIVATE)) == 0 ||
                strncmp(period, "claim:", 6) == 0);
    json_array_append_new(
        items,
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", pt_col_json(s, 0),
                  "account_id", pt_col_json(s, 1), "to", pt_col_json(s, 2), "period",
                  pt_col_json(s, 3), "subject", pt_col_json(s, 4), "body",
                  hide ? json_string("(Deze e-mail bevat een persoonlijke link. Die tonen we hier"
                                     " niet.)")
                       : pt_col_json(s, 5),
                  "entries", entries ? entries : json_array(), "created", pt_col_json(s, 7),
                  "sent_at", pt_col_json(s, 8)));
  }
  sqlite3_finalize(s);
  pt_ok(r, 200, json_pack("{s:o}", "items", items));
  return SK_OK;
}

int sk_portal_outbox(struct sk_portal *p, const struct sk_actor *a, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (!pt_is_editor(a))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden", "Alleen de redactie kan de berichten zien.");
  return outbox_list(p,
                     "SELECT id, account_id, to_email, period, subject, body, entries, created,"
                     " sent_at FROM portal_outbox ORDER BY rid DESC LIMIT 1000",
                     1, r);
}

int sk_portal_outbox_unsent(struct sk_portal *p, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  return outbox_list(p,
                     "SELECT id, account_id, to_email, period, subject, body, entries, created,"
                     " sent_at FROM portal_outbox WHERE sent_at IS NULL ORDER BY rid LIMIT 1000",
                     0, r);
}

int sk_portal_outbox_add(struct sk_portal *p, const char *account_id, const char *to,
                         const char *period, const char *subject, const char *body) {
  char now[32], id[SK_UUID_LEN];
  pt_now_iso(p, now);
  sk_uuid_random(id);
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db,
                         "INSERT INTO portal_outbox(id, account_id, period, to_email, subject,"
                         " body, entries, created) VALUES(?1, ?2, ?3, ?4, ?5, ?6, '[]', ?7)",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, account_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, period, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 4, to, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 5, subject, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 6, body, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 7, now, -1, SQLITE_STATIC);
  int step = sqlite3_step(s);
  sqlite3_finalize(s);
  return step == SQLITE_DONE ? SK_OK : step == SQLITE_CONSTRAINT ? SK_ECONFLICT : SK_EDB;
}

int sk_portal_outbox_mark_sent(struct sk_portal *p, const char *message_id) {
  char now[32];
  pt_now_iso(p, now);
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db, "UPDATE portal_outbox SET sent_at = ?2 WHERE id = ?1", -1, &s,
                         NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, message_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  if (!rc && sqlite3_changes(p->st->db) == 0)
    rc = SK_ENOTFOUND;
  sqlite3_finalize(s);
  return rc;
}

/* ---- corrections -------------------------------------------------------- */

/* The store's own secret for form tokens and IP hashes (made on first use). */
static int secret(struct sk_portal *p, unsigned char key[32]) {
  return sk_store_secret(p->st, "portal_secret", key);
}

static void token_mac(const unsigned char key[32], long long ts, char out[65]) {
  char msg[48];
  snprintf(msg, sizeof msg, "correction:%lld", ts);
  unsigned char mac[crypto_auth_BYTES];
  crypto_auth(mac, (const unsigned char *)msg, strlen(msg), key);
  sodium_bin2hex(out, 65, mac, 32);
}

int sk_portal_correction_token(struct sk_portal *p, char *out, size_t outlen) {
  unsigned char key[32];
  int rc = secret(p, key);
  if (rc)
    return rc;
  char mac[65];
  long long ts = (long long)pt_now(p);
  token_mac(key, ts, mac);
  sodium_memzero(key, sizeof key);
  if ((size_t)snprintf(out, outlen, "%lld.%s", ts, mac) >= outlen)
    return SK_ETOOBIG;
  return SK_OK;
}

/* Seconds since the token was made, or -1 when it is not ours. */
static long long token_age(struct sk_portal *p, const unsigned char key[32], const char *tok) {
  if (!tok)
    return -1;
  char *end = NULL;
  long long ts = strtoll(tok, &end, 10);
  if (!end || *end != '.' || strlen(end + 1) != 64)
    return -1;
  char mac[65];
  token_mac(key, ts, mac);
  if (sodium_memcmp(mac, end + 1, 64) != 0)
    return -1;
  long long age = (long long)pt_now(p) - ts;
  return age < 0 ? -1 : age;
}

/* Trimmed text of a field, or NULL; *bad set when it is not text or too long. */
static char *field_text(const json_t *doc, const char *key, size_t max_chars, int multiline,
                        int *bad) {
  const json_t *x = json_object_get(doc, key);
  if (!x || json_is_null(x))
    return NULL;
  if (!json_is_string(x)) {
    *bad = 1;
    return NULL;
  }
  const char *s = json_string_value(x);
  size_t n = json_string_length(x);
  while (n && strchr(" \t\r\n", *s)) {
    s++;
    n--;
  }
  while (n && strchr(" \t\r\n", s[n - 1]))
    n--;
  if (!n)
    return NULL;
  size_t chars = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c & 0xC0) != 0x80)
      chars++;
    if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f)
      *bad = 1;
  }
  if (chars > max_chars || !sk_utf8_valid(s, n))
    *bad = 1;
  return *bad ? NULL : strndup(s, n);
}

static long long count_since(struct sk_portal *p, const char *ip_hash, const char *since) {
  sqlite3_stmt *s = NULL;
  long long n = 0;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT count(*) FROM portal_correction WHERE ip_hash = ?1 AND"
                         " created >= ?2",
                         -1, &s, NULL) != SQLITE_OK)
    return -1;
  sqlite3_bind_text(s, 1, ip_hash, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, since, -1, SQLITE_STATIC);
  if (sqlite3_step(s) == SQLITE_ROW)
    n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

/* The entry a correction is about: active offering/activity or location. */
static int correction_target(struct sk_portal *p, const char *id, char entity[16],
                             char org[SK_UUID_LEN]) {
  static const char *const sql[2] = {
      "SELECT o.id FROM service s JOIN organization o ON o.rid = s.organization_rid"
      " WHERE s.id = ?1 AND s.status = 'active'",
      "SELECT o.id FROM location l LEFT JOIN organization o ON o.rid = l.organization_rid"
      " WHERE l.id = ?1 AND l.status = 'active'"};
  for (int i = 0; i < 2; i++) {
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(p->st->db, sql[i], -1, &s, NULL) != SQLITE_OK)
      return SK_EDB;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    int found = sqlite3_step(s) == SQLITE_ROW;
    if (found) {
      const char *o = (const char *)sqlite3_column_text(s, 0);
      snprintf(org, SK_UUID_LEN, "%s", o ? o : "");
      snprintf(entity, 16, "%s", i == 0 ? "service" : "location");
    }
    sqlite3_finalize(s);
    if (found)
      return SK_OK;
  }
  return SK_ENOTFOUND;
}

static const char thanks[] =
    "Dank u wel. We geven uw melding door aan de organisatie en aan de redactie.";

int pt_correction_add(struct sk_portal *p, const struct pt_correction *c, char id[SK_UUID_LEN]) {
  sk_uuid_random(id);
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db,
                         "INSERT INTO portal_correction(id, entity, entity_id, organization_id,"
                         " name, email, message, ip_hash, created) VALUES(?1, ?2, ?3, ?4, ?5,"
                         " ?6, ?7, ?8, ?9)",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  const char *v[] = {id,      c->entity, c->entry_id, c->org_id && c->org_id[0] ? c->org_id : NULL,
                     c->name, c->email,  c->message,  c->ip_hash,
                     c->now};
  for (int i = 0; i < 9; i++)
    if (v[i])
      sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
  int rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  sqlite3_finalize(s);
  return rc;
}

int sk_portal_correction_submit(struct sk_portal *p, const char *entry_id, const json_t *doc,
                                const char *ip, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (!json_is_object(doc))
    return pt_err(r, SK_EINVAL, 400, "invalid", "Stuur het formulier opnieuw.");
  /* A robot fills every field, also the one people do not see. */
  const char *honey = json_string_value(json_object_get(doc, "website"));
  if (honey && *honey) {
    r->spam = 1;
    pt_ok(r, 201, json_pack("{s:s}", "message", thanks));
    return SK_OK;
  }
  /* Only the form's fields: anything else is a client that does not send
   * this form (and might hope a key such as "status" is taken). */
  static const char *const allowed[] = {"message", "name", "email", "form_token", "website", NULL};
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)doc, k, v) {
    int known = 0;
    for (const char *const *a = allowed; *a && !known; a++)
      known = strcmp(*a, k) == 0;
    if (!known) {
      pt_err(r, SK_EINVAL, 422, "invalid", "Het veld '%.40s' hoort niet bij dit formulier.", k);
      r->errors = json_pack("[{s:s, s:s}]", "field", k, "message", r->message);
      return SK_EINVAL;
    }
  }
  int rc = pt_begin(p, r);
  if (rc)
    return rc;
  unsigned char key[32];
  if ((rc = secret(p, key))) {
    sk_store_rollback(p->st);
    return pt_err(r, rc, 500, "error", "Er ging iets mis. Probeer het later nog eens.");
  }
  long long age = token_age(p, key, json_string_value(json_object_get(doc, "form_token")));
  if (age < 0 || age > SK_CORRECTION_MAX_AGE) {
    sodium_memzero(key, sizeof key);
    sk_store_rollback(p->st);
    pt_err(r, SK_EINVAL, 422, "invalid",
           "Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.");
    r->errors = json_pack("[{s:s, s:s}]", "field", "form_token", "message", r->message);
    return SK_EINVAL;
  }
  if (age < SK_CORRECTION_MIN_SECONDS) { /* faster than anyone can type */
    sodium_memzero(key, sizeof key);
    sk_store_rollback(p->st);
    r->spam = 1;
    pt_ok(r, 201, json_pack("{s:s}", "message", thanks));
    return SK_OK;
  }
  unsigned char h[16];
  char ip_hash[33];
  const char *ipv = ip ? ip : "";
  crypto_generichash(h, sizeof h, (const unsigned char *)ipv, strlen(ipv), key, sizeof key);
  sodium_memzero(key, sizeof key);
  sodium_bin2hex(ip_hash, sizeof ip_hash, h, sizeof h);
  char hour[32], day[32], now[32];
  pt_iso_at(pt_now(p) - 3600, hour);
  pt_iso_at(pt_now(p) - 86400, day);
  pt_now_iso(p, now);
  long long n_hour = count_since(p, ip_hash, hour), n_day = count_since(p, ip_hash, day);
  if (n_hour < 0 || n_day < 0) {
    sk_store_rollback(p->st);
    return pt_err(r, SK_EDB, 500, "error", "Er ging iets mis. Probeer het later nog eens.");
  }
  if (n_hour >= SK_CORRECTION_PER_HOUR || n_day >= SK_CORRECTION_PER_DAY) {
    sk_store_rollback(p->st);
    return pt_err(r, SK_EFORBIDDEN, 429, "too_many",
                  "U heeft al veel meldingen gestuurd. Probeer het later nog eens.");
  }
  char entity[16], org[SK_UUID_LEN];
  if (!entry_id || !sk_uuid_valid(entry_id) ||
      (rc = correction_target(p, entry_id, entity, org)) == SK_ENOTFOUND) {
    sk_store_rollback(p->st);
    return pt_err(r, SK_ENOTFOUND, 404, "not_found", "Dit aanbod bestaat niet (meer).");
  }
  if (rc) {
    sk_store_rollback(p->st);
    return pt_err(r, rc, 500, "error", "Er ging iets mis. Probeer het later nog eens.");
  }
  int bad_msg = 0, bad_name = 0, bad_email = 0;
  char *msg = field_text(doc, "message", SK_CORRECTION_MAX_MESSAGE, 1, &bad_msg);
  char *name = field_text(doc, "name", SK_CORRECTION_MAX_NAME, 0, &bad_name);
  char *email = field_text(doc, "email", 254, 0, &bad_email);
  if (email && !sk_check_email(email))
    bad_email = 1;
  json_t *errors = json_array();
  if (bad_msg)
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "message", "message",
                                            "Uw bericht is te lang of bevat vreemde tekens"
                                            " (hoogstens 2000 tekens)."));
  else if (!msg)
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "message", "message",
                                            "Het veld 'message' is leeg. Schrijf wat er niet"
                                            " klopt."));
  if (bad_name)
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "name", "message",
                                            "Uw naam is te lang (hoogstens 100 tekens)."));
  if (bad_email)
    json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "email", "message",
                                            "Het veld 'email' is geen geldig e-mailadres."));
  rc = SK_OK;
  if (json_array_size(errors)) {
    sk_store_rollback(p->st);
    const char *first = json_string_value(json_object_get(json_array_get(errors, 0), "message"));
    pt_err(r, SK_EINVAL, 422, "invalid", "%s", first);
    r->errors = errors;
    errors = NULL;
    rc = SK_EINVAL;
  }
  json_decref(errors);
  char id[SK_UUID_LEN];
  if (!rc) {
    struct pt_correction c = {entity, entry_id, org, name, email, msg, ip_hash, now};
    rc = pt_correction_add(p, &c, id);
    if (rc) {
      sk_store_rollback(p->st);
      pt_err(r, rc, 500, "error", "Er ging iets mis. Probeer het later nog eens.");
    } else if (!(rc = pt_commit(p, r)))
      pt_ok(r, 201, json_pack("{s:s, s:s}", "id", id, "message", thanks));
  }
  free(msg);
  free(name);
  free(email);
  return rc;
}

int sk_portal_corrections(struct sk_portal *p, const struct sk_actor *a, const char *status,
                          const struct sk_portal_page *pg, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (!a || !(pt_is_editor(a) || sk_role_edits_own(a->role)))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden", "U mag de meldingen niet bekijken.");
  if (!status)
    status = "open";
  if (strcmp(status, "open") != 0 && strcmp(status, "closed") != 0)
    return pt_err(r, SK_EINVAL, 400, "invalid", "Kies 'open' of 'closed'.");
  long page, per_page;
  if (pt_page_parse(pg, &page, &per_page))
    return pt_err(r, SK_EINVAL, 400, "invalid", "Deze pagina bestaat niet.");
  int oom;
  char *orgs = actor_orgs_json(a, &oom);
  if (oom)
    return pt_err(r, SK_ENOMEM, 500, "error", "Te weinig geheugen.");
  char sql[1536], count_sql[800];
  snprintf(sql, sizeof sql, "%s%s ORDER BY c.rid DESC LIMIT ?3 OFFSET ?4", sql_corr, corr_where);
  snprintf(count_sql, sizeof count_sql, "SELECT count(*) FROM portal_correction c%s", corr_where);
  sqlite3_stmt *s = NULL, *c = NULL;
  json_t *items = json_array();
  int rc = items ? SK_OK : SK_ENOMEM;
  long long total = -1;
  if (!rc && (sqlite3_prepare_v2(p->st->db, sql, -1, &s, NULL) != SQLITE_OK ||
              sqlite3_prepare_v2(p->st->db, count_sql, -1, &c, NULL) != SQLITE_OK))
    rc = SK_EDB;
  if (!rc) {
    for (int k = 0; k < 2; k++) {
      sqlite3_stmt *q = k ? c : s;
      sqlite3_bind_text(q, 1, status, -1, SQLITE_STATIC);
      if (orgs)
        sqlite3_bind_text(q, 2, orgs, -1, SQLITE_STATIC);
      sqlite3_bind_text(q, 5, a->account_id, -1, SQLITE_STATIC);
    }
    sqlite3_bind_int64(s, 3, per_page);
    sqlite3_bind_int64(s, 4, (page - 1) * per_page);
    total = sqlite3_step(c) == SQLITE_ROW ? sqlite3_column_int64(c, 0) : -1;
    if (total < 0)
      rc = SK_EDB;
  }
  while (!rc && sqlite3_step(s) == SQLITE_ROW)
    if (json_array_append_new(items, corr_json(s)))
      rc = SK_ENOMEM;
  sqlite3_finalize(s);
  sqlite3_finalize(c);
  free(orgs);
  if (rc) {
    json_decref(items);
    return pt_err(r, rc, 500, "error", "Er ging iets mis in de database.");
  }
  pt_ok(r, 200,
        json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total, "page",
                  (json_int_t)page, "per_page", (json_int_t)per_page));
  return SK_OK;
}

int sk_portal_correction_close(struct sk_portal *p, const struct sk_actor *a,
                               const char *correction_id, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (!a || !(pt_is_editor(a) || sk_role_edits_own(a->role)))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden", "U mag deze melding niet afhandelen.");
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT organization_id, status, feed_id, feed_id IN (SELECT af.feed_id"
                         " FROM account_feed af JOIN account ac ON ac.rid = af.account_rid"
                         " WHERE ac.id = ?2) FROM portal_correction WHERE id = ?1",
                         -1, &s, NULL) != SQLITE_OK)
    return pt_err(r, SK_EDB, 500, "error", "Er ging iets mis in de database.");
  sqlite3_bind_text(s, 1, correction_id ? correction_id : "", -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, a->account_id, -1, SQLITE_STATIC);
  char org[SK_UUID_LEN] = "";
  int found = sqlite3_step(s) == SQLITE_ROW, to_feed = 0, keeper = 0;
  if (found && sqlite3_column_text(s, 0))
    snprintf(org, sizeof org, "%s", (const char *)sqlite3_column_text(s, 0));
  if (found) {
    to_feed = sqlite3_column_type(s, 2) != SQLITE_NULL;
    keeper = sqlite3_column_int(s, 3) == 1;
  }
  sqlite3_finalize(s);
  if (!found)
    return pt_err(r, SK_ENOTFOUND, 404, "not_found", "Deze melding bestaat niet.");
  /* The same rule as the lists (corr_where): whoever sees it closes it. */
  if (!pt_is_editor(a) && !(to_feed ? keeper : pt_has_org(a, org)))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden", "U mag deze melding niet afhandelen.");
  char now[32], actor[96];
  pt_now_iso(p, now);
  pt_actor_str(a, actor);
  if (sqlite3_prepare_v2(p->st->db,
                         "UPDATE portal_correction SET status = 'closed', closed_by = ?2,"
                         " closed_at = ?3 WHERE id = ?1 AND status = 'open'",
                         -1, &s, NULL) != SQLITE_OK)
    return pt_err(r, SK_EDB, 500, "error", "Er ging iets mis in de database.");
  sqlite3_bind_text(s, 1, correction_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, actor, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  sqlite3_finalize(s);
  if (rc)
    return pt_err(r, rc, 500, "error", "Er ging iets mis in de database.");
  pt_ok(r, 200, json_pack("{s:s, s:s}", "id", correction_id, "status", "closed"));
  return SK_OK;
}

/* ---- corrections to the keeper of a feed (issue 13) --------------------- */

int pt_feed_keepers(struct sk_portal *p, const char *feed_id, const char *account_id, int *keeper) {
  *keeper = 0;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT count(*), coalesce(sum(ac.id = ?2), 0) FROM account_feed af"
                         " JOIN account ac ON ac.rid = af.account_rid WHERE af.feed_id = ?1 AND"
                         " ac.disabled = 0",
                         -1, &s, NULL) != SQLITE_OK)
    return -1;
  sqlite3_bind_text(s, 1, feed_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, account_id ? account_id : "", -1, SQLITE_STATIC);
  int n = -1;
  if (sqlite3_step(s) == SQLITE_ROW) {
    n = sqlite3_column_int(s, 0);
    *keeper = sqlite3_column_int(s, 1) > 0;
  }
  sqlite3_finalize(s);
  return n;
}

int sk_portal_feed_correction(struct sk_portal *p, const struct sk_actor *a,
                              enum sk_portal_entity e, const char *id, const json_t *doc,
                              struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (!a || !(pt_is_editor(a) || sk_role_edits_own(a->role)))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden", "U mag geen correctie sturen.");
  if (!json_is_object(doc) || json_object_size(doc) != 1 || !json_object_get(doc, "message"))
    return pt_err(r, SK_EINVAL, 400, "invalid", "Stuur alleen 'message': wat er niet klopt.");
  int bad = 0;
  char *msg = field_text(doc, "message", SK_CORRECTION_MAX_MESSAGE, 1, &bad);
  if (bad || !msg) {
    free(msg);
    pt_err(r, SK_EINVAL, 422, "invalid",
           bad ? "Uw bericht is te lang of bevat vreemde tekens (hoogstens 2000 tekens)."
               : "Schrijf wat er niet klopt.");
    r->errors = json_pack("[{s:s, s:s}]", "field", "message", "message", r->message);
    return SK_EINVAL;
  }
  struct entry en;
  int rc = pt_entry_load(p, pt_table_of(e), id, &en);
  if (rc) {
    free(msg);
    return rc == SK_ENOTFOUND ? pt_err(r, rc, 404, "not_found", "Dit item bestaat niet (meer).")
                              : pt_err(r, rc, 500, "error", "Er ging iets mis in de database.");
  }
  if ((rc = pt_entry_check_read(a, &en, r))) {
    pt_entry_free(&en);
    free(msg);
    return rc;
  }
  if (strncmp(en.source, "feed:", 5) != 0) {
    pt_entry_free(&en);
    free(msg);
    return pt_err(r, SK_EINVAL, 409, "not_feed", "Dit komt niet uit een feed. Pas het hier aan.");
  }
  const char *feed = en.source + 5;
  int keeper = 0;
  int keepers = pt_feed_keepers(p, feed, a->account_id, &keeper);
  char name[201] = "", email[255] = "", now[32], cid[SK_UUID_LEN];
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db, "SELECT name, email FROM account WHERE id = ?1", -1, &s,
                         NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, a->account_id, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
      snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(s, 0));
      snprintf(email, sizeof email, "%s", (const char *)sqlite3_column_text(s, 1));
    }
  }
  sqlite3_finalize(s);
  pt_now_iso(p, now);
  sk_uuid_random(cid);
  rc = keepers < 0 ? SK_EDB : pt_begin(p, r);
  if (!rc) {
    rc = SK_EDB;
    if (sqlite3_prepare_v2(p->st->db,
                           "INSERT INTO portal_correction(id, entity, entity_id, organization_id,"
                           " name, email, message, ip_hash, created, feed_id) VALUES(?1, ?2, ?3,"
                           " ?4, ?5, ?6, ?7, 'account', ?8, ?9)",
                           -1, &s, NULL) == SQLITE_OK) {
      sqlite3_bind_text(s, 1, cid, -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 2, pt_table_name(en.table), -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 3, en.id, -1, SQLITE_STATIC);
      if (en.org_id[0])
        sqlite3_bind_text(s, 4, en.org_id, -1, SQLITE_STATIC);
      if (name[0])
        sqlite3_bind_text(s, 5, name, -1, SQLITE_STATIC);
      if (email[0])
        sqlite3_bind_text(s, 6, email, -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 7, msg, -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 8, now, -1, SQLITE_STATIC);
      sqlite3_bind_text(s, 9, feed, -1, SQLITE_STATIC);
      rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
    }
    sqlite3_finalize(s);
    if (rc)
      sk_store_rollback(p->st);
    else
      rc = pt_commit(p, r);
  }
  pt_entry_free(&en);
  free(msg);
  if (rc)
    return r->http ? rc
                   : pt_err(r, rc, 500, "error", "Er ging iets mis. Probeer het later nog eens.");
  pt_ok(r, 201,
        json_pack("{s:s, s:s, s:i, s:s}", "id", cid, "feed", feed, "keepers", keepers, "message",
                  keepers > 0 ? "Uw correctie is gestuurd naar de beheerder van de feed. U ziet"
                                " hier de wijziging zodra de feed is aangepast."
                              : "Deze feed heeft nog geen beheerder in het portaal. De redactie"
                                " ziet uw correctie en stuurt hem door."));
  return SK_OK;
}
