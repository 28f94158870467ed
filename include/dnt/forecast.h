/* dnt/forecast.h: forecasters of telemetry series behind one interface.
 *
 * A forecaster is trained on a set of series (e.g. the mirrored history of
 * every BS's traffic, dnt/mirror.h) and then, given the history of one series
 * up to now, forecasts its next k values. Three implementations:
 *
 *   seasonal naive  y(n+h) = y(n+h - s ceil((h+1)/s))  (Hyndman and
 *                   Athanasopoulos, "Forecasting: Principles and Practice",
 *                   3rd ed., section 5.2); needs n >= s.
 *   EWMA            level l_t = a y_t + (1 - a) l_{t-1}, l_0 = y_0; every
 *                   horizon forecasts l_n (simple exponential smoothing, FPP
 *                   section 8.1). Values older than 40/a steps (weight below
 *                   e^-40) are skipped.
 *   LSTM            an LSTM (dnt/nn.h) over the last `window` values, each
 *                   step with a second input, the value one season before the
 *                   NEXT step (so the seasonal-naive forecast is an input and
 *                   the net learns the correction; "closeness" and "period"
 *                   inputs as in VH-Twin), then a dense layer to one value.
 *                   Trained by the nn layer's loop (dnt/seq_forecast.h): the
 *                   leading 1 - val_fraction of every fitted series trains
 *                   (z-scored by that part's mean and sd), the rest stops the
 *                   training early and picks the kept weights; minibatches
 *                   of windows of every series, MSE and Adam. At predict the
 *                   given history is z-scored by its own mean and sd; k-step
 *                   forecasts feed predictions back (recursive strategy).
 *
 * Errors: dnt_forecast_evaluate runs a rolling-origin evaluation (FPP section
 * 5.10): at every origin t the forecaster sees the series up to t and
 * forecasts t..t+k-1; MAE and RMSE are reported per horizon (rmse[0] is the
 * one-step error, rmse[k-1] the k-step error), with NRMSE = RMSE / (max - min)
 * of the targets as in VH-Twin. dnt_forecast_evaluate_against scores
 * forecasts made from one series (a twin's mirror) on another (the truth).
 *
 * Ownership: constructors return a handle freed by dnt_forecaster_destroy.
 * A forecaster is not thread-safe (the LSTM has workspaces): one per thread. */
#ifndef DNT_FORECAST_H
#define DNT_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DNT_FORECAST_MAX_K 256

typedef struct dnt_forecaster_ops {
  const char *name;
  /* Trains on series (n_series, len) row-major; may be a no-op. */
  int (*fit)(void *self, const double *series, size_t n_series, size_t len);
  /* Forecasts the k values after history[0..n) into out. */
  int (*predict)(void *self, const double *history, size_t n, int k, double *out);
  /* History needed by predict. */
  size_t (*min_history)(const void *self);
  void (*destroy)(void *self);
} dnt_forecaster_ops;

typedef struct dnt_forecaster dnt_forecaster;

/* Wraps an implementation (self is owned, destroyed with the handle, also
 * when create fails): the way to add a forecaster of one's own. */
int dnt_forecaster_create(const dnt_forecaster_ops *ops, void *self, dnt_forecaster **out);
void dnt_forecaster_destroy(dnt_forecaster *f);

/* season >= 1 steps (1 = naive: repeat the last value). */
int dnt_forecaster_seasonal_naive(int season, dnt_forecaster **out);
/* alpha in (0, 1]. */
int dnt_forecaster_ewma(double alpha, dnt_forecaster **out);

