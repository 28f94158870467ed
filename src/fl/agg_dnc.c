/* src/fl/agg_dnc.c: Divide-and-Conquer (Shejwalkar and Houmansadr, NDSS 2021,
 * Algorithm 2) and the bucketing pre-aggregator (Karimireddy et al. 2022),
 * the two rules that draw random numbers.
 *
 * DnC needs the top right singular vector v of the centred sample C (n, b).
 * With K = C C^T (n, n, one ssyrk) and its top eigenpair (lambda, u), C v =
 * sqrt(lambda) u, so the outlier score ((x_i - mu) . v)^2 is lambda u_i^2: an
 * n x n symmetric eigenproblem (LAPACKE dsyevr over OpenBLAS's LAPACK) instead of a
 * b-dimensional SVD. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agg_internal.h"
#include "dnt/status.h"

static int cmp_int(const void *x, const void *y) {
  int a = *(const int *)x, b = *(const int *)y;
  return (a > b) - (a < b);
}

/* Top eigenpair of the symmetric n x n matrix K (overwritten): *lambda and
 * u (n). dsyevr may write up to n eigenvalues and 2n support indices even
 * when asked for one (the full-spectrum path it takes for n = 1 or a
 * degenerate K), so both arrays have n and 2n entries from the workspace. */
static int top_eig(dnt_agg *a, double *K, int n, double *lambda, double *u) {
  lapack_int m = 0;
  /* the _work variant with caller workspace: nothing allocates per round */
  lapack_int info =
      LAPACKE_dsyevr_work(LAPACK_COL_MAJOR, 'V', 'I', 'U', n, K, n, 0.0, 0.0, n, n, 0.0, &m,
                          a->eigval, u, n, a->isuppz, a->eigwork, 26 * n, a->eigiwork, 10 * n);
  if (info != 0 || m != 1)
    return dnt_error(DNT_ERR_EXTERNAL, "aggregation rule 'dnc': LAPACK dsyevr failed (info %d)",
                     (int)info);
  *lambda = a->eigval[0];
  return 0;
}

int agg_dnc(dnt_agg *a, const float *X, const double *w, int n, float *out, float *kept,
            dnt_rng *rng) {
  size_t d = a->d;
  int b = a->p.dnc_subdim < (int)d ? a->p.dnc_subdim : (int)d;
  int drop = (int)(a->p.dnc_c * a->p.f);
  double *K = a->D, *u = a->dtmp; /* scratch sized at create */
  int rc;
  int *good = a->idx2;
  for (int i = 0; i < n; i++)
    good[i] = 1;
  for (int it = 0; it < a->p.dnc_iters; it++) {
    for (size_t j = 0; j < d; j++)
      a->coords[j] = (int)j;
    for (int k = 0; k < b; k++) { /* partial Fisher-Yates: b distinct coordinates */
      size_t r = (size_t)k + (size_t)dnt_rng_below(rng, d - (size_t)k);
      int t = a->coords[k];
      a->coords[k] = a->coords[r];
      a->coords[r] = t;
    }
    qsort(a->coords, (size_t)b, sizeof *a->coords, cmp_int);
    float *S = a->sub; /* (n, b) */
    for (int i = 0; i < n; i++)
      for (int k = 0; k < b; k++)
        S[(size_t)i * (size_t)b + (size_t)k] = X[(size_t)i * d + (size_t)a->coords[k]];
    for (int k = 0; k < b; k++) {
      double mu = 0;
      for (int i = 0; i < n; i++)
        mu += S[(size_t)i * (size_t)b + (size_t)k];
      mu /= n;
      for (int i = 0; i < n; i++)
        S[(size_t)i * (size_t)b + (size_t)k] -= (float)mu;
    }
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, b, 1.0f, S, b, 0.0f, a->gram, n);
    /* row-major upper = column-major lower; fill both halves for LAPACK */
    for (int i = 0; i < n; i++)
      for (int j = i; j < n; j++)
        K[(size_t)i * (size_t)n + (size_t)j] = K[(size_t)j * (size_t)n + (size_t)i] =
            a->gram[(size_t)i * (size_t)n + (size_t)j];
    double lambda = 0;
    if ((rc = top_eig(a, K, n, &lambda, u))) return rc;
    /* a NaN score (an overflowed sample) ranks as the most suspicious */
    for (int i = 0; i < n; i++) {
      double s = lambda * u[i] * u[i];
      a->score[i] = isnan(s) ? INFINITY : s;
    }
    /* drop the `drop` highest scores (ties: the higher index first); a
     * dropped score becomes -inf, so each pass picks a row not yet taken */
    for (int c = 0; c < drop; c++) {
      int best = -1;
      for (int i = 0; i < n; i++)
        if (a->score[i] > -INFINITY && (best < 0 || a->score[i] >= a->score[best])) best = i;
      if (best < 0) break; /* every row already dropped (drop >= n) */
      good[best] = 0;
      a->score[best] = -INFINITY;
    }
  }
  double sum = 0;
  for (int i = 0; i < n; i++)
    sum += good[i] ? (w ? w[i] : 1.0) : 0;
  if (sum <= 0)
    return dnt_error(DNT_ERR_NUMERIC,
                     "aggregation rule 'dnc': every update was filtered out "
                     "(n = %d, f = %d, c = %g, %d iterations)",
                     n, a->p.f, a->p.dnc_c, a->p.dnc_iters);
  for (int i = 0; i < n; i++)
    a->wf[i] = good[i] ? (float)((w ? w[i] : 1.0) / sum) : 0.0f;
  agg_combine(X, n, d, a->wf, out);
  if (kept)
    for (int i = 0; i < n; i++)
      kept[i] = (float)good[i];
  return 0;
}

int agg_bucketing(dnt_agg *a, const float *X, const double *w, int n, dnt_rng *rng) {
  size_t d = a->d;
  int s = a->p.bucket_size, m = (n + s - 1) / s;
  for (int i = 0; i < n; i++)
    a->idx[i] = i;
  dnt_rng_shuffle_int(rng, a->idx, (size_t)n);
  for (int bkt = 0; bkt < m; bkt++) {
    int lo = bkt * s, hi = lo + s < n ? lo + s : n;
    double ws = 0;
    for (int k = lo; k < hi; k++)
      ws += w ? w[a->idx[k]] : 1.0;
    float *row = a->pre + (size_t)bkt * d;
    memset(row, 0, d * sizeof *row);
    for (int k = lo; k < hi; k++) {
      int i = a->idx[k];
      cblas_saxpy((int)d, (float)((w ? w[i] : 1.0) / ws), X + (size_t)i * d, 1, row, 1);
      a->bucket_of[i] = bkt;
    }
    a->prew[bkt] = ws;
  }
  return m;
}
