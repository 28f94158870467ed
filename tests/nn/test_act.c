/* tests/nn/test_act.c: activations on hand-computed values, their derivatives,
 * names, and the vectorised exp/sigmoid/tanh of src/nn/nn_math.h against libm
 * in double over the range that matters (a differential test), including
 * saturation at +-inf and NaN propagation. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dnt/nn.h"
#include "dnt/status.h"
#include "nn/nn_math.h"
#include "test.h"

static void check_known_values(void) {
  float x[4] = {-1.0f, 0.0f, 0.5f, 2.0f};
  dnt_act_forward(DNT_ACT_RELU, x, 4);
  CHECK(x[0] == 0.0f && x[1] == 0.0f && x[2] == 0.5f && x[3] == 2.0f);
  float t[3] = {0.0f, 0.5f, -2.0f};
  dnt_act_forward(DNT_ACT_TANH, t, 3);
  CHECK_NEAR(t[0], 0.0, 1e-7);
  CHECK_NEAR(t[1], 0.46211715726000974, 1e-7);
  CHECK_NEAR(t[2], -0.9640275800758169, 1e-7);
  float s[3] = {0.0f, 2.0f, -3.0f};
  dnt_act_forward(DNT_ACT_SIGMOID, s, 3);
  CHECK_NEAR(s[0], 0.5, 1e-7);
  CHECK_NEAR(s[1], 0.8807970779778823, 1e-7);
  CHECK_NEAR(s[2], 0.04742587317756678, 1e-8);
  float n[2] = {-3.0f, 4.0f};
  dnt_act_forward(DNT_ACT_NONE, n, 2);
  CHECK(n[0] == -3.0f && n[1] == 4.0f);

  /* derivatives through the outputs: relu [y>0], tanh 1-y^2, sigmoid y(1-y) */
  float y[3] = {0.0f, 0.5f, 0.9f}, dy[3] = {2.0f, 2.0f, 2.0f};
  dnt_act_backward(DNT_ACT_RELU, y, dy, 3);
  CHECK(dy[0] == 0.0f && dy[1] == 2.0f && dy[2] == 2.0f);
  float dt[3] = {2.0f, 2.0f, 2.0f};
  dnt_act_backward(DNT_ACT_TANH, y, dt, 3);
  CHECK_NEAR(dt[0], 2.0, 1e-7);
  CHECK_NEAR(dt[1], 1.5, 1e-7);
  CHECK_NEAR(dt[2], 2.0 * (1 - 0.81), 1e-6);
  float ds[3] = {2.0f, 2.0f, 2.0f};
  dnt_act_backward(DNT_ACT_SIGMOID, y, ds, 3);
  CHECK_NEAR(ds[1], 0.5, 1e-7);
  CHECK_NEAR(ds[2], 2.0 * 0.9 * 0.1, 1e-6);
  float dn[1] = {3.0f};
  dnt_act_backward(DNT_ACT_NONE, y, dn, 1);
  CHECK(dn[0] == 3.0f);
}

static void check_names(void) {
  for (int a = DNT_ACT_NONE; a <= DNT_ACT_SIGMOID; a++) {
    dnt_act back = DNT_ACT_NONE;
    CHECK_OK(dnt_act_parse(dnt_act_name((dnt_act)a), &back));
    CHECK(back == (dnt_act)a);
  }
  dnt_act out = DNT_ACT_TANH;
  CHECK(dnt_act_parse("gelu", &out) == DNT_ERR_ARG);
  CHECK(out == DNT_ACT_TANH);
  CHECK(strstr(dnt_last_error(), "gelu") != NULL);
}

/* Largest relative error of f against the double reference over [lo, hi]. */
static double worst_rel(float (*f)(float), double (*ref)(double), double lo, double hi,
                        double floor) {
  double worst = 0;
  for (double v = lo; v <= hi; v += (hi - lo) * 1e-6) {
    float x = (float)v;
    double want = ref((double)x), got = f(x);
    double scale = fabs(want) > floor ? fabs(want) : floor;
    worst = fmax(worst, fabs(got - want) / scale);
  }
  return worst;
}

static double sigm(double v) {
  return 1.0 / (1.0 + exp(-v));
}
static float fexp(float v) {
  return nn_expf(v);
}
static float fsig(float v) {
  return nn_sigmoidf(v);
}
static float ftanh(float v) {
  return nn_tanhf(v);
}

static void check_fast_math(void) {
  double e = worst_rel(fexp, exp, -80.0, 80.0, 0.0);
  double s = worst_rel(fsig, sigm, -80.0, 30.0, 0.0);
  double t = worst_rel(ftanh, tanh, -12.0, 12.0, 1e-30);
  double t0 = worst_rel(ftanh, tanh, -1e-3, 1e-3, 1e-30);
  printf("max relative error: exp %.2e, sigmoid %.2e, tanh %.2e (near 0: %.2e); float eps %.2e\n",
         e, s, t, t0, (double)FLT_EPSILON);
  CHECK(e < 3 * FLT_EPSILON);
  CHECK(s < 3 * FLT_EPSILON);
  CHECK(t < 3 * FLT_EPSILON);
  CHECK(t0 < 3 * FLT_EPSILON);
  CHECK(nn_sigmoidf(INFINITY) == 1.0f);
  CHECK(nn_sigmoidf(-INFINITY) >= 0.0f && nn_sigmoidf(-INFINITY) < 1e-37f);
  CHECK(nn_tanhf(INFINITY) == 1.0f && nn_tanhf(-INFINITY) == -1.0f);
  CHECK(nn_tanhf(100.0f) == 1.0f && nn_tanhf(-100.0f) == -1.0f);
  CHECK(isnan(nn_expf(NAN)) && isnan(nn_sigmoidf(NAN)) && isnan(nn_tanhf(NAN)));
}

int main(void) {
  check_known_values();
  check_names();
  check_fast_math();
  return test_done("nn.act");
}
