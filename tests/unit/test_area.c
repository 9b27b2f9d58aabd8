/* Service areas as people write them (indexer/ix_area.c): names, lists,
 * provinces, CBS codes, postcodes, GeoJSON; and garbage never crashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_test.h"
#include "ix_area.h"
#include "sk_err.h"

/* The codes of a name, sorted and comma-separated ("" when none). */
static const char *place(const char *name) {
  static char out[512];
  struct ix_area_result r;
  assert_int_equal(ix_area_resolve(th_taxonomy(), name, &r), SK_OK);
  const char *v[IX_AREA_MAX];
  for (size_t i = 0; i < r.n; i++)
    v[i] = r.codes[i];
  for (size_t i = 1; i < r.n; i++)
    for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
      const char *t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
  out[0] = '\0';
  for (size_t i = 0; i < r.n; i++)
    snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? "," : "", v[i]);
  return out;
}

static void test_names(void **state) {
  (void)state;
  assert_string_equal(place("Huizen"), "huizen");
  assert_string_equal(place("  gemeente HUIZEN "), "huizen");
  assert_string_equal(place("De gemeente Laren"), "laren");
  assert_string_equal(place("Nederland"), "landelijk");
  assert_string_equal(place("The Netherlands"), "landelijk");
  assert_string_equal(place("NL"), "landelijk");
  assert_string_equal(place("Gooi en Vechtstreek"), "regio");
  assert_string_equal(place("Gooi & Vechtstreek"), "regio");
  assert_string_equal(place("Regio Gooi en Vechtstreek"), "regio");
  assert_string_equal(place("regio gooi & vechtstreek"), "regio");
  assert_string_equal(place("HBEL"), "hbel");
  assert_string_equal(place("Huizen, Blaricum, Eemnes en Laren"), "hbel");
  assert_string_equal(place("Huizen, Blaricum en Laren"), "blaricum,huizen,laren");
  assert_string_equal(place("Huizen + Nederland"), "huizen,landelijk");
  assert_string_equal(place("Huizen/Laren"), "huizen,laren");
  assert_string_equal(place("Noord-Holland"),
                      "blaricum,gooise-meren,hilversum,huizen,laren,wijdemeren");
  assert_string_equal(place("Provincie Utrecht"), "eemnes");
  assert_string_equal(place("GM0406"), "huizen");
  assert_string_equal(place("gm0317"), "eemnes");
  assert_string_equal(place("1274"), "huizen");
  assert_string_equal(place("3755 AB"), "eemnes");
  assert_string_equal(place("1262"), "blaricum");
  assert_string_equal(place("Bussum"), "gooise-meren");
  assert_string_equal(place("9999"), ""); /* a postcode outside the region */
  assert_string_equal(place("Atlantis"), "");
  struct ix_area_result r;
  assert_int_equal(ix_area_resolve(th_taxonomy(), "Huizen en Atlantis", &r), SK_OK);
  assert_int_equal(r.n, 1);
  assert_string_equal(r.unplaced, "atlantis");
  assert_int_equal(ix_area_resolve(th_taxonomy(), "Atlantis", &r), SK_OK);
  assert_string_equal(r.unplaced, "Atlantis");
  assert_int_equal(ix_area_resolve(NULL, "Huizen", &r),
                   SK_OK); /* no taxonomy: nothing placed, no crash */
  assert_int_equal(r.n, 0);
}

static void test_geojson(void **state) {
  (void)state;
  struct ix_area_result r;
  /* a box around Huizen's centroid (52.299, 5.242) only */
  const char *box =
      "{\"type\":\"Polygon\",\"coordinates\":[[[5.23,52.29],[5.25,52.29],[5.25,52.31],"
      "[5.23,52.31],[5.23,52.29]]]}";
  assert_int_equal(ix_area_from_geojson(th_taxonomy(), box, strlen(box), &r), SK_OK);
  assert_int_equal(r.n, 1);
  assert_string_equal(r.codes[0], "huizen");
  /* the same box with a hole over the centroid: nothing */
  const char *holed =
      "{\"type\":\"Feature\",\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[[["
      "[5.20,52.28],[5.28,52.28],[5.28,52.32],[5.20,52.32],[5.20,52.28]],"
      "[[5.24,52.295],[5.245,52.295],[5.245,52.30],[5.24,52.30],[5.24,52.295]]]]}}";
  assert_int_equal(ix_area_from_geojson(th_taxonomy(), holed, strlen(holed), &r), SK_OK);
  int huizen = 0;
  for (size_t i = 0; i < r.n; i++)
    huizen |= strcmp(r.codes[i], "huizen") == 0;
  assert_false(huizen);
  const char *point = "{\"type\":\"Point\",\"coordinates\":[5.24,52.3]}";
  assert_int_equal(ix_area_from_geojson(th_taxonomy(), point, strlen(point), &r), SK_EPARSE);
  const char *bad = "{\"type\":\"Polygon\",\"coordinates\":[[[5.2,\"x\"]]]}";
  assert_int_equal(ix_area_from_geojson(th_taxonomy(), bad, strlen(bad), &r), SK_EPARSE);
  assert_int_equal(ix_area_from_geojson(th_taxonomy(), "{", 1, &r), SK_EPARSE);
}

/* Random bytes and long lists: always an answer, within IX_AREA_MAX. */
static void test_garbage(void **state) {
  (void)state;
  uint32_t x = 777;
  char s[600];
  for (int round = 0; round < 20000; round++) {
    size_t n = (x = x * 1664525u + 1013904223u) >> 23;
    for (size_t i = 0; i < n && i < sizeof s - 1; i++) {
      x = x * 1664525u + 1013904223u;
      static const char pool[] = "Huizen, en & + / ; gm0406 1274 AB Nederland Gooi\xC3\xA9\xE9\x80";
      s[i] = (x >> 28) < 12 ? pool[(x >> 8) % (sizeof pool - 1)] : (char)(x >> 16);
    }
    s[n < sizeof s ? n : sizeof s - 1] = '\0';
    struct ix_area_result r;
    assert_int_equal(ix_area_resolve(th_taxonomy(), s, &r), SK_OK);
    assert_true(r.n <= IX_AREA_MAX);
    assert_true(strlen(r.unplaced) < sizeof r.unplaced);
    assert_int_not_equal(ix_area_from_geojson(th_taxonomy(), s, strlen(s), &r), SK_ENOMEM);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_geojson),
      cmocka_unit_test(test_garbage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
