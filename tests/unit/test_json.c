/* ix_json, the reader behind partner-json: it must accept exactly what
 * jansson (JSON_REJECT_DUPLICATES, no JSON_ALLOW_NUL) accepts, and read the
 * same values. jansson is the oracle here: hand-picked edge cases plus
 * bounded random mutations of a real feed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ix_json.h"
#include "ix_partner_json.h"
#include "sk_err.h"

/* 1 when ix_json takes doc as one whole value. */
static int ours_accepts(const char *doc, size_t len) {
  struct ix_json j;
  ix_json_init(&j, doc, len);
  enum ix_jtype t;
  int ok = ix_json_check(&j, &t, NULL) == SK_OK && ix_json_at_end(&j);
  ix_json_free(&j);
  return ok;
}

static int jansson_accepts(const char *doc, size_t len) {
  json_error_t e;
  json_t *v = json_loadb(doc, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);
  json_decref(v);
  return v != NULL;
}

/* Same value in both trees (member order included). */
static int same(const struct ix_json *j, const struct ix_jnode *n, json_t *v) {
  switch (n->type) {
  case IX_JNULL: return json_is_null(v);
  case IX_JTRUE: return json_is_true(v);
  case IX_JFALSE: return json_is_false(v);
  case IX_JINT: return json_is_integer(v) && json_integer_value(v) == n->i;
  case IX_JREAL: return json_is_real(v) && json_real_value(v) == n->d;
  case IX_JSTR:
    return json_is_string(v) && json_string_length(v) == n->len &&
           memcmp(json_string_value(v), ix_jnode_str(j, n), n->len) == 0 &&
           ix_jnode_str(j, n)[n->len] == '\0';
  case IX_JARR: {
    if (!json_is_array(v) || json_array_size(v) != n->len)
      return 0;
    size_t i = 0;
    for (const struct ix_jnode *c = ix_jnode_first(j, n); c; c = ix_jnode_next(j, c), i++)
      if (!same(j, c, json_array_get(v, i)))
        return 0;
    return i == n->len;
  }
  case IX_JOBJ: {
    if (!json_is_object(v) || json_object_size(v) != n->len)
      return 0;
    for (const struct ix_jnode *c = ix_jnode_first(j, n); c; c = ix_jnode_next(j, c)) {
      json_t *m = json_object_get(v, ix_jnode_key(j, c));
      if (!m || !same(j, c, m) || ix_jnode_get(j, n, ix_jnode_key(j, c)) != c)
        return 0;
    }
    return 1;
  }
  }
  return 0;
}

static void check_one(const char *doc, size_t len) {
  int ours = ours_accepts(doc, len), theirs = jansson_accepts(doc, len);
  if (ours != theirs) {
    for (size_t i = 0; i < len; i++)
      fprintf(stderr,
              (unsigned char)doc[i] < 0x20 || (unsigned char)doc[i] >= 0x7f ? "<%02x>" : "%c",
              (unsigned char)doc[i]);
    fprintf(stderr, "\n");
  }
  if (ours != theirs)
    fail_msg("ix_json %s, jansson %s: %.*s", ours ? "accepts" : "refuses",
             theirs ? "accepts" : "refuses", (int)(len > 2000 ? 2000 : len), doc);
  if (!ours)
    return;
  struct ix_json j;
  ix_json_init(&j, doc, len);
  size_t node;
  assert_int_equal(ix_json_read(&j, &node), SK_OK);
  json_error_t e;
  json_t *v = json_loadb(doc, len, JSON_DECODE_ANY, &e);
  assert_non_null(v);
  if (!same(&j, ix_jnode_at(&j, node), v))
    fail_msg("different values: %.*s", (int)(len > 2000 ? 2000 : len), doc);
  json_decref(v);
  ix_json_free(&j);
}

