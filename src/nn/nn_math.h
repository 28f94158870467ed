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
 * 1 - 2 / (e^{2|x|} + 1) with the sign restored.
 * Every select costs a compare and a blend in vector code, so there are few:
 * NaN flows through the clamps and the polynomial instead of being tested for,
 * n is read from the bits of the rounding sum instead of converted to int, and
 * |x| and the sign are bit operations (fabsf, copysignf). That took exp from 30
 * to 22 vector instructions and a 49k-element sigmoid loop from 0.82 to 0.53 ns
 * per element (AVX2 + FMA clone, Zen 3). */
#ifndef DNT_NN_MATH_H
#define DNT_NN_MATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float nn_expf(float v) {
  /* clamp; the comparisons are false for NaN, which passes through to p */
  float x = v < -87.0f ? -87.0f : v;
  x = x > 88.0f ? 88.0f : x;
  /* s = 1.5 * 2^23 + n, n = round(x / ln2) in its low mantissa bits (vectorises,
   * unlike rintf on SSE2, and needs no float-to-int conversion) */
  const float shift = 12582912.0f;
  float s = x * 1.44269504088896341f + shift;
  float n = s - shift;
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
  uint32_t sbits;
  memcpy(&sbits, &s, sizeof sbits);
  uint32_t bits = (sbits - 0x4B400000u + 127u) << 23; /* 2^n */
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale; /* NaN in, NaN out (through p) */
}

/* 1 / (1 + e^-x) */
static inline float nn_sigmoidf(float x) {
  return 1.0f / (1.0f + nn_expf(-x));
}

static inline float nn_tanhf(float x) {
  float ax = fabsf(x);
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
  float big = copysignf(1.0f - 2.0f / (nn_expf(2.0f * ax) + 1.0f), x);
  return ax < 0.5f ? small : big;
}

#endif
