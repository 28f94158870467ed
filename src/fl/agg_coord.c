/* src/fl/agg_coord.c: the coordinate-wise rules: median, trimmed mean, the
 * GLID percentile filter and Bulyan's second stage.
 *
 * Workload: few rows (n up to a few hundred), long rows (d up to 1e6), so each
 * rule is an order statistic of n values repeated d times. Selecting per
 * coordinate with quickselect costs a branch misprediction per comparison on
 * random data; instead each block of AGG_BLOCK coordinates of the n rows is
 * copied (still row-major: n vectors of AGG_BLOCK floats) and sorted column-wise
 * by Batcher's odd-even merge network (Knuth, TAOCP vol. 3, 5.3.4): a fixed
 * list of compare-exchanges of whole rows, each a branch-free min/max loop the
 * compiler vectorises. O(n log^2 n) per coordinate, no data-dependent branch.
 * Afterwards row r of the block holds every coordinate's r-th smallest value. */
#include <math.h>
#include <string.h>
#if defined(__AVX__)
#include <immintrin.h>
#elif defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "agg_internal.h"

size_t agg_batcher_capacity(int m) {
  size_t N = 1, lg = 0;
  while (N < (size_t)m)
    N <<= 1, lg++;
  return N * lg * (lg + 1) / 4 + 1; /* the full network for N = 2^lg inputs */
}

/* Pairs whose higher index is >= m are dropped: the padding acts as +inf,
 * already in place. */
int agg_batcher_pairs(int m, int *net) {
  int np = 0, N = 1;
  while (N < m)
    N <<= 1;
  for (int p = 1; p < N; p <<= 1)
    for (int k = p; k >= 1; k >>= 1)
      for (int j = k % p; j + k < N; j += 2 * k)
        for (int i = 0; i < k && i + j + k < N; i++)
          if ((i + j) / (2 * p) == (i + j + k) / (2 * p) && i + j + k < m) {
            net[2 * np] = i + j;
            net[2 * np + 1] = i + j + k;
            np++;
          }
  return np;
}

/* Row-wise min/max of two block rows: the network's only operation. The
 * values are finite (updates are checked), so SSE's minps/maxps are exact;
 * plain C is the fallback (GCC does not if-convert the float compare itself
 * under the default -ftrapping-math). */
static void compare_exchange(float *restrict lo, float *restrict hi, int b) {
  int j = 0;
#if defined(__AVX__)
  for (; j + 8 <= b; j += 8) {
    __m256 x = _mm256_loadu_ps(lo + j), y = _mm256_loadu_ps(hi + j);
    _mm256_storeu_ps(lo + j, _mm256_min_ps(x, y));
    _mm256_storeu_ps(hi + j, _mm256_max_ps(x, y));
  }
#elif defined(__SSE__)
  for (; j + 4 <= b; j += 4) {
    __m128 x = _mm_loadu_ps(lo + j), y = _mm_loadu_ps(hi + j);
    _mm_storeu_ps(lo + j, _mm_min_ps(x, y));
    _mm_storeu_ps(hi + j, _mm_max_ps(x, y));
  }
#endif
  for (; j < b; j++) {
    float x = lo[j], y = hi[j];
    lo[j] = x < y ? x : y;
    hi[j] = x < y ? y : x;
  }
}

typedef enum { COORD_MEDIAN, COORD_TRMEAN, COORD_GLID, COORD_BULYAN } coord_kind;

/* Percentile q of sorted block rows (linear interpolation, numpy's default). */
static void percentile_rows(const float *blk, int m, int b, double q, float *out) {
  double pos = (m - 1) * q / 100.0;
  int k = (int)floor(pos);
  float frac = (float)(pos - k);
  const float *r0 = blk + (size_t)k * AGG_BLOCK, *r1 = k + 1 < m ? r0 + AGG_BLOCK : r0;
  for (int j = 0; j < b; j++)
    out[j] = r0[j] + frac * (r1[j] - r0[j]);
}

/* Bulyan: per coordinate, the mean of the beta sorted values closest to the
 * median (taken greedily outward from the middle; ties to the larger). */
