/* The redactie's dashboard: how current the map is, what is due, open
 * corrections, feed health, and what residents search for (sk_portal.h,
 * "dashboard"). Everything is computed from the store on request; the only
 * new data is the search statistics table, written by sk_stats_*. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sk_buf.h"
#include "sk_err.h"
#include "sk_fold.h"
#include "sk_portal_int.h"

#define DAY 86400

static void month_of(int64_t t, char out[8]) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, 8, "%Y-%m", &tm);
}

/* The first second of the month m months before t's month (m >= 0). */
static int64_t month_start(int64_t t, int back) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  tm.tm_mday = 1;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_mon -= back;
  return (int64_t)timegm(&tm);
}

/* Shares as {total, confirmed, share}: share in 0..1, null without entries. */
static json_t *share(long long total, long long ok) {
  return json_pack("{s:I, s:I, s:o}", "total", (json_int_t)total, "confirmed", (json_int_t)ok,
                   "share", total ? json_real((double)ok / (double)total) : json_null());
}

/* The active offerings with their baseline, as a temporary table the
 * queries below share: one pass over the data. */
static int make_current(struct sk_portal *p, const char *cut12) {
  char sql[1024];
  snprintf(sql, sizeof sql,
           "DROP TABLE IF EXISTS temp.dash;"
           "CREATE TEMP TABLE dash AS SELECT s.rid, s.organization_rid AS org,"
           " max(coalesce(s.assured_date, ''), coalesce(s.confirmed_date, '')) AS assured,"
           " s.verify_hidden AS hidden FROM service s JOIN organization o ON o.rid ="
           " s.organization_rid WHERE s.status = 'active' AND o.status = 'active' AND"
           " s.kind = 'aanbod';"
           "ALTER TABLE temp.dash ADD COLUMN ok INTEGER;"
           "UPDATE temp.dash SET ok = (assured >= '%s');",
           cut12);
  return sk_store_exec(p->st, sql) == SK_OK ? SK_OK : SK_EDB;
}

static int rows_json(struct sk_portal *p, const char *sql, json_t *arr, int ncols,
                     const char *const *names) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(p->st->db, sql, -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  while (sqlite3_step(s) == SQLITE_ROW) {
    json_t *o = json_object();
    for (int i = 0; i < ncols; i++)
      json_object_set_new(o, names[i], pt_col_json(s, i));
    long long total = json_integer_value(json_object_get(o, "total"));
    long long ok = json_integer_value(json_object_get(o, "confirmed"));
    if (json_object_get(o, "total"))
      json_object_set_new(o, "share", total ? json_real((double)ok / (double)total) : json_null());
    json_array_append_new(arr, o);
  }
  sqlite3_finalize(s);
  return SK_OK;
}

/* Per municipality: the offerings that serve its residents (its own code,
 * its scopes, the region, the country), as search counts them. */
static int per_municipality(struct sk_portal *p, json_t *out) {
  const struct sk_taxonomy *tax = p->tax;
  for (size_t i = 0; tax && i < tax->n_terms; i++) {
    const struct sk_term *t = &tax->terms[i];
    if (t->vocab != SK_VOCAB_MUNICIPALITY)
      continue;
    struct sk_buf in;
    sk_buf_init(&in, 4096);
    int rc = sk_buf_printf(&in, "'%s','regio','landelijk'", t->code);
    for (size_t k = 0; !rc && k < t->n_scopes; k++)
      rc = sk_buf_printf(&in, ",'%s'", t->scopes[k]);
    char sql[4608];
    if (!rc)
      snprintf(sql, sizeof sql,
               "SELECT count(*), coalesce(sum(ok), 0) FROM temp.dash d WHERE EXISTS (SELECT 1"
               " FROM service_area a WHERE a.service_rid = d.rid AND a.area_code IN (%s))",
               sk_buf_str(&in));
    sk_buf_free(&in);
    if (rc)
      return rc;
    /* Codes are checked at taxonomy load ([a-z0-9.-]): safe in SQL text. */
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(p->st->db, sql, -1, &s, NULL) != SQLITE_OK)
      return SK_EDB;
    if (sqlite3_step(s) == SQLITE_ROW) {
      json_t *o = share(sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1));
      json_object_set_new(o, "code", json_string(t->code));
      json_object_set_new(o, "name", json_string(t->label));
      json_array_append_new(out, o);
    }
    sqlite3_finalize(s);
  }
  return SK_OK;
}

/* Share confirmed within 12 months at the end of each of the last 12
 * months, from the dated confirmations the store keeps (change_log of
 * assured_date / confirmed_date, and the current values). */
