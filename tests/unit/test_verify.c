/* Verification of every entry (core/portal/sk_verify.c): 14 months of daily
 * runs on the demo data with a fake clock. Three kinds of organisation: one
 * answers "Klopt nog" over its personal link, one asks for a change, the rest
 * never answer. Every entry must pass through its steps with the log to
 * prove it; the link must work without an account, expire, and refuse other
 * organisations' entries; what stays unconfirmed leaves search. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helper_test.h"
#include "sk_auth.h"
#include "sk_err.h"
#include "sk_portal.h"
#include "sk_search.h"
#include "sk_store.h"

#define DAY 86400
/* Everything was last confirmed on Thursday 15 January 2026 (09:00 UTC). */
#define T0 1768467600LL

static struct sk_store *g_st;
static struct sk_portal g_p;

static long long q_int(const char *sql) { return th_query_int(g_st, sql); }

static void exec(const char *sql) {
  char *e = NULL;
  if (sqlite3_exec(g_st->db, sql, NULL, NULL, &e) != SQLITE_OK)
    fail_msg("%s: %s", sql, e);
}

/* The first organisation (by id) with at least n active offerings and the
 * given email state, not already taken; its id into out. */
static void pick_org(int n, int with_email, const char *not1, const char *not2, char out[64]) {
  char sql[768];
  snprintf(sql, sizeof sql,
           "SELECT o.id FROM organization o JOIN service s ON s.organization_rid = o.rid"
           " WHERE s.status = 'active' AND s.kind = 'aanbod' AND o.status = 'active'"
           " AND (o.email IS NOT NULL AND o.email <> '') = %d AND o.id NOT IN ('%s', '%s')"
           " GROUP BY o.id HAVING count(*) >= %d ORDER BY o.id LIMIT 1",
           with_email, not1, not2, n);
  sqlite3_stmt *s = NULL;
  assert_int_equal(sqlite3_prepare_v2(g_st->db, sql, -1, &s, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  snprintf(out, 64, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
}

/* The token in the newest unsent-or-sent outbox message to an address. */
static int token_from_outbox(const char *to, char *out, size_t outlen) {
  sqlite3_stmt *s = NULL;
  assert_int_equal(sqlite3_prepare_v2(g_st->db,
                                      "SELECT body FROM portal_outbox WHERE to_email = ?1"
                                      " ORDER BY created DESC LIMIT 1",
                                      -1, &s, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(s, 1, to, -1, SQLITE_STATIC);
  int found = 0;
  if (sqlite3_step(s) == SQLITE_ROW) {
    const char *b = (const char *)sqlite3_column_text(s, 0), *t = strstr(b, "?t=");
    if (t) {
      size_t n = strcspn(t + 3, "\n ");
      if (n < outlen) {
        memcpy(out, t + 3, n);
        out[n] = '\0';
        found = 1;
      }
    }
  }
  sqlite3_finalize(s);
  return found;
}

static long search_total(const char *org_id) {
  struct sk_taxonomy *tax = NULL;
  char err[256];
  assert_int_equal(sk_taxonomy_from_store(g_st, &tax, err, sizeof err), SK_OK);
  struct sk_searcher *s = sk_searcher_new(g_st, tax);
  assert_non_null(s);
  struct sk_search_query q;
  sk_search_query_init(&q);
  struct sk_search_error e;
  assert_int_equal(sk_search_query_set(&q, "organization", org_id, &e), SK_OK);
  struct sk_search_result *r = NULL;
  assert_int_equal(sk_search(s, &q, &r, &e), SK_OK);
  long total = r->total;
  sk_search_result_free(r);
  sk_searcher_free(s);
  sk_taxonomy_free(tax);
  return total;
}

static void test_fourteen_months(void **state) {
  (void)state;
  assert_int_equal(th_index_demo(th_path("verify.db")), 0);
  char err[256];
  assert_int_equal(sk_store_open(th_path("verify.db"), 0, &g_st, err, sizeof err), SK_OK);
  exec("UPDATE service SET assured_date = '2026-01-15', created = '2025-06-01T00:00:00Z'");

  /* A answers "Klopt nog"; B asks for a change of one entry; the rest never
   * answer. A and B get an address; C is one that has none and no account. */
  char org_a[64], org_b[64], org_c[64];
  pick_org(2, 0, "", "", org_a);
  pick_org(2, 0, org_a, "", org_b);
  pick_org(1, 0, org_a, org_b, org_c);
  char sql[2048];
  snprintf(sql, sizeof sql,
           "UPDATE organization SET email = 'a@voorbeeld.nl' WHERE id = '%s';"
           "UPDATE organization SET email = 'b@voorbeeld.nl' WHERE id = '%s';",
           org_a, org_b);
  exec(sql);
  long long entries = q_int("SELECT count(*) FROM service s JOIN organization o ON o.rid ="
                            " s.organization_rid WHERE s.status = 'active' AND o.status = 'active'"
                            " AND s.kind = 'aanbod'");
  assert_true(entries > 20);
  long before_c = search_total(org_c);
  assert_true(before_c >= 1);

  sk_portal_init(&g_p, g_st, th_taxonomy());
  struct sk_verify_opts vo = {"https://kaart.example.nl", 0};
  struct sk_verify_stats s, total = {0};
  int a_answered = 0, b_answered = 0;
  char a_token[SK_VERIFY_TOKEN_MAX] = "";
  /* Daily from 1 November 2026 (10 months after) to 15 March 2027 (14). */
  for (int64_t t = T0 + 290 * (int64_t)DAY; t <= T0 + 424 * (int64_t)DAY; t += DAY) {
    g_p.now = t;
    assert_int_equal(sk_portal_verify_run(&g_p, &vo, &s), SK_OK);
    total.due += s.due, total.reminded += s.reminded, total.reminded_again += s.reminded_again;
    total.tasks += s.tasks, total.flagged += s.flagged, total.hidden += s.hidden;
    total.messages += s.messages;
    /* A second run on the same day adds nothing. */
    assert_int_equal(sk_portal_verify_run(&g_p, &vo, &s), SK_OK);
    assert_int_equal(
        s.due + s.reminded + s.reminded_again + s.tasks + s.flagged + s.hidden + s.messages, 0);
    if (!a_answered && token_from_outbox("a@voorbeeld.nl", a_token, sizeof a_token)) {
      /* Five days after the message, A opens the link: no account. */
      g_p.now = t + 5 * DAY;
      struct sk_portal_result r;
      assert_int_equal(sk_portal_verify_entries(&g_p, a_token, &r), SK_OK);
      json_t *list = json_object_get(r.body, "entries");
      assert_true(json_array_size(list) >= 2);
      assert_string_equal(
          json_string_value(json_object_get(json_object_get(r.body, "organization"), "id")), org_a);
      size_t i;
      json_t *e;
      json_array_foreach(list, i, e) {
        struct sk_portal_result ar;
        json_t *ok = json_pack("{s:s}", "answer", "ok");
        assert_int_equal(sk_portal_verify_answer(
                             &g_p, a_token, json_string_value(json_object_get(e, "id")), ok, &ar),
                         SK_OK);
        assert_int_equal(ar.http, 200);
        json_decref(ok);
        sk_portal_result_free(&ar);
      }
      sk_portal_result_free(&r);
      a_answered = 1;
    }
    char b_token[SK_VERIFY_TOKEN_MAX];
    if (!b_answered && token_from_outbox("b@voorbeeld.nl", b_token, sizeof b_token)) {
      g_p.now = t + 1 * DAY;
      struct sk_portal_result r;
      assert_int_equal(sk_portal_verify_entries(&g_p, b_token, &r), SK_OK);
      const char *first = json_string_value(
          json_object_get(json_array_get(json_object_get(r.body, "entries"), 0), "id"));
      json_t *ch = json_pack("{s:s, s:s}", "answer", "change", "message",
                             "Het telefoonnummer is veranderd: 035 123 4567.");
      struct sk_portal_result ar;
      assert_int_equal(sk_portal_verify_answer(&g_p, b_token, first, ch, &ar), SK_OK);
      assert_int_equal(ar.http, 201);
      json_decref(ch);
      sk_portal_result_free(&ar);
      sk_portal_result_free(&r);
      b_answered = 1;
    }
  }
  assert_true(a_answered);
  assert_true(b_answered);
  printf("# %lld offerings over 135 days: %ld due, %ld reminded, %ld reminded again, %ld tasks,"
         " %ld flagged, %ld hidden, %ld messages\n",
         entries, total.due, total.reminded, total.reminded_again, total.tasks, total.flagged,
         total.hidden, total.messages);

  /* The log proves each entry's path: A confirmed (due, reminded, then
   * confirmed; visible, not flagged); everyone else due -> reminded ->
   * reminded_again -> task -> flagged (12 months) and, at 14 months, not
   * yet hidden (18). */
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM service s JOIN organization o ON o.rid = s.organization_rid"
           " WHERE o.id = '%s' AND s.kind = 'aanbod' AND s.status = 'active' AND"
           " s.confirmed_date IS NOT NULL AND s.verify_hidden = 0 AND"
           " (SELECT count(*) FROM verify_log v WHERE v.service_rid = s.rid AND v.cycle ="
           " '2026-01-15' AND v.step IN ('due','reminded','confirmed')) = 3 AND NOT EXISTS"
           " (SELECT 1 FROM verify_log v WHERE v.service_rid = s.rid AND v.step IN"
           " ('task','flagged','hidden'))",
           org_a);
  long long a_ok = q_int(sql);
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM service s JOIN organization o ON o.rid = s.organization_rid"
           " WHERE o.id = '%s' AND s.kind = 'aanbod' AND s.status = 'active'",
           org_a);
  assert_int_equal(a_ok, q_int(sql));
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM service s JOIN organization o ON o.rid = s.organization_rid"
           " WHERE o.id <> '%s' AND s.kind = 'aanbod' AND s.status = 'active' AND"
           " o.status = 'active' AND"
           " (SELECT count(DISTINCT v.step) FROM verify_log v WHERE v.service_rid = s.rid AND"
           " v.step IN ('due','reminded','reminded_again','task','flagged')) = 5",
           org_a);
  assert_int_equal(q_int(sql), entries - q_int("SELECT count(*) FROM verify_log WHERE step ="
                                               " 'confirmed'"));
  assert_int_equal(q_int("SELECT count(*) FROM verify_log WHERE step = 'hidden'"), 0);
  /* B's change request is a correction in the review queue. */
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM portal_correction WHERE organization_id = '%s' AND status ="
           " 'open' AND message LIKE '%%035 123 4567%%'",
           org_b);
  assert_int_equal(q_int(sql), 1);
  assert_int_equal(q_int("SELECT count(*) FROM verify_log WHERE step = 'change_requested'"), 1);
  /* C has no address and no account: no message, yet the escalation ran. */
  snprintf(sql, sizeof sql, "SELECT count(*) FROM portal_outbox WHERE account_id = 'org:%s'",
           org_c);
  assert_int_equal(q_int(sql), 0);
  /* A got one first message and no second; B got both. */
  assert_int_equal(q_int("SELECT count(*) FROM portal_outbox WHERE to_email = 'a@voorbeeld.nl'"),
                   1);
  assert_int_equal(q_int("SELECT count(*) FROM portal_outbox WHERE to_email = 'b@voorbeeld.nl'"),
                   2);

  /* The redacteur's list: the tasks, none of A. */
  struct sk_actor red;
  memset(&red, 0, sizeof red);
  snprintf(red.account_id, sizeof red.account_id, "test");
  red.role = SK_ROLE_REDACTEUR;
  struct sk_portal_result r;
  assert_int_equal(sk_portal_verify_tasks(&g_p, &red, &r), SK_OK);
  size_t i;
  json_t *e;
  long tasks = 0;
  json_array_foreach(json_object_get(r.body, "tasks"), i, e) {
    tasks++;
    assert_string_not_equal(
        json_string_value(json_object_get(json_object_get(e, "organization"), "id")), org_a);
  }
  assert_int_equal(tasks, q_int("SELECT count(*) FROM verify_log WHERE step = 'task'"));
  sk_portal_result_free(&r);
  struct sk_actor partner = red;
  partner.role = SK_ROLE_PARTNER;
  assert_int_equal(sk_portal_verify_tasks(&g_p, &partner, &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);

  /* Four more months: 18 months unconfirmed hides C from search; A stays. */
  long a_before = search_total(org_a);
  for (int64_t t = T0 + 425 * (int64_t)DAY; t <= T0 + 560 * (int64_t)DAY; t += 7 * DAY) {
    g_p.now = t;
    assert_int_equal(sk_portal_verify_run(&g_p, &vo, &s), SK_OK);
  }
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM service s JOIN organization o ON o.rid = s.organization_rid"
           " WHERE o.id = '%s' AND s.kind = 'aanbod' AND s.verify_hidden = 1",
           org_c);
  assert_true(q_int(sql) >= 1);
  assert_int_equal(search_total(org_c), before_c - q_int(sql));
  assert_int_equal(search_total(org_a), a_before);
  assert_true(q_int("SELECT count(*) FROM verify_log WHERE step = 'hidden'") >= 1);

  /* C's partner confirms in the portal instead of over the link (a new
   * assured_date): the next run makes its entries visible again. */
  snprintf(sql, sizeof sql,
           "UPDATE service SET assured_date = '2027-07-20' WHERE organization_rid ="
           " (SELECT rid FROM organization WHERE id = '%s')",
           org_c);
  exec(sql);
  g_p.now = T0 + 561 * (int64_t)DAY;
  assert_int_equal(sk_portal_verify_run(&g_p, &vo, &s), SK_OK);
  assert_true(s.unhidden >= 1);
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM service s JOIN organization o ON o.rid = s.organization_rid"
           " WHERE o.id = '%s' AND s.verify_hidden = 1",
           org_c);
  assert_int_equal(q_int(sql), 0);
  assert_int_equal(search_total(org_c), before_c);
}

