/* Fetching feeds: every way a partner's server can misbehave ends in a
 * clear Dutch error within the limits, and unchanged content costs nothing.
 * All servers are loopback (helper_faultserver); every test sets short
 * timeouts so the whole suite stays within seconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>

#include "helper_faultserver.h"
#include "helper_test.h"
#include "ix_fetch.h"
#include "sk_err.h"

#define OK_BODY "{\"ok\":true}"
#define OK_HASH "4062edaf750fb8074e7e83e0c9028c94e32468a8b6f1614774328ef045150f93"

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Limits small enough that no test can take long. */
static struct ix_fetch_opts quick(void) {
  struct ix_fetch_opts o;
  ix_fetch_opts_default(&o);
  o.connect_timeout_ms = 1000;
  o.total_timeout_ms = 3000;
  o.low_speed_bytes = 1;
  o.low_speed_seconds = 3;
  o.max_bytes = 1024 * 1024;
  return o;
}

#define assert_contains(hay, needle)                                                               \
  do {                                                                                             \
    if (!strstr((hay), (needle)))                                                                  \
      fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));                                 \
  } while (0)

/* The state after any failed fetch: a reason, nothing the caller could
 * mistake for new data or new validators. */
static void assert_failed_cleanly(const struct ix_fetch_result *r) {
  assert_null(r->body);
  assert_int_equal(r->len, 0);
  assert_int_equal(r->not_modified, 0);
  assert_string_equal(r->etag, "");
  assert_string_equal(r->last_modified, "");
  assert_string_equal(r->content_hash, "");
  assert_true(strlen(r->error) > 10);
}

static void test_ok(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/feed.json",
       .body = OK_BODY,
       .etag = "\"v1\"",
       .last_modified = "Tue, 03 Mar 2026 10:00:00 GMT"},
  };
  struct th_fault_server *s = th_fault_start(routes, 1, 4);
  struct ix_fetch_opts o = quick();
  struct ix_fetch_result r;
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/feed.json"), NULL, NULL, NULL, &r), SK_OK);
  assert_int_equal(r.http_status, 200);
  assert_int_equal(r.not_modified, 0);
  assert_string_equal(r.body, OK_BODY);
  assert_int_equal(r.len, strlen(OK_BODY));
  assert_string_equal(r.etag, "\"v1\"");
  assert_string_equal(r.last_modified, "Tue, 03 Mar 2026 10:00:00 GMT");
  assert_string_equal(r.content_hash, OK_HASH);
  assert_string_equal(r.error, "");
  char ua[128];
  assert_true(th_fault_last_header(s, "/feed.json", "User-Agent", ua, sizeof ua));
  assert_contains(ua, "sociale-kaart");
  assert_false(th_fault_last_header(s, "/feed.json", "If-None-Match", ua, sizeof ua));
  ix_fetch_result_free(&r);
  ix_fetch_result_free(&r); /* idempotent */
  ix_fetch_result_free(NULL);
  th_fault_stop(s);
}

static void test_one_redirect_is_followed(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/old", .status = 301, .location = "/feed.json"},
      {.path = "/feed.json", .body = OK_BODY, .etag = "\"v2\""},
  };
  struct th_fault_server *s = th_fault_start(routes, 2, 4);
  struct ix_fetch_opts o = quick();
  struct ix_fetch_result r;
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/old"), NULL, NULL, NULL, &r), SK_OK);
  assert_int_equal(r.http_status, 200);
  assert_string_equal(r.body, OK_BODY);
  assert_string_equal(r.etag, "\"v2\"");
  ix_fetch_result_free(&r);
  th_fault_stop(s);
}

