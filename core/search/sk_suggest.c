/* Suggest (autocomplete): need labels and synonyms, organisation names and
 * offering names that complete what has been typed so far. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sk_err.h"
#include "sk_fold.h"
#include "sk_search_int.h"

struct sugg_box {
  struct sk_suggest_result r;
  struct sk_arena arena;
};

void sk_suggest_result_free(struct sk_suggest_result *r) {
  if (!r)
    return;
  struct sugg_box *b = (struct sugg_box *)(void *)r;
  sk_arena_free(&b->arena);
  free(b);
}

struct words {
  char w[8][SK_TOKEN_MAX + 4];
  size_t n;
};

static int take_word(void *ctx, const char *word, size_t len, size_t start, size_t end) {
  (void)start;
  (void)end;
  struct words *ws = ctx;
  if (ws->n >= 8)
    return 1;
  memcpy(ws->w[ws->n], word, len);
  ws->w[ws->n][len] = '\0';
  ws->n++;
  return 0;
}

/* Every typed word is found in `words` (a folded text) at a word start;
 * the last one may be incomplete. */
static int words_match(const struct words *ws, const char *hay) {
  for (size_t i = 0; i < ws->n; i++) {
    size_t wl = strlen(ws->w[i]);
    const char *p = hay;
    int found = 0;
    while ((p = strstr(p, ws->w[i]))) {
      int at_start = p == hay || p[-1] == ' ' || p[-1] == '-' || p[-1] == '(';
      char after = p[wl];
      int whole = after == '\0' || after == ' ' || after == ',' || after == '-' || after == ')';
      if (at_start && (whole || i == ws->n - 1)) {
        found = 1;
        break;
      }
      p++;
    }
    if (!found)
      return 0;
  }
  return 1;
}

static int seen(const struct sk_suggest_result *r, const char *text) {
  for (size_t i = 0; i < r->n_items; i++)
    if (strcasecmp(r->items[i].text, text) == 0)
      return 1;
  return 0;
}

static int push(struct sugg_box *b, size_t limit, const char *text, const char *kind,
                const char *code) {
  struct sk_suggest_result *r = &b->r;
  if (r->n_items >= limit || !text || seen(r, text))
    return SK_OK;
  struct sk_suggestion *s = &r->items[r->n_items];
  s->text = sk_arena_strdup(&b->arena, text);
  s->kind = kind;
  s->code = sk_arena_strdup(&b->arena, code);
  if (!s->text || !s->code)
    return SK_ENOMEM;
  r->n_items++;
  return SK_OK;
}

int sk_suggest(struct sk_searcher *s, const char *prefix, int limit,
               struct sk_suggest_result **out) {
  *out = NULL;
  if (!s)
    return SK_EINVAL;
  size_t lim = limit <= 0 ? 10 : limit > SK_SUGGEST_MAX ? SK_SUGGEST_MAX : (size_t)limit;
  struct sugg_box *b = calloc(1, sizeof *b);
  if (!b)
    return SK_ENOMEM;
  b->r.items = sk_arena_alloc(&b->arena, lim * sizeof *b->r.items);
  if (!b->r.items) {
    sk_suggest_result_free(&b->r);
    return SK_ENOMEM;
  }
  struct words ws = {0};
  if (prefix)
    sk_words(prefix, strnlen(prefix, 200), take_word, &ws);
  int rc = SK_OK;
  if (!ws.n || (ws.n == 1 && strlen(ws.w[0]) < 2))
    goto done;
  struct sk_buf f;
  sk_buf_init(&f, 4096);
  /* needs: labels first, then synonyms */
  for (int pass = 0; pass < 2 && !rc; pass++)
    for (size_t p = 0; p < s->n_phrases && !rc; p++) {
      const struct sks_phrase *ph = &s->phrases[p];
      if (ph->vocab != SK_VOCAB_NEED || (pass == 0) != (ph->text == ph->term->label))
        continue;
      sk_buf_reset(&f);
      if (sk_fold(ph->text, strlen(ph->text), &f))
        continue;
      if (words_match(&ws, sk_buf_str(&f)))
        rc = push(b, lim, ph->text, "need", ph->term->code);
    }
  sk_buf_free(&f);
  /* organisations (from the snapshot) */
  if (!rc && s->snap)
    for (size_t i = 0; i < s->snap->n_orgs && !rc && b->r.n_items < lim; i++)
      if (words_match(&ws, s->snap->orgs[i].folded))
        rc = push(b, lim, s->snap->orgs[i].name, "organization", s->snap->orgs[i].id);
  /* offerings by name, best first */
  if (!rc && b->r.n_items < lim) {
    struct sk_buf e;
    sk_buf_init(&e, 4096);
    rc = sk_buf_addstr(&e, "{name} : (");
    for (size_t i = 0; i < ws.n && !rc; i++)
      rc = sk_buf_printf(&e, "%s\"%s\"%s", i ? " AND " : "", ws.w[i], i == ws.n - 1 ? "*" : "");
    if (!rc)
      rc = sk_buf_addc(&e, ')');
    if (!rc) {
      sqlite3_stmt *q = s->stmt[ST_SUGGEST];
      sqlite3_reset(q);
      sqlite3_bind_text(q, 1, sk_buf_str(&e), -1, SQLITE_STATIC);
      sqlite3_bind_int(q, 2, (int)lim * 3);
      while (!rc && b->r.n_items < lim && sqlite3_step(q) == SQLITE_ROW)
        rc = push(b, lim, (const char *)sqlite3_column_text(q, 1), "offering",
                  (const char *)sqlite3_column_text(q, 0));
      sqlite3_reset(q);
      sqlite3_clear_bindings(q);
    }
    sk_buf_free(&e);
  }
done:
  if (rc) {
    sk_suggest_result_free(&b->r);
    return rc;
  }
  *out = &b->r;
  return SK_OK;
}

json_t *sk_suggest_result_json(const struct sk_suggest_result *r) {
  json_t *items = json_array();
  for (size_t i = 0; r && items && i < r->n_items; i++)
    json_array_append_new(items, json_pack("{s:s?, s:s?, s:s?}", "text", r->items[i].text, "kind",
                                           r->items[i].kind, "code", r->items[i].code));
  return json_pack("{s:o}", "items", items ? items : json_array());
}
