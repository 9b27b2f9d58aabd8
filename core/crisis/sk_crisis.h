#ifndef SK_CRISIS_H
#define SK_CRISIS_H
/*
 * sk_crisis: is a resident's query about a crisis (suicide or self-harm,
 * violence/abuse/threats/stalking, immediate danger), and which crisis
 * lines go first. The patterns, the word sets they are built from and the
 * lines are data (feeds/crisis.json, described in docs/crisis.md); this
 * module compiles them once into a hash table keyed by folded word form, so
 * a check costs a few hash lookups per word of the query.
 *
 * Owner: the crisis module (core/crisis/). It depends on the base only
 * (sk_fold, sk_buf, sk_store); search and the CLI use it.
 *
 * Ownership and threads: struct sk_crisis is immutable after load; any
 * number of threads may call sk_crisis_check and sk_crisis_lines on one
 * object at once. Every string and line pointer handed out is owned by the
 * object and valid until sk_crisis_free.
 *
 *   struct sk_crisis *c = NULL;
 *   char err[256];
 *   if (sk_crisis_load("feeds/crisis.json", &c, err, sizeof err)) die(err);
 *   struct sk_crisis_match m;
 *   if (sk_crisis_check(c, q, strlen(q), &m) == SK_OK && m.kinds) {
 *     const struct sk_crisis_line *lines[SK_CRISIS_MAX_LINES];
 *     size_t n = sk_crisis_lines(c, m.kinds, 0, lines, SK_CRISIS_MAX_LINES);
 *     ...
 *   }
 *   sk_crisis_free(c);
 */
#include <stddef.h>

#include "sk_err.h"
#include "sk_store.h"

/* Bounds. A query is looked at up to SK_CRISIS_Q_MAX bytes and its first
 * SK_CRISIS_MAX_WORDS words (the rest is ignored, never an error). A data
 * file past these limits is refused at load with a message. */
#define SK_CRISIS_Q_MAX 2000
#define SK_CRISIS_MAX_WORDS 128
#define SK_CRISIS_FILE_MAX (1024 * 1024)
#define SK_CRISIS_MAX_SETS 1024
#define SK_CRISIS_MAX_SLOTS 6
#define SK_CRISIS_MAX_LINES 8

/* The kinds, as bits (a query can be about several). Names in the data
 * and the API: "danger", "suicide", "violence". */
enum sk_crisis_kind {
  SK_CRISIS_DANGER = 1,   /* immediate danger: 112 first */
  SK_CRISIS_SUICIDE = 2,  /* suicide and self-harm: 113 first */
  SK_CRISIS_VIOLENCE = 4, /* violence, abuse, threats, stalking: Veilig Thuis first */
};
#define SK_CRISIS_N_KINDS 3

/* "danger", "suicide", "violence" for one bit; NULL for anything else. */
const char *sk_crisis_kind_name(unsigned kind);

/* A line of the crisis block, from the data file. */
struct sk_crisis_line {
  const char *key;          /* "113", "veilig-thuis", "112" */
  const char *id;           /* a UUID of its own (used when no offering is linked) */
  const char *name;         /* "113 Zelfmoordpreventie" */
  const char *number;       /* the number to call first: "0800-0113" */
  const char *number_note;  /* "Gratis, dag en nacht" or NULL */
  const char *number2;      /* a second number ("113") or NULL */
  const char *number2_note; /* or NULL */
  const char *chat;         /* chat address ("https://www.113.nl") or NULL */
  const char *url;          /* website or NULL */
  const char *note;         /* one Dutch sentence: when to call */
  /* The store offering that is this line, by the id its feed gives it
   * (service.source_key of feed `offering_feed`), or both NULL. */
  const char *offering;
  const char *offering_feed;
  int professional; /* 1: for professionals only; never shown to residents */
};

struct sk_crisis;

/* Load and compile a data file (see docs/crisis.md). SK_OK with *out set;
 * SK_EIO (unreadable), SK_ETOOBIG, SK_EPARSE (not JSON) or SK_EINVAL (a
 * rule broken) with a message naming the place in err. */