static void test_server_error_names_status(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/500", .status = 500, .body = "kapot", .etag = "\"e\""},
      {.path = "/gone", .status = 404, .body = "weg"},
      {.path = "/nowhere", .status = 302, .body = "redirect without a Location"},
  };
  struct th_fault_server *s = th_fault_start(routes, 3, 6);
  struct ix_fetch_opts o = quick();
  struct ix_fetch_result r;
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/500"), NULL, NULL, NULL, &r), SK_EFETCH);
  assert_int_equal(r.http_status, 500);
  assert_contains(r.error, "De server gaf foutcode 500.");
  assert_failed_cleanly(&r);
  ix_fetch_result_free(&r);
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/gone"), NULL, NULL, NULL, &r), SK_EFETCH);
  assert_contains(r.error, "foutcode 404");
  assert_contains(r.error, "niet (meer)");
  assert_failed_cleanly(&r);
  ix_fetch_result_free(&r);
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/nowhere"), NULL, NULL, NULL, &r), SK_EFETCH);
  assert_contains(r.error, "code 302");
  assert_failed_cleanly(&r);
  ix_fetch_result_free(&r);
  th_fault_stop(s);
}

static void test_hang_times_out(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/hang", .body = OK_BODY, .delay_ms = 30000}};
  struct th_fault_server *s = th_fault_start(routes, 1, 4);
  struct ix_fetch_opts o = quick();
  o.total_timeout_ms = 500;
  struct ix_fetch_result r;
  long t0 = now_ms();
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/hang"), NULL, NULL, NULL, &r), SK_EFETCH);
  long took = now_ms() - t0;
  assert_true(took >= 400 && took < 2500);
  assert_contains(r.error, "De server reageerde te traag.");
  assert_failed_cleanly(&r);
  ix_fetch_result_free(&r);
  th_fault_stop(s);
}

static void test_truncated_body(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/cut",
       .body = "[{\"name\":\"Schuldhulpverlening\"},{\"name\":\"Geheugenhuis\"}]",
       .truncate = 1},
      {.path = "/cut-chunked",
       .body = "[{\"name\":\"Zicht op Werk\"},{\"name\":\"Valpreventie\"}]",
       .chunked = 1,
       .truncate = 1},
      {.path = "/chunked", .body = OK_BODY, .chunked = 1},
  };
  struct th_fault_server *s = th_fault_start(routes, 3, 6);
  struct ix_fetch_opts o = quick();
  struct ix_fetch_result r;
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/cut"), NULL, NULL, NULL, &r), SK_EFETCH);
  assert_contains(r.error, "voordat het hele bestand binnen was");
  assert_failed_cleanly(&r);
  ix_fetch_result_free(&r);
  /* Without a length, the missing last chunk gives it away. */
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/cut-chunked"), NULL, NULL, NULL, &r), SK_EFETCH);
  assert_contains(r.error, "voordat het hele bestand binnen was");
  assert_failed_cleanly(&r);
  ix_fetch_result_free(&r);
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/chunked"), NULL, NULL, NULL, &r), SK_OK);
  assert_string_equal(r.body, OK_BODY);
  ix_fetch_result_free(&r);
  th_fault_stop(s);
}

static void test_invalid_utf8(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/latin1", .body = "{\"naam\":\"Caf\xe9 De Brink\"}"},
      {.path = "/nul", .body = "{\"a\":\0\"b\"}", .body_len = 10},
      {.path = "/overlong", .body = "\xc0\xaf"},
  };
  struct th_fault_server *s = th_fault_start(routes, 3, 6);
  struct ix_fetch_opts o = quick();
  struct ix_fetch_result r;
  /* Not UTF-8: read as Windows-1252, with a warning naming the first bad byte. */
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/latin1"), NULL, NULL, NULL, &r), SK_OK);
  assert_string_equal(r.body, "{\"naam\":\"Caf\u00e9 De Brink\"}");
  assert_int_equal(r.len, strlen(r.body));
  assert_contains(r.warning, "geen geldige UTF-8");
  assert_contains(r.warning, "byte 0xE9");
  assert_contains(r.warning, "positie 13");
  assert_contains(r.warning, "Windows-1252");
  ix_fetch_result_free(&r);
  /* A NUL byte is never text: refused, with where it is. */
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/nul"), NULL, NULL, NULL, &r), SK_EFETCH);
  assert_contains(r.error, "NUL-teken");
  assert_contains(r.error, "offset 5");
  assert_failed_cleanly(&r);
  ix_fetch_result_free(&r);
  /* Bytes that are no UTF-8 at all still become text (here "À¯"). */
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/overlong"), NULL, NULL, NULL, &r), SK_OK);
  assert_string_equal(r.body, "\u00c0\u00af");
  assert_contains(r.warning, "byte 0xC0");
  ix_fetch_result_free(&r);
  th_fault_stop(s);
}