static int trend(struct sk_portal *p, int64_t now, json_t *out) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(
          p->st->db,
          "WITH ev(rid, day) AS ("
          " SELECT d.rid, substr(d.assured, 1, 10) FROM temp.dash d WHERE d.assured <> ''"
          " UNION SELECT sv.rid, substr(c.new_value, 1, 10) FROM change_log c JOIN service sv"
          " ON sv.id = c.entity_id WHERE c.entity = 'service' AND c.field IN ('assured_date',"
          " 'confirmed_date') AND c.new_value IS NOT NULL)"
          " SELECT (SELECT count(*) FROM temp.dash),"
          " (SELECT count(DISTINCT e.rid) FROM ev e JOIN temp.dash d ON d.rid = e.rid"
          " WHERE e.day > ?1 AND e.day <= ?2)",
          -1, &s, NULL) != SQLITE_OK)
    return SK_EDB;
  for (int back = 11; back >= 0; back--) {
    int64_t end = back ? month_start(now, back - 1) - 1 : now;
    char hi[16], lo[16], m[8];
    pt_day_text(end, hi);
    pt_day_text(month_start(end, 12) + (end - month_start(end, 0)), lo);
    month_of(end, m);
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, hi, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_ROW) {
      sqlite3_finalize(s);
      return SK_EDB;
    }
    json_t *o = share(sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1));
    json_object_set_new(o, "month", json_string(m));
    json_array_append_new(out, o);
  }
  sqlite3_finalize(s);
  return SK_OK;
}

