/* test_rng: reproducibility, reference values and distribution moments.
 *
 * Known values: the xoshiro256** outputs below were computed once by a small
 * independent Python transcription of the reference C code (prng.di.unimi.it),
 * seeded the same way (four SplitMix64 outputs of the seed):
 *   M = 2**64 - 1
 *   def splitmix(x): x = (x + 0x9e3779b97f4a7c15) & M; z = x
 *       z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
 *       z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M; return x, z ^ (z >> 31)
 *   def nxt(s): r = (rotl((s[1] * 5) & M, 7) * 9) & M; t = (s[1] << 17) & M
 *       s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
 *       s[3] = rotl(s[3], 45); return r
 * plus the reference jump() with the published polynomial.
 *
 * Moment checks use 1e6 draws and tolerances of about five standard errors
 * (standard error of a variance estimate: sqrt((mu4 - sigma^4) / n)). The
 * generator is seeded, so the outcome is fixed; the tolerances only decide
 * how far a wrong distribution can hide. */
#include "dnt/rng.h"

#include <string.h>

#include "dnt/status.h"
#include "test.h"

enum { N = 1000000 };

static void check_known_values(void) {
  dnt_rng r;
  const uint64_t seed0[4] = {UINT64_C(0x99ec5f36cb75f2b4), UINT64_C(0xbf6e1f784956452a),
                             UINT64_C(0x1a5f849d4933e6e0), UINT64_C(0x6aa594f1262d2d2c)};
  const uint64_t seed42[4] = {UINT64_C(0x15780b2e0c2ec716), UINT64_C(0x6104d9866d113a7e),
                              UINT64_C(0xae17533239e499a1), UINT64_C(0xecb8ad4703b360a1)};
  dnt_rng_seed(&r, 0);
  for (int i = 0; i < 4; i++)
    CHECK(dnt_rng_u64(&r) == seed0[i]);
  dnt_rng_seed(&r, 42);
  for (int i = 0; i < 4; i++)
    CHECK(dnt_rng_u64(&r) == seed42[i]);
  dnt_rng_seed(&r, 42);
  dnt_rng_jump(&r);
  CHECK(dnt_rng_u64(&r) == UINT64_C(0x50086ef83cbf4f4a));
  CHECK(dnt_rng_u64(&r) == UINT64_C(0xba285ec21347d703));
}

static void check_streams(void) {
  dnt_rng a, b;
  dnt_rng_seed(&a, 7);
  dnt_rng_seed(&b, 7);
  int same = 1;
  for (int i = 0; i < 1000; i++)
    same &= dnt_rng_u64(&a) == dnt_rng_u64(&b);
  CHECK(same);

  dnt_rng_seed(&b, 8);
  dnt_rng_seed(&a, 7);
  int equal = 0;
  for (int i = 0; i < 1000; i++)
    equal += dnt_rng_u64(&a) == dnt_rng_u64(&b);
  CHECK(equal == 0);

  /* Streams: reproducible, distinct from each other, and uncorrelated. */
  dnt_rng s0, s1, s0again;
  dnt_rng_stream(&s0, 7, 0);
  dnt_rng_stream(&s1, 7, 1);
  dnt_rng_stream(&s0again, 7, 0);
  CHECK(memcmp(s0.s, s0again.s, sizeof s0.s) == 0);
  CHECK(memcmp(s0.s, s1.s, sizeof s0.s) != 0);
  double sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
  for (int i = 0; i < N; i++) {
    double x = dnt_rng_uniform(&s0), y = dnt_rng_uniform(&s1);
    sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y;
  }
  double cov = sxy / N - (sx / N) * (sy / N);
  double corr = cov / sqrt((sxx / N - sx * sx / N / N) * (syy / N - sy * sy / N / N));
  CHECK_NEAR(corr, 0.0, 5.0 / sqrt(N));
  /* Neighbouring seeds' stream 0 and stream ids of one seed do not collide. */
  dnt_rng t;
  dnt_rng_stream(&t, 8, 0);
  CHECK(memcmp(t.s, s0again.s, sizeof t.s) != 0);

  /* A jumped generator starts elsewhere. */
  dnt_rng_seed(&a, 7);
  dnt_rng_seed(&b, 7);
  dnt_rng_jump(&b);
  equal = 0;
  for (int i = 0; i < 1000; i++)
    equal += dnt_rng_u64(&a) == dnt_rng_u64(&b);
  CHECK(equal == 0);
}

typedef double (*draw_fn)(dnt_rng *r, double a, double b);

