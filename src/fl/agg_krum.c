/* src/fl/agg_krum.c: distance-based rules: Krum and Multi-Krum (Blanchard et
 * al. 2017), Bulyan's selection stage (El Mhamdi et al. 2018) and the NNM
 * pre-aggregator (Allouah et al. 2023).
 *
 * All of them need the n x n squared distances. Computing them pair by pair
 * reads the n rows n times; instead ssyrk forms the Gram matrix G = X X^T
 * (n^2 d / 2 multiply-adds, blocked by OpenBLAS) and
 * ||x_i - x_j||^2 = G_ii + G_jj - 2 G_ij. The price is cancellation: float G
 * carries ~1e-7 ||x||^2 of rounding. That is harmless while the rows lie
 * farther apart than a tenth of their norms (non-IID updates, outliers), but
 * updates sharing a large common part (IID clients: offset 100, spread 0.01
 * per coordinate) would be ranked by noise. Distances do not depend on the
 * origin, so in that case (detected from a 64-column sample) G is formed
 * again from the rows minus a central row, block by block (a cache-sized
 * copy, one ssyrk per block accumulating into G): the rounding then scales
 * with the spread of the majority. The centred pass costs about 1.6 times
 * the plain ssyrk, so it runs only when needed. */
#include <cblas.h>
#include <string.h>

#include "agg_internal.h"
#include "dnt/status.h"

size_t dnt_agg_dist_scratch(int n) {
  return (size_t)n * (size_t)n + (size_t)n * AGG_GRAM_BLOCK;
}

/* The origin of the centring: the row whose median squared distance to the
 * others, on a strided sample of at most 64 columns, is the smallest (ties:
 * lowest index); *spread gets that median scaled to d columns. The row lies
 * in the majority cluster, so the honest rows are centred near zero whatever
 * the outliers do (their mean would follow a far outlier). S (n, n) and
 * sample (n, 64) are scratch. O(n^2 min(d, 64)). */
static int central_row(const float *X, int n, size_t d, double *S, float *sample, double *spread) {
  size_t s = d < 64 ? d : 64;
  for (int i = 0; i < n; i++) /* gathered once: (n, s), contiguous */
    for (size_t k = 0; k < s; k++)
      sample[(size_t)i * s + k] = X[(size_t)i * d + k * d / s];
  for (int i = 0; i < n; i++) {
    S[(size_t)i * (size_t)n + (size_t)i] = 0;
    for (int j = i + 1; j < n; j++) {
      const float *a = sample + (size_t)i * s, *b = sample + (size_t)j * s;
      double v = 0;
      for (size_t k = 0; k < s; k++) {
        double e = (double)a[k] - b[k];
        v += e * e;
      }
      S[(size_t)i * (size_t)n + (size_t)j] = S[(size_t)j * (size_t)n + (size_t)i] = v;
    }
  }
  int best = 0;
  double best_v = 0;
  for (int i = 0; i < n; i++) {
    double m = agg_select_d(S + (size_t)i * (size_t)n, n, n / 2);
    if (i == 0 || m < best_v) best = i, best_v = m;
  }
  *spread = best_v * (double)d / (double)s;
  return best;
}

void agg_gram(const float *X, int n, size_t d, float *G, float *blk, double *S) {
  double spread;
  const float *xr = X + (size_t)central_row(X, n, d, S, blk, &spread) * d;
  cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, (int)d, 1.0f, X, (int)d, 0.0f, G, n);
  for (int i = 0; i < n; i++)
    S[i] = G[(size_t)i * (size_t)n + (size_t)i];
  if (spread >= AGG_CENTRE_BELOW * agg_select_d(S, n, n / 2)) return;
  for (size_t j0 = 0; j0 < d; j0 += AGG_GRAM_BLOCK) {
    int b = (int)(d - j0 < AGG_GRAM_BLOCK ? d - j0 : AGG_GRAM_BLOCK);
    for (int i = 0; i < n; i++) {
      const float *x = X + (size_t)i * d + j0;
      float *y = blk + (size_t)i * (size_t)b;
      for (int k = 0; k < b; k++)
        y[k] = x[k] - xr[j0 + (size_t)k];
    }
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, b, 1.0f, blk, b, j0 ? 1.0f : 0.0f, G,
                n);
  }
}

void dnt_agg_pairwise_dist2(const float *X, int n, size_t d, float *gram, double *D) {
  agg_gram(X, n, d, gram, gram + (size_t)n * (size_t)n, D);
  for (int i = 0; i < n; i++) {
    D[(size_t)i * (size_t)n + (size_t)i] = 0;
    for (int j = i + 1; j < n; j++) {
      double v = (double)gram[(size_t)i * (size_t)n + (size_t)i] +
                 gram[(size_t)j * (size_t)n + (size_t)j] -
                 2.0 * gram[(size_t)i * (size_t)n + (size_t)j];
      if (v < 0) v = 0;
      D[(size_t)i * (size_t)n + (size_t)j] = D[(size_t)j * (size_t)n + (size_t)i] = v;
    }
  }
}

