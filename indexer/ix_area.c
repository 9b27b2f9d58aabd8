#include "ix_area.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "sk_err.h"
#include "sk_fold.h"

/* Folded words of at most this many bytes; longer names are cut (no area
 * name is that long, and the cut one simply matches nothing). */
#define NORM_MAX 256
#define MAX_PARTS 32
/* Points read from one GeoJSON geometry, all rings together. */
#define GEO_MAX_POINTS 200000

/* s folded into out as words separated by one space ("Gooi & Vechtstreek"
 * -> "gooi en vechtstreek"). When seps is given, the list separators
 * , ; / + | and a newline become '|' instead of a space (for splitting). */
static void normalize(const char *s, char out[NORM_MAX], int seps) {
  size_t o = 0, n = strlen(s);
  int space = 1;
  for (size_t i = 0; i < n && o + 8 < NORM_MAX;) {
    uint32_t cp;
    size_t k = sk_utf8_decode(s + i, n - i, &cp);
    if (!k) {
      i++;
      continue;
    }
    i += k;
    char f[4];
    size_t fl = sk_fold_cp(cp, f);
    if (cp == '&') {
      if (!space)
        out[o++] = ' ';
      memcpy(out + o, "en ", 3);
      o += 3;
      space = 1;
    } else if (seps &&
               (cp == ',' || cp == ';' || cp == '/' || cp == '+' || cp == '|' || cp == '\n')) {
      if (o && out[o - 1] == ' ')
        o--;
      out[o++] = '|';
      space = 1;
    } else if (fl && sk_is_word_cp(cp)) {
      memcpy(out + o, f, fl);
      o += fl;
      space = 0;
    } else if ((cp < 0x80 && ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))) ||
               (cp >= 0x80 && sk_is_word_cp(cp))) {
      o += sk_utf8_encode(cp, out + o);
      space = 0;
    } else if (!space) {
      out[o++] = ' ';
      space = 1;
    }
  }
  while (o && out[o - 1] == ' ')
    o--;
  out[o] = '\0';
}

static int same(const char *raw, const char *norm) {
  char t[NORM_MAX];
  normalize(raw, t, 0);
  return t[0] && strcmp(t, norm) == 0;
}

static int add_code(struct ix_area_result *r, const char *code) {
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(r->codes[i], code) == 0)
      return 1;
  if (r->n == IX_AREA_MAX) {
    r->truncated = 1;
    return 1;
  }
  r->codes[r->n++] = code;
  return 1;
}

/* A string member of a municipality's raw JSON (cbs_code, province). */
static int extra_is(const struct sk_term *t, const char *key, const char *norm) {
  if (!t->extra_json)
    return 0;
  json_t *o = json_loads(t->extra_json, 0, NULL);
  const char *v = json_string_value(json_object_get(o, key));
  int hit = v && same(v, norm);
  json_decref(o);
  return hit;
}

static int is_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return 0;
  return 1;
}

/* One folded part ("gemeente huizen", "gm0406", "1271 ab"): the codes it
 * names, added to r. 1 when placed. */
static int place_part(const struct sk_taxonomy *tax, const char *p, struct ix_area_result *r) {
  static const char *const prefixes[] = {"de gemeente ", "gemeente ", "gemeenten ",      "regio ",
                                         "provincie ",   "prov ",     "het werkgebied ", NULL};
  for (int round = 0; round < 2; round++) {
    int hit = 0;
    for (size_t i = 0; i < tax->n_terms; i++) {
      const struct sk_term *t = &tax->terms[i];
      if (t->vocab != SK_VOCAB_MUNICIPALITY && t->vocab != SK_VOCAB_SCOPE)
        continue;
      int m = same(t->code, p) || same(t->label, p);
      for (size_t k = 0; !m && k < t->n_synonyms; k++)
        m = same(t->synonyms[k], p);
      if (m)
        hit = add_code(r, t->code);
    }
    if (hit)
      return 1;
    /* A province: every municipality in it. A CBS code: its municipality. */
    for (size_t i = 0; i < tax->n_terms; i++) {
      const struct sk_term *t = &tax->terms[i];
      if (t->vocab == SK_VOCAB_MUNICIPALITY &&
          ((p[0] == 'g' && p[1] == 'm' && strlen(p) == 6 && extra_is(t, "cbs_code", p)) ||
           extra_is(t, "province", p)))
        hit = add_code(r, t->code);
    }
    if (hit)
      return 1;
    size_t n = strlen(p);
    if ((n == 4 && is_digits(p, 4)) || (n == 7 && is_digits(p, 4) && p[4] == ' ' && p[5] >= 'a' &&
                                        p[5] <= 'z' && p[6] >= 'a' && p[6] <= 'z')) {
      int d = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
      const struct sk_term *m = sk_taxonomy_municipality_for_postcode(tax, d);
      return m ? add_code(r, m->code) : 0;
    }
    if (round == 1)
      break;
    const char *rest = NULL;
    for (size_t k = 0; prefixes[k] && !rest; k++)
      if (strncmp(p, prefixes[k], strlen(prefixes[k])) == 0)
        rest = p + strlen(prefixes[k]);
    if (!rest || !*rest)
      break;
    p = rest;
  }
  return 0;
}