static void test_bom_is_stripped(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {{.path = "/bom", .body = "\xEF\xBB\xBF" OK_BODY}};
  struct th_fault_server *s = th_fault_start(routes, 1, 4);
  struct ix_fetch_opts o = quick();
  struct ix_fetch_result r;
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/bom"), NULL, NULL, NULL, &r), SK_OK);
  assert_string_equal(r.body, OK_BODY);
  assert_int_equal(r.len, strlen(OK_BODY));
  assert_string_equal(r.content_hash, OK_HASH); /* the same content with or without a BOM */
  ix_fetch_result_free(&r);
  th_fault_stop(s);
}

static char big_chunk[4096];

static void test_size_cap_with_length(void **state) {
  (void)state;
  memset(big_chunk, 'a', sizeof big_chunk);
  static const struct th_fault_route routes[] = {
      {.path = "/big", .body = big_chunk, .body_len = sizeof big_chunk},
      {.path = "/fits", .body = big_chunk, .body_len = 1024},
      /* Announces 1 GiB, then trickles: only the announcement can stop it in time. */
      {.path = "/announced",
       .body = big_chunk,
       .body_len = sizeof big_chunk,
       .repeat = 256 * 1024,
       .byte_delay_ms = 1000},
  };
  struct th_fault_server *s = th_fault_start(routes, 3, 6);
  struct ix_fetch_opts o = quick();
  o.max_bytes = 1024;
  struct ix_fetch_result r;
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/big"), NULL, NULL, NULL, &r), SK_ETOOBIG);
  assert_contains(r.error, "Het bestand is groter dan 1 kB.");
  assert_failed_cleanly(&r);
  ix_fetch_result_free(&r);
  long t0 = now_ms();
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/announced"), NULL, NULL, NULL, &r), SK_ETOOBIG);
  assert_true(now_ms() - t0 < 2500); /* a trickle of 1 GiB would only end by the total timeout */
  assert_contains(r.error, "groter dan 1 kB");
  ix_fetch_result_free(&r);
  /* Exactly at the cap is allowed. */
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/fits"), NULL, NULL, NULL, &r), SK_OK);
  assert_int_equal(r.len, 1024);
  ix_fetch_result_free(&r);
  th_fault_stop(s);
}

/* An endless body without Content-Length: the fetch stops right after the
 * cap instead of reading the whole gigabyte. */
static void test_size_cap_without_length(void **state) {
  (void)state;
  memset(big_chunk, 'a', sizeof big_chunk);
  static const struct th_fault_route routes[] = {
      {.path = "/endless",
       .body = big_chunk,
       .body_len = sizeof big_chunk,
       .repeat = 256 * 1024,
       .no_length = 1},
  };
  struct th_fault_server *s = th_fault_start(routes, 1, 4);
  struct ix_fetch_opts o = quick();
  o.max_bytes = 50 * 1024 * 1024;
  struct ix_fetch_opts small = o;
  small.max_bytes = 64 * 1024;
  struct ix_fetch_result r;
  long t0 = now_ms();
  assert_int_equal(ix_fetch(&small, th_fault_url(s, "/endless"), NULL, NULL, NULL, &r), SK_ETOOBIG);
  assert_true(now_ms() - t0 < 2500);
  assert_contains(r.error, "groter dan 64 kB");
  assert_failed_cleanly(&r);
  ix_fetch_result_free(&r);
  /* The default cap reads as "50 MB" for the partner. */
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/endless"), NULL, NULL, NULL, &r), SK_ETOOBIG);
  assert_contains(r.error, "Het bestand is groter dan 50 MB.");
  ix_fetch_result_free(&r);
  th_fault_stop(s);
}

