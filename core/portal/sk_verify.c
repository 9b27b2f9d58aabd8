/* Verification of every entry: the yearly cycle, its messages, escalation
 * and the personal link (sk_portal.h, "verification of every entry"). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sk_buf.h"
#include "sk_err.h"
#include "sk_fold.h"
#include "sk_id.h"
#include "sk_portal_int.h"

#define DAY 86400
#define VERIFY_MAX_BODY (64 * 1024)
#define VERIFY_MAX_LISTED 200 /* entries named in one message */

/* ---- the personal link --------------------------------------------------- */

/* Personal links (pt_link_*, sk_portal_int.h): "<prefix>.<id>.<expiry>.<MAC>".
 * Each kind has its own key in meta and its own purpose word in the MAC,
 * so a link of one kind never passes as another's, a form token or a
 * session. */
static void link_mac(const unsigned char key[32], const char *purpose, const char *id,
                     long long expires, char out[65]) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s:%s:%lld", purpose, id, expires);
  unsigned char mac[crypto_auth_BYTES];
  crypto_auth(mac, (const unsigned char *)msg, strlen(msg), key);
  sodium_bin2hex(out, 65, mac, 32);
}

int pt_link_make(struct sk_portal *p, const char *secret, const char *prefix, const char *purpose,
                 const char *id, int days, char *out, size_t outlen) {
  unsigned char key[32];
  int rc = sk_store_secret(p->st, secret, key);
  if (rc)
    return rc;
  long long expires = (long long)pt_now(p) + (long long)days * DAY;
  char mac[65];
  link_mac(key, purpose, id, expires, mac);
  sodium_memzero(key, sizeof key);
  if ((size_t)snprintf(out, outlen, "%s.%s.%lld.%s", prefix, id, expires, mac) >= outlen)
    return SK_ETOOBIG;
  return SK_OK;
}

int pt_link_check(struct sk_portal *p, const char *secret, const char *prefix, const char *purpose,
                  int (*id_ok)(const char *), const char *tok, char *id, size_t idlen,
                  long long *expires) {
  size_t pl = strlen(prefix);
  if (!tok || strlen(tok) >= SK_VERIFY_TOKEN_MAX || strncmp(tok, prefix, pl) != 0 || tok[pl] != '.')
    return SK_EFORBIDDEN;
  const char *o = tok + pl + 1, *dot = strchr(o, '.');
  if (!dot || (size_t)(dot - o) >= idlen)
    return SK_EFORBIDDEN;
  memcpy(id, o, (size_t)(dot - o));
  id[dot - o] = '\0';
  char *end = NULL;
  long long exp = strtoll(dot + 1, &end, 10);
  if (!id_ok(id) || !end || *end != '.' || strlen(end + 1) != 64)
    return SK_EFORBIDDEN;
  unsigned char key[32];
  int rc = sk_store_secret(p->st, secret, key);
  if (rc)
    return rc;
  char mac[65];
  link_mac(key, purpose, id, exp, mac);
  sodium_memzero(key, sizeof key);
  if (sodium_memcmp(mac, end + 1, 64) != 0 || exp < (long long)pt_now(p))
    return SK_EFORBIDDEN;
  *expires = exp;
  return SK_OK;
}

/* A feed id as the registry allows it: lower-case letters, digits, '-'. */
static int feed_id_ok(const char *id) {
  size_t n = id ? strlen(id) : 0;
  if (n == 0 || n > SK_VERIFY_FEED_ID_MAX)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
      return 0;
  return 1;
}

static int uuid_ok(const char *id) { return sk_uuid_valid(id); }

int sk_portal_verify_token(struct sk_portal *p, const char *org_id, char *out, size_t outlen) {
  if (!org_id || !sk_uuid_valid(org_id))
    return SK_EINVAL;
  return pt_link_make(p, "verify_secret", "v1", "verify", org_id, SK_VERIFY_LINK_DAYS, out, outlen);
}

int sk_portal_verify_feed_token(struct sk_portal *p, const char *feed_id, char *out,
                                size_t outlen) {
  if (!feed_id_ok(feed_id))
    return SK_EINVAL;
  return pt_link_make(p, "verify_secret", "f1", "verify-feed", feed_id, SK_VERIFY_LINK_DAYS, out,
                      outlen);
}

/* SK_OK and the id (an organisation's for "v1", a feed's for "f1") of a
 * valid, unexpired token of that kind; SK_EFORBIDDEN. */
static int token_id(struct sk_portal *p, const char *tok, int feed, char *id, size_t idlen,
                    long long *expires) {
  return pt_link_check(p, "verify_secret", feed ? "f1" : "v1", feed ? "verify-feed" : "verify",
                       feed ? feed_id_ok : uuid_ok, tok, id, idlen, expires);
}

static int token_org(struct sk_portal *p, const char *tok, char org_id[SK_UUID_LEN],
                     long long *expires) {
  return token_id(p, tok, 0, org_id, SK_UUID_LEN, expires);
}

static int is_feed_token(const char *tok) { return tok && strncmp(tok, "f1.", 3) == 0; }

static int link_refused(struct sk_portal_result *r) {
  return pt_err(r, SK_EFORBIDDEN, 403, "forbidden",
                "Deze link werkt niet (meer). Vraag de redactie om een nieuwe link.");
}

/* ---- one run ------------------------------------------------------------ */

struct run {
  struct sk_portal *p;
  const struct sk_verify_opts *o;
  struct sk_verify_stats *st;
  int64_t now;
  char now_iso[32];
  sqlite3_stmt *has_step, *add_step, *hide, *unhide;
};

/* When the step was logged in this cycle (unix seconds), 0 when not. */
static int64_t step_at(struct run *rn, long long rid, const char *cycle, const char *step) {
  sqlite3_reset(rn->has_step);
  sqlite3_bind_int64(rn->has_step, 1, rid);
  sqlite3_bind_text(rn->has_step, 2, cycle, -1, SQLITE_STATIC);
  sqlite3_bind_text(rn->has_step, 3, step, -1, SQLITE_STATIC);
  int64_t at = 0;
  if (sqlite3_step(rn->has_step) == SQLITE_ROW) {
    const char *t = (const char *)sqlite3_column_text(rn->has_step, 0);
    struct tm tm = {0};
    if (t && strptime(t, "%Y-%m-%dT%H:%M:%SZ", &tm))
      at = (int64_t)timegm(&tm);
    else
      at = 1; /* logged, time unreadable: counts as long ago */
  }
  return at;
}