int sk_portal_dashboard(struct sk_portal *p, const struct sk_actor *a, struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (!pt_is_editor(a))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden", "Alleen de redactie ziet het overzicht.");
  int64_t now = pt_now(p);
  char cut12[16], today[16], month[8], next_month[16], month_first[16];
  pt_day_text(month_start(now, 12) + (now - month_start(now, 0)), cut12);
  pt_day_text(now, today);
  month_of(now, month);
  pt_day_text(month_start(now, 0), month_first);
  time_t nt = (time_t)month_start(now, 0);
  struct tm tm;
  gmtime_r(&nt, &tm);
  tm.tm_mon += 1;
  pt_day_text((int64_t)timegm(&tm), next_month);
  if (sk_store_begin(p->st))
    return pt_err(r, SK_EDB, 503, "error", "De database is even bezet. Probeer het zo nog eens.");
  int rc = make_current(p, cut12);
  json_t *body = json_object(), *orgs = json_array(), *munis = json_array(), *needs = json_array(),
         *tr = json_array(), *due = json_array(), *feeds = json_array();
  long long total = 0, ok = 0, hidden = 0;
  if (!rc) {
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(p->st->db,
                           "SELECT count(*), coalesce(sum(ok), 0), coalesce(sum(hidden), 0)"
                           " FROM temp.dash",
                           -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW)
      rc = SK_EDB;
    else {
      total = sqlite3_column_int64(s, 0);
      ok = sqlite3_column_int64(s, 1);
      hidden = sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
  }
  static const char *const org_cols[] = {"id", "name", "total", "confirmed"};
  if (!rc)
    rc = rows_json(p,
                   "SELECT o.id, o.name, count(*) AS total, sum(d.ok) AS confirmed FROM temp.dash d"
                   " JOIN organization o ON o.rid = d.org GROUP BY o.rid"
                   " ORDER BY 1.0 * sum(d.ok) / count(*), o.name",
                   orgs, 4, org_cols);
  if (!rc)
    rc = per_municipality(p, munis);
  static const char *const need_cols[] = {"code", "total", "confirmed"};
  if (!rc)
    rc = rows_json(
        p,
        "SELECT n.top AS code, count(*) AS total, sum(d.ok) AS confirmed FROM temp.dash d"
        " JOIN (SELECT DISTINCT service_rid, CASE WHEN instr(code, '.') > 0 THEN"
        " substr(code, 1, instr(code, '.') - 1) ELSE code END AS top FROM"
        " service_taxonomy WHERE vocabulary = 'need') n ON n.service_rid = d.rid"
        " GROUP BY n.top ORDER BY n.top",
        needs, 3, need_cols);
  if (!rc) { /* labels for the needs */
    size_t i;
    json_t *n;
    json_array_foreach(needs, i, n) {
      const struct sk_term *t = p->tax ? sk_taxonomy_find(
                                             p->tax, SK_VOCAB_NEED,
                                             json_string_value(json_object_get(n, "code")))
                                       : NULL;
      json_object_set_new(n, "label", t ? json_string(t->label) : json_null());
    }
  }
  if (!rc)
    rc = trend(p, now, tr);
  /* Due this month: their verification date falls in it (12 months, or
   * the organisation's own period, after the baseline). */
  static const char *const due_cols[] = {"id", "name", "organization", "due"};
  char due_sql[1024];
  snprintf(due_sql, sizeof due_sql,
           "SELECT s.id, s.name, o.name, date(max(coalesce(s.assured_date, ''),"
           " coalesce(s.confirmed_date, ''), coalesce(s.created, '')), '+' ||"
           " coalesce(o.verify_months, %d) || ' months') AS due FROM service s JOIN organization o"
           " ON o.rid = s.organization_rid WHERE s.status = 'active' AND o.status = 'active' AND"
           " s.kind = 'aanbod' AND due >= '%s' AND due < '%s' ORDER BY due, o.name LIMIT 2000",
           SK_VERIFY_MONTHS, month_first, next_month);
  if (!rc)
    rc = rows_json(p, due_sql, due, 4, due_cols);
  long long corr_open = 0, corr_oldest_days = 0, corr_30 = 0;
  if (!rc) {
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(p->st->db,
                           "SELECT count(*), coalesce(min(created), ''),"
                           " coalesce(sum(created < ?1), 0) FROM portal_correction WHERE"
                           " status = 'open'",
                           -1, &s, NULL) != SQLITE_OK) {
      rc = SK_EDB;
    } else {
      char c30[32];
      pt_iso_at(now - 30 * (int64_t)DAY, c30);
      sqlite3_bind_text(s, 1, c30, -1, SQLITE_TRANSIENT);
      if (sqlite3_step(s) == SQLITE_ROW) {
        corr_open = sqlite3_column_int64(s, 0);
        const char *oldest = (const char *)sqlite3_column_text(s, 1);
        struct tm ot = {0};
        if (oldest && *oldest && strptime(oldest, "%Y-%m-%dT%H:%M:%SZ", &ot))
          corr_oldest_days = (long long)((now - (int64_t)timegm(&ot)) / DAY);
        corr_30 = sqlite3_column_int64(s, 2);
      } else {
        rc = SK_EDB;
      }
    }
    sqlite3_finalize(s);
  }
  static const char *const feed_cols[] = {"id",         "partner", "kind",    "last_success",
                                          "last_error", "records", "rejected"};
  if (!rc)
    rc = rows_json(p,
                   "SELECT id, partner, kind, last_success, last_error, n_records, n_rejected"
                   " FROM feed WHERE enabled = 1 ORDER BY last_error IS NULL, id",
                   feeds, 7, feed_cols);
  if (!rc) {
    size_t i;
    json_t *f;
    json_array_foreach(feeds, i, f)
        json_object_set_new(f, "healthy",
                            json_boolean(json_is_null(json_object_get(f, "last_error")) &&
                                         !json_is_null(json_object_get(f, "last_success"))));
  }
  (void)sk_store_exec(p->st, "DROP TABLE IF EXISTS temp.dash"); /* temp: gone anyway at close */
  sk_store_rollback(p->st);                                     /* read only: nothing to keep */
  if (rc) {
    json_t *parts[] = {body, orgs, munis, needs, tr, due, feeds};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
      json_decref(parts[i]);
    return pt_err(r, rc, 500, "error", "Het overzicht kan nu niet worden gemaakt.");
  }
  json_t *all = share(total, ok);
  json_object_set_new(all, "hidden", json_integer(hidden));
  json_object_set_new(body, "date", json_string(today));
  json_object_set_new(body, "entries", all);
  json_object_set_new(body, "organizations", orgs);
  json_object_set_new(body, "municipalities", munis);
  json_object_set_new(body, "needs", needs);
  json_object_set_new(body, "trend", tr);
  json_object_set_new(body, "due_this_month", due);
  json_object_set_new(body, "corrections",
                      json_pack("{s:I, s:I, s:I}", "open", (json_int_t)corr_open, "oldest_days",
                                (json_int_t)corr_oldest_days, "older_than_30_days",
                                (json_int_t)corr_30));
  json_object_set_new(body, "feeds", feeds);
  pt_ok(r, 200, body);
  return SK_OK;
}

/* ---- search statistics ---------------------------------------------------- */

