#ifndef IX_JSON_H
#define IX_JSON_H
/*
 * ix_json: a small, strict JSON reader for big feeds, used by partner-json
 * instead of jansson's DOM (which costs a malloc per value and a hash table
 * per object: most of a first load's parse time).
 *
 * It reads one value at a time from a position in the input, either only
 * checking it (ix_json_check: nothing kept but the keys of the objects being
 * read, to refuse duplicates) or building a compact tree of it
 * (ix_json_read: nodes and decoded text in two reusable arrays). A feed is
 * checked whole first, then read one record at a time, so memory stays at
 * one record's size however big the feed.
 *
 * Accepts exactly what jansson accepts with JSON_REJECT_DUPLICATES (and no
 * JSON_ALLOW_NUL): RFC 8259 syntax, valid UTF-8 only, no "\u0000", no lone
 * surrogates, integers within long long, reals without overflow, at most
 * IX_JSON_MAX_DEPTH nested arrays and objects, no duplicate keys.
 *
 * Ownership: the reader keeps pointers into data (not copied; it must
 * outlive the reader) and owns its arrays (ix_json_free). Node pointers and
 * text stay valid until the next ix_json_read / ix_json_reset.
 */
#include <stddef.h>
#include "sk_err.h" /* SK_MUST_CHECK */

#define IX_JSON_MAX_DEPTH 2048

enum ix_jtype { IX_JNULL, IX_JFALSE, IX_JTRUE, IX_JINT, IX_JREAL, IX_JSTR, IX_JARR, IX_JOBJ };

struct ix_jnode {
  enum ix_jtype type;
  size_t next;      /* next sibling in the parent (node index), 0: last */
  size_t key, klen; /* member name (offset in text, NUL-terminated) when in an object */
  size_t off, len;  /* IX_JSTR: offset in text and byte length; containers: first child, count */
  long long i;      /* IX_JINT */
  double d;         /* IX_JINT and IX_JREAL */
};

struct ix_json_key; /* internal */

struct ix_json {
  const char *start, *p, *end; /* the input and the read position */
  int depth;
  struct ix_jnode *nodes; /* nodes[0] is unused: index 0 means "none" */
  size_t n_nodes, cap_nodes;
  char *text;
  size_t text_len, text_cap;
  struct ix_json_key *keys; /* keys of the objects being checked */
  size_t n_keys, cap_keys;
  /* Optional: at most count_max values in any one value at depth
   * count_depth (a record of a feed), so reading one record into nodes
   * stays bounded. 0: no limit. Set before ix_json_check. */
  int count_depth;
  size_t count_max, counted;
  const char *err_at; /* where the first error is */
  char err[200];      /* what it is (Dutch) */
  int oom;
};

void ix_json_init(struct ix_json *j, const char *data, size_t len);
void ix_json_free(struct ix_json *j);
/* Forget the nodes and text of the last ix_json_read (memory is kept). */
void ix_json_reset(struct ix_json *j);

/* Skip whitespace; 1 when the next byte is c (then it is consumed). */
int ix_json_eat(struct ix_json *j, char c);
/* Skip whitespace; 1 at the end of the input. */
int ix_json_at_end(struct ix_json *j);

/* Check the value at the read position and move past it. *type gets its
 * type, *count (may be NULL) the number of elements or members. SK_OK,
 * SK_EPARSE (ix_json_message says why and where) or SK_ENOMEM. */
SK_MUST_CHECK int ix_json_check(struct ix_json *j, enum ix_jtype *type, size_t *count);
/* Check an object at the read position member by member: fn gets each
 * member's name (decoded; valid only until fn reads on) with the read
 * position at the member's value, and must move past that value (with
 * ix_json_check or ix_json_string). Duplicate keys are refused as by
 * ix_json_check. fn returns SK_OK or an error that stops the check. */
typedef int (*ix_json_member_fn)(void *ctx, struct ix_json *j, const char *name, size_t len);
SK_MUST_CHECK int ix_json_check_object(struct ix_json *j, ix_json_member_fn fn, void *ctx);
/* Record "we expected <wanted> here" at the read position; SK_EPARSE. */
int ix_json_expected(struct ix_json *j, const char *wanted);
/* Check a string at the read position and decode it into the reader's text
 * (*off, *len). For object keys at the top. */
SK_MUST_CHECK int ix_json_string(struct ix_json *j, size_t *off, size_t *len);
/* Read the value at the read position into nodes; *node gets its index.
 * Duplicate keys are not looked for (ix_json_check the input first). */
SK_MUST_CHECK int ix_json_read(struct ix_json *j, size_t *node);

/* "regel L, kolom C: reason" for the first error. */
void ix_json_message(const struct ix_json *j, char *out, size_t outlen);

/* Node access; NULL / 0 when absent. */
static inline const struct ix_jnode *ix_jnode_at(const struct ix_json *j, size_t i) {
  return i ? &j->nodes[i] : NULL;
}
static inline const char *ix_jnode_str(const struct ix_json *j, const struct ix_jnode *n) {
  return n && n->type == IX_JSTR ? j->text + n->off : NULL;
}
static inline size_t ix_jnode_strlen(const struct ix_jnode *n) {
  return n && n->type == IX_JSTR ? n->len : 0;
}
static inline const struct ix_jnode *ix_jnode_first(const struct ix_json *j,
                                                    const struct ix_jnode *n) {
  return n && (n->type == IX_JARR || n->type == IX_JOBJ) ? ix_jnode_at(j, n->off) : NULL;
}
static inline const struct ix_jnode *ix_jnode_next(const struct ix_json *j,
                                                   const struct ix_jnode *n) {
  return ix_jnode_at(j, n->next);
}
static inline const char *ix_jnode_key(const struct ix_json *j, const struct ix_jnode *n) {
  return j->text + n->key;
}
/* The member of object obj named name (the first; there are no duplicates
 * in checked input), or NULL. */
const struct ix_jnode *ix_jnode_get(const struct ix_json *j, const struct ix_jnode *obj,
                                    const char *name);

#endif
