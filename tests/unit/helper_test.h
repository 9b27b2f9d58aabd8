#ifndef SK_HELPER_TEST_H
#define SK_HELPER_TEST_H
/*
 * Shared helpers for the cmocka test executables. Include after the cmocka
 * prerequisites (stdarg.h, stddef.h, stdint.h, setjmp.h, cmocka.h).
 */
#include <stddef.h>

#include "sk_store.h"
#include "sk_taxonomy.h"

/* A fresh temporary directory for this test process (created once, removed
 * at exit). Returns its path; never NULL (aborts the test instead). */
const char *th_tmpdir(void);
/* th_tmpdir() + "/" + name into a static ring of buffers. */
const char *th_path(const char *name);
/* The source tree root (env SK_SOURCE_DIR, set by ctest). */
const char *th_source_dir(void);
/* A path inside the source tree, e.g. th_source_path("feeds/taxonomy.json"). */
const char *th_source_path(const char *rel);
/* The shared corpora folder, or NULL when absent (tests then skip). */
const char *th_corpora_dir(void);
/* Write len bytes to path; asserts on failure. */
void th_write_file(const char *path, const char *data, size_t len);
/* Open (creating) a store at th_path(name) with the project's taxonomy loaded. */
struct sk_store *th_store_with_taxonomy(const char *name);
/* The project's taxonomy, loaded once per process (owned by the helper). */
const struct sk_taxonomy *th_taxonomy(void);
/* Index the demo feeds (feeds/feeds.json) into db with the built program,
 * `sociale-kaart index`, as a user would (taxonomy and crisis data too).
 * Returns 0 on success. The program is $SK_BINARY_DIR/sociale-kaart; when
 * it is not built the test exits 77 (skipped), or fails under CI. */
int th_index_demo(const char *db);
/* Run one integer-valued SQL query on st and return the value (asserts). */
long long th_query_int(struct sk_store *st, const char *sql);

#endif
