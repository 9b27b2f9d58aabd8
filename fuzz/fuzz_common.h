#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H
/* Shared by the libFuzzer targets in fuzz/: the project's taxonomy, loaded
 * once per process from the source tree (SK_SOURCE_DIR, set by CMake). */
#include <stdio.h>
#include <stdlib.h>

#include "sk_taxonomy.h"

static const struct sk_taxonomy *fuzz_taxonomy(void) {
  static struct sk_taxonomy *tax;
  if (!tax) {
    char err[512] = "";
    if (sk_taxonomy_load(SK_SOURCE_DIR "/feeds/taxonomy.json", &tax, err, sizeof err) != 0) {
      fprintf(stderr, "fuzz: taxonomy: %s\n", err);
      abort();
    }
  }
  return tax;
}

#endif
