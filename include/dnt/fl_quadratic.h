/* dnt/fl_quadratic.h: the federated quadratic task, the engine's smoke test.
 *
 * Client i minimises 0.5 ||x - mu_i||^2 with mu_i = mu + N(0, hetero^2 I)
 * (non-IID optima around mu = (1, ..., 1)); one local job returns the noisy
 * negative gradient delta = -(x - mu_i + N(0, noise^2 I)), so a server with
 * server_lr 0.5 steps x <- x - 0.5 AGG(g). The target is the mean of the honest
 * clients' optima; final error = ||x - mean honest mu|| / ||mean honest mu||.
 * Compute times: client i has speed s_i in [0.5, 1.5) and a job takes
 * s_i * Exp(1) simulated seconds, so deadlines and asynchrony have stragglers
 * to act on. Data poisoning by malicious clients: REWARD_FLIP aims at -mu_i,
 * OBS_NOISE adds N(0, strength^2) to the gradient noise.
 * FLTrust's root data (Cao et al. 2021: a small clean sample of the task's
 * distribution) is drawn like an honest client's data but from the whole
 * honest population: its optimum is the target itself, with an honest
 * client's gradient noise (the stream of client n_clients, job = round).
 *
 * Ownership: init allocates, free releases; the clients array points into the
 * task, which must outlive any server using it. */
#ifndef DNT_FL_QUADRATIC_H
#define DNT_FL_QUADRATIC_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/fl_update.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_fl_quadratic_client {
  const struct dnt_fl_quadratic *task;
  int id;
} dnt_fl_quadratic_client;

typedef struct dnt_fl_quadratic {
  int n_clients;
  size_t d;
  double noise_sd;              /* gradient noise per coordinate */
  uint64_t seed;                /* of the root update's noise */
  float *mu;                    /* (n_clients, d) client optima */
  float *target;                /* (d) mean of the honest clients' optima (the root's too) */
  double *speed;                /* (n_clients) compute-time scale */
  dnt_fl_quadratic_client *ctx; /* (n_clients) */
  dnt_fl_client *clients;       /* (n_clients) */
} dnt_fl_quadratic;

/* Draws client i's optimum and speed from dnt_rng_for(seed, DNT_STREAM_TASK,
 * i); `malicious` (n, may be NULL) excludes clients from the target. */
int dnt_fl_quadratic_init(dnt_fl_quadratic *t, int n_clients, size_t d, double hetero_sd,
                          double noise_sd, uint64_t seed, const unsigned char *malicious);
void dnt_fl_quadratic_free(dnt_fl_quadratic *t);

/* ||x - target|| / ||target||. */
double dnt_fl_quadratic_error(const dnt_fl_quadratic *t, const float *x);

/* FLTrust root update (dnt_fl_root_fn): g0 = -(x - target + N(0, noise^2 I)),
 * noise from dnt_fl_client_rng(seed, n_clients, round). */
int dnt_fl_quadratic_root(void *task, const float *global, size_t d, int round, float *g0);

#ifdef __cplusplus
}
#endif
#endif
