#ifndef WEB_INTERNAL_H
#define WEB_INTERNAL_H
/*
 * Shared between the web module's files; not for use outside web/.
 *
 * A request is handled in one worker thread, start to end: the dispatcher
 * (web_server.c) picks a route, checks the method and the parameters, calls
 * the handler with a struct web_ctx, and turns what the handler left in
 * ctx->out into the HTTP response (common headers, ETag/304, CORS).
 */
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "sk_buf.h"
#include "sk_id.h"
#include "sk_store.h"
#include "sk_taxonomy.h"
#include "web_server.h"

enum web_route {
  WR_HEALTHZ,
  WR_METRICS,
  WR_OPENAPI,
  WR_SEARCH,
  WR_SUGGEST,
  WR_SERVICE,
  WR_ORGANIZATION,
  WR_ACTIVITIES,
  WR_ACTIVITIES_ICS,
  WR_TAXONOMY,
  WR_FEEDS,
  WR_HSDS_ROOT,
  WR_HSDS_SERVICES,
  WR_HSDS_SERVICE,
  WR_HSDS_TAXONOMIES,
  WR_HSDS_TERMS,
  WR_HSDS_TAXONOMY,
  WR_HSDS_TERM,
  WR_HSDS_ORGS,
  WR_HSDS_ORG,
  WR_HSDS_SALS,
  WR_HSDS_SAL,
  WR_HSDS_OPENAPI,
  WR_AUTH,       /* /api/v1/auth/...: login, logout, me (web_auth.c) */
  WR_PARTNER,    /* /api/v1/partner/...: the portal (web_partner.c) */
  WR_CORRECTION, /* /api/v1/corrections/token, POST /api/v1/services/{id}/corrections */
  WR_VERIFY,     /* /api/v1/verify/{token}[/{entry}]: the personal verification link */
  WR_PAGE,       /* server-rendered pages (web_pages.c) */
  WR_STATIC,
  WR_NOT_FOUND,
  WR_COUNT
};
const char *web_route_name(enum web_route r);

/* Prepared statements kept per worker (one connection each). */
enum web_query {
  WQ_SERVICE,
  WQ_SERVICE_TAXONOMY,
  WQ_SERVICE_AREAS,
  WQ_SERVICE_LOCATIONS,
  WQ_SERVICE_PHONES,
  WQ_ORG_PHONES,
  WQ_LOCATION_PHONES,
  WQ_SERVICE_HOURS,
  WQ_ACTIVITY,
  WQ_OCCURRENCES,
  WQ_ORGANIZATION,
  WQ_ORG_SERVICES,
  WQ_ORG_LOCATIONS,
  WQ_ACTIVITIES_COUNT,
  WQ_ACTIVITIES_LIST,
  WQ_ACTIVITIES_ICS,
  WQ_FEEDS,
  WQ_FEED_REJECTIONS,
  WQ_HSDS_COUNT,
  WQ_HSDS_LIST,
  WQ_HSDS_SAL_COUNT,
  WQ_HSDS_SAL_LIST,
  WQ_HSDS_SAL_ALL,
  WQ_HSDS_TOMBSTONE,
  WQ_HSDS_ORG_COUNT,
  WQ_HSDS_ORG_LIST,
  WQ_HSDS_ORG,
  WQ_HSDS_ORG_SERVICES,
  WQ_INDEX_AGE,
  WQ_BEGIN,
  WQ_COMMIT,
  WQ_COUNT
};

struct web_worker {
  struct web_server *srv;
  struct sk_store *st;
  sqlite3_stmt *stmt[WQ_COUNT];
  void *searcher; /* struct sk_searcher *, when the search module is built in */
  struct sk_store
      *wst;          /* writable, opened on first auth use (sessions, logins); this thread only */
  unsigned snap_gen; /* replica: the snapshot st reads (web_server.snap_gen when opened) */
  struct web_worker *next;
};

