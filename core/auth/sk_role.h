#ifndef SK_ROLE_H
#define SK_ROLE_H
/*
 * The roles of an account (account.role) and the one access model: what
 * each role may do. sk_auth (sk_auth_can_*, for accounts) and sk_portal
 * (for actors) both ask the sk_role_* functions below, so a rule changes in
 * one place. The values are stable: code may store or compare them. Names
 * are parsed by sk_auth_role_parse (sk_auth.h), the only parser.
 */
enum sk_role {
  SK_ROLE_NONE = 0,         /* anonymous, or an unknown role name */
  SK_ROLE_PARTNER = 1,      /* edits the organisations it is linked to */
  SK_ROLE_REDACTEUR = 2,    /* edits everything, reviews, manages feeds */
  SK_ROLE_ADMIN = 3,        /* manages accounts; may also do what a redacteur does */
  SK_ROLE_PROFESSIONAL = 4, /* reads restricted fields (referral lines) */
};

/* Pure decisions on a role (no account state: callers check that the
 * account is active, and for sk_role_edits_own that it is linked). */
int sk_role_edits_all(enum sk_role r);        /* any entry: redacteur, admin */
int sk_role_edits_own(enum sk_role r);        /* entries of linked organisations: partner */
int sk_role_reviews(enum sk_role r);          /* held edits, corrections: redacteur, admin */
int sk_role_manages_feeds(enum sk_role r);    /* redacteur, admin */
int sk_role_manages_accounts(enum sk_role r); /* admin */
int sk_role_sees_restricted(enum sk_role r);  /* professional, redacteur, admin */

#endif
