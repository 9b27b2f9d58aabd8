#include "ix_classify.h"

#include <stdlib.h>
#include <string.h>

#include "sk_buf.h"
#include "sk_check.h"
#include "sk_err.h"
#include "sk_fold.h"

/* Folded text we look at per service (name, keywords, description, other
 * terms); the rest of a long description is not read. */
#define TEXT_MAX (16 * 1024)
/* A synonym this short ("hh", "mee", "ms") is too ambiguous in running
 * text; it only counts in a name, keywords or another taxonomy's term. */
#define SHORT_SYNONYM 4
/* Score needed for a proposal: a hit in the name or a term (3 or 2), or
 * two different synonyms in the description. */
#define MIN_SCORE 2

struct syn {
  const char *padded; /* " word word " (malloc'd) */
  size_t term;        /* index into tax->terms */
  size_t len;
};

struct cctx {
  const struct sk_taxonomy *tax;
  struct syn *syns;
  size_t n_syns;
  int *score; /* per term, reset per service */
  size_t n_auto, n_none, n_access, n_cost, n_area_loc, n_area_national, n_area_unplaced;
  const char *unplaced_example; /* the first area we could not place */
};

/* Folded words of s[0..n) appended to out as " w1 w2 ", one space apart.
 * Only the first TEXT_MAX bytes of s are read; out must have room for
 * 3 * TEXT_MAX + 2 more bytes (folding at most triples a character). */
static int add_words(struct sk_buf *out, const char *s, size_t n) {
  if (n > TEXT_MAX)
    n = sk_utf8_prefix(s, n, TEXT_MAX);
  struct sk_buf f;
  sk_buf_init(&f, 3 * TEXT_MAX + 8);
  int rc = sk_fold(s, n, &f);
  if (!rc && (!out->len || out->ptr[out->len - 1] != ' '))
    rc = sk_buf_addc(out, ' ');
  const char *p = f.ptr;
  for (size_t i = 0; p && i < f.len && !rc; i++) {
    unsigned char c = (unsigned char)p[i];
    int word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
    if (word)
      rc = sk_buf_addc(out, (char)c);
    else if (out->ptr[out->len - 1] != ' ')
      rc = sk_buf_addc(out, ' ');
  }
  if (!rc && out->ptr[out->len - 1] != ' ')
    rc = sk_buf_addc(out, ' ');
  sk_buf_free(&f);
  return rc;
}

static void free_syns(struct cctx *c) {
  for (size_t i = 0; i < c->n_syns; i++)
    free((char *)c->syns[i].padded);
  free(c->syns);
  free(c->score);
}

static int add_syn(struct cctx *c, size_t *cap, size_t term, const char *text) {
  struct sk_buf b;
  sk_buf_init(&b, 3 * TEXT_MAX + 16);
  int rc = add_words(&b, text, strlen(text));
  if (rc || b.len < 3) {
    sk_buf_free(&b);
    return rc;
  }
  if (c->n_syns == *cap) {
    size_t ncap = *cap ? *cap * 2 : 256;
    struct syn *n = realloc(c->syns, ncap * sizeof *n);
    if (!n) {
      sk_buf_free(&b);
      return SK_ENOMEM;
    }
    c->syns = n;
    *cap = ncap;
  }
  size_t len = b.len;
  char *owned = sk_buf_detach(&b, &len);
  if (!owned)
    return SK_ENOMEM;
  c->syns[c->n_syns++] = (struct syn){.padded = owned, .term = term, .len = len};
  return SK_OK;
}

static int load_syns(struct cctx *c) {
  size_t cap = 0;
  c->score = calloc(c->tax->n_terms ? c->tax->n_terms : 1, sizeof *c->score);
  if (!c->score)
    return SK_ENOMEM;
  for (size_t i = 0; i < c->tax->n_terms; i++) {
    const struct sk_term *t = &c->tax->terms[i];
    if (t->vocab != SK_VOCAB_NEED)
      continue;
    int rc = add_syn(c, &cap, i, t->label);
    for (size_t k = 0; k < t->n_synonyms && !rc; k++)
      rc = add_syn(c, &cap, i, t->synonyms[k]);
    if (rc)
      return rc;
  }
  return SK_OK;
}

/* Add weight to every need whose synonym occurs in the padded text. */
static void score_text(struct cctx *c, const char *padded, int weight, int allow_short) {
  for (size_t i = 0; i < c->n_syns; i++) {
    const struct syn *y = &c->syns[i];
    if (!allow_short && y->len - 2 < SHORT_SYNONYM)
      continue;
    if (strstr(padded, y->padded))
      c->score[y->term] += weight;
  }
}

static int is_ancestor(const struct sk_taxonomy *tax, const struct sk_term *a,
                       const struct sk_term *t) {
  (void)tax;
  return t->parent_code && strcmp(t->parent_code, a->code) == 0 && a != t;
}

