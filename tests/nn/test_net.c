/* tests/nn/test_net.c: the sequential container.
 * Arch validation (each bad field named), canonical text, parameter counts of
 * known shapes, create errors; external storage read and written exactly in
 * place (guard values around it stay); gradients accumulate; infer equals
 * forward for every batch size; initial weights in their documented ranges and
 * reproducible from the seed. */
#include <string.h>

#include "dnt/nn.h"
#include "dnt/status.h"
#include "ref_net.h"
#include "test.h"

static void check_arch(void) {
  const int sizes[] = {128, 128, 5};
  dnt_net_arch m = dnt_mlp_arch(64, sizes, 3, DNT_ACT_RELU, DNT_ACT_NONE);
  CHECK_OK(dnt_net_arch_validate(&m));
  CHECK(m.n_layers == 3 && m.layer[1].act == DNT_ACT_RELU && m.layer[2].act == DNT_ACT_NONE);
  CHECK(dnt_net_arch_nparams(&m) == 64 * 128 + 128 + 128 * 128 + 128 + 128 * 5 + 5);
  CHECK(dnt_net_arch_output_size(&m) == 5);
  char text[256];
  CHECK(dnt_net_arch_describe(&m, text, sizeof text) == (int)strlen(text));
  CHECK(strcmp(text, "in=64 seq=0 | dense 128 relu | dense 128 relu | dense 5 none") == 0);
  CHECK(dnt_net_arch_describe(&m, text, 20) == DNT_ERR_ARG);

  dnt_net_arch l = {.input = 8, .seq_len = 24, .n_layers = 2};
  l.layer[0] = (dnt_layer_spec){.kind = DNT_LAYER_LSTM, .units = 64, .lstm_layers = 2};
  l.layer[1] = (dnt_layer_spec){.kind = DNT_LAYER_DENSE, .units = 1};
  CHECK(dnt_net_arch_describe(&l, text, sizeof text) > 0);
  CHECK(strcmp(text, "in=8 seq=24 | lstm h=64 l=2 seq=0 | dense 1 none") == 0);
  CHECK(dnt_net_arch_nparams(&l) == (8 + 64) * 256 + 256 + (64 + 64) * 256 + 256 + 64 + 1);
  CHECK(dnt_net_arch_output_size(&l) == 1);
  l.layer[0].return_sequences = 1;
  CHECK(dnt_net_arch_output_size(&l) == 24); /* the dense head on every step */

  /* each bad field is refused and named */
  struct {
    dnt_net_arch a;
    const char *field;
  } bad[8];
  for (int i = 0; i < 8; i++)
    bad[i].a = l;
  bad[0].a.input = 0, bad[0].field = "'input'";
  bad[1].a.seq_len = -1, bad[1].field = "'seq_len'";
  bad[2].a.n_layers = 17, bad[2].field = "'n_layers'";
  bad[3].a.layer[1].units = 0, bad[3].field = "'layer[1].units'";
  bad[4].a.layer[0].lstm_layers = 0, bad[4].field = "'layer[0].lstm_layers'";
  bad[5].a.seq_len = 0, bad[5].field = "'layer[0].kind'"; /* LSTM without a sequence */
  bad[6].a.layer[1].act = (dnt_act)9, bad[6].field = "'layer[1].act'";
  bad[7].a.layer[0].return_sequences = 2, bad[7].field = "'layer[0].return_sequences'";
  for (int i = 0; i < 8; i++) {
    CHECK(dnt_net_arch_validate(&bad[i].a) == DNT_ERR_ARG);
    CHECK_MSG(strstr(dnt_last_error(), bad[i].field) != NULL, "case %d: '%s'", i, dnt_last_error());
    CHECK(dnt_net_arch_nparams(&bad[i].a) == 0);
  }
  /* an LSTM after a sequence was collapsed */
  dnt_net_arch two = l;
  two.n_layers = 3;
  two.layer[0].return_sequences = 0;
  two.layer[2] = (dnt_layer_spec){.kind = DNT_LAYER_LSTM, .units = 4, .lstm_layers = 1};
  CHECK(dnt_net_arch_validate(&two) == DNT_ERR_ARG);
  dnt_net *net = NULL;
  CHECK(dnt_net_create(&two, 4, NULL, NULL, &net) == DNT_ERR_ARG && net == NULL);
  CHECK(dnt_net_create(&m, 0, NULL, NULL, &net) == DNT_ERR_ARG && net == NULL);
  float p[8];
  CHECK(dnt_net_create(&m, 4, p, NULL, &net) == DNT_ERR_ARG && net == NULL);
}

