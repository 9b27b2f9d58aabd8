/* The daemon: start-up checks, the request life cycle, routing, limits,
 * common headers, ETag/304, the access log and graceful shutdown. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sk_auth.h"
#include "sk_err.h"
#include "sk_fold.h"
#include "sk_portal.h"
#include "sk_publish.h"
#include "web_internal.h"

#include "sk_search.h"

/* Same policy on every response, the API included: nothing may be framed,
 * no inline script, no third-party hosts. */
#define WEB_CSP                                                                                    \
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "                \
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "                      \
  "form-action 'self'; frame-ancestors 'none'"

void web_config_default(struct web_config *c) {
  memset(c, 0, sizeof *c);
  c->bind = "127.0.0.1";
  c->port = 8080;
  c->timeout_s = 15;
  c->request_timeout_s = 30;
  c->max_connections = 1024;
  c->max_per_ip = 64;
  c->max_body = 16 * 1024;
  c->max_url = 2048;
  c->max_params = 32;
  c->max_param_len = 512;
  c->max_body_partner = 256 * 1024;
}

static const char *const route_names[WR_COUNT] = {
    [WR_HEALTHZ] = "healthz",
    [WR_METRICS] = "metrics",
    [WR_OPENAPI] = "openapi",
    [WR_SEARCH] = "search",
    [WR_SUGGEST] = "suggest",
    [WR_SERVICE] = "service",
    [WR_ORGANIZATION] = "organization",
    [WR_ACTIVITIES] = "activities",
    [WR_ACTIVITIES_ICS] = "activities_ics",
    [WR_TAXONOMY] = "taxonomy",
    [WR_FEEDS] = "feeds",
    [WR_HSDS_ROOT] = "hsds_root",
    [WR_HSDS_SERVICES] = "hsds_services",
    [WR_HSDS_SERVICE] = "hsds_service",
    [WR_HSDS_TAXONOMIES] = "hsds_taxonomies",
    [WR_HSDS_TERMS] = "hsds_taxonomy_terms",
    [WR_HSDS_TAXONOMY] = "hsds_taxonomy",
    [WR_HSDS_TERM] = "hsds_taxonomy_term",
    [WR_HSDS_ORGS] = "hsds_organizations",
    [WR_HSDS_ORG] = "hsds_organization",
    [WR_HSDS_SALS] = "hsds_service_at_locations",
    [WR_HSDS_SAL] = "hsds_service_at_location",
    [WR_HSDS_OPENAPI] = "hsds_openapi",
    [WR_AUTH] = "auth",
    [WR_PARTNER] = "partner",
    [WR_CORRECTION] = "correction",
    [WR_VERIFY] = "verify",
    [WR_PAGE] = "page",
    [WR_STATIC] = "static",
    [WR_NOT_FOUND] = "not_found",
};

const char *web_route_name(enum web_route r) { return r < WR_COUNT ? route_names[r] : "?"; }

/* ---- workers ------------------------------------------------------------ */

static _Thread_local struct web_worker *tl_worker;

static struct web_worker *worker_new(struct web_server *srv, const char *path, unsigned gen,
                                     char *err, size_t errlen) {
  struct web_worker *w = calloc(1, sizeof *w);
  if (!w)
    return NULL;
  w->srv = srv;
  w->snap_gen = gen;
  if (sk_store_open(path, SK_STORE_READONLY, &w->st, err, errlen) != SK_OK) {
    free(w);
    return NULL;
  }
  w->searcher = sk_searcher_new(w->st, srv->tax);
  if (!w->searcher) {
    snprintf(err, errlen, "cannot create a searcher on %s", path);
    sk_store_close(w->st);
    free(w);
    return NULL;
  }
  return w;
}

/* A new worker on the snapshot in use (the database itself on a primary). */
static struct web_worker *worker_new_current(struct web_server *srv, char *err, size_t errlen) {
  if (!srv->replica_dir)
    return worker_new(srv, srv->db_path, 0, err, errlen);
  pthread_mutex_lock(&srv->snap_mu);
  char *path = strdup(srv->snap_path);
  unsigned gen = atomic_load(&srv->snap_gen);
  pthread_mutex_unlock(&srv->snap_mu);
  struct web_worker *w = path ? worker_new(srv, path, gen, err, errlen) : NULL;
  free(path);
  return w;
}

struct web_worker *web_worker_get(struct web_ctx *x) {
  if (tl_worker && tl_worker->srv == x->srv)
    return tl_worker;
  struct web_server *srv = x->srv;
  /* Workers made at start-up (searcher caches loaded) are handed to the
   * pool threads on their first request; a connection may change threads
   * as long as one thread uses it at a time. */
  pthread_mutex_lock(&srv->mu);
  struct web_worker *w = srv->spare;
  if (w)
    srv->spare = w->next;
  pthread_mutex_unlock(&srv->mu);
  if (!w) {
    char err[512] = "";
    w = worker_new_current(srv, err, sizeof err);
    if (!w) {
      fprintf(stderr, "sociale-kaart serve: %s\n", err[0] ? err : "out of memory");
      return NULL;
    }
  }
  pthread_mutex_lock(&srv->mu);
  w->next = srv->workers;
  srv->workers = w;
  pthread_mutex_unlock(&srv->mu);
  tl_worker = w;
  return w;
}

static void worker_free(struct web_worker *w) {
  if (!w)
    return;
  for (int i = 0; i < WQ_COUNT; i++)
    sqlite3_finalize(w->stmt[i]);
  sk_searcher_free(w->searcher);
  sk_store_close(w->st);
  sk_store_close(w->wst);
  free(w);
}

/* Replica: move this thread's worker to the newest snapshot before a
 * request starts (never during one). When the new one cannot be opened the
 * worker stays on its old snapshot (still whole: the file lives while open)
 * and tries again on its next request. */
static void worker_refresh(struct web_ctx *x) {
  struct web_server *srv = x->srv;
  struct web_worker *w = web_worker_get(x);
  if (!w || w->snap_gen == atomic_load(&srv->snap_gen))
    return;
  char err[512] = "";
  struct web_worker *n = worker_new_current(srv, err, sizeof err);
  if (!n) {
    fprintf(stderr, "sociale-kaart serve: replica: staying on the old snapshot: %s\n",
            err[0] ? err : "out of memory");
    return;
  }
  /* Swap the insides; w stays in srv->workers and tl_worker. */
  for (int i = 0; i < WQ_COUNT; i++) {
    sqlite3_finalize(w->stmt[i]);
    w->stmt[i] = NULL;
  }
  sk_searcher_free(w->searcher);
  sk_store_close(w->st);
  w->st = n->st;
  w->searcher = n->searcher;
  w->snap_gen = n->snap_gen;
  free(n);
}

/* ---- connections: admission and the request deadline ----------------------
 *
 * MHD's own limits do not stop a slow-loris: its timeout is an idle timeout
 * that every byte resets, and a per-address limit times a handful of
 * addresses fills the global one. So the server keeps its own list of open
 * connections (NOTIFY_CONNECTION):
 *
 * - admission (the accept-policy callback): an address may hold at most
 *   per_ip connections; once `shared` connections are open (three quarters
 *   of the limit), only addresses with fewer than WEB_NEWCOMER_CONNS open
 *   get in, so the last quarter stays for new visitors. per_ip never
 *   exceeds `shared`. The trusted proxy is exempt (every client has its
 *   address).
 * - the request deadline: a request's headers and body must have arrived
 *   within request_timeout_s of the request's start (the connection's
 *   start, or the end of the previous request on it). A sweeper thread
 *   shuts the socket down (shutdown(2), not close: MHD owns the fd and
 *   closes it when its read fails), under conn_mu; MHD's CLOSED
 *   notification takes conn_mu and comes before MHD closes the fd, so the
 *   sweeper never touches an fd that was closed and reused. */

#define WEB_NEWCOMER_CONNS 6 /* what one browser opens to one host */

