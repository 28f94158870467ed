/* dnt/scenario.h: seeded, parallel scenario generation from a mixture of
 * families, with importance weights for oversampled rare families.
 *
 * A family (e.g. "free flow", "emergency braking", "ice") draws the n_params
 * numbers of one scenario from a random stream. The natural mixture picks
 * family f with probability p_f = weight_f / sum weight; to see rare events
 * often enough, scenarios may be drawn from a proposal q_f = oversample_f /
 * sum oversample instead, and each scenario then carries the importance
 * weight w = p_f / q_f (the likelihood ratio of its family; the family's own
 * draw is the same under both). Then for any outcome y,
 *   E_q[w y] = E_p[y],
 * so the rate (1/n) sum_i w_i y_i is an unbiased estimate of the natural
 * rate, reported with its standard error sd(w y) / sqrt(n) (importance
 * sampling, e.g. Owen, "Monte Carlo theory, methods and examples", 2013,
 * ch. 9). The effective sample size (sum w)^2 / sum w^2 says what the
 * oversampling costs elsewhere.
 *
 * Determinism: scenario i draws its family and parameters from
 * dnt_rng_for(seed, DNT_STREAM_SCENARIO, i), so the set does not depend on the
 * thread count (and shares no stream with env instance i or fork i).
 * Family generators run concurrently from several threads: they must only
 * read their ctx.
 *
 * Ownership: the caller owns the set struct; generate allocates its arrays,
 * dnt_scenario_set_free releases them. Families are borrowed during the call.
 * Cost: O(n (n_params + generator)) divided by the threads. */
#ifndef DNT_SCENARIO_H
#define DNT_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes n_params values of one scenario; 0 or a negative status. */
typedef int (*dnt_scenario_gen)(void *ctx, dnt_rng *rng, double *params);

typedef struct dnt_scenario_family {
  const char *name;
  double weight;     /* natural mixture weight, >= 0 */
  double oversample; /* proposal weight, >= 0; < 0 means "same as weight" */
  dnt_scenario_gen generate;
  void *ctx;
} dnt_scenario_family;

typedef struct dnt_scenario_set {
  size_t n, n_params;
  int n_families;
  int *family;        /* (n) family index of each scenario */
  double *importance; /* (n) p_f / q_f of its family */
  double *params;     /* (n, n_params) */
} dnt_scenario_set;

/* Generates n scenarios. Families need a positive total weight, a positive
 * proposal for every family of positive weight (otherwise the estimate could
 * not be unbiased: DNT_ERR_ARG naming the family), and a generator. */
int dnt_scenario_generate(const dnt_scenario_family *fam, int n_families, size_t n_params, size_t n,
                          uint64_t seed, int threads, dnt_scenario_set *out);
void dnt_scenario_set_free(dnt_scenario_set *s);

typedef struct dnt_rate {
  double rate;  /* (1/n) sum w_i y_i: unbiased for the natural mixture */
  double se;    /* its standard error */
  double naive; /* (1/n) sum y_i: the rate under the proposal (biased if oversampled) */
  double ess;   /* (sum w)^2 / sum w^2 */
} dnt_rate;

/* Rate of outcome y (n values, e.g. 1 = collision) over the set. */
int dnt_scenario_rate(const dnt_scenario_set *s, const double *outcome, dnt_rate *out);

#ifdef __cplusplus
}
#endif
#endif
