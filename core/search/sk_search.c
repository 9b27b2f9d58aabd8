/* Search: query understanding, candidate retrieval from FTS5 (cached per
 * word group), filters and facets on the in-memory snapshot, ranking,
 * rendering and the JSON shape shared by the CLI and the API. */
#include "sk_search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sk_err.h"
#include "sk_fold.h"
#include "sk_lexicon_int.h"
#include "sk_spell.h"

#define MAX_WORDS 32
#define MAX_GROUPS 12
#define MAX_COMPOUNDS 12
#define CONCEPT_BONUS 6.0f
#define CRISIS_BONUS 1.0e6f
#define LEX_BONUS 4.0f /* a need reached through the lexicon: below the bonus of a direct text hit */
#define HL_OPEN "\xee\x80\x80"  /* U+E000: never HTML, split into segments */
#define HL_CLOSE "\xee\x80\x81" /* U+E001 */

uint32_t sks_tri_bucket(const char *p);

/* ------------------------------------------------------------------ */
/* query parameters                                                    */

void sk_search_query_init(struct sk_search_query *q) {
  memset(q, 0, sizeof *q);
  q->age = -1;
  q->lat = NAN;
  q->lon = NAN;
}

static int qerr(struct sk_search_error *e, const char *param, const char *fmt, const char *v) {
  if (e) {
    snprintf(e->param, sizeof e->param, "%s", param);
    snprintf(e->message, sizeof e->message, fmt, v ? v : "");
  }
  return SK_EINVAL;
}

static int parse_int(const char *v, long lo, long hi, int *out) {
  if (!v || !*v)
    return -1;
  char *end;
  long x = strtol(v, &end, 10);
  if (*end || x < lo || x > hi)
    return -1;
  *out = (int)x;
  return 0;
}

static int parse_bool(const char *v, int *out) {
  if (!v || !*v || !strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "ja") || !strcmp(v, "on")) {
    *out = 1;
    return 0;
  }
  if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "nee") || !strcmp(v, "off")) {
    *out = 0;
    return 0;
  }
  return -1;
}

static int add_value(const char **arr, size_t *n, const char *param, const char *v,
                     struct sk_search_error *e) {
  if (!v || !*v)
    return SK_OK;
  if (*n >= SK_SEARCH_MAX_VALUES)
    return qerr(e, param, "Te veel waarden voor '%s'.", param);
  arr[(*n)++] = v;
  return SK_OK;
}

int sk_search_query_set(struct sk_search_query *q, const char *name, const char *v,
                        struct sk_search_error *e) {
  if (!name)
    return SK_EINVAL;
  if (!v)
    v = "";
  if (!strcmp(name, "q")) {
    q->q = v;
  } else if (!strcmp(name, "need")) {
    return add_value(q->needs, &q->n_needs, "need", v, e);
  } else if (!strcmp(name, "access")) {
    return add_value(q->access, &q->n_access, "access", v, e);
  } else if (!strcmp(name, "cost")) {
    return add_value(q->cost, &q->n_cost, "cost", v, e);
  } else if (!strcmp(name, "law")) {
    return add_value(q->laws, &q->n_laws, "law", v, e);
  } else if (!strcmp(name, "target_group")) {
    q->target_group = *v ? v : NULL;
  } else if (!strcmp(name, "municipality")) {
    q->municipality = *v ? v : NULL;
  } else if (!strcmp(name, "organization")) {
    q->organization = *v ? v : NULL;
  } else if (!strcmp(name, "postcode")) {
    q->postcode = *v ? v : NULL;
  } else if (!strcmp(name, "age")) {
    if (!*v)
      q->age = -1;
    else if (parse_int(v, 0, SK_SEARCH_AGE_MAX, &q->age))
      return qerr(e, "age", "Leeftijd moet een heel getal van 0 tot 120 zijn, niet '%.60s'.", v);
  } else if (!strcmp(name, "open_now")) {
    if (parse_bool(v, &q->open_now))
      return qerr(e, "open_now", "open_now moet 1 of 0 zijn, niet '%.60s'.", v);
  } else if (!strcmp(name, "place_filter")) {
    int on;
    if (parse_bool(v, &on))
      return qerr(e, "place_filter", "place_filter moet 1 of 0 zijn, niet '%.60s'.", v);
    q->place_as_preference = !on;
  } else if (!strcmp(name, "facets")) {
    if (parse_bool(v, &q->facets))
      return qerr(e, "facets", "facets moet 1 of 0 zijn, niet '%.60s'.", v);
  } else if (!strcmp(name, "kind")) {
    if (!*v)
      q->kind = SK_KIND_ANY;
    else if (!strcmp(v, "aanbod"))
      q->kind = SK_KIND_AANBOD;
    else if (!strcmp(v, "activiteit"))
      q->kind = SK_KIND_ACTIVITEIT;
    else
      return qerr(e, "kind", "Soort moet 'aanbod' of 'activiteit' zijn, niet '%.60s'.", v);
  } else if (!strcmp(name, "sort")) {
    if (!*v || !strcmp(v, "relevance") || !strcmp(v, "relevantie"))
      q->sort = SK_SORT_RELEVANCE;
    else if (!strcmp(v, "name") || !strcmp(v, "naam"))
      q->sort = SK_SORT_NAME;
    else if (!strcmp(v, "distance") || !strcmp(v, "afstand"))
      q->sort = SK_SORT_DISTANCE;
    else if (!strcmp(v, "soonest") || !strcmp(v, "eerst"))
      q->sort = SK_SORT_SOONEST;
    else
      return qerr(e, "sort",
                  "Sorteren kan op relevance, name, distance of soonest, niet op '%.60s'.", v);
  } else if (!strcmp(name, "page")) {
    if (parse_int(v, 1, SK_SEARCH_MAX_RESULTS, &q->page))
      return qerr(e, "page", "Pagina moet een heel getal vanaf 1 zijn, niet '%.60s'.", v);
  } else if (!strcmp(name, "per_page")) {
    if (parse_int(v, 1, SK_SEARCH_PER_PAGE_MAX, &q->per_page))
      return qerr(e, "per_page", "per_page moet een heel getal van 1 tot 100 zijn, niet '%.60s'.", v);
  } else if (!strcmp(name, "lat") || !strcmp(name, "lon")) {
    char *end;
    double x = strtod(v, &end);
    int is_lat = name[1] == 'a';
    if (!*v || *end || !isfinite(x) || fabs(x) > (is_lat ? 90.0 : 180.0))
      return qerr(e, name, "Geen geldige coördinaat: '%.60s'.", v);
    if (is_lat)
      q->lat = x;
    else
      q->lon = x;
    q->has_point = !isnan(q->lat) && !isnan(q->lon);
  } else {
    qerr(e, name, "Onbekende parameter '%.60s'.", name);
    return SK_ENOTFOUND;
  }
  return SK_OK;
}

/* ------------------------------------------------------------------ */
/* searcher                                                            */

static void vocab_fill(struct sks_vocab *v, const struct sk_taxonomy *tax, enum sk_vocab which,
                       size_t max) {
  for (size_t i = 0; i < tax->n_terms && v->n < max; i++)
    if (tax->terms[i].vocab == which)
      v->terms[v->n++] = &tax->terms[i];
}

static int vbit(const struct sks_vocab *v, const char *code) {
  if (!code)
    return -1;
  for (size_t i = 0; i < v->n; i++)
    if (strcmp(v->terms[i]->code, code) == 0)
      return (int)i;
  return -1;
}

static void rcache_clear(struct sk_searcher *s);
static struct sks_rentry *rcache_new(void);

static void cache_clear(struct sk_searcher *s) {
  for (size_t i = 0; i < SKS_POST_CACHE; i++) {
    free(s->cache[i].key);
    free(s->cache[i].rid);
    free(s->cache[i].score);
    memset(&s->cache[i], 0, sizeof s->cache[i]);
  }
  s->cache_bytes = 0;
  rcache_clear(s);
  for (size_t i = 0; i < SKS_WORD_CACHE; i++) {
    free(s->wcache[i].key);
    free(s->wcache[i].expr);
    free(s->wcache[i].corr);
    memset(&s->wcache[i], 0, sizeof s->wcache[i]);
  }
}

static int64_t data_version(struct sk_searcher *s) {
  sqlite3_stmt *q = s->stmt[ST_DV];
  int64_t v = -1;
  sqlite3_reset(q);
  if (sqlite3_step(q) == SQLITE_ROW)
    v = sqlite3_column_int64(q, 0);
  sqlite3_reset(q);
  return v;
}

static void scratch_free(struct sk_searcher *s) {
  free(s->stamp);
  free(s->acc);
  free(s->nreq);
  free(s->mark);
  free(s->g_stamp);
  free(s->g_acc);
  free(s->g_list);
  free(s->p_stamp);
  free(s->p_wf);
  free(s->p_cnt);
  free(s->p_list);
  free(s->c_bits);
  s->c_bits = NULL;
  free(s->pr_c);
  free(s->pr_sc);
  free(s->pr_tw);
  free(s->pr_pw);
  free(s->pr_hit);
  free(s->pr_cnt);
  free(s->pr_l0);
  free(s->pr_l1);
  s->pr_c = s->pr_l0 = s->pr_l1 = NULL;
  s->pr_sc = s->pr_tw = s->pr_pw = NULL;
  s->pr_hit = s->pr_cnt = NULL;
  s->pr_cap = 0;
  s->stamp = s->g_stamp = s->p_stamp = s->g_list = s->p_list = NULL;
  s->acc = s->g_acc = s->p_wf = NULL;
  s->nreq = s->mark = s->p_cnt = NULL;
}

static int scratch_fit(struct sk_searcher *s) {
  uint32_t need = s->snap->n_docs_cap;
  if (need <= s->scratch_cap)
    return SK_OK;
  scratch_free(s);
  s->stamp = calloc(need, sizeof *s->stamp);
  s->acc = calloc(need, sizeof *s->acc);
  s->nreq = calloc(need, sizeof *s->nreq);
  s->mark = calloc(need, sizeof *s->mark);
  s->g_stamp = calloc(need, sizeof *s->g_stamp);
  s->g_acc = calloc(need, sizeof *s->g_acc);
  s->g_list = calloc(need, sizeof *s->g_list);
  s->p_stamp = calloc(need, sizeof *s->p_stamp);
  s->p_wf = calloc(need, sizeof *s->p_wf);
  s->p_cnt = calloc(need, sizeof *s->p_cnt);
  s->p_list = calloc(need, sizeof *s->p_list);
  s->c_bits = calloc(need / 64 + 1, sizeof *s->c_bits);
  s->gen = s->g_gen = s->p_gen = 0;
  if (!s->stamp || !s->acc || !s->nreq || !s->mark || !s->g_stamp || !s->g_acc || !s->g_list || !s->p_stamp ||
      !s->p_wf || !s->p_cnt || !s->p_list || !s->c_bits) {
    s->scratch_cap = 0;
    return SK_ENOMEM;
  }
  s->scratch_cap = need;
  return SK_OK;
}

/* Use a newer snapshot when the store changed since ours was made: the
 * process's shared one when it is new enough, else build it (or, while
 * another searcher builds it, answer from ours in the meantime). */
static int refresh(struct sk_searcher *s) {
  int64_t dv = data_version(s);
  long long tc = sqlite3_total_changes64(s->st->db);
  if (dv != s->data_version || tc != s->total_changes) {
    s->data_version = dv;
    s->total_changes = tc;
    sks_snap_changed(s);
  }
  int swapped = 0;
  int rc = sks_snap_update(s, &swapped);
  if (rc)
    return rc;
  if (swapped)
    cache_clear(s);
  return scratch_fit(s);
}

uint64_t sk_searcher_generation(struct sk_searcher *s) {
  if (!s || refresh(s) != SK_OK || !s->snap)
    return 0;
  return s->snap->serial;
}

void sk_searcher_set_background(struct sk_searcher *s, int on) {
  if (s)
    s->background = on != 0;
}

static const char *const stmt_sql[] = {
    /* ST_POST */
    "SELECT rowid, bm25(search_fts, 10.0, 6.0, 3.0, 4.0, 1.0) FROM search_fts WHERE search_fts MATCH ?1",
    /* ST_HL */
    "SELECT highlight(search_fts, 0, '" HL_OPEN "', '" HL_CLOSE "'), "
    "snippet(search_fts, 4, '" HL_OPEN "', '" HL_CLOSE "', '…', 18) "
    "FROM search_fts WHERE search_fts MATCH ?1 AND rowid = ?2",
    /* ST_ITEM */
    "SELECT s.id, s.kind, s.name, s.summary, s.url, s.min_age, s.max_age, s.assured_date, "
    "s.referral_contact, o.id, o.name, s.description FROM service s "
    "JOIN organization o ON o.rid = s.organization_rid WHERE s.rid = ?1",
    /* ST_TAX */
    "SELECT vocabulary, code FROM service_taxonomy WHERE service_rid = ?1",
    /* ST_AREA */
    "SELECT area_code, note FROM service_area WHERE service_rid = ?1",
    /* ST_PHONE */
    "SELECT number, description, restricted FROM phone WHERE service_rid = ?1 ORDER BY rid LIMIT 8",
    /* ST_NEXT */
    "SELECT starts_at, start_utc FROM occurrence WHERE service_rid = ?1 AND cancelled = 0 "
    "AND coalesce(end_utc, start_utc) >= ?2 ORDER BY start_utc LIMIT 1",
    /* ST_ORG */
    "SELECT rid FROM organization WHERE id = ?1",
    /* ST_SUGGEST */
    "SELECT s.id, s.name FROM search_fts f JOIN service s ON s.rid = f.rowid "
    "WHERE search_fts MATCH ?1 ORDER BY rank LIMIT ?2",
    /* ST_DV */
    "PRAGMA data_version",
};

struct sk_searcher *sk_searcher_new(struct sk_store *st, const struct sk_taxonomy *tax) {
  if (!st || !tax)
    return NULL;
  struct sk_searcher *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  s->st = st;
  s->tax = tax;
  sks_spell_init(); /* once per process; search works without it */
  /* sk_taxonomy_load refused anything larger, so no term is dropped here. */
  vocab_fill(&s->need, tax, SK_VOCAB_NEED, SKS_MAX_NEEDS);
  vocab_fill(&s->tg, tax, SK_VOCAB_TARGET_GROUP, SKS_MAX_SMALL);
  vocab_fill(&s->access, tax, SK_VOCAB_ACCESS, SK_TAXONOMY_MAX_CHOICES);
  vocab_fill(&s->cost, tax, SK_VOCAB_COST, SK_TAXONOMY_MAX_CHOICES);
  vocab_fill(&s->law, tax, SK_VOCAB_LAW, SKS_MAX_SMALL);
  vocab_fill(&s->area, tax, SK_VOCAB_MUNICIPALITY, SKS_MAX_SMALL);
  vocab_fill(&s->area, tax, SK_VOCAB_SCOPE, SKS_MAX_SMALL);
  for (size_t i = 0; i < s->tg.n; i++)
    if (s->tg.terms[i]->professional_only)
      s->tg_pro |= (uint16_t)(1u << i);
  s->area_regio = vbit(&s->area, "regio");
  s->area_landelijk = vbit(&s->area, "landelijk");
  /* Who serves a municipality: itself, its scopes, the region, the country. */
  for (size_t i = 0; i < s->area.n; i++) {
    const struct sk_term *t = s->area.terms[i];
    if (t->vocab != SK_VOCAB_MUNICIPALITY)
      continue;
    uint16_t m = (uint16_t)(1u << i), sc = 0;
    for (size_t k = 0; k < t->n_scopes; k++) {
      int b = vbit(&s->area, t->scopes[k]);
      if (b >= 0)
        sc |= (uint16_t)(1u << b);
    }
    s->muni_scopes[i] = sc & (uint16_t) ~(s->area_regio >= 0 ? 1u << s->area_regio : 0u);
    m |= sc;
    if (s->area_regio >= 0)
      m |= (uint16_t)(1u << s->area_regio);
    if (s->area_landelijk >= 0)
      m |= (uint16_t)(1u << s->area_landelijk);
    s->muni_allowed[i] = m;
    s->muni_bits |= (uint16_t)(1u << i);
  }
  /* Reads go through the OS page cache (mmap) rather than pread per page;
   * a modest private cache keeps the server's memory budget. */
  sk_store_exec(st, "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -16384;");
  s->stem = sk_stemmer_new();
  s->rcache = rcache_new();
  /* the built-in lexicon, checked against this taxonomy (once per process) */
  s->lex = sks_lex_acquire(tax, NULL, 0);
  if (!s->rcache || !s->stem || !s->lex || sks_phrases_build(s) || sks_simwords_build(s))
    goto fail;
  for (size_t i = 0; i < ST_COUNT; i++)
    if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL) !=
        SQLITE_OK)
      goto fail;
  s->data_version = data_version(s);
  s->total_changes = sqlite3_total_changes64(st->db);
  if (sks_snap_attach(s) || scratch_fit(s))
    goto fail;
  /* crisis patterns: the store's copy (sk_crisis_save at index time); a
   * store without one keeps the taxonomy's crisis needs. A copy that
   * cannot be read fails the searcher rather than search without it. */
  char cerr[256];
  int crc = sk_crisis_from_store(st, &s->crisis, cerr, sizeof cerr);
  if (crc && crc != SK_ENOTFOUND)
    goto fail;
  return s;
fail:
  sk_searcher_free(s);
  return NULL;
}

void sk_searcher_free(struct sk_searcher *s) {
  if (!s)
    return;
  sk_crisis_free(s->crisis);
  for (size_t i = 0; i < ST_COUNT; i++)
    sqlite3_finalize(s->stmt[i]);
  cache_clear(s);
  free(s->rcache);
  sks_snap_detach(s);
  sks_simwords_free(s);
  sks_phrases_free(s);
  sks_lex_release(s->lex);
  sk_stemmer_free(s->stem);
  scratch_free(s);
  free(s->touched);
  free(s->tri_count);
  free(s->tri_touched);
  free(s);
}

/* ------------------------------------------------------------------ */
/* postings of one FTS expression, cached                              */

static uint64_t fnv(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++)
    h = (h ^ (uint8_t)*s) * 1099511628211ull;
  return h;
}

/* One quoted phrase of a group, evaluated on the in-memory index with
 * FTS5's bm25 (same idf, k1, b, column weights and document length), its
 * scores added into the group accumulator. A phrase of several words
 * ("rood staan") is approximated as all of its words in the offering
 * (the index keeps no positions); its frequency is the smallest one. */
struct phrase_tok {
  char t[SK_TOKEN_MAX + 4];
  size_t n;
};

struct tok_list {
  struct phrase_tok tok[8];
  size_t n;
};

static int take_tok(void *ctx, const char *w, size_t n, size_t start, size_t end) {
  (void)start;
  (void)end;
  struct tok_list *l = ctx;
  if (l->n >= 8)
    return 1;
  memcpy(l->tok[l->n].t, w, n);
  l->tok[l->n].t[n] = '\0';
  l->tok[l->n].n = n;
  l->n++;
  return 0;
}

static void group_add(struct sk_searcher *s, uint32_t rid, float score) {
  if (s->g_stamp[rid] != s->g_gen) {
    s->g_stamp[rid] = s->g_gen;
    s->g_acc[rid] = 0;
    s->g_list[s->g_n++] = rid;
  }
  s->g_acc[rid] += score;
}

/* One quoted phrase of a group: per token, the range of index terms it
 * stands for (one term, or every term with the prefix). */
struct gphr {
  uint32_t from[8], to[8];
  size_t n;
};

/* 0 when a word of the phrase is in no offering (or it has no words). */
static int phrase_ranges(struct sk_searcher *s, const char *text, size_t len, int star, struct gphr *ph) {
  const struct sks_index *ix = &s->snap->ix;
  struct tok_list l;
  l.n = 0;
  sk_words(text, len, take_tok, &l);
  ph->n = l.n;
  if (!l.n)
    return 0;
  struct sk_buf b;
  sk_buf_init(&b, 4 * SK_TOKEN_MAX);
  for (size_t k = 0; k < l.n; k++) {
    if (star && k == l.n - 1) {
      sks_index_prefix(ix, l.tok[k].t, l.tok[k].n, &ph->from[k], &ph->to[k]);
    } else {
      sk_buf_reset(&b);
      int t = sk_stemmer_stem(s->stem, l.tok[k].t, l.tok[k].n, &b) == SK_OK
                  ? sks_index_find(ix, sk_buf_str(&b), b.len)
                  : -1;
      ph->from[k] = t < 0 ? 0 : (uint32_t)t;
      ph->to[k] = t < 0 ? 0 : (uint32_t)t + 1;
    }
    if (ph->from[k] == ph->to[k]) {
      sk_buf_free(&b);
      return 0;
    }
  }
  sk_buf_free(&b);
  return 1;
}

