/* "Is dit uw organisatie?": an organisation without an account asks for one
 * from its own entry (sk_portal.h, "claiming"). The link goes only to the
 * organisation's own address from the data; following it files the claim;
 * the redacteur approves; the account made can edit that organisation only. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "sk_auth.h"
#include "sk_buf.h"
#include "sk_err.h"
#include "sk_id.h"
#include "sk_portal_int.h"

#define HOUR 3600
#define SERVER_ERROR "Er ging iets mis. Probeer het later opnieuw."

static int uuid_ok(const char *id) { return sk_uuid_valid(id); }

int sk_portal_claim_token(struct sk_portal *p, const char *claim_id, char *out, size_t outlen) {
  if (!claim_id || !sk_uuid_valid(claim_id))
    return SK_EINVAL;
  return pt_link_make(p, "claim_secret", "c1", "claim", claim_id, SK_CLAIM_LINK_DAYS, out, outlen);
}

static long long count_where(struct sk_portal *p, const char *sql, const char *a, const char *b) {
  sqlite3_stmt *s = NULL;
  long long n = -1;
  if (sqlite3_prepare_v2(p->st->db, sql, -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
      n = sqlite3_column_int64(s, 0);
  }
  sqlite3_finalize(s);
  return n;
}

int sk_portal_claim_request(struct sk_portal *p, const char *org_id, const char *ip,
                            const char *base_url, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  /* One answer whatever happens below: it must not tell whether the
   * organisation has an address or an account already. */
  static const char answer[] =
      "Dank u wel. Is dit uw organisatie? Dan krijgt u een e-mail op het adres dat bij ons "
      "bekend is. Klik op de link in die e-mail. Daarna kijkt de redactie naar uw aanvraag.";
  if (!org_id || !sk_uuid_valid(org_id))
    return pt_err(r, SK_ENOTFOUND, 404, "not_found", "Deze organisatie staat niet op de kaart.");
  unsigned char key[32], h[16];
  int rc = sk_store_secret(p->st, "claim_ip_secret", key);
  if (rc)
    return pt_err(r, rc, 500, "error", SERVER_ERROR);
  const char *ipv = ip ? ip : "";
  char ip_hash[33], hour[32], day[32], now[32];
  crypto_generichash(h, sizeof h, (const unsigned char *)ipv, strlen(ipv), key, sizeof key);
  sodium_memzero(key, sizeof key);
  sodium_bin2hex(ip_hash, sizeof ip_hash, h, sizeof h);
  pt_iso_at(pt_now(p) - HOUR, hour);
  pt_iso_at(pt_now(p) - 24 * HOUR, day);
  pt_now_iso(p, now);
  if ((rc = pt_begin(p, r)))
    return rc;
  long long n_hour = count_where(p,
                                 "SELECT count(*) FROM org_claim WHERE ip_hash = ?1 AND"
                                 " requested > ?2",
                                 ip_hash, hour);
  long long n_day = count_where(p,
                                "SELECT count(*) FROM org_claim WHERE ip_hash = ?1 AND"
                                " requested > ?2",
                                ip_hash, day);
  if (n_hour < 0 || n_day < 0) {
    sk_store_rollback(p->st);
    return pt_err(r, SK_EDB, 500, "error", SERVER_ERROR);
  }
  if (n_hour >= SK_CLAIM_PER_HOUR || n_day >= SK_CLAIM_PER_DAY) {
    sk_store_rollback(p->st);
    return pt_err(r, SK_EFORBIDDEN, 429, "too_many",
                  "U heeft al veel aanvragen gedaan. Probeer het morgen opnieuw.");
  }
  /* The organisation: active, its own address (not one that bounced), no
   * partner account yet, and no link sent to it in the last day. */
  sqlite3_stmt *s = NULL;
  char email[256] = "", name[256] = "";
  int known = 0;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT o.name, CASE WHEN o.email = o.email_bounced THEN NULL ELSE"
                         " o.email END, EXISTS (SELECT 1 FROM account_organization x JOIN account"
                         " a ON a.rid = x.account_rid WHERE x.organization_rid = o.rid AND"
                         " a.disabled = 0), EXISTS (SELECT 1 FROM org_claim c WHERE"
                         " c.organization_id = o.id AND c.requested > ?2 AND c.status <>"
                         " 'rejected' AND c.ip_hash <> '')"
                         " FROM organization o WHERE o.id = ?1 AND o.status = 'active'",
                         -1, &s, NULL) != SQLITE_OK) {
    sk_store_rollback(p->st);
    return pt_err(r, SK_EDB, 500, "error", SERVER_ERROR);
  }
  sqlite3_bind_text(s, 1, org_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, day, -1, SQLITE_STATIC);
  if (sqlite3_step(s) == SQLITE_ROW) {
    known = 1;
    const char *e = (const char *)sqlite3_column_text(s, 1);
    snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(s, 0));
    if (e && strchr(e, '@') && !sqlite3_column_int(s, 2) && !sqlite3_column_int(s, 3))
      snprintf(email, sizeof email, "%s", e);
  }
  sqlite3_finalize(s);
  if (!known) {
    sk_store_rollback(p->st);
    return pt_err(r, SK_ENOTFOUND, 404, "not_found", "Deze organisatie staat niet op de kaart.");
  }
  char id[SK_UUID_LEN];
  sk_uuid_random(id);
  /* Every request counts for the throttle, also one that sends nothing (an
   * empty address: it can never be filed). */
  rc = SK_EDB;
  if (sqlite3_prepare_v2(p->st->db,
                         "INSERT INTO org_claim(id, organization_id, email, status, ip_hash,"
                         " requested) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                         -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, org_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, email, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, email[0] ? "requested" : "rejected", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, ip_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, now, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_DONE)
      rc = SK_OK;
  }
  sqlite3_finalize(s);
  if (!rc && email[0]) {
    char token[SK_VERIFY_TOKEN_MAX], period[64];
    rc = sk_portal_claim_token(p, id, token, sizeof token);
    struct sk_buf body;
    sk_buf_init(&body, 8192);
    if (!rc)
      rc = sk_buf_printf(&body,
                         "Beste %s,\n\n"
                         "Iemand vroeg op de Sociale Kaart een account aan voor uw organisatie."
                         " Met een account past u zelf de gegevens van uw organisatie aan.\n\n"
                         "Wilt u dat? Open dan deze link en kies 'Ja, vraag het account aan'."
                         " De link werkt %d dagen.\n%s/aanvraag?t=%s\n\n"
                         "Daarna kijkt de redactie naar uw aanvraag. U krijgt dan een e-mail om"
                         " uw wachtwoord te kiezen.\n\n"
                         "Vroeg u niets aan? Dan hoeft u niets te doen.\n\n"
                         "De redactie van de Sociale Kaart\n",
                         name, SK_CLAIM_LINK_DAYS, base_url ? base_url : "", token);
    char acct[80];
    snprintf(acct, sizeof acct, "org:%s", org_id);
    snprintf(period, sizeof period, "claim:%s", id);
    if (!rc)
      rc = sk_portal_outbox_add(p, acct, email, period,
                                "Een account voor uw organisatie op de Sociale Kaart",
                                sk_buf_str(&body));
    sk_buf_free(&body);
  }
  if (rc) {
    sk_store_rollback(p->st);
    return pt_err(r, rc, 500, "error", SERVER_ERROR);
  }
  if ((rc = pt_commit(p, r)))
    return rc;
  pt_ok(r, 202, json_pack("{s:s}", "message", answer));
  return SK_OK;
}

