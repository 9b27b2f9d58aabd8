#ifndef SK_SEARCH_H
#define SK_SEARCH_H
/*
 * sk_search: Dutch full-text search with filters, facets, synonyms, typo
 * tolerance and crisis lines, over a (read-only) store.
 *
 * Owner: the search engineer (core/search/sk_search*.{h,c}). The HTTP server and
 * the CLI code against this header; it is kept stable. Additions go at the
 * END of structs so existing initialisers keep working.
 *
 * Threads: a struct sk_searcher belongs to one thread at a time (it holds
 * prepared statements and caches over one struct sk_store connection). The
 * taxonomy may be shared by every searcher (it is read-only). A searcher
 * notices when another connection changed the store (PRAGMA data_version)
 * and reloads its caches before the next query.
 *
 *   struct sk_search_query q;
 *   sk_search_query_init(&q);
 *   q.q = "ik kan mijn rekeningen niet betalen";
 *   q.municipality = "laren";
 *   struct sk_search_result *r = NULL;
 *   struct sk_search_error e;
 *   if (sk_search(s, &q, &r, &e) == SK_EINVAL) answer_400(e.param, e.message);
 *   json_t *body = sk_search_result_json(r);
 *   ...
 *   json_decref(body);
 *   sk_search_result_free(r);
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "sk_err.h"
#include "sk_id.h"
#include "sk_store.h"
#include "sk_taxonomy.h"

/* Bounds on a query. Longer text is cut at a word boundary (never an
 * error); more values for a multi-valued filter is an error. */
#define SK_SEARCH_Q_MAX 2000    /* bytes of q that are looked at */
#define SK_SEARCH_MAX_VALUES 16 /* values per multi-valued filter */
#define SK_SEARCH_PER_PAGE_DEFAULT 20
#define SK_SEARCH_PER_PAGE_MAX 100
#define SK_SEARCH_MAX_RESULTS 1000 /* page * per_page may not go past this */
#define SK_SEARCH_AGE_MAX 120

enum sk_search_sort {
  SK_SORT_RELEVANCE = 0, /* default */
  SK_SORT_NAME,
  SK_SORT_DISTANCE, /* needs postcode or lat/lon */
  SK_SORT_SOONEST   /* activities by their next occurrence; others after */
};

enum sk_search_kind { SK_KIND_ANY = 0, SK_KIND_AANBOD, SK_KIND_ACTIVITEIT };

/* A query. Every pointer is borrowed: it must stay valid until sk_search
 * returns (the result copies what it keeps). Codes are taxonomy codes. */
struct sk_search_query {
  const char *q; /* free text, any bytes (NULL or "" = browse by filters) */
  const char *needs[SK_SEARCH_MAX_VALUES]; /* a parent includes its children */
  size_t n_needs;
  const char *target_group;                 /* NULL = any */
  int age;                                  /* -1 = any; else 0..SK_SEARCH_AGE_MAX */
  const char *municipality;                 /* municipality code; NULL = any */
  const char *access[SK_SEARCH_MAX_VALUES]; /* any of these */
  size_t n_access;
  const char *cost[SK_SEARCH_MAX_VALUES]; /* any of these */
  size_t n_cost;
  int open_now; /* 1: only offerings open at `now` by their hours */
  int64_t now;  /* unix seconds; 0 = the current time (tests set it) */
  enum sk_search_kind kind;
  const char *organization; /* organisation id (UUID); NULL = any */
  const char *postcode;     /* "1251 AB" or "1251": origin for distance */
  double lat, lon;          /* origin for distance when has_point */
  int has_point;
  enum sk_search_sort sort;
  int page;         /* 1-based; 0 = 1 */
  int per_page;     /* 0 = default; more than SK_SEARCH_PER_PAGE_MAX is an error */
  int facets;       /* 1: compute facet counts */
  int professional; /* 1: include restricted fields (referral contact, restricted phones) */
  const char *laws[SK_SEARCH_MAX_VALUES]; /* law codes: any of these (API "law") */
  size_t n_laws;
  /* 1: a municipality named in q ("schulden Laren") only ranks, it does not
   * filter ("overal zoeken"; API place_filter=0). 0 (default): it filters
   * like `municipality` (and wins over it). */
  int place_as_preference;
};

/* Defaults: everything unset, age -1, facets off, relevance, page 1. */
void sk_search_query_init(struct sk_search_query *q);

/* Why a query was refused: the parameter (API name: "need", "age",
 * "municipality", "target_group", "access", "cost", "kind", "sort", "page",
 * "per_page", "postcode", "lat", "lon", "organization", "open_now",
 * "facets", "law", "place_filter") and a Dutch message for people. */
struct sk_search_error {
  char param[32];
  char message[256];
};