#define MAX_PHRASES 64

/* The phrases of a group expression as this module writes it: quoted
 * phrases, "x"* for a prefix, joined by OR, in parentheses. Phrases with
 * a word in no offering are left out. */
static size_t group_phrases(struct sk_searcher *s, const char *expr, struct gphr *out, size_t max) {
  size_t np = 0;
  char text[2 * SK_TOKEN_MAX + 8];
  for (const char *p = expr; *p && np < max;) {
    if (*p != '"') {
      p++;
      continue;
    }
    size_t n = 0;
    p++;
    while (*p) {
      if (*p == '"' && p[1] == '"') {
        if (n < sizeof text - 1)
          text[n++] = '"';
        p += 2;
      } else if (*p == '"') {
        p++;
        break;
      } else {
        if (n < sizeof text - 1)
          text[n++] = *p;
        p++;
      }
    }
    text[n] = '\0';
    int star = *p == '*';
    if (phrase_ranges(s, text, n, star, &out[np]))
      np++;
  }
  return np;
}

/* Postings of one token (summed over its terms): an upper bound of the
 * offerings it is in. */
static size_t token_df(const struct sks_index *ix, const struct gphr *ph, size_t k) {
  size_t df = 0;
  for (uint32_t t = ph->from[k]; t < ph->to[k]; t++)
    df += ix->off[t + 1] - ix->off[t];
  return df;
}

/* An upper bound of a phrase's offerings: its rarest token's. */
static size_t phrase_df(const struct sks_index *ix, const struct gphr *ph) {
  size_t m = SIZE_MAX;
  for (size_t k = 0; k < ph->n; k++) {
    size_t d = token_df(ix, ph, k);
    if (d < m)
      m = d;
  }
  return m == SIZE_MAX ? 0 : m;
}

/* The offerings a phrase is in, estimated without walking its postings
 * (for the idf of a capped group): a prefix's terms as independent
 * (1 - the product of their misses), a phrase's words likewise (the
 * product of their hits), never more than its rarest token. */
static double phrase_hits(const struct sks_index *ix, const struct gphr *ph) {
  double n = ix->n_rows ? ix->n_rows : 1, all = 1;
  for (size_t k = 0; k < ph->n; k++) {
    double miss = 1;
    for (uint32_t t = ph->from[k]; t < ph->to[k]; t++)
      miss *= 1.0 - (ix->off[t + 1] - ix->off[t]) / n;
    all *= 1.0 - miss;
  }
  double est = all * n, cap = (double)phrase_df(ix, ph);
  if (ph->n == 1 && ph->to[0] == ph->from[0] + 1)
    return cap; /* one term: exact */
  return est < 1 ? 1 : est > cap ? cap : est;
}

/* The postings a group would walk (a term shared by its phrases, like a
 * word and the same word as a prefix, counted once): decides whether it
 * is capped. */
static size_t group_size(struct sk_searcher *s, const char *expr) {
  const struct sks_index *ix = &s->snap->ix;
  struct gphr ph[MAX_PHRASES];
  size_t np = group_phrases(s, expr, ph, MAX_PHRASES), sum = 0;
  for (size_t i = 0; i < np; i++) {
    if (ph[i].n > 1) {
      sum += phrase_df(ix, &ph[i]);
      continue;
    }
    for (uint32_t t = ph[i].from[0]; t < ph[i].to[0]; t++) {
      int seen = 0;
      for (size_t j = 0; j < i && !seen; j++)
        seen = ph[j].n == 1 && t >= ph[j].from[0] && t < ph[j].to[0];
      if (!seen)
        sum += ix->off[t + 1] - ix->off[t];
    }
  }
  return sum;
}

/* One phrase evaluated on the in-memory index with FTS5's bm25 (same idf,
 * k1, b, column weights and document length), its scores added into the
 * group accumulator. A phrase of several words ("rood staan") is
 * approximated as all of its words in the offering (the index keeps no
 * positions); its frequency is the smallest one. */
static void eval_phrase(struct sk_searcher *s, const struct gphr *ph) {
  const struct sks_snap *sn = s->snap;
  const struct sks_index *ix = &sn->ix;
  if (ph->n == 1 && ph->to[0] == ph->from[0] + 1) { /* one term: its postings as they are */
    uint32_t t = ph->from[0], a = ix->off[t], e = ix->off[t + 1];
    double idf = sks_index_idf(ix, e - a);
    for (uint32_t i = a; i < e; i++) {
      uint32_t rid = ix->rid[i];
      if (!sn->docs[rid].flags)
        continue;
      double wf = ix->wf[i];
      group_add(s, rid, (float)(idf * wf * (1.2 + 1.0) / (wf + ix->norm[rid])));
    }
    return;
  }
  /* several terms: per offering, the frequency over the prefix's terms,
   * and for a phrase the number of its words present */
  if (++s->p_gen == 0) {
    memset(s->p_stamp, 0, s->scratch_cap * sizeof *s->p_stamp);
    s->p_gen = 1;
  }
  size_t np = 0;
  for (size_t k = 0; k < ph->n; k++)
    for (uint32_t t = ph->from[k]; t < ph->to[k]; t++)
      for (uint32_t i = ix->off[t]; i < ix->off[t + 1]; i++) {
        uint32_t rid = ix->rid[i];
        float wf = ix->wf[i];
        if (k == 0) {
          if (s->p_stamp[rid] != s->p_gen) {
            s->p_stamp[rid] = s->p_gen;
            s->p_cnt[rid] = 1;
            s->p_wf[rid] = wf;
            s->p_list[np++] = rid;
          } else {
            s->p_wf[rid] += wf;
          }
        } else if (s->p_stamp[rid] == s->p_gen && s->p_cnt[rid] >= k) {
          if (s->p_cnt[rid] == k) {
            s->p_cnt[rid] = (uint8_t)(k + 1);
            if (wf < s->p_wf[rid])
              s->p_wf[rid] = wf;
          }
        }
      }
  uint32_t n_hit = 0;
  for (size_t i = 0; i < np; i++)
    n_hit += s->p_cnt[s->p_list[i]] == ph->n;
  double idf = sks_index_idf(ix, n_hit);
  for (size_t i = 0; i < np; i++) {
    uint32_t rid = s->p_list[i];
    if (s->p_cnt[rid] != ph->n || !sn->docs[rid].flags)
      continue;
    double wf = s->p_wf[rid];
    group_add(s, rid, (float)(idf * wf * (1.2 + 1.0) / (wf + ix->norm[rid])));
  }
}

/* A group expression's postings with bm25 scores. */
static int eval_expr(struct sk_searcher *s, const char *expr, uint32_t **rid_out, float **sc_out, size_t *n_out) {
  *rid_out = NULL;
  *sc_out = NULL;
  *n_out = 0;
  if (++s->g_gen == 0) {
    memset(s->g_stamp, 0, s->scratch_cap * sizeof *s->g_stamp);
    s->g_gen = 1;
  }
  s->g_n = 0;
  struct gphr ph[MAX_PHRASES];
  size_t nph = group_phrases(s, expr, ph, MAX_PHRASES);
  for (size_t i = 0; i < nph; i++)
    eval_phrase(s, &ph[i]);
  size_t n = s->g_n;
  uint32_t *rid = malloc((n ? n : 1) * sizeof *rid);
  float *sc = malloc((n ? n : 1) * sizeof *sc);
  if (!rid || !sc) {
    free(rid);
    free(sc);
    return SK_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    rid[i] = s->g_list[i];
    sc[i] = s->g_acc[rid[i]];
  }
  *rid_out = rid;
  *sc_out = sc;
  *n_out = n;
  return SK_OK;
}

/* ---- capped groups: a word in a large share of all offerings ---- */

/* First index in v[lo, hi) with v[i] >= x (v ascending), galloping from lo. */
static uint32_t gallop(const uint32_t *v, uint32_t lo, uint32_t hi, uint32_t x) {
  if (lo >= hi || v[lo] >= x)
    return lo;
  uint32_t prev = lo, step = 1, cur = lo + 1;
  while (cur < hi && v[cur] < x) {
    prev = cur;
    step <<= 1;
    cur = hi - prev > step ? prev + step : hi;
  }
  uint32_t l = prev + 1, h = cur;
  while (l < h) {
    uint32_t m = l + (h - l) / 2;
    if (v[m] < x)
      l = m + 1;
    else
      h = m;
  }
  return l;
}

/* Where a term's postings meet the probe set c[0..n): both are sorted by
 * rid, so the shorter one is walked and each of its rids searched in the
 * longer one by galloping; memory is read in order (a random lookup per
 * posting is what made common words slow). For each match j: with idf > 0
 * the term's bm25 goes straight into sc[j] (a phrase of one term), else
 * its frequency is added to tw[j] and j listed in l when new there. */
struct probe_out {
  float *sc, *tw;
  uint8_t *hit;
  uint32_t *l;
  size_t nl;
  double idf;
};

static void probe_match(const struct sks_index *ix, const uint32_t *c, uint32_t j, uint32_t i, struct probe_out *o) {
  float wf = ix->wf[i];
  if (o->idf > 0) {
    o->sc[j] += (float)(o->idf * wf * (1.2 + 1.0) / (wf + ix->norm[c[j]]));
    o->hit[j] = 1;
    return;
  }
  if (o->tw[j] == 0)
    o->l[o->nl++] = j;
  o->tw[j] += wf;
}

static void probe_term(struct sk_searcher *s, uint32_t t, const uint32_t *c, size_t n, struct probe_out *o) {
  const struct sks_index *ix = &s->snap->ix;
  uint32_t a = ix->off[t], e = ix->off[t + 1];
  if ((size_t)(e - a) < n) {
    uint32_t j = 0;
    for (uint32_t i = a; i < e && j < n; i++) {
      j = gallop(c, j, (uint32_t)n, ix->rid[i]);
      if (j < n && c[j] == ix->rid[i])
        probe_match(ix, c, j, i, o);
    }
    return;
  }
  uint32_t pos = a;
  for (size_t j = 0; j < n && pos < e; j++) {
    pos = gallop(ix->rid, pos, e, c[j]);
    if (pos < e && ix->rid[pos] == c[j])
      probe_match(ix, c, (uint32_t)j, pos, o);
  }
}

/* A group's bm25 for each offering of the probe set c[0..n) (rids
 * ascending): sc[j] (0 when not in it; hit[j] = 1 when it is). Exact for a
 * word; for a prefix or a phrase the number of offerings behind the idf is
 * estimated (sum or smallest of the terms'). pr_tw and pr_cnt are zero
 * before and after. */
static void probe_group(struct sk_searcher *s, const char *expr, const uint32_t *c, size_t n, float *sc,
                        uint8_t *hit) {
  const struct sks_index *ix = &s->snap->ix;
  memset(sc, 0, n * sizeof *sc);
  memset(hit, 0, n);
  float *tw = s->pr_tw, *pw = s->pr_pw;
  uint8_t *cnt = s->pr_cnt;
  struct gphr ph[MAX_PHRASES];
  size_t nph = group_phrases(s, expr, ph, MAX_PHRASES);
  for (size_t i = 0; i < nph; i++) {
    const struct gphr *g = &ph[i];
    double hits = phrase_hits(ix, g);
    double idf = sks_index_idf(ix, (uint32_t)(hits < ix->n_rows ? hits : ix->n_rows));
    struct probe_out o = {sc, tw, hit, s->pr_l0, 0, 0};
    if (g->n == 1 && g->to[0] == g->from[0] + 1) {
      o.idf = idf;
      probe_term(s, g->from[0], c, n, &o);
      continue;
    }
    /* per offering: the frequency summed over a prefix's terms; for a
     * phrase the smallest of its words', present when all are */
    for (uint32_t t = g->from[0]; t < g->to[0]; t++)
      probe_term(s, t, c, n, &o);
    size_t n0 = o.nl;
    for (size_t m = 0; m < n0; m++) {
      uint32_t j = s->pr_l0[m];
      pw[j] = tw[j];
      cnt[j] = 1;
      tw[j] = 0;
    }
    for (size_t k = 1; k < g->n; k++) {
      struct probe_out ok = {sc, tw, hit, s->pr_l1, 0, 0};
      for (uint32_t t = g->from[k]; t < g->to[k]; t++)
        probe_term(s, t, c, n, &ok);
      for (size_t m = 0; m < ok.nl; m++) {
        uint32_t j = s->pr_l1[m];
        if (cnt[j] == k) {
          cnt[j]++;
          if (tw[j] < pw[j])
            pw[j] = tw[j];
        }
        tw[j] = 0;
      }
    }
    for (size_t m = 0; m < n0; m++) {
      uint32_t j = s->pr_l0[m];
      if (cnt[j] == g->n) { /* c holds offerings of the snapshot only */
        double wf = pw[j];
        sc[j] += (float)(idf * wf * (1.2 + 1.0) / (wf + ix->norm[c[j]]));
        hit[j] = 1;
      }
      cnt[j] = 0;
    }
  }
}

static void touch(struct sk_searcher *s, uint32_t rid);

/* Seed the candidates with a capped group's best offerings: each of its
 * terms gets an even share of sks_caps.seed_budget (at least 1/32 of it),
 * taken from the head of its impact list (best first), or its postings
 * when it has no list (then it has fewer than impact_min_df); a
 * phrase by its first word. */
static void seed_group(struct sk_searcher *s, const char *expr) {
  const struct sks_snap *sn = s->snap;
  const struct sks_index *ix = &sn->ix;
  struct gphr ph[MAX_PHRASES];
  size_t nph = group_phrases(s, expr, ph, MAX_PHRASES), n_terms = 0;
  for (size_t i = 0; i < nph; i++)
    n_terms += ph[i].to[0] - ph[i].from[0];
  size_t share = sks_caps.seed_budget / (n_terms ? n_terms : 1);
  if (share < sks_caps.seed_budget / 32)
    share = sks_caps.seed_budget / 32;
  for (size_t i = 0; i < nph; i++)
    for (uint32_t t = ph[i].from[0]; t < ph[i].to[0]; t++) {
      uint32_t a = ix->imp_off[t], e = ix->imp_off[t + 1];
      const uint32_t *v = ix->imp_rid;
      if (a == e) {
        a = ix->off[t];
        e = ix->off[t + 1];
        v = ix->rid;
      }
      if (e - a > share)
        e = a + (uint32_t)share;
      for (uint32_t k = a; k < e; k++)
        if (sn->docs[v[k]].flags)
          touch(s, v[k]);
    }
}

static int postings(struct sk_searcher *s, const char *expr, const struct sks_post **out) {
  uint64_t h = fnv(expr);
  size_t victim = 0;
  uint64_t oldest = UINT64_MAX;
  for (size_t i = 0; i < SKS_POST_CACHE; i++) {
    struct sks_post *p = &s->cache[i];
    if (p->key && p->hash == h && strcmp(p->key, expr) == 0) {
      p->used = ++s->tick;
      *out = p;
      return SK_OK;
    }
    if (!p->key) {
      if (oldest) {
        oldest = 0;
        victim = i;
      }
    } else if (p->used < oldest) {
      oldest = p->used;
      victim = i;
    }
  }
  uint32_t *rid = NULL;
  float *sc = NULL;
  size_t n = 0;
  int rc = eval_expr(s, expr, &rid, &sc, &n);
  if (rc)
    return rc;
  /* evict until there is room */
  struct sks_post *p = &s->cache[victim];
  size_t bytes = n * (sizeof *rid + sizeof *sc) + strlen(expr) + 64;
  while (s->cache_bytes + bytes > SKS_POST_CACHE_BYTES) {
    size_t lru = SKS_POST_CACHE;
    uint64_t o = UINT64_MAX;
    for (size_t i = 0; i < SKS_POST_CACHE; i++)
      if (s->cache[i].key && s->cache[i].used < o)
        o = s->cache[i].used, lru = i;
    if (lru == SKS_POST_CACHE)
      break;
    s->cache_bytes -= s->cache[lru].bytes;
    free(s->cache[lru].key);
    free(s->cache[lru].rid);
    free(s->cache[lru].score);
    memset(&s->cache[lru], 0, sizeof s->cache[lru]);
  }
  if (p->key) {
    s->cache_bytes -= p->bytes;
    free(p->key);
    free(p->rid);
    free(p->score);
  }
  p->key = strdup(expr);
  if (!p->key) {
    free(rid);
    free(sc);
    memset(p, 0, sizeof *p);
    return SK_ENOMEM;
  }
  p->hash = h;
  p->rid = rid;
  p->score = sc;
  p->n = (uint32_t)n;
  p->used = ++s->tick;
  p->bytes = bytes;
  s->cache_bytes += bytes;
  *out = p;
  return SK_OK;
}

/* ------------------------------------------------------------------ */
/* query understanding                                                 */

enum { W_TEXT, W_STOP, W_NEED, W_TG, W_PLACE, W_LEX };

struct qword {
  char f[SK_TOKEN_MAX + 4]; /* folded */
  size_t flen;
  char stem[SK_TOKEN_MAX + 4];
  int role;
  int prefix;    /* the last word, still being typed */
  int phrase;    /* index of the concept phrase it belongs to, -1 */
  int first;     /* first word of its phrase */
  const char *corr; /* the correction (word cache), or NULL */
  int replaced;     /* 1: corr is searched instead of the word */
  int upper;        /* written with a capital letter */
  const struct sks_lex_entry *lex; /* W_LEX: the lexicon entry it belongs to */
  const char *form; /* another form of the same word, for concepts (word cache), or NULL */
};

struct analysis {
  struct qword w[MAX_WORDS];
  size_t n;
  int ends_in_word;
  /* recognised concepts */
  int need_concepts[8];
  size_t n_need;
  int tg_concepts[4];
  size_t n_tg;
  int place; /* area bit of a place name, -1 */
  struct sks_needmask lex_needs; /* needs reached through the lexicon */
  int n_lex;                     /* lexicon entries matched */
  int crisis;
  int corrected; /* a did-you-mean exists */
  int replaced;  /* some word was searched as its correction */
  /* FTS groups */
  char *req[MAX_GROUPS];
  size_t n_req;
  char *opt[MAX_GROUPS]; /* concept words: optional, add score */
  size_t n_opt;
  char *boost[MAX_GROUPS]; /* target group words: only add score */
  size_t n_boost;
  char *lexg[MAX_GROUPS]; /* lexicon words found as written: optional, add score */
  size_t n_lexg;
  struct sk_buf hl; /* OR of every group, for highlighting */
  /* the same terms for the highlighter: stems, or folded prefixes */
  struct {
    char t[SK_TOKEN_MAX + 4];
    int prefix;
  } hlt[64];
  size_t n_hlt;
};

/* Collect the quoted terms of the highlight expression as stems (or
 * folded prefixes for "x"*), so items are marked in C, not by an FTS
 * query per item. */
static void hl_terms(struct sk_searcher *s, struct analysis *a) {
  const char *p = sk_buf_str(&a->hl);
  struct sk_buf b;
  sk_buf_init(&b, 4 * SK_TOKEN_MAX);
  while ((p = strchr(p, '"')) && a->n_hlt < 64) {
    const char *e = strchr(p + 1, '"');
    if (!e)
      break;
    size_t n = (size_t)(e - p - 1);
    int prefix = e[1] == '*';
    /* a phrase ("rood staan"): each of its words */
    const char *w = p + 1;
    while (w < e && a->n_hlt < 64) {
      const char *sp = memchr(w, ' ', (size_t)(e - w));
      size_t wl = sp ? (size_t)(sp - w) : (size_t)(e - w);
      if (wl && wl <= SK_TOKEN_MAX) {
        sk_buf_reset(&b);
        int last = !sp;
        if (prefix && last) {
          memcpy(a->hlt[a->n_hlt].t, w, wl);
          a->hlt[a->n_hlt].t[wl] = '\0';
          a->hlt[a->n_hlt++].prefix = 1;
        } else if (sk_stemmer_stem(s->stem, w, wl, &b) == SK_OK && b.len <= SK_TOKEN_MAX) {
          memcpy(a->hlt[a->n_hlt].t, sk_buf_str(&b), b.len + 1);
          a->hlt[a->n_hlt++].prefix = 0;
        }
      }
      w += wl + 1;
    }
    (void)n;
    p = e + 1;
  }
  sk_buf_free(&b);
}

struct hl_ctx {
  struct sk_searcher *s;
  const struct analysis *a;
  struct { size_t start, end; int hit; } w[256];
  size_t n;
  struct sk_buf b;
};