static int propose_needs(struct cctx *c, struct ix_batch *b, struct ix_service *s,
                         const struct ix_classify_opts *o) {
  const struct sk_taxonomy *tax = c->tax;
  memset(c->score, 0, tax->n_terms * sizeof *c->score);
  struct sk_buf t;
  sk_buf_init(&t, 3 * TEXT_MAX + 16);
  int rc = SK_OK;
  /* Each part scores on its own (one hit per synonym per part), with its
   * weight: a name says more than a sentence in a description. */
  struct {
    const char *text;
    int weight, allow_short;
  } parts[3] = {{s->name, 3, 1}, {s->keywords, 2, 1}, {s->description, 1, 0}};
  struct sk_buf all; /* everything, for the lexicon; parts past its cap are left out */
  sk_buf_init(&all, 8 * TEXT_MAX);
  for (size_t i = 0; i < 3 && !rc; i++) {
    if (!parts[i].text)
      continue;
    sk_buf_reset(&t);
    if ((rc = add_words(&t, parts[i].text, strlen(parts[i].text))))
      break;
    score_text(c, sk_buf_str(&t), parts[i].weight, parts[i].allow_short);
    if (all.len + t.len < all.max && sk_buf_add(&all, t.ptr, t.len))
      rc = SK_ENOMEM;
  }
  for (size_t i = 0; i < s->other_terms.n && !rc; i++) {
    sk_buf_reset(&t);
    if ((rc = add_words(&t, s->other_terms.v[i], strlen(s->other_terms.v[i]))))
      break;
    score_text(c, sk_buf_str(&t), 2, 1);
    if (all.len + t.len < all.max && sk_buf_add(&all, t.ptr, t.len))
      rc = SK_ENOMEM;
  }
  sk_buf_free(&t);
  int max = o && o->max_needs > 0 ? o->max_needs : IX_CLASSIFY_MAX_NEEDS;
  /* Best first; on a tie the more specific (a sub-need) wins. A parent is
   * not proposed next to one of its children. */
  for (int k = 0; k < max && !rc; k++) {
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < tax->n_terms; i++) {
      if (c->score[i] < MIN_SCORE)
        continue;
      if (best == SIZE_MAX || c->score[i] > c->score[best] ||
          (c->score[i] == c->score[best] && tax->terms[i].parent_code &&
           !tax->terms[best].parent_code))
        best = i;
    }
    if (best == SIZE_MAX)
      break;
    const struct sk_term *bt = &tax->terms[best];
    c->score[best] = 0;
    int covered = 0;
    for (size_t i = 0; i < s->needs.n; i++) {
      const struct sk_term *have = sk_taxonomy_find(tax, SK_VOCAB_NEED, s->needs.v[i]);
      if (have && (have == bt || is_ancestor(tax, bt, have)))
        covered = 1;
      if (have && is_ancestor(tax, have, bt)) { /* replace the parent by the child */
        s->needs.v[i] = bt->code;
        covered = 1;
      }
    }
    if (!covered)
      rc = ix_strv_push(b, &s->needs, bt->code);
    else
      k--;
  }
  if (!rc && o && o->lexicon && s->needs.n < (size_t)max) {
    rc = o->lexicon(o->lexicon_ctx, all.len ? sk_buf_str(&all) : " ", b, &s->needs);
  }
  sk_buf_free(&all);
  return rc;
}

/* Municipalities of the service's locations (postcode, else the code the
 * location gave). */
static int areas_from_locations(struct cctx *c, struct ix_batch *b, struct ix_service *s,
                                const struct ix_keymap *locs) {
  for (size_t i = 0; i < s->location_keys.n; i++) {
    size_t at;
    if (!ix_keymap_get(locs, s->location_keys.v[i], &at))
      continue;
    const struct ix_location *l = &b->locations.v[at];
    const char *code = NULL;
    char norm[8];
    int digits = l->postal_code ? sk_postcode_normalize(l->postal_code, norm) : -1;
    const struct sk_term *m = digits >= 0 ? sk_taxonomy_municipality_for_postcode(c->tax, digits)
                                          : NULL;
    if (m)
      code = m->code;
    else if (l->municipality && sk_taxonomy_find(c->tax, SK_VOCAB_MUNICIPALITY, l->municipality))
      code = l->municipality;
    if (!code)
      continue;
    int dup = 0;
    for (size_t k = 0; k < s->areas.n; k++)
      dup |= strcmp(s->areas.v[k].code, code) == 0;
    if (dup)
      continue;
    struct ix_area *a = IX_PUSH(b, s->areas);
    if (!a || !(a->code = ix_strdup(b, code)))
      return SK_ENOMEM;
    a->min_age = a->max_age = IX_UNSET;
  }
  return SK_OK;
}

/* The note "Werkgebied volgens de aanbieder: <text>" on each area of s
 * that has none, cut (at a character) to the validator's cap for notes. */
