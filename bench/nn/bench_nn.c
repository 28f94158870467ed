/* bench/nn/bench_nn.c: the nn core against PyTorch on the workloads that dnt runs.
 *
 *   build/bench_nn                 # dnt, then bench/nn/bench_nn_torch.py, ratios
 *   build/bench_nn --no-torch      # dnt only
 *   build/bench_nn --torch PATH    # another location of the peer script
 *
 * 1. DQN update, MLP 64-128-128-5 (ReLU), batch 64: forward of the online net
 *    on s (training), infer of the target net on s', Huber loss on the taken
 *    actions' Q, backward, clip at norm 10, Adam.
 * 2. Acting: the same MLP, forward of one state, argmax.
 * 3. LSTM training step: input 8, hidden 64, 24 steps, batch 32; MSE on a
 *    64 -> 1 dense head over the last hidden state; BPTT; Adam.
 * Both sides run one thread (OpenBLAS here, torch.set_num_threads(1) there) on
 * the same shapes; each time is thread CPU time (this 2-core machine is shared,
 * which inflates wall time but much less CPU time), the median of 5 timed
 * repetitions. The sgemm peak is the best of 4 runs. GFLOP/s
 * counts the matrix products only, against OpenBLAS's own sgemm 1024^3 peak
 * measured in the same run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include "dnt/loss.h"
#include "dnt/nn.h"
#include "dnt/optim.h"
#include "dnt/rng.h"

static double now(void) { /* CPU time of this thread; OpenBLAS runs in it (1 thread) */
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median over 5 repetitions of the time per call, in microseconds. */
static double median_us(void (*fn)(void *), void *ctx, int iters) {
  for (int i = 0; i < iters / 10 + 3; i++)
    fn(ctx);
  double t[5];
  for (int r = 0; r < 5; r++) {
    double t0 = now();
    for (int i = 0; i < iters; i++)
      fn(ctx);
    t[r] = (now() - t0) / iters * 1e6;
  }
  qsort(t, 5, sizeof t[0], cmp_double);
  return t[2];
}

static void fill(float *x, size_t n, dnt_rng *r) {
  for (size_t i = 0; i < n; i++)
    x[i] = (float)dnt_rng_normal(r, 0.0, 1.0);
}

/* ---- 1 and 2: DQN update and acting ---- */
enum { DQN_B = 64, DQN_S = 64, DQN_A = 5 };

typedef struct dqn {
  dnt_net *online, *target;
  dnt_adam opt;
  float s[DQN_B * DQN_S], s2[DQN_B * DQN_S], r[DQN_B];
  int a[DQN_B];
  float qn[DQN_B * DQN_A], dq[DQN_B * DQN_A], pred[DQN_B], y[DQN_B], g[DQN_B];
  float q1[DQN_A];
  int action;
} dqn;

static void dqn_step(void *ctx) {
  dqn *d = ctx;
  const float *q = dnt_net_forward(d->online, d->s, DQN_B);
  dnt_net_infer(d->target, d->s2, DQN_B, d->qn);
  for (int b = 0; b < DQN_B; b++) {
    float best = d->qn[b * DQN_A];
    for (int k = 1; k < DQN_A; k++)
      best = d->qn[b * DQN_A + k] > best ? d->qn[b * DQN_A + k] : best;
    d->y[b] = d->r[b] + 0.99f * best;
    d->pred[b] = q[b * DQN_A + d->a[b]];
  }
  dnt_loss_huber(d->pred, d->y, DQN_B, 1.0f, d->g);
  memset(d->dq, 0, sizeof d->dq);
  for (int b = 0; b < DQN_B; b++)
    d->dq[b * DQN_A + d->a[b]] = d->g[b];
  dnt_net_zero_grad(d->online);
  dnt_net_backward(d->online, d->dq, NULL);
  dnt_clip_grad_norm(dnt_net_grads(d->online), dnt_net_nparams(d->online), 10.0f);
  dnt_adam_step(&d->opt, dnt_net_params(d->online), dnt_net_grads(d->online));
}