/* The claim of a valid link, with its organisation's name. */
static int claim_of(struct sk_portal *p, const char *token, char id[SK_UUID_LEN], char status[16],
                    char org_name[256], struct sk_portal_result *r) {
  long long expires = 0;
  int rc = pt_link_check(p, "claim_secret", "c1", "claim", uuid_ok, token, id, SK_UUID_LEN,
                         &expires);
  if (rc == SK_EFORBIDDEN)
    return pt_err(r, rc, 403, "forbidden",
                  "Deze link werkt niet (meer). Vraag op de pagina van uw organisatie een nieuwe"
                  " link aan.");
  if (rc)
    return pt_err(r, rc, 500, "error", SERVER_ERROR);
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT c.status, o.name FROM org_claim c JOIN organization o ON o.id ="
                         " c.organization_id WHERE c.id = ?1",
                         -1, &s, NULL) != SQLITE_OK)
    return pt_err(r, SK_EDB, 500, "error", SERVER_ERROR);
  sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  rc = SK_ENOTFOUND;
  if (sqlite3_step(s) == SQLITE_ROW) {
    snprintf(status, 16, "%s", (const char *)sqlite3_column_text(s, 0));
    snprintf(org_name, 256, "%s", (const char *)sqlite3_column_text(s, 1));
    rc = SK_OK;
  }
  sqlite3_finalize(s);
  if (rc)
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden",
                  "Deze link werkt niet (meer). Vraag op de pagina van uw organisatie een nieuwe"
                  " link aan.");
  return SK_OK;
}

