/* dnt/fl_update.h: model updates and the client interface of federated learning.
 *
 * A model is one flat float vector of d parameters (dnt/nn.h). A client starts
 * from the global model w, trains locally and returns its update
 *   delta = w_local - w                                   (d floats)
 * together with metadata: who sent it, which server version it was based on,
 * how many samples it saw (the FedAvg weight) and how long it computed. Every
 * server (dnt/fl_server.h, dnt/fl_async.h, dnt/fl_hier.h) moves the global model
 * by w <- w + server_lr * AGG(deltas), so a client that takes one gradient step
 * with learning rate 1 returns delta = -g and the server step is plain SGD.
 *
 * Clients are an interface: a context pointer and a local_train function. The
 * server hands each call its own random stream (dnt_fl_client_rng in
 * dnt/fl_population.h), so results do
 * not depend on the order or the thread in which clients train; local_train may
 * run on several threads at once for DIFFERENT clients and must not share mutable
 * state between clients.
 *
 * Bad input: an update whose length is not d or that holds a NaN or an Inf is
 * rejected by dnt_fl_update_check and never aggregated.
 *
 * Ownership: dnt_fl_update_init allocates delta (d floats), dnt_fl_update_free
 * releases it. Client contexts are owned by the caller. */
#ifndef DNT_FL_UPDATE_H
#define DNT_FL_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_fl_update {
  int client_id;
  int base_round;      /* server version (round) of the global model it started from */
  double n_samples;    /* sample count: the FedAvg weight (> 0) */
  double compute_time; /* simulated seconds of local computation (>= 0) */
  size_t d;            /* length of delta as produced; must equal the model's d */
  float *delta;        /* (capacity) w_local - w_global, owned by the update */
  size_t capacity;     /* floats allocated in delta */
} dnt_fl_update;

/* Allocates delta for d floats (zeroed) and sets d = capacity = d, n_samples = 1. */
int dnt_fl_update_init(dnt_fl_update *u, size_t d);
void dnt_fl_update_free(dnt_fl_update *u);

/* DNT_OK, or DNT_ERR_MISMATCH (length != d), DNT_ERR_NUMERIC (a NaN or Inf in
 * delta, index named) or DNT_ERR_ARG (n_samples <= 0 or not finite, negative
 * compute time). O(d). */
int dnt_fl_update_check(const dnt_fl_update *u, size_t d);

/* Data poisoning done inside local training by a malicious client (the hook
 * the pipelines implement): the server only tells the client what to do. */
typedef enum dnt_fl_data_poison {
  DNT_POISON_NONE = 0,
  DNT_POISON_REWARD_FLIP = 1, /* RL: r <- -r (label flipping's RL analogue) */
  DNT_POISON_OBS_NOISE = 2    /* add N(0, strength^2) to every observation */
} dnt_fl_data_poison;

/* What a client receives for one local training job. */
typedef struct dnt_fl_train_args {
  const float *global; /* (d) the global model to start from; read-only */
  size_t d;
  int round; /* server version of `global` */
  int client_id;
  int malicious;             /* 1 if the simulation marked this client malicious */
  dnt_fl_data_poison poison; /* data poisoning to apply when malicious */
  double poison_strength;    /* e.g. the noise sd of DNT_POISON_OBS_NOISE */
  dnt_rng *rng;              /* this job's own stream (dnt/fl_population.h) */
} dnt_fl_train_args;

/* Writes the update into out (out->delta has room for args->d floats; set
 * out->d, n_samples, compute_time). Returns 0 or a negative dnt_status; a
 * failing client is counted as dropped for the round, not a server failure. */
typedef int (*dnt_fl_train_fn)(void *ctx, const dnt_fl_train_args *args, dnt_fl_update *out);

typedef struct dnt_fl_client {
  void *ctx; /* borrowed, owned by the caller */
  dnt_fl_train_fn local_train;
} dnt_fl_client;

#ifdef __cplusplus
}
#endif
#endif
