#ifndef SK_CHECK_H
#define SK_CHECK_H
/*
 * Syntax checks for fields that come from outside (feeds, portal edits):
 * one set of rules for the indexer and the portal. Each returns 1 when the
 * value is acceptable, 0 otherwise; NULL is never acceptable.
 */

#define SK_CHECK_EMAIL_MAX 254
#define SK_CHECK_URL_MAX 2000
#define SK_CHECK_PHONE_MAX 40

/* Field limits of the model: the one table for every route in. The
 * indexer's validation (ix_validate), the iCal importer, the portal
 * (sk_portal_doc) use these names, never a copy of the number, and
 * test_validate checks that the feed schema (docs/feed-format.schema.json)
 * and docs/portal.md state these numbers. Lengths are in characters (code
 * points); e-mail, URL and phone lengths are the SK_CHECK_*_MAX above. */
#define SK_FIELD_MAX_NAME 200
#define SK_FIELD_MAX_SUMMARY 300
#define SK_FIELD_MAX_TEXT 5000       /* description, eligibility, application process, ... */
#define SK_FIELD_MAX_SHORT 500       /* address, city, fees, phone description, notes, ... */
#define SK_FIELD_MAX_CODES 64        /* taxonomy codes per list */
#define SK_FIELD_MAX_AGE 120         /* ages are 0..120 */
#define SK_FIELD_MAX_POSTCODE 16     /* postal_code as typed, before it is normalised */
#define SK_FIELD_MAX_LIST 64         /* portal: phones, hours, locations per entry */
#define SK_FIELD_MAX_OCCURRENCES 400 /* dates of one activity (iCal: per series, by default) */

/* local@domain.tld: no spaces, quotes or double dots; a dotted domain. */
int sk_check_email(const char *s);
/* Absolute http:// or https:// URL with a dotted host (or localhost), an
 * optional numeric port, no spaces or characters that break markup. */
int sk_check_url(const char *s);
/* Digits with spaces, '-', '(', ')', '/' and a leading '+'; 3 to 15 digits
 * (113 is a phone number). */
int sk_check_phone(const char *s);
/* "HH:MM", 00:00 to 24:59. */
int sk_check_hhmm(const char *s);
/* "YYYY-MM-DD" (1990..2100), optionally followed by 'T' or ' ' and a time. */
int sk_check_date(const char *s);
/* Dutch postcode "1234 AB", "1234AB" or "1234 ab": writes "1234 AB" to out
 * and returns the four digits as a number; -1 when it is not a postcode. */
int sk_postcode_normalize(const char *s, char out[8]);

#endif
