/* sociale-kaart serve as a program: start-up failures are one clear line
 * and a non-zero exit; SIGTERM stops it cleanly with exit 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>

#include "test_web_fixture.h"

static const char *binary(void) {
  static char path[1024];
  const char *b = getenv("SK_BINARY_DIR");
  snprintf(path, sizeof path, "%s/sociale-kaart", b && *b ? b : ".");
  return path;
}

/* Run serve with args (a shell fragment); return exit code, stderr in err. */
static int run_serve(const char *args, char *err, size_t errlen) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "SK_REINDEX_EVERY=0 timeout 10 '%s' serve %s 2>'%s' >/dev/null",
           binary(), args, th_path("stderr.txt"));
  int rc = system(cmd);
  FILE *f = fopen(th_path("stderr.txt"), "r");
  err[0] = '\0';
  if (f) {
    size_t n = fread(err, 1, errlen - 1, f);
    err[n] = '\0';
    fclose(f);
  }
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int lines(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

static void test_startup_failures_are_one_clear_line(void **state) {
  (void)state;
  char err[2048], args[1024];
  fx_make_store("cli.db");
  mkdir(th_path("site"), 0755);

  snprintf(args, sizeof args, "--db '%s' --static '%s' --port 0", th_path("missing.db"),
           th_path("site"));
  assert_int_equal(run_serve(args, err, sizeof err), 1);
  assert_int_equal(lines(err), 1);
  assert_non_null(strstr(err, "does not exist"));

  th_write_file(th_path("junk.db"), "this is not sqlite at all, not even close......", 48);
  snprintf(args, sizeof args, "--db '%s' --static '%s' --port 0", th_path("junk.db"),
           th_path("site"));
  assert_int_equal(run_serve(args, err, sizeof err), 1);
  assert_int_equal(lines(err), 1);

  snprintf(args, sizeof args, "--db '%s' --static '%s' --port 0", th_path("cli.db"),
           th_path("no-site"));
  assert_int_equal(run_serve(args, err, sizeof err), 1);
  assert_int_equal(lines(err), 1);
  assert_non_null(strstr(err, "static folder"));

  /* Port taken: by our own in-process server. */
  struct web_config c;
  web_config_default(&c);
  c.db_path = th_path("cli.db");
  static char site[512];
  snprintf(site, sizeof site, "%s", th_path("site"));
  c.static_dir = site;
  c.port = 0;
  struct web_server *srv;
  assert_int_equal(web_server_start(&c, &srv, err, sizeof err), SK_OK);
  snprintf(args, sizeof args, "--db '%s' --static '%s' --port %d", th_path("cli.db"),
           th_path("site"), web_server_port(srv));
  assert_int_equal(run_serve(args, err, sizeof err), 1);
  assert_int_equal(lines(err), 1);
  assert_non_null(strstr(err, "already in use"));
  web_server_stop(srv, 1000);

  assert_int_equal(run_serve("--port banana", err, sizeof err), 2);
  assert_int_equal(run_serve("--bogus", err, sizeof err), 2);
  /* --help documents every option and its environment variable. */
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "'%s' serve --help > '%s'", binary(), th_path("help.txt"));
  assert_int_equal(system(cmd), 0);
  FILE *f = fopen(th_path("help.txt"), "r");
  size_t n = fread(err, 1, sizeof err - 1, f);
  err[n] = '\0';
  fclose(f);
  const char *want[] = {"--db",      "SK_DB",      "--port",          "SK_PORT",
                        "--bind",    "SK_BIND",    "--static",        "SK_STATIC",
                        "--threads", "SK_THREADS", "--reindex-every", "SK_REINDEX_EVERY",
                        "--feeds",   "SK_FEEDS",   "--access-log",    "SK_ACCESS_LOG"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    if (!strstr(err, want[i]))
      fail_msg("--help does not mention %s", want[i]);
}

static void test_sigterm_stops_cleanly(void **state) {
  (void)state;
  fx_make_store("sig.db");
  mkdir(th_path("site2"), 0755);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    freopen(th_path("sig.err"), "w", stderr);
    setenv("SK_REINDEX_EVERY", "0", 1);
    execl(binary(), "sociale-kaart", "serve", "--db", th_path("sig.db"), "--static",
          th_path("site2"), "--port", "0", "--access-log", "", (char *)NULL);
    _exit(127);
  }
  /* Wait for the "listening" line, then stop it. */
  int port = 0;
  for (int i = 0; i < 100 && !port; i++) {
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    FILE *f = fopen(th_path("sig.err"), "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
      const char *p = strstr(line, "http://127.0.0.1:");
      if (p)
        port = atoi(p + strlen("http://127.0.0.1:"));
    }
    if (f)
      fclose(f);
  }
  assert_true(port > 0);
  g_port = port;
  struct resp r = fx_get("/healthz");
  assert_int_equal(r.status, 200);
  resp_free(&r);
  kill(pid, SIGTERM);
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_startup_failures_are_one_clear_line),
      cmocka_unit_test(test_sigterm_stops_cleanly),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
