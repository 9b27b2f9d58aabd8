#ifndef SK_PORTAL_INT_H
#define SK_PORTAL_INT_H
/* Internals shared by core/portal/sk_portal*.c; not for other modules. */
#include "sk_portal.h"
#include "sk_err.h" /* SK_MUST_CHECK */

enum ptable { T_SVC, T_LOC };

/* An entry as stored, loaded inside the caller's transaction. */
struct entry {
  enum ptable table;
  long long rid;
  char id[SK_UUID_LEN];
  char source[160];
  char org_id[SK_UUID_LEN]; /* "" for a location without organisation */
  char kind[16];            /* services: "aanbod" or "activiteit" */
  json_t *doc;              /* owned: editable fields + "status" */
  json_t *meta;             /* owned: assured_date, assured_by, created, last_modified */
  int version;              /* latest portal_version (0: none) */
  char etag[48];            /* quoted; of the whole representation */
  /* Of the editable fields only (not assured_date/by, not the version):
   * a held edit conflicts with a later content change, not with a later
   * "Gegevens kloppen nog". */
  char content_etag[48];
};

/* ---- sk_portal.c ---- */
int pt_err(struct sk_portal_result *r, int rc, int http, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void pt_ok(struct sk_portal_result *r, int http, json_t *body);
void pt_now_iso(const struct sk_portal *p, char out[32]);
void pt_iso_at(int64_t t, char out[32]);
/* page and per_page from pg (NULL: defaults; per_page capped); SK_EINVAL
 * for an absurd page. */
SK_MUST_CHECK int pt_page_parse(const struct sk_portal_page *pg, long *page, long *per_page);
int64_t pt_now(const struct sk_portal *p);
int64_t pt_day_of(const char *iso);        /* "YYYY-MM-DD..." -> 00:00 UTC; -1: not a date */
int64_t pt_add_months(int64_t t, int n);   /* calendar months, normalised as timegm does */
void pt_day_text(int64_t t, char out[16]); /* "YYYY-MM-DD" (UTC) */
void pt_actor_str(const struct sk_actor *a, char out[96]);
int pt_is_editor(const struct sk_actor *a); /* sk_role_edits_all (sk_role.h) */
int pt_has_org(const struct sk_actor *a, const char *org_id);
const char *pt_table_name(enum ptable t); /* "service", "location" (change_log entity) */
SK_MUST_CHECK int pt_begin(struct sk_portal *p, struct sk_portal_result *r);
SK_MUST_CHECK int pt_commit(struct sk_portal *p, struct sk_portal_result *r);
json_t *pt_col_json(sqlite3_stmt *s, int i); /* text/int/real/null as JSON */
/* Read-only check of an entry for the actor: not found, forbidden. */
SK_MUST_CHECK int pt_entry_check_read(const struct sk_actor *a, const struct entry *en,
                                      struct sk_portal_result *r);

/* ---- sk_portal_doc.c ---- */
SK_MUST_CHECK int pt_entry_load(struct sk_portal *p, enum ptable t, const char *id,
                                struct entry *out);
void pt_entry_free(struct entry *en);
/* Build the new document from base (NULL: a new entry) and a merge patch,
 * validating every field; problems go to errors ([{field, message}]).
 * Returns SK_OK, SK_EINVAL (see errors), SK_EFORBIDDEN (r filled: a
 * reference outside the actor's organisations) or SK_ENOMEM/SK_EDB. */
SK_MUST_CHECK int pt_doc_build(struct sk_portal *p, const struct sk_actor *a, enum ptable t,
                               const char *kind, const json_t *base, const json_t *patch,
                               json_t **out, json_t *errors, struct sk_portal_result *r);
/* Write doc as the entry's new content (insert when en is NULL: id and
 * source 'portal'), log each changed field with the new version, store the
 * snapshot, keep the search index in step. actor: "account:<id>". assure:
 * also set assured_date/by. *rid_out may be NULL. */
SK_MUST_CHECK int pt_doc_commit(struct sk_portal *p, enum ptable t, const struct entry *en,
                                const char *id, const json_t *doc, const char *actor,
                                const char *note, int assure);
/* "Gegevens kloppen nog" on offering rid (id): assured_date = now,
 * assured_by = actor, both logged against meta's old values (assured_by
 * only when it changes). w: the caller's writer, or NULL. */
struct sk_writer;
SK_MUST_CHECK int pt_assure(struct sk_portal *p, struct sk_writer *w, long long rid, const char *id,
                            const json_t *meta, const char *now, const char *actor, int version);
/* Field-by-field differences [{field, old, new}] (old NULL: all new). */
json_t *pt_diff(const json_t *old_doc, const json_t *new_doc);
/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS](Z|+HH:MM)": 1 and *utc set. */
int pt_parse_when(const char *s, int64_t *utc, int *all_day);
/* E-mail syntax, the same rule as the indexer's. */
/* An entity's table from the API entity. */
enum ptable pt_table_of(enum sk_portal_entity e);
/* Write one change_log row. */
SK_MUST_CHECK int pt_log(struct sk_portal *p, const char *at, const char *actor, const char *entity,
                         const char *entity_id, const char *field, const char *old_v,
                         const char *new_v, int version);

/* ---- sk_portal_current.c ---- */
/* A correction for the review queue (portal_correction). org_id "" or
 * NULL: none; name, email NULL: not given. id receives its new id. */
struct pt_correction {
  const char *entity, *entry_id, *org_id, *name, *email, *message, *ip_hash, *now;
};
SK_MUST_CHECK int pt_correction_add(struct sk_portal *p, const struct pt_correction *c,
                                    char id[SK_UUID_LEN]);

/* ---- sk_verify.c: personal links ---- */
/* A link token "<prefix>.<id>.<expiry>.<MAC>" valid `days` from p->now,
 * signed with the meta secret `secret` over "<purpose>:<id>:<expiry>". */
SK_MUST_CHECK int pt_link_make(struct sk_portal *p, const char *secret, const char *prefix,
                               const char *purpose, const char *id, int days, char *out,
                               size_t outlen);
/* SK_OK and id (id_ok must accept it) of a valid, unexpired token of that
 * prefix and purpose; SK_EFORBIDDEN for anything else. */
SK_MUST_CHECK int pt_link_check(struct sk_portal *p, const char *secret, const char *prefix,
                                const char *purpose, int (*id_ok)(const char *), const char *tok,
                                char *id, size_t idlen, long long *expires);

/* ---- sk_portal_review.c ---- */
/* Hold a change for review; fills r (202). */
SK_MUST_CHECK int pt_pending_add(struct sk_portal *p, const struct sk_actor *a, enum ptable t,
                                 const char *entity_id, const char *org_id, const char *action,
                                 const char *base_etag, const json_t *doc,
                                 struct sk_portal_result *r);
/* Open review items of one entry as [{id, action, submitted_at, submitted_by}]. */
json_t *pt_pending_of(struct sk_portal *p, enum ptable t, const char *entity_id);
/* The active accounts keeping feed_id (account_feed); *keeper: 1 when
 * account_id is one of them. -1 on a database error. */
int pt_feed_keepers(struct sk_portal *p, const char *feed_id, const char *account_id, int *keeper);

#endif
