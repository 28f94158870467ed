/* bench/rl/bench_rl.c: the RL layer's speed, with its PyTorch peer in the same run.
 *
 *   build/bench_rl                  # interface overhead, then DQN vs bench_rl_torch.py
 *   build/bench_rl --no-torch       # dnt only
 *   build/bench_rl --steps N        # DQN training steps (default 20000)
 *   build/bench_rl --torch PATH     # another location of the peer script
 *
 * 1. Environment steps per second of the vectorised interface on a trivial
 *    environment (a counter that ends every 100 steps), so that what is
 *    measured is the interface's own overhead: dnt_vecenv_step + advance,
 *    then the full acting path of the agents (rollout_step: shields,
 *    hooks, replay insertion) with no hooks, for batches of 1, 16 and 256.
 * 2. A full DQN training loop on CartPole-v1 (acting, stepping, replay,
 *    one batch-64 update per step, Polyak target) against the same loop in
 *    PyTorch (bench_rl_torch.py, same hyperparameters, one thread on both
 *    sides), and the ratios of wall and CPU times (the CPU time of the whole
 *    process: on a shared machine it moves much less than the wall time). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rl/rollout.h"

#include "dnt/dqn.h"
#include "dnt/envs.h"
#include "dnt/nn.h"
#include "dnt/progress.h"
#include "dnt/status.h"

typedef struct counter {
  int t;
} counter;

static int ct_create(const void *cfg, dnt_env_spec *spec, void **inst) {
  *inst = calloc(1, sizeof(counter));
  spec->name = "counter";
  spec->obs_dim = 4;
  spec->n_actions = 2;
  return *inst ? 0 : DNT_ERR_NOMEM;
}
static void ct_destroy(void *inst) {
  free(inst);
}
static int ct_reset(void *inst, dnt_rng *rng, float *obs) {
  ((counter *)inst)->t = 0;
  memset(obs, 0, 4 * sizeof *obs);
  return 0;
}
static int ct_step(void *inst, int a, const float *u, dnt_rng *rng, float *obs, float *reward,
                   float *cost, int *terminated) {
  counter *c = inst;
  c->t++;
  obs[0] = (float)c->t;
  obs[1] = obs[2] = obs[3] = (float)a;
  *reward = 1.0f;
  *terminated = c->t == 100;
  return 0;
}
static const dnt_env_ops counter_ops = {"counter", ct_create, ct_destroy, ct_reset, ct_step, NULL};

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fail(const char *what) {
  fprintf(stderr, "bench_rl: %s: %s\n", what, dnt_last_error());
  return 1;
}

/* Steps per second of the bare interface and of the rollout path. */
static int bench_interface(void) {
  static const int sizes[] = {1, 16, 256};
  printf("%-34s %8s %16s\n", "vectorised interface (trivial env)", "batch", "env steps/s");
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    int n = sizes[k];
    long total = 4000000;
    dnt_vecenv v;
    if (dnt_vecenv_init(&v, &counter_ops, NULL, n, 1)) return fail("vecenv");
    int *a = calloc((size_t)n, sizeof *a);
    double t0 = dnt_now();
    for (long s = 0; s < total; s += n) {
      for (int i = 0; i < n; i++)
        a[i] = (int)(s + i) & 1;
      if (dnt_vecenv_step(&v, a, NULL) || dnt_vecenv_advance(&v)) return fail("step");
    }
    double bare = (double)total / (dnt_now() - t0);
    dnt_replay rb;
    dnt_replay_shape shape = {100000, 4, 2, 0, 0, 0};
    dnt_rollout *ro;
    if (dnt_replay_init(&rb, &shape, 0, 0) || rollout_create(&v, NULL, NULL, 1, &ro))
      return fail("rollout");
    t0 = dnt_now();
    for (long s = 0; s < total; s += n) {
      for (int i = 0; i < n; i++)
        ro->a[i] = (int)(s + i) & 1;
      if (rollout_step(ro, &rb)) return fail("rollout step");
    }
    double full = (double)total / (dnt_now() - t0);
    printf("%-34s %8d %16.3g\n", "  step + advance", n, bare);
    printf("%-34s %8d %16.3g\n", "  rollout (hooks, replay insert)", n, full);
    rollout_destroy(ro);
    dnt_replay_free(&rb);
    dnt_vecenv_free(&v);
    free(a);
  }
  return 0;
}