static void test_edge_cases_match_jansson(void **state) {
  (void)state;
  static const char *const docs[] = {
      "{}", "[]", " [ ] ", "{\"a\":1}", "{\"a\":1,}", "[1,]", "[,1]", "{\"a\" 1}", "{a:1}", "[1 2]",
      "[\"a\"\"b\"]", "", " ", "[", "{", "]", "[1]]", "[1] x", "[1]\n\t\r ", "0", "-0", "-", "01",
      "1.", ".5", "1.5", "1e5", "1E+5", "1e-5", "1e", "1e+", "-1.5e-3", "9223372036854775807",
      "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "1e308", "1e309",
      "-1e309", "1e-400", "123456789012345678901234", "true", "false", "null", "tru", "nul", "True",
      "[true,false,null]", "nan", "Infinity", "\"\"", "\"a\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
      "\"\\x\"", "\"\\u0041\"", "\"\\u00e9\"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud83d\\ude00\"",
      "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83dx\"", "\"\\ud83d\\u0041\"", "\"\\u12\"",
      "\"\\u12g4\"", "\"\\uFFFF\"", "\"tab\there\"", "\"nl\nhere\"", "\"\x7f\"", "\"caf\xc3\xa9\"",
      "\"\xc3\"", "\"\xc3\x28\"", "\"\xc0\xaf\"", "\"\xe0\x80\xaf\"", "\"\xed\xa0\x80\"",
      "\"\xf4\x90\x80\x80\"", "\"\xf0\x9f\x98\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xff\"",
      "\"\xe2\x82\xac\"", "\"\xe2\x82\"", "\"unterminated", "{\"a\":1,\"a\":2}",
      "{\"a\":1,\"b\":{\"a\":2}}", "{\"a\":1,\"\\u0061\":2}", "{\"\":1,\"\":2}",
      "[{\"x\":1,\"x\":1}]", "{\"k\":[1,{\"k\":2,\"j\":3}],\"j\":null}", "\xef\xbb\xbf{}",
      "{\"a\":1}\x00", "[\"a\x00\"]",
      /* an empty object as the first value of a document (UBSan: offset on NULL) */
      "{\"a\":{}}", "[{}]", "{\"a\":[{}],\"b\":{}}"};
  for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
    check_one(docs[i], strlen(docs[i]));
  /* a NUL byte where a value or a string character should be */
  check_one("[1,\0]", 5);
  check_one("[\"a\0b\"]", 7);
  /* jansson skips a NUL byte right after a literal or number (a quirk of
   * its lexer); a NUL is never valid JSON, so we refuse it */
  assert_false(ours_accepts("[null\0]", 7));
  assert_false(ours_accepts("[1\0]", 4));
  /* many keys: the sorted duplicate check */
  char big[8192];
  size_t n = (size_t)snprintf(big, sizeof big, "{");
  for (int i = 0; i < 200; i++)
    n += (size_t)snprintf(big + n, sizeof big - n, "%s\"k%d\":%d", i ? "," : "", i, i);
  snprintf(big + n, sizeof big - n, "}");
  check_one(big, strlen(big));
  snprintf(big + n, sizeof big - n, ",\"k150\":0}");
  check_one(big, strlen(big));
}

static void test_depth_limit_matches_jansson(void **state) {
  (void)state;
  size_t cap = 2 * (IX_JSON_MAX_DEPTH + 4) + 8;
  char *doc = malloc(cap);
  assert_non_null(doc);
  for (int depth = IX_JSON_MAX_DEPTH - 2; depth <= IX_JSON_MAX_DEPTH + 2; depth++) {
    size_t n = 0;
    for (int i = 0; i < depth; i++)
      doc[n++] = '[';
    for (int i = 0; i < depth; i++)
      doc[n++] = ']';
    check_one(doc, n);
    /* with a scalar innermost */
    n = 0;
    for (int i = 0; i < depth; i++)
      doc[n++] = '[';
    doc[n++] = '1';
    for (int i = 0; i < depth; i++)
      doc[n++] = ']';
    check_one(doc, n);
  }
  free(doc);
}

