/* src/fl/fl_quadratic.c: the federated quadratic task (dnt/fl_quadratic.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dnt/fl_population.h"
#include "dnt/fl_quadratic.h"
#include "dnt/status.h"

static int quad_train(void *ctx, const dnt_fl_train_args *a, dnt_fl_update *out) {
  const dnt_fl_quadratic_client *c = ctx;
  const dnt_fl_quadratic *t = c->task;
  const float *mu = t->mu + (size_t)c->id * t->d;
  double sd = t->noise_sd, sign = 1;
  if (a->poison == DNT_POISON_OBS_NOISE) sd += a->poison_strength;
  if (a->poison == DNT_POISON_REWARD_FLIP) sign = -1;
  for (size_t j = 0; j < a->d; j++)
    out->delta[j] = (float)-(a->global[j] - sign * mu[j] + dnt_rng_normal(a->rng, 0, sd));
  out->d = a->d;
  out->n_samples = 1;
  out->compute_time = t->speed[c->id] * dnt_rng_exponential(a->rng, 1.0);
  return 0;
}

int dnt_fl_quadratic_init(dnt_fl_quadratic *t, int n_clients, size_t d, double hetero_sd,
                          double noise_sd, uint64_t seed, const unsigned char *malicious) {
  memset(t, 0, sizeof *t);
  if (n_clients < 1 || d < 1 || !(hetero_sd >= 0) || !(noise_sd >= 0))
    return dnt_error(DNT_ERR_ARG,
                     "quadratic task: clients = %d, d = %zu, hetero = %g, noise = "
                     "%g: expected >= 1, >= 1, >= 0, >= 0",
                     n_clients, d, hetero_sd, noise_sd);
  t->n_clients = n_clients;
  t->d = d;
  t->noise_sd = noise_sd;
  t->seed = seed;
  t->mu = malloc((size_t)n_clients * d * sizeof *t->mu);
  t->target = calloc(d, sizeof *t->target);
  t->speed = malloc((size_t)n_clients * sizeof *t->speed);
  t->ctx = malloc((size_t)n_clients * sizeof *t->ctx);
  t->clients = malloc((size_t)n_clients * sizeof *t->clients);
  if (!t->mu || !t->target || !t->speed || !t->ctx || !t->clients) {
    dnt_fl_quadratic_free(t);
    return dnt_error(DNT_ERR_NOMEM, "quadratic task: out of memory");
  }
  int honest = 0;
  for (int i = 0; i < n_clients; i++) {
    dnt_rng r;
    dnt_rng_for(&r, seed, DNT_STREAM_TASK, (uint64_t)i);
    float *mu = t->mu + (size_t)i * d;
    for (size_t j = 0; j < d; j++)
      mu[j] = (float)(1.0 + dnt_rng_normal(&r, 0, hetero_sd));
    t->speed[i] = 0.5 + dnt_rng_uniform(&r);
    t->ctx[i] = (dnt_fl_quadratic_client){t, i};
    t->clients[i] = (dnt_fl_client){&t->ctx[i], quad_train};
    if (malicious && malicious[i]) continue;
    for (size_t j = 0; j < d; j++)
      t->target[j] += mu[j];
    honest++;
  }
  for (size_t j = 0; j < d; j++)
    t->target[j] /= (float)(honest ? honest : 1);
  return 0;
}

void dnt_fl_quadratic_free(dnt_fl_quadratic *t) {
  free(t->mu);
  free(t->target);
  free(t->speed);
  free(t->ctx);
  free(t->clients);
  memset(t, 0, sizeof *t);
}

double dnt_fl_quadratic_error(const dnt_fl_quadratic *t, const float *x) {
  double e = 0, n = 0;
  for (size_t j = 0; j < t->d; j++) {
    double v = (double)x[j] - t->target[j];
    e += v * v;
    n += (double)t->target[j] * t->target[j];
  }
  return n > 0 ? sqrt(e / n) : sqrt(e);
}

int dnt_fl_quadratic_root(void *task, const float *global, size_t d, int round, float *g0) {
  const dnt_fl_quadratic *t = task;
  dnt_rng r; /* the root is client n_clients, honest, optimum = the honest mean */
  dnt_fl_client_rng(&r, t->seed, t->n_clients, round);
  for (size_t j = 0; j < d; j++)
    g0[j] = (float)-(global[j] - t->target[j] + dnt_rng_normal(&r, 0, t->noise_sd));
  return 0;
}
