#ifndef WEB_SERVER_H
#define WEB_SERVER_H
/*
 * The HTTP server: the JSON API (/api/v1), the Open Referral HSDS API
 * (/hsds), /healthz, /metrics and the static site, on libmicrohttpd with an
 * internal epoll thread pool. Every worker thread opens its own read-only
 * store and searcher on first use, so requests never share a connection and
 * a reindex in another process (WAL) never blocks them.
 *
 *   struct web_config c;
 *   web_config_default(&c);
 *   c.db_path = "data/sociale-kaart.db";
 *   struct web_server *s;
 *   if (web_server_start(&c, &s, err, sizeof err)) { puts(err); exit(1); }
 *   ... wait for SIGTERM ...
 *   web_server_stop(s, 10000);   // running requests get up to 10 s to finish
 */
#include <stddef.h>

struct sk_auth_policy;
struct sk_mail_config;

struct web_config {
  const char *db_path;        /* required (unless replica_dir); must exist and carry the current
                                 schema */
  const char *replica_dir;    /* NULL: the primary. Else a snapshot folder of `sociale-kaart
                                 publish` (sk_publish.h): serve its newest snapshot read-only,
                                 the public GET routes only (the rest answer 421), and move to
                                 a newer one when DIR/current changes (checked every second)
                                 without dropping a request; db_path is ignored */
  const char *bind;           /* "127.0.0.1" (default) or "0.0.0.0", or any IPv4 address */
  int port;                   /* 0: pick a free port (see web_server_port) */
  const char *static_dir;     /* required; must be a readable folder */
  unsigned threads;           /* worker threads; 0: one per core */
  const char *access_log;     /* NULL: none; "-": stdout; else a file (appended) */
  unsigned timeout_s;         /* idle timeout: no byte for this long (default 15) */
  unsigned request_timeout_s; /* whole-request deadline: headers and body must have arrived
                                 within this many seconds, however steadily they trickle in
                                 (default 30; 0: none) */
  unsigned max_connections;   /* total (default 1024); a quarter of it is kept for addresses
                                 with few connections open (see web_server.c, admission) */
  unsigned max_per_ip;        /* per client address (default 64; 0: only the shared-part
                                 bound); the trusted proxy is exempt */
  size_t max_body;            /* request bodies above this get 413 (default 16 KiB) */
  size_t max_url;             /* path + query above this get 414 (default 2048) */
  unsigned max_params;        /* query parameters per request (default 32) */
  size_t max_param_len;       /* bytes per parameter value (default 512) */
  size_t max_body_partner;    /* bodies on /api/v1/partner (default 256 KiB) */
  const char *trusted_proxy;  /* IPv4 address of a reverse proxy whose X-Forwarded-For and
                                 X-Forwarded-Proto are believed; NULL: none */
  const char *public_url;     /* the site's address as residents see it ("https://host[:port]"),
                                 for links in answers that are cached publicly (the calendar)
                                 and in e-mails (password reset); NULL: no such links and no
                                 reset by e-mail (the request's Host is never used) */
  const struct sk_auth_policy *auth_policy; /* NULL: production defaults (tests: short lifetimes) */
  const struct sk_mail_config *mail;        /* SMTP for the password-reset links, sent at once by a
                                               thread of the server (web_mail.c); NULL: they wait in
                                               the outbox for `sociale-kaart reminders` */
};

/* Fill c with the defaults above (db_path and static_dir NULL). */
void web_config_default(struct web_config *c);

struct web_server;

/* Check the configuration, open the database once to verify it, bind the
 * socket and start the worker threads. On failure returns an SK_E* code and
 * err holds one line saying why (port taken, database missing, ...). */
int web_server_start(const struct web_config *c, struct web_server **out, char *err, size_t errlen);
/* The TCP port actually listened on. */
int web_server_port(const struct web_server *s);
/* Tell the server that this process changed the data (a portal edit): the
 * next search of each worker thread brings its snapshot up to date itself,
 * so the editor sees the edit (web_search.c). Not needed after a reindex:
 * the searchers' background builder notices that. Thread-safe. */
void web_server_data_changed(struct web_server *s);
/* Stop accepting, let in-flight requests finish (at most grace_ms), stop
 * the threads, close every store and free s. NULL is allowed. */
void web_server_stop(struct web_server *s, unsigned grace_ms);

#endif
