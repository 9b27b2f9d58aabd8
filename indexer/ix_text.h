#ifndef IX_TEXT_H
#define IX_TEXT_H
/*
 * The encoding of a fetched feed, before any parser sees it (every feed
 * kind): UTF-8 is passed on; a file that is not valid UTF-8 is read as
 * Windows-1252 (the usual cause: a Latin-1 or Excel export, "Caf\xE9"),
 * with a warning naming the first bad byte; a NUL byte or UTF-16 is refused.
 */
#include <stddef.h>

enum ix_text_verdict {
  IX_TEXT_UTF8,   /* valid UTF-8, no NUL: use as it is */
  IX_TEXT_CP1252, /* not UTF-8: *out holds the Windows-1252 reading */
  IX_TEXT_NUL,    /* a NUL byte at *bad_at: refuse */
  IX_TEXT_UTF16,  /* a UTF-16 byte order mark: refuse */
};

/* Look at s[0..n) (a UTF-8 BOM already removed). For IX_TEXT_CP1252, *out
 * is a malloc'd NUL-terminated UTF-8 copy (length in *out_len; the caller
 * frees it) and *bad_at / *bad_byte tell the first byte that was not
 * UTF-8; *bad_line is its line (1-based). Returns the verdict, or -1 when
 * out of memory. */
int ix_text_decode(const char *s, size_t n, char **out, size_t *out_len, size_t *bad_at,
                   unsigned *bad_byte, size_t *bad_line);

#endif
