#ifndef IX_REGISTRY_H
#define IX_REGISTRY_H
/*
 * The feed registry, feeds/feeds.json (format at the end of
 * docs/feed-format.md): which feeds exist, their kind, where to fetch them,
 * and defaults for what a format cannot carry.
 *
 * A registry owns everything reachable from it; free with
 * ix_registry_free. It keeps the JSON document it was read from, so saving
 * after ix_registry_add keeps the order and any notes in the file.
 * Messages in err are Dutch (shown by the CLI).
 */
#include <jansson.h>
#include "sk_err.h" /* SK_MUST_CHECK */
#include <stddef.h>

#include "sk_taxonomy.h"

#define IX_FEED_ID_MAX 64

struct ix_feed_defaults {
  char *organization;  /* organisation name for calendar events; may be NULL */
  char *municipality;  /* municipality or scope code; may be NULL */
  char *access, *cost; /* codes; may be NULL */
  char **needs;
  size_t n_needs;
  char **target_groups;
  size_t n_target_groups;
};

struct ix_feed {
  char *id;       /* lower-case letters, digits and '-' */
  char *partner;  /* who publishes it */
  char *kind;     /* the name of a row of ix_feed_kinds[] (ix_kind.h) */
  char *location; /* as written in the file */
  char *url;      /* absolute: http(s):// or file:// (relative paths resolved) */
  int enabled;
  struct ix_feed_defaults defaults;
};

struct ix_registry {
  char *path; /* the file */
  char *dir;  /* its folder, absolute */
  struct ix_feed *feeds;
  size_t n;
  json_t *root; /* the document as read (owned) */
};

/* Load and validate path. tax may be NULL (codes in defaults then go
 * unchecked). SK_ENOTFOUND when the file does not exist, SK_EPARSE /
 * SK_EINVAL with the reason in err, SK_ENOMEM. */
SK_MUST_CHECK int ix_registry_load(const char *path, const struct sk_taxonomy *tax,
                                   struct ix_registry **out, char *err, size_t errlen);
/* An empty registry that will be saved at path. */
SK_MUST_CHECK int ix_registry_new(const char *path, struct ix_registry **out);
void ix_registry_free(struct ix_registry *r);

/* The feed with this id, or NULL. */
const struct ix_feed *ix_registry_find(const struct ix_registry *r, const char *id);

/* Validate one feed object (as in the file) and append it. The object is
 * copied. SK_EINVAL with the reason in err (bad field, duplicate id). */
SK_MUST_CHECK int ix_registry_add(struct ix_registry *r, json_t *feed,
                                  const struct sk_taxonomy *tax, char *err, size_t errlen);

/* Write the registry to r->path (a temporary file renamed into place). */
SK_MUST_CHECK int ix_registry_save(const struct ix_registry *r, char *err, size_t errlen);

/* 1 when kind is one this program reads. */
int ix_feed_kind_known(const char *kind);

#endif
