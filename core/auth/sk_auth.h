#ifndef SK_AUTH_H
#define SK_AUTH_H
/*
 * sk_auth: accounts, passwords, sessions, CSRF, API tokens, roles and login
 * throttling. No HTTP here: the server calls these functions and turns the
 * results into cookies and status codes (docs/auth.md says exactly how).
 *
 * Secrets are never stored. Passwords are argon2id strings
 * (crypto_pwhash_str); session, API and reset tokens are random 32-byte
 * values handed to the caller once, and only their BLAKE2b-256 hash is kept.
 *
 * Time is always passed in ("now", unix seconds) so that tests can move it.
 * Functions that write need a writable store (the server's writer
 * connection); a store is used by one thread at a time, as everywhere.
 *
 * Return values follow core/sk_err.h, plus the SK_AUTH_E* codes below.
 * sk_auth_message() gives the Dutch sentence to show a site user for any of
 * them; where a function takes err/errlen it writes that sentence (or a more
 * precise one, also Dutch) there.
 */
#include <stddef.h>
#include <stdint.h>

#include "sk_id.h"
#include "sk_role.h"
#include "sk_store.h"

#define SK_AUTH_PASSWORD_MIN 12   /* characters (code points) */
#define SK_AUTH_PASSWORD_MAX 1024 /* bytes */
#define SK_AUTH_EMAIL_MAX 254
#define SK_AUTH_NAME_MAX 200
#define SK_AUTH_LABEL_MAX 100
/* Room for any token this module hands out, with its NUL. */
#define SK_AUTH_TOKEN_LEN 64
/* API tokens start with this, so they are easy to recognise (and to find
 * when one is pasted somewhere it should not be). */
#define SK_AUTH_API_TOKEN_PREFIX "skapi_"
/* How many characters of an API token are kept in clear to find and show it. */
#define SK_AUTH_API_PREFIX_LEN 14

/* Session cookie names: the __Host- form (Secure, Path=/, no Domain) behind
 * TLS, the plain one for http://localhost development. */
#define SK_AUTH_COOKIE_NAME "sk_session"
#define SK_AUTH_COOKIE_NAME_SECURE "__Host-sk_session"

/* Codes beyond core/sk_err.h. All negative, like SK_E*. */
enum sk_auth_err {
  SK_AUTH_EBADLOGIN = -100,  /* wrong e-mail or password (never says which) */
  SK_AUTH_ETHROTTLED = -101, /* too many failed attempts; try again later */
  SK_AUTH_EPASSWORD = -102,  /* new password too short, too long or not UTF-8 */
  SK_AUTH_EEMAIL = -103,     /* not a usable e-mail address */
  SK_AUTH_ENAME = -104,      /* name empty, too long or not text */
  SK_AUTH_ENOSESSION = -105, /* no session: unknown, expired, logged out, disabled */
  SK_AUTH_EBADTOKEN = -106,  /* API or reset token unknown, expired or revoked */
  SK_AUTH_EEXISTS = -107,    /* an account with this e-mail address exists */
  SK_AUTH_ECSRF = -108,      /* CSRF token missing or wrong */
};

/* The Dutch sentence (B1) for a site user for any SK_OK / SK_E* /
 * SK_AUTH_E* code. Static, never NULL. SK_AUTH_EBADLOGIN and
 * SK_AUTH_ETHROTTLED never depend on whether the e-mail address exists. */
const char *sk_auth_message(int rc);

/* Role names: "partner", "redacteur", "admin", "professional"; "" for
 * anything else. (sk_role.h holds the enum, shared with sk_portal.) */
const char *sk_auth_role_name(enum sk_role r);
/* SK_OK and *out, or SK_EINVAL for an unknown name. */
int sk_auth_role_parse(const char *name, enum sk_role *out);