typedef struct dnt_lstm_forecaster_config {
  int window;          /* input steps T >= 1 */
  int season;          /* steps per season for the second input; 0 = none */
  int hidden;          /* LSTM hidden size H */
  int layers;          /* stacked LSTM layers */
  int batch;           /* minibatch size */
  int train_steps;     /* minibatch updates per fit at most (whole epochs but the last) */
  float lr;            /* Adam learning rate */
  float clip;          /* gradient norm clip; 0 = none */
  double val_fraction; /* trailing share of each fitted series for early stopping, [0, 1) */
  int patience;        /* epochs without a better validation loss before stopping; 0 = none */
  uint64_t seed;       /* streams (seed, DNT_STREAM_NET_INIT / DNT_STREAM_TRAIN, 0) */
} dnt_lstm_forecaster_config;

/* window 24, season 24, hidden 32, 1 layer, batch 32, 1500 steps, lr 3e-3,
 * clip 1, validation 0.2, patience 10, seed 1. */
void dnt_lstm_forecaster_config_default(dnt_lstm_forecaster_config *c);
int dnt_forecaster_lstm(const dnt_lstm_forecaster_config *cfg, dnt_forecaster **out);
/* The LSTM forecaster's net (its parameters are one flat vector, e.g. for
 * federated averaging), or NULL for another kind. Borrowed. */
dnt_net *dnt_forecaster_lstm_net(dnt_forecaster *f);
/* Training loss (mean minibatch MSE on z-scored values) of the epoch whose
 * weights the last fit kept; NAN before a fit. */
double dnt_forecaster_lstm_loss(const dnt_forecaster *f);

const char *dnt_forecaster_name(const dnt_forecaster *f);
size_t dnt_forecaster_min_history(const dnt_forecaster *f);
/* DNT_ERR_ARG on len < min_history + 1 (LSTM) or non-finite values. */
int dnt_forecaster_fit(dnt_forecaster *f, const double *series, size_t n_series, size_t len);
/* 1 <= k <= DNT_FORECAST_MAX_K; n >= min_history (DNT_ERR_ARG otherwise). */
int dnt_forecaster_predict(dnt_forecaster *f, const double *history, size_t n, int k, double *out);

typedef struct dnt_forecast_error {
  int k;
  size_t origins;                 /* forecasts made (per horizon) */
  double mae[DNT_FORECAST_MAX_K]; /* per horizon h = 1..k at index h-1 */
  double rmse[DNT_FORECAST_MAX_K];
  double nrmse[DNT_FORECAST_MAX_K]; /* rmse / (max - min) of the targets */
} dnt_forecast_error;

/* Rolling origins t = start, start + stride, ... <= len - k over each of the
 * n_series series (row-major (n_series, len)); start >= min_history.
 * Cost: origins x predict(k). */
int dnt_forecast_evaluate(dnt_forecaster *f, const double *series, size_t n_series, size_t len,
                          size_t start, int k, size_t stride, dnt_forecast_error *err);

/* The same rolling origins, but at origin t the forecaster sees history[0..t)
 * and is scored on target[t..t+k): both (n_series, len) over the same steps.
 * This is how a twin's forecast is judged: from the mirrored history (held
 * between syncs, late by the uplink latency) against the physical series it
 * stands for; scoring it on the mirror itself would reward a stale mirror.
 * With target == history it is dnt_forecast_evaluate. */
int dnt_forecast_evaluate_against(dnt_forecaster *f, const double *history, const double *target,
                                  size_t n_series, size_t len, size_t start, int k, size_t stride,
                                  dnt_forecast_error *err);

/* Called after each series of an evaluation with the series done so far and
 * the total (a progress report: a twin of 100,000 BSs evaluates 100,000
 * series, a minute of CPU for the LSTM). */
typedef void (*dnt_forecast_tick)(void *ctx, size_t done, size_t total);

/* dnt_forecast_evaluate_against with tick(ctx, j + 1, n_series) after series
 * j (tick may be NULL); the same errors, bit for bit. */
int dnt_forecast_evaluate_ticking(dnt_forecaster *f, const double *history, const double *target,
                                  size_t n_series, size_t len, size_t start, int k, size_t stride,
                                  dnt_forecast_tick tick, void *ctx, dnt_forecast_error *err);

#ifdef __cplusplus
}
#endif
#endif