static void test_redirect_loop(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/a", .status = 302, .location = "/b"},
      {.path = "/b", .status = 302, .location = "/a"},
  };
  struct th_fault_server *s = th_fault_start(routes, 2, 16);
  struct ix_fetch_opts o = quick();
  o.max_redirects = 3;
  struct ix_fetch_result r;
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/a"), NULL, NULL, NULL, &r), SK_EFETCH);
  assert_contains(r.error, "steeds door");
  assert_failed_cleanly(&r);
  ix_fetch_result_free(&r);
  assert_int_equal(th_fault_hits(s, NULL), 4); /* the first request and 3 redirects */
  th_fault_stop(s);
}

static void test_redirect_to_other_scheme_refused(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/to-file", .status = 302, .location = "file:///etc/passwd"},
      {.path = "/to-ftp", .status = 302, .location = "ftp://127.0.0.1/feed.json"},
  };
  struct th_fault_server *s = th_fault_start(routes, 2, 4);
  struct ix_fetch_opts o = quick();
  struct ix_fetch_result r;
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/to-file"), NULL, NULL, NULL, &r), SK_EFETCH);
  assert_contains(r.error, "Alleen http en https");
  assert_failed_cleanly(&r);
  ix_fetch_result_free(&r);
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/to-ftp"), NULL, NULL, NULL, &r), SK_EFETCH);
  assert_contains(r.error, "Alleen http en https");
  ix_fetch_result_free(&r);
  th_fault_stop(s);
}

/* One byte per second: cut off by the low-speed rule long before the
 * total timeout. */
static void test_trickle_is_cut_off(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/trickle", .body = "[{\"naam\":\"Leefstijlpunt\"}]", .byte_delay_ms = 1000},
  };
  struct th_fault_server *s = th_fault_start(routes, 1, 4);
  struct ix_fetch_opts o = quick();
  o.total_timeout_ms = 20000;
  o.low_speed_bytes = 100;
  o.low_speed_seconds = 1;
  struct ix_fetch_result r;
  long t0 = now_ms();
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/trickle"), NULL, NULL, NULL, &r), SK_EFETCH);
  long took = now_ms() - t0;
  assert_true(took < 4000);
  assert_contains(r.error, "te langzaam");
  assert_failed_cleanly(&r);
  ix_fetch_result_free(&r);
  th_fault_stop(s);
}

static void test_not_modified_by_etag(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/feed.json", .body = OK_BODY, .etag = "W/\"abc-1\""},
  };
  struct th_fault_server *s = th_fault_start(routes, 1, 4);
  struct ix_fetch_opts o = quick();
  struct ix_fetch_result r;
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/feed.json"), NULL, NULL, NULL, &r), SK_OK);
  char etag[256];
  snprintf(etag, sizeof etag, "%s", r.etag);
  assert_string_equal(etag, "W/\"abc-1\"");
  ix_fetch_result_free(&r);

  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/feed.json"), etag, NULL, OK_HASH, &r), SK_OK);
  char sent[256];
  assert_true(th_fault_last_header(s, "/feed.json", "If-None-Match", sent, sizeof sent));
  assert_string_equal(sent, etag);
  assert_int_equal(r.http_status, 304);
  assert_int_equal(r.not_modified, 1);
  assert_null(r.body);
  assert_string_equal(r.etag, etag);
  assert_string_equal(r.content_hash, OK_HASH);
  ix_fetch_result_free(&r);
  th_fault_stop(s);
}

static void test_not_modified_by_date(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/cal.ics",
       .body = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
       .last_modified = "Wed, 04 Mar 2026 08:30:00 GMT"},
  };
  struct th_fault_server *s = th_fault_start(routes, 1, 4);
  struct ix_fetch_opts o = quick();
  struct ix_fetch_result r;
  assert_int_equal(
      ix_fetch(&o, th_fault_url(s, "/cal.ics"), NULL, "Wed, 04 Mar 2026 08:30:00 GMT", NULL, &r),
      SK_OK);
  assert_int_equal(r.http_status, 304);
  assert_int_equal(r.not_modified, 1);
  assert_null(r.body);
  assert_string_equal(r.last_modified, "Wed, 04 Mar 2026 08:30:00 GMT");
  assert_string_equal(r.content_hash, "");
  ix_fetch_result_free(&r);
  /* An older date gets the full body. */
  assert_int_equal(
      ix_fetch(&o, th_fault_url(s, "/cal.ics"), NULL, "Mon, 02 Mar 2026 08:30:00 GMT", NULL, &r),
      SK_OK);
  assert_int_equal(r.http_status, 200);
  assert_non_null(r.body);
  ix_fetch_result_free(&r);
  th_fault_stop(s);
}

