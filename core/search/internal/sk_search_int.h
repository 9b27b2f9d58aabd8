#ifndef SK_SEARCH_INT_H
#define SK_SEARCH_INT_H
/*
 * Internals of sk_search (owner: search engineer): the snapshot, the
 * searcher and the query plan's word groups, shared by every file of
 * core/search (the stages of one query are declared in
 * sk_search_stages.h). Not for use outside core/search.
 */
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sk_crisis.h"
#include "sk_err.h"
#include "sk_search.h"
#include "sk_tokenizer.h"

/* ---- arena: results and snapshots free everything at once ---- */
struct sk_arena_block;
struct sk_arena {
  struct sk_arena_block *head;
};
SK_MUST_CHECK void *sk_arena_alloc(struct sk_arena *a,
                                   size_t n); /* zeroed; NULL when out of memory */
SK_MUST_CHECK char *sk_arena_strdup(struct sk_arena *a, const char *s); /* NULL stays NULL */
SK_MUST_CHECK char *sk_arena_strndup(struct sk_arena *a, const char *s, size_t n);
void sk_arena_free(struct sk_arena *a);

/* ---- taxonomy as bit positions ---- */
#define SKS_MAX_NEEDS SK_TAXONOMY_MAX_NEEDS /* one bit per need (sk_taxonomy.h) */
#define SKS_MAX_SMALL SK_TAXONOMY_MAX_SMALL /* target groups, laws, areas: uint16_t masks */
_Static_assert(SKS_MAX_SMALL <= 16, "target-group, law and area masks are uint16_t");
_Static_assert(SK_TAXONOMY_MAX_CHOICES <= SKS_MAX_SMALL, "access and cost fit a small vocab");

struct sks_needmask {
  uint64_t w[2];
};

/* Per vocabulary: term pointers by bit index. */
struct sks_vocab {
  const struct sk_term *terms[SKS_MAX_NEEDS];
  size_t n;
};

/* ---- the snapshot: one compact record per active offering, by rid ---- */
enum {
  SKS_DOC_ACTIVE = 1,
  SKS_DOC_ACTIVITY = 2,
  SKS_DOC_CRISIS = 4,     /* classified under a crisis need */
  SKS_DOC_HAS_POINT = 8,  /* lat/lon known */
  SKS_DOC_HAS_PHONE = 16, /* a phone number anyone may see */
  SKS_DOC_PRO_ONLY = 32,  /* its only target group is a professional_only one */
};

struct sks_rule {           /* a service_area row for a municipality with ages */
  uint8_t area;             /* bit index in the area vocabulary */
  int16_t min_age, max_age; /* -1 open */
};

struct sks_hours {
  uint8_t weekday;        /* 1..7 */
  uint16_t opens, closes; /* minutes after local midnight */
  int32_t from, to;       /* local days since the epoch the row holds on; -1 open */
};

struct sks_doc {
  struct sks_needmask needs; /* with every ancestor of each need */
  uint16_t tg, areas;
  uint8_t access, cost, flags, n_rules;
  int16_t min_age, max_age; /* effective: own, else from target groups; -1 open */
  uint32_t org;             /* organization rid */
  uint32_t name_rank;
  int32_t assured_day; /* days since 1970-01-01; -1 unknown */
  float lat, lon;
  uint32_t rule_off;
  uint32_t hours_off;
  uint16_t n_hours;
  uint16_t n_occ;
  uint32_t occ_off;
  uint16_t laws; /* law bits (fits the padding: the record stays 72 bytes) */
};

struct sks_occ {
  int64_t start, end; /* unix seconds; end = start when unknown */
};

struct sks_word { /* one surface word of the index (search_words) */
  const char *w;
  uint32_t len;
  uint32_t df;
};

/* In-memory inverted index over search_fts (sk_search_index.c). Terms are
 * the tokenizer's keys (stems), sorted bytewise; postings by term, rids
 * ascending, with the column-weighted term frequency. */