static int64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int addr_key(const struct sockaddr *sa, int *family, unsigned char key[16]) {
  memset(key, 0, 16);
  if (sa->sa_family == AF_INET) {
    memcpy(key, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    *family = AF_INET;
    return 1;
  }
  if (sa->sa_family == AF_INET6) {
    memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    *family = AF_INET6;
    return 1;
  }
  return 0;
}

static int is_trusted_proxy(const struct web_server *srv, int family, const unsigned char *key) {
  struct in_addr a;
  return srv->trusted_proxy && family == AF_INET &&
         inet_pton(AF_INET, srv->trusted_proxy, &a) == 1 && memcmp(&a, key, 4) == 0;
}

static enum MHD_Result on_accept(void *cls, const struct sockaddr *sa, socklen_t len) {
  (void)len;
  struct web_server *srv = cls;
  int family;
  unsigned char key[16];
  if (!addr_key(sa, &family, key) || is_trusted_proxy(srv, family, key))
    return MHD_YES;
  pthread_mutex_lock(&srv->conn_mu);
  unsigned mine = 0;
  for (const struct web_conn *c = srv->conns; c; c = c->next)
    mine += c->family == family && memcmp(c->addr, key, 16) == 0;
  int ok = mine < srv->per_ip && (srv->n_conns < srv->shared || mine < WEB_NEWCOMER_CONNS);
  pthread_mutex_unlock(&srv->conn_mu);
  if (!ok)
    atomic_fetch_add(&srv->n_refused, 1);
  return ok ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
  struct web_server *srv = cls;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    struct web_conn *c = calloc(1, sizeof *c);
    *socket_context = c;
    if (!c)
      return; /* not tracked: MHD's own limits still hold */
    const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn,
                                                                 MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *ad = MHD_get_connection_info(
        conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    c->fd = fd ? fd->connect_fd : -1;
    if (!ad || !ad->client_addr || !addr_key(ad->client_addr, &c->family, c->addr))
      c->family = -1;
    c->deadline_ms = srv->cfg.request_timeout_s
                         ? now_ms() + (int64_t)srv->cfg.request_timeout_s * 1000
                         : 0;
    pthread_mutex_lock(&srv->conn_mu);
    c->next = srv->conns;
    if (c->next)
      c->next->prev = c;
    srv->conns = c;
    srv->n_conns++;
    pthread_mutex_unlock(&srv->conn_mu);
  } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
    struct web_conn *c = *socket_context;
    *socket_context = NULL;
    if (!c)
      return;
    pthread_mutex_lock(&srv->conn_mu);
    if (c->prev)
      c->prev->next = c->next;
    else
      srv->conns = c->next;
    if (c->next)
      c->next->prev = c->prev;
    srv->n_conns--;
    pthread_mutex_unlock(&srv->conn_mu);
    free(c);
  }
}

static struct web_conn *conn_of(struct MHD_Connection *conn) {
  const union MHD_ConnectionInfo *i = MHD_get_connection_info(conn,
                                                              MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return i ? i->socket_context : NULL;
}

/* The request has arrived whole (answering: no deadline), or the previous
 * one is done (the next one's clock starts). */
static void conn_deadline(struct web_server *srv, struct MHD_Connection *conn, int answering) {
  struct web_conn *c = conn_of(conn);
  if (!c)
    return;
  int64_t d = answering || !srv->cfg.request_timeout_s
                  ? 0
                  : now_ms() + (int64_t)srv->cfg.request_timeout_s * 1000;
  pthread_mutex_lock(&srv->conn_mu);
  c->deadline_ms = d;
  pthread_mutex_unlock(&srv->conn_mu);
}

static void *sweeper_main(void *arg) {
  struct web_server *srv = arg;
  pthread_mutex_lock(&srv->conn_mu);
  while (!srv->sweep_stop) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 250 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&srv->sweep_cv, &srv->conn_mu, &until);
    int64_t now = now_ms();
    for (struct web_conn *c = srv->conns; c; c = c->next)
      if (!c->cut && c->deadline_ms && now > c->deadline_ms && c->fd >= 0) {
        shutdown(c->fd, SHUT_RDWR);
        c->cut = 1;
        atomic_fetch_add(&srv->n_cut, 1);
      }
  }
  pthread_mutex_unlock(&srv->conn_mu);
  return NULL;
}

/* ---- small helpers ---------------------------------------------------------- */