/* Tunables. sk_auth_policy_default() gives the production values. */
struct sk_auth_policy {
  unsigned long long pwhash_opslimit; /* crypto_pwhash_OPSLIMIT_INTERACTIVE */
  size_t pwhash_memlimit;             /* crypto_pwhash_MEMLIMIT_INTERACTIVE (64 MiB) */
  int max_parallel_hashes;            /* 2: bounds memory (n x memlimit) under a login storm */
  int64_t session_idle;               /* 8 h without a request ends a session */
  int64_t session_absolute;           /* 7 days after login it ends anyway */
  int64_t session_touch;              /* 60 s: last_seen is written at most this often */
  int64_t throttle_window;            /* 15 min */
  int throttle_pair_max;              /* 5 failed attempts per (e-mail, IP address) in the window */
  int throttle_ip_max;                /* 20 failed attempts per IP address in the window */
  int throttle_account_free;          /* 5 failures of an e-mail (any address) before its delay */
  int64_t throttle_delay_max;         /* 120 s: the per-account delay doubles up to this */
  int64_t reset_lifetime;             /* 24 h for a password reset token */
  int64_t attempt_keep;               /* 1 day: login attempts are purged after this */
};
void sk_auth_policy_default(struct sk_auth_policy *p);
/* The same with the cheapest argon2id limits (OPSLIMIT_MIN/MEMLIMIT_MIN):
 * for tests only, never for real passwords. */
void sk_auth_policy_fast(struct sk_auth_policy *p);

/* Set up libsodium and the policy (NULL: defaults) and make the dummy hash
 * that unknown e-mail addresses are checked against. Call once at start-up,
 * before threads; calling again replaces the policy (tests). SK_OK or
 * SK_ENOMEM / SK_EINVAL. Every other function calls it with NULL when it
 * has not run yet. */
int sk_auth_global_init(const struct sk_auth_policy *p);
/* The policy in force (after init). */
const struct sk_auth_policy *sk_auth_policy(void);

/* ---- Accounts ---------------------------------------------------------- */

struct sk_account {
  long long rid;
  char id[SK_UUID_LEN]; /* public UUID */
  char email[SK_AUTH_EMAIL_MAX + 1];
  char name[SK_AUTH_NAME_MAX + 1];
  enum sk_role role;
  int disabled;
  int trusted; /* partner edits publish without review */
  int has_password;
  char created[32];    /* ISO 8601 UTC */
  char last_login[32]; /* ISO 8601 UTC, "" when never */
};

/* Create an account. password may be NULL: the account then cannot log in
 * until a password is set (sk_auth_set_password or a reset token). E-mail
 * addresses are compared without regard to ASCII case and trimmed.
 * actor ("cli", "account:<uuid>") goes into the change log.
 * SK_OK with *out filled (out may be NULL), or SK_AUTH_EEMAIL, SK_AUTH_ENAME,
 * SK_AUTH_EPASSWORD, SK_AUTH_EEXISTS, SK_EINVAL (role), SK_EDB. */
int sk_auth_account_create(struct sk_store *st, const char *email, const char *name,
                           enum sk_role role, const char *password, const char *actor, int64_t now,
                           struct sk_account *out, char *err, size_t errlen);
/* Look up one account, disabled or not. SK_OK or SK_ENOTFOUND / SK_EDB. */
int sk_auth_account_by_email(struct sk_store *st, const char *email, struct sk_account *out);
int sk_auth_account_by_rid(struct sk_store *st, long long rid, struct sk_account *out);
int sk_auth_account_by_id(struct sk_store *st, const char *uuid, struct sk_account *out);
/* All accounts ordered by e-mail. *out is a malloc'ed array (free with
 * free(3); NULL when *n == 0). SK_OK, SK_ENOMEM or SK_EDB. */
int sk_auth_account_list(struct sk_store *st, struct sk_account **out, size_t *n);
/* Disable (1) or enable (0). Disabling ends all sessions at once; API
 * tokens stop working while the account is disabled. SK_OK, SK_ENOTFOUND,
 * SK_EDB. */
int sk_auth_account_set_disabled(struct sk_store *st, long long rid, int disabled,
                                 const char *actor, int64_t now);
/* Mark a partner trusted (edits publish at once) or not. */
int sk_auth_account_set_trusted(struct sk_store *st, long long rid, int trusted, const char *actor,
                                int64_t now);
/* Set a new password (checked against the length rules). Ends all sessions
 * and open reset tokens of the account. SK_OK, SK_AUTH_EPASSWORD,
 * SK_ENOTFOUND, SK_EDB. */
int sk_auth_set_password(struct sk_store *st, long long rid, const char *password,
                         const char *actor, int64_t now, char *err, size_t errlen);
/* A random password of 20 characters (about 119 bits) for operators to hand
 * on: letters and digits without look-alikes (0/O, 1/l/I). */
void sk_auth_random_password(char out[32]);