/* Two nets carved from one vector, with guard values around each. */
static void check_external_storage(void) {
  const int s1[] = {6, 2}, s2[] = {3};
  dnt_net_arch a1 = dnt_mlp_arch(4, s1, 2, DNT_ACT_TANH, DNT_ACT_NONE);
  dnt_net_arch a2 = dnt_mlp_arch(2, s2, 1, DNT_ACT_NONE, DNT_ACT_SIGMOID);
  size_t n1 = dnt_net_arch_nparams(&a1), n2 = dnt_net_arch_nparams(&a2), total = n1 + n2 + 3;
  float *p = malloc(total * sizeof(float)), *g = malloc(total * sizeof(float));
  for (size_t i = 0; i < total; i++)
    p[i] = g[i] = -99.0f;
  dnt_net *x1 = NULL, *x2 = NULL;
  CHECK_OK(dnt_net_create(&a1, 3, p + 1, g + 1, &x1));
  CHECK_OK(dnt_net_create(&a2, 3, p + 2 + n1, g + 2 + n1, &x2));
  if (!x1 || !x2) return;
  CHECK(dnt_net_params(x1) == p + 1 && dnt_net_grads(x2) == g + 2 + n1);
  dnt_rng r;
  dnt_rng_seed(&r, 9);
  dnt_net_init(x1, &r);
  dnt_net_init(x2, &r);
  dnt_net_zero_grad(x1);
  dnt_net_zero_grad(x2);
  float x[12], dy[9];
  ref_fill(x, 12, &r);
  ref_fill(dy, 9, &r);
  const float *y1 = dnt_net_forward(x1, x, 3);
  dnt_net_backward(x1, dy, NULL);
  dnt_net_forward(x2, y1, 3);
  dnt_net_backward(x2, dy, NULL);
  /* guards untouched; every value inside was written */
  CHECK(p[0] == -99.0f && p[1 + n1] == -99.0f && p[total - 1] == -99.0f);
  CHECK(g[0] == -99.0f && g[1 + n1] == -99.0f && g[total - 1] == -99.0f);
  int untouched = 0;
  for (size_t i = 1; i < 1 + n1; i++)
    untouched += g[i] == -99.0f;
  for (size_t i = 2 + n1; i < total - 1; i++)
    untouched += g[i] == -99.0f;
  CHECK(untouched == 0);
  /* a parameter changed in the caller's vector changes the net's output */
  float before[6], after[6];
  dnt_net_infer(x1, x, 3, before);
  p[1 + n1 - 1] += 1.0f; /* the last bias of x1 */
  dnt_net_infer(x1, x, 3, after);
  CHECK_NEAR(after[1] - before[1], 1.0, 1e-6);
  CHECK(after[0] == before[0]);
  /* gradients accumulate until zeroed */
  float *g1 = malloc(n1 * sizeof(float));
  dnt_net_zero_grad(x1);
  dnt_net_forward(x1, x, 3);
  dnt_net_backward(x1, dy, NULL);
  memcpy(g1, g + 1, n1 * sizeof(float));
  dnt_net_backward(x1, dy, NULL);
  int doubled = 1;
  for (size_t i = 0; i < n1; i++)
    doubled &= fabsf(g[1 + i] - 2.0f * g1[i]) <= 1e-6f * (1 + fabsf(g1[i]));
  CHECK(doubled);
  free(g1);
  dnt_net_destroy(x1);
  dnt_net_destroy(x2);
  free(p);
  free(g);
}

