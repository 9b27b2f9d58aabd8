#ifndef SK_PORTAL_H
#define SK_PORTAL_H
/*
 * sk_portal: the partner portal's editing and currency core, for the
 * /api/v1/partner/... handlers (docs/portal.md maps every endpoint to a
 * function here). JSON in, JSON out (jansson), no HTTP.
 *
 * Entries are offerings (service rows, kind 'aanbod'), activities (service
 * rows, kind 'activiteit') and locations; opening hours are the "hours"
 * list inside an offering or location document. Portal-made rows have
 * source 'portal' and are primary data; rows from a feed (source
 * 'feed:<id>') are read-only here.
 *
 * Every call gets an actor (who is asking; the caller authenticated it)
 * and is checked: a partner only sees and changes entries of its own
 * organisations, whatever route it takes (another entry's id, a nested
 * location of another organisation, moving an entry elsewhere).
 *
 * Every mutating call is one transaction (BEGIN IMMEDIATE) on a writable
 * store: use one struct sk_portal per writer connection and one call at a
 * time (a mutex in the server). Calls fill a struct sk_portal_result; its
 * http field says which status the HTTP layer should answer.
 */
#include <jansson.h>
#include "sk_err.h" /* SK_MUST_CHECK */
#include <stddef.h>
#include <stdint.h>

#include "sk_id.h"
#include "sk_auth.h" /* SK_AUTH_MAX_ORGS */
#include "sk_role.h" /* enum sk_role, shared with sk_auth */
#include "sk_store.h"
#include "sk_taxonomy.h"

#define SK_ACTOR_MAX_ORGS SK_AUTH_MAX_ORGS

/* Who is asking. Plain data, filled by the caller (sk_portal_actor_load
 * reads it from the account tables). Redacteur and admin may edit every
 * entry and review; a partner only entries of orgs[]; others nothing. */
struct sk_actor {
  char account_id[64]; /* account.id; logged as "account:<id>" */
  enum sk_role role;
  int trusted; /* partner edits publish at once (1) or wait for review (0) */
  size_t n_orgs;
  char orgs[SK_ACTOR_MAX_ORGS][SK_UUID_LEN]; /* organization.id values */
};

/* Fill a from the account with this public id (role, trusted, linked
 * organisations). SK_ENOTFOUND for an unknown or disabled account;
 * SK_ETOOBIG when it is linked to more than SK_ACTOR_MAX_ORGS organisations
 * (never silently cut: the account would lose access to some). */
SK_MUST_CHECK int sk_portal_actor_load(struct sk_store *st, const char *account_id,
                                       struct sk_actor *a);

enum sk_portal_entity {
  SK_PORTAL_SERVICE,  /* an offering; for get/update/withdraw any service row */
  SK_PORTAL_ACTIVITY, /* a service row of kind 'activiteit' */
  SK_PORTAL_LOCATION
};

/* The portal context: a writable store, the taxonomy for validation, and
 * the clock. Plain struct; nothing to free. */
struct sk_portal {
  struct sk_store *st;
  const struct sk_taxonomy *tax;
  int64_t now; /* unix seconds; 0: the real clock (tests set it) */
};
void sk_portal_init(struct sk_portal *p, struct sk_store *st, const struct sk_taxonomy *tax);

/* The outcome of a call. rc is also the return value (so calls that fill
 * one are not SK_MUST_CHECK: the caller reads the result). On success body
 * holds the answer document; on failure code/message say why (message:
 * Dutch, B1, safe to show) and for validation errors errors is an array of
 * {"field", "message"}. etag is the quoted ETag of the entry afterwards
 * (e.g. "\"3f2a...\""), "" when there is none. Free with
 * sk_portal_result_free (owned json released; the struct can be reused). */
struct sk_portal_result {
  int rc;
  int http; /* 200, 201, 202 (held for review), 400, 403, 404, 409, 412, 422, 428, 429, 500 */
  const char *code; /* "ok", "pending", "invalid", "forbidden", "feed", "not_found", "conflict",
                       "precondition_failed", "precondition_required", "too_many", "error" */
  char message[512];
  json_t *errors; /* owned; NULL unless code is "invalid" */
  json_t *body;   /* owned; NULL on failure */
  char etag[48];
  int spam; /* corrections: 1 when dropped as spam (the answer still looks fine) */
};
void sk_portal_result_free(struct sk_portal_result *r);

