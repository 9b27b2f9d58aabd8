/* A whole indexing run: feeds are independent, a broken feed keeps its last
 * good data, an unchanged feed costs nothing, calendar feeds get their
 * registry defaults, and a kill -9 mid-run leaves a sound database with the
 * previous data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper_test.h"
#include "ix_fetch.h"
#include "ix_registry.h"
#include "ix_run.h"
#include "sk_buf.h"
#include "sk_err.h"

#include "ix_ical.h"

static void write_text(const char *name, const char *text) {
  th_write_file(th_path(name), text, strlen(text));
}

/* A partner-json feed with n services named "<prefix> <i>". */
static void write_feed(const char *name, const char *prefix, int n) {
  struct sk_buf b;
  sk_buf_init(&b, 256u << 20);
  assert_int_equal(sk_buf_addstr(&b,
                                 "{\"format\": \"sociale-kaart-partner/1\", \"organizations\": "
                                 "[{\"key\": \"o\", \"name\": \"Organisatie\"}], \"services\": ["),
                   SK_OK);
  for (int i = 0; i < n; i++)
    assert_int_equal(
        sk_buf_printf(&b,
                      "%s{\"key\": \"s%d\", \"organization\": \"o\", \"name\": \"%s %d\","
                      " \"description\": \"Een dienst met een wat langere omschrijving"
                      " zodat de feed een beetje gewicht heeft, nummer %d.\","
                      " \"needs\": [\"geld.schulden\"], \"areas\": [\"hbel\"],"
                      " \"access\": \"vrij\", \"cost\": \"gratis\"}",
                      i ? "," : "", i, prefix, i, i),
        SK_OK);
  assert_int_equal(sk_buf_addstr(&b, "]}"), SK_OK);
  th_write_file(th_path(name), b.ptr, b.len);
  sk_buf_free(&b);
}

static struct ix_registry *registry(const char *name, const char *json) {
  write_text(name, json);
  struct ix_registry *r = NULL;
  char err[512];
  if (ix_registry_load(th_path(name), th_taxonomy(), &r, err, sizeof err))
    fail_msg("registry: %s", err);
  return r;
}

static const struct ix_feed_report *report(const struct ix_feed_report *reps, size_t n,
                                           const char *id) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(reps[i].id, id) == 0)
      return &reps[i];
  fail_msg("no report for %s", id);
  return NULL;
}

static void run_all(struct sk_store *st, struct ix_registry *r, struct ix_feed_report **reps,
                    size_t *n) {
  struct ix_run_opts o;
  ix_run_opts_default(&o);
  assert_int_equal(ix_run(st, th_taxonomy(), r, &o, reps, n), SK_OK);
}

static void test_broken_feed_keeps_data_and_others_index(void **state) {
  (void)state;
  write_feed("good.json", "Goed", 3);
  write_feed("flaky.json", "Flaky", 2);
  struct ix_registry *r = registry("run-feeds.json",
                                   "{\"feeds\": ["
                                   "{\"id\": \"good\", \"partner\": \"G\", \"kind\": "
                                   "\"partner-json\", \"location\": \"good.json\"},"
                                   "{\"id\": \"flaky\", \"partner\": \"F\", \"kind\": "
                                   "\"partner-json\", \"location\": \"flaky.json\"},"
                                   "{\"id\": \"gone\", \"partner\": \"X\", \"kind\": "
                                   "\"partner-json\", \"location\": \"nope.json\"},"
                                   "{\"id\": \"off\", \"partner\": \"X\", \"kind\": "
                                   "\"partner-json\", \"location\": \"nope.json\","
                                   " \"enabled\": false}]}");
  struct sk_store *st = th_store_with_taxonomy("run.db");
  struct ix_feed_report *reps;
  size_t n;
  run_all(st, r, &reps, &n);
  assert_int_equal(n, 3); /* the disabled feed does not run */
  assert_false(report(reps, n, "good")->failed);
  assert_int_equal(report(reps, n, "good")->stats.n_new, 4);
  assert_false(report(reps, n, "flaky")->failed);
  assert_true(report(reps, n, "gone")->failed);
  assert_true(strlen(report(reps, n, "gone")->error) > 0);
  free(reps);

  /* flaky breaks (cut off halfway): its data stays, the error is recorded */
  write_text("flaky.json", "{\"format\": \"sociale-kaart-partner/1\", \"services\": [{\"key\": ");
  write_feed("good.json", "Goed", 4);
  run_all(st, r, &reps, &n);
  assert_true(report(reps, n, "flaky")->failed);
  assert_non_null(strstr(report(reps, n, "flaky")->error, "geen geldige JSON"));
  assert_int_equal(report(reps, n, "good")->stats.n_new, 1);
  free(reps);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service WHERE source = 'feed:flaky'"
                                    " AND status = 'active'"),
                   2);
  assert_int_equal(th_query_int(st, "SELECT last_error LIKE '%JSON%' FROM feed WHERE id = 'flaky'"),
                   1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM search_fts WHERE search_fts MATCH"
                                    " 'flaky'"),
                   2);

  /* fixed again: healthy, error cleared */
  write_feed("flaky.json", "Flaky", 2);
  run_all(st, r, &reps, &n);
  assert_false(report(reps, n, "flaky")->failed);
  free(reps);
  assert_int_equal(th_query_int(st, "SELECT last_error IS NULL FROM feed WHERE id = 'flaky'"), 1);
  ix_registry_free(r);
  sk_store_close(st);
}

