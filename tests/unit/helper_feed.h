#ifndef HELPER_FEED_H
#define HELPER_FEED_H
/* Running one feed through the real indexer in a test (ix_run with a
 * registry of that one feed). */
#include <stdint.h>

#include "ix_run.h"
#include "sk_store.h"

/* Index the feed `id` of `kind` read from file `path` (absolute), with the
 * registry's optional `defaults` JSON, into st at time `now` (forced, as a
 * first run). Fails the test when the registry or the run fails; returns
 * the feed's report (by value: nothing to free). */
struct ix_feed_report th_run_feed(struct sk_store *st, const char *id, const char *kind,
                                  const char *path, const char *defaults, int64_t now);
/* The same for a feed at any address (location as the registry has it:
 * "http://127.0.0.1:8123/services", "file:///..."). */
struct ix_feed_report th_run_feed_at(struct sk_store *st, const char *id, const char *kind,
                                     const char *location, const char *defaults, int64_t now);

#endif