static double draw_uniform(dnt_rng *r, double a, double b) {
  return dnt_rng_uniform(r);
}
static double draw_normal(dnt_rng *r, double a, double b) {
  return dnt_rng_normal(r, a, b);
}
static double draw_exponential(dnt_rng *r, double a, double b) {
  return dnt_rng_exponential(r, a);
}
static double draw_gamma(dnt_rng *r, double a, double b) {
  return dnt_rng_gamma(r, a, b);
}

/* Checks mean and variance of N draws against the given values and tolerances. */
/* The stream table: every kind named, every (kind, index) id distinct from
 * every other kind's ids, and dnt_rng_for equal to the stream it names. */
static void check_stream_table(void) {
  const uint64_t idx[] = {0, 1, 2, 41999, (UINT64_C(1) << 56) - 1};
  const size_t n_idx = sizeof idx / sizeof idx[0];
  for (int k = 1; k < DNT_STREAM_KIND_END; k++) {
    CHECK(dnt_stream_kind_name((dnt_stream_kind)k) != NULL);
    for (int k2 = 1; k2 < k; k2++)
      CHECK(strcmp(dnt_stream_kind_name((dnt_stream_kind)k),
                   dnt_stream_kind_name((dnt_stream_kind)k2)));
    for (size_t i = 0; i < n_idx; i++)
      for (int k2 = 1; k2 < DNT_STREAM_KIND_END; k2++)
        for (size_t j = 0; j < n_idx; j++)
          if (k2 != k || i != j)
            CHECK(dnt_stream_id((dnt_stream_kind)k, idx[i]) !=
                  dnt_stream_id((dnt_stream_kind)k2, idx[j]));
  }
  CHECK(dnt_stream_kind_name((dnt_stream_kind)0) == NULL);
  CHECK(dnt_stream_kind_name(DNT_STREAM_KIND_END) == NULL);
  dnt_rng a, b;
  dnt_rng_for(&a, 7, DNT_STREAM_CLIENT, 3);
  dnt_rng_stream(&b, 7, ((uint64_t)DNT_STREAM_CLIENT << 56) | 3);
  CHECK(dnt_rng_u64(&a) == dnt_rng_u64(&b));
}

static void check_moments(const char *what, draw_fn draw, double a, double b, double mean,
                          double var, double tol_mean, double tol_var) {
  dnt_rng r;
  dnt_rng_seed(&r, 2024);
  double sum = 0, sum2 = 0, lo = INFINITY;
  for (int i = 0; i < N; i++) {
    double x = draw(&r, a, b);
    sum += x;
    sum2 += x * x;
    if (x < lo) lo = x;
  }
  double m = sum / N, v = sum2 / N - m * m;
  printf("%-12s mean %.5f (want %.5f)  var %.5f (want %.5f)\n", what, m, mean, v, var);
  CHECK_NEAR(m, mean, tol_mean);
  CHECK_NEAR(v, var, tol_var);
  if (draw != draw_normal) CHECK(lo >= 0.0);
}

static void check_distributions(void) {
  check_moments("uniform", draw_uniform, 0, 0, 0.5, 1.0 / 12, 1.5e-3, 4e-4);
  check_moments("normal", draw_normal, 2.0, 3.0, 2.0, 9.0, 0.015, 0.07);
  check_moments("exponential", draw_exponential, 2.0, 0, 0.5, 0.25, 2.5e-3, 4e-3);
  check_moments("gamma 2.5", draw_gamma, 2.5, 2.0, 5.0, 10.0, 0.016, 0.11);
  check_moments("gamma 0.5", draw_gamma, 0.5, 1.0, 0.5, 0.5, 3.5e-3, 0.01);

  dnt_rng r;
  dnt_rng_seed(&r, 1);
  double u_min = 1.0, u_max = 0.0;
  for (int i = 0; i < 100000; i++) {
    double u = dnt_rng_uniform(&r);
    u_min = u < u_min ? u : u_min;
    u_max = u > u_max ? u : u_max;
  }
  CHECK(u_min >= 0.0 && u_min < 1e-3 && u_max < 1.0 && u_max > 0.999);
}

/* Pearson chi-square of observed counts against expected probabilities. */
static double chi_square(const long *count, const double *p, size_t k, long n) {
  double chi = 0;
  for (size_t i = 0; i < k; i++) {
    double e = p[i] * (double)n;
    if (e > 0) chi += (count[i] - e) * (count[i] - e) / e;
  }
  return chi;
}