struct sks_index {
  uint32_t n_terms;
  const char **term; /* in the snapshot's arena */
  uint32_t *term_len;
  uint32_t *off; /* n_terms + 1: postings of term i are [off[i], off[i+1]) */
  uint32_t *rid;
  uint16_t *wf; /* sum of column weights over the term's occurrences */
  size_t n_post;
  uint32_t *doclen; /* by rid: tokens in the document */
  float *norm;      /* by rid: k1 * (1 - b + b * doclen / avgdl) */
  uint32_t n_rows;
  double avgdl;
  /* impact lists: for a term in sks_caps.impact_min_df+ offerings, its
   * best sks_caps.impact_k offerings by the term's bm25, best first; they
   * seed the candidates of a query whose words are all that common (see
   * "capped" in sk_search_rank.c). imp_off has n_terms + 1 entries; a term
   * without a list has an empty range. */
  uint32_t *imp_off;
  uint32_t *imp_rid;
};
/* The bounds of a query over a large store (sk_search_index.c holds the
 * defaults below; a test may lower them before it opens its store, to
 * exercise the capped path on a small corpus; not changed while
 * searchers run):
 * - impact_min_df, impact_k: a term in impact_min_df+ offerings gets an
 *   impact list of its best impact_k (read at snapshot build);
 * - big_group: a word group whose terms have more postings than this (at
 *   1M offerings: the everyday words) is not walked: its score is looked
 *   up for the candidates the other words give, or its impact lists seed
 *   them;
 * - seed_budget: seeds per capped group, shared by its terms. */
struct sks_caps {
  uint32_t impact_min_df, impact_k, big_group, seed_budget;
};
extern struct sks_caps sks_caps;
#define SKS_CAPS_DEFAULT                                                                           \
  { 8192, 8192, 100000, 32768 }

struct sks_snap {
  struct sk_arena arena;
  int refs;        /* searchers using it + 1 while it is the process's current one */
  uint64_t ticket; /* the change ticket when its build began (sk_search_snap.c) */
  uint64_t fp;     /* fingerprint of the store it was read from */
  uint64_t serial; /* unique in the process: sk_searcher_generation */
  struct sks_index ix;
  struct sks_doc *docs; /* indexed by rid, n_docs_cap entries; flags 0 = absent */
  uint32_t n_docs_cap;
  uint32_t n_active;
  struct sks_rule *rules;
  size_t n_rules;
  struct sks_hours *hours;
  size_t n_hours;
  struct sks_occ *occ;
  size_t n_occ;
  uint32_t *need_docs[SKS_MAX_NEEDS]; /* rids classified under (within) need i */
  uint32_t need_ndocs[SKS_MAX_NEEDS];
  /* vocabulary, sorted by word for binary search */
  struct sks_word *words;
  size_t n_words;
  /* trigram -> word ids (hash buckets), for typo candidates */
  uint32_t *tri_off; /* SKS_TRI_BUCKETS + 1 */
  uint32_t *tri_ids;
  /* organisations for suggest */
  struct {
    const char *name, *folded;
    char id[SK_UUID_LEN];
  } * orgs;
  size_t n_orgs;
};
#define SKS_TRI_BUCKETS 65536
uint32_t sks_tri_bucket(const char *p); /* the bucket of the trigram at p (sk_search_snap.c) */

/* ---- the query plan: word groups ---- */

/* A word group: alternatives any of which satisfies it, each a word or a
 * phrase of words (folded, separated by one space; a phrase means all of
 * its words in the offering), optionally a prefix (star: the last word
 * stands for every index term that starts with it). The query plan holds
 * one group per query word (or per part of a split compound) and per
 * concept; groups are evaluated on the in-memory index directly
 * (sk_search_eval.c), never through an FTS5 MATCH text. */
