#include "ix_record.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"

#define IX_BLOCK_MIN (16 * 1024)

struct ix_arena_block {
  struct ix_arena_block *next;
  size_t size, used;
  max_align_t data[]; /* aligned payload */
};

void ix_batch_init(struct ix_batch *b, size_t max_bytes) {
  memset(b, 0, sizeof *b);
  b->arena.max = max_bytes;
}

void ix_batch_free(struct ix_batch *b) {
  struct ix_arena_block *blk = b->arena.head;
  while (blk) {
    struct ix_arena_block *next = blk->next;
    free(blk);
    blk = next;
  }
  size_t max = b->arena.max;
  memset(b, 0, sizeof *b);
  b->arena.max = max;
}

/* size bytes aligned to align (a power of two, at most max_align_t's),
 * zeroed. */
static void *arena_alloc(struct ix_batch *b, size_t size, size_t align) {
  if (size == 0)
    size = 1;
  if (size > SIZE_MAX / 2)
    return NULL;
  /* used never passes max: at most size + align - 1 is added */
  if (b->arena.max && size + align - 1 > b->arena.max - b->arena.used)
    return NULL;
  struct ix_arena_block *blk = b->arena.head;
  size_t pad = blk ? (align - blk->used % align) % align : 0;
  if (!blk || blk->size - blk->used < size + pad) {
    size_t bsize = size > IX_BLOCK_MIN ? size : IX_BLOCK_MIN;
    blk = malloc(sizeof *blk + bsize);
    if (!blk)
      return NULL;
    blk->size = bsize;
    blk->used = 0;
    blk->next = b->arena.head;
    b->arena.head = blk;
    pad = 0;
  }
  void *p = (char *)blk->data + blk->used + pad;
  blk->used += size + pad;
  b->arena.used += size + pad;
  memset(p, 0, size);
  return p;
}

void *ix_alloc(struct ix_batch *b, size_t size) {
  return arena_alloc(b, size, sizeof(max_align_t));
}

const char *ix_strndup(struct ix_batch *b, const char *s, size_t n) {
  if (!s)
    return NULL;
  char *p = arena_alloc(b, n + 1, 1); /* text needs no alignment: packed */
  if (!p)
    return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

const char *ix_strdup(struct ix_batch *b, const char *s) {
  return s ? ix_strndup(b, s, strlen(s)) : NULL;
}

static const char *ix_vprintf(struct ix_batch *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0)
    return NULL;
  char *p = arena_alloc(b, (size_t)n + 1, 1);
  if (!p)
    return NULL;
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  return p;
}

const char *ix_printf(struct ix_batch *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const char *p = ix_vprintf(b, fmt, ap);
  va_end(ap);
  return p;
}

void *ix_push(struct ix_batch *b, void **v, size_t *n, size_t *cap, size_t elem_size) {
  if (*n == *cap) {
    /* Most lists of a record hold one or two items: start small (every
     * slot of every record of a 100k feed is in memory at once). */
    size_t ncap = *cap ? *cap * 2 : 2;
    void *nv = ix_alloc(b, ncap * elem_size);
    if (!nv)
      return NULL;
    if (*n)
      memcpy(nv, *v, *n * elem_size);
    *v = nv; /* the old array stays in the arena until ix_batch_free */
    *cap = ncap;
  }
  void *elem = (char *)*v + *n * elem_size;
  memset(elem, 0, elem_size);
  (*n)++;
  return elem;
}

int ix_strv_push(struct ix_batch *b, struct ix_strv *sv, const char *s) {
  const char *copy = ix_strdup(b, s);
  if (!copy)
    return SK_ENOMEM;
  const char **slot = ix_push(b, (void **)&sv->v, &sv->n, &sv->cap, sizeof *sv->v);
  if (!slot)
    return SK_ENOMEM;
  *slot = copy;
  return SK_OK;
}

struct ix_org *ix_batch_add_org(struct ix_batch *b) {
  return IX_PUSH(b, b->orgs);
}

struct ix_location *ix_batch_add_location(struct ix_batch *b) {
  return IX_PUSH(b, b->locations);
}

struct ix_service *ix_batch_add_service(struct ix_batch *b) {
  struct ix_service *s = IX_PUSH(b, b->services);
  if (s) {
    s->min_age = IX_UNSET;
    s->max_age = IX_UNSET;
  }
  return s;
}

int ix_batch_reject(struct ix_batch *b, const char *record_key, const char *field, const char *fmt,
                    ...) {
  struct ix_rejection *r = IX_PUSH(b, b->rejections);
  if (!r)
    return SK_ENOMEM;
  va_list ap;
  va_start(ap, fmt);
  r->reason = ix_vprintf(b, fmt, ap);
  va_end(ap);
  r->record_key = ix_strdup(b, record_key);
  r->field = ix_strdup(b, field);
  return r->reason ? SK_OK : SK_ENOMEM;
}

int ix_batch_warn(struct ix_batch *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const char *w = ix_vprintf(b, fmt, ap);
  va_end(ap);
  if (!w)
    return SK_ENOMEM;
  const char **slot = ix_push(b, (void **)&b->warnings.v, &b->warnings.n, &b->warnings.cap,
                              sizeof *b->warnings.v);
  if (!slot)
    return SK_ENOMEM;
  *slot = w;
  return SK_OK;
}

static size_t keymap_hash(const char *s) {
  size_t h = 1469598103934665603ull; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

static int keymap_grow(struct ix_keymap *m) {
  size_t ncap = m->cap ? m->cap * 2 : 64;
  const char **nkeys = calloc(ncap, sizeof *nkeys);
  size_t *nvals = calloc(ncap, sizeof *nvals);
  if (!nkeys || !nvals) {
    free(nkeys);
    free(nvals);
    return SK_ENOMEM;
  }
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->keys[i])
      continue;
    size_t j = keymap_hash(m->keys[i]) & (ncap - 1);
    while (nkeys[j])
      j = (j + 1) & (ncap - 1);
    nkeys[j] = m->keys[i];
    nvals[j] = m->vals[i];
  }
  free(m->keys);
  free(m->vals);
  m->keys = nkeys;
  m->vals = nvals;
  m->cap = ncap;
  return SK_OK;
}

int ix_keymap_put(struct ix_keymap *m, const char *key, size_t val) {
  if ((m->n + 1) * 2 > m->cap && keymap_grow(m))
    return SK_ENOMEM;
  size_t j = keymap_hash(key) & (m->cap - 1);
  while (m->keys[j]) {
    if (strcmp(m->keys[j], key) == 0)
      return SK_ECONFLICT;
    j = (j + 1) & (m->cap - 1);
  }
  m->keys[j] = key;
  m->vals[j] = val;
  m->n++;
  return SK_OK;
}

int ix_keymap_get(const struct ix_keymap *m, const char *key, size_t *val) {
  if (!m->cap || !key)
    return 0;
  size_t j = keymap_hash(key) & (m->cap - 1);
  while (m->keys[j]) {
    if (strcmp(m->keys[j], key) == 0) {
      if (val)
        *val = m->vals[j];
      return 1;
    }
    j = (j + 1) & (m->cap - 1);
  }
  return 0;
}

void ix_keymap_free(struct ix_keymap *m) {
  if (!m)
    return;
  free(m->keys);
  free(m->vals);
  memset(m, 0, sizeof *m);
}