/* The dashboard's numbers are the database's (after the 14 months above). */
static void test_dashboard_matches_database(void **state) {
  (void)state;
  sk_portal_init(&g_p, g_st, th_taxonomy());
  g_p.now = T0 + 560 * (int64_t)DAY;
  struct sk_actor red;
  memset(&red, 0, sizeof red);
  snprintf(red.account_id, sizeof red.account_id, "test");
  red.role = SK_ROLE_REDACTEUR;
  exec("INSERT INTO portal_correction(id, entity, entity_id, message, ip_hash, created)"
       " VALUES('c-old', 'service', 'x', 'oud', 'h', '2027-01-01T00:00:00Z')");
  struct sk_portal_result r;
  assert_int_equal(sk_portal_dashboard(&g_p, &red, &r), SK_OK);
  json_t *e = json_object_get(r.body, "entries");
  const char *active = " FROM service s JOIN organization o ON o.rid = s.organization_rid WHERE"
                       " s.status = 'active' AND o.status = 'active' AND s.kind = 'aanbod'";
  char sql[2048];
  snprintf(sql, sizeof sql, "SELECT count(*)%s", active);
  long long total = q_int(sql);
  assert_int_equal(json_integer_value(json_object_get(e, "total")), total);
  /* 12 months before 2027-07-29 is 2026-07-29: only confirmations after. */
  snprintf(sql, sizeof sql,
           "SELECT count(*)%s AND max(coalesce(s.assured_date, ''), coalesce(s.confirmed_date,"
           " '')) >= '2026-07-29'",
           active);
  assert_int_equal(json_integer_value(json_object_get(e, "confirmed")), q_int(sql));
  assert_true(json_integer_value(json_object_get(e, "confirmed")) >= 2); /* A's entries */
  snprintf(sql, sizeof sql, "SELECT count(*)%s AND s.verify_hidden = 1", active);
  assert_int_equal(json_integer_value(json_object_get(e, "hidden")), q_int(sql));
  /* Per organisation: adds up to the whole. */
  long long sum = 0;
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(r.body, "organizations"), i, it)
      sum += json_integer_value(json_object_get(it, "total"));
  assert_int_equal(sum, total);
  /* Per municipality: Laren counts what serves Laren residents. */
  long long laren = -1;
  json_array_foreach(json_object_get(r.body, "municipalities"), i,
                     it) if (strcmp(json_string_value(json_object_get(it, "code")), "laren") == 0)
      laren = json_integer_value(json_object_get(it, "total"));
  const struct sk_term *lt = sk_taxonomy_find(th_taxonomy(), SK_VOCAB_MUNICIPALITY, "laren");
  char in[256];
  size_t off = (size_t)snprintf(in, sizeof in, "'laren','regio','landelijk'");
  for (size_t k = 0; k < lt->n_scopes; k++)
    off += (size_t)snprintf(in + off, sizeof in - off, ",'%s'", lt->scopes[k]);
  snprintf(sql, sizeof sql,
           "SELECT count(*)%s AND EXISTS (SELECT 1 FROM service_area a WHERE a.service_rid ="
           " s.rid AND a.area_code IN (%s))",
           active, in);
  assert_int_equal(laren, q_int(sql));
  assert_true(laren > 0 && laren < total);
  assert_int_equal(json_array_size(json_object_get(r.body, "trend")), 12);
  /* Corrections: B's request and the old one are open. */
  json_t *c = json_object_get(r.body, "corrections");
  assert_int_equal(json_integer_value(json_object_get(c, "open")),
                   q_int("SELECT count(*) FROM portal_correction WHERE status = 'open'"));
  assert_true(json_integer_value(json_object_get(c, "oldest_days")) >= 200);
  assert_int_equal(json_array_size(json_object_get(r.body, "feeds")),
                   q_int("SELECT count(*) FROM feed WHERE enabled = 1"));
  sk_portal_result_free(&r);
  struct sk_actor partner = red;
  partner.role = SK_ROLE_PARTNER;
  assert_int_equal(sk_portal_dashboard(&g_p, &partner, &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);
}