static void test_unchanged_feed_costs_nothing(void **state) {
  (void)state;
  write_feed("same.json", "Zelfde", 5);
  struct ix_registry *r = registry("same-feeds.json",
                                   "{\"feeds\": [{\"id\": \"same\", \"partner\": \"S\", \"kind\":"
                                   " \"partner-json\", \"location\": \"same.json\"}]}");
  struct sk_store *st = th_store_with_taxonomy("same.db");
  struct ix_feed_report *reps;
  size_t n;
  run_all(st, r, &reps, &n);
  assert_int_equal(reps[0].stats.n_new, 6);
  free(reps);
  long long log = th_query_int(st, "SELECT count(*) FROM change_log");
  run_all(st, r, &reps, &n);
  assert_true(reps[0].not_modified);
  assert_int_equal(reps[0].stats.n_unchanged, 6);
  free(reps);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM change_log"), log);
  assert_int_equal(th_query_int(st, "SELECT n_unchanged FROM feed WHERE id = 'same'"), 6);
  ix_registry_free(r);
  sk_store_close(st);
}

static void test_calendar_gets_registry_defaults(void **state) {
  (void)state;
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  char ics[2048];
  snprintf(ics, sizeof ics,
           "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
           "BEGIN:VEVENT\r\nUID:taalcafe@bieb\r\nDTSTAMP:20260101T000000Z\r\n"
           "DTSTART:%04d%02d%02dT100000Z\r\nDTEND:%04d%02d%02dT110000Z\r\n"
           "RRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Taalcafé\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday);
  write_text("bieb.ics", ics);
  struct ix_registry *r = registry(
      "ical-feeds.json",
      "{\"feeds\": [{\"id\": \"bieb\", \"partner\": \"Bieb\", \"kind\": \"ical\", \"location\":"
      " \"bieb.ics\", \"defaults\": {\"organization\": \"Bibliotheek Huizen\", \"municipality\":"
      " \"huizen\", \"needs\": [\"taal.lezenschrijven\"], \"target_groups\": [\"volwassenen\"],"
      " \"access\": \"vrij\", \"cost\": \"gratis\"}}]}");
  struct sk_store *st = th_store_with_taxonomy("ical.db");
  struct ix_feed_report *reps;
  size_t n;
  run_all(st, r, &reps, &n);
  if (reps[0].failed)
    fail_msg("ical feed failed: %s", reps[0].error);
  free(reps);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM organization WHERE source_key ="
                                    " 'bibliotheek-huizen' AND name = 'Bibliotheek Huizen'"),
                   1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service s JOIN service_area a ON"
                                    " a.service_rid = s.rid WHERE s.kind = 'activiteit' AND"
                                    " a.area_code = 'huizen'"),
                   1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service_taxonomy WHERE code IN"
                                    " ('taal.lezenschrijven', 'volwassenen', 'vrij', 'gratis')"),
                   4);
  assert_true(th_query_int(st, "SELECT count(*) FROM occurrence") >= 3);
  ix_registry_free(r);
  sk_store_close(st);
}

