/* libFuzzer: query analysis and search (sk_search_query_set, sk_search and
 * the JSON it renders) over one fixed snapshot: the demo feeds indexed once
 * per process into a temporary store, so each input costs one query, not a
 * rebuild.
 *
 * Per input: one query (five items a page unless the input sets per_page),
 * about 1 ms of ASan-instrumented work; docs/contributing.md has the rate.
 *
 * Input: "name=value" lines. A line without '=' is the text q. At most 16
 * lines; names are the API's parameters (q, need, municipality, page, ...),
 * unknown ones are skipped as the HTTP layer would refuse them. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "ix_fetch.h"
#include "ix_registry.h"
#include "ix_run.h"
#include "sk_search.h"
#include "sk_store.h"

static struct sk_store *g_st;
static struct sk_searcher *g_s;
static char g_dir[] = "/tmp/sk-fuzz-search-XXXXXX";
static char g_db[256];

static void cleanup(void) {
  sk_searcher_free(g_s);
  sk_store_close(g_st);
  char p[300];
  const char *ext[] = {"", "-wal", "-shm"};
  for (int i = 0; i < 3; i++) {
    snprintf(p, sizeof p, "%s%s", g_db, ext[i]);
    unlink(p);
  }
  rmdir(g_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  const struct sk_taxonomy *tax = fuzz_taxonomy();
  char err[512] = "";
  if (!mkdtemp(g_dir))
    abort();
  snprintf(g_db, sizeof g_db, "%s/fuzz.db", g_dir);
  struct ix_registry *reg = NULL;
  struct ix_feed_report *reps = NULL;
  size_t n = 0;
  if (sk_store_open(g_db, SK_STORE_CREATE, &g_st, err, sizeof err) || sk_store_begin(g_st) ||
      sk_taxonomy_save(tax, g_st) || sk_store_commit(g_st) || ix_fetch_global_init() ||
      ix_registry_load(SK_SOURCE_DIR "/feeds/feeds.json", tax, &reg, err, sizeof err) ||
      ix_run(g_st, tax, reg, NULL, &reps, &n)) {
    fprintf(stderr, "fuzz_search: cannot build the snapshot: %s\n", err);
    abort();
  }
  free(reps);
  ix_registry_free(reg);
  g_s = sk_searcher_new(g_st, tax);
  if (!g_s)
    abort();
  atexit(cleanup);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096)
    return 0;
  char *text = malloc(size + 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  struct sk_search_query q;
  sk_search_query_init(&q);
  struct sk_search_error e;
  /* Five items a page unless the input says otherwise: rendering the 6th
   * to 20th item runs the same code again and was a tenth of an input. */
  if (sk_search_query_set(&q, "per_page", "5", &e) != SK_OK)
    abort();
  int lines = 0;
  for (char *line = text, *next; line && lines < 16; line = next, lines++) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    char *eq = strchr(line, '=');
    /* q takes any text; a refused value or (non-empty) name says which it was */
    memset(&e, 0, sizeof e);
    if (!eq) {
      if (sk_search_query_set(&q, "q", line, &e) != SK_OK)
        abort();
      continue;
    }
    *eq = '\0';
    if (sk_search_query_set(&q, line, eq + 1, &e) != SK_OK && *line && !e.param[0])
      abort();
  }
  struct sk_search_result *r = NULL;
  if (sk_search(g_s, &q, &r, &e) == 0) {
    json_t *j = sk_search_result_json(r);
    json_decref(j);
  }
  sk_search_result_free(r);
  free(text);
  return 0;
}
