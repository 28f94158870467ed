/* tests/nn/test_vec.c: the flat-vector operations on hand-computed values, and
 * the double accumulation of dot products and distances. */
#include <float.h>
#include <string.h>

#include "dnt/vec.h"
#include "test.h"

int main(void) {
  const float x[5] = {1.0f, -2.0f, 3.0f, 0.5f, 4.0f};
  float y[5] = {2.0f, 0.0f, -1.0f, 1.0f, 2.0f};
  float z[5];
  dnt_vec_copy(z, x, 5);
  CHECK(memcmp(z, x, sizeof z) == 0);
  dnt_vec_scale(z, 2.0f, 5);
  CHECK(z[0] == 2.0f && z[1] == -4.0f && z[4] == 8.0f);
  dnt_vec_axpy(z, -1.0f, x, 5); /* back to x */
  CHECK(memcmp(z, x, sizeof z) == 0);
  dnt_vec_lerp(z, y, 0.25f, 5); /* 0.75 x + 0.25 y */
  CHECK_NEAR(z[0], 1.25, 1e-7);
  CHECK_NEAR(z[1], -1.5, 1e-7);
  CHECK_NEAR(z[2], 2.0, 1e-7);
  CHECK_NEAR(z[3], 0.625, 1e-7);
  CHECK_NEAR(z[4], 3.5, 1e-7);
  /* x.y = 2 + 0 - 3 + 0.5 + 8 = 7.5; |x|^2 = 1 + 4 + 9 + 0.25 + 16 = 30.25 */
  CHECK(dnt_vec_dot(x, y, 5) == 7.5);
  CHECK(dnt_vec_norm(x, 5) == 5.5);
  /* |x - y|^2 = 1 + 4 + 16 + 0.25 + 4 = 25.25 */
  CHECK(dnt_vec_dist2(x, y, 5) == 25.25);
  CHECK(dnt_vec_dist2(x, y, 3) == 21.0);
  dnt_vec_zero(y, 5);
  CHECK(y[0] == 0.0f && y[4] == 0.0f);
  CHECK(dnt_vec_all_finite(x, 5));
  float bad[3] = {1.0f, INFINITY, 0.0f};
  CHECK(!dnt_vec_all_finite(bad, 3));
  bad[1] = NAN;
  CHECK(!dnt_vec_all_finite(bad, 3));
  bad[1] = FLT_MAX;
  CHECK(dnt_vec_all_finite(bad, 3));
  CHECK(dnt_vec_all_finite(bad, 0));

  /* double accumulation: 1e6 values of 1 + 2^-20 sum exactly in double,
   * while a float running sum drifts */
  size_t n = 1000000;
  float *a = malloc(n * sizeof(float)), *b = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) {
    a[i] = 1.0f + 0x1p-20f;
    b[i] = 1.0f;
  }
  double exact = n * (1.0 + 0x1p-20);
  CHECK_NEAR(dnt_vec_dot(a, b, n), exact, 1e-6 * 1e-3);
  CHECK_NEAR(dnt_vec_dist2(a, b, n), n * 0x1p-40, 1e-15);
  CHECK_NEAR(dnt_vec_norm(b, n), 1000.0, 1e-9);
  free(a);
  free(b);
  return test_done("nn.vec");
}