static int hl_word(void *ctx, const char *word, size_t len, size_t start, size_t end) {
  struct hl_ctx *c = ctx;
  if (c->n >= 256)
    return 1;
  int hit = 0;
  sk_buf_reset(&c->b);
  int stemmed = 0;
  for (size_t i = 0; i < c->a->n_hlt && !hit; i++) {
    const char *t = c->a->hlt[i].t;
    if (c->a->hlt[i].prefix) {
      hit = strncmp(word, t, strlen(t)) == 0;
    } else {
      /* a stem is (nearly) a prefix of its word: skip stemming when the
       * first letters already differ */
      size_t tl = strlen(t), k = tl < 3 ? tl : 3;
      if (len < k || memcmp(word, t, k) != 0)
        continue;
      if (!stemmed) {
        stemmed = 1;
        if (sk_stemmer_stem(c->s->stem, word, len, &c->b))
          return 1;
      }
      hit = strcmp(sk_buf_str(&c->b), t) == 0;
    }
  }
  c->w[c->n].start = start;
  c->w[c->n].end = end;
  c->w[c->n].hit = hit;
  c->n++;
  return 0;
}

/* Segments of text[0..n) with matches marked; window > 0 keeps about
 * that many words around the first match, with "…" where it is cut. */
static int mark_text(struct sk_searcher *s, const struct analysis *an, struct sk_arena *ar, const char *text,
                     size_t n, size_t window, struct sk_search_segment **out, size_t *nseg, int *any_hit) {
  *out = NULL;
  *nseg = 0;
  if (!text || !n)
    return SK_OK;
  struct hl_ctx *c = malloc(sizeof *c);
  if (!c)
    return SK_ENOMEM;
  c->s = s;
  c->a = an;
  c->n = 0;
  sk_buf_init(&c->b, 4 * SK_TOKEN_MAX);
  sk_words(text, n, hl_word, c);
  sk_buf_free(&c->b);
  size_t from = 0, to = n, w0 = 0, w1 = c->n;
  if (window && c->n > window) {
    size_t first = 0;
    while (first < c->n && !c->w[first].hit)
      first++;
    if (first == c->n)
      first = 0;
    w0 = first > 4 ? first - 4 : 0;
    w1 = w0 + window < c->n ? w0 + window : c->n;
    from = w0 ? c->w[w0].start : 0;
    to = w1 < c->n ? c->w[w1 - 1].end : n;
  }
  struct sk_search_segment *seg = sk_arena_alloc(ar, (2 * (w1 - w0) + 3) * sizeof *seg);
  if (!seg) {
    free(c);
    return SK_ENOMEM;
  }
  size_t k = 0, pos = from;
  if (from > 0)
    seg[k++] = (struct sk_search_segment){"…", 0};
  for (size_t i = w0; i < w1; i++) {
    if (!c->w[i].hit)
      continue;
    if (c->w[i].start > pos)
      seg[k++] = (struct sk_search_segment){sk_arena_strndup(ar, text + pos, c->w[i].start - pos), 0};
    seg[k++] = (struct sk_search_segment){sk_arena_strndup(ar, text + c->w[i].start, c->w[i].end - c->w[i].start), 1};
    *any_hit = 1;
    pos = c->w[i].end;
  }
  if (to > pos)
    seg[k++] = (struct sk_search_segment){sk_arena_strndup(ar, text + pos, to - pos), 0};
  if (to < n)
    seg[k++] = (struct sk_search_segment){"…", 0};
  free(c);
  for (size_t i = 0; i < k; i++)
    if (!seg[i].text)
      return SK_ENOMEM;
  *out = seg;
  *nseg = k;
  return SK_OK;
}

struct collect_ctx {
  struct analysis *a;
  struct sk_stemmer *stem;
  const char *q;
};

static int collect_word(void *ctx, const char *word, size_t len, size_t start, size_t end) {
  (void)end;
  struct collect_ctx *c = ctx;
  if (c->a->n >= MAX_WORDS)
    return 1;
  struct qword *w = &c->a->w[c->a->n];
  memset(w, 0, sizeof *w);
  w->upper = c->q[start] >= 'A' && c->q[start] <= 'Z';
  memcpy(w->f, word, len);
  w->f[len] = '\0';
  w->flen = len;
  w->phrase = -1;
  struct sk_buf b;
  sk_buf_init(&b, 4 * SK_TOKEN_MAX);
  const char *st = sk_stemmer_stem(c->stem, word, len, &b) == SK_OK ? sk_buf_str(&b) : word;
  size_t sl = strlen(st);
  if (sl > SK_TOKEN_MAX)
    sl = SK_TOKEN_MAX;
  memcpy(w->stem, st, sl);
  w->stem[sl] = '\0';
  sk_buf_free(&b);
  c->a->n++;
  return 0;
}

/* Match the words against concept phrases, longest first. */
static void find_concepts(struct sk_searcher *s, struct analysis *a) {
  a->place = -1;
  for (size_t i = 0; i < a->n;) {
    int best = -1, best_q = -1;
    size_t best_len = 0;
    for (size_t p = 0; p < s->n_phrases; p++) {
      const struct sks_phrase *ph = &s->phrases[p];
      if (ph->n < best_len || (ph->n == best_len && best_q == 2) || i + ph->n > a->n)
        continue;
      /* quality: 2 as written, 1 through the stem, 0 still being typed */
      size_t k = 0;
      int qual = 2;
      for (; k < ph->n; k++) {
        const struct qword *w = &a->w[i + k];
        const char *qf = w->replaced ? w->corr : w->f;
        if (sks_streq(qf, ph->words[k]) || (w->corr && sks_streq(w->corr, ph->words[k])) ||
            (w->form && sks_streq(w->form, ph->words[k])))
          continue;
        if (sks_streq(w->stem, ph->stems[k])) {
          qual = qual < 1 ? qual : 1;
          continue;
        }
        /* as-you-type: "mantelzorgo" already means "mantelzorgondersteuning" */
        if (w->prefix && !w->replaced && i + k == a->n - 1 && w->flen >= 5 &&
            strncmp(ph->words[k], w->f, w->flen) == 0 && k == ph->n - 1) {
          qual = 0;
          continue;
        }
        break;
      }
      if (k == ph->n && (ph->n > best_len || qual > best_q)) {
        best = (int)p;
        best_len = ph->n;
        best_q = qual;
      }
    }
    if (best < 0) {
      i++;
      continue;
    }
    const struct sks_phrase *ph = &s->phrases[best];
    int role = ph->vocab == SK_VOCAB_NEED ? W_NEED : ph->vocab == SK_VOCAB_TARGET_GROUP ? W_TG : W_PLACE;
    for (size_t k = 0; k < best_len; k++) {
      a->w[i + k].role = role;
      a->w[i + k].phrase = best;
      a->w[i + k].first = k == 0;
    }
    if (role == W_NEED) {
      size_t j = 0;
      while (j < a->n_need && a->need_concepts[j] != ph->idx)
        j++;
      if (j == a->n_need && a->n_need < 8)
        a->need_concepts[a->n_need++] = ph->idx;
      if (ph->term->crisis)
        a->crisis = 1;
    } else if (role == W_TG) {
      size_t j = 0;
      while (j < a->n_tg && a->tg_concepts[j] != ph->idx)
        j++;
      if (j == a->n_tg && a->n_tg < 4)
        a->tg_concepts[a->n_tg++] = ph->idx;
    } else if (a->place < 0) {
      a->place = ph->idx;
    }
    i += best_len;
  }
}

/* The extent [from, to) of the concept phrase word k belongs to. */
static void concept_span(const struct analysis *a, size_t k, size_t *from, size_t *to) {
  size_t i = k;
  while (i > 0 && !a->w[i].first && a->w[i - 1].phrase == a->w[k].phrase)
    i--;
  size_t j = i + 1;
  while (j < a->n && a->w[j].phrase == a->w[k].phrase && !a->w[j].first)
    j++;
  *from = i;
  *to = j;
}

/* Hook: the lexicon after the taxonomy's concepts. A resident's word or
 * phrase ("spijbelen", "geen geld voor eten") stands for its needs; it
 * takes words from a taxonomy concept only when it is longer and covers it
 * whole, never from a crisis concept or a place. */
static void lexicon_concepts(struct sk_searcher *s, struct analysis *a) {
  const char *f[MAX_WORDS], *st[MAX_WORDS];
  uint8_t ok[MAX_WORDS];
  memset(&a->lex_needs, 0, sizeof a->lex_needs);
  a->n_lex = 0;
  for (size_t i = 0; i < a->n; i++) {
    f[i] = a->w[i].replaced ? a->w[i].corr : a->w[i].f;
    st[i] = a->w[i].stem;
    ok[i] = a->w[i].role != W_PLACE;
    a->w[i].lex = NULL;
  }
  for (size_t i = 0; i < a->n;) {
    size_t len = 0;
    const struct sks_lex_entry *x = sks_lex_longest(s->lex, f, st, ok, a->n, i, &len);
    if (!x || x->kind != SKS_LEX_NEED) {
      i++;
      continue;
    }
    int accept = 1;
    for (size_t k = i; k < i + len && accept; k++) {
      if (a->w[k].role == W_TEXT)
        continue;
      size_t from, to;
      concept_span(a, k, &from, &to);
      const struct sks_phrase *ph = &s->phrases[a->w[k].phrase];
      /* a target group's word ("student", "huisarts") is no need: the
       * lexicon's entry of the same length says which need it is */
      size_t shorter = a->w[k].role == W_TG ? len + 1 : len;
      accept = from >= i && to <= i + len && to - from < shorter && !ph->term->crisis;
    }
    if (!accept) {
      i++;
      continue;
    }
    /* a compound read through its parts ("gokprobleem"): its needs count,
     * and the word stays text, so that it is still split into the parts
     * the index has ("kinderpraatgroep": kinderen + praatgroep) */
    int compound = len == 1 && x->n_words == 1 && a->w[i].role == W_TEXT && strcmp(x->words[0], f[i]) != 0 &&
                   strcmp(x->stems[0], st[i]) != 0;
    /* a compound that the texts use as it is ("jeugdgezondheidszorg") is
     * better found by those texts than by the needs of one of its parts */
    if (compound && s->snap && sks_word_find(s->snap, f[i], strlen(f[i])) >= 0) {
      i++;
      continue;
    }
    for (size_t k = i; k < i + len && !compound; k++) {
      a->w[k].role = W_LEX;
      a->w[k].phrase = -1;
      a->w[k].first = k == i;
    }
    for (size_t k = i; k < i + len; k++)
      a->w[k].lex = x; /* a W_TEXT word with lex: a compound read through its parts */
    a->lex_needs.w[0] |= x->needs.w[0];
    a->lex_needs.w[1] |= x->needs.w[1];
    a->n_lex++;
    i += len;
  }
}

/* Hook: which municipality words are places (sk_place.c), and the words
 * that belong to them ("gemeente", "in"). */
static void place_concepts(struct sk_searcher *s, struct analysis *a) {
  struct sks_place_word pw[MAX_WORDS];
  uint8_t keep[MAX_WORDS], marker[MAX_WORDS];
  for (size_t i = 0; i < a->n; i++) {
    struct qword *w = &a->w[i];
    if (w->role == W_PLACE) {
      /* a place as written, not through a stem: "huis" is not Huizen */
      const struct sks_phrase *ph = &s->phrases[w->phrase];
      int written = 0;
      for (size_t k = 0; k < ph->n && !written; k++)
        written = strcmp(ph->words[k], w->f) == 0;
      if (!written)
        w->role = W_TEXT, w->phrase = -1, w->first = 0;
    }
    pw[i].f = w->f;
    pw[i].upper = w->upper;
    pw[i].is_place = w->role == W_PLACE;
    pw[i].free = w->role == W_TEXT;
  }
  sks_place_review(s->lex, pw, a->n, keep, marker);
  a->place = -1;
  for (size_t i = 0; i < a->n; i++) {
    struct qword *w = &a->w[i];
    if (w->role == W_PLACE && !keep[i]) {
      w->role = W_TEXT;
      w->phrase = -1;
      w->first = 0;
    } else if (w->role == W_PLACE && a->place < 0) {
      a->place = s->phrases[w->phrase].idx;
    }
  }
  if (a->place < 0)
    return;
  for (size_t i = 0; i < a->n; i++)
    if (marker[i])
      a->w[i].role = W_PLACE, a->w[i].phrase = -1;
}

/* The taxonomy's concepts, then the resident's words, then the places. */
static void concepts(struct sk_searcher *s, struct analysis *a) {
  find_concepts(s, a);
  place_concepts(s, a);
  lexicon_concepts(s, a);
}

static int add_quoted(struct sk_buf *b, const char *w, int star) {
  int rc = sk_buf_addc(b, '"');
  for (const char *p = w; !rc && *p; p++)
    rc = *p == '"' ? sk_buf_add(b, "\"\"", 2) : sk_buf_addc(b, *p);
  if (!rc)
    rc = sk_buf_addc(b, '"');
  if (!rc && star)
    rc = sk_buf_addc(b, '*');
  return rc;
}

/* Compound words of the index that contain w as a part: "centrum" ->
 * "wijkcentrum", "schuld" -> "schuldhulpverlening". The rest of the
 * compound must be 3+ letters, so "taal" does not bring "totaal". */
static int add_compounds(struct sk_searcher *s, const char *w, size_t wl, struct sk_buf *b) {
  const struct sks_snap *sn = s->snap;
  if (wl < 4)
    return SK_OK;
  uint32_t best[MAX_COMPOUNDS];
  size_t nb = 0;
  for (size_t i = 0; i < sn->n_words; i++) {
    const struct sks_word *x = &sn->words[i];
    if (x->len < wl + 3)
      continue;
    const char *hit = memmem(x->w, x->len, w, wl);
    if (!hit)
      continue;
    size_t before = (size_t)(hit - x->w), after = x->len - before - wl;
    if ((before && before < 3) || (after && after < 3))
      continue;
    /* keep the most frequent ones */
    if (nb < MAX_COMPOUNDS) {
      best[nb++] = (uint32_t)i;
    } else {
      size_t lo = 0;
      for (size_t k = 1; k < nb; k++)
        if (sn->words[best[k]].df < sn->words[best[lo]].df)
          lo = k;
      if (x->df > sn->words[best[lo]].df)
        best[lo] = (uint32_t)i;
    }
  }
  int rc = SK_OK;
  char tmp[64];
  for (size_t k = 0; k < nb && !rc; k++) {
    snprintf(tmp, sizeof tmp, "%.*s", (int)sn->words[best[k]].len, sn->words[best[k]].w);
    rc = sk_buf_addstr(b, " OR ");
    if (!rc)
      rc = add_quoted(b, tmp, 0);
  }
  return rc;
}

static int group_expr(struct sk_searcher *s, const char *w, int prefix, struct sk_buf *b) {
  sk_buf_reset(b);
  int rc = sk_buf_addc(b, '(');
  if (!rc)
    rc = add_quoted(b, w, 0);
  if (!rc && prefix && strlen(w) >= 2) {
    rc = sk_buf_addstr(b, " OR ");
    if (!rc)
      rc = add_quoted(b, w, 1);
  }
  if (!rc)
    rc = add_compounds(s, w, strlen(w), b);
  if (!rc)
    rc = sk_buf_addc(b, ')');
  return rc;
}

/* The closest word of the index within an edit distance that grows with
 * the length of the word; NULL when there is none. */
static const struct sks_word *typo_candidate(struct sk_searcher *s, const char *w, size_t wl) {
  const struct sks_snap *sn = s->snap;
  int maxd = wl < 5 ? 0 : wl < 8 ? 1 : 2;
  if (!maxd || wl > 40 || !sn->n_words)
    return NULL;
  if (s->tri_cap < sn->n_words) {
    free(s->tri_count);
    free(s->tri_touched);
    s->tri_count = calloc(sn->n_words, sizeof *s->tri_count);
    s->tri_touched = malloc(sn->n_words * sizeof *s->tri_touched);
    s->tri_cap = s->tri_count && s->tri_touched ? sn->n_words : 0;
    if (!s->tri_cap)
      return NULL;
  }
  size_t nt = 0;
  for (size_t k = 0; k + 3 <= wl; k++) {
    uint32_t bkt = sks_tri_bucket(w + k);
    for (uint32_t j = sn->tri_off[bkt]; j < sn->tri_off[bkt + 1]; j++) {
      uint32_t id = sn->tri_ids[j];
      if (id == UINT32_MAX)
        continue;
      if (s->tri_count[id]++ == 0)
        s->tri_touched[nt++] = id;
    }
  }
  size_t ntri = wl - 2;
  int need = (int)ntri - 3 * maxd;
  if (need < 1)
    need = 1;
  const struct sks_word *best = NULL;
  int bestd = maxd + 1;
  for (size_t k = 0; k < nt; k++) {
    uint32_t id = s->tri_touched[k];
    int cnt = s->tri_count[id];
    s->tri_count[id] = 0;
    if (cnt < need)
      continue;
    const struct sks_word *x = &sn->words[id];
    int d = sks_damerau(w, wl, x->w, x->len, maxd);
    if (d == 0 || d > maxd)
      continue;
    /* nearest, then most frequent in the index, then a dictionary word */
    if (d < bestd || (d == bestd && best && x->df > best->df) ||
        (d == bestd && best && x->df == best->df && !sks_spell_known(best->w, best->len) &&
         sks_spell_known(x->w, x->len))) {
      best = x;
      bestd = d;
    }
  }
  return best;
}

/* A word the index does not know, split into parts it does
 * (sks_decompound): one group per part, separated by '\n', each required
 * like a word of its own ("huurachterstand": huur and achterstand) except
 * a head that is far more common than the other parts, which only adds
 * score (written "+(...)"): the head of a Dutch compound is its last part,
 * and a common one ("hulp", "begeleiding") says little, so "dementiehulp"
 * finds what is about dementie, those with hulp first, rather than only
 * texts with both words. A part's group: the part (stemmed like any
 * word), its stem as a prefix when that has 5+ letters ("beweeg" ->
 * "beweg"*: beweging, bewegingsaanbod) and the compounds of the index
 * that contain the part ("taal" -> taalhuis, taalcafe). b is left as it
 * was when there is no split (SK_ENOTFOUND). */
static int decompound(struct sk_searcher *s, const char *w, size_t wl, struct sk_buf *b) {
  struct sks_split sp;
  int rc = sks_decompound(s->snap, s->stem, w, wl, &sp);
  if (rc)
    return rc;
  sk_buf_reset(b);
  struct sk_buf st;
  sk_buf_init(&st, 4 * SK_TOKEN_MAX);
  size_t head = SKS_SPLIT_MAX;
  uint32_t rarest = UINT32_MAX; /* of the parts before the head */
  for (size_t i = 0; i < sp.n; i++)
    if (sp.part[i].searched) {
      if (head != SKS_SPLIT_MAX && sp.part[head].df < rarest)
        rarest = sp.part[head].df;
      head = i;
    }
  int head_scores = rarest != UINT32_MAX && sp.part[head].df / 4 > rarest;
  for (size_t i = 0, ng = 0; i < sp.n && !rc; i++) {
    if (!sp.part[i].searched)
      continue;
    char part[SK_TOKEN_MAX + 4];
    size_t pl = sp.part[i].len;
    snprintf(part, sizeof part, "%.*s", (int)pl, w + sp.part[i].off);
    rc = ng++ ? sk_buf_addstr(b, i == head && head_scores ? "\n+(" : "\n(") : sk_buf_addc(b, '(');
    if (!rc)
      rc = add_quoted(b, part, 0);
    sk_buf_reset(&st);
    if (!rc && sk_stemmer_stem(s->stem, part, pl, &st) == SK_OK && st.len >= 5) {
      rc = sk_buf_addstr(b, " OR ");
      if (!rc)
        rc = add_quoted(b, sk_buf_str(&st), 1);
    }
    if (!rc)
      rc = add_compounds(s, part, pl, b);
    if (!rc)
      rc = sk_buf_addc(b, ')');
  }
  sk_buf_free(&st);
  return rc;
}

/* The group of a lexicon entry's "= words": each word by its stem (not
 * its compounds: "angst" must not bring "valangst"), ORed; empty when
 * none is in the index. */
