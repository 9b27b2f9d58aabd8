#ifndef SK_SEARCH_STAGES_H
#define SK_SEARCH_STAGES_H
/*
 * The stages of one sk_search() call (owner: search engineer), one file
 * each, driven by sk_search.c:
 *
 *   sk_search_query.c    parameters (sk_search_query_set) and resolve:
 *                        the query's filters as bits (struct qf)
 *   sk_search_analyse.c  analysis: words, concepts, corrections, and the
 *                        query plan (struct analysis: word groups, whose
 *                        type is in sk_search_int.h, sk_search_plan.c)
 *   sk_search_eval.c     evaluation of word groups on the in-memory index
 *                        (bm25), capped groups probed and seeded
 *   sk_search_rank.c     candidates, filters, scores, the top k and the
 *                        facet counts (struct sks_ranking)
 *   sk_search_render.c   a page of items, highlights, concepts, facets
 *   sk_search_crisis.c   the crisis block over the list
 *   sk_search_json.c     the API's JSON shape
 *   sk_search_cache.c    postings, word and ranking caches
 *   sk_searcher.c        the searcher: statements, scratch, snapshot refresh
 *
 * Not for use outside core/search.
 */
#include "sk_buf.h"
#include "sk_lexicon_int.h"
#include "sk_search_int.h"

#define SKS_MAX_WORDS 32  /* words of a query that are looked at */
#define SKS_MAX_GROUPS 12 /* groups per role in the plan */

/* ---- the query plan (sk_search_analyse.c) ---- */

/* W_WHO: a relative after a possessive ("mijn moeder"): it says who asks;
 * it is not searched in the texts. W_AGE: an age ("van 15", "ben 14"): it
 * ranks, it selects nothing. */
enum { W_TEXT, W_STOP, W_NEED, W_TG, W_PLACE, W_LEX, W_WHO, W_AGE };

/* Who asks (asker_concepts): the person themself ("ik kan niet meer"),
 * someone close to the person ("mijn moeder", "mijn buurman"), a parent
 * ("mijn dochter"), or the words do not say. */
enum { SKS_ASKER_UNKNOWN, SKS_ASKER_SELF, SKS_ASKER_CLOSE, SKS_ASKER_PARENT };

struct qword {
  uint8_t crisis_word;      /* a crisis pattern used it (sks_analyse) */
  char f[SK_TOKEN_MAX + 4]; /* folded */
  size_t flen;
  char stem[SK_TOKEN_MAX + 4];
  char stem_t[SK_TOKEN_MAX + 4]; /* "woont": the stem of "woon", for the lexicon; or "" */
  int role;
  int prefix;                      /* the last word, still being typed */
  int phrase;                      /* index of the concept phrase it belongs to, -1 */
  int first;                       /* first word of its phrase */
  uint8_t by_stem;                 /* its concept phrase matched by stem, not as written */
  const char *corr;                /* the correction (word cache), or NULL */
  int replaced;                    /* 1: corr is searched instead of the word */
  int upper;                       /* written with a capital letter */
  const struct sks_lex_entry *lex; /* W_LEX: the lexicon entry it belongs to; W_TEXT or
                                      W_STOP: the entry of a compound or separable verb */
  size_t particle;  /* a separable verb ("kom" of "kom ... rond"): its particle's index + 1 */
  uint8_t relative; /* a relative after a possessive ("kind" of "mijn kind"): asker_concepts */
  const char *form; /* another form of the same word, for concepts (word cache), or NULL */
};