static void dqn_act(void *ctx) {
  dqn *d = ctx;
  dnt_net_infer(d->online, d->s, 1, d->q1);
  int best = 0;
  for (int k = 1; k < DQN_A; k++)
    best = d->q1[k] > d->q1[best] ? k : best;
  d->action = best;
}

/* ---- 3: LSTM training step ---- */
enum { L_B = 32, L_T = 24, L_I = 8, L_H = 64 };

typedef struct lstm_bench {
  dnt_net *net;
  dnt_adam opt;
  float x[L_B * L_T * L_I], target[L_B], dy[L_B];
} lstm_bench;

static void lstm_step(void *ctx) {
  lstm_bench *l = ctx;
  const float *y = dnt_net_forward(l->net, l->x, L_B);
  dnt_loss_mse(y, l->target, L_B, l->dy);
  dnt_net_zero_grad(l->net);
  dnt_net_backward(l->net, l->dy, NULL);
  dnt_adam_step(&l->opt, dnt_net_params(l->net), dnt_net_grads(l->net));
}

/* ---- OpenBLAS peak ---- */
static double sgemm_peak_gflops(void) {
  const int n = 1024;
  float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n);
  float *c = malloc(sizeof(float) * n * n);
  for (int i = 0; i < n * n; i++)
    a[i] = b[i] = (float)(i % 17) * 0.01f;
  double best = 1e30;
  for (int r = 0; r < 4; r++) {
    double t0 = now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    double t = now() - t0;
    best = t < best ? t : best;
  }
  free(a), free(b), free(c);
  return 2.0 * n * n * n / best * 1e-9;
}

static void cpu_model(char *out, size_t len) {
  snprintf(out, len, "unknown");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "model name", 10) == 0) {
      char *v = strchr(line, ':');
      if (v) snprintf(out, len, "%s", v + 2);
      out[strcspn(out, "\n")] = '\0';
      break;
    }
  }
  fclose(f);
}

/* Runs the peer script; fills torch_us[3] (0 where missing). */
static void run_torch(const char *script, double *torch_us) {
  static const char *const names[3] = {"mlp_dqn_step", "mlp_act_b1", "lstm_train_step"};
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "OMP_NUM_THREADS=1 /usr/bin/python3 '%s'", script);
  printf("running %s ...\n", cmd);
  fflush(stdout);
  FILE *p = popen(cmd, "r");
  if (!p) return;
  char line[256];
  while (fgets(line, sizeof line, p)) {
    char name[64];
    double v;
    if (sscanf(line, "%63s %lf", name, &v) != 2) continue;
    for (int i = 0; i < 3; i++)
      if (strcmp(name, names[i]) == 0) torch_us[i] = v;
  }
  if (pclose(p) != 0) printf("(the torch script failed; is python3-torch installed?)\n");
}

