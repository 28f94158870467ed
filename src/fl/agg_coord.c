/* src/fl/agg_coord.c: the coordinate-wise rules: median, trimmed mean, the
 * GLID percentile filter and Bulyan's second stage.
 *
 * Rows are long (d up to 1e6) and few (n up to a few hundred), so reading one
 * coordinate across rows strides by d floats. Each rule therefore works on a
 * block of AGG_BLOCK coordinates at a time: the block of every row is copied
 * (transposed) into colbuf, where each coordinate's n values are contiguous,
 * and then selected in place with Hoare's algorithm, O(n) per coordinate.
 * Kept shares are counted only when the caller asks for them. */
#include <math.h>
#include <string.h>

#include "agg_internal.h"

#define SWAP(T, x, y) \
  do {                \
    T t_ = (x);       \
    (x) = (y);        \
    (y) = t_;         \
  } while (0)

/* One generic selection for float and double: Hoare partition around the
 * median of three, insertion sort below 16 elements. */
#define DEFINE_SELECT(NAME, T)                                   \
  T NAME(T *v, int n, int k) {                                   \
    int lo = 0, hi = n - 1;                                      \
    while (hi - lo > 16) {                                       \
      int mid = lo + (hi - lo) / 2;                              \
      if (v[mid] < v[lo]) SWAP(T, v[mid], v[lo]);                \
      if (v[hi] < v[lo]) SWAP(T, v[hi], v[lo]);                  \
      if (v[hi] < v[mid]) SWAP(T, v[hi], v[mid]);                \
      T pivot = v[mid];                                          \
      int i = lo, j = hi;                                        \
      while (i <= j) {                                           \
        while (v[i] < pivot) i++;                                \
        while (pivot < v[j]) j--;                                \
        if (i <= j) {                                            \
          SWAP(T, v[i], v[j]);                                   \
          i++;                                                   \
          j--;                                                   \
        }                                                        \
      }                                                          \
      if (k <= j) hi = j;                                        \
      else if (k >= i) lo = i;                                   \
      else return v[k];                                          \
    }                                                            \
    for (int i = lo + 1; i <= hi; i++) {                         \
      T x = v[i];                                                \
      int j = i - 1;                                             \
      while (j >= lo && x < v[j]) v[j + 1] = v[j], j--;          \
      v[j + 1] = x;                                              \
    }                                                            \
    return v[k];                                                 \
  }

DEFINE_SELECT(agg_select, float)
DEFINE_SELECT(agg_select_d, double)

static void sort_floats(float *v, int n) {
  for (int i = 1; i < n; i++) {
    float x = v[i];
    int j = i - 1;
    while (j >= 0 && x < v[j]) v[j + 1] = v[j], j--;
    v[j + 1] = x;
  }
}

typedef enum { COORD_MEDIAN, COORD_TRMEAN, COORD_GLID, COORD_BULYAN } coord_kind;

static float max_of(const float *v, int n) {
  float m = v[0];
  for (int i = 1; i < n; i++)
    if (v[i] > m) m = v[i];
  return m;
}

static float min_of(const float *v, int n) {
  float m = v[0];
  for (int i = 1; i < n; i++)
    if (v[i] < m) m = v[i];
  return m;
}

/* Percentile q in [0, 100] of m values by linear interpolation between order
 * statistics (numpy's default); reorders w. */
static float percentile(float *w, int m, double q) {
  double pos = (m - 1) * q / 100.0;
  int k = (int)floor(pos);
  double frac = pos - k;
  float a = agg_select(w, m, k);
  if (frac == 0 || k + 1 >= m) return a;
  float b = min_of(w + k + 1, m - k - 1);
  return (float)(a + frac * (b - a));
}

/* One coordinate: v holds its m values (row order), w is scratch. Returns the
 * aggregate and the band [*lo, *hi] of values that were used. */
static float coord_one(const dnt_agg *a, coord_kind kind, const float *v, float *w, int m,
                       float *lo, float *hi) {
  memcpy(w, v, (size_t)m * sizeof *w);
  int f = a->p.f;
  switch (kind) {
  case COORD_MEDIAN: {
    float h = agg_select(w, m, m / 2);
    float l = (m % 2) ? h : max_of(w, m / 2);
    *lo = l, *hi = h;
    return (m % 2) ? h : 0.5f * (l + h);
  }
  case COORD_TRMEAN: {
    *lo = agg_select(w, m, f);
    *hi = agg_select(w + f, m - f, m - 2 * f - 1);
    double s = 0;
    for (int i = f; i < m - f; i++) s += w[i];
    return (float)(s / (m - 2 * f));
  }
  case COORD_GLID: {
    float pl = percentile(w, m, a->p.glid_lo);
    float ph = percentile(w, m, a->p.glid_hi);
    double s = 0;
    int c = 0;
    for (int i = 0; i < m; i++)
      if (v[i] >= pl && v[i] <= ph) s += v[i], c++;
    *lo = pl, *hi = ph;
    /* an empty band (lo = hi between two values) takes the band's midpoint */
    return c ? (float)(s / c) : 0.5f * (pl + ph);
  }
  case COORD_BULYAN: {
    int beta = m - 2 * f;
    sort_floats(w, m);
    double med = (m % 2) ? w[m / 2] : 0.5 * ((double)w[m / 2 - 1] + w[m / 2]);
    int l = m / 2 - 1, r = m / 2;
    double s = 0;
    for (int c = 0; c < beta; c++) {
      if (r < m && (l < 0 || w[r] - med <= med - w[l])) s += w[r++];
      else s += w[l--];
    }
    *lo = w[l + 1], *hi = w[r - 1];
    return (float)(s / beta);
  }
  }
  return 0;
}

/* Runs a coordinate-wise rule over rows idx[0..m) (all rows if NULL). */
static void coord_rule(dnt_agg *a, coord_kind kind, const float *X, const int *idx, int m,
                       float *out, float *kept) {
  size_t d = a->d;
  float *cb = a->colbuf;
  if (kept) memset(kept, 0, (size_t)m * sizeof *kept);
  for (size_t j0 = 0; j0 < d; j0 += AGG_BLOCK) {
    int b = (int)(d - j0 < AGG_BLOCK ? d - j0 : AGG_BLOCK);
    for (int k = 0; k < m; k++) {
      const float *row = X + (size_t)(idx ? idx[k] : k) * d + j0;
      for (int j = 0; j < b; j++) cb[(size_t)j * m + k] = row[j];
    }
    for (int j = 0; j < b; j++) {
      const float *v = cb + (size_t)j * m;
      float lo, hi;
      out[j0 + j] = coord_one(a, kind, v, a->work, m, &lo, &hi);
      if (kept)
        for (int k = 0; k < m; k++) kept[k] += (v[k] >= lo && v[k] <= hi);
    }
  }
  if (kept)
    for (int k = 0; k < m; k++) kept[k] /= (float)d;
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

/* Bulyan's second stage over the theta rows selected by repeated Krum (in
 * a->idx); kept of unselected rows is 0. */
void agg_bulyan_coord(dnt_agg *a, const float *X, int n, int theta, float *out, float *kept) {
  coord_rule(a, COORD_BULYAN, X, a->idx, theta, out, kept ? a->kept3 : NULL);
  if (!kept) return;
  for (int i = 0; i < n; i++) kept[i] = 0;
  for (int k = 0; k < theta; k++) kept[a->idx[k]] = a->kept3[k];
}
