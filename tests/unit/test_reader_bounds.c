/* Every feed reader is given data[0..len) that need not be NUL-terminated
 * (issue 16 point 3: partner-json read one byte past '{"format":'). Each
 * prefix of real test documents, in a malloc'd buffer of exactly its size,
 * must be read or refused without touching a byte beyond it: ASan (the
 * asan preset) reports any such read. In other builds this checks that no
 * prefix crashes or gives an unexpected error code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_test.h"
#include "ix_hsds.h"
#include "ix_ical.h"
#include "ix_partner_json.h"
#include "sk_err.h"

static char *read_data(const char *rel, size_t *len) {
  FILE *f = fopen(th_source_path(rel), "rb");
  if (!f)
    fail_msg("cannot read %s", rel);
  char *buf = malloc(1 << 20);
  assert_non_null(buf);
  *len = fread(buf, 1, 1 << 20, f);
  fclose(f);
  return buf;
}

enum reader { R_PARTNER, R_HSDS, R_ICAL };

static void parse_exact(enum reader r, const char *doc, size_t len) {
  char *copy = malloc(len ? len : 1);
  assert_non_null(copy);
  memcpy(copy, doc, len);
  struct ix_batch b;
  ix_batch_init(&b, 0);
  char err[512];
  int rc, pages = 0;
  if (r == R_PARTNER) {
    rc = ix_partner_json_parse(copy, len, &b, err, sizeof err);
  } else if (r == R_HSDS) {
    rc = ix_hsds_parse(copy, len, th_taxonomy(), &b, &pages, err, sizeof err);
  } else {
    struct ix_ical_opts o;
    ix_ical_opts_default(&o, 1780000000);
    o.tax = th_taxonomy();
    rc = ix_ical_parse(copy, len, &o, &b, err, sizeof err);
  }
  if (rc != SK_OK && rc != SK_EPARSE && rc != SK_EINVAL)
    fail_msg("reader %d, %zu bytes: unexpected %d (%s)", (int)r, len, rc, err);
  ix_batch_free(&b);
  free(copy);
}

static void every_prefix(enum reader r, const char *rel) {
  size_t len;
  char *doc = read_data(rel, &len);
  assert_true(len > 0);
  for (size_t n = 0; n <= len; n++)
    parse_exact(r, doc, n);
  free(doc);
}

static void test_partner_json_prefixes(void **state) {
  (void)state;
  static const char *const cuts[] = {"{\"format\":",        "{\"format\" :  ",   "{\"services\":",
                                     "{\"organizations\":", "{\"locations\":\t", "{\"x\":"};
  for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
    parse_exact(R_PARTNER, cuts[i], strlen(cuts[i]));
  every_prefix(R_PARTNER, "tests/data/partner/full.json");
}

static void test_hsds_prefixes(void **state) {
  (void)state;
  every_prefix(R_HSDS, "tests/data/hsds/profile.json");
  every_prefix(R_HSDS, "tests/data/hsds/envelope.json");
}

static void test_ical_prefixes(void **state) {
  (void)state;
  every_prefix(R_ICAL, "tests/data/ical/google-overrides.ics");
  every_prefix(R_ICAL, "tests/data/ical/latin1.ics");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_partner_json_prefixes),
      cmocka_unit_test(test_hsds_prefixes),
      cmocka_unit_test(test_ical_prefixes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
