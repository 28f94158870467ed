/* tests/nn/test_sine.c: an LSTM learns a noisy sine.
 *
 * Series s_k = sin(2 pi k / 20) + e_k, e_k ~ N(0, 0.1^2), fixed seed. From the
 * last 16 noisy values the net (LSTM h=16 -> dense 1) predicts the next noisy
 * value; trained with Adam (lr 0.01, batch 32) on the first 1500 points, tested
 * on the 500 after them. Bound: test MSE < 0.02. The noise alone costs
 * sigma^2 = 0.01 (no predictor does better on noisy targets), so 0.02 allows at
 * most one more noise variance of model error; a constant predictor pays the
 * series variance, 0.5 + 0.01, 25 times the bound. */
#include <stdio.h>

#include "dnt/loss.h"
#include "dnt/nn.h"
#include "dnt/optim.h"
#include "dnt/status.h"
#include "test.h"

enum { N = 2000, TRAIN = 1500, T = 16, B = 32, STEPS = 800 };

int main(void) {
  static float s[N];
  dnt_rng r;
  dnt_rng_seed(&r, 2025);
  for (int k = 0; k < N; k++)
    s[k] = (float)(sin(2 * M_PI * k / 20.0) + dnt_rng_normal(&r, 0.0, 0.1));

  dnt_net_arch a = {.input = 1, .seq_len = T, .n_layers = 2};
  a.layer[0] = (dnt_layer_spec){.kind = DNT_LAYER_LSTM, .units = 16, .lstm_layers = 1};
  a.layer[1] = (dnt_layer_spec){.kind = DNT_LAYER_DENSE, .units = 1, .act = DNT_ACT_NONE};
  dnt_net *net = NULL;
  CHECK_OK(dnt_net_create(&a, 500, NULL, NULL, &net));
  if (!net) return test_done("nn.sine");
  dnt_net_init(net, &r);
  dnt_adam opt;
  CHECK_OK(dnt_adam_init(&opt, dnt_net_nparams(net), 0.01f));

  static float x[500 * T], y[500], target[500], dy[B];
  for (int step = 0; step < STEPS; step++) {
    for (int b = 0; b < B; b++) { /* windows entirely inside the training part */
      int k = (int)dnt_rng_below(&r, TRAIN - T);
      for (int t = 0; t < T; t++)
        x[b * T + t] = s[k + t];
      target[b] = s[k + T];
    }
    dnt_loss_mse(dnt_net_forward(net, x, B), target, B, dy);
    dnt_net_zero_grad(net);
    dnt_net_backward(net, dy, NULL);
    dnt_adam_step(&opt, dnt_net_params(net), dnt_net_grads(net));
  }
  int n_test = N - TRAIN;
  for (int b = 0; b < n_test; b++) { /* predicts s[TRAIN + b] from the 16 before it */
    for (int t = 0; t < T; t++)
      x[b * T + t] = s[TRAIN + b - T + t];
    target[b] = s[TRAIN + b];
  }
  dnt_net_infer(net, x, n_test, y);
  float mse = dnt_loss_mse(y, target, (size_t)n_test, NULL);
  printf("noisy sine: test MSE %.4f after %d Adam steps (noise floor 0.01, bound 0.02, "
         "series variance 0.51)\n",
         mse, STEPS);
  CHECK(mse < 0.02f);
  dnt_adam_free(&opt);
  dnt_net_destroy(net);
  return test_done("nn.sine");
}
