/* The dutch tokenizer: folding, stemming, offsets, hostile bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "helper_test.h"
#include "sk_err.h"
#include "sk_fold.h"
#include "sk_tokenizer.h"

static sqlite3 *db;

static int setup(void **state) {
  (void)state;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(sk_tokenizer_register(db), SK_OK);
  assert_int_equal(
      sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='dutch')", NULL, NULL, NULL),
      SQLITE_OK);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  sqlite3_close(db);
  return 0;
}

/* 1 when query matches document text. */
static int matches(const char *doc, const char *query) {
  sqlite3_stmt *s;
  assert_int_equal(sqlite3_exec(db, "DELETE FROM t", NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t(x) VALUES(?1)", -1, &s, NULL), SQLITE_OK);
  sqlite3_bind_text(s, 1, doc, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(s), SQLITE_DONE);
  sqlite3_finalize(s);
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &s, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(s, 1, query, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  int n = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
  sqlite3_finalize(s);
  return n;
}

static void test_folds_case_and_diacritics(void **state) {
  (void)state;
  assert_int_equal(matches("Geïndiceerde zorg", "geindiceerde"), 1);
  assert_int_equal(matches("geindiceerde zorg", "\"geïndiceerde\""), 1);
  assert_int_equal(matches("Taalcafé in de bieb", "taalcafe"), 1);
  assert_int_equal(matches("CAFÉ", "cafe"), 1);
  assert_int_equal(matches("één keer per week", "een"), 1);
  assert_int_equal(matches("Cliëntondersteuning", "clientondersteuning"), 1);
}

static void test_dutch_inflections_match(void **state) {
  (void)state;
  assert_int_equal(matches("Hulp bij schulden", "schuld"), 1);
  assert_int_equal(matches("Voor ouderen in Laren", "oudere"), 1);
  assert_int_equal(matches("Vraag het uw huisarts", "huisartsen"), 1);
  assert_int_equal(matches("Alle huisartsen in Huizen", "huisarts"), 1);
  assert_int_equal(matches("Koffie in de buurthuizen", "buurthuis"), 1);
  assert_int_equal(matches("Spelen met kinderen", "kind"), 1);
  assert_int_equal(matches("Koffieochtenden", "koffieochtend"), 1);
  assert_int_equal(matches("Steun voor gezinnen", "gezin"), 1);
  assert_int_equal(matches("Een maatje voor u", "maatjes"), 1);
  assert_int_equal(matches("Alle ziektes", "ziekte"), 1);
  assert_int_equal(matches("De wijkcentra van Huizen", "wijkcentrum"), 1);
  assert_int_equal(matches("Een kindje krijgen", "kind"), 1);
  assert_int_equal(matches("Brieven lezen", "brief"), 1);
  /* "les" and "mes" are singulars, not plurals in -es */
  assert_int_equal(matches("Zwemles voor volwassenen", "zwemlessen"), 1);
  assert_int_equal(matches("Bijlessen na school", "bijles"), 1);
  assert_int_equal(matches("Een zakmes", "zakmessen"), 1);
  /* and a different word does not match */
  assert_int_equal(matches("Hulp bij schulden", "huisarts"), 0);
}

static void test_prefix_query_is_not_stemmed(void **state) {
  (void)state;
  assert_int_equal(matches("Schuldhulpverlening HBEL", "schuld*"), 1);
  assert_int_equal(matches("Mantelzorgers", "mantelz*"), 1);
}

static int collect(void *ctx, const char *word, size_t len, size_t start, size_t end) {
  char *out = ctx;
  char tmp[160];
  snprintf(tmp, sizeof tmp, "%.*s@%zu-%zu ", (int)len, word, start, end);
  strncat(out, tmp, 1023 - strlen(out));
  return 0;
}

static void test_words_keep_original_offsets(void **state) {
  (void)state;
  char out[1024] = "";
  const char *text = "Café 'De Brug', één-op-één!";
  assert_int_equal(sk_words(text, strlen(text), collect, out), SK_OK);
  assert_string_equal(out, "cafe@0-5 de@7-9 brug@10-14 een@17-22 op@23-25 een@26-31 ");
}

static void test_hostile_bytes_do_not_crash(void **state) {
  (void)state;
  /* invalid UTF-8: lone continuation, overlong, truncated, surrogate */
  const char bad[] = "ab\x80\xC0\xAF cd\xE2\x82 \xED\xA0\x80 ef\xF4\x90\x80\x80 gh\xFF";
  char out[1024] = "";
  assert_int_equal(sk_words(bad, sizeof bad - 1, collect, out), SK_OK);
  assert_non_null(strstr(out, "ab@0-2"));
  assert_non_null(strstr(out, "gh@"));
  assert_true(matches(bad, "ef") == 1);
  /* a very long word, emoji, and NUL-free control characters */
  char *longw = malloc(10001);
  assert_non_null(longw);
  memset(longw, 'a', 10000);
  longw[10000] = '\0';
  assert_int_equal(matches(longw, "aaaa"), 0);
  free(longw);
  assert_int_equal(matches("hulp \xF0\x9F\x98\x80 nu\x01\x02", "nu"), 1);
  struct sk_buf b;
  sk_buf_init(&b, 1024);
  assert_int_equal(sk_fold(bad, sizeof bad - 1, &b), SK_OK);
  assert_true(sk_utf8_valid(sk_buf_str(&b), b.len));
  sk_buf_free(&b);
}

static void test_utf8_validation(void **state) {
  (void)state;
  assert_true(sk_utf8_valid("geïndiceerd", strlen("geïndiceerd")));
  assert_false(sk_utf8_valid("\xC0\xAF", 2));     /* overlong */
  assert_false(sk_utf8_valid("\xED\xA0\x80", 3)); /* surrogate */
  assert_false(sk_utf8_valid("a\0b", 3));         /* NUL */
  assert_false(sk_utf8_valid("\xE2\x82", 2));     /* truncated */
  /* counting and cutting on character boundaries */
  assert_int_equal(sk_utf8_chars("café één"), 8);
  assert_int_equal(sk_utf8_prefix("café", 5, 4), 3); /* é does not fit whole */
  assert_int_equal(sk_utf8_prefix("café", 5, 5), 5);
  assert_int_equal(sk_utf8_prefix("ab\x80"
                                  "cd",
                                  5, 10),
                   2); /* stops at a bad byte */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_folds_case_and_diacritics),
      cmocka_unit_test(test_dutch_inflections_match),
      cmocka_unit_test(test_prefix_query_is_not_stemmed),
      cmocka_unit_test(test_words_keep_original_offsets),
      cmocka_unit_test(test_hostile_bytes_do_not_crash),
      cmocka_unit_test(test_utf8_validation),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