static double elapsed_ms(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The request-URI length arrives before the request context exists; it is
 * carried in the context pointer as an odd (never malloc'd) value, so a
 * request MHD rejects on its own leaks nothing. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
  (void)cls;
  (void)c;
  size_t n = strlen(uri);
  if (n > ((size_t)1 << 28))
    n = (size_t)1 << 28;
  /* A %00 would cut the decoded path or value short: remember it. */
  int nul = strstr(uri, "%00") != NULL;
  return (void *)(((uintptr_t)n << 2) | ((uintptr_t)nul << 1) | 1u);
}

/* s for a log line: every byte outside printable ASCII, the space (the
 * field separator, unless keep_space) and the backslash become \xNN, so a
 * request can never start a line of its own (%0a in a path) or send escape
 * sequences to the terminal of whoever reads the log. Cut to fit out. */
static void log_escape(const char *s, int keep_space, char *out, size_t outlen) {
  static const char hex[] = "0123456789abcdef";
  size_t o = 0;
  for (; s && *s && o + 5 <= outlen; s++) {
    unsigned char c = (unsigned char)*s;
    if ((c == ' ' && !keep_space) || c < 0x20 || c >= 0x7f || c == '\\') {
      out[o++] = '\\';
      out[o++] = 'x';
      out[o++] = hex[c >> 4];
      out[o++] = hex[c & 15];
    } else {
      out[o++] = (char)c;
    }
  }
  if (outlen)
    out[o < outlen ? o : outlen - 1] = '\0';
}

void web_log_escape(const char *s, char *out, size_t outlen) { log_escape(s, 0, out, outlen); }

/* Paths whose segment after the prefix is a credential: the personal
 * verification link (/api/v1/verify/{token}, valid for weeks, no login
 * besides it). Whoever reads a log must not be able to use it. */
static const char *const secret_path_prefixes[] = {"/api/v1/verify/"};

void web_log_path(const char *url, char *out, size_t outlen) {
  for (size_t i = 0; url && i < sizeof secret_path_prefixes / sizeof secret_path_prefixes[0]; i++) {
    size_t pl = strlen(secret_path_prefixes[i]);
    if (strncmp(url, secret_path_prefixes[i], pl) == 0 && url[pl]) {
      char cut[300];
      snprintf(cut, sizeof cut, "%s-%s", secret_path_prefixes[i],
               url + pl + strcspn(url + pl, "/"));
      log_escape(cut, 0, out, outlen);
      return;
    }
  }
  log_escape(url, 0, out, outlen);
}

/* libmicrohttpd's own messages may quote what a client sent: one line on
 * stderr each, escaped like the access log (spaces kept). */
static void mhd_logger(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  char msg[512], safe[1024];
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t n = strlen(msg);
  while (n > 0 && msg[n - 1] == '\n')
    msg[--n] = '\0';
  log_escape(msg, 1, safe, sizeof safe);
  fprintf(stderr, "sociale-kaart serve: libmicrohttpd: %s\n", safe);
}

static void access_log(struct web_server *srv, const char *method, const char *url, int status,
                       size_t bytes, double ms) {
  if (srv->log_fd < 0)
    return;
  char ts[32], line[1400], m[80], path[1204];
  sk_now_iso(ts);
  web_log_escape(method, m, sizeof m);
  web_log_path(url, path, sizeof path);
  /* The path only: query strings carry what residents typed (and a path
   * that is a credential loses it). Status 0: the
   * connection ended before any answer was sent. */
  int n = snprintf(line, sizeof line, "%s %s %s %d %zu %.3fms\n", ts, m, path, status, bytes, ms);
  if (n > 0) {
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    /* One write(2) per line on an O_APPEND fd: lines from different
     * threads never interleave. */
    ssize_t w = write(srv->log_fd, line, len);
    (void)w;
  }
}

/* A request we never answered (status 0): the client went away, MHD
 * refused it itself (a broken chunk), it hit a deadline, or the server
 * stopped. Logged and counted as what it was, never as a server error. */
static int unanswered_status(struct MHD_Connection *c, enum MHD_RequestTerminationCode toe) {
  const struct web_conn *wc = conn_of(c);
  if (wc && wc->cut)
    return 408; /* the request deadline */
  switch (toe) {
  case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: return 408;
  case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: return 503;
  case MHD_REQUEST_TERMINATED_WITH_ERROR: return 400; /* MHD answered a malformed request */
  default: return 499; /* the client closed the connection (nginx's code for it) */
  }
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  struct web_server *srv = cls;
  conn_deadline(srv, c, 0);
  uintptr_t v = (uintptr_t)*con_cls;
  if (!v || (v & 1u))
    return;
  struct web_req *req = *con_cls;
  *con_cls = NULL;
  if (!req->status)
    req->status = unanswered_status(c, toe);
  free(req->body);
  if (!req->responded) {
    /* We queued nothing: either MHD refused the request itself (a bad
     * chunked body: it answers 400 and ends WITH_ERROR) or the client went
     * away, timed out or the server stopped (nothing was sent). */
    req->status = toe == MHD_REQUEST_TERMINATED_WITH_ERROR ? 400 : 0;
    req->bytes = 0;
  }
  double ms = elapsed_ms(&req->t0);
  web_metrics_record(srv, req->route, req->status, ms);
  access_log(srv, req->method, req->path, req->status, req->bytes, ms);
  atomic_fetch_sub(&srv->inflight, 1);
  free(req);
}

/* ---- response ------------------------------------------------------------- */

static int etag_matches(const char *header, const char *etag) {
  if (!header)
    return 0;
  /* If-None-Match: "a", W/"b" or *; compare weakly (RFC 9110 13.1.2). */
  const char *p = header;
  size_t elen = strlen(etag);
  while (*p) {
    while (*p == ' ' || *p == ',' || *p == '\t')
      p++;
    if (*p == '*')
      return 1;
    if (p[0] == 'W' && p[1] == '/')
      p += 2;
    const char *end = p;
    while (*end && *end != ',')
      end++;
    const char *tail = end;
    while (tail > p && (tail[-1] == ' ' || tail[-1] == '\t'))
      tail--;
    if ((size_t)(tail - p) == elen && memcmp(p, etag, elen) == 0)
      return 1;
    p = end;
  }
  return 0;
}

/* How long a client may keep an idle connection for its next request: a
 * few seconds less than the server's own idle timeout and request
 * deadline. Without the hint a client (Node's fetch, curl's pool) can send a
 * request on a connection the server is closing at that moment and see the
 * connection reset instead of an answer; clients that read the hint close
 * the connection first. */
static unsigned keep_alive_s(const struct web_server *srv) {
  unsigned idle = srv->cfg.timeout_s ? srv->cfg.timeout_s : 15;
  if (srv->cfg.request_timeout_s && srv->cfg.request_timeout_s < idle)
    idle = srv->cfg.request_timeout_s;
  return idle > 4 ? idle - 3 : 1;
}

static void add_common_headers(const struct web_server *srv, struct MHD_Response *r) {
  char ka[32];
  snprintf(ka, sizeof ka, "timeout=%u", keep_alive_s(srv));
  MHD_add_response_header(r, "Keep-Alive", ka);
  MHD_add_response_header(r, "Content-Security-Policy", WEB_CSP);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

static enum MHD_Result send_out(struct web_ctx *x) {
  struct web_out *o = &x->out;
  conn_deadline(x->srv, x->conn, 1);
  int status = o->status ? o->status : 500;
  int is_get = strcmp(x->method, "GET") == 0 || strcmp(x->method, "HEAD") == 0;
  char etag[80] = "";
  if (status == 200 && is_get) {
    if (o->etag_value[0]) {
      snprintf(etag, sizeof etag, "%s", o->etag_value);
    } else if (o->etag && o->body) {
      unsigned char h[16];
      crypto_generichash(h, sizeof h, (const unsigned char *)o->body, o->len, NULL, 0);
      char hex[33];
      sodium_bin2hex(hex, sizeof hex, h, sizeof h);
      snprintf(etag, sizeof etag, "\"%s\"", hex);
    }
    web_gzip_apply(x, etag);
    if (etag[0] &&
        etag_matches(MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, "If-None-Match"),
                     etag)) {
      status = 304;
      free(o->body);
      o->body = NULL;
      o->len = 0;
      if (o->fd >= 0) {
        close(o->fd);
        o->fd = -1;
      }
    }
  }
  struct MHD_Response *r;
  if (o->fd >= 0) {
    r = MHD_create_response_from_fd64(o->len, o->fd);
    if (!r)
      close(o->fd);
    o->fd = -1;
  } else if (o->body) {
    r = MHD_create_response_from_buffer(o->len, o->body, MHD_RESPMEM_MUST_FREE);
    if (r)
      o->body = NULL;
  } else {
    r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  }
  free(o->body);
  o->body = NULL;
  if (!r)
    return MHD_NO;
  add_common_headers(x->srv, r);
  if (o->ctype && status != 304)
    MHD_add_response_header(r, "Content-Type", o->ctype);
  /* An answer that sets a cookie (the deleting one for an ended session on
   * a public page included) is for this client alone: a shared cache that
   * kept it would hand the cookie to everyone behind it. */
  if (o->set_cookie[0] && (!o->cache || !strstr(o->cache, "no-store")))
    o->cache = "private, no-store";
  if (o->cache)
    MHD_add_response_header(r, "Cache-Control", o->cache);
  if (etag[0])
    MHD_add_response_header(r, "ETag", etag);
  if (o->allow)
    MHD_add_response_header(r, "Allow", o->allow);
  if (!is_get && o->etag_value[0] && status < 300)
    MHD_add_response_header(r, "ETag", o->etag_value);
  if (o->set_cookie[0])
    MHD_add_response_header(r, "Set-Cookie", o->set_cookie);
  if (o->retry_after)
    MHD_add_response_header(r, "Retry-After", o->retry_after);
  if (o->www_auth)
    MHD_add_response_header(r, "WWW-Authenticate", o->www_auth);
  if (o->location[0])
    MHD_add_response_header(r, "Location", o->location);
  if (o->vary)
    MHD_add_response_header(r, "Vary", o->vary);
  if (o->encoding && status != 304)
    MHD_add_response_header(r, "Content-Encoding", o->encoding);
  if (o->close)
    MHD_add_response_header(r, "Connection", "close");
  if (o->cors) {
    MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
    MHD_add_response_header(r, "Access-Control-Expose-Headers", "ETag");
  }
  if (x->req) {
    x->req->responded = 1;
    x->req->status = status;
    x->req->bytes = status == 304 ? 0 : o->len;
  }
  enum MHD_Result rc = MHD_queue_response(x->conn, (unsigned)status, r);
  MHD_destroy_response(r);
  return rc;
}

/* ---- routing ---------------------------------------------------------------- */

/* The routes, as a table: the first row whose pattern matches the decoded
 * path wins. A pattern is literal text, where "{id}" stands for one
 * non-empty path segment (x->id points at it; the handler reads it up to the
 * next '/') and a trailing "*" for any rest. The dispatcher knows no handler:
 * everything route-specific is a flag or a hook of the row. */
enum {
  R_API = 1,        /* problem+json errors, CORS */
  R_WRITES = 2,     /* also POST, PUT, PATCH, DELETE; the body is kept */
  R_VIEWER = 4,     /* may answer restricted fields: find out who asks first */
  R_LARGE_BODY = 8, /* the partner body limit instead of the general one */
};

struct route_def {
  const char *pattern;
  enum web_route route;
  int (*handler)(struct web_ctx *); /* NULL: 404 */
  const char *const *params;        /* allowed query parameters; NULL: any */
  unsigned flags;                   /* R_* */
  /* Called after a 200 from the handler for a professional viewer (adds the
   * restricted fields to the answer); may be NULL. */
  void (*professional_after)(struct web_ctx *);
};

static const char *const no_params[] = {NULL};
static const char *const suggest_params[] = {"q", "limit", NULL};
static const char *const activities_params[] = {"municipality", "need", "target_group", "from",
                                                "to",           "page", "per_page",     NULL};
static const char *const activities_ics_params[] = {"municipality", "need", "target_group",
                                                    "from",         "to",   NULL};
static const char *const hsds_list_params[] = {"search",
                                               "page",
                                               "per_page",
                                               "format",
                                               "taxonomy_term_id",
                                               "taxonomy_id",
                                               "organization_id",
                                               "modified_after",
                                               "minimal",
                                               "full",
                                               "postcode",
                                               "proximity",
                                               NULL};
static const char *const hsds_sal_params[] = {
    "search",          "page",           "per_page", "format",   "taxonomy_term_id", "taxonomy_id",
    "organization_id", "modified_after", "full",     "postcode", "proximity",        NULL};
static const char *const hsds_page_params[] = {"search",      "page",   "per_page",
                                               "taxonomy_id", "format", NULL};
static const char *const hsds_terms_params[] = {"search", "page",     "per_page",  "taxonomy_id",
                                                "format", "top_only", "parent_id", NULL};
static const char *const hsds_orgs_params[] = {"search", "page",         "per_page", "format",
                                               "full",   "full_service", NULL};
static const char *const hsds_org_params[] = {"full_service", NULL};
static const char *const partner_params[] = {"organization", "status", "page",
                                             "per_page",     "q",      NULL};
static const char *const password_params[] = {"token", NULL};

static const struct route_def routes[] = {
    {"/healthz", WR_HEALTHZ, web_api_healthz, no_params, R_API, NULL},
    {"/metrics", WR_METRICS, web_metrics_handler, no_params, 0, NULL},
    {"/api/v1/search", WR_SEARCH, web_api_search, NULL, R_API | R_VIEWER, NULL},
    {"/api/v1/suggest", WR_SUGGEST, web_api_suggest, suggest_params, R_API, NULL},
    {"/api/v1/activities", WR_ACTIVITIES, web_api_activities, activities_params, R_API, NULL},
    {"/api/v1/activities.ics", WR_ACTIVITIES_ICS, web_api_activities_ics, activities_ics_params,
     R_API, NULL},
    {"/api/v1/taxonomy", WR_TAXONOMY, web_api_taxonomy, no_params, R_API, NULL},
    {"/api/v1/feeds", WR_FEEDS, web_api_feeds, no_params, R_API, NULL},
    {"/api/v1/openapi.json", WR_OPENAPI, web_api_openapi, no_params, R_API, NULL},
    {"/api/v1/auth/*", WR_AUTH, web_auth_handler, no_params, R_WRITES, NULL},
    {"/api/v1/partner", WR_PARTNER, web_partner_handler, partner_params, R_WRITES | R_LARGE_BODY,
     NULL},
    {"/api/v1/partner/*", WR_PARTNER, web_partner_handler, partner_params, R_WRITES | R_LARGE_BODY,
     NULL},
    {"/api/v1/corrections/token", WR_CORRECTION, web_correction_handler, no_params, R_WRITES, NULL},
    {"/api/v1/verify/{id}", WR_VERIFY, web_verify_handler, no_params, R_API | R_WRITES, NULL},
    {"/api/v1/verify/{id}/*", WR_VERIFY, web_verify_handler, no_params, R_API | R_WRITES, NULL},
    {"/api/v1/services/{id}/corrections", WR_CORRECTION, web_correction_handler, no_params,
     R_WRITES, NULL},
    {"/api/v1/services/{id}", WR_SERVICE, web_api_service, no_params, R_API | R_VIEWER,
     web_service_add_restricted},
    {"/api/v1/organizations/{id}", WR_ORGANIZATION, web_api_organization, no_params, R_API, NULL},
    {"/api", WR_NOT_FOUND, NULL, NULL, R_API, NULL},
    {"/api/*", WR_NOT_FOUND, NULL, NULL, R_API, NULL},
    {"/hsds", WR_HSDS_ROOT, web_hsds_root, no_params, R_API, NULL},
    {"/hsds/", WR_HSDS_ROOT, web_hsds_root, no_params, R_API, NULL},
    {"/hsds/services", WR_HSDS_SERVICES, web_hsds_services, hsds_list_params, R_API, NULL},
    {"/hsds/services/{id}", WR_HSDS_SERVICE, web_hsds_service, no_params, R_API, NULL},
    {"/hsds/taxonomies", WR_HSDS_TAXONOMIES, web_hsds_taxonomies, hsds_page_params, R_API, NULL},
    {"/hsds/taxonomy_terms", WR_HSDS_TERMS, web_hsds_terms, hsds_terms_params, R_API, NULL},
    {"/hsds/taxonomies/{id}", WR_HSDS_TAXONOMY, web_hsds_taxonomy, no_params, R_API, NULL},
    {"/hsds/taxonomy_terms/{id}", WR_HSDS_TERM, web_hsds_term, no_params, R_API, NULL},
    {"/hsds/organizations", WR_HSDS_ORGS, web_hsds_organizations, hsds_orgs_params, R_API, NULL},
    {"/hsds/organizations/{id}", WR_HSDS_ORG, web_hsds_organization, hsds_org_params, R_API, NULL},
    {"/hsds/service_at_locations", WR_HSDS_SALS, web_hsds_service_at_locations, hsds_sal_params,
     R_API, NULL},
    {"/hsds/service_at_locations/{id}", WR_HSDS_SAL, web_hsds_service_at_location, no_params, R_API,
     NULL},
    {"/hsds/openapi.json", WR_HSDS_OPENAPI, web_hsds_openapi, no_params, R_API, NULL},
    {"/hsds/*", WR_NOT_FOUND, NULL, NULL, R_API, NULL},
    {"/portal/wachtwoord", WR_AUTH, web_password_handler, password_params, R_WRITES, NULL},
    {"/portal/wachtwoord-vergeten", WR_AUTH, web_password_forgot_handler, no_params, R_WRITES,
     NULL},
/* The server-rendered site (web_pages.c); POST only for its correction form. */
#define PAGE(pat)                                                                                  \
  { pat, WR_PAGE, web_page_handler, NULL, R_WRITES | R_VIEWER, NULL }
    PAGE("/"),
    PAGE("/zoeken"),
    PAGE("/hulp"),
    PAGE("/hulp/*"),
    PAGE("/aanbod"),
    PAGE("/aanbod/*"),
    PAGE("/organisatie/*"),
    PAGE("/agenda"),
    PAGE("/professionals"),
    PAGE("/aanvraag"),
    PAGE("/sitemap.xml"),
    PAGE("/robots.txt"),
#undef PAGE
/* The partner portal's server-rendered pages (web_portal_pages.c). */
#define PPAGE(pat)                                                                                 \
  { pat, WR_PAGE, web_portal_page_handler, NULL, R_WRITES | R_LARGE_BODY, NULL }
    PPAGE("/portaal/"),
    PPAGE("/portaal/bevestigen"),
    PPAGE("/portaal/bewerk/*"),
    PPAGE("/portaal/melding/*"),
    PPAGE("/portaal/nieuw/*"),
    PPAGE("/portaal/beoordeling/*"),
    PPAGE("/portaal/account-aanvraag/*"),
    PPAGE("/portaal/index.html"),
#undef PPAGE
    {"*", WR_STATIC, web_static, NULL, 0, NULL},
};

/* 1 when url matches pattern (see routes[]); *id gets the {id} segment. */
static int route_match(const char *pattern, const char *url, const char **id) {
  const char *p = pattern, *u = url;
  *id = NULL;
  while (*p) {
    if (p[0] == '*' && !p[1])
      return 1;
    if (strncmp(p, "{id}", 4) == 0) {
      size_t n = strcspn(u, "/");
      if (!n)
        return 0;
      *id = u;
      u += n;
      p += 4;
      continue;
    }
    if (*p++ != *u++)
      return 0;
  }
  return *u == '\0';
}

static const struct route_def *route_for(const char *url, const char **id) {
  size_t n = sizeof routes / sizeof routes[0];
  for (size_t i = 0; i < n; i++)
    if (route_match(routes[i].pattern, url, id))
      return &routes[i];
  *id = NULL;
  return &routes[n - 1]; /* unreachable: the last row matches everything */
}

struct param_check {
  struct web_ctx *x;
  const char *const *allowed;
  unsigned count;
  int failed;
};

static enum MHD_Result check_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value) {
  (void)kind;
  struct param_check *pc = cls;
  struct web_config *cfg = &pc->x->srv->cfg;
  if (++pc->count > cfg->max_params) {
    web_problem(pc->x, 400, "Te veel parameters", NULL,
                "Een verzoek mag hoogstens %u parameters hebben.", cfg->max_params);
    pc->failed = 1;
    return MHD_NO;
  }
  size_t klen = strlen(key), vlen = value ? strlen(value) : 0;
  if (klen > 64 || !sk_utf8_valid(key, klen)) {
    web_problem(pc->x, 400, "Ongeldige parameter", NULL,
                "Een parameternaam is te lang of geen geldige UTF-8.");
    pc->failed = 1;
    return MHD_NO;
  }
  if (vlen > cfg->max_param_len) {
    web_bad_param(pc->x, key, "De parameter '%s' is te lang (hoogstens %zu tekens).", key,
                  cfg->max_param_len);
    pc->failed = 1;
    return MHD_NO;
  }
  if (value && !sk_utf8_valid(value, vlen)) {
    web_bad_param(pc->x, key, "De parameter '%s' is geen geldige UTF-8-tekst.", key);
    pc->failed = 1;
    return MHD_NO;
  }
  if (pc->allowed) {
    int known = 0;
    for (const char *const *a = pc->allowed; *a; a++)
      if (strcmp(*a, key) == 0) {
        known = 1;
        break;
      }
    if (!known) {
      web_bad_param(pc->x, key, "De parameter '%.64s' bestaat niet voor dit adres.", key);
      pc->failed = 1;
      return MHD_NO;
    }
  }
  return MHD_YES;
}

