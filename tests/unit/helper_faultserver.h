#ifndef SK_HELPER_FAULTSERVER_H
#define SK_HELPER_FAULTSERVER_H
/*
 * A tiny HTTP/1.1 server on loopback for fault tests: it serves a fixed
 * table of routes, each of which can misbehave on purpose (error status,
 * hang, trickle, truncated body, redirect, endless body, 304 on a matching
 * validator).
 *
 * It binds 127.0.0.1 on a free port (port 0, read back), runs in its own
 * thread, handles each connection in a thread of its own (so one slow
 * route never holds up the others), answers one request per connection
 * (Connection: close), accepts at most max_conns connections and then
 * refuses more, and th_fault_stop wakes every waiting connection and joins
 * all threads. Unknown paths get a 404.
 *
 *   static const struct th_fault_route routes[] = {
 *     {.path = "/ok", .body = "{}"},
 *     {.path = "/slow", .body = "{}", .byte_delay_ms = 1000},
 *   };
 *   struct th_fault_server *s = th_fault_start(routes, 2, 16);
 *   fetch(th_fault_url(s, "/ok"));
 *   th_fault_stop(s);
 */
#include <stddef.h>

struct th_fault_route {
  const char *path;          /* exact request path, query string ignored; a path with '?'
                                matches the request's path and query exactly */
  int status;                /* 0: 200 */
  const char *body;          /* NULL: empty */
  size_t body_len;           /* 0: strlen(body) */
  size_t repeat;             /* send body this many times in a row (0: once) */
  const char *content_type;  /* NULL: "application/json; charset=utf-8" */
  const char *etag;          /* sent as ETag; an equal If-None-Match gets a 304 */
  const char *last_modified; /* sent as Last-Modified; an equal If-Modified-Since gets a 304 */
  const char *location;      /* sent as Location (use with a 3xx status) */
  int no_length;             /* 1: no Content-Length; closing the connection ends the body */
  int chunked;               /* 1: Transfer-Encoding: chunked (no Content-Length) */
  int truncate;              /* 1: announce the full length (chunked: stop before the last
                                chunk), send half of the body, close */
  long delay_ms;             /* wait this long before answering (a hang) */
  long byte_delay_ms;        /* wait this long before each body byte (a trickle) */
};

struct th_fault_server;

/* Serve n routes (the array and the strings it points to must stay valid
 * until th_fault_stop). max_conns is capped at 256. Never returns NULL:
 * a failure to start fails the test. */
struct th_fault_server *th_fault_start(const struct th_fault_route *routes, size_t n,
                                       int max_conns);
/* The port the server listens on. */
int th_fault_port(const struct th_fault_server *s);
/* "http://127.0.0.1:<port><path>" in a static ring of 8 buffers (not
 * thread-safe: build URLs in the test's own thread and copy them). */
const char *th_fault_url(const struct th_fault_server *s, const char *path);
/* Requests received so far for path (every path when NULL). */
int th_fault_hits(struct th_fault_server *s, const char *path);
/* The value of header name (case-insensitive) in the last request for
 * path, copied into buf. 1 when found, 0 otherwise (buf = ""). */
int th_fault_last_header(struct th_fault_server *s, const char *path, const char *name, char *buf,
                         size_t n);
/* Stop serving, wake and join every thread, free everything. Accepts NULL. */
void th_fault_stop(struct th_fault_server *s);

#endif
