#ifndef SK_PUBLISH_H
#define SK_PUBLISH_H
/*
 * Read snapshots for replicas (docs/operations.md, "Scale-out"). The one
 * primary writes; `sociale-kaart publish` copies its database with SQLite's
 * online backup API into a snapshot folder, and `serve --replica DIR` serves
 * the newest copy read-only.
 *
 * A snapshot folder holds snap-<UTC time>.db files and `current`, a symlink
 * to the newest. A snapshot is immutable once `current` points at it: it is
 * written under a temporary name, stripped of what only the primary needs,
 * checked, fsync'd, renamed, and only then is `current` switched (a new
 * symlink renamed over the old one, so a reader sees the old target or the
 * new one, never none). Older snapshots beyond `keep` are removed; a replica
 * that still has one open keeps reading it (the file lives on until it is
 * closed).
 */
#include <stddef.h>

#include "sk_store.h"

#define SK_PUBLISH_CURRENT "current"
#define SK_PUBLISH_KEEP_MIN 2

/* Publish a snapshot of st (the primary; only read) into dir (created when
 * missing). keep: snapshots left in dir, at least SK_PUBLISH_KEEP_MIN. The
 * copy leaves out sessions, API tokens, accounts, reset links, the outbox,
 * search statistics, pending moderation, corrections and every secret but
 * the one that signs the public correction form. name (may be NULL) gets
 * the new file's name. SK_OK, or an SK_E* code with a one-line reason in
 * err; on failure `current` is unchanged. */
int sk_publish(struct sk_store *st, const char *dir, unsigned keep, char *name, size_t namelen,
               char *err, size_t errlen);

/* The file dir/current points at, as an absolute path without symlinks.
 * SK_ENOTFOUND when dir has no snapshot yet; SK_ETOOBIG when out is short. */
int sk_publish_current(const char *dir, char *out, size_t outlen);

#endif
