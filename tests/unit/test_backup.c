/* Online backup: a consistent, complete copy while a writer is busy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper_test.h"
#include "sk_backup.h"
#include "sk_err.h"
#include "sk_publish.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static void add_portal_org(struct sk_store *st, int i) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "INSERT INTO organization(id, source, source_key, name, created, last_modified)"
           " VALUES('org-%d', 'portal', 'k%d', 'Portaalorganisatie %d',"
           " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
           i, i, i);
  assert_int_equal(sk_store_exec(st, sql), SK_OK);
}

static void test_backup_has_portal_data_and_restores(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("live.db");
  for (int i = 0; i < 50; i++)
    add_portal_org(st, i);
  /* A writer holds an open transaction with more rows: the backup must
   * contain the committed state only. */
  struct sk_store *reader = NULL;
  char err[256];
  assert_int_equal(sk_store_open(th_path("live.db"), SK_STORE_READONLY, &reader, err, sizeof err),
                   SK_OK);
  assert_int_equal(sk_store_begin(st), SK_OK);
  add_portal_org(st, 999);
  assert_int_equal(sk_backup_to_file(reader, th_path("backup.db"), err, sizeof err), SK_OK);
  assert_int_equal(sk_store_commit(st), SK_OK);
  sk_store_close(reader);
  sk_store_close(st);

  /* "Restore": open the backup as the database. */
  struct sk_store *restored = NULL;
  assert_int_equal(sk_store_open(th_path("backup.db"), SK_STORE_CREATE, &restored, err, sizeof err),
                   SK_OK);
  assert_int_equal(
      th_query_int(restored, "SELECT count(*) FROM organization WHERE source = 'portal'"), 50);
  assert_int_equal(th_query_int(restored, "SELECT count(*) FROM taxonomy_term") > 0, 1);
  sk_store_close(restored);
  struct stat sb;
  assert_int_not_equal(stat(th_path("backup.db.partial"), &sb), 0);
}

static void test_backup_to_unwritable_place_fails_cleanly(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("live2.db");
  char err[256] = "";
  assert_int_not_equal(sk_backup_to_file(st, "/nonexistent-dir/x/backup.db", err, sizeof err),
                       SK_OK);
  assert_true(err[0] != '\0');
  sk_store_close(st);
}

/* 1 when the file at path contains needle (bytes, anywhere). */
static int file_contains(const char *path, const char *needle) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  size_t k = strlen(needle);
  int found = 0;
  for (long i = 0; !found && i + (long)k <= n; i++)
    found = memcmp(buf + i, needle, k) == 0;
  free(buf);
  return found;
}

static int count_snapshots(const char *dir) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    n += strncmp(e->d_name, "snap-", 5) == 0;
  closedir(d);
  return n;
}

