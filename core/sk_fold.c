#include "sk_fold.h"

#include <string.h>

#include "sk_err.h"
#include "sk_fold_table.h"

size_t sk_utf8_decode(const char *str, size_t n, uint32_t *cp) {
  const unsigned char *s = (const unsigned char *)str;
  if (n == 0)
    return 0;
  unsigned char c = s[0];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  uint32_t v, min;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    v = c & 0x1F;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    v = c & 0x0F;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    v = c & 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    v = (v << 6) | (s[i] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
    return 0;
  *cp = v;
  return len;
}

int sk_utf8_valid(const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t k = sk_utf8_decode(s + i, n - i, &cp);
    if (!k || cp == 0)
      return 0;
    i += k;
  }
  return 1;
}

size_t sk_utf8_chars(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xC0) != 0x80)
      n++;
  return n;
}

size_t sk_utf8_prefix(const char *s, size_t n, size_t max_bytes) {
  size_t i = 0;
  while (i < n && i < max_bytes) {
    uint32_t cp;
    size_t k = sk_utf8_decode(s + i, n - i, &cp);
    if (!k || i + k > max_bytes)
      break;
    i += k;
  }
  return i;
}

size_t sk_utf8_encode(uint32_t cp, char *out) {
  unsigned char *o = (unsigned char *)out;
  if (cp < 0x80) {
    o[0] = (unsigned char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (unsigned char)(0xC0 | (cp >> 6));
    o[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (unsigned char)(0xE0 | (cp >> 12));
    o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (unsigned char)(0xF0 | (cp >> 18));
  o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}

size_t sk_fold_cp(uint32_t cp, char out[4]) {
  if (cp < 0x80) {
    out[0] = (char)((cp >= 'A' && cp <= 'Z') ? cp + 32 : cp);
    out[1] = '\0';
    return 1;
  }
  if (cp >= SK_FOLD_FIRST && cp <= SK_FOLD_LAST) {
    const char *f = sk_fold_table[cp - SK_FOLD_FIRST];
    if (f) {
      size_t len = strlen(f);
      memcpy(out, f, len + 1);
      return len;
    }
  }
  return 0;
}

int sk_is_word_cp(uint32_t cp) {
  if (cp < 0x80)
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  if (cp == 0xD7 || cp == 0xF7)
    return 0;
  if (cp >= 0xC0 && cp <= 0x24F)
    return 1;
  if (cp < 0xC0)
    return 0; /* Latin-1 punctuation, symbols, NBSP */
  if (cp >= 0x2000 && cp <= 0x2BFF)
    return 0; /* general punctuation, arrows, symbols */
  if (cp >= 0x3000 && cp <= 0x303F)
    return 0;
  if (cp >= 0x1F000)
    return 0; /* emoji and pictographs */
  if (cp >= 0xFE00 && cp <= 0xFE0F)
    return 0; /* variation selectors */
  return 1;
}

int sk_fold(const char *s, size_t n, struct sk_buf *out) {
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t k = sk_utf8_decode(s + i, n - i, &cp);
    if (!k) {
      i++; /* drop an invalid byte */
      continue;
    }
    if (cp == 0) {
      i += k;
      continue;
    }
    char tmp[4];
    size_t len = sk_fold_cp(cp, tmp);
    int rc = len ? sk_buf_add(out, tmp, len) : sk_buf_add(out, s + i, k);
    if (rc)
      return rc;
    i += k;
  }
  return SK_OK;
}
