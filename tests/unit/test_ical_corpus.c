/* iCal robustness: every file of the third-party corpus (../shared/corpora/ics:
 * libical fuzz crashers, ical.js, python icalendar, recurring-ical-events,
 * ical4j) goes through ix_ical_parse. Nothing may crash, hang or leak (run
 * under the ASan build); a document is either read (SK_OK) or rejected with
 * SK_EPARSE and a Dutch reason; everything stored is valid UTF-8, and
 * occurrences are sorted, capped and well-formed. Skipped (77) without the
 * corpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helper_test.h"
#include "ix_ical.h"
#include "sk_err.h"
#include "sk_fold.h"

/* 2016-01-01T00:00:00Z .. 2026-12-31T00:00:00Z: where most corpus events live. */
#define WS 1451606400LL
#define WE 1798675200LL
#define MAX_FILE (8u << 20)
#define HANG_SECONDS 20

struct totals {
  size_t files, parsed, rejected, events, occurrences, warnings, event_rejections;
  size_t valid_dir_files, valid_dir_with_events;
  double slowest_ms;
  char slowest[512];
};

static struct totals tot;
static const char *current_file;

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "ical corpus: HANG (more than 20 s) in ";
  ssize_t w = write(2, msg, sizeof msg - 1);
  if (current_file)
    w = write(2, current_file, strlen(current_file));
  w = write(2, "\n", 1);
  (void)w;
  _exit(1);
}

static void check_text(const char *path, const char *what, const char *s) {
  if (s && !sk_utf8_valid(s, strlen(s)))
    fail_msg("%s: %s is not valid UTF-8", path, what);
}

static void check_batch(const char *path, const struct ix_batch *b) {
  for (size_t i = 0; i < b->services.n; i++) {
    const struct ix_service *s = &b->services.v[i];
    if (!s->key || !*s->key || !s->name || !*s->name)
      fail_msg("%s: service %zu without key or name", path, i);
    if (s->kind != IX_KIND_ACTIVITY)
      fail_msg("%s: service %zu is not an activity", path, i);
    check_text(path, "key", s->key);
    check_text(path, "name", s->name);
    check_text(path, "description", s->description);
    check_text(path, "location", s->location_text);
    check_text(path, "organizer", s->organizer);
    check_text(path, "keywords", s->keywords);
    check_text(path, "url", s->url);
    check_text(path, "uid", s->uid);
    if (s->name && strlen(s->name) > 200)
      fail_msg("%s: name longer than the cap", path);
    if (s->occurrences.n > IX_ICAL_DEFAULT_MAX_OCCURRENCES)
      fail_msg("%s: %zu occurrences (cap %d)", path, s->occurrences.n,
               IX_ICAL_DEFAULT_MAX_OCCURRENCES);
    for (size_t k = 0; k < s->occurrences.n; k++) {
      const struct ix_occurrence *o = &s->occurrences.v[k];
      size_t len = strlen(o->starts_at);
      if (len != 10 && len != 25)
        fail_msg("%s: starts_at '%s'", path, o->starts_at);
      if (k && o->start_utc < s->occurrences.v[k - 1].start_utc)
        fail_msg("%s: occurrences of %s not sorted", path, s->key);
      if (o->end_utc != IX_UNSET && o->end_utc < o->start_utc)
        fail_msg("%s: occurrence ends before it starts", path);
      if (o->start_utc >= WE)
        fail_msg("%s: occurrence after the window", path);
      check_text(path, "occurrence location", o->location_text);
    }
  }
  for (size_t i = 0; i < b->warnings.n; i++)
    check_text(path, "warning", b->warnings.v[i]);
  for (size_t i = 0; i < b->rejections.n; i++)
    check_text(path, "rejection", b->rejections.v[i].reason);
}