/* Search statistics: nothing identifying is kept, and a query made by fewer
 * than SK_STATS_MIN_VISITORS visitors in a month is never shown. */
static void test_search_statistics_privacy(void **state) {
  (void)state;
  char n[SK_STATS_QUERY_MAX + 1];
  assert_true(sk_stats_normalize("  Schulden   LAREN ", n));
  assert_string_equal(n, "schulden laren");
  assert_true(sk_stats_normalize("Eenzaamheid in Huizen", n));
  assert_false(sk_stats_normalize("jan.jansen@voorbeeld.nl", n));
  assert_false(sk_stats_normalize("bel mij op 0612345678", n));
  assert_false(sk_stats_normalize("   ", n));
  assert_false(sk_stats_normalize(NULL, n));
  assert_false(sk_stats_normalize("\xff\xfe", n));

  unsigned char k1[32], k2[32];
  assert_int_equal(sk_stats_month_key(g_st, "2027-06", k1), SK_OK);
  assert_int_equal(sk_stats_month_key(g_st, "2027-07", k2), SK_OK);
  char v1[SK_STATS_VISITOR_LEN + 1], v2[SK_STATS_VISITOR_LEN + 1];
  sk_stats_visitor(k1, "192.0.2.7", "Firefox", v1);
  sk_stats_visitor(k2, "192.0.2.7", "Firefox", v2);
  assert_string_not_equal(v1, v2); /* months cannot be linked */
  assert_null(strstr(v1, "192"));
  assert_int_equal(strlen(v1), SK_STATS_VISITOR_LEN);

  struct sk_stats_hit hits[32];
  memset(hits, 0, sizeof hits);
  size_t nh = 0;
  char ip[32];
  for (int i = 0; i < 5; i++) { /* five visitors look for schulden, one in Laren only */
    snprintf(ip, sizeof ip, "192.0.2.%d", i + 1);
    snprintf(hits[nh].month, sizeof hits[nh].month, "2027-07");
    snprintf(hits[nh].query, sizeof hits[nh].query, "schulden");
    hits[nh].results = i == 4 ? 0 : 3;
    sk_stats_visitor(k2, ip, "Firefox", hits[nh++].visitor);
  }
  for (int i = 0; i < 4; i++) { /* four look for a rare, personal query; one twice */
    snprintf(ip, sizeof ip, "198.51.100.%d", i + 1);
    for (int rep = 0; rep < (i == 0 ? 3 : 1); rep++) {
      snprintf(hits[nh].month, sizeof hits[nh].month, "2027-07");
      snprintf(hits[nh].query, sizeof hits[nh].query, "mijn buurman piet");
      hits[nh].results = 0; /* found nothing: still never shown */
      sk_stats_visitor(k2, ip, "Firefox", hits[nh++].visitor);
    }
  }
  for (int i = 0; i < 5; i++) { /* five look for something the map lacks */
    snprintf(ip, sizeof ip, "203.0.113.%d", i + 1);
    snprintf(hits[nh].month, sizeof hits[nh].month, "2027-07");
    snprintf(hits[nh].query, sizeof hits[nh].query, "zwemles volwassenen");
    hits[nh].results = 0;
    sk_stats_visitor(k2, ip, "Firefox", hits[nh++].visitor);
  }
  for (int i = 0; i < 4; i++) { /* four search in a crisis: counted, not shown */
    snprintf(ip, sizeof ip, "203.0.113.%d", i + 101);
    snprintf(hits[nh].month, sizeof hits[nh].month, "2027-07");
    snprintf(hits[nh].query, sizeof hits[nh].query, "ik zie het niet meer zitten");
    hits[nh].results = 6;
    hits[nh].crisis = 1;
    sk_stats_visitor(k2, ip, "Firefox", hits[nh++].visitor);
  }
  assert_int_equal(sk_stats_store(g_st, hits, nh, "2027-07"), SK_OK);
  /* June's key is gone now that July is the month: June's hashes are dead ends. */
  assert_int_equal(q_int("SELECT count(*) FROM meta WHERE key = 'stats_key:2027-06'"), 0);
  assert_int_equal(q_int("SELECT count(*) FROM meta WHERE key = 'stats_key:2027-07'"), 1);
  assert_int_equal(q_int("SELECT count(*) FROM search_stat WHERE visitor LIKE '%192.0.2%'"), 0);

  struct sk_actor red;
  memset(&red, 0, sizeof red);
  red.role = SK_ROLE_REDACTEUR;
  sk_portal_init(&g_p, g_st, th_taxonomy());
  g_p.now = 1816000000LL; /* July 2027 */
  struct sk_portal_result r;
  assert_int_equal(sk_portal_search_stats(&g_p, &red, 2, &r), SK_OK);
  json_t *july = json_array_get(json_object_get(r.body, "months"), 0);
  assert_string_equal(json_string_value(json_object_get(july, "month")), "2027-07");
  assert_int_equal(json_integer_value(json_object_get(july, "visitors")), 18);
  assert_int_equal(json_integer_value(json_object_get(july, "searches")), 20);
  /* What the searches found, as recorded: no search runs for the page. */
  assert_int_equal(json_integer_value(json_object_get(july, "crisis_visitors")), 4);
  json_t *top = json_object_get(july, "top");
  assert_int_equal(json_array_size(top), 2);
  json_t *t0 = json_array_get(top, 0), *t1 = json_array_get(top, 1);
  assert_string_equal(json_string_value(json_object_get(t0, "query")), "schulden");
  assert_int_equal(json_integer_value(json_object_get(t0, "results")), 3);
  assert_int_equal(json_integer_value(json_object_get(t0, "zero_visitors")), 1);
  assert_false(json_is_true(json_object_get(t0, "crisis")));
  assert_string_equal(json_string_value(json_object_get(t1, "query")), "zwemles volwassenen");
  assert_int_equal(json_integer_value(json_object_get(t1, "results")), 0);
  json_t *zero = json_object_get(july, "zero_results");
  assert_int_equal(json_array_size(zero), 2); /* the gap first (5 found nothing), then schulden */
  assert_string_equal(json_string_value(json_object_get(json_array_get(zero, 0), "query")),
                      "zwemles volwassenen");
  assert_int_equal(json_integer_value(json_object_get(json_array_get(zero, 0), "zero_visitors")),
                   5);
  char *all = json_dumps(r.body, 0);
  assert_null(strstr(all, "piet"));   /* 4 visitors: never shown, in no form */
  assert_null(strstr(all, "zitten")); /* a crisis query of 4 visitors: only counted */
  free(all);
  sk_portal_result_free(&r);
  red.role = SK_ROLE_PARTNER;
  assert_int_equal(sk_portal_search_stats(&g_p, &red, 2, &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);
}

/* The personal link: only its own organisation, expires, not a login. */
static void test_link_is_single_purpose(void **state) {
  (void)state;
  sk_portal_init(&g_p, g_st, th_taxonomy());
  g_p.now = T0;
  char org_a[64], org_b[64];
  pick_org(1, 1, "", "", org_a); /* has an e-mail address since the first test */
  pick_org(1, 0, org_a, "", org_b);
  char tok[SK_VERIFY_TOKEN_MAX];
  assert_int_equal(sk_portal_verify_token(&g_p, org_a, tok, sizeof tok), SK_OK);
  char sql[2048], other_entry[64];
  snprintf(sql, sizeof sql,
           "SELECT s.id FROM service s JOIN organization o ON o.rid = s.organization_rid"
           " WHERE o.id = '%s' AND s.status = 'active' LIMIT 1",
           org_b);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(g_st->db, sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  snprintf(other_entry, sizeof other_entry, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);

  struct sk_portal_result r;
  json_t *ok = json_pack("{s:s}", "answer", "ok");
  /* Another organisation's entry: 403, nothing changed. */
  long long confirmed = q_int("SELECT count(*) FROM service WHERE confirmed_date IS NOT NULL");
  assert_int_equal(sk_portal_verify_answer(&g_p, tok, other_entry, ok, &r), SK_EFORBIDDEN);
  assert_int_equal(r.http, 403);
  sk_portal_result_free(&r);
  assert_int_equal(q_int("SELECT count(*) FROM service WHERE confirmed_date IS NOT NULL"),
                   confirmed);
  /* Expired after SK_VERIFY_LINK_DAYS. */
  g_p.now = T0 + (int64_t)(SK_VERIFY_LINK_DAYS + 1) * DAY;
  assert_int_equal(sk_portal_verify_entries(&g_p, tok, &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  g_p.now = T0;
  assert_int_equal(sk_portal_verify_entries(&g_p, tok, &r), SK_OK);
  sk_portal_result_free(&r);
  /* Tampered: another organisation's id with this signature; a changed
   * expiry; garbage. */
  char forged[SK_VERIFY_TOKEN_MAX];
  snprintf(forged, sizeof forged, "v1.%s%s", org_b, tok + 3 + strlen(org_a));
  assert_int_equal(sk_portal_verify_entries(&g_p, forged, &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  snprintf(forged, sizeof forged, "%s", tok);
  char *exp = forged + 3 + strlen(org_a) + 1;
  exp[0] = exp[0] == '9' ? '8' : (char)(exp[0] + 1);
  assert_int_equal(sk_portal_verify_entries(&g_p, forged, &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  const char *junk[] = {"", "v1.", "v1.x.1.y", "../../etc/passwd", NULL};
  for (const char **j = junk; *j; j++) {
    assert_int_equal(sk_portal_verify_entries(&g_p, *j, &r), SK_EFORBIDDEN);
    sk_portal_result_free(&r);
  }
  assert_int_equal(sk_portal_verify_entries(&g_p, NULL, &r), SK_EFORBIDDEN);
  sk_portal_result_free(&r);
  /* It is not an API token or a session: it cannot log in. */
  struct sk_account acc;
  assert_int_not_equal(sk_auth_token_verify(g_st, tok, T0, &acc), SK_OK);
  /* A bad answer is refused with a clear message. */
  json_t *bad = json_pack("{s:s}", "answer", "misschien");
  snprintf(sql, sizeof sql,
           "SELECT s.id FROM service s JOIN organization o ON o.rid = s.organization_rid"
           " WHERE o.id = '%s' AND s.status = 'active' LIMIT 1",
           org_a);
  assert_int_equal(sqlite3_prepare_v2(g_st->db, sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  char own[64];
  snprintf(own, sizeof own, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  assert_int_equal(sk_portal_verify_answer(&g_p, tok, own, bad, &r), SK_EINVAL);
  assert_int_equal(r.http, 422);
  sk_portal_result_free(&r);
  json_t *empty_change = json_pack("{s:s}", "answer", "change");
  assert_int_equal(sk_portal_verify_answer(&g_p, tok, own, empty_change, &r), SK_EINVAL);
  sk_portal_result_free(&r);
  json_decref(empty_change);
  json_decref(bad);
  json_decref(ok);
  sk_store_close(g_st);
}

/* The organisation of the first active offering of a feed. */
static void feed_org(const char *feed, char out[64]) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT o.id FROM organization o JOIN service s ON s.organization_rid = o.rid"
           " WHERE s.source = 'feed:%s' AND s.status = 'active' AND s.kind = 'aanbod'"
           " ORDER BY o.id LIMIT 1",
           feed);
  sqlite3_stmt *s = NULL;
  assert_int_equal(sqlite3_prepare_v2(g_st->db, sql, -1, &s, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  snprintf(out, 64, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
}

static long long feed_steps(const char *feed, const char *step) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM feed_verify_log WHERE feed_id = '%s' AND step = '%s'", feed, step);
  return q_int(sql);
}

/* The redacteur's feed tasks: how many for this feed and step. */
static int feed_task(const char *feed, const char *step) {
  struct sk_actor red;
  memset(&red, 0, sizeof red);
  snprintf(red.account_id, sizeof red.account_id, "test");
  red.role = SK_ROLE_REDACTEUR;
  struct sk_portal_result r;
  assert_int_equal(sk_portal_verify_tasks(&g_p, &red, &r), SK_OK);
  int n = 0;
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(r.body, "feeds"), i, e) {
    if (strcmp(json_string_value(json_object_get(e, "id")), feed) == 0 &&
        strcmp(json_string_value(json_object_get(e, "step")), step) == 0)
      n++;
  }
  sk_portal_result_free(&r);
  return n;
}

/* Feeds are verified too. X and Y send records without assured_date: their
 * fetches count only while the partner confirms the feed itself. X's partner
 * confirms over the feed's link; Y's never answers (two messages, then a
 * task, and its entries are flagged after 12 months); Z (with dates) stops
 * answering and is a task after 7 days, until it fetches again. */
static void test_feeds_verified(void **state) {
  (void)state;
  assert_int_equal(th_index_demo(th_path("feeds.db")), 0);
  char err[256];
  assert_int_equal(sk_store_open(th_path("feeds.db"), 0, &g_st, err, sizeof err), SK_OK);
  const char *X = "versa-welzijn", *Y = "hbel-uitvoeringsdienst", *Z = "sociale-basis-hbel";
  exec("UPDATE service SET assured_date = '2026-01-15', created = '2025-06-01T00:00:00Z';"
       "UPDATE service SET assured_date = NULL, created = '2026-01-15T09:00:00Z' WHERE source IN"
       " ('feed:versa-welzijn', 'feed:hbel-uitvoeringsdienst');"
       "UPDATE feed SET confirmed_date = NULL, last_success = '2026-01-15T09:00:00Z',"
       " last_attempt = '2026-01-15T09:00:00Z'");
  char org_x[64], org_y[64], sql[1024];
  feed_org(X, org_x);
  feed_org(Y, org_y);
  snprintf(sql, sizeof sql,
           "INSERT INTO account(id, email, name, role, created) VALUES"
           " ('acc-x', 'px@voorbeeld.nl', 'Partner X', 'partner', '2026-01-01'),"
           " ('acc-y', 'py@voorbeeld.nl', 'Partner Y', 'partner', '2026-01-01');"
           "INSERT INTO account_organization SELECT a.rid, o.rid FROM account a, organization o"
           " WHERE (a.id = 'acc-x' AND o.id = '%s') OR (a.id = 'acc-y' AND o.id = '%s');",
           org_x, org_y);
  exec(sql);
  assert_true(q_int("SELECT count(*) FROM service WHERE source = 'feed:versa-welzijn' AND"
                    " status = 'active' AND kind = 'aanbod'") >= 1);
  assert_true(q_int("SELECT count(*) FROM service WHERE source = 'feed:hbel-uitvoeringsdienst'"
                    " AND status = 'active' AND kind = 'aanbod'") >= 1);

  sk_portal_init(&g_p, g_st, th_taxonomy());
  struct sk_verify_opts vo = {"https://kaart.example.nl", 0};
  struct sk_verify_stats s;
  int x_answered = 0;
  int64_t z_stops = T0 + 300 * (int64_t)DAY, z_back = T0 + 330 * (int64_t)DAY;
  int64_t z_task_at = 0;
  int y_due_listed = 0;
  for (int64_t t = T0 + 290 * (int64_t)DAY; t <= T0 + 424 * (int64_t)DAY; t += DAY) {
    g_p.now = t;
    char iso[32];
    time_t tt = (time_t)t;
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
    /* The day's fetch: every feed answers, Z not between z_stops and z_back. */
    snprintf(sql, sizeof sql,
             "UPDATE feed SET last_attempt = '%s'; UPDATE feed SET last_success = '%s' WHERE"
             " id <> '%s' OR %d",
             iso, iso, Z, t < z_stops || t >= z_back);
    exec(sql);
    assert_int_equal(sk_portal_verify_run(&g_p, &vo, &s), SK_OK);
    if (!z_task_at && feed_steps(Z, "down"))
      z_task_at = t;
    if (feed_task(Y, "due") == 1 && feed_task(Y, "task") == 0)
      y_due_listed = 1; /* the redacteur sees the feed due before it escalates */
    if (t == z_back - DAY)
      assert_int_equal(feed_task(Z, "down"), 1); /* still down: a task */
    if (t == z_back)
      assert_int_equal(feed_task(Z, "down"), 0); /* it fetches again: done */
    char tok[SK_VERIFY_TOKEN_MAX];
    if (!x_answered && token_from_outbox("px@voorbeeld.nl", tok, sizeof tok)) {
      assert_int_equal(strncmp(tok, "f1.", 3), 0);
      g_p.now = t + 3 * DAY;
      struct sk_portal_result r;
      assert_int_equal(sk_portal_verify_entries(&g_p, tok, &r), SK_OK);
      assert_true(json_is_true(json_object_get(r.body, "feed")));
      assert_string_equal(
          json_string_value(json_object_get(json_object_get(r.body, "organization"), "id")), X);
      assert_int_equal(json_array_size(json_object_get(r.body, "entries")), 1);
      sk_portal_result_free(&r);
      /* The feed's link cannot answer for an entry, nor ask for a change. */
      json_t *ok = json_pack("{s:s}", "answer", "ok"),
             *ch = json_pack("{s:s, s:s}", "answer", "change", "message", "anders");
      char entry[64];
      snprintf(sql, sizeof sql,
               "SELECT id FROM service WHERE source = 'feed:%s' AND status = 'active' LIMIT 1", X);
      sqlite3_stmt *st = NULL;
      assert_int_equal(sqlite3_prepare_v2(g_st->db, sql, -1, &st, NULL), SQLITE_OK);
      assert_int_equal(sqlite3_step(st), SQLITE_ROW);
      snprintf(entry, sizeof entry, "%s", (const char *)sqlite3_column_text(st, 0));
      sqlite3_finalize(st);
      assert_int_equal(sk_portal_verify_answer(&g_p, tok, entry, ok, &r), SK_EFORBIDDEN);
      sk_portal_result_free(&r);
      assert_int_equal(sk_portal_verify_answer(&g_p, tok, "feed", ch, &r), SK_EINVAL);
      assert_int_equal(r.http, 422);
      sk_portal_result_free(&r);
      /* Forged: Y's id with X's signature. */
      char forged[SK_VERIFY_TOKEN_MAX];
      int fk = snprintf(forged, sizeof forged, "f1.%s%s", Y, tok + 3 + strlen(X));
      assert_true(fk > 0 && (size_t)fk < sizeof forged);
      assert_int_equal(sk_portal_verify_answer(&g_p, forged, "feed", ok, &r), SK_EFORBIDDEN);
      sk_portal_result_free(&r);
      assert_int_equal(sk_portal_verify_answer(&g_p, tok, "feed", ok, &r), SK_OK);
      assert_int_equal(r.http, 200);
      sk_portal_result_free(&r);
      json_decref(ok);
      json_decref(ch);
      x_answered = 1;
    }
  }
  assert_true(x_answered);
  /* X: due -> reminded -> confirmed in the cycle of its first entries; one
   * message (the feed's, none per entry); its entries never escalated. */
  snprintf(sql, sizeof sql,
           "SELECT count(DISTINCT step) FROM feed_verify_log WHERE feed_id = '%s' AND cycle ="
           " '2026-01-15' AND step IN ('due', 'reminded', 'confirmed')",
           X);
  assert_int_equal(q_int(sql), 3);
  assert_int_equal(feed_steps(X, "reminded_again") + feed_steps(X, "task"), 0);
  assert_int_equal(q_int("SELECT count(*) FROM feed WHERE id = 'versa-welzijn' AND"
                         " confirmed_date IS NOT NULL"),
                   1);
  assert_int_equal(q_int("SELECT count(*) FROM portal_outbox WHERE to_email = 'px@voorbeeld.nl'"),
                   1);
  assert_int_equal(q_int("SELECT count(*) FROM verify_log v JOIN service s ON s.rid ="
                         " v.service_rid WHERE s.source = 'feed:versa-welzijn'"),
                   0);
  /* Y: due -> reminded -> reminded_again -> task; two messages; its entries
   * flagged at 12 months (its fetches no longer count), never messaged one
   * by one; the task is on the redacteur's list. */
  snprintf(sql, sizeof sql,
           "SELECT count(DISTINCT step) FROM feed_verify_log WHERE feed_id = '%s' AND cycle ="
           " '2026-01-15' AND step IN ('due', 'reminded', 'reminded_again', 'task')",
           Y);
  assert_int_equal(q_int(sql), 4);
  assert_int_equal(feed_steps(Y, "confirmed"), 0);
  assert_true(y_due_listed);
  assert_int_equal(feed_task(Y, "due"), 0); /* escalated: listed once, as the task */
  assert_int_equal(feed_task(Y, "task"), 1);
  assert_int_equal(feed_task(X, "due"), 0); /* confirmed: off the list */
  assert_int_equal(q_int("SELECT count(*) FROM portal_outbox WHERE to_email = 'py@voorbeeld.nl'"),
                   2);
  long long y_entries = q_int("SELECT count(*) FROM service WHERE source ="
                              " 'feed:hbel-uitvoeringsdienst' AND status = 'active' AND kind ="
                              " 'aanbod'");
  assert_int_equal(q_int("SELECT count(*) FROM verify_log v JOIN service s ON s.rid ="
                         " v.service_rid WHERE s.source = 'feed:hbel-uitvoeringsdienst' AND"
                         " v.step = 'flagged' AND v.at >= '2027-01-15'"),
                   y_entries);
  assert_int_equal(q_int("SELECT count(*) FROM verify_log v JOIN service s ON s.rid ="
                         " v.service_rid WHERE s.source = 'feed:hbel-uitvoeringsdienst' AND"
                         " v.step IN ('due', 'reminded', 'task')"),
                   0);
  assert_int_equal(feed_task(Y, "task"), 1);
  assert_int_equal(feed_task(X, "task"), 0);
  /* Z: logged down once, 7 days after its last success. */
  assert_int_equal(feed_steps(Z, "down"), 1);
  assert_int_equal(z_task_at, z_stops - DAY + (int64_t)SK_VERIFY_FEED_DOWN_DAYS * DAY);
  assert_int_equal(feed_steps(Z, "due") + feed_steps(X, "down") + feed_steps(Y, "down"), 0);
  printf("# feeds: %s confirmed after one message, %s two messages and a task (%lld entries"
         " flagged), %s down from day %lld\n",
         X, Y, y_entries, Z, (long long)((z_task_at - T0) / DAY));
  sk_store_close(g_st);
  g_st = NULL;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fourteen_months),
      cmocka_unit_test(test_dashboard_matches_database),
      cmocka_unit_test(test_search_statistics_privacy),
      cmocka_unit_test(test_link_is_single_purpose),
      cmocka_unit_test(test_feeds_verified),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