/* The child indexes a big feed and is killed while it writes. */
static void test_kill_during_indexing_keeps_previous_data(void **state) {
  (void)state;
  write_feed("big.json", "Eerst", 10);
  struct ix_registry *r = registry("big-feeds.json",
                                   "{\"feeds\": [{\"id\": \"big\", \"partner\": \"B\", \"kind\":"
                                   " \"partner-json\", \"location\": \"big.json\"}]}");
  struct sk_store *st = th_store_with_taxonomy("kill.db");
  struct ix_feed_report *reps;
  size_t n;
  run_all(st, r, &reps, &n);
  assert_false(reps[0].failed);
  free(reps);
  sk_store_close(st);
  write_feed("big.json", "Daarna", 60000);

  int killed_while_writing = 0;
  for (int attempt = 0; attempt < 3 && !killed_while_writing; attempt++) {
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      close(fds[0]);
      struct sk_store *cst = NULL;
      if (sk_store_open(th_path("kill.db"), 0, &cst, NULL, 0))
        _exit(3);
      struct ix_run_opts o;
      ix_run_opts_default(&o);
      o.on_stage = NULL;
      /* tell the parent when writing starts */
      struct ix_batch b;
      ix_batch_init(&b, 0);
      struct ix_load_info info;
      char err[512];
      if (ix_feed_load(&r->feeds[0], th_taxonomy(), &o, NULL, NULL, NULL, &b, &info, err,
                       sizeof err))
        _exit(4);
      if (write(fds[1], "w", 1) != 1)
        _exit(5);
      _exit(ix_apply(cst, "big", &b, NULL, NULL, err, sizeof err) == SK_OK
                ? 0
                : 6); /* not reached when killed in time; no atexit handlers */
    }
    close(fds[1]);
    char c;
    assert_int_equal(read(fds[0], &c, 1), 1);
    close(fds[0]);
    /* Late first (chunks of the new feed are committed by then), earlier
     * when the child was already done. */
    static const long kill_ms[] = {700, 300, 100};
    struct timespec ts = {0, kill_ms[attempt] * 1000000L};
    nanosleep(&ts, NULL);
    kill(pid, SIGKILL);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    killed_while_writing = WIFSIGNALED(status);
  }
  assert_true(killed_while_writing);

  char err[256];
  assert_int_equal(sk_store_open(th_path("kill.db"), 0, &st, err, sizeof err), SK_OK);
  sqlite3_stmt *s;
  assert_int_equal(sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
  sqlite3_finalize(s);
  /* The apply commits in chunks (docs/indexer.md): what was committed is
   * whole records of the new feed, and nothing was withdrawn, so all ten
   * previous offerings are still there, old or new version, with their
   * full-text rows. */
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service WHERE status = 'active'"
                                    " AND source_key IN ('s0','s1','s2','s3','s4','s5','s6','s7',"
                                    "'s8','s9')"),
                   10);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service WHERE status <> 'active'"), 0);
  long long eerst = th_query_int(st, "SELECT count(*) FROM service WHERE name LIKE 'Eerst %'");
  long long daarna = th_query_int(st, "SELECT count(*) FROM service WHERE name LIKE 'Daarna %'");
  print_message("killed with %lld of 60000 new offerings committed\n", daarna);
  assert_int_equal(eerst + daarna, th_query_int(st, "SELECT count(*) FROM service"));
  assert_int_equal(
      th_query_int(st, "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'eerst'"), eerst);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM search_fts WHERE search_fts MATCH"
                                    " 'daarna'"),
                   daarna);
  assert_int_equal(
      sk_store_exec(st, "INSERT INTO search_fts(search_fts) VALUES('integrity-check')"), SK_OK);
  /* The next run finishes the job. */
  run_all(st, r, &reps, &n);
  assert_false(reps[0].failed);
  free(reps);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service WHERE status = 'active'"), 60000);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM service WHERE name LIKE 'Eerst %'"), 0);
  ix_registry_free(r);
  sk_store_close(st);
}

static long long active_of(struct sk_store *st, const char *feed) {
  char sql[200];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM service WHERE source = 'feed:%s' AND status = 'active'", feed);
  return th_query_int(st, sql);
}

/* 42 offerings, then a broken export with 1: the run is held (the 42 stay,
 * the feed is unhealthy with a Dutch reason) until it is accepted. */