/* Krum scores of the candidates cand[0..r) (NULL: rows 0..r) among
 * themselves: sum of the k smallest distances to the other candidates (k
 * clamped to [1, r - 1]). tmp is scratch of r doubles. */
static void scores_subset(const double *D, int n, const int *cand, int r, int k, double *score,
                          double *tmp) {
  if (k > r - 1) k = r - 1;
  if (k < 1) k = 1;
  for (int a = 0; a < r; a++) {
    int m = 0, ca = cand ? cand[a] : a;
    for (int b = 0; b < r; b++)
      if (b != a) tmp[m++] = D[(size_t)ca * (size_t)n + (size_t)(cand ? cand[b] : b)];
    double s = 0;
    if (m > 0) {
      agg_select_d(tmp, m, k - 1);
      for (int i = 0; i < k; i++)
        s += tmp[i];
    }
    score[a] = s;
  }
}

void dnt_agg_krum_scores(const double *D, int n, int f, double *score, double *tmp) {
  scores_subset(D, n, NULL, n, n - f - 2, score, tmp);
}

/* Indices of rows sorted by score (ties by index): insertion sort, n small. */
static void order_by_score(const double *score, int n, int *order) {
  for (int i = 0; i < n; i++) {
    int j = i - 1;
    while (j >= 0 && score[order[j]] > score[i])
      order[j + 1] = order[j], j--;
    order[j + 1] = i;
  }
}

int agg_krum(dnt_agg *a, const float *X, const double *w, int n, int multi, float *out,
             float *kept) {
  size_t d = a->d;
  dnt_agg_pairwise_dist2(X, n, d, a->gram, a->D);
  dnt_agg_krum_scores(a->D, n, a->p.f, a->score, a->dtmp);
  order_by_score(a->score, n, a->idx);
  int m = 1;
  if (multi) m = a->p.multikrum_m > 0 ? a->p.multikrum_m : n - a->p.f;
  if (m > n) m = n;
  double sum = 0;
  for (int i = 0; i < m; i++)
    sum += w ? w[a->idx[i]] : 1.0;
  for (int i = 0; i < n; i++)
    a->wf[i] = 0;
  for (int i = 0; i < m; i++)
    a->wf[a->idx[i]] = (float)((w ? w[a->idx[i]] : 1.0) / sum);
  if (m == 1)
    memcpy(out, X + (size_t)a->idx[0] * d, d * sizeof *out);
  else
    agg_combine(X, n, d, a->wf, out);
  if (kept)
    for (int i = 0; i < n; i++)
      kept[i] = a->wf[i] > 0 ? 1.0f : 0.0f;
  return 0;
}

int agg_bulyan(dnt_agg *a, const float *X, int n, float *out, float *kept) {
  int f = a->p.f, theta = n - 2 * f;
  dnt_agg_pairwise_dist2(X, n, a->d, a->gram, a->D);
  /* repeated Krum: move the winner among the remaining rows (idx2[0..r)) to
   * the selection (idx[0..chosen)) */
  int r = n;
  for (int i = 0; i < n; i++)
    a->idx2[i] = i;
  for (int c = 0; c < theta; c++) {
    scores_subset(a->D, n, a->idx2, r, r - f - 2, a->score, a->dtmp);
    int best = 0;
    for (int i = 1; i < r; i++)
      if (a->score[i] < a->score[best]) best = i;
    a->idx[c] = a->idx2[best];
    memmove(a->idx2 + best, a->idx2 + best + 1, (size_t)(r - best - 1) * sizeof *a->idx2);
    r--;
  }
  agg_bulyan_coord(a, X, n, theta, out, kept);
  return 0;
}

int agg_nnm(dnt_agg *a, const float *X, const double *w, int n) {
  int k = n - a->p.f;
  dnt_agg_pairwise_dist2(X, n, a->d, a->gram, a->D);
  memset(a->mix, 0, (size_t)n * (size_t)n * sizeof *a->mix);
  for (int i = 0; i < n; i++) {
    /* the k nearest rows of i (itself first: distance 0), ties by index */
    order_by_score(a->D + (size_t)i * (size_t)n, n, a->idx);
    a->mix[(size_t)i * (size_t)n + (size_t)i] = 1.0f / (float)k;
    for (int c = 0, taken = 1; c < n && taken < k; c++) {
      if (a->idx[c] == i) continue;
      a->mix[(size_t)i * (size_t)n + (size_t)a->idx[c]] = 1.0f / (float)k;
      taken++;
    }
    a->prew[i] = w ? w[i] : 1.0;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, (int)a->d, n, 1.0f, a->mix, n, X,
              (int)a->d, 0.0f, a->pre, (int)a->d);
  return n;
}
