#include "sk_id.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void uuid_format(unsigned char b[16], unsigned version, char out[SK_UUID_LEN]) {
  b[6] = (unsigned char)((b[6] & 0x0F) | (version << 4));
  b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 9562 variant */
  snprintf(out, SK_UUID_LEN, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
           b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
           b[14], b[15]);
}

void sk_uuid_from_name(const char *name, size_t len, char out[SK_UUID_LEN]) {
  unsigned char h[16];
  crypto_generichash(h, sizeof h, (const unsigned char *)name, len,
                     (const unsigned char *)"sociale-kaart-id", 16);
  uuid_format(h, 8, out);
}

void sk_uuid_random(char out[SK_UUID_LEN]) {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  uuid_format(b, 4, out);
}

int sk_uuid_valid(const char *s) {
  if (!s || strlen(s) != 36)
    return 0;
  for (int i = 0; i < 36; i++) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-')
        return 0;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return 0;
    }
  }
  return 1;
}

/* Surrounding blanks, "urn:uuid:" (RFC 9562 section 4) and Microsoft's
 * braces are taken off; hex digits in either case (RFC 9562: "case
 * insensitive on input") are written in lower case. */
int sk_uuid_canon(const char *s, char out[SK_UUID_LEN]) {
  if (!s)
    return 0;
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  if (n > 9 && strncasecmp(s, "urn:uuid:", 9) == 0) {
    s += 9;
    n -= 9;
  }
  if (n == 38 && s[0] == '{' && s[37] == '}') {
    s++;
    n -= 2;
  }
  if (n != 36)
    return 0;
  char t[SK_UUID_LEN];
  for (size_t i = 0; i < 36; i++) {
    char c = s[i];
    t[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
  }
  t[36] = '\0';
  if (!sk_uuid_valid(t))
    return 0;
  memcpy(out, t, SK_UUID_LEN);
  return 1;
}
