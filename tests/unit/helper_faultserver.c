#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "helper_faultserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FS_MAX_CONNS 256
#define FS_HEAD_MAX 8192
/* How long one socket step may wait for the client before the connection
 * is dropped: every thread is bounded even if a test forgets to stop. */
#define FS_IO_TIMEOUT_MS 5000

struct route_state {
  int hits;
  char last_head[FS_HEAD_MAX];
};

struct th_fault_server {
  const struct th_fault_route *routes;
  size_t nroutes;
  struct route_state *state; /* nroutes + 1; the last one counts unknown paths */
  int listen_fd;
  int port;
  int stop_r, stop_w; /* self-pipe: readable once stopping, wakes every poll */
  int max_conns;
  pthread_t acceptor;
  pthread_t conns[FS_MAX_CONNS]; /* written by the acceptor only; read after joining it */
  int nconns;
  pthread_mutex_t mu; /* guards state */
};

struct conn {
  struct th_fault_server *s;
  int fd;
};

/* 1: fd is ready, 0: ms passed, -1: the server is stopping (or poll failed).
 * fd < 0 just sleeps; ms < 0 waits without limit. */
static int wait_ready(struct th_fault_server *s, int fd, short events, long ms) {
  struct pollfd p[2] = {{.fd = s->stop_r, .events = POLLIN}, {.fd = fd, .events = events}};
  for (;;) {
    int r = poll(p, fd >= 0 ? 2 : 1, ms < 0 ? -1 : (int)ms);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0 || p[0].revents)
      return -1;
    return r > 0;
  }
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_all(struct th_fault_server *s, int fd, const char *p, size_t n) {
  while (n) {
    if (wait_ready(s, fd, POLLOUT, FS_IO_TIMEOUT_MS) != 1)
      return -1;
    ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return -1;
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

/* Read up to the blank line that ends the request head. Length or -1. */
static int read_head(struct th_fault_server *s, int fd, char *buf, size_t cap) {
  size_t len = 0;
  buf[0] = '\0';
  while (len + 1 < cap) {
    if (wait_ready(s, fd, POLLIN, FS_IO_TIMEOUT_MS) != 1)
      return -1;
    ssize_t k = recv(fd, buf + len, cap - 1 - len, 0);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return -1;
    len += (size_t)k;
    buf[len] = '\0';
    if (strstr(buf, "\r\n\r\n"))
      return (int)len;
  }
  return -1;
}

/* Wait ms before answering, ending early when the client gives up. 0 to
 * go on, -1 to drop the connection. */
static int hang(struct th_fault_server *s, int fd, long ms) {
  long deadline = now_ms() + ms;
  for (;;) {
    long left = deadline - now_ms();
    if (left <= 0)
      return 0;
    int r = wait_ready(s, fd, POLLIN, left);
    if (r < 0)
      return -1;
    if (r == 0)
      return 0;
    char junk[256];
    ssize_t k = recv(fd, junk, sizeof junk, MSG_DONTWAIT);
    if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR))
      return -1;
  }
}

static int find_header(const char *head, const char *name, char *out, size_t n) {
  size_t k = strlen(name);
  out[0] = '\0';
  const char *line = strstr(head, "\r\n");
  while (line && line[2] != '\r' && line[2] != '\0') {
    line += 2;
    const char *end = strstr(line, "\r\n");
    if (!end)
      break;
    if ((size_t)(end - line) > k && line[k] == ':' && strncasecmp(line, name, k) == 0) {
      const char *v = line + k + 1;
      while (v < end && (*v == ' ' || *v == '\t'))
        v++;
      snprintf(out, n, "%.*s", (int)(end - v), v);
      return 1;
    }
    line = end;
  }
  return 0;
}

/* The request path without its query string, into buf. */
static void request_path(const char *head, char *buf, size_t n) {
  buf[0] = '\0';
  const char *p = strchr(head, ' ');
  if (!p)
    return;
  p++;
  size_t len = strcspn(p, " ?\r\n");
  snprintf(buf, n, "%.*s", (int)len, p);
}

/* The request target with its query string, into buf. */
static void request_target(const char *head, char *buf, size_t n) {
  buf[0] = '\0';
  const char *p = strchr(head, ' ');
  if (!p)
    return;
  p++;
  size_t len = strcspn(p, " \r\n");
  snprintf(buf, n, "%.*s", (int)len, p);
}