#define WEB_LAT_BUCKETS 12
extern const double web_lat_bounds_ms[WEB_LAT_BUCKETS];
#define WEB_STATUS_SLOTS 12
extern const int web_status_codes[WEB_STATUS_SLOTS]; /* last slot: any other */

struct web_metrics {
  atomic_ullong requests[WR_COUNT][WEB_STATUS_SLOTS];
  atomic_ullong lat_bucket[WR_COUNT][WEB_LAT_BUCKETS]; /* not cumulative */
  atomic_ullong lat_count[WR_COUNT];
  atomic_ullong lat_sum_us[WR_COUNT];
};

/* One open connection: its client address and the deadline of the request
 * it is on (web_server.c: admission and the request deadline). */
struct web_conn {
  struct web_conn *prev, *next;
  int fd;
  unsigned char addr[16]; /* IPv4 in the first 4 bytes, or IPv6 */
  int family;
  int64_t deadline_ms; /* CLOCK_MONOTONIC; 0: answering, no deadline */
  int cut;             /* shut down by the sweeper */
};

struct web_server {
  struct web_config cfg; /* strings point into the owned copies below */
  char *db_path, *bind, *static_dir, *access_log;
  char static_real[4096]; /* realpath of static_dir */
  struct MHD_Daemon *daemon;
  int listen_fd;
  int port;
  int log_fd;                     /* -1: no access log */
  struct sk_taxonomy *tax;        /* read-only, shared by every worker */
  char (*term_uuid)[SK_UUID_LEN]; /* HSDS taxonomy_term id per tax->terms[i] */
  char *taxonomy_body;            /* /api/v1/taxonomy, built once */
  size_t taxonomy_len;
  pthread_mutex_t mu;         /* guards workers and spare */
  struct web_worker *workers; /* in use by a pool thread */
  struct web_worker *spare;   /* made at start-up, not yet taken */
  atomic_int inflight;
  atomic_int stopping;
  atomic_uint data_generation;
  /* The portal's one writer: every sk_portal call holds portal_mu. */
  pthread_mutex_t portal_mu;
  struct sk_store *pst;
  struct sk_portal *portal;
  char *trusted_proxy;
  struct web_stats *stats; /* search statistics (web_stats.c); NULL: not kept */
  char *public_url;        /* checked, no trailing '/'; NULL: not configured */
  struct web_metrics m;
  time_t started;
  /* Open connections (admission, request deadline); guarded by conn_mu. */
  pthread_mutex_t conn_mu;
  pthread_cond_t sweep_cv; /* wakes the sweeper to stop */
  pthread_t sweeper;
  int sweeper_on;
  int sweep_stop;
  struct web_conn *conns;
  unsigned n_conns;
  unsigned per_ip;         /* effective per-address bound */
  unsigned shared;         /* connections open before only newcomers get in */
  atomic_ullong n_cut;     /* requests cut at their deadline */
  atomic_ullong n_refused; /* connections refused by admission */
  /* Replica (cfg.replica_dir): the snapshot in use. The watcher thread
   * polls DIR/current; on a change it opens the new snapshot in a warm
   * worker (so the search snapshot is built before any request needs it),
   * then sets snap_path and bumps snap_gen under snap_mu. Each worker moves
   * to it at the start of its next request (web_worker_refresh) and closes
   * its old connection then, so a request never loses its store midway. */
  char *replica_dir;
  pthread_mutex_t snap_mu; /* guards snap_path, warm */
  char *snap_path;         /* == db_path at start */
  atomic_uint snap_gen;
  struct web_worker *warm; /* keeps the newest snapshot's search data built */
  pthread_cond_t watch_cv;
  pthread_t watcher;
  int watcher_on;
  int watch_stop;           /* guarded by snap_mu */
  atomic_ullong n_switches; /* snapshots moved to */
  /* The mail sender (web_mail.c): sends password-reset links at once. */
  struct web_mailer *mailer; /* NULL: no SMTP configured (or a replica) */
  /* "Wachtwoord vergeten" requests, looked up off the request thread
   * (web_account.c); NULL without a public URL (or on a replica). */
  struct web_forgot *forgot;
};

