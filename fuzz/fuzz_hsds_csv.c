/* libFuzzer: the HSDS tabular package as a zip (ix_hsds_csv: the bounded
 * zip reader, the CSV tables, the join into HSDS JSON) and the validator
 * behind it. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "ix_hsds_csv.h"
#include "ix_record.h"
#include "ix_validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const struct sk_taxonomy *tax = fuzz_taxonomy();
  struct ix_batch b;
  ix_batch_init(&b, 64u << 20);
  char err[512];
  if (ix_hsds_csv_parse_zip((const char *)data, size, tax, 1793491200, &b, err, sizeof err) == 0)
    (void)(ix_validate_batch(&b, tax) == 0); /* a failure (no memory) is not a finding */
  ix_batch_free(&b);
  return 0;
}