static int also_group(struct sk_searcher *s, const char *also, struct sk_buf *b) {
  struct tok_list l;
  l.n = 0;
  sk_words(also, strlen(also), take_tok, &l);
  sk_buf_reset(b);
  struct sk_buf g;
  sk_buf_init(&g, 8192);
  int rc = SK_OK;
  size_t n = 0;
  for (size_t k = 0; k < l.n && !rc; k++) {
    if (sks_is_stopword(l.tok[k].t))
      continue;
    sk_buf_reset(&g);
    if ((rc = add_quoted(&g, l.tok[k].t, 0)) != SK_OK || !group_size(s, sk_buf_str(&g)))
      continue;
    rc = sk_buf_addstr(b, n++ ? " OR " : "(");
    if (!rc)
      rc = sk_buf_addstr(b, sk_buf_str(&g));
  }
  if (!rc && n)
    rc = sk_buf_addc(b, ')');
  sk_buf_free(&g);
  return rc;
}

/* Another form of a correct word the index does not have: the word's root
 * by the dictionary as a prefix ("mishandelt" -> "mishandel"*: mishandeld,
 * mishandeling), when that finds something; the group goes to b. form[]
 * gets a form of the root that is a word of the index or of a concept
 * (root + d, t, en: "mishandeld"), else "". SK_ENOTFOUND when the root
 * finds nothing (b is then to be rebuilt). */
static int word_form(struct sk_searcher *s, const char *w, size_t wl, struct sk_buf *b, char *form,
                     size_t cap) {
  char root[SK_TOKEN_MAX + 4];
  form[0] = '\0';
  size_t rl = sks_spell_root(w, wl, root, sizeof root);
  if (!rl || group_expr(s, root, 1, b) != SK_OK || group_size(s, sk_buf_str(b)) == 0)
    return SK_ENOTFOUND;
  static const char *const endings[] = {"d", "t", "en"};
  for (size_t i = 0; i < sizeof endings / sizeof endings[0] && !form[0]; i++) {
    char f[SK_TOKEN_MAX + 8];
    int fl = snprintf(f, sizeof f, "%s%s", root, endings[i]);
    if (fl <= 0 || (size_t)fl >= cap || ((size_t)fl == wl && !memcmp(f, w, wl)))
      continue;
    int known = sks_word_find(s->snap, f, (size_t)fl) >= 0;
    for (size_t p = 0; p < s->n_phrases && !known; p++)
      for (size_t k = 0; k < s->phrases[p].n && !known; k++)
        known = strcmp(s->phrases[p].words[k], f) == 0;
    if (known)
      memcpy(form, f, (size_t)fl + 1);
  }
  return SK_OK;
}

/* The group(s) for one query word, with its correction when it is no
 * word of the index or the dictionary: cached per (word, prefix). A
 * compound split into parts gives one group per part, separated by
 * '\n' (push_groups). */
static int word_group(struct sk_searcher *s, const char *w, int prefix, const char **expr,
                      const char **corr, int *replaced) {
  char key[SK_TOKEN_MAX + 8];
  snprintf(key, sizeof key, "%c%s", prefix ? '*' : '=', w);
  uint64_t h = fnv(key);
  size_t victim = 0;
  uint64_t oldest = UINT64_MAX;
  for (size_t i = 0; i < SKS_WORD_CACHE; i++) {
    struct sks_wentry *e = &s->wcache[i];
    if (e->key && e->hash == h && strcmp(e->key, key) == 0) {
      e->used = ++s->tick;
      *expr = e->expr;
      *corr = e->corr;
      *replaced = e->replaced;
      return SK_OK;
    }
    if (!e->key) {
      if (oldest) {
        oldest = 0;
        victim = i;
      }
    } else if (e->used < oldest) {
      oldest = e->used;
      victim = i;
    }
  }
  struct sk_buf b;
  sk_buf_init(&b, 8192);
  const char *c = NULL;
  char cbuf[64] = "";
  int repl = 0;
  /* Only a word that finds nothing is looked at again (whether it finds
   * anything comes from the terms' counts: evaluating the group would walk
   * every posting of a common word); a word found through its stem or
   * inside a compound ("schuldhulpverlenig") is left as it is. Of those,
   * a correct Dutch word (sk_spell.h) is never corrected: it is split into
   * parts the index has ("energierekening"). Only an unknown word is
   * searched as the nearest word of the index ("thuisadministartie"),
   * else split too. */
  size_t wl = strlen(w);
  int rc = group_expr(s, w, prefix, &b);
  int in_index = sks_word_find(s->snap, w, wl) >= 0 || (prefix && sks_word_prefix_exists(s->snap, w, wl));
  if (!rc && !in_index && group_size(s, sk_buf_str(&b)) == 0) {
    const struct sks_word *t = sks_spell_known(w, wl) ? NULL : typo_candidate(s, w, wl);
    if (t && t->len < sizeof cbuf) {
      snprintf(cbuf, sizeof cbuf, "%.*s", (int)t->len, t->w);
      c = cbuf;
      repl = 1;
      rc = group_expr(s, cbuf, 0, &b);
    } else if (!word_form(s, w, wl, &b, cbuf, sizeof cbuf)) {
      c = cbuf[0] ? cbuf : NULL;
      repl = 2;
    } else {
      rc = group_expr(s, w, prefix, &b);
      int d = rc ? rc : decompound(s, w, wl, &b);
      rc = d == SK_ENOTFOUND ? SK_OK : d;
    }
  }
  if (rc) {
    sk_buf_free(&b);
    return rc;
  }
  struct sks_wentry *e = &s->wcache[victim];
  free(e->key);
  free(e->expr);
  free(e->corr);
  e->key = strdup(key);
  e->expr = sk_buf_detach(&b, NULL);
  e->corr = c ? strdup(c) : NULL;
  e->replaced = repl;
  e->hash = h;
  e->used = ++s->tick;
  if (!e->key || !e->expr || (c && !e->corr)) {
    free(e->key);
    free(e->expr);
    free(e->corr);
    memset(e, 0, sizeof *e);
    return SK_ENOMEM;
  }
  *expr = e->expr;
  *corr = e->corr;
  *replaced = e->replaced;
  return SK_OK;
}

/* A query in professionals' words ("verwijzer", "professionals") may show
 * offerings meant only for them. Not "huisarts": residents look for theirs. */
static int pro_words(const struct analysis *a) {
  for (size_t i = 0; i < a->n; i++)
    if (!strncmp(a->w[i].f, "professional", 12) || !strncmp(a->w[i].f, "verwijzer", 9))
      return 1;
  return 0;
}

static void analysis_free(struct analysis *a) {
  for (size_t i = 0; i < a->n_req; i++)
    free(a->req[i]);
  for (size_t i = 0; i < a->n_opt; i++)
    free(a->opt[i]);
  for (size_t i = 0; i < a->n_boost; i++)
    free(a->boost[i]);
  for (size_t i = 0; i < a->n_lexg; i++)
    free(a->lexg[i]);
  sk_buf_free(&a->hl);
}

static int hl_add(struct analysis *a, const char *expr) {
  int rc = SK_OK;
  if (a->hl.len)
    rc = sk_buf_addstr(&a->hl, " OR ");
  return rc ? rc : sk_buf_addstr(&a->hl, expr);
}

static int push_group(struct analysis *a, char **arr, size_t *n, const char *expr) {
  if (*n >= MAX_GROUPS)
    return SK_OK;
  for (size_t i = 0; i < *n; i++)
    if (strcmp(arr[i], expr) == 0)
      return SK_OK;
  arr[*n] = strdup(expr);
  if (!arr[*n])
    return SK_ENOMEM;
  (*n)++;
  return hl_add(a, expr);
}

/* The groups of one word: one, or one per part of a split compound; a
 * part written "+(...)" only adds score (decompound). */
static int push_groups(struct analysis *a, char **arr, size_t *n, const char *expr) {
  int rc = SK_OK;
  while (!rc && *expr) {
    const char *nl = strchr(expr, '\n');
    size_t len = nl ? (size_t)(nl - expr) : strlen(expr);
    int score_only = *expr == '+';
    char *one = strndup(expr + score_only, len - (size_t)score_only);
    rc = one ? push_group(a, score_only ? a->boost : arr, score_only ? &a->n_boost : n, one) : SK_ENOMEM;
    free(one);
    expr += len + (nl != NULL);
  }
  return rc;
}

static int analyse(struct sk_searcher *s, const char *q, struct analysis *a) {
  memset(a, 0, sizeof *a);
  sk_buf_init(&a->hl, 64 * 1024);
  a->place = -1;
  if (!q)
    return SK_OK;
  size_t n = strnlen(q, SK_SEARCH_Q_MAX + 1);
  if (n > SK_SEARCH_Q_MAX) {
    n = SK_SEARCH_Q_MAX;
    while (n > 0 && ((unsigned char)q[n] & 0xC0) == 0x80)
      n--;
  }
  struct collect_ctx c = {a, s->stem, q};
  sk_words(q, n, collect_word, &c);
  if (!a->n)
    return SK_OK;
  /* still typing the last word when the text ends in a letter */
  uint32_t cp;
  size_t back = n;
  while (back > 0 && ((unsigned char)q[back - 1] & 0xC0) == 0x80)
    back--;
  if (back > 0)
    back--;
  size_t k = sk_utf8_decode(q + back, n - back, &cp);
  a->ends_in_word = k && back + k == n && sk_is_word_cp(cp);
  a->w[a->n - 1].prefix = a->ends_in_word && a->n <= MAX_WORDS;
  /* concepts and places first; then typo correction for the other words
   * the index does not know, and concepts again for corrected words
   * ("mantelzorgr" -> "mantelzorger" -> Mantelzorg) */
  concepts(s, a);
  int rc = SK_OK, reformed = 0;
  const char *expr, *corr;
  for (size_t i = 0; i < a->n && !rc; i++) {
    struct qword *w = &a->w[i];
    if (w->role == W_PLACE || w->role == W_STOP || sks_is_stopword(w->f))
      continue;
    /* a concept word (crisis words among them) is never corrected: the
     * concept was found, so the word did its work */
    if (w->role != W_TEXT)
      continue;
    int repl = 0;
    rc = word_group(s, w->f, w->prefix, &expr, &corr, &repl);
    if (!rc && corr && repl == 2) {
      w->form = corr; /* not a correction: concepts again with it */
      reformed = 1;
    } else if (!rc && corr) {
      w->corr = corr;
      w->replaced = repl;
      a->corrected = 1;
      a->replaced |= repl;
    }
  }
  if (rc)
    return rc;
  if (a->corrected || reformed) {
    a->n_need = a->n_tg = 0;
    a->crisis = 0;
    for (size_t i = 0; i < a->n; i++) {
      a->w[i].role = W_TEXT;
      a->w[i].phrase = -1;
      a->w[i].first = 0;
    }
    concepts(s, a);
  }
  /* only target-group words ("huisartsen", "ouderen"): search them as text */
  int has_text = 0;
  for (size_t i = 0; i < a->n; i++)
    has_text |= a->w[i].role == W_NEED || a->w[i].role == W_LEX ||
                (a->w[i].role == W_TEXT && !sks_is_stopword(a->w[i].f));
  if (!has_text) {
    for (size_t i = 0; i < a->n; i++)
      if (a->w[i].role == W_TG) {
        a->w[i].role = W_TEXT;
        a->w[i].phrase = -1;
      }
    a->n_tg = 0;
  }
  size_t n_content = 0;
  for (size_t i = 0; i < a->n; i++) {
    struct qword *w = &a->w[i];
    if (w->role == W_TEXT && sks_is_stopword(w->f))
      w->role = W_STOP;
    if (w->role != W_STOP)
      n_content++;
  }
  if (!n_content) /* only little words: search them anyway */
    for (size_t i = 0; i < a->n; i++)
      a->w[i].role = W_TEXT;
  struct sk_buf b;
  sk_buf_init(&b, 8192);
  for (size_t i = 0; i < a->n && !rc; i++) {
    struct qword *w = &a->w[i];
    if (w->role == W_STOP || w->role == W_PLACE)
      continue;
    if (w->role == W_LEX) {
      /* the resident's word itself, when texts use it: a direct hit ranks
       * above the offerings reached only through its needs */
      if (!w->first)
        continue;
      if (w->lex->n_words == 1) {
        rc = group_expr(s, w->replaced ? w->corr : w->f, 0, &b);
      } else {
        sk_buf_reset(&b);
        rc = sk_buf_addc(&b, '"');
        /* the entry's own words: the query may have fillers between them
         * or the other order ("ik zoek werk" for "werk zoeken") */
        for (size_t j = 0; j < w->lex->n_words && !rc; j++)
          rc = sk_buf_printf(&b, "%s%s", j ? " " : "", w->lex->words[j]);
        if (!rc)
          rc = sk_buf_addc(&b, '"');
      }
      if (!rc && group_size(s, sk_buf_str(&b)) > 0)
        rc = push_group(a, a->lexg, &a->n_lexg, sk_buf_str(&b));
      /* and the words of the texts it stands for ("gepest = pesten") */
      if (!rc && w->lex->also)
        rc = also_group(s, w->lex->also, &b);
      if (!rc && b.len && group_size(s, sk_buf_str(&b)) > 0)
        rc = push_group(a, a->lexg, &a->n_lexg, sk_buf_str(&b));
      continue;
    }
    const struct sks_phrase *ph = w->phrase >= 0 ? &s->phrases[w->phrase] : NULL;
    if (ph && ph->n > 1) {
      /* a phrase concept ("rood staan"): the phrase itself, once */
      if (!w->first)
        continue;
      sk_buf_reset(&b);
      rc = sk_buf_addc(&b, '"');
      for (size_t j = 0; j < ph->n && !rc; j++)
        rc = sk_buf_printf(&b, "%s%s", j ? " " : "", ph->words[j]);
      if (!rc)
        rc = sk_buf_addc(&b, '"');
      if (!rc)
        rc = push_group(a, w->role == W_NEED ? a->opt : a->boost, w->role == W_NEED ? &a->n_opt : &a->n_boost,
                        sk_buf_str(&b));
      continue;
    }
    int repl = 0;
    if (w->replaced)
      rc = word_group(s, w->corr, 0, &expr, &corr, &repl);
    else
      rc = word_group(s, w->f, w->prefix, &expr, &corr, &repl);
    if (rc)
      break;
    if (w->role == W_TEXT)
      rc = push_groups(a, a->req, &a->n_req, expr);
    else if (w->role == W_NEED)
      rc = push_groups(a, a->opt, &a->n_opt, expr);
    else
      rc = push_groups(a, a->boost, &a->n_boost, expr);
  }
  /* the recognised needs' own words (label and one-word synonyms) lift
   * the offerings named after them: "Schuldhulpverlening" for Schulden */
  for (size_t ci = 0; ci < a->n_need && !rc; ci++) {
    sk_buf_reset(&b);
    size_t nw = 0;
    for (size_t p = 0; p < s->n_phrases && !rc && nw < 16; p++) {
      const struct sks_phrase *ph = &s->phrases[p];
      if (ph->vocab != SK_VOCAB_NEED || ph->idx != a->need_concepts[ci] || ph->n != 1)
        continue;
      rc = sk_buf_addstr(&b, nw++ ? " OR " : "(");
      if (!rc)
        rc = add_quoted(&b, ph->words[0], 0);
    }
    if (!rc && nw) {
      rc = sk_buf_addc(&b, ')');
      if (!rc && a->n_boost < MAX_GROUPS) {
        a->boost[a->n_boost] = strdup(sk_buf_str(&b));
        rc = a->boost[a->n_boost] ? SK_OK : SK_ENOMEM;
        a->n_boost += rc == SK_OK;
      }
    }
  }
  /* and, when no text uses the resident's words, the lexicon's needs' own
   * words: "paniekaanval" lifts the offerings named after angst, stress */
  if (!rc && a->n_lex && !a->n_lexg && a->n_boost < MAX_GROUPS) {
    rc = sks_need_words(s, &a->lex_needs, &b);
    if (!rc && b.len) {
      a->boost[a->n_boost] = strdup(sk_buf_str(&b));
      rc = a->boost[a->n_boost] ? SK_OK : SK_ENOMEM;
      a->n_boost += rc == SK_OK;
    }
  }
  sk_buf_free(&b);
  if (!rc)
    hl_terms(s, a);
  return rc;
}

/* ------------------------------------------------------------------ */
/* filters                                                             */

enum { F_NEED = 1, F_TG = 2, F_MUNI = 4, F_ACCESS = 8, F_COST = 16, F_KIND = 32, F_OTHER = 64 };
enum { FACET_NEED, FACET_TG, FACET_MUNI, FACET_ACCESS, FACET_COST, FACET_KIND };

struct qf {
  struct sks_needmask need;
  int has_need;
  int tg;       /* bit or -1 */
  int tg_lo, tg_hi; /* ages of the target group, -1 open */
  int age;
  int muni; /* area bit or -1 */
  int pref; /* municipality for ranking: muni, else a place in the query, -1 */
  uint8_t access, cost;
  uint16_t laws; /* law bits: any of them; 0 = any law */
  int kind;
  int open_now, weekday, minutes;
  int64_t now;
  int32_t today;
  int32_t local_day; /* today in Dutch local time (opening hours with dates) */
  uint32_t org;
  int has_org;
  int has_origin;
  double olat, olon;
  int pro_ok; /* offerings only for professionals may show */
};

static int need_any(const struct sks_needmask *a, const struct sks_needmask *b) {
  return (a->w[0] & b->w[0]) || (a->w[1] & b->w[1]);
}

static int range_overlap(int alo, int ahi, int blo, int bhi) {
  if (alo < 0)
    alo = 0;
  if (blo < 0)
    blo = 0;
  if (ahi < 0)
    ahi = 999;
  if (bhi < 0)
    bhi = 999;
  return alo <= bhi && blo <= ahi;
}

/* Is the offering for municipality m (an area bit), for this age? An
 * age rule for m narrows it there ("for Eemnes: adults only"). */
static int muni_ok(const struct sk_searcher *s, const struct sks_doc *d, int m, const struct qf *f) {
  if (!(d->areas & s->muni_allowed[m]))
    return 0;
  for (uint32_t k = 0; k < d->n_rules; k++) {
    const struct sks_rule *r = &s->snap->rules[d->rule_off + k];
    if (r->area != m)
      continue;
    int lo = d->min_age, hi = d->max_age;
    if (r->min_age >= 0 && r->min_age > lo)
      lo = r->min_age;
    if (r->max_age >= 0 && (hi < 0 || r->max_age < hi))
      hi = r->max_age;
    if (lo >= 0 && hi >= 0 && lo > hi)
      return 0; /* nothing left of it there */
    if (f->age >= 0 && !range_overlap(lo, hi, f->age, f->age))
      return 0;
    if (f->tg >= 0 && !range_overlap(lo, hi, f->tg_lo, f->tg_hi))
      return 0;
  }
  return 1;
}

static int open_at(const struct sk_searcher *s, const struct sks_doc *d, const struct qf *f) {
  for (uint32_t k = 0; k < d->n_hours; k++) {
    const struct sks_hours *h = &s->snap->hours[d->hours_off + k];
    if (h->weekday == f->weekday && f->minutes >= h->opens && f->minutes < h->closes &&
        (h->from < 0 || f->local_day >= h->from) && (h->to < 0 || f->local_day <= h->to))
      return 1;
  }
  for (uint32_t k = 0; k < d->n_occ; k++) {
    const struct sks_occ *o = &s->snap->occ[d->occ_off + k];
    if (o->start <= f->now && f->now < o->end)
      return 1;
  }
  return d->n_hours || d->n_occ ? 0 : -1;
}

static unsigned fail_mask(const struct sk_searcher *s, const struct sks_doc *d, const struct qf *f) {
  unsigned m = 0;
  if (f->has_need && !need_any(&d->needs, &f->need))
    m |= F_NEED;
  if (f->tg >= 0 && !(d->tg >> f->tg & 1))
    m |= F_TG;
  if (f->muni >= 0 && !muni_ok(s, d, f->muni, f))
    m |= F_MUNI;
  if (f->access && !(d->access & f->access))
    m |= F_ACCESS;
  if (f->cost && !(d->cost & f->cost))
    m |= F_COST;
  if (f->laws && !(d->laws & f->laws))
    m |= F_OTHER; /* no law facet: it narrows every facet count */
  if (f->kind && (f->kind == SK_KIND_ACTIVITEIT) != !!(d->flags & SKS_DOC_ACTIVITY))
    m |= F_KIND;
  if (f->age >= 0 && !range_overlap(d->min_age, d->max_age, f->age, f->age))
    m |= F_OTHER;
  if (f->has_org && d->org != f->org)
    m |= F_OTHER;
  if (f->open_now && open_at(s, d, f) != 1)
    m |= F_OTHER;
  if ((d->flags & SKS_DOC_PRO_ONLY) && !f->pro_ok)
    m |= F_OTHER;
  return m;
}

