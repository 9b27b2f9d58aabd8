#ifndef SK_WRITE_H
#define SK_WRITE_H
/*
 * sk_write: the one writer of the model. Every row of an organisation,
 * location or offering (service) with its classification, areas, phones,
 * hours, locations, activity, dates and change log is written here, by the
 * indexer (ix_apply, bulk) and by the portal (sk_portal_doc, one entry at
 * a time). The columns a writer sets are listed once, in the
 * SK_WRITE_*_COLUMNS lists below: the row structs, the INSERT and UPDATE
 * statements and their binding are made from them, so a new column is one
 * line here plus its migration (docs/contributing.md, "Add a column").
 *
 * A writer belongs to one store connection, inside the caller's write
 * transaction (it begins and commits nothing). Statements are prepared on
 * first use and kept until sk_write_close.
 *
 * Two modes:
 *  - immediate (bulk_rows 1): every call has written its rows when it
 *    returns; text arguments need only live during the call;
 *  - bulk (bulk_rows > 1): child rows, change-log rows and new offerings
 *    with a rid chosen by the caller wait and go in multi-row INSERTs of up
 *    to bulk_rows rows. Their text must stay valid until the next
 *    sk_write_flush (change-log values are copied: they may be in reused
 *    buffers). Call sk_write_flush before anything reads those tables.
 *
 * Errors: SK_EDB (sqlite3_errmsg of the store's connection says why),
 * SK_ENOMEM, SK_EINVAL (a misuse: no row, bad argument).
 */
#include <stddef.h>
#include <stdint.h>

#include "sk_err.h"
#include "sk_store.h"

/* An optional integer (an age) that is not given: the column is NULL. */
#define SK_WRITE_UNSET (-1)

/* Column lists: X(column, type, document key). The column is also the
 * member of the row struct; type is TEXT (const char *, NULL = NULL), INT
 * (long long), AGE (int, SK_WRITE_UNSET = NULL) or REAL (double, NaN =
 * NULL); the document key is the field's name in a portal document (""
 * where the portal does not edit the column). */
#define SK_WRITE_SERVICE_COLUMNS(X)                                                                \
  X(organization_rid, INT, "")                                                                     \
  X(kind, TEXT, "kind")                                                                            \
  X(name, TEXT, "name")                                                                            \
  X(summary, TEXT, "summary")                                                                      \
  X(description, TEXT, "description")                                                              \
  X(keywords, TEXT, "keywords")                                                                    \
  X(url, TEXT, "url")                                                                              \
  X(email, TEXT, "email")                                                                          \
  X(application_process, TEXT, "application_process")                                              \
  X(eligibility_description, TEXT, "eligibility_description")                                      \
  X(fees_description, TEXT, "fees_description")                                                    \
  X(referral_contact, TEXT, "referral_contact")                                                    \
  X(min_age, AGE, "min_age")                                                                       \
  X(max_age, AGE, "max_age")                                                                       \
  X(status, TEXT, "status")                                                                        \
  X(content_hash, TEXT, "")                                                                        \
  X(assured_date, TEXT, "")                                                                        \
  X(assured_by, TEXT, "")                                                                          \
  X(source_modified, TEXT, "")

#define SK_WRITE_LOCATION_COLUMNS(X)                                                               \
  X(organization_rid, INT, "")                                                                     \
  X(name, TEXT, "name")                                                                            \
  X(address, TEXT, "address")                                                                      \
  X(postal_code, TEXT, "postal_code")                                                              \
  X(city, TEXT, "city")                                                                            \
  X(municipality_code, TEXT, "municipality")                                                       \
  X(latitude, REAL, "latitude")                                                                    \
  X(longitude, REAL, "longitude")                                                                  \
  X(accessibility, TEXT, "accessibility")                                                          \
  X(status, TEXT, "status")

#define SK_WRITE_ORG_COLUMNS(X)                                                                    \
  X(name, TEXT, "name")                                                                            \
  X(description, TEXT, "description")                                                              \
  X(email, TEXT, "email")                                                                          \
  X(website, TEXT, "website")                                                                      \
  X(content_hash, TEXT, "")                                                                        \
  X(status, TEXT, "status")

#define SK_WRITE_T_TEXT const char *
#define SK_WRITE_T_INT long long
#define SK_WRITE_T_AGE int
#define SK_WRITE_T_REAL double
#define SK_WRITE_MEMBER(col, type, key) SK_WRITE_T_##type col;

/* One row's columns. Zero is not "unset" for AGE and REAL: start from
 * sk_write_service_blank() / sk_write_location_blank(). The writer keeps no
 * pointer into a struct after the call (in bulk mode it keeps the text
 * pointers, see above). */
struct sk_write_service {
  SK_WRITE_SERVICE_COLUMNS(SK_WRITE_MEMBER)
};
struct sk_write_location {
  SK_WRITE_LOCATION_COLUMNS(SK_WRITE_MEMBER)
};
struct sk_write_org {
  SK_WRITE_ORG_COLUMNS(SK_WRITE_MEMBER)
};
struct sk_write_service sk_write_service_blank(void);
struct sk_write_location sk_write_location_blank(void);

/* A new row's identity: public id, source ('portal' or 'feed:<id>') and
 * the key it is found by again within that source. */
struct sk_write_origin {
  const char *id, *source, *source_key;
};