/* web_account.c: the thread that turns a "wachtwoord vergeten" request into
 * a reset link when the address has an account. start: SK_OK or an SK_E*
 * code (srv->forgot stays NULL); stop drops what is queued and joins
 * (NULL-safe). counts: requests looked up, and dropped (queue full). */
int web_forgot_start(struct web_server *srv);
void web_forgot_stop(struct web_server *srv);
void web_forgot_counts(const struct web_server *srv, unsigned long long *done,
                       unsigned long long *dropped);

/* web_mail.c: a thread with its own writable store that sends the outbox's
 * password-reset messages over SMTP as soon as one is queued (kick), and
 * retries failed ones every minute. start: SK_OK, or an SK_E* code (then
 * srv->mailer stays NULL); stop joins the thread (NULL-safe). */
int web_mailer_start(struct web_server *srv, const struct sk_mail_config *c);
void web_mailer_kick(struct web_server *srv);
void web_mailer_stop(struct web_server *srv);

/* Per request: allocated when the URI arrives, freed when MHD is done. */
struct web_req {
  struct timespec t0;
  size_t uri_len;
  int status;
  enum web_route route;
  size_t body_seen;
  size_t bytes;  /* response body bytes, for the access log */
  int started;   /* the first call (headers only) has been seen */
  int responded; /* we queued an answer (status, bytes are ours) */
  int has_nul;   /* the raw request-URI holds %00 */
  char method[16];
  char path[256]; /* decoded path, cut; for the access log */
  char *body;     /* request body, kept on routes that take one (NUL-terminated) */
  size_t body_len;
  size_t body_cap;
  int body_over;        /* more than the route's limit arrived */
  char page_arg[2][16]; /* values web_pages.c hands to MHD_set_connection_value */
};

/* What a handler leaves behind. */
struct web_out {
  int status;
  char *body; /* malloc'd, owned; NULL for no body */
  size_t len;
  const char *ctype;       /* static string */
  const char *cache;       /* Cache-Control; static string */
  int etag;                /* 1: hash the body into an ETag (GET/HEAD 200 only) */
  char etag_value[80];     /* precomputed ETag (static files); "" otherwise */
  int close;               /* 1: Connection: close (the request's framing is not trusted) */
  int fd;                  /* >= 0: send this file (size len) instead of body */
  const char *allow;       /* Allow header (405) */
  int cors;                /* 1: Access-Control-Allow-Origin: * */
  char set_cookie[400];    /* Set-Cookie, "" for none */
  const char *retry_after; /* Retry-After (429, 503): static or retry_buf */
  char retry_buf[24];
  const char *www_auth; /* WWW-Authenticate (401) */
  char location[200];   /* Location (201, 303) */
  const char *vary;     /* Vary */
  const char *encoding; /* Content-Encoding (web_gzip_apply) */
};

struct web_ctx {
  struct web_server *srv;
  struct MHD_Connection *conn;
  const char *url; /* decoded path */
  const char *method;
  const char *id; /* the {id} path segment, when the route has one; a UUID in
                   * another case is given in canonical lower case (idbuf) */
  char idbuf[SK_UUID_LEN];
  struct web_req *req;
  struct web_out out;
  int professional; /* the caller may see restricted fields (search, detail) */
};

/* This thread's worker (store, statements, searcher), created on first use.
 * NULL when the store cannot be opened (the caller answers 503). */
struct web_worker *web_worker_get(struct web_ctx *x);
/* 1 when the request carries a session cookie or an Authorization header. */
int web_has_credentials(struct web_ctx *x);
/* A reset prepared statement of this worker, or NULL (logged) on error.
 * Reset it (sqlite3_reset) when done: a statement left mid-way holds a read
 * transaction open and keeps the WAL from being checkpointed. */
sqlite3_stmt *web_stmt(struct web_worker *w, enum web_query q);
/* A read transaction around several statements, so one answer comes from
 * one snapshot even while a reindex commits. */
