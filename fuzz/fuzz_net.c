/* fuzz_net: the loaders above the checkpoint parser on arbitrary bytes:
 * dnt_net_load (an MLP and an LSTM net), dnt_dqn_load (dueling DQN on
 * CartPole) and dnt_td3_load (TD3 on Pendulum), each reading a file.
 *
 * The first byte picks the model (b % 4) and, with its top bit set, has the
 * harness rewrite the checkpoint's CRC so that mutations get past the
 * checksum to the description and count checks and to the parameters; the
 * rest is the file. A load that fails leaves the parameters untouched and
 * says why. A load that succeeds gives a model that infers without fault:
 * DQN actions are valid indices and honour a mask; TD3 actions stay within
 * the action bounds or are NaN (finite weights can still overflow to inf - inf
 * inside the net: a NaN action is the caller's to refuse). Seeds: DNT_FUZZ_SEEDS=fuzz/corpus/net
 * build-fuzz/fuzz/fuzz_net writes each model's own checkpoint. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/dqn.h"
#include "dnt/envs.h"
#include "dnt/nn.h"
#include "dnt/rng.h"
#include "dnt/status.h"
#include "dnt/td3.h"
#include "harness.h"

enum { MLP, LSTM, DQN, TD3, N_MODELS, BATCH = 3, SEQ = 4 };

static dnt_net *mlp, *lstm;
static dnt_dqn *dqn;
static dnt_td3 *td3;
static dnt_vecenv cartpole, pendulum;

static void make_models(void) {
  int sizes[] = {8, 2};
  dnt_net_arch a = dnt_mlp_arch(4, sizes, 2, DNT_ACT_RELU, DNT_ACT_NONE);
  FUZZ_ASSERT(dnt_net_create(&a, BATCH, NULL, NULL, &mlp) == DNT_OK);
  dnt_net_arch l = {.input = 2, .seq_len = SEQ, .n_layers = 2};
  l.layer[0] = (dnt_layer_spec){DNT_LAYER_LSTM, 4, DNT_ACT_NONE, 1, 0};
  l.layer[1] = (dnt_layer_spec){DNT_LAYER_DENSE, 1, DNT_ACT_NONE, 0, 0};
  FUZZ_ASSERT(dnt_net_create(&l, BATCH, NULL, NULL, &lstm) == DNT_OK);
  dnt_rng r;
  dnt_rng_for(&r, 1, DNT_STREAM_NET_INIT, 0);
  dnt_net_init(mlp, &r);
  dnt_net_init(lstm, &r);

  dnt_dqn_config dc;
  dnt_dqn_config_default(&dc);
  dc.n_hidden = 1;
  dc.hidden[0] = 8;
  dc.dueling = 1;
  dc.batch = 4;
  dc.buffer = 16;
  FUZZ_ASSERT(dnt_vecenv_init(&cartpole, &dnt_env_cartpole, NULL, 1, 1) == DNT_OK);
  FUZZ_ASSERT(dnt_dqn_create(&dc, &cartpole, NULL, NULL, 2, &dqn) == DNT_OK);
  dnt_td3_config tc;
  dnt_td3_config_default(&tc);
  tc.n_hidden = 1;
  tc.hidden[0] = 8;
  tc.batch = 4;
  tc.buffer = 16;
  FUZZ_ASSERT(dnt_vecenv_init(&pendulum, &dnt_env_pendulum, NULL, 1, 1) == DNT_OK);
  FUZZ_ASSERT(dnt_td3_create(&tc, &pendulum, NULL, NULL, 3, &td3) == DNT_OK);
}

static float *params_of(int k, size_t *n) {
  switch (k) {
  case MLP:
    *n = dnt_net_nparams(mlp);
    return dnt_net_params(mlp);
  case LSTM:
    *n = dnt_net_nparams(lstm);
    return dnt_net_params(lstm);
  case DQN:
    return dnt_dqn_params(dqn, n);
  default:
    return dnt_td3_params(td3, n);
  }
}

/* Saves (write = 1) or loads model k through its own file API. */
static int file_io(int k, const char *path, int write) {
  switch (k) {
  case MLP:
    return write ? dnt_net_save(mlp, path) : dnt_net_load(mlp, path);
  case LSTM:
    return write ? dnt_net_save(lstm, path) : dnt_net_load(lstm, path);
  case DQN:
    return write ? dnt_dqn_save(dqn, path) : dnt_dqn_load(dqn, path);
  default:
    return write ? dnt_td3_save(td3, path) : dnt_td3_load(td3, path);
  }
}