/* A validator from the store is still data: one with a line break must not
 * become an extra request header. */
static void test_validator_cannot_inject_headers(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {{.path = "/feed.json", .body = OK_BODY}};
  struct th_fault_server *s = th_fault_start(routes, 1, 4);
  struct ix_fetch_opts o = quick();
  struct ix_fetch_result r;
  assert_int_equal(
      ix_fetch(&o, th_fault_url(s, "/feed.json"), "\"x\"\r\nX-Evil: 1", NULL, NULL, &r), SK_OK);
  char v[64];
  assert_false(th_fault_last_header(s, "/feed.json", "X-Evil", v, sizeof v));
  assert_false(th_fault_last_header(s, "/feed.json", "If-None-Match", v, sizeof v));
  ix_fetch_result_free(&r);
  th_fault_stop(s);
}

/* The server has no validators at all: the content hash still tells that
 * nothing changed, so the caller need not parse. */
static void test_unchanged_content_hash(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {{.path = "/feed.json", .body = OK_BODY}};
  struct th_fault_server *s = th_fault_start(routes, 1, 4);
  struct ix_fetch_opts o = quick();
  struct ix_fetch_result r;
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/feed.json"), NULL, NULL, OK_HASH, &r), SK_OK);
  assert_int_equal(r.http_status, 200);
  assert_int_equal(r.not_modified, 1);
  assert_null(r.body);
  assert_string_equal(r.content_hash, OK_HASH);
  ix_fetch_result_free(&r);
  /* A different known hash: the body comes back with its new hash. */
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/feed.json"), NULL, NULL,
                            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", &r),
                   SK_OK);
  assert_int_equal(r.not_modified, 0);
  assert_string_equal(r.body, OK_BODY);
  assert_string_equal(r.content_hash, OK_HASH);
  ix_fetch_result_free(&r);
  th_fault_stop(s);
}

/* The natural loop passes last run's result back in as its own output:
 * the validators must be read before the result is cleared. */
static void test_result_reused_as_input(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/v1", .body = OK_BODY, .etag = "\"v1\""},
      {.path = "/v2", .body = "{\"ok\":false}"},
  };
  struct th_fault_server *s = th_fault_start(routes, 2, 6);
  struct ix_fetch_opts o = quick();
  struct ix_fetch_result r;
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/v1"), NULL, NULL, NULL, &r), SK_OK);
  ix_fetch_result_free(&r);
  assert_int_equal(
      ix_fetch(&o, th_fault_url(s, "/v1"), r.etag, r.last_modified, r.content_hash, &r), SK_OK);
  assert_int_equal(r.http_status, 304);
  assert_string_equal(r.etag, "\"v1\"");
  assert_string_equal(r.content_hash, OK_HASH);
  ix_fetch_result_free(&r);
  /* Other content under the old hash is new content. */
  assert_int_equal(ix_fetch(&o, th_fault_url(s, "/v2"), NULL, NULL, r.content_hash, &r), SK_OK);
  assert_int_equal(r.not_modified, 0);
  assert_string_equal(r.body, "{\"ok\":false}");
  ix_fetch_result_free(&r);
  th_fault_stop(s);
}

