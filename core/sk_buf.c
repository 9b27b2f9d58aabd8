#include "sk_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_err.h"

void sk_buf_init(struct sk_buf *b, size_t max) {
  b->ptr = NULL;
  b->len = 0;
  b->cap = 0;
  b->max = max;
}

static int buf_grow(struct sk_buf *b, size_t need) {
  if (need > b->max) {
    sk_buf_free(b);
    return SK_ETOOBIG;
  }
  if (need + 1 <= b->cap)
    return SK_OK;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need + 1)
    cap = cap > (b->max + 1) / 2 ? b->max + 1 : cap * 2;
  char *p = realloc(b->ptr, cap);
  if (!p) {
    sk_buf_free(b);
    return SK_ENOMEM;
  }
  b->ptr = p;
  b->cap = cap;
  return SK_OK;
}

int sk_buf_add(struct sk_buf *b, const void *data, size_t n) {
  if (n > b->max - b->len) {
    sk_buf_free(b);
    return SK_ETOOBIG;
  }
  int rc = buf_grow(b, b->len + n);
  if (rc)
    return rc;
  if (n)
    memcpy(b->ptr + b->len, data, n);
  b->len += n;
  b->ptr[b->len] = '\0';
  return SK_OK;
}

int sk_buf_addstr(struct sk_buf *b, const char *s) { return sk_buf_add(b, s, strlen(s)); }

int sk_buf_addc(struct sk_buf *b, char c) { return sk_buf_add(b, &c, 1); }

int sk_buf_vprintf(struct sk_buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0)
    return SK_EINVAL;
  if ((size_t)n > b->max - b->len) {
    sk_buf_free(b);
    return SK_ETOOBIG;
  }
  int rc = buf_grow(b, b->len + (size_t)n);
  if (rc)
    return rc;
  vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return SK_OK;
}

int sk_buf_printf(struct sk_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = sk_buf_vprintf(b, fmt, ap);
  va_end(ap);
  return rc;
}

const char *sk_buf_str(const struct sk_buf *b) { return b->ptr ? b->ptr : ""; }

void sk_buf_reset(struct sk_buf *b) {
  b->len = 0;
  if (b->ptr)
    b->ptr[0] = '\0';
}

void sk_buf_free(struct sk_buf *b) {
  free(b->ptr);
  b->ptr = NULL;
  b->len = 0;
  b->cap = 0;
}

char *sk_buf_detach(struct sk_buf *b, size_t *len_out) {
  char *p = b->ptr;
  size_t len = b->len;
  if (!p) {
    p = calloc(1, 1);
    if (!p)
      return NULL;
  }
  b->ptr = NULL;
  b->len = 0;
  b->cap = 0;
  if (len_out)
    *len_out = len;
  return p;
}