int sk_stats_normalize(const char *q, char out[SK_STATS_QUERY_MAX + 1]) {
  out[0] = '\0';
  if (!q)
    return 0;
  size_t n = strlen(q);
  if (!n || n > 4 * SK_STATS_QUERY_MAX || !sk_utf8_valid(q, n))
    return 0;
  struct sk_buf f;
  sk_buf_init(&f, 8 * SK_STATS_QUERY_MAX);
  if (sk_fold(q, n, &f) != SK_OK) {
    sk_buf_free(&f);
    return 0;
  }
  /* One space between words; no query that looks like personal data: an
   * e-mail address, a phone or citizen number (6+ digits). */
  const char *s = sk_buf_str(&f);
  size_t o = 0, digits = 0;
  int space = 0, ok = 1;
  for (; *s && ok; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '@')
      ok = 0;
    if (c >= '0' && c <= '9' && ++digits >= 6)
      ok = 0;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = o > 0;
      continue;
    }
    if (space) {
      if (o + 1 > SK_STATS_QUERY_MAX)
        ok = 0;
      else
        out[o++] = ' ';
      space = 0;
    }
    if (o + 1 > SK_STATS_QUERY_MAX)
      ok = 0;
    else
      out[o++] = (char)c;
  }
  out[o] = '\0';
  sk_buf_free(&f);
  if (!ok || !o || !sk_utf8_valid(out, o)) {
    out[0] = '\0';
    return 0;
  }
  return 1;
}

int sk_stats_month_key(struct sk_store *st, const char *month, unsigned char key[32]) {
  char name[32];
  snprintf(name, sizeof name, "stats_key:%.7s", month);
  return sk_store_secret(st, name, key);
}

void sk_stats_visitor(const unsigned char key[32], const char *ip, const char *agent,
                      char out[SK_STATS_VISITOR_LEN + 1]) {
  crypto_auth_hmacsha256_state h;
  crypto_auth_hmacsha256_init(&h, key, 32);
  crypto_auth_hmacsha256_update(&h, (const unsigned char *)(ip ? ip : ""), ip ? strlen(ip) : 0);
  crypto_auth_hmacsha256_update(&h, (const unsigned char *)"\n", 1);
  crypto_auth_hmacsha256_update(&h, (const unsigned char *)(agent ? agent : ""),
                                agent ? strnlen(agent, 512) : 0);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&h, mac);
  sodium_bin2hex(out, SK_STATS_VISITOR_LEN + 1, mac, SK_STATS_VISITOR_LEN / 2);
}

int sk_stats_store(struct sk_store *st, const struct sk_stats_hit *hits, size_t n,
                   const char *current_month) {
  if (sk_store_begin(st))
    return SK_EDB;
  sqlite3_stmt *s = NULL;
  int rc = SK_OK;
  if (sqlite3_prepare_v2(st->db,
                         "INSERT INTO search_stat(month, query, visitor, searches, results, crisis)"
                         " VALUES(?1, ?2, ?3, 1, ?4, ?5) ON CONFLICT(month, query, visitor) DO"
                         " UPDATE SET searches = searches + 1, results ="
                         " coalesce(excluded.results, results), crisis = max(crisis,"
                         " excluded.crisis)",
                         -1, &s, NULL) != SQLITE_OK)
    rc = SK_EDB;
  for (size_t i = 0; !rc && i < n; i++) {
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, hits[i].month, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, hits[i].query, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, hits[i].visitor, -1, SQLITE_STATIC);
    if (hits[i].results >= 0)
      sqlite3_bind_int64(s, 4, hits[i].results);
    else
      sqlite3_bind_null(s, 4); /* not known (the search failed) */
    sqlite3_bind_int(s, 5, hits[i].crisis ? 1 : 0);
    if (sqlite3_step(s) != SQLITE_DONE)
      rc = SK_EDB;
  }
  sqlite3_finalize(s);
  /* A month's key is forgotten once the month is over: its visitor hashes
   * can then never be linked to an address again. */
  if (!rc && current_month) {
    sqlite3_stmt *d = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "DELETE FROM meta WHERE key LIKE 'stats\\_key:%' ESCAPE '\\' AND"
                           " key < 'stats_key:' || ?1",
                           -1, &d, NULL) != SQLITE_OK)
      rc = SK_EDB;
    else {
      sqlite3_bind_text(d, 1, current_month, -1, SQLITE_STATIC);
      if (sqlite3_step(d) != SQLITE_DONE)
        rc = SK_EDB;
    }
    sqlite3_finalize(d);
  }
  if (!rc)
    rc = sk_store_commit(st);
  if (rc)
    sk_store_rollback(st);
  return rc;
}