/* Child rows of an offering. */
struct sk_write_area {
  const char *code;
  int min_age, max_age; /* SK_WRITE_UNSET: not narrowed */
  const char *note;
};
struct sk_write_phone {
  const char *number, *description;
  int restricted;
};
/* Opening hours of an offering (service_rid) or of a location
 * (location_rid, service_rid 0). */
struct sk_write_hours {
  int weekday;
  const char *opens, *closes, *note;
  const char *valid_from, *valid_to; /* NULL: always */
};
struct sk_write_activity {
  const char *uid, *location_text, *recurrence, *organizer;
};
struct sk_write_occurrence {
  const char *starts_at, *ends_at; /* ends_at NULL: open */
  int64_t start_utc, end_utc;      /* unix seconds; end_utc SK_WRITE_UNSET: open */
  int all_day, cancelled;
  const char *location_text;
};
/* One change_log row. entity: "organization", "location", "service";
 * version 0: none (feeds). Values longer than SK_WRITE_CHANGE_VALUE_MAX
 * bytes are cut on a character boundary and end in "…". */
#define SK_WRITE_CHANGE_VALUE_MAX 4000
struct sk_write_change {
  const char *at, *actor, *entity, *entity_id, *field, *old_value, *new_value;
  int version;
};

struct sk_writer;

/* A writer on st (not owned). bulk_rows: 1 (immediate) .. 256. */
SK_MUST_CHECK int sk_write_open(struct sk_writer **w, struct sk_store *st, int bulk_rows);
/* Finalises the statements; pending bulk rows are dropped (flush first).
 * NULL is fine. */
void sk_write_close(struct sk_writer *w);
/* Write every pending bulk row. */
SK_MUST_CHECK int sk_write_flush(struct sk_writer *w);

/* ---- rows ---- */
/* New organisation/location: *rid receives its rid. */
SK_MUST_CHECK int sk_write_org_insert(struct sk_writer *w, const struct sk_write_origin *o,
                                      const struct sk_write_org *v, const char *now,
                                      long long *rid);
SK_MUST_CHECK int sk_write_org_update(struct sk_writer *w, long long rid,
                                      const struct sk_write_org *v, const char *now);
/* Replace the organisation's own phone (not an offering's or location's):
 * number NULL only deletes. */
SK_MUST_CHECK int sk_write_org_phone(struct sk_writer *w, long long rid, const char *number);
SK_MUST_CHECK int sk_write_location_insert(struct sk_writer *w, const struct sk_write_origin *o,
                                           const struct sk_write_location *v, const char *now,
                                           long long *rid);
SK_MUST_CHECK int sk_write_location_update(struct sk_writer *w, long long rid,
                                           const struct sk_write_location *v, const char *now);
/* New offering. *rid 0: the store chooses the rid and *rid receives it
 * (written at once); *rid > 0: that rid, which the caller keeps free (in
 * bulk mode the row waits with its children). */
SK_MUST_CHECK int sk_write_service_insert(struct sk_writer *w, const struct sk_write_origin *o,
                                          const struct sk_write_service *v, const char *now,
                                          long long *rid);
SK_MUST_CHECK int sk_write_service_update(struct sk_writer *w, long long rid,
                                          const struct sk_write_service *v, const char *now);

/* Set a row's status ('active', 'withdrawn') and last_modified; entity
 * "organization", "location" or "service" (else SK_EINVAL). */
SK_MUST_CHECK int sk_write_status(struct sk_writer *w, const char *entity, long long rid,
                                  const char *status, const char *now);

/* "Gegevens kloppen nog": the offering's assured_date and assured_by only. */
SK_MUST_CHECK int sk_write_assured(struct sk_writer *w, long long rid, const char *date,
                                   const char *by);

/* ---- an offering's children: clear, then add (a document replaces them) ---- */
/* Delete the offering's classification, areas, locations, phones, hours,
 * activity and dates. */
SK_MUST_CHECK int sk_write_service_clear(struct sk_writer *w, long long rid);
/* Delete a location's own opening hours. */
SK_MUST_CHECK int sk_write_location_clear(struct sk_writer *w, long long rid);
/* One classification code (vocabulary "need", "target_group", "law",
 * "access", "cost", "classification"); a duplicate is ignored. */
SK_MUST_CHECK int sk_write_code(struct sk_writer *w, long long rid, const char *vocabulary,
                                const char *code);
SK_MUST_CHECK int sk_write_area(struct sk_writer *w, long long rid, const struct sk_write_area *a);
SK_MUST_CHECK int sk_write_service_location(struct sk_writer *w, long long rid,
                                            long long location_rid);
SK_MUST_CHECK int sk_write_phone(struct sk_writer *w, long long rid,
                                 const struct sk_write_phone *p);
SK_MUST_CHECK int sk_write_hours(struct sk_writer *w, long long service_rid, long long location_rid,
                                 const struct sk_write_hours *h);
/* The activity row; its municipality is the first municipality among the
 * offering's areas, so write the areas first (pending ones are flushed). */
SK_MUST_CHECK int sk_write_activity(struct sk_writer *w, long long rid,
                                    const struct sk_write_activity *a);
SK_MUST_CHECK int sk_write_occurrence(struct sk_writer *w, long long rid,
                                      const struct sk_write_occurrence *o);

/* ---- change log ---- */
SK_MUST_CHECK int sk_write_log(struct sk_writer *w, const struct sk_write_change *c);
/* One change_log row at once, without a writer (accounts, reviews). */
SK_MUST_CHECK int sk_write_log_once(struct sk_store *st, const struct sk_write_change *c);

#endif