#define SKS_GROUP_ALTS 32
#define SKS_ALT_MAX (2 * SK_TOKEN_MAX + 7) /* bytes of one alternative that are evaluated */
struct sks_group {              /* kept small: a query plan holds up to 48, the caches thousands */
  char *text;                   /* the alternatives, each NUL-terminated (owned) */
  uint16_t text_len, text_cap;  /* bytes (SK_ETOOBIG past UINT16_MAX) */
  uint16_t off[SKS_GROUP_ALTS]; /* alternative i is text + off[i] */
  uint32_t stars;               /* bit i: the last word of alternative i is a prefix */
  uint8_t n;                    /* alternatives */
  uint8_t score_only;           /* a compound's common head: adds score, not required */
};
/* sk_search_plan.c. A group starts zeroed (or from sks_group_reset) and is
 * freed with sks_group_free. Adding past SKS_GROUP_ALTS alternatives is a
 * no-op (the analysis writes at most 32 to any group: a need's words). */
static inline const char *sks_group_alt(const struct sks_group *g, size_t i) {
  return g->text + g->off[i];
}
static inline int sks_group_star(const struct sks_group *g, size_t i) {
  return (int)(g->stars >> i & 1);
}
void sks_group_reset(struct sks_group *g);
void sks_group_free(struct sks_group *g);
SK_MUST_CHECK int sks_group_add(struct sks_group *g, const char *w, size_t len, int star);
/* 1 when g has the alternative (w, star) already */
int sks_group_has(const struct sks_group *g, const char *w, size_t len, int star);
int sks_group_eq(const struct sks_group *a,
                 const struct sks_group *b); /* same alternatives, in order */
uint64_t sks_group_hash(const struct sks_group *g);
SK_MUST_CHECK int sks_group_copy(struct sks_group *dst,
                                 const struct sks_group *src); /* dst is reset first */

/* ---- the searcher ---- */
struct sk_lexicon;
struct sks_post {        /* cached postings of one word group */
  struct sks_group *key; /* owned; NULL: a free slot */
  uint64_t hash;
  uint32_t *rid;
  float *score; /* -bm25: higher is better */
  uint32_t n;
  uint64_t used; /* LRU tick */
  size_t bytes;
};

struct sks_wentry { /* cached analysis of one query word */
  char *key;        /* '*' or '=' (prefix or whole word) + the folded word */
  uint64_t hash;
  /* its groups: one, or one per searched part of a split compound */
  struct sks_group *groups;
  uint8_t n_groups;
  char *corr; /* its typo correction, or NULL */
  /* 1: the groups search corr (the word found nothing); 2: corr is another
   * form of the same correct word ("mishandeld" for "mishandelt", from the
   * dictionary's root), for concepts only and never shown */
  int replaced;
  uint64_t used;
};

enum { ST_ITEM, ST_TAX, ST_AREA, ST_PHONE, ST_NEXT, ST_ORG, ST_SUGGEST, ST_DV, ST_COUNT };

#define SKS_WORD_CACHE 1024
#define SKS_RESULT_CACHE 256
struct sks_rentry;
#define SKS_POST_CACHE 512
#define SKS_POST_CACHE_BYTES (8u << 20)

