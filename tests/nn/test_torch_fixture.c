/* tests/nn/test_torch_fixture.c: dnt against PyTorch, tensor by tensor.
 * tests/nn/fixture_torch.txt (written once by tools/make_nn_fixture.py, so CI
 * needs no PyTorch) holds an MLP 5-7-3 and a 2-layer LSTM (I=3, H=4, T=5, B=2)
 * with a linear head: inputs, weights, outputs, MSE loss, every gradient, the
 * input gradient, and the MLP's parameters after two torch.optim.Adam steps.
 * Each tensor prints OK or NOT OK with its largest error; the tolerance is
 * |dnt - torch| <= 1e-6 + 1e-5 |torch| (dnt is float32, the fixture float64). */
#include <stdio.h>
#include <string.h>

#include "dnt/loss.h"
#include "dnt/nn.h"
#include "dnt/optim.h"
#include "dnt/status.h"
#include "test.h"

#define FIXTURE DNT_SOURCE_DIR "/tests/nn/fixture_torch.txt"
enum { MAX_TENSORS = 64 };

typedef struct tensor {
  char name[32];
  int n;
  double *v;
} tensor;

static tensor tensors[MAX_TENSORS];
static int n_tensors;

static int load_fixture(void) {
  FILE *f = fopen(FIXTURE, "r");
  if (!f) return -1;
  char line[256];
  if (!fgets(line, sizeof line, f) || line[0] != '#') return -1; /* the header comment */
  tensor t;
  while (n_tensors < MAX_TENSORS && fscanf(f, "%31s %d", t.name, &t.n) == 2 && t.n > 0) {
    t.v = malloc((size_t)t.n * sizeof(double));
    for (int i = 0; i < t.n; i++)
      if (fscanf(f, "%lf", &t.v[i]) != 1) return -1;
    tensors[n_tensors++] = t;
  }
  fclose(f);
  return 0;
}

static const tensor *get(const char *name) {
  for (int i = 0; i < n_tensors; i++)
    if (strcmp(tensors[i].name, name) == 0) return &tensors[i];
  fprintf(stderr, "fixture has no tensor '%s'\n", name);
  exit(1);
}

/* Copies tensors `names` (prefix + name) one after another into dst as floats. */
static size_t gather(const char *prefix, const char *const *names, int k, float *dst) {
  size_t at = 0;
  for (int i = 0; i < k; i++) {
    char full[64];
    snprintf(full, sizeof full, "%s%s", prefix, names[i]);
    const tensor *t = get(full);
    for (int j = 0; j < t->n; j++)
      dst[at++] = (float)t->v[j];
  }
  return at;
}

static void compare(const char *name, const float *got) {
  const tensor *t = get(name);
  double worst = 0;
  int bad = 0;
  for (int i = 0; i < t->n; i++) {
    double err = fabs(got[i] - t->v[i]);
    worst = fmax(worst, err);
    bad += err > 1e-6 + 1e-5 * fabs(t->v[i]);
  }
  printf("%-6s %-16s %4d values, max |dnt - torch| %.2e\n", bad ? "NOT OK" : "OK", name, t->n,
         worst);
  CHECK_MSG(bad == 0, "%s: %d of %d values outside the tolerance", name, bad, t->n);
}

/* Compares consecutive slices of v with tensors prefix + names[i]. */
static void compare_slices(const char *prefix, const char *const *names, int k, const float *v) {
  for (int i = 0; i < k; i++) {
    char full[64];
    snprintf(full, sizeof full, "%s%s", prefix, names[i]);
    compare(full, v);
    v += get(full)->n;
  }
}

