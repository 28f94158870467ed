/* dnt/whatif.h: what-if analysis on forks of a world.
 *
 * Fork the twin's world N times for each of A alternatives (action plans,
 * or configurations applied to each fork by `prepare`), run every fork H steps, accumulate M
 * metrics per fork, and return the A x N x M values with their distributions. Forks run in parallel
 * on `threads` POSIX threads; the base world is only read (dnt_world_copy),
 * never changed.
 *
 * Randomness: fork n of every alternative starts from the same state and the
 * same random stream, dnt_rng_for(seed, DNT_STREAM_FORK, n): its world is reseeded with the
 * stream's first draw (dnt_world_reseed; a world without reseed is
 * deterministic) and the policy gets the rest of that stream. Alternatives are
 * thus compared under common random numbers (the difference between two
 * alternatives in fork n is due to their actions, not to noise), and the
 * results do not depend on the thread count: same seed, same numbers.
 *
 * Callbacks run concurrently from several threads for different (alt, fork):
 * they must only read `ctx`.
 *
 * Ownership: the caller owns the result struct; dnt_whatif_run allocates
 * values, dnt_whatif_result_free releases them. Cost: A N (copy + H steps
 * + H callbacks), divided by the threads. */
#ifndef DNT_WHATIF_H
#define DNT_WHATIF_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/rng.h"
#include "dnt/world.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Applies alternative `alt`'s configuration to a fresh fork before its first
 * step (e.g. assimilate other capacities, or change the world through its
 * typed accessors). 0 or a negative status. */
typedef int (*dnt_whatif_prepare)(void *ctx, int alt, dnt_world *fork);
/* Chooses alternative `alt`'s action at horizon step h (0-based) from the
 * fork's telemetry before the step; writes n_actions values. Returns 0 to act,
 * 1 to step without an action, or a negative status. */
typedef int (*dnt_whatif_policy)(void *ctx, int alt, int h, const double *telemetry, dnt_rng *rng,
                                 double *action);
/* Called after every step with the fork and its telemetry; adds to metrics
 * (n_metrics values, zero at the start of the fork). */
typedef int (*dnt_whatif_metric)(void *ctx, int alt, int h, const dnt_world *fork,
                                 const double *telemetry, const double *action, double *metrics);

typedef struct dnt_whatif_spec {
  int n_alternatives; /* A >= 1 */
  int n_forks;        /* N >= 1 per alternative */
  int horizon;        /* H >= 1 steps */
  int n_metrics;      /* M >= 1 */
  int threads;        /* >= 1 */
  uint64_t seed;
  /* Either a policy, or fixed actions (A, n_actions) applied at every step,
   * or neither (no actions). */
  dnt_whatif_policy policy;
  const double *actions;
  dnt_whatif_prepare prepare; /* optional: alternative configurations */
  dnt_whatif_metric metric;   /* required */
  void *ctx;
} dnt_whatif_spec;

typedef struct dnt_whatif_result {
  int n_alternatives, n_forks, n_metrics;
  double *values; /* (A, N, M): values[(a * N + n) * M + m] */
} dnt_whatif_result;

/* Runs the forks. On failure *out holds nothing and the error names the
 * alternative and fork that failed first. */
int dnt_whatif_run(const dnt_world *base, const dnt_whatif_spec *spec, dnt_whatif_result *out);
void dnt_whatif_result_free(dnt_whatif_result *r);

/* Summary of a sample: percentiles by linear interpolation between order
 * statistics (Hyndman and Fan 1996, type 7; numpy's default). */
typedef struct dnt_dist {
  size_t n;
  double mean, sd; /* sd with n - 1 (0 when n = 1) */
  double min, p05, p25, p50, p75, p95, max;
} dnt_dist;

/* Distribution of metric m of alternative a over its N forks. O(N log N). */
int dnt_whatif_dist(const dnt_whatif_result *r, int alt, int metric, dnt_dist *out);
/* Same for any sample of n >= 1 values (copied; the input is not reordered). */
int dnt_dist_of(const double *x, size_t n, dnt_dist *out);

#ifdef __cplusplus
}
#endif
#endif
