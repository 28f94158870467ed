/* src/nn/nn_math.h: exp, sigmoid and tanh for the activation and LSTM loops.
 *
 * libm's expf/tanhf are scalar calls that the compiler cannot vectorise without
 * -ffast-math; in an LSTM step they cost more than the sgemm. These versions are
 * branch-free inline float code (selects, not branches) that GCC and Clang
 * vectorise, accurate to a few ulp (tests/nn/test_act.c compares them with libm
 * in double over the whole float range that matters).
 *
 * exp: Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2, degree-7 Taylor
 * polynomial for e^r (truncation error < 1e-8 relative), 2^n built from the
 * exponent bits. Inputs are clamped to [-87, 88] so that 2^n stays a normal float
 * (sigmoid and tanh saturate correctly at +-inf); NaN propagates.
 * tanh: odd Taylor series up to x^15 below |x| = 0.5 (error < 1e-8), else
 * 1 - 2 / (e^{2|x|} + 1) with the sign restored. */
#ifndef DNT_NN_MATH_H
#define DNT_NN_MATH_H

#include <stdint.h>
#include <string.h>

static inline float nn_expf(float v) {
  /* clamp, with NaN sent to -87 so that the int conversion below is defined */
  float x = v > -87.0f ? v : -87.0f;
  x = x < 88.0f ? x : 88.0f;
  /* round to nearest with the 1.5 * 2^23 trick (vectorises, unlike rintf on SSE2) */
  const float shift = 12582912.0f;
  float n = (x * 1.44269504088896341f + shift) - shift;
  float r = x - n * 0.693145751953125f; /* ln2 split hi + lo (Cody-Waite) */
  r = r - n * 1.42860682030941723e-6f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return v == v ? p * scale : v; /* NaN in, NaN out */
}

/* 1 / (1 + e^-x) */
static inline float nn_sigmoidf(float x) {
  return 1.0f / (1.0f + nn_expf(-x));
}

static inline float nn_tanhf(float x) {
  float ax = x < 0.0f ? -x : x;
  float x2 = x * x;
  /* tanh x = x (1 - x^2/3 + 2x^4/15 - 17x^6/315 + ...), Taylor coefficients */
  float p = 929569.0f / 638512875.0f;
  p = p * x2 - 21844.0f / 6081075.0f;
  p = p * x2 + 1382.0f / 155925.0f;
  p = p * x2 - 62.0f / 2835.0f;
  p = p * x2 + 17.0f / 315.0f;
  p = p * x2 - 2.0f / 15.0f;
  p = p * x2 + 1.0f / 3.0f;
  float small = x - x * x2 * p;
  float big = 1.0f - 2.0f / (nn_expf(2.0f * ax) + 1.0f);
  big = x < 0.0f ? -big : big;
  return ax < 0.5f ? small : big;
}

#endif