/* Password reset: a one-time token, valid policy.reset_lifetime, for a link
 * ("…/wachtwoord?token=…") sent to the owner. token receives it once. */
int sk_auth_reset_create(struct sk_store *st, long long rid, int64_t now,
                         char token[SK_AUTH_TOKEN_LEN]);
/* Use a reset token: sets the new password, consumes the token (and every
 * other open token of the account) and ends all sessions. SK_OK,
 * SK_AUTH_EBADTOKEN (unknown, used or expired), SK_AUTH_EPASSWORD, SK_EDB.
 * When account_rid is not NULL it receives the account on success. */
int sk_auth_reset_use(struct sk_store *st, const char *token, const char *new_password, int64_t now,
                      long long *account_rid, char *err, size_t errlen);

/* At most this many organisations per account (the portal keeps an actor's
 * organisations in a fixed array: struct sk_actor). */
#define SK_AUTH_MAX_ORGS 64

/* Organisations a partner may edit. org_id is the organisation's public
 * UUID. link: SK_OK (also when already linked), SK_ENOTFOUND (no such
 * organisation or account), SK_ETOOBIG (already SK_AUTH_MAX_ORGS linked),
 * SK_EDB. */
int sk_auth_link_organization(struct sk_store *st, long long account_rid, const char *org_id,
                              const char *actor, int64_t now);
int sk_auth_unlink_organization(struct sk_store *st, long long account_rid, const char *org_id,
                                const char *actor, int64_t now);
/* A feed a partner account keeps (issue 13): corrections sent to "the
 * keeper of the feed" reach it. feed_id is feed.id. SK_OK (also when
 * already linked), SK_ENOTFOUND (no such feed or account), SK_EINVAL (not
 * a partner account), SK_EDB. */
int sk_auth_link_feed(struct sk_store *st, long long account_rid, const char *feed_id,
                      const char *actor, int64_t now);
/* The organisation rids linked to an account; *rids malloc'ed (free(3)). */
int sk_auth_account_organizations(struct sk_store *st, long long account_rid, long long **rids,
                                  size_t *n);

/* ---- Login and sessions ------------------------------------------------ */

struct sk_session {
  struct sk_account account;
  char csrf[SK_AUTH_TOKEN_LEN]; /* put in every form / X-CSRF-Token */
  int64_t created;
  int64_t last_seen;
  int64_t expires; /* the earlier of idle and absolute end, as of now */
};

/* Log in. ip and user_agent may be NULL (CLI); they are kept with the
 * session and ip is throttled. On SK_OK, token receives the session token
 * (to put in the cookie; it is never stored) and *out the session.
 * Failures, identical whether or not the e-mail address exists:
 *   SK_AUTH_EBADLOGIN   wrong e-mail or password, no password set, disabled
 *   SK_AUTH_ETHROTTLED  refused without checking the password: this ip
 *                       failed throttle_pair_max times for this e-mail or
 *                       throttle_ip_max times for any within
 *                       throttle_window, or it failed for this e-mail and
 *                       the e-mail's growing delay has not passed
 *                       (sk_auth_login_wait says how long; docs/auth.md).
 *                       An ip that has not failed for the e-mail is never
 *                       refused for the e-mail's sake.
 *   SK_EDB, SK_ENOMEM
 * err receives the Dutch sentence. A correct login clears the failed
 * attempts of this (e-mail, ip), and rehashes the password when the policy's limits have
 * changed. Slow on purpose (one argon2id hash, also for unknown e-mails). */
int sk_auth_login(struct sk_store *st, const char *email, const char *password, const char *ip,
                  const char *user_agent, int64_t now, struct sk_session *out,
                  char token[SK_AUTH_TOKEN_LEN], char *err, size_t errlen);
/* Seconds before sk_auth_login for email from ip would check a password
 * (0: now), for Retry-After, in *wait. SK_OK, or SK_EDB / SK_ENOMEM with
 * *wait left 0. */
int sk_auth_login_wait(struct sk_store *st, const char *email, const char *ip, int64_t now,
                       int64_t *wait);
/* The session of a cookie token. SK_OK with *out (and last_seen refreshed
 * at most every policy.session_touch seconds), or SK_AUTH_ENOSESSION when
 * the token is unknown, the session idled out or reached its absolute end,
 * or the account is disabled. Fast (one indexed lookup). */
int sk_auth_session_lookup(struct sk_store *st, const char *token, int64_t now,
                           struct sk_session *out);
