/* sociale-kaart serve: the HTTP server (API, HSDS, site), with an optional
 * periodic reindex of the feeds in a background thread. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "sk_auth.h"
#include "sk_err.h"
#include "sk_mail.h"
#include "sk_store.h"
#include "sk_taxonomy.h"
#include "web_server.h"

#include "ix_fetch.h"
#include "ix_registry.h"
#include "ix_run.h"

#define SK_DEFAULT_STATIC "web/static"

void cmd_serve_usage(FILE *out) {
  fprintf(out,
          "Usage: sociale-kaart serve [OPTIONS]\n"
          "\n"
          "Serve the API (/api/v1), the Open Referral API (/hsds), /healthz, /metrics and\n"
          "the site. Stops cleanly on SIGTERM or SIGINT. Every option has an environment\n"
          "variable; the flag wins.\n"
          "\n"
          "  --db PATH             database file (SK_DB, default %s)\n"
          "  --replica DIR         serve the newest read snapshot that 'sociale-kaart publish'\n"
          "                        wrote to DIR instead of --db, read-only: the public GET\n"
          "                        routes only (logins, the portal and writes answer 421), and\n"
          "                        move to a newer snapshot without dropping a request; no\n"
          "                        reindex (SK_REPLICA, default none)\n"
          "  --port N              TCP port, 0 = any free port (SK_PORT, default 8080)\n"
          "  --bind ADDR           127.0.0.1 or 0.0.0.0 (SK_BIND, default 127.0.0.1)\n"
          "  --static DIR          site folder (SK_STATIC, default %s)\n"
          "  --threads N           worker threads, 0 = one per core (SK_THREADS, default 0)\n"
          "  --reindex-every DUR   run the feeds every DUR: 90s, 15m, 1h; 0 = never\n"
          "                        (SK_REINDEX_EVERY, default 15m when the feeds file exists)\n"
          "  --feeds PATH          feed registry for the reindex (SK_FEEDS, default %s)\n"
          "  --taxonomy PATH       taxonomy for the reindex (SK_TAXONOMY, default %s)\n"
          "  --access-log FILE|-   one line per request; '-' = stdout, '' = none\n"
          "                        (SK_ACCESS_LOG, default -)\n"
          "  --timeout SECONDS     idle timeout: no byte for this long (SK_TIMEOUT, default 15)\n"
          "  --request-timeout S   a request's headers and body must arrive within S seconds,\n"
          "                        however slowly they trickle; 0 = no deadline\n"
          "                        (SK_REQUEST_TIMEOUT, default 30)\n"
          "  --max-connections N   open connections in total; the last quarter is kept for\n"
          "                        addresses with few connections (SK_MAX_CONNECTIONS,\n"
          "                        default 1024)\n"
          "  --max-per-ip N        open connections per client address, at most three\n"
          "                        quarters of --max-connections; 0 = that bound only\n"
          "                        (SK_MAX_PER_IP, default 64; the trusted proxy is exempt)\n"
          "  --trusted-proxy ADDR  IPv4 address of the reverse proxy: its X-Forwarded-For gives\n"
          "                        the client address (login throttling) and its\n"
          "                        X-Forwarded-Proto: https makes the session cookie Secure\n"
          "                        (SK_TRUSTED_PROXY, default none)\n"
          "  --public-url URL      the site's address as residents see it, e.g.\n"
          "                        https://socialekaart.example.nl: links in\n"
          "                        /api/v1/activities.ics and in password-reset e-mails;\n"
          "                        without it the calendar has no links and 'wachtwoord\n"
          "                        vergeten' is off (SK_PUBLIC_URL, default none)\n"
          "\n"
          "With SK_SMTP_URL and SK_SMTP_FROM set (as for 'sociale-kaart reminders'), the\n"
          "server sends password-reset links the moment they are asked for.\n",
          SK_DEFAULT_DB, SK_DEFAULT_STATIC, SK_DEFAULT_FEEDS, SK_DEFAULT_TAXONOMY);
}

/* "90", "90s", "15m", "1h" -> seconds; -1 when malformed. */
static long parse_duration(const char *s) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || v < 0 || v > 7L * 24 * 3600)
    return -1;
  if (!*end || strcmp(end, "s") == 0)
    return v;
  if (strcmp(end, "m") == 0)
    return v * 60;
  if (strcmp(end, "h") == 0)
    return v * 3600;
  return -1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-' || v > max)
    return -1;
  *out = v;
  return 0;
}

