/* dnt/seq_forecast.h: one training loop for LSTM forecasters of series.
 *
 * What every forecaster of the project shares (the nn study, the twin's LSTM
 * forecaster, the forecasting study's one model per base station):
 *
 *   windows   target z[tau] from T input steps ending h steps before it:
 *               x[i] = ( z[u], z[u + h - s] ),  u = tau - h - T + 1 + i,
 *             i = 0..T-1 (the second feature only with a season s > 0: the
 *             value one season before the step h ahead, i.e. the seasonal-
 *             naive forecast of it, so the net learns the correction).
 *   split     in time: train [0, train_end), validation [train_end,
 *             val_end), test [val_end, len); a window belongs to the part
 *             of its target. Inputs look back into earlier parts, never
 *             forward, so no value of the test part reaches training or
 *             model selection.
 *   z-scores  per series, mean and sample sd (dnt/stats.h) of its training part
 *             only, so that no statistic of the validation or test part
 *             reaches the model; a flat training part is only centred (sd 1).
 *   training  Adam on MSE over shuffled minibatches of the training windows
 *             of every series of the model, an epoch a pass; after each
 *             epoch the MSE on the validation windows; early stopping with
 *             patience P keeps the weights of the best validation epoch
 *             (Prechelt, "Early stopping - but when?", 1998).
 *
 * Batching across series. dnt_seq_train_many trains S models (each with its
 * own data, e.g. one per base station) through one call, one net per model on
 * up to `threads` threads. bench/nn/bench_seq_forecast.c measured the choice
 * (docs/PERFORMANCE.md): models with different weights cannot share a gate
 * sgemm, and one model at batch 256 costs more per window than at batch 32
 * (its activations leave the cache), so merging the models' products (a
 * strided batch, S calls per step again) would not pay; the threads are what
 * can. Each model's numbers depend only on its config, its data and its
 * index, so S models trained together are bit-identical to S separate
 * trainings, on any thread count (OpenBLAS on one thread).
 *
 * Randomness (dnt/rng.h): model m's initial weights come from stream
 * (seed, DNT_STREAM_NET_INIT, index), its minibatch shuffles from (seed,
 * DNT_STREAM_TRAIN, index).
 *
 * Ownership: dnt_seq_data and dnt_seq_early_stop are caller-owned structs
 * (init/free); dnt_seq_model is created and destroyed by the library. */
#ifndef DNT_SEQ_FORECAST_H
#define DNT_SEQ_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_seq_window {
  int window;  /* input steps T >= 1 */
  int horizon; /* h >= 1: the target is h steps after the last input */
  int season;  /* s for the second feature, s >= h; 0 = one feature */
} dnt_seq_window;

/* Features per step: 1, or 2 with a season. */
int dnt_seq_window_features(const dnt_seq_window *w);
/* The first target index a series allows: T - 1 + max(h, s). */
size_t dnt_seq_window_lead(const dnt_seq_window *w);
/* Fills x (T, features) with the window of target tau >= lead from the
 * z-scored series z (tau itself need not exist: a forecast). O(T). */
void dnt_seq_window_fill(const dnt_seq_window *w, const double *z, size_t tau, float *x);

/* Parts in time: train [0, train_end), validation [train_end, val_end),
 * test [val_end, len). */
typedef struct dnt_seq_split {
  size_t train_end, val_end, len;
} dnt_seq_split;

/* The split of len values where the leading fit_fraction is used for fitting
 * (training and validation) and its trailing val_fraction is the validation
 * part: train_end = fit - floor(val_fraction fit), val_end = fit =
 * floor(fit_fraction len). DNT_ERR_ARG unless fit_fraction is in (0, 1],
 * val_fraction in [0, 1), and the fit part and (val_fraction > 0) the
 * validation part each hold a value. */
int dnt_seq_split_fractions(size_t len, double fit_fraction, double val_fraction,
                            dnt_seq_split *out);

typedef enum dnt_seq_part { DNT_SEQ_TRAIN = 0, DNT_SEQ_VAL = 1, DNT_SEQ_TEST = 2 } dnt_seq_part;

/* One model's data: n_series series of one length and split, z-scored. */
typedef struct dnt_seq_data {
  dnt_seq_window win;
  dnt_seq_split split;
  size_t n_series;
  double *mean, *sd; /* (n_series) statistics of each series' training part */
  double *z;         /* (n_series, len) z-scored values, all parts */
  size_t per[3];     /* windows per series in each dnt_seq_part */
} dnt_seq_data;

/* Copies and z-scores series (n_series, split->len) row-major. Errors, naming
 * the series and value: DNT_ERR_NUMERIC for a non-finite value; DNT_ERR_ARG
 * for a split beyond len, no training window (train_end <= lead), or a
 * validation part that holds no window; DNT_ERR_NOMEM. O(n_series len). */
int dnt_seq_data_init(dnt_seq_data *d, const dnt_seq_window *w, const double *series,
                      size_t n_series, const dnt_seq_split *split);
void dnt_seq_data_free(dnt_seq_data *d);
/* Windows in a part over all series. */
size_t dnt_seq_data_count(const dnt_seq_data *d, dnt_seq_part part);
/* Window k of a part (series k / per, targets in time order): inputs into x
 * (T, features), z-scored target into *y, series into *series and target
 * index into *tau (each output may be NULL). */