/* ---- entries ------------------------------------------------------------ */

/* One entry as a document: the editable fields (see docs/portal.md) plus
 * id, status, source, editable, feed_message, assured_date, assured_by,
 * created, last_modified, version, pending (open review items). */
int sk_portal_get(struct sk_portal *p, const struct sk_actor *a, enum sk_portal_entity e,
                  const char *id, struct sk_portal_result *r);

/* "Mijn aanbod": the entries (offerings, activities, locations) of one
 * organisation (org_id) or, with org_id NULL, of all the actor's
 * organisations (a redacteur must give org_id), with freshness: stale
 * (not confirmed in 6 months), flagged (12 months), pending, corrections. */
int sk_portal_list(struct sk_portal *p, const struct sk_actor *a, const char *org_id,
                   struct sk_portal_result *r);
/* The organisation picker: organisations whose name contains q (folded:
 * case and accents do not matter; empty q: all), by name, at most
 * SK_PORTAL_ORG_MATCHES: {"items": [{id, name, source, status, services}],
 * "total"}. The redactie finds every organisation, a partner its own. */
#define SK_PORTAL_ORG_MATCHES 20
int sk_portal_organizations(struct sk_portal *p, const struct sk_actor *a, const char *q,
                            struct sk_portal_result *r);

/* Create an entry from doc (must contain "organization"). Published at
 * once (201) or, for an untrusted partner, held for review (202, body
 * {"pending": id, "id": the entry's future id}). */
int sk_portal_create(struct sk_portal *p, const struct sk_actor *a, enum sk_portal_entity e,
                     const json_t *doc, struct sk_portal_result *r);

/* Change an entry: doc is a merge patch (fields present replace, null
 * clears, absent stay). if_match: the ETag the caller last read (quoted or
 * not); NULL or "" -> 428, stale -> 412 (nothing written). 200 or 202. */
int sk_portal_update(struct sk_portal *p, const struct sk_actor *a, enum sk_portal_entity e,
                     const char *id, const char *if_match, const json_t *doc,
                     struct sk_portal_result *r);

/* Withdraw (hide, keep with history). If-Match as for update. */
int sk_portal_withdraw(struct sk_portal *p, const struct sk_actor *a, enum sk_portal_entity e,
                       const char *id, const char *if_match, struct sk_portal_result *r);

/* "Gegevens kloppen nog": set assured_date = now and assured_by = the
 * actor on an offering or activity without changing it (logged). if_match
 * may be NULL (then not checked). Never held for review. */
int sk_portal_confirm(struct sk_portal *p, const struct sk_actor *a, enum sk_portal_entity e,
                      const char *id, const char *if_match, struct sk_portal_result *r);

/* History: {"versions": [{version, at, actor, actor_name, note}],
 * "changes": [{at, actor, actor_name, field, old, new, old_name, new_name,
 * version}]} newest first, feed changes included; actor_name is the
 * account's name or the feed's partner, old_name/new_name the name behind
 * an id value (assured_by: the account, organization: the organisation);
 * null when unknown.
 * Redacteur: any entry; partner: its own. */
int sk_portal_history(struct sk_portal *p, const struct sk_actor *a, enum sk_portal_entity e,
                      const char *id, struct sk_portal_result *r);

/* Restore version `version` of a portal entry (redacteur only). The restore
 * is itself a logged change with a new version. If-Match as for update. */
int sk_portal_restore(struct sk_portal *p, const struct sk_actor *a, enum sk_portal_entity e,
                      const char *id, int version, const char *if_match,
                      struct sk_portal_result *r);

/* ---- moderation --------------------------------------------------------- */

/* A page of a list: page from 1, per_page 1..SK_PORTAL_PER_PAGE_MAX. The
 * answer is {"items": [...], "total": N, "page": P, "per_page": K}; a page
 * past the end has no items. NULL: page 1 of SK_PORTAL_PER_PAGE_DEFAULT. */
#define SK_PORTAL_PER_PAGE_DEFAULT 50
#define SK_PORTAL_PER_PAGE_MAX 200
struct sk_portal_page {
  long page, per_page;
};

/* Held edits per untrusted partner account in any hour; more get 429. */
#define SK_PORTAL_HELD_PER_HOUR 30