static void bulyan_rows(const float *blk, int m, int f, int b, float *out, float *lo, float *hi) {
  int beta = m - 2 * f;
  for (int j = 0; j < b; j++) {
    const float *c = blk + j;
#define V(i) c[(size_t)(i)*AGG_BLOCK]
    double med = (m % 2) ? V(m / 2) : 0.5 * ((double)V(m / 2 - 1) + V(m / 2));
    int l = m / 2 - 1, r = m / 2;
    double s = 0;
    for (int t = 0; t < beta; t++) {
      if (r < m && (l < 0 || V(r) - med <= med - V(l)))
        s += V(r++);
      else
        s += V(l--);
    }
    lo[j] = V(l + 1), hi[j] = V(r - 1);
#undef V
    out[j] = (float)(s / beta);
  }
}

/* One sorted block -> out[0..b) and the band [lo, hi] of used values. */
static void reduce_block(const dnt_agg *a, coord_kind kind, const float *blk, int m, int b,
                         float *out, float *lo, float *hi) {
  const float *row = blk;
  int f = a->p.f;
  switch (kind) {
  case COORD_MEDIAN:
    memcpy(hi, row + (size_t)(m / 2) * AGG_BLOCK, (size_t)b * sizeof *hi);
    memcpy(lo, row + (size_t)((m - 1) / 2) * AGG_BLOCK, (size_t)b * sizeof *lo);
    for (int j = 0; j < b; j++)
      out[j] = 0.5f * (lo[j] + hi[j]);
    break;
  case COORD_TRMEAN: {
    memcpy(lo, row + (size_t)f * AGG_BLOCK, (size_t)b * sizeof *lo);
    memcpy(hi, row + (size_t)(m - f - 1) * AGG_BLOCK, (size_t)b * sizeof *hi);
    memset(out, 0, (size_t)b * sizeof *out);
    for (int r = f; r < m - f; r++) {
      const float *v = row + (size_t)r * AGG_BLOCK;
      for (int j = 0; j < b; j++)
        out[j] += v[j];
    }
    float inv = 1.0f / (float)(m - 2 * f);
    for (int j = 0; j < b; j++)
      out[j] *= inv;
    break;
  }
  case COORD_GLID: {
    /* the band follows f (glid_lo < 0): [100 f/m, 100 (m - f)/m] leaves out
     * the f lowest and f highest values of each coordinate */
    double plo = a->p.glid_lo, phi = a->p.glid_hi;
    if (plo < 0) plo = 100.0 * f / m, phi = 100.0 - plo;
    percentile_rows(blk, m, b, plo, lo);
    percentile_rows(blk, m, b, phi, hi);
    float cnt[AGG_BLOCK];
    memset(out, 0, (size_t)b * sizeof *out);
    memset(cnt, 0, (size_t)b * sizeof *cnt);
    for (int r = 0; r < m; r++) {
      const float *v = row + (size_t)r * AGG_BLOCK;
      for (int j = 0; j < b; j++) {
        float in = (v[j] >= lo[j] && v[j] <= hi[j]) ? 1.0f : 0.0f;
        out[j] += in * v[j];
        cnt[j] += in;
      }
    }
    /* an empty band (lo = hi between two values) takes the band's midpoint */
    for (int j = 0; j < b; j++)
      out[j] = cnt[j] > 0 ? out[j] / cnt[j] : 0.5f * (lo[j] + hi[j]);
    break;
  }
  case COORD_BULYAN:
    bulyan_rows(blk, m, f, b, out, lo, hi);
    break;
  }
}

/* Counts of used values per row (kept, m) -> each row's use relative to the
 * average row, capped at 1. A raw share would flag every row of the median
 * (each row is the middle value of about 1/m of the coordinates) and of
 * Bulyan; relative to the average, an honest row scores about 1 and a row
 * the rule never uses 0, whatever the rule keeps per coordinate. */
static void share_to_kept(float *kept, int m) {
  double total = 0;
  for (int k = 0; k < m; k++)
    total += kept[k];
  for (int k = 0; k < m; k++) {
    double r = total > 0 ? kept[k] * (float)m / total : 0;
    kept[k] = (float)(r < 1 ? r : 1);
  }
}

