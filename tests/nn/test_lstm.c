/* tests/nn/test_lstm.c: LSTM layers against the double reference.
 * Gradient checks (parameters and inputs, BPTT through every step) for 1 and 2
 * stacked layers, sequence lengths 1, 3 and 7, return_sequences 0 and 1, each
 * followed by a dense head; a dense layer before an LSTM and two LSTM blocks in
 * a row; inference equal to the training forward; inference between forward
 * and backward, and overwriting the input, leaving the pending backward intact. */
#include <stdio.h>
#include <string.h>

#include "dnt/nn.h"
#include "dnt/status.h"
#include "ref_net.h"
#include "test.h"

static void check_arch(const dnt_net_arch *a, int B, uint64_t seed) {
  ref_check c = ref_grad_check(a, B, seed, 1e-3);
  char desc[256];
  dnt_net_arch_describe(a, desc, sizeof desc);
  printf("%-64s B=%d: %4d coords, max rel err %.2e, max |y - ref| %.2e\n", desc, B, c.checked,
         c.max_rel, c.max_out);
  CHECK_MSG(c.bad == 0 && c.checked > 0, "%s: %d of %d gradients off", desc, c.bad, c.checked);
  CHECK_MSG(c.max_out < 1e-5, "%s: forward differs from the reference by %g", desc, c.max_out);
}

static dnt_net_arch lstm_head(int in, int T, int H, int layers, int rs, int head, dnt_act act) {
  dnt_net_arch a = {.input = in, .seq_len = T, .n_layers = 2};
  a.layer[0] = (dnt_layer_spec){
      .kind = DNT_LAYER_LSTM, .units = H, .lstm_layers = layers, .return_sequences = rs};
  a.layer[1] = (dnt_layer_spec){.kind = DNT_LAYER_DENSE, .units = head, .act = act};
  return a;
}

/* infer equals forward; an infer between forward and backward changes nothing. */
static void check_infer(const dnt_net_arch *a, int B) {
  dnt_rng r;
  dnt_rng_seed(&r, 11);
  dnt_net *net = NULL;
  CHECK_OK(dnt_net_create(a, B, NULL, NULL, &net));
  if (!net) return;
  dnt_net_init(net, &r);
  size_t nx = (size_t)B * a->seq_len * a->input, ny = (size_t)B * dnt_net_output_size(net);
  size_t np = dnt_net_nparams(net);
  float *x = malloc(nx * sizeof(float)), *x2 = malloc(nx * sizeof(float));
  float *y = malloc(ny * sizeof(float)), *g1 = malloc(np * sizeof(float));
  ref_fill(x, nx, &r);
  ref_fill(x2, nx, &r);
  const float *yf = dnt_net_forward(net, x, B);
  dnt_net_infer(net, x, B, y);
  double worst = 0;
  for (size_t k = 0; k < ny; k++)
    worst = fmax(worst, fabs(y[k] - yf[k]));
  CHECK_MSG(worst <= 1e-6, "infer differs from forward by %g", worst);
  /* gradients with and without an infer on other data in between */
  for (size_t k = 0; k < ny; k++)
    y[k] = 1.0f;
  dnt_net_zero_grad(net);
  dnt_net_backward(net, y, NULL);
  memcpy(g1, dnt_net_grads(net), np * sizeof(float));
  dnt_net_forward(net, x, B);
  float *scratch = malloc(ny * sizeof(float));
  dnt_net_infer(net, x2, B, scratch);
  memset(x, 0xff, nx * sizeof(float)); /* the net keeps what backward needs */
  dnt_net_zero_grad(net);
  dnt_net_backward(net, y, NULL);
  CHECK(memcmp(g1, dnt_net_grads(net), np * sizeof(float)) == 0);
  free(x), free(x2), free(y), free(g1), free(scratch);
  dnt_net_destroy(net);
}

int main(void) {
  const int lengths[] = {1, 3, 7};
  uint64_t seed = 100;
  for (int layers = 1; layers <= 2; layers++)
    for (int k = 0; k < 3; k++)
      for (int rs = 0; rs <= 1; rs++) {
        dnt_net_arch a = lstm_head(3, lengths[k], 4, layers, rs, 2, DNT_ACT_TANH);
        check_arch(&a, 3, seed++);
      }
  /* batch 1 (sgemv paths), a wider hidden state, a linear single output */
  dnt_net_arch a1 = lstm_head(2, 5, 9, 2, 0, 1, DNT_ACT_NONE);
  check_arch(&a1, 1, seed++);
  /* dense on every step first, then LSTM (sequences) -> LSTM (last) -> dense */
  dnt_net_arch a2 = {.input = 3, .seq_len = 4, .n_layers = 4};
  a2.layer[0] = (dnt_layer_spec){.kind = DNT_LAYER_DENSE, .units = 5, .act = DNT_ACT_RELU};
  a2.layer[1] =
      (dnt_layer_spec){.kind = DNT_LAYER_LSTM, .units = 4, .lstm_layers = 1, .return_sequences = 1};
  a2.layer[2] =
      (dnt_layer_spec){.kind = DNT_LAYER_LSTM, .units = 3, .lstm_layers = 2, .return_sequences = 0};
  a2.layer[3] = (dnt_layer_spec){.kind = DNT_LAYER_DENSE, .units = 2, .act = DNT_ACT_SIGMOID};
  check_arch(&a2, 2, seed++);

  dnt_net_arch b = lstm_head(3, 6, 8, 2, 1, 2, DNT_ACT_NONE);
  check_infer(&b, 4);
  check_infer(&a2, 3);
  dnt_net_arch b1 = lstm_head(3, 6, 8, 1, 0, 1, DNT_ACT_NONE);
  check_infer(&b1, 1);
  return test_done("nn.lstm");
}