/* Open review items (redacteur), oldest first, each with its field-by-field
 * diff [{field, old, new}] against the entry as it is now and the names of
 * the entry and its organisation (name, organization_name). A partner gets
 * its own submissions and those for its organisations (pending and
 * recently decided). Paged (pg, see above). */
int sk_portal_review_list(struct sk_portal *p, const struct sk_actor *a,
                          const struct sk_portal_page *pg, struct sk_portal_result *r);
int sk_portal_review_get(struct sk_portal *p, const struct sk_actor *a, const char *pending_id,
                         struct sk_portal_result *r);
/* Apply a held edit (logged under the partner's name, version note
 * "approve:<id>"). 409 when the entry changed since it was submitted. */
int sk_portal_review_approve(struct sk_portal *p, const struct sk_actor *a, const char *pending_id,
                             struct sk_portal_result *r);
/* Reject with a reason (required, shown to the partner). */
int sk_portal_review_reject(struct sk_portal *p, const struct sk_actor *a, const char *pending_id,
                            const char *reason, struct sk_portal_result *r);

/* Services a feed delivered without our classification (the indexer
 * proposed needs, access/cost "onbekend": "automatisch ingedeeld"), for a
 * redacteur to check: {"items": [{id, name, organization, source,
 * last_modified, needs, access, cost}]}, oldest first, at most 1000. */
int sk_portal_auto_list(struct sk_portal *p, const struct sk_actor *a, struct sk_portal_result *r);
/* The redacteur agrees with the proposal: the mark goes (logged as
 * classification: automatisch -> bevestigd). It comes back when the feed
 * changes the service. 404 when it is not on the list. */
int sk_portal_auto_confirm(struct sk_portal *p, const struct sk_actor *a, const char *id,
                           struct sk_portal_result *r);

/* ---- keeping it current ------------------------------------------------- */

#define SK_PORTAL_STALE_DAYS 183   /* on the to-do list and in reminders */
#define SK_PORTAL_FLAGGED_DAYS 365 /* "niet recent gecontroleerd" in search */

/* The partner's to-do list: {"stale": [entries], "corrections": [open
 * corrections], "submissions": [its pending and rejected edits]}. Stale:
 * active portal offerings/activities of its organisations whose
 * assured_date is missing or older than SK_PORTAL_STALE_DAYS. */
int sk_portal_todo(struct sk_portal *p, const struct sk_actor *a, struct sk_portal_result *r);

struct sk_portal_reminder_opts {
  const char *base_url;   /* "https://socialekaart.example"; links are base_url + entry_path + id */
  const char *entry_path; /* NULL: "/aanbod.html?id=" */
  const char *period;     /* NULL: the current month "YYYY-MM" */
};
/* Queue one reminder per partner account with stale entries for this
 * period (idempotent: a second run in the same period adds nothing).
 * *n_new (may be NULL) receives the number of messages queued. */
SK_MUST_CHECK int sk_portal_reminders_build(struct sk_portal *p,
                                            const struct sk_portal_reminder_opts *o, int *n_new);
/* The outbox (redacteur/admin): [{id, account_id, to, period, subject,
 * body, entries, created, sent_at}], newest first. Personal messages
 * (period "wachtwoord:…", a password reset link) are listed with their
 * body withheld: a reset link is for its owner only. */
int sk_portal_outbox(struct sk_portal *p, const struct sk_actor *a, struct sk_portal_result *r);
/* For the mail sender only (sociale-kaart reminders), never for a web
 * page: the unsent messages with their whole body, same shape, oldest
 * first. */
int sk_portal_outbox_unsent(struct sk_portal *p, struct sk_portal_result *r);
/* Queue one personal message (period: "wachtwoord:<unix time>" for a reset
 * link) to account_id at to. SK_OK, SK_ECONFLICT (that period already has
 * one), SK_EDB. */
SK_MUST_CHECK int sk_portal_outbox_add(struct sk_portal *p, const char *account_id, const char *to,
                                       const char *period, const char *subject, const char *body);
/* Mark a message sent (for an SMTP sender). */
SK_MUST_CHECK int sk_portal_outbox_mark_sent(struct sk_portal *p, const char *message_id);

