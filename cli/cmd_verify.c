/* sociale-kaart verify: one daily run of the verification cycle of every
 * offering (core/portal/sk_verify.c): messages with a personal link to the
 * organisations whose entries are due, escalation to the redacteur, and
 * hiding what stays unconfirmed. The messages go to the outbox; `sociale-kaart
 * reminders` sends the outbox by SMTP (the daily timer runs both). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sk_err.h"
#include "sk_portal.h"
#include "sk_store.h"
#include "sk_taxonomy.h"

void cmd_verify_usage(FILE *out) {
  fprintf(out,
          "Usage: sociale-kaart verify [--db PATH] [--base-url URL] [--now YYYY-MM-DD]\n"
          "                            [--hide-months N]\n"
          "\n"
          "Walk every active offering through its yearly verification cycle: 30 days\n"
          "before it is due (12 months after it was last confirmed) its organisation gets\n"
          "a message with a personal link (no account needed) to answer 'Klopt nog' or\n"
          "'Dit moet anders'; a second message after 14 days; then a task for the\n"
          "redactie. After 12 months an entry is 'niet recent gecontroleerd'; after\n"
          "18 it is hidden from search until confirmed. Every step is logged once per\n"
          "entry (verify_log), so running it again the same day adds nothing. Run it\n"
          "daily, before `sociale-kaart reminders`, which sends the messages.\n"
          "\n"
          "  --db PATH         database file (SK_DB, default %s)\n"
          "  --base-url URL    site address for the links (SK_PUBLIC_URL,\n"
          "                    default http://localhost:8080)\n"
          "  --now YYYY-MM-DD  act as on this day (for a drill or a test)\n"
          "  --hide-months N   hide after N months unconfirmed (default %d)\n",
          SK_DEFAULT_DB, SK_VERIFY_HIDE_MONTHS);
}

int cmd_verify(int argc, char **argv) {
  enum { O_DB = 1, O_BASE, O_NOW, O_HIDE };
  static const struct option opts[] = {{"db", required_argument, NULL, O_DB},
                                       {"base-url", required_argument, NULL, O_BASE},
                                       {"now", required_argument, NULL, O_NOW},
                                       {"hide-months", required_argument, NULL, O_HIDE},
                                       {NULL, 0, NULL, 0}};
  const char *db = cli_default("SK_DB", SK_DEFAULT_DB);
  const char *base = cli_default("SK_PUBLIC_URL", "http://localhost:8080");
  const char *now_s = NULL;
  int hide = 0, ch;
  optind = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
    case O_DB: db = optarg; break;
    case O_BASE: base = optarg; break;
    case O_NOW: now_s = optarg; break;
    case O_HIDE: {
      char *end = NULL;
      long v = strtol(optarg, &end, 10);
      if (!end || *end || v < 1 || v > 60)
        return cli_usage_error("verify", "--hide-months must be 1 to 60, not '%s'", optarg);
      hide = (int)v;
      break;
    }
    default:
      return cli_usage_error("verify", "unknown option or missing value: '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc)
    return cli_usage_error("verify", "unexpected argument '%s'", argv[optind]);
  if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0)
    return cli_usage_error("verify", "--base-url must start with http:// or https://");
  int64_t now = 0;
  if (now_s) {
    struct tm tm = {0};
    const char *end = strptime(now_s, "%Y-%m-%d", &tm);
    if (!end || *end)
      return cli_usage_error("verify", "--now must look like 2026-12-02, not '%s'", now_s);
    now = (int64_t)timegm(&tm) + 9 * 3600; /* a working morning */
  }

  char err[512] = "";
  struct sk_store *st = NULL;
  struct sk_taxonomy *tax = NULL;
  if (sk_store_open(db, 0, &st, err, sizeof err) != SK_OK ||
      sk_taxonomy_from_store(st, &tax, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart verify: %s\n", err);
    sk_store_close(st);
    return SK_EXIT_FAIL;
  }
  struct sk_portal p;
  sk_portal_init(&p, st, tax);
  p.now = now;
  struct sk_verify_opts o = {base, hide};
  struct sk_verify_stats s;
  int rc = sk_portal_verify_run(&p, &o, &s);
  if (rc != SK_OK) {
    fprintf(stderr, "sociale-kaart verify: the run failed (%s); nothing was changed\n",
            sk_strerror(rc));
  } else {
    printf("%ld offerings; new steps: %ld due, %ld reminded, %ld reminded again, %ld tasks,"
           " %ld flagged, %ld hidden; %ld visible again; %ld messages queued\n",
           s.entries, s.due, s.reminded, s.reminded_again, s.tasks, s.flagged, s.hidden, s.unhidden,
           s.messages);
  }
  sk_taxonomy_free(tax);
  sk_store_close(st);
  return rc == SK_OK ? SK_EXIT_OK : SK_EXIT_FAIL;
}
