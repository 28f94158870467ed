/* tests/nn/test_loss.c: MSE and Huber on hand-computed values, their gradients
 * against central differences in double, and n = 0. */
#include "dnt/loss.h"
#include "test.h"

static double huber_ref(double e, double d) {
  return fabs(e) <= d ? 0.5 * e * e : d * (fabs(e) - 0.5 * d);
}

int main(void) {
  const float pred[4] = {1.0f, -2.0f, 0.5f, 3.0f}, target[4] = {0.0f, 0.0f, 0.0f, 1.0f};
  float g[4];
  /* errors 1, -2, 0.5, 2: MSE (1 + 4 + 0.25 + 4) / 4 = 2.3125, grad 2e/4 */
  CHECK_NEAR(dnt_loss_mse(pred, target, 4, g), 2.3125, 1e-6);
  CHECK_NEAR(g[0], 0.5, 1e-7);
  CHECK_NEAR(g[1], -1.0, 1e-7);
  CHECK_NEAR(g[2], 0.25, 1e-7);
  CHECK_NEAR(g[3], 1.0, 1e-7);
  CHECK_NEAR(dnt_loss_mse(pred, target, 4, NULL), 2.3125, 1e-6);
  /* Huber, delta 1: 0.5, 1.5, 0.125, 1.5 -> mean 0.90625; grads clip(e, 1) / 4 */
  CHECK_NEAR(dnt_loss_huber(pred, target, 4, 1.0f, g), 0.90625, 1e-6);
  CHECK_NEAR(g[0], 0.25, 1e-7);
  CHECK_NEAR(g[1], -0.25, 1e-7);
  CHECK_NEAR(g[2], 0.125, 1e-7);
  CHECK_NEAR(g[3], 0.25, 1e-7);
  /* delta 2: 0.5, 2, 0.125, 2 -> 1.15625 */
  CHECK_NEAR(dnt_loss_huber(pred, target, 4, 2.0f, NULL), 1.15625, 1e-6);
  CHECK(dnt_loss_mse(pred, target, 0, NULL) == 0.0f);
  CHECK(dnt_loss_huber(pred, target, 0, 1.0f, NULL) == 0.0f);

  /* gradients against central differences of the double formulas */
  const float p2[5] = {0.3f, -1.7f, 2.2f, 0.05f, -0.6f}, t2[5] = {0.1f, 0.4f, -0.3f, 0.0f, 0.9f};
  float gm[5], gh[5];
  dnt_loss_mse(p2, t2, 5, gm);
  dnt_loss_huber(p2, t2, 5, 0.8f, gh);
  for (int i = 0; i < 5; i++) {
    const double h = 1e-6, e = (double)p2[i] - t2[i];
    double fm = ((e + h) * (e + h) - (e - h) * (e - h)) / (2 * h) / 5;
    double fh = (huber_ref(e + h, 0.8) - huber_ref(e - h, 0.8)) / (2 * h) / 5;
    CHECK_NEAR(gm[i], fm, 1e-6);
    CHECK_NEAR(gh[i], fh, 1e-6);
  }
  return test_done("nn.loss");
}