void dnt_seq_data_window(const dnt_seq_data *d, dnt_seq_part part, size_t k, float *x, float *y,
                         size_t *series, size_t *tau);

/* Early stopping on a loss to minimise, epoch by epoch. */
typedef struct dnt_seq_early_stop {
  int patience;   /* epochs without improvement before stopping; 0 = never stop */
  int epoch;      /* epochs seen */
  int best_epoch; /* 1-based epoch of the lowest loss; 0 before any */
  double best;    /* that loss */
} dnt_seq_early_stop;

typedef enum dnt_seq_verdict {
  DNT_SEQ_IMPROVED = 1, /* a new best: keep these weights */
  DNT_SEQ_GO_ON = 0,    /* no better, keep training */
  DNT_SEQ_STOP = -1     /* patience epochs without a new best */
} dnt_seq_verdict;

void dnt_seq_early_stop_init(dnt_seq_early_stop *s, int patience);
/* Records the loss of the next epoch. A loss is a new best when strictly
 * below the best so far (NaN never is). */
dnt_seq_verdict dnt_seq_early_stop_update(dnt_seq_early_stop *s, double loss);

typedef struct dnt_seq_config {
  dnt_seq_window win;
  int hidden, layers; /* LSTM(hidden, layers) -> last hidden -> dense(1) */
  int batch;          /* windows per Adam step */
  int max_epochs;     /* >= 1 */
  int64_t max_steps;  /* Adam steps at most, over all epochs; 0 = no limit */
  int patience;       /* early stopping (validation part needed); 0 = none */
  float lr;           /* Adam learning rate */
  float clip;         /* global gradient norm clip; 0 = none */
  uint64_t seed;      /* master seed of the streams (above) */
} dnt_seq_config;

/* window 24, horizon 1, season 0, hidden 32, 1 layer, batch 32, 40 epochs,
 * no step limit, patience 5, lr 5e-3, clip 1, seed 1. */
void dnt_seq_config_default(dnt_seq_config *c);
/* DNT_ERR_ARG naming the first field out of range. */
int dnt_seq_config_check(const dnt_seq_config *c);

typedef struct dnt_seq_model dnt_seq_model;

/* A model of config c (copied) with index `index` (its streams, above):
 * net built for c->batch windows and initialised. */
int dnt_seq_model_create(const dnt_seq_config *c, uint64_t index, dnt_seq_model **out);
void dnt_seq_model_destroy(dnt_seq_model *m);
/* The net (parameters as one flat vector, e.g. for federated averaging). Borrowed. */
dnt_net *dnt_seq_model_net(dnt_seq_model *m);
const dnt_seq_config *dnt_seq_model_config(const dnt_seq_model *m);

/* What a training did. The caller sets the two curve pointers (NULL or
 * storage for max_epochs values) before the call; the rest is output. */
typedef struct dnt_seq_report {
  int epochs;          /* epochs run */
  int best_epoch;      /* 1-based epoch whose weights were kept (the last without validation) */
  int64_t steps;       /* Adam steps taken */
  double train_mse;    /* mean minibatch MSE (z-scored) of the kept epoch */
  double val_mse;      /* validation MSE of the kept weights; NAN without a validation part */
  double *train_curve; /* (max_epochs) per-epoch training MSE, or NULL */
  double *val_curve;   /* (max_epochs) per-epoch validation MSE, or NULL */
} dnt_seq_report;

/* Trains m on d (windows of d must have m's shape: DNT_ERR_MISMATCH
 * otherwise), continuing from its current weights with a fresh Adam state;
 * the shuffles continue m's TRAIN stream. On return m holds the kept weights.
 * DNT_ERR_NUMERIC when the training or validation loss turns non-finite
 * (lr too high?);
 * DNT_ERR_INTERRUPTED when dnt_interrupt_pending() is set at an epoch's start
 * (dnt/interrupt.h; the weights are then those of the last epoch).
 * Time: epochs x (train windows x forward+backward + validation windows x
 * forward). Allocates its scratch per call (not per step). */
int dnt_seq_train(dnt_seq_model *m, const dnt_seq_data *d, dnt_seq_report *report);

/* Trains models[i] on data[i], i < n, on up to `threads` threads; each
 * result is exactly dnt_seq_train's. The models must be distinct; data may
 * repeat (it is only read). reports: (n) or NULL. On failure the
 * status and message of the lowest failing model, named by its position. */
int dnt_seq_train_many(dnt_seq_model *const *models, const dnt_seq_data *const *data, size_t n,
                       int threads, dnt_seq_report *reports);

/* Forecasts of every window of a part, in the series' units, into out
 * (dnt_seq_data_count(d, part)). */
int dnt_seq_predict_part(dnt_seq_model *m, const dnt_seq_data *d, dnt_seq_part part, double *out);
/* MSE (z-scored) of m over a part's windows; NAN for an empty part. */
double dnt_seq_part_mse(dnt_seq_model *m, const dnt_seq_data *d, dnt_seq_part part);

#ifdef __cplusplus
}
#endif
#endif