/* forward, MSE loss, backward; compares y, loss, gradients and dx */
static void run_and_compare(dnt_net *net, const char *p, const char *const *dnames, int k) {
  char key[64];
  snprintf(key, sizeof key, "%sx", p);
  const tensor *tx = get(key);
  snprintf(key, sizeof key, "%starget", p);
  const tensor *tt = get(key);
  float *x = malloc(tx->n * sizeof(float)), *target = malloc(tt->n * sizeof(float));
  float *dy = malloc(tt->n * sizeof(float)), *dx = malloc(tx->n * sizeof(float));
  for (int i = 0; i < tx->n; i++)
    x[i] = (float)tx->v[i];
  for (int i = 0; i < tt->n; i++)
    target[i] = (float)tt->v[i];
  int batch = tx->n / (dnt_net_get_arch(net)->input *
                       (dnt_net_get_arch(net)->seq_len ? dnt_net_get_arch(net)->seq_len : 1));
  const float *y = dnt_net_forward(net, x, batch);
  snprintf(key, sizeof key, "%sy", p);
  compare(key, y);
  float loss = dnt_loss_mse(y, target, (size_t)tt->n, dy);
  snprintf(key, sizeof key, "%sloss", p);
  compare(key, &loss);
  dnt_net_zero_grad(net);
  dnt_net_backward(net, dy, dx);
  compare_slices(p, dnames, k, dnt_net_grads(net));
  snprintf(key, sizeof key, "%sdx", p);
  compare(key, dx);
  free(x), free(target), free(dy), free(dx);
}

static void check_mlp(void) {
  static const char *const names[] = {"W0", "b0", "W1", "b1"};
  static const char *const dnames[] = {"dW0", "db0", "dW1", "db1"};
  const int sizes[] = {7, 3};
  dnt_net_arch a = dnt_mlp_arch(5, sizes, 2, DNT_ACT_TANH, DNT_ACT_NONE);
  dnt_net *net = NULL;
  CHECK_OK(dnt_net_create(&a, 4, NULL, NULL, &net));
  if (!net) return;
  CHECK(gather("mlp.", names, 4, dnt_net_params(net)) == dnt_net_nparams(net));
  run_and_compare(net, "mlp.", dnames, 4);

  /* two Adam steps, the second on the gradient at the stepped parameters */
  dnt_adam opt;
  CHECK_OK(dnt_adam_init(&opt, dnt_net_nparams(net), 0.01f));
  dnt_adam_step(&opt, dnt_net_params(net), dnt_net_grads(net));
  compare_slices("mlp.adam1.", names, 4, dnt_net_params(net));
  float x[20], target[12], dy[12];
  gather("mlp.", (const char *const[]){"x"}, 1, x);
  gather("mlp.", (const char *const[]){"target"}, 1, target);
  dnt_loss_mse(dnt_net_forward(net, x, 4), target, 12, dy);
  dnt_net_zero_grad(net);
  dnt_net_backward(net, dy, NULL);
  dnt_adam_step(&opt, dnt_net_params(net), dnt_net_grads(net));
  compare_slices("mlp.adam2.", names, 4, dnt_net_params(net));
  dnt_adam_free(&opt);
  dnt_net_destroy(net);
}

static void check_lstm(void) {
  static const char *const names[] = {"W0", "b0", "W1", "b1", "Wh", "bh"};
  static const char *const dnames[] = {"dW0", "db0", "dW1", "db1", "dWh", "dbh"};
  dnt_net_arch a = {.input = 3, .seq_len = 5, .n_layers = 2};
  a.layer[0] = (dnt_layer_spec){.kind = DNT_LAYER_LSTM, .units = 4, .lstm_layers = 2};
  a.layer[1] = (dnt_layer_spec){.kind = DNT_LAYER_DENSE, .units = 1, .act = DNT_ACT_NONE};
  dnt_net *net = NULL;
  CHECK_OK(dnt_net_create(&a, 2, NULL, NULL, &net));
  if (!net) return;
  CHECK(gather("lstm.", names, 6, dnt_net_params(net)) == dnt_net_nparams(net));
  run_and_compare(net, "lstm.", dnames, 6);
  dnt_net_destroy(net);
}

int main(void) {
  if (load_fixture() != 0) {
    fprintf(stderr, "cannot read %s\n", FIXTURE);
    return 1;
  }
  check_mlp();
  check_lstm();
  for (int i = 0; i < n_tensors; i++)
    free(tensors[i].v);
  return test_done("nn.torch_fixture");
}
