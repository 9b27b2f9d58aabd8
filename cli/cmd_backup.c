/* sociale-kaart backup: an online, consistent copy of the database. */
#include <getopt.h>

#include "cli.h"
#include "sk_backup.h"
#include "sk_err.h"
#include "sk_store.h"

void cmd_backup_usage(FILE *out) {
  fprintf(out,
          "Usage: sociale-kaart backup [--db PATH] FILE\n"
          "\n"
          "Write a consistent copy of the database to FILE while the server keeps\n"
          "running. The copy includes everything: portal data, accounts, history.\n"
          "Restore by stopping the server and putting FILE in place of the database.\n"
          "\n"
          "  --db PATH   database file (env SK_DB, default %s)\n",
          SK_DEFAULT_DB);
}

int cmd_backup(int argc, char **argv) {
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
  const char *db_path = cli_default("SK_DB", SK_DEFAULT_DB);
  int ch;
  optind = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (ch == 'd')
      db_path = optarg;
    else
      return cli_usage_error("backup", "unknown option or missing value: '%s'", argv[optind - 1]);
  }
  if (optind != argc - 1)
    return cli_usage_error("backup", "give one FILE to write the backup to");
  char err[512];
  struct sk_store *st = NULL;
  if (sk_store_open(db_path, SK_STORE_READONLY, &st, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart backup: %s\n", err);
    return SK_EXIT_FAIL;
  }
  int rc = sk_backup_to_file(st, argv[optind], err, sizeof err);
  sk_store_close(st);
  if (rc) {
    fprintf(stderr, "sociale-kaart backup: %s\n", err);
    return SK_EXIT_FAIL;
  }
  printf("backup written to %s\n", argv[optind]);
  return SK_EXIT_OK;
}
