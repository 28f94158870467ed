/* src/fl/agg_robust.c: rules that reweight whole rows: geometric median
 * (Weiszfeld), centered clipping and FLTrust.
 *
 * Each needs the distance (or angle) of every row to one vector z. Centered
 * clipping takes ||x_i - z|| from the differences themselves (one pass;
 * ||x_i||^2 - 2 x_i.z + ||z||^2 would lose the distances to rounding when the
 * rows share a large common part) and the new z from one sgemv, X^T c: two
 * passes over X per iteration. The geometric median goes further and
 * iterates in the span of the rows, through the Gram matrix of the centred
 * rows (see agg_geomed). FLTrust needs angles only: one sgemv, X g0. */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "agg_internal.h"
#include "dnt/status.h"

static void row_norms2(const float *X, int n, size_t d, float *out) {
  for (int i = 0; i < n; i++) {
    const float *x = X + (size_t)i * d;
    out[i] = (float)cblas_dsdot((int)d, x, 1, x, 1);
  }
}

/* dist[i] = ||x_i - z|| for all rows, from the differences. O(nd). */
static void dists_to(const float *X, int n, size_t d, const float *z, double *dist) {
  for (int i = 0; i < n; i++) {
    const float *x = X + (size_t)i * d;
    double s = 0;
    for (size_t j = 0; j < d; j++) {
      float e = x[j] - z[j];
      s += (double)(e * e);
    }
    dist[i] = sqrt(s);
  }
}

static double wsum(const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++)
    s += w ? w[i] : 1.0;
  return s;
}

/* Gc = G c and c.G.c for the symmetric n x n matrix G (row-major, full). */
static double gram_apply(const double *G, int n, const double *c, double *Gc) {
  double cgc = 0;
  for (int i = 0; i < n; i++) {
    double s = 0;
    for (int j = 0; j < n; j++)
      s += G[(size_t)i * (size_t)n + (size_t)j] * c[j];
    Gc[i] = s;
    cgc += c[i] * s;
  }
  return cgc;
}

/* Weiszfeld in the span of the rows: every iterate is z = X^T c with
 * sum_i c_i = 1 (the start, the weighted mean, is, and each step keeps the
 * sum), so z - o = Xc^T c for the rows Xc = x_i - o about the origin o of
 * agg_gram (0, or a central row), and with G = Xc Xc^T
 *   ||x_i - z||^2 = G_ii - 2 (G c)_i + c.G.c   and   ||z' - z||^2 = e.G.e;
 * the iterations cost O(n^2) each instead of two passes over X, and one
 * sgemv forms z = X^T c at the end. */
int agg_geomed(dnt_agg *a, const float *X, const double *w, int n, float *out, float *kept) {
  size_t d = a->d;
  double W = wsum(w, n), nu = a->p.geomed_nu;
  double *G = a->D, *c = a->score, *Gc = a->dtmp, *b = a->dtmp2;
  agg_gram(X, n, d, a->gram, a->gram + (size_t)n * (size_t)n, G);
  for (int i = 0; i < n; i++) {
    for (int j = i; j < n; j++)
      G[(size_t)i * (size_t)n + (size_t)j] = G[(size_t)j * (size_t)n + (size_t)i] =
          a->gram[(size_t)i * (size_t)n + (size_t)j];
    b[i] = G[(size_t)i * (size_t)n + (size_t)i];
  }
  /* the scale of the stopping rule: the median squared distance of the rows
   * to the origin (a mean would follow a far outlier and stop at once) */
  double spread = agg_select_d(b, n, n / 2);
  for (int i = 0; i < n; i++)
    c[i] = (w ? w[i] : 1.0) / W;
  for (int it = 0, converged = 0;; it++) {
    double cgc = gram_apply(G, n, c, Gc), bs = 0;
    for (int i = 0; i < n; i++) {
      double v = G[(size_t)i * (size_t)n + (size_t)i] - 2 * Gc[i] + cgc, dist = v > 0 ? sqrt(v) : 0;
      bs += b[i] = (w ? w[i] : 1.0) / (dist > nu ? dist : nu);
    }
    if (converged || it == a->p.geomed_iters) break; /* b: the weights at the final z */
    for (int i = 0; i < n; i++)
      Gc[i] = b[i] / bs - c[i]; /* the step e */
    double change = 0;
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++)
        change += Gc[i] * G[(size_t)i * (size_t)n + (size_t)j] * Gc[j];
    for (int i = 0; i < n; i++)
      c[i] += Gc[i];
    converged = change <= a->p.geomed_tol * a->p.geomed_tol * spread;
  }
  for (int i = 0; i < n; i++)
    a->wf[i] = (float)c[i];
  agg_combine(X, n, d, a->wf, out);
  if (kept) {
    /* a row's final Weiszfeld weight relative to the median weight */
    memcpy(Gc, b, (size_t)n * sizeof *b);
    double med = agg_select_d(Gc, n, n / 2);
    for (int i = 0; i < n; i++)
      kept[i] = (float)(b[i] >= med ? 1.0 : b[i] / med);
  }
  return 0;
}

