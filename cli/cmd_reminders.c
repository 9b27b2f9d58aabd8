/* sociale-kaart reminders: queue this month's "do your entries still hold?"
 * messages (one per partner with stale entries) and send the unsent ones
 * over SMTP with libcurl when SK_SMTP_URL is set; otherwise they stay in
 * the outbox, which redacteuren read in the portal. */
#include <curl/curl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sk_err.h"
#include "sk_mail.h"
#include "sk_portal.h"
#include "sk_store.h"
#include "sk_taxonomy.h"

void cmd_reminders_usage(FILE *out) {
  fprintf(out,
          "Usage: sociale-kaart reminders [--db PATH] [--base-url URL] [--period YYYY-MM]\n"
          "                               [--no-send] [--list]\n"
          "\n"
          "Queue one reminder per partner account whose entries were not confirmed in\n"
          "6 months (at most one per period; running it again adds nothing), then send\n"
          "every unsent message by SMTP when SK_SMTP_URL is set. Without SMTP the\n"
          "messages stay in the outbox, where redacteuren read them in the portal.\n"
          "Run it daily (cron).\n"
          "\n"
          "  --db PATH         database file (SK_DB, default %s)\n"
          "  --base-url URL    site address for the links (SK_PUBLIC_URL,\n"
          "                    default http://localhost:8080)\n"
          "  --period YYYY-MM  the period (default this month)\n"
          "  --no-send         only queue; do not send even when SMTP is set\n"
          "  --list            print the outbox (id, to, period, sent) afterwards\n"
          "\n"
          "SMTP (environment): SK_SMTP_URL (smtp://host:587 or smtps://host:465),\n"
          "SK_SMTP_FROM (sender address, required with SMTP), SK_SMTP_USER and\n"
          "SK_SMTP_PASSWORD (optional). smtp:// upgrades to TLS (STARTTLS) and refuses\n"
          "to send without it, except to a relay on this machine (smtp://localhost).\n",
          SK_DEFAULT_DB);
}

int cmd_reminders(int argc, char **argv) {
  enum { O_DB = 1, O_BASE, O_PERIOD, O_NOSEND, O_LIST };
  static const struct option opts[] = {
      {"db", required_argument, NULL, O_DB},         {"base-url", required_argument, NULL, O_BASE},
      {"period", required_argument, NULL, O_PERIOD}, {"no-send", no_argument, NULL, O_NOSEND},
      {"list", no_argument, NULL, O_LIST},           {NULL, 0, NULL, 0}};
  const char *db = cli_default("SK_DB", SK_DEFAULT_DB);
  const char *base = cli_default("SK_PUBLIC_URL", "http://localhost:8080");
  const char *period = NULL;
  int no_send = 0, list = 0, ch;
  optind = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
    case O_DB: db = optarg; break;
    case O_BASE: base = optarg; break;
    case O_PERIOD: period = optarg; break;
    case O_NOSEND: no_send = 1; break;
    case O_LIST: list = 1; break;
    default:
      return cli_usage_error("reminders", "unknown option or missing value: '%s'",
                             argv[optind - 1]);
    }
  }
  if (optind < argc)
    return cli_usage_error("reminders", "unexpected argument '%s'", argv[optind]);
  if (period && (strlen(period) != 7 || period[4] != '-'))
    return cli_usage_error("reminders", "--period must look like 2026-11, not '%s'", period);
  if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0)
    return cli_usage_error("reminders", "--base-url must start with http:// or https://");
  struct sk_mail_config mail;
  int smtp = sk_mail_config_from_env(&mail);
  int sending = !no_send && smtp != 0;
  if (sending && smtp < 0) {
    fprintf(stderr, "sociale-kaart reminders: SK_SMTP_URL is set but SK_SMTP_FROM is missing or"
                    " not an address\n");
    return SK_EXIT_FAIL;
  }

  char err[512] = "";
  struct sk_store *st = NULL;
  struct sk_taxonomy *tax = NULL;
  if (sk_store_open(db, 0, &st, err, sizeof err) != SK_OK ||
      sk_taxonomy_from_store(st, &tax, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart reminders: %s\n", err);
    sk_store_close(st);
    return SK_EXIT_FAIL;
  }
  struct sk_portal p;
  sk_portal_init(&p, st, tax);
  struct sk_portal_reminder_opts o = {base, NULL, period};
  int n_new = 0, rc = SK_EXIT_OK;
  if (sk_portal_reminders_build(&p, &o, &n_new) != SK_OK) {
    fprintf(stderr, "sociale-kaart reminders: cannot build the reminders (database error)\n");
    rc = SK_EXIT_FAIL;
    goto out;
  }
  printf("%d new reminder%s queued\n", n_new, n_new == 1 ? "" : "s");
  /* The outbox is the redacteur's view; this command acts for the redactie. */
  struct sk_actor me;
  memset(&me, 0, sizeof me);
  snprintf(me.account_id, sizeof me.account_id, "cli");
  me.role = SK_ROLE_REDACTEUR;
  struct sk_portal_result r;
  memset(&r, 0, sizeof r);
  struct sk_mail_counts cnt = {0, 0, 0};
  if (sending) {
    /* Everything unsent, password-reset links included (the server sends
     * those at once when it has SMTP; these are the ones it could not). */
    sk_mail_global_init();
    int src = sk_mail_send_outbox(&p, &mail, NULL, "sociale-kaart reminders", &cnt);
    curl_global_cleanup();
    if (src != SK_OK) {
      rc = SK_EXIT_FAIL;
      goto out;
    }
    printf("%zu sent, %zu bounced, %zu failed\n", cnt.sent, cnt.bounced, cnt.failed);
  } else {
    if (sk_portal_outbox_unsent(&p, &r) != SK_OK) {
      fprintf(stderr, "sociale-kaart reminders: cannot read the outbox: %s\n", r.message);
      sk_portal_result_free(&r);
      rc = SK_EXIT_FAIL;
      goto out;
    }
    size_t waiting = json_array_size(json_object_get(r.body, "items"));
    if (waiting)
      printf("%zu unsent in the outbox (%s)\n", waiting,
             no_send ? "--no-send" : "SK_SMTP_URL is not set; redacteuren see them in the portal");
  }
  size_t i;
  json_t *it;
  if (list) {
    sk_portal_result_free(&r);
    if (sk_portal_outbox(&p, &me, &r) != SK_OK)
      rc = SK_EXIT_FAIL;
    json_array_foreach(json_object_get(r.body, "items"), i, it) {
      json_t *s = json_object_get(it, "sent_at");
      printf("%s\t%s\t%s\t%s\t%zu entries\n", json_string_value(json_object_get(it, "id")),
             json_string_value(json_object_get(it, "to")),
             json_string_value(json_object_get(it, "period")),
             json_is_string(s) ? json_string_value(s) : "unsent",
             json_array_size(json_object_get(it, "entries")));
    }
  }
  if (cnt.failed)
    rc = SK_EXIT_FAIL;
  sk_portal_result_free(&r);
out:
  sk_taxonomy_free(tax);
  sk_store_close(st);
  return rc;
}
