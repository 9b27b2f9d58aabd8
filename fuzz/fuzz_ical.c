/* libFuzzer: the iCal reader (libical parse, our recurrence expansion with
 * its caps, zones, overrides, taxonomy mapping). The window is fixed, so a
 * run is reproducible whatever the day.
 *
 * The taxonomy mapping of CATEGORIES and LOCATION is taken for inputs whose
 * first byte is odd: building its matcher (folding every term) is a third
 * of a parse, and the other half of the inputs go deeper per second. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <libical/ical.h>

#include "fuzz_common.h"
#include "ix_ical.h"
#include "ix_record.h"

static void cleanup(void) { ix_ical_global_cleanup(); }

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  icalerror_set_errors_are_fatal(0);
  atexit(cleanup);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct ix_ical_opts o;
  ix_ical_opts_default(&o, 1767225600); /* 2026-01-01T00:00:00Z */
  o.tax = size && (data[0] & 1) ? fuzz_taxonomy() : NULL;
  struct ix_batch b;
  ix_batch_init(&b, 64u << 20);
  char err[512];
  (void)(ix_ical_parse((const char *)data, size, &o, &b, err, sizeof err) ==
         0); /* refusing is fine */
  ix_batch_free(&b);
  return 0;
}