/* Runs a coordinate-wise rule over rows idx[0..m) of X (all rows if NULL);
 * kept (m, may be NULL) receives how often each row's value lay in the band
 * that was used, relative to the average row (share_to_kept). */
static void coord_rule(dnt_agg *a, coord_kind kind, const float *X, const int *idx, int m,
                       float *out, float *kept) {
  size_t d = a->d;
  float *blk = a->colbuf, *lo = a->band, *hi = a->band + AGG_BLOCK;
  int np = agg_batcher_pairs(m, a->net);
  if (kept) memset(kept, 0, (size_t)m * sizeof *kept);
  for (size_t j0 = 0; j0 < d; j0 += AGG_BLOCK) {
    int b = (int)(d - j0 < AGG_BLOCK ? d - j0 : AGG_BLOCK);
    for (int k = 0; k < m; k++)
      memcpy(blk + (size_t)k * AGG_BLOCK, X + (size_t)(idx ? idx[k] : k) * d + j0,
             (size_t)b * sizeof *blk);
    for (int p = 0; p < np; p++)
      compare_exchange(blk + (size_t)a->net[2 * p] * AGG_BLOCK,
                       blk + (size_t)a->net[2 * p + 1] * AGG_BLOCK, b);
    reduce_block(a, kind, blk, m, b, out + j0, lo, hi);
    if (!kept) continue;
    for (int k = 0; k < m; k++) {
      const float *v = X + (size_t)(idx ? idx[k] : k) * d + j0;
      int c = 0;
      for (int j = 0; j < b; j++)
        c += v[j] >= lo[j] && v[j] <= hi[j];
      kept[k] += (float)c;
    }
  }
  if (kept) share_to_kept(kept, m);
}

void agg_median(dnt_agg *a, const float *X, const int *idx, int m, float *out, float *kept) {
  coord_rule(a, COORD_MEDIAN, X, idx, m, out, kept);
}

int agg_trmean(dnt_agg *a, const float *X, int n, float *out, float *kept) {
  coord_rule(a, COORD_TRMEAN, X, NULL, n, out, kept);
  return 0;
}

int agg_glid(dnt_agg *a, const float *X, int n, float *out, float *kept) {
  coord_rule(a, COORD_GLID, X, NULL, n, out, kept);
  return 0;
}

void agg_bulyan_coord(dnt_agg *a, const float *X, int n, int theta, float *out, float *kept) {
  coord_rule(a, COORD_BULYAN, X, a->idx, theta, out, kept ? a->kept3 : NULL);
  if (!kept) return;
  for (int i = 0; i < n; i++)
    kept[i] = 0;
  for (int k = 0; k < theta; k++)
    kept[a->idx[k]] = a->kept3[k];
}

/* Selection of the k-th smallest double (Krum scores, distances): Hoare
 * partition around the median of three, insertion sort below 16. O(n). */
double agg_select_d(double *v, int n, int k) {
  int lo = 0, hi = n - 1;
  while (hi - lo > 16) {
    int mid = lo + (hi - lo) / 2;
    double t;
    if (v[mid] < v[lo]) t = v[mid], v[mid] = v[lo], v[lo] = t;
    if (v[hi] < v[lo]) t = v[hi], v[hi] = v[lo], v[lo] = t;
    if (v[hi] < v[mid]) t = v[hi], v[hi] = v[mid], v[mid] = t;
    double pivot = v[mid];
    int i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot)
        i++;
      while (pivot < v[j])
        j--;
      if (i <= j) t = v[i], v[i] = v[j], v[j] = t, i++, j--;
    }
    if (k <= j)
      hi = j;
    else if (k >= i)
      lo = i;
    else
      return v[k];
  }
  for (int i = lo + 1; i <= hi; i++) {
    double x = v[i];
    int j = i - 1;
    while (j >= lo && x < v[j])
      v[j + 1] = v[j], j--;
    v[j + 1] = x;
  }
  return v[k];
}
