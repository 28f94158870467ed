/* dnt/stats.h: small statistics helpers every layer shares.
 *
 * The normal quantile is the one inverse normal CDF of the code base (the
 * LIE attack's z, confidence intervals): Wichura's AS 241 (PPND16), relative
 * error about 1e-16 over (0, 1). Summaries over repeated runs (seeds) take
 * the sample mean and the sample standard deviation. Pure functions: nothing
 * allocates, thread-safe. */
#ifndef DNT_STATS_H
#define DNT_STATS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Standard normal quantile Phi^-1(p): Wichura, "Algorithm AS 241: The
 * percentage points of the normal distribution", Applied Statistics 37(3),
 * 1988. p = 0 gives -inf, p = 1 +inf, p outside [0, 1] or NaN gives NaN. O(1). */
double dnt_normal_quantile(double p);

/* Sample mean and sample standard deviation (divisor n - 1; 0 when n = 1) of
 * x (n >= 1); sd may be NULL. Two passes, O(n). */
void dnt_mean_sd(const double *x, size_t n, double *mean, double *sd);

#ifdef __cplusplus
}
#endif
#endif