struct analysis {
  struct qword w[SKS_MAX_WORDS];
  size_t n;
  int ends_in_word;
  /* recognised concepts */
  int need_concepts[8];
  size_t n_need;
  int tg_concepts[4];
  size_t n_tg;
  int place;       /* area bit of a place name, -1 */
  int asker;       /* SKS_ASKER_* */
  int asker_tg;    /* target-group bit of the asker ("mijn moeder": mantelzorgers), -1 */
  int close_tg;    /* target-group bit of those around a person (the lexicon's [close]), -1 */
  int asker_adult; /* the asker has a relative only adults have ("mijn man", "mijn ex") */
  int16_t ages[4]; /* ages the words name ("mijn dochter van 15", "ik ben 14") */
  int self_age;    /* the asker's own ("ik ben 13"), -1 */
  int parent_tg;   /* target-group bit of parents (the lexicon's [child] group), -1 */
  size_t n_ages;
  struct sks_needmask lex_needs; /* needs reached through the lexicon */
  int n_lex;                     /* lexicon entries matched */
  int crisis;
  /* a recognised crisis: its family of needs, every need under the
   * top-level needs of its crisis needs (psychisch for suicide, veiligheid
   * for violence). The words the crisis patterns used stand for no need
   * outside it, and an offering outside it that only the words reached is
   * left out of the list ("ik wil niet meer leven" is no question about
   * the last phase of life) */
  struct sks_needmask crisis_family;
  size_t n_crisis_words; /* query words that a crisis pattern used */
  int corrected;         /* a did-you-mean exists */
  int replaced;          /* some word was searched as its correction */
  /* the plan's word groups (owned), by role */
  struct sks_group req[SKS_MAX_GROUPS]; /* every one required (AND) */
  size_t n_req;
  struct sks_group opt[SKS_MAX_GROUPS]; /* concept words: optional, add score */
  size_t n_opt;
  struct sks_group boost[SKS_MAX_GROUPS]; /* target group words, needs' words: only add score */
  size_t n_boost;
  struct sks_group lexg[SKS_MAX_GROUPS]; /* lexicon words found as written: optional, add score */
  size_t n_lexg;
  /* the groups the highlighter marks, in the order they were planned
   * (pointers into the arrays above) */
  const struct sks_group *hl[4 * SKS_MAX_GROUPS];
  size_t n_hl;
  /* their terms for the highlighter: stems, or folded prefixes */
  struct {
    char t[SK_TOKEN_MAX + 4];
    int prefix;
  } hlt[64];
  size_t n_hlt;
  /* under a crisis: the words (and their compounds) of offerings never to
   * list (sk_crisis_never: mediation under violence); owned */
  struct sks_group never;
  /* under a crisis: the offerings that are the block's lines (113,
   * Veilig Thuis), first in the list as in the block */
  uint32_t line_rids[4];
  size_t n_line_rids;
};

/* Analyse q (any bytes, NULL = none) into a; a is filled even on failure
 * and always freed with sks_analysis_free. */
/* crisis_words: when not NULL, the query's words that a crisis pattern
 * used (sk_crisis_match.words) are searched as text but stand for no need
 * outside the crisis's family (analysis.crisis_family). */
SK_MUST_CHECK int sks_analyse(struct sk_searcher *s, const char *q,
                              const struct sk_crisis_match *crisis_words, struct analysis *a);
void sks_analysis_free(struct analysis *a);
/* Fill a->never with the words of offerings never to list under the crisis
 * kinds of cm, and the compounds of the index that contain them. */
SK_MUST_CHECK int sks_never_group(struct sk_searcher *s, const struct sk_crisis_match *cm,
                                  struct analysis *a);
/* 1: the query is in professionals' words ("verwijzer") */
int sks_pro_words(const struct analysis *a);

/* Tokens of a text (sk_words callback), at most 8. */
struct sks_tok_list {
  struct {
    char t[SK_TOKEN_MAX + 4];
    size_t n;
  } tok[8];
  size_t n;
};
int sks_take_tok(void *ctx, const char *w, size_t n, size_t start, size_t end);

/* ---- the filters (sk_search_query.c) ---- */

enum { F_NEED = 1, F_TG = 2, F_MUNI = 4, F_ACCESS = 8, F_COST = 16, F_KIND = 32, F_OTHER = 64 };

