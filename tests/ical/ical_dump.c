/* ical_dump: our expansion of .ics files, one line per occurrence, for the
 * reference check (tests/ical/reference.mjs compares it with ical.js).
 *
 *   ical_dump WINDOW_START WINDOW_END FILE...
 *
 * Per file: "F\t<path>\t<rc>\t<services>" then per occurrence
 * "O\t<uid>\t<start_utc>\t<end_utc|->\t<all_day>\t<starts_at>\t<ends_at>\t<cancelled>"
 * and per warning "W\t<text>". Window in unix seconds, up to 10 000
 * occurrences per series (the cap the options allow). Exit 0, or 2 on bad
 * arguments or an unreadable file. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ix_ical.h"
#include "ix_record.h"
#include "sk_err.h"

#define DUMP_MAX_FILE (8u << 20)

static int read_file(const char *path, char **data, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  char *buf = malloc(DUMP_MAX_FILE);
  if (!buf) {
    fclose(f);
    return -1;
  }
  size_t n = fread(buf, 1, DUMP_MAX_FILE, f);
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    return -1;
  }
  *data = buf;
  *len = n;
  return 0;
}

/* Tabs and newlines would break the line format; the cleaner already drops
 * control characters, this is a second fence. */
static void put_field(const char *s) {
  for (; s && *s; s++)
    putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static int dump_one(const char *path, int64_t ws, int64_t we) {
  char *data = NULL;
  size_t len = 0;
  if (read_file(path, &data, &len) != 0) {
    fprintf(stderr, "ical_dump: cannot read %s: %s\n", path, strerror(errno));
    return -1;
  }
  struct ix_ical_opts o;
  ix_ical_opts_default(&o, 0);
  o.window_start = ws;
  o.window_end = we;
  o.max_occurrences = 10000;
  struct ix_batch b;
  ix_batch_init(&b, 256u << 20);
  char err[256] = "";
  int rc = ix_ical_parse(data, len, &o, &b, err, sizeof err);
  free(data);
  printf("F\t%s\t%d\t%zu\n", path, rc, rc == SK_OK ? b.services.n : 0);
  if (rc == SK_OK) {
    for (size_t i = 0; i < b.services.n; i++) {
      const struct ix_service *s = &b.services.v[i];
      for (size_t k = 0; k < s->occurrences.n; k++) {
        const struct ix_occurrence *oc = &s->occurrences.v[k];
        fputs("O\t", stdout);
        put_field(s->uid ? s->uid : "");
        printf("\t%" PRId64 "\t", oc->start_utc);
        if (oc->end_utc == IX_UNSET)
          putchar('-');
        else
          printf("%" PRId64, oc->end_utc);
        printf("\t%d\t%s\t%s\t%d\n", oc->all_day, oc->starts_at, oc->ends_at, oc->cancelled);
      }
    }
    for (size_t i = 0; i < b.warnings.n; i++) {
      fputs("W\t", stdout);
      put_field(b.warnings.v[i]);
      putchar('\n');
    }
  }
  ix_batch_free(&b);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: ical_dump WINDOW_START WINDOW_END FILE...\n");
    return 2;
  }
  char *end = NULL;
  int64_t ws = strtoll(argv[1], &end, 10);
  if (!end || *end)
    return 2;
  int64_t we = strtoll(argv[2], &end, 10);
  if (!end || *end)
    return 2;
  int status = 0;
  for (int i = 3; i < argc; i++)
    if (dump_one(argv[i], ws, we) != 0)
      status = 2;
  ix_ical_global_cleanup();
  return status;
}
