/* tests/nn/test_optim.c: Adam and SGD with momentum reach the minimum of a
 * known quadratic f(x) = sum a_i (x_i - c_i)^2; the first Adam and SGD steps
 * against hand-computed values; gradient clipping by global norm. */
#include <stdio.h>

#include "dnt/optim.h"
#include "dnt/status.h"
#include "test.h"

enum { N = 6 };
static const float qa[N] = {1.0f, 3.0f, 0.5f, 10.0f, 2.0f, 0.2f};
static const float qc[N] = {1.0f, -2.0f, 0.5f, 3.0f, -0.25f, 4.0f};

static void quad_grad(const float *x, float *g) {
  for (int i = 0; i < N; i++)
    g[i] = 2.0f * qa[i] * (x[i] - qc[i]);
}

static double max_dist(const float *x) {
  double d = 0;
  for (int i = 0; i < N; i++)
    d = fmax(d, fabs(x[i] - qc[i]));
  return d;
}

static void check_adam_quadratic(void) {
  dnt_adam opt;
  CHECK_OK(dnt_adam_init(&opt, N, 0.05f));
  float x[N] = {0}, g[N];
  int steps = 0;
  for (; steps < 20000 && max_dist(x) > 1e-5; steps++) {
    quad_grad(x, g);
    dnt_adam_step(&opt, x, g);
  }
  printf("adam: max |x - c| = %.2e after %d steps\n", max_dist(x), steps);
  CHECK(max_dist(x) < 1e-4);
  CHECK(opt.t == steps);
  dnt_adam_reset(&opt);
  CHECK(opt.t == 0 && opt.m[0] == 0.0f && opt.v[N - 1] == 0.0f);
  dnt_adam_free(&opt);
}

static void check_sgd_quadratic(void) {
  dnt_sgd opt;
  CHECK_OK(dnt_sgd_init(&opt, N, 0.02f, 0.9f));
  float x[N] = {0}, g[N];
  int steps = 0;
  for (; steps < 5000 && max_dist(x) > 1e-6; steps++) {
    quad_grad(x, g);
    dnt_sgd_step(&opt, x, g);
  }
  printf("sgd momentum: max |x - c| = %.2e after %d steps\n", max_dist(x), steps);
  CHECK(max_dist(x) < 1e-4);
  dnt_sgd_free(&opt);
}

static void check_first_steps(void) {
  /* Adam step 1: m = 0.1 g, v = 0.001 g^2, m_hat = g, v_hat = g^2,
   * p -= lr g / (|g| + eps) = lr sign(g) (up to eps) */
  dnt_adam opt;
  CHECK_OK(dnt_adam_init(&opt, 2, 0.1f));
  float p[2] = {1.0f, 1.0f}, g[2] = {4.0f, -0.5f};
  dnt_adam_step(&opt, p, g);
  CHECK_NEAR(p[0], 0.9, 1e-6);
  CHECK_NEAR(p[1], 1.1, 1e-6);
  CHECK_NEAR(opt.m[0], 0.4, 1e-7);
  CHECK_NEAR(opt.v[0], 0.016, 1e-6); /* (1 - 0.999f) is 0.00099998 in float */
  /* step 2 with g = (0, 0): m = 0.36, v = 0.015984; m_hat = 0.36 / 0.19,
   * v_hat = 0.015984 / 0.001999 */
  g[0] = g[1] = 0.0f;
  dnt_adam_step(&opt, p, g);
  double mh = 0.36 / 0.19, vh = 0.015984 / (1 - 0.999 * 0.999);
  CHECK_NEAR(p[0], 0.9 - 0.1 * mh / (sqrt(vh) + 1e-8), 1e-6);
  dnt_adam_free(&opt);

  /* SGD momentum: buf = g, p -= lr g; then buf = 0.9 g + g */
  dnt_sgd s;
  CHECK_OK(dnt_sgd_init(&s, 1, 0.1f, 0.9f));
  float q[1] = {0.0f}, gq[1] = {1.0f};
  dnt_sgd_step(&s, q, gq);
  CHECK_NEAR(q[0], -0.1, 1e-7);
  dnt_sgd_step(&s, q, gq);
  CHECK_NEAR(q[0], -0.1 - 0.19, 1e-6);
  dnt_sgd_free(&s);
}

static void check_clip(void) {
  float g[3] = {3.0f, 4.0f, 0.0f}; /* norm 5 */
  CHECK_NEAR(dnt_clip_grad_norm(g, 3, 10.0f), 5.0, 1e-6);
  CHECK(g[0] == 3.0f && g[1] == 4.0f); /* under the limit: untouched */
  CHECK_NEAR(dnt_clip_grad_norm(g, 3, 1.0f), 5.0, 1e-6);
  CHECK_NEAR(g[0], 0.6, 1e-6);
  CHECK_NEAR(g[1], 0.8, 1e-6);
  CHECK_NEAR(sqrt(g[0] * g[0] + g[1] * g[1]), 1.0, 1e-6);
}

int main(void) {
  check_adam_quadratic();
  check_sgd_quadratic();
  check_first_steps();
  check_clip();
  return test_done("nn.optim");
}
