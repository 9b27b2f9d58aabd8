/* Must NOT compile: search may use the base only. */
#include "sk_auth.h"
int probe_search_uses_auth(void) { return 0; }
