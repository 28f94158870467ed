/* tests/fl/test_aggregate.c: every aggregation rule on small hand-computed
 * inputs, each rule's robustness property (and which rows its kept shares
 * flag), the n >= g(f) errors, the Gram-matrix distances against a naive
 * double loop, and Krum and the geometric median on updates sharing a large
 * common part against double-precision references. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/aggregate.h"
#include "dnt/status.h"
#include "test.h"

/* Runs a rule with params p on X (n, d); returns the status. */
static int run(const dnt_agg_params *p, const float *X, const double *w, int n, size_t d,
               float *out, float *kept) {
  dnt_agg *a;
  int rc = dnt_agg_create(p, n, d, &a);
  if (rc) return rc;
  dnt_rng rng;
  dnt_rng_seed(&rng, 7);
  rc = dnt_agg_run(a, X, w, n, out, kept, &rng);
  dnt_agg_destroy(a);
  return rc;
}

static dnt_agg_params rule(dnt_agg_rule r, int f) {
  dnt_agg_params p = dnt_agg_defaults(r);
  p.f = f;
  return p;
}

/* Five points of the plane: the unit square's corners and an outlier. */
static const float SQ[10] = {0, 0, 1, 0, 0, 1, 1, 1, 10, 10};

static void test_hand_computed(void) {
  float out[2], kept[5];
  double w[5] = {2, 1, 1, 1, 5};
  dnt_agg_params p = rule(DNT_AGG_MEAN, 0);
  CHECK_OK(run(&p, SQ, w, 5, 2, out, kept));
  CHECK_NEAR(out[0], 5.2, 1e-6); /* (0*2 + 1 + 0 + 1 + 50) / 10 */
  CHECK_NEAR(out[1], 5.2, 1e-6);

  p = rule(DNT_AGG_MEDIAN, 1); /* x: 0 0 1 1 10 -> 1 */
  CHECK_OK(run(&p, SQ, NULL, 5, 2, out, kept));
  CHECK_NEAR(out[0], 1, 0);
  CHECK_NEAR(out[1], 1, 0);

  p = rule(DNT_AGG_TRMEAN, 1); /* drop 0 and 10: (0 + 1 + 1) / 3 */
  CHECK_OK(run(&p, SQ, NULL, 5, 2, out, kept));
  CHECK_NEAR(out[0], 2.0 / 3, 1e-6);
  CHECK_NEAR(kept[4], 0, 0); /* the outlier never survives the trim */

  /* Krum, f = 1: the 2 nearest of each corner sum to 2, the outlier's to 343;
   * ties go to the lowest index -> row 0 */
  p = rule(DNT_AGG_KRUM, 1);
  CHECK_OK(run(&p, SQ, NULL, 5, 2, out, kept));
  CHECK(out[0] == 0 && out[1] == 0);
  CHECK(kept[0] == 1 && kept[1] == 0 && kept[4] == 0);

  p = rule(DNT_AGG_MULTIKRUM, 1); /* m = n - f = 4 corners -> (0.5, 0.5) */
  CHECK_OK(run(&p, SQ, NULL, 5, 2, out, kept));
  CHECK_NEAR(out[0], 0.5, 1e-6);
  CHECK_NEAR(out[1], 0.5, 1e-6);
  CHECK(kept[4] == 0 && kept[3] == 1);

  /* Bulyan, f = 1, n = 7 points 0..5 and 100 on a line: repeated Krum picks
   * 2, 3, 1, 4, 0; the beta = 3 values closest to the median 2 are 2, 3, 1 */
  float line[7] = {0, 1, 2, 3, 4, 5, 100}, kept7[7];
  p = rule(DNT_AGG_BULYAN, 1);
  CHECK_OK(run(&p, line, NULL, 7, 1, out, kept7));
  CHECK_NEAR(out[0], 2, 1e-6);
  CHECK(kept7[6] == 0 && kept7[5] == 0 && kept7[0] == 0 && kept7[2] == 1);

  /* geometric median on a line is the median: 0 1 2 3 100 -> 2 */
  float line5[5] = {0, 1, 2, 3, 100};
  p = rule(DNT_AGG_GEOMED, 0);
  p.geomed_iters = 1000;
  p.geomed_tol = 1e-9;
  CHECK_OK(run(&p, line5, NULL, 5, 1, out, kept));
  CHECK_NEAR(out[0], 2, 1e-3);
  CHECK(kept[4] < 0.5);

  /* centered clipping from v0 = 0 with tau = 1: (10, 0) and (0, 10) are
   * clipped to unit length: v = (0.5, 0.5) after one iteration */
  float two[4] = {10, 0, 0, 10}, zero[2] = {0, 0};
  p = rule(DNT_AGG_CCLIP, 0);
  p.cclip_tau = 1;
  p.cclip_iters = 1;
  p.center = zero;
  CHECK_OK(run(&p, two, NULL, 2, 2, out, kept));
  CHECK_NEAR(out[0], 0.5, 1e-6);
  CHECK_NEAR(out[1], 0.5, 1e-6);
  CHECK_NEAR(kept[0], 0.1, 1e-6);

  /* FLTrust with g0 = (1, 0): TS = 1, 0, 0, 1/sqrt2; rescaled to ||g0|| = 1:
   * ((1, 0) + (1/sqrt2)(1/sqrt2, 1/sqrt2)) / (1 + 1/sqrt2) */
  float ft[8] = {2, 0, 0, 3, -1, 0, 1, 1}, g0[2] = {1, 0}, kept4[4];
  p = rule(DNT_AGG_FLTRUST, 0);
  p.root = g0;
  CHECK_OK(run(&p, ft, NULL, 4, 2, out, kept4));
  double s = 1 + 1 / sqrt(2.0);
  CHECK_NEAR(out[0], 1.5 / s, 1e-6);
  CHECK_NEAR(out[1], 0.5 / s, 1e-6);
  CHECK(kept4[1] == 0 && kept4[2] == 0);
  /* kept = TS_i relative to the mean trust (4 / (1 + 1/sqrt2)), capped at 1 */
  CHECK(kept4[0] == 1 && kept4[3] == 1);
  p.root = NULL;
  CHECK(run(&p, ft, NULL, 4, 2, out, kept4) == DNT_ERR_ARG);

  /* GLID band [P10, P90] of 0 1 2 3 100 = [0.4, 61.2]: mean of 1, 2, 3 */
  p = rule(DNT_AGG_GLID, 0);
  p.glid_lo = 10, p.glid_hi = 90;
  CHECK_OK(run(&p, line5, NULL, 5, 1, out, kept));
  CHECK_NEAR(out[0], 2, 1e-6);
  CHECK(kept[0] == 0 && kept[4] == 0 && kept[1] == 1);

  /* NNM, f = 1 (k = 2 nearest, itself included) then mean: rows 0, 1, 10
   * mix to 0.5, 0.5, 5.5 -> mean 6.5 / 3 */
  float nn3[3] = {0, 1, 10};
  p = rule(DNT_AGG_MEAN, 1);
  p.pre = DNT_AGG_PRE_NNM;
  CHECK_OK(run(&p, nn3, NULL, 3, 1, out, kept));
  CHECK_NEAR(out[0], 6.5 / 3, 1e-6);

  /* bucketing with one bucket of everything, then median of one row = mean */
  p = rule(DNT_AGG_MEDIAN, 0);
  p.pre = DNT_AGG_PRE_BUCKETING;
  p.bucket_size = 5;
  CHECK_OK(run(&p, line5, NULL, 5, 1, out, kept));
  CHECK_NEAR(out[0], 106.0 / 5, 1e-5);
}