/* A replica serves the public GET routes only: nothing that logs in, writes
 * or shows what a login allows (its snapshot has no accounts). nginx sends
 * those to the primary (deploy/scale-out/sociale-kaart-replicas.conf); one that
 * arrives anyway gets 421 and a sentence saying where to go. */
static int replica_refuses(struct web_ctx *x, const struct route_def *rd) {
  int refuse = strcmp(x->method, "GET") != 0 && strcmp(x->method, "HEAD") != 0;
  refuse |= rd->route == WR_AUTH || rd->route == WR_PARTNER || rd->route == WR_CORRECTION ||
            rd->route == WR_VERIFY;
  refuse |= strncmp(x->url, "/portal", 7) == 0 && (x->url[7] == '\0' || x->url[7] == '/');
  refuse |= strcmp(x->url, "/aanvraag") == 0; /* a personal claim link (its secret stays home) */
  refuse |= web_has_credentials(x);
  if (refuse)
    web_problem(x, 421, "Niet op deze server", NULL,
                "Deze server toont alleen de openbare gegevens. Inloggen, het portaal en "
                "wijzigingen gaan via de hoofdserver: gebruik het gewone adres van de site.");
  return refuse;
}

static void handle(struct web_ctx *x, const struct route_def *rd) {
  x->out.cors = (rd->flags & R_API) != 0;
  if (x->req->uri_len > x->srv->cfg.max_url) {
    web_problem(x, 414, "Adres te lang", NULL, "Het adres is langer dan %zu tekens.",
                x->srv->cfg.max_url);
    return;
  }
  if (x->req->has_nul)
    return (void)web_problem(x, 400, "Ongeldig adres", NULL,
                             "Het adres bevat een NUL-teken (%%00).");
  if (strcmp(x->method, "OPTIONS") == 0) {
    x->out.status = 204;
    x->out.allow = (rd->flags & R_WRITES) ? "GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE"
                                          : "GET, HEAD, OPTIONS";
    x->out.cache = "max-age=86400";
    return;
  }
  struct param_check pc = {x, rd->params, 0, 0};
  MHD_get_connection_values(x->conn, MHD_GET_ARGUMENT_KIND, check_param, &pc);
  if (pc.failed)
    return;
  if (!rd->handler) {
    web_problem(x, 404, "Niet gevonden", NULL, "Het adres %.200s bestaat niet in deze API.",
                x->url);
    return;
  }
  if (x->srv->replica_dir) {
    if (replica_refuses(x, rd))
      return;
    worker_refresh(x);
  }
  if (rd->flags & R_VIEWER)
    web_viewer_mark(x);
  rd->handler(x);
  if (rd->professional_after && x->professional && x->out.status == 200)
    rd->professional_after(x);
  if (x->professional) {
    /* Restricted fields: never in a shared cache, never answered from one. */
    x->out.cache = "private, no-store";
    x->out.cors = 0;
  }
  if (!x->out.status)
    web_problem(x, 500, "Interne fout", NULL, "Er ging iets mis. Probeer het later opnieuw.");
}