static const char *reason(int status) {
  switch (status) {
  case 200: return "OK";
  case 204: return "No Content";
  case 301: return "Moved Permanently";
  case 302: return "Found";
  case 304: return "Not Modified";
  case 307: return "Temporary Redirect";
  case 308: return "Permanent Redirect";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 500: return "Internal Server Error";
  case 503: return "Service Unavailable";
  default: return "Status";
  }
}

static void head_add(char *head, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void head_add(char *head, size_t cap, const char *fmt, ...) {
  size_t used = strlen(head);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(head + used, cap - used, fmt, ap);
  va_end(ap);
}

static void respond(struct th_fault_server *s, int fd, const struct th_fault_route *r,
                    const char *req) {
  char head[2048] = "";
  if (!r) {
    head_add(head, sizeof head,
             "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    send_all(s, fd, head, strlen(head));
    return;
  }
  if (r->delay_ms > 0 && hang(s, fd, r->delay_ms) != 0)
    return;
  char v[512];
  int unchanged = (r->etag && find_header(req, "If-None-Match", v, sizeof v) &&
                   strcmp(v, r->etag) == 0) ||
                  (r->last_modified && find_header(req, "If-Modified-Since", v, sizeof v) &&
                   strcmp(v, r->last_modified) == 0);
  if (unchanged) {
    head_add(head, sizeof head, "HTTP/1.1 304 Not Modified\r\n");
    if (r->etag)
      head_add(head, sizeof head, "ETag: %s\r\n", r->etag);
    head_add(head, sizeof head, "Connection: close\r\n\r\n");
    send_all(s, fd, head, strlen(head));
    return;
  }
  int status = r->status ? r->status : 200;
  size_t blen = r->body ? (r->body_len ? r->body_len : strlen(r->body)) : 0;
  size_t reps = r->repeat ? r->repeat : 1;
  size_t total = blen && reps > SIZE_MAX / blen ? SIZE_MAX : blen * reps;
  head_add(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n", status, reason(status),
           r->content_type ? r->content_type : "application/json; charset=utf-8");
  if (r->chunked)
    head_add(head, sizeof head, "Transfer-Encoding: chunked\r\n");
  else if (!r->no_length)
    head_add(head, sizeof head, "Content-Length: %zu\r\n", total);
  if (r->etag)
    head_add(head, sizeof head, "ETag: %s\r\n", r->etag);
  if (r->last_modified)
    head_add(head, sizeof head, "Last-Modified: %s\r\n", r->last_modified);
  if (r->location)
    head_add(head, sizeof head, "Location: %s\r\n", r->location);
  head_add(head, sizeof head, "Connection: close\r\n\r\n");
  if (send_all(s, fd, head, strlen(head)))
    return;
  size_t send_n = r->truncate ? total / 2 : total;
  for (size_t off = 0; off < send_n && blen;) {
    size_t at = off % blen;
    size_t chunk = blen - at < send_n - off ? blen - at : send_n - off;
    if (r->byte_delay_ms > 0) {
      chunk = 1;
      if (wait_ready(s, -1, 0, r->byte_delay_ms) < 0)
        return;
    }
    if (r->chunked) {
      char size_line[32];
      snprintf(size_line, sizeof size_line, "%zx\r\n", chunk);
      if (send_all(s, fd, size_line, strlen(size_line)))
        return;
    }
    if (send_all(s, fd, r->body + at, chunk) || (r->chunked && send_all(s, fd, "\r\n", 2)))
      return;
    off += chunk;
  }
  if (r->chunked && !r->truncate)
    send_all(s, fd, "0\r\n\r\n", 5);
}

static void *serve_conn(void *arg) {
  struct conn *c = arg;
  struct th_fault_server *s = c->s;
  int fd = c->fd;
  free(c);
  char *req = malloc(FS_HEAD_MAX);
  if (req && read_head(s, fd, req, FS_HEAD_MAX) > 0) {
    char path[1024], target[1024];
    request_path(req, path, sizeof path);
    request_target(req, target, sizeof target);
    const struct th_fault_route *r = NULL;
    size_t idx = s->nroutes;
    for (size_t i = 0; i < s->nroutes; i++)
      if (strcmp(s->routes[i].path, strchr(s->routes[i].path, '?') ? target : path) == 0) {
        r = &s->routes[i];
        idx = i;
        break;
      }
    pthread_mutex_lock(&s->mu);
    s->state[idx].hits++;
    snprintf(s->state[idx].last_head, sizeof s->state[idx].last_head, "%s", req);
    pthread_mutex_unlock(&s->mu);
    respond(s, fd, r, req);
  }
  free(req);
  /* Half-close, then wait for the client to hang up, so it reads a clean
   * end of stream rather than a reset. */
  shutdown(fd, SHUT_WR);
  char junk[512];
  while (wait_ready(s, fd, POLLIN, 2000) == 1) {
    ssize_t k = recv(fd, junk, sizeof junk, 0);
    if (k <= 0 && !(k < 0 && errno == EINTR))
      break;
  }
  close(fd);
  return NULL;
}

static void *accept_loop(void *arg) {
  struct th_fault_server *s = arg;
  while (s->nconns < s->max_conns) {
    if (wait_ready(s, s->listen_fd, POLLIN, -1) != 1)
      break;
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED)
        continue;
      break;
    }
    struct conn *c = malloc(sizeof *c);
    if (!c) {
      close(fd);
      continue;
    }
    c->s = s;
    c->fd = fd;
    if (pthread_create(&s->conns[s->nconns], NULL, serve_conn, c) != 0) {
      close(fd);
      free(c);
      continue;
    }
    s->nconns++;
  }
  /* Past the budget: later clients are refused instead of left waiting. */
  close(s->listen_fd);
  s->listen_fd = -1;
  return NULL;
}

