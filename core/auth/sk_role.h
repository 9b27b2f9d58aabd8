#ifndef SK_ROLE_H
#define SK_ROLE_H
/*
 * The roles of an account (account.role), shared by sk_auth (who may log in
 * and what they may do) and sk_portal (what an edit needs). The values are
 * stable: code may store or compare them.
 */
enum sk_role {
  SK_ROLE_NONE = 0,         /* anonymous, or an unknown role name */
  SK_ROLE_PARTNER = 1,      /* edits the organisations it is linked to */
  SK_ROLE_REDACTEUR = 2,    /* edits everything, reviews, manages feeds */
  SK_ROLE_ADMIN = 3,        /* manages accounts; may also do what a redacteur does */
  SK_ROLE_PROFESSIONAL = 4, /* reads restricted fields (referral lines) */
};

#endif