/* Offerings whose confirmation is missing or older than a year; an
 * activity is confirmed by its calendar, so it is never stale. */
static int is_stale(const struct sks_doc *d, int32_t today) {
  if (d->flags & SKS_DOC_ACTIVITY)
    return 0;
  return d->assured_day < 0 || today - d->assured_day > 365;
}

static double locality(const struct sk_searcher *s, const struct sks_doc *d, int m) {
  if (m < 0)
    return s->area_landelijk >= 0 && d->areas == (1u << s->area_landelijk) ? 0.9 : 1.0;
  if (d->areas >> m & 1)
    return 1.0;
  if (d->areas & s->muni_scopes[m])
    return 0.92;
  if (s->area_regio >= 0 && (d->areas >> s->area_regio & 1))
    return 0.85;
  if (s->area_landelijk >= 0 && (d->areas >> s->area_landelijk & 1))
    return 0.78;
  return 0.3; /* not for that place at all */
}

static double km(double la1, double lo1, double la2, double lo2) {
  const double r = 6371.0, rad = M_PI / 180.0;
  double dla = (la2 - la1) * rad, dlo = (lo2 - lo1) * rad;
  double a = sin(dla / 2) * sin(dla / 2) + cos(la1 * rad) * cos(la2 * rad) * sin(dlo / 2) * sin(dlo / 2);
  return 2 * r * asin(sqrt(a < 1 ? a : 1));
}

static int64_t next_start(const struct sk_searcher *s, const struct sks_doc *d, int64_t now) {
  for (uint32_t k = 0; k < d->n_occ; k++) {
    const struct sks_occ *o = &s->snap->occ[d->occ_off + k];
    if (o->end >= now)
      return o->start;
  }
  return INT64_MAX;
}

/* Split comma-separated codes and resolve each against a vocabulary. */
static int resolve_codes(const struct sks_vocab *v, const char *const *vals, size_t n, const char *param,
                         const char *what, uint64_t *mask, struct sk_search_error *e) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++) {
    const char *p = vals[i];
    while (p && *p) {
      const char *comma = strchr(p, ',');
      size_t len = comma ? (size_t)(comma - p) : strlen(p);
      char code[96];
      if (len) {
        if (len >= sizeof code || ++count > SK_SEARCH_MAX_VALUES)
          return qerr(e, param, "Te veel of te lange waarden voor '%s'.", param);
        memcpy(code, p, len);
        code[len] = '\0';
        int b = vbit(v, code);
        if (b < 0) {
          char msg[160];
          snprintf(msg, sizeof msg, "Onbekende %s: '%.60s'.", what, code);
          return qerr(e, param, "%s", msg);
        }
        if (b < 64)
          mask[0] |= (uint64_t)1 << b;
        else
          mask[1] |= (uint64_t)1 << (b - 64);
      }
      p = comma ? comma + 1 : NULL;
    }
  }
  return SK_OK;
}

static int valid_utf8_str(const char *s) { return !s || sk_utf8_valid(s, strlen(s)); }

static int resolve(struct sk_searcher *s, const struct sk_search_query *q, struct qf *f,
                   struct sk_search_error *e) {
  memset(f, 0, sizeof *f);
  f->tg = f->muni = f->pref = -1;
  f->tg_lo = f->tg_hi = -1;
  f->age = q->age;
  if (q->age < -1 || q->age > SK_SEARCH_AGE_MAX)
    return qerr(e, "age", "Leeftijd moet een heel getal van 0 tot 120 zijn.%s", "");
  const char *strs[] = {q->target_group, q->municipality, q->organization, q->postcode};
  for (size_t i = 0; i < 4; i++)
    if (!valid_utf8_str(strs[i]))
      return qerr(e, i == 0 ? "target_group" : i == 1 ? "municipality" : i == 2 ? "organization" : "postcode",
                  "Deze waarde is geen geldige tekst.%s", "");
  if (q->n_needs > SK_SEARCH_MAX_VALUES || q->n_access > SK_SEARCH_MAX_VALUES ||
      q->n_cost > SK_SEARCH_MAX_VALUES || q->n_laws > SK_SEARCH_MAX_VALUES)
    return qerr(e, q->n_needs > SK_SEARCH_MAX_VALUES ? "need" : q->n_access > SK_SEARCH_MAX_VALUES ? "access"
                   : q->n_cost > SK_SEARCH_MAX_VALUES ? "cost" : "law",
                "Te veel waarden.%s", "");
  for (size_t i = 0; i < q->n_needs; i++)
    if (!valid_utf8_str(q->needs[i]))
      return qerr(e, "need", "Deze waarde is geen geldige tekst.%s", "");
  for (size_t i = 0; i < q->n_access; i++)
    if (!valid_utf8_str(q->access[i]))
      return qerr(e, "access", "Deze waarde is geen geldige tekst.%s", "");
  for (size_t i = 0; i < q->n_cost; i++)
    if (!valid_utf8_str(q->cost[i]))
      return qerr(e, "cost", "Deze waarde is geen geldige tekst.%s", "");
  for (size_t i = 0; i < q->n_laws; i++)
    if (!valid_utf8_str(q->laws[i]))
      return qerr(e, "law", "Deze waarde is geen geldige tekst.%s", "");
  int rc;
  uint64_t m[2] = {0, 0};
  if ((rc = resolve_codes(&s->need, q->needs, q->n_needs, "need", "hulpvraag", m, e)))
    return rc;
  f->need.w[0] = m[0];
  f->need.w[1] = m[1];
  f->has_need = m[0] || m[1];
  m[0] = m[1] = 0;
  if ((rc = resolve_codes(&s->access, q->access, q->n_access, "access", "toegang", m, e)))
    return rc;
  f->access = (uint8_t)m[0];
  m[0] = 0;
  if ((rc = resolve_codes(&s->cost, q->cost, q->n_cost, "cost", "kosten", m, e)))
    return rc;
  f->cost = (uint8_t)m[0];
  m[0] = 0;
  if ((rc = resolve_codes(&s->law, q->laws, q->n_laws, "law", "wet", m, e)))
    return rc;
  f->laws = (uint16_t)m[0];
  if (q->target_group) {
    f->tg = vbit(&s->tg, q->target_group);
    if (f->tg < 0)
      return qerr(e, "target_group", "Onbekende doelgroep: '%.60s'.", q->target_group);
    f->tg_lo = s->tg.terms[f->tg]->min_age;
    f->tg_hi = s->tg.terms[f->tg]->max_age;
  }
  if (q->municipality) {
    f->muni = vbit(&s->area, q->municipality);
    if (f->muni < 0 || s->area.terms[f->muni]->vocab != SK_VOCAB_MUNICIPALITY)
      return qerr(e, "municipality", "Onbekende gemeente: '%.60s'.", q->municipality);
  }
  if (q->kind != SK_KIND_ANY && q->kind != SK_KIND_AANBOD && q->kind != SK_KIND_ACTIVITEIT)
    return qerr(e, "kind", "Onbekende soort.%s", "");
  f->kind = q->kind;
  if (q->organization) {
    if (!sk_uuid_valid(q->organization))
      return qerr(e, "organization", "Geen geldige organisatie-id: '%.60s'.", q->organization);
    sqlite3_stmt *st = s->stmt[ST_ORG];
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, q->organization, -1, SQLITE_STATIC);
    f->has_org = 1;
    f->org = 0; /* unknown: matches nothing */
    if (sqlite3_step(st) == SQLITE_ROW)
      f->org = (uint32_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
  }
  if (q->page < 0)
    return qerr(e, "page", "Pagina moet 1 of hoger zijn.%s", "");
  if (q->per_page < 0 || q->per_page > SK_SEARCH_PER_PAGE_MAX)
    return qerr(e, "per_page", "per_page moet van 1 tot 100 zijn.%s", "");
  int page = q->page ? q->page : 1, per = q->per_page ? q->per_page : SK_SEARCH_PER_PAGE_DEFAULT;
  if ((long)page * per > SK_SEARCH_MAX_RESULTS)
    return qerr(e, "page", "Zo ver kunt u niet bladeren; verfijn de zoekvraag.%s", "");
  if (q->postcode) {
    int digits = 0, nd = 0;
    const char *p = q->postcode;
    while (*p == ' ')
      p++;
    for (; *p >= '0' && *p <= '9' && nd < 5; p++, nd++)
      digits = digits * 10 + (*p - '0');
    while (*p == ' ')
      p++;
    int letters = 0;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
      p++, letters++;
    while (*p == ' ')
      p++;
    if (nd != 4 || digits < 1000 || *p || (letters != 0 && letters != 2))
      return qerr(e, "postcode", "Geen geldige postcode: '%.20s'. Voorbeeld: 1251 AB.", q->postcode);
    const struct sk_term *t = sk_taxonomy_municipality_for_postcode(s->tax, digits);
    if (!t || (t->lat == 0 && t->lon == 0))
      return qerr(e, "postcode", "Deze postcode ligt niet in de regio: '%.20s'.", q->postcode);
    f->has_origin = 1;
    f->olat = t->lat;
    f->olon = t->lon;
  } else if (q->has_point) {
    if (!isfinite(q->lat) || !isfinite(q->lon) || fabs(q->lat) > 90 || fabs(q->lon) > 180)
      return qerr(e, "lat", "Geen geldige coördinaten.%s", "");
    f->has_origin = 1;
    f->olat = q->lat;
    f->olon = q->lon;
  }
  if (q->sort == SK_SORT_DISTANCE && !f->has_origin)
    return qerr(e, "sort", "Sorteren op afstand kan alleen met een postcode of een plek.%s", "");
  if (q->sort < SK_SORT_RELEVANCE || q->sort > SK_SORT_SOONEST)
    return qerr(e, "sort", "Onbekende sortering.%s", "");
  f->now = q->now ? q->now : (int64_t)time(NULL);
  f->today = (int32_t)(f->now / 86400);
  f->open_now = q->open_now != 0;
  sks_local_time(f->now, &f->weekday, &f->minutes);
  /* Local time is ahead of UTC: when the weekdays differ it is tomorrow. */
  f->local_day = f->today + (((f->today % 7) + 10) % 7 + 1 != f->weekday);
  return SK_OK;
}

/* ------------------------------------------------------------------ */
/* ranking and selection                                               */

struct cand {
  uint32_t rid;
  float score;
  double key; /* sort key: smaller first */
};

static int cand_before(const struct cand *a, const struct cand *b) {
  if (a->key != b->key)
    return a->key < b->key;
  return a->rid < b->rid;
}

/* Keep the best k in a max-heap on "worst first". */
static void heap_push(struct cand *h, size_t *n, size_t k, struct cand c) {
  if (*n < k) {
    size_t i = (*n)++;
    h[i] = c;
    while (i > 0) {
      size_t p = (i - 1) / 2;
      if (!cand_before(&h[p], &h[i]))
        break;
      struct cand t = h[p];
      h[p] = h[i];
      h[i] = t;
      i = p;
    }
    return;
  }
  if (!k || !cand_before(&c, &h[0]))
    return;
  h[0] = c;
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < *n && cand_before(&h[m], &h[l]))
      m = l;
    if (r < *n && cand_before(&h[m], &h[r]))
      m = r;
    if (m == i)
      break;
    struct cand t = h[m];
    h[m] = h[i];
    h[i] = t;
    i = m;
  }
}

static int cand_cmp(const void *a, const void *b) {
  const struct cand *x = a, *y = b;
  return cand_before(x, y) ? -1 : cand_before(y, x) ? 1 : 0;
}

static void touch(struct sk_searcher *s, uint32_t rid) {
  if (s->stamp[rid] == s->gen)
    return;
  s->stamp[rid] = s->gen;
  s->acc[rid] = 0;
  s->nreq[rid] = 0;
  s->mark[rid] = 0;
  s->touched[s->n_touched++] = rid;
}

enum { M_CNEED = 1, M_CTEXT = 2, M_TEXT = 4, M_CRISIS = 8, M_LNEED = 16, M_LTEXT = 32 };
/* an offering that has the query's concept: by classification or words,
 * the taxonomy's or the lexicon's */
#define M_CONCEPT (M_CNEED | M_CTEXT | M_LNEED | M_LTEXT)

static int ensure_touched(struct sk_searcher *s) {
  if (s->touched_cap >= s->snap->n_docs_cap)
    return SK_OK;
  free(s->touched);
  s->touched = malloc(s->snap->n_docs_cap * sizeof *s->touched);
  s->touched_cap = s->touched ? s->snap->n_docs_cap : 0;
  return s->touched ? SK_OK : SK_ENOMEM;
}

/* Mark the touched offerings classified under a capped need (any of m). */
static void mark_needs(struct sk_searcher *s, const struct sks_needmask *m, uint8_t bit) {
  const struct sks_doc *docs = s->snap->docs;
  for (size_t i = 0; i < s->n_touched; i++) {
    uint32_t rid = s->touched[i];
    if (i + 16 < s->n_touched)
      __builtin_prefetch(&docs[s->touched[i + 16]]);
    if (need_any(&docs[rid].needs, m))
      s->mark[rid] |= bit;
  }
}

/* The capped groups' scores for the offerings that may still have every
 * word: touched ones in every walked required group (and, when concepts
 * must match and none is capped, in a concept), or all touched ones
 * (all: for "any word will do"). They are sorted by rid
 * through a bitmap, so a common word's postings are searched by
 * galloping instead of walked. */
static int probe_capped(struct sk_searcher *s, const struct analysis *an, const uint8_t *big_req,
                        const uint8_t *big_opt, const uint8_t *big_boost, size_t n_small_req, int need_concept,
                        int all, size_t *n_probed) {
  size_t n = 0;
  for (size_t i = 0; i < s->n_touched; i++) {
    uint32_t rid = s->touched[i];
    if (!all && (s->nreq[rid] != n_small_req || (need_concept && !(s->mark[rid] & M_CONCEPT))))
      continue;
    s->c_bits[rid >> 6] |= 1ull << (rid & 63);
    n++;
  }
  *n_probed = n;
  if (!n)
    return SK_OK;
  size_t words = s->snap->n_docs_cap / 64 + 1;
  if (n > s->pr_cap) {
    size_t cap = n + n / 2;
    void *a[6] = {realloc(s->pr_c, cap * sizeof *s->pr_c), NULL, NULL, NULL, NULL, NULL};
    if (a[0])
      s->pr_c = a[0];
    if (a[0] && (a[1] = realloc(s->pr_sc, cap * sizeof *s->pr_sc)))
      s->pr_sc = a[1];
    if (a[1] && (a[2] = realloc(s->pr_tw, cap * sizeof *s->pr_tw)))
      s->pr_tw = a[2];
    if (a[2] && (a[3] = realloc(s->pr_pw, cap * sizeof *s->pr_pw)))
      s->pr_pw = a[3];
    if (a[3] && (a[4] = realloc(s->pr_hit, cap)))
      s->pr_hit = a[4];
    if (a[4] && (a[5] = realloc(s->pr_cnt, cap)))
      s->pr_cnt = a[5];
    void *l0 = a[5] ? realloc(s->pr_l0, cap * sizeof *s->pr_l0) : NULL;
    if (l0)
      s->pr_l0 = l0;
    void *l1 = l0 ? realloc(s->pr_l1, cap * sizeof *s->pr_l1) : NULL;
    if (l1)
      s->pr_l1 = l1;
    if (!l1) {
      memset(s->c_bits, 0, words * sizeof *s->c_bits);
      return SK_ENOMEM;
    }
    memset(s->pr_tw, 0, cap * sizeof *s->pr_tw);
    memset(s->pr_cnt, 0, cap);
    s->pr_cap = cap;
  }
  uint32_t *c = s->pr_c;
  float *sc = s->pr_sc;
  uint8_t *hit = s->pr_hit;
  size_t j = 0;
  for (size_t w = 0; w < words && j < n; w++) {
    uint64_t b = s->c_bits[w];
    s->c_bits[w] = 0;
    while (b) {
      uint32_t rid = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(b));
      b &= b - 1;
      c[j++] = rid;
    }
  }
  for (size_t g = 0; g < an->n_req; g++) {
    if (!big_req[g])
      continue;
    probe_group(s, an->req[g], c, n, sc, hit);
    for (size_t k = 0; k < n; k++)
      if (hit[k]) {
        s->acc[c[k]] += sc[k];
        s->nreq[c[k]]++;
        s->mark[c[k]] |= M_TEXT;
      }
  }
  for (size_t g = 0; g < an->n_opt; g++) {
    if (!big_opt[g])
      continue;
    probe_group(s, an->opt[g], c, n, sc, hit);
    for (size_t k = 0; k < n; k++)
      if (hit[k]) {
        s->acc[c[k]] += sc[k];
        s->mark[c[k]] |= M_CTEXT;
      }
  }
  for (size_t g = 0; g < an->n_boost; g++) {
    if (!big_boost[g])
      continue;
    probe_group(s, an->boost[g], c, n, sc, hit);
    for (size_t k = 0; k < n; k++)
      s->acc[c[k]] += 0.5f * sc[k];
  }
  return SK_OK;
}

/* ------------------------------------------------------------------ */
/* rendering                                                           */

static const char *col(sqlite3_stmt *q, int i, struct sk_arena *a) {
  const char *t = (const char *)sqlite3_column_text(q, i);
  return t ? sk_arena_strdup(a, t) : NULL;
}

static struct sk_search_code *push_code(struct sk_arena *a, struct sk_search_code **arr, size_t *n,
                                        size_t *cap, const char *code, const char *label) {
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 4;
    struct sk_search_code *na = sk_arena_alloc(a, nc * sizeof *na);
    if (!na)
      return NULL;
    if (*n)
      memcpy(na, *arr, *n * sizeof *na);
    *arr = na;
    *cap = nc;
  }
  struct sk_search_code *c = &(*arr)[(*n)++];
  c->code = sk_arena_strdup(a, code);
  c->label = sk_arena_strdup(a, label ? label : code);
  return c->code && c->label ? c : NULL;
}

static const char *term_label(const struct sk_taxonomy *tax, enum sk_vocab v, const char *code) {
  const struct sk_term *t = sk_taxonomy_find(tax, v, code);
  return t ? t->label : code;
}

struct render_ctx {
  struct sk_searcher *s;
  const struct sk_search_query *q;
  const struct qf *f;
  const struct analysis *an;
  struct sk_arena *a;
};

