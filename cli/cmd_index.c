/* sociale-kaart index: load the taxonomy and the feeds into the database. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ix_fetch.h"
#include "ix_registry.h"
#include "ix_run.h"
#include "sk_err.h"
#include "sk_store.h"
#include "sk_crisis.h"
#include "sk_taxonomy.h"

#include "ix_ical.h"

void cmd_index_usage(FILE *out) {
  fprintf(out,
          "Usage: sociale-kaart index [OPTIONS]\n"
          "\n"
          "Create or update the database: migrate its schema, load the taxonomy, then\n"
          "fetch, check and store every enabled feed of the registry. A feed that\n"
          "cannot be read keeps its last good data; its error is shown and recorded.\n"
          "Ends with a table per feed; the exit code is 1 when any feed failed.\n"
          "\n"
          "  --db PATH        database file (env SK_DB, default %s)\n"
          "  --taxonomy PATH  taxonomy file (env SK_TAXONOMY, default %s)\n"
          "  --crisis PATH    crisis patterns and lines (env SK_CRISIS, default: crisis.json\n"
          "                   beside the taxonomy; docs/crisis.md)\n"
          "  --feeds PATH     feed registry (env SK_FEEDS, default %s)\n"
          "  --feed ID        run only this feed (also when it is disabled)\n"
          "  --force          read feeds even when they did not change\n",
          SK_DEFAULT_DB, SK_DEFAULT_TAXONOMY, SK_DEFAULT_FEEDS);
}

struct progress {
  int tty;
};

static void on_stage(void *ctx, size_t index, size_t total, const char *feed_id,
                     const char *stage) {
  struct progress *p = ctx;
  if (!p->tty)
    return;
  const int width = 30;
  int filled = total ? (int)((index * (size_t)width) / total) : 0;
  char bar[64];
  for (int i = 0; i < width; i++)
    bar[i] = i < filled ? '#' : '.';
  bar[width] = '\0';
  fprintf(stdout, "\r\033[K[%s] %zu/%zu %.40s: %s", bar, index + 1, total, feed_id, stage);
  fflush(stdout);
}

static void on_feed_done(void *ctx, size_t index, size_t total, const struct ix_feed_report *r) {
  struct progress *p = ctx;
  if (p->tty) {
    const int width = 30;
    int filled = total ? (int)(((index + 1) * (size_t)width) / total) : width;
    char bar[64];
    for (int i = 0; i < width; i++)
      bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    fprintf(stdout, "\r\033[K[%s] %zu/%zu %.40s: %s", bar, index + 1, total, r->id,
            r->failed ? "FOUT" : "klaar");
    if (index + 1 == total)
      fputc('\n', stdout);
    fflush(stdout);
    return;
  }
  if (r->failed)
    printf("feed %s: FAILED: %s\n", r->id, r->error);
  else
    printf("feed %s: ok%s (%ld new, %ld changed, %ld unchanged, %ld withdrawn, %ld rejected)"
           " in %.2f s\n",
           r->id, r->not_modified ? ", not modified" : "", r->stats.n_new, r->stats.n_changed,
           r->stats.n_unchanged, r->stats.n_withdrawn, r->stats.n_rejected, r->seconds);
  fflush(stdout);
}

static void print_summary(const struct ix_feed_report *reps, size_t n) {
  printf("\n%-30s %-12s %7s %7s %9s %9s %8s  %s\n", "feed", "kind", "new", "changed", "unchanged",
         "withdrawn", "rejected", "status");
  long tot[5] = {0};
  size_t failed = 0;
  for (size_t i = 0; i < n; i++) {
    const struct ix_feed_report *r = &reps[i];
    const struct ix_apply_stats *s = &r->stats;
    char status[600];
    if (r->failed)
      snprintf(status, sizeof status, "FAILED: %s", r->error);
    else
      snprintf(status, sizeof status, "ok%s", r->not_modified ? " (not modified)" : "");
    printf("%-30.30s %-12s %7ld %7ld %9ld %9ld %8ld  %s\n", r->id, r->kind, s->n_new, s->n_changed,
           s->n_unchanged, s->n_withdrawn, s->n_rejected, status);
    tot[0] += s->n_new;
    tot[1] += s->n_changed;
    tot[2] += s->n_unchanged;
    tot[3] += s->n_withdrawn;
    tot[4] += s->n_rejected;
    failed += r->failed != 0;
  }
  printf("%-30s %-12s %7ld %7ld %9ld %9ld %8ld  %zu of %zu feeds healthy\n", "total", "", tot[0],
         tot[1], tot[2], tot[3], tot[4], n - failed, n);
  if (tot[4])
    printf("Rejected records: see 'sociale-kaart feed report ID'.\n");
}

int cmd_index(int argc, char **argv) {
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                       {"taxonomy", required_argument, NULL, 't'},
                                       {"feeds", required_argument, NULL, 'f'},
                                       {"feed", required_argument, NULL, 'i'},
                                       {"force", no_argument, NULL, 'F'},
                                       {"crisis", required_argument, NULL, 'c'},
                                       {NULL, 0, NULL, 0}};
  const char *db_path = cli_default("SK_DB", SK_DEFAULT_DB);
  const char *tax_path = cli_default("SK_TAXONOMY", SK_DEFAULT_TAXONOMY);
  const char *feeds_path = cli_default("SK_FEEDS", SK_DEFAULT_FEEDS);
  int feeds_explicit = getenv("SK_FEEDS") && *getenv("SK_FEEDS");
  const char *crisis_path = getenv("SK_CRISIS") && *getenv("SK_CRISIS") ? getenv("SK_CRISIS")
                                                                        : NULL;
  const char *only = NULL;
  int force = 0;
  int ch;
  optind = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
    case 'd': db_path = optarg; break;
    case 't': tax_path = optarg; break;
    case 'f':
      feeds_path = optarg;
      feeds_explicit = 1;
      break;
    case 'i': only = optarg; break;
    case 'F': force = 1; break;
    case 'c': crisis_path = optarg; break;
    default:
      return cli_usage_error("index", "unknown option or missing value: '%s'", argv[optind - 1]);
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
  /* The crisis data sits beside the taxonomy unless named: a resident in
   * crisis must be recognised by every database we build, so a named file
   * that cannot be read stops the run; a missing default only warns (the
   * database keeps the copy it has). */
  struct sk_crisis *crisis = NULL;
  char crisis_default[4096];
  int crisis_named = crisis_path != NULL;
  if (!crisis_path) {
    const char *slash = strrchr(tax_path, '/');
    snprintf(crisis_default, sizeof crisis_default, "%.*scrisis.json",
             slash ? (int)(slash - tax_path + 1) : 0, tax_path);
    crisis_path = crisis_default;
  }
  int crc = sk_crisis_load(crisis_path, &crisis, err, sizeof err);
  if (crc != SK_OK && (crisis_named || crc != SK_EIO)) {
    fprintf(stderr, "sociale-kaart index: crisis: %s\n", err);
    sk_taxonomy_free(tax);
    sk_crisis_free(crisis);
    return SK_EXIT_FAIL;
  }
  if (crc != SK_OK)
    fprintf(stderr,
            "sociale-kaart index: warning: no crisis data (%s); the database keeps what it has\n",
            err);
  struct ix_registry *reg = NULL;
  int rrc = ix_registry_load(feeds_path, tax, &reg, err, sizeof err);
  if (rrc == SK_ENOTFOUND && !feeds_explicit && !only) {
    reg = NULL; /* no registry yet: the taxonomy alone is a valid first run */
  } else if (rrc != SK_OK) {
    fprintf(stderr, "sociale-kaart index: feeds: %s\n", err);
    sk_taxonomy_free(tax);
    sk_crisis_free(crisis);
    return SK_EXIT_FAIL;
  }
  if (cli_ensure_parent_dir(db_path) != 0) {
    fprintf(stderr, "sociale-kaart index: cannot create the folder of %s\n", db_path);
    ix_registry_free(reg);
    sk_taxonomy_free(tax);
    sk_crisis_free(crisis);
    return SK_EXIT_FAIL;
  }
  struct sk_store *st = NULL;
  if (sk_store_open(db_path, SK_STORE_CREATE, &st, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart index: %s\n", err);
    ix_registry_free(reg);
    sk_taxonomy_free(tax);
    sk_crisis_free(crisis);
    return SK_EXIT_FAIL;
  }
  int rc = SK_EXIT_OK;
  if (sk_store_begin(st) || sk_taxonomy_save(tax, st) || (crisis && sk_crisis_save(crisis, st)) ||
      sk_store_commit(st)) {
    fprintf(stderr, "sociale-kaart index: cannot save the taxonomy: %s\n", sqlite3_errmsg(st->db));
    sk_store_rollback(st);
    rc = SK_EXIT_FAIL;
    goto out;
  }
  printf("taxonomy: %zu terms loaded into %s\n", tax->n_terms, db_path);
  if (!reg) {
    printf("feeds: %s does not exist; no feeds indexed\n", feeds_path);
    goto out;
  }
  if (ix_fetch_global_init() != SK_OK) {
    fprintf(stderr, "sociale-kaart index: cannot initialise libcurl\n");
    rc = SK_EXIT_FAIL;
    goto out;
  }
  struct progress prog = {.tty = isatty(STDOUT_FILENO)};
  struct ix_run_opts ro;
  ix_run_opts_default(&ro);
  ro.only_id = only;
  ro.force = force;
  ro.on_stage = on_stage;
  ro.on_feed_done = on_feed_done;
  ro.ctx = &prog;
  struct ix_feed_report *reps = NULL;
  size_t n = 0;
  int run_rc = ix_run(st, tax, reg, &ro, &reps, &n);
  if (run_rc == SK_ENOTFOUND) {
    fprintf(stderr, "sociale-kaart index: no feed '%s' in %s\n", only, feeds_path);
    rc = SK_EXIT_FAIL;
  } else if (run_rc != SK_OK) {
    fprintf(stderr, "sociale-kaart index: %s\n", sk_strerror(run_rc));
    rc = SK_EXIT_FAIL;
  } else {
    if (n == 0)
      printf("feeds: no enabled feeds in %s\n", feeds_path);
    else
      print_summary(reps, n);
    for (size_t i = 0; i < n; i++)
      if (reps[i].failed)
        rc = SK_EXIT_FAIL;
  }
  free(reps);
out:
  sk_store_close(st);
  ix_registry_free(reg);
  sk_taxonomy_free(tax);
  sk_crisis_free(crisis);
  ix_ical_global_cleanup();
  return rc;
}
