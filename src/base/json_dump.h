/* json_dump.h (private to src/base): JSON text that reads back exactly. */
#ifndef DNT_BASE_JSON_DUMP_H
#define DNT_BASE_JSON_DUMP_H

#include <jansson.h>

/* Pretty JSON (2-space indent, keys in insertion order) whose reals use the
 * fewest significant digits, 15 to 17, that read back to the same doubles
 * for every real in `v`, so that 0.1 prints as 0.1 and nothing is rounded.
 * malloc'd, caller frees; NULL when out of memory. */
char *dnt_json_dump_exact(const json_t *v);

#endif