static void test_publish_has_public_data_only_and_switches(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("primary.db");
  for (int i = 0; i < 20; i++)
    add_portal_org(st, i);
  assert_int_equal(
      sk_store_exec(
          st, "INSERT INTO account(id, email, name, role, password_hash, created) VALUES('acc-1',"
              " 'partner@example.org', 'Partner', 'partner', '$argon2id$geheim-hash-XYZZY',"
              " '2026-01-01T00:00:00Z');"
              "INSERT INTO auth_session(id_hash, account_rid, created, last_seen, expires, csrf)"
              " VALUES('sessie-hash-PLUGH', 1, 1, 1, 99999999999, 'csrf');"
              "INSERT INTO meta(key, value) VALUES('verify_secret', 'verify-geheim-QUUX'),"
              " ('portal_secret', 'aa');"),
      SK_OK);
  char dir[512], name[128] = "", err[256] = "", cur[1024];
  snprintf(dir, sizeof dir, "%s", th_path("snaps"));
  assert_int_equal(sk_publish_current(dir, cur, sizeof cur), SK_ENOTFOUND);
  assert_int_equal(sk_publish(st, dir, 2, name, sizeof name, err, sizeof err), SK_OK);
  assert_int_equal(sk_publish_current(dir, cur, sizeof cur), SK_OK);
  assert_non_null(strstr(cur, name));

  /* The public data is there; who can log in, and the secrets, are not. */
  struct sk_store *snap = NULL;
  assert_int_equal(sk_store_open(cur, SK_STORE_READONLY, &snap, err, sizeof err), SK_OK);
  assert_int_equal(th_query_int(snap, "SELECT count(*) FROM organization WHERE source = 'portal'"),
                   20);
  assert_int_equal(th_query_int(snap, "SELECT count(*) FROM account"), 0);
  assert_int_equal(th_query_int(snap, "SELECT count(*) FROM auth_session"), 0);
  assert_int_equal(th_query_int(snap, "SELECT count(*) FROM meta WHERE key = 'verify_secret'"), 0);
  assert_int_equal(th_query_int(snap, "SELECT count(*) FROM meta WHERE key = 'portal_secret'"), 1);
  assert_false(file_contains(cur, "geheim-hash-XYZZY"));
  assert_false(file_contains(cur, "sessie-hash-PLUGH"));
  assert_false(file_contains(cur, "verify-geheim-QUUX"));

  /* New data, a new snapshot: current moves; the reader of the old one
   * keeps reading it, even after it is pruned. */
  add_portal_org(st, 100);
  char name2[128] = "";
  assert_int_equal(sk_publish(st, dir, 2, name2, sizeof name2, err, sizeof err), SK_OK);
  assert_string_not_equal(name, name2);
  assert_int_equal(sk_publish_current(dir, cur, sizeof cur), SK_OK);
  assert_non_null(strstr(cur, name2));
  for (int i = 0; i < 3; i++)
    assert_int_equal(sk_publish(st, dir, 2, NULL, 0, err, sizeof err), SK_OK);
  assert_int_equal(count_snapshots(dir), 2);
  assert_int_equal(th_query_int(snap, "SELECT count(*) FROM organization WHERE source = 'portal'"),
                   20);
  sk_store_close(snap);
  assert_int_equal(sk_publish_current(dir, cur, sizeof cur), SK_OK);
  assert_int_equal(sk_store_open(cur, SK_STORE_READONLY, &snap, err, sizeof err), SK_OK);
  assert_int_equal(th_query_int(snap, "SELECT count(*) FROM organization WHERE source = 'portal'"),
                   21);
  sk_store_close(snap);
  /* The primary keeps everything. */
  assert_int_equal(th_query_int(st, "SELECT count(*) FROM account"), 1);
  sk_store_close(st);
}

static void test_publish_that_fails_leaves_current(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("primary2.db");
  char dir[512], err[256] = "", before[1024], after[1024];
  snprintf(dir, sizeof dir, "%s", th_path("snaps2"));
  assert_int_equal(sk_publish(st, dir, 3, NULL, 0, err, sizeof err), SK_OK);
  assert_int_equal(sk_publish_current(dir, before, sizeof before), SK_OK);
  /* The switch itself fails (something sits where the new link is made):
   * the error says so, current is unchanged and the new copy is gone. */
  char blocker[600];
  snprintf(blocker, sizeof blocker, "%s/.current.new", dir);
  assert_int_equal(mkdir(blocker, 0755), 0);
  assert_int_equal(sk_publish(st, dir, 3, NULL, 0, err, sizeof err), SK_EIO);
  assert_non_null(strstr(err, "current"));
  rmdir(blocker);
  assert_int_not_equal(sk_publish(st, "/nonexistent-dir/x/snaps", 3, NULL, 0, err, sizeof err),
                       SK_OK);
  assert_true(err[0] != '\0');
  assert_int_equal(sk_publish_current(dir, after, sizeof after), SK_OK);
  assert_string_equal(before, after);
  assert_int_equal(count_snapshots(dir), 1);
  sk_store_close(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_backup_has_portal_data_and_restores),
      cmocka_unit_test(test_backup_to_unwritable_place_fails_cleanly),
      cmocka_unit_test(test_publish_has_public_data_only_and_switches),
      cmocka_unit_test(test_publish_that_fails_leaves_current),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