/* ---- verification of every entry (sk_verify.c) ---------------------------
 * Each active offering is due SK_VERIFY_MONTHS (or its organisation's
 * verify_months) after its baseline: the latest of assured_date,
 * confirmed_date and created. A daily run (sociale-kaart verify) walks each
 * entry through its cycle and logs every step once in verify_log:
 *   due + reminded       30 days before the due date: a message to the
 *                        organisation's address (else its partner
 *                        accounts) listing its due entries, with a personal
 *                        link (a signed token per organisation, 30 days);
 *   reminded_again       14 days after the first message, if unanswered;
 *   task                 14 days later: on the redacteur's list ("bel de
 *                        organisatie");
 *   flagged              SK_VERIFY_FLAG_MONTHS after the baseline: "niet
 *                        recent gecontroleerd" for residents (search);
 *   hidden               SK_VERIFY_HIDE_MONTHS after it: out of search until
 *                        confirmed, on the redacteur's list;
 *   confirmed            "Klopt nog" over the link: confirmed_date = now, a
 *                        new cycle starts, the entry is visible again (also
 *                        at the next run when it was confirmed another way);
 *   change_requested     "Dit moet anders": a correction in the review queue.
 * The link only answers for its own organisation's entries and cannot log in. */

#define SK_VERIFY_MONTHS 12
#define SK_VERIFY_FLAG_MONTHS 12
#define SK_VERIFY_HIDE_MONTHS 18
#define SK_VERIFY_NOTICE_DAYS 30 /* first message this long before the due date */
#define SK_VERIFY_REPEAT_DAYS 14 /* second message, then the task */
#define SK_VERIFY_LINK_DAYS 30   /* a personal link works this long */
#define SK_VERIFY_TOKEN_MAX 160
#define SK_VERIFY_FEED_DOWN_DAYS 7 /* a feed not fetched this long is a redacteur task */
#define SK_VERIFY_FEED_ID_MAX 64

struct sk_verify_opts {
  const char *base_url; /* links: base_url + "/bevestigen.html?t=" + token */
  int hide_months;      /* 0: SK_VERIFY_HIDE_MONTHS */
};
struct sk_verify_stats {
  long entries;                                               /* active offerings looked at */
  long due, reminded, reminded_again, tasks, flagged, hidden; /* steps added by this run */
  long unhidden; /* hidden entries confirmed since, another way: visible again */
  long messages; /* messages queued */
  long feeds;    /* feeds without assured dates looked at */
  long feeds_due, feeds_reminded, feeds_tasks; /* their steps added (reminded: both messages) */
  long feeds_down;                             /* outages of SK_VERIFY_FEED_DOWN_DAYS logged */
};
/* One run at p->now (or the clock). Idempotent: a second run on the same
 * day adds nothing. */
SK_MUST_CHECK int sk_portal_verify_run(struct sk_portal *p, const struct sk_verify_opts *o,
                                       struct sk_verify_stats *stats);
/* The personal link's token for an organisation (valid SK_VERIFY_LINK_DAYS
 * from p->now). out must hold SK_VERIFY_TOKEN_MAX bytes. */
SK_MUST_CHECK int sk_portal_verify_token(struct sk_portal *p, const char *org_id, char *out,
                                         size_t outlen);
/* The personal link for a feed (prefix "f1."; its own purpose in the MAC,
 * so it never passes as an organisation's link). */
SK_MUST_CHECK int sk_portal_verify_feed_token(struct sk_portal *p, const char *feed_id, char *out,
                                              size_t outlen);
/* With a token (no account): GET the organisation's entries and their state
 * {organization: {id, name}, expires, entries: [{id, name, due, state,
 * confirmed_date}]}; 403 for a bad or expired token. */
int sk_portal_verify_entries(struct sk_portal *p, const char *token, struct sk_portal_result *r);
/* A feed's token answers in the same shape: organization = {id: feed id,
 * name: partner}, "feed": true, and one entry with id "feed" standing for
 * the whole feed. */
/* Answer for one entry: doc {"answer": "ok"} or {"answer": "change",
 * "message": "..."}. 403 when the entry is not the token's organisation's.
 * With a feed's token the entry is "feed" and only "ok" is an answer (the
 * partner changes its data in the feed itself): feed.confirmed_date = now. */
int sk_portal_verify_answer(struct sk_portal *p, const char *token, const char *entry_id,
                            const json_t *doc, struct sk_portal_result *r);
/* The receiving mail server refused message_id for good: mark it done and
 * bounced, and when it went to an organisation's own address, remember that
 * address as bounced (the next messages go to its partner accounts, and the
 * redacteur's list says so). */