static int render_item(struct render_ctx *c, uint32_t rid, float score, struct sk_search_item *it) {
  struct sk_searcher *s = c->s;
  struct sk_arena *a = c->a;
  const struct sks_doc *d = &s->snap->docs[rid];
  sqlite3_stmt *q = s->stmt[ST_ITEM];
  sqlite3_reset(q);
  sqlite3_bind_int64(q, 1, rid);
  if (sqlite3_step(q) != SQLITE_ROW) {
    sqlite3_reset(q);
    return SK_ENOTFOUND; /* gone since the snapshot: skip */
  }
  snprintf(it->id, sizeof it->id, "%s", (const char *)sqlite3_column_text(q, 0));
  it->kind = (d->flags & SKS_DOC_ACTIVITY) ? "activiteit" : "aanbod";
  it->name = col(q, 2, a);
  it->summary = col(q, 3, a);
  it->url = col(q, 4, a);
  it->min_age = sqlite3_column_type(q, 5) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 5);
  it->max_age = sqlite3_column_type(q, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 6);
  it->assured_date = col(q, 7, a);
  if (c->q->professional)
    it->referral_contact = col(q, 8, a);
  const char *oid = (const char *)sqlite3_column_text(q, 9);
  snprintf(it->organization_id, sizeof it->organization_id, "%s", oid ? oid : "");
  it->organization = col(q, 10, a);
  const char *desc = col(q, 11, a);
  const char *plain_snip = it->summary ? it->summary : desc;
  char *snip_copy = NULL;
  if (plain_snip) {
    size_t L = strlen(plain_snip);
    if (L > 240) {
      L = 240;
      while (L > 0 && ((unsigned char)plain_snip[L] & 0xC0) == 0x80)
        L--;
    }
    snip_copy = sk_arena_strndup(a, plain_snip, L);
  }
  sqlite3_reset(q);
  if (!it->name)
    return SK_ENOMEM;
  it->score = score;
  it->crisis_line = (d->flags & SKS_DOC_CRISIS) != 0;
  it->stale = is_stale(d, c->f->today);
  it->open_now = open_at(s, d, c->f);
  it->distance_km = -1;
  if (c->f->has_origin && (d->flags & SKS_DOC_HAS_POINT))
    it->distance_km = round(km(c->f->olat, c->f->olon, d->lat, d->lon) * 10) / 10;
  /* classification */
  size_t cn = 0, ct = 0, ca = 0, cc = 0, car = 0, cl = 0;
  q = s->stmt[ST_TAX];
  sqlite3_reset(q);
  sqlite3_bind_int64(q, 1, rid);
  while (sqlite3_step(q) == SQLITE_ROW) {
    const char *voc = (const char *)sqlite3_column_text(q, 0), *code = (const char *)sqlite3_column_text(q, 1);
    if (!voc || !code)
      continue;
    if (!strcmp(voc, "need"))
      push_code(a, &it->needs, &it->n_needs, &cn, code, term_label(s->tax, SK_VOCAB_NEED, code));
    else if (!strcmp(voc, "target_group"))
      push_code(a, &it->target_groups, &it->n_target_groups, &ct, code,
                term_label(s->tax, SK_VOCAB_TARGET_GROUP, code));
    else if (!strcmp(voc, "access"))
      push_code(a, &it->access, &it->n_access, &ca, code, term_label(s->tax, SK_VOCAB_ACCESS, code));
    else if (!strcmp(voc, "cost"))
      push_code(a, &it->cost, &it->n_cost, &cc, code, term_label(s->tax, SK_VOCAB_COST, code));
    else if (!strcmp(voc, "law"))
      push_code(a, &it->laws, &it->n_laws, &cl, code, term_label(s->tax, SK_VOCAB_LAW, code));
  }
  sqlite3_reset(q);
  q = s->stmt[ST_AREA];
  sqlite3_reset(q);
  sqlite3_bind_int64(q, 1, rid);
  int m = c->f->muni >= 0 ? c->f->muni : c->f->pref;
  int best_rank = 99;
  while (sqlite3_step(q) == SQLITE_ROW) {
    const char *code = (const char *)sqlite3_column_text(q, 0);
    if (!code)
      continue;
    const struct sk_term *t = sk_taxonomy_find(s->tax, SK_VOCAB_MUNICIPALITY, code);
    if (!t)
      t = sk_taxonomy_find(s->tax, SK_VOCAB_SCOPE, code);
    push_code(a, &it->areas, &it->n_areas, &car, code, t ? t->label : code);
    int b = vbit(&s->area, code);
    if (m >= 0 && b >= 0) {
      int rank = b == m ? 0 : (s->muni_scopes[m] >> b & 1) ? 1 : b == s->area_regio ? 2 : b == s->area_landelijk ? 3 : 99;
      if (rank < best_rank) {
        best_rank = rank;
        it->area_match = it->areas[it->n_areas - 1].code;
      }
      if (b == m && sqlite3_column_type(q, 1) != SQLITE_NULL)
        it->area_note = col(q, 1, a);
    }
  }
  sqlite3_reset(q);
  /* phones */
  q = s->stmt[ST_PHONE];
  sqlite3_reset(q);
  sqlite3_bind_int64(q, 1, rid);
  it->phones = sk_arena_alloc(a, 8 * sizeof *it->phones);
  while (it->phones && sqlite3_step(q) == SQLITE_ROW && it->n_phones < 8) {
    int restricted = sqlite3_column_int(q, 2);
    if (restricted && !c->q->professional)
      continue;
    struct sk_search_phone *p = &it->phones[it->n_phones++];
    p->number = col(q, 0, a);
    p->description = col(q, 1, a);
    p->restricted = restricted;
  }
  sqlite3_reset(q);
  if (d->flags & SKS_DOC_ACTIVITY) {
    q = s->stmt[ST_NEXT];
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, rid);
    sqlite3_bind_int64(q, 2, c->f->now);
    if (sqlite3_step(q) == SQLITE_ROW) {
      it->next_start = col(q, 0, a);
      it->next_start_utc = sqlite3_column_int64(q, 1);
    }
    sqlite3_reset(q);
  }
  /* highlights */
  int name_hit = 0, snip_hit = 0;
  const struct analysis *an = c->an;
  if (an && an->n_hlt) {
    if (mark_text(s, an, a, it->name, strlen(it->name), 0, &it->name_segments, &it->n_name_segments,
                  &name_hit))
      return SK_ENOMEM;
    const char *text = desc && *desc ? desc : it->summary;
    if (it->summary && desc && *desc) {
      /* the summary first, then the description */
      size_t ls = strlen(it->summary), ld = strlen(desc);
      char *both = sk_arena_alloc(a, ls + ld + 2);
      if (!both)
        return SK_ENOMEM;
      memcpy(both, it->summary, ls);
      both[ls] = ' ';
      memcpy(both + ls + 1, desc, ld);
      text = both;
    }
    if (text && mark_text(s, an, a, text, strlen(text), 24, &it->snippet, &it->n_snippet, &snip_hit))
      return SK_ENOMEM;
  }
  if (!it->n_name_segments) {
    it->name_segments = sk_arena_alloc(a, sizeof *it->name_segments);
    if (!it->name_segments)
      return SK_ENOMEM;
    it->name_segments[0].text = it->name;
    it->n_name_segments = 1;
  }
  if (!it->n_snippet && snip_copy) {
    it->snippet = sk_arena_alloc(a, sizeof *it->snippet);
    if (!it->snippet)
      return SK_ENOMEM;
    it->snippet[0].text = snip_copy;
    it->n_snippet = 1;
  }
  /* why it matched, in words */
  char why[512] = "";
  size_t wl = 0;
#define WHY(...) (wl += (size_t)snprintf(why + wl, wl < sizeof why ? sizeof why - wl : 0, __VA_ARGS__))
  if (name_hit)
    WHY("naam");
  if (c->an)
    for (size_t k = 0; k < c->an->n_need; k++) {
      int b = c->an->need_concepts[k];
      if (b < 64 ? (d->needs.w[0] >> b & 1) : (d->needs.w[1] >> (b - 64) & 1))
        WHY("%shulpvraag %s", wl ? ", " : "", s->need.terms[b]->label);
    }
  /* a resident's word from the lexicon stands for these needs */
  for (size_t b = 0; c->an && c->an->n_lex && b < s->need.n && wl < sizeof why; b++)
    if ((c->an->lex_needs.w[b >> 6] >> (b & 63) & 1) && (d->needs.w[b >> 6] >> (b & 63) & 1))
      WHY("%shulpvraag %s", wl ? ", " : "", s->need.terms[b]->label);
  if (snip_hit)
    WHY("%somschrijving", wl ? ", " : "");
  if (!wl && c->an && c->an->hl.len)
    WHY("trefwoorden of organisatie");
  if (m >= 0 && it->area_match && wl < sizeof why)
    WHY("%svoor %s", wl ? "; " : "", term_label(s->tax, SK_VOCAB_MUNICIPALITY, s->area.terms[m]->code));
#undef WHY
  if (wl)
    it->why = sk_arena_strdup(a, why);
  return SK_OK;
}

/* ------------------------------------------------------------------ */
/* the search                                                          */

struct result_box {
  struct sk_search_result r;
  struct sk_arena arena;
};

static struct sk_search_result *result_new(void) {
  struct result_box *b = calloc(1, sizeof *b);
  return b ? &b->r : NULL;
}

static struct sk_arena *result_arena(struct sk_search_result *r) {
  return &((struct result_box *)(void *)r)->arena;
}

void sk_search_result_free(struct sk_search_result *r) {
  if (!r)
    return;
  struct result_box *b = (struct result_box *)(void *)r;
  sk_arena_free(&b->arena);
  free(b);
}

static void count_bits(long *cnt, unsigned x) {
  for (; x; x &= x - 1)
    cnt[__builtin_ctz(x)]++;
}

/* The municipalities (area bits) an offering counts for: by its areas,
 * and through its age rules only when it has any (few do). */
static unsigned munis_served(const struct sk_searcher *s, const struct sks_doc *d, const struct qf *f) {
  unsigned m = 0;
  for (unsigned x = s->muni_bits; x; x &= x - 1) {
    int b = __builtin_ctz(x);
    if ((d->areas & s->muni_allowed[b]) && (!d->n_rules || muni_ok(s, d, b, f)))
      m |= 1u << b;
  }
  return m;
}

static void count_needs(long *cnt, const struct sks_needmask *m) {
  for (int w = 0; w < 2; w++)
    for (uint64_t x = m->w[w]; x; x &= x - 1)
      cnt[w * 64 + __builtin_ctzll(x)]++;
}

static const char *const facet_names[SK_SEARCH_N_FACETS] = {"need", "target_group", "municipality",
                                                            "access", "cost",         "kind"};

static int build_facets(struct sk_searcher *s, struct sk_search_result *r, const long *cnt_need,
                        const long *cnt_tg, const long *cnt_muni, const long *cnt_acc,
                        const long *cnt_cost, const long *cnt_kind) {
  struct sk_arena *a = result_arena(r);
  const struct sks_vocab *vs[5] = {&s->need, &s->tg, &s->area, &s->access, &s->cost};
  const long *cs[5] = {cnt_need, cnt_tg, cnt_muni, cnt_acc, cnt_cost};
  for (int f = 0; f < SK_SEARCH_N_FACETS; f++) {
    struct sk_search_facet *fc = &r->facets[f];
    fc->name = facet_names[f];
    size_t nmax = f < 5 ? vs[f]->n : 2;
    fc->values = sk_arena_alloc(a, (nmax ? nmax : 1) * sizeof *fc->values);
    if (!fc->values)
      return SK_ENOMEM;
    for (size_t i = 0; i < nmax; i++) {
      long n = f < 5 ? cs[f][i] : cnt_kind[i];
      if (n <= 0)
        continue;
      struct sk_search_facet_value *v = &fc->values[fc->n_values++];
      if (f < 5) {
        v->code = vs[f]->terms[i]->code;
        v->label = vs[f]->terms[i]->label;
      } else {
        v->code = i ? "activiteit" : "aanbod";
        v->label = i ? "Activiteit" : "Aanbod";
      }
      v->count = n;
    }
  }
  r->has_facets = 1;
  return SK_OK;
}

static void suggest_needs(struct sk_searcher *s, const struct analysis *an, struct sk_search_result *r) {
  struct sk_arena *a = result_arena(r);
  double best[SKS_MAX_NEEDS] = {0};
  for (size_t i = 0; i < an->n; i++) {
    const struct qword *w = &an->w[i];
    if (sks_is_stopword(w->f) || w->flen < 3)
      continue;
    for (size_t p = 0; p < s->n_phrases; p++) {
      const struct sks_phrase *ph = &s->phrases[p];
      if (ph->vocab != SK_VOCAB_NEED)
        continue;
      for (size_t k = 0; k < ph->n; k++) {
        size_t pl = strlen(ph->words[k]);
        size_t mx = pl > w->flen ? pl : w->flen;
        int d = sks_damerau(w->f, w->flen, ph->words[k], pl, 3);
        double sim = d > 3 ? 0 : 1.0 - (double)d / (double)mx;
        if (pl >= 4 && w->flen >= 4 && (strncmp(ph->words[k], w->f, 4) == 0))
          sim = sim > 0.6 ? sim : 0.6;
        if (sim > best[ph->idx])
          best[ph->idx] = sim;
      }
    }
  }
  r->suggested_needs = sk_arena_alloc(a, 5 * sizeof *r->suggested_needs);
  if (!r->suggested_needs)
    return;
  for (int k = 0; k < 5; k++) {
    int bi = -1;
    for (size_t i = 0; i < s->need.n; i++)
      if (best[i] >= 0.5 && (bi < 0 || best[i] > best[bi]))
        bi = (int)i;
    if (bi < 0)
      break;
    best[bi] = 0;
    r->suggested_needs[r->n_suggested_needs].code = s->need.terms[bi]->code;
    r->suggested_needs[r->n_suggested_needs].label = s->need.terms[bi]->label;
    r->n_suggested_needs++;
  }
  if (!r->n_suggested_needs) /* nothing close: offer the main needs */
    for (size_t i = 0; i < s->need.n && r->n_suggested_needs < 5; i++)
      if (!s->need.terms[i]->parent_code) {
        r->suggested_needs[r->n_suggested_needs].code = s->need.terms[i]->code;
        r->suggested_needs[r->n_suggested_needs].label = s->need.terms[i]->label;
        r->n_suggested_needs++;
      }
}

static int add_concepts(struct sk_searcher *s, const struct analysis *an, struct sk_search_result *r) {
  struct sk_arena *a = result_arena(r);
  r->concepts = sk_arena_alloc(a, (an->n * SK_LEXICON_MAX_NEEDS + 1) * sizeof *r->concepts);
  if (!r->concepts)
    return SK_ENOMEM;
  for (size_t i = 0; i < an->n; i++) {
    const struct qword *w = &an->w[i];
    if ((w->role == W_LEX && w->first) || (w->role == W_TEXT && w->lex)) {
      /* a resident's word: "Gezocht op: School en onderwijs" for spijbelen */
      for (size_t k = 0; k < w->lex->n_codes; k++) {
        const struct sk_term *t = sk_taxonomy_find(s->tax, SK_VOCAB_NEED, w->lex->codes[k]);
        int dup = !t;
        for (size_t j = 0; j < r->n_concepts && !dup; j++)
          dup = !strcmp(r->concepts[j].code, t->code) && !strcmp(r->concepts[j].vocab, "need");
        if (dup)
          continue;
        struct sk_search_concept *c = &r->concepts[r->n_concepts++];
        c->vocab = "need";
        c->code = t->code;
        c->label = t->label;
        c->source = "lexicon";
        struct sk_buf b;
        sk_buf_init(&b, 1024);
        /* the words as the resident typed them, fillers included */
        for (size_t j = i; j < an->n && an->w[j].lex == w->lex && (j == i || !an->w[j].first); j++)
          sk_buf_printf(&b, "%s%s", j > i ? " " : "", an->w[j].f);
        c->matched = sk_arena_strdup(a, sk_buf_str(&b));
        sk_buf_free(&b);
      }
      continue;
    }
    if (w->phrase < 0 || !w->first)
      continue;
    const struct sks_phrase *ph = &s->phrases[w->phrase];
    int dup = 0;
    for (size_t k = 0; k < r->n_concepts; k++)
      if (!strcmp(r->concepts[k].code, ph->term->code) && !strcmp(r->concepts[k].vocab, sk_vocab_name(ph->term->vocab)))
        dup = 1;
    if (dup)
      continue;
    struct sk_search_concept *c = &r->concepts[r->n_concepts++];
    c->vocab = sk_vocab_name(ph->term->vocab);
    c->code = ph->term->code;
    c->label = ph->term->label;
    c->source = "taxonomy";
    struct sk_buf b;
    sk_buf_init(&b, 1024);
    for (size_t k = 0; k < ph->n && i + k < an->n; k++)
      sk_buf_printf(&b, "%s%s", k ? " " : "", an->w[i + k].replaced ? an->w[i + k].corr : an->w[i + k].f);
    c->matched = sk_arena_strdup(a, sk_buf_str(&b));
    sk_buf_free(&b);
  }
  if (an->corrected) {
    struct sk_buf b;
    sk_buf_init(&b, 4096);
    for (size_t i = 0; i < an->n; i++)
      sk_buf_printf(&b, "%s%s", i ? " " : "", an->w[i].corr ? an->w[i].corr : an->w[i].f);
    r->did_you_mean = sk_arena_strdup(a, sk_buf_str(&b));
    r->corrected = an->replaced;
    sk_buf_free(&b);
  }
  r->crisis = an->crisis;
  return SK_OK;
}

static const char *const sort_names[] = {"relevance", "name", "distance", "soonest"};

/* The crisis lines for a crisis query: those with a number to call first
 * (a line one cannot phone is no help in a crisis), then by relevance to
 * the words of the query (bm25, as in the list) and locality, then name. */
static int crisis_lines(struct render_ctx *rc, const struct analysis *an, struct sk_search_result *r) {
  struct sk_searcher *s = rc->s;
  const struct sks_snap *sn = s->snap;
  struct cand best[3];
  size_t nb = 0;
  int m = rc->f->muni >= 0 ? rc->f->muni : rc->f->pref;
  /* text relevance of the crisis offerings: stamp them, then add the
   * scores of every word group of the query */
  if (++s->p_gen == 0) {
    memset(s->p_stamp, 0, s->scratch_cap * sizeof *s->p_stamp);
    s->p_gen = 1;
  }
  for (size_t k = 0; k < an->n_need; k++) {
    int b = an->need_concepts[k];
    if (!s->need.terms[b]->crisis)
      continue;
    for (uint32_t i = 0; i < sn->need_ndocs[b]; i++) {
      uint32_t rid = sn->need_docs[b][i];
      s->p_stamp[rid] = s->p_gen;
      s->p_wf[rid] = 0;
    }
  }
  char *const *groups[3] = {an->req, an->opt, an->boost};
  size_t ng[3] = {an->n_req, an->n_opt, an->n_boost};
  for (int g = 0; g < 3; g++)
    for (size_t k = 0; k < ng[g]; k++) {
      const struct sks_post *p;
      int e = postings(s, groups[g][k], &p);
      if (e)
        return e;
      for (uint32_t i = 0; i < p->n; i++)
        if (s->p_stamp[p->rid[i]] == s->p_gen)
          s->p_wf[p->rid[i]] += p->score[i];
    }
  for (size_t k = 0; k < an->n_need; k++) {
    int b = an->need_concepts[k];
    if (!s->need.terms[b]->crisis)
      continue;
    for (uint32_t i = 0; i < sn->need_ndocs[b]; i++) {
      uint32_t rid = sn->need_docs[b][i];
      const struct sks_doc *d = &sn->docs[rid];
      if ((d->flags & SKS_DOC_PRO_ONLY) && !rc->f->pro_ok)
        continue; /* a line for professionals (the meldcode consult) is no line for a resident */
      double rel = (1.0 + s->p_wf[rid]) * locality(s, d, m);
      struct cand c = {rid, (float)rel, ((d->flags & SKS_DOC_HAS_PHONE) ? 0 : 1e9) - rel * 1e3 + d->name_rank * 1e-9};
      int dup = 0;
      for (size_t j = 0; j < nb; j++)
        dup |= best[j].rid == rid;
      if (!dup)
        heap_push(best, &nb, 3, c);
    }
  }
  qsort(best, nb, sizeof *best, cand_cmp);
  r->crisis_lines = sk_arena_alloc(result_arena(r), (nb ? nb : 1) * sizeof *r->crisis_lines);
  if (!r->crisis_lines)
    return SK_ENOMEM;
  for (size_t i = 0; i < nb; i++) {
    int e = render_item(rc, best[i].rid, 0, &r->crisis_lines[r->n_crisis_lines]);
    if (e == SK_OK)
      r->n_crisis_lines++;
    else if (e != SK_ENOTFOUND)
      return e;
  }
  return SK_OK;
}

/* ---- the crisis block decided by sk_crisis (core/crisis) ---- */

/* A crisis recognised in the resident's own words ("ik wil dood") names no
 * need, so the list under the crisis block was whatever the words matched
 * (a volunteer for the last phase of life, an education desk). Add the
 * taxonomy's crisis needs of the recognised kinds as concepts, as a tile of
 * that need would: their offerings join the list and rank first (M_CRISIS). */
static void add_crisis_needs(struct sk_searcher *s, const struct sk_crisis_match *cm,
                             struct analysis *an) {
  size_t cap = sizeof an->need_concepts / sizeof an->need_concepts[0];
  for (size_t b = 0; b < s->need.n && an->n_need < cap; b++) {
    const struct sk_term *t = s->need.terms[b];
    if (!t->crisis || !(sk_crisis_need_kinds(s->crisis, t->code) & cm->kinds))
      continue;
    int have = 0;
    for (size_t k = 0; k < an->n_need; k++)
      have |= an->need_concepts[k] == (int)b;
    if (!have)
      an->need_concepts[an->n_need++] = (int)b;
  }
}

/* The query's crisis kinds: its text as typed, and every need chosen as a
 * filter (a crisis need's tile) that the crisis data names. */
static void crisis_check(struct sk_searcher *s, const struct sk_search_query *q, struct sk_crisis_match *cm) {
  if (q->q)
    sk_crisis_check(s->crisis, q->q, strnlen(q->q, SK_SEARCH_Q_MAX), cm);
  for (size_t i = 0; i < q->n_needs && i < SK_SEARCH_MAX_VALUES; i++)
    cm->kinds |= sk_crisis_need_kinds(s->crisis, q->needs[i]);
  cm->primary = sk_crisis_primary(s->crisis, cm->kinds);
}

