/* The query plan's word groups (sk_search_int.h): alternatives kept as
 * data, so the analysis builds them once per word and evaluation reads
 * them without parsing. */
#include <stdlib.h>
#include <string.h>

#include "sk_search_int.h"

void sks_group_reset(struct sks_group *g) {
  g->text_len = 0;
  g->n = 0;
  g->stars = 0;
  g->score_only = 0;
}

void sks_group_free(struct sks_group *g) {
  free(g->text);
  memset(g, 0, sizeof *g);
}

int sks_group_has(const struct sks_group *g, const char *w, size_t len, int star) {
  for (size_t i = 0; i < g->n; i++) {
    const char *a = sks_group_alt(g, i);
    if (sks_group_star(g, i) == (star != 0) && strlen(a) == len && memcmp(a, w, len) == 0)
      return 1;
  }
  return 0;
}

int sks_group_add(struct sks_group *g, const char *w, size_t len, int star) {
  if (g->n >= SKS_GROUP_ALTS)
    return SK_OK;
  size_t need = (size_t)g->text_len + len + 1;
  if (need > UINT16_MAX)
    return SK_ETOOBIG;
  if (need > g->text_cap) {
    size_t cap = g->text_cap ? g->text_cap : 64;
    while (cap < need)
      cap *= 2;
    if (cap > UINT16_MAX)
      cap = UINT16_MAX;
    char *t = realloc(g->text, cap);
    if (!t)
      return SK_ENOMEM;
    g->text = t;
    g->text_cap = (uint16_t)cap;
  }
  g->off[g->n] = g->text_len;
  if (star)
    g->stars |= 1u << g->n;
  memcpy(g->text + g->text_len, w, len);
  g->text[g->text_len + len] = '\0';
  g->text_len = (uint16_t)need;
  g->n++;
  return SK_OK;
}

int sks_group_eq(const struct sks_group *a, const struct sks_group *b) {
  if (a->n != b->n || a->text_len != b->text_len)
    return 0;
  return a->stars == b->stars && memcmp(a->off, b->off, a->n * sizeof *a->off) == 0 &&
         (!a->text_len || memcmp(a->text, b->text, a->text_len) == 0);
}

uint64_t sks_group_hash(const struct sks_group *g) {
  uint64_t h = 1469598103934665603ull;
  for (uint32_t i = 0; i < g->text_len; i++)
    h = (h ^ (uint8_t)g->text[i]) * 1099511628211ull;
  h = (h ^ g->stars) * 1099511628211ull;
  return h;
}

int sks_group_copy(struct sks_group *dst, const struct sks_group *src) {
  sks_group_reset(dst);
  if (src->text_len > dst->text_cap) {
    char *t = realloc(dst->text, src->text_len);
    if (!t)
      return SK_ENOMEM;
    dst->text = t;
    dst->text_cap = src->text_len;
  }
  if (src->text_len)
    memcpy(dst->text, src->text, src->text_len);
  memcpy(dst->off, src->off, src->n * sizeof *src->off);
  dst->text_len = src->text_len;
  dst->stars = src->stars;
  dst->n = src->n;
  dst->score_only = src->score_only;
  return SK_OK;
}