struct th_fault_server *th_fault_start(const struct th_fault_route *routes, size_t n,
                                       int max_conns) {
  struct th_fault_server *s = calloc(1, sizeof *s);
  if (!s)
    fail_msg("fault server: out of memory");
  s->routes = routes;
  s->nroutes = n;
  s->max_conns = max_conns < 1 ? 1 : max_conns > FS_MAX_CONNS ? FS_MAX_CONNS : max_conns;
  s->state = calloc(n + 1, sizeof *s->state);
  if (!s->state)
    fail_msg("fault server: out of memory");
  pthread_mutex_init(&s->mu, NULL);
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0)
    fail_msg("fault server: pipe: %s", strerror(errno));
  s->stop_r = p[0];
  s->stop_w = p[1];
  s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s->listen_fd < 0)
    fail_msg("fault server: socket: %s", strerror(errno));
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0; /* the kernel picks a free port */
  if (bind(s->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->listen_fd, 64) != 0)
    fail_msg("fault server: bind/listen: %s", strerror(errno));
  socklen_t alen = sizeof a;
  if (getsockname(s->listen_fd, (struct sockaddr *)&a, &alen) != 0)
    fail_msg("fault server: getsockname: %s", strerror(errno));
  s->port = ntohs(a.sin_port);
  if (pthread_create(&s->acceptor, NULL, accept_loop, s) != 0)
    fail_msg("fault server: thread");
  return s;
}

int th_fault_port(const struct th_fault_server *s) { return s->port; }

const char *th_fault_url(const struct th_fault_server *s, const char *path) {
  static char ring[8][1100];
  static int next;
  char *p = ring[next++ % 8];
  snprintf(p, sizeof ring[0], "http://127.0.0.1:%d%s", s->port, path);
  return p;
}

static size_t route_index(const struct th_fault_server *s, const char *path) {
  for (size_t i = 0; i < s->nroutes; i++)
    if (strcmp(s->routes[i].path, path) == 0)
      return i;
  return s->nroutes;
}

int th_fault_hits(struct th_fault_server *s, const char *path) {
  int hits = 0;
  pthread_mutex_lock(&s->mu);
  if (path) {
    hits = s->state[route_index(s, path)].hits;
  } else {
    for (size_t i = 0; i <= s->nroutes; i++)
      hits += s->state[i].hits;
  }
  pthread_mutex_unlock(&s->mu);
  return hits;
}

int th_fault_last_header(struct th_fault_server *s, const char *path, const char *name, char *buf,
                         size_t n) {
  pthread_mutex_lock(&s->mu);
  int found = find_header(s->state[route_index(s, path)].last_head, name, buf, n);
  pthread_mutex_unlock(&s->mu);
  return found;
}

void th_fault_stop(struct th_fault_server *s) {
  if (!s)
    return;
  if (write(s->stop_w, "x", 1) != 1)
    fprintf(stderr, "fault server: could not signal stop\n");
  pthread_join(s->acceptor, NULL);
  for (int i = 0; i < s->nconns; i++)
    pthread_join(s->conns[i], NULL);
  close(s->stop_r);
  close(s->stop_w);
  pthread_mutex_destroy(&s->mu);
  free(s->state);
  free(s);
}