static int method_allowed(const char *m, const struct route_def *rd) {
  if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0)
    return 1;
  return (rd->flags & R_WRITES) && (strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 ||
                                    strcmp(m, "PATCH") == 0 || strcmp(m, "DELETE") == 0);
}

/* The partner limit only for a request that says who sends it (a session
 * cookie or an Authorization header): the body is read before the handler
 * checks the login, and an anonymous client has no business sending a
 * partner's 256 KiB, 16 times what it may send anywhere else. */
static size_t body_limit(struct web_ctx *x, const struct route_def *rd) {
  const struct web_server *srv = x->srv;
  return (rd->flags & R_LARGE_BODY) && web_has_credentials(x) ? srv->cfg.max_body_partner
                                                              : srv->cfg.max_body;
}

/* Every Content-Length header, each possibly a list ("5, 5"): all values
 * must be digits and the same. */
struct clen_check {
  unsigned long long len;
  int seen, bad;
};

static enum MHD_Result check_content_length(void *cls, enum MHD_ValueKind kind, const char *key,
                                            const char *value) {
  (void)kind;
  struct clen_check *cc = cls;
  if (strcasecmp(key, "Content-Length") != 0)
    return MHD_YES;
  const char *p = value ? value : "";
  for (;;) {
    while (*p == ' ' || *p == '\t')
      p++;
    if (*p < '0' || *p > '9') {
      cc->bad = 1;
      return MHD_NO;
    }
    unsigned long long v = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
      if (v > (ULLONG_MAX - 9) / 10) {
        cc->bad = 1;
        return MHD_NO;
      }
      v = v * 10 + (unsigned)(*p - '0');
    }
    while (*p == ' ' || *p == '\t')
      p++;
    if (cc->seen && v != cc->len) {
      cc->bad = 1;
      return MHD_NO;
    }
    cc->len = v;
    cc->seen = 1;
    if (*p != ',')
      break;
    p++;
  }
  if (*p) {
    cc->bad = 1;
    return MHD_NO;
  }
  return MHD_YES;
}

/* Keep the body of a write route (bounded); other routes only count it. */
static void body_take(struct web_req *req, const struct route_def *rd, size_t limit,
                      const char *data, size_t n) {
  req->body_seen += n;
  if (!(rd->flags & R_WRITES) || req->body_over)
    return;
  if (req->body_len + n > limit) {
    req->body_over = 1;
    return;
  }
  if (req->body_len + n + 1 > req->body_cap) {
    size_t cap = req->body_cap ? req->body_cap : 4096;
    while (cap < req->body_len + n + 1)
      cap *= 2;
    char *b = realloc(req->body, cap);
    if (!b) {
      req->body_over = 1;
      return;
    }
    req->body = b;
    req->body_cap = cap;
  }
  memcpy(req->body + req->body_len, data, n);
  req->body_len += n;
  req->body[req->body_len] = '\0';
}

/* Every Transfer-Encoding header. The one framing read is libmicrohttpd's:
 * a single header whose whole value is "chunked" (any case); for any other
 * value it reads the body until the client closes ("chunked " with a
 * trailing space, "chunked,", "gzip, chunked"). */
struct te_check {
  unsigned headers, chunked;
};

static enum MHD_Result check_transfer_encoding(void *cls, enum MHD_ValueKind kind, const char *key,
                                               const char *value) {
  (void)kind;
  struct te_check *tc = cls;
  if (strcasecmp(key, "Transfer-Encoding") != 0)
    return MHD_YES;
  tc->headers++;
  tc->chunked += value && strcasecmp(value, "chunked") == 0;
  return MHD_YES;
}

