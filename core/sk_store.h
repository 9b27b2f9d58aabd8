#ifndef SK_STORE_H
#define SK_STORE_H
/*
 * sk_store: one SQLite connection to the store, set up the same way
 * everywhere: WAL, busy_timeout, synchronous=NORMAL, foreign keys, and the
 * "dutch" tokenizer registered. A writable open migrates the schema forward
 * and rebuilds the full-text index when the tokenizer version changed.
 *
 * A connection is used by one thread at a time. The server opens one
 * read-only store per worker thread; only the indexer and portal write.
 */
#include <sqlite3.h>
#include <stddef.h>

enum sk_store_flags {
  SK_STORE_READONLY = 1, /* never writes; fails if the file is missing */
  SK_STORE_CREATE = 2,   /* create the file when missing (writable only) */
};

struct sk_store {
  sqlite3 *db; /* owned */
  int readonly;
  int busy_ms; /* sk_store_set_busy_wait; 0: SQLite's busy_timeout of 5 s */
};

/* Open path. On failure returns an SK_E* code, *out is NULL and err (if
 * given) holds one line saying why. Close with sk_store_close. */
int sk_store_open(const char *path, int flags, struct sk_store **out, char *err, size_t errlen);
/* Close and free; NULL is allowed. */
void sk_store_close(struct sk_store *st);

/* Run SQL with no results (several statements allowed). SK_OK or SK_EDB. */
int sk_store_exec(struct sk_store *st, const char *sql);
/* BEGIN IMMEDIATE. SK_EBUSY when another writer held the store longer than
 * this connection waits (5 s, or sk_store_set_busy_wait), else SK_EDB. */
int sk_store_begin(struct sk_store *st);
/* Wait at most ms for another writer, polling every 2 ms (instead of the
 * 5 s busy_timeout set by sk_store_open): for connections that answer a
 * person (the server's portal and login writes), which would rather say
 * "busy, try again" than hang. ms <= 0: back to the 5 s busy_timeout. */
void sk_store_set_busy_wait(struct sk_store *st, int ms);
int sk_store_commit(struct sk_store *st);
void sk_store_rollback(struct sk_store *st); /* safe when no transaction */

/* meta table. sk_store_meta_get writes a NUL-terminated value into out and
 * returns SK_OK, SK_ENOTFOUND, SK_ETOOBIG or SK_EDB. */
int sk_store_meta_get(struct sk_store *st, const char *key, char *out, size_t outlen);
int sk_store_meta_set(struct sk_store *st, const char *key, const char *value);
/* A random 32-byte secret kept in meta under name (hex), made on first use:
 * one per purpose (form tokens, verification links, a month's search
 * statistics), so a value signed for one can never pass for another.
 * Needs a writable store the first time. SK_EINVAL when the stored value is
 * damaged. */
int sk_store_secret(struct sk_store *st, const char *name, unsigned char key[32]);

/* The schema version of the open file (PRAGMA user_version). */
int sk_store_schema_version(struct sk_store *st);

/* Bring the full-text row of one offering up to date: rebuilt from the
 * service, its organisation and need labels when the service is active,
 * removed otherwise. Call inside the writer's transaction. */
int sk_store_index_service(struct sk_store *st, long long service_rid);
/* The same for many offerings at once (set-based when there are many);
 * rids may repeat. Call inside the writer's transaction. */
int sk_store_index_services(struct sk_store *st, const long long *rids, size_t n);
/* Rebuild the whole full-text index from the tables. */
int sk_store_reindex_all(struct sk_store *st);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into out[21+]. */
void sk_now_iso(char out[32]);

#endif
