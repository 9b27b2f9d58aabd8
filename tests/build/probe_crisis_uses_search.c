/* Must NOT compile: crisis recognition may use the base only (search uses it, not back). */
#include "sk_search.h"
int probe_crisis_uses_search(void) { return 0; }
