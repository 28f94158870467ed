/* json_dump.c: exact, readable JSON output.
 *
 * jansson prints every real with one global precision; 17 digits always read
 * back exactly but show 0.1 as 0.10000000000000001 in config files people
 * read. So the precision is chosen per document: the smallest of 15, 16, 17
 * that round-trips every real in it. */
#include "json_dump.h"

#include <stdio.h>
#include <stdlib.h>

/* Fewest digits (15..17) with which %.*g of x reads back as x. */
static int digits_needed(double x) {
  char buf[40];
  for (int p = 15; p < 17; p++) {
    snprintf(buf, sizeof buf, "%.*g", p, x);
    if (strtod(buf, NULL) == x) return p;
  }
  return 17;
}

static int max_digits(const json_t *v) {
  int best = 15;
  if (json_is_real(v)) return digits_needed(json_real_value(v));
  if (json_is_object(v)) {
    const char *key;
    const json_t *item;
    json_object_foreach((json_t *)v, key, item) {
      int d = max_digits(item);
      if (d > best) best = d;
    }
  } else if (json_is_array(v)) {
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item) {
      int d = max_digits(item);
      if (d > best) best = d;
    }
  }
  return best;
}

char *dnt_json_dump_exact(const json_t *v) {
  unsigned digits = (unsigned)max_digits(v); /* 15..17 */
  return json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_REAL_PRECISION(digits));
}