static void check_below_and_shuffle(void) {
  dnt_rng r;
  dnt_rng_seed(&r, 3);
  long count[7] = {0};
  double p[7];
  for (int i = 0; i < 7; i++)
    p[i] = 1.0 / 7;
  for (int i = 0; i < 700000; i++)
    count[dnt_rng_below(&r, 7)]++;
  /* df 6: P(chi2 > 22.46) = 0.001 */
  CHECK(chi_square(count, p, 7, 700000) < 22.46);
  CHECK(dnt_rng_below(&r, 1) == 0);
  uint64_t big = (UINT64_C(1) << 63) + 12345;
  int ok = 1, high = 0;
  for (int i = 0; i < 1000; i++) {
    uint64_t x = dnt_rng_below(&r, big);
    ok &= x < big;
    high += x >= (UINT64_C(1) << 62);
  }
  CHECK(ok);
  CHECK(high > 430 && high < 570); /* half of [0, 2^63) lies above 2^62 */

  /* Shuffle: a permutation, each value lands in each slot about equally. */
  enum { K = 5, T = 100000 };
  long where[K][K] = {{0}};
  for (int t = 0; t < T; t++) {
    int a[K] = {0, 1, 2, 3, 4};
    dnt_rng_shuffle_int(&r, a, K);
    int seen = 0;
    for (int i = 0; i < K; i++) {
      seen |= 1 << a[i];
      where[a[i]][i]++;
    }
    if (seen != (1 << K) - 1) ok = 0;
  }
  CHECK(ok);
  double chi = 0, e = (double)T / K;
  for (int v = 0; v < K; v++)
    for (int i = 0; i < K; i++)
      chi += (where[v][i] - e) * (where[v][i] - e) / e;
  CHECK(chi < 39.25); /* df 16, p = 0.001 */
}

static void check_alias(void) {
  const double w[6] = {1, 2, 3, 0, 4, 0.5};
  double p[6], total = 10.5;
  for (int i = 0; i < 6; i++)
    p[i] = w[i] / total;
  dnt_alias t;
  CHECK_OK(dnt_alias_init(&t, w, 6));
  dnt_rng r;
  dnt_rng_seed(&r, 11);
  long count[6] = {0};
  for (int i = 0; i < N; i++)
    count[dnt_alias_sample(&t, &r)]++;
  CHECK(count[3] == 0);
  double chi = chi_square(count, p, 6, N);
  printf("alias chi2 %.2f (df 4)\n", chi);
  CHECK(chi < 18.47); /* df 4, p = 0.001 */
  dnt_alias_free(&t);

  const double single = 2.0;
  CHECK_OK(dnt_alias_init(&t, &single, 1));
  CHECK(dnt_alias_sample(&t, &r) == 0);
  dnt_alias_free(&t);

  const double bad1[3] = {1, -1, 2}, bad2[2] = {0, 0}, bad3[2] = {1, NAN};
  CHECK(dnt_alias_init(&t, bad1, 3) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "weight[1]") != NULL);
  CHECK(dnt_alias_init(&t, bad2, 2) == DNT_ERR_ARG);
  CHECK(dnt_alias_init(&t, bad3, 2) == DNT_ERR_ARG);
  CHECK(dnt_alias_init(&t, bad3, 0) == DNT_ERR_ARG);
}

static void check_zipf(void) {
  enum { K = 1000 };
  dnt_zipf z;
  CHECK_OK(dnt_zipf_init(&z, K, 0.8));
  double sum = 0, h = 0;
  static double p[K];
  for (size_t k = 0; k < K; k++) {
    p[k] = dnt_zipf_pmf(&z, k);
    sum += p[k];
    h += pow((double)(k + 1), -0.8);
  }
  CHECK_NEAR(sum, 1.0, 1e-12);
  CHECK_NEAR(z.harmonic, h, 1e-9);
  CHECK_NEAR(dnt_zipf_pmf(&z, 0) / dnt_zipf_pmf(&z, 1), pow(2.0, 0.8), 1e-12);
  CHECK(dnt_zipf_pmf(&z, K) == 0.0);
  static long count[K];
  dnt_rng r;
  dnt_rng_seed(&r, 5);
  for (int i = 0; i < N; i++)
    count[dnt_zipf_sample(&z, &r)]++;
  double chi = chi_square(count, p, K, N);
  printf("zipf chi2 %.1f (df 999, mean 999, sd 44.7)\n", chi);
  CHECK(chi < 1153); /* df 999, p = 0.0005 */
  CHECK(count[0] > count[1] && count[1] > count[9] && count[9] > count[99]);
  dnt_zipf_free(&z);
  CHECK(dnt_zipf_init(&z, 0, 0.8) == DNT_ERR_ARG);
  CHECK(dnt_zipf_init(&z, 10, NAN) == DNT_ERR_ARG);
}

int main(void) {
  check_known_values();
  check_streams();
  check_stream_table();
  check_distributions();
  check_below_and_shuffle();
  check_alias();
  check_zipf();
  return test_done("rng");
}
