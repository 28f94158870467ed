/* dnt/content_forecast.h: the twin's content forecaster, the one-step
 * content-occurrence distribution over the popular items (the paper's
 * section III-A: the twin "forecasts the next requests with its LSTM").
 *
 * The forecaster watches a request stream (item ids 0..n_items-1, e.g. the
 * twin's mirror of the requests a caching world served) cut into steps of
 * `block` requests. It keeps the last `history` steps of requests and, at
 * each fit, tracks the K items most requested over them ("top-K by counts
 * so far", so far = within the kept history, so that a drifting popularity
 * is followed). For every tracked item its series is the per-step count of
 * its requests; one LSTM shared by all tracked items (dnt/seq_forecast.h:
 * every item a series of one model, z-scored per item on its training part,
 * Adam on MSE, early stopping on the trailing validation steps) forecasts
 * each item's count in the next step from its last `window` counts (with a
 * season > 0 also the count one season before the next step). The forecast
 * distribution is
 *   p_k = max(c_k, 0) / sum_j max(c_j, 0)   over the K tracked items
 * (uniform when every forecast count is <= 0), the one-step occurrence
 * distribution; an untracked item gets 0.
 *
 * Against it: the running-frequency estimate f_k = n_k / sum_j n_j, the
 * share of the tracked items' requests over the kept history
 * (dnt_content_forecast_frequency), which is what LFU-like policies know.
 *
 * Online use: observe each request; every `refit_every` completed steps
 * (once `window` + lead + 2 steps are kept) the model is refitted (top-K
 * recomputed, at most `train_steps` Adam steps continuing from the current
 * weights) and after every completed step the next-step distribution is
 * recomputed (one batched inference over the K items). Tracked set and
 * z-score statistics change only at a fit.
 *
 * Randomness: the model's weights and shuffles come from (seed, NET_INIT /
 * TRAIN, index) of dnt/rng.h (dnt/seq_forecast.h); nothing else draws. Same
 * config and requests, same forecasts.
 * Ownership: create returns a handle freed by destroy; nothing is borrowed.
 * Costs: observe O(1) except at a step's end: O(K window) to append the
 * step, one inference of K windows (about 8 K window (1 + H) H flops), and
 * at a fit O(history block) to recount plus train_steps Adam steps. Memory
 * O(n_items + history (block + K)). Not thread-safe. */
#ifndef DNT_CONTENT_FORECAST_H
#define DNT_CONTENT_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_content_forecast_config {
  int n_items;         /* catalogue size: ids 0..n_items-1 */
  int k;               /* items tracked (top-K), 1 <= k <= n_items */
  int block;           /* requests per step */
  int history;         /* steps kept, > window + season + 2 */
  int window;          /* LSTM input steps */
  int season;          /* steps per season for the second input; 0 = none */
  int hidden;          /* LSTM hidden size */
  int batch;           /* minibatch windows */
  int train_steps;     /* Adam steps per fit at most */
  int refit_every;     /* steps between fits; 0 = only dnt_content_forecast_fit */
  float lr;            /* Adam learning rate */
  double val_fraction; /* trailing share of the kept steps for early stopping */
  uint64_t seed;       /* the model's streams */
  uint64_t index;      /* the model's index in the stream table */
} dnt_content_forecast_config;

/* k 150, block 200, history 48, window 8, season 0, hidden 16, batch 64,
 * train_steps 200, refit_every 8, lr 5e-3, val_fraction 0.2, seed 1, index
 * 0; n_items is the caller's. */
void dnt_content_forecast_config_default(dnt_content_forecast_config *c, int n_items);
/* DNT_ERR_ARG naming the first field out of range. */
int dnt_content_forecast_config_check(const dnt_content_forecast_config *c);

typedef struct dnt_content_forecast dnt_content_forecast;

int dnt_content_forecast_create(const dnt_content_forecast_config *c, dnt_content_forecast **out);
void dnt_content_forecast_destroy(dnt_content_forecast *f);

/* One request of item `item` (DNT_ERR_ARG outside 0..n_items-1). At a
 * step's end it refits when due and updates the forecast. */
int dnt_content_forecast_observe(dnt_content_forecast *f, int item);
/* Refits now (top-K, then training) and updates the forecast. DNT_ERR_ARG
 * while fewer steps are kept than a training needs (nothing changes);
 * errors of dnt_seq_train otherwise. */
int dnt_content_forecast_fit(dnt_content_forecast *f);

/* 1 once a fit has run (before it every probability is 0). */
int dnt_content_forecast_ready(const dnt_content_forecast *f);
/* Completed steps so far. */
int64_t dnt_content_forecast_steps(const dnt_content_forecast *f);
/* Items tracked now (0 before the first fit) and their ids (borrowed, valid
 * until the next fit). */
int dnt_content_forecast_n_tracked(const dnt_content_forecast *f);
const int *dnt_content_forecast_tracked(const dnt_content_forecast *f);
/* The forecast probability of `item` in the next step (0 untracked). O(1). */
double dnt_content_forecast_prob(const dnt_content_forecast *f, int item);
/* The forecast distribution over the tracked items (n_tracked values in the
 * order of dnt_content_forecast_tracked; borrowed). */
const double *dnt_content_forecast_probs(const dnt_content_forecast *f);
/* The running-frequency estimate over the same tracked items into out
 * (n_tracked values summing to 1; uniform when none was requested). */
void dnt_content_forecast_frequency(const dnt_content_forecast *f, double *out);
/* Training MSE (z-scored) of the last fit's kept epoch; NAN before one. */
double dnt_content_forecast_loss(const dnt_content_forecast *f);

#ifdef __cplusplus
}
#endif
#endif