void web_read_begin(struct web_worker *w);
void web_read_end(struct web_worker *w);

/* --- responses (web_util.c) ------------------------------------------- */
/* Hand a JSON value (reference stolen) to the response as 200 (or status). */
int web_reply_json(struct web_ctx *x, int status, json_t *v);
/* application/problem+json with a Dutch title; param (may be NULL) names
 * the bad query parameter. Always returns SK_EINVAL so handlers can
 * "return web_problem(...)". */
int web_problem(struct web_ctx *x, int status, const char *title, const char *param,
                const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));
/* 400 for a bad parameter. */
#define web_bad_param(x, name, ...)                                                                \
  web_problem((x), 400, "Ongeldige parameter", (name), __VA_ARGS__)
int web_not_found(struct web_ctx *x, const char *what);
int web_unavailable(struct web_ctx *x, const char *detail);

/* --- parameters ---------------------------------------------------------- */
/* The value of query parameter name, or NULL when absent or empty. */
const char *web_arg(struct web_ctx *x, const char *name);
/* Integer parameter within [lo, hi]; def when absent. SK_OK, or a 400 was
 * set and SK_EINVAL is returned. */
int web_arg_int(struct web_ctx *x, const char *name, long lo, long hi, long def, long *out);
/* A taxonomy code of vocabulary v (or NULL when absent); 400 when unknown. */
int web_arg_code(struct web_ctx *x, const char *name, enum sk_vocab v, const char **out);
/* A date "YYYY-MM-DD" or an ISO 8601 date-time with offset; unix seconds. */
/* Parse a date (local midnight in the Netherlands) or a date-time with an
 * offset into unix seconds. SK_OK or SK_EINVAL. */
int web_parse_time(const char *s, int64_t *out);
int web_arg_time(struct web_ctx *x, const char *name, int64_t *out, int *present);
/* A path or query value that must be a UUID; 404 for paths is the caller's. */
int web_is_uuid(const char *s);

/* Pagination: page/per_page (per_page capped at max_per_page). */
struct web_page {
  long page, per_page;
};
int web_arg_page(struct web_ctx *x, long def_per_page, long max_per_page, struct web_page *p);
/* The URL of the next page (same path and parameters, page+1), or NULL
 * when there is none. Returns a jansson string or null. */
json_t *web_next_link(struct web_ctx *x, const struct web_page *p, long long total);

/* --- JSON helpers ------------------------------------------------------ */
json_t *web_json_text(sqlite3_stmt *s, int col); /* string or null */
json_t *web_json_int(sqlite3_stmt *s, int col);  /* integer or null */
json_t *web_json_real(sqlite3_stmt *s, int col); /* real or null */
/* {"code","label"} for a taxonomy code, or null for NULL. */
json_t *web_json_term(const struct sk_taxonomy *tax, enum sk_vocab v, const char *code);
/* Index of a term in tax->terms, or -1. */
long web_term_index(const struct sk_taxonomy *tax, enum sk_vocab v, const char *code);

/* --- handlers ------------------------------------------------------------ */
int web_api_service(struct web_ctx *x);
int web_api_organization(struct web_ctx *x);
int web_api_activities(struct web_ctx *x);
int web_api_activities_ics(struct web_ctx *x); /* web_ics.c */
int web_api_taxonomy(struct web_ctx *x);
int web_api_feeds(struct web_ctx *x);
/* The feed report as a JSON array (new reference; NULL on a database
 * error). full = 0: for anyone, without the stored reasons and errors
 * (they quote feed data); full = 1: everything, for the feeds of account
 * account_rid's organisations, or every feed when account_rid is 0. */
