/* sociale-kaart publish: a read snapshot of the database for the replicas
 * (serve --replica DIR; docs/operations.md, "Scale-out"). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "sk_err.h"
#include "sk_portal.h"
#include "sk_publish.h"
#include "sk_store.h"

#define SK_DEFAULT_SNAPSHOTS "data/snapshots"
#define PUBLISH_KEEP_DEFAULT 3

void cmd_publish_usage(FILE *out) {
  fprintf(out,
          "Usage: sociale-kaart publish [--db PATH] [--dir DIR] [--keep N]\n"
          "\n"
          "Copy the database (online, while the server and the indexer keep writing) into\n"
          "a new read snapshot in DIR and switch DIR/current to it atomically; replicas\n"
          "started with 'serve --replica DIR' move to it within a few seconds without\n"
          "dropping a request. The snapshot holds the public data only: no accounts,\n"
          "sessions, tokens, outgoing mail or statistics.\n"
          "\n"
          "  --db PATH   the primary's database (env SK_DB, default %s)\n"
          "  --dir DIR   snapshot folder, created when missing (env SK_SNAPSHOTS,\n"
          "              default %s)\n"
          "  --keep N    snapshots kept, the newest N, at least %d (default %d)\n",
          SK_DEFAULT_DB, SK_DEFAULT_SNAPSHOTS, SK_PUBLISH_KEEP_MIN, PUBLISH_KEEP_DEFAULT);
}

int cmd_publish(int argc, char **argv) {
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                       {"dir", required_argument, NULL, 'o'},
                                       {"keep", required_argument, NULL, 'k'},
                                       {NULL, 0, NULL, 0}};
  const char *db_path = cli_default("SK_DB", SK_DEFAULT_DB);
  const char *dir = cli_default("SK_SNAPSHOTS", SK_DEFAULT_SNAPSHOTS);
  unsigned keep = PUBLISH_KEEP_DEFAULT;
  int ch;
  optind = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
    case 'd': db_path = optarg; break;
    case 'o': dir = optarg; break;
    case 'k': {
      char *end;
      errno = 0;
      unsigned long v = strtoul(optarg, &end, 10);
      if (errno || end == optarg || *end || optarg[0] == '-' || v < SK_PUBLISH_KEEP_MIN || v > 1000)
        return cli_usage_error("publish", "--keep must be a number from %d to 1000, not '%s'",
                               SK_PUBLISH_KEEP_MIN, optarg);
      keep = (unsigned)v;
      break;
    }
    default:
      return cli_usage_error("publish", "unknown option or missing value: '%s'", argv[optind - 1]);
    }
  }
  if (optind != argc)
    return cli_usage_error("publish", "unexpected argument '%s'", argv[optind]);
  char err[512] = "";
  struct sk_store *st = NULL;
  if (sk_store_open(db_path, 0, &st, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart publish: %s\n", err);
    return SK_EXIT_FAIL;
  }
  /* The replicas render the public correction form, whose token the primary
   * checks: make sure its key exists before it is copied. */
  struct sk_portal p;
  sk_portal_init(&p, st, NULL);
  char tok[128];
  if (sk_portal_correction_token(&p, tok, sizeof tok) != SK_OK)
    fprintf(stderr, "sociale-kaart publish: warning: no key for the correction form; the "
                    "replicas will not show it\n");
  char name[128] = "";
  int rc = sk_publish(st, dir, keep, name, sizeof name, err, sizeof err);
  sk_store_close(st);
  if (rc != SK_OK) {
    fprintf(stderr, "sociale-kaart publish: %s\n", err);
    return SK_EXIT_FAIL;
  }
  printf("published %s/%s\n", dir, name);
  return SK_EXIT_OK;
}