struct reindex {
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int stop;
  long every_s;
  const char *db, *feeds, *taxonomy;
};

static void reindex_once(struct reindex *r) {
  char err[512] = "";
  struct sk_taxonomy *tax = NULL;
  struct ix_registry *reg = NULL;
  struct sk_store *st = NULL;
  struct ix_feed_report *reps = NULL;
  size_t n = 0;
  time_t t0 = time(NULL);
  if (sk_taxonomy_load(r->taxonomy, &tax, err, sizeof err) != SK_OK ||
      ix_registry_load(r->feeds, tax, &reg, err, sizeof err) != SK_OK ||
      sk_store_open(r->db, 0, &st, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart serve: reindex skipped: %s\n", err);
    goto out;
  }
  struct ix_run_opts o;
  ix_run_opts_default(&o);
  if (ix_run(st, tax, reg, &o, &reps, &n) != SK_OK) {
    fprintf(stderr, "sociale-kaart serve: reindex failed\n");
    goto out;
  }
  size_t failed = 0;
  for (size_t i = 0; i < n; i++)
    failed += reps[i].failed != 0;
  fprintf(stderr, "sociale-kaart serve: reindex: %zu feeds, %zu failed, %lds\n", n, failed,
          (long)(time(NULL) - t0));
  /* No web_server_data_changed() here: that makes each worker rebuild its
   * search snapshot inside a request (right for a portal edit, which its
   * editor wants to see at once). After a reindex the searchers' background
   * builder notices the new data and swaps the snapshot in without making
   * any request wait. */
  /* House-keeping for accounts: ended sessions, old login attempts. */
  sk_auth_purge(st, (int64_t)time(NULL));
out:
  free(reps);
  sk_store_close(st);
  ix_registry_free(reg);
  sk_taxonomy_free(tax);
}

static void *reindex_main(void *arg) {
  struct reindex *r = arg;
  pthread_mutex_lock(&r->mu);
  while (!r->stop) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += r->every_s;
    while (!r->stop && pthread_cond_timedwait(&r->cv, &r->mu, &until) != ETIMEDOUT) {
    }
    if (r->stop)
      break;
    pthread_mutex_unlock(&r->mu);
    reindex_once(r);
    pthread_mutex_lock(&r->mu);
  }
  pthread_mutex_unlock(&r->mu);
  return NULL;
}

