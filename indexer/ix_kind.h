#ifndef IX_KIND_H
#define IX_KIND_H
/*
 * The feed kinds, as one table: the registry (which kinds exist, what a
 * feed of that kind needs), the run (how to parse it, when to fetch it
 * again) and the CLI (help text) all read ix_feed_kinds[]. Adding a feed
 * format is adding a parser and a row here (docs/contributing.md).
 */
#include <stddef.h>
#include <stdint.h>

#include "ix_record.h"
#include "sk_taxonomy.h"

struct ix_feed;

/* Parse one fetched document into b. *total_pages is 1 unless the format
 * pages (HSDS). On failure: an SK_E* code and a Dutch reason in err. */
typedef int (*ix_kind_parse_fn)(const struct ix_feed *f, const struct sk_taxonomy *tax, int64_t now,
                                const char *data, size_t len, struct ix_batch *b, int *total_pages,
                                char *err, size_t errlen);

struct ix_feed_kind {
  const char *name;        /* as written in feeds.json: "partner-json", "hsds", "ical" */
  const char *description; /* one line for `sociale-kaart feed --help` (English) */
  ix_kind_parse_fn parse;
  /* 1: fetch again every day even when unchanged (a calendar's window of
   * expanded occurrences moves with the date). */
  int refetch_daily;
  /* 1: the feed carries no organisation or municipality of its own, so the
   * registry's defaults.organization and defaults.municipality are needed. */
  int needs_org_defaults;
  /* 1: the format does not carry our codes (HSDS): what the source and the
   * defaults leave open is proposed by ix_classify and marked for the
   * redactie ("automatisch ingedeeld"). */
  int classify;
  /* 1: the body is an archive (zip), fetched without the text check; the
   * parser checks each member's text. */
  int binary;
  /* Read a local folder (file:// of a directory) instead of fetching one
   * file; NULL: the kind reads files only. Same returns as parse. */
  int (*parse_dir)(const struct ix_feed *f, const struct sk_taxonomy *tax, int64_t now,
                   const char *dir, struct ix_batch *b, char *err, size_t errlen);
};

extern const struct ix_feed_kind ix_feed_kinds[];
extern const size_t ix_n_feed_kinds;

/* The kind with this name, or NULL. */
const struct ix_feed_kind *ix_feed_kind_find(const char *name);

#endif