/* The snapshot's rid of the offering a line names (by its feed's own id,
 * which stays the same across reindexing), when it is active and
 * may be shown to this person (not professional-only for a resident). */
static int line_offering(struct render_ctx *rc, const struct sk_crisis_line *l, uint32_t *rid) {
  struct sk_searcher *s = rc->s;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(s->st->db,
                         "SELECT rid FROM service WHERE source = 'feed:' || ?1 AND source_key = ?2 "
                         "AND status = 'active'",
                         -1, &st, NULL) != SQLITE_OK)
    return SK_EDB;
  sqlite3_bind_text(st, 1, l->offering_feed, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, l->offering, -1, SQLITE_STATIC);
  int rc2 = sqlite3_step(st);
  sqlite3_int64 v = rc2 == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  if (rc2 != SQLITE_ROW && rc2 != SQLITE_DONE)
    return SK_EDB;
  const struct sks_snap *sn = s->snap;
  if (v < 0 || (uint64_t)v >= sn->n_docs_cap || !sn->docs[v].flags)
    return SK_ENOTFOUND;
  if ((sn->docs[v].flags & SKS_DOC_PRO_ONLY) && !rc->q->professional)
    return SK_ENOTFOUND;
  *rid = (uint32_t)v;
  return SK_OK;
}

/* The line's own numbers go first in the item's phones: the data file is
 * the authority for a crisis number, a feed only adds detail. */
static int line_phones(struct sk_arena *a, const struct sk_crisis_line *l, struct sk_search_item *it) {
  const char *num[2] = {l->number, l->number2}, *note[2] = {l->number_note, l->number2_note};
  struct sk_search_phone *ph = sk_arena_alloc(a, (it->n_phones + 2) * sizeof *ph);
  if (!ph)
    return SK_ENOMEM;
  size_t n = 0;
  for (int k = 0; k < 2; k++) {
    if (!num[k])
      continue;
    ph[n].number = num[k];
    ph[n].description = note[k];
    for (size_t i = 0; i < it->n_phones; i++)
      if (it->phones[i].number && strcmp(it->phones[i].number, num[k]) == 0 && it->phones[i].description)
        ph[n].description = it->phones[i].description;
    n++;
  }
  for (size_t i = 0; i < it->n_phones; i++) {
    int dup = 0;
    for (size_t j = 0; j < n; j++)
      dup |= it->phones[i].number && strcmp(it->phones[i].number, ph[j].number) == 0;
    if (!dup)
      ph[n++] = it->phones[i];
  }
  it->phones = ph;
  it->n_phones = n;
  return SK_OK;
}

/* A line that is no offering of the store (112, or a store without the
 * national feed) as an item of its own, from the data file. */
static int line_item(struct sk_arena *a, const struct sk_crisis_line *l, struct sk_search_item *it) {
  memset(it, 0, sizeof *it);
  snprintf(it->id, sizeof it->id, "%s", l->id);
  snprintf(it->organization_id, sizeof it->organization_id, "%s", l->id);
  it->kind = "aanbod";
  it->name = l->name;
  it->organization = l->name;
  it->summary = l->note;
  it->url = l->url ? l->url : l->chat;
  it->min_age = it->max_age = -1;
  it->distance_km = -1;
  it->open_now = -1;
  it->crisis_line = 1;
  it->why = "crisislijn";
  struct sk_search_segment *seg = sk_arena_alloc(a, sizeof *seg);
  if (!seg)
    return SK_ENOMEM;
  seg->text = l->name;
  it->name_segments = seg;
  it->n_name_segments = 1;
  return line_phones(a, l, it);
}

static int crisis_block(struct render_ctx *rc, const struct sk_crisis_match *cm, struct sk_search_result *r) {
  struct sk_searcher *s = rc->s;
  const struct sk_crisis_line *lines[SK_CRISIS_MAX_LINES];
  size_t n = sk_crisis_lines(s->crisis, cm->kinds, rc->q->professional, lines, SK_CRISIS_MAX_LINES);
  r->crisis_kind = sk_crisis_kind_name(cm->primary);
  r->crisis_kinds = cm->kinds;
  r->crisis_lines = sk_arena_alloc(result_arena(r), (n ? n : 1) * sizeof *r->crisis_lines);
  if (!r->crisis_lines)
    return SK_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    const struct sk_crisis_line *l = lines[i];
    struct sk_search_item *it = &r->crisis_lines[r->n_crisis_lines];
    uint32_t rid;
    int e = l->offering ? line_offering(rc, l, &rid) : SK_ENOTFOUND;
    if (e == SK_OK)
      e = render_item(rc, rid, 0, it);
    if (e == SK_OK) {
      it->crisis_line = 1;
      e = line_phones(rc->a, l, it);
    } else {
      /* not in the store, or the store cannot be read now: the line as
       * the data file has it; a crisis block never fails for a feed */
      e = line_item(rc->a, l, it);
    }
    if (e)
      return e; /* out of memory */
    r->n_crisis_lines++;
  }
  return SK_OK;
}

/* The ranking of a query (top candidates, total, facet counts) is cached:
 * residents type the same few hundred questions. Rendering the page is
 * cheap and always done fresh. */
struct sks_rentry {
  char *key;
  uint64_t hash;
  struct cand *top;
  size_t n_top, k_top;
  long total;
  int relaxed, lower;
  long *cnt;
  size_t n_cnt;
  uint64_t used;
};

static struct sks_rentry *rcache_new(void) { return calloc(SKS_RESULT_CACHE, sizeof(struct sks_rentry)); }

static void rcache_clear(struct sk_searcher *s) {
  if (!s->rcache)
    return;
  for (size_t i = 0; i < SKS_RESULT_CACHE; i++) {
    free(s->rcache[i].key);
    free(s->rcache[i].top);
    free(s->rcache[i].cnt);
    memset(&s->rcache[i], 0, sizeof s->rcache[i]);
  }
}

static int rcache_key(const struct sk_search_query *q, const struct qf *f, size_t k_top, struct sk_buf *b) {
  int rc = sk_buf_printf(b, "%.*s\x1f", SK_SEARCH_Q_MAX, q->q ? q->q : "");
  for (size_t i = 0; !rc && i < q->n_needs; i++)
    rc = sk_buf_printf(b, "n%s,", q->needs[i]);
  for (size_t i = 0; !rc && i < q->n_access; i++)
    rc = sk_buf_printf(b, "a%s,", q->access[i]);
  for (size_t i = 0; !rc && i < q->n_cost; i++)
    rc = sk_buf_printf(b, "c%s,", q->cost[i]);
  for (size_t i = 0; !rc && i < q->n_laws; i++)
    rc = sk_buf_printf(b, "l%s,", q->laws[i]);
  if (!rc)
    rc = sk_buf_printf(b, "|%d|%d|%s|%d|%s|%d|%s|%d|%.5f|%.5f|%d|%zu|%d|%lld|%lld", q->place_as_preference != 0,
                       q->professional != 0,
                       q->target_group ? q->target_group : "",
                       q->age, q->municipality ? q->municipality : "", (int)q->kind,
                       q->organization ? q->organization : "", f->has_origin, f->olat, f->olon, (int)q->sort,
                       k_top, q->facets, (long long)f->today,
                       /* open now and soonest change by the minute */
                       (q->open_now || q->sort == SK_SORT_SOONEST) ? (long long)(f->now / 60) : 0LL);
  return rc;
}

static struct sks_rentry *rcache_find(struct sk_searcher *s, const char *key, uint64_t h) {
  for (size_t i = 0; s->rcache && i < SKS_RESULT_CACHE; i++)
    if (s->rcache[i].key && s->rcache[i].hash == h && !strcmp(s->rcache[i].key, key)) {
      s->rcache[i].used = ++s->tick;
      return &s->rcache[i];
    }
  return NULL;
}

static void rcache_put(struct sk_searcher *s, const char *key, uint64_t h, const struct cand *top, size_t n_top,
                       size_t k_top, long total, int relaxed, int lower, const long *cnt, size_t n_cnt) {
  if (!s->rcache)
    return;
  size_t v = 0;
  for (size_t i = 0; i < SKS_RESULT_CACHE; i++) {
    if (!s->rcache[i].key) {
      v = i;
      break;
    }
    if (s->rcache[i].used < s->rcache[v].used)
      v = i;
  }
  struct sks_rentry *e = &s->rcache[v];
  free(e->key);
  free(e->top);
  free(e->cnt);
  memset(e, 0, sizeof *e);
  e->key = strdup(key);
  e->top = malloc((n_top ? n_top : 1) * sizeof *top);
  e->cnt = malloc((n_cnt ? n_cnt : 1) * sizeof *cnt);
  if (!e->key || !e->top || !e->cnt) {
    free(e->key);
    free(e->top);
    free(e->cnt);
    memset(e, 0, sizeof *e);
    return;
  }
  memcpy(e->top, top, n_top * sizeof *top);
  memcpy(e->cnt, cnt, n_cnt * sizeof *cnt);
  e->hash = h;
  e->n_top = n_top;
  e->k_top = k_top;
  e->total = total;
  e->relaxed = relaxed;
  e->lower = lower;
  e->n_cnt = n_cnt;
  e->used = ++s->tick;
}

/* Nothing matched the words (not even any one of them): run the query
 * again without them, for the needs of its need filter ("chosen"), else
 * for the needs closest to its words by the lexicon and the taxonomy
 * ("closest"), else for the lexicon's [fallback] needs ("general"); every
 * other filter (the place too) stays. *out gets that result with the
 * first one's concepts, correction and place, and a sentence saying so.
 * SK_ENOTFOUND when even that finds nothing. */
static int fallback(struct sk_searcher *s, const struct sk_search_query *q, const struct qf *f,
                    const struct analysis *an, const struct sk_crisis_match *cm,
                    const struct sk_search_result *first, struct sk_search_result **out) {
  *out = NULL;
  float sim[SKS_MAX_NEEDS] = {0};
  size_t n_words = 0;
  for (size_t i = 0; i < an->n && n_words < 8; i++) {
    const struct qword *w = &an->w[i];
    if (w->role == W_PLACE || sks_is_stopword(w->f))
      continue;
    n_words++;
    sks_lex_similar(s, w->f, w->flen, w->stem, sim);
  }
  for (size_t b = 0; b < s->need.n; b++) /* needs the words stand for, filtered away */
    if ((an->lex_needs.w[b >> 6] >> (b & 63) & 1))
      sim[b] = 1;
  for (size_t k = 0; k < an->n_need; k++)
    sim[an->need_concepts[k]] = 1;
  int bits[SKS_FALLBACK_MAX];
  const char *reasons[3] = {"chosen", "closest", "general"};
  int rc = SK_ENOTFOUND;
  for (int step = q->n_needs ? 0 : 1; step < 3; step++) {
    struct sk_search_query q2 = *q;
    q2.q = NULL;
    q2.place_as_preference = 1;
    q2.municipality = f->muni >= 0 ? s->area.terms[f->muni]->code : NULL;
    if (step == 1) {
      size_t n = sks_fallback_pick(s, sim, bits, SKS_FALLBACK_MAX);
      if (!n)
        continue;
      q2.n_needs = n;
      for (size_t k = 0; k < n; k++)
        q2.needs[k] = s->need.terms[bits[k]]->code;
    } else if (step == 2) {
      q2.n_needs = 0;
      for (size_t b = 0; b < s->need.n && q2.n_needs < SK_SEARCH_MAX_VALUES; b++)
        if (s->lex->fallback.w[b >> 6] >> (b & 63) & 1)
          q2.needs[q2.n_needs++] = s->need.terms[b]->code;
      if (!q2.n_needs)
        break;
    }
    struct sk_search_error e2;
    struct sk_search_result *fb = NULL;
    s->in_fallback = 1;
    rc = sk_search(s, &q2, &fb, &e2);
    s->in_fallback = 0;
    if (rc)
      return rc == SK_EINVAL ? SK_ENOTFOUND : rc;
    if (!fb->total) {
      sk_search_result_free(fb);
      rc = SK_ENOTFOUND;
      continue;
    }
    /* what the first query understood, and why these are shown */
    struct sk_arena *a = result_arena(fb);
    fb->fallback_reason = reasons[step];
    fb->fallback_needs = sk_arena_alloc(a, (q2.n_needs ? q2.n_needs : 1) * sizeof *fb->fallback_needs);
    fb->suggested_needs = fb->fallback_needs;
    const char *labels[SK_SEARCH_MAX_VALUES];
    size_t nl = 0;
    for (size_t k = 0; fb->fallback_needs && k < q2.n_needs; k++) {
      const struct sk_term *t = sk_taxonomy_find(s->tax, SK_VOCAB_NEED, q2.needs[k]);
      if (!t)
        continue;
      fb->fallback_needs[fb->n_fallback_needs].code = t->code;
      fb->fallback_needs[fb->n_fallback_needs++].label = t->label;
      labels[nl++] = t->label;
    }
    fb->n_suggested_needs = fb->n_fallback_needs;
    struct sk_buf m;
    sk_buf_init(&m, 4096);
    rc = sks_fallback_message(reasons[step], q->q, labels, nl, &m);
    fb->fallback_message = rc ? NULL : sk_arena_strdup(a, sk_buf_str(&m));
    sk_buf_free(&m);
    if (!rc && (!fb->fallback_needs || !fb->fallback_message || add_concepts(s, an, fb)))
      rc = SK_ENOMEM;
    if (rc) {
      sk_search_result_free(fb);
      return rc;
    }
    fb->relaxed = first->relaxed;
    fb->place = first->place;
    fb->place_label = first->place_label;
    fb->place_from_query = first->place_from_query;
    /* a crisis query keeps its crisis block on top of the fallback list */
    if (an->crisis) {
      struct render_ctx rctx = {s, q, f, an, a};
      rc = s->crisis ? crisis_block(&rctx, cm, fb) : crisis_lines(&rctx, an, fb);
      if (rc) {
        sk_search_result_free(fb);
        return rc;
      }
    }
    *out = fb;
    return SK_OK;
  }
  return rc;
}