static void test_dnc(void) {
  /* 7 honest rows near 0 and one outlier along (1, 1, 1, 1): removed */
  float X[8 * 4];
  dnt_rng r;
  dnt_rng_seed(&r, 3);
  double mean[4] = {0};
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 4; j++) {
      X[i * 4 + j] = i == 7 ? 20.0f : (float)dnt_rng_normal(&r, 0, 1);
      if (i < 7) mean[j] += X[i * 4 + j] / 7.0;
    }
  dnt_agg_params p = rule(DNT_AGG_DNC, 1);
  float out[4], kept[8];
  CHECK_OK(run(&p, X, NULL, 8, 4, out, kept));
  CHECK(kept[7] == 0);
  int flagged = 0;
  for (int i = 0; i < 7; i++)
    flagged += kept[i] == 0;
  if (flagged == 0)
    for (int j = 0; j < 4; j++)
      CHECK_NEAR(out[j], mean[j], 1e-5);
  CHECK(flagged <= 4); /* 5 iterations may each drop one honest row at most */
}

/* Identical updates aggregate to that update, for every rule and every
 * pre-aggregator, with f = 0 and f = 1 (regression: DnC crashed here, f = 0
 * with zero spread: dsyevr wrote n eigenvalues into one double, and the drop
 * loop indexed good[-1] when no score passed `>= 0`). */