int cmd_serve(int argc, char **argv) {
  enum {
    O_DB = 1,
    O_PORT,
    O_BIND,
    O_STATIC,
    O_THREADS,
    O_REINDEX,
    O_FEEDS,
    O_TAX,
    O_LOG,
    O_TIMEOUT,
    O_REQTIMEOUT,
    O_MAXCONN,
    O_MAXIP,
    O_PROXY,
    O_PUBLIC,
    O_REPLICA
  };
  static const struct option opts[] = {{"db", required_argument, NULL, O_DB},
                                       {"port", required_argument, NULL, O_PORT},
                                       {"bind", required_argument, NULL, O_BIND},
                                       {"static", required_argument, NULL, O_STATIC},
                                       {"threads", required_argument, NULL, O_THREADS},
                                       {"reindex-every", required_argument, NULL, O_REINDEX},
                                       {"feeds", required_argument, NULL, O_FEEDS},
                                       {"taxonomy", required_argument, NULL, O_TAX},
                                       {"access-log", required_argument, NULL, O_LOG},
                                       {"timeout", required_argument, NULL, O_TIMEOUT},
                                       {"request-timeout", required_argument, NULL, O_REQTIMEOUT},
                                       {"max-connections", required_argument, NULL, O_MAXCONN},
                                       {"max-per-ip", required_argument, NULL, O_MAXIP},
                                       {"trusted-proxy", required_argument, NULL, O_PROXY},
                                       {"public-url", required_argument, NULL, O_PUBLIC},
                                       {"replica", required_argument, NULL, O_REPLICA},
                                       {NULL, 0, NULL, 0}};
  struct web_config c;
  web_config_default(&c);
  c.db_path = cli_default("SK_DB", SK_DEFAULT_DB);
  c.static_dir = cli_default("SK_STATIC", SK_DEFAULT_STATIC);
  c.bind = cli_default("SK_BIND", "127.0.0.1");
  const char *port = cli_default("SK_PORT", "8080");
  const char *threads = cli_default("SK_THREADS", "0");
  const char *every = getenv("SK_REINDEX_EVERY");
  const char *feeds = cli_default("SK_FEEDS", SK_DEFAULT_FEEDS);
  const char *taxonomy = cli_default("SK_TAXONOMY", SK_DEFAULT_TAXONOMY);
  const char *log = getenv("SK_ACCESS_LOG") ? getenv("SK_ACCESS_LOG") : "-";
  const char *timeout = cli_default("SK_TIMEOUT", "15");
  const char *maxconn = cli_default("SK_MAX_CONNECTIONS", "1024");
  const char *reqtimeout = cli_default("SK_REQUEST_TIMEOUT", "30");
  const char *maxip = cli_default("SK_MAX_PER_IP", "64");
  c.trusted_proxy = getenv("SK_TRUSTED_PROXY");
  c.public_url = getenv("SK_PUBLIC_URL"); /* links in the calendar; never the request's Host */
  c.replica_dir = getenv("SK_REPLICA");
  int ch;
  optind = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (ch) {
    case O_DB: c.db_path = optarg; break;
    case O_PORT: port = optarg; break;
    case O_BIND: c.bind = optarg; break;
    case O_STATIC: c.static_dir = optarg; break;
    case O_THREADS: threads = optarg; break;
    case O_REINDEX: every = optarg; break;
    case O_FEEDS: feeds = optarg; break;
    case O_TAX: taxonomy = optarg; break;
    case O_LOG: log = optarg; break;
    case O_TIMEOUT: timeout = optarg; break;
    case O_REQTIMEOUT: reqtimeout = optarg; break;
    case O_MAXCONN: maxconn = optarg; break;
    case O_MAXIP: maxip = optarg; break;
    case O_PROXY: c.trusted_proxy = optarg; break;
    case O_PUBLIC: c.public_url = optarg; break;
    case O_REPLICA: c.replica_dir = optarg; break;
    default:
      return cli_usage_error("serve", "unknown option or missing value: '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc)
    return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
  unsigned long v;
  if (parse_uint(port, 65535, &v))
    return cli_usage_error("serve", "--port must be a number from 0 to 65535, not '%s'", port);
  c.port = (int)v;
  if (parse_uint(threads, 256, &v))
    return cli_usage_error("serve", "--threads must be a number from 0 to 256, not '%s'", threads);
  c.threads = (unsigned)v;
  if (parse_uint(timeout, 3600, &v) || v == 0)
    return cli_usage_error("serve", "--timeout must be 1 to 3600 seconds, not '%s'", timeout);
  c.timeout_s = (unsigned)v;
  if (parse_uint(reqtimeout, 3600, &v))
    return cli_usage_error("serve", "--request-timeout must be 0 to 3600 seconds, not '%s'",
                           reqtimeout);
  c.request_timeout_s = (unsigned)v;
  if (parse_uint(maxconn, 1000000, &v) || v == 0)
    return cli_usage_error("serve", "--max-connections must be a positive number, not '%s'",
                           maxconn);
  c.max_connections = (unsigned)v;
  if (parse_uint(maxip, 1000000, &v))
    return cli_usage_error("serve", "--max-per-ip must be a number, not '%s'", maxip);
  c.max_per_ip = (unsigned)v;
  c.access_log = log && *log ? log : NULL;
  if (c.public_url && *c.public_url && strncmp(c.public_url, "https://", 8) != 0 &&
      strncmp(c.public_url, "http://", 7) != 0)
    return cli_usage_error("serve", "--public-url must start with https:// or http://, not '%s'",
                           c.public_url);
  if (c.trusted_proxy && *c.trusted_proxy) {
    struct in_addr ia;
    if (inet_pton(AF_INET, c.trusted_proxy, &ia) != 1)
      return cli_usage_error("serve", "--trusted-proxy must be an IPv4 address, not '%s'",
                             c.trusted_proxy);
  }
  struct sk_mail_config mail;
  int smtp = sk_mail_config_from_env(&mail);
  if (smtp < 0) {
    fprintf(stderr, "sociale-kaart serve: SK_SMTP_URL is set but SK_SMTP_FROM is missing or not an"
                    " address\n");
    return SK_EXIT_FAIL;
  }
  c.mail = smtp > 0 ? &mail : NULL;
  struct stat sb;
  long every_s;
  if (c.replica_dir && !*c.replica_dir)
    c.replica_dir = NULL;
  if (c.replica_dir) {
    every_s = 0; /* the primary indexes; a replica only reads snapshots */
  } else if (every && *every) {
    every_s = parse_duration(every);
    if (every_s < 0)
      return cli_usage_error("serve", "--reindex-every must look like 90s, 15m or 1h, not '%s'",
                             every);
    if (every_s > 0 && stat(feeds, &sb) != 0) {
      fprintf(stderr,
              "sociale-kaart serve: feed registry %s does not exist (needed by --reindex-every)\n",
              feeds);
      return SK_EXIT_FAIL;
    }
  } else {
    every_s = stat(feeds, &sb) == 0 ? 15 * 60 : 0;
  }

  /* Signals go to sigwait below, not to any thread: block them before the
   * server starts its threads (they inherit the mask). */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);

  char err[512] = "";
  struct web_server *srv = NULL;
  if (web_server_start(&c, &srv, err, sizeof err) != SK_OK) {
    fprintf(stderr, "sociale-kaart serve: %s\n", err);
    return SK_EXIT_FAIL;
  }
  if (c.replica_dir)
    fprintf(stderr, "sociale-kaart serve: listening on http://%s:%d/ (replica of %s, static %s)\n",
            c.bind, web_server_port(srv), c.replica_dir, c.static_dir);
  else
    fprintf(stderr, "sociale-kaart serve: listening on http://%s:%d/ (db %s, static %s)\n", c.bind,
            web_server_port(srv), c.db_path, c.static_dir);
  fflush(stderr);

  struct reindex r = {.every_s = every_s, .db = c.db_path, .feeds = feeds, .taxonomy = taxonomy};
  pthread_mutex_init(&r.mu, NULL);
  pthread_cond_init(&r.cv, NULL);
  int have_thread = 0;
  if (every_s > 0) {
    if (ix_fetch_global_init() != SK_OK)
      fprintf(stderr, "sociale-kaart serve: cannot set up fetching; feeds will fail to fetch\n");
    have_thread = pthread_create(&r.thread, NULL, reindex_main, &r) == 0;
    if (!have_thread)
      fprintf(stderr, "sociale-kaart serve: cannot start the reindex thread; serving without it\n");
  }
  int sig = 0;
  sigwait(&set, &sig);
  fprintf(stderr, "sociale-kaart serve: %s received, stopping\n",
          sig == SIGINT ? "SIGINT" : "SIGTERM");
  if (have_thread) {
    pthread_mutex_lock(&r.mu);
    r.stop = 1;
    pthread_cond_signal(&r.cv);
    pthread_mutex_unlock(&r.mu);
    pthread_join(r.thread, NULL);
  }
  web_server_stop(srv, 10000);
  pthread_cond_destroy(&r.cv);
  pthread_mutex_destroy(&r.mu);
  fprintf(stderr, "sociale-kaart serve: stopped\n");
  return SK_EXIT_OK;
}
