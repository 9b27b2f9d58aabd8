#ifndef SK_BACKUP_H
#define SK_BACKUP_H
/*
 * Online backup of the store with SQLite's backup API: consistent while the
 * server reads and the indexer writes (WAL). The copy is written to a
 * temporary file beside dest and renamed into place only when complete and
 * checked, so a failed or interrupted backup never leaves a half file at dest.
 */
#include <stddef.h>

#include "sk_store.h"

/* Copy the database behind st to dest_path. SK_OK, or an SK_E* code with a
 * one-line reason in err. */
int sk_backup_to_file(struct sk_store *st, const char *dest_path, char *err, size_t errlen);

#endif
