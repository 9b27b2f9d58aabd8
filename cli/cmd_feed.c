/* sociale-kaart feed: list, add, check and report feeds of the registry. */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "ix_apply.h"
#include "ix_fetch.h"
#include "ix_registry.h"
#include "ix_run.h"
#include "sk_err.h"
#include "sk_store.h"
#include "sk_taxonomy.h"

#include "ix_ical.h"
#include "ix_kind.h"

void cmd_feed_usage(FILE *out) {
  fprintf(out,
          "Usage: sociale-kaart feed list [--feeds PATH] [--db PATH]\n"
          "       sociale-kaart feed add --id ID --partner NAME --kind KIND --location LOC\n"
          "                              [--disabled] [--organization NAME] [--municipality CODE]\n"
          "                              [--need CODE]... [--target-group CODE]...\n"
          "                              [--access CODE] [--cost CODE] [--feeds PATH]\n"
          "       sociale-kaart feed check ID [--feeds PATH] [--taxonomy PATH]\n"
          "       sociale-kaart feed report ID [--db PATH]\n"
          "       sociale-kaart feed accept ID [--later] [--db PATH] [--feeds PATH]\n"
          "                              [--taxonomy PATH]\n"
          "\n"
          "Manage the feed registry (feeds.json) and see how feeds fare.\n"
          "\n"
          "  list    the feeds in the registry, with their state in the database\n"
          "  add     validate a new feed and append it to the registry\n"
          "          (KIND: see below; LOC: a path relative to the registry's\n"
          "          folder, a file:// URL or an http(s):// URL)\n"
          "  check   fetch, read and check a feed without writing anything; prints\n"
          "          what would be rejected and why (exit 1 when it fails or rejects)\n"
          "  report  the last run of a feed: its error and the rejected records\n"
          "  accept  a feed held because it would withdraw too many offerings (more than\n"
          "          half, or more than 50): apply it anyway, now (or with --later, on\n"
          "          the next index run); used up by the first run that applies\n"
          "\n"
          "  --feeds PATH     feed registry (env SK_FEEDS, default %s)\n"
          "  --db PATH        database file (env SK_DB, default %s)\n"
          "  --taxonomy PATH  taxonomy file (env SK_TAXONOMY, default %s)\n"
          "\n"
          "Feed kinds:\n",
          SK_DEFAULT_FEEDS, SK_DEFAULT_DB, SK_DEFAULT_TAXONOMY);
  for (size_t i = 0; i < ix_n_feed_kinds; i++)
    fprintf(out, "  %-14s %s\n", ix_feed_kinds[i].name, ix_feed_kinds[i].description);
}

struct feed_args {
  const char *feeds, *db, *taxonomy;
  const char *id, *partner, *kind, *location, *organization, *municipality, *access, *cost;
  int disabled, later;
  const char *needs[64], *target_groups[64];
  size_t n_needs, n_target_groups;
  const char *positional;
};