int sk_search(struct sk_searcher *s, const struct sk_search_query *q, struct sk_search_result **out,
              struct sk_search_error *e) {
  struct sk_search_error dummy;
  if (!e)
    e = &dummy;
  memset(e, 0, sizeof *e);
  *out = NULL;
  if (!s || !q)
    return qerr(e, "q", "Geen zoekvraag.%s", "");
  int rc = refresh(s);
  if (rc) {
    snprintf(e->message, sizeof e->message, "De zoekindex kan nu niet worden gelezen.");
    return rc;
  }
  struct qf f;
  if ((rc = resolve(s, q, &f, e)))
    return rc;
  if ((rc = ensure_touched(s))) {
    snprintf(e->message, sizeof e->message, "Te weinig geheugen.");
    return rc;
  }
  /* crisis first, on the query as typed (before any spelling correction,
   * which could read "slaat" as "staat") and on the needs chosen */
  struct sk_crisis_match cm = {0, 0, NULL};
  if (s->crisis)
    crisis_check(s, q, &cm);
  struct analysis an;
  if ((rc = analyse(s, q->q, &an))) {
    analysis_free(&an);
    snprintf(e->message, sizeof e->message, "De zoekvraag kan niet worden verwerkt.");
    return rc;
  }
  if (s->crisis)
    an.crisis = cm.kinds != 0; /* sk_crisis decides, not the taxonomy's synonyms */
  if (s->crisis && cm.kinds)
    add_crisis_needs(s, &cm, &an);
  /* a municipality named in the query filters like the parameter (and
   * wins over it: it is what the resident just said) */
  int place_from_query = 0;
  if (an.place >= 0 && !q->place_as_preference) {
    place_from_query = f.muni != an.place;
    f.muni = an.place;
  }
  f.pref = f.muni >= 0 ? f.muni : an.place;
  f.pro_ok = q->professional || (f.tg >= 0 && (s->tg_pro >> f.tg & 1)) || pro_words(&an);
  struct sk_search_result *r = result_new();
  if (!r) {
    analysis_free(&an);
    return SK_ENOMEM;
  }
  int page = q->page ? q->page : 1, per = q->per_page ? q->per_page : SK_SEARCH_PER_PAGE_DEFAULT;
  r->page = page;
  r->per_page = per;
  r->sort = sort_names[q->sort];
  const struct sks_snap *sn = s->snap;
  struct cand *heap = NULL;
  long *cnt = NULL;
  size_t k_top = (size_t)page * (size_t)per;
  size_t n_muni_f = s->area.n;
  size_t n_cnt = s->need.n + s->tg.n + n_muni_f + s->access.n + s->cost.n + 2;
  size_t nh = 0;
  long total = 0;
  int relaxed = 0, lower = 0;
  int own_txn = 0;
  struct sk_buf key;
  sk_buf_init(&key, 64 * 1024);
  uint64_t kh = 0;
  struct sks_rentry *hit = NULL;
  if (rcache_key(q, &f, k_top, &key) == SK_OK) {
    kh = fnv(sk_buf_str(&key));
    hit = rcache_find(s, sk_buf_str(&key), kh);
  }
  if (hit) {
    heap = malloc((hit->n_top ? hit->n_top : 1) * sizeof *heap);
    cnt = malloc(n_cnt * sizeof *cnt);
    if (!heap || !cnt || hit->n_cnt != n_cnt) {
      rc = SK_ENOMEM;
      goto fail;
    }
    memcpy(heap, hit->top, hit->n_top * sizeof *heap);
    memcpy(cnt, hit->cnt, n_cnt * sizeof *cnt);
    nh = hit->n_top;
    total = hit->total;
    relaxed = hit->relaxed;
    lower = hit->lower;
    r->relaxed = relaxed;
    goto ranked;
  }
  if (++s->gen == 0) {
    memset(s->stamp, 0, s->scratch_cap * sizeof *s->stamp);
    s->gen = 1;
  }
  s->n_touched = 0;
  /* 1. candidates: required words (AND), concept offerings, optional words.
   * A group with more than sks_caps.big_group postings (an everyday word at
   * 1M offerings) is "capped": not walked, but looked up for the
   * offerings the other words give (exact), or, when nothing else narrows
   * the query, for the best offerings of its impact lists (then the total
   * and the facet counts are lower bounds). */
  int text_mode = an.n_req > 0 || an.n_need > 0 || an.n_opt > 0 || an.n_lex > 0;
  const struct sks_post *p;
  uint8_t big_req[MAX_GROUPS] = {0}, big_opt[MAX_GROUPS] = {0}, big_boost[MAX_GROUPS] = {0};
  size_t n_big = 0, n_big_opt = 0, n_small_req = 0;
  for (size_t g = 0; g < an.n_req; g++) {
    big_req[g] = group_size(s, an.req[g]) > sks_caps.big_group;
    n_big += big_req[g];
    n_small_req += !big_req[g];
  }
  for (size_t g = 0; g < an.n_opt; g++) {
    big_opt[g] = group_size(s, an.opt[g]) > sks_caps.big_group;
    n_big_opt += big_opt[g];
  }
  size_t n_big_boost = 0;
  for (size_t g = 0; g < an.n_boost; g++) {
    big_boost[g] = group_size(s, an.boost[g]) > sks_caps.big_group;
    n_big_boost += big_boost[g];
  }
  int concept_q = an.n_need > 0 || an.n_opt > 0 || an.n_lex > 0;
  /* a need with that many offerings ("geld" at 1M) is capped too: its
   * offerings are not all candidates, membership is read from the
   * candidates' masks */
  struct sks_needmask big_need = {{0, 0}};
  size_t n_big_need = 0;
  for (size_t k = 0; k < an.n_need; k++) {
    int b = an.need_concepts[k];
    if (sn->need_ndocs[b] > sks_caps.big_group && !s->need.terms[b]->crisis) {
      big_need.w[b >> 6] |= 1ull << (b & 63);
      n_big_need++;
    }
  }
  struct sks_needmask big_lex = {{0, 0}};
  size_t n_big_lex = 0;
  for (size_t b = 0; an.n_lex && b < s->need.n; b++)
    if ((an.lex_needs.w[b >> 6] >> (b & 63) & 1) && sn->need_ndocs[b] > sks_caps.big_group) {
      big_lex.w[b >> 6] |= 1ull << (b & 63);
      n_big_lex++;
    }
  n_big_need += n_big_lex;
  /* exact: the offerings that can have every word are all walked */
  int capped_exact = n_small_req > 0 || (concept_q && !n_big_opt && !n_big_need);
  for (size_t g = 0; g < an.n_req && !rc; g++) {
    if (big_req[g])
      continue;
    if ((rc = postings(s, an.req[g], &p)))
      break;
    for (uint32_t i = 0; i < p->n; i++) {
      uint32_t rid = p->rid[i];
      touch(s, rid);
      s->acc[rid] += p->score[i];
      s->nreq[rid]++;
      s->mark[rid] |= M_TEXT;
    }
  }
  for (size_t g = 0; g < an.n_opt && !rc; g++) {
    if (big_opt[g])
      continue;
    if ((rc = postings(s, an.opt[g], &p)))
      break;
    for (uint32_t i = 0; i < p->n; i++) {
      touch(s, p->rid[i]);
      s->acc[p->rid[i]] += p->score[i];
      s->mark[p->rid[i]] |= M_CTEXT;
    }
  }
  /* the lexicon's words as written, and its needs' offerings */
  for (size_t g = 0; g < an.n_lexg && !rc; g++) {
    if (group_size(s, an.lexg[g]) > sks_caps.big_group)
      continue;
    if ((rc = postings(s, an.lexg[g], &p)))
      break;
    for (uint32_t i = 0; i < p->n; i++) {
      touch(s, p->rid[i]);
      s->acc[p->rid[i]] += p->score[i];
      s->mark[p->rid[i]] |= M_LTEXT;
    }
  }
  for (size_t b = 0; an.n_lex && b < s->need.n; b++) {
    if (!(an.lex_needs.w[b >> 6] >> (b & 63) & 1) || (big_lex.w[b >> 6] >> (b & 63) & 1))
      continue;
    for (uint32_t i = 0; i < sn->need_ndocs[b]; i++) {
      touch(s, sn->need_docs[b][i]);
      s->mark[sn->need_docs[b][i]] |= M_LNEED;
    }
  }
  for (size_t k = 0; k < an.n_need; k++) {
    int b = an.need_concepts[k];
    if (big_need.w[b >> 6] >> (b & 63) & 1)
      continue;
    for (uint32_t i = 0; i < sn->need_ndocs[b]; i++) {
      uint32_t rid = sn->need_docs[b][i];
      touch(s, rid);
      s->mark[rid] |= M_CNEED;
      if (s->need.terms[b]->crisis)
        s->mark[rid] |= M_CRISIS;
    }
  }
  if (!rc && !capped_exact) {
    for (size_t g = 0; g < an.n_req; g++)
      if (big_req[g])
        seed_group(s, an.req[g]);
    for (size_t g = 0; g < an.n_opt; g++)
      if (big_opt[g])
        seed_group(s, an.opt[g]);
    /* a capped need's best offerings are those with its words */
    for (size_t g = 0; n_big_need && g < an.n_boost; g++)
      seed_group(s, an.boost[g]);
  }
  if (n_big_need)
    mark_needs(s, &big_need, M_CNEED);
  if (n_big_lex)
    mark_needs(s, &big_lex, M_LNEED);
  for (size_t g = 0; g < an.n_boost && !rc; g++) {
    if (big_boost[g])
      continue;
    if ((rc = postings(s, an.boost[g], &p)))
      break;
    for (uint32_t i = 0; i < p->n; i++)
      if (s->stamp[p->rid[i]] == s->gen)
        s->acc[p->rid[i]] += 0.5f * p->score[i];
  }
  size_t n_probed = 0;
  if (!rc && (n_big || n_big_opt || n_big_boost))
    rc = probe_capped(s, &an, big_req, big_opt, big_boost, n_small_req, concept_q && !n_big_opt, 0, &n_probed);
  if (!rc && !n_probed && capped_exact && (n_big || n_big_opt || n_big_need)) {
    /* nothing can have every word, so any word will do (below): that needs
     * the common words' best offerings and every candidate's score */
    for (size_t g = 0; g < an.n_req; g++)
      if (big_req[g])
        seed_group(s, an.req[g]);
    for (size_t g = 0; g < an.n_opt; g++)
      if (big_opt[g])
        seed_group(s, an.opt[g]);
    if (n_big_need)
      mark_needs(s, &big_need, M_CNEED);
    if (n_big_lex)
      mark_needs(s, &big_lex, M_LNEED);
    rc = probe_capped(s, &an, big_req, big_opt, big_boost, n_small_req, 0, 1, &n_probed);
  }
  if (rc)
    goto fail;
  lower = (n_big || n_big_opt || n_big_need) && !capped_exact;
  /* 2. which touched offerings count: every required word, and a concept
   * (by classification or by its words) when there is one */
  size_t n_cand = 0;
  if (text_mode) {
    int need_c = an.n_need > 0 || an.n_opt > 0 || an.n_lex > 0;
    for (int pass = 0; pass < 2; pass++) {
      n_cand = 0;
      for (size_t i = 0; i < s->n_touched; i++) {
        uint32_t rid = s->touched[i];
        int ok = pass == 0 ? s->nreq[rid] == an.n_req && (!need_c || (s->mark[rid] & M_CONCEPT))
                           : (s->nreq[rid] > 0 || (s->mark[rid] & M_CONCEPT));
        if (ok)
          n_cand++;
        s->mark[rid] = (uint8_t)((s->mark[rid] & 0x7f) | (ok ? 0x80 : 0));
      }
      if (n_cand || pass == 1 || (an.n_req <= 1 && !need_c) )
        break;
      relaxed = 1;
    }
    if (!n_cand)
      relaxed = 0;
  }
  r->relaxed = relaxed;
  if (relaxed && (n_big || n_big_opt || n_big_need))
    lower = 1; /* any word: a capped word's offerings were not all walked */
  /* 3. filters, facets, ranking */
  heap = malloc(k_top * sizeof *heap);
  cnt = calloc(n_cnt, sizeof *cnt);
  if (!heap || !cnt) {
    rc = SK_ENOMEM;
    goto fail;
  }
  long *cnt_need = cnt, *cnt_tg = cnt_need + s->need.n, *cnt_muni = cnt_tg + s->tg.n,
       *cnt_acc = cnt_muni + n_muni_f, *cnt_cost = cnt_acc + s->access.n, *cnt_kind = cnt_cost + s->cost.n;
  size_t n_iter = text_mode ? s->n_touched : sn->n_docs_cap;
  int crisis_q = an.crisis;
  /* how central an offering is to the needs of a list without words (a
   * need chosen) or reached through the lexicon: the needs' own words
   * (offerings named after them) and the share of its needs inside them */
  struct sks_needmask closure = {{0, 0}};
  int central = 0;
  if (!text_mode && f.has_need) {
    central = 1;
    sks_need_closure(s, &f.need, &closure);
    struct sk_buf nb;
    sk_buf_init(&nb, 8192);
    rc = sks_need_words(s, &f.need, &nb);
    if (!rc && nb.len && group_size(s, sk_buf_str(&nb)) <= sks_caps.big_group &&
        (rc = postings(s, sk_buf_str(&nb), &p)) == SK_OK)
      for (uint32_t i = 0; i < p->n; i++) {
        touch(s, p->rid[i]);
        s->acc[p->rid[i]] = p->score[i];
      }
    sk_buf_free(&nb);
    if (rc)
      goto fail;
  } else if (an.n_lex) {
    sks_need_closure(s, &an.lex_needs, &closure);
  }
  for (size_t i = 0; i < n_iter; i++) {
    uint32_t rid = text_mode ? s->touched[i] : (uint32_t)i;
    if (text_mode && i + 16 < n_iter) {
      /* candidates are scattered over a large snapshot: fetch ahead (at
       * 1M offerings the loop otherwise waits on memory for each) */
      __builtin_prefetch(&sn->docs[s->touched[i + 16]]);
      __builtin_prefetch(&s->acc[s->touched[i + 16]]);
    }
    if (text_mode && !(s->mark[rid] & 0x80))
      continue;
    const struct sks_doc *d = &sn->docs[rid];
    if (!d->flags)
      continue;
    unsigned fm = fail_mask(s, d, &f);
    if (q->facets && (fm & ~(unsigned)F_OTHER) && !(fm & F_OTHER)) {
      /* one failing facet filter: it still counts for that facet */
      unsigned only = fm;
      if ((only & (only - 1)) == 0) {
        if (only == F_NEED)
          count_needs(cnt_need, &d->needs);
        else if (only == F_TG)
          count_bits(cnt_tg, d->tg);
        else if (only == F_ACCESS)
          count_bits(cnt_acc, d->access);
        else if (only == F_COST)
          count_bits(cnt_cost, d->cost);
        else if (only == F_KIND)
          cnt_kind[(d->flags & SKS_DOC_ACTIVITY) ? 1 : 0]++;
        else if (only == F_MUNI)
          count_bits(cnt_muni, munis_served(s, d, &f));
      }
      continue;
    }
    if (fm)
      continue;
    total++;
    if (q->facets) {
      count_needs(cnt_need, &d->needs);
      count_bits(cnt_tg, d->tg);
      count_bits(cnt_acc, d->access);
      count_bits(cnt_cost, d->cost);
      cnt_kind[(d->flags & SKS_DOC_ACTIVITY) ? 1 : 0]++;
      count_bits(cnt_muni, munis_served(s, d, &f) | (f.muni >= 0 ? 1u << f.muni : 0u));
    }
    double score = text_mode ? s->acc[rid] + ((s->mark[rid] & M_CNEED) ? CONCEPT_BONUS : 0) : 1.0;
    if (text_mode && (s->mark[rid] & (M_LNEED | M_LTEXT)) && !(s->mark[rid] & M_CNEED))
      score += (s->mark[rid] & M_LTEXT) ? LEX_BONUS
                                         : LEX_BONUS * (0.25 + 0.75 * sks_need_focus(d, &closure) *
                                                                      (0.5 + 0.5 * sks_need_coverage(d, &an.lex_needs)));
    else if (central)
      score = (1.0 + 0.5 * (s->stamp[rid] == s->gen ? s->acc[rid] : 0)) * (0.5 + 0.5 * sks_need_focus(d, &closure));
    score *= locality(s, d, f.pref);
    /* unconfirmed for a year (or never: activities too) ranks lower; only
     * offerings get the stale flag (is_stale) */
    if (d->assured_day < 0 || f.today - d->assured_day > 365)
      score *= 0.85;
    for (size_t k = 0; k < an.n_tg; k++)
      if (d->tg >> an.tg_concepts[k] & 1)
        score *= 1.2;
    if (crisis_q && text_mode && (s->mark[rid] & M_CRISIS))
      score += (d->flags & SKS_DOC_HAS_PHONE) ? CRISIS_BONUS : CRISIS_BONUS / 2; /* callable first */
    struct cand c = {rid, (float)score, 0};
    switch (q->sort) {
    case SK_SORT_NAME:
      c.key = d->name_rank;
      break;
    case SK_SORT_DISTANCE:
      c.key = (d->flags & SKS_DOC_HAS_POINT) ? km(f.olat, f.olon, d->lat, d->lon) : 1e9;
      break;
    case SK_SORT_SOONEST: {
      int64_t ns = next_start(s, d, f.now);
      c.key = ns == INT64_MAX ? 1e15 - score : (double)ns;
      break;
    }
    default:
      c.key = -score * 1e7 + d->name_rank * 1e-3;
    }
    heap_push(heap, &nh, k_top, c);
  }
  qsort(heap, nh, sizeof *heap, cand_cmp);
  if (kh)
    rcache_put(s, sk_buf_str(&key), kh, heap, nh, k_top, total, relaxed, lower, cnt, n_cnt);
ranked:;
  long *c_need = cnt, *c_tg = c_need + s->need.n, *c_muni = c_tg + s->tg.n, *c_acc = c_muni + n_muni_f,
       *c_cost = c_acc + s->access.n, *c_kind = c_cost + s->cost.n;
  r->total = total;
  r->total_is_lower_bound = lower;
  /* 4. the page: one read transaction for its ~100 small reads (each read
   * outside one takes and drops the WAL read lock), and one state of the
   * store for the whole page */
  own_txn = sqlite3_get_autocommit(s->st->db) && sk_store_exec(s->st, "BEGIN") == SK_OK;
  struct render_ctx rctx = {s, q, &f, &an, result_arena(r)};
  size_t from = (size_t)(page - 1) * (size_t)per;
  if (from < nh) {
    r->items = sk_arena_alloc(result_arena(r), (nh - from) * sizeof *r->items);
    if (!r->items) {
      rc = SK_ENOMEM;
      goto fail;
    }
    for (size_t i = from; i < nh; i++) {
      int er = render_item(&rctx, heap[i].rid, heap[i].score, &r->items[r->n_items]);
      if (er == SK_OK)
        r->n_items++;
      else if (er != SK_ENOTFOUND) {
        rc = er;
        goto fail;
      }
    }
  }
  if ((rc = add_concepts(s, &an, r)))
    goto fail;
  if (an.crisis && (rc = s->crisis ? crisis_block(&rctx, &cm, r) : crisis_lines(&rctx, &an, r)))
    goto fail;
  if (q->facets && (rc = build_facets(s, r, c_need, c_tg, c_muni, c_acc, c_cost, c_kind)))
    goto fail;
  if (f.muni >= 0) {
    r->place = s->area.terms[f.muni]->code;
    r->place_label = s->area.terms[f.muni]->label;
    r->place_from_query = place_from_query;
  }
  if (!total && an.n && !s->in_fallback) {
    /* never a dead end: the offerings of the closest needs instead */
    struct sk_search_result *fb = NULL;
    rc = fallback(s, q, &f, &an, &cm, r, &fb);
    if (rc == SK_OK) {
      sk_search_result_free(r);
      r = fb;
    } else if (rc != SK_ENOTFOUND) {
      goto fail;
    }
    rc = SK_OK;
  }
  if (!r->total && an.n && !r->n_suggested_needs)
    suggest_needs(s, &an, r);
  if (own_txn)
    sk_store_exec(s->st, "COMMIT");
  free(heap);
  free(cnt);
  sk_buf_free(&key);
  analysis_free(&an);
  *out = r;
  return SK_OK;
fail:
  if (own_txn)
    sk_store_exec(s->st, "COMMIT");
  sk_buf_free(&key);
  free(heap);
  free(cnt);
  analysis_free(&an);
  sk_search_result_free(r);
  snprintf(e->message, sizeof e->message, "Zoeken lukt nu niet (%s).", sk_strerror(rc));
  e->param[0] = '\0';
  return rc == SK_EINVAL ? SK_EDB : rc;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static json_t *jstr(const char *s) { return s ? json_string(s) : json_null(); }

static json_t *jcodes(const struct sk_search_code *c, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < n; i++)
    json_array_append_new(a, json_pack("{s:s?, s:s?}", "code", c[i].code, "label", c[i].label));
  return a;
}

static json_t *jsegs(const struct sk_search_segment *g, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < n; i++)
    json_array_append_new(a, json_pack("{s:s?, s:b}", "text", g[i].text, "hit", g[i].hit));
  return a;
}

static json_t *jitem(const struct sk_search_item *it) {
  json_t *o = json_object();
  if (!o)
    return NULL;
  json_object_set_new(o, "id", json_string(it->id));
  json_object_set_new(o, "kind", jstr(it->kind));
  json_object_set_new(o, "name", jstr(it->name));
  json_object_set_new(o, "organization",
                      json_pack("{s:s, s:s?}", "id", it->organization_id, "name", it->organization));
  json_object_set_new(o, "summary", jstr(it->summary));
  json_object_set_new(o, "url", jstr(it->url));
  json_object_set_new(o, "needs", jcodes(it->needs, it->n_needs));
  json_object_set_new(o, "target_groups", jcodes(it->target_groups, it->n_target_groups));
  json_object_set_new(o, "access", jcodes(it->access, it->n_access));
  json_object_set_new(o, "cost", jcodes(it->cost, it->n_cost));
  json_object_set_new(o, "laws", jcodes(it->laws, it->n_laws));
  json_object_set_new(o, "areas", jcodes(it->areas, it->n_areas));
  json_object_set_new(o, "area_match", jstr(it->area_match));
  json_object_set_new(o, "area_note", jstr(it->area_note));
  json_object_set_new(o, "min_age", it->min_age >= 0 ? json_integer(it->min_age) : json_null());
  json_object_set_new(o, "max_age", it->max_age >= 0 ? json_integer(it->max_age) : json_null());
  json_t *ph = json_array();
  for (size_t i = 0; ph && i < it->n_phones; i++)
    json_array_append_new(ph, json_pack("{s:s?, s:s?}", "number", it->phones[i].number, "description",
                                        it->phones[i].description));
  json_object_set_new(o, "phones", ph);
  if (it->referral_contact)
    json_object_set_new(o, "referral_contact", json_string(it->referral_contact));
  json_object_set_new(o, "next_start", jstr(it->next_start));
  json_object_set_new(o, "distance_km", it->distance_km >= 0 ? json_real(it->distance_km) : json_null());
  json_object_set_new(o, "assured_date", jstr(it->assured_date));
  json_object_set_new(o, "stale", json_boolean(it->stale));
  json_object_set_new(o, "crisis_line", json_boolean(it->crisis_line));
  json_object_set_new(o, "open_now", it->open_now < 0 ? json_null() : json_boolean(it->open_now));
  json_object_set_new(o, "name_segments", jsegs(it->name_segments, it->n_name_segments));
  json_object_set_new(o, "snippet", jsegs(it->snippet, it->n_snippet));
  json_object_set_new(o, "why", jstr(it->why));
  json_object_set_new(o, "score", json_real(round(it->score * 1000) / 1000));
  return o;
}

json_t *sk_search_result_json(const struct sk_search_result *r) {
  if (!r)
    return NULL;
  json_t *o = json_object();
  if (!o)
    return NULL;
  json_object_set_new(o, "total", json_integer(r->total));
  json_object_set_new(o, "total_is_lower_bound", json_boolean(r->total_is_lower_bound));
  json_object_set_new(o, "page", json_integer(r->page));
  json_object_set_new(o, "per_page", json_integer(r->per_page));
  json_object_set_new(o, "sort", jstr(r->sort));
  json_object_set_new(o, "relaxed", json_boolean(r->relaxed));
  json_object_set_new(o, "corrected", json_boolean(r->corrected));
  json_object_set_new(o, "did_you_mean", jstr(r->did_you_mean));
  json_object_set_new(o, "crisis", json_boolean(r->crisis));
  json_t *cl = json_array();
  for (size_t i = 0; cl && i < r->n_crisis_lines; i++)
    json_array_append_new(cl, jitem(&r->crisis_lines[i]));
  json_object_set_new(o, "crisis_lines", cl);
  json_object_set_new(o, "crisis_kind", jstr(r->crisis ? r->crisis_kind : NULL));
  json_t *ck = json_array();
  for (unsigned b = 1; ck && b < 1u << SK_CRISIS_N_KINDS; b <<= 1)
    if (r->crisis && (r->crisis_kinds & b))
      json_array_append_new(ck, json_string(sk_crisis_kind_name(b)));
  json_object_set_new(o, "crisis_kinds", ck);
  json_t *co = json_array();
  for (size_t i = 0; co && i < r->n_concepts; i++)
    json_array_append_new(co, json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}", "vocab", r->concepts[i].vocab, "code",
                                        r->concepts[i].code, "label", r->concepts[i].label, "matched",
                                        r->concepts[i].matched, "source", r->concepts[i].source));
  json_object_set_new(o, "concepts", co);
  json_object_set_new(o, "suggested_needs", jcodes(r->suggested_needs, r->n_suggested_needs));
  json_object_set_new(o, "place",
                      r->place ? json_pack("{s:s, s:s?, s:b}", "code", r->place, "label", r->place_label,
                                           "from_query", r->place_from_query)
                               : json_null());
  json_object_set_new(o, "fallback",
                      r->fallback_reason
                          ? json_pack("{s:s, s:s?, s:o}", "reason", r->fallback_reason, "message",
                                      r->fallback_message, "needs", jcodes(r->fallback_needs, r->n_fallback_needs))
                          : json_null());
  json_t *items = json_array();
  for (size_t i = 0; items && i < r->n_items; i++)
    json_array_append_new(items, jitem(&r->items[i]));
  json_object_set_new(o, "items", items);
  if (r->has_facets) {
    json_t *fo = json_object();
    for (int f = 0; fo && f < SK_SEARCH_N_FACETS; f++) {
      json_t *va = json_array();
      for (size_t i = 0; va && i < r->facets[f].n_values; i++)
        json_array_append_new(va, json_pack("{s:s?, s:s?, s:I}", "code", r->facets[f].values[i].code, "label",
                                            r->facets[f].values[i].label, "count",
                                            (json_int_t)r->facets[f].values[i].count));
      json_object_set_new(fo, r->facets[f].name, va);
    }
    json_object_set_new(o, "facets", fo);
  } else {
    json_object_set_new(o, "facets", json_null());
  }
  return o;
}