static int note_unplaced(struct cctx *c, struct ix_batch *b, struct ix_service *s) {
  static const char lead[] = "Werkgebied volgens de aanbieder: ";
  const char *u = s->unplaced_area;
  size_t room = SK_FIELD_MAX_SHORT - (sizeof lead - 1), n = strlen(u);
  if (n > room) {
    n = room;
    while (n && ((unsigned char)u[n] & 0xC0) == 0x80)
      n--;
  }
  const char *note = ix_printf(b, "%s%.*s", lead, (int)n, u);
  if (!note)
    return SK_ENOMEM;
  for (size_t i = 0; i < s->areas.n; i++)
    if (!s->areas.v[i].note)
      s->areas.v[i].note = note;
  if (!c->unplaced_example)
    c->unplaced_example = u;
  c->n_area_unplaced++;
  return SK_OK;
}

int ix_classify_batch(struct ix_batch *b, const struct sk_taxonomy *tax,
                      const struct ix_classify_opts *o) {
  if (!b || !tax)
    return SK_EINVAL;
  struct cctx c = {.tax = tax};
  int rc = load_syns(&c);
  struct ix_keymap locs = {0};
  for (size_t i = 0; i < b->locations.n && !rc; i++)
    if (b->locations.v[i].key) {
      int r = ix_keymap_put(&locs, b->locations.v[i].key, i);
      if (r && r != SK_ECONFLICT)
        rc = r;
    }
  const char *unknown_access = sk_taxonomy_find(tax, SK_VOCAB_ACCESS, "onbekend") ? "onbekend"
                                                                                  : NULL;
  const char *unknown_cost = sk_taxonomy_find(tax, SK_VOCAB_COST, "onbekend") ? "onbekend" : NULL;
  for (size_t i = 0; i < b->services.n && !rc; i++) {
    struct ix_service *s = &b->services.v[i];
    if (s->kind != IX_KIND_SERVICE)
      continue;
    if (s->needs.n == 0) {
      if ((rc = propose_needs(&c, b, s, o)))
        break;
      s->auto_classified = 1;
      c.n_auto++;
      if (s->needs.n == 0)
        c.n_none++;
    }
    if (!s->access && unknown_access) {
      s->access = unknown_access;
      s->auto_classified = 1;
      c.n_access++;
    }
    if (!s->cost && unknown_cost) {
      s->cost = unknown_cost;
      s->auto_classified = 1;
      c.n_cost++;
    }
    if (s->areas.n == 0) {
      if ((rc = areas_from_locations(&c, b, s, &locs)))
        break;
      if (s->areas.n) {
        c.n_area_loc += !s->unplaced_area;
      } else {
        struct ix_area *a = IX_PUSH(b, s->areas);
        if (!a || !(a->code = ix_strdup(b, "landelijk"))) {
          rc = SK_ENOMEM;
          break;
        }
        a->min_age = a->max_age = IX_UNSET;
        c.n_area_national += !s->unplaced_area;
      }
      /* Valid HSDS whose only area we cannot place ("the MyCity area"):
       * read like a service without an area, and the publisher's own words
       * stay with each area, so a resident reads where it is offered. */
      if (s->unplaced_area && (rc = note_unplaced(&c, b, s)))
        break;
    }
  }
  if (!rc && c.n_auto)
    rc = ix_batch_warn(
        b,
        "%zu diensten zonder onze hulpvraag-codes zijn automatisch ingedeeld (%zu zonder "
        "passende hulpvraag); de redactie controleert de indeling.",
        c.n_auto, c.n_none);
  if (!rc && c.n_access)
    rc = ix_batch_warn(b, "%zu diensten zonder toegang (sk-toegang): toegang 'onbekend'.",
                       c.n_access);
  if (!rc && c.n_cost)
    rc = ix_batch_warn(b, "%zu diensten zonder kosten (sk-kosten): kosten 'onbekend'.", c.n_cost);
  if (!rc && c.n_area_loc)
    rc = ix_batch_warn(
        b, "%zu diensten zonder werkgebied: de gemeente van hun adres is het werkgebied.",
        c.n_area_loc);
  if (!rc && c.n_area_unplaced)
    rc = ix_batch_warn(
        b,
        "%zu diensten met alleen een werkgebied dat we niet kennen (bijvoorbeeld '%.*s'): we "
        "tonen ze in de gemeente van hun adres of anders als landelijk, met de tekst van de "
        "aanbieder erbij. Geef een gemeente, regio of 'Nederland', of een standaardgemeente in de "
        "feed.",
        c.n_area_unplaced, 80, c.unplaced_example ? c.unplaced_example : "");
  if (!rc && c.n_area_national)
    rc = ix_batch_warn(
        b,
        "%zu diensten zonder werkgebied en zonder adres in onze regio: we tonen ze als "
        "landelijk. Geef een werkgebied (service_areas) of een standaardgemeente in de feed.",
        c.n_area_national);
  ix_keymap_free(&locs);
  free_syns(&c);
  return rc;
}