static int parse_args(const char *sub, int argc, char **argv, struct feed_args *a) {
  static const struct option opts[] = {{"feeds", required_argument, NULL, 'f'},
                                       {"db", required_argument, NULL, 'd'},
                                       {"taxonomy", required_argument, NULL, 't'},
                                       {"id", required_argument, NULL, 'i'},
                                       {"partner", required_argument, NULL, 'p'},
                                       {"kind", required_argument, NULL, 'k'},
                                       {"location", required_argument, NULL, 'l'},
                                       {"disabled", no_argument, NULL, 'x'},
                                       {"organization", required_argument, NULL, 'o'},
                                       {"municipality", required_argument, NULL, 'm'},
                                       {"need", required_argument, NULL, 'n'},
                                       {"target-group", required_argument, NULL, 'g'},
                                       {"access", required_argument, NULL, 'a'},
                                       {"cost", required_argument, NULL, 'c'},
                                       {"later", no_argument, NULL, 'L'},
                                       {NULL, 0, NULL, 0}};
  memset(a, 0, sizeof *a);
  a->feeds = cli_default("SK_FEEDS", SK_DEFAULT_FEEDS);
  a->db = cli_default("SK_DB", SK_DEFAULT_DB);
  a->taxonomy = cli_default("SK_TAXONOMY", SK_DEFAULT_TAXONOMY);
  int ch;
  optind = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
    case 'f': a->feeds = optarg; break;
    case 'd': a->db = optarg; break;
    case 't': a->taxonomy = optarg; break;
    case 'i': a->id = optarg; break;
    case 'p': a->partner = optarg; break;
    case 'k': a->kind = optarg; break;
    case 'l': a->location = optarg; break;
    case 'x': a->disabled = 1; break;
    case 'L': a->later = 1; break;
    case 'o': a->organization = optarg; break;
    case 'm': a->municipality = optarg; break;
    case 'a': a->access = optarg; break;
    case 'c': a->cost = optarg; break;
    case 'n':
      if (a->n_needs >= 64)
        return cli_usage_error("feed", "too many --need options");
      a->needs[a->n_needs++] = optarg;
      break;
    case 'g':
      if (a->n_target_groups >= 64)
        return cli_usage_error("feed", "too many --target-group options");
      a->target_groups[a->n_target_groups++] = optarg;
      break;
    default:
      return cli_usage_error("feed", "unknown option or missing value for '%s': '%s'", sub,
                             argv[optind - 1]);
    }
  }
  if (optind < argc)
    a->positional = argv[optind++];
  if (optind < argc)
    return cli_usage_error("feed", "unexpected argument '%s'", argv[optind]);
  return SK_EXIT_OK;
}

