/* tests/fl/test_attack.c: each attack's defining property: LIE within
 * mu +- z sigma, IPM = -eps mu, Min-Max/Min-Sum satisfy their bound and are
 * maximal to 1e-4, Fang's Krum attack is what Krum then selects, the trim
 * attack's values lie in the stated intervals, FTI's norm, the normal
 * quantile against published values. */
#include <string.h>

#include "dnt/aggregate.h"
#include "dnt/attack.h"
#include "dnt/status.h"
#include "test.h"

enum { N = 12, C = 3, D = 40 };

/* Honest rows N(0.2 + 0.2 j/D, 1): a small mean change under noise, as SGD
 * updates are; rows 0..C-1 malicious. */
static void make(float *X, unsigned char *mal, uint64_t seed) {
  dnt_rng r;
  dnt_rng_seed(&r, seed);
  for (int i = 0; i < N; i++) {
    mal[i] = i < C;
    for (int j = 0; j < D; j++)
      X[i * D + j] = (float)dnt_rng_normal(&r, 0.2 + 0.2 * j / D, 1);
  }
}

/* Mean and population sd per coordinate of the rows with mal == want. */
static void stats(const float *X, const unsigned char *mal, int want, double *mu, double *sd) {
  for (int j = 0; j < D; j++) {
    double s = 0, s2 = 0;
    int k = 0;
    for (int i = 0; i < N; i++)
      if (mal[i] == want) s += X[i * D + j], k++;
    mu[j] = s / k;
    for (int i = 0; i < N; i++)
      if (mal[i] == want) s2 += (X[i * D + j] - mu[j]) * (X[i * D + j] - mu[j]);
    sd[j] = sqrt(s2 / k);
  }
}

static int apply(dnt_attack_params p, float *X, const unsigned char *mal) {
  dnt_rng r;
  dnt_rng_seed(&r, 99);
  return dnt_attack_apply(&p, X, N, D, mal, 0, &r);
}

static void test_lie_ipm_simple(void) {
  float X[N * D], X0[N * D];
  unsigned char mal[N];
  double mu[D], sd[D];
  make(X, mal, 1);
  memcpy(X0, X, sizeof X);
  stats(X, mal, 0, mu, sd);
  CHECK_OK(apply(dnt_attack_defaults(DNT_ATTACK_LIE), X, mal));
  /* s = floor(12/2 + 1) - 3 = 4, z = Phi^-1(8/12) (mpmath, 17 digits) */
  double z = 0.43072729929545739;
  for (int i = 0; i < C; i++)
    for (int j = 0; j < D; j++) {
      CHECK(fabs(X[i * D + j] - mu[j]) <= fabs(z) * sd[j] + 1e-5);
      CHECK_NEAR(X[i * D + j], mu[j] + z * sd[j], 1e-5);
    }
  CHECK(memcmp(X + C * D, X0 + C * D, sizeof(float) * (N - C) * D) == 0); /* benign untouched */

  memcpy(X, X0, sizeof X);
  dnt_attack_params p = dnt_attack_defaults(DNT_ATTACK_IPM);
  p.ipm_eps = 100;
  CHECK_OK(apply(p, X, mal));
  CHECK_NEAR(X[5], -100 * mu[5], 1e-3);

  memcpy(X, X0, sizeof X);
  CHECK_OK(apply(dnt_attack_defaults(DNT_ATTACK_SIGNFLIP), X, mal));
  CHECK(X[7] == -X0[7]);
  memcpy(X, X0, sizeof X);
  CHECK_OK(apply(dnt_attack_defaults(DNT_ATTACK_SCALING), X, mal));
  CHECK_NEAR(X[D + 3], N * X0[D + 3], 1e-5);

  /* partial knowledge: statistics of the attackers' own honest rows */
  memcpy(X, X0, sizeof X);
  stats(X, mal, 1, mu, sd);
  p = dnt_attack_defaults(DNT_ATTACK_LIE);
  p.knowledge = DNT_KNOW_PARTIAL;
  CHECK_OK(apply(p, X, mal));
  CHECK_NEAR(X[2 * D + 9], mu[9] + z * sd[9], 1e-5);

  /* FTI without a target: eta (-mu) with ||.|| = the largest benign norm */
  memcpy(X, X0, sizeof X);
  CHECK_OK(apply(dnt_attack_defaults(DNT_ATTACK_FTI), X, mal));
  stats(X0, mal, 0, mu, sd);
  double big = 0, nm = 0, dot = 0, mn = 0;
  for (int i = C; i < N; i++) {
    double s = 0;
    for (int j = 0; j < D; j++)
      s += X0[i * D + j] * X0[i * D + j];
    big = s > big ? s : big;
  }
  for (int j = 0; j < D; j++)
    nm += X[j] * X[j], dot += X[j] * -mu[j], mn += mu[j] * mu[j];
  CHECK_NEAR(sqrt(nm), sqrt(big), 1e-3);
  CHECK_NEAR(dot / sqrt(nm * mn), 1, 1e-6);

  /* Gaussian: sd of the crafted values */
  static float G[N * 2000];
  unsigned char malg[N] = {1};
  dnt_rng r;
  dnt_rng_seed(&r, 4);
  memset(G, 0, sizeof G);
  p = dnt_attack_defaults(DNT_ATTACK_GAUSSIAN);
  CHECK_OK(dnt_attack_apply(&p, G, N, 2000, malg, 0, &r));
  double s2 = 0;
  for (int j = 0; j < 2000; j++)
    s2 += G[j] * G[j];
  CHECK_NEAR(sqrt(s2 / 2000), 10, 0.5);
}