static void test_identical(void) {
  enum { N = 16, D = 7 };
  static const float row[D] = {0.5f, -2, 3.25f, 0, 1e3f, -1e-3f, 7};
  float X[N * D], out[D], kept[N];
  for (int i = 0; i < N; i++)
    memcpy(X + i * D, row, sizeof row);
  for (int r = 0; r < DNT_AGG_N_RULES; r++)
    for (int pre = 0; pre < DNT_AGG_N_PRE; pre++)
      for (int f = 0; f <= 1; f++) {
        dnt_agg_params p = rule((dnt_agg_rule)r, f);
        p.pre = (dnt_agg_pre)pre;
        p.root = row;
        int rc = run(&p, X, NULL, N, D, out, kept);
        CHECK_MSG(rc == 0, "%s pre %s f %d: %s", dnt_agg_rule_name(p.rule), dnt_agg_pre_name(p.pre),
                  f, dnt_last_error());
        for (int j = 0; !rc && j < D; j++)
          CHECK_MSG(fabsf(out[j] - row[j]) <= 1e-6f * (1 + fabsf(row[j])), "%s pre %s f %d: %g",
                    dnt_agg_rule_name(p.rule), dnt_agg_pre_name(p.pre), f, (double)out[j]);
      }
  /* one row, f = 0: DnC's eigenproblem is 1 x 1 */
  dnt_agg_params p = rule(DNT_AGG_DNC, 0);
  CHECK_OK(run(&p, row, NULL, 1, D, out, kept));
  CHECK(out[2] == row[2] && kept[0] == 1);
}

/* DnC on rows so large that the float Gram matrix overflows (scores NaN or
 * inf): a clean status or a finite result, never a crash (regression: `best`
 * stayed -1 when no score passed `>= 0`). */
static void test_dnc_overflow(void) {
  enum { N = 8, D = 5 };
  float X[N * D], out[D], kept[N];
  for (int i = 0; i < N * D; i++)
    X[i] = (i % 3 ? 3e38f : -3e38f);
  dnt_agg_params p = rule(DNT_AGG_DNC, 2);
  int rc = run(&p, X, NULL, N, D, out, kept);
  CHECK(rc == 0 || rc == DNT_ERR_EXTERNAL || rc == DNT_ERR_NUMERIC);
}

/* GLID's default band follows f: with f = 2 of n = 10 it leaves out the 2
 * lowest and 2 highest values (the fixed [10, 90] band kept -40 and 70:
 * mean 6.375), and a band given explicitly still applies. */
static void test_glid_band(void) {
  const float X[10] = {5, -50, 1, 70, 2, 3, -40, 4, 80, 6};
  float out[1], kept[10];
  dnt_agg_params p = rule(DNT_AGG_GLID, 2);
  CHECK_OK(run(&p, X, NULL, 10, 1, out, kept));
  CHECK_NEAR(out[0], 3.5, 1e-6); /* mean of 1..6 */
  CHECK(kept[1] == 0 && kept[3] == 0 && kept[6] == 0 && kept[8] == 0 && kept[0] == 1);
  p = rule(DNT_AGG_GLID, 0); /* f = 0: the whole band, the mean */
  CHECK_OK(run(&p, X, NULL, 10, 1, out, kept));
  CHECK_NEAR(out[0], 8.1, 1e-5);
  p.glid_lo = 10, p.glid_hi = 90;
  CHECK_OK(run(&p, X, NULL, 10, 1, out, kept));
  CHECK_NEAR(out[0], 51.0 / 8, 1e-5);
}

static void test_min_n(void) {
  float out[2];
  dnt_agg_params p = rule(DNT_AGG_KRUM, 1);
  CHECK(run(&p, SQ, NULL, 4, 2, out, NULL) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "needs n >= 5") != NULL);
  p = rule(DNT_AGG_BULYAN, 1);
  CHECK(run(&p, SQ, NULL, 5, 2, out, NULL) == DNT_ERR_ARG);
  CHECK(strstr(dnt_last_error(), "needs n >= 7") != NULL);
  p = rule(DNT_AGG_TRMEAN, 2);
  CHECK(run(&p, SQ, NULL, 4, 2, out, NULL) == DNT_ERR_ARG);
  p = rule(DNT_AGG_MEDIAN, 2);
  CHECK_OK(run(&p, SQ, NULL, 5, 2, out, NULL));
  CHECK(dnt_agg_min_n(&(dnt_agg_params){
            .rule = DNT_AGG_KRUM, .f = 3, .pre = DNT_AGG_PRE_BUCKETING, .bucket_size = 2}) == 17);
  dnt_agg_rule rr;
  CHECK(dnt_agg_rule_parse("fedavg", &rr) == 0 && rr == DNT_AGG_MEAN);
  CHECK(dnt_agg_rule_parse("krum2", &rr) == DNT_ERR_ARG);
}