SK_MUST_CHECK int sk_crisis_load(const char *path, struct sk_crisis **out, char *err,
                                 size_t errlen);
/* The same from text in memory (len bytes; need not be NUL-terminated). */
SK_MUST_CHECK int sk_crisis_parse(const char *text, size_t len, struct sk_crisis **out, char *err,
                                  size_t errlen);
void sk_crisis_free(struct sk_crisis *c);

/* Keep the data in the store (table meta, key "crisis": the source text),
 * as sk_taxonomy_save does for the taxonomy, so that every reader of the
 * store (server workers, the CLI) uses the same patterns. Call inside a
 * write transaction. SK_OK or SK_EDB. */
SK_MUST_CHECK int sk_crisis_save(const struct sk_crisis *c, struct sk_store *st);
/* Load what sk_crisis_save kept. SK_ENOTFOUND when the store has none (a
 * database indexed before the crisis data existed: run 'sociale-kaart
 * index'); other errors as sk_crisis_parse. */
SK_MUST_CHECK int sk_crisis_from_store(struct sk_store *st, struct sk_crisis **out, char *err,
                                       size_t errlen);

/* What a check found. */
#define SK_CRISIS_MATCH_WORDS 16    /* words of the query kept in a match */
#define SK_CRISIS_MATCH_WORD_MAX 32 /* bytes of each, NUL included (longer: not kept) */
struct sk_crisis_match {
  unsigned kinds;      /* bits of enum sk_crisis_kind; 0: not a crisis */
  unsigned primary;    /* the one bit whose lines go first (0 when none) */
  const char *pattern; /* id of the first pattern that matched (for logs, tests) */
  /* the query's words (folded) that filled the slots of the patterns that
   * matched: for search, these words are the crisis, not their everyday
   * sense ("leven" in "ik wil niet meer leven" is no question about life's
   * last phase). At most SK_CRISIS_MATCH_WORDS, each once. */
  char words[SK_CRISIS_MATCH_WORDS][SK_CRISIS_MATCH_WORD_MAX];
  unsigned n_words;
};

/* Check text[0..len) (any bytes; the raw query as the person typed it:
 * before any spelling correction, which could turn "slaat" into "staat").
 * Always SK_OK for any input (m is zeroed first); SK_EINVAL only for NULL
 * c or m. */
SK_MUST_CHECK int sk_crisis_check(const struct sk_crisis *c, const char *text, size_t len,
                                  struct sk_crisis_match *m);

/* The kinds a need stands for when it is chosen as a filter or its tile is
 * tapped ("psychisch.crisis" -> SK_CRISIS_SUICIDE); 0 for other needs. */
unsigned sk_crisis_need_kinds(const struct sk_crisis *c, const char *need_code);

/* The words of offerings never to list under kinds (kinds[].never of the
 * data file: "bemiddeling", "mediation" under violence, because mediation
 * presumes two equal sides); an offering with one in its name or keywords,
 * also inside a compound ("buurtbemiddeling"), is left out of the list.
 * Writes at most max pointers (owned by c) to out and returns how many. */
#define SK_CRISIS_MAX_NEVER 8
size_t sk_crisis_never(const struct sk_crisis *c, unsigned kinds, const char **out, size_t max);

/* The primary kind among kinds: the first of the data file's kind order
 * (danger before suicide before violence in feeds/crisis.json). */
unsigned sk_crisis_primary(const struct sk_crisis *c, unsigned kinds);

/* The lines for kinds, in the order to show them: the lines of each kind
 * in the data file's kind order, then the lines every crisis block has
 * (112). No line twice; lines marked professional only when professional
 * is 1. Writes at most max pointers to out and returns how many. */
size_t sk_crisis_lines(const struct sk_crisis *c, unsigned kinds, int professional,
                       const struct sk_crisis_line **out, size_t max);

#endif
