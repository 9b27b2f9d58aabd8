/* libFuzzer: the partner-json reader (ix_json + ix_partner_json) and the
 * validator behind it, on any bytes. Every input must come back as a
 * batch or a Dutch reason: no crash, no leak, no undefined behaviour. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "ix_partner_json.h"
#include "ix_record.h"
#include "ix_validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const struct sk_taxonomy *tax = fuzz_taxonomy();
  struct ix_batch b;
  ix_batch_init(&b, 64u << 20);
  char err[512];
  if (ix_partner_json_parse((const char *)data, size, &b, err, sizeof err) == 0)
    (void)(ix_validate_batch(&b, tax) == 0); /* a failure (no memory) is not a finding */
  ix_batch_free(&b);
  return 0;
}
