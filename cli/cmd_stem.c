/* sociale-kaart stem: show the search key of words (for docs and debugging). */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "sk_buf.h"
#include "sk_tokenizer.h"

void cmd_stem_usage(FILE *out) {
  fprintf(out, "Usage: sociale-kaart stem [--raw] WORD...\n"
               "\n"
               "Print each word as the search index sees it: folded (lower case, no\n"
               "accents) and stemmed. Columns: word, Snowball stem, our search key.\n"
               "\n"
               "  --raw    print only the Snowball stem, without our corrections\n");
}

struct stem_ctx {
  struct sk_stemmer *st;
  int raw;
  const char *orig;
};

static int print_word(void *ctx, const char *word, size_t len, size_t start, size_t end) {
  struct stem_ctx *c = ctx;
  struct sk_buf snow, key;
  sk_buf_init(&snow, 4 * SK_TOKEN_MAX);
  sk_buf_init(&key, 4 * SK_TOKEN_MAX);
  int rc = sk_stemmer_snowball(c->st, word, len, &snow);
  if (!rc)
    rc = sk_stemmer_stem(c->st, word, len, &key);
  if (!rc) {
    if (c->raw)
      printf("%s\n", sk_buf_str(&snow));
    else
      printf("%.*s\t%s\t%s\n", (int)(end - start), c->orig + start, sk_buf_str(&snow),
             sk_buf_str(&key));
  }
  sk_buf_free(&snow);
  sk_buf_free(&key);
  return rc;
}

int cmd_stem(int argc, char **argv) {
  static const struct option opts[] = {{"raw", no_argument, NULL, 'r'}, {NULL, 0, NULL, 0}};
  struct stem_ctx c = {0};
  int ch;
  optind = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (ch == 'r')
      c.raw = 1;
    else
      return cli_usage_error("stem", "unknown option '%s'", argv[optind - 1]);
  }
  if (optind >= argc)
    return cli_usage_error("stem", "give at least one word");
  c.st = sk_stemmer_new();
  if (!c.st) {
    fprintf(stderr, "sociale-kaart stem: cannot create the Dutch stemmer\n");
    return SK_EXIT_FAIL;
  }
  int rc = 0;
  for (int i = optind; i < argc && !rc; i++) {
    c.orig = argv[i];
    rc = sk_words(argv[i], strlen(argv[i]), print_word, &c);
  }
  sk_stemmer_free(c.st);
  return rc ? SK_EXIT_FAIL : SK_EXIT_OK;
}