static int visit(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
  (void)ftw;
  if (type != FTW_F || !S_ISREG(sb->st_mode) || sb->st_size > MAX_FILE)
    return 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    fail_msg("cannot open %s", path);
  char *data = malloc((size_t)sb->st_size + 1);
  assert_non_null(data);
  size_t n = fread(data, 1, (size_t)sb->st_size, f);
  fclose(f);

  struct ix_ical_opts o;
  ix_ical_opts_default(&o, 0);
  o.window_start = WS;
  o.window_end = WE;
  o.tax = th_taxonomy();
  struct ix_batch b;
  ix_batch_init(&b, 256u << 20);
  char err[256] = "";
  struct timespec t0, t1;
  current_file = path;
  alarm(HANG_SECONDS);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = ix_ical_parse(data, n, &o, &b, err, sizeof err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  alarm(0);
  double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
  if (ms > tot.slowest_ms) {
    tot.slowest_ms = ms;
    snprintf(tot.slowest, sizeof tot.slowest, "%s", path);
  }
  tot.files++;
  if (rc == SK_OK) {
    tot.parsed++;
    check_batch(path, &b);
    tot.events += b.services.n;
    for (size_t i = 0; i < b.services.n; i++)
      tot.occurrences += b.services.v[i].occurrences.n;
    tot.warnings += b.warnings.n;
    tot.event_rejections += b.rejections.n;
  } else if (rc == SK_EPARSE) {
    tot.rejected++;
    if (strlen(err) < 10 || !sk_utf8_valid(err, strlen(err)))
      fail_msg("%s: rejected without a clear reason ('%s')", path, err);
    if (b.services.n || b.warnings.n)
      fail_msg("%s: rejected document left records in the batch", path);
    if (getenv("SK_ICAL_CORPUS_VERBOSE"))
      print_message("rejected %s: %s\n", path, err);
  } else {
    fail_msg("%s: unexpected result %d (%s)", path, rc, err);
  }
  /* ical4j's "valid" samples must be read and give at least one activity
   * when they hold a VEVENT with a SUMMARY and a DTSTART. */
  if (strstr(path, "/ical4j-valid/")) {
    tot.valid_dir_files++;
    if (rc != SK_OK)
      fail_msg("%s: a valid calendar was rejected: %s", path, err);
    if (b.services.n)
      tot.valid_dir_with_events++;
  }
  if (getenv("SK_ICAL_CORPUS_VERBOSE"))
    print_message("%8.1f ms rc %d events %zu rej %zu %s\n", ms, rc, b.services.n, b.rejections.n,
                  path);
  ix_batch_free(&b);
  free(data);
  current_file = NULL;
  return 0;
}

static void test_corpus(void **state) {
  (void)state;
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/ics", th_corpora_dir());
  signal(SIGALRM, on_alarm);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  assert_int_equal(nftw(dir, visit, 16, FTW_PHYS), 0);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  print_message("ical corpus: %zu files, %zu parsed, %zu rejected, %zu events, %zu occurrences, "
                "%zu event rejections, %zu warnings; %.1f s (slowest %.0f ms: %s)\n",
                tot.files, tot.parsed, tot.rejected, tot.events, tot.occurrences,
                tot.event_rejections, tot.warnings, secs, tot.slowest_ms, tot.slowest);
  assert_true(tot.files > 100);
  assert_true(tot.parsed > tot.rejected);
  assert_true(tot.events > 0 && tot.occurrences > 0);
  /* most valid samples carry events; a few only hold todos or journals */
  assert_true(tot.valid_dir_with_events * 2 > tot.valid_dir_files);
}

static int teardown(void **state) {
  (void)state;
  ix_ical_global_cleanup();
  return 0;
}

int main(void) {
  const char *c = th_corpora_dir();
  char dir[1024];
  struct stat sb;
  if (!c || (snprintf(dir, sizeof dir, "%s/ics", c), stat(dir, &sb) != 0)) {
    printf("ical corpus absent: skipped\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_corpus)};
  return cmocka_run_group_tests(tests, NULL, teardown);
}