json_t *web_feeds_json(struct web_worker *w, int full, int64_t account_rid);
int web_api_search(struct web_ctx *x);
int web_api_suggest(struct web_ctx *x);
/* The search/suggest response cache's counters for /metrics (web_search.c). */
int web_search_cache_metrics(struct sk_buf *b);
int web_api_openapi(struct web_ctx *x);
int web_api_healthz(struct web_ctx *x);
int web_metrics_handler(struct web_ctx *x);
int web_hsds_root(struct web_ctx *x);
int web_hsds_services(struct web_ctx *x);
int web_hsds_service(struct web_ctx *x);
int web_hsds_taxonomies(struct web_ctx *x);
int web_hsds_terms(struct web_ctx *x);
int web_hsds_taxonomy(struct web_ctx *x);
int web_hsds_term(struct web_ctx *x);
int web_hsds_organizations(struct web_ctx *x);
int web_hsds_organization(struct web_ctx *x);
int web_hsds_service_at_locations(struct web_ctx *x);
int web_hsds_service_at_location(struct web_ctx *x);
int web_hsds_openapi(struct web_ctx *x);
int web_static(struct web_ctx *x);
/* Server-rendered pages (web_pages.c): 1 when url is one of theirs. */
int web_page_route(const char *url);
int web_page_handler(struct web_ctx *x);
/* The HTML 404 page of the site (non-API paths). */
int web_page_not_found(struct web_ctx *x);
/* The partner portal without JavaScript (web_portal_pages.c): /portaal/,
 * /portaal/bevestigen, /portaal/bewerk/{soort}/{id},
 * /portaal/melding/{id}/afgehandeld. */
int web_portal_page_handler(struct web_ctx *x);
/* Compress the response for a client that accepts gzip (web_gzip.c): a
 * text body of a GET/HEAD becomes gzip, etag gets a "-gz" variant and
 * Vary: Accept-Encoding is set. No change when it does not pay. */
void web_gzip_apply(struct web_ctx *x, char etag[80]);
int web_auth_handler(struct web_ctx *x);       /* web_auth.c */
int web_partner_handler(struct web_ctx *x);    /* web_partner.c */
int web_correction_handler(struct web_ctx *x); /* web_partner.c */
int web_verify_handler(struct web_ctx *x);     /* web_partner.c */
/* web_stats.c: search statistics for the dashboard. */
struct web_stats;
struct web_stats *web_stats_new(void);
void web_stats_free(struct web_server *srv, struct web_stats *st); /* writes what is left */
/* One resident's search for q and what it found: results = its total (-1:
 * not known), crisis = it showed the crisis lines. */
void web_stats_record(struct web_ctx *x, const char *q, long results, int crisis);
void web_stats_flush(struct web_server *srv);
/* web_account.c: /api/v1/auth/tokens[/{prefix}] (rest: what follows
 * "tokens"), /portal/wachtwoord, /portal/wachtwoord-vergeten. */
int web_account_tokens(struct web_ctx *x, const char *rest);
int web_password_handler(struct web_ctx *x);
int web_password_forgot_handler(struct web_ctx *x);

/* --- who is asking (web_auth.c) ----------------------------------------- */
struct sk_session;
struct sk_account;
/* How a request is authenticated. */
enum web_authn { WEB_ANON = 0, WEB_COOKIE = 1, WEB_BEARER = 2 };
struct web_viewer {
  enum web_authn how;
  struct sk_session *sess; /* malloc'd when how == WEB_COOKIE (sess->account is the user) */
  struct sk_account *acct; /* the user (points into sess, or malloc'd for a bearer token) */
};
/* Resolve the caller from the session cookie or an Authorization: Bearer
 * token. required: answer 401 when there is none. A bad bearer token is
 * always a 401 (with WWW-Authenticate). SK_OK (how may be WEB_ANON when
 * not required), or an answer was set and SK_EINVAL returned. Free with
 * web_viewer_free. */
int web_viewer_get(struct web_ctx *x, int required, struct web_viewer *v);
void web_viewer_free(struct web_viewer *v);
/* A state-changing request with a cookie session must carry the CSRF token
 * (X-CSRF-Token, or csrf in a form body). 1 when fine; else 403 was set. */