/* Log a step once per cycle; *added = 1 when it is new. */
static int add_step(struct run *rn, long long rid, const char *cycle, const char *step,
                    const char *detail, int *added) {
  sqlite3_reset(rn->add_step);
  sqlite3_bind_int64(rn->add_step, 1, rid);
  sqlite3_bind_text(rn->add_step, 2, cycle, -1, SQLITE_STATIC);
  sqlite3_bind_text(rn->add_step, 3, step, -1, SQLITE_STATIC);
  sqlite3_bind_text(rn->add_step, 4, rn->now_iso, -1, SQLITE_STATIC);
  if (detail)
    sqlite3_bind_text(rn->add_step, 5, detail, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(rn->add_step, 5);
  if (sqlite3_step(rn->add_step) != SQLITE_DONE)
    return SK_EDB;
  *added = sqlite3_changes(rn->p->st->db) == 1;
  return SK_OK;
}

/* The entries of one organisation that get a message in this run. */
struct org_batch {
  char org_id[SK_UUID_LEN];
  char name[256], email[256];
  json_t *first, *again; /* [{id, name, due}] */
};

/* One message to `to` (outbox account key account_key) naming entries, with
 * the link token; period_prefix keeps an organisation's and a feed's
 * messages apart ("verify", "verify-feed:<id>"). */
static int queue_message(struct run *rn, const char *name, const char *token,
                         const char *period_prefix, const char *to, const char *account_key,
                         const char *kind, json_t *entries) {
  int rc = SK_OK;
  struct sk_buf body;
  sk_buf_init(&body, VERIFY_MAX_BODY);
  const char *base = rn->o && rn->o->base_url ? rn->o->base_url : "http://localhost:8080";
  rc = sk_buf_printf(&body,
                     "Beste %s,\n\n"
                     "%s"
                     "Wilt u kijken of deze gegevens in de Sociale Kaart nog kloppen?\n\n",
                     name,
                     strcmp(kind, "again") == 0
                         ? "Twee weken geleden stuurden we u dit bericht. We hebben nog geen "
                           "antwoord.\n"
                         : "Een keer per jaar vragen we organisaties hun gegevens na te kijken.\n");
  size_t i;
  json_t *e;
  json_array_foreach(entries, i, e) {
    if (rc || i >= VERIFY_MAX_LISTED)
      break;
    rc = sk_buf_printf(&body, "- %s (graag voor %s)\n",
                       json_string_value(json_object_get(e, "name")),
                       json_string_value(json_object_get(e, "due")));
  }
  if (!rc)
    rc = sk_buf_printf(&body,
                       "\nOpen deze link. Daar kiest u per onderdeel 'Klopt nog' of 'Dit moet "
                       "anders'. U hoeft niet in te loggen. De link werkt %d dagen.\n%s/bevestigen."
                       "html?t=%s\n\n"
                       "Krijgt u geen antwoord van ons of klopt er iets niet aan dit bericht? "
                       "Antwoord dan op deze e-mail.\n\nDe redactie van de Sociale Kaart\n",
                       SK_VERIFY_LINK_DAYS, base, token);
  char *ids = NULL;
  if (!rc) {
    json_t *idl = json_array();
    json_array_foreach(entries, i, e) json_array_append(idl, json_object_get(e, "id"));
    ids = json_dumps(idl, JSON_COMPACT);
    json_decref(idl);
    if (!ids)
      rc = SK_ENOMEM;
  }
  sqlite3_stmt *ins = NULL;
  if (!rc && sqlite3_prepare_v2(rn->p->st->db,
                                "INSERT OR IGNORE INTO portal_outbox(id, account_id, period,"
                                " to_email, subject, body, entries, created)"
                                " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                -1, &ins, NULL) != SQLITE_OK)
    rc = SK_EDB;
  if (!rc) {
    char id[SK_UUID_LEN], period[128];
    sk_uuid_random(id);
    /* One message per address, kind and day: a second run adds none. */
    snprintf(period, sizeof period, "%s:%s:%.10s", period_prefix, kind, rn->now_iso);
    sqlite3_bind_text(ins, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, account_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, to, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 5,
                      strcmp(kind, "again") == 0 ? "Herinnering: kloppen uw gegevens nog?"
                                                 : "Kloppen uw gegevens in de Sociale Kaart nog?",
                      -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 6, sk_buf_str(&body), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 7, ids, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 8, rn->now_iso, -1, SQLITE_STATIC);
    if (sqlite3_step(ins) != SQLITE_DONE)
      rc = SK_EDB;
    else if (sqlite3_changes(rn->p->st->db) == 1)
      rn->st->messages++;
  }
  sqlite3_finalize(ins);
  free(ids);
  sk_buf_free(&body);
  return rc;
}

/* Send b's lists to the organisation's address, else to its partner
 * accounts. Returns SK_OK also when nobody can be reached (the steps are
 * logged and the escalation goes on to the redacteur's task). */
static int send_batch(struct run *rn, struct org_batch *b) {
  char token[SK_VERIFY_TOKEN_MAX];
  int rc = sk_portal_verify_token(rn->p, b->org_id, token, sizeof token);
  for (int k = 0; k < 2 && !rc; k++) {
    json_t *list = k == 0 ? b->first : b->again;
    const char *kind = k == 0 ? "first" : "again";
    if (!json_array_size(list))
      continue;
    if (b->email[0]) {
      char key[64];
      snprintf(key, sizeof key, "org:%s", b->org_id);
      rc = queue_message(rn, b->name, token, "verify", b->email, key, kind, list);
      continue;
    }
    sqlite3_stmt *acc = NULL;
    if (sqlite3_prepare_v2(rn->p->st->db,
                           "SELECT a.id, a.email FROM account a JOIN account_organization x ON"
                           " x.account_rid = a.rid JOIN organization o ON o.rid ="
                           " x.organization_rid WHERE o.id = ?1 AND a.role = 'partner' AND"
                           " a.disabled = 0",
                           -1, &acc, NULL) != SQLITE_OK)
      return SK_EDB;
    sqlite3_bind_text(acc, 1, b->org_id, -1, SQLITE_STATIC);
    while (!rc && sqlite3_step(acc) == SQLITE_ROW)
      rc = queue_message(rn, b->name, token, "verify", (const char *)sqlite3_column_text(acc, 1),
                         (const char *)sqlite3_column_text(acc, 0), kind, list);
    sqlite3_finalize(acc);
  }
  return rc;
}

static int batch_flush(struct run *rn, struct org_batch *b) {
  int rc = b->org_id[0] ? send_batch(rn, b) : SK_OK;
  json_decref(b->first);
  json_decref(b->again);
  memset(b, 0, sizeof *b);
  return rc;
}

/* One entry's cycle at rn->now: add the steps that are due. by_feed: the
 * entry comes from a feed without assured dates, whose partner is asked
 * about the feed as a whole (feed_step): no messages or tasks of its own,
 * only flagged and hidden. */
static int entry_step(struct run *rn, struct org_batch *b, long long rid, const char *id,
                      const char *name, int64_t baseline, int months, int hidden, int by_feed) {
  char cycle[16], due_day[16];
  pt_day_text(baseline, cycle);
  int64_t due = pt_add_months(baseline, months);
  pt_day_text(due, due_day);
  int hide_months = rn->o && rn->o->hide_months > 0 ? rn->o->hide_months : SK_VERIFY_HIDE_MONTHS;
  int added = 0, rc = SK_OK;
  if (hidden && rn->now < pt_add_months(baseline, hide_months)) {
    /* Confirmed since it was hidden, another way than the link (the portal's
     * "Gegevens kloppen nog", a feed's new assured_date): visible again. */
    sqlite3_reset(rn->unhide);
    sqlite3_bind_int64(rn->unhide, 1, rid);
    if (sqlite3_step(rn->unhide) != SQLITE_DONE)
      return SK_EDB;
    rn->st->unhidden++;
    hidden = 0;
  }
  if (rn->now < due - (int64_t)SK_VERIFY_NOTICE_DAYS * DAY)
    return SK_OK; /* not yet */
  if (by_feed)
    goto escalate;
  if ((rc = add_step(rn, rid, cycle, "due", due_day, &added)))
    return rc;
  rn->st->due += added;
  int64_t first = step_at(rn, rid, cycle, "reminded");
  if (!first) {
    if ((rc = add_step(rn, rid, cycle, "reminded", NULL, &added)))
      return rc;
    rn->st->reminded += added;
    json_array_append_new(b->first,
                          json_pack("{s:s, s:s, s:s}", "id", id, "name", name, "due", due_day));
  } else if (rn->now >= first + (int64_t)SK_VERIFY_REPEAT_DAYS * DAY) {
    int64_t again = step_at(rn, rid, cycle, "reminded_again");
    if (!again) {
      if ((rc = add_step(rn, rid, cycle, "reminded_again", NULL, &added)))
        return rc;
      rn->st->reminded_again += added;
      json_array_append_new(b->again,
                            json_pack("{s:s, s:s, s:s}", "id", id, "name", name, "due", due_day));
    } else if (rn->now >= again + (int64_t)SK_VERIFY_REPEAT_DAYS * DAY) {
      if ((rc = add_step(rn, rid, cycle, "task", "bel de organisatie", &added)))
        return rc;
      rn->st->tasks += added;
    }
  }
escalate:
  if (rn->now >= pt_add_months(baseline, SK_VERIFY_FLAG_MONTHS)) {
    if ((rc = add_step(rn, rid, cycle, "flagged", NULL, &added)))
      return rc;
    rn->st->flagged += added;
  }
  if (rn->now >= pt_add_months(baseline, hide_months) && !hidden) {
    if ((rc = add_step(rn, rid, cycle, "hidden", NULL, &added)))
      return rc;
    rn->st->hidden += added;
    sqlite3_reset(rn->hide);
    sqlite3_bind_int64(rn->hide, 1, rid);
    if (sqlite3_step(rn->hide) != SQLITE_DONE)
      return SK_EDB;
  }
  return SK_OK;
}

/* ---- feeds ---------------------------------------------------------------
 * A feed whose records carry no assured_date says nothing about whether its
 * data is still right, only that the partner's system still answers. So its
 * fetches count for its entries only while the partner has confirmed the
 * feed itself within its cycle (feed.confirmed_date, or the feed's first
 * entry for a feed never asked). The feed goes through the entries' cycle
 * (due, reminded, reminded_again, task) with one message per feed to the
 * feed's partner (the partner accounts of the organisations in the feed).
 * Any enabled feed that has not fetched for SK_VERIFY_FEED_DOWN_DAYS while
 * being tried is logged `down` (once per outage) and is a redacteur task. */

static int feed_log(struct run *rn, const char *feed, const char *cycle, const char *step,
                    const char *detail, int *added) {
  sqlite3_stmt *s = NULL;
  *added = 0;
  if (sqlite3_prepare_v2(rn->p->st->db,
                         "INSERT OR IGNORE INTO feed_verify_log(feed_id, cycle, step, at, detail)"
                         " VALUES(?1, ?2, ?3, ?4, ?5)",
                         -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, cycle, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, step, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 4, rn->now_iso, -1, SQLITE_STATIC);
  if (detail)
    sqlite3_bind_text(s, 5, detail, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(s, 5);
  int rc = sqlite3_step(s) == SQLITE_DONE ? SK_OK : SK_EDB;
  if (!rc)
    *added = sqlite3_changes(rn->p->st->db) == 1;
  sqlite3_finalize(s);
  return rc;
}

static int64_t feed_step_at(struct run *rn, const char *feed, const char *cycle, const char *step) {
  sqlite3_stmt *s = NULL;
  int64_t at = 0;
  if (sqlite3_prepare_v2(rn->p->st->db,
                         "SELECT at FROM feed_verify_log WHERE feed_id = ?1 AND cycle = ?2 AND"
                         " step = ?3",
                         -1, &s, NULL) != SQLITE_OK)
    return 0;
  sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, cycle, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, step, -1, SQLITE_STATIC);
  if (sqlite3_step(s) == SQLITE_ROW) {
    at = pt_day_of((const char *)sqlite3_column_text(s, 0));
    if (at <= 0)
      at = 1;
  }
  sqlite3_finalize(s);
  return at;
}

/* The feed's message to every partner account of its organisations. */
static int feed_message(struct run *rn, const char *feed, const char *partner, long n,
                        const char *due_day, const char *kind) {
  char token[SK_VERIFY_TOKEN_MAX], name[320], prefix[96];
  int rc = sk_portal_verify_feed_token(rn->p, feed, token, sizeof token);
  if (rc)
    return rc;
  snprintf(name, sizeof name, "Uw feed '%s' (%ld onderdelen)", partner, n);
  snprintf(prefix, sizeof prefix, "verify-feed:%s", feed);
  json_t *list = json_pack("[{s:s, s:s, s:s}]", "id", "feed", "name", name, "due", due_day);
  sqlite3_stmt *acc = NULL;
  if (!list)
    return SK_ENOMEM;
  if (sqlite3_prepare_v2(rn->p->st->db,
                         "SELECT DISTINCT a.id, a.email FROM account a JOIN account_organization"
                         " x ON x.account_rid = a.rid WHERE a.role = 'partner' AND a.disabled = 0"
                         " AND x.organization_rid IN (SELECT organization_rid FROM service WHERE"
                         " source = 'feed:' || ?1) ORDER BY a.id",
                         -1, &acc, NULL) != SQLITE_OK) {
    json_decref(list);
    return SK_EDB;
  }
  sqlite3_bind_text(acc, 1, feed, -1, SQLITE_STATIC);
  while (!rc && sqlite3_step(acc) == SQLITE_ROW)
    rc = queue_message(rn, partner, token, prefix, (const char *)sqlite3_column_text(acc, 1),
                       (const char *)sqlite3_column_text(acc, 0), kind, list);
  sqlite3_finalize(acc);
  json_decref(list);
  return rc;
}

/* One feed at rn->now. extra: what the feed adds to its entries' baseline
 * (for temp.verify_feed). */
static int feed_step(struct run *rn, const char *feed, const char *partner, int undated, long n,
                     const char *first_entry, const char *confirmed, const char *last_success,
                     const char *last_attempt, const char *last_error, char extra[40]) {
  int added = 0, rc;
  extra[0] = '\0';
  /* An outage: tried since the last success, which is a week old. */
  int64_t ok_at = pt_day_of(last_success);
  if (ok_at >= 0 && last_attempt && strcmp(last_attempt, last_success) > 0 &&
      rn->now - ok_at >= (int64_t)SK_VERIFY_FEED_DOWN_DAYS * DAY) {
    char cycle[16];
    pt_day_text(ok_at, cycle);
    if ((rc = feed_log(rn, feed, cycle, "down", last_error, &added)))
      return rc;
    rn->st->feeds_down += added;
  }
  if (!undated || n == 0)
    return SK_OK;
  const char *since = confirmed && confirmed[0] ? confirmed : first_entry;
  int64_t baseline = pt_day_of(since);
  if (baseline < 0)
    baseline = pt_day_of(rn->now_iso);
  char cycle[16], due_day[16];
  pt_day_text(baseline, cycle);
  int64_t due = pt_add_months(baseline, SK_VERIFY_MONTHS);
  pt_day_text(due, due_day);
  /* The fetches count while the feed's confirmation is current. */
  snprintf(extra, 40, "%s", confirmed ? confirmed : "");
  if (rn->now < due && last_success && strcmp(last_success, extra) > 0)
    snprintf(extra, 40, "%s", last_success);
  rn->st->feeds++;
  if (rn->now < due - (int64_t)SK_VERIFY_NOTICE_DAYS * DAY)
    return SK_OK;
  if ((rc = feed_log(rn, feed, cycle, "due", due_day, &added)))
    return rc;
  rn->st->feeds_due += added;
  int64_t first = feed_step_at(rn, feed, cycle, "reminded");
  if (!first) {
    if ((rc = feed_log(rn, feed, cycle, "reminded", NULL, &added)) ||
        (added && (rc = feed_message(rn, feed, partner, n, due_day, "first"))))
      return rc;
    rn->st->feeds_reminded += added;
    return SK_OK;
  }
  if (rn->now < first + (int64_t)SK_VERIFY_REPEAT_DAYS * DAY)
    return SK_OK;
  int64_t again = feed_step_at(rn, feed, cycle, "reminded_again");
  if (!again) {
    if ((rc = feed_log(rn, feed, cycle, "reminded_again", NULL, &added)) ||
        (added && (rc = feed_message(rn, feed, partner, n, due_day, "again"))))
      return rc;
    rn->st->feeds_reminded += added;
  } else if (rn->now >= again + (int64_t)SK_VERIFY_REPEAT_DAYS * DAY) {
    if ((rc = feed_log(rn, feed, cycle, "task", "bel de partner van de feed", &added)))
      return rc;
    rn->st->feeds_tasks += added;
  }
  return SK_OK;
}

/* Every enabled feed, and temp.verify_feed(source, extra): what each feed
 * without assured dates adds to its entries' baseline. */
static int feeds_pass(struct run *rn) {
  if (sk_store_exec(rn->p->st, "DROP TABLE IF EXISTS temp.verify_feed;"
                               "CREATE TEMP TABLE verify_feed(source TEXT PRIMARY KEY,"
                               " extra TEXT NOT NULL)") != SK_OK)
    return SK_EDB;
  sqlite3_stmt *q = NULL, *ins = NULL;
  int rc = SK_EDB;
  if (sqlite3_prepare_v2(rn->p->st->db,
                         "SELECT f.id, f.partner, f.confirmed_date, f.last_success,"
                         " f.last_attempt, f.last_error,"
                         " (SELECT count(*) FROM service s WHERE s.source = 'feed:' || f.id AND"
                         " s.status = 'active' AND s.kind = 'aanbod'),"
                         " NOT EXISTS (SELECT 1 FROM service s WHERE s.source = 'feed:' || f.id"
                         " AND s.status = 'active' AND s.assured_date IS NOT NULL),"
                         " (SELECT min(s.created) FROM service s WHERE s.source = 'feed:' || f.id"
                         " AND s.status = 'active')"
                         " FROM feed f WHERE f.enabled = 1 ORDER BY f.id",
                         -1, &q, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(rn->p->st->db,
                         "INSERT OR REPLACE INTO temp.verify_feed(source, extra)"
                         " VALUES('feed:' || ?1, ?2)",
                         -1, &ins, NULL) != SQLITE_OK)
    goto out;
  rc = SK_OK;
  while (!rc && sqlite3_step(q) == SQLITE_ROW) {
    const char *id = (const char *)sqlite3_column_text(q, 0);
    char extra[40];
    int undated = sqlite3_column_int(q, 7);
    long n = (long)sqlite3_column_int64(q, 6);
    rc = feed_step(rn, id, (const char *)sqlite3_column_text(q, 1), undated, n,
                   (const char *)sqlite3_column_text(q, 8), (const char *)sqlite3_column_text(q, 2),
                   (const char *)sqlite3_column_text(q, 3), (const char *)sqlite3_column_text(q, 4),
                   (const char *)sqlite3_column_text(q, 5), extra);
    if (!rc && undated && n > 0) {
      sqlite3_reset(ins);
      sqlite3_bind_text(ins, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 2, extra, -1, SQLITE_TRANSIENT);
      if (sqlite3_step(ins) != SQLITE_DONE)
        rc = SK_EDB;
    }
  }
out:
  sqlite3_finalize(q);
  sqlite3_finalize(ins);
  return rc;
}

int sk_portal_verify_run(struct sk_portal *p, const struct sk_verify_opts *o,
                         struct sk_verify_stats *stats) {
  struct sk_verify_stats dummy;
  if (!stats)
    stats = &dummy;
  memset(stats, 0, sizeof *stats);
  struct run rn = {.p = p, .o = o, .st = stats, .now = pt_now(p)};
  pt_iso_at(rn.now, rn.now_iso);
  if (sk_store_begin(p->st))
    return SK_EDB;
  sqlite3_stmt *q = NULL;
  int rc = feeds_pass(&rn);
  if (rc)
    goto out;
  rc = SK_EDB;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT s.rid, s.id, s.name, max(coalesce(s.assured_date, ''),"
                         " coalesce(s.confirmed_date, ''), coalesce(s.created, ''),"
                         " coalesce(vf.extra, '')),"
                         " coalesce(o.verify_months, ?1), s.verify_hidden, o.id, o.name,"
                         " CASE WHEN o.email = o.email_bounced THEN '' ELSE coalesce(o.email, '')"
                         " END, vf.source IS NOT NULL"
                         " FROM service s JOIN organization o ON o.rid = s.organization_rid"
                         " LEFT JOIN temp.verify_feed vf ON vf.source = s.source"
                         " WHERE s.status = 'active' AND o.status = 'active' AND s.kind = 'aanbod'"
                         " ORDER BY o.id, s.name",
                         -1, &q, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(p->st->db,
                         "SELECT at FROM verify_log WHERE service_rid = ?1 AND cycle = ?2 AND"
                         " step = ?3",
                         -1, &rn.has_step, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(p->st->db,
                         "INSERT OR IGNORE INTO verify_log(service_rid, cycle, step, at, detail)"
                         " VALUES(?1, ?2, ?3, ?4, ?5)",
                         -1, &rn.add_step, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(p->st->db, "UPDATE service SET verify_hidden = 1 WHERE rid = ?1", -1,
                         &rn.hide, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(p->st->db, "UPDATE service SET verify_hidden = 0 WHERE rid = ?1", -1,
                         &rn.unhide, NULL) != SQLITE_OK)
    goto out;
  sqlite3_bind_int(q, 1, SK_VERIFY_MONTHS);
  rc = SK_OK;
  struct org_batch b = {0};
  int step;
  while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
    const char *org = (const char *)sqlite3_column_text(q, 6);
    if (!org)
      continue;
    if (strcmp(b.org_id, org) != 0) {
      if ((rc = batch_flush(&rn, &b)))
        break;
      snprintf(b.org_id, sizeof b.org_id, "%s", org);
      snprintf(b.name, sizeof b.name, "%s", (const char *)sqlite3_column_text(q, 7));
      snprintf(b.email, sizeof b.email, "%s", (const char *)sqlite3_column_text(q, 8));
      b.first = json_array();
      b.again = json_array();
      if (!b.first || !b.again) {
        rc = SK_ENOMEM;
        break;
      }
    }
    stats->entries++;
    int64_t baseline = pt_day_of((const char *)sqlite3_column_text(q, 3));
    if (baseline < 0)
      baseline = pt_day_of(rn.now_iso); /* no date at all: its cycle starts today */
    rc = entry_step(&rn, &b, sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1),
                    (const char *)sqlite3_column_text(q, 2), baseline, sqlite3_column_int(q, 4),
                    sqlite3_column_int(q, 5), sqlite3_column_int(q, 9));
  }
  if (!rc && step != SQLITE_DONE)
    rc = SK_EDB;
  if (!rc) {
    rc = batch_flush(&rn, &b);
  } else { /* nothing is sent: the transaction is rolled back */
    json_decref(b.first);
    json_decref(b.again);
  }
out:
  sqlite3_finalize(q);
  sqlite3_finalize(rn.has_step);
  sqlite3_finalize(rn.add_step);
  sqlite3_finalize(rn.hide);
  sqlite3_finalize(rn.unhide);
  if (!rc)
    rc = sk_store_commit(p->st);
  if (rc)
    sk_store_rollback(p->st);
  return rc;
}

/* ---- the page behind the link ------------------------------------------- */

/* The state of an entry for the page: the furthest step of its cycle. */
static const char *entry_state(sqlite3 *db, long long rid, int hidden) {
  if (hidden)
    return "verborgen";
  sqlite3_stmt *s = NULL;
  const char *state = "in orde";
  if (sqlite3_prepare_v2(db,
                         "SELECT step FROM verify_log WHERE service_rid = ?1 AND cycle ="
                         " (SELECT max(cycle) FROM verify_log WHERE service_rid = ?1)",
                         -1, &s, NULL) != SQLITE_OK)
    return state;
  sqlite3_bind_int64(s, 1, rid);
  int rank = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    const char *st = (const char *)sqlite3_column_text(s, 0);
    static const struct {
      const char *step, *state;
      int rank;
    } order[] = {{"confirmed", "in orde", 0},       {"due", "graag nakijken", 1},
                 {"reminded", "graag nakijken", 1}, {"reminded_again", "graag nakijken", 2},
                 {"task", "graag nakijken", 3},     {"flagged", "niet recent gecontroleerd", 4}};
    for (size_t i = 0; st && i < sizeof order / sizeof order[0]; i++)
      if (strcmp(st, order[i].step) == 0 && order[i].rank > rank) {
        rank = order[i].rank;
        state = order[i].state;
      }
  }
  sqlite3_finalize(s);
  return state;
}

/* The page behind a feed's link: the feed as one entry. */
static int feed_entries(struct sk_portal *p, const char *token, struct sk_portal_result *r) {
  char feed[SK_VERIFY_FEED_ID_MAX + 1];
  long long expires = 0;
  int rc = token_id(p, token, 1, feed, sizeof feed, &expires);
  if (rc == SK_EFORBIDDEN)
    return link_refused(r);
  if (rc)
    return pt_err(r, rc, 500, "error", "Er ging iets mis. Probeer het later opnieuw.");
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT f.partner, f.confirmed_date, f.last_success,"
                         " (SELECT count(*) FROM service s WHERE s.source = 'feed:' || f.id AND"
                         " s.status = 'active' AND s.kind = 'aanbod'),"
                         " (SELECT min(s.created) FROM service s WHERE s.source = 'feed:' || f.id"
                         " AND s.status = 'active')"
                         " FROM feed f WHERE f.id = ?1",
                         -1, &s, NULL) != SQLITE_OK)
    return pt_err(r, SK_EDB, 500, "error", "Er ging iets mis. Probeer het later opnieuw.");
  sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_finalize(s);
    return link_refused(r); /* the feed left the registry */
  }
  const char *confirmed = (const char *)sqlite3_column_text(s, 1);
  int64_t base = pt_day_of(confirmed ? confirmed : (const char *)sqlite3_column_text(s, 4));
  char due[16] = "", exp_iso[32], name[320];
  if (base >= 0)
    pt_day_text(pt_add_months(base, SK_VERIFY_MONTHS), due);
  snprintf(name, sizeof name, "Alle %lld onderdelen uit uw feed",
           (long long)sqlite3_column_int64(s, 3));
  pt_iso_at(expires, exp_iso);
  int current = base >= 0 && pt_now(p) < pt_add_months(base, SK_VERIFY_MONTHS) -
                                             (int64_t)SK_VERIFY_NOTICE_DAYS * DAY;
  json_t *body = json_pack("{s:{s:s, s:o}, s:b, s:s, s:[{s:s, s:s, s:s, s:s, s:o, s:o}]}",
                           "organization", "id", feed, "name", pt_col_json(s, 0), "feed", 1,
                           "expires", exp_iso, "entries", "id", "feed", "name", name, "due", due,
                           "state", current ? "in orde" : "graag nakijken", "confirmed_date",
                           pt_col_json(s, 1), "last_success", pt_col_json(s, 2));
  sqlite3_finalize(s);
  if (!body)
    return pt_err(r, SK_ENOMEM, 500, "error", "Te weinig geheugen.");
  pt_ok(r, 200, body);
  return SK_OK;
}

/* "Klopt nog" for a whole feed. */
static int feed_answer(struct sk_portal *p, const char *token, const char *entry_id,
                       const json_t *doc, struct sk_portal_result *r) {
  char feed[SK_VERIFY_FEED_ID_MAX + 1];
  long long expires = 0;
  int rc = token_id(p, token, 1, feed, sizeof feed, &expires);
  if (rc == SK_EFORBIDDEN)
    return link_refused(r);
  if (rc)
    return pt_err(r, rc, 500, "error", "Er ging iets mis. Probeer het later opnieuw.");
  if (!entry_id || strcmp(entry_id, "feed") != 0)
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden",
                  "Met deze link kunt u alleen uw feed als geheel bevestigen.");
  const char *answer = json_string_value(json_object_get(doc, "answer"));
  if (answer && strcmp(answer, "change") == 0)
    return pt_err(r, SK_EINVAL, 422, "invalid",
                  "Pas de gegevens aan in uw eigen systeem. Wij halen de feed elke dag op.");
  if (!answer || strcmp(answer, "ok") != 0)
    return pt_err(r, SK_EINVAL, 422, "invalid", "Kies 'Klopt nog' (answer: ok).");
  if ((rc = pt_begin(p, r)))
    return rc;
  char now[32], cycle[16] = "", actor[96];
  pt_now_iso(p, now);
  snprintf(actor, sizeof actor, "verify:feed:%s", feed);
  sqlite3_stmt *s = NULL;
  rc = SK_EDB;
  /* The cycle being answered: the one that started at the last confirmation. */
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT coalesce(f.confirmed_date, (SELECT min(s.created) FROM service s"
                         " WHERE s.source = 'feed:' || f.id AND s.status = 'active'), ?2)"
                         " FROM feed f WHERE f.id = ?1",
                         -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
      int64_t base = pt_day_of((const char *)sqlite3_column_text(s, 0));
      pt_day_text(base >= 0 ? base : pt_now(p), cycle);
      rc = SK_OK;
    } else {
      rc = SK_ENOTFOUND;
    }
  }
  sqlite3_finalize(s);
  s = NULL;
  if (!rc && (sqlite3_prepare_v2(p->st->db, "UPDATE feed SET confirmed_date = ?2 WHERE id = ?1", -1,
                                 &s, NULL) != SQLITE_OK))
    rc = SK_EDB;
  if (!rc) {
    sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
      rc = SK_EDB;
  }
  sqlite3_finalize(s);
  s = NULL;
  if (!rc && sqlite3_prepare_v2(p->st->db,
                                "INSERT OR IGNORE INTO feed_verify_log(feed_id, cycle, step, at,"
                                " detail) VALUES(?1, ?2, 'confirmed', ?3, ?4)",
                                -1, &s, NULL) != SQLITE_OK)
    rc = SK_EDB;
  if (!rc) {
    sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, cycle, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, actor, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
      rc = SK_EDB;
  }
  sqlite3_finalize(s);
  if (rc) {
    sk_store_rollback(p->st);
    if (rc == SK_ENOTFOUND)
      return link_refused(r);
    return pt_err(r, rc, 500, "error", "Het antwoord is niet opgeslagen. Probeer het opnieuw.");
  }
  if ((rc = pt_commit(p, r)))
    return rc;
  pt_ok(r, 200,
        json_pack("{s:s, s:s}", "answer", "ok", "message",
                  "Dank u wel. We hebben genoteerd dat uw feed klopt."));
  return SK_OK;
}

int sk_portal_verify_entries(struct sk_portal *p, const char *token, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (is_feed_token(token))
    return feed_entries(p, token, r);
  char org[SK_UUID_LEN];
  long long expires = 0;
  int rc = token_org(p, token, org, &expires);
  if (rc == SK_EFORBIDDEN)
    return link_refused(r);
  if (rc)
    return pt_err(r, rc, 500, "error", "Er ging iets mis. Probeer het later opnieuw.");
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT s.rid, s.id, s.name, s.verify_hidden, s.confirmed_date, o.name,"
                         " max(coalesce(s.assured_date, ''), coalesce(s.confirmed_date, ''),"
                         " coalesce(s.created, '')), coalesce(o.verify_months, ?2)"
                         " FROM service s JOIN organization o ON o.rid = s.organization_rid"
                         " WHERE o.id = ?1 AND s.status = 'active' AND s.kind = 'aanbod'"
                         " ORDER BY s.name",
                         -1, &s, NULL) != SQLITE_OK)
    return pt_err(r, SK_EDB, 500, "error", "Er ging iets mis. Probeer het later opnieuw.");
  sqlite3_bind_text(s, 1, org, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 2, SK_VERIFY_MONTHS);
  json_t *entries = json_array(), *orgname = NULL;
  while (sqlite3_step(s) == SQLITE_ROW) {
    if (!orgname)
      orgname = json_string((const char *)sqlite3_column_text(s, 5));
    char due[16] = "";
    int64_t base = pt_day_of((const char *)sqlite3_column_text(s, 6));
    if (base >= 0)
      pt_day_text(pt_add_months(base, sqlite3_column_int(s, 7)), due);
    json_array_append_new(
        entries,
        json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", sqlite3_column_text(s, 1), "name",
                  sqlite3_column_text(s, 2), "due", due, "state",
                  entry_state(p->st->db, sqlite3_column_int64(s, 0), sqlite3_column_int(s, 3)),
                  "confirmed_date", pt_col_json(s, 4)));
  }
  sqlite3_finalize(s);
  char exp_iso[32];
  pt_iso_at(expires, exp_iso);
  json_t *body = json_pack("{s:{s:s, s:o}, s:s, s:o}", "organization", "id", org, "name",
                           orgname ? orgname : json_null(), "expires", exp_iso, "entries", entries);
  if (!body)
    return pt_err(r, SK_ENOMEM, 500, "error", "Te weinig geheugen.");
  pt_ok(r, 200, body);
  return SK_OK;
}