/* Inference through the loaded parameters. */
static void use(int k) {
  float x[BATCH * SEQ * 4], y[BATCH * SEQ * 4];
  for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
    x[i] = (float)i * 0.25f - 1.0f;
  if (k == MLP) dnt_net_infer(mlp, x, BATCH, y);
  if (k == LSTM) dnt_net_infer(lstm, x, BATCH, y);
  if (k == DQN) {
    int a[BATCH];
    unsigned char mask[BATCH * 2] = {0, 1, 1, 0, 1, 1};
    FUZZ_ASSERT(dnt_dqn_act(dqn, x, NULL, BATCH, a) == DNT_OK);
    for (int i = 0; i < BATCH; i++)
      FUZZ_ASSERT(a[i] >= 0 && a[i] < dqn->n_actions);
    FUZZ_ASSERT(dnt_dqn_act(dqn, x, mask, BATCH, a) == DNT_OK);
    for (int i = 0; i < BATCH; i++)
      FUZZ_ASSERT(a[i] >= 0 && a[i] < 2 && mask[2 * i + a[i]]);
  }
  if (k == TD3) {
    FUZZ_ASSERT(dnt_td3_act(td3, x, BATCH, y) == DNT_OK);
    for (int i = 0; i < BATCH * td3->act_dim; i++) {
      int j = i % td3->act_dim;
      FUZZ_ASSERT(isnan(y[i]) || fabsf(y[i] - td3->offset[j]) <= fabsf(td3->scale[j]) * 1.0001f);
    }
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  make_models();
  if (fuzz_seeds_begin()) {
    static const char *const names[N_MODELS] = {"mlp", "lstm", "dqn", "td3"};
    for (int k = 0; k < N_MODELS; k++) {
      char path[FUZZ_PATH_MAX], name[32];
      fuzz_temp_file(NULL, 0, path);
      FUZZ_ASSERT(file_io(k, path, 1) == DNT_OK);
      size_t len;
      uint8_t *ckpt = fuzz_read_all(path, &len);
      uint8_t *seed = malloc(len + 1);
      FUZZ_ASSERT(seed);
      seed[0] = (uint8_t)k;
      memcpy(seed + 1, ckpt, len);
      snprintf(name, sizeof name, "%s.ckpt", names[k]);
      fuzz_write_seed(name, seed, len + 1);
      free(seed);
      free(ckpt);
      fuzz_temp_remove(path);
    }
    fuzz_seeds_end();
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  int k = data[0] % N_MODELS;
  uint8_t *file = malloc(size);
  FUZZ_ASSERT(file);
  memcpy(file, data + 1, size - 1);
  if (data[0] & 0x80) fuzz_fix_crc(file, size - 1);
  char path[FUZZ_PATH_MAX];
  fuzz_temp_file(file, size - 1, path);
  size_t n;
  float *p = params_of(k, &n), *before = malloc(n * sizeof *before);
  FUZZ_ASSERT(before);
  memcpy(before, p, n * sizeof *p);
  int rc = file_io(k, path, 0);
  if (rc == DNT_OK) {
    use(k);
    memcpy(p, before, n * sizeof *p); /* the next input starts from the same model */
  } else {
    FUZZ_ASSERT(rc < 0 && dnt_last_error()[0] != '\0');
    FUZZ_ASSERT(memcmp(before, p, n * sizeof *p) == 0);
  }
  fuzz_temp_remove(path);
  free(before);
  free(file);
  return 0;
}