static void test_file_url(void **state) {
  (void)state;
  th_write_file(th_path("feed.json"), OK_BODY, strlen(OK_BODY));
  char url[600];
  snprintf(url, sizeof url, "file://%s", th_path("feed.json"));
  struct ix_fetch_opts o = quick();
  struct ix_fetch_result r;
  assert_int_equal(ix_fetch(&o, url, NULL, NULL, NULL, &r), SK_OK);
  assert_int_equal(r.http_status, 0);
  assert_string_equal(r.body, OK_BODY);
  assert_string_equal(r.content_hash, OK_HASH);
  ix_fetch_result_free(&r);
  assert_int_equal(ix_fetch(&o, url, NULL, NULL, OK_HASH, &r), SK_OK);
  assert_int_equal(r.not_modified, 1);
  assert_null(r.body);
  ix_fetch_result_free(&r);
  /* The size cap holds for files too. */
  o.max_bytes = 4;
  assert_int_equal(ix_fetch(&o, url, NULL, NULL, NULL, &r), SK_ETOOBIG);
  assert_contains(r.error, "groter dan 4 bytes");
  ix_fetch_result_free(&r);
}

static void test_file_missing(void **state) {
  (void)state;
  char url[600];
  snprintf(url, sizeof url, "file://%s", th_path("does-not-exist.json"));
  struct ix_fetch_opts o = quick();
  struct ix_fetch_result r;
  assert_int_equal(ix_fetch(&o, url, NULL, NULL, NULL, &r), SK_EFETCH);
  assert_contains(r.error, "Het bestand bestaat niet");
  assert_failed_cleanly(&r);
  ix_fetch_result_free(&r);
  /* Not regular files: a directory, an endless device, a FIFO nobody
   * writes to (curl would block in open(2) forever). */
  snprintf(url, sizeof url, "file://%s", th_tmpdir());
  assert_int_equal(ix_fetch(&o, url, NULL, NULL, NULL, &r), SK_EFETCH);
  assert_contains(r.error, "geen gewoon bestand");
  assert_failed_cleanly(&r);
  ix_fetch_result_free(&r);
  assert_int_equal(ix_fetch(&o, "file:///dev/zero", NULL, NULL, NULL, &r), SK_EFETCH);
  assert_contains(r.error, "geen gewoon bestand");
  ix_fetch_result_free(&r);
  assert_int_equal(mkfifo(th_path("fifo"), 0600), 0);
  snprintf(url, sizeof url, "file://%s", th_path("fifo"));
  assert_int_equal(ix_fetch(&o, url, NULL, NULL, NULL, &r), SK_EFETCH);
  assert_contains(r.error, "geen gewoon bestand");
  ix_fetch_result_free(&r);
  /* Percent-encoded names are decoded like curl does. */
  th_write_file(th_path("met spatie.json"), OK_BODY, strlen(OK_BODY));
  snprintf(url, sizeof url, "file://%s/met%%20spatie.json", th_tmpdir());
  assert_int_equal(ix_fetch(&o, url, NULL, NULL, NULL, &r), SK_OK);
  assert_string_equal(r.body, OK_BODY);
  ix_fetch_result_free(&r);
  assert_int_equal(ix_fetch(&o, "file://feeds/demo.json", NULL, NULL, NULL, &r), SK_EFETCH);
  assert_contains(r.error, "volledig pad");
  ix_fetch_result_free(&r);
}

static void test_other_schemes_refused(void **state) {
  (void)state;
  static const char *const bad[] = {"ftp://127.0.0.1/feed.json",
                                    "gopher://127.0.0.1/1",
                                    "scp://host/x",
                                    "dict://127.0.0.1/",
                                    "javascript:alert(1)",
                                    "/etc/passwd",
                                    "",
                                    NULL};
  struct ix_fetch_opts o = quick();
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct ix_fetch_result r;
    assert_int_equal(ix_fetch(&o, bad[i], NULL, NULL, NULL, &r), SK_EFETCH);
    assert_failed_cleanly(&r);
    ix_fetch_result_free(&r);
  }
  struct ix_fetch_result r;
  assert_int_not_equal(ix_fetch(&o, "gopher://127.0.0.1/1", NULL, NULL, NULL, &r), SK_OK);
  assert_contains(r.error, "https://");
  ix_fetch_result_free(&r);
}