int sk_portal_verify_answer(struct sk_portal *p, const char *token, const char *entry_id,
                            const json_t *doc, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (is_feed_token(token))
    return feed_answer(p, token, entry_id, doc, r);
  char org[SK_UUID_LEN];
  long long expires = 0;
  int rc = token_org(p, token, org, &expires);
  if (rc == SK_EFORBIDDEN)
    return link_refused(r);
  if (rc)
    return pt_err(r, rc, 500, "error", "Er ging iets mis. Probeer het later opnieuw.");
  const char *answer = json_string_value(json_object_get(doc, "answer"));
  const char *message = json_string_value(json_object_get(doc, "message"));
  int ok = answer && strcmp(answer, "ok") == 0, change = answer && strcmp(answer, "change") == 0;
  if (!json_is_object(doc) || (!ok && !change))
    return pt_err(r, SK_EINVAL, 422, "invalid",
                  "Kies 'Klopt nog' (answer: ok) of 'Dit moet anders' (answer: change).");
  size_t mlen = message ? strlen(message) : 0;
  if (change && (!mlen || !sk_utf8_valid(message, mlen) ||
                 sk_utf8_chars(message) > SK_CORRECTION_MAX_MESSAGE))
    return pt_err(r, SK_EINVAL, 422, "invalid",
                  "Schrijf kort wat er anders moet (hoogstens %d tekens).",
                  SK_CORRECTION_MAX_MESSAGE);
  if (!entry_id || !sk_uuid_valid(entry_id))
    return pt_err(r, SK_ENOTFOUND, 404, "not_found", "Dit onderdeel bestaat niet.");
  if ((rc = pt_begin(p, r)))
    return rc;
  sqlite3_stmt *s = NULL;
  long long rid = 0;
  char cycle[16] = "", entry_org[SK_UUID_LEN] = "";
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT s.rid, o.id, max(coalesce(s.assured_date, ''),"
                         " coalesce(s.confirmed_date, ''), coalesce(s.created, ''))"
                         " FROM service s JOIN organization o ON o.rid = s.organization_rid"
                         " WHERE s.id = ?1 AND s.status = 'active'",
                         -1, &s, NULL) != SQLITE_OK) {
    sk_store_rollback(p->st);
    return pt_err(r, SK_EDB, 500, "error", "Er ging iets mis. Probeer het later opnieuw.");
  }
  sqlite3_bind_text(s, 1, entry_id, -1, SQLITE_STATIC);
  if (sqlite3_step(s) == SQLITE_ROW) {
    rid = sqlite3_column_int64(s, 0);
    snprintf(entry_org, sizeof entry_org, "%s", (const char *)sqlite3_column_text(s, 1));
    int64_t base = pt_day_of((const char *)sqlite3_column_text(s, 2));
    if (base >= 0)
      pt_day_text(base, cycle);
  }
  sqlite3_finalize(s);
  if (!rid) {
    sk_store_rollback(p->st);
    return pt_err(r, SK_ENOTFOUND, 404, "not_found", "Dit onderdeel bestaat niet.");
  }
  if (strcmp(entry_org, org) != 0) {
    sk_store_rollback(p->st);
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden",
                  "Met deze link kunt u alleen de gegevens van uw eigen organisatie nakijken.");
  }
  char now[32], actor[64];
  pt_now_iso(p, now);
  snprintf(actor, sizeof actor, "verify:org:%s", org);
  rc = SK_OK;
  if (ok) {
    sqlite3_stmt *u = NULL;
    rc = SK_EDB;
    if (sqlite3_prepare_v2(
            p->st->db, "UPDATE service SET confirmed_date = ?2, verify_hidden = 0 WHERE rid = ?1",
            -1, &u, NULL) == SQLITE_OK) {
      sqlite3_bind_int64(u, 1, rid);
      sqlite3_bind_text(u, 2, now, -1, SQLITE_STATIC);
      if (sqlite3_step(u) == SQLITE_DONE)
        rc = SK_OK;
    }
    sqlite3_finalize(u);
    if (!rc)
      rc = pt_log(p, now, actor, "service", entry_id, "confirmed_date", NULL, now, 0);
  } else {
    char cid[SK_UUID_LEN];
    struct pt_correction c = {
        "service", entry_id, org,      "De organisatie zelf (bevestigingslink)",
        NULL,      message,  "verify", now};
    rc = pt_correction_add(p, &c, cid);
  }
  if (!rc && cycle[0]) {
    sqlite3_stmt *l = NULL;
    rc = SK_EDB;
    if (sqlite3_prepare_v2(p->st->db,
                           "INSERT OR IGNORE INTO verify_log(service_rid, cycle, step, at, detail)"
                           " VALUES(?1, ?2, ?3, ?4, ?5)",
                           -1, &l, NULL) == SQLITE_OK) {
      sqlite3_bind_int64(l, 1, rid);
      sqlite3_bind_text(l, 2, cycle, -1, SQLITE_STATIC);
      sqlite3_bind_text(l, 3, ok ? "confirmed" : "change_requested", -1, SQLITE_STATIC);
      sqlite3_bind_text(l, 4, now, -1, SQLITE_STATIC);
      sqlite3_bind_text(l, 5, actor, -1, SQLITE_STATIC);
      if (sqlite3_step(l) == SQLITE_DONE)
        rc = SK_OK;
    }
    sqlite3_finalize(l);
  }
  if (rc) {
    sk_store_rollback(p->st);
    return pt_err(r, rc, 500, "error", "Het antwoord is niet opgeslagen. Probeer het opnieuw.");
  }
  if ((rc = pt_commit(p, r)))
    return rc;
  pt_ok(r, ok ? 200 : 201,
        json_pack("{s:s, s:s}", "answer", ok ? "ok" : "change", "message",
                  ok ? "Dank u wel. We hebben genoteerd dat de gegevens kloppen."
                     : "Dank u wel. De redactie past de gegevens aan of neemt contact met u op."));
  return SK_OK;
}