struct qf {
  struct sks_needmask need;
  int has_need;
  int tg;           /* bit or -1 */
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

/* Fill e (when not NULL) and return SK_EINVAL; fmt has one %s for v. */
int sks_qerr(struct sk_search_error *e, const char *param, const char *fmt, const char *v);
/* The query's parameters checked against the taxonomy, as bits. SK_OK,
 * or SK_EINVAL with e naming the parameter. */
SK_MUST_CHECK int sks_resolve(struct sk_searcher *s, const struct sk_search_query *q, struct qf *f,
                              struct sk_search_error *e);
int sks_vbit(const struct sks_vocab *v, const char *code); /* bit of code, -1 when not in v */

/* ---- evaluation (sk_search_eval.c) ---- */

/* The postings a group would walk: decides whether it is capped
 * (sks_caps.big_group); 0 when it finds nothing. */
size_t sks_group_size(struct sk_searcher *s, const struct sks_group *g);
/* A group's postings with bm25 scores (malloc'd, the caller frees). */
SK_MUST_CHECK int sks_eval_group(struct sk_searcher *s, const struct sks_group *g,
                                 uint32_t **rid_out, float **sc_out, size_t *n_out);
/* The candidates of this query (scratch by rid; sk_search_rank.c) */
static inline void sks_touch(struct sk_searcher *s,
                             uint32_t rid) { /* hot: once per posting walked */
  if (s->stamp[rid] == s->gen)
    return;
  s->stamp[rid] = s->gen;
  s->acc[rid] = 0;
  s->nreq[rid] = 0;
  s->mark[rid] = 0;
  s->touched[s->n_touched++] = rid;
}
SK_MUST_CHECK int sks_ensure_touched(struct sk_searcher *s);
void sks_seed_group(struct sk_searcher *s, const struct sks_group *g);
void sks_mark_needs(struct sk_searcher *s, const struct sks_needmask *m, uint8_t bit);
SK_MUST_CHECK int sks_probe_capped(struct sk_searcher *s, const struct analysis *an,
                                   const uint8_t *big_req, const uint8_t *big_opt,
                                   const uint8_t *big_boost, size_t n_small_req, int need_concept,
                                   int all, size_t *n_probed);

static inline int sks_need_any(const struct sks_needmask *a, const struct sks_needmask *b) {
  return (a->w[0] & b->w[0]) || (a->w[1] & b->w[1]);
}

/* marks of a candidate (s->mark) */
enum {
  M_CNEED = 1,
  M_CTEXT = 2,
  M_TEXT = 4,
  M_CRISIS = 8,
  M_LNEED = 16,
  M_LTEXT = 32,
  M_NEVER = 64 /* never listed under this crisis (analysis.never) */
};
/* an offering that has the query's concept: by classification or words,
 * the taxonomy's or the lexicon's */
#define M_CONCEPT (M_CNEED | M_CTEXT | M_LNEED | M_LTEXT)

/* ---- caches (sk_search_cache.c) ---- */

uint64_t sks_hash(const char *s); /* FNV-1a */
/* A group's postings, evaluated or from the searcher's cache (valid until
 * the next call). */
SK_MUST_CHECK int sks_postings(struct sk_searcher *s, const struct sks_group *g,
                               const struct sks_post **out);
/* The cached analysis of one word (key: '*' or '=' + the word), or NULL. */
struct sks_wentry *sks_wcache_find(struct sk_searcher *s, const char *key);
/* Keep it (the groups are copied); *out the entry. */
SK_MUST_CHECK int sks_wcache_put(struct sk_searcher *s, const char *key, const struct sks_group *g,
                                 size_t ng, const char *corr, int replaced,
                                 const struct sks_wentry **out);
SK_MUST_CHECK struct sks_rentry *sks_rcache_new(void);
void sks_cache_clear(struct sk_searcher *s); /* every cache (a new snapshot) */

/* ---- ranking and facets (sk_search_rank.c) ---- */

struct cand {
  uint32_t rid;
  float score;
  double key; /* sort key: smaller first */
};
void sks_heap_push(struct cand *h, size_t *n, size_t k, struct cand c); /* keep the best k */
int sks_cand_cmp(const void *a, const void *b);                         /* qsort: best first */

/* The ranking of a query: the best k_top candidates, best first, the
 * total and the facet counts (owned; sks_ranking_free). */
struct sks_ranking {
  struct cand *top;
  size_t n_top, k_top;
  long *cnt; /* need, target group, area, access, cost, kind (2) */
  size_t n_cnt;
  long total;
  int relaxed; /* no offering had every word: any word was used */
  int lower;   /* total and counts are lower bounds */
};
/* Rank (or take from the ranking cache) for q, f and an. */
SK_MUST_CHECK int sks_rank(struct sk_searcher *s, const struct sk_search_query *q,
                           const struct qf *f, const struct analysis *an, struct sks_ranking *rk);
void sks_ranking_free(struct sks_ranking *rk);
SK_MUST_CHECK int sks_rcache_key(const struct sk_search_query *q, const struct qf *f, size_t k_top,
                                 struct sk_buf *b);
const struct sks_rentry *sks_rcache_find(struct sk_searcher *s, const char *key, uint64_t h);
void sks_rcache_put(struct sk_searcher *s, const char *key, uint64_t h,
                    const struct sks_ranking *rk);
/* A copy of a cached ranking into rk (whose k_top and n_cnt are set):
 * SK_OK, SK_ENOMEM, or SK_ENOTFOUND when the entry does not fit rk. */
SK_MUST_CHECK int sks_rcache_get(const struct sks_rentry *e, struct sks_ranking *rk);

/* filters on one offering */
unsigned sks_fail_mask(const struct sk_searcher *s, const struct sks_doc *d, const struct qf *f);
int sks_open_at(const struct sk_searcher *s, const struct sks_doc *d,
                const struct qf *f); /* 1, 0, -1 unknown */
int sks_is_stale(const struct sks_doc *d, int32_t today);
double sks_locality(const struct sk_searcher *s, const struct sks_doc *d, int m);
double sks_km(double la1, double lo1, double la2, double lo2);
/* the facets of a result from the ranking's counts */
SK_MUST_CHECK int sks_build_facets(struct sk_searcher *s, struct sk_search_result *r,
                                   const long *cnt);

/* ---- rendering (sk_search_render.c) ---- */

struct render_ctx {
  struct sk_searcher *s;
  const struct sk_search_query *q;
  const struct qf *f;
  const struct analysis *an;
  struct sk_arena *a;
};
SK_MUST_CHECK struct sk_search_result *sks_result_new(void);
struct sk_arena *sks_result_arena(struct sk_search_result *r);
/* One item; SK_ENOTFOUND when the offering is gone since the snapshot. */
SK_MUST_CHECK int sks_render_item(struct render_ctx *c, uint32_t rid, float score,
                                  struct sk_search_item *it);
/* The page's items from a ranking. */
SK_MUST_CHECK int sks_render_page(struct render_ctx *c, const struct sks_ranking *rk, int page,
                                  int per, struct sk_search_result *r);
SK_MUST_CHECK int sks_add_concepts(struct sk_searcher *s, const struct analysis *an,
                                   struct sk_search_result *r);
void sks_suggest_needs(struct sk_searcher *s, const struct analysis *an,
                       struct sk_search_result *r);

/* ---- the crisis block (sk_search_crisis.c) ---- */

/* The query's crisis kinds: its text as typed and its need filter. */
void sks_crisis_check(struct sk_searcher *s, const struct sk_search_query *q,
                      struct sk_crisis_match *cm);
/* The crisis needs of the recognised kinds as concepts of an. */
/* The needs of the family of a crisis (see analysis.crisis_family). */
void sks_crisis_family(const struct sk_searcher *s, const struct sk_crisis_match *cm,
                       struct sks_needmask *out);
/* an->line_rids: the store's offerings of the lines of cm's block, in its
 * order (not professional-only ones for a resident); SK_EDB when the
 * store cannot be read. */
SK_MUST_CHECK int sks_crisis_line_rids(struct sk_searcher *s, const struct sk_crisis_match *cm,
                                       int professional, struct analysis *an);
void sks_add_crisis_needs(struct sk_searcher *s, const struct sk_crisis_match *cm,
                          struct analysis *an);
/* The crisis lines of r: sk_crisis's (s->crisis), else the taxonomy's crisis needs'. */
SK_MUST_CHECK int sks_crisis_lines(struct render_ctx *rc, const struct sk_crisis_match *cm,
                                   struct sk_search_result *r);

/* ---- the searcher (sk_searcher.c) ---- */

/* A newer snapshot when the store changed; scratch fitted to it. */
SK_MUST_CHECK int sks_refresh(struct sk_searcher *s);

#endif