struct sk_searcher {
  struct sk_store *st;
  const struct sk_taxonomy *tax;
  struct sk_stemmer *stem;
  struct sks_vocab need, tg, access, cost, area, law;
  uint8_t need_top[SKS_MAX_NEEDS];      /* per need bit: the bit of its top-level need */
  uint16_t muni_allowed[SKS_MAX_SMALL]; /* per area bit of a municipality: areas that serve it */
  uint16_t muni_scopes[SKS_MAX_SMALL];  /* its own scopes (bel, hbel) */
  uint16_t muni_bits;                   /* area bits that are municipalities */
  int area_landelijk, area_regio;
  uint16_t tg_pro; /* target-group bits marked professional_only in the taxonomy */
  struct sks_snap *snap;
  struct sks_shared *sh; /* the process-wide snapshot of this store */
  uint64_t want;         /* a change was seen: needs a snapshot of ticket >= want */
  int64_t data_version;
  long long total_changes;
  int background; /* sk_searcher_set_background */
  sqlite3_stmt *stmt[ST_COUNT];
  /* caches */
  struct sks_post cache[SKS_POST_CACHE];
  struct sks_wentry wcache[SKS_WORD_CACHE];
  struct sks_rentry *rcache; /* SKS_RESULT_CACHE entries */
  size_t cache_bytes;
  uint64_t tick;
  /* scratch per rid */
  uint32_t *stamp;
  float *acc;
  uint8_t *nreq;
  uint8_t *mark;
  uint32_t gen;
  uint32_t scratch_cap;
  /* scratch of one group expression (eval_expr) and of one phrase */
  uint32_t *g_stamp, *g_list, g_gen;
  float *g_acc;
  size_t g_n;
  uint32_t *p_stamp, *p_list, p_gen;
  float *p_wf;
  uint8_t *p_cnt;
  uint32_t *touched;
  size_t n_touched, touched_cap;
  /* scratch of a capped query: a bitmap by rid that sorts the offerings
   * whose score of a common word is looked up (zero between queries) */
  uint64_t *c_bits;
  /* ... and per offering of that set (grown to the largest set seen) */
  uint32_t *pr_c, *pr_l0, *pr_l1;
  float *pr_sc, *pr_tw, *pr_pw;
  uint8_t *pr_hit, *pr_cnt;
  size_t pr_cap;
  /* typo candidates: shared trigram counts per vocabulary word */
  uint16_t *tri_count;
  uint32_t *tri_touched;
  size_t tri_cap;
  /* concept phrases from the taxonomy */
  struct sks_phrase *phrases;
  size_t n_phrases;
  const char **one_words; /* the one-word phrases' words, sorted (owned array, borrowed words) */
  size_t n_one_words;
  /* crisis recognition (sk_crisis, from the store's copy of
   * feeds/crisis.json); NULL for a store indexed before it existed: then
   * the taxonomy's crisis needs decide, as before */
  struct sk_crisis *crisis;
  /* the everyday-Dutch lexicon (sk_lexicon_int.h; shared, read-only) */
  const struct sk_lexicon *lex;
  struct sks_simword *simw; /* need words for sks_lex_similar (sk_lexicon.c) */
  size_t n_simw;
  int in_fallback; /* running the inner query of a fallback (sk_search.c) */
};

/* strcmp(a, b) == 0, the first byte compared inline: in loops over every
 * phrase of the taxonomy per query word almost every pair differs there. */
static inline int sks_streq(const char *a, const char *b) {
  return a[0] == b[0] && strcmp(a, b) == 0;
}

struct sks_simword {
  const char *x, *xstem; /* folded word and its stem (borrowed from the lexicon or a phrase) */
  uint32_t mask;         /* bit (byte & 31) for every byte of x */
  uint32_t owner;        /* lexicon entry index, or phrase index */
  uint16_t xl;
  uint8_t is_phrase;
  uint8_t last; /* the last word of its owner */
};

struct sks_phrase {
  int vocab; /* enum sk_vocab: need, target group or municipality */
  int idx;   /* bit index (need/tg) or area bit (municipality) */
  const struct sk_term *term;
  const char *text; /* the label or synonym as written (owned by the taxonomy) */
  char *stems[6];   /* stems of its words */
  char *words[6];   /* folded words */
  size_t n;
};

/* snapshot (sk_search_snap.c). One snapshot per store file and taxonomy
 * is shared by every searcher of the process (reference-counted); a
 * searcher that sees a change takes a ticket and gets a snapshot built
 * after it: by itself when nobody is building, else it keeps answering
 * from the one it has until the new one is there. */