int sk_portal_claim_peek(struct sk_portal *p, const char *token, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  char id[SK_UUID_LEN], status[16], name[256];
  int rc = claim_of(p, token, id, status, name, r);
  if (rc)
    return rc;
  pt_ok(r, 200, json_pack("{s:s, s:s}", "organization", name, "status", status));
  return SK_OK;
}

int sk_portal_claim_file(struct sk_portal *p, const char *token, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  char id[SK_UUID_LEN], status[16], name[256];
  int rc = claim_of(p, token, id, status, name, r);
  if (rc)
    return rc;
  if (strcmp(status, "requested") != 0)
    return pt_err(r, SK_ECONFLICT, 409, "conflict",
                  "Deze aanvraag hebben we al ontvangen. De redactie kijkt ernaar.");
  char now[32];
  pt_now_iso(p, now);
  sqlite3_stmt *s = NULL;
  rc = SK_EDB;
  if (sqlite3_prepare_v2(p->st->db,
                         "UPDATE org_claim SET status = 'filed', filed = ?2 WHERE id = ?1 AND"
                         " status = 'requested'",
                         -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_DONE && sqlite3_changes(p->st->db) == 1)
      rc = SK_OK;
  }
  sqlite3_finalize(s);
  if (rc)
    return pt_err(r, rc, 500, "error", SERVER_ERROR);
  pt_ok(r, 200,
        json_pack("{s:s, s:s}", "organization", name, "message",
                  "Dank u wel. Uw aanvraag is ontvangen. De redactie kijkt ernaar. U"
                  " krijgt een e-mail als uw account klaar is."));
  return SK_OK;
}

int sk_portal_claims(struct sk_portal *p, const struct sk_actor *a, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (!pt_is_editor(a))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden", "Alleen de redactie ziet de aanvragen.");
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT c.id, c.organization_id, o.name, c.email, c.filed FROM org_claim c"
                         " JOIN organization o ON o.id = c.organization_id WHERE c.status ="
                         " 'filed' ORDER BY c.filed LIMIT 1000",
                         -1, &s, NULL) != SQLITE_OK)
    return pt_err(r, SK_EDB, 500, "error", SERVER_ERROR);
  json_t *items = json_array();
  while (sqlite3_step(s) == SQLITE_ROW)
    json_array_append_new(items, json_pack("{s:o, s:{s:o, s:o}, s:o, s:o}", "id", pt_col_json(s, 0),
                                           "organization", "id", pt_col_json(s, 1), "name",
                                           pt_col_json(s, 2), "email", pt_col_json(s, 3), "filed",
                                           pt_col_json(s, 4)));
  sqlite3_finalize(s);
  pt_ok(r, 200, json_pack("{s:o}", "items", items));
  return SK_OK;
}

static int claim_close(struct sk_portal *p, const char *id, const char *status, const char *actor,
                       const char *account_id, const char *reason) {
  char now[32];
  pt_now_iso(p, now);
  sqlite3_stmt *s = NULL;
  int rc = SK_EDB;
  if (sqlite3_prepare_v2(p->st->db,
                         "UPDATE org_claim SET status = ?2, decided = ?3, decided_by = ?4,"
                         " account_id = ?5, reason = ?6 WHERE id = ?1 AND status = 'filed'",
                         -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, account_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, reason, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_DONE)
      rc = sqlite3_changes(p->st->db) == 1 ? SK_OK : SK_ECONFLICT;
  }
  sqlite3_finalize(s);
  return rc;
}

