#ifndef SK_FOLD_H
#define SK_FOLD_H
/*
 * UTF-8 handling and folding for search: lower case, diacritics removed
 * ("geïndiceerde" -> "geindiceerde", "Café" -> "cafe"), invalid byte
 * sequences dropped. Input is untrusted: every function is bounded by n.
 */
#include <stddef.h>
#include <stdint.h>

#include "sk_buf.h"

/* Decode one code point from s[0..n). Returns the bytes consumed (1..4) and
 * sets *cp, or returns 0 for an invalid or truncated sequence (overlong,
 * surrogate, > U+10FFFF) and leaves *cp undefined. */
size_t sk_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* 1 when s[0..n) is valid UTF-8 with no NUL byte, 0 otherwise. */
int sk_utf8_valid(const char *s, size_t n);
/* The number of characters (code points) in a valid UTF-8 string. */
size_t sk_utf8_chars(const char *s);
/* The byte length of the longest prefix of s[0..n) that is whole, valid
 * characters and at most max_bytes long (for cutting text to show). */
size_t sk_utf8_prefix(const char *s, size_t n, size_t max_bytes);
/* Encode cp into out (at least 4 bytes); returns the bytes written. */
size_t sk_utf8_encode(uint32_t cp, char *out);
/* Append the folded form of s[0..n) to out. Letters and digits are folded;
 * other valid characters are copied as they are; invalid bytes are dropped.
 * Returns SK_OK, or the error of the append (SK_ETOOBIG, SK_ENOMEM). */
int sk_fold(const char *s, size_t n, struct sk_buf *out);
/* Fold one code point to lower case without diacritics. Writes at most 3
 * bytes (NUL-terminated) to out[4] and returns its length; returns 0 when
 * cp has no folded form (it is then to be copied as it is). */
size_t sk_fold_cp(uint32_t cp, char out[4]);
/* 1 when cp is a letter or digit for word splitting (ASCII alnum, Latin
 * letters U+00C0..U+024F except the multiplication/division signs, and any
 * code point >= U+0250 that is not punctuation we know of). */
int sk_is_word_cp(uint32_t cp);

#endif
