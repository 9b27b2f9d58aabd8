#ifndef IX_FETCH_H
#define IX_FETCH_H
/*
 * ix_fetch: download one feed (http, https or a local file://) with hard
 * limits, so that one slow, huge or broken feed can never stall or flood
 * the indexer.
 *
 * Limits: a connect timeout, a total timeout, a low-speed abort, a size cap
 * (checked against an announced Content-Length and again while the body
 * streams in), a redirect cap (a loop is an error), and a protocol allow
 * list (http, https, file; redirects may only go to http or https, so a
 * remote server can never make us read a local file).
 *
 * "Unchanged costs nothing": the caller passes what it stored after the
 * last good fetch (ETag, Last-Modified, content hash). A 304 answer, or a
 * body whose sha256 equals known_hash, comes back as not_modified = 1
 * without a body, so there is nothing to parse. Store the three (in
 * feed.http_etag, http_last_modified, content_hash) only after the body was
 * parsed and applied: a feed that failed must be fetched and reported again
 * next time, not skipped as unchanged.
 *
 * The body is checked to be valid UTF-8 without NUL bytes; a leading UTF-8
 * byte order mark is removed (and not part of the hash). With opts.binary
 * (a zip) the body is passed on as it came.
 *
 * Thread safety: ix_fetch keeps no shared state; any number of threads may
 * fetch at once, each with its own result. Call ix_fetch_global_init()
 * once per process, before starting threads.
 */
#include <stddef.h>
#include "sk_err.h" /* SK_MUST_CHECK */

struct ix_fetch_opts {
  long connect_timeout_ms; /* <= 0: the default */
  long total_timeout_ms;   /* <= 0: the default */
  long low_speed_bytes;    /* abort when fewer bytes per second arrive ... */
  long low_speed_seconds;  /* ... for this many seconds (either <= 0: the default) */
  size_t max_bytes;        /* size cap of the body; 0: the default */
  long max_redirects;      /* < 0: the default; 0: a redirect is an error */
  const char *user_agent;  /* NULL: "sociale-kaart-indexer/1"; borrowed */
  int binary;              /* 1: the body is an archive (zip): no text check, no BOM removal */
};

/* 10 s connect, 120 s total, <1 byte/s for 30 s aborts, 50 MiB, 3 redirects. */
void ix_fetch_opts_default(struct ix_fetch_opts *o);

struct ix_fetch_result {
  int not_modified; /* 1: 304, or the content hash equals known_hash: body is NULL */
  long http_status; /* 0 for file:// */
  char *body;       /* owned by the result, NUL-terminated; NULL when not_modified */
  size_t len;       /* bytes in body, without the NUL */
  char etag[256]; /* ETag of the answer ("" when none); on a 304 without one, the etag passed in */
  char last_modified[128]; /* Last-Modified likewise */
  char content_hash[65];   /* sha256 hex of body; on a 304, known_hash when given, else "" */
  char warning[256];       /* Dutch: what was repaired (the encoding), "" when nothing */
  char error[256];         /* Dutch, B1, for the partner: why the fetch failed ("" on success),
                              with the technical detail in parentheses */
};

/* Initialise libcurl and libsodium. SK_OK, or SK_EINVAL when libcurl is too
 * old (needs 7.85 for protocol allow lists) or initialisation fails. */
SK_MUST_CHECK int ix_fetch_global_init(void);

/* Fetch url: http(s):// or file:// with an absolute path. etag,
 * last_modified and known_hash (64 hex digits) may be NULL; o NULL means the
 * defaults. out is always initialised (also on error) and must be released
 * with ix_fetch_result_free.
 * Returns SK_OK (body or not_modified), or SK_EFETCH / SK_ETOOBIG / SK_ENOMEM
 * with out->error set; on error out has no body and no etag/last_modified/
 * content_hash, so the caller keeps its previous ones. */
SK_MUST_CHECK int ix_fetch(const struct ix_fetch_opts *o, const char *url, const char *etag,
                           const char *last_modified, const char *known_hash,
                           struct ix_fetch_result *out);

/* Release the body; the result can be reused. Accepts NULL. */
void ix_fetch_result_free(struct ix_fetch_result *r);

#endif