static enum MHD_Result count_host(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value) {
  (void)kind;
  (void)value;
  if (strcasecmp(key, "Host") == 0)
    ++*(unsigned *)cls;
  return MHD_YES;
}

static unsigned count_hosts(struct MHD_Connection *conn) {
  unsigned n = 0;
  MHD_get_connection_values(conn, MHD_HEADER_KIND, count_host, &n);
  return n;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
  struct web_server *srv = cls;
  struct web_req *req;
  uintptr_t v = (uintptr_t)*con_cls;
  if (!v || (v & 1u)) {
    req = calloc(1, sizeof *req);
    if (!req)
      return MHD_NO;
    clock_gettime(CLOCK_MONOTONIC, &req->t0);
    req->uri_len = v ? (size_t)(v >> 2) : strlen(url);
    req->has_nul = (v >> 1) & 1u;
    snprintf(req->method, sizeof req->method, "%s", method);
    snprintf(req->path, sizeof req->path, "%s", url);
    req->status = 0; /* set by send_out; 0 at the end: never answered */
    *con_cls = req;
    atomic_fetch_add(&srv->inflight, 1);
  } else {
    req = *con_cls;
  }

  struct web_ctx x = {.srv = srv, .conn = conn, .url = url, .method = method, .req = req};
  x.out.fd = -1;
  const char *id;
  const struct route_def *rd = route_for(url, &id);
  x.id = id;
  /* RFC 9562: UUIDs compare without regard to case. */
  if (id && !sk_uuid_valid(id) && sk_uuid_canon(id, x.idbuf))
    x.id = x.idbuf;
  req->route = rd->route;

  if (!req->started) {
    req->started = 1;
    /* RFC 9112 3.2: a 1.1 request must carry exactly one Host. */
    unsigned hosts = count_hosts(conn);
    if (hosts > 1 || (hosts == 0 && version && strcmp(version, MHD_HTTP_VERSION_1_0) != 0)) {
      web_problem(&x, 400, "Ongeldig verzoek", NULL,
                  hosts ? "Het verzoek heeft meer dan een Host-kop."
                        : "Het verzoek heeft geen Host-kop (verplicht in HTTP/1.1).");
      x.out.cors = (rd->flags & R_API) != 0;
      return send_out(&x);
    }
    struct clen_check cc = {0, 0, 0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, check_content_length, &cc);
    if (cc.bad) {
      /* RFC 9112 6.3: a framing nobody can be sure of is an unrecoverable
       * error; a proxy in front may read it the other way (smuggling). */
      web_problem(&x, 400, "Ongeldig verzoek", NULL,
                  "De kopregel Content-Length is ongeldig of staat er meer dan eens met "
                  "verschillende waarden.");
      x.out.cors = (rd->flags & R_API) != 0;
      x.out.close = 1;
      return send_out(&x);
    }
    struct te_check tc = {0, 0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, check_transfer_encoding, &tc);
    if (tc.headers) {
      /* RFC 9112 6.1 and 6.3: Transfer-Encoding beside Content-Length, or in
       * an HTTP/1.0 request, is a framing a proxy in front may read the
       * other way (request smuggling): refuse it and close, so nothing
       * after it on the connection is read as a request of its own. A
       * coding we cannot read (anything but one header "chunked") is 501,
       * also closed: libmicrohttpd would otherwise read the body until the
       * client hangs up. */
      int is10 = version && strcmp(version, MHD_HTTP_VERSION_1_0) == 0;
      int unknown = tc.headers != 1 || tc.chunked != 1;
      if (cc.seen || is10)
        web_problem(&x, 400, "Ongeldig verzoek", NULL,
                    "Het verzoek heeft Transfer-Encoding samen met Content-Length, of in "
                    "HTTP/1.0. Stuur een van beide.");
      else if (unknown)
        web_problem(&x, 501, "Niet ondersteund", NULL,
                    "De server leest alleen Transfer-Encoding: chunked.");
      if (cc.seen || is10 || unknown) {
        x.out.cors = (rd->flags & R_API) != 0;
        x.out.close = 1;
        return send_out(&x);
      }
    }
    unsigned long long clen = cc.len;
    /* Answer before the body arrives: MHD then skips the body and closes. */
    if (clen > body_limit(&x, rd)) {
      web_problem(&x, 413, "Verzoek te groot", NULL,
                  "De inhoud van het verzoek is groter dan %zu bytes.", body_limit(&x, rd));
      x.out.cors = (rd->flags & R_API) != 0;
      return send_out(&x);
    }
    if (!method_allowed(method, rd)) {
      web_problem(&x, 405, "Methode niet toegestaan", NULL,
                  "Dit adres kent alleen GET, HEAD en OPTIONS, niet %.20s.", method);
      x.out.allow = "GET, HEAD, OPTIONS";
      x.out.cors = (rd->flags & R_API) != 0;
      return send_out(&x);
    }
    /* Answer on a later call: a response queued during the first call is
     * "early" for MHD and costs the keep-alive connection. */
    return MHD_YES;
  } else if (*upload_data_size) {
    body_take(req, rd, body_limit(&x, rd), upload_data, *upload_data_size);
    *upload_data_size = 0; /* always consume, or MHD answers 500 itself */
    return MHD_YES;
  }
  if (req->body_seen > body_limit(&x, rd) || req->body_over) {
    web_problem(&x, 413, "Verzoek te groot", NULL,
                "De inhoud van het verzoek is groter dan %zu bytes.", body_limit(&x, rd));
    x.out.cors = (rd->flags & R_API) != 0;
    return send_out(&x);
  }
  if (atomic_load(&srv->stopping))
    web_unavailable(&x, "De server stopt. Probeer het zo opnieuw.");
  else
    handle(&x, rd);
  return send_out(&x);
}

/* ---- start and stop ------------------------------------------------------------- */

static int fail(char *err, size_t errlen, int rc, const char *fmt, const char *a, const char *b) {
  if (err && errlen)
    snprintf(err, errlen, fmt, a, b);
  return rc;
}

static int open_listener(const struct web_config *c, int *fd_out, int *port_out, char *err,
                         size_t errlen) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)c->port);
  if (inet_pton(AF_INET, c->bind, &sa.sin_addr) != 1)
    return fail(err, errlen, SK_EINVAL, "cannot listen on '%s': not an IPv4 address%s", c->bind,
                "");
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return fail(err, errlen, SK_EIO, "cannot create a socket: %s%s", strerror(errno), "");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  char where[80];
  snprintf(where, sizeof where, "%s:%d", c->bind, c->port);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    int e = errno;
    close(fd);
    if (e == EADDRINUSE)
      return fail(err, errlen, SK_EIO, "cannot listen on %s: the port is already in use%s", where,
                  "");
    return fail(err, errlen, SK_EIO, "cannot listen on %s: %s", where, strerror(e));
  }
  if (listen(fd, 511) != 0) {
    int e = errno;
    close(fd);
    return fail(err, errlen, SK_EIO, "cannot listen on %s: %s", where, strerror(e));
  }
  socklen_t len = sizeof sa;
  getsockname(fd, (struct sockaddr *)&sa, &len);
  *fd_out = fd;
  *port_out = ntohs(sa.sin_port);
  return SK_OK;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* http(s)://host[:port][/path] in URL-safe characters only: it is written
 * into calendars and links as it is. */