struct sks_shared;
SK_MUST_CHECK int sks_snap_attach(struct sk_searcher *s); /* at creation: share or build */
void sks_snap_changed(struct sk_searcher *s);             /* the store changed: take a ticket */
SK_MUST_CHECK int sks_snap_update(struct sk_searcher *s,
                                  int *swapped); /* adopt or build a newer one when wanted */
void sks_snap_detach(struct sk_searcher *s);
SK_MUST_CHECK int sks_snap_load(struct sk_searcher *s, struct sks_snap **out);
void sks_snap_free(struct sks_snap *sn);
int sks_word_find(const struct sks_snap *sn, const char *w, size_t len); /* index or -1 */
int sks_word_prefix_exists(const struct sks_snap *sn, const char *w, size_t len);
/* Local civil time in Europe/Amsterdam: weekday 1..7 (Mon..Sun), minutes. */
void sks_local_time(int64_t t, int *weekday, int *minutes);
int32_t sks_day_from_iso(const char *iso); /* days since epoch, -1 when unreadable */

/* in-memory index (sk_search_index.c) */
SK_MUST_CHECK int sks_index_load(sqlite3 *db, struct sks_snap *sn);
void sks_index_free(struct sks_index *ix);
int sks_index_find(const struct sks_index *ix, const char *s, size_t n); /* term index or -1 */
void sks_index_prefix(const struct sks_index *ix, const char *p, size_t n, uint32_t *from,
                      uint32_t *to);
double sks_index_idf(const struct sks_index *ix, uint32_t n_hit); /* FTS5's bm25 idf */

/* text (sk_search_text.c) */
int sks_damerau(const char *a, size_t na, const char *b, size_t nb, int max);
int sks_is_stopword(const char *w);
int sks_is_vague(const char *folded); /* a synonym too vague to stand for a need alone ("huis") */
SK_MUST_CHECK int sks_phrases_build(struct sk_searcher *s);
void sks_phrases_free(struct sk_searcher *s);
/* Whether w (folded) is a one-word concept phrase (a need's or target
 * group's label or synonym, a municipality's name). */
int sks_one_word_phrase(const struct sk_searcher *s, const char *w);

/* decompounding (sk_decompound.c): a word the index does not know, split
 * into 2..SKS_SPLIT_MAX parts of SKS_PART_MIN+ letters that it does, with
 * the Dutch linking sounds -s-, -e-, -en- (and -er- after kind, lied, ...)
 * between them ("opvoedhulp" -> opvoed + hulp, "verslavingshulp" ->
 * verslaving (s) hulp, "kinderopvang" -> kind (er) opvang). A part is a
 * word of the index as written, or a correct Dutch word (sk_spell.h)
 * whose stem the index has ("beweeg" -> beweg), or, as the head of two,
 * a correct word the index lacks, which is not searched ("beweegaanbod"
 * -> beweeg + aanbod); never a verb prefix, particle or stop word
 * ("overleden" is not over + leden). The parts searched must be 40 % of
 * the word or more. Dynamic programming over the end positions: fewest
 * parts, then fewest the index lacks, then fewest known only by their
 * stem, then the most common rarest part. Bounded: words of at most
 * SKS_SPLIT_WORD_MAX bytes, O(n^2) part lookups (binary searches; a stem
 * and a dictionary lookup only for a part the index has no word for).
 * SK_ENOTFOUND when there is no split; out is then empty. */
#define SKS_SPLIT_MAX 4
#define SKS_PART_MIN 3
#define SKS_SPLIT_WORD_MAX 48
struct sks_split {
  size_t n;
  struct {
    uint8_t off, len; /* bytes of the word */
    uint8_t searched; /* 0: a correct word the index does not have */
    uint32_t df;      /* offerings the part finds (searched parts) */
  } part[SKS_SPLIT_MAX];
};
SK_MUST_CHECK int sks_decompound(const struct sks_snap *sn, struct sk_stemmer *stem, const char *w,
                                 size_t wl, struct sks_split *out);

#endif