/* n = 20 rows, f = 4 of them outliers of size 1e6: each robust rule stays in
 * the honest range (or near the honest mean), while the mean does not. */
static void test_robustness(void) {
  enum { N = 20, F = 4, D = 64 };
  static float X[N * D];
  dnt_rng r;
  dnt_rng_seed(&r, 11);
  float lo[D], hi[D];
  double mu[D] = {0};
  for (int j = 0; j < D; j++)
    lo[j] = 1e30f, hi[j] = -1e30f;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < D; j++) {
      float v = i < F ? (float)(1e6 * (1 + i + j)) : (float)dnt_rng_normal(&r, 3, 1);
      X[i * D + j] = v;
      if (i >= F) {
        lo[j] = v < lo[j] ? v : lo[j];
        hi[j] = v > hi[j] ? v : hi[j];
        mu[j] += v / (N - F);
      }
    }
  dnt_agg_rule coord[] = {DNT_AGG_MEDIAN, DNT_AGG_TRMEAN, DNT_AGG_BULYAN};
  float out[D], kept[N];
  for (size_t k = 0; k < sizeof coord / sizeof *coord; k++) {
    dnt_agg_params p = rule(coord[k], F);
    if (coord[k] == DNT_AGG_BULYAN) p.f = 4; /* n = 20 >= 4f + 3 = 19 */
    CHECK_OK(run(&p, X, NULL, N, D, out, kept));
    int inside = 1;
    for (int j = 0; j < D; j++)
      inside &= out[j] >= lo[j] && out[j] <= hi[j];
    CHECK_MSG(inside, "rule %s left the honest range", dnt_agg_rule_name(coord[k]));
    /* kept is relative to the average row: the outliers are flagged (< 0.5),
     * the honest rows mostly not (Bulyan drops 2f rows, so f honest ones) */
    int flagged_out = 0, kept_honest = 0;
    for (int i = 0; i < N; i++) {
      if (i < F)
        flagged_out += kept[i] < 0.5f;
      else
        kept_honest += kept[i] >= 0.5f;
    }
    CHECK_MSG(flagged_out == F && kept_honest >= (coord[k] == DNT_AGG_BULYAN ? N - 2 * F : 14),
              "rule %s: %d of %d outliers flagged, %d of %d honest kept",
              dnt_agg_rule_name(coord[k]), flagged_out, F, kept_honest, N - F);
  }
  /* Krum, n > 2f + 2: never an outlier */
  dnt_agg_params p = rule(DNT_AGG_KRUM, F);
  CHECK_OK(run(&p, X, NULL, N, D, out, kept));
  for (int i = 0; i < F; i++)
    CHECK(kept[i] == 0);
  dnt_agg_rule whole[] = {DNT_AGG_MULTIKRUM, DNT_AGG_GEOMED, DNT_AGG_CCLIP, DNT_AGG_DNC,
                          DNT_AGG_GLID};
  for (size_t k = 0; k < sizeof whole / sizeof *whole; k++) {
    p = rule(whole[k], F);
    if (whole[k] == DNT_AGG_GLID) p.glid_lo = 25, p.glid_hi = 75;
    CHECK_OK(run(&p, X, NULL, N, D, out, kept));
    double e = 0;
    for (int j = 0; j < D; j++)
      e += (out[j] - mu[j]) * (out[j] - mu[j]);
    CHECK_MSG(sqrt(e) < 4.0, "rule %s: ||out - honest mean|| = %g", dnt_agg_rule_name(whole[k]),
              sqrt(e));
  }
  /* the mean is moved by the outliers (the property is not vacuous) */
  p = rule(DNT_AGG_MEAN, 0);
  CHECK_OK(run(&p, X, NULL, N, D, out, kept));
  CHECK(fabs(out[0] - mu[0]) > 1e5);
  /* same input, same output (bit for bit) */
  float out2[D];
  p = rule(DNT_AGG_DNC, F);
  CHECK_OK(run(&p, X, NULL, N, D, out, NULL));
  CHECK_OK(run(&p, X, NULL, N, D, out2, NULL));
  CHECK(memcmp(out, out2, sizeof out) == 0);
}

