/* src/fl/fl_staleness.c: staleness weights (Xie, Koyejo, Gupta 2019, section
 * 5.2, plus 1/(1+t) and 1/(1+sqrt t)). */
#include <math.h>
#include <string.h>

#include "dnt/fl_async.h"
#include "dnt/status.h"

static const char *const names[DNT_STALE_N] = {"constant", "poly", "hinge", "inv", "inv_sqrt"};

double dnt_staleness_weight(dnt_staleness_fn fn, double t, double a, double b) {
  switch (fn) {
  case DNT_STALE_POLY:
    return pow(t + 1, -a);
  case DNT_STALE_HINGE:
    return t <= b ? 1.0 : 1.0 / (a * (t - b) + 1);
  case DNT_STALE_INV:
    return 1.0 / (1 + t);
  case DNT_STALE_INV_SQRT:
    return 1.0 / (1 + sqrt(t));
  default:
    return 1.0;
  }
}

const char *dnt_staleness_name(dnt_staleness_fn fn) {
  return (unsigned)fn < DNT_STALE_N ? names[fn] : "?";
}

int dnt_staleness_parse(const char *name, dnt_staleness_fn *out) {
  for (int i = 0; i < DNT_STALE_N; i++)
    if (!strcmp(name, names[i])) return *out = (dnt_staleness_fn)i, 0;
  return dnt_error(DNT_ERR_ARG,
                   "staleness function '%s': expected constant, poly, hinge, inv "
                   "or inv_sqrt",
                   name);
}
