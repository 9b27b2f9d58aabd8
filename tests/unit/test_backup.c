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
  assert_int_equal(sk_store_open(th_path("live.db"), SK_STORE_READONLY, &reader, err, sizeof err), SK_OK);
  assert_int_equal(sk_store_begin(st), SK_OK);
  add_portal_org(st, 999);
  assert_int_equal(sk_backup_to_file(reader, th_path("backup.db"), err, sizeof err), SK_OK);
  assert_int_equal(sk_store_commit(st), SK_OK);
  sk_store_close(reader);
  sk_store_close(st);

  /* "Restore": open the backup as the database. */
  struct sk_store *restored = NULL;
  assert_int_equal(sk_store_open(th_path("backup.db"), SK_STORE_CREATE, &restored, err, sizeof err), SK_OK);
  assert_int_equal(th_query_int(restored, "SELECT count(*) FROM organization WHERE source = 'portal'"), 50);
  assert_int_equal(th_query_int(restored, "SELECT count(*) FROM taxonomy_term") > 0, 1);
  sk_store_close(restored);
  struct stat sb;
  assert_int_not_equal(stat(th_path("backup.db.partial"), &sb), 0);
}

static void test_backup_to_unwritable_place_fails_cleanly(void **state) {
  (void)state;
  struct sk_store *st = th_store_with_taxonomy("live2.db");
  char err[256] = "";
  assert_int_not_equal(sk_backup_to_file(st, "/nonexistent-dir/x/backup.db", err, sizeof err), SK_OK);
  assert_true(err[0] != '\0');
  sk_store_close(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_backup_has_portal_data_and_restores),
      cmocka_unit_test(test_backup_to_unwritable_place_fails_cleanly),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