static void test_shrinking_feed_is_held_until_accepted(void **state) {
  (void)state;
  write_feed("shrink.json", "Krimp", 42);
  struct ix_registry *r = registry("shrink-feeds.json",
                                   "{\"feeds\": [{\"id\": \"shrink\", \"partner\": \"S\", \"kind\":"
                                   " \"partner-json\", \"location\": \"shrink.json\"}]}");
  struct sk_store *st = th_store_with_taxonomy("shrink.db");
  struct ix_feed_report *reps;
  size_t n;
  run_all(st, r, &reps, &n);
  assert_false(reps[0].failed);
  free(reps);
  assert_int_equal(active_of(st, "shrink"), 42);

  write_feed("shrink.json", "Krimp", 1);
  run_all(st, r, &reps, &n);
  assert_true(reps[0].failed);
  assert_true(reps[0].held);
  assert_int_equal(reps[0].stats.n_withdrawn, 41);
  assert_non_null(strstr(reps[0].error, "41 van de 42"));
  assert_non_null(strstr(reps[0].error, "sociale-kaart feed accept shrink"));
  free(reps);
  assert_int_equal(active_of(st, "shrink"), 42);
  assert_int_equal(th_query_int(st, "SELECT last_error LIKE '%41 van de 42%' FROM feed"
                                    " WHERE id = 'shrink'"),
                   1);
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM search_fts WHERE search_fts MATCH"
                                    " 'krimp'"),
                   42);
  /* Held again on the next run: the shrink is not taken as the new normal. */
  run_all(st, r, &reps, &n);
  assert_true(reps[0].held);
  free(reps);
  assert_int_equal(active_of(st, "shrink"), 42);

  /* Accepted: the next run applies it, once. */
  assert_int_equal(ix_apply_accept_shrink(st, "shrink"), SK_OK);
  assert_int_equal(ix_apply_accept_shrink(st, "no-such-feed"), SK_ENOTFOUND);
  run_all(st, r, &reps, &n);
  assert_false(reps[0].failed);
  assert_false(reps[0].held);
  assert_int_equal(reps[0].stats.n_withdrawn, 41);
  free(reps);
  assert_int_equal(active_of(st, "shrink"), 1);
  assert_int_equal(th_query_int(st, "SELECT last_error IS NULL FROM feed WHERE id = 'shrink'"), 1);

  /* The acceptance was used up: 1 -> 0 is held again (the empty-feed rule). */
  write_text("shrink.json", "{\"format\": \"sociale-kaart-partner/1\", \"organizations\": "
                            "[{\"key\": \"o\", \"name\": \"Organisatie\"}], \"services\": []}");
  run_all(st, r, &reps, &n);
  assert_true(reps[0].failed);
  free(reps);
  assert_int_equal(active_of(st, "shrink"), 1);
  ix_registry_free(r);
  sk_store_close(st);
}

/* The bounds: more than 50 is held even when it is less than half; a
 * small shrink (less than half, at most 50) goes through. */
static void test_shrink_bounds(void **state) {
  (void)state;
  write_feed("big.json", "Groot", 120);
  write_feed("small.json", "Klein", 10);
  struct ix_registry *r = registry("bounds-feeds.json",
                                   "{\"feeds\": ["
                                   "{\"id\": \"big\", \"partner\": \"B\", \"kind\": "
                                   "\"partner-json\", \"location\": \"big.json\"},"
                                   "{\"id\": \"small\", \"partner\": \"K\", \"kind\": "
                                   "\"partner-json\", \"location\": \"small.json\"}"
                                   "]}");
  struct sk_store *st = th_store_with_taxonomy("bounds.db");
  struct ix_feed_report *reps;
  size_t n;
  run_all(st, r, &reps, &n);
  free(reps);
  write_feed("big.json", "Groot", 69);  /* 51 withdrawn of 120 */
  write_feed("small.json", "Klein", 5); /* 5 of 10: not more than half */
  run_all(st, r, &reps, &n);
  assert_true(report(reps, n, "big")->held);
  assert_false(report(reps, n, "small")->failed);
  assert_int_equal(report(reps, n, "small")->stats.n_withdrawn, 5);
  free(reps);
  assert_int_equal(active_of(st, "big"), 120);
  assert_int_equal(active_of(st, "small"), 5);
  write_feed("big.json", "Groot", 70); /* 50 withdrawn: allowed */
  run_all(st, r, &reps, &n);
  assert_false(report(reps, n, "big")->failed);
  free(reps);
  assert_int_equal(active_of(st, "big"), 70);
  ix_registry_free(r);
  sk_store_close(st);
}

static int setup(void **state) {
  (void)state;
  return ix_fetch_global_init() == SK_OK ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  ix_ical_global_cleanup();
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_broken_feed_keeps_data_and_others_index),
      cmocka_unit_test(test_unchanged_feed_costs_nothing),
      cmocka_unit_test(test_calendar_gets_registry_defaults),
      cmocka_unit_test(test_kill_during_indexing_keeps_previous_data),
      cmocka_unit_test(test_shrinking_feed_is_held_until_accepted),
      cmocka_unit_test(test_shrink_bounds),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
