/* The Dutch dictionary (hunspell-nl) for search: loaded once per process,
 * one mutex around the hunspell handle. See internal/sk_spell.h. */
#include "sk_spell.h"

#include <hunspell.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sk_buf.h"
#include "sk_err.h"
#include "sk_fold.h"

#define SPELL_DEFAULT "/usr/share/hunspell/nl"
#define SPELL_WORD_MAX 100 /* bytes: longer words are not Dutch words */

static pthread_once_t spell_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t spell_mu = PTHREAD_MUTEX_INITIALIZER;
static Hunhandle *spell_h;
static char spell_path[512];
static double spell_ms;
/* the dictionary's entries written with diacritics, folded, sorted; one
 * block of NUL-terminated strings and an array of offsets into it */
static char *fold_text;
static uint32_t *fold_off;
static size_t fold_n;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int off_cmp(const void *a, const void *b) {
  return strcmp(fold_text + *(const uint32_t *)a, fold_text + *(const uint32_t *)b);
}

/* Read PATH.dic once more for its entries with a non-ASCII letter: their
 * folded forms ("ideeen" for "ideeën"), which hunspell cannot know. Lines
 * are "word[/flags]", "\/" an escaped slash; the first is the count. */
static int load_folded(const char *dic) {
  FILE *f = fopen(dic, "r");
  if (!f)
    return SK_EIO;
  struct sk_buf text, offs, w;
  sk_buf_init(&text, 16u << 20);
  sk_buf_init(&offs, 8u << 20);
  sk_buf_init(&w, 4 * SPELL_WORD_MAX);
  char line[512];
  int rc = SK_OK, first = 1;
  while (!rc && fgets(line, sizeof line, f)) {
    if (first) {
      first = 0;
      continue;
    }
    size_t n = 0;
    int high = 0;
    for (const char *p = line; *p && *p != '\n' && *p != '\t'; p++) {
      if (*p == '\\' && p[1] == '/') {
        p++;
      } else if (*p == '/') {
        break;
      }
      if (n < sizeof line - 1)
        line[n++] = *p;
      high |= (unsigned char)*p >= 0x80;
    }
    if (!high || n > SPELL_WORD_MAX || !sk_utf8_valid(line, n))
      continue;
    sk_buf_reset(&w);
    if (sk_fold(line, n, &w) != SK_OK || !w.len)
      continue;
    uint32_t off = (uint32_t)text.len;
    rc = sk_buf_add(&text, sk_buf_str(&w), w.len + 1);
    if (!rc)
      rc = sk_buf_add(&offs, &off, sizeof off);
  }
  fclose(f);
  sk_buf_free(&w);
  if (rc) {
    sk_buf_free(&text);
    sk_buf_free(&offs);
    return rc;
  }
  fold_n = offs.len / sizeof(uint32_t);
  fold_text = sk_buf_detach(&text, NULL);
  fold_off = (uint32_t *)(void *)sk_buf_detach(&offs, NULL);
  if (fold_n && (!fold_text || !fold_off)) {
    free(fold_text);
    free(fold_off);
    fold_text = NULL;
    fold_off = NULL;
    fold_n = 0;
    return SK_ENOMEM;
  }
  if (fold_n)
    qsort(fold_off, fold_n, sizeof *fold_off, off_cmp);
  return SK_OK;
}

static void spell_load(void) {
  const char *env = getenv("SK_SPELL_DICT");
  const char *base = env ? env : SPELL_DEFAULT;
  if (!*base) {
    snprintf(spell_path, sizeof spell_path, "(off: SK_SPELL_DICT is empty)");
    return;
  }
  snprintf(spell_path, sizeof spell_path, "%s", base);
  char aff[600], dic[600];
  snprintf(aff, sizeof aff, "%s.aff", base);
  snprintf(dic, sizeof dic, "%s.dic", base);
  double t0 = now_ms();
  if (access(aff, R_OK) != 0 || access(dic, R_OK) != 0) {
    fprintf(stderr,
            "search: no Dutch dictionary at %s.{aff,dic} (Debian package hunspell-nl); "
            "spelling uses the index vocabulary only\n",
            base);
    return;
  }
  Hunhandle *h = Hunspell_create(aff, dic);
  /* hunspell reports no error: a dictionary that loaded knows "de" */
  if (!h || !Hunspell_spell(h, "de")) {
    if (h)
      Hunspell_destroy(h);
    fprintf(stderr,
            "search: the Dutch dictionary at %s did not load; spelling uses the index vocabulary "
            "only\n",
            base);
    return;
  }
  const char *enc = Hunspell_get_dic_encoding(h);
  if (!enc || strcmp(enc, "UTF-8") != 0) {
    Hunspell_destroy(h);
    fprintf(
        stderr,
        "search: the dictionary at %s is not UTF-8 (%s); spelling uses the index vocabulary only\n",
        base, enc ? enc : "?");
    return;
  }
  if (load_folded(dic) != SK_OK)
    fprintf(stderr,
            "search: could not read %s for words with diacritics; they are known as written only\n",
            dic);
  spell_h = h;
  spell_ms = now_ms() - t0;
}

int sks_spell_init(void) {
  pthread_once(&spell_once, spell_load);
  return spell_h != NULL;
}

static int folded_known(const char *w) {
  size_t lo = 0, hi = fold_n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(fold_text + fold_off[mid], w);
    if (!c)
      return 1;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return 0;
}

int sks_spell_known(const char *w, size_t n) {
  if (!sks_spell_init() || !n || n > SPELL_WORD_MAX || !sk_utf8_valid(w, n))
    return 0;
  char buf[SPELL_WORD_MAX + 1];
  memcpy(buf, w, n);
  buf[n] = '\0';
  if (folded_known(buf))
    return 1;
  pthread_mutex_lock(&spell_mu);
  int ok = Hunspell_spell(spell_h, buf) != 0;
  pthread_mutex_unlock(&spell_mu);
  return ok;
}

size_t sks_spell_root(const char *w, size_t n, char *out, size_t cap) {
  if (!cap)
    return 0;
  out[0] = '\0';
  if (!sks_spell_init() || !n || n > SPELL_WORD_MAX || !sk_utf8_valid(w, n))
    return 0;
  char buf[SPELL_WORD_MAX + 1];
  memcpy(buf, w, n);
  buf[n] = '\0';
  char **list = NULL;
  size_t best = 0;
  pthread_mutex_lock(&spell_mu);
  int k = Hunspell_stem(spell_h, &list, buf);
  for (int i = 0; i < k; i++) {
    size_t l = strlen(list[i]);
    /* the longest proper prefix: "slaat" gives "sla" too short, so none */
    if (l >= 5 && l < n && l > best && l < cap && !memcmp(list[i], buf, l)) {
      memcpy(out, list[i], l + 1);
      best = l;
    }
  }
  if (list)
    Hunspell_free_list(spell_h, &list, k);
  pthread_mutex_unlock(&spell_mu);
  return best;
}

void sks_spell_info(struct sks_spell_info *out) {
  int loaded = sks_spell_init();
  out->loaded = loaded;
  out->path = spell_path;
  out->load_ms = spell_ms;
  out->n_folded = fold_n;
}
