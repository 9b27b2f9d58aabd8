#ifndef IX_RECORD_H
#define IX_RECORD_H
/*
 * The indexer's in-memory model of one feed's content, shared by every
 * format parser (partner-json, HSDS, iCal) and by ix_apply, which writes a
 * batch into the store.
 *
 * Ownership: a struct ix_batch owns everything reachable from it. Strings
 * and arrays are allocated from the batch's arena (ix_strdup, ix_printf,
 * IX_PUSH) and released all at once by ix_batch_free; never free(3) them.
 * All text is valid UTF-8 (parsers check) but otherwise untrusted: it may
 * contain markup, which is stored and shown as text.
 *
 * Optional strings are NULL when absent; optional ints are IX_UNSET.
 */
#include <stddef.h>
#include "sk_err.h" /* SK_MUST_CHECK */
#include <stdint.h>

#define IX_UNSET (-1)

struct ix_arena_block;
struct ix_arena {
  struct ix_arena_block *head; /* owned chain of blocks */
  size_t used;                 /* bytes handed out, for the size cap */
  size_t max;                  /* cap on bytes handed out (0: none) */
};

struct ix_phone {
  const char *number;
  const char *extension; /* "12" (HSDS phone.extension), or NULL */
  const char *description;
  int restricted; /* 1: for professionals only */
};

/* A municipality or scope an offering is for, optionally narrowed by age
 * (area_exceptions: "eemnes", min_age 18, note "Jeugd via Amersfoort"). */
struct ix_area {
  const char *code;
  int min_age, max_age; /* IX_UNSET when not narrowed */
  const char *note;
};

struct ix_hours {
  int weekday;    /* 1 = Monday .. 7 = Sunday */
  char opens[6];  /* "HH:MM" local time */
  char closes[6]; /* "HH:MM", up to "24:00" (open until midnight) */
  const char *note;
  /* Dates ("YYYY-MM-DD", "" when open-ended) the row holds on: a season
   * (HSDS valid_from/valid_to, until) or, for a rule that is not a plain
   * weekly one (every other week, monthly), one date per row. */
  char valid_from[11], valid_to[11];
};

struct ix_occurrence {
  int64_t start_utc, end_utc; /* unix seconds; end_utc IX_UNSET when open */
  char starts_at[32];         /* ISO 8601 local time with offset, or a date */
  char ends_at[32];           /* "" when unknown */
  int all_day;
  int cancelled;
  const char *location_text; /* override of the series' location, or NULL */
};

struct ix_org {
  const char *key; /* the source's stable key */
  const char *name;
  const char *description;
  const char *email;
  const char *website;
  const char *phone;
};

struct ix_location {
  const char *key;
  const char *org_key;
  const char *name;
  const char *address;
  const char *postal_code;
  const char *city;
  const char *municipality; /* code */
  const char *accessibility;
  double latitude, longitude;
  int has_coordinates;
};

enum ix_kind { IX_KIND_SERVICE, IX_KIND_ACTIVITY };

struct ix_strv {
  const char **v;
  size_t n, cap;
};

struct ix_service {
  const char *key;
  const char *org_key;
  enum ix_kind kind;
  const char *name;
  const char *summary;
  const char *description;
  const char *keywords; /* space- or comma-separated words */
  const char *url;
  const char *email;
  const char *application_process;
  const char *eligibility;
  const char *fees;
  const char *referral_contact; /* restricted */
  const char *access;           /* access code */
  const char *cost;             /* cost code */
  const char *assured_date;     /* "YYYY-MM-DD" or full ISO time */
  const char *assured_by;
  /* The source's own last_modified (HSDS), as it gave it (an ISO 8601
   * date-time); ours is service.last_modified. NULL when none. */
  const char *source_modified;
  int min_age, max_age;
  struct ix_strv needs, target_groups, laws, location_keys;
  struct {
    struct ix_area *v;
    size_t n, cap;
  } areas;
  struct {
    struct ix_phone *v;
    size_t n, cap;
  } phones;
  struct {
    struct ix_hours *v;
    size_t n, cap;
  } hours;
  /* Classification proposed by the indexer, not given by the source
   * (ix_classify): needs from the text, access/cost "onbekend". Stored and
   * shown as "automatisch ingedeeld" until a redacteur confirms it. */
  int auto_classified;
  /* Names of terms of other taxonomies the source gave (Open Eligibility,
   * ORUK categories, ...): input for ix_classify, not stored. */
  struct ix_strv other_terms;
  /* The first service area the parser could not place ("Atlantis"), or
   * NULL: without another area and without a feed default the record is
   * rejected with this name in the reason. */
  const char *unplaced_area;
  /* activities (kind IX_KIND_ACTIVITY) */
  const char *uid;
  const char *location_text;
  const char *recurrence; /* RRULE text, for display */
  const char *organizer;
  struct {
    struct ix_occurrence *v;
    size_t n, cap;
  } occurrences;
  /* Set by ix_apply_prepare (which may run on another thread, ahead of
   * ix_apply) for the feed in the batch's prepared_feed: the content hash
   * and the public id. NULL: ix_apply works them out itself. */
  const char *content_hash;
  const char *public_id;
};