static int public_url_ok(const char *u) {
  size_t skip = strncmp(u, "https://", 8) == 0 ? 8 : strncmp(u, "http://", 7) == 0 ? 7 : 0;
  size_t n = strlen(u);
  if (!skip || n == skip || n > 200 || u[skip] == '/')
    return 0;
  return strspn(u + skip,
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_~:/[]") ==
         n - skip;
}

/* ---- replica: the snapshot watcher ------------------------------------------- */

#define WEB_WATCH_MS 1000

/* One look at DIR/current; on a new target: open it (the search snapshot is
 * built here, in a warm worker, not in a request), then publish it to the
 * workers. A snapshot that cannot be opened is reported once and retried. */
static void watch_once(struct web_server *s, char *failed, size_t failed_len) {
  char path[PATH_MAX];
  if (sk_publish_current(s->replica_dir, path, sizeof path) != SK_OK)
    return;
  pthread_mutex_lock(&s->snap_mu);
  int same = strcmp(path, s->snap_path) == 0;
  pthread_mutex_unlock(&s->snap_mu);
  if (same)
    return;
  char err[512] = "";
  struct web_worker *w = worker_new(s, path, 0, err, sizeof err);
  struct sk_store *pst = NULL;
  char *dup = w ? strdup(path) : NULL;
  if (!dup || sk_store_open(path, SK_STORE_READONLY, &pst, err, sizeof err) != SK_OK) {
    if (strcmp(failed, path) != 0)
      fprintf(stderr, "sociale-kaart serve: replica: cannot open the new snapshot %s: %s\n", path,
              err[0] ? err : "out of memory");
    snprintf(failed, failed_len, "%s", path);
    worker_free(w);
    free(dup);
    return;
  }
  failed[0] = '\0';
  pthread_mutex_lock(&s->snap_mu);
  struct web_worker *old = s->warm;
  s->warm = w;
  free(s->snap_path);
  s->snap_path = dup;
  w->snap_gen = atomic_fetch_add(&s->snap_gen, 1) + 1;
  pthread_mutex_unlock(&s->snap_mu);
  worker_free(old);
  /* The portal side (only the correction form's key is read on a replica). */
  pthread_mutex_lock(&s->portal_mu);
  struct sk_store *old_pst = s->pst;
  s->pst = pst;
  sk_portal_init(s->portal, pst, s->tax);
  pthread_mutex_unlock(&s->portal_mu);
  sk_store_close(old_pst);
  atomic_fetch_add(&s->n_switches, 1);
  web_server_data_changed(s);
  fprintf(stderr, "sociale-kaart serve: replica: now serving %s\n", path);
}

static void *watcher_main(void *arg) {
  struct web_server *s = arg;
  char failed[PATH_MAX] = "";
  pthread_mutex_lock(&s->snap_mu);
  while (!s->watch_stop) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += WEB_WATCH_MS * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_cond_timedwait(&s->watch_cv, &s->snap_mu, &until);
    if (s->watch_stop)
      break;
    pthread_mutex_unlock(&s->snap_mu);
    watch_once(s, failed, sizeof failed);
    pthread_mutex_lock(&s->snap_mu);
  }
  pthread_mutex_unlock(&s->snap_mu);
  return NULL;
}

static void watcher_stop(struct web_server *s) {
  if (!s->watcher_on)
    return;
  pthread_mutex_lock(&s->snap_mu);
  s->watch_stop = 1;
  pthread_cond_signal(&s->watch_cv);
  pthread_mutex_unlock(&s->snap_mu);
  pthread_join(s->watcher, NULL);
  s->watcher_on = 0;
}

static void sweeper_stop(struct web_server *s) {
  if (!s->sweeper_on)
    return;
  pthread_mutex_lock(&s->conn_mu);
  s->sweep_stop = 1;
  pthread_cond_signal(&s->sweep_cv);
  pthread_mutex_unlock(&s->conn_mu);
  pthread_join(s->sweeper, NULL);
  s->sweeper_on = 0;
}

static void server_free(struct web_server *s) {
  if (!s)
    return;
  sweeper_stop(s);
  watcher_stop(s);
  web_forgot_stop(s); /* before the mailer it kicks */
  web_mailer_stop(s);
  worker_free(s->warm);
  for (int list = 0; list < 2; list++) {
    struct web_worker *w = list ? s->spare : s->workers;
    while (w) {
      struct web_worker *next = w->next;
      worker_free(w);
      w = next;
    }
  }
  if (s->listen_fd >= 0)
    close(s->listen_fd);
  if (s->log_fd > 2)
    close(s->log_fd);
  web_stats_free(s, s->stats);
  free(s->portal);
  sk_store_close(s->pst);
  free(s->trusted_proxy);
  free(s->public_url);
  pthread_mutex_destroy(&s->portal_mu);
  sk_taxonomy_free(s->tax);
  free(s->term_uuid);
  free(s->taxonomy_body);
  free(s->db_path);
  free(s->bind);
  free(s->static_dir);
  free(s->access_log);
  free(s->snap_path);
  free(s->replica_dir);
  pthread_mutex_destroy(&s->snap_mu);
  pthread_cond_destroy(&s->watch_cv);
  pthread_mutex_destroy(&s->mu);
  pthread_mutex_destroy(&s->conn_mu);
  pthread_cond_destroy(&s->sweep_cv);
  free(s);
}

static int load_taxonomy(struct web_server *s, char *err, size_t errlen) {
  struct sk_store *st = NULL;
  char e[512] = "";
  int rc = sk_store_open(s->db_path, SK_STORE_READONLY, &st, e, sizeof e);
  if (rc != SK_OK)
    return fail(err, errlen, rc, "%s%s", e[0] ? e : "cannot open the database", "");
  rc = sk_taxonomy_from_store(st, &s->tax, e, sizeof e);
  sk_store_close(st);
  if (rc != SK_OK)
    return fail(err, errlen, rc, "database %s: %s", s->db_path, e);
  if (s->tax->n_terms == 0)
    return fail(err, errlen, SK_EINVAL,
                "database %s has no taxonomy; run 'sociale-kaart index' first%s", s->db_path, "");
  s->term_uuid = calloc(s->tax->n_terms, sizeof *s->term_uuid);
  if (!s->term_uuid)
    return SK_ENOMEM;
  for (size_t i = 0; i < s->tax->n_terms; i++) {
    char name[300];
    int n = snprintf(name, sizeof name, "taxonomy_term\n%s\n%s",
                     sk_vocab_name(s->tax->terms[i].vocab), s->tax->terms[i].code);
    sk_uuid_from_name(name, (size_t)n < sizeof name ? (size_t)n : sizeof name - 1, s->term_uuid[i]);
  }
  return SK_OK;
}