/* A logged-in user changes its own password: current is checked like a
 * login (same throttling, same SK_AUTH_EBADLOGIN / SK_AUTH_ETHROTTLED),
 * new_password against the rules (SK_AUTH_EPASSWORD). On SK_OK every
 * session of the account has ended and a new one replaces the caller's:
 * set the cookie again from token. SK_AUTH_ENOSESSION when session_token
 * is not a live session. */
int sk_auth_change_password(struct sk_store *st, const char *session_token, const char *current,
                            const char *new_password, const char *ip, const char *user_agent,
                            int64_t now, struct sk_session *out, char token[SK_AUTH_TOKEN_LEN],
                            char *err, size_t errlen);
/* End the session of token (no error when it does not exist). */
int sk_auth_logout(struct sk_store *st, const char *token);
/* End every session of an account ("log out everywhere"). */
int sk_auth_logout_all(struct sk_store *st, long long account_rid);
/* 1 when submitted equals the session's CSRF token (constant time), else 0.
 * NULL or empty submitted gives 0. */
int sk_auth_csrf_check(const struct sk_session *s, const char *submitted);
/* Delete expired sessions, reset tokens and old login attempts. Call now
 * and then (the server: every few minutes). */
int sk_auth_purge(struct sk_store *st, int64_t now);

/* The Set-Cookie value for a session: Path=/, HttpOnly, SameSite=Strict,
 * Max-Age until the session's absolute end; with secure, the __Host- name
 * and Secure. token NULL makes the cookie that deletes it (logout).
 * SK_OK or SK_ETOOBIG. */
int sk_auth_cookie(const char *token, int64_t max_age, int secure, char *out, size_t outlen);

/* ---- API tokens -------------------------------------------------------- */

struct sk_api_token {
  long long rid;
  long long account_rid;
  char prefix[SK_AUTH_API_PREFIX_LEN + 1]; /* shown in lists: "skapi_AbCdEfGh" */
  char label[SK_AUTH_LABEL_MAX + 1];
  int64_t created;
  int64_t expires;   /* 0: until revoked */
  int64_t last_used; /* 0: never */
  int64_t revoked;   /* 0: active */
};

/* Create an API token for an account. label may be NULL; expires 0 means
 * until revoked. token receives the token once ("skapi_" + 43 characters).
 * *info (may be NULL) describes it. SK_OK, SK_ENOTFOUND, SK_EINVAL (label),
 * SK_EDB. */
int sk_auth_token_create(struct sk_store *st, long long account_rid, const char *label,
                         int64_t expires, int64_t now, char token[SK_AUTH_TOKEN_LEN],
                         struct sk_api_token *info);
/* The tokens of an account (account_rid 0: all), newest first, revoked ones
 * included. *out malloc'ed (free(3)). */
int sk_auth_token_list(struct sk_store *st, long long account_rid, struct sk_api_token **out,
                       size_t *n);
/* Revoke a token. account_rid limits it to that account's tokens (0: any,
 * for admins). SK_OK or SK_ENOTFOUND. */
int sk_auth_token_revoke(struct sk_store *st, long long account_rid, long long token_rid,
                         int64_t now);
/* The account of a bearer token. SK_OK with *out, or SK_AUTH_EBADTOKEN when
 * unknown, revoked, expired, or the account is disabled. */
int sk_auth_token_verify(struct sk_store *st, const char *token, int64_t now,
                         struct sk_account *out);

/* ---- What an account may do -------------------------------------------- */
/* These fail closed: NULL account, disabled account or a database error
 * give 0. */

/* redacteur, admin: any organisation; partner: the organisations linked
 * to it; professional: none. */
int sk_auth_can_edit_organization(struct sk_store *st, const struct sk_account *a,
                                  long long org_rid);
int sk_auth_can_edit_all(const struct sk_account *a);        /* redacteur, admin */
int sk_auth_can_review(const struct sk_account *a);          /* redacteur, admin */
int sk_auth_can_manage_feeds(const struct sk_account *a);    /* redacteur, admin */
int sk_auth_can_manage_accounts(const struct sk_account *a); /* admin only */
/* Restricted fields of every entry: professional, redacteur, admin. A
 * partner sees those of its own organisations (sk_auth_can_edit_organization). */
int sk_auth_can_see_restricted(const struct sk_account *a);

#endif
