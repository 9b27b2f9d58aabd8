#include "sk_publish.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sk_backup.h"
#include "sk_err.h"

#define SNAP_PREFIX "snap-"
#define SNAP_SUFFIX ".db"
#define SNAP_MAX 512 /* snapshots looked at when pruning */

/* What a replica never needs and a copy should not carry: who can log in
 * (accounts, sessions, tokens, reset links), mail waiting to go out, the
 * residents' search statistics, moderation and corrections not yet public,
 * and the secrets that sign anything but the public correction form
 * (portal_secret, which a replica needs to render that form). secure_delete
 * overwrites the freed pages, so the bytes are gone from the file too. */
static const char scrub_sql[] =
    "PRAGMA secure_delete = ON;"
    "BEGIN;"
    "DELETE FROM auth_session; DELETE FROM api_token; DELETE FROM login_attempt;"
    "DELETE FROM password_reset; DELETE FROM portal_outbox; DELETE FROM search_stat;"
    "DELETE FROM portal_pending; DELETE FROM portal_correction;"
    "DELETE FROM account_organization; DELETE FROM account;"
    "DELETE FROM meta WHERE key = 'verify_secret' OR key LIKE 'stats_key:%';"
    "COMMIT;";

static int fsync_path(const char *path, int dir) {
  int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0)
    return -1;
  int rc = fsync(fd);
  close(fd);
  return rc;
}

static int scrub(const char *path, char *err, size_t errlen) {
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "cannot open the new snapshot %s: %s", path,
             db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return SK_EDB;
  }
  char *msg = NULL;
  int rc = SK_OK;
  if (sqlite3_exec(db, scrub_sql, NULL, NULL, &msg) != SQLITE_OK) {
    snprintf(err, errlen, "cannot strip the new snapshot: %s", msg ? msg : "?");
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    rc = SK_EDB;
  }
  sqlite3_free(msg);
  if (sqlite3_close(db) != SQLITE_OK && !rc) {
    snprintf(err, errlen, "cannot close the new snapshot %s", path);
    rc = SK_EIO;
  }
  return rc;
}

static int is_snapshot_name(const char *n) {
  size_t len = strlen(n), p = strlen(SNAP_PREFIX), s = strlen(SNAP_SUFFIX);
  return len > p + s && strncmp(n, SNAP_PREFIX, p) == 0 && strcmp(n + len - s, SNAP_SUFFIX) == 0;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Remove the oldest snapshots until keep are left; never `current`'s. */
static void prune(const char *dir, unsigned keep, const char *current_name) {
  DIR *d = opendir(dir);
  if (!d)
    return;
  char *names[SNAP_MAX];
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < SNAP_MAX)
    if (is_snapshot_name(e->d_name) && (names[n] = strdup(e->d_name)))
      n++;
  closedir(d);
  qsort(names, n, sizeof *names, cmp_names); /* the names sort by time */
  for (size_t i = 0; i < n; i++) {
    if (i + keep < n && strcmp(names[i], current_name) != 0) {
      char path[PATH_MAX];
      if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) < sizeof path)
        unlink(path);
    }
    free(names[i]);
  }
}

int sk_publish(struct sk_store *st, const char *dir, unsigned keep, char *name, size_t namelen,
               char *err, size_t errlen) {
  if (keep < SK_PUBLISH_KEEP_MIN)
    keep = SK_PUBLISH_KEEP_MIN;
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "cannot create the snapshot folder %s: %s", dir, strerror(errno));
    return SK_EIO;
  }
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char stamp[32], fname[64];
  strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
  snprintf(fname, sizeof fname, SNAP_PREFIX "%s.%09ldZ" SNAP_SUFFIX, stamp, (long)ts.tv_nsec);
  char final[PATH_MAX], tmp[PATH_MAX], link_tmp[PATH_MAX], link[PATH_MAX];
  if ((size_t)snprintf(final, sizeof final, "%s/%s", dir, fname) >= sizeof final ||
      (size_t)snprintf(tmp, sizeof tmp, "%s/.%s.new", dir, fname) >= sizeof tmp ||
      (size_t)snprintf(link_tmp, sizeof link_tmp, "%s/." SK_PUBLISH_CURRENT ".new", dir) >=
          sizeof link_tmp ||
      (size_t)snprintf(link, sizeof link, "%s/" SK_PUBLISH_CURRENT, dir) >= sizeof link) {
    snprintf(err, errlen, "snapshot folder path too long");
    return SK_EINVAL;
  }
  struct stat sb;
  if (lstat(final, &sb) == 0) {
    snprintf(err, errlen, "snapshot %s exists already", final);
    return SK_ECONFLICT;
  }
  int rc = sk_backup_to_file(st, tmp, err, errlen);
  if (rc == SK_OK)
    rc = scrub(tmp, err, errlen);
  if (rc == SK_OK && fsync_path(tmp, 0) != 0) {
    snprintf(err, errlen, "cannot write the new snapshot to disk: %s", strerror(errno));
    rc = SK_EIO;
  }
  if (rc == SK_OK && rename(tmp, final) != 0) {
    snprintf(err, errlen, "cannot rename the new snapshot: %s", strerror(errno));
    rc = SK_EIO;
  }
  if (rc != SK_OK) {
    unlink(tmp);
    return rc;
  }
  /* The switch: a new symlink renamed over `current` (rename is atomic). */
  unlink(link_tmp);
  if (symlink(fname, link_tmp) != 0 || rename(link_tmp, link) != 0) {
    snprintf(err, errlen, "cannot switch %s to the new snapshot: %s", link, strerror(errno));
    unlink(link_tmp);
    unlink(final);
    return SK_EIO;
  }
  if (fsync_path(dir, 1) != 0) {
    snprintf(err, errlen, "cannot write the snapshot folder %s to disk: %s", dir, strerror(errno));
    return SK_EIO; /* published, but a crash now may bring back the old `current` */
  }
  prune(dir, keep, fname);
  if (name && namelen)
    snprintf(name, namelen, "%s", fname);
  return SK_OK;
}

int sk_publish_current(const char *dir, char *out, size_t outlen) {
  char link[PATH_MAX], real[PATH_MAX];
  if ((size_t)snprintf(link, sizeof link, "%s/" SK_PUBLISH_CURRENT, dir) >= sizeof link)
    return SK_ETOOBIG;
  if (!realpath(link, real))
    return errno == ENOENT ? SK_ENOTFOUND : SK_EIO;
  if ((size_t)snprintf(out, outlen, "%s", real) >= outlen)
    return SK_ETOOBIG;
  return SK_OK;
}