/* The DQN loop of bench_rl_torch.py; its wall and CPU seconds. */
static int bench_dqn(long steps, double *seconds, double *cpu, long long *episodes) {
  dnt_vecenv env;
  if (dnt_vecenv_init(&env, &dnt_env_cartpole, NULL, 1, 1)) return fail("cartpole");
  dnt_dqn_config c;
  dnt_dqn_config_default(&c); /* 64-64, lr 1e-3, batch 64, Polyak 0.005 every step, ... */
  dnt_dqn *q;
  if (dnt_dqn_create(&c, &env, NULL, NULL, 1, &q)) return fail("dqn");
  double t0 = dnt_now(), c0 = cpu_now();
  if (dnt_dqn_train(q, steps)) return fail("dqn train");
  *seconds = dnt_now() - t0;
  *cpu = cpu_now() - c0;
  *episodes = (long long)env.episodes;
  dnt_dqn_destroy(q);
  dnt_vecenv_free(&env);
  return 0;
}

int main(int argc, char **argv) {
  int use_torch = 1;
  long steps = 20000;
  char script[1024];
  snprintf(script, sizeof script, "%s", __FILE__);
  char *slash = strrchr(script, '/');
  snprintf(slash ? slash + 1 : script, sizeof script - (size_t)(slash ? slash + 1 - script : 0),
           "bench_rl_torch.py");
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--no-torch")) {
      use_torch = 0;
    } else if (!strcmp(argv[i], "--torch") && i + 1 < argc) {
      snprintf(script, sizeof script, "%s", argv[++i]);
    } else if (!strcmp(argv[i], "--steps") && i + 1 < argc) {
      steps = atol(argv[++i]);
    } else {
      fprintf(stderr, "usage: %s [--no-torch] [--torch PATH] [--steps N]\n", argv[0]);
      return 2;
    }
  }
  dnt_blas_set_threads(1);
  if (bench_interface()) return 1;
  double sec = 0, cpu = 0;
  long long eps = 0;
  if (bench_dqn(steps, &sec, &cpu, &eps)) return 1;
  printf("\nDQN on CartPole-v1, %ld env steps, one update per step (batch 64, 64-64 MLP)\n", steps);
  printf("  %-8s %9s %9s %16s %10s\n", "", "wall s", "CPU s", "env steps/CPU s", "episodes");
  printf("  %-8s %9.2f %9.2f %16.0f %10lld\n", "dnt", sec, cpu, (double)steps / cpu, eps);
  if (!use_torch) return 0;
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "OMP_NUM_THREADS=1 /usr/bin/python3 '%s' --steps %ld", script, steps);
  FILE *p = popen(cmd, "r");
  double tsec = 0, tcpu = 0;
  long long teps = 0;
  char line[512];
  while (p && fgets(line, sizeof line, p)) {
    long ts;
    if (sscanf(line, "torch_dqn_cartpole steps=%ld seconds=%lf cpu=%lf episodes=%lld", &ts, &tsec,
               &tcpu, &teps) == 4)
      break;
  }
  if (!p || pclose(p) != 0 || tcpu <= 0) {
    printf("  (the torch peer failed; is python3-torch installed? see %s)\n", script);
    return 0;
  }
  printf("  %-8s %9.2f %9.2f %16.0f %10lld\n", "pytorch", tsec, tcpu, (double)steps / tcpu, teps);
  printf("  dnt is %.1fx faster end to end in CPU time, %.1fx in wall time (target >= 3x)\n",
         tcpu / cpu, tsec / sec);
  return 0;
}
