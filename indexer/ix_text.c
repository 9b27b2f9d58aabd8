#include "ix_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sk_fold.h"

/* Windows-1252 for the bytes 0x80..0x9F; 0 where it defines nothing (those
 * five bytes become U+FFFD). The rest (0xA0..0xFF) is Latin-1. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

int ix_text_decode(const char *s, size_t n, char **out, size_t *out_len, size_t *bad_at,
                   unsigned *bad_byte, size_t *bad_line) {
  *out = NULL;
  *out_len = 0;
  *bad_at = 0;
  *bad_byte = 0;
  *bad_line = 0;
  if (n >= 2 && ((unsigned char)s[0] == 0xFF && (unsigned char)s[1] == 0xFE))
    return IX_TEXT_UTF16;
  if (n >= 2 && ((unsigned char)s[0] == 0xFE && (unsigned char)s[1] == 0xFF))
    return IX_TEXT_UTF16;
  const char *nul = memchr(s, '\0', n);
  if (nul) {
    *bad_at = (size_t)(nul - s);
    return IX_TEXT_NUL;
  }
  size_t i = 0, line = 1;
  int bad = 0;
  while (i < n) {
    unsigned char b = (unsigned char)s[i];
    if (b < 0x80) {
      line += b == '\n';
      i++;
      continue;
    }
    uint32_t cp;
    size_t k = sk_utf8_decode(s + i, n - i, &cp);
    if (!k) {
      bad = 1;
      break;
    }
    i += k;
  }
  if (!bad)
    return IX_TEXT_UTF8;
  *bad_at = i;
  *bad_byte = (unsigned char)s[i];
  *bad_line = line;
  /* The whole file is one encoding: read all of it as Windows-1252, also
   * the bytes before the first bad one (at most 3 bytes per byte). */
  if (n > (SIZE_MAX - 1) / 3)
    return -1;
  char *o = malloc(n * 3 + 1);
  if (!o)
    return -1;
  size_t w = 0;
  for (size_t j = 0; j < n; j++) {
    unsigned char b = (unsigned char)s[j];
    uint32_t cp = b < 0x80 ? b : b >= 0xA0 ? b : cp1252_high[b - 0x80];
    if (!cp)
      cp = 0xFFFD;
    w += sk_utf8_encode(cp, o + w);
  }
  o[w] = '\0';
  *out = o;
  *out_len = w;
  return IX_TEXT_CP1252;
}