SK_MUST_CHECK int sk_portal_outbox_mark_bounced(struct sk_portal *p, const char *message_id,
                                                const char *reason);
/* The redacteur's list: {"tasks": [...], "hidden": [...], "bounced": [...],
 * "feeds": [{id, partner, step ("due": the feed's yearly confirmation is
 * due and its partner was sent the link; "task": the partner did not
 * confirm it after two messages; "down": not fetched for
 * SK_VERIFY_FEED_DOWN_DAYS), since, last_error, todo}]}. */
int sk_portal_verify_tasks(struct sk_portal *p, const struct sk_actor *a,
                           struct sk_portal_result *r);

/* ---- the dashboard and search statistics (sk_dashboard.c) ----------------
 * Not public: redacteur and admin only. */

/* {date, entries: {total, confirmed, share, hidden}, organizations: [{id,
 * name, total, confirmed, share}] (least current first), municipalities:
 * [{code, name, total, confirmed, share}] (offerings that serve its
 * residents), needs: [{code, label, ...}] (top-level needs), trend: [{month,
 * total, confirmed, share}] (12 months), due_this_month: [{id, name,
 * organization, due}], corrections: {open, oldest_days,
 * older_than_30_days}, feeds: [{id, partner, kind, last_success,
 * last_error, records, rejected, healthy}]}. "Confirmed" = assured or
 * confirmed within the last 12 months. */
int sk_portal_dashboard(struct sk_portal *p, const struct sk_actor *a, struct sk_portal_result *r);

/* What residents search for, kept without addresses or session ids: one row
 * per (month, normalised query, visitor), where visitor is an HMAC of the
 * client address and browser under a key made for that month alone and
 * deleted once the month is over. Shown only where at least
 * SK_STATS_MIN_VISITORS different visitors made the query that month. */
#define SK_STATS_QUERY_MAX 100
#define SK_STATS_VISITOR_LEN 32
#define SK_STATS_MIN_VISITORS 5
#define SK_STATS_TOP 50
struct sk_stats_hit {
  char month[8]; /* YYYY-MM */
  char query[SK_STATS_QUERY_MAX + 1];
  char visitor[SK_STATS_VISITOR_LEN + 1];
  long results; /* what the search found (its total) when the visitor made it */
  int crisis;   /* 1: the search showed the crisis lines */
};
/* Fold and tidy a query into out; 0 when it must not be kept (empty, too
 * long, or looking like personal data: an e-mail address, 6+ digits). */
int sk_stats_normalize(const char *q, char out[SK_STATS_QUERY_MAX + 1]);
/* The month's key (made on first use, in meta). Needs a writable store. */
SK_MUST_CHECK int sk_stats_month_key(struct sk_store *st, const char *month, unsigned char key[32]);
void sk_stats_visitor(const unsigned char key[32], const char *ip, const char *agent,
                      char out[SK_STATS_VISITOR_LEN + 1]);
/* Store n hits in one transaction and forget the keys of months before
 * current_month (may be NULL). */
SK_MUST_CHECK int sk_stats_store(struct sk_store *st, const struct sk_stats_hit *hits, size_t n,
                                 const char *current_month);
/* {min_visitors, months: [{month, searches, visitors, distinct_queries,
 * crisis_visitors, top: [{query, visitors, searches, results, crisis,
 * zero_visitors}]}]}: the last `months` months, newest first; top holds
 * only queries of at least SK_STATS_MIN_VISITORS visitors, and zero_results
 * ({query, visitors, searches}) those of them that found nothing for at
 * least one visitor, most visitors first. results: the most the query
 * found for any visitor that month (what a search recorded, no search is
 * run); crisis_visitors: visitors whose search showed the crisis lines,
 * summed over every query (a count, no query shown). Reads only
 * search_stat: cheap enough for every dashboard request. */
int sk_portal_search_stats(struct sk_portal *p, const struct sk_actor *a, int months,
                           struct sk_portal_result *r);

/* ---- claiming: "Is dit uw organisatie?" (sk_claim.c) ----------------------
 * An organisation without an account asks for one from its own page. The
 * link goes only to the organisation's e-mail address from the data, never
 * to one the visitor types; following it files the claim; a redacteur
 * approves it, which makes an untrusted partner account linked to that
 * organisation only and mails it a link to choose a password. */