static void check_infer_and_init(void) {
  const int sizes[] = {32, 16, 3};
  dnt_net_arch a = dnt_mlp_arch(10, sizes, 3, DNT_ACT_RELU, DNT_ACT_TANH);
  dnt_net *net = NULL, *twin = NULL;
  CHECK_OK(dnt_net_create(&a, 17, NULL, NULL, &net));
  CHECK_OK(dnt_net_create(&a, 17, NULL, NULL, &twin));
  if (!net || !twin) return;
  CHECK(dnt_net_max_batch(net) == 17 && dnt_net_output_size(net) == 3);
  CHECK(memcmp(dnt_net_get_arch(net), &a, sizeof a) == 0);
  dnt_rng r, r2;
  dnt_rng_seed(&r, 21);
  dnt_rng_seed(&r2, 21);
  dnt_net_init(net, &r);
  dnt_net_init(twin, &r2);
  CHECK(memcmp(dnt_net_params(net), dnt_net_params(twin), dnt_net_nparams(net) * 4) == 0);
  /* He-uniform before ReLU, Xavier-uniform otherwise, zero biases */
  const float *p = dnt_net_params(net);
  float lim0 = sqrtf(6.0f / 10), lim2 = sqrtf(6.0f / (16 + 3)), w0 = 0, w2 = 0;
  for (int i = 0; i < 10 * 32; i++)
    w0 = fmaxf(w0, fabsf(p[i]));
  const float *l2 = p + 10 * 32 + 32 + 32 * 16 + 16;
  for (int i = 0; i < 16 * 3; i++)
    w2 = fmaxf(w2, fabsf(l2[i]));
  CHECK(w0 <= lim0 && w0 > 0.8f * lim0);
  CHECK(w2 <= lim2 && w2 > 0.8f * lim2);
  CHECK(p[10 * 32] == 0.0f && l2[16 * 3 + 2] == 0.0f);

  float x[17 * 10], y[17 * 3];
  ref_fill(x, 17 * 10, &r);
  for (int B = 1; B <= 17; B += 8) {
    const float *yf = dnt_net_forward(net, x, B);
    dnt_net_infer(net, x, B, y);
    double worst = 0;
    for (int k = 0; k < B * 3; k++)
      worst = fmax(worst, fabs(y[k] - yf[k]));
    CHECK_MSG(worst <= 1e-6, "B=%d: infer differs from forward by %g", B, worst);
  }
  dnt_net_destroy(net);
  dnt_net_destroy(twin);

  /* LSTM: U(-1/sqrt(H), 1/sqrt(H)), forget-gate bias 1, other biases 0 */
  dnt_net_arch l = {.input = 3, .seq_len = 2, .n_layers = 1};
  l.layer[0] = (dnt_layer_spec){.kind = DNT_LAYER_LSTM, .units = 4, .lstm_layers = 1};
  CHECK_OK(dnt_net_create(&l, 1, NULL, NULL, &net));
  if (!net) return;
  dnt_net_init(net, &r);
  p = dnt_net_params(net);
  float wmax = 0;
  for (int i = 0; i < 7 * 16; i++)
    wmax = fmaxf(wmax, fabsf(p[i]));
  CHECK(wmax <= 0.5f && wmax > 0.4f);
  for (int j = 0; j < 16; j++)
    CHECK(p[7 * 16 + j] == (j >= 4 && j < 8 ? 1.0f : 0.0f));
  dnt_net_destroy(net);
}

int main(void) {
  dnt_blas_set_threads(1);
  check_arch();
  check_external_storage();
  check_infer_and_init();
  return test_done("nn.net");
}
