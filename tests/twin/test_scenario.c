/* tests/twin/test_scenario.c: scenario generation (dnt/scenario.h).
 * A rare family oversampled 500-fold: its importance weights make the event
 * rate unbiased (the estimate matches the known natural rate within its
 * standard error, and averages to it over many seeds) while the unweighted
 * rate is off by two orders of magnitude; the set does not depend on the
 * thread count; without oversampling every weight is 1; bad families are
 * refused by name. */
#include <string.h>

#include "dnt/scenario.h"
#include "dnt/status.h"
#include "test.h"

/* params[0] = 1 if the event happens (probability *ctx), params[1] = a speed */
static int family(void *ctx, dnt_rng *rng, double *params) {
  params[0] = dnt_rng_uniform(rng) < *(const double *)ctx;
  params[1] = dnt_rng_normal(rng, 30, 3);
  return 0;
}

static int failing(void *ctx, dnt_rng *rng, double *params) {
  return dnt_error(DNT_ERR_ARG, "bad draw");
}

static const double p_normal = 0.001, p_rare = 0.5;
static const double w_rare = 0.001; /* natural share of the rare family */

static void families(dnt_scenario_family f[2], double oversample) {
  f[0] = (dnt_scenario_family){"normal", 1 - w_rare, oversample < 0 ? -1 : 1 - oversample, family,
                               (void *)&p_normal};
  f[1] = (dnt_scenario_family){"rare", w_rare, oversample, family, (void *)&p_rare};
}

static double rate_of(const dnt_scenario_set *s, dnt_rate *r) {
  double *y = malloc(s->n * sizeof *y);
  for (size_t i = 0; i < s->n; i++)
    y[i] = s->params[i * s->n_params];
  CHECK_OK(dnt_scenario_rate(s, y, r));
  free(y);
  return r->rate;
}

static void test_unbiased(void) {
  const double truth = (1 - w_rare) * p_normal + w_rare * p_rare; /* 0.001499 */
  dnt_scenario_family f[2];
  families(f, 0.5);
  dnt_scenario_set s;
  CHECK_OK(dnt_scenario_generate(f, 2, 2, 200000, 42, 2, &s));
  size_t rare = 0;
  for (size_t i = 0; i < s.n; i++)
    rare += s.family[i] == 1;
  CHECK_NEAR((double)rare / s.n, 0.5, 0.005);
  CHECK(s.importance[0] == (s.family[0] ? w_rare / 0.5 : (1 - w_rare) / 0.5));
  dnt_rate r;
  rate_of(&s, &r);
  printf("rate %.6f +- %.6f (truth %.6f), naive %.4f, ess %.0f\n", r.rate, r.se, truth, r.naive,
         r.ess);
  CHECK_NEAR(r.rate, truth, 4 * r.se);
  CHECK(r.se < 0.2 * truth);
  CHECK(r.naive > 100 * truth); /* unweighted, the oversampled rate is badly biased */
  dnt_scenario_set_free(&s);
  /* unbiased, not just consistent: the mean of 40 small runs is on target */
  double sum = 0, se_sum = 0;
  for (uint64_t seed = 1; seed <= 40; seed++) {
    CHECK_OK(dnt_scenario_generate(f, 2, 2, 4000, seed, 1, &s));
    sum += rate_of(&s, &r);
    se_sum += r.se;
    dnt_scenario_set_free(&s);
  }
  CHECK_NEAR(sum / 40, truth, 4 * (se_sum / 40) / sqrt(40));
}

static void test_threads_and_plain_mixture(void) {
  dnt_scenario_family f[2];
  families(f, 0.3);
  dnt_scenario_set a, b;
  CHECK_OK(dnt_scenario_generate(f, 2, 2, 5000, 7, 1, &a));
  CHECK_OK(dnt_scenario_generate(f, 2, 2, 5000, 7, 3, &b));
  CHECK(memcmp(a.family, b.family, a.n * sizeof *a.family) == 0);
  CHECK(memcmp(a.params, b.params, a.n * 2 * sizeof *a.params) == 0);
  CHECK(memcmp(a.importance, b.importance, a.n * sizeof *a.importance) == 0);
  dnt_scenario_set_free(&a);
  dnt_scenario_set_free(&b);
  families(f, -1); /* natural mixture */
  CHECK_OK(dnt_scenario_generate(f, 2, 2, 3000, 7, 2, &a));
  int ones = 1;
  for (size_t i = 0; i < a.n; i++)
    ones &= fabs(a.importance[i] - 1) < 1e-12;
  CHECK(ones);
  dnt_rate r;
  rate_of(&a, &r);
  CHECK_NEAR(r.rate, r.naive, 1e-12);
  CHECK_NEAR(r.ess, 3000, 1e-6);
  dnt_scenario_set_free(&a);
}

static void test_refusals(void) {
  dnt_scenario_family f[2];
  families(f, 0); /* the rare family is never proposed: cannot be unbiased */
  dnt_scenario_set s;
  CHECK(dnt_scenario_generate(f, 2, 2, 100, 1, 1, &s) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "'rare'") != NULL);
  families(f, 0.5);
  f[1].generate = failing;
  CHECK(dnt_scenario_generate(f, 2, 2, 1000, 1, 2, &s) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "family 'rare'") != NULL);
  CHECK(s.family == NULL);
}

int main(void) {
  test_unbiased();
  test_threads_and_plain_mixture();
  test_refusals();
  return test_done("twin.scenario");
}