static const char feed[] =
    "{\"format\": \"sociale-kaart-partner/1\", \"organizations\": [{\"key\": \"o\", \"name\": "
    "\"Org \\u00e9\\ud83d\\ude00\"}], \"locations\": [{\"key\": \"l\", \"organization\": \"o\", "
    "\"latitude\": 52.29, \"longitude\": -5e-1}], \"services\": [{\"key\": \"s\", "
    "\"organization\": \"o\", \"name\": \"Inloop \\\"x\\\"\", \"needs\": [\"geld\"], "
    "\"areas\": [\"huizen\"], \"min_age\": 18, \"phones\": [{\"number\": \"035 000 0001\", "
    "\"restricted\": true}], \"hours\": [{\"days\": [\"ma\"], \"opens\": \"09:00\", "
    "\"closes\": \"12:00\", \"note\": null}], \"x\": {\"y\": [1, 2.5, false]}}]}";

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void) {
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 2685821657736338717ull;
}

/* Bounded random mutations of a feed: byte flips, deletions, insertions of
 * JSON punctuation; both readers must agree on every one. */
static void test_mutations_match_jansson(void **state) {
  (void)state;
  static const char alphabet[] = "{}[]\",:\\u0123456789.eE+-truefalsn \t\n\x80\xc3\xa9\xff";
  size_t len = sizeof feed - 1;
  char *doc = malloc(len + 8);
  assert_non_null(doc);
  for (int round = 0; round < 20000; round++) {
    memcpy(doc, feed, len);
    size_t n = len;
    int edits = 1 + (int)(rnd() % 3);
    for (int e = 0; e < edits; e++) {
      size_t at = (size_t)(rnd() % n);
      char c = alphabet[rnd() % (sizeof alphabet - 1)];
      switch (rnd() % 3) {
      case 0: doc[at] = c; break;
      case 1:
        memmove(doc + at, doc + at + 1, n - at - 1);
        n--;
        break;
      default:
        if (n < len + 7) {
          memmove(doc + at + 1, doc + at, n - at);
          doc[at] = c;
          n++;
        }
      }
    }
    check_one(doc, n);
  }
  free(doc);
}

/* The partner-json parser on the same mutations: never a crash; a document
 * jansson refuses is refused whole (nothing appended). */
static void test_partner_json_refuses_what_jansson_refuses(void **state) {
  (void)state;
  size_t len = sizeof feed - 1;
  char *doc = malloc(len + 8);
  assert_non_null(doc);
  for (int round = 0; round < 5000; round++) {
    memcpy(doc, feed, len);
    size_t n = len, at = (size_t)(rnd() % n);
    doc[at] = "{}[]\",:x\xff"[rnd() % 9];
    struct ix_batch b;
    ix_batch_init(&b, 0);
    char err[512];
    int rc = ix_partner_json_parse(doc, n, &b, err, sizeof err);
    if (!jansson_accepts(doc, n)) {
      assert_int_equal(rc, SK_EPARSE);
      assert_non_null(strstr(err, "geen geldige JSON"));
      assert_int_equal(b.orgs.n + b.locations.n + b.services.n + b.rejections.n, 0);
    }
    ix_batch_free(&b);
  }
  free(doc);
}

static void test_error_says_where(void **state) {
  (void)state;
  const char *doc =
      "{\"format\": \"sociale-kaart-partner/1\",\n \"services\": [\n  {\"key\": \"a\","
      " \"key\": \"b\"}]}";
  struct ix_batch b;
  ix_batch_init(&b, 0);
  char err[512];
  assert_int_equal(ix_partner_json_parse(doc, strlen(doc), &b, err, sizeof err), SK_EPARSE);
  assert_non_null(strstr(err, "regel 3"));
  assert_non_null(strstr(err, "'key' staat twee keer"));
  doc = "{\"services\": [], \"format\": \"sociale-kaart-partner/1\"} x";
  assert_int_equal(ix_partner_json_parse(doc, strlen(doc), &b, err, sizeof err), SK_EPARSE);
  assert_non_null(strstr(err, "regel 1, kolom 55: hier verwachtten we het einde van de tekst"));
  ix_batch_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_edge_cases_match_jansson),
      cmocka_unit_test(test_depth_limit_matches_jansson),
      cmocka_unit_test(test_mutations_match_jansson),
      cmocka_unit_test(test_partner_json_refuses_what_jansson_refuses),
      cmocka_unit_test(test_error_says_where),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