int sk_portal_claim_decide(struct sk_portal *p, const struct sk_actor *a, const char *claim_id,
                           int approve, const char *reason, const char *base_url,
                           struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (!pt_is_editor(a))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden", "Alleen de redactie beslist over aanvragen.");
  if (!claim_id || !sk_uuid_valid(claim_id))
    return pt_err(r, SK_ENOTFOUND, 404, "not_found", "Deze aanvraag bestaat niet.");
  sqlite3_stmt *s = NULL;
  char org[SK_UUID_LEN] = "", email[256] = "", name[256] = "", status[16] = "";
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT c.organization_id, c.email, o.name, c.status FROM org_claim c"
                         " JOIN organization o ON o.id = c.organization_id WHERE c.id = ?1",
                         -1, &s, NULL) != SQLITE_OK)
    return pt_err(r, SK_EDB, 500, "error", SERVER_ERROR);
  sqlite3_bind_text(s, 1, claim_id, -1, SQLITE_STATIC);
  if (sqlite3_step(s) == SQLITE_ROW) {
    snprintf(org, sizeof org, "%s", (const char *)sqlite3_column_text(s, 0));
    snprintf(email, sizeof email, "%s", (const char *)sqlite3_column_text(s, 1));
    snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(s, 2));
    snprintf(status, sizeof status, "%s", (const char *)sqlite3_column_text(s, 3));
  }
  sqlite3_finalize(s);
  if (!org[0])
    return pt_err(r, SK_ENOTFOUND, 404, "not_found", "Deze aanvraag bestaat niet.");
  if (strcmp(status, "filed") != 0)
    return pt_err(r, SK_ECONFLICT, 409, "conflict", "Over deze aanvraag is al beslist.");
  char actor[96];
  pt_actor_str(a, actor);
  int64_t now = pt_now(p);
  int rc;
  if (!approve) {
    rc = claim_close(p, claim_id, "rejected", actor, NULL, reason);
    if (rc)
      return pt_err(r, rc, rc == SK_ECONFLICT ? 409 : 500,
                    rc == SK_ECONFLICT ? "conflict" : "error", "Over deze aanvraag is al beslist.");
    pt_ok(r, 200, json_pack("{s:s, s:s}", "id", claim_id, "status", "rejected"));
    return SK_OK;
  }
  /* A partner account for this organisation only, untrusted (its edits go
   * through review), with a random password it never sees: the first
   * message carries a link to choose its own. */
  char pw[32], err[256] = "";
  sk_auth_random_password(pw);
  struct sk_account acc;
  rc = sk_auth_account_create(p->st, email, name, SK_ROLE_PARTNER, pw, actor, now, &acc, err,
                              sizeof err);
  sodium_memzero(pw, sizeof pw);
  if (rc == SK_AUTH_EEXISTS)
    return pt_err(r, SK_ECONFLICT, 409, "conflict",
                  "Er is al een account met dit e-mailadres. Koppel de organisatie aan dat"
                  " account in het beheer.");
  if (rc)
    return pt_err(r, rc, rc == SK_EDB ? 500 : 422, rc == SK_EDB ? "error" : "invalid",
                  "Het account kon niet worden gemaakt: %s", err[0] ? err : sk_strerror(rc));
  char token[SK_AUTH_TOKEN_LEN];
  if ((rc = sk_auth_link_organization(p->st, acc.rid, org, actor, now)) ||
      (rc = claim_close(p, claim_id, "approved", actor, acc.id, NULL)) ||
      (rc = sk_auth_reset_create(p->st, acc.rid, now, token)))
    return pt_err(r, rc, 500, "error", SERVER_ERROR);
  struct sk_buf body;
  sk_buf_init(&body, 8192);
  rc = sk_buf_printf(&body,
                     "Beste %s,\n\n"
                     "Uw account op de Sociale Kaart is klaar. Hiermee past u de gegevens van"
                     " uw organisatie aan.\n\n"
                     "Kies eerst een wachtwoord via deze link:\n%s/portal/wachtwoord?token=%s\n\n"
                     "De link werkt een keer, en 24 uur lang. Daarna vraagt u een nieuwe link"
                     " aan met 'Wachtwoord vergeten'.\n\n"
                     "De redactie van de Sociale Kaart\n",
                     name, base_url ? base_url : "", token);
  sodium_memzero(token, sizeof token);
  char period[64];
  snprintf(period, sizeof period, "wachtwoord:claim:%s", claim_id);
  if (!rc)
    rc = sk_portal_outbox_add(p, acc.id, email, period, "Uw account voor de Sociale Kaart",
                              sk_buf_str(&body));
  sodium_memzero(body.ptr, body.len);
  sk_buf_free(&body);
  if (rc)
    return pt_err(r, rc, 500, "error",
                  "Het account is gemaakt, maar de e-mail niet. Stuur het"
                  " wachtwoord-vergeten-formulier.");
  pt_ok(r, 200,
        json_pack("{s:s, s:s, s:{s:s, s:s}, s:s}", "id", claim_id, "status", "approved", "account",
                  "id", acc.id, "email", acc.email, "organization", org));
  return SK_OK;
}