/* max_i ||m - g_i||^2 (minsum = 0) or sum_i (1) over benign rows, and the
 * thresholds, recomputed naively in double. */
static void minmax_terms(const float *X0, const unsigned char *mal, const double *m, int minsum,
                         double *lhs, double *thr) {
  *lhs = 0, *thr = 0;
  for (int i = 0; i < N; i++) {
    if (mal[i]) continue;
    double s = 0, row = 0;
    for (int j = 0; j < D; j++)
      s += (m[j] - X0[i * D + j]) * (m[j] - X0[i * D + j]);
    *lhs = minsum ? *lhs + s : (s > *lhs ? s : *lhs);
    for (int k = 0; k < N; k++) {
      if (mal[k]) continue;
      double e = 0;
      for (int j = 0; j < D; j++)
        e += (X0[k * D + j] - X0[i * D + j]) * (X0[k * D + j] - X0[i * D + j]);
      row += e;
      if (!minsum && e > *thr) *thr = e;
    }
    if (minsum && row > *thr) *thr = row;
  }
}

static void test_minmax(void) {
  float X[N * D], X0[N * D];
  unsigned char mal[N];
  double mu[D], sd[D], m[D];
  make(X0, mal, 2);
  stats(X0, mal, 0, mu, sd);
  double mn = 0;
  for (int j = 0; j < D; j++)
    mn += mu[j] * mu[j];
  mn = sqrt(mn);
  for (int minsum = 0; minsum < 2; minsum++)
    for (int dir = 0; dir < 3; dir++) {
      memcpy(X, X0, sizeof X);
      dnt_attack_params p = dnt_attack_defaults(minsum ? DNT_ATTACK_MINSUM : DNT_ATTACK_MINMAX);
      p.dir = (dnt_attack_dir)dir;
      CHECK_OK(apply(p, X, mal));
      double g = dnt_attack_last_gamma(), pv[D];
      CHECK(g > 0 && g < 19);
      for (int j = 0; j < D; j++)
        pv[j] = dir == 0 ? mu[j] / mn : dir == 1 ? (mu[j] > 0) - (mu[j] < 0) : sd[j];
      for (int j = 0; j < D; j++)
        CHECK_NEAR(X[j], mu[j] - g * pv[j], 1e-4);
      double lhs, thr;
      for (int j = 0; j < D; j++)
        m[j] = mu[j] - g * pv[j];
      minmax_terms(X0, mal, m, minsum, &lhs, &thr);
      CHECK_MSG(lhs <= thr * (1 + 1e-6), "minsum %d dir %d: %g > %g", minsum, dir, lhs, thr);
      for (int j = 0; j < D; j++)
        m[j] = mu[j] - (g + 1e-4) * pv[j];
      minmax_terms(X0, mal, m, minsum, &lhs, &thr);
      CHECK_MSG(lhs > thr, "minsum %d dir %d: gamma %g + 1e-4 still within", minsum, dir, g);
    }
}