int web_server_start(const struct web_config *c, struct web_server **out, char *err,
                     size_t errlen) {
  *out = NULL;
  char snap[PATH_MAX];
  struct web_config rc_cfg;
  if (c->replica_dir && *c->replica_dir) {
    /* A replica serves the snapshot DIR/current points at (sk_publish.h). */
    int prc = sk_publish_current(c->replica_dir, snap, sizeof snap);
    if (prc == SK_ENOTFOUND)
      return fail(err, errlen, prc,
                  "replica folder %s has no snapshot yet; run 'sociale-kaart publish --dir %s' "
                  "on the primary first",
                  c->replica_dir, c->replica_dir);
    if (prc != SK_OK)
      return fail(err, errlen, prc, "replica folder %s: cannot read its current snapshot%s",
                  c->replica_dir, "");
    rc_cfg = *c;
    rc_cfg.db_path = snap;
    c = &rc_cfg;
  }
  if (!c->db_path || !*c->db_path)
    return fail(err, errlen, SK_EINVAL, "no database given (--db)%s%s", "", "");
  if (!c->static_dir || !*c->static_dir)
    return fail(err, errlen, SK_EINVAL, "no static folder given (--static)%s%s", "", "");
  if (c->port < 0 || c->port > 65535)
    return fail(err, errlen, SK_EINVAL, "port must be 0..65535%s%s", "", "");
  if (sodium_init() < 0)
    return fail(err, errlen, SK_EINVAL, "libsodium cannot start%s%s", "", "");
  struct stat sb;
  if (stat(c->db_path, &sb) != 0)
    return fail(err, errlen, SK_ENOTFOUND,
                "database %s does not exist; run 'sociale-kaart index' first%s", c->db_path, "");
  if (access(c->db_path, R_OK) != 0)
    return fail(err, errlen, SK_EIO, "database %s is not readable: %s", c->db_path,
                strerror(errno));
  if (stat(c->static_dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
    return fail(err, errlen, SK_ENOTFOUND, "static folder %s does not exist%s", c->static_dir, "");

  struct web_server *s = calloc(1, sizeof *s);
  if (!s)
    return SK_ENOMEM;
  pthread_mutex_init(&s->mu, NULL);
  pthread_mutex_init(&s->portal_mu, NULL);
  pthread_mutex_init(&s->conn_mu, NULL);
  pthread_cond_init(&s->sweep_cv, NULL);
  pthread_mutex_init(&s->snap_mu, NULL);
  pthread_cond_init(&s->watch_cv, NULL);
  s->listen_fd = -1;
  s->log_fd = -1;
  s->cfg = *c;
  s->db_path = dup_or_null(c->db_path);
  s->bind = dup_or_null(c->bind ? c->bind : "127.0.0.1");
  s->static_dir = dup_or_null(c->static_dir);
  s->access_log = dup_or_null(c->access_log);
  if (c->replica_dir && *c->replica_dir) {
    s->replica_dir = strdup(c->replica_dir);
    s->snap_path = strdup(c->db_path);
    if (!s->replica_dir || !s->snap_path) {
      server_free(s);
      return SK_ENOMEM;
    }
  }
  s->cfg.replica_dir = s->replica_dir;
  s->trusted_proxy = c->trusted_proxy && *c->trusted_proxy ? strdup(c->trusted_proxy) : NULL;
  s->cfg.trusted_proxy = s->trusted_proxy;
  if (c->public_url && *c->public_url) {
    if (!public_url_ok(c->public_url)) {
      server_free(s);
      return fail(err, errlen, SK_EINVAL,
                  "public URL '%.200s' is not http(s)://host[:port][/path]%s", c->public_url, "");
    }
    s->public_url = strdup(c->public_url);
    if (!s->public_url) {
      server_free(s);
      return SK_ENOMEM;
    }
    for (size_t n = strlen(s->public_url); n > 0 && s->public_url[n - 1] == '/'; n--)
      s->public_url[n - 1] = '\0';
  }
  s->cfg.public_url = s->public_url;
  s->cfg.auth_policy = NULL; /* applied below; not kept */
  if (!s->cfg.max_body_partner)
    s->cfg.max_body_partner = 256 * 1024;
  s->cfg.db_path = s->db_path;
  s->cfg.bind = s->bind;
  s->cfg.static_dir = s->static_dir;
  s->cfg.access_log = s->access_log;
  s->started = time(NULL);
  if (!s->db_path || !s->bind || !s->static_dir || (c->access_log && !s->access_log)) {
    server_free(s);
    return SK_ENOMEM;
  }
  if (!realpath(s->static_dir, s->static_real)) {
    int e = errno;
    server_free(s);
    return fail(err, errlen, SK_EIO, "static folder %s: %s", c->static_dir, strerror(e));
  }
  int rc = load_taxonomy(s, err, errlen);
  if (rc == SK_OK)
    rc = web_api_build_taxonomy(s);
  if (rc != SK_OK) {
    server_free(s);
    return rc;
  }
  /* Accounts and the portal write: one writer connection for the portal
   * (calls under portal_mu); auth opens one per worker thread on first use.
   * Before the threads: sk_auth_global_init is not thread-safe. */
  if (sk_auth_global_init(c->auth_policy) != SK_OK) {
    server_free(s);
    return fail(err, errlen, SK_EINVAL, "cannot start the account module (libsodium)%s%s", "", "");
  }
  {
    char e[512] = "";
    /* A replica never writes: its portal only reads the correction form's key. */
    rc = sk_store_open(s->db_path, s->replica_dir ? SK_STORE_READONLY : 0, &s->pst, e, sizeof e);
    s->portal = rc == SK_OK ? calloc(1, sizeof *s->portal) : NULL;
    if (rc != SK_OK || !s->portal) {
      server_free(s);
      return fail(err, errlen, rc ? rc : SK_ENOMEM, "database %s cannot be opened for writing: %s",
                  c->db_path, e[0] ? e : "out of memory");
    }
    sk_store_set_busy_wait(s->pst, WEB_WRITE_WAIT_MS);
    sk_portal_init(s->portal, s->pst, s->tax);
    /* NULL (no memory, or a replica: counted on the primary only): not kept */
    s->stats = s->replica_dir ? NULL : web_stats_new();
  }
  if (!s->replica_dir && s->public_url) {
    rc = web_forgot_start(s);
    if (rc != SK_OK) {
      server_free(s);
      return fail(err, errlen, rc, "cannot start the reset-link thread%s%s", "", "");
    }
  }
  if (!s->replica_dir && c->mail) {
    rc = web_mailer_start(s, c->mail);
    if (rc != SK_OK) {
      server_free(s);
      return fail(err, errlen, rc, "cannot start the mail sender (SK_SMTP_URL, SK_SMTP_FROM)%s%s",
                  "", "");
    }
  }
  if (s->access_log) {
    if (strcmp(s->access_log, "-") == 0) {
      s->log_fd = STDOUT_FILENO;
    } else {
      s->log_fd = open(s->access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
      if (s->log_fd < 0) {
        int e = errno;
        server_free(s);
        return fail(err, errlen, SK_EIO, "access log %s: %s", c->access_log, strerror(e));
      }
    }
  }
  rc = open_listener(&s->cfg, &s->listen_fd, &s->port, err, errlen);
  if (rc != SK_OK) {
    server_free(s);
    return rc;
  }
  unsigned threads = c->threads;
  if (!threads) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    threads = n > 0 ? (unsigned)n : 1;
  }
  if (threads > 256)
    threads = 256;
  s->cfg.threads = threads;
  for (unsigned i = 0; i < threads; i++) {
    struct web_worker *w = worker_new(s, s->db_path, 0, err, errlen);
    if (!w) {
      server_free(s);
      return SK_EDB;
    }
    w->next = s->spare;
    s->spare = w;
  }
  unsigned limit = c->max_connections ? c->max_connections : 1024;
  s->cfg.max_connections = limit;
  s->shared = limit - limit / 4;
  s->per_ip = c->max_per_ip && c->max_per_ip < s->shared ? c->max_per_ip : s->shared;
  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  /* MHD's per-address limit is left off: admission (on_accept) does that
   * job and knows the trusted proxy. */
  s->daemon = MHD_start_daemon(
      flags, 0, on_accept, s, on_request, s,
      /* first, so that libmicrohttpd's messages about the options go through it too */
      MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, s, MHD_OPTION_LISTEN_SOCKET, s->listen_fd,
      MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)(c->timeout_s ? c->timeout_s : 15), MHD_OPTION_CONNECTION_LIMIT, limit,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024), MHD_OPTION_URI_LOG_CALLBACK, on_uri,
      s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
      s, MHD_OPTION_END);
  if (!s->daemon) {
    server_free(s);
    return fail(err, errlen, SK_EIO, "cannot start the HTTP server (libmicrohttpd)%s%s", "", "");
  }
  if (pthread_create(&s->sweeper, NULL, sweeper_main, s) != 0) {
    MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
    server_free(s);
    return fail(err, errlen, SK_EIO, "cannot start the request-deadline thread%s%s", "", "");
  }
  s->sweeper_on = 1;
  if (s->replica_dir) {
    if (pthread_create(&s->watcher, NULL, watcher_main, s) != 0) {
      MHD_stop_daemon(s->daemon);
      s->daemon = NULL;
      server_free(s);
      return fail(err, errlen, SK_EIO, "cannot start the snapshot watcher thread%s%s", "", "");
    }
    s->watcher_on = 1;
  }
  *out = s;
  return SK_OK;
}

int web_server_port(const struct web_server *s) { return s->port; }

void web_server_data_changed(struct web_server *s) {
  if (s)
    atomic_fetch_add(&s->data_generation, 1);
}

void web_server_stop(struct web_server *s, unsigned grace_ms) {
  if (!s)
    return;
  atomic_store(&s->stopping, 1);
  if (s->daemon) {
    /* Stop accepting; the listening socket is ours to close. */
    MHD_quiesce_daemon(s->daemon);
    for (unsigned waited = 0; atomic_load(&s->inflight) > 0 && waited < grace_ms; waited += 10) {
      struct timespec ts = {0, 10 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
    sweeper_stop(s);
    watcher_stop(s);
    MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
  }
  server_free(s);
}