int sk_portal_verify_tasks(struct sk_portal *p, const struct sk_actor *a,
                           struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (!pt_is_editor(a))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden", "Alleen de redactie ziet deze taken.");
  sqlite3_stmt *s = NULL;
  /* Open cycles only: a step of a cycle with a later confirmation is done. */
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT v.step, v.at, s.id, s.name, o.id, o.name, o.email, v.cycle"
                         " FROM verify_log v JOIN service s ON s.rid = v.service_rid"
                         " JOIN organization o ON o.rid = s.organization_rid"
                         " WHERE v.step IN ('task', 'hidden') AND s.status = 'active'"
                         " AND NOT EXISTS (SELECT 1 FROM verify_log c WHERE c.service_rid ="
                         " v.service_rid AND c.cycle = v.cycle AND c.step = 'confirmed')"
                         " ORDER BY v.at, o.name, s.name LIMIT 5000",
                         -1, &s, NULL) != SQLITE_OK)
    return pt_err(r, SK_EDB, 500, "error", "Er ging iets mis. Probeer het later opnieuw.");
  json_t *tasks = json_array(), *hidden = json_array();
  while (sqlite3_step(s) == SQLITE_ROW) {
    int is_task = strcmp((const char *)sqlite3_column_text(s, 0), "task") == 0;
    json_array_append_new(
        is_task ? tasks : hidden,
        json_pack("{s:o, s:o, s:o, s:{s:o, s:o, s:o}, s:s}", "since", pt_col_json(s, 1), "id",
                  pt_col_json(s, 2), "name", pt_col_json(s, 3), "organization", "id",
                  pt_col_json(s, 4), "name", pt_col_json(s, 5), "email", pt_col_json(s, 6), "todo",
                  is_task ? "Geen antwoord op twee berichten: bel de organisatie."
                          : "Al 18 maanden niet bevestigd: niet zichtbaar voor inwoners."));
  }
  sqlite3_finalize(s);
  json_t *bounced = json_array();
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT id, name, email_bounced FROM organization WHERE email_bounced IS"
                         " NOT NULL AND email_bounced = email AND status = 'active' ORDER BY name",
                         -1, &s, NULL) == SQLITE_OK) {
    while (sqlite3_step(s) == SQLITE_ROW)
      json_array_append_new(bounced,
                            json_pack("{s:o, s:o, s:o, s:s}", "id", pt_col_json(s, 0), "name",
                                      pt_col_json(s, 1), "email", pt_col_json(s, 2), "todo",
                                      "Het e-mailadres werkt niet: zoek een nieuw adres."));
    sqlite3_finalize(s);
  }
  /* Feeds: a cycle due (the partner was sent its link; not yet a task), an
   * unanswered cycle's task, or an outage still going on (no success since
   * the day it was logged for). */
  json_t *feeds = json_array();
  if (sqlite3_prepare_v2(
          p->st->db,
          "SELECT f.id, f.partner, v.step, v.at, f.last_error FROM feed_verify_log v"
          " JOIN feed f ON f.id = v.feed_id WHERE f.enabled = 1 AND"
          " ((v.step IN ('due', 'task') AND NOT EXISTS (SELECT 1 FROM feed_verify_log"
          " c WHERE c.feed_id = v.feed_id AND c.cycle = v.cycle AND (c.step ="
          " 'confirmed' OR (v.step = 'due' AND c.step = 'task'))))"
          " OR (v.step = 'down' AND v.cycle = substr(f.last_success, 1, 10) AND"
          " f.last_attempt > f.last_success))"
          " ORDER BY v.at, f.id LIMIT 1000",
          -1, &s, NULL) == SQLITE_OK) {
    while (sqlite3_step(s) == SQLITE_ROW) {
      const char *step = (const char *)sqlite3_column_text(s, 2);
      int down = strcmp(step, "down") == 0, due = strcmp(step, "due") == 0;
      json_array_append_new(
          feeds,
          json_pack("{s:o, s:o, s:o, s:o, s:o, s:s}", "id", pt_col_json(s, 0), "partner",
                    pt_col_json(s, 1), "step", pt_col_json(s, 2), "since", pt_col_json(s, 3),
                    "last_error", pt_col_json(s, 4), "todo",
                    down  ? "De feed werkt al een week niet: neem contact op met de partner."
                    : due ? "De partner moet de feed bevestigen. Hij krijgt daarover een"
                            " bericht; u hoeft nog niets te doen."
                          : "Geen antwoord op twee berichten over de feed: bel de partner."));
    }
    sqlite3_finalize(s);
  }
  pt_ok(r, 200,
        json_pack("{s:o, s:o, s:o, s:o}", "tasks", tasks, "hidden", hidden, "bounced", bounced,
                  "feeds", feeds));
  return SK_OK;
}

