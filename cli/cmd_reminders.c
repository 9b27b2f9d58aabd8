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
#include "sk_buf.h"
#include "sk_err.h"
#include "sk_id.h"
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

struct upload {
  const char *data;
  size_t len, off;
};

static size_t read_cb(char *buf, size_t size, size_t n, void *arg) {
  struct upload *u = arg;
  size_t room = size * n, left = u->len - u->off;
  size_t k = left < room ? left : room;
  memcpy(buf, u->data + u->off, k);
  u->off += k;
  return k;
}

static int header_safe(const char *s) {
  return s && *s && !strpbrk(s, "\r\n<>") && strlen(s) < 255;
}

/* Build the RFC 5322 message: plain text, UTF-8, CRLF line ends. */
static int build_mail(struct sk_buf *b, const char *from, const char *to, const char *subject,
                      const char *body) {
  char date[64], mid[SK_UUID_LEN];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  sk_uuid_random(mid);
  const char *at = strchr(from, '@');
  int rc = sk_buf_printf(b,
                         "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nMessage-ID: <%s@%s>\r\n"
                         "Subject: %s\r\nMIME-Version: 1.0\r\n"
                         "Content-Type: text/plain; charset=utf-8\r\n"
                         "Content-Transfer-Encoding: 8bit\r\n\r\n",
                         date, from, to, mid, at ? at + 1 : "sociale-kaart", subject);
  for (const char *p = body; !rc && *p; p++) {
    if (*p == '\n')
      rc = sk_buf_add(b, "\r\n", 2);
    else if (*p != '\r')
      rc = sk_buf_addc(b, *p);
  }
  if (!rc)
    rc = sk_buf_add(b, "\r\n", 2);
  return rc;
}

/* SK_OK; SK_EFETCH for a failure worth trying again (connection, TLS, a
 * 4xx); SK_EINVAL when the server refused the message for good (5xx: the
 * address bounces), with its answer in err. */
static int send_mail(const char *url, const char *from, const char *to, const char *msg,
                     char *err, size_t errlen) {
  CURL *c = curl_easy_init();
  if (!c) {
    snprintf(err, errlen, "libcurl cannot start");
    return SK_EIO;
  }
  struct curl_slist *rcpt = NULL;
  char addr[300];
  snprintf(addr, sizeof addr, "<%s>", to);
  rcpt = curl_slist_append(rcpt, addr);
  snprintf(addr, sizeof addr, "<%s>", from);
  struct upload u = {msg, strlen(msg), 0};
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(c, CURLOPT_READDATA, &u);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  /* Never send reminders in clear over a network; a relay on this machine
   * (smtp://localhost, smtp://127.0.0.1) may speak plain SMTP. */
  int local = strncmp(url, "smtp://localhost", 16) == 0 || strncmp(url, "smtp://127.0.0.1", 16) == 0;
  curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(local ? CURLUSESSL_TRY : CURLUSESSL_ALL));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  const char *user = getenv("SK_SMTP_USER"), *pw = getenv("SK_SMTP_PASSWORD");
  if (user && *user) {
    curl_easy_setopt(c, CURLOPT_USERNAME, user);
    curl_easy_setopt(c, CURLOPT_PASSWORD, pw ? pw : "");
  }
  CURLcode cc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(c);
  if (cc != CURLE_OK) {
    snprintf(err, errlen, "%s (SMTP %ld)", curl_easy_strerror(cc), code);
    return code >= 500 && code < 600 ? SK_EINVAL : SK_EFETCH;
  }
  return SK_OK;
}

int cmd_reminders(int argc, char **argv) {
  enum { O_DB = 1, O_BASE, O_PERIOD, O_NOSEND, O_LIST };
  static const struct option opts[] = {{"db", required_argument, NULL, O_DB},
                                       {"base-url", required_argument, NULL, O_BASE},
                                       {"period", required_argument, NULL, O_PERIOD},
                                       {"no-send", no_argument, NULL, O_NOSEND},
                                       {"list", no_argument, NULL, O_LIST},
                                       {NULL, 0, NULL, 0}};
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
  const char *smtp = getenv("SK_SMTP_URL"), *from = getenv("SK_SMTP_FROM");
  int sending = !no_send && smtp && *smtp;
  if (sending && !header_safe(from)) {
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
  /* The sender's view: whole bodies (reset links included), unsent only. */
  (void)me;
  if (sk_portal_outbox_unsent(&p, &r) != SK_OK) {
    fprintf(stderr, "sociale-kaart reminders: cannot read the outbox: %s\n", r.message);
    sk_portal_result_free(&r);
    rc = SK_EXIT_FAIL;
    goto out;
  }
  size_t i, sent = 0, failed = 0, waiting = 0, bounced = 0;
  json_t *it;
  if (sending)
    curl_global_init(CURL_GLOBAL_DEFAULT);
  json_array_foreach(json_object_get(r.body, "items"), i, it) {
    if (!json_is_null(json_object_get(it, "sent_at")))
      continue;
    const char *id = json_string_value(json_object_get(it, "id"));
    const char *to = json_string_value(json_object_get(it, "to"));
    if (!sending) {
      waiting++;
      continue;
    }
    if (!header_safe(to) || !strchr(to, '@')) {
      fprintf(stderr, "sociale-kaart reminders: message %s: unusable address, skipped\n", id);
      failed++;
      continue;
    }
    struct sk_buf msg;
    sk_buf_init(&msg, 1 << 20);
    char e[256] = "";
    int mrc = build_mail(&msg, from, to, json_string_value(json_object_get(it, "subject")),
                         json_string_value(json_object_get(it, "body")));
    if (!mrc)
      mrc = send_mail(smtp, from, to, sk_buf_str(&msg), e, sizeof e);
    sk_buf_free(&msg);
    if (mrc == SK_OK && sk_portal_outbox_mark_sent(&p, id) == SK_OK) {
      sent++;
    } else if (mrc == SK_EINVAL && sk_portal_outbox_mark_bounced(&p, id, e) == SK_OK) {
      fprintf(stderr, "sociale-kaart reminders: message %s to %s bounced: %s\n", id, to, e);
      bounced++;
    } else {
      fprintf(stderr, "sociale-kaart reminders: message %s to %s not sent: %s\n", id, to,
              e[0] ? e : "error");
      failed++;
    }
  }
  if (sending) {
    curl_global_cleanup();
    printf("%zu sent, %zu bounced, %zu failed\n", sent, bounced, failed);
  } else if (waiting) {
    printf("%zu unsent in the outbox (%s)\n", waiting,
           no_send ? "--no-send" : "SK_SMTP_URL is not set; redacteuren see them in the portal");
  }
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
  if (failed)
    rc = SK_EXIT_FAIL;
  sk_portal_result_free(&r);
out:
  sk_taxonomy_free(tax);
  sk_store_close(st);
  return rc;
}