int ix_area_resolve(const struct sk_taxonomy *tax, const char *name, struct ix_area_result *out) {
  memset(out, 0, sizeof *out);
  if (!tax || !name)
    return SK_OK;
  char whole[NORM_MAX], list[NORM_MAX];
  normalize(name, whole, 0);
  if (!whole[0])
    return SK_OK;
  if (place_part(tax, whole, out))
    return SK_OK;
  /* A list: split on separators and on the words "en", "and", "of". */
  normalize(name, list, 1);
  char *parts[MAX_PARTS];
  size_t np = 0;
  char *p = list;
  while (*p && np < MAX_PARTS) {
    while (*p == '|' || *p == ' ')
      p++;
    if (!*p)
      break;
    char *start = p, *end = NULL;
    size_t sep_len = 0;
    /* to the next '|' or " en " / " of " / " and " */
    for (char *q = p; *q && !end; q++) {
      if (*q == '|')
        end = q, sep_len = 1;
      else if (strncmp(q, " en ", 4) == 0 || strncmp(q, " of ", 4) == 0)
        end = q, sep_len = 4;
      else if (strncmp(q, " and ", 5) == 0)
        end = q, sep_len = 5;
    }
    if (end) {
      *end = '\0';
      p = end + sep_len;
    } else {
      p = start + strlen(start);
    }
    size_t l = strlen(start);
    while (l && start[l - 1] == ' ')
      start[--l] = '\0';
    if (l)
      parts[np++] = start;
  }
  if (np < 2)
    goto unplaced_whole;
  for (size_t i = 0; i < np; i++)
    if (!place_part(tax, parts[i], out) && !out->unplaced[0])
      snprintf(out->unplaced, sizeof out->unplaced, "%.100s", parts[i]);
  if (out->n)
    return SK_OK;
unplaced_whole:
  snprintf(out->unplaced, sizeof out->unplaced, "%.*s",
           (int)sk_utf8_prefix(name, strlen(name), 100), name);
  return SK_OK;
}

/* ------------------------------------------------------------ GeoJSON */

struct geo {
  size_t points;
  int bad;
};

/* One ring [[lon, lat], ...]: 1 when (lon, lat) is inside (even-odd rule). */
static int ring_has(struct geo *g, json_t *ring, double lon, double lat) {
  if (!json_is_array(ring) || json_array_size(ring) < 4) {
    g->bad = 1;
    return 0;
  }
  size_t n = json_array_size(ring);
  g->points += n;
  if (g->points > GEO_MAX_POINTS) {
    g->bad = 1;
    return 0;
  }
  int in = 0;
  double px = 0, py = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *pt = json_array_get(ring, i);
    if (!json_is_array(pt) || json_array_size(pt) < 2 || !json_is_number(json_array_get(pt, 0)) ||
        !json_is_number(json_array_get(pt, 1))) {
      g->bad = 1;
      return 0;
    }
    double x = json_number_value(json_array_get(pt, 0)),
           y = json_number_value(json_array_get(pt, 1));
    if (i > 0 && ((y > lat) != (py > lat)) && (lon < (px - x) * (lat - y) / (py - y) + x))
      in = !in;
    px = x;
    py = y;
  }
  return in;
}

/* A polygon [outer, hole, ...]. */
static int polygon_has(struct geo *g, json_t *poly, double lon, double lat) {
  if (!json_is_array(poly) || json_array_size(poly) == 0) {
    g->bad = 1;
    return 0;
  }
  if (!ring_has(g, json_array_get(poly, 0), lon, lat))
    return 0;
  for (size_t i = 1; i < json_array_size(poly); i++)
    if (ring_has(g, json_array_get(poly, i), lon, lat))
      return 0;
  return 1;
}

int ix_area_from_geojson(const struct sk_taxonomy *tax, const char *geojson, size_t len,
                         struct ix_area_result *out) {
  memset(out, 0, sizeof *out);
  if (!tax || !geojson)
    return SK_EPARSE;
  json_error_t e;
  json_t *root = json_loadb(geojson, len, JSON_REJECT_DUPLICATES, &e);
  if (!root)
    return SK_EPARSE;
  json_t *geom = root;
  const char *type = json_string_value(json_object_get(geom, "type"));
  if (type && strcmp(type, "Feature") == 0) {
    geom = json_object_get(root, "geometry");
    type = json_string_value(json_object_get(geom, "type"));
  }
  json_t *coords = json_object_get(geom, "coordinates");
  int multi = type && strcmp(type, "MultiPolygon") == 0;
  if (!type || (!multi && strcmp(type, "Polygon") != 0) || !json_is_array(coords)) {
    json_decref(root);
    return SK_EPARSE;
  }
  struct geo g = {0};
  for (size_t i = 0; i < tax->n_terms && !g.bad; i++) {
    const struct sk_term *t = &tax->terms[i];
    if (t->vocab != SK_VOCAB_MUNICIPALITY || (t->lat == 0 && t->lon == 0))
      continue;
    g.points = 0;
    int in = 0;
    if (multi) {
      for (size_t k = 0; k < json_array_size(coords) && !in && !g.bad; k++)
        in = polygon_has(&g, json_array_get(coords, k), t->lon, t->lat);
    } else {
      in = polygon_has(&g, coords, t->lon, t->lat);
    }
    if (in && !g.bad)
      add_code(out, t->code);
  }
  json_decref(root);
  if (g.bad) {
    out->n = 0;
    return SK_EPARSE;
  }
  return SK_OK;
}