int sk_portal_outbox_mark_bounced(struct sk_portal *p, const char *message_id, const char *reason) {
  char now[32];
  pt_now_iso(p, now);
  if (sk_store_begin(p->st))
    return SK_EDB;
  sqlite3_stmt *s = NULL;
  int rc = SK_EDB;
  if (sqlite3_prepare_v2(p->st->db,
                         "UPDATE portal_outbox SET sent_at = ?2, bounced_at = ?2,"
                         " bounce_reason = substr(?3, 1, 300) WHERE id = ?1",
                         -1, &s, NULL) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, reason ? reason : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(s) == SQLITE_DONE ? (sqlite3_changes(p->st->db) ? SK_OK : SK_ENOTFOUND)
                                        : SK_EDB;
  }
  sqlite3_finalize(s);
  s = NULL;
  /* Sent to an organisation's own address ("org:<id>"): remember it. */
  if (!rc &&
      sqlite3_prepare_v2(p->st->db,
                         "UPDATE organization SET email_bounced = (SELECT to_email FROM"
                         " portal_outbox WHERE id = ?1) WHERE id = (SELECT substr(account_id,"
                         " 5) FROM portal_outbox WHERE id = ?1 AND account_id LIKE 'org:%')",
                         -1, &s, NULL) != SQLITE_OK)
    rc = SK_EDB;
  if (!rc) {
    sqlite3_bind_text(s, 1, message_id, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
      rc = SK_EDB;
  }
  sqlite3_finalize(s);
  if (!rc)
    rc = sk_store_commit(p->st);
  if (rc)
    sk_store_rollback(p->st);
  return rc;
}
