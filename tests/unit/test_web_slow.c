/* Slow and greedy clients against the real server on loopback: a request
 * that trickles in one byte at a time is cut at the whole-request deadline,
 * and a handful of addresses holding as many connections as they can get
 * do not lock new visitors out. Bounded: at most 300 connections, every
 * wait has its own limit, about 25 s in all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>

#include "test_web_fixture.h"

static void start(unsigned idle_s, unsigned request_s, unsigned max_conn) {
  struct web_config c;
  web_config_default(&c);
  static char db[512];
  snprintf(db, sizeof db, "%s", th_path("web.db"));
  c.db_path = db;
  c.static_dir = th_path("static");
  c.port = 0;
  c.threads = 2;
  c.timeout_s = idle_s;
  c.request_timeout_s = request_s;
  c.max_connections = max_conn;
  char err[512] = "";
  if (web_server_start(&c, &g_srv, err, sizeof err) != SK_OK)
    fail_msg("server: %s", err);
  g_port = web_server_port(g_srv);
}

static void stop(void) {
  web_server_stop(g_srv, 1000);
  g_srv = NULL;
}

static long ms_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (long)(t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A connection to the server from source address 127.0.0.<host>. */
static int connect_from(int host) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  struct sockaddr_in src = {.sin_family = AF_INET};
  char a[32];
  snprintf(a, sizeof a, "127.0.0.%d", host);
  inet_pton(AF_INET, a, &src.sin_addr);
  assert_int_equal(bind(fd, (struct sockaddr *)&src, sizeof src), 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g_port)};
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
  return fd;
}

/* 1 when the peer has closed fd (EOF or reset) within wait_ms. */
static int closed_within(int fd, int wait_ms) {
  struct pollfd p = {fd, POLLIN, 0};
  if (poll(&p, 1, wait_ms) <= 0)
    return 0;
  char b[512];
  ssize_t r = recv(fd, b, sizeof b, MSG_DONTWAIT);
  return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* One header byte every 400 ms: the idle timeout (2 s) never fires, the
 * request deadline (3 s) must. We give up dripping after 10 s. */
static void test_trickling_headers_are_cut_at_the_deadline(void **state) {
  (void)state;
  start(2, 3, 64);
  int fd = connect_from(1);
  const char *head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  assert_true(send(fd, head, strlen(head), MSG_NOSIGNAL) > 0);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int cut = 0;
  while (!cut && ms_since(&t0) < 10000) {
    if (send(fd, "a", 1, MSG_NOSIGNAL) != 1) {
      cut = 1;
      break;
    }
    cut = closed_within(fd, 400);
  }
  close(fd);
  assert_true(cut);

  /* An ordinary request on a fresh connection is still answered. */
  struct resp r = fx_get("/healthz");
  assert_int_equal(r.status, 200);
  resp_free(&r);
  stop();
}

/* The same for a body: headers fast, the body one byte at a time. */
static void test_trickling_body_is_cut_at_the_deadline(void **state) {
  (void)state;
  start(2, 3, 64);
  int fd = connect_from(1);
  const char *head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: application/json\r\nContent-Length: 900\r\n\r\n{";
  assert_true(send(fd, head, strlen(head), MSG_NOSIGNAL) > 0);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int cut = 0;
  while (!cut && ms_since(&t0) < 10000) {
    if (send(fd, " ", 1, MSG_NOSIGNAL) != 1) {
      cut = 1;
      break;
    }
    cut = closed_within(fd, 400);
  }
  close(fd);
  assert_true(cut);
  stop();
}

/* Five addresses open 56 connections each (280, more than the limit of
 * 240) and send half a request on each. A new visitor from a sixth
 * address is still answered, and no single address holds more than the
 * shared part of the limit. */
static void test_a_handful_of_addresses_cannot_fill_the_server(void **state) {
  (void)state;
  start(15, 30, 240);
  enum { HOSTS = 5, PER_HOST = 56 };
  static int fds[HOSTS * PER_HOST];
  const char *half = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a";
  for (int h = 0; h < HOSTS; h++)
    for (int i = 0; i < PER_HOST; i++) {
      int fd = connect_from(10 + h);
      (void)send(fd, half, strlen(half), MSG_NOSIGNAL); /* may be refused: that is the point */
      fds[h * PER_HOST + i] = fd;
    }
  /* Give the server a moment to take (or refuse) what is queued, bounded by
   * the visitor's own wait below. */
  int visitor = connect_from(99);
  const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  assert_true(send(visitor, req, strlen(req), MSG_NOSIGNAL) > 0);
  size_t n;
  char *got = fx_read_all(visitor, &n, 8000);
  close(visitor);
  int status = 0;
  if (sscanf(got, "HTTP/1.%*d %d", &status) != 1)
    status = -1;
  free(got);
  assert_int_equal(status, 200);

  /* The greedy addresses: those the server kept are still open; it may not
   * have kept them all. */
  int kept = 0;
  for (int i = 0; i < HOSTS * PER_HOST; i++) {
    if (!closed_within(fds[i], 0))
      kept++;
    close(fds[i]);
  }
  /* At most the shared part (240 less the quarter kept for newcomers) plus
   * a newcomer's 6 for each address that arrived after it filled. */
  if (kept > 180 + HOSTS * 6)
    fail_msg("%d greedy connections kept", kept);
  stop();
}

static int setup(void **state) {
  (void)state;
  fx_make_store("web.db");
  fx_make_static();
  return 0;
}

static int teardown(void **state) {
  (void)state;
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_trickling_headers_are_cut_at_the_deadline),
      cmocka_unit_test(test_trickling_body_is_cut_at_the_deadline),
      cmocka_unit_test(test_a_handful_of_addresses_cannot_fill_the_server),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