static void test_pairwise(void) {
  enum { N = 9, D = 300 };
  static float X[N * D];
  static double Dm[N * N];
  float *gram = malloc(dnt_agg_dist_scratch(N) * sizeof *gram);
  CHECK(gram != NULL);
  dnt_rng r;
  dnt_rng_seed(&r, 5);
  for (int i = 0; i < N * D; i++)
    X[i] = (float)dnt_rng_normal(&r, 1, 2);
  dnt_agg_pairwise_dist2(X, N, D, gram, Dm);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      double s = 0;
      for (int k = 0; k < D; k++)
        s += ((double)X[i * D + k] - X[j * D + k]) * ((double)X[i * D + k] - X[j * D + k]);
      CHECK_NEAR(Dm[i * N + j], s, 1e-4 * (1 + s));
    }
  free(gram);
}

/* Updates that share a large common part (IID clients: offset 100 per
 * coordinate, spread 0.01, so ||x||^2 = 1e8 against squared distances ~2):
 * the distance-based rules must see the spread, not the rounding of
 * ||x||^2 (float Gram entries carry ~1e-7 ||x||^2 = 10 of error). Krum and
 * the geometric median against a double-precision reference. */
static void test_common_offset(void) {
  enum { N = 11, D = 10000, F = 2 };
  static float X[N * D], out[D];
  static double Dm[N * N], z[D], zn[D];
  float kept[N];
  dnt_rng r;
  dnt_rng_seed(&r, 1);
  for (int i = 0; i < N * D; i++)
    X[i] = (float)(100 + 0.01 * dnt_rng_normal(&r, 0, 1));
  /* exact squared distances and Krum scores in double */
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      double s = 0;
      for (int k = 0; k < D; k++)
        s += ((double)X[i * D + k] - X[j * D + k]) * ((double)X[i * D + k] - X[j * D + k]);
      Dm[i * N + j] = s;
    }
  double score[N], tmp[N];
  dnt_agg_krum_scores(Dm, N, F, score, tmp);
  int best = 0;
  for (int i = 1; i < N; i++)
    if (score[i] < score[best]) best = i;
  dnt_agg_params p = rule(DNT_AGG_KRUM, F);
  CHECK_OK(run(&p, X, NULL, N, D, out, kept));
  CHECK_MSG(kept[best] == 1, "Krum picked another row than the exact scores' %d", best);
  /* Weiszfeld in double from the mean, 300 iterations */
  for (int k = 0; k < D; k++)
    z[k] = 0;
  for (int i = 0; i < N; i++)
    for (int k = 0; k < D; k++)
      z[k] += X[i * D + k] / (double)N;
  for (int it = 0; it < 300; it++) {
    double bs = 0;
    for (int k = 0; k < D; k++)
      zn[k] = 0;
    for (int i = 0; i < N; i++) {
      double s = 0;
      for (int k = 0; k < D; k++)
        s += (X[i * D + k] - z[k]) * (X[i * D + k] - z[k]);
      double b = 1 / sqrt(s);
      bs += b;
      for (int k = 0; k < D; k++)
        zn[k] += b * X[i * D + k];
    }
    for (int k = 0; k < D; k++)
      z[k] = zn[k] / bs;
  }
  p = rule(DNT_AGG_GEOMED, 0);
  p.geomed_iters = 300;
  p.geomed_tol = 0;
  CHECK_OK(run(&p, X, NULL, N, D, out, kept));
  double e = 0;
  for (int k = 0; k < D; k++)
    e += (out[k] - z[k]) * (out[k] - z[k]);
  /* the rows lie ~1 apart; float storage of ~100 alone costs ~4e-4 */
  CHECK_MSG(sqrt(e) < 5e-3, "geometric median off by %g (rows ~1 apart)", sqrt(e));
}

int main(void) {
  test_hand_computed();
  test_common_offset();
  test_dnc();
  test_identical();
  test_glid_band();
  test_dnc_overflow();
  test_min_n();
  test_robustness();
  test_pairwise();
  return test_done("fl.aggregate");
}
