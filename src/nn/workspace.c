/* src/nn/workspace.c: carving a net's memory (workspace arena, parameter views)
 * and filling it (row copies, uniform initial weights). */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "dnt/rng.h"
#include "nn/nn_internal.h"

float *nn_arena_take(nn_arena *a, size_t n) {
  float *p = a->base ? a->base + a->used : NULL;
  if (a->used >= NN_ARENA_LIMIT - 16 || n > NN_ARENA_LIMIT - 16 - a->used) /* saturate */
    a->used = NN_ARENA_LIMIT;
  else
    a->used += (n + 15) & ~(size_t)15; /* keep every slice 64-byte aligned */
  return p;
}

void nn_views_take(nn_views *v, size_t n, float **p, float **g) {
  *p = v->params + v->used;
  *g = v->grads + v->used;
  v->used += n;
}

void nn_copy_rows(float *dst, int ldd, const float *src, int lds, int rows, int cols) {
  for (int r = 0; r < rows; r++)
    memcpy(dst + (size_t)r * (size_t)ldd, src + (size_t)r * (size_t)lds,
           (size_t)cols * sizeof *dst);
}

void nn_fill_uniform(float *x, size_t n, float limit, dnt_rng *rng) {
  assert(limit >= 0.0f);
  for (size_t i = 0; i < n; i++)
    x[i] = (float)((2.0 * dnt_rng_uniform(rng) - 1.0) * limit);
}