static void test_unreachable_server(void **state) {
  (void)state;
  /* A port that was free a moment ago and has nobody listening now. */
  static const struct th_fault_route routes[] = {{.path = "/x", .body = OK_BODY}};
  struct th_fault_server *s = th_fault_start(routes, 1, 1);
  char url[128];
  snprintf(url, sizeof url, "%s", th_fault_url(s, "/feed.json"));
  th_fault_stop(s);
  struct ix_fetch_opts o = quick();
  struct ix_fetch_result r;
  assert_int_equal(ix_fetch(&o, url, NULL, NULL, NULL, &r), SK_EFETCH);
  assert_contains(r.error, "niet bereikbaar");
  ix_fetch_result_free(&r);
}

struct job {
  const char *url;
  const struct ix_fetch_opts *o;
  int rc;
  long took;
  char error[256];
};

static void *run_job(void *arg) {
  struct job *j = arg;
  struct ix_fetch_result r;
  long t0 = now_ms();
  j->rc = ix_fetch(j->o, j->url, NULL, NULL, NULL, &r);
  j->took = now_ms() - t0;
  snprintf(j->error, sizeof j->error, "%s", r.error);
  ix_fetch_result_free(&r);
  return NULL;
}

/* Fetches in parallel threads are independent: a hanging feed does not
 * delay the healthy ones. */
static void test_parallel_fetches_are_independent(void **state) {
  (void)state;
  static const struct th_fault_route routes[] = {
      {.path = "/hang", .body = OK_BODY, .delay_ms = 30000},
      {.path = "/feed.json", .body = OK_BODY},
  };
  struct th_fault_server *s = th_fault_start(routes, 2, 16);
  struct ix_fetch_opts o = quick();
  o.total_timeout_ms = 1500;
  struct job jobs[5];
  char urls[5][128];
  pthread_t t[5];
  for (int i = 0; i < 5; i++) {
    snprintf(urls[i], sizeof urls[i], "%s", th_fault_url(s, i == 0 ? "/hang" : "/feed.json"));
    jobs[i] = (struct job){.url = urls[i], .o = &o};
  }
  for (int i = 0; i < 5; i++)
    assert_int_equal(pthread_create(&t[i], NULL, run_job, &jobs[i]), 0);
  for (int i = 0; i < 5; i++)
    pthread_join(t[i], NULL);
  assert_int_equal(jobs[0].rc, SK_EFETCH);
  assert_contains(jobs[0].error, "te traag");
  for (int i = 1; i < 5; i++) {
    assert_int_equal(jobs[i].rc, SK_OK);
    assert_true(jobs[i].took < jobs[0].took);
  }
  th_fault_stop(s);
}

int main(void) {
  /* Loopback only: a proxy from the environment must not get in between. */
  static const char *const proxies[] = {"http_proxy",  "https_proxy", "HTTP_PROXY",
                                        "HTTPS_PROXY", "all_proxy",   "ALL_PROXY"};
  for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++)
    unsetenv(proxies[i]);
  if (ix_fetch_global_init() != SK_OK) {
    fprintf(stderr, "ix_fetch_global_init failed\n");
    return 1;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ok),
      cmocka_unit_test(test_one_redirect_is_followed),
      cmocka_unit_test(test_server_error_names_status),
      cmocka_unit_test(test_hang_times_out),
      cmocka_unit_test(test_truncated_body),
      cmocka_unit_test(test_invalid_utf8),
      cmocka_unit_test(test_bom_is_stripped),
      cmocka_unit_test(test_size_cap_with_length),
      cmocka_unit_test(test_size_cap_without_length),
      cmocka_unit_test(test_redirect_loop),
      cmocka_unit_test(test_redirect_to_other_scheme_refused),
      cmocka_unit_test(test_trickle_is_cut_off),
      cmocka_unit_test(test_not_modified_by_etag),
      cmocka_unit_test(test_not_modified_by_date),
      cmocka_unit_test(test_validator_cannot_inject_headers),
      cmocka_unit_test(test_unchanged_content_hash),
      cmocka_unit_test(test_result_reused_as_input),
      cmocka_unit_test(test_file_url),
      cmocka_unit_test(test_file_missing),
      cmocka_unit_test(test_other_schemes_refused),
      cmocka_unit_test(test_unreachable_server),
      cmocka_unit_test(test_parallel_fetches_are_independent),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return failed;
}
