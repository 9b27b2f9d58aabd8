/* sociale-kaart index: load the taxonomy and the feeds into the database. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "sk_err.h"
#include "sk_store.h"
#include "sk_taxonomy.h"

void cmd_index_usage(FILE *out) {
  fprintf(out,
          "Usage: sociale-kaart index [OPTIONS]\n"
          "\n"
          "Create or update the database: migrate its schema, load the taxonomy.\n"
          "\n"
          "  --db PATH        database file (env SK_DB, default %s)\n"
          "  --taxonomy PATH  taxonomy file (env SK_TAXONOMY, default %s)\n",
          SK_DEFAULT_DB, SK_DEFAULT_TAXONOMY);
}

int cmd_index(int argc, char **argv) {
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                       {"taxonomy", required_argument, NULL, 't'},
                                       {NULL, 0, NULL, 0}};
  const char *db_path = cli_default("SK_DB", SK_DEFAULT_DB);
  const char *tax_path = cli_default("SK_TAXONOMY", SK_DEFAULT_TAXONOMY);
  int ch;
  optind = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
    case 'd': db_path = optarg; break;
    case 't': tax_path = optarg; break;
    default: return cli_usage_error("index", "unknown option or missing value: '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc)
    return cli_usage_error("index", "unexpected argument '%s'", argv[optind]);

  char err[512];
  struct sk_taxonomy *tax = NULL;
  if (sk_taxonomy_load(tax_path, &tax, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart index: taxonomy: %s\n", err);
    return SK_EXIT_FAIL;
  }
  if (cli_ensure_parent_dir(db_path) != 0) {
    fprintf(stderr, "sociale-kaart index: cannot create the folder of %s\n", db_path);
    sk_taxonomy_free(tax);
    return SK_EXIT_FAIL;
  }
  struct sk_store *st = NULL;
  if (sk_store_open(db_path, SK_STORE_CREATE, &st, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart index: %s\n", err);
    sk_taxonomy_free(tax);
    return SK_EXIT_FAIL;
  }
  int rc = SK_EXIT_OK;
  if (sk_store_begin(st) || sk_taxonomy_save(tax, st) || sk_store_commit(st)) {
    fprintf(stderr, "sociale-kaart index: cannot save the taxonomy: %s\n", sqlite3_errmsg(st->db));
    sk_store_rollback(st);
    rc = SK_EXIT_FAIL;
  } else {
    printf("taxonomy: %zu terms loaded into %s\n", tax->n_terms, db_path);
  }
  sk_store_close(st);
  sk_taxonomy_free(tax);
  return rc;
}