int sk_portal_search_stats(struct sk_portal *p, const struct sk_actor *a, int months,
                           struct sk_portal_result *r) {
  memset(r, 0, sizeof *r);
  if (!pt_is_editor(a))
    return pt_err(r, SK_EFORBIDDEN, 403, "forbidden", "Alleen de redactie ziet de zoekcijfers.");
  if (months < 1 || months > 24)
    months = 3;
  /* Everything comes from what each search recorded (its total and whether
   * it showed the crisis lines): no search runs here. The privacy rule is
   * in the HAVING of every statement that returns a query. */
  sqlite3_stmt *tot = NULL, *top = NULL, *zero = NULL;
  if (sqlite3_prepare_v2(p->st->db,
                         "SELECT coalesce(sum(searches), 0), count(DISTINCT visitor),"
                         " count(DISTINCT query), coalesce(sum(crisis), 0) FROM search_stat"
                         " WHERE month = ?1",
                         -1, &tot, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(p->st->db,
                         "SELECT query, count(*) AS visitors, sum(searches), max(results),"
                         " max(crisis), sum(results = 0) FROM search_stat WHERE month = ?1"
                         " GROUP BY query HAVING count(*) >= ?2"
                         " ORDER BY visitors DESC, query LIMIT ?3",
                         -1, &top, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(p->st->db,
                         "SELECT query, count(*) AS visitors, sum(searches), sum(results = 0) AS"
                         " z FROM search_stat WHERE month = ?1 GROUP BY query"
                         " HAVING count(*) >= ?2 AND z > 0 ORDER BY z DESC, query LIMIT ?3",
                         -1, &zero, NULL) != SQLITE_OK) {
    sqlite3_finalize(tot);
    sqlite3_finalize(top);
    return pt_err(r, SK_EDB, 500, "error", "De zoekcijfers kunnen nu niet worden gelezen.");
  }
  json_t *list = json_array();
  int64_t now = pt_now(p);
  for (int back = 0; back < months; back++) {
    char m[8];
    month_of(month_start(now, back), m);
    sqlite3_reset(tot);
    sqlite3_bind_text(tot, 1, m, -1, SQLITE_TRANSIENT);
    json_t *mo = json_object();
    json_object_set_new(mo, "month", json_string(m));
    if (sqlite3_step(tot) == SQLITE_ROW) {
      json_object_set_new(mo, "searches", json_integer(sqlite3_column_int64(tot, 0)));
      json_object_set_new(mo, "visitors", json_integer(sqlite3_column_int64(tot, 1)));
      json_object_set_new(mo, "distinct_queries", json_integer(sqlite3_column_int64(tot, 2)));
      json_object_set_new(mo, "crisis_visitors", json_integer(sqlite3_column_int64(tot, 3)));
    }
    json_t *q = json_array();
    sqlite3_reset(top);
    sqlite3_bind_text(top, 1, m, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(top, 2, SK_STATS_MIN_VISITORS);
    sqlite3_bind_int(top, 3, SK_STATS_TOP);
    while (sqlite3_step(top) == SQLITE_ROW) {
      json_t *it = json_pack("{s:s, s:I, s:I, s:b, s:I}", "query", sqlite3_column_text(top, 0),
                             "visitors", (json_int_t)sqlite3_column_int64(top, 1), "searches",
                             (json_int_t)sqlite3_column_int64(top, 2), "crisis",
                             sqlite3_column_int(top, 4) != 0, "zero_visitors",
                             (json_int_t)sqlite3_column_int64(top, 5));
      json_object_set_new(it, "results",
                          sqlite3_column_type(top, 3) == SQLITE_NULL
                              ? json_null()
                              : json_integer(sqlite3_column_int64(top, 3)));
      json_array_append_new(q, it);
    }
    json_object_set_new(mo, "top", q);
    json_t *zq = json_array();
    sqlite3_reset(zero);
    sqlite3_bind_text(zero, 1, m, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(zero, 2, SK_STATS_MIN_VISITORS);
    sqlite3_bind_int(zero, 3, SK_STATS_TOP);
    while (sqlite3_step(zero) == SQLITE_ROW)
      json_array_append_new(zq,
                            json_pack("{s:s, s:I, s:I, s:I}", "query", sqlite3_column_text(zero, 0),
                                      "visitors", (json_int_t)sqlite3_column_int64(zero, 1),
                                      "searches", (json_int_t)sqlite3_column_int64(zero, 2),
                                      "zero_visitors", (json_int_t)sqlite3_column_int64(zero, 3)));
    json_object_set_new(mo, "zero_results", zq);
    json_array_append_new(list, mo);
  }
  sqlite3_finalize(tot);
  sqlite3_finalize(top);
  sqlite3_finalize(zero);
  pt_ok(r, 200, json_pack("{s:i, s:o}", "min_visitors", SK_STATS_MIN_VISITORS, "months", list));
  return SK_OK;
}
