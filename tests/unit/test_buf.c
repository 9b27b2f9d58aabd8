/* sk_buf: bounded growth, and the clear failure past the bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sk_buf.h"
#include "sk_err.h"
#include "sk_id.h"

static void test_appends_within_bound(void **state) {
  (void)state;
  struct sk_buf b;
  sk_buf_init(&b, 16);
  assert_string_equal(sk_buf_str(&b), "");
  assert_int_equal(sk_buf_addstr(&b, "hallo"), SK_OK);
  assert_int_equal(sk_buf_printf(&b, " %d", 42), SK_OK);
  assert_string_equal(sk_buf_str(&b), "hallo 42");
  assert_int_equal(sk_buf_addstr(&b, "12345678"), SK_OK); /* exactly 16 */
  assert_int_equal(b.len, 16);
  sk_buf_free(&b);
}

static void test_past_bound_fails_and_empties(void **state) {
  (void)state;
  struct sk_buf b;
  sk_buf_init(&b, 8);
  assert_int_equal(sk_buf_addstr(&b, "1234"), SK_OK);
  assert_int_equal(sk_buf_addstr(&b, "56789"), SK_ETOOBIG);
  assert_int_equal(b.len, 0);
  assert_string_equal(sk_buf_str(&b), "");
  assert_int_equal(sk_buf_printf(&b, "%s", "way too long for this"), SK_ETOOBIG);
  sk_buf_free(&b);
}

static void test_detach_hands_over(void **state) {
  (void)state;
  struct sk_buf b;
  sk_buf_init(&b, 100);
  size_t len;
  char *empty = sk_buf_detach(&b, &len);
  assert_string_equal(empty, "");
  free(empty);
  assert_int_equal(sk_buf_addstr(&b, "abc"), SK_OK);
  char *p = sk_buf_detach(&b, &len);
  assert_int_equal(len, 3);
  assert_string_equal(p, "abc");
  assert_null(b.ptr);
  free(p);
}

static void test_uuids(void **state) {
  (void)state;
  char a[SK_UUID_LEN], b[SK_UUID_LEN], c[SK_UUID_LEN];
  sk_uuid_from_name("feed:x\nkey1", 11, a);
  sk_uuid_from_name("feed:x\nkey1", 11, b);
  sk_uuid_from_name("feed:x\nkey2", 11, c);
  assert_string_equal(a, b);
  assert_string_not_equal(a, c);
  assert_true(sk_uuid_valid(a));
  sk_uuid_random(b);
  assert_true(sk_uuid_valid(b));
  assert_int_equal(b[14], '4');
  assert_false(sk_uuid_valid("not-a-uuid"));
  assert_false(sk_uuid_valid("../../../../etc/passwd-aaaaaaaaaaaaaa"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_appends_within_bound),
      cmocka_unit_test(test_past_bound_fails_and_empties),
      cmocka_unit_test(test_detach_hands_over),
      cmocka_unit_test(test_uuids),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
