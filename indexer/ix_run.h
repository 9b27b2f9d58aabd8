#ifndef IX_RUN_H
#define IX_RUN_H
/*
 * ix_run: one indexing run over the feed registry. For each feed: fetch
 * (conditional: an unchanged feed costs nothing), parse by kind, fill the
 * registry defaults, validate, apply in one transaction. Feeds are
 * independent: one that fails (cannot be fetched, parsed or applied) keeps
 * its last good data and gets its error recorded in feed.last_error; the
 * run goes on with the next one.
 */
#include <stddef.h>
#include "sk_err.h" /* SK_MUST_CHECK */
#include <stdint.h>

#include "ix_apply.h"
#include "ix_fetch.h"
#include "ix_record.h"
#include "ix_registry.h"
#include "sk_store.h"
#include "sk_taxonomy.h"

/* Cap on one feed's in-memory batch (all parsed text and records). */
#define IX_RUN_BATCH_MAX ((size_t)2048 * 1024 * 1024)

struct ix_feed_report {
  char id[IX_FEED_ID_MAX + 1];
  char kind[16];
  struct ix_apply_stats stats;
  long n_warnings;
  int not_modified; /* fetched, nothing changed since the last run */
  int failed;       /* the feed could not be fetched, parsed or applied */
  int held;         /* (with failed) it would withdraw too much: kept until accepted */
  char error[512];  /* Dutch, when failed */
  double seconds;
};

struct ix_run_opts {
  const char *only_id; /* NULL: every enabled feed; else only this one (even if disabled) */
  struct ix_fetch_opts fetch;
  int64_t now; /* unix seconds for the iCal window; 0: the current time */
  int force;   /* fetch and apply even when the feed looks unchanged */
  /* Called when a feed starts a stage ("ophalen", "lezen", "controleren",
   * "opslaan"); index is 0-based among the feeds that run. May be NULL. */
  void (*on_stage)(void *ctx, size_t index, size_t total, const char *feed_id, const char *stage);
  /* Called when a feed is done. May be NULL. */
  void (*on_feed_done)(void *ctx, size_t index, size_t total, const struct ix_feed_report *r);
  void *ctx;
};

void ix_run_opts_default(struct ix_run_opts *o);

/* What ix_feed_load learned from the fetch, to store on success. */
struct ix_load_info {
  int not_modified;
  char etag[256];
  char last_modified[128];
  char content_hash[80]; /* sha256 hex, or "pages:<hash>" for paged HSDS */
};

/* Fetch, parse, fill defaults and validate one feed into b (initialised by
 * the caller), without touching any store. etag / last_modified /
 * known_hash (from the last good run) may be NULL: then the feed is always
 * read. tax is needed. o may be NULL (defaults). Returns SK_OK (info says
 * whether it was unchanged; b then holds nothing), or an SK_E* code with a
 * Dutch reason in err (the feed cannot be used as a whole). */
SK_MUST_CHECK int ix_feed_load(const struct ix_feed *f, const struct sk_taxonomy *tax,
                               const struct ix_run_opts *o, const char *etag,
                               const char *last_modified, const char *known_hash,
                               struct ix_batch *b, struct ix_load_info *info, char *err,
                               size_t errlen);

/* Run the registry's feeds into st. *reports (free with free(3)) gets one
 * report per feed that ran, *n_reports their number. Returns SK_OK when the
 * run happened (individual feeds may still have failed: see the reports),
 * SK_ENOTFOUND when o->only_id is not in the registry, SK_ENOMEM. Call
 * ix_fetch_global_init() once per process first. */
SK_MUST_CHECK int ix_run(struct sk_store *st, const struct sk_taxonomy *tax,
                         const struct ix_registry *reg, const struct ix_run_opts *o,
                         struct ix_feed_report **reports, size_t *n_reports);

/* The slug of a name as an organisation key: "Bibliotheek Huizen" ->
 * "bibliotheek-huizen" (folded, ASCII letters and digits, '-'). */
void ix_slug(const char *name, char *out, size_t outlen);

#endif
