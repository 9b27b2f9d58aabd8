/* Never a dead end: when nothing matches the words of a query, the search
 * shows the offerings of the closest needs instead (sk_search.c runs that
 * as a second query), with one sentence that says so. This file picks the
 * needs and writes the sentence. */
#include <string.h>

#include "sk_err.h"
#include "sk_fold.h"
#include "sk_lexicon_int.h"

size_t sks_fallback_pick(const struct sk_searcher *s, const float *sim, int *bits, size_t max) {
  size_t n = 0;
  uint8_t used[SKS_MAX_NEEDS] = {0};
  while (n < max) {
    int bi = -1;
    for (size_t i = 0; i < s->need.n; i++)
      if (!used[i] && sim[i] >= 0.6f && !s->need.terms[i]->crisis && (bi < 0 || sim[i] > sim[bi]))
        bi = (int)i;
    if (bi < 0)
      break;
    used[bi] = 1;
    /* a sub-need of one already chosen adds nothing (its offerings are in it) */
    int covered = 0;
    for (size_t k = 0; k < n && !covered; k++) {
      const char *pc = s->need.terms[bi]->parent_code;
      covered = pc && strcmp(pc, s->need.terms[bits[k]]->code) == 0;
    }
    if (!covered)
      bits[n++] = bi;
  }
  return n;
}

static int add_labels(struct sk_buf *b, const char *const *labels, size_t n) {
  int rc = SK_OK;
  for (size_t i = 0; i < n && !rc; i++)
    rc = sk_buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? " of " : ", ", labels[i]);
  return rc;
}

int sks_fallback_message(const char *reason, const char *words, const char *const *labels, size_t n,
                         struct sk_buf *b) {
  sk_buf_reset(b);
  size_t wl = words ? strlen(words) : 0;
  size_t cut = sk_utf8_prefix(words ? words : "", wl, 60);
  int rc = sk_buf_printf(b, "Niets gevonden voor ‘%.*s%s’. ", (int)cut, words ? words : "",
                         cut < wl ? "…" : "");
  if (rc)
    return rc;
  if (!strcmp(reason, "chosen")) {
    rc = sk_buf_addstr(b, "Hier ziet u al het aanbod bij ");
    if (!rc)
      rc = add_labels(b, labels, n);
    return rc ? rc : sk_buf_addc(b, '.');
  }
  if (!strcmp(reason, "closest")) {
    rc = sk_buf_addstr(b, "Misschien helpt dit aanbod bij ");
    if (!rc)
      rc = add_labels(b, labels, n);
    return rc ? rc : sk_buf_addc(b, '.');
  }
  return sk_buf_addstr(b, "Hier kunt u met elke vraag terecht.");
}