#define SK_CLAIM_LINK_DAYS 7
#define SK_CLAIM_PER_HOUR 5 /* requests per client address */
#define SK_CLAIM_PER_DAY 20
/* Anyone: 202 with the same message whether or not a mail was sent (no
 * address, an account already, a link sent in the last day: nothing is
 * sent); 404 for an organisation not on the map; 429 past the limits. ip is
 * kept only as a keyed hash; base_url starts the link (base_url +
 * "/aanvraag?t=" + token). */
int sk_portal_claim_request(struct sk_portal *p, const char *org_id, const char *ip,
                            const char *base_url, struct sk_portal_result *r);
/* The link's token for a claim ("c1.", its own key and purpose; valid
 * SK_CLAIM_LINK_DAYS from p->now). out: SK_VERIFY_TOKEN_MAX bytes. */
SK_MUST_CHECK int sk_portal_claim_token(struct sk_portal *p, const char *claim_id, char *out,
                                        size_t outlen);
/* With the link's token: 200 {organization, status}; 403 for a bad,
 * forged or expired token. */
int sk_portal_claim_peek(struct sk_portal *p, const char *token, struct sk_portal_result *r);
/* File the claim (once: 409 afterwards); 403 as above. */
int sk_portal_claim_file(struct sk_portal *p, const char *token, struct sk_portal_result *r);
/* Redactie: the filed claims {items: [{id, organization: {id, name}, email,
 * filed}]}, oldest first. */
int sk_portal_claims(struct sk_portal *p, const struct sk_actor *a, struct sk_portal_result *r);
/* Redactie: approve (200 {id, status, account: {id, email}, organization})
 * or reject a filed claim; 409 when decided already or the address has an
 * account. */
int sk_portal_claim_decide(struct sk_portal *p, const struct sk_actor *a, const char *claim_id,
                           int approve, const char *reason, const char *base_url,
                           struct sk_portal_result *r);

/* ---- "Klopt er iets niet?" --------------------------------------------- */

#define SK_CORRECTION_MAX_MESSAGE 2000 /* characters */
#define SK_CORRECTION_MAX_NAME 100
#define SK_CORRECTION_MIN_SECONDS 3 /* a form sent faster is a robot */
#define SK_CORRECTION_MAX_AGE (24 * 3600)
#define SK_CORRECTION_PER_HOUR 5 /* per IP address */
#define SK_CORRECTION_PER_DAY 20

/* A form token to put in the correction form (hidden field "form_token"):
 * the time it was made, signed. out must hold 96 bytes. */
SK_MUST_CHECK int sk_portal_correction_token(struct sk_portal *p, char *out, size_t outlen);
/* Anyone (no login) sends a correction for the offering/activity/location
 * entry_id: doc {"message" (required), "name", "email" (optional),
 * "form_token", "website" (honeypot: must be empty)}. ip: the client
 * address (kept only as a keyed hash). 201, or 422/404/429; spam is
 * answered like success with r->spam = 1 and nothing stored. */
int sk_portal_correction_submit(struct sk_portal *p, const char *entry_id, const json_t *doc,
                                const char *ip, struct sk_portal_result *r);
/* Corrections for the actor, newest first: a partner sees those of its
 * organisations, a redacteur all; status "open" (default when NULL) or
 * "closed". Paged (pg, see sk_portal_page). */
int sk_portal_corrections(struct sk_portal *p, const struct sk_actor *a, const char *status,
                          const struct sk_portal_page *pg, struct sk_portal_result *r);
int sk_portal_correction_close(struct sk_portal *p, const struct sk_actor *a,
                               const char *correction_id, struct sk_portal_result *r);
/* "Stuur een correctie naar de beheerder van de feed": a partner (or the
 * redactie) who may read an entry that comes from a feed sends doc
 * {"message"} to the accounts keeping that feed (account_feed); stored as
 * a correction with feed_id, shown to them and the redactie (not to the
 * organisation's partners). 201 {id, feed, keepers, message}; 409 when the
 * entry is not from a feed; 422 for an empty or too long message. */
int sk_portal_feed_correction(struct sk_portal *p, const struct sk_actor *a,
                              enum sk_portal_entity e, const char *id, const json_t *doc,
                              struct sk_portal_result *r);

#endif