int agg_cclip(dnt_agg *a, const float *X, const double *w, int n, float *out, float *kept) {
  size_t d = a->d;
  double W = wsum(w, n), *dist = a->dtmp, *c = a->score;
  if (a->p.center)
    memcpy(out, a->p.center, d * sizeof *out);
  else
    agg_median(a, X, NULL, n, out, NULL);
  double tau = a->p.cclip_tau;
  if (tau == 0) {
    dists_to(X, n, d, out, dist);
    tau = agg_select_d(dist, n, n / 2);
  }
  for (int l = 0; l < a->p.cclip_iters; l++) {
    dists_to(X, n, d, out, dist);
    double s = 0;
    for (int i = 0; i < n; i++) {
      c[i] = dist[i] > tau ? tau / dist[i] : 1.0;
      double pc = (w ? w[i] : 1.0) / W * c[i];
      a->wf[i] = (float)pc;
      s += pc;
    }
    /* v <- v + sum_i p_i c_i (x_i - v) = (1 - sum p_i c_i) v + X^T (p c) */
    agg_combine(X, n, d, a->wf, a->tmp);
    float keep = (float)(1.0 - s);
    for (size_t j = 0; j < d; j++)
      out[j] = keep * out[j] + a->tmp[j];
  }
  if (kept)
    for (int i = 0; i < n; i++)
      kept[i] = (float)c[i];
  return 0;
}

int agg_fltrust(dnt_agg *a, const float *X, int n, float *out, float *kept) {
  size_t d = a->d;
  const float *g0 = a->p.root;
  double n0 = sqrt(cblas_dsdot((int)d, g0, 1, g0, 1));
  row_norms2(X, n, d, a->rowsq);
  cblas_sgemv(CblasRowMajor, CblasNoTrans, n, (int)d, 1.0f, X, (int)d, g0, 1, 0.0f, a->work, 1);
  double ts_sum = 0, *ts = a->score;
  for (int i = 0; i < n; i++) {
    double ni = sqrt((double)a->rowsq[i]);
    double cosv = (ni > 0 && n0 > 0) ? a->work[i] / (ni * n0) : 0;
    ts[i] = cosv > 0 ? cosv : 0; /* TS_i = ReLU(cos(g_i, g0)) */
    ts_sum += ts[i];
  }
  for (int i = 0; i < n; i++) {
    double ni = sqrt((double)a->rowsq[i]);
    /* TS_i * (||g0|| / ||g_i||) g_i / sum TS */
    a->wf[i] = ts_sum > 0 && ni > 0 ? (float)(ts[i] * n0 / ni / ts_sum) : 0.0f;
    /* trust relative to the average row, capped at 1: noisy honest updates
     * have cosines well below 1, so TS_i itself would flag most of them */
    double r = ts_sum > 0 ? ts[i] * n / ts_sum : 0;
    if (kept) kept[i] = (float)(r < 1 ? r : 1);
  }
  agg_combine(X, n, d, a->wf, out);
  return 0;
}