/* Set one query parameter from its API name and text value (the HTTP layer
 * and the CLI both use this, so they accept the same values). value is
 * borrowed (see struct sk_search_query). Repeating a multi-valued
 * parameter (need, access, cost, law) adds a value; a comma-separated value
 * adds several. Returns SK_OK; SK_EINVAL with e filled for a bad value;
 * SK_ENOTFOUND for a parameter name this module does not know (e is filled
 * too; the caller decides whether that is an error). Codes are checked
 * against the taxonomy by sk_search, not here. */
SK_MUST_CHECK int sk_search_query_set(struct sk_search_query *q, const char *name,
                                      const char *value, struct sk_search_error *e);

/* ---- results. Everything reachable from a result is owned by it and
 * valid until sk_search_result_free. Optional strings are NULL. ---- */

struct sk_search_code {
  const char *code;
  const char *label; /* Dutch label from the taxonomy */
};

/* A piece of text; hit = 1 when it matched the query (show it marked). */
struct sk_search_segment {
  const char *text;
  int hit;
};

struct sk_search_phone {
  const char *number;
  const char *description;
  int restricted; /* only present in results when query.professional */
};

struct sk_search_item {
  char id[SK_UUID_LEN];
  const char *kind; /* "aanbod" or "activiteit" */
  const char *name;
  const char *organization;
  char organization_id[SK_UUID_LEN];
  const char *summary;
  const char *url;
  struct sk_search_code *needs;
  size_t n_needs;
  struct sk_search_code *target_groups;
  size_t n_target_groups;
  struct sk_search_code *access; /* usually one */
  size_t n_access;
  struct sk_search_code *cost;
  size_t n_cost;
  struct sk_search_code *areas; /* municipalities and scopes it is for */
  size_t n_areas;
  /* The area that makes it count for the query's municipality (e.g.
   * "bel" for Laren), and a note for that municipality ("Jeugd uit Eemnes:
   * via Amersfoort."), when known. */
  const char *area_match;
  const char *area_note;
  int min_age, max_age; /* -1 when not set */
  struct sk_search_phone *phones;
  size_t n_phones;
  const char *referral_contact; /* professional queries only */
  const char *next_start;       /* activities: next occurrence (ISO text) */
  int64_t next_start_utc;       /* 0 when none */
  double distance_km;           /* -1 when no origin or no place */
  const char *assured_date;
  int stale;                               /* assured_date missing or older than 12 months */
  int crisis_line;                         /* classified under a crisis need */
  int open_now;                            /* 1 open, 0 closed, -1 unknown (no hours) */
  struct sk_search_segment *name_segments; /* name with matches marked */
  size_t n_name_segments;
  struct sk_search_segment *snippet; /* part of summary/description */
  size_t n_snippet;
  const char *why; /* Dutch: why it matched ("naam", "hulpvraag Schulden") */
  double score;
  struct sk_search_code *laws; /* laws it falls under (Wmo, Jeugdwet...) */
  size_t n_laws;
};

/* A word or phrase of the query that was understood as a taxonomy term:
 * vocab "need", "target_group" or "municipality" (a place name). */
struct sk_search_concept {
  const char *vocab;
  const char *code;
  const char *label;
  const char *matched; /* the words of the query, folded */
  const char *source;  /* "taxonomy" (a label or synonym) or "lexicon" (a resident's word) */
};

struct sk_search_facet_value {
  const char *code;
  const char *label;
  long count;
};

/* Facet names: "need", "target_group", "municipality", "access", "cost",
 * "kind". Each count is computed with every filter applied except the
 * facet's own, so it says how many results choosing that value gives. */
#define SK_SEARCH_N_FACETS 6
struct sk_search_facet {
  const char *name;
  struct sk_search_facet_value *values; /* count > 0 only, taxonomy order */
  size_t n_values;
};

struct sk_search_result {
  long total; /* results over all pages */
  int page, per_page;
  struct sk_search_item *items;
  size_t n_items;
  struct sk_search_concept *concepts; /* "Gezocht op: Schulden" */
  size_t n_concepts;
  const char *did_you_mean;               /* the corrected query, or NULL */
  int corrected;                          /* 1: the results are for did_you_mean */
  int relaxed;                            /* 1: no result had every word; any word was used */
  struct sk_search_code *suggested_needs; /* when there are no results */
  size_t n_suggested_needs;
  /* 1: the query is about a crisis (sk_crisis on the query as typed, or a
   * crisis need chosen): show crisis_lines first */
  int crisis;
  /* regardless of filters, in the order to show them (113 or Veilig Thuis
   * first, 112 always there, no line twice) */
  struct sk_search_item *crisis_lines;
  size_t n_crisis_lines;
  int has_facets;
  struct sk_search_facet facets[SK_SEARCH_N_FACETS];
  const char *sort; /* the sort used: "relevance", "name", "distance", "soonest" */
  /* 1: total and the facet counts are at least these (a query of only very
   * common words over a large store counts its best candidates, not every
   * match); 0: exact */
  int total_is_lower_bound;
  /* The crisis kind whose lines come first ("suicide", "violence",
   * "danger"; NULL when crisis is 0) and every kind the query is about
   * (bits of enum sk_crisis_kind, see sk_crisis.h). */
  const char *crisis_kind;
  unsigned crisis_kinds;
  /* The municipality the results are for (filter or a place named in q),
   * NULL when none; place_from_query = 1 when it came from q (the site
   * offers "overal zoeken": place_as_preference). */
  const char *place;
  const char *place_label;
  int place_from_query;
  /* Nothing matched the words: these are the offerings of the closest
   * needs instead (never a dead end). reason NULL (not a fallback),
   * "closest" (needs close to the words), "chosen" (the needs of the
   * query's need filter) or "general" (nothing was close: the places for
   * any question); message: one Dutch sentence (B1) saying so. */
  const char *fallback_reason;
  const char *fallback_message;
  struct sk_search_code *fallback_needs;
  size_t n_fallback_needs;
};

