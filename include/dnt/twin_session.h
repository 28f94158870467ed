/* dnt/twin_session.h: run a physical world and its twin side by side and
 * report what the twin achieved: fidelity over time, bytes synced, and how
 * well forecasters trained on the mirrored history predict it.
 *
 * dnt_twin_session_run steps a fresh dnt_twin (dnt/twin.h, no step taken
 * yet) `steps` times without actions, then trains the LSTM forecaster on the
 * first train_frac of the mirrored history of the chosen fields and evaluates
 * it, seasonal naive and EWMA on the rest (rolling origins,
 * dnt_forecast_evaluate_against): every forecast is made from the mirror,
 * which is all the twin knows, and scored on the physical values of the same
 * steps, so staleness and uplink latency count against it. Into the run
 * folder (dnt/run.h) it writes:
 *   fidelity.csv        step, rmse, maxabs, max_staleness, bytes_up,
 *                       reports_sent, reports_lost (cumulative counts)
 *   forecast_error.csv  horizon, then rmse and mae of lstm, seasonal_naive, ewma
 *                       (against the physical values)
 *   fidelity, bytes, forecast_error .gp/.svg/.png figures (dnt/figure.h)
 *   dnt.db              the twin store (dnt/twin_store.h): physical and
 *                       mirror telemetry every store_every steps, each step
 *                       committed; the final k-step forecast of every field
 *                       and model
 *   summary.json        metrics named twin.* (see docs/WORLDS.md)
 * The run must hold no write transaction (the session commits it first).
 * Cost: steps x (two world steps + sync) + LSTM training (train_steps
 * minibatches) + evaluation (fields x origins / stride x k forward passes). */
#ifndef DNT_TWIN_SESSION_H
#define DNT_TWIN_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "dnt/forecast.h"
#include "dnt/run.h"
#include "dnt/twin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dnt_twin_session_config {
  int64_t steps;                 /* >= 1 */
  const size_t *forecast_fields; /* (n_forecast_fields) field indices, borrowed; NULL = all */
  size_t n_forecast_fields;
  double train_frac;  /* share of the mirrored history for training, (0, 1) */
  int horizon;        /* k, 1..DNT_FORECAST_MAX_K */
  int season;         /* steps per season (seasonal naive, LSTM input) */
  double ewma_alpha;  /* (0, 1] */
  size_t eval_stride; /* steps between evaluation origins, >= 1 */
  dnt_lstm_forecaster_config lstm;
  int64_t store_every; /* telemetry rows every this many steps; 0 = none */
  const char *label;   /* store session label */
} dnt_twin_session_config;

/* 168 steps, all fields, train 0.7, horizon 6, season 24, alpha 0.3, stride
 * 6, the LSTM defaults with the same season, store every step, label "twin". */
void dnt_twin_session_config_default(dnt_twin_session_config *c);

typedef struct dnt_twin_session_result {
  dnt_twin_stats stats;
  dnt_forecast_error lstm, snaive, ewma;
  size_t train_len, series_len; /* per forecast field */
  double sync_seconds;          /* wall time of the stepping loop (store included) */
  double forecast_seconds;      /* training and evaluation */
} dnt_twin_session_result;

/* Runs the session described above on `t` (fresh: DNT_ERR_ARG otherwise)
 * into `run`, and fills *out. `t` keeps its worlds and ends `steps` steps on;
 * the caller still owns t and run. Errors: DNT_ERR_ARG for a config out of
 * range or a forecast field never synced (naming it), the store's and the
 * run's own errors. */
int dnt_twin_session_run(dnt_twin *t, const dnt_twin_session_config *c, dnt_run *run,
                         dnt_twin_session_result *out);

#ifdef __cplusplus
}
#endif
#endif
