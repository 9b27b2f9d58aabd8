#ifndef SK_BUF_H
#define SK_BUF_H
/*
 * sk_buf: a growable byte buffer with a hard upper bound (after curl's dynbuf).
 *
 * Invariants: after sk_buf_init, ptr is NULL or a NUL-terminated heap block
 * owned by the buffer; len never exceeds max. An append that would pass max
 * frees the contents and returns SK_ETOOBIG, so a caller that ignores the
 * error cannot go on with a silently truncated buffer.
 *
 *   struct sk_buf b;
 *   sk_buf_init(&b, 64 * 1024);
 *   if (sk_buf_add(&b, data, n)) goto fail;
 *   use(sk_buf_str(&b));
 *   sk_buf_free(&b);
 */
#include <stdarg.h>
#include <stddef.h>

struct sk_buf {
  char *ptr;  /* owned; NULL until the first append */
  size_t len; /* bytes used, excluding the NUL */
  size_t cap; /* bytes allocated */
  size_t max; /* the most len may ever be */
};

void sk_buf_init(struct sk_buf *b, size_t max);
/* Append n bytes. SK_ETOOBIG (contents freed) past max, SK_ENOMEM. */
int sk_buf_add(struct sk_buf *b, const void *data, size_t n);
int sk_buf_addstr(struct sk_buf *b, const char *s);
int sk_buf_addc(struct sk_buf *b, char c);
int sk_buf_printf(struct sk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sk_buf_vprintf(struct sk_buf *b, const char *fmt, va_list ap);
/* The contents as a C string; "" when empty. Valid until the next change. */
const char *sk_buf_str(const struct sk_buf *b);
/* Empty the buffer but keep its memory. */
void sk_buf_reset(struct sk_buf *b);
/* Release the memory; the buffer can be used again after sk_buf_init. */
void sk_buf_free(struct sk_buf *b);
/* Hand the contents to the caller (free with free(3)); the buffer is emptied.
 * Returns NULL when out of memory. Never returns NULL for an empty buffer. */
char *sk_buf_detach(struct sk_buf *b, size_t *len_out);

#endif
