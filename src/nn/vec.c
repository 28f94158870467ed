/* src/nn/vec.c: flat float vectors (models, updates, gradients).
 *
 * cblas where it has the operation; cblas takes int lengths, so longer vectors
 * go in chunks of at most 2^30. Dot products and norms accumulate in double
 * (cblas_dsdot) because FL aggregation and Krum compare sums over millions of
 * values. O(n) each. */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dnt/vec.h"

#define CHUNK ((size_t)1 << 30)

static int chunk(size_t n, size_t at) {
  return (int)(n - at < CHUNK ? n - at : CHUNK);
}

void dnt_vec_copy(float *dst, const float *src, size_t n) {
  for (size_t i = 0; i < n; i += CHUNK)
    cblas_scopy(chunk(n, i), src + i, 1, dst + i, 1);
}

void dnt_vec_zero(float *x, size_t n) {
  memset(x, 0, n * sizeof *x);
}

void dnt_vec_scale(float *x, float a, size_t n) {
  for (size_t i = 0; i < n; i += CHUNK)
    cblas_sscal(chunk(n, i), a, x + i, 1);
}

void dnt_vec_axpy(float *y, float a, const float *x, size_t n) {
  for (size_t i = 0; i < n; i += CHUNK)
    cblas_saxpy(chunk(n, i), a, x + i, 1, y + i, 1);
}

void dnt_vec_lerp(float *y, const float *x, float a, size_t n) {
  /* OpenBLAS's saxpby: y = a x + (1 - a) y in one pass */
  for (size_t i = 0; i < n; i += CHUNK)
    cblas_saxpby(chunk(n, i), a, x + i, 1, 1.0f - a, y + i, 1);
}

double dnt_vec_dot(const float *x, const float *y, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; i += CHUNK)
    s += cblas_dsdot(chunk(n, i), x + i, 1, y + i, 1);
  return s;
}

double dnt_vec_norm(const float *x, size_t n) {
  return sqrt(dnt_vec_dot(x, x, n));
}

double dnt_vec_dist2(const float *x, const float *y, size_t n) {
  /* four double accumulators: no reassociation needed to vectorise */
  double s[4] = {0.0, 0.0, 0.0, 0.0};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (int k = 0; k < 4; k++) {
      double d = (double)x[i + (size_t)k] - (double)y[i + (size_t)k];
      s[k] += d * d;
    }
  }
  for (; i < n; i++) {
    double d = (double)x[i] - (double)y[i];
    s[0] += d * d;
  }
  return (s[0] + s[1]) + (s[2] + s[3]);
}

int dnt_vec_all_finite(const float *x, size_t n) {
  /* a float is finite iff its exponent bits are not all ones */
  uint32_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t u;
    memcpy(&u, x + i, sizeof u);
    bad |= (uint32_t)((u & 0x7f800000u) == 0x7f800000u);
  }
  return !bad;
}
