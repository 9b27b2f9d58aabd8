/* Must compile: the portal may use auth and the base. The control for the
 * probes above: a failure of theirs means the rule, not a broken probe. */
#include "sk_auth.h"
#include "sk_portal.h"
int probe_portal_uses_auth(void) { return 0; }