static void test_fang(void) {
  float X[N * D], X0[N * D], out[D], kept[N];
  unsigned char mal[N];
  double mu[D], sd[D];
  make(X0, mal, 3);
  memcpy(X, X0, sizeof X);
  CHECK_OK(apply(dnt_attack_defaults(DNT_ATTACK_FANG_KRUM), X, mal));
  dnt_agg_params kp = dnt_agg_defaults(DNT_AGG_KRUM);
  kp.f = C;
  dnt_agg *a;
  CHECK_OK(dnt_agg_create(&kp, N, D, &a));
  CHECK_OK(dnt_agg_run(a, X, NULL, N, out, kept, NULL));
  int picked = -1;
  for (int i = 0; i < N; i++)
    if (kept[i] == 1) picked = i;
  CHECK_MSG(picked >= 0 && picked < C, "Krum picked row %d after the Fang-Krum attack", picked);
  CHECK(dnt_attack_last_lambda() >= 1e-5);
  /* the crafted rows: -lambda s, the others within eps of the first */
  stats(X0, mal, 0, mu, sd);
  double lam = dnt_attack_last_lambda(), e = 0;
  for (int j = 0; j < D; j++)
    CHECK_NEAR(X[j], -lam * ((mu[j] > 0) - (mu[j] < 0)), 1e-5);
  for (int j = 0; j < D; j++)
    e += (X[D + j] - X[j]) * (X[D + j] - X[j]);
  CHECK_NEAR(sqrt(e), 1e-3, 1e-5);
  dnt_agg_destroy(a);

  /* trim attack, full knowledge: the intervals of Fang et al. with b = 2 */
  memcpy(X, X0, sizeof X);
  CHECK_OK(apply(dnt_attack_defaults(DNT_ATTACK_FANG_TRIM), X, mal));
  int ok = 1;
  for (int j = 0; j < D; j++) {
    double lo = 1e30, hi = -1e30;
    for (int i = C; i < N; i++) {
      lo = X0[i * D + j] < lo ? X0[i * D + j] : lo;
      hi = X0[i * D + j] > hi ? X0[i * D + j] : hi;
    }
    for (int i = 0; i < C; i++) {
      double v = X[i * D + j];
      if (mu[j] < 0)
        ok &= hi > 0 ? (v >= hi && v <= 2 * hi) : (v >= hi && v <= hi / 2);
      else
        ok &= lo > 0 ? (v >= lo / 2 && v <= lo) : (v >= 2 * lo && v <= lo);
    }
  }
  CHECK(ok);
  /* partial: [mu + 3 sd, mu + 4 sd] or [mu - 4 sd, mu - 3 sd] of the attackers' rows */
  memcpy(X, X0, sizeof X);
  dnt_attack_params p = dnt_attack_defaults(DNT_ATTACK_FANG_TRIM);
  p.knowledge = DNT_KNOW_PARTIAL;
  CHECK_OK(apply(p, X, mal));
  stats(X0, mal, 1, mu, sd);
  ok = 1;
  for (int j = 0; j < D; j++)
    for (int i = 0; i < C; i++) {
      double v = X[i * D + j], eps = 1e-5;
      if (mu[j] < 0)
        ok &= v >= mu[j] + 3 * sd[j] - eps && v <= mu[j] + 4 * sd[j] + eps;
      else
        ok &= v >= mu[j] - 4 * sd[j] - eps && v <= mu[j] - 3 * sd[j] + eps;
    }
  CHECK(ok);
}

static void test_errors(void) {
  float X[N * D];
  unsigned char mal[N];
  make(X, mal, 5);
  memset(mal, 1, sizeof mal); /* everyone malicious: no benign row to learn from */
  CHECK(apply(dnt_attack_defaults(DNT_ATTACK_LIE), X, mal) == DNT_ERR_ARG);
  dnt_attack_kind k;
  CHECK(dnt_attack_parse("trim_attack", &k) == 0 && k == DNT_ATTACK_FANG_TRIM);
  CHECK(dnt_attack_parse("nope", &k) == DNT_ERR_ARG);
  float r[3] = {1, -2, 0};
  dnt_poison_flip_rewards(r, 3);
  CHECK(r[0] == -1 && r[1] == 2);
}

int main(void) {
  test_lie_ipm_simple();
  test_minmax();
  test_fang();
  test_errors();
  return test_done("fl.attack");
}
