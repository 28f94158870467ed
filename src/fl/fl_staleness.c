/* src/fl/fl_staleness.c: staleness weights (Xie, Koyejo, Gupta 2019, section
 * 5.2, plus 1/(1+t) and 1/(1+sqrt t)) and the delay distributions of the
 * asynchronous simulator. */
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

double dnt_fl_dist_sample(const dnt_fl_dist *dist, dnt_rng *rng) {
  switch (dist->kind) {
  case DNT_DIST_EXP:
    return dist->a > 0 ? dnt_rng_exponential(rng, 1.0 / dist->a) : 0;
  case DNT_DIST_UNIFORM:
    return dist->a + (dist->b - dist->a) * dnt_rng_uniform(rng);
  case DNT_DIST_LOGNORMAL:
    return exp(dnt_rng_normal(rng, dist->a, dist->b));
  default:
    return dist->a;
  }
}
