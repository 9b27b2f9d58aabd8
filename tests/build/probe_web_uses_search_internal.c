/* Must NOT compile: a subsystem's internal header is for that subsystem alone. */
#include "sk_search_int.h"
int probe_web_uses_search_internal(void) { return 0; }
