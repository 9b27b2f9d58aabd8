/* libFuzzer: the HSDS 3.0 reader (single documents and paged envelopes)
 * and the validator behind it. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "ix_hsds.h"
#include "ix_record.h"
#include "ix_validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const struct sk_taxonomy *tax = fuzz_taxonomy();
  struct ix_batch b;
  ix_batch_init(&b, 64u << 20);
  char err[512];
  int pages = 0;
  if (ix_hsds_parse((const char *)data, size, tax, &b, &pages, err, sizeof err) == 0)
    (void)(ix_validate_batch(&b, tax) == 0); /* a failure (no memory) is not a finding */
  ix_batch_free(&b);
  return 0;
}
