/* Must NOT compile: auth may not use the portal (portal -> auth, not back). */
#include "sk_portal.h"
int probe_auth_uses_portal(void) { return 0; }
