/* Must NOT compile: the indexer may use the base only (docs/architecture.md). */
#include "sk_search.h"
int probe_indexer_uses_search(void) { return 0; }
