/* dnt/vec.h: operations on flat float vectors (models, updates, gradients).
 * Thin wrappers over cblas where one exists; n is the length; each is O(n).
 * Dot products, norms and distances accumulate in double. */
#ifndef DNT_VEC_H
#define DNT_VEC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void dnt_vec_copy(float *dst, const float *src, size_t n);
void dnt_vec_zero(float *x, size_t n);
void dnt_vec_scale(float *x, float a, size_t n);                /* x *= a */
void dnt_vec_axpy(float *y, float a, const float *x, size_t n); /* y += a x */
/* y = (1 - a) y + a x  (Polyak / FedAsync mixing) */
void dnt_vec_lerp(float *y, const float *x, float a, size_t n);
double dnt_vec_dot(const float *x, const float *y, size_t n);
double dnt_vec_norm(const float *x, size_t n);
double dnt_vec_dist2(const float *x, const float *y, size_t n); /* squared L2 */
/* 1 if every value is finite. */
int dnt_vec_all_finite(const float *x, size_t n);

#ifdef __cplusplus
}
#endif
#endif