/* A record the parser could not accept, with a reason a partner understands
 * (Dutch, B1): "Dienst 'shv-huizen': het veld 'needs' mist." */
struct ix_rejection {
  const char *record_key; /* NULL when the record has no usable key */
  const char *field;      /* NULL when not about one field */
  const char *reason;
};

struct ix_batch {
  struct ix_arena arena;
  struct {
    struct ix_org *v;
    size_t n, cap;
  } orgs;
  struct {
    struct ix_location *v;
    size_t n, cap;
  } locations;
  struct {
    struct ix_service *v;
    size_t n, cap;
  } services;
  struct {
    struct ix_rejection *v;
    size_t n, cap;
  } rejections;
  /* Warnings: data dropped or moved, never silently (English or Dutch). */
  struct ix_strv warnings;
  /* Paged HSDS: the source counts its pages from 0 (Spring's page
   * "number": 0, the ORUK API 1.0), so the pages after the first are
   * ?page=1 .. total_pages - 1. */
  int zero_based_pages;
  /* HSDS: the document was an API's base ("openapi_url", "version"), not
   * its data; ix_run then reads that API's /services. */
  int api_base;
  /* The feed id ix_apply_prepare worked for, or NULL. */
  const char *prepared_feed;
};

/* Initialise an empty batch whose arena may hand out at most max_bytes
 * (0: no cap). */
void ix_batch_init(struct ix_batch *b, size_t max_bytes);
/* Release everything the batch owns; the batch is empty afterwards. */
void ix_batch_free(struct ix_batch *b);

/* Arena allocation: zeroed memory owned by the batch. NULL on OOM or past
 * the cap. */
void *ix_alloc(struct ix_batch *b, size_t size);
/* Copy of s (NULL stays NULL); NULL on OOM. */
const char *ix_strdup(struct ix_batch *b, const char *s);
const char *ix_strndup(struct ix_batch *b, const char *s, size_t n);
/* printf into the arena; NULL on OOM. */
const char *ix_printf(struct ix_batch *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Grow an arena-backed array (any struct with v, n, cap) by one zeroed
 * element; returns a pointer to it or NULL on OOM. */
void *ix_push(struct ix_batch *b, void **v, size_t *n, size_t *cap, size_t elem_size);
#define IX_PUSH(b, arr)                                                                            \
  ((__typeof__((arr).v))ix_push((b), (void **)&(arr).v, &(arr).n, &(arr).cap, sizeof *(arr).v))

/* Append a string (copied into the arena) to a string vector. SK_OK/SK_ENOMEM. */
SK_MUST_CHECK int ix_strv_push(struct ix_batch *b, struct ix_strv *sv, const char *s);

/* New zeroed records with optional ints set to IX_UNSET. NULL on OOM. */
struct ix_org *ix_batch_add_org(struct ix_batch *b);
struct ix_location *ix_batch_add_location(struct ix_batch *b);
struct ix_service *ix_batch_add_service(struct ix_batch *b);
/* Record a rejection (strings copied). SK_OK or SK_ENOMEM. */
SK_MUST_CHECK int ix_batch_reject(struct ix_batch *b, const char *record_key, const char *field,
                                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int ix_batch_warn(struct ix_batch *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A string -> size_t hash map for key lookups over big batches (which key
 * is which record, which codes exist). Keys are not copied: they must
 * outlive the map (arena strings do). Memory is malloc'd; free with
 * ix_keymap_free. A zeroed struct is an empty map. */
struct ix_keymap {
  const char **keys;
  size_t *vals;
  size_t cap, n;
};
/* Insert key -> val. SK_OK, SK_ECONFLICT when key is already there (the
 * old value stays), SK_ENOMEM. */
SK_MUST_CHECK int ix_keymap_put(struct ix_keymap *m, const char *key, size_t val);
/* 1 and *val set when key is there, else 0. val may be NULL. */
int ix_keymap_get(const struct ix_keymap *m, const char *key, size_t *val);
void ix_keymap_free(struct ix_keymap *m);

#endif