/* ---- the searcher ---- */
struct sk_searcher;

/* A searcher over st (borrowed; one thread). tax is borrowed and shared.
 * Both must outlive the searcher. NULL on error (out of memory, a store
 * without the search tables). */
SK_MUST_CHECK struct sk_searcher *sk_searcher_new(struct sk_store *st,
                                                  const struct sk_taxonomy *tax);
void sk_searcher_free(struct sk_searcher *s);

/* Run a query. SK_OK with *out set (free with sk_search_result_free);
 * SK_EINVAL with e naming the parameter (unknown code, age out of range,
 * page too far, distance sort without an origin...); SK_EDB or SK_ENOMEM
 * on an internal failure (e says so in Dutch). Any text in q.q is valid. */
SK_MUST_CHECK int sk_search(struct sk_searcher *s, const struct sk_search_query *q,
                            struct sk_search_result **out, struct sk_search_error *e);
void sk_search_result_free(struct sk_search_result *r);

/* The /api/v1/search response body (a new reference; NULL only when out of
 * memory). Shape:
 *   {"total", "page", "per_page", "sort", "relaxed", "corrected",
 *    "did_you_mean": str|null, "crisis": bool, "crisis_lines": [item],
 *    "crisis_kind": "suicide"|"violence"|"danger"|null, "crisis_kinds": [str],
 *    "concepts": [{"vocab","code","label","matched","source"}],
 *    "suggested_needs": [{"code","label"}],
 *    "place": {"code","label","from_query"}|null,
 *    "fallback": {"reason","message","needs":[{"code","label"}]}|null,
 *    "items": [item], "facets": {"need": [{"code","label","count"}], ...}|null}
 * item: {"id","kind","name","organization":{"id","name"},"summary","url",
 *    "needs":[{code,label}],"target_groups":[..],"access":[..],"cost":[..],
 *    "areas":[..],"laws":[..],"area_match","area_note","min_age","max_age",
 *    "phones":[{"number","description"}],"referral_contact" (professional only),
 *    "next_start","distance_km","assured_date","stale","crisis_line","open_now",
 *    "name_segments":[{"text","hit"}],"snippet":[{"text","hit"}],"why","score"} */
SK_MUST_CHECK json_t *sk_search_result_json(const struct sk_search_result *r);

/* ---- suggest (autocomplete) ---- */
#define SK_SUGGEST_MAX 20

struct sk_suggestion {
  const char *text; /* what to show and to put in the search box */
  const char *kind; /* "need" (a label or synonym), "organization" or "offering" */
  const char *code; /* need code, or the organisation/offering id */
};

struct sk_suggest_result {
  struct sk_suggestion *items;
  size_t n_items;
};

/* Completions of prefix (its last word is treated as incomplete) over need
 * labels and synonyms, organisation names and offering names. limit 0 =
 * 10; at most SK_SUGGEST_MAX. SK_OK with *out set (free with
 * sk_suggest_result_free); any text is valid (no match = no items). */
SK_MUST_CHECK int sk_suggest(struct sk_searcher *s, const char *prefix, int limit,
                             struct sk_suggest_result **out);
void sk_suggest_result_free(struct sk_suggest_result *r);
/* The /api/v1/suggest body: {"items":[{"text","kind","code"}]} (new reference). */
SK_MUST_CHECK json_t *sk_suggest_result_json(const struct sk_suggest_result *r);

/* ---- for servers (additions) ---- */

/* An id of the data the next sk_search of s answers from: it changes when
 * s moves to a newer snapshot of the store and is unique in the process
 * (two stores never share one), so a cache of rendered answers can be keyed
 * by it. Looks for changes first, as sk_search does (PRAGMA data_version);
 * may build a snapshot like sk_search. 0 when the store cannot be read. */
uint64_t sk_searcher_generation(struct sk_searcher *s);

/* on = 1: when the store changes, a background thread (its own read-only
 * connection) builds the new snapshot while s keeps answering from the one
 * it has, so no query waits for a rebuild (the server). on = 0 (default):
 * the first query that sees a change builds it, so a query always sees
 * every committed change (tools, tests). Stores without a file (in memory)
 * always build in the query. */
void sk_searcher_set_background(struct sk_searcher *s, int on);

#endif
