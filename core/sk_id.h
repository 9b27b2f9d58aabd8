#ifndef SK_ID_H
#define SK_ID_H
/*
 * Public identifiers are UUIDs (text, 36 chars + NUL). Records from a feed
 * get a name-based UUID of "<source>\n<source_key>", so the same record keeps
 * its id across fetches and even across a rebuild of the store.
 */
#include <stddef.h>

#define SK_UUID_LEN 37

/* Name-based UUID (version 8, BLAKE2b of the name) into out. */
void sk_uuid_from_name(const char *name, size_t len, char out[SK_UUID_LEN]);
/* Random UUID (version 4) into out. */
void sk_uuid_random(char out[SK_UUID_LEN]);
/* 1 when s is a UUID in canonical lower-case text form. */
int sk_uuid_valid(const char *s);
/* 1 when s is a UUID in any accepted text form (hex digits in either case,
 * surrounding blanks, "urn:uuid:" or {braces}); its canonical lower-case
 * form into out (out may not alias s). 0, out untouched, otherwise. */
int sk_uuid_canon(const char *s, char out[SK_UUID_LEN]);

#endif
