#include "sk_backup.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sk_err.h"

/* Pages copied per step: small steps let the writer in between. */
#define BACKUP_PAGES_PER_STEP 256

static int check_copy(sqlite3 *db, char *err, size_t errlen) {
  sqlite3_stmt *s = NULL;
  int ok = 0;
  if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &s, NULL) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW) {
    const char *r = (const char *)sqlite3_column_text(s, 0);
    ok = r && strcmp(r, "ok") == 0;
  }
  sqlite3_finalize(s);
  if (!ok)
    snprintf(err, errlen, "the backup copy failed its integrity check");
  return ok ? SK_OK : SK_EDB;
}

int sk_backup_to_file(struct sk_store *st, const char *dest_path, char *err, size_t errlen) {
  char tmp[4096];
  if ((size_t)snprintf(tmp, sizeof tmp, "%s.partial", dest_path) >= sizeof tmp) {
    snprintf(err, errlen, "backup path too long");
    return SK_EINVAL;
  }
  unlink(tmp);
  sqlite3 *dst = NULL;
  if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "cannot create %s: %s", tmp, dst ? sqlite3_errmsg(dst) : "out of memory");
    sqlite3_close(dst);
    return SK_EIO;
  }
  int rc = SK_OK;
  sqlite3_backup *b = sqlite3_backup_init(dst, "main", st->db, "main");
  if (!b) {
    snprintf(err, errlen, "cannot start the backup: %s", sqlite3_errmsg(dst));
    rc = SK_EDB;
  } else {
    int step;
    do {
      step = sqlite3_backup_step(b, BACKUP_PAGES_PER_STEP);
      if (step == SQLITE_BUSY || step == SQLITE_LOCKED)
        sqlite3_sleep(20);
    } while (step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED);
    if (sqlite3_backup_finish(b) != SQLITE_OK || step != SQLITE_DONE) {
      snprintf(err, errlen, "backup failed: %s", sqlite3_errmsg(dst));
      rc = SK_EDB;
    }
  }
  if (!rc)
    rc = check_copy(dst, err, errlen);
  /* A backup is one self-contained file: no WAL beside it. */
  if (!rc && sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "cannot finish the backup file: %s", sqlite3_errmsg(dst));
    rc = SK_EDB;
  }
  if (sqlite3_close(dst) != SQLITE_OK && !rc) {
    snprintf(err, errlen, "cannot close the backup file");
    rc = SK_EIO;
  }
  if (!rc && rename(tmp, dest_path) != 0) {
    snprintf(err, errlen, "cannot move the backup to %s", dest_path);
    rc = SK_EIO;
  }
  if (rc)
    unlink(tmp);
  return rc;
}
