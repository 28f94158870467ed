/* tests/base/test_stats.c: the normal quantile against published values
 * (Phi^-1(0.975) = 1.959963984540054, Phi^-1(0.001) = -3.090232306167813)
 * and references at the double nearest p (mpmath, 60 digits:
 * sqrt(2) erfinv(2p - 1)) in each of AS 241's three pieces, to 1e-15
 * relative; its symmetry and edge values; the sample mean and standard
 * deviation on a hand-computed case. */
#include <math.h>

#include "dnt/stats.h"
#include "test.h"

static void check_rel(double got, double want) {
  CHECK_MSG(fabs(got - want) <= 1e-15 * fabs(want) + 1e-16, "%.17g vs %.17g", got, want);
}

static void test_quantile(void) {
  check_rel(dnt_normal_quantile(0.975), 1.959963984540054);
  check_rel(dnt_normal_quantile(0.001), -3.090232306167813);
  check_rel(dnt_normal_quantile(0.95), 1.6448536269514723);
  check_rel(dnt_normal_quantile(0.995), 2.5758293035489005);
  check_rel(dnt_normal_quantile(0.6), 0.2533471031357997);      /* |q| <= 0.425 */
  check_rel(dnt_normal_quantile(2.0 / 3), 0.43072729929545739); /* the LIE z of n = 12, c = 3 */
  check_rel(dnt_normal_quantile(1e-10), -6.3613409024040562);   /* r <= 5 */
  check_rel(dnt_normal_quantile(1e-20), -9.2623400897984076);   /* r > 5 */
  check_rel(dnt_normal_quantile(1 - 1e-7), 5.1993375822906611); /* near 1 */
  CHECK(dnt_normal_quantile(0.5) == 0);
  for (double p = 0.01; p < 0.5; p += 0.01) /* Phi^-1(1 - p) = -Phi^-1(p) */
    CHECK_NEAR(dnt_normal_quantile(1 - p), -dnt_normal_quantile(p), 1e-14);
  CHECK(dnt_normal_quantile(0) == -INFINITY);
  CHECK(dnt_normal_quantile(1) == INFINITY);
  CHECK(isnan(dnt_normal_quantile(-0.1)) && isnan(dnt_normal_quantile(1.5)));
  CHECK(isnan(dnt_normal_quantile(NAN)));
}

static void test_mean_sd(void) {
  const double x[] = {2, 4, 4, 4, 5, 5, 7, 9}; /* mean 5, squares sum 32 */
  double m, sd;
  dnt_mean_sd(x, 8, &m, &sd);
  CHECK_NEAR(m, 5, 0);
  CHECK_NEAR(sd, sqrt(32.0 / 7), 1e-15);
  dnt_mean_sd(x + 6, 1, &m, &sd);
  CHECK(m == 7 && sd == 0);
  dnt_mean_sd(x, 2, &m, NULL);
  CHECK(m == 3);
}

int main(void) {
  test_quantile();
  test_mean_sd();
  return test_done("stats");
}