int main(int argc, char **argv) {
  int use_torch = 1;
  char script[1024];
  /* the peer script sits beside this file */
  snprintf(script, sizeof script, "%s", __FILE__);
  char *slash = strrchr(script, '/');
  snprintf(slash ? slash + 1 : script, sizeof script - (size_t)(slash ? slash + 1 - script : 0),
           "bench_nn_torch.py");
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--no-torch") == 0) {
      use_torch = 0;
    } else if (strcmp(argv[i], "--torch") == 0 && i + 1 < argc) {
      snprintf(script, sizeof script, "%s", argv[++i]);
    } else {
      fprintf(stderr, "usage: %s [--no-torch] [--torch PATH]\n", argv[0]);
      return 2;
    }
  }
  dnt_blas_set_threads(1);
  char model[256];
  cpu_model(model, sizeof model);
  double peak = sgemm_peak_gflops();
  printf("machine: %s\nOpenBLAS %s(core %s), 1 thread: sgemm 1024^3 %.1f GFLOP/s\n", model,
         openblas_get_config(), openblas_get_corename(), peak);

  dnt_rng rng;
  dnt_rng_seed(&rng, 1);
  static dqn d;
  const int sizes[] = {128, 128, DQN_A};
  dnt_net_arch mlp = dnt_mlp_arch(DQN_S, sizes, 3, DNT_ACT_RELU, DNT_ACT_NONE);
  if (dnt_net_create(&mlp, DQN_B, NULL, NULL, &d.online) ||
      dnt_net_create(&mlp, DQN_B, NULL, NULL, &d.target) ||
      dnt_adam_init(&d.opt, dnt_net_nparams(d.online), 1e-4f)) {
    fprintf(stderr, "bench_nn: cannot build the MLP\n");
    return 1;
  }
  dnt_net_init(d.online, &rng);
  memcpy(dnt_net_params(d.target), dnt_net_params(d.online),
         dnt_net_nparams(d.online) * sizeof(float));
  fill(d.s, DQN_B * DQN_S, &rng);
  fill(d.s2, DQN_B * DQN_S, &rng);
  fill(d.r, DQN_B, &rng);
  for (int b = 0; b < DQN_B; b++)
    d.a[b] = (int)dnt_rng_below(&rng, DQN_A);

  static lstm_bench l;
  dnt_net_arch la = {.input = L_I, .seq_len = L_T, .n_layers = 2};
  la.layer[0] = (dnt_layer_spec){.kind = DNT_LAYER_LSTM, .units = L_H, .lstm_layers = 1};
  la.layer[1] = (dnt_layer_spec){.kind = DNT_LAYER_DENSE, .units = 1, .act = DNT_ACT_NONE};
  if (dnt_net_create(&la, L_B, NULL, NULL, &l.net) ||
      dnt_adam_init(&l.opt, dnt_net_nparams(l.net), 1e-3f)) {
    fprintf(stderr, "bench_nn: cannot build the LSTM\n");
    return 1;
  }
  dnt_net_init(l.net, &rng);
  fill(l.x, sizeof l.x / sizeof l.x[0], &rng);
  fill(l.target, L_B, &rng);

  /* flops of the matrix products */
  double w = 64.0 * 128 + 128.0 * 128 + 128.0 * 5, w_dx = 128.0 * 128 + 128.0 * 5;
  double f_dqn = 2 * DQN_B * (3 * w + w_dx); /* forward, target infer, dW, dx (not layer 0) */
  double f_act = 2 * w;
  double k = L_I + L_H, gate = 4.0 * L_H;
  double f_lstm = 2.0 * L_B * L_T * k * gate           /* forward, one sgemm per step */
                  + 2.0 * L_B * (L_T - 1) * gate * L_H /* recurrent gradient per step */
                  + 2.0 * L_B * L_T * k * gate;        /* dW over all steps */

  const char *names[3] = {"mlp_dqn_step (B=64)", "mlp_act_b1", "lstm_train_step"};
  double flops[3] = {f_dqn, f_act, f_lstm};
  double targets[3] = {3.0, 10.0, 2.5};
  double us[3];
  us[0] = median_us(dqn_step, &d, 2000);
  us[1] = median_us(dqn_act, &d, 100000);
  us[2] = median_us(lstm_step, &l, 300);
  double torch_us[3] = {0, 0, 0};
  if (use_torch) run_torch(script, torch_us);

  printf("\n%-22s %10s %9s %12s %10s %8s\n", "workload", "dnt us", "GFLOP/s", "torch us",
         "torch/dnt", "target");
  for (int i = 0; i < 3; i++) {
    printf("%-22s %10.2f %9.2f", names[i], us[i], flops[i] / us[i] * 1e-3);
    if (torch_us[i] > 0)
      printf(" %12.2f %9.1fx %7.1fx%s\n", torch_us[i], torch_us[i] / us[i], targets[i],
             torch_us[i] / us[i] >= targets[i] ? "" : "  (missed)");
    else
      printf(" %12s %10s %7.1fx\n", "-", "-", targets[i]);
  }
  printf("(GFLOP/s: matrix-product flops only; sgemm peak above is %.1f)\n", peak);
  dnt_adam_free(&d.opt);
  dnt_adam_free(&l.opt);
  dnt_net_destroy(d.online);
  dnt_net_destroy(d.target);
  dnt_net_destroy(l.net);
  return 0;
}
