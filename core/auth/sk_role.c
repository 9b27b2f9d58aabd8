/* The access model: what each role may do (sk_role.h). */
#include "sk_role.h"

int sk_role_edits_all(enum sk_role r) { return r == SK_ROLE_REDACTEUR || r == SK_ROLE_ADMIN; }
int sk_role_edits_own(enum sk_role r) { return r == SK_ROLE_PARTNER; }
int sk_role_reviews(enum sk_role r) { return sk_role_edits_all(r); }
int sk_role_manages_feeds(enum sk_role r) { return sk_role_edits_all(r); }
int sk_role_manages_accounts(enum sk_role r) { return r == SK_ROLE_ADMIN; }
int sk_role_sees_restricted(enum sk_role r) {
  return r == SK_ROLE_PROFESSIONAL || sk_role_edits_all(r);
}
