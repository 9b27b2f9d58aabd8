#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_feed.h"
#include "helper_test.h"
#include "ix_registry.h"
#include "sk_err.h"

struct ix_feed_report th_run_feed(struct sk_store *st, const char *id, const char *kind,
                                  const char *path, const char *defaults, int64_t now) {
  char location[PATH_MAX + 16];
  snprintf(location, sizeof location, "file://%s", path);
  return th_run_feed_at(st, id, kind, location, defaults, now);
}

struct ix_feed_report th_run_feed_at(struct sk_store *st, const char *id, const char *kind,
                                     const char *location, const char *defaults, int64_t now) {
  char reg[PATH_MAX + 512], name[128];
  snprintf(reg, sizeof reg,
           "{\"feeds\": [{\"id\": \"%s\", \"partner\": \"P\", \"kind\": \"%s\", \"location\": "
           "\"%s\"%s%s}]}",
           id, kind, location, defaults ? ", \"defaults\": " : "", defaults ? defaults : "");
  snprintf(name, sizeof name, "run-feed-%s.json", id);
  th_write_file(th_path(name), reg, strlen(reg));
  struct ix_registry *r = NULL;
  char err[512];
  if (ix_registry_load(th_path(name), th_taxonomy(), &r, err, sizeof err))
    fail_msg("registry: %s", err);
  struct ix_run_opts o;
  ix_run_opts_default(&o);
  o.force = 1;
  o.now = now;
  struct ix_feed_report *reps = NULL;
  size_t n = 0;
  assert_int_equal(ix_run(st, th_taxonomy(), r, &o, &reps, &n), SK_OK);
  assert_int_equal(n, 1);
  struct ix_feed_report rep = reps[0];
  free(reps);
  ix_registry_free(r);
  return rep;
}