int web_csrf_ok(struct web_ctx *x, const struct web_viewer *v, const char *form_csrf);
/* Form helpers shared with web_account.c (web_auth.c): the decoded value of
 * key in an application/x-www-form-urlencoded body (1 when found and valid
 * UTF-8), whether the request is such a form, whether a cookie-less POST
 * comes from our own pages (Origin / Sec-Fetch-Site), and the session
 * cookie's token (NULL when none). */
int web_form_value(const char *body, const char *key, char *out, size_t outlen);
int web_is_form(struct web_ctx *x);
int web_same_origin(struct web_ctx *x);
const char *web_session_token(struct web_ctx *x);
/* This worker's writable store for auth calls (opened on first use). */
struct sk_store *web_auth_store(struct web_ctx *x);
/* The client address (X-Forwarded-For only from the trusted proxy): an IPv4
 * address, or an IPv6 client's /64 ("2001:db8:1:2::/64"), the unit every
 * per-client limit counts. */
void web_client_ip(struct web_ctx *x, char out[64]);
/* 1 when the request came over TLS (X-Forwarded-Proto from the trusted proxy). */
int web_is_secure(struct web_ctx *x);
/* For /search and /services/{id}: mark x->professional from the session
 * (never fails: a bad cookie is anonymous). Answers for such a caller are
 * private (no-store). */
void web_viewer_mark(struct web_ctx *x);
/* After /services/{id} built its public answer: add restricted fields
 * (referral_contact, restricted phones) for a caller who may see them. */
void web_service_add_restricted(struct web_ctx *x);

/* Build the taxonomy body once at start-up. */
int web_api_build_taxonomy(struct web_server *srv);
/* Record one finished request. */
void web_metrics_record(struct web_server *srv, enum web_route r, int status, double ms);

/* The OpenAPI document (web_openapi.c, generated from web/openapi.json). */
extern const char web_openapi_json[];
/* The OpenAPI document of /hsds (web_hsds_openapi.c, from web/hsds_openapi.json). */
extern const char web_hsds_openapi_json[];

/* Filters shared by /activities and /activities.ics (web_api.c). Without
 * 'from' the window starts def_back seconds before now; without 'to' it
 * ends def_span seconds after its start (or after now). At most a year.
 * SK_OK, or a 400 was set and SK_EINVAL is returned. */
struct web_act_filter {
  const char *muni, *need, *group; /* taxonomy codes (static), or NULL */
  int64_t from, to;                /* unix seconds */
  char areas[256];                 /* JSON array: muni and its scopes */
};
int web_act_filter_parse(struct web_ctx *x, int64_t def_back, int64_t def_span,
                         struct web_act_filter *f);
/* Bind ?1..?6 of an ACT_WHERE statement. */
void web_act_filter_bind(sqlite3_stmt *s, const struct web_act_filter *f);

/* Service detail shared by /api/v1/services/{id} and organisations. */
json_t *web_service_detail(struct web_worker *w, const char *id, int *found);

/* Seconds since the last successful index, or -1 when unknown. */
long long web_index_age(struct web_worker *w);

/* How long a portal or login write waits for the store while another writer
 * (a reindex, which commits about every 100 ms) holds it. */
#define WEB_WRITE_WAIT_MS 1000
/* 503 with Retry-After: 2 for a write that gave up waiting (SK_EBUSY),
 * logged on stderr. */
int web_busy(struct web_ctx *x, const char *detail);

/* s made safe for one field of a log line (web_server.c): bytes outside
 * printable ASCII, space and '\\' become \\xNN; cut to fit outlen. */
void web_log_escape(const char *s, char *out, size_t outlen);
/* url for a log line: escaped as web_log_escape, and a credential in the
 * path (the verification link's token) replaced by "-". */
void web_log_path(const char *url, char *out, size_t outlen);

/* Time helpers: ISO 8601 UTC "…Z" for unix seconds. */
void web_iso_utc(int64_t t, char out[32]);

#endif