static int feed_list(const struct feed_args *a) {
  char err[512];
  struct ix_registry *reg = NULL;
  if (ix_registry_load(a->feeds, NULL, &reg, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart feed list: %s\n", err);
    return SK_EXIT_FAIL;
  }
  struct sk_store *st = NULL;
  struct stat sb;
  if (stat(a->db, &sb) == 0)
    sk_store_open(a->db, SK_STORE_READONLY, &st, NULL, 0);
  sqlite3_stmt *q = NULL;
  if (st)
    sqlite3_prepare_v2(st->db,
                       "SELECT last_success, last_error, n_records, n_rejected FROM feed "
                       "WHERE id = ?1",
                       -1, &q, NULL);
  printf("%-28s %-12s %-8s %-20s %7s %8s  %s\n", "id", "kind", "enabled", "last success", "records",
         "rejected", "location / last error");
  for (size_t i = 0; i < reg->n; i++) {
    const struct ix_feed *f = &reg->feeds[i];
    char when[32] = "-", records[24] = "-", rejected[24] = "-";
    char note[600];
    snprintf(note, sizeof note, "%s", f->location);
    if (q) {
      sqlite3_reset(q);
      sqlite3_bind_text(q, 1, f->id, -1, SQLITE_STATIC);
      if (sqlite3_step(q) == SQLITE_ROW) {
        const char *ls = (const char *)sqlite3_column_text(q, 0);
        const char *le = (const char *)sqlite3_column_text(q, 1);
        snprintf(when, sizeof when, "%s", ls ? ls : "never");
        snprintf(records, sizeof records, "%lld", sqlite3_column_int64(q, 2));
        snprintf(rejected, sizeof rejected, "%lld", sqlite3_column_int64(q, 3));
        if (le)
          snprintf(note, sizeof note, "FAILED: %s", le);
      }
    }
    printf("%-28.28s %-12s %-8s %-20s %7s %8s  %s\n", f->id, f->kind, f->enabled ? "yes" : "no",
           when, records, rejected, note);
  }
  sqlite3_finalize(q);
  sk_store_close(st);
  ix_registry_free(reg);
  return SK_EXIT_OK;
}

static int feed_add(const struct feed_args *a) {
  if (!a->id || !a->partner || !a->kind || !a->location)
    return cli_usage_error("feed", "add needs --id, --partner, --kind and --location");
  char err[512];
  struct sk_taxonomy *tax = NULL;
  if (sk_taxonomy_load(a->taxonomy, &tax, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart feed add: taxonomy: %s\n", err);
    return SK_EXIT_FAIL;
  }
  struct ix_registry *reg = NULL;
  int rc = ix_registry_load(a->feeds, tax, &reg, err, sizeof err);
  if (rc == SK_ENOTFOUND)
    rc = ix_registry_new(a->feeds, &reg);
  if (rc != SK_OK) {
    fprintf(stderr, "sociale-kaart feed add: %s\n", err);
    sk_taxonomy_free(tax);
    return SK_EXIT_FAIL;
  }
  json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", a->id, "partner", a->partner, "kind",
                        a->kind, "location", a->location, "enabled", !a->disabled);
  json_t *d = json_object();
  int ok = f && d;
  if (ok && a->organization)
    ok = !json_object_set_new(d, "organization", json_string(a->organization));
  if (ok && a->municipality)
    ok = !json_object_set_new(d, "municipality", json_string(a->municipality));
  if (ok && a->n_needs) {
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < a->n_needs; i++)
      json_array_append_new(arr, json_string(a->needs[i]));
    ok = arr && !json_object_set_new(d, "needs", arr);
  }
  if (ok && a->n_target_groups) {
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < a->n_target_groups; i++)
      json_array_append_new(arr, json_string(a->target_groups[i]));
    ok = arr && !json_object_set_new(d, "target_groups", arr);
  }
  if (ok && a->access)
    ok = !json_object_set_new(d, "access", json_string(a->access));
  if (ok && a->cost)
    ok = !json_object_set_new(d, "cost", json_string(a->cost));
  if (ok && json_object_size(d))
    ok = !json_object_set(f, "defaults", d);
  int exit_code = SK_EXIT_FAIL;
  if (!ok) {
    fprintf(stderr, "sociale-kaart feed add: invalid text (not UTF-8?) or out of memory\n");
  } else if (ix_registry_add(reg, f, tax, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart feed add: %s\n", err);
  } else if (ix_registry_save(reg, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart feed add: %s\n", err);
  } else {
    const struct ix_feed *nf = ix_registry_find(reg, a->id);
    printf("feed %s added to %s (%s, %s)\n", a->id, a->feeds, nf->kind, nf->url);
    printf("Run 'sociale-kaart feed check %s' to try it.\n", a->id);
    exit_code = SK_EXIT_OK;
  }
  json_decref(d);
  json_decref(f);
  ix_registry_free(reg);
  sk_taxonomy_free(tax);
  return exit_code;
}

static int feed_check(const struct feed_args *a) {
  if (!a->positional)
    return cli_usage_error("feed", "check needs a feed ID");
  char err[512];
  struct sk_taxonomy *tax = NULL;
  if (sk_taxonomy_load(a->taxonomy, &tax, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart feed check: taxonomy: %s\n", err);
    return SK_EXIT_FAIL;
  }
  struct ix_registry *reg = NULL;
  if (ix_registry_load(a->feeds, tax, &reg, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart feed check: %s\n", err);
    sk_taxonomy_free(tax);
    return SK_EXIT_FAIL;
  }
  const struct ix_feed *f = ix_registry_find(reg, a->positional);
  int exit_code = SK_EXIT_FAIL;
  if (!f) {
    fprintf(stderr, "sociale-kaart feed check: no feed '%s' in %s\n", a->positional, a->feeds);
  } else if (ix_fetch_global_init() != SK_OK) {
    fprintf(stderr, "sociale-kaart feed check: cannot initialise libcurl\n");
  } else {
    struct ix_batch b;
    ix_batch_init(&b, IX_RUN_BATCH_MAX);
    struct ix_load_info info;
    printf("feed %s (%s): %s\n", f->id, f->kind, f->url);
    if (ix_feed_load(f, tax, NULL, NULL, NULL, NULL, &b, &info, err, sizeof err) != SK_OK) {
      printf("FAILED: %s\n", err);
    } else {
      size_t acts = 0;
      for (size_t i = 0; i < b.services.n; i++)
        acts += b.services.v[i].kind == IX_KIND_ACTIVITY;
      printf("ok: %zu organisations, %zu locations, %zu offerings, %zu activities\n", b.orgs.n,
             b.locations.n, b.services.n - acts, acts);
      printf("rejected: %zu\n", b.rejections.n);
      for (size_t i = 0; i < b.rejections.n; i++)
        printf("  - %s\n", b.rejections.v[i].reason);
      if (b.warnings.n)
        printf("warnings: %zu\n", b.warnings.n);
      for (size_t i = 0; i < b.warnings.n; i++)
        printf("  - %s\n", b.warnings.v[i]);
      exit_code = b.rejections.n ? SK_EXIT_FAIL : SK_EXIT_OK;
    }
    ix_batch_free(&b);
  }
  ix_registry_free(reg);
  sk_taxonomy_free(tax);
  return exit_code;
}

static int feed_report(const struct feed_args *a) {
  if (!a->positional)
    return cli_usage_error("feed", "report needs a feed ID");
  char err[512];
  struct sk_store *st = NULL;
  if (sk_store_open(a->db, SK_STORE_READONLY, &st, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart feed report: %s\n", err);
    return SK_EXIT_FAIL;
  }
  sqlite3_stmt *q = NULL;
  int exit_code = SK_EXIT_FAIL;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT partner, kind, location, last_attempt, last_success, last_error,"
                         " n_records, n_new, n_changed, n_unchanged, n_withdrawn, n_rejected "
                         "FROM feed WHERE id = ?1",
                         -1, &q, NULL) != SQLITE_OK)
    goto out;
  sqlite3_bind_text(q, 1, a->positional, -1, SQLITE_STATIC);
  if (sqlite3_step(q) != SQLITE_ROW) {
    fprintf(stderr, "sociale-kaart feed report: feed '%s' has not been indexed into %s\n",
            a->positional, a->db);
    goto out;
  }
#define COL(i) (sqlite3_column_text(q, i) ? (const char *)sqlite3_column_text(q, i) : "-")
  printf("feed:          %s (%s, %s)\n", a->positional, COL(1), COL(0));
  printf("location:      %s\n", COL(2));
  printf("last attempt:  %s\n", COL(3));
  printf("last success:  %s\n", COL(4));
  printf("last error:    %s\n", COL(5));
  printf("records:       %lld (%lld new, %lld changed, %lld unchanged, %lld withdrawn)\n",
         sqlite3_column_int64(q, 6), sqlite3_column_int64(q, 7), sqlite3_column_int64(q, 8),
         sqlite3_column_int64(q, 9), sqlite3_column_int64(q, 10));
  printf("rejected:      %lld\n", sqlite3_column_int64(q, 11));
#undef COL
  exit_code = sqlite3_column_type(q, 5) == SQLITE_NULL ? SK_EXIT_OK : SK_EXIT_FAIL;
  sqlite3_finalize(q);
  q = NULL;
  if (sqlite3_prepare_v2(st->db,
                         "SELECT record_key, field, reason FROM feed_rejection WHERE feed_id = ?1 "
                         "ORDER BY rid",
                         -1, &q, NULL) != SQLITE_OK) {
    exit_code = SK_EXIT_FAIL;
    goto out;
  }
  sqlite3_bind_text(q, 1, a->positional, -1, SQLITE_STATIC);
  int any = 0;
  while (sqlite3_step(q) == SQLITE_ROW) {
    if (!any++)
      printf("\nWhat was not accepted (reasons for the partner):\n");
    const char *reason = (const char *)sqlite3_column_text(q, 2);
    printf("  - %s\n", reason ? reason : "");
  }
  if (!any)
    printf("\nNothing was rejected.\n");
out:
  sqlite3_finalize(q);
  sk_store_close(st);
  return exit_code;
}

static int feed_accept(const struct feed_args *a) {
  if (!a->positional)
    return cli_usage_error("feed", "accept needs a feed ID");
  char err[512] = "";
  struct sk_store *st = NULL;
  struct sk_taxonomy *tax = NULL;
  struct ix_registry *reg = NULL;
  struct ix_feed_report *reps = NULL;
  size_t n = 0;
  int exit_code = SK_EXIT_FAIL;
  if (sk_store_open(a->db, 0, &st, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart feed accept: %s\n", err);
    return SK_EXIT_FAIL;
  }
  int rc = ix_apply_accept_shrink(st, a->positional);
  if (rc == SK_ENOTFOUND) {
    fprintf(stderr, "sociale-kaart feed accept: feed '%s' has not been indexed into %s\n",
            a->positional, a->db);
    goto out;
  }
  if (rc != SK_OK) {
    fprintf(stderr, "sociale-kaart feed accept: %s\n", sqlite3_errmsg(st->db));
    goto out;
  }
  if (a->later) {
    printf("feed %s: accepted; the next index run applies it\n", a->positional);
    exit_code = SK_EXIT_OK;
    goto out;
  }
  if (sk_taxonomy_load(a->taxonomy, &tax, err, sizeof err) != SK_OK ||
      ix_registry_load(a->feeds, tax, &reg, err, sizeof err) != SK_OK) {
    fprintf(stderr,
            "sociale-kaart feed accept: accepted for the next run, but cannot run it now: %s\n",
            err);
    goto out;
  }
  if (ix_fetch_global_init() != SK_OK) {
    fprintf(stderr, "sociale-kaart feed accept: cannot initialise libcurl\n");
    goto out;
  }
  struct ix_run_opts ro;
  ix_run_opts_default(&ro);
  ro.only_id = a->positional;
  ro.force = 1;
  rc = ix_run(st, tax, reg, &ro, &reps, &n);
  if (rc == SK_ENOTFOUND) {
    fprintf(stderr, "sociale-kaart feed accept: no feed '%s' in %s\n", a->positional, a->feeds);
  } else if (rc != SK_OK || n != 1) {
    fprintf(stderr, "sociale-kaart feed accept: %s\n", sk_strerror(rc));
  } else if (reps[0].failed) {
    fprintf(stderr, "sociale-kaart feed accept: feed %s failed: %s\n", a->positional,
            reps[0].error);
  } else {
    printf("feed %s: applied: %ld new, %ld changed, %ld withdrawn\n", a->positional,
           reps[0].stats.n_new, reps[0].stats.n_changed, reps[0].stats.n_withdrawn);
    exit_code = SK_EXIT_OK;
  }
out:
  free(reps);
  ix_registry_free(reg);
  sk_taxonomy_free(tax);
  sk_store_close(st);
  return exit_code;
}

int cmd_feed(int argc, char **argv) {
  if (argc < 2)
    return cli_usage_error("feed", "missing subcommand (list, add, check, report or accept)");
  const char *sub = argv[1];
  struct feed_args a;
  int rc = parse_args(sub, argc - 1, argv + 1, &a);
  if (rc != SK_EXIT_OK)
    return rc;
  if (strcmp(sub, "list") == 0)
    rc = a.positional ? cli_usage_error("feed", "unexpected argument '%s'", a.positional)
                      : feed_list(&a);
  else if (strcmp(sub, "add") == 0)
    rc = a.positional ? cli_usage_error("feed", "unexpected argument '%s'", a.positional)
                      : feed_add(&a);
  else if (strcmp(sub, "check") == 0)
    rc = feed_check(&a);
  else if (strcmp(sub, "report") == 0)
    rc = feed_report(&a);
  else if (strcmp(sub, "accept") == 0)
    rc = feed_accept(&a);
  else
    return cli_usage_error("feed", "unknown subcommand '%s' (list, add, check, report or accept)",
                           sub);
  ix_ical_global_cleanup();
  return rc;
}
